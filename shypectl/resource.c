// SPDX-License-Identifier: GPL-2.0
/*
 * shypectl resource { label | unlabel | get | list }: resource labels
 * given at run time.  A shared-memory file's label is the kernel's (its
 * resources file): it follows the file (its inode) and takes precedence
 * over a policy's "shm:PATH" resource.  A file named "file:PATH" (a disk
 * image, NVRAM, any file a VMM opens) carries its label itself, in its
 * security.shype attribute, across renames, links and reboots; a
 * policy's "file:PATH" rule wins over it, and is written to it at load.
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
		"Usage: %1$s resource label RESOURCE LABEL [force] [--policy POLICY]\n"
		"       %1$s resource unlabel RESOURCE\n"
		"       %1$s resource get RESOURCE [--policy POLICY]\n"
		"       %1$s resource list [--policy POLICY]\n"
		"       %1$s resource help\n"
		"\n"
		"       RESOURCE := { SHM | file:PATH }\n"
		"       SHM := a shared-memory file: /dev/shm, tmpfs, hugetlbfs\n"
		"       PATH := a regular file: a disk image, NVRAM, ...\n"
		"       POLICY := { JSON source | binary blob } (default: the active policy)\n"
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

/**
 * struct res_args - the command line of a resource command
 * @policy: --policy FILE
 * @force: the word "force" after the arguments
 * @file: the first argument names a file: resource (after "file:")
 * @args: the positional arguments
 */
struct res_args {
	const char *policy;
	bool force;
	const char *file;
	char **args;
};

/*
 * --policy, exactly @n arguments and, if @force, an optional "force";
 * --policy and force go with a file: resource (or none) only.  Returns
 * -1 to go on, or the exit status.
 */
static int res_args(int argc, char **argv, int n, bool force, const char *what,
		    struct res_args *a)
{
	static const struct option opts[] = {
		{ "policy", required_argument, NULL, 'P' },
		{ 0 },
	};
	int c, nargs;

	memset(a, 0, sizeof(*a));
	while ((c = cmd_getopt(argc, argv, "", opts)) != -1) {
		if (c != 'P')
			return EXIT_USAGE;
		a->policy = optarg;
	}
	nargs = argc - optind;
	a->args = argv + optind;
	if (force && nargs == n + 1 && !strcmp(a->args[n], "force")) {
		a->force = true;
		nargs--;
	}
	if (nargs != n)
		return usage_err("'resource %s' %s; see '%s resource help'",
				 argv[0], what, bin_name);
	if (n && !strncmp(a->args[0], "file:", 5))
		a->file = a->args[0] + 5;
	if (n && !a->file && (a->policy || a->force))
		return usage_err(
			"'resource %s' takes %s for file: resources only",
			argv[0], a->force ? "force" : "--policy");
	return -1;
}

/*
 * The policy a file's label is checked against: --policy FILE, else the
 * active one.  Returns EXIT_SUCCESS, EXIT_FAILURE after saying why, or -1
 * when neither is there.
 */
static int res_policy(const struct res_args *a, struct policy_file *pf)
{
	if (a->policy)
		return policy_file_load(a->policy, pf);
	return active_policy(pf);
}

/* The absolute path of file: resource @arg, into @path. */
static int res_file(const char *arg, char path[PATH_MAX])
{
	char why[PATH_MAX + 128];

	if (!*arg) {
		p_err("'file:' names no file: file:PATH");
		return EXIT_FAILURE;
	}
	if (!realpath(arg, path)) {
		p_err("%s", file_label_strerror(-errno, arg, why, sizeof(why)));
		return EXIT_FAILURE;
	}
	return EXIT_SUCCESS;
}

/* Is @label a label of the policy @a names?  Says why not. */
static int res_check_label(const struct res_args *a, const char *label)
{
	struct policy_file pf;
	const char *near;
	int ret;

	ret = res_policy(a, &pf);
	if (ret < 0) {
		p_err("no policy to check label '%s' against (%s): give --policy POLICY, or force",
		      label, no_active_policy());
		return EXIT_FAILURE;
	}
	if (ret)
		return ret;
	if (shype_label_find(&pf.pol, label, strlen(label)) ==
	    SHYPE_NOT_FOUND) {
		near = nearest_label(&pf.pol, label);
		if (near)
			p_err("policy '%s' has no label '%s'; did you mean '%s'?",
			      pf.pol.name, label, near);
		else
			p_err("policy '%s' has no label '%s' (force gives it all the same)",
			      pf.pol.name, label);
		ret = EXIT_FAILURE;
	}
	policy_file_free(&pf);
	return ret;
}

/* A note when the policy's file: rule for @path says otherwise. */
static void res_note_rule(const struct res_args *a, const char *path,
			  const char *label)
{
	struct shype_status st;
	struct policy_file pf;
	u32 r, l;

	/* Quiet: the label is given; a policy that cannot be read is no error. */
	if (json_output ||
	    (!a->policy && (shype_kernel_status(&st) || !st.policy[0])) ||
	    res_policy(a, &pf))
		return;
	r = shype_resource_find(&pf.pol, SHYPE_RES_FILE, path);
	l = shype_resource_label_of(&pf.pol, r, NULL);
	if (r != SHYPE_NOT_FOUND && l < pf.pol.labels &&
	    (!label || strcmp(pf.pol.label[l].name, label)))
		fprintf(stderr,
			"note: policy '%s' labels file:%s '%s', which wins over its attribute and is written to it at each load\n",
			pf.pol.name, path, pf.pol.label[l].name);
	policy_file_free(&pf);
}

static int file_label(const struct res_args *a, const char *label)
{
	char path[PATH_MAX], res[PATH_MAX + 8], why[PATH_MAX + 128];
	int err;

	if (!shype_name_valid(label, strlen(label))) {
		p_err("'%s' is not a label name", label);
		return EXIT_FAILURE;
	}
	if (res_file(a->file, path))
		return EXIT_FAILURE;
	if (!a->force && res_check_label(a, label))
		return EXIT_FAILURE;
	err = shype_file_xattr_set(path, label);
	if (err) {
		p_err("cannot label file:%s: %s", path,
		      file_label_strerror(err, path, why, sizeof(why)));
		return EXIT_FAILURE;
	}
	snprintf(res, sizeof(res), "file:%s", path);
	print_label_set("resource", res, label);
	res_note_rule(a, path, label);
	return EXIT_SUCCESS;
}

static int resource_label(int argc, char **argv)
{
	char path[PATH_MAX], res[PATH_MAX + 4];
	struct res_args a;
	const char *label;
	int ret, err;

	ret = res_args(argc, argv, 2, true, "needs RESOURCE LABEL", &a);
	if (ret >= 0)
		return ret;
	label = a.args[1];
	if (a.file)
		return file_label(&a, label);
	if (!shype_name_valid(label, strlen(label))) {
		p_err("'%s' is not a label name", label);
		return EXIT_FAILURE;
	}
	if (file_arg(a.args[0], path))
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

static int file_unlabel(const struct res_args *a)
{
	char path[PATH_MAX], res[PATH_MAX + 8], why[PATH_MAX + 128];
	int err;

	if (res_file(a->file, path))
		return EXIT_FAILURE;
	err = shype_file_xattr_clear(path);
	if (err == -ENODATA)
		p_err("file:%s has no label", path);
	else if (err)
		p_err("cannot unlabel file:%s: %s", path,
		      file_label_strerror(err, path, why, sizeof(why)));
	if (err)
		return EXIT_FAILURE;
	snprintf(res, sizeof(res), "file:%s", path);
	print_label_set("resource", res, NULL);
	res_note_rule(a, path, NULL);
	return EXIT_SUCCESS;
}

static int resource_unlabel(int argc, char **argv)
{
	char path[PATH_MAX], res[PATH_MAX + 4];
	struct res_args a;
	int ret, err;

	ret = res_args(argc, argv, 1, false, "needs one RESOURCE", &a);
	if (ret >= 0)
		return ret;
	if (a.file)
		return file_unlabel(&a);
	if (file_arg(a.args[0], path))
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

/*
 * A file's label: the policy's rule, else its attribute.  Without a
 * policy (none loaded, no --policy), its attribute.
 */
static int file_get(const struct res_args *a)
{
	char path[PATH_MAX], res[PATH_MAX + 8], why[PATH_MAX + 128];
	struct shype_file_label fl = { .label = SHYPE_NOT_FOUND };
	struct policy_file pf;
	const char *label = NULL;
	bool policy;
	int ret, err;

	if (res_file(a->file, path))
		return EXIT_FAILURE;
	ret = res_policy(a, &pf);
	if (ret > 0)
		return ret;
	policy = ret == 0;
	if (policy) {
		err = shype_file_label(&pf.pol, path, &fl);
	} else {
		err = shype_file_xattr_get(path, fl.xattr);
		if (err == -ENOTSUP)
			err = 0;
		fl.from = fl.xattr[0] ? SHYPE_FILE_FROM_XATTR :
					SHYPE_FILE_FROM_NONE;
	}
	if (err) {
		p_err("cannot read the label of file:%s: %s", path,
		      file_label_strerror(err, path, why, sizeof(why)));
		if (policy)
			policy_file_free(&pf);
		return EXIT_FAILURE;
	}
	if (fl.from == SHYPE_FILE_FROM_POLICY)
		label = pf.pol.label[fl.label].name;
	else if (fl.from == SHYPE_FILE_FROM_XATTR)
		label = fl.xattr[0] ? fl.xattr : "?";

	new_json_obj(json_output, pretty_output);
	snprintf(res, sizeof(res), "file:%s", path);
	print_string(PRINT_ANY, "resource", "resource %s", res);
	if (label)
		print_string(PRINT_ANY, "label", "  label %s", label);
	else
		print_null(PRINT_ANY, "label", "  label %s", "-");
	print_string(PRINT_ANY, "from", "  from %s",
		     shype_file_from_name(fl.from));
	if (fl.xattr[0])
		print_string(PRINT_ANY, "xattr", "  xattr %s", fl.xattr);
	else
		print_null(PRINT_ANY, "xattr", "  xattr %s", "-");
	if (policy)
		print_bool(PRINT_JSON, "known", NULL, fl.label < pf.pol.labels);
	print_nl();
	delete_json_obj();
	if (policy && fl.label == SHYPE_LABEL_MISSING && !json_output)
		fprintf(stderr,
			"note: policy '%s' has no label '%s': no labelled VMM may open the file\n",
			pf.pol.name, label);
	if (policy)
		policy_file_free(&pf);
	return EXIT_SUCCESS;
}

/* A shared-memory file's label: given at run time, else the policy's. */
static int shm_get(const struct res_args *a)
{
	struct shype_resource_entry *v;
	char path[PATH_MAX], res[PATH_MAX + 4];
	const char *label = NULL, *from = "none";
	struct policy_file pf;
	size_t n, i;
	int ret;
	u32 l;

	if (file_arg(a->args[0], path))
		return EXIT_FAILURE;
	ret = shype_kernel_resources(&v, &n);
	if (ret) {
		p_read_err(ret, "resources");
		return EXIT_FAILURE;
	}
	ret = active_policy(&pf);
	if (ret > 0) {
		shype_resource_entries_free(v, n);
		return ret;
	}
	for (i = 0; i < n && !label; i++) {
		if (!strcmp(v[i].path, path)) {
			label = v[i].label;
			from = "runtime";
		}
	}
	if (!label && !ret) {
		l = shype_resource_label(&pf.pol, SHYPE_RES_SHM, path, NULL);
		if (l < pf.pol.labels) {
			label = pf.pol.label[l].name;
			from = "policy";
		}
	}
	new_json_obj(json_output, pretty_output);
	print_string(PRINT_ANY, "resource", "resource %s",
		     resource_name(res, path));
	if (label)
		print_string(PRINT_ANY, "label", "  label %s", label);
	else
		print_null(PRINT_ANY, "label", "  label %s", "-");
	print_string(PRINT_ANY, "from", "  from %s", from);
	print_nl();
	delete_json_obj();
	if (!ret)
		policy_file_free(&pf);
	shype_resource_entries_free(v, n);
	return EXIT_SUCCESS;
}

static int resource_get(int argc, char **argv)
{
	struct res_args a;
	int ret;

	ret = res_args(argc, argv, 1, false, "needs one RESOURCE", &a);
	if (ret >= 0)
		return ret;
	return a.file ? file_get(&a) : shm_get(&a);
}

/* How file @path's attribute stands to its rule's label @label. */
static const char *file_state(const char *path, const char *label,
			      char xattr[SHYPE_NAME_MAX + 1])
{
	int err = shype_file_xattr_get(path, xattr);

	if (err == -ENOENT)
		return "missing";
	if (err == -ENOTSUP)
		return "unsupported";
	if (err)
		return "unreadable";
	if (!xattr[0])
		return "unlabelled";
	return strcmp(xattr, label) ? "differs" : "labelled";
}

static int resource_list(int argc, char **argv)
{
	struct shype_resource_entry *v;
	char res[PATH_MAX + 8], xattr[SHYPE_NAME_MAX + 1];
	struct policy_file pf;
	struct res_args a;
	const char *state;
	size_t n, i;
	int ret, pol;
	u32 r, l;

	ret = res_args(argc, argv, 0, false, "takes no argument", &a);
	if (ret >= 0)
		return ret;
	ret = shype_kernel_resources(&v, &n);
	if (ret) {
		p_read_err(ret, "resources");
		return EXIT_FAILURE;
	}
	pol = res_policy(&a, &pf);
	if (pol > 0) {
		shype_resource_entries_free(v, n);
		return pol;
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
	/* The policy's file: rules, and what each file carries now. */
	for (r = 0; !pol && r < pf.pol.resources; r++) {
		if (le32_to_cpu(pf.pol.resource[r].kind) != SHYPE_RES_FILE)
			continue;
		l = shype_resource_label_of(&pf.pol, r, NULL);
		if (l >= pf.pol.labels)
			continue;
		snprintf(res, sizeof(res), "file:%s", pf.pol.resource[r].name);
		state = file_state(pf.pol.resource[r].name,
				   pf.pol.label[l].name, xattr);
		open_json_object(NULL);
		print_string(PRINT_ANY, "resource", "resource %s", res);
		print_string(PRINT_ANY, "label", "  label %s",
			     pf.pol.label[l].name);
		if (xattr[0])
			print_string(PRINT_ANY, "xattr", "  xattr %s", xattr);
		else
			print_null(PRINT_ANY, "xattr", "  xattr %s", "-");
		print_string(PRINT_ANY, "state", "  %s", state);
		close_json_object();
		print_nl();
	}
	close_json_array(PRINT_JSON, NULL);
	delete_json_obj();
	if (!pol)
		policy_file_free(&pf);
	shype_resource_entries_free(v, n);
	return EXIT_SUCCESS;
}

int do_resource(int argc, char **argv)
{
	static const struct cmd cmds[] = {
		{ "label", resource_label }, { "unlabel", resource_unlabel },
		{ "get", resource_get },     { "list", resource_list },
		{ "help", resource_help },   { 0 },
	};

	return cmd_select(cmds, argc - 1, argv + 1, resource_help);
}
