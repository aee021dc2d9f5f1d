// SPDX-License-Identifier: GPL-2.0
/*
 * shypectl load FILE [force]: compile or validate a policy and make it the
 * kernel's active policy.  A refusal is explained with the errno's meaning
 * and the kernel's own reasons; the active policy loaded again is no
 * error, and is said to be active.  Once the kernel has taken the policy,
 * the label of each of its file: rules is written to the file.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "main.h"
#include "analyze.h"

#define REASONS_MAX 8192

/* Called with argc 0 for a missing argument: then a usage error. */
static int load_help(int argc, char **argv)
{
	FILE *f = argc ? stdout : stderr;

	(void)argv;
	fprintf(f,
		"Usage: %1$s load FILE [force] [--dry-run]\n"
		"       %1$s load help\n"
		"\n"
		"       FILE := { JSON source | binary blob }\n"
		"       OPTIONS := { {-j|--json} [{-p|--pretty}] }\n",
		bin_name);
	return argc ? EXIT_SUCCESS : EXIT_USAGE;
}

const char *policy_load_strerror(int err, const char *reasons)
{
	/* EBUSY with reasons comes from the load, not from opening the file. */
	if (err == -EBUSY && reasons[0])
		return "VMs created before shype.ko was loaded are running; stop them, or load the policy in permissive mode ('shypectl mode permissive'):";
	return shype_kernel_strerror(err);
}

/* The kernel's reasons: stderr, indented; JSON, an array of lines. */
static void print_reasons(char *reasons)
{
	char *line, *save;

	open_json_array(PRINT_JSON, "reasons");
	for (line = strtok_r(reasons, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		fprintf(stderr, "  %s\n", line);
		print_string(PRINT_JSON, NULL, NULL, line);
	}
	close_json_array(PRINT_JSON, NULL);
}

/* JSON: the file: rules written, each with its result. */
static void print_files(const struct shype_file_result *v, size_t n)
{
	char res[PATH_MAX + 8], why[PATH_MAX + 128];
	size_t i;

	open_json_array(PRINT_JSON, "files");
	for (i = 0; i < n; i++) {
		open_json_object(NULL);
		snprintf(res, sizeof(res), "file:%s", v[i].path);
		print_string(PRINT_JSON, "resource", NULL, res);
		print_string(PRINT_JSON, "label", NULL, v[i].label);
		print_string(PRINT_JSON, "result", NULL,
			     !v[i].err		 ? "labelled" :
			     v[i].err == -ENOENT ? "missing" :
						   "failed");
		if (v[i].err && v[i].err != -ENOENT)
			print_string(PRINT_JSON, "error", NULL,
				     file_label_strerror(v[i].err, v[i].path,
							 why, sizeof(why)));
		close_json_object();
	}
	close_json_array(PRINT_JSON, NULL);
}

int do_load(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dry-run", no_argument, NULL, 'n' },
		{ 0 },
	};
	static char reasons[REASONS_MAX];
	char hex[2 * SHYPE_DIGEST_SIZE + 1], version[24];
	const char *name;
	struct shype_file_result *files = NULL;
	size_t n_files = 0, failed = 0;
	struct policy_file pf;
	bool force = false, unchanged, dry_run = false;
	int c, err, nargs;

	if (help_asked(argc, argv, load_help))
		return load_help(argc, argv);
	while ((c = cmd_getopt(argc, argv, "", opts)) != -1) {
		if (c != 'n')
			return EXIT_USAGE;
		dry_run = true;
	}
	nargs = argc - optind;
	if (nargs < 1)
		return load_help(0, argv);
	if (nargs > 2 || (nargs == 2 && strcmp(argv[optind + 1], "force")))
		return usage_err(
			"'load' takes FILE [force] [--dry-run]; see '%s load help'",
			bin_name);
	force = nargs == 2;

	if (policy_file_load(argv[optind], &pf))
		return EXIT_FAILURE;
	if (dry_run) {
		err = load_dry_run(&pf, force);
		policy_file_free(&pf);
		return err;
	}
	err = shype_kernel_load(pf.blob, pf.len, force ? SHYPE_LOAD_FORCE : 0,
				reasons, sizeof(reasons));
	unchanged = err > 0;
	if (unchanged)
		err = 0;
	if (err == -ENOENT && !shype_kernel_loaded())
		p_kernel_err(err, "policy refused");
	else if (err)
		p_err("policy refused: %s", policy_load_strerror(err, reasons));
	/* Only a policy the kernel took labels files: a refusal changes nothing. */
	if (!err)
		failed = policy_label_files(&pf.pol, &files, &n_files);
	if (failed)
		p_err("policy %s is loaded, but %zu of its file labels could not be written",
		      pf.pol.name, failed);

	/*
	 * Text: nothing when loaded, a note when it was already active;
	 * JSON: what was (or was not) loaded.
	 */
	new_json_obj(json_output, pretty_output);
	policy_digest_hex(&pf, hex);
	snprintf(version, sizeof(version), "%u.%u", pf.pol.version_major,
		 pf.pol.version_minor);
	print_string(PRINT_JSON, "file", NULL, argv[optind]);
	print_string(PRINT_JSON, "policy", NULL, pf.pol.name);
	print_string(PRINT_JSON, "version", NULL, version);
	print_string(PRINT_JSON, "digest", NULL, hex);
	print_bool(PRINT_JSON, "force", NULL, force);
	print_bool(PRINT_JSON, "loaded", NULL, !err);
	print_bool(PRINT_JSON, "unchanged", NULL, unchanged);
	if (!err)
		print_files(files, n_files);
	if (unchanged) {
		print_string(PRINT_FP, NULL, "policy %s", pf.pol.name);
		print_string(PRINT_FP, NULL, " version %s is already active",
			     version);
		print_nl();
	}
	if (err) {
		name = strerrorname_np(-err);
		print_string(PRINT_JSON, "errno", NULL, name ? name : "?");
		print_string(PRINT_JSON, "error", NULL,
			     policy_load_strerror(err, reasons));
		print_reasons(reasons);
	}
	delete_json_obj();
	free(files);
	policy_file_free(&pf);
	return err || failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
