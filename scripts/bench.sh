#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: shype's costs against a baseline, in RUNS test-host boots
# (default 3).  Each boot measures the baseline and then shype enforcing,
# and prints its own table of medians and ratios; under TCG one boot's
# ratios move by tens of percent, so the summary gives, per metric, the
# median of the boots' ratios.
#
# usage: scripts/bench.sh [--kver KVER] [--runs N]
# env: tests/vm/run.sh's, SHYPE_ACCEL among them (default tcg; with kvm
#      the test host runs under KVM, and its figures are not comparable
#      with TCG's: the summary says which)
set -euo pipefail
cd "$(dirname "$0")/.."
kver=6.1.0-56-amd64
runs=3
while [ $# -gt 0 ]; do
	case $1 in
	--kver) kver=$2; shift 2 ;;
	--runs) runs=$2; shift 2 ;;
	*) echo "usage: $0 [--kver KVER] [--runs N]" >&2; exit 2 ;;
	esac
done
out=${SHYPE_VM_OUT:-build/vm}
: >"$out/bench-all.log"
for i in $(seq "$runs"); do
	echo "== bench run $i of $runs"
	tests/vm/run.sh --kver "$kver" --bench | tee -a "$out/bench-all.log"
done

# A metric's row: "NAME  BASE UNIT  SHYPE UNIT  RATIO  TARGET".
echo
accel=$(sed -n 's/^run\.sh: kernel .*, accel \([a-z]*\),.*/\1/p' \
	"$out/bench-all.log" | sort -u | tr '\n' ' ')
echo "== summary: median over $runs runs of each run's ratio (accel ${accel% })"
awk '
/^median / { table = 1; next }
/^10000 labels|^bench:|^== / { table = 0 }
table {
	# the name is everything before the first number
	match($0, /  +[0-9.]+ [a-z\/]+ +[0-9.]+ [a-z\/]+ +[0-9.]+/)
	name = substr($0, 1, RSTART - 1)
	split(substr($0, RSTART), f, " +")
	if (!(name in n)) order[++names] = name
	r[name, ++n[name]] = f[6]
	shype[name, n[name]] = f[4]
	target[name] = substr($0, RSTART + RLENGTH)
}
/^  load into the kernel/ { load[++loads] = $5 }
END {
	printf "%-34s %-32s %7s  %s\n", "metric", "ratios", "median", "target"
	for (i = 1; i <= names; i++) {
		name = order[i]
		m = n[name]; list = ""
		for (j = 1; j <= m; j++) { v[j] = r[name, j]; list = list " " v[j] }
		for (j = 1; j <= m; j++) for (k = j + 1; k <= m; k++)
			if (v[k] < v[j]) { t = v[j]; v[j] = v[k]; v[k] = t }
		med = m % 2 ? v[(m + 1) / 2] : (v[m / 2] + v[m / 2 + 1]) / 2
		printf "%-34s %-32s %7.3f %s\n", name, list, med, target[name]
	}
	list = ""
	for (j = 1; j <= loads; j++) list = list " " load[j]
	printf "%-34s %s ms\n", "large policy load", list
	# Flat: bind cost with 100 and 500 VMs over that with 1, shype loaded.
	one = "irqfd bind, 1 VM running"
	for (i = 1; i <= names; i++) {
		name = order[i]
		if (name !~ /^irqfd bind, [0-9]+ VMs/) continue
		list = ""
		for (j = 1; j <= n[name]; j++)
			list = list sprintf(" %.3f", shype[name, j] / shype[one, j])
		printf "%-34s %s\n", name " / 1 VM", list
	}
}' "$out/bench-all.log"
