// SPDX-License-Identifier: GPL-2.0
/*
 * shypectl status: the kernel's active policy, mode and counts.
 */
#include <stdio.h>
#include <stdlib.h>

#include "main.h"

/* Called with argc 0 for a usage error. */
static int status_help(int argc, char **argv)
{
	FILE *f = argc ? stdout : stderr;

	(void)argv;
	fprintf(f,
		"Usage: %1$s status\n"
		"       %1$s status help\n"
		"\n"
		"       OPTIONS := { {-j|--json} [{-p|--pretty}] }\n",
		bin_name);
	return argc ? EXIT_SUCCESS : EXIT_USAGE;
}

/* A name, or "-" in text and null in JSON when it is empty. */
static void print_name(const char *key, const char *fmt, const char *s)
{
	if (*s)
		print_string(PRINT_ANY, key, fmt, s);
	else
		print_null(PRINT_ANY, key, fmt, "-");
}

int do_status(int argc, char **argv)
{
	struct shype_status st;
	char version[24] = "";
	int ret;

	ret = no_args(argc, argv, status_help);
	if (ret >= 0)
		return ret;
	ret = shype_kernel_status(&st);
	if (ret) {
		p_read_err(ret, "status");
		return EXIT_FAILURE;
	}

	if (st.policy[0])
		snprintf(version, sizeof(version), "%u.%u", st.version_major,
			 st.version_minor);
	new_json_obj(json_output, pretty_output);
	print_name("policy", "policy %s", st.policy);
	print_name("version", "  version %s", version);
	print_nl();
	print_name("digest", "digest %s", st.digest);
	print_nl();
	print_string(PRINT_ANY, "mode", "mode %s",
		     st.permissive ? "permissive" : "enforce");
	print_uint(PRINT_ANY, "vms", "  vms %u", st.vms);
	print_uint(PRINT_ANY, "hooks", "  hooks %u", st.hooks);
	print_nl();
	print_bool(PRINT_JSON, "require_policy", NULL, st.require_policy);
	print_string(PRINT_FP, NULL, "require_policy %s",
		     st.require_policy ? "yes" : "no");
	print_nl();
	delete_json_obj();
	return EXIT_SUCCESS;
}
