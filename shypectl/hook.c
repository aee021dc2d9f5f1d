// SPDX-License-Identifier: GPL-2.0
/*
 * shypectl hook: libvirt's QEMU hook, installed as /etc/libvirt/hooks/qemu
 * (a link to shypectl, which runs this when called by that name).  libvirt
 * runs it as `qemu DOMAIN OPERATION SUB-OPERATION EXTRA` with the domain's
 * XML on stdin.  At "prepare" it refuses (exit 1, the reason on stderr,
 * which `virsh start` shows) a domain the kernel would refuse: a label
 * unknown to the active policy, a Chinese Wall conflict with a running VM,
 * a resource its label may not use (a shared memory file, the bridge of an
 * interface, a vsock CID: the kernel refuses vhost-net such a backend, but
 * QEMU then carries the frames itself), a resource that a running VM is
 * bound to whose label shares no STE type with the domain's (the kernel's
 * bindings file: the kernel would refuse QEMU once `virsh start` had said
 * "started"), a file its QEMU would be refused to open (a disk image of
 * another coalition), or a partition whose cgroup does not carry the
 * domain's label.  When it admits the domain, it gives the domain's own
 * unlabelled disks and NVRAM the domain's label, as the kernel would at
 * QEMU's first write.  It makes and labels that cgroup when missing: systemd removes a
 * slice's cgroup when its last VM stops.  At "start" it checks the
 * resources again: the bridge of an interface of type "network" is in the
 * XML only then (at "prepare", only the network's live status file of an
 * active network names it).  It fails closed: while shype
 * is not enforcing as shype.conf says (shype.ko not loaded, no policy
 * loaded, another mode) it refuses every domain and says why; with
 * SHYPE=off it refuses none.  It never calls libvirt, which waits for it.
 *
 * Every refusal is also audited: one user record (AUDIT_USER_AVC) that
 * names the domain and its label and the running VM or the resource that
 * conflicts.  Without audit (no CONFIG_AUDIT, no right to write) the hook
 * refuses all the same.
 */
#include <errno.h>
#include <libaudit.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "domain.h"

#define XML_MAX (16 << 20)

static int hook_help(int argc, char **argv)
{
	FILE *f = argc ? stdout : stderr;

	(void)argv;
	fprintf(f,
		"Usage: %1$s hook qemu DOMAIN OPERATION SUB-OPERATION EXTRA < DOMAIN-XML\n"
		"       %1$s hook help\n"
		"\n"
		"libvirt runs this as /etc/libvirt/hooks/qemu (a link to %1$s).\n",
		bin_name);
	return argc ? EXIT_SUCCESS : EXIT_USAGE;
}

static char *read_stdin(void)
{
	size_t n = 0, cap = 65536;
	char *buf = malloc(cap + 1), *nb;
	size_t r;

	while (buf) {
		r = fread(buf + n, 1, cap - n, stdin);
		n += r;
		if (n < cap)
			break;
		if (cap >= XML_MAX) {
			free(buf);
			return NULL;
		}
		cap *= 2;
		nb = realloc(buf, cap + 1);
		if (!nb)
			free(buf);
		buf = nb;
	}
	if (buf)
		buf[n] = '\0';
	return buf;
}

/*
 * The audit record of a refusal of @dom at @op (prepare, start): @fields
 * name the domain's label and what conflicts.  Best effort: a kernel
 * without audit, or a hook that may not write to it, refuses unaudited.
 * Decisions made on stand-in files ($SHYPE_SECURITYFS, for tests) are not
 * this kernel's, and are not audited.
 */
static void audit_refusal(const char *dom, const char *op, const char *fields)
{
	char msg[sizeof(((struct verdict *)0)->fields) + 512];
	char q[2 * 256 + 3];
	const char *e = getenv("SHYPE_SECURITYFS");
	int fd;

	if (e && *e)
		return;
	set_aumessage_mode(MSG_QUIET, DBG_NO);
	fd = audit_open();
	if (fd < 0)
		return;
	snprintf(msg, sizeof(msg), "lsm=shype op=%s result=denied domain=%s %s",
		 op, audit_quote(q, sizeof(q), dom), fields);
	audit_log_user_avc_message(fd, AUDIT_USER_AVC, msg, NULL, NULL, NULL,
				   getuid());
	audit_close(fd);
}

/*
 * Refuse @dom at @op: one line that virsh shows after libvirt's own
 * words, and one audit record with @fields.
 */
static int __attribute__((format(printf, 4, 5)))
refuse(const char *dom, const char *op, const char *fields, const char *fmt,
       ...)
{
	va_list ap;

	fprintf(stderr, "shype: domain '%s' refused: ", dom);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	audit_refusal(dom, op, fields);
	return EXIT_FAILURE;
}

/*
 * Refuse @di if its label may not use one of its resources, or if a
 * running VM bound to one (the kernel's bindings file) shares no STE type
 * with it: the kernel would refuse its QEMU later, once libvirt said the
 * domain started.  The bridge of an interface of type "network" is only
 * in the XML once libvirt has allocated the interface ("start"); before,
 * the network's live status file names it.  Where neither does, the
 * kernel still decides on vhost-net's backend.
 */
static int refuse_resources(const char *dom, const char *op,
			    const struct shype_policy *pol, struct dom_info *di)
{
	struct shype_binding_info *b = NULL;
	struct dom_resource *r;
	bool have_b = false;
	struct verdict v;
	size_t n = 0, i;
	int ret = 0, err;
	char *br;

	for (i = 0; !ret && i < di->n_res; i++) {
		r = &di->res[i];
		if (!r->name[0] && r->network) {
			br = network_status_bridge(r->network);
			if (br) {
				free(r->name);
				r->name = br;
			}
		}
		if (!r->name[0])
			continue;
		if (!decide_resource(pol, di->label, r, &v)) {
			ret = refuse(dom, op, v.fields,
				     "its %s may not use %s:%s: %s", r->device,
				     shype_resource_kind_name(r->kind), r->name,
				     v.why);
			break;
		}
		/* Fail closed: unread, a binding could hide a conflict. */
		if (!have_b) {
			err = shype_kernel_bindings(&b, &n);
			if (err) {
				ret = refuse(dom, op,
					     "reason=bindings_unreadable",
					     "cannot read shype's bindings: %s",
					     strerror(-err));
				break;
			}
			have_b = true;
		}
		if (!decide_bound(pol, di->label, r, b, n, &v))
			ret = refuse(dom, op, v.fields,
				     "its %s may not use %s:%s: %s", r->device,
				     shype_resource_kind_name(r->kind), r->name,
				     v.why);
	}
	shype_binding_infos_free(b, n);
	return ret;
}

/*
 * Refuse @di if the kernel would refuse its QEMU the open of one of its
 * files (disks and their backing files, chardev logs, NVRAM, firmware):
 * QEMU would fail once libvirt had begun to start it.
 */
static int refuse_files(const char *dom, const char *op,
			const struct shype_policy *pol,
			const struct dom_info *di)
{
	enum shype_file_reason reason;
	struct shype_file_label fl;
	struct verdict v;
	size_t i;

	for (i = 0; i < di->n_files; i++) {
		const struct dom_file *f = &di->files[i];

		if (!decide_file(pol, di->label, f, &fl, &reason, &v))
			return refuse(dom, op, v.fields,
				      "its %s may not open %s (%s): %s",
				      f->device, f->path,
				      f->write ? "read-write" : "read-only",
				      v.why);
	}
	return 0;
}

/*
 * Give the domain's own unlabelled disks and NVRAM its label before QEMU
 * opens them, as the kernel would at QEMU's first write (the policy's
 * "unlabeled_files": "label"): from now on, no other coalition's VMM may
 * open them, even after this domain stops.  A file that cannot be
 * labelled is said, not refused: the kernel still labels it, or decides
 * on it unlabelled.
 */
static void label_own_files(const struct shype_policy *pol,
			    const struct dom_info *di)
{
	enum shype_file_reason reason;
	struct shype_file_label fl;
	char why[PATH_MAX + 128];
	struct verdict v;
	size_t i;
	int err;

	for (i = 0; i < di->n_files; i++) {
		const struct dom_file *f = &di->files[i];

		if (!f->own ||
		    !decide_file(pol, di->label, f, &fl, &reason, &v) ||
		    reason != SHYPE_FILE_LABEL || access(f->path, F_OK))
			continue;
		err = shype_file_xattr_set(f->path, di->label);
		if (err)
			fprintf(stderr,
				"shype: domain '%s': cannot label its %s '%s': %s\n",
				di->name, f->device, di->label,
				file_label_strerror(err, f->path, why,
						    sizeof(why)));
	}
}

/*
 * Fail closed: is shype enforcing as shype.conf says?  0 when it is; -1
 * when shype.conf turns it off, or lets VMs run without a policy and none
 * is loaded (nothing to refuse); else EXIT_FAILURE after refusing @dom.
 */
static int enforcing(const char *dom, const char *op)
{
	const char *conf = shype_conf_path(), *mode;
	static const char fix[] = "then 'systemctl restart shype.service'";
	struct shype_status st;
	struct shype_error e;
	struct shype_conf c;
	int err;

	err = shype_conf_read(conf, &c, &e);
	if (err == -EINVAL)
		return refuse(dom, op, "reason=bad_conf",
			      "%s:%u: %s: fix it, %s", conf, e.line, e.msg,
			      fix);
	if (err)
		return refuse(dom, op, "reason=conf_unreadable",
			      "cannot read %s: %s", conf, strerror(-err));
	if (c.mode == SHYPE_CONF_OFF)
		return -1;
	if (!shype_kernel_loaded())
		return refuse(
			dom, op, "reason=not_loaded",
			"shype is not enforcing: shype.ko is not loaded (shype.service failed?): see 'systemctl status shype.service', %s",
			fix);
	err = shype_kernel_status(&st);
	if (err)
		return refuse(dom, op, "reason=status_unreadable",
			      "cannot read shype's status: %s", strerror(-err));
	if (!st.policy[0])
		return c.require_policy ?
			       refuse(dom, op, "reason=no_policy",
				      "shype is not enforcing: no policy is loaded (shype.service failed?): fix %s, %s",
				      c.policy, fix) :
			       -1;
	if (st.permissive != (c.mode == SHYPE_CONF_PERMISSIVE)) {
		mode = shype_conf_mode_name(c.mode);
		return refuse(
			dom, op, "reason=mode",
			"shype is not enforcing as configured: its mode is %s, %s says %s: run '%s mode %s'",
			st.permissive ? "permissive" : "enforce", conf, mode,
			bin_name, mode);
	}
	return 0;
}

/*
 * The active policy in @pf and the domain of @xml in @di: 0; -1 when
 * there is nothing to refuse (see enforcing()); else EXIT_FAILURE after
 * refusing.
 */
static int hook_begin(const char *dom, const char *op, const char *xml,
		      struct policy_file *pf, struct dom_info *di)
{
	const char *why;
	int ret;

	ret = enforcing(dom, op);
	if (ret)
		return ret;
	ret = active_policy(pf);
	if (ret < 0)
		return -1;
	if (ret)
		return refuse(dom, op, "reason=policy_unreadable",
			      "cannot read shype's active policy");
	if (dom_info_parse(xml, di, &why)) {
		policy_file_free(pf);
		return refuse(dom, op, "reason=bad_xml", "%s", why);
	}
	return 0;
}

/*
 * Refuse @di if the kernel would refuse its QEMU here: its label (unknown
 * to the active policy, or none where unlabelled VMs are refused), a
 * Chinese Wall conflict with a running VM, its resources and its files.
 * The checks of every start: "prepare", and "migrate" and "restore" for a
 * domain that comes from another host or a save image.
 */
static int refuse_domain(const char *dom, const char *op,
			 const struct shype_policy *pol, struct dom_info *di)
{
	struct verdict v;

	if (!decide_create(pol, di->label, &v)) {
		if (!di->label)
			return refuse(
				dom, op, v.fields,
				"%s; label it with '%s domain label %s LABEL'",
				v.why, bin_name, dom);
		return refuse(dom, op, v.fields, "%s", v.why);
	}
	if (refuse_resources(dom, op, pol, di) ||
	    refuse_files(dom, op, pol, di))
		return EXIT_FAILURE;
	return 0;
}

static int prepare(const char *dom, const char *xml)
{
	char partition[PATH_MAX], cgroup[PATH_MAX], q[2 * PATH_MAX + 3];
	char plabel[SHYPE_NAME_MAX + 1], from[PATH_MAX];
	const char *op = "prepare";
	struct policy_file pf;
	struct dom_info di;
	struct verdict v;
	int ret, err;

	ret = hook_begin(dom, op, xml, &pf, &di);
	if (ret)
		return ret < 0 ? EXIT_SUCCESS : ret;
	ret = EXIT_FAILURE;
	if (refuse_domain(dom, op, &pf.pol, &di))
		goto out;
	if (!di.label) {
		/* The policy labels such VMs itself. */
		ret = EXIT_SUCCESS;
		goto out;
	}
	if (label_partition(di.label, partition, cgroup))
		goto out;
	if (!di.partition || strcmp(di.partition, partition)) {
		snprintf(v.fields, sizeof(v.fields),
			 "reason=partition label=%s partition=%s", di.label,
			 audit_quote(q, sizeof(q),
				     di.partition ? di.partition : "/machine"));
		refuse(dom, op, v.fields,
		       "it has label '%s' but runs in partition '%s', not '%s': run '%s domain label %s %s'",
		       di.label, di.partition ? di.partition : "/machine",
		       partition, bin_name, dom, di.label);
		goto out;
	}
	/* Make and label the partition's cgroup unless it carries the label. */
	err = shype_kernel_label_get(cgroup, plabel, from, sizeof(from));
	if (err || strcmp(plabel, di.label) || strcmp(from, cgroup)) {
		if (label_cgroup(cgroup, di.label)) {
			snprintf(v.fields, sizeof(v.fields),
				 "reason=cgroup_label label=%s cgroup=%s",
				 di.label, audit_quote(q, sizeof(q), cgroup));
			refuse(dom, op, v.fields,
			       "cannot label its partition's cgroup %s",
			       cgroup);
			goto out;
		}
	}
	label_own_files(&pf.pol, &di);
	ret = EXIT_SUCCESS;
out:
	dom_info_free(&di);
	policy_file_free(&pf);
	return ret;
}

/*
 * "start begin": libvirt has allocated the domain's interfaces, so the XML
 * now names the bridge of each interface of type "network".
 */
static int start(const char *dom, const char *xml)
{
	struct policy_file pf;
	struct dom_info di;
	int ret;

	ret = hook_begin(dom, "start", xml, &pf, &di);
	if (ret)
		return ret < 0 ? EXIT_SUCCESS : ret;
	ret = refuse_resources(dom, "start", &pf.pol, &di) ? EXIT_FAILURE :
							     EXIT_SUCCESS;
	dom_info_free(&di);
	policy_file_free(&pf);
	return ret;
}

/* "MAJOR.MINOR" in @s, as a policy's version; false when it is not one. */
static bool parse_version(const char *s, unsigned int *major,
			  unsigned int *minor)
{
	char end;

	return s && sscanf(s, "%u.%u%c", major, minor, &end) == 2;
}

/*
 * One policy across hosts: refuse @di, which comes from another host
 * (@op "migrate") or from a save image ("restore"), when the policy that
 * its last host enforced, as shype-daemon recorded it in the domain's live
 * XML, may decide otherwise than this host's (@pf, the one that decides
 * the domain next): another name, a lower
 * version, or the same version with another digest.  A higher version
 * here is accepted: it is the newer policy, and refuse_domain() decides
 * the domain again under it.  A labelled domain migrating without a record
 * is refused (its source runs no shype-daemon: its label's meaning there
 * is unknown); a save image without one is this host's to decide.
 */
static int refuse_policy(const char *dom, const char *op,
			 const struct policy_file *pf,
			 const struct dom_info *di)
{
	bool migrate = !strcmp(op, "migrate");
	const char *src = migrate ? "the source's" : "the saved domain's";
	const struct shype_policy *p = &pf->pol;
	char f[3][2 * 72 + 3], digest[2 * SHYPE_DIGEST_SIZE + 1];
	unsigned int major, minor;
	struct verdict v;

	policy_digest_hex(pf, digest);

	if (!di->policy.name && !di->policy.version && !di->policy.digest) {
		if (!migrate || !di->label)
			return 0;
		snprintf(v.fields, sizeof(v.fields),
			 "reason=policy_unknown label=%s policy=%s",
			 audit_quote(f[0], sizeof(f[0]), di->label), p->name);
		return refuse(
			dom, op, v.fields,
			"the source recorded no shype policy for it (is shype-daemon running there?): its label '%s' may mean something else there",
			di->label);
	}
	snprintf(
		v.fields, sizeof(v.fields),
		"reason=policy_mismatch policy=%s version=%u.%u from_policy=%s from_version=%s from_digest=%s",
		p->name, p->version_major, p->version_minor,
		audit_quote(f[0], sizeof(f[0]),
			    di->policy.name ? di->policy.name : "-"),
		audit_quote(f[1], sizeof(f[1]),
			    di->policy.version ? di->policy.version : "-"),
		audit_quote(f[2], sizeof(f[2]),
			    di->policy.digest ? di->policy.digest : "-"));
	if (!di->policy.name || !di->policy.digest ||
	    !parse_version(di->policy.version, &major, &minor))
		return refuse(
			dom, op, v.fields,
			"its XML's record of %s shype policy is incomplete",
			src);
	if (strcmp(di->policy.name, p->name))
		return refuse(
			dom, op, v.fields,
			"this host's policy '%s' %u.%u is not %s policy '%s' %s: another policy may decide otherwise; load one policy on both hosts",
			p->name, p->version_major, p->version_minor, src,
			di->policy.name, di->policy.version);
	if (p->version_major < major ||
	    (p->version_major == major && p->version_minor < minor))
		return refuse(
			dom, op, v.fields,
			"this host's policy '%s' %u.%u is older than %s %s: load version %s or higher here first",
			p->name, p->version_major, p->version_minor, src,
			di->policy.version, di->policy.version);
	if (p->version_major == major && p->version_minor == minor &&
	    strcmp(di->policy.digest, digest))
		return refuse(
			dom, op, v.fields,
			"this host's policy '%s' %u.%u has another digest (%.12s...) than %s %s (%.12s...): two different policies carry one version; give the newer a higher version",
			p->name, p->version_major, p->version_minor, digest,
			src, di->policy.version, di->policy.digest);
	return 0;
}

/*
 * "migrate begin" on the destination, "restore begin" (virsh restore, and
 * the start of a managed-saved domain): before any QEMU starts here, the
 * policy its last host enforced, then the checks of "prepare" (which runs
 * again after this, and labels the partition's cgroup).  Nothing on
 * stdout: libvirt would take it for the domain's new XML.
 */
static int incoming(const char *dom, const char *op, const char *xml)
{
	struct policy_file pf;
	struct dom_info di;
	int ret;

	ret = hook_begin(dom, op, xml, &pf, &di);
	if (ret)
		return ret < 0 ? EXIT_SUCCESS : ret;
	ret = EXIT_FAILURE;
	if (!refuse_policy(dom, op, &pf, &di) &&
	    !refuse_domain(dom, op, &pf.pol, &di))
		ret = EXIT_SUCCESS;
	dom_info_free(&di);
	policy_file_free(&pf);
	return ret;
}

static int migrate(const char *dom, const char *xml)
{
	return incoming(dom, "migrate", xml);
}

static int restore(const char *dom, const char *xml)
{
	return incoming(dom, "restore", xml);
}

/* argv: qemu DOMAIN OPERATION SUB-OPERATION EXTRA */
int hook_qemu(int argc, char **argv)
{
	int (*step)(const char *dom, const char *xml);
	char *xml;
	int ret;

	if (argc < 3)
		return usage_err(
			"the qemu hook needs DOMAIN OPERATION ...; see '%s hook help'",
			bin_name);
	if (argc > 3 && strcmp(argv[3], "begin"))
		return EXIT_SUCCESS;
	if (!strcmp(argv[2], "prepare"))
		step = prepare;
	else if (!strcmp(argv[2], "start"))
		step = start;
	else if (!strcmp(argv[2], "migrate"))
		step = migrate;
	else if (!strcmp(argv[2], "restore"))
		step = restore;
	else
		return EXIT_SUCCESS;
	xml = read_stdin();
	if (!xml)
		return refuse(argv[1], argv[2], "reason=bad_xml",
			      "cannot read the domain's XML");
	ret = step(argv[1], xml);
	free(xml);
	return ret;
}

int do_hook(int argc, char **argv)
{
	if (help_asked(argc, argv, hook_help))
		return hook_help(argc, argv);
	if (argc < 2)
		return hook_help(0, argv);
	if (strcmp(argv[1], "qemu"))
		return usage_err(
			"'hook' knows the 'qemu' hook only; see '%s hook help'",
			bin_name);
	return hook_qemu(argc - 1, argv + 1);
}
