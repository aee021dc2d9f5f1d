// SPDX-License-Identifier: GPL-2.0
/*
 * Failing closed: shype.ko loaded with require_policy=1 refuses every VM
 * until a policy is loaded.  The parameter is fixed when shype.ko is
 * loaded, which cannot be unloaded: the tests that need require_policy=1
 * skip unless the test host was booted with shype.require_policy=1 (init
 * passes shype.* parameters to insmod, as modprobe does), which `make
 * vm-check` does in a second, short boot that runs this program alone.
 */
#include "harness.h"
#include "shype_util.h"

#define PARAM "/sys/module/shype/parameters/require_policy"

static char status[4096];

/* Skip unless the module requires a policy and none is loaded yet. */
static void need_require_policy(void)
{
	ASSERT_GT(read_file(SFS "/status", status, sizeof(status)), 0);
	if (!strstr(status, " require_policy=1"))
		SKIP("shype.ko loaded without require_policy=1");
	if (strncmp(status, "policy=- ", 9))
		SKIP("a policy is loaded already");
}

TEST(status_shows_require_policy_parameter)
{
	char param[8];

	ASSERT_GT(read_file(PARAM, param, sizeof(param)), 0);
	ASSERT_GT(read_file(SFS "/status", status, sizeof(status)), 0);
	EXPECT_TRUE(strstr(status, param[0] == 'Y' ?
					   " require_policy=1\n" :
					   " require_policy=0\n") != NULL);
}

TEST(require_policy_parameter_is_read_only)
{
	EXPECT_EQ(open(PARAM, O_WRONLY), -1);
	EXPECT_EQ(errno, EACCES);
}

TEST(vm_create_refused_while_no_policy_is_loaded)
{
	long long seq = audit_last();
	long long denied = file_value(SFS "/stats", "op=create", "denied");
	struct vmproc vm;

	need_require_policy();
	ASSERT_EQ(write_file(SFS "/mode", "enforce"), 0);
	ASSERT_EQ(vm_start(&vm, ""), 0);
	EXPECT_EQ(vm.err, -EACCES);
	EXPECT_EQ(audit_since(seq, "op=create result=denied",
			      "reason=no_policy"),
		  1);
	EXPECT_EQ(file_value(SFS "/stats", "op=create", "denied"), denied + 1);
	vm_stop(&vm);
}

TEST(vm_create_permitted_and_audited_in_permissive_mode)
{
	long long seq = audit_last();
	struct vmproc vm;

	need_require_policy();
	ASSERT_EQ(write_file(SFS "/mode", "permissive"), 0);
	ASSERT_EQ(vm_start(&vm, ""), 0);
	EXPECT_EQ(write_file(SFS "/mode", "enforce"), 0);
	EXPECT_EQ(vm.err, 0);
	EXPECT_EQ(audit_since(seq, "op=create result=permitted",
			      "reason=no_policy"),
		  1);
	vm_stop(&vm);
}

TEST(vm_create_allowed_once_a_policy_is_loaded)
{
	struct vmproc vm;
	char why[1024];

	need_require_policy();
	ASSERT_EQ(load_fig2("require-policy", "1.0", FIG2_WALL, "deny", why,
			    sizeof(why)),
		  0);
	ASSERT_EQ(cg_label("order", "order"), 0);
	ASSERT_EQ(vm_start(&vm, "order"), 0);
	EXPECT_EQ(vm.err, 0);
	vm_stop(&vm);
}

TEST_HARNESS_MAIN
