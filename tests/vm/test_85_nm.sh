#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# test_85_nm.sh - NetworkManager and a VF that comes back from a pod, under `vftrace watch
# --json --grace 8` (NetworkManager takes seconds to act under TCG), with udev and
# NetworkManager (Debian's defaults: a DHCP connection on every new device) running:
#
#   claim      VF 0 is in a pod (host-device, host-local IPAM) when NetworkManager starts;
#              the DEL brings it back and NetworkManager takes it: VF_RETURNED_TO_HOST (info),
#              HOST_MANAGER_CLAIM naming NetworkManager, VF_STRANDED (claimed after it came
#              back), resolved when the VF goes into the next pod
#   rule       with the operators' udev rule (ACTION=="add|change|move", NM_UNMANAGED=1) the
#              next DEL brings it back and NetworkManager leaves it alone: VF_RETURNED_TO_HOST
#              only
# vm-timeout: 300
set -euo pipefail
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/lib.sh"

POD=ml/trainer-0/6f1c2d3e-4b5a-4c6d-8e7f-001122334455
TMP=$(mktemp -d)

cleanup() {
	set +e
	watch_kill
	ip netns delete trainer-0 2>/dev/null
	nm_stop
	udev_stop
	sriov_destroy >/dev/null 2>&1 || echo "cleanup: sriov_destroy failed" >&2
	rm -rf "$TMP"
}
trap cleanup EXIT

cni_plugin host-device >/dev/null || exit
cni_plugin host-local >/dev/null || exit
cni_warm host-device host-local
udev_start || exit

OUT=$TMP/watch.jsonl
watch_start "$OUT" --grace 8 || fail "vftrace watch did not start"
sriov_create 1 || fail "sriov_create 1"
VF=${SRIOV_VF_PCI[0]} DEV=${SRIOV_VF_DEV[0]}
CFG=$(
	cat <<-EOF
		{"cniVersion": "1.0.0", "name": "hostdev-net", "type": "host-device", "pciBusID": "$VF",
		 "ipam": {"type": "host-local", "ranges": [[{"subnet": "10.57.0.0/24"}]],
		          "dataDir": "$TMP/host-local"}}
	EOF
)
# attach PODNS / detach PODNS: host-device ADD / DEL, each judged by vftrace.
n=0
attach() {
	ip netns add "$1"
	cni_invoke host-device ADD "$1" net1 "$CFG" "$POD" >/dev/null || fail "ADD into $1: $(cat "$CNI_STDERR")"
	n=$((n + 1))
	watch_wait_checks "$VF" "$n" 30 || fail "the stay in $1 was not judged"
}
detach() {
	cni_invoke host-device DEL "$1" net1 "$CFG" "$POD" >/dev/null || fail "DEL from $1: $(cat "$CNI_STDERR")"
	ip netns delete "$1"
	udevadm settle -t 30 || true
}

# --- claim: NetworkManager starts while the VF is in a pod
attach trainer-0
nm_start || exit
detach trainer-0
nm_wait "$DEV" '^([2-9][0-9]|100) ' 60 || fail "NetworkManager did not take $DEV back from the pod"
n=$((n + 1))
watch_wait_checks "$VF" "$n" 30 || fail "the return was not judged"
watch_wait_json 'any(.[]; .type == "finding" and .code == "HOST_MANAGER_CLAIM")' 30 ||
	fail "no HOST_MANAGER_CLAIM by NetworkManager"

# --- rule: the next return is left alone
attach trainer-1
claims_end=$(grep -c . "$OUT")
nm_unmanaged_rule || fail "installing the NM_UNMANAGED udev rule"
detach trainer-1
nm_wait "$DEV" '^10 \(unmanaged\)' 60 || fail "NetworkManager manages $DEV back from a pod with the rule"
n=$((n + 1))
watch_wait_checks "$VF" "$n" 30 || fail "the second return was not judged"

watch_stop || fail "vftrace watch exit status $?"
cp "$OUT" "$VM_OUT/$VFT_TEST.watch.jsonl"
echo "findings: $(jq -sc 'map(select(.type == "finding" or .type == "resolved") | [.type, .code, .vf.key, .vf.ifname, .actor.comm, .evidence, .by])' "$OUT")"

expect() { expect_stream "$OUT" "$1" "$2"; }
F='map(select(.type == "finding"))'
expect ".[:$claims_end] | $F | map(.code) == [\"VF_RETURNED_TO_HOST\", \"HOST_MANAGER_CLAIM\", \"VF_STRANDED\"]" \
	"claim: the return, NetworkManager's claim, the VF stranded, in that order"
expect ".[:$claims_end] | $F | all(.[]; .vf.key == \"$VF\")" "claim: findings of another device"
expect ".[:$claims_end] | $F | .[1] | .actor.comm == \"NetworkManager\" and .severity == \"warning\"" \
	"claim: HOST_MANAGER_CLAIM does not name NetworkManager"
expect ".[:$claims_end] | $F | .[2] | .message | test(\"a host manager claimed it after it came back\")" \
	"claim: VF_STRANDED not for the claim"
expect ".[:$claims_end] | map(select(.type == \"resolved\")) | length == 1 and (.[0] |
	.code == \"VF_STRANDED\" and (.by | test(\"back in a pod\")))" \
	"claim: VF_STRANDED not resolved by the next pod"
expect ".[$claims_end:] | $F | length == 1 and (.[0] | .code == \"VF_RETURNED_TO_HOST\" and
	.vf.key == \"$VF\" and .actor.comm == \"host-device\")" \
	"rule: only the VF_RETURNED_TO_HOST of the DEL"
