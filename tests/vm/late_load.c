// SPDX-License-Identifier: GPL-2.0
/*
 * shype.ko loaded late: after KVM's VMs and after the modules it hooks.
 *
 * A VM created before shype.ko is one shype never saw: it knows neither
 * its label nor its bindings.  No policy is enforced while one runs: a load
 * in enforce mode and a switch to enforce are refused with EBUSY, naming
 * its VMM's pid; in permissive mode a load goes through and says so.
 *
 * A hooked module whose load fails after it came (here vhost_net with a
 * malformed parameter) is unhooked as it goes, and hooked when it loads
 * again.
 *
 * These need shype.ko not loaded at boot: they skip unless the test host
 * was booted with shype_load=no, as `make vm-check` does in a short boot
 * of its own (SHYPE_VM_APPEND=shype_load=no tests/vm/run.sh --filter
 * late_load); the first test loads $SHYPE_KO.
 */
#include "harness.h"
#include "module_util.h"
#include "shype_util.h"

static char why[4096];

TEST(policy_refused_while_a_vm_created_before_shype_runs)
{
	const char *ko = getenv("SHYPE_KO");
	struct vmproc early, order, ads;
	char pid[32];
	long long seq;

	if (module_loaded("shype"))
		SKIP("shype.ko is loaded: boot with shype_load=no");
	if (!ko || !*ko)
		SKIP("no shype.ko in this test host");
	/* For the next test: a hooked module that loads after shype. */
	if (module_loaded("vhost_net"))
		ASSERT_EQ(rmmod("vhost_net", 0), 0);

	/* The reproduction: an order VM, then shype, then Figure 2. */
	ASSERT_EQ(mkdir(CGROOT "/late_order", 0755), 0);
	ASSERT_EQ(vm_start(&early, "late_order"), 0);
	ASSERT_EQ(early.err, 0);
	ASSERT_EQ(insmod_path(ko, ""), 0);
	ASSERT_EQ(cg_label("late_order", "order"), 0);
	ASSERT_EQ(cg_label("late_ads", "advertising"), 0);
	EXPECT_EQ(file_value(SFS "/status", "policy=", "vms"), 0);
	snprintf(pid, sizeof(pid), "(pid %d)", early.pid);

	/* Enforcing: refused, naming the VMM. */
	seq = audit_last();
	ASSERT_EQ(write_file(SFS "/mode", "enforce"), 0);
	EXPECT_EQ(load_fig2("late", "1.0", FIG2_WALL, "deny", why, sizeof(why)),
		  -EBUSY);
	TH_LOG("reasons: %s", why);
	EXPECT_TRUE(strstr(why, pid) != NULL);
	EXPECT_TRUE(strstr(why, "created before shype.ko was loaded") != NULL);
	EXPECT_EQ(audit_since(seq, "op=policy_load result=denied",
			      "reason=unseen_vm"),
		  1);
	EXPECT_TRUE(file_has(SFS "/status", "policy=- ", NULL));
	/* Without the fix, the wall is up and blind: ads runs beside order. */
	ASSERT_EQ(vm_start(&ads, "late_ads"), 0);
	TH_LOG("advertising VM beside the early order VM: %d", ads.err);
	vm_stop(&ads);

	/* Permissive: loaded, and said. */
	seq = audit_last();
	ASSERT_EQ(write_file(SFS "/mode", "permissive"), 0);
	EXPECT_EQ(load_fig2("late", "1.0", FIG2_WALL, "deny", why, sizeof(why)),
		  0);
	EXPECT_TRUE(strstr(why, pid) != NULL);
	EXPECT_EQ(audit_since(seq, "op=policy_load result=permitted",
			      "reason=unseen_vm"),
		  1);
	EXPECT_TRUE(file_has(SFS "/status", "policy=late ", NULL));

	/* No switch to enforce while it runs, and shypectl says why. */
	EXPECT_EQ(write_file(SFS "/mode", "enforce"), -EBUSY);
	EXPECT_TRUE(file_has(SFS "/mode", "permissive", NULL));
	if (!access("/usr/bin/shypectl", X_OK)) {
		EXPECT_NE(system("shypectl mode enforce 2>/tmp/late.err"), 0);
		ASSERT_GT(read_file("/tmp/late.err", why, sizeof(why)), 0);
		TH_LOG("shypectl: %s", why);
		EXPECT_TRUE(strstr(why, "created before shype.ko") != NULL);
	}
	vm_stop(&early);
	ASSERT_EQ(write_file(SFS "/mode", "enforce"), 0);

	/* Enforced from then on. */
	ASSERT_EQ(vm_start(&order, "late_order"), 0);
	ASSERT_EQ(vm_start(&ads, "late_ads"), 0);
	EXPECT_EQ(order.err, 0);
	EXPECT_EQ(ads.err, -EACCES);
	vm_stop(&ads);
	vm_stop(&order);
}

TEST(hooked_module_whose_load_fails_is_hooked_when_it_loads_again)
{
	long long hooks;
	char who[256];

	if (!module_loaded("shype") || module_loaded("vhost_net"))
		SKIP("needs shype.ko loaded before vhost_net: boot with shype_load=no");
	hooks = file_value(SFS "/status", "policy=", "hooks");
	ASSERT_GT(hooks, 0);

	/* Fails after MODULE_STATE_COMING, in parse_args(). */
	EXPECT_EQ(insmod("vhost_net", "experimental_zcopytx=x"), -EINVAL);
	EXPECT_FALSE(module_loaded("vhost_net"));
	EXPECT_EQ(file_value(SFS "/status", "policy=", "hooks"), hooks);

	ASSERT_EQ(insmod("vhost_net", ""), 0);
	EXPECT_GT(file_value(SFS "/status", "policy=", "hooks"), hooks);
	/* Hooked, so in use by shype: lsmod's users, and no rmmod -f. */
	ASSERT_EQ(module_users("vhost_net", who, sizeof(who)), 0);
	EXPECT_TRUE(strstr(who, "shype,") != NULL);
	EXPECT_EQ(rmmod("vhost_net", 1), -EWOULDBLOCK);
}

TEST_HARNESS_MAIN
