#!/bin/bash
# Build the libvirt test host's root file system: a debootstrapped Debian
# bookworm with systemd, libvirt and QEMU, plus the kernel modules of KVER,
# as a raw ext4 image.  Prints the image's path.  The image is cached
# outside the repository, keyed by a hash of its inputs (this script, the
# package list, the kernel package), so a second run is instant.  shype
# itself is not in it: run.sh adds `make install`'s output at each boot.
#
# usage: tests/e2e-libvirt/mkimage.sh [--kver KVER]
# env: SHYPE_E2E_CACHE   cache root (default ~/.cache/shype)
# Needs root (debootstrap, chroot), debootstrap and e2fsprogs.
set -eu

cd "$(dirname "$0")/../.."
kver=6.1.0-56-amd64
[ "${1:-}" = --kver ] && kver=$2

PKGS=systemd,systemd-sysv,libpam-systemd,dbus,libvirt-daemon-system,\
libvirt-daemon-driver-qemu,libvirt-clients,qemu-system-x86,seabios,\
ipxe-qemu,kmod,udev,iproute2,procps,libjson-c5,libxml2,auditd
# Units that would only slow a test host's boot or shutdown.
MASK="libvirt-guests.service serial-getty@ttyS0.service getty@tty1.service
      apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer
      fstrim.timer man-db.timer systemd-timesyncd.service
      dpkg-db-backup.timer"

kdir=$(scripts/kernel.sh "$kver")
cache=${SHYPE_E2E_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/shype}
key=$( (cat "$0"; echo "$PKGS $MASK $kver"; cat "$kdir/.done") |
	sha256sum | cut -c1-16)
img=$cache/e2e-libvirt-$key.img
# One build at a time: a second run waits for the first one's image.
mkdir -p "$cache"
exec 8>"$cache/.lock-e2e-libvirt"
flock 8
if [ -f "$img" ]; then
	echo "$img"
	exit 0
fi
[ "$(id -u)" -eq 0 ] || { echo "mkimage: debootstrap needs root" >&2; exit 1; }
for t in debootstrap mke2fs; do
	command -v "$t" >/dev/null || { echo "mkimage: no $t (scripts/deps.sh)" >&2; exit 1; }
done

mirror=$(scripts/mirror.sh)

mkdir -p "$cache"
dir=$(mktemp -d "$cache/e2e-libvirt-build.XXXXXX")
cleanup() {
	for m in proc sys dev/pts dev; do
		mountpoint -q "$dir/$m" 2>/dev/null && umount -l "$dir/$m"
	done
	rm -rf "$dir"
}
trap cleanup EXIT
t0=$(date +%s)
echo "mkimage: debootstrap bookworm (about a minute and a half; log in $dir.log)" >&2
# Progress: one line per package stage debootstrap reports.
debootstrap --variant=minbase --include="$PKGS" bookworm "$dir/root" "$mirror" \
	2>&1 | tee "$dir.log" | grep --line-buffered -E '^I: (Retrieving|Extracting|Installing|Configuring|Base system)' |
	awk '{ n++; if (n % 40 == 1 || /Base system/) { print "mkimage:   " $0; fflush() } }' >&2
[ "${PIPESTATUS[0]}" -eq 0 ] || { echo "mkimage: debootstrap failed, see $dir.log" >&2; exit 1; }
rm -f "$dir.log"
r=$dir/root
echo "mkimage: debootstrap done in $(($(date +%s) - t0)) s; configuring" >&2

# Kernel modules of the test host's kernel.
mkdir -p "$r/lib/modules"
cp -a "$kdir/lib/modules/$kver" "$r/lib/modules/"
depmod -b "$r" "$kver"
cp "$kdir/boot/vmlinuz-$kver" "$r/boot/"

echo shype-e2e >"$r/etc/hostname"
: >"$r/etc/fstab"
for u in $MASK; do
	ln -sf /dev/null "$r/etc/systemd/system/$u"
done
# Fast, quiet boot: no waiting for a network, no first-boot questions.
ln -sf /dev/null "$r/etc/systemd/system/systemd-networkd-wait-online.service"
rm -rf "$r/var/cache/apt/archives"/*.deb "$r/var/lib/apt/lists"/*_Packages

echo "mkimage: mke2fs" >&2
# stdout is this script's answer, the image's path: mke2fs's own
# messages ("Creating regular file ...") go to stderr.
mke2fs -q -t ext4 -L shype-e2e -d "$r" -F "$dir/img" 1536M >&2
mv "$dir/img" "$img"
echo "mkimage: $img built in $(($(date +%s) - t0)) s" >&2
echo "$img"
