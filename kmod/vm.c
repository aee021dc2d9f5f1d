// SPDX-License-Identifier: GPL-2.0
/*
 * VM records: each VM's label, frozen when it is created, and the Chinese
 * Wall decision at creation.
 */
#define pr_fmt(fmt) "shype: " fmt

#include <linux/hashtable.h>
#include <linux/moduleparam.h>
#include <linux/pid.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>

#include "shype.h"

/* Serialises every change of shype's state: see shype.h. */
DEFINE_MUTEX(shype_lock);
LIST_HEAD(shype_vms);
unsigned int shype_vm_count;

/*
 * Fail closed, as SELinux does from boot: with require_policy=1 no VM may
 * be created until a policy is loaded.  Read-only after load, so that no
 * one can open the window again.
 */
bool shype_require_policy;
module_param_named(require_policy, shype_require_policy, bool, 0444);
MODULE_PARM_DESC(require_policy,
		 "refuse KVM_CREATE_VM until a policy is loaded (default 0)");

static DEFINE_HASHTABLE(vm_hash, 8);
static u64 next_vm_id = 1;

/**
 * shype_vm_find() - the record of @kvm, or NULL; under shype_lock
 * @kvm: the VM
 */
struct shype_vm *shype_vm_find(const struct kvm *kvm)
{
	struct shype_vm *vm;

	lockdep_assert_held(&shype_lock);
	hash_for_each_possible(vm_hash, vm, node, (unsigned long)kvm)
		if (vm->kvm == kvm)
			return vm;
	return NULL;
}

/**
 * shype_vm_of_mm() - a VM of the process of @mm (they all carry one
 *	label), or NULL; under shype_lock
 * @mm: the process's address space
 */
struct shype_vm *shype_vm_of_mm(const struct mm_struct *mm)
{
	struct shype_vm *vm;

	lockdep_assert_held(&shype_lock);
	list_for_each_entry(vm, &shype_vms, list)
		if (vm->mm == mm)
			return vm;
	return NULL;
}

/*
 * Decide whether @vm may be created under @a; fill in @vm->idx.
 * Return: 0, or -EACCES after auditing why.
 */
static int decide_create(struct shype_active *a, struct shype_vm *vm)
{
	const struct shype_policy *p = &a->pol;
	const struct shype_vm *sib, *peer = NULL;
	const char *fmt = "reason=chinese_wall type=%s running=%s peer=%s";
	char who[SHYPE_NAME_MAX + 24] = "-";
	struct shype_create_verdict v;

	sib = shype_vm_of_mm(vm->mm);
	shype_create_decide(p, &a->cw, vm->label, strlen(vm->label),
			    sib ? &sib->idx : NULL, &v);
	vm->idx = v.label;
	switch (v.reason) {
	case SHYPE_CREATE_OK:
		return 0;
	case SHYPE_CREATE_PROCESS_LABEL:
		return shype_deny(SHYPE_OP_CREATE, vm,
				  "reason=process_label other=%llu(%s)",
				  sib->id, shype_vm_label(sib));
	case SHYPE_CREATE_CHINESE_WALL:
		if (v.culprit != SHYPE_NOT_FOUND)
			peer = shype_vm_of_chwall_type(p, v.culprit, false,
						       NULL);
		if (peer)
			snprintf(who, sizeof(who), "%llu(%s)", peer->id,
				 shype_vm_label(peer));
		return shype_deny(SHYPE_OP_CREATE, vm, fmt,
				  p->chwall_names[v.type].s,
				  v.culprit == SHYPE_NOT_FOUND ?
					  "-" :
					  p->chwall_names[v.culprit].s,
				  who);
	default:
		return shype_deny(SHYPE_OP_CREATE, vm, "reason=%s",
				  shype_create_reason_name(v.reason));
	}
}

/**
 * shype_vm_of_chwall_type() - the first running VM, in creation order, whose
 *	label has Chinese Wall type @type, or NULL; under shype_lock
 * @p: the policy
 * @type: a Chinese Wall type of @p
 * @next: look at the VMs' labels in @p being loaded (&shype_vm.next_idx),
 *	not in the active policy
 * @upto: stop before this VM; NULL for all
 */
const struct shype_vm *shype_vm_of_chwall_type(const struct shype_policy *p,
					       u32 type, bool next,
					       const struct shype_vm *upto)
{
	const struct shype_vm *vm;
	u32 l;

	lockdep_assert_held(&shype_lock);
	list_for_each_entry(vm, &shype_vms, list) {
		if (vm == upto)
			break;
		if (!vm->kvm)
			continue; /* kept for its devices: not in the wall */
		l = next ? vm->next_idx : vm->idx;
		if (l < p->labels && type < p->chwall_types &&
		    shype_bit(shype_chwall_row(p, l), type))
			return vm;
	}
	return NULL;
}

/**
 * shype_vm_create() - label a new VM and decide whether it may exist
 * @kvm: the VM being created, by current
 *
 * Return: 0, %-ENOMEM, or %-EACCES when the policy denies it, or when no
 * policy is loaded and shype.ko was loaded with require_policy=1 (in
 * enforce mode).
 */
int shype_vm_create(const struct kvm *kvm)
{
	struct shype_active *a;
	struct shype_vm *vm;
	int err = 0;
	u64 start;

	vm = kzalloc(sizeof(*vm), GFP_KERNEL_ACCOUNT);
	if (!vm)
		return -ENOMEM;
	vm->kvm = kvm;
	vm->mm = current->mm;
	vm->pid = task_tgid_vnr(current);
	vm->idx = SHYPE_NOT_FOUND;
	INIT_LIST_HEAD(&vm->binds);
	INIT_LIST_HEAD(&vm->slots);

	mutex_lock(&shype_lock);
	start = shype_stat_start();
	/* A refused VM's number names it in its audit line: never reused. */
	vm->id = next_vm_id++;
	shype_current_label(vm->label, sizeof(vm->label));
	a = shype_active_locked();
	if (a)
		err = decide_create(a, vm);
	else if (shype_require_policy)
		err = shype_deny(SHYPE_OP_CREATE, vm, "reason=no_policy");
	if (a || shype_require_policy)
		err = shype_verdict(SHYPE_OP_CREATE, err, start);
	if (!err)
		err = shype_proc_vm_add(vm);
	if (!err) {
		if (a && vm->idx != SHYPE_UNLABELED_DENY &&
		    vm->idx != SHYPE_NOT_FOUND)
			shype_chwall_add(&a->pol, &a->cw, vm->idx);
		else
			vm->idx = SHYPE_NOT_FOUND;
		hash_add(vm_hash, &vm->node, (unsigned long)kvm);
		list_add_tail(&vm->list, &shype_vms);
		shype_vm_count++;
		shype_bind_vm_inherit(vm);
	}
	mutex_unlock(&shype_lock);
	if (err)
		kfree(vm);
	return err;
}

/**
 * shype_vm_destroy() - forget a VM that is going away; no-op for a VM that
 *	shype never admitted
 * @kvm: the VM
 */
void shype_vm_destroy(const struct kvm *kvm)
{
	struct shype_active *a;
	struct shype_vm *vm;
	bool kept;

	mutex_lock(&shype_lock);
	vm = shype_vm_find(kvm);
	if (vm) {
		a = shype_active_locked();
		if (a && vm->idx != SHYPE_NOT_FOUND)
			shype_chwall_remove(&a->pol, &a->cw, vm->idx);
		kept = shype_bind_vm_release(vm);
		shype_memslot_vm_release(vm);
		shype_proc_vm_del(vm);
		hash_del(&vm->node);
		shype_vm_count--;
		if (kept) {
			/* Its process's devices hold what they bound. */
			vm->kvm = NULL;
			vm = NULL;
		} else {
			list_del(&vm->list);
		}
	}
	mutex_unlock(&shype_lock);
	kfree(vm);
}

/**
 * shype_vm_forget() - forget the record of a VM gone before the last
 *	binding of its process's devices; under shype_lock
 * @vm: the record (&shype_vm.kvm is NULL), holding no binding
 */
void shype_vm_forget(struct shype_vm *vm)
{
	lockdep_assert_held(&shype_lock);
	if (WARN_ON_ONCE(vm->kvm || !list_empty(&vm->binds)))
		return;
	list_del(&vm->list);
	kfree(vm);
}

/**
 * shype_vm_label() - the name of @vm's label as the active policy sees it:
 *	its cgroup's label, the policy's label for unlabelled VMs, or "-"
 * @vm: the VM; under shype_lock
 */
const char *shype_vm_label(const struct shype_vm *vm)
{
	struct shype_active *a;

	if (vm->label[0])
		return vm->label;
	a = shype_active_locked();
	if (a && vm->idx < a->pol.labels)
		return a->pol.label[vm->idx].name;
	return "-";
}

/**
 * shype_vm_refuse() - refuse an operation of @kvm that shype cannot
 *	mediate, while a policy is loaded
 * @kvm: the VM; NULL for a VM of current's process
 * @op: the operation
 * @reason: "reason=WORD" for the audit line
 *
 * Return: 0 when no policy is loaded or in permissive mode, else %-EACCES.
 */
int shype_vm_refuse(const struct kvm *kvm, enum shype_op op, const char *reason)
{
	struct shype_vm *vm;
	int err = 0;
	u64 start;

	mutex_lock(&shype_lock);
	start = shype_stat_start();
	if (shype_active_locked()) {
		vm = kvm ? shype_vm_find(kvm) : shype_vm_of_mm(current->mm);
		if (vm)
			shype_deny(op, vm, "%s", reason);
		else
			shype_audit_permissive(op, !shype_permissive,
					       "vm=- pid=%d %s",
					       task_tgid_vnr(current), reason);
		err = shype_verdict(op, -EACCES, start);
	}
	mutex_unlock(&shype_lock);
	return err;
}
