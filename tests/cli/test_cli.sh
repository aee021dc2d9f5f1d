#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The behaviour of shypectl's offline commands: exit status and exact output
# of each command, on success and failure, and the facts of Figure 2 of the
# sHype paper.  Prints one line per check and, last, "N passed, N failed".
#
# Usage: tests/cli/test_cli.sh [SHYPECTL]	(default: build/shypectl)

set -u
cd "$(dirname "$0")/../.." || exit 1
SHYPECTL=${1:-${SHYPECTL:-build/shypectl}}
case $SHYPECTL in /*) ;; *) SHYPECTL=$PWD/$SHYPECTL ;; esac
T=$(mktemp -d) || exit 1
trap 'rm -rf "$T"' EXIT
# Never the system's shype.conf nor its state file: stand-ins under $T.
export SHYPE_CONF=$T/shype.conf SHYPE_STATE=$T/state/labels
F2=policies/figure2.json
CW=policies/chinese-wall.json
pass=0
fail=0

# Run shypectl with "$@": sets $rc, $out and $err.
run() {
	"$SHYPECTL" "$@" >"$T/out" 2>"$T/err"
	rc=$?
	out=$(cat "$T/out")
	err=$(cat "$T/err")
}

ok() {
	pass=$((pass + 1))
	echo "ok   $1"
}

not_ok() {
	fail=$((fail + 1))
	echo "FAIL $1: $2"
}

# expect NAME RC STDOUT ARGS...: exit status RC and stdout exactly STDOUT.
expect() {
	local name=$1 want_rc=$2 want_out=$3
	shift 3
	run "$@"
	if [ "$rc" != "$want_rc" ]; then
		not_ok "$name" "exit $rc, want $want_rc; stderr: $err"
	elif [ "$out" != "$want_out" ]; then
		not_ok "$name" "stdout '$out', want '$want_out'"
	else
		ok "$name"
	fi
}

# expect_err NAME RC STDERR ARGS...: exit status RC, stderr exactly STDERR,
# stdout empty.
expect_err() {
	local name=$1 want_rc=$2 want_err=$3
	shift 3
	run "$@"
	if [ "$rc" != "$want_rc" ]; then
		not_ok "$name" "exit $rc, want $want_rc; stderr: $err"
	elif [ "$err" != "$want_err" ]; then
		not_ok "$name" "stderr '$err', want '$want_err'"
	elif [ -n "$out" ]; then
		not_ok "$name" "stdout '$out', want none"
	else
		ok "$name"
	fi
}

# expect_match NAME RC REGEX ARGS...: exit status RC, every line of stderr
# (at least one) matching the extended regular expression REGEX.
expect_match() {
	local name=$1 want_rc=$2 re=$3
	shift 3
	run "$@"
	if [ "$rc" != "$want_rc" ]; then
		not_ok "$name" "exit $rc, want $want_rc; stderr: $err"
	elif [ -z "$err" ] || grep -qvE "$re" "$T/err"; then
		not_ok "$name" "stderr '$err' does not match '$re'"
	else
		ok "$name"
	fi
}

# check NAME COMMAND...: a shell condition.
check() {
	local name=$1
	shift
	if "$@"; then
		ok "$name"
	else
		not_ok "$name" "'$*' is false"
	fi
}

if [ ! -x "$SHYPECTL" ]; then
	echo "FAIL $SHYPECTL: not built"
	echo "0 passed, 1 failed"
	exit 1
fi

### Global options, help and usage errors (exit 2).

run help
check help_prints_grammar \
	[ "$rc" = 0 -a "$(head -n1 "$T/out")" = "Usage: shypectl [OPTIONS] OBJECT { COMMAND | help }" ]
check help_lists_objects grep -q 'OBJECT := { policy | check ' "$T/out"
run --help
check option_help_exits_0 [ "$rc" = 0 -a -n "$out" ]
run
check no_object_is_usage_error [ "$rc" = 2 -a -z "$out" ]
check no_object_prints_usage_on_stderr grep -q '^Usage: shypectl' "$T/err"
expect version 0 "shypectl 0.1 (policy ABI 1)" -V
expect version_json 0 '{"version":"0.1","abi_version":1}' -j version
expect_err unknown_object 2 \
	"Error: 'frob' is not one of { policy | check | load | status | vm | binding | label | resource | run | mode | audit | stats | domain | hook | daemon | boot | help | version }" \
	frob
expect_err unknown_command 2 \
	"Error: 'frob' is not one of { check | compile | show | analyze | diff | help }" \
	policy frob
expect_err ambiguous_command 2 "Error: 'c' is ambiguous: { check | compile }" \
	policy c
expect_err unknown_global_option 2 "Error: unknown option '--frob'" --frob
expect_err unknown_command_option 2 "Error: unknown option '-x'" \
	policy show -x $F2
run policy
check no_command_is_usage_error [ "$rc" = 2 -a -z "$out" ]
check no_command_prints_object_usage \
	grep -q '^Usage: shypectl policy { check | show } FILE' "$T/err"
run policy help
check policy_help [ "$rc" = 0 -a "$(head -n1 "$T/out")" = "Usage: shypectl policy { check | show } FILE" ]
check policy_help_grammar grep -q 'FILE := { JSON source | binary blob }' \
	"$T/out"
run check help
check check_help [ "$rc" = 0 -a "$(head -n1 "$T/out")" = "Usage: shypectl check share LABEL LABEL [--policy POLICY]" ]

# Every way of asking for help prints the object's own help, exit 0.
POLICY_USAGE="Usage: shypectl policy { check | show } FILE"
for h in "policy --help" "policy -h" "help policy" "policy check --help" \
	"policy compile $F2 -o x --help" "-j policy show --help" "help pol"; do
	# shellcheck disable=SC2086 # words of a command
	run $h
	check "help_asked_as: $h" \
		[ "$rc" = 0 -a "$(head -n1 "$T/out")" = "$POLICY_USAGE" -a -z "$err" ]
done
for h in "load --help:Usage: shypectl load FILE [force] [--dry-run]" \
	"help status:Usage: shypectl status" "stats -h:Usage: shypectl stats" \
	"label set --help:Usage: shypectl label set CGROUP LABEL" \
	"check share --help:Usage: shypectl check share LABEL LABEL [--policy POLICY]" \
	"help help:Usage: shypectl [OPTIONS] OBJECT { COMMAND | help }"; do
	# shellcheck disable=SC2086 # words of a command
	run ${h%%:*}
	check "help_asked_as: ${h%%:*}" \
		[ "$rc" = 0 -a "$(head -n1 "$T/out")" = "${h#*:}" ]
done
# A mistyped object or command: one "did you mean", the policy parser's.
OBJECTS="{ policy | check | load | status | vm | binding | label | resource | run | mode | audit | stats | domain | hook | daemon | boot | help | version }"
expect_err object_did_you_mean 2 \
	"Error: 'polcy' is not one of $OBJECTS; did you mean 'policy'?" \
	polcy show $F2
expect_err help_object_did_you_mean 2 \
	"Error: 'polcy' is not one of $OBJECTS; did you mean 'policy'?" \
	help polcy
expect_err command_did_you_mean 2 \
	"Error: 'shwo' is not one of { check | compile | show | analyze | diff | help }; did you mean 'show'?" \
	policy shwo $F2
expect_err label_did_you_mean_as_policy_parser 1 \
	"Error: unknown label 'advrtsng'; did you mean 'advertising'?" \
	check share advrtsng order --policy $F2
printf '{ "name": "t", "version": "1.0", "ste": { "types": ["A"] },\n  "labels": { "advertising": { "ste": ["A"] } },\n  "resources": { "net:x": "advrtsng" } }\n' >"$T/typo.json"
expect_match policy_parser_did_you_mean 1 "did you mean 'advertising'\\?$" \
	policy check "$T/typo.json"

# -j: every error is also one JSON object on stdout.
expect json_error_unknown_label 1 \
	'{"error":"unknown label '\''ordr'\''; did you mean '\''order'\''?"}' \
	-j check share ordr order --policy $F2
check json_error_also_on_stderr \
	[ "$err" = "Error: unknown label 'ordr'; did you mean 'order'?" ]
expect json_error_usage 2 \
	'{"error":"'\''policy compile'\'' needs -o BLOB"}' -j policy compile $F2
expect json_error_unknown_object 2 \
	"{\"error\":\"'frob' is not one of $OBJECTS\"}" -j frob
expect json_error_option_before_json 2 \
	'{"error":"unknown option '\''--frob'\''"}' policy show --frob $F2 --json
expect json_error_missing_file 1 \
	"{\"error\":\"$T/none.json: cannot read: No such file or directory\"}" \
	-j policy show "$T/none.json"
run -j policy
check json_error_no_command [ "$rc" = 2 ] &&
	check json_error_no_command_object grep -qx '{"error":"[^"]*"}' "$T/out"
run -j -p check share ordr order --policy $F2
check json_error_pretty [ "$rc" = 1 -a "$(head -n1 "$T/out")" = "{" ]

# The man page and the docs follow the code.
man_objects=$(sed -n 's/^\.IR OBJECT " := { " \(.*\) " }"$/\1/p' man/shypectl.8 |
	sed 's/ " | " / | /g')
run help
check man_object_list_matches_help \
	grep -qF "OBJECT := { $man_objects }" "$T/out"
for p in policies/*.json; do
	check "docs_policy_guide_lists $p" grep -qF "(../$p)" docs/policy.md
done

### policy check

for p in policies/*.json; do
	expect "policy_check_valid $p" 0 "" policy check "$p"
	check "policy_check_valid_quiet $p" [ -z "$err" ]
done
run -j policy check $F2
check policy_check_json [ "$rc" = 0 ] &&
	check policy_check_json_object \
		grep -qE '^\{"file":"policies/figure2.json","valid":true,"name":"figure2","digest":"[0-9a-f]{64}","errors":\[\]\}$' \
		"$T/out"

cat >"$T/bad.json" <<'EOF'
{
  "name": "bad",
  "version": "1.0",
  "ste": { "types": ["Order", "Ads"] },
  "labels": {
    "order": { "ste": ["Orders"] },
    "ads": { "ste": ["Ads"], "colour": "red" }
  },
  "resources": { "shm:/dev/shm/x": "nobody" }
}
EOF
expect_match policy_check_errors_have_places 1 \
	"^$T/bad.json:[0-9]+:[0-9]+: " policy check "$T/bad.json"
check policy_check_reports_every_error [ "$(wc -l <"$T/err")" -ge 3 ]
check policy_check_errors_print_nothing [ -z "$out" ]
check policy_check_names_unknown_type grep -q "'Orders'" "$T/err"
check policy_check_suggests_close_name grep -q "did you mean 'Order'" "$T/err"
check policy_check_names_unknown_key grep -q "colour" "$T/err"
check policy_check_names_unknown_label grep -q "'nobody'" "$T/err"
cat >"$T/bad.err" <<EOF
$T/bad.json:6:24: label 'order' names unknown STE type 'Orders'; did you mean 'Order'?
$T/bad.json:7:30: unknown key 'colour'; the keys here are ste, chwall, comment
$T/bad.json:9:36: resource 'shm:/dev/shm/x' is bound to unknown label 'nobody'
EOF
expect_err policy_check_exact_errors 1 "$(cat "$T/bad.err")" \
	policy check "$T/bad.json"
run -j policy check "$T/bad.json"
check policy_check_json_invalid [ "$rc" = 1 ] &&
	check policy_check_json_lists_errors \
		grep -q '"valid":false.*"errors":\[{"line":[1-9]' "$T/out"

printf '{ "name": "x",\n  "version": "1.0" \n  "ste": {} }\n' >"$T/syntax.json"
expect_match policy_check_syntax_error 1 "^$T/syntax.json:[0-9]+:[0-9]+: " \
	policy check "$T/syntax.json"
check policy_check_syntax_error_alone [ "$(wc -l <"$T/err")" = 1 ]
: >"$T/empty.json"
expect_match policy_check_empty_file 1 "^$T/empty.json:" \
	policy check "$T/empty.json"
expect_err policy_check_missing_file 1 \
	"$T/none.json: cannot read: No such file or directory" \
	policy check "$T/none.json"
expect_err policy_check_needs_file 2 "Error: 'policy check' needs one FILE" \
	policy check
expect_err policy_check_one_file 2 "Error: 'policy check' needs one FILE" \
	policy check $F2 $F2

### policy compile

expect policy_compile 0 "" policy compile $F2 -o "$T/f2.bin"
check policy_compile_writes_blob [ "$(head -c4 "$T/f2.bin")" = sHyP ]
expect policy_compile_again 0 "" policy compile -o "$T/f2-again.bin" $F2
check policy_compile_is_reproducible cmp -s "$T/f2.bin" "$T/f2-again.bin"
expect policy_compile_blob 0 "" policy compile "$T/f2.bin" \
	--output "$T/f2-copy.bin"
check policy_compile_blob_is_identity cmp -s "$T/f2.bin" "$T/f2-copy.bin"
check policy_check_blob "$SHYPECTL" policy check "$T/f2.bin"
run -j policy compile $F2 -o "$T/f2.bin"
check policy_compile_json \
	grep -qE '^\{"file":"policies/figure2.json","output":".*/f2.bin","name":"figure2","size":[0-9]+,"digest":"[0-9a-f]{64}"\}$' \
	"$T/out"
digest=$(sed 's/.*"digest":"\([0-9a-f]*\)".*/\1/' "$T/out")
expect_err policy_compile_needs_output 2 \
	"Error: 'policy compile' needs -o BLOB" policy compile $F2
expect_err policy_compile_output_needs_argument 2 \
	"Error: option '-o' needs an argument" policy compile $F2 -o
expect_match policy_compile_invalid 1 "^$T/bad.json:[0-9]+:[0-9]+: " \
	policy compile "$T/bad.json" -o "$T/bad.bin"
check policy_compile_invalid_writes_nothing [ ! -e "$T/bad.bin" ]
cp "$T/f2.bin" "$T/keep.bin"
run policy compile "$T/bad.json" -o "$T/keep.bin"
check policy_compile_invalid_keeps_old_blob cmp -s "$T/f2.bin" "$T/keep.bin"
expect_match policy_compile_unwritable 1 "^Error: cannot create " \
	policy compile $F2 -o "$T/no/such/dir.bin"
check policy_compile_leaves_no_temporary \
	[ -z "$(find "$T" -name '*.bin.??????')" ]
# -o replaces only a regular file or makes a new one; '-' is stdout.
cp "$T/f2.bin" "$T/target.bin"
ln -s "$T/target.bin" "$T/link.bin"
expect_err policy_compile_refuses_symlink 1 \
	"Error: refusing to replace '$T/link.bin': a symbolic link, not a regular file ('-o -' writes to stdout)" \
	policy compile $CW -o "$T/link.bin"
check policy_compile_keeps_symlink [ -L "$T/link.bin" ]
check policy_compile_keeps_symlink_target cmp -s "$T/f2.bin" "$T/target.bin"
mkfifo "$T/fifo"
expect_err policy_compile_refuses_fifo 1 \
	"Error: refusing to replace '$T/fifo': a FIFO, not a regular file ('-o -' writes to stdout)" \
	policy compile $F2 -o "$T/fifo"
check policy_compile_keeps_fifo [ -p "$T/fifo" ]
mkdir "$T/dir.bin"
expect_err policy_compile_refuses_directory 1 \
	"Error: refusing to replace '$T/dir.bin': a directory, not a regular file ('-o -' writes to stdout)" \
	policy compile $F2 -o "$T/dir.bin"
check policy_compile_keeps_directory [ -d "$T/dir.bin" ]
expect policy_compile_json_refuses_symlink 1 \
	"{\"error\":\"refusing to replace '$T/link.bin': a symbolic link, not a regular file ('-o -' writes to stdout)\"}" \
	-j policy compile $F2 -o "$T/link.bin"
# Not run(): the blob on stdout is binary.
cd "$T" || exit 1
"$SHYPECTL" policy compile "$OLDPWD/$F2" -o - >"$T/stdout.bin" 2>"$T/err"
rc=$?
cd "$OLDPWD" || exit 1
check policy_compile_dash_is_stdout [ "$rc" = 0 -a ! -s "$T/err" ] &&
	check policy_compile_dash_writes_blob cmp -s "$T/f2.bin" "$T/stdout.bin"
check policy_compile_dash_makes_no_file [ ! -e "$T/-" ]
cd "$T" || exit 1
expect policy_compile_dash_not_with_json 2 \
	"{\"error\":\"'-o -' writes the blob to stdout: it cannot take -j too\"}" \
	policy compile "$OLDPWD/$F2" -o - -j
cd "$OLDPWD" || exit 1
check policy_compile_dash_json_makes_no_file [ ! -e "$T/-" ]
check policy_compile_refusals_leave_no_temporary \
	[ -z "$(find "$T" -name '*.??????')" ]

### policy show

cat >"$T/f2.txt" <<EOF
name figure2  version 1.0
digest $digest
ste_types Advertising Computing Order
chwall_types Advertising Computing Order
conflict_set Advertising Order
label advertising  vm  ste Advertising  chwall Advertising
label computing  vm  ste Computing  chwall Computing
label order  vm  ste Order  chwall Order
label vdisk_ads  resource  ste Advertising
label vdisk_order  resource  ste Order
label vdisk_server  vm  ste Advertising Order
resource shm:/dev/shm/vdisk-ads  label vdisk_ads
resource shm:/dev/shm/vdisk-order  label vdisk_order
resource net:br-ads  label advertising
resource net:br-order  label order
unlabeled deny
unlabeled_files label
EOF
expect policy_show_source 0 "$(cat "$T/f2.txt")" policy show $F2
expect policy_show_blob 0 "$(cat "$T/f2.txt")" policy show "$T/f2.bin"
expect policy_show_prefixes 0 "$(cat "$T/f2.txt")" pol sh $F2
for p in policies/*.json; do
	b=$T/$(basename "$p" .json).bin
	"$SHYPECTL" policy compile "$p" -o "$b"
	"$SHYPECTL" policy show "$p" >"$T/src.txt"
	"$SHYPECTL" policy show "$b" >"$T/bin.txt"
	check "policy_show_source_equals_blob $p" \
		diff -u "$T/src.txt" "$T/bin.txt"
	"$SHYPECTL" -j policy show "$p" >"$T/src.json"
	"$SHYPECTL" -j policy show "$b" >"$T/bin.json"
	check "policy_show_json_source_equals_blob $p" \
		diff -u "$T/src.json" "$T/bin.json"
done
run policy show -j $F2
check policy_show_json [ "$rc" = 0 ] &&
	check policy_show_json_keys grep -qE \
		'^\{"name":"figure2","version":"1.0","digest":"[0-9a-f]{64}","ste_types":\["Advertising","Computing","Order"\],"chwall_types":\[.*\],"conflict_sets":\[\["Advertising","Order"\]\],"labels":\[\{"name":"advertising","kind":"vm","ste":\["Advertising"\],"chwall":\["Advertising"\]\},.*\],"resources":\[\{"resource":"shm:/dev/shm/vdisk-ads","kind":"shm","name":"/dev/shm/vdisk-ads","label":"vdisk_ads"\},.*\],"unlabeled":"deny","unlabeled_files":"label"\}$' \
		"$T/out"
run -p policy show $F2
check policy_show_pretty [ "$rc" = 0 -a "$(head -n1 "$T/out")" = "{" ]
run policy show policies/minimal.json
check policy_show_unlabeled_label [ "$(tail -n2 "$T/out" | head -n1)" = "unlabeled default" ]

# A blob with one byte changed, and one cut short.
cp "$T/f2.bin" "$T/corrupt.bin"
printf 'X' | dd of="$T/corrupt.bin" bs=1 seek=300 conv=notrunc 2>/dev/null
expect_match policy_show_corrupt_blob 1 "^$T/corrupt.bin: invalid policy blob: " \
	policy show "$T/corrupt.bin"
head -c 200 "$T/f2.bin" >"$T/short.bin"
expect_match policy_check_short_blob 1 "^$T/short.bin: invalid policy blob: " \
	policy check "$T/short.bin"

### check share: Figure 2 (sHype paper) facts, on the source and the blob

for pol in $F2 "$T/f2.bin"; do
	expect "share_order_order_allowed ($pol)" 0 "allow" \
		check share order order --policy "$pol"
	expect "share_order_advertising_denied ($pol)" 3 \
		"deny: labels 'order' and 'advertising' share no STE type" \
		check share order advertising --policy "$pol"
	expect "share_advertising_order_denied ($pol)" 3 \
		"deny: labels 'advertising' and 'order' share no STE type" \
		check share advertising order --policy "$pol"
	expect "share_vdisk_server_order_allowed ($pol)" 0 "allow" \
		check share vdisk_server order --policy "$pol"
	expect "share_vdisk_server_advertising_allowed ($pol)" 0 "allow" \
		check share vdisk_server advertising --policy "$pol"
	expect "share_computing_order_denied ($pol)" 3 \
		"deny: labels 'computing' and 'order' share no STE type" \
		check share computing order --policy "$pol"
done
expect share_json_deny 3 \
	'{"decision":"deny","reason":"labels '\''order'\'' and '\''advertising'\'' share no STE type"}' \
	-j check share order advertising --policy $F2
expect share_json_allow_gives_reason 0 \
	'{"decision":"allow","reason":"labels '\''order'\'' and '\''vdisk_server'\'' share STE type '\''Order'\''"}' \
	check share order vdisk_server --policy $F2 --json
expect share_policy_option_first 0 "allow" \
	check share --policy=$F2 order order
expect_err share_unknown_label_suggests 1 \
	"Error: unknown label 'ordr'; did you mean 'order'?" \
	check share ordr order --policy $F2
expect_err share_unknown_label 1 \
	"Error: unknown label 'nobody' in policy 'figure2'" \
	check share order nobody --policy $F2
expect_err share_resource_label_is_not_vm 1 \
	"Error: 'vdisk_order' is a resource label, not a VM label" \
	check share order vdisk_order --policy $F2
SHYPE_SECURITYFS=$T/none expect_err share_needs_policy 2 \
	"Error: 'check share' needs --policy FILE: shype.ko is not loaded (no $T/none)" \
	check share order order
expect_err share_needs_two_labels 2 \
	"Error: 'check share' needs 2 arguments; see 'shypectl check help'" \
	check share order --policy $F2
expect_err share_takes_no_running 2 "Error: 'check share' takes no --running" \
	check share order order --running order --policy $F2
expect_match share_invalid_policy 1 "^$T/bad.json:[0-9]+:[0-9]+: " \
	check share order order --policy "$T/bad.json"
expect_err share_missing_policy 1 \
	"$T/none.json: cannot read: No such file or directory" \
	check share order order --policy "$T/none.json"
expect_err check_no_command 2 "$(
	"$SHYPECTL" check help
)" check

### check resource

expect resource_vdisk_order_to_order 0 "allow" \
	check resource order shm:/dev/shm/vdisk-order --policy "$T/f2.bin"
expect resource_vdisk_order_not_to_advertising 3 \
	"deny: label 'advertising' and resource 'shm:/dev/shm/vdisk-order' (label 'vdisk_order') share no STE type" \
	check resource advertising shm:/dev/shm/vdisk-order --policy $F2
expect resource_vdisk_server_both 0 "allow" \
	check resource vdisk_server shm:/dev/shm/vdisk-ads --policy $F2
expect resource_net_vm_label 3 \
	"deny: label 'order' and resource 'net:br-ads' (label 'advertising') share no STE type" \
	check res order net:br-ads --policy $F2
expect resource_unlabelled_allowed 0 \
	"allow: resource 'vsock:3' is not labelled in policy 'figure2'" \
	check resource computing vsock:3 --policy $F2
expect resource_json 0 \
	'{"decision":"allow","reason":"label '\''order'\'' and resource '\''net:br-order'\'' (label '\''order'\'') share STE type '\''Order'\''"}' \
	-j check resource order net:br-order --policy $F2
expect_match resource_unknown_kind 1 "^Error: resource 'disk:sda': " \
	check resource order disk:sda --policy $F2
expect_match resource_bad_cid 1 "^Error: resource 'vsock:2': " \
	check resource order vsock:2 --policy $F2
expect_err resource_needs_resource 2 \
	"Error: 'check resource' needs 2 arguments; see 'shypectl check help'" \
	check resource order --policy $F2

### check create: the Chinese Wall

expect create_order_alone 0 "allow" check create order --policy $F2
expect create_order_beside_advertising_denied 3 \
	"deny: Chinese Wall: type 'Order' of label 'order' conflicts with running type 'Advertising'" \
	check create order --running advertising --policy $F2
expect create_advertising_beside_order_denied 3 \
	"deny: Chinese Wall: type 'Advertising' of label 'advertising' conflicts with running type 'Order'" \
	check create advertising --running computing,order --policy "$T/f2.bin"
expect create_order_beside_own_coalition 0 "allow" \
	check create order --running order,computing,vdisk_server --policy $F2
expect create_computing_unaffected 0 "allow" \
	check create computing --running order,vdisk_server --policy $F2
expect create_computing_unaffected_ads 0 "allow" \
	check create computing --running advertising --policy $F2
expect create_vdisk_server_beside_either 0 "allow" \
	check create vdisk_server --running advertising --policy $F2
expect create_running_repeated 3 \
	"deny: Chinese Wall: type 'Order' of label 'order' conflicts with running type 'Advertising'" \
	check create order --running computing --running advertising --policy $F2
expect create_json 3 \
	'{"decision":"deny","reason":"Chinese Wall: type '\''Order'\'' of label '\''order'\'' conflicts with running type '\''Advertising'\''"}' \
	-j check create order --running advertising --policy $F2
expect_err create_running_breaks_wall 1 \
	"Error: the running VMs break the Chinese Wall: type 'Advertising' of running label 'advertising' conflicts with running type 'Order'" \
	check create computing --running order,advertising --policy $F2
expect_err create_running_unknown_label 1 \
	"Error: unknown label 'advertsing'; did you mean 'advertising'?" \
	check create order --running advertsing --policy $F2
# As the kernel (and 'domain dry-run', the qemu hook) decide: a VM whose
# label is not a VM label of the policy is denied, not an error.
expect create_unknown_label_denied 3 \
	"deny: unknown label 'advertsing'; did you mean 'advertising'?" \
	check create advertsing --policy $F2
expect create_resource_label_denied 3 \
	"deny: 'vdisk_order' is a resource label, not a VM label" \
	check create vdisk_order --running order --policy $F2
expect create_unknown_label_json 3 \
	'{"decision":"deny","reason":"unknown label '\''nobody'\'' in policy '\''figure2'\''"}' \
	-j check create nobody --policy $F2
expect_err create_empty_label 1 "Error: unknown label '' in policy 'figure2'" \
	check create '' --policy $F2
expect_err create_needs_label 2 \
	"Error: 'check create' needs 1 argument; see 'shypectl check help'" \
	check create --policy $F2

### chinese-wall.json: overlapping conflict sets

expect cw_banks_conflict 3 \
	"deny: Chinese Wall: type 'BankB' of label 'bank_b' conflicts with running type 'BankA'" \
	check create bank_b --running bank_a --policy $CW
expect cw_bank_beside_oil 0 "allow" \
	check create bank_a --running oil_x,market_feed --policy $CW
expect cw_overlap_bank_c_oil_x 3 \
	"deny: Chinese Wall: type 'OilX' of label 'oil_x' conflicts with running type 'BankC'" \
	check create oil_x --running bank_c --policy $CW
expect cw_two_types_second_conflicts 3 \
	"deny: Chinese Wall: type 'OilY' of label 'bank_a_oil_y' conflicts with running type 'OilX'" \
	check create bank_a_oil_y --running oil_x --policy $CW
expect cw_two_types_beside_own 0 "allow" \
	check create bank_a_oil_y --running bank_a,oil_y --policy $CW
expect cw_market_shared 0 "allow" \
	check share bank_a market_feed --policy $CW
expect cw_ledger_private 3 \
	"deny: label 'bank_b' and resource 'shm:/dev/shm/ledger-a' (label 'ledger_a') share no STE type" \
	check resource bank_b shm:/dev/shm/ledger-a --policy $CW
expect cw_oil_network_private 3 \
	"deny: label 'bank_a' and resource 'net:br-oil-x' (label 'oil_x_net') share no STE type" \
	check resource bank_a net:br-oil-x --policy $CW
expect minimal_allows_all 0 "allow" \
	check share default default --policy policies/minimal.json

### policy analyze: the flows a policy allows (Figure 2's vdisk_server
### carries data between Order and Advertising, which never run at once)

expect analyze_figure2 0 "policy figure2  version 1.0
label advertising  vm  resources net:br-ads  reaches order vdisk_ads vdisk_order vdisk_server
label computing  vm  reaches nothing
label order  vm  resources net:br-order  reaches advertising vdisk_ads vdisk_order vdisk_server
label vdisk_ads  resource  resources shm:/dev/shm/vdisk-ads  reaches advertising order vdisk_order vdisk_server
label vdisk_order  resource  resources shm:/dev/shm/vdisk-order  reaches advertising order vdisk_ads vdisk_server
label vdisk_server  vm  reaches advertising order vdisk_ads vdisk_order
flow advertising vdisk_ads  ste Advertising
flow advertising vdisk_server  ste Advertising
flow order vdisk_order  ste Order
flow order vdisk_server  ste Order
flow vdisk_ads vdisk_server  ste Advertising
flow vdisk_order vdisk_server  ste Order
conflict Advertising Order  labels advertising order  through vdisk_server
unused chwall_type Computing  in no conflict set: it keeps no VM out" \
	policy analyze $F2
run -j policy analyze "$T/f2.bin"
check analyze_blob_json_names_intermediary grep -qF \
	'"conflicts":[{"type":"Advertising","other_type":"Order","label":"advertising","other_label":"order","conflict_set":["Advertising","Order"],"through":["vdisk_server"]}]' \
	"$T/out"
check analyze_json_reaches grep -qF \
	'{"label":"computing","kind":"vm","unlabeled":false,"resources":[],"reaches":[]}' \
	"$T/out"
run policy analyze -f json $F2
check analyze_format_json [ "$rc" = 0 -a "$(head -c 20 "$T/out")" = '{"policy":"figure2",' ]
run policy analyze --format dot $F2
check analyze_dot_is_graph [ "$rc" = 0 -a "$(head -n1 "$T/out")" = 'graph "figure2" {' -a "$(tail -n1 "$T/out")" = "}" ]
check analyze_dot_edge grep -qxF \
	'	"order" -- "vdisk_server" [label="Order"];' "$T/out"
check analyze_dot_resource grep -qxF \
	'	"vdisk_order" [shape=cylinder, tooltip="shm:/dev/shm/vdisk-order"];' \
	"$T/out"
check analyze_dot_conflict grep -qxF \
	'	"advertising" -- "order" [style=dashed, color=red, label="conflict Advertising/Order through vdisk_server"];' \
	"$T/out"
run policy analyze policies/three-tenants.json
check analyze_tenants_name_both_services grep -qxF \
	'conflict Acme Globex  labels acme globex  through monitor storage' \
	"$T/out"
check analyze_tenants_nothing_unused [ -z "$(grep '^unused' "$T/out")" ]
check analyze_tenants_probe_label_isolated grep -qxF \
	'label libvirt  vm  unlabeled  reaches nothing' "$T/out"
cat >"$T/wall.json" <<'EOF'
{ "name": "wall", "version": "1.0",
  "ste": { "types": ["A", "B", "C", "Spare"] },
  "chwall": { "types": ["A", "B", "Idle"], "conflict_sets": [["A", "B"]] },
  "labels": { "a": { "ste": ["A", "C"], "chwall": ["A"] },
              "b": { "ste": ["B"], "chwall": ["B"] },
              "c": { "ste": ["C"] } },
  "resource_labels": { "orphan": { "ste": ["C"] } } }
EOF
expect analyze_unused_and_walled 0 "policy wall  version 1.0
label a  vm  reaches c orphan
label b  vm  reaches nothing
label c  vm  reaches a orphan
label orphan  resource  reaches a c
flow a c  ste C
flow a orphan  ste C
flow c orphan  ste C
unused ste_type Spare  no label has it
unused chwall_type Idle  no label has it
unused label orphan  no resource has it (it may still be given at run time)" \
	policy analyze "$T/wall.json"
for p in policies/*.json; do
	run policy analyze "$p"
	check "policy_analyze_runs $p" [ "$rc" = 0 -a -n "$out" -a -z "$err" ]
done
expect_err analyze_needs_file 2 \
	"Error: 'policy analyze' needs one FILE or 'active'; see 'shypectl policy help'" \
	policy analyze
expect_err analyze_bad_format 2 "Error: 'svg' is not one of { text | json | dot }" \
	policy analyze -f svg $F2
expect_err analyze_missing_file 1 \
	"$T/none.json: cannot read: No such file or directory" \
	policy analyze "$T/none.json"

### policy diff

expect diff_same_is_empty 0 "" policy diff $F2 "$T/f2.bin"
expect diff_figure2_libvirt 0 "changed policy name  figure2 figure2-libvirt
added ste_type Libvirt
added label libvirt  vm  ste +Libvirt
changed policy unlabeled  deny libvirt" \
	policy diff $F2 policies/figure2-libvirt.json
sed -e 's/"version": "1.0"/"version": "1.1"/' \
	-e 's/"vdisk_server": {/"vdisk_server": { "chwall": ["Computing"],/' \
	-e 's/"ste": \["Order", "Advertising"\]$/"ste": ["Order"]/' \
	-e 's/\["Order", "Advertising"\]\]/["Order", "Advertising", "Computing"]]/' \
	-e 's|"net:br-ads": "advertising"|"net:br-ads": "vdisk_ads", "vsock:7": "computing"|' \
	-e 's|"shm:/dev/shm/vdisk-order": "vdisk_order",||' \
	-e 's/"unlabeled": "deny"/"unlabeled": "computing"/' $F2 >"$T/f2b.json"
expect diff_every_kind 0 "changed policy version  1.0 1.1
removed conflict_set Advertising,Order
added conflict_set Advertising,Computing,Order
changed label vdisk_server  ste -Advertising  chwall +Computing
removed resource shm:/dev/shm/vdisk-order  label vdisk_order
changed resource net:br-ads  label advertising vdisk_ads
added resource vsock:7  label computing
changed policy unlabeled  deny computing" \
	policy diff $F2 "$T/f2b.json"
run -j policy diff $F2 policies/figure2-libvirt.json
check diff_json [ "$rc" = 0 ] &&
	check diff_json_changes grep -qxF \
		'{"old":"policies/figure2.json","new":"policies/figure2-libvirt.json","changes":[{"change":"changed","kind":"policy","name":"name","old":"figure2","new":"figure2-libvirt"},{"change":"added","kind":"ste_type","name":"Libvirt"},{"change":"added","kind":"label","name":"libvirt","label_kind":"vm","ste_added":["Libvirt"],"ste_removed":[],"chwall_added":[],"chwall_removed":[]},{"change":"changed","kind":"policy","name":"unlabeled","old":"deny","new":"libvirt"}]}' \
		"$T/out"
expect_err diff_needs_two 2 \
	"Error: 'policy diff' needs two policies (FILE or 'active'); see 'shypectl policy help'" \
	policy diff $F2
expect_match diff_invalid_policy 1 "^$T/bad.json:[0-9]+:[0-9]+: " \
	policy diff $F2 "$T/bad.json"

### Files: "file:PATH" resources and "unlabeled_files"

# figure2 with two file rules and unlabelled files read-only.
sed -e 's|"net:br-order": "order"|"net:br-order": "order", "file:/srv/img/o.img": "order", "file:/srv/img/a.img": "vdisk_ads"|' \
	-e 's/"unlabeled": "deny"/"unlabeled": "deny", "unlabeled_files": "deny"/' \
	$F2 >"$T/f2files.json"
run policy show "$T/f2files.json"
check policy_show_file_rules [ "$rc" = 0 -a "$(grep '^resource file:' "$T/out")" = "resource file:/srv/img/a.img  label vdisk_ads
resource file:/srv/img/o.img  label order" ]
check policy_show_unlabeled_files [ "$(tail -n1 "$T/out")" = "unlabeled_files deny" ]
run -j policy show "$T/f2files.json"
check policy_show_files_json grep -qF \
	'{"resource":"file:/srv/img/a.img","kind":"file","name":"/srv/img/a.img","label":"vdisk_ads"}' "$T/out"
check policy_show_unlabeled_files_json grep -qF '"unlabeled":"deny","unlabeled_files":"deny"}' "$T/out"
"$SHYPECTL" policy compile "$T/f2files.json" -o "$T/f2files.bin"
expect policy_show_files_blob 0 "$("$SHYPECTL" policy show "$T/f2files.json")" \
	policy show "$T/f2files.bin"
expect diff_files 0 "added resource file:/srv/img/a.img  label vdisk_ads
added resource file:/srv/img/o.img  label order
changed policy unlabeled_files  label deny" \
	policy diff $F2 "$T/f2files.json"
expect check_resource_file_rule 3 \
	"deny: label 'advertising' and resource 'file:/srv/img/o.img' (label 'order') share no STE type" \
	check resource advertising file:/srv/img/o.img --policy "$T/f2files.json"
expect check_resource_file_unlabelled 0 \
	"allow: resource 'file:/srv/x.img' is not labelled in policy 'figure2': unless its security.shype labels it, any VMM may read it, and a write is refused (\"unlabeled_files\": \"deny\")" \
	check resource order file:/srv/x.img --policy "$T/f2files.json"
cat >"$T/badfiles.json" <<'EOF2'
{ "name": "p", "version": "1", "ste": { "types": ["A"] },
  "labels": { "a": { "ste": ["A"] } },
  "resources": { "file:img/a.img": "a", "fil:/a.img": "a", "file:/b c": "a" },
  "unlabeled_files": "lable" }
EOF2
expect_err policy_check_file_mistakes 1 \
	"$T/badfiles.json:3:18: resource 'file:img/a.img': a file: resource is an absolute path of printable ASCII without spaces, at most 255 bytes
$T/badfiles.json:3:41: resource 'fil:/a.img': unknown resource kind; the kinds are shm:, net:, vsock: and file:
$T/badfiles.json:3:60: resource 'file:/b c': a file: resource is an absolute path of printable ASCII without spaces, at most 255 bytes
$T/badfiles.json:4:22: 'unlabeled_files' is 'lable'; did you mean 'label'?" \
	policy check "$T/badfiles.json"

### audit explain: the rule that refused a denial, the smallest changes
### that allow it, and which of them cross a conflict set

expect explain_chinese_wall 0 "seq=4 op=create result=denied vm=3(advertising) pid=77 reason=chinese_wall type=Advertising running=Order peer=1(order)
  rule: Chinese Wall: conflict set {Advertising, Order}: a VM of label 'advertising' (type 'Advertising') may not start while a VM of type 'Order' runs (vm 1(order))
  fix: stop every VM of type 'Order' first (no policy change): the wall is working as meant
  fix: take 'Advertising' or 'Order' out of conflict set {Advertising, Order}
    warning: crosses conflict set {Advertising, Order}: VMs of types 'Advertising' and 'Order' could run at once, and share wherever their STE types allow" \
	audit explain --policy $F2 'seq=4 op=create result=denied vm=3(advertising) pid=77 reason=chinese_wall type=Advertising running=Order peer=1(order)'
expect explain_file_ste 0 "op=file result=denied pid=268(computing) file_label=order access=read how=open reason=ste path=/img/o.img
  rule: a VMM of label 'computing' may open a file labelled 'order' (/img/o.img) only if the labels have an STE type in common
  fix: if the file is not the other coalition's data, relabel it: shypectl resource label file:/img/o.img computing
  fix: add STE type 'Order' to label 'computing'
  fix: add STE type 'Computing' to label 'order'" \
	audit explain --policy $F2 op=file result=denied 'pid=268(computing)' \
	file_label=order access=read how=open reason=ste path=/img/o.img
expect explain_file_cannot_label 0 "op=file result=denied pid=9(order) file_label=- access=write how=open reason=cannot_label path=/nfs/o.img
  rule: an unlabelled file written by a VMM becomes its, but the filesystem of /nfs/o.img cannot store the label (security.shype)
  fix: keep the VM's files on a filesystem with extended attributes (ext4, xfs, btrfs, tmpfs)
  fix: label it in the policy: \"file:/nfs/o.img\": \"order\"" \
	audit explain --policy $F2 op=file result=denied 'pid=9(order)' \
	file_label=- access=write how=open reason=cannot_label path=/nfs/o.img
expect explain_ste_safe_fix 0 "op=irqfd result=denied vm=3(order) pid=7 reason=ste peer=5(computing) class=eventfd
  rule: STE: a VM of label 'order' may not share eventfd with a VM of label 'computing': the labels have no STE type in common
  fix: add STE type 'Computing' to label 'order'
  fix: add STE type 'Order' to label 'computing'" \
	audit explain --policy $F2 op=irqfd result=denied 'vm=3(order)' pid=7 \
	reason=ste 'peer=5(computing)' class=eventfd
expect explain_ste_warns_on_wall 0 "op=irqfd result=denied vm=3(c) pid=7 reason=ste peer=5(b) class=eventfd
  rule: STE: a VM of label 'c' may not share eventfd with a VM of label 'b': the labels have no STE type in common
  fix: add STE type 'B' to label 'c'
    warning: crosses conflict set {A, B}: labels 'a' and 'b' could then exchange data through c
  fix: add STE type 'C' to label 'b'
    warning: crosses conflict set {A, B}: labels 'a' and 'b' could then exchange data directly" \
	audit explain --policy "$T/wall.json" 'op=irqfd result=denied vm=3(c) pid=7 reason=ste peer=5(b) class=eventfd'
expect explain_resource 0 "seq=9 op=memslot result=denied vm=3(advertising) pid=7 reason=ste class=shm label=vdisk_order path=/dev/shm/vdisk-order
  rule: STE: a VM of label 'advertising' may use shm /dev/shm/vdisk-order (label 'vdisk_order') only if the labels have an STE type in common, and they have none
  fix: add STE type 'Order' to label 'advertising'
    warning: crosses conflict set {Advertising, Order}: labels 'advertising' and 'order' could then exchange data directly
  fix: add STE type 'Advertising' to label 'vdisk_order'
    warning: crosses conflict set {Advertising, Order}: labels 'advertising' and 'order' could then exchange data through vdisk_order
  fix: label resource shm:/dev/shm/vdisk-order 'advertising' (\"resources\": {\"shm:/dev/shm/vdisk-order\": \"advertising\"}); for a file, at run time: shypectl resource label /dev/shm/vdisk-order advertising
    warning: VMs of label 'order' could no longer use it
    warning: crosses conflict set {Advertising, Order}: what VMs of label 'order' left in it would pass to label 'advertising'" \
	audit explain --policy $F2 'seq=9 op=memslot result=denied vm=3(advertising) pid=7 reason=ste class=shm label=vdisk_order path=/dev/shm/vdisk-order'
run audit explain --policy $F2 'op=create result=denied vm=8(-) pid=9 reason=unlabeled'
check explain_unlabeled_rule grep -qxF "  rule: the VM was created outside any labelled cgroup, and policy 'figure2' refuses unlabelled VMs (\"unlabeled\": \"deny\")" "$T/out"
check explain_unlabeled_names_libvirt_label grep -q "a label such as 'libvirt'" "$T/out"
run audit explain --policy $F2 'op=irqfd result=denied vm=3(order) pid=7 reason=ste peer=5(vdisk_server) class=eventfd'
check explain_allowed_now grep -qxF "  note: policy 'figure2' lets them share (STE type 'Order'): the denial was made under another policy" "$T/out"
printf '%s\n' 'op=create result=denied vm=8(x) pid=9 reason=unknown_label' \
	'type=UNKNOWN[1499] msg=audit(1700000000.1:5): op=policy_load result=denied reason=stale_version policy=figure2 active=1.2 new=1.1' \
	>"$T/records"
run audit explain --policy $F2 - <"$T/records"
check explain_stdin_two [ "$rc" = 0 -a "$(grep -c '^  rule: ' "$T/out")" = 2 ]
check explain_kernel_audit_record grep -qxF '  fix: raise "version" above 1.2' "$T/out"
printf '%s\n' '----' 'time->Thu Dec  3 13:00:00 2026' \
	'type=UNKNOWN[1499] msg=audit(1764756000.123:42): op=memslot result=denied vm=4(computing) pid=321 reason=ste class=shm label=vdisk_order path=2F6465762F73686D2F766469736B2D6F72646572' \
	>"$T/ausearch"
run audit explain --policy $F2 - <"$T/ausearch"
check explain_ausearch_hex_path [ "$rc" = 0 ] &&
	check explain_ausearch_decodes_path grep -qxF \
		"  rule: STE: a VM of label 'computing' may use shm /dev/shm/vdisk-order (label 'vdisk_order') only if the labels have an STE type in common, and they have none" \
		"$T/out"
echo '----' >"$T/no-records"
expect_err explain_stdin_no_record 1 \
	"Error: no shype denial record on standard input" \
	audit explain --policy $F2 - <"$T/no-records"
run -j audit explain --policy $F2 'op=irqfd result=denied vm=3(order) pid=7 reason=ste peer=5(computing) class=eventfd'
check explain_json grep -qxF \
	'{"explanations":[{"record":"op=irqfd result=denied vm=3(order) pid=7 reason=ste peer=5(computing) class=eventfd","rule":"STE: a VM of label '"'order'"' may not share eventfd with a VM of label '"'computing'"': the labels have no STE type in common","fixes":[{"fix":"add STE type '"'Computing'"' to label '"'order'"'","policy_change":true,"warnings":[]},{"fix":"add STE type '"'Order'"' to label '"'computing'"'","policy_change":true,"warnings":[]}]}]}' \
	"$T/out"
run audit explain --policy $F2 'op=irqfd result=denied vm=3(zz) pid=7 reason=ste peer=5(order) class=eventfd'
check explain_label_not_in_policy grep -qxF \
	"  rule: STE: VMs of labels 'zz' and 'order' may share only if their labels have an STE type in common; policy 'figure2' has no label 'zz'" \
	"$T/out"
run audit explain --policy $F2 'op=memslot result=denied vm=3(order) pid=7 reason=ste class=shm label=ghost path=/dev/shm/x'
check explain_run_time_label_not_in_policy [ "$(sed -n 2,3p "$T/out")" = "  rule: shm /dev/shm/x carries label 'ghost', which policy 'figure2' does not have: no VM may use it
  fix: give the file a label of the policy: shypectl resource label /dev/shm/x LABEL" ]
expect_err explain_not_a_record 1 \
	"Error: not a shype denial record (no op= and reason=): hello" \
	audit explain --policy $F2 hello
expect_err explain_bad_count 2 \
	"Error: '0' is not a number of denials from 1 to 256" \
	audit explain --policy $F2 -n 0

### three-tenants.json: each tenant shares with the shared services only,
### on its own volume and bridges; Acme and Globex never run at once.

TT=policies/three-tenants.json
while read -r name want args; do
	# shellcheck disable=SC2086 # words of a command
	run check $args --policy $TT
	check "tenants_$name" [ "$rc" = "$want" ]
done <<'EOF'
apart 3 share acme globex
apart_from_uncompeting 3 share initech globex
storage_serves_tenant 0 share acme storage
monitor_watches_tenant 0 share globex monitor
own_volume 0 resource acme shm:/dev/shm/vol-acme
others_volume 3 resource acme shm:/dev/shm/vol-globex
storage_has_every_volume 0 resource storage shm:/dev/shm/vol-globex
monitor_on_metrics_bridge 0 resource monitor net:br-mon-globex
others_metrics_bridge 3 resource globex net:br-mon-acme
probe_vm_on_no_bridge 3 resource libvirt net:br-acme
competitor_waits 3 create globex --running acme
uncompeting_runs_beside 0 create initech --running acme,storage,monitor
services_run_beside 0 create storage --running acme,monitor
EOF

### Kernel-facing commands: help and usage errors (exit 2)

run help
check help_lists_kernel_objects grep -q \
	'OBJECT := { policy | check | load | status | vm | binding | label | resource | run | mode | audit | stats | domain | hook | daemon | boot }' \
	"$T/out"
for h in "load:Usage: shypectl load FILE [force] [--dry-run]" \
	"status:Usage: shypectl status" \
	"vm:Usage: shypectl vm { list | show }" \
	"label:Usage: shypectl label set CGROUP LABEL" \
	"resource:Usage: shypectl resource label RESOURCE LABEL [force] [--policy POLICY]" \
	"run:Usage: shypectl run --label LABEL [--cgroup CGROUP] -- COMMAND [ARG]..." \
	"mode:Usage: shypectl mode [ MODE ]" \
	"audit:Usage: shypectl audit [{-f|--follow}]" \
	"stats:Usage: shypectl stats"; do
	obj=${h%%:*}
	run "$obj" help
	check "${obj}_help" [ "$rc" = 0 -a "$(head -n1 "$T/out")" = "${h#*:}" ]
done
run label help
check label_help_grammar grep -q 'CGROUP := { /PATH | /sys/fs/cgroup/PATH }' \
	"$T/out"
run mode help
check mode_help_grammar grep -q 'MODE := { enforce | permissive }' "$T/out"
expect_err ambiguous_object 2 "Error: 'st' is ambiguous: { status | stats }" st
run load
check load_needs_file [ "$rc" = 2 -a -z "$out" ] &&
	check load_needs_file_prints_usage \
		grep -q '^Usage: shypectl load FILE \[force\]' "$T/err"
expect_err load_bad_force 2 \
	"Error: 'load' takes FILE [force] [--dry-run]; see 'shypectl load help'" \
	load $F2 forc
expect_err load_too_many 2 \
	"Error: 'load' takes FILE [force] [--dry-run]; see 'shypectl load help'" \
	load $F2 force force
expect_err status_no_argument 2 \
	"Error: 'status' takes no argument; see 'shypectl status help'" status x
expect_err stats_no_argument 2 \
	"Error: 'stats' takes no argument; see 'shypectl stats help'" stats x
expect_err vm_unknown_command 2 \
	"Error: 'frob' is not one of { list | show | help }" vm frob
expect_err vm_list_no_argument 2 \
	"Error: 'vm list' takes no argument; see 'shypectl vm help'" vm list x
expect_err label_set_needs_two 2 \
	"Error: 'label set' needs CGROUP LABEL; see 'shypectl label help'" \
	label s /x
expect_err label_get_needs_one 2 \
	"Error: 'label get' needs one CGROUP; see 'shypectl label help'" \
	label get
expect_err label_unset_needs_one 2 \
	"Error: 'label unset' needs one CGROUP; see 'shypectl label help'" \
	label unset /a /b
expect_err label_list_no_argument 2 \
	"Error: 'label list' takes no argument; see 'shypectl label help'" \
	label list /x
expect_err resource_label_needs_two 2 \
	"Error: 'resource label' needs RESOURCE LABEL; see 'shypectl resource help'" \
	resource label /x
expect_err resource_list_no_argument 2 \
	"Error: 'resource list' takes no argument; see 'shypectl resource help'" \
	resource list /x
expect_err resource_label_bad_name 1 "Error: 'a b' is not a label name" \
	resource label /x "a b"
expect_err resource_label_no_file 1 \
	"Error: '$T/no-such': No such file or directory" \
	resource label "$T/no-such" order
expect_err run_needs_label 2 \
	"Error: 'run' needs --label LABEL; see 'shypectl run help'" run -- true
expect_err run_needs_command 2 \
	"Error: 'run' needs -- COMMAND; see 'shypectl run help'" \
	run --label order --
expect_err run_label_needs_argument 2 \
	"Error: option '--label' needs an argument" run --label
expect_err run_unknown_option 2 "Error: unknown option '--frob'" \
	run --frob --label order -- true
expect_err mode_unknown 2 "Error: 'strict' is not one of { enforce | permissive }" \
	mode strict
expect_err mode_one_word 2 \
	"Error: 'mode' takes one MODE; see 'shypectl mode help'" \
	mode enforce permissive
expect_err audit_no_argument 2 \
	"Error: 'audit' takes no argument; see 'shypectl audit help'" audit x
expect_err audit_unknown_option 2 "Error: unknown option '-x'" audit -x

### Kernel-facing commands on stand-in files: $SHYPE_SECURITYFS and
### $SHYPE_CGROUP_ROOT name a directory of regular files and one of plain
### directories.  (The real kernel: tests/vm/shypectl_kernel.sh.)

export SHYPE_SECURITYFS=$T/none SHYPE_CGROUP_ROOT=$T/cg
for c in status "vm list" "label list" "label get /" "label set /x order" \
	"label unset /x" stats mode "mode enforce" audit \
	"load $F2" "run --label order -- true" "resource list" \
	"resource label $F2 order" "resource unlabel $F2" \
	"domain label d order" "domain dry-run d" "policy analyze active" \
	"policy diff $F2 active" "load $F2 --dry-run" "audit explain"; do
	# shellcheck disable=SC2086 # words of a command
	expect_err "not_loaded: $c" 1 \
		"Error: shype.ko is not loaded (no $T/none)" $c
done

S=$T/sfs
mkdir -p "$S" "$T/cg/machine.slice/vm1/emulator"
export SHYPE_SECURITYFS=$S
hex=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
echo "policy=figure2 version=1.0 digest=$hex mode=enforce vms=2 hooks=3" \
	>"$S/status"
printf 'vm=1 pid=100 label=order\nvm=7 pid=101 label=-\n' >"$S/vms"
printf 'op=create calls=5 allowed=3 denied=2\nop=policy_load calls=1 allowed=1 denied=0\n' \
	>"$S/stats"
echo permissive >"$S/mode"
printf '%s\n' \
	'seq=4 op=create result=denied vm=3(advertising) pid=77 reason=chinese_wall type=Advertising running=Order' \
	'seq=5 op=policy_load result=denied reason=other_name active=figure2 new=minimal' \
	>"$S/audit"
ms_id=$(stat -c %i "$T/cg/machine.slice")
printf 'cgroup=/machine.slice id=%s label=order\ncgroup=/gone id=1 label=advertising\n' \
	"$ms_id" >"$S/cgroups"

expect status_text 0 "policy figure2  version 1.0
digest $hex
mode enforce  vms 2  hooks 3
require_policy no" status
expect status_json 0 \
	"{\"policy\":\"figure2\",\"version\":\"1.0\",\"digest\":\"$hex\",\"mode\":\"enforce\",\"vms\":2,\"hooks\":3,\"require_policy\":false}" \
	-j status
echo "policy=- version=- digest=- mode=permissive vms=0 hooks=3" \
	>"$T/status-none"
cp "$S/status" "$T/status-keep"
cp "$T/status-none" "$S/status"
expect status_no_policy 0 "policy -  version -
digest -
mode permissive  vms 0  hooks 3
require_policy no" status
expect status_no_policy_json 0 \
	'{"policy":null,"version":null,"digest":null,"mode":"permissive","vms":0,"hooks":3,"require_policy":false}' \
	status -j
echo "policy=- version=- digest=- mode=enforce vms=0 hooks=3 memory=0 require_policy=1" \
	>"$S/status"
expect status_require_policy_json 0 \
	'{"policy":null,"version":null,"digest":null,"mode":"enforce","vms":0,"hooks":3,"require_policy":true}' \
	status -j
echo "policy=- version=- digest=- mode=enforce vms=0 hooks=3 require_policy=2" \
	>"$S/status"
expect_err status_require_policy_malformed 1 \
	"Error: $S/status: a line not in the format of the uapi header (shypectl older than shype.ko?)" \
	status
echo "policy=figure2 mode=enforce" >"$S/status"
expect_err status_malformed 1 \
	"Error: $S/status: a line not in the format of the uapi header (shypectl older than shype.ko?)" \
	status
cp "$T/status-keep" "$S/status"

expect vm_list 0 "vm 1  pid 100  label order
vm 7  pid 101  label -" vm list
expect vm_show_json 0 \
	'{"vms":[{"vm":1,"pid":100,"label":"order"},{"vm":7,"pid":101,"label":null}]}' \
	vm show -j
printf 'object=1 class=eventfd vms=1(order),3(vdisk_server)\nobject=4 class=eventfd vms=7(advertising)\n' >"$S/bindings"
expect binding_list 0 "object 1  class eventfd  vms 1(order) 3(vdisk_server)
object 4  class eventfd  vms 7(advertising)" binding list
expect binding_list_json 0 \
	'{"bindings":[{"object":1,"class":"eventfd","vms":[{"vm":1,"label":"order"},{"vm":3,"label":"vdisk_server"}]},{"object":4,"class":"eventfd","vms":[{"vm":7,"label":"advertising"}]}]}' \
	binding list -j
echo "object=1 class=eventfd vms=1order" >"$S/bindings"
expect_err binding_list_malformed 1 \
	"Error: $S/bindings: a line not in the format of the uapi header (shypectl older than shype.ko?)" \
	binding list

expect stats_text 0 "op create  calls 5  allowed 3  denied 2
op policy_load  calls 1  allowed 1  denied 0" stats
expect stats_json 0 \
	'{"stats":[{"op":"create","calls":5,"allowed":3,"denied":2},{"op":"policy_load","calls":1,"allowed":1,"denied":0}]}' \
	-j stats
expect mode_show 0 "mode permissive" mode
expect mode_show_json 0 '{"mode":"permissive"}' -j mode
expect mode_set 0 "" mode enf
check mode_set_writes [ "$(head -n1 "$S/mode")" = enforce ]
expect mode_set_json 0 '{"mode":"permissive"}' mode -j permissive

expect audit_text 0 "$(cat "$S/audit")" audit
expect audit_json_lines 0 \
	'{"seq":4,"op":"create","result":"denied","vm":{"id":3,"label":"advertising"},"pid":77,"reason":"chinese_wall","type":"Advertising","running":"Order"}
{"seq":5,"op":"policy_load","result":"denied","reason":"other_name","active":"figure2","new":"minimal"}' \
	audit --json

expect label_list 0 "cgroup /machine.slice  id $ms_id  label order
cgroup /gone  id 1  label advertising" label list
expect label_list_json 0 \
	"{\"cgroups\":[{\"cgroup\":\"/machine.slice\",\"id\":$ms_id,\"label\":\"order\"},{\"cgroup\":\"/gone\",\"id\":1,\"label\":\"advertising\"}]}" \
	-j label list
expect label_get_inherited 0 \
	"cgroup /machine.slice/vm1/emulator  label order  from /machine.slice" \
	label get /machine.slice/vm1/emulator
expect label_get_absolute_path 0 \
	"cgroup /machine.slice/vm1  label order  from /machine.slice" \
	label get "$T/cg//machine.slice/vm1/"
expect label_get_relative_path 0 \
	"cgroup /machine.slice  label order  from /machine.slice" \
	label get machine.slice
expect label_get_none_json 0 '{"cgroup":"/","label":null,"from":null}' \
	-j label get /
expect_err label_get_no_cgroup 1 "Error: no cgroup '/gone'" label get /gone
expect_err label_get_dotdot 1 \
	"Error: cgroup '/machine.slice/../x': '.', '..', spaces and control characters are not allowed" \
	label get /machine.slice/../x
expect_err label_get_empty 1 "Error: an empty CGROUP; the root cgroup is '/'" \
	label get ''
expect_err label_set_bad_name 1 "Error: 'or der' is not a label name" \
	label set /x 'or der'
: >"$S/cgroups"
expect label_set 0 "" label set /machine.slice/vm2 order
check label_set_writes_line [ "$(cat "$S/cgroups")" = "label /machine.slice/vm2 order" ]
check label_set_makes_cgroup [ -d "$T/cg/machine.slice/vm2" ]
check label_set_recorded [ "$(grep -v '^#' "$SHYPE_STATE")" = "cgroup /machine.slice/vm2 order" ]
: >"$S/cgroups"
expect label_set_deep_json 0 '{"cgroup":"/a/b/c","label":"ads"}' \
	-j label set "$T/cg/a/b/c" ads
check label_set_makes_parents [ -d "$T/cg/a/b/c" ]
expect label_set_again 0 "" label set /machine.slice/vm2 advertising
check label_set_replaces_record [ "$(grep -v '^#' "$SHYPE_STATE")" = "cgroup /a/b/c ads
cgroup /machine.slice/vm2 advertising" ]
: >"$S/cgroups"
expect label_unset_json 0 '{"cgroup":"/a/b","label":null}' \
	label unset /a//b/ -j
check label_unset_writes_line [ "$(cat "$S/cgroups")" = "unlabel /a/b" ]
expect label_unset_recorded 0 "" label unset /a/b/c
check label_unset_drops_record [ "$(grep -v '^#' "$SHYPE_STATE")" = "cgroup /machine.slice/vm2 advertising" ]
check label_state_no_temporary_left [ ! -e "$SHYPE_STATE.new" ]
: >"$T/file"
SHYPE_STATE=$T/file/labels expect_err label_set_unrecorded 1 \
	"Error: the label is given but not recorded in $T/file/labels, so a reboot forgets it: Not a directory" \
	label set /machine.slice/vm2 order
SHYPE_STATE=$T/file/labels expect_err label_unset_unrecorded 1 \
	"Error: the label is removed but still recorded in $T/file/labels, so a reboot gives it again: Not a directory" \
	label unset /machine.slice/vm2
chmod 000 "$SHYPE_STATE"
if [ "$(id -u)" != 0 ]; then
	expect_err label_set_keeps_unreadable_state 1 \
		"Error: the label is given but not recorded in $SHYPE_STATE, so a reboot forgets it: Permission denied" \
		label set /machine.slice/vm3 order
fi
chmod 644 "$SHYPE_STATE"
: >"$S/resources"
expect resource_label_recorded 0 "" resource label "$F2" order
check resource_label_record [ "$(grep '^file' "$SHYPE_STATE")" = "file $PWD/$F2 order" ]
expect resource_unlabel_recorded 0 "" resource unlabel "$F2"
check resource_unlabel_drops_record [ -z "$(grep '^file' "$SHYPE_STATE")" ]
: >"$S/cgroups"

# load writes the blob, after a load request when forced.
"$SHYPECTL" policy compile $F2 -o "$T/f2.bin"
: >"$S/policy"
expect load_plain 0 "" load $F2
check load_writes_blob cmp -s "$T/f2.bin" "$S/policy"
: >"$S/policy"
expect load_force_json 0 \
	"{\"file\":\"$F2\",\"policy\":\"figure2\",\"version\":\"1.0\",\"digest\":\"$digest\",\"force\":true,\"loaded\":true,\"unchanged\":false,\"files\":[]}" \
	-j load $F2 force
check load_force_writes_request \
	[ "$(head -c8 "$S/policy" | od -An -tx1 | tr -d ' ')" = 7348794c01000000 ]
check load_force_writes_blob_after_request \
	cmp -s "$T/f2.bin" <(tail -c +9 "$S/policy")
expect_match load_invalid_policy 1 "^$T/bad.json:[0-9]+:[0-9]+: " \
	load "$T/bad.json"

# run: into the labelled cgroup, then exec.
mkdir -p "$T/cg/shype.slice/order"
: >"$T/cg/shype.slice/order/cgroup.procs"
: >"$S/cgroups"
expect run_execs 0 "hello" run --label order -- sh -c 'echo hello'
check run_labels_cgroup [ "$(cat "$S/cgroups")" = "label /shype.slice/order order" ]
check run_writes_pid grep -qE '^[0-9]+$' "$T/cg/shype.slice/order/cgroup.procs"
printf 'cgroup=/shype.slice/order id=%s label=advertising\n' \
	"$(stat -c %i "$T/cg/shype.slice/order")" >"$S/cgroups"
expect_err run_refuses_other_label 1 \
	"Error: cgroup '/shype.slice/order' is labelled 'advertising', not 'order'" \
	run --label order -- true
expect_err run_bad_label 1 "Error: 'a/b' is not a label name" \
	run --label a/b -- true
mkdir -p "$T/cg/x"
: >"$T/cg/x/cgroup.procs"
expect_err run_missing_program 127 \
	"Error: cannot run '$T/none/prog': No such file or directory" \
	run --label order --cgroup /x -- "$T/none/prog"
expect_err run_no_cgroup_procs 1 \
	"Error: cannot move into cgroup '/y': No such file or directory" \
	run --label order --cgroup /y -- true

# libvirt's qemu hook, on stand-in files: the domain XML on stdin, the
# policy, running VMs and cgroup labels from $S, cgroups under $T/cg.
export SHYPE_LIBVIRT_SYSTEMD=1
"$SHYPECTL" policy compile "$F2" -o "$S/policy" >/dev/null
printf 'vm=1 pid=100 label=order\n' >"$S/vms"
: >"$S/cgroups"
# domxml NAME [LABEL [PARTITION [DEVICES]]]: a domain's XML.
domxml() {
	echo "<domain type='kvm'><name>$1</name>"
	[ -z "${2:-}" ] || echo "<metadata><shype:label xmlns:shype='urn:shype:libvirt:1'>$2</shype:label></metadata>"
	[ -z "${3:-}" ] || echo "<resource><partition>$3</partition></resource>"
	echo "<devices>${4:-}</devices></domain>"
}
# hook NAME RC STDERR XML-ARGS...: the hook at prepare, as libvirt runs it.
hook() {
	local name=$1 want_rc=$2 want_err=$3
	shift 3
	domxml "$@" >"$T/dom.xml"
	"$SHYPECTL" hook qemu "$1" prepare begin - <"$T/dom.xml" >"$T/out" 2>"$T/err"
	rc=$?
	err=$(cat "$T/err")
	if [ "$rc" != "$want_rc" ]; then
		not_ok "$name" "exit $rc, want $want_rc; stderr: $err"
	elif [ "$err" != "$want_err" ]; then
		not_ok "$name" "stderr '$err', want '$want_err'"
	else
		ok "$name"
	fi
}
# check: without --policy, the kernel's active policy.
expect check_share_active_policy 3 \
	"deny: labels 'order' and 'advertising' share no STE type" \
	check share order advertising
expect check_resource_active_policy 0 "allow" \
	check resource order shm:/dev/shm/vdisk-order
expect check_create_active_policy 3 \
	"deny: Chinese Wall: type 'Order' of label 'order' conflicts with running type 'Advertising'" \
	check create order --running advertising
expect check_policy_option_wins 0 "allow" \
	check share bank_a market_feed --policy $CW
cp "$S/status" "$T/status-active"
cp "$T/status-none" "$S/status"
expect_err check_needs_policy_when_none_loaded 2 \
	"Error: 'check share' needs --policy FILE: no policy is loaded" \
	check share order order
cp "$T/status-active" "$S/status"

# Completion: labels and resources whatever the order of the arguments;
# bash-completion's helpers are stand-ins.
# comp CWORD WORD...: the completions of word CWORD of "shypectl WORD...".
# shellcheck disable=SC2317,SC2034,SC1091 # stand-ins called by the script
comp() {
	(
		_init_completion() {
			words=("${COMP_WORDS[@]}")
			cword=$COMP_CWORD
			cur=${words[cword]}
			prev=${words[cword - 1]}
		}
		_filedir() { :; }
		compopt() { :; }
		__ltrim_colon_completions() { :; }
		complete() { :; }
		. completion/shypectl
		COMP_CWORD=$1
		shift
		COMP_WORDS=("$SHYPECTL" "$@")
		COMPREPLY=()
		_shypectl
		echo "${COMPREPLY[*]}"
	)
}
F2_VMS="advertising computing order vdisk_server"
check completion_labels_policy_first \
	[ "$(comp 5 check share --policy $F2 '')" = "$F2_VMS" ]
check completion_labels_policy_after \
	[ "$(comp 3 check share '' --policy $F2)" = "$F2_VMS" ]
check completion_labels_policy_equals_after \
	[ "$(comp 3 check share '' --policy=$CW)" = "bank_a bank_a_oil_y bank_b bank_c market_feed oil_x oil_y" ]
check completion_resources_policy_equals_after \
	[ "$(comp 4 check resource order '' --policy=$F2)" = "shm:/dev/shm/vdisk-ads shm:/dev/shm/vdisk-order net:br-ads net:br-order" ]
check completion_labels_active_policy \
	[ "$(comp 3 check share '')" = "$F2_VMS" ]
check completion_running_active_policy \
	[ "$(comp 5 check create order --running o)" = "order" ]
check completion_domain_label_active_policy \
	[ "$(comp 4 domain label d '')" = "$F2_VMS" ]
# Completion offers each object's commands as shypectl lists them.
for o in policy check vm binding label resource domain; do
	want=$("$SHYPECTL" "$o" zzzz 2>&1 | sed -n 's/.* is not one of { \(.*\) }.*/\1/p' |
		tr -d '|' | xargs -n1 | sort | xargs)
	check "completion_commands_$o" [ -n "$want" ] &&
		check "completion_commands_${o}_match" \
			[ "$(comp 2 "$o" '' | xargs -n1 | sort | xargs)" = "$want" ]
done
check completion_audit_explain [ "$(comp 2 audit '')" = "explain help" ]
check completion_analyze_format [ "$(comp 5 policy analyze $F2 -f '')" = "text json dot" ]
check completion_load_dry_run [ "$(comp 3 load $F2 --d)" = "--dry-run" ]

# libvirt's test driver stands in for libvirtd: domains from an XML file.
# node_dom NAME STATE [LABEL [PARTITION]]: a domain of the test driver.
node_dom() {
	echo "<domain type='test'><name>$1</name><memory>1024</memory><os><type>hvm</type></os>"
	[ -z "${3:-}" ] || echo "<metadata><shype:label xmlns:shype='urn:shype:libvirt:1'>$3</shype:label></metadata>"
	[ -z "${4:-}" ] || echo "<resource><partition>$4</partition></resource>"
	echo "<test:runstate>$2</test:runstate></domain>"
}
{
	echo "<node xmlns:test='http://libvirt.org/schemas/domain/test/1.0'>"
	node_dom plain 1
	node_dom o1 1 order /machine/shype-order
	node_dom ads 5 advertising /machine/shype-advertising
	node_dom typo 1 orders /machine/shype-orders
	node_dom far 5 zzzz /machine/shype-zzzz
	echo "</node>"
} >"$T/node.xml"
VIRT=test://$T/node.xml
expect domain_list 0 "domain ads  id -  state shut-off  label advertising  partition /machine/shype-advertising
domain far  id -  state shut-off  label zzzz  partition /machine/shype-zzzz
domain o1  id 2  state running  label order  partition /machine/shype-order
domain plain  id 1  state running  label -  partition -
domain typo  id 3  state running  label orders  partition /machine/shype-orders" \
	domain list -c "$VIRT"
expect domain_list_json 0 \
	'{"domains":[{"domain":"ads","id":null,"state":"shut-off","label":"advertising","partition":"/machine/shype-advertising"},{"domain":"far","id":null,"state":"shut-off","label":"zzzz","partition":"/machine/shype-zzzz"},{"domain":"o1","id":2,"state":"running","label":"order","partition":"/machine/shype-order"},{"domain":"plain","id":1,"state":"running","label":null,"partition":null},{"domain":"typo","id":3,"state":"running","label":"orders","partition":"/machine/shype-orders"}]}' \
	-j domain list -c "$VIRT"
expect_err domain_list_no_argument 2 \
	"Error: 'domain list' takes no argument; see 'shypectl domain help'" \
	domain list x
# dry-run's advice for a label the policy lacks is a command that works.
run domain dry-run typo -c "$VIRT"
check dry_run_unknown_label_denied [ "$rc" = 3 ]
check dry_run_unknown_label_advice grep -qF \
	"label 'orders' is not a VM label of policy 'figure2'; did you mean 'order'? run 'shypectl domain label typo order'" \
	"$T/out"
run domain dry-run far -c "$VIRT"
check dry_run_far_label_advice grep -qF \
	"label 'zzzz' is not a VM label of policy 'figure2': run 'shypectl domain label far LABEL', LABEL one of advertising computing order vdisk_server" \
	"$T/out"
check dry_run_no_impossible_advice [ -z "$(grep -F "domain label far zzzz" "$T/out")" ]

# dry-run shows the hook's check of live bindings: VM 1 (order) holds
# virbr0, which the test driver's network "default" has for its bridge.
printf '%s\n' 'object=5 class=net name=virbr0 vms=1(order)' >"$S/bindings"
{
	echo "<node xmlns:test='http://libvirt.org/schemas/domain/test/1.0'>"
	echo "<network><name>default</name><bridge name='virbr0'/></network>"
	for d in comp:computing ord:order; do
		node_dom "${d%%:*}" 5 "${d#*:}" "/machine/shype-${d#*:}" |
			sed "s|<test:runstate>|<devices><interface type='network'><source network='default'/></interface></devices>&|"
	done
	echo "</node>"
} >"$T/node-net.xml"
# Its partition's cgroup labelled: the live binding is all that denies.
cg_comp='/machine.slice/machine-shype\x2dcomputing.slice'
mkdir -p "$T/cg$cg_comp"
echo "cgroup=$cg_comp id=$(stat -c %i "$T/cg$cg_comp") label=computing" >"$S/cgroups"
run domain dry-run comp -c "test://$T/node-net.xml"
check dry_run_bound_bridge_denied [ "$rc" = 3 ]
check dry_run_bound_bridge_only_denial [ "$(grep -c ' deny ' "$T/out")" = 1 ]
check dry_run_bound_bridge_names_vm grep -qE \
	"^net:virbr0 +interface network +deny +it is bound to running VM 1 \(label 'order'\), and labels 'computing' and 'order' share no STE type \(VMs bound to one object must share one\)$" \
	"$T/out"
run domain dry-run ord -c "test://$T/node-net.xml"
check dry_run_bound_bridge_allowed_to_own_coalition grep -qE \
	"^net:virbr0 +interface network +allow +label 'order' shares an STE type with the 1 running VM bound to net:virbr0$" \
	"$T/out"
: >"$S/cgroups"

P=/machine/shype-
hook hook_refuses_chinese_wall_conflict 1 \
	"shype: domain 'ads1' refused: Chinese Wall: type 'Advertising' of label 'advertising' conflicts with type 'Order' of running VM 1 (label 'order', pid 100)" \
	ads1 advertising "${P}advertising"
hook hook_refuses_unknown_label 1 \
	"shype: domain 'x' refused: label 'orders' is not a VM label of the active policy 'figure2'" \
	x orders "${P}orders"
hook hook_refuses_resource_label 1 \
	"shype: domain 'x' refused: label 'vdisk_order' is not a VM label of the active policy 'figure2'" \
	x vdisk_order "${P}vdisk_order"
hook hook_refuses_unlabelled_domain 1 \
	"shype: domain 'plain' refused: it has no shype label and policy 'figure2' refuses unlabelled VMs; label it with 'shypectl domain label plain LABEL'" \
	plain
hook hook_refuses_label_without_partition 1 \
	"shype: domain 'o2' refused: it has label 'order' but runs in partition '/machine', not '/machine/shype-order': run 'shypectl domain label o2 order'" \
	o2 order
BR_ORDER="<interface type='bridge'><source bridge='br-order'/><model type='virtio'/></interface>"
hook hook_refuses_interface_on_other_coalitions_bridge 1 \
	"shype: domain 'c2' refused: its interface bridge may not use net:br-order: label 'computing' and net:br-order (label 'order') share no STE type" \
	c2 computing "${P}computing" "$BR_ORDER"
hook hook_refuses_shmem_of_other_coalition 1 \
	"shype: domain 'o2' refused: its shmem ivshmem-plain may not use shm:/dev/shm/vdisk-ads: label 'order' and shm:/dev/shm/vdisk-ads (label 'vdisk_ads') share no STE type" \
	o2 order "${P}order" "<shmem name='vdisk-ads'><model type='ivshmem-plain'/></shmem>"
# Live bindings (the kernel's bindings file): a domain is refused at
# prepare beside a running VM bound to one of its objects whose label
# shares no STE type with its own, as the kernel would refuse its QEMU
# after libvirt said "started".  VM 1 (order) is on libvirt's unlabelled
# virbr0 and holds the unlabelled /dev/shm/shared x.
printf '%s\n' 'object=1 class=eventfd vms=1(order),3(vdisk_server)' \
	'object=5 class=net name=virbr0 vms=1(order)' \
	'object=6 class=shm path=/dev/shm/shared\040x vms=1(order)' \
	'object=8 class=net name=br-lost vms=9(-)' \
	'object=9 class=net name=eth9 vms=1(order)' >"$S/bindings"
LIVE="it is bound to running VM 1 (label 'order'), and labels 'computing' and 'order' share no STE type (VMs bound to one object must share one)"
VIRBR0="<interface type='bridge'><source bridge='virbr0'/><model type='virtio'/></interface>"
hook hook_refuses_bridge_bound_to_other_coalition 1 \
	"shype: domain 'c4' refused: its interface bridge may not use net:virbr0: $LIVE" \
	c4 computing "${P}computing" "$VIRBR0"
# An interface of libvirt's default network: its bridge, before "start",
# from the network's live status file.
NS=$T/netstatus
mkdir -p "$NS"
echo "<networkstatus><class_id bitmap='0-2'/><network><name>default</name><bridge name='virbr0' stp='on' delay='0'/></network></networkstatus>" \
	>"$NS/default.xml"
SHYPE_LIBVIRT_NETWORK_STATUS=$NS hook hook_refuses_network_bound_to_other_coalition_at_prepare 1 \
	"shype: domain 'c4' refused: its interface network may not use net:virbr0: $LIVE" \
	c4 computing "${P}computing" "<interface type='network'><source network='default'/></interface>"
hook hook_refuses_shmem_bound_to_other_coalition 1 \
	"shype: domain 'c4' refused: its shmem ivshmem-plain may not use shm:/dev/shm/shared x: $LIVE" \
	c4 computing "${P}computing" "<shmem name='shared x'><model type='ivshmem-plain'/></shmem>"
hook hook_refuses_object_of_vm_without_label 1 \
	"shype: domain 'o4' refused: its interface bridge may not use net:br-lost: it is bound to running VM 9 (label '-'), and labels 'order' and '-' share no STE type (VMs bound to one object must share one)" \
	o4 order "${P}order" "<interface type='bridge'><source bridge='br-lost'/></interface>"
# A file mapped shared as an nvdimm's memory.
hook hook_refuses_shared_memory_file_bound_to_other_coalition 1 \
	"shype: domain 'c4' refused: its memory nvdimm may not use shm:/dev/shm/shared x: $LIVE" \
	c4 computing "${P}computing" "<memory model='nvdimm' access='shared'><source><path>/dev/shm/shared x</path></source><target><size unit='KiB'>1024</size></target></memory>"
# A macvtap (type "direct"): its network is its lower device.
hook hook_refuses_macvtap_bound_to_other_coalition 1 \
	"shype: domain 'c4' refused: its interface direct may not use net:eth9: it is bound to running VM 1 (label 'order'), and labels 'computing' and 'order' share no STE type (VMs bound to one object must share one)" \
	c4 computing "${P}computing" "<interface type='direct'><source dev='eth9' mode='bridge'/><target dev='macvtap0'/></interface>"
domxml c4 computing "${P}computing" \
	"<interface type='network'><source network='default' bridge='virbr0'/></interface>" >"$T/dom.xml"
expect_err hook_refuses_bound_network_bridge_at_start 1 \
	"shype: domain 'c4' refused: its interface network may not use net:virbr0: $LIVE" \
	hook qemu c4 start begin - <"$T/dom.xml"
echo "object=5 class=net name=virbr0 vms=1order" >"$S/bindings"
hook hook_refuses_when_bindings_unreadable 1 \
	"shype: domain 'c4' refused: cannot read shype's bindings: Bad message" \
	c4 computing "${P}computing" "$VIRBR0"
printf '%s\n' 'object=5 class=net name=virbr0 vms=1(order)' \
	'object=6 class=shm path=/dev/shm/shared\040x vms=1(order)' >"$S/bindings"
check hook_labels_nothing_when_refused [ ! -s "$S/cgroups" ]
hook hook_admits_order_beside_order 0 "" o2 order "${P}order" "$BR_ORDER"
check hook_makes_partition_cgroup \
	[ -d "$T/cg/machine.slice/machine-shype\\x2dorder.slice" ]
check hook_labels_partition_cgroup \
	[ "$(cat "$S/cgroups")" = 'label /machine.slice/machine-shype\x2dorder.slice order' ]
hook hook_admits_bridge_bound_to_own_coalition 0 "" o4 order "${P}order" \
	"$VIRBR0<shmem name='shared x'/>"
hook hook_admits_bridge_bound_to_shared_label 0 "" v4 vdisk_server \
	"${P}vdisk_server" "$VIRBR0"
# Mapped private, the file is the VM's own: the kernel binds nothing.
hook hook_admits_private_memory_file 0 "" c4 computing "${P}computing" \
	"<memory model='nvdimm' access='private'><source><path>/dev/shm/shared x</path></source><target><size unit='KiB'>1024</size></target></memory>"
# An interface of type "network": its bridge is in the XML at "start".
hook hook_admits_network_interface_at_prepare 0 "" c3 computing \
	"${P}computing" "<interface type='network'><source network='ordernet'/></interface>"
domxml c3 computing "${P}computing" \
	"<interface type='network'><source network='ordernet' bridge='br-order'/></interface>" >"$T/dom.xml"
expect_err hook_refuses_network_bridge_at_start 1 \
	"shype: domain 'c3' refused: its interface network may not use net:br-order: label 'computing' and net:br-order (label 'order') share no STE type" \
	hook qemu c3 start begin - <"$T/dom.xml"
domxml o3 order "${P}order" "$BR_ORDER" >"$T/dom.xml"
expect hook_admits_bridge_of_own_coalition_at_start 0 "" \
	hook qemu o3 start begin - <"$T/dom.xml"
# Running VMs that hold no VM label of the policy block nothing (the
# kernel accounts no Chinese Wall type for them).
printf 'vm=1 pid=100 label=-\nvm=2 pid=101 label=vdisk_order\nvm=3 pid=102 label=orders\n' >"$S/vms"
hook hook_ignores_running_vms_without_vm_label 0 "" ads1 advertising "${P}advertising"
: >"$S/cgroups"
: >"$S/vms"
hook hook_admits_advertising_when_alone 0 "" ads1 advertising "${P}advertising"
: >"$S/cgroups"

# Files carry their label in security.shype: setting it takes root (and
# a filesystem that stores security.* attributes: tmpfs, ext4, xfs...).
FD=$T/files
mkdir -p "$FD"
: >"$FD/probe"
if ! "$SHYPECTL" resource label "file:$FD/probe" order force 2>"$T/probe.err"; then
	echo "skip file labels: $(cat "$T/probe.err")"
else
	# xattr FILE: what its security.shype says, read without shypectl.
	xattr() {
		getfattr --only-values --absolute-names -n security.shype \
			"$1" 2>/dev/null || echo -
	}
	for f in order ads own own2 bad base nv; do : >"$FD/$f.img"; done
	expect resource_label_file 0 "" resource label "file:$FD/order.img" order
	check resource_label_file_sets_xattr [ "$(xattr "$FD/order.img")" = order ]
	check resource_label_file_not_recorded [ -z "$(grep "$FD" "$SHYPE_STATE" 2>/dev/null)" ]
	expect resource_label_file_json 0 "{\"resource\":\"file:$FD/ads.img\",\"label\":\"advertising\"}" \
		-j resource label "file:$FD/ads.img" advertising
	check resource_label_file_json_sets_xattr [ "$(xattr "$FD/ads.img")" = advertising ]
	expect_err resource_label_file_unknown_label 1 \
		"Error: policy 'figure2' has no label 'advertisin'; did you mean 'advertising'?" \
		resource label "file:$FD/order.img" advertisin
	check resource_label_file_unknown_label_keeps_xattr [ "$(xattr "$FD/order.img")" = order ]
	expect resource_label_file_force 0 "" resource label "file:$FD/bad.img" zzzz force
	check resource_label_file_force_sets_xattr [ "$(xattr "$FD/bad.img")" = zzzz ]
	expect_err resource_label_file_other_policy 1 \
		"Error: policy 'chinese-wall' has no label 'order' (force gives it all the same)" \
		resource label "file:$FD/own.img" order --policy $CW
	expect resource_label_file_other_policy_label 0 "" \
		resource label "file:$FD/own.img" bank_a --policy $CW
	expect_err resource_label_file_missing 1 \
		"Error: '$FD/none.img': No such file or directory" \
		resource label "file:$FD/none.img" order
	expect_err resource_label_file_directory 1 \
		"Error: cannot label file:$FD: '$FD' is not a regular file: shype labels regular files only" \
		resource label "file:$FD" order
	expect_err resource_label_file_unsupported 1 \
		"Error: cannot label file:/proc/version: the filesystem at /proc/version cannot store labels" \
		resource label file:/proc/version order
	# Without CAP_SYS_ADMIN, root may not set security.* attributes.
	setpriv --bounding-set=-sys_admin "$SHYPECTL" resource label \
		"file:$FD/own.img" order >"$T/out" 2>"$T/err"
	check resource_label_file_no_cap [ $? = 1 -a "$(cat "$T/err")" = \
		"Error: cannot label file:$FD/own.img: '$FD/own.img': Operation not permitted: only root outside every labelled cgroup may label files" ]
	expect_err resource_label_force_needs_file 2 \
		"Error: 'resource label' takes force for file: resources only" \
		resource label "$FD/own.img" order force
	expect resource_get_file 0 "resource file:$FD/order.img  label order  from xattr  xattr order" \
		resource get "file:$FD/order.img"
	expect resource_get_file_json 0 \
		"{\"resource\":\"file:$FD/base.img\",\"label\":null,\"from\":\"none\",\"xattr\":null,\"known\":false}" \
		-j resource get "file:$FD/base.img"
	run resource get "file:$FD/bad.img"
	check resource_get_file_unknown_label [ "$rc" = 0 -a "$out" = "resource file:$FD/bad.img  label zzzz  from xattr  xattr zzzz" ]
	check resource_get_file_unknown_label_note [ "$err" = "note: policy 'figure2' has no label 'zzzz': no labelled VMM may open the file" ]
	# A policy's file: rule wins over the attribute.
	sed "s|\"net:br-order\": \"order\"|\"net:br-order\": \"order\", \"file:$FD/ads.img\": \"order\", \"file:$FD/gone.img\": \"order\", \"file:$FD/own2.img\": \"vdisk_order\"|" \
		$F2 >"$T/f2own.json"
	expect resource_get_file_rule_wins 0 \
		"resource file:$FD/ads.img  label order  from policy  xattr advertising" \
		resource get "file:$FD/ads.img" --policy "$T/f2own.json"
	: >"$S/resources"
	expect resource_list_file_rules 0 "resource file:$FD/ads.img  label order  xattr advertising  differs
resource file:$FD/gone.img  label order  xattr -  missing
resource file:$FD/own2.img  label vdisk_order  xattr -  unlabelled" \
		resource list --policy "$T/f2own.json"
	expect resource_unlabel_file 0 "" resource unlabel "file:$FD/own.img"
	check resource_unlabel_file_removes_xattr [ "$(xattr "$FD/own.img")" = - ]
	expect_err resource_unlabel_file_without_label 1 \
		"Error: file:$FD/own.img has no label" resource unlabel "file:$FD/own.img"

	# load writes each file: rule to its file once the kernel took the
	# policy; a refused policy labels nothing.
	cp "$S/policy" "$T/policy-keep"
	rm "$S/policy"
	mkdir "$S/policy"
	run load "$T/f2own.json"
	check load_refused_labels_nothing [ "$rc" = 1 -a "$(xattr "$FD/ads.img")" = advertising -a "$(xattr "$FD/own2.img")" = - ]
	rmdir "$S/policy"
	: >"$S/policy"
	run load "$T/f2own.json"
	check load_labels_files [ "$rc" = 0 -a "$(xattr "$FD/ads.img")" = order -a "$(xattr "$FD/own2.img")" = vdisk_order ]
	check load_notes_missing_file [ "$err" = "shypectl: note: file:$FD/gone.img does not exist: not labelled 'order' (the next load labels it)" ]
	sed 's|"net:br-order": "order"|"net:br-order": "order", "file:/proc/version": "order"|' \
		"$T/f2own.json" >"$T/f2proc.json"
	: >"$S/policy"
	run -j load "$T/f2proc.json"
	check load_file_failure_is_error [ "$rc" = 1 -a -s "$S/policy" ]
	check load_file_failure_says_policy_loaded grep -qxF \
		"Error: policy figure2 is loaded, but 1 of its file labels could not be written" "$T/err"
	check load_file_failure_names_file grep -qxF \
		"Error: cannot label file:/proc/version 'order': the filesystem at /proc/version cannot store labels" "$T/err"
	check load_file_failure_json grep -qF \
		'{"resource":"file:/proc/version","label":"order","result":"failed","error":"the filesystem at /proc/version cannot store labels"}' "$T/out"
	cp "$T/policy-keep" "$S/policy"

	# The hook refuses what the kernel would refuse QEMU to open, and
	# labels the domain's own disks once it admits the domain.
	hook hook_refuses_other_coalitions_disk 1 \
		"shype: domain 'o2' refused: its disk vda may not open $FD/ads.img (read-write): label 'advertising' and the file's label 'order' (its security.shype) share no STE type" \
		o2 advertising "${P}advertising" "<disk type='file' device='disk'><source file='$FD/own.img'/><target dev='vdb'/></disk><disk type='file' device='disk'><source file='$FD/ads.img'/><target dev='vda'/></disk>"
	check hook_labels_nothing_when_refused_for_a_file [ "$(xattr "$FD/own.img")" = - -a ! -s "$S/cgroups" ]
	hook hook_refuses_other_coalitions_read_only_image 1 \
		"shype: domain 'o2' refused: its cdrom hdc may not open $FD/order.img (read-only): label 'advertising' and the file's label 'order' (its security.shype) share no STE type" \
		o2 advertising "${P}advertising" "<disk type='file' device='cdrom'><source file='$FD/order.img'/><target dev='hdc'/><readonly/></disk>"
	hook hook_refuses_file_of_unknown_label 1 \
		"shype: domain 'o2' refused: its disk vda may not open $FD/bad.img (read-write): the file's label 'zzzz' (its security.shype) is not a label of policy 'figure2': no VMM may open it" \
		o2 order "${P}order" "<disk type='file' device='disk'><source file='$FD/bad.img'/><target dev='vda'/></disk>"
	hook hook_refuses_backing_file_of_other_coalition 1 \
		"shype: domain 'o2' refused: its disk vda backing may not open $FD/order.img (read-only): label 'advertising' and the file's label 'order' (its security.shype) share no STE type" \
		o2 advertising "${P}advertising" "<disk type='file' device='disk'><source file='$FD/own.img'/><backingStore type='file'><format type='raw'/><source file='$FD/order.img'/></backingStore><target dev='vda'/></disk>"
	check hook_refused_backing_leaves_disk [ "$(xattr "$FD/own.img")" = - ]
	printf '%s\n' "<domain type='kvm'><name>o5</name>" \
		"<metadata><shype:label xmlns:shype='urn:shype:libvirt:1'>order</shype:label></metadata>" \
		"<resource><partition>${P}order</partition></resource>" \
		"<os><loader readonly='yes'>$FD/base.img</loader><nvram>$FD/nv.img</nvram></os>" \
		"<devices><disk type='file' device='disk'><source file='$FD/own.img'/><target dev='vda'/></disk>" \
		"<disk type='file' device='disk'><source file='$FD/order.img'/><target dev='vdb'/></disk>" \
		"<disk type='file' device='disk'><source file='$FD/own2.img'/><target dev='vdc'/><shareable/></disk>" \
		"<disk type='block' device='disk'><source dev='/dev/null'/><target dev='vdd'/></disk>" \
		"<filesystem type='mount'><source dir='$FD'/><target dir='share'/></filesystem>" \
		"<serial type='file'><source path='$FD/serial.log'/></serial></devices></domain>" >"$T/dom-files.xml"
	"$SHYPECTL" resource unlabel "file:$FD/own2.img" 2>/dev/null
	expect hook_admits_own_disks 0 "" hook qemu o5 prepare begin - <"$T/dom-files.xml"
	check hook_labels_own_disk [ "$(xattr "$FD/own.img")" = order ]
	check hook_labels_own_nvram [ "$(xattr "$FD/nv.img")" = order ]
	check hook_leaves_read_only_firmware [ "$(xattr "$FD/base.img")" = - ]
	check hook_leaves_shareable_disk [ "$(xattr "$FD/own2.img")" = - ]
	check hook_leaves_chardev_log [ ! -e "$FD/serial.log" ]
	check hook_leaves_directory [ "$(xattr "$FD")" = - ]
	: >"$S/cgroups"
	# Unlabelled files read-only: the policy denies writing them.
	cp "$S/policy" "$T/policy-keep"
	"$SHYPECTL" policy compile "$T/f2files.json" -o "$S/policy"
	hook hook_refuses_unlabelled_disk_when_files_denied 1 \
		"shype: domain 'o2' refused: its disk vda may not open $FD/base.img (read-write): unlabelled, and policy 'figure2' lets VMMs write labelled files only (\"unlabeled_files\": \"deny\"): label it with 'shypectl resource label file:$FD/base.img LABEL'" \
		o2 order "${P}order" "<disk type='file' device='disk'><source file='$FD/base.img'/><target dev='vda'/></disk>"
	hook hook_admits_unlabelled_image_read_only_when_files_denied 0 "" \
		o2 order "${P}order" "<disk type='file' device='cdrom'><source file='$FD/base.img'/><target dev='hdc'/><readonly/></disk>"
	cp "$T/policy-keep" "$S/policy"
	: >"$S/cgroups"

	# dry-run lists each file a domain's QEMU opens, with its label and
	# the kernel's decision.
	{
		echo "<node xmlns:test='http://libvirt.org/schemas/domain/test/1.0'>"
		node_dom files 5 order /machine/shype-order |
			sed "s|<test:runstate>|<devices><disk type='file' device='disk'><source file='$FD/ads.img'/><target dev='vda'/></disk><disk type='file' device='disk'><source file='$FD/base.img'/><target dev='vdb'/></disk><disk type='file' device='cdrom'><source file='$FD/base.img'/><target dev='hdc'/><readonly/></disk><disk type='block' device='disk'><source dev='/dev/null'/><target dev='vdd'/></disk><filesystem type='mount'><source dir='$FD'/><target dir='share'/></filesystem></devices>&|"
		echo "</node>"
	} >"$T/node-files.xml"
	"$SHYPECTL" resource label "file:$FD/ads.img" advertising
	run domain dry-run files -c "test://$T/node-files.xml"
	check dry_run_file_denied [ "$rc" = 3 ]
	check dry_run_file_of_other_coalition grep -qxE \
		"file:$FD/ads.img +disk vda rw +deny +label advertising: label 'order' and the file's label 'advertising' \(its security.shype\) share no STE type" \
		"$T/out"
	check dry_run_own_disk_labelled_on_write grep -qxE \
		"file:$FD/base.img +disk vdb rw +allow +label -: unlabelled: it becomes label 'order''s when written" \
		"$T/out"
	check dry_run_unlabelled_image_read grep -qxE \
		"file:$FD/base.img +cdrom hdc ro +allow +label -: unlabelled: every VMM may read it" \
		"$T/out"
	check dry_run_block_device_not_decided grep -qxE \
		"file:/dev/null +disk vdd rw +allow +label -: a block device: not decided, shype labels regular files only" \
		"$T/out"
	check dry_run_directory_not_decided grep -qxE \
		"file:$FD +filesystem share rw +allow +label -: a directory: not decided itself; each file under it is, as it is opened" \
		"$T/out"
	run -j domain dry-run files -c "test://$T/node-files.xml"
	check dry_run_file_json grep -qF \
		"{\"resource\":\"file:$FD/ads.img\",\"device\":\"disk vda rw\",\"decision\":\"deny\",\"write\":true,\"label\":\"advertising\",\"from\":\"xattr\",\"verdict\":\"ste\",\"reason\":\"label 'order' and the file's label 'advertising' (its security.shype) share no STE type\"}" \
		"$T/out"
fi
SHYPE_LIBVIRT_SYSTEMD=0 hook hook_uses_libvirt_layout_without_systemd 0 "" \
	c1 computing "${P}computing"
check hook_labels_partition_without_systemd \
	[ "$(cat "$S/cgroups")" = 'label /machine/shype-computing.partition computing' ]
echo "not xml" >"$T/dom.xml"
expect_err hook_refuses_bad_xml 1 \
	"shype: domain 'd' refused: not a libvirt domain's XML" \
	hook qemu d prepare begin - <"$T/dom.xml"
expect hook_ignores_other_operations 0 "" hook qemu d release end - </dev/null

# A domain that migrates in ("migrate begin") or is restored ("restore
# begin"): the policy recorded in its live XML against the active one
# (figure2 1.0, the digest in its blob's header), then the checks of
# prepare.  Nothing on stdout, which libvirt would take for the domain's
# new XML.
printf 'vm=1 pid=100 label=order\n' >"$S/vms"
cp "$T/status-active" "$S/status"
"$SHYPECTL" policy compile "$F2" -o "$S/policy" >/dev/null
dig=$("$SHYPECTL" -j policy check "$F2" | sed -n 's/.*"digest":"\([0-9a-f]*\)".*/\1/p')
# incoming NAME RC STDERR OP DOMAIN LABEL [POLICY-ATTRIBUTES]
incoming() {
	local name=$1 want_rc=$2 want_err=$3 op=$4
	{
		echo "<domain type='kvm'><name>$5</name><metadata>"
		echo "<shype:label xmlns:shype='urn:shype:libvirt:1'>$6</shype:label>"
		[ -z "${7:-}" ] ||
			echo "<shypepolicy:policy xmlns:shypepolicy='urn:shype:libvirt:policy:1' $7/>"
		echo "</metadata><resource><partition>$P$6</partition></resource><devices/></domain>"
	} >"$T/dom.xml"
	"$SHYPECTL" hook qemu "$5" "$op" begin - <"$T/dom.xml" >"$T/out" 2>"$T/err"
	rc=$?
	err=$(cat "$T/err")
	if [ "$rc" != "$want_rc" ]; then
		not_ok "$name" "exit $rc, want $want_rc; stderr: $err"
	elif [ "$err" != "$want_err" ]; then
		not_ok "$name" "stderr '$err', want '$want_err'"
	elif [ -s "$T/out" ]; then
		not_ok "$name" "stdout '$(cat "$T/out")', want none"
	else
		ok "$name"
	fi
}
same="name='figure2' version='1.0' digest='$dig'"
zero=0000000000000000000000000000000000000000000000000000000000000000
incoming hook_migrate_admits_same_policy 0 "" migrate o2 order "$same"
incoming hook_migrate_admits_older_source 0 "" migrate o2 order \
	"name='figure2' version='0.9' digest='$zero'"
incoming hook_migrate_refuses_other_policy_name 1 \
	"shype: domain 'o2' refused: this host's policy 'figure2' 1.0 is not the source's policy 'figure2-libvirt' 1.0: another policy may decide otherwise; load one policy on both hosts" \
	migrate o2 order "name='figure2-libvirt' version='1.0' digest='$dig'"
incoming hook_migrate_refuses_newer_source 1 \
	"shype: domain 'o2' refused: this host's policy 'figure2' 1.0 is older than the source's 1.1: load version 1.1 or higher here first" \
	migrate o2 order "name='figure2' version='1.1' digest='$zero'"
incoming hook_migrate_refuses_same_version_other_digest 1 \
	"shype: domain 'o2' refused: this host's policy 'figure2' 1.0 has another digest (${dig:0:12}...) than the source's 1.0 (000000000000...): two different policies carry one version; give the newer a higher version" \
	migrate o2 order "name='figure2' version='1.0' digest='$zero'"
incoming hook_migrate_refuses_bad_record 1 \
	"shype: domain 'o2' refused: its XML's record of the source's shype policy is incomplete" \
	migrate o2 order "name='figure2' version='1.0.1' digest='$dig'"
incoming hook_migrate_refuses_labelled_without_record 1 \
	"shype: domain 'o2' refused: the source recorded no shype policy for it (is shype-daemon running there?): its label 'order' may mean something else there" \
	migrate o2 order
incoming hook_migrate_refuses_chinese_wall 1 \
	"shype: domain 'a2' refused: Chinese Wall: type 'Advertising' of label 'advertising' conflicts with type 'Order' of running VM 1 (label 'order', pid 100)" \
	migrate a2 advertising "$same"
incoming hook_migrate_refuses_unknown_label 1 \
	"shype: domain 'x2' refused: label 'orders' is not a VM label of the active policy 'figure2'" \
	migrate x2 orders "$same"
incoming hook_restore_admits_without_record 0 "" restore o2 order
incoming hook_restore_refuses_newer_save 1 \
	"shype: domain 'o2' refused: this host's policy 'figure2' 1.0 is older than the saved domain's 2.0: load version 2.0 or higher here first" \
	restore o2 order "name='figure2' version='2.0' digest='$zero'"
incoming hook_restore_refuses_chinese_wall 1 \
	"shype: domain 'a2' refused: Chinese Wall: type 'Advertising' of label 'advertising' conflicts with type 'Order' of running VM 1 (label 'order', pid 100)" \
	restore a2 advertising "$same"
# Installed as /etc/libvirt/hooks/qemu: shypectl by the name "qemu".
ln -s "$SHYPECTL" "$T/qemu"
printf 'vm=1 pid=100 label=order\n' >"$S/vms"
domxml ads1 advertising "${P}advertising" >"$T/dom.xml"
"$T/qemu" ads1 prepare begin - <"$T/dom.xml" >/dev/null 2>"$T/err"
check hook_runs_by_name_qemu [ $? = 1 ]
check hook_runs_by_name_qemu_says_why grep -q "Chinese Wall" "$T/err"
: >"$S/policy"
cp "$T/status-none" "$S/status"
# Fail closed: every domain is refused while shype is not enforcing as
# shype.conf says (no file: SHYPE=enforce, REQUIRE_POLICY=yes).
FIX="then 'systemctl restart shype.service'"
hook hook_refuses_all_without_policy 1 \
	"shype: domain 'ads1' refused: shype is not enforcing: no policy is loaded (shype.service failed?): fix /etc/shype/policy.json, $FIX" \
	ads1 advertising
SHYPE_SECURITYFS=$T/none hook hook_refuses_all_without_module 1 \
	"shype: domain 'ads1' refused: shype is not enforcing: shype.ko is not loaded (shype.service failed?): see 'systemctl status shype.service', $FIX" \
	ads1 advertising
printf 'POLICY=/srv/p.json\n' >"$SHYPE_CONF"
hook hook_refuses_names_configured_policy 1 \
	"shype: domain 'ads1' refused: shype is not enforcing: no policy is loaded (shype.service failed?): fix /srv/p.json, $FIX" \
	ads1 advertising
printf 'SHYPE=enforce\nREQUIRE_POLICY=no\n' >"$SHYPE_CONF"
hook hook_admits_all_without_policy_when_not_required 0 "" ads1 advertising
printf '# shype is off\nSHYPE=off\n' >"$SHYPE_CONF"
SHYPE_SECURITYFS=$T/none hook hook_admits_all_when_off 0 "" ads1 advertising
printf 'SHYPE=enforcing\n' >"$SHYPE_CONF"
hook hook_refuses_all_with_bad_conf 1 \
	"shype: domain 'ads1' refused: $SHYPE_CONF:1: SHYPE is 'enforcing', not one of enforce, permissive, off: fix it, $FIX" \
	ads1 advertising
rm -f "$SHYPE_CONF"
cp "$T/status-keep" "$S/status"
"$SHYPECTL" policy compile "$F2" -o "$S/policy" >/dev/null
sed -i 's/mode=enforce/mode=permissive/' "$S/status"
hook hook_refuses_all_in_other_mode 1 \
	"shype: domain 'ads1' refused: shype is not enforcing as configured: its mode is permissive, $SHYPE_CONF says enforce: run 'shypectl mode enforce'" \
	ads1 advertising
printf 'SHYPE=permissive\n' >"$SHYPE_CONF"
hook hook_decides_in_permissive_mode_as_configured 1 \
	"shype: domain 'ads1' refused: Chinese Wall: type 'Advertising' of label 'advertising' conflicts with type 'Order' of running VM 1 (label 'order', pid 100)" \
	ads1 advertising "${P}advertising"
rm -f "$SHYPE_CONF"
unset SHYPE_LIBVIRT_SYSTEMD

# shype.conf, as shypectl boot reads it: every mistake names its line.
# boot_conf NAME CONTENT STDERR
boot_conf() {
	printf '%b' "$2" >"$SHYPE_CONF"
	expect_err "$1" 1 "$3" boot
}
boot_conf boot_conf_unknown_key "SHYPE=enforce\nSELINUX=enforcing\n" \
	"Error: $SHYPE_CONF:2: unknown key 'SELINUX'; keys are SHYPE, REQUIRE_POLICY and POLICY"
boot_conf boot_conf_not_key_value "# comment\n\n  SHYPE enforce\n" \
	"Error: $SHYPE_CONF:3: 'SHYPE enforce' is not KEY=VALUE"
boot_conf boot_conf_bad_bool "REQUIRE_POLICY=true\n" \
	"Error: $SHYPE_CONF:1: REQUIRE_POLICY is 'true', not yes or no"
boot_conf boot_conf_twice "SHYPE=enforce\nSHYPE=permissive\n" \
	"Error: $SHYPE_CONF:2: SHYPE is given twice"
boot_conf boot_conf_relative_policy "POLICY=policy.json\n" \
	"Error: $SHYPE_CONF:1: POLICY is 'policy.json', not an absolute path without spaces"
printf 'SHYPE=off\n' >"$SHYPE_CONF"
SHYPE_SECURITYFS=$T/none expect boot_off_loads_nothing 0 \
	"shype: SHYPE=off in $SHYPE_CONF: shype.ko is not loaded, VMs are not mediated" boot
# Without shype.ko, boot runs modprobe ($SHYPE_MODPROBE stands in).
printf '#!/bin/sh\necho "$@" >%s\nexit 1\n' "$T/modprobe-args" >"$T/modprobe"
chmod +x "$T/modprobe"
printf 'REQUIRE_POLICY=yes\n' >"$SHYPE_CONF"
SHYPE_SECURITYFS=$T/none SHYPE_MODPROBE=$T/modprobe expect_err boot_modprobe_fails 1 \
	"Error: '$T/modprobe shype require_policy=1' failed (status 1): see 'journalctl -k'" \
	boot
check boot_modprobe_args [ "$(cat "$T/modprobe-args")" = "shype require_policy=1" ]
# A missing policy: a loud failure that says what is refused now.
printf 'POLICY=%s\n' "$T/none.json" >"$SHYPE_CONF"
sed -i 's/$/ memory=0 require_policy=1/' "$S/status"
: >"$S/mode"
expect_err boot_fails_without_policy 1 \
	"$T/none.json: cannot read: No such file or directory
shype: no policy is loaded from $T/none.json: every VM is refused until one is; fix it, then 'systemctl restart shype.service'" \
	boot
check boot_sets_mode [ "$(cat "$S/mode")" = enforce ]
# A good boot: mode, policy, and the recorded run-time labels again.
printf 'SHYPE=permissive\nPOLICY=%s\n' "$PWD/$F2" >"$SHYPE_CONF"
printf '# c\ncgroup /machine.slice/restored order\n' >"$SHYPE_STATE"
: >"$S/cgroups"
: >"$S/mode"
: >"$S/policy"
expect boot_loads_policy_and_labels 0 \
	"shype: policy figure2 version 1.0 from $PWD/$F2, mode permissive
shype: 1 run-time label given again from $SHYPE_STATE" boot
check boot_sets_configured_mode [ "$(cat "$S/mode")" = permissive ]
check boot_writes_policy cmp -s "$T/f2.bin" "$S/policy"
check boot_restores_cgroup_label [ "$(cat "$S/cgroups")" = "label /machine.slice/restored order" ]
check boot_makes_restored_cgroup [ -d "$T/cg/machine.slice/restored" ]
# A labelled file gone since (tmpfs after a reboot) is said, not fatal.
printf 'file %s order\n' "$T/gone.shm" >"$SHYPE_STATE"
: >"$S/resources"
run boot
check boot_skips_gone_file [ "$rc" = 0 ]
check boot_says_file_gone [ "$err" = "shype: $SHYPE_STATE:1: file '$T/gone.shm' is gone: its label 'order' is not given again" ]
check boot_labels_no_gone_file [ ! -s "$S/resources" ]
printf 'cgroup /x\n' >"$SHYPE_STATE"
run boot
check boot_bad_state_line [ "$rc" = 1 ]
check boot_bad_state_line_says_where [ "$err" = "Error: $SHYPE_STATE:1: not 'cgroup|file PATH LABEL'" ]
printf 'REQUIRE_POLICY=no\nPOLICY=%s\n' "$PWD/$F2" >"$SHYPE_CONF"
: >"$SHYPE_STATE"
run boot
check boot_notes_other_require_policy [ "$rc" = 0 ]
check boot_note_says_next_boot [ "$err" = "shype: note: shype.ko was loaded with require_policy=1; REQUIRE_POLICY=no applies from the next boot" ]
rm -f "$SHYPE_CONF" "$SHYPE_STATE"
cp "$T/status-none" "$S/status"
: >"$S/policy"

# Argument errors of the libvirt commands (no libvirt needed).
expect_err domain_label_needs_two 2 \
	"Error: 'domain label' needs DOMAIN LABEL; see 'shypectl domain help'" \
	domain label d
expect_err domain_dry_run_needs_one 2 \
	"Error: 'domain dry-run' needs one DOMAIN; see 'shypectl domain help'" \
	domain dry-run a b
expect_err domain_unknown_option 2 "Error: unknown option '--frob'" \
	domain dry-run --frob d
expect_err domain_connect_needs_uri 2 "Error: option '-c' needs an argument" \
	domain label d order -c
expect_err domain_bad_label 1 "Error: 'a/b' is not a label name" \
	domain label d a/b
expect_err domain_no_policy 1 \
	"Error: no shype policy is loaded: load one first ('shypectl load FILE')" \
	domain label d order
expect_err hook_unknown_kind 2 \
	"Error: 'hook' knows the 'qemu' hook only; see 'shypectl hook help'" \
	hook lxc d prepare begin -
expect_err hook_needs_operation 2 \
	"Error: the qemu hook needs DOMAIN OPERATION ...; see 'shypectl hook help'" \
	hook qemu d
expect_err daemon_takes_no_argument 2 \
	"Error: 'daemon' takes no argument; see 'shypectl daemon help'" \
	daemon now
run domain help
check domain_help_is_grammar grep -q '^       DOMAIN := { NAME | UUID | ID }$' "$T/out"
# policy analyze/diff active, load --dry-run and audit explain on the
# stand-in files: the active policy is Figure 2's.
"$SHYPECTL" policy compile "$F2" -o "$S/policy" >/dev/null
echo "policy=figure2 version=1.0 digest=$digest mode=enforce vms=4 hooks=3" \
	>"$S/status"
run policy analyze active
check analyze_active [ "$rc" = 0 -a "$(head -n1 "$T/out")" = "policy figure2  version 1.0" ]
expect diff_active_same 0 "" policy diff active $F2
printf '%s\n' 'vm=1 pid=100 label=order' 'vm=2 pid=101 label=vdisk_server' \
	'vm=3 pid=102 label=advertising' 'vm=4 pid=103 label=computing' \
	'vm=5 pid=104 label=-' >"$S/vms"
printf '%s\n' 'object=1 class=eventfd vms=1(order),2(vdisk_server)' \
	'object=2 class=shm path=/dev/shm/vdisk-order vms=1(order),2(vdisk_server)' \
	'object=3 class=net name=br-x vms=4(computing)' \
	'object=4 class=shm path=/dev/shm/disk vms=3(advertising)' >"$S/bindings"
printf 'resource=shm:/dev/shm/disk inode=12 label=vdisk_ads\n' >"$S/resources"
cat >"$T/next.json" <<'EOF'
{ "name": "figure2", "version": "1.1",
  "ste": { "types": ["Order", "Advertising", "Computing"] },
  "chwall": { "types": ["Order", "Advertising"],
              "conflict_sets": [["Order", "Advertising"]] },
  "labels": { "order": { "ste": ["Order"], "chwall": ["Order"] },
              "advertising": { "ste": ["Advertising"], "chwall": ["Advertising"] },
              "vdisk_server": { "ste": ["Advertising"] } },
  "resource_labels": { "vdisk_order": { "ste": ["Order"] },
                       "x": { "ste": ["Advertising"] } },
  "resources": { "shm:/dev/shm/vdisk-order": "vdisk_order", "net:br-x": "x" },
  "unlabeled": "deny" }
EOF
expect load_dry_run_refusals 3 "refused vm 3 (pid 102, label 'advertising'): Chinese Wall type 'Advertising' conflicts with running type 'Order' of vm 1
refused vm 4 (pid 103, label 'computing'): label not in the new policy
refused vm 5 (pid 104, label '-'): unlabelled VMs are denied
refused object 1: vms 2 and 1 share no type ('vdisk_server' and 'order')
refused object 2: vm 2 (label 'vdisk_server') may not use shm:/dev/shm/vdisk-order (label 'vdisk_order')
refused object 2: vms 2 and 1 share no type ('vdisk_server' and 'order')
refused object 4: vm 3 (label 'advertising') may not use shm:/dev/shm/disk (label 'vdisk_ads')
policy figure2 version 1.1 would be refused: 7 refusals" \
	load "$T/next.json" --dry-run
cp "$S/policy" "$T/policy-before"
expect load_dry_run_writes_nothing 3 "refused 'figure2' is active; 'minimal' needs force
refused vm 1 (pid 100, label 'order'): label not in the new policy
refused vm 2 (pid 101, label 'vdisk_server'): label not in the new policy
refused vm 3 (pid 102, label 'advertising'): label not in the new policy
refused vm 4 (pid 103, label 'computing'): label not in the new policy
policy minimal version 1.0 would be refused: 5 refusals" \
	load --dry-run policies/minimal.json
check load_dry_run_policy_untouched cmp -s "$S/policy" "$T/policy-before"
printf 'vm=1 pid=100 label=order\nvm=4 pid=103 label=computing\n' >"$S/vms"
: >"$S/bindings"
expect load_dry_run_allows 0 "policy figure2-libvirt version 1.0 would be loaded" \
	load --dry-run policies/figure2-libvirt.json force
expect load_dry_run_active 0 "policy figure2 version 1.0 is already active" \
	load --dry-run $F2
expect load_dry_run_json 3 \
	'{"file":"policies/figure2-libvirt.json","policy":"figure2-libvirt","version":"1.0","digest":"'"$("$SHYPECTL" -j policy check policies/figure2-libvirt.json | sed 's/.*"digest":"\([0-9a-f]*\)".*/\1/')"'","force":false,"unchanged":false,"refusals":[{"reason":"other_name","message":"'"'figure2'"' is active; '"'figure2-libvirt'"' needs force"}],"would_load":false}' \
	-j load --dry-run policies/figure2-libvirt.json
printf '%s\n' \
	'seq=4 op=create result=denied vm=3(advertising) pid=77 reason=chinese_wall type=Advertising running=Order peer=1(order)' \
	'seq=5 op=irqfd result=denied vm=1(order) pid=100 reason=ste peer=4(computing) class=eventfd' \
	'seq=6 op=memslot result=permitted vm=4(computing) pid=103 reason=ste class=shm label=vdisk_order path=/dev/shm/vdisk-order' \
	>"$S/audit"
run audit explain
check explain_last_one [ "$rc" = 0 -a "$(head -n1 "$T/out")" = "seq=6 op=memslot result=permitted vm=4(computing) pid=103 reason=ste class=shm label=vdisk_order path=/dev/shm/vdisk-order" ]
check explain_last_one_only [ "$(grep -c '^seq=' "$T/out")" = 1 ]
run audit explain --last 2
check explain_last_two [ "$rc" = 0 -a "$(grep '^seq=' "$T/out" | cut -d' ' -f1 | tr '\n' ' ')" = "seq=5 seq=6 " ]
run audit explain -n 10 --policy policies/figure2-libvirt.json
check explain_last_all [ "$rc" = 0 -a "$(grep -c '^seq=' "$T/out")" = 3 ]
unset SHYPE_SECURITYFS SHYPE_CGROUP_ROOT

### The man pages match the code: shypectl(8)'s objects are help's.

run help
help_objects=$(sed -n 's/^ *OBJECT := { \(.*\) }$/\1/p' "$T/out")
man_objects=$(sed -n 's/^\.IR OBJECT " := { " \(.*\) " }"$/\1/p' man/shypectl.8 |
	sed 's/ " | " / | /g')
check man_shypectl_objects_are_helps \
	[ -n "$help_objects" -a "$man_objects" = "$help_objects" ]
for o in $(echo "$help_objects" | tr -d '|'); do
	check "man_page_of_object $o" [ -f "man/shypectl-$o.8" ]
done

### Shape: libshype exports its API only, and shypectl's files call each
### other without a cycle (common.c serves every object).

LIB=$(dirname "$SHYPECTL")/libshype.so.0
if [ -e "$LIB" ] && command -v nm >/dev/null; then
	check libshype_exports_only_api \
		[ -z "$(nm -D --defined-only "$LIB" | awk '$2 != "A" && $3 !~ /^shype_/')" ]
	check libshype_exports_api [ "$(nm -D --defined-only "$LIB" | grep -c ' T shype_')" -gt 50 ]
fi
OBJ=$(dirname "$SHYPECTL")/obj/shypectl
if [ -d "$OBJ" ] && command -v nm >/dev/null && command -v tsort >/dev/null; then
	# Pairs "user definer" of shypectl's object files, for tsort.
	for o in "$OBJ"/*.o; do
		nm --defined-only -g "$o" | awk -v f="$(basename "$o" .o)" '{ print $3, f }'
	done | sort >"$T/defs"
	for o in "$OBJ"/*.o; do
		nm -u "$o" | awk -v f="$(basename "$o" .o)" '{ print $2, f }'
	done | sort | join - "$T/defs" | awk '$2 != $3 { print $2, $3 }' |
		sort -u >"$T/calls"
	tsort "$T/calls" >/dev/null 2>"$T/tsort.err"
	check shypectl_files_call_without_cycle [ ! -s "$T/tsort.err" ]
	[ ! -s "$T/tsort.err" ] || sed 's/^/     /' "$T/tsort.err"
fi

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
