// SPDX-License-Identifier: GPL-2.0
/*
 * shypectl stats: the decisions of each hook point.
 */
#include <stdio.h>
#include <stdlib.h>

#include "main.h"

/* Called with argc 0 for a usage error. */
static int stats_help(int argc, char **argv)
{
	FILE *f = argc ? stdout : stderr;

	(void)argv;
	fprintf(f,
		"Usage: %1$s stats\n"
		"       %1$s stats help\n"
		"\n"
		"       OPTIONS := { {-j|--json} [{-p|--pretty}] }\n",
		bin_name);
	return argc ? EXIT_SUCCESS : EXIT_USAGE;
}

int do_stats(int argc, char **argv)
{
	struct shype_op_stats *v;
	size_t n, i;
	int ret;

	ret = no_args(argc, argv, stats_help);
	if (ret >= 0)
		return ret;
	ret = shype_kernel_stats(&v, &n);
	if (ret) {
		p_read_err(ret, "stats");
		return EXIT_FAILURE;
	}

	new_json_obj(json_output, pretty_output);
	open_json_array(PRINT_JSON, "stats");
	for (i = 0; i < n; i++) {
		open_json_object(NULL);
		print_string(PRINT_ANY, "op", "op %s", v[i].op);
		print_u64(PRINT_ANY, "calls", "  calls %llu", v[i].calls);
		print_u64(PRINT_ANY, "allowed", "  allowed %llu", v[i].allowed);
		print_u64(PRINT_ANY, "denied", "  denied %llu", v[i].denied);
		close_json_object();
		print_nl();
	}
	close_json_array(PRINT_JSON, NULL);
	delete_json_obj();
	free(v);
	return EXIT_SUCCESS;
}
