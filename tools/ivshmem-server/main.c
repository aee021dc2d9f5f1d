// SPDX-License-Identifier: GPL-2.0
/*
 * shype-ivshmem-server: an ivshmem server (QEMU's ivshmem-doorbell device,
 * protocol of QEMU's docs/specs/ivshmem-spec.rst) that asks shype for the
 * label of each connecting VMM and refuses one that may not share with the
 * shared memory or with the peers already connected, before it hands out
 * any file descriptor.
 *
 * The protocol is one-way, server to client: 8-byte little-endian signed
 * numbers, some with one fd (SCM_RIGHTS).  To a new client: the protocol
 * version (0); its peer id; -1 with the shared memory's fd; for each other
 * peer, that peer's id once per vector with the eventfd that interrupts
 * that peer on that vector; then its own id once per vector with the
 * eventfds it is interrupted by.  The others get the new peer's id once
 * per vector with its eventfds.  When a client goes, the others get its id
 * without an fd.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "check.h"

#define PROG		 "shype-ivshmem-server"
#define PROTOCOL_VERSION 0
#define VECTORS_MAX	 64
#define PEERS_MAX	 256
#define PEER_ID_MAX	 65535

/**
 * struct peer - a connected client
 * @c: id, pid and label, as the check sees them
 * @sock: its connection
 * @efd: the eventfds that interrupt it, one per vector
 */
struct peer {
	struct check_peer c;
	int sock;
	int efd[VECTORS_MAX];
};

static struct {
	const char *sock_path;
	const char *shm_name; /* -m: POSIX shm name */
	char shm_path[PATH_MAX]; /* its file, or -M's */
	const char *label; /* --label */
	const char *pidfile;
	size_t size;
	unsigned int vectors;
	bool check;
	bool verbose;
} opt = { .size = 4 << 20, .vectors = 1, .check = true };

static struct peer *peers[PEERS_MAX];
static size_t n_peers;
static volatile sig_atomic_t quit;

static void logf_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* One line on stderr: the server's log. */
static void logf_(const char *fmt, ...)
{
	va_list ap;

	fputs(PROG ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: " PROG
		" -S SOCKET { -m SHM_NAME | -M PATH } [OPTIONS]\n"
		"\n"
		"  -S, --socket PATH     listen on this UNIX socket\n"
		"  -m, --shm NAME        POSIX shared memory /dev/shm/NAME\n"
		"  -M, --shm-path PATH   a shared memory file (hugetlbfs, ...)\n"
		"  -l, --size SIZE       its size, with K, M or G (default 4M)\n"
		"  -n, --vectors N       interrupt vectors per peer (default 1)\n"
		"  -p, --pidfile FILE    write the server's pid there\n"
		"  -F, --foreground      accepted for QEMU's server's options;\n"
		"                        this server never leaves the foreground\n"
		"  -v, --verbose         log every message sent\n"
		"      --label LABEL     the shared memory's label (default:\n"
		"                        the policy's label of shm:PATH, if any)\n"
		"      --no-check        admit every peer (shype.ko still checks\n"
		"                        the binds in the kernel)\n"
		"\n"
		"A peer may join only when its label (its VM's, else its cgroup's)\n"
		"shares an STE type with the shared memory's label and with every\n"
		"peer connected, under the policy shype.ko enforces now.\n");
}

static int parse_size(const char *s, size_t *out)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s)
		return -1;
	switch (*end) {
	case 'G':
	case 'g':
		v <<= 10; /* fall through */
	case 'M':
	case 'm':
		v <<= 10; /* fall through */
	case 'K':
	case 'k':
		v <<= 10;
		end++;
		break;
	case '\0':
		break;
	default:
		return -1;
	}
	if (*end || !v || v > (1ULL << 40))
		return -1;
	*out = v;
	return 0;
}

static void parse_args(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "socket", required_argument, NULL, 'S' },
		{ "shm", required_argument, NULL, 'm' },
		{ "shm-path", required_argument, NULL, 'M' },
		{ "size", required_argument, NULL, 'l' },
		{ "vectors", required_argument, NULL, 'n' },
		{ "pidfile", required_argument, NULL, 'p' },
		{ "foreground", no_argument, NULL, 'F' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "label", required_argument, NULL, 'L' },
		{ "no-check", no_argument, NULL, 'N' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	unsigned long v;
	char *end;
	int c;

	while ((c = getopt_long(argc, argv, "S:m:M:l:n:p:Fvh", lopts, NULL)) !=
	       -1) {
		switch (c) {
		case 'S':
			opt.sock_path = optarg;
			break;
		case 'm':
			if (!*optarg || strchr(optarg + 1, '/'))
				goto bad;
			opt.shm_name = optarg;
			snprintf(opt.shm_path, sizeof(opt.shm_path),
				 "/dev/shm/%s", optarg + (*optarg == '/'));
			break;
		case 'M':
			if (optarg[0] != '/' ||
			    strlen(optarg) >= sizeof(opt.shm_path))
				goto bad;
			opt.shm_name = NULL;
			strcpy(opt.shm_path, optarg);
			break;
		case 'l':
			if (parse_size(optarg, &opt.size))
				goto bad;
			break;
		case 'n':
			v = strtoul(optarg, &end, 10);
			if (*end || !v || v > VECTORS_MAX)
				goto bad;
			opt.vectors = v;
			break;
		case 'p':
			opt.pidfile = optarg;
			break;
		case 'F':
			break;
		case 'v':
			opt.verbose = true;
			break;
		case 'L':
			if (!shype_name_valid(optarg, strlen(optarg)))
				goto bad;
			opt.label = optarg;
			break;
		case 'N':
			opt.check = false;
			break;
		case 'h':
			usage(stdout);
			exit(EXIT_SUCCESS);
		default:
			usage(stderr);
			exit(2);
		}
	}
	if (optind != argc || !opt.sock_path || !opt.shm_path[0]) {
		usage(stderr);
		exit(2);
	}
	return;
bad:
	fprintf(stderr, PROG ": bad value '%s' for option '%s'\n", optarg,
		argv[optind - 1]);
	exit(2);
}

/* Send @msg, with @fd unless it is -1. */
static int send_msg(int sock, int64_t msg, int fd)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} u;
	int64_t le = htole64(msg);
	struct iovec iov = { .iov_base = &le, .iov_len = sizeof(le) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *c;
	ssize_t r;

	if (fd >= 0) {
		memset(&u, 0, sizeof(u));
		mh.msg_control = u.buf;
		mh.msg_controllen = sizeof(u.buf);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	do
		r = sendmsg(sock, &mh, MSG_NOSIGNAL);
	while (r < 0 && errno == EINTR);
	if (r != sizeof(le))
		return r < 0 ? -errno : -EIO;
	if (opt.verbose)
		logf_("  sent %lld%s to fd %d", (long long)msg,
		      fd >= 0 ? " with an fd" : "", sock);
	return 0;
}

/* Tell @to that @p is there: its id once per vector, with its eventfds. */
static int announce(const struct peer *to, const struct peer *p)
{
	unsigned int v;
	int err;

	for (v = 0; v < opt.vectors; v++) {
		err = send_msg(to->sock, p->c.id, p->efd[v]);
		if (err)
			return err;
	}
	return 0;
}

static void peer_free(struct peer *p)
{
	unsigned int v;

	for (v = 0; v < opt.vectors; v++)
		if (p->efd[v] >= 0)
			close(p->efd[v]);
	if (p->sock >= 0)
		close(p->sock);
	free(p);
}

/* Remove peer @i and tell the others it is gone. */
static void peer_remove(size_t i, const char *why)
{
	struct peer *p = peers[i];
	size_t j;

	logf_("peer %d (pid %d, label %s) left: %s", p->c.id, p->c.pid,
	      p->c.label[0] ? p->c.label : "-", why);
	peers[i] = peers[--n_peers];
	for (j = 0; j < n_peers; j++)
		send_msg(peers[j]->sock, p->c.id, -1);
	peer_free(p);
}

/*
 * The next id after the last one handed out that no connected peer has.
 * Not the lowest free one: QEMU (7.2) frees a peer's eventfd array when
 * the peer goes but keeps the pointer, and writes through it when a peer
 * of the same id comes (heap corruption, seen as "double free or
 * corruption" in a VM whose peer came back), so ids are reused as late as
 * possible, as QEMU's own server does.
 */
static int next_id(void)
{
	static int last = -1;
	size_t i;
	int n, id;

	for (n = 0; n <= PEER_ID_MAX; n++) {
		id = (last + 1 + n) % (PEER_ID_MAX + 1);
		for (i = 0; i < n_peers && peers[i]->c.id != id; i++)
			;
		if (i == n_peers)
			return last = id;
	}
	return -1;
}

static void peer_accept(int lsock, int shm_fd)
{
	struct check_peer cp[PEERS_MAX];
	char label[SHYPE_NAME_MAX + 1], why[1024];
	struct ucred cred;
	socklen_t len = sizeof(cred);
	struct peer *p;
	unsigned int v;
	size_t i;
	int sock, r, err;

	sock = accept4(lsock, NULL, NULL, SOCK_CLOEXEC);
	if (sock < 0) {
		logf_("accept: %s", strerror(errno));
		return;
	}
	if (getsockopt(sock, SOL_SOCKET, SO_PEERCRED, &cred, &len)) {
		logf_("refused a peer: SO_PEERCRED: %s", strerror(errno));
		close(sock);
		return;
	}
	if (n_peers == PEERS_MAX) {
		logf_("refused peer pid %d: %d peers connected already",
		      cred.pid, PEERS_MAX);
		close(sock);
		return;
	}

	/* The check, before anything is sent. */
	label[0] = '\0';
	if (opt.check) {
		for (i = 0; i < n_peers; i++)
			cp[i] = peers[i]->c;
		r = check_peer_join(cred.pid, opt.shm_path, opt.label, cp,
				    n_peers, label, why, sizeof(why));
		if (r) {
			logf_("refused peer pid %d, label %s: %s", cred.pid,
			      label[0] ? label : "-", why);
			close(sock);
			return;
		}
	} else {
		snprintf(why, sizeof(why), "not checked (--no-check)");
	}

	p = calloc(1, sizeof(*p));
	if (!p) {
		logf_("refused peer pid %d: out of memory", cred.pid);
		close(sock);
		return;
	}
	p->sock = sock;
	p->c.pid = cred.pid;
	p->c.id = next_id();
	snprintf(p->c.label, sizeof(p->c.label), "%s", label);
	for (v = 0; v < VECTORS_MAX; v++)
		p->efd[v] = -1;
	for (v = 0; v < opt.vectors; v++) {
		p->efd[v] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (p->efd[v] < 0) {
			logf_("refused peer pid %d: eventfd: %s", cred.pid,
			      strerror(errno));
			peer_free(p);
			return;
		}
	}

	/* Version, id, shared memory; the others' eventfds; its own. */
	err = send_msg(sock, PROTOCOL_VERSION, -1);
	if (!err)
		err = send_msg(sock, p->c.id, -1);
	if (!err)
		err = send_msg(sock, -1, shm_fd);
	for (i = 0; !err && i < n_peers; i++)
		err = announce(p, peers[i]);
	if (!err)
		err = announce(p, p);
	if (err) {
		logf_("peer pid %d gone while being set up: %s", cred.pid,
		      strerror(-err));
		peer_free(p);
		return;
	}
	for (i = 0; i < n_peers; i++)
		if (announce(peers[i], p))
			logf_("peer %d: could not tell it of peer %d",
			      peers[i]->c.id, p->c.id);
	peers[n_peers++] = p;
	logf_("peer %d joined: pid %d, %s", p->c.id, p->c.pid, why);
}

static int open_shm(void)
{
	int fd;

	if (opt.shm_name)
		fd = shm_open(opt.shm_name[0] == '/' ?
				      opt.shm_name :
				      opt.shm_path + strlen("/dev/shm"),
			      O_CREAT | O_RDWR | O_CLOEXEC, 0600);
	else
		fd = open(opt.shm_path, O_CREAT | O_RDWR | O_CLOEXEC, 0600);
	if (fd < 0) {
		logf_("cannot open %s: %s", opt.shm_path, strerror(errno));
		return -1;
	}
	if (ftruncate(fd, opt.size)) {
		logf_("cannot size %s to %zu bytes: %s", opt.shm_path, opt.size,
		      strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static int open_socket(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int s;

	if (strlen(opt.sock_path) >= sizeof(sa.sun_path)) {
		logf_("socket path too long: %s", opt.sock_path);
		return -1;
	}
	strcpy(sa.sun_path, opt.sock_path);
	s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0) {
		logf_("socket: %s", strerror(errno));
		return -1;
	}
	unlink(opt.sock_path);
	if (bind(s, (struct sockaddr *)&sa, sizeof(sa)) || listen(s, 16)) {
		logf_("cannot listen on %s: %s", opt.sock_path,
		      strerror(errno));
		close(s);
		return -1;
	}
	return s;
}

static void on_signal(int sig)
{
	(void)sig;
	quit = 1;
}

int main(int argc, char **argv)
{
	struct pollfd pfd[PEERS_MAX + 1];
	struct sigaction sa = { .sa_handler = on_signal };
	int lsock, shm_fd;
	size_t i, n;
	char c;
	FILE *f;

	parse_args(argc, argv);
	setvbuf(stderr, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	shm_fd = open_shm();
	if (shm_fd < 0)
		return EXIT_FAILURE;
	lsock = open_socket();
	if (lsock < 0)
		return EXIT_FAILURE;
	if (opt.pidfile) {
		f = fopen(opt.pidfile, "w");
		if (!f || fprintf(f, "%d\n", (int)getpid()) < 0 || fclose(f)) {
			logf_("cannot write %s", opt.pidfile);
			return EXIT_FAILURE;
		}
	}
	logf_("listening on %s: shared memory %s (%zu bytes), %u vector%s, %s",
	      opt.sock_path, opt.shm_path, opt.size, opt.vectors,
	      opt.vectors == 1 ? "" : "s",
	      opt.check ? "peers checked against shype's policy" :
			  "peers NOT checked (--no-check)");

	while (!quit) {
		pfd[0] = (struct pollfd){ .fd = lsock, .events = POLLIN };
		for (i = 0; i < n_peers; i++)
			pfd[i + 1] = (struct pollfd){ .fd = peers[i]->sock,
						      .events = POLLIN };
		n = n_peers;
		if (poll(pfd, n + 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			logf_("poll: %s", strerror(errno));
			break;
		}
		/* Clients send nothing: readable means gone (or babbling). */
		for (i = n; i-- > 0;) {
			if (!pfd[i + 1].revents)
				continue;
			if (recv(peers[i]->sock, &c, 1, MSG_DONTWAIT) == 1)
				continue;
			peer_remove(i, "disconnected");
		}
		if (pfd[0].revents & POLLIN)
			peer_accept(lsock, shm_fd);
	}

	while (n_peers)
		peer_remove(n_peers - 1, "server stopping");
	close(lsock);
	unlink(opt.sock_path);
	if (opt.pidfile)
		unlink(opt.pidfile);
	logf_("stopped");
	return EXIT_SUCCESS;
}
