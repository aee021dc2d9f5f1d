#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# shypectl stats counts every refused policy load, a malformed blob
# included: one the policy file refuses from its header and one the
# validator refuses from its content.  Prints TAP lines and "N passed,
# N failed".
#
# usage: audit_stats.sh		(an argument, a test glob, is ignored)

T=/tmp/audit-stats
SFS=/sys/kernel/security/shype
n=0
pass=0
fail=0
rm -rf "$T"
mkdir -p "$T"
echo "TAP version 13"

# check NAME COMMAND...: passes when COMMAND succeeds.
check() {
	name=$1
	shift
	n=$((n + 1))
	if "$@"; then
		pass=$((pass + 1))
		echo "ok $n $name"
	else
		fail=$((fail + 1))
		echo "not ok $n $name"
		echo "# failed: $*"
		shypectl stats | sed 's/^/# /'
	fi
}

if ! command -v shypectl >/dev/null; then
	echo "1..0 # SKIP no shypectl in this test host"
	echo "0 passed, 0 failed, 1 skipped"
	exit 0
fi

# "CALLS DENIED" of policy_load, as shypectl stats prints them.
load_stats() {
	shypectl stats |
		awk '$1 == "op" && $2 == "policy_load" { print $4, $8 }'
}

shypectl policy compile /policies/figure2.json -o "$T/good.bin"
# Bad magic: the validator refuses it.
{ printf 'X'; tail -c +2 "$T/good.bin"; } >"$T/magic.bin"
# A header whose total length is shorter than a header: the policy file
# refuses it before the blob is whole.
head -c 8 "$T/good.bin" >"$T/short.bin"
printf '\020\000\000\000' >>"$T/short.bin"
tail -c +13 "$T/good.bin" >>"$T/short.bin"

# shellcheck disable=SC2046 # two numbers
set -- $(load_stats)
calls=$1 denied=$2
check malformed_blob_refused sh -c "! cat $T/magic.bin >$SFS/policy 2>/dev/null"
# shellcheck disable=SC2046
set -- $(load_stats)
check stats_count_malformed_blob [ "$1" -eq $((calls + 1)) -a "$2" -eq $((denied + 1)) ]
check short_blob_refused sh -c "! cat $T/short.bin >$SFS/policy 2>/dev/null"
# shellcheck disable=SC2046
set -- $(load_stats)
check stats_count_short_blob [ "$1" -eq $((calls + 2)) -a "$2" -eq $((denied + 2)) ]

echo "1..$n"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
