/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the unit tests (and the blob fuzzer): a small policy
 * model built in C, and a model comparison.  Include after <cmocka.h> for
 * assert_model_equal().
 */
#ifndef SHYPE_TESTS_TESTUTIL_H
#define SHYPE_TESTS_TESTUTIL_H

#include <string.h>

#include "../../libshype/shype.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/*
 * The coalitions of the sHype paper's Figure 2, plus a vsock resource and
 * an unlabeled label, so that every section of a blob has records:
 *
 *   ste, chwall types   0 Advertising  1 Computing  2 Order
 *   conflict set        { Advertising, Order }
 *   labels              0 advertising  VM  ste {0}    chwall {0}
 *                       1 computing    VM  ste {1}    chwall {1}
 *                       2 order        VM  ste {2}    chwall {2}
 *                       3 vdisk_ads    resource, ste {0}
 *                       4 vdisk_order  resource, ste {2}
 *                       5 vdisk_server VM  ste {0, 2}
 *   resources           0 shm:/dev/shm/vdisk-ads    vdisk_ads
 *                       1 shm:/dev/shm/vdisk-order  vdisk_order
 *                       2 net:br-ads                advertising
 *                       3 net:br-order              order
 *                       4 vsock:3                   computing
 *   unlabeled           computing
 */
enum { FX_ADVERTISING, FX_COMPUTING, FX_ORDER };
enum {
	FX_L_ADVERTISING,
	FX_L_COMPUTING,
	FX_L_ORDER,
	FX_L_VDISK_ADS,
	FX_L_VDISK_ORDER,
	FX_L_VDISK_SERVER,
	FX_NR_LABELS
};
#define FX_NR_RESOURCES 5

static inline const struct shype_model *fixture_model(void)
{
	static char *types[] = { "Advertising", "Computing", "Order" };
	static unsigned int t_ads[] = { FX_ADVERTISING };
	static unsigned int t_comp[] = { FX_COMPUTING };
	static unsigned int t_order[] = { FX_ORDER };
	static unsigned int t_both[] = { FX_ADVERTISING, FX_ORDER };
	static struct shype_model_conflict_set sets[] = { { t_both, 2 } };
	static struct shype_model_label labels[] = {
		{ "advertising", false, t_ads, 1, t_ads, 1 },
		{ "computing", false, t_comp, 1, t_comp, 1 },
		{ "order", false, t_order, 1, t_order, 1 },
		{ "vdisk_ads", true, t_ads, 1, NULL, 0 },
		{ "vdisk_order", true, t_order, 1, NULL, 0 },
		{ "vdisk_server", false, t_both, 2, NULL, 0 },
	};
	static struct shype_model_resource res[] = {
		{ SHYPE_RES_SHM, "/dev/shm/vdisk-ads", FX_L_VDISK_ADS },
		{ SHYPE_RES_SHM, "/dev/shm/vdisk-order", FX_L_VDISK_ORDER },
		{ SHYPE_RES_NET, "br-ads", FX_L_ADVERTISING },
		{ SHYPE_RES_NET, "br-order", FX_L_ORDER },
		{ SHYPE_RES_VSOCK, "3", FX_L_COMPUTING },
	};
	static const struct shype_model m = {
		.name = "fixture",
		.version_major = 1,
		.version_minor = 2,
		.ste_types = types,
		.n_ste_types = ARRAY_SIZE(types),
		.chwall_types = types,
		.n_chwall_types = ARRAY_SIZE(types),
		.sets = sets,
		.n_sets = ARRAY_SIZE(sets),
		.labels = labels,
		.n_labels = ARRAY_SIZE(labels),
		.resources = res,
		.n_resources = ARRAY_SIZE(res),
		.unlabeled = FX_L_COMPUTING,
	};

	return &m;
}

#ifdef cmocka_unit_test

static inline void assert_indices_equal(const unsigned int *a, size_t na,
					const unsigned int *b, size_t nb)
{
	assert_int_equal(na, nb);
	if (na)
		assert_memory_equal(a, b, na * sizeof(*a));
}

/* Field by field, so that a failure names the field that differs. */
static inline void assert_model_equal(const struct shype_model *a,
				      const struct shype_model *b)
{
	size_t i;

	assert_string_equal(a->name, b->name);
	assert_int_equal(a->version_major, b->version_major);
	assert_int_equal(a->version_minor, b->version_minor);
	assert_int_equal(a->unlabeled, b->unlabeled);
	assert_int_equal(a->unlabeled_files, b->unlabeled_files);
	assert_int_equal(a->n_ste_types, b->n_ste_types);
	for (i = 0; i < a->n_ste_types; i++)
		assert_string_equal(a->ste_types[i], b->ste_types[i]);
	assert_int_equal(a->n_chwall_types, b->n_chwall_types);
	for (i = 0; i < a->n_chwall_types; i++)
		assert_string_equal(a->chwall_types[i], b->chwall_types[i]);
	assert_int_equal(a->n_sets, b->n_sets);
	for (i = 0; i < a->n_sets; i++)
		assert_indices_equal(a->sets[i].types, a->sets[i].n,
				     b->sets[i].types, b->sets[i].n);
	assert_int_equal(a->n_labels, b->n_labels);
	for (i = 0; i < a->n_labels; i++) {
		const struct shype_model_label *la = &a->labels[i];
		const struct shype_model_label *lb = &b->labels[i];

		assert_string_equal(la->name, lb->name);
		assert_int_equal(la->resource, lb->resource);
		assert_indices_equal(la->ste, la->n_ste, lb->ste, lb->n_ste);
		assert_indices_equal(la->chwall, la->n_chwall, lb->chwall,
				     lb->n_chwall);
	}
	assert_int_equal(a->n_resources, b->n_resources);
	for (i = 0; i < a->n_resources; i++) {
		assert_int_equal(a->resources[i].kind, b->resources[i].kind);
		assert_string_equal(a->resources[i].name, b->resources[i].name);
		assert_int_equal(a->resources[i].label, b->resources[i].label);
	}
}

#endif /* cmocka_unit_test */

#endif /* SHYPE_TESTS_TESTUTIL_H */
