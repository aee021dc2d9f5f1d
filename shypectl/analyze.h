/* SPDX-License-Identifier: GPL-2.0 */
/*
 * shypectl: the information flows a compiled policy allows (analyze.c),
 * and the commands built on them: policy analyze, policy diff, load
 * --dry-run (diff.c) and audit explain (explain.c).
 *
 * Everything is computed on the validated blob (struct shype_policy) with
 * kmod/core's own decisions, so that it says what the kernel would decide.
 */
#ifndef SHYPECTL_ANALYZE_H
#define SHYPECTL_ANALYZE_H

#include "main.h"

/*
 * The flow graph of a policy: its nodes are the labels.  Two labels are
 * joined when kmod/core lets their holders share (shype_ste_share()): two
 * VM labels, or a VM label and a label of resources.  Two resource labels
 * are never joined: a resource moves no data by itself.  Data flows both
 * ways along a join, and on from there: a VM that reads a shared file may
 * write what it read to another.
 */

/* Is label @l of @p a resource label (else a VM label)? */
bool flow_is_resource(const struct shype_policy *p, u32 l);

/* May holders of labels @a and @b exchange data directly? */
bool flow_edge(const struct shype_policy *p, u32 a, u32 b);

/*
 * The first conflict set that keeps labels @a and @b from running at once,
 * their types in it in @ta and @tb; SHYPE_NOT_FOUND when none does.
 */
u32 flow_walled(const struct shype_policy *p, u32 a, u32 b, u32 *ta, u32 *tb);

/*
 * struct flow_leak - two labels of conflicting Chinese Wall types (never
 *	running at once) that can still exchange data
 * @set: the conflict set
 * @ta: @a's type in it
 * @tb: @b's type in it
 * @a: a VM label
 * @b: another
 * @path: a shortest path of labels from @a to @b (@a and @b included)
 * @len: its length; 2 when they share a type themselves
 */
struct flow_leak {
	u32 set, ta, tb, a, b;
	u32 *path;
	u32 len;
};

/*
 * Every pair of labels in a conflict set that can exchange data, each pair
 * once (the first set and types that make it one), in label order.
 * Returns 0 and a malloc()ed @v of @n leaks (free with flow_leaks_free()),
 * or -ENOMEM.
 */
int flow_leaks(const struct shype_policy *p, struct flow_leak **v, size_t *n);
void flow_leaks_free(struct flow_leak *v, size_t n);

/*
 * The policy of "FILE" or "active" (the kernel's active policy, read back
 * from securityfs), compiled and validated; on failure prints why and
 * returns EXIT_FAILURE.
 */
int flow_policy_load(const char *arg, struct policy_file *pf);

/* Commands. */
int policy_analyze(int argc, char **argv);
int policy_diff(int argc, char **argv);
/* load FILE --dry-run: what the kernel would refuse if FILE were loaded. */
int load_dry_run(struct policy_file *pf, bool force);
int audit_explain(int argc, char **argv);

#endif /* SHYPECTL_ANALYZE_H */
