#!/bin/sh
# Fetch Debian's kernel image package for KVER and unpack it into a cache
# directory outside the repository; print that directory, which holds
# boot/vmlinuz-KVER and lib/modules/KVER.  Idempotent.  Touches no part of
# this machine's system: apt-get download + dpkg -x only.
#
# usage: scripts/kernel.sh KVER        e.g. 6.1.0-56-amd64
# env:   SHYPE_KERNEL_CACHE   cache root (default ~/.cache/shype/kernel)
#        SHYPE_APT_SUITES     extra suites tried through a private apt
#                             configuration when the system's apt does not
#                             know the package (default bookworm-backports)
set -eu

kver=${1:?usage: $0 KVER}
root=${SHYPE_KERNEL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/shype/kernel}
dir=$root/$kver

if [ -f "$dir/.done" ] && [ -f "$dir/boot/vmlinuz-$kver" ]; then
	echo "$dir"
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
	uri=$(sed -n 's/^URIs:[[:space:]]*//p' /etc/apt/sources.list.d/*.sources \
		2>/dev/null | grep -v -- '-security' | head -n 1)
	[ -n "$uri" ] || { echo "kernel.sh: no mirror in apt sources" >&2; return 1; }
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
	for p in "linux-image-$kver" "linux-image-$kver-unsigned"; do
		if known "$p"; then
			echo "$p"
			return 0
		fi
	done
	return 1
}

pkg=$(pick) || { private_apt && pkg=$(pick); } || {
	echo "kernel.sh: no package linux-image-${kver}[-unsigned] found" >&2
	exit 1
}

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
