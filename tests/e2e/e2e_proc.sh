#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Process channels between real QEMUs, under the Figure 2 policy: every
# QEMU runs as one unprivileged uid, as libvirt runs them, so the kernel's
# own uid checks let each reach every other.  A process of that uid in
# another coalition's cgroup stands for a QEMU its guest took over; it
# tries every channel the ptrace access check guards (shype-reach try:
# PTRACE_ATTACH and SEIZE with PEEKDATA, process_vm_readv, /proc/PID/mem,
# pidfd_getfd and a reopen of /proc/PID/fd/N of the guest-RAM memfd) on an
# Order QEMU whose guest RAM holds a secret (its command line).  Across
# coalitions each is refused and audited, within what the policy allows
# each gives the secret, and in permissive mode each works again: what
# the test would see without shype.  Order and Advertising are one Chinese
# Wall conflict set and never run at once, so the other coalition's QEMU is
# a Computing one; the Advertising process holds no VM, only its label.
# In the test host (busybox sh), as root; prints TAP lines, then
# "N passed, N failed".

T=/tmp/e2e-proc
. /usr/share/shype-e2e/lib.sh

VMM_UID=1000
CHANNELS="readv mem attach seize getfd reopen"
# Guest RAM as a memfd (as libvirt's memfd backing): a mapping in
# /proc/PID/maps and an fd to take.
RAM="-object memory-backend-memfd,id=ram,size=32M -machine memory-backend=ram"
SECRET=order1-secret-7d3e

figure2
chmod 666 /dev/kvm
chmod 1777 "$T"
yama=/proc/sys/kernel/yama/ptrace_scope
[ ! -r $yama ] || say "Yama ptrace_scope: $(cat $yama)"

# shellcheck disable=SC2086
{
	vm order1 order "idle secret=$SECRET" $RAM
	vm comp1 computing idle $RAM
	vm srv1 vdisk_server idle $RAM
}
booted order1 comp1 srv1
result $? three_qemus_run order1
ok=0
for v in order1 comp1 srv1; do
	grep -q "^Uid:[[:space:]]*${VMM_UID}[[:space:]]" "/proc/$(pid "$v")/status" ||
		ok=1
done
result $ok qemus_run_as_one_unprivileged_uid

# Where order1's guest RAM is mapped, and its fd.
p=$(pid order1)
ram=memfd:memory-backend-memfd
addr=0x$(sed -n "s/^\([0-9a-f]*\)-.* 00000000 .*$ram.*/\1/p" \
	"/proc/$p/maps" | head -n 1)
fd=
for f in /proc/"$p"/fd/*; do
	case $(readlink "$f") in *$ram*) fd=${f##*/} ;; esac
done
say "order1: pid $p, guest RAM at $addr, fd $fd"
[ "$addr" != 0x ] && [ -n "$fd" ]
result $? order1_guest_ram_found
[ "$addr" != 0x ] || grep memfd "/proc/$p/maps" | show

# reach NAME LABEL [UID]: a process in LABEL's cgroup ("-": none), as UID
# (default $VMM_UID; "root": root), tries every channel into order1; its
# output is $T/NAME.try.
reach() {
	_u="-u $VMM_UID"
	[ "${3:-}" != root ] || _u=
	# shellcheck disable=SC2086
	if [ "$2" = - ]; then
		shype-reach $_u try "$p" "$addr" 0x200000 "$fd" $SECRET
	else
		shypectl run --label "$2" -- \
			shype-reach $_u try "$p" "$addr" 0x200000 "$fd" $SECRET
	fi >"$T/$1.try" 2>&1
	show "$T/$1.try"
}

# refused NAME: each channel of NAME's try failed with EPERM or EACCES.
refused() {
	for _c in $CHANNELS; do
		grep -Eq "^$_c errno (1|13) " "$T/$1.try" || return 1
	done
}

# reached NAME: each channel of NAME's try gave the secret.
reached() {
	for _c in $CHANNELS; do
		grep -q "^$_c ok found $SECRET" "$T/$1.try" || return 1
	done
}

# order1 still runs, and is not left stopped by a ptrace attach.
running() {
	alive "$p" && ! grep -q '^State:[[:space:]]*T' "/proc/$p/status"
}

say "an Advertising process of the same uid reaches into the Order QEMU"
audit_mark
reach ads advertising
refused ads
result $? advertising_refused_every_channel
audit_new >"$T/audit.ads"
show "$T/audit.ads"
grep -q "op=ptrace result=denied tracer=[0-9]*(advertising) target=$p(order) mode=attach reason=ste" \
	"$T/audit.ads"
result $? audit_names_both_labels
running
result $? order_qemu_still_runs order1

say "a process in the running Computing QEMU's cgroup"
reach comp computing
refused comp
result $? computing_refused_every_channel

say "a process of the same uid in no labelled cgroup"
audit_mark
reach nolabel -
refused nolabel && audit_new |
	grep -q "op=ptrace result=denied tracer=[0-9]*(-) target=$p(order) mode=attach reason=unlabelled_tracer"
result $? unlabelled_process_of_the_uid_refused

say "a vDisk server process (types Order and Advertising), beside its QEMU"
audit_mark
reach srv vdisk_server
reached srv && [ -z "$(audit_new)" ]
result $? shared_type_reaches_every_channel
running
result $? order_qemu_still_runs_after_attach order1

say "root in no labelled cgroup (a host debugger)"
reach root - root
reached root
result $? root_debugger_reaches_every_channel

say "permissive mode: the Advertising process gets the secret (as without shype)"
shypectl mode permissive >/dev/null
audit_mark
reach ads-perm advertising
reached ads-perm && audit_new | grep -q "op=ptrace result=permitted"
result $? permissive_mode_lets_advertising_reach_and_audits
shypectl mode enforce >/dev/null
shypectl status | grep -q enforce
result $? enforce_mode_back
running
result $? order_qemu_runs_to_the_end order1

stop order1
stop comp1
stop srv1
finish
