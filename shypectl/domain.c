// SPDX-License-Identifier: GPL-2.0
/*
 * shypectl domain { list | label | dry-run }: libvirt domains' labels, as
 * Xen's `xm list --label`, `xm addlabel` and `xm dry-run` did for domains.  A domain's label is its
 * <shype:label> metadata; the kernel takes it from the cgroup of the
 * domain's resource partition, which `domain label` sets and labels.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "domain.h"

static const char *connect_uri;

/* Called with argc 0 for a missing command: then a usage error. */
static int domain_help(int argc, char **argv)
{
	FILE *f = argc ? stdout : stderr;

	(void)argv;
	fprintf(f,
		"Usage: %1$s domain list [-c URI]\n"
		"       %1$s domain label DOMAIN LABEL [-c URI]\n"
		"       %1$s domain dry-run DOMAIN [-c URI]\n"
		"       %1$s domain help\n"
		"\n"
		"       DOMAIN := { NAME | UUID | ID }\n"
		"       URI := a libvirt connection URI (default: libvirt's own)\n"
		"       OPTIONS := { {-j|--json} [{-p|--pretty}] }\n",
		bin_name);
	return argc ? EXIT_SUCCESS : EXIT_USAGE;
}

/* libvirt's errors are printed by us, once, with what failed. */
static void quiet(void *data, virErrorPtr err)
{
	(void)data;
	(void)err;
}

const char *virt_msg(void)
{
	const char *m = virGetLastErrorMessage();

	return m ? m : "unknown libvirt error";
}

virConnectPtr virt_connect(const char *uri)
{
	virConnectPtr c;

	virSetErrorFunc(NULL, quiet);
	c = virConnectOpen(uri);
	if (!c)
		p_err("cannot connect to libvirt%s%s: %s", uri ? " at " : "",
		      uri ? uri : "", virt_msg());
	return c;
}

virDomainPtr virt_domain(virConnectPtr c, const char *name)
{
	virDomainPtr d;
	char *end;
	long id;

	d = virDomainLookupByName(c, name);
	if (!d)
		d = virDomainLookupByUUIDString(c, name);
	if (!d) {
		id = strtol(name, &end, 10);
		if (*name && !*end && id >= 0)
			d = virDomainLookupByID(c, (int)id);
	}
	if (!d)
		p_err("no libvirt domain '%s'", name);
	return d;
}

/* -c URI and exactly @n arguments.  Returns -1 to go on, or the status. */
static int args(int argc, char **argv, int n, const char *what)
{
	static const struct option opts[] = {
		{ "connect", required_argument, NULL, 'c' },
		{ 0 },
	};
	int c;

	while ((c = cmd_getopt(argc, argv, "c:", opts)) != -1) {
		if (c != 'c')
			return EXIT_USAGE;
		connect_uri = optarg;
	}
	if (argc - optind != n)
		return usage_err("'domain %s' %s; see '%s domain help'",
				 argv[0], what, bin_name);
	return -1;
}

/* The domain's XML (flags of virDomainGetXMLDesc) parsed into @di. */
static int domain_info(virDomainPtr d, unsigned int flags, char **xml,
		       struct dom_info *di)
{
	const char *why;

	*xml = virDomainGetXMLDesc(d, flags);
	if (!*xml) {
		p_err("cannot read the domain's XML: %s", virt_msg());
		return EXIT_FAILURE;
	}
	if (dom_info_parse(*xml, di, &why)) {
		p_err("%s", why);
		free(*xml);
		*xml = NULL;
		return EXIT_FAILURE;
	}
	return EXIT_SUCCESS;
}

int domain_set_label(virDomainPtr d, const char *label, bool *changed)
{
	char meta[SHYPE_NAME_MAX + 32], partition[PATH_MAX], cgroup[PATH_MAX];
	struct dom_info di;
	char *xml, *nxml;
	virDomainPtr nd;
	int ret = EXIT_FAILURE;

	*changed = false;
	if (label_partition(label, partition, cgroup) ||
	    shype_libvirt_metadata(label, meta, sizeof(meta)))
		return EXIT_FAILURE;
	if (domain_info(d, VIR_DOMAIN_XML_INACTIVE | VIR_DOMAIN_XML_SECURE,
			&xml, &di))
		return EXIT_FAILURE;

	if (!di.label || strcmp(di.label, label)) {
		if (virDomainSetMetadata(d, VIR_DOMAIN_METADATA_ELEMENT, meta,
					 SHYPE_LIBVIRT_PREFIX, SHYPE_LIBVIRT_NS,
					 VIR_DOMAIN_AFFECT_CONFIG) < 0) {
			p_err("cannot set the label of domain '%s': %s",
			      di.name, virt_msg());
			goto out;
		}
		*changed = true;
		/* Re-read: the partition goes into the XML with the label. */
		free(xml);
		dom_info_free(&di);
		if (domain_info(d,
				VIR_DOMAIN_XML_INACTIVE | VIR_DOMAIN_XML_SECURE,
				&xml, &di))
			return EXIT_FAILURE;
	}
	if (!di.partition || strcmp(di.partition, partition)) {
		nxml = dom_xml_set_partition(xml, partition);
		nd = nxml ? virDomainDefineXML(virDomainGetConnect(d), nxml) :
			    NULL;
		free(nxml);
		if (!nd) {
			p_err("cannot set the partition of domain '%s' to %s: %s",
			      di.name, partition, virt_msg());
			goto out;
		}
		virDomainFree(nd);
		*changed = true;
	}
	ret = label_cgroup(cgroup, label);
out:
	free(xml);
	dom_info_free(&di);
	return ret;
}

static int domain_label(int argc, char **argv)
{
	char partition[PATH_MAX], cgroup[PATH_MAX];
	struct policy_file pf;
	virConnectPtr c = NULL;
	virDomainPtr d = NULL;
	const char *label;
	bool changed;
	int ret;

	ret = args(argc, argv, 2, "needs DOMAIN LABEL");
	if (ret >= 0)
		return ret;
	label = argv[optind + 1];
	if (label_partition(label, partition, cgroup))
		return EXIT_FAILURE;
	ret = active_policy(&pf);
	if (ret < 0) {
		p_err(shype_kernel_loaded() ?
			      "no shype policy is loaded: load one first ('%s load FILE')" :
			      "shype.ko is not loaded (no %s)",
		      shype_kernel_loaded() ? bin_name :
					      shype_securityfs_dir());
		return EXIT_FAILURE;
	}
	if (ret)
		return ret;
	ret = EXIT_FAILURE;
	if (shype_vm_label_index(&pf.pol, label, strlen(label)) ==
	    SHYPE_NOT_FOUND) {
		p_err("the active policy '%s' has no VM label '%s'",
		      pf.pol.name, label);
		goto out;
	}
	c = virt_connect(connect_uri);
	d = c ? virt_domain(c, argv[optind]) : NULL;
	if (!d)
		goto out;
	if (virDomainIsPersistent(d) != 1) {
		p_err("domain '%s' is transient: only a defined domain keeps a label",
		      argv[optind]);
		goto out;
	}
	ret = domain_set_label(d, label, &changed);
	if (ret)
		goto out;
	new_json_obj(json_output, pretty_output);
	print_string(PRINT_ANY, "domain", "domain %s", virDomainGetName(d));
	print_string(PRINT_ANY, "label", "  label %s", label);
	print_string(PRINT_ANY, "partition", "  partition %s", partition);
	print_string(PRINT_ANY, "cgroup", "  cgroup %s", cgroup);
	print_bool(PRINT_JSON, "changed", NULL, changed);
	print_nl();
	delete_json_obj();
	if (virDomainIsActive(d) == 1 && changed && !json_output)
		fprintf(stderr,
			"note: domain '%s' is running; its VM keeps the label it was created with until it restarts\n",
			virDomainGetName(d));
out:
	if (d)
		virDomainFree(d);
	if (c)
		virConnectClose(c);
	policy_file_free(&pf);
	return ret;
}

static const char *state_name(int state)
{
	switch (state) {
	case VIR_DOMAIN_RUNNING:
		return "running";
	case VIR_DOMAIN_BLOCKED:
		return "blocked";
	case VIR_DOMAIN_PAUSED:
		return "paused";
	case VIR_DOMAIN_SHUTDOWN:
		return "shutting-down";
	case VIR_DOMAIN_SHUTOFF:
		return "shut-off";
	case VIR_DOMAIN_CRASHED:
		return "crashed";
	case VIR_DOMAIN_PMSUSPENDED:
		return "suspended";
	default:
		return "no-state";
	}
}

static int by_name(const void *a, const void *b)
{
	return strcmp(virDomainGetName(*(virDomainPtr const *)a),
		      virDomainGetName(*(virDomainPtr const *)b));
}

/* One line of domain list: its name, state and what its XML says. */
static int print_domain(virDomainPtr d)
{
	struct dom_info di;
	unsigned int id = virDomainGetID(d);
	int state = VIR_DOMAIN_NOSTATE;
	char *xml;

	/* The XML of the domain as it runs, or as defined when it does not. */
	if (domain_info(d, 0, &xml, &di))
		return EXIT_FAILURE;
	if (virDomainGetState(d, &state, NULL, 0) < 0)
		state = VIR_DOMAIN_NOSTATE;
	open_json_object(NULL);
	print_string(PRINT_ANY, "domain", "domain %s", di.name);
	if (id == (unsigned int)-1)
		print_null(PRINT_ANY, "id", "  id %s", "-");
	else
		print_uint(PRINT_ANY, "id", "  id %u", id);
	print_string(PRINT_ANY, "state", "  state %s", state_name(state));
	if (di.label)
		print_string(PRINT_ANY, "label", "  label %s", di.label);
	else
		print_null(PRINT_ANY, "label", "  label %s", "-");
	if (di.partition)
		print_string(PRINT_ANY, "partition", "  partition %s",
			     di.partition);
	else
		print_null(PRINT_ANY, "partition", "  partition %s", "-");
	close_json_object();
	print_nl();
	free(xml);
	dom_info_free(&di);
	return EXIT_SUCCESS;
}

/* Every domain of libvirt with its shype label, as its XML says. */
static int domain_list(int argc, char **argv)
{
	virDomainPtr *doms = NULL;
	virConnectPtr c;
	int n, i, ret;

	ret = args(argc, argv, 0, "takes no argument");
	if (ret >= 0)
		return ret;
	c = virt_connect(connect_uri);
	if (!c)
		return EXIT_FAILURE;
	n = virConnectListAllDomains(c, &doms, 0);
	if (n < 0) {
		p_err("cannot list libvirt's domains: %s", virt_msg());
		virConnectClose(c);
		return EXIT_FAILURE;
	}
	qsort(doms, n, sizeof(*doms), by_name);
	ret = EXIT_SUCCESS;
	new_json_obj(json_output, pretty_output);
	open_json_array(PRINT_JSON, "domains");
	for (i = 0; i < n; i++) {
		if (print_domain(doms[i]))
			ret = EXIT_FAILURE;
		virDomainFree(doms[i]);
	}
	close_json_array(PRINT_JSON, NULL);
	delete_json_obj();
	free(doms);
	virConnectClose(c);
	return ret;
}

/*
 * Why domain @dom's label @label, which is no VM label of @p, is refused,
 * and the command that gives it one that is.
 */
static void unknown_label(char *why, size_t size, const struct shype_policy *p,
			  const char *dom, const char *label)
{
	const char *near = nearest_vm_label(p, label);
	size_t n;
	u32 l;

	if (near) {
		snprintf(
			why, size,
			"label '%s' is not a VM label of policy '%s'; did you mean '%s'? run '%s domain label %s %s'",
			label, p->name, near, bin_name, dom, near);
		return;
	}
	n = snprintf(
		why, size,
		"label '%s' is not a VM label of policy '%s': run '%s domain label %s LABEL', LABEL one of",
		label, p->name, bin_name, dom);
	for (l = 0; l < p->labels && n < size; l++)
		if (shype_label_is_vm(p, l))
			n += snprintf(why + n, size - n, " %s",
				      p->label[l].name);
}

/* The bridge of network @name, for an interface of type "network". */
static char *network_bridge(virConnectPtr c, const char *name)
{
	virNetworkPtr n = virNetworkLookupByName(c, name);
	char *br;

	if (!n)
		return NULL;
	br = virNetworkGetBridgeName(n);
	virNetworkFree(n);
	return br;
}

static void print_check(const char *what, const char *device, bool allow,
			const char *why)
{
	open_json_object(NULL);
	print_string(PRINT_ANY, "resource", "%-28s", what);
	print_string(PRINT_ANY, "device", " %-22s", device);
	print_string(PRINT_ANY, "decision", " %-5s", allow ? "allow" : "deny");
	print_string(PRINT_ANY, "reason", " %s", why);
	close_json_object();
	print_nl();
}

/*
 * A file's check: as print_check(), with the file's label (and where it
 * comes from), whether it is written, and the kernel's word for the
 * decision (as in its audit lines).
 */
static void print_file_check(const struct shype_policy *p,
			     const struct dom_file *f,
			     const struct shype_file_label *fl,
			     enum shype_file_reason reason, bool allow,
			     const char *why)
{
	char what[PATH_MAX + 8], dev[160];
	const char *label = NULL;

	if (fl->label < p->labels)
		label = p->label[fl->label].name;
	else if (fl->label == SHYPE_LABEL_MISSING)
		label = fl->xattr[0] ? fl->xattr : "?";
	snprintf(what, sizeof(what), "file:%s", f->path);
	snprintf(dev, sizeof(dev), "%s %s", f->device, f->write ? "rw" : "ro");
	open_json_object(NULL);
	print_string(PRINT_ANY, "resource", "%-28s", what);
	print_string(PRINT_ANY, "device", " %-22s", dev);
	print_string(PRINT_ANY, "decision", " %-5s", allow ? "allow" : "deny");
	print_bool(PRINT_JSON, "write", NULL, f->write);
	if (label)
		print_string(PRINT_ANY, "label", " label %s", label);
	else
		print_null(PRINT_ANY, "label", " label %s", "-");
	print_string(PRINT_JSON, "from", NULL,
		     label ? shype_file_from_name(fl->from) : "none");
	print_string(PRINT_JSON, "verdict", NULL,
		     shype_file_reason_name(reason));
	print_string(PRINT_ANY, "reason", ": %s", why);
	close_json_object();
	print_nl();
}

static int domain_dry_run(int argc, char **argv)
{
	char partition[PATH_MAX], cgroup[PATH_MAX], why[PATH_MAX + 512];
	struct shype_file_label fl;
	enum shype_file_reason reason;
	struct verdict v;
	char what[300];
	char plabel[SHYPE_NAME_MAX + 1], from[PATH_MAX];
	struct dom_resource *r;
	struct policy_file pf;
	struct dom_info di = { 0 };
	struct shype_binding_info *b = NULL;
	bool bind_read = false;
	size_t n_b = 0;
	int bind_err = 0;
	virConnectPtr c = NULL;
	virDomainPtr d = NULL;
	bool allow, denied = false, running;
	char *xml = NULL, *br;
	size_t i;
	int ret;

	ret = args(argc, argv, 1, "needs one DOMAIN");
	if (ret >= 0)
		return ret;
	ret = active_policy(&pf);
	if (ret < 0) {
		p_err(shype_kernel_loaded() ? "no shype policy is loaded" :
					      "shype.ko is not loaded (no %s)",
		      shype_securityfs_dir());
		return EXIT_FAILURE;
	}
	if (ret)
		return ret;
	ret = EXIT_FAILURE;
	c = virt_connect(connect_uri);
	d = c ? virt_domain(c, argv[optind]) : NULL;
	if (!d || domain_info(d, 0, &xml, &di))
		goto out;
	running = virDomainIsActive(d) == 1;

	new_json_obj(json_output, pretty_output);
	print_string(PRINT_ANY, "domain", "domain %s", di.name);
	print_string(PRINT_ANY, "policy", "  policy %s", pf.pol.name);
	if (di.label)
		print_string(PRINT_ANY, "label", "  label %s", di.label);
	else
		print_null(PRINT_ANY, "label", "  label %s", "-");
	print_string(PRINT_ANY, "partition", "  partition %s",
		     di.partition ? di.partition : "/machine");
	print_bool(PRINT_ANY, "running", "  running %s", running);
	print_nl();
	open_json_array(PRINT_JSON, "checks");

	/* The partition: does the kernel give its cgroup the domain's label? */
	if (di.label &&
	    shype_vm_label_index(&pf.pol, di.label, strlen(di.label)) ==
		    SHYPE_NOT_FOUND) {
		unknown_label(why, sizeof(why), &pf.pol, di.name, di.label);
		denied = true;
		print_check("partition", di.partition ? di.partition : "-",
			    false, why);
	} else if (di.label) {
		plabel[0] = '\0';
		if (shype_libvirt_partition_cgroup(
			    di.partition ? di.partition : "/machine",
			    libvirt_uses_systemd(), cgroup, sizeof(cgroup)) ||
		    shype_kernel_label_get(cgroup, plabel, from, sizeof(from)))
			plabel[0] = '\0';
		shype_libvirt_partition(di.label, partition, sizeof(partition));
		allow = !strcmp(plabel, di.label);
		if (allow)
			snprintf(why, sizeof(why), "cgroup %s is labelled '%s'",
				 cgroup, plabel);
		else if (plabel[0])
			snprintf(
				why, sizeof(why),
				"its cgroup is labelled '%s', not '%s': run 'shypectl domain label %s %s'",
				plabel, di.label, di.name, di.label);
		else
			snprintf(
				why, sizeof(why),
				"its cgroup is not labelled (yet): run 'shypectl domain label %s %s'",
				di.name, di.label);
		denied |= !allow;
		print_check("partition", di.partition ? di.partition : "-",
			    allow, why);
	}
	if (running) {
		print_check("create", "-", true, "running");
	} else {
		allow = decide_create(&pf.pol, di.label, &v);
		denied |= !allow;
		print_check("create", "-", allow, v.why);
	}
	for (i = 0; i < di.n_res; i++) {
		r = &di.res[i];
		if (!r->name[0] && r->network) {
			br = network_bridge(c, r->network);
			if (!br) {
				snprintf(what, sizeof(what), "network:%s",
					 r->network);
				print_check(
					what, r->device, true,
					"the network has no bridge (or is not active)");
				continue;
			}
			free(r->name);
			r->name = br;
		}
		snprintf(what, sizeof(what), "%s:%s",
			 shype_resource_kind_name(r->kind), r->name);
		allow = decide_resource(&pf.pol, di.label, r, &v);
		denied |= !allow;
		print_check(what, r->device, allow, v.why);
		/* As the hook: beside the running VMs bound to it. */
		if (running)
			continue;
		if (!bind_read) {
			bind_err = shype_kernel_bindings(&b, &n_b);
			bind_read = true;
		}
		if (bind_err) {
			snprintf(v.why, sizeof(v.why),
				 "cannot read shype's bindings: %s",
				 strerror(-bind_err));
			allow = false;
		} else {
			allow = decide_bound(&pf.pol, di.label, r, b, n_b, &v);
		}
		denied |= !allow;
		print_check(what, r->device, allow, v.why);
	}
	/* The files its QEMU opens, as the kernel decides each open. */
	for (i = 0; i < di.n_files; i++) {
		allow = decide_file(&pf.pol, di.label, &di.files[i], &fl,
				    &reason, &v);
		denied |= !allow;
		print_file_check(&pf.pol, &di.files[i], &fl, reason, allow,
				 v.why);
	}
	close_json_array(PRINT_JSON, NULL);
	print_string(PRINT_ANY, "decision", "decision %s",
		     denied ? "deny" : "allow");
	print_nl();
	delete_json_obj();
	ret = denied ? EXIT_DENIED : EXIT_SUCCESS;
out:
	shype_binding_infos_free(b, n_b);
	free(xml);
	dom_info_free(&di);
	if (d)
		virDomainFree(d);
	if (c)
		virConnectClose(c);
	policy_file_free(&pf);
	return ret;
}

int do_domain(int argc, char **argv)
{
	static const struct cmd cmds[] = {
		{ "list", domain_list },
		{ "label", domain_label },
		{ "dry-run", domain_dry_run },
		{ "help", domain_help },
		{ 0 },
	};

	if (argc > 1 && !strcmp(argv[1], "help"))
		return domain_help(1, argv);
	return cmd_select(cmds, argc - 1, argv + 1, domain_help);
}
