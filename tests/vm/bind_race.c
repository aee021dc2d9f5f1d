// SPDX-License-Identifier: GPL-2.0
/*
 * No check on a value user space can change afterwards: while an
 * Advertising VM binds fd N again and again, another thread keeps swapping
 * N with dup2() between a free eventfd and one an Order VM is bound to.
 * Whatever KVM binds must be the free one; we learn which by deassigning
 * through the free eventfd's own fd, which fails if KVM bound the other.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <sys/eventfd.h>

#include "harness.h"
#include "shype_util.h"

#define ATTEMPTS 100000
#define SWAP_FD	 200

static atomic_int stop;
static int free_efd, bound_efd;

static void *swapper(void *arg)
{
	(void)arg;
	while (!atomic_load(&stop)) {
		dup2(free_efd, SWAP_FD);
		dup2(bound_efd, SWAP_FD);
	}
	return NULL;
}

static int irqfd(int vm, int fd, int deassign)
{
	struct kvm_irqfd a = { .fd = fd, .gsi = 7 };

	if (deassign)
		a.flags = KVM_IRQFD_FLAG_DEASSIGN;
	return ioctl(vm, KVM_IRQFD, &a) ? -errno : 0;
}

static int ioeventfd(int vm, int fd, int deassign)
{
	struct kvm_ioeventfd a = { .fd = fd,
				   .addr = 0x500,
				   .len = 2,
				   .flags = KVM_IOEVENTFD_FLAG_PIO };

	if (deassign)
		a.flags |= KVM_IOEVENTFD_FLAG_DEASSIGN;
	return ioctl(vm, KVM_IOEVENTFD, &a) ? -errno : 0;
}

/*
 * Did the last bind take the free eventfd?  Unbind it either way.  An
 * ioeventfd deassign fails for an eventfd not bound; an irqfd deassign
 * never fails, but an irqfd assign of an eventfd already bound does.
 */
static bool bound_free(int vm, int (*bind)(int vm, int fd, int deassign))
{
	int err;

	if (bind != irqfd)
		return bind(vm, free_efd, 1) == 0;
	err = bind(vm, free_efd, 0);
	bind(vm, free_efd, 1);
	return err == -EBUSY;
}

/*
 * Swap SWAP_FD while @bind binds it @attempts times; return how often KVM
 * bound the Order VM's eventfd to the Advertising VM.
 */
static long race(int (*bind)(int vm, int fd, int deassign), const char *op,
		 long attempts)
{
	long bypass = 0, denied = 0, allowed = 0, i;
	pthread_t thread;
	int ctl, vm, err;
	pid_t order;

	ASSERT_EQ(load_fig2(op, "1.0", "", "deny", NULL, 0), 0);
	ASSERT_EQ(cg_label("order", "order"), 0);
	ASSERT_EQ(cg_label("ads", "advertising"), 0);
	free_efd = eventfd(0, EFD_CLOEXEC);
	bound_efd = eventfd(0, EFD_CLOEXEC);
	ASSERT_GE(free_efd, 0);
	ASSERT_GE(bound_efd, 0);
	order = vm_bound_to("order", bound_efd, &ctl);

	ASSERT_EQ(cg_enter("ads"), 0);
	vm = vm_create_here();
	ASSERT_GE(vm, 0);
	ASSERT_EQ(ioctl(vm, KVM_CREATE_IRQCHIP, 0), 0);
	ASSERT_EQ(dup2(free_efd, SWAP_FD), SWAP_FD);
	atomic_store(&stop, 0);
	ASSERT_EQ(pthread_create(&thread, NULL, swapper, NULL), 0);
	for (i = 0; i < attempts; i++) {
		err = bind(vm, SWAP_FD, 0);
		if (err == -EACCES) {
			denied++;
			continue;
		}
		if (err)
			continue; /* EBADF while dup2 swaps */
		allowed++;
		if (bound_free(vm, bind))
			continue;
		bypass++; /* KVM bound the Order VM's eventfd */
		bind(vm, bound_efd, 1);
	}
	atomic_store(&stop, 1);
	pthread_join(thread, NULL);
	TH_LOG("%s: %ld attempts, %ld allowed, %ld denied, %ld bypasses", op,
	       attempts, allowed, denied, bypass);
	/* Both sides of the race were reached. */
	EXPECT_GT(allowed, 0);
	close(vm);
	close(ctl);
	waitpid(order, NULL, 0);
	return bypass;
}

/* Enforcing: never a bypass; permissive: the detector sees them. */
static void race_both(int (*bind)(int vm, int fd, int deassign), const char *op)
{
	pid_t pid;
	int status;

	EXPECT_EQ(race(bind, op, ATTEMPTS), 0);
	ASSERT_EQ(write_file(SFS "/mode", "permissive"), 0);
	pid = fork();
	if (pid == 0)
		_exit(race(bind, "race-permissive", 2000) > 0 ? 0 : 1);
	waitpid(pid, &status, 0);
	ASSERT_EQ(write_file(SFS "/mode", "enforce"), 0);
	EXPECT_EQ(WEXITSTATUS(status), 0);
}

TEST_TIMEOUT(irqfd_bind_races_dup2_without_bypass, 600)
{
	race_both(irqfd, "race-irqfd");
}

TEST_TIMEOUT(ioeventfd_bind_races_dup2_without_bypass, 600)
{
	race_both(ioeventfd, "race-ioeventfd");
}

TEST_HARNESS_MAIN
