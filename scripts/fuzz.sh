#!/bin/sh
# Run each libFuzzer binary for a bounded time; fail on any crash.
# usage: fuzz.sh SECONDS FUZZER...
set -eu
secs=$1
shift
for f in "$@"; do
	name=$(basename "$f")
	corpus=build/fuzz/corpus-$name
	mkdir -p "$corpus"
	seeds=tests/fuzz/seeds-$name
	echo "== $name for ${secs}s"
	"$f" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix=build/fuzz/ \
		"$corpus" $( [ -d "$seeds" ] && echo "$seeds" ) 2>build/fuzz/$name.log ||
		{ tail -50 build/fuzz/$name.log; echo "fuzz: $name crashed" >&2; exit 1; }
	grep -E '^stat::number_of_executed_units' build/fuzz/$name.log || true
done
