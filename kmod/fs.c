// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/security/shype/: the interface of the uapi header.
 */
#define pr_fmt(fmt) "shype: " fmt

#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/poll.h>
#include <linux/security.h>
#include <linux/seq_buf.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
/* <asm/unaligned.h> became <linux/unaligned.h> in Linux 6.12. */
#if __has_include("linux/unaligned.h")
#include <linux/unaligned.h>
#else
#include <asm/unaligned.h>
#endif

#include "shype.h"

#define REASONS_MAX 4096

/* --- policy --- */

/*
 * One open file of policy.  Opened for writing: the blob being written and,
 * after a refused load, the reasons.  Opened read-only: a copy of the active
 * blob.
 */
struct policy_file {
	u8 head[sizeof(struct shype_load_request) + 12];
	size_t got; /* bytes written so far */
	size_t prefix; /* size of the load request, 0 or 8 */
	size_t want; /* prefix + total_len, once known */
	u32 flags;
	bool done;
	u8 *blob; /* writing: the blob; reading: the copy */
	size_t len;
	struct seq_buf reasons;
	char reasons_buf[REASONS_MAX];
};

static atomic_t policy_writer = ATOMIC_INIT(0);

static int policy_open(struct inode *inode, struct file *file)
{
	struct shype_active *a;
	struct policy_file *pf;

	if ((file->f_mode & FMODE_WRITE) && !capable(CAP_MAC_ADMIN))
		return -EPERM;
	pf = kzalloc(sizeof(*pf), GFP_KERNEL);
	if (!pf)
		return -ENOMEM;
	seq_buf_init(&pf->reasons, pf->reasons_buf, sizeof(pf->reasons_buf));

	if (file->f_mode & FMODE_WRITE) {
		if (atomic_cmpxchg(&policy_writer, 0, 1)) {
			kfree(pf);
			return -EBUSY;
		}
	} else {
		mutex_lock(&shype_lock);
		a = shype_active_locked();
		if (a) {
			pf->blob = kvmalloc(a->len, GFP_KERNEL);
			if (pf->blob) {
				memcpy(pf->blob, a->blob, a->len);
				pf->len = a->len;
			}
		}
		mutex_unlock(&shype_lock);
		if (a && !pf->blob) {
			kfree(pf);
			return -ENOMEM;
		}
	}
	file->private_data = pf;
	return 0;
}

static int policy_release(struct inode *inode, struct file *file)
{
	struct policy_file *pf = file->private_data;

	if (file->f_mode & FMODE_WRITE)
		atomic_set(&policy_writer, 0);
	kvfree(pf->blob);
	kfree(pf);
	return 0;
}

static ssize_t policy_read(struct file *file, char __user *buf, size_t count,
			   loff_t *ppos)
{
	struct policy_file *pf = file->private_data;

	if (file->f_mode & FMODE_WRITE)
		return simple_read_from_buffer(buf, count, ppos,
					       pf->reasons_buf,
					       seq_buf_used(&pf->reasons));
	return simple_read_from_buffer(buf, count, ppos, pf->blob, pf->len);
}

/* From the first bytes written, learn the request's flags and size. */
static int policy_head(struct policy_file *pf)
{
	const struct shype_load_request *req = (void *)pf->head;
	size_t total;
	u32 flags;

	if (pf->got >= sizeof(req->magic) &&
	    le32_to_cpu(req->magic) == SHYPE_LOAD_MAGIC) {
		pf->prefix = sizeof(*req);
		if (pf->got < sizeof(*req))
			return 0;
		flags = le32_to_cpu(req->flags);
		if (flags & ~SHYPE_LOAD_FORCE)
			return -EINVAL;
		pf->flags = flags;
	}
	if (pf->got < pf->prefix + 12)
		return 0;
	total = get_unaligned_le32(pf->head + pf->prefix + 8);
	if (total > SHYPE_POLICY_MAX_SIZE)
		return -E2BIG;
	if (total < sizeof(struct shype_policy_header))
		return -EBADMSG;
	pf->blob = kvmalloc(total, GFP_KERNEL_ACCOUNT);
	if (!pf->blob)
		return -ENOMEM;
	pf->want = pf->prefix + total;
	memcpy(pf->blob, pf->head + pf->prefix, pf->got - pf->prefix);
	return 0;
}

static ssize_t policy_write(struct file *file, const char __user *ubuf,
			    size_t count, loff_t *ppos)
{
	struct policy_file *pf = file->private_data;
	size_t n, done = 0;
	int err;

	if (pf->done || *ppos != pf->got)
		return -EINVAL;
	/* Until the size is known, collect the head. */
	while (!pf->want && done < count) {
		n = min(count - done, sizeof(pf->head) - pf->got);
		if (copy_from_user(pf->head + pf->got, ubuf + done, n))
			return -EFAULT;
		pf->got += n;
		done += n;
		err = policy_head(pf);
		if (err)
			goto out_fail;
	}
	if (done < count) {
		n = count - done;
		if (n > pf->want - pf->got) {
			err = -EBADMSG; /* longer than total_len */
			goto out_fail;
		}
		if (copy_from_user(pf->blob + pf->got - pf->prefix, ubuf + done,
				   n))
			return -EFAULT;
		pf->got += n;
	}
	*ppos = pf->got;
	if (!pf->want || pf->got < pf->want)
		return count;

	pf->done = true;
	err = shype_policy_replace(pf->blob, pf->want - pf->prefix, pf->flags,
				   &pf->reasons);
	if (err < 0)
		return err;
	if (err == SHYPE_POLICY_UNCHANGED) {
		/* Still ours, freed on release; say so to a read(). */
		seq_buf_printf(&pf->reasons, "%s", SHYPE_LOAD_UNCHANGED);
		return count;
	}
	pf->blob = NULL; /* now the active policy's */
	return count;

out_fail:
	pf->done = true;
	if (err == -E2BIG)
		shype_policy_malformed(err, "larger than the largest policy");
	else if (err == -EBADMSG)
		shype_policy_malformed(err,
				       "total length does not match the size");
	else if (err == -EINVAL)
		shype_policy_malformed(err, "unknown load request flags");
	return err;
}

static __poll_t policy_poll(struct file *file, poll_table *wait)
{
	return EPOLLIN | EPOLLOUT;
}

static const struct file_operations policy_fops = {
	.open = policy_open,
	.release = policy_release,
	.read = policy_read,
	.write = policy_write,
	.poll = policy_poll,
	.llseek = generic_file_llseek,
};

/* --- text files --- */

static int status_show(struct seq_file *m, void *v)
{
	const struct shype_policy_header *h;
	struct shype_active *a;

	mutex_lock(&shype_lock);
	a = shype_active_locked();
	h = a ? a->blob : NULL;
	if (a)
		seq_printf(m, "policy=%s version=%u.%u digest=%*phN",
			   a->pol.name, a->pol.version_major,
			   a->pol.version_minor, SHYPE_DIGEST_SIZE, h->digest);
	else
		seq_puts(m, "policy=- version=- digest=-");
	seq_printf(m, " mode=%s vms=%u hooks=%u memory=%zu require_policy=%d\n",
		   shype_permissive ? "permissive" : "enforce", shype_vm_count,
		   shype_hooks_installed(), a ? shype_policy_memory(a) : 0,
		   shype_require_policy);
	mutex_unlock(&shype_lock);
	return 0;
}

static int vms_show(struct seq_file *m, void *v)
{
	struct shype_vm *vm;

	mutex_lock(&shype_lock);
	list_for_each_entry(vm, &shype_vms, list)
		if (vm->kvm) /* not the records kept for devices' bindings */
			seq_printf(m, "vm=%llu pid=%d label=%s\n", vm->id,
				   vm->pid, shype_vm_label(vm));
	mutex_unlock(&shype_lock);
	return 0;
}

static int cgroups_show(struct seq_file *m, void *v)
{
	mutex_lock(&shype_lock);
	shype_cgroup_show(m);
	mutex_unlock(&shype_lock);
	return 0;
}

static int bindings_show(struct seq_file *m, void *v)
{
	mutex_lock(&shype_lock);
	shype_bind_show(m);
	mutex_unlock(&shype_lock);
	return 0;
}

static int stats_show(struct seq_file *m, void *v)
{
	shype_stats_show(m);
	return 0;
}

static int mode_show(struct seq_file *m, void *v)
{
	seq_printf(m, "%s\n", shype_permissive ? "permissive" : "enforce");
	return 0;
}

/* Copy a short write into @buf without its trailing newline. */
static ssize_t get_line(char *buf, size_t size, const char __user *ubuf,
			size_t count, loff_t *ppos)
{
	if (!capable(CAP_MAC_ADMIN))
		return -EPERM;
	if (*ppos != 0 || count >= size)
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = '\0';
	if (count && buf[count - 1] == '\n')
		buf[count - 1] = '\0';
	return count;
}

static ssize_t mode_write(struct file *file, const char __user *ubuf,
			  size_t count, loff_t *ppos)
{
	const char *unseen_fmt =
		"op=mode result=denied new=enforce old=permissive reason=unseen_vms vms=%u";
	char buf[16], vms[512], *rest = vms, *line;
	ssize_t ret = get_line(buf, sizeof(buf), ubuf, count, ppos);
	struct seq_buf unseen;
	unsigned int n = 0;
	bool permissive, old;

	if (ret < 0)
		return ret;
	if (!strcmp(buf, "enforce"))
		permissive = false;
	else if (!strcmp(buf, "permissive"))
		permissive = true;
	else
		return -EINVAL;
	seq_buf_init(&unseen, vms, sizeof(vms) - 1); /* room for a NUL */
	mutex_lock(&shype_lock);
	old = shype_permissive;
	/* No policy is enforced beside VMs that shype never saw. */
	if (old && !permissive && shype_active_locked())
		n = shype_vms_unseen(&unseen, false);
	if (n) {
		mutex_unlock(&shype_lock);
		vms[seq_buf_used(&unseen)] = '\0';
		pr_warn("mode stays permissive: %u VMs run that shype never saw\n",
			n);
		while ((line = strsep(&rest, "\n")) && *line)
			pr_warn("%s\n", line);
		shype_audit_change(NULL, unseen_fmt, n);
		return -EBUSY;
	}
	if (old != permissive)
		pr_notice("mode %s\n", buf);
	WRITE_ONCE(shype_permissive, permissive);
	mutex_unlock(&shype_lock);
	shype_audit_change(NULL, "op=mode result=accepted new=%s old=%s", buf,
			   old ? "permissive" : "enforce");
	return count;
}

/*
 * A write to a file of labels: "label PATH NAME" (@set) or "unlabel PATH"
 * (@clear).
 */
static ssize_t label_write(const char __user *ubuf, size_t count, loff_t *ppos,
			   int (*set)(const char *path, const char *label),
			   int (*clear)(const char *path))
{
	size_t size = PATH_MAX + 2 * (SHYPE_NAME_MAX + 1);
	char *buf, *verb, *path, *name, *rest;
	ssize_t ret;

	buf = kmalloc(size, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	ret = get_line(buf, size, ubuf, count, ppos);
	if (ret < 0)
		goto out;
	rest = buf;
	verb = strsep(&rest, " ");
	path = strsep(&rest, " ");
	name = strsep(&rest, " ");
	ret = -EINVAL;
	if (!path || !*path || rest)
		goto out;
	if (!strcmp(verb, "label") && name)
		ret = set(path, name);
	else if (!strcmp(verb, "unlabel") && !name)
		ret = clear(path);
	if (!ret)
		ret = count;
out:
	kfree(buf);
	return ret;
}

static ssize_t cgroups_write(struct file *file, const char __user *ubuf,
			     size_t count, loff_t *ppos)
{
	return label_write(ubuf, count, ppos, shype_cgroup_label_set,
			   shype_cgroup_label_clear);
}

static int resources_show(struct seq_file *m, void *v)
{
	mutex_lock(&shype_lock);
	shype_shm_label_show(m);
	mutex_unlock(&shype_lock);
	return 0;
}

static ssize_t resources_write(struct file *file, const char __user *ubuf,
			       size_t count, loff_t *ppos)
{
	return label_write(ubuf, count, ppos, shype_shm_label_set,
			   shype_shm_label_clear);
}

#define SHOW_FOPS(name)                                                \
	static int name##_open(struct inode *inode, struct file *file) \
	{                                                              \
		return single_open(file, name##_show, NULL);           \
	}                                                              \
	static const struct file_operations name##_fops = {            \
		.open = name##_open,                                   \
		.read = seq_read,                                      \
		.llseek = seq_lseek,                                   \
		.release = single_release,                             \
		.write = name##_write,                                 \
	}

#define status_write   NULL
#define bindings_write NULL
#define vms_write      NULL
#define stats_write    NULL
SHOW_FOPS(status);
SHOW_FOPS(vms);
SHOW_FOPS(stats);
SHOW_FOPS(bindings);
SHOW_FOPS(mode);
SHOW_FOPS(cgroups);
SHOW_FOPS(resources);

/* --- audit --- */

static int audit_open(struct inode *inode, struct file *file)
{
	u64 *seq = kmalloc(sizeof(*seq), GFP_KERNEL);

	if (!seq)
		return -ENOMEM;
	*seq = shype_audit_oldest();
	file->private_data = seq;
	return 0;
}

static int audit_release(struct inode *inode, struct file *file)
{
	kfree(file->private_data);
	return 0;
}

static ssize_t audit_read(struct file *file, char __user *buf, size_t count,
			  loff_t *ppos)
{
	return shype_audit_read(file->private_data, buf, count);
}

static __poll_t audit_poll(struct file *file, poll_table *wait)
{
	u64 *seq = file->private_data;

	poll_wait(file, &shype_audit_wait, wait);
	return shype_audit_pending(*seq) ? EPOLLIN | EPOLLRDNORM : 0;
}

static const struct file_operations audit_fops = {
	.open = audit_open,
	.release = audit_release,
	.read = audit_read,
	.poll = audit_poll,
	.llseek = noop_llseek,
};

/* --- the directory --- */

static const struct {
	const char *name;
	umode_t mode;
	const struct file_operations *fops;
} files[] = {
	{ "policy", 0600, &policy_fops },
	{ "status", 0444, &status_fops },
	{ "vms", 0444, &vms_fops },
	{ "bindings", 0444, &bindings_fops },
	{ "cgroups", 0644, &cgroups_fops },
	{ "resources", 0644, &resources_fops },
	{ "stats", 0444, &stats_fops },
	{ "audit", 0400, &audit_fops },
	{ "mode", 0644, &mode_fops },
};

static struct dentry *dir, *dentries[ARRAY_SIZE(files)];

/**
 * shype_fs_init() - create /sys/kernel/security/shype/
 *
 * Return: 0 or the error of securityfs.
 */
int shype_fs_init(void)
{
	struct dentry *d;
	int i;

	dir = securityfs_create_dir("shype", NULL);
	if (IS_ERR(dir))
		return PTR_ERR(dir);
	for (i = 0; i < ARRAY_SIZE(files); i++) {
		d = securityfs_create_file(files[i].name, files[i].mode, dir,
					   NULL, files[i].fops);
		if (IS_ERR(d)) {
			shype_fs_exit();
			return PTR_ERR(d);
		}
		dentries[i] = d;
	}
	return 0;
}

/**
 * shype_fs_exit() - remove what shype_fs_init() created
 */
void shype_fs_exit(void)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(files); i++)
		securityfs_remove(dentries[i]);
	securityfs_remove(dir);
}
