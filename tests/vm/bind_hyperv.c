// SPDX-License-Identifier: GPL-2.0
/*
 * KVM_HYPERV_EVENTFD binds an eventfd to a Hyper-V connection id: the same
 * Simple Type Enforcement rule as for an irqfd.  Its deassign names the
 * connection id, not the eventfd.
 */
#include <sys/eventfd.h>

#include "harness.h"
#include "shype_util.h"

static int hv_eventfd(int vm, int fd, __u32 conn_id)
{
	struct kvm_hyperv_eventfd a = { .conn_id = conn_id, .fd = fd };

	return ioctl(vm, KVM_HYPERV_EVENTFD, &a) ? -errno : 0;
}

TEST(hv_eventfd_denied_across_coalitions)
{
	int order_efd = eventfd(0, EFD_CLOEXEC), own = eventfd(0, EFD_CLOEXEC);
	long long seq;
	int ctl, vm;
	pid_t order;

	ASSERT_EQ(load_fig2("hv-eventfd", "1.0", "", "deny", NULL, 0), 0);
	ASSERT_EQ(cg_label("order", "order"), 0);
	ASSERT_EQ(cg_label("ads", "advertising"), 0);
	order = vm_bound_to("order", order_efd, &ctl);

	ASSERT_EQ(cg_enter("ads"), 0);
	vm = vm_create_here();
	ASSERT_GE(vm, 0);
	if (ioctl(vm, KVM_CHECK_EXTENSION, KVM_CAP_HYPERV_EVENTFD) <= 0)
		SKIP("no KVM_CAP_HYPERV_EVENTFD");
	seq = audit_last();
	EXPECT_EQ(hv_eventfd(vm, order_efd, 1), -EACCES);
	EXPECT_EQ(audit_since(seq, "op=hv_eventfd result=denied",
			      "reason=ste peer="),
		  1);
	EXPECT_EQ(hv_eventfd(vm, own, 1), 0);
	EXPECT_TRUE(file_has(SFS "/bindings", "(advertising)", NULL));
	close(vm);
	close(ctl);
	waitpid(order, NULL, 0);
	EXPECT_FALSE(file_has(SFS "/bindings", "(advertising)", NULL));
}

TEST(hv_eventfd_allowed_within_coalition)
{
	int efd = eventfd(0, EFD_CLOEXEC);
	int ctl, vm;
	pid_t order;

	ASSERT_EQ(load_fig2("hv-eventfd-2", "1.0", "", "deny", NULL, 0), 0);
	ASSERT_EQ(cg_label("order", "order"), 0);
	ASSERT_EQ(cg_label("order2", "order"), 0);
	order = vm_bound_to("order", efd, &ctl);
	ASSERT_EQ(cg_enter("order2"), 0);
	vm = vm_create_here();
	ASSERT_GE(vm, 0);
	if (ioctl(vm, KVM_CHECK_EXTENSION, KVM_CAP_HYPERV_EVENTFD) <= 0)
		SKIP("no KVM_CAP_HYPERV_EVENTFD");
	EXPECT_EQ(hv_eventfd(vm, efd, 2), 0);
	close(vm);
	close(ctl);
	waitpid(order, NULL, 0);
}

static int hv_eventfd_deassign(int vm, __u32 conn_id)
{
	struct kvm_hyperv_eventfd a = {
		.conn_id = conn_id,
		.fd = -1,
		.flags = KVM_HYPERV_EVENTFD_DEASSIGN,
	};

	return ioctl(vm, KVM_HYPERV_EVENTFD, &a) ? -errno : 0;
}

TEST(hv_eventfd_deassign_releases_the_binding)
{
	int efd = eventfd(0, EFD_CLOEXEC);
	int ctl, vm;
	pid_t ads;

	ASSERT_EQ(load_fig2("hv-eventfd-3", "1.0", "", "deny", NULL, 0), 0);
	ASSERT_EQ(cg_label("order", "order"), 0);
	ASSERT_EQ(cg_label("ads", "advertising"), 0);
	ASSERT_EQ(cg_enter("order"), 0);
	vm = vm_create_here();
	ASSERT_GE(vm, 0);
	if (ioctl(vm, KVM_CHECK_EXTENSION, KVM_CAP_HYPERV_EVENTFD) <= 0)
		SKIP("no KVM_CAP_HYPERV_EVENTFD");
	EXPECT_EQ(hv_eventfd(vm, efd, 3), 0);
	EXPECT_EQ(hv_eventfd(vm, efd, 4), 0);
	EXPECT_EQ(hv_eventfd_deassign(vm, 3), 0);
	EXPECT_TRUE(file_has(SFS "/bindings", "(order)", NULL));
	EXPECT_EQ(hv_eventfd_deassign(vm, 9), -ENOENT);
	EXPECT_EQ(hv_eventfd_deassign(vm, 4), 0);
	EXPECT_FALSE(file_has(SFS "/bindings", "(order)", NULL));
	/* The eventfd is free for the other coalition, its VM still runs. */
	ads = vm_bound_to("ads", efd, &ctl);
	close(ctl);
	waitpid(ads, NULL, 0);
	close(vm);
}

TEST_HARNESS_MAIN
