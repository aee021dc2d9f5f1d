// SPDX-License-Identifier: GPL-2.0
/*
 * shypectl policy analyze FILE|active: the information flows a policy
 * allows, as sesearch and seinfoflow show SELinux's: which labels can reach
 * which, directly and through others; the labels of a Chinese Wall conflict
 * set that never run at once but can still exchange data through an
 * intermediary; and the types and labels nothing uses.  Text, JSON (-j) or
 * Graphviz (-f dot), computed on the compiled blob with kmod/core's
 * decisions.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze.h"
#include "domain.h"

bool flow_is_resource(const struct shype_policy *p, u32 l)
{
	return !shype_label_is_vm(p, l);
}

bool flow_edge(const struct shype_policy *p, u32 a, u32 b)
{
	if (a == b || (flow_is_resource(p, a) && flow_is_resource(p, b)))
		return false;
	return shype_ste_share(p, a, b);
}

/*
 * Breadth first from @a: @prev[x] is the label before x on a shortest path
 * from @a (@a's own is @a), SHYPE_NOT_FOUND when x cannot be reached.
 * Returns 0 or -ENOMEM.
 */
static int bfs(const struct shype_policy *p, u32 a, u32 *prev)
{
	u32 *queue = malloc(sizeof(*queue) * p->labels), head = 0, tail = 0;
	u32 x, y;

	if (!queue)
		return -ENOMEM;
	for (y = 0; y < p->labels; y++)
		prev[y] = SHYPE_NOT_FOUND;
	prev[a] = a;
	queue[tail++] = a;
	while (head < tail) {
		x = queue[head++];
		for (y = 0; y < p->labels; y++) {
			if (prev[y] != SHYPE_NOT_FOUND || !flow_edge(p, x, y))
				continue;
			prev[y] = x;
			queue[tail++] = y;
		}
	}
	free(queue);
	return 0;
}

/* The path to @b that bfs() found, into @path; its length, 0 if none. */
static u32 bfs_path(const u32 *prev, u32 a, u32 b, u32 *path)
{
	u32 len = 1, x;

	if (prev[b] == SHYPE_NOT_FOUND)
		return 0;
	for (x = b; x != a; x = prev[x])
		len++;
	x = b;
	for (u32 i = len; i-- > 0; x = prev[x])
		path[i] = x;
	return len;
}

/* Label @l's Chinese Wall type in conflict set @s, or SHYPE_NOT_FOUND. */
static u32 type_in_set(const struct shype_policy *p, u32 l, u32 s)
{
	const __le64 *row = shype_chwall_row(p, l), *set;
	u32 w, bit;
	u64 both;

	set = shype_conflict_row(p, s);
	for (w = 0; w < p->chwall_words; w++) {
		both = le64_to_cpu(row[w]) & le64_to_cpu(set[w]);
		if (both) {
			bit = __builtin_ctzll(both);
			return w * 64 + bit;
		}
	}
	return SHYPE_NOT_FOUND;
}

u32 flow_walled(const struct shype_policy *p, u32 a, u32 b, u32 *ta, u32 *tb)
{
	u32 s;

	for (s = 0; s < p->conflict_sets; s++) {
		*ta = type_in_set(p, a, s);
		*tb = type_in_set(p, b, s);
		if (*ta != SHYPE_NOT_FOUND && *tb != SHYPE_NOT_FOUND &&
		    *ta != *tb)
			return s;
	}
	return SHYPE_NOT_FOUND;
}

void flow_leaks_free(struct flow_leak *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i].path);
	free(v);
}

int flow_leaks(const struct shype_policy *p, struct flow_leak **out,
	       size_t *n_out)
{
	u32 *prev = malloc(sizeof(*prev) * p->labels), a, b, s, ta, tb;
	struct flow_leak *v = NULL, *x;
	size_t n = 0;
	bool searched;

	if (!prev)
		return -ENOMEM;
	for (a = 0; a < p->labels; a++) {
		searched = false;
		for (b = a + 1; p->conflict_sets && b < p->labels; b++) {
			s = flow_walled(p, a, b, &ta, &tb);
			if (s == SHYPE_NOT_FOUND)
				continue;
			if (!searched && bfs(p, a, prev))
				goto out_nomem;
			searched = true;
			if (prev[b] == SHYPE_NOT_FOUND)
				continue;
			x = realloc(v, sizeof(*v) * (n + 1));
			if (!x)
				goto out_nomem;
			v = x;
			x = &v[n];
			*x = (struct flow_leak){
				.set = s, .ta = ta, .tb = tb, .a = a, .b = b
			};
			x->path = malloc(sizeof(*x->path) * p->labels);
			if (!x->path)
				goto out_nomem;
			n++;
			x->len = bfs_path(prev, a, b, x->path);
		}
	}
	free(prev);
	*out = v;
	*n_out = n;
	return 0;

out_nomem:
	free(prev);
	flow_leaks_free(v, n);
	return -ENOMEM;
}

int flow_policy_load(const char *arg, struct policy_file *pf)
{
	int ret;

	if (strcmp(arg, "active"))
		return policy_file_load(arg, pf);
	ret = active_policy(pf);
	if (ret < 0) {
		p_err("%s", no_active_policy());
		return EXIT_FAILURE;
	}
	return ret;
}

/* The STE types of @a and @b in common, as text and a JSON array. */
static void print_common(const struct shype_policy *p, u32 a, u32 b)
{
	const __le64 *ra = shype_ste_row(p, a), *rb = shype_ste_row(p, b);
	u32 t;

	print_string(PRINT_FP, NULL, "  ste", NULL);
	open_json_array(PRINT_JSON, "ste");
	for (t = 0; t < p->ste_types; t++)
		if (shype_bit(ra, t) && shype_bit(rb, t))
			print_string(PRINT_ANY, NULL, " %s", p->ste_names[t].s);
	close_json_array(PRINT_JSON, NULL);
}

/* "kind:name" of resource @r. */
static const char *resource_name(const struct shype_policy *p, u32 r, char *buf,
				 size_t size)
{
	snprintf(buf, size, "%s:%s",
		 shype_resource_kind_name(le32_to_cpu(p->resource[r].kind)),
		 p->resource[r].name);
	return buf;
}

/* Does a resource of @p have label @l? */
static bool has_resource(const struct shype_policy *p, u32 l)
{
	u32 r;

	for (r = 0; r < p->resources; r++)
		if (le32_to_cpu(p->resource[r].label) == l)
			return true;
	return false;
}

/* @comp[x]: the lowest label in x's component of the flow graph. */
static int components(const struct shype_policy *p, u32 *comp)
{
	u32 *prev = malloc(sizeof(*prev) * p->labels), a, x;

	if (!prev)
		return -ENOMEM;
	for (a = 0; a < p->labels; a++)
		comp[a] = SHYPE_NOT_FOUND;
	for (a = 0; a < p->labels; a++) {
		if (comp[a] != SHYPE_NOT_FOUND)
			continue;
		if (bfs(p, a, prev)) {
			free(prev);
			return -ENOMEM;
		}
		for (x = 0; x < p->labels; x++)
			if (prev[x] != SHYPE_NOT_FOUND)
				comp[x] = a;
	}
	free(prev);
	return 0;
}

static void print_labels(const struct shype_policy *p, const u32 *comp)
{
	char buf[SHYPE_RESOURCE_NAME_MAX + 16];
	bool any;
	u32 l, x, r;

	open_json_array(PRINT_JSON, "labels");
	for (l = 0; l < p->labels; l++) {
		open_json_object(NULL);
		print_string(PRINT_ANY, "label", "label %s", p->label[l].name);
		print_string(PRINT_ANY, "kind", "  %s",
			     flow_is_resource(p, l) ? "resource" : "vm");
		if (p->unlabeled == l)
			print_bool(PRINT_ANY, "unlabeled", "  unlabeled", true);
		else
			print_bool(PRINT_JSON, "unlabeled", NULL, false);
		open_json_array(PRINT_JSON, "resources");
		any = false;
		for (r = 0; r < p->resources; r++) {
			if (le32_to_cpu(p->resource[r].label) != l)
				continue;
			if (!any)
				print_string(PRINT_FP, NULL, "  resources",
					     NULL);
			any = true;
			print_string(PRINT_ANY, NULL, " %s",
				     resource_name(p, r, buf, sizeof(buf)));
		}
		close_json_array(PRINT_JSON, NULL);
		print_string(PRINT_FP, NULL, "  reaches", NULL);
		open_json_array(PRINT_JSON, "reaches");
		any = false;
		for (x = 0; x < p->labels; x++) {
			if (x == l || comp[x] != comp[l])
				continue;
			any = true;
			print_string(PRINT_ANY, NULL, " %s", p->label[x].name);
		}
		if (!any)
			print_string(PRINT_FP, NULL, " nothing", NULL);
		close_json_array(PRINT_JSON, NULL);
		close_json_object();
		print_nl();
	}
	close_json_array(PRINT_JSON, NULL);
}

static void print_flows(const struct shype_policy *p)
{
	u32 a, b;

	open_json_array(PRINT_JSON, "flows");
	for (a = 0; a < p->labels; a++) {
		for (b = a + 1; b < p->labels; b++) {
			if (!flow_edge(p, a, b))
				continue;
			open_json_object(NULL);
			print_string(PRINT_ANY, "from", "flow %s",
				     p->label[a].name);
			print_string(PRINT_ANY, "to", " %s", p->label[b].name);
			print_common(p, a, b);
			close_json_object();
			print_nl();
		}
	}
	close_json_array(PRINT_JSON, NULL);
}

/*
 * The labels between the two of @x on a shortest path; when one label is
 * enough, every label joined to both.
 */
static void print_through(const struct shype_policy *p,
			  const struct flow_leak *x)
{
	u32 k;

	if (x->len != 3) {
		for (k = 1; k + 1 < x->len; k++)
			print_string(PRINT_ANY, NULL, " %s",
				     p->label[x->path[k]].name);
		return;
	}
	for (k = 0; k < p->labels; k++)
		if (flow_edge(p, k, x->a) && flow_edge(p, k, x->b))
			print_string(PRINT_ANY, NULL, " %s", p->label[k].name);
}

static void print_leaks(const struct shype_policy *p, const struct flow_leak *v,
			size_t n)
{
	const __le64 *set;
	size_t i;
	u32 t;

	open_json_array(PRINT_JSON, "conflicts");
	for (i = 0; i < n; i++) {
		open_json_object(NULL);
		print_string(PRINT_ANY, "type", "conflict %s",
			     p->chwall_names[v[i].ta].s);
		print_string(PRINT_ANY, "other_type", " %s",
			     p->chwall_names[v[i].tb].s);
		print_string(PRINT_ANY, "label", "  labels %s",
			     p->label[v[i].a].name);
		print_string(PRINT_ANY, "other_label", " %s",
			     p->label[v[i].b].name);
		open_json_array(PRINT_JSON, "conflict_set");
		set = shype_conflict_row(p, v[i].set);
		for (t = 0; t < p->chwall_types; t++)
			if (shype_bit(set, t))
				print_string(PRINT_JSON, NULL, NULL,
					     p->chwall_names[t].s);
		close_json_array(PRINT_JSON, NULL);
		if (v[i].len <= 2)
			print_string(PRINT_FP, NULL, "  directly", NULL);
		else
			print_string(PRINT_FP, NULL, "  through", NULL);
		open_json_array(PRINT_JSON, "through");
		print_through(p, &v[i]);
		close_json_array(PRINT_JSON, NULL);
		close_json_object();
		print_nl();
	}
	close_json_array(PRINT_JSON, NULL);
}

/* One "unused" entry: @kind ste_type, chwall_type or label. */
static void print_unused(const char *kind, const char *name, const char *why,
			 const char *text)
{
	open_json_object(NULL);
	print_string(PRINT_ANY, "kind", "unused %s", kind);
	print_string(PRINT_ANY, "name", " %s", name);
	print_string(PRINT_JSON, "why", NULL, why);
	print_string(PRINT_FP, NULL, "  %s", text);
	close_json_object();
	print_nl();
}

static void print_unused_all(const struct shype_policy *p)
{
	bool held, in_set;
	u32 t, l, s;

	open_json_array(PRINT_JSON, "unused");
	for (t = 0; t < p->ste_types; t++) {
		for (held = false, l = 0; !held && l < p->labels; l++)
			held = shype_bit(shype_ste_row(p, l), t);
		if (!held)
			print_unused("ste_type", p->ste_names[t].s, "no_label",
				     "no label has it");
	}
	for (t = 0; t < p->chwall_types; t++) {
		for (held = false, l = 0; !held && l < p->labels; l++)
			held = shype_bit(shype_chwall_row(p, l), t);
		for (in_set = false, s = 0; !in_set && s < p->conflict_sets;
		     s++)
			in_set = shype_bit(shype_conflict_row(p, s), t);
		if (!held)
			print_unused("chwall_type", p->chwall_names[t].s,
				     "no_label", "no label has it");
		else if (!in_set)
			print_unused("chwall_type", p->chwall_names[t].s,
				     "no_conflict_set",
				     "in no conflict set: it keeps no VM out");
	}
	for (l = 0; l < p->labels; l++)
		if (flow_is_resource(p, l) && !has_resource(p, l))
			print_unused(
				"label", p->label[l].name, "no_resource",
				"no resource has it (it may still be given at run time)");
	close_json_array(PRINT_JSON, NULL);
}

/* @s inside a Graphviz "string", without the quotes. */
static void dot_chars(const char *s)
{
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			putchar('\\');
		putchar(*s);
	}
}

/* A Graphviz "string". */
static void dot_string(const char *s)
{
	putchar('"');
	dot_chars(s);
	putchar('"');
}

/*
 * Graphviz: VM labels are boxes, resource labels cylinders; a join is a
 * line named by the types in common; a conflict-set pair that can
 * exchange data is a dashed red line.
 */
static void print_dot(const struct shype_policy *p, const struct flow_leak *v,
		      size_t n)
{
	char buf[SHYPE_RESOURCE_NAME_MAX + 16];
	const char *sep;
	u32 l, r, a, b, t, k;
	size_t i;

	printf("graph ");
	dot_string(p->name);
	printf(" {\n\tnode [shape=box];\n");
	for (l = 0; l < p->labels; l++) {
		putchar('\t');
		dot_string(p->label[l].name);
		printf(" [shape=%s",
		       flow_is_resource(p, l) ? "cylinder" : "box");
		sep = ", tooltip=\"";
		for (r = 0; r < p->resources; r++) {
			if (le32_to_cpu(p->resource[r].label) != l)
				continue;
			printf("%s", sep);
			dot_chars(resource_name(p, r, buf, sizeof(buf)));
			sep = " ";
		}
		printf("%s];\n", *sep == ' ' ? "\"" : "");
	}
	for (a = 0; a < p->labels; a++) {
		for (b = a + 1; b < p->labels; b++) {
			if (!flow_edge(p, a, b))
				continue;
			putchar('\t');
			dot_string(p->label[a].name);
			printf(" -- ");
			dot_string(p->label[b].name);
			sep = " [label=\"";
			for (t = 0; t < p->ste_types; t++) {
				if (shype_bit(shype_ste_row(p, a), t) &&
				    shype_bit(shype_ste_row(p, b), t)) {
					printf("%s%s", sep, p->ste_names[t].s);
					sep = " ";
				}
			}
			printf("\"];\n");
		}
	}
	for (i = 0; i < n; i++) {
		putchar('\t');
		dot_string(p->label[v[i].a].name);
		printf(" -- ");
		dot_string(p->label[v[i].b].name);
		printf(" [style=dashed, color=red, label=\"conflict %s/%s",
		       p->chwall_names[v[i].ta].s, p->chwall_names[v[i].tb].s);
		sep = " through ";
		for (k = 1; v[i].len != 3 && k + 1 < v[i].len; k++, sep = " ")
			printf("%s%s", sep, p->label[v[i].path[k]].name);
		for (k = 0; v[i].len == 3 && k < p->labels; k++)
			if (flow_edge(p, k, v[i].a) &&
			    flow_edge(p, k, v[i].b)) {
				printf("%s%s", sep, p->label[k].name);
				sep = " ";
			}
		printf("\"];\n");
	}
	printf("}\n");
}

static int analyze_usage(void)
{
	return usage_err(
		"'policy analyze' needs one FILE or 'active'; see '%s policy help'",
		bin_name);
}

int policy_analyze(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ 0 },
	};
	struct flow_leak *leaks = NULL;
	char version[24];
	struct policy_file pf;
	bool dot = false;
	size_t n = 0;
	u32 *comp;
	int c;

	while ((c = cmd_getopt(argc, argv, "f:", opts)) != -1) {
		if (c != 'f')
			return EXIT_USAGE;
		if (!strcmp(optarg, "dot"))
			dot = true;
		else if (!strcmp(optarg, "json"))
			json_output = true;
		else if (strcmp(optarg, "text"))
			return usage_err(
				"'%s' is not one of { text | json | dot }",
				optarg);
	}
	if (argc - optind != 1)
		return analyze_usage();
	if (flow_policy_load(argv[optind], &pf))
		return EXIT_FAILURE;

	comp = malloc(sizeof(*comp) * pf.pol.labels);
	if (!comp || components(&pf.pol, comp) ||
	    flow_leaks(&pf.pol, &leaks, &n)) {
		p_err("out of memory");
		free(comp);
		policy_file_free(&pf);
		return EXIT_FAILURE;
	}
	if (dot) {
		print_dot(&pf.pol, leaks, n);
	} else {
		new_json_obj(json_output, pretty_output);
		snprintf(version, sizeof(version), "%u.%u",
			 pf.pol.version_major, pf.pol.version_minor);
		print_string(PRINT_ANY, "policy", "policy %s", pf.pol.name);
		print_string(PRINT_ANY, "version", "  version %s", version);
		print_nl();
		print_labels(&pf.pol, comp);
		print_flows(&pf.pol);
		print_leaks(&pf.pol, leaks, n);
		print_unused_all(&pf.pol);
		delete_json_obj();
	}
	flow_leaks_free(leaks, n);
	free(comp);
	policy_file_free(&pf);
	return EXIT_SUCCESS;
}
