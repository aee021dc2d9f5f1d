#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make install` into a staging directory, and what a user of the staged
# tree needs: every file at its place (shypectl and shype-ivshmem-server
# with their man pages among them), libshype's soname and links, a
# pkg-config file that a program compiles and links with, units that name
# the installed shypectl, the libvirt hook, and a dkms.conf dkms can read.
# Prints one line per check and, last, "N passed, N failed".
#
# usage: tests/install/test_install.sh    (after `make all`)
set -u
cd "$(dirname "$0")/../.." || exit 1
T=$(mktemp -d) || exit 1
trap 'rm -rf "$T"' EXIT
D=$T/root
KVER=${KVER:-6.1.0-56-amd64}
pass=0
fail=0

ok() { pass=$((pass + 1)); echo "ok   $1"; }
not_ok() { fail=$((fail + 1)); echo "FAIL $1: $2"; }
# check NAME COMMAND...: the command succeeds.
check() {
	local name=$1
	shift
	if out=$("$@" 2>&1); then ok "$name"; else not_ok "$name" "$out"; fi
}

if ! make -s install DESTDIR="$D" PREFIX=/usr KVER="$KVER" >"$T/log" 2>&1; then
	not_ok install_into_destdir "$(tail -n 20 "$T/log")"
	echo "$pass passed, $fail failed"
	exit 1
fi
ok install_into_destdir

for f in usr/sbin/shypectl usr/sbin/shype-ivshmem-server \
	usr/lib/libshype.so.0.1.0 usr/lib/libshype.a \
	usr/lib/pkgconfig/libshype.pc usr/include/shype/shype.h \
	usr/include/shype/core/policy.h usr/include/shype/uapi/shype.h \
	usr/share/man/man8/shypectl.8 usr/share/man/man8/shypectl-domain.8 \
	usr/share/man/man8/shypectl-hook.8 usr/share/man/man8/shypectl-daemon.8 \
	usr/share/man/man8/shype-ivshmem-server.8 \
	usr/share/man/man5/shype-policy.5 \
	usr/share/bash-completion/completions/shypectl \
	usr/lib/systemd/system/shype.service \
	usr/lib/systemd/system/shype-daemon.service \
	usr/lib/systemd/system/libvirtd.service.d/shype.conf \
	etc/shype/policy.json "lib/modules/$KVER/updates/shype.ko"; do
	check "installed_$f" test -f "$D/$f"
done
check shypectl_is_executable test -x "$D/usr/sbin/shypectl"
check installed_shypectl_runs "$D/usr/sbin/shypectl" version
check ivshmem_server_is_executable test -x "$D/usr/sbin/shype-ivshmem-server"
check installed_ivshmem_server_runs sh -c \
	"'$D/usr/sbin/shype-ivshmem-server' --help | grep -q '^Usage: shype-ivshmem-server '"
check installed_policy_compiles "$D/usr/sbin/shypectl" policy check "$D/etc/shype/policy.json"
check no_depmod_files_in_destdir test ! -e "$D/lib/modules/$KVER/modules.dep"

# The library: soname, and the development and runtime links.
soname=$(objdump -p "$D/usr/lib/libshype.so.0.1.0" | awk '$1 == "SONAME" { print $2 }')
if [ "$soname" = libshype.so.0 ]; then ok libshype_soname; else
	not_ok libshype_soname "soname '$soname', want libshype.so.0"; fi
check libshype_so0_links_to_library \
	test "$(readlink "$D/usr/lib/libshype.so.0")" = libshype.so.0.1.0
check libshype_so_links_to_soname \
	test "$(readlink "$D/usr/lib/libshype.so")" = libshype.so.0

# The hook is shypectl itself, dispatched on its name.
check libvirt_hook_is_shypectl \
	test "$(readlink "$D/etc/libvirt/hooks/qemu")" = /usr/sbin/shypectl
check units_name_installed_shypectl \
	grep -q '^ExecStart=/usr/sbin/shypectl load /etc/shype/policy.json$' \
	"$D/usr/lib/systemd/system/shype.service"
check daemon_unit_runs_daemon \
	grep -q '^ExecStart=/usr/sbin/shypectl daemon$' \
	"$D/usr/lib/systemd/system/shype-daemon.service"
if command -v systemd-analyze >/dev/null; then
	check units_verify systemd-analyze verify --man=no \
		"$D/usr/lib/systemd/system/shype.service"
fi

# A program built with the installed .pc file only.
export PKG_CONFIG_PATH=$D/usr/lib/pkgconfig PKG_CONFIG_SYSROOT_DIR=$D
cflags=$(pkg-config --cflags libshype) && libs=$(pkg-config --libs libshype)
if [ -n "${libs:-}" ]; then ok pkg_config_cflags_libs; else
	not_ok pkg_config_cflags_libs "pkg-config failed"; fi
cat >"$T/prog.c" <<'C'
#include <shype/shype.h>
#include <stdio.h>
int main(int argc, char **argv)
{
	struct shype_model *m;
	struct shype_errors e = { 0 };
	int err = shype_model_parse_file(argv[1], &m, &e);

	(void)argc;
	if (err)
		return 1;
	printf("%s %s %zu\n", SHYPE_LIBVIRT_NS, m->name, m->n_labels);
	shype_model_free(m);
	return 0;
}
C
# shellcheck disable=SC2086
if gcc -Wall -Wextra -Werror $cflags -o "$T/prog" "$T/prog.c" $libs \
	>"$T/cc.log" 2>&1; then
	ok program_links_against_installed_libshype
	check program_needs_libshype_so0 \
		sh -c "readelf -d '$T/prog' | grep -q 'NEEDED.*\\[libshype.so.0\\]'"
	out=$(LD_LIBRARY_PATH=$D/usr/lib "$T/prog" policies/figure2.json 2>&1)
	if [ "$out" = "urn:shype:libvirt:1 figure2 6" ]; then
		ok program_runs_with_installed_libshype
	else not_ok program_runs_with_installed_libshype "'$out'"; fi
else
	not_ok program_links_against_installed_libshype "$(cat "$T/cc.log")"
fi

# dkms.conf: a shell fragment naming the module.
check dkms_conf_names_module bash -c \
	'kernel_source_dir=/k dkms_tree=/t; . ./dkms.conf; [ "${BUILT_MODULE_NAME[0]}" = shype ]'

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
