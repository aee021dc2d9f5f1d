// SPDX-License-Identifier: GPL-2.0
/*
 * shypectl vm { list | show }: the running VMs as shype.ko sees them.
 */
#include <stdio.h>
#include <stdlib.h>

#include "main.h"

/* Called with argc 0 for a missing command: then a usage error. */
static int vm_help(int argc, char **argv)
{
	FILE *f = argc ? stdout : stderr;

	(void)argv;
	fprintf(f,
		"Usage: %1$s vm { list | show }\n"
		"       %1$s vm help\n"
		"\n"
		"       OPTIONS := { {-j|--json} [{-p|--pretty}] }\n",
		bin_name);
	return argc ? EXIT_SUCCESS : EXIT_USAGE;
}

static int vm_list(int argc, char **argv)
{
	struct shype_vm_info *v;
	size_t n, i;
	int ret;

	if (cmd_getopt(argc, argv, "", NULL) != -1)
		return EXIT_USAGE;
	if (optind < argc)
		return usage_err(
			"'vm list' takes no argument; see '%s vm help'",
			bin_name);
	ret = shype_kernel_vms(&v, &n);
	if (ret) {
		p_read_err(ret, "vms");
		return EXIT_FAILURE;
	}

	new_json_obj(json_output, pretty_output);
	open_json_array(PRINT_JSON, "vms");
	for (i = 0; i < n; i++) {
		open_json_object(NULL);
		print_u64(PRINT_ANY, "vm", "vm %llu", v[i].id);
		print_uint(PRINT_ANY, "pid", "  pid %u", v[i].pid);
		if (v[i].label[0])
			print_string(PRINT_ANY, "label", "  label %s",
				     v[i].label);
		else
			print_null(PRINT_ANY, "label", "  label %s", "-");
		if (v[i].state[0])
			print_string(PRINT_ANY, "state", "  state %s",
				     v[i].state);
		close_json_object();
		print_nl();
	}
	close_json_array(PRINT_JSON, NULL);
	delete_json_obj();
	free(v);
	return EXIT_SUCCESS;
}

int do_vm(int argc, char **argv)
{
	static const struct cmd cmds[] = {
		{ "list", vm_list },
		{ "show", vm_list },
		{ "help", vm_help },
		{ 0 },
	};

	return cmd_select(cmds, argc - 1, argv + 1, vm_help);
}
