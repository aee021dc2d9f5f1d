#!/bin/bash
# The e2e tests: real QEMU VMs in the test host (tests/vm/run.sh's, with
# the archive of mkimage.sh appended: QEMU, firmware, the guest), and
# this tree's shype.ko, shypectl and shype-ivshmem-server.  Runs the
# tests/e2e/e2e_*.sh scripts there and judges them as run.sh does.
#
# usage: tests/e2e/run.sh [--kver KVER] [--filter GLOB] [--shell]
#   --filter  which e2e_*.sh scripts (default e2e_*)
#   --shell   a shell in that test host instead (Ctrl-A x quits)
# env: SHYPE_E2E_WAIT    seconds a test waits for one step (default 300)
#      SHYPE_QEMU        a QEMU built with qemu-patches/ (make qemu prints
#                        its path), put in the test host as
#                        /usr/bin/qemu-shype for e2e_qemu_patched.sh;
#                        without it that test is skipped
#      SHYPE_VM_TIMEOUT  seconds for the whole run (default 1200)
#      SHYPE_E2E_OUT     where the output goes (default build/e2e)
#      and tests/vm/run.sh's (SHYPE_ACCEL among them: the nested guests
#      run under KVM in the test host either way; SHYPE_KO for another
#      kernel's module: scripts/other-kernel.sh KVER --e2e sets it).
set -eu

cd "$(dirname "$0")/../.."
kver=6.1.0-56-amd64
filter='e2e_*'
shell=
while [ $# -gt 0 ]; do
	case $1 in
	--kver) kver=$2; shift 2 ;;
	--filter) filter=$2; shift 2 ;;
	--shell) shell=--shell; shift ;;
	*) sed -n '2,/^set -eu/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2 ;;
	esac
done

out=${SHYPE_E2E_OUT:-build/e2e}
mkdir -p "$out"
image=$(tests/e2e/mkimage.sh)

# This tree's pieces, rebuilt every run (small): the e2e scripts and the
# ivshmem server with its libraries.
root=$out/root
rm -rf "$root"
mkdir -p "$root/tests" "$root/usr/bin"
server=build/shype-ivshmem-server
[ -x "$server" ] || { echo "e2e: no $server: run make user" >&2; exit 1; }
cp "$server" "$root/usr/bin/"
for f in $(ldd "$server" | grep -o '/[^ ]*'); do
	mkdir -p "$root$(dirname "$f")"
	cp -L "$f" "$root$f"
done
# The patched QEMU, beside Debian's, and the libraries it adds; the probe
# of its sandbox (tests/e2e/probe).
if [ -n "${SHYPE_QEMU:-}" ]; then
	[ -x "$SHYPE_QEMU" ] || { echo "e2e: no QEMU at $SHYPE_QEMU" >&2; exit 1; }
	cp "$SHYPE_QEMU" "$root/usr/bin/qemu-shype"
	for f in $(ldd "$SHYPE_QEMU" | grep -o '/[^ ]*'); do
		mkdir -p "$root$(dirname "$f")"
		cp -L "$f" "$root$f"
	done
	mkdir -p "$root/usr/lib/shype-e2e"
	gcc -shared -fPIC -O2 -Wall -Wextra -Werror -D_GNU_SOURCE \
		-o "$root/usr/lib/shype-e2e/sandbox-probe.so" \
		tests/e2e/probe/sandbox_probe.c -lpthread
fi
install -m 755 tests/e2e/e2e_*.sh "$root/tests/"
install -D -m 644 tests/e2e/lib.sh "$root/usr/share/shype-e2e/lib.sh"
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) \
	>"$out/project.cpio"

export SHYPE_VM_OUT=$out
export SHYPE_VM_INITRD_APPEND="$image $out/project.cpio"
export SHYPE_VM_TIMEOUT=${SHYPE_VM_TIMEOUT:-1200}
export SHYPE_VM_MEM=${SHYPE_VM_MEM:-2048}
# The kernel passes unknown name=value parameters to init as environment.
export SHYPE_VM_APPEND="${SHYPE_VM_APPEND:-} E2E_WAIT=${SHYPE_E2E_WAIT:-300} SHYPE_BIN_TIMEOUT=1200"
if [ -n "$shell" ]; then
	exec tests/vm/run.sh --kver "$kver" --shell
fi
exec tests/vm/run.sh --kver "$kver" --filter "$filter"
