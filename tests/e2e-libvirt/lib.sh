# shellcheck shell=bash disable=SC2034 # E, S and T0 are the sourcing tests'
# SPDX-License-Identifier: GPL-2.0
#
# What the libvirt end-to-end tests (test.sh, test-reboot.sh) share: their
# environment (E, where they are installed; S, shype's securityfs; T0, the
# uptime at their start; EMU, the domains' emulator) and their check
# helpers.  One line per check: "ok   NAME" or "not ok - NAME: why", or
# "# skipped: NAME: why"; the caller prints "$pass passed, $fail failed".
export PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C
E=/usr/libexec/shype-e2e
S=/sys/kernel/security/shype
T0=$(cut -d' ' -f1 /proc/uptime)
# The QEMU of qemu-patches/, which run.sh installs when given SHYPE_QEMU,
# and Debian's.  The domains run the patched one when it is there.
PATCHED=/usr/bin/qemu-shype
STOCK=/usr/bin/qemu-system-x86_64
EMU=$STOCK
[ -x $PATCHED ] && EMU=$PATCHED
pass=0
fail=0
skipped=0

ok() { pass=$((pass + 1)); echo "ok   $1"; }
not_ok() { fail=$((fail + 1)); echo "not ok - $1: $2"; }
skip() { skipped=$((skipped + 1)); echo "# skipped: $1: $2"; }
# t NAME CMD...: CMD succeeds.
t() {
	local name=$1 out
	shift
	if out=$("$@" 2>&1); then ok "$name"; else not_ok "$name" "$(echo "$out" | tail -n 5)"; fi
}
# t_fail NAME REGEX CMD...: CMD fails and its output matches REGEX.
t_fail() {
	local name=$1 re=$2 out
	shift 2
	if out=$("$@" 2>&1); then
		not_ok "$name" "succeeded: $out"
	elif echo "$out" | grep -Eq -- "$re"; then
		ok "$name"
		# virsh's wrapping of a hook's message is left out.
		echo "     $(echo "$out" | grep -E -- "$re" | head -n 1 |
			sed 's/^error: Hook script execution failed: .*unexpected exit status [0-9]*: /hook: /' |
			cut -c1-300)"
	else
		not_ok "$name" "output does not match '$re': $out"
	fi
}
# wait_for SECONDS CMD...: until CMD succeeds.
wait_for() {
	local n=$(($1 * 5))
	shift
	while ! "$@" >/dev/null 2>&1; do
		n=$((n - 1))
		[ $n -gt 0 ] || return 1
		sleep 0.2
	done
}
# show CMD...: CMD and its output as comments, for the log and make demo.
show() {
	echo "# \$ $*"
	"$@" 2>&1 | sed 's/^/#   /'
}
stamp() { echo "# $(awk -v a="$T0" '{ printf "%.1f", $1 - a }' /proc/uptime) s: $*"; }
vm_label() { grep -c "label=$1\b" $S/vms; }
