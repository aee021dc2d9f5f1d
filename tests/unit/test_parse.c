// SPDX-License-Identifier: GPL-2.0
/*
 * The JSON policy parser (libshype/parse.c): every mistake reported at its
 * exact place, all of them in the order of the file, and the canonical
 * model of a good policy.
 *
 * Sources below are written with ' for " so that columns are easy to count:
 * the column of a character is its place in the C string of its line.  A `
 * stands for a real '.
 */
#include <errno.h>
#include <glob.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../libshype/shype.h"

/* The source with ' turned into " and ` into ' */
static char *dq(const char *s)
{
	char *t = strdup(s), *c;

	assert_non_null(t);
	for (c = t; *c; c++)
		*c = *c == '\'' ? '"' : *c == '`' ? '\'' : *c;
	return t;
}

/* Parse @len bytes of @src; compare the errors with @want (NULL ended). */
static bool errors_are(const char *what, const char *src, size_t len,
		       const char *const *want)
{
	struct shype_model *m = (void *)1;
	struct shype_errors errs = { (void *)1, 1 };
	char got[1024];
	size_t i, n = 0;
	bool ok;
	int ret;

	ret = shype_model_parse("t.json", src, len, &m, &errs);
	while (want[n])
		n++;
	ok = ret == -EINVAL && !m && errs.n == n;
	for (i = 0; ok && i < n; i++) {
		const struct shype_error *e = &errs.v[i];

		snprintf(got, sizeof(got), "%u:%u: %s", e->line, e->col,
			 e->msg);
		ok = !strcmp(got, want[i]) && !strcmp(e->file, "t.json");
	}
	if (!ok) {
		print_error("case: %s\nret %d, %zu errors:\n", what, ret,
			    errs.n);
		for (i = 0; i < errs.n; i++)
			print_error("  \"%u:%u: %s\",\n", errs.v[i].line,
				    errs.v[i].col, errs.v[i].msg);
		for (i = 0; i < n; i++)
			print_error("  want %s\n", want[i]);
	}
	shype_errors_free(&errs);
	shype_model_free(m);
	return ok;
}

/* Two lines that most cases start with. */
#define P1 "{ 'name': 'p', 'version': '1',\n"
#define P2 "  'ste': { 'types': ['Order', 'Ads'] },\n"
#define P3 "  'chwall': { 'types': ['Order', 'Ads', 'Misc'] },\n"

struct bad {
	const char *what;
	const char *src;
	const char *errs[12]; /* NULL ended */
};

static const struct bad bad[] = {
	/* The file as a whole. */
	{ "empty file",
	  "",
	  { "1:1: the file is empty; a policy is a JSON object" } },
	{ "only whitespace",
	  " \n"
	  "\t\r\n"
	  " ",
	  { "1:1: the file is empty; a policy is a JSON object" } },
	{ "not an object",
	  "\n"
	  "  [1, 2]",
	  { "2:3: a policy is a JSON object, in braces { }" } },
	{ "invalid UTF-8",
	  "{ 'comment': 'caf\xc3\xa9 \xe2\x82\xac',\n"
	  "  'name': 'a\xc3(b' }",
	  { "2:13: invalid UTF-8 (byte 0xc3); a policy is UTF-8 text" } },
	{ "overlong UTF-8",
	  "{ 'name': '\xc0\xaf' }",
	  { "1:12: invalid UTF-8 (byte 0xc0); a policy is UTF-8 text" } },
	{ "UTF-16 surrogate in UTF-8",
	  "{\n"
	  "'\xed\xa0\x80' }",
	  { "2:2: invalid UTF-8 (byte 0xed); a policy is UTF-8 text" } },
	{ "JSON syntax error",
	  P1 "  'ste': { 'types': ['A',, 'B'] } }",
	  { "2:26: JSON syntax error: unexpected character" } },
	{ "missing colon",
	  "{ 'name' 'p' }",
	  { "1:10: JSON syntax error: object property name separator ':' expected" } },
	{ "trailing comma",
	  "{ 'name': 'p', }",
	  { "1:16: JSON syntax error: unexpected character" } },
	{ "unterminated object",
	  P1 "  'ste': { 'types': [] }\n",
	  { "3:1: JSON syntax error: unexpected end of data" } },
	{ "comment is not JSON",
	  "{ /* c */ }",
	  { "1:3: JSON syntax error: quoted object property name expected" } },
	{ "single-quoted key",
	  "{ `name`: 'p' }",
	  { "1:3: JSON syntax error: a key must be in double quotes" } },
	{ "trailing garbage",
	  P1 P2 "  'labels': {} }\n"
		"}\n",
	  { "4:1: unexpected text after the end of the policy" } },
	{ "a second value",
	  "{ } { }",
	  { "1:5: unexpected text after the end of the policy" } },

	/* Keys. */
	{ "missing required keys",
	  "{\n"
	  "  'comment': 'nothing' }",
	  { "1:1: missing required key 'name'",
	    "1:1: missing required key 'version'",
	    "1:1: missing required key 'ste'",
	    "1:1: missing required key 'labels'" } },
	{ "missing types",
	  P1 "  'ste': { }, 'labels': {} }",
	  { "2:10: missing required key 'types'" } },
	{ "unknown key, close to a known one",
	  P1 P2 "  'lables': {} }",
	  { "1:1: missing required key 'labels'",
	    "3:3: unknown key 'lables'; did you mean 'labels'?" } },
	{ "unknown key",
	  P1 P2 "  'labels': { 'a': { 'ste': ['Ads'], 'colour': 'red' } } }",
	  { "3:38: unknown key 'colour'; the keys here are ste, chwall, comment" } },
	{ "duplicate key",
	  P1 P2 "  'labels': {}, 'version': '2' }",
	  { "3:17: duplicate key 'version' (first at 1:16)" } },
	{ "duplicate label",
	  P1 P2 "  'labels': { 'a': { 'ste': ['Ads'] },\n"
		"              'a': { 'ste': ['Order'] } } }",
	  { "4:15: duplicate key 'a' (first at 3:15)" } },
	{ "three times the same key",
	  P1 P2
	  "  'labels': { 'a': { 'ste': ['Ads'], 'ste': [], 'ste': [] } } }",
	  { "3:15: label 'a' has no types",
	    "3:38: duplicate key 'ste' (first at 3:22)",
	    "3:49: duplicate key 'ste' (first at 3:22)" } },
	{ "a key with \\u0000",
	  P1 P2 "  'labels': {}, 'x\\u0000y': 'q' }",
	  { "3:17: a key may not contain \\u0000" } },

	/* Wrong JSON types. */
	{ "name not a string",
	  "{ 'name': 1, 'version': 1.0, 'ste': [], 'labels': [] }",
	  { "1:11: 'name' must be a string",
	    "1:25: 'version' must be a string: \"MAJOR\" or \"MAJOR.MINOR\"",
	    "1:37: 'ste' must be an object: { \"types\": [TYPE...] }",
	    "1:51: 'labels' must be an object: { \"LABEL\": { \"ste\": [TYPE...], \"chwall\": [TYPE...] }... }" } },
	{ "types not an array of strings",
	  P1 "  'ste': { 'types': 'Order' },\n"
	     "  'chwall': { 'types': ['A', 2, null] }, 'labels': {} }",
	  { "2:21: 'types' must be an array of strings",
	    "3:30: 'types' must be an array of strings",
	    "3:33: 'types' must be an array of strings" } },
	{ "label lists not arrays of strings",
	  P1 P2
	  "  'labels': { 'a': { 'ste': 'Ads', 'chwall': [true] }, 'b': 7 } }",
	  { "3:29: 'ste' must be an array of strings",
	    "3:47: 'chwall' must be an array of strings",
	    "3:61: label 'b' must be an object: { \"ste\": [TYPE...], \"chwall\": [TYPE...] }" } },
	{ "conflict sets not arrays of arrays",
	  P1 P2
	  "  'chwall': { 'types': ['A', 'B'], 'conflict_sets': [['A', 'B'], 'A', [1, 'A']] },\n"
	  "  'labels': {} }",
	  { "3:66: 'conflict_sets' must be an array of arrays of strings",
	    "3:72: 'conflict_sets' must be an array of arrays of strings" } },
	{ "other wrong types",
	  P1 P2
	  "  'chwall': [], 'resource_labels': { 'r': [] }, 'resources': [], 'unlabeled': null,\n"
	  "  'labels': {}, 'comment': {} }",
	  { "3:13: 'chwall' must be an object: { \"types\": [TYPE...], \"conflict_sets\": [[TYPE, TYPE...]...] }",
	    "3:43: resource label 'r' must be an object: { \"ste\": [TYPE...] }",
	    "3:62: 'resources' must be an object: { \"KIND:NAME\": \"LABEL\"... }",
	    "3:79: 'unlabeled' must be a string: \"deny\" or a VM label",
	    "4:28: 'comment' must be a string" } },

	/* Names and versions. */
	{ "bad names",
	  "{ 'name': 'my policy', 'version': '1',\n"
	  "  'ste': { 'types': ['Or-der.1_x', '', '\xc3\xa9t\xc3\xa9'] },\n"
	  "  'labels': { 'a/b': { 'ste': ['Or-der.1_x'] } } }",
	  { "1:11: policy name 'my policy' is not a valid name; a name is 1 to 63 characters of A-Z a-z 0-9 _ . -",
	    "2:36: STE type '' is not a valid name; a name is 1 to 63 characters of A-Z a-z 0-9 _ . -",
	    "2:40: STE type '\xc3\xa9t\xc3\xa9' is not a valid name; a name is 1 to 63 characters of A-Z a-z 0-9 _ . -",
	    "3:15: label 'a/b' is not a valid name; a name is 1 to 63 characters of A-Z a-z 0-9 _ . -" } },
	{ "name too long",
	  P1
	  "  'ste': { 'types': ['A234567890123456789012345678901234567890123456789012345678901234'] },\n"
	  "  'labels': {} }",
	  { "2:22: STE type 'A23456789012345678901234567890123456789012345678901234567890...' is too long; a name is 1 to 63 characters of A-Z a-z 0-9 _ . -" } },
	{ "control characters in a name",
	  P1 "  'ste': { 'types': ['T\\u0000'] },\n"
	     "  'labels': { 'a\\tb': {} } }",
	  { "2:22: STE type 'T?' is not a valid name; a name is 1 to 63 characters of A-Z a-z 0-9 _ . -",
	    "3:15: label 'a?b' is not a valid name; a name is 1 to 63 characters of A-Z a-z 0-9 _ . -" } },
	{ "reserved label name",
	  P1 P2 "  'labels': { 'deny': { 'ste': ['Ads'] } } }",
	  { "3:15: 'deny' is reserved and cannot name a label" } },
	{ "three-part version",
	  "{ 'name': 'p', 'version': '1.2.3', 'ste': { 'types': [] }, 'labels': {} }",
	  { "1:27: version '1.2.3' is not valid; write \"MAJOR\" or \"MAJOR.MINOR\" with numbers from 0 to 65535 without leading zeros" } },
	{ "leading zero",
	  "{ 'name': 'p', 'version': '01', 'ste': { 'types': [] }, 'labels': {} }",
	  { "1:27: version '01' is not valid; write \"MAJOR\" or \"MAJOR.MINOR\" with numbers from 0 to 65535 without leading zeros" } },
	{ "minor too large",
	  "{ 'name': 'p', 'version': '1.65536', 'ste': { 'types': [] }, 'labels': {} }",
	  { "1:27: version '1.65536' is not valid; write \"MAJOR\" or \"MAJOR.MINOR\" with numbers from 0 to 65535 without leading zeros" } },
	{ "empty minor",
	  "{ 'name': 'p', 'version': '1.', 'ste': { 'types': [] }, 'labels': {} }",
	  { "1:27: version '1.' is not valid; write \"MAJOR\" or \"MAJOR.MINOR\" with numbers from 0 to 65535 without leading zeros" } },
	{ "not a number",
	  "{ 'name': 'p', 'version': 'v1', 'ste': { 'types': [] }, 'labels': {} }",
	  { "1:27: version 'v1' is not valid; write \"MAJOR\" or \"MAJOR.MINOR\" with numbers from 0 to 65535 without leading zeros" } },

	/* Types. */
	{ "types listed twice",
	  P1 "  'ste': { 'types': ['A', 'B', 'A', 'A'] },\n"
	     "  'chwall': { 'types': ['C', 'C'] }, 'labels': {} }",
	  { "2:32: STE type 'A' is listed twice (first at 2:22)",
	    "2:37: STE type 'A' is listed twice (first at 2:22)",
	    "3:30: CHWALL type 'C' is listed twice (first at 3:25)" } },
	{ "unknown STE type in a label",
	  P1 P2 "  'labels': { 'order': { 'ste': ['Orders'] },\n"
		"              'x': { 'ste': ['Computing'] } } }",
	  { "3:34: label 'order' names unknown STE type 'Orders'; did you mean 'Order'?",
	    "4:30: label 'x' names unknown STE type 'Computing'" } },
	{ "unknown CHWALL type in a label",
	  P1 P2 P3 "  'labels': { 'a': { 'chwall': ['misc', 'Order'] } } }",
	  { "4:33: label 'a' names unknown CHWALL type 'misc'; did you mean 'Misc'?" } },
	{ "STE type used as a CHWALL type",
	  P1 P2 "  'labels': { 'a': { 'chwall': ['Order'] } } }",
	  { "3:33: label 'a' names unknown CHWALL type 'Order'" } },
	{ "type listed twice in a label",
	  P1 P2 "  'labels': { 'a': { 'ste': ['Ads', 'Order', 'Ads'] } } }",
	  { "3:46: label 'a' lists STE type 'Ads' twice" } },
	{ "empty labels",
	  P1 P2
	  "  'labels': { 'a': {}, 'b': { 'ste': [], 'chwall': [], 'comment': '' } },\n"
	  "  'resource_labels': { 'r': { 'comment': 'none' } } }",
	  { "3:15: label 'a' has no types", "3:24: label 'b' has no types",
	    "4:24: resource label 'r' has no STE types" } },

	/* Conflict sets. */
	{ "short conflict sets",
	  P1 P2
	  "  'chwall': { 'types': ['A', 'B'], 'conflict_sets': [['A'], []] },\n"
	  "  'labels': {} }",
	  { "3:54: a conflict set needs at least two types",
	    "3:61: a conflict set needs at least two types" } },
	{ "conflict set names a type that is not a CHWALL type",
	  P1 P2
	  "  'chwall': { 'types': ['A', 'Bee'], 'conflict_sets': [['A', 'Be'], ['A', 'Order']] },\n"
	  "  'labels': {} }",
	  { "3:62: conflict set names unknown CHWALL type 'Be'; did you mean 'Bee'?",
	    "3:75: conflict set names unknown CHWALL type 'Order'" } },
	{ "type twice in a conflict set",
	  P1 P2
	  "  'chwall': { 'types': ['A', 'B'], 'conflict_sets': [['A', 'A']] },\n"
	  "  'labels': {} }",
	  { "3:60: conflict set lists CHWALL type 'A' twice" } },
	{ "conflict set given twice",
	  P1 P2
	  "  'chwall': { 'types': ['A', 'B', 'C'], 'conflict_sets': [['B', 'A'], ['A', 'C'],\n"
	  "    ['A', 'B']] }, 'labels': {} }",
	  { "4:5: this conflict set repeats the one at 3:59" } },
	{ "label whose CHWALL types conflict",
	  P1 P2
	  "  'chwall': { 'types': ['A', 'B', 'C'], 'conflict_sets': [['A', 'C'], ['B', 'C', 'A']] },\n"
	  "  'labels': { 'ac': { 'chwall': ['C', 'B'] } } }",
	  { "4:39: label 'ac' has CHWALL types 'C' and 'B', which conflict (conflict set at 3:71)" } },
	{ "label whose CHWALL types conflict in two sets",
	  P1 P2
	  "  'chwall': { 'types': ['A', 'B', 'C'], 'conflict_sets': [['A', 'C'], ['B', 'C', 'A']] },\n"
	  "  'labels': { 'ac': { 'chwall': ['C', 'A'] } } }",
	  { "4:39: label 'ac' has CHWALL types 'C' and 'A', which conflict (conflict set at 3:71)",
	    "4:39: label 'ac' has CHWALL types 'C' and 'A', which conflict (conflict set at 3:59)" } },

	/* Labels and resources. */
	{ "label in both labels and resource_labels",
	  P1 P2 "  'resource_labels': { 'disk': { 'ste': ['Ads'] } },\n"
		"  'labels': { 'disk': { 'ste': ['Ads'] } } }",
	  { "4:15: label 'disk' is defined both in 'labels' and in 'resource_labels' (first at 3:24)" } },
	{ "resource label with CHWALL types",
	  P1 P2 P3
	  "  'resource_labels': { 'disk': { 'ste': ['Ads'], 'chwall': ['Ads'] } },\n"
	  "  'labels': {} }",
	  { "4:50: resource label 'disk' has CHWALL types; resource labels carry STE types only" } },
	{ "resource keys",
	  P1 P2
	  "  'labels': { 'ads': { 'ste': ['Ads'] } },\n"
	  "  'resources': { 'tap:x': 'ads', 'br0': 'ads', 'net:br0123456789abcd': 'ads',\n"
	  "    'shm:dev/shm/x': 'ads', 'shm:/dev/shm/a b': 'ads', 'vsock:2': 'ads', 'vsock:03': 'ads',\n"
	  "    'net:..': 'ads', 'file:var/x.img': 'ads', 'file:/a b': 'ads', 'file:': 'ads' } }",
	  { "4:18: resource 'tap:x': unknown resource kind; the kinds are shm:, net:, vsock: and file:",
	    "4:34: resource 'br0': a resource is written KIND:NAME, as in shm:/dev/shm/x, net:br0, vsock:3 or file:/var/lib/images/x.img",
	    "4:48: resource 'net:br0123456789abcd': a net: resource is an interface name of 1 to 15 characters of A-Z a-z 0-9 _ . - other than . and ..",
	    "5:5: resource 'shm:dev/shm/x': a shm: resource is an absolute path of printable ASCII without spaces, at most 255 bytes",
	    "5:29: resource 'shm:/dev/shm/a b': a shm: resource is an absolute path of printable ASCII without spaces, at most 255 bytes",
	    "5:56: resource 'vsock:2': a vsock: resource is a guest CID in decimal without leading zeros, from 3 to 4294967294",
	    "5:74: resource 'vsock:03': a vsock: resource is a guest CID in decimal without leading zeros, from 3 to 4294967294",
	    "6:5: resource 'net:..': a net: resource is an interface name of 1 to 15 characters of A-Z a-z 0-9 _ . - other than . and ..",
	    "6:22: resource 'file:var/x.img': a file: resource is an absolute path of printable ASCII without spaces, at most 255 bytes",
	    "6:47: resource 'file:/a b': a file: resource is an absolute path of printable ASCII without spaces, at most 255 bytes",
	    "6:67: resource 'file:': a file: resource is an absolute path of printable ASCII without spaces, at most 255 bytes" } },
	{ "resource bound to an unknown label",
	  P1 P2
	  "  'labels': { 'ads': { 'ste': ['Ads'] } },\n"
	  "  'resources': { 'net:br0': 'adds', 'net:br1': 'order', 'vsock:3': ['ads'] } }",
	  { "4:29: resource 'net:br0' is bound to unknown label 'adds'; did you mean 'ads'?",
	    "4:48: resource 'net:br1' is bound to unknown label 'order'",
	    "4:68: resource 'vsock:3' must be bound to a label: \"LABEL\"" } },
	{ "unlabeled names an unknown label",
	  P1 P2
	  "  'labels': { 'ads': { 'ste': ['Ads'] } }, 'unlabeled': 'Ads' }",
	  { "3:57: 'unlabeled' names unknown label 'Ads'; did you mean 'ads'?" } },
	{ "unlabeled_files is not a string",
	  P1 P2 "  'labels': {}, 'unlabeled_files': false }",
	  { "3:36: 'unlabeled_files' must be a string: \"label\", \"allow\" or \"deny\"" } },
	{ "unlabeled_files is mistyped",
	  P1 P2 "  'labels': {}, 'unlabeled_files': 'alow' }",
	  { "3:36: 'unlabeled_files' is 'alow'; did you mean 'allow'?" } },
	{ "unlabeled_files is no mode",
	  P1 P2 "  'labels': {}, 'unlabeled_files': 'never' }",
	  { "3:36: 'unlabeled_files' is 'never'; it must be \"label\", \"allow\" or \"deny\"" } },
	{ "unlabeled_files is a mode in capitals",
	  P1 P2 "  'labels': {}, 'unlabeled_files': 'DENY' }",
	  { "3:36: 'unlabeled_files' is 'DENY'; it must be \"label\", \"allow\" or \"deny\"" } },
	{ "unlabeled_files is misspelt as a key",
	  P1 P2 "  'labels': {}, 'unlabelled_files': 'deny' }",
	  { "3:17: unknown key 'unlabelled_files'; did you mean 'unlabeled_files'?" } },
	{ "unlabeled names a resource label",
	  P1 P2
	  "  'labels': {}, 'resource_labels': { 'r': { 'ste': ['Ads'] } }, 'unlabeled': 'r' }",
	  { "3:78: 'unlabeled' names resource label 'r'; it must be \"deny\" or a VM label" } },

	/* Columns count characters, not bytes; a tab is one. */
	{ "column after multi-byte characters",
	  P1 P2
	  "  'comment': '\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80', 'labels': { 'a': {\t} } }",
	  { "3:33: label 'a' has no types" } },
};

static void mistakes_are_reported_exactly(void **state)
{
	size_t i, failed = 0;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *src = dq(bad[i].src);

		failed +=
			!errors_are(bad[i].what, src, strlen(src), bad[i].errs);
		free(src);
	}
	assert_int_equal(failed, 0);
}

static void nul_byte_is_refused(void **state)
{
	static const char src[] = "{ \"name\": \"p\"\0 }";
	const char *const want[] = { "1:14: NUL byte; a policy is text", NULL };

	(void)state;
	assert_true(errors_are("NUL", src, sizeof(src) - 1, want));
}

static void deep_nesting_is_a_syntax_error(void **state)
{
	char src[128] = "{ \"comment\": ";
	const char *const want[] = {
		"1:45: JSON syntax error: nesting too deep", NULL
	};

	(void)state;
	memset(src + strlen(src), '[', 40);
	assert_true(errors_are("deep", src, strlen(src), want));
}

/* A policy with many mistakes: all of them, in the order of the file. */
static void all_mistakes_in_position_order(void **state)
{
	char *src = dq(
		"{\n"
		"  'labels': { 'order': { 'ste': ['Ordr'] },\n"
		"              'ads': { 'chwall': ['Ads'] } },\n"
		"  'name': 'two words',\n"
		"  'ste': { 'types': ['Order', 'Ads', 'Order'] },\n"
		"  'chwall': { 'types': ['Ads'], 'conflict_sets': [['Ads']] },\n"
		"  'resources': { 'net:br0': 'odrer' },\n"
		"  'version': '1.0', 'unlabled': 'deny' }\n");
	const char *const want[] = {
		"2:34: label 'order' names unknown STE type 'Ordr'; did you mean 'Order'?",
		"4:11: policy name 'two words' is not a valid name; a name is 1 to 63 characters of A-Z a-z 0-9 _ . -",
		"5:38: STE type 'Order' is listed twice (first at 5:22)",
		"6:51: a conflict set needs at least two types",
		"7:29: resource 'net:br0' is bound to unknown label 'odrer'; did you mean 'order'?",
		"8:21: unknown key 'unlabled'; did you mean 'unlabeled'?",
		NULL
	};

	(void)state;
	assert_true(errors_are("many", src, strlen(src), want));
	free(src);
}

/* A big policy: @n items of @fmt (with %d), between @head and @tail. */
static char *big(const char *head, const char *fmt, int n, const char *tail)
{
	char *s;
	size_t len;
	FILE *f = open_memstream(&s, &len);
	int i;

	assert_non_null(f);
	fputs(head, f);
	for (i = 0; i < n; i++) {
		fputs(i ? ",\n" : "\n", f);
		fprintf(f, fmt, i);
	}
	fputs(tail, f);
	fclose(f);
	return s;
}

static void limits_are_reported(void **state)
{
	static const struct {
		const char *head, *fmt;
		int n;
		const char *tail, *want;
	} t[] = {
		{ "{\"name\":\"p\",\"version\":\"1\",\"labels\":{},\"ste\":{\"types\":[",
		  "\"T%d\"", SHYPE_MAX_STE_TYPES + 1, "]}}",
		  "1026:1: too many STE types: the limit is 1024" },
		{ "{\"name\":\"p\",\"version\":\"1\",\"labels\":{},\"ste\":{\"types\":[]},\"chwall\":{\"types\":[",
		  "\"T%d\"", SHYPE_MAX_CHWALL_TYPES + 1, "]}}",
		  "1026:1: too many CHWALL types: the limit is 1024" },
		{ "{\"name\":\"p\",\"version\":\"1\",\"ste\":{\"types\":[\"A\"]},\"labels\":{",
		  "\"l%d\":{\"ste\":[\"A\"]}", SHYPE_MAX_LABELS + 1, "}}",
		  "16386:1: too many labels: the limit is 16384, VM and resource labels together" },
		{ "{\"name\":\"p\",\"version\":\"1\",\"ste\":{\"types\":[\"A\"]},\"labels\":{\"a\":{\"ste\":[\"A\"]}},\"resources\":{",
		  "\"vsock:1%d\":\"a\"", SHYPE_MAX_RESOURCES + 1, "}}",
		  "4098:1: too many resources: the limit is 4096" },
	};
	size_t i, failed = 0;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		char *src = big(t[i].head, t[i].fmt, t[i].n, t[i].tail);
		const char *const want[] = { t[i].want, NULL };

		failed += !errors_are(t[i].want, src, strlen(src), want);
		free(src);
	}
	assert_int_equal(failed, 0);
}

/* 1025 different conflict sets: the sets of bits (two or more) of 3... */
static void too_many_conflict_sets(void **state)
{
	const char *const want[] = {
		"1028:1: too many conflict sets: the limit is 1024", NULL
	};
	char *s;
	size_t len;
	FILE *f = open_memstream(&s, &len);
	int i, k, n = 0;

	(void)state;
	assert_non_null(f);
	fputs("{\"name\":\"p\",\"version\":\"1\",\"labels\":{},\n"
	      "\"ste\":{\"types\":[]},\"chwall\":{\"types\":[\"0\",\"1\",\"2\","
	      "\"3\",\"4\",\"5\",\"6\",\"7\",\"8\",\"9\",\"a\"],\n\"conflict_sets\":[",
	      f);
	for (i = 3; n <= SHYPE_MAX_CONFLICT_SETS; i++) {
		if (!(i & (i - 1)))
			continue;
		fputs(n++ ? ",\n[" : "\n[", f);
		for (k = 0; k < 11; k++)
			if (i >> k & 1)
				fprintf(f, "%s\"%x\"",
					i & ((1 << k) - 1) ? "," : "", k);
		fputs("]", f);
	}
	fputs("]}}", f);
	fclose(f);
	assert_true(errors_are("sets", s, len, want));
	free(s);
}

/* Up to the limits is fine. */
static void limits_are_inclusive(void **state)
{
	char *src = big(
		"{\"name\":\"p\",\"version\":\"65535.65535\",\"ste\":{\"types\":[\"A\"]},\"labels\":{",
		"\"l%d\":{\"ste\":[\"A\"]}", SHYPE_MAX_LABELS, "}}");
	struct shype_model *m;
	struct shype_errors errs;

	(void)state;
	assert_int_equal(
		shype_model_parse("t.json", src, strlen(src), &m, &errs), 0);
	assert_int_equal(errs.n, 0);
	assert_int_equal(m->n_labels, SHYPE_MAX_LABELS);
	assert_int_equal(m->version_major, 65535);
	assert_int_equal(m->version_minor, 65535);
	assert_string_equal(m->labels[0].name, "l0");
	assert_string_equal(m->labels[1].name, "l1");
	assert_string_equal(m->labels[2].name, "l10");
	shype_model_free(m);
	free(src);
}

static struct shype_model *parse_ok(const char *src)
{
	struct shype_model *m;
	struct shype_errors errs;
	int ret;

	ret = shype_model_parse("t.json", src, strlen(src), &m, &errs);
	if (ret)
		errors_are("expected no errors", src, strlen(src),
			   (const char *const[]){ NULL });
	assert_int_equal(ret, 0);
	assert_int_equal(errs.n, 0);
	return m;
}

static void assert_list(const unsigned int *v, size_t n,
			const unsigned int *want, size_t n_want)
{
	size_t i;

	assert_int_equal(n, n_want);
	for (i = 0; i < n; i++)
		assert_int_equal(v[i], want[i]);
}

#define LIST(v, n, ...)                                             \
	assert_list(v, n, (const unsigned int[]){ __VA_ARGS__ },    \
		    sizeof((const unsigned int[]){ __VA_ARGS__ }) / \
			    sizeof(unsigned int))

static void figure2_model_is_sorted(void **state)
{
	struct shype_model *m;
	struct shype_errors errs;
	const struct shype_model_label *l;
	const struct shype_model_resource *r;

	(void)state;
	assert_int_equal(shype_model_parse_file("../../policies/figure2.json",
						&m, &errs),
			 0);
	assert_int_equal(errs.n, 0);
	assert_string_equal(m->name, "figure2");
	assert_int_equal(m->version_major, 1);
	assert_int_equal(m->version_minor, 0);
	assert_int_equal(m->n_ste_types, 3);
	assert_string_equal(m->ste_types[0], "Advertising");
	assert_string_equal(m->ste_types[1], "Computing");
	assert_string_equal(m->ste_types[2], "Order");
	assert_int_equal(m->n_chwall_types, 3);
	assert_string_equal(m->chwall_types[0], "Advertising");
	assert_string_equal(m->chwall_types[1], "Computing");
	assert_string_equal(m->chwall_types[2], "Order");
	assert_int_equal(m->n_sets, 1);
	LIST(m->sets[0].types, m->sets[0].n, 0, 2);

	assert_int_equal(m->n_labels, 6);
	l = m->labels;
	assert_string_equal(l[0].name, "advertising");
	assert_string_equal(l[1].name, "computing");
	assert_string_equal(l[2].name, "order");
	assert_string_equal(l[3].name, "vdisk_ads");
	assert_string_equal(l[4].name, "vdisk_order");
	assert_string_equal(l[5].name, "vdisk_server");
	assert_false(l[0].resource || l[1].resource || l[2].resource ||
		     l[5].resource);
	assert_true(l[3].resource && l[4].resource);
	LIST(l[0].ste, l[0].n_ste, 0);
	LIST(l[0].chwall, l[0].n_chwall, 0);
	LIST(l[1].ste, l[1].n_ste, 1);
	LIST(l[1].chwall, l[1].n_chwall, 1);
	LIST(l[2].ste, l[2].n_ste, 2);
	LIST(l[2].chwall, l[2].n_chwall, 2);
	LIST(l[3].ste, l[3].n_ste, 0);
	LIST(l[4].ste, l[4].n_ste, 2);
	LIST(l[5].ste, l[5].n_ste, 0, 2);
	assert_int_equal(l[3].n_chwall + l[4].n_chwall + l[5].n_chwall, 0);

	assert_int_equal(m->n_resources, 4);
	r = m->resources;
	assert_int_equal(r[0].kind, SHYPE_RES_SHM);
	assert_string_equal(r[0].name, "/dev/shm/vdisk-ads");
	assert_int_equal(r[0].label, 3);
	assert_int_equal(r[1].kind, SHYPE_RES_SHM);
	assert_string_equal(r[1].name, "/dev/shm/vdisk-order");
	assert_int_equal(r[1].label, 4);
	assert_int_equal(r[2].kind, SHYPE_RES_NET);
	assert_string_equal(r[2].name, "br-ads");
	assert_int_equal(r[2].label, 0);
	assert_int_equal(r[3].kind, SHYPE_RES_NET);
	assert_string_equal(r[3].name, "br-order");
	assert_int_equal(r[3].label, 2);
	assert_int_equal(m->unlabeled, -1);
	shype_model_free(m);
}

/* Conflict sets, type lists and resources come out in canonical order. */
static void model_is_canonical(void **state)
{
	char *src = dq(
		"{ 'name': 'c', 'version': '3.14', 'comment': 'x',\n"
		"  'ste': { 'types': ['b', 'a', 'c'], 'comment': '' },\n"
		"  'chwall': { 'types': ['z', 'y', 'x', 'w'],\n"
		"    'conflict_sets': [['z', 'x'], ['y', 'w', 'x'], ['x', 'w']] },\n"
		"  'labels': { 'v': { 'ste': ['c', 'a'], 'chwall': ['z', 'w'] } },\n"
		"  'resource_labels': { 'r': { 'ste': ['b'] } },\n"
		"  'resources': { 'vsock:10': 'r', 'net:b': 'v', 'vsock:9': 'v',\n"
		"    'shm:/z': 'r', 'net:a': 'r' },\n"
		"  'unlabeled': 'v' }\n");
	struct shype_model *m = parse_ok(src);
	const struct shype_model_resource *r = m->resources;

	(void)state;
	assert_string_equal(m->name, "c");
	assert_int_equal(m->version_major, 3);
	assert_int_equal(m->version_minor, 14);
	assert_string_equal(m->ste_types[0], "a");
	assert_string_equal(m->chwall_types[0], "w");
	assert_string_equal(m->chwall_types[3], "z");
	/* w=0 x=1 y=2 z=3: {x,z}={1,3}, {w,x,y}={0,1,2}, {w,x}={0,1} */
	assert_int_equal(m->n_sets, 3);
	LIST(m->sets[0].types, m->sets[0].n, 0, 1);
	LIST(m->sets[1].types, m->sets[1].n, 0, 1, 2);
	LIST(m->sets[2].types, m->sets[2].n, 1, 3);
	assert_string_equal(m->labels[0].name, "r");
	assert_string_equal(m->labels[1].name, "v");
	LIST(m->labels[1].ste, m->labels[1].n_ste, 0, 2);
	LIST(m->labels[1].chwall, m->labels[1].n_chwall, 0, 3);
	assert_int_equal(m->unlabeled, 1);
	assert_int_equal(m->n_resources, 5);
	assert_int_equal(r[0].kind, SHYPE_RES_SHM);
	assert_string_equal(r[0].name, "/z");
	assert_string_equal(r[1].name, "a");
	assert_int_equal(r[1].label, 0);
	assert_string_equal(r[2].name, "b");
	assert_int_equal(r[2].label, 1);
	assert_int_equal(r[3].kind, SHYPE_RES_VSOCK);
	assert_string_equal(r[3].name, "10"); /* by strcmp, not by value */
	assert_string_equal(r[4].name, "9");
	shype_model_free(m);
	free(src);
}

/* JSON escapes are decoded, in keys too, before names are checked. */
static void escapes_are_decoded(void **state)
{
	char *src = dq(
		"{ 'n\\u0061me': 'p\\u002d1', 'version': '1',\n"
		"  'ste': { 'types': ['\\u0041'] }, 'labels': { 'l\\/': {} } }");
	const char *const want[] = {
		"2:47: label 'l/' is not a valid name; a name is 1 to 63 characters of A-Z a-z 0-9 _ . -",
		NULL
	};
	struct shype_model *m;

	(void)state;
	assert_true(errors_are("escapes", src, strlen(src), want));
	free(src);
	src = dq(
		"{ 'n\\u0061me': 'p\\u002d1', 'version': '1',\n"
		"  'ste': { 'types': ['\\u0041'] }, 'labels': { 'l': { 'ste': ['A'] } } }");
	m = parse_ok(src);
	assert_string_equal(m->name, "p-1");
	assert_string_equal(m->ste_types[0], "A");
	shype_model_free(m);
	free(src);
}

static void example_policies_are_clean(void **state)
{
	glob_t g;
	size_t i;

	(void)state;
	assert_int_equal(glob("../../policies/*.json", 0, NULL, &g), 0);
	assert_true(g.gl_pathc >= 1);
	for (i = 0; i < g.gl_pathc; i++) {
		struct shype_model *m;
		struct shype_errors errs;
		size_t k;
		int ret = shype_model_parse_file(g.gl_pathv[i], &m, &errs);

		for (k = 0; k < errs.n; k++)
			print_error("%s:%u:%u: %s\n", errs.v[k].file,
				    errs.v[k].line, errs.v[k].col,
				    errs.v[k].msg);
		assert_int_equal(ret, 0);
		shype_model_free(m);
	}
	globfree(&g);
}

static void unreadable_file_is_one_error(void **state)
{
	struct shype_model *m = (void *)1;
	struct shype_errors errs;

	(void)state;
	assert_int_equal(shype_model_parse_file("no/such.json", &m, &errs),
			 -ENOENT);
	assert_null(m);
	assert_int_equal(errs.n, 1);
	assert_string_equal(errs.v[0].file, "no/such.json");
	assert_int_equal(errs.v[0].line, 0);
	assert_int_equal(errs.v[0].col, 0);
	assert_string_equal(errs.v[0].msg,
			    "cannot read: No such file or directory");
	shype_errors_free(&errs);
	assert_int_equal(shype_model_parse_file("../../policies", &m, &errs),
			 -EISDIR);
	assert_string_equal(errs.v[0].msg, "cannot read: Is a directory");
	shype_errors_free(&errs);
}

static void resource_parse_splits_kind_and_name(void **state)
{
	const char *name, *why = NULL;
	char path[4 + SHYPE_RESOURCE_NAME_MAX + 2] = "";
	char file[5 + SHYPE_RESOURCE_NAME_MAX + 2] = "";
	unsigned int kind;

	(void)state;
	assert_int_equal(
		shype_resource_parse("shm:/dev/shm/a", &kind, &name, &why), 0);
	assert_int_equal(kind, SHYPE_RES_SHM);
	assert_string_equal(name, "/dev/shm/a");
	assert_int_equal(shype_resource_parse("vsock:4294967294", &kind, &name,
					      &why),
			 0);
	assert_int_equal(kind, SHYPE_RES_VSOCK);
	assert_string_equal(name, "4294967294");
	assert_int_equal(shype_resource_parse("vsock:4294967295", &kind, &name,
					      &why),
			 -EINVAL);
	assert_string_equal(
		why,
		"a vsock: resource is a guest CID in decimal without leading zeros, from 3 to 4294967294");
	assert_int_equal(shype_resource_parse("net:", &kind, &name, &why),
			 -EINVAL);
	assert_int_equal(shype_resource_parse("net:br-0123456789ab", &kind,
					      &name, &why),
			 0);
	assert_int_equal(shype_resource_parse("net:br-0123456789abc", &kind,
					      &name, &why),
			 -EINVAL);
	assert_string_equal(
		why,
		"a net: resource is an interface name of 1 to 15 characters of A-Z a-z 0-9 _ . - other than . and ..");
	memset(path, 'p', sizeof(path) - 1);
	memcpy(path, "shm:/", 5);
	path[4 + SHYPE_RESOURCE_NAME_MAX] = 0;
	assert_int_equal(shype_resource_parse(path, &kind, &name, &why), 0);
	assert_int_equal(strlen(name), SHYPE_RESOURCE_NAME_MAX);
	path[4 + SHYPE_RESOURCE_NAME_MAX] = 'p';
	assert_int_equal(shype_resource_parse(path, &kind, &name, &why),
			 -EINVAL);
	assert_string_equal(
		why,
		"a shm: resource is an absolute path of printable ASCII without spaces, at most 255 bytes");
	assert_int_equal(shype_resource_parse("NET:br0", &kind, &name, &why),
			 -EINVAL);
	assert_string_equal(
		why,
		"unknown resource kind; the kinds are shm:, net:, vsock: and file:");
	assert_int_equal(shype_resource_parse("file:/var/lib/images/a.img",
					      &kind, &name, &why),
			 0);
	assert_int_equal(kind, SHYPE_RES_FILE);
	assert_string_equal(name, "/var/lib/images/a.img");
	assert_int_equal(shype_resource_parse("file:a.img", &kind, &name, &why),
			 -EINVAL);
	assert_string_equal(
		why,
		"a file: resource is an absolute path of printable ASCII without spaces, at most 255 bytes");
	memset(file, 'p', sizeof(file) - 1);
	memcpy(file, "file:/", 6);
	file[5 + SHYPE_RESOURCE_NAME_MAX] = 0;
	assert_int_equal(shype_resource_parse(file, &kind, &name, &why), 0);
	assert_int_equal(strlen(name), SHYPE_RESOURCE_NAME_MAX);
	file[5 + SHYPE_RESOURCE_NAME_MAX] = 'p';
	assert_int_equal(shype_resource_parse(file, &kind, &name, &why),
			 -EINVAL);
}

/* File resources sort after the other kinds; unlabeled_files is decoded. */
static void files_are_resources(void **state)
{
	static const struct {
		const char *src;
		unsigned int mode;
	} modes[] = {
		{ "", SHYPE_FILES_LABEL },
		{ ", 'unlabeled_files': 'label'", SHYPE_FILES_LABEL },
		{ ", 'unlabeled_files': 'allow'", SHYPE_FILES_ALLOW },
		{ ", 'unlabeled_files': 'deny'", SHYPE_FILES_DENY },
	};
	struct shype_model *m;
	char *src, *text;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		assert_true(
			asprintf(&text,
				 "{ 'name': 'f', 'version': '1',\n"
				 "  'ste': { 'types': ['A'] },\n"
				 "  'labels': { 'a': { 'ste': ['A'] } },\n"
				 "  'resources': { 'file:/v/b.img': 'a', 'vsock:3': 'a',\n"
				 "    'file:/v/a.img': 'a' }%s }",
				 modes[i].src) > 0);
		src = dq(text);
		m = parse_ok(src);
		assert_int_equal(m->unlabeled_files, modes[i].mode);
		assert_int_equal(m->n_resources, 3);
		assert_int_equal(m->resources[0].kind, SHYPE_RES_VSOCK);
		assert_int_equal(m->resources[1].kind, SHYPE_RES_FILE);
		assert_string_equal(m->resources[1].name, "/v/a.img");
		assert_int_equal(m->resources[2].kind, SHYPE_RES_FILE);
		assert_string_equal(m->resources[2].name, "/v/b.img");
		shype_model_free(m);
		free(src);
		free(text);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(mistakes_are_reported_exactly),
		cmocka_unit_test(nul_byte_is_refused),
		cmocka_unit_test(deep_nesting_is_a_syntax_error),
		cmocka_unit_test(all_mistakes_in_position_order),
		cmocka_unit_test(limits_are_reported),
		cmocka_unit_test(too_many_conflict_sets),
		cmocka_unit_test(limits_are_inclusive),
		cmocka_unit_test(figure2_model_is_sorted),
		cmocka_unit_test(model_is_canonical),
		cmocka_unit_test(escapes_are_decoded),
		cmocka_unit_test(example_policies_are_clean),
		cmocka_unit_test(unreadable_file_is_one_error),
		cmocka_unit_test(resource_parse_splits_kind_and_name),
		cmocka_unit_test(files_are_resources),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
