// SPDX-License-Identifier: GPL-2.0
/*
 * Shared memory: the files behind memslots.
 *
 * A memslot maps guest memory to a range of its VMM process's address
 * space.  Every file mapped into that range (memfd, tmpfs and /dev/shm,
 * hugetlbfs, shared anonymous memory, a vCPU's kvm_run) is bound to the
 * VM: it is checked in __kvm_set_memory_region(), on the VMAs as they are
 * when KVM takes the slot.  Private mappings of a file are bound as shared
 * ones are: until copy-on-write they read the file's page cache, which
 * another process may be writing.  Private anonymous memory, /dev/zero's
 * included, is nobody else's and is left alone.  A vCPU's file is also
 * checked against the vCPU's own VM, which is bound to it implicitly.
 *
 * KVM keeps only the user address, so a later mmap(), mremap() or
 * MAP_FIXED in the process can put another file behind the slot.  File
 * mappings that a process with memslots makes over one of their
 * ranges are therefore checked too, in mmap_region() (new mappings),
 * copy_vma() (mremap() moves) and the function that grows a mapping in
 * place for mremap(): __vma_adjust() in Linux 6.1, vma_merge_extend() in
 * 6.12.  (6.1's __vma_adjust() also does merges and splits; a merge only
 * joins mappings of one file that were each checked already.)  A slot's
 * range is recorded before its VMAs are walked, and the
 * walk holds mmap_lock: a mapping is made either before the walk, which
 * sees it, or after the range is recorded, which the mm hooks see.
 *
 * Shared anonymous memory (MAP_SHARED|MAP_ANONYMOUS, or MAP_SHARED of
 * /dev/zero) gets its file inside mmap_region(), from shmem_zero_setup():
 * the mmap_region() hook says so in a bind context, and the file is bound
 * in shmem_zero_setup() as soon as it exists, under the same mmap_lock.
 *
 * A userfaultfd acts on the address space of the process that made it.
 * Passed to another process, it lets that one fill (UFFDIO_COPY, ...),
 * register and watch (read()) the first one's memory, guest memory
 * included: userfaultfd_ioctl() and its read() check that every VM of the
 * one process shares a type with every VM of the other.
 *
 * Lock order: kvm->slots_lock, mmap_lock, shype_lock.
 */
#define pr_fmt(fmt) "shype: " fmt

#include <linux/kvm_host.h>
#include <linux/magic.h>
#include <linux/major.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/uio.h>
#include <linux/userfaultfd_k.h>

#include "hook.h"
#include "shype.h"

/**
 * struct shype_slot - the range of a VM's process memory behind a memslot
 * @node: in &shype_vm.slots
 * @mm_node: in slot_mms, by @mm
 * @mm: the VM's process's address space
 * @id: the memslot (address space << 16 | slot)
 * @start: its first user address
 * @end: the address after its last
 * @rcu: for lookups in slot_mms without a lock
 */
struct shype_slot {
	struct list_head node;
	struct hlist_node mm_node;
	struct rcu_head rcu;
	const struct mm_struct *mm;
	u32 id;
	unsigned long start, end;
};

/*
 * Every slot by its address space, so that the mm hooks let the mappings
 * of processes without memslots by at the cost of an RCU lookup.  Changed
 * under shype_lock.
 */
static DEFINE_HASHTABLE(slot_mms, 6);

/* Does a slot of @mm's VMs overlap [@start, @end)? */
static bool over_slot(const struct mm_struct *mm, unsigned long start,
		      unsigned long end)
{
	struct shype_slot *s;
	bool found = false;

	rcu_read_lock();
	hash_for_each_possible_rcu(slot_mms, s, mm_node, (unsigned long)mm) {
		if (s->mm == mm && s->start < end && start < s->end) {
			found = true;
			break;
		}
	}
	rcu_read_unlock();
	return found;
}

static void add_slot(struct shype_vm *vm, struct shype_slot *s)
{
	lockdep_assert_held(&shype_lock);
	s->mm = vm->mm;
	list_add_tail(&s->node, &vm->slots);
	hash_add_rcu(slot_mms, &s->mm_node, (unsigned long)s->mm);
}

static struct shype_slot *find_slot(struct shype_vm *vm, u32 id)
{
	struct shype_slot *s;

	list_for_each_entry(s, &vm->slots, node)
		if (s->id == id)
			return s;
	return NULL;
}

static void drop_slot(struct shype_slot *s)
{
	lockdep_assert_held(&shype_lock);
	list_del(&s->node);
	hash_del_rcu(&s->mm_node);
	kfree_rcu(s, rcu);
}

/**
 * shype_memslot_vm_release() - forget the slots of a VM that goes away,
 *	and the bindings of any VM to its vCPUs' pages; under shype_lock
 * @vm: the VM
 */
void shype_memslot_vm_release(struct shype_vm *vm)
{
	struct shype_slot *s, *tmp;

	list_for_each_entry_safe(s, tmp, &vm->slots, node)
		drop_slot(s);
	shype_bind_kvm_release(vm->kvm); /* its vCPUs, behind any slot */
}

/*
 * Is @file /dev/zero (or another node of its device number)?  Its
 * mappings are anonymous memory (private ones, and shared ones of a
 * read-only /dev/zero), or get a file of their own from shmem_zero_setup()
 * (shared writable ones): a VMA never shows /dev/zero's own pages.
 */
static bool dev_zero(const struct file *file)
{
	const struct inode *inode = file_inode(file);

	return S_ISCHR(inode->i_mode) && inode->i_rdev == MKDEV(MEM_MAJOR, 5);
}

/*
 * Is a mapping of @file one whose file is bound?  Any file mapping but
 * /dev/zero's, private ones too: they read the file's pages until they
 * are copied on write.
 */
static bool bindable(const struct file *file)
{
	return file && !dev_zero(file);
}

/*
 * Is @file a vCPU's (its kvm_run, pio and ring pages)?  KVM's file
 * operations are looked up each time: they are needed only for the rare
 * anonymous-inode file behind a memslot, and the kvm module may have been
 * loaded after shype.
 */
static bool vcpu_file(const struct file *file)
{
	return file_inode(file)->i_sb->s_magic == ANON_INODE_FS_MAGIC &&
	       (unsigned long)file->f_op ==
		       shype_lookup_name("kvm:kvm_vcpu_fops");
}

/*
 * May @vm have the pages of a vCPU of @owner (NULL: a VM shype does not
 * know) behind a memslot?  The vCPU's own VM reads and writes them: @vm
 * must share a type with it, as if it were bound to them.  Under
 * shype_lock.
 */
static int judge_vcpu(const struct shype_vm *vm, enum shype_op op,
		      const struct shype_vm *owner)
{
	struct shype_active *a = shype_active_locked();
	u64 start = shype_stat_start();

	if (!a || !vm || owner == vm)
		return 0; /* shype_bind_vcpu() judges an unknown @vm */
	if (owner && shype_ste_share(&a->pol, vm->idx, owner->idx))
		return 0; /* counted with the file's decision */
	if (owner)
		shype_deny(op, vm, "reason=ste peer=%llu(%s) class=vcpu",
			   owner->id, shype_vm_label(owner));
	else
		shype_deny(op, vm, "reason=unknown_vm peer=- class=vcpu");
	return shype_verdict(op, -EACCES, start);
}

/* Decide and record @vm's binding to @file behind @slot; under shype_lock. */
static int bind_file(struct shype_vm *vm, enum shype_op op, struct file *file,
		     const char *path, u32 slot, u64 token)
{
	const struct kvm_vcpu *vcpu = file->private_data;
	struct shype_vm *owner;
	int err;

	if (!vcpu_file(file))
		return shype_bind_file(vm, op, file, path, slot, token);
	owner = shype_vm_find(vcpu->kvm);
	err = judge_vcpu(vm, op, owner);
	/* Not recorded for an unknown VM, whose end shype would not see. */
	if (err || !owner)
		return err;
	return shype_bind_vcpu(vm, op, file, vcpu->kvm, path, slot, token);
}

/**
 * struct path_buf - room for a file's path: on the caller's stack for any
 *	path that a policy can name, else a names buffer of PATH_MAX
 * @page: the names buffer once needed, freed by put_path_buf()
 * @name: the path, if it fits
 *
 * Not a names buffer for every file: it is zeroed on allocation (on
 * Debian's init_on_alloc kernels), 4 KiB for each memslot, which cost more
 * than the rest of the hook did.
 */
struct path_buf {
	char *page;
	char name[SHYPE_RESOURCE_NAME_MAX + 1];
};

/*
 * The path of @file in @pb, as the bindings file shows it and a policy's
 * shm: paths name it; "-" if it has none.
 * Return: the path, or ERR_PTR(-ENOMEM).
 */
static const char *path_of(const struct file *file, struct path_buf *pb)
{
	const char *path = d_path(&file->f_path, pb->name, sizeof(pb->name));

	if (path == ERR_PTR(-ENAMETOOLONG)) {
		if (!pb->page)
			pb->page = __getname();
		if (!pb->page)
			return ERR_PTR(-ENOMEM);
		path = d_path(&file->f_path, pb->page, PATH_MAX);
	}
	return IS_ERR(path) ? "-" : path;
}

static void put_path_buf(struct path_buf *pb)
{
	if (pb->page)
		__putname(pb->page);
}

/*
 * Bind the file of each file mapping of @mm in [@start, @end) to @vm's
 * slot @id.  Under mmap_lock.
 */
static int bind_range(struct shype_vm *vm, struct mm_struct *mm, u32 id,
		      unsigned long start, unsigned long end, u64 token,
		      struct path_buf *pb)
{
	struct vm_area_struct *vma;
	const char *path;
	int err = 0;

	VMA_ITERATOR(vmi, mm, start);

	for_each_vma_range(vmi, vma, end) {
		if (!bindable(vma->vm_file))
			continue;
		path = path_of(vma->vm_file, pb);
		if (IS_ERR(path))
			return PTR_ERR(path);
		mutex_lock(&shype_lock);
		err = bind_file(vm, SHYPE_OP_MEMSLOT, vma->vm_file, path, id,
				token);
		mutex_unlock(&shype_lock);
		if (err)
			break;
	}
	return err;
}

/*
 * Since Linux 6.8 KVM takes a kvm_userspace_memory_region2, whose first
 * fields are those of the older struct.
 */
#ifdef KVM_SET_USER_MEMORY_REGION2
#define kvm_region kvm_userspace_memory_region2
#else
#define kvm_region kvm_userspace_memory_region
#endif

/*
 * Record the range of the slot @mem of @kvm (a new one, or one being moved
 * or changed) and bind the files behind it.  *@added says whether the
 * range is new.
 */
static int memslot_begin(struct kvm *kvm, const struct kvm_region *mem,
			 u64 token, bool *added)
{
	unsigned long start = mem->userspace_addr;
	struct shype_slot *fresh;
	struct mm_struct *mm = current->mm;
	struct shype_vm *vm;
	struct path_buf pb;
	int err;

	*added = false;
	/* KVM refuses these itself; there is no range to walk. */
	if (start + mem->memory_size < start || !PAGE_ALIGNED(start) ||
	    !PAGE_ALIGNED(mem->memory_size))
		return 0;
	if (mm != kvm->mm)
		return -EACCES;
	/* Under mmap_lock, labelled paths are looked up in the cache only. */
	shype_names_resolve();

	fresh = kzalloc(sizeof(*fresh), GFP_KERNEL_ACCOUNT);
	if (!fresh)
		return -ENOMEM;
	mutex_lock(&shype_lock);
	vm = shype_vm_find(kvm);
	if (vm && !find_slot(vm, mem->slot)) {
		fresh->id = mem->slot;
		fresh->start = start;
		fresh->end = start + mem->memory_size;
		add_slot(vm, fresh);
		fresh = NULL;
		*added = true;
	}
	mutex_unlock(&shype_lock);

	pb.page = NULL;
	mmap_read_lock(mm);
	err = bind_range(vm, mm, mem->slot, start, start + mem->memory_size,
			 token, &pb);
	mmap_read_unlock(mm);
	put_path_buf(&pb);
	kfree(fresh);
	return err;
}

/* Commit or roll back what memslot_begin() did. */
static void memslot_end(struct kvm *kvm, u32 id, u64 token, bool added, int ret)
{
	struct shype_slot *s;
	struct shype_vm *vm;

	mutex_lock(&shype_lock);
	vm = shype_vm_find(kvm);
	if (vm) {
		shype_bind_token_end(vm, token, !ret, NULL, 0);
		s = find_slot(vm, id);
		if (s && added && ret)
			drop_slot(s);
	}
	mutex_unlock(&shype_lock);
}

/* A deleted slot: its files are free again. */
static void memslot_delete(struct kvm *kvm, u32 id)
{
	struct shype_slot *s;
	struct shype_vm *vm;

	mutex_lock(&shype_lock);
	vm = shype_vm_find(kvm);
	s = vm ? find_slot(vm, id) : NULL;
	if (s) {
		shype_bind_slot_release(vm, id);
		drop_slot(s);
	}
	mutex_unlock(&shype_lock);
}

typedef int set_region_fn(struct kvm *kvm, const struct kvm_region *mem);
static set_region_fn *orig___kvm_set_memory_region;

static int hook___kvm_set_memory_region(struct kvm *kvm,
					const struct kvm_region *mem)
{
	u64 token = shype_bind_token();
	bool added;
	int ret;

	if (!mem->memory_size) {
		ret = orig___kvm_set_memory_region(kvm, mem);
		if (!ret)
			memslot_delete(kvm, mem->slot);
		return ret;
	}
	ret = memslot_begin(kvm, mem, token, &added);
	if (!ret)
		ret = orig___kvm_set_memory_region(kvm, mem);
	memslot_end(kvm, mem->slot, token, added, ret);
	return ret;
}

static struct shype_hook memslot_hooks[] = {
	SHYPE_HOOK("kvm", __kvm_set_memory_region),
};

const struct shype_hook_table shype_memslot_table = {
	.hooks = memslot_hooks,
	.nr = ARRAY_SIZE(memslot_hooks),
};

/* Commit or roll back the bindings made by remap_begin(); under shype_lock. */
static void remap_end_locked(struct mm_struct *mm, u64 token, bool commit)
{
	struct shype_vm *vm;

	list_for_each_entry(vm, &shype_vms, list)
		if (vm->mm == mm)
			shype_bind_token_end(vm, token, commit, NULL, 0);
}

static void remap_end(struct mm_struct *mm, u64 token, bool commit)
{
	mutex_lock(&shype_lock);
	remap_end_locked(mm, token, commit);
	mutex_unlock(&shype_lock);
}

/*
 * A mapping of @file over [@start, @end) in @mm is being made: bind it to
 * every slot of @mm's VMs that it overlaps.  Under mmap_lock.
 */
static int remap_begin(struct mm_struct *mm, struct file *file,
		       unsigned long start, unsigned long end, u64 token)
{
	struct shype_slot *s;
	struct shype_vm *vm;
	struct path_buf pb;
	const char *path;
	int err = 0;

	pb.page = NULL;
	path = path_of(file, &pb);
	if (IS_ERR(path))
		return PTR_ERR(path);
	mutex_lock(&shype_lock);
	list_for_each_entry(vm, &shype_vms, list) {
		if (vm->mm != mm)
			continue;
		list_for_each_entry(s, &vm->slots, node) {
			if (s->end <= start || end <= s->start)
				continue;
			err = bind_file(vm, SHYPE_OP_REMAP, file, path, s->id,
					token);
			if (err)
				goto out;
		}
	}
out:
	if (err)
		remap_end_locked(mm, token, false);
	mutex_unlock(&shype_lock);
	put_path_buf(&pb);
	return err;
}

/*
 * Is a mapping of @file over [@start, @end) in @mm one to check?
 * Anonymous memory costs one test; other mappings, an RCU lookup.
 */
static bool watched(const struct mm_struct *mm, const struct file *file,
		    unsigned long start, unsigned long end)
{
	return bindable(file) && over_slot(mm, start, end);
}

static unsigned long (*orig_mmap_region)(struct file *file, unsigned long addr,
					 unsigned long len, vm_flags_t vm_flags,
					 unsigned long pgoff,
					 struct list_head *uf);

/*
 * Shared anonymous memory over a slot: its file, made by shmem_zero_setup()
 * inside mmap_region(), is bound there, by the operation this context
 * names.
 */
static unsigned long mmap_shared_anon(struct file *file, unsigned long addr,
				      unsigned long len, vm_flags_t vm_flags,
				      unsigned long pgoff, struct list_head *uf)
{
	struct mm_struct *mm = current->mm;
	struct shype_bind_ctx c;
	unsigned long ret;
	u64 token = shype_bind_token();

	shype_bind_begin_mm(&c, mm, SHYPE_OP_REMAP);
	c.token = token;
	ret = orig_mmap_region(file, addr, len, vm_flags, pgoff, uf);
	shype_bind_end(&c, IS_ERR_VALUE(ret) ? (long)ret : 0);
	remap_end(mm, token, !IS_ERR_VALUE(ret)); /* every VM of @mm */
	return ret;
}

static unsigned long hook_mmap_region(struct file *file, unsigned long addr,
				      unsigned long len, vm_flags_t vm_flags,
				      unsigned long pgoff, struct list_head *uf)
{
	struct mm_struct *mm = current->mm;
	unsigned long ret;
	u64 token;
	int err;

	if ((!file || dev_zero(file)) && (vm_flags & VM_SHARED) &&
	    over_slot(mm, addr, addr + len))
		return mmap_shared_anon(file, addr, len, vm_flags, pgoff, uf);
	if (!watched(mm, file, addr, addr + len))
		return orig_mmap_region(file, addr, len, vm_flags, pgoff, uf);
	token = shype_bind_token();
	err = remap_begin(mm, file, addr, addr + len, token);
	if (err)
		return err;
	ret = orig_mmap_region(file, addr, len, vm_flags, pgoff, uf);
	remap_end(mm, token, !IS_ERR_VALUE(ret));
	return ret;
}

/*
 * mremap() moves a mapping to [@addr, @addr + @len): copy_vma() of Linux
 * 6.12.  Debian's 6.1 has one more argument, keep_source (from the stable
 * series).  The two are told apart by the rest of their mm: 6.1 has
 * __vma_adjust(), 6.12 vma_merge_extend().
 */
static struct vm_area_struct *(*orig_copy_vma)(struct vm_area_struct **vmap,
					       unsigned long addr,
					       unsigned long len, pgoff_t pgoff,
					       bool *need_rmap_locks);

static struct vm_area_struct *hook_copy_vma(struct vm_area_struct **vmap,
					    unsigned long addr,
					    unsigned long len, pgoff_t pgoff,
					    bool *need_rmap_locks)
{
	struct vm_area_struct *vma = *vmap, *ret;
	struct mm_struct *mm = vma->vm_mm;
	u64 token;

	if (!watched(mm, vma->vm_file, addr, addr + len))
		return orig_copy_vma(vmap, addr, len, pgoff, need_rmap_locks);
	token = shype_bind_token();
	if (remap_begin(mm, vma->vm_file, addr, addr + len, token))
		return NULL; /* mremap() fails with ENOMEM */
	ret = orig_copy_vma(vmap, addr, len, pgoff, need_rmap_locks);
	remap_end(mm, token, ret);
	return ret;
}

typedef struct vm_area_struct *(copy_vma_keep_fn)(struct vm_area_struct **vmap,
						  unsigned long addr,
						  unsigned long len,
						  pgoff_t pgoff,
						  bool *need_rmap_locks,
						  bool keep_source);
static copy_vma_keep_fn *orig_copy_vma_keep;

static struct vm_area_struct *
hook_copy_vma_keep(struct vm_area_struct **vmap, unsigned long addr,
		   unsigned long len, pgoff_t pgoff, bool *need_rmap_locks,
		   bool keep_source)
{
	struct vm_area_struct *vma = *vmap, *ret;
	struct mm_struct *mm = vma->vm_mm;
	u64 token;

	if (!watched(mm, vma->vm_file, addr, addr + len))
		return orig_copy_vma_keep(vmap, addr, len, pgoff,
					  need_rmap_locks, keep_source);
	token = shype_bind_token();
	if (remap_begin(mm, vma->vm_file, addr, addr + len, token))
		return NULL; /* mremap() fails with ENOMEM */
	ret = orig_copy_vma_keep(vmap, addr, len, pgoff, need_rmap_locks,
				 keep_source);
	remap_end(mm, token, ret);
	return ret;
}

static int (*orig___vma_adjust)(struct vm_area_struct *vma, unsigned long start,
				unsigned long end, pgoff_t pgoff,
				struct vm_area_struct *insert,
				struct vm_area_struct *expand);

/*
 * Linux 6.1: @vma is to cover [@start, @end): mremap() growing it in place,
 * or a merge.  Shrinking a mapping already bound finds it bound, so never
 * fails here.
 */
static int hook___vma_adjust(struct vm_area_struct *vma, unsigned long start,
			     unsigned long end, pgoff_t pgoff,
			     struct vm_area_struct *insert,
			     struct vm_area_struct *expand)
{
	struct mm_struct *mm = vma->vm_mm;
	u64 token;
	int ret;

	if (!watched(mm, vma->vm_file, start, end))
		return orig___vma_adjust(vma, start, end, pgoff, insert,
					 expand);
	token = shype_bind_token();
	ret = remap_begin(mm, vma->vm_file, start, end, token);
	if (ret)
		return ret;
	ret = orig___vma_adjust(vma, start, end, pgoff, insert, expand);
	remap_end(mm, token, !ret);
	return ret;
}

typedef struct vm_area_struct *(merge_extend_fn)(struct vma_iterator *vmi,
						 struct vm_area_struct *vma,
						 unsigned long delta);
static merge_extend_fn *orig_vma_merge_extend;

/*
 * Linux 6.12: mremap() grows @vma in place by @delta, its only caller.
 * (Merges in 6.12 go through vma_merge_new_range() and vma_modify(); like
 * 6.1's, they only join mappings of one file that were each checked.)
 */
static struct vm_area_struct *hook_vma_merge_extend(struct vma_iterator *vmi,
						    struct vm_area_struct *vma,
						    unsigned long delta)
{
	struct mm_struct *mm = vma->vm_mm;
	struct vm_area_struct *ret;
	u64 token;

	if (!watched(mm, vma->vm_file, vma->vm_end, vma->vm_end + delta))
		return orig_vma_merge_extend(vmi, vma, delta);
	token = shype_bind_token();
	if (remap_begin(mm, vma->vm_file, vma->vm_end, vma->vm_end + delta,
			token))
		return NULL; /* mremap() fails with ENOMEM */
	ret = orig_vma_merge_extend(vmi, vma, delta);
	remap_end(mm, token, ret);
	return ret;
}

static int (*orig_shmem_zero_setup)(struct vm_area_struct *vma);

/*
 * Shared anonymous memory gets its file.  Within mmap_shared_anon(), bind
 * it to the slots it is mapped over.  On a denial mmap_region() frees @vma
 * without its file when it made the mapping itself (no file before), and
 * puts the file in @vma when a driver's mmap (/dev/zero's) called us.
 */
static int hook_shmem_zero_setup(struct vm_area_struct *vma)
{
	struct shype_bind_ctx *c = shype_bind_current();
	struct file *had = vma->vm_file;
	int err;

	err = orig_shmem_zero_setup(vma);
	if (err || !c || c->op != SHYPE_OP_REMAP || c->mm != vma->vm_mm)
		return err;
	err = remap_begin(vma->vm_mm, vma->vm_file, vma->vm_start, vma->vm_end,
			  c->token);
	if (err && !had) {
		fput(vma->vm_file);
		vma->vm_file = NULL;
	}
	return err;
}

#ifndef MFILL_ATOMIC_MODE_BITS
/*
 * fs/userfaultfd.c's own context as Linux 6.1 has it.  6.12's header has
 * it (moved there in 6.8, with map_changing_lock added) and the mfill
 * modes (6.5), which tell the two apart.  Only @mm is read, and only
 * compared.
 */
struct userfaultfd_ctx {
	wait_queue_head_t fault_pending_wqh;
	wait_queue_head_t fault_wqh;
	wait_queue_head_t fd_wqh;
	wait_queue_head_t event_wqh;
	seqcount_spinlock_t refile_seq;
	refcount_t refcount;
	unsigned int flags;
	unsigned int features;
	bool released;
	atomic_t mmap_changing;
	struct mm_struct *mm;
};
#endif

/*
 * May current act through the userfaultfd @file, which acts on the memory
 * of the process that made it?  Every VM of current's process must share
 * a type with every VM of that one.
 */
static int uffd_check(const struct file *file)
{
	const struct userfaultfd_ctx *ctx = file->private_data;
	const struct mm_struct *mm = READ_ONCE(ctx->mm);
	const struct shype_vm *vm, *peer = NULL;
	struct shype_active *a;
	bool seen = false;
	int err = 0;
	u64 start;

	if (mm == current->mm)
		return 0;
	mutex_lock(&shype_lock);
	start = shype_stat_start();
	a = shype_active_locked();
	list_for_each_entry(vm, &shype_vms, list) {
		if (!a || vm->mm != current->mm)
			continue;
		list_for_each_entry(peer, &shype_vms, list) {
			if (peer->mm != mm)
				continue;
			seen = true;
			if (!shype_ste_share(&a->pol, vm->idx, peer->idx))
				goto denied;
		}
	}
	if (seen)
		shype_verdict(SHYPE_OP_USERFAULTFD, 0, start);
	mutex_unlock(&shype_lock);
	return 0;

denied:
	err = shype_deny(SHYPE_OP_USERFAULTFD, vm,
			 "reason=ste peer=%llu(%s) class=userfaultfd", peer->id,
			 shype_vm_label(peer));
	err = shype_verdict(SHYPE_OP_USERFAULTFD, err, start);
	mutex_unlock(&shype_lock);
	return err;
}

static long (*orig_userfaultfd_ioctl)(struct file *file, unsigned int cmd,
				      unsigned long arg);

static long hook_userfaultfd_ioctl(struct file *file, unsigned int cmd,
				   unsigned long arg)
{
	return uffd_check(file) ?: orig_userfaultfd_ioctl(file, cmd, arg);
}

/* read() of the faults: userfaultfd_read_iter() since Linux 6.10 */
static ssize_t (*orig_userfaultfd_read_iter)(struct kiocb *iocb,
					     struct iov_iter *to);

static ssize_t hook_userfaultfd_read_iter(struct kiocb *iocb,
					  struct iov_iter *to)
{
	int err = uffd_check(iocb->ki_filp);

	if (err)
		return err;
	return orig_userfaultfd_read_iter(iocb, to);
}

static ssize_t (*orig_userfaultfd_read)(struct file *file, char __user *buf,
					size_t count, loff_t *ppos);

static ssize_t hook_userfaultfd_read(struct file *file, char __user *buf,
				     size_t count, loff_t *ppos)
{
	int err = uffd_check(file);

	if (err)
		return err;
	return orig_userfaultfd_read(file, buf, count, ppos);
}

/* Sets of alternatives: 6.1's function first, then 6.12's. */
enum { MM_COPY_VMA = 1, MM_GROW_IN_PLACE, MM_UFFD_READ };

static struct shype_hook mm_hooks[] = {
	SHYPE_HOOK(NULL, mmap_region),
	SHYPE_HOOK(NULL, shmem_zero_setup),
	SHYPE_HOOK_ONE_OF(MM_COPY_VMA, NULL, copy_vma, hook_copy_vma_keep,
			  orig_copy_vma_keep, "__vma_adjust"),
	SHYPE_HOOK_ONE_OF(MM_COPY_VMA, NULL, copy_vma, hook_copy_vma,
			  orig_copy_vma, "vma_merge_extend"),
	SHYPE_HOOK_ONE_OF(MM_GROW_IN_PLACE, NULL, __vma_adjust,
			  hook___vma_adjust, orig___vma_adjust, NULL),
	SHYPE_HOOK_ONE_OF(MM_GROW_IN_PLACE, NULL, vma_merge_extend,
			  hook_vma_merge_extend, orig_vma_merge_extend, NULL),
	SHYPE_HOOK(NULL, userfaultfd_ioctl),
	SHYPE_HOOK_ONE_OF(MM_UFFD_READ, NULL, userfaultfd_read,
			  hook_userfaultfd_read, orig_userfaultfd_read, NULL),
	SHYPE_HOOK_ONE_OF(MM_UFFD_READ, NULL, userfaultfd_read_iter,
			  hook_userfaultfd_read_iter,
			  orig_userfaultfd_read_iter, NULL),
};

const struct shype_hook_table shype_mm_table = {
	.hooks = mm_hooks,
	.nr = ARRAY_SIZE(mm_hooks),
};
