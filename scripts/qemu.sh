#!/bin/sh
# Build QEMU with shype's patches (a quilt series) from Debian's own qemu
# source package, and print the path of the resulting qemu-system-x86_64.
# The series follows the source's QEMU version: qemu-patches/series for
# Debian 12's 7.2, qemu-patches/M.N/series for QEMU M.N (10.0: trixie's).  Only x86_64-softmmu, KVM only (no TCG),
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
# or configuration starts afresh.  Each QEMU version has its own work
# tree and lock, so a 10.0 build neither waits for nor undoes a 7.2 one.
#
# QEMU 10 needs meson >= 1.5, Debian 12 has 1.0.1: then the meson package
# of bookworm-backports (pure Python) is downloaded through a private apt
# configuration, unpacked into the cache and put on the PYTHONPATH of
# that build alone (configure's venv sees it); the system is not touched.
#
# usage: scripts/qemu.sh
# env:   SHYPE_QEMU_CACHE    cache root (default ~/.cache/shype/qemu)
#        SHYPE_QEMU_VERSION  source version of Debian's qemu (default: the
#                            installed qemu-system-x86's)
#        SHYPE_QEMU_SUITES   suites of the private deb-src lines (default
#                            bookworm bookworm-updates bookworm-security
#                            for 7.2, trixie trixie-updates trixie-security
#                            for 10.0; e.g. SHYPE_QEMU_VERSION=1:10.0.13+ds-0+deb13u1
#                            builds trixie's)
#        SHYPE_QEMU_MESON_SUITE  where a new enough meson comes from when
#                            the system's is too old (default
#                            bookworm-backports)
#        SHYPE_QEMU_JOBS     parallel compile jobs (default 2, at nice 19)
set -eu

cd "$(dirname "$0")/.."
top=$(pwd)
[ $# -eq 0 ] || { echo "usage: $0" >&2; exit 2; }
say() { echo "qemu: $*" >&2; }

jobs=${SHYPE_QEMU_JOBS:-2}
version=${SHYPE_QEMU_VERSION:-$(dpkg-query -W -f='${source:Version}' \
	qemu-system-x86 2>/dev/null)} || true
[ -n "$version" ] || {
	say "no qemu-system-x86 installed to take the source version from:" \
		"run scripts/deps.sh or set SHYPE_QEMU_VERSION"
	exit 1
}

# The series for this QEMU version (M.N of 1:M.N.P+dfsg-R), and the
# suffix of its work tree and lock.
qv=${version#*:}
qv=$(echo "${qv%%[+~-]*}" | cut -d. -f1,2)
case $qv in
7.2) pdir=$top/qemu-patches tag='' dist=bookworm ;;
*) pdir=$top/qemu-patches/$qv tag=-$qv dist=trixie ;;
esac
suites=${SHYPE_QEMU_SUITES:-$dist $dist-updates $dist-security}
series=$pdir/series
[ -f "$series" ] || {
	say "no series for QEMU $qv (source $version): no ${series#"$top"/}"
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
if [ -n "$tag" ]; then
	# QEMU 8.1 and later: no submodules option; configure makes a venv
	# (of Debian's python3, whose site-packages it sees) and must not
	# reach for PyPI.
	CONFIGURE_OPTS=$(echo "$CONFIGURE_OPTS" |
		sed 's/ --with-git-submodules=ignore//')"
	--disable-download --python=/usr/bin/python3"
fi
patches() { grep -v '^[[:space:]]*\(#\|$\)' "$series" | cut -d' ' -f1; }
key=$( (echo "$version"; cat "$0" "$series"
	patches | while read -r p; do cat "$pdir/$p"; done) |
	sha256sum | cut -c1-16)

cache=${SHYPE_QEMU_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/shype/qemu}
out=$cache/$key/qemu-system-x86_64
if [ -x "$out" ]; then
	echo "$out"
	exit 0
fi

# One build at a time; another run's work tree must not change under it.
mkdir -p "$cache"
exec 9>"$cache/.lock$tag"
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
	for s in $suites; do
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
work=$cache/work$tag
export QUILT_PATCHES="$pdir" QUILT_PC=.pc-shype
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
	# repository's current text): take it off.  -f: restore the files
	# quilt saved even when a patch's text changed since (without it,
	# quilt refuses a patch that "does not remove cleanly").
	(cd "$work" && quilt pop -a -f -q >&2) || {
		say "cannot pop the last series in $work: remove it and run again"
		exit 1
	}
fi
# quilt keeps the patches directory it first pushed from and prefers it to
# QUILT_PATCHES: from another clone it would push that clone's series.
rm -f "$work/$QUILT_PC/.quilt_patches" "$work/$QUILT_PC/.quilt_series"
n=$(patches | wc -l)
if [ "$n" -gt 0 ]; then
	say "applying $n patches of ${series#"$top"/}"
	(cd "$work" && quilt push -a -q >&2)
fi

# 3. A meson new enough for this QEMU (10.0's meson.build wants >= 1.5),
# when the system's is not, from SHYPE_QEMU_MESON_SUITE, once.
if [ -n "$tag" ]; then
	need=$(sed -n 's/^meson = { accepted = ">=\([0-9.]*\)".*/\1/p' \
		"$work/pythondeps.toml")
	have=$(/usr/bin/python3 -c \
		'import mesonbuild.coredata as c; print(c.version)' 2>/dev/null) ||
		have=0
	if [ -n "$need" ] && dpkg --compare-versions "$have" lt "$need"; then
		msuite=${SHYPE_QEMU_MESON_SUITE:-bookworm-backports}
		mdir=$cache/meson/$msuite
		if [ ! -f "$mdir/.done" ]; then
			say "meson $have < $need: fetching meson from $msuite"
			rm -rf "$mdir"
			mkdir -p "$mdir/apt/lists/partial" "$mdir/apt/parts" \
				"$mdir/apt/cache/archives/partial" "$mdir/deb"
			keyring=/usr/share/keyrings/debian-archive-keyring.gpg
			opt=
			[ -f "$keyring" ] && opt="[signed-by=$keyring] "
			muri=$(scripts/mirror.sh)
			echo "deb $opt$muri $msuite main" >"$mdir/apt/sources.list"
			if [ "$(id -u)" -eq 0 ] && id _apt >/dev/null 2>&1; then
				chown -R _apt "$mdir"
			fi
			apt_opts="-o Dir::Etc::sourcelist=$mdir/apt/sources.list
				  -o Dir::Etc::sourceparts=$mdir/apt/parts
				  -o Dir::State::Lists=$mdir/apt/lists
				  -o Dir::Cache=$mdir/apt/cache"
			# shellcheck disable=SC2086
			apt-get $apt_opts -q update >&2
			# shellcheck disable=SC2086
			(cd "$mdir/deb" && apt-get $apt_opts -q download meson >&2)
			dpkg -x "$mdir"/deb/meson_*.deb "$mdir"
			basename "$mdir"/deb/meson_*.deb >"$mdir/.done"
			rm -rf "$mdir/apt" "$mdir/deb"
		fi
		# For configure's venv and for ninja's re-runs of meson.
		export PYTHONPATH="$mdir/usr/lib/python3/dist-packages"
		have=$(/usr/bin/python3 -c \
			'import mesonbuild.coredata as c; print(c.version)')
		dpkg --compare-versions "$have" ge "$need" || {
			say "meson $have from $msuite is older than $need"
			exit 1
		}
		say "meson $have from $msuite ($(cat "$mdir/.done"))"
	fi
fi

# 4. Configure (again only when this script's options changed), build.
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
# The binaries of older series of this source version go, but the last
# two (15 MB each).
find "$cache" -mindepth 2 -maxdepth 2 -name ABOUT -printf '%T@ %p\n' |
	sort -rn | cut -d' ' -f2- | while read -r about; do
		case $(cat "$about") in "qemu $version + "*) ;; *) continue ;; esac
		dirname "$about"
	done | grep -E '/[0-9a-f]{16}$' | tail -n +3 |
	while read -r old; do rm -rf "$old"; done
say "built $out in $(($(date +%s) - t0)) s"
echo "$out"
