#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# test_82_rename_clash.sh - the SR-IOV CNI's in-pod rename clash, under `vftrace watch --json
# --grace 4` recording a capture:
#
#   clean  VF 0 into /run/netns/trainer-0 as net1 and back (ADD, DEL): VF_RETURNED_TO_HOST
#   clash  the pod trainer-1 already has a net1 (a veth, as another attachment leaves it);
#          the ADD of VF 0 as net1 fails ("error setting container interface name eth1 for
#          temp_N"), and the plugin's rollback pulls the pod's veth out to the host under the
#          VF's host name while the VF stays in the pod, down, as temp_N:
#          CNI_ATTACH_FAILED naming VF 0, left in trainer-1 as temp_N (EEXIST, by sriov), and
#          CNI_ADD_FAILED (the plugin run exited non-zero; its cni event, with the failed rename);
#          the veth the rollback moved is not reported as a VF (no return, no VF record)
#
# The capture replays as text into $VM_OUT/test_82_rename_clash.timeline.txt: the timeline
# of a real attach/detach and of the clash, as vftrace prints it.
# vm-timeout: 180
set -euo pipefail
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/lib.sh"

POD0=ml/trainer-0/6f1c2d3e-4b5a-4c6d-8e7f-001122334455
POD1=ml/trainer-1/0b7e5a90-2c1d-4e3f-9a8b-112233445566
TMP=$(mktemp -d)

cleanup() {
	set +e
	watch_kill
	ip netns delete trainer-0 2>/dev/null
	ip netns delete trainer-1 2>/dev/null
	ip link delete vclash0 2>/dev/null
	sriov_destroy >/dev/null 2>&1 || echo "cleanup: sriov_destroy failed" >&2
	rm -rf "$TMP"
}
trap cleanup EXIT

cni_plugin sriov >/dev/null || exit
cni_plugin static >/dev/null || exit
cni_warm sriov static

sriov_create 1 || fail "sriov_create 1"
VF=${SRIOV_VF_PCI[0]} DEV=${SRIOV_VF_DEV[0]}
IFINDEX=$(<"/sys/class/net/$DEV/ifindex")
cfg() { sriov_cni_config "$VF" "$1"; }

OUT=$TMP/watch.jsonl
CAP=$VM_OUT/$VFT_TEST.cap
rm -f "$CAP"
watch_start "$OUT" --grace 4 -o "$CAP" || fail "vftrace watch did not start"

# --- clean: one attach and detach
ip netns add trainer-0
cni_invoke sriov ADD trainer-0 net1 "$(cfg 10.56.0.3/16)" "$POD0" || fail "the clean ADD failed"
watch_wait_checks "$VF" 1 30 || fail "the clean stay was not judged"
cni_invoke sriov DEL trainer-0 net1 "$(cfg 10.56.0.3/16)" "$POD0" || fail "the clean DEL failed"
watch_wait_checks "$VF" 2 30 || fail "the clean return was not judged"
ip netns delete trainer-0

# --- clash: trainer-1 already has a net1
ip netns add trainer-1
ip link add vclash0 type veth peer name net1 netns trainer-1
ip -n trainer-1 link set net1 up
TRAINER1=$(stat -L -c %i /run/netns/trainer-1)
if cni_invoke sriov ADD trainer-1 net1 "$(cfg 10.56.0.4/16)" "$POD1"; then
	fail "the ADD into a pod that has a net1 succeeded"
fi
assert_match "error setting container interface name $DEV for temp_$IFINDEX" \
	"$(cat "$CNI_STDOUT" "$CNI_STDERR")" "the plugin's error"
# the kernel's state after the rollback: the VF in the pod, down, as temp_N; the pod's veth
# in the host under the VF's host name
# shellcheck disable=SC2016 # expanded in the netns
assert_eq "$(ip netns exec trainer-1 sh -c "basename \"\$(readlink -f /sys/class/net/temp_$IFINDEX/device)\"")" \
	"$VF" "the device left in trainer-1 as temp_$IFINDEX"
[[ ! "$(ip -n trainer-1 -o link show "temp_$IFINDEX")" =~ [\<,]UP[,\>] ]] || fail "temp_$IFINDEX is up"
! ip -n trainer-1 link show net1 >/dev/null 2>&1 || fail "trainer-1 still has a net1"
assert_match "^[0-9]+: $DEV@vclash0: " "$(ip -o link show "$DEV")" "the pod's veth in the host as $DEV"
watch_wait_checks "$VF" 3 30 || fail "the failed stay was not judged"

watch_stop || fail "vftrace watch exit status $?"
cp "$OUT" "$VM_OUT/$VFT_TEST.watch.jsonl"
"$VFT_VFTRACE" replay "$CAP" >"$VM_OUT/$VFT_TEST.timeline.txt" || fail "replay of $CAP failed"
echo "findings: $(jq -sc 'map(select(.type == "finding") | [.code, .vf.key, .vf.ifname, .actor.comm])' "$OUT")"

expect() { expect_stream "$OUT" "$1" "$2"; }
F='map(select(.type == "finding"))'
expect "$F | map(select(.code == \"VF_RETURNED_TO_HOST\")) | length == 1 and (.[0] |
	.vf.key == \"$VF\" and .vf.ifname == \"$DEV\" and .actor.comm == \"sriov\")" \
	"VF_RETURNED_TO_HOST: once, the clean detach of $VF"
expect "$F | map(select(.code == \"CNI_ATTACH_FAILED\")) | length == 1 and (.[0] |
	.vf.key == \"$VF\" and .severity == \"error\" and .errno == \"EEXIST\" and
	.actor.comm == \"sriov\" and (.evidence | test(\"netns=$TRAINER1 \") and test(\"left=temp_$IFINDEX \")) and
	(.message | test(\"temp_$IFINDEX\")))" \
	"CNI_ATTACH_FAILED: once, naming $VF left in trainer-1 as temp_$IFINDEX (EEXIST, by sriov)"
expect "$F | map(select(.code == \"CNI_ADD_FAILED\")) | length == 1 and (.[0] |
	.vf.key == \"$VF\" and (.message | test(\"exited [1-9][0-9]* after .*failed: EEXIST\")))" \
	"CNI_ADD_FAILED: the plugin's ADD exited non-zero, with the failed rename"
expect "$F | map(.code) | sort == [\"CNI_ADD_FAILED\", \"CNI_ATTACH_FAILED\", \"VF_RETURNED_TO_HOST\"]" \
	"findings other than the scenario's"
expect "all(.[] | select(.type == \"finding\" or .type == \"vf\"); .vf.pci != null)" \
	"the rolled-back veth reported as a VF"
expect "map(select(.type == \"vf\" and .vf.key == \"$VF\")) | length == 1 and (.[0] |
	.vf.ifname == \"temp_$IFINDEX\" and .vf.netns == $TRAINER1)" \
	"$VF's record: left in trainer-1 as temp_$IFINDEX"
