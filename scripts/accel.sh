# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0
#
# The accelerator the test hosts run under (tests/vm/run.sh, and through
# it tests/e2e/run.sh, make vm-check-next and make bench; and
# tests/e2e-libvirt/run.sh).  Sourced by bash scripts that run from the
# top of the tree; one choice, made here, from SHYPE_ACCEL:
#
#   tcg   (default) -accel tcg,thread=single -cpu max: works on any machine;
#         KVM in the test host runs on the emulated AMD SVM.
#   kvm   -accel kvm -cpu host, once a probe has shown that it works here;
#         when it does not, the run fails, saying why: KVM was asked for.
#   auto  the probe, then KVM if it works, else TCG (with a note).
#
# TCG is the default, and nothing probes unless asked, because some
# machines offer a /dev/kvm that hangs a stock kernel (a paravirtual
# flavour of KVM): a probe there costs its timeout every time.
#
# The probe is one bounded boot (SHYPE_PROBE_TIMEOUT, 30 s) of the test
# host's kernel under -accel kvm -cpu host with a small initramfs of
# tests/vm/mkinitramfs.sh (in build/accel); its /init, in probe mode,
# loads the KVM modules and runs a tiny guest with kvm_smoke, so a pass
# means that nested KVM works inside, as the tests need.  The answer is
# kept per kernel in build/accel/KVER ("kvm" or "tcg"; delete it to probe
# again): auto trusts either, kvm only "kvm".  The probe's console is
# build/accel/probe-KVER.log.
#
# usage: . scripts/accel.sh; accel_choose KVER KDIR || exit
#   sets $accel (tcg or kvm) and the array $accel_args (QEMU's options);
#   returns 1 when SHYPE_ACCEL=kvm and KVM does not work, 2 for a bad
#   SHYPE_ACCEL, each after a message on stderr.
# env: SHYPE_ACCEL, SHYPE_PROBE_TIMEOUT, SHYPE_TCG_THREAD (single or multi)

accel_dir=build/accel
# The options of a KVM test host; the probe boots with them.
accel_kvm_args=(-accel kvm -cpu host)

# accel_probe KVER KDIR: does the test host boot under KVM here, with a
# working /dev/kvm inside?  Its status; called with fd 8 locked.
accel_probe() {
	local kver=$1 kdir=$2 img log=$accel_dir/probe-$1.log pid rc=0 why
	local t=${SHYPE_PROBE_TIMEOUT:-30}

	if [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; then
		accel_why="/dev/kvm is missing, or not readable and writable by uid $(id -u)"
		return 1
	fi
	img=$(SHYPE_VM_OUT=$accel_dir SHYPE_VM_EXTRA='' \
		tests/vm/mkinitramfs.sh --kver "$kver" --kdir "$kdir" \
		--tests kvm_smoke) || {
		accel_why="cannot build the probe's initramfs"
		return 1
	}
	echo "accel: probing KVM (a boot of at most $t s; log: $log)" >&2
	# In the background, so that the caller's traps run at once; SIGTERM
	# reaches QEMU if the caller dies.  QEMU does not hold the lock.
	setpriv --pdeathsig TERM timeout --foreground -k 5 "$t" \
		qemu-system-x86_64 -nodefaults -nographic -no-reboot \
		"${accel_kvm_args[@]}" -m 512 -smp 1 -serial stdio \
		-kernel "$kdir/boot/vmlinuz-$kver" -initrd "$img" \
		-append "console=ttyS0 quiet panic=-1 shype_mode=probe shype_load=no" \
		</dev/null >"$log" 2>&1 8>&- &
	pid=$!
	wait "$pid" || rc=$?
	if grep -q 'SHYPE_PROBE kvm=ok' "$log"; then
		return 0
	fi
	if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
		accel_why="the probe boot did not finish in $t s (a /dev/kvm that hangs a stock kernel?)"
	elif grep -q 'SHYPE_PROBE kvm=no' "$log"; then
		why=$(sed -n 's/.*SHYPE_PROBE kvm=no:\{0,1\} *//p' "$log" |
			tr -d '\r' | head -n 1)
		accel_why="the test host booted, but KVM does not work inside it (no nested virtualization?)${why:+: $why}"
	else
		accel_why="the probe boot failed (QEMU status $rc)"
	fi
	return 1
}

# accel_choose KVER KDIR: see the header.
# shellcheck disable=SC2034 # accel_args is the caller's
accel_choose() {
	local kver=$1 kdir=$2 want=${SHYPE_ACCEL:-tcg} cache cached=

	accel_why=
	case $want in
	tcg | kvm | auto) ;;
	*)
		echo "accel: SHYPE_ACCEL must be tcg (the default), kvm or auto, not '$want'" >&2
		return 2
		;;
	esac
	accel=tcg
	if [ "$want" != tcg ]; then
		mkdir -p "$accel_dir"
		cache=$accel_dir/$kver
		{
			flock 8
			cached=$(cat "$cache" 2>/dev/null) || true
			if [ "$cached" = kvm ] ||
				{ [ "$want" = auto ] && [ "$cached" = tcg ]; }; then
				accel=$cached
			else
				if accel_probe "$kver" "$kdir"; then
					accel=kvm
				fi
				echo "$accel" >"$cache"
			fi
		} 8>"$accel_dir/.lock"
		if [ "$want" = kvm ] && [ "$accel" != kvm ]; then
			echo "accel: SHYPE_ACCEL=kvm, but KVM does not work here: $accel_why." >&2
			echo "accel: leave SHYPE_ACCEL unset for TCG, or set SHYPE_ACCEL=auto to fall back to it." >&2
			return 1
		fi
		if [ "$want" = auto ] && [ "$accel" = tcg ]; then
			echo "accel: SHYPE_ACCEL=auto: KVM does not work here${cached:+ (answer cached in $cache)}${accel_why:+: $accel_why}; using TCG" >&2
		fi
	fi
	if [ "$accel" = kvm ]; then
		accel_args=("${accel_kvm_args[@]}")
	else
		accel_args=(-accel "tcg,thread=${SHYPE_TCG_THREAD:-single}" -cpu max)
	fi
}
