// SPDX-License-Identifier: GPL-2.0
/*
 * shype-vmhold [SECONDS]: the smallest VMM, for tests in the test host.
 * Creates one VM, prints "created", holds the VM for SECONDS (default 0)
 * and exits 0.  When KVM_CREATE_VM fails it prints the errno and exits 13,
 * whatever the errno (13 is EACCES, shype's denial); 1 for other failures,
 * 2 for a bad argument.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/kvm.h>

int main(int argc, char **argv)
{
	unsigned long secs = 0;
	char *end = NULL;
	int kvm, vm, err;

	if (argc == 2) {
		secs = strtoul(argv[1], &end, 10);
		if (!*argv[1] || *end)
			argc = 0;
	}
	if (argc != 1 && argc != 2) {
		fprintf(stderr, "usage: shype-vmhold [SECONDS]\n");
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
	printf("created\n");
	fflush(stdout);
	while (secs)
		secs = sleep(secs);
	close(vm);
	close(kvm);
	return 0;
}
