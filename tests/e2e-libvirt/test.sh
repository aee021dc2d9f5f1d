#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The libvirt end-to-end test, run inside the test host by systemd
# (shype-e2e.service) after libvirtd, shype.service (shype.ko and
# /etc/shype/policy.json, the paper's Figure 2) and shype-daemon.service.
# The Figure 2 domains are defined with virsh, labelled with shypectl, and
# started as the Chinese Wall allows.  One line per check, then
# "N passed, N failed"; the test host powers off at the end.
set -u
# shellcheck source=tests/e2e-libvirt/lib.sh
. /usr/libexec/shype-e2e/lib.sh

echo "# shype-e2e-libvirt: start at uptime $T0 s"
t shype_service_loaded_module_and_policy systemctl is-active shype.service
t policy_figure2_active grep -q '^policy=figure2-libvirt ' $S/status
t daemon_running systemctl is-active shype-daemon.service
if ! systemctl -q is-active shype.service; then
	journalctl -b -u shype.service -o cat --no-pager | sed 's/^/# shype.service: /'
	dmesg | grep -i shype | sed 's/^/# kernel: /' | tail -n 10
fi
[ -c /dev/kvm ] || modprobe kvm_amd
t dev_kvm_present test -c /dev/kvm
t hook_installed test -x /etc/libvirt/hooks/qemu
echo "# the domains' emulator: $EMU ($($EMU --version | head -n 1))"
# libvirtd's capability probe VM must be admitted, or libvirt sees no KVM:
# it gets the policy's label for unlabelled VMs.  libvirtd itself stays
# unlabelled, or it would be decided as a VMM (its files, its hook).
virsh -q version >/dev/null 2>&1
t libvirtd_cgroup_unlabelled bash -c "! shypectl label get /system.slice/libvirtd.service | grep -q 'label libvirt'"
t libvirt_sees_kvm bash -c "virsh domcapabilities --virttype kvm >/dev/null"

kver=$(uname -r)
for d in order1:order ads1:advertising comp1:computing; do
	name=${d%%:*}
	sed "s/@NAME@/$name/; s/@KVER@/$kver/; s|@EMULATOR@|$EMU|" $E/domain.xml.in >/tmp/$name.xml
	t "define_$name" virsh -q define /tmp/$name.xml
done
stamp "domains defined"

# Labels: metadata, partition and the partition's labelled cgroup.
t label_order1 shypectl domain label order1 order
t label_ads1 shypectl domain label ads1 advertising
t metadata_set bash -c "virsh metadata order1 --uri urn:shype:libvirt:1 | grep -q '>order</'"
t partition_set bash -c "virsh dumpxml --inactive order1 | grep -q '<partition>/machine/shype-order</partition>'"
cg='/machine.slice/machine-shype\x2dorder.slice'
t partition_cgroup_labelled bash -c "shypectl label get '$cg' | grep -q 'label order'"
t_fail label_unknown_refused "has no VM label 'orders'" shypectl domain label order1 orders
t dry_run_ads1_alone_allowed shypectl domain dry-run ads1
show shypectl label list
show shypectl domain dry-run ads1
stamp "labelled"

# An Order VM starts; its QEMU runs in the labelled partition.
t start_order1 virsh start order1
t order_vm_running_with_label_order test "$(vm_label order)" = 1
pid=$(cat /run/libvirt/qemu/order1.pid 2>/dev/null)
t qemu_in_order_partition grep -q 'machine-shype\\x2dorder.slice' "/proc/$pid/cgroup"
show shypectl vm list
show shypectl status
stamp "order1 started"

# The Chinese Wall: no Advertising VM while it runs.
t_fail dry_run_ads1_denied_beside_order1 "create .*deny .*Chinese Wall" \
	shypectl domain dry-run ads1
t_fail start_ads1_refused_by_hook \
	"shype: domain 'ads1' refused: Chinese Wall: type 'Advertising' of label 'advertising' conflicts with type 'Order' of running VM [0-9]+ \(label 'order'" \
	virsh start ads1
t ads1_not_running test "$(virsh domstate ads1)" = "shut off"
# The kernel refuses on its own: QEMU in the Advertising partition,
# without libvirt and its hook.
t_fail kernel_refuses_advertising_vm "Permission denied|failed to initialize kvm" \
	timeout 30 shypectl run --label advertising --cgroup '/machine.slice/machine-shype\x2dadvertising.slice/e2e' -- \
	qemu-system-x86_64 -accel kvm -machine none -nodefaults -display none -S
show sh -c 'shypectl audit | tail -n 2'
stamp "ads1 refused"

# Order stops: now Advertising may run.
t destroy_order1 virsh destroy order1
t wait_order_vm_gone wait_for 10 test "$(vm_label order)" = 0
t start_ads1_after_order1_stopped virsh start ads1
t ads_vm_running_with_label_advertising test "$(vm_label advertising)" = 1
t_fail start_order1_refused_beside_ads1 "Chinese Wall: type 'Order' of label 'order'" \
	virsh start order1
show shypectl vm list
stamp "ads1 started"

# The daemon: a label set with virsh metadata alone gets its partition.
virsh destroy ads1 >/dev/null 2>&1
t relabel_comp1_by_metadata_only virsh metadata comp1 --config \
	--uri urn:shype:libvirt:1 --key shype --set '<label>computing</label>'
t daemon_sets_partition wait_for 15 bash -c \
	"virsh dumpxml --inactive comp1 | grep -q '<partition>/machine/shype-computing</partition>'"
t daemon_labels_cgroup wait_for 5 bash -c \
	"shypectl label get '/machine.slice/machine-shype\\x2dcomputing.slice' | grep -q 'label computing'"
t start_comp1 virsh start comp1
t computing_vm_running test "$(vm_label computing)" = 1
journalctl -b -u shype-daemon.service -o cat --no-pager | sed 's/^/# daemon: /' | tail -n 8
stamp "comp1 started"
dmesg | grep 'shype: denied' | sed 's/^/# kernel: /' | tail -n 5

# net_domain NAME INTERFACE: a Computing domain with INTERFACE (XML),
# defined and labelled; its dry-run denies net:br-order.
net_domain() {
	local name=$1 iface=$2
	sed "s/@NAME@/$name/; s/@KVER@/$kver/; s|@EMULATOR@|$EMU|; s|<memballoon|$iface<memballoon|" \
		$E/domain.xml.in >/tmp/$name.xml
	t "define_$name" virsh -q define /tmp/$name.xml
	t "label_$name" shypectl domain label $name computing
	t_fail "dry_run_${name}_denies_br_order" "net:br-order .*deny .*share no STE type" \
		shypectl domain dry-run $name
}

# A domain with an interface on a bridge of another coalition: the hook
# refuses it.  (The kernel refuses vhost-net that backend, but QEMU then
# carries the frames to the bridge itself.)
ip link add br-order type bridge 2>/dev/null
net_domain compnet "<interface type='bridge'><source bridge='br-order'/><model type='virtio'/></interface>"
t_fail start_compnet_refused_by_hook \
	"shype: domain 'compnet' refused: its interface bridge may not use net:br-order: label 'computing' and net:br-order \(label 'order'\) share no STE type" \
	virsh start compnet
t compnet_not_running test "$(virsh domstate compnet)" = "shut off"
stamp "compnet refused"
# The same through a libvirt network on br-order: its bridge is in the
# domain's XML only once libvirt allocated the interface ("start"); at
# "prepare" the hook reads it from the active network's status file.
cat >/tmp/ordernet.xml <<'NET'
<network><name>ordernet</name><forward mode='bridge'/><bridge name='br-order'/></network>
NET
virsh -q net-define /tmp/ordernet.xml >/dev/null && virsh -q net-start ordernet >/dev/null
net_domain compnet2 "<interface type='network'><source network='ordernet'/><model type='virtio'/></interface>"
t_fail start_compnet2_refused_by_hook_at_prepare \
	"compnet2 prepare begin .*shype: domain 'compnet2' refused: its interface network may not use net:br-order" \
	virsh start compnet2
t compnet2_not_running test "$(virsh domstate compnet2)" = "shut off"
stamp "compnet2 refused"

# Live bindings: an Order domain holds a file the policy does not label
# (an nvdimm's memory, mapped shared: the kernel binds it when QEMU sets
# up its memslots, before the guest runs); a Computing domain on the same
# file is refused at prepare, as the kernel would refuse its QEMU once
# virsh had said "started".  (A bridge such as libvirt's virbr0 is bound
# only once the guest's virtio-net driver starts vhost-net, which these
# guests, under TCG, do not reach in time; tests/cli covers it.  The
# Advertising domain of the issue would meet the Chinese Wall first.)
shared=/var/lib/shype-e2e/shared.mem
truncate -s 16M $shared
nvdimm="<memory model='nvdimm' access='shared'><source><path>$shared</path></source><target><size unit='MiB'>16</size><node>0</node></target></memory>"
numa="<maxMemory slots='2' unit='MiB'>512</maxMemory><cpu><numa><cell id='0' cpus='0' memory='64' unit='MiB'/></numa></cpu>"
for d in order2:order comp2:computing; do
	name=${d%%:*}
	sed "s/@NAME@/$name/; s/@KVER@/$kver/; s|@EMULATOR@|$EMU|; s|<memballoon|$nvdimm<memballoon|; s|</vcpu>|&$numa|" \
		$E/domain.xml.in >/tmp/$name.xml
	t "define_$name" virsh -q define /tmp/$name.xml
	t "label_$name" shypectl domain label $name "${d#*:}"
done
t dry_run_comp2_allowed_alone shypectl domain dry-run comp2
t start_order2 virsh start order2
t order2_bound_to_shared_file wait_for 30 grep -Eq \
	"class=shm path=$shared vms=[0-9]+\\(order\\)" $S/bindings
show shypectl binding list
t_fail dry_run_comp2_denied_beside_order2 \
	"shm:$shared .*deny .*bound to running VM [0-9]+ \(label 'order'\)" \
	shypectl domain dry-run comp2
t_fail start_comp2_refused_by_hook_at_prepare \
	"comp2 prepare begin .*shype: domain 'comp2' refused: its memory nvdimm may not use shm:$shared: it is bound to running VM [0-9]+ \(label 'order'\), and labels 'computing' and 'order' share no STE type" \
	virsh start comp2
t comp2_not_running test "$(virsh domstate comp2)" = "shut off"
virsh destroy order2 >/dev/null 2>&1
stamp "comp2 refused"

# Files: a domain given another coalition's disk image is refused at
# prepare, naming the file, its label and the domain's; a domain's own
# unlabelled disk gets the domain's label before its QEMU starts.
odisk=/var/lib/shype-e2e/order-disk.img
cdisk=/var/lib/shype-e2e/comp-disk.img
truncate -s 1M $odisk $cdisk
t label_order_disk shypectl resource label file:$odisk order
for d in compdisk:$odisk compown:$cdisk; do
	name=${d%%:*}
	vda="<disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='${d#*:}'/><target dev='vda' bus='virtio'/></disk>"
	sed "s/@NAME@/$name/; s/@KVER@/$kver/; s|@EMULATOR@|$EMU|; s|<memballoon|$vda<memballoon|" \
		$E/domain.xml.in >/tmp/$name.xml
	t "define_$name" virsh -q define /tmp/$name.xml
	t "label_$name" shypectl domain label $name computing
done
t_fail dry_run_compdisk_denies_order_disk \
	"file:$odisk +disk vda rw +deny +label order: label 'computing' and the file's label 'order' \(its security.shype\) share no STE type" \
	shypectl domain dry-run compdisk
t_fail start_compdisk_refused_by_hook \
	"compdisk prepare begin .*shype: domain 'compdisk' refused: its disk vda may not open $odisk \(read-write\): label 'computing' and the file's label 'order' \(its security.shype\) share no STE type" \
	virsh start compdisk
t compdisk_not_running test "$(virsh domstate compdisk)" = "shut off"
t order_disk_keeps_its_label bash -c "shypectl resource get file:$odisk | grep -q 'label order  from xattr'"
t own_disk_unlabelled_before_start bash -c "shypectl resource get file:$cdisk | grep -q 'label -  from none'"
t start_compown virsh start compown
t own_disk_labelled_by_hook bash -c "shypectl resource get file:$cdisk | grep -q 'label computing  from xattr'"
show shypectl domain dry-run compown
virsh destroy compown >/dev/null 2>&1
stamp "compdisk refused, compown's disk labelled"

. $E/test-audit.sh
virsh destroy comp1 >/dev/null 2>&1
. $E/test-qemu.sh

# For the second boot (test-reboot.sh): run-time labels to keep, no
# shype.ko (as after a kernel update without DKMS) and a policy.json that
# no longer parses; both kept whole for the repair.
t reboot_label_cgroup shypectl label set /e2e-persist order
: >/var/lib/shype-e2e/persist.shm
t reboot_label_file shypectl resource label /var/lib/shype-e2e/persist.shm vdisk_order
cp /etc/shype/policy.json /var/lib/shype-e2e/policy.json
echo '{ "name": "broken",' >/etc/shype/policy.json
mv "/usr/lib/modules/$kver/updates/shype.ko" /var/lib/shype-e2e/shype.ko
depmod -a "$kver"
echo "# shype-e2e-libvirt: done in $(awk -v a="$T0" '{ printf "%.1f", $1 - a }' /proc/uptime) s"
echo "# $skipped skipped"
echo "== shype-e2e-libvirt summary"
echo "$pass passed, $fail failed"
sync
systemctl poweroff --force --force
