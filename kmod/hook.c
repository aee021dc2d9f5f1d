// SPDX-License-Identifier: GPL-2.0
/*
 * ftrace plumbing: find functions by name, send their calls to shype's
 * wrappers, and pin the modules that hold them.
 *
 * Each hook is an ftrace_ops with IPMODIFY on one function: its callback
 * moves the instruction pointer to the wrapper unless the call comes from
 * shype.ko itself (the wrapper calling the original).  That test needs a
 * real call from the wrapper, hence -fno-optimize-sibling-calls in Kbuild.
 * The ops are PERMANENT, so ftrace cannot be switched off under them, and
 * they do not ask for ftrace's recursion guard, whose refusal would run the
 * original unchecked: the callback calls nothing that can be traced.
 *
 * The modules that hold hooked functions are the hook tables' own (each
 * hook names its module).  A module is hooked when it comes, before its
 * init runs, and unhooked if it goes away after that, when its init
 * failed: so a module that loads again is hooked again.  A hooked module
 * can never be removed: shype takes a reference on it, and records that it
 * uses it, as the module loader records that a module uses another's
 * symbols (add_module_usage() in kernel/module/main.c, Linux 6.1 to 6.12).
 * delete_module() refuses, with EWOULDBLOCK, to remove a module that
 * another uses, before it looks at the flags of a forced removal (rmmod -f,
 * CONFIG_MODULE_FORCE_UNLOAD), and lsmod names shype among its users.  shype
 * records that it uses itself, so that it cannot be forced out either: it
 * has no exit function (main.c), which a forced removal ignores.
 */
#define pr_fmt(fmt) "shype: " fmt

#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/slab.h>

#include "hook.h"
#include "shype.h"

static const struct shype_hook_table *const tables[] = {
	&shype_kvm_table,     &shype_eventfd_table, &shype_vhost_table,
	&shype_memslot_table, &shype_mm_table,	    &shype_vfio_table,
	&shype_net_table,     &shype_proc_table,    &shype_file_table,
};

/* At most this many modules hold hooked functions. */
#define MODULES_MAX 16

/**
 * struct hooked_module - a module that holds hooked functions
 * @name: its name, from the hook tables
 * @mod: the module while it is hooked (and pinned), else NULL
 * @use: shype's record that it uses @mod, while hooked
 */
struct hooked_module {
	const char *name;
	struct module *mod;
	struct module_use *use;
};

/* Every module named in the tables, found at init; under hook_mutex. */
static struct hooked_module modules[MODULES_MAX];
static unsigned int nr_modules;

/* shype's record that it uses itself. */
static struct module_use *self_use;

/* The module loader's lock, over the modules' lists of users. */
static struct mutex *module_mutex;

/* Renamed after 6.1: 6.12 has the new name only. */
#ifndef ftrace_instruction_pointer_set
#define ftrace_instruction_pointer_set ftrace_regs_set_instruction_pointer
#endif

/*
 * Where ftrace passes the arguments and the instruction pointer in
 * ftrace_regs (x86 since Linux 5.11), its plain trampoline applies a
 * changed instruction pointer as the one that saves every register does,
 * without saving and restoring the flags and the other registers on each
 * call: the callback needs only the instruction pointer (livepatch asks
 * for the same).
 */
#ifdef CONFIG_HAVE_DYNAMIC_FTRACE_WITH_ARGS
#define HOOK_SAVE_REGS 0
#else
#define HOOK_SAVE_REGS FTRACE_OPS_FL_SAVE_REGS
#endif

static DEFINE_MUTEX(hook_mutex);
static unsigned int installed;
static unsigned long (*lookup_name)(const char *name);

static void notrace hook_thunk(unsigned long ip, unsigned long parent_ip,
			       struct ftrace_ops *ops,
			       struct ftrace_regs *fregs)
{
	struct shype_hook *hook = container_of(ops, struct shype_hook, ops);

	if (!within_module(parent_ip, THIS_MODULE))
		ftrace_instruction_pointer_set(fregs,
					       (unsigned long)hook->wrapper);
}

static unsigned long find_symbol(const char *module, const char *name)
{
	char full[MODULE_NAME_LEN + KSYM_NAME_LEN + 1];

	if (!module)
		return lookup_name(name);
	snprintf(full, sizeof(full), "%s:%s", module, name);
	return lookup_name(full);
}

static bool same_set(const struct shype_hook *a, const struct shype_hook *b)
{
	return a->one_of && a->one_of == b->one_of;
}

/* Is a member of @t->hooks[@i]'s set hooked, or, with @later, left to try? */
static bool other_member(const struct shype_hook_table *t, size_t i, bool later)
{
	size_t j;

	for (j = later ? i + 1 : 0; j < t->nr; j++)
		if (j != i && same_set(&t->hooks[j], &t->hooks[i]) &&
		    (later || t->hooks[j].addr))
			return true;
	return false;
}

/* The address of @hook's function, or 0 if it or its @if_symbol is absent. */
static unsigned long find_hook(const struct shype_hook *hook)
{
	if (hook->if_symbol && !lookup_name(hook->if_symbol))
		return 0;
	return find_symbol(hook->module, hook->name);
}

/* Say that @hook's function, or every member of its set, is missing. */
static void report_missing(const struct shype_hook_table *t,
			   const struct shype_hook *hook)
{
	char list[256];
	size_t j, len = 0;

	if (!hook->one_of) {
		pr_err("cannot find %s:%s, refusing to run without its hook\n",
		       hook->module ?: "vmlinux", hook->name);
		return;
	}
	list[0] = '\0';
	for (j = 0; j < t->nr && len < sizeof(list); j++) {
		if (!same_set(&t->hooks[j], hook))
			continue;
		len += scnprintf(list + len, sizeof(list) - len, "%s%s:%s%s%s",
				 len ? " or " : "",
				 t->hooks[j].module ?: "vmlinux",
				 t->hooks[j].name,
				 t->hooks[j].if_symbol ? " with " : "",
				 t->hooks[j].if_symbol ?: "");
	}
	pr_err("cannot find %s, refusing to run without one of their hooks\n",
	       list);
}

/*
 * Hook @t->hooks[@i]; for a member of a set, unless another member is
 * hooked, or its function is absent and a later member may be found.
 */
static int hook_install(const struct shype_hook_table *t, size_t i)
{
	struct shype_hook *hook = &t->hooks[i];
	unsigned long addr;
	int err;

	if (hook->addr)
		return 0;
	if (hook->one_of && other_member(t, i, false))
		return 0;
	/* A feature this kernel is built without. */
	if (!hook->one_of && hook->if_symbol && !lookup_name(hook->if_symbol))
		return 0;
	addr = find_hook(hook);
	if (!addr) {
		if (hook->one_of && other_member(t, i, true))
			return 0;
		report_missing(t, hook);
		return -ENOENT;
	}
	hook->ops.func = hook_thunk;
	hook->ops.flags = HOOK_SAVE_REGS | FTRACE_OPS_FL_IPMODIFY |
			  FTRACE_OPS_FL_PERMANENT;
	err = ftrace_set_filter_ip(&hook->ops, addr, 0, 0);
	if (err)
		goto out_err;
	*hook->orig = (void *)addr;
	err = register_ftrace_function(&hook->ops);
	if (err) {
		ftrace_set_filter_ip(&hook->ops, addr, 1, 0);
		goto out_err;
	}
	hook->addr = addr;
	installed++;
	if (hook->one_of)
		pr_info("hooked %s:%s, one of a set of alternatives\n",
			hook->module ?: "vmlinux", hook->name);
	return 0;

out_err:
	pr_err("cannot hook %s:%s (%d), refusing to run without it\n",
	       hook->module ?: "vmlinux", hook->name, err);
	return err;
}

static int hook_remove(const struct shype_hook_table *t, size_t i)
{
	struct shype_hook *hook = &t->hooks[i];

	if (!hook->addr)
		return 0;
	WARN_ON_ONCE(unregister_ftrace_function(&hook->ops));
	ftrace_set_filter_ip(&hook->ops, hook->addr, 1, 0);
	hook->addr = 0;
	installed--;
	return 0;
}

static bool same_module(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

/* Apply @fn to every hook of @module, in table order, until it fails. */
static int apply_hooks(const char *module,
		       int (*fn)(const struct shype_hook_table *t, size_t i))
{
	size_t t, i;
	int err;

	for (t = 0; t < ARRAY_SIZE(tables); t++) {
		for (i = 0; i < tables[t]->nr; i++) {
			if (!same_module(tables[t]->hooks[i].module, module))
				continue;
			err = fn(tables[t], i);
			if (err)
				return err;
		}
	}
	return 0;
}

static void remove_module_hooks(const char *module)
{
	apply_hooks(module, hook_remove);
}

/* Hook every function of @module; all or none. Under hook_mutex. */
static int install_module_hooks(const char *module)
{
	int err = apply_hooks(module, hook_install);

	if (err)
		remove_module_hooks(module);
	return err;
}

static struct hooked_module *find_hooked(const char *name)
{
	unsigned int i;

	for (i = 0; i < nr_modules; i++)
		if (!strcmp(modules[i].name, name))
			return &modules[i];
	return NULL;
}

/* List the modules of the tables' hooks, each once. */
static int find_modules(void)
{
	const struct shype_hook *hook;
	size_t t, i;

	for (t = 0; t < ARRAY_SIZE(tables); t++) {
		for (i = 0; i < tables[t]->nr; i++) {
			hook = &tables[t]->hooks[i];
			if (!hook->module || find_hooked(hook->module))
				continue;
			if (nr_modules == ARRAY_SIZE(modules)) {
				pr_err("hooks in more than %d modules\n",
				       MODULES_MAX);
				return -E2BIG;
			}
			modules[nr_modules++].name = hook->module;
		}
	}
	return 0;
}

#ifdef CONFIG_MODULE_UNLOAD
/*
 * Record that shype uses @target, which it holds a reference on, as the
 * module loader's add_module_usage() does: then delete_module() refuses to
 * remove @target, forced or not.  NULL when out of memory.
 */
static struct module_use *use_module(struct module *target)
{
	struct module_use *use = kmalloc(sizeof(*use), GFP_KERNEL);

	if (!use)
		return NULL;
	use->source = THIS_MODULE;
	use->target = target;
	mutex_lock(module_mutex);
	list_add(&use->source_list, &target->source_list);
	list_add(&use->target_list, &THIS_MODULE->target_list);
	mutex_unlock(module_mutex);
	return use;
}

/* Take back the record @use; the caller puts its reference. */
static void unuse_module(struct module_use *use)
{
	mutex_lock(module_mutex);
	list_del(&use->source_list);
	list_del(&use->target_list);
	mutex_unlock(module_mutex);
	kfree(use);
}
#else
/* No module can be removed. */
static struct module_use *use_module(struct module *target)
{
	return ZERO_SIZE_PTR;
}

static void unuse_module(struct module_use *use)
{
}
#endif

/*
 * Hook @mod's functions, pin it and record that shype uses it: it cannot
 * unload from under them.
 */
static int hook_module(struct hooked_module *m, struct module *mod)
{
	int err;

	mutex_lock(&hook_mutex);
	err = 0;
	if (m->mod)
		goto out;
	if (!try_module_get(mod)) {
		err = -ENODEV;
		goto out;
	}
	err = install_module_hooks(m->name);
	if (err)
		goto out_put;
	m->use = use_module(mod);
	if (!m->use) {
		err = -ENOMEM;
		remove_module_hooks(m->name);
		goto out_put;
	}
	m->mod = mod;
	pr_info("hooked %s\n", m->name);
	goto out;

out_put:
	module_put(mod);
out:
	mutex_unlock(&hook_mutex);
	return err;
}

/* Under hook_mutex. */
static void unhook_module_locked(struct hooked_module *m)
{
	remove_module_hooks(m->name);
	unuse_module(m->use);
	module_put(m->mod);
	m->use = NULL;
	m->mod = NULL;
}

/*
 * @mod goes away: its init failed after it came (a hooked module cannot be
 * removed).  Unhook it, so that it is hooked again when it loads again.
 */
static void unhook_module(struct hooked_module *m, struct module *mod)
{
	mutex_lock(&hook_mutex);
	if (m->mod == mod) {
		unhook_module_locked(m);
		pr_info("unhooked %s: it is going away\n", m->name);
	}
	mutex_unlock(&hook_mutex);
}

static int module_notify(struct notifier_block *nb, unsigned long action,
			 void *data)
{
	struct module *mod = data;
	struct hooked_module *m;

	if (action != MODULE_STATE_COMING && action != MODULE_STATE_GOING)
		return NOTIFY_DONE;
	m = find_hooked(mod->name);
	if (!m)
		return NOTIFY_DONE;
	if (action == MODULE_STATE_GOING) {
		unhook_module(m, mod);
		return NOTIFY_DONE;
	}
	/* A module that cannot be hooked does not load. */
	return notifier_from_errno(hook_module(m, mod));
}

static struct notifier_block module_nb = {
	.notifier_call = module_notify,
};

/* The modules that were loaded before us. */
static int hook_loaded_modules(void)
{
	char name[MODULE_NAME_LEN + sizeof(":__this_module")];
	struct module *mod;
	unsigned int i;
	int err;

	for (i = 0; i < nr_modules; i++) {
		snprintf(name, sizeof(name), "%s:__this_module",
			 modules[i].name);
		/* RCU keeps a module that is going away from being freed. */
		rcu_read_lock();
		mod = (struct module *)lookup_name(name);
		if (mod && !try_module_get(mod))
			mod = NULL;
		rcu_read_unlock();
		if (!mod)
			continue;
		err = hook_module(&modules[i], mod);
		module_put(mod);
		if (err)
			return err;
	}
	return 0;
}

static int find_lookup_name(void)
{
	struct kprobe kp = { .symbol_name = "kallsyms_lookup_name" };
	int err;

	err = register_kprobe(&kp);
	if (err) {
		pr_err("cannot find kallsyms_lookup_name (%d)\n", err);
		return err;
	}
	lookup_name = (void *)kp.addr;
	unregister_kprobe(&kp);
	module_mutex = (struct mutex *)lookup_name("module_mutex");
	if (!module_mutex) {
		pr_err("cannot find module_mutex, refusing to run without it\n");
		return -ENOENT;
	}
	return 0;
}

/**
 * shype_lookup_name() - the address of a kernel or module symbol
 * @name: "name" in the kernel, or "module:name"
 *
 * Return: the address, or 0 when there is no such symbol (or shype.ko's
 * init has not found kallsyms yet).
 */
unsigned long shype_lookup_name(const char *name)
{
	return lookup_name ? lookup_name(name) : 0;
}

/**
 * shype_hooks_installed() - how many functions are hooked now
 */
unsigned int shype_hooks_installed(void)
{
	return READ_ONCE(installed);
}

/**
 * shype_hooks_init() - hook the kernel's functions now, and KVM's and
 *	vhost's now or when they load; from then on, neither they nor shype
 *	can be removed
 *
 * Return: 0, or the error of the first function that could not be hooked
 * (then nothing stays hooked).
 */
int shype_hooks_init(void)
{
	unsigned int i;
	int err;

	err = find_modules();
	if (err)
		return err;
	err = find_lookup_name();
	if (err)
		return err;
	mutex_lock(&hook_mutex);
	err = install_module_hooks(NULL);
	mutex_unlock(&hook_mutex);
	if (err)
		return err;
	err = register_module_notifier(&module_nb);
	if (err)
		goto out_kernel;
	err = hook_loaded_modules();
	if (err)
		goto out_notifier;
	/* The last step: nothing after it fails, which would free shype. */
	__module_get(THIS_MODULE);
	self_use = use_module(THIS_MODULE);
	if (!self_use) {
		module_put(THIS_MODULE);
		err = -ENOMEM;
		goto out_notifier;
	}
	return 0;

out_notifier:
	unregister_module_notifier(&module_nb);
	mutex_lock(&hook_mutex);
	for (i = 0; i < nr_modules; i++)
		if (modules[i].mod)
			unhook_module_locked(&modules[i]);
	mutex_unlock(&hook_mutex);
out_kernel:
	mutex_lock(&hook_mutex);
	remove_module_hooks(NULL);
	mutex_unlock(&hook_mutex);
	return err;
}
