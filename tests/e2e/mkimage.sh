#!/bin/bash
# Build the e2e part of the test host's initramfs: Debian's
# qemu-system-x86_64 with its libraries and the x86 firmware it loads, and
# the guest it boots (tests/e2e/guest: a bare-metal multiboot ELF).  It is
# appended to tests/vm's initramfs (the
# kernel unpacks concatenated archives in turn), so the test host keeps
# everything tests/vm puts there: KVM modules, shype.ko, shypectl.
#
# The image depends only on this machine's QEMU and firmware and the
# guest's source; it is cached outside the repository under
# ~/.cache/shype/e2e/HASH (HASH of those inputs), so a second run does not
# rebuild it.  Prints the archive's path.
#
# usage: tests/e2e/mkimage.sh
# env:   SHYPE_E2E_CACHE   cache root (default ~/.cache/shype/e2e)
set -eu

cd "$(dirname "$0")/../.."
[ $# -eq 0 ] || { echo "usage: $0" >&2; exit 2; }
qemu=$(command -v qemu-system-x86_64) || {
	echo "mkimage: no qemu-system-x86_64: run scripts/deps.sh" >&2
	exit 1
}
say() { echo "mkimage: $*" >&2; }

# What QEMU loads for `-M pc -nodefaults -kernel`: SeaBIOS, the option
# ROMs of -kernel boots, kvmvapic; iPXE's ROMs in case a NIC is added.
# Other architectures' firmware stays out.
QEMU_SHARE="kvmvapic.bin linuxboot.bin linuxboot_dma.bin multiboot.bin
	    multiboot_dma.bin pvh.bin qboot.rom sgabios.bin"
libs=$(ldd "$qemu" | grep -o '/[^ ]*' | sort -u)
guest_src=(tests/e2e/guest/guest.c tests/e2e/guest/guest.ld)
inputs=("$0" "${guest_src[@]}" "$qemu" $libs)
for f in $QEMU_SHARE; do
	inputs+=("/usr/share/qemu/$f")
done
for f in /usr/share/seabios/* /usr/lib/ipxe/qemu/*; do
	inputs+=("$f")
done

# The key: names, sizes and times of every input, and this script's text.
key=$( (stat -L -c '%n %s %Y' "${inputs[@]}"; cat "$0" "${guest_src[@]}") |
	sha256sum | cut -c1-16)
cache=${SHYPE_E2E_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/shype/e2e}
dir=$cache/$key
img=$dir/e2e.cpio
# One build at a time: a second run waits for the first one's image.
mkdir -p "$cache"
exec 8>"$cache/.lock"
flock 8
if [ -f "$img" ]; then
	echo "$img"
	exit 0
fi

t0=$(date +%s)
say "building the e2e image (QEMU, firmware, guest) in $dir"
mkdir -p "$dir"
tmp=$(mktemp -d "$dir/tmp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
root=$tmp/root
mkdir -p "$root"

# 1. QEMU and its libraries, at the paths the dynamic linker looks in.
say "[1/3] $qemu and $(echo "$libs" | wc -l) libraries"
copy() {
	mkdir -p "$root$(dirname "$2")"
	cp -L --remove-destination "$1" "$root$2"
}
copy "$qemu" /usr/bin/qemu-system-x86_64
for f in $libs; do
	copy "$f" "$f"
done

# 2. Firmware.
say "[2/3] firmware: /usr/share/qemu (x86 only), seabios, ipxe"
for f in $QEMU_SHARE; do
	[ -e "/usr/share/qemu/$f" ] && copy "/usr/share/qemu/$f" "/usr/share/qemu/$f"
done
for f in /usr/share/seabios/* /usr/lib/ipxe/qemu/*; do
	copy "$f" "$f"
done

# 3. The guest: 32-bit, freestanding, linked at 1 MiB for QEMU's
# multiboot loader (gcc's -m32 needs no 32-bit libc with -nostdlib).
say "[3/3] guest: /e2e/guest.elf"
mkdir -p "$root/e2e"
gcc -m32 -march=i686 -ffreestanding -fno-pic -fno-pie -fno-stack-protector \
	-fno-asynchronous-unwind-tables -fno-builtin -nostdlib -O2 \
	-Wall -Wextra -Werror -c -o "$tmp/guest.o" tests/e2e/guest/guest.c
ld -m elf_i386 -T tests/e2e/guest/guest.ld --build-id=none \
	-o "$root/e2e/guest.elf" "$tmp/guest.o"

# Uncompressed: QEMU loads it in a blink and the test host's kernel
# unpacks it faster than it could gunzip it under TCG.
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) \
	>"$tmp/e2e.cpio"
mv "$tmp/e2e.cpio" "$img"
say "$img: $(du -h "$img" | cut -f1) in $(($(date +%s) - t0)) s"
echo "$img"
