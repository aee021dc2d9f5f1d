#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The Chinese Wall with real QEMU VMs, under the sHype paper's Figure 2
# policy: Order and Advertising are competing coalitions (one conflict
# set), so an Advertising VM is refused at KVM_CREATE_VM while an Order VM
# runs, and starts once it has stopped; then an Order VM is refused.  A
# Computing VM, in no conflict set, runs beside either.  The guests boot
# tests/e2e/guest/guest.c with no work ("idle").  In the test host (busybox
# sh), as root; prints TAP lines, then "N passed, N failed".

T=/tmp/e2e-chwall
. /usr/share/shype-e2e/lib.sh

figure2

say "an Order VM and a Computing VM run"
vm order1 order idle
vm comp1 computing idle
booted order1 comp1
result $? order_and_computing_vms_run

say "an Advertising VM while the Order VM runs"
audit_mark
vm ads1 advertising idle
wait_exit "$(pid ads1)" && exit_status ads1
rc=$?
say "QEMU whose KVM_CREATE_VM is refused: exit status $rc, output:"
show "$T/ads1.out"
[ $rc -ne 0 ] && [ ! -s "$T/ads1.console" ]
result $? advertising_vm_refused_while_order_vm_runs ads1
audit_new >"$T/audit.1"
show "$T/audit.1"
grep -q "op=create result=denied vm=[0-9]*(advertising) pid=$(pid ads1) reason=chinese_wall" "$T/audit.1"
result $? audit_says_chinese_wall
grep -q "Permission denied" "$T/ads1.out"
result $? qemu_says_permission_denied ads1

say "the Order VM stops; the Advertising VM starts"
stop order1
audit_mark
vm ads2 advertising idle
booted ads2
result $? advertising_vm_runs_once_order_vm_stopped ads2
alive "$(pid comp1)"
result $? computing_vm_runs_beside_either
[ -z "$(audit_new)" ]
result $? no_denial_for_it

say "now an Order VM is the one refused"
vm order2 order idle
wait_exit "$(pid order2)" && exit_status order2
[ $? -ne 0 ] && [ ! -s "$T/order2.console" ] &&
	audit_new | grep -q "op=create result=denied vm=[0-9]*(order) pid=$(pid order2) reason=chinese_wall"
result $? order_vm_refused_while_advertising_vm_runs order2
shypectl vm list | show

stop ads2
stop comp1
finish
