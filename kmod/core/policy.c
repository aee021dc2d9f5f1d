// SPDX-License-Identifier: GPL-2.0
/*
 * Validation of binary policies.  The blob is hostile: every count, offset,
 * size, name and bit is checked against include/uapi/linux/shype.h before
 * anything else reads it, and each kind of fault has its own error.
 */
#include "policy.h"
#include "layout.h"
#include "sha256.h"

#define DIGEST_OFF offsetof(struct shype_policy_header, digest)

/* Every record is a multiple of 8 bytes, so sections never need padding. */
static_assert(sizeof(struct shype_policy_header) == 256, "header size");
static_assert(sizeof(struct shype_name) == 64, "name size");
static_assert(sizeof(struct shype_label) == 72, "label size");
static_assert(sizeof(struct shype_resource) == 264, "resource size");

static const char *const errors[SHYPE_BLOB_NR_ERRORS] = {
	[SHYPE_BLOB_OK] = "valid policy",
	[SHYPE_BLOB_SHORT] = "shorter than a policy header",
	[SHYPE_BLOB_TOO_LARGE] = "larger than the largest policy",
	[SHYPE_BLOB_BAD_MAGIC] = "not a shype policy (bad magic)",
	[SHYPE_BLOB_BAD_ABI_VERSION] = "unsupported policy ABI version",
	[SHYPE_BLOB_BAD_HEADER_LEN] = "bad header length",
	[SHYPE_BLOB_BAD_TOTAL_LEN] = "total length does not match the size",
	[SHYPE_BLOB_RESERVED] = "reserved field or padding not zero",
	[SHYPE_BLOB_BAD_DIGEST] = "digest mismatch",
	[SHYPE_BLOB_BAD_POLICY_NAME] = "bad policy name",
	[SHYPE_BLOB_BAD_VERSION] = "policy version number too large",
	[SHYPE_BLOB_LIMIT] = "a count exceeds its limit",
	[SHYPE_BLOB_BAD_SECTION] = "section offset or size wrong",
	[SHYPE_BLOB_BAD_NAME] = "bad type or label name",
	[SHYPE_BLOB_UNSORTED] = "names or resources unsorted or duplicated",
	[SHYPE_BLOB_BAD_LABEL_FLAGS] = "bad label flags",
	[SHYPE_BLOB_STRAY_BITS] = "bitmap bit beyond the type count",
	[SHYPE_BLOB_EMPTY_LABEL] = "label without any type",
	[SHYPE_BLOB_BAD_CONFLICT_SET] = "conflict set of fewer than two types",
	[SHYPE_BLOB_SELF_CONFLICT] = "label's own Chinese Wall types conflict",
	[SHYPE_BLOB_RESOURCE_CHWALL] = "resource label with Chinese Wall types",
	[SHYPE_BLOB_BAD_RESOURCE] = "bad resource kind or name",
	[SHYPE_BLOB_BAD_RESOURCE_LABEL] = "resource label index out of range",
	[SHYPE_BLOB_BAD_UNLABELED] = "unlabeled is neither a VM label nor deny",
	[SHYPE_BLOB_BAD_UNLABELED_FILES] = "bad unlabeled_files",
};

const char *shype_blob_strerror(int err)
{
	if (err < 0)
		err = -err;
	if (err >= SHYPE_BLOB_NR_ERRORS)
		return "unknown policy error";
	return errors[err];
}

int shype_blob_errno(int err)
{
	int e = EBADMSG; /* a malformation, unless one of these */

	if (err < 0)
		err = -err;
	if (err == SHYPE_BLOB_OK)
		e = 0;
	else if (err == SHYPE_BLOB_BAD_ABI_VERSION)
		e = EPROTONOSUPPORT;
	else if (err == SHYPE_BLOB_TOO_LARGE || err == SHYPE_BLOB_LIMIT)
		e = E2BIG;
	return e;
}

void shype_digest(const void *blob, size_t len, u8 *out)
{
	const u8 *b = blob;
	const size_t rest = DIGEST_OFF + SHYPE_DIGEST_SIZE;
	struct shype_sha256 c;

	shype_sha256_init(&c);
	shype_sha256_update(&c, b, DIGEST_OFF);
	shype_sha256_update(&c, b + rest, len - rest);
	shype_sha256_final(&c, out);
}

static bool name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
}

static bool name_chars(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!name_char(s[i]))
			return false;
	return true;
}

bool shype_name_valid(const char *s, size_t len)
{
	return len >= 1 && len <= SHYPE_NAME_MAX && name_chars(s, len);
}

static bool cid_valid(const char *s, size_t len)
{
	u64 v = 0;
	size_t i;

	if (len < 1 || len > 10 || s[0] == '0')
		return false;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	return v >= 3 && v <= 4294967294ULL;
}

bool shype_resource_name_valid(u32 kind, const char *s, size_t len)
{
	size_t i;

	switch (kind) {
	case SHYPE_RES_SHM:
	case SHYPE_RES_FILE:
		if (len < 1 || len > SHYPE_RESOURCE_NAME_MAX || s[0] != '/')
			return false;
		for (i = 0; i < len; i++)
			if (s[i] <= ' ' || s[i] > '~')
				return false;
		return true;
	case SHYPE_RES_NET:
		if (len < 1 || len > SHYPE_NET_NAME_MAX || !name_chars(s, len))
			return false;
		return !(s[0] == '.' &&
			 (len == 1 || (len == 2 && s[1] == '.')));
	case SHYPE_RES_VSOCK:
		return cid_valid(s, len);
	default:
		return false;
	}
}

/* A word at a time: most of a name field is its padding. */
static bool all_zero(const void *p, size_t len)
{
	const u8 *b = p;
	u64 w;

	for (; len >= sizeof(w); b += sizeof(w), len -= sizeof(w)) {
		memcpy(&w, b, sizeof(w));
		if (w)
			return false;
	}
	for (; len; b++, len--)
		if (*b)
			return false;
	return true;
}

/* A NUL terminated, NUL padded string in a field of @size bytes. */
static bool padded(const char *s, size_t size, size_t *len)
{
	*len = strnlen(s, size);
	return *len < size && all_zero(s + *len, size - *len);
}

static bool name_field_ok(const char *s)
{
	size_t len;

	return padded(s, SHYPE_NAME_MAX + 1, &len) && shype_name_valid(s, len);
}

void shype_layout(struct shype_layout *l, u32 ste_types, u32 chwall_types,
		  u32 labels, u32 conflict_sets, u32 resources)
{
	const u64 ste_row = 8 * (u64)shype_words(ste_types);
	const u64 chwall_row = 8 * (u64)shype_words(chwall_types);
	u64 end = sizeof(struct shype_policy_header);
	int i;

	l->size[SHYPE_SEC_STE_TYPES] =
		(u64)ste_types * sizeof(struct shype_name);
	l->size[SHYPE_SEC_CHWALL_TYPES] =
		(u64)chwall_types * sizeof(struct shype_name);
	l->size[SHYPE_SEC_LABELS] = (u64)labels * sizeof(struct shype_label);
	l->size[SHYPE_SEC_STE_BITMAPS] = labels * ste_row;
	l->size[SHYPE_SEC_CHWALL_BITMAPS] = labels * chwall_row;
	l->size[SHYPE_SEC_CONFLICT_SETS] = conflict_sets * chwall_row;
	l->size[SHYPE_SEC_RESOURCES] =
		(u64)resources * sizeof(struct shype_resource);
	for (i = 0; i < SHYPE_NR_SECTIONS; i++) {
		l->offset[i] = (end + 7) & ~(u64)7;
		end = l->offset[i] + l->size[i];
	}
	l->total = end;
}

static int check_header(const struct shype_policy_header *h, size_t len)
{
	u8 digest[SHYPE_DIGEST_SIZE];

	if (len < sizeof(*h))
		return SHYPE_BLOB_SHORT;
	if (len > SHYPE_POLICY_MAX_SIZE)
		return SHYPE_BLOB_TOO_LARGE;
	if (le32_to_cpu(h->magic) != SHYPE_POLICY_MAGIC)
		return SHYPE_BLOB_BAD_MAGIC;
	if (le16_to_cpu(h->abi_version) != SHYPE_ABI_VERSION)
		return SHYPE_BLOB_BAD_ABI_VERSION;
	if (le16_to_cpu(h->header_len) != sizeof(*h))
		return SHYPE_BLOB_BAD_HEADER_LEN;
	if (le32_to_cpu(h->total_len) != len)
		return SHYPE_BLOB_BAD_TOTAL_LEN;
	if (h->flags || !all_zero(h->reserved, sizeof(h->reserved)))
		return SHYPE_BLOB_RESERVED;
	shype_digest(h, len, digest);
	if (memcmp(digest, h->digest, sizeof(digest)))
		return SHYPE_BLOB_BAD_DIGEST;
	if (!name_field_ok(h->name))
		return SHYPE_BLOB_BAD_POLICY_NAME;
	if (le32_to_cpu(h->version_major) > SHYPE_VERSION_MAX ||
	    le32_to_cpu(h->version_minor) > SHYPE_VERSION_MAX)
		return SHYPE_BLOB_BAD_VERSION;
	return SHYPE_BLOB_OK;
}

static int check_counts(const struct shype_policy_header *h)
{
	if (le32_to_cpu(h->ste_type_count) > SHYPE_MAX_STE_TYPES ||
	    le32_to_cpu(h->chwall_type_count) > SHYPE_MAX_CHWALL_TYPES ||
	    le32_to_cpu(h->label_count) > SHYPE_MAX_LABELS ||
	    le32_to_cpu(h->conflict_set_count) > SHYPE_MAX_CONFLICT_SETS ||
	    le32_to_cpu(h->resource_count) > SHYPE_MAX_RESOURCES)
		return SHYPE_BLOB_LIMIT;
	return SHYPE_BLOB_OK;
}

/* Each section exactly where the canonical layout puts it. */
static int check_sections(const struct shype_policy_header *h, size_t len)
{
	const struct shype_section *sec[SHYPE_NR_SECTIONS] = {
		&h->ste_types,	 &h->chwall_types,   &h->labels,
		&h->ste_bitmaps, &h->chwall_bitmaps, &h->conflict_sets,
		&h->resources,
	};
	struct shype_layout l;
	int i;

	shype_layout(&l, le32_to_cpu(h->ste_type_count),
		     le32_to_cpu(h->chwall_type_count),
		     le32_to_cpu(h->label_count),
		     le32_to_cpu(h->conflict_set_count),
		     le32_to_cpu(h->resource_count));
	for (i = 0; i < SHYPE_NR_SECTIONS; i++)
		if (le32_to_cpu(sec[i]->offset) != l.offset[i] ||
		    le32_to_cpu(sec[i]->size) != l.size[i])
			return SHYPE_BLOB_BAD_SECTION;
	if (l.total != len)
		return SHYPE_BLOB_BAD_SECTION;
	return SHYPE_BLOB_OK;
}

static int check_names(const struct shype_name *n, u32 count)
{
	u32 i;

	for (i = 0; i < count; i++) {
		if (!name_field_ok(n[i].s))
			return SHYPE_BLOB_BAD_NAME;
		if (i && strcmp(n[i - 1].s, n[i].s) >= 0)
			return SHYPE_BLOB_UNSORTED;
	}
	return SHYPE_BLOB_OK;
}

static bool row_empty(const __le64 *row, u32 words)
{
	u32 w;

	for (w = 0; w < words; w++)
		if (row[w])
			return false;
	return true;
}

/* Any bit at or above @count in a row of @count types? */
static bool row_stray(const __le64 *row, u32 count)
{
	if (count % 64 == 0)
		return false;
	return le64_to_cpu(row[count / 64]) >> (count % 64);
}

/* Do @a and @b have at least two bits in common? */
static bool two_common(const __le64 *a, const __le64 *b, u32 words)
{
	u32 w, n = 0;

	for (w = 0; w < words; w++) {
		u64 x = le64_to_cpu(a[w] & b[w]);

		if (x)
			n += (x & (x - 1)) ? 2 : 1;
		if (n >= 2)
			return true;
	}
	return false;
}

static int check_labels(const struct shype_policy *p)
{
	u32 i;

	for (i = 0; i < p->labels; i++) {
		const struct shype_label *l = &p->label[i];
		u32 flags = le32_to_cpu(l->flags);

		if (!name_field_ok(l->name))
			return SHYPE_BLOB_BAD_NAME;
		if (i && strcmp(p->label[i - 1].name, l->name) >= 0)
			return SHYPE_BLOB_UNSORTED;
		if (flags != SHYPE_LABEL_VM && flags != SHYPE_LABEL_RESOURCE)
			return SHYPE_BLOB_BAD_LABEL_FLAGS;
		if (l->reserved)
			return SHYPE_BLOB_RESERVED;
		if (row_stray(shype_ste_row(p, i), p->ste_types) ||
		    row_stray(shype_chwall_row(p, i), p->chwall_types))
			return SHYPE_BLOB_STRAY_BITS;
		if (row_empty(shype_ste_row(p, i), p->ste_words) &&
		    row_empty(shype_chwall_row(p, i), p->chwall_words))
			return SHYPE_BLOB_EMPTY_LABEL;
		if (flags == SHYPE_LABEL_RESOURCE &&
		    !row_empty(shype_chwall_row(p, i), p->chwall_words))
			return SHYPE_BLOB_RESOURCE_CHWALL;
	}
	return SHYPE_BLOB_OK;
}

static int check_conflict_sets(const struct shype_policy *p)
{
	u32 s, i;

	for (s = 0; s < p->conflict_sets; s++) {
		const __le64 *set = shype_conflict_row(p, s);

		if (row_stray(set, p->chwall_types))
			return SHYPE_BLOB_STRAY_BITS;
		if (!two_common(set, set, p->chwall_words))
			return SHYPE_BLOB_BAD_CONFLICT_SET;
	}
	/*
	 * Labels x sets: the one check that is not linear in the blob size.
	 * Only the words from a label's first to its last type can matter.
	 */
	for (i = 0; i < p->labels; i++) {
		const __le64 *row = shype_chwall_row(p, i);
		u32 lo = 0, hi = p->chwall_words;

		while (lo < hi && !row[lo])
			lo++;
		while (hi > lo && !row[hi - 1])
			hi--;
		for (s = 0; lo < hi && s < p->conflict_sets; s++)
			if (two_common(row + lo, shype_conflict_row(p, s) + lo,
				       hi - lo))
				return SHYPE_BLOB_SELF_CONFLICT;
	}
	return SHYPE_BLOB_OK;
}

static int resource_cmp(u32 kind_a, const char *a, u32 kind_b, const char *b)
{
	if (kind_a != kind_b)
		return kind_a < kind_b ? -1 : 1;
	return strcmp(a, b);
}

static int check_resources(const struct shype_policy *p)
{
	u32 i;

	for (i = 0; i < p->resources; i++) {
		const struct shype_resource *r = &p->resource[i];
		u32 kind = le32_to_cpu(r->kind);
		size_t len;

		if (!padded(r->name, sizeof(r->name), &len) ||
		    !shype_resource_name_valid(kind, r->name, len))
			return SHYPE_BLOB_BAD_RESOURCE;
		if (i && resource_cmp(le32_to_cpu(r[-1].kind), r[-1].name, kind,
				      r->name) >= 0)
			return SHYPE_BLOB_UNSORTED;
		if (le32_to_cpu(r->label) >= p->labels)
			return SHYPE_BLOB_BAD_RESOURCE_LABEL;
	}
	return SHYPE_BLOB_OK;
}

static int check_unlabeled(const struct shype_policy *p)
{
	if (p->unlabeled_files > SHYPE_FILES_DENY)
		return SHYPE_BLOB_BAD_UNLABELED_FILES;
	if (p->unlabeled == SHYPE_UNLABELED_DENY)
		return SHYPE_BLOB_OK;
	if (p->unlabeled >= p->labels ||
	    le32_to_cpu(p->label[p->unlabeled].flags) != SHYPE_LABEL_VM)
		return SHYPE_BLOB_BAD_UNLABELED;
	return SHYPE_BLOB_OK;
}

/* The view of a blob whose header and layout are valid. */
static void view(struct shype_policy *p, const u8 *blob, u32 len)
{
	const struct shype_policy_header *h = (const void *)blob;

	p->blob = blob;
	p->len = len;
	p->ste_types = le32_to_cpu(h->ste_type_count);
	p->chwall_types = le32_to_cpu(h->chwall_type_count);
	p->labels = le32_to_cpu(h->label_count);
	p->conflict_sets = le32_to_cpu(h->conflict_set_count);
	p->resources = le32_to_cpu(h->resource_count);
	p->ste_words = shype_words(p->ste_types);
	p->chwall_words = shype_words(p->chwall_types);
	p->unlabeled = le32_to_cpu(h->unlabeled);
	p->unlabeled_files = le32_to_cpu(h->unlabeled_files);
	p->version_major = le32_to_cpu(h->version_major);
	p->version_minor = le32_to_cpu(h->version_minor);
	p->name = h->name;
	p->ste_names = (const void *)(blob + le32_to_cpu(h->ste_types.offset));
	p->chwall_names =
		(const void *)(blob + le32_to_cpu(h->chwall_types.offset));
	p->label = (const void *)(blob + le32_to_cpu(h->labels.offset));
	p->ste_bm = (const void *)(blob + le32_to_cpu(h->ste_bitmaps.offset));
	p->chwall_bm =
		(const void *)(blob + le32_to_cpu(h->chwall_bitmaps.offset));
	p->conflict_bm =
		(const void *)(blob + le32_to_cpu(h->conflict_sets.offset));
	p->resource = (const void *)(blob + le32_to_cpu(h->resources.offset));
}

int shype_policy_init(struct shype_policy *p, const void *blob, size_t len)
{
	const struct shype_policy_header *h = blob;
	struct shype_policy v;
	int err;

	err = check_header(h, len);
	if (!err)
		err = check_counts(h);
	if (!err)
		err = check_sections(h, len);
	if (err)
		return -err;

	view(&v, blob, len);
	err = check_names(v.ste_names, v.ste_types);
	if (!err)
		err = check_names(v.chwall_names, v.chwall_types);
	if (!err)
		err = check_labels(&v);
	if (!err)
		err = check_conflict_sets(&v);
	if (!err)
		err = check_resources(&v);
	if (!err)
		err = check_unlabeled(&v);
	if (err)
		return -err;
	*p = v;
	return 0;
}

/* Compare a NUL terminated name with @len bytes at @s, as strcmp() would. */
static int name_cmp(const char *name, const char *s, size_t len)
{
	int c = strncmp(name, s, len);

	return c ? c : (name[len] != '\0');
}

u32 shype_label_find(const struct shype_policy *p, const char *name, size_t len)
{
	u32 lo = 0, hi = p->labels;

	if (len > SHYPE_NAME_MAX || strnlen(name, len) != len)
		return SHYPE_NOT_FOUND;
	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;
		int c = name_cmp(p->label[mid].name, name, len);

		if (!c)
			return mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return SHYPE_NOT_FOUND;
}

u32 shype_resource_find(const struct shype_policy *p, u32 kind,
			const char *name)
{
	u32 lo = 0, hi = p->resources;

	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;
		const struct shype_resource *r = &p->resource[mid];
		int c = resource_cmp(le32_to_cpu(r->kind), r->name, kind, name);

		if (!c)
			return mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return SHYPE_NOT_FOUND;
}
