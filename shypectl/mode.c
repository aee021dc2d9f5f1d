// SPDX-License-Identifier: GPL-2.0
/*
 * shypectl mode [enforce | permissive]: show or set whether denials are
 * enforced or only audited.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "main.h"

/* Called with argc 0 for a usage error. */
static int mode_help(int argc, char **argv)
{
	FILE *f = argc ? stdout : stderr;

	(void)argv;
	fprintf(f,
		"Usage: %1$s mode [ MODE ]\n"
		"       %1$s mode help\n"
		"\n"
		"       MODE := { enforce | permissive }\n"
		"       OPTIONS := { {-j|--json} [{-p|--pretty}] }\n",
		bin_name);
	return argc ? EXIT_SUCCESS : EXIT_USAGE;
}

int do_mode(int argc, char **argv)
{
	bool permissive, set = false;
	const char *word;
	int err;

	if (help_asked(argc, argv, mode_help))
		return mode_help(argc, argv);
	if (cmd_getopt(argc, argv, "", NULL) != -1)
		return EXIT_USAGE;
	if (argc - optind > 1)
		return usage_err("'mode' takes one MODE; see '%s mode help'",
				 bin_name);
	if (argc - optind == 1) {
		word = argv[optind];
		if (is_prefix(word, "enforce"))
			permissive = false;
		else if (is_prefix(word, "permissive"))
			permissive = true;
		else
			return usage_err(
				"'%s' is not one of { enforce | permissive }",
				word);
		set = true;
		err = shype_kernel_set_mode(permissive);
		if (err == -EBUSY && !permissive) {
			p_err("cannot enforce: VMs created before shype.ko was loaded are running, which shype cannot account for (the kernel log names their pids); stop them first");
			return EXIT_FAILURE;
		}
		if (err) {
			p_kernel_err(err, "cannot set the mode");
			return EXIT_FAILURE;
		}
	}

	/* Text: the mode when asked; JSON: the mode after a change too. */
	err = shype_kernel_mode(&permissive);
	if (err) {
		p_read_err(err, "mode");
		return EXIT_FAILURE;
	}
	if (set && !json_output)
		return EXIT_SUCCESS;
	new_json_obj(json_output, pretty_output);
	print_string(PRINT_ANY, "mode", "mode %s",
		     permissive ? "permissive" : "enforce");
	print_nl();
	delete_json_obj();
	return EXIT_SUCCESS;
}
