// SPDX-License-Identifier: GPL-2.0
/*
 * doorbell: run in the tiny e2e guest (static, no driver for the device):
 * arm vector 0 of the ivshmem-doorbell device's MSI-X table by hand (QEMU
 * then binds its KVM_IRQFD), say so in the shared memory, ring every peer
 * that said so too until it says it got the interrupt, and report an
 * interrupt from a peer.  Each step is one line "E2E ..." on stdout (the
 * serial console), which the test host greps.
 *
 * One process that maps the device once: a shell loop of devmem calls
 * forks hundreds of processes a second, which nested KVM under TCG does
 * not survive for long (the guest's kernel faulted on its own per-cpu
 * area after ~20 s of it).
 *
 * The interrupt has no handler in the guest: the kernel says "C.V No irq
 * handler for vector" for vector V, read here from /dev/kmsg.
 *
 * Shared memory (BAR2), 32-bit words: word ID is "REDY" once peer ID is
 * armed, word 16+ID is "GOT!" once it got an interrupt.
 *
 * usage: doorbell [VECTOR [SECONDS]]    (default 209, 300)
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define READY 0x52454459u /* "REDY" */
#define GOT 0x21544f47u /* "GOT!" */
#define SLOTS 16

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#include <stdarg.h>
static void say(const char *fmt, ...)
{
	va_list ap;

	fputs("E2E ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	fflush(stdout);
}

static int read_hex(const char *dir, const char *name, unsigned long *v)
{
	char path[512];
	FILE *f;
	int ok;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	if (!f)
		return -1;
	ok = fscanf(f, "%lx", v) == 1;
	fclose(f);
	return ok ? 0 : -1;
}

/* The ivshmem device's sysfs directory. */
static int find_device(char *out, size_t size)
{
	unsigned long ven, dev;
	struct dirent *d;
	char dir[300];
	DIR *pci;

	pci = opendir("/sys/bus/pci/devices");
	if (!pci)
		return -1;
	while ((d = readdir(pci))) {
		if (d->d_name[0] == '.')
			continue;
		snprintf(dir, sizeof(dir), "/sys/bus/pci/devices/%s",
			 d->d_name);
		if (!read_hex(dir, "vendor", &ven) &&
		    !read_hex(dir, "device", &dev) && ven == 0x1af4 &&
		    dev == 0x1110) {
			snprintf(out, size, "%s", dir);
			closedir(pci);
			return 0;
		}
	}
	closedir(pci);
	return -1;
}

static volatile uint32_t *map(int mem, uint64_t phys, size_t len)
{
	uint64_t base = phys & ~4095ull;
	char *p;

	p = mmap(NULL, len + (phys - base), PROT_READ | PROT_WRITE,
		 MAP_SHARED, mem, base);
	if (p == MAP_FAILED)
		return NULL;
	return (volatile uint32_t *)(p + (phys - base));
}

static uint8_t cfg8(int cfg, int off)
{
	uint8_t v = 0;

	if (pread(cfg, &v, 1, off) != 1)
		return 0;
	return v;
}

static int cfg_w8(int cfg, int off, uint8_t v)
{
	return pwrite(cfg, &v, 1, off) == 1 ? 0 : -1;
}

/* Has the kernel said it got vector @vec with no handler? */
static int irq_seen(int kmsg, int vec)
{
	char rec[1024], pat[64];
	ssize_t n;

	snprintf(pat, sizeof(pat), ".%d No irq handler for vector", vec);
	for (;;) {
		n = read(kmsg, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE)
			continue; /* overwritten records: go on */
		if (n <= 0)
			return 0;
		rec[n] = '\0';
		if (strstr(rec, pat))
			return 1;
	}
}

int main(int argc, char **argv)
{
	int vec = argc > 1 ? atoi(argv[1]) : 209;
	int limit = argc > 2 ? atoi(argv[2]) : 300;
	struct timespec tick = { 0, 200 * 1000 * 1000 };
	unsigned long long bar[6] = { 0 }, end, flags;
	volatile uint32_t *regs, *tab, *shm;
	char dir[300], path[400];
	int cfg, mem, kmsg, cap, got = 0, rang[SLOTS] = { 0 }, any = 0;
	unsigned int id, t, bir, i, j;
	uint32_t off;
	FILE *f;

	if (find_device(dir, sizeof(dir))) {
		say("error: no ivshmem device");
		return 1;
	}
	snprintf(path, sizeof(path), "%s/resource", dir);
	f = fopen(path, "r");
	for (i = 0; f && i < 6; i++)
		if (fscanf(f, "%llx %llx %llx", &bar[i], &end, &flags) != 3)
			break;
	if (f)
		fclose(f);
	snprintf(path, sizeof(path), "%s/config", dir);
	cfg = open(path, O_RDWR);
	mem = open("/dev/mem", O_RDWR | O_SYNC);
	kmsg = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	if (cfg < 0 || mem < 0 || kmsg < 0 || !bar[0] || !bar[2]) {
		say("error: cannot open the device (%s)", strerror(errno));
		return 1;
	}

	/* Memory space and bus mastering on; find MSI-X (id 0x11). */
	cfg_w8(cfg, 4, cfg8(cfg, 4) | 6);
	for (cap = cfg8(cfg, 0x34); cap && cfg8(cfg, cap) != 0x11;
	     cap = cfg8(cfg, cap + 1))
		;
	if (!cap) {
		say("error: no MSI-X capability");
		return 1;
	}
	off = cfg8(cfg, cap + 4) | cfg8(cfg, cap + 5) << 8 |
	      cfg8(cfg, cap + 6) << 16 | (uint32_t)cfg8(cfg, cap + 7) << 24;
	bir = off & 7;
	regs = map(mem, bar[0], 256);
	tab = bir < 6 ? map(mem, bar[bir] + (off & ~7u), 16) : NULL;
	shm = map(mem, bar[2], 4 * 2 * SLOTS);
	if (!regs || !tab || !shm) {
		say("error: cannot map the device: %s", strerror(errno));
		return 1;
	}

	/* MSI-X on, function unmasked: QEMU sets up its vector notifiers. */
	cfg_w8(cfg, cap + 3, (cfg8(cfg, cap + 3) | 0x80) & ~0x40);
	/* Entry 0: to APIC 0, fixed, edge, @vec; then unmask it (irqfd). */
	tab[0] = 0xfee00000u;
	tab[1] = 0;
	tab[2] = vec;
	tab[3] = 0;
	id = regs[2];
	say("armed id=%u vector=%d", id, vec);
	if (id >= SLOTS) {
		say("error: peer id %u too large for this test", id);
		return 1;
	}
	shm[SLOTS + id] = 0;
	shm[id] = READY;

	for (t = 0; t < (unsigned int)limit * 5; t++) {
		if (!got && irq_seen(kmsg, vec)) {
			got = 1;
			say("irq received vector=%d", vec);
			shm[SLOTS + id] = GOT;
		}
		/* Ring each armed peer until it says it got the interrupt. */
		any = 0;
		for (j = 0; j < SLOTS; j++) {
			if (j == id || shm[j] != READY || shm[SLOTS + j] == GOT)
				continue;
			any = 1;
			regs[3] = j << 16;
			if (!rang[j]++)
				say("rang peer %u", j);
		}
		if (got && !any) {
			for (j = 0; j < SLOTS && !rang[j]; j++)
				;
			if (j < SLOTS)
				return 0;
		}
		nanosleep(&tick, NULL);
	}
	say("timeout: got=%d", got);
	return 2;
}
