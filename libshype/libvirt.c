// SPDX-License-Identifier: LGPL-2.1
/*
 * libshype's libvirt conventions: the metadata element that carries a
 * domain's label, and the resource partition (and its cgroup) that makes
 * the label the one the kernel gives the domain's QEMU.  Plain strings:
 * no libvirt or XML library is needed to use them.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "shype.h"

int shype_libvirt_metadata(const char *label, char *out, size_t size)
{
	int n;

	if (!shype_name_valid(label, strlen(label)))
		return -EINVAL;
	n = snprintf(out, size, "<%s>%s</%s>", SHYPE_LIBVIRT_ELEMENT, label,
		     SHYPE_LIBVIRT_ELEMENT);
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

int shype_libvirt_partition(const char *label, char *out, size_t size)
{
	int n;

	if (!shype_name_valid(label, strlen(label)))
		return -EINVAL;
	n = snprintf(out, size, "%s%s", SHYPE_LIBVIRT_PARTITION_PREFIX, label);
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

const char *shype_libvirt_partition_label(const char *partition)
{
	size_t n = strlen(SHYPE_LIBVIRT_PARTITION_PREFIX);
	const char *label = partition + n;

	if (strncmp(partition, SHYPE_LIBVIRT_PARTITION_PREFIX, n) ||
	    !shype_name_valid(label, strlen(label)))
		return NULL;
	return label;
}

/* Append @s to @out at *@len, keeping a NUL; false when it does not fit. */
static bool put(char *out, size_t size, size_t *len, const char *s)
{
	size_t n = strlen(s);

	if (*len + n + 1 > size)
		return false;
	memcpy(out + *len, s, n + 1);
	*len += n;
	return true;
}

/* systemd's unit name escaping, as libvirt's virSystemdEscapeName(). */
static bool put_escaped(char *out, size_t size, size_t *len, const char *s,
			size_t n)
{
	static const char ok[] = "abcdefghijklmnopqrstuvwxyz"
				 "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789:_.";
	char c[8];
	size_t i;

	for (i = 0; i < n; i++) {
		if (strchr(ok, s[i]) && !(i == 0 && s[i] == '.'))
			snprintf(c, sizeof(c), "%c", s[i]);
		else
			snprintf(c, sizeof(c), "\\x%02x", (unsigned char)s[i]);
		if (!put(out, size, len, c))
			return false;
	}
	return true;
}

/*
 * A partition's components, each checked: not empty, no "." or "..", only
 * characters a cgroup name may hold in shype's files.
 */
static bool component_ok(const char *s, size_t n)
{
	size_t i;

	if (!n || (n == 1 && s[0] == '.') || (n == 2 && !strncmp(s, "..", 2)))
		return false;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] <= ' ' || s[i] == 0x7f)
			return false;
	return true;
}

int shype_libvirt_partition_cgroup(const char *partition, bool systemd,
				   char *out, size_t size)
{
	const char *p, *end;
	size_t len = 0, n, depth = 0;
	char prefix[PATH_MAX] = "";
	size_t plen = 0;

	if (partition[0] != '/' || !partition[1])
		return -EINVAL;
	if (!size)
		return -ENAMETOOLONG;
	out[0] = '\0';
	for (p = partition + 1; *p; p = *end ? end + 1 : end) {
		end = strchr(p, '/');
		if (!end)
			end = p + strlen(p);
		n = end - p;
		if (!component_ok(p, n))
			return -EINVAL;
		if (!put(out, size, &len, "/"))
			return -ENAMETOOLONG;
		if (systemd) {
			/* /a/b/c: /a.slice/a-b.slice/a-b-c.slice */
			if (depth && !put(prefix, sizeof(prefix), &plen, "-"))
				return -ENAMETOOLONG;
			if (!put_escaped(prefix, sizeof(prefix), &plen, p, n) ||
			    !put(out, size, &len, prefix) ||
			    !put(out, size, &len, ".slice"))
				return -ENAMETOOLONG;
		} else {
			/* libvirt's own: ".partition" below the top level
			 * names, unless the name has a suffix already. */
			if (n >= sizeof(prefix))
				return -ENAMETOOLONG;
			memcpy(prefix, p, n);
			prefix[n] = '\0';
			if (!put(out, size, &len, prefix))
				return -ENAMETOOLONG;
			if (!(depth == 0 && (!strcmp(prefix, "machine") ||
					     !strcmp(prefix, "system") ||
					     !strcmp(prefix, "user"))) &&
			    !memchr(p, '.', n) &&
			    !put(out, size, &len, ".partition"))
				return -ENAMETOOLONG;
		}
		depth++;
	}
	return 0;
}
