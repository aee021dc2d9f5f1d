// SPDX-License-Identifier: GPL-2.0
/*
 * shype-soak: 1000 VMs created and destroyed with binds (an irqfd, an
 * ioeventfd and a memslot of a shared memfd each), by two workers at once
 * (the test host has two vCPUs), while a third process keeps replacing the
 * policy.  Then every VM has ended: shype must hold no VM and no binding,
 * and the kmalloc caches must have grown by no more than a small tolerance.
 * Prints its figures, then "ok - soak" or "not ok - soak: WHY"; run.sh
 * fails the run on any WARNING, BUG or Oops in the kernel log.
 *
 * usage: shype-soak [CYCLES]   (default 1000; shype.ko and KVM loaded)
 */
#include <sys/eventfd.h>
#include <sys/wait.h>
#include <time.h>

#include "../harness.h"
#include "../shype_util.h"

#define SHM_SIZE  (1 << 20)
#define TOLERANCE (256 << 10) /* bytes of kmalloc caches */

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* One VM's life: create, bind three objects, destroy; 0 or -errno. */
static int cycle(int kvm, int efd, int efd2, void *mem)
{
	struct kvm_userspace_memory_region slot = {
		.slot = 1,
		.guest_phys_addr = 1 << 30,
		.memory_size = SHM_SIZE,
		.userspace_addr = (uintptr_t)mem,
	};
	struct kvm_ioeventfd io = { .addr = 0x600,
				    .len = 2,
				    .fd = efd2,
				    .flags = KVM_IOEVENTFD_FLAG_PIO };
	struct kvm_irqfd irq = { .fd = efd, .gsi = 9 };
	int vm = ioctl(kvm, KVM_CREATE_VM, 0), err = 0;

	if (vm < 0)
		return -errno;
	if (ioctl(vm, KVM_CREATE_IRQCHIP, 0) || ioctl(vm, KVM_IRQFD, &irq) ||
	    ioctl(vm, KVM_IOEVENTFD, &io) ||
	    ioctl(vm, KVM_SET_USER_MEMORY_REGION, &slot))
		err = -errno;
	close(vm); /* its binds go with it */
	return err;
}

/* A worker: @n cycles; exits 0, or 1 after saying what failed. */
static void worker(int id, int n)
{
	int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	int efd = eventfd(0, EFD_CLOEXEC), efd2 = eventfd(0, EFD_CLOEXEC);
	int shm = memfd_create("shype-soak", MFD_CLOEXEC), i, err;
	void *mem;

	if (kvm < 0 || efd < 0 || efd2 < 0 || shm < 0 ||
	    ftruncate(shm, SHM_SIZE)) {
		printf("# worker %d: setup: %s\n", id, strerror(errno));
		exit(1);
	}
	mem = mmap(NULL, SHM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, shm, 0);
	if (mem == MAP_FAILED)
		exit(1);
	for (i = 0; i < n; i++) {
		err = cycle(kvm, efd, efd2, mem);
		if (err) {
			printf("# worker %d: cycle %d: %s\n", id, i,
			       strerror(-err));
			exit(1);
		}
	}
	exit(0);
}

/* Replace the policy (two names in turn, forced) until killed. */
static void reloader(int out)
{
	char name[16];
	long n;

	for (n = 0;; n++) {
		snprintf(name, sizeof(name), "soak-%c", n % 2 ? 'b' : 'a');
		if (load_fig2(name, "1.0", FIG2_WALL, "deny", NULL, 0)) {
			printf("# reload %ld refused\n", n);
			exit(1);
		}
		if (write(out, "x", 1) != 1)
			exit(1);
	}
}

/* Bytes held in the kmalloc caches, from /proc/slabinfo. */
static long long kmalloc_bytes(void)
{
	FILE *f = fopen("/proc/slabinfo", "r");
	char line[512], name[64];
	long long sum = 0, active, total, size;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%63s %lld %lld %lld", name, &active, &total,
			   &size) == 4 &&
		    !strncmp(name, "kmalloc-", 8))
			sum += active * size;
	fclose(f);
	return sum;
}

/* Lines of shype's file @name that start with @prefix. */
static int lines(const char *name, const char *prefix)
{
	static char buf[1 << 16];
	char path[128], *l, *save;
	int n = 0;

	snprintf(path, sizeof(path), SFS "/%s", name);
	if (read_file(path, buf, sizeof(buf)) < 0)
		return -1;
	for (l = strtok_r(buf, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
		n += !strncmp(l, prefix, strlen(prefix));
	return n;
}

static const char *const ops[] = { "create", "irqfd", "ioeventfd", "memslot",
				   "policy_load" };
#define NR_OPS ((int)(sizeof(ops) / sizeof(ops[0])))

static void stats(long long v[][4])
{
	char match[32];
	int i;

	for (i = 0; i < NR_OPS; i++) {
		snprintf(match, sizeof(match), "op=%s ", ops[i]);
		v[i][0] = file_value(SFS "/stats", match, "calls");
		v[i][1] = file_value(SFS "/stats", match, "denied");
		v[i][2] = file_value(SFS "/stats", match, "timed");
		v[i][3] = file_value(SFS "/stats", match, "ns");
	}
}

/* Run @cycles over two workers, with the reloader; the reloads made. */
static int run(int cycles, long *reloads, double *secs)
{
	int pfd[2], st, bad = 0, i;
	pid_t w[2], rl;
	char c;

	if (pipe(pfd))
		return -1;
	rl = fork();
	if (rl == 0) {
		close(pfd[0]);
		reloader(pfd[1]);
	}
	close(pfd[1]);
	*secs = now_s();
	for (i = 0; i < 2; i++) {
		w[i] = fork();
		if (w[i] == 0)
			worker(i, cycles / 2 + (i ? cycles % 2 : 0));
	}
	for (i = 0; i < 2; i++)
		if (waitpid(w[i], &st, 0) < 0 || !WIFEXITED(st) ||
		    WEXITSTATUS(st))
			bad = 1;
	*secs = now_s() - *secs;
	kill(rl, SIGKILL);
	waitpid(rl, &st, 0);
	for (*reloads = 0; read(pfd[0], &c, 1) == 1;)
		++*reloads;
	close(pfd[0]);
	return bad ? -1 : 0;
}

int main(int argc, char **argv)
{
	int cycles = argc > 1 ? atoi(argv[1]) : 1000, vms = -1, binds = -1, i;
	long long s0[NR_OPS][4], s1[NR_OPS][4], k0, k1;
	const char *why = NULL;
	long reloads;
	double secs;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (load_fig2("soak-a", "1.0", FIG2_WALL, "deny", NULL, 0) ||
	    cg_label("soak", "order") || cg_enter("soak")) {
		printf("not ok - soak: setup: %s\n", strerror(errno));
		return 1;
	}
	/* Warm the caches up, so that what stays afterwards is a leak. */
	if (run(100, &reloads, &secs)) {
		printf("not ok - soak: warm-up cycles failed\n");
		return 1;
	}
	sleep(1);
	stats(s0);
	k0 = kmalloc_bytes();
	printf("# soak: %d cycles on 2 workers, policy reloads racing\n",
	       cycles);
	if (run(cycles, &reloads, &secs))
		why = "a cycle failed";
	/* Binds go with their VM; KVM ends an irqfd from a workqueue. */
	for (i = 0; i < 100; i++) {
		vms = lines("vms", "vm=");
		binds = lines("bindings", "object=");
		if (!vms && !binds)
			break;
		usleep(100000);
	}
	sleep(1);
	k1 = kmalloc_bytes();
	stats(s1);

	printf("# %d VMs in %.1f s (%.1f ms each, 2 at a time), %ld policy"
	       " reloads\n",
	       cycles, secs, secs * 1e3 / cycles * 2, reloads);
	printf("# %-12s %8s %8s %12s\n", "op", "calls", "denied", "mean ns");
	for (i = 0; i < NR_OPS; i++) {
		long long t = s1[i][2] - s0[i][2];

		printf("# %-12s %8lld %8lld %12.0f\n", ops[i],
		       s1[i][0] - s0[i][0], s1[i][1] - s0[i][1],
		       t ? (double)(s1[i][3] - s0[i][3]) / t : 0.0);
		if (s1[i][1] != s0[i][1] && !why)
			why = "a decision was a denial";
	}
	printf("# after: vms %d, bindings %d, status vms=%lld\n", vms, binds,
	       file_value(SFS "/status", "mode=", "vms"));
	printf("# kmalloc caches: %lld KiB before, %lld KiB after"
	       " (%+lld KiB; tolerance %d KiB)\n",
	       k0 >> 10, k1 >> 10, (k1 - k0) / 1024, TOLERANCE >> 10);
	if (!why && (vms || binds || file_value(SFS "/status", "mode=", "vms")))
		why = "VMs or bindings left once every VM has ended";
	if (!why &&
	    (s1[0][0] - s0[0][0] < cycles || s1[3][0] - s0[3][0] < cycles))
		why = "fewer decisions than cycles";
	if (!why && (k0 < 0 || k1 - k0 > TOLERANCE))
		why = "kmalloc caches grew beyond the tolerance";
	if (why) {
		printf("not ok - soak: %s\n", why);
		return 1;
	}
	printf("ok - soak\n");
	return 0;
}
