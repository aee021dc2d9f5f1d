/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Text and JSON output from one call, as iproute2's json_print.h: every
 * print_*() names the JSON key and the text format of one value, so the two
 * outputs cannot drift.  In JSON mode the values build a json-c tree that
 * delete_json_obj() prints as one document; in text mode they go to stdout.
 */
#ifndef SHYPECTL_PRINT_H
#define SHYPECTL_PRINT_H

#include <stdbool.h>

/**
 * enum output_type - where a value goes
 * @PRINT_FP: text output only
 * @PRINT_JSON: JSON output only
 * @PRINT_ANY: both
 */
enum output_type {
	PRINT_FP = 1,
	PRINT_JSON = 2,
	PRINT_ANY = PRINT_FP | PRINT_JSON,
};

/* Start the output of one command; in JSON mode its root object. */
void new_json_obj(bool json, bool pretty);
/* End it: in JSON mode print the document and free it. */
void delete_json_obj(void);
bool is_json_context(void);
/* How many JSON documents delete_json_obj() has printed. */
unsigned int json_docs(void);

/* Containers: @key is NULL inside an array. */
void open_json_object(const char *key);
void close_json_object(void);
void open_json_array(enum output_type t, const char *key);
void close_json_array(enum output_type t, const char *text);

/* One value: @key for JSON (NULL inside an array), @fmt for text. */
void print_string(enum output_type t, const char *key, const char *fmt,
		  const char *value);
void print_uint(enum output_type t, const char *key, const char *fmt,
		unsigned int value);
void print_u64(enum output_type t, const char *key, const char *fmt,
	       unsigned long long value);
void print_bool(enum output_type t, const char *key, const char *fmt,
		bool value);
/* JSON null; in text, @fmt with @value. */
void print_null(enum output_type t, const char *key, const char *fmt,
		const char *value);
/* Text only: end the line. */
void print_nl(void);

#endif /* SHYPECTL_PRINT_H */
