#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# test_25_nested_hooks.sh - hooks that nest on one thread, through fentry, then
# kprobes, then the default choice (driver_bind by kretprobe, the others by
# fentry): each call keeps its own entry data and yields its own event.
#
#   nested probe  the spare virtio-net PCI device bound to virtio-pci again:
#                 virtio_net probes its virtio device inside virtio-pci's probe
#                 and registers a netdev inside that: two driver_bind events
#                 (each with its device) and a netdev_register, inner first
#   repeated      ten unbind/bind cycles of the spare virtio-rng device: ten
#                 driver_bind events through either mechanism
#   SR-IOV        2 VFs made on an SR-IOV PF (echo 2 > sriov_numvfs): one
#                 sriov_numvfs, two vf_add, two driver_bind and two
#                 netdev_register, each with its VF's PCI address (the
#                 harness's igb PF, lib.sh sriov_create), all in the writer's
#                 context; the guest always has the PF, so none is a failure
#
# Neither the stash map nor its nesting may lose a pairing: the BPF counters of
# exits without their entry and of entries not kept stay 0.
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/vm/lib.sh

VFTRACE=${VFTRACE:-build/vftrace}
TMP=$(mktemp -d)

# PCI address of the first device with one of the vendor:device ids given.
pci_find() {
	local d id want
	for d in /sys/bus/pci/devices/*; do
		id="$(<"$d/vendor"):$(<"$d/device")"
		for want in "$@"; do
			[[ $id == "$want" ]] && {
				basename "$d"
				return 0
			}
		done
	done
	return 0
}

# The spare virtio devices (legacy or modern ids); never the 9p shares' (0x1009/0x1049).
NIC=$(pci_find 0x1af4:0x1000 0x1af4:0x1041)
RNG=$(pci_find 0x1af4:0x1005 0x1af4:0x1044)
[[ -n $NIC ]] || fail "no virtio-net PCI device in the VM"
[[ -n $RNG ]] || fail "no virtio-rng PCI device in the VM"

# The guest's SR-IOV PF (lib.sh: the harness's igb).
PF=$(sriov_pf) || fail "no SR-IOV PF in the VM"
VIRTIO_NET_LOADED=
[[ ! -e /sys/module/virtio_net ]] || VIRTIO_NET_LOADED=1

cleanup() {
	local dev
	for dev in "$NIC" "$RNG"; do
		[[ -e /sys/bus/pci/devices/$dev/driver ]] ||
			echo "$dev" >/sys/bus/pci/drivers/virtio-pci/bind 2>/dev/null || true
	done
	[[ -n $VIRTIO_NET_LOADED ]] || modprobe -r virtio_net 2>/dev/null || true
	[[ ! -e /sys/module/igb ]] || sriov_destroy >/dev/null 2>&1 ||
		echo "cleanup: sriov_destroy failed" >&2
}
trap cleanup EXIT

# expect JQ_FILTER MSG: as expect_stream, but every assertion of a scenario is
# tried, and the scenario fails at its end with all that did not hold.
expect() {
	jq -se "$1" "$OUT" >/dev/null || FAILED+=("$2")
}

# Fails with every assertion that did not hold, after the stream that they were asserted on.
check_failed() {
	((${#FAILED[@]})) || return 0
	echo "--- stream:" >&2
	grep -v '"type":"ready"\|"type":"coverage"' "$OUT" >&2
	printf 'FAIL: %s\n' "${FAILED[@]}" >&2
	exit 1
}

# Sum over CPUs of the BPF counter at index $1 (vftrace.h: enum vft_counter), 0 if absent.
counter() {
	local vals
	vals=$(bpftool -j map lookup name counters key "$1" 0 0 0 2>/dev/null) || {
		echo 0
		return
	}
	jq '[.formatted.values[].value] | add' <<<"$vals"
}

scenario() {
	local mech=$1 pid rc vdev ndev miss full vf0 vf1 dev0 dev1 opt=() want
	OUT=$TMP/$mech.jsonl
	# the mechanism each hook of this test must attach with
	if [[ $mech == default ]]; then
		want='if .hook == "driver_bind" then "kprobe" else "fentry" end'
	else
		opt=(--mechanism "$mech") want="\"$mech\""
	fi
	FAILED=()
	modprobe virtio_net
	# the PF's own driver and netdev before the start: only the VFs' events during it
	modprobe -a igb igbvf
	"$VFTRACE" watch --json --all --no-netlink --no-inventory "${opt[@]}" >"$OUT" 2>"$TMP/$mech.err" &
	pid=$!
	wait_for_line "$OUT" '"type":"ready"' 60 || fail "$mech: no ready line: $(cat "$TMP/$mech.err")"

	echo "$NIC" >/sys/bus/pci/drivers/virtio-pci/unbind
	echo "$NIC" >/sys/bus/pci/drivers/virtio-pci/bind
	vdev=$(basename /sys/bus/pci/devices/"$NIC"/virtio*)
	ndev=$(basename /sys/bus/pci/devices/"$NIC"/virtio*/net/*)
	[[ $vdev == virtio* && -n $ndev && $ndev != '*' ]] || fail "$mech: $NIC came back without a virtio netdev"

	for _ in $(seq 10); do
		echo "$RNG" >/sys/bus/pci/drivers/virtio-pci/unbind
		echo "$RNG" >/sys/bus/pci/drivers/virtio-pci/bind
	done

	# igbvf loaded: each VF is probed, and its netdev registered, inside the write
	sriov_create 2 >/dev/null || fail "$mech: sriov_create 2"

	# read while watch holds the map: exits without entry (1), entries not kept (2)
	miss=$(counter 1)
	full=$(counter 2)
	kill -INT "$pid"
	rc=0
	wait "$pid" || rc=$?
	assert_eq "$rc" 0 "$mech: watch exit status"
	sriov_destroy || fail "$mech: sriov_destroy"

	expect "first | .type == \"ready\" and all(.hooks[] | select(.hook == \"driver_bind\" or .hook == \"netdev_register\" or .hook == \"sriov_numvfs\" or .hook == \"vf_add\"); .status == \"attached\" and .mechanism == ($want))" \
		"$mech: a hook of this test not attached with $want"
	# virtio-pci's probe (outer) > virtio_net's probe > register_netdevice (inner): inner returns first
	expect "[.[] | select(.type == \"event\" and ((.event == \"driver_bind\" and .device != \"$RNG\") or .event == \"netdev_register\") and (.parent == \"$NIC\" or .device == \"$NIC\"))] | map({event, device, driver, ifname, ret, pid: .actor.pid}) == [
		{\"event\": \"netdev_register\", \"device\": null, \"driver\": null, \"ifname\": \"$ndev\", \"ret\": 0, \"pid\": $$},
		{\"event\": \"driver_bind\", \"device\": \"$vdev\", \"driver\": \"virtio_net\", \"ifname\": null, \"ret\": 0, \"pid\": $$},
		{\"event\": \"driver_bind\", \"device\": \"$NIC\", \"driver\": \"virtio-pci\", \"ifname\": null, \"ret\": 0, \"pid\": $$}]" \
		"$mech: the nested probe of $NIC: want $ndev registered, then $vdev bound to virtio_net, then $NIC to virtio-pci"
	expect "[.[] | select(.event == \"driver_bind\" and .device == \"$RNG\" and .driver == \"virtio-pci\" and .ret == 0)] | length == 10" \
		"$mech: ten binds of $RNG"
	# what sysfs says (lib.sh sriov_vfs): VF 0 and VF 1 (virtfn0, virtfn1) and their netdevs
	vf0=${SRIOV_VF_PCI[0]} vf1=${SRIOV_VF_PCI[1]}
	dev0=${SRIOV_VF_DEV[0]} dev1=${SRIOV_VF_DEV[1]}
	expect "[.[] | select(.event == \"sriov_numvfs\") | {pf, num_vfs, old_num_vfs, ret, pid: .actor.pid}] == [
		{\"pf\": \"$PF\", \"num_vfs\": 2, \"old_num_vfs\": 0, \"ret\": 0, \"pid\": $$}]" \
		"$mech: one sriov_numvfs on $PF, 0 -> 2 VFs"
	expect "[.[] | select(.event == \"vf_add\") | {pf, vf_index, vf, ret, pid: .actor.pid}] | sort_by(.vf_index) == [
		{\"pf\": \"$PF\", \"vf_index\": 0, \"vf\": \"$vf0\", \"ret\": 0, \"pid\": $$},
		{\"pf\": \"$PF\", \"vf_index\": 1, \"vf\": \"$vf1\", \"ret\": 0, \"pid\": $$}]" \
		"$mech: two vf_add on $PF: VF 0 $vf0, VF 1 $vf1"
	expect "[.[] | select(.event == \"driver_bind\" and .device != \"$RNG\" and .device != \"$NIC\" and .device != \"$vdev\") | {device, driver, ret, pid: .actor.pid}] | sort_by(.device) == ([
		{\"device\": \"$vf0\", \"driver\": \"igbvf\", \"ret\": 0, \"pid\": $$},
		{\"device\": \"$vf1\", \"driver\": \"igbvf\", \"ret\": 0, \"pid\": $$}] | sort_by(.device))" \
		"$mech: one driver_bind (igbvf) of each VF, $vf0 and $vf1, and no other"
	expect "[.[] | select(.event == \"netdev_register\" and .parent != \"$NIC\") | {parent, ifname, ret, pid: .actor.pid}] | sort_by(.parent) == ([
		{\"parent\": \"$vf0\", \"ifname\": \"$dev0\", \"ret\": 0, \"pid\": $$},
		{\"parent\": \"$vf1\", \"ifname\": \"$dev1\", \"ret\": 0, \"pid\": $$}] | sort_by(.parent))" \
		"$mech: one netdev_register of each VF, $dev0 of $vf0 and $dev1 of $vf1, and no other"
	echo "$mech: SR-IOV on $PF: 2 VFs made: ${SRIOV_VF_PCI[*]} (${SRIOV_VF_DEV[*]})"
	echo "$mech: events: $(jq -sr '[.[] | select(.type == "event" and .source != "enrich") | .event] |
		group_by(.) | map("\(.[0]) \(length)") | join(", ")' "$OUT"); stash misses $miss, not kept $full"
	[[ $miss == 0 ]] || FAILED+=("$mech: $miss exits without their entry (counters[VFT_CNT_STASH_MISS])")
	[[ $full == 0 ]] || FAILED+=("$mech: $full exits whose entry was not kept (counters[VFT_CNT_STASH_FULL])")
	expect 'last | .type == "summary" and .lost == 0' "$mech: summary missing or events lost"
	check_failed
	echo "$mech: nested probe of $NIC ($vdev, $ndev), 10 binds of $RNG and 2 VFs of $PF (sriov_numvfs, vf_add, driver_bind, netdev_register) as expected"
}

scenario fentry
scenario kprobe
scenario default
