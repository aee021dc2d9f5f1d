// SPDX-License-Identifier: GPL-2.0
/*
 * Decisions of kmod/core on compiled policies, as data tables (libseccomp
 * style): each scenario is a policy and a sequence of queries with the
 * expected answers.  STE queries are stateless; START and STOP drive the
 * Chinese Wall state as VM creation and destruction do in the kernel.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "testutil.h"

enum op {
	OP_END,
	OP_SHARE, /* a, b: may VMs of labels a and b share? */
	OP_USE, /* a, b: may a VM of label a use resource b ("kind:name")? */
	OP_START, /* a: may a VM of label a start now?  If so, it runs. */
	OP_STOP, /* a: a VM of label a stops */
};

enum verdict { DENY, ALLOW, NO_LABEL };

/*
 * @type: for an allowed SHARE or RESOURCE the lowest common STE type; for a
 *	denied START the CHWALL type of @a that conflicts
 * @culprit: for a denied START, the running type it conflicts with
 */
struct step {
	enum op op;
	const char *a, *b;
	enum verdict verdict;
	const char *type, *culprit;
};

#define SHARE(a, b, type)                         \
	{                                         \
		OP_SHARE, a, b, ALLOW, type, NULL \
	}
#define NO_SHARE(a, b)                           \
	{                                        \
		OP_SHARE, a, b, DENY, NULL, NULL \
	}
#define USE(a, res, type)                         \
	{                                         \
		OP_USE, a, res, ALLOW, type, NULL \
	}
#define NO_USE(a, res)                           \
	{                                        \
		OP_USE, a, res, DENY, NULL, NULL \
	}
#define UNLABELED(a, res)                            \
	{                                            \
		OP_USE, a, res, NO_LABEL, NULL, NULL \
	}
#define START(a)                                     \
	{                                            \
		OP_START, a, NULL, ALLOW, NULL, NULL \
	}
#define REFUSE(a, type, culprit)                       \
	{                                              \
		OP_START, a, NULL, DENY, type, culprit \
	}
#define STOP(a)                                    \
	{                                          \
		OP_STOP, a, NULL, DENY, NULL, NULL \
	}
#define END                                          \
	{                                            \
		OP_END, NULL, NULL, DENY, NULL, NULL \
	}

struct scenario {
	const char *name;
	const char *policy; /* JSON text, or "@path" of a policy file */
	struct step steps[24];
};

static const char overlap[] =
	"{\n"
	"  \"name\": \"overlap\", \"version\": \"1\",\n"
	"  \"ste\": { \"types\": [\"T\", \"U\"] },\n"
	"  \"chwall\": {\n"
	"    \"types\": [\"A\", \"B\", \"C\", \"D\", \"X\", \"Y\", \"Z\"],\n"
	"    \"conflict_sets\": [[\"A\", \"B\"], [\"B\", \"C\"],\n"
	"                      [\"X\", \"Y\", \"Z\"]] },\n"
	"  \"labels\": {\n"
	"    \"a\": { \"ste\": [\"T\"], \"chwall\": [\"A\"] },\n"
	"    \"b\": { \"ste\": [\"U\"], \"chwall\": [\"B\"] },\n"
	"    \"c\": { \"chwall\": [\"C\"] },\n"
	"    \"d\": { \"chwall\": [\"D\"] },\n"
	"    \"ac\": { \"chwall\": [\"A\", \"C\"] },\n"
	"    \"ad\": { \"chwall\": [\"A\", \"D\"] },\n"
	"    \"bd\": { \"chwall\": [\"B\", \"D\"] },\n"
	"    \"tu\": { \"ste\": [\"T\", \"U\"] },\n"
	"    \"x\": { \"chwall\": [\"X\"] },\n"
	"    \"y\": { \"chwall\": [\"Y\"] },\n"
	"    \"z\": { \"chwall\": [\"Z\", \"A\"] }\n"
	"  },\n"
	"  \"resource_labels\": { \"disk_t\": { \"ste\": [\"T\"] } },\n"
	"  \"resources\": { \"vsock:42\": \"disk_t\", \"net:br-u\": \"b\" }\n"
	"}\n";

static const struct scenario scenarios[] = {
	{ "figure2: STE between coalitions",
	  "@../../policies/figure2.json",
	  {
		  SHARE("order", "order", "Order"),
		  NO_SHARE("order", "advertising"),
		  NO_SHARE("advertising", "order"),
		  SHARE("vdisk_server", "order", "Order"),
		  SHARE("vdisk_server", "advertising", "Advertising"),
		  SHARE("vdisk_server", "vdisk_server", "Advertising"),
		  NO_SHARE("computing", "order"),
		  NO_SHARE("computing", "vdisk_server"),
		  SHARE("computing", "computing", "Computing"),
		  USE("order", "shm:/dev/shm/vdisk-order", "Order"),
		  NO_USE("advertising", "shm:/dev/shm/vdisk-order"),
		  USE("vdisk_server", "shm:/dev/shm/vdisk-order", "Order"),
		  USE("advertising", "shm:/dev/shm/vdisk-ads", "Advertising"),
		  NO_USE("order", "shm:/dev/shm/vdisk-ads"),
		  USE("order", "net:br-order", "Order"),
		  NO_USE("order", "net:br-ads"),
		  NO_USE("computing", "net:br-ads"),
		  UNLABELED("order", "shm:/dev/shm/vdisk-orde"),
		  UNLABELED("order", "net:vdisk-order"),
		  UNLABELED("computing", "vsock:3"),
		  END,
	  } },
	{ "figure2: order and advertising never run at once",
	  "@../../policies/figure2.json",
	  {
		  START("advertising"),
		  REFUSE("order", "Order", "Advertising"),
		  START("computing"),
		  START("vdisk_server"),
		  STOP("advertising"),
		  START("order"),
		  START("order"),
		  REFUSE("advertising", "Advertising", "Order"),
		  STOP("order"),
		  REFUSE("advertising", "Advertising", "Order"),
		  STOP("order"),
		  START("advertising"),
		  START("computing"),
		  END,
	  } },
	{ "overlapping conflict sets",
	  overlap,
	  {
		  START("a"),
		  /* A and C are in no set together. */
		  START("c"),
		  /* B conflicts with both; the lowest culprit is named. */
		  REFUSE("b", "B", "A"),
		  STOP("a"),
		  REFUSE("b", "B", "C"),
		  STOP("c"),
		  START("b"),
		  REFUSE("a", "A", "B"),
		  REFUSE("c", "C", "B"),
		  REFUSE("ac", "A", "B"),
		  START("d"),
		  /* bd shares B with the running b, and D is in no set. */
		  START("bd"),
		  STOP("b"),
		  REFUSE("ad", "A", "B"),
		  STOP("bd"),
		  START("ad"),
		  START("a"),
		  START("ac"),
		  REFUSE("bd", "B", "A"),
		  END,
	  } },
	{ "a multi-type label blocks the union of its sets, once",
	  overlap,
	  {
		  START("ac"),
		  START("ac"),
		  REFUSE("b", "B", "A"),
		  STOP("ac"),
		  REFUSE("b", "B", "A"),
		  STOP("ac"),
		  START("b"),
		  STOP("b"),
		  /* z's Z conflicts with X and Y, its A with B. */
		  START("z"),
		  REFUSE("x", "X", "Z"),
		  REFUSE("y", "Y", "Z"),
		  REFUSE("b", "B", "A"),
		  START("a"),
		  STOP("z"),
		  START("x"),
		  REFUSE("y", "Y", "X"),
		  REFUSE("z", "Z", "X"),
		  END,
	  } },
	{ "STE with several types and labelled resources",
	  overlap,
	  {
		  NO_SHARE("a", "b"),
		  SHARE("a", "tu", "T"),
		  SHARE("tu", "b", "U"),
		  SHARE("tu", "tu", "T"),
		  /* A label without STE types shares with nobody. */
		  NO_SHARE("c", "c"),
		  NO_SHARE("c", "tu"),
		  USE("a", "vsock:42", "T"),
		  USE("tu", "vsock:42", "T"),
		  NO_USE("b", "vsock:42"),
		  USE("b", "net:br-u", "U"),
		  NO_USE("a", "net:br-u"),
		  UNLABELED("a", "vsock:43"),
		  END,
	  } },
};

struct loaded {
	void *blob;
	struct shype_policy p;
	struct shype_chwall st;
	void *mem;
};

static void load(const char *policy, struct loaded *l)
{
	struct shype_errors errs = { 0 };
	struct shype_model *m = NULL;
	size_t len;
	int err;

	if (policy[0] == '@') {
		err = shype_policy_load_file(policy + 1, &l->blob, &len, &l->p,
					     &errs);
	} else {
		err = shype_model_parse("test.json", policy, strlen(policy), &m,
					&errs);
		if (!err)
			err = shype_model_compile(m, &l->blob, &len);
		if (!err)
			err = shype_policy_init(&l->p, l->blob, len);
		shype_model_free(m);
	}
	if (err)
		fail_msg("policy does not load: %d %s:%u:%u: %s", err,
			 errs.n ? errs.v[0].file : "",
			 errs.n ? errs.v[0].line : 0,
			 errs.n ? errs.v[0].col : 0,
			 errs.n ? errs.v[0].msg : "");
	l->mem = aligned_alloc(8, shype_chwall_size(&l->p) + 8);
	shype_chwall_init(&l->p, &l->st, l->mem);
}

static void unload(struct loaded *l)
{
	free(l->mem);
	free(l->blob);
}

static u32 label(const struct shype_policy *p, const char *name)
{
	u32 i = shype_label_find(p, name, strlen(name));

	if (i == SHYPE_NOT_FOUND)
		fail_msg("no label '%s'", name);
	return i;
}

static const char *ste_name(const struct shype_policy *p, u32 t)
{
	return t == SHYPE_NOT_FOUND ? NULL : p->ste_names[t].s;
}

static const char *chwall_name(const struct shype_policy *p, u32 t)
{
	return t == SHYPE_NOT_FOUND ? NULL : p->chwall_names[t].s;
}

#define check_str(got, want, what, s, n)                                      \
	do {                                                                  \
		const char *g_ = (got), *w_ = (want);                         \
		if (g_ != w_ && (!g_ || !w_ || strcmp(g_, w_)))               \
			fail_msg("%s, step %zu: %s is %s, expected %s", s, n, \
				 what, g_ ? g_ : "none", w_ ? w_ : "none");   \
	} while (0)

static void check_share(const struct shype_policy *p, const struct step *t,
			const char *s, size_t n)
{
	u32 a = label(p, t->a), b = label(p, t->b);
	bool allow = shype_ste_share(p, a, b);

	if (allow != (t->verdict == ALLOW))
		fail_msg("%s, step %zu: share %s %s: %s", s, n, t->a, t->b,
			 allow ? "allowed" : "denied");
	check_str(ste_name(p, shype_ste_common(p, a, b)), t->type,
		  "common type", s, n);
	assert_int_equal(shype_ste_share(p, b, a), allow);
}

static void check_resource(const struct shype_policy *p, const struct step *t,
			   const char *s, size_t n)
{
	const char *name, *why;
	unsigned int kind;
	u32 a = label(p, t->a), rl;
	enum verdict v;

	assert_int_equal(shype_resource_parse(t->b, &kind, &name, &why), 0);
	rl = shype_resource_label(p, kind, name, NULL);
	if (rl == SHYPE_NOT_FOUND)
		v = NO_LABEL;
	else
		v = shype_resource_ok(p, a, rl) ? ALLOW : DENY;
	/* An unlabelled resource is allowed to all. */
	assert_int_equal(shype_resource_ok(p, a, rl), v != DENY);
	if (v != t->verdict)
		fail_msg("%s, step %zu: resource %s %s: verdict %d", s, n, t->a,
			 t->b, v);
	if (rl != SHYPE_NOT_FOUND)
		check_str(ste_name(p, shype_ste_common(p, a, rl)), t->type,
			  "common type", s, n);
}

static void check_start(struct loaded *l, const struct step *t, const char *s,
			size_t n)
{
	u32 a = label(&l->p, t->a);
	struct shype_create_verdict v;

	shype_create_decide(&l->p, &l->st, t->a, strlen(t->a), NULL, &v);
	if ((v.reason == SHYPE_CREATE_OK) != (t->verdict == ALLOW))
		fail_msg("%s, step %zu: start %s: %s", s, n, t->a,
			 shype_create_reason_name(v.reason));
	assert_int_equal(v.label, a);
	if (v.reason != SHYPE_CREATE_OK)
		assert_int_equal(v.reason, SHYPE_CREATE_CHINESE_WALL);
	/* The verdict is the primitives' answer. */
	assert_int_equal(v.type, shype_chwall_admit(&l->p, &l->st, a));
	check_str(chwall_name(&l->p, v.type), t->type, "conflicting type", s,
		  n);
	check_str(chwall_name(&l->p, v.culprit), t->culprit, "culprit", s, n);
	if (v.reason == SHYPE_CREATE_OK)
		shype_chwall_add(&l->p, &l->st, a);
}

static void run_scenarios(void **state)
{
	size_t i, n;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(scenarios); i++) {
		const struct scenario *sc = &scenarios[i];
		struct loaded l;

		load(sc->policy, &l);
		for (n = 0; sc->steps[n].op != OP_END; n++) {
			const struct step *t = &sc->steps[n];

			switch (t->op) {
			case OP_SHARE:
				check_share(&l.p, t, sc->name, n);
				break;
			case OP_USE:
				check_resource(&l.p, t, sc->name, n);
				break;
			case OP_START:
				check_start(&l, t, sc->name, n);
				break;
			case OP_STOP:
				shype_chwall_remove(&l.p, &l.st,
						    label(&l.p, t->a));
				break;
			case OP_END:
				break;
			}
		}
		unload(&l);
	}
}

/* Starting and stopping every VM again leaves no trace. */
static void chwall_state_returns_to_empty(void **state)
{
	struct loaded l;
	u8 *zero;
	size_t size;
	u32 i;

	(void)state;
	load(overlap, &l);
	size = shype_chwall_size(&l.p);
	assert_int_equal(size, 8 + 7 * 4 * 2);
	zero = calloc(1, size);
	for (i = 0; i < l.p.labels; i++)
		shype_chwall_add(&l.p, &l.st, i);
	assert_memory_not_equal(l.mem, zero, size);
	for (i = 0; i < l.p.labels; i++)
		shype_chwall_remove(&l.p, &l.st, i);
	assert_memory_equal(l.mem, zero, size);
	/* Removing what never ran does not wrap a count. */
	shype_chwall_remove(&l.p, &l.st, label(&l.p, "ac"));
	assert_memory_equal(l.mem, zero, size);
	free(zero);
	unload(&l);
}

static void culprit_of_unconflicting_type_is_none(void **state)
{
	struct loaded l;
	u32 d, t;

	(void)state;
	load(overlap, &l);
	d = label(&l.p, "d");
	shype_chwall_add(&l.p, &l.st, label(&l.p, "a"));
	t = shype_chwall_admit(&l.p, &l.st, d);
	assert_int_equal(t, SHYPE_NOT_FOUND);
	/* D is in no conflict set; an index past the types is no type. */
	assert_int_equal(shype_chwall_culprit(&l.p, &l.st, d, 3),
			 SHYPE_NOT_FOUND);
	assert_int_equal(shype_chwall_culprit(&l.p, &l.st, d, 7),
			 SHYPE_NOT_FOUND);
	assert_int_equal(shype_chwall_culprit(&l.p, &l.st, d, SHYPE_NOT_FOUND),
			 SHYPE_NOT_FOUND);
	unload(&l);
}

/* A label index past the policy's labels (a VM admitted in permissive
 * mode with none) shares no type with anyone, itself included. */
static void ste_of_index_past_labels_is_no_share(void **state)
{
	const u32 past[] = { 6, 7, 1000, SHYPE_NOT_FOUND };
	struct loaded l;
	u32 order;

	(void)state;
	load("@../../policies/figure2.json", &l);
	order = label(&l.p, "order");
	for (size_t i = 0; i < sizeof(past) / sizeof(past[0]); i++) {
		assert_false(shype_ste_share(&l.p, order, past[i]));
		assert_false(shype_ste_share(&l.p, past[i], order));
		assert_false(shype_ste_share(&l.p, past[i], past[i]));
		assert_int_equal(shype_ste_common(&l.p, past[i], order),
				 SHYPE_NOT_FOUND);
	}
	assert_true(shype_ste_share(&l.p, order, order));
	unload(&l);
}

static void label_find_takes_counted_names(void **state)
{
	struct loaded l;

	(void)state;
	load("@../../policies/figure2.json", &l);
	assert_int_equal(l.p.labels, 6);
	assert_string_equal(l.p.label[label(&l.p, "vdisk_ads")].name,
			    "vdisk_ads");
	assert_int_equal(shype_label_find(&l.p, "orderX", 5),
			 label(&l.p, "order"));
	assert_int_equal(shype_label_find(&l.p, "orde", 4), SHYPE_NOT_FOUND);
	assert_int_equal(shype_label_find(&l.p, "orders", 6), SHYPE_NOT_FOUND);
	assert_int_equal(shype_label_find(&l.p, "", 0), SHYPE_NOT_FOUND);
	assert_int_equal(shype_label_find(&l.p, "order\0", 6), SHYPE_NOT_FOUND);
	assert_int_equal(shype_label_find(&l.p, "Order", 5), SHYPE_NOT_FOUND);
	for (u32 i = 0; i < l.p.labels; i++)
		assert_int_equal(shype_label_find(&l.p, l.p.label[i].name,
						  strlen(l.p.label[i].name)),
				 i);
	for (u32 i = 0; i < l.p.resources; i++)
		assert_int_equal(
			shype_resource_find(&l.p, le32toh(l.p.resource[i].kind),
					    l.p.resource[i].name),
			i);
	assert_int_equal(shype_resource_find(&l.p, SHYPE_RES_NET,
					     "/dev/shm/vdisk-ads"),
			 SHYPE_NOT_FOUND);
	unload(&l);
}

static const char unlabeled_ok[] =
	"{\n"
	"  \"name\": \"unl\", \"version\": \"1\",\n"
	"  \"ste\": { \"types\": [\"T\", \"U\"] },\n"
	"  \"chwall\": { \"types\": [\"A\", \"B\"],\n"
	"              \"conflict_sets\": [[\"A\", \"B\"]] },\n"
	"  \"labels\": {\n"
	"    \"a\": { \"ste\": [\"T\"], \"chwall\": [\"A\"] },\n"
	"    \"b\": { \"ste\": [\"U\"], \"chwall\": [\"B\"] },\n"
	"    \"other\": { \"ste\": [\"T\"] }\n"
	"  },\n"
	"  \"resource_labels\": { \"r\": { \"ste\": [\"T\"] } },\n"
	"  \"resources\": { \"shm:/dev/shm/r\": \"r\" },\n"
	"  \"unlabeled\": \"b\"\n"
	"}\n";

/* Indices a VM admitted in permissive mode, or a hostile caller, may hold. */
static const u32 bad_index[] = { 6, 7, 1000, SHYPE_LABEL_MISSING,
				 SHYPE_NOT_FOUND };

static void vm_label_index_only_vm_labels(void **state)
{
	struct loaded l;
	u32 i;

	(void)state;
	load("@../../policies/figure2.json", &l);
	for (i = 0; i < l.p.labels; i++) {
		const char *name = l.p.label[i].name;
		bool vm = !strcmp(name, "order") ||
			  !strcmp(name, "advertising") ||
			  !strcmp(name, "computing") ||
			  !strcmp(name, "vdisk_server");

		assert_int_equal(shype_label_is_vm(&l.p, i), vm);
		assert_int_equal(shype_vm_label_index(&l.p, name, strlen(name)),
				 vm ? i : SHYPE_NOT_FOUND);
	}
	for (i = 0; i < ARRAY_SIZE(bad_index); i++)
		assert_false(shype_label_is_vm(&l.p, bad_index[i]));
	assert_int_equal(shype_vm_label_index(&l.p, "orders", 6),
			 SHYPE_NOT_FOUND);
	assert_int_equal(shype_vm_label_index(&l.p, "orderX", 5),
			 label(&l.p, "order"));
	/* figure2 denies unlabelled VMs. */
	assert_int_equal(shype_vm_label_index(&l.p, NULL, 0), SHYPE_NOT_FOUND);
	assert_int_equal(shype_vm_label_index(&l.p, "", 0), SHYPE_NOT_FOUND);
	unload(&l);

	load(unlabeled_ok, &l);
	assert_int_equal(shype_vm_label_index(&l.p, NULL, 0), label(&l.p, "b"));
	assert_int_equal(shype_vm_label_index(&l.p, "r", 1), SHYPE_NOT_FOUND);
	/* A blob's unlabeled field out of range (not valid): no label. */
	l.p.unlabeled = l.p.labels;
	assert_int_equal(shype_vm_label_index(&l.p, NULL, 0), SHYPE_NOT_FOUND);
	l.p.unlabeled = label(&l.p, "r");
	assert_int_equal(shype_vm_label_index(&l.p, NULL, 0), SHYPE_NOT_FOUND);
	unload(&l);
}

static void resource_label_runtime_overrides_policy(void **state)
{
	struct loaded l;
	u32 r, order, ads, server, i;

	(void)state;
	load("@../../policies/figure2.json", &l);
	order = label(&l.p, "order");
	ads = label(&l.p, "advertising");
	server = label(&l.p, "vdisk_server");
	r = shype_resource_label(&l.p, SHYPE_RES_SHM, "/dev/shm/vdisk-order",
				 NULL);
	assert_int_equal(r, label(&l.p, "vdisk_order"));
	assert_true(shype_resource_ok(&l.p, order, r));
	assert_true(shype_resource_ok(&l.p, server, r));
	assert_false(shype_resource_ok(&l.p, ads, r));
	/* A run-time label is the file's label, whatever its path says. */
	r = shype_resource_label(&l.p, SHYPE_RES_SHM, "/dev/shm/vdisk-order",
				 "vdisk_ads");
	assert_int_equal(r, label(&l.p, "vdisk_ads"));
	assert_true(shype_resource_ok(&l.p, ads, r));
	assert_false(shype_resource_ok(&l.p, order, r));
	/* Any label of the policy, a VM label too. */
	assert_int_equal(shype_resource_label(&l.p, SHYPE_RES_SHM, NULL,
					      "order"),
			 order);
	/* A run-time label the policy lacks: nobody may use it. */
	r = shype_resource_label(&l.p, SHYPE_RES_SHM, "/dev/shm/vdisk-order",
				 "orders");
	assert_int_equal(r, SHYPE_LABEL_MISSING);
	assert_int_equal(shype_resource_label(&l.p, SHYPE_RES_SHM, NULL,
					      "nowhere"),
			 SHYPE_LABEL_MISSING);
	for (i = 0; i < l.p.labels; i++)
		assert_false(shype_resource_ok(&l.p, i, r));
	/* Unlabelled: no name, an unknown name, the wrong kind. */
	assert_int_equal(shype_resource_label(&l.p, SHYPE_RES_SHM, NULL, NULL),
			 SHYPE_NOT_FOUND);
	assert_int_equal(shype_resource_label(&l.p, SHYPE_RES_SHM,
					      "/dev/shm/other", NULL),
			 SHYPE_NOT_FOUND);
	assert_int_equal(shype_resource_label(&l.p, SHYPE_RES_NET,
					      "/dev/shm/vdisk-order", NULL),
			 SHYPE_NOT_FOUND);
	assert_int_equal(
		shype_resource_label(&l.p, SHYPE_RES_NET, "br-ads", NULL), ads);
	unload(&l);
}

static void resource_ok_bounds_checked(void **state)
{
	struct loaded l;
	u32 order, vdisk, i, j;

	(void)state;
	load("@../../policies/figure2.json", &l);
	order = label(&l.p, "order");
	vdisk = label(&l.p, "vdisk_order");
	for (i = 0; i < ARRAY_SIZE(bad_index); i++) {
		/* An unlabelled resource is allowed even to a VM of no label. */
		assert_true(
			shype_resource_ok(&l.p, bad_index[i], SHYPE_NOT_FOUND));
		assert_false(shype_resource_ok(&l.p, bad_index[i], vdisk));
		if (bad_index[i] != SHYPE_NOT_FOUND)
			assert_false(
				shype_resource_ok(&l.p, order, bad_index[i]));
		for (j = 0; j < ARRAY_SIZE(bad_index); j++)
			if (bad_index[j] != SHYPE_NOT_FOUND)
				assert_false(shype_resource_ok(
					&l.p, bad_index[i], bad_index[j]));
	}
	assert_true(shype_resource_ok(&l.p, order, vdisk));
	unload(&l);
}

/*
 * The create verdict, as a table: the label (NULL: unlabelled), the label
 * of another VM of its process (NULL: none), what runs, and the verdict.
 */
struct create_case {
	const char *label, *sibling, *running;
	enum shype_create_reason reason;
	const char *verdict_label, *type, *culprit;
};

#define CASE(label, sibling, running, reason, verdict_label)                   \
	{                                                                      \
		label, sibling, running, SHYPE_CREATE_##reason, verdict_label, \
			NULL, NULL                                             \
	}
#define WALL(label, sibling, running, verdict_label, type, culprit) \
	{                                                           \
		label, sibling, running, SHYPE_CREATE_CHINESE_WALL, \
			verdict_label, type, culprit                \
	}

static u32 index_or(const struct shype_policy *p, const char *name)
{
	if (!name)
		return SHYPE_NOT_FOUND;
	if (!strcmp(name, "#past"))
		return p->labels;
	return label(p, name);
}

static void run_create_cases(const char *policy, const struct create_case *c,
			     size_t n)
{
	struct shype_create_verdict v;
	struct loaded l;
	size_t i;
	u32 sib;

	for (i = 0; i < n; i++, c++) {
		load(policy, &l);
		if (c->running)
			shype_chwall_add(&l.p, &l.st, label(&l.p, c->running));
		sib = c->sibling ? index_or(&l.p, c->sibling) : 0;
		memset(&v, 0x5a, sizeof(v));
		shype_create_decide(&l.p, &l.st, c->label,
				    c->label ? strlen(c->label) : 0,
				    c->sibling ? &sib : NULL, &v);
		if (v.reason != c->reason)
			fail_msg("case %zu (%s): %s, expected %s", i,
				 c->label ? c->label : "-",
				 shype_create_reason_name(v.reason),
				 shype_create_reason_name(c->reason));
		assert_int_equal(v.label, index_or(&l.p, c->verdict_label));
		check_str(chwall_name(&l.p, v.type), c->type, "type", "create",
			  i);
		check_str(chwall_name(&l.p, v.culprit), c->culprit, "culprit",
			  "create", i);
		unload(&l);
	}
}

static void create_verdict_follows_the_kernel(void **state)
{
	static const struct create_case figure2[] = {
		CASE("order", NULL, NULL, OK, "order"),
		CASE(NULL, NULL, NULL, UNLABELED, NULL),
		CASE("orders", NULL, NULL, UNKNOWN_LABEL, NULL),
		/* A resource label is no VM label. */
		CASE("vdisk_order", NULL, NULL, UNKNOWN_LABEL, NULL),
		/* The label comes first, then the process, then the wall. */
		CASE("orders", "order", "advertising", UNKNOWN_LABEL, NULL),
		CASE("order", "order", NULL, OK, "order"),
		CASE("order", "computing", "advertising", PROCESS_LABEL,
		     "order"),
		/* A sibling admitted with no label of the policy. */
		CASE("order", "#past", NULL, PROCESS_LABEL, "order"),
		WALL("order", "order", "advertising", "order", "Order",
		     "Advertising"),
		WALL("advertising", NULL, "order", "advertising", "Advertising",
		     "Order"),
		CASE("vdisk_server", NULL, "order", OK, "vdisk_server"),
	};
	static const struct create_case unl[] = {
		CASE(NULL, NULL, NULL, OK, "b"),
		WALL(NULL, NULL, "a", "b", "B", "A"),
		CASE(NULL, "a", NULL, PROCESS_LABEL, "b"),
		CASE("r", NULL, NULL, UNKNOWN_LABEL, NULL),
		CASE("other", NULL, "a", OK, "other"),
	};

	(void)state;
	run_create_cases("@../../policies/figure2.json", figure2,
			 ARRAY_SIZE(figure2));
	run_create_cases(unlabeled_ok, unl, ARRAY_SIZE(unl));
}

static void create_reason_names_are_the_audit_words(void **state)
{
	(void)state;
	assert_string_equal(shype_create_reason_name(SHYPE_CREATE_OK), "ok");
	assert_string_equal(shype_create_reason_name(SHYPE_CREATE_UNLABELED),
			    "unlabeled");
	assert_string_equal(
		shype_create_reason_name(SHYPE_CREATE_UNKNOWN_LABEL),
		"unknown_label");
	assert_string_equal(
		shype_create_reason_name(SHYPE_CREATE_PROCESS_LABEL),
		"process_label");
	assert_string_equal(shype_create_reason_name(SHYPE_CREATE_CHINESE_WALL),
			    "chinese_wall");
	assert_string_equal(shype_create_reason_name(SHYPE_CREATE_NR_REASONS),
			    "?");
	assert_string_equal(
		shype_create_reason_name((enum shype_create_reason) - 1), "?");
}

/* The Chinese Wall primitives ignore a label index past the labels. */
static void chwall_of_index_past_labels_is_ignored(void **state)
{
	struct loaded l;
	size_t size;
	u8 *zero;
	u32 i;

	(void)state;
	load(overlap, &l);
	size = shype_chwall_size(&l.p);
	zero = calloc(1, size);
	for (i = 0; i < ARRAY_SIZE(bad_index); i++) {
		u32 x = bad_index[i] == 6 || bad_index[i] == 7 ?
				l.p.labels + bad_index[i] - 6 :
				bad_index[i];

		shype_chwall_add(&l.p, &l.st, x);
		assert_memory_equal(l.mem, zero, size);
		shype_chwall_remove(&l.p, &l.st, x);
		assert_memory_equal(l.mem, zero, size);
		assert_int_equal(shype_chwall_admit(&l.p, &l.st, x),
				 SHYPE_NOT_FOUND);
		assert_int_equal(shype_chwall_culprit(&l.p, &l.st, x, 0),
				 SHYPE_NOT_FOUND);
	}
	free(zero);
	unload(&l);
}

/*
 * Files: a labelled VMM's open, decided on the file's label (its xattr, or
 * the policy's file: rule).  One policy per unlabeled_files mode; "-" is
 * an unlabelled file, "?" a label the policy lacks (SHYPE_LABEL_MISSING).
 */
#define FILES_POLICY(mode)                                                            \
	"{ \"name\": \"files\", \"version\": \"1\",\n"                                \
	"  \"ste\": { \"types\": [\"T\", \"U\"] },\n"                                 \
	"  \"chwall\": { \"types\": [\"C\"] },\n"                                     \
	"  \"labels\": { \"a\": { \"ste\": [\"T\"] }, \"b\": { \"ste\": [\"U\"] },\n" \
	"    \"ab\": { \"ste\": [\"T\", \"U\"] },\n"                                  \
	"    \"none\": { \"chwall\": [\"C\"] } },\n"                                  \
	"  \"resource_labels\": { \"img_t\": { \"ste\": [\"T\"] },\n"                 \
	"    \"shared\": { \"ste\": [\"T\", \"U\"] } },\n"                            \
	"  \"resources\": { \"file:/img/a.img\": \"img_t\" }" mode " }"

struct file_case {
	const char *vm, *file;
	bool write;
	enum shype_file_reason want;
};

struct file_table {
	const char *policy;
	unsigned int mode;
	struct file_case cases[24];
};

static const struct file_table file_tables[] = {
	{ FILES_POLICY(""),
	  SHYPE_FILES_LABEL,
	  {
		  /* A labelled file: by STE, for reads and writes alike. */
		  { "a", "a", false, SHYPE_FILE_OK },
		  { "a", "a", true, SHYPE_FILE_OK },
		  { "b", "a", false, SHYPE_FILE_STE },
		  { "b", "a", true, SHYPE_FILE_STE },
		  { "a", "img_t", true, SHYPE_FILE_OK },
		  { "b", "img_t", false, SHYPE_FILE_STE },
		  { "ab", "a", true, SHYPE_FILE_OK },
		  { "ab", "b", true, SHYPE_FILE_OK },
		  { "b", "shared", false, SHYPE_FILE_OK },
		  { "a", "shared", true, SHYPE_FILE_OK },
		  /* A file labelled with a label of no STE type. */
		  { "a", "none", false, SHYPE_FILE_STE },
		  { "none", "none", false, SHYPE_FILE_STE },
		  /* A label the policy lacks: nobody. */
		  { "a", "?", false, SHYPE_FILE_UNKNOWN_LABEL },
		  { "ab", "?", true, SHYPE_FILE_UNKNOWN_LABEL },
		  /* An unlabelled file: read by all, labelled on write. */
		  { "a", "-", false, SHYPE_FILE_OK },
		  { "b", "-", false, SHYPE_FILE_OK },
		  { "a", "-", true, SHYPE_FILE_LABEL },
		  { "none", "-", true, SHYPE_FILE_LABEL },
		  /* A resource label is no VMM's label. */
		  { "img_t", "img_t", false, SHYPE_FILE_UNKNOWN_OPENER },
		  { "img_t", "-", true, SHYPE_FILE_UNKNOWN_OPENER },
		  { "img_t", "-", false, SHYPE_FILE_OK },
		  { NULL },
	  } },
	{ FILES_POLICY(", \"unlabeled_files\": \"allow\""),
	  SHYPE_FILES_ALLOW,
	  {
		  { "a", "-", true, SHYPE_FILE_OK },
		  { "img_t", "-", true, SHYPE_FILE_OK },
		  { "a", "-", false, SHYPE_FILE_OK },
		  { "b", "a", false, SHYPE_FILE_STE },
		  { "a", "a", true, SHYPE_FILE_OK },
		  { NULL },
	  } },
	{ FILES_POLICY(", \"unlabeled_files\": \"deny\""),
	  SHYPE_FILES_DENY,
	  {
		  { "a", "-", true, SHYPE_FILE_UNLABELED },
		  { "img_t", "-", true, SHYPE_FILE_UNLABELED },
		  { "a", "-", false, SHYPE_FILE_OK },
		  { "a", "a", true, SHYPE_FILE_OK },
		  { "b", "a", true, SHYPE_FILE_STE },
		  { NULL },
	  } },
};

static u32 file_label(const struct shype_policy *p, const char *name)
{
	if (!strcmp(name, "-"))
		return SHYPE_NOT_FOUND;
	if (!strcmp(name, "?"))
		return SHYPE_LABEL_MISSING;
	return label(p, name);
}

static void file_decide_follows_the_tables(void **state)
{
	const struct file_case *c;
	enum shype_file_reason got;
	struct loaded l;
	size_t t;

	(void)state;
	for (t = 0; t < ARRAY_SIZE(file_tables); t++) {
		load(file_tables[t].policy, &l);
		assert_int_equal(l.p.unlabeled_files, file_tables[t].mode);
		for (c = file_tables[t].cases; c->vm; c++) {
			got = shype_file_decide(&l.p, label(&l.p, c->vm),
						file_label(&l.p, c->file),
						c->write);
			if (got != c->want)
				fail_msg(
					"policy %zu: vm %s file %s %s: %s, want %s",
					t, c->vm, c->file,
					c->write ? "write" : "read",
					shype_file_reason_name(got),
					shype_file_reason_name(c->want));
		}
		unload(&l);
	}
}

/* Indices no VMM or file may hold, and the file rule's own label. */
static void file_decide_bounds_checked(void **state)
{
	struct loaded l;
	u32 a, i, x;

	(void)state;
	load(FILES_POLICY(""), &l);
	a = label(&l.p, "a");
	assert_int_equal(shype_resource_label(&l.p, SHYPE_RES_FILE,
					      "/img/a.img", NULL),
			 label(&l.p, "img_t"));
	assert_int_equal(shype_resource_label(&l.p, SHYPE_RES_FILE,
					      "/img/b.img", NULL),
			 SHYPE_NOT_FOUND);
	/* A file's xattr names a label: the runtime label of the resource. */
	assert_int_equal(shype_resource_label_of(&l.p, SHYPE_NOT_FOUND, "b"),
			 label(&l.p, "b"));
	assert_int_equal(shype_resource_label_of(&l.p, SHYPE_NOT_FOUND, "c"),
			 SHYPE_LABEL_MISSING);
	for (i = 0; i < ARRAY_SIZE(bad_index); i++) {
		x = bad_index[i] == 6 || bad_index[i] == 7 ?
			    l.p.labels + bad_index[i] - 6 :
			    bad_index[i];
		if (x != SHYPE_NOT_FOUND) {
			/* As a file's label: nobody may open it. */
			assert_int_equal(shype_file_decide(&l.p, a, x, false),
					 SHYPE_FILE_UNKNOWN_LABEL);
			assert_int_equal(shype_file_decide(&l.p, a, x, true),
					 SHYPE_FILE_UNKNOWN_LABEL);
		}
		/* As a VMM's label: no labelled file, nor a first write. */
		assert_int_equal(shype_file_decide(&l.p, x, a, false),
				 SHYPE_FILE_UNKNOWN_OPENER);
		assert_int_equal(shype_file_decide(&l.p, x, SHYPE_NOT_FOUND,
						   true),
				 SHYPE_FILE_UNKNOWN_OPENER);
		assert_int_equal(shype_file_decide(&l.p, x, SHYPE_NOT_FOUND,
						   false),
				 SHYPE_FILE_OK);
	}
	/* A blob's unlabeled_files out of range fails closed on writes. */
	l.p.unlabeled_files = SHYPE_FILES_DENY + 1;
	assert_int_equal(shype_file_decide(&l.p, a, SHYPE_NOT_FOUND, true),
			 SHYPE_FILE_UNLABELED);
	assert_int_equal(shype_file_decide(&l.p, a, SHYPE_NOT_FOUND, false),
			 SHYPE_FILE_OK);
	unload(&l);
}

static void file_reason_names_are_the_audit_words(void **state)
{
	static const char *const want[] = {
		"ok",	    "label", "ste", "unknown_label", "unknown_opener",
		"unlabeled"
	};
	u32 r;

	(void)state;
	assert_int_equal(ARRAY_SIZE(want), SHYPE_FILE_NR_REASONS);
	for (r = 0; r < SHYPE_FILE_NR_REASONS; r++)
		assert_string_equal(shype_file_reason_name(r), want[r]);
	assert_string_equal(shype_file_reason_name(SHYPE_FILE_NR_REASONS), "?");
	assert_string_equal(shype_file_reason_name(-1), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(run_scenarios),
		cmocka_unit_test(chwall_state_returns_to_empty),
		cmocka_unit_test(culprit_of_unconflicting_type_is_none),
		cmocka_unit_test(label_find_takes_counted_names),
		cmocka_unit_test(ste_of_index_past_labels_is_no_share),
		cmocka_unit_test(vm_label_index_only_vm_labels),
		cmocka_unit_test(resource_label_runtime_overrides_policy),
		cmocka_unit_test(resource_ok_bounds_checked),
		cmocka_unit_test(create_verdict_follows_the_kernel),
		cmocka_unit_test(create_reason_names_are_the_audit_words),
		cmocka_unit_test(chwall_of_index_past_labels_is_ignored),
		cmocka_unit_test(file_decide_follows_the_tables),
		cmocka_unit_test(file_decide_bounds_checked),
		cmocka_unit_test(file_reason_names_are_the_audit_words),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
