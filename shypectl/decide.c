// SPDX-License-Identifier: GPL-2.0
/*
 * shypectl: decisions on libvirt domains under the kernel's active policy
 * (read back from securityfs), made by kmod/core's own functions, and the
 * partition a label's domains run in.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "domain.h"

bool libvirt_uses_systemd(void)
{
	const char *e = getenv("SHYPE_LIBVIRT_SYSTEMD");

	if (e && *e)
		return strcmp(e, "0") != 0;
	return access("/run/systemd/system", F_OK) == 0;
}

int label_partition(const char *label, char partition[PATH_MAX],
		    char cgroup[PATH_MAX])
{
	int err = shype_libvirt_partition(label, partition, PATH_MAX);

	if (!err)
		err = shype_libvirt_partition_cgroup(
			partition, libvirt_uses_systemd(), cgroup, PATH_MAX);
	if (err == -EINVAL)
		p_err("'%s' is not a label name", label);
	else if (err)
		p_err("partition of label '%s': %s", label, strerror(-err));
	return err ? EXIT_FAILURE : EXIT_SUCCESS;
}

u32 vm_label_index(const struct shype_policy *p, const char *name)
{
	u32 l = shype_label_find(p, name, strlen(name));

	if (l != SHYPE_NOT_FOUND &&
	    !(le32_to_cpu(p->label[l].flags) & SHYPE_LABEL_VM))
		return SHYPE_NOT_FOUND;
	return l;
}

static bool has_chwall_type(const struct shype_policy *p, u32 l, u32 t)
{
	return le64_to_cpu(shype_chwall_row(p, l)[t / 64]) >> (t % 64) & 1;
}

const char *audit_quote(char *buf, size_t size, const char *s)
{
	const unsigned char *c;
	size_t n = 0;

	for (c = (const unsigned char *)s; *c; c++)
		if (*c == '"' || *c < 0x21 || *c > 0x7e)
			break;
	/* Quoted only whole: a cut would leave the quote open. */
	if (!*c && strlen(s) + 3 <= size) {
		snprintf(buf, size, "\"%s\"", s);
		return buf;
	}
	for (c = (const unsigned char *)s; *c && n + 3 <= size; c++)
		n += snprintf(buf + n, size - n, "%02X", *c);
	buf[n < size ? n : size - 1] = '\0';
	return buf;
}

bool decide_create(const struct shype_policy *p, const char *label,
		   struct verdict *v)
{
	char q[2 * SHYPE_NAME_MAX + 3];
	struct shype_vm_info *vms = NULL;
	struct shype_chwall st;
	size_t n = 0, i;
	void *mem = NULL;
	u32 l, t, c, vl;
	bool allow = false;
	int err;

	if (!label) {
		if (p->unlabeled == SHYPE_UNLABELED_DENY) {
			snprintf(
				v->why, sizeof(v->why),
				"it has no shype label and policy '%s' refuses unlabelled VMs",
				p->name);
			snprintf(v->fields, sizeof(v->fields),
				 "reason=unlabeled label=-");
			return false;
		}
		l = p->unlabeled;
		label = p->label[l].name;
	} else {
		l = vm_label_index(p, label);
		if (l == SHYPE_NOT_FOUND) {
			snprintf(
				v->why, sizeof(v->why),
				"label '%s' is not a VM label of the active policy '%s'",
				label, p->name);
			/* The domain's XML says it: quoted, as untrusted. */
			snprintf(v->fields, sizeof(v->fields),
				 "reason=unknown_label label=%s",
				 audit_quote(q, sizeof(q), label));
			return false;
		}
	}
	err = shype_kernel_vms(&vms, &n);
	/* Never calloc(0): a policy may have no Chinese Wall type. */
	mem = err ? NULL : calloc(1, shype_chwall_size(p) + 8);
	if (err || !mem) {
		snprintf(v->why, sizeof(v->why),
			 "cannot read the running VMs: %s",
			 strerror(err ? -err : ENOMEM));
		snprintf(v->fields, sizeof(v->fields),
			 "reason=vms_unreadable label=%s", p->label[l].name);
		goto out;
	}
	shype_chwall_init(p, &st, mem);
	for (i = 0; i < n; i++) {
		vl = vms[i].label[0] ? vm_label_index(p, vms[i].label) :
				       SHYPE_NOT_FOUND;
		if (vl != SHYPE_NOT_FOUND)
			shype_chwall_add(p, &st, vl);
	}
	t = shype_chwall_admit(p, &st, l);
	if (t == SHYPE_NOT_FOUND) {
		snprintf(
			v->why, sizeof(v->why),
			"Chinese Wall: no type of label '%s' conflicts with a running VM",
			label);
		allow = true;
		goto out;
	}
	c = shype_chwall_culprit(p, &st, l, t);
	/* Name a running VM that has the conflicting type. */
	for (i = 0; c != SHYPE_NOT_FOUND && i < n; i++) {
		vl = vms[i].label[0] ? vm_label_index(p, vms[i].label) :
				       SHYPE_NOT_FOUND;
		if (vl != SHYPE_NOT_FOUND && has_chwall_type(p, vl, c))
			break;
	}
	if (c != SHYPE_NOT_FOUND && i < n) {
		snprintf(
			v->why, sizeof(v->why),
			"Chinese Wall: type '%s' of label '%s' conflicts with type '%s' of running VM %llu (label '%s', pid %d)",
			p->chwall_names[t].s, label, p->chwall_names[c].s,
			(unsigned long long)vms[i].id, vms[i].label,
			vms[i].pid);
		snprintf(
			v->fields, sizeof(v->fields),
			"reason=chinese_wall label=%s type=%s running=%s peer=%llu(%s) peer_pid=%d",
			p->label[l].name, p->chwall_names[t].s,
			p->chwall_names[c].s, (unsigned long long)vms[i].id,
			vms[i].label, vms[i].pid);
	} else {
		snprintf(
			v->why, sizeof(v->why),
			"Chinese Wall: type '%s' of label '%s' conflicts with a running VM",
			p->chwall_names[t].s, label);
		snprintf(
			v->fields, sizeof(v->fields),
			"reason=chinese_wall label=%s type=%s running=%s peer=-",
			p->label[l].name, p->chwall_names[t].s,
			c == SHYPE_NOT_FOUND ? "-" : p->chwall_names[c].s);
	}
out:
	free(mem);
	free(vms);
	return allow;
}

bool decide_resource(const struct shype_policy *p, const char *label,
		     const struct dom_resource *r, struct verdict *v)
{
	const char *kind = shype_resource_kind_name(r->kind);
	char res[PATH_MAX], q[2 * PATH_MAX + 3], ql[2 * SHYPE_NAME_MAX + 3];
	u32 l, x, rl, t;

	snprintf(res, sizeof(res), "%s:%s", kind, r->name);
	audit_quote(q, sizeof(q), res);
	x = shype_resource_find(p, r->kind, r->name);
	if (x == SHYPE_NOT_FOUND) {
		snprintf(v->why, sizeof(v->why),
			 "%s:%s is not labelled in policy '%s'", kind, r->name,
			 p->name);
		return true;
	}
	rl = le32_to_cpu(p->resource[x].label);
	if (!label && p->unlabeled == SHYPE_UNLABELED_DENY) {
		snprintf(v->why, sizeof(v->why),
			 "an unlabelled VM may not use %s:%s (label '%s')",
			 kind, r->name, p->label[rl].name);
		snprintf(
			v->fields, sizeof(v->fields),
			"reason=unlabeled label=- resource=%s resource_label=%s",
			q, p->label[rl].name);
		return false;
	}
	l = label ? vm_label_index(p, label) : p->unlabeled;
	if (l == SHYPE_NOT_FOUND) {
		snprintf(v->why, sizeof(v->why),
			 "label '%s' is not in policy '%s'", label, p->name);
		snprintf(
			v->fields, sizeof(v->fields),
			"reason=unknown_label label=%s resource=%s resource_label=%s",
			audit_quote(ql, sizeof(ql), label), q,
			p->label[rl].name);
		return false;
	}
	if (!shype_ste_share(p, l, rl)) {
		snprintf(v->why, sizeof(v->why),
			 "label '%s' and %s:%s (label '%s') share no STE type",
			 p->label[l].name, kind, r->name, p->label[rl].name);
		snprintf(v->fields, sizeof(v->fields),
			 "reason=ste label=%s resource=%s resource_label=%s",
			 p->label[l].name, q, p->label[rl].name);
		return false;
	}
	t = shype_ste_common(p, l, rl);
	snprintf(v->why, sizeof(v->why),
		 "label '%s' and %s:%s (label '%s') share STE type '%s'",
		 p->label[l].name, kind, r->name, p->label[rl].name,
		 t == SHYPE_NOT_FOUND ? "?" : p->ste_names[t].s);
	return true;
}
