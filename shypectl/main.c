// SPDX-License-Identifier: GPL-2.0
/*
 * shypectl: the command line of shype.  Global options, the table of
 * objects, and the helpers every object uses.
 *
 * Usage: shypectl [OPTIONS] OBJECT COMMAND [ARGS]; see man/shypectl.8.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain.h"

const char *bin_name = "shypectl";
bool json_output;
bool pretty_output;

static int do_help(int argc, char **argv);
static int do_version(int argc, char **argv);

/* A new object is one line here and one file defining its do_OBJECT(). */
static const struct cmd objects[] = {
	{ "policy", do_policy },
	{ "check", do_check },
	{ "load", do_load },
	{ "status", do_status },
	{ "vm", do_vm },
	{ "binding", do_binding },
	{ "label", do_label },
	{ "resource", do_resource },
	{ "run", do_run },
	{ "mode", do_mode },
	{ "audit", do_audit },
	{ "stats", do_stats },
	{ "domain", do_domain },
	{ "hook", do_hook },
	{ "daemon", do_daemon },
	{ "boot", do_boot },
	{ "help", do_help },
	{ "version", do_version },
	{ 0 },
};

void p_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("Error: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

int usage_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("Error: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	return EXIT_USAGE;
}

void p_kernel_err(int err, const char *fmt, ...)
{
	va_list ap;

	if (err == -ENOENT && !shype_kernel_loaded()) {
		p_err("shype.ko is not loaded (no %s)", shype_securityfs_dir());
		return;
	}
	va_start(ap, fmt);
	fputs("Error: ", stderr);
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, ": %s\n", shype_kernel_strerror(err));
	va_end(ap);
}

void p_read_err(int err, const char *file)
{
	const char *dir = shype_securityfs_dir();

	if (err == -ENOENT && !shype_kernel_loaded())
		p_err("shype.ko is not loaded (no %s)", dir);
	else if (err == -EBADMSG)
		p_err("%s/%s: a line not in the format of the uapi header (shypectl older than shype.ko?)",
		      dir, file);
	else if (err == -EPERM)
		p_err("cannot read %s/%s: readable by root only", dir, file);
	else
		p_err("cannot read %s/%s: %s", dir, file, strerror(-err));
}

int no_args(int argc, char **argv, int (*help)(int argc, char **argv))
{
	if (argc > 1 && !strcmp(argv[1], "help"))
		return help(argc, argv);
	if (cmd_getopt(argc, argv, "", NULL) != -1)
		return EXIT_USAGE;
	if (optind < argc)
		return usage_err("'%s' takes no argument; see '%s %s help'",
				 argv[0], bin_name, argv[0]);
	return -1;
}

int exact_args(int argc, char **argv, const char *obj, const char *cmd, int n,
	       const char *what)
{
	if (cmd_getopt(argc, argv, "", NULL) != -1)
		return EXIT_USAGE;
	if (argc - optind != n)
		return usage_err("'%s %s' %s; see '%s %s help'", obj, cmd, what,
				 bin_name, obj);
	return -1;
}

void print_label_set(const char *key, const char *name, const char *label)
{
	if (!json_output)
		return;
	new_json_obj(true, pretty_output);
	print_string(PRINT_JSON, key, NULL, name);
	if (label)
		print_string(PRINT_JSON, "label", NULL, label);
	else
		print_null(PRINT_JSON, "label", NULL, NULL);
	delete_json_obj();
}

bool is_prefix(const char *pfx, const char *str)
{
	size_t n = strlen(pfx);

	return n && !strncmp(pfx, str, n);
}

/* "{ a | b | c }" for the names of @cmds that @word is a prefix of. */
static void print_choices(const struct cmd *cmds, const char *word)
{
	const char *sep = "{ ";
	const struct cmd *c;

	for (c = cmds; c->name; c++) {
		if (word && !is_prefix(word, c->name))
			continue;
		fprintf(stderr, "%s%s", sep, c->name);
		sep = " | ";
	}
	fputs(" }\n", stderr);
}

int cmd_select(const struct cmd *cmds, int argc, char **argv,
	       int (*help)(int argc, char **argv))
{
	const struct cmd *c, *found = NULL;
	int matches = 0;

	if (argc < 1)
		return help(0, NULL);

	for (c = cmds; c->name; c++) {
		if (!strcmp(argv[0], c->name)) {
			found = c;
			matches = 1;
			break;
		}
		if (is_prefix(argv[0], c->name)) {
			found = c;
			matches++;
		}
	}
	if (matches != 1) {
		fprintf(stderr, "Error: '%s' is %s ", argv[0],
			matches ? "ambiguous:" : "not one of");
		print_choices(cmds, matches ? argv[0] : NULL);
		return EXIT_USAGE;
	}

	/* Each command parses its own options from a fresh getopt state. */
	optind = 0;
	return found->func(argc, argv);
}

int cmd_getopt(int argc, char **argv, const char *shortopts,
	       const struct option *longopts)
{
	static const struct option common[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "pretty", no_argument, NULL, 'p' },
	};
	struct option all[32] = { 0 };
	char opts[64];
	size_t n = 0;
	int c;

	while (longopts && longopts[n].name && n < 32 - 3) {
		all[n] = longopts[n];
		n++;
	}
	all[n++] = common[0];
	all[n++] = common[1];
	snprintf(opts, sizeof(opts), ":jp%s", shortopts ? shortopts : "");

	opterr = 0;
	for (;;) {
		c = getopt_long(argc, argv, opts, all, NULL);
		switch (c) {
		case 'p':
			pretty_output = true;
			/* fall through */
		case 'j':
			json_output = true;
			continue;
		case '?':
			if (optopt)
				p_err("unknown option '-%c'", optopt);
			else
				p_err("unknown option '%s'", argv[optind - 1]);
			return '?';
		case ':':
			p_err("option '%s' needs an argument",
			      argv[optind - 1]);
			return '?';
		default:
			return c;
		}
	}
}

void print_shype_errors(const char *path, const struct shype_errors *e, int err)
{
	const struct shype_error *x;
	size_t i;

	if (!e || !e->n) {
		fprintf(stderr, "%s: %s\n", path, strerror(-err));
		return;
	}
	for (i = 0; i < e->n; i++) {
		x = &e->v[i];
		if (!x->line)
			fprintf(stderr, "%s: %s\n", x->file ? x->file : path,
				x->msg);
		else if (!x->col)
			fprintf(stderr, "%s:%u: %s\n", x->file ? x->file : path,
				x->line, x->msg);
		else
			fprintf(stderr, "%s:%u:%u: %s\n",
				x->file ? x->file : path, x->line, x->col,
				x->msg);
	}
}

/* Called with argc 0 for a missing object: then a usage error. */
static int do_help(int argc, char **argv)
{
	FILE *f = argc ? stdout : stderr;
	const struct cmd *c;
	const char *sep = "{ ";

	(void)argv;
	fprintf(f,
		"Usage: %s [OPTIONS] OBJECT { COMMAND | help }\n"
		"       %s help\n"
		"       %s version\n"
		"\n"
		"       OBJECT := ",
		bin_name, bin_name, bin_name);
	for (c = objects; c->func != do_help; c++) {
		fprintf(f, "%s%s", sep, c->name);
		sep = " | ";
	}
	fprintf(f, " }\n"
		   "       OPTIONS := { {-j|--json} [{-p|--pretty}] | "
		   "{-h|--help} | {-V|--version} }\n");
	return argc ? EXIT_SUCCESS : EXIT_USAGE;
}

static int do_version(int argc, char **argv)
{
	if (cmd_getopt(argc, argv, "", NULL) != -1)
		return EXIT_USAGE;
	if (optind < argc)
		return usage_err("'version' takes no argument");

	new_json_obj(json_output, pretty_output);
	print_string(PRINT_FP, NULL, "%s ", bin_name);
	print_string(PRINT_ANY, "version", "%s", SHYPECTL_VERSION);
	print_uint(PRINT_ANY, "abi_version", " (policy ABI %u)",
		   SHYPE_ABI_VERSION);
	print_nl();
	delete_json_obj();
	return EXIT_SUCCESS;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "pretty", no_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	static char *version_argv[] = { "version", NULL };
	const char *base = strrchr(argv[0], '/');
	bool help = false, version = false;
	int c;

	/* Installed as libvirt's hook /etc/libvirt/hooks/qemu. */
	if (!strcmp(base ? base + 1 : argv[0], "qemu")) {
		bin_name = "shypectl";
		return hook_qemu(argc, argv);
	}

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:jphV", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			pretty_output = true;
			/* fall through */
		case 'j':
			json_output = true;
			break;
		case 'h':
			help = true;
			break;
		case 'V':
			version = true;
			break;
		default:
			if (optopt)
				return usage_err("unknown option '-%c'",
						 optopt);
			return usage_err("unknown option '%s'",
					 argv[optind - 1]);
		}
	}
	if (help)
		return do_help(1, argv);
	if (version) {
		optind = 0;
		return do_version(1, version_argv);
	}
	return cmd_select(objects, argc - optind, argv + optind, do_help);
}
