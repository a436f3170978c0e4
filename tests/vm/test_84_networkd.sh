#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# test_84_networkd.sh - systemd-networkd and a new VF, under `vftrace watch --json --grace 4`,
# with udev naming the VFs as on a node:
#
#   claim      networkd runs with a broad .network (Driver=igbvf, an address); a VF is made
#              and networkd configures it before any CNI: HOST_MANAGER_CLAIM naming
#              systemd-networkd, once
#   unmanaged  the same .network with Unmanaged=yes; the VF is made again, goes into a pod
#              through host-device (host-local IPAM) and back: only the informational
#              VF_RETURNED_TO_HOST of that DEL
# vm-timeout: 240
set -euo pipefail
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/lib.sh"

POD=ml/trainer-0/6f1c2d3e-4b5a-4c6d-8e7f-001122334455
TMP=$(mktemp -d)

cleanup() {
	set +e
	watch_kill
	ip netns delete trainer-0 2>/dev/null
	networkd_stop
	udev_stop
	sriov_destroy >/dev/null 2>&1 || echo "cleanup: sriov_destroy failed" >&2
	rm -rf "$TMP"
}
trap cleanup EXIT

cni_plugin host-device >/dev/null || exit
cni_plugin host-local >/dev/null || exit
cni_warm host-device host-local
udev_start || exit
networkd_start || exit

OUT=$TMP/watch.jsonl
watch_start "$OUT" --grace 4 || fail "vftrace watch did not start"

# --- claim
sriov_create 1 || fail "sriov_create 1"
VF=${SRIOV_VF_PCI[0]} DEV=${SRIOV_VF_DEV[0]}
networkd_wait "$DEV" configured 60 || fail "networkd did not configure $DEV"
watch_wait_json 'any(.[]; .type == "finding" and .code == "HOST_MANAGER_CLAIM")' 30 ||
	fail "no HOST_MANAGER_CLAIM for $DEV"
networkd_stop
sriov_destroy || fail "sriov_destroy"
claims_end=$(grep -c . "$OUT")

# --- unmanaged
networkd_start unmanaged || fail "networkd (Unmanaged=yes) did not start"
sriov_create 1 || fail "sriov_create 1, again"
[[ "${SRIOV_VF_PCI[0]}" == "$VF" ]] || fail "the VF came back at ${SRIOV_VF_PCI[0]}, not $VF"
DEV=${SRIOV_VF_DEV[0]}
networkd_wait "$DEV" unmanaged 60 || fail "networkd does not leave $DEV unmanaged"
CFG=$(
	cat <<-EOF
		{"cniVersion": "1.0.0", "name": "hostdev-net", "type": "host-device", "pciBusID": "$VF",
		 "ipam": {"type": "host-local", "ranges": [[{"subnet": "10.57.0.0/24"}]],
		          "dataDir": "$TMP/host-local"}}
	EOF
)
cni_cycles host-device 1 trainer-0 "$VF" "$DEV" "$CFG" "$POD"
udevadm settle -t 30 || true

watch_stop || fail "vftrace watch exit status $?"
cp "$OUT" "$VM_OUT/$VFT_TEST.watch.jsonl"
echo "findings: $(jq -sc 'map(select(.type == "finding") | [.code, .vf.key, .vf.ifname, .actor.comm, .evidence])' "$OUT")"

expect() { expect_stream "$OUT" "$1" "$2"; }
F='map(select(.type == "finding"))'
expect ".[:$claims_end] | $F | length == 1 and (.[0] | .code == \"HOST_MANAGER_CLAIM\" and
	.vf.key == \"$VF\" and .severity == \"warning\" and .actor.comm == \"systemd-network\" and
	.actor.pid > 0 and (.evidence | test(\"admin up|address 192\\\\.0\\\\.2\\\\.1/24\")))" \
	"claim: exactly one HOST_MANAGER_CLAIM of $VF naming systemd-networkd"
expect ".[$claims_end:] | $F | length == 1 and (.[0] | .code == \"VF_RETURNED_TO_HOST\" and
	.vf.key == \"$VF\" and .actor.comm == \"host-device\")" \
	"unmanaged: only the VF_RETURNED_TO_HOST of the DEL"
