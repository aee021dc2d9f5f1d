#!/bin/sh
# The kernel tests on another Debian kernel than the default one (make
# vm-check-next: bookworm-backports' 6.12): fetch that kernel's headers,
# build shype.ko for it in build/module-KVER from a copy of the module's
# sources (the default build stays as it is), and run tests/vm/run.sh on
# that kernel with that module.
#
# usage: scripts/other-kernel.sh KVER [run.sh options]
set -eu
cd "$(dirname "$0")/.."
kver=${1:?usage: $0 KVER [run.sh options]}
shift
kdir=$(scripts/kernel.sh --headers "$kver")
out=build/module-$kver
rm -rf "$out"
mkdir -p "$out"
cp -r Makefile Kbuild kmod include "$out/"
echo "other-kernel: building shype.ko for $kver in $out"
make -s -C "$out" module KVER="$kver" KDIR="$kdir" 2>&1 |
	grep -v '^Skipping BTF' || true
[ -f "$out/shype.ko" ] || { echo "other-kernel: no $out/shype.ko" >&2; exit 1; }
SHYPE_KO=$PWD/$out/shype.ko SHYPE_VM_OUT=build/vm-$kver \
	exec tests/vm/run.sh --kver "$kver" "$@"
