// SPDX-License-Identifier: GPL-2.0
/*
 * The blob validator of kmod/core and the compiler of libshype: every
 * malformation is refused with its own error, and a valid blob survives
 * model -> blob -> model -> blob unchanged.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <cmocka.h>

#include "testutil.h"
#include "../../kmod/core/sha256.h"

/* The fixture's blob, compiled once. */
static u8 *fx_blob;
static size_t fx_len;

/* The copy that a test mutates. */
static u8 *b;
static size_t len;

#define H	       ((struct shype_policy_header *)b)
#define SECTION(field) ((void *)(b + le32toh(H->field.offset)))
#define STE_NAMES      ((struct shype_name *)SECTION(ste_types))
#define CHWALL_NAMES   ((struct shype_name *)SECTION(chwall_types))
#define LABELS	       ((struct shype_label *)SECTION(labels))
#define STE_BM	       ((__le64 *)SECTION(ste_bitmaps))
#define CHWALL_BM      ((__le64 *)SECTION(chwall_bitmaps))
#define SETS	       ((__le64 *)SECTION(conflict_sets))
#define RES	       ((struct shype_resource *)SECTION(resources))

static int group_setup(void **state)
{
	(void)state;
	return shype_model_compile(fixture_model(), (void **)&fx_blob, &fx_len);
}

static int group_teardown(void **state)
{
	(void)state;
	free(fx_blob);
	return 0;
}

static int setup(void **state)
{
	(void)state;
	len = fx_len;
	b = malloc(len);
	memcpy(b, fx_blob, len);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(b);
	return 0;
}

static int init(void)
{
	struct shype_policy p;

	return shype_policy_init(&p, b, len);
}

/* Validate after fixing the digest, so that the mutation is what trips. */
static int init_redigest(void)
{
	shype_digest(b, len, H->digest);
	return init();
}

/* Replace a NUL padded string field. */
#define PUT(field, str) (memset(field, 0, sizeof(field)), strcpy(field, str))

static void set_bit(__le64 *row, unsigned int bit)
{
	row[bit / 64] |= htole64(1ULL << (bit % 64));
}

static void clear_bit(__le64 *row, unsigned int bit)
{
	row[bit / 64] &= ~htole64(1ULL << (bit % 64));
}

/* --- The fixture itself. --- */

static void fixture_blob_is_valid(void **state)
{
	struct shype_policy p;

	(void)state;
	assert_int_equal(shype_policy_init(&p, b, len), 0);
	assert_ptr_equal(p.blob, b);
	assert_int_equal(p.len, len);
	assert_string_equal(p.name, "fixture");
	assert_int_equal(p.version_major, 1);
	assert_int_equal(p.version_minor, 2);
	assert_int_equal(p.ste_types, 3);
	assert_int_equal(p.chwall_types, 3);
	assert_int_equal(p.labels, FX_NR_LABELS);
	assert_int_equal(p.conflict_sets, 1);
	assert_int_equal(p.resources, FX_NR_RESOURCES);
	assert_int_equal(p.ste_words, 1);
	assert_int_equal(p.chwall_words, 1);
	assert_int_equal(p.unlabeled, FX_L_COMPUTING);
	assert_string_equal(p.ste_names[FX_ORDER].s, "Order");
	assert_string_equal(p.label[FX_L_VDISK_SERVER].name, "vdisk_server");
	assert_int_equal(le64toh(shype_ste_row(&p, FX_L_VDISK_SERVER)[0]), 5);
	assert_int_equal(le64toh(shype_conflict_row(&p, 0)[0]), 5);
	assert_string_equal(p.resource[4].name, "3");
	/* 256 + 2 x 3 x 64 + 6 x 72 + 6 x 8 x 2 + 8 + 5 x 264 */
	assert_int_equal(len, 256 + 384 + 432 + 96 + 8 + 1320);
}

/* --- One test per enum shype_blob_error. --- */

static void refuses_short_blob(void **state)
{
	(void)state;
	len = sizeof(struct shype_policy_header) - 1;
	assert_int_equal(init(), -SHYPE_BLOB_SHORT);
	len = 0;
	assert_int_equal(init(), -SHYPE_BLOB_SHORT);
}

static void refuses_blob_over_max_size(void **state)
{
	(void)state;
	len = SHYPE_POLICY_MAX_SIZE + 1;
	b = realloc(b, len);
	assert_int_equal(init(), -SHYPE_BLOB_TOO_LARGE);
	/* At the limit, the size itself is fine: total_len is what is wrong. */
	len = SHYPE_POLICY_MAX_SIZE;
	assert_int_equal(init(), -SHYPE_BLOB_BAD_TOTAL_LEN);
}

static void refuses_bad_magic(void **state)
{
	(void)state;
	H->magic = htole32(SHYPE_POLICY_MAGIC ^ 1);
	assert_int_equal(init_redigest(), -SHYPE_BLOB_BAD_MAGIC);
	H->magic = htobe32(SHYPE_POLICY_MAGIC);
	assert_int_equal(init_redigest(), -SHYPE_BLOB_BAD_MAGIC);
}

static void refuses_unknown_abi_version(void **state)
{
	(void)state;
	H->abi_version = htole16(SHYPE_ABI_VERSION + 1);
	assert_int_equal(init_redigest(), -SHYPE_BLOB_BAD_ABI_VERSION);
	H->abi_version = 0;
	assert_int_equal(init_redigest(), -SHYPE_BLOB_BAD_ABI_VERSION);
}

static void refuses_bad_header_len(void **state)
{
	(void)state;
	H->header_len = htole16(sizeof(struct shype_policy_header) + 8);
	assert_int_equal(init_redigest(), -SHYPE_BLOB_BAD_HEADER_LEN);
}

static void refuses_total_len_other_than_size(void **state)
{
	(void)state;
	H->total_len = htole32(len + 8);
	assert_int_equal(init_redigest(), -SHYPE_BLOB_BAD_TOTAL_LEN);
	H->total_len = htole32(len - 8);
	assert_int_equal(init_redigest(), -SHYPE_BLOB_BAD_TOTAL_LEN);
}

static void refuses_nonzero_reserved_fields(void **state)
{
	(void)state;
	H->flags = htole32(1U << 31);
	assert_int_equal(init_redigest(), -SHYPE_BLOB_RESERVED);
	H->flags = 0;
	H->reserved[sizeof(H->reserved) - 1] = 1;
	assert_int_equal(init_redigest(), -SHYPE_BLOB_RESERVED);
	H->reserved[sizeof(H->reserved) - 1] = 0;
	LABELS[FX_L_ORDER].reserved = htole32(1);
	assert_int_equal(init_redigest(), -SHYPE_BLOB_RESERVED);
	LABELS[FX_L_ORDER].reserved = 0;
	assert_int_equal(init_redigest(), 0);
}

static void refuses_bad_digest(void **state)
{
	(void)state;
	H->digest[31] ^= 0x80;
	assert_int_equal(init(), -SHYPE_BLOB_BAD_DIGEST);
	H->digest[31] ^= 0x80;
	assert_int_equal(init(), 0);
	/* Content changed, digest not: the last byte of the last name. */
	b[len - 1] = 'x';
	assert_int_equal(init(), -SHYPE_BLOB_BAD_DIGEST);
}

static void refuses_bad_policy_name(void **state)
{
	(void)state;
	memset(H->name, 0, sizeof(H->name));
	assert_int_equal(init_redigest(), -SHYPE_BLOB_BAD_POLICY_NAME);
	PUT(H->name, "fix ture");
	assert_int_equal(init_redigest(), -SHYPE_BLOB_BAD_POLICY_NAME);
	/* Garbage after the NUL. */
	PUT(H->name, "fixture");
	H->name[sizeof(H->name) - 1] = 'x';
	assert_int_equal(init_redigest(), -SHYPE_BLOB_BAD_POLICY_NAME);
	/* 64 name characters, no NUL; 63 are fine. */
	memset(H->name, 'n', sizeof(H->name));
	assert_int_equal(init_redigest(), -SHYPE_BLOB_BAD_POLICY_NAME);
	H->name[sizeof(H->name) - 1] = 0;
	assert_int_equal(init_redigest(), 0);
}

static void refuses_version_over_max(void **state)
{
	(void)state;
	H->version_major = htole32(SHYPE_VERSION_MAX + 1);
	assert_int_equal(init_redigest(), -SHYPE_BLOB_BAD_VERSION);
	H->version_major = htole32(SHYPE_VERSION_MAX);
	H->version_minor = htole32(SHYPE_VERSION_MAX + 1);
	assert_int_equal(init_redigest(), -SHYPE_BLOB_BAD_VERSION);
	H->version_minor = htole32(SHYPE_VERSION_MAX);
	assert_int_equal(init_redigest(), 0);
}

static void refuses_counts_over_limits(void **state)
{
	(void)state;
	H->ste_type_count = htole32(SHYPE_MAX_STE_TYPES + 1);
	assert_int_equal(init_redigest(), -SHYPE_BLOB_LIMIT);
	H->ste_type_count = htole32(3);
	H->chwall_type_count = htole32(SHYPE_MAX_CHWALL_TYPES + 1);
	assert_int_equal(init_redigest(), -SHYPE_BLOB_LIMIT);
	H->chwall_type_count = htole32(3);
	H->label_count = htole32(SHYPE_MAX_LABELS + 1);
	assert_int_equal(init_redigest(), -SHYPE_BLOB_LIMIT);
	H->label_count = htole32(FX_NR_LABELS);
	H->conflict_set_count = htole32(SHYPE_MAX_CONFLICT_SETS + 1);
	assert_int_equal(init_redigest(), -SHYPE_BLOB_LIMIT);
	H->conflict_set_count = htole32(1);
	H->resource_count = htole32(UINT32_MAX);
	assert_int_equal(init_redigest(), -SHYPE_BLOB_LIMIT);
	/* At a limit the count is fine; the layout then does not match. */
	H->resource_count = htole32(SHYPE_MAX_RESOURCES);
	assert_int_equal(init_redigest(), -SHYPE_BLOB_BAD_SECTION);
}

static void refuses_misplaced_sections(void **state)
{
	struct shype_policy_header *h = (void *)fx_blob;

	(void)state;
	H->ste_types.offset = htole32(le32toh(H->ste_types.offset) + 8);
	assert_int_equal(init_redigest(), -SHYPE_BLOB_BAD_SECTION);
	H->ste_types = h->ste_types;
	H->labels.size = htole32(le32toh(H->labels.size) - 72);
	assert_int_equal(init_redigest(), -SHYPE_BLOB_BAD_SECTION);
	H->labels = h->labels;
	H->resources.offset = 0;
	assert_int_equal(init_redigest(), -SHYPE_BLOB_BAD_SECTION);
	H->resources = h->resources;
	/* A count that does not match the sections. */
	H->conflict_set_count = htole32(2);
	assert_int_equal(init_redigest(), -SHYPE_BLOB_BAD_SECTION);
	H->conflict_set_count = htole32(1);
	assert_int_equal(init_redigest(), 0);
	/* Trailing bytes after the last section. */
	len += 8;
	b = realloc(b, len);
	memset(b + len - 8, 0, 8);
	H->total_len = htole32(len);
	assert_int_equal(init_redigest(), -SHYPE_BLOB_BAD_SECTION);
}

static void refuses_bad_names(void **state)
{
	(void)state;
	PUT(STE_NAMES[FX_ORDER].s, "Ord/er");
	assert_int_equal(init_redigest(), -SHYPE_BLOB_BAD_NAME);
	PUT(STE_NAMES[FX_ORDER].s, "Order");
	memset(CHWALL_NAMES[FX_ADVERTISING].s, 0, sizeof(struct shype_name));
	assert_int_equal(init_redigest(), -SHYPE_BLOB_BAD_NAME);
	PUT(CHWALL_NAMES[FX_ADVERTISING].s, "Advertising");
	LABELS[FX_L_COMPUTING].name[SHYPE_NAME_MAX] = 'x';
	assert_int_equal(init_redigest(), -SHYPE_BLOB_BAD_NAME);
	LABELS[FX_L_COMPUTING].name[SHYPE_NAME_MAX] = 0;
	assert_int_equal(init_redigest(), 0);
}

static void refuses_unsorted_or_duplicate_names(void **state)
{
	struct shype_resource r;

	(void)state;
	PUT(STE_NAMES[FX_COMPUTING].s, "Zcomputing");
	assert_int_equal(init_redigest(), -SHYPE_BLOB_UNSORTED);
	PUT(STE_NAMES[FX_COMPUTING].s, "Computing");
	PUT(CHWALL_NAMES[FX_COMPUTING].s, "Advertising");
	assert_int_equal(init_redigest(), -SHYPE_BLOB_UNSORTED);
	PUT(CHWALL_NAMES[FX_COMPUTING].s, "Computing");
	PUT(LABELS[FX_L_VDISK_SERVER].name, "vdisk_order");
	assert_int_equal(init_redigest(), -SHYPE_BLOB_UNSORTED);
	PUT(LABELS[FX_L_VDISK_SERVER].name, "vdisk_server");
	assert_int_equal(init_redigest(), 0);
	/* Resources: names out of order, a duplicate, kinds out of order. */
	r = RES[0];
	RES[0] = RES[1];
	RES[1] = r;
	assert_int_equal(init_redigest(), -SHYPE_BLOB_UNSORTED);
	RES[0] = r;
	assert_int_equal(init_redigest(), -SHYPE_BLOB_UNSORTED);
	memcpy(b, fx_blob, len);
	RES[2].kind = htole32(SHYPE_RES_VSOCK);
	PUT(RES[2].name, "4");
	assert_int_equal(init_redigest(), -SHYPE_BLOB_UNSORTED);
}

static void refuses_bad_label_flags(void **state)
{
	static const u32 bad[] = { 0, SHYPE_LABEL_VM | SHYPE_LABEL_RESOURCE, 4,
				   SHYPE_LABEL_VM | 0x100 };
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		LABELS[FX_L_ADVERTISING].flags = htole32(bad[i]);
		assert_int_equal(init_redigest(), -SHYPE_BLOB_BAD_LABEL_FLAGS);
	}
}

static void refuses_bits_beyond_type_count(void **state)
{
	(void)state;
	set_bit(STE_BM + FX_L_ORDER, 3);
	assert_int_equal(init_redigest(), -SHYPE_BLOB_STRAY_BITS);
	clear_bit(STE_BM + FX_L_ORDER, 3);
	set_bit(CHWALL_BM + FX_L_ORDER, 63);
	assert_int_equal(init_redigest(), -SHYPE_BLOB_STRAY_BITS);
	clear_bit(CHWALL_BM + FX_L_ORDER, 63);
	set_bit(SETS, 4);
	assert_int_equal(init_redigest(), -SHYPE_BLOB_STRAY_BITS);
	clear_bit(SETS, 4);
	assert_int_equal(init_redigest(), 0);
}

static void refuses_label_without_types(void **state)
{
	(void)state;
	STE_BM[FX_L_COMPUTING] = 0;
	CHWALL_BM[FX_L_COMPUTING] = 0;
	assert_int_equal(init_redigest(), -SHYPE_BLOB_EMPTY_LABEL);
	memcpy(b, fx_blob, len);
	STE_BM[FX_L_VDISK_ADS] = 0;
	assert_int_equal(init_redigest(), -SHYPE_BLOB_EMPTY_LABEL);
}

static void accepts_vm_label_with_chwall_types_only(void **state)
{
	(void)state;
	STE_BM[FX_L_COMPUTING] = 0;
	assert_int_equal(init_redigest(), 0);
}

static void refuses_conflict_set_of_one_type(void **state)
{
	(void)state;
	clear_bit(SETS, FX_ORDER);
	assert_int_equal(init_redigest(), -SHYPE_BLOB_BAD_CONFLICT_SET);
	SETS[0] = 0;
	assert_int_equal(init_redigest(), -SHYPE_BLOB_BAD_CONFLICT_SET);
}

static void refuses_label_whose_types_conflict(void **state)
{
	(void)state;
	set_bit(CHWALL_BM + FX_L_ORDER, FX_ADVERTISING);
	assert_int_equal(init_redigest(), -SHYPE_BLOB_SELF_CONFLICT);
	/* Order and Computing do not conflict. */
	clear_bit(CHWALL_BM + FX_L_ORDER, FX_ADVERTISING);
	set_bit(CHWALL_BM + FX_L_ORDER, FX_COMPUTING);
	assert_int_equal(init_redigest(), 0);
}

static void refuses_resource_label_with_chwall_types(void **state)
{
	(void)state;
	set_bit(CHWALL_BM + FX_L_VDISK_ADS, FX_COMPUTING);
	assert_int_equal(init_redigest(), -SHYPE_BLOB_RESOURCE_CHWALL);
}

static void refuses_bad_resources(void **state)
{
	static const struct {
		unsigned int index;
		u32 kind;
		const char *name;
	} bad[] = {
		{ 0, 0, "/dev/shm/vdisk-ads" },
		{ 4, SHYPE_RES_VSOCK + 1, "3" },
		{ 0, SHYPE_RES_SHM, "dev/shm/vdisk-ads" },
		{ 0, SHYPE_RES_SHM, "/dev/shm/vdisk ads" },
		{ 3, SHYPE_RES_NET, "br-order-0123456" },
		{ 3, SHYPE_RES_NET, ".." },
		{ 4, SHYPE_RES_VSOCK, "03" },
		{ 4, SHYPE_RES_VSOCK, "2" },
		{ 4, SHYPE_RES_VSOCK, "4294967295" },
		{ 4, SHYPE_RES_VSOCK, "" },
	};
	struct shype_resource *r;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		r = &RES[bad[i].index];
		memcpy(b, fx_blob, len);
		PUT(r->name, bad[i].name);
		r->kind = htole32(bad[i].kind);
		assert_int_equal(init_redigest(), -SHYPE_BLOB_BAD_RESOURCE);
	}
	/* Not NUL padded, not NUL terminated. */
	memcpy(b, fx_blob, len);
	RES[1].name[SHYPE_RESOURCE_NAME_MAX] = 'x';
	assert_int_equal(init_redigest(), -SHYPE_BLOB_BAD_RESOURCE);
	memset(RES[1].name, 'x', sizeof(RES[1].name));
	RES[1].name[0] = '/';
	assert_int_equal(init_redigest(), -SHYPE_BLOB_BAD_RESOURCE);
	RES[1].name[SHYPE_RESOURCE_NAME_MAX] = 0;
	assert_int_equal(init_redigest(), 0);
}

static void refuses_resource_of_unknown_label(void **state)
{
	(void)state;
	RES[4].label = htole32(FX_NR_LABELS);
	assert_int_equal(init_redigest(), -SHYPE_BLOB_BAD_RESOURCE_LABEL);
	RES[4].label = htole32(FX_NR_LABELS - 1);
	assert_int_equal(init_redigest(), 0);
}

static void refuses_unlabeled_other_than_vm_label_or_deny(void **state)
{
	(void)state;
	H->unlabeled = htole32(FX_L_VDISK_ADS);
	assert_int_equal(init_redigest(), -SHYPE_BLOB_BAD_UNLABELED);
	H->unlabeled = htole32(FX_NR_LABELS);
	assert_int_equal(init_redigest(), -SHYPE_BLOB_BAD_UNLABELED);
	H->unlabeled = htole32(SHYPE_UNLABELED_DENY - 1);
	assert_int_equal(init_redigest(), -SHYPE_BLOB_BAD_UNLABELED);
	H->unlabeled = htole32(SHYPE_UNLABELED_DENY);
	assert_int_equal(init_redigest(), 0);
}

static void refuses_unlabeled_files_other_than_a_mode(void **state)
{
	(void)state;
	H->unlabeled_files = htole32(SHYPE_FILES_DENY + 1);
	assert_int_equal(init_redigest(), -SHYPE_BLOB_BAD_UNLABELED_FILES);
	H->unlabeled_files = htole32(0xffffffffU);
	assert_int_equal(init_redigest(), -SHYPE_BLOB_BAD_UNLABELED_FILES);
	H->unlabeled_files = htole32(SHYPE_FILES_DENY);
	assert_int_equal(init_redigest(), 0);
	H->unlabeled_files = htole32(SHYPE_FILES_LABEL);
	assert_int_equal(init_redigest(), 0);
	/* Whatever "unlabeled" says: the fuzzer's find with it "deny". */
	H->unlabeled = htole32(SHYPE_UNLABELED_DENY);
	H->unlabeled_files = htole32(SHYPE_FILES_DENY + 1);
	assert_int_equal(init_redigest(), -SHYPE_BLOB_BAD_UNLABELED_FILES);
}

/* --- Errors: messages and errnos. --- */

static void each_error_has_its_own_message(void **state)
{
	int i, j;

	(void)state;
	for (i = 0; i < SHYPE_BLOB_NR_ERRORS; i++) {
		assert_non_null(shype_blob_strerror(i));
		assert_string_equal(shype_blob_strerror(i),
				    shype_blob_strerror(-i));
		for (j = 0; j < i; j++)
			assert_string_not_equal(shype_blob_strerror(i),
						shype_blob_strerror(j));
	}
	assert_string_equal(shype_blob_strerror(-SHYPE_BLOB_BAD_DIGEST),
			    "digest mismatch");
	assert_string_equal(shype_blob_strerror(SHYPE_BLOB_NR_ERRORS),
			    "unknown policy error");
}

static void errors_map_to_errnos(void **state)
{
	int i;

	(void)state;
	assert_int_equal(shype_blob_errno(0), 0);
	for (i = 1; i < SHYPE_BLOB_NR_ERRORS; i++) {
		int want = EBADMSG;

		if (i == SHYPE_BLOB_BAD_ABI_VERSION)
			want = EPROTONOSUPPORT;
		else if (i == SHYPE_BLOB_LIMIT || i == SHYPE_BLOB_TOO_LARGE)
			want = E2BIG;
		assert_int_equal(shype_blob_errno(-i), want);
		assert_int_equal(shype_blob_errno(i), want);
	}
}

/* --- Hostile input at large. --- */

static void refuses_every_truncation(void **state)
{
	size_t full = len;

	(void)state;
	for (len = 0; len < full; len++)
		assert_int_equal(init(),
				 len < sizeof(struct shype_policy_header) ?
					 -SHYPE_BLOB_SHORT :
					 -SHYPE_BLOB_BAD_TOTAL_LEN);
}

static void refuses_every_single_bit_flip(void **state)
{
	size_t i;
	int bit;

	(void)state;
	for (i = 0; i < len; i++)
		for (bit = 0; bit < 8; bit++) {
			b[i] ^= 1 << bit;
			if (init() == 0)
				fail_msg("flip of bit %d of byte %zu accepted",
					 bit, i);
			b[i] ^= 1 << bit;
		}
	assert_int_equal(init(), 0);
}

/* --- Names. --- */

static void names_follow_the_policy_language(void **state)
{
	char max[SHYPE_NAME_MAX + 2];

	(void)state;
	memset(max, 'a', sizeof(max));
	assert_true(shype_name_valid(max, SHYPE_NAME_MAX));
	assert_false(shype_name_valid(max, SHYPE_NAME_MAX + 1));
	assert_false(shype_name_valid("", 0));
	assert_true(shype_name_valid("A-z_0.9", 7));
	assert_false(shype_name_valid("a b", 3));
	assert_false(shype_name_valid("a:b", 3));
	assert_false(shype_name_valid("a\0b", 3));
	assert_false(shype_name_valid("\xc3\xa9", 2));
}

static void resource_names_follow_their_kind(void **state)
{
	static const struct {
		u32 kind;
		const char *name;
		bool valid;
	} cases[] = {
		{ SHYPE_RES_SHM, "/dev/shm/x", true },
		{ SHYPE_RES_SHM, "/", true },
		{ SHYPE_RES_SHM, "/a~!", true },
		{ SHYPE_RES_SHM, "", false },
		{ SHYPE_RES_SHM, "x", false },
		{ SHYPE_RES_SHM, "/a b", false },
		{ SHYPE_RES_SHM, "/a\tb", false },
		{ SHYPE_RES_SHM, "/a\x7f", false },
		{ SHYPE_RES_SHM, "/\xc3\xa9", false },
		{ SHYPE_RES_NET, "br0", true },
		{ SHYPE_RES_NET, "...", true },
		{ SHYPE_RES_NET, "a.b-c_D", true },
		{ SHYPE_RES_NET, "123456789012345", true },
		{ SHYPE_RES_NET, "1234567890123456", false },
		{ SHYPE_RES_NET, "", false },
		{ SHYPE_RES_NET, ".", false },
		{ SHYPE_RES_NET, "..", false },
		{ SHYPE_RES_NET, "br/0", false },
		{ SHYPE_RES_NET, "br 0", false },
		{ SHYPE_RES_VSOCK, "3", true },
		{ SHYPE_RES_VSOCK, "10", true },
		{ SHYPE_RES_VSOCK, "4294967294", true },
		{ SHYPE_RES_VSOCK, "4294967295", false },
		{ SHYPE_RES_VSOCK, "10000000000", false },
		{ SHYPE_RES_VSOCK, "99999999999999999999", false },
		{ SHYPE_RES_VSOCK, "2", false },
		{ SHYPE_RES_VSOCK, "0", false },
		{ SHYPE_RES_VSOCK, "03", false },
		{ SHYPE_RES_VSOCK, "+3", false },
		{ SHYPE_RES_VSOCK, "3a", false },
		{ SHYPE_RES_VSOCK, "", false },
		{ 0, "/dev/shm/x", false },
		{ SHYPE_RES_VSOCK + 1, "3", false },
	};
	char path[SHYPE_RESOURCE_NAME_MAX + 2];
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++)
		if (shype_resource_name_valid(cases[i].kind, cases[i].name,
					      strlen(cases[i].name)) !=
		    cases[i].valid)
			fail_msg("kind %u name '%s': expected %s",
				 cases[i].kind, cases[i].name,
				 cases[i].valid ? "valid" : "invalid");
	memset(path, 'p', sizeof(path));
	path[0] = '/';
	assert_true(shype_resource_name_valid(SHYPE_RES_SHM, path,
					      SHYPE_RESOURCE_NAME_MAX));
	assert_false(shype_resource_name_valid(SHYPE_RES_SHM, path,
					       SHYPE_RESOURCE_NAME_MAX + 1));
}

/* --- SHA-256 (FIPS 180-4 examples) and the digest. --- */

static void sha256_hex(const void *data, size_t n, size_t repeat, char *hex)
{
	struct shype_sha256 c;
	u8 d[32];
	int i;

	shype_sha256_init(&c);
	while (repeat--)
		shype_sha256_update(&c, data, n);
	shype_sha256_final(&c, d);
	for (i = 0; i < 32; i++)
		sprintf(hex + 2 * i, "%02x", d[i]);
}

static void sha256_matches_test_vectors(void **state)
{
	char hex[65], a[1000];

	(void)state;
	sha256_hex("", 0, 1, hex);
	assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb924"
				 "27ae41e4649b934ca495991b7852b855");
	sha256_hex("abc", 3, 1, hex);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223"
				 "b00361a396177a9cb410ff61f20015ad");
	sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
		   56, 1, hex);
	assert_string_equal(hex, "248d6a61d20638b8e5c026930c3e6039"
				 "a33ce45964ff2167f6ecedd419db06c1");
	memset(a, 'a', sizeof(a));
	sha256_hex(a, sizeof(a), 1000, hex);
	assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67"
				 "f1809a48a497200e046d39ccc7112cd0");
	/* Lengths at the padding's edges (digests from Python's hashlib). */
	sha256_hex(a, 55, 1, hex);
	assert_string_equal(hex, "9f4390f8d30c2dd92ec9f095b65e2b9a"
				 "e9b0a925a5258e241c9f1e910f734318");
	sha256_hex(a, 63, 1, hex);
	assert_string_equal(hex, "7d3e74a05d7db15bce4ad9ec0658ea98"
				 "e3f06eeecf16b4c6fff2da457ddc2f34");
	sha256_hex(a, 64, 1, hex);
	assert_string_equal(hex, "ffe054fe7ae0cb6dc65c3af9b61d5209"
				 "f439851db43d0ba5997337df154668eb");
	sha256_hex(a, 119, 1, hex);
	assert_string_equal(hex, "31eba51c313a5c08226adf18d4a359cf"
				 "dfd8d2e816b13f4af952f7ea6584dcfb");
	/* A million 'a' in pieces that straddle blocks. */
	sha256_hex(a, 125, 8000, hex);
	assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67"
				 "f1809a48a497200e046d39ccc7112cd0");
}

static void digest_skips_only_the_digest_field(void **state)
{
	const size_t off = offsetof(struct shype_policy_header, digest);
	struct shype_sha256 c;
	u8 want[32], got[32];
	u8 *copy;

	(void)state;
	copy = malloc(len);
	memcpy(copy, b, len);
	memmove(copy + off, copy + off + SHYPE_DIGEST_SIZE,
		len - off - SHYPE_DIGEST_SIZE);
	shype_sha256_init(&c);
	shype_sha256_update(&c, copy, len - SHYPE_DIGEST_SIZE);
	shype_sha256_final(&c, want);
	shype_digest(b, len, got);
	assert_memory_equal(got, want, 32);
	assert_memory_equal(H->digest, want, 32);
	free(copy);
}

/* --- The compiler. --- */

static void round_trip_keeps_model_and_bytes(void **state)
{
	struct shype_model *m = NULL;
	void *again;
	size_t again_len;

	(void)state;
	assert_int_equal(shype_model_decode(b, len, &m), 0);
	assert_model_equal(m, fixture_model());
	assert_int_equal(shype_model_compile(m, &again, &again_len), 0);
	assert_int_equal(again_len, len);
	assert_memory_equal(again, b, len);
	free(again);
	shype_model_free(m);
}

/* File resources and each unlabeled_files mode survive compile and decode. */
static void round_trip_keeps_files(void **state)
{
	struct shype_model_resource res[FX_NR_RESOURCES + 2];
	struct shype_model m = *fixture_model(), *d = NULL;
	struct shype_policy p;
	unsigned int mode;
	void *blob;
	size_t n;

	(void)state;
	memcpy(res, m.resources, sizeof(*res) * FX_NR_RESOURCES);
	res[FX_NR_RESOURCES] = (struct shype_model_resource){
		SHYPE_RES_FILE, "/var/lib/images/a.img", FX_L_ORDER
	};
	res[FX_NR_RESOURCES + 1] = (struct shype_model_resource){
		SHYPE_RES_FILE, "/var/lib/images/b.img", FX_L_VDISK_ADS
	};
	m.resources = res;
	m.n_resources = FX_NR_RESOURCES + 2;
	for (mode = SHYPE_FILES_LABEL; mode <= SHYPE_FILES_DENY; mode++) {
		m.unlabeled_files = mode;
		assert_int_equal(shype_model_compile(&m, &blob, &n), 0);
		assert_int_equal(shype_policy_init(&p, blob, n), 0);
		assert_int_equal(p.unlabeled_files, mode);
		assert_int_equal(shype_resource_label(&p, SHYPE_RES_FILE,
						      "/var/lib/images/b.img",
						      NULL),
				 FX_L_VDISK_ADS);
		assert_int_equal(shype_model_decode(blob, n, &d), 0);
		assert_model_equal(d, &m);
		shype_model_free(d);
		free(blob);
	}
	m.unlabeled_files = SHYPE_FILES_DENY + 1;
	assert_int_equal(shype_model_compile(&m, &blob, &n), -EINVAL);
}

static void decode_refuses_invalid_blob(void **state)
{
	struct shype_model *m = NULL;

	(void)state;
	H->version_minor = htole32(3);
	assert_int_equal(shype_model_decode(b, len, &m),
			 -SHYPE_BLOB_BAD_DIGEST);
	assert_null(m);
}

/* A model of @n types t000, t001, ... and one label per type group. */
static void wide_model(struct shype_model *m, char **names, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		names[i] = malloc(16);
		snprintf(names[i], 16, "t%04u", i);
	}
	*m = *fixture_model();
	m->ste_types = m->chwall_types = names;
	m->n_ste_types = m->n_chwall_types = n;
}

static void compiles_multi_word_bitmaps(void **state)
{
	static unsigned int ste[] = { 0, 63, 64, 129 };
	static unsigned int chwall[] = { 64, 128 };
	static unsigned int set[] = { 1, 129 };
	struct shype_model_conflict_set sets[] = { { set, 2 } };
	struct shype_model_label labels[] = {
		{ "wide", false, ste, ARRAY_SIZE(ste), chwall,
		  ARRAY_SIZE(chwall) },
	};
	struct shype_model m, *d = NULL;
	struct shype_policy p;
	char *names[130];
	void *blob;
	size_t n;
	unsigned int i;

	(void)state;
	wide_model(&m, names, 130);
	m.labels = labels;
	m.n_labels = 1;
	m.sets = sets;
	m.n_sets = 1;
	m.n_resources = 0;
	m.unlabeled = 0;
	assert_int_equal(shype_model_compile(&m, &blob, &n), 0);
	assert_int_equal(shype_policy_init(&p, blob, n), 0);
	assert_int_equal(p.ste_words, 3);
	assert_int_equal(le64toh(shype_ste_row(&p, 0)[0]), 1ULL | 1ULL << 63);
	assert_int_equal(le64toh(shype_ste_row(&p, 0)[1]), 1);
	assert_int_equal(le64toh(shype_ste_row(&p, 0)[2]), 2);
	assert_true(shype_bit(shype_chwall_row(&p, 0), 128));
	assert_int_equal(shype_model_decode(blob, n, &d), 0);
	assert_model_equal(d, &m);
	shype_model_free(d);

	/* Bit 130 of a 130-type row is stray, in its third word. */
	b = realloc(b, n);
	memcpy(b, blob, len = n);
	set_bit(STE_BM, 130);
	assert_int_equal(init_redigest(), -SHYPE_BLOB_STRAY_BITS);
	/* Conflicting types in the first and the last word of a row. */
	clear_bit(STE_BM, 130);
	set_bit(CHWALL_BM, 129);
	assert_int_equal(init_redigest(), 0);
	set_bit(CHWALL_BM, 1);
	assert_int_equal(init_redigest(), -SHYPE_BLOB_SELF_CONFLICT);
	free(blob);
	for (i = 0; i < 130; i++)
		free(names[i]);
}

static void compile_refuses_what_a_blob_cannot_hold(void **state)
{
	struct shype_model m = *fixture_model();
	char *names[SHYPE_MAX_STE_TYPES + 1];
	char long_name[SHYPE_NAME_MAX + 2];
	void *blob = NULL;
	size_t n, i;

	(void)state;
	wide_model(&m, names, SHYPE_MAX_STE_TYPES + 1);
	assert_int_equal(shype_model_compile(&m, &blob, &n), -E2BIG);
	m.n_ste_types = SHYPE_MAX_STE_TYPES;
	m.n_chwall_types = SHYPE_MAX_CHWALL_TYPES;
	assert_int_equal(shype_model_compile(&m, &blob, &n), 0);
	free(blob);
	for (i = 0; i < ARRAY_SIZE(names); i++)
		free(names[i]);

	m = *fixture_model();
	memset(long_name, 'x', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = 0;
	m.name = long_name;
	assert_int_equal(shype_model_compile(&m, &blob, &n), -E2BIG);
	long_name[SHYPE_NAME_MAX] = 0;
	assert_int_equal(shype_model_compile(&m, &blob, &n), 0);
	free(blob);
	m.version_minor = SHYPE_VERSION_MAX + 1;
	assert_int_equal(shype_model_compile(&m, &blob, &n), -E2BIG);
}

static void compile_refuses_broken_model(void **state)
{
	static char *unsorted[] = { "Order", "Computing", "Advertising" };
	struct shype_model m = *fixture_model();
	struct shype_model_resource r;
	void *blob = NULL;
	size_t n;

	(void)state;
	m.ste_types = unsorted;
	assert_int_equal(shype_model_compile(&m, &blob, &n), -EINVAL);
	m = *fixture_model();
	m.n_ste_types = 2; /* order's type is now out of range */
	assert_int_equal(shype_model_compile(&m, &blob, &n), -EINVAL);
	m = *fixture_model();
	m.unlabeled = FX_NR_LABELS;
	assert_int_equal(shype_model_compile(&m, &blob, &n), -EINVAL);
	m.unlabeled = -2;
	assert_int_equal(shype_model_compile(&m, &blob, &n), -EINVAL);
	m = *fixture_model();
	r = m.resources[0];
	r.label = FX_NR_LABELS;
	m.resources = &r;
	m.n_resources = 1;
	assert_int_equal(shype_model_compile(&m, &blob, &n), -EINVAL);
	assert_null(blob);
}

/* --- Policy files. --- */

static char tmp_path[64];

static void write_tmp(const void *data, size_t n)
{
	int fd;

	strcpy(tmp_path, "/tmp/shype-test-blob-XXXXXX");
	fd = mkstemp(tmp_path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, n), (ssize_t)n);
	close(fd);
}

static void load_file_reads_a_blob(void **state)
{
	struct shype_errors errs = { 0 };
	struct shype_policy p;
	void *blob;
	size_t n;

	(void)state;
	write_tmp(b, len);
	assert_int_equal(shype_policy_load_file(tmp_path, &blob, &n, &p, &errs),
			 0);
	unlink(tmp_path);
	assert_int_equal(errs.n, 0);
	assert_int_equal(n, len);
	assert_memory_equal(blob, b, len);
	assert_ptr_equal(p.blob, blob);
	assert_int_equal(p.labels, FX_NR_LABELS);
	free(blob);
}

static void load_file_refuses_a_bad_blob(void **state)
{
	struct shype_errors errs = { 0 };
	struct shype_policy p;
	void *blob = NULL;
	size_t n;

	(void)state;
	H->unlabeled = htole32(FX_L_VDISK_ADS);
	shype_digest(b, len, H->digest);
	write_tmp(b, len);
	assert_int_equal(shype_policy_load_file(tmp_path, &blob, &n, &p, &errs),
			 -EINVAL);
	unlink(tmp_path);
	assert_null(blob);
	assert_int_equal(errs.n, 1);
	assert_string_equal(errs.v[0].file, tmp_path);
	assert_int_equal(errs.v[0].line, 0);
	assert_int_equal(errs.v[0].col, 0);
	assert_string_equal(errs.v[0].msg,
			    "invalid policy blob: unlabeled is neither a VM "
			    "label nor deny");
	shype_errors_free(&errs);
}

static void load_file_reports_missing_file(void **state)
{
	struct shype_errors errs = { 0 };
	struct shype_policy p;
	void *blob = NULL;
	size_t n;

	(void)state;
	assert_int_equal(shype_policy_load_file("no/such.json", &blob, &n, &p,
						&errs),
			 -ENOENT);
	assert_int_equal(errs.n, 1);
	assert_string_equal(errs.v[0].file, "no/such.json");
	assert_int_equal(errs.v[0].line, 0);
	assert_string_equal(errs.v[0].msg,
			    "cannot read: No such file or directory");
	shype_errors_free(&errs);
}

static void load_file_compiles_figure2_source(void **state)
{
	struct shype_errors errs = { 0 };
	struct shype_model *m = NULL;
	struct shype_policy p;
	void *blob;
	size_t n;

	(void)state;
	assert_int_equal(shype_policy_load_file("../../policies/figure2.json",
						&blob, &n, &p, &errs),
			 0);
	assert_int_equal(errs.n, 0);
	assert_string_equal(p.name, "figure2");
	assert_int_equal(p.version_major, 1);
	assert_int_equal(p.version_minor, 0);
	assert_int_equal(p.labels, 6);
	assert_int_equal(p.resources, 4);
	assert_int_equal(p.unlabeled, SHYPE_UNLABELED_DENY);
	/* The blob is canonical: decoding and compiling gives it back. */
	assert_int_equal(shype_model_decode(blob, n, &m), 0);
	free(blob);
	assert_int_equal(shype_model_compile(m, &blob, &n), 0);
	assert_int_equal(shype_policy_init(&p, blob, n), 0);
	assert_string_equal(p.label[shype_label_find(&p, "vdisk_ads", 9)].name,
			    "vdisk_ads");
	free(blob);
	shype_model_free(m);
}

static void decoded_model_equals_parsed_model(void **state)
{
	struct shype_errors errs = { 0 };
	struct shype_model *parsed = NULL, *decoded = NULL;
	void *blob;
	size_t n;

	(void)state;
	assert_int_equal(shype_model_parse_file("../../policies/figure2.json",
						&parsed, &errs),
			 0);
	assert_int_equal(shype_model_compile(parsed, &blob, &n), 0);
	assert_int_equal(shype_model_decode(blob, n, &decoded), 0);
	assert_model_equal(decoded, parsed);
	assert_int_equal(decoded->unlabeled, -1);
	assert_int_equal(decoded->n_labels, 6);
	assert_true(decoded->labels[3].resource); /* vdisk_ads */
	free(blob);
	shype_model_free(parsed);
	shype_model_free(decoded);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(fixture_blob_is_valid),
		T(refuses_short_blob),
		T(refuses_blob_over_max_size),
		T(refuses_bad_magic),
		T(refuses_unknown_abi_version),
		T(refuses_bad_header_len),
		T(refuses_total_len_other_than_size),
		T(refuses_nonzero_reserved_fields),
		T(refuses_bad_digest),
		T(refuses_bad_policy_name),
		T(refuses_version_over_max),
		T(refuses_counts_over_limits),
		T(refuses_misplaced_sections),
		T(refuses_bad_names),
		T(refuses_unsorted_or_duplicate_names),
		T(refuses_bad_label_flags),
		T(refuses_bits_beyond_type_count),
		T(refuses_label_without_types),
		T(accepts_vm_label_with_chwall_types_only),
		T(refuses_conflict_set_of_one_type),
		T(refuses_label_whose_types_conflict),
		T(refuses_resource_label_with_chwall_types),
		T(refuses_bad_resources),
		T(refuses_resource_of_unknown_label),
		T(refuses_unlabeled_other_than_vm_label_or_deny),
		T(refuses_unlabeled_files_other_than_a_mode),
		T(each_error_has_its_own_message),
		T(errors_map_to_errnos),
		T(refuses_every_truncation),
		T(refuses_every_single_bit_flip),
		T(names_follow_the_policy_language),
		T(resource_names_follow_their_kind),
		T(sha256_matches_test_vectors),
		T(digest_skips_only_the_digest_field),
		T(round_trip_keeps_model_and_bytes),
		T(round_trip_keeps_files),
		T(decode_refuses_invalid_blob),
		T(compiles_multi_word_bitmaps),
		T(compile_refuses_what_a_blob_cannot_hold),
		T(compile_refuses_broken_model),
		T(load_file_reads_a_blob),
		T(load_file_refuses_a_bad_blob),
		T(load_file_reports_missing_file),
		T(load_file_compiles_figure2_source),
		T(decoded_model_equals_parsed_model),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
