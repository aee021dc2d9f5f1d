// SPDX-License-Identifier: GPL-2.0
/*
 * Bind points in vhost: the eventfds of a device's virtqueues (kick, call,
 * err) and of its dirty log.  vhost lets only the device's owner, the
 * process that did VHOST_SET_OWNER, make these calls, so the subject is
 * that process's VM.  Replacing or unbinding an eventfd names no old one:
 * such bindings are released with the process's last VM.
 */
#define pr_fmt(fmt) "shype: " fmt

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

static struct shype_hook vhost_hooks[] = {
	SHYPE_HOOK("vhost", vhost_vring_ioctl),
	SHYPE_HOOK("vhost", vhost_dev_ioctl),
};

const struct shype_hook_table shype_vhost_table = {
	.hooks = vhost_hooks,
	.nr = ARRAY_SIZE(vhost_hooks),
};
