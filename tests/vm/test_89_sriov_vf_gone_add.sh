#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# test_89_sriov_vf_gone_add.sh - an ADD for a VF that its PF no longer has, under `vftrace
# watch --json --grace 4`: the PF has 2 VFs and VF 1 is allocated to the pod trainer-89 (its
# PCI address is the deviceID of the attachment); before the ADD runs, an operator lowers
# the count to 1 (through 0, as the kernel asks). The real SR-IOV CNI's ADD for VF 1 then
# fails before it touches any device ("LoadConf(): failed to get VF information: lstat
# /sys/bus/pci/devices/<VF 1>/physfn/net: no such file or directory"), and exits non-zero.
#
# Findings: none. The failed ADD leaves no kernel-visible step (it fails reading sysfs), so
# vftrace cannot see it; what it reports is the cause: the writes to sriov_numvfs and the
# vf_remove of VF 1 by their writer, in the stream and in VF 1's timeline.
# vm-timeout: 150
set -euo pipefail
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/lib.sh"

POD=ml/trainer-89/6f1c2d3e-4b5a-4c6d-8e7f-001122334455
TMP=$(mktemp -d)

cleanup() {
	set +e
	watch_kill
	ip netns delete trainer-89 2>/dev/null
	sriov_destroy >/dev/null 2>&1 || echo "cleanup: sriov_destroy failed" >&2
	rm -rf "$TMP"
}
trap cleanup EXIT

cni_plugin sriov >/dev/null || exit
cni_plugin static >/dev/null || exit
cni_warm sriov static

sriov_create 2 || fail "sriov_create 2"
VF1=${SRIOV_VF_PCI[1]} PF=$SRIOV_PF
NUMVFS=/sys/bus/pci/devices/$PF/sriov_numvfs
CFG=$(sriov_cni_config "$VF1" 10.56.0.4/16)

OUT=$TMP/watch.jsonl
watch_start "$OUT" --grace 4 || fail "vftrace watch did not start"
# the start-up inventory has read VF 1 (else a write to sriov_numvfs can hold its sysfs
# reads back until the VFs are gone, and VF 1 is never known as a VF of the PF)
watch_wait_json "any(.[]; .event == \"vf_add\" and .source == \"inventory\" and .vf == \"$VF1\")" 30 ||
	fail "vftrace's inventory did not report $VF1"

# the count lowered to 1 after VF 1 was allocated
echo 0 >"$NUMVFS"
echo 1 >"$NUMVFS"
wait_until 60 "1 VF of $PF bound with a netdev" _vft_vfs_ready 1 || fail "the PF did not make 1 VF"
[[ ! -e /sys/bus/pci/devices/$VF1 ]] || fail "$VF1 still exists"

ip netns add trainer-89
if cni_invoke sriov ADD trainer-89 net1 "$CFG" "$POD"; then
	fail "the ADD of the removed $VF1 succeeded"
fi
assert_match "failed to get VF information: .*/sys/bus/pci/devices/$VF1/physfn/net: no such file or directory" \
	"$(cat "$CNI_STDOUT" "$CNI_STDERR")" "the plugin's error"
assert_eq "$(ip -n trainer-89 -o link show | grep -vc ': lo:')" 0 "devices in trainer-89 besides lo"
watch_wait_json "any(.[]; .event == \"sriov_numvfs\" and .num_vfs == 1)" 30 ||
	fail "vftrace did not report the write of 1"

watch_stop || fail "vftrace watch exit status $?"
cp "$OUT" "$VM_OUT/$VFT_TEST.watch.jsonl"
echo "findings: $(jq -sc 'map(select(.type == "finding") | [.code, .vf.key, .vf.ifname, .actor.comm])' "$OUT")"

expect() { expect_stream "$OUT" "$1" "$2"; }
expect 'map(select(.type == "finding" or .type == "resolved")) | length == 0' "findings: none expected"
expect "map(select(.event == \"vf_remove\" and .vf == \"$VF1\")) | length == 1 and (.[0] |
	.pf == \"$PF\" and .vf_index == 1 and .actor.pid == $$)" \
	"the vf_remove of $VF1 by this shell"
expect "map(select(.event == \"sriov_numvfs\" and .source != \"inventory\") | [.num_vfs, .old_num_vfs, .ret]) == [[0, 2, 0], [1, 0, 0]]" \
	"the writes to sriov_numvfs: 0, then 1"
expect "any(.[]; .type == \"vf\" and .vf.key == \"$VF1\" and
	any(.steps[]; .text | test(\"remov\")))" \
	"$VF1's timeline shows its removal"
