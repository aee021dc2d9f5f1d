// SPDX-License-Identifier: GPL-2.0
/*
 * Bound objects and the VMs bound to them.
 *
 * A bind is decided in two steps.  An outer hook on the KVM operation
 * (kvm_irqfd(), kvm_ioeventfd()) says, for the current task, which VM is
 * binding; an inner hook on the lookup of the object (eventfd_ctx_fdget())
 * decides on the very object KVM then binds, so swapping the fd from
 * another thread changes nothing.  The inner step reserves the binding; the
 * outer one commits it, or rolls it back when KVM fails.
 *
 * A bound object is held by a reference of ours as long as a VM is bound
 * to it, so its address cannot be reused meanwhile.
 *
 * Objects are of these classes: eventfds (struct eventfd_ctx), shared
 * files behind memslots (struct inode, see memslot.c), vCPUs whose pages
 * are behind memslots (struct kvm_vcpu, not held: such an object goes when
 * its VM does), and resources known by name: networks of vhost-net
 * backends and vsock CIDs.  All but eventfds and vCPUs may also carry a
 * resource label, which a VM must share a type with.
 */
#define pr_fmt(fmt) "shype: " fmt

#include <linux/eventfd.h>
#include <linux/fs.h>
#include <linux/file.h>
#include <linux/hashtable.h>
#include <linux/magic.h>
#include <linux/pid.h>
#include <linux/sched.h>
#include <linux/seq_buf.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

#include "shype.h"

/* The classes of objects, as the bindings file names them. */
enum bind_class {
	CLASS_EVENTFD,
	CLASS_SHM,
	CLASS_NET,
	CLASS_VSOCK,
	CLASS_VFIO,
	CLASS_VCPU
};

static const char *const class_names[] = {
	[CLASS_EVENTFD] = "eventfd", [CLASS_SHM] = "shm",
	[CLASS_NET] = "net",	     [CLASS_VSOCK] = "vsock",
	[CLASS_VFIO] = "vfio",	     [CLASS_VCPU] = "vcpu",
};

/* The policy's resource kind of each class that has one. */
static const u32 class_kinds[] = {
	[CLASS_SHM] = SHYPE_RES_SHM,
	[CLASS_NET] = SHYPE_RES_NET,
	[CLASS_VSOCK] = SHYPE_RES_VSOCK,
};

/**
 * struct bind_obj - an object that VMs are bound to
 * @node: in obj_hash, by @key
 * @list: in obj_list
 * @key: the object (an eventfd_ctx, an inode, or a file when its inode is
 *	the anonymous inode that many files share), held by our reference;
 *	NULL for a resource known by name
 * @class: an &enum bind_class
 * @by_file: @key is a struct file
 * @kvm: for a vCPU, its VM (compared, never dereferenced)
 * @id: its number, for display
 * @path: a shared file's path when first bound, or a resource's name
 * @binds: the &struct shype_bind records on it
 */
struct bind_obj {
	struct hlist_node node;
	struct list_head list;
	void *key;
	enum bind_class class;
	bool by_file;
	const struct kvm *kvm;
	u64 id;
	char *path;
	struct list_head binds;
};

/**
 * struct shype_bind - one binding of a VM to an object
 * @obj_node: in &bind_obj.binds
 * @vm_node: in &shype_vm.binds
 * @obj: the object
 * @vm: the VM
 * @owner: for a binding made along with another in one operation (an
 *	irqfd's resamplefd), the other's object: released with it
 * @by_process: made by a device of @vm's process (vhost), not by the VM
 *	itself: it lasts as long as the device holds the object, and passes
 *	to another VM of the process, or stays on @vm's record, when @vm
 *	goes away
 * @dev: the device that made it (a vhost device), or NULL
 * @slot: for a shared file, the memslot it backs; for a binding by @dev,
 *	which of its queues or ends (SHYPE_SLOT())
 * @token: while the operation that made it may still fail, its number
 * @tagged: made with a tag (&shype_bind_ctx.tag)
 * @tag: the tag, SHYPE_TAG()
 */
struct shype_bind {
	struct list_head obj_node;
	struct list_head vm_node;
	struct bind_obj *obj;
	struct shype_vm *vm;
	const void *owner;
	bool by_process;
	const void *dev;
	u32 slot;
	u64 token;
	bool tagged;
	u64 tag;
};

static DEFINE_HASHTABLE(obj_hash, 8);
static LIST_HEAD(obj_list);
static u64 next_obj_id = 1;
static unsigned int vcpu_objs; /* objects of CLASS_VCPU */

/* Binds in progress, by task. */
static DEFINE_HASHTABLE(ctx_hash, 6);
static DEFINE_SPINLOCK(ctx_lock);
static atomic_t ctx_count = ATOMIC_INIT(0);
/* Of those, binds by a device (shype_bind_begin_dev()). */
static atomic_t dev_count = ATOMIC_INIT(0);

/**
 * shype_bind_begin() - say that current is about to bind objects to @kvm
 * @c: the context, on the caller's stack until shype_bind_end()
 * @kvm: the VM
 * @op: the operation
 * @deassign: whether it unbinds rather than binds
 */
void shype_bind_begin(struct shype_bind_ctx *c, const struct kvm *kvm,
		      enum shype_op op, bool deassign)
{
	memset(c, 0, sizeof(*c));
	c->task = current;
	c->kvm = kvm;
	c->op = op;
	c->deassign = deassign;
	spin_lock(&ctx_lock);
	hash_add(ctx_hash, &c->node, (unsigned long)current);
	spin_unlock(&ctx_lock);
	atomic_inc(&ctx_count);
}

/**
 * shype_bind_begin_mm() - as shype_bind_begin(), for a bind by a device
 *	(vhost) owned by the process of @mm, whose VM is the subject
 * @c: the context
 * @mm: the owner's address space
 * @op: the operation
 */
void shype_bind_begin_mm(struct shype_bind_ctx *c, const struct mm_struct *mm,
			 enum shype_op op)
{
	shype_bind_begin(c, NULL, op, false);
	c->mm = mm;
}

/**
 * shype_bind_begin_dev() - as shype_bind_begin_mm(), for a bind by the
 *	device @dev of current's process: what it binds is @dev's, made by one
 *	operation (a token) that commits or rolls back as a whole
 * @c: the context
 * @op: the operation
 * @dev: the device (compared, never dereferenced)
 * @slot: which part of @dev, SHYPE_SLOT()
 */
void shype_bind_begin_dev(struct shype_bind_ctx *c, enum shype_op op,
			  const void *dev, u32 slot)
{
	shype_bind_begin_mm(c, current->mm, op);
	atomic_inc(&dev_count);
	c->dev = dev;
	c->slot = slot;
	c->token = shype_bind_token();
}

/**
 * shype_bind_current() - the bind current has in progress, or NULL
 */
struct shype_bind_ctx *shype_bind_current(void)
{
	struct shype_bind_ctx *c, *found = NULL;

	if (!atomic_read(&ctx_count))
		return NULL;
	spin_lock(&ctx_lock);
	hash_for_each_possible(ctx_hash, c, node, (unsigned long)current)
		if (c->task == current)
			found = c;
	spin_unlock(&ctx_lock);
	return found;
}

/**
 * shype_bind_current_dev() - the bind by a device (vhost) that current has
 *	in progress, or NULL; without a lookup while no device binds, for a
 *	hook on a function as common as eventfd_ctx_put()
 */
struct shype_bind_ctx *shype_bind_current_dev(void)
{
	struct shype_bind_ctx *c;

	if (!atomic_read(&dev_count))
		return NULL;
	c = shype_bind_current();
	return c && c->dev ? c : NULL;
}

static atomic64_t next_token = ATOMIC64_INIT(0);

/**
 * shype_bind_token() - a number for an operation that binds, to commit or
 *	roll back what it bound (never 0)
 */
u64 shype_bind_token(void)
{
	return atomic64_inc_return(&next_token);
}

/*
 * One object and one binding kept when let go, for the next bind to take:
 * then an assign and a deassign in turn (a VMM masks and unmasks an MSI-X
 * vector so) allocate nothing, where two allocations and two frees, with
 * memcg's accounting and the zeroing of init_on_alloc, were most of
 * shype's own work on the path.  They stay charged to the cgroup that
 * allocated them: one of each at most.  Under shype_lock.
 */
static struct bind_obj *spare_obj;
static struct shype_bind *spare_bind;

static struct bind_obj *alloc_obj(void)
{
	struct bind_obj *obj = spare_obj;

	if (!obj)
		return kzalloc(sizeof(*obj), GFP_KERNEL_ACCOUNT);
	spare_obj = NULL;
	memset(obj, 0, sizeof(*obj));
	return obj;
}

static void free_obj(struct bind_obj *obj)
{
	if (spare_obj)
		kfree(obj);
	else
		spare_obj = obj;
}

static struct shype_bind *alloc_bind(void)
{
	struct shype_bind *b = spare_bind;

	if (!b)
		return kzalloc(sizeof(*b), GFP_KERNEL_ACCOUNT);
	spare_bind = NULL;
	memset(b, 0, sizeof(*b));
	return b;
}

static void free_bind(struct shype_bind *b)
{
	if (spare_bind)
		kfree(b);
	else
		spare_bind = b;
}

static struct bind_obj *find_obj(const void *key)
{
	struct bind_obj *obj;

	hash_for_each_possible(obj_hash, obj, node, (unsigned long)key)
		if (obj->key == key)
			return obj;
	return NULL;
}

/* Forget @obj if no VM is bound to it any more; under shype_lock. */
static void put_obj(struct bind_obj *obj)
{
	if (!list_empty(&obj->binds))
		return;
	if (obj->key)
		hash_del(&obj->node);
	list_del(&obj->list);
	if (obj->class == CLASS_VCPU)
		vcpu_objs--;
	if (obj->by_file)
		fput(obj->key);
	else if (obj->class == CLASS_SHM)
		iput(obj->key);
	else if (obj->class == CLASS_EVENTFD)
		eventfd_ctx_put(obj->key);
	kfree(obj->path);
	free_obj(obj);
}

/* A record kept for devices (see &shype_vm.kvm) may have lost its last. */
static bool reap_due;

/* Under shype_lock. */
static void release(struct shype_bind *b)
{
	struct bind_obj *obj = b->obj;

	list_del(&b->obj_node);
	list_del(&b->vm_node);
	if (!b->vm->kvm && list_empty(&b->vm->binds))
		reap_due = true;
	free_bind(b);
	put_obj(obj);
}

/*
 * Forget the records kept for devices that no longer hold anything; not
 * while a caller walks shype_vms.
 */
static void reap(void)
{
	struct shype_vm *vm, *tmp;

	if (!reap_due)
		return;
	reap_due = false;
	list_for_each_entry_safe(vm, tmp, &shype_vms, list)
		if (!vm->kvm && list_empty(&vm->binds))
			shype_vm_forget(vm);
}

/* A new object: @key (NULL for one known by name), and its @path. */
static struct bind_obj *new_obj(void *key, enum bind_class class, char *path)
{
	struct bind_obj *obj = alloc_obj();

	if (!obj)
		return NULL;
	obj->key = key;
	obj->class = class;
	obj->path = path;
	obj->id = next_obj_id++;
	INIT_LIST_HEAD(&obj->binds);
	if (key)
		hash_add(obj_hash, &obj->node, (unsigned long)key);
	list_add_tail(&obj->list, &obj_list);
	if (class == CLASS_VCPU)
		vcpu_objs++;
	return obj;
}

/* The resource of @class known by @name, or NULL. */
static struct bind_obj *find_named(enum bind_class class, const char *name)
{
	struct bind_obj *obj;

	list_for_each_entry(obj, &obj_list, list)
		if (!obj->key && obj->class == class &&
		    !strcmp(obj->path, name))
			return obj;
	return NULL;
}

static struct shype_bind *new_bind(struct bind_obj *obj, struct shype_vm *vm)
{
	struct shype_bind *b = alloc_bind();

	if (!b)
		return NULL;
	b->obj = obj;
	b->vm = vm;
	list_add_tail(&b->obj_node, &obj->binds);
	list_add_tail(&b->vm_node, &vm->binds);
	return b;
}

/* The first VM bound to @obj that may not share with @vm, or NULL. */
static const struct shype_vm *conflict(const struct shype_policy *p,
				       const struct bind_obj *obj,
				       const struct shype_vm *vm)
{
	const struct shype_bind *b;

	if (!obj)
		return NULL;
	list_for_each_entry(b, &obj->binds, obj_node)
		if (b->vm != vm && !shype_ste_share(p, vm->idx, b->vm->idx))
			return b->vm;
	return NULL;
}

/* Record that @vm binds @key (of which @extra is our reference). */
static int reserve(struct shype_bind_ctx *c, struct shype_vm *vm,
		   struct eventfd_ctx *key, struct eventfd_ctx *extra)
{
	struct bind_obj *obj = find_obj(key);
	struct shype_bind *b;

	/* An operation with a token (VFIO's MSI-X: many) rolls back by it. */
	if (c->nr == ARRAY_SIZE(c->res) && !c->token) {
		eventfd_ctx_put(extra);
		return -E2BIG;
	}
	if (obj) {
		eventfd_ctx_put(extra); /* the object holds one already */
	} else {
		obj = new_obj(extra, CLASS_EVENTFD, NULL);
		if (!obj) {
			eventfd_ctx_put(extra);
			return -ENOMEM;
		}
	}
	b = new_bind(obj, vm);
	if (!b) {
		put_obj(obj);
		return -ENOMEM;
	}
	b->owner = c->owner;
	/* Only a device's outlive the VM: its release lets them go. */
	b->by_process = !!c->dev;
	b->dev = c->dev;
	b->slot = c->slot;
	b->token = c->token;
	b->tagged = c->tagged;
	b->tag = c->tag;
	if (c->nr < ARRAY_SIZE(c->res))
		c->res[c->nr++] = b;
	return 0;
}

/* Was @key already decided in this operation? */
static bool judged(const struct shype_bind_ctx *c, const void *key)
{
	int i;

	for (i = 0; i < c->nr; i++)
		if (c->res[i]->obj->key == key)
			return true;
	return false;
}

/* Decide under @a whether @vm may bind @key; audit a denial. */
static int judge(const struct shype_bind_ctx *c, const struct shype_active *a,
		 const struct shype_vm *vm, const void *key)
{
	const struct shype_vm *peer;

	if (!vm || vm->idx == SHYPE_NOT_FOUND) {
		shype_audit_permissive(c->op, !shype_permissive,
				       "vm=- pid=%d reason=unknown_vm",
				       task_tgid_vnr(current));
		return -EACCES;
	}
	peer = conflict(&a->pol, find_obj(key), vm);
	if (!peer)
		return 0;
	return shype_deny(c->op, vm, "reason=ste peer=%llu(%s) class=eventfd",
			  peer->id, shype_vm_label(peer));
}

/**
 * shype_bind_note_unbind() - note @key for shype_bind_end() to unbind, in
 *	an unbinding operation
 * @c: the unbind in progress
 * @key: the eventfd being unbound
 */
void shype_bind_note_unbind(struct shype_bind_ctx *c, const void *key)
{
	int i;

	for (i = 0; i < c->unbind_nr; i++)
		if (c->unbind[i] == key)
			return;
	if (c->unbind_nr < ARRAY_SIZE(c->unbind))
		c->unbind[c->unbind_nr++] = key;
}

/**
 * shype_bind_eventfd() - decide whether the VM of @c may bind @key
 * @c: the bind in progress
 * @key: the eventfd being bound, as KVM will bind it
 * @extra: a second reference to @key, for shype to keep; consumed
 *
 * Return: 0, %-EACCES when the policy denies it, or %-ENOMEM.
 */
int shype_bind_eventfd(struct shype_bind_ctx *c, struct eventfd_ctx *key,
		       struct eventfd_ctx *extra)
{
	struct shype_active *a;
	struct shype_vm *vm;
	int err = 0;
	u64 start;

	mutex_lock(&shype_lock);
	a = shype_active_locked();
	start = a ? shype_stat_start() : 0;
	vm = c->kvm ? shype_vm_find(c->kvm) : shype_vm_of_mm(c->mm);
	/* One decision per object and operation (len 0 MMIO binds twice). */
	if (a && !judged(c, key))
		err = shype_verdict(c->op, judge(c, a, vm, key), start);
	if (!err && vm)
		err = reserve(c, vm, key, extra); /* consumes extra */
	else
		eventfd_ctx_put(extra);
	if (!err && !c->owner)
		c->owner = key;
	mutex_unlock(&shype_lock);
	return err;
}

/*
 * Release @vm's binding to @key made on its own, and those made with it,
 * by an operation of @tag (0: untagged).  KVM unbinds what matches both
 * the object and the rest of what it was bound with (an irqfd's GSI, in
 * the tag); a device's bindings are never KVM's.
 */
static void unbind(struct shype_vm *vm, const void *key, u64 tag)
{
	struct shype_bind *b, *tmp, *own = NULL;

	list_for_each_entry_safe(b, tmp, &vm->binds, vm_node) {
		if (b->by_process || b->tag != tag)
			continue;
		if (b->owner == key)
			release(b);
		else if (!own && !b->owner && b->obj->key == key)
			own = b;
	}
	if (own)
		release(own);
}

/*
 * Release @vm's binding made with @tag, or with @all, every binding tagged
 * for @tag's operation.
 */
static void unbind_tag(struct shype_vm *vm, u64 tag, bool all)
{
	struct shype_bind *b, *tmp;

	list_for_each_entry_safe(b, tmp, &vm->binds, vm_node) {
		if (!b->tagged)
			continue;
		if (all ? b->tag >> 32 == tag >> 32 : b->tag == tag) {
			release(b);
			if (!all)
				return;
		}
	}
}

/* @dev let @key go from a part of @slot's kind: release one such binding. */
static void let_go(const void *dev, u32 slot, const void *key)
{
	struct bind_obj *obj = find_obj(key);
	struct shype_bind *b;

	if (!obj)
		return;
	list_for_each_entry(b, &obj->binds, obj_node) {
		if (b->dev == dev && !b->token &&
		    b->slot >> SHYPE_SLOT_SHIFT == slot >> SHYPE_SLOT_SHIFT) {
			release(b);
			return;
		}
	}
}

/**
 * shype_bind_end() - commit or roll back what the bind @c noted
 * @c: the bind, now over
 * @ret: the result of the operation (KVM's, vhost's): it commits on 0,
 *	unless &shype_bind_ctx.unchanged, or whatever it is if
 *	&shype_bind_ctx.held
 *
 * Return: what the operation returns: @ret, or when it failed because an
 * inner hook denied (its own error then reads as another: "in use", "not
 * VFIO's", "not a socket"), that denial, &shype_bind_ctx.err.
 */
long shype_bind_end(struct shype_bind_ctx *c, long ret)
{
	bool ok = (!ret && !c->unchanged) || c->held;
	struct shype_vm *vm;
	int i;

	spin_lock(&ctx_lock);
	hash_del(&c->node);
	spin_unlock(&ctx_lock);
	atomic_dec(&ctx_count);
	if (c->dev)
		atomic_dec(&dev_count);

	/*
	 * Nothing to let go, commit, roll back or unbind (an assign that
	 * worked, an unbind that failed): no lock.  reap() waits for the next.
	 */
	if (!(ok && c->put) && !c->token &&
	    (c->deassign ? !ok || (!c->unbind_nr && !c->tagged) : ok || !c->nr))
		goto out;
	mutex_lock(&shype_lock);
	if (ok && c->put)
		let_go(c->dev, c->slot, c->put);
	if (c->token) {
		/* Its reservations too: on the VM, or the record kept for it. */
		vm = c->kvm ? shype_vm_find(c->kvm) : shype_vm_of_mm(c->mm);
		if (vm)
			shype_bind_token_end(vm, c->token, ok, c->dev, c->slot);
	} else if (!c->deassign && !ok) {
		for (i = c->nr - 1; i >= 0; i--)
			release(c->res[i]);
	} else if (c->deassign && ok) {
		/* An unbind names objects (by tag too), or a tag alone. */
		vm = shype_vm_find(c->kvm);
		for (i = 0; vm && i < c->unbind_nr; i++)
			unbind(vm, c->unbind[i], c->tagged ? c->tag : 0);
		if (vm && c->tagged && !c->unbind_nr)
			unbind_tag(vm, c->tag, c->untag_all);
	}
	reap();
	mutex_unlock(&shype_lock);
out:
	return c->err && ret < 0 ? c->err : ret;
}

/**
 * shype_bind_vm_release() - release every binding of a VM that goes away,
 *	but those of its process's devices: they pass to another VM of the
 *	process, or else stay on @vm's record; under shype_lock
 * @vm: the VM
 *
 * Return: whether @vm's record must stay, for its devices' bindings.
 */
bool shype_bind_vm_release(struct shype_vm *vm)
{
	struct shype_vm *heir = NULL, *other;
	struct shype_bind *b, *tmp;
	bool kept = false;

	lockdep_assert_held(&shype_lock);
	list_for_each_entry(other, &shype_vms, list) {
		if (other != vm && other->mm == vm->mm) {
			heir = other;
			break;
		}
	}
	list_for_each_entry_safe(b, tmp, &vm->binds, vm_node) {
		if (!b->by_process) {
			release(b);
		} else if (heir) {
			b->vm = heir;
			list_move_tail(&b->vm_node, &heir->binds);
		} else {
			kept = true;
		}
	}
	return kept;
}

/**
 * shype_bind_vm_inherit() - a new VM takes the bindings of its process's
 *	devices kept on the record of a VM gone before it; under shype_lock
 * @vm: the VM, just admitted
 */
void shype_bind_vm_inherit(struct shype_vm *vm)
{
	struct shype_vm *old;
	struct shype_bind *b;

	lockdep_assert_held(&shype_lock);
	list_for_each_entry(old, &shype_vms, list)
		if (!old->kvm && old->mm == vm->mm)
			break;
	if (list_entry_is_head(old, &shype_vms, list))
		return;
	list_for_each_entry(b, &old->binds, vm_node)
		b->vm = vm;
	list_splice_tail_init(&old->binds, &vm->binds);
	shype_vm_forget(old);
}

/*
 * The resource label under @p of the resource of @class named @name (for
 * a shared file, @inode and its path): for a shared file the label it was
 * given at run time, else the label of the policy resource that the object
 * is (names.c); %SHYPE_NOT_FOUND when it has none, %SHYPE_LABEL_MISSING
 * when @p lacks its run-time label.  *@label is the label's name.
 */
static u32 res_label(const struct shype_policy *p, enum bind_class class,
		     const struct inode *inode, const char *name,
		     const char **label)
{
	const char *l = class == CLASS_SHM ? shype_shm_label(inode) : NULL;
	u32 i = SHYPE_NOT_FOUND;

	if (class == CLASS_EVENTFD || class == CLASS_VFIO ||
	    class == CLASS_VCPU)
		return SHYPE_NOT_FOUND; /* no labels for these */
	if (!l)
		i = shype_names_resource(p, class_kinds[class], inode, name);
	i = shype_resource_label_of(p, i, l);
	if (l)
		*label = l;
	else if (i < p->labels)
		*label = p->label[i].name;
	return i;
}

/**
 * shype_path_escape() - @path for a path= field of an audit line: spaces,
 *	controls, non-ASCII and backslashes as \ooo, as the kernel shows
 *	paths in /proc/mounts; truncated to fit @size
 * @out: where to write it
 * @size: its size, at least 1
 * @path: a path
 */
void shype_path_escape(char *out, size_t size, const char *path)
{
	size_t n = 0;
	unsigned char ch;

	for (; *path && n + 5 <= size; path++) {
		ch = *path;
		if (ch > ' ' && ch < 0x7f && ch != '\\')
			out[n++] = ch;
		else
			n += scnprintf(out + n, size - n, "\\%03o", ch);
	}
	out[n] = '\0';
}

/* "path" for a shared file, "name" for a resource known by name */
static const char *name_key(enum bind_class class)
{
	return class == CLASS_SHM || class == CLASS_VCPU ? "path" : "name";
}

/* Decide under @a whether @vm may use the resource @obj of @class. */
static int judge_res(enum shype_op op, const struct shype_active *a,
		     const struct shype_vm *vm, const struct bind_obj *obj,
		     enum bind_class class, const struct inode *inode,
		     const char *name)
{
	const char *cls = class_names[class], *key = name_key(class);
	const struct shype_vm *peer;
	const char *label = NULL;
	char esc[128];
	u32 r;

	/* The name is escaped for a denial's line only. */
	if (!vm || vm->idx == SHYPE_NOT_FOUND) {
		shype_path_escape(esc, sizeof(esc), name);
		shype_audit_permissive(op, !shype_permissive,
				       "vm=- pid=%d reason=unknown_vm %s=%s",
				       task_tgid_vnr(current), key, esc);
		return -EACCES;
	}
	r = res_label(&a->pol, class, inode, name, &label);
	if (!shype_resource_ok(&a->pol, vm->idx, r)) {
		shype_path_escape(esc, sizeof(esc), name);
		return shype_deny(op, vm, "reason=ste class=%s label=%s %s=%s",
				  cls, label, key, esc);
	}
	peer = conflict(&a->pol, obj, vm);
	if (!peer)
		return 0;
	shype_path_escape(esc, sizeof(esc), name);
	return shype_deny(op, vm, "reason=ste peer=%llu(%s) class=%s %s=%s",
			  peer->id, shype_vm_label(peer), cls, key, esc);
}

/*
 * Is @inode the one inode that all files made by anon_inode_getfile()
 * share (VFIO devices, ...)?  Such a file is known by the file itself.
 */
static bool shared_inode(const struct inode *inode)
{
	return inode->i_sb->s_magic == ANON_INODE_FS_MAGIC;
}

/* The inode of a shared file's object, for its run-time label. */
static const struct inode *obj_inode(const struct bind_obj *obj)
{
	return obj->by_file ? file_inode(obj->key) : obj->key;
}

/* Is @vm bound to @obj through @slot already? */
static bool bound(const struct bind_obj *obj, const struct shype_vm *vm,
		  u32 slot)
{
	const struct shype_bind *b;

	list_for_each_entry(b, &obj->binds, obj_node)
		if (b->vm == vm && b->slot == slot)
			return true;
	return false;
}

/*
 * Decide whether @vm may use the resource @obj (NULL if none is bound yet)
 * of @class, @inode (a shared file) or @name; record the use on success,
 * made by @dev's @slot in the operation @token.
 */
static int bind_res(struct shype_vm *vm, enum shype_op op, struct bind_obj *obj,
		    enum bind_class class, struct file *file, const char *name,
		    const void *dev, u32 slot, u64 token)
{
	struct inode *inode = file ? file_inode(file) : NULL;
	bool by_file = file && class != CLASS_VCPU &&
		       (class == CLASS_VFIO || shared_inode(inode));
	void *key = by_file ? (void *)file : inode;
	struct shype_active *a = shype_active_locked();
	u64 start = shype_stat_start();
	struct shype_bind *b;
	char *copy;
	int err;

	lockdep_assert_held(&shype_lock);
	if (a) {
		err = judge_res(op, a, vm, obj, class, inode, name);
		err = shype_verdict(op, err, start);
		if (err)
			return err;
	}
	if (!vm)
		return 0;
	if (!obj) {
		if (class == CLASS_VCPU)
			key = file->private_data;
		copy = kstrdup(name, GFP_KERNEL_ACCOUNT);
		obj = copy ? new_obj(key, class, copy) : NULL;
		if (!obj) {
			kfree(copy);
			return -ENOMEM;
		}
		obj->by_file = by_file;
		if (by_file)
			get_file(file);
		else if (class == CLASS_SHM && inode)
			ihold(inode);
	}
	b = new_bind(obj, vm);
	if (!b) {
		put_obj(obj);
		return -ENOMEM;
	}
	b->by_process = !!dev;
	b->dev = dev;
	b->slot = slot;
	b->token = token;
	return 0;
}

/**
 * shype_bind_file() - decide whether @vm may have the shared file @file
 *	behind its memslot @slot, and record it; under shype_lock
 * @vm: the VM; NULL for a VM that shype does not know
 * @op: %SHYPE_OP_MEMSLOT or %SHYPE_OP_REMAP
 * @file: the file, mapped shared in the VM's process
 * @path: its path, for resource labels and display
 * @slot: the memslot
 * @token: the operation, for shype_bind_token_end()
 *
 * Return: 0, %-EACCES when the policy denies it, or %-ENOMEM.
 */
int shype_bind_file(struct shype_vm *vm, enum shype_op op, struct file *file,
		    const char *path, u32 slot, u64 token)
{
	struct inode *inode = file_inode(file);
	struct bind_obj *obj;

	obj = find_obj(shared_inode(inode) ? (void *)file : inode);
	if (vm && obj && bound(obj, vm, slot))
		return 0;
	return bind_res(vm, op, obj, CLASS_SHM, file, path, NULL, slot, token);
}

/**
 * shype_bind_vcpu() - decide whether @vm may have the pages of the vCPU
 *	of @file behind its memslot @slot, and record it; under shype_lock
 * @vm: the VM; NULL for a VM that shype does not know
 * @op: %SHYPE_OP_MEMSLOT or %SHYPE_OP_REMAP
 * @file: the vCPU's file (its private data is the vCPU)
 * @kvm: the vCPU's VM, which must be known to shype: its destruction
 *	releases the object (shype_bind_kvm_release())
 * @path: its name, for display
 * @slot: the memslot
 * @token: the operation, for shype_bind_token_end()
 *
 * As for a shared file, every VM bound to it must share a type with @vm;
 * the vCPU's own VM is the caller's to judge.  No reference is held: the
 * vCPU lives as long as its VM, whose file it holds.
 *
 * Return: 0, %-EACCES when the policy denies it, or %-ENOMEM.
 */
int shype_bind_vcpu(struct shype_vm *vm, enum shype_op op, struct file *file,
		    const struct kvm *kvm, const char *path, u32 slot,
		    u64 token)
{
	struct bind_obj *obj = find_obj(file->private_data);
	int err;

	if (vm && obj && bound(obj, vm, slot))
		return 0;
	err = bind_res(vm, op, obj, CLASS_VCPU, file, path, NULL, slot, token);
	obj = find_obj(file->private_data);
	if (obj)
		obj->kvm = kvm;
	return err;
}

/**
 * shype_bind_kvm_release() - release every binding to a vCPU of @kvm,
 *	which goes away; under shype_lock
 * @kvm: the VM
 */
void shype_bind_kvm_release(const struct kvm *kvm)
{
	struct bind_obj *obj, *next;
	struct shype_bind *b, *tmp;

	lockdep_assert_held(&shype_lock);
	if (!vcpu_objs)
		return; /* the usual case: a VM's end costs no walk */
	list_for_each_entry_safe(obj, next, &obj_list, list) {
		if (obj->class != CLASS_VCPU || obj->kvm != kvm)
			continue;
		/* The object goes with its last binding. */
		list_for_each_entry_safe(b, tmp, &obj->binds, obj_node) {
			if (list_is_singular(&obj->binds)) {
				release(b);
				break;
			}
			release(b);
		}
	}
}

/**
 * shype_bind_vfio() - decide whether @vm may have the VFIO group @file,
 *	and record it; under shype_lock
 * @vm: the VM; NULL for a VM that shype does not know
 * @op: %SHYPE_OP_VFIO
 * @file: the group's file, as KVM holds it
 * @path: its path, for display
 * @token: the operation, for shype_bind_token_end()
 *
 * VMs that have one group (its device's DMA and KVM's pointer to the VM)
 * must share a type, as for an eventfd.
 *
 * Return: 0, %-EACCES when the policy denies it, or %-ENOMEM.
 */
int shype_bind_vfio(struct shype_vm *vm, enum shype_op op, struct file *file,
		    const char *path, u64 token)
{
	struct bind_obj *obj = find_obj(file);

	if (vm && obj && bound(obj, vm, 0))
		return 0;
	return bind_res(vm, op, obj, CLASS_VFIO, file, path, NULL, 0, token);
}

/**
 * shype_bind_vfio_release() - @vm lets the VFIO group @file go; under
 *	shype_lock
 * @vm: the VM
 * @file: the group's file
 */
void shype_bind_vfio_release(struct shype_vm *vm, const struct file *file)
{
	struct shype_bind *b, *tmp;

	lockdep_assert_held(&shype_lock);
	list_for_each_entry_safe(b, tmp, &vm->binds, vm_node)
		if (b->obj->class == CLASS_VFIO && b->obj->key == file)
			release(b);
}

/**
 * shype_bind_named() - decide whether @vm may use the resource @name of
 *	@kind through @dev, and record it; under shype_lock
 * @vm: the VM; NULL for a VM that shype does not know
 * @op: the operation
 * @kind: %SHYPE_RES_NET or %SHYPE_RES_VSOCK
 * @name: the resource, as a policy names it
 * @dev: the device that uses it
 * @slot: which part of @dev (a queue): a new binding of it replaces the
 *	one before when committed
 * @token: the operation, for shype_bind_token_end()
 *
 * VMs that use one resource must share a type, as for an eventfd, and
 * with the resource's label if it has one.
 *
 * Return: 0, %-EACCES when the policy denies it, or %-ENOMEM.
 */
int shype_bind_named(struct shype_vm *vm, enum shype_op op, u32 kind,
		     const char *name, const void *dev, u32 slot, u64 token)
{
	enum bind_class class = kind == SHYPE_RES_NET ? CLASS_NET : CLASS_VSOCK;

	return bind_res(vm, op, find_named(class, name), class, NULL, name, dev,
			slot, token);
}

/*
 * Release the bindings of @dev's @slot (all of @dev's if @slot is U32_MAX)
 * but those of the operation @keep.
 */
static void release_dev(const void *dev, u32 slot, u64 keep)
{
	struct bind_obj *obj, *next;
	struct shype_bind *b, *tmp;

	list_for_each_entry_safe(obj, next, &obj_list, list) {
		list_for_each_entry_safe(b, tmp, &obj->binds, obj_node) {
			if (b->dev != dev ||
			    (slot != U32_MAX && b->slot != slot) ||
			    (keep && b->token == keep))
				continue;
			/* The object goes with its last binding. */
			if (list_is_singular(&obj->binds)) {
				release(b);
				break;
			}
			release(b);
		}
	}
}

/*
 * Does @dev hold @b's object already, through a part of @slot's kind?
 * Then @b, a kick that vhost did not start polling (the queue's kick
 * already), adds nothing.
 */
static bool dev_holds(const void *dev, u32 slot, const struct shype_bind *b)
{
	const struct shype_bind *e;

	list_for_each_entry(e, &b->obj->binds, obj_node)
		if (e != b && e->dev == dev && !e->token &&
		    e->slot >> SHYPE_SLOT_SHIFT == slot >> SHYPE_SLOT_SHIFT)
			return true;
	return false;
}

/**
 * shype_bind_token_end() - commit or roll back the bindings of @vm made
 *	by the operation @token; under shype_lock
 * @vm: the VM, or the record kept for its process's devices
 * @token: the operation
 * @commit: whether it succeeded
 * @dev: when not NULL, the device that made them: on commit, what its
 *	@slot was bound to before is released, and they are @slot's
 * @slot: see @dev (known to the device's operation only at its end); one
 *	whose queue is %SHYPE_SLOT_ANY or %SHYPE_SLOT_FAR replaces nothing
 *	here (a call or err eventfd: shype_bind_end() releases the one that
 *	vhost let go)
 */
void shype_bind_token_end(struct shype_vm *vm, u64 token, bool commit,
			  const void *dev, u32 slot)
{
	u32 queue = slot & SHYPE_SLOT_ANY;
	struct shype_bind *b, *tmp;

	lockdep_assert_held(&shype_lock);
	if (commit && dev && queue != SHYPE_SLOT_ANY && queue != SHYPE_SLOT_FAR)
		release_dev(dev, slot, token);
	list_for_each_entry_safe(b, tmp, &vm->binds, vm_node) {
		if (b->token != token)
			continue;
		if (!commit ||
		    (slot == SHYPE_SLOT(SHYPE_SLOT_KICK, SHYPE_SLOT_ANY) &&
		     dev && dev_holds(dev, slot, b))) {
			release(b);
			continue;
		}
		b->token = 0;
		if (dev)
			b->slot = slot;
	}
}

/**
 * shype_bind_dev_release() - release every binding made by a device that
 *	goes away; under shype_lock
 * @dev: the device
 */
void shype_bind_dev_release(const void *dev)
{
	lockdep_assert_held(&shype_lock);
	release_dev(dev, U32_MAX, 0);
	reap();
}

/**
 * shype_bind_slot_release() - release the shared files behind a deleted
 *	memslot of @vm; under shype_lock
 * @vm: the VM
 * @slot: the memslot
 */
void shype_bind_slot_release(struct shype_vm *vm, u32 slot)
{
	struct shype_bind *b, *tmp;

	lockdep_assert_held(&shype_lock);
	list_for_each_entry_safe(b, tmp, &vm->binds, vm_node)
		if ((b->obj->class == CLASS_SHM ||
		     b->obj->class == CLASS_VCPU) &&
		    b->slot == slot)
			release(b);
}

/**
 * shype_bind_relabel() - may the shared file @inode take the resource
 *	label @label, given the VMs bound to it?  Under shype_lock
 * @inode: the file
 * @label: the label's name; NULL when its run-time label is cleared, so
 *	that the policy's label of the path it was bound under applies
 *
 * Return: 0, or %-EACCES after auditing the first VM that would be denied.
 */
int shype_bind_relabel(const struct inode *inode, const char *label)
{
	struct shype_active *a = shype_active_locked();
	const struct bind_obj *obj = find_obj(inode);
	const char *fmt = "reason=relabel class=shm label=%s object=%llu";
	const struct shype_bind *b;
	u32 r;

	lockdep_assert_held(&shype_lock);
	if (!a || !obj)
		return 0;
	r = label ? SHYPE_NOT_FOUND :
		    shype_names_resource(&a->pol, SHYPE_RES_SHM, obj_inode(obj),
					 obj->path ?: "");
	r = shype_resource_label_of(&a->pol, r, label);
	if (!label)
		label = r < a->pol.labels ? a->pol.label[r].name : "-";
	list_for_each_entry(b, &obj->binds, obj_node)
		if (!shype_resource_ok(&a->pol, b->vm->idx, r))
			return shype_deny(SHYPE_OP_REMAP, b->vm, fmt, label,
					  obj->id);
	return 0;
}

static void violation(struct seq_buf *reasons, const struct bind_obj *obj,
		      const struct shype_vm *x, const struct shype_vm *y)
{
	seq_buf_printf(reasons,
		       "object %llu: vms %llu and %llu share no type\n",
		       obj->id, x->id, y->id);
	shype_deny(SHYPE_OP_POLICY_LOAD, x,
		   "reason=ste peer=%llu(%s) object=%llu", y->id,
		   shype_vm_label(y), obj->id);
}

/* May @vm keep using the resource @obj under the new policy @p? */
static bool res_ok(const struct shype_policy *p, const struct bind_obj *obj,
		   const struct shype_vm *vm)
{
	const char *label;

	if (obj->class == CLASS_EVENTFD || obj->class == CLASS_VCPU ||
	    vm->next_idx >= p->labels)
		return true;
	return shype_resource_ok(p, vm->next_idx,
				 res_label(p, obj->class, obj_inode(obj),
					   obj->path, &label));
}

/**
 * shype_bind_check() - the bindings that a new policy would deny, each
 *	pair of VMs on one object judged by their &shype_vm.next_idx;
 *	under shype_lock
 * @p: the new policy
 * @reasons: where to say which
 *
 * Return: how many pairs it would deny.
 */
unsigned int shype_bind_check(const struct shype_policy *p,
			      struct seq_buf *reasons)
{
	const struct shype_bind *b, *e;
	const struct shype_vm *x, *y;
	const struct bind_obj *obj;
	unsigned int n = 0;

	list_for_each_entry(obj, &obj_list, list) {
		list_for_each_entry(b, &obj->binds, obj_node) {
			if (!res_ok(p, obj, b->vm)) {
				seq_buf_printf(reasons,
					       "object %llu: ", obj->id);
				seq_buf_printf(reasons,
					       "vm %llu may not use %s\n",
					       b->vm->id, obj->path);
				n++;
			}
			list_for_each_entry(e, &obj->binds, obj_node) {
				if (e == b)
					break;
				x = b->vm;
				y = e->vm;
				if (x == y || x->next_idx >= p->labels ||
				    y->next_idx >= p->labels ||
				    shype_ste_share(p, x->next_idx,
						    y->next_idx))
					continue;
				violation(reasons, obj, x, y);
				n++;
			}
		}
	}
	return n;
}

/* Was @vm bound to @obj by a bind listed before @upto? */
static bool listed(const struct bind_obj *obj, const struct shype_bind *upto)
{
	const struct shype_bind *b;

	list_for_each_entry(b, &obj->binds, obj_node) {
		if (b == upto)
			return false;
		if (b->vm == upto->vm)
			return true;
	}
	return false;
}

/**
 * shype_bind_show() - the lines of the bindings file; under shype_lock
 * @m: where to print
 */
void shype_bind_show(struct seq_file *m)
{
	const struct shype_bind *b;
	const struct bind_obj *obj;
	const char *sep;

	list_for_each_entry(obj, &obj_list, list) {
		seq_printf(m, "object=%llu class=%s ", obj->id,
			   class_names[obj->class]);
		if (obj->path) {
			seq_printf(m, "%s=", name_key(obj->class));
			seq_escape(m, obj->path, " \t\n\\");
			seq_putc(m, ' ');
		}
		seq_puts(m, "vms=");
		sep = "";
		list_for_each_entry(b, &obj->binds, obj_node) {
			if (listed(obj, b))
				continue;
			seq_printf(m, "%s%llu(%s)", sep, b->vm->id,
				   shype_vm_label(b->vm));
			sep = ",";
		}
		seq_putc(m, '\n');
	}
}
