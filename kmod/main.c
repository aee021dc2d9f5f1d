// SPDX-License-Identifier: GPL-2.0
/*
 * shype: mandatory access control for KVM, after IBM's sHype.
 *
 * Like an LSM, shype cannot be unloaded: it has no exit function, so the
 * module loader refuses to remove it, and its hooks can never be left half
 * torn down with calls in flight.  A forced removal (rmmod -f) ignores a
 * missing exit function, so shype also records that it uses itself, which
 * even a forced removal respects (hook.c).  Reboot to remove it.
 */
#define pr_fmt(fmt) "shype: " fmt

#include <linux/module.h>

#include "shype.h"

static int __init shype_init(void)
{
	int err;

	BUILD_BUG_ON(sizeof(struct shype_policy_header) != 256);
	BUILD_BUG_ON(sizeof(struct shype_name) != 64);
	BUILD_BUG_ON(sizeof(struct shype_label) != 72);
	BUILD_BUG_ON(sizeof(struct shype_resource) != 264);
	BUILD_BUG_ON(sizeof(struct shype_load_request) != 8);

	err = shype_fs_init();
	if (err) {
		pr_err("cannot create securityfs files (%d)\n", err);
		return err;
	}
	err = shype_net_init();
	if (err) {
		pr_err("cannot watch network devices (%d)\n", err);
		shype_fs_exit();
		return err;
	}
	err = shype_hooks_init();
	if (err) {
		shype_net_exit();
		shype_fs_exit();
		return err;
	}
	pr_info("ready, %u functions hooked, no policy loaded%s\n",
		shype_hooks_installed(),
		shype_require_policy ? ": no VM may start until one is" : "");
	return 0;
}
module_init(shype_init);

MODULE_DESCRIPTION("shype: mandatory access control for KVM (sHype)");
MODULE_AUTHOR("The shype developers");
MODULE_LICENSE("GPL");
