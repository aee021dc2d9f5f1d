#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# vhost-net with a tap backend, real QEMU VMs, under the sHype paper's
# Figure 2 policy, which labels the bridge br-order "order".  QEMU hands
# vhost-net its tap (VHOST_NET_SET_BACKEND) when the guest's driver sets
# DRIVER_OK; shype.ko decides there on the tap's network, its bridge:
#   1. an Order VM with a tap on br-order: allowed, bound to net br-order;
#   2. a Computing VM with a tap on br-order: denied, the audit names the
#      bridge and its label; what stock QEMU does then is shown;
#   3. a Computing VM with a tap on no bridge: allowed, on its own.
# The guests run tests/e2e/guest/guest.c ("net": legacy virtio-net set up
# by hand).  In the test host (busybox sh), as root; prints TAP lines,
# then "N passed, N failed".

T=/tmp/e2e-vhost-net
. /usr/share/shype-e2e/lib.sh

# net NAME LABEL TAP: a VM with a virtio-net on TAP, vhost on, whose guest
# has set DRIVER_OK (QEMU has then asked vhost-net to take TAP).
net() {
	vm "$1" "$2" net \
		-netdev "tap,id=n0,ifname=$3,script=no,downscript=no,vhost=on" \
		-device virtio-net-pci,netdev=n0,romfile=
	booted "$1" &&
		wait_line "$T/$1.console" "^E2E virtio-net driver ok" "$(pid "$1")"
}

# tap NAME [BRIDGE]: a persistent tap, up, on BRIDGE if given.
tap() {
	tunctl -t "$1" >/dev/null && ip link set "$1" up &&
		{ [ -z "${2:-}" ] || brctl addif "$2" "$1"; }
}

# The network bindings (the eventfd and memory ones are not this test's).
net_bindings() { grep "class=net " "$SFS/bindings" | show; }

figure2
brctl addbr br-order && ip link set br-order up && tap tap-o1 br-order &&
	tap tap-c2 br-order && tap tap-c3
result $? bridge_br_order_and_taps

say "1. an Order VM with a tap on br-order"
audit_mark
net order1 order tap-o1
result $? order_guest_drives_virtio_net order1
o1=$(vm_id "$(pid order1)")
net_bindings
grep -q "class=net name=br-order vms=$o1(order)\$" "$SFS/bindings"
result $? order_vm_bound_to_br_order
[ -z "$(audit_new)" ] && ! grep -q "unable to start vhost net" "$T/order1.out"
result $? no_denial_and_vhost_net_started order1

say "2. a Computing VM with a tap on br-order"
audit_mark
net comp2 computing tap-c2
result $? computing_guest_drives_virtio_net comp2
c2=$(vm_id "$(pid comp2)")
audit_new >"$T/audit.2"
show "$T/audit.2"
grep -Eq "op=net_backend result=denied vm=$c2\(computing\) pid=$(pid comp2) reason=ste class=net label=order name=br-order" "$T/audit.2"
result $? kernel_denies_the_backend_and_audit_names_the_bridge
# Stock QEMU 7.2 then moves the queues to its own user-space virtio-net
# on the same tap: the frames still reach br-order, through QEMU.  That
# path is the VMM's own file, outside KVM and vhost; shypectl domain
# dry-run and the libvirt hook refuse such a domain before it starts.
say "stock QEMU, its vhost-net backend refused, says:"
show "$T/comp2.out"
net_bindings
! grep "class=net " "$SFS/bindings" | grep -q "[=,]$c2(computing)"
result $? computing_vm_bound_to_no_network
grep -q "class=net name=br-order vms=$o1(order)\$" "$SFS/bindings"
result $? br_order_still_bound_to_the_order_vm_alone
stop comp2

say "3. a Computing VM with a tap on no bridge"
audit_mark
net comp3 computing tap-c3
result $? computing_guest_drives_virtio_net_on_its_own_tap comp3
c3=$(vm_id "$(pid comp3)")
net_bindings
grep -q "class=net name=tap-c3 vms=$c3(computing)\$" "$SFS/bindings" &&
	[ -z "$(audit_new)" ] && ! grep -q "unable to start vhost net" "$T/comp3.out"
result $? computing_vm_allowed_on_its_own_tap comp3

stop comp3
stop order1
for t in tap-o1 tap-c2 tap-c3; do
	tunctl -d "$t" >/dev/null
done
ip link set br-order down
brctl delbr br-order
finish
