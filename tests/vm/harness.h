/* SPDX-License-Identifier: GPL-2.0 */
/*
 * harness.h - a tiny test framework for the test host programs, in the
 * shape of kselftest's harness.
 *
 *	#include "harness.h"
 *
 *	TEST(api_version)
 *	{
 *		int fd = open("/dev/kvm", O_RDWR);
 *
 *		ASSERT_NE(fd, -1);
 *		EXPECT_EQ(ioctl(fd, KVM_GET_API_VERSION, 0), 12);
 *	}
 *
 *	TEST_HARNESS_MAIN
 *
 * Each test runs in a forked child, in its own process group (killed when
 * the test ends), with a time limit, so a crash, a hang or a leftover
 * process fails only that test.  Output is TAP-like:
 *
 *	ok 1 api_version
 *	not ok 2 other
 *	ok 3 third # SKIP no vhost
 *	3 passed, 1 failed, 1 skipped     (", N skipped" only if any)
 *
 * ASSERT_* end the test on failure, EXPECT_* mark it failed and go on.
 * SKIP(fmt, ...) ends the test as skipped.  TH_LOG(fmt, ...) prints a
 * diagnostic line ("# ...").
 *
 * Usage: prog [-l] [GLOB]   -l lists the tests; GLOB selects tests by
 * name (also from $SHYPE_TEST_FILTER).  $SHYPE_TEST_TIMEOUT overrides every
 * test's time limit in seconds.  Exit status 0 if no test failed.
 */
#ifndef SHYPE_TESTS_VM_HARNESS_H
#define SHYPE_TESTS_VM_HARNESS_H

#include <errno.h>
#include <fnmatch.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define TH_MAX_TESTS	   512
#define TH_DEFAULT_TIMEOUT 120

struct th_test {
	const char *name;
	void (*fn)(void);
	int line;
	int timeout;
};

/* Shared with the child: how the test ended, beyond its exit status. */
struct th_result {
	int skipped;
	char reason[256];
};

static struct th_test *th_tests[TH_MAX_TESTS];
static int th_ntests;
static struct th_result *th_res;
static int th_failed; /* in the child: an EXPECT_* failed */

static inline void th_register(struct th_test *t)
{
	if (th_ntests == TH_MAX_TESTS) {
		fprintf(stderr, "harness: too many tests\n");
		abort();
	}
	th_tests[th_ntests++] = t;
}

#define TEST_TIMEOUT(name, secs)                                             \
	static void th_fn_##name(void);                                      \
	static struct th_test th_t_##name = { #name, th_fn_##name, __LINE__, \
					      secs };                        \
	__attribute__((constructor)) static void th_reg_##name(void)         \
	{                                                                    \
		th_register(&th_t_##name);                                   \
	}                                                                    \
	static void th_fn_##name(void)

#define TEST(name) TEST_TIMEOUT(name, TH_DEFAULT_TIMEOUT)

#define TH_LOG(fmt, ...) printf("# " fmt "\n", ##__VA_ARGS__)

static inline void th_end(int status)
{
	fflush(stdout);
	fflush(stderr);
	_exit(status);
}

#define SKIP(fmt, ...)                                                \
	do {                                                          \
		th_res->skipped = 1;                                  \
		snprintf(th_res->reason, sizeof(th_res->reason), fmt, \
			 ##__VA_ARGS__);                              \
		th_end(0);                                            \
	} while (0)

static inline void th_fail_cmp(const char *file, int line, const char *what,
			       const char *a, const char *op, const char *b,
			       long long va, long long vb, int err, int fatal)
{
	printf("# %s:%d: %s(%s, %s) failed: %s %s %s is false: %lld (0x%llx) vs %lld (0x%llx)",
	       file, line, what, a, b, a, op, b, va, (unsigned long long)va, vb,
	       (unsigned long long)vb);
	if (va == -1 && err) /* most likely a failed system call */
		printf(" [errno %d: %s]", err, strerror(err));
	printf("\n");
	th_failed = 1;
	if (fatal)
		th_end(1);
}

#define TH_CMP(what, a, op, b, fatal)                                         \
	do {                                                                  \
		__typeof__(a) th_a = (a);                                     \
		__typeof__(b) th_b = (b);                                     \
		int th_err = errno;                                           \
		_Pragma("GCC diagnostic push");                               \
		_Pragma("GCC diagnostic ignored \"-Wsign-compare\"");         \
		if (!(th_a op th_b))                                          \
			th_fail_cmp(__FILE__, __LINE__, what, #a, #op, #b,    \
				    (long long)th_a, (long long)th_b, th_err, \
				    fatal);                                   \
		_Pragma("GCC diagnostic pop");                                \
	} while (0)

#define TH_BOOL(what, x, want, fatal)                                          \
	do {                                                                   \
		if ((!!(x)) != (want)) {                                       \
			printf("# %s:%d: %s(%s) failed\n", __FILE__, __LINE__, \
			       what, #x);                                      \
			th_failed = 1;                                         \
			if (fatal)                                             \
				th_end(1);                                     \
		}                                                              \
	} while (0)

#define ASSERT_EQ(a, b) TH_CMP("ASSERT_EQ", a, ==, b, 1)
#define ASSERT_NE(a, b) TH_CMP("ASSERT_NE", a, !=, b, 1)
#define ASSERT_LT(a, b) TH_CMP("ASSERT_LT", a, <, b, 1)
#define ASSERT_LE(a, b) TH_CMP("ASSERT_LE", a, <=, b, 1)
#define ASSERT_GT(a, b) TH_CMP("ASSERT_GT", a, >, b, 1)
#define ASSERT_GE(a, b) TH_CMP("ASSERT_GE", a, >=, b, 1)
#define ASSERT_TRUE(x)	TH_BOOL("ASSERT_TRUE", x, 1, 1)
#define ASSERT_FALSE(x) TH_BOOL("ASSERT_FALSE", x, 0, 1)
#define EXPECT_EQ(a, b) TH_CMP("EXPECT_EQ", a, ==, b, 0)
#define EXPECT_NE(a, b) TH_CMP("EXPECT_NE", a, !=, b, 0)
#define EXPECT_LT(a, b) TH_CMP("EXPECT_LT", a, <, b, 0)
#define EXPECT_LE(a, b) TH_CMP("EXPECT_LE", a, <=, b, 0)
#define EXPECT_GT(a, b) TH_CMP("EXPECT_GT", a, >, b, 0)
#define EXPECT_GE(a, b) TH_CMP("EXPECT_GE", a, >=, b, 0)
#define EXPECT_TRUE(x)	TH_BOOL("EXPECT_TRUE", x, 1, 0)
#define EXPECT_FALSE(x) TH_BOOL("EXPECT_FALSE", x, 0, 0)

/* Run one test in a child; 0 passed, 1 failed, 2 skipped. */
static inline int th_run(struct th_test *t, int num)
{
	const char *env = getenv("SHYPE_TEST_TIMEOUT");
	int timeout = env ? atoi(env) : t->timeout;
	struct timespec ts = { .tv_sec = timeout };
	sigset_t chld, old;
	int status, sig, ret;
	pid_t pid;

	memset(th_res, 0, sizeof(*th_res));
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, &old);
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		printf("# fork: %s\nnot ok %d %s\n", strerror(errno), num,
		       t->name);
		return 1;
	}
	if (pid == 0) {
		sigprocmask(SIG_SETMASK, &old, NULL);
		setpgid(0, 0);
		th_failed = 0;
		t->fn();
		th_end(th_failed);
	}
	setpgid(pid, pid);
	do {
		sig = sigtimedwait(&chld, NULL, &ts);
	} while (sig < 0 && errno == EINTR);
	if (sig < 0) {
		printf("# %s: timed out after %d s\n", t->name, timeout);
		kill(-pid, SIGKILL);
		kill(pid, SIGKILL);
	}
	waitpid(pid, &status, 0);
	kill(-pid, SIGKILL); /* whatever the test left running */
	sigprocmask(SIG_SETMASK, &old, NULL);

	if (sig < 0) {
		ret = 1;
	} else if (WIFSIGNALED(status)) {
		printf("# %s: killed by signal %d (%s)\n", t->name,
		       WTERMSIG(status), strsignal(WTERMSIG(status)));
		ret = 1;
	} else if (WEXITSTATUS(status) != 0) {
		ret = 1;
	} else {
		ret = th_res->skipped ? 2 : 0;
	}
	if (ret == 2)
		printf("ok %d %s # SKIP %s\n", num, t->name, th_res->reason);
	else
		printf("%s %d %s\n", ret ? "not ok" : "ok", num, t->name);
	return ret;
}

static inline int th_by_line(const void *a, const void *b)
{
	const struct th_test *x = *(struct th_test *const *)a;
	const struct th_test *y = *(struct th_test *const *)b;

	return x->line - y->line;
}

static inline int th_main(int argc, char **argv)
{
	const char *filter = getenv("SHYPE_TEST_FILTER");
	int i, n = 0, count[3] = { 0, 0, 0 }, list = 0;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-l"))
			list = 1;
		else
			filter = argv[i];
	}
	if (filter && !*filter)
		filter = NULL;
	setvbuf(stdout, NULL, _IOLBF, 0);
	qsort(th_tests, th_ntests, sizeof(th_tests[0]), th_by_line);
	for (i = 0; i < th_ntests; i++)
		if (!filter || !fnmatch(filter, th_tests[i]->name, 0))
			n++;
	if (list) {
		for (i = 0; i < th_ntests; i++)
			printf("%s\n", th_tests[i]->name);
		return 0;
	}
	th_res = mmap(NULL, sizeof(*th_res), PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (th_res == MAP_FAILED) {
		perror("harness: mmap");
		return 1;
	}
	printf("TAP version 13\n1..%d\n", n);
	n = 0;
	for (i = 0; i < th_ntests; i++)
		if (!filter || !fnmatch(filter, th_tests[i]->name, 0))
			count[th_run(th_tests[i], ++n)]++;
	printf("%d passed, %d failed", count[0], count[1]);
	if (count[2])
		printf(", %d skipped", count[2]);
	printf("\n");
	return count[1] ? 1 : 0;
}

#define TEST_HARNESS_MAIN                   \
	int main(int argc, char **argv)     \
	{                                   \
		return th_main(argc, argv); \
	}

#endif /* SHYPE_TESTS_VM_HARNESS_H */
