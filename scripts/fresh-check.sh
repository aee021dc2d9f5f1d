#!/bin/bash
# make fresh-check: the README's first command on a fresh Debian 12
# machine.  Debootstrap a pristine bookworm root (minbase: fewer packages
# than any real install, so a missing install step shows), give it this
# machine's apt configuration and nothing else, copy a clean clone of this
# repository's HEAD in, and run there, as a new user would:
#
#     apt-get update && apt-get install make git
#     make demo
#
# with empty caches: HOME is the root's own /root.  The test hosts run
# under QEMU with TCG inside the chroot.  Only the pristine root is cached
# (a tarball under ~/.cache/shype/fresh); each run unpacks it anew and
# deletes it afterwards.
#
# usage: scripts/fresh-check.sh [--keep] [-- COMMAND...]
#   --keep    keep the root (build/fresh/root) for a look afterwards
#   COMMAND   run this in the clone instead of `make demo`
# env: SHYPE_FRESH_TIMEOUT  seconds for the run in the root (default 2700)
#      SHYPE_FRESH_CACHE    cache directory (default ~/.cache/shype/fresh)
# Needs root (debootstrap, chroot, mounts), debootstrap and git.
set -eu

cd "$(dirname "$0")/.."
keep=0
while [ $# -gt 0 ]; do
	case $1 in
	--keep) keep=1; shift ;;
	--) shift; break ;;
	*) sed -n '2,/^set -eu/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2 ;;
	esac
done
cmd=${*:-make demo}
say() { echo "fresh-check: $*"; }
[ "$(id -u)" -eq 0 ] || { say "needs root (debootstrap, chroot)" >&2; exit 1; }
for t in debootstrap git unshare; do
	command -v "$t" >/dev/null || { say "no $t (scripts/deps.sh)" >&2; exit 1; }
done
t0=$(date +%s)
since() { echo $(($(date +%s) - t0)); }

# The mirror, read from the machine's apt sources at run time.
mirror=$(sed -n 's/^URIs:[[:space:]]*//p' /etc/apt/sources.list.d/*.sources \
	2>/dev/null | grep -v -- '-security' | head -n 1)
[ -n "$mirror" ] || mirror=$(sed -n 's/^deb \(\[[^]]*\] \)\{0,1\}\([^ ]*\) bookworm .*/\2/p' \
	/etc/apt/sources.list 2>/dev/null | head -n 1)
[ -n "$mirror" ] || { say "no Debian mirror in apt sources" >&2; exit 1; }

# The pristine root, cached as a tarball keyed by this script's text.
cache=${SHYPE_FRESH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/shype/fresh}
key=$( (cat "$0"; echo "$mirror") | sha256sum | cut -c1-16)
tarball=$cache/bookworm-minbase-$key.tar.gz
mkdir -p "$cache"
exec 8>"$cache/.lock"
flock 8
if [ ! -f "$tarball" ]; then
	say "debootstrap a pristine bookworm (minbase), once; then cached"
	tmp=$(mktemp -d "$cache/build.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	debootstrap --variant=minbase bookworm "$tmp/root" "$mirror" \
		>"$tmp/log" 2>&1 || { tail -n 20 "$tmp/log" >&2; say "debootstrap failed" >&2; exit 1; }
	tar -C "$tmp/root" -czf "$tmp/root.tar.gz" .
	mv "$tmp/root.tar.gz" "$tarball"
	rm -rf "$tmp"
	trap - EXIT
	say "pristine root cached: $tarball ($(since) s)"
fi
flock -u 8

out=build/fresh
root=$out/root
# A root left by --keep or a killed run: its mounts went with their
# namespace, so it is plain files.
rm -rf "$root"
mkdir -p "$root"
tar -C "$root" -xzf "$tarball"
if [ "$keep" = 0 ]; then
	trap 'rm -rf "$root"' EXIT
fi
# What a new machine of this kind has besides: its apt configuration
# (sources, among them bookworm-security, and settings) and name service.
cp -a /etc/apt/sources.list.d/. "$root/etc/apt/sources.list.d/"
[ ! -f /etc/apt/sources.list ] || cp /etc/apt/sources.list "$root/etc/apt/"
cp -a /etc/apt/apt.conf.d/. "$root/etc/apt/apt.conf.d/"
if ls /etc/apt/sources.list.d/*.sources >/dev/null 2>&1; then
	rm -f "$root/etc/apt/sources.list"
fi
cp -L /etc/resolv.conf "$root/etc/resolv.conf"
git clone -q --no-hardlinks "$PWD" "$root/root/shype"
say "a clean clone of $(git rev-parse --short HEAD) in a pristine root ($(since) s)"

# Inside: new mount and PID namespaces, so that every mount and process
# of the run ends with it.
inner='set -e
r=$1; shift
mount -t proc proc "$r/proc"
mount -t sysfs sysfs "$r/sys"
mount --rbind /dev "$r/dev"
mount -t tmpfs tmpfs "$r/run"
mount -t tmpfs tmpfs "$r/tmp"
exec chroot "$r" /usr/bin/env -i HOME=/root TERM=dumb LANG=C.UTF-8 \
	PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
	DEBIAN_FRONTEND=noninteractive /bin/sh -c "$*"'
run="set -e
echo '# apt-get update && apt-get install make git'
apt-get update -q >/dev/null
apt-get install -y -q --no-install-recommends make git >/tmp/apt.log 2>&1 ||
	{ cat /tmp/apt.log; exit 1; }
cd /root/shype
echo '# $cmd'
$cmd"
set +e
timeout -k 10 "${SHYPE_FRESH_TIMEOUT:-2700}" \
	unshare --mount --propagation private --pid --fork \
	sh -c "$inner" sh "$PWD/$root" "$run" </dev/null 2>&1 | tee "$out/log"
rc=${PIPESTATUS[0]}
set -e
if [ "$rc" = 0 ]; then
	say "PASS: '$cmd' on a pristine Debian 12 root in $(since) s"
else
	[ "$rc" != 124 ] || say "timeout after ${SHYPE_FRESH_TIMEOUT:-2700} s"
	say "FAIL ($rc): '$cmd' on a pristine Debian 12 root (log: $out/log)"
fi
exit "$rc"
