// SPDX-License-Identifier: GPL-2.0
/*
 * shypectl: what every object uses, as bpftool's common.c: the global
 * options, errors (text on stderr and, under -j, JSON on stdout), the
 * tables of commands and their help, policy files and the active policy,
 * and CGROUP arguments.  It calls no object: main.c calls the objects,
 * and they call this.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "main.h"

const char *bin_name = "shypectl";
bool json_output;
bool pretty_output;

/* The help of the command running, which --help prints (cmd_getopt()). */
static int (*cmd_help)(int argc, char **argv);
/* The names of the object and command running: "policy compile". */
static char cmd_path[64];

/*
 * Under -j, the errors since the last JSON document printed, one a line,
 * and how many documents had been printed when they began: cmd_exit()
 * prints them as one {"error": ...} unless a document has reported them
 * since (policy check's "valid": false, load's "loaded": false).
 */
static char *errors;
static unsigned int errors_docs;

/* Remember @msg for cmd_exit(). */
static void note_error(const char *msg)
{
	unsigned int docs = json_docs();
	char *s;

	if (errors && docs != errors_docs) {
		free(errors);
		errors = NULL;
	}
	errors_docs = docs;
	if (asprintf(&s, "%s%s%s", errors ? errors : "", errors ? "\n" : "",
		     msg) < 0)
		return;
	free(errors);
	errors = s;
}

static void __attribute__((format(printf, 1, 0)))
verr(const char *fmt, va_list ap)
{
	char *msg;

	if (vasprintf(&msg, fmt, ap) < 0) {
		fputs("Error: out of memory\n", stderr);
		note_error("out of memory");
		return;
	}
	fprintf(stderr, "Error: %s\n", msg);
	note_error(msg);
	free(msg);
}

void p_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verr(fmt, ap);
	va_end(ap);
}

int usage_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verr(fmt, ap);
	va_end(ap);
	return EXIT_USAGE;
}

int cmd_exit(int status)
{
	char msg[128];

	if (!json_output || status == EXIT_SUCCESS)
		return status;
	if (errors && json_docs() != errors_docs)
		return status;
	if (!errors && json_docs())
		return status;
	if (!errors)
		snprintf(msg, sizeof(msg),
			 "'%s %s' failed (exit status %d); see stderr",
			 bin_name, cmd_path, status);
	new_json_obj(true, pretty_output);
	print_string(PRINT_JSON, "error", NULL, errors ? errors : msg);
	delete_json_obj();
	free(errors);
	errors = NULL;
	return status;
}

void p_kernel_err(int err, const char *fmt, ...)
{
	va_list ap;
	char *what;

	if (err == -ENOENT && !shype_kernel_loaded()) {
		p_err("shype.ko is not loaded (no %s)", shype_securityfs_dir());
		return;
	}
	va_start(ap, fmt);
	if (vasprintf(&what, fmt, ap) < 0)
		what = NULL;
	va_end(ap);
	p_err("%s: %s", what ? what : "?", shype_kernel_strerror(err));
	free(what);
}

void p_read_err(int err, const char *file)
{
	const char *dir = shype_securityfs_dir();

	if (err == -ENOENT && !shype_kernel_loaded())
		p_err("shype.ko is not loaded (no %s)", dir);
	else if (err == -EBADMSG)
		p_err("%s/%s: a line not in the format of the uapi header (shypectl older than shype.ko?)",
		      dir, file);
	else if (err == -EPERM)
		p_err("cannot read %s/%s: readable by root only", dir, file);
	else
		p_err("cannot read %s/%s: %s", dir, file, strerror(-err));
}

/* One mistake of a policy file: on stderr as it is, and for -j. */
static void __attribute__((format(printf, 1, 2)))
policy_err(const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	if (!msg)
		return;
	fprintf(stderr, "%s\n", msg);
	note_error(msg);
	free(msg);
}

void print_shype_errors(const char *path, const struct shype_errors *e, int err)
{
	const struct shype_error *x;
	size_t i;

	if (!e || !e->n) {
		policy_err("%s: %s", path, strerror(-err));
		return;
	}
	for (i = 0; i < e->n; i++) {
		x = &e->v[i];
		if (!x->line)
			policy_err("%s: %s", x->file ? x->file : path, x->msg);
		else if (!x->col)
			policy_err("%s:%u: %s", x->file ? x->file : path,
				   x->line, x->msg);
		else
			policy_err("%s:%u:%u: %s", x->file ? x->file : path,
				   x->line, x->col, x->msg);
	}
}

/* Is @arg a way of asking for help? */
static bool is_help(const char *arg)
{
	return !strcmp(arg, "help") || !strcmp(arg, "--help") ||
	       !strcmp(arg, "-h");
}

bool help_asked(int argc, char **argv, int (*help)(int argc, char **argv))
{
	cmd_help = help;
	return argc > 1 && is_help(argv[1]);
}

int no_args(int argc, char **argv, int (*help)(int argc, char **argv))
{
	if (help_asked(argc, argv, help))
		return help(argc, argv);
	if (cmd_getopt(argc, argv, "", NULL) != -1)
		return EXIT_USAGE;
	if (optind < argc)
		return usage_err("'%s' takes no argument; see '%s %s help'",
				 argv[0], bin_name, argv[0]);
	return -1;
}

int exact_args(int argc, char **argv, const char *obj, const char *cmd, int n,
	       const char *what)
{
	if (cmd_getopt(argc, argv, "", NULL) != -1)
		return EXIT_USAGE;
	if (argc - optind != n)
		return usage_err("'%s %s' %s; see '%s %s help'", obj, cmd, what,
				 bin_name, obj);
	return -1;
}

void print_label_set(const char *key, const char *name, const char *label)
{
	if (!json_output)
		return;
	new_json_obj(true, pretty_output);
	print_string(PRINT_JSON, key, NULL, name);
	if (label)
		print_string(PRINT_JSON, "label", NULL, label);
	else
		print_null(PRINT_JSON, "label", NULL, NULL);
	delete_json_obj();
}

bool is_prefix(const char *pfx, const char *str)
{
	size_t n = strlen(pfx);

	return n && !strncmp(pfx, str, n);
}

/* "{ a | b | c }" for the names of @cmds that @word is a prefix of. */
static void choices(char *buf, size_t size, const struct cmd *cmds,
		    const char *word)
{
	const char *sep = "{ ";
	const struct cmd *c;
	size_t n = 0;

	for (c = cmds; c->name && n < size; c++) {
		if (word && !is_prefix(word, c->name))
			continue;
		n += snprintf(buf + n, size - n, "%s%s", sep, c->name);
		sep = " | ";
	}
	if (n < size)
		snprintf(buf + n, size - n, " }");
}

int cmd_select(const struct cmd *cmds, int argc, char **argv,
	       int (*help)(int argc, char **argv))
{
	const struct cmd *c, *found = NULL;
	struct shype_suggest sg;
	char list[512];
	size_t n;
	int matches = 0;

	cmd_help = help;
	if (argc < 1) {
		/* The usage goes to stderr as it is; -j says what is missing. */
		if (cmd_path[0])
			snprintf(list, sizeof(list),
				 "'%s' needs a COMMAND; see '%s %s help'",
				 cmd_path, bin_name, cmd_path);
		else
			snprintf(list, sizeof(list),
				 "an OBJECT is missing; see '%s help'",
				 bin_name);
		note_error(list);
		return help(0, NULL);
	}
	if (strcmp(argv[0], "help") && is_help(argv[0]))
		return help(argc, argv);

	for (c = cmds; c->name; c++) {
		if (!strcmp(argv[0], c->name)) {
			found = c;
			matches = 1;
			break;
		}
		if (is_prefix(argv[0], c->name)) {
			found = c;
			matches++;
		}
	}
	if (matches > 1) {
		choices(list, sizeof(list), cmds, argv[0]);
		return usage_err("'%s' is ambiguous: %s", argv[0], list);
	}
	if (!matches) {
		choices(list, sizeof(list), cmds, NULL);
		shype_suggest_init(&sg, argv[0], strlen(argv[0]));
		for (c = cmds; c->name; c++)
			shype_suggest_offer(&sg, c->name);
		if (sg.best)
			return usage_err(
				"'%s' is not one of %s; did you mean '%s'?",
				argv[0], list, sg.best);
		return usage_err("'%s' is not one of %s", argv[0], list);
	}

	n = strlen(cmd_path);
	snprintf(cmd_path + n, sizeof(cmd_path) - n, "%s%s", n ? " " : "",
		 found->name);
	/* Each command parses its own options from a fresh getopt state. */
	optind = 0;
	return found->func(argc, argv);
}

/* -j/-p anywhere before "--": the error of a mistaken option is JSON too. */
static void scan_json_options(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc && strcmp(argv[i], "--"); i++) {
		if (!strcmp(argv[i], "-p") || !strcmp(argv[i], "--pretty"))
			pretty_output = true;
		if (pretty_output || !strcmp(argv[i], "-j") ||
		    !strcmp(argv[i], "--json"))
			json_output = true;
	}
}

int cmd_getopt(int argc, char **argv, const char *shortopts,
	       const struct option *longopts)
{
	static const struct option common[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "pretty", no_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
	};
	struct option all[32] = { 0 };
	char opts[64];
	size_t n = 0;
	int c;

	while (longopts && longopts[n].name && n < 32 - 4) {
		all[n] = longopts[n];
		n++;
	}
	all[n++] = common[0];
	all[n++] = common[1];
	all[n++] = common[2];
	snprintf(opts, sizeof(opts), ":jph%s", shortopts ? shortopts : "");

	opterr = 0;
	for (;;) {
		c = getopt_long(argc, argv, opts, all, NULL);
		switch (c) {
		case 'p':
			pretty_output = true;
			/* fall through */
		case 'j':
			json_output = true;
			continue;
		case 'h':
			/* Help asked anywhere: the command's help, and done. */
			fflush(stdout);
			exit(cmd_help ? cmd_help(1, argv) : EXIT_USAGE);
		case '?':
			scan_json_options(argc, argv);
			if (optopt)
				p_err("unknown option '-%c'", optopt);
			else
				p_err("unknown option '%s'", argv[optind - 1]);
			return '?';
		case ':':
			scan_json_options(argc, argv);
			p_err("option '%s' needs an argument",
			      argv[optind - 1]);
			return '?';
		default:
			return c;
		}
	}
}

int policy_file_load(const char *path, struct policy_file *pf)
{
	struct shype_errors errs = { 0 };
	int err;

	memset(pf, 0, sizeof(*pf));
	pf->path = path;
	err = shype_policy_load_file(path, &pf->blob, &pf->len, &pf->pol,
				     &errs);
	if (err)
		print_shype_errors(path, &errs, err);
	shype_errors_free(&errs);
	return err ? EXIT_FAILURE : EXIT_SUCCESS;
}

void policy_file_free(struct policy_file *pf)
{
	free(pf->blob);
	pf->blob = NULL;
}

void policy_digest_hex(const struct policy_file *pf,
		       char hex[2 * SHYPE_DIGEST_SIZE + 1])
{
	const struct shype_policy_header *h = pf->blob;
	int i;

	for (i = 0; i < SHYPE_DIGEST_SIZE; i++)
		sprintf(hex + 2 * i, "%02x", h->digest[i]);
}

int active_policy(struct policy_file *pf)
{
	char path[PATH_MAX];
	struct shype_status st;
	int err;

	if (!shype_kernel_loaded())
		return -1;
	err = shype_kernel_status(&st);
	if (err) {
		p_read_err(err, "status");
		return EXIT_FAILURE;
	}
	if (!st.policy[0])
		return -1;
	snprintf(path, sizeof(path), "%s/policy", shype_securityfs_dir());
	return policy_file_load(path, pf);
}

const char *no_active_policy(void)
{
	static char why[PATH_MAX + 64];

	if (shype_kernel_loaded())
		return "no policy is loaded";
	snprintf(why, sizeof(why), "shype.ko is not loaded (no %s)",
		 shype_securityfs_dir());
	return why;
}

const char *file_label_strerror(int err, const char *path, char *buf,
				size_t size)
{
	switch (-err) {
	case ENOTSUP:
		snprintf(buf, size, "the filesystem at %s cannot store labels",
			 path);
		break;
	case EPERM:
		snprintf(
			buf, size,
			"'%s': %s: only root outside every labelled cgroup may label files",
			path, strerror(EPERM));
		break;
	case EISDIR:
	case EINVAL:
		snprintf(
			buf, size,
			"'%s' is not a regular file: shype labels regular files only",
			path);
		break;
	case EBADMSG:
		snprintf(buf, size, "'%s': its %s is not a label name", path,
			 SHYPE_XATTR);
		break;
	default:
		snprintf(buf, size, "'%s': %s", path, strerror(-err));
		break;
	}
	return buf;
}

size_t policy_label_files(const struct shype_policy *p,
			  struct shype_file_result **v, size_t *n)
{
	char why[PATH_MAX + 128];
	size_t i, failed = 0;

	if (shype_policy_label_files(p, v, n)) {
		p_err("cannot label the files of policy '%s': %s", p->name,
		      strerror(ENOMEM));
		return 1;
	}
	for (i = 0; i < *n; i++) {
		const struct shype_file_result *r = &(*v)[i];

		if (r->err == -ENOENT) {
			fprintf(stderr,
				"%s: note: file:%s does not exist: not labelled '%s' (the next load labels it)\n",
				bin_name, r->path, r->label);
		} else if (r->err) {
			p_err("cannot label file:%s '%s': %s", r->path,
			      r->label,
			      file_label_strerror(r->err, r->path, why,
						  sizeof(why)));
			failed++;
		}
	}
	return failed;
}

const char *nearest_label(const struct shype_policy *p, const char *name)
{
	struct shype_suggest sg;
	u32 l;

	shype_suggest_init(&sg, name, strlen(name));
	for (l = 0; l < p->labels; l++)
		shype_suggest_offer(&sg, p->label[l].name);
	return sg.best;
}

const char *nearest_vm_label(const struct shype_policy *p, const char *name)
{
	struct shype_suggest sg;
	u32 l;

	shype_suggest_init(&sg, name, strlen(name));
	for (l = 0; l < p->labels; l++)
		if (shype_label_is_vm(p, l))
			shype_suggest_offer(&sg, p->label[l].name);
	return sg.best;
}

int cgroup_arg(const char *arg, char path[PATH_MAX])
{
	int err = shype_cgroup_path(arg, path, PATH_MAX);

	if (!*arg)
		p_err("an empty CGROUP; the root cgroup is '/'");
	else if (err == -EINVAL)
		p_err("cgroup '%s': '.', '..', spaces and control characters are not allowed",
		      arg);
	else if (err)
		p_err("cgroup '%s': %s", arg, strerror(-err));
	return err ? EXIT_FAILURE : EXIT_SUCCESS;
}

bool cgroup_exists(const char *path)
{
	const char *root = shype_cgroup_root();
	char dir[PATH_MAX];
	struct stat st;

	snprintf(dir, sizeof(dir), "%s%s", strcmp(root, "/") ? root : "",
		 strcmp(path, "/") ? path : "");
	return !stat(dir, &st) && S_ISDIR(st.st_mode);
}

int label_cgroup(const char *path, const char *label)
{
	int err;

	if (!shype_name_valid(label, strlen(label))) {
		p_err("'%s' is not a label name", label);
		return EXIT_FAILURE;
	}
	err = shype_kernel_label_set(path, label);
	if (err == -ESRCH)
		p_err("the active policy has no VM label '%s'", label);
	else if (err)
		p_kernel_err(err, "cannot label cgroup '%s'", path);
	return err ? EXIT_FAILURE : EXIT_SUCCESS;
}
