// SPDX-License-Identifier: GPL-2.0
/*
 * SEV's copy and move of an encryption context from another VM are a
 * VM-to-VM share that shype refuses, with an audit line, while a policy is
 * loaded (this test host has no SEV: without shype, KVM says -EINVAL).
 */
#include "harness.h"
#include "shype_util.h"

static int enc_context_from(int vm, int other, __u32 cap)
{
	struct kvm_enable_cap c = { .cap = cap, .args = { other } };

	return ioctl(vm, KVM_ENABLE_CAP, &c) ? -errno : 0;
}

TEST(sev_context_copy_and_move_refused_with_audit)
{
	long long seq;
	int vm, other;

	ASSERT_EQ(load_fig2("sev", "1.0", "", "deny", NULL, 0), 0);
	ASSERT_EQ(cg_label("order", "order"), 0);
	ASSERT_EQ(cg_enter("order"), 0);
	vm = vm_create_here();
	other = vm_create_here();
	ASSERT_GE(vm, 0);
	ASSERT_GE(other, 0);
	seq = audit_last();
	EXPECT_EQ(enc_context_from(vm, other, KVM_CAP_VM_COPY_ENC_CONTEXT_FROM),
		  -EACCES);
	EXPECT_EQ(enc_context_from(vm, other, KVM_CAP_VM_MOVE_ENC_CONTEXT_FROM),
		  -EACCES);
	EXPECT_EQ(audit_since(seq, "op=sev_context result=denied",
			      "reason=vm_to_vm_unsupported"),
		  2);
	/* Other capabilities pass through to KVM. */
	EXPECT_EQ(enc_context_from(vm, other, 0xfffff), -EINVAL);

	/* In permissive mode it is logged and left to KVM. */
	ASSERT_EQ(write_file(SFS "/mode", "permissive"), 0);
	EXPECT_EQ(enc_context_from(vm, other, KVM_CAP_VM_COPY_ENC_CONTEXT_FROM),
		  -EINVAL);
	ASSERT_EQ(write_file(SFS "/mode", "enforce"), 0);
	EXPECT_EQ(audit_since(seq, "op=sev_context result=permitted", NULL), 1);
	close(other);
	close(vm);
}

TEST_HARNESS_MAIN
