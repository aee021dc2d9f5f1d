// SPDX-License-Identifier: GPL-2.0
/*
 * shypectl label { set | unset | get | list }: the labels of cgroups.  A VM
 * gets the label of the cgroup its VMM runs in, or of the nearest labelled
 * ancestor, when it is created.  Labels set here are recorded in the state
 * file (state.c) and given again at boot.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "main.h"

/* Called with argc 0 for a missing command: then a usage error. */
static int label_help(int argc, char **argv)
{
	FILE *f = argc ? stdout : stderr;

	(void)argv;
	fprintf(f,
		"Usage: %1$s label set CGROUP LABEL\n"
		"       %1$s label unset CGROUP\n"
		"       %1$s label get CGROUP\n"
		"       %1$s label list\n"
		"       %1$s label help\n"
		"\n"
		"       CGROUP := { /PATH | /sys/fs/cgroup/PATH }\n"
		"       OPTIONS := { {-j|--json} [{-p|--pretty}] }\n",
		bin_name);
	return argc ? EXIT_SUCCESS : EXIT_USAGE;
}

static int label_set(int argc, char **argv)
{
	char path[PATH_MAX];
	int ret;

	ret = exact_args(argc, argv, "label", "set", 2, "needs CGROUP LABEL");
	if (ret >= 0)
		return ret;
	if (cgroup_arg(argv[optind], path) ||
	    label_cgroup(path, argv[optind + 1]))
		return EXIT_FAILURE;
	print_label_set("cgroup", path, argv[optind + 1]);
	return state_note("cgroup", path, argv[optind + 1]);
}

static int label_unset(int argc, char **argv)
{
	char path[PATH_MAX];
	int ret, err;

	ret = exact_args(argc, argv, "label", "unset", 1, "needs one CGROUP");
	if (ret >= 0)
		return ret;
	if (cgroup_arg(argv[optind], path))
		return EXIT_FAILURE;
	err = shype_kernel_label_clear(path);
	if (err == -ENOENT && shype_kernel_loaded())
		p_err(cgroup_exists(path) ?
			      "cgroup '%s' has no label of its own" :
			      "no cgroup '%s'",
		      path);
	else if (err)
		p_kernel_err(err, "cannot unlabel cgroup '%s'", path);
	if (err)
		return EXIT_FAILURE;
	print_label_set("cgroup", path, NULL);
	return state_note("cgroup", path, NULL);
}

static int label_get(int argc, char **argv)
{
	char path[PATH_MAX], from[PATH_MAX], label[SHYPE_NAME_MAX + 1];
	int ret, err;

	ret = exact_args(argc, argv, "label", "get", 1, "needs one CGROUP");
	if (ret >= 0)
		return ret;
	if (cgroup_arg(argv[optind], path))
		return EXIT_FAILURE;
	err = shype_kernel_label_get(path, label, from, sizeof(from));
	if (err == -ENOENT && shype_kernel_loaded())
		p_err("no cgroup '%s'", path);
	else if (err)
		p_read_err(err, "cgroups");
	if (err)
		return EXIT_FAILURE;

	new_json_obj(json_output, pretty_output);
	print_string(PRINT_ANY, "cgroup", "cgroup %s", path);
	if (label[0]) {
		print_string(PRINT_ANY, "label", "  label %s", label);
		print_string(PRINT_ANY, "from", "  from %s", from);
	} else {
		print_null(PRINT_ANY, "label", "  label %s", "-");
		print_null(PRINT_ANY, "from", "  from %s", "-");
	}
	print_nl();
	delete_json_obj();
	return EXIT_SUCCESS;
}

static int label_list(int argc, char **argv)
{
	struct shype_cgroup_entry *v;
	size_t n, i;
	int ret;

	ret = exact_args(argc, argv, "label", "list", 0, "takes no argument");
	if (ret >= 0)
		return ret;
	ret = shype_kernel_cgroups(&v, &n);
	if (ret) {
		p_read_err(ret, "cgroups");
		return EXIT_FAILURE;
	}

	new_json_obj(json_output, pretty_output);
	open_json_array(PRINT_JSON, "cgroups");
	for (i = 0; i < n; i++) {
		open_json_object(NULL);
		print_string(PRINT_ANY, "cgroup", "cgroup %s", v[i].path);
		print_u64(PRINT_ANY, "id", "  id %llu", v[i].id);
		print_string(PRINT_ANY, "label", "  label %s", v[i].label);
		close_json_object();
		print_nl();
	}
	close_json_array(PRINT_JSON, NULL);
	delete_json_obj();
	shype_cgroup_entries_free(v, n);
	return EXIT_SUCCESS;
}

int do_label(int argc, char **argv)
{
	static const struct cmd cmds[] = {
		{ "set", label_set },	{ "unset", label_unset },
		{ "get", label_get },	{ "list", label_list },
		{ "help", label_help }, { 0 },
	};

	return cmd_select(cmds, argc - 1, argv + 1, label_help);
}
