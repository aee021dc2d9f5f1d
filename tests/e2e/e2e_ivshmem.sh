#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# ivshmem-doorbell between real QEMU VMs in the test host, under the sHype
# paper's Figure 2 policy, through shype-ivshmem-server:
#   1. two Order VMs, checking server: both start, each one's doorbell
#      raises an interrupt in the other;
#   2. an Order and a Computing VM (coalitions that may run together but
#      never share), server with --no-check: shype.ko refuses the Computing
#      QEMU the shared memory, which the Order QEMU made Order's (or the
#      eventfd bind), its audit names both, and no interrupt crosses; what
#      stock QEMU does then is shown;
#   3. the same two through the checking server: it refuses the Computing
#      VMM before handing out any fd, with a log line that names it, and
#      the kernel is not even asked.
# (Order and Advertising are in a Chinese Wall conflict set in Figure 2: an
# Advertising VM cannot run beside an Order VM at all, e2e_chwall.sh.)
#
# The guests (tests/e2e/guest/guest.c, "doorbell") print "E2E ..." lines on
# their serial consoles; every wait here is for such a line, a log line or a
# process, bounded by $E2E_WAIT seconds.  Prints TAP lines, then "N passed,
# N failed".  In the test host (busybox sh), as root.

T=/tmp/e2e-ivshmem
. /usr/share/shype-e2e/lib.sh

# server NAME SHM [OPTIONS]: a server on $T/NAME.sock; its log $T/NAME.log.
server() {
	name=$1
	shm=$2
	shift 2
	rm -f "/dev/shm/$shm" "$T/$name.sock"
	shype-ivshmem-server -S "$T/$name.sock" -m "$shm" -l 1M -n 1 "$@" \
		>"$T/$name.log" 2>&1 &
	pids="$pids $!"
	eval "pid_$name=$!"
	i=0
	while [ ! -S "$T/$name.sock" ] && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	[ -S "$T/$name.sock" ]
}

# doorbell NAME LABEL SERVER: a VM whose ivshmem-doorbell joins SERVER.
doorbell() {
	vm "$1" "$2" doorbell -chardev "socket,path=$T/$3.sock,id=ivs" \
		-device ivshmem-doorbell,chardev=ivs,vectors=1
}

figure2

# --- 1. Two Order VMs -----------------------------------------------------
say "1. two Order VMs through the checking server"
server chk1 e2e-order
result $? checking_server_listens
audit_mark
t0=$(cut -d' ' -f1 /proc/uptime)
doorbell order1 order chk1
doorbell order2 order chk1
booted order1 order2
result $? both_order_vms_boot
for v in order1 order2; do
	wait_line "$T/$v.console" "^E2E armed" "$(pid $v)"
	result $? "${v}_arms_its_doorbell_vector" $v
done
for v in order1 order2; do
	wait_line "$T/$v.console" "^E2E irq received" "$(pid $v)"
	result $? "${v}_gets_the_interrupt_its_peer_rang" $v
done
for v in order1 order2; do
	wait_exit "$(pid $v)" 60 && exit_status $v
	[ $? = 1 ]
	result $? "${v}_powers_off_once_both_got_theirs" $v
done
t1=$(cut -d' ' -f1 /proc/uptime)
say "two Order VMs: $(awk "BEGIN { print $t1 - $t0 }") s from start to both done"
show "$T/chk1.log"
grep -h "^E2E" "$T/order1.console" "$T/order2.console" | show
grep -q "peer 1 joined: pid [0-9]*, label 'order'" "$T/chk1.log"
result $? checking_server_admits_both_order_vmms
[ -z "$(audit_new)" ]
result $? no_denial_between_order_vms
kill "$(pid chk1)"
wait "$(pid chk1)" 2>/dev/null

# --- 2. Order and Computing, no check in the server ------------------------
say "2. an Order and a Computing VM through a server that does not check"
server open2 e2e-open --no-check
result $? unchecked_server_listens
audit_mark
doorbell order3 order open2
booted order3
wait_line "$T/order3.console" "^E2E armed" "$(pid order3)"
result $? order_vm_boots_and_arms_its_doorbell_vector order3
ord=$(vm_id "$(pid order3)")
doorbell comp3 computing open2
# Its ivshmem device binds the Order VM's eventfd as its ioeventfd when
# the firmware maps BAR0: the kernel refuses that.
wait_exit "$(pid comp3)"
result $? computing_qemu_does_not_keep_running comp3
alive "$(pid comp3)" && stop comp3
wait "$(pid comp3)"
rc=$?
say "stock QEMU, its bind refused: exit status $rc, output:"
show "$T/comp3.out"
audit_new >"$T/audit.2"
show "$T/audit.2"
# The server hands out the shared memory first: the Order QEMU that
# received it writable made it Order's (kmod/file.c), so the Computing
# QEMU is refused it when it receives it, before any eventfd bind (which
# tests/vm's bind_eventfd decides).
grep -Eq "op=file result=denied pid=$(pid comp3)\(computing\) file_label=order access=write how=receive reason=ste path=/dev/shm/e2e-open" "$T/audit.2" ||
	grep -Eq "op=(ioeventfd|irqfd) result=denied vm=[0-9]+\(computing\) pid=$(pid comp3) reason=ste peer=$ord\(order\)" "$T/audit.2" ||
	grep -Eq "op=(ioeventfd|irqfd) result=denied vm=$ord\(order\) pid=$(pid order3) reason=ste peer=[0-9]+\(computing\)" "$T/audit.2"
result $? kernel_denies_the_shared_memory_or_eventfd_and_audit_names_both
# The Order guest keeps ringing no one and hears nothing.
sleep 5
! grep -q "^E2E irq received" "$T/order3.console"
result $? no_interrupt_crosses_the_coalitions
alive "$(pid order3)"
result $? order_vm_keeps_running
show "$T/open2.log"
stop order3
kill "$(pid open2)"
wait "$(pid open2)" 2>/dev/null

# --- 3. The same through the checking server ------------------------------
say "3. an Order and a Computing VM through the checking server"
server chk3 e2e-order3
result $? checking_server_listens_again
audit_mark
doorbell order4 order chk3
wait_line "$T/chk3.log" "peer 0 joined" "$(pid order4)"
result $? order_vmm_joins
doorbell comp4 computing chk3
wait_line "$T/chk3.log" "refused peer pid $(pid comp4), label computing:" \
	"$(pid chk3)"
result $? server_refuses_the_computing_vmm_naming_pid_and_label
show "$T/chk3.log"
# The label is the cgroup's, or the VM's once QEMU has made its VM.
grep -Eq "refused peer pid $(pid comp4), label computing: label 'computing' \((/shype.slice/computing|vm=[0-9]+)\) shares no STE type with peer 0 \(pid $(pid order4), label 'order'\)" "$T/chk3.log"
result $? refusal_says_why
# What stock QEMU does then is recorded, not judged (the QEMU patches
# will make it report the refusal).
if wait_exit "$(pid comp4)" 30; then
	wait "$(pid comp4)"
	say "QEMU refused by the server: exit status $?, output:"
else
	say "QEMU refused by the server: still running after 30 s, output:"
fi
show "$T/comp4.out"
grep "^E2E" "$T/comp4.console" 2>/dev/null | show
stop comp4
[ -z "$(audit_new)" ]
result $? kernel_never_asked_when_the_server_refuses

stop order4
kill "$(pid chk3)"
wait "$(pid chk3)" 2>/dev/null

finish
