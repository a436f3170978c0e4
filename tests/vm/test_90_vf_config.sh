#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# test_90_vf_config.sh - VF settings applied through the PF (RTM_SETLINK with
# IFLA_VFINFO_LIST) become vf_config events and steps of the VF's timeline, with
# their actor and return code. Under `vftrace watch` with each mechanism (fentry,
# then kprobe), `ip link set PF vf 0 ...` sets a MAC, VLAN 10, trust, spoofchk, the
# link state and an IB node GUID on the igb PF (igb has no GUIDs: EOPNOTSUPP);
# then, with the default mechanism, the real SR-IOV CNI's ADD and DEL with "mac",
# "vlan", "spoofchk" and "trust" in its config set them and reset them, as sriov.
# vm-timeout: 600
set -euo pipefail
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/lib.sh"

POD=ml/trainer-0/6f1c2d3e-4b5a-4c6d-8e7f-001122334455
NS=trainer-0
TMP=$(mktemp -d)

cleanup() {
	set +e
	watch_kill
	for f in "$TMP"/*.jsonl "$TMP"/*.jsonl.err; do
		[[ -e "$f" ]] && cp "$f" "$VM_OUT/$VFT_TEST.$(basename "$f")"
	done
	ip netns delete "$NS" 2>/dev/null
	sriov_destroy >/dev/null 2>&1 || echo "cleanup: sriov_destroy failed" >&2
	rm -rf "$TMP"
}
trap cleanup EXIT

sriov_create 1 || fail "sriov_create 1"
PF=$SRIOV_PF_DEV VF=${SRIOV_VF_PCI[0]}
E='map(select(.type == "event" and .event == "vf_config"))'

# ip_settings OUT: the settings through ip(8), the ones igb refuses included.
ip_settings() {
	ip link set "$PF" vf 0 mac 02:00:00:00:86:01
	ip link set "$PF" vf 0 vlan 10
	ip link set "$PF" vf 0 trust on
	ip link set "$PF" vf 0 spoofchk off
	ip link set "$PF" vf 0 state disable || true
	ip link set "$PF" vf 0 node_guid 00:11:22:33:44:55:66:77 || true
	ip link set "$PF" vf 0 vlan 0
	ip link set "$PF" vf 0 state auto || true
	ip link set "$PF" vf 0 trust off
	ip link set "$PF" vf 0 spoofchk on
}

for mech in fentry kprobe; do
	OUT=$TMP/ip-$mech.jsonl
	watch_start "$OUT" --mechanism "$mech" || fail "vftrace watch --mechanism $mech did not start"
	ip_settings
	watch_wait_json "$E | length >= 9" 30 || fail "$mech: the vf_config events did not come"
	watch_stop || fail "vftrace watch exit status $?"
	cp "$OUT" "$VM_OUT/$VFT_TEST.ip-$mech.jsonl"
	echo "$mech: $(jq -sc "$E | map({setting, mac, vlan, on, link_state, guid, ret, errno, comm: .actor.comm, vf, source})" "$OUT")"
	expect() { expect_stream "$OUT" "$1" "$mech: $2"; }
	expect "$E | all(.[]; .source == \"$mech\" and .ifname == \"$PF\" and .vf_index == 0 and
		.vf == \"$VF\" and .pf == \"$SRIOV_PF\" and .actor.comm == \"ip\")" \
		"every vf_config names $PF, VF 0 ($VF) and the actor ip"
	expect "$E | map(select(.setting == \"mac\")) | .[0].mac == \"02:00:00:00:86:01\" and .[0].ret == 0" \
		"the MAC and its success"
	expect "$E | map(select(.setting == \"vlan\")) | map(.vlan) == [10, 0]" \
		"VLAN 10 then 0, once each (iproute2 sends the list and the old attribute)"
	expect "$E | map(select(.setting == \"trust\")) | map(.on) == [true, false]" "trust on, off"
	expect "$E | map(select(.setting == \"spoofchk\")) | map(.on) == [false, true]" "spoofchk off, on"
	expect "$E | map(select(.setting == \"link_state\")) | .[0].link_state == \"disable\"" \
		"the link state"
	expect "$E | map(select(.setting == \"node_guid\")) | .[0] | .guid == \"0011:2233:4455:6677\" and .ret < 0" \
		"the node GUID igb refuses, with its return code"
	expect "map(select(.type == \"vf\" and .vf.key == \"$VF\")) | .[0].steps |
		map(select(.text | test(\"set through $PF\"))) | length >= 9" \
		"the settings are steps of the VF's timeline"
done

# The real SR-IOV CNI: ADD sets, DEL resets, through the PF.
if cni_plugin sriov >/dev/null && cni_plugin static >/dev/null; then
	cni_warm sriov static
	CFG=$(
		cat <<-EOF2
			{"cniVersion": "1.0.0", "name": "sriov-net", "type": "sriov", "deviceID": "$VF",
			 "mac": "02:00:00:00:86:02", "vlan": 20, "spoofchk": "off", "trust": "on",
			 "ipam": {"type": "static", "addresses": [{"address": "10.56.0.3/16"}]}}
		EOF2
	)
	OUT=$TMP/cni.jsonl
	watch_start "$OUT" -o "$TMP/cni.cap" || fail "vftrace watch did not start"
	ip netns add "$NS"
	cni_invoke sriov ADD "$NS" net1 "$CFG" "$POD" || fail "sriov ADD: $(cat "$CNI_STDERR")"
	cni_invoke sriov DEL "$NS" net1 "$CFG" "$POD" || fail "sriov DEL: $(cat "$CNI_STDERR")"
	ip netns delete "$NS"
	watch_wait_json "$E | map(select(.actor.comm == \"sriov\")) | length >= 6" 30 ||
		fail "the CNI's vf_config events did not come"
	watch_stop || fail "vftrace watch exit status $?"
	cp "$OUT" "$VM_OUT/$VFT_TEST.cni.jsonl"
	"$VFT_VFTRACE" replay "$TMP/cni.cap" >"$VM_OUT/$VFT_TEST.cni.txt" 2>&1 || true
	grep -E 'vf_config|^ *[0-9:.]+ .*set through' "$VM_OUT/$VFT_TEST.cni.txt" || true
	echo "cni: $(jq -sc "$E | map({setting, mac, vlan, on, ret, comm: .actor.comm, vf})" "$OUT")"
	jq -c "select(.type == \"vf\" and .vf.key == \"$VF\") | .steps[]" "$OUT"
	expect() { expect_stream "$OUT" "$1" "cni: $2"; }
	C="$E | map(select(.actor.comm == \"sriov\" and .vf == \"$VF\"))"
	expect "$C | map(select(.setting == \"mac\")) | map(.mac) | .[0] == \"02:00:00:00:86:02\"" \
		"ADD's MAC by sriov"
	expect "$C | map(select(.setting == \"vlan\")) | map(.vlan) == [20, 0]" "ADD's VLAN 20, DEL's reset to 0"
	expect "$C | map(select(.setting == \"trust\")) | map(.on) | .[0] == true" "ADD's trust"
	expect "map(select(.type == \"vf\" and .vf.key == \"$VF\")) | .[0].steps |
		map(select(.comm == \"sriov\" and (.text | test(\"set through $PF\")))) | length >= 6" \
		"the CNI's settings are steps of the VF's timeline, actor sriov"
else
	skip "sriov CNI" "no SR-IOV CNI here"
fi
