#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# test_83_netns_gone.sh - a pod's netns destroyed before the CNI's DEL, under `vftrace watch
# --json --grace 4`: VF 0 is attached through the real SR-IOV CNI to the pod trainer-0 (its
# sandbox, a process of a kubepods cgroup, holds /run/netns/trainer-0); the sandbox dies and
# the netns is deleted, so the kernel (a kworker) returns the VF to the host still named net1.
# Findings: VF_RETURNED_TO_HOST (info, by the kworker), POD_NETNS_GONE_BEFORE_DEL (warning,
# naming the pod ml/trainer-0, as its CNI ADD's CNI_ARGS said), NETNS_GONE_WITHOUT_CNI_DEL
# (warning, no DEL had run for that ADD; the late DEL resolves it) and, when the grace period ends, VF_STRANDED (it keeps
# net1, its host name was the kernel's); nothing else. The DEL that runs afterwards succeeds
# and does nothing (no rename, no move, no new finding).
# vm-timeout: 150
set -euo pipefail
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/lib.sh"

POD_UID=7a3e9c10-5b2d-4f8e-a1c4-223344556677
POD=ml/trainer-0/$POD_UID
CTR=$(printf 'b%.0s' {1..64})
CG=/sys/fs/cgroup/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod${POD_UID//-/_}.slice/cri-containerd-$CTR.scope
TMP=$(mktemp -d)
SANDBOX=

cleanup() {
	set +e
	watch_kill
	[[ -n $SANDBOX ]] && kill "$SANDBOX" 2>/dev/null
	ip netns delete trainer-0 2>/dev/null
	sriov_destroy >/dev/null 2>&1 || echo "cleanup: sriov_destroy failed" >&2
	rmdir "$CG" 2>/dev/null
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

# the pod: its netns, held by its sandbox in the pod's cgroup
ip netns add trainer-0
TRAINER0=$(stat -L -c %i /run/netns/trainer-0)
mkdir -p "$CG"
ip netns exec trainer-0 sleep 600 &
SANDBOX=$!
echo "$SANDBOX" >"$CG/cgroup.procs"
cni_invoke sriov ADD trainer-0 net1 "$CFG" "$POD" || fail "ADD failed"
watch_wait_checks "$VF" 1 30 || fail "the stay in the pod was not judged"

# the sandbox dies and the runtime removes the netns before any DEL
kill "$SANDBOX"
wait "$SANDBOX" 2>/dev/null || true
SANDBOX=
ip netns delete trainer-0
wait_until 30 "$VF back in the host" test -e "/sys/bus/pci/devices/$VF/net/net1" ||
	fail "the kernel did not return $VF as net1"
watch_wait_checks "$VF" 2 30 || fail "the return was not judged"
n_before=$(grep -c . "$OUT")

# the DEL the runtime runs afterwards: the netns is gone, the plugin does nothing
cni_invoke sriov DEL trainer-0 net1 "$CFG" "$POD" || fail "DEL after the netns went failed"
[[ -e "/sys/bus/pci/devices/$VF/net/net1" ]] || fail "the DEL renamed or moved the returned VF"

watch_stop || fail "vftrace watch exit status $?"
cp "$OUT" "$VM_OUT/$VFT_TEST.watch.jsonl"
echo "findings: $(jq -sc 'map(select(.type == "finding") | [.code, .vf.key, .vf.ifname, .actor.comm])' "$OUT")"

expect() { expect_stream "$OUT" "$1" "$2"; }
F='map(select(.type == "finding"))'
expect "$F | map(select(.code == \"VF_RETURNED_TO_HOST\")) | length == 1 and (.[0] |
	.vf.key == \"$VF\" and .vf.ifname == \"net1\" and (.actor.comm | startswith(\"kworker\")))" \
	"VF_RETURNED_TO_HOST: once, $VF as net1, by a kworker"
expect "$F | map(select(.code == \"POD_NETNS_GONE_BEFORE_DEL\")) | length == 1 and (.[0] |
	.vf.key == \"$VF\" and .severity == \"warning\" and
	(.evidence | test(\"from_netns=$TRAINER0 pod=ml/trainer-0 \")) and (.message | test(\"pod ml/trainer-0\")))" \
	"POD_NETNS_GONE_BEFORE_DEL: once, $VF, naming the pod ml/trainer-0 (its CNI ADD's CNI_ARGS)"
expect "$F | map(select(.code == \"NETNS_GONE_WITHOUT_CNI_DEL\")) | length == 1 and (.[0].vf.key == \"$VF\")" \
	"NETNS_GONE_WITHOUT_CNI_DEL: once, $VF (no DEL had run for its ADD)"
expect "map(select(.type == \"resolved\" and .code == \"NETNS_GONE_WITHOUT_CNI_DEL\")) | length == 1" \
	"the late DEL resolves NETNS_GONE_WITHOUT_CNI_DEL"
expect "$F | map(select(.code == \"VF_STRANDED\")) | length == 1 and (.[0] |
	.vf.key == \"$VF\" and .vf.ifname == \"net1\" and (.message | test(\"keeps the name net1 \\\\(its host name was $DEV\\\\)\")))" \
	"VF_STRANDED: once, $VF keeping net1 (host name $DEV)"
expect "$F | map(.code) | sort == [\"NETNS_GONE_WITHOUT_CNI_DEL\", \"POD_NETNS_GONE_BEFORE_DEL\", \"VF_RETURNED_TO_HOST\", \"VF_STRANDED\"]" \
	"findings other than the scenario's"
# the DEL after the return: no step of the VF, no finding
expect ".[$n_before:] | all(.[]; .type != \"finding\" and (.type != \"event\" or .vf != \"$VF\" or
	(.event | IN(\"netdev_rename\", \"netns_move\", \"link_change\") | not)))" \
	"the DEL after the netns went renamed, moved or raised something"
