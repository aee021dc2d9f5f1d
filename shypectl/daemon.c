// SPDX-License-Identifier: GPL-2.0
/*
 * shypectl daemon: follows libvirt's domain events and keeps each labelled
 * domain's partition, and that partition's cgroup label, in step with its
 * <shype:label> metadata and with the policy loaded in the kernel.  A
 * domain defined, or relabelled with `virsh metadata` alone, gets its
 * partition; a new policy makes every partition be labelled again.  It
 * also records in each running domain's live XML the policy this host
 * enforces (<shypepolicy:policy name= version= digest=/>), at its start
 * and at every new policy: the XML travels with a migration or a save,
 * and the receiving host's hook compares that policy with its own.  It
 * logs every change on stderr (the journal, under systemd).
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "domain.h"

#define POLL_MS 2000

static volatile sig_atomic_t stop;
static bool closed;
/* The kernel's status at the last look: its policy, empty when none. */
static struct shype_status active;

static void __attribute__((format(printf, 1, 2))) logmsg(const char *fmt, ...)
{
	va_list ap;

	fputs("shype-daemon: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fflush(stderr);
}

static int daemon_help(int argc, char **argv)
{
	FILE *f = argc ? stdout : stderr;

	(void)argv;
	fprintf(f,
		"Usage: %1$s daemon [-c URI] [--once]\n"
		"       %1$s daemon help\n"
		"\n"
		"       --once  bring every domain in step, then exit\n",
		bin_name);
	return argc ? EXIT_SUCCESS : EXIT_USAGE;
}

/* Bring one domain in step; logs what it changes or cannot. */
static void sync_domain(virDomainPtr d)
{
	char partition[PATH_MAX], cgroup[PATH_MAX], plabel[SHYPE_NAME_MAX + 1];
	char from[PATH_MAX];
	struct policy_file pf;
	struct dom_info di;
	const char *why;
	bool changed;
	char *xml;
	int ret;

	if (virDomainIsPersistent(d) != 1)
		return;
	xml = virDomainGetXMLDesc(d, VIR_DOMAIN_XML_INACTIVE);
	if (!xml)
		return;
	ret = dom_info_parse(xml, &di, &why);
	free(xml);
	if (ret) {
		logmsg("domain '%s': %s", virDomainGetName(d), why);
		return;
	}
	if (!di.label)
		goto out;
	ret = active_policy(&pf);
	if (ret < 0) {
		logmsg("domain '%s': label '%s', but no policy is loaded",
		       di.name, di.label);
		goto out;
	}
	if (ret)
		goto out;
	if (shype_vm_label_index(&pf.pol, di.label, strlen(di.label)) ==
	    SHYPE_NOT_FOUND) {
		logmsg("domain '%s': label '%s' is not a VM label of policy '%s': it will be refused",
		       di.name, di.label, pf.pol.name);
		goto out_policy;
	}
	if (label_partition(di.label, partition, cgroup))
		goto out_policy;
	/* Nothing to do: right partition, cgroup labelled itself. */
	if (di.partition && !strcmp(di.partition, partition) &&
	    !shype_kernel_label_get(cgroup, plabel, from, sizeof(from)) &&
	    !strcmp(plabel, di.label) && !strcmp(from, cgroup))
		goto out_policy;
	if (!domain_set_label(d, di.label, &changed))
		logmsg("domain '%s': label '%s', partition %s, cgroup %s labelled%s",
		       di.name, di.label, partition, cgroup,
		       changed ? " (domain redefined)" : "");
out_policy:
	policy_file_free(&pf);
out:
	dom_info_free(&di);
}

static void sync_all(virConnectPtr c)
{
	virDomainPtr *doms = NULL;
	int n, i;

	n = virConnectListAllDomains(c, &doms,
				     VIR_CONNECT_LIST_DOMAINS_PERSISTENT);
	if (n < 0) {
		logmsg("cannot list domains: %s", virt_msg());
		return;
	}
	for (i = 0; i < n; i++) {
		sync_domain(doms[i]);
		virDomainFree(doms[i]);
	}
	free(doms);
}

/*
 * Record in running domain @d's live XML the policy this host enforces,
 * for the host it migrates to or is restored on.  Nothing without a
 * policy: that host then refuses a labelled domain, not knowing what its
 * label meant here.
 */
static void record_policy(virDomainPtr d)
{
	char meta[SHYPE_NAME_MAX + 2 * SHYPE_DIGEST_SIZE + 96];

	if (!active.policy[0] || virDomainIsActive(d) != 1)
		return;
	snprintf(meta, sizeof(meta),
		 "<%s name='%s' version='%u.%u' digest='%s'/>",
		 SHYPE_LIBVIRT_POLICY_ELEMENT, active.policy,
		 active.version_major, active.version_minor, active.digest);
	if (virDomainSetMetadata(d, VIR_DOMAIN_METADATA_ELEMENT, meta,
				 SHYPE_LIBVIRT_POLICY_PREFIX,
				 SHYPE_LIBVIRT_POLICY_NS,
				 VIR_DOMAIN_AFFECT_LIVE) < 0)
		logmsg("domain '%s': cannot record policy '%s' in its live XML: %s",
		       virDomainGetName(d), active.policy, virt_msg());
}

static void record_all(virConnectPtr c)
{
	virDomainPtr *doms = NULL;
	int n, i;

	n = virConnectListAllDomains(c, &doms, VIR_CONNECT_LIST_DOMAINS_ACTIVE);
	if (n < 0) {
		logmsg("cannot list running domains: %s", virt_msg());
		return;
	}
	for (i = 0; i < n; i++) {
		record_policy(doms[i]);
		virDomainFree(doms[i]);
	}
	free(doms);
}

/* A new policy (or none): every domain again. */
static void check_policy(int timer, void *opaque)
{
	struct shype_status st;
	virConnectPtr c = opaque;

	(void)timer;
	if (!shype_kernel_loaded() || shype_kernel_status(&st))
		st.digest[0] = st.policy[0] = '\0';
	if (!strcmp(st.digest, active.digest))
		return;
	active = st;
	if (st.policy[0]) {
		logmsg("policy '%s' %u.%u is active: labelling partitions",
		       st.policy, st.version_major, st.version_minor);
		sync_all(c);
		record_all(c);
	} else {
		logmsg("no policy is active");
	}
}

static int on_lifecycle(virConnectPtr c, virDomainPtr d, int event, int detail,
			void *opaque)
{
	(void)c;
	(void)opaque;
	if (event == VIR_DOMAIN_EVENT_DEFINED)
		sync_domain(d);
	/*
	 * An incoming migration is recorded once it resumes here: while it
	 * runs, its job would hold this (single) event loop up.
	 */
	if ((event == VIR_DOMAIN_EVENT_STARTED &&
	     detail != VIR_DOMAIN_EVENT_STARTED_MIGRATED) ||
	    event == VIR_DOMAIN_EVENT_RESUMED)
		record_policy(d);
	return 0;
}

static void on_metadata(virConnectPtr c, virDomainPtr d, int type,
			const char *nsuri, void *opaque)
{
	(void)c;
	(void)opaque;
	if (type == VIR_DOMAIN_METADATA_ELEMENT && nsuri &&
	    !strcmp(nsuri, SHYPE_LIBVIRT_NS)) {
		logmsg("domain '%s': shype metadata changed",
		       virDomainGetName(d));
		sync_domain(d);
	}
}

static void on_close(virConnectPtr c, int reason, void *opaque)
{
	(void)c;
	(void)opaque;
	logmsg("connection to libvirt closed (reason %d)", reason);
	closed = true;
}

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int daemon_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "connect", required_argument, NULL, 'c' },
		{ "once", no_argument, NULL, 'o' },
		{ 0 },
	};
	const char *uri = NULL;
	bool once = false;
	virConnectPtr c;
	int cb[2], timer, o;
	struct sigaction sa = { .sa_handler = on_signal };

	while ((o = cmd_getopt(argc, argv, "c:", opts)) != -1) {
		if (o == 'c')
			uri = optarg;
		else if (o == 'o')
			once = true;
		else
			return EXIT_USAGE;
	}
	if (optind < argc)
		return usage_err(
			"'daemon' takes no argument; see '%s daemon help'",
			bin_name);
	if (virEventRegisterDefaultImpl() < 0) {
		p_err("cannot set up libvirt's event loop: %s", virt_msg());
		return EXIT_FAILURE;
	}
	c = virt_connect(uri);
	if (!c)
		return EXIT_FAILURE;
	if (once) {
		check_policy(0, c);
		virConnectClose(c);
		return EXIT_SUCCESS;
	}
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	virConnectRegisterCloseCallback(c, on_close, NULL, NULL);
	cb[0] = virConnectDomainEventRegisterAny(
		c, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
		VIR_DOMAIN_EVENT_CALLBACK(on_lifecycle), NULL, NULL);
	cb[1] = virConnectDomainEventRegisterAny(
		c, NULL, VIR_DOMAIN_EVENT_ID_METADATA_CHANGE,
		VIR_DOMAIN_EVENT_CALLBACK(on_metadata), NULL, NULL);
	if (cb[0] < 0 || cb[1] < 0) {
		p_err("cannot follow libvirt's domain events: %s", virt_msg());
		virConnectClose(c);
		return EXIT_FAILURE;
	}
	logmsg("following libvirt domain events on %s",
	       uri ? uri : "libvirt's default connection");
	check_policy(0, c);
	timer = virEventAddTimeout(POLL_MS, check_policy, c, NULL);
	while (!stop && !closed) {
		if (virEventRunDefaultImpl() < 0) {
			logmsg("event loop: %s", virt_msg());
			break;
		}
	}
	if (timer >= 0)
		virEventRemoveTimeout(timer);
	virConnectDomainEventDeregisterAny(c, cb[0]);
	virConnectDomainEventDeregisterAny(c, cb[1]);
	virConnectClose(c);
	logmsg("stopped");
	return closed ? EXIT_FAILURE : EXIT_SUCCESS;
}

int do_daemon(int argc, char **argv)
{
	if (help_asked(argc, argv, daemon_help))
		return daemon_help(argc, argv);
	return daemon_run(argc, argv);
}
