#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# test_81_real_hostdev.sh - 20 clean pod attachments through Debian's host-device CNI with
# host-local IPAM raise nothing but the informational return. Under one `vftrace watch --json
# --grace 4`, VF 0 goes 20 times into a fresh /run/netns/trainer-0 as net1 and back: exactly
# 20 VF_RETURNED_TO_HOST (info, actor host-device, the VF back under its host name), nothing
# else. Each stay and each return is judged (the test waits for vftrace's vf_check of it).
# vm-timeout: 600
set -euo pipefail
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/lib.sh"

CYCLES=${VFT_CNI_CYCLES:-20}
POD=ml/trainer-0/6f1c2d3e-4b5a-4c6d-8e7f-001122334455
NS=trainer-0
TMP=$(mktemp -d)

cleanup() {
	set +e
	watch_kill
	ip netns delete "$NS" 2>/dev/null
	sriov_destroy >/dev/null 2>&1 || echo "cleanup: sriov_destroy failed" >&2
	rm -rf "$TMP"
}
trap cleanup EXIT

cni_plugin host-device >/dev/null || exit
cni_plugin host-local >/dev/null || exit
cni_warm host-device host-local

sriov_create 1 || fail "sriov_create 1"
VF=${SRIOV_VF_PCI[0]} DEV=${SRIOV_VF_DEV[0]}
CFG=$(
	cat <<-EOF
		{"cniVersion": "1.0.0", "name": "hostdev-net", "type": "host-device", "pciBusID": "$VF",
		 "ipam": {"type": "host-local", "ranges": [[{"subnet": "10.57.0.0/24"}]],
		          "dataDir": "$TMP/host-local"}}
	EOF
)

OUT=$TMP/watch.jsonl
watch_start "$OUT" --grace 4 || fail "vftrace watch did not start"
start=$SECONDS
cni_cycles host-device "$CYCLES" "$NS" "$VF" "$DEV" "$CFG" "$POD"
echo "host-device: $CYCLES cycles of $VF ($DEV) in $((SECONDS - start)) s"
watch_stop || fail "vftrace watch exit status $?"
cp "$OUT" "$VM_OUT/$VFT_TEST.watch.jsonl"
echo "findings: $(jq -sc 'map(select(.type == "finding")) | group_by(.code) | map({(.[0].code): length}) | add' "$OUT")"

expect() { expect_stream "$OUT" "$1" "$2"; }
F='map(select(.type == "finding"))'
expect "$F | length == $CYCLES and all(.[]; .code == \"VF_RETURNED_TO_HOST\" and .severity == \"info\" and
	.vf.key == \"$VF\" and .vf.ifname == \"$DEV\" and .actor.comm == \"host-device\" and
	(.evidence | test(\"name=$DEV host_name=$DEV\")))" \
	"exactly $CYCLES VF_RETURNED_TO_HOST of $VF by host-device, back as $DEV, and nothing else"
expect 'map(select(.type == "resolved")) | length == 0' "resolutions: nothing should have been open"
expect 'last | .type == "summary" and .lost == 0' "the summary, no event lost"
