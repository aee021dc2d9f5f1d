// SPDX-License-Identifier: GPL-2.0
/*
 * The KVM VFIO device: KVM_DEV_VFIO_GROUP_ADD gives a VM a VFIO group
 * (KVM learns of the group's device, and the group driver gets a pointer
 * to the VM).  The same group file can be added to VMs of two processes
 * (the fd passed between them): a share, decided as for an eventfd.
 *
 * Outer: kvm_vfio_set_attr() (add, delete) and kvm_vfio_release() (the KVM
 * device closed) say which VM acts.  Inner, in vfio.ko: the check that the
 * very file KVM took with fget() is VFIO's (a denial there reads as "not a
 * VFIO file", turned back into EACCES by shype_bind_end()), and
 * vfio_file_set_kvm() when KVM
 * passes the VM on to the group, or lets it go (NULL).
 *
 * That check is vfio_file_is_valid() since Linux 6.6 (a group or a device
 * file), vfio_file_is_group() before.  6.12 still has vfio_file_is_group(),
 * but KVM does not call it: the newer function is hooked wherever it
 * exists.  Should KVM add a file without either deciding, the
 * vfio_file_set_kvm() hook warns.
 *
 * VFIO_DEVICE_SET_IRQS points a device's interrupts (and its unmask) at
 * eventfds, which another VM may hold as irqfds: they are decided in
 * eventfd.c, for the VM of the process that holds the device, as vhost's
 * are.  A process without a VM (a user-space driver) is not checked.
 */
#define pr_fmt(fmt) "shype: " fmt

#include <linux/fs.h>
#include <linux/kvm_host.h>
#include <linux/slab.h>
#include <linux/vfio.h>

#include "hook.h"
#include "shype.h"

static int (*orig_kvm_vfio_set_attr)(struct kvm_device *dev,
				     struct kvm_device_attr *attr);

static int hook_kvm_vfio_set_attr(struct kvm_device *dev,
				  struct kvm_device_attr *attr)
{
	struct shype_bind_ctx c;
	int ret;

	if (attr->group != KVM_DEV_VFIO_GROUP ||
	    (attr->attr != KVM_DEV_VFIO_GROUP_ADD &&
	     attr->attr != KVM_DEV_VFIO_GROUP_DEL))
		return orig_kvm_vfio_set_attr(dev, attr);
	shype_bind_begin(&c, dev->kvm, SHYPE_OP_VFIO,
			 attr->attr == KVM_DEV_VFIO_GROUP_DEL);
	c.token = shype_bind_token();
	ret = orig_kvm_vfio_set_attr(dev, attr);
	return shype_bind_end(&c, ret);
}

static void (*orig_kvm_vfio_release)(struct kvm_device *dev);

/* The KVM device is closed: it lets every group go (and frees @dev). */
static void hook_kvm_vfio_release(struct kvm_device *dev)
{
	struct shype_bind_ctx c;

	shype_bind_begin(&c, dev->kvm, SHYPE_OP_VFIO, true);
	orig_kvm_vfio_release(dev);
	shype_bind_end(&c, 0);
}

/* vfio_file_is_valid(), or vfio_file_is_group() on an older kernel */
static bool (*orig_vfio_file_is_valid)(struct file *file);

static bool hook_vfio_file_is_valid(struct file *file)
{
	struct shype_bind_ctx *c = shype_bind_current();
	const char *path;
	char *buf;
	int err;

	if (!orig_vfio_file_is_valid(file))
		return false;
	if (!c || c->op != SHYPE_OP_VFIO || c->deassign)
		return true;
	buf = __getname();
	if (!buf) {
		c->err = -ENOMEM;
		return false;
	}
	path = d_path(&file->f_path, buf, PATH_MAX);
	mutex_lock(&shype_lock);
	err = shype_bind_vfio(shype_vm_find(c->kvm), c->op, file,
			      IS_ERR(path) ? "-" : path, c->token);
	mutex_unlock(&shype_lock);
	__putname(buf);
	c->decided = true;
	if (err) {
		c->err = err;
		return false; /* KVM then fails with EINVAL */
	}
	return true;
}

static void (*orig_vfio_file_set_kvm)(struct file *file, struct kvm *kvm);

static void hook_vfio_file_set_kvm(struct file *file, struct kvm *kvm)
{
	struct shype_bind_ctx *c = shype_bind_current();
	struct shype_vm *vm;

	/* A file added with no decision: the wrong check is hooked. */
	WARN_ON_ONCE(kvm && c && c->op == SHYPE_OP_VFIO && !c->deassign &&
		     !c->decided);
	if (!kvm && c && c->op == SHYPE_OP_VFIO) {
		mutex_lock(&shype_lock);
		vm = shype_vm_find(c->kvm);
		if (vm)
			shype_bind_vfio_release(vm, file);
		mutex_unlock(&shype_lock);
	}
	orig_vfio_file_set_kvm(file, kvm);
}

static long (*orig_vfio_device_fops_unl_ioctl)(struct file *filep,
					       unsigned int cmd,
					       unsigned long arg);

static long hook_vfio_device_fops_unl_ioctl(struct file *filep,
					    unsigned int cmd, unsigned long arg)
{
	struct shype_bind_ctx c;
	bool has_vm;
	long ret;

	if (cmd != VFIO_DEVICE_SET_IRQS)
		return orig_vfio_device_fops_unl_ioctl(filep, cmd, arg);
	mutex_lock(&shype_lock);
	has_vm = shype_vm_of_mm(current->mm);
	mutex_unlock(&shype_lock);
	if (!has_vm)
		return orig_vfio_device_fops_unl_ioctl(filep, cmd, arg);
	/*
	 * The device's until it is closed: vfio names no vector that an
	 * eventfd replaces, so what one replaced stays bound until then.
	 * MSI-X binds many at once, all of one operation.
	 */
	shype_bind_begin_dev(&c, SHYPE_OP_VFIO_IRQ, filep->private_data,
			     SHYPE_SLOT(SHYPE_SLOT_CALL, SHYPE_SLOT_ANY));
	ret = orig_vfio_device_fops_unl_ioctl(filep, cmd, arg);
	return shype_bind_end(&c, ret);
}

static int (*orig_vfio_device_fops_release)(struct inode *inode,
					    struct file *filep);

/* The device file goes: so do the eventfds its interrupts were bound to. */
static int hook_vfio_device_fops_release(struct inode *inode,
					 struct file *filep)
{
	const void *dev = filep->private_data; /* a key, compared only */
	int ret = orig_vfio_device_fops_release(inode, filep);

	mutex_lock(&shype_lock);
	shype_bind_dev_release(dev);
	mutex_unlock(&shype_lock);
	return ret;
}

static struct shype_hook vfio_hooks[] = {
	SHYPE_HOOK("kvm", kvm_vfio_set_attr),
	SHYPE_HOOK("kvm", kvm_vfio_release),
	SHYPE_HOOK_ONE_OF(1, "vfio", vfio_file_is_valid,
			  hook_vfio_file_is_valid, orig_vfio_file_is_valid,
			  NULL),
	SHYPE_HOOK_ONE_OF(1, "vfio", vfio_file_is_group,
			  hook_vfio_file_is_valid, orig_vfio_file_is_valid,
			  NULL),
	SHYPE_HOOK("vfio", vfio_file_set_kvm),
	SHYPE_HOOK("vfio", vfio_device_fops_unl_ioctl),
	SHYPE_HOOK("vfio", vfio_device_fops_release),
};

const struct shype_hook_table shype_vfio_table = {
	.hooks = vfio_hooks,
	.nr = ARRAY_SIZE(vfio_hooks),
};
