#!/bin/bash
# make demo: the coalitions of the sHype paper's Figure 2, decided by
# shype's own kernel code (kmod/core) through shypectl, then by shype.ko
# in a test host, with our own VMM, real QEMU VMs and libvirt.  Ends with
# a summary of what was allowed and refused; fails if any part fails.
set -eu -o pipefail
cd "$(dirname "$0")/.."
ctl=build/shypectl
pol=policies/figure2.json
blob=build/figure2.bin
logs=build/demo
rm -rf "$logs"
mkdir -p "$logs"

step() { printf '\n== %s\n' "$*"; }
# ask ARGS...: shypectl ARGS, shown; a check's answer is kept for the summary.
ask() {
	local out
	printf '$ shypectl %s\n' "$*"
	out=$("$ctl" "$@" 2>&1) || true
	[ -z "$out" ] || echo "$out"
	if [ "$1" = check ]; then
		local what="${*:2}"
		what=${what% --policy *}
		case $out in
		allow*) echo "allowed  $what" >>"$logs/checks" ;;
		deny*) echo "refused  $what: ${out#deny: }" >>"$logs/checks" ;;
		esac
	fi
	return 0
}
# part NAME CMD...: CMD's output, firmware noise dropped, shown and kept.
part() {
	local name=$1
	shift
	"$@" 2>&1 | grep -a --line-buffered -v -e SeaBIOS -e 'Booting from' \
		-e 'reboot: Power' -e '^$' | tee "$logs/$name.log"
}

# The closing summary, from what the parts printed.
summary() {
	local f n
	step "Summary: what shype allowed and refused"
	echo "The policy's own decisions (shypectl check, kmod/core):"
	sed 's/^/  /' "$logs/checks"
	for f in kernel qemu libvirt; do
		[ -f "$logs/$f.log" ] || continue
		# The harness's verdict; libvirt's host boots twice, each
		# boot closing with its own count.
		if [ "$f" = libvirt ]; then
			n=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$logs/$f.log" |
				paste -sd ';' | sed 's/;/, then after a reboot /')
		else
			n=$(grep -Eo '[0-9]+ passed, [0-9]+ failed' "$logs/$f.log" |
				tail -n 1)
		fi
		case $f in
		kernel) echo "shype.ko with our own VMM (Figure 2): ${n:-no result}" ;;
		qemu) echo "Real QEMU VMs (Chinese Wall, ivshmem, memslots, vhost-net): ${n:-no result}" ;;
		libvirt) echo "libvirt (hook and kernel): ${n:-no result}" ;;
		esac
	done
	# Kernel audit lines, VM numbers and pids left out: one line a kind.
	if grep -q 'result=denied' "$logs"/*.log 2>/dev/null; then
		echo "Refused by shype.ko (its audit lines):"
		grep -aho 'op=[a-z_]* result=denied \(vm\|policy\)=.*' "$logs"/*.log |
			sed -e 's/ pid=[0-9]*//' -e 's/\b\(vm\|peer\)=[0-9]*(\([^)]*\))/\1=\2/g' \
			    -e 's/ \(path\|digest\)=[^ ]*//g' -e 's/ \(ppid\|auid\|uid\)=.*//' \
			    -e 's/[[:cntrl:]]//g' -e 's/ [a-z]*$//' |
			cut -c1-150 | sort -u | sed 's/^/  /'
	fi
	if grep -q 'qemu-shype: .*shype refused' "$logs/qemu.log" 2>/dev/null; then
		echo "Said by the patched QEMU, which exits or fails the device (no abort, no fallback):"
		grep -aho 'shype refused [a-z_]* of [^:]*: reason=[a-z_]*' "$logs/qemu.log" |
			sed 's/(eventfd [0-9]*)/(eventfd N)/' | sort -u | cut -c1-150 | sed 's/^/  /'
		echo "  query-shype over QMP:"
		grep -aho '{"return": {"digest".*' "$logs/qemu.log" | head -n 1 |
			grep -o '"\(label\|policy\|mode\|version\)": "[^"]*"' |
			paste -sd ' ' | sed 's/^/    /'
	fi
	if grep -q "shype: domain '.*' refused" "$logs"/*.log 2>/dev/null; then
		echo "Refused by the libvirt hook, before QEMU started:"
		grep -aho "shype: domain '.*' refused: .*" "$logs"/*.log |
			sed -e 's/ (label .*//' -e "s/: label '.*//" -e 's/ of running VM .*//' \
			    -e 's/ (shype\.service failed?).*//' |
			sort -u | cut -c1-150 | sed 's/^/  /'
	fi
}

step "The policy: Order and Advertising are competing coalitions"
ask policy check "$pol" && echo "(valid)"
ask policy compile "$pol" -o "$blob"
ask policy show "$blob"

step "Simple Type Enforcement: who may share (eventfds, shared memory)"
ask check share order order --policy "$blob"
ask check share order advertising --policy "$blob"
ask check share vdisk_server order --policy "$blob"
ask check share vdisk_server advertising --policy "$blob"
ask check share computing order --policy "$blob"

step "Resources: the vDisk server's disks"
ask check resource order shm:/dev/shm/vdisk-order --policy "$blob"
ask check resource advertising shm:/dev/shm/vdisk-order --policy "$blob"

step "Chinese Wall: who may run while whom runs"
ask check create order --running order,computing,vdisk_server --policy "$blob"
ask check create advertising --running order --policy "$blob"
ask check create advertising --running computing,vdisk_server --policy "$blob"

step "A policy with mistakes is refused with each one's place"
bad=build/demo-bad.json
sed -e 's/"ste": \["Order"\], "chwall"/"ste": ["Orders"], "chwall"/' \
    -e 's/: "vdisk_order",/: "vdisk_ordr",/' "$pol" >"$bad"
ask policy check "$bad"

[ "${SHYPE_DEMO_VM:-1}" = 1 ] || { summary; exit 0; }
kver=${KVER:-6.1.0-56-amd64}
step "In the kernel: shype.ko in Debian's kernel, under QEMU with KVM inside"
part kernel tests/vm/run.sh --kver "$kver" --filter 'vm_figure2.sh'

[ "${SHYPE_DEMO_QEMU:-1}" = 1 ] || { summary; exit 0; }
patched=
if [ "${SHYPE_DEMO_PATCHED:-1}" = 1 ]; then
	step "QEMU with qemu-patches/: Debian's QEMU 7.2 that handles a refusal"
	echo "(built from Debian's qemu source package once, about 8 minutes on 2 cores, then cached)"
	scripts/deps.sh qemu
	patched=$(scripts/qemu.sh)
	echo "$patched"
fi
step "Real QEMU VMs in that test host: the Chinese Wall, ivshmem, shared memory, vhost-net"
echo "(QEMU and its firmware are packed once, then cached; the guests are tests/e2e/guest)"
[ -z "$patched" ] ||
	echo "(e2e_qemu_patched.sh: the patched QEMU beside Debian's, on the same refusals)"
part qemu env ${patched:+SHYPE_QEMU="$patched"} tests/e2e/run.sh --kver "$kver"

[ "${SHYPE_DEMO_LIBVIRT:-1}" = 1 ] || { summary; exit 0; }
step "Real VMs: libvirt starts QEMU, shype's hook and kernel decide"
echo "(a Debian image with libvirt is built once, about 2 minutes, then cached)"
part libvirt env ${patched:+SHYPE_QEMU="$patched"} tests/e2e-libvirt/run.sh --kver "$kver"
summary
