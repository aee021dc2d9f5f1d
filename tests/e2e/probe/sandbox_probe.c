// SPDX-License-Identifier: GPL-2.0
/*
 * A probe of QEMU's seccomp sandbox, preloaded into QEMU (LD_PRELOAD) by
 * tests/e2e/e2e_qemu_patched.sh.  With SHYPE_E2E_PROBE=FILE in its
 * environment, a QEMU process starts a thread that waits for the sandbox
 * (Seccomp: 2 in /proc/self/status, at most 10 s) and then makes each
 * system call that reaches another process, on a pid that does not exist,
 * and writes one line per call to FILE: "NAME ERRNO-NAME".  Without a
 * filter they fail with ESRCH (EBADF for pidfd_getfd on no pidfd); under
 * -sandbox processaccess=deny with EPERM.  Other processes (shypectl,
 * which execs QEMU) are left alone.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/perf_event.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

/* Above any pid the test host gives out (pid_max is 4194304 at most). */
#define NO_PID 4194303

static const char *out;

static int sandboxed(void)
{
	char line[256];
	FILE *f = fopen("/proc/self/status", "r");
	int on = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (!strcmp(line, "Seccomp:\t2\n"))
			on = 1;
	fclose(f);
	return on;
}

static void say(FILE *f, const char *name, long rc)
{
	fprintf(f, "%s %s\n", name,
		rc >= 0		       ? "ok" :
		strerrorname_np(errno) ?:
					 "?");
}

static void *probe(void *arg)
{
	struct perf_event_attr attr = {
		.type = PERF_TYPE_SOFTWARE,
		.size = sizeof(attr),
		.config = PERF_COUNT_SW_CPU_CLOCK,
		.disabled = 1,
	};
	char buf[8];
	struct iovec local = { buf, sizeof(buf) },
		     remote = { buf, sizeof(buf) };
	FILE *f;
	int i;

	(void)arg;
	for (i = 0; i < 100 && !sandboxed(); i++)
		usleep(100000);
	f = fopen(out, "w");
	if (!f)
		return NULL;
	fprintf(f, "sandboxed %s\n", sandboxed() ? "yes" : "no");
	say(f, "ptrace", ptrace(PTRACE_ATTACH, NO_PID, NULL, NULL));
	say(f, "process_vm_readv",
	    process_vm_readv(NO_PID, &local, 1, &remote, 1, 0));
	say(f, "process_vm_writev",
	    process_vm_writev(NO_PID, &local, 1, &remote, 1, 0));
	say(f, "pidfd_open", syscall(SYS_pidfd_open, NO_PID, 0));
	say(f, "pidfd_getfd", syscall(SYS_pidfd_getfd, -1, 0, 0));
	say(f, "kcmp", syscall(SYS_kcmp, NO_PID, NO_PID, 0, 0, 0));
	say(f, "perf_event_open",
	    syscall(SYS_perf_event_open, &attr, NO_PID, -1, -1, 0));
	fprintf(f, "done\n");
	fclose(f);
	return NULL;
}

__attribute__((constructor)) static void start(void)
{
	pthread_t t;

	out = getenv("SHYPE_E2E_PROBE");
	if (!out || !strstr(program_invocation_short_name, "qemu"))
		return;
	if (!pthread_create(&t, NULL, probe, NULL))
		pthread_detach(t);
}
