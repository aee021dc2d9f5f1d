#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The libvirt end-to-end test after a reboot (run.sh boots the disk of
# test.sh's boot again with shype_e2e.phase=2; shype-e2e-reboot.service
# runs this).  test.sh left run-time labels and a policy.json that does not
# parse: shype must fail closed, say why, and, once the policy is repaired
# and shype.service restarted, give the run-time labels again.  It also
# took shype.ko away: the hook must refuse every domain on its own then.  One line
# per check, then "N passed, N failed"; the test host powers off at the end.
set -u
# shellcheck source=tests/e2e-libvirt/lib.sh
. /usr/libexec/shype-e2e/lib.sh

echo "# shype-e2e-libvirt reboot: start at uptime $T0 s"
journalctl -b -u shype.service -o cat --no-pager | sed 's/^/# shype.service: /'

# Without shype.ko: shype.service failed loudly, and the hook refuses
# every domain (the kernel cannot: nothing mediates).
t shype_service_failed_at_boot test "$(systemctl is-failed shype.service)" = failed
t shype_service_says_modprobe_failed bash -c "journalctl -b -u shype.service -o cat --no-pager |
	grep -q \"'/sbin/modprobe shype require_policy=1' failed\""
t no_shype_module test ! -d $S
t libvirtd_runs_without_shype systemctl is-active libvirtd.service
t libvirtd_ordered_after_shype bash -c "systemctl show -p After libvirtd.service | grep -q shype.service"
[ -c /dev/kvm ] || modprobe kvm_amd
t_fail start_order1_refused_without_module \
	"shype: domain 'order1' refused: shype is not enforcing: shype.ko is not loaded \(shype.service failed\?\): see 'systemctl status shype.service', then 'systemctl restart shype.service'" \
	virsh start order1
t order1_not_running test "$(virsh domstate order1)" = "shut off"

# shype.ko back, the policy still broken: shype.service fails again and
# shype.ko, loaded with require_policy=1, refuses every VM.
kver=$(uname -r)
mv /var/lib/shype-e2e/shype.ko "/usr/lib/modules/$kver/updates/shype.ko"
depmod -a "$kver"
t_fail restart_shype_service_fails_without_policy "shype.service failed" \
	systemctl restart shype.service
journalctl -b -u shype.service -o cat --no-pager | tail -n 6 | sed 's/^/# shype.service: /'
t shype_service_says_no_policy bash -c "journalctl -b -u shype.service -o cat --no-pager |
	grep -q 'no policy is loaded from /etc/shype/policy.json: every VM is refused until one is'"
t module_loaded_requiring_policy grep -q '^policy=- .* require_policy=1$' $S/status
t_fail start_order1_refused_without_policy \
	"shype: domain 'order1' refused: shype is not enforcing: no policy is loaded \(shype.service failed\?\): fix /etc/shype/policy.json, then 'systemctl restart shype.service'" \
	virsh start order1
# The kernel on its own: QEMU without libvirt and its hook.
t_fail kernel_refuses_vm_without_policy "Permission denied|failed to initialize kvm" \
	timeout 30 qemu-system-x86_64 -accel kvm -machine none -nodefaults -display none -S
t audit_says_no_policy grep -q 'op=create result=denied .*reason=no_policy' $S/audit

# Repaired, as the message says: the policy, then the run-time labels.
cp /var/lib/shype-e2e/policy.json /etc/shype/policy.json
t restart_shype_service systemctl restart shype.service
journalctl -b -u shype.service -o cat --no-pager | tail -n 3 | sed 's/^/# shype.service: /'
t policy_active_after_repair grep -q '^policy=figure2-libvirt ' $S/status
t cgroup_label_survived_reboot bash -c \
	"shypectl label get /e2e-persist | grep -q 'label order  from /e2e-persist'"
t file_label_survived_reboot bash -c \
	"shypectl resource list | grep -q '^resource shm:/var/lib/shype-e2e/persist.shm .* label vdisk_order$'"
t start_order1_after_repair virsh start order1
t order_vm_running test "$(vm_label order)" = 1
virsh destroy order1 >/dev/null 2>&1

echo "# shype-e2e-libvirt reboot: done in $(awk -v a="$T0" '{ printf "%.1f", $1 - a }' /proc/uptime) s"
echo "== shype-e2e-libvirt reboot summary"
echo "$pass passed, $fail failed"
sync
systemctl poweroff --force --force
