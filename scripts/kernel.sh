#!/bin/sh
# Fetch Debian's kernel image package for KVER and unpack it into a cache
# directory outside the repository; print that directory, which holds
# boot/vmlinuz-KVER and lib/modules/KVER.  With --headers, fetch its
# linux-headers package (and the -common and linux-kbuild ones it needs)
# instead and print the directory to build modules against (KDIR).
# Idempotent.  Touches no part of this machine's system: apt-get download
# + dpkg -x only.
#
# usage: scripts/kernel.sh [--headers] KVER        e.g. 6.1.0-56-amd64
# env:   SHYPE_KERNEL_CACHE   cache root (default ~/.cache/shype/kernel)
#        SHYPE_APT_SUITES     extra suites tried through a private apt
#                             configuration when the system's apt does not
#                             know the package (default bookworm-backports)
set -eu

headers=
[ "${1:-}" != --headers ] || { headers=1; shift; }
kver=${1:?usage: $0 [--headers] KVER}
root=${SHYPE_KERNEL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/shype/kernel}
dir=$root/$kver
kdir=$dir/headers/usr/src/linux-headers-$kver

# One run at a time per kernel: another run's unpacking must not be seen
# half done, nor deleted under it.
mkdir -p "$root"
exec 9>"$root/.lock-$kver"
flock 9

if [ -z "$headers" ] && [ -f "$dir/.done" ] &&
	[ -f "$dir/boot/vmlinuz-$kver" ]; then
	echo "$dir"
	exit 0
fi
if [ -n "$headers" ] && [ -f "$dir/.headers-done" ] && [ -d "$kdir" ]; then
	echo "$kdir"
	exit 0
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# apt-get download as root drops to the _apt user, who must write here.
if [ "$(id -u)" -eq 0 ] && id _apt >/dev/null 2>&1; then
	chown _apt "$tmp"
fi

# apt options for a private configuration (empty: the system's own).
apt_opts=""

known() {
	# shellcheck disable=SC2086
	apt-cache $apt_opts show "$1" >/dev/null 2>&1
}

# Write a private sources list: the mirror URI comes from the machine's
# deb822 sources at run time; lists go to a private state directory.
private_apt() {
	uri=$("$(dirname "$0")/mirror.sh") || return 1
	key=/usr/share/keyrings/debian-archive-keyring.gpg
	opt=
	[ -f "$key" ] && opt="[signed-by=$key] "
	mkdir -p "$tmp/apt/lists/partial" "$tmp/apt/parts" \
		"$tmp/apt/cache/archives/partial"
	for s in ${SHYPE_APT_SUITES:-bookworm-backports}; do
		echo "deb $opt$uri $s main"
	done >"$tmp/apt/sources.list"
	if [ "$(id -u)" -eq 0 ] && id _apt >/dev/null 2>&1; then
		chown -R _apt "$tmp/apt"
	fi
	apt_opts="-o Dir::Etc::sourcelist=$tmp/apt/sources.list
		  -o Dir::Etc::sourceparts=$tmp/apt/parts
		  -o Dir::State::Lists=$tmp/apt/lists
		  -o Dir::Cache=$tmp/apt/cache"
	echo "kernel.sh: private apt update for ${SHYPE_APT_SUITES:-bookworm-backports}" >&2
	# shellcheck disable=SC2086
	apt-get $apt_opts -q update >&2
}

pick() {
	if [ -n "$headers" ]; then
		known "linux-headers-$kver" && echo "linux-headers-$kver"
		return
	fi
	for p in "linux-image-$kver" "linux-image-$kver-unsigned"; do
		if known "$p"; then
			echo "$p"
			return 0
		fi
	done
	return 1
}

pkg=$(pick) || { private_apt && pkg=$(pick); } || {
	echo "kernel.sh: no package linux-${headers:+headers}${headers:-image}-$kver found" >&2
	exit 1
}

if [ -n "$headers" ]; then
	# The headers package, and the packages of the same source it needs
	# (linux-headers-VER-common, linux-kbuild-VER).
	# shellcheck disable=SC2086
	deps=$(apt-cache $apt_opts show "$pkg" | sed -n 's/^Depends: //p' |
		head -n 1 | tr ',' '\n' | sed 's/^ *//; s/[ (].*//' |
		grep -E '^linux-(headers|kbuild)-')
	echo "kernel.sh: downloading $pkg" $deps >&2
	# shellcheck disable=SC2086
	(cd "$tmp" && apt-get $apt_opts -q download "$pkg" $deps >&2)
	rm -rf "${dir:?}/headers"
	mkdir -p "$dir/headers"
	for deb in "$tmp"/*.deb; do
		dpkg -x "$deb" "$dir/headers"
	done
	[ -f "$kdir/Makefile" ] || {
		echo "kernel.sh: no $kdir/Makefile in $pkg" >&2
		exit 1
	}
	# Its Makefile includes the -common tree by its installed path.
	sed -i "s|^include /usr/src/|include $dir/headers/usr/src/|" \
		"$kdir/Makefile"
	echo "$pkg" >"$dir/.headers-done"
	echo "$kdir"
	exit 0
fi

echo "kernel.sh: downloading $pkg" >&2
mkdir -p "$dir"
# shellcheck disable=SC2086
(cd "$tmp" && apt-get $apt_opts -q download "$pkg" >&2)
deb=$(ls "$tmp"/*.deb)
rm -rf "${dir:?}/boot" "${dir:?}/lib" "${dir:?}/usr"
dpkg -x "$deb" "$dir"
[ -f "$dir/boot/vmlinuz-$kver" ] || {
	echo "kernel.sh: $deb has no boot/vmlinuz-$kver" >&2
	exit 1
}
# Debian's modules.dep etc. are built by the postinst; make them here.
depmod -b "$dir" "$kver" 2>/dev/null || true
basename "$deb" >"$dir/.done"
echo "$dir"
