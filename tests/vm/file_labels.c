// SPDX-License-Identifier: GPL-2.0
/*
 * file_labels - what a labelled VMM may open: a file's label is its
 * security.shype attribute; a file labelled X is opened by a VMM labelled
 * Y only if X and Y share an STE type; an unlabelled file may be read by
 * anyone, and becomes the first VMM's that opens it for writing (or stays
 * unlabelled, or may not be written, as the policy's unlabeled_files
 * says).  The same holds for a file received over a socket and for
 * truncate(2); the attribute itself is set only by unlabelled
 * CAP_MAC_ADMIN.
 *
 * Each VMM is a child that enters a labelled cgroup and does one thing;
 * the Figure 2 policy's order and advertising share no type, order and
 * vdisk_server share Order.
 */
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/xattr.h>

#include "harness.h"
#include "shype_util.h"

#define DIR_  "/tmp/fl"
#define XATTR "security.shype"

enum act { OPEN_RO, OPEN_RW, CREATE, TRUNCATE, SETX, REMOVEX, RECV };

static uid_t as_uid; /* the uid the children of as() take, 0 for root */

/*
 * In a child in cgroup /@cg: do @act on @path (SETX: with @arg as the
 * label; RECV: receive a file over socket @sock and report how it came).
 * Return: 0 or -errno.
 */
static int as(const char *cg, enum act act, const char *path, const char *arg,
	      int sock)
{
	char cbuf[CMSG_SPACE(sizeof(int))], byte;
	struct iovec iov = { &byte, 1 };
	struct msghdr msg = { .msg_iov = &iov,
			      .msg_iovlen = 1,
			      .msg_control = cbuf,
			      .msg_controllen = sizeof(cbuf) };
	int fd = -1, res, st;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		res = cg_enter(cg);
		if (res || (as_uid && setresuid(as_uid, as_uid, as_uid)))
			_exit(200);
		switch (act) {
		case OPEN_RO:
			fd = open(path, O_RDONLY | O_CLOEXEC);
			break;
		case OPEN_RW:
			fd = open(path, O_RDWR | O_CLOEXEC);
			break;
		case CREATE:
			fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
			if (fd >= 0 && write(fd, "data", 4) != 4)
				fd = -1;
			break;
		case TRUNCATE:
			fd = truncate(path, 0);
			break;
		case SETX:
			fd = setxattr(path, XATTR, arg, strlen(arg), 0);
			break;
		case REMOVEX:
			fd = removexattr(path, XATTR);
			break;
		case RECV:
			if (recvmsg(sock, &msg, 0) != 1)
				_exit(201);
			/* A refused file is not installed: no descriptor. */
			fd = CMSG_FIRSTHDR(&msg) ? 0 : -1;
			errno = EACCES;
			break;
		}
		_exit(fd < 0 ? errno : 0);
	}
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -ECHILD;
	return -WEXITSTATUS(st);
}

/* Create @path as this unlabelled test does. */
static int make_file(const char *path)
{
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

static int label_of(const char *path, char *buf, size_t size)
{
	ssize_t n = getxattr(path, XATTR, buf, size - 1);

	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return 0;
}

/*
 * The Figure 2 policy with @files as its unlabeled_files (written into
 * the blob's header, digest redone), and the cgroups; a fresh directory.
 */
static void setup(const char *name, uint32_t files)
{
	struct shype_policy_header *h;
	char why[1024] = "";
	size_t len;
	void *blob;
	int err;

	ASSERT_EQ(compile_json(&blob, &len, FIG2_JSON, name, "1.0", "", "deny"),
		  0);
	h = blob;
	h->unlabeled_files = htole32(files);
	shype_digest(blob, len, h->digest);
	err = load_blob(blob, len, SHYPE_LOAD_FORCE, why, sizeof(why));
	free(blob);
	if (err)
		printf("# load: %s\n%s", strerror(-err), why);
	ASSERT_EQ(err, 0);
	ASSERT_EQ(write_file(SFS "/mode", "enforce"), 0);
	ASSERT_EQ(cg_label("fl_order", "order"), 0);
	ASSERT_EQ(cg_label("fl_ads", "advertising"), 0);
	ASSERT_EQ(cg_label("fl_vdisk", "vdisk_server"), 0);
	system("umount " DIR_ "/ram " DIR_ "/ro 2>/dev/null; rm -rf " DIR_);
	ASSERT_EQ(mkdir(DIR_, 0755), 0);
}

TEST(file_written_by_a_vmm_becomes_its_own)
{
	long long seq;
	char l[64];

	setup("fl_own", SHYPE_FILES_LABEL);
	ASSERT_EQ(as("fl_order", CREATE, DIR_ "/disk.img", NULL, -1), 0);
	ASSERT_EQ(label_of(DIR_ "/disk.img", l, sizeof(l)), 0);
	EXPECT_EQ(strcmp(l, "order"), 0);

	seq = audit_last();
	EXPECT_EQ(as("fl_ads", OPEN_RO, DIR_ "/disk.img", NULL, -1), -EACCES);
	EXPECT_EQ(as("fl_ads", OPEN_RW, DIR_ "/disk.img", NULL, -1), -EACCES);
	EXPECT_EQ(audit_since(seq, "op=file result=denied", "reason=ste"), 2);
	EXPECT_EQ(audit_since(seq, "(advertising) file_label=order", NULL), 2);
	EXPECT_EQ(audit_since(seq, "path=" DIR_ "/disk.img", NULL), 2);

	/* The same coalition, and the shared vdisk server, may. */
	EXPECT_EQ(as("fl_order", OPEN_RW, DIR_ "/disk.img", NULL, -1), 0);
	EXPECT_EQ(as("fl_vdisk", OPEN_RO, DIR_ "/disk.img", NULL, -1), 0);
	/* An unlabelled process is not shype's business. */
	EXPECT_EQ(as("", OPEN_RW, DIR_ "/disk.img", NULL, -1), 0);
}

TEST(label_follows_the_file_through_rename_and_links)
{
	setup("fl_names", SHYPE_FILES_LABEL);
	ASSERT_EQ(as("fl_order", CREATE, DIR_ "/a.img", NULL, -1), 0);
	ASSERT_EQ(rename(DIR_ "/a.img", DIR_ "/b.img"), 0);
	ASSERT_EQ(link(DIR_ "/b.img", DIR_ "/c.img"), 0);
	EXPECT_EQ(as("fl_ads", OPEN_RO, DIR_ "/b.img", NULL, -1), -EACCES);
	EXPECT_EQ(as("fl_ads", OPEN_RO, DIR_ "/c.img", NULL, -1), -EACCES);
}

TEST(unlabelled_file_is_read_by_anyone_and_stays_unlabelled)
{
	char l[64];

	setup("fl_read", SHYPE_FILES_LABEL);
	ASSERT_EQ(make_file(DIR_ "/firmware.bin"), 0);
	EXPECT_EQ(as("fl_order", OPEN_RO, DIR_ "/firmware.bin", NULL, -1), 0);
	EXPECT_EQ(as("fl_ads", OPEN_RO, DIR_ "/firmware.bin", NULL, -1), 0);
	EXPECT_EQ(label_of(DIR_ "/firmware.bin", l, sizeof(l)), -ENODATA);
}

TEST(unlabeled_files_allow_and_deny)
{
	char l[64];

	setup("fl_allow", SHYPE_FILES_ALLOW);
	ASSERT_EQ(make_file(DIR_ "/shared.img"), 0);
	EXPECT_EQ(as("fl_order", OPEN_RW, DIR_ "/shared.img", NULL, -1), 0);
	EXPECT_EQ(label_of(DIR_ "/shared.img", l, sizeof(l)), -ENODATA);
	EXPECT_EQ(as("fl_ads", OPEN_RW, DIR_ "/shared.img", NULL, -1), 0);

	setup("fl_deny", SHYPE_FILES_DENY);
	ASSERT_EQ(make_file(DIR_ "/shared.img"), 0);
	EXPECT_EQ(as("fl_order", OPEN_RW, DIR_ "/shared.img", NULL, -1),
		  -EACCES);
	EXPECT_EQ(as("fl_order", OPEN_RO, DIR_ "/shared.img", NULL, -1), 0);
	/* A labelled file is still decided on its label. */
	ASSERT_EQ(setxattr(DIR_ "/shared.img", XATTR, "order", 5, 0), 0);
	EXPECT_EQ(as("fl_order", OPEN_RW, DIR_ "/shared.img", NULL, -1), 0);
	EXPECT_EQ(as("fl_ads", OPEN_RW, DIR_ "/shared.img", NULL, -1), -EACCES);
}

/*
 * A policy's file: rule labels the file its path names, hard links
 * included, over the label in its attribute.
 */
TEST(policy_file_rule_labels_the_file_it_names)
{
	char why[1024] = "";
	size_t len;
	void *blob;
	int err;

	setup("fl_rule0", SHYPE_FILES_LABEL);
	ASSERT_EQ(make_file(DIR_ "/rule.img"), 0);
	ASSERT_EQ(setxattr(DIR_ "/rule.img", XATTR, "advertising", 11, 0), 0);
	ASSERT_EQ(
		compile_json(
			&blob, &len,
			"{ \"name\": \"fl_rule\", \"version\": \"1.0\","
			"  \"ste\": { \"types\": [\"Order\", \"Advertising\"] },"
			"  \"labels\": {"
			"    \"order\": { \"ste\": [\"Order\"] },"
			"    \"advertising\": { \"ste\": [\"Advertising\"] } },"
			"  \"resources\": { \"file:%s\": \"order\" },"
			"  \"unlabeled\": \"deny\" }",
			DIR_ "/rule.img"),
		0);
	err = load_blob(blob, len, SHYPE_LOAD_FORCE, why, sizeof(why));
	free(blob);
	if (err)
		printf("# load: %s\n%s", strerror(-err), why);
	ASSERT_EQ(err, 0);
	ASSERT_EQ(link(DIR_ "/rule.img", DIR_ "/rule-link.img"), 0);
	EXPECT_EQ(as("fl_ads", OPEN_RO, DIR_ "/rule.img", NULL, -1), -EACCES);
	EXPECT_EQ(as("fl_ads", OPEN_RO, DIR_ "/rule-link.img", NULL, -1),
		  -EACCES);
	EXPECT_EQ(as("fl_order", OPEN_RW, DIR_ "/rule-link.img", NULL, -1), 0);
}

TEST(label_unknown_to_the_policy_is_refused)
{
	setup("fl_unknown", SHYPE_FILES_LABEL);
	ASSERT_EQ(make_file(DIR_ "/old.img"), 0);
	ASSERT_EQ(setxattr(DIR_ "/old.img", XATTR, "gone", 4, 0), 0);
	EXPECT_EQ(as("fl_order", OPEN_RO, DIR_ "/old.img", NULL, -1), -EACCES);
	EXPECT_EQ(as("", OPEN_RO, DIR_ "/old.img", NULL, -1), 0);
}

TEST(truncate_is_a_write)
{
	setup("fl_trunc", SHYPE_FILES_LABEL);
	ASSERT_EQ(as("fl_order", CREATE, DIR_ "/disk.img", NULL, -1), 0);
	EXPECT_EQ(as("fl_ads", TRUNCATE, DIR_ "/disk.img", NULL, -1), -EACCES);
	EXPECT_EQ(as("fl_order", TRUNCATE, DIR_ "/disk.img", NULL, -1), 0);
}

/* truncate(2) that the kernel would refuse labels nothing. */
TEST(truncate_refused_by_the_kernel_labels_nothing)
{
	char l[64];

	setup("fl_trunc_dac", SHYPE_FILES_LABEL);
	ASSERT_EQ(make_file(DIR_ "/firmware.bin"), 0);
	ASSERT_EQ(chmod(DIR_ "/firmware.bin", 0644), 0);
	as_uid = 1000;
	EXPECT_EQ(as("fl_order", TRUNCATE, DIR_ "/firmware.bin", NULL, -1),
		  -EACCES);
	as_uid = 0;
	ASSERT_EQ(mkdir(DIR_ "/ro", 0755), 0);
	ASSERT_EQ(mount(DIR_, DIR_ "/ro", NULL, MS_BIND, NULL), 0);
	ASSERT_EQ(mount(NULL, DIR_ "/ro", NULL,
			MS_BIND | MS_REMOUNT | MS_RDONLY, NULL),
		  0);
	EXPECT_EQ(as("fl_order", TRUNCATE, DIR_ "/ro/firmware.bin", NULL, -1),
		  -EROFS);
	umount(DIR_ "/ro");
	/* Neither made the file the order VMM's. */
	EXPECT_EQ(label_of(DIR_ "/firmware.bin", l, sizeof(l)), -ENODATA);
	EXPECT_EQ(as("fl_ads", OPEN_RO, DIR_ "/firmware.bin", NULL, -1), 0);
}

TEST(file_received_over_a_socket_is_decided)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { "x", 1 };
	struct msghdr msg = { .msg_iov = &iov,
			      .msg_iovlen = 1,
			      .msg_control = cbuf,
			      .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *c;
	int sp[2], fd;

	setup("fl_recv", SHYPE_FILES_LABEL);
	ASSERT_EQ(as("fl_order", CREATE, DIR_ "/disk.img", NULL, -1), 0);
	ASSERT_EQ(socketpair(AF_UNIX, SOCK_DGRAM, 0, sp), 0);
	fd = open(DIR_ "/disk.img", O_RDONLY);
	ASSERT_GE(fd, 0);
	c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	ASSERT_EQ(sendmsg(sp[0], &msg, 0), 1);
	EXPECT_EQ(as("fl_ads", RECV, NULL, NULL, sp[1]), -EACCES);
	ASSERT_EQ(sendmsg(sp[0], &msg, 0), 1);
	EXPECT_EQ(as("fl_vdisk", RECV, NULL, NULL, sp[1]), 0);
	close(fd);
	close(sp[0]);
	close(sp[1]);
}

TEST(only_unlabelled_cap_mac_admin_sets_the_label)
{
	char l[64];

	setup("fl_relabel", SHYPE_FILES_LABEL);
	ASSERT_EQ(as("fl_order", CREATE, DIR_ "/disk.img", NULL, -1), 0);
	/* Root in a labelled cgroup still may not: it is a VMM's. */
	EXPECT_EQ(as("fl_ads", SETX, DIR_ "/disk.img", "advertising", -1),
		  -EPERM);
	EXPECT_EQ(as("fl_order", REMOVEX, DIR_ "/disk.img", NULL, -1), -EPERM);
	EXPECT_EQ(as("", SETX, DIR_ "/disk.img", "bad label!", -1), -EINVAL);
	ASSERT_EQ(label_of(DIR_ "/disk.img", l, sizeof(l)), 0);
	EXPECT_EQ(strcmp(l, "order"), 0);
	EXPECT_EQ(as("", SETX, DIR_ "/disk.img", "advertising", -1), 0);
	EXPECT_EQ(as("fl_ads", OPEN_RW, DIR_ "/disk.img", NULL, -1), 0);
	EXPECT_EQ(as("", REMOVEX, DIR_ "/disk.img", NULL, -1), 0);
	EXPECT_EQ(label_of(DIR_ "/disk.img", l, sizeof(l)), -ENODATA);
}

TEST(write_where_no_label_can_be_stored_is_refused)
{
	setup("fl_ramfs", SHYPE_FILES_LABEL);
	ASSERT_EQ(mkdir(DIR_ "/ram", 0755), 0);
	ASSERT_EQ(mount("ramfs", DIR_ "/ram", "ramfs", 0, NULL), 0);
	ASSERT_EQ(make_file(DIR_ "/ram/disk.img"), 0);
	EXPECT_EQ(as("fl_order", OPEN_RO, DIR_ "/ram/disk.img", NULL, -1), 0);
	EXPECT_EQ(as("fl_order", OPEN_RW, DIR_ "/ram/disk.img", NULL, -1),
		  -EACCES);
	EXPECT_EQ(audit_since(0, "reason=cannot_label", "/ram/disk.img"), 1);
	umount(DIR_ "/ram");
}

TEST(permissive_mode_labels_and_logs)
{
	long long seq;

	setup("fl_permissive", SHYPE_FILES_LABEL);
	ASSERT_EQ(as("fl_order", CREATE, DIR_ "/disk.img", NULL, -1), 0);
	ASSERT_EQ(write_file(SFS "/mode", "permissive"), 0);
	seq = audit_last();
	EXPECT_EQ(as("fl_ads", OPEN_RO, DIR_ "/disk.img", NULL, -1), 0);
	EXPECT_EQ(audit_since(seq, "op=file result=permitted", "reason=ste"),
		  1);
	ASSERT_EQ(write_file(SFS "/mode", "enforce"), 0);
}

TEST_HARNESS_MAIN
