/* SPDX-License-Identifier: LGPL-2.1 */
/*
 * libshype - the user-space library of shype: policy sources (JSON) to
 * models to binary blobs and back, and the decisions of kmod/core on them.
 *
 * libshype never prints.  Functions that can fail return 0 or a negative
 * errno from the set each documents, and fill a struct shype_error (or a
 * list of them) that says what and where.
 */
#ifndef LIBSHYPE_SHYPE_H
#define LIBSHYPE_SHYPE_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../kmod/core/policy.h"

/*
 * --- libvirt ---
 *
 * A libvirt domain's label is one element of its <metadata>:
 *
 *	<shype:label xmlns:shype="urn:shype:libvirt:1">order</shype:label>
 *
 * and the domain runs in the resource partition of that label,
 * <resource><partition>/machine/shype-order</partition></resource>,
 * whose cgroup is labelled "order": the kernel takes a VM's label from the
 * cgroup its QEMU runs in.
 */

/** SHYPE_LIBVIRT_NS - namespace URI of shype's libvirt domain metadata. */
#define SHYPE_LIBVIRT_NS "urn:shype:libvirt:1"
/** SHYPE_LIBVIRT_PREFIX - the namespace prefix (virDomainSetMetadata's key). */
#define SHYPE_LIBVIRT_PREFIX "shype"
/** SHYPE_LIBVIRT_ELEMENT - the element's local name. */
#define SHYPE_LIBVIRT_ELEMENT "label"
/**
 * SHYPE_LIBVIRT_POLICY_NS - namespace URI of the live metadata that names
 *	the policy a running domain's host enforces, which shype-daemon keeps:
 *	<shypepolicy:policy xmlns:shypepolicy="urn:shype:libvirt:policy:1"
 *	name="figure2" version="1.0" digest="SHA-256 in hex"/>.  It travels
 *	with the live XML of a migration, a save and a managed save, and the
 *	receiving host's hook compares it with its own policy.
 */
#define SHYPE_LIBVIRT_POLICY_NS "urn:shype:libvirt:policy:1"
/** SHYPE_LIBVIRT_POLICY_PREFIX - its prefix (virDomainSetMetadata's key). */
#define SHYPE_LIBVIRT_POLICY_PREFIX "shypepolicy"
/** SHYPE_LIBVIRT_POLICY_ELEMENT - its element's local name. */
#define SHYPE_LIBVIRT_POLICY_ELEMENT "policy"
/** SHYPE_LIBVIRT_PARTITION_PREFIX - a label's partition, less the label. */
#define SHYPE_LIBVIRT_PARTITION_PREFIX "/machine/shype-"

/**
 * shype_libvirt_metadata() - the metadata element of @label, as
 *	virDomainSetMetadata() takes it with key %SHYPE_LIBVIRT_PREFIX and URI
 *	%SHYPE_LIBVIRT_NS: "<label>order</label>"
 * @label: a label name
 * @out: the element
 * @size: size of @out
 *
 * Return: 0; -EINVAL for a malformed name; -ENAMETOOLONG.
 */
int shype_libvirt_metadata(const char *label, char *out, size_t size);

/**
 * shype_libvirt_partition() - the resource partition of @label:
 *	"/machine/shype-LABEL"
 *
 * Return: 0; -EINVAL for a malformed name; -ENAMETOOLONG.
 */
int shype_libvirt_partition(const char *label, char *out, size_t size);

/**
 * shype_libvirt_partition_label() - the label whose partition @partition
 *	is, or NULL when it is none of shype's
 */
const char *shype_libvirt_partition_label(const char *partition);

/**
 * shype_libvirt_partition_cgroup() - the cgroup of a libvirt resource
 *	partition, as a path from the cgroup v2 root
 * @partition: e.g. "/machine/shype-order"
 * @systemd: libvirt places VMs through systemd-machined: each component
 *	is a slice ("/machine.slice/machine-shype\x2dorder.slice"); else
 *	libvirt's own layout ("/machine/shype-order.partition")
 * @out: the path
 * @size: size of @out
 *
 * Return: 0; -EINVAL for a partition that is not an absolute path of
 * components without spaces, control characters, "." or ".."; -ENAMETOOLONG.
 */
int shype_libvirt_partition_cgroup(const char *partition, bool systemd,
				   char *out, size_t size);

/**
 * struct shype_error - one mistake, with its place in a source file
 * @file: the file's name as given (not owned)
 * @line: 1-based line, 0 when the error has no place
 * @col: 1-based column in characters (UTF-8 code points), 0 likewise
 * @msg: the message, without file or position
 */
struct shype_error {
	const char *file;
	unsigned int line;
	unsigned int col;
	char msg[512];
};

/**
 * struct shype_errors - every mistake found in one source file, in the
 *	order of their position
 */
struct shype_errors {
	struct shype_error *v;
	size_t n;
};

/** shype_errors_free() - free the list (not the struct itself). */
void shype_errors_free(struct shype_errors *e);

/**
 * struct shype_model_label - a label in a model
 * @name: its name
 * @resource: true for a resource label, false for a VM label
 * @ste: indices into &shype_model.ste_types, ascending, no duplicates
 * @n_ste: how many
 * @chwall: indices into &shype_model.chwall_types, ascending
 * @n_chwall: how many (0 for a resource label)
 */
struct shype_model_label {
	char *name;
	bool resource;
	unsigned int *ste;
	size_t n_ste;
	unsigned int *chwall;
	size_t n_chwall;
};

/**
 * struct shype_model_conflict_set - Chinese Wall types that conflict
 * @types: indices into &shype_model.chwall_types, ascending
 * @n: how many (at least two)
 */
struct shype_model_conflict_set {
	unsigned int *types;
	size_t n;
};

/**
 * struct shype_model_resource - a labelled resource
 * @kind: an &enum shype_resource_kind
 * @name: its name without the "kind:" prefix
 * @label: index into &shype_model.labels
 */
struct shype_model_resource {
	unsigned int kind;
	char *name;
	unsigned int label;
};

/**
 * struct shype_model - a policy as the library handles it: the result of
 *	parsing a source or decoding a blob.  Every array is sorted as in the
 *	blob (names by strcmp, resources by kind then name; conflict sets by
 *	their type lists), so two models of one policy compare equal.
 * @unlabeled: index of the label for unlabelled VMs, or -1 for deny
 * @unlabeled_files: what a labelled VMM's write of an unlabelled file does:
 *	%SHYPE_FILES_LABEL (the default), %SHYPE_FILES_ALLOW or
 *	%SHYPE_FILES_DENY
 */
struct shype_model {
	char *name;
	unsigned int version_major;
	unsigned int version_minor;
	char **ste_types;
	size_t n_ste_types;
	char **chwall_types;
	size_t n_chwall_types;
	struct shype_model_conflict_set *sets;
	size_t n_sets;
	struct shype_model_label *labels;
	size_t n_labels;
	struct shype_model_resource *resources;
	size_t n_resources;
	int unlabeled;
	unsigned int unlabeled_files;
};

/**
 * shype_model_parse_file() - read, parse and check a JSON policy source
 * @path: the file
 * @out: the model, on success; free with shype_model_free()
 * @errs: on failure, every mistake found (all of them, not the first only;
 *	a JSON syntax error stops the parse, so it is then the only one)
 *
 * Return: 0; -EINVAL when the source has mistakes (see @errs); -ENOMEM;
 * another -errno when the file cannot be read (one entry in @errs says so).
 */
int shype_model_parse_file(const char *path, struct shype_model **out,
			   struct shype_errors *errs);

/**
 * shype_model_parse() - as shype_model_parse_file() on a buffer
 * @file: the name to use in errors
 * @text: the source
 * @len: its length
 */
int shype_model_parse(const char *file, const char *text, size_t len,
		      struct shype_model **out, struct shype_errors *errs);

/** shype_model_free() - free a model; NULL is fine. */
void shype_model_free(struct shype_model *m);

/**
 * shype_model_compile() - the binary blob of a model
 * @m: a model from shype_model_parse*() or shype_model_decode()
 * @blob: on success, a malloc()ed blob; the caller frees it
 * @len: its length
 *
 * Return: 0; -ENOMEM; -E2BIG when a limit of the uapi header is exceeded;
 * -EINVAL when the model breaks another rule of the blob format (a bug of
 * its maker: the blob is validated by kmod/core before it is returned).
 */
int shype_model_compile(const struct shype_model *m, void **blob, size_t *len);

/**
 * shype_model_decode() - the model of a blob, validated by kmod/core
 * @blob: the blob
 * @len: its length
 * @out: the model; free with shype_model_free()
 *
 * Return: 0; -ENOMEM; or the negated &enum shype_blob_error from
 * shype_policy_init() (then shype_blob_strerror() says why).
 */
int shype_model_decode(const void *blob, size_t len, struct shype_model **out);

/**
 * shype_policy_load_file() - read a policy from a JSON source or a blob
 *	(told apart by the magic) and compile or validate it
 * @path: the file
 * @blob: the blob (malloc()ed; the caller frees it)
 * @len: its length
 * @pol: a validated view of @blob
 * @errs: what went wrong, on failure
 *
 * Return: 0; -EINVAL for a bad source or blob (see @errs); -ENOMEM; another
 * -errno when the file cannot be read.
 */
int shype_policy_load_file(const char *path, void **blob, size_t *len,
			   struct shype_policy *pol, struct shype_errors *errs);

/**
 * shype_resource_parse() - split "kind:name" into its kind and name and
 *	check the name as the policy language does
 * @s: e.g. "shm:/dev/shm/orders", "net:br0", "vsock:3",
 *	"file:/var/lib/images/a.img"
 * @kind: the &enum shype_resource_kind
 * @name: points into @s, after the colon
 * @why: on failure, a message for the user
 *
 * Return: 0 or -EINVAL.
 */
int shype_resource_parse(const char *s, unsigned int *kind, const char **name,
			 const char **why);

/**
 * shype_resource_kind_name() - "shm", "net", "vsock" or "file"; NULL if
 *	unknown
 */
const char *shype_resource_kind_name(unsigned int kind);

/**
 * shype_files_mode_name() - the policy language's word for a value of
 *	&shype_model.unlabeled_files: "label", "allow" or "deny"; NULL if
 *	unknown
 */
const char *shype_files_mode_name(unsigned int mode);

/*
 * --- File labels ---
 *
 * A file's label is its %SHYPE_XATTR extended attribute: a label name.
 * shype.ko decides a labelled VMM's open of a regular file on it (see
 * shype_file_decide()); a policy's "file:PATH" rule gives the file at PATH
 * its label, written to the attribute when the policy is loaded, and wins
 * over what the attribute says.  Only root outside every labelled cgroup
 * (CAP_MAC_ADMIN) may set or remove the attribute, and only regular files
 * are labelled.
 */

/**
 * shype_file_xattr_get() - the label a file's %SHYPE_XATTR names
 * @path: the file (a symlink is followed)
 * @label: the label; "" when the file has none
 *
 * Return: 0 (also when it has none); -ENOTSUP when its filesystem cannot
 * store labels (@label ""); -EBADMSG when the attribute is no label name;
 * another -errno of getxattr() (-ENOENT, -EACCES).
 */
int shype_file_xattr_get(const char *path, char label[SHYPE_NAME_MAX + 1]);

/**
 * shype_file_xattr_set() - give a regular file a label
 * @path: the file (a symlink is followed)
 * @label: a label name (whether the policy has it is the caller's check)
 *
 * Return: 0; -EINVAL for a malformed name or a file that is not a regular
 * file; -EISDIR for a directory; -ENOTSUP when its filesystem cannot store
 * labels; -EPERM without CAP_MAC_ADMIN, or in a labelled cgroup; -ENOENT;
 * another -errno of open() or setxattr().
 */
int shype_file_xattr_set(const char *path, const char *label);

/**
 * shype_file_xattr_clear() - remove a regular file's label
 * @path: the file
 *
 * Return: 0; -ENODATA when it has none; otherwise as
 * shype_file_xattr_set().
 */
int shype_file_xattr_clear(const char *path);

/** enum shype_file_from - where a file's label comes from */
enum shype_file_from {
	SHYPE_FILE_FROM_NONE,
	SHYPE_FILE_FROM_POLICY,
	SHYPE_FILE_FROM_XATTR,
};

/** shype_file_from_name() - "none", "policy" or "xattr" */
const char *shype_file_from_name(enum shype_file_from from);

/**
 * struct shype_file_label - a file's label under a policy
 * @label: the label's index, %SHYPE_NOT_FOUND when the file has none, or
 *	%SHYPE_LABEL_MISSING when its attribute names a label the policy
 *	lacks (or is no label name): the file argument of shype_file_decide()
 * @from: the policy's file: rule for its path (as given or resolved),
 *	which wins, or its attribute
 * @xattr: what its attribute says, "" when nothing
 */
struct shype_file_label {
	u32 label;
	enum shype_file_from from;
	char xattr[SHYPE_NAME_MAX + 1];
};

/**
 * shype_file_label() - the label of the file at @path under policy @p
 * @p: policy
 * @path: the file
 * @fl: its label and where it comes from
 *
 * Return: 0 (a filesystem that cannot store labels holds unlabelled
 * files); an -errno of getxattr(): -ENOENT, -EACCES... (then @fl holds
 * the policy's rule for @path, if it has one)
 */
int shype_file_label(const struct shype_policy *p, const char *path,
		     struct shype_file_label *fl);

/**
 * struct shype_file_result - one file: rule of a policy, written
 * @path: the rule's path (points into the policy)
 * @label: its label's name (likewise)
 * @err: 0 when written; -ENOENT when there is no such file (nothing to
 *	label yet); else an -errno of shype_file_xattr_set()
 */
struct shype_file_result {
	const char *path;
	const char *label;
	int err;
};

/**
 * shype_policy_label_files() - give each file of a policy's file: rules
 *	its label (after the kernel has loaded the policy: a refused policy
 *	must change nothing)
 * @p: policy
 * @v: a malloc()ed array, one result a rule in the policy's order; the
 *	caller frees it
 * @n: its length
 *
 * Return: 0 (the failures are in @v); -ENOMEM.
 */
int shype_policy_label_files(const struct shype_policy *p,
			     struct shype_file_result **v, size_t *n);

/*
 * --- "Did you mean": the name closest to a mistyped one ---
 *
 * One rule for every suggestion shype makes (policy errors, labels, the
 * CLI's objects and commands): a name within three edits (insertions,
 * deletions, substitutions, transpositions of adjacent characters) and
 * fewer than half the length of the longer of the two.
 */

/**
 * struct shype_suggest - the search for the name closest to @word
 * @word: the mistyped word
 * @len: its length
 * @best: the closest name offered so far that is close enough, or NULL
 * @dist: its distance
 */
struct shype_suggest {
	const char *word;
	size_t len;
	const char *best;
	unsigned int dist;
};

/** shype_suggest_init() - start a search for the name closest to @word */
void shype_suggest_init(struct shype_suggest *s, const char *word, size_t len);

/**
 * shype_suggest_offer() - offer @name: it becomes @s->best if it is close
 *	enough to @s->word and closer than every name offered before
 */
void shype_suggest_offer(struct shype_suggest *s, const char *name);

/*
 * --- The kernel: the files of /sys/kernel/security/shype/ ---
 *
 * Formats and errors are those of include/uapi/linux/shype.h.  Every
 * function here opens the file it needs and closes it again.  Opening a
 * file that needs privileges the caller lacks gives -EPERM, whether the
 * file's mode or the kernel's CAP_MAC_ADMIN check refused it; a missing
 * file gives -ENOENT (shype_kernel_loaded() then says whether shype.ko is
 * loaded at all).  A line that breaks the documented format gives
 * -EBADMSG.
 */

/**
 * shype_securityfs_dir() - the directory of shype's files:
 *	$SHYPE_SECURITYFS when set and not empty, else %SHYPE_SECURITYFS_DIR
 */
const char *shype_securityfs_dir(void);

/**
 * shype_cgroup_root() - where cgroup v2 is mounted: $SHYPE_CGROUP_ROOT
 *	when set and not empty (without trailing slashes), else /sys/fs/cgroup
 */
const char *shype_cgroup_root(void);

/** shype_kernel_loaded() - does shype_securityfs_dir() exist? */
bool shype_kernel_loaded(void);

/**
 * shype_kernel_strerror() - what an errno of shype's files means, in
 *	words for the user (for a policy load, a mode or a label change)
 * @err: a negative errno
 *
 * Return: a static string; strerror()'s for errnos shype gives no meaning.
 */
const char *shype_kernel_strerror(int err);

/**
 * shype_kernel_load() - load a blob through the policy file, as one request
 * @blob: a blob (validate it first: shype_policy_load_file())
 * @len: its length
 * @flags: %SHYPE_LOAD_FORCE or 0; when not 0, a struct shype_load_request
 *	carrying them precedes the blob
 * @reasons: on refusal, the kernel's reasons, one a line, NUL terminated
 *	(empty when it gave none); may be NULL
 * @size: size of @reasons
 *
 * Return: 0 loaded; 1 when the kernel found @blob byte for byte the active
 * policy and changed nothing; -ENOENT; -EPERM; -EBUSY another load is in
 * progress; or the kernel's refusal: -EBADMSG, -EPROTONOSUPPORT, -E2BIG,
 * -ESTALE, -EEXIST, -EACCES (see the uapi header); -ENOMEM; another -errno
 * of write().
 */
int shype_kernel_load(const void *blob, size_t len, uint32_t flags,
		      char *reasons, size_t size);

/**
 * struct shype_status - the status file
 * @policy: the active policy's name; "" when none is loaded
 * @version_major: its version (0 when none)
 * @version_minor: likewise
 * @digest: its SHA-256 in hex; "" when none
 * @permissive: the mode is permissive (else enforce)
 * @vms: running VMs
 * @hooks: hook points installed
 * @require_policy: shype.ko refuses every VM while no policy is loaded
 *	(its parameter require_policy; false from a module without it)
 */
struct shype_status {
	char policy[SHYPE_NAME_MAX + 1];
	unsigned int version_major;
	unsigned int version_minor;
	char digest[2 * SHYPE_DIGEST_SIZE + 1];
	bool permissive;
	unsigned int vms;
	unsigned int hooks;
	bool require_policy;
};

/**
 * shype_kernel_status() - read the status file
 * @st: filled on success
 *
 * Return: 0; -ENOENT; -EBADMSG; another -errno of open() or read().
 */
int shype_kernel_status(struct shype_status *st);

/**
 * shype_kernel_mode() - read the mode file
 * @permissive: true for permissive, false for enforce
 *
 * Return: 0; -ENOENT; -EBADMSG; another -errno.
 */
int shype_kernel_mode(bool *permissive);

/**
 * shype_kernel_set_mode() - write the mode file
 * @permissive: true for permissive, false for enforce
 *
 * Return: 0; -ENOENT; -EPERM; another -errno.
 */
int shype_kernel_set_mode(bool permissive);

/**
 * struct shype_vm_info - a line of the vms file
 * @id: shype's number for the VM
 * @pid: its VMM's process
 * @label: its label; "" for an unlabelled VM ("-" in the file)
 * @state: "ok" or "violating"; "" when the kernel does not say
 */
struct shype_vm_info {
	uint64_t id;
	int pid;
	char label[SHYPE_NAME_MAX + 1];
	char state[16];
};

/**
 * shype_kernel_vms() - read the vms file
 * @vms: a malloc()ed array, in creation order; the caller frees it
 * @n: its length
 *
 * Return: 0; -ENOENT; -EBADMSG; -ENOMEM; another -errno.
 */
int shype_kernel_vms(struct shype_vm_info **vms, size_t *n);

/**
 * struct shype_bound_vm - a VM bound to an object
 * @id: shype's number for the VM
 * @label: its label
 */
struct shype_bound_vm {
	uint64_t id;
	char label[SHYPE_NAME_MAX + 1];
};

/**
 * struct shype_binding_info - a line of the bindings file
 * @object: shype's number for the object
 * @class: its class ("eventfd", "shm", "net" or "vsock")
 * @path: for a shared file ("shm"), its path when first bound; for a
 *	resource known by name ("net", "vsock"), the name (malloc()ed,
 *	unescaped); else NULL
 * @vms: the VMs bound to it, in the order they bound
 * @n_vms: how many
 */
struct shype_binding_info {
	uint64_t object;
	char class[16];
	char *path;
	struct shype_bound_vm *vms;
	size_t n_vms;
};

/**
 * shype_kernel_bindings() - read the bindings file
 * @v: a malloc()ed array; free with shype_binding_infos_free()
 * @n: its length
 *
 * Return: 0; -ENOENT; -EBADMSG; -ENOMEM; another -errno.
 */
int shype_kernel_bindings(struct shype_binding_info **v, size_t *n);

/** shype_binding_infos_free() - free what shype_kernel_bindings() gave */
void shype_binding_infos_free(struct shype_binding_info *v, size_t n);

/**
 * struct shype_cgroup_entry - a line of the cgroups file
 * @path: the path the cgroup was labelled by (malloc()ed)
 * @id: the cgroup's id: the inode number of its directory
 * @label: its label
 */
struct shype_cgroup_entry {
	char *path;
	uint64_t id;
	char label[SHYPE_NAME_MAX + 1];
};

/**
 * shype_kernel_cgroups() - read the cgroups file
 * @v: a malloc()ed array in the order the cgroups were labelled; free it
 *	with shype_cgroup_entries_free()
 * @n: its length
 *
 * Return: 0; -ENOENT; -EBADMSG; -ENOMEM; another -errno.
 */
int shype_kernel_cgroups(struct shype_cgroup_entry **v, size_t *n);

/** shype_cgroup_entries_free() - free what shype_kernel_cgroups() gave */
void shype_cgroup_entries_free(struct shype_cgroup_entry *v, size_t n);

/**
 * struct shype_resource_entry - a line of the resources file: a shared
 *	file labelled at run time
 * @path: the path it was labelled by (malloc()ed, unescaped)
 * @inode: its inode number
 * @label: its label
 */
struct shype_resource_entry {
	char *path;
	uint64_t inode;
	char label[SHYPE_NAME_MAX + 1];
};

/**
 * shype_kernel_resources() - read the resources file
 * @v: a malloc()ed array in the order the files were labelled; free it
 *	with shype_resource_entries_free()
 * @n: its length
 *
 * Return: 0; -ENOENT; -EBADMSG; -ENOMEM; another -errno.
 */
int shype_kernel_resources(struct shype_resource_entry **v, size_t *n);

/** shype_resource_entries_free() - free what shype_kernel_resources() gave */
void shype_resource_entries_free(struct shype_resource_entry *v, size_t n);

/**
 * shype_kernel_resource_set() - label a shared-memory file at run time;
 *	the label follows the file (its inode), not its name
 * @path: its absolute path, without spaces or control characters
 * @label: a label of the active policy
 *
 * Return: 0; -EINVAL for a malformed path or name; -ENOENT no such file
 * (or shype not loaded); -ESRCH when the active policy has no label
 * @label; -EACCES when a VM that has the file behind a memslot may not use
 * @label; -EPERM; another -errno.
 */
int shype_kernel_resource_set(const char *path, const char *label);

/**
 * shype_kernel_resource_clear() - remove a file's run-time label
 * @path: as for shype_kernel_resource_set()
 *
 * Return: 0; -ENOENT when it has none; -EINVAL; -EPERM; another -errno.
 */
int shype_kernel_resource_clear(const char *path);

/**
 * shype_cgroup_path() - a cgroup's path from the cgroup v2 root, as the
 *	kernel's files take it
 * @arg: "/machine.slice/x" (from the root), "machine.slice/x" (likewise),
 *	or a path under shype_cgroup_root() ("/sys/fs/cgroup/machine.slice/x")
 * @out: "/machine.slice/x": one slash between components, none at the end
 *	("/" for the root itself)
 * @size: size of @out
 *
 * Return: 0; -EINVAL for an empty @arg, a "." or ".." component, or a space
 * or control character (the cgroups file separates fields by spaces);
 * -ENAMETOOLONG.
 */
int shype_cgroup_path(const char *arg, char *out, size_t size);

/**
 * shype_kernel_label_get() - the label that a VM created in a cgroup gets,
 *	as the kernel finds it: the cgroup's own label or its nearest labelled
 *	ancestor's.  Entries of the cgroups file are matched by cgroup id, so a
 *	label left on a removed cgroup does not pass to a new one of the same
 *	path.
 * @path: a path from shype_cgroup_path()
 * @label: the label, "" when no cgroup on the way up is labelled
 * @from: where @path's label comes from (a path from the root, @path
 *	itself for its own label), "" likewise
 * @fromsize: size of @from; strlen(@path) + 1 is enough
 *
 * Return: 0; -ENOENT when there is no such cgroup (no directory under
 * shype_cgroup_root()) or no cgroups file; -ENAMETOOLONG; an -errno of
 * shype_kernel_cgroups().
 */
int shype_kernel_label_get(const char *path, char label[SHYPE_NAME_MAX + 1],
			   char *from, size_t fromsize);

/**
 * shype_pid_cgroup() - the cgroup v2 path of a process, as its
 *	/proc/PID/cgroup gives it ("0::/shype.slice/order")
 * @pid: the process
 * @path: its cgroup, from the root ("/" for the root itself)
 * @size: size of @path
 *
 * Return: 0; -ESRCH when there is no such process; -EBADMSG when the file
 * has no cgroup v2 line; -ENAMETOOLONG; another -errno of open() or read().
 */
int shype_pid_cgroup(int pid, char *path, size_t size);

/**
 * shype_kernel_pid_label() - the label of the VMs of process @pid: the label
 *	of a VM it runs now (the vms file: frozen when the VM was created),
 *	else the label a VM it created now would get, its cgroup's as
 *	shype_kernel_label_get() finds it
 * @pid: the process
 * @label: the label, "" when neither gives one (an unlabelled VMM)
 * @from: where @label comes from: "vm=ID" or a cgroup path; "" likewise
 * @fromsize: size of @from
 *
 * Return: 0; an -errno of shype_pid_cgroup(), shype_kernel_vms() or
 * shype_kernel_label_get().
 */
int shype_kernel_pid_label(int pid, char label[SHYPE_NAME_MAX + 1], char *from,
			   size_t fromsize);

/**
 * shype_kernel_label_set() - label a cgroup, making its directory (and
 *	any missing parent) under shype_cgroup_root() first
 * @path: a path from shype_cgroup_path()
 * @label: a VM label of the active policy
 *
 * Return: 0; -EINVAL for a malformed path or name; -ESRCH when the active
 * policy has no VM label @label; -EPERM (also when the directory cannot be
 * made for lack of permission); -ENOENT; another -errno of mkdir().
 */
int shype_kernel_label_set(const char *path, const char *label);

/**
 * shype_kernel_label_clear() - remove a cgroup's own label
 * @path: a path from shype_cgroup_path()
 *
 * Return: 0; -ENOENT when there is no such cgroup, it has no label of its
 * own or there is no cgroups file; -EPERM; -EINVAL.
 */
int shype_kernel_label_clear(const char *path);

/**
 * shype_cgroup_enter() - move the calling process into a cgroup
 * @path: a path from shype_cgroup_path()
 *
 * Return: 0 or the -errno of writing its cgroup.procs.
 */
int shype_cgroup_enter(const char *path);

/**
 * struct shype_op_stats - a line of the stats file
 * @op: the hook point's name
 * @calls: decisions made
 * @allowed: of them, allowed
 * @denied: of them, denied (in permissive mode too)
 */
struct shype_op_stats {
	char op[32];
	uint64_t calls;
	uint64_t allowed;
	uint64_t denied;
};

/**
 * shype_kernel_stats() - read the stats file
 * @v: a malloc()ed array; the caller frees it
 * @n: its length
 *
 * Return: 0; -ENOENT; -EBADMSG; -ENOMEM; another -errno.
 */
int shype_kernel_stats(struct shype_op_stats **v, size_t *n);

/**
 * struct shype_field - one key=value field of a line
 * @key: the key (points into the line)
 * @value: the value (likewise)
 */
struct shype_field {
	const char *key;
	const char *value;
};

/**
 * shype_fields_parse() - split a line of a shype file into its fields, in
 *	place: the spaces and '=' signs become NULs
 * @line: a line without its newline
 * @f: the fields, in their order
 * @max: room in @f
 *
 * Return: the number of fields; -EBADMSG for a word without '=' or with an
 * empty key; -E2BIG when there are more than @max.
 */
int shype_fields_parse(char *line, struct shype_field *f, size_t max);

/**
 * struct shype_audit_reader - a reader of the audit file; see shype_audit_next()
 * @fd: the open file, -1 when closed
 * @start: first unread byte in @buf
 * @end: end of the bytes read into @buf
 * @regular: the file is a regular file (a test's stand-in for the kernel's):
 *	followed by reading it again every 200 ms
 * @buf: lines read and not yet returned
 */
struct shype_audit_reader {
	int fd;
	size_t start;
	size_t end;
	bool regular;
	char buf[8192];
};

/**
 * shype_audit_open() - open the audit file at its oldest line kept
 * @a: the reader
 *
 * Return: 0; -ENOENT; -EPERM (the file is readable by root only).
 */
int shype_audit_open(struct shype_audit_reader *a);

/**
 * shype_audit_next() - the next audit line
 * @a: the reader
 * @follow: when caught up, wait with poll() for a new line, else return 0
 * @line: the line without its newline, valid until the next call
 *
 * Return: 1 with a line; 0 when caught up (only without @follow); -EINTR
 * when a signal interrupted the wait; another -errno of read() or poll().
 */
int shype_audit_next(struct shype_audit_reader *a, bool follow,
		     const char **line);

/** shype_audit_close() - close the reader; a closed one is fine */
void shype_audit_close(struct shype_audit_reader *a);

/*
 * --- shype.conf ---
 *
 * /etc/shype/shype.conf says how shype starts at boot, as
 * /etc/selinux/config does for SELinux: lines KEY=VALUE, '#' comments and
 * blank lines; no spaces around '=', no quotes.  Keys (each at most once):
 *
 *	SHYPE=enforce|permissive|off	the mode; off: shype.ko is not loaded
 *	REQUIRE_POLICY=yes|no		no VM may be created before a policy
 *					is loaded (shype.ko's require_policy)
 *	POLICY=/ABSOLUTE/PATH		the policy loaded at boot
 *
 * A missing file or key means the default: enforce, yes,
 * %SHYPE_CONF_POLICY.
 */

/** SHYPE_CONF_FILE - the file, unless $SHYPE_CONF names another. */
#define SHYPE_CONF_FILE "/etc/shype/shype.conf"
/** SHYPE_CONF_POLICY - POLICY's default. */
#define SHYPE_CONF_POLICY "/etc/shype/policy.json"

/** enum shype_conf_mode - SHYPE= */
enum shype_conf_mode {
	SHYPE_CONF_ENFORCE,
	SHYPE_CONF_PERMISSIVE,
	SHYPE_CONF_OFF,
};

/**
 * struct shype_conf - what shype.conf says, defaults filled in
 * @mode: SHYPE=
 * @require_policy: REQUIRE_POLICY=
 * @policy: POLICY=
 * @found: the file exists (else every field is its default)
 */
struct shype_conf {
	enum shype_conf_mode mode;
	bool require_policy;
	char policy[PATH_MAX];
	bool found;
};

/**
 * shype_conf_path() - $SHYPE_CONF when set and not empty, else
 *	%SHYPE_CONF_FILE
 */
const char *shype_conf_path(void);

/** shype_conf_mode_name() - "enforce", "permissive" or "off" */
const char *shype_conf_mode_name(enum shype_conf_mode mode);

/**
 * shype_conf_read() - read shype.conf
 * @path: the file (shype_conf_path() for the system's)
 * @conf: filled with the file's settings and defaults for the rest; all
 *	defaults when the file does not exist
 * @err: the mistake, with its line (column 0), when the result is -EINVAL;
 *	@err->file is @path
 *
 * Return: 0 (also for a missing file); -EINVAL for a malformed line, an
 * unknown key or value, or a key given twice; another -errno of open() or
 * read().
 */
int shype_conf_read(const char *path, struct shype_conf *conf,
		    struct shype_error *err);

#endif /* LIBSHYPE_SHYPE_H */
