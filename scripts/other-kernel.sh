#!/bin/sh
# The kernel tests on another Debian kernel than the default one (make
# vm-check-next: bookworm-backports' 6.12): fetch that kernel's headers,
# build shype.ko for it in build/module-KVER from a copy of the module's
# sources (the default build stays as it is), and run tests/vm/run.sh on
# that kernel with that module; with --e2e, tests/e2e/run.sh (real QEMU
# VMs) instead.
#
# usage: scripts/other-kernel.sh KVER [--e2e] [run.sh options]
set -eu
cd "$(dirname "$0")/.."
kver=${1:?usage: $0 KVER [--e2e] [run.sh options]}
shift
e2e=
[ "${1:-}" != --e2e ] || { e2e=1; shift; }
kdir=$(scripts/kernel.sh --headers "$kver")
out=build/module-$kver
rm -rf "$out"
mkdir -p "$out"
cp -r Makefile Kbuild kmod include "$out/"
echo "other-kernel: building shype.ko for $kver in $out"
make -s -C "$out" module KVER="$kver" KDIR="$kdir" 2>&1 |
	grep -v '^Skipping BTF' || true
[ -f "$out/shype.ko" ] || { echo "other-kernel: no $out/shype.ko" >&2; exit 1; }
export SHYPE_KO="$PWD/$out/shype.ko"
if [ -n "$e2e" ]; then
	SHYPE_E2E_OUT=build/e2e-$kver exec tests/e2e/run.sh --kver "$kver" "$@"
fi
SHYPE_VM_OUT=build/vm-$kver exec tests/vm/run.sh --kver "$kver" "$@"
