// SPDX-License-Identifier: GPL-2.0
/*
 * shypectl binding { list | show }: the objects VMs are bound to, and the
 * VMs bound to each, as shype.ko sees them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "main.h"

/* Called with argc 0 for a missing command: then a usage error. */
static int binding_help(int argc, char **argv)
{
	FILE *f = argc ? stdout : stderr;

	(void)argv;
	fprintf(f,
		"Usage: %1$s binding { list | show }\n"
		"       %1$s binding help\n"
		"\n"
		"       OPTIONS := { {-j|--json} [{-p|--pretty}] }\n",
		bin_name);
	return argc ? EXIT_SUCCESS : EXIT_USAGE;
}

static int binding_list(int argc, char **argv)
{
	struct shype_binding_info *b;
	size_t n, i, j;
	int ret;

	if (cmd_getopt(argc, argv, "", NULL) != -1)
		return EXIT_USAGE;
	if (optind < argc)
		return usage_err(
			"'binding list' takes no argument; see '%s binding help'",
			bin_name);
	ret = shype_kernel_bindings(&b, &n);
	if (ret) {
		p_read_err(ret, "bindings");
		return EXIT_FAILURE;
	}

	new_json_obj(json_output, pretty_output);
	open_json_array(PRINT_JSON, "bindings");
	for (i = 0; i < n; i++) {
		open_json_object(NULL);
		print_u64(PRINT_ANY, "object", "object %llu", b[i].object);
		print_string(PRINT_ANY, "class", "  class %s", b[i].class);
		if (b[i].path && !strcmp(b[i].class, "shm"))
			print_string(PRINT_ANY, "path", "  path %s", b[i].path);
		else if (b[i].path)
			print_string(PRINT_ANY, "name", "  name %s", b[i].path);
		print_string(PRINT_FP, NULL, "  vms", NULL);
		open_json_array(PRINT_JSON, "vms");
		for (j = 0; j < b[i].n_vms; j++) {
			open_json_object(NULL);
			print_u64(PRINT_ANY, "vm", " %llu", b[i].vms[j].id);
			print_string(PRINT_ANY, "label", "(%s)",
				     b[i].vms[j].label);
			close_json_object();
		}
		close_json_array(PRINT_JSON, NULL);
		close_json_object();
		print_nl();
	}
	close_json_array(PRINT_JSON, NULL);
	delete_json_obj();
	shype_binding_infos_free(b, n);
	return EXIT_SUCCESS;
}

int do_binding(int argc, char **argv)
{
	static const struct cmd cmds[] = {
		{ "list", binding_list },
		{ "show", binding_list },
		{ "help", binding_help },
		{ 0 },
	};

	return cmd_select(cmds, argc - 1, argv + 1, binding_help);
}
