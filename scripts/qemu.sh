#!/bin/sh
# Build QEMU with shype's patches (qemu-patches/series, a quilt series)
# from Debian's own qemu source package, and print the path of the
# resulting qemu-system-x86_64.  Only x86_64-softmmu, KVM only (no TCG),
# with what the tests use: virtio-net and vhost-net, ivshmem, memory
# backends, seccomp (libseccomp).
#
# The source is fetched with `apt-get source` through a private apt
# configuration (deb-src lines for the machine's own Debian mirror), into
# a cache outside the repository; the system's apt configuration is not
# touched.  The binary is cached under a key over the source version, the
# series and its patches and this script, so a second run is instant.
# A changed series is built incrementally in the same work tree (quilt
# pops the old series and pushes the new one); a changed source version
# or configuration starts afresh.
#
# usage: scripts/qemu.sh
# env:   SHYPE_QEMU_CACHE    cache root (default ~/.cache/shype/qemu)
#        SHYPE_QEMU_VERSION  source version of Debian's qemu (default: the
#                            installed qemu-system-x86's)
#        SHYPE_QEMU_SUITES   suites of the private deb-src lines (default
#                            bookworm bookworm-updates bookworm-security)
#        SHYPE_QEMU_JOBS     parallel compile jobs (default 2, at nice 19)
set -eu

cd "$(dirname "$0")/.."
top=$(pwd)
[ $# -eq 0 ] || { echo "usage: $0" >&2; exit 2; }
say() { echo "qemu: $*" >&2; }

series=$top/qemu-patches/series
jobs=${SHYPE_QEMU_JOBS:-2}
version=${SHYPE_QEMU_VERSION:-$(dpkg-query -W -f='${source:Version}' \
	qemu-system-x86 2>/dev/null)} || true
[ -n "$version" ] || {
	say "no qemu-system-x86 installed to take the source version from:" \
		"run scripts/deps.sh or set SHYPE_QEMU_VERSION"
	exit 1
}

# What this build is made of: its configuration is this script's text.
CONFIGURE_OPTS="--prefix=/usr --sysconfdir=/etc --localstatedir=/var
	--firmwarepath=/usr/share/qemu:/usr/share/seabios:/usr/lib/ipxe/qemu
	--with-pkgversion=shype --with-git-submodules=ignore
	--target-list=x86_64-softmmu --without-default-features
	--disable-tcg --enable-kvm --enable-seccomp
	--enable-vhost-kernel --enable-vhost-net
	--disable-docs --disable-tools --disable-install-blobs
	--audio-drv-list="
patches() { grep -v '^[[:space:]]*\(#\|$\)' "$series" | cut -d' ' -f1; }
key=$( (echo "$version"; cat "$0" "$series"
	patches | while read -r p; do cat "qemu-patches/$p"; done) |
	sha256sum | cut -c1-16)

cache=${SHYPE_QEMU_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/shype/qemu}
out=$cache/$key/qemu-system-x86_64
if [ -x "$out" ]; then
	echo "$out"
	exit 0
fi

# One build at a time; another run's work tree must not change under it.
mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9
if [ -x "$out" ]; then
	echo "$out"
	exit 0
fi
t0=$(date +%s)

# 1. The source package, once per version.
src=$cache/src/$version
if [ ! -f "$src/.done" ]; then
	say "fetching Debian's qemu $version source"
	rm -rf "$src"
	mkdir -p "$src/apt/lists/partial" "$src/apt/parts" \
		"$src/apt/cache/archives/partial"
	uri=$(scripts/mirror.sh)
	sec=$(sed -n 's/^URIs:[[:space:]]*//p' /etc/apt/sources.list.d/*.sources \
		2>/dev/null | grep -- '-security' | head -n 1) || true
	keyring=/usr/share/keyrings/debian-archive-keyring.gpg
	opt=
	[ -f "$keyring" ] && opt="[signed-by=$keyring] "
	for s in ${SHYPE_QEMU_SUITES:-bookworm bookworm-updates bookworm-security}; do
		case $s in
		*-security) [ -z "$sec" ] || echo "deb-src $opt$sec $s main" ;;
		*) echo "deb-src $opt$uri $s main" ;;
		esac
	done >"$src/apt/sources.list"
	# apt-get as root drops to the _apt user, who must write here.
	if [ "$(id -u)" -eq 0 ] && id _apt >/dev/null 2>&1; then
		chown -R _apt "$src"
	fi
	apt_opts="-o Dir::Etc::sourcelist=$src/apt/sources.list
		  -o Dir::Etc::sourceparts=$src/apt/parts
		  -o Dir::State::Lists=$src/apt/lists
		  -o Dir::Cache=$src/apt/cache"
	# shellcheck disable=SC2086
	apt-get $apt_opts -q update >&2
	# shellcheck disable=SC2086
	(cd "$src" && apt-get $apt_opts -q --download-only source \
		"qemu=$version" >&2)
	rm -rf "$src/apt"
	touch "$src/.done"
fi

# 2. The work tree: Debian's source with its own patches (dpkg-source),
# then ours through quilt, kept apart in .pc-shype.
work=$cache/work
export QUILT_PATCHES="$top/qemu-patches" QUILT_PC=.pc-shype
export QUILT_PATCH_OPTS="--reject-format=unified"
if [ "$(cat "$work/.version" 2>/dev/null)" != "$version" ]; then
	say "unpacking qemu $version into $work"
	rm -rf "$work"
	dpkg-source --no-copy -x "$src/qemu_${version#*:}.dsc" "$work" \
		>"$cache/unpack.log" 2>&1 || {
		cat "$cache/unpack.log" >&2
		exit 1
	}
	echo "$version" >"$work/.version"
elif (cd "$work" && quilt top >/dev/null 2>&1); then
	# The series pushed last time (the patches quilt saved, not the
	# repository's current text): take it off.
	(cd "$work" && quilt pop -a -q >&2) || {
		say "cannot pop the last series in $work: remove it and run again"
		exit 1
	}
fi
n=$(patches | wc -l)
if [ "$n" -gt 0 ]; then
	say "applying $n patches of qemu-patches/series"
	(cd "$work" && quilt push -a -q >&2)
fi

# 3. Configure (again only when this script's options changed), build.
bdir=$work/build-shype
if [ "$(cat "$bdir/.options" 2>/dev/null)" != "$CONFIGURE_OPTS" ]; then
	say "configuring x86_64-softmmu"
	rm -rf "$bdir"
	mkdir -p "$bdir"
	# shellcheck disable=SC2086
	(cd "$bdir" && ../configure $CONFIGURE_OPTS >configure.log 2>&1) || {
		tail -n 30 "$bdir/configure.log" >&2
		exit 1
	}
	echo "$CONFIGURE_OPTS" >"$bdir/.options"
fi
say "building qemu-system-x86_64 ($jobs jobs, nice 19)"
nice -n 19 ninja -C "$bdir" -j "$jobs" qemu-system-x86_64 >"$bdir/build.log" 2>&1 || {
	grep -B 2 -A 20 -m 1 'error' "$bdir/build.log" >&2 ||
		tail -n 40 "$bdir/build.log" >&2
	say "build failed: $bdir/build.log"
	exit 1
}
mkdir -p "$cache/$key"
# Without its debugging information: 50 MB less in the test host.
strip -o "$out.tmp" "$bdir/qemu-system-x86_64"
mv "$out.tmp" "$out"
echo "qemu $version + $n patches ($key)" >"$cache/$key/ABOUT"
# The binaries of older series go, but the last two (15 MB each).
find "$cache" -mindepth 1 -maxdepth 1 -type d -regextype posix-extended \
	-regex '.*/[0-9a-f]{16}' \
	-printf '%T@ %p\n' | sort -rn | tail -n +3 | cut -d' ' -f2- |
	while read -r old; do rm -rf "$old"; done
say "built $out in $(($(date +%s) - t0)) s"
echo "$out"
