#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# libvirt and QEMU's side of shype (qemu-patches/).  Sourced by test.sh
# after test-audit.sh (it uses test.sh's helpers, $kver and $S), with no
# domain running.  The domains run the patched QEMU when run.sh was given
# SHYPE_QEMU (lib.sh's $EMU); the checks of the patched QEMU are skipped
# without it, and the checks of Debian's stock QEMU run either way.
#
# Confinement: libvirt confines QEMU with its DAC driver (the
# libvirt-qemu user) and seccomp (-sandbox on) only.  The kernel has
# AppArmor, but the image has no apparmor package (debootstrap installs
# no Recommends): no profile is loaded, libvirtd is unconfined, and
# libvirt's AppArmor driver, which it uses only when libvirtd itself is
# confined, is off.  With AppArmor profiles (Debian's default install),
# virt-aa-helper's profile of each domain must let QEMU read shype's
# files: see tests/e2e-libvirt/README.md.
#
# The memory checks run under figure2-libvirt with "unlabeled_files":
# "allow", so that a Computing QEMU may open the unlabelled file that an
# Order QEMU maps and shype decides at the memslot (by default the Order
# QEMU's write would label the file "order", and the Computing QEMU's open
# would be refused first: a plain "Permission denied" in either QEMU).
# The Computing domains map the file through <qemu:commandline>, which
# the hook does not read: they pass it, as the domain did, and
# the kernel refuses them at the memslot.
#   1. query-shype through virsh qemu-monitor-command: the Order domain's
#      VM number, label and bindings, the policy's name, version and
#      digest, and the mode, as shype's securityfs files give them;
#   2. a memory backend refused at start (a pc-dimm: its memslot is set
#      up before libvirt's monitor connects): virsh start fails with
#      the patched QEMU's "shype refused memslot ..." and libvirt records
#      "failed", not "crashed"; stock QEMU aborts ("error registering
#      slot: Permission denied"), which libvirt, still starting it, also
#      records as "failed";
#   3. a memory backend refused at run time (an ivshmem-plain, whose BAR
#      the guest's firmware maps once the domain runs: the issue's
#      crash, "started" and then an abort): virsh qemu-monitor-event
#      sees SHYPE_DENIED from the patched QEMU, which then stops with
#      status 1 and its message; libvirt still records "crashed" for it,
#      its word for a QEMU that went without a SHUTDOWN event (shown, not
#      checked).  Stock QEMU answers no query-shype, sends no event and
#      aborts (libvirt: "crashed").
# The refusals' reasons: QEMU runs as libvirt-qemu, which may not read
# shype's audit file, so its messages and events say "Permission denied
# (the reason is in shype's audit log)" and reason "-"; the kernel's
# audit line is checked instead.
# shellcheck disable=SC2154 # kver is test.sh's

shared3=/var/lib/shype-e2e/shared3.mem
qns="http://libvirt.org/schemas/domain/qemu/1.0"
numa3="<maxMemory slots='2' unit='MiB'>512</maxMemory><cpu><numa><cell id='0' cpus='0' memory='64' unit='MiB'/></numa></cpu>"

# qemu_domain NAME LABEL EMULATOR SED: a domain of EMULATOR, its XML
# domain.xml.in changed by SED, defined and labelled.
qemu_domain() {
	sed -e "s/@NAME@/$1/; s/@KVER@/$kver/; s|@EMULATOR@|$3|" -e "$4" \
		$E/domain.xml.in >/tmp/$1.xml
	t "define_$1" virsh -q define /tmp/$1.xml
	t "label_$1" shypectl domain label "$1" "$2"
}

# argv_domain NAME EMULATOR DEVICE...: a Computing domain with
# "-object memory-backend-file" on $shared3 (shared) and QEMU options
# DEVICE... on it, passed through <qemu:commandline>; with NUMA and
# memory slots for a pc-dimm.
argv_domain() {
	local name=$1 emu=$2 args="" a
	shift 2
	for a in -object "memory-backend-file,id=shm3,share=on,mem-path=$shared3,size=16M" "$@"; do
		args="$args<qemu:arg value='$a'/>"
	done
	qemu_domain "$name" computing "$emu" \
		"s|<domain type='kvm'>|<domain type='kvm' xmlns:qemu='$qns'>|; s|</vcpu>|&$numa3|; s|</domain>|<qemu:commandline>$args</qemu:commandline>&|"
}

# qemu_pid NAME: the pid of domain NAME's QEMU.
qemu_pid() { cat "/run/libvirt/qemu/$1.pid" 2>/dev/null; }

# The Figure 2 policy, its version raised, with unlabelled files left
# unlabelled.
sed -e 's/"version": "1.0"/"version": "1.2"/' \
	-e 's/"unlabeled": "libvirt"/"unlabeled_files": "allow", "unlabeled": "libvirt"/' \
	/etc/shype/policy.json >/tmp/policy-1.2.json
t qemu_policy_unlabeled_files_allow shypectl load /tmp/policy-1.2.json
rm -f $shared3
truncate -s 16M $shared3

# The Order domain that maps the file (an nvdimm, as order2).
qemu_domain order3 order "$EMU" \
	"s|<memballoon|<memory model='nvdimm' access='shared'><source><path>$shared3</path></source><target><size unit='MiB'>16</size><node>0</node></target></memory>&|; s|</vcpu>|&$numa3|"
t start_order3 virsh start order3
pid=$(qemu_pid order3)
t order3_runs_the_emulator test "$(readlink /proc/$pid/exe)" = "$EMU"
t order3_bound_to_the_file wait_for 30 grep -Eq \
	"class=shm path=$shared3 vms=[0-9]+\\(order\\)" $S/bindings
# So that the Computing QEMUs (the libvirt-qemu user) may open it too.
chmod 666 $shared3

# What confines QEMU: libvirt's security drivers, QEMU's AppArmor label.
show sh -c "virsh capabilities | grep -A 2 '<secmodel>'"
show sh -c "cat /sys/module/apparmor/parameters/enabled; ps -o user=,pid=,args= -p $pid | cut -c1-100; grep -E '^(Seccomp|NoNewPrivs):' /proc/$pid/status"
t libvirt_confines_qemu_by_dac_and_seccomp_only bash -c \
	"! virsh capabilities | grep -q '<model>apparmor</model>' &&
	 ! grep -qv '^unconfined' /proc/$pid/attr/current &&
	 grep -q '^Seccomp:[[:space:]]*2' /proc/$pid/status"

# 1. query-shype.
# qs REGEX: the answer to query-shype matches REGEX (grep -E).
qs() { grep -Eq -- "$1" /tmp/query-shype; }
if [ "$EMU" = "$PATCHED" ]; then
	virsh qemu-monitor-command order3 '{"execute":"query-shype"}' >/tmp/query-shype 2>&1
	show cat /tmp/query-shype
	show cat $S/status
	id=$(sed -n "s/^vm=\([0-9]*\) pid=$pid .*/\1/p" $S/vms)
	read -r policy version digest mode _ <$S/status
	t query_shype_answers qs '"return":\{'
	t query_shype_vm_and_label bash -c \
		"[ -n '$id' ] && grep -Eq '\"vm\":${id}[,}]' /tmp/query-shype && grep -q '\"label\":\"order\"' /tmp/query-shype"
	t query_shype_policy_as_status qs "\"policy\":\"${policy#policy=}\""
	t query_shype_version_as_status qs "\"version\":\"${version#version=}\""
	t query_shype_version_is_the_loaded_one test "${version#version=}" = 1.2
	t query_shype_digest_as_status qs "\"digest\":\"${digest#digest=}\""
	t query_shype_mode_as_status qs "\"mode\":\"${mode#mode=}\""
	# One binding a line: libvirt orders an object's members as it likes.
	t query_shype_bindings_as_bindings_file bash -c \
		"grep -q 'class=shm path=$shared3 vms=$id(order)\$' $S/bindings &&
		 tr '{' '\n' </tmp/query-shype | grep '\"class\":\"shm\"' | grep '\"name\":\"$shared3\"' |
		 grep '\"vms\":\[$id\]' | grep -q '\"labels\":\[\"order\"\]'"
else
	for n in query_shype_answers query_shype_vm_and_label \
		query_shype_policy_as_status query_shype_version_as_status \
		query_shype_version_is_the_loaded_one query_shype_digest_as_status \
		query_shype_mode_as_status query_shype_bindings_as_bindings_file; do
		skip "$n" "no SHYPE_QEMU"
	done
fi
stamp "query-shype"

# 2. A memory backend refused before the domain runs.
if [ "$EMU" = "$PATCHED" ]; then
	argv_domain compdimm "$PATCHED" -device pc-dimm,id=dimm3,memdev=shm3,node=0
	t_fail patched_qemu_start_fails_naming_shype \
		"shype refused memslot of memory 'shm3' on $shared3: (reason=ste .*peer=[0-9]+\(order\)|Permission denied \(the reason is in shype's audit log\))" \
		virsh start compdimm
	t patched_qemu_no_abort bash -c "! grep -q 'error registering slot\|Aborted\|abort' /var/log/libvirt/qemu/compdimm.log"
	t patched_qemu_not_crashed_but_failed test "$(virsh domstate --reason compdimm)" = "shut off (failed)"
	t kernel_audits_the_memslot_refusal bash -c \
		"grep -E 'op=memslot result=denied vm=[0-9]+\(computing\) .*reason=ste .*peer=$id\(order\)' $S/audit | grep -q 'path=$shared3'"
	show sh -c "grep 'op=memslot result=denied' $S/audit | tail -n 1 | cut -c1-300"
else
	for n in patched_qemu_start_fails_naming_shype patched_qemu_no_abort \
		patched_qemu_not_crashed_but_failed kernel_audits_the_memslot_refusal; do
		skip "$n" "no SHYPE_QEMU"
	done
fi
argv_domain stockdimm "$STOCK" -device pc-dimm,id=dimm3,memdev=shm3,node=0
t_fail stock_qemu_start_fails_on_kvm_set_phys_mem \
	"kvm_set_phys_mem: error registering slot: Permission denied" \
	virsh start stockdimm
show sh -c "tail -n 3 /var/log/libvirt/qemu/stockdimm.log | cut -c1-200"
show virsh domstate --reason stockdimm
stamp "memslot refused at start"

# 3. A memory backend refused at run time: started paused, so that the
# event's listener is there before the firmware maps the BAR.
# events DOMAIN FILE: listen for SHYPE_DENIED of DOMAIN, into FILE, for at
# most 40 s (the first event ends it); $evpid is the listener's.
events() {
	virsh qemu-monitor-event --domain "$1" --event SHYPE_DENIED --timeout 40 >"$2" 2>&1 &
	evpid=$!
	sleep 5
}
if [ "$EMU" = "$PATCHED" ]; then
	argv_domain compivs "$PATCHED" -device ivshmem-plain,id=ivs3,memdev=shm3
	t start_compivs_paused_passes_the_hook virsh start --paused compivs
	events compivs /tmp/compivs.events
	t resume_compivs virsh resume compivs
	wait $evpid
	show cat /tmp/compivs.events
	t qemu_monitor_event_shype_denied bash -c \
		"grep \"event SHYPE_DENIED .* for domain 'compivs'\" /tmp/compivs.events | grep '\"op\":\"memslot\"' |
		 grep -q '\"object\":\"memory .shm3. on $shared3\"'"
	t compivs_stops wait_for 30 bash -c '[ "$(virsh domstate compivs)" = "shut off" ]'
	show sh -c "grep 'shype refused' /var/log/libvirt/qemu/compivs.log | cut -c1-200; virsh domstate --reason compivs"
else
	for n in start_compivs_paused_passes_the_hook resume_compivs \
		qemu_monitor_event_shype_denied compivs_stops; do
		skip "$n" "no SHYPE_QEMU"
	done
fi
argv_domain stockivs "$STOCK" -device ivshmem-plain,id=ivs3,memdev=shm3
t start_stockivs_paused virsh start --paused stockivs
# (virsh qemu-monitor-command succeeds with QEMU's error as the answer.)
t stock_qemu_has_no_query_shype bash -c \
	"virsh qemu-monitor-command stockivs '{\"execute\":\"query-shype\"}' 2>&1 | grep -q CommandNotFound"
events stockivs /tmp/stockivs.events
t resume_stockivs virsh resume stockivs
t stock_qemu_crashes wait_for 30 bash -c '[ "$(virsh domstate --reason stockivs)" = "shut off (crashed)" ]'
wait $evpid
t stock_qemu_sends_no_shype_denied bash -c "! grep -q SHYPE_DENIED /tmp/stockivs.events"
show sh -c "grep 'error registering slot' /var/log/libvirt/qemu/stockivs.log | cut -c1-200"
stamp "memslot refused at run time"
virsh destroy order3 >/dev/null 2>&1

# Shown, not checked: a domain with a vsock device.  libvirtd opens
# /dev/vhost-vsock and sets the guest CID itself before it hands the fd to
# QEMU, when QEMU does not own the device yet, and shype refuses that
# (op=vsock_cid vm=- reason=not_owner): "failed to set guest cid:
# Permission denied", with either QEMU.
modprobe vhost_vsock 2>/dev/null
qemu_domain compvsock computing "$EMU" \
	"s|<memballoon|<vsock model='virtio'><cid auto='no' address='4'/></vsock>&|"
show virsh start compvsock
show sh -c "grep 'op=vsock_cid' $S/audit | tail -n 2 | cut -c1-300"
virsh destroy compvsock >/dev/null 2>&1
