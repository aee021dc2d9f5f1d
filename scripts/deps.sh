#!/bin/sh
# Install what building and testing shype needs on Debian 12, with apt-get.
# Idempotent: installs only what is missing.  Not root: says what is missing.
# usage: scripts/deps.sh [qemu]
#   qemu: what building QEMU with qemu-patches/ needs (scripts/qemu.sh)
#         instead: quilt, meson, and the libraries of that build
set -eu

KVER=${KVER:-6.1.0-56-amd64}
PKGS="make gcc clang libclang-rt-14-dev clang-format pkg-config
      libjson-c-dev libcmocka-dev libvirt-dev libxml2-dev libaudit-dev binutils
      linux-headers-$KVER linux-source-6.1 xz-utils
      busybox-static qemu-system-x86 qemu-utils seabios ipxe-qemu cpio kmod
      procps debootstrap e2fsprogs attr"
if [ "${1:-}" = qemu ]; then
	# python3-venv: QEMU 10's configure makes a venv (trixie's series).
	PKGS="quilt dpkg-dev gcc make ninja-build meson pkg-config python3
	      python3-venv libglib2.0-dev libpixman-1-dev zlib1g-dev libseccomp-dev libfdt-dev
	      qemu-system-x86"
fi

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
# Debian 12's kernel headers and source of KVER are updated by security
# releases, so the newest ones are in bookworm-security alone.
unknown=""
for p in $missing; do
	apt-cache show "$p" >/dev/null 2>&1 || unknown="$unknown $p"
done
if [ -n "$unknown" ]; then
	echo "deps: apt knows no package$unknown" >&2
	case $unknown in *linux-*)
		echo "deps: Debian 12 has linux-headers-$KVER and linux-source-6.1 in" \
			"its bookworm-security suite: add that suite to your apt sources" \
			"(as Debian's installer does), or set KVER to a kernel whose" \
			"headers your sources offer (apt-cache search linux-headers-6.1)" >&2 ;;
	esac
	exit 1
fi
# Quiet when it works (debconf's notes and all); apt's words when not.
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing >"$log" 2>&1 || {
	cat "$log" >&2
	echo "deps: apt-get install failed" >&2
	exit 1
}
