// SPDX-License-Identifier: LGPL-2.1
/*
 * shype.conf: how shype starts at boot (see libshype/shype.h and
 * shype.conf(5)).  Parsed strictly: a mistake names its line, and a
 * boot must not go on with settings that nobody wrote.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shype.h"

#define LINE_MAX_LEN 4096

const char *shype_conf_path(void)
{
	const char *p = getenv("SHYPE_CONF");

	return p && *p ? p : SHYPE_CONF_FILE;
}

const char *shype_conf_mode_name(enum shype_conf_mode mode)
{
	switch (mode) {
	case SHYPE_CONF_ENFORCE:
		return "enforce";
	case SHYPE_CONF_PERMISSIVE:
		return "permissive";
	case SHYPE_CONF_OFF:
		return "off";
	}
	return "?";
}

static int __attribute__((format(printf, 3, 4)))
conf_err(struct shype_error *err, unsigned int line, const char *fmt, ...)
{
	va_list ap;

	err->line = line;
	err->col = 0;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* Apply "KEY=VALUE" of line @n; @seen has a bit per key already given. */
static int conf_line(char *s, unsigned int n, struct shype_conf *conf,
		     unsigned int *seen, struct shype_error *err)
{
	static const char *const keys[] = { "SHYPE", "REQUIRE_POLICY",
					    "POLICY" };
	char *eq = strchr(s, '='), *val;
	unsigned int k;

	if (!eq)
		return conf_err(err, n, "'%s' is not KEY=VALUE", s);
	*eq = '\0';
	val = eq + 1;
	for (k = 0; k < 3; k++)
		if (!strcmp(s, keys[k]))
			break;
	if (k == 3)
		return conf_err(
			err, n,
			"unknown key '%s'; keys are SHYPE, REQUIRE_POLICY and POLICY",
			s);
	if (*seen & (1u << k))
		return conf_err(err, n, "%s is given twice", s);
	*seen |= 1u << k;
	switch (k) {
	case 0:
		if (!strcmp(val, "enforce"))
			conf->mode = SHYPE_CONF_ENFORCE;
		else if (!strcmp(val, "permissive"))
			conf->mode = SHYPE_CONF_PERMISSIVE;
		else if (!strcmp(val, "off"))
			conf->mode = SHYPE_CONF_OFF;
		else
			return conf_err(
				err, n,
				"SHYPE is '%s', not one of enforce, permissive, off",
				val);
		break;
	case 1:
		if (!strcmp(val, "yes"))
			conf->require_policy = true;
		else if (!strcmp(val, "no"))
			conf->require_policy = false;
		else
			return conf_err(err, n,
					"REQUIRE_POLICY is '%s', not yes or no",
					val);
		break;
	default:
		if (val[0] != '/' || strpbrk(val, " \t"))
			return conf_err(
				err, n,
				"POLICY is '%s', not an absolute path without spaces",
				val);
		if (strlen(val) >= sizeof(conf->policy))
			return conf_err(err, n, "POLICY is too long");
		strcpy(conf->policy, val);
	}
	return 0;
}

int shype_conf_read(const char *path, struct shype_conf *conf,
		    struct shype_error *err)
{
	char line[LINE_MAX_LEN], *s, *e;
	unsigned int n = 0, seen = 0;
	size_t len;
	FILE *f;
	int ret = 0;

	memset(conf, 0, sizeof(*conf));
	conf->mode = SHYPE_CONF_ENFORCE;
	conf->require_policy = true;
	strcpy(conf->policy, SHYPE_CONF_POLICY);
	memset(err, 0, sizeof(*err));
	err->file = path;

	f = fopen(path, "re");
	if (!f)
		return errno == ENOENT ? 0 : -errno;
	conf->found = true;
	while (fgets(line, sizeof(line), f)) {
		n++;
		len = strlen(line);
		if (len == sizeof(line) - 1 && line[len - 1] != '\n') {
			ret = conf_err(err, n, "line too long");
			break;
		}
		line[strcspn(line, "\n")] = '\0';
		/* Leading and trailing blanks are not part of the setting. */
		for (s = line; *s == ' ' || *s == '\t'; s++)
			;
		for (e = s + strlen(s);
		     e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r');
		     e--)
			;
		*e = '\0';
		if (!*s || *s == '#')
			continue;
		ret = conf_line(s, n, conf, &seen, err);
		if (ret)
			break;
	}
	if (!ret && ferror(f))
		ret = -EIO;
	fclose(f);
	return ret;
}
