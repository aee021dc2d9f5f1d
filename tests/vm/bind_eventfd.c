// SPDX-License-Identifier: GPL-2.0
/*
 * bind_eventfd - Simple Type Enforcement when a VM binds an eventfd with
 * KVM_IRQFD or KVM_IOEVENTFD: a VM may bind an eventfd only if its label
 * shares an STE type with every VM already bound to it.
 *
 * The test process makes the eventfds and starts VMMs: child processes
 * that each enter a labelled cgroup, create a VM with an in-kernel irqchip
 * and then bind on command.  A command travels over a socketpair with the
 * eventfd(s) attached (SCM_RIGHTS), so a VMM holds no other descriptor;
 * the VMM replies with the ioctl's result, 0 or -errno.  Closing the
 * socket ends the VMM and so destroys its VM.
 *
 * The policy is Figure 2's without a conflict set, so that VMs of every
 * label run side by side: order (Order), advertising (Advertising),
 * vdisk_server (Order, Advertising).
 */
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <sys/socket.h>

#include "harness.h"
#include "shype_util.h"

/* --- VMMs that bind on command --- */

/**
 * struct vmm - a VMM child holding one VM
 * @pid: the child
 * @sock: our end of the command socket; closing it ends the child
 * @err: 0 if its VM and irqchip were created, else -errno
 * @tok: "ID(LABEL)", how shype's files name the VM
 */
struct vmm {
	pid_t pid;
	int sock;
	int err;
	char tok[96];
};

/* A command: one KVM_IRQFD or KVM_IOEVENTFD; the fds come as SCM_RIGHTS. */
struct cmd {
	int irq;
	struct kvm_irqfd irqfd;
	struct kvm_ioeventfd io;
};

/* Send @len bytes of @data with the descriptors @fds[0..@nfds). */
static int send_fds(int sock, const void *data, size_t len, const int *fds,
		    int nfds)
{
	union {
		char buf[CMSG_SPACE(2 * sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { .iov_base = (void *)data, .iov_len = len };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *cm;

	if (nfds) {
		memset(&u, 0, sizeof(u));
		msg.msg_control = u.buf;
		msg.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
		cm = CMSG_FIRSTHDR(&msg);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(nfds * sizeof(int));
		memcpy(CMSG_DATA(cm), fds, nfds * sizeof(int));
	}
	return sendmsg(sock, &msg, MSG_NOSIGNAL) == (ssize_t)len ? 0 : -EPIPE;
}

/* The VMM's loop: run commands until the socket closes. */
static void __attribute__((noreturn)) vmm_serve(int sock, int vm)
{
	union {
		char buf[CMSG_SPACE(2 * sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov;
	struct msghdr msg;
	struct cmsghdr *cm;
	struct cmd c;
	int fds[2], nfds, res, i;

	for (;;) {
		iov = (struct iovec){ .iov_base = &c, .iov_len = sizeof(c) };
		msg = (struct msghdr){ .msg_iov = &iov,
				       .msg_iovlen = 1,
				       .msg_control = u.buf,
				       .msg_controllen = sizeof(u.buf) };
		if (recvmsg(sock, &msg, MSG_CMSG_CLOEXEC) != sizeof(c))
			_exit(0);
		fds[0] = fds[1] = -1;
		nfds = 0;
		cm = CMSG_FIRSTHDR(&msg);
		if (cm && cm->cmsg_level == SOL_SOCKET &&
		    cm->cmsg_type == SCM_RIGHTS) {
			nfds = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			if (nfds > 2)
				_exit(3);
			memcpy(fds, CMSG_DATA(cm), nfds * sizeof(int));
		}
		if (c.irq) {
			c.irqfd.fd = fds[0];
			if (c.irqfd.flags & KVM_IRQFD_FLAG_RESAMPLE)
				c.irqfd.resamplefd = fds[1];
			res = ioctl(vm, KVM_IRQFD, &c.irqfd);
		} else {
			c.io.fd = fds[0];
			res = ioctl(vm, KVM_IOEVENTFD, &c.io);
		}
		if (res < 0)
			res = -errno;
		for (i = 0; i < nfds; i++)
			close(fds[i]);
		if (send(sock, &res, sizeof(res), MSG_NOSIGNAL) != sizeof(res))
			_exit(4);
	}
}

/* shype's name "ID(LABEL)" of the VM of process @pid, from the vms file. */
static int vm_token(pid_t pid, char *tok, size_t size)
{
	static char buf[1 << 16];
	char *line, *save, *l, want[32];

	if (read_file(SFS "/vms", buf, sizeof(buf)) < 0)
		return -ENOENT;
	snprintf(want, sizeof(want), " pid=%d ", pid);
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "vm=", 3) || !strstr(line, want))
			continue;
		l = strstr(line, " label=");
		if (!l)
			return -EINVAL;
		l += strlen(" label=");
		snprintf(tok, size, "%lld(%.*s)", atoll(line + 3),
			 (int)strcspn(l, " "), l);
		return 0;
	}
	return -ENOENT;
}

/*
 * Start a VMM in cgroup /@cg: a VM with an in-kernel irqchip, its result in
 * @v->err.  @label is the label the VM must carry.
 */
static int vmm_start(struct vmm *v, const char *cg, const char *label)
{
	char want[80];
	int sp[2], err, vm, fd;

	memset(v, 0, sizeof(*v));
	v->sock = -1;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp))
		return -errno;
	fflush(stdout);
	v->pid = fork();
	if (v->pid < 0)
		return -errno;
	if (v->pid == 0) {
		/* Die with the test; hold no other VMM's socket or eventfd. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		for (fd = 3; fd < 1024; fd++)
			if (fd != sp[1])
				close(fd);
		err = cg_enter(cg);
		vm = err ? err : vm_create_here();
		if (vm >= 0 && ioctl(vm, KVM_CREATE_IRQCHIP, 0)) {
			vm = -errno;
			printf("# vmm in /%s: KVM_CREATE_IRQCHIP: %s\n", cg,
			       strerror(errno));
		}
		err = vm < 0 ? vm : 0;
		if (send(sp[1], &err, sizeof(err), MSG_NOSIGNAL) !=
			    sizeof(err) ||
		    err)
			_exit(1);
		vmm_serve(sp[1], vm);
	}
	close(sp[1]);
	v->sock = sp[0];
	if (recv(v->sock, &v->err, sizeof(v->err), 0) != sizeof(v->err))
		v->err = -EPIPE;
	if (v->err) {
		printf("# vmm in /%s: VM creation: %s\n", cg,
		       strerror(-v->err));
		return 0;
	}
	err = vm_token(v->pid, v->tok, sizeof(v->tok));
	if (err) {
		printf("# vmm in /%s: no line for pid %d in vms\n", cg, v->pid);
		v->err = err;
		return 0;
	}
	snprintf(want, sizeof(want), "(%s)", label);
	if (!strstr(v->tok, want)) {
		printf("# vmm in /%s: VM %s, not labelled %s\n", cg, v->tok,
		       label);
		v->err = -EINVAL;
	}
	return 0;
}

/* Stop a VMM; its VM is destroyed by the time this returns. */
static void vmm_stop(struct vmm *v)
{
	if (v->pid <= 0)
		return;
	close(v->sock);
	waitpid(v->pid, NULL, 0);
	v->pid = 0;
}

/* --- What to bind: an irqfd or an ioeventfd on some bus --- */

/**
 * struct bind - one way to bind an eventfd
 * @irq: KVM_IRQFD (on @gsi) rather than KVM_IOEVENTFD
 * @gsi: the irqfd's GSI
 * @flags: the ioeventfd's KVM_IOEVENTFD_FLAG_* (no DEASSIGN)
 * @addr: the ioeventfd's port or MMIO address
 * @len: the ioeventfd's access length
 * @datamatch: the ioeventfd's value with KVM_IOEVENTFD_FLAG_DATAMATCH
 */
struct bind {
	int irq;
	__u32 gsi;
	__u32 flags;
	__u64 addr;
	__u32 len;
	__u64 datamatch;
};

static const struct bind irqfd = { .irq = 1, .gsi = 5 };
static const struct bind pio = {
	.flags = KVM_IOEVENTFD_FLAG_PIO,
	.addr = 0x10,
	.len = 2,
};
static const struct bind pio_datamatch = {
	.flags = KVM_IOEVENTFD_FLAG_PIO | KVM_IOEVENTFD_FLAG_DATAMATCH,
	.addr = 0x12,
	.len = 4,
	.datamatch = 0x42,
};
static const struct bind mmio = { .addr = 0xfe000000, .len = 4 };
static const struct bind mmio_datamatch = {
	.flags = KVM_IOEVENTFD_FLAG_DATAMATCH,
	.addr = 0xfe001000,
	.len = 8,
	.datamatch = 0x1122334455667788ULL,
};
/* len 0: any write to the address, through KVM's fast MMIO bus too. */
static const struct bind mmio_len0 = { .addr = 0xfe002000, .len = 0 };

/* Have @v run the command @c with @fd (and @resamplefd if >= 0). */
static int vmm_cmd(struct vmm *v, struct cmd *c, int fd, int resamplefd)
{
	int fds[2] = { fd, resamplefd }, res;

	if (v->pid <= 0 || v->err)
		return -ESRCH;
	if (send_fds(v->sock, c, sizeof(*c), fds, resamplefd >= 0 ? 2 : 1))
		return -EPIPE;
	if (recv(v->sock, &res, sizeof(res), 0) != sizeof(res))
		return -EPIPE;
	return res;
}

/* Bind (or, with @deassign, unbind) @efd in @v's VM as @b says. */
static int vmm_bind(struct vmm *v, const struct bind *b, int efd, int deassign)
{
	struct cmd c = { .irq = b->irq };

	if (b->irq) {
		c.irqfd.gsi = b->gsi;
		c.irqfd.flags = deassign ? KVM_IRQFD_FLAG_DEASSIGN : 0;
	} else {
		c.io.addr = b->addr;
		c.io.len = b->len;
		c.io.datamatch = b->datamatch;
		c.io.flags = b->flags |
			     (deassign ? KVM_IOEVENTFD_FLAG_DEASSIGN : 0);
	}
	return vmm_cmd(v, &c, efd, -1);
}

/* An irqfd on @gsi with KVM_IRQFD_FLAG_RESAMPLE and @resamplefd. */
static int vmm_irqfd_resample(struct vmm *v, int efd, __u32 gsi, int resamplefd)
{
	struct cmd c = {
		.irq = 1,
		.irqfd = { .gsi = gsi, .flags = KVM_IRQFD_FLAG_RESAMPLE },
	};

	return vmm_cmd(v, &c, efd, resamplefd);
}

static const char *op_of(const struct bind *b)
{
	return b->irq ? "irqfd" : "ioeventfd";
}

/* --- shype's files --- */

static void dump(const char *file)
{
	static char buf[1 << 16];
	char *line, *save;

	if (read_file(file, buf, sizeof(buf)) < 0) {
		printf("# %s: cannot read\n", file);
		return;
	}
	printf("# %s:\n", file);
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		printf("#   %s\n", line);
}

/* Does the comma separated @list hold @tok as one of its items? */
static int list_has(const char *list, size_t len, const char *tok)
{
	size_t n = strlen(tok), i = 0, k;

	while (i < len) {
		k = strcspn(list + i, ",");
		if (k > len - i)
			k = len - i;
		if (k == n && !strncmp(list + i, tok, n))
			return 1;
		i += k + 1;
	}
	return 0;
}

/*
 * Walk the eventfd objects in the bindings file: count those whose vms=
 * list holds @tok; if @want (a NULL-ended array) is given, count those
 * whose vms= list is exactly the set @want instead.
 */
static int count_objects(const char *tok, const char *const *want)
{
	static char buf[1 << 16];
	char *line, *save, *vms;
	int n = 0, same, i;
	size_t len;

	if (read_file(SFS "/bindings", buf, sizeof(buf)) < 0)
		return -1;
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (!strstr(line, " class=eventfd") ||
		    strncmp(line, "object=", 7))
			continue;
		vms = strstr(line, " vms=");
		if (!vms)
			continue;
		vms += strlen(" vms=");
		len = strcspn(vms, " ");
		if (!want) {
			n += list_has(vms, len, tok);
			continue;
		}
		/* Every wanted VM is listed and every listed VM wanted. */
		same = 1;
		for (i = 0; want[i]; i++)
			same &= list_has(vms, len, want[i]);
		for (size_t at = 0, k; at < len && same; at += k + 1) {
			k = strcspn(vms + at, ",");
			if (k > len - at)
				k = len - at;
			for (i = 0; want[i]; i++)
				if (strlen(want[i]) == k &&
				    !strncmp(vms + at, want[i], k))
					break;
			same &= !!want[i];
		}
		if (!same)
			continue;
		/* A small number, never a kernel address. */
		if (atoll(line + 7) < 0 || atoll(line + 7) >= 1 << 20) {
			printf("# object number is not small: %s\n", line);
			continue;
		}
		n++;
	}
	return n;
}

/* How many eventfd objects list the VM @v. */
static int objects_of(const struct vmm *v)
{
	return count_objects(v->tok, NULL);
}

/* Is there exactly one eventfd object bound by exactly these VMs? */
static int bound_by(const struct vmm *a, ...)
{
	const char *want[8] = { a->tok };
	const struct vmm *v;
	va_list ap;
	int i = 1, n;

	va_start(ap, a);
	while (i < 7 && (v = va_arg(ap, const struct vmm *)))
		want[i++] = v->tok;
	va_end(ap);
	want[i] = NULL;
	n = count_objects(NULL, want);
	if (n != 1) {
		printf("# want one eventfd object bound by %s", want[0]);
		for (i = 1; want[i]; i++)
			printf(", %s", want[i]);
		printf("; found %d\n", n);
		dump(SFS "/bindings");
	}
	return n == 1;
}

/*
 * Count the audit lines after @seq that hold every one of the NULL-ended
 * words; print the new lines if that is not @want.
 */
static int audit_match(long long seq, int want, ...)
{
	static char buf[1 << 20];
	char *line, *save;
	const char *w;
	va_list ap;
	int found = 0, all;

	if (read_file(SFS "/audit", buf, sizeof(buf)) < 0)
		return -1;
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "seq=", 4) || atoll(line + 4) <= seq)
			continue;
		all = 1;
		va_start(ap, want);
		while ((w = va_arg(ap, const char *)))
			if (!strstr(line, w))
				all = 0;
		va_end(ap);
		if (!all)
			continue;
		found++;
	}
	if (found != want) {
		printf("# want %d audit lines after seq=%lld with:", want, seq);
		va_start(ap, want);
		while ((w = va_arg(ap, const char *)))
			printf(" '%s'", w);
		va_end(ap);
		printf("; found %d. New lines:\n", found);
		read_file(SFS "/audit", buf, sizeof(buf));
		for (line = strtok_r(buf, "\n", &save); line;
		     line = strtok_r(NULL, "\n", &save))
			if (atoll(line + 4) > seq)
				printf("#   %s\n", line);
	}
	return found;
}

/* The number of the newest audit line, read before a test acts. */
static long long audit_seq(void)
{
	return audit_last();
}

/* Expect one audit line of @result for @v binding against @peer. */
static int audit_one(long long seq, const struct bind *b, const char *result,
		     const struct vmm *v, const struct vmm *peer)
{
	char what[64], vm[128], pr[128];

	snprintf(what, sizeof(what), "op=%s result=%s", op_of(b), result);
	snprintf(vm, sizeof(vm), " vm=%s ", v->tok);
	snprintf(pr, sizeof(pr), " peer=%s", peer->tok);
	return audit_match(seq, 1, what, vm, " reason=ste", pr,
			   " class=eventfd", NULL);
}

/* No audit line at all for @b's operation since @seq. */
static int audit_none(long long seq, const struct bind *b)
{
	char what[64];

	snprintf(what, sizeof(what), " op=%s ", op_of(b));
	return audit_match(seq, 0, what, NULL);
}

/* --- Set-up --- */

/*
 * A fresh policy (Figure 2 without its conflict set, under a name of its
 * own), enforcing, and the cgroups the tests start VMMs in.
 */
static void setup(void)
{
	char name[64], why[1024];
	int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC), err;

	if (kvm < 0 && errno == ENOENT)
		SKIP("no /dev/kvm");
	close(kvm);
	ASSERT_EQ(write_file(SFS "/mode", "enforce"), 0);
	snprintf(name, sizeof(name), "bind-eventfd-%d", getpid());
	err = load_fig2(name, "1.0", "", "deny", why, sizeof(why));
	if (err)
		TH_LOG("policy load: %s", why);
	ASSERT_EQ(err, 0);
	ASSERT_EQ(cg_label("be_order", "order"), 0);
	ASSERT_EQ(cg_label("be_order2", "order"), 0);
	ASSERT_EQ(cg_label("be_ads", "advertising"), 0);
	ASSERT_EQ(cg_label("be_vdisk", "vdisk_server"), 0);
}

static int new_eventfd(void)
{
	int fd = eventfd(0, EFD_CLOEXEC);

	ASSERT_GE(fd, 0);
	return fd;
}

#define START(v, cg, label)                                   \
	do {                                                  \
		ASSERT_EQ(vmm_start(&(v), (cg), (label)), 0); \
		ASSERT_EQ((v).err, 0);                        \
	} while (0)

/* --- The behaviours, for each way of binding --- */

static void allowed_within_coalition(const struct bind *b)
{
	struct vmm order, order2;
	long long seq;
	int efd;

	setup();
	efd = new_eventfd();
	START(order, "be_order", "order");
	START(order2, "be_order2", "order");
	seq = audit_seq();
	EXPECT_EQ(vmm_bind(&order, b, efd, 0), 0);
	EXPECT_EQ(vmm_bind(&order2, b, efd, 0), 0);
	EXPECT_TRUE(bound_by(&order, &order2, NULL));
	EXPECT_EQ(audit_none(seq, b), 0);
	vmm_stop(&order2);
	vmm_stop(&order);
	close(efd);
}

static void denied_across_coalitions(const struct bind *b)
{
	struct vmm order, ads;
	int efd, other;
	long long seq;

	setup();
	efd = new_eventfd();
	other = new_eventfd();
	START(order, "be_order", "order");
	START(ads, "be_ads", "advertising");
	seq = audit_seq();
	EXPECT_EQ(vmm_bind(&order, b, efd, 0), 0);
	EXPECT_EQ(vmm_bind(&ads, b, efd, 0), -EACCES);
	EXPECT_EQ(audit_one(seq, b, "denied", &ads, &order), 1);
	EXPECT_TRUE(bound_by(&order, NULL));
	EXPECT_EQ(objects_of(&ads), 0);
	/* KVM bound nothing either. */
	if (!b->irq)
		EXPECT_EQ(vmm_bind(&ads, b, efd, 1), -ENOENT);
	/* The refused VM may bind another eventfd. */
	EXPECT_EQ(vmm_bind(&ads, b, other, 0), 0);
	EXPECT_TRUE(bound_by(&ads, NULL));
	EXPECT_TRUE(bound_by(&order, NULL));
	vmm_stop(&ads);
	vmm_stop(&order);
	close(other);
	close(efd);
}

static void allowed_to_vdisk_server(const struct bind *b)
{
	struct vmm order, vdisk, ads;
	long long seq;
	int efd;

	setup();
	efd = new_eventfd();
	START(order, "be_order", "order");
	START(vdisk, "be_vdisk", "vdisk_server");
	START(ads, "be_ads", "advertising");
	seq = audit_seq();
	EXPECT_EQ(vmm_bind(&order, b, efd, 0), 0);
	EXPECT_EQ(vmm_bind(&vdisk, b, efd, 0), 0);
	EXPECT_TRUE(bound_by(&order, &vdisk, NULL));
	/* Advertising shares a type with the vDisk server, not with order. */
	EXPECT_EQ(vmm_bind(&ads, b, efd, 0), -EACCES);
	EXPECT_EQ(audit_one(seq, b, "denied", &ads, &order), 1);
	EXPECT_TRUE(bound_by(&order, &vdisk, NULL));
	EXPECT_EQ(objects_of(&ads), 0);
	vmm_stop(&ads);
	vmm_stop(&vdisk);
	vmm_stop(&order);
	close(efd);
}

static void released_on_deassign(const struct bind *b)
{
	struct vmm order, ads;
	int efd;

	setup();
	efd = new_eventfd();
	START(order, "be_order", "order");
	START(ads, "be_ads", "advertising");
	EXPECT_EQ(vmm_bind(&order, b, efd, 0), 0);
	EXPECT_TRUE(bound_by(&order, NULL));
	EXPECT_EQ(vmm_bind(&order, b, efd, 1), 0);
	EXPECT_EQ(objects_of(&order), 0);
	EXPECT_EQ(vmm_bind(&ads, b, efd, 0), 0);
	EXPECT_TRUE(bound_by(&ads, NULL));
	/* Now the eventfd is Advertising's: order is refused. */
	EXPECT_EQ(vmm_bind(&order, b, efd, 0), -EACCES);
	EXPECT_EQ(objects_of(&order), 0);
	vmm_stop(&ads);
	vmm_stop(&order);
	close(efd);
}

static void released_on_vm_destroy(const struct bind *b)
{
	struct vmm order, ads;
	char tok[sizeof(order.tok)];
	const char *gone[] = { tok, NULL };
	int efd;

	setup();
	efd = new_eventfd();
	START(order, "be_order", "order");
	START(ads, "be_ads", "advertising");
	EXPECT_EQ(vmm_bind(&order, b, efd, 0), 0);
	EXPECT_EQ(vmm_bind(&ads, b, efd, 0), -EACCES);
	strcpy(tok, order.tok);
	vmm_stop(&order);
	EXPECT_EQ(count_objects(tok, NULL), 0);
	EXPECT_EQ(count_objects(NULL, gone), 0);
	EXPECT_EQ(vmm_bind(&ads, b, efd, 0), 0);
	EXPECT_TRUE(bound_by(&ads, NULL));
	strcpy(tok, ads.tok);
	vmm_stop(&ads);
	EXPECT_EQ(count_objects(tok, NULL), 0);
	close(efd);
}

static void permissive_mode_logs_and_allows(const struct bind *b)
{
	struct vmm order, ads;
	long long seq;
	int efd;

	setup();
	efd = new_eventfd();
	START(order, "be_order", "order");
	START(ads, "be_ads", "advertising");
	seq = audit_seq();
	ASSERT_EQ(write_file(SFS "/mode", "permissive"), 0);
	EXPECT_EQ(vmm_bind(&order, b, efd, 0), 0);
	EXPECT_EQ(vmm_bind(&ads, b, efd, 0), 0);
	EXPECT_EQ(audit_one(seq, b, "permitted", &ads, &order), 1);
	EXPECT_EQ(audit_match(seq, 0, "result=denied", NULL), 0);
	EXPECT_TRUE(bound_by(&order, &ads, NULL));
	/* No binding that breaks the policy may outlive the test. */
	vmm_stop(&ads);
	vmm_stop(&order);
	close(efd);
	ASSERT_EQ(write_file(SFS "/mode", "enforce"), 0);
}

/*
 * A VM admitted in permissive mode without a label of the policy (here an
 * unlabelled one under "unlabeled": "deny") holds no label index.  Its
 * binds are recorded all the same, so the next VM that binds the same
 * eventfd is judged against it: refused, since it shares no type, and
 * never by reading the policy's rows at an index past its labels.
 */
static void unlabelled_peer_denied_after_permissive(const struct bind *b,
						    const struct bind *other)
{
	struct vmm unl, order;
	long long seq;
	int efd, err;

	setup();
	err = cg_label("be_unlabelled", NULL); /* -ENOENT: never labelled */
	ASSERT_TRUE(err == 0 || err == -ENOENT);
	efd = new_eventfd();
	ASSERT_EQ(write_file(SFS "/mode", "permissive"), 0);
	START(unl, "be_unlabelled", "-");
	EXPECT_EQ(vmm_bind(&unl, b, efd, 0), 0);
	ASSERT_EQ(write_file(SFS "/mode", "enforce"), 0);
	START(order, "be_order", "order");
	seq = audit_seq();
	EXPECT_EQ(vmm_bind(&order, other, efd, 0), -EACCES);
	EXPECT_EQ(audit_one(seq, other, "denied", &order, &unl), 1);
	EXPECT_EQ(objects_of(&order), 0);
	vmm_stop(&order);
	vmm_stop(&unl);
	close(efd);
}

TEST(ioeventfd_denied_beside_irqfd_of_vm_admitted_unlabelled_in_permissive)
{
	unlabelled_peer_denied_after_permissive(&irqfd, &pio);
}

TEST(irqfd_denied_beside_ioeventfd_of_vm_admitted_unlabelled_in_permissive)
{
	unlabelled_peer_denied_after_permissive(&mmio, &irqfd);
}

/* --- irqfd --- */

TEST(irqfd_allowed_within_coalition)
{
	allowed_within_coalition(&irqfd);
}

TEST(irqfd_denied_across_coalitions)
{
	denied_across_coalitions(&irqfd);
}

TEST(irqfd_allowed_to_vdisk_server_with_both_types)
{
	allowed_to_vdisk_server(&irqfd);
}

TEST(irqfd_released_on_deassign_frees_object_for_other_coalition)
{
	released_on_deassign(&irqfd);
}

TEST(irqfd_released_on_vm_destroy)
{
	released_on_vm_destroy(&irqfd);
}

TEST(irqfd_permissive_mode_logs_and_allows)
{
	permissive_mode_logs_and_allows(&irqfd);
}

/*
 * A resamplefd is an eventfd bound too: one an order VM holds, as its own
 * resamplefd or as a plain irqfd, is refused to advertising as resamplefd.
 */
TEST(irqfd_resamplefd_checked)
{
	struct vmm order, ads;
	int e1, r1, e2, r2, e3;
	long long seq;

	setup();
	e1 = new_eventfd();
	r1 = new_eventfd();
	e2 = new_eventfd();
	r2 = new_eventfd();
	e3 = new_eventfd();
	START(order, "be_order", "order");
	START(ads, "be_ads", "advertising");
	seq = audit_seq();
	EXPECT_EQ(vmm_irqfd_resample(&order, e1, 5, r1), 0);
	EXPECT_EQ(objects_of(&order), 2);
	EXPECT_EQ(vmm_irqfd_resample(&ads, e2, 6, r1), -EACCES);
	EXPECT_EQ(audit_one(seq, &irqfd, "denied", &ads, &order), 1);
	EXPECT_EQ(objects_of(&ads), 0);

	seq = audit_seq();
	EXPECT_EQ(vmm_bind(&order, &(struct bind){ .irq = 1, .gsi = 7 }, r2, 0),
		  0);
	EXPECT_EQ(vmm_irqfd_resample(&ads, e3, 8, r2), -EACCES);
	EXPECT_EQ(audit_one(seq, &irqfd, "denied", &ads, &order), 1);
	EXPECT_EQ(objects_of(&ads), 0);

	/* The irqfd's own eventfd was left free. */
	EXPECT_EQ(vmm_bind(&ads, &(struct bind){ .irq = 1, .gsi = 6 }, e2, 0),
		  0);
	EXPECT_TRUE(bound_by(&ads, NULL));
	vmm_stop(&ads);
	vmm_stop(&order);
	close(e3);
	close(r2);
	close(e2);
	close(r1);
	close(e1);
}

/*
 * KVM deassigns an irqfd only where both its eventfd and its GSI match, and
 * says 0 whether or not one did: a deassign that names another GSI leaves
 * the eventfd bound, for KVM and for shype.
 */
TEST(irqfd_deassign_of_other_gsi_keeps_binding)
{
	const struct bind gsi6 = { .irq = 1, .gsi = 6 };
	struct vmm order, order2, ads;
	long long seq;
	int efd;

	setup();
	efd = new_eventfd();
	START(order, "be_order", "order");
	START(order2, "be_order2", "order");
	START(ads, "be_ads", "advertising");
	EXPECT_EQ(vmm_bind(&order, &irqfd, efd, 0), 0);
	EXPECT_EQ(vmm_bind(&order, &gsi6, efd, 1), 0);
	/* KVM still holds it on GSI 5. */
	EXPECT_EQ(vmm_bind(&order, &irqfd, efd, 0), -EBUSY);
	EXPECT_TRUE(bound_by(&order, NULL));
	seq = audit_seq();
	EXPECT_EQ(vmm_bind(&ads, &pio, efd, 0), -EACCES);
	EXPECT_EQ(audit_one(seq, &pio, "denied", &ads, &order), 1);
	EXPECT_EQ(objects_of(&ads), 0);
	/* The control: the same coalition may share it. */
	EXPECT_EQ(vmm_bind(&order2, &pio, efd, 0), 0);
	EXPECT_TRUE(bound_by(&order, &order2, NULL));
	/* The deassign of its own GSI releases it. */
	EXPECT_EQ(vmm_bind(&order, &irqfd, efd, 1), 0);
	EXPECT_EQ(objects_of(&order), 0);
	EXPECT_EQ(vmm_bind(&order2, &pio, efd, 1), 0);
	EXPECT_EQ(vmm_bind(&ads, &pio, efd, 0), 0);
	vmm_stop(&ads);
	vmm_stop(&order2);
	vmm_stop(&order);
	close(efd);
}

/*
 * A VM's irqfd (with its resamplefd) and ioeventfd on one eventfd: the
 * ioeventfd's deassign releases the ioeventfd's binding only, never the
 * irqfd's resamplefd, which KVM still holds.
 */
TEST(ioeventfd_deassign_keeps_irqfd_of_same_eventfd)
{
	const struct bind gsi7 = { .irq = 1, .gsi = 7 };
	struct vmm order, order2, ads;
	int efd, rfd;

	setup();
	efd = new_eventfd();
	rfd = new_eventfd();
	START(order, "be_order", "order");
	START(order2, "be_order2", "order");
	START(ads, "be_ads", "advertising");
	EXPECT_EQ(vmm_irqfd_resample(&order, efd, 5, rfd), 0);
	EXPECT_EQ(vmm_bind(&order, &pio, efd, 0), 0);
	EXPECT_EQ(vmm_bind(&order, &pio, efd, 1), 0);
	EXPECT_EQ(objects_of(&order), 2);
	EXPECT_EQ(vmm_bind(&ads, &gsi7, rfd, 0), -EACCES);
	EXPECT_EQ(vmm_bind(&ads, &pio, efd, 0), -EACCES);
	EXPECT_EQ(objects_of(&ads), 0);
	/* The control: the same coalition may share them. */
	EXPECT_EQ(vmm_bind(&order2, &gsi7, rfd, 0), 0);
	EXPECT_EQ(vmm_bind(&order2, &gsi7, rfd, 1), 0);
	/* The irqfd's deassign releases both. */
	EXPECT_EQ(vmm_bind(&order, &irqfd, efd, 1), 0);
	EXPECT_EQ(objects_of(&order), 0);
	EXPECT_EQ(vmm_bind(&ads, &gsi7, rfd, 0), 0);
	vmm_stop(&ads);
	vmm_stop(&order2);
	vmm_stop(&order);
	close(rfd);
	close(efd);
}

/* --- ioeventfd on the PIO bus --- */

TEST(ioeventfd_pio_allowed_within_coalition)
{
	allowed_within_coalition(&pio);
}

TEST(ioeventfd_pio_denied_across_coalitions)
{
	denied_across_coalitions(&pio);
}

TEST(ioeventfd_pio_allowed_to_vdisk_server_with_both_types)
{
	allowed_to_vdisk_server(&pio);
}

TEST(ioeventfd_pio_released_on_deassign_frees_object_for_other_coalition)
{
	released_on_deassign(&pio);
}

TEST(ioeventfd_pio_released_on_vm_destroy)
{
	released_on_vm_destroy(&pio);
}

TEST(ioeventfd_pio_permissive_mode_logs_and_allows)
{
	permissive_mode_logs_and_allows(&pio);
}

/* --- ioeventfd on the PIO bus with DATAMATCH --- */

TEST(ioeventfd_pio_datamatch_allowed_within_coalition)
{
	allowed_within_coalition(&pio_datamatch);
}

TEST(ioeventfd_pio_datamatch_denied_across_coalitions)
{
	denied_across_coalitions(&pio_datamatch);
}

TEST(ioeventfd_pio_datamatch_allowed_to_vdisk_server_with_both_types)
{
	allowed_to_vdisk_server(&pio_datamatch);
}

TEST(ioeventfd_pio_datamatch_released_on_deassign_frees_object_for_other_coalition)
{
	released_on_deassign(&pio_datamatch);
}

TEST(ioeventfd_pio_datamatch_released_on_vm_destroy)
{
	released_on_vm_destroy(&pio_datamatch);
}

TEST(ioeventfd_pio_datamatch_permissive_mode_logs_and_allows)
{
	permissive_mode_logs_and_allows(&pio_datamatch);
}

/* --- ioeventfd on the MMIO bus --- */

TEST(ioeventfd_mmio_allowed_within_coalition)
{
	allowed_within_coalition(&mmio);
}

TEST(ioeventfd_mmio_denied_across_coalitions)
{
	denied_across_coalitions(&mmio);
}

TEST(ioeventfd_mmio_allowed_to_vdisk_server_with_both_types)
{
	allowed_to_vdisk_server(&mmio);
}

TEST(ioeventfd_mmio_released_on_deassign_frees_object_for_other_coalition)
{
	released_on_deassign(&mmio);
}

TEST(ioeventfd_mmio_released_on_vm_destroy)
{
	released_on_vm_destroy(&mmio);
}

TEST(ioeventfd_mmio_permissive_mode_logs_and_allows)
{
	permissive_mode_logs_and_allows(&mmio);
}

/* --- ioeventfd on the MMIO bus with DATAMATCH --- */

TEST(ioeventfd_mmio_datamatch_allowed_within_coalition)
{
	allowed_within_coalition(&mmio_datamatch);
}

TEST(ioeventfd_mmio_datamatch_denied_across_coalitions)
{
	denied_across_coalitions(&mmio_datamatch);
}

TEST(ioeventfd_mmio_datamatch_allowed_to_vdisk_server_with_both_types)
{
	allowed_to_vdisk_server(&mmio_datamatch);
}

TEST(ioeventfd_mmio_datamatch_released_on_deassign_frees_object_for_other_coalition)
{
	released_on_deassign(&mmio_datamatch);
}

TEST(ioeventfd_mmio_datamatch_released_on_vm_destroy)
{
	released_on_vm_destroy(&mmio_datamatch);
}

TEST(ioeventfd_mmio_datamatch_permissive_mode_logs_and_allows)
{
	permissive_mode_logs_and_allows(&mmio_datamatch);
}

/* --- ioeventfd on the MMIO bus with len 0 (KVM's fast MMIO bus too) --- */

TEST(ioeventfd_mmio_len0_allowed_within_coalition)
{
	allowed_within_coalition(&mmio_len0);
}

TEST(ioeventfd_mmio_len0_denied_across_coalitions)
{
	denied_across_coalitions(&mmio_len0);
}

TEST(ioeventfd_mmio_len0_allowed_to_vdisk_server_with_both_types)
{
	allowed_to_vdisk_server(&mmio_len0);
}

TEST(ioeventfd_mmio_len0_released_on_deassign_frees_object_for_other_coalition)
{
	released_on_deassign(&mmio_len0);
}

TEST(ioeventfd_mmio_len0_released_on_vm_destroy)
{
	released_on_vm_destroy(&mmio_len0);
}

TEST(ioeventfd_mmio_len0_permissive_mode_logs_and_allows)
{
	permissive_mode_logs_and_allows(&mmio_len0);
}

/* --- Both kinds --- */

TEST(stats_count_bind_decisions)
{
	long long before[2][3], after[2][3];
	static const char *const ops[] = { "op=irqfd ", "op=ioeventfd " };
	static const char *const keys[] = { "calls", "allowed", "denied" };
	const struct bind *binds[] = { &irqfd, &pio };
	struct vmm order, order2, ads;
	int efd[2], i, k;

	setup();
	for (i = 0; i < 2; i++)
		for (k = 0; k < 3; k++) {
			before[i][k] =
				file_value(SFS "/stats", ops[i], keys[k]);
			if (before[i][k] < 0)
				dump(SFS "/stats");
			ASSERT_GE(before[i][k], 0);
		}
	START(order, "be_order", "order");
	START(order2, "be_order2", "order");
	START(ads, "be_ads", "advertising");
	for (i = 0; i < 2; i++) {
		efd[i] = new_eventfd();
		EXPECT_EQ(vmm_bind(&order, binds[i], efd[i], 0), 0);
		EXPECT_EQ(vmm_bind(&order2, binds[i], efd[i], 0), 0);
		EXPECT_EQ(vmm_bind(&ads, binds[i], efd[i], 0), -EACCES);
	}
	for (i = 0; i < 2; i++)
		for (k = 0; k < 3; k++)
			after[i][k] = file_value(SFS "/stats", ops[i], keys[k]);
	vmm_stop(&ads);
	vmm_stop(&order2);
	vmm_stop(&order);
	for (i = 0; i < 2; i++) {
		EXPECT_EQ(after[i][0], before[i][0] + 3);
		EXPECT_EQ(after[i][1], before[i][1] + 2);
		EXPECT_EQ(after[i][2], before[i][2] + 1);
		close(efd[i]);
	}
}

/* One object, held while any of the VM's two bindings to it lasts. */
TEST(same_vm_binds_one_eventfd_twice)
{
	struct vmm order, ads;
	int efd;

	setup();
	efd = new_eventfd();
	START(order, "be_order", "order");
	START(ads, "be_ads", "advertising");
	EXPECT_EQ(vmm_bind(&order, &irqfd, efd, 0), 0);
	EXPECT_EQ(vmm_bind(&order, &pio, efd, 0), 0);
	EXPECT_EQ(objects_of(&order), 1);
	EXPECT_TRUE(bound_by(&order, NULL));
	EXPECT_EQ(vmm_bind(&ads, &mmio, efd, 0), -EACCES);

	EXPECT_EQ(vmm_bind(&order, &irqfd, efd, 1), 0);
	EXPECT_EQ(objects_of(&order), 1);
	EXPECT_TRUE(bound_by(&order, NULL));
	EXPECT_EQ(vmm_bind(&ads, &mmio, efd, 0), -EACCES);

	EXPECT_EQ(vmm_bind(&order, &pio, efd, 1), 0);
	EXPECT_EQ(objects_of(&order), 0);
	EXPECT_EQ(vmm_bind(&ads, &mmio, efd, 0), 0);
	EXPECT_TRUE(bound_by(&ads, NULL));
	vmm_stop(&ads);
	vmm_stop(&order);
	close(efd);
}

TEST_HARNESS_MAIN
