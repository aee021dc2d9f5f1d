// SPDX-License-Identifier: GPL-2.0
/*
 * shype.conf as libshype reads it: each case is a file's text and either
 * the settings it gives or the exact line and message of its mistake.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "../../libshype/shype.h"

struct conf_case {
	const char *text;
	int err;
	unsigned int line;
	const char *msg;
	enum shype_conf_mode mode;
	bool require_policy;
	const char *policy;
};

#define DEF_POLICY "/etc/shype/policy.json"
#define GOOD(text, mode, rp, policy)             \
	{                                        \
		text, 0, 0, "", mode, rp, policy \
	}
#define BAD(text, line, msg)                                              \
	{                                                                 \
		text, -EINVAL, line, msg, SHYPE_CONF_ENFORCE, false, NULL \
	}

static const struct conf_case cases[] = {
	GOOD("", SHYPE_CONF_ENFORCE, true, DEF_POLICY),
	GOOD("# c\n\n  \t\n", SHYPE_CONF_ENFORCE, true, DEF_POLICY),
	GOOD("SHYPE=permissive\nREQUIRE_POLICY=no\nPOLICY=/srv/p.bin\n",
	     SHYPE_CONF_PERMISSIVE, false, "/srv/p.bin"),
	GOOD("  SHYPE=off  \r\n", SHYPE_CONF_OFF, true, DEF_POLICY),
	BAD("SHYPE=Enforce\n", 1,
	    "SHYPE is 'Enforce', not one of enforce, permissive, off"),
	BAD("\n\nSHYPE = enforce\n", 3,
	    "unknown key 'SHYPE '; keys are SHYPE, REQUIRE_POLICY and POLICY"),
	BAD("REQUIRE_POLICY\n", 1, "'REQUIRE_POLICY' is not KEY=VALUE"),
	BAD("REQUIRE_POLICY=1\n", 1, "REQUIRE_POLICY is '1', not yes or no"),
	BAD("POLICY=/a b\n", 1,
	    "POLICY is '/a b', not an absolute path without spaces"),
	BAD("POLICY=\n", 1,
	    "POLICY is '', not an absolute path without spaces"),
	BAD("POLICY=/a\nPOLICY=/b\n", 2, "POLICY is given twice"),
	BAD("SHYPE=\"enforce\"\n", 1,
	    "SHYPE is '\"enforce\"', not one of enforce, permissive, off"),
};

static char path[] = "/tmp/shype-conf-XXXXXX";

static void write_conf(const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0 || !*text, 1);
	assert_int_equal(fclose(f), 0);
}

static void conf_cases_give_settings_or_exact_mistakes(void **state)
{
	struct shype_error e;
	struct shype_conf c;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		write_conf(cases[i].text);
		assert_int_equal(shype_conf_read(path, &c, &e), cases[i].err);
		if (cases[i].err) {
			assert_ptr_equal(e.file, path);
			assert_int_equal(e.line, cases[i].line);
			assert_string_equal(e.msg, cases[i].msg);
			continue;
		}
		assert_true(c.found);
		assert_int_equal(c.mode, cases[i].mode);
		assert_int_equal(c.require_policy, cases[i].require_policy);
		assert_string_equal(c.policy, cases[i].policy);
	}
}

static void missing_conf_is_fail_closed_defaults(void **state)
{
	struct shype_error e;
	struct shype_conf c;

	(void)state;
	assert_int_equal(shype_conf_read("/nonexistent/shype.conf", &c, &e), 0);
	assert_false(c.found);
	assert_int_equal(c.mode, SHYPE_CONF_ENFORCE);
	assert_true(c.require_policy);
	assert_string_equal(c.policy, DEF_POLICY);
}

static void conf_path_follows_environment(void **state)
{
	(void)state;
	unsetenv("SHYPE_CONF");
	assert_string_equal(shype_conf_path(), "/etc/shype/shype.conf");
	setenv("SHYPE_CONF", "/x/shype.conf", 1);
	assert_string_equal(shype_conf_path(), "/x/shype.conf");
	setenv("SHYPE_CONF", "", 1);
	assert_string_equal(shype_conf_path(), "/etc/shype/shype.conf");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(conf_cases_give_settings_or_exact_mistakes),
		cmocka_unit_test(missing_conf_is_fail_closed_defaults),
		cmocka_unit_test(conf_path_follows_environment),
	};
	int fd = mkstemp(path), ret;

	if (fd < 0)
		return 1;
	close(fd);
	ret = cmocka_run_group_tests(tests, NULL, NULL);
	unlink(path);
	return ret;
}
