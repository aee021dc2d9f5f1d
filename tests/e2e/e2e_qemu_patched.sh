#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# QEMU with qemu-patches/ (make qemu; tests/e2e/run.sh puts it in the test
# host as /usr/bin/qemu-shype when SHYPE_QEMU names it), beside Debian's
# stock QEMU 7.2, under the sHype paper's Figure 2 policy with
# "unlabeled_files": "allow" (so that a VMM may open a shared file that
# another coalition's VMM wrote, and shype decides at the memslot):
#   1. a memory backend refused at the memslot: the patched QEMU stops
#      with exit status 1 and a line naming shype and the reason; stock
#      QEMU aborts (SIGABRT) on the same refusal;
#   2. query-shype over QMP: the VM's label, the policy, the mode and this
#      VM's bindings, as shype's securityfs files give them;
#   3. a vhost-net backend refused: the patched QEMU fails that NIC with a
#      message and the QMP event SHYPE_DENIED, and the guest's frame never
#      reaches the tap; stock QEMU falls back on its user-space virtio-net
#      and sends the frame to the tap all the same;
#   4. ivshmem-doorbell between an Order and a Computing VM through a
#      server that does not check: the eventfd binds that shype refuses
#      are reported (a line and SHYPE_DENIED each), and so is the shared
#      memory (the doorbell's BAR2: the same two VMs may not share it
#      either), which the Computing VM then has as its own zeroed memory;
#      both VMs run on, and neither memory nor an interrupt crosses.
#      Stock QEMU aborts on the first refusal;
#   5. -sandbox on: the patched QEMU denies itself ptrace,
#      process_vm_readv/writev, pidfd_open/getfd, kcmp and perf_event_open
#      of another pid (EPERM; a probe preloaded into QEMU makes the calls),
#      by default since shype is loaded, not with processaccess=allow;
#      stock QEMU's sandbox lets them through.  The Order VMs of steps 1
#      and 3 run under that sandbox;
#   6. vhost-vsock with guest CID 3, which the policy here labels "order":
#      an Order VM runs with it; a Computing VM's QEMU stops at start-up
#      with status 1 and shype's reason (stock QEMU: status 1, "unable to
#      set guest cid: Permission denied").
# Skipped when the test host has no patched QEMU.  In the test host
# (busybox sh), as root; prints TAP lines, then "N passed, N failed".

T=/tmp/e2e-qemu-patched
. /usr/share/shype-e2e/lib.sh

PATCHED=/usr/bin/qemu-shype
STOCK=qemu-system-x86_64
if [ ! -x "$PATCHED" ]; then
	say "SKIP: no patched QEMU here (run tests/e2e/run.sh with SHYPE_QEMU)"
	echo "0 passed, 0 failed, 1 skipped"
	exit 0
fi

# qmp NAME: options for a QMP monitor of VM NAME on two FIFOs (QEMU's pipe
# chardev); what QEMU says is collected in $T/NAME.qmp.
qmp() {
	rm -f "$T/$1.qmp.in" "$T/$1.qmp.out" "$T/$1.qmp"
	mkfifo "$T/$1.qmp.in" "$T/$1.qmp.out"
	cat "$T/$1.qmp.out" >"$T/$1.qmp" &
	pids="$pids $!"
	echo "-chardev pipe,id=qmp,path=$T/$1.qmp -mon chardev=qmp,mode=control"
}

# qmp_cmd NAME JSON: send a command to VM NAME's monitor.
qmp_cmd() {
	echo "$2" >"$T/$1.qmp.in"
}

# plain NAME LABEL ID FILE [OPTIONS...]: a VM with an ivshmem-plain on FILE
# (1 MiB) and a QMP monitor.
plain() {
	_n=$1
	_l=$2
	_id=$3
	_f=$4
	shift 4
	# shellcheck disable=SC2046
	vm "$_n" "$_l" "plain id=$_id" $(qmp "$_n") \
		-object "memory-backend-file,id=shm,share=on,mem-path=$_f,size=1M" \
		-device ivshmem-plain,memdev=shm "$@"
}

# net NAME LABEL TAP [OPTIONS...]: a VM with a virtio-net on TAP, vhost on,
# and a QMP monitor in command mode before the guest runs its code (events
# before that are not sent), whose guest has set DRIVER_OK.
net() {
	_n=$1
	_l=$2
	_t=$3
	shift 3
	# shellcheck disable=SC2046
	vm "$_n" "$_l" net $(qmp "$_n") \
		-netdev "tap,id=n0,ifname=$_t,script=no,downscript=no,vhost=on" \
		-device virtio-net-pci,netdev=n0,romfile= "$@"
	qmp_cmd "$_n" '{"execute":"qmp_capabilities"}'
	booted "$_n" &&
		wait_line "$T/$_n.console" "^E2E virtio-net driver ok" "$(pid "$_n")"
}

# probed NAME QEMU [SANDBOX]: an idle VM of QEMU, with -sandbox SANDBOX if
# given, and the sandbox probe preloaded; its findings in $T/NAME.probe.
probed() {
	rm -f "$T/$1.probe"
	export LD_PRELOAD=/usr/lib/shype-e2e/sandbox-probe.so
	export SHYPE_E2E_PROBE="$T/$1.probe"
	QEMU=$2 vm "$1" computing idle ${3:+-sandbox "$3"}
	unset LD_PRELOAD SHYPE_E2E_PROBE
	wait_line "$T/$1.probe" "^done" "$(pid "$1")" 30
}

# The system calls to other processes that the probe makes.
PROCESS_CALLS="ptrace process_vm_readv process_vm_writev pidfd_open pidfd_getfd kcmp perf_event_open"

# denied NAME: each of them failed with EPERM in VM NAME's QEMU.
denied() {
	for _c in $PROCESS_CALLS; do
		grep -q "^$_c EPERM\$" "$T/$1.probe" || return 1
	done
}

# passed NAME: none of them failed with EPERM in VM NAME's QEMU (they fail
# on the pid that does not exist).
passed() {
	for _c in $PROCESS_CALLS; do
		grep -Eq "^$_c (ESRCH|EBADF)\$" "$T/$1.probe" || return 1
	done
}

# server NAME SHM: shype-ivshmem-server on $T/NAME.sock, without its label
# check (the kernel decides alone); its log $T/NAME.log.
server() {
	rm -f "/dev/shm/$2" "$T/$1.sock"
	shype-ivshmem-server -S "$T/$1.sock" -m "$2" -l 1M -n 1 --no-check \
		>"$T/$1.log" 2>&1 &
	pids="$pids $!"
	eval "pid_$1=$!"
	_i=0
	while [ ! -S "$T/$1.sock" ] && [ $_i -lt 100 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	[ -S "$T/$1.sock" ]
}

# doorbell NAME LABEL SERVER: a VM whose ivshmem-doorbell joins SERVER,
# with a QMP monitor in command mode.
doorbell() {
	# shellcheck disable=SC2046
	vm "$1" "$2" doorbell $(qmp "$1") \
		-chardev "socket,path=$T/$3.sock,id=ivs" \
		-device ivshmem-doorbell,chardev=ivs,vectors=1
	qmp_cmd "$1" '{"execute":"qmp_capabilities"}'
}

# tap NAME BRIDGE: a persistent tap, up, on BRIDGE.
tap() {
	tunctl -t "$1" >/dev/null && ip link set "$1" up && brctl addif "$2" "$1"
}

# Frames QEMU or vhost-net wrote to tap NAME (the tap receives them).
tap_frames() { cat "/sys/class/net/$1/statistics/rx_packets"; }

# clean_refusal NAME STATUS: VM NAME's QEMU stopped with status 1 and a
# line naming shype and the reason, without an abort.
clean_refusal() {
	[ "$2" = 1 ] &&
		grep -Eq "shype refused memslot of memory 'shm' on $shm: reason=ste peer=[0-9]+\(order\)" "$T/$1.out" &&
		! grep -q "abort\|Aborted\|error registering slot" "$T/$1.out"
}

# Figure 2, under another name, with unlabelled files left unlabelled and
# vsock CID 3 labelled order.
sed -e 's/"name": "figure2"/"name": "figure2-files-allow"/' \
	-e 's/"unlabeled": "deny"/"unlabeled_files": "allow", "unlabeled": "deny"/' \
	-e 's/"net:br-order": "order",/"net:br-order": "order", "vsock:3": "order",/' \
	/policies/figure2.json >"$T/policy.json" &&
	shypectl load "$T/policy.json" force >"$T/load" 2>&1 &&
	shypectl status | grep -q 'policy figure2-files-allow '
result $? figure2_with_unlabelled_files_allowed_active
shm=/dev/shm/e2e-qplain
rm -f "$shm"

say "1. a Computing VM on the file an Order VM has"
QEMU=$PATCHED plain order1 order 1 "$shm" -sandbox on
booted order1 && wait_line "$T/order1.console" "^E2E wrote word 1" "$(pid order1)"
result $? patched_qemu_runs_an_order_vm_under_its_sandbox order1
o1=$(vm_id "$(pid order1)")
QEMU=$PATCHED plain comp2 computing 2 "$shm"
wait_exit "$(pid comp2)" && exit_status comp2
rc=$?
say "patched QEMU, its memslot refused: exit status $rc, output:"
show "$T/comp2.out"
clean_refusal comp2 $rc
result $? patched_qemu_exits_1_naming_shype_and_the_reason comp2
QEMU=$STOCK plain comp3 computing 3 "$shm"
wait_exit "$(pid comp3)" && exit_status comp3
rc=$?
say "stock QEMU, the same refusal: exit status $rc, output:"
show "$T/comp3.out"
[ $rc = 134 ] && grep -q "error registering slot: Permission denied" "$T/comp3.out" &&
	! clean_refusal comp3 $rc
result $? stock_qemu_aborts_on_the_same_refusal comp3
alive "$(pid order1)"
result $? order_vm_keeps_running order1

say "2. query-shype of the Order VM"
qmp_cmd order1 '{"execute":"qmp_capabilities"}'
qmp_cmd order1 '{"execute":"query-shype"}'
wait_line "$T/order1.qmp" '"return": {.*"label"' "$(pid order1)" 30
result $? query_shype_answers order1
show "$T/order1.qmp"
digest=$(sed -n 's/.* digest=\([0-9a-f]*\) .*/\1/p' "$SFS/status")
grep '"return": {.*"label"' "$T/order1.qmp" >"$T/query"
grep -q "\"vm\": ${o1}[,}]" "$T/query" && grep -q '"label": "order"' "$T/query" &&
	grep -q '"policy": "figure2-files-allow"' "$T/query" &&
	grep -q "\"digest\": \"$digest\"" "$T/query" &&
	grep -q '"mode": "enforce"' "$T/query"
result $? query_shype_gives_label_policy_digest_and_mode
# One binding a line (QMP orders an object's members as it likes).
tr '{' '\n' <"$T/query" | grep '"class": "shm"' | grep "\"name\": \"$shm\"" |
	grep "\"vms\": \[$o1\]" | grep -q '"labels": \["order"\]'
result $? query_shype_gives_the_vm_bindings
stop order1
rm -f "$shm"

say "3. vhost-net: an Order VM and Computing VMs with taps on br-order"
brctl addbr br-order && ip link set br-order up && tap tap-o4 br-order &&
	tap tap-c5 br-order && tap tap-c6 br-order
result $? bridge_br_order_and_taps
QEMU=$PATCHED net order4 order tap-o4 -sandbox on &&
	wait_line "$T/order4.console" "^E2E virtio-net sent a frame" "$(pid order4)" 30
result $? patched_qemu_order_vm_sends_through_vhost_net order4
[ "$(tap_frames tap-o4)" -ge 1 ] && ! grep -q "shype refused" "$T/order4.out"
result $? the_frame_reaches_the_order_tap order4

QEMU=$PATCHED net comp5 computing tap-c5
result $? patched_qemu_computing_guest_sets_driver_ok comp5
wait_line "$T/comp5.qmp" '"event": "SHYPE_DENIED"' "$(pid comp5)" 30
sleep 5
say "patched QEMU, its vhost-net backend refused, says:"
show "$T/comp5.out"
grep -q "shype refused net_backend of .*tap-c5.*: reason=ste .*label=order name=br-order" "$T/comp5.out" &&
	! grep -q "falling back on userspace virtio" "$T/comp5.out"
result $? patched_qemu_fails_the_nic_naming_shype comp5
[ "$(tap_frames tap-c5)" = 0 ] &&
	! grep -q "^E2E virtio-net sent a frame" "$T/comp5.console"
result $? no_frame_reaches_the_tap_through_user_space comp5
show "$T/comp5.qmp"
grep '"event": "SHYPE_DENIED"' "$T/comp5.qmp" | grep '"op": "net_backend"' |
	grep '"object": "[^"]*tap-c5' | grep '"peer-label": "order"' |
	grep -q '"reason": "ste"'
result $? qmp_event_shype_denied comp5
alive "$(pid comp5)"
result $? computing_vm_keeps_running_without_the_nic comp5
stop comp5

QEMU=$STOCK net comp6 computing tap-c6 &&
	wait_line "$T/comp6.console" "^E2E virtio-net sent a frame" "$(pid comp6)" 30
say "stock QEMU, the same refusal, says:"
show "$T/comp6.out"
grep -q "falling back on userspace virtio" "$T/comp6.out" &&
	[ "$(tap_frames tap-c6)" -ge 1 ]
result $? stock_qemu_sends_the_frame_through_user_space comp6
stop comp6
stop order4
for t in tap-o4 tap-c5 tap-c6; do
	tunctl -d "$t" >/dev/null
done
ip link set br-order down
brctl delbr br-order

say "4. ivshmem-doorbell: an Order and a Computing VM, server without check"
server open4 e2e-qopen
result $? unchecked_server_listens
QEMU=$PATCHED doorbell order7 order open4
booted order7 && wait_line "$T/order7.console" "^E2E armed" "$(pid order7)"
result $? order_vm_arms_its_doorbell_vector order7
# Its firmware maps the doorbell (BAR0: KVM_IOEVENTFD on the Order VM's
# eventfds, refused) and the shared memory (BAR2: its memslot, refused).
QEMU=$PATCHED doorbell comp8 computing open4
wait_line "$T/comp8.console" "^E2E armed" "$(pid comp8)"
armed=$?
say "patched QEMU, its eventfd binds and memory refused: output:"
show "$T/comp8.out"
grep -Eq "shype refused ioeventfd of ioeventfd at 0x[0-9a-f]+ \(eventfd [0-9]+\): reason=ste peer=[0-9]+\(order\) class=eventfd" "$T/comp8.out"
result $? patched_qemu_reports_the_refused_eventfd_bind comp8
# The memory: reported, then the guest's own zeroed memory in its place.
[ $armed = 0 ] && alive "$(pid comp8)" &&
	grep -q "shype refused memslot of memory 'ivshmem.bar2' on /dev/shm/e2e-qopen: reason=ste peer=[0-9]*(order)" "$T/comp8.out" &&
	grep -q "memory 'ivshmem.bar2' on /dev/shm/e2e-qopen is this VM's own, zeroed memory from now on" "$T/comp8.out" &&
	! grep -q "error adding ioeventfd\|Assertion\|Aborted" "$T/comp8.out"
result $? patched_qemu_runs_on_without_the_refused_memory comp8
show "$T/comp8.qmp"
grep '"event": "SHYPE_DENIED"' "$T/comp8.qmp" | grep '"reason": "ste"' |
	grep '"peer-label": "order"' | grep -q '"op": "ioeventfd"'
result $? qmp_event_shype_denied_for_the_eventfd comp8
grep '"event": "SHYPE_DENIED"' "$T/comp8.qmp" | grep '"reason": "ste"' |
	grep -q '"op": "memslot"'
result $? qmp_event_shype_denied_for_the_memory comp8
# Each guest says "ready" in the memory it has; sharing it, each would
# see the other's word and ring it at once.
! wait_line "$T/comp8.console" "^E2E rang peer" "$(pid comp8)" 10 &&
	! grep -q "^E2E rang peer\|^E2E irq received" "$T/order7.console" &&
	alive "$(pid order7)" && alive "$(pid comp8)"
result $? both_run_on_and_neither_memory_nor_interrupt_crosses order7
stop comp8
QEMU=$STOCK doorbell comp9 computing open4
wait_exit "$(pid comp9)" 120 && exit_status comp9
rc=$?
say "stock QEMU, the same refusal: exit status $rc, output:"
show "$T/comp9.out"
[ $rc = 134 ]
result $? stock_qemu_aborts_on_the_refused_ioeventfd comp9
stop comp9
stop order7
kill "$(pid open4)"
wait "$(pid open4)" 2>/dev/null
rm -f /dev/shm/e2e-qopen

say "5. -sandbox on: system calls to other processes"
probed sbx10 "$PATCHED" on
show "$T/sbx10.probe"
grep -q "^sandboxed yes" "$T/sbx10.probe" && denied sbx10
result $? patched_sandbox_denies_them_by_default_under_shype sbx10
stop sbx10
probed sbx11 "$PATCHED" on,processaccess=allow
show "$T/sbx11.probe"
grep -q "^sandboxed yes" "$T/sbx11.probe" && passed sbx11
result $? patched_sandbox_processaccess_allow_keeps_them sbx11
stop sbx11
probed sbx12 "$STOCK" on
say "stock QEMU, -sandbox on:"
show "$T/sbx12.probe"
grep -q "^sandboxed yes" "$T/sbx12.probe" && passed sbx12 && ! denied sbx12
result $? stock_sandbox_lets_them_through sbx12
stop sbx12
probed sbx13 "$PATCHED"
grep -q "^sandboxed no" "$T/sbx13.probe" && passed sbx13
result $? no_sandbox_no_filter sbx13
stop sbx13

say "6. vhost-vsock, guest CID 3 (labelled order)"
QEMU=$PATCHED vm order14 order idle -device vhost-vsock-pci,guest-cid=3
booted order14
result $? patched_qemu_order_vm_runs_with_cid_3 order14
grep -q "class=vsock name=3 vms=$(vm_id "$(pid order14)")(order)\$" "$SFS/bindings"
result $? cid_3_bound_to_the_order_vm order14
stop order14
# shellcheck disable=SC2046
QEMU=$PATCHED vm comp15 computing idle $(qmp comp15) \
	-device vhost-vsock-pci,guest-cid=3
qmp_cmd comp15 '{"execute":"qmp_capabilities"}'
wait_exit "$(pid comp15)" 120 && exit_status comp15
rc=$?
say "patched QEMU, its guest CID refused: exit status $rc, output:"
show "$T/comp15.out"
[ $rc = 1 ] &&
	grep -q "shype refused vsock_cid of vsock guest CID 3: reason=ste class=vsock label=order name=3" "$T/comp15.out"
result $? patched_qemu_names_shype_and_the_reason comp15
QEMU=$STOCK vm comp16 computing idle -device vhost-vsock-pci,guest-cid=3
wait_exit "$(pid comp16)" 120 && exit_status comp16
rc=$?
say "stock QEMU, the same refusal: exit status $rc, output:"
show "$T/comp16.out"
[ $rc = 1 ] && grep -q "unable to set guest cid: Permission denied" "$T/comp16.out"
result $? stock_qemu_fails_the_device_too comp16
figure2

finish
