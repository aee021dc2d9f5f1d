// SPDX-License-Identifier: GPL-2.0
/*
 * shype-bench: what shype costs, measured in one run of the test host.
 * Each figure is first taken with shype.ko not loaded, then again after
 * loading it, a policy, and running in a labelled cgroup; the table gives
 * medians and their ratio.  Then a policy of 10 000 labels x 1 024 types:
 * compile time, load time, kernel memory.  Prints "bench: done" last.
 *
 * usage: shype-bench      (needs $SHYPE_KO, the module to load)
 */
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <time.h>

#include "../harness.h"
#include "../shype_util.h"

#define SHM_SIZE (2 << 20)

enum {
	VM_CREATE,
	IRQFD,
	IOEVENTFD,
	MEMSLOT,
	SIGNAL,
	BIND1,
	BIND100,
	BIND500,
	NR_METRICS
};

static const struct {
	const char *name, *unit, *target;
} metrics[NR_METRICS] = {
	[VM_CREATE] = { "VM create+destroy", "us", "<= 1.02" },
	[IRQFD] = { "KVM_IRQFD assign+deassign", "us", "<= 1.05" },
	[IOEVENTFD] = { "KVM_IOEVENTFD assign+deassign", "us", "<= 1.05" },
	[MEMSLOT] = { "memslot set+delete, shared file", "us", "<= 1.10" },
	[SIGNAL] = { "eventfd->irqfd signals", "k/s", ">= 0.99" },
	[BIND1] = { "irqfd bind, 1 VM running", "us", "flat" },
	[BIND100] = { "irqfd bind, 100 VMs running", "us", "flat" },
	[BIND500] = { "irqfd bind, 500 VMs running", "us", "flat" },
};

static double result[2][NR_METRICS];

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
	return v[n / 2];
}

static int must(int ret, const char *what)
{
	if (ret < 0) {
		fprintf(stderr, "bench: %s: %s\n", what, strerror(errno));
		exit(1);
	}
	return ret;
}

static int new_vm(int kvm)
{
	int vm = must(ioctl(kvm, KVM_CREATE_VM, 0), "KVM_CREATE_VM");

	must(ioctl(vm, KVM_CREATE_IRQCHIP, 0), "KVM_CREATE_IRQCHIP");
	return vm;
}

static double bench_irqfd(int vm, int efd, int n)
{
	struct kvm_irqfd a = { .fd = efd, .gsi = 9 };
	double v[n], t;
	int i;

	for (i = 0; i < n; i++) {
		t = now_us();
		a.flags = 0;
		must(ioctl(vm, KVM_IRQFD, &a), "KVM_IRQFD");
		a.flags = KVM_IRQFD_FLAG_DEASSIGN;
		must(ioctl(vm, KVM_IRQFD, &a), "KVM_IRQFD deassign");
		v[i] = now_us() - t;
	}
	return median(v, n);
}

static void measure(int kvm, double *r)
{
	struct kvm_userspace_memory_region slot = { .slot = 1,
						    .guest_phys_addr = 1 << 30,
						    .memory_size = SHM_SIZE };
	struct kvm_ioeventfd io = { .addr = 0x600,
				    .len = 2,
				    .flags = KVM_IOEVENTFD_FLAG_PIO };
	int vm, efd, shm, i, extra[500], n;
	double v[2000], t;
	void *mem;

	for (i = 0; i < 200; i++) {
		t = now_us();
		close(must(ioctl(kvm, KVM_CREATE_VM, 0), "KVM_CREATE_VM"));
		v[i] = now_us() - t;
	}
	r[VM_CREATE] = median(v, 200);

	vm = new_vm(kvm);
	efd = must(eventfd(0, EFD_CLOEXEC), "eventfd");
	r[IRQFD] = bench_irqfd(vm, efd, 2000);

	io.fd = efd;
	for (i = 0; i < 2000; i++) {
		t = now_us();
		io.flags = KVM_IOEVENTFD_FLAG_PIO;
		must(ioctl(vm, KVM_IOEVENTFD, &io), "KVM_IOEVENTFD");
		io.flags |= KVM_IOEVENTFD_FLAG_DEASSIGN;
		must(ioctl(vm, KVM_IOEVENTFD, &io), "KVM_IOEVENTFD deassign");
		v[i] = now_us() - t;
	}
	r[IOEVENTFD] = median(v, 2000);

	shm = must(memfd_create("shype-bench", MFD_CLOEXEC), "memfd");
	must(ftruncate(shm, SHM_SIZE), "ftruncate");
	mem = mmap(NULL, SHM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, shm, 0);
	slot.userspace_addr = (uintptr_t)mem;
	for (i = 0; i < 500; i++) {
		t = now_us();
		slot.memory_size = SHM_SIZE;
		must(ioctl(vm, KVM_SET_USER_MEMORY_REGION, &slot), "memslot");
		slot.memory_size = 0;
		must(ioctl(vm, KVM_SET_USER_MEMORY_REGION, &slot), "memslot");
		v[i] = now_us() - t;
	}
	r[MEMSLOT] = median(v, 500);

	{
		struct kvm_irqfd a = { .fd = efd, .gsi = 9 };

		must(ioctl(vm, KVM_IRQFD, &a), "KVM_IRQFD");
		t = now_us();
		for (i = 0; i < 200000; i++)
			eventfd_write(efd, 1);
		r[SIGNAL] = 200000 / (now_us() - t) * 1e3;
		a.flags = KVM_IRQFD_FLAG_DEASSIGN;
		must(ioctl(vm, KVM_IRQFD, &a), "KVM_IRQFD deassign");
	}

	/* Bind cost against the number of VMs running. */
	r[BIND1] = bench_irqfd(vm, efd, 1000);
	for (n = 0; n < 500; n++) {
		extra[n] = must(ioctl(kvm, KVM_CREATE_VM, 0), "KVM_CREATE_VM");
		if (n == 98)
			r[BIND100] = bench_irqfd(vm, efd, 1000);
	}
	r[BIND500] = bench_irqfd(vm, efd, 1000);
	for (n = 0; n < 500; n++)
		close(extra[n]);
	munmap(mem, SHM_SIZE);
	close(shm);
	close(efd);
	close(vm);
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

static void big(void)
{
	struct shype_errors errs = { 0 };
	struct shype_model *m;
	double t0, t1, t2;
	char *text = big_policy(10000, 1024), why[256];
	size_t len;
	void *blob;
	long long mem;

	t0 = now_us();
	if (shype_model_parse("big.json", text, strlen(text), &m, &errs) ||
	    shype_model_compile(m, &blob, &len)) {
		fprintf(stderr, "bench: big policy does not compile\n");
		exit(1);
	}
	t1 = now_us();
	if (load_blob(blob, len, SHYPE_LOAD_FORCE, why, sizeof(why))) {
		fprintf(stderr, "bench: big policy refused: %s\n", why);
		exit(1);
	}
	t2 = now_us();
	mem = file_value(SFS "/status", "policy=", "memory");
	printf("%-34s %10.1f ms\n", "10000 labels x 1024 types: compile",
	       (t1 - t0) / 1e3);
	printf("%-34s %10.1f ms   (target < 50 ms)\n", "  load into the kernel",
	       (t2 - t1) / 1e3);
	printf("%-34s %10.2f MiB  (target < 4 MiB; blob %.2f MiB)\n",
	       "  kernel memory", mem / 1048576.0, len / 1048576.0);
	shype_model_free(m);
	free(blob);
	free(text);
}

int main(void)
{
	const char *ko = getenv("SHYPE_KO");
	int kvm, i, fd;

	setvbuf(stdout, NULL, _IOLBF, 0);
	kvm = must(open("/dev/kvm", O_RDWR | O_CLOEXEC), "/dev/kvm");
	printf("bench: baseline, shype.ko not loaded\n");
	measure(kvm, result[0]);

	fd = must(open(ko ? ko : "", O_RDONLY | O_CLOEXEC), "open $SHYPE_KO");
	must(syscall(SYS_finit_module, fd, "", 0), "load shype.ko");
	close(fd);
	must(load_fig2("bench", "1.0", FIG2_WALL, "deny", NULL, 0), "policy");
	must(cg_label("bench", "order"), "label");
	must(cg_enter("bench"), "cgroup");
	printf("bench: shype enforcing, VMs labelled 'order'\n");
	measure(kvm, result[1]);

	printf("\n%-34s %10s %10s %7s  %s\n", "median", "no shype", "shype",
	       "ratio", "target");
	for (i = 0; i < NR_METRICS; i++)
		printf("%-34s %7.1f %-2s %7.1f %-2s %7.3f  %s\n",
		       metrics[i].name, result[0][i], metrics[i].unit,
		       result[1][i], metrics[i].unit,
		       result[1][i] / result[0][i], metrics[i].target);
	printf("\n");
	big();
	printf("bench: done\n");
	return 0;
}
