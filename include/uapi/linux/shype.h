/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * shype - mandatory access control for KVM (sHype for Linux).
 *
 * This header is the whole interface between shype.ko and user space:
 * the limits, the binary policy format, and the formats of the files in
 * /sys/kernel/security/shype/.
 *
 * Binary policy ("blob")
 * ----------------------
 * All integers are little endian.  A blob is a header followed by seven
 * sections in this fixed order, each starting at the end of the previous
 * one rounded up to 8 bytes (the header's size for the first), with zero
 * padding, and total_len equal to the end of the last section:
 *
 *   ste_types       ste_type_count    x struct shype_name
 *   chwall_types    chwall_type_count x struct shype_name
 *   labels          label_count       x struct shype_label
 *   ste_bitmaps     label_count       x ste_words    x __le64
 *   chwall_bitmaps  label_count       x chwall_words x __le64
 *   conflict_sets   conflict_set_count x chwall_words x __le64
 *   resources       resource_count    x struct shype_resource
 *
 * where ste_words = DIV_ROUND_UP(ste_type_count, 64) and likewise for
 * chwall_words.  Bit t of word t / 64 stands for type t.  Bits at or above
 * the type count are zero.  Every name table (types, labels) is sorted by
 * strcmp() and free of duplicates; resources are sorted by (kind, name).
 * A label's CHWALL types never conflict with each other; a conflict set
 * holds at least two types; a resource label has no CHWALL types.
 *
 * digest is SHA-256 over the whole blob except the 32 digest bytes
 * themselves.  Reserved fields and padding are zero.  The kernel refuses a
 * blob that breaks any of these rules (see kmod/core/policy.c).
 */
#ifndef _UAPI_LINUX_SHYPE_H
#define _UAPI_LINUX_SHYPE_H

#include <linux/types.h>

/* --- Limits: everything a policy may not exceed. --- */

/** SHYPE_NAME_MAX - longest type, label or policy name, without its NUL. */
#define SHYPE_NAME_MAX 63
/** SHYPE_MAX_STE_TYPES - most STE types in one policy. */
#define SHYPE_MAX_STE_TYPES 1024
/** SHYPE_MAX_CHWALL_TYPES - most Chinese Wall types in one policy. */
#define SHYPE_MAX_CHWALL_TYPES 1024
/** SHYPE_MAX_LABELS - most labels (VM and resource labels together). */
#define SHYPE_MAX_LABELS 16384
/** SHYPE_MAX_CONFLICT_SETS - most Chinese Wall conflict sets. */
#define SHYPE_MAX_CONFLICT_SETS 1024
/** SHYPE_MAX_RESOURCES - most labelled resources. */
#define SHYPE_MAX_RESOURCES 4096
/** SHYPE_RESOURCE_NAME_MAX - longest resource name (a path), without NUL. */
#define SHYPE_RESOURCE_NAME_MAX 255
/** SHYPE_NET_NAME_MAX - longest net: resource name (IFNAMSIZ - 1). */
#define SHYPE_NET_NAME_MAX 15
/** SHYPE_VERSION_MAX - largest major or minor policy version number. */
#define SHYPE_VERSION_MAX 65535
/** SHYPE_POLICY_MAX_SIZE - largest blob the kernel accepts, in bytes. */
#define SHYPE_POLICY_MAX_SIZE (16U << 20)

/* --- Binary policy. --- */

/** SHYPE_POLICY_MAGIC - first four bytes of a blob: "sHyP". */
#define SHYPE_POLICY_MAGIC 0x50794873U
/** SHYPE_ABI_VERSION - the blob layout described in this header. */
#define SHYPE_ABI_VERSION 1
/** SHYPE_DIGEST_SIZE - size of the SHA-256 digest in the header. */
#define SHYPE_DIGEST_SIZE 32
/** SHYPE_UNLABELED_DENY - &shype_policy_header.unlabeled: refuse such VMs. */
#define SHYPE_UNLABELED_DENY 0xffffffffU

/*
 * &shype_policy_header.unlabeled_files: what a labelled VMM may do with a
 * file that carries no label.  Reading one is always allowed (firmware,
 * ISO images, shared libraries); these say what opening one for writing
 * does.
 */
/** SHYPE_FILES_LABEL - the file becomes the writer's (the default). */
#define SHYPE_FILES_LABEL 0
/** SHYPE_FILES_ALLOW - the file stays unlabelled. */
#define SHYPE_FILES_ALLOW 1
/** SHYPE_FILES_DENY - refused: only labelled files may be written. */
#define SHYPE_FILES_DENY 2

/*
 * SHYPE_XATTR - the extended attribute that holds a file's label: the
 * label's name, 1 to %SHYPE_NAME_MAX characters, without a NUL.  Only a
 * process outside every label with CAP_MAC_ADMIN may set or remove it.
 */
#define SHYPE_XATTR "security.shype"
/* SHYPE_XATTR_SUFFIX - %SHYPE_XATTR after "security.". */
#define SHYPE_XATTR_SUFFIX "shype"

/**
 * struct shype_section - where one section of a blob lies
 * @offset: byte offset from the start of the blob, a multiple of 8
 * @size: size in bytes; exactly count x record size
 */
struct shype_section {
	__le32 offset;
	__le32 size;
};

/**
 * struct shype_policy_header - first 256 bytes of a blob
 * @magic: %SHYPE_POLICY_MAGIC
 * @abi_version: %SHYPE_ABI_VERSION
 * @header_len: sizeof(struct shype_policy_header)
 * @total_len: size of the whole blob in bytes
 * @flags: reserved, zero
 * @digest: SHA-256 of the blob without these bytes
 * @name: policy name, NUL terminated and NUL padded
 * @version_major: policy version, major part; a replacement of a policy
 *	with the same name must carry a higher (major, minor)
 * @version_minor: policy version, minor part
 * @ste_type_count: number of STE types
 * @chwall_type_count: number of Chinese Wall types
 * @label_count: number of labels
 * @conflict_set_count: number of Chinese Wall conflict sets
 * @resource_count: number of labelled resources
 * @unlabeled: index of the label given to VMs created outside any labelled
 *	cgroup (a VM label), or %SHYPE_UNLABELED_DENY
 * @unlabeled_files: one of %SHYPE_FILES_LABEL, %SHYPE_FILES_ALLOW and
 *	%SHYPE_FILES_DENY
 * @ste_types: section of STE type names
 * @chwall_types: section of Chinese Wall type names
 * @labels: section of labels
 * @ste_bitmaps: section of the labels' STE type bitmaps
 * @chwall_bitmaps: section of the labels' Chinese Wall type bitmaps
 * @conflict_sets: section of conflict set bitmaps
 * @resources: section of labelled resources
 * @reserved: zero
 */
struct shype_policy_header {
	__le32 magic;
	__le16 abi_version;
	__le16 header_len;
	__le32 total_len;
	__le32 flags;
	__u8 digest[SHYPE_DIGEST_SIZE];
	char name[SHYPE_NAME_MAX + 1];
	__le32 version_major;
	__le32 version_minor;
	__le32 ste_type_count;
	__le32 chwall_type_count;
	__le32 label_count;
	__le32 conflict_set_count;
	__le32 resource_count;
	__le32 unlabeled;
	struct shype_section ste_types;
	struct shype_section chwall_types;
	struct shype_section labels;
	struct shype_section ste_bitmaps;
	struct shype_section chwall_bitmaps;
	struct shype_section conflict_sets;
	struct shype_section resources;
	__le32 unlabeled_files;
	__u8 reserved[52];
};

/**
 * struct shype_name - a type name: 1 to %SHYPE_NAME_MAX characters of
 *	[A-Za-z0-9_.-], NUL terminated and NUL padded
 * @s: the name
 */
struct shype_name {
	char s[SHYPE_NAME_MAX + 1];
};

/** SHYPE_LABEL_VM - &shype_label.flags: a label for VMs. */
#define SHYPE_LABEL_VM 0x1U
/** SHYPE_LABEL_RESOURCE - &shype_label.flags: a label for resources. */
#define SHYPE_LABEL_RESOURCE 0x2U

/**
 * struct shype_label - one label; its type sets are in the bitmap sections
 *	at the label's index
 * @name: label name, as for &struct shype_name
 * @flags: exactly one of %SHYPE_LABEL_VM, %SHYPE_LABEL_RESOURCE
 * @reserved: zero
 */
struct shype_label {
	char name[SHYPE_NAME_MAX + 1];
	__le32 flags;
	__le32 reserved;
};

/**
 * enum shype_resource_kind - kinds of labelled resources
 * @SHYPE_RES_SHM: a shared-memory file, named by its absolute path
 *	(source form "shm:/dev/shm/name")
 * @SHYPE_RES_NET: a network: a bridge, or a tap/macvtap without a bridge,
 *	named by interface name (source form "net:br0")
 * @SHYPE_RES_VSOCK: a vsock guest CID in decimal (source form "vsock:3")
 * @SHYPE_RES_FILE: a file, named by its absolute path (source form
 *	"file:/var/lib/images/a.img"); the loader writes the label to the
 *	file's %SHYPE_XATTR, and the kernel decides on that attribute
 */
enum shype_resource_kind {
	SHYPE_RES_SHM = 1,
	SHYPE_RES_NET = 2,
	SHYPE_RES_VSOCK = 3,
	SHYPE_RES_FILE = 4,
};

/**
 * struct shype_resource - a labelled resource
 * @kind: an &enum shype_resource_kind
 * @label: index of its label (a resource label or a VM label)
 * @name: NUL terminated, NUL padded; see &enum shype_resource_kind
 */
struct shype_resource {
	__le32 kind;
	__le32 label;
	char name[SHYPE_RESOURCE_NAME_MAX + 1];
};

/* --- Loading a policy: /sys/kernel/security/shype/policy --- */

/*
 * Write a blob to the file (one or more write() calls on one open file;
 * the load happens in the write() that completes total_len bytes, and that
 * call returns its result).  The blob may be preceded by a struct
 * shype_load_request to ask for more than the default.  CAP_MAC_ADMIN is
 * needed; one open file may write at a time (-EBUSY for another).  After a
 * refused load, read() on the same open file gives the reasons, one per
 * line.  Opened read-only, the file reads back the active blob.
 *
 * A blob that is byte for byte the active one is accepted and changes
 * nothing: the active policy, its VMs and their bindings stay as they
 * are, nothing is audited, and read() on the same open file then gives
 * the one line %SHYPE_LOAD_UNCHANGED (after a load that replaced the
 * policy, nothing, or in permissive mode the violations it let through).
 * So reloading the policy in force, as a service restart does, succeeds
 * whatever its flags.
 *
 * Errors of the completing write():
 * - %EBADMSG: malformed blob;  %EPROTONOSUPPORT: unknown ABI version;
 * - %E2BIG: a limit exceeded;
 * - %ESTALE: a policy of the same name is active with a version not lower
 *   and is not byte for byte this blob;
 * - %EEXIST: a policy of another name is active and %SHYPE_LOAD_FORCE is
 *   not set;
 * - %EACCES: the policy would deny a running VM or a live binding (each
 *   one is listed in the reasons and in the audit log);
 * - %EBUSY: in enforce mode, VMs run that were created before shype.ko was
 *   loaded, so shype knows neither their labels nor their bindings (each
 *   one is listed in the reasons, "vm - (pid PID): ...", and audited,
 *   reason=unseen_vm).  In permissive mode the load goes through, and they
 *   are listed and audited as permitted.
 */

/** SHYPE_LOAD_MAGIC - &shype_load_request.magic: "sHyL". */
#define SHYPE_LOAD_MAGIC 0x4c794873U
/** SHYPE_LOAD_FORCE - replace a policy of another name. */
#define SHYPE_LOAD_FORCE 0x1U
/**
 * SHYPE_LOAD_UNCHANGED - what the policy file reads, after the write() that
 *	completed a blob, when that blob was the active one and nothing changed
 */
#define SHYPE_LOAD_UNCHANGED "unchanged\n"

/**
 * struct shype_load_request - optional prefix of a blob written to policy
 * @magic: %SHYPE_LOAD_MAGIC
 * @flags: %SHYPE_LOAD_FORCE or 0; other bits must be zero
 */
struct shype_load_request {
	__le32 magic;
	__le32 flags;
};

/*
 * --- The other files in /sys/kernel/security/shype/ ---
 *
 * Text, one record a line, space separated key=value fields, in this
 * order; a name that is not set reads as "-".  New fields may be added at
 * the end of a line.
 *
 * status (read):
 *	policy=NAME version=MAJOR.MINOR digest=HEX mode=enforce|permissive
 *	vms=N hooks=N memory=BYTES require_policy=0|1
 *   policy=- when none is loaded; memory is what the policy takes in the
 *   kernel.  require_policy is the module parameter of that name
 *   (read-only, set when shype.ko is loaded): when 1, no VM may be created
 *   while no policy is loaded (audited as op=create reason=no_policy).
 * mode (read, write with CAP_MAC_ADMIN): "enforce" or "permissive".  In
 *   permissive mode every decision is made and a denial is audited, but
 *   the operation is allowed.  A switch from permissive to enforce, while a
 *   policy is loaded, fails with %EBUSY while VMs run that were created
 *   before shype.ko was loaded (the kernel log names their pids).
 * vms (read), one line per running VM, in creation order:
 *	vm=ID pid=PID label=NAME
 *   ID is shype's number for the VM (never reused until reboot: a VM refused
 *   at creation keeps the number its audit line gives it); label=- for
 *   an unlabelled VM created with no policy loaded.
 * bindings (read), one line per object that VMs are bound to:
 *	object=N class=eventfd vms=ID(LABEL)[,ID(LABEL)...]
 *	object=N class=shm|vcpu path=PATH vms=ID(LABEL)[,ID(LABEL)...]
 *	object=N class=net|vsock name=NAME vms=ID(LABEL)[,ID(LABEL)...]
 *   N is shype's number for the object (never its address); each VM is
 *   listed once, in the order it bound.  A shm object is a file mapped
 *   behind a memslot, shared or private (memfd, tmpfs, /dev/shm,
 *   hugetlbfs, shared anonymous memory), named by its path when first
 *   bound, as the VMM saw it; spaces, tabs, newlines and backslashes in
 *   PATH read as \ooo.  A vcpu object is a vCPU whose kvm_run pages are
 *   behind a memslot (PATH anon_inode:kvm-vcpu:N).  A
 *   net or vsock object is a resource known by the name a policy gives it
 *   (net:NAME, vsock:CID), used by a vhost device of each VM's process.
 * cgroups (read; write with CAP_MAC_ADMIN), one line per labelled cgroup:
 *	cgroup=PATH id=CGROUP_ID label=NAME
 *   Writes: "label PATH NAME" or "unlabel PATH", PATH relative to the
 *   cgroup v2 root ("/machine.slice/x").  Errors: %ENOENT no such cgroup,
 *   %EINVAL malformed line or name, %ESRCH the active policy has no VM
 *   label NAME.
 * resources (read; write with CAP_MAC_ADMIN), one line per shared file
 *   labelled at run time:
 *	resource=shm:PATH inode=INO label=NAME
 *   Writes: "label PATH NAME" or "unlabel PATH", PATH absolute, without
 *   spaces.  The label follows the file (its inode), not the path, and
 *   takes precedence over a policy's "shm:PATH" resource.  Errors: %ENOENT
 *   no such file (or, unlabel, no label), %EINVAL malformed line or name,
 *   %ESRCH the active policy has no label NAME, %EACCES a VM that has the
 *   file behind a memslot may not use NAME (unlabel: the policy's label of
 *   the path the file was bound under, or none).
 * stats (read), one line per hook point:
 *	op=NAME calls=N allowed=N denied=N audit_suppressed=N
 *   audit_suppressed counts the records of its denials that the rate limit
 *   kept from the kernel audit subsystem (see %SHYPE_AUDIT_TYPE).
 * stats: op is create, policy_load, irqfd, ioeventfd, hv_eventfd,
 *   sev_context (always refused while a policy is loaded), vhost_eventfd,
 *   memslot (KVM_SET_USER_MEMORY_REGION), remap (a file mapped later over
 *   a memslot's range: mmap, mremap), vsock_cid
 *   (VHOST_VSOCK_SET_GUEST_CID), net_backend (VHOST_NET_SET_BACKEND),
 *   vfio (KVM_DEV_VFIO_GROUP_ADD), xen_evtchn (KVM_XEN_HVM_SET_ATTR of
 *   an event channel delivered to an eventfd; kernels whose KVM has Xen),
 *   ptrace (the kernel's ptrace access check, between processes of
 *   which one holds a VM or sits in a labelled cgroup: ptrace,
 *   process_vm_readv/writev, /proc/PID/mem, pidfd_getfd, kcmp, ...),
 *   userfaultfd (a userfaultfd used by a process other than its maker's),
 *   vfio_irq (VFIO_DEVICE_SET_IRQS of an eventfd) or file (a labelled
 *   process's open of a regular file, a file it receives, a truncate(2),
 *   and a change of a file's %SHYPE_XATTR).
 * audit (read, poll), one line per decision that denied (in permissive
 *   mode too) and per refused policy load, oldest first; read() returns 0
 *   when caught up, poll() reports POLLIN when more arrived:
 *	seq=N op=OP result=denied|permitted vm=ID(LABEL) pid=PID reason=WORD
 *	[more key=value fields]
 *   seq counts from 1; a reader that fell behind the kept window sees a
 *   gap in seq.  (A refused Chinese Wall creation or policy load also
 *   names the conflicting type of the running VMs, running=TYPE, and one
 *   such VM, peer=ID(LABEL), at the end of its line.)  op=ptrace names
 *   processes, not VMs (LABEL "-" for an unlabelled one):
 *	seq=N op=ptrace result=denied|permitted tracer=PID(LABEL)
 *	target=PID(LABEL) mode=attach|read|traceme reason=ste|unknown_label|
 *	unlabelled_tracer|unlabelled_target
 *   op=file names the process and the file's label ("-" for none) and
 *   path:
 *	seq=N op=file result=denied|permitted pid=PID(LABEL) file_label=LABEL
 *	access=read|write|relabel how=open|receive|truncate|setxattr|
 *	removexattr reason=ste|unknown_label|unknown_opener|unlabeled|
 *	cannot_label|labelled|cap_mac_admin [dev=DEV] path=PATH
 */

/**
 * SHYPE_AUDIT_TYPE - the type of shype's records in the kernel audit
 *	subsystem (netlink, auditd, ``ausearch -m 1499``)
 *
 * 1400-1499 is the range that <linux/audit.h> gives to security modules
 * (1400 AVC ... 1424 Landlock in Linux 6.15); upstream hands its numbers
 * out from the bottom, and an out-of-tree module gets none, so shype takes
 * the top one, the least likely to be given to another.  Audit tools that
 * do not know it show it as UNKNOWN[1499] and file it among the MAC
 * events; ``ausearch -m 1499`` finds it.  Without auditd the kernel prints
 * each record to its log as ``audit: type=1499 audit(TIME:SERIAL): ...``.
 *
 * Each record is one decision or one change: space separated key=value
 * fields, the first two op= (which tells the kinds apart) and result=:
 *
 * A denial (every line of the audit file, with the same fields but seq):
 *	op=OP result=denied|permitted vm=ID(LABEL) pid=PID reason=WORD
 *	[peer=ID(LABEL)] [more key=value fields] [suppressed=N]
 *   OP and the fields are the audit file's; at most 50 such records are
 *   sent every 5 s, and the first one after some were left out says how
 *   many (suppressed=N; all of them: audit_suppressed= in stats).
 * A policy load that passed validation and was not the active policy:
 *	op=policy_load result=accepted|denied policy=NAME
 *	version=MAJOR.MINOR digest=HEX [reason=other_name|stale_version|
 *	violations|unseen_vms] TASK
 *   A malformed blob, refused before that, is a denial record (and a
 *   line of the audit file):
 *	op=policy_load result=denied reason=malformed error="TEXT"
 * A mode switch (every write to the mode file):
 *	op=mode result=accepted new=enforce|permissive
 *	old=enforce|permissive TASK
 *   or, refused while VMs created before shype.ko run (N of them):
 *	op=mode result=denied new=enforce old=permissive reason=unseen_vms
 *	vms=N TASK
 * A label given or taken away (the cgroups and resources files):
 *	op=label|unlabel result=accepted class=cgroup label=NAME|- old=NAME|-
 *	cgroup_id=ID path="PATH" TASK
 *	op=label|unlabel result=accepted class=shm label=NAME|- old=NAME|-
 *	inode=INO path="PATH" TASK
 *
 * TASK is the writer's task information as the audit subsystem gives it
 * (ppid= pid= auid= uid= ... comm= exe= ...).  path= and name= (and a
 * malformed blob's error=) are quoted as audit quotes untrusted strings:
 * "TEXT", or TEXT in hexadecimal when it holds a space, a quote, a
 * control or a non-ASCII character.
 */
#define SHYPE_AUDIT_TYPE 1499

/** SHYPE_SECURITYFS_DIR - where shype's files are. */
#define SHYPE_SECURITYFS_DIR "/sys/kernel/security/shype"

#endif /* _UAPI_LINUX_SHYPE_H */
