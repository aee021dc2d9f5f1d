/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The canonical layout of a blob: where each section lies for given counts.
 * The validator checks a blob against it; libshype's compiler writes it.
 */
#ifndef SHYPE_CORE_LAYOUT_H
#define SHYPE_CORE_LAYOUT_H

#include "compat.h"

/* The sections, in the order of the blob and of its header. */
enum shype_section_id {
	SHYPE_SEC_STE_TYPES,
	SHYPE_SEC_CHWALL_TYPES,
	SHYPE_SEC_LABELS,
	SHYPE_SEC_STE_BITMAPS,
	SHYPE_SEC_CHWALL_BITMAPS,
	SHYPE_SEC_CONFLICT_SETS,
	SHYPE_SEC_RESOURCES,
	SHYPE_NR_SECTIONS
};

/**
 * struct shype_layout - offsets and sizes of the sections, and the total
 * @offset: byte offset of each section
 * @size: byte size of each section
 * @total: the blob's length
 */
struct shype_layout {
	u64 offset[SHYPE_NR_SECTIONS];
	u64 size[SHYPE_NR_SECTIONS];
	u64 total;
};

/** shype_words() - 64-bit words in a bitmap row of @types types */
static inline u32 shype_words(u32 types)
{
	return types / 64 + (types % 64 != 0);
}

/**
 * shype_layout() - compute the canonical layout for these counts, in 64-bit
 *	arithmetic that cannot overflow for any 32-bit counts
 */
void shype_layout(struct shype_layout *l, u32 ste_types, u32 chwall_types,
		  u32 labels, u32 conflict_sets, u32 resources);

#endif /* SHYPE_CORE_LAYOUT_H */
