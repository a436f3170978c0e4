#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# test_88_sriov_numvfs_in_pod.sh - the PF's VF count changed while a VF serves a pod, under
# `vftrace watch --json --grace 4`: VF 0 is in /run/netns/trainer-88 as net1 (the real SR-IOV
# CNI) when an operator applies a new count.
#
#   busy  writing 2 to sriov_numvfs while 1 is set is refused ("Device or resource busy": the
#         kernel changes the count only through 0); nothing changes, the pod keeps net1:
#         the sriov_numvfs event with EBUSY, and no finding (no VF was touched)
#   zero  writing 0 removes every VF of the PF, the one in the pod too: net1 unregisters
#         inside trainer-88. VF_REMOVED_IN_POD (by the writer: this test's shell, naming the
#         PF and the pod); not DRIVER_CHURN for the removal's own unbind
#
# The CNI's DEL afterwards fails: "cmdDel() error obtaining VF ID" (the VF is gone).
# vm-timeout: 150
set -euo pipefail
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/lib.sh"

POD=ml/trainer-88/6f1c2d3e-4b5a-4c6d-8e7f-001122334455
TMP=$(mktemp -d)

cleanup() {
	set +e
	watch_kill
	ip netns delete trainer-88 2>/dev/null
	sriov_destroy >/dev/null 2>&1 || echo "cleanup: sriov_destroy failed" >&2
	rm -rf "$TMP"
}
trap cleanup EXIT

cni_plugin sriov >/dev/null || exit
cni_plugin static >/dev/null || exit
cni_warm sriov static

sriov_create 1 || fail "sriov_create 1"
VF=${SRIOV_VF_PCI[0]} PF=$SRIOV_PF
NUMVFS=/sys/bus/pci/devices/$PF/sriov_numvfs
CFG=$(sriov_cni_config "$VF" 10.56.0.3/16)

OUT=$TMP/watch.jsonl
watch_start "$OUT" --grace 4 || fail "vftrace watch did not start"

ip netns add trainer-88
TRAINER=$(stat -L -c %i /run/netns/trainer-88)
cni_invoke sriov ADD trainer-88 net1 "$CFG" "$POD" || fail "ADD failed"
watch_wait_checks "$VF" 1 30 || fail "the stay in the pod was not judged"

# --- busy: 2 while 1 is set
if echo 2 2>"$TMP/busy.err" >"$NUMVFS"; then
	fail "writing 2 to $NUMVFS while 1 is set succeeded"
fi
assert_match "Device or resource busy" "$(cat "$TMP/busy.err")" "the refused write's error"
assert_eq "$(<"$NUMVFS")" 1 "sriov_numvfs after the refused write"
ip -n trainer-88 link show net1 >/dev/null || fail "net1 left trainer-88 after the refused write"
watch_wait_json "any(.[]; .event == \"sriov_numvfs\" and .num_vfs == 2)" 30 ||
	fail "vftrace did not report the refused write"

# --- zero: every VF goes, the one in the pod too
echo 0 >"$NUMVFS"
no_net1() { ! ip -n trainer-88 link show net1 >/dev/null 2>&1; }
wait_until 60 "net1 gone from trainer-88" no_net1 || fail "net1 stayed in trainer-88"
watch_wait_json "any(.[]; .event == \"sriov_numvfs\" and .num_vfs == 0)" 30 ||
	fail "vftrace did not report the write of 0"
if cni_invoke sriov DEL trainer-88 net1 "$CFG" "$POD"; then
	fail "the DEL succeeded after the VF was removed"
fi
assert_match 'error obtaining VF ID' "$(cat "$CNI_STDOUT" "$CNI_STDERR")" "the DEL's error"
ip netns delete trainer-88

watch_stop || fail "vftrace watch exit status $?"
cp "$OUT" "$VM_OUT/$VFT_TEST.watch.jsonl"
echo "findings: $(jq -sc 'map(select(.type == "finding" or .type == "resolved") | [.type, .code, .vf.key, .vf.ifname, .actor.comm])' "$OUT")"

expect() { expect_stream "$OUT" "$1" "$2"; }
F='map(select(.type == "finding"))'
expect "map(select(.event == \"sriov_numvfs\" and .source != \"inventory\")) | length == 2 and (.[0] | .pf == \"$PF\" and
	.num_vfs == 2 and .old_num_vfs == 1 and .ret == -16 and .errno == \"EBUSY\" and .actor.pid == $$) and
	(.[1] | .num_vfs == 0 and .old_num_vfs == 1 and .ret == 0)" \
	"the two writes to sriov_numvfs: 2 refused with EBUSY, then 0"
expect "$F | length == 1 and (.[0] | .code == \"VF_REMOVED_IN_POD\" and .severity == \"warning\" and
	.vf.key == \"$VF\" and .actor.pid == $$ and
	(.message | test(\"removed by its PF $PF while its netdev net1 is in netns $TRAINER \\\\(pod ml/trainer-88\\\\)\")) and
	(.evidence | test(\"^pf=$PF vf_index=0 netns=$TRAINER ifname=net1 pod=ml/trainer-88\$\")))" \
	"exactly one VF_REMOVED_IN_POD: $VF removed by this shell while net1 is in trainer-88"
expect 'map(select(.type == "resolved")) | length == 0' "resolutions: nothing was open"
