// SPDX-License-Identifier: GPL-2.0
/*
 * shype decides at bind time only: once an irqfd and an ioeventfd are
 * bound, a million signals through each leave shype's counters as they
 * were.
 */
#include <sys/eventfd.h>

#include "harness.h"
#include "kvm_util.h"
#include "shype_util.h"

#define SIGNALS	   1000000
#define GUEST_PHYS 0x1000
#define PORT_KICK  0x11
#define PORT_DONE  0x10

/*
 * mov ecx, SIGNALS; 1: out PORT_KICK, al; dec ecx; jnz 1b;
 * out PORT_DONE, al; hlt
 */
static const uint8_t loop_code[] = {
	0x66,
	0xb9,
	SIGNALS & 0xff,
	(SIGNALS >> 8) & 0xff,
	(SIGNALS >> 16) & 0xff,
	(SIGNALS >> 24) & 0xff,
	0xe6,
	PORT_KICK,
	0x66,
	0x49,
	0x75,
	0xfa,
	0xe6,
	PORT_DONE,
	0xf4,
};

TEST_TIMEOUT(data_path_never_hooked, 600)
{
	static char before[4096], after[4096], bound[4096], bound2[4096];
	struct kvm_userspace_memory_region region = {
		.guest_phys_addr = GUEST_PHYS,
		.memory_size = 0x1000,
	};
	struct kvm_ioeventfd io = { .addr = PORT_KICK,
				    .len = 1,
				    .flags = KVM_IOEVENTFD_FLAG_PIO };
	struct kvm_irqfd irqfd = { .gsi = 5 };
	int kvm, vm, irq_efd, io_efd, i;
	eventfd_t count = 0;
	struct vcpu v;
	void *mem;

	ASSERT_EQ(load_fig2("datapath", "1.0", FIG2_WALL, "deny", NULL, 0), 0);
	ASSERT_EQ(cg_label("order", "order"), 0);
	ASSERT_EQ(cg_enter("order"), 0);
	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	ASSERT_GE(kvm, 0);
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	ASSERT_GE(vm, 0);
	ASSERT_EQ(ioctl(vm, KVM_CREATE_IRQCHIP, 0), 0);
	irq_efd = eventfd(0, EFD_CLOEXEC);
	io_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	ASSERT_GE(irq_efd, 0);
	ASSERT_GE(io_efd, 0);

	ASSERT_GT(read_file(SFS "/stats", before, sizeof(before)), 0);
	irqfd.fd = irq_efd;
	ASSERT_EQ(ioctl(vm, KVM_IRQFD, &irqfd), 0);
	io.fd = io_efd;
	ASSERT_EQ(ioctl(vm, KVM_IOEVENTFD, &io), 0);
	ASSERT_GT(read_file(SFS "/stats", bound, sizeof(bound)), 0);
	/* The two binds were decided: the counters can move. */
	EXPECT_NE(strcmp(before, bound), 0);
	ASSERT_GT(read_file(SFS "/bindings", bound2, sizeof(bound2)), 0);

	for (i = 0; i < SIGNALS; i++)
		ASSERT_EQ(eventfd_write(irq_efd, 1), 0);

	mem = mmap(NULL, 0x1000, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(mem, MAP_FAILED);
	memcpy(mem, loop_code, sizeof(loop_code));
	region.userspace_addr = (uintptr_t)mem;
	ASSERT_EQ(ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region), 0);
	vcpu_real_mode(kvm, vm, GUEST_PHYS, &v);
	ASSERT_EQ(ioctl(v.fd, KVM_RUN, 0), 0);
	ASSERT_EQ(v.run->exit_reason, KVM_EXIT_IO);
	ASSERT_EQ(v.run->io.port, PORT_DONE);
	ASSERT_EQ(eventfd_read(io_efd, &count), 0);
	EXPECT_EQ(count, SIGNALS);

	ASSERT_GT(read_file(SFS "/stats", after, sizeof(after)), 0);
	EXPECT_EQ(strcmp(bound, after), 0);
	ASSERT_GT(read_file(SFS "/bindings", after, sizeof(after)), 0);
	EXPECT_EQ(strcmp(bound2, after), 0);
	vcpu_close(&v);
	close(vm);
	close(kvm);
}

TEST_HARNESS_MAIN
