/* SPDX-License-Identifier: GPL-2.0 */
/*
 * shypectl: what the files of the objects share (common.c, state.c), and
 * the objects main.c calls.
 *
 * An object is one file defining do_OBJECT(argc, argv), declared here and
 * listed in main.c's object table.  Its commands are a table of struct cmd
 * handed to cmd_select().  Objects and commands are called as main() is:
 * argv[0] is their own name, so getopt works on their arguments.  Files
 * call common.c, never each other's commands: no cycle.
 */
#ifndef SHYPECTL_MAIN_H
#define SHYPECTL_MAIN_H

#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "../libshype/shype.h"
#include "print.h"

#define SHYPECTL_VERSION "0.1"

/* Exit status: EXIT_SUCCESS (0), EXIT_FAILURE (1), and these. */
#define EXIT_USAGE  2 /* the command line is wrong */
#define EXIT_DENIED 3 /* a dry-run decision denies */

/* common.c: global options. */
extern const char *bin_name;
extern bool json_output;
extern bool pretty_output;

/**
 * struct cmd - a command (or an object) and its handler
 * @name: what the user types, or a unique prefix of it
 * @func: called with argv[0] its name; returns the exit status
 */
struct cmd {
	const char *name;
	int (*func)(int argc, char **argv);
};

/*
 * Run the command of @cmds named (or uniquely prefixed) by argv[0]; an
 * unknown one is a usage error with a "did you mean".  Without argv[0],
 * @help prints the usage to stderr and the result is EXIT_USAGE; with
 * argv[0] --help or -h, @help prints it to stdout.  @help is also what
 * --help prints among the command's options (cmd_getopt()).
 */
int cmd_select(const struct cmd *cmds, int argc, char **argv,
	       int (*help)(int argc, char **argv));

/*
 * Make @help the help that --help prints (an object without a table of
 * commands calls this first).  Is argv[1] "help", "--help" or "-h"?
 */
bool help_asked(int argc, char **argv, int (*help)(int argc, char **argv));

/* Is @pfx a prefix of @str (bpftool's is_prefix())? */
bool is_prefix(const char *pfx, const char *str);

/*
 * getopt_long() over a command's arguments, with the global -j/--json and
 * -p/--pretty accepted there too, and -h/--help, which prints the help of
 * the command and exits.  Returns as getopt_long() does ('?' for any
 * mistake, after printing it); the positional arguments are then at
 * argv[optind] and after.
 */
int cmd_getopt(int argc, char **argv, const char *shortopts,
	       const struct option *longopts);

/*
 * An error, "Error: ..." on stderr; under -j also, when the command ends,
 * {"error": "..."} on stdout (see cmd_exit()).
 */
void p_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A usage error: p_err(), and returns EXIT_USAGE. */
int usage_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/*
 * An error @err of shype's kernel files: "Error: WHAT: meaning", with the
 * meaning of shype_kernel_strerror(); or that shype.ko is not loaded.
 */
void p_kernel_err(int err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* An error @err reading shype's kernel file @file ("status"). */
void p_read_err(int err, const char *file);

/*
 * The arguments of an object that is a command itself ("status", "stats"):
 * "help" runs @help; -j/-p are parsed; anything else is a usage error.
 * Returns -1 to go on, or the exit status.
 */
int no_args(int argc, char **argv, int (*help)(int argc, char **argv));

/*
 * Exactly @n positional arguments of '@obj @cmd' (after its options), as
 * @what says in a usage error.  Returns -1 to go on, or the exit status.
 */
int exact_args(int argc, char **argv, const char *obj, const char *cmd, int n,
	       const char *what);

/*
 * The result of labelling or unlabelling (@label NULL) the thing @key
 * @name, printed in JSON only: {"@key": "@name", "label": ...}.
 */
void print_label_set(const char *key, const char *name, const char *label);

/*
 * Print every mistake of @e on stderr as "FILE:LINE:COL: message" (or
 * "FILE: message" without a place); without any, one line for @err.  They
 * are errors for -j as p_err()'s are.
 */
void print_shype_errors(const char *path, const struct shype_errors *e,
			int err);

/**
 * struct policy_file - a policy read from a JSON source or a blob, compiled
 *	and validated by kmod/core
 */
struct policy_file {
	const char *path;
	void *blob;
	size_t len;
	struct shype_policy pol;
};

/*
 * The exit status @status of a command, after, under -j and on failure,
 * its errors as one JSON object on stdout, {"error": "..."} (as bpftool),
 * unless the command's own JSON output has reported them since.
 */
int cmd_exit(int status);

/* Read @path into @pf; on failure print why and return EXIT_FAILURE. */
int policy_file_load(const char *path, struct policy_file *pf);
/* What a refused policy load's error means, given the kernel's reasons. */
const char *policy_load_strerror(int err, const char *reasons);
void policy_file_free(struct policy_file *pf);

/* The digest of the blob as 64 hex digits and a NUL. */
void policy_digest_hex(const struct policy_file *pf,
		       char hex[2 * SHYPE_DIGEST_SIZE + 1]);

/*
 * The kernel's active policy into @pf.  Returns EXIT_SUCCESS; 1 after
 * printing why it cannot be read; or -1 when shype.ko is not loaded or no
 * policy is, with @pf untouched.
 */
int active_policy(struct policy_file *pf);
/* Why active_policy() found none: "no policy is loaded", or no shype.ko. */
const char *no_active_policy(void);

/* The label of @p (VM or resource) closest to @name, if close enough. */
const char *nearest_label(const struct shype_policy *p, const char *name);

/*
 * Why file @path cannot be labelled or its label read (@err, a negative
 * errno of shype_file_xattr_*()), in @buf: "the filesystem at PATH cannot
 * store labels", ...
 */
const char *file_label_strerror(int err, const char *path, char *buf,
				size_t size);

/*
 * After the kernel has loaded @p: write the label of each of its file:
 * rules to the file (shype_policy_label_files(), whose results are in
 * @v, @n; free @v), saying on stderr what failed, and noting files that
 * do not exist.  Returns how many failed.
 */
size_t policy_label_files(const struct shype_policy *p,
			  struct shype_file_result **v, size_t *n);

/* The VM label of @p closest to @name, if close enough to be a typo. */
const char *nearest_vm_label(const struct shype_policy *p, const char *name);

/*
 * The CGROUP argument @arg as a path from the cgroup v2 root (see
 * shype_cgroup_path()); on failure print why and return EXIT_FAILURE.
 */
int cgroup_arg(const char *arg, char path[PATH_MAX]);
/* Is there a cgroup at @path (from the root)? */
bool cgroup_exists(const char *path);
/* Make cgroup @path if needed and label it; on failure print why. */
int label_cgroup(const char *path, const char *label);

/* The objects. */
int do_policy(int argc, char **argv);
int do_check(int argc, char **argv);
int do_load(int argc, char **argv);
int do_status(int argc, char **argv);
int do_boot(int argc, char **argv);
int do_vm(int argc, char **argv);
int do_binding(int argc, char **argv);
int do_label(int argc, char **argv);
int do_resource(int argc, char **argv);
int do_run(int argc, char **argv);
int do_mode(int argc, char **argv);
int do_audit(int argc, char **argv);
int do_stats(int argc, char **argv);

/* state.c: the run-time labels kept across reboots. */

/* The state file: $SHYPE_STATE when set and not empty, else /var/lib/shype/labels. */
const char *state_path(void);
/*
 * Record that @kind ("cgroup" or "file") @path has @label (NULL: has no
 * label any more).  Returns 0 or -errno.
 */
int state_record(const char *kind, const char *path, const char *label);
/* state_record(), and on failure say so: returns the exit status. */
int state_note(const char *kind, const char *path, const char *label);
/* Give every recorded label again; 0, or -1 after printing what failed. */
int state_restore(void);

#endif /* SHYPECTL_MAIN_H */
