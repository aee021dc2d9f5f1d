// SPDX-License-Identifier: GPL-2.0
/*
 * The e2e guest: a bare-metal multiboot kernel that real QEMU boots with
 * -kernel in the test host.  No Linux: a nested guest kernel under TCG
 * hangs in about half its boots wherever it first sleeps, and this one
 * never sleeps (no HLT, no timer), needs no driver, and is at its work a
 * moment after the firmware.
 *
 * It drives one device by hand from 32-bit protected mode, chosen by the
 * command line (-append):
 *
 *   doorbell  ivshmem-doorbell: arm MSI-X vector 0 (QEMU then binds its
 *             KVM_IRQFD), say so in the shared memory, ring every peer that
 *             said so too (BAR0 + 12, QEMU's KVM_IOEVENTFD) until it says
 *             it got the interrupt, and take the interrupt of a peer.
 *   plain id=N  ivshmem-plain: write word N of the shared memory, wait for
 *             a peer to write another.
 *   net       virtio-net (legacy): set up its two queues and DRIVER_OK, so
 *             QEMU starts vhost-net and hands it the tap backend; then
 *             send one broadcast frame and wait for the device to take it.
 *
 * Each step is one line "E2E ..." on the serial port, which the test host
 * greps.  "doorbell" ends with "E2E done" through isa-debug-exit (QEMU's
 * exit status 1) once it and its peers took their interrupts; the others
 * wait to be killed, so their bindings can be looked at.
 *
 * Shared memory of "doorbell", 32-bit words: word ID is "REDY" once peer
 * ID is armed, word 16 + ID is "GOT!" once it took an interrupt.
 */
#include <stdarg.h>
#include <stdint.h>

#define READY 0x52454459u /* "REDY" */
#define GOT   0x21544f47u /* "GOT!" */
#define HELLO 0x4f4c4c45u /* "ELLO" */
#define SLOTS 16

#define VECTOR	   0x40 /* the doorbell's MSI-X vector in this guest */
#define LAPIC	   0xfee00000u
#define DEBUG_EXIT 0xf4 /* isa-debug-exit,iobase=0xf4 */
#define COM1	   0x3f8

/* Multiboot v1 header: flags 0, QEMU loads the ELF's segments. */
static const uint32_t mb_header[3]
	__attribute__((section(".multiboot"), used,
		       aligned(4))) = { 0x1badb002u, 0, -0x1badb002u };

/*
 * Entry from QEMU's multiboot ROM: 32-bit protected mode, flat segments
 * whose descriptors may be anywhere, EBX the multiboot information.  Load
 * our own GDT, a stack, and go to C.
 */
__asm__(".text\n"
	".globl _start\n"
	"_start:\n"
	"	cli\n"
	"	lgdt gdt_desc\n"
	"	ljmp $0x08, $1f\n"
	"1:	movw $0x10, %ax\n"
	"	movw %ax, %ds\n"
	"	movw %ax, %es\n"
	"	movw %ax, %fs\n"
	"	movw %ax, %gs\n"
	"	movw %ax, %ss\n"
	"	movl $stack + 16384, %esp\n"
	"	pushl %ebx\n"
	"	call guest_main\n"
	"2:	jmp 2b\n"
	/* The doorbell's vector: count it, end it at the local APIC. */
	"irq_entry:\n"
	"	lock incl irqs\n"
	"	movl $0, 0xfee000b0\n"
	"	iret\n"
	/* The APIC's spurious vector needs no EOI. */
	"spurious_entry:\n"
	"	iret\n"
	/* Anything else is a bug of this program: say so and stop. */
	"fault_entry:\n"
	"	call fault\n"
	".section .rodata\n"
	".align 8\n"
	"gdt:\n"
	"	.quad 0\n"
	"	.quad 0x00cf9a000000ffff\n" /* 0x08: code, flat */
	"	.quad 0x00cf92000000ffff\n" /* 0x10: data, flat */
	"gdt_desc:\n"
	"	.word gdt_desc - gdt - 1\n"
	"	.long gdt\n"
	".text\n");

void guest_main(const uint32_t *mbi);
void fault(void);
extern char irq_entry[], spurious_entry[], fault_entry[];

volatile uint32_t irqs;
static uint8_t stack[16384] __attribute__((used, aligned(16)));

static uint64_t idt[256] __attribute__((aligned(8)));

/* Port and memory access. */
static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outw(uint16_t port, uint16_t v)
{
	__asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint16_t inw(uint16_t port)
{
	uint16_t v;

	__asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint32_t inl(uint16_t port)
{
	uint32_t v;

	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline volatile uint32_t *mmio32(uint32_t addr)
{
	return (volatile uint32_t *)(uintptr_t)addr;
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

static inline void relax(void)
{
	__asm__ volatile("pause" ::: "memory");
}

/* The serial console, polled. */
static void putc(char c)
{
	while (!(inb(COM1 + 5) & 0x20))
		relax();
	outb(COM1, c);
}

static void puts(const char *s)
{
	while (*s)
		putc(*s++);
}

static void putu(uint32_t v, unsigned int base)
{
	char buf[12];
	int i = 0;

	do {
		buf[i++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	while (i)
		putc(buf[--i]);
}

/* say("fmt", ...): one line "E2E ..."; %u, %x and %s only. */
static void say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	puts("E2E ");
	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			putc(*fmt);
			continue;
		}
		switch (*++fmt) {
		case 'u':
			putu(va_arg(ap, uint32_t), 10);
			break;
		case 'x':
			putu(va_arg(ap, uint32_t), 16);
			break;
		case 's':
			puts(va_arg(ap, const char *));
			break;
		default:
			putc('?');
		}
	}
	putc('\n');
	va_end(ap);
}

/* Powers the VM off through isa-debug-exit; spins if there is none. */
static __attribute__((noreturn)) void finish(void)
{
	say("done");
	outb(DEBUG_EXIT, 0);
	for (;;)
		relax();
}

void fault(void)
{
	say("error: unexpected exception or interrupt");
	finish();
}

/* The IDT: the doorbell's vector, the APIC's spurious one, faults. */
static void idt_set(int vec, const void *entry)
{
	uint32_t off = (uint32_t)(uintptr_t)entry;

	/* Present, ring 0, 32-bit interrupt gate, selector 0x08. */
	idt[vec] = (uint64_t)(off & 0xffff0000u) << 32 | 0x8e00ull << 32 |
		   0x08u << 16 | (off & 0xffff);
}

static void idt_load(void)
{
	struct __attribute__((packed)) {
		uint16_t limit;
		uint32_t base;
	} desc = { sizeof(idt) - 1, (uint32_t)(uintptr_t)idt };
	int v;

	for (v = 0; v < 256; v++)
		idt_set(v, fault_entry);
	idt_set(VECTOR, irq_entry);
	idt_set(0xff, spurious_entry);
	__asm__ volatile("lidt %0" : : "m"(desc));
}

/* PCI configuration space of bus 0 through ports 0xcf8/0xcfc. */
static uint32_t cfg_addr(int dev, int off)
{
	return 0x80000000u | (uint32_t)dev << 11 | (off & 0xfc);
}

static uint32_t cfg32(int dev, int off)
{
	outl(0xcf8, cfg_addr(dev, off));
	return inl(0xcfc);
}

static uint16_t cfg16(int dev, int off)
{
	outl(0xcf8, cfg_addr(dev, off));
	return inw(0xcfc + (off & 2));
}

static uint8_t cfg8(int dev, int off)
{
	outl(0xcf8, cfg_addr(dev, off));
	return inb(0xcfc + (off & 3));
}

static void cfg_w16(int dev, int off, uint16_t v)
{
	outl(0xcf8, cfg_addr(dev, off));
	outw(0xcfc + (off & 2), v);
}

/* The slot of device @vendor:@device on bus 0, or -1. */
static int pci_find(uint16_t vendor, uint16_t device)
{
	int dev;

	for (dev = 0; dev < 32; dev++)
		if (cfg32(dev, 0) == ((uint32_t)device << 16 | vendor))
			return dev;
	return -1;
}

/* The address of memory BAR @bar, below 4 GiB (0 if not). */
static uint32_t bar_mem(int dev, int bar)
{
	uint32_t lo = cfg32(dev, 0x10 + 4 * bar);

	if ((lo & 6) == 4 && cfg32(dev, 0x14 + 4 * bar))
		return 0; /* a 64-bit BAR above 4 GiB: out of reach */
	return lo & ~0xfu;
}

/* Memory and I/O decoding and bus mastering on (the firmware placed BARs). */
static void pci_enable(int dev)
{
	cfg_w16(dev, 4, cfg16(dev, 4) | 7);
}

/* Command line word @key, or key=value's value; NULL if absent. */
static const char *arg(const char *cmdline, const char *key)
{
	const char *p = cmdline, *k;

	while (*p) {
		while (*p == ' ')
			p++;
		for (k = key; *k && *p == *k; k++, p++)
			;
		if (!*k && (*p == ' ' || !*p))
			return p;
		if (!*k && *p == '=')
			return p + 1;
		while (*p && *p != ' ')
			p++;
	}
	return 0;
}

static uint32_t atou(const char *s)
{
	uint32_t v = 0;

	while (s && *s >= '0' && *s <= '9')
		v = v * 10 + (uint32_t)(*s++ - '0');
	return v;
}

#define IVSHMEM_VENDOR 0x1af4
#define IVSHMEM_DEVICE 0x1110

/* The ivshmem device's slot and shared memory, or -1 after saying why. */
static int ivshmem(volatile uint32_t **shm)
{
	int dev = pci_find(IVSHMEM_VENDOR, IVSHMEM_DEVICE);

	if (dev < 0) {
		say("error: no ivshmem device");
		return -1;
	}
	pci_enable(dev);
	*shm = mmio32(bar_mem(dev, 2));
	if (!*shm) {
		say("error: ivshmem BAR2 is above 4 GiB");
		return -1;
	}
	return dev;
}

/*
 * Arm vector 0 of @dev's MSI-X table to raise VECTOR at the local APIC
 * of CPU 0.  Unmasking it is what makes QEMU bind its KVM_IRQFD.
 */
static int msix_arm(int dev)
{
	volatile uint32_t *entry;
	uint32_t table;
	int cap;

	for (cap = cfg8(dev, 0x34); cap && cfg8(dev, cap) != 0x11;
	     cap = cfg8(dev, cap + 1))
		;
	if (!cap) {
		say("error: no MSI-X capability");
		return -1;
	}
	table = cfg32(dev, cap + 4);
	entry = mmio32(bar_mem(dev, table & 7) + (table & ~7u));
	entry[0] = LAPIC; /* destination APIC id 0, fixed delivery */
	entry[1] = 0;
	entry[2] = VECTOR; /* edge, fixed */
	/* MSI-X enable, function unmasked; then the entry unmasked. */
	cfg_w16(dev, cap + 2, (cfg16(dev, cap + 2) | 0x8000) & ~0x4000);
	entry[3] = 0;
	return 0;
}

/*
 * The local APIC on (software enable, spurious vector 0xff), the 8259s
 * masked (the firmware left the timer's IRQ 0 on), IF set.
 */
static void lapic_on(void)
{
	outb(0x21, 0xff);
	outb(0xa1, 0xff);
	*mmio32(LAPIC + 0x80) = 0; /* TPR: take every priority */
	*mmio32(LAPIC + 0xf0) = 0x1ff;
	__asm__ volatile("sti");
}

static void doorbell(void)
{
	volatile uint32_t *shm, *regs;
	uint64_t next = 0;
	uint32_t id, p, rung[SLOTS] = { 0 };
	int dev, got = 0;

	dev = ivshmem(&shm);
	if (dev < 0)
		return;
	regs = mmio32(bar_mem(dev, 0));
	id = regs[2]; /* IVPosition */
	if (id >= SLOTS) {
		say("error: peer id %u beyond %u", id, SLOTS);
		return;
	}
	if (msix_arm(dev))
		return;
	lapic_on();
	shm[id] = READY;
	say("armed as peer %u", id);
	for (;;) {
		int ringing = 0, waiting = 0;

		if (!got && irqs) {
			got = 1;
			shm[SLOTS + id] = GOT;
			say("irq received, vector %u", VECTOR);
		}
		for (p = 0; p < SLOTS; p++) {
			if (p == id || shm[p] != READY)
				continue;
			if (shm[SLOTS + p] == GOT)
				continue;
			waiting = 1;
			if (rdtsc() < next)
				continue;
			regs[3] = p << 16; /* doorbell: peer p, vector 0 */
			ringing = 1;
			if (!rung[p]++)
				say("rang peer %u", p);
		}
		if (ringing)
			next = rdtsc() + (1u << 26);
		if (got && !waiting)
			break;
		relax();
	}
	finish();
}

static void plain(uint32_t id)
{
	volatile uint32_t *shm;
	uint32_t p;

	if (ivshmem(&shm) < 0 || id >= SLOTS)
		return;
	shm[id] = HELLO;
	say("wrote word %u", id);
	for (;;) {
		for (p = 0; p < SLOTS; p++) {
			if (p != id && shm[p] == HELLO) {
				say("read word %u of a peer", p);
				return;
			}
		}
		relax();
	}
}

/* virtio-net, legacy interface (I/O BAR0, no MSI-X enabled). */
#define VIRTIO_NET_DEVICE  0x1000
#define VIO_GUEST_FEATURES 0x04
#define VIO_QUEUE_PFN	   0x08
#define VIO_QUEUE_NUM	   0x0c
#define VIO_QUEUE_SEL	   0x0e
#define VIO_QUEUE_NOTIFY   0x10
#define VIO_STATUS	   0x12
#define VIO_ACK		   1
#define VIO_DRIVER	   2
#define VIO_DRIVER_OK	   4

/*
 * Rings for two queues of up to 1024 entries, 8 pages each (legacy
 * layout: the driver cannot choose the size).  QEMU 7.2 offers 256;
 * trixie's QEMU 10.0.13 offers 1024 for every virtqueue (a stable
 * backport sets each queue to the maximum "for qemu < 11.1").
 */
#define VQ_MAX 1024
static uint8_t rings[2][8 * 4096] __attribute__((aligned(4096)));

/* A legacy virtio_net_hdr (10 bytes, zero) and a 60-byte broadcast frame. */
static uint8_t frame[10 + 60] __attribute__((aligned(16)));

/*
 * Put frame on the transmit queue (1) of NUM entries and notify the
 * device; wait for it in the used ring.  Legacy layout: descriptors (16
 * bytes each), the available ring, the used ring on the next page.
 */
static void net_send(uint16_t io, unsigned int num)
{
	volatile uint32_t *desc = (volatile uint32_t *)rings[1];
	volatile uint16_t *avail = (volatile uint16_t *)(rings[1] + 16 * num);
	unsigned int used_off = (16 * num + 6 + 2 * num + 4095) & ~4095u;
	volatile uint16_t *used = (volatile uint16_t *)(rings[1] + used_off);
	unsigned int i;

	for (i = 0; i < 6; i++)
		frame[10 + i] = 0xff; /* destination: broadcast */
	frame[10 + 6] = 0x52; /* source: 52:54:00:e2:e0:01, locally assigned */
	frame[10 + 7] = 0x54;
	frame[10 + 9] = 0xe2;
	frame[10 + 10] = 0xe0;
	frame[10 + 11] = 0x01;
	frame[10 + 12] = 0x88; /* EtherType 0x88b5: local experimental */
	frame[10 + 13] = 0xb5;
	desc[0] = (uint32_t)(uintptr_t)frame; /* addr, 64 bits */
	desc[1] = 0;
	desc[2] = sizeof(frame); /* len */
	desc[3] = 0; /* flags, next */
	avail[2] = 0; /* ring[0]: descriptor 0 */
	__asm__ volatile("" ::: "memory");
	avail[1] = 1; /* idx */
	outw(io + VIO_QUEUE_NOTIFY, 1);
	while (used[1] == 0)
		relax();
	say("virtio-net sent a frame");
}

static void net(void)
{
	int dev = pci_find(IVSHMEM_VENDOR, VIRTIO_NET_DEVICE);
	unsigned int num = 0;
	uint16_t io;
	int q;

	if (dev < 0) {
		say("error: no virtio-net device");
		return;
	}
	pci_enable(dev);
	io = cfg32(dev, 0x10) & ~3u;
	outb(io + VIO_STATUS, 0);
	outb(io + VIO_STATUS, VIO_ACK | VIO_DRIVER);
	outl(io + VIO_GUEST_FEATURES, 0);
	for (q = 0; q < 2; q++) {
		outw(io + VIO_QUEUE_SEL, q);
		num = inw(io + VIO_QUEUE_NUM);
		if (num > VQ_MAX) {
			say("error: queue %u has %u entries", q, num);
			return;
		}
		outl(io + VIO_QUEUE_PFN, (uint32_t)(uintptr_t)rings[q] >> 12);
	}
	/* QEMU starts vhost-net here, before this write returns. */
	outb(io + VIO_STATUS, VIO_ACK | VIO_DRIVER | VIO_DRIVER_OK);
	say("virtio-net driver ok, status %x", inb(io + VIO_STATUS));
	net_send(io, num);
}

void guest_main(const uint32_t *mbi)
{
	const char *cmdline = "";

	if (mbi[0] & 4) /* MULTIBOOT_INFO_CMDLINE */
		cmdline = (const char *)(uintptr_t)mbi[4];
	idt_load();
	say("booted: %s", cmdline);
	if (arg(cmdline, "doorbell"))
		doorbell();
	else if (arg(cmdline, "plain"))
		plain(atou(arg(cmdline, "id")));
	else if (arg(cmdline, "net"))
		net();
	else
		say("idle: no work on the command line");
	for (;;)
		relax();
}
