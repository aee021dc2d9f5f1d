// SPDX-License-Identifier: GPL-2.0
/*
 * VM creation under shype: labels from cgroups, the Chinese Wall,
 * unlabelled VMs, one label per process, permissive mode, statistics.
 */
#include "harness.h"
#include "shype_util.h"

static void fig2(const char *name, const char *unlabeled)
{
	char why[1024];

	ASSERT_EQ(write_file(SFS "/mode", "enforce"), 0);
	ASSERT_EQ(load_fig2(name, "1.0", FIG2_WALL, unlabeled, why,
			    sizeof(why)),
		  0);
	ASSERT_EQ(cg_label("order", "order"), 0);
	ASSERT_EQ(cg_label("order2", "order"), 0);
	ASSERT_EQ(cg_label("ads", "advertising"), 0);
	ASSERT_EQ(cg_label("computing", "computing"), 0);
	ASSERT_EQ(cg_label("vdisk", "vdisk_server"), 0);
}

TEST(vm_create_allowed_in_labelled_cgroup)
{
	struct vmproc vm;
	char pid[32];

	fig2("create-allowed", "deny");
	ASSERT_EQ(vm_start(&vm, "order"), 0);
	EXPECT_EQ(vm.err, 0);
	snprintf(pid, sizeof(pid), " pid=%d ", vm.pid);
	EXPECT_TRUE(file_has(SFS "/vms", pid, "label=order", NULL));
	vm_stop(&vm);
	EXPECT_FALSE(file_has(SFS "/vms", pid, NULL));
}

TEST(vm_create_denied_by_chinese_wall)
{
	struct vmproc order, ads;
	long long seq = audit_last(), refused;
	char pid[32];

	fig2("create-wall", "deny");
	ASSERT_EQ(vm_start(&order, "order"), 0);
	ASSERT_EQ(order.err, 0);
	ASSERT_EQ(vm_start(&ads, "ads"), 0);
	EXPECT_EQ(ads.err, -EACCES);
	EXPECT_EQ(audit_since(
			  seq, "op=create result=denied",
			  "reason=chinese_wall type=Advertising running=Order"),
		  1);
	snprintf(pid, sizeof(pid), " pid=%d ", ads.pid);
	refused = file_value(SFS "/audit", pid, "vm");
	EXPECT_GT(refused, 0);
	vm_stop(&ads);
	vm_stop(&order);

	/* And the reverse. */
	ASSERT_EQ(vm_start(&ads, "ads"), 0);
	ASSERT_EQ(ads.err, 0);
	/* The refused VM's number, named by its audit line, is not reused. */
	snprintf(pid, sizeof(pid), " pid=%d ", ads.pid);
	EXPECT_GT(file_value(SFS "/vms", pid, "vm"), refused);
	ASSERT_EQ(vm_start(&order, "order"), 0);
	EXPECT_EQ(order.err, -EACCES);
	vm_stop(&order);
	vm_stop(&ads);
}

TEST(vm_create_allowed_after_conflicting_vm_exits)
{
	struct vmproc order, order2, ads;

	fig2("create-after-exit", "deny");
	ASSERT_EQ(vm_start(&order, "order"), 0);
	ASSERT_EQ(order.err, 0);
	ASSERT_EQ(vm_start(&order2, "order2"), 0);
	ASSERT_EQ(order2.err, 0);
	vm_stop(&order);
	ASSERT_EQ(vm_start(&ads, "ads"), 0);
	EXPECT_EQ(ads.err, -EACCES); /* one Order VM still runs */
	vm_stop(&ads);
	vm_stop(&order2);
	ASSERT_EQ(vm_start(&ads, "ads"), 0);
	EXPECT_EQ(ads.err, 0);
	vm_stop(&ads);
}

TEST(figure2_coalitions_play_out)
{
	struct vmproc o1, o2, comp, vdisk, ads;

	fig2("figure2-play", "deny");
	ASSERT_EQ(vm_start(&vdisk, "vdisk"), 0);
	EXPECT_EQ(vdisk.err, 0);
	ASSERT_EQ(vm_start(&o1, "order"), 0);
	EXPECT_EQ(o1.err, 0);
	ASSERT_EQ(vm_start(&o2, "order2"), 0);
	EXPECT_EQ(o2.err, 0);
	ASSERT_EQ(vm_start(&comp, "computing"), 0);
	EXPECT_EQ(comp.err, 0);
	ASSERT_EQ(vm_start(&ads, "ads"), 0);
	EXPECT_EQ(ads.err, -EACCES);
	vm_stop(&ads);
	vm_stop(&o1);
	vm_stop(&o2);
	ASSERT_EQ(vm_start(&ads, "ads"), 0);
	EXPECT_EQ(ads.err, 0);
	vm_stop(&ads);
	vm_stop(&comp);
	vm_stop(&vdisk);
}

TEST(unlabelled_vm_denied_when_policy_denies)
{
	struct vmproc vm;
	long long seq = audit_last();
	char pid[32];

	fig2("unlabeled-deny", "deny");
	ASSERT_EQ(vm_start(&vm, ""), 0);
	EXPECT_EQ(vm.err, -EACCES);
	EXPECT_EQ(audit_since(seq, "op=create result=denied",
			      "reason=unlabeled"),
		  1);
	vm_stop(&vm);

	/* A policy may give unlabelled VMs a label instead. */
	fig2("unlabeled-computing", "computing");
	ASSERT_EQ(vm_start(&vm, ""), 0);
	EXPECT_EQ(vm.err, 0);
	snprintf(pid, sizeof(pid), " pid=%d ", vm.pid);
	EXPECT_TRUE(file_has(SFS "/vms", pid, "label=computing", NULL));
	vm_stop(&vm);
}

/* A child that creates a VM in @first, moves to @second, and tries again. */
static int two_vms(const char *first, const char *second)
{
	int status, err;
	pid_t pid = fork();

	if (pid == 0) {
		if (cg_enter(first) || vm_create_here() < 0)
			_exit(100);
		if (cg_enter(second))
			_exit(101);
		err = vm_create_here();
		_exit(err >= 0 ? 0 : -err);
	}
	waitpid(pid, &status, 0);
	return WEXITSTATUS(status);
}

TEST(vm_with_other_label_in_same_process_refused)
{
	long long seq = audit_last();

	fig2("one-label-per-process", "deny");
	EXPECT_EQ(two_vms("computing", "order"), EACCES);
	EXPECT_EQ(audit_since(seq, "reason=process_label", NULL), 1);
	/* The same label twice is fine. */
	EXPECT_EQ(two_vms("order", "order2"), 0);
}

TEST(label_frozen_when_cgroup_relabelled_later)
{
	struct vmproc vm, ads;
	char pid[32];

	fig2("label-frozen", "deny");
	ASSERT_EQ(cg_label("relabel", "order"), 0);
	ASSERT_EQ(vm_start(&vm, "relabel"), 0);
	ASSERT_EQ(vm.err, 0);
	ASSERT_EQ(cg_label("relabel", "advertising"), 0);
	snprintf(pid, sizeof(pid), " pid=%d ", vm.pid);
	EXPECT_TRUE(file_has(SFS "/vms", pid, "label=order", NULL));
	/* Still an Order VM for the Chinese Wall. */
	ASSERT_EQ(vm_start(&ads, "ads"), 0);
	EXPECT_EQ(ads.err, -EACCES);
	vm_stop(&ads);
	vm_stop(&vm);
	EXPECT_TRUE(file_has(SFS "/cgroups", "cgroup=/relabel ",
			     "label=advertising", NULL));
	ASSERT_EQ(cg_label("relabel", NULL), 0);
	EXPECT_FALSE(file_has(SFS "/cgroups", "cgroup=/relabel ", NULL));
}

TEST(cgroup_label_unknown_to_policy_refused)
{
	fig2("cgroup-label-unknown", "deny");
	EXPECT_EQ(cg_label("order", "orders"), -ESRCH);
	EXPECT_EQ(cg_label("order", "bad name"), -EINVAL);
	EXPECT_EQ(write_file(SFS "/cgroups", "label /no-such-cgroup order"),
		  -ENOENT);
	EXPECT_EQ(write_file(SFS "/cgroups", "relabel /order order"), -EINVAL);
}

TEST(permissive_mode_logs_and_allows)
{
	struct vmproc order, ads;
	long long seq = audit_last();

	fig2("permissive", "deny");
	ASSERT_EQ(write_file(SFS "/mode", "permissive"), 0);
	EXPECT_TRUE(file_has(SFS "/status", "mode=permissive", NULL));
	ASSERT_EQ(vm_start(&order, "order"), 0);
	ASSERT_EQ(vm_start(&ads, "ads"), 0);
	EXPECT_EQ(order.err, 0);
	EXPECT_EQ(ads.err, 0);
	EXPECT_EQ(audit_since(seq, "op=create result=permitted",
			      "reason=chinese_wall"),
		  1);
	vm_stop(&ads);
	vm_stop(&order);
	ASSERT_EQ(write_file(SFS "/mode", "enforce"), 0);
	EXPECT_EQ(write_file(SFS "/mode", "lax"), -EINVAL);
	EXPECT_TRUE(file_has(SFS "/mode", "enforce", NULL));
}

TEST(stats_count_evaluations_and_denials)
{
	long long calls, allowed, denied;
	struct vmproc order, ads;

	fig2("stats", "deny");
	calls = file_value(SFS "/stats", "op=create ", "calls");
	allowed = file_value(SFS "/stats", "op=create ", "allowed");
	denied = file_value(SFS "/stats", "op=create ", "denied");
	ASSERT_GE(calls, 0);
	ASSERT_EQ(vm_start(&order, "order"), 0);
	ASSERT_EQ(vm_start(&ads, "ads"), 0);
	ASSERT_EQ(ads.err, -EACCES);
	vm_stop(&ads);
	vm_stop(&order);
	EXPECT_EQ(file_value(SFS "/stats", "op=create ", "calls"), calls + 2);
	EXPECT_EQ(file_value(SFS "/stats", "op=create ", "allowed"),
		  allowed + 1);
	EXPECT_EQ(file_value(SFS "/stats", "op=create ", "denied"), denied + 1);
}

TEST_HARNESS_MAIN
