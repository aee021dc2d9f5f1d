// SPDX-License-Identifier: GPL-2.0
/*
 * Bind points in KVM: VM creation and destruction.
 *
 * KVM_CREATE_VM is decided in kvm_arch_post_init_vm(), the last step of
 * kvm_create_vm() that can fail: a denial there unwinds the creation fully,
 * through kvm_arch_destroy_vm(), which is also where every VM ends.
 *
 * KVM_IRQFD, KVM_IOEVENTFD and KVM_HYPERV_EVENTFD: the outer step of a
 * bind (see bind.c); the eventfds they look up are decided in eventfd.c.
 * KVM_XEN_HVM_SET_ATTR of an event channel delivered to an eventfd is a
 * fourth: Debian builds KVM with Xen since Linux 6.12 (not in 6.1, whose
 * kvm.ko has no kvm_xen_hvm_config(), so the hook is installed only where
 * that function exists).
 */
#define pr_fmt(fmt) "shype: " fmt

#include <linux/kvm_host.h>

#include "hook.h"
#include "shype.h"

static int (*orig_kvm_arch_post_init_vm)(struct kvm *kvm);
static void (*orig_kvm_arch_destroy_vm)(struct kvm *kvm);

static int hook_kvm_arch_post_init_vm(struct kvm *kvm)
{
	int err = shype_vm_create(kvm);

	if (err)
		return err;
	return orig_kvm_arch_post_init_vm(kvm);
}

static void hook_kvm_arch_destroy_vm(struct kvm *kvm)
{
	shype_vm_destroy(kvm);
	orig_kvm_arch_destroy_vm(kvm);
}

static int (*orig_kvm_irqfd)(struct kvm *kvm, struct kvm_irqfd *args);
static int (*orig_kvm_ioeventfd)(struct kvm *kvm, struct kvm_ioeventfd *args);

/*
 * KVM_IRQFD: a deassign releases the irqfds that match both its eventfd
 * and its GSI, and returns 0 even if none did; so the binding is tagged
 * with the GSI, and only one that matches both goes.
 */
static int hook_kvm_irqfd(struct kvm *kvm, struct kvm_irqfd *args)
{
	struct shype_bind_ctx c;
	int ret;

	shype_bind_begin(&c, kvm, SHYPE_OP_IRQFD,
			 args->flags & KVM_IRQFD_FLAG_DEASSIGN);
	c.tagged = true;
	c.tag = SHYPE_TAG(SHYPE_OP_IRQFD, args->gsi);
	ret = orig_kvm_irqfd(kvm, args);
	return shype_bind_end(&c, ret);
}

static int hook_kvm_ioeventfd(struct kvm *kvm, struct kvm_ioeventfd *args)
{
	struct shype_bind_ctx c;
	int ret;

	shype_bind_begin(&c, kvm, SHYPE_OP_IOEVENTFD,
			 args->flags & KVM_IOEVENTFD_FLAG_DEASSIGN);
	ret = orig_kvm_ioeventfd(kvm, args);
	return shype_bind_end(&c, ret);
}

static int (*orig_kvm_vm_ioctl_hv_eventfd)(struct kvm *kvm,
					   struct kvm_hyperv_eventfd *args);

/*
 * KVM_HYPERV_EVENTFD: a deassign names the connection id, not the fd, so
 * the binding is tagged with the connection id (unique in a VM).
 */
static int hook_kvm_vm_ioctl_hv_eventfd(struct kvm *kvm,
					struct kvm_hyperv_eventfd *args)
{
	struct shype_bind_ctx c;
	int ret;

	shype_bind_begin(&c, kvm, SHYPE_OP_HV_EVENTFD,
			 args->flags & KVM_HYPERV_EVENTFD_DEASSIGN);
	c.tagged = true;
	c.tag = SHYPE_TAG(SHYPE_OP_HV_EVENTFD, args->conn_id);
	ret = orig_kvm_vm_ioctl_hv_eventfd(kvm, args);
	return shype_bind_end(&c, ret);
}

static int (*orig_kvm_xen_hvm_set_attr)(struct kvm *kvm,
					struct kvm_xen_hvm_attr *data);

/*
 * A Xen event channel's port, like a Hyper-V connection id, names the
 * binding for its deassign; a reset unbinds every port.  Assign and
 * deassign decide in eventfd_ctx_fdget(), which KVM calls for a port
 * delivered to an eventfd only.  An update changes no eventfd.
 */
static int hook_kvm_xen_hvm_set_attr(struct kvm *kvm,
				     struct kvm_xen_hvm_attr *data)
{
	struct shype_bind_ctx c;
	u32 flags;
	int ret;

	if (data->type != KVM_XEN_ATTR_TYPE_EVTCHN)
		return orig_kvm_xen_hvm_set_attr(kvm, data);
	flags = data->u.evtchn.flags;
	shype_bind_begin(&c, kvm, SHYPE_OP_XEN_EVTCHN, flags != 0);
	c.tagged = true;
	c.untag_all = flags == KVM_XEN_EVTCHN_RESET;
	c.tag = SHYPE_TAG(SHYPE_OP_XEN_EVTCHN, data->u.evtchn.send_port);
	ret = orig_kvm_xen_hvm_set_attr(kvm, data);
	/* An update changes nothing shype knows: no unbind. */
	if (flags == KVM_XEN_EVTCHN_UPDATE)
		c.tagged = false;
	return shype_bind_end(&c, ret);
}

static int (*orig_kvm_vm_ioctl_enable_cap)(struct kvm *kvm,
					   struct kvm_enable_cap *cap);

/*
 * SEV's copy and move of an encryption context take another VM's fd: a
 * VM-to-VM share that shype does not mediate yet, so refuses.
 */
static int hook_kvm_vm_ioctl_enable_cap(struct kvm *kvm,
					struct kvm_enable_cap *cap)
{
	int err;

	if (cap->cap == KVM_CAP_VM_COPY_ENC_CONTEXT_FROM ||
	    cap->cap == KVM_CAP_VM_MOVE_ENC_CONTEXT_FROM) {
		err = shype_vm_refuse(kvm, SHYPE_OP_SEV_CONTEXT,
				      "reason=vm_to_vm_unsupported");
		if (err)
			return err;
	}
	return orig_kvm_vm_ioctl_enable_cap(kvm, cap);
}

static struct shype_hook kvm_hooks[] = {
	SHYPE_HOOK("kvm", kvm_arch_post_init_vm),
	SHYPE_HOOK("kvm", kvm_arch_destroy_vm),
	SHYPE_HOOK("kvm", kvm_irqfd),
	SHYPE_HOOK("kvm", kvm_ioeventfd),
	SHYPE_HOOK("kvm", kvm_vm_ioctl_hv_eventfd),
	SHYPE_HOOK("kvm", kvm_vm_ioctl_enable_cap),
	SHYPE_HOOK_IF("kvm", kvm_xen_hvm_set_attr, "kvm:kvm_xen_hvm_config"),
};

const struct shype_hook_table shype_kvm_table = {
	.hooks = kvm_hooks,
	.nr = ARRAY_SIZE(kvm_hooks),
};
