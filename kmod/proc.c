// SPDX-License-Identifier: GPL-2.0
/*
 * Process channels: one process reaching into another through the kernel's
 * ptrace access check.
 *
 * __ptrace_may_access() is the one gate of ptrace attach and seize,
 * process_vm_readv/writev, /proc/PID/mem and the rest of /proc/PID that it
 * guards (environ, fd/N reopened, ns/, ...), pidfd_getfd, kcmp and
 * perf_event_open on another task; it ends in the LSM entry point
 * security_ptrace_access_check(child, mode), hooked here, on the tasks it
 * resolved.  PTRACE_TRACEME asks security_ptrace_traceme(parent), hooked as
 * well.  Both run after the kernel's own uid and capability checks, and
 * shype decides after the other security modules (Yama) agreed.
 *
 * A process is labelled when it holds a VM (its mm created one: the VM's
 * frozen label) or else sits in a labelled cgroup (its nearest labelled
 * ancestor's label).  The rules, while a policy is loaded:
 * - two labelled processes: only if their labels share an STE type;
 * - an unlabelled process reaching a labelled one: only with CAP_SYS_PTRACE
 *   in the initial user namespace (the host's root, libvirtd), so another
 *   process of the VMMs' uid outside the labelled cgroups cannot;
 * - a labelled process reaching an unlabelled one: never;
 * - two unlabelled processes: not shype's business.
 * PTRACE_TRACEME is decided as its parent reaching the caller.  Checks
 * that the kernel marks PTRACE_MODE_NOAUDIT (what ps reads) are decided
 * and counted but not audited.
 *
 * Context: security_ptrace_access_check() runs under task_lock(child)
 * (ptrace_may_access(), ptrace_attach()), security_ptrace_traceme() under
 * write_lock_irq(&tasklist_lock): nothing here may sleep.  So shype_lock
 * (a mutex) is not taken: the policy is read under RCU, the labels of
 * VMMs from this file's table of VMM address spaces and those of cgroups
 * from label.c's table, both read under RCU and changed under shype_lock.
 * The audit (shype_audit_permissive()) does not sleep either: a spinlock,
 * GFP_ATOMIC records, printk; shype_deny() is not used, as it reads a VM
 * record under shype_lock.
 */
#define pr_fmt(fmt) "shype: " fmt

#include <linux/capability.h>
#include <linux/hashtable.h>
#include <linux/ptrace.h>
#include <linux/sched.h>
#include <linux/slab.h>

#include "hook.h"
#include "shype.h"

/**
 * struct vmm - the address space of a process that created VMs
 * @node: in vmms, by @mm
 * @rcu: frees it after readers under RCU are done
 * @mm: the address space (compared, never dereferenced; each of its VMs
 *	holds it, so it is not reused while this exists)
 * @vms: how many of its VMs exist
 * @mixed: its VMs carry different labels (created in permissive mode):
 *	it has none that a decision can use
 * @label: the label of its first VM, frozen; "" for an unlabelled VM
 */
struct vmm {
	struct hlist_node node;
	struct rcu_head rcu;
	const struct mm_struct *mm;
	unsigned int vms;
	bool mixed;
	char label[SHYPE_NAME_MAX + 1];
};

static DEFINE_HASHTABLE(vmms, 6);

/* Under shype_lock or RCU. */
static struct vmm *vmm_find(const struct mm_struct *mm)
{
	struct vmm *v;

	hash_for_each_possible_rcu(vmms, v, node, (unsigned long)mm,
				   lockdep_is_held(&shype_lock))
		if (v->mm == mm)
			return v;
	return NULL;
}

/**
 * shype_proc_vm_add() - count @vm as one of its process's; under shype_lock
 * @vm: a VM being recorded
 *
 * Return: 0 or %-ENOMEM.
 */
int shype_proc_vm_add(const struct shype_vm *vm)
{
	struct vmm *v;

	lockdep_assert_held(&shype_lock);
	v = vmm_find(vm->mm);
	if (v) {
		v->vms++;
		if (strcmp(v->label, vm->label))
			WRITE_ONCE(v->mixed, true);
		return 0;
	}
	v = kzalloc(sizeof(*v), GFP_KERNEL_ACCOUNT);
	if (!v)
		return -ENOMEM;
	v->mm = vm->mm;
	v->vms = 1;
	strscpy(v->label, vm->label, sizeof(v->label));
	hash_add_rcu(vmms, &v->node, (unsigned long)v->mm);
	return 0;
}

/**
 * shype_proc_vm_del() - forget @vm, counted by shype_proc_vm_add(); under
 *	shype_lock
 * @vm: a VM going away
 */
void shype_proc_vm_del(const struct shype_vm *vm)
{
	struct vmm *v;

	lockdep_assert_held(&shype_lock);
	v = vmm_find(vm->mm);
	if (WARN_ON_ONCE(!v) || --v->vms)
		return;
	hash_del_rcu(&v->node);
	kfree_rcu(v, rcu);
}

/**
 * shype_who_is() - what a process is to a policy; under RCU, never sleeps
 * @p: the active policy
 * @t: a task of the process
 * @mm: its address space, read once by the caller (compared only)
 * @w: the answer
 */
void shype_who_is(const struct shype_policy *p, struct task_struct *t,
		  const struct mm_struct *mm, struct shype_who *w)
{
	const struct vmm *v = mm ? vmm_find(mm) : NULL;

	w->pid = task_tgid_nr(t);
	w->labelled = true;
	w->idx = SHYPE_NOT_FOUND;
	if (v) {
		strscpy(w->name, v->label, sizeof(w->name));
		if (!READ_ONCE(v->mixed))
			w->idx = shype_vm_label_index(p, w->name,
						      strlen(w->name));
	} else if (shype_task_cgroup_label(t, w->name, sizeof(w->name))) {
		w->idx = shype_vm_label_index(p, w->name, strlen(w->name));
	} else {
		w->labelled = false;
	}
}

/**
 * shype_labelled() - is @t, whose address space is @mm, a labelled
 *	process: one that holds a VM or sits in a labelled cgroup?  The one
 *	cheap test of an unlabelled process's open; under RCU, never sleeps
 * @t: a task
 * @mm: its address space, read once by the caller (compared only)
 */
bool shype_labelled(struct task_struct *t, const struct mm_struct *mm)
{
	return (mm && vmm_find(mm)) || shype_task_cgroup_labelled(t);
}

/**
 * shype_who_label() - @w's label for an audit line: its name, else "-"
 * @p: the policy @w was found under
 * @w: a process
 */
const char *shype_who_label(const struct shype_policy *p,
			    const struct shype_who *w)
{
	if (w->name[0])
		return w->name;
	return w->idx < p->labels ? p->label[w->idx].name : "-";
}

/*
 * May @tracer (address space @tracer_mm) reach @target (@target_mm)?  @how
 * is the audit's mode=; @audit false for a NOAUDIT check.
 * Return: 0, or %-EACCES (in enforce mode) after auditing why.
 */
static int decide(struct task_struct *tracer, const struct mm_struct *tracer_mm,
		  struct task_struct *target, const struct mm_struct *target_mm,
		  const char *how, bool audit)
{
	const struct shype_policy *p;
	const char *reason = NULL;
	const char *fmt = "tracer=%d(%s) target=%d(%s) mode=%s reason=%s";
	bool permissive = READ_ONCE(shype_permissive);
	struct shype_active *a;
	struct shype_who s, o;
	int err = 0;

	rcu_read_lock();
	a = rcu_dereference(shype_active);
	if (!a)
		goto out;
	p = &a->pol;
	shype_who_is(p, tracer, tracer_mm, &s);
	shype_who_is(p, target, target_mm, &o);
	if (!s.labelled && !o.labelled)
		goto out;
	if (s.labelled && o.labelled) {
		if (s.idx == SHYPE_NOT_FOUND || o.idx == SHYPE_NOT_FOUND)
			reason = "unknown_label";
		else if (!shype_ste_share(p, s.idx, o.idx))
			reason = "ste";
	} else if (s.labelled) {
		reason = "unlabelled_target";
	} else if (!has_capability_noaudit(tracer, CAP_SYS_PTRACE)) {
		reason = "unlabelled_tracer";
	}
	shype_stat(SHYPE_OP_PTRACE, !reason);
	if (!reason)
		goto out;
	if (audit)
		shype_audit_permissive(SHYPE_OP_PTRACE, !permissive, fmt, s.pid,
				       shype_who_label(p, &s), o.pid,
				       shype_who_label(p, &o), how, reason);
	if (!permissive)
		err = -EACCES;
out:
	rcu_read_unlock();
	return err;
}

static int (*orig_security_ptrace_access_check)(struct task_struct *child,
						unsigned int mode);
static int (*orig_security_ptrace_traceme)(struct task_struct *parent);

static int hook_security_ptrace_access_check(struct task_struct *child,
					     unsigned int mode)
{
	int err = orig_security_ptrace_access_check(child, mode);

	if (err)
		return err;
	/* The caller holds task_lock(@child): its mm does not change. */
	return decide(current, current->mm, child, child->mm,
		      mode & PTRACE_MODE_ATTACH ? "attach" : "read",
		      !(mode & PTRACE_MODE_NOAUDIT));
}

static int hook_security_ptrace_traceme(struct task_struct *parent)
{
	int err = orig_security_ptrace_traceme(parent);

	if (err)
		return err;
	/*
	 * Under tasklist_lock, @parent is not freed, but its mm may be
	 * changing (exec, exit): read once, it is only compared.
	 */
	return decide(parent, READ_ONCE(parent->mm), current, current->mm,
		      "traceme", true);
}

static struct shype_hook proc_hooks[] = {
	SHYPE_HOOK(NULL, security_ptrace_access_check),
	SHYPE_HOOK(NULL, security_ptrace_traceme),
};

const struct shype_hook_table shype_proc_table = {
	.hooks = proc_hooks,
	.nr = ARRAY_SIZE(proc_hooks),
};
