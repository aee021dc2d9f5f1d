// SPDX-License-Identifier: GPL-2.0
/*
 * The decision rules built on STE and the Chinese Wall, written once: which
 * label a VM has, which label a resource has and who may use it, and
 * whether a VM may be created.  shype.ko decides with them; shypectl's dry
 * runs, the ivshmem server and the tests ask them.  Every index that comes
 * in is checked against the policy before it reaches a bitmap.
 */
#include "policy.h"

bool shype_label_is_vm(const struct shype_policy *p, u32 l)
{
	return l < p->labels &&
	       (le32_to_cpu(p->label[l].flags) & SHYPE_LABEL_VM);
}

u32 shype_vm_label_index(const struct shype_policy *p, const char *name,
			 size_t len)
{
	u32 l = len ? shype_label_find(p, name, len) : p->unlabeled;

	/* SHYPE_UNLABELED_DENY is out of range too. */
	return shype_label_is_vm(p, l) ? l : SHYPE_NOT_FOUND;
}

u32 shype_resource_label_of(const struct shype_policy *p, u32 res,
			    const char *runtime)
{
	u32 l;

	if (runtime) {
		l = shype_label_find(p, runtime, strlen(runtime));
		return l < p->labels ? l : SHYPE_LABEL_MISSING;
	}
	if (res >= p->resources)
		return SHYPE_NOT_FOUND;
	l = le32_to_cpu(p->resource[res].label);
	/* Checked by shype_policy_init(): a blob changed since fails closed. */
	return l < p->labels ? l : SHYPE_LABEL_MISSING;
}

u32 shype_resource_label(const struct shype_policy *p, u32 kind,
			 const char *name, const char *runtime)
{
	u32 r = SHYPE_NOT_FOUND;

	if (!runtime && name)
		r = shype_resource_find(p, kind, name);
	return shype_resource_label_of(p, r, runtime);
}

bool shype_resource_ok(const struct shype_policy *p, u32 vm, u32 res)
{
	if (res == SHYPE_NOT_FOUND)
		return true;
	/* False for SHYPE_LABEL_MISSING and any index past the labels. */
	return shype_ste_share(p, vm, res);
}

void shype_create_decide(const struct shype_policy *p,
			 const struct shype_chwall *st, const char *name,
			 size_t len, const u32 *sibling,
			 struct shype_create_verdict *v)
{
	v->reason = SHYPE_CREATE_OK;
	v->type = SHYPE_NOT_FOUND;
	v->culprit = SHYPE_NOT_FOUND;
	v->label = shype_vm_label_index(p, name, len);
	if (v->label == SHYPE_NOT_FOUND) {
		v->reason = len ? SHYPE_CREATE_UNKNOWN_LABEL :
				  SHYPE_CREATE_UNLABELED;
		return;
	}
	/* A process's VMs all carry one label: its cgroup's. */
	if (sibling && *sibling != v->label) {
		v->reason = SHYPE_CREATE_PROCESS_LABEL;
		return;
	}
	v->type = shype_chwall_admit(p, st, v->label);
	if (v->type == SHYPE_NOT_FOUND)
		return;
	v->reason = SHYPE_CREATE_CHINESE_WALL;
	v->culprit = shype_chwall_culprit(p, st, v->label, v->type);
}

const char *shype_create_reason_name(enum shype_create_reason reason)
{
	static const char *const names[] = {
		[SHYPE_CREATE_OK] = "ok",
		[SHYPE_CREATE_UNLABELED] = "unlabeled",
		[SHYPE_CREATE_UNKNOWN_LABEL] = "unknown_label",
		[SHYPE_CREATE_PROCESS_LABEL] = "process_label",
		[SHYPE_CREATE_CHINESE_WALL] = "chinese_wall",
	};

	if ((unsigned int)reason >= SHYPE_CREATE_NR_REASONS)
		return "?";
	return names[reason];
}

enum shype_file_reason shype_file_decide(const struct shype_policy *p, u32 vm,
					 u32 file, bool write)
{
	if (file == SHYPE_NOT_FOUND) {
		if (!write || p->unlabeled_files == SHYPE_FILES_ALLOW)
			return SHYPE_FILE_OK;
		if (p->unlabeled_files != SHYPE_FILES_LABEL)
			return SHYPE_FILE_UNLABELED;
		return shype_label_is_vm(p, vm) ? SHYPE_FILE_LABEL :
						  SHYPE_FILE_UNKNOWN_OPENER;
	}
	/* SHYPE_LABEL_MISSING and any index past the labels. */
	if (file >= p->labels)
		return SHYPE_FILE_UNKNOWN_LABEL;
	if (!shype_label_is_vm(p, vm))
		return SHYPE_FILE_UNKNOWN_OPENER;
	return shype_ste_share(p, vm, file) ? SHYPE_FILE_OK : SHYPE_FILE_STE;
}

const char *shype_file_reason_name(enum shype_file_reason reason)
{
	static const char *const names[] = {
		[SHYPE_FILE_OK] = "ok",
		[SHYPE_FILE_LABEL] = "label",
		[SHYPE_FILE_STE] = "ste",
		[SHYPE_FILE_UNKNOWN_LABEL] = "unknown_label",
		[SHYPE_FILE_UNKNOWN_OPENER] = "unknown_opener",
		[SHYPE_FILE_UNLABELED] = "unlabeled",
	};

	if ((unsigned int)reason >= SHYPE_FILE_NR_REASONS)
		return "?";
	return names[reason];
}
