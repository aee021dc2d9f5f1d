#!/bin/sh
# Install what building and testing shype needs on Debian 12, with apt-get.
# Idempotent: installs only what is missing.  Not root: says what is missing.
set -eu

KVER=${KVER:-6.1.0-56-amd64}
PKGS="make gcc clang libclang-rt-14-dev clang-format pkg-config
      libjson-c-dev libcmocka-dev libvirt-dev libxml2-dev libaudit-dev binutils
      linux-headers-$KVER linux-source-6.1 xz-utils
      busybox-static qemu-system-x86 qemu-utils seabios ipxe-qemu cpio kmod
      procps debootstrap e2fsprogs"

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
		grep -q '^install ok installed$' || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "shype needs these Debian packages:$missing" >&2
	echo "install them with: sudo apt-get install$missing" >&2
	exit 1
fi
echo "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing >/dev/null
