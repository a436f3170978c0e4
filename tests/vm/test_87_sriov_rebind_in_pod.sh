#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# test_87_sriov_rebind_in_pod.sh - the VF's driver rebound while its pod runs, under `vftrace
# watch --json --grace 4`: VF 0 is in /run/netns/trainer-87 as net1 (the real SR-IOV CNI);
# someone unbinds igbvf from it and binds it again (sysfs unbind/bind, as a driver reload or
# a device plugin "resetting" VFs does). The pod's net1 vanishes with the unbind, and the bind
# registers a new netdev in the host, not in the pod. The CNI's DEL then fails ("failed to get
# netlink device with name net1: Link not found").
#
# Findings: exactly one DRIVER_CHURN (by the writer of unbind: this test's shell), saying the
# pod loses its netdev; the bind that follows is not a second one (the VF is no longer in the
# pod), and the new netdev in the host is no return.
#
# The other half of the rule, a rebind during the CNI's own ADD (ib-sriov applying a GUID) is
# no DRIVER_CHURN, cannot run here: ib-sriov v1.2.1 needs an InfiniBand VF. On igb's VF its ADD
# fails before any rebind: with a GUID it panics reading the VF's Ethernet MAC as an IPoIB
# address ("slice bounds out of range [36:17]"), without one it refuses ("VF eth1 GUID is not
# valid"). tests/unit/test_realclients.c covers that half.
# vm-timeout: 150
set -euo pipefail
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/lib.sh"

POD=ml/trainer-87/6f1c2d3e-4b5a-4c6d-8e7f-001122334455
DRV=/sys/bus/pci/drivers/igbvf
TMP=$(mktemp -d)

cleanup() {
	set +e
	watch_kill
	ip netns delete trainer-87 2>/dev/null
	sriov_destroy >/dev/null 2>&1 || echo "cleanup: sriov_destroy failed" >&2
	rm -rf "$TMP"
}
trap cleanup EXIT

cni_plugin sriov >/dev/null || exit
cni_plugin static >/dev/null || exit
cni_warm sriov static

sriov_create 1 || fail "sriov_create 1"
VF=${SRIOV_VF_PCI[0]}
CFG=$(sriov_cni_config "$VF" 10.56.0.3/16)

OUT=$TMP/watch.jsonl
watch_start "$OUT" --grace 4 || fail "vftrace watch did not start"

ip netns add trainer-87
TRAINER=$(stat -L -c %i /run/netns/trainer-87)
cni_invoke sriov ADD trainer-87 net1 "$CFG" "$POD" || fail "ADD failed"
watch_wait_checks "$VF" 1 30 || fail "the stay in the pod was not judged"

no_net1() { ! ip -n trainer-87 link show net1 >/dev/null 2>&1; }
echo "$VF" >"$DRV/unbind"
wait_until 30 "net1 gone from trainer-87" no_net1 || fail "net1 stayed in trainer-87 after the unbind"
echo "$VF" >"$DRV/bind"
wait_until 30 "a netdev of $VF in the host" _vft_first "/sys/bus/pci/devices/$VF/net" ||
	fail "no netdev of $VF in the host after the bind"
NEWDEV=$(_vft_first "/sys/bus/pci/devices/$VF/net")
echo "after the rebind: $VF is $NEWDEV in the host"
no_net1 || fail "trainer-87 has a net1 again"

# the DEL the runtime runs when the pod goes fails: no net1 there
if cni_invoke sriov DEL trainer-87 net1 "$CFG" "$POD"; then
	fail "the DEL succeeded after the pod lost net1"
fi
assert_match 'failed to get netlink device with name net1: .*Link not found' \
	"$(cat "$CNI_STDOUT" "$CNI_STDERR")" "the DEL's error"
ip netns delete trainer-87
watch_wait_json "any(.[]; .event == \"netdev_register\" and .vf == \"$VF\" and .ifname == \"$NEWDEV\")" 30 ||
	fail "vftrace did not report $NEWDEV's register"

watch_stop || fail "vftrace watch exit status $?"
cp "$OUT" "$VM_OUT/$VFT_TEST.watch.jsonl"
echo "findings: $(jq -sc 'map(select(.type == "finding" or .type == "resolved") | [.type, .code, .vf.key, .vf.ifname, .actor.comm])' "$OUT")"

expect() { expect_stream "$OUT" "$1" "$2"; }
F='map(select(.type == "finding"))'
expect "$F | length == 1 and (.[0] | .code == \"DRIVER_CHURN\" and .severity == \"warning\" and
	.vf.key == \"$VF\" and .actor.pid == $$ and
	(.message | test(\"unbound from driver igbvf while its netdev net1 is in pod netns $TRAINER: the pod loses its netdev\")))" \
	"exactly one DRIVER_CHURN: $VF unbound by this shell while net1 is in trainer-87"
expect 'map(select(.type == "resolved")) | length == 0' "resolutions: nothing was open"
expect "any(.[]; .event == \"driver_bind\" and .device == \"$VF\" and .actor.pid == $$)" \
	"the bind of $VF was reported"
