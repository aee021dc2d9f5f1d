// SPDX-License-Identifier: GPL-2.0
/*
 * vhost's eventfds: a virtqueue's kick, call and err, and the dirty log,
 * bound by the device's owner, whose VM is the subject: the same Simple
 * Type Enforcement rule as for an irqfd.
 */
#include <sys/eventfd.h>
#include <linux/vhost.h>

#include "harness.h"
#include "shype_util.h"

static int vring(int dev, unsigned long ioctl_nr, int fd)
{
	struct vhost_vring_file f = { .index = 0, .fd = fd };

	return ioctl(dev, ioctl_nr, &f) ? -errno : 0;
}

static int log_fd(int dev, int fd)
{
	return ioctl(dev, VHOST_SET_LOG_FD, &fd) ? -errno : 0;
}

static int vhost_owned(void)
{
	int dev = open("/dev/vhost-net", O_RDWR | O_CLOEXEC);

	if (dev < 0 && errno == ENOENT)
		SKIP("no /dev/vhost-net");
	ASSERT_GE(dev, 0);
	ASSERT_EQ(ioctl(dev, VHOST_SET_OWNER, NULL), 0);
	return dev;
}

TEST(vhost_eventfds_denied_across_coalitions)
{
	static const unsigned long ops[] = { VHOST_SET_VRING_KICK,
					     VHOST_SET_VRING_CALL,
					     VHOST_SET_VRING_ERR };
	int order_efd = eventfd(0, EFD_CLOEXEC), own = eventfd(0, EFD_CLOEXEC);
	int ctl, vm, dev;
	long long seq;
	pid_t order;
	size_t i;

	ASSERT_EQ(load_fig2("vhost", "1.0", "", "deny", NULL, 0), 0);
	ASSERT_EQ(cg_label("order", "order"), 0);
	ASSERT_EQ(cg_label("ads", "advertising"), 0);
	order = vm_bound_to("order", order_efd, &ctl);
	ASSERT_EQ(cg_enter("ads"), 0);
	vm = vm_create_here();
	ASSERT_GE(vm, 0);
	dev = vhost_owned();

	seq = audit_last();
	for (i = 0; i < 3; i++) {
		EXPECT_EQ(vring(dev, ops[i], order_efd), -EACCES);
		EXPECT_EQ(vring(dev, ops[i], own), 0);
	}
	EXPECT_EQ(log_fd(dev, order_efd), -EACCES);
	EXPECT_EQ(log_fd(dev, own), 0);
	EXPECT_EQ(audit_since(seq, "op=vhost_eventfd result=denied",
			      "(advertising) pid="),
		  4);
	EXPECT_TRUE(file_has(SFS "/bindings", "(advertising)", NULL));
	close(dev);
	close(vm);
	close(ctl);
	waitpid(order, NULL, 0);
	EXPECT_FALSE(file_has(SFS "/bindings", "(advertising)", NULL));
}

TEST(vhost_eventfd_allowed_within_coalition)
{
	int efd = eventfd(0, EFD_CLOEXEC);
	int ctl, vm, dev;
	pid_t order;

	ASSERT_EQ(load_fig2("vhost-2", "1.0", "", "deny", NULL, 0), 0);
	ASSERT_EQ(cg_label("order", "order"), 0);
	ASSERT_EQ(cg_label("order2", "order"), 0);
	order = vm_bound_to("order", efd, &ctl);
	ASSERT_EQ(cg_enter("order2"), 0);
	vm = vm_create_here();
	ASSERT_GE(vm, 0);
	dev = vhost_owned();
	EXPECT_EQ(vring(dev, VHOST_SET_VRING_CALL, efd), 0);
	EXPECT_TRUE(file_has(SFS "/bindings", "(order),", NULL));
	close(dev);
	close(vm);
	close(ctl);
	waitpid(order, NULL, 0);
}

/*
 * A vhost binding outlives the VM it was recorded on, if the process has
 * another; it goes with the last.
 */
TEST(vhost_binding_passes_to_the_process_next_vm)
{
	int efd = eventfd(0, EFD_CLOEXEC), vm1, vm2, dev, status;

	ASSERT_EQ(load_fig2("vhost-4", "1.0", "", "deny", NULL, 0), 0);
	ASSERT_EQ(cg_label("order", "order"), 0);
	ASSERT_EQ(cg_label("ads", "advertising"), 0);
	ASSERT_EQ(cg_enter("order"), 0);
	vm1 = vm_create_here();
	vm2 = vm_create_here();
	ASSERT_GE(vm1, 0);
	ASSERT_GE(vm2, 0);
	dev = vhost_owned();
	ASSERT_EQ(vring(dev, VHOST_SET_VRING_CALL, efd), 0);
	close(vm1);
	EXPECT_TRUE(file_has(SFS "/bindings", "(order)", NULL));
	/* Still Order's: an Advertising VM may not bind it. */
	if (fork() == 0) {
		struct kvm_irqfd irqfd = { .fd = efd, .gsi = 5 };
		int vm;

		if (cg_enter("ads"))
			_exit(1);
		vm = vm_create_here();
		if (vm < 0 || ioctl(vm, KVM_CREATE_IRQCHIP, 0))
			_exit(2);
		_exit(ioctl(vm, KVM_IRQFD, &irqfd) && errno == EACCES ? 0 : 3);
	}
	wait(&status);
	EXPECT_EQ(WEXITSTATUS(status), 0);
	close(vm2);
	EXPECT_FALSE(file_has(SFS "/bindings", "(order)", NULL));
	close(dev);
}

/* A vhost owner with no VM has no label to bind with. */
TEST(vhost_eventfd_denied_to_process_without_vm)
{
	int efd = eventfd(0, EFD_CLOEXEC);
	long long seq;
	int dev;

	ASSERT_EQ(load_fig2("vhost-3", "1.0", "", "deny", NULL, 0), 0);
	dev = vhost_owned();
	seq = audit_last();
	EXPECT_EQ(vring(dev, VHOST_SET_VRING_KICK, efd), -EACCES);
	EXPECT_EQ(audit_since(seq, "op=vhost_eventfd result=denied",
			      "reason=unknown_vm"),
		  1);
	close(dev);
}

TEST_HARNESS_MAIN
