#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: shype's costs against a baseline, in RUNS test-host boots
# (default 1).  Each boot measures, ROUNDS times each (default 5), the
# baseline without shype.ko, shype.ko with no policy, and shype enforcing,
# each operation alternating with a control that shype does not hook, and
# prints a table of ratios with their spread over the rounds and a verdict
# against each target (see tests/vm/tools/bench.c).  With RUNS > 1, the
# verdict lines of each boot follow at the end.
#
# usage: scripts/bench.sh [--kver KVER] [--runs N] [--rounds N]
# env: tests/vm/run.sh's, SHYPE_ACCEL among them (default tcg; with kvm
#      the test host runs under KVM, and its figures are not comparable
#      with TCG's)
set -euo pipefail
cd "$(dirname "$0")/.."
kver=6.1.0-56-amd64
runs=1
rounds=
while [ $# -gt 0 ]; do
	case $1 in
	--kver) kver=$2; shift 2 ;;
	--runs) runs=$2; shift 2 ;;
	--rounds) rounds=$2; shift 2 ;;
	*) echo "usage: $0 [--kver KVER] [--runs N] [--rounds N]" >&2; exit 2 ;;
	esac
done
case $rounds in '' | [1-9] | [1-2][0-9] | 3[0-2]) ;;
*) echo "bench.sh: --rounds takes 1 to 32" >&2; exit 2 ;;
esac
out=${SHYPE_VM_OUT:-build/vm}
mkdir -p "$out"
: >"$out/bench-all.log"
for i in $(seq "$runs"); do
	echo "== bench run $i of $runs"
	SHYPE_VM_APPEND="${SHYPE_VM_APPEND:-}${rounds:+ shype_bench_rounds=$rounds}" \
		tests/vm/run.sh --kver "$kver" --bench | tee -a "$out/bench-all.log"
done
if [ "$runs" -gt 1 ]; then
	echo
	echo "== verdicts of each run"
	grep -E ': (PASS|FAIL|pass|fail)' "$out/bench-all.log"
fi
