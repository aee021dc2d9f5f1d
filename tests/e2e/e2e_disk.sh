#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Disk images between real QEMUs, under the Figure 2 policy, every QEMU as
# one unprivileged uid (as libvirt runs them): an unlabelled raw image that
# an Order QEMU opens for writing becomes Order's (its security.shype
# attribute says "order"), so another coalition's QEMU given it cannot open
# it, neither while the Order VM runs nor after it stopped: a disk carries
# data across time.  While the Order VM runs that is a Computing QEMU: an
# Advertising one never gets as far as its disks then, as QEMU creates its
# VM first and the Chinese Wall refuses it (e2e_chwall.sh).  After the
# Order VM stopped, an Advertising QEMU is refused the image.  Another
# Order VM and the vDisk server (types Order and Advertising) may open it.
# An unlabelled image opened read-only (firmware, an ISO) is allowed and
# stays unlabelled.  Without shype the other coalitions' QEMUs open the
# image: QEMU's own image lock is all that stops the Computing one ("Failed
# to get "write" lock"), and nothing stops the Advertising one.  In the
# test host (busybox sh), as root; prints TAP lines, then "N passed, N
# failed".

T=/tmp/e2e-disk
. /usr/share/shype-e2e/lib.sh

VMM_UID=1000
IMG=$T/order.img
ISO=$T/shared.iso

figure2
chmod 666 /dev/kvm
chmod 1777 "$T"
for f in "$IMG" "$ISO"; do
	dd if=/dev/zero of="$f" bs=1M count=1 2>/dev/null
	chown "$VMM_UID:$VMM_UID" "$f"
done

# label FILE: its security.shype attribute, or shype-reach's errno line.
label() {
	shype-reach xattr security.shype "$1" 2>&1
}

# refused NAME: QEMU NAME ended without running its guest, unable to open
# the image ("Could not open 'FILE': Permission denied").
refused() {
	wait_exit "$(pid "$1")" && ! exit_status "$1" &&
		[ ! -s "$T/$1.console" ] &&
		grep -q "Could not open '$IMG': Permission denied" "$T/$1.out"
}

disk="-drive file=$IMG,format=raw,if=virtio"

say "an Order VM on an unlabelled image"
[ "$(label "$IMG")" = "security.shype errno 61 (No data available)" ]
result $? image_starts_unlabelled
# shellcheck disable=SC2086
vm order1 order idle $disk
booted order1
result $? order_vm_runs_on_the_image order1
say "security.shype of $IMG: $(label "$IMG")"
[ "$(label "$IMG")" = order ]
result $? image_becomes_orders

say "a Computing VM given it while the Order VM runs"
audit_mark
# shellcheck disable=SC2086
vm comp1 computing idle $disk
refused comp1
result $? computing_vm_refused_the_image comp1
show "$T/comp1.out"
audit_new >"$T/audit.1"
show "$T/audit.1"
grep -q "op=file result=denied pid=$(pid comp1)(computing) file_label=order .*reason=ste.* path=$IMG" \
	"$T/audit.1"
result $? audit_names_both_labels
stop comp1

say "the Order VM stops; an Advertising VM given the image"
stop order1
audit_mark
# shellcheck disable=SC2086
vm ads2 advertising idle $disk
refused ads2
result $? advertising_vm_refused_the_image_after_order_stopped ads2
show "$T/ads2.out"
stop ads2
audit_new >"$T/audit.2"
show "$T/audit.2"
grep -q "op=file result=denied pid=$(pid ads2)(advertising) file_label=order .*reason=ste.* path=$IMG" \
	"$T/audit.2"
result $? audit_names_advertising_and_order
[ "$(label "$IMG")" = order ]
result $? image_stays_orders

say "another Order VM, then the vDisk server, on the image"
audit_mark
# shellcheck disable=SC2086
vm order2 order idle $disk
booted order2
result $? second_order_vm_runs_on_the_image order2
stop order2
# shellcheck disable=SC2086
vm srv1 vdisk_server idle $disk
booted srv1
result $? vdisk_server_runs_on_the_image srv1
stop srv1
[ -z "$(audit_new)" ]
result $? no_denial_for_them

say "an unlabelled image read-only, for a Computing VM"
# shellcheck disable=SC2086
vm comp2 computing idle -drive "file=$ISO,format=raw,if=virtio,readonly=on"
booted comp2
result $? computing_vm_reads_an_unlabelled_image comp2
[ "$(label "$ISO")" = "security.shype errno 61 (No data available)" ]
result $? read_only_image_stays_unlabelled
stop comp2
finish
