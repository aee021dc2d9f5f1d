/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Hooks on functions of KVM and vhost, installed with ftrace.
 *
 * A hook sends every call of a function to a wrapper in shype.ko; the
 * wrapper decides and calls the original through *@orig.  The function is
 * found by name when its module loads (or at shype's load if it is already
 * there); a function that cannot be found or hooked fails that load.
 */
#ifndef SHYPE_KMOD_HOOK_H
#define SHYPE_KMOD_HOOK_H

#include <linux/ftrace.h>

/**
 * struct shype_hook - one hooked function
 * @module: the module that has it ("kvm", "vhost", ...), or NULL for the
 *	kernel itself
 * @name: the function's name
 * @wrapper: shype's function called instead
 * @orig: where to store the function's address, for the wrapper to call
 * @one_of: 0 for a function that every supported kernel has; else the
 *	number of a set of alternatives (the same in each member) of which
 *	exactly one is hooked: the first in the table whose function, and
 *	@if_symbol, are found.  Members of a set belong to one @module.
 * @if_symbol: NULL, or a symbol ("module:name" or a kernel name) that must
 *	exist for this hook to be installed.  In a set, it tells two
 *	kernels' versions of one function apart when their arguments differ.
 *	Outside a set, it names a feature that a kernel may be built without:
 *	where the symbol exists, the hook is required as any other
 * @ops: ftrace's registration
 * @addr: the function's address while hooked, else 0
 */
struct shype_hook {
	const char *module;
	const char *name;
	void *wrapper;
	void **orig;
	unsigned int one_of;
	const char *if_symbol;
	struct ftrace_ops ops;
	unsigned long addr;
};

#define SHYPE_HOOK(_mod, _fn)                                          \
	{                                                              \
		.module = (_mod), .name = #_fn, .wrapper = hook_##_fn, \
		.orig = (void **)&orig_##_fn,                          \
	}

/* A hook required on kernels that have @_if, and absent from others. */
#define SHYPE_HOOK_IF(_mod, _fn, _if)                                  \
	{                                                              \
		.module = (_mod), .name = #_fn, .wrapper = hook_##_fn, \
		.orig = (void **)&orig_##_fn, .if_symbol = (_if),      \
	}

/*
 * A member of the set of alternatives @_set: @_fn, hooked by @_wrapper,
 * whose original goes to @_orig, on a kernel that has @_if (or any).
 */
#define SHYPE_HOOK_ONE_OF(_set, _mod, _fn, _wrapper, _orig, _if)       \
	{                                                              \
		.module = (_mod), .name = #_fn, .wrapper = (_wrapper), \
		.orig = (void **)&(_orig), .one_of = (_set),           \
		.if_symbol = (_if),                                    \
	}

/**
 * struct shype_hook_table - the hooks of one file of bind points
 * @hooks: the hooks
 * @nr: how many
 */
struct shype_hook_table {
	struct shype_hook *hooks;
	size_t nr;
};

extern const struct shype_hook_table shype_kvm_table;
extern const struct shype_hook_table shype_eventfd_table;
extern const struct shype_hook_table shype_vhost_table;
extern const struct shype_hook_table shype_memslot_table;
extern const struct shype_hook_table shype_mm_table;
extern const struct shype_hook_table shype_vfio_table;
extern const struct shype_hook_table shype_net_table;
extern const struct shype_hook_table shype_proc_table;
extern const struct shype_hook_table shype_file_table;

#endif /* SHYPE_KMOD_HOOK_H */
