#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# shype in the kernel audit subsystem, with auditd: ausearch finds a
# record of each kind.  Sourced by test.sh near its end (it uses test.sh's
# ok, not_ok, t and $S), after the domains were refused by the hook and
# the kernel: those refusals are among the records looked for.  Leaves the
# mode enforcing and the policy in force with its name.

# audit_has NAME TYPE REGEX: ausearch -m TYPE finds a record matching REGEX.
audit_has() {
	local name=$1 type=$2 re=$3 out
	out=$(ausearch -m "$type" --raw 2>&1)
	if echo "$out" | grep -Eq -- "$re"; then
		ok "$name"
		echo "     $(echo "$out" | grep -E -- "$re" | tail -n 1 | cut -c1-300)"
	else
		not_ok "$name" "no '$re' in ausearch -m $type: $(echo "$out" | tail -n 3)"
	fi
}

t auditd_running systemctl is-active auditd.service
# A policy load: figure2-libvirt's version bumped; then a policy of
# another name, refused without force.
sed 's/"version": "1.0"/"version": "1.1"/' /etc/shype/policy.json >/tmp/policy-1.1.json
t audit_policy_reloaded shypectl load /tmp/policy-1.1.json
sed 's/"name": "figure2-libvirt"/"name": "e2e-other"/' /etc/shype/policy.json >/tmp/other.json
t_fail audit_other_policy_refused "force|active" shypectl load /tmp/other.json
# A mode switch there and back; a label set and taken away.
t audit_mode_permissive shypectl mode permissive
t audit_mode_enforce shypectl mode enforce
mkdir -p /sys/fs/cgroup/e2e-audit
t audit_label_set shypectl label set /e2e-audit order
t audit_label_unset shypectl label unset /e2e-audit
rmdir /sys/fs/cgroup/e2e-audit
# auditd writes what the kernel sends it a moment later.
sleep 2

audit_has audit_kernel_denial 1499 \
	'op=create result=denied vm=[0-9]+\(advertising\) pid=[0-9]+ reason=chinese_wall type=Advertising running=Order peer=[0-9]+\(order\)'
audit_has audit_hook_refusal USER_AVC \
	"lsm=shype op=prepare result=denied domain=\"ads1\" reason=chinese_wall label=advertising type=Advertising running=Order peer=[0-9]+\(order\) peer_pid=[0-9]+"
audit_has audit_hook_refusal_of_resource USER_AVC \
	"lsm=shype op=prepare result=denied domain=\"compnet\" reason=ste label=computing resource=\"net:br-order\" resource_label=order"
audit_has audit_hook_refusal_beside_live_binding USER_AVC \
	"lsm=shype op=prepare result=denied domain=\"comp2\" reason=ste label=computing resource=\"shm:/var/lib/shype-e2e/shared.mem\" object=[0-9]+ peer=[0-9]+\(order\)"
audit_has audit_policy_load 1499 \
	'op=policy_load result=accepted policy=figure2-libvirt version=1\.1 digest=[0-9a-f]{64} .*comm="shypectl"'
audit_has audit_policy_load_refused 1499 \
	'op=policy_load result=denied policy=e2e-other version=1\.0 digest=[0-9a-f]{64} reason=other_name '
audit_has audit_mode_switch 1499 \
	'op=mode result=accepted new=permissive old=enforce .*comm="shypectl"'
audit_has audit_label_change 1499 \
	'op=label result=accepted class=cgroup label=order old=- cgroup_id=[0-9]+ path="/e2e-audit" '
audit_has audit_label_change_by_domain_label 1499 \
	'op=label result=accepted class=cgroup label=order old=[-a-z]+ cgroup_id=[0-9]+ path="/machine.slice/machine-shype\\x2dorder.slice" '
audit_has audit_label_removed 1499 \
	'op=unlabel result=accepted class=cgroup label=- old=order cgroup_id=[0-9]+ path="/e2e-audit" '
show sh -c "ausearch -m 1499,USER_AVC -i 2>/dev/null | grep -E 'op=' | tail -n 6"
