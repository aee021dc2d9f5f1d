/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers for the shype tests in the test host: policies loaded from JSON
 * text, labelled cgroups, VMs created in child processes, and the
 * securityfs files.  Each returns 0 or -errno so tests can assert on it.
 */
#ifndef SHYPE_TESTS_VM_UTIL_H
#define SHYPE_TESTS_VM_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/kvm.h>

#include "../../libshype/shype.h"
#include "harness.h"

#define SFS    SHYPE_SECURITYFS_DIR
#define CGROOT "/sys/fs/cgroup"

/* Read a whole small file into @buf; return its length or -errno. */
static inline ssize_t read_file(const char *path, char *buf, size_t size)
{
	ssize_t n, got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	while ((n = read(fd, buf + got, size - 1 - got)) > 0)
		got += n;
	if (n < 0)
		got = -errno;
	close(fd);
	if (got >= 0)
		buf[got] = '\0';
	return got;
}

/* Write @s to @path in one write(); return 0 or -errno. */
static inline int write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	int err = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, s, strlen(s)) != (ssize_t)strlen(s))
		err = -errno;
	close(fd);
	return err;
}

/*
 * Load @blob (with a load request of @flags when not zero) through the
 * policy file; copy what the file then reads into @why: the reasons of a
 * refusal, SHYPE_LOAD_UNCHANGED after reloading the active blob.
 */
static inline int load_blob(const void *blob, size_t len, uint32_t flags,
			    char *why, size_t whysize)
{
	struct shype_load_request req = {
		.magic = htole32(SHYPE_LOAD_MAGIC),
		.flags = htole32(flags),
	};
	size_t total = len + (flags ? sizeof(req) : 0);
	char *buf = malloc(total);
	int fd, err = 0;
	ssize_t n;

	if (why && whysize)
		why[0] = '\0';
	if (!buf)
		return -ENOMEM;
	if (flags)
		memcpy(buf, &req, sizeof(req));
	memcpy(buf + total - len, blob, len);
	fd = open(SFS "/policy", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		free(buf);
		return -errno;
	}
	if (write(fd, buf, total) != (ssize_t)total)
		err = -errno;
	if (why && whysize) {
		n = pread(fd, why, whysize - 1, 0);
		why[n > 0 ? n : 0] = '\0';
	}
	close(fd);
	free(buf);
	return err;
}

/* Compile the policy source @fmt (printf style) into a blob. */
static inline int compile_json(void **blob, size_t *len, const char *fmt, ...)
{
	struct shype_errors errs = { 0 };
	struct shype_model *m;
	char text[8192];
	va_list ap;
	int err;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	err = shype_model_parse("test.json", text, strlen(text), &m, &errs);
	if (err) {
		for (size_t i = 0; i < errs.n; i++)
			printf("# test.json:%u:%u: %s\n", errs.v[i].line,
			       errs.v[i].col, errs.v[i].msg);
		shype_errors_free(&errs);
		return err;
	}
	err = shype_model_compile(m, blob, len);
	shype_model_free(m);
	return err;
}

/*
 * The Figure 2 policy of the sHype paper under another @name and version,
 * with the Order/Advertising conflict set or without it, and "deny" or a
 * label for @unlabeled.
 */
#define FIG2_JSON                                                                       \
	"{ \"name\": \"%s\", \"version\": \"%s\","                                      \
	"  \"ste\": { \"types\": [\"Order\", \"Advertising\", \"Computing\"] },"        \
	"  \"chwall\": { \"types\": [\"Order\", \"Advertising\", \"Computing\"],"       \
	"              \"conflict_sets\": [%s] },"                                      \
	"  \"labels\": {"                                                               \
	"    \"order\": { \"ste\": [\"Order\"], \"chwall\": [\"Order\"] },"             \
	"    \"advertising\": { \"ste\": [\"Advertising\"],"                            \
	"                       \"chwall\": [\"Advertising\"] },"                       \
	"    \"computing\": { \"ste\": [\"Computing\"], \"chwall\": [\"Computing\"] }," \
	"    \"vdisk_server\": { \"ste\": [\"Order\", \"Advertising\"] } },"            \
	"  \"unlabeled\": \"%s\" }"
#define FIG2_WALL "[\"Order\", \"Advertising\"]"

/* Load the Figure 2 policy, forcing the replacement of any other. */
static inline int load_fig2(const char *name, const char *version,
			    const char *sets, const char *unlabeled, char *why,
			    size_t whysize)
{
	size_t len;
	void *blob;
	int err = compile_json(&blob, &len, FIG2_JSON, name, version, sets,
			       unlabeled);

	if (err)
		return err;
	err = load_blob(blob, len, SHYPE_LOAD_FORCE, why, whysize);
	free(blob);
	return err;
}

/* Make cgroup /@name (if needed) and give it @label (NULL: no label). */
static inline int cg_label(const char *name, const char *label)
{
	char path[256], line[256];

	snprintf(path, sizeof(path), CGROOT "/%s", name);
	if (mkdir(path, 0755) && errno != EEXIST)
		return -errno;
	if (label)
		snprintf(line, sizeof(line), "label /%s %s", name, label);
	else
		snprintf(line, sizeof(line), "unlabel /%s", name);
	return write_file(SFS "/cgroups", line);
}

/* Move the calling process into cgroup /@name ("" for the root). */
static inline int cg_enter(const char *name)
{
	char path[256], pid[32];

	snprintf(path, sizeof(path), CGROOT "/%s/cgroup.procs", name);
	snprintf(pid, sizeof(pid), "%d", getpid());
	return write_file(path, pid);
}

/* Create a VM in the calling process; return its fd or -errno. */
static inline int vm_create_here(void)
{
	int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC), vm;

	if (kvm < 0)
		return -errno;
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0)
		vm = -errno;
	close(kvm);
	return vm;
}

/**
 * struct vmproc - a VMM: a child process holding one VM until stopped
 * @pid: the child
 * @ctl: closing it tells the child to exit
 * @err: 0 if its VM was created, else the -errno of KVM_CREATE_VM
 */
struct vmproc {
	pid_t pid;
	int ctl;
	int err;
};

/* Start a VMM in cgroup /@cg; its VM's creation result is in @p->err. */
static inline int vm_start(struct vmproc *p, const char *cg)
{
	int res[2], ctl[2];
	char c;

	if (pipe(res) || pipe(ctl))
		return -errno;
	p->pid = fork();
	if (p->pid < 0)
		return -errno;
	if (p->pid == 0) {
		int fd, err;

		/* Hold no other VMM's control pipe open. */
		for (fd = 3; fd < 1024; fd++)
			if (fd != res[1] && fd != ctl[0])
				close(fd);
		err = cg_enter(cg);

		if (!err) {
			err = vm_create_here();
			if (err > 0)
				err = 0;
		}
		if (write(res[1], &err, sizeof(err)) != sizeof(err))
			_exit(1);
		while (read(ctl[0], &c, 1) > 0)
			;
		_exit(0);
	}
	close(res[1]);
	close(ctl[0]);
	p->ctl = ctl[1];
	if (read(res[0], &p->err, sizeof(p->err)) != sizeof(p->err))
		p->err = -EPIPE;
	close(res[0]);
	return 0;
}

/* Stop a VMM; its VMs are destroyed by the time this returns. */
static inline void vm_stop(struct vmproc *p)
{
	if (p->pid <= 0)
		return;
	close(p->ctl);
	waitpid(p->pid, NULL, 0);
	p->pid = 0;
}

/* Does @file hold a line containing every one of the NULL-ended words? */
static inline int file_has(const char *file, ...)
{
	static char buf[1 << 16];
	char *line, *save;
	const char *w;
	va_list ap;
	int all;

	if (read_file(file, buf, sizeof(buf)) < 0)
		return 0;
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		all = 1;
		va_start(ap, file);
		while ((w = va_arg(ap, const char *)))
			if (!strstr(line, w))
				all = 0;
		va_end(ap);
		if (all)
			return 1;
	}
	return 0;
}

/* The value of @key= in the first line of @file holding @match, or -1. */
static inline long long file_value(const char *file, const char *match,
				   const char *key)
{
	static char buf[1 << 16];
	char *line, *save, *v, k[64];

	if (read_file(file, buf, sizeof(buf)) < 0)
		return -1;
	snprintf(k, sizeof(k), " %s=", key);
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (!strstr(line, match))
			continue;
		if (!strncmp(line, k + 1, strlen(k + 1))) /* first field */
			return atoll(line + strlen(k + 1));
		v = strstr(line, k);
		return v ? atoll(v + strlen(k)) : -1;
	}
	return -1;
}

/* Read the audit log from its start; lines after @seq containing @word. */
static inline int audit_since(long long seq, const char *w1, const char *w2)
{
	static char buf[1 << 17];
	char *line, *save;
	int found = 0;

	if (read_file(SFS "/audit", buf, sizeof(buf)) < 0)
		return 0;
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		if (atoll(line + 4) > seq && strstr(line, w1) &&
		    (!w2 || strstr(line, w2)))
			found++;
	return found;
}

/* Sequence number of the newest audit line, 0 if none. */
static inline long long audit_last(void)
{
	static char buf[1 << 17];
	char *p;

	if (read_file(SFS "/audit", buf, sizeof(buf)) <= 0)
		return 0;
	p = strrchr(buf, '\n');
	*p = '\0';
	p = strrchr(buf, '\n');
	return atoll((p ? p + 1 : buf) + 4);
}

/*
 * A VMM in cgroup /@cg whose VM is bound to @efd by an irqfd; closing
 * @*ctl ends it.  Returns its pid.
 */
static inline pid_t vm_bound_to(const char *cg, int efd, int *ctl)
{
	struct kvm_irqfd irqfd = { .fd = efd, .gsi = 5 };
	int res[2], pipe_ctl[2], err = 0, vm;
	pid_t pid;
	char c;

	ASSERT_EQ(pipe(res), 0);
	ASSERT_EQ(pipe(pipe_ctl), 0);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		close(pipe_ctl[1]);
		vm = cg_enter(cg) ? -1 : vm_create_here();
		if (vm < 0 || ioctl(vm, KVM_CREATE_IRQCHIP, 0) ||
		    ioctl(vm, KVM_IRQFD, &irqfd))
			err = -1;
		if (write(res[1], &err, sizeof(err)) != sizeof(err))
			_exit(1);
		while (read(pipe_ctl[0], &c, 1) > 0)
			;
		_exit(0);
	}
	close(res[1]);
	close(pipe_ctl[0]);
	ASSERT_EQ(read(res[0], &err, sizeof(err)), (ssize_t)sizeof(err));
	ASSERT_EQ(err, 0);
	close(res[0]);
	*ctl = pipe_ctl[1];
	return pid;
}

#endif /* SHYPE_TESTS_VM_UTIL_H */
