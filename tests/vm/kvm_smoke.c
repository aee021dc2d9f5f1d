// SPDX-License-Identifier: GPL-2.0
/*
 * kvm_smoke - the test host works: /dev/kvm, VM and vcpu creation, a tiny
 * real-mode guest run to its port I/O exit, irqfd and ioeventfd.  These are
 * the KVM operations the shype tests build on.
 */
#include <fcntl.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <linux/kvm.h>

#include "harness.h"
#include "kvm_util.h"

#define GUEST_PHYS 0x1000
#define GUEST_SIZE 0x1000
#define PORT_OUT   0x10
#define PORT_KICK  0x11

/* mov al, 0x42; out 0x11, al; out 0x10, al; hlt */
static const uint8_t guest_code[] = { 0xb0, 0x42,     0xe6, PORT_KICK,
				      0xe6, PORT_OUT, 0xf4 };

static int open_kvm(void)
{
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);

	if (fd < 0 && errno == ENOENT)
		SKIP("no /dev/kvm");
	ASSERT_GE(fd, 0);
	return fd;
}

static int create_vm(int kvm)
{
	int vm = ioctl(kvm, KVM_CREATE_VM, 0);

	ASSERT_GE(vm, 0);
	return vm;
}

/* A memslot at GUEST_PHYS backed by @mem, holding guest_code. */
static void set_slot(int vm, void *mem)
{
	struct kvm_userspace_memory_region region = {
		.slot = 0,
		.guest_phys_addr = GUEST_PHYS,
		.memory_size = GUEST_SIZE,
		.userspace_addr = (uintptr_t)mem,
	};

	memcpy(mem, guest_code, sizeof(guest_code));
	ASSERT_EQ(ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region), 0);
}

/*
 * Run a real-mode vcpu at GUEST_PHYS to its HLT: expect the OUT to PORT_OUT;
 * return how many OUTs to PORT_KICK exited to user space (none when an
 * ioeventfd takes them).
 */
static int run_guest(int kvm, int vm)
{
	struct kvm_run *run;
	struct vcpu v;
	int kicks = 0;

	vcpu_real_mode(kvm, vm, GUEST_PHYS, &v);
	run = v.run;
	for (;;) {
		ASSERT_EQ(ioctl(v.fd, KVM_RUN, 0), 0);
		ASSERT_EQ(run->exit_reason, KVM_EXIT_IO);
		ASSERT_EQ(run->io.direction, KVM_EXIT_IO_OUT);
		ASSERT_EQ(run->io.size, 1);
		ASSERT_EQ(run->io.count, 1);
		ASSERT_EQ(*((uint8_t *)run + run->io.data_offset), 0x42);
		if (run->io.port != PORT_KICK)
			break;
		kicks++;
	}
	ASSERT_EQ(run->io.port, PORT_OUT);

	ASSERT_EQ(ioctl(v.fd, KVM_RUN, 0), 0);
	ASSERT_EQ(run->exit_reason, KVM_EXIT_HLT);
	vcpu_close(&v);
	return kicks;
}

TEST(api_version)
{
	int kvm = open_kvm();

	ASSERT_EQ(ioctl(kvm, KVM_GET_API_VERSION, 0), KVM_API_VERSION);
	ASSERT_EQ(KVM_API_VERSION, 12);
	EXPECT_GT(ioctl(kvm, KVM_CHECK_EXTENSION, KVM_CAP_IRQFD), 0);
	EXPECT_GT(ioctl(kvm, KVM_CHECK_EXTENSION, KVM_CAP_IOEVENTFD), 0);
	EXPECT_GT(ioctl(kvm, KVM_CHECK_EXTENSION, KVM_CAP_USER_MEMORY), 0);
	close(kvm);
}

TEST(create_vm_and_vcpu)
{
	int kvm = open_kvm();
	int vm = create_vm(kvm);
	int vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);

	ASSERT_GE(vcpu, 0);
	close(vcpu);
	close(vm);
	close(kvm);
}

/* The "KVM API demo": anonymous memory, run to the port I/O exit. */
TEST(run_guest_anon_memory)
{
	int kvm = open_kvm();
	int vm = create_vm(kvm);
	void *mem;

	mem = mmap(NULL, GUEST_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(mem, MAP_FAILED);
	set_slot(vm, mem);
	ASSERT_EQ(run_guest(kvm, vm), 1);
	close(vm);
	close(kvm);
}

/* The same from a MAP_SHARED memfd, the shape of shared-memory memslots. */
TEST(run_guest_shared_memfd)
{
	int kvm = open_kvm();
	int vm = create_vm(kvm);
	int fd = memfd_create("shype-smoke", MFD_CLOEXEC);
	void *mem;

	ASSERT_GE(fd, 0);
	ASSERT_EQ(ftruncate(fd, GUEST_SIZE), 0);
	mem = mmap(NULL, GUEST_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(mem, MAP_FAILED);
	set_slot(vm, mem);
	ASSERT_EQ(run_guest(kvm, vm), 1);
	close(vm);
	close(fd);
	close(kvm);
}

TEST(irqfd_assign_deassign)
{
	int kvm = open_kvm();
	int vm = create_vm(kvm);
	int efd = eventfd(0, EFD_CLOEXEC);
	struct kvm_irqfd irqfd = { .gsi = 5 };

	ASSERT_GE(efd, 0);
	ASSERT_EQ(ioctl(vm, KVM_CREATE_IRQCHIP, 0), 0);
	irqfd.fd = efd;
	ASSERT_EQ(ioctl(vm, KVM_IRQFD, &irqfd), 0);
	ASSERT_EQ(eventfd_write(efd, 1), 0); /* inject once */
	irqfd.flags = KVM_IRQFD_FLAG_DEASSIGN;
	ASSERT_EQ(ioctl(vm, KVM_IRQFD, &irqfd), 0);
	close(efd);
	close(vm);
	close(kvm);
}

TEST(ioeventfd_assign_deassign)
{
	int kvm = open_kvm();
	int vm = create_vm(kvm);
	int efd = eventfd(0, EFD_CLOEXEC);
	struct kvm_ioeventfd io = {
		.addr = 0xfe000000,
		.len = 4,
	};

	ASSERT_GE(efd, 0);
	io.fd = efd;
	ASSERT_EQ(ioctl(vm, KVM_IOEVENTFD, &io), 0);
	io.flags = KVM_IOEVENTFD_FLAG_DEASSIGN;
	ASSERT_EQ(ioctl(vm, KVM_IOEVENTFD, &io), 0);
	close(efd);
	close(vm);
	close(kvm);
}

/* A guest's port write signals a PIO ioeventfd instead of exiting. */
TEST(ioeventfd_guest_kick)
{
	int kvm = open_kvm();
	int vm = create_vm(kvm);
	int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	struct kvm_ioeventfd io = {
		.addr = PORT_KICK,
		.len = 1,
		.flags = KVM_IOEVENTFD_FLAG_PIO,
	};
	eventfd_t count = 0;
	void *mem;

	ASSERT_GE(efd, 0);
	io.fd = efd;
	ASSERT_EQ(ioctl(vm, KVM_IOEVENTFD, &io), 0);
	mem = mmap(NULL, GUEST_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(mem, MAP_FAILED);
	set_slot(vm, mem);
	ASSERT_EQ(run_guest(kvm, vm), 0);
	ASSERT_EQ(eventfd_read(efd, &count), 0);
	ASSERT_EQ(count, 1);
	close(efd);
	close(vm);
	close(kvm);
}

TEST_HARNESS_MAIN
