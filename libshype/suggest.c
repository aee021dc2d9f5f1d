// SPDX-License-Identifier: LGPL-2.1
/*
 * libshype: "did you mean", the one rule for every suggestion (shype.h).
 */
#include <limits.h>
#include <string.h>

#include "shype.h"

#define MAX_EDITS 3

/*
 * Edit distance of @a and @b (insertions, deletions, substitutions and
 * transpositions of adjacent characters), or MAX_EDITS + 1 when above.
 */
static unsigned int distance(const char *a, size_t la, const char *b, size_t lb)
{
	unsigned char d[SHYPE_NAME_MAX + 1][SHYPE_NAME_MAX + 1];
	size_t i, j;

	if (la > SHYPE_NAME_MAX || lb > SHYPE_NAME_MAX)
		return MAX_EDITS + 1;
	for (i = 0; i <= la; i++)
		d[i][0] = i;
	for (j = 0; j <= lb; j++)
		d[0][j] = j;
	for (i = 1; i <= la; i++) {
		unsigned int row_min = UINT_MAX;

		for (j = 1; j <= lb; j++) {
			unsigned int v =
				d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);

			if (d[i - 1][j] + 1U < v)
				v = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1U < v)
				v = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1U < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
			if (v < row_min)
				row_min = v;
		}
		if (lb && row_min > MAX_EDITS)
			return MAX_EDITS + 1;
	}
	return d[la][lb];
}

void shype_suggest_init(struct shype_suggest *s, const char *word, size_t len)
{
	s->word = word;
	s->len = len;
	s->best = NULL;
	s->dist = MAX_EDITS + 1;
}

void shype_suggest_offer(struct shype_suggest *s, const char *name)
{
	size_t len = strlen(name);
	unsigned int d = distance(s->word, s->len, name, len);

	if (d < s->dist && 2 * d < (s->len > len ? s->len : len)) {
		s->best = name;
		s->dist = d;
	}
}
