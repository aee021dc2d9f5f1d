#!/bin/bash
# Build the test host's initramfs: busybox, the KVM and vhost modules of
# KVER, shype.ko and shypectl if built, and the static test programs built
# from tests/vm/*.c.  Prints the path of the gzip'd cpio.  Rebuilds only
# when an input changed.
#
# usage: tests/vm/mkinitramfs.sh --kver KVER [--kdir DIR] [--tests GLOB]
#   --kdir   unpacked kernel package (default: from scripts/kernel.sh)
#   --tests  build and include only the test programs matching GLOB
# env: SHYPE_KO        shype.ko to include (default kmod/shype.ko or ./shype.ko)
#      SHYPECTL        shypectl to include (default build/shypectl)
#      SHYPE_VM_EXTRA  more host binaries to copy with their libraries
#      SHYPE_VM_OUT    output directory (default build/vm)
set -eu

cd "$(dirname "$0")/../.."
kver=6.1.0-56-amd64
kdir=
only='*'
while [ $# -gt 0 ]; do
	case $1 in
	--kver) kver=$2; shift 2 ;;
	--kdir) kdir=$2; shift 2 ;;
	--tests) only=${2:-*}; shift 2 ;;
	*) echo "usage: $0 --kver KVER [--kdir DIR] [--tests GLOB]" >&2; exit 2 ;;
	esac
done
[ -n "$kdir" ] || kdir=$(scripts/kernel.sh "$kver")
mdir=$kdir/lib/modules/$kver

# Modules asked for, in TESTHOST.md's order; dependencies come first anyway.
MODULES="irqbypass kvm ccp kvm-amd kvm-intel vhost_iotlb vhost tun tap
	 vhost_net vsock vmw_vsock_virtio_transport_common vhost_vsock bridge
	 macvtap vfio vfio-pci vfio_iommu_type1"

out=${SHYPE_VM_OUT:-build/vm}
img=$out/initramfs-$kver.cpio.gz
root=$out/root-$kver
mkdir -p "$out/tests"

# 1. Static test programs, rebuilt when their source or a header changed.
# They may use libshype (build/libshype.a, from `make user`) and json-c.
CFLAGS="-static -O2 -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE
	-Itests/vm -Iinclude/uapi -Iinclude"
lib=${LIBSHYPE:-build/libshype.a}
libs=
[ -f "$lib" ] && libs="$lib -ljson-c"
# Compile @1 into @2 unless @2 is newer than it and everything it uses.
cc_static() {
	local dep
	for dep in "$1" tests/vm/*.h libshype/*.h include/uapi/linux/*.h $libs; do
		if [ ! -e "$2" ] || [ "$dep" -nt "$2" ]; then
			echo "mkinitramfs: cc $1" >&2
			# shellcheck disable=SC2086
			gcc $CFLAGS -o "$2" "$1" $libs >&2
			return
		fi
	done
}
tests=()
for src in tests/vm/*.c; do
	[ -e "$src" ] || continue
	bin=$out/tests/$(basename "$src" .c)
	# shellcheck disable=SC2254
	case ${bin##*/} in $only) ;; *) continue ;; esac
	cc_static "$src" "$bin"
	tests+=("$bin")
done
# Shell tests (tests/vm/*.sh but this harness's own, matched by their full
# name) go to /tests as they are; helpers tests/vm/tools/NAME.c become
# static /usr/bin/shype-NAME.
for src in tests/vm/*.sh; do
	case ${src##*/} in run.sh | mkinitramfs.sh) continue ;; esac
	# shellcheck disable=SC2254
	case ${src##*/} in $only) tests+=("$src") ;; esac
done
tools=()
mkdir -p "$out/tools"
for src in tests/vm/tools/*.c; do
	[ -e "$src" ] || continue
	bin=$out/tools/shype-$(basename "$src" .c)
	cc_static "$src" "$bin"
	tools+=("$bin")
done

# 2. Optional pieces: shype.ko (for this kernel only) and shypectl.
ko=${SHYPE_KO:-}
if [ -z "$ko" ]; then
	for f in kmod/shype.ko shype.ko; do
		[ -f "$f" ] && { ko=$f; break; }
	done
fi
if [ -n "$ko" ]; then
	magic=$(modinfo -F vermagic "$ko")
	if [ "${magic%% *}" != "$kver" ]; then
		echo "mkinitramfs: $ko is for '${magic%% *}', not $kver: left out" >&2
		ko=
	fi
fi
ctl=${SHYPECTL:-build/shypectl}
[ -f "$ctl" ] && [ -x "$ctl" ] || ctl=
extra=
for b in ${SHYPE_VM_EXTRA:-}; do
	p=$(command -v "$b") || { echo "mkinitramfs: no $b here" >&2; exit 1; }
	extra="$extra $p"
done

# 3. Inputs unchanged since the last build: nothing to do.
# shellcheck disable=SC2086
manifest=$(stat -L -c '%n %s %Y' "$0" tests/vm/init tests/vm/run-tests \
	/bin/busybox "$mdir/modules.order" "${tests[@]}" "${tools[@]}" \
	policies/*.json $ko $ctl $extra;
	echo "kver=$kver ko=$ko ctl=$ctl extra=$extra tests=${tests[*]}")
if [ -f "$img" ] && [ "$manifest" = "$(cat "$img.manifest" 2>/dev/null)" ]; then
	echo "$img"
	exit 0
fi

rm -rf "$root"
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,tmp,run,etc/shype,tests}
cp /bin/busybox "$root/bin/busybox"
# Relative links: nothing written through them can reach this machine.
for app in $(/bin/busybox --list-full); do
	up=$(dirname "$app" | sed 's|[^/][^/]*|..|g')
	[ -e "$root/$app" ] || ln -s "$up/bin/busybox" "$root/$app"
done
install -m 755 tests/vm/init "$root/init"
install -m 755 tests/vm/run-tests "$root/bin/shype-run-tests"
echo "$kver" >"$root/etc/shype/kver"

# Find NAME's .ko (- and _ are the same in module names).
find_ko() {
	local n=${1//-/_}
	find "$mdir/kernel" -name "$n.ko*" -o -name "${n//_/-}.ko*" | head -n 1
}

# Copy a module (uncompressed) and, first, its dependencies; record the
# load order in etc/shype/modules as "name path".
declare -A seen
add_module() {
	local name=${1//-/_} src rel dst dep
	[ -z "${seen[$name]:-}" ] || return 0
	seen[$name]=1
	src=$(find_ko "$name")
	[ -n "$src" ] || { echo "mkinitramfs: no module $name in $mdir" >&2; exit 1; }
	rel=${src#"$kdir"/}
	rel=${rel%.xz}; rel=${rel%.zst}; rel=${rel%.gz}
	dst=$root/$rel
	mkdir -p "$(dirname "$dst")"
	case $src in
	*.xz) xz -dc "$src" >"$dst" ;;
	*.zst) zstd -q -dc "$src" >"$dst" ;;
	*.gz) gzip -dc "$src" >"$dst" ;;
	*) cp "$src" "$dst" ;;
	esac
	for dep in $(modinfo -F depends "$dst" | tr , ' '); do
		add_module "$dep"
	done
	echo "$name /$rel" >>"$root/etc/shype/modules"
}
for m in $MODULES; do
	add_module "$m"
done
# Loaded where the kernel has them, so that shype.ko hooks them at its load:
# vhost_vdpa is in Debian's 6.12 only.
for m in vhost_vdpa; do
	[ -z "$(find_ko "$m")" ] || add_module "$m"
done
if [ -n "$ko" ]; then
	mkdir -p "$root/lib/modules/$kver/extra"
	# DWARF is of no use to the kernel (its traces use kallsyms).
	strip --strip-debug -o "$root/lib/modules/$kver/extra/shype.ko" "$ko"
fi

# Copy a dynamically linked binary and its libraries, at the same paths
# (replacing busybox's link of the same name, never writing through it).
copy_with_libs() {
	local f
	mkdir -p "$root$(dirname "$2")"
	cp -L --remove-destination "$1" "$root$2"
	for f in $(ldd "$1" | grep -o '/[^ ]*'); do
		mkdir -p "$root$(dirname "$f")"
		cp -L --remove-destination "$f" "$root$f"
	done
}
[ -z "$ctl" ] || copy_with_libs "$ctl" /usr/bin/shypectl
for b in $extra; do
	copy_with_libs "$b" "$b"
done

[ ${#tests[@]} -eq 0 ] || cp "${tests[@]}" "$root/tests/"
chmod 755 "$root"/tests/* 2>/dev/null || true
[ ${#tools[@]} -eq 0 ] || cp "${tools[@]}" "$root/usr/bin/"
mkdir -p "$root/policies"
cp policies/*.json "$root/policies/"

(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) |
	gzip -6 >"$img.tmp"
mv "$img.tmp" "$img"
echo "$manifest" >"$img.manifest"
echo "mkinitramfs: $img $(du -h "$img" | cut -f1)" \
	"(modules: $(cut -d' ' -f1 "$root/etc/shype/modules" | tr '\n' ' ')" \
	"shype.ko: ${ko:-none}, shypectl: ${ctl:-none})" >&2
echo "$img"
