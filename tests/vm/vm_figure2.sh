#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The coalitions of the sHype paper's Figure 2, played out with shypectl and
# real KVM VMs in the test host: VMMs labelled for Order (two), Computing
# and the vDisk server start; an Advertising VM is refused while an Order VM
# runs, and starts once none does.  `make demo` shows this one; it is also a
# test (TAP lines, then "N passed, N failed").  It leaves figure2 loaded,
# so it runs last (test programs run in name order).

T=/tmp/figure2
n=0
pass=0
fail=0
pids=
rm -rf "$T"
mkdir -p "$T"

echo "TAP version 13"
say() { echo "# $*"; }
show() {
	echo "# \$ $*"
	"$@" 2>&1 | sed 's/^/#   /'
}
result() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		pass=$((pass + 1))
		echo "ok $n $2"
	else
		fail=$((fail + 1))
		echo "not ok $n $2"
	fi
}

cleanup() {
	for p in $pids; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	pids=
}
trap cleanup EXIT

# start NAME LABEL: a VMM holding one VM, in LABEL's cgroup; 0 if created.
start() {
	shypectl run --label "$2" -- shype-vmhold 600 >"$T/$1" 2>&1 &
	eval "pid_$1=$!"
	pids="$pids $!"
	i=0
	while [ $i -lt 100 ]; do
		grep -qs created "$T/$1" && return 0
		kill -0 "$(eval echo "\$pid_$1")" 2>/dev/null || return 1
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

stop() {
	p=$(eval echo "\$pid_$1")
	kill "$p" 2>/dev/null
	wait "$p" 2>/dev/null
}

# try LABEL: a VMM that creates one VM and exits; its exit status.
try() {
	shypectl run --label "$1" -- shype-vmhold >"$T/try" 2>&1
}

say "load the Figure 2 policy: Order and Advertising in one conflict set"
if ! shypectl status | grep -q 'policy figure2 '; then
	shypectl load /policies/figure2.json force
fi
show shypectl status
shypectl status | grep -q 'policy figure2 '
result $? figure2_policy_active

say "the vDisk server, two Order VMs and the Computing VM start"
start vdisk vdisk_server
result $? vdisk_server_starts
start order1 order
result $? first_order_vm_starts
start order2 order
result $? second_order_vm_starts
start computing computing
result $? computing_starts
show shypectl vm list

say "an Advertising VM is refused while an Order VM runs"
try advertising
rc=$?
sed 's/^/#   /' "$T/try"
[ $rc = 13 ]
result $? advertising_refused_while_order_runs
show sh -c "shypectl audit | tail -n 1"

say "the Order VMs stop; now the Advertising VM starts"
stop order1
stop order2
try advertising
result $? advertising_starts_once_no_order_vm_runs
show shypectl stats

cleanup
if [ $fail -eq 0 ]; then
	echo "$pass passed, $fail failed"
else
	echo "$pass passed, $fail failed"
	exit 1
fi
