// SPDX-License-Identifier: GPL-2.0
/*
 * bind_vsock - a vhost-vsock device's guest CID is a resource,
 * "vsock:CID": VHOST_VSOCK_SET_GUEST_CID is allowed only if the VM of the
 * device's owner shares an STE type with the CID's label, if it has one.
 * vhost itself lets any holder of the fd set the CID; shype allows only
 * the owner, whose VM the device serves.
 */
#include <sys/wait.h>
#include <linux/vhost.h>

#include "harness.h"
#include "shype_util.h"

#define VSOCK_JSON                                                          \
	"{ \"name\": \"%s\", \"version\": \"1.0\","                         \
	"  \"ste\": { \"types\": [\"Order\", \"Advertising\"] },"           \
	"  \"chwall\": { \"types\": [\"Order\", \"Advertising\"] },"        \
	"  \"labels\": {"                                                   \
	"    \"order\": { \"ste\": [\"Order\"], \"chwall\": [\"Order\"] }," \
	"    \"advertising\": { \"ste\": [\"Advertising\"],"                \
	"                       \"chwall\": [\"Advertising\"] } },"         \
	"  \"resources\": { \"vsock:5\": \"advertising\","                  \
	"                   \"vsock:6\": \"%s\" } }"

static int load_vsock_policy(const char *name, const char *cid6, char *why,
			     size_t size)
{
	size_t len;
	void *blob;
	int err = compile_json(&blob, &len, VSOCK_JSON, name, cid6);

	if (err)
		return err;
	err = load_blob(blob, len, SHYPE_LOAD_FORCE, why, size);
	free(blob);
	return err;
}

/* A VM labelled order in this process, and a vhost-vsock device it owns. */
static int setup(const char *name)
{
	int vm, dev;

	ASSERT_EQ(load_vsock_policy(name, "order", NULL, 0), 0);
	ASSERT_EQ(write_file(SFS "/mode", "enforce"), 0);
	ASSERT_EQ(cg_label("order", "order"), 0);
	ASSERT_EQ(cg_enter("order"), 0);
	vm = vm_create_here();
	ASSERT_GE(vm, 0);
	dev = open("/dev/vhost-vsock", O_RDWR | O_CLOEXEC);
	if (dev < 0)
		SKIP("no /dev/vhost-vsock: %s", strerror(errno));
	ASSERT_EQ(ioctl(dev, VHOST_SET_OWNER, 0), 0);
	return dev;
}

static int set_cid(int dev, __u64 cid)
{
	return ioctl(dev, VHOST_VSOCK_SET_GUEST_CID, &cid) ? -errno : 0;
}

TEST(vsock_cid_checked_against_its_label)
{
	int dev = setup("vsock-1");
	long long seq = audit_last();

	EXPECT_EQ(set_cid(dev, 5), -EACCES);
	EXPECT_EQ(
		audit_since(seq, "op=vsock_cid result=denied",
			    "reason=ste class=vsock label=advertising name=5"),
		1);
	EXPECT_EQ(set_cid(dev, 6), 0);
	EXPECT_EQ(file_has(SFS "/bindings",
			   "class=vsock name=6 vms=", "(order)", NULL),
		  1);
	/* A new CID replaces the old one; an unlabelled one is allowed. */
	EXPECT_EQ(set_cid(dev, 1000), 0);
	EXPECT_EQ(file_has(SFS "/bindings", "class=vsock name=6 ", NULL), 0);
	EXPECT_EQ(file_has(SFS "/bindings", "class=vsock name=1000 ", NULL), 1);
	/* vhost's own refusals pass through. */
	EXPECT_EQ(set_cid(dev, 2), -EINVAL);
	EXPECT_EQ(file_has(SFS "/bindings", "class=vsock name=1000 ", NULL), 1);
	close(dev);
	EXPECT_EQ(file_has(SFS "/bindings", "class=vsock", NULL), 0);
}

TEST(vsock_cid_set_only_by_the_owner)
{
	int dev = setup("vsock-2"), status;
	long long seq = audit_last();
	pid_t pid;

	fflush(stdout);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0)
		_exit(set_cid(dev, 1001) == -EACCES ? 0 : 1);
	ASSERT_EQ(waitpid(pid, &status, 0), pid);
	EXPECT_EQ(status, 0);
	EXPECT_EQ(audit_since(seq, "op=vsock_cid result=denied",
			      "reason=not_owner"),
		  1);
	EXPECT_EQ(set_cid(dev, 1001), 0);
	close(dev);
}

TEST(vsock_cid_permissive_logs_and_allows)
{
	int dev = setup("vsock-3");
	long long seq = audit_last();

	ASSERT_EQ(write_file(SFS "/mode", "permissive"), 0);
	EXPECT_EQ(set_cid(dev, 5), 0);
	ASSERT_EQ(write_file(SFS "/mode", "enforce"), 0);
	EXPECT_EQ(audit_since(seq, "op=vsock_cid result=permitted", "name=5"),
		  1);
	close(dev);
}

TEST(vsock_cid_policy_replacement_checks_it)
{
	int dev = setup("vsock-4");
	char why[1024] = "";

	EXPECT_EQ(set_cid(dev, 6), 0);
	EXPECT_EQ(load_vsock_policy("vsock-4b", "advertising", why,
				    sizeof(why)),
		  -EACCES);
	EXPECT_TRUE(strstr(why, "may not use 6") != NULL);
	EXPECT_EQ(file_has(SFS "/status", "policy=vsock-4 ", NULL), 1);
	close(dev);
}

TEST_HARNESS_MAIN
