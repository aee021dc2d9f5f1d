/* SPDX-License-Identifier: LGPL-2.1 */
/*
 * libshype - the user-space library of shype: policy sources (JSON) to
 * models to binary blobs and back, and the decisions of kmod/core on them.
 *
 * libshype never prints.  Functions that can fail return 0 or a negative
 * errno from the set each documents, and fill a struct shype_error (or a
 * list of them) that says what and where.
 */
#ifndef LIBSHYPE_SHYPE_H
#define LIBSHYPE_SHYPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../kmod/core/policy.h"

/** SHYPE_LIBVIRT_NS - namespace URI of shype's libvirt domain metadata. */
#define SHYPE_LIBVIRT_NS "urn:shype:libvirt:1"

/**
 * struct shype_error - one mistake, with its place in a source file
 * @file: the file's name as given (not owned)
 * @line: 1-based line, 0 when the error has no place
 * @col: 1-based column in characters (UTF-8 code points), 0 likewise
 * @msg: the message, without file or position
 */
struct shype_error {
	const char *file;
	unsigned int line;
	unsigned int col;
	char msg[512];
};

/**
 * struct shype_errors - every mistake found in one source file, in the
 *	order of their position
 */
struct shype_errors {
	struct shype_error *v;
	size_t n;
};

/** shype_errors_free() - free the list (not the struct itself). */
void shype_errors_free(struct shype_errors *e);

/**
 * struct shype_model_label - a label in a model
 * @name: its name
 * @resource: true for a resource label, false for a VM label
 * @ste: indices into &shype_model.ste_types, ascending, no duplicates
 * @n_ste: how many
 * @chwall: indices into &shype_model.chwall_types, ascending
 * @n_chwall: how many (0 for a resource label)
 */
struct shype_model_label {
	char *name;
	bool resource;
	unsigned int *ste;
	size_t n_ste;
	unsigned int *chwall;
	size_t n_chwall;
};

/**
 * struct shype_model_conflict_set - Chinese Wall types that conflict
 * @types: indices into &shype_model.chwall_types, ascending
 * @n: how many (at least two)
 */
struct shype_model_conflict_set {
	unsigned int *types;
	size_t n;
};

/**
 * struct shype_model_resource - a labelled resource
 * @kind: an &enum shype_resource_kind
 * @name: its name without the "kind:" prefix
 * @label: index into &shype_model.labels
 */
struct shype_model_resource {
	unsigned int kind;
	char *name;
	unsigned int label;
};

/**
 * struct shype_model - a policy as the library handles it: the result of
 *	parsing a source or decoding a blob.  Every array is sorted as in the
 *	blob (names by strcmp, resources by kind then name; conflict sets by
 *	their type lists), so two models of one policy compare equal.
 * @unlabeled: index of the label for unlabelled VMs, or -1 for deny
 */
struct shype_model {
	char *name;
	unsigned int version_major;
	unsigned int version_minor;
	char **ste_types;
	size_t n_ste_types;
	char **chwall_types;
	size_t n_chwall_types;
	struct shype_model_conflict_set *sets;
	size_t n_sets;
	struct shype_model_label *labels;
	size_t n_labels;
	struct shype_model_resource *resources;
	size_t n_resources;
	int unlabeled;
};

/**
 * shype_model_parse_file() - read, parse and check a JSON policy source
 * @path: the file
 * @out: the model, on success; free with shype_model_free()
 * @errs: on failure, every mistake found (all of them, not the first only;
 *	a JSON syntax error stops the parse, so it is then the only one)
 *
 * Return: 0; -EINVAL when the source has mistakes (see @errs); -ENOMEM;
 * another -errno when the file cannot be read (one entry in @errs says so).
 */
int shype_model_parse_file(const char *path, struct shype_model **out,
			   struct shype_errors *errs);

/**
 * shype_model_parse() - as shype_model_parse_file() on a buffer
 * @file: the name to use in errors
 * @text: the source
 * @len: its length
 */
int shype_model_parse(const char *file, const char *text, size_t len,
		      struct shype_model **out, struct shype_errors *errs);

/** shype_model_free() - free a model; NULL is fine. */
void shype_model_free(struct shype_model *m);

/**
 * shype_model_compile() - the binary blob of a model
 * @m: a model from shype_model_parse*() or shype_model_decode()
 * @blob: on success, a malloc()ed blob; the caller frees it
 * @len: its length
 *
 * Return: 0; -ENOMEM; -E2BIG when a limit of the uapi header is exceeded.
 */
int shype_model_compile(const struct shype_model *m, void **blob, size_t *len);

/**
 * shype_model_decode() - the model of a blob, validated by kmod/core
 * @blob: the blob
 * @len: its length
 * @out: the model; free with shype_model_free()
 *
 * Return: 0; -ENOMEM; or the negated &enum shype_blob_error from
 * shype_policy_init() (then shype_blob_strerror() says why).
 */
int shype_model_decode(const void *blob, size_t len, struct shype_model **out);

/**
 * shype_policy_load_file() - read a policy from a JSON source or a blob
 *	(told apart by the magic) and compile or validate it
 * @path: the file
 * @blob: the blob (malloc()ed; the caller frees it)
 * @len: its length
 * @pol: a validated view of @blob
 * @errs: what went wrong, on failure
 *
 * Return: 0; -EINVAL for a bad source or blob (see @errs); -ENOMEM; another
 * -errno when the file cannot be read.
 */
int shype_policy_load_file(const char *path, void **blob, size_t *len,
			   struct shype_policy *pol, struct shype_errors *errs);

/**
 * shype_resource_parse() - split "kind:name" into its kind and name and
 *	check the name as the policy language does
 * @s: e.g. "shm:/dev/shm/orders", "net:br0", "vsock:3"
 * @kind: the &enum shype_resource_kind
 * @name: points into @s, after the colon
 * @why: on failure, a message for the user
 *
 * Return: 0 or -EINVAL.
 */
int shype_resource_parse(const char *s, unsigned int *kind, const char **name,
			 const char **why);

/** shype_resource_kind_name() - "shm", "net" or "vsock"; NULL if unknown */
const char *shype_resource_kind_name(unsigned int kind);

#endif /* LIBSHYPE_SHYPE_H */
