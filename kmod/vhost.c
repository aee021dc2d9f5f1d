// SPDX-License-Identifier: GPL-2.0
/*
 * Bind points in vhost: the eventfds of a device's virtqueues (kick, call,
 * err) and of its dirty log, and a vhost-vsock device's guest CID.  vhost
 * lets only the device's owner, the process that did VHOST_SET_OWNER, make
 * these calls (shype checks it for the CID, which vhost does not), so the
 * subject is that process's VM.  Replacing or unbinding an eventfd names no
 * old one: such bindings are released with the process's last VM.  So is
 * a vhost-vdpa device's config-change eventfd.
 */
#define pr_fmt(fmt) "shype: " fmt

#include <linux/fs.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/vhost.h>

#include "hook.h"
#include "shype.h"

struct vhost_dev;

static long (*orig_vhost_vring_ioctl)(struct vhost_dev *d, unsigned int ioctl,
				      void __user *argp);
static long (*orig_vhost_dev_ioctl)(struct vhost_dev *d, unsigned int ioctl,
				    void __user *argp);

static long bind(long (*orig)(struct vhost_dev *d, unsigned int ioctl,
			      void __user *argp),
		 struct vhost_dev *d, unsigned int ioctl, void __user *argp)
{
	struct shype_bind_ctx c;
	long ret;

	shype_bind_begin_mm(&c, current->mm, SHYPE_OP_VHOST_EVENTFD);
	ret = orig(d, ioctl, argp);
	shype_bind_end(&c, ret);
	return ret;
}

static long hook_vhost_vring_ioctl(struct vhost_dev *d, unsigned int ioctl,
				   void __user *argp)
{
	if (ioctl == VHOST_SET_VRING_KICK || ioctl == VHOST_SET_VRING_CALL ||
	    ioctl == VHOST_SET_VRING_ERR)
		return bind(orig_vhost_vring_ioctl, d, ioctl, argp);
	return orig_vhost_vring_ioctl(d, ioctl, argp);
}

static long hook_vhost_dev_ioctl(struct vhost_dev *d, unsigned int ioctl,
				 void __user *argp)
{
	if (ioctl == VHOST_SET_LOG_FD)
		return bind(orig_vhost_dev_ioctl, d, ioctl, argp);
	return orig_vhost_dev_ioctl(d, ioctl, argp);
}

/* vhost's own owner check, exported by vhost.ko */
typedef long check_owner_fn(struct vhost_dev *dev);
check_owner_fn vhost_dev_check_owner;

/* Is current the owner of @d (the first member of every vhost device)? */
static bool owner(struct vhost_dev *d)
{
	check_owner_fn *check;
	bool ok;

	check = symbol_get(vhost_dev_check_owner);
	if (!check)
		return false;
	ok = !check(d);
	symbol_put(vhost_dev_check_owner);
	return ok;
}

static long (*orig_vhost_vsock_dev_ioctl)(struct file *f, unsigned int ioctl,
					  unsigned long arg);

/*
 * VHOST_VSOCK_SET_GUEST_CID: the CID, a resource "vsock:CID", is decided
 * in vsock_find_cid() below, on the value vhost copied in.  A denial there
 * reads as "CID in use", which is turned back into EACCES here.
 */
static long hook_vhost_vsock_dev_ioctl(struct file *f, unsigned int ioctl,
				       unsigned long arg)
{
	struct shype_bind_ctx c;
	long ret;

	if (ioctl != VHOST_VSOCK_SET_GUEST_CID)
		return orig_vhost_vsock_dev_ioctl(f, ioctl, arg);
	if (!owner(f->private_data) &&
	    shype_vm_refuse(NULL, SHYPE_OP_VSOCK_CID, "reason=not_owner"))
		return -EACCES;
	shype_bind_begin_mm(&c, current->mm, SHYPE_OP_VSOCK_CID);
	c.dev = f->private_data;
	c.token = shype_bind_token();
	ret = orig_vhost_vsock_dev_ioctl(f, ioctl, arg);
	if (c.err && ret == -EADDRINUSE)
		ret = c.err;
	shype_bind_end(&c, ret);
	return ret;
}

static int (*orig_vhost_vsock_dev_release)(struct inode *inode,
					   struct file *file);

/* The device goes away: so does its CID. */
static int hook_vhost_vsock_dev_release(struct inode *inode, struct file *file)
{
	mutex_lock(&shype_lock);
	shype_bind_dev_release(file->private_data);
	mutex_unlock(&shype_lock);
	return orig_vhost_vsock_dev_release(inode, file);
}

static bool (*orig_vsock_find_cid)(unsigned int cid);

static bool hook_vsock_find_cid(unsigned int cid)
{
	struct shype_bind_ctx *c = shype_bind_current();
	char name[16];
	int err;

	if (!c || c->op != SHYPE_OP_VSOCK_CID)
		return orig_vsock_find_cid(cid);
	snprintf(name, sizeof(name), "%u", cid);
	mutex_lock(&shype_lock);
	err = shype_bind_named(shype_vm_of_mm(c->mm), c->op, SHYPE_RES_VSOCK,
			       name, c->dev, 0, c->token);
	mutex_unlock(&shype_lock);
	if (err) {
		c->err = err;
		return true; /* vhost then fails with EADDRINUSE */
	}
	return orig_vsock_find_cid(cid);
}

static long (*orig_vhost_vdpa_unlocked_ioctl)(struct file *filep,
					      unsigned int cmd,
					      unsigned long arg);

/*
 * vhost-vdpa's config-change interrupt, VHOST_VDPA_SET_CONFIG_CALL, is an
 * eventfd decided as a virtqueue's call (which vhost-vdpa passes to
 * vhost_vring_ioctl()).  Debian's 6.1 has no vhost_vdpa.
 */
static long hook_vhost_vdpa_unlocked_ioctl(struct file *filep, unsigned int cmd,
					   unsigned long arg)
{
	struct shype_bind_ctx c;
	long ret;

	if (cmd != VHOST_VDPA_SET_CONFIG_CALL)
		return orig_vhost_vdpa_unlocked_ioctl(filep, cmd, arg);
	shype_bind_begin_mm(&c, current->mm, SHYPE_OP_VHOST_EVENTFD);
	ret = orig_vhost_vdpa_unlocked_ioctl(filep, cmd, arg);
	shype_bind_end(&c, ret);
	return ret;
}

static struct shype_hook vhost_hooks[] = {
	SHYPE_HOOK("vhost", vhost_vring_ioctl),
	SHYPE_HOOK("vhost", vhost_dev_ioctl),
	SHYPE_HOOK("vhost_vsock", vhost_vsock_dev_ioctl),
	SHYPE_HOOK("vhost_vsock", vhost_vsock_dev_release),
	SHYPE_HOOK("vsock", vsock_find_cid),
	SHYPE_HOOK("vhost_vdpa", vhost_vdpa_unlocked_ioctl),
};

const struct shype_hook_table shype_vhost_table = {
	.hooks = vhost_hooks,
	.nr = ARRAY_SIZE(vhost_hooks),
};
