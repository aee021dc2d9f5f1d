// SPDX-License-Identifier: GPL-2.0
/*
 * bind_vfio - the KVM VFIO device: a VFIO group added to VMs of two
 * processes (its fd passed between them) is a share, allowed only if the
 * VMs share an STE type.  The group is the test host's pci-testdev, bound
 * to vfio-pci behind the emulated IOMMU.
 */
#include <dirent.h>
#include <sys/wait.h>

#include "harness.h"
#include "shype_util.h"

/* Bind pci-testdev (1b36:0005) to vfio-pci; the path of its group. */
static int testdev_group(char *path, size_t size)
{
	char link[512], dev[300], *slash;
	struct dirent *d;
	ssize_t n;
	DIR *dir;

	write_file("/sys/bus/pci/drivers/vfio-pci/new_id", "1b36 0005");
	dir = opendir("/sys/bus/pci/devices");
	if (!dir)
		return -errno;
	while ((d = readdir(dir))) {
		char id[16] = "";

		snprintf(dev, sizeof(dev), "/sys/bus/pci/devices/%s/device",
			 d->d_name);
		if (read_file(dev, id, sizeof(id)) < 0 ||
		    strncmp(id, "0x0005", 6))
			continue;
		snprintf(dev, sizeof(dev),
			 "/sys/bus/pci/devices/%s/iommu_group", d->d_name);
		n = readlink(dev, link, sizeof(link) - 1);
		if (n < 0)
			continue;
		link[n] = '\0';
		slash = strrchr(link, '/');
		snprintf(path, size, "/dev/vfio/%.16s",
			 slash ? slash + 1 : link);
		closedir(dir);
		return 0;
	}
	closedir(dir);
	return -ENODEV;
}

/* A VM in cgroup /@cg (this process) and its KVM VFIO device. */
static int vfio_device(const char *cg)
{
	struct kvm_create_device cd = { .type = KVM_DEV_TYPE_VFIO };
	int vm;

	if (cg_enter(cg))
		return -EPERM;
	vm = vm_create_here();
	if (vm < 0)
		return vm;
	return ioctl(vm, KVM_CREATE_DEVICE, &cd) ? -errno : (int)cd.fd;
}

static int group_op(int dev, int group, __u64 op)
{
	__s32 fd = group;
	struct kvm_device_attr a = {
		.group = KVM_DEV_VFIO_GROUP,
		.attr = op,
		.addr = (unsigned long)&fd,
	};

	return ioctl(dev, KVM_SET_DEVICE_ATTR, &a) ? -errno : 0;
}

/* In a child in cgroup /@cg: add @group to a new VM; its result. */
static int child_add(const char *cg, int group)
{
	int status, dev, err;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		dev = vfio_device(cg);
		err = dev < 0 ? dev :
				group_op(dev, group, KVM_DEV_VFIO_GROUP_ADD);
		_exit(-err);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -ECHILD;
	return -WEXITSTATUS(status);
}

/* The policy, the cgroups, the group open and a device of an order VM. */
static void setup(const char *name, int *dev, int *group)
{
	char path[64] = "";

	ASSERT_EQ(load_fig2(name, "1.0", "", "deny", NULL, 0), 0);
	ASSERT_EQ(write_file(SFS "/mode", "enforce"), 0);
	ASSERT_EQ(cg_label("order", "order"), 0);
	ASSERT_EQ(cg_label("order2", "order"), 0);
	ASSERT_EQ(cg_label("ads", "advertising"), 0);
	if (testdev_group(path, sizeof(path)))
		SKIP("no pci-testdev behind an IOMMU");
	*group = open(path, O_RDWR | O_CLOEXEC);
	ASSERT_GE(*group, 0);
	*dev = vfio_device("order");
	ASSERT_GE(*dev, 0);
}

TEST(vfio_group_shared_across_coalitions_denied)
{
	long long seq;
	int dev, group;

	setup("vfio-1", &dev, &group);
	EXPECT_EQ(group_op(dev, group, KVM_DEV_VFIO_GROUP_ADD), 0);
	EXPECT_EQ(file_has(SFS "/bindings", "class=vfio name=/dev/vfio/",
			   "(order)", NULL),
		  1);
	seq = audit_last();
	EXPECT_EQ(child_add("ads", group), -EACCES);
	EXPECT_EQ(audit_since(seq, "op=vfio result=denied", "reason=ste peer="),
		  1);
	EXPECT_EQ(child_add("order2", group), 0);
	/* Deleted from the order VM, the group is free for another. */
	EXPECT_EQ(group_op(dev, group, KVM_DEV_VFIO_GROUP_DEL), 0);
	EXPECT_EQ(file_has(SFS "/bindings", "class=vfio", NULL), 0);
	EXPECT_EQ(child_add("ads", group), 0);
	/* Closing the KVM device lets its groups go too. */
	EXPECT_EQ(group_op(dev, group, KVM_DEV_VFIO_GROUP_ADD), 0);
	EXPECT_EQ(file_has(SFS "/bindings", "class=vfio", NULL), 1);
	close(dev);
	EXPECT_EQ(file_has(SFS "/bindings", "class=vfio", NULL), 0);
	close(group);
}

TEST(vfio_group_permissive_logs_and_allows)
{
	long long seq;
	int dev, group;

	setup("vfio-2", &dev, &group);
	EXPECT_EQ(group_op(dev, group, KVM_DEV_VFIO_GROUP_ADD), 0);
	ASSERT_EQ(write_file(SFS "/mode", "permissive"), 0);
	seq = audit_last();
	EXPECT_EQ(child_add("ads", group), 0);
	ASSERT_EQ(write_file(SFS "/mode", "enforce"), 0);
	EXPECT_EQ(audit_since(seq, "op=vfio result=permitted", NULL), 1);
	close(dev);
	close(group);
}

TEST_HARNESS_MAIN
