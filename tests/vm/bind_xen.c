// SPDX-License-Identifier: GPL-2.0
/*
 * bind_xen - KVM_XEN_HVM_SET_ATTR binds an eventfd to a Xen event channel
 * port: the same Simple Type Enforcement rule as for an irqfd.  Its
 * deassign names the port, not the eventfd, and a reset drops every port.
 * Debian builds KVM with Xen since Linux 6.12; on 6.1 these tests skip.
 */
#include <sys/eventfd.h>

#include "harness.h"
#include "shype_util.h"

#define EVTCHNSTAT_interdomain 2

/* A VM in cgroup /@cg, or -errno; skips where KVM has no Xen channels. */
#define XEN_VM(cg)                                                       \
	({                                                               \
		int _vm;                                                 \
		ASSERT_EQ(cg_enter(cg), 0);                              \
		_vm = vm_create_here();                                  \
		ASSERT_GE(_vm, 0);                                       \
		if (!(ioctl(_vm, KVM_CHECK_EXTENSION, KVM_CAP_XEN_HVM) & \
		      KVM_XEN_HVM_CONFIG_EVTCHN_SEND))                   \
			SKIP("KVM has no Xen event channels");           \
		_vm;                                                     \
	})

/* Deliver port @port of @vm to @fd, or with @flags, deassign or reset. */
static int xen_evtchn(int vm, __u32 port, int fd, __u32 flags)
{
	struct kvm_xen_hvm_attr a = { .type = KVM_XEN_ATTR_TYPE_EVTCHN };

	a.u.evtchn.send_port = port;
	a.u.evtchn.type = EVTCHNSTAT_interdomain;
	a.u.evtchn.flags = flags;
	a.u.evtchn.deliver.eventfd.port = 0;
	a.u.evtchn.deliver.eventfd.fd = fd;
	return ioctl(vm, KVM_XEN_HVM_SET_ATTR, &a) ? -errno : 0;
}

TEST(xen_evtchn_denied_across_coalitions)
{
	int order_efd = eventfd(0, EFD_CLOEXEC), own = eventfd(0, EFD_CLOEXEC);
	long long seq;
	int ctl, vm;
	pid_t order;

	ASSERT_EQ(load_fig2("xen-evtchn", "1.0", "", "deny", NULL, 0), 0);
	ASSERT_EQ(cg_label("order", "order"), 0);
	ASSERT_EQ(cg_label("ads", "advertising"), 0);
	order = vm_bound_to("order", order_efd, &ctl);
	vm = XEN_VM("ads");
	seq = audit_last();
	EXPECT_EQ(xen_evtchn(vm, 1, order_efd, 0), -EACCES);
	EXPECT_EQ(audit_since(seq, "op=xen_evtchn result=denied",
			      "reason=ste peer="),
		  1);
	EXPECT_FALSE(file_has(SFS "/bindings", "(advertising)", NULL));
	EXPECT_EQ(xen_evtchn(vm, 1, own, 0), 0);
	EXPECT_TRUE(file_has(SFS "/bindings", "(advertising)", NULL));
	close(vm);
	close(ctl);
	waitpid(order, NULL, 0);
	EXPECT_FALSE(file_has(SFS "/bindings", "(advertising)", NULL));
}

TEST(xen_evtchn_deassign_and_reset_release_the_bindings)
{
	int efd = eventfd(0, EFD_CLOEXEC), other = eventfd(0, EFD_CLOEXEC);
	int ctl, vm;
	pid_t ads;

	ASSERT_EQ(load_fig2("xen-evtchn-2", "1.0", "", "deny", NULL, 0), 0);
	ASSERT_EQ(cg_label("order", "order"), 0);
	ASSERT_EQ(cg_label("ads", "advertising"), 0);
	vm = XEN_VM("order");
	EXPECT_EQ(xen_evtchn(vm, 3, efd, 0), 0);
	EXPECT_EQ(xen_evtchn(vm, 4, efd, 0), 0);
	EXPECT_EQ(xen_evtchn(vm, 5, other, 0), 0);
	/* A port in use stays as it was. */
	EXPECT_EQ(xen_evtchn(vm, 5, efd, 0), -EEXIST);
	EXPECT_EQ(xen_evtchn(vm, 3, -1, KVM_XEN_EVTCHN_DEASSIGN), 0);
	EXPECT_EQ(xen_evtchn(vm, 9, -1, KVM_XEN_EVTCHN_DEASSIGN), -ENOENT);
	EXPECT_TRUE(file_has(SFS "/bindings", "(order)", NULL));
	EXPECT_EQ(xen_evtchn(vm, 0, -1, KVM_XEN_EVTCHN_RESET), 0);
	EXPECT_FALSE(file_has(SFS "/bindings", "(order)", NULL));
	/* The eventfds are free for the other coalition, the VM still runs. */
	ads = vm_bound_to("ads", efd, &ctl);
	close(ctl);
	waitpid(ads, NULL, 0);
	ads = vm_bound_to("ads", other, &ctl);
	close(ctl);
	waitpid(ads, NULL, 0);
	close(vm);
}

TEST_HARNESS_MAIN
