// SPDX-License-Identifier: GPL-2.0
/*
 * proc_channels - the channels between VMM processes that the kernel's
 * ptrace access check guards: ptrace attach and seize, process_vm_readv and
 * process_vm_writev, /proc/PID/mem, pidfd_getfd, kcmp, a reopen of
 * /proc/PID/fd/N, and PTRACE_TRACEME.
 *
 * Each process is a child that enters a cgroup, may create a VM whose guest
 * RAM is a memfd behind a memslot holding a secret, drops to one
 * unprivileged uid (as libvirt runs every QEMU as one user), and runs
 * commands sent over a socketpair: try one channel against another process
 * and say what it got.  Across coalitions every channel is refused; within
 * one, and for root in no labelled cgroup, it works.
 */
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <linux/kcmp.h>

#include "harness.h"
#include "shype_util.h"

#define VMM_UID	   1000
#define SECRET_MAX 48

enum op {
	OP_SECRET, /* the first bytes of my own guest RAM */
	OP_RESTORE, /* write @want there */
	OP_ATTACH, /* PTRACE_ATTACH, PEEKDATA the secret, detach */
	OP_SEIZE, /* PTRACE_SEIZE, INTERRUPT, PEEKDATA, detach */
	OP_READV, /* process_vm_readv */
	OP_WRITEV, /* process_vm_writev of @want */
	OP_MEM, /* open and pread /proc/PID/mem */
	OP_GETFD, /* pidfd_getfd of fd @fd, pread */
	OP_KCMP, /* kcmp(KCMP_VM) */
	OP_REOPEN, /* open /proc/PID/fd/@fd O_RDWR, pread */
	OP_STAT, /* read /proc/PID/stat (a NOAUDIT check) */
};

struct cmd {
	enum op op;
	pid_t pid;
	unsigned long addr;
	int fd;
	char want[SECRET_MAX];
};

struct reply {
	long res;
	char seen[SECRET_MAX];
};

/**
 * struct proc - a process in a cgroup, with or without a VM
 * @pid: it
 * @sock: commands
 * @addr: where its guest RAM (and secret) is mapped, in it
 * @memfd: the fd of its guest RAM, in it
 * @vmfd: the fd of its VM, in it
 * @secret: what its guest RAM starts with
 */
struct proc {
	pid_t pid;
	int sock;
	unsigned long addr;
	int memfd, vmfd;
	char secret[SECRET_MAX];
};

struct hello {
	int err;
	unsigned long addr;
	int memfd, vmfd;
};

static int peek(pid_t pid, unsigned long addr, char *seen)
{
	long w;
	int i;

	for (i = 0; i < SECRET_MAX; i += sizeof(long)) {
		errno = 0;
		w = ptrace(PTRACE_PEEKDATA, pid, addr + i, 0);
		if (errno)
			return -errno;
		memcpy(seen + i, &w, sizeof(w));
	}
	return 0;
}

/* Trace @pid (attached or seized), copy the secret, let it go. */
static long trace(const struct cmd *c, char *seen)
{
	int st, err;

	if (c->op == OP_ATTACH) {
		if (ptrace(PTRACE_ATTACH, c->pid, 0, 0))
			return -errno;
	} else {
		if (ptrace(PTRACE_SEIZE, c->pid, 0, 0))
			return -errno;
		if (ptrace(PTRACE_INTERRUPT, c->pid, 0, 0))
			return -errno;
	}
	if (waitpid(c->pid, &st, __WALL) != c->pid)
		return -ECHILD;
	err = peek(c->pid, c->addr, seen);
	ptrace(PTRACE_DETACH, c->pid, 0, 0);
	return err;
}

static long pread_fd(int fd, char *seen)
{
	ssize_t n = pread(fd, seen, SECRET_MAX, 0);

	close(fd);
	return n < 0 ? -errno : 0;
}

static long run(const struct cmd *c, unsigned long addr, char *seen)
{
	struct iovec local = { seen, SECRET_MAX },
		     remote = { (void *)c->addr, SECRET_MAX };
	char path[64];
	int fd, pidfd;

	switch (c->op) {
	case OP_SECRET:
		memcpy(seen, (void *)addr, SECRET_MAX);
		return 0;
	case OP_RESTORE:
		memcpy((void *)addr, c->want, SECRET_MAX);
		return 0;
	case OP_ATTACH:
	case OP_SEIZE:
		return trace(c, seen);
	case OP_READV:
		return process_vm_readv(c->pid, &local, 1, &remote, 1, 0) < 0 ?
			       -errno :
			       0;
	case OP_WRITEV:
		local.iov_base = (void *)c->want;
		return process_vm_writev(c->pid, &local, 1, &remote, 1, 0) < 0 ?
			       -errno :
			       0;
	case OP_MEM:
		snprintf(path, sizeof(path), "/proc/%d/mem", c->pid);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return -errno;
		if (pread(fd, seen, SECRET_MAX, c->addr) < 0) {
			close(fd);
			return -errno;
		}
		close(fd);
		return 0;
	case OP_GETFD:
		pidfd = syscall(SYS_pidfd_open, c->pid, 0);
		if (pidfd < 0)
			return -errno;
		fd = syscall(SYS_pidfd_getfd, pidfd, c->fd, 0);
		close(pidfd);
		if (fd < 0)
			return -errno;
		/* KVM refuses ioctls from another process: ask /proc */
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		if (readlink(path, seen, SECRET_MAX - 1) > 0 &&
		    strstr(seen, "kvm-vm")) {
			close(fd);
			strcpy(seen, "a VM fd");
			return 0;
		}
		return pread_fd(fd, seen);
	case OP_KCMP:
		return syscall(SYS_kcmp, getpid(), c->pid, KCMP_VM, 0, 0) < 0 ?
			       -errno :
			       0;
	case OP_REOPEN:
		snprintf(path, sizeof(path), "/proc/%d/fd/%d", c->pid, c->fd);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			return -errno;
		return pread_fd(fd, seen);
	case OP_STAT:
		snprintf(path, sizeof(path), "/proc/%d/stat", c->pid);
		return read_file(path, seen, SECRET_MAX) < 0 ? -errno : 0;
	}
	return -EINVAL;
}

/*
 * In the child: a memfd that starts with a secret, and if @vm a VM whose
 * guest RAM it is.
 */
static int make_ram(struct hello *h, const char *cg, int vm)
{
	struct kvm_userspace_memory_region r = { .memory_size = 4096 };
	char *ram;

	h->memfd = memfd_create("guest ram", 0);
	if (h->memfd < 0 || ftruncate(h->memfd, 4096))
		return -errno;
	ram = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, h->memfd, 0);
	if (ram == MAP_FAILED)
		return -errno;
	snprintf(ram, SECRET_MAX, "secret of %s, pid %d", cg, getpid());
	r.userspace_addr = (unsigned long)ram;
	h->addr = r.userspace_addr;
	if (!vm)
		return 0;
	h->vmfd = vm_create_here();
	if (h->vmfd < 0)
		return h->vmfd;
	return ioctl(h->vmfd, KVM_SET_USER_MEMORY_REGION, &r) ? -errno : 0;
}

/* As a VMM of libvirt's: one unprivileged uid, and still dumpable. */
static int drop_privileges(void)
{
	if (setresgid(VMM_UID, VMM_UID, VMM_UID) ||
	    setresuid(VMM_UID, VMM_UID, VMM_UID))
		return -errno;
	return prctl(PR_SET_DUMPABLE, 1) ? -errno : 0;
}

/*
 * Start a process in cgroup /@cg ("" for the root), with a VM if @vm, as
 * VMM_UID unless @root.
 */
static void proc_start(struct proc *p, const char *cg, int vm, int root)
{
	struct hello h = { .memfd = -1, .vmfd = -1 };
	struct reply rep;
	struct cmd c;
	int sp[2], fd;

	memset(p, 0, sizeof(*p));
	ASSERT_EQ(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp), 0);
	fflush(stdout);
	p->pid = fork();
	ASSERT_GE(p->pid, 0);
	if (p->pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		for (fd = 3; fd < 1024; fd++)
			if (fd != sp[1])
				close(fd);
		h.err = cg_enter(cg);
		if (!h.err)
			h.err = make_ram(&h, cg, vm);
		if (!h.err && !root)
			h.err = drop_privileges();
		if (send(sp[1], &h, sizeof(h), 0) != sizeof(h) || h.err)
			_exit(1);
		while (recv(sp[1], &c, sizeof(c), 0) == sizeof(c)) {
			memset(&rep, 0, sizeof(rep));
			rep.res = run(&c, h.addr, rep.seen);
			rep.seen[SECRET_MAX - 1] = '\0';
			if (send(sp[1], &rep, sizeof(rep), MSG_NOSIGNAL) !=
			    sizeof(rep))
				_exit(3);
		}
		_exit(0);
	}
	close(sp[1]);
	p->sock = sp[0];
	ASSERT_EQ(recv(p->sock, &h, sizeof(h), 0), (ssize_t)sizeof(h));
	ASSERT_EQ(h.err, 0);
	p->addr = h.addr;
	p->memfd = h.memfd;
	p->vmfd = h.vmfd;
	snprintf(p->secret, sizeof(p->secret), "secret of %s, pid %d", cg,
		 p->pid);
}

/* Have @by try @op against @to; return its result, what it saw in @seen. */
static long try_op(const struct proc *by, enum op op, const struct proc *to,
		   int fd, const char *want, char *seen)
{
	struct cmd c = { .op = op, .pid = to->pid, .addr = to->addr, .fd = fd };
	struct reply rep;

	if (want)
		snprintf(c.want, sizeof(c.want), "%s", want);
	if (send(by->sock, &c, sizeof(c), 0) != sizeof(c) ||
	    recv(by->sock, &rep, sizeof(rep), 0) != sizeof(rep))
		return -EPIPE;
	if (seen)
		memcpy(seen, rep.seen, SECRET_MAX);
	return rep.res;
}

/* The Figure 2 policy without its conflict set, and the cgroups. */
static void setup(const char *name)
{
	char why[1024] = "";
	int err = load_fig2(name, "1.0", "", "deny", why, sizeof(why));

	if (err)
		printf("# load: %s\n%s", strerror(-err), why);
	ASSERT_EQ(err, 0);
	ASSERT_EQ(write_file(SFS "/mode", "enforce"), 0);
	ASSERT_EQ(cg_label("pc_order", "order"), 0);
	ASSERT_EQ(cg_label("pc_order2", "order"), 0);
	ASSERT_EQ(cg_label("pc_ads", "advertising"), 0);
	/* Yama's scope 1 would refuse attach before shype is asked. */
	write_file("/proc/sys/kernel/yama/ptrace_scope", "0");
}

/* Every channel, and the errno the kernel gives when it is refused. */
static const struct channel {
	enum op op;
	const char *name;
	int denied;
	int fd; /* 1: the memfd, 2: the VM fd */
} channels[] = {
	{ OP_ATTACH, "ptrace attach", EACCES, 0 },
	{ OP_SEIZE, "ptrace seize", EACCES, 0 },
	{ OP_READV, "process_vm_readv", EPERM, 0 },
	{ OP_WRITEV, "process_vm_writev", EPERM, 0 },
	{ OP_MEM, "/proc/PID/mem", EACCES, 0 },
	{ OP_GETFD, "pidfd_getfd of the memfd", EPERM, 1 },
	{ OP_GETFD, "pidfd_getfd of the VM fd", EPERM, 2 },
	{ OP_KCMP, "kcmp", EPERM, 0 },
	{ OP_REOPEN, "/proc/PID/fd/N reopened O_RDWR", EACCES, 1 },
};

/* Did @ch get what it reaches in @to: its secret, or its VM fd? */
static int saw_secret(const struct channel *ch, const struct proc *to,
		      const char *seen)
{
	if (ch->op == OP_WRITEV || ch->op == OP_KCMP)
		return 1;
	if (ch->op == OP_GETFD && ch->fd == 2)
		return !strcmp(seen, "a VM fd");
	return !strncmp(seen, to->secret, SECRET_MAX);
}

/* @by tries every channel against @to; each gets through iff @allowed. */
static void every_channel(const struct proc *by, const struct proc *to,
			  int allowed)
{
	char seen[SECRET_MAX];
	size_t i;
	long res;
	int fd;

	for (i = 0; i < sizeof(channels) / sizeof(channels[0]); i++) {
		const struct channel *ch = &channels[i];

		fd = ch->fd == 1 ? to->memfd : to->vmfd;
		memset(seen, 0, sizeof(seen));
		res = try_op(by, ch->op, to, fd, "overwritten", seen);
		TH_LOG("%s: %s%s", ch->name, res ? strerror(-res) : "ok",
		       res ? "" :
			     (saw_secret(ch, to, seen) ? ", got it" :
							 ", did not get it"));
		if (allowed) {
			EXPECT_EQ(res, 0);
			EXPECT_TRUE(saw_secret(ch, to, seen));
		} else {
			EXPECT_EQ(res, -ch->denied);
		}
		if (ch->op == OP_WRITEV) {
			/* process_vm_writev changed the guest's memory, or not */
			ASSERT_EQ(try_op(to, OP_SECRET, to, 0, NULL, seen), 0);
			EXPECT_EQ(!strcmp(seen, "overwritten"), allowed);
			if (!strcmp(seen, "overwritten"))
				try_op(to, OP_RESTORE, to, 0, to->secret, NULL);
		}
	}
}

TEST(proc_channels_denied_across_coalitions)
{
	struct proc order, ads;

	setup("proc_across");
	proc_start(&order, "pc_order", 1, 0);
	proc_start(&ads, "pc_ads", 1, 0);
	TH_LOG("order VMM %d against the advertising VMM %d", order.pid,
	       ads.pid);
	every_channel(&order, &ads, 0);
	TH_LOG("and the other way round");
	every_channel(&ads, &order, 0);
}

TEST(proc_channels_allowed_within_coalition)
{
	struct proc order, order2;

	setup("proc_within");
	proc_start(&order, "pc_order", 1, 0);
	proc_start(&order2, "pc_order2", 1, 0);
	every_channel(&order2, &order, 1);
}

TEST(proc_channels_allowed_for_unlabelled_root)
{
	struct proc root, ads;

	setup("proc_root");
	proc_start(&ads, "pc_ads", 1, 0);
	proc_start(&root, "", 0, 1);
	every_channel(&root, &ads, 1);
}

/* A process of the VMMs' uid outside the labelled cgroups, without a VM. */
TEST(proc_channels_denied_for_unlabelled_process_of_vmm_uid)
{
	struct proc plain, ads;

	setup("proc_plain");
	proc_start(&ads, "pc_ads", 1, 0);
	proc_start(&plain, "", 0, 0);
	every_channel(&plain, &ads, 0);
}

TEST(proc_channels_denied_to_unlabelled_process)
{
	struct proc plain, order;
	char seen[SECRET_MAX];

	setup("proc_to_plain");
	proc_start(&order, "pc_order", 1, 0);
	proc_start(&plain, "", 0, 0);
	EXPECT_EQ(try_op(&order, OP_ATTACH, &plain, 0, NULL, seen), -EACCES);
	EXPECT_EQ(try_op(&order, OP_MEM, &plain, 0, NULL, seen), -EACCES);
	EXPECT_EQ(try_op(&order, OP_REOPEN, &plain, plain.memfd, NULL, seen),
		  -EACCES);
	EXPECT_EQ(try_op(&order, OP_READV, &plain, 0, NULL, seen), -EPERM);
}

TEST(proc_channels_denied_before_first_vm)
{
	struct proc order, ads_novm;

	setup("proc_novm");
	proc_start(&order, "pc_order", 1, 0);
	proc_start(&ads_novm, "pc_ads", 0, 0);
	every_channel(&ads_novm, &order, 0);
}

TEST(proc_channels_denial_audited_naming_both_sides)
{
	struct proc order, ads;
	char seen[SECRET_MAX], tracer[64], target[64];
	long long seq, denied;

	setup("proc_audit");
	proc_start(&order, "pc_order", 1, 0);
	proc_start(&ads, "pc_ads", 1, 0);
	seq = audit_last();
	denied = file_value(SFS "/stats", "op=ptrace ", "denied");
	EXPECT_EQ(try_op(&order, OP_READV, &ads, 0, NULL, seen), -EPERM);
	snprintf(tracer, sizeof(tracer), " tracer=%d(order) ", order.pid);
	snprintf(target, sizeof(target), " target=%d(advertising) ", ads.pid);
	EXPECT_EQ(audit_since(seq, "op=ptrace result=denied", tracer), 1);
	EXPECT_EQ(audit_since(seq, "op=ptrace result=denied", target), 1);
	EXPECT_EQ(audit_since(seq, " mode=attach ", " reason=ste"), 1);
	EXPECT_EQ(file_value(SFS "/stats", "op=ptrace ", "denied"), denied + 1);
}

/* ps and top read /proc/PID/stat: a NOAUDIT check fills no audit log. */
TEST(proc_stat_read_is_not_audited)
{
	struct proc order, ads;
	char seen[SECRET_MAX];
	long long seq;

	setup("proc_stat");
	proc_start(&order, "pc_order", 1, 0);
	proc_start(&ads, "pc_ads", 1, 0);
	seq = audit_last();
	EXPECT_EQ(try_op(&order, OP_STAT, &ads, 0, NULL, seen), 0);
	EXPECT_EQ(audit_since(seq, "op=ptrace", NULL), 0);
}

TEST(proc_channels_permissive_allows_and_audits)
{
	struct proc order, ads;
	char seen[SECRET_MAX], tracer[64];
	long long seq;

	setup("proc_permissive");
	proc_start(&order, "pc_order", 1, 0);
	proc_start(&ads, "pc_ads", 1, 0);
	ASSERT_EQ(write_file(SFS "/mode", "permissive"), 0);
	seq = audit_last();
	EXPECT_EQ(try_op(&order, OP_ATTACH, &ads, 0, NULL, seen), 0);
	EXPECT_EQ(strcmp(seen, ads.secret), 0);
	EXPECT_EQ(try_op(&order, OP_READV, &ads, 0, NULL, seen), 0);
	snprintf(tracer, sizeof(tracer), " tracer=%d(order) ", order.pid);
	EXPECT_GE(audit_since(seq, "op=ptrace result=permitted", tracer), 2);
	ASSERT_EQ(write_file(SFS "/mode", "enforce"), 0);
	EXPECT_EQ(try_op(&order, OP_READV, &ads, 0, NULL, seen), -EPERM);
}

/* PTRACE_TRACEME: a child in @child_cg asks its parent, in pc_order. */
static int traceme(const char *child_cg)
{
	int res[2], err;
	pid_t pid;

	ASSERT_EQ(pipe(res), 0);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		err = cg_enter(child_cg);
		if (!err && ptrace(PTRACE_TRACEME, 0, 0, 0))
			err = -errno;
		if (write(res[1], &err, sizeof(err)) != sizeof(err))
			_exit(1);
		_exit(0);
	}
	close(res[1]);
	if (read(res[0], &err, sizeof(err)) != sizeof(err))
		err = -EPIPE;
	close(res[0]);
	waitpid(pid, NULL, 0);
	return err;
}

TEST(traceme_denied_across_coalitions)
{
	setup("proc_traceme");
	ASSERT_EQ(cg_enter("pc_order"), 0);
	EXPECT_EQ(traceme("pc_ads"), -EACCES);
	EXPECT_EQ(traceme("pc_order2"), 0);
	EXPECT_EQ(cg_enter(""), 0);
}

TEST_HARNESS_MAIN
