// SPDX-License-Identifier: GPL-2.0
/*
 * shypectl run --label LABEL [--cgroup CGROUP] -- COMMAND [ARG]...: start
 * any VMM in a labelled cgroup.  shypectl moves itself into the cgroup
 * (made and labelled when needed) and execs COMMAND, so every VM COMMAND
 * creates carries LABEL.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "main.h"

/* Called with argc 0 for a usage error. */
static int run_help(int argc, char **argv)
{
	FILE *f = argc ? stdout : stderr;

	(void)argv;
	fprintf(f,
		"Usage: %1$s run --label LABEL [--cgroup CGROUP] -- COMMAND [ARG]...\n"
		"       %1$s run help\n"
		"\n"
		"       CGROUP := { /PATH | /sys/fs/cgroup/PATH }  (default: /shype.slice/LABEL)\n",
		bin_name);
	return argc ? EXIT_SUCCESS : EXIT_USAGE;
}

/*
 * Make sure cgroup @path has @label as its own label: label it if it has
 * none, refuse if it has another (other processes may run there).
 */
static int ensure_label(const char *path, const char *label)
{
	char own[SHYPE_NAME_MAX + 1], from[PATH_MAX];
	int err;

	if (!cgroup_exists(path))
		return label_cgroup(path, label);
	err = shype_kernel_label_get(path, own, from, sizeof(from));
	if (err) {
		p_read_err(err, "cgroups");
		return EXIT_FAILURE;
	}
	if (!own[0] || strcmp(from, path))
		return label_cgroup(path, label);
	if (strcmp(own, label)) {
		p_err("cgroup '%s' is labelled '%s', not '%s'", path, own,
		      label);
		return EXIT_FAILURE;
	}
	return EXIT_SUCCESS;
}

int do_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "label", required_argument, NULL, 'l' },
		{ "cgroup", required_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'j' },
		{ "pretty", no_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *label = NULL, *cgroup = NULL;
	char path[PATH_MAX], dflt[PATH_MAX];
	int c, err;

	if (help_asked(argc, argv, run_help))
		return run_help(argc, argv);

	/* Options end at COMMAND: "+", so COMMAND's own options are its. */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:jph", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			return run_help(1, argv);
		case 'l':
			label = optarg;
			break;
		case 'c':
			cgroup = optarg;
			break;
		case 'p':
			pretty_output = true;
			/* fall through */
		case 'j':
			json_output = true;
			break;
		case ':':
			return usage_err("option '%s' needs an argument",
					 argv[optind - 1]);
		default:
			if (optopt)
				return usage_err("unknown option '-%c'",
						 optopt);
			return usage_err("unknown option '%s'",
					 argv[optind - 1]);
		}
	}
	if (!label)
		return usage_err("'run' needs --label LABEL; see '%s run help'",
				 bin_name);
	if (optind == argc)
		return usage_err("'run' needs -- COMMAND; see '%s run help'",
				 bin_name);

	if (!shype_name_valid(label, strlen(label))) {
		p_err("'%s' is not a label name", label);
		return EXIT_FAILURE;
	}
	if (!shype_kernel_loaded()) {
		p_kernel_err(-ENOENT, "cannot label");
		return EXIT_FAILURE;
	}
	snprintf(dflt, sizeof(dflt), "/shype.slice/%s", label);
	if (cgroup_arg(cgroup ? cgroup : dflt, path) ||
	    ensure_label(path, label))
		return EXIT_FAILURE;
	err = shype_cgroup_enter(path);
	if (err) {
		p_err("cannot move into cgroup '%s': %s", path, strerror(-err));
		return EXIT_FAILURE;
	}

	execvp(argv[optind], argv + optind);
	err = errno;
	p_err("cannot run '%s': %s", argv[optind], strerror(err));
	return err == ENOENT ? 127 : 126;
}
