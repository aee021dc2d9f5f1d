#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The libvirt hook's refusals in the kernel audit subsystem, in the test
# host, where no auditd runs: the kernel prints the hook's user record
# (type 1107, USER_AVC) to its log, naming the domain and its label and
# the running VM that conflicts.  Where audit refuses the record (a user
# namespace: the kernel answers ECONNREFUSED, as without audit), the hook
# refuses all the same.  Prints TAP lines and "N passed, N failed".
#
# usage: audit_hook.sh		(an argument, a test glob, is ignored)

T=/tmp/audit-hook
P=/policies
n=0
pass=0
fail=0
holdpid=
rm -rf "$T"
mkdir -p "$T"
echo "TAP version 13"

cleanup() {
	[ -z "$holdpid" ] || { kill "$holdpid"; wait "$holdpid"; } 2>/dev/null
}
trap cleanup EXIT

ok() { n=$((n + 1)); pass=$((pass + 1)); echo "ok $n $1"; }
not_ok() {
	n=$((n + 1))
	fail=$((fail + 1))
	echo "not ok $n $1"
	echo "# $2"
}
# check NAME COMMAND...: passes when COMMAND succeeds.
check() {
	name=$1
	shift
	if "$@"; then ok "$name"; else not_ok "$name" "failed: $*"; fi
}

for need in shypectl shype-vmhold unshare; do
	if ! command -v "$need" >/dev/null; then
		echo "1..0 # SKIP no $need in this test host"
		echo "0 passed, 0 failed, 1 skipped"
		exit 0
	fi
done

# User records in the kernel log: "audit: type=1107 audit(T:N): ... msg='...'".
user_records() {
	dmesg | grep "audit: type=1107 " | grep "msg='lsm=shype "
}

shypectl mode enforce >/dev/null
shypectl load $P/figure2.json force >/dev/null 2>&1
shypectl run --label order -- shype-vmhold 600 >"$T/hold.out" 2>&1 &
holdpid=$!
i=0
while ! grep -q created "$T/hold.out" 2>/dev/null && [ $i -lt 60 ]; do
	sleep 1
	i=$((i + 1))
done
check order_vm_running grep -q created "$T/hold.out"
vm=$(shypectl vm list | sed -n 's/^vm \([0-9]*\)  pid \([0-9]*\)  label order.*/\1/p')
vmpid=$(shypectl vm list | sed -n 's/^vm [0-9]*  pid \([0-9]*\)  label order.*/\1/p')
check order_vm_listed [ -n "$vm" ]

cat >"$T/ads1.xml" <<'XML'
<domain type='kvm'>
  <name>ads1</name>
  <metadata><shype:label xmlns:shype="urn:shype:libvirt:1">advertising</shype:label></metadata>
  <resource><partition>/machine/shype-advertising</partition></resource>
</domain>
XML
why="shype: domain 'ads1' refused: Chinese Wall: type 'Advertising' of label 'advertising' conflicts with type 'Order' of running VM $vm (label 'order', pid $vmpid)"
want="lsm=shype op=prepare result=denied domain=\"ads1\" reason=chinese_wall label=advertising type=Advertising running=Order peer=$vm(order) peer_pid=$vmpid exe=\"$(command -v shypectl)\" sauid=0 hostname=? addr=?"

# Without auditd: refused, and the record is in the kernel log.
before=$(user_records | wc -l)
shypectl hook qemu ads1 prepare begin - <"$T/ads1.xml" >"$T/out" 2>"$T/err"
rc=$?
check hook_refuses_chinese_wall [ "$rc" = 1 ]
check hook_says_why [ "$(cat "$T/err")" = "$why" ]
i=0
while [ "$(user_records | wc -l)" -le "$before" ] && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
# The terminal= that libaudit adds depends on how the test runs.
user_records | tail -n 1 | sed "s/.*msg='//; s/ terminal=[^ ]*'\$//" >"$T/rec"
if [ "$(cat "$T/rec")" = "$want" ]; then
	ok hook_refusal_audited_with_both_sides
else
	not_ok hook_refusal_audited_with_both_sides "record: $(cat "$T/rec")"
	echo "#   want: $want"
fi
check hook_refusal_one_record [ "$(user_records | wc -l)" -eq $((before + 1)) ]

# An unknown label is the domain's XML's word, not a policy name: it is
# quoted (here in hexadecimal, for its spaces), so that it cannot add
# fields of its own to the record.
sed 's|>advertising<|>x peer=1(order) type=Order<|' "$T/ads1.xml" >"$T/forged.xml"
before=$(user_records | wc -l)
shypectl hook qemu ads1 prepare begin - <"$T/forged.xml" >"$T/out" 2>"$T/err"
check hook_refuses_unknown_label [ $? = 1 ]
i=0
while [ "$(user_records | wc -l)" -le "$before" ] && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
user_records | tail -n 1 | sed "s/.*msg='//" >"$T/rec"
check hook_unknown_label_quoted grep -q ' reason=unknown_label label=78207065' "$T/rec"
check hook_unknown_label_adds_no_field sh -c "! grep -q ' peer=1(order)' '$T/rec'"

# Audit refuses the record: the refusal is the same, and nothing else.
before=$(user_records | wc -l)
unshare -r shypectl hook qemu ads1 prepare begin - <"$T/ads1.xml" >"$T/out" 2>"$T/err"
rc=$?
check hook_refuses_without_audit [ "$rc" = 1 ]
check hook_says_only_why_without_audit [ "$(cat "$T/err")" = "$why" ]
sleep 1
check hook_without_audit_no_record [ "$(user_records | wc -l)" -eq "$before" ]

cleanup
holdpid=
echo "1..$n"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
