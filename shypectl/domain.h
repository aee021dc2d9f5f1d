/* SPDX-License-Identifier: GPL-2.0 */
/*
 * shypectl: what the libvirt commands (domain, hook, daemon) share.  The
 * domain XML is read with libxml2 (domxml.c); decisions are kmod/core's on
 * the kernel's active policy (decide.c).  The hook never connects to
 * libvirt: libvirtd waits for it, so a call back would deadlock.
 */
#ifndef SHYPECTL_DOMAIN_H
#define SHYPECTL_DOMAIN_H

#include <libvirt/libvirt.h>

#include "main.h"

/**
 * struct dom_resource - a resource a domain's XML names
 * @kind: an &enum shype_resource_kind
 * @name: its name as a policy names it ("/dev/shm/x", "br0", "3")
 * @device: the device that uses it ("shmem ivshmem0", "interface")
 * @network: for an interface of type "network", the network's name, whose
 *	bridge only libvirt knows (else NULL)
 */
struct dom_resource {
	unsigned int kind;
	char *name;
	char *device;
	char *network;
};

/**
 * enum dom_file_type - what a path of a domain's XML is
 * @DOM_FILE: a file (a disk image, NVRAM, firmware, a chardev's log): its
 *	opens are decided on its label
 * @DOM_BLOCK: a block device (<disk type='block'>): not decided, shype
 *	labels regular files only
 * @DOM_DIR: a directory a <filesystem> exports: not decided itself; each
 *	file under it is, as it is opened
 */
enum dom_file_type {
	DOM_FILE,
	DOM_BLOCK,
	DOM_DIR,
};

/**
 * struct dom_file - a path a domain's QEMU opens
 * @path: as the XML gives it
 * @device: the device that uses it ("disk vda", "nvram", "serial")
 * @type: an &enum dom_file_type
 * @write: it is opened for writing (no <readonly/>)
 * @own: the domain's own: a writable disk that is not <shareable/>, or
 *	its NVRAM; the hook gives it the domain's label when it has none
 */
struct dom_file {
	char *path;
	char *device;
	enum dom_file_type type;
	bool write;
	bool own;
};

/**
 * struct dom_info - what shype reads from a domain's XML
 * @name: the domain's name
 * @label: its <shype:label>, NULL when it has none
 * @partition: its <resource><partition>, NULL when it has none
 * @res: the resources it names
 * @n_res: how many
 * @files: the paths its devices open: disks (and their backing files),
 *	filesystems, chardevs on files, NVRAM and firmware
 * @n_files: how many
 * @policy: the policy its last host enforced, as shype-daemon recorded it
 *	in its live XML (<shypepolicy:policy>): name, version ("1.0") and
 *	digest, each NULL when missing
 */
struct dom_info {
	char *name;
	char *label;
	char *partition;
	struct {
		char *name;
		char *version;
		char *digest;
	} policy;
	struct dom_resource *res;
	size_t n_res;
	struct dom_file *files;
	size_t n_files;
};

/* Parse domain XML; 0, or -EINVAL (not a domain) / -ENOMEM, with a message
 * in @why. */
int dom_info_parse(const char *xml, struct dom_info *d, const char **why);
void dom_info_free(struct dom_info *d);

/* @xml with <resource><partition> set to @partition; malloc()ed, NULL on
 * failure. */
char *dom_xml_set_partition(const char *xml, const char *partition);

/* Does libvirt place VMs through systemd-machined here? */
bool libvirt_uses_systemd(void);

/*
 * The cgroup of @label's partition (a path from the cgroup v2 root), and
 * the partition itself; on failure print why and return EXIT_FAILURE.
 */
int label_partition(const char *label, char partition[PATH_MAX],
		    char cgroup[PATH_MAX]);

/*
 * struct verdict - a decision's reasons: @why in words, and @fields, when
 *	it denies, as audit fields ("reason=WORD label=LABEL ..."), naming the
 *	other side: the running VM or the resource that conflicts
 */
struct verdict {
	char why[PATH_MAX + 512];
	char fields[2 * PATH_MAX + 512];
};

/*
 * Would the kernel let a VM of @label (NULL: unlabelled) be created now,
 * beside the VMs of the vms file?  @v says why not, or why.  Returns true
 * to allow; on an error reading the vms file, false with @v saying so.
 */
bool decide_create(const struct shype_policy *p, const char *label,
		   struct verdict *v);

/*
 * May a VM of @label use resource @r?  @v says why (not).  A resource the
 * policy does not label is allowed.
 */
bool decide_resource(const struct shype_policy *p, const char *label,
		     const struct dom_resource *r, struct verdict *v);

/*
 * May the VMM of a domain of @label (NULL: unlabelled) open file @f?  The
 * kernel's decision (shype_file_decide()) on the file's label as
 * shype_file_label() finds it, in @fl; @reason is the decision (ok for
 * what is not decided: block devices, directories).  @v says why (not).
 */
bool decide_file(const struct shype_policy *p, const char *label,
		 const struct dom_file *f, struct shype_file_label *fl,
		 enum shype_file_reason *reason, struct verdict *v);

/*
 * May a VM of @label (NULL: unlabelled) bind resource @r beside the VMs
 * that @b (the kernel's bindings file, @n lines) says are bound to it?
 * The kernel's rule: VMs bound to one object must share an STE type.
 * @v names the first VM that does not, or says why it may.
 */
bool decide_bound(const struct shype_policy *p, const char *label,
		  const struct dom_resource *r,
		  const struct shype_binding_info *b, size_t n,
		  struct verdict *v);

/*
 * The bridge of libvirt network @name as its live status file says (the
 * hook may not ask libvirt); malloc()ed, NULL when it has none, the
 * network is not active, or the file is unreadable.
 */
char *network_status_bridge(const char *name);

/*
 * @s as audit quotes an untrusted string: "s", or s in hexadecimal when it
 * holds a space, a quote, a control or a non-ASCII character.
 */
const char *audit_quote(char *buf, size_t size, const char *s);

/* A connection to libvirt at @uri (NULL: its default); NULL after saying
 * why not.  libvirt's own error printing is turned off. */
virConnectPtr virt_connect(const char *uri);
/* The domain of name, UUID or ID @name; NULL after saying why not. */
virDomainPtr virt_domain(virConnectPtr c, const char *name);
/* The last libvirt error's message. */
const char *virt_msg(void);

/*
 * Give defined domain @d label @label: its metadata, its partition (the
 * domain is redefined when that changes) and the partition's cgroup
 * labelled.  *@changed says whether the domain's XML changed.  Prints
 * why on failure and returns EXIT_FAILURE.
 */
int domain_set_label(virDomainPtr d, const char *label, bool *changed);

/* The objects. */
int do_domain(int argc, char **argv);
int do_hook(int argc, char **argv);
int do_daemon(int argc, char **argv);
/* The qemu hook, argv: qemu DOMAIN OPERATION SUB-OPERATION EXTRA. */
int hook_qemu(int argc, char **argv);

#endif /* SHYPECTL_DOMAIN_H */
