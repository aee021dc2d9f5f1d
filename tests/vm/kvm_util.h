/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tiny real-mode guests for the test host's programs: a vcpu that starts
 * at a guest physical address with CS base 0.
 */
#ifndef SHYPE_TESTS_VM_KVM_UTIL_H
#define SHYPE_TESTS_VM_KVM_UTIL_H

#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <linux/kvm.h>

#include "harness.h"

/**
 * struct vcpu - a vcpu and its shared kvm_run
 * @fd: the vcpu
 * @run: its kvm_run
 * @size: the size of the mapping of @run
 */
struct vcpu {
	int fd;
	struct kvm_run *run;
	int size;
};

/* Create vcpu 0 of @vm in real mode, to start at @rip. */
static inline void vcpu_real_mode(int kvm, int vm, uint64_t rip, struct vcpu *v)
{
	struct kvm_regs regs = { .rip = rip, .rflags = 0x2 };
	struct kvm_sregs sregs;

	v->fd = ioctl(vm, KVM_CREATE_VCPU, 0);
	ASSERT_GE(v->fd, 0);
	v->size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	ASSERT_GE(v->size, (int)sizeof(*v->run));
	v->run = mmap(NULL, v->size, PROT_READ | PROT_WRITE, MAP_SHARED, v->fd,
		      0);
	ASSERT_NE(v->run, MAP_FAILED);
	ASSERT_EQ(ioctl(v->fd, KVM_GET_SREGS, &sregs), 0);
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	ASSERT_EQ(ioctl(v->fd, KVM_SET_SREGS, &sregs), 0);
	ASSERT_EQ(ioctl(v->fd, KVM_SET_REGS, &regs), 0);
}

static inline void vcpu_close(struct vcpu *v)
{
	munmap(v->run, v->size);
	close(v->fd);
}

#endif /* SHYPE_TESTS_VM_KVM_UTIL_H */
