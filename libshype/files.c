// SPDX-License-Identifier: LGPL-2.1
/*
 * File labels: the security.shype extended attribute (SHYPE_XATTR) that
 * shype.ko decides a labelled VMM's open on, the label a policy's file:
 * rule gives a path, and writing a policy's rules to the files.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "shype.h"

/*
 * @path opened without following a last symlink into nothing and without
 * side effects (O_PATH), checked to be a regular file; the attribute is
 * then read or written through /proc/self/fd, so that what was checked is
 * what is labelled.
 */
static int open_regular(const char *path, char proc[64])
{
	struct stat st;
	int fd;

	fd = open(path, O_PATH | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st)) {
		close(fd);
		return -errno;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
	}
	snprintf(proc, 64, "/proc/self/fd/%d", fd);
	return fd;
}

int shype_file_xattr_get(const char *path, char label[SHYPE_NAME_MAX + 1])
{
	char v[SHYPE_NAME_MAX + 1];
	ssize_t n;

	label[0] = '\0';
	n = getxattr(path, SHYPE_XATTR, v, sizeof(v));
	if (n < 0 && (errno == ENODATA || errno == ENOTSUP))
		return errno == ENOTSUP ? -ENOTSUP : 0;
	if (n < 0)
		return errno == ERANGE ? -EBADMSG : -errno;
	if (!shype_name_valid(v, n))
		return -EBADMSG;
	memcpy(label, v, n);
	label[n] = '\0';
	return 0;
}

int shype_file_xattr_set(const char *path, const char *label)
{
	char proc[64];
	int fd, err = 0;

	if (!shype_name_valid(label, strlen(label)))
		return -EINVAL;
	fd = open_regular(path, proc);
	if (fd < 0)
		return fd;
	if (setxattr(proc, SHYPE_XATTR, label, strlen(label), 0))
		err = -errno;
	close(fd);
	return err;
}

int shype_file_xattr_clear(const char *path)
{
	char proc[64];
	int fd, err = 0;

	fd = open_regular(path, proc);
	if (fd < 0)
		return fd;
	if (removexattr(proc, SHYPE_XATTR))
		err = -errno;
	close(fd);
	return err;
}

/* The index of @p's file: rule for @path as given, or as resolved. */
static u32 file_rule(const struct shype_policy *p, const char *path)
{
	char *real;
	u32 r;

	r = shype_resource_find(p, SHYPE_RES_FILE, path);
	if (r != SHYPE_NOT_FOUND)
		return r;
	real = realpath(path, NULL);
	if (real && strcmp(real, path))
		r = shype_resource_find(p, SHYPE_RES_FILE, real);
	free(real);
	return r;
}

int shype_file_label(const struct shype_policy *p, const char *path,
		     struct shype_file_label *fl)
{
	u32 r;
	int err;

	fl->label = SHYPE_NOT_FOUND;
	fl->from = SHYPE_FILE_FROM_NONE;
	err = shype_file_xattr_get(path, fl->xattr);
	r = file_rule(p, path);
	if (r != SHYPE_NOT_FOUND) {
		fl->label = shype_resource_label_of(p, r, NULL);
		fl->from = SHYPE_FILE_FROM_POLICY;
	}
	/* A filesystem without labels holds unlabelled files only. */
	if (err && err != -ENOTSUP && err != -EBADMSG)
		return err;
	if (r != SHYPE_NOT_FOUND) {
		/* The rule wins. */
	} else if (err == -EBADMSG) {
		/* Not a label name: the policy lacks it, nobody may open. */
		fl->label = SHYPE_LABEL_MISSING;
		fl->from = SHYPE_FILE_FROM_XATTR;
	} else if (fl->xattr[0]) {
		fl->label =
			shype_resource_label_of(p, SHYPE_NOT_FOUND, fl->xattr);
		fl->from = SHYPE_FILE_FROM_XATTR;
	}
	return 0;
}

const char *shype_file_from_name(enum shype_file_from from)
{
	switch (from) {
	case SHYPE_FILE_FROM_POLICY:
		return "policy";
	case SHYPE_FILE_FROM_XATTR:
		return "xattr";
	default:
		return "none";
	}
}

int shype_policy_label_files(const struct shype_policy *p,
			     struct shype_file_result **v, size_t *n)
{
	struct shype_file_result *res;
	u32 r, l;

	*v = NULL;
	*n = 0;
	res = calloc(p->resources ? p->resources : 1, sizeof(*res));
	if (!res)
		return -ENOMEM;
	for (r = 0; r < p->resources; r++) {
		if (le32_to_cpu(p->resource[r].kind) != SHYPE_RES_FILE)
			continue;
		l = shype_resource_label_of(p, r, NULL);
		/* Validated by shype_policy_init(); fail closed all the same. */
		if (l >= p->labels)
			continue;
		res[*n].path = p->resource[r].name;
		res[*n].label = p->label[l].name;
		res[*n].err = shype_file_xattr_set(res[*n].path, res[*n].label);
		(*n)++;
	}
	*v = res;
	return 0;
}
