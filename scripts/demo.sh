#!/bin/sh
# make demo: the coalitions of the sHype paper's Figure 2, decided by
# shype's own kernel code (kmod/core) through shypectl.
set -eu
cd "$(dirname "$0")/.."
ctl=build/shypectl
pol=policies/figure2.json
blob=build/figure2.bin

step() { printf '\n== %s\n' "$*"; }
ask() {
	printf '$ shypectl %s\n' "$*"
	"$ctl" "$@" || true
}

step "The policy: Order and Advertising are competing coalitions"
ask policy check "$pol" && echo "(valid)"
ask policy compile "$pol" -o "$blob"
ask policy show "$blob"

step "Simple Type Enforcement: who may share (eventfds, shared memory)"
ask check share order order --policy "$blob"
ask check share order advertising --policy "$blob"
ask check share vdisk_server order --policy "$blob"
ask check share vdisk_server advertising --policy "$blob"
ask check share computing order --policy "$blob"

step "Resources: the vDisk server's disks"
ask check resource order shm:/dev/shm/vdisk-order --policy "$blob"
ask check resource advertising shm:/dev/shm/vdisk-order --policy "$blob"

step "Chinese Wall: who may run while whom runs"
ask check create order --running order,computing,vdisk_server --policy "$blob"
ask check create advertising --running order --policy "$blob"
ask check create advertising --running computing,vdisk_server --policy "$blob"

step "A policy with mistakes is refused with each one's place"
bad=build/demo-bad.json
sed -e 's/"ste": \["Order"\], "chwall"/"ste": ["Orders"], "chwall"/' \
    -e 's/"vdisk_order" }/"vdisk_ordr" }/' "$pol" >"$bad"
ask policy check "$bad"

[ "${SHYPE_DEMO_VM:-1}" = 1 ] || exit 0
kver=${KVER:-6.1.0-56-amd64}
step "In the kernel: shype.ko in Debian's kernel, under QEMU with KVM inside"
tests/vm/run.sh --kver "$kver" --filter 'vm_figure2.sh' |
	tr -d '\r' | sed -e 's/\x1bc//g' -e 's/\x1b\[[0-9;?]*[A-Za-z]//g' |
	grep -a -v -e SeaBIOS -e 'Booting from' -e 'reboot: Power' -e '^$'

[ "${SHYPE_DEMO_QEMU:-1}" = 1 ] || exit 0
step "Real QEMU VMs in that test host: the Chinese Wall, ivshmem, shared memory, vhost-net"
echo "(QEMU and its firmware are packed once, then cached; the guests are tests/e2e/guest)"
tests/e2e/run.sh --kver "$kver" |
	tr -d '\r' | sed -e 's/\x1bc//g' -e 's/\x1b\[[0-9;?]*[A-Za-z]//g' |
	grep -a -v -e SeaBIOS -e 'Booting from' -e 'reboot: Power' -e '^$'

[ "${SHYPE_DEMO_LIBVIRT:-1}" = 1 ] || exit 0
step "Real VMs: libvirt starts QEMU, shype's hook and kernel decide"
echo "(a Debian image with libvirt is built once, about 2 minutes, then cached)"
tests/e2e-libvirt/run.sh --kver "$kver"
