#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# test_40_findings.sh - the findings of docs/findings.md raised live by real kernel activity,
# each by its scenario and by nothing else, in one `vftrace watch --json --grace 2` run:
#
#   claim    a host manager (a process whose comm is systemd-networkd's) brings veth vfa0 up
#            and gives it an address, then it moves into pod netns vfpod1:
#            HOST_MANAGER_CLAIM naming that process, at the move
#   clash    vfb0 is moved into vfpod2, which already has a device of that name:
#            CNI_MOVE_FAILED (EEXIST, the kernel's message on 6.12), resolved by the retry
#            after the clashing device is gone
#   no-ip    vfd0 moves into vfpod4 (a "pod": a process of a kubepods cgroup lives in it) as
#            net1, goes up, gets Soft-RoCE device rxe1 and no address:
#            NET1_NO_IP and GID_MISSING, attributed to the pod's UID
#   ip       vfe0 does the same in vfpod5 with an address: nothing
#   return   the VM's PCI NIC moves into vfpod3 as net1; vfpod3 is deleted and the kernel
#            returns the NIC to the host under its pod name:
#            VF_RETURNED_TO_HOST, then VF_STRANDED (it keeps the name net1)
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/vm/lib.sh

VFTRACE=${VFTRACE:-build/vftrace}
TMP=$(mktemp -d)
POD_UID=5f0c2b8e-3a41-4d6f-9b17-2c8e4a6d1f30
CTR=$(printf 'a%.0s' {1..64})
CG=/sys/fs/cgroup/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod${POD_UID//-/_}.slice/cri-containerd-$CTR.scope
NIC= NIC_NAME= SLEEPER=
cleanup() {
	set +e
	[[ -n $SLEEPER ]] && kill "$SLEEPER" 2>/dev/null
	for ns in vfpod1 vfpod2 vfpod3 vfpod4 vfpod5; do ip netns del $ns 2>/dev/null; done
	ip link del vfa0 2>/dev/null
	ip link del vfb0 2>/dev/null
	rdma link del rxe1 2>/dev/null
	rdma link del rxe2 2>/dev/null
	# the NIC back under its own name for the next test
	[[ -n $NIC_NAME ]] && ip link set net1 name "$NIC_NAME" 2>/dev/null
	true
}
trap cleanup EXIT

expect() { expect_stream "$OUT" "$1" "$2"; }

# wait_for_json JQ_FILTER TIMEOUT_S: until the stream so far (as one array) satisfies the filter.
wait_for_json() {
	local deadline=$((SECONDS + $2))
	until jq -se "$1" "$OUT" >/dev/null 2>&1; do
		((SECONDS < deadline)) || { echo "wait_for_json: '$1' not met within $2 s" >&2; return 1; }
		sleep 0.1
	done
}

# The guest's virtio-net PCI NIC stands in for a VF: it has a PCI parent and survives the death
# of the netns it was moved into.
modprobe virtio_net 2>/dev/null || true
for dev in /sys/class/net/*; do
	if [[ -e $dev/device ]] && [[ $(basename "$(readlink -f "$dev/device/driver")") == virtio_net ]]; then
		NIC_NAME=$(basename "$dev")
		break
	fi
done
[[ -n $NIC_NAME ]] || fail "no PCI NIC in the VM"
NIC=$(basename "$(readlink -f "/sys/class/net/$NIC_NAME/device/..")")
[[ $NIC =~ ^[0-9a-f]{4}: ]] || fail "no PCI address for $NIC_NAME: $NIC"

# ib_core in shared netns mode (a reload resets an exclusive mode left by another test)
modprobe -r rdma_rxe ib_uverbs ib_core 2>/dev/null || true
modprobe rdma_rxe

OUT=$TMP/watch.jsonl
# also recorded: tests/vm/host_40_replay.sh replays the capture on the host after the guest ends
CAP=${VM_OUT:-$TMP}/findings-$(uname -r).cap
rm -f "$CAP"
"$VFTRACE" watch --json --grace 2 -o "$CAP" -i 'vf*' -i 'net1' -i "$NIC_NAME" >"$OUT" 2>"$TMP/watch.err" &
WATCH=$!
wait_for_line "$OUT" '"type":"ready"' 60 || fail "no ready line: $(cat "$TMP/watch.err")"
HOST_NS=$(stat -L -c %i /proc/self/ns/net)

# --- claim: a host manager configures vfa0 before the CNI moves it
ip link add vfa0 type veth peer name vfa0p
cp "$(command -v ip)" "$TMP/systemd-networkd"
"$TMP/systemd-networkd" link set vfa0 up
"$TMP/systemd-networkd" addr add 10.66.0.1/24 dev vfa0
# a rename is visibility, not a claim
ip link set vfa0p name vfa1p
ip netns add vfpod1
ip link set vfa0 netns vfpod1

# --- clash: the target netns already has a vfb0
ip link add vfb0 type veth peer name vfb0p
ip netns add vfpod2
ip -n vfpod2 link add vfb0 type dummy
ip link set vfb0 netns vfpod2 2>/dev/null && fail "the clashing move succeeded"
ip -n vfpod2 link del vfb0
ip link set vfb0 netns vfpod2

# --- no-ip: a pod with net1 up, an RDMA device and no address
ip netns add vfpod4
mkdir -p "$CG"
ip netns exec vfpod4 sleep 600 &
SLEEPER=$!
echo "$SLEEPER" >"$CG/cgroup.procs"
VFPOD4=$(stat -L -c %i /run/netns/vfpod4)
ip link add vfd0 type veth peer name vfd0p
ip link set vfd0p up
ip link set vfd0 netns vfpod4
ip -n vfpod4 link set vfd0 name net1
ip -n vfpod4 link set net1 up
ip netns exec vfpod4 rdma link add rxe1 type rxe netdev net1

# --- ip: the same with an address
ip netns add vfpod5
ip link add vfe0 type veth peer name vfe0p
ip link set vfe0p up
ip link set vfe0 netns vfpod5
ip -n vfpod5 link set vfe0 up
ip -n vfpod5 addr add 10.77.0.2/24 dev vfe0
ip netns exec vfpod5 rdma link add rxe2 type rxe netdev vfe0

wait_for_json 'any(.[]; .type == "finding" and .code == "GID_MISSING")' 30 ||
	fail "no GID_MISSING for vfd0"
wait_for_json 'any(.[]; .event == "vf_check" and .vf == "vfe0")' 30 || fail "vfe0 was never checked"

# --- return: the NIC goes into a pod as net1 and comes back when the pod's netns goes
ip netns add vfpod3
ip link set "$NIC_NAME" netns vfpod3
ip -n vfpod3 link set "$NIC_NAME" name net1
ip netns del vfpod3
wait_for_json 'any(.[]; .type == "finding" and .code == "VF_STRANDED")' 30 ||
	fail "no VF_STRANDED for the returned NIC"

kill -INT "$WATCH"
rc=0
wait "$WATCH" || rc=$?
assert_eq "$rc" 0 "watch exit status"

F='map(select(.type == "finding"))'
expect "$F | map(select(.code == \"HOST_MANAGER_CLAIM\")) | length == 1 and (.[0] | .vf.key == \"vfa0\" and .actor.comm == \"systemd-network\" and .actor.pid > 0 and .severity == \"warning\" and (.message | test(\"ms before it moved to a pod\")) and (.evidence | test(\"admin up\")))" \
	"HOST_MANAGER_CLAIM: once, for vfa0, naming the host manager"
expect "$F | map(select(.code == \"CNI_MOVE_FAILED\")) | length == 1 and (.[0] | .vf.key == \"vfb0\" and .errno == \"EEXIST\" and .ret == -17 and .actor.comm == \"ip\" and .severity == \"error\")" \
	"CNI_MOVE_FAILED: once, for vfb0, EEXIST by ip"
if kernel_ge 6 12; then
	expect "$F | map(select(.code == \"CNI_MOVE_FAILED\")) | .[0].message | test(\"same name\")" \
		"CNI_MOVE_FAILED: the kernel's message is missing"
fi
expect 'map(select(.type == "resolved" and .code == "CNI_MOVE_FAILED")) | length == 1 and (.[0] | .vf.key == "vfb0" and (.by | test("later move")))' \
	"CNI_MOVE_FAILED: not resolved by the retry"
expect "$F | map(select(.code == \"NET1_NO_IP\")) | length == 1 and (.[0] | .vf.key == \"vfd0\" and .vf.ifname == \"net1\" and .vf.netns == $VFPOD4 and .vf.netns_name == \"vfpod4\" and .vf.pod == \"$POD_UID\")" \
	"NET1_NO_IP: once, for vfd0 (net1) in vfpod4, attributed to the pod"
expect "$F | map(select(.code == \"GID_MISSING\")) | length == 1 and (.[0] | .vf.key == \"vfd0\" and .vf.ibdev == \"rxe1\" and (.evidence | test(\"link_layer=Ethernet\")))" \
	"GID_MISSING: once, for vfd0's rxe1"
expect "$F | map(select(.code == \"VF_RETURNED_TO_HOST\")) | length == 1 and (.[0] | .vf.key == \"$NIC\" and .vf.netns == $HOST_NS and .severity == \"info\")" \
	"VF_RETURNED_TO_HOST: once, for the NIC"
expect "$F | map(select(.code == \"VF_STRANDED\")) | length == 1 and (.[0] | .vf.key == \"$NIC\" and .vf.ifname == \"net1\" and (.message | test(\"keeps the name net1\")))" \
	"VF_STRANDED: once, for the NIC named net1"
# the NIC came back because its netns was deleted: the kernel (a kworker) moved it, no DEL ran
expect "$F | map(select(.code == \"POD_NETNS_GONE_BEFORE_DEL\")) | length == 1 and (.[0] | .vf.key == \"$NIC\" and .severity == \"warning\" and (.message | test(\"vfpod3\")))" \
	"POD_NETNS_GONE_BEFORE_DEL: once, for the NIC, naming its pod's netns"
# nothing else: vfe0 (with an address and a RoCE v2 GID) and the renamed peer raise nothing
expect "$F | map(.code) | sort == [\"CNI_MOVE_FAILED\", \"GID_MISSING\", \"HOST_MANAGER_CLAIM\", \"NET1_NO_IP\", \"POD_NETNS_GONE_BEFORE_DEL\", \"VF_RETURNED_TO_HOST\", \"VF_STRANDED\"]" \
	"findings other than the scenarios'"
expect 'all(.[] | select(.type == "finding"); (.remedy | length > 0) and (.ts | test("Z$")) and has("evidence"))' \
	"a finding without remedy, ts or evidence"
# the closing timeline of every VF, then the summary with the counts
expect "any(.[]; .type == \"vf\" and .vf.key == \"$NIC\" and (.names | index(\"net1\")) and (.netns_history | length >= 3) and .findings == 3)" \
	"no timeline for the NIC"
expect 'last | .type == "summary" and .findings.NET1_NO_IP == 1 and .findings.CNI_MOVE_FAILED == 1 and .resolved.CNI_MOVE_FAILED == 1 and .lost == 0' \
	"summary counts"
# the capture replays, here too, to the same findings (the host does it again from the file)
cp "$OUT" "${CAP%.cap}.live.jsonl"
"$VFTRACE" replay --json "$CAP" >"$TMP/replay.jsonl" || fail "replay of $CAP failed"
diff <(jq -c 'select(.type == "finding" or .type == "resolved")' "$OUT") \
	<(jq -c 'select(.type == "finding" or .type == "resolved")' "$TMP/replay.jsonl") ||
	fail "the replay's findings differ from the live run's"
echo "findings: $(jq -sc 'map(select(.type == "finding") | .code)' "$OUT")"
