#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# demo.sh - a scripted pod net1 attachment, played inside a test VM while
# `vftrace watch` prints the live timeline. Run it with `make demo`.
#
# The guest's PCI NIC (virtio-net, no traffic leaves the VM) stands in for an
# SR-IOV VF: like a VF it has a PCI parent and, unlike veth, it survives the
# death of the network namespace it was moved into.
set -euo pipefail
cd "$(dirname "$0")/.."

VFTRACE=${VFTRACE:-build/vftrace}
if [[ -t 1 ]]; then bold=$'\033[1m' off=$'\033[0m'; else bold= off=; fi
# Narration between steps; the pause first lets the last step's events print.
say() { sleep 0.8; printf '\n%s### %s%s\n' "$bold" "$*" "$off"; }

modprobe virtio_net 2>/dev/null || true
vf=
for dev in /sys/class/net/*; do
	if [[ -e $dev/device ]] && [[ $(basename "$(readlink -f "$dev/device/driver")") == virtio_net ]]; then
		vf=$(basename "$dev")
		break
	fi
done
[[ -n $vf ]] || { echo "demo: no PCI NIC found in the VM" >&2; exit 1; }
ip link set "$vf" name ibp24s0v3 # the name a DGX VF would have
vf=ibp24s0v3

log=$(mktemp)
"$VFTRACE" watch --grace 2 -i 'ibp*' -i 'net1' 2>"$log" &
watch=$!
until grep -q 'hooks attached' "$log"; do sleep 0.05; done
cat "$log"

say "systemd-networkd on the host matches the new VF by a broad rule: brings it up, gives it an address"
# a copy of ip whose comm is what systemd-networkd's would be
cp "$(command -v ip)" /tmp/systemd-networkd
/tmp/systemd-networkd link set "$vf" up
/tmp/systemd-networkd addr add 192.168.77.5/24 dev "$vf"

say "pod trainer-0 starts: containerd creates its network namespace"
p0=cni-7f3e2a10-4c1b-9d2e-0b5a-3c8e71f00d42
ip netns add $p0
say "SR-IOV CNI moves VF $vf into the pod, then names it net1"
ip link set "$vf" netns $p0
ip -n $p0 link set "$vf" name net1
ip -n $p0 link set net1 up
say "IPAM is slow: after the 2 s grace period net1 still has no address"
sleep 2.5
say "whereabouts finally assigns 10.56.0.3/16: the finding is resolved"
ip -n $p0 addr add 10.56.0.3/16 dev net1

say "pod trainer-1 starts; its namespace still holds an ibp64s0v1 from an earlier attempt"
p1=cni-0c9d5b77-21aa-4e0f-8f61-5d2b9e4a7c13
ip netns add $p1
ip -n $p1 link add ibp64s0v1 type dummy
ip link add ibp64s0v1 type veth peer name ibp64s0v1p
say "SR-IOV CNI moves VF ibp64s0v1 into trainer-1: the kernel refuses (file exists)"
ip link set ibp64s0v1 netns $p1 2>&1 | sed 's/^/    ip: /' || true

say "pod trainer-0 is deleted: its namespace goes, the VF falls back to the host"
ip netns del $p0
# The kernel returns the VF from a workqueue: wait until it is back.
for _ in $(seq 100); do ip link show net1 >/dev/null 2>&1 && break; sleep 0.05; done
ip -br link show net1 | sed 's/^/    host: /'
echo "    (back on the host under its pod name: nothing renames it)"
sleep 2.5

say "cleanup; then vftrace prints each VF's timeline and the summary"
ip netns del $p1
ip link del ibp64s0v1
sleep 0.5
kill -INT "$watch"
wait "$watch"
sed -n '/ events, .* lost/,$p' "$log"
