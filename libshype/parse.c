// SPDX-License-Identifier: LGPL-2.1
/*
 * JSON policy source -> model (docs/policy.md).  json-c parses; jsonpos.c
 * says where each value lies; the checks below go over the whole source and
 * report every mistake at its place, in words a policy author understands.
 * The model is built as the checks go, and dropped if any of them failed.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "jsonpos.h"
#include "shype.h"

#define STR_(x) #x
#define STR(x)	STR_(x)
#define NAME_RULE \
	"a name is 1 to " STR(SHYPE_NAME_MAX) " characters of A-Z a-z 0-9 _ . -"

#define VERSION_MAX STR(SHYPE_VERSION_MAX)
#define VERSION_RULE                                                             \
	"write \"MAJOR\" or \"MAJOR.MINOR\" with numbers from 0 to " VERSION_MAX \
	" without leading zeros"

#define NO_POS SIZE_MAX /* an error that has no place in the file */
#define QLEN   72 /* a quoted string in a message: 64 bytes and "..." */

struct perr {
	size_t off, seq;
	struct shype_error e;
};

/* A member of a JSON object: its key and its value. */
struct member {
	const char *key;
	size_t key_len;
	size_t key_off;
	struct json_object *j;
	unsigned int node; /* of the value in the position index; 0: absent */
};

/* A type index in a list, and where the list names it. */
struct tref {
	unsigned int idx;
	size_t off;
};

struct name {
	const char *s;
	size_t off;
};

struct label {
	const char *name;
	size_t off; /* of its key */
	bool resource;
	struct json_object *j;
	unsigned int node;
	struct tref *cw; /* its CHWALL types, for the conflict check */
	size_t n_cw;
};

struct cset {
	struct tref *t;
	size_t n;
	size_t off;
	bool bad; /* has a mistake, so its list is partial */
};

struct res {
	unsigned int kind;
	const char *name;
	unsigned int label;
};

struct parser {
	const char *file;
	struct jpos ix;
	struct perr *err;
	size_t n_err, cap_err;
	bool nomem;
	struct shype_model *m;
	struct label *lab;
	size_t n_lab;
	struct cset *sets;
	size_t n_sets;
	unsigned char *seen; /* per type, while a type list is resolved */
};

/* --- Reporting. --- */

static __attribute__((format(printf, 3, 4))) void
err(struct parser *p, size_t off, const char *fmt, ...)
{
	struct perr *e;
	va_list ap;

	if (p->n_err == p->cap_err) {
		size_t cap = p->cap_err ? 2 * p->cap_err : 16;

		e = reallocarray(p->err, cap, sizeof(*e));
		if (!e) {
			p->nomem = true;
			return;
		}
		p->err = e;
		p->cap_err = cap;
	}
	e = &p->err[p->n_err];
	e->off = off;
	e->seq = p->n_err++;
	e->e.file = p->file;
	e->e.line = 0;
	e->e.col = 0;
	va_start(ap, fmt);
	vsnprintf(e->e.msg, sizeof(e->e.msg), fmt, ap);
	va_end(ap);
}

/* @s as it can be shown in a message: no control characters, not too long */
static const char *q(char *buf, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = s[i];

		/* cut at a character boundary */
		if (i >= QLEN - 12 && ((c & 0xc0) != 0x80 || i >= QLEN - 5)) {
			strcpy(buf + i, "...");
			return buf;
		}
		buf[i] = c < 0x20 || c == 0x7f ? '?' : c;
	}
	buf[i] = 0;
	return buf;
}

/* "LINE:COL" of @off */
static const char *pos(char *buf, const struct parser *p, size_t off)
{
	unsigned int line, col;

	jpos_linecol(&p->ix, off, &line, &col);
	sprintf(buf, "%u:%u", line, col);
	return buf;
}

/* --- Names, and suggestions for the unknown ones. --- */

static bool valid_name(struct parser *p, size_t off, const char *what,
		       const char *s, size_t len)
{
	char b[QLEN];

	if (shype_name_valid(s, len))
		return true;
	err(p, off, "%s '%s' is %s; " NAME_RULE, what, q(b, s, len),
	    len > SHYPE_NAME_MAX ? "too long" : "not a valid name");
	return false;
}

/* The tables searched are sorted arrays whose elements start with a name. */
static const char *name_at(const void *tab, size_t size, size_t i)
{
	return *(char *const *)((const char *)tab + i * size);
}

static long find(const void *tab, size_t n, size_t size, const char *s,
		 size_t len)
{
	size_t lo = 0, hi = n;

	if (strlen(s) != len)
		return -1;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(s, name_at(tab, size, mid));

		if (!c)
			return mid;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return -1;
}

/* The name of the table closest to @s, if close enough to be a typo of it */
static const char *suggest(const void *tab, size_t n, size_t size,
			   const char *s, size_t len)
{
	struct shype_suggest sg;
	size_t i;

	shype_suggest_init(&sg, s, len);
	for (i = 0; i < n; i++)
		shype_suggest_offer(&sg, name_at(tab, size, i));
	return sg.best;
}

/* "; did you mean 'X'?" for a suggestion, or nothing */
static const char *hint(char *buf, const char *suggestion)
{
	buf[0] = 0;
	if (suggestion)
		sprintf(buf, "; did you mean '%.*s'?", SHYPE_NAME_MAX,
			suggestion);
	return buf;
}

#define HLEN (SHYPE_NAME_MAX + 24)

/* --- Walking json-c's tree and the position index together. --- */

static size_t at(const struct parser *p, unsigned int node)
{
	return p->ix.v[node].off;
}

static unsigned int next(const struct parser *p, unsigned int node)
{
	return p->ix.v[node].end;
}

/* Elements of an array value; the first is at node + 1, then next(). */
static size_t elems(const struct parser *p, struct json_object *j,
		    unsigned int node)
{
	size_t n = json_object_array_length(j);

	return n < p->ix.v[node].n ? n : p->ix.v[node].n;
}

static bool is(struct json_object *j, enum json_type t)
{
	return json_object_is_type(j, t);
}

static int cmp_member_key(const void *a, const void *b)
{
	const struct member *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	return c ? c : (x->key_off > y->key_off) - (x->key_off < y->key_off);
}

static int cmp_member_off(const void *a, const void *b)
{
	const struct member *x = a, *y = b;

	return (x->key_off > y->key_off) - (x->key_off < y->key_off);
}

/*
 * The members of an object, in source order.  A repeated key is reported at
 * each repetition; only its last value is listed, the one json-c kept.
 */
static struct member *members(struct parser *p, struct json_object *j,
			      unsigned int node, size_t *n)
{
	const struct jpos_node *v = p->ix.v;
	size_t count = v[node].n, i, k, first = 0;
	struct member *m = calloc(count + 1, sizeof(*m));
	unsigned int c;
	char b[QLEN], at_b[32];

	*n = 0;
	if (!m) {
		p->nomem = true;
		return NULL;
	}
	for (i = 0, c = node + 1; i < count; i++, c = v[c].end)
		m[i] = (struct member){ v[c].key, v[c].key_len, v[c].key_off,
					NULL, c };
	qsort(m, count, sizeof(*m), cmp_member_key);
	for (i = k = 0; i < count; i++) {
		if (i && !strcmp(m[i].key, m[i - 1].key))
			err(p, m[i].key_off, "duplicate key '%s' (first at %s)",
			    q(b, m[i].key, strlen(m[i].key)),
			    pos(at_b, p, m[first].key_off));
		else
			first = i;
		if (i + 1 < count && !strcmp(m[i].key, m[i + 1].key))
			continue;
		if (strlen(m[i].key) != m[i].key_len) {
			err(p, m[i].key_off, "a key may not contain \\u0000");
			continue;
		}
		if (!json_object_object_get_ex(j, m[i].key, &m[i].j))
			continue; /* cannot be: json-c keeps every key */
		m[k++] = m[i];
	}
	qsort(m, k, sizeof(*m), cmp_member_off);
	*n = k;
	return m;
}

static void unknown_key(struct parser *p, const struct member *m,
			const char *const keys[])
{
	char b[QLEN], h[HLEN], list[256] = "";
	size_t n;

	for (n = 0; keys[n]; n++) {
		strcat(list, n ? ", " : "");
		strcat(list, keys[n]);
	}
	hint(h, suggest(keys, n, sizeof(*keys), m->key, m->key_len));
	if (h[0])
		err(p, m->key_off, "unknown key '%s'%s",
		    q(b, m->key, m->key_len), h);
	else
		err(p, m->key_off, "unknown key '%s'; the keys here are %s",
		    q(b, m->key, m->key_len), list);
}

/*
 * An object of fixed keys: f[i] gets the member of keys[i] (node 0 when
 * absent).  Reports unknown keys, a "comment" that is not a string, and
 * missing keys whose bit is set in @required.
 */
static void fields(struct parser *p, struct json_object *j, unsigned int node,
		   const char *const keys[], unsigned int required,
		   struct member *f)
{
	struct member *m;
	size_t n, i, k;

	for (k = 0; keys[k]; k++)
		f[k] = (struct member){ .key = keys[k] };
	m = members(p, j, node, &n);
	for (i = 0; i < n; i++) {
		for (k = 0; keys[k] && strcmp(m[i].key, keys[k]); k++)
			;
		if (!keys[k])
			unknown_key(p, &m[i], keys);
		else if (!strcmp(keys[k], "comment") &&
			 !is(m[i].j, json_type_string))
			err(p, at(p, m[i].node), "'comment' must be a string");
		else
			f[k] = m[i];
	}
	for (k = 0; keys[k]; k++)
		if ((required >> k & 1) && !f[k].node)
			err(p, at(p, node), "missing required key '%s'",
			    keys[k]);
	free(m);
}

static const char *string_of(const struct member *f, size_t *len)
{
	*len = json_object_get_string_len(f->j);
	return json_object_get_string(f->j);
}

/* --- Name and version. --- */

static void check_name(struct parser *p, const struct member *f)
{
	const char *s;
	size_t len;

	if (!f->node)
		return;
	if (!is(f->j, json_type_string)) {
		err(p, at(p, f->node), "'name' must be a string");
		return;
	}
	s = string_of(f, &len);
	if (!valid_name(p, at(p, f->node), "policy name", s, len))
		return;
	p->m->name = strdup(s);
	if (!p->m->name)
		p->nomem = true;
}

/* A decimal number without leading zeros, at most SHYPE_VERSION_MAX */
static bool number(const char *s, size_t len, size_t *i, unsigned int *v)
{
	size_t start = *i;

	for (*v = 0; *i < len && s[*i] >= '0' && s[*i] <= '9'; (*i)++) {
		*v = *v * 10 + (s[*i] - '0');
		if (*v > SHYPE_VERSION_MAX)
			return false;
	}
	return *i > start && (s[start] != '0' || *i - start == 1);
}

static void check_version(struct parser *p, const struct member *f)
{
	struct shype_model *m = p->m;
	const char *s;
	size_t len, i = 0;
	char b[QLEN];

	if (!f->node)
		return;
	if (!is(f->j, json_type_string)) {
		err(p, at(p, f->node),
		    "'version' must be a string: \"MAJOR\" or \"MAJOR.MINOR\"");
		return;
	}
	s = string_of(f, &len);
	if (number(s, len, &i, &m->version_major) &&
	    (i == len || (s[i++] == '.' &&
			  number(s, len, &i, &m->version_minor) && i == len)))
		return;
	err(p, at(p, f->node), "version '%s' is not valid; " VERSION_RULE,
	    q(b, s, len));
}

/* --- Types and conflict sets. --- */

static int cmp_name(const void *a, const void *b)
{
	const struct name *x = a, *y = b;
	int c = strcmp(x->s, y->s);

	return c ? c : (x->off > y->off) - (x->off < y->off);
}

/* The "types" of "ste" or "chwall": a sorted table of names, each once. */
static void type_table(struct parser *p, const struct member *f,
		       const char *what, size_t limit, char ***out,
		       size_t *n_out)
{
	size_t n, i, k = 0;
	struct name *v;
	unsigned int c;
	char b[QLEN], at_b[32];

	if (!f->node)
		return;
	if (!is(f->j, json_type_array)) {
		err(p, at(p, f->node), "'types' must be an array of strings");
		return;
	}
	n = elems(p, f->j, f->node);
	v = calloc(n + 1, sizeof(*v));
	*out = calloc(n + 1, sizeof(**out));
	if (!v || !*out) {
		p->nomem = true;
		free(v);
		return;
	}
	for (i = 0, c = f->node + 1; i < n; i++, c = next(p, c)) {
		struct json_object *e = json_object_array_get_idx(f->j, i);

		if (i == limit)
			err(p, at(p, c), "too many %ss: the limit is %zu", what,
			    limit);
		if (!is(e, json_type_string)) {
			err(p, at(p, c), "'types' must be an array of strings");
			continue;
		}
		v[k].s = json_object_get_string(e);
		v[k].off = at(p, c);
		if (valid_name(p, v[k].off, what, v[k].s,
			       json_object_get_string_len(e)))
			k++;
	}
	qsort(v, k, sizeof(*v), cmp_name);
	for (i = 0; i < k; i++) {
		size_t first = i;

		for (; i + 1 < k && !strcmp(v[i + 1].s, v[first].s); i++)
			err(p, v[i + 1].off,
			    "%s '%s' is listed twice (first at %s)", what,
			    q(b, v[first].s, strlen(v[first].s)),
			    pos(at_b, p, v[first].off));
		(*out)[*n_out] = strdup(v[first].s);
		if (!(*out)[(*n_out)++])
			p->nomem = true;
	}
	free(v);
}

static int cmp_tref(const void *a, const void *b)
{
	const struct tref *x = a, *y = b;

	return (x->idx > y->idx) - (x->idx < y->idx);
}

/*
 * Resolve a list of type names against the STE or CHWALL table: the type
 * indices, ascending, each once.  @who names the list's owner in messages;
 * @wrong is the message for an element that is not a string.
 */
static struct tref *type_list(struct parser *p, struct json_object *j,
			      unsigned int node, const char *who, bool chwall,
			      const char *wrong, size_t *n_out, bool *bad)
{
	const char *what = chwall ? "CHWALL" : "STE";
	char **tab = chwall ? p->m->chwall_types : p->m->ste_types;
	size_t n_tab = chwall ? p->m->n_chwall_types : p->m->n_ste_types;
	size_t n = elems(p, j, node), i, k = 0;
	struct tref *t = calloc(n + 1, sizeof(*t));
	unsigned int c;
	char b[QLEN], h[HLEN];

	*n_out = 0;
	if (!t) {
		p->nomem = true;
		return NULL;
	}
	for (i = 0, c = node + 1; i < n; i++, c = next(p, c)) {
		struct json_object *e = json_object_array_get_idx(j, i);
		const char *s = json_object_get_string(e);
		size_t len = json_object_get_string_len(e);
		long idx;

		if (!is(e, json_type_string)) {
			err(p, at(p, c), "%s", wrong);
			*bad = true;
			continue;
		}
		idx = find(tab, n_tab, sizeof(*tab), s, len);
		if (idx < 0) {
			err(p, at(p, c), "%s names unknown %s type '%s'%s", who,
			    what, q(b, s, len),
			    hint(h, suggest(tab, n_tab, sizeof(*tab), s, len)));
			*bad = true;
		} else if (p->seen[idx]) {
			err(p, at(p, c), "%s lists %s type '%s' twice", who,
			    what, q(b, s, len));
			*bad = true;
		} else {
			p->seen[idx] = 1;
			t[k++] = (struct tref){ idx, at(p, c) };
		}
	}
	for (i = 0; i < k; i++)
		p->seen[t[i].idx] = 0;
	qsort(t, k, sizeof(*t), cmp_tref);
	*n_out = k;
	return t;
}

/* A copy of the indices of a type list, for the model */
static unsigned int *indices(struct parser *p, const struct tref *t, size_t n)
{
	unsigned int *v = calloc(n + 1, sizeof(*v));
	size_t i;

	if (!v) {
		p->nomem = true;
		return NULL;
	}
	for (i = 0; i < n; i++)
		v[i] = t[i].idx;
	return v;
}

/* Lexicographic order of two type lists */
static int cmp_list(const struct cset *x, const struct cset *y)
{
	size_t i;

	for (i = 0; i < x->n && i < y->n; i++)
		if (x->t[i].idx != y->t[i].idx)
			return x->t[i].idx < y->t[i].idx ? -1 : 1;
	return (x->n > y->n) - (x->n < y->n);
}

static int cmp_cset(const void *a, const void *b)
{
	const struct cset *x = a, *y = b;
	int c = cmp_list(x, y);

	return c ? c : (x->off > y->off) - (x->off < y->off);
}

#define SETS_TYPE "'conflict_sets' must be an array of arrays of strings"

static void check_sets(struct parser *p, const struct member *f)
{
	struct shype_model *m = p->m;
	size_t n, i, first = NO_POS;
	unsigned int c;
	char at_b[32];

	if (!f->node)
		return;
	if (!is(f->j, json_type_array)) {
		err(p, at(p, f->node), SETS_TYPE);
		return;
	}
	n = elems(p, f->j, f->node);
	p->sets = calloc(n + 1, sizeof(*p->sets));
	m->sets = calloc(n + 1, sizeof(*m->sets));
	if (!p->sets || !m->sets) {
		p->nomem = true;
		return;
	}
	for (i = 0, c = f->node + 1; i < n; i++, c = next(p, c)) {
		struct json_object *e = json_object_array_get_idx(f->j, i);
		struct cset *s = &p->sets[p->n_sets];

		if (i == SHYPE_MAX_CONFLICT_SETS)
			err(p, at(p, c),
			    "too many conflict sets: the limit is %d",
			    SHYPE_MAX_CONFLICT_SETS);
		if (!is(e, json_type_array)) {
			err(p, at(p, c), SETS_TYPE);
			continue;
		}
		if (elems(p, e, c) < 2)
			err(p, at(p, c),
			    "a conflict set needs at least two types");
		s->off = at(p, c);
		s->t = type_list(p, e, c, "conflict set", true, SETS_TYPE,
				 &s->n, &s->bad);
		p->n_sets++;
	}
	/* Sorted: repeats of a set follow it, in the order of the source. */
	qsort(p->sets, p->n_sets, sizeof(*p->sets), cmp_cset);
	for (i = 0; i < p->n_sets; i++) {
		const struct cset *s = &p->sets[i];

		if (i && cmp_list(&p->sets[i - 1], s))
			first = NO_POS;
		if (!s->bad && first == NO_POS)
			first = i;
		else if (!s->bad)
			err(p, s->off,
			    "this conflict set repeats the one at %s",
			    pos(at_b, p, p->sets[first].off));
		m->sets[i].types = indices(p, s->t, s->n);
		m->sets[i].n = s->n;
		m->n_sets++;
	}
}

/* --- Labels. --- */

static const char *const label_keys[] = { "ste", "chwall", "comment", NULL };
enum { L_STE, L_CHWALL };

static void collect_labels(struct parser *p, const struct member *f,
			   bool resource)
{
	struct member *m;
	struct label *v;
	size_t n, i;

	if (!f->node)
		return;
	if (!is(f->j, json_type_object)) {
		err(p, at(p, f->node),
		    resource ?
			    "'resource_labels' must be an object: { \"LABEL\": { \"ste\": [TYPE...] }... }" :
			    "'labels' must be an object: { \"LABEL\": { \"ste\": [TYPE...], \"chwall\": [TYPE...] }... }");
		return;
	}
	m = members(p, f->j, f->node, &n);
	v = reallocarray(p->lab, p->n_lab + n + 1, sizeof(*v));
	if (!m || !v) {
		p->nomem = true;
		free(m);
		return;
	}
	p->lab = v;
	for (i = 0; i < n; i++) {
		if (!valid_name(p, m[i].key_off,
				resource ? "resource label" : "label", m[i].key,
				m[i].key_len))
			continue;
		if (!strcmp(m[i].key, "deny")) {
			err(p, m[i].key_off,
			    "'deny' is reserved and cannot name a label");
			continue;
		}
		v[p->n_lab++] = (struct label){ .name = m[i].key,
						.off = m[i].key_off,
						.resource = resource,
						.j = m[i].j,
						.node = m[i].node };
	}
	free(m);
}

/* The types of one label, into the model's @ml */
static void label_types(struct parser *p, struct label *l,
			struct shype_model_label *ml)
{
	const char *kind = l->resource ? "resource label" : "label";
	struct member f[3];
	struct tref *t;
	size_t entries = 0, n;
	bool bad = false;
	char b[QLEN], who[QLEN + 20];

	snprintf(who, sizeof(who), "%s '%s'", kind,
		 q(b, l->name, strlen(l->name)));
	if (!is(l->j, json_type_object)) {
		err(p, at(p, l->node), "%s must be an object: %s", who,
		    l->resource ?
			    "{ \"ste\": [TYPE...] }" :
			    "{ \"ste\": [TYPE...], \"chwall\": [TYPE...] }");
		return;
	}
	fields(p, l->j, l->node, label_keys, 0, f);
	if (f[L_STE].node && !is(f[L_STE].j, json_type_array)) {
		err(p, at(p, f[L_STE].node),
		    "'ste' must be an array of strings");
		entries++;
	} else if (f[L_STE].node) {
		entries += elems(p, f[L_STE].j, f[L_STE].node);
		t = type_list(p, f[L_STE].j, f[L_STE].node, who, false,
			      "'ste' must be an array of strings", &n, &bad);
		ml->ste = indices(p, t, n);
		ml->n_ste = n;
		free(t);
	}
	if (f[L_CHWALL].node && l->resource) {
		err(p, f[L_CHWALL].key_off,
		    "%s has CHWALL types; resource labels carry STE types only",
		    who);
		entries++;
	} else if (f[L_CHWALL].node && !is(f[L_CHWALL].j, json_type_array)) {
		err(p, at(p, f[L_CHWALL].node),
		    "'chwall' must be an array of strings");
		entries++;
	} else if (f[L_CHWALL].node) {
		entries += elems(p, f[L_CHWALL].j, f[L_CHWALL].node);
		l->cw = type_list(p, f[L_CHWALL].j, f[L_CHWALL].node, who, true,
				  "'chwall' must be an array of strings",
				  &l->n_cw, &bad);
		ml->chwall = indices(p, l->cw, l->n_cw);
		ml->n_chwall = l->n_cw;
	}
	if (!entries)
		err(p, l->off, "%s has no %stypes", who,
		    l->resource ? "STE " : "");
}

static int cmp_label_off(const void *a, const void *b)
{
	const struct label *x = a, *y = b;

	return (x->off > y->off) - (x->off < y->off);
}

static int cmp_label_name(const void *a, const void *b)
{
	const struct label *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : cmp_label_off(a, b);
}

static void check_labels(struct parser *p, const struct member *vm,
			 const struct member *res)
{
	struct shype_model *m = p->m;
	size_t i, k = 0;
	char b[QLEN], at_b[32];

	collect_labels(p, vm, false);
	collect_labels(p, res, true);
	if (p->n_lab > SHYPE_MAX_LABELS) {
		qsort(p->lab, p->n_lab, sizeof(*p->lab), cmp_label_off);
		err(p, p->lab[SHYPE_MAX_LABELS].off,
		    "too many labels: the limit is %d, VM and resource labels together",
		    SHYPE_MAX_LABELS);
	}
	/* Sorted by name: a name in both objects comes twice in a row. */
	if (p->n_lab)
		qsort(p->lab, p->n_lab, sizeof(*p->lab), cmp_label_name);
	for (i = 0; i < p->n_lab; i++) {
		if (k && !strcmp(p->lab[i].name, p->lab[k - 1].name)) {
			err(p, p->lab[i].off,
			    "label '%s' is defined both in 'labels' and in 'resource_labels' (first at %s)",
			    q(b, p->lab[i].name, strlen(p->lab[i].name)),
			    pos(at_b, p, p->lab[k - 1].off));
			continue;
		}
		p->lab[k++] = p->lab[i];
	}
	p->n_lab = k;
	m->labels = calloc(k + 1, sizeof(*m->labels));
	if (!m->labels) {
		p->nomem = true;
		return;
	}
	for (i = 0; i < k; i++) {
		struct shype_model_label *ml = &m->labels[m->n_labels++];

		ml->resource = p->lab[i].resource;
		ml->name = strdup(p->lab[i].name);
		if (!ml->name)
			p->nomem = true;
		label_types(p, &p->lab[i], ml);
	}
}

/* A label's own CHWALL types may not conflict with each other. */
static void check_self_conflicts(struct parser *p)
{
	size_t n = p->m->n_chwall_types, i, s, k;
	size_t *where = malloc((n + 1) * sizeof(*where));
	char b[QLEN], b1[QLEN], b2[QLEN], at_b[32];

	if (!where) {
		p->nomem = true;
		return;
	}
	for (i = 0; i < n; i++)
		where[i] = NO_POS;
	for (i = 0; i < p->n_lab; i++) {
		const struct label *l = &p->lab[i];

		for (k = 0; k < l->n_cw; k++)
			where[l->cw[k].idx] = l->cw[k].off;
		for (s = 0; s < p->n_sets && l->n_cw > 1; s++) {
			const struct cset *cs = &p->sets[s];
			const struct tref *one = NULL, *two = NULL;

			for (k = 0; k < cs->n && !two; k++) {
				if (where[cs->t[k].idx] == NO_POS)
					continue;
				if (one)
					two = &cs->t[k];
				else
					one = &cs->t[k];
			}
			if (!two)
				continue;
			if (where[one->idx] > where[two->idx]) {
				const struct tref *t = one;

				one = two;
				two = t;
			}
			err(p, where[two->idx],
			    "label '%s' has CHWALL types '%s' and '%s', which conflict (conflict set at %s)",
			    q(b, l->name, strlen(l->name)),
			    q(b1, p->m->chwall_types[one->idx],
			      strlen(p->m->chwall_types[one->idx])),
			    q(b2, p->m->chwall_types[two->idx],
			      strlen(p->m->chwall_types[two->idx])),
			    pos(at_b, p, cs->off));
		}
		for (k = 0; k < l->n_cw; k++)
			where[l->cw[k].idx] = NO_POS;
	}
	free(where);
}

/* --- Resources and unlabelled VMs. --- */

static int cmp_res(const void *a, const void *b)
{
	const struct res *x = a, *y = b;

	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	return strcmp(x->name, y->name);
}

static long find_label(struct parser *p, const struct member *f,
		       const char *who)
{
	const struct shype_model *m = p->m;
	size_t len;
	const char *s = string_of(f, &len);
	long idx = find(m->labels, m->n_labels, sizeof(*m->labels), s, len);
	char b[QLEN], h[HLEN];

	if (idx < 0)
		err(p, at(p, f->node), "%s unknown label '%s'%s", who,
		    q(b, s, len),
		    hint(h, suggest(m->labels, m->n_labels, sizeof(*m->labels),
				    s, len)));
	return idx;
}

static void check_resources(struct parser *p, const struct member *f)
{
	struct shype_model *m = p->m;
	struct member *mem;
	struct res *r;
	size_t n, i, k = 0;
	char b[QLEN], who[QLEN + 32];

	if (!f->node)
		return;
	if (!is(f->j, json_type_object)) {
		err(p, at(p, f->node),
		    "'resources' must be an object: { \"KIND:NAME\": \"LABEL\"... }");
		return;
	}
	mem = members(p, f->j, f->node, &n);
	r = calloc(n + 1, sizeof(*r));
	if (!mem || !r) {
		p->nomem = true;
		goto out;
	}
	for (i = 0; i < n; i++) {
		const char *why, *name;
		unsigned int kind;
		bool ok = true;
		long idx;

		q(b, mem[i].key, mem[i].key_len);
		if (i == SHYPE_MAX_RESOURCES)
			err(p, mem[i].key_off,
			    "too many resources: the limit is %d",
			    SHYPE_MAX_RESOURCES);
		if (shype_resource_parse(mem[i].key, &kind, &name, &why)) {
			err(p, mem[i].key_off, "resource '%s': %s", b, why);
			ok = false;
		}
		if (!is(mem[i].j, json_type_string)) {
			err(p, at(p, mem[i].node),
			    "resource '%s' must be bound to a label: \"LABEL\"",
			    b);
			continue;
		}
		snprintf(who, sizeof(who), "resource '%s' is bound to", b);
		idx = find_label(p, &mem[i], who);
		if (ok && idx >= 0)
			r[k++] = (struct res){ kind, name, idx };
	}
	qsort(r, k, sizeof(*r), cmp_res);
	m->resources = calloc(k + 1, sizeof(*m->resources));
	if (!m->resources) {
		p->nomem = true;
		goto out;
	}
	for (i = 0; i < k; i++) {
		struct shype_model_resource *mr =
			&m->resources[m->n_resources++];

		mr->kind = r[i].kind;
		mr->label = r[i].label;
		mr->name = strdup(r[i].name);
		if (!mr->name)
			p->nomem = true;
	}
out:
	free(mem);
	free(r);
}

static void check_unlabeled(struct parser *p, const struct member *f)
{
	size_t len;
	long idx;
	char b[QLEN];

	if (!f->node)
		return;
	if (!is(f->j, json_type_string)) {
		err(p, at(p, f->node),
		    "'unlabeled' must be a string: \"deny\" or a VM label");
		return;
	}
	if (!strcmp(string_of(f, &len), "deny") && len == 4)
		return;
	idx = find_label(p, f, "'unlabeled' names");
	if (idx < 0)
		return;
	if (p->m->labels[idx].resource)
		err(p, at(p, f->node),
		    "'unlabeled' names resource label '%s'; it must be \"deny\" or a VM label",
		    q(b, p->m->labels[idx].name, len));
	else
		p->m->unlabeled = idx;
}

#define FILES_MODES "\"label\", \"allow\" or \"deny\""

/* What a labelled VMM's write of an unlabelled file does. */
static void check_unlabeled_files(struct parser *p, const struct member *f)
{
	static const char *const modes[] = { "allow", "deny", "label" };
	const char *s;
	size_t len, i;
	char b[QLEN], h[HLEN];

	p->m->unlabeled_files = SHYPE_FILES_LABEL;
	if (!f->node)
		return;
	if (!is(f->j, json_type_string)) {
		err(p, at(p, f->node),
		    "'unlabeled_files' must be a string: " FILES_MODES);
		return;
	}
	s = string_of(f, &len);
	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		if (strlen(modes[i]) != len || strcmp(s, modes[i]))
			continue;
		p->m->unlabeled_files = !strcmp(s, "allow") ?
						SHYPE_FILES_ALLOW :
					!strcmp(s, "deny") ? SHYPE_FILES_DENY :
							     SHYPE_FILES_LABEL;
		return;
	}
	hint(h, suggest(modes, sizeof(modes) / sizeof(modes[0]), sizeof(*modes),
			s, len));
	err(p, at(p, f->node), "'unlabeled_files' is '%s'; %s%s", q(b, s, len),
	    h[0] ? "" : "it must be " FILES_MODES, h[0] ? h + 2 : "");
}

/* --- The policy. --- */

static const char *const top_keys[] = {
	"name",	     "version",	  "ste",
	"chwall",    "labels",	  "resource_labels",
	"resources", "unlabeled", "unlabeled_files",
	"comment",   NULL
};
enum {
	K_NAME,
	K_VERSION,
	K_STE,
	K_CHWALL,
	K_LABELS,
	K_RES_LABELS,
	K_RESOURCES,
	K_UNLABELED,
	K_UNLABELED_FILES
};
static const char *const ste_keys[] = { "types", "comment", NULL };
static const char *const chwall_keys[] = { "types", "conflict_sets", "comment",
					   NULL };

static void check_ste(struct parser *p, const struct member *f)
{
	struct member t[2];

	if (!f->node)
		return;
	if (!is(f->j, json_type_object)) {
		err(p, at(p, f->node),
		    "'ste' must be an object: { \"types\": [TYPE...] }");
		return;
	}
	fields(p, f->j, f->node, ste_keys, 1, t);
	type_table(p, &t[0], "STE type", SHYPE_MAX_STE_TYPES, &p->m->ste_types,
		   &p->m->n_ste_types);
}

/* The CHWALL types; the conflict sets go to @sets, checked later */
static void check_chwall(struct parser *p, const struct member *f,
			 struct member *sets)
{
	struct member t[3];

	if (!f->node)
		return;
	if (!is(f->j, json_type_object)) {
		err(p, at(p, f->node),
		    "'chwall' must be an object: { \"types\": [TYPE...], \"conflict_sets\": [[TYPE, TYPE...]...] }");
		return;
	}
	fields(p, f->j, f->node, chwall_keys, 1, t);
	type_table(p, &t[0], "CHWALL type", SHYPE_MAX_CHWALL_TYPES,
		   &p->m->chwall_types, &p->m->n_chwall_types);
	*sets = t[1];
}

static void check(struct parser *p, struct json_object *root)
{
	struct shype_model *m;
	struct member f[10], sets = { 0 };

	m = p->m = calloc(1, sizeof(*p->m));
	if (!m) {
		p->nomem = true;
		return;
	}
	m->unlabeled = -1;
	fields(p, root, 0, top_keys,
	       1 << K_NAME | 1 << K_VERSION | 1 << K_STE | 1 << K_LABELS, f);
	check_name(p, &f[K_NAME]);
	check_version(p, &f[K_VERSION]);
	check_ste(p, &f[K_STE]);
	check_chwall(p, &f[K_CHWALL], &sets);
	/* scratch of type_list(), for either table */
	p->seen = calloc(m->n_ste_types + m->n_chwall_types + 1, 1);
	if (!p->seen || p->nomem) {
		p->nomem = true;
		return;
	}
	check_sets(p, &sets);
	check_labels(p, &f[K_LABELS], &f[K_RES_LABELS]);
	check_self_conflicts(p);
	check_resources(p, &f[K_RESOURCES]);
	check_unlabeled(p, &f[K_UNLABELED]);
	check_unlabeled_files(p, &f[K_UNLABELED_FILES]);
}

/* --- From text to json-c's tree. --- */

static bool is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Offset of the first sequence that is not UTF-8 (RFC 3629), or @len */
static size_t utf8_invalid(const unsigned char *s, size_t len)
{
	size_t i = 0, n, k;

	while (i < len) {
		unsigned char c = s[i], lo = 0x80, hi = 0xbf;

		if (c < 0x80)
			n = 0;
		else if (c >= 0xc2 && c <= 0xdf)
			n = 1;
		else if (c >= 0xe0 && c <= 0xef)
			n = 2;
		else if (c >= 0xf0 && c <= 0xf4)
			n = 3;
		else
			return i;
		/* no overlong forms, surrogates, or code points over 10FFFF */
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f;
		else if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;
		if (len - i <= n)
			return i;
		for (k = 1; k <= n; k++, lo = 0x80, hi = 0xbf)
			if (s[i + k] < lo || s[i + k] > hi)
				return i;
		i += n + 1;
	}
	return len;
}

/* json-c's tree of the policy, indexed; NULL after reporting why not */
static struct json_object *syntax(struct parser *p)
{
	const char *t = p->ix.text, *nul, *why;
	size_t len = p->ix.len, i, end, off;
	enum json_tokener_error jerr;
	struct json_tokener *tok;
	struct json_object *root;
	int ret;

	i = utf8_invalid((const unsigned char *)t, len);
	if (i < len) {
		err(p, i, "invalid UTF-8 (byte 0x%02x); a policy is UTF-8 text",
		    (unsigned char)t[i]);
		return NULL;
	}
	nul = memchr(t, 0, len);
	if (nul) {
		err(p, nul - t, "NUL byte; a policy is text");
		return NULL;
	}
	for (i = 0; i < len && is_ws(t[i]); i++)
		;
	if (i == len) {
		err(p, 0, "the file is empty; a policy is a JSON object");
		return NULL;
	}
	if (t[i] != '{') {
		err(p, i, "a policy is a JSON object, in braces { }");
		return NULL;
	}
	if (len > INT_MAX) {
		err(p, NO_POS, "the file is too large");
		return NULL;
	}
	tok = json_tokener_new();
	if (!tok) {
		p->nomem = true;
		return NULL;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT |
					    JSON_TOKENER_ALLOW_TRAILING_CHARS);
	root = json_tokener_parse_ex(tok, t, (int)len);
	jerr = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	if (jerr == json_tokener_continue)
		jerr = json_tokener_error_parse_eof;
	if (jerr != json_tokener_success) {
		err(p, end, "JSON syntax error: %s",
		    json_tokener_error_desc(jerr));
		return NULL;
	}
	if (!root) {
		p->nomem = true;
		return NULL;
	}
	while (end < len && is_ws(t[end]))
		end++;
	if (end < len) {
		err(p, end, "unexpected text after the end of the policy");
		goto fail;
	}
	ret = jpos_scan(&p->ix, i, &off, &why);
	if (!ret)
		return root;
	if (ret == -ENOMEM)
		p->nomem = true;
	else
		err(p, off, "JSON syntax error: %s", why);
fail:
	json_object_put(root);
	return NULL;
}

static int cmp_perr(const void *a, const void *b)
{
	const struct perr *x = a, *y = b;

	if (x->off != y->off)
		return x->off < y->off ? -1 : 1;
	return (x->seq > y->seq) - (x->seq < y->seq);
}

/* Hand the errors over, sorted by position */
static int report(struct parser *p, struct shype_errors *errs)
{
	size_t i;

	if (p->nomem)
		return -ENOMEM;
	if (!p->n_err)
		return 0;
	errs->v = calloc(p->n_err, sizeof(*errs->v));
	if (!errs->v)
		return -ENOMEM;
	qsort(p->err, p->n_err, sizeof(*p->err), cmp_perr);
	for (i = 0; i < p->n_err; i++) {
		struct shype_error *e = &errs->v[i];

		*e = p->err[i].e;
		if (p->err[i].off != NO_POS)
			jpos_linecol(&p->ix, p->err[i].off, &e->line, &e->col);
	}
	errs->n = p->n_err;
	return -EINVAL;
}

int shype_model_parse(const char *file, const char *text, size_t len,
		      struct shype_model **out, struct shype_errors *errs)
{
	struct parser p = { .file = file };
	struct json_object *root = NULL;
	size_t i;
	int ret = -ENOMEM;

	*out = NULL;
	errs->v = NULL;
	errs->n = 0;
	if (!jpos_lines(&p.ix, text, len)) {
		root = syntax(&p);
		if (root)
			check(&p, root);
		ret = report(&p, errs);
	}
	if (!ret) {
		*out = p.m;
		p.m = NULL;
	}
	shype_model_free(p.m);
	json_object_put(root);
	for (i = 0; i < p.n_lab; i++)
		free(p.lab[i].cw);
	free(p.lab);
	for (i = 0; i < p.n_sets; i++)
		free(p.sets[i].t);
	free(p.sets);
	free(p.seen);
	free(p.err);
	jpos_free(&p.ix);
	return ret;
}

static int read_all(const char *path, char **text, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), ret = 0;
	size_t n = 0, cap = 0;
	char *buf = NULL;
	ssize_t r = 1;

	if (fd < 0)
		return -errno;
	while (r > 0) {
		if (n == cap) {
			char *nb = realloc(buf, cap = cap ? 2 * cap : 65536);

			if (!nb) {
				ret = -ENOMEM;
				break;
			}
			buf = nb;
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			r = 1;
		else if (r < 0)
			ret = -errno;
		else
			n += r;
	}
	close(fd);
	if (ret) {
		free(buf);
		return ret;
	}
	*text = buf;
	*len = n;
	return 0;
}

int shype_model_parse_file(const char *path, struct shype_model **out,
			   struct shype_errors *errs)
{
	size_t len = 0;
	char *text = NULL;
	int ret;

	*out = NULL;
	errs->v = NULL;
	errs->n = 0;
	ret = read_all(path, &text, &len);
	if (ret && ret != -ENOMEM) {
		errs->v = calloc(1, sizeof(*errs->v));
		if (!errs->v)
			return -ENOMEM;
		errs->n = 1;
		errs->v->file = path;
		snprintf(errs->v->msg, sizeof(errs->v->msg), "cannot read: %s",
			 strerror(-ret));
	}
	if (ret)
		return ret;
	ret = shype_model_parse(path, text, len, out, errs);
	free(text);
	return ret;
}
