// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz kmod/core's blob validator, the decisions it guards, and libshype's
 * decoder and compiler.
 *
 * The first input byte selects a mode, the rest is the blob.  With the
 * byte odd, the digest is recomputed before validation, so that mutations
 * get past it to the structural checks; even, the blob is taken as is.
 * A blob that validates must be safe to query with every decision and
 * lookup (also with label indices past its labels, and with names taken
 * from the input), must agree with a brute-force Chinese Wall oracle and
 * with its own tables, and must be canonical: decoding and compiling it
 * gives back the same bytes.
 *
 * LLVMFuzzerInitialize() writes seeds (the test fixture and Figure 2,
 * compiled) into the corpus directory, so that none is kept in git.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "../unit/testutil.h"

/* Bounds on the quadratic parts, so that each input runs fast. */
#define MAX_LABELS 64
#define MAX_ORACLE (1024 * 64)

#define check(cond)                                                        \
	do {                                                               \
		if (!(cond)) {                                             \
			fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__, \
				#cond);                                    \
			abort();                                           \
		}                                                          \
	} while (0)

static u32 min_u32(u32 a, u32 b)
{
	return a < b ? a : b;
}

static void exercise_ste(const struct shype_policy *p)
{
	u32 n = min_u32(p->labels, MAX_LABELS), a, b, t;

	for (a = 0; a < n; a++) {
		const char *name = p->label[a].name;

		check(shype_label_find(p, name, strlen(name)) == a);
		for (b = 0; b < n; b++) {
			t = shype_ste_common(p, a, b);
			check(shype_ste_share(p, a, b) ==
			      (t != SHYPE_NOT_FOUND));
			check(shype_ste_share(p, b, a) ==
			      (t != SHYPE_NOT_FOUND));
			if (t != SHYPE_NOT_FOUND)
				check(t < p->ste_types &&
				      shype_bit(shype_ste_row(p, a), t) &&
				      shype_bit(shype_ste_row(p, b), t));
		}
	}
	for (a = 0; a < p->resources; a++)
		check(shype_resource_find(p, le32_to_cpu(p->resource[a].kind),
					  p->resource[a].name) == a);
}

/* Is a VM of @l refused: a running type outside @l in a set with @l's? */
static bool oracle_refuses(const struct shype_policy *p,
			   const struct shype_chwall *st, u32 l)
{
	const __le64 *row = shype_chwall_row(p, l);
	u32 s, t;

	for (s = 0; s < p->conflict_sets; s++) {
		const __le64 *set = shype_conflict_row(p, s);
		bool mine = false, theirs = false;

		for (t = 0; t < p->chwall_types; t++) {
			if (!shype_bit(set, t))
				continue;
			if (shype_bit(row, t))
				mine = true;
			else if (st->running[t])
				theirs = true;
		}
		if (mine && theirs)
			return true;
	}
	return false;
}

/* Indices past the labels, that no decision may take for a label. */
static u32 past_index(const struct shype_policy *p, unsigned int i)
{
	const u32 v[] = { p->labels, p->labels + 1, SHYPE_LABEL_MISSING,
			  SHYPE_NOT_FOUND };

	return v[i % 4];
}

/* A VMM of label @vm opening files of every label, and unlabelled ones. */
static void exercise_files(const struct shype_policy *p, u32 vm, u32 n)
{
	enum shype_file_reason r;
	bool write;
	u32 f, i;

	for (write = false;; write = true) {
		for (f = 0; f < n; f++) {
			r = shype_file_decide(p, vm, f, write);
			check(r == (!shype_label_is_vm(p, vm) ?
					    SHYPE_FILE_UNKNOWN_OPENER :
				    shype_ste_share(p, vm, f) ?
					    SHYPE_FILE_OK :
					    SHYPE_FILE_STE));
		}
		for (i = 0; i < 4; i++) {
			f = past_index(p, i);
			r = shype_file_decide(p, vm, f, write);
			check(f == SHYPE_NOT_FOUND ||
			      r == SHYPE_FILE_UNKNOWN_LABEL);
			r = shype_file_decide(p, f, vm, write);
			check(r == SHYPE_FILE_UNKNOWN_OPENER);
		}
		r = shype_file_decide(p, vm, SHYPE_NOT_FOUND, write);
		check(strcmp(shype_file_reason_name(r), "?"));
		if (!write || p->unlabeled_files == SHYPE_FILES_ALLOW)
			check(r == SHYPE_FILE_OK);
		if (write && p->unlabeled_files == SHYPE_FILES_DENY)
			check(r == SHYPE_FILE_UNLABELED);
		if (write && p->unlabeled_files == SHYPE_FILES_LABEL)
			check(r == (shype_label_is_vm(p, vm) ?
					    SHYPE_FILE_LABEL :
					    SHYPE_FILE_UNKNOWN_OPENER));
		if (write)
			break;
	}
}

/* The rules of kmod/core/decide.c against the blob's own tables. */
static void exercise_rules(const struct shype_policy *p)
{
	u32 n = min_u32(p->labels, MAX_LABELS), a, r, rl, i;
	bool vm;

	for (a = 0; a < n; a++) {
		const char *name = p->label[a].name;

		vm = le32_to_cpu(p->label[a].flags) == SHYPE_LABEL_VM;
		check(shype_label_is_vm(p, a) == vm);
		check(shype_vm_label_index(p, name, strlen(name)) ==
		      (vm ? a : SHYPE_NOT_FOUND));
		/* Any label may be a file's run-time label. */
		check(shype_resource_label(p, SHYPE_RES_SHM, NULL, name) == a);
		for (i = 0; i < 4; i++) {
			check(!shype_resource_ok(p, a, past_index(p, i)) ||
			      past_index(p, i) == SHYPE_NOT_FOUND);
			check(!shype_resource_ok(p, past_index(p, i), a));
		}
		check(shype_resource_ok(p, a, SHYPE_NOT_FOUND));
		exercise_files(p, a, n);
	}
	for (i = 0; i < 4; i++)
		check(!shype_label_is_vm(p, past_index(p, i)));
	a = shype_vm_label_index(p, NULL, 0);
	check(a == (p->unlabeled == SHYPE_UNLABELED_DENY ? SHYPE_NOT_FOUND :
							   p->unlabeled));
	check(a == SHYPE_NOT_FOUND || shype_label_is_vm(p, a));
	for (r = 0; r < p->resources; r++) {
		rl = shype_resource_label(p, le32_to_cpu(p->resource[r].kind),
					  p->resource[r].name, NULL);
		check(rl == le32_to_cpu(p->resource[r].label) &&
		      rl < p->labels);
		for (a = 0; a < n; a++)
			check(shype_resource_ok(p, a, rl) ==
			      shype_ste_share(p, a, rl));
	}
}

/* Names from the input: every lookup answers within the policy. */
static void exercise_names(const struct shype_policy *p,
			   const struct shype_chwall *st, const u8 *data,
			   size_t size)
{
	char name[SHYPE_NAME_MAX + 2];
	struct shype_create_verdict v;
	size_t len = size % sizeof(name);
	u32 l, sib;

	if (len > size)
		len = size;
	memcpy(name, data + size - len, len);
	name[len] = '\0';
	l = shype_vm_label_index(p, name, len);
	check(l == SHYPE_NOT_FOUND || shype_label_is_vm(p, l));
	l = shype_resource_label(p, SHYPE_RES_SHM, name, name);
	check(l < p->labels || l == SHYPE_LABEL_MISSING);
	l = shype_resource_label(p, data[0] % 5, name, NULL);
	check(l < p->labels || l == SHYPE_NOT_FOUND);
	sib = len ? (u32)data[0] * 0x01010101u : SHYPE_NOT_FOUND;
	shype_create_decide(p, st, name, len, len % 2 ? &sib : NULL, &v);
	check(v.label == SHYPE_NOT_FOUND || shype_label_is_vm(p, v.label));
	check(v.type < p->chwall_types || v.type == SHYPE_NOT_FOUND);
	check(v.culprit < p->chwall_types || v.culprit == SHYPE_NOT_FOUND);
	check((v.reason == SHYPE_CREATE_OK) ==
	      (v.label != SHYPE_NOT_FOUND && (len % 2 == 0 || sib == v.label) &&
	       v.type == SHYPE_NOT_FOUND));
	check(strcmp(shype_create_reason_name(v.reason), "?"));
}

static void exercise_chwall(const struct shype_policy *p, const u8 *data,
			    size_t data_size)
{
	u32 n = min_u32(p->labels, MAX_LABELS), l, t, c;
	size_t size = shype_chwall_size(p);
	bool oracle = (u64)p->chwall_types * p->conflict_sets <= MAX_ORACLE;
	bool *added = calloc(n ? n : 1, sizeof(*added));
	struct shype_chwall st;
	u8 *mem = aligned_alloc(8, (size + 8) & ~(size_t)7);
	size_t i;

	check(mem && added);
	shype_chwall_init(p, &st, mem);
	/* A label index past the labels changes nothing and is no type. */
	for (i = 0; i < 4; i++) {
		shype_chwall_add(p, &st, past_index(p, i));
		shype_chwall_remove(p, &st, past_index(p, i));
		check(shype_chwall_admit(p, &st, past_index(p, i)) ==
		      SHYPE_NOT_FOUND);
		check(shype_chwall_culprit(p, &st, past_index(p, i), 0) ==
		      SHYPE_NOT_FOUND);
	}
	for (i = 0; i < size; i++)
		check(mem[i] == 0);
	for (l = 0; l < n; l++) {
		struct shype_create_verdict v;
		const char *name = p->label[l].name;
		u32 other = (l + 1) % p->labels;

		t = shype_chwall_admit(p, &st, l);
		if (oracle)
			check(oracle_refuses(p, &st, l) ==
			      (t != SHYPE_NOT_FOUND));
		/* The create verdict is the wall's, for a VM label. */
		shype_create_decide(p, &st, name, strlen(name), &l, &v);
		if (!shype_label_is_vm(p, l)) {
			check(v.reason == SHYPE_CREATE_UNKNOWN_LABEL &&
			      v.label == SHYPE_NOT_FOUND);
		} else {
			check(v.label == l && v.type == t);
			check(v.reason == (t == SHYPE_NOT_FOUND ?
						   SHYPE_CREATE_OK :
						   SHYPE_CREATE_CHINESE_WALL));
			if (t != SHYPE_NOT_FOUND)
				check(v.culprit ==
				      shype_chwall_culprit(p, &st, l, t));
			shype_create_decide(p, &st, name, strlen(name), &other,
					    &v);
			check(other == l ||
			      v.reason == SHYPE_CREATE_PROCESS_LABEL);
		}
		if (t == SHYPE_NOT_FOUND) {
			shype_chwall_add(p, &st, l);
			added[l] = true;
			continue;
		}
		/* A refusal always has a culprit, running and not @l's. */
		check(t < p->chwall_types &&
		      shype_bit(shype_chwall_row(p, l), t));
		c = shype_chwall_culprit(p, &st, l, t);
		check(c < p->chwall_types && st.running[c] &&
		      !shype_bit(shype_chwall_row(p, l), c));
	}
	exercise_names(p, &st, data, data_size);
	while (n--)
		if (added[n])
			shype_chwall_remove(p, &st, n);
	for (i = 0; i < size; i++)
		check(mem[i] == 0);
	free(mem);
	free(added);
}

static void check_canonical(const u8 *blob, size_t len)
{
	struct shype_model *m = NULL;
	void *again = NULL;
	size_t again_len;

	check(shype_model_decode(blob, len, &m) == 0);
	check(shype_model_compile(m, &again, &again_len) == 0);
	check(again_len == len && !memcmp(again, blob, len));
	free(again);
	shype_model_free(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct shype_policy p;
	size_t len;
	u8 *blob;

	if (size < 1)
		return 0;
	len = size - 1;
	blob = malloc(len ? len : 1);
	check(blob);
	memcpy(blob, data + 1, len);
	if ((data[0] & 1) && len >= sizeof(struct shype_policy_header))
		shype_digest(blob, len,
			     ((struct shype_policy_header *)blob)->digest);

	if (shype_policy_init(&p, blob, len) == 0) {
		exercise_ste(&p);
		exercise_rules(&p);
		exercise_chwall(&p, data, size);
		check_canonical(blob, len);
	}
	free(blob);
	return 0;
}

static void write_seed(const char *dir, const char *name, const void *blob,
		       size_t len)
{
	char path[4096];
	u8 mode = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/seed-%s", dir, name);
	f = fopen(path, "wb");
	if (!f)
		return;
	fwrite(&mode, 1, 1, f);
	fwrite(blob, 1, len, f);
	fclose(f);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct shype_errors errs = { 0 };
	struct shype_policy p;
	const char *dir = NULL;
	struct stat sb;
	void *blob;
	size_t len;
	int i;

	/* The first argument that is a directory is the corpus. */
	for (i = 1; i < *argc && !dir; i++)
		if ((*argv)[i][0] != '-' && !stat((*argv)[i], &sb) &&
		    S_ISDIR(sb.st_mode))
			dir = (*argv)[i];
	if (!dir)
		return 0;
	if (!shype_model_compile(fixture_model(), &blob, &len)) {
		write_seed(dir, "fixture", blob, len);
		free(blob);
	}
	if (!shype_policy_load_file("policies/figure2.json", &blob, &len, &p,
				    &errs)) {
		write_seed(dir, "figure2", blob, len);
		free(blob);
	}
	shype_errors_free(&errs);
	return 0;
}
