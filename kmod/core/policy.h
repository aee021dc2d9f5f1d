/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kmod/core: validation of binary policies and the decisions made on them.
 *
 * Pure C shared by shype.ko, libshype, the unit tests and the fuzzers: what
 * user space tests is the kernel's own code.  Nothing here allocates, sleeps
 * or locks; callers own the memory and the locking.
 */
#ifndef SHYPE_CORE_POLICY_H
#define SHYPE_CORE_POLICY_H

#include "compat.h"

/**
 * enum shype_blob_error - why a blob was refused; each a distinct fault
 *
 * shype_policy_init() returns the negated value.  shype_blob_errno() maps
 * each to the errno the kernel returns for it.
 */
enum shype_blob_error {
	SHYPE_BLOB_OK = 0,
	SHYPE_BLOB_SHORT, /* shorter than a header */
	SHYPE_BLOB_TOO_LARGE, /* over SHYPE_POLICY_MAX_SIZE */
	SHYPE_BLOB_BAD_MAGIC,
	SHYPE_BLOB_BAD_ABI_VERSION, /* an ABI version we do not know */
	SHYPE_BLOB_BAD_HEADER_LEN,
	SHYPE_BLOB_BAD_TOTAL_LEN, /* total_len != buffer length */
	SHYPE_BLOB_RESERVED, /* a reserved field or padding not zero */
	SHYPE_BLOB_BAD_DIGEST,
	SHYPE_BLOB_BAD_POLICY_NAME,
	SHYPE_BLOB_BAD_VERSION, /* version number over SHYPE_VERSION_MAX */
	SHYPE_BLOB_LIMIT, /* a count over its limit */
	SHYPE_BLOB_BAD_SECTION, /* offset, size or order wrong */
	SHYPE_BLOB_BAD_NAME, /* a type or label name malformed */
	SHYPE_BLOB_UNSORTED, /* names unsorted or duplicated */
	SHYPE_BLOB_BAD_LABEL_FLAGS,
	SHYPE_BLOB_STRAY_BITS, /* a bitmap bit at or above its count */
	SHYPE_BLOB_EMPTY_LABEL, /* a label with no type */
	SHYPE_BLOB_BAD_CONFLICT_SET, /* fewer than two types */
	SHYPE_BLOB_SELF_CONFLICT, /* a label's own CHWALL types conflict */
	SHYPE_BLOB_RESOURCE_CHWALL, /* a resource label with CHWALL types */
	SHYPE_BLOB_BAD_RESOURCE, /* unknown kind, malformed name */
	SHYPE_BLOB_BAD_RESOURCE_LABEL, /* label index out of range */
	SHYPE_BLOB_BAD_UNLABELED, /* not a VM label nor DENY */
	SHYPE_BLOB_BAD_UNLABELED_FILES, /* not a SHYPE_FILES_* value */
	SHYPE_BLOB_NR_ERRORS
};

/**
 * struct shype_policy - a validated view of a blob; points into the blob,
 *	which must outlive it and must not change
 */
struct shype_policy {
	const u8 *blob;
	u32 len;
	u32 ste_types, chwall_types, labels, conflict_sets, resources;
	u32 ste_words, chwall_words;
	u32 unlabeled;
	u32 unlabeled_files;
	u32 version_major, version_minor;
	const char *name;
	const struct shype_name *ste_names;
	const struct shype_name *chwall_names;
	const struct shype_label *label;
	const __le64 *ste_bm; /* labels x ste_words */
	const __le64 *chwall_bm; /* labels x chwall_words */
	const __le64 *conflict_bm; /* conflict_sets x chwall_words */
	const struct shype_resource *resource;
};

/**
 * shype_policy_init() - validate a blob and set up a view of it
 * @p: the view to fill; untouched on failure
 * @blob: the blob, treated as hostile
 * @len: its length in bytes
 *
 * Return: 0, or a negated &enum shype_blob_error.
 */
int shype_policy_init(struct shype_policy *p, const void *blob, size_t len);

/**
 * shype_blob_strerror() - a short English description of a blob error
 * @err: an &enum shype_blob_error, negated or not
 */
const char *shype_blob_strerror(int err);

/**
 * shype_blob_errno() - the positive errno the kernel reports for @err:
 *	EPROTONOSUPPORT for an unknown ABI version, E2BIG for a limit,
 *	EBADMSG for any other malformation
 * @err: an &enum shype_blob_error, negated or not
 */
int shype_blob_errno(int err);

/**
 * shype_digest() - compute the digest a blob should carry
 * @blob: the blob, at least a header long
 * @len: its length
 * @out: SHYPE_DIGEST_SIZE bytes
 */
void shype_digest(const void *blob, size_t len, u8 *out);

/**
 * shype_name_valid() - is @s (@len bytes) a valid type, label or policy
 *	name: 1 to %SHYPE_NAME_MAX characters of [A-Za-z0-9_.-]
 */
bool shype_name_valid(const char *s, size_t len);

/**
 * shype_resource_name_valid() - is @s (@len bytes) a valid name for a
 *	resource of @kind: for %SHYPE_RES_SHM and %SHYPE_RES_FILE an absolute path of printable
 *	ASCII without spaces, at most %SHYPE_RESOURCE_NAME_MAX bytes; for
 *	%SHYPE_RES_NET an interface name of 1 to %SHYPE_NET_NAME_MAX
 *	characters of [A-Za-z0-9_.-], not "." or ".."; for %SHYPE_RES_VSOCK a
 *	guest CID in canonical decimal (no leading zero), 3 to 4294967294
 */
bool shype_resource_name_valid(u32 kind, const char *s, size_t len);

/** SHYPE_NOT_FOUND - returned by the lookups below. */
#define SHYPE_NOT_FOUND U32_MAX

/**
 * shype_label_find() - the index of a label by name (binary search)
 * @p: policy
 * @name: name, need not be NUL terminated
 * @len: its length
 *
 * Return: the index, or %SHYPE_NOT_FOUND.
 */
u32 shype_label_find(const struct shype_policy *p, const char *name,
		     size_t len);

/**
 * shype_resource_find() - the index of a labelled resource
 * @p: policy
 * @kind: an &enum shype_resource_kind
 * @name: its name (path, interface or decimal CID), NUL terminated
 *
 * Return: the index into @p->resource, or %SHYPE_NOT_FOUND.
 */
u32 shype_resource_find(const struct shype_policy *p, u32 kind,
			const char *name);

/**
 * shype_ste_share() - STE: may VMs (or a VM and a resource) of labels @a
 *	and @b share?  True when they have an STE type in common; false when
 *	either is not a label index of @p (%SHYPE_NOT_FOUND among them).
 *	O(ste_words), no allocation.
 */
bool shype_ste_share(const struct shype_policy *p, u32 a, u32 b);

/**
 * shype_ste_common() - the lowest STE type @a and @b share, or
 *	%SHYPE_NOT_FOUND (also when either is not a label index of @p)
 */
u32 shype_ste_common(const struct shype_policy *p, u32 a, u32 b);

/**
 * shype_label_is_vm() - is @l the index of a VM label of @p (not a
 *	resource label, not %SHYPE_NOT_FOUND nor any index past the labels)?
 */
bool shype_label_is_vm(const struct shype_policy *p, u32 l);

/**
 * shype_vm_label_index() - the label of a VM whose cgroup label is @name
 * @p: policy
 * @name: the label's name, need not be NUL terminated; may be NULL when
 *	@len is 0
 * @len: its length; 0 for an unlabelled VM
 *
 * A labelled VM has the VM label of its name; an unlabelled one the
 * policy's label for unlabelled VMs, unless the policy denies them.
 *
 * Return: the index of a VM label of @p, or %SHYPE_NOT_FOUND: @name is
 * not a VM label of @p (unknown, or a resource label), or @len is 0 and
 * @p denies unlabelled VMs.
 */
u32 shype_vm_label_index(const struct shype_policy *p, const char *name,
			 size_t len);

/**
 * SHYPE_LABEL_MISSING - returned by shype_resource_label() for a run-time
 *	label that the policy lacks: no VM may use such a resource
 */
#define SHYPE_LABEL_MISSING (SHYPE_NOT_FOUND - 1)

/**
 * shype_resource_label() - the label of a resource
 * @p: policy
 * @kind: an &enum shype_resource_kind
 * @name: its name (path, interface or decimal CID), NUL terminated; NULL
 *	when it has none
 * @runtime: the label it was given at run time (a shared file's), NUL
 *	terminated; NULL when it has none.  It overrides the policy's.
 *
 * Return: the index of the label of @p that the resource carries: its
 * run-time label, else the label the policy gives @kind:@name; else
 * %SHYPE_NOT_FOUND (an unlabelled resource, that any VM may use); or
 * %SHYPE_LABEL_MISSING when @runtime names no label of @p.
 */
u32 shype_resource_label(const struct shype_policy *p, u32 kind,
			 const char *name, const char *runtime);

/**
 * shype_resource_label_of() - as shype_resource_label(), for the resource
 *	of index @res in @p (%SHYPE_NOT_FOUND, or any value past the
 *	resources, for none): when the caller knows which resource an object
 *	is by other means than its name
 * @p: policy
 * @res: the resource's index
 * @runtime: the label it was given at run time, or NULL
 */
u32 shype_resource_label_of(const struct shype_policy *p, u32 res,
			    const char *runtime);

/**
 * shype_resource_ok() - may a VM of label @vm use a resource of label @res?
 * @p: policy
 * @vm: the VM's label index; any value
 * @res: a value of shype_resource_label()
 *
 * Return: true when @res is %SHYPE_NOT_FOUND (an unlabelled resource), or
 * when both are labels of @p with an STE type in common; false otherwise,
 * %SHYPE_LABEL_MISSING and any index past the labels included.
 */
bool shype_resource_ok(const struct shype_policy *p, u32 vm, u32 res);

/**
 * struct shype_chwall - Chinese Wall accounting of the running VMs, as Xen's
 *	ACM kept it: per type, the number of running VMs having it and the
 *	number of running VMs whose types conflict with it ("conflict
 *	aggregate"); and the bitmap of types whose aggregate is not zero.
 *	The caller provides the arrays, sized by shype_chwall_size().
 */
struct shype_chwall {
	u32 *running; /* chwall_types */
	u32 *aggregate; /* chwall_types */
	u64 *blocked; /* chwall_words */
};

/**
 * shype_chwall_size() - bytes needed for one &struct shype_chwall's arrays
 */
size_t shype_chwall_size(const struct shype_policy *p);

/**
 * shype_chwall_init() - point @st at @mem (shype_chwall_size() bytes,
 *	8-byte aligned) and clear it: no VM running
 */
void shype_chwall_init(const struct shype_policy *p, struct shype_chwall *st,
		       void *mem);

/**
 * shype_chwall_admit() - may a VM of label @label start now?
 *	O(chwall_words), no allocation.
 *
 * Return: %SHYPE_NOT_FOUND when admitted; else a CHWALL type of @label
 * that conflicts with a running VM's type.  A @label past the labels of
 * @p has no type, so %SHYPE_NOT_FOUND too: shype_create_decide() refuses
 * such a label before it asks.
 */
u32 shype_chwall_admit(const struct shype_policy *p,
		       const struct shype_chwall *st, u32 label);

/**
 * shype_chwall_culprit() - for a denial of @label on its type @type, a
 *	running type in conflict with it, for the explanation
 *
 * Return: a CHWALL type index, or %SHYPE_NOT_FOUND (also when @label or
 * @type is out of range).
 */
u32 shype_chwall_culprit(const struct shype_policy *p,
			 const struct shype_chwall *st, u32 label, u32 type);

/**
 * shype_chwall_add() - account a VM of @label as running; call only after
 *	shype_chwall_admit() admitted it, or when rebuilding the state of a
 *	new policy (then check shype_chwall_admit() first to find violations).
 *	A @label past the labels of @p is not accounted.
 */
void shype_chwall_add(const struct shype_policy *p, struct shype_chwall *st,
		      u32 label);

/**
 * shype_chwall_remove() - undo shype_chwall_add() for a VM that stopped;
 *	a @label past the labels of @p is ignored
 */
void shype_chwall_remove(const struct shype_policy *p, struct shype_chwall *st,
			 u32 label);

/**
 * enum shype_create_reason - why a VM may not be created; the words are
 *	those of the kernel's audit lines (shype_create_reason_name())
 * @SHYPE_CREATE_OK: it may
 * @SHYPE_CREATE_UNLABELED: it has no label and the policy denies such VMs
 * @SHYPE_CREATE_UNKNOWN_LABEL: its label is not a VM label of the policy
 * @SHYPE_CREATE_PROCESS_LABEL: another VM of its process has another label
 * @SHYPE_CREATE_CHINESE_WALL: one of its Chinese Wall types conflicts with
 *	a type of a running VM
 * @SHYPE_CREATE_NR_REASONS: the number of values
 */
enum shype_create_reason {
	SHYPE_CREATE_OK = 0,
	SHYPE_CREATE_UNLABELED,
	SHYPE_CREATE_UNKNOWN_LABEL,
	SHYPE_CREATE_PROCESS_LABEL,
	SHYPE_CREATE_CHINESE_WALL,
	SHYPE_CREATE_NR_REASONS
};

/**
 * struct shype_create_verdict - the decision on a VM's creation
 * @reason: %SHYPE_CREATE_OK, or why not
 * @label: the VM's label index, also when denied for
 *	%SHYPE_CREATE_PROCESS_LABEL or %SHYPE_CREATE_CHINESE_WALL; else
 *	%SHYPE_NOT_FOUND
 * @type: for %SHYPE_CREATE_CHINESE_WALL, the VM's Chinese Wall type in
 *	conflict; else %SHYPE_NOT_FOUND
 * @culprit: for %SHYPE_CREATE_CHINESE_WALL, a running type it conflicts
 *	with (the lowest), or %SHYPE_NOT_FOUND when none can be named
 *
 * Every index in a verdict is %SHYPE_NOT_FOUND or within its policy.
 */
struct shype_create_verdict {
	enum shype_create_reason reason;
	u32 label;
	u32 type;
	u32 culprit;
};

/**
 * shype_create_decide() - may a VM be created now?
 * @p: policy
 * @st: the Chinese Wall state of the running VMs under @p
 * @name: the VM's label name (need not be NUL terminated)
 * @len: its length; 0 for an unlabelled VM
 * @sibling: the label index (any value) of another VM of the same process,
 *	which must have the same label; NULL when the process has none
 * @v: the verdict
 *
 * The rules are applied in this order: the label (%SHYPE_CREATE_UNLABELED,
 * %SHYPE_CREATE_UNKNOWN_LABEL), the process's label, the Chinese Wall.
 * O(chwall_words) and a label lookup; no allocation.
 */
void shype_create_decide(const struct shype_policy *p,
			 const struct shype_chwall *st, const char *name,
			 size_t len, const u32 *sibling,
			 struct shype_create_verdict *v);

/**
 * shype_create_reason_name() - the audit word of @reason ("unlabeled",
 *	"unknown_label", "process_label", "chinese_wall"; "ok"; "?" for a
 *	value out of the enum)
 */
const char *shype_create_reason_name(enum shype_create_reason reason);

/**
 * enum shype_file_reason - the decision on a labelled VMM's open of a file;
 *	the words are those of the kernel's audit lines
 *	(shype_file_reason_name())
 * @SHYPE_FILE_OK: it may
 * @SHYPE_FILE_LABEL: it may, and the unlabelled file it opens for writing
 *	becomes the VMM's (%SHYPE_FILES_LABEL)
 * @SHYPE_FILE_STE: the file's label shares no STE type with the VMM's
 * @SHYPE_FILE_UNKNOWN_LABEL: the file's label is not a label of the policy
 * @SHYPE_FILE_UNKNOWN_OPENER: the file is labelled, or is to be labelled,
 *	and the VMM's label is not a VM label of the policy
 * @SHYPE_FILE_UNLABELED: a write of an unlabelled file, which the policy
 *	denies (%SHYPE_FILES_DENY)
 * @SHYPE_FILE_NR_REASONS: the number of values
 */
enum shype_file_reason {
	SHYPE_FILE_OK = 0,
	SHYPE_FILE_LABEL,
	SHYPE_FILE_STE,
	SHYPE_FILE_UNKNOWN_LABEL,
	SHYPE_FILE_UNKNOWN_OPENER,
	SHYPE_FILE_UNLABELED,
	SHYPE_FILE_NR_REASONS
};

/**
 * shype_file_decide() - may a labelled VMM open a file?
 * @p: policy
 * @vm: the VMM's label index (shype_vm_label_index()); any value
 * @file: the file's label: an index of @p (shype_resource_label_of() of
 *	its %SHYPE_XATTR), %SHYPE_NOT_FOUND when it has none, or
 *	%SHYPE_LABEL_MISSING; any value
 * @write: the file is opened for writing (or truncated)
 *
 * A labelled file may be opened, for reading or writing, by a VMM whose
 * label shares an STE type with it.  An unlabelled file may always be
 * read; writing it is decided by @p->unlabeled_files.
 *
 * Return: %SHYPE_FILE_OK or %SHYPE_FILE_LABEL when allowed, else why not.
 */
enum shype_file_reason shype_file_decide(const struct shype_policy *p, u32 vm,
					 u32 file, bool write);

/**
 * shype_file_reason_name() - the audit word of @reason ("ste",
 *	"unknown_label", "unknown_opener", "unlabeled"; "ok", "label"; "?"
 *	for a value out of the enum)
 */
const char *shype_file_reason_name(enum shype_file_reason reason);

/* Bitmap rows of one label or conflict set. */
static inline const __le64 *shype_ste_row(const struct shype_policy *p, u32 l)
{
	return p->ste_bm + (size_t)l * p->ste_words;
}

static inline const __le64 *shype_chwall_row(const struct shype_policy *p,
					     u32 l)
{
	return p->chwall_bm + (size_t)l * p->chwall_words;
}

static inline const __le64 *shype_conflict_row(const struct shype_policy *p,
					       u32 s)
{
	return p->conflict_bm + (size_t)s * p->chwall_words;
}

static inline bool shype_bit(const __le64 *row, u32 bit)
{
	return (le64_to_cpu(row[bit / 64]) >> (bit % 64)) & 1;
}

#endif /* SHYPE_CORE_POLICY_H */
