// SPDX-License-Identifier: GPL-2.0
/*
 * shype-reach: what a VMM process taken over by its guest could try against
 * another VMM of the same uid, for tests in the test host.
 *
 *   shype-reach [-u UID] exec PROG [ARG...]
 *	run PROG as UID (uid and gid UID, no supplementary groups), as
 *	libvirt runs every QEMU as one user
 *   shype-reach [-u UID] try PID ADDR LEN FD SECRET
 *	as UID, try each channel into process PID, whose memory at ADDR and
 *	whose file FD (a memfd) hold LEN bytes that contain SECRET; prints
 *	one line a channel:
 *	  CHANNEL ok found SECRET     the channel gave the secret
 *	  CHANNEL ok no secret        it worked, but the secret was not there
 *	  CHANNEL errno N (NAME)      refused or failed
 *	CHANNEL is attach, seize (PTRACE_ATTACH or SEIZE, then PEEKDATA),
 *	readv (process_vm_readv), mem (/proc/PID/mem), getfd (pidfd_getfd
 *	of FD) or reopen (open of /proc/PID/fd/FD, O_RDWR).  Exits 0.
 *   shype-reach xattr NAME FILE
 *	print FILE's extended attribute NAME, or "errno N (NAME)" and exit 1
 *
 * Exits 1 when something fails that is not the point, 2 on a bad argument.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <grp.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#define CHUNK 65536

/* Where the secret was found (an offset from ADDR), -1 if not yet. */
static long found = -1;

static int usage(void)
{
	fprintf(stderr,
		"usage: shype-reach [-u UID] exec PROG [ARG...]\n"
		"       shype-reach [-u UID] try PID ADDR LEN FD SECRET\n"
		"       shype-reach xattr NAME FILE\n");
	return 2;
}

static int number(const char *s, unsigned long *v)
{
	char *end;

	errno = 0;
	*v = strtoul(s, &end, 0);
	return errno || !*s || *end ? -1 : 0;
}

/* One uid for everything, as libvirt's QEMUs; still dumpable. */
static int become(unsigned long uid)
{
	if (setgroups(0, NULL) || setresgid(uid, uid, uid) ||
	    setresuid(uid, uid, uid) || prctl(PR_SET_DUMPABLE, 1)) {
		fprintf(stderr, "shype-reach: uid %lu: %s\n", uid,
			strerror(errno));
		return -1;
	}
	return 0;
}

static void say_errno(const char *chan, int err)
{
	printf("%s errno %d (%s)\n", chan, err, strerror(err));
}

/*
 * A reader of @len bytes at @off of the source: process_vm_readv, pread of
 * /proc/PID/mem or of an fd.  Returns bytes read or -errno.
 */
struct source {
	pid_t pid;
	int fd;
	unsigned long base;
	ssize_t (*read)(const struct source *s, char *buf, size_t len,
			unsigned long off);
};

static ssize_t read_vm(const struct source *s, char *buf, size_t len,
		       unsigned long off)
{
	struct iovec local = { buf, len },
		     remote = { (void *)(s->base + off), len };
	ssize_t n = process_vm_readv(s->pid, &local, 1, &remote, 1, 0);

	return n < 0 ? -errno : n;
}

static ssize_t read_fd(const struct source *s, char *buf, size_t len,
		       unsigned long off)
{
	ssize_t n = pread(s->fd, buf, len, s->base + off);

	return n < 0 ? -errno : n;
}

/*
 * Look for @secret in @len bytes of @s, chunk by chunk (a chunk overlaps the
 * last one by the secret's length); say what it gave as @chan.
 */
static void search(const char *chan, const struct source *s, unsigned long len,
		   const char *secret)
{
	static char buf[CHUNK];
	size_t slen = strlen(secret);
	unsigned long off = 0;
	ssize_t n;
	char *p;

	while (off < len) {
		n = s->read(s, buf, len - off < CHUNK ? len - off : CHUNK, off);
		if (n < 0) {
			say_errno(chan, -n);
			return;
		}
		if (!n)
			break;
		p = memmem(buf, n, secret, slen);
		if (p) {
			if (found < 0)
				found = off + (p - buf);
			printf("%s ok found %s\n", chan, secret);
			return;
		}
		if ((size_t)n <= slen)
			break;
		off += n - slen;
	}
	printf("%s ok no secret\n", chan);
}

/* PTRACE_ATTACH, or SEIZE and INTERRUPT: either stops @pid's main thread. */
static int trace_start(const char *chan, pid_t pid)
{
	if (!strcmp(chan, "attach"))
		return ptrace(PTRACE_ATTACH, pid, 0, 0);
	if (ptrace(PTRACE_SEIZE, pid, 0, 0))
		return -1;
	return ptrace(PTRACE_INTERRUPT, pid, 0, 0);
}

/*
 * Trace @pid (attached or seized), read the secret with PEEKDATA where
 * another channel found it (or the first words at @addr), let it go.
 * PTRACE_ATTACH stops the whole process: SIGCONT ends that.
 */
static void trace(const char *chan, pid_t pid, unsigned long addr,
		  const char *secret)
{
	size_t slen = strlen(secret), i;
	char seen[256] = "";
	int st, err = 0;
	long w;

	if (trace_start(chan, pid)) {
		say_errno(chan, errno);
		return;
	}
	if (waitpid(pid, &st, __WALL) != pid) {
		say_errno(chan, errno);
		return;
	}
	if (found >= 0)
		addr += found;
	for (i = 0; i < slen && i < sizeof(seen) - sizeof(w); i += sizeof(w)) {
		errno = 0;
		w = ptrace(PTRACE_PEEKDATA, pid, addr + i, 0);
		if (errno) {
			err = errno;
			break;
		}
		memcpy(seen + i, &w, sizeof(w));
	}
	ptrace(PTRACE_DETACH, pid, 0, 0);
	kill(pid, SIGCONT);
	if (err)
		say_errno(chan, err);
	else if (found >= 0 && !memcmp(seen, secret, slen))
		printf("%s ok found %s\n", chan, secret);
	else
		printf("%s ok no secret\n", chan);
}

static void try(pid_t pid, unsigned long addr, unsigned long len, int fd,
		const char *secret)
{
	struct source s = { .pid = pid, .base = addr, .read = read_vm };
	char path[64];
	int pidfd;

	search("readv", &s, len, secret);

	snprintf(path, sizeof(path), "/proc/%d/mem", pid);
	s.fd = open(path, O_RDONLY | O_CLOEXEC);
	s.read = read_fd;
	if (s.fd < 0) {
		say_errno("mem", errno);
	} else {
		search("mem", &s, len, secret);
		close(s.fd);
	}

	trace("attach", pid, addr, secret);
	trace("seize", pid, addr, secret);

	/* The fds: their contents from offset 0. */
	s.base = 0;
	pidfd = syscall(SYS_pidfd_open, pid, 0);
	s.fd = pidfd < 0 ? -1 : syscall(SYS_pidfd_getfd, pidfd, fd, 0);
	if (s.fd < 0) {
		say_errno("getfd", errno);
	} else {
		search("getfd", &s, len, secret);
		close(s.fd);
	}
	if (pidfd >= 0)
		close(pidfd);

	snprintf(path, sizeof(path), "/proc/%d/fd/%d", pid, fd);
	s.fd = open(path, O_RDWR | O_CLOEXEC);
	if (s.fd < 0) {
		say_errno("reopen", errno);
	} else {
		search("reopen", &s, len, secret);
		close(s.fd);
	}
}

static int xattr(const char *name, const char *file)
{
	char val[256];
	ssize_t n = getxattr(file, name, val, sizeof(val) - 1);

	if (n < 0) {
		say_errno(name, errno);
		return 1;
	}
	val[n] = '\0';
	printf("%s\n", val);
	return 0;
}

int main(int argc, char **argv)
{
	unsigned long uid = 0, pid, addr, len, fd;
	int as = 0;

	if (argc >= 3 && !strcmp(argv[1], "-u")) {
		if (number(argv[2], &uid))
			return usage();
		as = 1;
		argv += 2;
		argc -= 2;
	}
	if (argc >= 3 && !strcmp(argv[1], "exec")) {
		if (as && become(uid))
			return 1;
		execvp(argv[2], argv + 2);
		fprintf(stderr, "shype-reach: %s: %s\n", argv[2],
			strerror(errno));
		return 1;
	}
	if (argc == 7 && !strcmp(argv[1], "try")) {
		if (number(argv[2], &pid) || number(argv[3], &addr) ||
		    number(argv[4], &len) || number(argv[5], &fd) || !*argv[6])
			return usage();
		if (as && become(uid))
			return 1;
		setvbuf(stdout, NULL, _IOLBF, 0);
		try(pid, addr, len, fd, argv[6]);
		return 0;
	}
	if (argc == 4 && !as && !strcmp(argv[1], "xattr"))
		return xattr(argv[2], argv[3]);
	return usage();
}
