// SPDX-License-Identifier: GPL-2.0
/*
 * Simple Type Enforcement: two labels may share when their STE type
 * bitmaps intersect.  One AND per 64 types, nothing to cache.
 */
#include "policy.h"

bool shype_ste_share(const struct shype_policy *p, u32 a, u32 b)
{
	return shype_ste_common(p, a, b) != SHYPE_NOT_FOUND;
}

u32 shype_ste_common(const struct shype_policy *p, u32 a, u32 b)
{
	const __le64 *ra, *rb;
	u32 w;

	/*
	 * A VM admitted in permissive mode may hold no label of the policy
	 * (SHYPE_NOT_FOUND): it shares no type with anyone.
	 */
	if (a >= p->labels || b >= p->labels)
		return SHYPE_NOT_FOUND;
	ra = shype_ste_row(p, a);
	rb = shype_ste_row(p, b);
	for (w = 0; w < p->ste_words; w++) {
		u64 x = le64_to_cpu(ra[w] & rb[w]);

		if (x)
			return w * 64 + __builtin_ctzll(x);
	}
	return SHYPE_NOT_FOUND;
}
