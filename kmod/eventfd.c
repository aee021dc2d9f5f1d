// SPDX-License-Identifier: GPL-2.0
/*
 * The inner step of eventfd binds: the lookups through which KVM and vhost
 * turn a user's fd into the eventfd they bind.  Outside a
 * bind in progress the hooks only call through.
 *
 * KVM_IRQFD resolves its eventfd with eventfd_ctx_fileget(); everything
 * else with eventfd_ctx_fdget(), into which fileget is inlined: the wrapper
 * of fdget does its work itself, calling the real fileget, so that it holds
 * the file and can take shype's own reference to the same eventfd.
 */
#define pr_fmt(fmt) "shype: " fmt

#include <linux/eventfd.h>
#include <linux/file.h>

#include "hook.h"
#include "shype.h"

static struct eventfd_ctx *(*orig_eventfd_ctx_fileget)(struct file *file);
static struct eventfd_ctx *(*orig_eventfd_ctx_fdget)(int fd);

/* Decide on @ctx of @file for the bind @c; drop @ctx when denied. */
static struct eventfd_ctx *judge(struct shype_bind_ctx *c,
				 struct eventfd_ctx *ctx, struct file *file)
{
	struct eventfd_ctx *extra;
	int err;

	/* An unbind keeps nothing: it only notes the eventfd. */
	if (c->deassign) {
		shype_bind_note_unbind(c, ctx);
		return ctx;
	}
	extra = orig_eventfd_ctx_fileget(file);
	if (WARN_ON_ONCE(extra != ctx)) {
		if (!IS_ERR(extra))
			eventfd_ctx_put(extra);
		eventfd_ctx_put(ctx);
		return ERR_PTR(-EACCES);
	}
	err = shype_bind_eventfd(c, ctx, extra);
	if (err) {
		eventfd_ctx_put(ctx);
		return ERR_PTR(err);
	}
	return ctx;
}

/* As judge(), whose puts are shype's, not the binder's (see below). */
static struct eventfd_ctx *decide(struct shype_bind_ctx *c,
				  struct eventfd_ctx *ctx, struct file *file)
{
	if (IS_ERR(ctx))
		return ctx;
	c->inner = true;
	ctx = judge(c, ctx, file);
	c->inner = false;
	return ctx;
}

static struct eventfd_ctx *hook_eventfd_ctx_fileget(struct file *file)
{
	struct shype_bind_ctx *c = shype_bind_current();
	struct eventfd_ctx *ctx = orig_eventfd_ctx_fileget(file);

	return c ? decide(c, ctx, file) : ctx;
}

/* Linux 6.12 hides struct fd's members behind fd_file(). */
#ifndef fd_file
#define fd_file(f) ((f).file)
#endif

static struct eventfd_ctx *hook_eventfd_ctx_fdget(int fd)
{
	struct shype_bind_ctx *c = shype_bind_current();
	struct eventfd_ctx *ctx;
	struct fd f;

	if (!c)
		return orig_eventfd_ctx_fdget(fd);
	f = fdget(fd);
	if (!fd_file(f))
		return ERR_PTR(-EBADF);
	ctx = decide(c, orig_eventfd_ctx_fileget(fd_file(f)), fd_file(f));
	fdput(f);
	return ctx;
}

static struct file *(*orig_eventfd_fget)(int fd);

/* vhost's VHOST_SET_VRING_KICK keeps the eventfd's file. */
static struct file *hook_eventfd_fget(int fd)
{
	struct shype_bind_ctx *c = shype_bind_current();
	struct file *file = orig_eventfd_fget(fd);
	struct eventfd_ctx *ctx;

	if (!c || IS_ERR(file))
		return file;
	ctx = decide(c, orig_eventfd_ctx_fileget(file), file);
	if (IS_ERR(ctx)) {
		fput(file);
		return ERR_CAST(ctx);
	}
	eventfd_ctx_put(ctx);
	return file;
}

static void (*orig_eventfd_ctx_put)(struct eventfd_ctx *ctx);

/*
 * VHOST_SET_VRING_CALL and _ERR: vhost swaps the queue's eventfd for the
 * new one (or none), then lets the old one go; which queue it names
 * nowhere else (see vhost.c).  Only in a task: a bind is never in
 * progress in interrupt context, and ctx_lock is no irq lock.
 */
static void hook_eventfd_ctx_put(struct eventfd_ctx *ctx)
{
	struct shype_bind_ctx *c = in_task() ? shype_bind_current_dev() : NULL;
	u32 kind;

	if (c && c->op == SHYPE_OP_VHOST_EVENTFD && !c->inner && !c->put) {
		kind = c->slot >> SHYPE_SLOT_SHIFT;
		if (kind == SHYPE_SLOT_CALL || kind == SHYPE_SLOT_ERR)
			c->put = ctx;
	}
	orig_eventfd_ctx_put(ctx);
}

static struct shype_hook eventfd_hooks[] = {
	SHYPE_HOOK(NULL, eventfd_ctx_fileget),
	SHYPE_HOOK(NULL, eventfd_ctx_fdget),
	SHYPE_HOOK(NULL, eventfd_fget),
	SHYPE_HOOK(NULL, eventfd_ctx_put),
};

const struct shype_hook_table shype_eventfd_table = {
	.hooks = eventfd_hooks,
	.nr = ARRAY_SIZE(eventfd_hooks),
};
