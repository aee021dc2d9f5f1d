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

static int vring_at(int dev, unsigned long ioctl_nr, unsigned int index, int fd)
{
	struct vhost_vring_file f = { .index = index, .fd = fd };

	return ioctl(dev, ioctl_nr, &f) ? -errno : 0;
}

static int vring(int dev, unsigned long ioctl_nr, int fd)
{
	return vring_at(dev, ioctl_nr, 0, fd);
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

/* In a new process of cgroup /@cg, a VM's KVM_IRQFD of @efd: 0 or -errno. */
static int irqfd_from(const char *cg, int efd)
{
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		struct kvm_irqfd irqfd = { .fd = efd, .gsi = 5 };
		int vm;

		if (cg_enter(cg))
			_exit(EIO);
		vm = vm_create_here();
		if (vm < 0 || ioctl(vm, KVM_CREATE_IRQCHIP, 0))
			_exit(ENOTRECOVERABLE);
		_exit(ioctl(vm, KVM_IRQFD, &irqfd) ? errno : 0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -ECHILD;
	return -WEXITSTATUS(status);
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
 * another; it goes with the device.
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
	/* The device holds it still: so does its binding. */
	EXPECT_TRUE(file_has(SFS "/bindings", "(order)", NULL));
	close(dev);
	EXPECT_FALSE(file_has(SFS "/bindings", "(order)", NULL));
}

/*
 * The device's bindings last as long as it holds what it bound, not as
 * long as its process's VM: with the VM closed and the device open, the
 * eventfd is still Order's.
 */
TEST(vhost_binding_outlives_vm_while_device_open)
{
	int efd = eventfd(0, EFD_CLOEXEC), vm, dev;
	long long seq;

	ASSERT_EQ(load_fig2("vhost-5", "1.0", "", "deny", NULL, 0), 0);
	ASSERT_EQ(cg_label("order", "order"), 0);
	ASSERT_EQ(cg_label("order2", "order"), 0);
	ASSERT_EQ(cg_label("ads", "advertising"), 0);
	ASSERT_EQ(cg_enter("order"), 0);
	vm = vm_create_here();
	ASSERT_GE(vm, 0);
	dev = vhost_owned();
	ASSERT_EQ(vring(dev, VHOST_SET_VRING_CALL, efd), 0);
	close(vm);
	EXPECT_TRUE(file_has(SFS "/bindings", "(order)", NULL));
	seq = audit_last();
	EXPECT_EQ(irqfd_from("ads", efd), -EACCES);
	EXPECT_EQ(audit_since(seq, "op=irqfd result=denied",
			      "(advertising) pid="),
		  1);
	EXPECT_EQ(audit_since(seq, "op=irqfd result=denied",
			      "(order) class=eventfd"),
		  1);
	/* The control: Order may share it. */
	EXPECT_EQ(irqfd_from("order2", efd), 0);
	/* It goes with the device. */
	close(dev);
	EXPECT_FALSE(file_has(SFS "/bindings", "(order)", NULL));
	EXPECT_EQ(irqfd_from("ads", efd), 0);
}

/*
 * While the device holds them, the process may create a VM of the
 * device's label only: one of another label is refused, naming the
 * label the device's bindings carry; one of the same label takes them.
 */
TEST(vm_of_other_label_refused_while_device_holds_bindings)
{
	int efd = eventfd(0, EFD_CLOEXEC), vm, dev;
	long long seq;

	ASSERT_EQ(load_fig2("vhost-6", "1.0", "", "deny", NULL, 0), 0);
	ASSERT_EQ(cg_label("order", "order"), 0);
	ASSERT_EQ(cg_label("order2", "order"), 0);
	ASSERT_EQ(cg_label("ads", "advertising"), 0);
	ASSERT_EQ(cg_enter("order"), 0);
	vm = vm_create_here();
	ASSERT_GE(vm, 0);
	dev = vhost_owned();
	ASSERT_EQ(vring(dev, VHOST_SET_VRING_KICK, efd), 0);
	close(vm);
	ASSERT_EQ(cg_enter("ads"), 0);
	seq = audit_last();
	vm = vm_create_here();
	EXPECT_EQ(vm, -EACCES);
	EXPECT_EQ(audit_since(seq, "op=create result=denied",
			      "(advertising) pid="),
		  1);
	EXPECT_EQ(audit_since(seq, "reason=process_label other=", "(order)"),
		  1);
	if (vm >= 0)
		close(vm);
	/* The control: a VM of Order's label takes the bindings over. */
	ASSERT_EQ(cg_enter("order2"), 0);
	vm = vm_create_here();
	EXPECT_GE(vm, 0);
	EXPECT_EQ(irqfd_from("ads", efd), -EACCES);
	EXPECT_EQ(irqfd_from("order", efd), 0);
	close(vm);
	EXPECT_EQ(irqfd_from("ads", efd), -EACCES);
	close(dev);
	EXPECT_EQ(irqfd_from("ads", efd), 0);
}

/*
 * A queue's new kick, call or err eventfd, and a new log, replace the
 * eventfd before them, which is then free; one that another queue still
 * has is not.
 */
TEST(vhost_replaced_eventfd_released)
{
	int e1 = eventfd(0, EFD_CLOEXEC), e2 = eventfd(0, EFD_CLOEXEC);
	int e3 = eventfd(0, EFD_CLOEXEC), e4 = eventfd(0, EFD_CLOEXEC);
	int vm, dev;

	ASSERT_EQ(load_fig2("vhost-7", "1.0", "", "deny", NULL, 0), 0);
	ASSERT_EQ(cg_label("order", "order"), 0);
	ASSERT_EQ(cg_label("ads", "advertising"), 0);
	ASSERT_EQ(cg_enter("order"), 0);
	vm = vm_create_here();
	ASSERT_GE(vm, 0);
	dev = vhost_owned();
	ASSERT_EQ(vring_at(dev, VHOST_SET_VRING_KICK, 0, e1), 0);
	ASSERT_EQ(vring_at(dev, VHOST_SET_VRING_KICK, 1, e1), 0);
	ASSERT_EQ(vring_at(dev, VHOST_SET_VRING_KICK, 0, e2), 0);
	/* Queue 1 has e1 still. */
	EXPECT_EQ(irqfd_from("ads", e1), -EACCES);
	ASSERT_EQ(vring_at(dev, VHOST_SET_VRING_KICK, 1, e2), 0);
	EXPECT_EQ(irqfd_from("ads", e1), 0);
	EXPECT_EQ(irqfd_from("ads", e2), -EACCES);
	/* Setting the same kick again changes nothing. */
	ASSERT_EQ(vring_at(dev, VHOST_SET_VRING_KICK, 1, e2), 0);
	ASSERT_EQ(vring_at(dev, VHOST_SET_VRING_KICK, 0, e1), 0);
	EXPECT_EQ(irqfd_from("ads", e2), -EACCES);
	ASSERT_EQ(vring_at(dev, VHOST_SET_VRING_KICK, 1, e1), 0);
	EXPECT_EQ(irqfd_from("ads", e2), 0);

	/* So do a call and an err eventfd, and their removal. */
	ASSERT_EQ(vring_at(dev, VHOST_SET_VRING_CALL, 0, e1), 0);
	ASSERT_EQ(vring_at(dev, VHOST_SET_VRING_CALL, 1, e1), 0);
	ASSERT_EQ(vring_at(dev, VHOST_SET_VRING_CALL, 0, e3), 0);
	EXPECT_EQ(irqfd_from("ads", e1), -EACCES);
	ASSERT_EQ(vring_at(dev, VHOST_SET_VRING_CALL, 1, e3), 0);
	ASSERT_EQ(vring_at(dev, VHOST_SET_VRING_KICK, 0, e2), 0);
	ASSERT_EQ(vring_at(dev, VHOST_SET_VRING_KICK, 1, e2), 0);
	EXPECT_EQ(irqfd_from("ads", e1), 0);
	ASSERT_EQ(vring_at(dev, VHOST_SET_VRING_CALL, 0, e3), 0);
	ASSERT_EQ(vring_at(dev, VHOST_SET_VRING_CALL, 0, -1), 0);
	EXPECT_EQ(irqfd_from("ads", e3), -EACCES);
	ASSERT_EQ(vring_at(dev, VHOST_SET_VRING_CALL, 1, -1), 0);
	EXPECT_EQ(irqfd_from("ads", e3), 0);
	ASSERT_EQ(vring_at(dev, VHOST_SET_VRING_ERR, 0, e3), 0);
	ASSERT_EQ(vring_at(dev, VHOST_SET_VRING_ERR, 0, e4), 0);
	EXPECT_EQ(irqfd_from("ads", e3), 0);
	ASSERT_EQ(vring_at(dev, VHOST_SET_VRING_ERR, 0, -1), 0);
	EXPECT_EQ(irqfd_from("ads", e4), 0);

	ASSERT_EQ(log_fd(dev, e3), 0);
	ASSERT_EQ(log_fd(dev, e4), 0);
	EXPECT_EQ(irqfd_from("ads", e3), 0);
	EXPECT_EQ(irqfd_from("ads", e4), -EACCES);
	ASSERT_EQ(log_fd(dev, -1), 0);
	EXPECT_EQ(irqfd_from("ads", e4), 0);
	close(dev);
	close(vm);
}

/*
 * The record that keeps a device's bindings past its VM is no VM: the
 * Chinese Wall does not count it, and a policy reload keeps its label.
 */
TEST(kept_record_not_counted_in_chinese_wall)
{
	int efd = eventfd(0, EFD_CLOEXEC), vm, dev;
	char why[1024];

	ASSERT_EQ(load_fig2("vhost-8", "1.0", FIG2_WALL, "deny", NULL, 0), 0);
	ASSERT_EQ(cg_label("order", "order"), 0);
	ASSERT_EQ(cg_label("ads", "advertising"), 0);
	ASSERT_EQ(cg_enter("order"), 0);
	vm = vm_create_here();
	ASSERT_GE(vm, 0);
	dev = vhost_owned();
	ASSERT_EQ(vring(dev, VHOST_SET_VRING_ERR, efd), 0);
	close(vm);
	/* An Advertising VM may run (no Order VM does), not bind it. */
	EXPECT_EQ(irqfd_from("ads", efd), -EACCES);
	EXPECT_EQ(load_fig2("vhost-8", "1.1", FIG2_WALL, "deny", why,
			    sizeof(why)),
		  0);
	EXPECT_EQ(irqfd_from("ads", efd), -EACCES);
	close(dev);
	EXPECT_EQ(irqfd_from("ads", efd), 0);
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
