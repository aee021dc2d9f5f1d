// SPDX-License-Identifier: LGPL-2.1
/*
 * The position index of a JSON text (see jsonpos.h).
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "jsonpos.h"

/* Deeper than json-c's default limit: accepted text never reaches it. */
#define JPOS_MAX_DEPTH 64

struct scan {
	struct jpos *ix;
	struct json_tokener *tok;
	size_t pos;
	size_t err_off;
	const char *why;
};

int jpos_lines(struct jpos *ix, const char *text, size_t len)
{
	size_t i, n = 1;

	memset(ix, 0, sizeof(*ix));
	ix->text = text;
	ix->len = len;
	for (i = 0; i < len; i++)
		n += text[i] == '\n';
	ix->line = malloc(n * sizeof(*ix->line));
	if (!ix->line)
		return -ENOMEM;
	ix->line[ix->n_line++] = 0;
	for (i = 0; i < len; i++)
		if (text[i] == '\n')
			ix->line[ix->n_line++] = i + 1;
	return 0;
}

void jpos_linecol(const struct jpos *ix, size_t off, unsigned int *line,
		  unsigned int *col)
{
	size_t lo = 0, hi = ix->n_line, i;
	unsigned int c = 1;

	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (ix->line[mid] <= off)
			lo = mid;
		else
			hi = mid;
	}
	/* Count code points: every byte but UTF-8 continuation bytes. */
	for (i = ix->line[lo]; i < off && i < ix->len; i++)
		c += ((unsigned char)ix->text[i] & 0xc0) != 0x80;
	*line = lo + 1;
	*col = c;
}

static bool is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static bool at(const struct scan *s, char c)
{
	return s->pos < s->ix->len && s->ix->text[s->pos] == c;
}

static void skip_ws(struct scan *s)
{
	while (s->pos < s->ix->len && is_ws(s->ix->text[s->pos]))
		s->pos++;
}

static int fail(struct scan *s, const char *why)
{
	s->err_off = s->pos;
	s->why = why;
	return -EINVAL;
}

/* Step over the string whose opening quote is at s->pos. */
static int skip_string(struct scan *s)
{
	const char *t = s->ix->text;
	size_t i = s->pos + 1;

	while (i < s->ix->len && t[i] != '"')
		i += t[i] == '\\' ? 2 : 1;
	if (i >= s->ix->len)
		return fail(s, "unterminated string");
	s->pos = i + 1;
	return 0;
}

/* Decode the key token that ends at s->pos with json-c, as json-c did. */
static int decode_key(struct scan *s, struct jpos_node *m)
{
	struct json_object *o;
	int ret = 0;

	json_tokener_reset(s->tok);
	o = json_tokener_parse_ex(s->tok, s->ix->text + m->key_off,
				  (int)(s->pos - m->key_off));
	if (!json_object_is_type(o, json_type_string)) {
		s->pos = m->key_off;
		ret = o ? fail(s, "invalid key") : -ENOMEM;
		goto out;
	}
	m->key_len = json_object_get_string_len(o);
	m->key = strdup(json_object_get_string(o));
	if (!m->key)
		ret = -ENOMEM;
out:
	json_object_put(o);
	return ret;
}

/* Append a node for the value at s->pos; it takes over @m's key. */
static int new_node(struct scan *s, const struct jpos_node *m,
		    unsigned int *idx)
{
	struct jpos *ix = s->ix;

	if (ix->n == ix->cap) {
		size_t cap = ix->cap ? 2 * ix->cap : 64;
		void *v = cap < UINT_MAX ?
				  reallocarray(ix->v, cap, sizeof(*ix->v)) :
				  NULL;

		if (!v) {
			free(m->key);
			return -ENOMEM;
		}
		ix->v = v;
		ix->cap = cap;
	}
	*idx = ix->n;
	ix->v[ix->n] = *m;
	ix->v[ix->n].off = s->pos;
	ix->v[ix->n].n = 0;
	ix->v[ix->n++].end = *idx + 1;
	return 0;
}

static int scan_value(struct scan *s, const struct jpos_node *m, int depth)
{
	struct jpos *ix = s->ix;
	const char *t = ix->text;
	unsigned int idx;
	char close;
	int ret;

	skip_ws(s);
	ret = new_node(s, m, &idx);
	if (ret)
		return ret;
	if (s->pos >= ix->len)
		return fail(s, "unexpected end of data");
	if (at(s, '"'))
		return skip_string(s);
	if (!at(s, '{') && !at(s, '[')) {
		/* number, true, false, null, NaN, Infinity: up to a delimiter */
		while (s->pos < ix->len && !is_ws(t[s->pos]) &&
		       !strchr(",]}", t[s->pos]))
			s->pos++;
		return 0;
	}
	if (depth >= JPOS_MAX_DEPTH)
		return fail(s, "nesting too deep");
	close = at(s, '{') ? '}' : ']';
	s->pos++;
	skip_ws(s);
	while (!at(s, close)) {
		struct jpos_node member = { 0 };

		if (close == '}') {
			if (!at(s, '"'))
				return fail(s,
					    "a key must be in double quotes");
			member.key_off = s->pos;
			ret = skip_string(s);
			if (!ret)
				ret = decode_key(s, &member);
			if (ret)
				return ret;
			skip_ws(s);
			if (!at(s, ':')) {
				free(member.key);
				return fail(s, "':' expected");
			}
			s->pos++;
		}
		ret = scan_value(s, &member, depth + 1);
		if (ret)
			return ret;
		ix->v[idx].n++;
		skip_ws(s);
		if (at(s, ','))
			s->pos++;
		else if (!at(s, close))
			return fail(s, "separator ',' expected");
		skip_ws(s);
	}
	s->pos++;
	ix->v[idx].end = ix->n;
	return 0;
}

int jpos_scan(struct jpos *ix, size_t start, size_t *err_off, const char **why)
{
	struct jpos_node top = { 0 };
	struct scan s = { .ix = ix, .pos = start };
	int ret;

	s.tok = json_tokener_new();
	if (!s.tok)
		return -ENOMEM;
	json_tokener_set_flags(s.tok, JSON_TOKENER_STRICT);
	ret = scan_value(&s, &top, 0);
	json_tokener_free(s.tok);
	*err_off = s.err_off;
	*why = s.why;
	return ret;
}

void jpos_free(struct jpos *ix)
{
	size_t i;

	for (i = 0; i < ix->n; i++)
		free(ix->v[i].key);
	free(ix->v);
	free(ix->line);
	memset(ix, 0, sizeof(*ix));
}
