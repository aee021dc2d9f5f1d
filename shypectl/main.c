// SPDX-License-Identifier: GPL-2.0
/*
 * shypectl: the command line of shype.  Its global options and the table
 * of objects; what the objects share is in common.c.
 *
 * Usage: shypectl [OPTIONS] OBJECT COMMAND [ARGS]; see man/shypectl.8.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain.h"

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

/*
 * Called with argc 0 for a missing object: then a usage error.  "help
 * OBJECT" is "OBJECT help".
 */
static int do_help(int argc, char **argv)
{
	FILE *f = argc ? stdout : stderr;
	const struct cmd *c;
	const char *sep = "{ ";
	char *obj_help[] = { NULL, "help", NULL };

	if (argc > 1 && !is_prefix(argv[1], "help")) {
		obj_help[0] = argv[1];
		return cmd_select(objects, 2, obj_help, do_help);
	}
	fprintf(f,
		"Usage: %s [OPTIONS] OBJECT { COMMAND | help }\n"
		"       %s help [OBJECT]\n"
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
				return cmd_exit(usage_err(
					"unknown option '-%c'", optopt));
			return cmd_exit(usage_err("unknown option '%s'",
						  argv[optind - 1]));
		}
	}
	if (help)
		return do_help(1, argv);
	if (version) {
		optind = 0;
		return do_version(1, version_argv);
	}
	return cmd_exit(
		cmd_select(objects, argc - optind, argv + optind, do_help));
}
