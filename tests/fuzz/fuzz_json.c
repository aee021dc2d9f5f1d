// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz the JSON policy parser.  Whatever it accepts must compile to a blob
 * that kmod/core, the kernel's own validator, accepts, and decode back to
 * the same model; whatever it refuses must come with errors in order.  And
 * the position index must mirror json-c's tree on any text json-c accepts.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "../../libshype/jsonpos.h"
#include "../../libshype/shype.h"

static bool same_list(const unsigned int *a, size_t na, const unsigned int *b,
		      size_t nb)
{
	return na == nb && (!na || !memcmp(a, b, na * sizeof(*a)));
}

static bool same_names(char **a, size_t na, char **b, size_t nb)
{
	size_t i;

	if (na != nb)
		return false;
	for (i = 0; i < na; i++)
		if (strcmp(a[i], b[i]))
			return false;
	return true;
}

static bool same_model(const struct shype_model *a, const struct shype_model *b)
{
	size_t i;

	if (strcmp(a->name, b->name) || a->version_major != b->version_major ||
	    a->version_minor != b->version_minor ||
	    a->unlabeled != b->unlabeled ||
	    !same_names(a->ste_types, a->n_ste_types, b->ste_types,
			b->n_ste_types) ||
	    !same_names(a->chwall_types, a->n_chwall_types, b->chwall_types,
			b->n_chwall_types) ||
	    a->n_sets != b->n_sets || a->n_labels != b->n_labels ||
	    a->n_resources != b->n_resources)
		return false;
	for (i = 0; i < a->n_sets; i++)
		if (!same_list(a->sets[i].types, a->sets[i].n, b->sets[i].types,
			       b->sets[i].n))
			return false;
	for (i = 0; i < a->n_labels; i++) {
		const struct shype_model_label *x = &a->labels[i];
		const struct shype_model_label *y = &b->labels[i];

		if (strcmp(x->name, y->name) || x->resource != y->resource ||
		    !same_list(x->ste, x->n_ste, y->ste, y->n_ste) ||
		    !same_list(x->chwall, x->n_chwall, y->chwall, y->n_chwall))
			return false;
	}
	for (i = 0; i < a->n_resources; i++)
		if (a->resources[i].kind != b->resources[i].kind ||
		    a->resources[i].label != b->resources[i].label ||
		    strcmp(a->resources[i].name, b->resources[i].name))
			return false;
	return true;
}

/* The node @node of @ix stands for @j: same kind, same members. */
static void mirror(const struct jpos *ix, struct json_object *j,
		   unsigned int node)
{
	const struct jpos_node *v = ix->v;
	char first = ix->text[v[node].off];
	unsigned int c, d;
	size_t i;

	switch (json_object_get_type(j)) {
	case json_type_object:
		if (first != '{' ||
		    (unsigned int)json_object_object_length(j) > v[node].n)
			abort();
		for (i = 0, c = node + 1; i < v[node].n; i++, c = v[c].end) {
			struct json_object *e;

			if (!json_object_object_get_ex(j, v[c].key, &e))
				abort();
			/* json-c keeps the last of repeated keys */
			for (d = v[c].end; d < v[node].end; d = v[d].end)
				if (!strcmp(v[d].key, v[c].key))
					break;
			if (d == v[node].end)
				mirror(ix, e, c);
		}
		break;
	case json_type_array:
		if (first != '[' || json_object_array_length(j) != v[node].n)
			abort();
		for (i = 0, c = node + 1; i < v[node].n; i++, c = v[c].end)
			mirror(ix, json_object_array_get_idx(j, i), c);
		break;
	case json_type_string:
		if (first != '"' || v[node].n)
			abort();
		break;
	default:
		if (first == '{' || first == '[' || first == '"' || v[node].n)
			abort();
	}
}

static void check_index(const char *text, size_t len)
{
	struct json_tokener *tok = json_tokener_new();
	struct json_object *j;
	struct jpos ix;
	const char *why;
	size_t start = 0, off;

	while (start < len && strchr(" \t\r\n", text[start]) && text[start])
		start++;
	if (!tok || memchr(text, 0, len) || start >= len || text[start] != '{')
		goto out;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT |
					    JSON_TOKENER_ALLOW_TRAILING_CHARS);
	j = json_tokener_parse_ex(tok, text, len);
	if (!j)
		goto out;
	if (jpos_lines(&ix, text, len))
		abort();
	if (!jpos_scan(&ix, start, &off, &why))
		mirror(&ix, j, 0);
	else if (strcmp(why, "a key must be in double quotes"))
		abort();
	jpos_free(&ix);
	json_object_put(j);
out:
	json_tokener_free(tok);
}

static void refused(const struct shype_errors *errs)
{
	size_t i;

	if (!errs->n)
		abort();
	for (i = 0; i < errs->n; i++) {
		const struct shype_error *e = &errs->v[i];
		const struct shype_error *prev = i ? e - 1 : NULL;

		if (!e->line || !e->col || !e->msg[0] || !e->file)
			abort();
		if (prev && (prev->line > e->line ||
			     (prev->line == e->line && prev->col > e->col)))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct shype_model *m, *d;
	struct shype_errors errs;
	struct shype_policy pol;
	size_t len;
	void *blob;
	int ret;

	check_index((const char *)data, size);
	ret = shype_model_parse("fuzz.json", (const char *)data, size, &m,
				&errs);
	if (ret) {
		if (ret != -EINVAL)
			abort();
		refused(&errs);
		shype_errors_free(&errs);
		return 0;
	}
	if (errs.n)
		abort();
	ret = shype_model_compile(m, &blob, &len);
	if (ret) {
		fprintf(stderr, "compile: %s\n", strerror(-ret));
		abort();
	}
	ret = shype_policy_init(&pol, blob, len);
	if (ret) {
		fprintf(stderr, "kmod/core refuses: %s\n",
			shype_blob_strerror(ret));
		abort();
	}
	ret = shype_model_decode(blob, len, &d);
	if (ret || !same_model(m, d))
		abort();
	shype_model_free(d);
	free(blob);
	shype_model_free(m);
	return 0;
}
