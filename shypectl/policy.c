// SPDX-License-Identifier: GPL-2.0
/*
 * shypectl policy { check | compile | show }: policy files, offline.  A FILE
 * is a JSON source or a compiled blob; libshype tells them apart.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "main.h"
#include "analyze.h"

/* The one positional FILE of a command taking no option of its own. */
static const char *file_arg(int argc, char **argv)
{
	if (cmd_getopt(argc, argv, "", NULL) != -1)
		return NULL;
	if (argc - optind != 1) {
		usage_err("'policy %s' needs one FILE", argv[0]);
		return NULL;
	}
	return argv[optind];
}

static int policy_check(int argc, char **argv)
{
	struct shype_errors errs = { 0 };
	const struct shype_error *e;
	struct policy_file pf = { 0 };
	const char *path;
	char hex[2 * SHYPE_DIGEST_SIZE + 1];
	size_t i;
	int err;

	path = file_arg(argc, argv);
	if (!path)
		return EXIT_USAGE;

	err = shype_policy_load_file(path, &pf.blob, &pf.len, &pf.pol, &errs);
	if (err)
		print_shype_errors(path, &errs, err);

	/* Text: nothing when valid, as cc -fsyntax-only. */
	if (json_output) {
		new_json_obj(true, pretty_output);
		print_string(PRINT_JSON, "file", NULL, path);
		print_bool(PRINT_JSON, "valid", NULL, !err);
		if (!err) {
			policy_digest_hex(&pf, hex);
			print_string(PRINT_JSON, "name", NULL, pf.pol.name);
			print_string(PRINT_JSON, "digest", NULL, hex);
		}
		open_json_array(PRINT_JSON, "errors");
		for (i = 0; i < errs.n; i++) {
			e = &errs.v[i];
			open_json_object(NULL);
			print_uint(PRINT_JSON, "line", NULL, e->line);
			print_uint(PRINT_JSON, "col", NULL, e->col);
			print_string(PRINT_JSON, "message", NULL, e->msg);
			close_json_object();
		}
		if (err && !errs.n) {
			open_json_object(NULL);
			print_uint(PRINT_JSON, "line", NULL, 0);
			print_uint(PRINT_JSON, "col", NULL, 0);
			print_string(PRINT_JSON, "message", NULL,
				     strerror(-err));
			close_json_object();
		}
		close_json_array(PRINT_JSON, NULL);
		delete_json_obj();
	}
	shype_errors_free(&errs);
	policy_file_free(&pf);
	return err ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* What the file of mode @m is, when it is not a regular file. */
static const char *file_kind(mode_t m)
{
	if (S_ISLNK(m))
		return "a symbolic link";
	if (S_ISDIR(m))
		return "a directory";
	if (S_ISCHR(m))
		return "a character device";
	if (S_ISBLK(m))
		return "a block device";
	if (S_ISFIFO(m))
		return "a FIFO";
	if (S_ISSOCK(m))
		return "a socket";
	return "a special file";
}

/* Write @len bytes of @buf to @fd; 0 or -1 with errno. */
static int write_all(int fd, const char *p, size_t len)
{
	ssize_t n;

	while (len) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		p += n;
		len -= n;
	}
	return 0;
}

/*
 * Write @len bytes to @path ("-": stdout) whole or not at all: to a
 * temporary file in the same directory, renamed over @path once it is
 * complete on disk.  Only a regular file is replaced: never a symbolic
 * link, a device, a FIFO or a directory (as root, "-o /dev/stdout" once
 * replaced the link with a file).
 */
static int write_file(const char *path, const void *buf, size_t len)
{
	struct stat st;
	bool exists;
	char *tmp;
	mode_t mask;
	int fd, err;

	if (!strcmp(path, "-")) {
		if (write_all(STDOUT_FILENO, buf, len)) {
			p_err("cannot write to stdout: %s", strerror(errno));
			return -1;
		}
		return 0;
	}
	exists = !lstat(path, &st);
	if (!exists && errno != ENOENT) {
		p_err("cannot write '%s': %s", path, strerror(errno));
		return -1;
	}
	if (exists && !S_ISREG(st.st_mode)) {
		p_err("refusing to replace '%s': %s, not a regular file ('-o -' writes to stdout)",
		      path, file_kind(st.st_mode));
		return -1;
	}
	if (asprintf(&tmp, "%s.XXXXXX", path) < 0) {
		p_err("out of memory");
		return -1;
	}
	fd = mkstemp(tmp);
	if (fd < 0) {
		p_err("cannot create '%s': %s", tmp, strerror(errno));
		free(tmp);
		return -1;
	}
	mask = umask(0);
	umask(mask);
	if (fchmod(fd, 0666 & ~mask) || write_all(fd, buf, len) || fsync(fd))
		goto out_err;
	err = close(fd);
	fd = -1;
	if (err)
		goto out_err;
	/* A new path stays new: never over what appeared there since. */
	err = exists ? rename(tmp, path) :
		       renameat2(AT_FDCWD, tmp, AT_FDCWD, path,
				 RENAME_NOREPLACE);
	if (err && !exists && (errno == EINVAL || errno == ENOSYS))
		err = link(tmp, path) || unlink(tmp);
	if (err)
		goto out_err;
	free(tmp);
	return 0;

out_err:
	p_err("cannot write '%s': %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	free(tmp);
	return -1;
}

static int policy_compile(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ 0 },
	};
	struct policy_file pf;
	const char *out = NULL;
	char hex[2 * SHYPE_DIGEST_SIZE + 1];
	int c, ret;

	while ((c = cmd_getopt(argc, argv, "o:", opts)) != -1) {
		if (c != 'o')
			return EXIT_USAGE;
		out = optarg;
	}
	if (argc - optind != 1)
		return usage_err("'policy compile' needs one FILE");
	if (!out)
		return usage_err("'policy compile' needs -o BLOB");
	if (!strcmp(out, "-") && json_output)
		return usage_err(
			"'-o -' writes the blob to stdout: it cannot take -j too");

	ret = policy_file_load(argv[optind], &pf);
	if (ret)
		return ret;
	if (write_file(out, pf.blob, pf.len)) {
		policy_file_free(&pf);
		return EXIT_FAILURE;
	}

	/* Text: nothing; JSON: what was written. */
	if (json_output) {
		policy_digest_hex(&pf, hex);
		new_json_obj(true, pretty_output);
		print_string(PRINT_JSON, "file", NULL, argv[optind]);
		print_string(PRINT_JSON, "output", NULL, out);
		print_string(PRINT_JSON, "name", NULL, pf.pol.name);
		print_uint(PRINT_JSON, "size", NULL, pf.len);
		print_string(PRINT_JSON, "digest", NULL, hex);
		delete_json_obj();
	}
	policy_file_free(&pf);
	return EXIT_SUCCESS;
}

/* Text "@text NAME NAME ...", JSON "@key": [names]; @idx indexes @names. */
static void print_names(const char *key, const char *text, char **names,
			const unsigned int *idx, size_t n)
{
	size_t i;

	print_string(PRINT_FP, NULL, "%s", text);
	open_json_array(PRINT_JSON, key);
	for (i = 0; i < n; i++)
		print_string(PRINT_ANY, NULL, " %s", names[idx ? idx[i] : i]);
	close_json_array(PRINT_JSON, NULL);
}

static void print_label(const struct shype_model *m,
			const struct shype_model_label *l)
{
	open_json_object(NULL);
	print_string(PRINT_ANY, "name", "label %s", l->name);
	print_string(PRINT_ANY, "kind", "  %s",
		     l->resource ? "resource" : "vm");
	/* Text leaves out an empty list; JSON always has both. */
	print_names("ste", l->n_ste ? "  ste" : "", m->ste_types, l->ste,
		    l->n_ste);
	print_names("chwall", l->n_chwall ? "  chwall" : "", m->chwall_types,
		    l->chwall, l->n_chwall);
	close_json_object();
	print_nl();
}

static void print_model(const struct shype_model *m, const char *digest)
{
	const struct shype_model_resource *r;
	char buf[SHYPE_RESOURCE_NAME_MAX + 16];
	size_t i;

	print_string(PRINT_ANY, "name", "name %s", m->name);
	snprintf(buf, sizeof(buf), "%u.%u", m->version_major, m->version_minor);
	print_string(PRINT_ANY, "version", "  version %s", buf);
	print_nl();
	print_string(PRINT_ANY, "digest", "digest %s", digest);
	print_nl();

	print_names("ste_types", "ste_types", m->ste_types, NULL,
		    m->n_ste_types);
	print_nl();
	print_names("chwall_types", "chwall_types", m->chwall_types, NULL,
		    m->n_chwall_types);
	print_nl();

	open_json_array(PRINT_JSON, "conflict_sets");
	for (i = 0; i < m->n_sets; i++) {
		print_names(NULL, "conflict_set", m->chwall_types,
			    m->sets[i].types, m->sets[i].n);
		print_nl();
	}
	close_json_array(PRINT_JSON, NULL);

	open_json_array(PRINT_JSON, "labels");
	for (i = 0; i < m->n_labels; i++)
		print_label(m, &m->labels[i]);
	close_json_array(PRINT_JSON, NULL);

	open_json_array(PRINT_JSON, "resources");
	for (i = 0; i < m->n_resources; i++) {
		r = &m->resources[i];
		snprintf(buf, sizeof(buf), "%s:%s",
			 shype_resource_kind_name(r->kind), r->name);
		open_json_object(NULL);
		print_string(PRINT_ANY, "resource", "resource %s", buf);
		print_string(PRINT_JSON, "kind", NULL,
			     shype_resource_kind_name(r->kind));
		print_string(PRINT_JSON, "name", NULL, r->name);
		print_string(PRINT_ANY, "label", "  label %s",
			     m->labels[r->label].name);
		close_json_object();
		print_nl();
	}
	close_json_array(PRINT_JSON, NULL);

	print_string(PRINT_ANY, "unlabeled", "unlabeled %s",
		     m->unlabeled < 0 ? "deny" : m->labels[m->unlabeled].name);
	print_nl();
	print_string(PRINT_ANY, "unlabeled_files", "unlabeled_files %s",
		     shype_files_mode_name(m->unlabeled_files));
	print_nl();
}

static int policy_show(int argc, char **argv)
{
	struct shype_model *m;
	struct policy_file pf;
	const char *path;
	char hex[2 * SHYPE_DIGEST_SIZE + 1];
	int err;

	path = file_arg(argc, argv);
	if (!path)
		return EXIT_USAGE;
	if (policy_file_load(path, &pf))
		return EXIT_FAILURE;

	/* Source or blob, show the blob's model: both print the same. */
	err = shype_model_decode(pf.blob, pf.len, &m);
	if (err) {
		p_err("%s: %s", path,
		      err == -ENOMEM ? strerror(ENOMEM) :
				       shype_blob_strerror(err));
		policy_file_free(&pf);
		return EXIT_FAILURE;
	}
	policy_digest_hex(&pf, hex);
	new_json_obj(json_output, pretty_output);
	print_model(m, hex);
	delete_json_obj();
	shype_model_free(m);
	policy_file_free(&pf);
	return EXIT_SUCCESS;
}

/* Called with argc 0 for a missing command: then a usage error. */
static int policy_help(int argc, char **argv)
{
	FILE *f = argc ? stdout : stderr;

	(void)argv;
	fprintf(f,
		"Usage: %1$s policy { check | show } FILE\n"
		"       %1$s policy compile FILE -o BLOB\n"
		"       %1$s policy analyze { FILE | active } [{-f|--format} FORMAT]\n"
		"       %1$s policy diff { FILE | active } { FILE | active }\n"
		"       %1$s policy help\n"
		"\n"
		"       FILE := { JSON source | binary blob }\n"
		"       FORMAT := { text | json | dot }\n"
		"       OPTIONS := { {-j|--json} [{-p|--pretty}] }\n",
		bin_name);
	return argc ? EXIT_SUCCESS : EXIT_USAGE;
}

int do_policy(int argc, char **argv)
{
	static const struct cmd cmds[] = {
		{ "check", policy_check },
		{ "compile", policy_compile },
		{ "show", policy_show },
		{ "analyze", policy_analyze },
		{ "diff", policy_diff },
		{ "help", policy_help },
		{ 0 },
	};

	return cmd_select(cmds, argc - 1, argv + 1, policy_help);
}
