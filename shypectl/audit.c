// SPDX-License-Identifier: GPL-2.0
/*
 * shypectl audit [--follow]: the kernel's audit lines, one per denial and
 * per refused policy load.  Text prints them as the kernel gives them; JSON
 * prints one object per line (JSON Lines), so that --follow can stream.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "main.h"
#include "analyze.h"

#define FIELDS_MAX 32

/* Called with argc 0 for a usage error. */
static int audit_help(int argc, char **argv)
{
	FILE *f = argc ? stdout : stderr;

	(void)argv;
	fprintf(f,
		"Usage: %1$s audit [{-f|--follow}]\n"
		"       %1$s audit explain [--policy POLICY] [{-n|--last} N] [RECORD... | -]\n"
		"       %1$s audit help\n"
		"\n"
		"       POLICY := { FILE | active }\n"
		"       OPTIONS := { {-j|--json} [{-p|--pretty}] }\n",
		bin_name);
	return argc ? EXIT_SUCCESS : EXIT_USAGE;
}

/* Is @s a decimal number that fits a u64?  Then store it in @v. */
static bool number(const char *s, size_t len, unsigned long long *v)
{
	unsigned long long x = 0;
	size_t i;

	if (!len || len > 19)
		return false;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		x = x * 10 + (s[i] - '0');
	}
	*v = x;
	return true;
}

/*
 * One field in JSON: seq and pid as numbers, "ID(LABEL)" (vm=, peer=, ...)
 * as {"id": ID, "label": LABEL}, anything else as a string.
 */
static void print_field(const struct shype_field *f)
{
	const char *v = f->value, *paren = strchr(v, '(');
	size_t len = strlen(v);
	unsigned long long x;
	char label[SHYPE_NAME_MAX + 1];

	if ((!strcmp(f->key, "seq") || !strcmp(f->key, "pid")) &&
	    number(v, len, &x)) {
		print_u64(PRINT_JSON, f->key, NULL, x);
	} else if (paren && v[len - 1] == ')' && number(v, paren - v, &x) &&
		   len - (paren - v) - 2 < sizeof(label)) {
		memcpy(label, paren + 1, len - (paren - v) - 2);
		label[len - (paren - v) - 2] = '\0';
		open_json_object(f->key);
		print_u64(PRINT_JSON, "id", NULL, x);
		print_string(PRINT_JSON, "label", NULL, label);
		close_json_object();
	} else {
		print_string(PRINT_JSON, f->key, NULL, v);
	}
}

static void print_line(const char *line)
{
	struct shype_field f[FIELDS_MAX];
	char *copy;
	int n, i;

	if (!json_output) {
		puts(line);
		fflush(stdout);
		return;
	}
	copy = strdup(line);
	n = copy ? shype_fields_parse(copy, f, FIELDS_MAX) : -ENOMEM;
	new_json_obj(true, pretty_output);
	if (n < 0)
		print_string(PRINT_JSON, "line", NULL, line);
	for (i = 0; i < n; i++)
		print_field(&f[i]);
	delete_json_obj();
	fflush(stdout);
	free(copy);
}

int do_audit(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "follow", no_argument, NULL, 'f' },
		{ 0 },
	};
	struct shype_audit_reader a;
	const char *line;
	bool follow = false;
	int c, ret;

	if (help_asked(argc, argv, audit_help))
		return audit_help(argc, argv);
	if (argc > 1 && !strcmp(argv[1], "explain"))
		return audit_explain(argc - 1, argv + 1);
	while ((c = cmd_getopt(argc, argv, "f", opts)) != -1) {
		if (c != 'f')
			return EXIT_USAGE;
		follow = true;
	}
	if (optind < argc)
		return usage_err(
			"'audit' takes no argument; see '%s audit help'",
			bin_name);

	ret = shype_audit_open(&a);
	if (ret) {
		p_read_err(ret, "audit");
		return EXIT_FAILURE;
	}

	/* Until caught up, or with --follow until interrupted. */
	while ((ret = shype_audit_next(&a, follow, &line)) > 0)
		print_line(line);
	shype_audit_close(&a);
	if (ret && ret != -EINTR) {
		p_read_err(ret, "audit");
		return EXIT_FAILURE;
	}
	return EXIT_SUCCESS;
}
