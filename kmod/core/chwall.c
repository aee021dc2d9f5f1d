// SPDX-License-Identifier: GPL-2.0
/*
 * Chinese Wall, accounted as Xen's ACM did.  A running VM of label L blocks
 * every type that shares a conflict set with one of L's types, except L's
 * own types; aggregate[u] counts the running VMs that block type u, and
 * blocked has bit u set while aggregate[u] is not zero.  Admission is then
 * one AND of L's row with blocked; only starting and stopping VMs walk the
 * conflict sets.
 */
#include "policy.h"

#define CHWALL_WORDS (SHYPE_MAX_CHWALL_TYPES / 64)

size_t shype_chwall_size(const struct shype_policy *p)
{
	return (size_t)p->chwall_words * sizeof(u64) +
	       (size_t)p->chwall_types * 2 * sizeof(u32);
}

void shype_chwall_init(const struct shype_policy *p, struct shype_chwall *st,
		       void *mem)
{
	st->blocked = mem;
	st->running = (u32 *)(st->blocked + p->chwall_words);
	st->aggregate = st->running + p->chwall_types;
	memset(mem, 0, shype_chwall_size(p));
}

u32 shype_chwall_admit(const struct shype_policy *p,
		       const struct shype_chwall *st, u32 label)
{
	const __le64 *row;
	u32 w;

	if (label >= p->labels)
		return SHYPE_NOT_FOUND;
	row = shype_chwall_row(p, label);
	for (w = 0; w < p->chwall_words; w++) {
		u64 x = le64_to_cpu(row[w]) & st->blocked[w];

		if (x)
			return w * 64 + __builtin_ctzll(x);
	}
	return SHYPE_NOT_FOUND;
}

static bool intersect(const __le64 *a, const __le64 *b, u32 words)
{
	u32 w;

	for (w = 0; w < words; w++)
		if (a[w] & b[w])
			return true;
	return false;
}

/* The types a VM of @label blocks: its conflict sets minus its own types. */
static void blocks(const struct shype_policy *p, u32 label, u64 *out)
{
	const __le64 *row = shype_chwall_row(p, label);
	u32 s, w;

	memset(out, 0, p->chwall_words * sizeof(u64));
	for (s = 0; s < p->conflict_sets; s++) {
		const __le64 *set = shype_conflict_row(p, s);

		if (intersect(row, set, p->chwall_words))
			for (w = 0; w < p->chwall_words; w++)
				out[w] |= le64_to_cpu(set[w]);
	}
	for (w = 0; w < p->chwall_words; w++)
		out[w] &= ~le64_to_cpu(row[w]);
}

void shype_chwall_add(const struct shype_policy *p, struct shype_chwall *st,
		      u32 label)
{
	const __le64 *row;
	u64 b[CHWALL_WORDS];
	u32 t;

	if (label >= p->labels)
		return;
	row = shype_chwall_row(p, label);
	blocks(p, label, b);
	for (t = 0; t < p->chwall_types; t++) {
		u64 bit = 1ULL << (t % 64);

		if (le64_to_cpu(row[t / 64]) & bit)
			st->running[t]++;
		if ((b[t / 64] & bit) && !st->aggregate[t]++)
			st->blocked[t / 64] |= bit;
	}
}

void shype_chwall_remove(const struct shype_policy *p, struct shype_chwall *st,
			 u32 label)
{
	const __le64 *row;
	u64 b[CHWALL_WORDS];
	u32 t;

	if (label >= p->labels)
		return;
	row = shype_chwall_row(p, label);
	blocks(p, label, b);
	/* The counts never wrap, even if a caller removes more than it added. */
	for (t = 0; t < p->chwall_types; t++) {
		u64 bit = 1ULL << (t % 64);

		if ((le64_to_cpu(row[t / 64]) & bit) && st->running[t])
			st->running[t]--;
		if ((b[t / 64] & bit) && st->aggregate[t] &&
		    !--st->aggregate[t])
			st->blocked[t / 64] &= ~bit;
	}
}

u32 shype_chwall_culprit(const struct shype_policy *p,
			 const struct shype_chwall *st, u32 label, u32 type)
{
	const __le64 *row;
	u32 s, w, best = SHYPE_NOT_FOUND;

	if (label >= p->labels || type >= p->chwall_types)
		return SHYPE_NOT_FOUND;
	row = shype_chwall_row(p, label);
	/* The lowest running type outside @label in a set with @type. */
	for (s = 0; s < p->conflict_sets; s++) {
		const __le64 *set = shype_conflict_row(p, s);

		if (!shype_bit(set, type))
			continue;
		for (w = 0; w < p->chwall_words && w * 64 < best; w++) {
			u64 x = le64_to_cpu(set[w] & ~row[w]);

			for (; x; x &= x - 1) {
				u32 u = w * 64 + __builtin_ctzll(x);

				if (st->running[u] && u < best) {
					best = u;
					break;
				}
			}
		}
	}
	return best;
}
