// SPDX-License-Identifier: GPL-2.0
/*
 * shypectl check { share | resource | create }: dry runs of the kernel's
 * decisions on a policy file.  Every decision is made by kmod/core's own
 * functions on the compiled, validated blob; this file only explains them.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "main.h"

/**
 * struct check_args - the command line of a check
 * @policy: --policy FILE
 * @running: the --running lists, in order
 * @n_running: how many
 * @args: the positional arguments
 */
struct check_args {
	const char *policy;
	char **running;
	int n_running;
	char **args;
};

/* Parse --policy, --running (if @running) and exactly @nargs arguments. */
static int parse_args(int argc, char **argv, int nargs, bool running,
		      struct check_args *a)
{
	static const struct option opts[] = {
		{ "policy", required_argument, NULL, 'P' },
		{ "running", required_argument, NULL, 'r' },
		{ 0 },
	};
	int c;

	memset(a, 0, sizeof(*a));
	a->running = calloc(argc, sizeof(*a->running));
	if (!a->running) {
		p_err("out of memory");
		return EXIT_FAILURE;
	}
	while ((c = cmd_getopt(argc, argv, "", opts)) != -1) {
		if (c == 'P') {
			a->policy = optarg;
		} else if (c == 'r' && running) {
			a->running[a->n_running++] = optarg;
		} else {
			if (c == 'r')
				p_err("'check %s' takes no --running", argv[0]);
			return EXIT_USAGE;
		}
	}
	if (argc - optind != nargs)
		return usage_err(
			"'check %s' needs %d argument%s; see '%s check help'",
			argv[0], nargs, nargs > 1 ? "s" : "", bin_name);
	a->args = argv + optind;
	return EXIT_SUCCESS;
}

/* The policy of 'check @cmd': --policy FILE, else the kernel's active one. */
static int check_policy(const struct check_args *a, const char *cmd,
			struct policy_file *pf)
{
	int ret;

	if (a->policy)
		return policy_file_load(a->policy, pf);
	ret = active_policy(pf);
	if (ret < 0)
		return usage_err("'check %s' needs --policy FILE: %s", cmd,
				 no_active_policy());
	return ret;
}

/* Why @name is not a VM label of @p, in @buf. */
static const char *not_vm_label(const struct shype_policy *p, const char *name,
				char *buf, size_t size)
{
	const char *near;

	if (shype_label_find(p, name, strlen(name)) != SHYPE_NOT_FOUND) {
		snprintf(buf, size, "'%s' is a resource label, not a VM label",
			 name);
		return buf;
	}
	near = nearest_vm_label(p, name);
	if (near)
		snprintf(buf, size, "unknown label '%s'; did you mean '%s'?",
			 name, near);
	else
		snprintf(buf, size, "unknown label '%s' in policy '%s'", name,
			 p->name);
	return buf;
}

/* The index of VM label @name, or SHYPE_NOT_FOUND after saying why. */
static u32 vm_label(const struct shype_policy *p, const char *name)
{
	char why[3 * SHYPE_NAME_MAX + 64];
	/* "" names no label here: an unlabelled VM is not a LABEL. */
	u32 l = name[0] ? shype_vm_label_index(p, name, strlen(name)) :
			  SHYPE_NOT_FOUND;

	if (l == SHYPE_NOT_FOUND)
		p_err("%s", not_vm_label(p, name, why, sizeof(why)));
	return l;
}

static const char *ste_name(const struct shype_policy *p, u32 t)
{
	return p->ste_names[t].s;
}

static const char *chwall_name(const struct shype_policy *p, u32 t)
{
	return p->chwall_names[t].s;
}

/*
 * Print the decision and its reason, and return the exit status.  Text
 * shows the reason of a denial, and of an allow only when @say_why.
 */
static int __attribute__((format(printf, 3, 4)))
decision(bool allow, bool say_why, const char *fmt, ...)
{
	char reason[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);

	new_json_obj(json_output, pretty_output);
	print_string(PRINT_ANY, "decision", "%s", allow ? "allow" : "deny");
	print_string(allow && !say_why ? PRINT_JSON : PRINT_ANY, "reason",
		     ": %s", reason);
	print_nl();
	delete_json_obj();
	return allow ? EXIT_SUCCESS : EXIT_DENIED;
}

static int check_share(int argc, char **argv)
{
	struct policy_file pf;
	struct shype_policy *p = &pf.pol;
	struct check_args a;
	u32 x, y, t;
	int ret;

	ret = parse_args(argc, argv, 2, false, &a);
	if (!ret)
		ret = check_policy(&a, argv[0], &pf);
	free(a.running);
	if (ret)
		return ret;

	ret = EXIT_FAILURE;
	x = vm_label(p, a.args[0]);
	y = x == SHYPE_NOT_FOUND ? x : vm_label(p, a.args[1]);
	if (y == SHYPE_NOT_FOUND)
		goto out;

	if (shype_ste_share(p, x, y)) {
		t = shype_ste_common(p, x, y);
		ret = decision(true, false,
			       "labels '%s' and '%s' share STE type '%s'",
			       a.args[0], a.args[1],
			       t == SHYPE_NOT_FOUND ? "?" : ste_name(p, t));
	} else {
		ret = decision(false, true,
			       "labels '%s' and '%s' share no STE type",
			       a.args[0], a.args[1]);
	}
out:
	policy_file_free(&pf);
	return ret;
}

static int check_resource(int argc, char **argv)
{
	struct policy_file pf;
	struct shype_policy *p = &pf.pol;
	struct check_args a;
	const char *name, *why, *res;
	unsigned int kind;
	u32 vm, rl, t;
	int ret;

	ret = parse_args(argc, argv, 2, false, &a);
	free(a.running);
	if (ret)
		return ret;
	res = a.args[1];
	if (shype_resource_parse(res, &kind, &name, &why)) {
		p_err("resource '%s': %s", res, why);
		return EXIT_FAILURE;
	}
	ret = check_policy(&a, argv[0], &pf);
	if (ret)
		return ret;

	ret = EXIT_FAILURE;
	vm = vm_label(p, a.args[0]);
	if (vm == SHYPE_NOT_FOUND)
		goto out;

	rl = shype_resource_label(p, kind, name, NULL);
	if (rl >= p->labels && kind == SHYPE_RES_FILE) {
		/* A file's own label is on the file: shypectl resource get. */
		ret = decision(
			true, true,
			"resource '%s' is not labelled in policy '%s': unless its security.shype labels it, any VMM may read it, and a write %s",
			res, p->name,
			p->unlabeled_files == SHYPE_FILES_ALLOW ?
				"is allowed" :
			p->unlabeled_files == SHYPE_FILES_DENY ?
				"is refused (\"unlabeled_files\": \"deny\")" :
				"labels it the writer's");
		goto out;
	}
	if (rl >= p->labels) {
		ret = decision(true, true,
			       "resource '%s' is not labelled in policy '%s'",
			       res, p->name);
		goto out;
	}
	if (shype_resource_ok(p, vm, rl)) {
		t = shype_ste_common(p, vm, rl);
		ret = decision(
			true, false,
			"label '%s' and resource '%s' (label '%s') share STE type '%s'",
			a.args[0], res, p->label[rl].name,
			t == SHYPE_NOT_FOUND ? "?" : ste_name(p, t));
	} else {
		ret = decision(
			false, true,
			"label '%s' and resource '%s' (label '%s') share no STE type",
			a.args[0], res, p->label[rl].name);
	}
out:
	policy_file_free(&pf);
	return ret;
}

/* Account the VMs of the --running lists as running, in order. */
static int add_running(const struct shype_policy *p, struct shype_chwall *st,
		       const struct check_args *a)
{
	char *list, *name, *save;
	u32 l, t, c;
	int i;

	for (i = 0; i < a->n_running; i++) {
		list = a->running[i];
		for (name = strtok_r(list, ",", &save); name;
		     name = strtok_r(NULL, ",", &save)) {
			l = vm_label(p, name);
			if (l == SHYPE_NOT_FOUND)
				return EXIT_FAILURE;
			t = shype_chwall_admit(p, st, l);
			if (t != SHYPE_NOT_FOUND) {
				c = shype_chwall_culprit(p, st, l, t);
				p_err("the running VMs break the Chinese Wall: type '%s' of running label '%s' conflicts with running type '%s'",
				      chwall_name(p, t), name,
				      c == SHYPE_NOT_FOUND ? "?" :
							     chwall_name(p, c));
				return EXIT_FAILURE;
			}
			shype_chwall_add(p, st, l);
		}
	}
	return EXIT_SUCCESS;
}

static bool has_chwall_type(const struct shype_policy *p, u32 l)
{
	const __le64 *row = shype_chwall_row(p, l);
	u32 w;

	for (w = 0; w < p->chwall_words; w++)
		if (row[w])
			return true;
	return false;
}

static int check_create(int argc, char **argv)
{
	char why[3 * SHYPE_NAME_MAX + 64];
	struct shype_create_verdict v;
	struct shype_chwall st;
	struct policy_file pf;
	struct shype_policy *p = &pf.pol;
	struct check_args a;
	const char *label;
	void *mem = NULL;
	int ret;

	ret = parse_args(argc, argv, 1, true, &a);
	if (ret)
		goto out_args;
	ret = check_policy(&a, argv[0], &pf);
	if (ret)
		goto out_args;

	ret = EXIT_FAILURE;
	label = a.args[0];
	if (!label[0]) {
		vm_label(p, label);
		goto out;
	}
	/* Never calloc(0): a policy may have no Chinese Wall type. */
	mem = calloc(1, shype_chwall_size(p) + 8);
	if (!mem) {
		p_err("out of memory");
		goto out;
	}
	shype_chwall_init(p, &st, mem);
	ret = add_running(p, &st, &a);
	if (ret)
		goto out;

	/* The kernel's decision: a label it lacks is denied, not an error. */
	shype_create_decide(p, &st, label, strlen(label), NULL, &v);
	switch (v.reason) {
	case SHYPE_CREATE_OK:
		if (has_chwall_type(p, v.label))
			ret = decision(
				true, false,
				"no type of label '%s' conflicts with a running type",
				label);
		else
			ret = decision(true, false,
				       "label '%s' has no Chinese Wall type",
				       label);
		break;
	case SHYPE_CREATE_UNKNOWN_LABEL:
		ret = decision(false, true, "%s",
			       not_vm_label(p, label, why, sizeof(why)));
		break;
	case SHYPE_CREATE_CHINESE_WALL:
		if (v.culprit == SHYPE_NOT_FOUND)
			ret = decision(
				false, true,
				"Chinese Wall: type '%s' of label '%s' conflicts with a running VM",
				chwall_name(p, v.type), label);
		else
			ret = decision(
				false, true,
				"Chinese Wall: type '%s' of label '%s' conflicts with running type '%s'",
				chwall_name(p, v.type), label,
				chwall_name(p, v.culprit));
		break;
	default:
		/* Not reached: a labelled VM, of no process yet. */
		ret = decision(false, true, "refused (%s)",
			       shype_create_reason_name(v.reason));
		break;
	}
out:
	free(mem);
	policy_file_free(&pf);
out_args:
	free(a.running);
	return ret;
}

/* Called with argc 0 for a missing command: then a usage error. */
static int check_help(int argc, char **argv)
{
	FILE *f = argc ? stdout : stderr;

	(void)argv;
	fprintf(f,
		"Usage: %1$s check share LABEL LABEL [--policy POLICY]\n"
		"       %1$s check resource LABEL RESOURCE [--policy POLICY]\n"
		"       %1$s check create LABEL [--running LABEL[,LABEL]...] [--policy POLICY]\n"
		"       %1$s check help\n"
		"\n"
		"       POLICY := { JSON source | binary blob } (default: the active policy)\n"
		"       RESOURCE := { shm:PATH | net:IFNAME | vsock:CID | file:PATH }\n"
		"       OPTIONS := { {-j|--json} [{-p|--pretty}] }\n"
		"\n"
		"Exit status: 0 allow, 3 deny, 1 error, 2 usage.\n",
		bin_name);
	return argc ? EXIT_SUCCESS : EXIT_USAGE;
}

int do_check(int argc, char **argv)
{
	static const struct cmd cmds[] = {
		{ "share", check_share },
		{ "resource", check_resource },
		{ "create", check_create },
		{ "help", check_help },
		{ 0 },
	};

	return cmd_select(cmds, argc - 1, argv + 1, check_help);
}
