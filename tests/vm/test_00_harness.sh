#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# test_00_harness.sh - smoke test of the VM harness itself: the guest runs
# the kernel under test with what the other VM tests rely on (BTF, tracefs,
# bpffs, netns + veth, Soft-RoCE, the spare virtio-rng PCI device, the q35
# machine's igb PF).
set -euo pipefail
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/lib.sh"

ns=vmh$$
cleanup() {
	rdma link delete rxe0 2>/dev/null || true
	ip link delete vmh0 2>/dev/null || true
	ip netns delete "$ns" 2>/dev/null || true
}
trap cleanup EXIT

# The kernel under test, not the host's.
rel="$(uname -r)"
assert_eq "$rel" "${VM_KERNEL_RELEASE:-unset}" "uname -r"
assert_match "^${VM_KERNEL//./\\.}\\." "$rel" "kernel series"
echo "kernel $rel"

[[ -f /sys/kernel/btf/vmlinux ]] || fail "/sys/kernel/btf/vmlinux missing"

mounts="$(</proc/mounts)"
assert_match $'\n''tracefs /sys/kernel/tracing tracefs ' $'\n'"$mounts" "tracefs mount"
assert_match $'\n''bpf /sys/fs/bpf bpf ' $'\n'"$mounts" "bpffs mount"
[[ -f /sys/kernel/tracing/available_events ]] || fail "tracefs has no available_events"

# Modules come from the kernel under test (bind-mounted /lib/modules).
[[ -f "/lib/modules/$rel/modules.dep" ]] || fail "/lib/modules/$rel/modules.dep missing"

# Network namespaces and veth.
ip netns add "$ns" || fail "ip netns add"
ip link add vmh0 type veth peer name vmh1 || fail "ip link add type veth"
ip link set vmh1 netns "$ns" || fail "moving a veth end into $ns"
ip link set vmh0 up
assert_match 'vmh1' "$(ip -n "$ns" -br link)" "veth end in $ns"

# Soft-RoCE on the veth; rdma_rxe needs crc32 autoloaded by the kernel,
# which works only when pid 1's root has the modules (switch_root).
modprobe rdma_rxe || fail "modprobe rdma_rxe"
rdma link add rxe0 type rxe netdev vmh0 || fail "rdma link add rxe0 type rxe netdev vmh0"
[[ -e /sys/class/infiniband/rxe0 ]] || fail "/sys/class/infiniband/rxe0 missing after rdma link add"
echo "rxe0: $(rdma link show rxe0/1)"

# The spare virtio-rng PCI device, bound to virtio-pci (virtio device id 4).
rng=""
for d in /sys/bus/pci/drivers/virtio-pci/0000:*; do
	for v in "$d"/virtio*; do
		[[ "$(cat "$v/device" 2>/dev/null)" == 0x0004 ]] && rng="$(basename "$d")"
	done
done
[[ -n "$rng" ]] || fail "no virtio-rng device under /sys/bus/pci/drivers/virtio-pci/"
echo "virtio-rng at $rng"

# The machine: q35 (its host bridge is 8086:29c0), with the SR-IOV PF (igb,
# 8086:10c9) behind a PCIe root port, left without a driver at boot.
assert_eq "$(</sys/bus/pci/devices/0000:00:00.0/device)" 0x29c0 "q35 host bridge"
pf="$(sriov_pf)" || fail "no igb PF"
assert_eq "$pf" 0000:01:00.0 "igb PF address"
port="$(readlink -f "/sys/bus/pci/devices/$pf/..")"
assert_eq "$(basename "$(readlink "$port/driver")")" pcieport "driver of the PF's parent $(basename "$port")"
[[ -e "/sys/bus/pci/devices/$pf/sriov_totalvfs" ]] || fail "$pf has no SR-IOV capability"
[[ ! -e "/sys/bus/pci/devices/$pf/driver" ]] || fail "$pf bound at boot"
echo "igb PF at $pf"

echo "harness ok"
