// SPDX-License-Identifier: GPL-2.0
/*
 * The objects that a policy's resource names name.
 *
 * A policy labels shared files and other files by path ("shm:/dev/shm/x",
 * "file:/var/lib/images/a.img") and networks by interface name
 * ("net:br0"), but a label belongs to the object: a hard
 * link, a bind mount or a rename reaches the same file under another name,
 * and a renamed interface is the same network.  So each name is resolved
 * to its object, and the object keeps the label while the policy is
 * active:
 *
 * - shm:PATH and file:PATH.  When a policy is loaded, each path is looked
 *   up as the loader sees it, and the file it names is labelled.  Before
 *   a decision on a file that is not labelled yet (a memslot's, an open's:
 *   file.c), the paths are looked up
 *   again in the dentry cache, as the VMM that binds sees them (as the path
 *   a file is bound under always was), so that a file made at a labelled path or
 *   renamed onto it since is labelled too; a memslot being set also looks
 *   up those the cache cannot answer, before it takes mmap_lock.  A file
 *   keeps its label when it is renamed away, unlinked, or reached through
 *   a hard link or a bind mount; a new file at the path takes the label as
 *   well.  A file that two labelled paths name keeps the label it had
 *   first.  shype holds the file's inode, and an active reference to its
 *   filesystem (unmounting detaches the mount, the filesystem stays until
 *   the policy goes); a labelled file that is unlinked and that nothing
 *   else holds is let go at the next look-up.
 * - net:NAME.  When a policy is loaded, the device of each name in the
 *   initial network namespace is labelled; so is a device registered
 *   there under a labelled name, or renamed to one, later.  A device keeps
 *   its first label, renamed or moved between namespaces, until it is
 *   unregistered.
 *
 * A name that names no labelled object still has its label: a file bound
 * under a labelled path, or a device with a labelled name, that shype has
 * not resolved yet.  The rule that decides with the label is bind.c's;
 * this file only says which policy resource an object is.
 *
 * Locking: the tables of the active policy change under shype_lock (and
 * RTNL for devices); a policy being loaded is resolved before it is
 * published.
 */
#define pr_fmt(fmt) "shype: " fmt

#include <linux/fs.h>
#include <linux/hashtable.h>
#include <linux/llist.h>
#include <linux/magic.h>
#include <linux/namei.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/workqueue.h>
#include <net/net_namespace.h>

#include "shype.h"

/**
 * struct shm_obj - a file labelled by a policy's shm: or file: path
 * @node: in &shype_names.shm, by @inode
 * @free: in reap_list, once let go
 * @inode: the file, held, with an active reference to its superblock
 * @res: the index of the path in the policy's resources
 */
struct shm_obj {
	struct hlist_node node;
	struct llist_node free;
	struct inode *inode;
	u32 res;
};

/**
 * struct net_obj - a network device labelled by a policy's net: name
 * @node: in &shype_names.net, by @dev
 * @dev: the device (compared, never dereferenced); dropped when it is
 *	unregistered
 * @res: the index of the name in the policy's resources
 */
struct net_obj {
	struct hlist_node node;
	const struct net_device *dev;
	u32 res;
};

/**
 * struct shype_names - the objects a policy's resource names resolved to
 * @seq: a number unique to this policy, never reused
 * @path_res: the indices of the policy's shm: and file: resources, which
 *	name files by path
 * @paths: how many there are
 * @shm: &struct shm_obj by inode
 * @net: &struct net_obj by device
 */
struct shype_names {
	u64 seq;
	u32 *path_res;
	u32 paths;
	DECLARE_HASHTABLE(shm, 6);
	DECLARE_HASHTABLE(net, 4);
};

static atomic64_t names_seq = ATOMIC64_INIT(0);

/* Files let go under locks, released by a worker. */
static LLIST_HEAD(reap_list);

static void shm_obj_free(struct shm_obj *o)
{
	struct super_block *sb = o->inode->i_sb;

	iput(o->inode);
	deactivate_super(sb);
	kfree(o);
}

static void reap(struct work_struct *work)
{
	struct shm_obj *o, *tmp;

	llist_for_each_entry_safe(o, tmp, llist_del_all(&reap_list), free)
		shm_obj_free(o);
}

static DECLARE_WORK(reap_work, reap);

/* Does a resource of @kind name a file by its path? */
static bool path_kind(u32 kind)
{
	return kind == SHYPE_RES_SHM || kind == SHYPE_RES_FILE;
}

static struct shype_names *names_of(const struct shype_policy *p)
{
	return container_of(p, struct shype_active, pol)->names;
}

static u32 shm_find(const struct shype_names *n, const struct inode *inode)
{
	struct shm_obj *o;

	hash_for_each_possible(n->shm, o, node, (unsigned long)inode)
		if (o->inode == inode)
			return o->res;
	return SHYPE_NOT_FOUND;
}

/* Label @inode, named by the path of resource @res, unless it has a label. */
static void shm_add(struct shype_names *n, struct inode *inode, u32 res)
{
	struct super_block *sb = inode->i_sb;
	struct shm_obj *o;

	/* The one inode of all anonymous files is no file of its own. */
	if (sb->s_magic == ANON_INODE_FS_MAGIC ||
	    shm_find(n, inode) != SHYPE_NOT_FOUND)
		return;
	o = kzalloc(sizeof(*o), GFP_KERNEL_ACCOUNT);
	if (!o)
		return;
	/* Mounted (a path led to it): the superblock is active. */
	if (!atomic_inc_not_zero(&sb->s_active)) {
		kfree(o);
		return;
	}
	ihold(inode);
	o->inode = inode;
	o->res = res;
	hash_add(n->shm, &o->node, (unsigned long)inode);
}

/* Let go of the labelled files that are unlinked and held by us alone. */
static void shm_prune(struct shype_names *n)
{
	struct hlist_node *tmp;
	struct shm_obj *o;
	bool queued = false;
	int bkt;

	hash_for_each_safe(n->shm, bkt, tmp, o, node) {
		if (o->inode->i_nlink || atomic_read(&o->inode->i_count) > 1)
			continue;
		hash_del(&o->node);
		llist_add(&o->free, &reap_list);
		queued = true;
	}
	if (queued)
		schedule_work(&reap_work);
}

/*
 * Look the path of resource @res of @p up from current's root; @flags add
 * to LOOKUP_FOLLOW.
 * Return: 0 with *@path held, or the error of the look-up.
 */
static int shm_lookup(const struct shype_policy *p, u32 res, unsigned int flags,
		      struct path *path)
{
	return kern_path(p->resource[res].name, LOOKUP_FOLLOW | flags, path);
}

/*
 * Label what the path of resource @res of @p names now, if the dentry
 * cache tells without blocking; under shype_lock (or before @p is
 * published).
 * Return: 0; %-EAGAIN when the cache cannot tell; another error of the
 * look-up (the path names nothing).
 */
static int shm_refresh_one(struct shype_names *n, const struct shype_policy *p,
			   u32 res)
{
	struct path path;
	int err;

	err = shm_lookup(p, res, LOOKUP_CACHED, &path);
	if (err)
		return err == -ECHILD ? -EAGAIN : err;
	shm_add(n, d_inode(path.dentry), res);
	path_put(&path);
	return 0;
}

/* The same for every shm: path of @p, after letting go of dead files. */
static void shm_refresh(struct shype_names *n, const struct shype_policy *p)
{
	u32 i;

	shm_prune(n);
	for (i = 0; i < n->paths; i++)
		shm_refresh_one(n, p, n->path_res[i]);
}

/*
 * The path resource of @inode; when it has none and @refresh, after
 * looking every path up again in the dentry cache.  Under shype_lock.
 */
static u32 shm_find_fresh(struct shype_names *n, const struct shype_policy *p,
			  const struct inode *inode, bool refresh)
{
	u32 i = shm_find(n, inode);

	if (i == SHYPE_NOT_FOUND && refresh) {
		shm_refresh(n, p);
		i = shm_find(n, inode);
	}
	return i;
}

/**
 * shype_names_resource() - the resource of policy @p that an object is
 * @p: a policy, active or being loaded; under shype_lock, and for
 *	%SHYPE_RES_NET under RTNL
 * @kind: an &enum shype_resource_kind
 * @inode: for %SHYPE_RES_SHM, the shared file
 * @name: the name it is known by: the path a shared file was bound under,
 *	the network's device name, the CID
 *
 * The object's own label comes first: a shared file labelled through a
 * path, a device labelled through a name.  Otherwise the resource is
 * matched by @name.
 *
 * Return: the index into @p->resource, or %SHYPE_NOT_FOUND.
 */
u32 shype_names_resource(const struct shype_policy *p, u32 kind,
			 const struct inode *inode, const char *name)
{
	struct shype_names *n = names_of(p);
	struct net_device *dev;
	struct net_obj *o;
	u32 i;

	lockdep_assert_held(&shype_lock);
	if (n && kind == SHYPE_RES_SHM && inode && n->paths) {
		i = shm_find_fresh(n, p, inode, true);
		if (i != SHYPE_NOT_FOUND)
			return i;
	} else if (n && kind == SHYPE_RES_NET) {
		ASSERT_RTNL();
		dev = __dev_get_by_name(&init_net, name);
		if (dev)
			hash_for_each_possible(n->net, o, node,
					       (unsigned long)dev)
				if (o->dev == dev)
					return o->res;
	}
	return shype_resource_find(p, kind, name);
}

/**
 * shype_names_file() - the shm: or file: resource of policy @p that the
 *	file @inode, opened under the path @name, is; under shype_lock
 * @p: the active policy
 * @inode: the file
 * @name: the path it is opened under, or NULL
 * @other_names: the file may have other names (hard links, or a bind
 *	mount of it is what it is opened through)
 *
 * As shype_names_resource() for a shared file, but for the opens of
 * labelled processes, which are many: the paths are looked up again only
 * for a file that may be known under another name, which a labelled path
 * may have come to name since the policy loaded.  A file opened under a
 * labelled path is labelled then, so that its other names reach the label
 * from now on.
 *
 * Return: the index into @p->resource, or %SHYPE_NOT_FOUND.
 */
u32 shype_names_file(const struct shype_policy *p, struct inode *inode,
		     const char *name, bool other_names)
{
	struct shype_names *n = names_of(p);
	u32 i = SHYPE_NOT_FOUND;

	lockdep_assert_held(&shype_lock);
	if (n && n->paths)
		i = shm_find_fresh(n, p, inode, other_names);
	if (i != SHYPE_NOT_FOUND || !name)
		return i;
	i = shype_resource_find(p, SHYPE_RES_SHM, name);
	if (i == SHYPE_NOT_FOUND)
		i = shype_resource_find(p, SHYPE_RES_FILE, name);
	if (i != SHYPE_NOT_FOUND && n)
		shm_add(n, inode, i);
	return i;
}

/**
 * shype_names_shm() - does the policy @a label files by shm: path?  Under
 *	RCU or shype_lock
 * @a: a policy
 */
bool shype_names_shm(const struct shype_active *a)
{
	return a->names && a->names->paths;
}

/**
 * shype_names_resolve() - label the files that the active policy's shm:
 *	paths name, also those that are not in the dentry cache
 *
 * For a caller that may block and holds no lock of shype's or of mm
 * (the memslot hook, before it takes mmap_lock): the look-ups under those
 * locks only ask the cache.
 */
void shype_names_resolve(void)
{
	char name[SHYPE_RESOURCE_NAME_MAX + 1];
	struct shype_names *n = NULL;
	struct shype_active *a;
	struct path path;
	bool none;
	u64 seq;
	u32 i, res;
	int err;

	/* Most policies have no shm: or file: path: no lock then. */
	rcu_read_lock();
	a = rcu_dereference(shype_active);
	none = !a || !a->names || !a->names->paths;
	rcu_read_unlock();
	if (none)
		return;

	mutex_lock(&shype_lock);
	a = shype_active_locked();
	if (a && a->names) {
		n = a->names;
		shm_prune(n);
	}
	for (i = 0; n && i < n->paths; i++) {
		res = n->path_res[i];
		if (shm_refresh_one(n, &a->pol, res) != -EAGAIN)
			continue;
		/* Look it up with no lock held, from a copy of the path. */
		seq = n->seq;
		strscpy(name, a->pol.resource[res].name, sizeof(name));
		mutex_unlock(&shype_lock);
		err = kern_path(name, LOOKUP_FOLLOW, &path);
		mutex_lock(&shype_lock);
		/* The policy may have been replaced meanwhile. */
		a = shype_active_locked();
		n = a && a->names && a->names->seq == seq ? a->names : NULL;
		if (!err && n)
			shm_add(n, d_inode(path.dentry), res);
		if (!err)
			path_put(&path);
	}
	mutex_unlock(&shype_lock);
}

/**
 * shype_names_new() - resolve the shm: paths of a policy being loaded
 * @a: the policy, not published yet; its &shype_active.names is set
 *
 * Looks the paths up as current (the loader) sees them, and may block.
 *
 * Return: 0, or %-ENOMEM.
 */
int shype_names_new(struct shype_active *a)
{
	const struct shype_policy *p = &a->pol;
	struct shype_names *n;
	struct path path;
	u32 i;

	n = kzalloc(sizeof(*n), GFP_KERNEL_ACCOUNT);
	if (!n)
		return -ENOMEM;
	hash_init(n->shm);
	hash_init(n->net);
	n->seq = atomic64_inc_return(&names_seq);
	for (i = 0; i < p->resources; i++)
		n->paths += path_kind(le32_to_cpu(p->resource[i].kind));
	n->path_res =
		kcalloc(n->paths, sizeof(*n->path_res), GFP_KERNEL_ACCOUNT);
	if (n->paths && !n->path_res) {
		kfree(n);
		return -ENOMEM;
	}
	n->paths = 0;
	for (i = 0; i < p->resources; i++) {
		if (!path_kind(le32_to_cpu(p->resource[i].kind)))
			continue;
		n->path_res[n->paths++] = i;
		if (shm_lookup(p, i, 0, &path))
			continue;
		shm_add(n, d_inode(path.dentry), i);
		path_put(&path);
	}
	a->names = n;
	return 0;
}

static void net_add(struct shype_names *n, const struct net_device *dev,
		    u32 res)
{
	struct net_obj *o;

	hash_for_each_possible(n->net, o, node, (unsigned long)dev)
		if (o->dev == dev)
			return; /* its first label stays */
	o = kzalloc(sizeof(*o), GFP_KERNEL_ACCOUNT);
	if (!o)
		return;
	o->dev = dev;
	o->res = res;
	hash_add(n->net, &o->node, (unsigned long)dev);
}

/**
 * shype_names_net() - label the devices that the net: names of a policy
 *	being loaded name in the initial namespace; under RTNL
 * @a: the policy, not published yet
 */
void shype_names_net(struct shype_active *a)
{
	const struct shype_policy *p = &a->pol;
	struct net_device *dev;
	u32 i;

	ASSERT_RTNL();
	for (i = 0; a->names && i < p->resources; i++) {
		if (le32_to_cpu(p->resource[i].kind) != SHYPE_RES_NET)
			continue;
		dev = __dev_get_by_name(&init_net, p->resource[i].name);
		if (dev)
			net_add(a->names, dev, i);
	}
}

/**
 * shype_names_netdev() - follow a device of the active policy's tables;
 *	from the netdevice notifier, under RTNL
 * @dev: the device
 * @event: %NETDEV_REGISTER or %NETDEV_CHANGENAME: in the initial
 *	namespace, a device under a labelled name takes its label, unless
 *	it has one; %NETDEV_UNREGISTER: the device's label goes with it,
 *	unless it only moves to another namespace
 */
void shype_names_netdev(struct net_device *dev, unsigned long event)
{
	struct shype_active *a;
	struct hlist_node *tmp;
	struct net_obj *o;
	u32 i;

	ASSERT_RTNL();
	mutex_lock(&shype_lock);
	a = shype_active_locked();
	if (!a || !a->names)
		goto out;
	if (event == NETDEV_UNREGISTER) {
		/* A move between namespaces keeps it registered. */
		if (dev->reg_state == NETREG_REGISTERED)
			goto out;
		hash_for_each_possible_safe(a->names->net, o, tmp, node,
					    (unsigned long)dev) {
			if (o->dev == dev) {
				hash_del(&o->node);
				kfree(o);
			}
		}
	} else if (net_eq(dev_net(dev), &init_net)) {
		i = shype_resource_find(&a->pol, SHYPE_RES_NET, dev->name);
		if (i != SHYPE_NOT_FOUND)
			net_add(a->names, dev, i);
	}
out:
	mutex_unlock(&shype_lock);
}

/**
 * shype_names_free() - let go of what a policy's names resolved to
 * @n: the tables, or NULL; with no lock held
 */
void shype_names_free(struct shype_names *n)
{
	struct hlist_node *tmp;
	struct shm_obj *s;
	struct net_obj *o;
	int bkt;

	if (!n)
		return;
	hash_for_each_safe(n->shm, bkt, tmp, s, node)
		shm_obj_free(s);
	hash_for_each_safe(n->net, bkt, tmp, o, node)
		kfree(o);
	kfree(n->path_res);
	kfree(n);
}
