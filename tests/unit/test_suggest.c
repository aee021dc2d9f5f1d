// SPDX-License-Identifier: GPL-2.0
/*
 * libshype's one "did you mean", as a data table: a mistyped word, the
 * names offered, and the name suggested (NULL: none is close enough).
 * The policy parser, shypectl's labels and its objects and commands all
 * suggest by this rule.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "testutil.h"

struct suggest_case {
	const char *word;
	const char *names[6];
	const char *want;
};

static const struct suggest_case cases[] = {
	/* One edit of each kind. */
	{ "ordr", { "advertising", "order" }, "order" },
	{ "orderr", { "order" }, "order" },
	{ "ordor", { "order" }, "order" },
	{ "shwo", { "check", "compile", "show", "help" }, "show" },
	/* Three edits, well under half of the longer name. */
	{ "advrtsng", { "advertising", "order" }, "advertising" },
	/* Too far: four edits, or half the length or more. */
	{ "adv", { "advertising" }, NULL },
	{ "frob", { "policy", "check", "boot", "vm" }, NULL },
	{ "ab", { "xy" }, NULL },
	/* The closest wins; a tie keeps the first offered. */
	{ "stat", { "stats", "status" }, "stats" },
	{ "polcy", { "policy", "polity" }, "policy" },
	/* An exact name is its own suggestion (distance 0). */
	{ "order", { "order" }, "order" },
	/* Nothing offered, or a word longer than any name can be. */
	{ "order", { NULL }, NULL },
	{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	  { "a" },
	  NULL },
};

static void suggestions(void **state)
{
	struct shype_suggest sg;
	size_t i, j;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct suggest_case *c = &cases[i];

		print_message("%s\n", c->word);
		shype_suggest_init(&sg, c->word, strlen(c->word));
		for (j = 0; j < 6 && c->names[j]; j++)
			shype_suggest_offer(&sg, c->names[j]);
		if (c->want)
			assert_string_equal(sg.best ? sg.best : "(none)",
					    c->want);
		else
			assert_null(sg.best);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(suggestions),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
