// SPDX-License-Identifier: GPL-2.0
/*
 * VMs that KVM runs and shype never saw: those created before shype.ko
 * hooked KVM.  shype knows neither their labels nor their bindings, so
 * neither the Chinese Wall nor the binding checks can account for them,
 * and a policy cannot be enforced while one runs (policy.c, fs.c).
 *
 * KVM lists every VM in vm_list, under kvm_lock, from the end of
 * kvm_create_vm() (after kvm_arch_post_init_vm(), where shype records it)
 * until the start of kvm_destroy_vm() (before kvm_arch_destroy_vm(), where
 * shype forgets it): so a VM on the list that shype has no record of was
 * created before KVM was hooked.  Both symbols are found by name, as
 * kvm.ko does not export them.  Lock order: shype_lock, then kvm_lock.
 *
 * Not covered: a VM whose creation had passed kvm_arch_post_init_vm()
 * before KVM was hooked and is listed only after a later scan, a window
 * of a few instructions as shype.ko loads.  Its binds are still refused
 * while a policy is loaded (reason=unknown_vm, bind.c).
 */
#define pr_fmt(fmt) "shype: " fmt

#include <linux/kvm_host.h>
#include <linux/module.h>
#include <linux/seq_buf.h>

#include "shype.h"

/* The pid of @kvm's VMM, as KVM has it. */
static pid_t vmm_pid(const struct kvm *kvm)
{
	int pid = 0;

	/* Set after the VM is listed; stats_id ("kvm-PID") before. */
	if (kvm->userspace_pid)
		return kvm->userspace_pid;
	if (sscanf(kvm->stats_id, "kvm-%d", &pid) != 1)
		return 0;
	return pid;
}

/* Say that the VM of @pid runs unseen: in @reasons, and audited if @audit. */
static void unseen(struct seq_buf *reasons, bool audit, pid_t pid)
{
	const char *when = "created before shype.ko was loaded";
	const char *blind = "shype knows neither its label nor its bindings";

	if (reasons)
		seq_buf_printf(reasons, "vm - (pid %d): %s; %s\n", pid, when,
			       blind);
	if (audit)
		shype_audit_permissive(SHYPE_OP_POLICY_LOAD, !shype_permissive,
				       "vm=- pid=%d reason=unseen_vm", pid);
}

/**
 * shype_vms_unseen() - the VMs that KVM runs and shype has no record of
 * @reasons: where to add a line for each one, or NULL
 * @audit: audit each one as a refused (in permissive mode, permitted)
 *	policy load
 *
 * Under shype_lock.  Fails closed: while shype.ko is still loading (no
 * function hooked yet), or when kvm.ko is loaded but its list of VMs
 * cannot be found, one unseen VM (pid 0) is counted.
 *
 * Return: how many there are; 0 when kvm.ko is not loaded.
 */
unsigned int shype_vms_unseen(struct seq_buf *reasons, bool audit)
{
	struct list_head *vm_list;
	/* KVM's, over vm_list */
	struct mutex *kvm_lock;
	unsigned int n = 0;
	struct module *mod;
	struct kvm *kvm;

	lockdep_assert_held(&shype_lock);
	/* securityfs comes first: a load while shype.ko is still loading. */
	if (!shype_hooks_installed()) {
		unseen(reasons, audit, 0);
		return 1;
	}
	/* RCU keeps a module that is going away from being freed. */
	rcu_read_lock();
	mod = (struct module *)shype_lookup_name("kvm:__this_module");
	if (mod && !try_module_get(mod))
		mod = NULL;
	rcu_read_unlock();
	if (!mod)
		return 0; /* no KVM, no VM */

	vm_list = (struct list_head *)shype_lookup_name("kvm:vm_list");
	kvm_lock = (struct mutex *)shype_lookup_name("kvm:kvm_lock");
	if (!vm_list || !kvm_lock) {
		pr_err("cannot find kvm:vm_list or kvm:kvm_lock: cannot tell which VMs run\n");
		unseen(reasons, audit, 0);
		module_put(mod);
		return 1;
	}
	mutex_lock(kvm_lock);
	list_for_each_entry(kvm, vm_list, vm_list) {
		if (shype_vm_find(kvm))
			continue;
		unseen(reasons, audit, vmm_pid(kvm));
		n++;
	}
	mutex_unlock(kvm_lock);
	module_put(mod);
	return n;
}
