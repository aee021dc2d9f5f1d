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

/* The index of @vm's label in @p; SHYPE_NOT_FOUND for none. */
static u32 running_label(const struct shype_policy *p,
			 const struct shype_vm_info *vm)
{
	/* "-" (read as ""): it holds no label of the policy. */
	if (!vm->label[0])
		return SHYPE_NOT_FOUND;
	return shype_vm_label_index(p, vm->label, strlen(vm->label));
}

bool decide_create(const struct shype_policy *p, const char *label,
		   struct verdict *v)
{
	char q[2 * SHYPE_NAME_MAX + 3];
	struct shype_vm_info *vms = NULL;
	struct shype_create_verdict cv;
	struct shype_chwall st;
	size_t n = 0, i;
	void *mem = NULL;
	u32 vl;
	int err;

	/* Never calloc(0): a policy may have no Chinese Wall type. */
	mem = calloc(1, shype_chwall_size(p) + 8);
	if (!mem) {
		snprintf(v->why, sizeof(v->why), "out of memory");
		snprintf(v->fields, sizeof(v->fields), "reason=no_memory");
		return false;
	}
	shype_chwall_init(p, &st, mem);
	err = shype_kernel_vms(&vms, &n);
	for (i = 0; !err && i < n; i++)
		shype_chwall_add(p, &st, running_label(p, &vms[i]));
	shype_create_decide(p, &st, label, label ? strlen(label) : 0, NULL,
			    &cv);
	/* The label is judged first, as the kernel does, then the wall. */
	if (err && cv.label != SHYPE_NOT_FOUND) {
		snprintf(v->why, sizeof(v->why),
			 "cannot read the running VMs: %s", strerror(-err));
		snprintf(v->fields, sizeof(v->fields),
			 "reason=vms_unreadable label=%s",
			 p->label[cv.label].name);
		cv.reason = SHYPE_CREATE_NR_REASONS;
		goto out;
	}
	if (!label && cv.label != SHYPE_NOT_FOUND)
		label = p->label[cv.label].name;
	switch (cv.reason) {
	case SHYPE_CREATE_OK:
		snprintf(
			v->why, sizeof(v->why),
			"Chinese Wall: no type of label '%s' conflicts with a running VM",
			label);
		break;
	case SHYPE_CREATE_UNLABELED:
		snprintf(
			v->why, sizeof(v->why),
			"it has no shype label and policy '%s' refuses unlabelled VMs",
			p->name);
		snprintf(v->fields, sizeof(v->fields),
			 "reason=unlabeled label=-");
		break;
	case SHYPE_CREATE_UNKNOWN_LABEL:
		snprintf(
			v->why, sizeof(v->why),
			"label '%s' is not a VM label of the active policy '%s'",
			label, p->name);
		/* The domain's XML says it: quoted, as untrusted. */
		snprintf(v->fields, sizeof(v->fields),
			 "reason=unknown_label label=%s",
			 audit_quote(q, sizeof(q), label));
		break;
	case SHYPE_CREATE_CHINESE_WALL:
		/* Name a running VM that has the conflicting type. */
		for (i = 0; cv.culprit != SHYPE_NOT_FOUND && i < n; i++) {
			vl = running_label(p, &vms[i]);
			if (vl != SHYPE_NOT_FOUND &&
			    shype_bit(shype_chwall_row(p, vl), cv.culprit))
				break;
		}
		if (cv.culprit != SHYPE_NOT_FOUND && i < n) {
			snprintf(
				v->why, sizeof(v->why),
				"Chinese Wall: type '%s' of label '%s' conflicts with type '%s' of running VM %llu (label '%s', pid %d)",
				p->chwall_names[cv.type].s, label,
				p->chwall_names[cv.culprit].s,
				(unsigned long long)vms[i].id, vms[i].label,
				vms[i].pid);
			snprintf(
				v->fields, sizeof(v->fields),
				"reason=chinese_wall label=%s type=%s running=%s peer=%llu(%s) peer_pid=%d",
				p->label[cv.label].name,
				p->chwall_names[cv.type].s,
				p->chwall_names[cv.culprit].s,
				(unsigned long long)vms[i].id, vms[i].label,
				vms[i].pid);
		} else {
			snprintf(
				v->why, sizeof(v->why),
				"Chinese Wall: type '%s' of label '%s' conflicts with a running VM",
				p->chwall_names[cv.type].s, label);
			snprintf(
				v->fields, sizeof(v->fields),
				"reason=chinese_wall label=%s type=%s running=%s peer=-",
				p->label[cv.label].name,
				p->chwall_names[cv.type].s,
				cv.culprit == SHYPE_NOT_FOUND ?
					"-" :
					p->chwall_names[cv.culprit].s);
		}
		break;
	default:
		/* Not reached: no other VM of its process exists yet. */
		snprintf(v->why, sizeof(v->why), "refused (%s)",
			 shype_create_reason_name(cv.reason));
		snprintf(v->fields, sizeof(v->fields), "reason=%s label=%s",
			 shype_create_reason_name(cv.reason),
			 p->label[cv.label].name);
		break;
	}
out:
	free(mem);
	free(vms);
	return cv.reason == SHYPE_CREATE_OK;
}

bool decide_resource(const struct shype_policy *p, const char *label,
		     const struct dom_resource *r, struct verdict *v)
{
	const char *kind = shype_resource_kind_name(r->kind);
	char res[PATH_MAX], q[2 * PATH_MAX + 3], ql[2 * SHYPE_NAME_MAX + 3];
	u32 l, rl, t;

	snprintf(res, sizeof(res), "%s:%s", kind, r->name);
	audit_quote(q, sizeof(q), res);
	rl = shype_resource_label(p, r->kind, r->name, NULL);
	if (rl >= p->labels) {
		snprintf(v->why, sizeof(v->why),
			 "%s:%s is not labelled in policy '%s'", kind, r->name,
			 p->name);
		return true;
	}
	l = shype_vm_label_index(p, label, label ? strlen(label) : 0);
	if (!label && l == SHYPE_NOT_FOUND) {
		snprintf(v->why, sizeof(v->why),
			 "an unlabelled VM may not use %s:%s (label '%s')",
			 kind, r->name, p->label[rl].name);
		snprintf(
			v->fields, sizeof(v->fields),
			"reason=unlabeled label=- resource=%s resource_label=%s",
			q, p->label[rl].name);
		return false;
	}
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
	if (!shype_resource_ok(p, l, rl)) {
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

/*
 * Is binding @b the object that resource @r names?  A shared file is
 * known by the path it was first bound under: @path, @r's path resolved
 * when it exists.
 */
static bool binding_is(const struct shype_binding_info *b,
		       const struct dom_resource *r, const char *path)
{
	const char *kind = shype_resource_kind_name(r->kind);

	if (!kind || !b->path || strcmp(b->class, kind))
		return false;
	return !strcmp(b->path, r->name) || (path && !strcmp(b->path, path));
}

/* The index in @p of bound VM @vm's label; SHYPE_NOT_FOUND for none. */
static u32 bound_label(const struct shype_policy *p,
		       const struct shype_bound_vm *vm)
{
	/* "-": the kernel knows no label of the policy for it. */
	if (!vm->label[0] || !strcmp(vm->label, "-"))
		return SHYPE_NOT_FOUND;
	return shype_vm_label_index(p, vm->label, strlen(vm->label));
}

bool decide_bound(const struct shype_policy *p, const char *label,
		  const struct dom_resource *r,
		  const struct shype_binding_info *b, size_t n,
		  struct verdict *v)
{
	const char *kind = shype_resource_kind_name(r->kind), *name;
	char res[PATH_MAX], q[2 * PATH_MAX + 3], *path;
	const struct shype_bound_vm *vm;
	size_t i, j, bound = 0;
	u32 l;

	snprintf(res, sizeof(res), "%s:%s", kind ? kind : "?", r->name);
	l = shype_vm_label_index(p, label, label ? strlen(label) : 0);
	name = l != SHYPE_NOT_FOUND ? p->label[l].name : label ? label : "-";
	path = r->kind == SHYPE_RES_SHM ? realpath(r->name, NULL) : NULL;
	for (i = 0; i < n; i++) {
		if (!binding_is(&b[i], r, path))
			continue;
		for (j = 0; j < b[i].n_vms; j++) {
			vm = &b[i].vms[j];
			bound++;
			/* The kernel's rule for an object VMs share. */
			if (shype_ste_share(p, l, bound_label(p, vm)))
				continue;
			snprintf(
				v->why, sizeof(v->why),
				"it is bound to running VM %llu (label '%s'), and labels '%s' and '%s' share no STE type (VMs bound to one object must share one)",
				(unsigned long long)vm->id, vm->label, name,
				vm->label);
			snprintf(
				v->fields, sizeof(v->fields),
				"reason=ste label=%s resource=%s object=%llu peer=%llu(%s)",
				name, audit_quote(q, sizeof(q), res),
				(unsigned long long)b[i].object,
				(unsigned long long)vm->id, vm->label);
			free(path);
			return false;
		}
	}
	free(path);
	if (bound)
		snprintf(
			v->why, sizeof(v->why),
			"label '%s' shares an STE type with the %zu running VM%s bound to %s",
			name, bound, bound == 1 ? "" : "s", res);
	else
		snprintf(v->why, sizeof(v->why), "no running VM is bound to %s",
			 res);
	return true;
}

/* How @fl came to be, for messages: "(its security.shype)", ... */
static const char *file_from(const struct shype_file_label *fl)
{
	return fl->from == SHYPE_FILE_FROM_POLICY ? "the policy's file: rule" :
						    "its " SHYPE_XATTR;
}

bool decide_file(const struct shype_policy *p, const char *label,
		 const struct dom_file *f, struct shype_file_label *fl,
		 enum shype_file_reason *reason, struct verdict *v)
{
	char q[2 * PATH_MAX + 3], ql[2 * SHYPE_NAME_MAX + 3];
	const char *flabel, *name;
	u32 l, t;
	int err;

	memset(fl, 0, sizeof(*fl));
	fl->label = SHYPE_NOT_FOUND;
	*reason = SHYPE_FILE_OK;
	v->fields[0] = '\0';
	if (f->type == DOM_BLOCK) {
		snprintf(
			v->why, sizeof(v->why),
			"a block device: not decided, shype labels regular files only");
		return true;
	}
	if (f->type == DOM_DIR) {
		snprintf(
			v->why, sizeof(v->why),
			"a directory: not decided itself; each file under it is, as it is opened");
		return true;
	}
	err = shype_file_label(p, f->path, fl);
	if (err && err != -ENOENT) {
		/* Fail closed: the kernel reads what we cannot. */
		snprintf(v->why, sizeof(v->why), "cannot read its label: %s",
			 strerror(-err));
		snprintf(v->fields, sizeof(v->fields),
			 "reason=file_unreadable file=%s",
			 audit_quote(q, sizeof(q), f->path));
		*reason = SHYPE_FILE_UNKNOWN_LABEL;
		return false;
	}
	l = shype_vm_label_index(p, label, label ? strlen(label) : 0);
	name = l != SHYPE_NOT_FOUND ? p->label[l].name : label ? label : "-";
	*reason = shype_file_decide(p, l, fl->label, f->write);
	flabel = fl->label < p->labels ? p->label[fl->label].name : fl->xattr;
	audit_quote(q, sizeof(q), f->path);
	switch (*reason) {
	case SHYPE_FILE_OK:
		if (fl->label == SHYPE_NOT_FOUND && !f->write && err)
			snprintf(v->why, sizeof(v->why), "does not exist");
		else if (fl->label == SHYPE_NOT_FOUND && !f->write)
			snprintf(v->why, sizeof(v->why),
				 "unlabelled: every VMM may read it");
		else if (fl->label == SHYPE_NOT_FOUND)
			snprintf(
				v->why, sizeof(v->why),
				"%s, and policy '%s' lets VMMs write unlabelled files (\"unlabeled_files\": \"allow\")",
				err ? "does not exist yet" : "unlabelled",
				p->name);
		else {
			t = shype_ste_common(p, l, fl->label);
			snprintf(
				v->why, sizeof(v->why),
				"label '%s' and the file's label '%s' (%s) share STE type '%s'",
				name, flabel, file_from(fl),
				t == SHYPE_NOT_FOUND ? "?" : p->ste_names[t].s);
		}
		return true;
	case SHYPE_FILE_LABEL:
		snprintf(v->why, sizeof(v->why),
			 "%s: it becomes label '%s''s when written",
			 err == -ENOENT ? "does not exist yet" : "unlabelled",
			 name);
		return true;
	case SHYPE_FILE_STE:
		snprintf(
			v->why, sizeof(v->why),
			"label '%s' and the file's label '%s' (%s) share no STE type",
			name, flabel, file_from(fl));
		snprintf(v->fields, sizeof(v->fields),
			 "reason=ste label=%s file=%s file_label=%s", name, q,
			 flabel);
		return false;
	case SHYPE_FILE_UNKNOWN_LABEL:
		snprintf(
			v->why, sizeof(v->why),
			"the file's label '%s' (%s) is not a label of policy '%s': no VMM may open it",
			flabel, file_from(fl), p->name);
		snprintf(v->fields, sizeof(v->fields),
			 "reason=unknown_label label=%s file=%s file_label=%s",
			 name, q, audit_quote(ql, sizeof(ql), flabel));
		return false;
	case SHYPE_FILE_UNKNOWN_OPENER:
		snprintf(v->why, sizeof(v->why),
			 "label '%s' is not a VM label of policy '%s'", name,
			 p->name);
		snprintf(v->fields, sizeof(v->fields),
			 "reason=unknown_opener label=%s file=%s file_label=%s",
			 audit_quote(ql, sizeof(ql), name), q,
			 fl->label < p->labels ? flabel : "-");
		return false;
	case SHYPE_FILE_UNLABELED:
	default:
		snprintf(
			v->why, sizeof(v->why),
			"%s, and policy '%s' lets VMMs write labelled files only (\"unlabeled_files\": \"deny\"): label it with '%s resource label file:%s LABEL'",
			err == -ENOENT ? "does not exist yet" : "unlabelled",
			p->name, bin_name, f->path);
		snprintf(v->fields, sizeof(v->fields),
			 "reason=unlabeled label=%s file=%s file_label=-", name,
			 q);
		return false;
	}
}
