// SPDX-License-Identifier: GPL-2.0
/*
 * Shared memory: the files behind memslots.
 *
 * A memslot maps guest memory to a range of its VMM process's address
 * space.  Every file mapped shared into that range (memfd, tmpfs and
 * /dev/shm, hugetlbfs, shared anonymous memory) is bound to the VM: it is
 * checked in __kvm_set_memory_region(), on the VMAs as they are when KVM
 * takes the slot.
 *
 * KVM keeps only the user address, so a later mmap(), mremap() or
 * MAP_FIXED in the process can put another file behind the slot.  Shared
 * file mappings that a process with memslots makes over one of their
 * ranges are therefore checked too, in mmap_region() (new mappings),
 * copy_vma() (mremap() moves) and the function that grows a mapping in
 * place for mremap(): __vma_adjust() in Linux 6.1, vma_merge_extend() in
 * 6.12.  (6.1's __vma_adjust() also does merges and splits; a merge only
 * joins mappings of one file that were each checked already.)  A slot's
 * range is recorded before its VMAs are walked, and the
 * walk holds mmap_lock: a mapping is made either before the walk, which
 * sees it, or after the range is recorded, which the mm hooks see.
 *
 * Lock order: kvm->slots_lock, mmap_lock, shype_lock.
 */
#define pr_fmt(fmt) "shype: " fmt

#include <linux/kvm_host.h>
#include <linux/mm.h>
#include <linux/slab.h>

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

static bool mm_has_slots(const struct mm_struct *mm)
{
	struct shype_slot *s;
	bool found = false;

	rcu_read_lock();
	hash_for_each_possible_rcu(slot_mms, s, mm_node, (unsigned long)mm) {
		if (s->mm == mm) {
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
 * shype_memslot_vm_release() - forget the slots of a VM that goes away;
 *	under shype_lock
 * @vm: the VM
 */
void shype_memslot_vm_release(struct shype_vm *vm)
{
	struct shype_slot *s, *tmp;

	list_for_each_entry_safe(s, tmp, &vm->slots, node)
		drop_slot(s);
}

/* Is @vma a shared mapping of a file, which another process may map? */
static bool shared_file(const struct vm_area_struct *vma)
{
	return vma->vm_file && (vma->vm_flags & VM_MAYSHARE);
}

/*
 * Bind the file of each shared mapping of @mm in [@start, @end) to @vm's
 * slot @id.  Under mmap_lock.
 */
static int bind_range(struct shype_vm *vm, struct mm_struct *mm, u32 id,
		      unsigned long start, unsigned long end, u64 token,
		      char *buf)
{
	struct vm_area_struct *vma;
	const char *path;
	int err = 0;

	VMA_ITERATOR(vmi, mm, start);

	for_each_vma_range(vmi, vma, end) {
		if (!shared_file(vma))
			continue;
		path = d_path(&vma->vm_file->f_path, buf, PATH_MAX);
		if (IS_ERR(path))
			path = "-";
		mutex_lock(&shype_lock);
		err = shype_bind_file(vm, SHYPE_OP_MEMSLOT, vma->vm_file, path,
				      id, token);
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
	char *buf;
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
	buf = __getname();
	if (!fresh || !buf) {
		err = -ENOMEM;
		goto out;
	}
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

	mmap_read_lock(mm);
	err = bind_range(vm, mm, mem->slot, start, start + mem->memory_size,
			 token, buf);
	mmap_read_unlock(mm);
out:
	if (buf)
		__putname(buf);
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
 * A shared mapping of @file over [@start, @end) in @mm is being made: bind
 * it to every slot of @mm's VMs that it overlaps.  Under mmap_lock.
 */
static int remap_begin(struct mm_struct *mm, struct file *file,
		       unsigned long start, unsigned long end, u64 token)
{
	struct shype_slot *s;
	struct shype_vm *vm;
	const char *path;
	char *buf;
	int err = 0;

	buf = __getname();
	if (!buf)
		return -ENOMEM;
	path = d_path(&file->f_path, buf, PATH_MAX);
	if (IS_ERR(path))
		path = "-";
	mutex_lock(&shype_lock);
	list_for_each_entry(vm, &shype_vms, list) {
		if (vm->mm != mm)
			continue;
		list_for_each_entry(s, &vm->slots, node) {
			if (s->end <= start || end <= s->start)
				continue;
			err = shype_bind_file(vm, SHYPE_OP_REMAP, file, path,
					      s->id, token);
			if (err)
				goto out;
		}
	}
out:
	if (err)
		remap_end_locked(mm, token, false);
	mutex_unlock(&shype_lock);
	__putname(buf);
	return err;
}

/* Is a mapping of @file with @vm_flags in @mm one to check? */
static bool watched(const struct mm_struct *mm, const struct file *file,
		    unsigned long vm_flags)
{
	return file && (vm_flags & VM_MAYSHARE) && mm_has_slots(mm);
}

static unsigned long (*orig_mmap_region)(struct file *file, unsigned long addr,
					 unsigned long len, vm_flags_t vm_flags,
					 unsigned long pgoff,
					 struct list_head *uf);

static unsigned long hook_mmap_region(struct file *file, unsigned long addr,
				      unsigned long len, vm_flags_t vm_flags,
				      unsigned long pgoff, struct list_head *uf)
{
	struct mm_struct *mm = current->mm;
	unsigned long ret;
	u64 token;
	int err;

	if (!watched(mm, file, vm_flags))
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

	if (!watched(mm, vma->vm_file, vma->vm_flags))
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

	if (!watched(mm, vma->vm_file, vma->vm_flags))
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

	if (!watched(mm, vma->vm_file, vma->vm_flags))
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

	if (!watched(mm, vma->vm_file, vma->vm_flags))
		return orig_vma_merge_extend(vmi, vma, delta);
	token = shype_bind_token();
	if (remap_begin(mm, vma->vm_file, vma->vm_end, vma->vm_end + delta,
			token))
		return NULL; /* mremap() fails with ENOMEM */
	ret = orig_vma_merge_extend(vmi, vma, delta);
	remap_end(mm, token, ret);
	return ret;
}

/* Sets of alternatives: 6.1's function first, then 6.12's. */
enum { MM_COPY_VMA = 1, MM_GROW_IN_PLACE };

static struct shype_hook mm_hooks[] = {
	SHYPE_HOOK(NULL, mmap_region),
	SHYPE_HOOK_ONE_OF(MM_COPY_VMA, NULL, copy_vma, hook_copy_vma_keep,
			  orig_copy_vma_keep, "__vma_adjust"),
	SHYPE_HOOK_ONE_OF(MM_COPY_VMA, NULL, copy_vma, hook_copy_vma,
			  orig_copy_vma, "vma_merge_extend"),
	SHYPE_HOOK_ONE_OF(MM_GROW_IN_PLACE, NULL, __vma_adjust,
			  hook___vma_adjust, orig___vma_adjust, NULL),
	SHYPE_HOOK_ONE_OF(MM_GROW_IN_PLACE, NULL, vma_merge_extend,
			  hook_vma_merge_extend, orig_vma_merge_extend, NULL),
};

const struct shype_hook_table shype_mm_table = {
	.hooks = mm_hooks,
	.nr = ARRAY_SIZE(mm_hooks),
};
