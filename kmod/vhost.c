// SPDX-License-Identifier: GPL-2.0
/*
 * Bind points in vhost: the eventfds of a device's virtqueues (kick, call,
 * err) and of its dirty log, and a vhost-vsock device's guest CID.  vhost
 * lets only the device's owner, the process that did VHOST_SET_OWNER, make
 * these calls (shype checks it for the CID, which vhost does not), so the
 * subject is that process's VM.
 *
 * What a device binds it holds until it lets it go, whatever becomes of
 * the VM: its bindings pass to another VM of its process, or stay on the
 * gone VM's record, which then keeps its label for every later VM of the
 * process (see &shype_vm.kvm).  vhost holds the owner's address space
 * (get_task_mm() in vhost_dev_set_owner(), on 6.1 and 6.12) until
 * vhost_dev_cleanup(), where they all go: on close and on
 * VHOST_RESET_OWNER.  A new eventfd replaces the one before: a queue's
 * kick (vhost_poll_start() names the queue), the log (one per device), a
 * call or err eventfd (vhost names no queue, but lets the old eventfd go,
 * in eventfd_ctx_put(): see eventfd.c).  Only a kick removed (fd -1)
 * stays bound until the device goes: vhost says nothing of it.  A
 * vhost-vdpa device's config-change eventfd is bound as a call eventfd.
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

typedef long ioctl_fn(struct vhost_dev *d, unsigned int ioctl,
		      void __user *argp);

/* Bind, for @d's part @slot, the eventfd that @ioctl names. */
static long bind(ioctl_fn *orig, struct vhost_dev *d, unsigned int ioctl,
		 void __user *argp, u32 slot)
{
	struct shype_bind_ctx c;
	long ret;

	shype_bind_begin_dev(&c, SHYPE_OP_VHOST_EVENTFD, d, slot);
	ret = orig(d, ioctl, argp);
	return shype_bind_end(&c, ret);
}

static long hook_vhost_vring_ioctl(struct vhost_dev *d, unsigned int ioctl,
				   void __user *argp)
{
	enum shype_slot_kind kind;

	switch (ioctl) {
	case VHOST_SET_VRING_KICK:
		kind = SHYPE_SLOT_KICK;
		break;
	case VHOST_SET_VRING_CALL:
		kind = SHYPE_SLOT_CALL;
		break;
	case VHOST_SET_VRING_ERR:
		kind = SHYPE_SLOT_ERR;
		break;
	default:
		return orig_vhost_vring_ioctl(d, ioctl, argp);
	}
	/* Which queue: read by vhost alone; see hook_vhost_poll_start(). */
	return bind(orig_vhost_vring_ioctl, d, ioctl, argp,
		    SHYPE_SLOT(kind, SHYPE_SLOT_ANY));
}

static long hook_vhost_dev_ioctl(struct vhost_dev *d, unsigned int ioctl,
				 void __user *argp)
{
	if (ioctl == VHOST_SET_LOG_FD)
		return bind(orig_vhost_dev_ioctl, d, ioctl, argp,
			    SHYPE_SLOT(SHYPE_SLOT_LOG, 0));
	return orig_vhost_dev_ioctl(d, ioctl, argp);
}

struct vhost_poll;

static int (*orig_vhost_poll_start)(struct vhost_poll *poll, struct file *file);

/*
 * VHOST_SET_VRING_KICK of a new eventfd: vhost has made it the kick of the
 * queue that @poll is part of, and then polls it, which may fail (vhost
 * keeps it all the same).  The queue is known by @poll's offset in the
 * device, as in net.c; one outside the device's memory replaces nothing.
 */
static int hook_vhost_poll_start(struct vhost_poll *poll, struct file *file)
{
	struct shype_bind_ctx *c = shype_bind_current();
	unsigned long off;

	if (c && c->op == SHYPE_OP_VHOST_EVENTFD && c->dev &&
	    c->slot == SHYPE_SLOT(SHYPE_SLOT_KICK, SHYPE_SLOT_ANY)) {
		off = (unsigned long)poll - (unsigned long)c->dev;
		if ((unsigned long)poll < (unsigned long)c->dev ||
		    off >= SHYPE_SLOT_FAR)
			off = SHYPE_SLOT_FAR;
		c->slot = SHYPE_SLOT(SHYPE_SLOT_KICK, off);
		c->held = true;
	}
	return orig_vhost_poll_start(poll, file);
}

static void (*orig_vhost_dev_cleanup)(struct vhost_dev *d);

/* @d lets go of all it holds: on close and on VHOST_RESET_OWNER. */
static void hook_vhost_dev_cleanup(struct vhost_dev *d)
{
	mutex_lock(&shype_lock);
	shype_bind_dev_release(d);
	mutex_unlock(&shype_lock);
	orig_vhost_dev_cleanup(d);
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
 * reads as "CID in use", which shype_bind_end() turns back into EACCES.
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
	shype_bind_begin_dev(&c, SHYPE_OP_VSOCK_CID, f->private_data, 0);
	ret = orig_vhost_vsock_dev_ioctl(f, ioctl, arg);
	return shype_bind_end(&c, ret);
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
	/*
	 * The device's: its struct vhost_dev is the first member of struct
	 * vhost_vdpa (6.1 and 6.12), so vhost_dev_cleanup() releases it.  The
	 * eventfd it replaces is let go in eventfd_ctx_put(), as a call's.
	 */
	shype_bind_begin_dev(&c, SHYPE_OP_VHOST_EVENTFD, filep->private_data,
			     SHYPE_SLOT(SHYPE_SLOT_CALL, SHYPE_SLOT_ANY));
	ret = orig_vhost_vdpa_unlocked_ioctl(filep, cmd, arg);
	return shype_bind_end(&c, ret);
}

static struct shype_hook vhost_hooks[] = {
	SHYPE_HOOK("vhost", vhost_vring_ioctl),
	SHYPE_HOOK("vhost", vhost_dev_ioctl),
	SHYPE_HOOK("vhost", vhost_poll_start),
	SHYPE_HOOK("vhost", vhost_dev_cleanup),
	SHYPE_HOOK("vhost_vsock", vhost_vsock_dev_ioctl),
	SHYPE_HOOK("vhost_vsock", vhost_vsock_dev_release),
	SHYPE_HOOK("vsock", vsock_find_cid),
	SHYPE_HOOK("vhost_vdpa", vhost_vdpa_unlocked_ioctl),
};

const struct shype_hook_table shype_vhost_table = {
	.hooks = vhost_hooks,
	.nr = ARRAY_SIZE(vhost_hooks),
};
