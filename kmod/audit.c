// SPDX-License-Identifier: GPL-2.0
/*
 * Audit of denials and changes, and statistics of decisions.
 *
 * Every denial goes through shype_deny(): one line, in the format of the
 * uapi header, kept in a ring that the audit file reads, logged with
 * pr_notice, rate limited, and sent to the kernel audit subsystem as a
 * record of type %SHYPE_AUDIT_TYPE, rate limited on its own.  Changes made
 * through securityfs (policy loads, mode switches, labels) go to the audit
 * subsystem only, in records of the same type, never rate limited: only
 * CAP_MAC_ADMIN makes them.
 *
 * A record's fields are the ring line's, but that a path= or name= field
 * (escaped as \ooo in the ring) and an error= field (free text, always
 * last) are quoted as audit_log_untrustedstring() does, which Debian's
 * kernels do not export.
 */
#define pr_fmt(fmt) "shype: " fmt

#include <linux/atomic.h>
#include <linux/audit.h>
#include <linux/ctype.h>
#include <linux/ktime.h>
#include <linux/log2.h>
#include <linux/math64.h>
#include <linux/ratelimit.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/spinlock.h>
#include <linux/uaccess.h>
#include <linux/wait.h>

#include "shype.h"

#define AUDIT_LINES    256 /* a power of two */
#define AUDIT_LINE_MAX 384

const char *const shype_op_names[SHYPE_OP_NR] = {
	[SHYPE_OP_CREATE] = "create",
	[SHYPE_OP_POLICY_LOAD] = "policy_load",
	[SHYPE_OP_IRQFD] = "irqfd",
	[SHYPE_OP_IOEVENTFD] = "ioeventfd",
	[SHYPE_OP_HV_EVENTFD] = "hv_eventfd",
	[SHYPE_OP_SEV_CONTEXT] = "sev_context",
	[SHYPE_OP_VHOST_EVENTFD] = "vhost_eventfd",
	[SHYPE_OP_MEMSLOT] = "memslot",
	[SHYPE_OP_REMAP] = "remap",
	[SHYPE_OP_VSOCK_CID] = "vsock_cid",
	[SHYPE_OP_NET_BACKEND] = "net_backend",
	[SHYPE_OP_VFIO] = "vfio",
	[SHYPE_OP_XEN_EVTCHN] = "xen_evtchn",
	[SHYPE_OP_PTRACE] = "ptrace",
	[SHYPE_OP_USERFAULTFD] = "userfaultfd",
	[SHYPE_OP_VFIO_IRQ] = "vfio_irq",
	[SHYPE_OP_FILE] = "file",
};

/*
 * Times of decisions, in buckets of a quarter of a power of two of ns:
 * bucket 4 * b + q holds [(4 + q) << (b - 2), (5 + q) << (b - 2)) for
 * b >= 2; buckets 0 to 3 hold 0 to 3 ns, 4 to 7 stay empty; the last one
 * holds all from 2^31 ns.
 */
#define TIME_BUCKETS 128

/*
 * @ns and @max_ns: the time decisions took, in total and at most (only
 * those that shype_stat_timed() counted: @timed of them); @hist: their
 * distribution, for medians that a stalled vCPU does not skew.
 */
struct op_stats {
	atomic64_t calls, allowed, denied, suppressed;
	atomic64_t timed, ns, max_ns;
	atomic64_t hist[TIME_BUCKETS];
};

static struct op_stats stats[SHYPE_OP_NR];

struct audit_line {
	u64 seq;
	char text[AUDIT_LINE_MAX];
};

static struct audit_line ring[AUDIT_LINES];
static u64 next_seq = 1;
static DEFINE_SPINLOCK(ring_lock);
DECLARE_WAIT_QUEUE_HEAD(shype_audit_wait);

/*
 * Denial records sent to the audit subsystem: a VMM can make denials as
 * fast as it likes, so at most a burst of 50 every 5 s; the rest are
 * counted (per operation: the stats file's audit_suppressed=) and the next
 * record sent says how many were left out since the one before
 * (suppressed=N).
 */
static DEFINE_RATELIMIT_STATE(kaudit_rs, 5 * HZ, 50);
static atomic_t kaudit_unreported;

/* Log @s as audit_log_untrustedstring() does: "quoted", or hex. */
static void kaudit_untrusted(struct audit_buffer *ab, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (s[i] == '"' || (u8)s[i] < 0x21 || (u8)s[i] > 0x7e)
			break;
	if (i == len) {
		audit_log_format(ab, "\"%.*s\"", (int)len, s);
		return;
	}
	for (i = 0; i < len; i++)
		audit_log_format(ab, "%02X", (unsigned char)s[i]);
}

/* Undo the ring's \ooo escapes of @s, @len bytes, into @out. */
static size_t unescape(char *out, const char *s, size_t len)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++) {
		if (s[i] == '\\' && i + 3 < len && isodigit(s[i + 1]) &&
		    isodigit(s[i + 2]) && isodigit(s[i + 3])) {
			out[n++] = (s[i + 1] - '0') << 6 |
				   (s[i + 2] - '0') << 3 | (s[i + 3] - '0');
			i += 3;
		} else {
			out[n++] = s[i];
		}
	}
	return n;
}

/*
 * Send the fields of @text in one record, then path=@path unless NULL,
 * suppressed=@suppressed unless 0, and with @task the writer's task.
 */
static void kaudit_send(const char *text, const char *path, gfp_t gfp,
			bool task, int suppressed)
{
	char raw[AUDIT_LINE_MAX];
	struct audit_buffer *ab;
	const char *f, *end, *eq;
	size_t len;

	ab = audit_log_start(audit_context(), gfp, SHYPE_AUDIT_TYPE);
	if (!ab)
		return;
	for (f = text; *f; f = *end ? end + 1 : end) {
		end = strchrnul(f, ' ');
		eq = memchr(f, '=', end - f);
		len = eq ? eq - f : 0;
		if (len == 5 && !memcmp(f, "error", 5))
			end = f + strlen(f); /* free text, the last field */
		if (f != text)
			audit_log_format(ab, " ");
		if ((len == 4 &&
		     (!memcmp(f, "path", 4) || !memcmp(f, "name", 4))) ||
		    (len == 5 && !memcmp(f, "error", 5))) {
			audit_log_format(ab, "%.*s=", (int)len, f);
			kaudit_untrusted(ab, raw,
					 unescape(raw, eq + 1, end - eq - 1));
		} else {
			audit_log_format(ab, "%.*s", (int)(end - f), f);
		}
	}
	if (path) {
		audit_log_format(ab, " path=");
		kaudit_untrusted(ab, path, strlen(path));
	}
	if (suppressed)
		audit_log_format(ab, " suppressed=%d", suppressed);
	if (task)
		audit_log_task_info(ab); /* " ppid=... pid=... comm=..." */
	audit_log_end(ab);
}

/* The record of a denial of @op, rate limited. */
static void kaudit_deny(enum shype_op op, const char *text)
{
	if (!__ratelimit(&kaudit_rs)) {
		atomic64_inc(&stats[op].suppressed);
		atomic_inc(&kaudit_unreported);
		return;
	}
	kaudit_send(text, NULL, GFP_ATOMIC | __GFP_NOWARN, false,
		    atomic_xchg(&kaudit_unreported, 0));
}

/**
 * shype_audit_change() - send a record of a change made through securityfs
 *	to the audit subsystem, with the writer's task information; not under
 *	shype_lock (the audit subsystem may wait for auditd)
 * @path: the path of the object changed, or NULL
 * @fmt: the fields, from op= on, before path=
 */
void shype_audit_change(const char *path, const char *fmt, ...)
{
	char text[AUDIT_LINE_MAX];
	va_list args;

	va_start(args, fmt);
	vscnprintf(text, sizeof(text), fmt, args);
	va_end(args);
	kaudit_send(text, path, GFP_KERNEL, true, 0);
}

/**
 * shype_audit_label() - the record of a label given to or taken from an
 *	object; not under shype_lock
 * @path: the object's path
 * @class: its class ("cgroup", "shm")
 * @id_key: the name of its identity's field ("cgroup_id", "inode")
 * @id: its identity
 * @label: the new label, or NULL when the label is taken away
 * @old: the label it had, or "-"
 */
void shype_audit_label(const char *path, const char *class, const char *id_key,
		       u64 id, const char *label, const char *old)
{
	const char *fmt =
		"op=%s result=accepted class=%s label=%s old=%s %s=%llu";

	shype_audit_change(path, fmt, label ? "label" : "unlabel", class,
			   label ? label : "-", old, id_key, id);
}

static void audit_vlog(enum shype_op op, bool enforced, const char *fmt,
		       va_list args)
{
	struct audit_line *l;
	char text[AUDIT_LINE_MAX];
	int n;

	n = scnprintf(text, sizeof(text), "op=%s result=%s ",
		      shype_op_names[op], enforced ? "denied" : "permitted");
	vscnprintf(text + n, sizeof(text) - n, fmt, args);
	pr_notice_ratelimited("%s\n", text);
	kaudit_deny(op, text);

	spin_lock(&ring_lock);
	l = &ring[next_seq % AUDIT_LINES];
	l->seq = next_seq++;
	strscpy(l->text, text, sizeof(l->text));
	spin_unlock(&ring_lock);
	wake_up_interruptible(&shype_audit_wait);
}

/**
 * shype_audit() - audit a refusal that is not about one VM (a policy load)
 * @op: the operation
 * @fmt: the fields after op= and result=
 */
void shype_audit(enum shype_op op, const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	audit_vlog(op, true, fmt, args);
	va_end(args);
}

/**
 * shype_deny() - audit a denial of @op to @vm
 * @op: the operation
 * @vm: the VM
 * @fmt: the fields after vm= and pid=, from reason= on
 *
 * Return: %-EACCES, for the caller to return.
 */
int shype_deny(enum shype_op op, const struct shype_vm *vm, const char *fmt,
	       ...)
{
	char more[AUDIT_LINE_MAX / 2];
	va_list args;

	va_start(args, fmt);
	vscnprintf(more, sizeof(more), fmt, args);
	va_end(args);
	shype_audit_permissive(op, !shype_permissive, "vm=%llu(%s) pid=%d %s",
			       vm->id, shype_vm_label(vm), vm->pid, more);
	return -EACCES;
}

/**
 * shype_audit_permissive() - as shype_audit(), saying whether the denial
 *	was enforced
 */
void shype_audit_permissive(enum shype_op op, bool enforced, const char *fmt,
			    ...)
{
	va_list args;

	va_start(args, fmt);
	audit_vlog(op, enforced, fmt, args);
	va_end(args);
}

/**
 * shype_audit_oldest() - sequence number of the oldest line kept
 */
u64 shype_audit_oldest(void)
{
	u64 seq;

	spin_lock(&ring_lock);
	seq = next_seq > AUDIT_LINES ? next_seq - AUDIT_LINES : 1;
	spin_unlock(&ring_lock);
	return seq;
}

/**
 * shype_audit_pending() - is there a line at or after @seq?
 */
bool shype_audit_pending(u64 seq)
{
	return seq < READ_ONCE(next_seq);
}

/**
 * shype_audit_read() - copy whole lines from @*seq on to @buf
 * @seq: the reader's next sequence number; advanced
 * @buf: user buffer
 * @count: its size
 *
 * Return: bytes copied, 0 when caught up, %-EFAULT, or %-EINVAL when
 * @count cannot hold one line.
 */
ssize_t shype_audit_read(u64 *seq, char __user *buf, size_t count)
{
	char line[AUDIT_LINE_MAX + 32];
	size_t done = 0;
	int n;

	for (;;) {
		spin_lock(&ring_lock);
		if (*seq >= next_seq) {
			spin_unlock(&ring_lock);
			break;
		}
		if (*seq + AUDIT_LINES < next_seq)
			*seq = next_seq - AUDIT_LINES; /* fell behind */
		n = scnprintf(line, sizeof(line), "seq=%llu %s\n", *seq,
			      ring[*seq % AUDIT_LINES].text);
		spin_unlock(&ring_lock);
		if (n > count - done)
			return done ? done : -EINVAL;
		if (copy_to_user(buf + done, line, n))
			return done ? done : -EFAULT;
		done += n;
		(*seq)++;
	}
	return done;
}

/**
 * shype_stat() - count one decision on @op
 */
void shype_stat(enum shype_op op, bool allowed)
{
	atomic64_inc(&stats[op].calls);
	atomic64_inc(allowed ? &stats[op].allowed : &stats[op].denied);
}

/**
 * shype_stat_start() - the start of a decision, for shype_stat_timed()
 */
u64 shype_stat_start(void)
{
	return ktime_get_ns();
}

static unsigned int time_bucket(u64 ns)
{
	unsigned int b;

	if (ns < 4)
		return ns;
	b = ilog2(ns);
	return min_t(u64, 4 * b + ((ns >> (b - 2)) & 3), TIME_BUCKETS - 1);
}

/* The lower bound of the bucket that holds the @pct percentile of @s. */
static u64 time_percentile(const struct op_stats *s, unsigned int pct)
{
	u64 n = atomic64_read(&s->timed), want = div_u64(n * pct + 99, 100);
	u64 seen = 0;
	unsigned int i;

	for (i = 0; n && i < TIME_BUCKETS; i++) {
		seen += atomic64_read(&s->hist[i]);
		if (seen >= want)
			return i < 4 ? i : (u64)(4 + i % 4) << (i / 4 - 2);
	}
	return 0;
}

/**
 * shype_stat_timed() - count one decision on @op, and the time it took
 * @op: the operation
 * @allowed: its verdict
 * @start: shype_stat_start() at the start of the decision
 *
 * A few atomic additions and, rarely, a compare-and-exchange: the stats
 * file's ns=, max_ns=, p50_ns= and p99_ns= say what shype's own decisions
 * cost, which a benchmark of whole ioctls cannot tell from the noise of
 * the machine.
 */
void shype_stat_timed(enum shype_op op, bool allowed, u64 start)
{
	s64 ns = ktime_get_ns() - start, max = atomic64_read(&stats[op].max_ns);

	shype_stat(op, allowed);
	atomic64_inc(&stats[op].hist[time_bucket(ns)]);
	atomic64_inc(&stats[op].timed);
	atomic64_add(ns, &stats[op].ns);
	while (ns > max) {
		s64 old = atomic64_cmpxchg(&stats[op].max_ns, max, ns);

		if (old == max)
			break;
		max = old;
	}
}

/**
 * shype_verdict() - count a decision on @op, with the time it took, and
 *	apply the mode to it
 * @op: the operation
 * @err: 0, or the denial, audited already (shype_deny(),
 *	shype_audit_permissive(): they write the mode in the line)
 * @start: shype_stat_start() when the decision began
 *
 * Return: @err in enforce mode; 0 in permissive mode.
 */
int shype_verdict(enum shype_op op, int err, u64 start)
{
	shype_stat_timed(op, !err, start);
	return shype_permissive ? 0 : err;
}

/**
 * shype_stats_show() - the lines of the stats file
 */
void shype_stats_show(struct seq_file *m)
{
	const struct op_stats *s;
	int op;

	for (op = 0; op < SHYPE_OP_NR; op++) {
		s = &stats[op];
		seq_printf(m, "op=%s calls=%lld allowed=%lld denied=%lld",
			   shype_op_names[op], atomic64_read(&s->calls),
			   atomic64_read(&s->allowed),
			   atomic64_read(&s->denied));
		seq_printf(m, " audit_suppressed=%lld",
			   atomic64_read(&s->suppressed));
		seq_printf(m, " timed=%lld ns=%lld max_ns=%lld",
			   atomic64_read(&s->timed), atomic64_read(&s->ns),
			   atomic64_read(&s->max_ns));
		seq_printf(m, " p50_ns=%llu p99_ns=%llu\n",
			   time_percentile(s, 50), time_percentile(s, 99));
	}
}
