// SPDX-License-Identifier: GPL-2.0
/*
 * shypectl audit explain: why shype refused something, in the manner of
 * audit2why.  For each denial record (given as arguments, read from stdin,
 * or the last N lines of the audit file): the rule that refused it under a
 * policy (the active one, or --policy FILE), the smallest policy changes
 * that would allow it, and a warning when a change crosses a Chinese Wall
 * conflict set or lets members of one exchange data where they could not.
 * Each change is tried on a copy of the policy, compiled and analysed as
 * "policy analyze" does, so the warning is about the policy the change
 * makes, not a guess.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze.h"
#include "domain.h"

#define FIELDS_MAX   48
#define FIXES_MAX    8
#define WARNINGS_MAX 4
#define TEXT_MAX     640
#define LAST_MAX     256

/* One policy change (or action) that would allow the denied operation. */
struct fix {
	char text[TEXT_MAX];
	bool policy;
	char warning[WARNINGS_MAX][TEXT_MAX];
	int n_warnings;
};

/* The explanation of one record. */
struct why {
	char rule[TEXT_MAX];
	struct fix fix[FIXES_MAX];
	int n_fixes;
	char note[TEXT_MAX];
};

/* A record's fields: key=value words; other words are skipped. */
struct record {
	char *key[FIELDS_MAX];
	char *value[FIELDS_MAX];
	int n;
};

/* Undo the audit file's \ooo escapes and the audit records' quotes. */
static void unquote(char *s)
{
	size_t len = strlen(s), i, n = 0;

	if (len >= 2 && s[0] == '"' && s[len - 1] == '"') {
		memmove(s, s + 1, len - 2);
		s[len - 2] = '\0';
		return;
	}
	for (i = 0; i < len; i++) {
		if (s[i] == '\\' && i + 3 < len && s[i + 1] >= '0' &&
		    s[i + 1] <= '7' && s[i + 2] >= '0' && s[i + 2] <= '7' &&
		    s[i + 3] >= '0' && s[i + 3] <= '7') {
			s[n++] = (s[i + 1] - '0') << 6 | (s[i + 2] - '0') << 3 |
				 (s[i + 3] - '0');
			i += 3;
		} else {
			s[n++] = s[i];
		}
	}
	s[n] = '\0';
}

/* A hex digit's value, or -1. */
static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode @s in place when it is audit's hexadecimal form of a string. */
static void unhex(char *s)
{
	size_t len = strlen(s), i;

	if (!len || len % 2)
		return;
	for (i = 0; i < len; i++)
		if (hexval(s[i]) < 0)
			return;
	for (i = 0; i < len / 2; i++)
		s[i] = hexval(s[2 * i]) << 4 | hexval(s[2 * i + 1]);
	s[len / 2] = '\0';
}

/*
 * Split @line (changed in place) into its key=value fields.  A record of
 * the kernel audit subsystem (it has msg=audit(...)) quotes path=, name=
 * and error= as untrusted strings: "TEXT" or hexadecimal.
 */
static void record_parse(char *line, struct record *r)
{
	bool kaudit = strstr(line, "msg=audit(") != NULL;
	char *save, *w, *eq;

	r->n = 0;
	for (w = strtok_r(line, " \t\n", &save); w && r->n < FIELDS_MAX;
	     w = strtok_r(NULL, " \t\n", &save)) {
		eq = strchr(w, '=');
		if (!eq || eq == w)
			continue;
		*eq = '\0';
		if (kaudit && eq[1] != '"' &&
		    (!strcmp(w, "path") || !strcmp(w, "name")))
			unhex(eq + 1);
		else
			unquote(eq + 1);
		r->key[r->n] = w;
		r->value[r->n++] = eq + 1;
	}
}

/* The value of @key, or NULL. */
static const char *field(const struct record *r, const char *key)
{
	int i;

	for (i = 0; i < r->n; i++)
		if (!strcmp(r->key[i], key))
			return r->value[i];
	return NULL;
}

/* The LABEL of "ID(LABEL)" into @out; false when @v is not one. */
static bool id_label(const char *v, char out[SHYPE_NAME_MAX + 1])
{
	const char *open = v ? strchr(v, '(') : NULL;
	size_t len;

	if (!open)
		return false;
	len = strlen(open + 1);
	if (!len || open[len] != ')' || len - 1 > SHYPE_NAME_MAX)
		return false;
	memcpy(out, open + 1, len - 1);
	out[len - 1] = '\0';
	return out[0] && strcmp(out, "-");
}

static void set_rule(struct why *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void set_rule(struct why *w, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(w->rule, sizeof(w->rule), fmt, ap);
	va_end(ap);
}

static void set_note(struct why *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void set_note(struct why *w, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(w->note, sizeof(w->note), fmt, ap);
	va_end(ap);
}

/* A new fix; NULL when there is no room left. */
static struct fix *add_fix(struct why *w, bool policy, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static struct fix *add_fix(struct why *w, bool policy, const char *fmt, ...)
{
	struct fix *f;
	va_list ap;

	if (w->n_fixes == FIXES_MAX)
		return NULL;
	f = &w->fix[w->n_fixes++];
	memset(f, 0, sizeof(*f));
	f->policy = policy;
	va_start(ap, fmt);
	vsnprintf(f->text, sizeof(f->text), fmt, ap);
	va_end(ap);
	return f;
}

static void add_warning(struct fix *f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void add_warning(struct fix *f, const char *fmt, ...)
{
	va_list ap;

	if (!f || f->n_warnings == WARNINGS_MAX)
		return;
	va_start(ap, fmt);
	vsnprintf(f->warning[f->n_warnings++], TEXT_MAX, fmt, ap);
	va_end(ap);
}

/* "{A, B}": the types of conflict set @s. */
static const char *set_names(const struct shype_policy *p, u32 s, char *buf,
			     size_t size)
{
	const __le64 *row = shype_conflict_row(p, s);
	size_t n = 0;
	u32 t;

	n += snprintf(buf, size, "{");
	for (t = 0; t < p->chwall_types && n < size; t++)
		if (shype_bit(row, t))
			n += snprintf(buf + n, size - n, "%s%s",
				      n > 1 ? ", " : "", p->chwall_names[t].s);
	if (n < size)
		snprintf(buf + n, size - n, "}");
	return buf;
}

/*
 * The leak of the pair of labels @a, @b (by name) among the @n leaks of
 * @p, or NULL when they cannot exchange data under @p.
 */
static const struct flow_leak *leak_of(const struct shype_policy *p,
				       const struct flow_leak *v, size_t n,
				       const char *a, const char *b)
{
	const char *x, *y;
	size_t i;

	for (i = 0; i < n; i++) {
		x = p->label[v[i].a].name;
		y = p->label[v[i].b].name;
		if ((!strcmp(x, a) && !strcmp(y, b)) ||
		    (!strcmp(x, b) && !strcmp(y, a)))
			return &v[i];
	}
	return NULL;
}

#define PAIRS_MAX 16

/*
 * Two labels of one conflict set that a change lets exchange data, and
 * the labels between them (at most two for a new join, else a path).
 */
struct pair {
	u32 a, b, s;
	u32 via[3];
	int n_via;
	const u32 *path; /* or a path of flow_leaks() */
	u32 len;
};

/* Note pair @x in @v, keeping for each pair its shortest way. */
static void note_pair(struct pair *v, int *n, const struct pair *x)
{
	int i;

	for (i = 0; i < *n; i++) {
		if (v[i].a != x->a || v[i].b != x->b)
			continue;
		if (x->n_via < v[i].n_via)
			v[i] = *x;
		return;
	}
	if (*n < PAIRS_MAX)
		v[(*n)++] = *x;
}

/*
 * The pairs of conflict-set members that the new join of labels @x and @y
 * under @q puts next to each other, or one or two labels apart: a member
 * that is @x or joined to it, and one that is @y or joined to it.
 */
static void new_edge_pairs(const struct shype_policy *q, u32 x, u32 y,
			   struct pair *v, int *n)
{
	struct pair c;
	u32 m1, m2, ta, tb;

	for (m1 = 0; m1 < q->labels; m1++) {
		if (m1 == y || (m1 != x && !flow_edge(q, m1, x)))
			continue;
		for (m2 = 0; m2 < q->labels; m2++) {
			if (m2 == m1 || m2 == x ||
			    (m2 != y && !flow_edge(q, m2, y)))
				continue;
			memset(&c, 0, sizeof(c));
			c.s = flow_walled(q, m1, m2, &ta, &tb);
			if (c.s == SHYPE_NOT_FOUND)
				continue;
			c.a = m1 < m2 ? m1 : m2;
			c.b = m1 < m2 ? m2 : m1;
			if (x != m1)
				c.via[c.n_via++] = x;
			if (y != m2)
				c.via[c.n_via++] = y;
			if (m1 > m2 && c.n_via == 2) {
				c.via[0] = y;
				c.via[1] = x;
			}
			note_pair(v, n, &c);
		}
	}
}

/*
 * Warn on @f for every pair of conflict-set members that the changed model
 * @m lets exchange data that @p did not, or through fewer labels: a new
 * join next to them, or one that links what was apart.
 */
static void warn_new_leaks(const struct shype_policy *p,
			   const struct shype_model *m, struct fix *f)
{
	struct flow_leak *old = NULL, *new = NULL;
	const struct flow_leak *was;
	size_t n_old = 0, n_new = 0, i;
	struct pair pairs[PAIRS_MAX], c;
	char set[256], via[TEXT_MAX];
	struct shype_policy q;
	void *blob = NULL;
	u32 a, b, k;
	int n = 0, j;
	size_t len;

	if (!f)
		return;
	if (shype_model_compile(m, &blob, &len)) {
		add_warning(f, "the changed policy does not compile");
		return;
	}
	if (shype_policy_init(&q, blob, len) || q.labels != p->labels ||
	    flow_leaks(p, &old, &n_old) || flow_leaks(&q, &new, &n_new)) {
		add_warning(f, "the changed policy could not be analysed");
		goto out;
	}
	for (a = 0; a < q.labels; a++)
		for (b = 0; b < q.labels; b++)
			if (flow_edge(&q, a, b) && !flow_edge(p, a, b))
				new_edge_pairs(&q, a, b, pairs, &n);
	/* A new way no shorter than one they had already is no news. */
	for (j = 0; j < n; j++) {
		was = leak_of(p, old, n_old, q.label[pairs[j].a].name,
			      q.label[pairs[j].b].name);
		if (was && pairs[j].n_via > (int)was->len - 2)
			pairs[j--] = pairs[--n];
	}
	for (i = 0; i < n_new; i++) {
		if (leak_of(p, old, n_old, q.label[new[i].a].name,
			    q.label[new[i].b].name))
			continue;
		memset(&c, 0, sizeof(c));
		c.a = new[i].a;
		c.b = new[i].b;
		c.s = new[i].set;
		c.path = new[i].path;
		c.len = new[i].len;
		c.n_via = new[i].len > 2 ? new[i].len - 2 : 0;
		note_pair(pairs, &n, &c);
	}
	for (j = 0; j < n; j++) {
		via[0] = '\0';
		for (k = 0; k < (u32)pairs[j].n_via; k++)
			snprintf(via + strlen(via), sizeof(via) - strlen(via),
				 "%s%s", k ? ", " : " through ",
				 q.label[pairs[j].path ? pairs[j].path[k + 1] :
							 pairs[j].via[k]]
					 .name);
		add_warning(
			f,
			"crosses conflict set %s: labels '%s' and '%s' could then exchange data%s",
			set_names(&q, pairs[j].s, set, sizeof(set)),
			q.label[pairs[j].a].name, q.label[pairs[j].b].name,
			via[0] ? via : " directly");
	}
out:
	flow_leaks_free(old, n_old);
	flow_leaks_free(new, n_new);
	free(blob);
}

/* A fresh model of @pf to change; NULL on failure. */
static struct shype_model *model_copy(const struct policy_file *pf)
{
	struct shype_model *m = NULL;

	if (shype_model_decode(pf->blob, pf->len, &m))
		return NULL;
	return m;
}

/* Add STE type @t to label @l of @m, keeping the list sorted. */
static int model_add_ste(struct shype_model *m, u32 l, u32 t)
{
	struct shype_model_label *x = &m->labels[l];
	unsigned int *v = realloc(x->ste, sizeof(*v) * (x->n_ste + 1));
	size_t i;

	if (!v)
		return -ENOMEM;
	x->ste = v;
	for (i = x->n_ste; i > 0 && v[i - 1] > t; i--)
		v[i] = v[i - 1];
	v[i] = t;
	x->n_ste++;
	return 0;
}

/* Give resource @kind:@name label @l in @m, adding it when missing. */
static int model_set_resource(struct shype_model *m, unsigned int kind,
			      const char *name, u32 l)
{
	struct shype_model_resource *v;
	size_t i, j;

	for (i = 0; i < m->n_resources; i++) {
		v = &m->resources[i];
		if (v->kind == kind && !strcmp(v->name, name)) {
			v->label = l;
			return 0;
		}
		if (v->kind > kind ||
		    (v->kind == kind && strcmp(v->name, name) > 0))
			break;
	}
	v = realloc(m->resources, sizeof(*v) * (m->n_resources + 1));
	if (!v)
		return -ENOMEM;
	m->resources = v;
	for (j = m->n_resources; j > i; j--)
		v[j] = v[j - 1];
	v[i].kind = kind;
	v[i].label = l;
	v[i].name = strdup(name);
	m->n_resources++;
	return v[i].name ? 0 : -ENOMEM;
}

/* Does label @l of @p hold STE type @t? */
static bool has_ste(const struct shype_policy *p, u32 l, u32 t)
{
	return shype_bit(shype_ste_row(p, l), t);
}

/*
 * Fixes for two labels @a and @b that share no STE type: give one the
 * other's type.  Changes that open no new flow between conflict-set
 * members come first.
 */
static void fix_share(const struct policy_file *pf, struct why *w, u32 a, u32 b)
{
	const struct shype_policy *p = &pf->pol;
	struct shype_model *m;
	u32 pair[2][2] = { { a, b }, { b, a } }, t;
	struct fix *f, sorted[FIXES_MAX];
	int k, first = w->n_fixes, i, n, pass;

	for (k = 0; k < 2; k++) {
		for (t = 0; t < p->ste_types; t++) {
			u32 to = pair[k][0], from = pair[k][1];

			if (!has_ste(p, from, t))
				continue;
			f = add_fix(w, true, "add STE type '%s' to label '%s'",
				    p->ste_names[t].s, p->label[to].name);
			if (!f)
				return;
			m = model_copy(pf);
			if (!m || model_add_ste(m, to, t))
				add_warning(f, "out of memory");
			else
				warn_new_leaks(p, m, f);
			shype_model_free(m);
		}
	}
	/* Safe changes first, keeping the order otherwise. */
	n = 0;
	for (pass = 0; pass < 2; pass++)
		for (i = first; i < w->n_fixes; i++)
			if (!w->fix[i].n_warnings == !pass)
				sorted[n++] = w->fix[i];
	memcpy(&w->fix[first], sorted, sizeof(*sorted) * n);
}

/* A VM's label from a record: @key's ID(LABEL) as an index of @p. */
static u32 record_label(const struct shype_policy *p, const struct record *r,
			const char *key, char name[SHYPE_NAME_MAX + 1])
{
	if (!id_label(field(r, key), name)) {
		/* Named "?" in the explanation: the record has no label. */
		strcpy(name, "?");
		return SHYPE_NOT_FOUND;
	}
	return shype_label_find(p, name, strlen(name));
}

/* reason=ste peer=ID(LABEL): two VMs on one object share no type. */
static void explain_peer(const struct policy_file *pf, const struct record *r,
			 struct why *w)
{
	const struct shype_policy *p = &pf->pol;
	char a_name[SHYPE_NAME_MAX + 1], b_name[SHYPE_NAME_MAX + 1];
	const char *cls = field(r, "class"), *what = field(r, "path");
	u32 a, b, t;

	if (!what)
		what = field(r, "name");
	a = record_label(p, r, "vm", a_name);
	b = record_label(p, r, "peer", b_name);
	if (!strcmp(a_name, "?") || !strcmp(b_name, "?")) {
		set_rule(
			w,
			"STE: two VMs may share only if their labels have an STE type in common; the record does not give both labels");
		return;
	}
	if (a == SHYPE_NOT_FOUND || b == SHYPE_NOT_FOUND) {
		set_rule(
			w,
			"STE: VMs of labels '%s' and '%s' may share only if their labels have an STE type in common; policy '%s' has no label '%s'",
			a_name, b_name, p->name,
			a == SHYPE_NOT_FOUND ? a_name : b_name);
		return;
	}
	set_rule(
		w,
		"STE: a VM of label '%s' may not share %s%s%s with a VM of label '%s': the labels have no STE type in common",
		a_name, cls ? cls : "an object", what ? " " : "",
		what ? what : "", b_name);
	if (shype_ste_share(p, a, b)) {
		t = shype_ste_common(p, a, b);
		set_note(
			w,
			"policy '%s' lets them share (STE type '%s'): the denial was made under another policy",
			p->name, p->ste_names[t].s);
		return;
	}
	fix_share(pf, w, a, b);
}

/* reason=ste class=C label=RL path|name=R: a resource the VM may not use. */
static void explain_resource(const struct policy_file *pf,
			     const struct record *r, struct why *w)
{
	const struct shype_policy *p = &pf->pol;
	const char *cls = field(r, "class"), *rl_name = field(r, "label");
	const char *what = field(r, "path");
	char l_name[SHYPE_NAME_MAX + 1], set[256];
	struct shype_model *m;
	unsigned int kind = 0;
	u32 l, rl, x, ta, tb;
	struct fix *f;

	if (!what)
		what = field(r, "name");
	if (!what)
		what = "?";
	if (cls && !strcmp(cls, "shm"))
		kind = SHYPE_RES_SHM;
	else if (cls && !strcmp(cls, "net"))
		kind = SHYPE_RES_NET;
	else if (cls && !strcmp(cls, "vsock"))
		kind = SHYPE_RES_VSOCK;
	l = record_label(p, r, "vm", l_name);
	rl = rl_name ? shype_label_find(p, rl_name, strlen(rl_name)) :
		       SHYPE_NOT_FOUND;
	if (rl == SHYPE_NOT_FOUND) {
		set_rule(
			w,
			"%s %s carries label '%s', which policy '%s' does not have: no VM may use it",
			cls ? cls : "resource", what, rl_name ? rl_name : "-",
			p->name);
		if (kind == SHYPE_RES_SHM)
			add_fix(w, false,
				"give the file a label of the policy: shypectl resource label %s LABEL",
				what);
		add_fix(w, true, "add label '%s' to the policy",
			rl_name ? rl_name : "-");
		return;
	}
	if (l == SHYPE_NOT_FOUND) {
		set_rule(w, "policy '%s' has no label '%s'", p->name, l_name);
		return;
	}
	set_rule(
		w,
		"STE: a VM of label '%s' may use %s %s (label '%s') only if the labels have an STE type in common, and they have none",
		l_name, cls ? cls : "resource", what, rl_name);
	if (shype_ste_share(p, l, rl)) {
		set_note(
			w,
			"policy '%s' lets label '%s' use label '%s': the denial was made under another policy",
			p->name, l_name, rl_name);
		return;
	}
	fix_share(pf, w, l, rl);

	/* Or give the resource the VM's own label. */
	if (!kind)
		return;
	f = add_fix(
		w, true,
		"label resource %s:%s '%s' (\"resources\": {\"%s:%s\": \"%s\"})",
		cls, what, l_name, cls, what, l_name);
	if (kind == SHYPE_RES_SHM && f)
		snprintf(
			f->text + strlen(f->text),
			sizeof(f->text) - strlen(f->text),
			"; for a file, at run time: shypectl resource label %s %s",
			what, l_name);
	for (x = 0; f && x < p->labels; x++)
		if (x != l && flow_edge(p, x, rl) && !flow_edge(p, x, l) &&
		    !flow_is_resource(p, x)) {
			add_warning(f,
				    "VMs of label '%s' could no longer use it",
				    p->label[x].name);
			if (flow_walled(p, x, l, &ta, &tb) != SHYPE_NOT_FOUND)
				add_warning(
					f,
					"crosses conflict set %s: what VMs of label '%s' left in it would pass to label '%s'",
					set_names(p,
						  flow_walled(p, x, l, &ta,
							      &tb),
						  set, sizeof(set)),
					p->label[x].name, l_name);
		}
	m = model_copy(pf);
	if (f && (!m || model_set_resource(m, kind, what, l)))
		add_warning(f, "out of memory");
	else if (f)
		warn_new_leaks(p, m, f);
	shype_model_free(m);
}

/* reason=chinese_wall type=T running=R [peer=ID(LABEL)]. */
static void explain_chwall(const struct policy_file *pf, const struct record *r,
			   struct why *w)
{
	const struct shype_policy *p = &pf->pol;
	const char *type = field(r, "type"), *running = field(r, "running");
	const char *peer = field(r, "peer");
	char l_name[SHYPE_NAME_MAX + 1], set[256];
	u32 t = SHYPE_NOT_FOUND, u = SHYPE_NOT_FOUND, s, i;
	struct fix *f;

	for (i = 0; i < p->chwall_types; i++) {
		if (type && !strcmp(p->chwall_names[i].s, type))
			t = i;
		if (running && !strcmp(p->chwall_names[i].s, running))
			u = i;
	}
	if (!id_label(field(r, "vm"), l_name) &&
	    !(field(r, "label") &&
	      snprintf(l_name, sizeof(l_name), "%s", field(r, "label")) > 0))
		snprintf(l_name, sizeof(l_name), "?");
	for (s = 0; t != SHYPE_NOT_FOUND && u != SHYPE_NOT_FOUND &&
		    s < p->conflict_sets;
	     s++)
		if (shype_bit(shype_conflict_row(p, s), t) &&
		    shype_bit(shype_conflict_row(p, s), u))
			break;
	if (t == SHYPE_NOT_FOUND || u == SHYPE_NOT_FOUND ||
	    s == p->conflict_sets) {
		set_rule(
			w,
			"Chinese Wall: type '%s' conflicted with running type '%s', but no conflict set of policy '%s' holds both: the denial was made under another policy",
			type ? type : "?", running ? running : "?", p->name);
		return;
	}
	set_rule(
		w,
		"Chinese Wall: conflict set %s: a VM of label '%s' (type '%s') may not start while a VM of type '%s' runs%s%s",
		set_names(p, s, set, sizeof(set)), l_name, type, running,
		peer && strcmp(peer, "-") ? " (vm " : "",
		peer && strcmp(peer, "-") ? peer : "");
	if (peer && strcmp(peer, "-"))
		strncat(w->rule, ")", sizeof(w->rule) - strlen(w->rule) - 1);
	add_fix(w, false,
		"stop every VM of type '%s' first (no policy change): the wall is working as meant",
		running);
	f = add_fix(w, true, "take '%s' or '%s' out of conflict set %s", type,
		    running, set);
	add_warning(
		f,
		"crosses conflict set %s: VMs of types '%s' and '%s' could run at once, and share wherever their STE types allow",
		set, type, running);
}

/* Explain the fields of @r under @pf into @w; false when not a denial. */
/* op=file: a labelled process's open of a file, or a change of its label. */
static void explain_file(const struct policy_file *pf, const struct record *r,
			 struct why *w)
{
	const struct shype_policy *p = &pf->pol;
	const char *reason = field(r, "reason"), *fl = field(r, "file_label");
	const char *path = field(r, "path") ? field(r, "path") : "?";
	char who[SHYPE_NAME_MAX + 1];
	u32 a, b;

	if (!id_label(field(r, "pid"), who))
		strcpy(who, "?");
	if (!fl)
		fl = "-";
	if (!strcmp(reason, "ste")) {
		set_rule(
			w,
			"a VMM of label '%s' may open a file labelled '%s' (%s) only if the labels have an STE type in common",
			who, fl, path);
		add_fix(w, false,
			"if the file is not the other coalition's data, relabel it: shypectl resource label file:%s %s",
			path, who);
		a = shype_label_find(p, who, strlen(who));
		b = shype_label_find(p, fl, strlen(fl));
		if (a != SHYPE_NOT_FOUND && b != SHYPE_NOT_FOUND &&
		    !shype_ste_share(p, a, b))
			fix_share(pf, w, a, b);
	} else if (!strcmp(reason, "unknown_label")) {
		set_rule(
			w,
			"the file %s carries label '%s', which policy '%s' does not have: no labelled VMM may open it",
			path, fl, p->name);
		add_fix(w, false,
			"relabel the file: shypectl resource label file:%s LABEL",
			path);
		add_fix(w, true, "add label '%s' to \"resource_labels\"", fl);
	} else if (!strcmp(reason, "unknown_opener")) {
		set_rule(
			w,
			"the process's label '%s' is not a VM label of policy '%s', so it may neither open labelled files nor label the files it writes",
			who, p->name);
		add_fix(w, false,
			"give the process's cgroup a VM label of the policy: shypectl label set CGROUP LABEL");
	} else if (!strcmp(reason, "unlabeled")) {
		set_rule(
			w,
			"policy '%s' lets labelled VMMs write only labelled files (\"unlabeled_files\": \"deny\"), and %s has no label",
			p->name, path);
		add_fix(w, false,
			"label the file: shypectl resource label file:%s %s",
			path, who);
		add_fix(w, true, "label it in the policy: \"file:%s\": \"%s\"",
			path, who);
	} else if (!strcmp(reason, "cannot_label")) {
		set_rule(
			w,
			"an unlabelled file written by a VMM becomes its, but the filesystem of %s cannot store the label (security.shype)",
			path);
		add_fix(w, false,
			"keep the VM's files on a filesystem with extended attributes (ext4, xfs, btrfs, tmpfs)");
		add_fix(w, true, "label it in the policy: \"file:%s\": \"%s\"",
			path, who);
	} else if (!strcmp(reason, "labelled") ||
		   !strcmp(reason, "cap_mac_admin")) {
		set_rule(
			w,
			"a file's label (security.shype) is set or removed only by a process outside every label with CAP_MAC_ADMIN%s",
			!strcmp(reason, "labelled") ?
				", and this one is labelled" :
				"");
		add_fix(w, false,
			"label files as root outside the labelled cgroups: shypectl resource label file:PATH LABEL");
	} else {
		set_rule(w, "reason '%s' is not one this shypectl knows",
			 reason);
	}
}

static bool explain(const struct policy_file *pf, const struct record *r,
		    struct why *w)
{
	const struct shype_policy *p = &pf->pol;
	const char *op = field(r, "op"), *reason = field(r, "reason");
	char label[SHYPE_NAME_MAX + 1];

	memset(w, 0, sizeof(*w));
	if (!op || !reason)
		return false;
	if (!strcmp(op, "file")) {
		explain_file(pf, r, w);
	} else if (!strcmp(reason, "ste") && field(r, "peer")) {
		explain_peer(pf, r, w);
	} else if (!strcmp(reason, "ste")) {
		explain_resource(pf, r, w);
	} else if (!strcmp(reason, "chinese_wall")) {
		explain_chwall(pf, r, w);
	} else if (!strcmp(reason, "unlabeled")) {
		set_rule(
			w,
			"the VM was created outside any labelled cgroup, and policy '%s' refuses unlabelled VMs (\"unlabeled\": \"%s\")",
			p->name,
			p->unlabeled == SHYPE_UNLABELED_DENY ?
				"deny" :
				p->label[p->unlabeled].name);
		add_fix(w, false,
			"start the VM with a label: 'shypectl run --label LABEL', 'shypectl label set CGROUP LABEL' or 'shypectl domain label DOMAIN LABEL'");
		add_fix(w, true,
			"name a VM label for unlabelled VMs: \"unlabeled\": \"LABEL\" (for libvirtd's probe VM, a label such as 'libvirt' that shares nothing, as policies/figure2-libvirt.json does)");
	} else if (!strcmp(reason, "unknown_label")) {
		if (!id_label(field(r, "vm"), label) &&
		    snprintf(label, sizeof(label), "%s",
			     field(r, "label") ? field(r, "label") : "?") < 0)
			label[0] = '\0';
		set_rule(w, "'%s' is not a VM label of policy '%s'%s", label,
			 p->name,
			 shype_label_find(p, label, strlen(label)) !=
					 SHYPE_NOT_FOUND ?
				 " (it is a resource label)" :
				 "");
		add_fix(w, false,
			"give the VM's cgroup a VM label of the policy: shypectl label set CGROUP LABEL");
		add_fix(w, true, "add VM label '%s' to \"labels\"", label);
	} else if (!strcmp(reason, "process_label")) {
		set_rule(
			w,
			"one process may run VMs of one label only, and it already runs vm %s",
			field(r, "other") ? field(r, "other") : "?");
		add_fix(w, false,
			"run VMs of another label in another process (no policy change allows this)");
	} else if (!strcmp(reason, "relabel")) {
		set_rule(
			w,
			"a run-time label '%s' of a shared file was refused: a VM that maps the file may not use that label",
			field(r, "label") ? field(r, "label") : "?");
		add_fix(w, false,
			"give the file a label that every VM mapping it shares an STE type with, or label it before the VMs map it");
	} else if (!strcmp(reason, "no_policy")) {
		set_rule(
			w,
			"no policy was loaded and shype.ko refuses every VM until one is (require_policy=1)");
		add_fix(w, false,
			"load a policy: shypectl load FILE (at boot: POLICY= in shype.conf)");
	} else if (!strcmp(reason, "unknown_vm")) {
		set_rule(
			w,
			"the process is not a VM shype knows (created before shype.ko was loaded, or not a VMM): it may not share");
		add_fix(w, false,
			"restart the VM after shype.ko is loaded (no policy change allows this)");
	} else if (!strcmp(reason, "vm_to_vm_unsupported") ||
		   !strcmp(reason, "netns") || !strcmp(reason, "raw_socket") ||
		   !strcmp(reason, "no_device") ||
		   !strcmp(reason, "not_owner")) {
		set_rule(
			w,
			"shype cannot mediate this operation (%s: reason=%s), so it refuses it while a policy is loaded",
			op, reason);
		add_fix(w, false,
			"no policy change allows it: use a device shype mediates (see docs/hookpoints.md)");
	} else if (!strcmp(reason, "other_name")) {
		set_rule(
			w,
			"policy '%s' is active; a policy of another name ('%s') replaces it only when forced",
			field(r, "active") ? field(r, "active") : "?",
			field(r, "new") ? field(r, "new") : "?");
		add_fix(w, false,
			"shypectl load FILE force (check first: shypectl load FILE force --dry-run)");
	} else if (!strcmp(reason, "stale_version")) {
		set_rule(
			w,
			"a policy replaces one of its own name only with a higher version (active %s, new %s)",
			field(r, "active") ? field(r, "active") : "?",
			field(r, "new") ? field(r, "new") : "?");
		add_fix(w, true, "raise \"version\" above %s",
			field(r, "active") ? field(r, "active") :
					     "the active one");
	} else if (!strcmp(reason, "malformed")) {
		set_rule(w, "the kernel refused a malformed blob: %s",
			 field(r, "error") ? field(r, "error") : "?");
		add_fix(w, false,
			"compile it again with this shypectl: shypectl policy check FILE");
	} else {
		set_rule(w, "reason '%s' is not one this shypectl knows",
			 reason);
	}
	return true;
}

static void print_why(const char *line, const struct why *w)
{
	int i, j;

	open_json_object(NULL);
	print_string(PRINT_ANY, "record", "%s", line);
	print_nl();
	print_string(PRINT_ANY, "rule", "  rule: %s", w->rule);
	print_nl();
	open_json_array(PRINT_JSON, "fixes");
	for (i = 0; i < w->n_fixes; i++) {
		open_json_object(NULL);
		print_string(PRINT_ANY, "fix", "  fix: %s", w->fix[i].text);
		print_bool(PRINT_JSON, "policy_change", NULL, w->fix[i].policy);
		print_nl();
		open_json_array(PRINT_JSON, "warnings");
		for (j = 0; j < w->fix[i].n_warnings; j++) {
			print_string(PRINT_ANY, NULL, "    warning: %s",
				     w->fix[i].warning[j]);
			print_nl();
		}
		close_json_array(PRINT_JSON, NULL);
		close_json_object();
	}
	close_json_array(PRINT_JSON, NULL);
	if (w->note[0]) {
		print_string(PRINT_ANY, "note", "  note: %s", w->note);
		print_nl();
	}
	close_json_object();
}

/*
 * Explain @line (a copy is parsed); false when it is no denial record,
 * which is an error unless @quiet.
 */
static bool explain_line(const struct policy_file *pf, const char *line,
			 bool quiet)
{
	struct record r;
	struct why w;
	char *copy = strdup(line);
	bool ok;

	if (!copy) {
		p_err("out of memory");
		return false;
	}
	record_parse(copy, &r);
	ok = explain(pf, &r, &w);
	if (ok)
		print_why(line, &w);
	else if (!quiet)
		p_err("not a shype denial record (no op= and reason=): %s",
		      line);
	free(copy);
	return ok;
}

/* The last @n lines of the audit file into @v (malloc()ed strings). */
static int last_denials(char **v, int n, int *got)
{
	struct shype_audit_reader a;
	const char *line;
	int ret, k = 0, i;

	ret = shype_audit_open(&a);
	if (ret)
		return ret;
	while ((ret = shype_audit_next(&a, false, &line)) > 0) {
		if (k == n) {
			free(v[0]);
			memmove(v, v + 1, sizeof(*v) * (n - 1));
			k--;
		}
		v[k] = strdup(line);
		if (!v[k]) {
			ret = -ENOMEM;
			break;
		}
		k++;
	}
	shype_audit_close(&a);
	if (ret < 0) {
		for (i = 0; i < k; i++)
			free(v[i]);
		return ret;
	}
	*got = k;
	return 0;
}

static int explain_help(void)
{
	return usage_err(
		"'audit explain' takes [--policy { FILE | active }] [{-n|--last} N] [RECORD... | -]; see '%s audit help'",
		bin_name);
}

int audit_explain(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "policy", required_argument, NULL, 'P' },
		{ "last", required_argument, NULL, 'n' },
		{ 0 },
	};
	const char *policy = "active";
	char *v[LAST_MAX], *line = NULL, *end;
	struct policy_file pf;
	size_t cap = 0, len = 0;
	long last = 1;
	int c, i, got = 0, ret = EXIT_SUCCESS, err;
	ssize_t n;

	while ((c = cmd_getopt(argc, argv, "n:", opts)) != -1) {
		if (c == 'P') {
			policy = optarg;
		} else if (c == 'n') {
			last = strtol(optarg, &end, 10);
			if (*end || last < 1 || last > LAST_MAX)
				return usage_err(
					"'%s' is not a number of denials from 1 to %d",
					optarg, LAST_MAX);
		} else {
			return explain_help();
		}
	}
	if (flow_policy_load(policy, &pf))
		return EXIT_FAILURE;

	new_json_obj(json_output, pretty_output);
	open_json_array(PRINT_JSON, "explanations");
	if (argc - optind == 1 && !strcmp(argv[optind], "-")) {
		/* Records on stdin, one a line; other lines (ausearch's) skipped. */
		while ((n = getline(&line, &cap, stdin)) > 0) {
			line[strcspn(line, "\n")] = '\0';
			if (explain_line(&pf, line, true))
				got++;
		}
		free(line);
		if (!got) {
			p_err("no shype denial record on standard input");
			ret = EXIT_FAILURE;
		}
	} else if (optind < argc) {
		/* One record, in one argument or many. */
		for (i = optind; i < argc; i++)
			len += strlen(argv[i]) + 1;
		line = calloc(1, len);
		for (i = optind; line && i < argc; i++) {
			if (i > optind)
				strcat(line, " ");
			strcat(line, argv[i]);
		}
		if (!line || !explain_line(&pf, line, false))
			ret = EXIT_FAILURE;
		free(line);
	} else {
		err = last_denials(v, last, &got);
		if (err) {
			p_read_err(err, "audit");
			ret = EXIT_FAILURE;
		}
		for (i = 0; i < got; i++) {
			if (!explain_line(&pf, v[i], false))
				ret = EXIT_FAILURE;
			free(v[i]);
		}
	}
	close_json_array(PRINT_JSON, NULL);
	delete_json_obj();
	policy_file_free(&pf);
	return ret;
}
