#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# test_80_real_cni.sh - 20 clean pod attachments through the real SR-IOV CNI raise nothing
# but the informational return. Under one `vftrace watch --json --grace 4`, VF 0 goes 20
# times through the SR-IOV CNI (IPAM static, the pod ml/trainer-0 in CNI_ARGS) into a fresh
# /run/netns/trainer-0 and back: exactly 20 VF_RETURNED_TO_HOST (info, actor sriov, the VF
# back under its host name), nothing else, no resolution. Each stay in the pod and each
# return is judged: the test waits for vftrace's own vf_check of it before the next step.
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

cni_plugin sriov >/dev/null || exit
cni_plugin static >/dev/null || exit
cni_warm sriov static

# No udev: its altnames race the SR-IOV CNI's renames (see test_05_real_parts.sh); the
# VFs keep the kernel's names.
sriov_create 1 || fail "sriov_create 1"
VF=${SRIOV_VF_PCI[0]} DEV=${SRIOV_VF_DEV[0]}
CFG=$(sriov_cni_config "$VF" 10.56.0.3/16)

OUT=$TMP/watch.jsonl
watch_start "$OUT" --grace 4 || fail "vftrace watch did not start"
start=$SECONDS
cni_cycles sriov "$CYCLES" "$NS" "$VF" "$DEV" "$CFG" "$POD"
echo "sriov: $CYCLES cycles of $VF ($DEV) in $((SECONDS - start)) s"
watch_stop || fail "vftrace watch exit status $?"
cp "$OUT" "$VM_OUT/$VFT_TEST.watch.jsonl"
echo "findings: $(jq -sc 'map(select(.type == "finding")) | group_by(.code) | map({(.[0].code): length}) | add' "$OUT")"

expect() { expect_stream "$OUT" "$1" "$2"; }
F='map(select(.type == "finding"))'
expect "$F | length == $CYCLES and all(.[]; .code == \"VF_RETURNED_TO_HOST\" and .severity == \"info\" and
	.vf.key == \"$VF\" and .vf.ifname == \"$DEV\" and .actor.comm == \"sriov\" and
	(.evidence | test(\"name=$DEV host_name=$DEV\")))" \
	"exactly $CYCLES VF_RETURNED_TO_HOST of $VF by sriov, back as $DEV, and nothing else"
expect 'map(select(.type == "resolved")) | length == 0' "resolutions: nothing should have been open"
expect 'last | .type == "summary" and .lost == 0' "the summary, no event lost"
