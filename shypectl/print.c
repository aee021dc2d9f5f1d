// SPDX-License-Identifier: GPL-2.0
/*
 * Text and JSON output from one call (see print.h).
 */
#include <stdio.h>
#include <stdlib.h>

#include <json-c/json.h>

#include "print.h"

#define DEPTH_MAX 16

static bool json;
static bool pretty;
static struct json_object *stack[DEPTH_MAX];
static int depth;
static unsigned int docs;

void new_json_obj(bool want_json, bool want_pretty)
{
	json = want_json;
	pretty = want_pretty;
	depth = 0;
	if (json)
		stack[depth++] = json_object_new_object();
}

void delete_json_obj(void)
{
	int flags = JSON_C_TO_STRING_NOSLASHESCAPE;

	if (!json || !depth)
		return;
	flags |= pretty ? JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED :
			  JSON_C_TO_STRING_PLAIN;
	puts(json_object_to_json_string_ext(stack[0], flags));
	json_object_put(stack[0]);
	depth = 0;
	docs++;
}

bool is_json_context(void)
{
	return json;
}

unsigned int json_docs(void)
{
	return docs;
}

/* Add @v to the innermost container, under @key if that is an object. */
static void add(const char *key, struct json_object *v)
{
	struct json_object *top = stack[depth - 1];

	if (json_object_is_type(top, json_type_array))
		json_object_array_add(top, v);
	else
		json_object_object_add(top, key, v);
}

static void push(const char *key, struct json_object *v)
{
	if (depth == DEPTH_MAX)
		abort();
	add(key, json_object_get(v));
	stack[depth++] = v;
}

static void pop(void)
{
	if (depth <= 1)
		abort();
	json_object_put(stack[--depth]);
}

void open_json_object(const char *key)
{
	if (json)
		push(key, json_object_new_object());
}

void close_json_object(void)
{
	if (json)
		pop();
}

void open_json_array(enum output_type t, const char *key)
{
	if (json && (t & PRINT_JSON))
		push(key, json_object_new_array());
}

void close_json_array(enum output_type t, const char *text)
{
	if (json && (t & PRINT_JSON))
		pop();
	else if (!json && (t & PRINT_FP) && text)
		fputs(text, stdout);
}

static bool to_json(enum output_type t)
{
	return json && (t & PRINT_JSON);
}

static bool to_text(enum output_type t)
{
	return !json && (t & PRINT_FP);
}

void print_string(enum output_type t, const char *key, const char *fmt,
		  const char *value)
{
	if (to_json(t))
		add(key, value ? json_object_new_string(value) : NULL);
	else if (to_text(t))
		printf(fmt, value ? value : "");
}

void print_uint(enum output_type t, const char *key, const char *fmt,
		unsigned int value)
{
	if (to_json(t))
		add(key, json_object_new_uint64(value));
	else if (to_text(t))
		printf(fmt, value);
}

void print_u64(enum output_type t, const char *key, const char *fmt,
	       unsigned long long value)
{
	if (to_json(t))
		add(key, json_object_new_uint64(value));
	else if (to_text(t))
		printf(fmt, value);
}

void print_bool(enum output_type t, const char *key, const char *fmt,
		bool value)
{
	if (to_json(t))
		add(key, json_object_new_boolean(value));
	else if (to_text(t))
		printf(fmt, value ? "true" : "false");
}

void print_null(enum output_type t, const char *key, const char *fmt,
		const char *value)
{
	if (to_json(t))
		add(key, NULL);
	else if (to_text(t))
		printf(fmt, value ? value : "");
}

void print_nl(void)
{
	if (!json)
		putchar('\n');
}
