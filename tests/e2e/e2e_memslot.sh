#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# ivshmem-plain over memory-backend-file,share=on between real QEMU VMs,
# under the sHype paper's Figure 2 policy.  QEMU puts the shared file
# behind a memslot when the firmware enables the device's BAR2; shype.ko
# decides there (KVM_SET_USER_MEMORY_REGION):
#   1. two Order VMs on one file: both run, each reads the word the other
#      wrote, and shype's bindings list the file with both;
#   2. a Computing VM on that file while an Order VM has it: the file
#      became Order's when the first Order VM wrote it, so the Computing
#      QEMU's open of it is refused (kmod/file.c), before any memslot; the
#      audit names both labels and the file, and the Computing guest never
#      writes to it; what stock QEMU does then is shown (the memslot's own
#      decision, for a file a VMM was handed open, is tests/vm's
#      bind_memslot);
#   3. a Computing VM on /dev/shm/vdisk-order, which the policy labels
#      vdisk_order (STE type Order): its open is denied by the file's own
#      label;
#   4. the paper's vDisk server (types Order and Advertising) serves
#      vdisk-order to an Order VM, and then vdisk-ads to an Advertising VM
#      (the Chinese Wall keeps those two from running at once).
# The guests run tests/e2e/guest/guest.c ("plain id=N").  In the test host
# (busybox sh), as root; prints TAP lines, then "N passed, N failed".

T=/tmp/e2e-memslot
. /usr/share/shype-e2e/lib.sh

# plain NAME LABEL ID FILE: a VM with an ivshmem-plain on FILE (1 MiB),
# its guest writing word ID.
plain() {
	vm "$1" "$2" "plain id=$3" \
		-object "memory-backend-file,id=shm,share=on,mem-path=$4,size=1M" \
		-device ivshmem-plain,memdev=shm
}

# share SERVER CLIENT LABEL FILE: a vDisk server VM and a client VM of
# LABEL on FILE read each other's word.
share() {
	plain "$1" vdisk_server 1 "$4"
	plain "$2" "$3" 2 "$4"
	booted "$1" "$2" &&
		wait_line "$T/$2.console" "^E2E read word 1 of a peer" "$(pid "$2")" &&
		wait_line "$T/$1.console" "^E2E read word 2 of a peer" "$(pid "$1")"
}

# word FILE N: 32-bit word N of FILE, in hex.
word() {
	od -A n -t x4 -j $(($2 * 4)) -N 4 "$1" | tr -d ' '
}

figure2
shm=/dev/shm/e2e-plain
rm -f "$shm"

say "1. two Order VMs share $shm"
audit_mark
plain order1 order 1 "$shm"
plain order2 order 2 "$shm"
booted order1 order2
result $? both_order_vms_boot
wait_line "$T/order1.console" "^E2E read word 2 of a peer" "$(pid order1)" &&
	wait_line "$T/order2.console" "^E2E read word 1 of a peer" "$(pid order2)"
result $? each_reads_the_word_the_other_wrote order1
o1=$(vm_id "$(pid order1)")
o2=$(vm_id "$(pid order2)")
show "$SFS/bindings"
grep -q "class=shm path=$shm vms=$o1(order),$o2(order)\$" "$SFS/bindings" ||
	grep -q "class=shm path=$shm vms=$o2(order),$o1(order)\$" "$SFS/bindings"
result $? bindings_list_the_file_with_both_vms
[ -z "$(audit_new)" ]
result $? no_denial_between_order_vms
stop order2

say "2. a Computing VM on the file the Order VM has"
audit_mark
plain comp3 computing 3 "$shm"
wait_exit "$(pid comp3)" && exit_status comp3
rc=$?
say "stock QEMU, its memslot refused: exit status $rc, output:"
show "$T/comp3.out"
[ $rc -ne 0 ]
result $? computing_qemu_does_not_run comp3
audit_new >"$T/audit.2"
show "$T/audit.2"
grep -Eq "op=file result=denied pid=$(pid comp3)\(computing\) file_label=order access=write how=open reason=ste path=$shm" "$T/audit.2"
result $? kernel_denies_the_open_and_audit_names_both_labels_and_the_file
[ "$(word "$shm" 3)" = 00000000 ] && ! grep -q "^E2E wrote" "$T/comp3.console"
result $? computing_guest_never_writes_the_file
alive "$(pid order1)"
result $? order_vm_keeps_running
grep -q "class=shm path=$shm vms=$o1(order)\$" "$SFS/bindings"
result $? file_stays_bound_to_the_order_vm_alone
stop order1

say "3. a Computing VM on /dev/shm/vdisk-order (labelled vdisk_order)"
rm -f /dev/shm/vdisk-order
audit_mark
plain comp4 computing 4 /dev/shm/vdisk-order
wait_exit "$(pid comp4)" && exit_status comp4
[ $? -ne 0 ]
result $? computing_qemu_does_not_run_on_order_vdisk comp4
audit_new >"$T/audit.3"
show "$T/audit.3"
grep -Eq "op=file result=denied pid=$(pid comp4)\(computing\) file_label=vdisk_order access=write how=open reason=ste path=/dev/shm/vdisk-order" "$T/audit.3"
result $? kernel_denies_by_the_file_label
plain order5 order 5 /dev/shm/vdisk-order
booted order5 && wait_line "$T/order5.console" "^E2E wrote word 5" "$(pid order5)"
result $? an_order_vm_may_use_it order5
stop order5

say "4. the vDisk server and its clients of either coalition"
rm -f /dev/shm/vdisk-order /dev/shm/vdisk-ads
audit_mark
share vds1 order6 order /dev/shm/vdisk-order
result $? vdisk_server_and_order_vm_share_vdisk_order vds1
stop order6
share vds2 ads7 advertising /dev/shm/vdisk-ads
result $? vdisk_server_and_advertising_vm_share_vdisk_ads ads7
show "$SFS/bindings"
grep -Eq "class=shm path=/dev/shm/vdisk-ads vms=([0-9]+\(vdisk_server\),[0-9]+\(advertising\)|[0-9]+\(advertising\),[0-9]+\(vdisk_server\))\$" "$SFS/bindings"
result $? bindings_list_vdisk_ads_with_server_and_client
[ -z "$(audit_new)" ]
result $? no_denial_for_the_vdisk_server
stop ads7
stop vds2
stop vds1
rm -f "$shm" /dev/shm/vdisk-order /dev/shm/vdisk-ads

finish
