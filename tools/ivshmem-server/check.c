// SPDX-License-Identifier: GPL-2.0
/*
 * shype-ivshmem-server: may a peer join?  The kernel would refuse the
 * binds of a peer whose label shares no STE type with the VMs already bound
 * to the eventfds it gets; this refuses it before it gets any, with the
 * same rule (kmod/core's shype_ste_share()) on the same policy (the blob
 * the kernel reads back), so the refusal is a clear line in this server's
 * log instead of a failed ioctl deep in QEMU.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

static int say(char *why, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int say(char *why, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, size, fmt, ap);
	va_end(ap);
	return 1;
}

/* Decide against the validated policy @p; see check_peer_join(). */
static int decide(const struct shype_policy *p, const char *shm_path,
		  const char *shm_label, const struct check_peer *peers,
		  size_t n, const char *label, const char *from, char *why,
		  size_t size)
{
	char shm[SHYPE_NAME_MAX + SHYPE_RESOURCE_NAME_MAX + 16];
	u32 me, other;
	size_t i;

	/* "" for a VMM in no labelled cgroup. */
	me = shype_vm_label_index(p, label, strlen(label));
	if (me == SHYPE_NOT_FOUND && !label[0])
		return say(
			why, size,
			"it is in no labelled cgroup and policy '%s' denies unlabelled VMs",
			p->name);
	if (me == SHYPE_NOT_FOUND)
		return say(why, size, "policy '%s' has no VM label '%s'",
			   p->name, label);

	/* The shared memory's label: --label, else its resource label. */
	other = shype_resource_label(p, SHYPE_RES_SHM, shm_path, shm_label);
	if (other == SHYPE_LABEL_MISSING)
		return say(
			why, size,
			"the shared memory's label '%s' is not in policy '%s'",
			shm_label ? shm_label : "?", p->name);
	if (shm_label)
		snprintf(shm, sizeof(shm), "%s", shm_label);
	else if (other != SHYPE_NOT_FOUND)
		snprintf(shm, sizeof(shm), "%s (shm:%s)", p->label[other].name,
			 shm_path);
	if (!shype_resource_ok(p, me, other))
		return say(
			why, size,
			"label '%s' (%s) shares no STE type with the shared memory's label %s",
			p->label[me].name, from, shm);

	for (i = 0; i < n; i++) {
		other = shype_vm_label_index(p, peers[i].label,
					     strlen(peers[i].label));
		if (other == SHYPE_NOT_FOUND)
			return say(
				why, size,
				"connected peer %d (pid %d) has label '%s', which policy '%s' no longer admits",
				peers[i].id, peers[i].pid, peers[i].label,
				p->name);
		if (!shype_ste_share(p, me, other))
			return say(
				why, size,
				"label '%s' (%s) shares no STE type with peer %d (pid %d, label '%s')",
				p->label[me].name, from, peers[i].id,
				peers[i].pid, p->label[other].name);
	}
	snprintf(why, size, "label '%s' (%s), policy '%s'", p->label[me].name,
		 from, p->name);
	return 0;
}

int check_peer_join(int pid, const char *shm_path, const char *shm_label,
		    const struct check_peer *peers, size_t n,
		    char label[SHYPE_NAME_MAX + 1], char *why, size_t size)
{
	char from[PATH_MAX], file[PATH_MAX];
	struct shype_errors errs = { 0 };
	struct shype_status st;
	struct shype_policy p;
	size_t len;
	void *blob;
	int err;

	err = shype_kernel_pid_label(pid, label, from, sizeof(from));
	if (err) {
		snprintf(why, size, "cannot find its label: %s",
			 strerror(-err));
		return err;
	}
	err = shype_kernel_status(&st);
	if (err) {
		snprintf(why, size, "cannot read shype's status: %s",
			 strerror(-err));
		return err;
	}
	if (!st.policy[0]) {
		snprintf(why, size, "no policy is loaded: shype allows all");
		return 0;
	}
	snprintf(file, sizeof(file), "%s/policy", shype_securityfs_dir());
	err = shype_policy_load_file(file, &blob, &len, &p, &errs);
	if (err) {
		snprintf(why, size, "cannot read the active policy: %s",
			 errs.n ? errs.v[0].msg : strerror(-err));
		shype_errors_free(&errs);
		return err;
	}
	err = decide(&p, shm_path, shm_label, peers, n, label,
		     from[0] ? from : "no labelled cgroup", why, size);
	free(blob);
	return err;
}
