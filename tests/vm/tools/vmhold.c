// SPDX-License-Identifier: GPL-2.0
/*
 * shype-vmhold [--shm FILE] [SECONDS]: the smallest VMM, for tests in the
 * test host.  Creates one VM, prints "created", holds the VM for SECONDS
 * (default 0) and exits 0.  With --shm, the VM's memslot 0 is two pages of
 * FILE (made if needed) mapped shared, as an ivshmem device's would be.
 * When KVM_CREATE_VM or the memslot fails it prints the errno and exits 13,
 * whatever the errno (13 is EACCES, shype's denial); 1 for other failures,
 * 2 for a bad argument.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/kvm.h>

#define SHM_SIZE (2 * 4096)

/* Memslot 0 of @vm over @path; 0, 1 (the file) or 13 (the memslot). */
static int shm_slot(int vm, const char *path)
{
	struct kvm_userspace_memory_region r = { .memory_size = SHM_SIZE };
	void *p;
	int fd;

	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0 || ftruncate(fd, SHM_SIZE)) {
		fprintf(stderr, "shype-vmhold: %s: %s\n", path,
			strerror(errno));
		return 1;
	}
	p = mmap(NULL, SHM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (p == MAP_FAILED) {
		fprintf(stderr, "shype-vmhold: mmap %s: %s\n", path,
			strerror(errno));
		return 1;
	}
	r.userspace_addr = (unsigned long)p;
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &r)) {
		printf("KVM_SET_USER_MEMORY_REGION: errno %d (%s)\n", errno,
		       strerror(errno));
		return 13;
	}
	return 0;
}

int main(int argc, char **argv)
{
	const char *shm = NULL;
	unsigned long secs = 0;
	char *end = NULL;
	int kvm, vm, err;

	if (argc >= 3 && !strcmp(argv[1], "--shm")) {
		shm = argv[2];
		argv += 2;
		argc -= 2;
	}
	if (argc == 2) {
		secs = strtoul(argv[1], &end, 10);
		if (!*argv[1] || *end)
			argc = 0;
	}
	if (argc != 1 && argc != 2) {
		fprintf(stderr, "usage: shype-vmhold [--shm FILE] [SECONDS]\n");
		return 2;
	}
	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0) {
		fprintf(stderr, "shype-vmhold: /dev/kvm: %s\n",
			strerror(errno));
		return 1;
	}
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0) {
		err = errno;
		printf("KVM_CREATE_VM: errno %d (%s)\n", err, strerror(err));
		return 13;
	}
	if (shm) {
		err = shm_slot(vm, shm);
		if (err)
			return err;
	}
	printf("created\n");
	fflush(stdout);
	while (secs)
		secs = sleep(secs);
	close(vm);
	close(kvm);
	return 0;
}
