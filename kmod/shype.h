/* SPDX-License-Identifier: GPL-2.0 */
/*
 * shype.ko internals shared between its files.
 *
 * Locking: shype_lock (a mutex) serialises every change of state: VM
 * records, cgroup labels, the Chinese Wall accounting and policy
 * replacement.  The active policy is published with RCU, so readers that
 * only look at it need no lock.
 */
#ifndef SHYPE_KMOD_SHYPE_H
#define SHYPE_KMOD_SHYPE_H

#include <linux/kernel.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/types.h>
#include <linux/workqueue.h>

#include "core/policy.h"

struct kvm;
struct mm_struct;
struct shype_names;
struct seq_buf;
struct seq_file;
struct task_struct;

/**
 * enum shype_op - the operations shype decides on; index of the stats
 */
enum shype_op {
	SHYPE_OP_CREATE,
	SHYPE_OP_POLICY_LOAD,
	SHYPE_OP_IRQFD,
	SHYPE_OP_IOEVENTFD,
	SHYPE_OP_HV_EVENTFD,
	SHYPE_OP_SEV_CONTEXT,
	SHYPE_OP_VHOST_EVENTFD,
	SHYPE_OP_MEMSLOT,
	SHYPE_OP_REMAP,
	SHYPE_OP_VSOCK_CID,
	SHYPE_OP_NET_BACKEND,
	SHYPE_OP_VFIO,
	SHYPE_OP_XEN_EVTCHN,
	SHYPE_OP_PTRACE,
	SHYPE_OP_USERFAULTFD,
	SHYPE_OP_VFIO_IRQ,
	SHYPE_OP_FILE,
	SHYPE_OP_NR
};

extern struct mutex shype_lock;

/* policy.c */

/**
 * struct shype_active - a loaded policy and the Chinese Wall accounting of
 *	the VMs running under it
 * @free_work: frees it, once replaced, after a grace period
 * @names: the objects its resource names resolved to (names.c)
 */
struct shype_active {
	struct rcu_work free_work;
	struct shype_policy pol;
	struct shype_chwall cw;
	void *blob;
	size_t len;
	void *cw_mem;
	struct shype_names *names;
};

extern struct shype_active __rcu *shype_active;

/* Under shype_lock. */
static inline struct shype_active *shype_active_locked(void)
{
	return rcu_dereference_protected(shype_active,
					 lockdep_is_held(&shype_lock));
}

/* shype_policy_replace(): the blob is the active policy's; nothing changed. */
#define SHYPE_POLICY_UNCHANGED 1

int shype_policy_replace(void *blob, size_t len, u32 flags,
			 struct seq_buf *reasons);
void shype_policy_malformed(int err, const char *why);
size_t shype_policy_memory(const struct shype_active *a);

/* mode */
extern bool shype_permissive;

/* vm.c */

extern bool shype_require_policy;

/**
 * struct shype_vm - one VM, from its creation to its destruction
 * @node: in the hash by @kvm
 * @list: in creation order
 * @kvm: the VM (compared, never dereferenced); NULL once the VM is gone
 *	while devices of its process (vhost) still hold what they bound: the
 *	record then carries their bindings and label, for every later VM of
 *	that process, uncounted in the Chinese Wall, until the last goes
 * @mm: its VMM process's address space (compared, never dereferenced);
 *	held by those devices while the record is kept for them
 * @id: shype's number for it
 * @pid: the VMM's pid at creation
 * @label: the label it was created with, frozen; "" when it has none
 * @idx: index of @label in the active policy, %SHYPE_NOT_FOUND when no
 *	policy is loaded or the label is not a VM label in it
 * @next_idx: its index in a policy being loaded, while it is checked
 * @binds: its bindings (&struct shype_bind)
 * @slots: the ranges of its process's memory behind its memslots
 *	(&struct shype_slot)
 */
struct shype_vm {
	struct hlist_node node;
	struct list_head list;
	const struct kvm *kvm;
	const struct mm_struct *mm;
	u64 id;
	pid_t pid;
	char label[SHYPE_NAME_MAX + 1];
	u32 idx;
	u32 next_idx;
	struct list_head binds;
	struct list_head slots;
};

extern struct list_head shype_vms;
extern unsigned int shype_vm_count;

int shype_vm_create(const struct kvm *kvm);
void shype_vm_forget(struct shype_vm *vm);
void shype_vm_destroy(const struct kvm *kvm);
struct shype_vm *shype_vm_find(const struct kvm *kvm);
const char *shype_vm_label(const struct shype_vm *vm);
struct shype_vm *shype_vm_of_mm(const struct mm_struct *mm);
int shype_vm_refuse(const struct kvm *kvm, enum shype_op op,
		    const char *reason);
const struct shype_vm *shype_vm_of_chwall_type(const struct shype_policy *p,
					       u32 type, bool next,
					       const struct shype_vm *upto);

/* label.c */

int shype_cgroup_label_set(const char *path, const char *label);
int shype_cgroup_label_clear(const char *path);
void shype_current_label(char *label, size_t size);
bool shype_task_cgroup_label(struct task_struct *t, char *label, size_t size);
bool shype_task_cgroup_labelled(struct task_struct *t);
void shype_cgroup_show(struct seq_file *m);

/* proc.c */

/**
 * struct shype_who - a process as a decision sees it
 * @pid: its process (in the initial pid namespace, as audit's pid=)
 * @labelled: it holds a VM or sits in a labelled cgroup
 * @idx: its label in the active policy; %SHYPE_NOT_FOUND when unlabelled,
 *	or when the label is no VM label of the policy
 * @name: its label's name; "" when unlabelled, or for an unlabelled VM
 */
struct shype_who {
	pid_t pid;
	bool labelled;
	u32 idx;
	char name[SHYPE_NAME_MAX + 1];
};

void shype_who_is(const struct shype_policy *p, struct task_struct *t,
		  const struct mm_struct *mm, struct shype_who *w);
const char *shype_who_label(const struct shype_policy *p,
			    const struct shype_who *w);
bool shype_labelled(struct task_struct *t, const struct mm_struct *mm);
int shype_proc_vm_add(const struct shype_vm *vm);
void shype_proc_vm_del(const struct shype_vm *vm);

/* resource.c */

struct inode;

int shype_shm_label_set(const char *path, const char *label);
int shype_shm_label_clear(const char *path);
const char *shype_shm_label(const struct inode *inode);
bool shype_shm_labels_given(void);
void shype_shm_label_show(struct seq_file *m);

/* names.c */

struct net_device;

int shype_names_new(struct shype_active *a);
void shype_names_net(struct shype_active *a);
void shype_names_free(struct shype_names *n);
u32 shype_names_resource(const struct shype_policy *p, u32 kind,
			 const struct inode *inode, const char *name);
void shype_names_resolve(void);
bool shype_names_shm(const struct shype_active *a);
u32 shype_names_file(const struct shype_policy *p, struct inode *inode,
		     const char *name, bool other_names);
void shype_names_netdev(struct net_device *dev, unsigned long event);

/* audit.c */

extern const char *const shype_op_names[SHYPE_OP_NR];

__printf(3, 4) int shype_deny(enum shype_op op, const struct shype_vm *vm,
			      const char *fmt, ...);
__printf(2, 3) void shype_audit(enum shype_op op, const char *fmt, ...);
__printf(3, 4) void shype_audit_permissive(enum shype_op op, bool enforced,
					   const char *fmt, ...);
__printf(2, 3) void shype_audit_change(const char *path, const char *fmt, ...);
void shype_audit_label(const char *path, const char *class, const char *id_key,
		       u64 id, const char *label, const char *old);
void shype_stat(enum shype_op op, bool allowed);
u64 shype_stat_start(void);
void shype_stat_timed(enum shype_op op, bool allowed, u64 start);
int shype_verdict(enum shype_op op, int err, u64 start);
void shype_stats_show(struct seq_file *m);

/* The audit ring, read through fs.c. */
ssize_t shype_audit_read(u64 *seq, char __user *buf, size_t count);
bool shype_audit_pending(u64 seq);
u64 shype_audit_oldest(void);
extern struct wait_queue_head shype_audit_wait;

/* bind.c */
void shype_path_escape(char *out, size_t size, const char *path);

struct eventfd_ctx;
struct file;
struct shype_bind;

/**
 * struct shype_bind_ctx - a bind in progress in one task
 * @node: in the table of binds in progress, by @task
 * @task: the task
 * @kvm: the VM that binds, or NULL: then @mm's VMs
 * @mm: the address space of the process whose VMs bind (vhost)
 * @op: the operation
 * @deassign: it unbinds
 * @nr: reservations made
 * @res: the reservations, to commit or roll back
 * @owner: the first object bound
 * @unbind_nr: objects to unbind
 * @unbind: the objects to unbind, when @deassign
 * @tagged: @tag names the binding: alone, for an unbind that names no
 *	object (Hyper-V, Xen); along with the object, for one that names it
 *	(an irqfd's GSI)
 * @tag: the name, SHYPE_TAG(): the operation and a Hyper-V connection id,
 *	a Xen port or an irqfd's GSI
 * @untag_all: the unbind releases every binding tagged for @tag's operation
 * @dev: for a resource used by a device (shype_bind_named()), the device
 * @slot: which part of @dev, SHYPE_SLOT() for a vhost eventfd
 * @token: the operation's number for shype_bind_named() and device binds,
 *	or 0
 * @err: set by an inner hook that denied, for the outer one to return
 * @decided: an inner hook decided (VFIO: checked when KVM passes the VM on)
 * @held: @dev took what was bound, whatever the operation returns (a vhost
 *	kick whose poll then failed): commit
 * @unchanged: the operation succeeded but changed nothing: roll back
 * @inner: shype's own lookup runs (eventfd.c): its puts are not @dev's
 * @put: the eventfd that @dev let go in the operation (the call or err
 *	eventfd that the new one replaced), compared only
 */
struct shype_bind_ctx {
	struct hlist_node node;
	struct task_struct *task;
	const struct kvm *kvm;
	const struct mm_struct *mm;
	enum shype_op op;
	bool deassign;
	int nr;
	struct shype_bind *res[4];
	const void *owner;
	int unbind_nr;
	const void *unbind[2];
	bool tagged;
	bool untag_all;
	u64 tag;
	const void *dev;
	u32 slot;
	u64 token;
	int err;
	bool decided;
	bool held;
	bool unchanged;
	bool inner;
	const void *put;
};

/* A binding's name, unique in a VM: its operation and the id it names. */
#define SHYPE_TAG(op, id) ((u64)(op) << 32 | (u32)(id))

/*
 * The part of a vhost device that holds an eventfd: its kind, and for a
 * queue's the queue's offset in the device, or SHYPE_SLOT_ANY when vhost
 * does not say which queue (a call or err eventfd, released when vhost
 * lets it go: &shype_bind_ctx.put), or SHYPE_SLOT_FAR for a queue outside
 * the device's memory (released with the device).
 */
enum shype_slot_kind {
	SHYPE_SLOT_QUEUE, /* a vhost-net backend or a vsock CID */
	SHYPE_SLOT_KICK,
	SHYPE_SLOT_CALL,
	SHYPE_SLOT_ERR,
	SHYPE_SLOT_LOG,
};

#define SHYPE_SLOT_SHIFT      28
#define SHYPE_SLOT_ANY	      ((1U << SHYPE_SLOT_SHIFT) - 1)
#define SHYPE_SLOT_FAR	      (SHYPE_SLOT_ANY - 1)
#define SHYPE_SLOT(kind, off) ((u32)(kind) << SHYPE_SLOT_SHIFT | (off))

void shype_bind_begin(struct shype_bind_ctx *c, const struct kvm *kvm,
		      enum shype_op op, bool deassign);
long shype_bind_end(struct shype_bind_ctx *c, long ret);
void shype_bind_begin_mm(struct shype_bind_ctx *c, const struct mm_struct *mm,
			 enum shype_op op);
void shype_bind_begin_dev(struct shype_bind_ctx *c, enum shype_op op,
			  const void *dev, u32 slot);
struct shype_bind_ctx *shype_bind_current(void);
struct shype_bind_ctx *shype_bind_current_dev(void);
u64 shype_bind_token(void);
void shype_bind_note_unbind(struct shype_bind_ctx *c, const void *key);
int shype_bind_eventfd(struct shype_bind_ctx *c, struct eventfd_ctx *key,
		       struct eventfd_ctx *extra);
bool shype_bind_vm_release(struct shype_vm *vm);
void shype_bind_vm_inherit(struct shype_vm *vm);
int shype_bind_file(struct shype_vm *vm, enum shype_op op, struct file *file,
		    const char *path, u32 slot, u64 token);
int shype_bind_named(struct shype_vm *vm, enum shype_op op, u32 kind,
		     const char *name, const void *dev, u32 slot, u64 token);
void shype_bind_token_end(struct shype_vm *vm, u64 token, bool commit,
			  const void *dev, u32 slot);
void shype_bind_dev_release(const void *dev);
int shype_bind_vcpu(struct shype_vm *vm, enum shype_op op, struct file *file,
		    const struct kvm *kvm, const char *path, u32 slot,
		    u64 token);
void shype_bind_kvm_release(const struct kvm *kvm);
int shype_bind_vfio(struct shype_vm *vm, enum shype_op op, struct file *file,
		    const char *path, u64 token);
void shype_bind_vfio_release(struct shype_vm *vm, const struct file *file);
void shype_bind_slot_release(struct shype_vm *vm, u32 slot);
int shype_bind_relabel(const struct inode *inode, const char *label);
unsigned int shype_bind_check(const struct shype_policy *p,
			      struct seq_buf *reasons);
void shype_bind_show(struct seq_file *m);

/* net.c */

int shype_net_init(void);
void shype_net_exit(void);

/* memslot.c */

void shype_memslot_vm_release(struct shype_vm *vm);

/* hook.c */

int shype_hooks_init(void);
unsigned int shype_hooks_installed(void);
unsigned long shype_lookup_name(const char *name);

/* vmlist.c */

unsigned int shype_vms_unseen(struct seq_buf *reasons, bool audit);

/* fs.c */

int shype_fs_init(void);
void shype_fs_exit(void);

#endif /* SHYPE_KMOD_SHYPE_H */
