#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# test_86_sriov_dev_n.sh - the VF comes back to the host as dev<N> because its host name was
# taken while it served a pod, under `vftrace watch --json --grace 4`:
#
#   VF 0 goes into /run/netns/trainer-86 as net1 through the real SR-IOV CNI; then another
#   device takes the VF's host name in the host (a veth here). The CNI's DEL renames net1
#   back to the host name inside the pod and its move to the host is refused ("failed to
#   move interface ... to init netns: file exists"): the VF stays in the pod under its host
#   name. The runtime then deletes the pod's netns, and the kernel returns the VF as
#   dev<ifindex>, the name it gives when the one a device has is taken.
#
# Findings: CNI_MOVE_FAILED (EEXIST, by sriov, out of trainer-86), resolved "the kernel returned
# it to the host"; VF_RETURNED_TO_HOST (by a kworker, as dev<N>); VF_STRANDED (keeps dev<N>,
# its host name was the VF's); nothing else: no POD_NETNS_GONE_BEFORE_DEL (the DEL ran, and
# its failure is the finding), nothing for the veth.
# vm-timeout: 180
set -euo pipefail
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/lib.sh"

POD=ml/trainer-86/6f1c2d3e-4b5a-4c6d-8e7f-001122334455
TMP=$(mktemp -d)

cleanup() {
	set +e
	watch_kill
	ip netns delete trainer-86 2>/dev/null
	ip link delete vhold0 2>/dev/null
	sriov_destroy >/dev/null 2>&1 || echo "cleanup: sriov_destroy failed" >&2
	rm -rf "$TMP"
}
trap cleanup EXIT

cni_plugin sriov >/dev/null || exit
cni_plugin static >/dev/null || exit
cni_warm sriov static

sriov_create 1 || fail "sriov_create 1"
VF=${SRIOV_VF_PCI[0]} DEV=${SRIOV_VF_DEV[0]}
CFG=$(sriov_cni_config "$VF" 10.56.0.3/16)

OUT=$TMP/watch.jsonl
watch_start "$OUT" --grace 4 || fail "vftrace watch did not start"

ip netns add trainer-86
TRAINER=$(stat -L -c %i /run/netns/trainer-86)
cni_invoke sriov ADD trainer-86 net1 "$CFG" "$POD" || fail "ADD failed"
watch_wait_checks "$VF" 1 30 || fail "the stay in the pod was not judged"

# another device takes the VF's host name while the VF is in the pod
ip link add "$DEV" type veth peer name vhold0
if cni_invoke sriov DEL trainer-86 net1 "$CFG" "$POD"; then
	fail "the DEL succeeded while the host has a $DEV"
fi
assert_match "failed to move interface $DEV to init netns: file exists" \
	"$(cat "$CNI_STDOUT" "$CNI_STDERR")" "the plugin's error"
# shellcheck disable=SC2016 # expanded in the netns
assert_eq "$(ip netns exec trainer-86 sh -c "basename \"\$(readlink -f /sys/class/net/$DEV/device)\"")" \
	"$VF" "the VF left in trainer-86 under its host name $DEV"
IFINDEX=$(ip netns exec trainer-86 cat "/sys/class/net/$DEV/ifindex")

# the runtime gives up on the DEL and removes the pod's netns: the kernel returns the VF
ip netns delete trainer-86
wait_until 30 "$VF back in the host as dev$IFINDEX" test -e "/sys/bus/pci/devices/$VF/net/dev$IFINDEX" ||
	fail "the kernel did not return $VF as dev$IFINDEX: $(ls "/sys/bus/pci/devices/$VF/net" 2>&1)"
watch_wait_checks "$VF" 2 30 || fail "the return was not judged"

watch_stop || fail "vftrace watch exit status $?"
cp "$OUT" "$VM_OUT/$VFT_TEST.watch.jsonl"
echo "findings: $(jq -sc 'map(select(.type == "finding" or .type == "resolved") | [.type, .code, .vf.key, .vf.ifname, .actor.comm])' "$OUT")"

expect() { expect_stream "$OUT" "$1" "$2"; }
F='map(select(.type == "finding"))'
expect "$F | map(select(.code == \"CNI_MOVE_FAILED\")) | length == 1 and (.[0] |
	.vf.key == \"$VF\" and .errno == \"EEXIST\" and .actor.comm == \"sriov\" and
	(.evidence | startswith(\"from_netns=$TRAINER \")))" \
	"CNI_MOVE_FAILED: once, the DEL's move of $VF out of trainer-86 (EEXIST, by sriov)"
expect "map(select(.type == \"resolved\")) | length == 1 and (.[0] | .code == \"CNI_MOVE_FAILED\" and
	.by == \"the kernel returned it to the host\")" \
	"resolved: only CNI_MOVE_FAILED, by the kernel's return"
expect "$F | map(select(.code == \"VF_RETURNED_TO_HOST\")) | length == 1 and (.[0] |
	.vf.key == \"$VF\" and .vf.ifname == \"dev$IFINDEX\" and (.actor.comm | startswith(\"kworker\")))" \
	"VF_RETURNED_TO_HOST: once, $VF as dev$IFINDEX, by a kworker"
expect "$F | map(select(.code == \"VF_STRANDED\")) | length == 1 and (.[0] |
	.vf.key == \"$VF\" and (.message | test(\"keeps the name dev$IFINDEX \\\\(its host name was $DEV\\\\)\")))" \
	"VF_STRANDED: once, $VF keeping dev$IFINDEX (host name $DEV)"
expect "$F | map(.code) | sort == [\"CNI_MOVE_FAILED\", \"VF_RETURNED_TO_HOST\", \"VF_STRANDED\"]" \
	"findings other than the scenario's"
