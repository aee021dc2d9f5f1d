// SPDX-License-Identifier: GPL-2.0
/*
 * shype-bench: what shype costs, measured in one boot of the test host.
 *
 * shype.ko cannot be unloaded and a policy cannot be taken back (an off
 * switch would be a hole), so the three states it compares follow each
 * other in one boot and cannot alternate:
 *   base     shype.ko not loaded (the baseline of the verdicts);
 *   idle     shype.ko loaded, no policy: every hook runs and records
 *            bindings, no decision is taken;
 *   enforce  a policy loaded, enforcing, VMs labelled 'order'.
 * What alternates is each measured operation with a control operation
 * that shype does not hook (KVM_CHECK_EXTENSION on the VM): A/B/A/B, one
 * of each in turn.  Under TCG the test host's speed follows the load of
 * the machine from second to second; the control follows it too, so each
 * round's figure is the operation's median over the control's median, and
 * a ratio between states is the ratio of those normalised figures, round
 * by round.  The table gives, per metric, the median of ROUNDS such
 * ratios, their spread (min-max), and a verdict against the target.
 *
 * The open() rows open and close a file: by the bench, a VMM (in
 * enforce, a labelled process holding a VM), and by a plain process
 * (forked first, in no labelled cgroup and without a VM, which shype
 * must not slow down: its control is KVM_CHECK_EXTENSION on /dev/kvm); an
 * unlabelled file for reading, and a file labelled 'order' for writing.
 *
 * Then shype's own time per decision, from its stats file (measured in
 * the module, which TCG's noise does not hide the way it hides a few
 * percent of an ioctl); the scale rows (bind cost with 1, 100 and 500 VMs
 * running, each holding a binding); and a policy of 10 000 labels x 1 024
 * types: compile time, load time, kernel memory.  Prints "bench: done" last.
 *
 * usage: shype-bench [ROUNDS]   (default 5; needs $SHYPE_KO, the module)
 */
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/xattr.h>
#include <sys/syscall.h>
#include <time.h>

#include "../harness.h"
#include "../shype_util.h"

#define SHM_SIZE   (2 << 20)
#define MAX_ROUNDS 32
#define MAX_ITER   800

enum { BASE, IDLE, ENFORCE, NR_STATES };

static const char *const state_names[NR_STATES] = { "base", "idle", "enforce" };

enum {
	VM_CREATE,
	IRQFD,
	IOEVENTFD,
	MEMSLOT,
	SIGNAL,
	OPEN_VMM,
	OPEN_VMM_LABELLED,
	OPEN_PLAIN,
	OPEN_PLAIN_LABELLED,
	NR_METRICS
};

#define FILE_PLAIN "/tmp/shype-bench-unlabelled"
#define FILE_ORDER "/tmp/shype-bench-order"

/*
 * @max: the target is a ratio at most @target, else at least @target; a
 * @target of 0: no target, the ratio is shown.
 */
static const struct {
	const char *name, *op;
	int iter;
	double target;
	bool max;
} metrics[NR_METRICS] = {
	[VM_CREATE] = { "VM create+destroy", "create", 40, 1.02, true },
	[IRQFD] = { "KVM_IRQFD assign+deassign", "irqfd", 400, 1.05, true },
	[IOEVENTFD] = { "KVM_IOEVENTFD assign+deassign", "ioeventfd", 400, 1.05,
			true },
	[MEMSLOT] = { "memslot set+delete, shared file", "memslot", 100, 1.10,
		      true },
	/* time per 1000 signals; the target is on the rate: inverted */
	[SIGNAL] = { "eventfd->irqfd signals", NULL, 40, 0.99, false },
	[OPEN_VMM] = { "open() unlabelled file, VMM", "file", 200, 0, true },
	[OPEN_VMM_LABELLED] = { "open() labelled file rw, VMM", NULL, 200, 0,
				true },
	/* shype must not slow a plain process beyond noise */
	[OPEN_PLAIN] = { "open() unlabelled file, plain", NULL, 200, 1.03,
			 true },
	[OPEN_PLAIN_LABELLED] = { "open() labelled file rw, plain", NULL, 200,
				  1.03, true },
};

static int rounds = 5;
/* Per state, round and metric: the median time, raw and over the control. */
static double raw[NR_STATES][MAX_ROUNDS][NR_METRICS];
static double norm[NR_STATES][MAX_ROUNDS][NR_METRICS];

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static int must(int ret, const char *what)
{
	if (ret < 0) {
		fprintf(stderr, "bench: %s: %s\n", what, strerror(errno));
		exit(1);
	}
	return ret;
}

/* The control: an ioctl of the VM that shype does not hook. */
static double control(int vm)
{
	double t = now_us();
	int i;

	for (i = 0; i < 4; i++)
		must(ioctl(vm, KVM_CHECK_EXTENSION, KVM_CAP_IRQFD), "control");
	return now_us() - t;
}

struct ctx {
	int kvm, vm, efd, shm;
	void *mem;
};

/* One iteration of metric @m; its time in us. */
static double once(struct ctx *x, int m)
{
	struct kvm_userspace_memory_region slot = {
		.slot = 1,
		.guest_phys_addr = 1 << 30,
		.memory_size = SHM_SIZE,
		.userspace_addr = (uintptr_t)x->mem,
	};
	struct kvm_ioeventfd io = { .addr = 0x600, .len = 2, .fd = x->efd };
	struct kvm_irqfd irq = { .fd = x->efd, .gsi = 9 };
	double t = now_us();
	int i;

	switch (m) {
	case VM_CREATE:
		close(must(ioctl(x->kvm, KVM_CREATE_VM, 0), "KVM_CREATE_VM"));
		break;
	case IRQFD:
		must(ioctl(x->vm, KVM_IRQFD, &irq), "KVM_IRQFD");
		irq.flags = KVM_IRQFD_FLAG_DEASSIGN;
		must(ioctl(x->vm, KVM_IRQFD, &irq), "KVM_IRQFD deassign");
		break;
	case IOEVENTFD:
		io.flags = KVM_IOEVENTFD_FLAG_PIO;
		must(ioctl(x->vm, KVM_IOEVENTFD, &io), "KVM_IOEVENTFD");
		io.flags |= KVM_IOEVENTFD_FLAG_DEASSIGN;
		must(ioctl(x->vm, KVM_IOEVENTFD, &io),
		     "KVM_IOEVENTFD deassign");
		break;
	case MEMSLOT:
		must(ioctl(x->vm, KVM_SET_USER_MEMORY_REGION, &slot),
		     "memslot");
		slot.memory_size = 0;
		must(ioctl(x->vm, KVM_SET_USER_MEMORY_REGION, &slot),
		     "memslot");
		break;
	case SIGNAL: /* an irqfd is assigned around the rounds */
		for (i = 0; i < 1000; i++)
			eventfd_write(x->efd, 1);
		break;
	case OPEN_VMM:
	case OPEN_PLAIN:
		close(must(open(FILE_PLAIN, O_RDONLY | O_CLOEXEC), "open"));
		break;
	case OPEN_VMM_LABELLED:
	case OPEN_PLAIN_LABELLED:
		close(must(open(FILE_ORDER, O_RDWR | O_CLOEXEC), "open"));
		break;
	}
	return now_us() - t;
}

/*
 * The plain process: forked before the bench labels itself, it has no VM
 * and no label.  For each metric number read from @cmd, it times that
 * metric's iterations against its control, and writes back the two
 * medians.
 */
static int plain_cmd = -1, plain_res = -1;

static void plain_start(struct ctx *x)
{
	static double op[MAX_ITER], ctl[MAX_ITER];
	int to[2], from[2], m, i;
	double res[2], t;

	must(pipe(to), "pipe");
	must(pipe(from), "pipe");
	if (must(fork(), "fork")) {
		close(to[0]);
		close(from[1]);
		plain_cmd = to[1];
		plain_res = from[0];
		return;
	}
	close(to[1]);
	close(from[0]);
	while (read(to[0], &m, sizeof(m)) == sizeof(m)) {
		for (i = 0; i < metrics[m].iter; i++) {
			op[i] = once(x, m);
			t = now_us();
			for (int k = 0; k < 4; k++)
				ioctl(x->kvm, KVM_CHECK_EXTENSION,
				      KVM_CAP_IRQFD);
			ctl[i] = now_us() - t;
		}
		res[0] = median(op, metrics[m].iter);
		res[1] = median(ctl, metrics[m].iter);
		if (write(from[1], res, sizeof(res)) != sizeof(res))
			_exit(1);
	}
	_exit(0);
}

static bool plain(int m)
{
	return m == OPEN_PLAIN || m == OPEN_PLAIN_LABELLED;
}

/* Round @r of state @s: each metric, alternating with the control. */
static void round_of(struct ctx *x, int s, int r)
{
	struct kvm_irqfd irq = { .fd = x->efd, .gsi = 9 };
	static double op[MAX_ITER], ctl[MAX_ITER];
	double c;
	int m, i;

	for (m = 0; m < NR_METRICS; m++) {
		if (plain(m)) {
			double res[2];

			if (write(plain_cmd, &m, sizeof(m)) != sizeof(m) ||
			    read(plain_res, res, sizeof(res)) != sizeof(res))
				must(-1, "the plain process");
			raw[s][r][m] = res[0];
			norm[s][r][m] = res[0] / res[1];
			continue;
		}
		if (m == SIGNAL)
			must(ioctl(x->vm, KVM_IRQFD, &irq), "KVM_IRQFD");
		for (i = 0; i < metrics[m].iter; i++) {
			op[i] = once(x, m);
			ctl[i] = control(x->vm);
		}
		if (m == SIGNAL) {
			irq.flags = KVM_IRQFD_FLAG_DEASSIGN;
			must(ioctl(x->vm, KVM_IRQFD, &irq),
			     "KVM_IRQFD deassign");
		}
		raw[s][r][m] = median(op, metrics[m].iter);
		c = median(ctl, metrics[m].iter);
		norm[s][r][m] = raw[s][r][m] / c;
	}
}

/* The decisions of @op so far: count and total ns, from the stats file. */
static void decisions(const char *op, long long *n, long long *ns,
		      long long *max)
{
	char match[64];

	snprintf(match, sizeof(match), "op=%s ", op);
	*n = file_value(SFS "/stats", match, "timed");
	*ns = file_value(SFS "/stats", match, "ns");
	*max = file_value(SFS "/stats", match, "max_ns");
}

/* The median and 99th percentile of @op's decision times, in ns. */
static void percentiles(const char *op, long long *p50, long long *p99)
{
	char match[64];

	snprintf(match, sizeof(match), "op=%s ", op);
	*p50 = file_value(SFS "/stats", match, "p50_ns");
	*p99 = file_value(SFS "/stats", match, "p99_ns");
}

static void run_state(struct ctx *x, int s)
{
	int r;

	printf("bench: %s, %d rounds\n", state_names[s], rounds);
	for (r = 0; r < rounds; r++)
		round_of(x, s, r);
}

/* Ratio of states @b over @a for metric @m, round by round: its spread. */
static void ratio(int a, int b, int m, double *med, double *lo, double *hi)
{
	double v[MAX_ROUNDS];
	int r;

	for (r = 0; r < rounds; r++) {
		v[r] = norm[b][r][m] / norm[a][r][m];
		if (!metrics[m].max) /* a rate: the inverse of the time */
			v[r] = 1 / v[r];
	}
	*med = median(v, rounds);
	*lo = v[0];
	*hi = v[rounds - 1];
}

static const char *verdict(int m, double med, double lo, double hi)
{
	double t = metrics[m].target;
	bool ok = metrics[m].max ? med <= t : med >= t;
	bool sure = metrics[m].max ? hi <= t : lo >= t;

	if (!t)
		return "no target";
	if (ok)
		return sure ? "PASS" : "pass (spread crosses the target)";
	return (metrics[m].max ? lo > t : hi < t) ?
		       "FAIL" :
		       "fail (spread crosses the target)";
}

static void table(void)
{
	double med, lo, hi, base[MAX_ROUNDS];
	int m, r;

	printf("\n%-33s %9s %9s %9s | %-22s %-22s %s\n", "metric (us, median)",
	       "base", "idle", "enforce", "enforce/base (min-max)",
	       "enforce/idle (min-max)", "target: verdict on enforce/base");
	for (m = 0; m < NR_METRICS; m++) {
		printf("%-33s", metrics[m].name);
		for (r = 0; r < NR_STATES; r++) {
			int i;

			for (i = 0; i < rounds; i++)
				base[i] = raw[r][i][m];
			printf(" %9.1f", median(base, rounds));
		}
		ratio(BASE, ENFORCE, m, &med, &lo, &hi);
		printf(" | %5.3f (%5.3f-%5.3f)   ", med, lo, hi); /* sorted */
		ratio(IDLE, ENFORCE, m, &med, &lo, &hi);
		printf("%5.3f (%5.3f-%5.3f)   ", med, lo, hi);
		ratio(BASE, ENFORCE, m, &med, &lo, &hi);
		if (metrics[m].target)
			printf("%s %.2f: ", metrics[m].max ? "<=" : ">=",
			       metrics[m].target);
		printf("%s\n", verdict(m, med, lo, hi));
	}
	printf("(signals: us per 1000 writes; their ratios are of rates)\n");
}

/* A VM holding a binding: an ioeventfd on an eventfd of its own. */
static void holder(int kvm, int *vm, int *efd)
{
	struct kvm_ioeventfd io = { .addr = 0x600,
				    .len = 2,
				    .flags = KVM_IOEVENTFD_FLAG_PIO };

	*vm = must(ioctl(kvm, KVM_CREATE_VM, 0), "KVM_CREATE_VM");
	*efd = must(eventfd(0, EFD_CLOEXEC), "eventfd");
	io.fd = *efd;
	must(ioctl(*vm, KVM_IOEVENTFD, &io), "KVM_IOEVENTFD");
}

/*
 * Bind cost with @n VMs running, each holding a binding, over that with
 * 1, round by round.
 */
static void scale(struct ctx *x)
{
	static int extra[500], efd[500];
	double v[3][MAX_ROUNDS], op[MAX_ITER], ctl[MAX_ITER], rel[MAX_ROUNDS];
	double med;
	static const int at[3] = { 1, 100, 500 };
	int r, k, n, i;

	for (r = 0; r < rounds; r++) {
		for (n = 1, k = 0; k < 3; k++) {
			for (; n < at[k]; n++)
				holder(x->kvm, &extra[n - 1], &efd[n - 1]);
			for (i = 0; i < 200; i++) {
				op[i] = once(x, IRQFD);
				ctl[i] = control(x->vm);
			}
			v[k][r] = median(op, 200) / median(ctl, 200);
		}
		for (n = 1; n < 500; n++) {
			close(extra[n - 1]);
			close(efd[n - 1]);
		}
	}
	printf("\n%-33s %s\n", "irqfd bind, N VMs holding bindings",
	       "over 1 VM, median (min-max) of rounds: flat is 1");
	for (k = 1; k < 3; k++) {
		for (r = 0; r < rounds; r++)
			rel[r] = v[k][r] / v[0][r];
		med = median(rel, rounds); /* sorts rel */
		printf("  %3d VMs %24s %5.3f (%5.3f-%5.3f)\n", at[k], "", med,
		       rel[0], rel[rounds - 1]);
	}
}

static void own_time(const long long before[][3])
{
	long long n, ns, max, p50, p99;
	int m;

	printf("\n%-33s %6s %8s %8s %8s %9s %s\n",
	       "shype's own decisions (enforce)", "count", "p50 ns", "p99 ns",
	       "mean ns", "max ns", "p50/op median");
	for (m = 0; m < NR_METRICS; m++) {
		double op[MAX_ROUNDS];
		int r;

		if (!metrics[m].op)
			continue;
		decisions(metrics[m].op, &n, &ns, &max);
		percentiles(metrics[m].op, &p50, &p99);
		n -= before[m][0];
		ns -= before[m][1];
		for (r = 0; r < rounds; r++)
			op[r] = raw[ENFORCE][r][m];
		printf("%-33s %6lld %8lld %8lld %8.0f %9lld %.2f%%\n",
		       metrics[m].name, n, p50, p99, n ? (double)ns / n : 0.0,
		       max, 100.0 * p50 / 1e3 / median(op, rounds));
	}
	printf("(a decision: from taking shype_lock, or entering the bind,\n"
	       " to the verdict; one per iteration: on assign, on set.\n"
	       " p50/p99: lower bounds of 1/4-octave buckets; the mean and max\n"
	       " include the vCPU's stalls on the busy machine; the open\n"
	       " row counts the decisions of both VMM open rows)\n");
}

/* A policy of @labels labels over @types STE and @types CHWALL types. */
static char *big_policy(int labels, int types)
{
	size_t size = (size_t)labels * 96 + (size_t)types * 24 + 256, n = 0;
	char *s = malloc(size);
	int i;

	n += sprintf(s + n, "{\"name\": \"big\", \"version\": \"1\", "
			    "\"ste\": {\"types\": [");
	for (i = 0; i < types; i++)
		n += sprintf(s + n, "%s\"t%d\"", i ? "," : "", i);
	n += sprintf(s + n, "]}, \"chwall\": {\"types\": [");
	for (i = 0; i < types; i++)
		n += sprintf(s + n, "%s\"t%d\"", i ? "," : "", i);
	n += sprintf(s + n, "]}, \"labels\": {");
	for (i = 0; i < labels; i++)
		n += sprintf(s + n,
			     "%s\"l%d\": {\"ste\": [\"t%d\", \"t%d\"], "
			     "\"chwall\": [\"t%d\"]}",
			     i ? "," : "", i, i % types, (i + 1) % types,
			     i % types);
	sprintf(s + n, "}}");
	return s;
}

/*
 * Load @blob as shypectl does, forced; the time of the write(), which
 * holds the whole load, in us, or -errno.
 */
static double load_timed(const void *blob, size_t len)
{
	struct shype_load_request req = {
		.magic = htole32(SHYPE_LOAD_MAGIC),
		.flags = htole32(SHYPE_LOAD_FORCE),
	};
	char *buf = malloc(sizeof(req) + len);
	double t = -ENOMEM;
	int fd;

	if (!buf)
		return t;
	memcpy(buf, &req, sizeof(req));
	memcpy(buf + sizeof(req), blob, len);
	fd = open(SFS "/policy", O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		t = -errno;
	} else {
		t = now_us();
		if (write(fd, buf, sizeof(req) + len) !=
		    (ssize_t)(sizeof(req) + len))
			t = -errno;
		else
			t = now_us() - t;
		close(fd);
	}
	free(buf);
	return t;
}

static void big(void)
{
	struct shype_errors errs = { 0 };
	char *text = big_policy(10000, 1024);
	long long mem, n0, ns0, n1, ns1, max;
	struct shype_model *m;
	double t0, t1, load;
	size_t len;
	void *blob;

	t0 = now_us();
	if (shype_model_parse("big.json", text, strlen(text), &m, &errs) ||
	    shype_model_compile(m, &blob, &len)) {
		fprintf(stderr, "bench: big policy does not compile\n");
		exit(1);
	}
	t1 = now_us();
	decisions("policy_load", &n0, &ns0, &max);
	load = load_timed(blob, len);
	if (load < 0) {
		fprintf(stderr, "bench: big policy refused: %s\n",
			strerror(-load));
		exit(1);
	}
	decisions("policy_load", &n1, &ns1, &max);
	mem = file_value(SFS "/status", "policy=", "memory");
	printf("\n%-33s %10.1f ms\n", "10000 labels x 1024 types: compile",
	       (t1 - t0) / 1e3);
	printf("%-33s %10.1f ms   (target < 50 ms: %s)\n",
	       "  load into the kernel (write)", load / 1e3,
	       load < 50e3 ? "PASS" : "FAIL");
	printf("%-33s %10.1f ms   (in the module, validation included)\n",
	       "  of which the load decision", (ns1 - ns0) / 1e6);
	printf("%-33s %10.2f MiB  (target < 4 MiB: %s; blob %.2f MiB)\n",
	       "  kernel memory", mem / 1048576.0,
	       mem < 4 << 20 ? "PASS" : "FAIL", len / 1048576.0);
	shype_model_free(m);
	free(blob);
	free(text);
}

int main(int argc, char **argv)
{
	const char *ko = getenv("SHYPE_KO");
	struct rlimit files = { 4096, 4096 };
	long long before[NR_METRICS][3], max;
	struct ctx x;
	int fd, m;

	setvbuf(stdout, NULL, _IOLBF, 0);
	/* 500 VMs and their eventfds, beyond the default 1024 fds. */
	must(setrlimit(RLIMIT_NOFILE, &files), "setrlimit");
	if (argc > 1)
		rounds = atoi(argv[1]);
	if (rounds < 1 || rounds > MAX_ROUNDS) {
		fprintf(stderr, "bench: 1 to %d rounds\n", MAX_ROUNDS);
		return 2;
	}
	x.kvm = must(open("/dev/kvm", O_RDWR | O_CLOEXEC), "/dev/kvm");
	/* Before any VM: the plain process must hold none. */
	plain_start(&x);
	x.vm = must(ioctl(x.kvm, KVM_CREATE_VM, 0), "KVM_CREATE_VM");
	must(ioctl(x.vm, KVM_CREATE_IRQCHIP, 0), "KVM_CREATE_IRQCHIP");
	x.efd = must(eventfd(0, EFD_CLOEXEC), "eventfd");
	x.shm = must(memfd_create("shype-bench", MFD_CLOEXEC), "memfd");
	must(ftruncate(x.shm, SHM_SIZE), "ftruncate");
	x.mem = mmap(NULL, SHM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, x.shm,
		     0);
	if (x.mem == MAP_FAILED)
		must(-1, "mmap");
	close(must(open(FILE_PLAIN, O_RDWR | O_CREAT | O_CLOEXEC, 0644),
		   "create"));
	close(must(open(FILE_ORDER, O_RDWR | O_CREAT | O_CLOEXEC, 0644),
		   "create"));
	must(setxattr(FILE_ORDER, "security.shype", "order", 5, 0), "label");
	run_state(&x, BASE);

	fd = must(open(ko ? ko : "", O_RDONLY | O_CLOEXEC), "open $SHYPE_KO");
	must(syscall(SYS_finit_module, fd, "", 0), "load shype.ko");
	close(fd);
	/* shype knows only VMs created after it is loaded: a new one. */
	close(x.vm);
	x.vm = must(ioctl(x.kvm, KVM_CREATE_VM, 0), "KVM_CREATE_VM");
	must(ioctl(x.vm, KVM_CREATE_IRQCHIP, 0), "KVM_CREATE_IRQCHIP");
	run_state(&x, IDLE);

	/* Its unlabelled VM would make the policy refuse: gone first. */
	close(x.vm);
	must(load_fig2("bench", "1.0", FIG2_WALL, "deny", NULL, 0), "policy");
	must(cg_label("bench", "order"), "label");
	must(cg_enter("bench"), "cgroup");
	x.vm = must(ioctl(x.kvm, KVM_CREATE_VM, 0), "KVM_CREATE_VM");
	must(ioctl(x.vm, KVM_CREATE_IRQCHIP, 0), "KVM_CREATE_IRQCHIP");
	for (m = 0; m < NR_METRICS; m++)
		if (metrics[m].op)
			decisions(metrics[m].op, &before[m][0], &before[m][1],
				  &max);
	run_state(&x, ENFORCE);

	table();
	own_time(before);
	scale(&x);
	/* The big policy has no label 'order': no VM may be left. */
	close(x.vm);
	big();
	printf("bench: done\n");
	return 0;
}
