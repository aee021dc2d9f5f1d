// SPDX-License-Identifier: GPL-2.0
/*
 * shypectl policy diff A B: what changes from policy A to policy B (types,
 * conflict sets, labels, resources, the rule for unlabelled VMs); and
 * shypectl load FILE --dry-run: what the kernel would refuse if FILE were
 * loaded now, from its running VMs and live bindings, with the checks
 * kmod/policy.c makes (check_succession(), check_state()).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze.h"
#include "domain.h"

/* A model of the policy "FILE" or "active"; NULL after saying why. */
static struct shype_model *model_of(const char *arg)
{
	struct shype_model *m = NULL;
	struct policy_file pf;
	int err;

	if (flow_policy_load(arg, &pf))
		return NULL;
	err = shype_model_decode(pf.blob, pf.len, &m);
	if (err)
		p_err("%s: %s", arg,
		      err == -ENOMEM ? strerror(ENOMEM) :
				       shype_blob_strerror(err));
	policy_file_free(&pf);
	return err ? NULL : m;
}

/* Index of @name in the sorted @names, or -1. */
static int name_index(char **names, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(names[i], name))
			return i;
	return -1;
}

/* One change: "@change @kind @name" and its JSON object, left open. */
static void change_open(const char *change, const char *kind, const char *name)
{
	open_json_object(NULL);
	print_string(PRINT_ANY, "change", "%s", change);
	print_string(PRINT_ANY, "kind", " %s", kind);
	print_string(PRINT_ANY, "name", " %s", name);
}

static void change_close(void)
{
	close_json_object();
	print_nl();
}

/* A change of a value: "@change @kind @name  OLD NEW". */
static void change_value(const char *kind, const char *name, const char *old,
			 const char *new)
{
	change_open("changed", kind, name);
	print_string(PRINT_ANY, "old", "  %s", old);
	print_string(PRINT_ANY, "new", " %s", new);
	change_close();
}

/* Added and removed names of the sorted lists @a and @b (both of @kind). */
static void diff_names(const char *kind, char **a, size_t na, char **b,
		       size_t nb)
{
	size_t i;

	for (i = 0; i < na; i++)
		if (name_index(b, nb, a[i]) < 0) {
			change_open("removed", kind, a[i]);
			change_close();
		}
	for (i = 0; i < nb; i++)
		if (name_index(a, na, b[i]) < 0) {
			change_open("added", kind, b[i]);
			change_close();
		}
}

/* "A,B,C": the type names of a conflict set (malloc()ed). */
static char *set_string(const struct shype_model *m,
			const struct shype_model_conflict_set *s)
{
	size_t len = 1, i;
	char *out;

	for (i = 0; i < s->n; i++)
		len += strlen(m->chwall_types[s->types[i]]) + 1;
	out = calloc(1, len);
	for (i = 0; out && i < s->n; i++) {
		if (i)
			strcat(out, ",");
		strcat(out, m->chwall_types[s->types[i]]);
	}
	return out;
}

/* The conflict sets of @a not in @b, as "@change conflict_set A,B". */
static int diff_sets(const char *change, const struct shype_model *a,
		     const struct shype_model *b)
{
	char *x, *y;
	bool found;
	size_t i, j;

	for (i = 0; i < a->n_sets; i++) {
		x = set_string(a, &a->sets[i]);
		if (!x)
			return -ENOMEM;
		found = false;
		for (j = 0; !found && j < b->n_sets; j++) {
			y = set_string(b, &b->sets[j]);
			if (!y) {
				free(x);
				return -ENOMEM;
			}
			found = !strcmp(x, y);
			free(y);
		}
		if (!found) {
			change_open(change, "conflict_set", x);
			change_close();
		}
		free(x);
	}
	return 0;
}

/* Is type @name (of @names) one of the @n types @idx of a label? */
static bool label_has(char **names, const unsigned int *idx, size_t n,
		      const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(names[idx[i]], name))
			return true;
	return false;
}

/*
 * The types @key ("ste", "chwall") of a label in @b and not in @a, as
 * "  @key +T" and @key_added, then those removed.  Returns whether any.
 */
static bool diff_label_types(const char *key, char **an, const unsigned int *ai,
			     size_t na, char **bn, const unsigned int *bi,
			     size_t nb, bool print)
{
	char jkey[32];
	bool any = false;
	size_t i;

	snprintf(jkey, sizeof(jkey), "%s_added", key);
	if (print)
		open_json_array(PRINT_JSON, jkey);
	for (i = 0; i < nb; i++) {
		if (label_has(an, ai, na, bn[bi[i]]))
			continue;
		if (print && !any)
			print_string(PRINT_FP, NULL, "  %s", key);
		if (print)
			print_string(PRINT_ANY, NULL, " +%s", bn[bi[i]]);
		any = true;
	}
	if (print)
		close_json_array(PRINT_JSON, NULL);
	snprintf(jkey, sizeof(jkey), "%s_removed", key);
	if (print)
		open_json_array(PRINT_JSON, jkey);
	for (i = 0; i < na; i++) {
		if (label_has(bn, bi, nb, an[ai[i]]))
			continue;
		if (print && !any)
			print_string(PRINT_FP, NULL, "  %s", key);
		if (print)
			print_string(PRINT_ANY, NULL, " -%s", an[ai[i]]);
		any = true;
	}
	if (print)
		close_json_array(PRINT_JSON, NULL);
	return any;
}

static const char *label_kind(const struct shype_model_label *l)
{
	return l->resource ? "resource" : "vm";
}

/* Do labels @x of @a and @y of @b differ (in kind or types)? */
static bool label_changed(const struct shype_model *a,
			  const struct shype_model_label *x,
			  const struct shype_model *b,
			  const struct shype_model_label *y)
{
	return x->resource != y->resource ||
	       diff_label_types("ste", a->ste_types, x->ste, x->n_ste,
				b->ste_types, y->ste, y->n_ste, false) ||
	       diff_label_types("chwall", a->chwall_types, x->chwall,
				x->n_chwall, b->chwall_types, y->chwall,
				y->n_chwall, false);
}

static void diff_labels(const struct shype_model *a,
			const struct shype_model *b)
{
	const struct shype_model_label *x, *y;
	size_t i, j;

	for (i = 0; i < a->n_labels; i++) {
		x = &a->labels[i];
		for (j = 0; j < b->n_labels; j++)
			if (!strcmp(x->name, b->labels[j].name))
				break;
		if (j == b->n_labels) {
			change_open("removed", "label", x->name);
			change_close();
			continue;
		}
		y = &b->labels[j];
		if (!label_changed(a, x, b, y))
			continue;
		change_open("changed", "label", x->name);
		if (x->resource != y->resource) {
			print_string(PRINT_ANY, "old_kind", "  kind %s",
				     label_kind(x));
			print_string(PRINT_ANY, "new_kind", " %s",
				     label_kind(y));
		}
		diff_label_types("ste", a->ste_types, x->ste, x->n_ste,
				 b->ste_types, y->ste, y->n_ste, true);
		diff_label_types("chwall", a->chwall_types, x->chwall,
				 x->n_chwall, b->chwall_types, y->chwall,
				 y->n_chwall, true);
		change_close();
	}
	for (j = 0; j < b->n_labels; j++) {
		y = &b->labels[j];
		for (i = 0; i < a->n_labels; i++)
			if (!strcmp(y->name, a->labels[i].name))
				break;
		if (i < a->n_labels)
			continue;
		change_open("added", "label", y->name);
		print_string(PRINT_FP, NULL, "  %s", label_kind(y));
		print_string(PRINT_JSON, "label_kind", NULL, label_kind(y));
		diff_label_types("ste", NULL, NULL, 0, b->ste_types, y->ste,
				 y->n_ste, true);
		diff_label_types("chwall", NULL, NULL, 0, b->chwall_types,
				 y->chwall, y->n_chwall, true);
		change_close();
	}
}

/* The resource of @m of @kind and @name, or NULL. */
static const struct shype_model_resource *
find_res(const struct shype_model *m, unsigned int kind, const char *name)
{
	size_t i;

	for (i = 0; i < m->n_resources; i++)
		if (m->resources[i].kind == kind &&
		    !strcmp(m->resources[i].name, name))
			return &m->resources[i];
	return NULL;
}

static void diff_resources(const struct shype_model *a,
			   const struct shype_model *b)
{
	char buf[SHYPE_RESOURCE_NAME_MAX + 16];
	const struct shype_model_resource *x, *y;
	size_t i;

	for (i = 0; i < a->n_resources; i++) {
		x = &a->resources[i];
		snprintf(buf, sizeof(buf), "%s:%s",
			 shype_resource_kind_name(x->kind), x->name);
		y = find_res(b, x->kind, x->name);
		if (!y) {
			change_open("removed", "resource", buf);
			print_string(PRINT_ANY, "label", "  label %s",
				     a->labels[x->label].name);
			change_close();
		} else if (strcmp(a->labels[x->label].name,
				  b->labels[y->label].name)) {
			change_open("changed", "resource", buf);
			print_string(PRINT_ANY, "old", "  label %s",
				     a->labels[x->label].name);
			print_string(PRINT_ANY, "new", " %s",
				     b->labels[y->label].name);
			change_close();
		}
	}
	for (i = 0; i < b->n_resources; i++) {
		y = &b->resources[i];
		if (find_res(a, y->kind, y->name))
			continue;
		snprintf(buf, sizeof(buf), "%s:%s",
			 shype_resource_kind_name(y->kind), y->name);
		change_open("added", "resource", buf);
		print_string(PRINT_ANY, "label", "  label %s",
			     b->labels[y->label].name);
		change_close();
	}
}

int policy_diff(int argc, char **argv)
{
	struct shype_model *a, *b;
	char va[24], vb[24];
	const char *ua, *ub;
	int ret = EXIT_SUCCESS;

	if (cmd_getopt(argc, argv, "", NULL) != -1)
		return EXIT_USAGE;
	if (argc - optind != 2)
		return usage_err(
			"'policy diff' needs two policies (FILE or 'active'); see '%s policy help'",
			bin_name);
	a = model_of(argv[optind]);
	b = a ? model_of(argv[optind + 1]) : NULL;
	if (!b) {
		shype_model_free(a);
		return EXIT_FAILURE;
	}

	/* Text: one line a change, nothing when none; JSON: the list. */
	new_json_obj(json_output, pretty_output);
	print_string(PRINT_JSON, "old", NULL, argv[optind]);
	print_string(PRINT_JSON, "new", NULL, argv[optind + 1]);
	open_json_array(PRINT_JSON, "changes");
	if (strcmp(a->name, b->name))
		change_value("policy", "name", a->name, b->name);
	snprintf(va, sizeof(va), "%u.%u", a->version_major, a->version_minor);
	snprintf(vb, sizeof(vb), "%u.%u", b->version_major, b->version_minor);
	if (strcmp(va, vb))
		change_value("policy", "version", va, vb);
	diff_names("ste_type", a->ste_types, a->n_ste_types, b->ste_types,
		   b->n_ste_types);
	diff_names("chwall_type", a->chwall_types, a->n_chwall_types,
		   b->chwall_types, b->n_chwall_types);
	if (diff_sets("removed", a, b) || diff_sets("added", b, a)) {
		p_err("out of memory");
		ret = EXIT_FAILURE;
	}
	diff_labels(a, b);
	diff_resources(a, b);
	ua = a->unlabeled < 0 ? "deny" : a->labels[a->unlabeled].name;
	ub = b->unlabeled < 0 ? "deny" : b->labels[b->unlabeled].name;
	if (strcmp(ua, ub))
		change_value("policy", "unlabeled", ua, ub);
	if (a->unlabeled_files != b->unlabeled_files)
		change_value("policy", "unlabeled_files",
			     shype_files_mode_name(a->unlabeled_files),
			     shype_files_mode_name(b->unlabeled_files));
	close_json_array(PRINT_JSON, NULL);
	delete_json_obj();
	shype_model_free(a);
	shype_model_free(b);
	return ret;
}

/*
 * --- load --dry-run ---
 */

/* The resource kind of a bindings file class, 0 for one without labels. */
static unsigned int class_kind(const char *class)
{
	if (!strcmp(class, "shm"))
		return SHYPE_RES_SHM;
	if (!strcmp(class, "net"))
		return SHYPE_RES_NET;
	if (!strcmp(class, "vsock"))
		return SHYPE_RES_VSOCK;
	return 0;
}

/* A runtime label that the policy does not have: nothing may use it. */
#define LABEL_MISSING (SHYPE_NOT_FOUND - 1)

/*
 * The label under @p of the resource of binding @b, as kmod/bind.c's
 * res_label() finds it: a shared file's run-time label (the resources
 * file, matched by path), else the policy's; SHYPE_NOT_FOUND when none.
 */
static u32 binding_label(const struct shype_policy *p,
			 const struct shype_binding_info *b,
			 const struct shype_resource_entry *res, size_t n_res,
			 const char **label)
{
	unsigned int kind = class_kind(b->class);
	size_t i;
	u32 l;

	*label = "-";
	if (!kind || !b->path)
		return SHYPE_NOT_FOUND;
	for (i = 0; kind == SHYPE_RES_SHM && i < n_res; i++) {
		if (strcmp(res[i].path, b->path))
			continue;
		*label = res[i].label;
		l = shype_label_find(p, res[i].label, strlen(res[i].label));
		return l == SHYPE_NOT_FOUND ? LABEL_MISSING : l;
	}
	l = shype_resource_find(p, kind, b->path);
	if (l == SHYPE_NOT_FOUND)
		return l;
	l = le32_to_cpu(p->resource[l].label);
	*label = p->label[l].name;
	return l;
}

/* One refusal: its message as the kernel gives it, and its fields. */
static void refusal(const char *reason, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static unsigned int refusals;

static void refusal(const char *reason, const char *fmt, ...)
{
	char msg[PATH_MAX + 256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	open_json_object(NULL);
	print_string(PRINT_JSON, "reason", NULL, reason);
	print_string(PRINT_ANY, "message", "refused %s", msg);
	close_json_object();
	print_nl();
	refusals++;
}

/* The label index of running VM @id under the new policy, or NOT_FOUND. */
static u32 next_label(const struct shype_vm_info *vms, const u32 *next,
		      size_t n, u64 id)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (vms[i].id == id)
			return next[i];
	return SHYPE_NOT_FOUND;
}

/* The running VMs under @p, in creation order, as check_state() does. */
static int check_vms(const struct shype_policy *p,
		     const struct shype_vm_info *vms, size_t n, u32 *next)
{
	struct shype_chwall st;
	void *mem = calloc(1, shype_chwall_size(p) + 8);
	u32 l, type, culprit;
	size_t i, j;

	if (!mem)
		return -ENOMEM;
	shype_chwall_init(p, &st, mem);
	for (i = 0; i < n; i++) {
		next[i] = SHYPE_NOT_FOUND;
		if (!vms[i].label[0]) {
			if (p->unlabeled == SHYPE_UNLABELED_DENY) {
				refusal("unlabeled",
					"vm %llu (pid %d, label '-'): unlabelled VMs are denied",
					(unsigned long long)vms[i].id,
					vms[i].pid);
				continue;
			}
			l = p->unlabeled;
		} else {
			l = shype_vm_label_index(p, vms[i].label,
						 strlen(vms[i].label));
			if (l == SHYPE_NOT_FOUND) {
				refusal("unknown_label",
					"vm %llu (pid %d, label '%s'): label not in the new policy",
					(unsigned long long)vms[i].id,
					vms[i].pid, vms[i].label);
				continue;
			}
		}
		next[i] = l;
		type = shype_chwall_admit(p, &st, l);
		shype_chwall_add(p, &st, l);
		if (type == SHYPE_NOT_FOUND)
			continue;
		culprit = shype_chwall_culprit(p, &st, l, type);
		for (j = 0; culprit != SHYPE_NOT_FOUND && j < i; j++)
			if (next[j] != SHYPE_NOT_FOUND &&
			    shype_bit(shype_chwall_row(p, next[j]), culprit))
				break;
		refusal("chinese_wall",
			"vm %llu (pid %d, label '%s'): Chinese Wall type '%s' conflicts with running type '%s'%s%llu",
			(unsigned long long)vms[i].id, vms[i].pid,
			p->label[l].name, p->chwall_names[type].s,
			culprit == SHYPE_NOT_FOUND ? "?" :
						     p->chwall_names[culprit].s,
			culprit != SHYPE_NOT_FOUND && j < i ? " of vm " : "",
			culprit != SHYPE_NOT_FOUND && j < i ?
				(unsigned long long)vms[j].id :
				0ULL);
	}
	free(mem);
	return 0;
}

/* The live bindings under @p, as shype_bind_check() does. */
static void check_bindings(const struct shype_policy *p,
			   const struct shype_binding_info *b, size_t n,
			   const struct shype_resource_entry *res, size_t n_res,
			   const struct shype_vm_info *vms, const u32 *next,
			   size_t n_vms)
{
	const char *label;
	u32 r, x, y;
	size_t i, j, k;

	for (i = 0; i < n; i++) {
		r = binding_label(p, &b[i], res, n_res, &label);
		for (j = 0; j < b[i].n_vms; j++) {
			x = next_label(vms, next, n_vms, b[i].vms[j].id);
			if (x == SHYPE_NOT_FOUND)
				continue;
			if (r != SHYPE_NOT_FOUND &&
			    (r == LABEL_MISSING || !shype_ste_share(p, x, r)))
				refusal("resource",
					"object %llu: vm %llu (label '%s') may not use %s:%s (label '%s')",
					(unsigned long long)b[i].object,
					(unsigned long long)b[i].vms[j].id,
					p->label[x].name, b[i].class, b[i].path,
					label);
			for (k = 0; k < j; k++) {
				y = next_label(vms, next, n_vms,
					       b[i].vms[k].id);
				if (y == SHYPE_NOT_FOUND ||
				    shype_ste_share(p, x, y))
					continue;
				refusal("ste",
					"object %llu: vms %llu and %llu share no type ('%s' and '%s')",
					(unsigned long long)b[i].object,
					(unsigned long long)b[i].vms[j].id,
					(unsigned long long)b[i].vms[k].id,
					p->label[x].name, p->label[y].name);
			}
		}
	}
}

/* Would the active policy @st let @p replace it (check_succession())? */
static void check_succession(const struct shype_status *st,
			     const struct shype_policy *p, bool force)
{
	if (!st->policy[0])
		return;
	if (strcmp(st->policy, p->name)) {
		if (!force)
			refusal("other_name",
				"'%s' is active; '%s' needs force", st->policy,
				p->name);
		return;
	}
	if (p->version_major > st->version_major ||
	    (p->version_major == st->version_major &&
	     p->version_minor > st->version_minor))
		return;
	refusal("stale_version",
		"'%s' %u.%u is active; %u.%u is no higher version", st->policy,
		st->version_major, st->version_minor, p->version_major,
		p->version_minor);
}

int load_dry_run(struct policy_file *pf, bool force)
{
	struct shype_resource_entry *res = NULL;
	struct shype_binding_info *b = NULL;
	struct shype_vm_info *vms = NULL;
	size_t n_vms = 0, n_b = 0, n_res = 0;
	char hex[2 * SHYPE_DIGEST_SIZE + 1], version[24];
	struct shype_status st;
	bool unchanged;
	u32 *next = NULL;
	int err;

	err = shype_kernel_status(&st);
	if (err) {
		p_read_err(err, "status");
		return EXIT_FAILURE;
	}
	err = shype_kernel_vms(&vms, &n_vms);
	if (err) {
		p_read_err(err, "vms");
		return EXIT_FAILURE;
	}
	err = shype_kernel_bindings(&b, &n_b);
	if (err) {
		p_read_err(err, "bindings");
		goto out;
	}
	err = shype_kernel_resources(&res, &n_res);
	if (err == -ENOENT) {
		err = 0; /* a module without run-time labels */
		n_res = 0;
	} else if (err) {
		p_read_err(err, "resources");
		goto out;
	}
	next = calloc(n_vms + 1, sizeof(*next));
	if (!next) {
		err = -ENOMEM;
		p_err("out of memory");
		goto out;
	}

	policy_digest_hex(pf, hex);
	snprintf(version, sizeof(version), "%u.%u", pf->pol.version_major,
		 pf->pol.version_minor);
	unchanged = !strcmp(hex, st.digest);
	new_json_obj(json_output, pretty_output);
	print_string(PRINT_JSON, "file", NULL, pf->path);
	print_string(PRINT_JSON, "policy", NULL, pf->pol.name);
	print_string(PRINT_JSON, "version", NULL, version);
	print_string(PRINT_JSON, "digest", NULL, hex);
	print_bool(PRINT_JSON, "force", NULL, force);
	print_bool(PRINT_JSON, "unchanged", NULL, unchanged);
	open_json_array(PRINT_JSON, "refusals");
	refusals = 0;
	if (!unchanged) {
		check_succession(&st, &pf->pol, force);
		err = check_vms(&pf->pol, vms, n_vms, next);
		if (!err)
			check_bindings(&pf->pol, b, n_b, res, n_res, vms, next,
				       n_vms);
	}
	close_json_array(PRINT_JSON, NULL);
	print_bool(PRINT_JSON, "would_load", NULL, !refusals);
	print_string(PRINT_FP, NULL, "policy %s", pf->pol.name);
	print_string(PRINT_FP, NULL, " version %s", version);
	if (unchanged)
		print_string(PRINT_FP, NULL, " is already active", NULL);
	else if (refusals)
		print_uint(PRINT_FP, NULL, " would be refused: %u refusals",
			   refusals);
	else
		print_string(PRINT_FP, NULL, " would be loaded", NULL);
	print_nl();
	delete_json_obj();
	if (err == -ENOMEM)
		p_err("out of memory");
out:
	free(next);
	free(vms);
	shype_binding_infos_free(b, n_b);
	shype_resource_entries_free(res, n_res);
	if (err)
		return EXIT_FAILURE;
	return refusals ? EXIT_DENIED : EXIT_SUCCESS;
}
