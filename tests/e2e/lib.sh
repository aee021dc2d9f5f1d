# SPDX-License-Identifier: GPL-2.0
# Sourced by the e2e_*.sh tests in the test host (busybox sh, as root):
# TAP results, real QEMU VMs running the bare-metal guest of
# tests/e2e/guest/guest.c, waits bounded by $E2E_WAIT seconds, shype's
# securityfs files.  A test sets T (its scratch directory) first.

SFS=/sys/kernel/security/shype
WAIT=${E2E_WAIT:-300}
n=0
pass=0
fail=0
pids=
rm -rf "$T"
mkdir -p "$T"
echo "TAP version 13"

say() { echo "# $*"; }
show() { sed 's/^/#   /' "$@"; }

# result STATUS NAME [VM]: a TAP line; on failure, VM's QEMU output and
# console.
result() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		pass=$((pass + 1))
		echo "ok $n $2"
	else
		fail=$((fail + 1))
		echo "not ok $n $2"
		[ -z "${3:-}" ] || tail -n 25 "$T/$3.out" "$T/$3.console" 2>&1 | show
	fi
}

# The verdict line, and the exit status of the test.
finish() {
	cleanup
	echo "$pass passed, $fail failed"
	[ $fail -eq 0 ]
}

cleanup() {
	for p in $pids; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	pids=
}
trap cleanup EXIT

# alive PID: a running process (not a zombie waiting for us).
alive() {
	[ -r "/proc/$1/stat" ] || return 1
	case $(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1) in
	Z | X | '') return 1 ;;
	esac
}

pid() { eval echo "\$pid_$1"; }

# vm NAME LABEL WORK [QEMU OPTIONS...]: real QEMU in LABEL's cgroup (shypectl
# run) booting the e2e guest with command line WORK (doorbell, plain id=N,
# net, idle).  Its console is $T/NAME.console, QEMU's own output
# $T/NAME.out; the guest ends QEMU through isa-debug-exit (status 1).
# Options must not contain spaces (booted starts a VM again from them).
# $QEMU is the QEMU binary (default Debian's, qemu-system-x86_64).
# QEMU runs as root, or as uid $VMM_UID when that is set (shype-reach exec),
# as libvirt runs every QEMU as one user.
vm() {
	_name=$1
	_label=$2
	_work=$3
	shift 3
	eval "args_$_name=\"\$*\" label_$_name=$_label work_$_name=\"$_work\""
	_qemu=${QEMU:-qemu-system-x86_64}
	eval "qemu_$_name=\$_qemu"
	rm -f "$T/$_name.console"
	shypectl run --label "$_label" -- \
		${VMM_UID:+shype-reach -u "$VMM_UID" exec} \
		"$_qemu" -enable-kvm \
		-M pc -m 32 -smp 1 -nodefaults -no-user-config -display none \
		-no-reboot -kernel /e2e/guest.elf -append "$_work" \
		-serial "file:$T/$_name.console" \
		-device isa-debug-exit,iobase=0xf4,iosize=4 "$@" \
		>"$T/$_name.out" 2>&1 &
	pids="$pids $!"
	eval "pid_$_name=$!"
}

# booted NAME...: each VM's guest reaches its code.  The firmware of a
# nested guest under TCG takes a few seconds; one that has not got there
# after $BOOT_WAIT s is started again, up to 3 times, and each retry is
# reported ("# RETRY:").  A QEMU that ended is not retried.
BOOT_WAIT=${E2E_BOOT_WAIT:-60}
booted() {
	for _v in "$@"; do
		_tries=0
		while ! wait_line "$T/$_v.console" "^E2E booted" "$(pid "$_v")" \
			"$BOOT_WAIT"; do
			alive "$(pid "$_v")" || return 1
			_tries=$((_tries + 1))
			say "RETRY: $_v did not reach its code in $BOOT_WAIT s" \
				"(try $_tries)"
			[ $_tries -le 3 ] || return 1
			stop "$_v"
			_keep=${QEMU:-}
			eval "QEMU=\$qemu_$_v"
			eval "vm $_v \$label_$_v \"\$work_$_v\" \$args_$_v"
			QEMU=$_keep
		done
	done
}

# wait_line FILE PATTERN PID [SECS]: PATTERN in FILE while PID lives (then
# once more), within SECS (default $WAIT) seconds.
wait_line() {
	_i=0
	while [ $_i -lt "${4:-$WAIT}" ]; do
		grep -q "$2" "$1" 2>/dev/null && return 0
		if ! alive "$3"; then
			grep -q "$2" "$1" 2>/dev/null
			return
		fi
		sleep 1
		_i=$((_i + 1))
	done
	return 1
}

# wait_exit PID [SECS]: it ended within SECS (default $WAIT) seconds.
wait_exit() {
	_i=0
	while alive "$1"; do
		[ $_i -lt "${2:-$WAIT}" ] || return 1
		sleep 1
		_i=$((_i + 1))
	done
}

# exit_status NAME: QEMU's exit status, once it ended.
exit_status() {
	wait "$(pid "$1")"
}

stop() {
	_p=$(pid "$1")
	kill "$_p" 2>/dev/null
	wait "$_p" 2>/dev/null
}

# The VM id shype gave process PID ("" if none).
vm_id() {
	sed -n "s/^vm=\([0-9]*\) pid=$1 .*/\1/p" "$SFS/vms" | head -n 1
}

# Audit lines after the last one audit_mark saw, by their seq= numbers.
audit_mark() {
	audit_last=$(sed -n 's/^seq=\([0-9]*\) .*/\1/p' "$SFS/audit" | tail -n 1)
}
audit_new() {
	awk -v last="${audit_last:-0}" \
		'{ split($1, s, "="); if (s[1] == "seq" && s[2] + 0 > last) print }' \
		"$SFS/audit"
}

# The paper's Figure 2 policy, active.
figure2() {
	if ! shypectl status | grep -q 'policy figure2 '; then
		shypectl load /policies/figure2.json force >"$T/load" 2>&1
	fi
	shypectl status | grep -q 'policy figure2 '
	result $? figure2_policy_active
}
