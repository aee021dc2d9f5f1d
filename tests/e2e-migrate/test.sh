#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The migration end-to-end test, run by systemd (shype-e2e-migrate.service)
# in each of the two test hosts that `tests/e2e-libvirt/run.sh --migrate`
# boots from one image, with the same policy (the paper's Figure 2), after
# libvirtd (on TCP, without authentication: a private link) and shype.
# shype_e2e.role= says which host this is:
#   dst  10.15.0.2: serves the commands of src (serve.sh) until told to stop;
#   src  10.15.0.1: drives: starts labelled domains, migrates them live to
#        dst (virsh migrate --live), saves and restores them, and checks
#        both hosts (dst's shypectl and securityfs through the channel).
# Each prints one line per check, then "N passed, N failed", and powers
# off; each also prints the hook calls libvirt made on it ("# src hook:",
# "# dst hook:").  libvirt 9.0 runs on a migration's destination "migrate
# begin", "prepare begin", "start begin", "started begin", and on its
# source only "stopped end" and "release end"; "restore begin", then
# prepare, start and started, for virsh restore and for the start of a
# managed-saved domain.
#
# Not in make check: two test hosts at once take 2 x 1.25 GiB and about
# 7.5 minutes under TCG (make e2e-migrate).
set -u
# shellcheck source=tests/e2e-libvirt/lib.sh
. /usr/libexec/shype-e2e/lib.sh

BB=$E/busybox
SRC=10.15.0.1
DST=10.15.0.2
DSTURI=qemu+tcp://$DST/system
PORT=7777
role=$(sed -n 's/.*shype_e2e\.role=\([a-z]*\).*/\1/p' /proc/cmdline)
[ "$role" = src ] && me=$SRC || me=$DST
echo "# shype-e2e-migrate $role: start at uptime $T0 s"

# The private link: the NIC of the link's MAC (52:54:00:15:00:0N).
ifc=$(ip -o link | awk -F': ' '/52:54:00:15:00/ { print $2; exit }')
t link_up bash -c "ip link set '$ifc' up && ip addr add $me/24 dev '$ifc'"
hostname "shype-$role"
printf '%s shype-src\n%s shype-dst\n' $SRC $DST >>/etc/hosts
[ -c /dev/kvm ] || modprobe kvm_amd
t policy_figure2_active grep -q '^policy=figure2-libvirt ' $S/status
t libvirtd_on_tcp systemctl is-active libvirtd-tcp.socket
# Record every hook call libvirt makes (operation, phase), as the link to
# shypectl would see it.
mv /etc/libvirt/hooks/qemu /etc/libvirt/hooks/qemu.shype
cat >/etc/libvirt/hooks/qemu <<'HOOK'
#!/bin/bash
echo "$*" >>/run/shype-e2e-hooks.log
exec -a /etc/libvirt/hooks/qemu /etc/libvirt/hooks/qemu.shype "$@"
HOOK
chmod 755 /etc/libvirt/hooks/qemu
kver=$(uname -r)
shared=/var/lib/shype-e2e/shared.mem
truncate -s 16M $shared

# define NAME LABEL [XML-EXTRA]: a domain's XML with its label and partition
# in it, as `shypectl domain label` leaves them, on stdout.
domxml() {
	local name=$1 label=$2 extra=${3:-}
	sed "s/@NAME@/$name/; s/@KVER@/$kver/; s|@EMULATOR@|$EMU|; s|<memballoon|$extra<memballoon|
	     s|</vcpu>|&<metadata><shype:label xmlns:shype='urn:shype:libvirt:1'>$label</shype:label></metadata><resource><partition>/machine/shype-$label</partition></resource>|" \
		$E/domain.xml.in
}
nvdimm="<memory model='nvdimm' access='shared'><source><path>$shared</path></source><target><size unit='MiB'>16</size><node>0</node></target></memory>"
numa="<maxMemory slots='2' unit='MiB'>512</maxMemory><cpu><numa><cell id='0' cpus='0' memory='64' unit='MiB'/></numa></cpu>"

if [ "$role" = dst ]; then
	"$BB" nc -ll -p $PORT -e $E/serve.sh &
	server=$!
	t serving wait_for 10 bash -c "printf 'true\n' | $BB nc 127.0.0.1 $PORT | grep -q rc=0"
	echo "# dst: serving on $DST:$PORT"
	# Until src says it is done (or never does).
	wait_for 1500 test -e /run/shype-e2e-stop
	t src_said_done test -e /run/shype-e2e-stop
	kill $server
	sed 's/^/# dst hook: /' /run/shype-e2e-hooks.log
	echo "== shype-e2e-migrate dst summary"
	echo "$pass passed, $fail failed"
	sync
	systemctl poweroff --force --force
	exit 0
fi

# on_dst CMD: CMD run on dst (one line), its output on stdout, its status.
on_dst() {
	local out rc
	out=$(printf '%s\n' "$*" | "$BB" nc $DST $PORT)
	rc=$(echo "$out" | sed -n '$s/^rc=//p')
	echo "$out" | sed '$d'
	return "${rc:-1}"
}
vm_label_dst() { on_dst "grep -c 'label=$1\\b' $S/vms"; }
migrate() { virsh migrate --live "$1" $DSTURI tcp://$DST; }
migrate_back() {
	virsh -c $DSTURI migrate --live "$1" qemu+tcp://$SRC/system tcp://$SRC
}
# The policy of the source as the daemon records it in the live XML.
# policy_recorded [-c URI] DOMAIN: its live XML names the policy of its host.
policy_recorded() {
	local c=()
	[ "$1" != -c ] || { c=(-c "$2"); shift 2; }
	virsh "${c[@]}" dumpxml "$1" | grep -q "<shypepolicy:policy .*digest=.$(
		if [ ${#c[@]} = 0 ]; then shypectl status; else on_dst shypectl status; fi |
			sed -n 's/^digest //p')"
}
# dst_policy SED FORCE: dst loads Figure 2 changed by SED.
dst_policy() {
	on_dst "sed '$1' /etc/shype/policy.json >/tmp/p.json && shypectl load /tmp/p.json ${2:-} && shypectl status"
}

t dst_reachable wait_for 300 on_dst true
t dst_libvirt_reachable virsh -c $DSTURI -q version
stamp "both hosts up"

# A labelled domain migrates live; on dst it runs with its label, in its
# label's partition, whose cgroup dst's hook labelled before QEMU started.
domxml order1 order >/tmp/order1.xml
t define_order1 virsh -q define /tmp/order1.xml
t start_order1 virsh start order1
t daemon_records_policy_in_live_xml wait_for 15 policy_recorded order1
show sh -c "virsh dumpxml order1 | grep -E 'shype(policy)?:'"
stamp "order1 started"
t migrate_order1_live migrate order1
stamp "order1 migrated"
t order1_running_on_dst test "$(virsh -c $DSTURI domstate order1)" = running
t order1_shut_off_on_src test "$(virsh domstate order1)" = "shut off"
t order_vm_on_dst_has_label_order test "$(vm_label_dst order)" = 1
t order1_qemu_on_dst_in_order_partition on_dst \
	"grep -q 'machine-shype\\\\x2dorder.slice' /proc/\$(cat /run/libvirt/qemu/order1.pid)/cgroup"
t dst_partition_cgroup_labelled on_dst \
	"shypectl label get '/machine.slice/machine-shype\\x2dorder.slice' | grep -q 'label order'"
t order1_label_metadata_on_dst bash -c "virsh -c $DSTURI metadata order1 --uri urn:shype:libvirt:1 | grep -q '>order</'"
show on_dst shypectl vm list
show on_dst "shypectl -j status"
t migrate_order1_back_to_src migrate_back order1
t order_vm_back_on_src test "$(vm_label order)" = 1
stamp "order1 back"

# dst's Chinese Wall: with an Advertising VM running there, an Order
# domain is refused at "migrate begin", before any QEMU starts on dst.
domxml ads1d advertising >/tmp/ads1d.xml
t define_ads1d_on_dst virsh -c $DSTURI -q define /tmp/ads1d.xml
t start_ads1d_on_dst virsh -c $DSTURI start ads1d
t_fail migrate_order1_refused_by_dst_chinese_wall \
	"order1 migrate begin .*shype: domain 'order1' refused: Chinese Wall: type 'Order' of label 'order' conflicts with type 'Advertising' of running VM [0-9]+ \(label 'advertising'" \
	migrate order1
t order1_still_running_on_src test "$(virsh domstate order1)" = running
t no_order_vm_on_dst test "$(vm_label_dst order)" = 0
t destroy_ads1d_on_dst virsh -c $DSTURI destroy ads1d
stamp "Chinese Wall on dst"

# Bindings: a Computing VM bound to a shared file on dst refuses there an
# Order domain bound to the same file; once it stops, the Order domain is
# bound again on dst.  (A new file on dst each time: the VMM that writes
# an unlabelled file gives it its label.)
domxml order2 order "$nvdimm" | sed "s|</vcpu>|&$numa|" >/tmp/order2.xml
domxml comp2d computing "$nvdimm" | sed "s|</vcpu>|&$numa|" >/tmp/comp2d.xml
newfile="rm -f $shared && truncate -s 16M $shared"
on_dst "$newfile"
t define_comp2d_on_dst virsh -c $DSTURI -q define /tmp/comp2d.xml
t start_comp2d_on_dst virsh -c $DSTURI start comp2d
t define_order2 virsh -q define /tmp/order2.xml
t start_order2 virsh start order2
t order2_bound_on_src wait_for 30 grep -Eq "class=shm path=$shared vms=[0-9]+\\(order\\)" $S/bindings
t comp2d_bound_on_dst wait_for 30 on_dst \
	"grep -Eq 'class=shm path=$shared vms=[0-9]+\\(computing\\)' $S/bindings"
wait_for 15 policy_recorded order2
t_fail migrate_order2_refused_by_dst_binding \
	"order2 migrate begin .*shype: domain 'order2' refused: its memory nvdimm may not use shm:$shared: it is bound to running VM [0-9]+ \(label 'computing'\)" \
	migrate order2
t order2_still_running_on_src test "$(virsh domstate order2)" = running
t destroy_comp2d_on_dst virsh -c $DSTURI destroy comp2d
on_dst "$newfile"
t migrate_order2_live migrate order2
t order2_bound_again_on_dst wait_for 30 on_dst \
	"grep -Eq 'class=shm path=$shared vms=[0-9]+\\(order\\)' $S/bindings"
show on_dst shypectl binding list
virsh -c $DSTURI destroy order2 >/dev/null 2>&1
stamp "bindings on dst"

# One policy across hosts: dst refuses another policy name, a lower
# version, and the same version with another digest; a higher version
# decides again, here without the label 'computing'.
domxml comp1 computing >/tmp/comp1.xml
t define_comp1 virsh -q define /tmp/comp1.xml
t start_comp1 virsh start comp1
wait_for 15 policy_recorded comp1
t dst_loads_higher_version_without_computing dst_policy \
	's/"version": "1.0"/"version": "1.1"/; /"computing": {/d'
t_fail migrate_comp1_refused_unknown_label_on_dst \
	"comp1 migrate begin .*shype: domain 'comp1' refused: label 'computing' is not a VM label of the active policy 'figure2-libvirt'" \
	migrate comp1
t comp1_still_running_on_src test "$(virsh domstate comp1)" = running
t migrate_order1_to_higher_version migrate order1
t dst_daemon_records_its_policy wait_for 15 policy_recorded -c $DSTURI order1
# Back to the older policy of src: src refuses it in turn.
t_fail migrate_order1_back_refused_by_older_src \
	"order1 migrate begin .*shype: domain 'order1' refused: .*1\.0.*older than.*1\.1" \
	migrate_back order1
t destroy_order1_on_dst virsh -c $DSTURI destroy order1
t start_order1_again virsh start order1
wait_for 15 policy_recorded order1
t dst_loads_other_name dst_policy 's/"figure2-libvirt"/"figure2-other"/' force
t_fail migrate_order1_refused_other_policy_name \
	"order1 migrate begin .*shype: domain 'order1' refused: .*policy 'figure2-other'.* source.*'figure2-libvirt'" \
	migrate order1
t dst_loads_lower_version dst_policy 's/"version": "1.0"/"version": "0.9"/' force
t_fail migrate_order1_refused_lower_version \
	"order1 migrate begin .*shype: domain 'order1' refused: .*0\.9.*older than.*1\.0" \
	migrate order1
t dst_loads_same_version_other_content dst_policy \
	's/\[\["Order", "Advertising"\]\]/[["Order", "Advertising"], ["Order", "Computing"]]/' force
t_fail migrate_order1_refused_same_version_other_digest \
	"order1 migrate begin .*shype: domain 'order1' refused: .*1\.0.*digest" \
	migrate order1
t order1_still_running_on_src_after_refusals test "$(virsh domstate order1)" = running
virsh destroy comp1 >/dev/null 2>&1
stamp "policy identity"

# Save and restore: the label is kept, and checked again at restore.
domxml ads1 advertising >/tmp/ads1.xml
t define_ads1 virsh -q define /tmp/ads1.xml
save=/var/lib/shype-e2e/order1.save
t save_order1 virsh save order1 $save
t order1_saved_not_running test "$(vm_label order)" = 0
t start_ads1_while_order1_saved virsh start ads1
t_fail restore_order1_refused_beside_ads1 \
	"order1 restore begin .*shype: domain 'order1' refused: Chinese Wall: type 'Order' of label 'order'" \
	virsh restore $save
t destroy_ads1 virsh destroy ads1
t restore_order1 virsh restore $save
t order_vm_restored_with_label_order test "$(vm_label order)" = 1
t restored_order1_in_order_partition grep -q 'machine-shype\\x2dorder.slice' "/proc/$(cat /run/libvirt/qemu/order1.pid)/cgroup"
t managedsave_order1 virsh managedsave order1
t start_ads1_while_order1_managedsaved virsh start ads1
t_fail start_managedsaved_order1_refused_beside_ads1 \
	"order1 restore begin .*shype: domain 'order1' refused: Chinese Wall: type 'Order' of label 'order'" \
	virsh start order1
t destroy_ads1_again virsh destroy ads1
t start_managedsaved_order1 virsh start order1
t order_vm_managedsave_restored_with_label_order test "$(vm_label order)" = 1
t order1_restored_from_managedsave bash -c "virsh domstate --reason order1 | grep -q restored"
virsh destroy order1 >/dev/null 2>&1
stamp "save and restore"

sed 's/^/# src hook: /' /run/shype-e2e-hooks.log
on_dst "touch /run/shype-e2e-stop" >/dev/null
echo "# shype-e2e-migrate src: done in $(awk -v a="$T0" '{ printf "%.1f", $1 - a }' /proc/uptime) s"
echo "== shype-e2e-migrate src summary"
echo "$pass passed, $fail failed"
sync
systemctl poweroff --force --force
