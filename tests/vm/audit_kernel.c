// SPDX-License-Identifier: GPL-2.0
/*
 * shype's records in the kernel audit subsystem (SHYPE_AUDIT_TYPE): a
 * denial, a refused policy load, a malformed blob, an accepted load, mode
 * switches and label changes, each found in the kernel log, where the
 * kernel prints audit records when no auditd listens, with its fields
 * checked exactly; and the rate limit of denial records.
 *
 * Named to run right after kvm_smoke: the rate limit's window is then
 * fresh, so that no record of this program is left out by it.
 */
#include <sys/mman.h>

#include "harness.h"
#include "shype_util.h"

static int kmsg = -1;
/* How long kmsg_next() waits for a record, in 50 ms steps. */
static int kmsg_patience = 200;

/* From now on, read the kernel log as it grows. */
static void kmsg_begin(void)
{
	kmsg = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	ASSERT_GE(kmsg, 0);
	ASSERT_GE(lseek(kmsg, 0, SEEK_END), 0);
	/*
	 * Without auditd the kernel prints audit records under the global
	 * printk_ratelimit() (10 in 5 s): lift it, in the test host only.
	 */
	ASSERT_EQ(write_file("/proc/sys/kernel/printk_ratelimit_burst",
			     "100000"),
		  0);
}

/*
 * The fields of the next shype audit record in the kernel log, waiting for
 * kauditd to print it (up to 10 s); 0, or -ETIMEDOUT.  Records that do not
 * start with @prefix are skipped and logged.
 */
static int kmsg_next(const char *prefix, char *out, size_t size)
{
	char rec[4096], tag[64], *p;
	int idle = 0;
	ssize_t n;

	snprintf(tag, sizeof(tag), ";audit: type=%d audit(", SHYPE_AUDIT_TYPE);
	while (idle < kmsg_patience) {
		n = read(kmsg, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EAGAIN) {
			usleep(50000);
			idle++;
			continue;
		}
		if (n < 0 && errno == EPIPE) /* overwritten: go on */
			continue;
		if (n < 0)
			return -errno;
		rec[n] = '\0';
		p = strstr(rec, tag);
		p = p ? strstr(p, "): ") : NULL;
		if (!p)
			continue;
		p += 3;
		p[strcspn(p, "\n")] = '\0';
		if (strncmp(p, prefix, strlen(prefix))) {
			TH_LOG("skipped: %s", p);
			continue;
		}
		snprintf(out, size, "%s", p);
		return 0;
	}
	return -ETIMEDOUT;
}

/* The next record is exactly @want. */
static void expect_record(const char *want)
{
	char rec[4096];
	const char *op = strchr(want, ' ');
	char prefix[64];

	snprintf(prefix, sizeof(prefix), "%.*s", (int)(op - want), want);
	ASSERT_EQ(kmsg_next(prefix, rec, sizeof(rec)), 0);
	if (strcmp(rec, want))
		TH_LOG("record: %s\n#   want: %s", rec, want);
	EXPECT_EQ(strcmp(rec, want), 0);
}

/*
 * The next record is @want followed by the writer's task information, the
 * writer being this process.
 */
static void expect_change(const char *want)
{
	char rec[4096], pid[32];
	const char *op = strchr(want, ' ');
	size_t len = strlen(want);
	char prefix[64];

	snprintf(prefix, sizeof(prefix), "%.*s", (int)(op - want), want);
	ASSERT_EQ(kmsg_next(prefix, rec, sizeof(rec)), 0);
	snprintf(pid, sizeof(pid), " pid=%d ", getpid());
	if (strncmp(rec, want, len) || strncmp(rec + len, " ppid=", 6) ||
	    !strstr(rec + len, pid))
		TH_LOG("record: %s\n#   want: %s ppid=...%s...", rec, want,
		       pid);
	EXPECT_EQ(strncmp(rec, want, len), 0);
	EXPECT_EQ(strncmp(rec + len, " ppid=", 6), 0);
	EXPECT_TRUE(strstr(rec + len, pid) != NULL);
}

/* @s in upper-case hexadecimal, as audit gives an untrusted string. */
static const char *hex(const char *s)
{
	static char buf[512];
	size_t i;

	for (i = 0; s[i] && 2 * i + 2 < sizeof(buf); i++)
		sprintf(buf + 2 * i, "%02X", (unsigned char)s[i]);
	buf[2 * i] = '\0';
	return buf;
}

/* Compile Figure 2 as policy @name; its digest in hex in @digest. */
static void *fig2(const char *name, const char *sets, size_t *len,
		  char digest[2 * SHYPE_DIGEST_SIZE + 1])
{
	struct shype_policy_header *h;
	void *blob;
	int i;

	ASSERT_EQ(compile_json(&blob, len, FIG2_JSON, name, "1.0", sets,
			       "deny"),
		  0);
	h = blob;
	for (i = 0; i < SHYPE_DIGEST_SIZE; i++)
		sprintf(digest + 2 * i, "%02x", h->digest[i]);
	return blob;
}

/* Load Figure 2 as policy @name: the record of the accepted load. */
static void load(const char *name, const char *sets)
{
	char digest[2 * SHYPE_DIGEST_SIZE + 1], want[1024];
	size_t len;
	void *blob = fig2(name, sets, &len, digest);

	if (file_has(SFS "/mode", "permissive", NULL))
		ASSERT_EQ(write_file(SFS "/mode", "enforce"), 0);
	ASSERT_EQ(load_blob(blob, len, SHYPE_LOAD_FORCE, NULL, 0), 0);
	free(blob);
	snprintf(
		want, sizeof(want),
		"op=policy_load result=accepted policy=%s version=1.0 digest=%s",
		name, digest);
	expect_change(want);
}

TEST(audit_record_of_denial_names_both_vms_and_labels)
{
	struct vmproc order, ads;
	char rec[4096], want[1024];
	long long order_id;
	unsigned long long id;

	kmsg_begin();
	load("audit-deny", FIG2_WALL);
	ASSERT_EQ(cg_label("order", "order"), 0);
	ASSERT_EQ(cg_label("ads", "advertising"), 0);
	ASSERT_EQ(vm_start(&order, "order"), 0);
	ASSERT_EQ(order.err, 0);
	order_id = file_value(SFS "/vms", "label=order", "vm");
	ASSERT_GT(order_id, 0);
	ASSERT_EQ(vm_start(&ads, "ads"), 0);
	EXPECT_EQ(ads.err, -EACCES);

	ASSERT_EQ(kmsg_next("op=create ", rec, sizeof(rec)), 0);
	ASSERT_EQ(sscanf(rec, "op=create result=denied vm=%llu(", &id), 1);
	snprintf(
		want, sizeof(want),
		"op=create result=denied vm=%llu(advertising) pid=%d reason=chinese_wall type=Advertising running=Order peer=%lld(order)",
		id, ads.pid, order_id);
	if (strcmp(rec, want))
		TH_LOG("record: %s\n#   want: %s", rec, want);
	EXPECT_EQ(strcmp(rec, want), 0);
	/* The audit file's line has the same fields. */
	EXPECT_TRUE(file_has(SFS "/audit", want, NULL));
	vm_stop(&ads);
	vm_stop(&order);
}

TEST(audit_record_of_refused_load_names_running_vm_and_type)
{
	char digest[2 * SHYPE_DIGEST_SIZE + 1], want[1024];
	long long order_id, ads_id;
	struct vmproc order, ads;
	size_t len;
	void *blob;

	kmsg_begin();
	load("audit-open", "");
	ASSERT_EQ(cg_label("order", "order"), 0);
	ASSERT_EQ(cg_label("ads", "advertising"), 0);
	ASSERT_EQ(vm_start(&order, "order"), 0);
	ASSERT_EQ(order.err, 0);
	ASSERT_EQ(vm_start(&ads, "ads"), 0);
	ASSERT_EQ(ads.err, 0);
	order_id = file_value(SFS "/vms", "label=order", "vm");
	ads_id = file_value(SFS "/vms", "label=advertising", "vm");

	blob = fig2("audit-walled", FIG2_WALL, &len, digest);
	EXPECT_EQ(load_blob(blob, len, SHYPE_LOAD_FORCE, NULL, 0), -EACCES);
	free(blob);
	snprintf(
		want, sizeof(want),
		"op=policy_load result=denied vm=%lld pid=%d label=advertising reason=chinese_wall type=Advertising running=Order peer=%lld(order)",
		ads_id, ads.pid, order_id);
	expect_record(want);
	snprintf(
		want, sizeof(want),
		"op=policy_load result=denied policy=audit-walled version=1.0 digest=%s reason=violations",
		digest);
	expect_change(want);
	vm_stop(&ads);
	vm_stop(&order);
}

/*
 * In a child in cgroup /@cg, a VM whose memslot 0 is @path mapped shared;
 * the child's pid, and 0 or the -errno of KVM_SET_USER_MEMORY_REGION in
 * @err.
 */
static pid_t memslot_child(const char *cg, const char *path, int *err)
{
	struct kvm_userspace_memory_region r = { .memory_size = 8192 };
	int res[2], vm, fd, e;
	pid_t pid;
	void *p;

	ASSERT_EQ(pipe(res), 0);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		/* Opened unlabelled, as libvirt hands QEMU a file: the memslot decides. */
		fd = open(path, O_RDWR | O_CLOEXEC);
		e = cg_enter(cg);
		vm = e ? e : vm_create_here();
		p = mmap(NULL, r.memory_size, PROT_READ | PROT_WRITE,
			 MAP_SHARED, fd, 0);
		r.userspace_addr = (unsigned long)p;
		if (vm < 0 || fd < 0 || p == MAP_FAILED)
			e = vm < 0 ? vm : -EBADF;
		else if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &r))
			e = -errno;
		if (write(res[1], &e, sizeof(e)) != sizeof(e))
			_exit(1);
		_exit(0);
	}
	close(res[1]);
	ASSERT_EQ(read(res[0], err, sizeof(*err)), (ssize_t)sizeof(*err));
	close(res[0]);
	waitpid(pid, NULL, 0);
	return pid;
}

TEST(audit_record_of_denial_quotes_the_path)
{
	const char *path = "/dev/shm/audit\tshm";
	char rec[4096], want[1024], line[256];
	unsigned long long id;
	int fd, err;
	pid_t pid;

	kmsg_begin();
	load("audit-path", FIG2_WALL);
	ASSERT_EQ(cg_label("ads", "advertising"), 0);
	fd = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0600);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(ftruncate(fd, 8192), 0);
	close(fd);
	snprintf(line, sizeof(line), "label %s order", path);
	ASSERT_EQ(write_file(SFS "/resources", line), 0);

	pid = memslot_child("ads", path, &err);
	EXPECT_EQ(err, -EACCES);
	ASSERT_EQ(kmsg_next("op=memslot ", rec, sizeof(rec)), 0);
	ASSERT_EQ(sscanf(rec, "op=memslot result=denied vm=%llu(", &id), 1);
	/* The audit file's path=/dev/shm/audit\011shm, in hexadecimal. */
	snprintf(
		want, sizeof(want),
		"op=memslot result=denied vm=%llu(advertising) pid=%d reason=ste class=shm label=order path=%s",
		id, pid, hex(path));
	if (strcmp(rec, want))
		TH_LOG("record: %s\n#   want: %s", rec, want);
	EXPECT_EQ(strcmp(rec, want), 0);
	EXPECT_TRUE(
		file_has(SFS "/audit", "path=/dev/shm/audit\\011shm", NULL));
	snprintf(line, sizeof(line), "unlabel %s", path);
	EXPECT_EQ(write_file(SFS "/resources", line), 0);
	unlink(path);
}

static long long stat_of(const char *op, const char *key)
{
	return file_value(SFS "/stats", op, key);
}

TEST(audit_record_and_stats_of_malformed_blobs)
{
	char digest[2 * SHYPE_DIGEST_SIZE + 1], want[1024];
	struct shype_policy_header *h;
	long long calls, denied;
	size_t len;
	void *blob;

	kmsg_begin();
	blob = fig2("audit-bad", FIG2_WALL, &len, digest);
	calls = stat_of("op=policy_load ", "calls");
	denied = stat_of("op=policy_load ", "denied");

	/* Refused by the validator. */
	h = blob;
	h->magic ^= 1;
	EXPECT_EQ(load_blob(blob, len, SHYPE_LOAD_FORCE, NULL, 0), -EBADMSG);
	EXPECT_EQ(stat_of("op=policy_load ", "calls"), calls + 1);
	EXPECT_EQ(stat_of("op=policy_load ", "denied"), denied + 1);
	snprintf(want, sizeof(want),
		 "op=policy_load result=denied reason=malformed error=%s",
		 hex("not a shype policy (bad magic)"));
	expect_record(want);

	/* Refused by the policy file, from its header alone. */
	h->magic ^= 1;
	h->total_len = htole32(16);
	EXPECT_EQ(load_blob(blob, len, SHYPE_LOAD_FORCE, NULL, 0), -EBADMSG);
	EXPECT_EQ(stat_of("op=policy_load ", "calls"), calls + 2);
	EXPECT_EQ(stat_of("op=policy_load ", "denied"), denied + 2);
	snprintf(want, sizeof(want),
		 "op=policy_load result=denied reason=malformed error=%s",
		 hex("total length does not match the size"));
	expect_record(want);
	free(blob);
}

TEST(audit_records_of_mode_switches)
{
	kmsg_begin();
	ASSERT_EQ(write_file(SFS "/mode", "enforce"), 0);
	expect_change("op=mode result=accepted new=enforce old=enforce");
	ASSERT_EQ(write_file(SFS "/mode", "permissive"), 0);
	expect_change("op=mode result=accepted new=permissive old=enforce");
	ASSERT_EQ(write_file(SFS "/mode", "enforce"), 0);
	expect_change("op=mode result=accepted new=enforce old=permissive");
}

TEST(audit_records_of_label_changes)
{
	const char *quoted = "/dev/shm/audit\"q";
	char want[1024], line[256];
	long long id;
	struct stat st;
	int fd;

	kmsg_begin();
	load("audit-label", FIG2_WALL);
	ASSERT_EQ(cg_label("audit-cg", "order"), 0);
	id = file_value(SFS "/cgroups", "cgroup=/audit-cg ", "id");
	ASSERT_GT(id, 0);
	snprintf(
		want, sizeof(want),
		"op=label result=accepted class=cgroup label=order old=- cgroup_id=%lld path=\"/audit-cg\"",
		id);
	expect_change(want);
	ASSERT_EQ(cg_label("audit-cg", "advertising"), 0);
	snprintf(
		want, sizeof(want),
		"op=label result=accepted class=cgroup label=advertising old=order cgroup_id=%lld path=\"/audit-cg\"",
		id);
	expect_change(want);
	ASSERT_EQ(cg_label("audit-cg", NULL), 0);
	snprintf(
		want, sizeof(want),
		"op=unlabel result=accepted class=cgroup label=- old=advertising cgroup_id=%lld path=\"/audit-cg\"",
		id);
	expect_change(want);

	/* A resource label; a path with a quote is in hexadecimal. */
	fd = open(quoted, O_CREAT | O_RDWR | O_CLOEXEC, 0600);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(fstat(fd, &st), 0);
	close(fd);
	snprintf(line, sizeof(line), "label %s vdisk_server", quoted);
	ASSERT_EQ(write_file(SFS "/resources", line), 0);
	snprintf(
		want, sizeof(want),
		"op=label result=accepted class=shm label=vdisk_server old=- inode=%lu path=%s",
		(unsigned long)st.st_ino, hex(quoted));
	expect_change(want);
	snprintf(line, sizeof(line), "unlabel %s", quoted);
	ASSERT_EQ(write_file(SFS "/resources", line), 0);
	snprintf(
		want, sizeof(want),
		"op=unlabel result=accepted class=shm label=- old=vdisk_server inode=%lu path=%s",
		(unsigned long)st.st_ino, hex(quoted));
	expect_change(want);
	unlink(quoted);
}

/* The stats file's count of create denials kept from the audit log. */
static long long suppressed(void)
{
	return file_value(SFS "/stats", "op=create ", "audit_suppressed");
}

/* Last: it spends the rate limit's burst. */
TEST(audit_denial_records_rate_limited_and_suppressed_counted)
{
	char rec[4096];
	long long before;
	int i, n = 0;
	time_t t;

	kmsg_begin();
	load("audit-rate", FIG2_WALL);
	/* A window of the rate limit that starts now: 50 records in 5 s. */
	sleep(6);
	before = suppressed();
	ASSERT_GE(before, 0);
	/* Unlabelled VMs, refused: one denial record each. */
	t = time(NULL);
	for (i = 0; i < 55; i++)
		EXPECT_EQ(vm_create_here(), -EACCES);
	TH_LOG("55 denials in about %ld s", (long)(time(NULL) - t));
	EXPECT_EQ(suppressed(), before + 5);
	kmsg_patience = 40;
	while (kmsg_next("op=create result=denied vm=", rec, sizeof(rec)) == 0)
		n++;
	kmsg_patience = 200;
	EXPECT_EQ(n, 50);
	/* The next window: the first record says how many were left out. */
	sleep(6);
	EXPECT_EQ(vm_create_here(), -EACCES);
	ASSERT_EQ(kmsg_next("op=create result=denied vm=", rec, sizeof(rec)),
		  0);
	TH_LOG("%s", rec);
	EXPECT_TRUE(strstr(rec, " reason=unlabeled suppressed=5") != NULL);
	EXPECT_EQ(suppressed(), before + 5);
}

TEST_HARNESS_MAIN
