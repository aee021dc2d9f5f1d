// SPDX-License-Identifier: GPL-2.0
/*
 * bind_vfio - the KVM VFIO device: a VFIO group added to VMs of two
 * processes (its fd passed between them) is a share, allowed only if the
 * VMs share an STE type.  The group is the test host's pci-testdev, bound
 * to vfio-pci behind the emulated IOMMU.
 *
 * VFIO_DEVICE_SET_IRQS points the device's interrupts at an eventfd: the
 * VM of the process that holds the device is bound to it, as for irqfds.
 */
#include <dirent.h>
#include <linux/vfio.h>
#include <sys/eventfd.h>
#include <sys/wait.h>

#include "harness.h"
#include "shype_util.h"

/* pci-testdev's address, as testdev_group() found it */
static char testdev[256];

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
		snprintf(testdev, sizeof(testdev), "%s", d->d_name);
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

/* The device of @group, in a container of its own. */
static int device_fd(int group)
{
	int container = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC), fd;

	if (container < 0)
		return -errno;
	/* The test host's emulated IOMMU does not remap interrupts. */
	write_file("/sys/module/vfio_iommu_type1/parameters/"
		   "allow_unsafe_interrupts",
		   "1");
	if (ioctl(group, VFIO_GROUP_SET_CONTAINER, &container) ||
	    ioctl(container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU))
		return -errno;
	fd = ioctl(group, VFIO_GROUP_GET_DEVICE_FD, testdev);
	return fd < 0 ? -errno : fd;
}

/* Point the device's request interrupt at @efd (-1: none). */
static int set_req_irq(int device, int efd)
{
	struct {
		struct vfio_irq_set set;
		__s32 fd;
	} a = {
		.set = {
			.argsz = sizeof(a),
			.flags = VFIO_IRQ_SET_DATA_EVENTFD |
				 VFIO_IRQ_SET_ACTION_TRIGGER,
			.index = VFIO_PCI_REQ_IRQ_INDEX,
			.count = 1,
		},
		.fd = efd,
	};

	return ioctl(device, VFIO_DEVICE_SET_IRQS, &a) ? -errno : 0;
}

/* In a child in cgroup /@cg: a VM's irqfd on @efd; its result. */
static int child_irqfd(const char *cg, int efd)
{
	struct kvm_irqfd irqfd = { .fd = efd, .gsi = 5 };
	int status, vm;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		vm = cg_enter(cg) ? -EPERM : vm_create_here();
		if (vm < 0)
			_exit(-vm);
		if (ioctl(vm, KVM_CREATE_IRQCHIP, 0) ||
		    ioctl(vm, KVM_IRQFD, &irqfd))
			_exit(errno);
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -ECHILD;
	return -WEXITSTATUS(status);
}

TEST(vfio_irq_eventfd_of_another_coalition_denied)
{
	int dev, group, device, theirs, ctl, own;
	long long seq;

	setup("vfio-3", &dev, &group);
	device = device_fd(group);
	ASSERT_GE(device, 0);
	/* An advertising VM's irqfd holds @theirs. */
	theirs = eventfd(0, EFD_CLOEXEC);
	ASSERT_GE(theirs, 0);
	vm_bound_to("ads", theirs, &ctl);
	seq = audit_last();
	EXPECT_EQ(set_req_irq(device, theirs), -EACCES);
	EXPECT_EQ(audit_since(seq, "op=vfio_irq result=denied",
			      "reason=ste peer="),
		  1);
	/* Its own eventfd: bound, so the other coalition's irqfd is not. */
	own = eventfd(0, EFD_CLOEXEC);
	ASSERT_GE(own, 0);
	EXPECT_EQ(set_req_irq(device, own), 0);
	EXPECT_EQ(child_irqfd("ads", own), -EACCES);
	EXPECT_EQ(child_irqfd("order2", own), 0);
	EXPECT_EQ(set_req_irq(device, -1), 0);
	close(ctl);
	close(dev);
	close(group);
	/* Bound while the device file is open, the VM gone or not. */
	EXPECT_EQ(child_irqfd("ads", own), -EACCES);
	/* Its close lets it go, and leaves nothing of Order's behind. */
	close(device);
	EXPECT_EQ(child_irqfd("ads", own), 0);
	EXPECT_FALSE(file_has(SFS "/bindings", "(order)", NULL));
}

TEST_HARNESS_MAIN
