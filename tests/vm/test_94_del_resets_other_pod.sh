#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# test_94_del_resets_other_pod.sh - an old pod's DEL resets the VF that a new pod now holds
# (field mode 9), with the real SR-IOV CNI, its static IPAM and a network that sets a MAC, a
# VLAN and spoofchk through the PF, under `vftrace watch --json --grace 4`:
#
#   clean  pod ml/trainer-0 gets VF 0 and gives it back (ADD, DEL): the DEL's reset through
#          the PF is its own pod's: nothing of the scenario is raised
#   mode 9 pod ml/trainer-0 gets VF 0 again; its netns is deleted before any DEL (the kernel
#          returns the VF: NETNS_GONE_WITHOUT_CNI_DEL, with POD_NETNS_GONE_BEFORE_DEL); pod
#          ml/trainer-1 gets the same VF (ADD); then trainer-0's late DEL runs: its netns is
#          gone, but it resets the VF through the PF (vf_config by the DEL's pid) under
#          trainer-1: CNI_DEL_RESETS_OTHER_POD, once, naming both pods; the late DEL resolves
#          NETNS_GONE_WITHOUT_CNI_DEL
# vm-timeout: 240
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
	sriov_destroy >/dev/null 2>&1 || echo "cleanup: sriov_destroy failed" >&2
	rm -rf "$TMP"
}
trap cleanup EXIT

cni_plugin sriov >/dev/null || exit
cni_plugin static >/dev/null || exit
cni_warm sriov static

sriov_create 1 || fail "sriov_create 1"
VF=${SRIOV_VF_PCI[0]}
cfg() {
	printf '{"cniVersion": "1.0.0", "name": "sriov-net", "type": "sriov", "deviceID": "%s",
	 "mac": "02:00:00:00:94:0%s", "vlan": 20, "spoofchk": "off",
	 "ipam": {"type": "static", "addresses": [{"address": "10.56.0.%s/16"}]}}\n' "$VF" "$1" "$1"
}

OUT=$TMP/watch.jsonl
watch_start "$OUT" --grace 4 || fail "vftrace watch did not start"

# --- clean: ADD and DEL of one pod
ip netns add trainer-0
cni_invoke sriov ADD trainer-0 net1 "$(cfg 3)" "$POD0" || fail "the clean ADD failed"
watch_wait_checks "$VF" 1 30 || fail "the clean stay was not judged"
cni_invoke sriov DEL trainer-0 net1 "$(cfg 3)" "$POD0" || fail "the clean DEL failed"
watch_wait_checks "$VF" 2 30 || fail "the clean return was not judged"
ip netns delete trainer-0
n_clean=$(grep -c . "$OUT")

# --- mode 9: trainer-0's netns goes before its DEL, trainer-1 gets the VF, the late DEL resets it
ip netns add trainer-0
cni_invoke sriov ADD trainer-0 net1 "$(cfg 3)" "$POD0" || fail "trainer-0's ADD failed"
watch_wait_checks "$VF" 3 30 || fail "trainer-0's stay was not judged"
ip netns delete trainer-0
watch_wait_json '[.[] | select(.type == "finding" and .code == "NETNS_GONE_WITHOUT_CNI_DEL")] | length >= 1' 30 ||
	fail "no NETNS_GONE_WITHOUT_CNI_DEL when the netns went"
ip netns add trainer-1
cni_invoke sriov ADD trainer-1 net1 "$(cfg 4)" "$POD1" || fail "trainer-1's ADD failed"
cni_invoke sriov DEL trainer-0 net1 "$(cfg 3)" "$POD0" || fail "trainer-0's late DEL failed"
watch_wait_json '[.[] | select(.type == "finding" and .code == "CNI_DEL_RESETS_OTHER_POD")] | length >= 1' 30 ||
	fail "no CNI_DEL_RESETS_OTHER_POD"

watch_stop || fail "vftrace watch exit status $?"
cp "$OUT" "$VM_OUT/$VFT_TEST.watch.jsonl"
echo "findings: $(jq -sc 'map(select(.type == "finding") | [.code, .vf.key, .message])' "$OUT")"
echo "vf_config: $(jq -sc 'map(select(.event == "vf_config") | [.setting, .vlan, .mac, .actor.pid])' "$OUT")"

expect() { expect_stream "$OUT" "$1" "$2"; }
F='map(select(.type == "finding"))'
expect ".[:$n_clean] | map(select(.type == \"finding\" and (.code | IN(\"CNI_DEL_RESETS_OTHER_POD\",
	\"NETNS_GONE_WITHOUT_CNI_DEL\", \"CNI_ADD_FAILED\")))) | length == 0" \
	"the clean ADD and DEL of one pod raise none of the CNI findings"
expect "$F | map(select(.code == \"CNI_DEL_RESETS_OTHER_POD\")) | length == 1 and (.[0] |
	.vf.key == \"$VF\" and .severity == \"error\" and (.message | test(\"pod ml/trainer-0\")) and
	(.message | test(\"ml/trainer-1\")))" \
	"CNI_DEL_RESETS_OTHER_POD: once, VF 0, trainer-0's DEL under trainer-1"
expect "$F | map(select(.code == \"NETNS_GONE_WITHOUT_CNI_DEL\")) | length == 1 and
	(.[0].vf.key == \"$VF\")" "NETNS_GONE_WITHOUT_CNI_DEL: once, when trainer-0's netns went"
expect "map(select(.type == \"resolved\" and .code == \"NETNS_GONE_WITHOUT_CNI_DEL\")) | length == 1" \
	"the late DEL (or trainer-1's ADD) resolves NETNS_GONE_WITHOUT_CNI_DEL"
expect "$F | map(select(.code == \"CNI_ADD_FAILED\")) | length == 0" "no ADD failed"
expect 'last | .type == "summary" and .lost == 0' "the summary, no event lost"
