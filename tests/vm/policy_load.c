// SPDX-License-Identifier: GPL-2.0
/*
 * Loading and replacing policies: malformed blobs, versions, names, the
 * active policy loaded again, running VMs that a new policy would deny,
 * permissions; and shype's own module
 * life: it cannot be unloaded, and KVM cannot unload from under it.
 */
#include <stddef.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <linux/capability.h>

#include "harness.h"
#include "shype_util.h"

static char status[4096];

static void read_status(char *buf)
{
	ASSERT_GT(read_file(SFS "/status", buf, sizeof(status)), 0);
}

static void *fig2_blob(const char *name, const char *version, size_t *len)
{
	void *blob;

	ASSERT_EQ(compile_json(&blob, len, FIG2_JSON, name, version, FIG2_WALL,
			       "deny"),
		  0);
	return blob;
}

/* Mutate a copy of @blob with @fn, fix its digest, and try to load it. */
static int load_mutated(const void *blob, size_t len, void (*fn)(uint8_t *b))
{
	uint8_t *copy = malloc(len);
	struct shype_policy_header *h = (void *)copy;
	int err;

	memcpy(copy, blob, len);
	fn(copy);
	shype_digest(copy, len, h->digest);
	err = load_blob(copy, len, SHYPE_LOAD_FORCE, NULL, 0);
	free(copy);
	return err;
}

static void bad_magic(uint8_t *b)
{
	struct shype_policy_header *h = (void *)b;

	h->magic ^= 1;
}

static void bad_abi(uint8_t *b)
{
	struct shype_policy_header *h = (void *)b;

	h->abi_version = htole16(SHYPE_ABI_VERSION + 1);
}

static void bad_header_len(uint8_t *b)
{
	struct shype_policy_header *h = (void *)b;

	h->header_len = htole16(sizeof(*h) - 8);
}

static void reserved_set(uint8_t *b)
{
	struct shype_policy_header *h = (void *)b;

	h->reserved[7] = 1;
}

static void flags_set(uint8_t *b)
{
	struct shype_policy_header *h = (void *)b;

	h->flags = htole32(1);
}

static void too_many_types(uint8_t *b)
{
	struct shype_policy_header *h = (void *)b;

	h->ste_type_count = htole32(SHYPE_MAX_STE_TYPES + 1);
}

static void section_moved(uint8_t *b)
{
	struct shype_policy_header *h = (void *)b;

	h->labels.offset = htole32(le32toh(h->labels.offset) + 8);
}

static void unsorted_labels(uint8_t *b)
{
	struct shype_policy_header *h = (void *)b;
	struct shype_label *l = (void *)(b + le32toh(h->labels.offset));
	struct shype_label t = l[0];

	l[0] = l[1];
	l[1] = t;
}

static void bad_name(uint8_t *b)
{
	struct shype_policy_header *h = (void *)b;
	struct shype_label *l = (void *)(b + le32toh(h->labels.offset));

	l[0].name[0] = ' ';
}

static void stray_bit(uint8_t *b)
{
	struct shype_policy_header *h = (void *)b;
	uint64_t *bm = (void *)(b + le32toh(h->ste_bitmaps.offset));

	bm[0] |= htole64(1ULL << 63);
}

static void self_conflict(uint8_t *b)
{
	struct shype_policy_header *h = (void *)b;
	uint64_t *bm = (void *)(b + le32toh(h->chwall_bitmaps.offset));

	bm[0] = htole64(5); /* Advertising and Order */
}

static void bad_unlabeled(uint8_t *b)
{
	struct shype_policy_header *h = (void *)b;

	h->unlabeled = htole32(12345);
}

TEST(policy_load_refused_for_each_malformed_blob_class_and_state_unchanged)
{
	static const struct {
		const char *what;
		void (*fn)(uint8_t *b);
		int err;
	} cases[] = {
		{ "bad magic", bad_magic, -EBADMSG },
		{ "unknown ABI version", bad_abi, -EPROTONOSUPPORT },
		{ "bad header length", bad_header_len, -EBADMSG },
		{ "reserved field set", reserved_set, -EBADMSG },
		{ "flags set", flags_set, -EBADMSG },
		{ "type count over the limit", too_many_types, -E2BIG },
		{ "section moved", section_moved, -EBADMSG },
		{ "labels unsorted", unsorted_labels, -EBADMSG },
		{ "malformed name", bad_name, -EBADMSG },
		{ "stray bitmap bit", stray_bit, -EBADMSG },
		{ "label conflicts with itself", self_conflict, -EBADMSG },
		{ "unlabeled out of range", bad_unlabeled, -EBADMSG },
	};
	char before[4096], after[4096], why[512];
	size_t len, i;
	uint8_t *blob;

	ASSERT_EQ(load_fig2("malformed-base", "1.0", FIG2_WALL, "deny", why,
			    sizeof(why)),
		  0);
	read_status(before);
	blob = fig2_blob("malformed-new", "1.0", &len);

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		TH_LOG("%s", cases[i].what);
		EXPECT_EQ(load_mutated(blob, len, cases[i].fn), cases[i].err);
	}
	/* A wrong digest: mutate after computing it. */
	blob[len - 1] ^= 1;
	EXPECT_EQ(load_blob(blob, len, SHYPE_LOAD_FORCE, why, sizeof(why)),
		  -EBADMSG);
	EXPECT_TRUE(strstr(why, "malformed policy") != NULL);
	blob[len - 1] ^= 1;
	/* More bytes than total_len says. */
	blob = realloc(blob, len + 8);
	memset(blob + len, 0, 8);
	EXPECT_EQ(load_blob(blob, len + 8, SHYPE_LOAD_FORCE, NULL, 0),
		  -EBADMSG);
	/* A total_len over the limit is refused at once. */
	((struct shype_policy_header *)blob)->total_len =
		htole32(SHYPE_POLICY_MAX_SIZE + 1);
	EXPECT_EQ(load_blob(blob, 64, SHYPE_LOAD_FORCE, NULL, 0), -E2BIG);
	free(blob);

	read_status(after);
	EXPECT_EQ(strcmp(before, after), 0);
	EXPECT_TRUE(strstr(after, "policy=malformed-base ") != NULL);
}

TEST(same_name_lower_version_refused)
{
	char why[512];
	size_t len;
	void *blob;

	ASSERT_EQ(load_fig2("versioned", "2.0", FIG2_WALL, "deny", why,
			    sizeof(why)),
		  0);
	blob = fig2_blob("versioned", "1.9", &len);
	EXPECT_EQ(load_blob(blob, len, 0, why, sizeof(why)), -ESTALE);
	EXPECT_TRUE(strstr(why, "no higher version") != NULL);
	free(blob);
	/* The same name and version, but not the active blob: no wall. */
	ASSERT_EQ(compile_json(&blob, &len, FIG2_JSON, "versioned", "2.0", "",
			       "deny"),
		  0);
	EXPECT_EQ(load_blob(blob, len, 0, why, sizeof(why)), -ESTALE);
	EXPECT_TRUE(strstr(why, "no higher version") != NULL);
	EXPECT_EQ(load_blob(blob, len, SHYPE_LOAD_FORCE, NULL, 0), -ESTALE);
	free(blob);
	read_status(status);
	EXPECT_TRUE(strstr(status, "policy=versioned version=2.0 ") != NULL);
	blob = fig2_blob("versioned", "2.1", &len);
	EXPECT_EQ(load_blob(blob, len, 0, NULL, 0), 0);
	free(blob);
	/* Another name needs force. */
	blob = fig2_blob("other-name", "1.0", &len);
	EXPECT_EQ(load_blob(blob, len, 0, why, sizeof(why)), -EEXIST);
	EXPECT_TRUE(strstr(why, "needs force") != NULL);
	EXPECT_EQ(load_blob(blob, len, SHYPE_LOAD_FORCE, NULL, 0), 0);
	free(blob);
	read_status(status);
	EXPECT_TRUE(strstr(status, "policy=other-name version=1.0 ") != NULL);
}

TEST(policy_reload_of_the_active_blob_changes_nothing)
{
	char why[512], status0[4096], vms0[4096], bind0[4096], now[4096];
	long long seq, allowed, denied;
	struct vmproc order, ads;
	size_t len;
	void *blob;
	int efd = eventfd(0, 0);

	/* An Order VM bound to an eventfd and an Advertising VM run... */
	ASSERT_GE(efd, 0);
	ASSERT_EQ(load_fig2("reload-open", "1.0", "", "deny", why, sizeof(why)),
		  0);
	ASSERT_EQ(cg_label("order", "order"), 0);
	ASSERT_EQ(cg_label("ads", "advertising"), 0);
	order.pid = vm_bound_to("order", efd, &order.ctl);
	ASSERT_EQ(vm_start(&ads, "ads"), 0);
	ASSERT_EQ(ads.err, 0);

	/*
	 * ...under a policy whose wall they break, loaded in permissive mode:
	 * checking the running VMs against it again would audit them again.
	 */
	ASSERT_EQ(write_file(SFS "/mode", "permissive"), 0);
	seq = audit_last();
	EXPECT_EQ(load_fig2("reload-walled", "1.0", FIG2_WALL, "deny", why,
			    sizeof(why)),
		  0);
	EXPECT_TRUE(strstr(why, "label 'advertising'): Chinese Wall") != NULL);
	EXPECT_EQ(audit_since(seq, "op=policy_load result=permitted",
			      "reason=chinese_wall"),
		  1);

	read_status(status0);
	EXPECT_GT(read_file(SFS "/vms", vms0, sizeof(vms0)), 0);
	EXPECT_GT(read_file(SFS "/bindings", bind0, sizeof(bind0)), 0);
	allowed = file_value(SFS "/stats", "op=policy_load ", "allowed");
	denied = file_value(SFS "/stats", "op=policy_load ", "denied");
	seq = audit_last();

	/* The same blob again, plain and forced: accepted, and no change. */
	blob = fig2_blob("reload-walled", "1.0", &len);
	EXPECT_EQ(load_blob(blob, len, 0, why, sizeof(why)), 0);
	EXPECT_EQ(strcmp(why, SHYPE_LOAD_UNCHANGED), 0);
	EXPECT_EQ(load_blob(blob, len, SHYPE_LOAD_FORCE, why, sizeof(why)), 0);
	EXPECT_EQ(strcmp(why, SHYPE_LOAD_UNCHANGED), 0);
	free(blob);

	read_status(now);
	EXPECT_EQ(strcmp(now, status0), 0);
	EXPECT_GT(read_file(SFS "/vms", now, sizeof(now)), 0);
	EXPECT_EQ(strcmp(now, vms0), 0);
	EXPECT_GT(read_file(SFS "/bindings", now, sizeof(now)), 0);
	EXPECT_EQ(strcmp(now, bind0), 0);
	EXPECT_TRUE(
		file_has(SFS "/bindings", "class=eventfd", "(order)", NULL));
	EXPECT_EQ(audit_last(), seq);
	EXPECT_EQ(file_value(SFS "/stats", "op=policy_load ", "allowed"),
		  allowed + 2);
	EXPECT_EQ(file_value(SFS "/stats", "op=policy_load ", "denied"),
		  denied);

	EXPECT_EQ(write_file(SFS "/mode", "enforce"), 0);
	vm_stop(&ads);
	vm_stop(&order);
	close(efd);
}

TEST(policy_load_refused_when_running_vms_conflict)
{
	struct vmproc order, ads;
	long long seq;
	char why[1024];

	/* No conflict set: Order and Advertising VMs run side by side. */
	ASSERT_EQ(load_fig2("open", "1.0", "", "deny", why, sizeof(why)), 0);
	ASSERT_EQ(cg_label("order", "order"), 0);
	ASSERT_EQ(cg_label("ads", "advertising"), 0);
	ASSERT_EQ(vm_start(&order, "order"), 0);
	ASSERT_EQ(order.err, 0);
	ASSERT_EQ(vm_start(&ads, "ads"), 0);
	ASSERT_EQ(ads.err, 0);

	seq = audit_last();
	EXPECT_EQ(load_fig2("walled", "1.0", FIG2_WALL, "deny", why,
			    sizeof(why)),
		  -EACCES);
	TH_LOG("reasons: %s", why);
	EXPECT_TRUE(strstr(why, "label 'advertising'): Chinese Wall type "
				"'Advertising' conflicts with running type "
				"'Order'") != NULL);
	EXPECT_EQ(audit_since(seq, "op=policy_load result=denied",
			      "reason=chinese_wall"),
		  1);
	read_status(status);
	EXPECT_TRUE(strstr(status, "policy=open ") != NULL);

	/* Once one of them stops, the same policy loads. */
	vm_stop(&ads);
	EXPECT_EQ(load_fig2("walled", "1.0", FIG2_WALL, "deny", why,
			    sizeof(why)),
		  0);
	vm_stop(&order);
}

TEST(policy_load_refused_when_running_vm_label_unknown)
{
	struct vmproc vm;
	char why[1024];
	size_t len;
	void *blob;

	ASSERT_EQ(load_fig2("labels-before", "1.0", FIG2_WALL, "deny", why,
			    sizeof(why)),
		  0);
	ASSERT_EQ(cg_label("computing", "computing"), 0);
	ASSERT_EQ(vm_start(&vm, "computing"), 0);
	ASSERT_EQ(vm.err, 0);
	ASSERT_EQ(compile_json(
			  &blob, &len,
			  "{\"name\": \"nocomputing\", \"version\": \"1\","
			  " \"ste\": {\"types\": [\"Order\"]},"
			  " \"labels\": {\"order\": {\"ste\": [\"Order\"]}}}"),
		  0);
	EXPECT_EQ(load_blob(blob, len, SHYPE_LOAD_FORCE, why, sizeof(why)),
		  -EACCES);
	EXPECT_TRUE(strstr(why, "label 'computing'): label not in the new "
				"policy") != NULL);
	free(blob);
	vm_stop(&vm);
}

TEST(policy_load_refused_when_live_binding_conflicts)
{
	struct vmproc order, vdisk;
	char why[1024];
	size_t len;
	void *blob;
	long long seq;
	int efd = eventfd(0, 0);

	ASSERT_GE(efd, 0);
	ASSERT_EQ(load_fig2("bound-before", "1.0", FIG2_WALL, "deny", why,
			    sizeof(why)),
		  0);
	ASSERT_EQ(cg_label("order", "order"), 0);
	ASSERT_EQ(cg_label("vdisk", "vdisk_server"), 0);
	order.pid = vm_bound_to("order", efd, &order.ctl);
	vdisk.pid = vm_bound_to("vdisk", efd, &vdisk.ctl);
	EXPECT_TRUE(file_has(SFS "/bindings", "class=eventfd", "(order),",
			     "(vdisk_server)", NULL));

	/* The vDisk server no longer serves Order: the shared eventfd says no. */
	ASSERT_EQ(compile_json(
			  &blob, &len,
			  "{\"name\": \"unbound\", \"version\": \"1\","
			  " \"ste\": {\"types\": [\"Order\", \"Advertising\"]},"
			  " \"labels\": {\"order\": {\"ste\": [\"Order\"]},"
			  " \"vdisk_server\": {\"ste\": [\"Advertising\"]}}}"),
		  0);
	seq = audit_last();
	EXPECT_EQ(load_blob(blob, len, SHYPE_LOAD_FORCE, why, sizeof(why)),
		  -EACCES);
	TH_LOG("reasons: %s", why);
	EXPECT_TRUE(strstr(why, "share no type") != NULL);
	EXPECT_EQ(audit_since(seq, "op=policy_load result=denied",
			      "reason=ste peer="),
		  1);
	EXPECT_TRUE(file_has(SFS "/status", "policy=bound-before ", NULL));

	/* Once the vDisk server is gone, the binding is too: it loads. */
	vm_stop(&vdisk);
	EXPECT_FALSE(file_has(SFS "/bindings", "(vdisk_server)", NULL));
	EXPECT_EQ(load_blob(blob, len, SHYPE_LOAD_FORCE, why, sizeof(why)), 0);
	free(blob);
	vm_stop(&order);
	EXPECT_FALSE(file_has(SFS "/bindings", "(order)", NULL));
	close(efd);
}

TEST(policy_reads_back_the_active_blob)
{
	char why[256], *back;
	size_t len;
	void *blob;
	ssize_t n;
	int fd;

	blob = fig2_blob("readback", "1.0", &len);
	ASSERT_EQ(load_blob(blob, len, SHYPE_LOAD_FORCE, why, sizeof(why)), 0);
	back = malloc(len + 16);
	fd = open(SFS "/policy", O_RDONLY);
	ASSERT_GE(fd, 0);
	n = read(fd, back, len + 16);
	close(fd);
	EXPECT_EQ(n, (ssize_t)len);
	EXPECT_EQ(memcmp(back, blob, len), 0);
	free(back);
	free(blob);
}

TEST(one_policy_writer_at_a_time)
{
	int a = open(SFS "/policy", O_WRONLY);
	int b = open(SFS "/policy", O_WRONLY);

	EXPECT_GE(a, 0);
	EXPECT_EQ(b, -1);
	EXPECT_EQ(errno, EBUSY);
	close(a);
	b = open(SFS "/policy", O_WRONLY);
	EXPECT_GE(b, 0);
	close(b);
}

/* In a child: drop CAP_MAC_ADMIN, or become nobody; try to change state. */
static int unprivileged_writes(int nobody)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2] = { 0 };
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		if (nobody && (setgid(65534) || setuid(65534)))
			_exit(10);
		if (!nobody) {
			data[0].effective = data[0].permitted = ~0U;
			data[1].effective = data[1].permitted =
				~(1U << (CAP_MAC_ADMIN - 32));
			if (syscall(SYS_capset, &hdr, data))
				_exit(11);
		}
		if (open(SFS "/policy", O_WRONLY) >= 0)
			_exit(12);
		if (errno != EPERM && !(nobody && errno == EACCES))
			_exit(13);
		if (write_file(SFS "/mode", "permissive") != -EPERM &&
		    !(nobody && errno == EACCES))
			_exit(14);
		if (write_file(SFS "/cgroups", "label /order ads") != -EPERM &&
		    !(nobody && errno == EACCES))
			_exit(15);
		_exit(0);
	}
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST(non_root_cannot_load_policy)
{
	EXPECT_EQ(unprivileged_writes(0), 0);
	EXPECT_EQ(unprivileged_writes(1), 0);
	EXPECT_TRUE(file_has(SFS "/mode", "enforce", NULL));
}

/* An Order VM starts; an Advertising VM beside it is refused. */
static void expect_wall_enforced(void)
{
	struct vmproc order, ads;

	ASSERT_EQ(cg_label("order", "order"), 0);
	ASSERT_EQ(cg_label("ads", "advertising"), 0);
	ASSERT_EQ(vm_start(&order, "order"), 0);
	ASSERT_EQ(vm_start(&ads, "ads"), 0);
	EXPECT_EQ(order.err, 0);
	EXPECT_EQ(ads.err, -EACCES);
	vm_stop(&ads);
	vm_stop(&order);
}

TEST(unload_refused_or_safe_while_enforcing)
{
	char why[256];

	ASSERT_EQ(load_fig2("unload", "1.0", FIG2_WALL, "deny", why,
			    sizeof(why)),
		  0);
	/* shype uses itself (kmod/hook.c): in use, as lsmod says. */
	EXPECT_EQ(syscall(SYS_delete_module, "shype", O_NONBLOCK), -1);
	EXPECT_EQ(errno, EWOULDBLOCK);
	/* Still enforcing. */
	expect_wall_enforced();
}

TEST(kvm_module_reload_refused_or_rehooked)
{
	char why[256], path[512], cmd[600];
	FILE *f;

	ASSERT_EQ(load_fig2("kvm-pinned", "1.0", FIG2_WALL, "deny", why,
			    sizeof(why)),
		  0);
	/* kvm_amd is not hooked and may go; kvm is pinned by shype. */
	ASSERT_EQ(syscall(SYS_delete_module, "kvm_amd", O_NONBLOCK), 0);
	EXPECT_EQ(syscall(SYS_delete_module, "kvm", O_NONBLOCK), -1);
	EXPECT_TRUE(errno == EWOULDBLOCK || errno == EBUSY);
	EXPECT_EQ(access("/sys/module/kvm", F_OK), 0);

	f = popen("awk '$1 == \"kvm_amd\" {print $2}' /etc/shype/modules", "r");
	ASSERT_TRUE(f != NULL);
	ASSERT_TRUE(fgets(path, sizeof(path), f) != NULL);
	pclose(f);
	path[strcspn(path, "\n")] = '\0';
	snprintf(cmd, sizeof(cmd), "insmod %s", path);
	ASSERT_EQ(system(cmd), 0);

	/* The hooks still decide. */
	expect_wall_enforced();
}

TEST_HARNESS_MAIN
