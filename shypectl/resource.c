// SPDX-License-Identifier: GPL-2.0
/*
 * shypectl resource { label | unlabel | list }: resource labels given at
 * run time to shared-memory files.  The label follows the file (its
 * inode) and takes precedence over a policy's "shm:PATH" resource.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "main.h"

static int resource_help(int argc, char **argv)
{
	FILE *f = argc ? stdout : stderr;

	(void)argv;
	fprintf(f,
		"Usage: %1$s resource label FILE LABEL\n"
		"       %1$s resource unlabel FILE\n"
		"       %1$s resource list\n"
		"       %1$s resource help\n"
		"\n"
		"       FILE := a shared-memory file: /dev/shm, tmpfs, hugetlbfs\n"
		"       OPTIONS := { {-j|--json} [{-p|--pretty}] }\n",
		bin_name);
	return argc ? EXIT_SUCCESS : EXIT_USAGE;
}

/* @arg made absolute into @path; on failure print why. */
static int file_arg(const char *arg, char path[PATH_MAX])
{
	const char *p;

	if (!realpath(arg, path)) {
		p_err("'%s': %s", arg, strerror(errno));
		return EXIT_FAILURE;
	}
	for (p = path; *p; p++) {
		if ((unsigned char)*p <= ' ' || *p == 0x7f) {
			p_err("'%s': spaces and control characters are not allowed",
			      path);
			return EXIT_FAILURE;
		}
	}
	return EXIT_SUCCESS;
}

/* "shm:@path", as a policy names the resource, into @res */
static const char *resource_name(char res[PATH_MAX + 4], const char *path)
{
	snprintf(res, PATH_MAX + 4, "shm:%s", path);
	return res;
}

static int resource_label(int argc, char **argv)
{
	char path[PATH_MAX], res[PATH_MAX + 4];
	const char *label;
	int ret, err;

	ret = exact_args(argc, argv, "resource", "label", 2,
			 "needs FILE LABEL");
	if (ret >= 0)
		return ret;
	label = argv[optind + 1];
	if (!shype_name_valid(label, strlen(label))) {
		p_err("'%s' is not a label name", label);
		return EXIT_FAILURE;
	}
	if (file_arg(argv[optind], path))
		return EXIT_FAILURE;
	err = shype_kernel_resource_set(path, label);
	if (err == -ESRCH)
		p_err("the active policy has no label '%s'", label);
	else if (err == -EACCES)
		p_err("'%s' is behind a memslot of a VM that may not use label '%s' (see '%s audit')",
		      path, label, bin_name);
	else if (err)
		p_kernel_err(err, "cannot label '%s'", path);
	if (err)
		return EXIT_FAILURE;
	print_label_set("resource", resource_name(res, path), label);
	return state_note("file", path, label);
}

static int resource_unlabel(int argc, char **argv)
{
	char path[PATH_MAX], res[PATH_MAX + 4];
	int ret, err;

	ret = exact_args(argc, argv, "resource", "unlabel", 1,
			 "needs one FILE");
	if (ret >= 0)
		return ret;
	if (file_arg(argv[optind], path))
		return EXIT_FAILURE;
	err = shype_kernel_resource_clear(path);
	if (err == -ENOENT && shype_kernel_loaded())
		p_err("'%s' has no label given at run time", path);
	else if (err == -EACCES)
		p_err("'%s' is behind a memslot of a VM that may not use it without its label (see '%s audit')",
		      path, bin_name);
	else if (err)
		p_kernel_err(err, "cannot unlabel '%s'", path);
	if (err)
		return EXIT_FAILURE;
	print_label_set("resource", resource_name(res, path), NULL);
	return state_note("file", path, NULL);
}

static int resource_list(int argc, char **argv)
{
	struct shype_resource_entry *v;
	char res[PATH_MAX + 4];
	size_t n, i;
	int ret;

	ret = exact_args(argc, argv, "resource", "list", 0,
			 "takes no argument");
	if (ret >= 0)
		return ret;
	ret = shype_kernel_resources(&v, &n);
	if (ret) {
		p_read_err(ret, "resources");
		return EXIT_FAILURE;
	}
	new_json_obj(json_output, pretty_output);
	open_json_array(PRINT_JSON, "resources");
	for (i = 0; i < n; i++) {
		open_json_object(NULL);
		print_string(PRINT_ANY, "resource", "resource %s",
			     resource_name(res, v[i].path));
		print_u64(PRINT_ANY, "inode", "  inode %llu", v[i].inode);
		print_string(PRINT_ANY, "label", "  label %s", v[i].label);
		close_json_object();
		print_nl();
	}
	close_json_array(PRINT_JSON, NULL);
	delete_json_obj();
	shype_resource_entries_free(v, n);
	return EXIT_SUCCESS;
}

int do_resource(int argc, char **argv)
{
	static const struct cmd cmds[] = {
		{ "label", resource_label },
		{ "unlabel", resource_unlabel },
		{ "list", resource_list },
		{ "help", resource_help },
		{ 0 },
	};

	return cmd_select(cmds, argc - 1, argv + 1, resource_help);
}
