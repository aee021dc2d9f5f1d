// SPDX-License-Identifier: GPL-2.0
/*
 * Files: what a labelled VMM may open.
 *
 * A file's label is the name in its security.shype extended attribute
 * (%SHYPE_XATTR).  It belongs to the file: a rename, a hard link or a bind
 * mount reaches the same label, and it outlives reboots and policy loads.
 * A file that the policy labels by path (file: or shm:, resolved to the
 * file by names.c), or a shared file labelled at run time through the
 * resources file, has that label instead, the one its memslot decisions
 * use; the loader also writes a file: label to the file's attribute, so
 * that it outlives the policy.
 *
 * When a labelled process (it holds a VM or sits in a labelled cgroup; see
 * proc.c) opens a regular file, shype_file_decide() rules on the two
 * labels:
 * - a labelled file: only if the labels share an STE type, for reading
 *   as for writing;
 * - an unlabelled file may be read (firmware, ISO images, libraries);
 *   opened for writing, it becomes the writer's (the default), stays
 *   unlabelled, or is refused, as the policy's unlabeled_files says.  So
 *   a disk image that one coalition's VMM wrote is that coalition's, also
 *   after the VM has stopped.
 *
 * One decision per open, at the LSM entry point security_file_open(),
 * hooked; reads and writes are never seen.  The same decision is made when
 * a file arrives other than by an open, at security_file_receive()
 * (SCM_RIGHTS, pidfd_getfd, seccomp's addfd), and for truncate(2), which
 * writes without an open, at vfs_truncate().  An unlabelled
 * process pays for a look-up of its label under RCU; nothing is done while
 * no policy is loaded.
 *
 * The attribute is guarded (security_inode_setxattr() and
 * security_inode_removexattr(), hooked): only a process with CAP_MAC_ADMIN
 * may set or remove it, with a well-formed label name, and while a policy
 * is loaded a labelled process never may.  shype sets it itself on a first
 * write with __vfs_setxattr(), under the inode's lock and with
 * XATTR_CREATE: of two first writers, one labels the file and the other is
 * decided on that label.
 *
 * Kernel interfaces that look like files (proc, sysfs, cgroupfs, ...) and
 * the files of internal mounts (memfd, pidfd, ...) are not mediated, nor
 * is hugetlbfs, whose files are guest RAM (memslot.c decides on them).
 * A file on another filesystem that cannot store the attribute is
 * unlabelled: it cannot become its writer's, so such a write is refused
 * unless the policy allows unlabelled writes (reason=cannot_label).
 */
#define pr_fmt(fmt) "shype: " fmt

#include <linux/cred.h>
#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/magic.h>
#include <linux/mount.h>
#include <linux/path.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/xattr.h>

#include "hook.h"
#include "shype.h"

/* The mount's id mapping, as __vfs_setxattr() takes it (see Kbuild). */
#ifdef SHYPE_MNT_IDMAP
#define mount_idmap(mnt) mnt_idmap(mnt)
#else
#define mount_idmap(mnt) mnt_user_ns(mnt)
#endif

/* Why a decision refused, beyond shype_file_decide()'s reasons. */
#define CANNOT_LABEL "cannot_label"

/**
 * struct file_label - what a file's attribute holds
 * @err: 0 when it holds @name; -ENODATA when the file has none;
 *	-EOPNOTSUPP when its filesystem cannot store one; any other error
 *	(a malformed or unreadable value) makes it unknown
 * @name: the label's name, NUL terminated
 */
struct file_label {
	int err;
	char name[SHYPE_NAME_MAX + 1];
};

/*
 * Is @inode a file that shype mediates?  Not the files of the kernel's
 * internal mounts, which no path names (memfd, pidfd, nsfs, anonymous
 * inodes): memslots, the ptrace check and the bindings decide on those.
 */
static bool mediated(const struct inode *inode)
{
	if (!inode || !S_ISREG(inode->i_mode) ||
	    (inode->i_sb->s_flags & SB_KERNMOUNT))
		return false;
	switch (inode->i_sb->s_magic) {
	case PROC_SUPER_MAGIC:
	case SYSFS_MAGIC:
	case CGROUP_SUPER_MAGIC:
	case CGROUP2_SUPER_MAGIC:
	case SECURITYFS_MAGIC:
	case DEBUGFS_MAGIC:
	case TRACEFS_MAGIC:
	case BPF_FS_MAGIC:
	case HUGETLBFS_MAGIC:
	case ANON_INODE_FS_MAGIC:
		return false;
	}
	return true;
}

/* Read @dentry's label; may sleep. */
static void read_label(struct dentry *dentry, struct inode *inode,
		       struct file_label *fl)
{
	ssize_t len = __vfs_getxattr(dentry, inode, SHYPE_XATTR, fl->name,
				     SHYPE_NAME_MAX);

	fl->err = len < 0 ? len : 0;
	if (len >= 0 && !shype_name_valid(fl->name, len))
		fl->err = -EINVAL;
	fl->name[fl->err ? 0 : len] = '\0';
}

/**
 * struct verdict - a decision on one open
 * @reason: shype_file_decide()'s
 * @file: the file's label index, %SHYPE_NOT_FOUND or %SHYPE_LABEL_MISSING
 * @file_name: the file's label for the audit line, "-" for none
 * @who: the opener
 * @mine: the opener's label name, to label the file with
 */
struct verdict {
	enum shype_file_reason reason;
	u32 file;
	char file_name[SHYPE_NAME_MAX + 1];
	struct shype_who who;
	char mine[SHYPE_NAME_MAX + 1];
};

/*
 * Decide on @fl under @p, for current; @shm is the label that @p or the
 * resources file gives the file as a shared file, %SHYPE_NOT_FOUND for
 * none.  Under RCU or shype_lock.
 */
static void rule(const struct shype_policy *p, const struct file_label *fl,
		 u32 shm, bool write, struct verdict *v)
{
	shype_who_is(p, current, current->mm, &v->who);
	if (shm != SHYPE_NOT_FOUND)
		v->file = shm;
	else if (fl->err == -ENODATA || fl->err == -EOPNOTSUPP)
		v->file = SHYPE_NOT_FOUND;
	else if (fl->err)
		v->file = SHYPE_LABEL_MISSING;
	else
		v->file = shype_resource_label_of(p, SHYPE_NOT_FOUND, fl->name);
	strscpy(v->file_name,
		v->file < p->labels ? p->label[v->file].name :
		fl->err		    ? "-" :
				      fl->name,
		sizeof(v->file_name));
	v->reason = shype_file_decide(p, v->who.idx, v->file, write);
	v->mine[0] = '\0';
	if (shype_label_is_vm(p, v->who.idx))
		strscpy(v->mine, p->label[v->who.idx].name, sizeof(v->mine));
}

/*
 * The label that the policy or the resources file gives @inode, reached
 * at @path, as a shared file, into @shm; else %SHYPE_NOT_FOUND.  Then the
 * decision, under shype_lock.  Return: false when no policy is active.
 */
static bool rule_shared(struct inode *inode, const struct path *path,
			const struct file_label *fl, bool write,
			struct verdict *v)
{
	/* A longer path is no policy's: the file is then found by inode. */
	char buf[SHYPE_RESOURCE_NAME_MAX + 1];
	const char *given, *name = d_path(path, buf, sizeof(buf));
	/* Hard links, or opened through a bind mount of the file itself. */
	bool other_names = inode->i_nlink > 1 ||
			   path->dentry == path->mnt->mnt_root;
	const struct shype_policy *p;
	struct shype_active *a;
	u32 shm = SHYPE_NOT_FOUND;

	if (IS_ERR(name))
		name = NULL;
	mutex_lock(&shype_lock);
	a = shype_active_locked();
	if (a) {
		p = &a->pol;
		given = shype_shm_label(inode);
		if (!given)
			shm = shype_names_file(p, inode, name, other_names);
		if (given || shm != SHYPE_NOT_FOUND)
			shm = shype_resource_label_of(p, shm, given);
		rcu_read_lock();
		rule(p, fl, shm, write, v);
		rcu_read_unlock();
	}
	mutex_unlock(&shype_lock);
	return a;
}

/*
 * Give the file at @path, opened (@write) by current, the label @v->mine,
 * unless it got one since it was read: then *@fl is that label.
 * Return: 0 labelled; -EAGAIN when it had a label; another error when the
 * label could not be written.
 */
static int label_file(const struct path *path, struct inode *inode,
		      const struct verdict *v, struct file_label *fl)
{
	int err;

	inode_lock(inode);
	read_label(path->dentry, inode, fl);
	err = fl->err;
	if (!err)
		err = -EAGAIN;
	else if (err == -ENODATA)
		err = __vfs_setxattr(mount_idmap(path->mnt), path->dentry,
				     inode, SHYPE_XATTR, v->mine,
				     strlen(v->mine), XATTR_CREATE);
	inode_unlock(inode);
	return err;
}

/*
 * Audit a refusal by process @pid, labelled @who, of the file at @path (or,
 * without a mount, of @dentry: its path in its filesystem, after dev=).
 */
static void audit(bool enforced, pid_t pid, const char *who, const char *label,
		  const char *access, const char *how, const char *reason,
		  const struct path *path, struct dentry *dentry)
{
	const char *fmt =
		"pid=%d(%s) file_label=%s access=%s how=%s reason=%s%s%s path=%s";
	char *buf = __getname(), *esc = kmalloc(PATH_MAX, GFP_KERNEL);
	const char *name = ERR_PTR(-ENOMEM);

	if (buf)
		name = path ? d_path(path, buf, PATH_MAX) :
			      dentry_path_raw(dentry, buf, PATH_MAX);
	if (esc)
		shype_path_escape(esc, PATH_MAX, IS_ERR(name) ? "-" : name);
	shype_audit_permissive(SHYPE_OP_FILE, enforced, fmt, pid, who, label,
			       access, how, reason, path ? "" : " dev=",
			       path ? "" : dentry->d_sb->s_id, esc ? esc : "-");
	kfree(esc);
	if (buf)
		__putname(buf);
}

/*
 * May current open the file at @path (@write: for writing)?  @how is the
 * audit's how=.
 * Return: 0, or -EACCES (in enforce mode) after auditing why.
 */
static int decide(const struct path *path, bool write, const char *how)
{
	struct inode *inode = d_backing_inode(path->dentry);
	const char *reason = NULL;
	struct shype_active *a;
	struct file_label fl;
	struct verdict *v;
	bool shared = false, labelled = false;
	int tries = 2, err = 0;
	u64 start;

	if (!mediated(inode))
		return 0;
	/* The cheap test: is current labelled? */
	rcu_read_lock();
	a = rcu_dereference(shype_active);
	labelled = a && shype_labelled(current, current->mm);
	if (labelled)
		shared = shype_names_shm(a) || shype_shm_labels_given();
	rcu_read_unlock();
	if (!labelled)
		return 0;

	start = shype_stat_start();
	v = kmalloc(sizeof(*v), GFP_KERNEL);
	if (!v)
		return -ENOMEM;
	read_label(path->dentry, inode, &fl);
again:
	if (shared) {
		if (!rule_shared(inode, path, &fl, write, v))
			goto out;
	} else {
		rcu_read_lock();
		a = rcu_dereference(shype_active);
		if (a)
			rule(&a->pol, &fl, SHYPE_NOT_FOUND, write, v);
		rcu_read_unlock();
		if (!a)
			goto out;
	}
	if (v->reason == SHYPE_FILE_LABEL) {
		if (fl.err == -EOPNOTSUPP) {
			reason = CANNOT_LABEL;
		} else {
			err = label_file(path, inode, v, &fl);
			if (err == -EAGAIN && --tries)
				goto again;
			if (err)
				reason = CANNOT_LABEL;
			err = 0;
		}
	} else if (v->reason != SHYPE_FILE_OK) {
		reason = shype_file_reason_name(v->reason);
	}
	if (!reason) {
		shype_stat_timed(SHYPE_OP_FILE, true, start);
		goto out;
	}

	audit(!READ_ONCE(shype_permissive), v->who.pid,
	      v->who.name[0] ? v->who.name :
	      v->mine[0]     ? v->mine :
			       "-",
	      v->file_name, write ? "write" : "read", how, reason, path, NULL);
	err = shype_verdict(SHYPE_OP_FILE, -EACCES, start);
out:
	kfree(v);
	return err;
}

static int (*orig_security_file_open)(struct file *file);
static int (*orig_security_file_receive)(struct file *file);
static long (*orig_vfs_truncate)(const struct path *path, loff_t length);
/* The first argument is a mount's user namespace (6.1) or id map (6.3). */
static int (*orig_security_inode_setxattr)(void *idmap, struct dentry *dentry,
					   const char *name, const void *value,
					   size_t size, int flags);
static int (*orig_security_inode_removexattr)(void *idmap,
					      struct dentry *dentry,
					      const char *name);

static bool opened_for_writing(const struct file *file)
{
	return (file->f_mode & FMODE_WRITE) || (file->f_flags & O_TRUNC);
}

static int hook_security_file_open(struct file *file)
{
	int err = orig_security_file_open(file);

	if (err)
		return err;
	return decide(&file->f_path, opened_for_writing(file), "open");
}

static int hook_security_file_receive(struct file *file)
{
	int err = orig_security_file_receive(file);

	if (err)
		return err;
	return decide(&file->f_path, !!(file->f_mode & FMODE_WRITE), "receive");
}

/*
 * truncate(2), by path.  The LSM entry point security_path_truncate() is
 * also called for ftruncate(2) and O_TRUNC on Linux 6.1, which write
 * through a file opened for writing, decided at its open; so vfs_truncate()
 * is hooked.  Decided after the kernel's own checks would pass, so that
 * truncate(2) never labels a file its caller may not write.
 */
static long hook_vfs_truncate(const struct path *path, loff_t length)
{
	struct inode *inode = d_backing_inode(path->dentry);
	int err;

	if (S_ISREG(inode->i_mode) && !IS_APPEND(inode) &&
	    !__mnt_is_readonly(path->mnt) &&
	    !inode_permission(mount_idmap(path->mnt), inode, MAY_WRITE)) {
		err = decide(path, true, "truncate");
		if (err)
			return err;
	}
	return orig_vfs_truncate(path, length);
}

/*
 * May current set (@value, @size; NULL for a removal) the label of
 * @dentry?  Return: 0, -EPERM or -EINVAL.
 */
static int may_relabel(struct dentry *dentry, const void *value, size_t size)
{
	const char *reason = "cap_mac_admin";
	bool enforced = true, labelled = false;
	char label[SHYPE_NAME_MAX + 1] = "-";
	struct shype_active *a;
	struct shype_who w;

	if (value && !shype_name_valid(value, size))
		return -EINVAL;
	rcu_read_lock();
	a = rcu_dereference(shype_active);
	if (a) {
		shype_who_is(&a->pol, current, current->mm, &w);
		labelled = w.labelled;
		if (labelled)
			strscpy(label, shype_who_label(&a->pol, &w),
				sizeof(label));
	}
	rcu_read_unlock();
	if (labelled) {
		reason = "labelled";
		enforced = !READ_ONCE(shype_permissive);
	} else if (capable(CAP_MAC_ADMIN)) {
		return 0;
	}
	shype_stat(SHYPE_OP_FILE, false);
	audit(enforced, task_tgid_nr(current), label, "-", "relabel",
	      value ? "setxattr" : "removexattr", reason, NULL, dentry);
	return enforced ? -EPERM : 0;
}

static int hook_security_inode_setxattr(void *idmap, struct dentry *dentry,
					const char *name, const void *value,
					size_t size, int flags)
{
	int err = orig_security_inode_setxattr(idmap, dentry, name, value, size,
					       flags);

	if (err || strcmp(name, SHYPE_XATTR))
		return err;
	return may_relabel(dentry, value ? value : "", size);
}

static int hook_security_inode_removexattr(void *idmap, struct dentry *dentry,
					   const char *name)
{
	int err = orig_security_inode_removexattr(idmap, dentry, name);

	if (err || strcmp(name, SHYPE_XATTR))
		return err;
	return may_relabel(dentry, NULL, 0);
}

static struct shype_hook file_hooks[] = {
	SHYPE_HOOK(NULL, security_file_open),
	SHYPE_HOOK(NULL, security_file_receive),
	SHYPE_HOOK(NULL, vfs_truncate),
	SHYPE_HOOK(NULL, security_inode_setxattr),
	SHYPE_HOOK(NULL, security_inode_removexattr),
};

const struct shype_hook_table shype_file_table = {
	.hooks = file_hooks,
	.nr = ARRAY_SIZE(file_hooks),
};
