#!/bin/bash
# The libvirt end-to-end test: boot Debian's kernel under QEMU from
# the debootstrapped image of mkimage.sh, with this tree's `make install`
# output added at boot (shype.ko, shypectl, units, the libvirt hook) and
# /etc/shype/policy.json = policies/figure2-libvirt.json, and run test.sh there.
# Then boot the same disk again with shype_e2e.phase=2 on the kernel
# command line, which runs test-reboot.sh instead (a reboot: what the first
# boot left is kept).  Both boots are judged.
# The base image is never written: each run boots a fresh qcow2 overlay.
# With --migrate it boots two such hosts at once instead, "src" and "dst"
# (shype_e2e.role= on their command lines), joined by a private link (a
# QEMU datagram socket pair, nothing on this machine's network), and runs
# tests/e2e-migrate/test.sh on both: src drives, dst serves.
#
# usage: tests/e2e-libvirt/run.sh [--kver KVER] [--shell] [--migrate]
#   --shell   boot to a root shell on the console instead of the test
# env: SHYPE_QEMU         a QEMU built with qemu-patches/ (make qemu prints
#                         its path): put in the test host as
#                         /usr/bin/qemu-shype, the domains' <emulator>;
#                         without it the domains run Debian's QEMU and
#                         the checks of the patched one are skipped
#      SHYPE_E2E_TIMEOUT  seconds for the whole boot (default 900, 1800
#                         with --migrate)
#      SHYPE_E2E_OUT      output directory (default build/e2e-libvirt,
#                         build/e2e-migrate with --migrate)
#      SHYPE_ACCEL        tcg (default), kvm or auto: see scripts/accel.sh
# Needs `make all` first (shype.ko and shypectl).
set -eu

cd "$(dirname "$0")/../.."
kver=6.1.0-56-amd64
shell=0
migrate=0
while [ $# -gt 0 ]; do
	case $1 in
	--kver) kver=$2; shift 2 ;;
	--shell) shell=1; shift ;;
	--migrate) migrate=1; shift ;;
	*) sed -n '2,/^set -eu/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2 ;;
	esac
done
out=${SHYPE_E2E_OUT:-build/e2e-$([ $migrate = 1 ] && echo migrate || echo libvirt)}
tmo=${SHYPE_E2E_TIMEOUT:-$([ $migrate = 1 ] && echo 1800 || echo 900)}
mkdir -p "$out"
exec 9>"$out/.lock"
flock -n 9 || { echo "run.sh: waiting for another run using $out" >&2; flock 9; }
t0=$(date +%s.%N)
since() { awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }

kdir=$(scripts/kernel.sh "$kver")
# shellcheck source=scripts/accel.sh
. scripts/accel.sh
accel_choose "$kver" "$kdir" || exit
base=$(tests/e2e-libvirt/mkimage.sh --kver "$kver")
echo "e2e-libvirt: base image $base ($(since) s)"

# This boot's files: make install, the test, the guests' initramfs.
ov=$out/overlay
rm -rf "$ov" "$out/boot"
mkdir -p "$ov"
make -s install DESTDIR="$PWD/$ov" PREFIX=/usr KVER="$kver" >/dev/null
# Debian's /lib is a link to usr/lib: the module goes there.
cp -a "$ov/lib/." "$ov/usr/lib/"
rm -rf "$ov/lib"
# Figure 2 with a label for libvirtd's own capability probe (see
# systemd/libvirt-dropin.conf): without it libvirt finds no KVM.
install -m 644 policies/figure2-libvirt.json "$ov/etc/shype/policy.json"
mkdir -p "$ov/usr/libexec/shype-e2e" "$ov/var/lib/shype-e2e" \
	"$ov/etc/systemd/system/sysinit.target.wants" \
	"$ov/etc/systemd/system/multi-user.target.wants"
install -m 755 tests/e2e-libvirt/test.sh tests/e2e-libvirt/test-reboot.sh \
	tests/e2e-libvirt/test-audit.sh tests/e2e-libvirt/test-qemu.sh \
	tests/e2e-libvirt/lib.sh \
	"$ov/usr/libexec/shype-e2e/"
install -m 644 tests/e2e-libvirt/domain.xml.in "$ov/usr/libexec/shype-e2e/"
# The patched QEMU: the libraries it needs are stock QEMU's, which the
# image has (qemu-system-x86).
if [ -n "${SHYPE_QEMU:-}" ]; then
	[ -x "$SHYPE_QEMU" ] || { echo "e2e-libvirt: no QEMU at $SHYPE_QEMU" >&2; exit 1; }
	install -D -m 755 "$SHYPE_QEMU" "$ov/usr/bin/qemu-shype"
	echo "e2e-libvirt: the domains' emulator: $SHYPE_QEMU (as /usr/bin/qemu-shype)"
else
	echo "e2e-libvirt: the domains' emulator: Debian's QEMU (no SHYPE_QEMU: the patched QEMU's checks are skipped)"
fi
install -m 644 tests/e2e-libvirt/shype-e2e.service \
	tests/e2e-libvirt/shype-e2e-reboot.service "$ov/etc/systemd/system/"
ln -s /usr/lib/systemd/system/shype.service \
	"$ov/etc/systemd/system/sysinit.target.wants/shype.service"
ln -s /usr/lib/systemd/system/shype-daemon.service \
	"$ov/etc/systemd/system/multi-user.target.wants/shype-daemon.service"
if [ "$migrate" = 1 ]; then
	# Both hosts: the migration test, libvirtd on TCP without
	# authentication (a private link between two test hosts only), and
	# busybox for the test's own command channel (nc).
	install -m 755 tests/e2e-migrate/test.sh "$ov/usr/libexec/shype-e2e/test-migrate.sh"
	install -m 755 tests/e2e-migrate/serve.sh /bin/busybox "$ov/usr/libexec/shype-e2e/"
	install -m 644 tests/e2e-migrate/shype-e2e-migrate.service "$ov/etc/systemd/system/"
	ln -s /etc/systemd/system/shype-e2e-migrate.service \
		"$ov/etc/systemd/system/multi-user.target.wants/shype-e2e-migrate.service"
	mkdir -p "$ov/etc/libvirt" "$ov/etc/systemd/system/sockets.target.wants"
	echo 'auth_tcp = "none"' >"$ov/etc/libvirt/libvirtd.conf"
	ln -s /usr/lib/systemd/system/libvirtd-tcp.socket \
		"$ov/etc/systemd/system/sockets.target.wants/libvirtd-tcp.socket"
elif [ "$shell" = 0 ]; then
	ln -s /etc/systemd/system/shype-e2e.service \
		"$ov/etc/systemd/system/multi-user.target.wants/shype-e2e.service"
	ln -s /etc/systemd/system/shype-e2e-reboot.service \
		"$ov/etc/systemd/system/multi-user.target.wants/shype-e2e-reboot.service"
else
	mkdir -p "$ov/etc/systemd/system/serial-getty@ttyS0.service.d"
	printf '[Service]\nExecStart=\nExecStart=-/sbin/agetty --autologin root -o "-p -f root" --keep-baud 115200 ttyS0 $TERM\n' \
		>"$ov/etc/systemd/system/serial-getty@ttyS0.service.d/autologin.conf"
	ln -sf /usr/lib/systemd/system/serial-getty@.service \
		"$ov/etc/systemd/system/serial-getty@ttyS0.service"
fi
g=$out/guest
rm -rf "$g"
mkdir -p "$g/bin" "$g/proc"
cp /bin/busybox "$g/bin/busybox"
for a in sh mount echo sleep; do ln -s busybox "$g/bin/$a"; done
install -m 755 tests/e2e-libvirt/guest-init "$g/init"
(cd "$g" && find . | cpio -o -H newc -R 0:0 --quiet) | gzip -1 \
	>"$ov/var/lib/shype-e2e/guest.cpio.gz"

# The boot initramfs: busybox, the modules to reach an ext4 virtio disk,
# and the overlay.
b=$out/boot
mkdir -p "$b/bin" "$b/etc" "$b/proc" "$b/sys" "$b/dev"
cp /bin/busybox "$b/bin/busybox"
for a in $(/bin/busybox --list); do
	[ "$a" = busybox ] || ln -sf busybox "$b/bin/$a"
done
install -m 755 tests/e2e-libvirt/boot-init "$b/init"
echo "$kver" >"$b/etc/kver"
mdir=$kdir/lib/modules/$kver
declare -A seen
add_module() {
	local n=${1//-/_} src dep
	[ -z "${seen[$n]:-}" ] || return 0
	seen[$n]=1
	src=$(modinfo -b "$kdir" -k "$kver" -n "$n" 2>/dev/null) ||
		{ echo "e2e-libvirt: no module $n" >&2; exit 1; }
	case $src in (builtin) return 0 ;; esac
	for dep in $(modinfo -F depends "$src" | tr , ' '); do add_module "$dep"; done
	mkdir -p "$b/lib/modules"
	cp "$src" "$b/lib/modules/"
	echo "$n /lib/modules/${src##*/}" >>"$b/etc/modules.load"
}
for m in virtio_pci virtio_blk ext4 crc32c_generic; do add_module "$m"; done
mv "$ov" "$b/overlay"
(cd "$b" && find . | cpio -o -H newc -R 0:0 --quiet) | gzip -1 >"$out/boot.cpio.gz"
disks=run
[ "$migrate" = 0 ] || disks="src dst"
for d in $disks; do
	rm -f "$out/$d.qcow2"
	qemu-img create -q -f qcow2 -b "$(realpath "$base")" -F raw "$out/$d.qcow2"
done
echo "e2e-libvirt: boot files ready ($(since) s); booting the test host$([ $migrate = 0 ] || echo s) (accel $accel)"

append="console=ttyS0 quiet panic=-1 watchdog_thresh=60 systemd.show_status=0"
qemu=(qemu-system-x86_64 -nodefaults -nographic -no-reboot
      "${accel_args[@]}" -smp 2
      -kernel "$kdir/boot/vmlinuz-$kver" -initrd "$out/boot.cpio.gz"
      -serial mon:stdio)
disk() { echo "file=$out/$1.qcow2,if=virtio,format=qcow2,cache=unsafe"; }
if [ "$shell" = 1 ]; then
	exec "${qemu[@]}" -m 2048 -drive "$(disk run)" -append "$append"
fi
# One boot of a host: its console in $1, its verdict the exit status.
# $2 is the line after which its summary comes; $3 more kernel parameters;
# $4 what its console lines are prefixed with; the rest, QEMU's options.
boot() {
	local log=$1 marker=$2 params=$3 tag=$4 rc sum verdict=0 ticker
	shift 4
	# systemd and libvirtd take a minute or more to boot under TCG, with
	# nothing on the console worth showing: say that the host is booting.
	rm -f "$log"
	(
		s=0
		while sleep 15; do
			s=$((s + 15))
			grep -Eq '# shype-e2e-[a-z]+( [a-z]+)?: start' "$log" 2>/dev/null && exit 0
			echo "e2e-libvirt: ${tag}the test host boots (Debian, systemd, libvirtd under TCG): $s s"
		done
	) &
	ticker=$!
	# (|| true: under set -e a failing command in an EXIT trap fails the script)
	# shellcheck disable=SC2064 # this boot's ticker
	trap "kill $ticker 2>/dev/null || true" EXIT
	set +e
	timeout -k 10 "$tmo" "${qemu[@]}" "$@" -append "$append $params" </dev/null 2>&1 |
		stdbuf -oL tr -d '\r' | tee "$log" | sed -u -f scripts/console.sed |
		grep --line-buffered -E '^(ok |not ok|#|     |[0-9]+ passed)' | sed -u "s/^/$tag/"
	rc=${PIPESTATUS[0]}
	kill $ticker 2>/dev/null || true
	set -e
	if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
		echo "e2e-libvirt: ${tag}FAIL: timeout after $tmo s"; verdict=1
	elif grep -Eq "$BAD" "$log"; then
		echo "e2e-libvirt: ${tag}FAIL: kernel trouble:"; grep -E -A 12 "$BAD" "$log" | head -n 40
		verdict=1
	fi
	sum=$(sed -n "/^$marker\$/,\$p" "$log" |
		grep -E '^[0-9]+ passed, [0-9]+ failed$' | tail -n 1)
	case $sum in
	"") echo "e2e-libvirt: ${tag}FAIL: no summary line (log: $log)"; verdict=1 ;;
	*" 0 failed") ;;
	*) echo "e2e-libvirt: ${tag}FAIL: $sum"; verdict=1 ;;
	esac
	return $verdict
}
BAD='WARNING:|BUG:|Oops|Call Trace|general protection|Kernel panic'
verdict=0
if [ "$migrate" = 1 ]; then
	# Two hosts at once, each at 1.25 GiB, joined by a datagram socket pair;
	# each its own host UUID (libvirt refuses to migrate to "itself").
	link() {
		echo "dgram,id=link,local.type=unix,local.path=$out/$1.sock,remote.type=unix,remote.path=$out/$2.sock"
	}
	rm -f "$out/src.sock" "$out/dst.sock"
	host() {
		boot "$out/console-$1.log" "== shype-e2e-migrate $1 summary" \
			"shype_e2e.role=$1" "$1: " -m 1280 -drive "$(disk "$1")" \
			-uuid "$2" -netdev "$(link "$1" "$3")" \
			-device "virtio-net-pci,netdev=link,mac=$4"
	}
	host dst 5e0e0015-0000-4000-8000-000000000002 src 52:54:00:15:00:02 &
	dst=$!
	host src 5e0e0015-0000-4000-8000-000000000001 dst 52:54:00:15:00:01 || verdict=1
	wait $dst || verdict=1
	echo "e2e-migrate: $([ $verdict = 0 ] && echo PASS || echo FAIL) in $(since) s (logs: $out/console-src.log, $out/console-dst.log)"
	exit $verdict
fi
boot "$out/console.log" "== shype-e2e-libvirt summary" "" "" -m 2048 -drive "$(disk run)" || verdict=1
# The same disk again (tests/e2e-libvirt/test-reboot.sh): test.sh left
# run-time labels and a broken policy.json for it.
t1=$(since)
echo "e2e-libvirt: first boot done ($t1 s); booting it again (phase 2)"
boot "$out/console2.log" "== shype-e2e-libvirt reboot summary" "shype_e2e.phase=2" "" \
	-m 2048 -drive "$(disk run)" ||
	verdict=1
echo "e2e-libvirt: second boot took $(awk -v a="$t1" -v b="$(since)" 'BEGIN { printf "%.1f", b - a }') s"
echo "e2e-libvirt: $([ $verdict = 0 ] && echo PASS || echo FAIL) in $(since) s (logs: $out/console.log, $out/console2.log)"
exit $verdict
