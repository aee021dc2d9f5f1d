// SPDX-License-Identifier: LGPL-2.1
/*
 * Models to binary blobs and back, and reading a policy from a file.  The
 * blob layout is kmod/core's (layout.h); every blob made here is validated
 * by kmod/core before it is handed out.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shype.h"
#include "../kmod/core/layout.h"

const char *shype_resource_kind_name(unsigned int kind)
{
	switch (kind) {
	case SHYPE_RES_SHM:
		return "shm";
	case SHYPE_RES_NET:
		return "net";
	case SHYPE_RES_VSOCK:
		return "vsock";
	case SHYPE_RES_FILE:
		return "file";
	default:
		return NULL;
	}
}

const char *shype_files_mode_name(unsigned int mode)
{
	switch (mode) {
	case SHYPE_FILES_LABEL:
		return "label";
	case SHYPE_FILES_ALLOW:
		return "allow";
	case SHYPE_FILES_DENY:
		return "deny";
	default:
		return NULL;
	}
}

/* --- Model to blob. --- */

static bool indices_ok(const unsigned int *v, size_t n, size_t count)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i] >= count)
			return false;
	return true;
}

/* What the blob format cannot hold (-E2BIG) or a model must never have. */
static int check_model(const struct shype_model *m)
{
	size_t i;

	if (m->n_ste_types > SHYPE_MAX_STE_TYPES ||
	    m->n_chwall_types > SHYPE_MAX_CHWALL_TYPES ||
	    m->n_labels > SHYPE_MAX_LABELS ||
	    m->n_sets > SHYPE_MAX_CONFLICT_SETS ||
	    m->n_resources > SHYPE_MAX_RESOURCES ||
	    m->version_major > SHYPE_VERSION_MAX ||
	    m->version_minor > SHYPE_VERSION_MAX ||
	    strlen(m->name) > SHYPE_NAME_MAX)
		return -E2BIG;
	for (i = 0; i < m->n_ste_types; i++)
		if (strlen(m->ste_types[i]) > SHYPE_NAME_MAX)
			return -E2BIG;
	for (i = 0; i < m->n_chwall_types; i++)
		if (strlen(m->chwall_types[i]) > SHYPE_NAME_MAX)
			return -E2BIG;
	for (i = 0; i < m->n_labels; i++) {
		const struct shype_model_label *l = &m->labels[i];

		if (strlen(l->name) > SHYPE_NAME_MAX)
			return -E2BIG;
		if (!indices_ok(l->ste, l->n_ste, m->n_ste_types) ||
		    !indices_ok(l->chwall, l->n_chwall, m->n_chwall_types))
			return -EINVAL;
	}
	for (i = 0; i < m->n_sets; i++)
		if (!indices_ok(m->sets[i].types, m->sets[i].n,
				m->n_chwall_types))
			return -EINVAL;
	for (i = 0; i < m->n_resources; i++) {
		if (strlen(m->resources[i].name) > SHYPE_RESOURCE_NAME_MAX)
			return -E2BIG;
		if (m->resources[i].label >= m->n_labels)
			return -EINVAL;
	}
	if (m->unlabeled < -1 || m->unlabeled >= (long)m->n_labels ||
	    !shype_files_mode_name(m->unlabeled_files))
		return -EINVAL;
	return 0;
}

static void set_bits(__le64 *row, const unsigned int *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		row[v[i] / 64] |= cpu_to_le64(1ULL << (v[i] % 64));
}

static void put_section(struct shype_section *s, const struct shype_layout *l,
			enum shype_section_id id)
{
	s->offset = cpu_to_le32(l->offset[id]);
	s->size = cpu_to_le32(l->size[id]);
}

int shype_model_compile(const struct shype_model *m, void **blob, size_t *len)
{
	const u32 ste_words = shype_words(m->n_ste_types);
	const u32 chwall_words = shype_words(m->n_chwall_types);
	struct shype_policy_header *h;
	struct shype_name *ste, *chwall;
	struct shype_label *label;
	struct shype_resource *res;
	__le64 *ste_bm, *chwall_bm, *sets;
	struct shype_policy p;
	struct shype_layout l;
	u8 *b;
	size_t i;
	int err;

	err = check_model(m);
	if (err)
		return err;
	shype_layout(&l, m->n_ste_types, m->n_chwall_types, m->n_labels,
		     m->n_sets, m->n_resources);
	if (l.total > SHYPE_POLICY_MAX_SIZE)
		return -E2BIG;
	b = calloc(1, l.total);
	if (!b)
		return -ENOMEM;

	h = (void *)b;
	h->magic = cpu_to_le32(SHYPE_POLICY_MAGIC);
	h->abi_version = cpu_to_le16(SHYPE_ABI_VERSION);
	h->header_len = cpu_to_le16(sizeof(*h));
	h->total_len = cpu_to_le32(l.total);
	strcpy(h->name, m->name);
	h->version_major = cpu_to_le32(m->version_major);
	h->version_minor = cpu_to_le32(m->version_minor);
	h->ste_type_count = cpu_to_le32(m->n_ste_types);
	h->chwall_type_count = cpu_to_le32(m->n_chwall_types);
	h->label_count = cpu_to_le32(m->n_labels);
	h->conflict_set_count = cpu_to_le32(m->n_sets);
	h->resource_count = cpu_to_le32(m->n_resources);
	h->unlabeled = cpu_to_le32(m->unlabeled < 0 ? SHYPE_UNLABELED_DENY :
						      (u32)m->unlabeled);
	h->unlabeled_files = cpu_to_le32(m->unlabeled_files);
	put_section(&h->ste_types, &l, SHYPE_SEC_STE_TYPES);
	put_section(&h->chwall_types, &l, SHYPE_SEC_CHWALL_TYPES);
	put_section(&h->labels, &l, SHYPE_SEC_LABELS);
	put_section(&h->ste_bitmaps, &l, SHYPE_SEC_STE_BITMAPS);
	put_section(&h->chwall_bitmaps, &l, SHYPE_SEC_CHWALL_BITMAPS);
	put_section(&h->conflict_sets, &l, SHYPE_SEC_CONFLICT_SETS);
	put_section(&h->resources, &l, SHYPE_SEC_RESOURCES);

	ste = (void *)(b + l.offset[SHYPE_SEC_STE_TYPES]);
	chwall = (void *)(b + l.offset[SHYPE_SEC_CHWALL_TYPES]);
	label = (void *)(b + l.offset[SHYPE_SEC_LABELS]);
	ste_bm = (void *)(b + l.offset[SHYPE_SEC_STE_BITMAPS]);
	chwall_bm = (void *)(b + l.offset[SHYPE_SEC_CHWALL_BITMAPS]);
	sets = (void *)(b + l.offset[SHYPE_SEC_CONFLICT_SETS]);
	res = (void *)(b + l.offset[SHYPE_SEC_RESOURCES]);

	for (i = 0; i < m->n_ste_types; i++)
		strcpy(ste[i].s, m->ste_types[i]);
	for (i = 0; i < m->n_chwall_types; i++)
		strcpy(chwall[i].s, m->chwall_types[i]);
	for (i = 0; i < m->n_labels; i++) {
		const struct shype_model_label *ml = &m->labels[i];

		strcpy(label[i].name, ml->name);
		label[i].flags = cpu_to_le32(
			ml->resource ? SHYPE_LABEL_RESOURCE : SHYPE_LABEL_VM);
		set_bits(ste_bm + i * ste_words, ml->ste, ml->n_ste);
		set_bits(chwall_bm + i * chwall_words, ml->chwall,
			 ml->n_chwall);
	}
	for (i = 0; i < m->n_sets; i++)
		set_bits(sets + i * chwall_words, m->sets[i].types,
			 m->sets[i].n);
	for (i = 0; i < m->n_resources; i++) {
		res[i].kind = cpu_to_le32(m->resources[i].kind);
		res[i].label = cpu_to_le32(m->resources[i].label);
		strcpy(res[i].name, m->resources[i].name);
	}
	shype_digest(b, l.total, h->digest);

	/* A model that breaks a rule of the format (unsorted, ...) is a bug. */
	err = shype_policy_init(&p, b, l.total);
	if (err) {
		free(b);
		return shype_blob_errno(err) == E2BIG ? -E2BIG : -EINVAL;
	}
	*blob = b;
	*len = l.total;
	return 0;
}

/* --- Blob to model. --- */

/* The indices of the bits set in @row, a row of @types types. */
static int row_indices(const __le64 *row, u32 types, unsigned int **v,
		       size_t *n)
{
	u32 t;

	*n = 0;
	*v = NULL;
	for (t = 0; t < types; t++)
		*n += shype_bit(row, t);
	if (!*n)
		return 0;
	*v = malloc(*n * sizeof(**v));
	if (!*v)
		return -ENOMEM;
	*n = 0;
	for (t = 0; t < types; t++)
		if (shype_bit(row, t))
			(*v)[(*n)++] = t;
	return 0;
}

static char **names(const struct shype_name *n, u32 count)
{
	char **v = calloc(count ? count : 1, sizeof(*v));
	u32 i;

	if (!v)
		return NULL;
	for (i = 0; i < count; i++) {
		v[i] = strdup(n[i].s);
		if (!v[i])
			break;
	}
	if (i == count)
		return v;
	while (i--)
		free(v[i]);
	free(v);
	return NULL;
}

static int decode(const struct shype_policy *p, struct shype_model *m)
{
	u32 i;

	m->name = strdup(p->name);
	m->version_major = p->version_major;
	m->version_minor = p->version_minor;
	m->unlabeled = p->unlabeled == SHYPE_UNLABELED_DENY ? -1 :
							      (int)p->unlabeled;
	m->unlabeled_files = p->unlabeled_files;
	m->ste_types = names(p->ste_names, p->ste_types);
	m->n_ste_types = m->ste_types ? p->ste_types : 0;
	m->chwall_types = names(p->chwall_names, p->chwall_types);
	m->n_chwall_types = m->chwall_types ? p->chwall_types : 0;
	m->labels = calloc(p->labels ? p->labels : 1, sizeof(*m->labels));
	m->sets = calloc(p->conflict_sets ? p->conflict_sets : 1,
			 sizeof(*m->sets));
	m->resources =
		calloc(p->resources ? p->resources : 1, sizeof(*m->resources));
	if (!m->name || !m->ste_types || !m->chwall_types || !m->labels ||
	    !m->sets || !m->resources)
		return -ENOMEM;

	for (i = 0; i < p->labels; i++) {
		struct shype_model_label *l = &m->labels[m->n_labels++];

		l->resource = le32_to_cpu(p->label[i].flags) ==
			      SHYPE_LABEL_RESOURCE;
		l->name = strdup(p->label[i].name);
		if (!l->name ||
		    row_indices(shype_ste_row(p, i), p->ste_types, &l->ste,
				&l->n_ste) ||
		    row_indices(shype_chwall_row(p, i), p->chwall_types,
				&l->chwall, &l->n_chwall))
			return -ENOMEM;
	}
	/* In blob order: the format does not sort sets, the parser does. */
	for (i = 0; i < p->conflict_sets; i++) {
		struct shype_model_conflict_set *s = &m->sets[m->n_sets++];

		if (row_indices(shype_conflict_row(p, i), p->chwall_types,
				&s->types, &s->n))
			return -ENOMEM;
	}
	for (i = 0; i < p->resources; i++) {
		struct shype_model_resource *r =
			&m->resources[m->n_resources++];

		r->kind = le32_to_cpu(p->resource[i].kind);
		r->label = le32_to_cpu(p->resource[i].label);
		r->name = strdup(p->resource[i].name);
		if (!r->name)
			return -ENOMEM;
	}
	return 0;
}

int shype_model_decode(const void *blob, size_t len, struct shype_model **out)
{
	struct shype_policy p;
	struct shype_model *m;
	int err;

	err = shype_policy_init(&p, blob, len);
	if (err)
		return err;
	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	err = decode(&p, m);
	if (err) {
		shype_model_free(m);
		return err;
	}
	*out = m;
	return 0;
}

/* --- Policy files. --- */

static int add_error(struct shype_errors *e, const char *file, const char *fmt,
		     ...)
{
	struct shype_error *v;
	va_list ap;

	v = realloc(e->v, (e->n + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	e->v = v;
	v += e->n++;
	memset(v, 0, sizeof(*v));
	v->file = file;
	va_start(ap, fmt);
	vsnprintf(v->msg, sizeof(v->msg), fmt, ap);
	va_end(ap);
	return 0;
}

static int read_file(const char *path, char **buf, size_t *len)
{
	size_t size = 4096, n = 0;
	char *b = NULL, *nb;
	FILE *f;
	int err = 0;

	f = fopen(path, "rb");
	if (!f)
		return -errno;
	for (;;) {
		nb = realloc(b, size);
		if (!nb) {
			err = -ENOMEM;
			break;
		}
		b = nb;
		n += fread(b + n, 1, size - n, f);
		if (n < size) {
			if (ferror(f))
				err = -EIO;
			break;
		}
		size *= 2;
	}
	fclose(f);
	if (err) {
		free(b);
		return err;
	}
	*buf = b;
	*len = n;
	return 0;
}

static bool is_blob(const char *text, size_t n)
{
	__le32 magic;

	if (n < sizeof(magic))
		return false;
	memcpy(&magic, text, sizeof(magic));
	return le32_to_cpu(magic) == SHYPE_POLICY_MAGIC;
}

/* The blob of a JSON source; on failure, what went wrong is in @errs. */
static int compile_source(const char *path, const char *text, size_t n,
			  void **blob, size_t *len, struct shype_errors *errs)
{
	struct shype_model *m;
	int err;

	err = shype_model_parse(path, text, n, &m, errs);
	if (err)
		return err;
	err = shype_model_compile(m, blob, len);
	shype_model_free(m);
	if (err != -E2BIG && err != -EINVAL)
		return err;
	if (add_error(errs, path, "%s",
		      err == -E2BIG ?
			      "policy too large for the binary format" :
			      "policy breaks a rule of the binary format"))
		return -ENOMEM;
	return -EINVAL;
}

int shype_policy_load_file(const char *path, void **blob, size_t *len,
			   struct shype_policy *pol, struct shype_errors *errs)
{
	size_t n = 0, bl;
	char *text = NULL;
	void *b;
	int err;

	err = read_file(path, &text, &n);
	if (err) {
		if (err != -ENOMEM &&
		    add_error(errs, path, "cannot read: %s", strerror(-err)))
			return -ENOMEM;
		return err;
	}
	if (is_blob(text, n)) {
		b = text;
		bl = n;
	} else {
		err = compile_source(path, text, n, &b, &bl, errs);
		free(text);
		if (err)
			return err;
	}

	err = shype_policy_init(pol, b, bl);
	if (err) {
		free(b);
		if (add_error(errs, path, "invalid policy blob: %s",
			      shype_blob_strerror(err)))
			return -ENOMEM;
		return -EINVAL;
	}
	*blob = b;
	*len = bl;
	return 0;
}
