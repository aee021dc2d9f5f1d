#!/bin/bash
# Boot the test host (Debian's kernel under QEMU, see TESTHOST.md) with the
# initramfs of mkinitramfs.sh, run the test suite in it and judge the result.
#
# usage: tests/vm/run.sh [--kver KVER] [--shell | --bench | --soak]
#                        [--filter BIN[:TEST]]
#   --bench    boot without shype.ko and run shype-bench (make bench)
#   --soak     run shype-soak instead of the suite (make soak), judged
#              as the suite is
#   --shell    interactive busybox shell on the console (Ctrl-A x quits);
#              no timeout, no verdict
#   --filter   globs selecting test programs and, after ':', their tests
# env: SHYPE_ACCEL=tcg|kvm|auto  the accelerator (default tcg; kvm: -accel
#                            kvm -cpu host if a probe shows it works, else
#                            fail; auto: that, else TCG; see scripts/accel.sh)
#      SHYPE_VM_TIMEOUT      seconds for the whole run (default 900)
#      SHYPE_BENCH_ICOUNT=1  --bench counting instructions (TCG's -icount)
#      SHYPE_VM_RETRIES      reruns after a kernel panic that does not
#                            involve shype.ko (default 1)
#      SHYPE_VM_APPEND       more kernel command line
#      SHYPE_VM_MEM          test host memory in MiB (default 2048)
#      SHYPE_VM_OUT          output directory (default build/vm); one run
#                            at a time holds it
#      SHYPE_VM_INITRD_APPEND  cpio archives (gzip'd or not) appended to
#                            the initramfs (tests/e2e adds QEMU and guests)
#
# Fails on: a "not ok" line, a missing or failing summary, a kernel
# WARNING/BUG/Oops/Call Trace/general protection/panic, or the timeout.
# No QEMU outlives run.sh: Ctrl-C, or a signal to run.sh or its process
# group, ends the test host too.
# Logs: $SHYPE_VM_OUT/console.log (serial console) and kmsg.log (the
# complete kernel log, copied by init to the second serial port).
set -eu

cd "$(dirname "$0")/../.."
kver=6.1.0-56-amd64
shell=0
bench=0
mode="test"
filter=
while [ $# -gt 0 ]; do
	case $1 in
	--kver) kver=$2; shift 2 ;;
	--shell) shell=1; shift ;;
	--bench) bench=1; shift ;;
	--soak) mode=soak; shift ;;
	--filter) filter=$2; shift 2 ;;
	*) sed -n '2,/^set -eu/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2 ;;
	esac
done
case $filter in *[[:space:]]*)
	echo "run.sh: --filter may not contain spaces" >&2; exit 2 ;;
esac

out=${SHYPE_VM_OUT:-build/vm}
export SHYPE_VM_OUT=$out
mkdir -p "$out"
# One run at a time per output directory.
exec 9>"$out/.lock"
if ! flock -n 9; then
	echo "run.sh: waiting for another run using $out" >&2
	flock 9
fi
t0=$(date +%s.%N)
kdir=$(scripts/kernel.sh "$kver")
# shellcheck source=scripts/accel.sh
. scripts/accel.sh
accel_choose "$kver" "$kdir" || exit
kernel=$kdir/boot/vmlinuz-$kver
initrd=$(tests/vm/mkinitramfs.sh --kver "$kver" --kdir "$kdir" \
	--tests "${filter%%:*}")
# More archives after it (tests/e2e): the kernel unpacks concatenated
# archives in turn, compressed or not, later files over earlier ones; an
# uncompressed one must start 4-byte aligned (zeros between are skipped).
if [ -n "${SHYPE_VM_INITRD_APPEND:-}" ]; then
	: >"$out/initrd-full"
	for f in "$initrd" $SHYPE_VM_INITRD_APPEND; do
		cat "$f" >>"$out/initrd-full"
		truncate -s %512 "$out/initrd-full"
	done
	initrd=$out/initrd-full
fi
t1=$(date +%s.%N)

BAD='WARNING:|BUG:|Oops|Call Trace|general protection|Kernel panic'

# No QEMU may outlive run.sh.  Plain timeout(1) puts itself and QEMU in a
# process group of their own, out of reach of Ctrl-C and kill -- -PGID;
# with --foreground they stay in run.sh's.  They run in the background
# while run.sh sits in `wait`, which a trapped signal interrupts at once (a
# foreground command would hold the trap back until it ended), so that a
# signal to run.sh alone ends them through the traps; --pdeathsig sends
# them SIGTERM if run.sh dies of SIGKILL.  timeout still ends QEMU when the
# time is up, and kills it 10 s later.
bg=
forget() {
	local p left=
	for p in $bg; do
		[ "$p" = "$1" ] || left="$left $p"
	done
	bg=$left
}
stop_bg() {
	local p
	for p in $bg; do
		kill "$p" 2>/dev/null
	done
	for p in $bg; do
		wait "$p" 2>/dev/null
	done
	bg=
}
trap stop_bg EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

# timed TIMEOUT-ARGS... -- as timeout(1), but as said above; its status.
timed() {
	local pid rc=0
	setpriv --pdeathsig TERM timeout --foreground "$@" &
	pid=$!
	bg="$bg $pid"
	wait "$pid" || rc=$?
	forget "$pid"
	return "$rc"
}

# reader COMMAND...: COMMAND in the background, reading $out/console.fifo,
# which the next timed writes to; wait_reader waits for it to finish.
reader() {
	rm -f "$out/console.fifo"
	mkfifo "$out/console.fifo"
	"$@" <"$out/console.fifo" &
	reader_pid=$!
	bg="$bg $reader_pid"
}
wait_reader() {
	local rc=0
	wait "$reader_pid" || rc=$?
	forget "$reader_pid"
	rm -f "$out/console.fifo"
	return "$rc"
}

qemu=(qemu-system-x86_64 -nodefaults -nographic -no-reboot -kernel "$kernel"
      -initrd "$initrd")

qemu+=("${accel_args[@]}")
# An IOMMU and pci-testdev, a PCI device no driver claims: for VFIO tests.
# One vCPU for benchmarks: single-threaded TCG runs the vCPUs in turn,
# which makes a second one a source of noise in timings.
smp=2
[ "$bench" = 0 ] || smp=1
# SHYPE_BENCH_ICOUNT=1: TCG counts instructions (1 us is 1000 of them), so
# a benchmark gives the same figure at every run, whatever the machine's
# load; waits on timers and workers are not what it measures then.
if [ "$bench" != 0 ] && [ "${SHYPE_BENCH_ICOUNT:-0}" = 1 ]; then
	qemu+=(-icount shift=0,sleep=off)
fi
qemu+=(-m "${SHYPE_VM_MEM:-2048}" -smp "$smp" -serial mon:stdio
       -serial "file:$out/kmsg.log"
       -machine q35 -device intel-iommu,intremap=off -device pci-testdev)
# watchdog_thresh=60: under single-threaded TCG an idle vcpu can miss its
# watchdog for half a minute while the other runs a long nested-guest loop.
append="console=ttyS0 quiet panic=-1 watchdog_thresh=60 shype_kmsg=1 ${SHYPE_VM_APPEND:-}"
[ -z "$filter" ] || append="$append shype_filter=$filter"

echo "run.sh: kernel $kver, accel $accel, initramfs ready in" \
	"$(awk "BEGIN { printf \"%.1f\", $t1 - $t0 }") s"
if [ "$shell" = 1 ]; then
	exec "${qemu[@]}" -append "$append shype_mode=shell"
fi
if [ "$bench" = 1 ]; then
	# shellcheck disable=SC2317 # run by reader
	bench_out() {
		tr -d '\r' | tee "$out/bench.log" | sed -u -f scripts/console.sed |
			grep -a -e '^bench' -e '^[ 0-9A-Za-z(]'
	}
	reader bench_out
	timed -k 10 "${SHYPE_VM_TIMEOUT:-900}" "${qemu[@]}" \
		-append "$append shype_mode=bench shype_load=no" </dev/null \
		>"$out/console.fifo" || true
	wait_reader || true
	grep -q '^bench: done' "$out/bench.log"
	exit
fi

# The console as it is to the log, as plain lines to the terminal.
# shellcheck disable=SC2317 # run by reader
console_out() {
	tee "$out/console.log" | sed -u -f scripts/console.sed
}

# One boot; its verdict is the exit status: 0 pass, 1 fail, 3 a panic
# outside shype.ko (worth a retry).
boot() {
	local rc log sum
	set +e
	rm -f "$out/console.log" "$out/stuck-poweroff"
	: >"$out/console.log"
	# Under a loaded host, QEMU sometimes stays up after the guest has
	# powered off: give it 10 s, then end it.
	(
		while ! grep -q 'reboot: Power down' "$out/console.log"; do
			kill -0 $$ 2>/dev/null || exit 0 # run.sh died of SIGKILL
			sleep 1
		done
		sleep 10
		touch "$out/stuck-poweroff"
		pkill -f -- "-name shype-test-$$" || true
	) &
	watch=$!
	bg="$bg $watch"
	reader console_out
	timed -k 10 "${SHYPE_VM_TIMEOUT:-900}" "${qemu[@]}" \
		-name "shype-test-$$" -append "$append shype_mode=$mode" \
		</dev/null >"$out/console.fifo" 2>&1
	rc=$?
	wait_reader
	kill "$watch" 2>/dev/null
	wait "$watch" 2>/dev/null
	forget "$watch"
	if [ -e "$out/stuck-poweroff" ]; then
		echo "run.sh: QEMU did not exit after the guest powered off; ended it"
		rc=0
	fi
	set -e
	log=$out/all.log
	cat "$out/console.log" "$out/kmsg.log" 2>/dev/null | tr -d '\r' >"$log"
	if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
		echo "run.sh: FAIL: timeout after ${SHYPE_VM_TIMEOUT:-900} s"
		return 1
	fi
	if grep -Eq "$BAD" "$log"; then
		echo "run.sh: FAIL: kernel trouble (full log: $out/kmsg.log):"
		for f in "$out/kmsg.log" "$out/console.log"; do
			if grep -Eq "$BAD" "$f" 2>/dev/null; then
				tr -d '\r' <"$f" | grep -E -A 12 "$BAD" | head -n 60
				break
			fi
		done
		if grep -q 'Kernel panic' "$log" && ! grep -q '\[shype\]' "$log"; then
			return 3
		fi
		return 1
	fi
	if [ "$rc" -ne 0 ]; then
		echo "run.sh: FAIL: qemu exited with status $rc"
		return 1
	fi
	if grep -q '^not ok' "$log"; then
		echo "run.sh: FAIL:"
		grep '^not ok' "$log"
		return 1
	fi
	sum=$(sed -n '/^== shype-vm summary$/,$p' "$log" |
		grep -E '^[0-9]+ passed, [0-9]+ failed(, [0-9]+ skipped)?$' |
		tail -n 1)
	if [ -z "$sum" ]; then
		echo "run.sh: FAIL: no summary line"
		return 1
	fi
	case $sum in
	*" 0 failed"*) ;;
	*) echo "run.sh: FAIL: $sum"; return 1 ;;
	esac
	echo "run.sh: PASS: $sum"
}

tries=$((${SHYPE_VM_RETRIES:-1} + 1))
while :; do
	rm -f "$out/kmsg.log"
	rc=0
	boot || rc=$?
	tries=$((tries - 1))
	if [ "$rc" -ne 3 ] || [ "$tries" -eq 0 ]; then
		break
	fi
	cp "$out/console.log" "$out/console.log.panic"
	echo "run.sh: kernel panic outside shype.ko: retrying once" \
		"(log kept in $out/console.log.panic)"
done
t2=$(date +%s.%N)
first=$(sed -n 's/.*first test at uptime \([0-9.]*\) s.*/\1/p' \
	"$out/console.log" | tr -d '\r' | head -n 1)
echo "run.sh: boot to first test ${first:-?} s, total $(awk "BEGIN { printf \"%.1f\", $t2 - $t0 }") s"
[ "$rc" -eq 0 ] || exit 1
