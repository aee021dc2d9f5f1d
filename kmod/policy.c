// SPDX-License-Identifier: GPL-2.0
/*
 * Loading and replacing the policy.
 *
 * A new policy is validated whole, then checked against every running VM
 * (label known, Chinese Wall admits them all) before it is published with
 * RCU; a policy that fails changes nothing.
 */
#define pr_fmt(fmt) "shype: " fmt

#include <linux/mm.h>
#include <linux/rtnetlink.h>
#include <linux/seq_buf.h>
#include <linux/slab.h>

#include "shype.h"

struct shype_active __rcu *shype_active;
bool shype_permissive;

static void active_free(struct shype_active *a)
{
	if (!a)
		return;
	kvfree(a->blob);
	kvfree(a->cw_mem);
	shype_names_free(a->names);
	kfree(a);
}

static void active_free_work(struct work_struct *work)
{
	active_free(container_of(to_rcu_work(work), struct shype_active,
				 free_work));
}

static struct shype_active *active_new(void *blob, size_t len,
				       struct seq_buf *reasons)
{
	struct shype_active *a;
	int err;

	a = kzalloc(sizeof(*a), GFP_KERNEL_ACCOUNT);
	if (!a)
		return ERR_PTR(-ENOMEM);
	a->blob = blob;
	a->len = len;
	err = shype_policy_init(&a->pol, blob, len);
	if (err) {
		seq_buf_printf(reasons, "malformed policy: %s\n",
			       shype_blob_strerror(err));
		shype_policy_malformed(-shype_blob_errno(err),
				       shype_blob_strerror(err));
		a->blob = NULL; /* the caller still owns it */
		kfree(a);
		return ERR_PTR(-shype_blob_errno(err));
	}
	a->cw_mem = kvzalloc(shype_chwall_size(&a->pol), GFP_KERNEL_ACCOUNT);
	if (!a->cw_mem) {
		a->blob = NULL;
		kfree(a);
		return ERR_PTR(-ENOMEM);
	}
	shype_chwall_init(&a->pol, &a->cw, a->cw_mem);
	return a;
}

/**
 * shype_policy_malformed() - audit and count a blob refused before it could
 *	be checked against the running VMs
 * @err: the errno the load returns
 * @why: what is wrong with it, in words
 */
void shype_policy_malformed(int err, const char *why)
{
	shype_audit(SHYPE_OP_POLICY_LOAD, "reason=malformed error=%s", why);
	shype_stat(SHYPE_OP_POLICY_LOAD, false);
}

/**
 * shype_policy_memory() - the kernel memory a loaded policy takes, in bytes
 * @a: the policy
 */
size_t shype_policy_memory(const struct shype_active *a)
{
	return sizeof(*a) + a->len + shype_chwall_size(&a->pol);
}

/* Is @blob, byte for byte, the blob of the policy @a? */
static bool same_blob(const struct shype_active *a, const void *blob,
		      size_t len)
{
	return a->len == len && !memcmp(a->blob, blob, len);
}

/* May @new replace @old?  Same name: a higher version; another: force. */
static int check_succession(const struct shype_policy *o,
			    const struct shype_policy *n, u32 flags,
			    struct seq_buf *reasons)
{
	if (strcmp(o->name, n->name)) {
		if (flags & SHYPE_LOAD_FORCE)
			return 0;
		seq_buf_printf(reasons, "'%s' is active; '%s' needs force\n",
			       o->name, n->name);
		shype_audit(SHYPE_OP_POLICY_LOAD,
			    "reason=other_name active=%s new=%s", o->name,
			    n->name);
		return -EEXIST;
	}
	if (n->version_major > o->version_major ||
	    (n->version_major == o->version_major &&
	     n->version_minor > o->version_minor))
		return 0;
	seq_buf_printf(reasons,
		       "'%s' %u.%u is active; %u.%u is no higher version\n",
		       o->name, o->version_major, o->version_minor,
		       n->version_major, n->version_minor);
	shype_audit(SHYPE_OP_POLICY_LOAD,
		    "reason=stale_version policy=%s active=%u.%u new=%u.%u",
		    o->name, o->version_major, o->version_minor,
		    n->version_major, n->version_minor);
	return -ESTALE;
}

/*
 * Say why @vm, of @label under the new policy, would be denied by it;
 * @more: fields for the audit line after reason=, or "".
 */
static void violation(struct seq_buf *reasons, const struct shype_vm *vm,
		      const char *label, const char *why, const char *detail,
		      const char *more)
{
	seq_buf_printf(reasons, "vm %llu (pid %d, label '%s'): %s\n", vm->id,
		       vm->pid, label, detail);
	shype_audit_permissive(SHYPE_OP_POLICY_LOAD, !shype_permissive,
			       "vm=%llu pid=%d label=%s reason=%s%s", vm->id,
			       vm->pid, label, why, more);
}

/* The index of @vm's label in @p, or SHYPE_NOT_FOUND after saying why. */
static u32 relabel(const struct shype_policy *p, const struct shype_vm *vm,
		   struct seq_buf *reasons)
{
	u32 idx = shype_vm_label_index(p, vm->label, strlen(vm->label));

	if (idx != SHYPE_NOT_FOUND)
		return idx;
	if (!vm->label[0])
		violation(reasons, vm, "-", "unlabeled",
			  "unlabelled VMs are denied", "");
	else
		violation(reasons, vm, vm->label, "unknown_label",
			  "label not in the new policy", "");
	return SHYPE_NOT_FOUND;
}

/* Account @vm of label @l under @a, or say why its Chinese Wall refuses. */
static bool admit(struct shype_active *a, const struct shype_vm *vm, u32 l,
		  struct seq_buf *reasons)
{
	const struct shype_policy *p = &a->pol;
	u32 type = shype_chwall_admit(p, &a->cw, l), culprit;
	const struct shype_vm *peer = NULL;
	char detail[160], more[192];

	shype_chwall_add(p, &a->cw, l);
	if (type == SHYPE_NOT_FOUND)
		return true;
	culprit = shype_chwall_culprit(p, &a->cw, l, type);
	if (culprit != SHYPE_NOT_FOUND)
		peer = shype_vm_of_chwall_type(p, culprit, true, vm);
	snprintf(detail, sizeof(detail),
		 "Chinese Wall type '%s' conflicts with running type '%s'%s",
		 p->chwall_names[type].s,
		 culprit == SHYPE_NOT_FOUND ? "?" : p->chwall_names[culprit].s,
		 peer ? " of vm " : "");
	if (peer)
		scnprintf(detail + strlen(detail),
			  sizeof(detail) - strlen(detail), "%llu", peer->id);
	snprintf(more, sizeof(more), " type=%s running=%s",
		 p->chwall_names[type].s,
		 culprit == SHYPE_NOT_FOUND ? "-" : p->chwall_names[culprit].s);
	if (peer)
		scnprintf(more + strlen(more), sizeof(more) - strlen(more),
			  " peer=%llu(%s)", peer->id,
			  p->label[peer->next_idx].name);
	else
		strlcat(more, " peer=-", sizeof(more));
	violation(reasons, vm, p->label[l].name, "chinese_wall", detail, more);
	return false;
}

/*
 * Account every running VM under @a, in creation order, noting its label
 * there in &shype_vm.next_idx; then check every live binding.
 * Return: the number of VMs and bindings that the new policy would deny.
 */
static unsigned int check_state(struct shype_active *a, struct seq_buf *reasons)
{
	unsigned int violations = 0;
	struct shype_vm *vm;

	list_for_each_entry(vm, &shype_vms, list) {
		vm->next_idx = relabel(&a->pol, vm, reasons);
		if (vm->next_idx == SHYPE_NOT_FOUND)
			violations++;
		else if (vm->kvm && !admit(a, vm, vm->next_idx, reasons))
			violations++; /* a record kept for devices is no VM */
	}
	return violations + shype_bind_check(&a->pol, reasons);
}

/* Send the audit subsystem the record of a load of the valid blob @blob. */
static void audit_load(const struct shype_policy *p, const void *blob, int err)
{
	const char *fmt =
		"op=policy_load result=%s policy=%s version=%u.%u digest=%*phN%s";
	const struct shype_policy_header *h = blob;
	const char *reason = "";

	if (err == -EEXIST)
		reason = " reason=other_name";
	else if (err == -ESTALE)
		reason = " reason=stale_version";
	else if (err == -EBUSY)
		reason = " reason=unseen_vms";
	else if (err)
		reason = " reason=violations";
	shype_audit_change(NULL, fmt, err ? "denied" : "accepted", p->name,
			   p->version_major, p->version_minor,
			   SHYPE_DIGEST_SIZE, h->digest, reason);
}

/**
 * shype_policy_replace() - make @blob the active policy
 * @blob: a kvmalloc()ed blob; owned by the active policy when 0 is
 *	returned, still the caller's otherwise
 * @len: its length
 * @flags: %SHYPE_LOAD_FORCE or 0
 * @reasons: where to say why a load was refused, one line per reason
 *
 * A blob that is byte for byte the active policy's is accepted and changes
 * nothing: reloading the policy in force (a service restart) is not a
 * replacement, so neither the version rule nor the running VMs are
 * checked, and nothing is audited.
 *
 * The objects that its resource names name are resolved first (names.c):
 * files with no lock held, devices under RTNL, which is held until the
 * policy is published so that no device changes name meanwhile.
 *
 * Return: 0 when @blob is now the active policy; %SHYPE_POLICY_UNCHANGED
 * when it is byte for byte the active policy, which stays; or a negative
 * errno of the uapi header's list for policy loads (%-EBUSY: in enforce
 * mode, VMs run that were created before shype.ko was loaded).
 */
int shype_policy_replace(void *blob, size_t len, u32 flags,
			 struct seq_buf *reasons)
{
	u64 start = shype_stat_start();
	struct shype_active *old, *new;
	struct shype_vm *vm;
	int err;

	new = active_new(blob, len, reasons);
	if (IS_ERR(new))
		return PTR_ERR(new);
	err = shype_names_new(new);
	if (err) {
		new->blob = NULL;
		active_free(new);
		return err;
	}

	rtnl_lock();
	shype_names_net(new);
	mutex_lock(&shype_lock);
	old = shype_active_locked();
	/* Compared under the lock that the load holds: @old stays active. */
	if (old && same_blob(old, blob, len)) {
		err = SHYPE_POLICY_UNCHANGED;
		goto out_unlock;
	}
	err = old ? check_succession(&old->pol, &new->pol, flags, reasons) : 0;
	if (err)
		goto out_unlock;
	/* VMs that shype never saw: no policy is enforced beside them. */
	if (shype_vms_unseen(reasons, true) && !shype_permissive) {
		err = -EBUSY;
		goto out_unlock;
	}
	if (check_state(new, reasons) && !shype_permissive) {
		err = -EACCES;
		goto out_unlock;
	}
	list_for_each_entry(vm, &shype_vms, list)
		vm->idx = vm->next_idx;
	rcu_assign_pointer(shype_active, new);
out_unlock:
	mutex_unlock(&shype_lock);
	rtnl_unlock();
	shype_stat_timed(SHYPE_OP_POLICY_LOAD, err >= 0, start);
	if (err != SHYPE_POLICY_UNCHANGED)
		audit_load(&new->pol, blob, err);
	if (err) {
		if (err == SHYPE_POLICY_UNCHANGED)
			pr_info("policy %s %u.%u is already active\n",
				new->pol.name, new->pol.version_major,
				new->pol.version_minor);
		new->blob = NULL;
		active_free(new);
		return err;
	}
	pr_info("policy %s %u.%u loaded\n", new->pol.name,
		new->pol.version_major, new->pol.version_minor);
	/*
	 * The old policy goes once no lockless reader can see it any more
	 * (those under rcu_read_lock() in names.c, proc.c and file.c; every
	 * other reader holds shype_lock), without the load waiting for that
	 * grace period: tens of ms of a big policy's load, on a busy machine
	 * more.  Freeing its names may sleep: a work item, not an RCU
	 * callback.
	 */
	if (old) {
		INIT_RCU_WORK(&old->free_work, active_free_work);
		queue_rcu_work(system_wq, &old->free_work);
	}
	return 0;
}
