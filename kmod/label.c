// SPDX-License-Identifier: GPL-2.0
/*
 * Labels of cgroups, and the label of the current process: that of its
 * nearest labelled cgroup (v2) ancestor.
 *
 * Cgroups are known by their 64-bit id, which the kernel never reuses, so
 * a label cannot pass to another cgroup made later under the same path.
 *
 * The table changes under shype_lock and is read under RCU as well (the
 * ptrace access check, proc.c, may not sleep): an entry is never changed
 * once published; a new label replaces the entry.
 */
#define pr_fmt(fmt) "shype: " fmt

#include <linux/cgroup.h>
#include <linux/hashtable.h>
#include <linux/slab.h>

#include "shype.h"

/**
 * struct cgroup_label - a labelled cgroup
 * @node: in cg_hash, by @id
 * @list: in cg_list, in the order they were labelled
 * @id: cgroup id
 * @label: the label's name
 * @rcu: frees it after readers under RCU are done
 * @path: the path it was labelled by, for display
 */
struct cgroup_label {
	struct hlist_node node;
	struct list_head list;
	struct rcu_head rcu;
	u64 id;
	char label[SHYPE_NAME_MAX + 1];
	char path[];
};

static DEFINE_HASHTABLE(cg_hash, 6);
static LIST_HEAD(cg_list);

/* Under shype_lock or RCU. */
static struct cgroup_label *find(u64 id)
{
	struct cgroup_label *cl;

	hash_for_each_possible_rcu(cg_hash, cl, node, id,
				   lockdep_is_held(&shype_lock))
		if (cl->id == id)
			return cl;
	return NULL;
}

static int cgroup_id_of(const char *path, u64 *id)
{
	struct cgroup *cgrp;

	if (path[0] != '/')
		return -EINVAL;
	cgrp = cgroup_get_from_path(path);
	if (IS_ERR(cgrp))
		return PTR_ERR(cgrp);
	*id = cgroup_id(cgrp);
	cgroup_put(cgrp);
	return 0;
}

/**
 * shype_cgroup_label_set() - label a cgroup
 * @path: its path from the cgroup v2 root
 * @label: a label name
 *
 * Return: 0; %-EINVAL for a malformed name or path; %-ENOENT, no such
 * cgroup; %-ESRCH, the active policy has no VM label @label; %-ENOMEM.
 */
int shype_cgroup_label_set(const char *path, const char *label)
{
	char old[SHYPE_NAME_MAX + 1] = "-";
	struct cgroup_label *cl, *new;
	struct shype_active *a;
	const char *shown;
	size_t len = strlen(label);
	u32 idx;
	u64 id;
	int err;

	if (!shype_name_valid(label, len))
		return -EINVAL;
	err = cgroup_id_of(path, &id);
	if (err)
		return err;

	mutex_lock(&shype_lock);
	a = shype_active_locked();
	if (a) {
		idx = shype_vm_label_index(&a->pol, label, len);
		if (idx == SHYPE_NOT_FOUND) {
			err = -ESRCH;
			goto out;
		}
	}
	cl = find(id);
	/* A relabelled cgroup keeps the path it was first labelled by. */
	shown = cl ? cl->path : path;
	new = kzalloc(struct_size(new, path, strlen(shown) + 1), GFP_KERNEL);
	if (!new) {
		err = -ENOMEM;
		goto out;
	}
	new->id = id;
	strcpy(new->path, shown);
	strscpy(new->label, label, sizeof(new->label));
	if (!cl) {
		hash_add_rcu(cg_hash, &new->node, id);
		list_add_tail(&new->list, &cg_list);
	} else {
		strscpy(old, cl->label, sizeof(old));
		hlist_replace_rcu(&cl->node, &new->node);
		list_replace(&cl->list, &new->list);
		kfree_rcu(cl, rcu);
	}
out:
	mutex_unlock(&shype_lock);
	if (!err)
		shype_audit_label(path, "cgroup", "cgroup_id", id, label, old);
	return err;
}

/**
 * shype_cgroup_label_clear() - remove a cgroup's label
 * @path: its path from the cgroup v2 root
 *
 * Return: 0; %-ENOENT when there is no such cgroup or it has no label.
 */
int shype_cgroup_label_clear(const char *path)
{
	struct cgroup_label *cl;
	u64 id;
	int err;

	err = cgroup_id_of(path, &id);
	if (err)
		return err;
	mutex_lock(&shype_lock);
	cl = find(id);
	if (cl) {
		hash_del_rcu(&cl->node);
		list_del(&cl->list);
	}
	mutex_unlock(&shype_lock);
	if (!cl)
		return -ENOENT;
	shype_audit_label(path, "cgroup", "cgroup_id", id, NULL, cl->label);
	kfree_rcu(cl, rcu);
	return 0;
}

/* The label of @t's nearest labelled cgroup, or NULL; under RCU. */
static struct cgroup_label *nearest(struct task_struct *t)
{
	struct cgroup_label *cl = NULL;
	struct cgroup *cgrp;

	for (cgrp = task_dfl_cgroup(t); cgrp && !cl; cgrp = cgroup_parent(cgrp))
		cl = find(cgroup_id(cgrp));
	return cl;
}

/**
 * shype_current_label() - the label of current's nearest labelled cgroup;
 *	under shype_lock
 * @label: where to copy it; "" when there is none
 * @size: its size
 */
void shype_current_label(char *label, size_t size)
{
	struct cgroup_label *cl;

	lockdep_assert_held(&shype_lock);
	rcu_read_lock();
	cl = nearest(current);
	rcu_read_unlock();
	strscpy(label, cl ? cl->label : "", size);
}

/**
 * shype_task_cgroup_label() - the label of @t's nearest labelled cgroup;
 *	under rcu_read_lock(), without shype_lock: never sleeps
 * @t: a task
 * @label: where to copy it; "" when there is none
 * @size: its size
 *
 * Return: whether @t is in a labelled cgroup.
 */
bool shype_task_cgroup_label(struct task_struct *t, char *label, size_t size)
{
	struct cgroup_label *cl;

	RCU_LOCKDEP_WARN(!rcu_read_lock_held(), "shype: cgroup label");
	cl = nearest(t);
	strscpy(label, cl ? cl->label : "", size);
	return !!cl;
}

/**
 * shype_task_cgroup_labelled() - is @t in a labelled cgroup?  As
 *	shype_task_cgroup_label(), without the label: under rcu_read_lock()
 * @t: a task
 */
bool shype_task_cgroup_labelled(struct task_struct *t)
{
	RCU_LOCKDEP_WARN(!rcu_read_lock_held(), "shype: cgroup label");
	return nearest(t);
}

/**
 * shype_cgroup_show() - the lines of the cgroups file; under shype_lock
 * @m: where to print
 */
void shype_cgroup_show(struct seq_file *m)
{
	struct cgroup_label *cl;

	lockdep_assert_held(&shype_lock);
	list_for_each_entry(cl, &cg_list, list)
		seq_printf(m, "cgroup=%s id=%llu label=%s\n", cl->path, cl->id,
			   cl->label);
}
