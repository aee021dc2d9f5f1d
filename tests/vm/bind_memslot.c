// SPDX-License-Identifier: GPL-2.0
/*
 * bind_memslot - Simple Type Enforcement on shared memory behind memslots.
 *
 * A VM is bound to every file mapped shared into the range of a memslot
 * when KVM_SET_USER_MEMORY_REGION takes it, and to every shared file its
 * process maps over that range later (mmap with MAP_FIXED, mremap).  It may
 * be bound to a file only if its label shares an STE type with the file's
 * resource label, if any, and with every VM already bound to it.
 *
 * Private mappings of a file are bound as shared ones are (they read its
 * page cache until copy-on-write); private anonymous memory is not.  The
 * file of shared anonymous memory, made inside mmap(), is bound too, and a
 * vCPU's kvm_run page is checked against the vCPU's VM.
 *
 * Each VMM is a child process in a labelled cgroup that holds one VM and
 * runs commands sent over a socketpair: map a file of /dev/shm at an
 * offset of its reserved area, set or delete a memslot there, mremap, fork
 * a VMM of its own into another cgroup.  The reply is 0 or -errno.
 *
 * A VMM that opens a file another coalition wrote is refused at the open
 * (file.c, tests/vm/file_labels.c), before any memslot.  So that the
 * memslot decides, a test hands such a VMM the file when it starts, opened
 * by its unlabelled parent, as libvirt hands QEMU its files (vmm_give()).
 */
#include <linux/userfaultfd.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/prctl.h>
#include <sys/socket.h>

#include "harness.h"
#include "shype_util.h"

#define PG	   4096UL
#define AREA_PAGES 64
#define FILE_PAGES 8

/*
 * Figure 2's labels with no conflict set, resource labels for files of
 * either coalition, and two files labelled by the policy.
 */
#define MEMSLOT_JSON                                                        \
	"{ \"name\": \"%s\", \"version\": \"1.0\","                         \
	"  \"ste\": { \"types\": [\"Order\", \"Advertising\"] },"           \
	"  \"chwall\": { \"types\": [\"Order\", \"Advertising\"],"          \
	"              \"conflict_sets\": [] },"                            \
	"  \"labels\": {"                                                   \
	"    \"order\": { \"ste\": [\"Order\"], \"chwall\": [\"Order\"] }," \
	"    \"advertising\": { \"ste\": [\"Advertising\"],"                \
	"                       \"chwall\": [\"Advertising\"] },"           \
	"    \"vdisk_server\": { \"ste\": [%s] } },"                        \
	"  \"resource_labels\": {"                                          \
	"    \"shm_order\": { \"ste\": [\"Order\"] },"                      \
	"    \"shm_ads\": { \"ste\": [\"Advertising\"] } },"                \
	"  \"resources\": { \"shm:/dev/shm/policy-ads\": \"shm_ads\","      \
	"                   \"shm:/dev/shm/policy-order\": \"%s\","         \
	"                   \"shm:/dev/shm/vault\": \"shm_order\","         \
	"                   \"shm:/dev/shm/vault-late\": \"shm_order\","    \
	"                   \"shm:/dev/shm/vault-r\": \"shm_order\" },"     \
	"  \"unlabeled\": \"deny\" }"

static int load_memslot_policy(const char *name, const char *vdisk_types,
			       const char *order_file_label, char *why,
			       size_t whysize)
{
	size_t len;
	void *blob;
	int err = compile_json(&blob, &len, MEMSLOT_JSON, name, vdisk_types,
			       order_file_label);

	if (err)
		return err;
	err = load_blob(blob, len, SHYPE_LOAD_FORCE, why, whysize);
	free(blob);
	return err;
}

/* A fresh policy for each test, and the three labelled cgroups. */
static void setup(const char *name)
{
	char why[1024] = "";
	int err = load_memslot_policy(name, "\"Order\", \"Advertising\"",
				      "shm_order", why, sizeof(why));

	if (err)
		printf("# load: %s\n%s", strerror(-err), why);
	ASSERT_EQ(err, 0);
	ASSERT_EQ(write_file(SFS "/mode", "enforce"), 0);
	ASSERT_EQ(cg_label("order", "order"), 0);
	ASSERT_EQ(cg_label("ads", "advertising"), 0);
	ASSERT_EQ(cg_label("vdisk", "vdisk_server"), 0);
}

/* --- VMMs that map files and set memslots on command --- */

enum op {
	OP_MAP, /* map @path shared at @off, @pages long */
	OP_UNMAP, /* unmap @pages at @off */
	OP_SET, /* memslot @slot over @off, @pages long */
	OP_SET2, /* the same with KVM_SET_USER_MEMORY_REGION2 (0 pages: delete) */
	OP_DEL, /* delete memslot @slot */
	OP_MREMAP, /* move @pages at @off to @to (-1: grow in place) */
	OP_READ, /* the byte at @off */
	OP_RACE, /* see race() */
	OP_VCPU, /* map a page of a new vCPU's kvm_run at @off */
	OP_FORK, /* fork into cgroup @path, create a VM, serve until OP_EXIT */
	OP_EXIT, /* end the VMM forked by OP_FORK */
	OP_UFFD, /* make a userfaultfd, kept (and inherited by OP_FORK) */
	OP_UFFD_REGISTER, /* register @pages at @off with it */
	OP_UFFD_READ, /* read a fault from it (nonblocking) */
};

/* cmd.flags */
#define F_PRIVATE   1 /* OP_MAP, OP_VCPU: MAP_PRIVATE, PROT_READ */
#define F_READONLY  2 /* OP_SET: KVM_MEM_READONLY */
#define F_SHARED_RO 4 /* OP_MAP: MAP_SHARED, PROT_READ, the file read-only */

struct cmd {
	enum op op;
	int slot, flags;
	long off, pages, to, n;
	char path[64], other[64];
};

struct vmm {
	pid_t pid;
	int sock;
	int err;
	char tok[96];
};

/* Files the next VMM started gets open from its parent (vmm_give()). */
static struct given {
	const char *name;
	int fd;
} given[4];
static int in_vmm; /* this process is a VMM */

static int given_fd(const char *name)
{
	size_t i;

	for (i = 0; in_vmm && i < sizeof(given) / sizeof(given[0]); i++)
		if (given[i].name && !strcmp(given[i].name, name))
			return dup(given[i].fd);
	return -1;
}

/*
 * Open /dev/shm/@name, or @name if it is absolute (made FILE_PAGES long,
 * filled with its first letter); in a VMM, the file it was given under
 * @name if any.
 */
static int shm_open_file(const char *name)
{
	char path[128], fill[FILE_PAGES * PG];
	int fd;

	snprintf(path, sizeof(path), "%s%s", name[0] == '/' ? "" : "/dev/shm/",
		 name);
	fd = given_fd(name);
	if (fd < 0)
		fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	memset(fill, name[0], sizeof(fill));
	if (pwrite(fd, fill, sizeof(fill), 0) != (ssize_t)sizeof(fill)) {
		close(fd);
		return -EIO;
	}
	return fd;
}

/*
 * Map @name over @pages at @off, shared or with @flags F_PRIVATE: a file
 * of /dev/shm, a new "memfd", "anon"ymous memory or "/dev/zero".
 */
static int map_file_flags(char *base, long off, long pages, const char *name,
			  int flags)
{
	int prot = PROT_READ | PROT_WRITE, mode = MAP_SHARED, fd = -1;
	void *p;

	if (flags & F_PRIVATE) {
		prot = PROT_READ;
		mode = MAP_PRIVATE;
	}
	if (flags & F_SHARED_RO)
		prot = PROT_READ;
	if (!strcmp(name, "anon")) {
		p = mmap(base + off * PG, pages * PG, prot,
			 mode | MAP_FIXED | MAP_ANONYMOUS, -1, 0);
		return p == MAP_FAILED ? -errno : 0;
	}
	if (!strcmp(name, "memfd"))
		fd = memfd_create("guest ram", MFD_CLOEXEC);
	else if (!strcmp(name, "/dev/zero"))
		fd = open(name, (flags & F_SHARED_RO ? O_RDONLY : O_RDWR) |
					O_CLOEXEC);
	else
		fd = shm_open_file(name);
	if (fd < 0)
		return fd;
	if (strcmp(name, "/dev/zero") && ftruncate(fd, FILE_PAGES * PG)) {
		close(fd);
		return -errno;
	}
	p = mmap(base + off * PG, pages * PG, prot, mode | MAP_FIXED, fd, 0);
	close(fd);
	return p == MAP_FAILED ? -errno : 0;
}

static int map_file(char *base, long off, long pages, const char *name)
{
	return map_file_flags(base, off, pages, name, 0);
}

static int set_slot_flags(int vm, int slot, char *base, long off, long pages,
			  int flags)
{
	struct kvm_userspace_memory_region r = {
		.slot = slot,
		.flags = flags & F_READONLY ? KVM_MEM_READONLY : 0,
		.guest_phys_addr = (__u64)slot << 24,
		.memory_size = pages * PG,
		.userspace_addr = (unsigned long)(base + off * PG),
	};

	return ioctl(vm, KVM_SET_USER_MEMORY_REGION, &r) ? -errno : 0;
}

static int set_slot(int vm, int slot, char *base, long off, long pages)
{
	return set_slot_flags(vm, slot, base, off, pages, 0);
}

/* A new vCPU of @vm; map the first page of its kvm_run at @off. */
static int map_vcpu(int vm, char *base, long off, int flags)
{
	int fd = ioctl(vm, KVM_CREATE_VCPU, 0);
	void *p;

	if (fd < 0)
		return -errno;
	p = mmap(base + off * PG, PG,
		 flags & F_PRIVATE ? PROT_READ : PROT_READ | PROT_WRITE,
		 (flags & F_PRIVATE ? MAP_PRIVATE : MAP_SHARED) | MAP_FIXED, fd,
		 0);
	return p == MAP_FAILED ? -errno : 0; /* the vCPU stays, with @fd */
}

/* The userfaultfd of OP_UFFD, in the VMM and its forks */
static int uffd = -1;

static int uffd_new(void)
{
	struct uffdio_api api = { .api = UFFD_API };

	uffd = syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (uffd < 0)
		return -errno;
	return ioctl(uffd, UFFDIO_API, &api) ? -errno : 0;
}

static int uffd_register(char *base, long off, long pages)
{
	struct uffdio_register r = {
		.range = { (unsigned long)(base + off * PG), pages * PG },
		.mode = UFFDIO_REGISTER_MODE_MISSING,
	};

	return ioctl(uffd, UFFDIO_REGISTER, &r) ? -errno : 0;
}

static int uffd_read(void)
{
	struct uffd_msg msg;

	return read(uffd, &msg, sizeof(msg)) < 0 ? -errno : 0;
}

/* KVM_SET_USER_MEMORY_REGION2 (Linux 6.8), not in Debian 12's headers */
#ifndef KVM_SET_USER_MEMORY_REGION2
struct kvm_userspace_memory_region2 {
	__u32 slot;
	__u32 flags;
	__u64 guest_phys_addr;
	__u64 memory_size;
	__u64 userspace_addr;
	__u64 guest_memfd_offset;
	__u32 guest_memfd;
	__u32 pad1;
	__u64 pad2[14];
};

#define KVM_SET_USER_MEMORY_REGION2 \
	_IOW(KVMIO, 0x49, struct kvm_userspace_memory_region2)
#define KVM_CAP_USER_MEMORY2 231
#endif

static int set_slot2(int vm, int slot, char *base, long off, long pages)
{
	struct kvm_userspace_memory_region2 r = {
		.slot = slot,
		.guest_phys_addr = (__u64)slot << 24,
		.memory_size = pages * PG,
		.userspace_addr = (unsigned long)(base + off * PG),
	};

	return ioctl(vm, KVM_SET_USER_MEMORY_REGION2, &r) ? -errno : 0;
}

/* The racing thread of race(): swaps the mapping at @off forever. */
struct swapper {
	char *base;
	long off;
	const char *good, *bad;
	volatile int stop;
};

static void *swap_loop(void *arg)
{
	struct swapper *s = arg;

	while (!s->stop) {
		map_file(s->base, s->off, 2, s->bad);
		map_file(s->base, s->off, 2, s->good);
	}
	return NULL;
}

/*
 * @n times: set memslot @slot over 2 pages at @off, where @path is mapped,
 * look at what is mapped there, delete the slot; meanwhile a thread maps
 * @other (another coalition's) and @path there in turn.  Returns how
 * often @other was seen behind the live slot: shype must keep it at 0.
 */
static long race(int vm, char *base, const struct cmd *c)
{
	struct swapper s = { base, c->off, c->path, c->other, 0 };
	long seen = 0, set = 0, i;
	pthread_t t;

	if (map_file(base, c->off, 2, c->path))
		return -EIO;
	if (pthread_create(&t, NULL, swap_loop, &s))
		return -EAGAIN;
	for (i = 0; i < c->n; i++) {
		if (set_slot(vm, c->slot, base, c->off, 2))
			continue;
		set++;
		for (int k = 0; k < 4; k++)
			seen += base[c->off * PG] == c->other[0];
		set_slot(vm, c->slot, base, c->off, 0);
	}
	s.stop = 1;
	pthread_join(t, NULL);
	printf("# race: %ld of %ld slots set, %ld looks at the other file\n",
	       set, c->n, seen);
	return set ? seen : -ENODATA;
}

static long run(int vm, char *base, const struct cmd *c)
{
	void *p;

	switch (c->op) {
	case OP_MAP:
		return map_file_flags(base, c->off, c->pages, c->path,
				      c->flags);
	case OP_UNMAP:
		return munmap(base + c->off * PG, c->pages * PG) ? -errno : 0;
	case OP_SET:
		return set_slot_flags(vm, c->slot, base, c->off, c->pages,
				      c->flags);
	case OP_DEL:
		return set_slot(vm, c->slot, base, 0, 0);
	case OP_SET2:
		return set_slot2(vm, c->slot, base, c->off, c->pages);
	case OP_MREMAP:
		if (c->to < 0)
			p = mremap(base + c->off * PG, PG, c->pages * PG, 0);
		else
			p = mremap(base + c->off * PG, c->pages * PG,
				   c->pages * PG, MREMAP_MAYMOVE | MREMAP_FIXED,
				   base + c->to * PG);
		return p == MAP_FAILED ? -errno : 0;
	case OP_READ:
		return base[c->off * PG];
	case OP_RACE:
		return race(vm, base, c);
	case OP_VCPU:
		return map_vcpu(vm, base, c->off, c->flags);
	case OP_UFFD:
		return uffd_new();
	case OP_UFFD_REGISTER:
		return uffd_register(base, c->off, c->pages);
	case OP_UFFD_READ:
		return uffd_read();
	case OP_FORK:
	case OP_EXIT:
		break;
	}
	return -EINVAL;
}

static void __attribute__((noreturn)) serve_at(int sock, int vm, char *base);

/*
 * OP_FORK: a child of this VMM, with its memory, enters cgroup @cg and
 * serves the commands (on the same socket) with a VM of its own until
 * OP_EXIT; meanwhile this VMM waits.
 */
static void fork_vmm(int sock, char *base, const char *cg)
{
	long res;
	pid_t pid = fork();
	int vm;

	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		vm = cg_enter(cg) ?: vm_create_here();
		res = vm < 0 ? vm : 0;
		if (send(sock, &res, sizeof(res), MSG_NOSIGNAL) != sizeof(res))
			_exit(3);
		if (vm < 0)
			_exit(1);
		serve_at(sock, vm, base);
	}
	if (pid < 0) {
		res = -errno;
		if (send(sock, &res, sizeof(res), MSG_NOSIGNAL) != sizeof(res))
			_exit(3);
		return;
	}
	waitpid(pid, NULL, 0);
}

static void __attribute__((noreturn)) serve_at(int sock, int vm, char *base)
{
	struct cmd c;
	long res;

	while (recv(sock, &c, sizeof(c), 0) == sizeof(c)) {
		if (c.op == OP_FORK) {
			fork_vmm(sock, base, c.path);
			continue;
		}
		res = c.op == OP_EXIT ? 0 : run(vm, base, &c);
		if (send(sock, &res, sizeof(res), MSG_NOSIGNAL) != sizeof(res))
			_exit(3);
		if (c.op == OP_EXIT)
			_exit(0);
	}
	_exit(0);
}

static void __attribute__((noreturn)) serve(int sock, int vm)
{
	char *base;

	/* The area the commands' offsets are in, reserved and unmapped. */
	base = mmap(NULL, AREA_PAGES * PG, PROT_NONE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (base == MAP_FAILED || munmap(base, AREA_PAGES * PG))
		_exit(2);
	serve_at(sock, vm, base);
}

/* Is @fd one of the files given to the VMM being started? */
static int is_given(int fd)
{
	size_t i;

	for (i = 0; i < sizeof(given) / sizeof(given[0]); i++)
		if (given[i].name && given[i].fd == fd)
			return 1;
	return 0;
}

/* Have the next VMM started get /dev/shm/@name (or @name) open. */
static void vmm_give(const char *name)
{
	size_t i;

	for (i = 0; given[i].name; i++)
		ASSERT_LT(i + 1, sizeof(given) / sizeof(given[0]));
	given[i].fd = shm_open_file(name);
	ASSERT_GE(given[i].fd, 0);
	given[i].name = name;
}

static void vmm_start(struct vmm *v, const char *cg)
{
	int sp[2], vm, fd;
	char want[32], buf[1 << 14], *l;
	size_t i;

	memset(v, 0, sizeof(*v));
	ASSERT_EQ(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp), 0);
	fflush(stdout);
	v->pid = fork();
	ASSERT_GE(v->pid, 0);
	if (v->pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		for (fd = 3; fd < 1024; fd++)
			if (fd != sp[1] && !is_given(fd))
				close(fd);
		in_vmm = 1;
		vm = cg_enter(cg) ?: vm_create_here();
		v->err = vm < 0 ? vm : 0;
		if (send(sp[1], &v->err, sizeof(v->err), 0) != sizeof(v->err) ||
		    v->err)
			_exit(1);
		serve(sp[1], vm);
	}
	close(sp[1]);
	for (i = 0; i < sizeof(given) / sizeof(given[0]); i++) {
		if (given[i].name)
			close(given[i].fd);
		given[i].name = NULL;
	}
	v->sock = sp[0];
	ASSERT_EQ(recv(v->sock, &v->err, sizeof(v->err), 0),
		  (ssize_t)sizeof(v->err));
	ASSERT_EQ(v->err, 0);

	/* "ID(LABEL)", as the bindings file names the VM */
	ASSERT_GT(read_file(SFS "/vms", buf, sizeof(buf)), 0);
	snprintf(want, sizeof(want), " pid=%d ", v->pid);
	l = strstr(buf, want);
	ASSERT_TRUE(l != NULL);
	while (l > buf && l[-1] != '\n')
		l--;
	snprintf(v->tok, sizeof(v->tok), "%lld(%.*s)", atoll(l + 3),
		 (int)strcspn(strstr(l, "label=") + 6, " \n"),
		 strstr(l, "label=") + 6);
}

static void vmm_stop(struct vmm *v)
{
	if (v->pid <= 0)
		return;
	close(v->sock);
	waitpid(v->pid, NULL, 0);
	v->pid = 0;
}

static long cmd(struct vmm *v, struct cmd c)
{
	long res;

	if (send(v->sock, &c, sizeof(c), 0) != sizeof(c) ||
	    recv(v->sock, &res, sizeof(res), 0) != sizeof(res))
		return -EPIPE;
	return res;
}

static struct cmd mk(enum op op, int slot, long off, long pages,
		     const char *path)
{
	struct cmd c = {
		.op = op, .slot = slot, .off = off, .pages = pages, .to = -1
	};

	if (path)
		snprintf(c.path, sizeof(c.path), "%s", path);
	return c;
}

static long vmm_map(struct vmm *v, long off, long pages, const char *file)
{
	return cmd(v, mk(OP_MAP, 0, off, pages, file));
}

static long vmm_set(struct vmm *v, int slot, long off, long pages)
{
	return cmd(v, mk(OP_SET, slot, off, pages, NULL));
}

static long vmm_del(struct vmm *v, int slot)
{
	return cmd(v, mk(OP_DEL, slot, 0, 0, NULL));
}

static long vmm_read(struct vmm *v, long off)
{
	return cmd(v, mk(OP_READ, 0, off, 0, NULL));
}

/* Map @file over 2 pages at @off, privately and read-only. */
static long vmm_map_private(struct vmm *v, long off, const char *file)
{
	struct cmd c = mk(OP_MAP, 0, off, 2, file);

	c.flags = F_PRIVATE;
	return cmd(v, c);
}

/* Set a read-only memslot @slot over 2 pages at @off. */
static long vmm_set_ro(struct vmm *v, int slot, long off)
{
	struct cmd c = mk(OP_SET, slot, off, 2, NULL);

	c.flags = F_READONLY;
	return cmd(v, c);
}

/* @v forks a VMM into cgroup @cg, which gets @v's commands until unforked. */
static long vmm_fork(struct vmm *v, const char *cg)
{
	return cmd(v, mk(OP_FORK, 0, 0, 0, cg));
}

static long vmm_unfork(struct vmm *v)
{
	return cmd(v, mk(OP_EXIT, 0, 0, 0, NULL));
}

/* Map /dev/shm/@file (or a memfd) over 2 pages at @off, set slot @slot. */
static long vmm_slot(struct vmm *v, int slot, long off, const char *file)
{
	return vmm_map(v, off, 2, file) ?: vmm_set(v, slot, off, 2);
}

/* --- shype's files --- */

/*
 * Is there a shm object for @path bound by exactly the VMs @vms (in bind
 * order, comma separated)?  With @vms NULL: is there any for @path?
 */
static int shm_bound(const char *path, const char *vms)
{
	static char buf[1 << 16];
	char want[512], *at;
	size_t n;

	if (read_file(SFS "/bindings", buf, sizeof(buf)) < 0)
		return -1;
	snprintf(want, sizeof(want), " class=shm path=%s vms=%s", path,
		 vms ?: "");
	n = strlen(want);
	for (at = strstr(buf, want); at; at = strstr(at + 1, want))
		if (!vms || at[n] == '\n')
			return 1;
	printf("# no line with '%s' in bindings:\n%s", want, buf);
	return 0;
}

static char *toks(char *buf, size_t size, const struct vmm *a,
		  const struct vmm *b)
{
	snprintf(buf, size, "%s%s%s", a->tok, b ? "," : "", b ? b->tok : "");
	return buf;
}

/* --- tests --- */

TEST(memslot_shared_within_coalition_allowed)
{
	struct vmm o1, o2;
	char vms[256];

	setup("memslot-1");
	vmm_start(&o1, "order");
	vmm_start(&o2, "order");
	EXPECT_EQ(vmm_slot(&o1, 0, 0, "o-within"), 0);
	EXPECT_EQ(vmm_slot(&o2, 0, 0, "o-within"), 0);
	EXPECT_TRUE(shm_bound("/dev/shm/o-within", toks(vms, 256, &o1, &o2)));
	vmm_stop(&o1);
	vmm_stop(&o2);
}

TEST(memslot_across_coalitions_denied_with_one_audit_line)
{
	struct vmm o1, a1;
	char peer[128];
	long long seq;

	setup("memslot-2");
	vmm_start(&o1, "order");
	vmm_give("o-across");
	vmm_start(&a1, "ads");
	EXPECT_EQ(vmm_slot(&o1, 0, 0, "o-across"), 0);
	seq = audit_last();
	EXPECT_EQ(vmm_slot(&a1, 0, 0, "o-across"), -EACCES);
	snprintf(peer, sizeof(peer), "peer=%s", o1.tok);
	EXPECT_EQ(audit_since(seq, "op=memslot result=denied", peer), 1);
	EXPECT_EQ(audit_since(seq, a1.tok, "path=/dev/shm/o-across"), 1);
	/* Nothing bound: the object lists the order VM only. */
	EXPECT_TRUE(shm_bound("/dev/shm/o-across", o1.tok));
	vmm_stop(&o1);
	vmm_stop(&a1);
}

TEST(memslot_vdisk_server_shares_with_both_coalitions)
{
	struct vmm o1, a1, vd;
	char vms[256];

	setup("memslot-3");
	vmm_start(&o1, "order");
	vmm_start(&a1, "ads");
	vmm_start(&vd, "vdisk");
	EXPECT_EQ(vmm_slot(&o1, 0, 0, "o-vdisk"), 0);
	EXPECT_EQ(vmm_slot(&vd, 0, 0, "o-vdisk"), 0);
	EXPECT_TRUE(shm_bound("/dev/shm/o-vdisk", toks(vms, 256, &o1, &vd)));
	/* Advertising shares a type with the server, not with Order. */
	EXPECT_EQ(vmm_slot(&a1, 0, 0, "o-vdisk"), -EACCES);
	EXPECT_EQ(vmm_slot(&vd, 1, 4, "a-vdisk"), 0);
	EXPECT_EQ(vmm_slot(&a1, 1, 4, "a-vdisk"), 0);
	EXPECT_TRUE(shm_bound("/dev/shm/a-vdisk", toks(vms, 256, &vd, &a1)));
	vmm_stop(&o1);
	vmm_stop(&a1);
	vmm_stop(&vd);
}

TEST(memslot_deleted_or_destroyed_frees_the_file)
{
	struct vmm o1, a1;

	setup("memslot-4");
	vmm_start(&o1, "order");
	vmm_give("o-free");
	vmm_start(&a1, "ads");
	EXPECT_EQ(vmm_slot(&o1, 0, 0, "o-free"), 0);
	EXPECT_EQ(vmm_slot(&a1, 0, 0, "o-free"), -EACCES);
	EXPECT_EQ(vmm_del(&o1, 0), 0);
	EXPECT_EQ(shm_bound("/dev/shm/o-free", NULL), 0);
	EXPECT_EQ(vmm_set(&a1, 0, 0, 2), 0);
	EXPECT_TRUE(shm_bound("/dev/shm/o-free", a1.tok));
	vmm_stop(&a1);
	EXPECT_EQ(shm_bound("/dev/shm/o-free", NULL), 0);
	EXPECT_EQ(vmm_set(&o1, 0, 0, 2), 0);
	vmm_stop(&o1);
}

/* Linux 6.8's KVM_SET_USER_MEMORY_REGION2 is checked the same way. */
TEST(memslot_region2_checked_like_region)
{
	int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	struct vmm o1, a1;
	long long seq;
	int has;

	ASSERT_GE(kvm, 0);
	has = ioctl(kvm, KVM_CHECK_EXTENSION, KVM_CAP_USER_MEMORY2);
	close(kvm);
	if (has <= 0)
		SKIP("KVM has no KVM_SET_USER_MEMORY_REGION2 (Linux < 6.8)");
	setup("memslot-r2");
	vmm_start(&o1, "order");
	vmm_give("o-region2");
	vmm_start(&a1, "ads");
	EXPECT_EQ(vmm_map(&o1, 0, 2, "o-region2"), 0);
	EXPECT_EQ(cmd(&o1, mk(OP_SET2, 0, 0, 2, NULL)), 0);
	EXPECT_EQ(vmm_map(&a1, 0, 2, "o-region2"), 0);
	seq = audit_last();
	EXPECT_EQ(cmd(&a1, mk(OP_SET2, 0, 0, 2, NULL)), -EACCES);
	EXPECT_EQ(audit_since(seq, "op=memslot result=denied", a1.tok), 1);
	EXPECT_TRUE(shm_bound("/dev/shm/o-region2", o1.tok));
	/* Deleted with the new ioctl, the slot frees the file. */
	EXPECT_EQ(cmd(&o1, mk(OP_SET2, 0, 0, 0, NULL)), 0);
	EXPECT_EQ(shm_bound("/dev/shm/o-region2", NULL), 0);
	EXPECT_EQ(cmd(&a1, mk(OP_SET2, 0, 0, 2, NULL)), 0);
	EXPECT_TRUE(shm_bound("/dev/shm/o-region2", a1.tok));
	vmm_stop(&o1);
	vmm_stop(&a1);
}

TEST(memslot_policy_resource_label)
{
	struct vmm o1, a1;
	long long seq;

	setup("memslot-5");
	vmm_give("policy-ads");
	vmm_start(&o1, "order");
	vmm_give("policy-order");
	vmm_start(&a1, "ads");
	seq = audit_last();
	EXPECT_EQ(vmm_slot(&a1, 0, 0, "policy-order"), -EACCES);
	EXPECT_EQ(audit_since(seq, "op=memslot result=denied",
			      "label=shm_order path=/dev/shm/policy-order"),
		  1);
	EXPECT_EQ(vmm_slot(&o1, 0, 0, "policy-order"), 0);
	EXPECT_EQ(vmm_slot(&o1, 1, 4, "policy-ads"), -EACCES);
	EXPECT_EQ(vmm_slot(&a1, 1, 4, "policy-ads"), 0);
	vmm_stop(&o1);
	vmm_stop(&a1);
}

TEST(memslot_run_time_resource_label)
{
	struct vmm o1, a1;
	long long seq;
	int fd;

	setup("memslot-6");
	fd = shm_open_file("rt-file");
	ASSERT_GE(fd, 0);
	close(fd);
	EXPECT_EQ(write_file(SFS "/resources",
			     "label /dev/shm/rt-file no_such_label"),
		  -ESRCH);
	ASSERT_EQ(write_file(SFS "/resources",
			     "label /dev/shm/rt-file shm_ads"),
		  0);
	EXPECT_EQ(file_has(SFS "/resources", "resource=shm:/dev/shm/rt-file",
			   "label=shm_ads", NULL),
		  1);
	vmm_give("rt-file");
	vmm_give("policy-order");
	vmm_start(&o1, "order");
	vmm_start(&a1, "ads");
	seq = audit_last();
	EXPECT_EQ(vmm_slot(&o1, 0, 0, "rt-file"), -EACCES);
	EXPECT_EQ(audit_since(seq, "op=memslot result=denied",
			      "label=shm_ads path=/dev/shm/rt-file"),
		  1);
	EXPECT_EQ(vmm_slot(&a1, 0, 0, "rt-file"), 0);
	/* A VM bound to it keeps the file from a label it may not use. */
	EXPECT_EQ(write_file(SFS "/resources",
			     "label /dev/shm/rt-file shm_order"),
		  -EACCES);
	/* A run-time label takes precedence over the policy's. */
	ASSERT_EQ(write_file(SFS "/resources",
			     "label /dev/shm/policy-order shm_ads"),
		  0);
	EXPECT_EQ(vmm_slot(&a1, 1, 4, "policy-order"), 0);
	EXPECT_EQ(vmm_slot(&o1, 1, 4, "policy-order"), -EACCES);
	/* Cleared, the policy's label applies: the bound VM must pass it. */
	seq = audit_last();
	EXPECT_EQ(write_file(SFS "/resources", "unlabel /dev/shm/policy-order"),
		  -EACCES);
	EXPECT_EQ(audit_since(seq, "reason=relabel class=shm",
			      "label=shm_order"),
		  1);
	EXPECT_EQ(file_has(SFS "/resources",
			   "resource=shm:/dev/shm/policy-order",
			   "label=shm_ads", NULL),
		  1);
	vmm_stop(&o1);
	vmm_stop(&a1);
	EXPECT_EQ(write_file(SFS "/resources", "unlabel /dev/shm/rt-file"), 0);
	EXPECT_EQ(write_file(SFS "/resources", "unlabel /dev/shm/policy-order"),
		  0);
	EXPECT_EQ(write_file(SFS "/resources", "unlabel /dev/shm/rt-file"),
		  -ENOENT);
	EXPECT_EQ(file_has(SFS "/resources", "rt-file", NULL), 0);
}

TEST(remap_over_a_memslot_checked)
{
	struct vmm o1, a1;
	struct cmd c;
	long long seq;

	setup("memslot-7");
	vmm_give("a-remap");
	vmm_start(&o1, "order");
	vmm_start(&a1, "ads");
	EXPECT_EQ(vmm_slot(&a1, 0, 0, "a-remap"), 0);
	EXPECT_EQ(vmm_slot(&o1, 0, 0, "o-remap"), 0);
	seq = audit_last();

	/* mmap(MAP_FIXED) of the other coalition's file over the slot */
	EXPECT_EQ(vmm_map(&o1, 0, 2, "a-remap"), -EACCES);
	EXPECT_EQ(vmm_map(&o1, 1, 1, "a-remap"), -EACCES);
	EXPECT_EQ(audit_since(seq, "op=remap result=denied", o1.tok), 2);
	EXPECT_EQ(vmm_read(&o1, 0), 'o');
	/* Elsewhere it is no memslot's business; its own file is fine. */
	EXPECT_EQ(vmm_map(&o1, 10, 1, "a-remap"), 0);
	EXPECT_EQ(vmm_map(&o1, 0, 2, "o-remap2"), 0);
	EXPECT_TRUE(shm_bound("/dev/shm/o-remap2", o1.tok));

	/* mremap() moving it onto the slot */
	c = mk(OP_MREMAP, 0, 10, 1, NULL);
	c.to = 1;
	EXPECT_EQ(cmd(&o1, c), -ENOMEM);
	/* (mremap() unmapped the target first: page 1 is a hole now.) */
	EXPECT_EQ(vmm_read(&o1, 0), 'o');
	EXPECT_EQ(vmm_read(&o1, 10), 'a');
	EXPECT_EQ(vmm_map(&o1, 1, 1, "a-remap"), -EACCES);

	/* mremap() growing it in place into a hole of a slot */
	EXPECT_EQ(vmm_set(&o1, 1, 21, 2), 0);
	EXPECT_EQ(vmm_map(&o1, 20, 1, "a-remap"), 0);
	c = mk(OP_MREMAP, 0, 20, 2, NULL);
	EXPECT_EQ(cmd(&o1, c), -ENOMEM);
	EXPECT_EQ(vmm_map(&o1, 21, 1, "a-remap"), -EACCES);

	/* With the slot gone, the range is free. */
	EXPECT_EQ(vmm_del(&o1, 0), 0);
	EXPECT_EQ(vmm_map(&o1, 0, 2, "a-remap"), 0);
	EXPECT_EQ(vmm_read(&o1, 0), 'a');
	vmm_stop(&o1);
	vmm_stop(&a1);
}

TEST(memslot_permissive_logs_and_allows)
{
	struct vmm o1, a1;
	long long seq;

	setup("memslot-8");
	vmm_start(&o1, "order");
	vmm_start(&a1, "ads");
	EXPECT_EQ(vmm_slot(&o1, 0, 0, "o-perm"), 0);
	ASSERT_EQ(write_file(SFS "/mode", "permissive"), 0);
	seq = audit_last();
	EXPECT_EQ(vmm_slot(&a1, 0, 0, "o-perm"), 0);
	EXPECT_EQ(vmm_map(&o1, 0, 2, "policy-ads"), 0);
	ASSERT_EQ(write_file(SFS "/mode", "enforce"), 0);
	EXPECT_EQ(audit_since(seq, "op=memslot result=permitted", a1.tok), 1);
	EXPECT_EQ(audit_since(seq, "op=remap result=permitted", o1.tok), 1);
	vmm_stop(&o1);
	vmm_stop(&a1);
}

TEST(memslot_policy_replacement_checks_files)
{
	char why[2048] = "", want[128];
	struct vmm o1;

	setup("memslot-9");
	vmm_start(&o1, "order");
	EXPECT_EQ(vmm_slot(&o1, 0, 0, "policy-order"), 0);
	EXPECT_EQ(load_memslot_policy("memslot-9b", "\"Order\"", "shm_ads", why,
				      sizeof(why)),
		  -EACCES);
	snprintf(want, sizeof(want),
		 "vm %lld may not use /dev/shm/policy-order", atoll(o1.tok));
	EXPECT_TRUE(strstr(why, want) != NULL);
	if (!strstr(why, want))
		printf("# reasons: %s\n", why);
	EXPECT_EQ(file_has(SFS "/status", "policy=memslot-9 ", NULL), 1);
	/* The same with the slot deleted is loaded. */
	EXPECT_EQ(vmm_del(&o1, 0), 0);
	EXPECT_EQ(load_memslot_policy("memslot-9b", "\"Order\"", "shm_ads", why,
				      sizeof(why)),
		  0);
	vmm_stop(&o1);
}

TEST(memslot_own_memfd_allowed)
{
	struct vmm o1, a1;

	setup("memslot-10");
	vmm_start(&o1, "order");
	vmm_start(&a1, "ads");
	EXPECT_EQ(vmm_slot(&o1, 0, 0, "memfd"), 0);
	EXPECT_EQ(vmm_slot(&a1, 0, 0, "memfd"), 0);
	/* Two objects, the path escaped as in /proc/mounts. */
	EXPECT_TRUE(shm_bound("/memfd:guest\\040ram\\040(deleted)", o1.tok));
	EXPECT_TRUE(shm_bound("/memfd:guest\\040ram\\040(deleted)", a1.tok));
	vmm_stop(&o1);
	vmm_stop(&a1);
}

/*
 * A private mapping reads the file's pages until copy-on-write: another
 * coalition's file may not be behind a slot that way either.
 */
TEST(memslot_private_file_mapping_checked)
{
	struct vmm o1, o2, a1;
	char vms[256];
	long long seq;

	setup("memslot-12");
	vmm_start(&o1, "order");
	vmm_start(&o2, "order");
	vmm_give("o-private");
	vmm_start(&a1, "ads");
	EXPECT_EQ(vmm_slot(&o1, 0, 0, "o-private"), 0);
	EXPECT_EQ(vmm_map_private(&a1, 0, "o-private"), 0);
	seq = audit_last();
	EXPECT_EQ(vmm_set_ro(&a1, 0, 0), -EACCES);
	EXPECT_EQ(audit_since(seq, "op=memslot result=denied",
			      "path=/dev/shm/o-private"),
		  1);
	/* Mapped so over a slot later */
	EXPECT_EQ(vmm_slot(&a1, 1, 4, "a-private"), 0);
	seq = audit_last();
	EXPECT_EQ(vmm_map_private(&a1, 4, "o-private"), -EACCES);
	EXPECT_EQ(audit_since(seq, "op=remap result=denied",
			      "path=/dev/shm/o-private"),
		  1);
	EXPECT_EQ(vmm_read(&a1, 0), 'o'); /* the mapping is there */
	/* Its own coalition may, and is bound to it. */
	EXPECT_EQ(vmm_map_private(&o2, 0, "o-private"), 0);
	EXPECT_EQ(vmm_set_ro(&o2, 0, 0), 0);
	EXPECT_TRUE(shm_bound("/dev/shm/o-private", toks(vms, 256, &o1, &o2)));
	vmm_stop(&o1);
	vmm_stop(&o2);
	vmm_stop(&a1);
}

/*
 * Private anonymous memory, /dev/zero's too (and a read-only /dev/zero's
 * shared mappings, anonymous as well), is bound to nobody.
 */
TEST(memslot_private_anonymous_memory_not_bound)
{
	struct cmd anon = mk(OP_MAP, 0, 0, 2, "anon");
	struct cmd zero = mk(OP_MAP, 0, 4, 2, "/dev/zero");
	struct cmd zero_ro = mk(OP_MAP, 0, 8, 2, "/dev/zero");
	struct vmm o1, a1;

	setup("memslot-13");
	vmm_start(&o1, "order");
	vmm_start(&a1, "ads");
	anon.flags = F_PRIVATE;
	zero.flags = F_PRIVATE;
	zero_ro.flags = F_SHARED_RO;
	EXPECT_EQ(cmd(&o1, anon), 0);
	EXPECT_EQ(cmd(&o1, zero), 0);
	EXPECT_EQ(cmd(&o1, zero_ro), 0);
	EXPECT_EQ(cmd(&a1, anon), 0);
	EXPECT_EQ(cmd(&a1, zero), 0);
	EXPECT_EQ(cmd(&a1, zero_ro), 0);
	EXPECT_EQ(vmm_set(&o1, 0, 0, 2), 0);
	EXPECT_EQ(vmm_set(&o1, 1, 4, 2), 0);
	EXPECT_EQ(vmm_set(&o1, 2, 8, 2), 0);
	EXPECT_EQ(vmm_set(&a1, 0, 0, 2), 0);
	EXPECT_EQ(vmm_set(&a1, 1, 4, 2), 0);
	EXPECT_EQ(vmm_set(&a1, 2, 8, 2), 0);
	/* mapped over the slots again */
	EXPECT_EQ(cmd(&a1, anon), 0);
	EXPECT_EQ(cmd(&a1, zero), 0);
	EXPECT_EQ(cmd(&a1, zero_ro), 0);
	EXPECT_EQ(file_has(SFS "/bindings", "path=/dev/zero", NULL), 0);
	vmm_stop(&o1);
	vmm_stop(&a1);
}

/*
 * Shared anonymous memory mapped over a slot gets its file inside mmap():
 * it is bound all the same, so that a child in the other coalition cannot
 * put the same pages behind its own slot.
 */
TEST(memslot_shared_anonymous_mapped_later_checked)
{
	struct cmd anon = mk(OP_MAP, 0, 0, 2, "anon");
	struct vmm o1;
	long long seq;

	setup("memslot-14");
	vmm_start(&o1, "order");
	anon.flags = F_PRIVATE;
	/* Control: shared anonymous memory behind the slot when it is set */
	EXPECT_EQ(vmm_map(&o1, 8, 2, "anon"), 0);
	EXPECT_EQ(vmm_set(&o1, 2, 8, 2), 0);
	/* Mapped over slots later: anonymous, and of /dev/zero */
	EXPECT_EQ(cmd(&o1, anon), 0);
	EXPECT_EQ(vmm_set(&o1, 0, 0, 2), 0);
	EXPECT_EQ(vmm_map(&o1, 0, 2, "anon"), 0);
	anon.off = 4;
	EXPECT_EQ(cmd(&o1, anon), 0);
	EXPECT_EQ(vmm_set(&o1, 1, 4, 2), 0);
	EXPECT_EQ(vmm_map(&o1, 4, 2, "/dev/zero"), 0);
	/* Bound: each its own file; /dev/zero itself is nobody's. */
	EXPECT_EQ(file_has(SFS "/bindings", "path=/dev/zero\\040(deleted) ",
			   o1.tok, NULL),
		  1);
	EXPECT_EQ(file_has(SFS "/bindings", "path=/dev/zero ", NULL), 0);

	EXPECT_EQ(vmm_fork(&o1, "ads"), 0);
	seq = audit_last();
	EXPECT_EQ(vmm_set(&o1, 2, 8, 2), -EACCES);
	EXPECT_EQ(vmm_set(&o1, 0, 0, 2), -EACCES);
	EXPECT_EQ(vmm_set(&o1, 1, 4, 2), -EACCES);
	EXPECT_EQ(audit_since(seq, "op=memslot result=denied",
			      "path=/dev/zero\\040(deleted)"),
		  3);
	EXPECT_EQ(vmm_unfork(&o1), 0);
	/* Its own coalition may. */
	EXPECT_EQ(vmm_fork(&o1, "order"), 0);
	EXPECT_EQ(vmm_set(&o1, 0, 0, 2), 0);
	EXPECT_EQ(vmm_set(&o1, 1, 4, 2), 0);
	EXPECT_EQ(vmm_unfork(&o1), 0);
	vmm_stop(&o1);
}

/*
 * A vCPU's kvm_run page behind another VM's slot: the two VMs must share
 * a type, whether the slot is set over it or it is moved onto a slot.
 */
TEST(memslot_vcpu_page_of_another_vm_checked)
{
	struct cmd anon = mk(OP_MAP, 0, 4, 2, "anon");
	struct cmd move = mk(OP_MREMAP, 0, 0, 1, NULL);
	struct vmm o1;
	long long seq;

	setup("memslot-15");
	vmm_start(&o1, "order");
	anon.flags = F_PRIVATE;
	move.to = 4;
	EXPECT_EQ(cmd(&o1, mk(OP_VCPU, 0, 0, 1, NULL)), 0);
	EXPECT_EQ(vmm_fork(&o1, "ads"), 0);
	seq = audit_last();
	EXPECT_EQ(vmm_set(&o1, 0, 0, 1), -EACCES);
	EXPECT_EQ(cmd(&o1, anon), 0);
	EXPECT_EQ(vmm_set(&o1, 1, 4, 2), 0);
	EXPECT_EQ(cmd(&o1, move), -ENOMEM);
	EXPECT_EQ(audit_since(seq, "result=denied", "class=vcpu"), 2);
	EXPECT_EQ(vmm_unfork(&o1), 0);
	/* Its own coalition's VM may, and so may its own VM. */
	EXPECT_EQ(vmm_fork(&o1, "order"), 0);
	EXPECT_EQ(vmm_set(&o1, 0, 0, 1), 0);
	EXPECT_EQ(vmm_unfork(&o1), 0);
	EXPECT_EQ(vmm_set(&o1, 0, 0, 1), 0);
	EXPECT_EQ(file_has(SFS "/bindings", "class=vcpu", "kvm-vcpu:0 ", o1.tok,
			   NULL),
		  1);
	/* The binding keeps no VM alive: it goes with the VM. */
	vmm_stop(&o1);
	EXPECT_EQ(file_has(SFS "/bindings", "kvm-vcpu", NULL), 0);
}

/*
 * A userfaultfd acts on its maker's memory: passed to a process whose VM
 * is of another coalition, it may not register, fill or read the faults of
 * the first one's memory, guest memory behind a slot included.
 */
TEST(userfaultfd_of_another_vm_checked)
{
	struct cmd anon = mk(OP_MAP, 0, 0, 2, "anon");
	struct cmd reg = mk(OP_UFFD_REGISTER, 0, 0, 2, NULL);
	struct cmd rd = mk(OP_UFFD_READ, 0, 0, 0, NULL);
	struct vmm o1;
	long long seq;

	setup("memslot-16");
	vmm_start(&o1, "order");
	anon.flags = F_PRIVATE;
	EXPECT_EQ(cmd(&o1, anon), 0);
	EXPECT_EQ(vmm_set(&o1, 0, 0, 2), 0);
	EXPECT_EQ(cmd(&o1, mk(OP_UFFD, 0, 0, 0, NULL)), 0);
	EXPECT_EQ(vmm_fork(&o1, "ads"), 0);
	seq = audit_last();
	EXPECT_EQ(cmd(&o1, reg), -EACCES);
	EXPECT_EQ(cmd(&o1, rd), -EACCES);
	EXPECT_EQ(audit_since(seq, "op=userfaultfd result=denied",
			      "class=userfaultfd"),
		  2);
	EXPECT_EQ(vmm_unfork(&o1), 0);
	/* Its own coalition's process may, and so may its maker. */
	EXPECT_EQ(vmm_fork(&o1, "order"), 0);
	EXPECT_EQ(cmd(&o1, reg), 0);
	EXPECT_EQ(cmd(&o1, rd), -EAGAIN);
	EXPECT_EQ(vmm_unfork(&o1), 0);
	EXPECT_EQ(cmd(&o1, rd), -EAGAIN);
	vmm_stop(&o1);
}

/* A remap racing with KVM_SET_USER_MEMORY_REGION, in @mode. */
static long remap_race(const char *mode, long n)
{
	struct vmm o1, a1;
	struct cmd c;
	long seen;

	vmm_start(&o1, "order");
	vmm_start(&a1, "ads");
	EXPECT_EQ(vmm_slot(&a1, 0, 0, "a-race"), 0);
	c = mk(OP_RACE, 1, 30, 2, "o-race");
	snprintf(c.other, sizeof(c.other), "a-race");
	c.n = n;
	EXPECT_EQ(write_file(SFS "/mode", mode), 0);
	seen = cmd(&o1, c);
	EXPECT_EQ(write_file(SFS "/mode", "enforce"), 0);
	vmm_stop(&o1);
	vmm_stop(&a1);
	return seen;
}

TEST_TIMEOUT(memslot_remap_race_never_binds_across, 600)
{
	setup("memslot-11");
	EXPECT_EQ(remap_race("enforce", 20000), 0);
	/* The same race in permissive mode shows the test can fail. */
	EXPECT_GT(remap_race("permissive", 2000), 0);
}

/* Make /dev/shm/@name afresh (FILE_PAGES long); 0 or -errno. */
static int shm_make(const char *name)
{
	char path[128];
	int fd;

	snprintf(path, sizeof(path), "/dev/shm/%s", name);
	unlink(path);
	fd = shm_open_file(name);
	if (fd < 0)
		return fd;
	close(fd);
	return 0;
}

/*
 * A policy's shm: label belongs to the file that the path names, so a
 * hard link or a bind mount of it reaches a labelled file.  The VMMs here
 * open the files themselves: the other coalition is refused at the open,
 * on the label that the file has through its path (file.c, names.c).
 */
TEST(memslot_policy_label_follows_hard_link_and_bind_mount)
{
	const char *bm = "/tmp/vault-bind";
	struct vmm o1, a1;
	long long seq;
	int fd;

	umount2(bm, MNT_DETACH);
	unlink("/dev/shm/vault-link");
	ASSERT_EQ(shm_make("vault"), 0); /* named when the policy loads */
	setup("memslot-names-1");
	ASSERT_EQ(link("/dev/shm/vault", "/dev/shm/vault-link"), 0);
	fd = open(bm, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	ASSERT_GE(fd, 0);
	close(fd);
	ASSERT_EQ(mount("/dev/shm/vault", bm, NULL, MS_BIND, NULL), 0);
	vmm_start(&o1, "order");
	vmm_start(&a1, "ads");
	seq = audit_last();
	EXPECT_EQ(vmm_slot(&a1, 0, 0, "vault-link"), -EACCES);
	EXPECT_EQ(
		audit_since(
			seq, "op=file result=denied",
			"file_label=shm_order access=write how=open reason=ste path=/dev/shm/vault-link"),
		1);
	EXPECT_EQ(vmm_slot(&a1, 1, 4, bm), -EACCES);
	EXPECT_EQ(
		audit_since(
			seq, "op=file result=denied",
			"file_label=shm_order access=write how=open reason=ste path=/tmp/vault-bind"),
		1);
	/* Mapped over a slot under another name: the same. */
	EXPECT_EQ(vmm_slot(&a1, 2, 8, "a-names"), 0);
	seq = audit_last();
	EXPECT_EQ(vmm_map(&a1, 8, 2, "vault-link"), -EACCES);
	EXPECT_EQ(
		audit_since(
			seq, "op=file result=denied",
			"file_label=shm_order access=write how=open reason=ste path=/dev/shm/vault-link"),
		1);
	/* Its own coalition uses it by any name. */
	EXPECT_EQ(vmm_slot(&o1, 0, 0, "vault-link"), 0);
	EXPECT_EQ(vmm_slot(&o1, 1, 4, bm), 0);
	vmm_stop(&o1);
	vmm_stop(&a1);
	EXPECT_EQ(umount2(bm, 0), 0);
	unlink(bm);
	unlink("/dev/shm/vault-link");
}

/*
 * A labelled file keeps its label when renamed away from its path, and a
 * new file made at the path takes the label too, under any name.
 */
TEST(memslot_policy_label_follows_rename)
{
	struct vmm o1, a1;
	long long seq;

	unlink("/dev/shm/vault-r-moved");
	unlink("/dev/shm/vault-r-link");
	ASSERT_EQ(shm_make("vault-r"), 0);
	setup("memslot-names-2");
	ASSERT_EQ(rename("/dev/shm/vault-r", "/dev/shm/vault-r-moved"), 0);
	vmm_start(&o1, "order");
	vmm_start(&a1, "ads");
	seq = audit_last();
	EXPECT_EQ(vmm_slot(&a1, 0, 0, "vault-r-moved"), -EACCES);
	EXPECT_EQ(
		audit_since(
			seq, "op=file result=denied",
			"file_label=shm_order access=write how=open reason=ste path=/dev/shm/vault-r-moved"),
		1);
	ASSERT_EQ(shm_make("vault-r"), 0);
	ASSERT_EQ(link("/dev/shm/vault-r", "/dev/shm/vault-r-link"), 0);
	EXPECT_EQ(vmm_slot(&a1, 1, 4, "vault-r-link"), -EACCES);
	EXPECT_EQ(
		audit_since(
			seq, "op=file result=denied",
			"file_label=shm_order access=write how=open reason=ste path=/dev/shm/vault-r-link"),
		1);
	EXPECT_EQ(vmm_slot(&o1, 0, 0, "vault-r-moved"), 0);
	EXPECT_EQ(vmm_slot(&o1, 1, 4, "vault-r-link"), 0);
	vmm_stop(&o1);
	vmm_stop(&a1);
	unlink("/dev/shm/vault-r-moved");
	unlink("/dev/shm/vault-r-link");
}

/*
 * A file made at a labelled path after the policy loaded is labelled when
 * shype first looks (at the next shared-memory decision), and keeps the
 * label once its labelled name is gone.
 */
TEST(memslot_policy_label_of_file_made_after_load_follows_hard_link)
{
	struct vmm o1, a1;
	long long seq;

	unlink("/dev/shm/vault-late");
	unlink("/dev/shm/vault-late-link");
	setup("memslot-names-3");
	ASSERT_EQ(shm_make("vault-late"), 0);
	ASSERT_EQ(link("/dev/shm/vault-late", "/dev/shm/vault-late-link"), 0);
	vmm_start(&o1, "order");
	vmm_start(&a1, "ads");
	seq = audit_last();
	EXPECT_EQ(vmm_slot(&a1, 0, 0, "vault-late-link"), -EACCES);
	EXPECT_EQ(
		audit_since(
			seq, "op=file result=denied",
			"file_label=shm_order access=write how=open reason=ste path=/dev/shm/vault-late-link"),
		1);
	ASSERT_EQ(unlink("/dev/shm/vault-late"), 0);
	EXPECT_EQ(vmm_slot(&a1, 1, 4, "vault-late-link"), -EACCES);
	EXPECT_EQ(vmm_slot(&o1, 0, 0, "vault-late-link"), 0);
	vmm_stop(&o1);
	vmm_stop(&a1);
	unlink("/dev/shm/vault-late-link");
}

/*
 * A new policy is checked against what a VM is bound to, whatever name
 * the file was bound under.
 */
TEST(memslot_policy_replacement_checks_files_under_other_names)
{
	char why[2048] = "", want[128];
	struct vmm o1;

	unlink("/dev/shm/po-link");
	ASSERT_EQ(shm_make("policy-order"), 0);
	setup("memslot-names-4");
	ASSERT_EQ(link("/dev/shm/policy-order", "/dev/shm/po-link"), 0);
	vmm_start(&o1, "order");
	EXPECT_EQ(vmm_slot(&o1, 0, 0, "po-link"), 0);
	EXPECT_EQ(load_memslot_policy("memslot-names-4b", "\"Order\"",
				      "shm_ads", why, sizeof(why)),
		  -EACCES);
	snprintf(want, sizeof(want), "vm %lld may not use /dev/shm/po-link",
		 atoll(o1.tok));
	EXPECT_TRUE(strstr(why, want) != NULL);
	if (!strstr(why, want))
		printf("# reasons: %s\n", why);
	EXPECT_EQ(file_has(SFS "/status", "policy=memslot-names-4 ", NULL), 1);
	vmm_stop(&o1);
	unlink("/dev/shm/po-link");
}

TEST_HARNESS_MAIN
