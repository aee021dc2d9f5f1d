#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# shypectl against the real shype.ko, in the test host (busybox sh): load,
# status, label, run, vm list, mode, stats and audit, with the Figure 2
# policy of the sHype paper.  Needs shypectl and shype-vmhold on PATH and
# the example policies in /policies.  Prints TAP lines and, last,
# "N passed, N failed".  The tests build on each other, in order.
#
# usage: shypectl_kernel.sh		(an argument, a test glob, is ignored)

T=/tmp/shypectl-kernel
P=/policies
SFS=${SHYPE_SECURITYFS:-/sys/kernel/security/shype}
CG=/sys/fs/cgroup
n=0
pass=0
fail=0
holdpid=
followpid=
rm -rf "$T"
mkdir -p "$T"

echo "TAP version 13"

# Stop what we started: a VM left running would break later tests.
cleanup() {
	for p in $holdpid $followpid; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	holdpid=
	followpid=
}
trap cleanup EXIT

# run CMD...: sets $rc; stdout in $T/out, stderr in $T/err.
run() {
	"$@" >"$T/out" 2>"$T/err"
	rc=$?
}

ok() {
	n=$((n + 1))
	pass=$((pass + 1))
	echo "ok $n $1"
}

not_ok() {
	n=$((n + 1))
	fail=$((fail + 1))
	echo "not ok $n $1"
	shift
	echo "# failed: $*; last exit status $rc"
	sed 's/^/# stdout: /' "$T/out"
	sed 's/^/# stderr: /' "$T/err"
}

# check NAME COMMAND...: the test passes when COMMAND succeeds.
check() {
	name=$1
	shift
	if "$@"; then
		ok "$name"
	else
		not_ok "$name" "$*"
	fi
}

# has FILE STRING: FILE holds a line containing STRING.
has() {
	grep -qF -- "$2" "$1"
}

# hasnt FILE STRING: no line of FILE contains STRING.
hasnt() {
	! grep -qF -- "$2" "$1"
}

# line FILE N STRING: line N of FILE is exactly STRING.
line() {
	[ "$(sed -n "$2p" "$1")" = "$3" ]
}

# wait_for FILE STRING [SECONDS]: until FILE holds STRING (default 60 s).
wait_for() {
	i=0
	while ! grep -qF -- "$2" "$1" 2>/dev/null; do
		i=$((i + 1))
		[ "$i" -le "${3:-60}" ] || return 1
		sleep 1
	done
}

# The create counts of the stats file: "CALLS ALLOWED DENIED".
create_stats() {
	shypectl stats | awk '$1 == "op" && $2 == "create" { print $4, $6, $8 }'
}

# Lines of the audit log after sequence number $1.
audit_after() {
	shypectl audit | awk -v s="$1" '{ split($1, a, "="); if (a[2] + 0 > s) print }'
}

last_seq() {
	shypectl audit | tail -n 1 | sed -n 's/^seq=\([0-9]*\) .*/\1/p'
}

ino() {
	stat -c %i "$1"
}

for need in shypectl shype-vmhold; do
	if ! command -v "$need" >/dev/null; then
		echo "1..0 # SKIP no $need in this test host"
		echo "0 passed, 0 failed, 1 skipped"
		exit 0
	fi
done
if [ ! -d "$SFS" ]; then
	echo "not ok 1 shype.ko is loaded: no $SFS"
	echo "0 passed, 1 failed"
	exit 1
fi

### mode, load, status

run shypectl mode enforce
check mode_set_enforce [ "$rc" = 0 -a ! -s "$T/out" ]
run shypectl mode
check mode_shows_enforce line "$T/out" 1 "mode enforce"

run shypectl load $P/figure2.json force
check load_figure2 [ "$rc" = 0 -a ! -s "$T/out" -a ! -s "$T/err" ]

digest=$(shypectl -j policy check $P/figure2.json |
	sed -n 's/.*"digest":"\([0-9a-f]*\)".*/\1/p')
run shypectl status
check status_shows_policy line "$T/out" 1 "policy figure2  version 1.0"
check status_shows_digest line "$T/out" 2 "digest $digest"
check status_shows_mode grep -qE '^mode enforce  vms [0-9]+  hooks [1-9][0-9]*$' "$T/out"
check status_shows_require_policy line "$T/out" 4 "require_policy no"
run shypectl -j status
check status_json grep -qE "^\{\"policy\":\"figure2\",\"version\":\"1.0\",\"digest\":\"$digest\",\"mode\":\"enforce\",\"vms\":[0-9]+,\"hooks\":[0-9]+,\"require_policy\":false\}$" "$T/out"

# The active policy again (a restart of shype.service): a no-op.
seq_load=$(last_seq)
shypectl status >"$T/status0"
run shypectl load $P/figure2.json
check load_active_policy_again [ "$rc" = 0 -a ! -s "$T/err" ]
check load_active_policy_again_says line "$T/out" 1 \
	"policy figure2 version 1.0 is already active"
run shypectl -j load $P/figure2.json force
check load_active_policy_again_json line "$T/out" 1 \
	"{\"file\":\"$P/figure2.json\",\"policy\":\"figure2\",\"version\":\"1.0\",\"digest\":\"$digest\",\"force\":true,\"loaded\":true,\"unchanged\":true,\"files\":[]}"
# A source that differs only in comments compiles to the same blob.
sed 's/"comment": "The coalitions/"comment": "Still the coalitions/' \
	$P/figure2.json >"$T/figure2-comment.json"
run shypectl load "$T/figure2-comment.json"
check load_same_blob_other_source [ "$rc" = 0 ] &&
	check load_same_blob_other_source_says line "$T/out" 1 \
		"policy figure2 version 1.0 is already active"
run shypectl status
check load_active_policy_again_changes_nothing cmp -s "$T/status0" "$T/out"
check load_active_policy_again_audits_nothing [ "$(last_seq)" = "$seq_load" ]

# Another blob of the same name and version is refused.
sed 's/"unlabeled": "deny"/"unlabeled": "computing"/' \
	$P/figure2.json >"$T/figure2-same-version.json"
run shypectl load "$T/figure2-same-version.json"
check load_same_version_refused [ "$rc" = 1 -a ! -s "$T/out" ]
check load_same_version_says_stale line "$T/err" 1 \
	"Error: policy refused: a policy of the same name and a version not lower is active"
# The kernel's reasons follow, indented (their words are not ABI).
check load_same_version_gives_reason \
	grep -qE "^  .*'figure2'.*1\.0" "$T/err"
run shypectl load "$T/figure2-same-version.json" force
check load_same_version_refused_with_force [ "$rc" = 1 ]

run shypectl load $P/minimal.json
check load_other_name_refused [ "$rc" = 1 ]
check load_other_name_says_force line "$T/err" 1 \
	"Error: policy refused: a policy of another name is active; use 'force' to replace it"
check load_other_name_gives_reason \
	grep -qE "^  .*'figure2'.*'minimal'" "$T/err"
run shypectl -j load $P/minimal.json
check load_refusal_json grep -qE \
	'"loaded":false,"unchanged":false,"errno":"EEXIST",.*"reasons":\[".*figure2.*"\]\}$' "$T/out"
run shypectl status
check load_refused_changes_nothing line "$T/out" 1 "policy figure2  version 1.0"

### label

run shypectl label set /shype-test/order order
check label_set [ "$rc" = 0 -a ! -s "$T/out" -a ! -s "$T/err" ]
check label_set_makes_cgroup [ -d $CG/shype-test/order ]
check label_set_recorded grep -qx "cgroup /shype-test/order order" /var/lib/shype/labels
run shypectl label get /shype-test/order
check label_get_own line "$T/out" 1 \
	"cgroup /shype-test/order  label order  from /shype-test/order"
mkdir -p $CG/shype-test/order/sub
run shypectl label get $CG/shype-test/order/sub/
check label_get_inherited line "$T/out" 1 \
	"cgroup /shype-test/order/sub  label order  from /shype-test/order"
run shypectl -j label get shype-test
check label_get_unlabelled_json line "$T/out" 1 \
	'{"cgroup":"/shype-test","label":null,"from":null}'
run shypectl label get /shype-test/none
check label_get_no_cgroup [ "$rc" = 1 ] &&
	check label_get_no_cgroup_says line "$T/err" 1 \
		"Error: no cgroup '/shype-test/none'"
run shypectl label list
check label_list has "$T/out" \
	"cgroup /shype-test/order  id $(ino $CG/shype-test/order)  label order"
run shypectl -j label list
check label_list_json has "$T/out" \
	"{\"cgroup\":\"/shype-test/order\",\"id\":$(ino $CG/shype-test/order),\"label\":\"order\"}"
run shypectl label set /shype-test/x nobody
check label_set_unknown_label [ "$rc" = 1 ] &&
	check label_set_unknown_label_says line "$T/err" 1 \
		"Error: the active policy has no VM label 'nobody'"
run shypectl label set /shype-test/x vdisk_order
check label_set_resource_label [ "$rc" = 1 ]
run shypectl label set /shype-test/order/sub computing
run shypectl label unset /shype-test/order/sub
check label_unset [ "$rc" = 0 -a ! -s "$T/err" ]
run shypectl label get /shype-test/order/sub
check label_unset_inherits_again line "$T/out" 1 \
	"cgroup /shype-test/order/sub  label order  from /shype-test/order"
run shypectl label unset /shype-test/order/sub
check label_unset_no_own_label line "$T/err" 1 \
	"Error: cgroup '/shype-test/order/sub' has no label of its own"

### run, vm list, stats, audit

# shellcheck disable=SC2046 # three numbers
set -- $(create_stats)
calls0=${1:-0} allowed0=${2:-0} denied0=${3:-0}
seq0=$(last_seq)

shypectl run --label order -- shype-vmhold 600 >"$T/hold.out" 2>&1 &
holdpid=$!
check run_order_creates_vm wait_for "$T/hold.out" created
run shypectl label get /shype.slice/order
check run_labels_default_cgroup line "$T/out" 1 \
	"cgroup /shype.slice/order  label order  from /shype.slice/order"
check run_enters_cgroup grep -qx "$holdpid" $CG/shype.slice/order/cgroup.procs

run shypectl vm list
check vm_list_shows_order grep -qE "^vm [0-9]+  pid $holdpid  label order" "$T/out"
run shypectl -j vm show
check vm_show_json grep -qE "\{\"vm\":[0-9]+,\"pid\":$holdpid,\"label\":\"order\"" "$T/out"
run shypectl -j status
check status_counts_vm grep -qE '"vms":[1-9]' "$T/out"

run shypectl run --label advertising -- shype-vmhold
check run_advertising_denied [ "$rc" = 13 ] &&
	check run_advertising_gets_eacces has "$T/out" "errno 13"

# shellcheck disable=SC2046 # three numbers
set -- $(create_stats)
check stats_count_allowed [ "$2" -eq $((allowed0 + 1)) ]
check stats_count_denied [ "$3" -eq $((denied0 + 1)) ]
check stats_count_calls [ "$1" -eq $((calls0 + 2)) ]
run shypectl -j stats
check stats_json grep -qE '\{"op":"create","calls":[0-9]+,"allowed":[0-9]+,"denied":[1-9][0-9]*\}' "$T/out"

audit_after "${seq0:-0}" >"$T/audit"
check audit_shows_denial grep -qE \
	'op=create result=denied vm=[0-9]+\(advertising\) pid=[0-9]+ reason=chinese_wall type=Advertising running=Order' \
	"$T/audit"
run shypectl -j audit
check audit_json grep -qE \
	'"op":"create","result":"denied","vm":\{"id":[0-9]+,"label":"advertising"\},"pid":[0-9]+,"reason":"chinese_wall"' \
	"$T/out"

# --follow: a denial made while it waits reaches it.
before=$(shypectl audit | grep -c 'reason=chinese_wall')
shypectl audit --follow >"$T/follow.out" 2>&1 &
followpid=$!
sleep 1
shypectl run --label advertising -- shype-vmhold >/dev/null 2>&1
i=0
while [ "$(grep -c 'reason=chinese_wall' "$T/follow.out")" -le "$before" ] &&
	[ "$i" -lt 30 ]; do
	i=$((i + 1))
	sleep 1
done
check audit_follow_sees_new_denial \
	[ "$(grep -c 'reason=chinese_wall' "$T/follow.out")" -eq $((before + 1)) ]
kill "$followpid"
wait "$followpid" 2>/dev/null
followpid=

# A policy that would deny the running order VM is refused, with reasons.
sed 's/"order"/"orders"/g; s/"version": "1.0"/"version": "2.0"/' \
	$P/figure2.json >"$T/figure2-v2.json"
run shypectl load "$T/figure2-v2.json"
check load_denying_running_vm_refused [ "$rc" = 1 ]
check load_denying_running_vm_says line "$T/err" 1 \
	"Error: policy refused: the policy would deny running VMs:"
check load_denying_running_vm_names_it grep -qE \
	"^  vm [0-9]+ \(pid $holdpid, label 'order'\): " "$T/err"

### run's own errors

run shypectl run --label advertising --cgroup /shype.slice/order -- true
check run_refuses_other_label [ "$rc" = 1 ] &&
	check run_refuses_other_label_says line "$T/err" 1 \
		"Error: cgroup '/shype.slice/order' is labelled 'order', not 'advertising'"
run shypectl run --label nobody -- true
check run_unknown_label [ "$rc" = 1 ] &&
	check run_unknown_label_says line "$T/err" 1 \
		"Error: the active policy has no VM label 'nobody'"
run shypectl run --label order --cgroup /shype-test/order/sub -- /no/such/program
check run_missing_program [ "$rc" = 127 ] &&
	check run_missing_program_says line "$T/err" 1 \
		"Error: cannot run '/no/such/program': No such file or directory"
run shypectl run --label computing --cgroup /shype-test/computing -- sh -c 'cat /proc/self/cgroup'
check run_custom_cgroup line "$T/out" 1 "0::/shype-test/computing"

### permissive mode

run shypectl mode permissive
check mode_set_permissive [ "$rc" = 0 -a ! -s "$T/out" ]
run shypectl -j mode
check mode_shows_permissive line "$T/out" 1 '{"mode":"permissive"}'
seq1=$(last_seq)
run shypectl run --label advertising -- shype-vmhold
check permissive_allows_denied_vm [ "$rc" = 0 ] &&
	check permissive_creates_vm has "$T/out" created
audit_after "${seq1:-0}" >"$T/audit"
check permissive_audits_denial grep -qE \
	'op=create result=permitted vm=[0-9]+\(advertising\) .*reason=chinese_wall' "$T/audit"
run shypectl -j mode enforce
check mode_set_enforce_json line "$T/out" 1 '{"mode":"enforce"}'

### after the VM

kill "$holdpid"
wait "$holdpid" 2>/dev/null
run shypectl vm list
check vm_list_forgets_exited_vm hasnt "$T/out" "pid $holdpid "
holdpid=

### shared memory: resource labels and shm bindings

: >/dev/shm/shm-test
run shypectl resource label /dev/shm/shm-test vdisk_ads
check resource_label [ "$rc" = 0 -a ! -s "$T/out" ]
run shypectl resource list
check resource_list line "$T/out" 1 \
	"resource shm:/dev/shm/shm-test  inode $(ino /dev/shm/shm-test)  label vdisk_ads"
run shypectl -j resource list
check resource_list_json line "$T/out" 1 \
	"{\"resources\":[{\"resource\":\"shm:/dev/shm/shm-test\",\"inode\":$(ino /dev/shm/shm-test),\"label\":\"vdisk_ads\"}]}"
run shypectl resource label /dev/shm/shm-test nobody
check resource_label_unknown_label [ "$rc" = 1 ] &&
	check resource_label_unknown_label_says line "$T/err" 1 \
		"Error: the active policy has no label 'nobody'"
run shypectl resource label /dev/shm/no-such-file vdisk_ads
check resource_label_no_file [ "$rc" = 1 ] &&
	check resource_label_no_file_says line "$T/err" 1 \
		"Error: '/dev/shm/no-such-file': No such file or directory"
seq1=$(last_seq)
# The labelled file is refused at its open, before any memslot (file.c).
run shypectl run --label order -- shype-vmhold --shm /dev/shm/shm-test
check open_denied_by_resource_label [ "$rc" = 1 ] &&
	check open_denied_says grep -q 'shm-test: Permission denied' "$T/err"
audit_after "${seq1:-0}" >"$T/audit"
check open_denial_audited grep -qE \
	'op=file result=denied pid=[0-9]+\(order\) file_label=vdisk_ads access=write how=open reason=ste path=/dev/shm/shm-test' "$T/audit"
run shypectl run --label advertising -- shype-vmhold --shm /dev/shm/shm-test
check memslot_allowed_by_resource_label [ "$rc" = 0 ]
run shypectl resource unlabel /dev/shm/shm-test
check resource_unlabel [ "$rc" = 0 ]
run shypectl resource list
check resource_list_empty [ "$rc" = 0 -a ! -s "$T/out" ]
run shypectl resource unlabel /dev/shm/shm-test
check resource_unlabel_twice [ "$rc" = 1 ] &&
	check resource_unlabel_twice_says line "$T/err" 1 \
		"Error: '/dev/shm/shm-test' has no label given at run time"

shypectl run --label order -- shype-vmhold --shm /dev/shm/vdisk-order 600 \
	>"$T/shmhold.out" 2>&1 &
holdpid=$!
check memslot_policy_resource_allowed wait_for "$T/shmhold.out" created
run shypectl binding list
check binding_list_shm grep -qE \
	'^object [0-9]+  class shm  path /dev/shm/vdisk-order  vms [0-9]+\(order\)$' "$T/out"
run shypectl -j binding list
check binding_list_shm_json grep -qE \
	'"class":"shm","path":"/dev/shm/vdisk-order","vms":\[\{"vm":[0-9]+,"label":"order"\}\]' "$T/out"
kill "$holdpid"
wait "$holdpid" 2>/dev/null
holdpid=
run shypectl binding list
check binding_list_forgets_shm hasnt "$T/out" vdisk-order
rm -f /dev/shm/shm-test /dev/shm/vdisk-order

run shypectl load $P/minimal.json force
check load_other_name_with_force [ "$rc" = 0 ]
run shypectl status
check status_shows_new_policy line "$T/out" 1 "policy minimal  version 1.0"

for cg in /shype-test/order/sub /shype-test/order /shype-test/computing \
	/shype.slice/order \
	/shype.slice/advertising; do
	shypectl label unset $cg >/dev/null 2>&1
done
for d in shype-test/order/sub shype-test/order shype-test/computing \
	shype-test/x shype-test shype.slice/order shype.slice/advertising \
	shype.slice/nobody shype.slice; do
	rmdir $CG/$d 2>/dev/null
done

echo "1..$n"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
