// SPDX-License-Identifier: GPL-2.0
/*
 * Resource labels given at run time to shared-memory files, by inode.
 *
 * A policy labels shared files by path ("shm:/dev/shm/x").  A file created
 * later, or known only to the operator, is labelled at run time through the
 * resources file: the label then follows the file itself (its inode), not
 * its name, and takes precedence over a policy resource of the same path.
 * shype holds a reference to each labelled inode until it is unlabelled.
 */
#define pr_fmt(fmt) "shype: " fmt

#include <linux/fs.h>
#include <linux/hashtable.h>
#include <linux/namei.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include "shype.h"

/**
 * struct shm_label - a label given to a shared file
 * @node: in shm_hash, by @inode
 * @list: in shm_list, in the order they were given
 * @inode: the file, held
 * @label: the label's name
 * @path: the path it was labelled by
 */
struct shm_label {
	struct hlist_node node;
	struct list_head list;
	struct inode *inode;
	char label[SHYPE_NAME_MAX + 1];
	char path[];
};

static DEFINE_HASHTABLE(shm_hash, 6);
static LIST_HEAD(shm_list);

static struct shm_label *find(const struct inode *inode)
{
	struct shm_label *sl;

	hash_for_each_possible(shm_hash, sl, node, (unsigned long)inode)
		if (sl->inode == inode)
			return sl;
	return NULL;
}

/**
 * shype_shm_labels_given() - has any file a label given at run time?  A
 *	hint read without shype_lock, for callers that would take it only to
 *	look a label up
 */
bool shype_shm_labels_given(void)
{
	return !list_empty_careful(&shm_list);
}

/**
 * shype_shm_label() - the label given at run time to the file @inode, or
 *	NULL; under shype_lock
 * @inode: the file
 */
const char *shype_shm_label(const struct inode *inode)
{
	struct shm_label *sl;

	lockdep_assert_held(&shype_lock);
	sl = find(inode);
	return sl ? sl->label : NULL;
}

static int inode_of(const char *path, struct inode **inode)
{
	struct path p;
	int err;

	if (path[0] != '/')
		return -EINVAL;
	err = kern_path(path, LOOKUP_FOLLOW, &p);
	if (err)
		return err;
	*inode = d_inode(p.dentry);
	ihold(*inode);
	path_put(&p);
	return 0;
}

/**
 * shype_shm_label_set() - label a shared-memory file
 * @path: its absolute path
 * @label: a label of the active policy
 *
 * Return: 0; %-EINVAL for a malformed name or path; %-ENOENT and others
 * from the path lookup; %-ESRCH, the active policy has no label @label;
 * %-EACCES, a VM bound to the file may not use @label; %-ENOMEM.
 */
int shype_shm_label_set(const char *path, const char *label)
{
	char old[SHYPE_NAME_MAX + 1] = "-";
	size_t len = strlen(label);
	struct shype_active *a;
	struct shm_label *sl;
	struct inode *inode;
	unsigned long ino;
	int err;

	if (!shype_name_valid(label, len))
		return -EINVAL;
	err = inode_of(path, &inode);
	if (err)
		return err;
	ino = inode->i_ino;

	mutex_lock(&shype_lock);
	a = shype_active_locked();
	if (a && shype_label_find(&a->pol, label, len) == SHYPE_NOT_FOUND) {
		err = -ESRCH;
		goto out;
	}
	err = shype_bind_relabel(inode, label);
	if (err)
		goto out;
	sl = find(inode);
	if (!sl) {
		sl = kzalloc(struct_size(sl, path, strlen(path) + 1),
			     GFP_KERNEL);
		if (!sl) {
			err = -ENOMEM;
			goto out;
		}
		sl->inode = inode;
		inode = NULL; /* held by sl */
		strcpy(sl->path, path);
		hash_add(shm_hash, &sl->node, (unsigned long)sl->inode);
		list_add_tail(&sl->list, &shm_list);
	} else {
		strscpy(old, sl->label, sizeof(old));
	}
	strscpy(sl->label, label, sizeof(sl->label));
out:
	mutex_unlock(&shype_lock);
	iput(inode);
	if (!err)
		shype_audit_label(path, "shm", "inode", ino, label, old);
	return err;
}

/**
 * shype_shm_label_clear() - remove a shared-memory file's run-time label
 * @path: its absolute path
 *
 * The policy's label of the path the file is bound under (or none) then
 * applies, so a VM bound to the file must be allowed to use that.
 *
 * Return: 0; %-ENOENT when it has none; %-EACCES, a VM bound to the file
 * may not use it without its label; errors of the path lookup.
 */
int shype_shm_label_clear(const char *path)
{
	struct shm_label *sl;
	struct inode *inode;
	int err;

	err = inode_of(path, &inode);
	if (err)
		return err;
	mutex_lock(&shype_lock);
	sl = find(inode);
	err = sl ? shype_bind_relabel(inode, NULL) : -ENOENT;
	if (!err) {
		hash_del(&sl->node);
		list_del(&sl->list);
	}
	mutex_unlock(&shype_lock);
	iput(inode);
	if (err)
		return err;
	shype_audit_label(path, "shm", "inode", sl->inode->i_ino, NULL,
			  sl->label);
	iput(sl->inode);
	kfree(sl);
	return 0;
}

/**
 * shype_shm_label_show() - the lines of the resources file; under
 *	shype_lock
 * @m: where to print
 */
void shype_shm_label_show(struct seq_file *m)
{
	const struct shm_label *sl;

	lockdep_assert_held(&shype_lock);
	list_for_each_entry(sl, &shm_list, list) {
		seq_puts(m, "resource=shm:");
		seq_escape(m, sl->path, " \t\n\\");
		seq_printf(m, " inode=%lu label=%s\n", sl->inode->i_ino,
			   sl->label);
	}
}
