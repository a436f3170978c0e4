#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# test_05_real_parts.sh - the real parts of a node around an SR-IOV VF work in
# the guest, as the later tests will use them: the igb PF and its VFs, udev
# naming them, systemd-networkd and NetworkManager claiming them or leaving
# them alone, and the real CNI plugins attaching one to a pod and back. A part
# whose program is not on this machine is reported "skipped: NAME" and the
# test ends with status 77 (skipped, never passed).
#
# About a minute under TCG, twice that on a loaded machine:
# vm-timeout: 240
set -euo pipefail
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/lib.sh"

# note MSG: progress, with the seconds since the test started.
note() { echo "[${SECONDS}s] $*"; }

skipped=()
cleanup() {
	ip netns delete pod1 2>/dev/null || true
	ip netns delete pod2 2>/dev/null || true
	nm_stop
	networkd_stop
	udev_stop
	sriov_destroy >/dev/null 2>&1 || echo "cleanup: sriov_destroy failed" >&2
}
trap cleanup EXIT

# -- the PF, as the guest booted: nothing bound yet ------------------------
pf="$(sriov_pf)" || fail "no igb PF"
assert_eq "$pf" 0000:01:00.0 "PF PCI address (q35, behind the root port)"
sys=/sys/bus/pci/devices/$pf
assert_eq "$(<"$sys/vendor"):$(<"$sys/device")" 0x8086:0x10c9 "PF vendor:device"
[[ ! -e /sys/module/igbvf ]] || fail "igbvf loaded before the test"

# -- udev: loads igbvf by modalias and names the VFs -----------------------
have_udev=1
udev_start || {
	[[ $? == "$VFT_SKIP" ]] || fail "systemd-udevd did not start"
	have_udev=0 skipped+=(systemd-udevd)
}
sriov_create 2 || fail "sriov_create 2"
assert_eq "$(basename "$(readlink "$sys/driver")")" igb "PF driver"
assert_eq "$(<"$sys/sriov_totalvfs")" 7 "sriov_totalvfs with igb"
assert_eq "${#SRIOV_VF_PCI[@]}" 2 "VFs made"
for i in 0 1; do
	vf=${SRIOV_VF_PCI[$i]} dev=${SRIOV_VF_DEV[$i]}
	vsys=/sys/bus/pci/devices/$vf
	assert_eq "$(<"$vsys/device")" 0x10ca "VF $i device id"
	assert_eq "$(basename "$(readlink -f "$vsys/physfn")")" "$pf" "VF $i physfn"
	assert_eq "$(basename "$(readlink "$vsys/driver")")" igbvf "VF $i driver"
	if ((have_udev)); then
		# systemd's predictable name of a VF: the PF's name, "v", its index.
		assert_eq "$dev" "${SRIOV_PF_DEV}v$i" "VF $i netdev named by udev"
		props="$(udevadm info -q property "/sys/class/net/$dev")"
		assert_match $'(^|\n)ID_NET_DRIVER=igbvf(\n|$)' "$props" "udev's record of $dev"
	fi
	note "VF $i: $vf $dev (igbvf)"
done
vf0=${SRIOV_VF_DEV[0]} vf1=${SRIOV_VF_DEV[1]}
assert_match "vf 1 " "$(ip link show "$SRIOV_PF_DEV")" "the PF lists its VFs"

# -- systemd-networkd: a broad .network claims the VF; Unmanaged=yes leaves it
if networkd_start; then
	networkd_wait "$vf0" configured 60 || fail "networkd did not configure $vf0"
	assert_match "inet ${NETWORKD_ADDR//./\\.} " "$(ip -4 -o addr show dev "$vf0")" "networkd's address on $vf0"
	assert_match "[<,]UP[,>]" "$(ip -o link show "$vf0")" "$vf0 up by networkd"
	networkd_stop
	for d in "$vf0" "$vf1"; do
		ip addr flush dev "$d"
		ip link set "$d" down
	done
	networkd_start unmanaged || fail "networkd (Unmanaged=yes) did not start"
	networkd_wait "$vf0" unmanaged 60 || fail "networkd does not leave $vf0 unmanaged"
	assert_eq "$(ip -4 -o addr show dev "$vf0")" "" "addresses on the unmanaged $vf0"
	[[ ! "$(ip -o link show "$vf0")" =~ [\<,]UP[,\>] ]] || fail "networkd brought the unmanaged $vf0 up"
	networkd_stop
	note "networkd: configures $vf0 with $NETWORKD_ADDR; leaves it alone with Unmanaged=yes"
else
	[[ $? == "$VFT_SKIP" ]] || fail "systemd-networkd did not start"
	skipped+=(systemd-networkd)
fi

# -- NetworkManager: manages the VF; with the operators' udev rule, not ----
if ((!have_udev)); then
	skip NetworkManager "needs systemd-udevd" || skipped+=(NetworkManager)
elif nm_start; then
	# 20 unavailable, 30 disconnected, ... 100 activated: managed.
	nm_wait "$vf1" '^([2-9][0-9]|100) ' 60 || fail "NetworkManager does not manage $vf1"
	note "NetworkManager: $vf1 $(nm_device_state "$vf1")"
	# NetworkManager reads NM_UNMANAGED when it takes a device: at its start,
	# or when a netdev appears (a VF made, or back from a pod's netns). The
	# latter races udev's handling of the same uevent (one run in six here
	# managed a VF back from a pod despite the rule), so the test restarts
	# it afresh, as after a reboot once the rule is installed. Its start-up
	# completes once it has decided on every device and activates none: a
	# VF it managed would be in DHCP.
	nm_stop
	nm_unmanaged_rule || fail "installing the NM_UNMANAGED udev rule"
	assert_match $'(^|\n)NM_UNMANAGED=1(\n|$)' "$(udevadm info -q property "/sys/class/net/$vf1")" \
		"udev's record of $vf1 with the rule"
	nm_start || fail "NetworkManager did not start again"
	nm_wait_startup 60 || fail "NetworkManager activates a device despite NM_UNMANAGED=1"
	for d in "$vf0" "$vf1"; do
		assert_match '^10 \(unmanaged\)$' "$(nm_device_state "$d")" "NetworkManager's state of $d with NM_UNMANAGED=1"
	done
	note "NetworkManager: with the udev rule, $vf0 and $vf1 $(nm_device_state "$vf1")"
	nm_stop
else
	[[ $? == "$VFT_SKIP" ]] || fail "NetworkManager did not start"
	skipped+=(NetworkManager)
fi
for d in "$vf0" "$vf1"; do
	ip addr flush dev "$d"
	ip link set "$d" down
done
# udev stops here. On a "move" uevent (a rename) it gives the netdev the
# alternative names of its link policy: the VF's own predictable name once
# the SR-IOV CNI has renamed it to temp_<ifindex>. The CNI drops that
# altname before the move, but when udev adds it after, the VF carries it
# into the pod and the DEL's rename back to that name fails with EEXIST:
# a race of the field, which this test of the parts must not depend on.
udev_stop
note "udev stopped"

# -- the SR-IOV CNI: VF 0 into pod1 as net1, with IPAM static, and back ----
pod=ml/trainer-0/6f1c2d3e-4b5a-4c6d-8e7f-001122334455
# links_fail NETNS MSG: show the links of the host and of NETNS, fail with MSG.
links_fail() {
	echo "--- links in the host:" >&2
	ip -d link show >&2 || true
	echo "--- links in $1:" >&2
	ip -n "$1" -d link show >&2 || true
	fail "$2"
}

# cni_attach PLUGIN NETNS VF_PCI VF_DEV CONFIG ADDR_REGEX: ADD, check, DEL, check.
cni_attach() {
	local plugin="$1" ns="$2" pci="$3" dev="$4" cfg="$5" addr="$6" got
	ip netns add "$ns"
	cni_invoke "$plugin" ADD "$ns" net1 "$cfg" "$pod" || links_fail "$ns" "$plugin ADD"
	jq -e '.interfaces | any(.name == "net1")' "$CNI_STDOUT" >/dev/null ||
		fail "$plugin ADD result names no net1"
	got="$(jq -r '.ips[0].address' "$CNI_STDOUT")"
	assert_match "^$addr\$" "$got" "$plugin ADD result's address"
	assert_match "inet $addr " "$(ip -n "$ns" -4 -o addr show dev net1)" "net1's address in $ns"
	# shellcheck disable=SC2016 # expanded by the shell in the netns
	assert_eq "$(ip netns exec "$ns" sh -c 'basename "$(readlink -f /sys/class/net/net1/device)"')" "$pci" \
		"the device of net1 in $ns"
	! ip link show "$dev" >/dev/null 2>&1 || fail "$dev still in the host after $plugin ADD"
	cni_invoke "$plugin" DEL "$ns" net1 "$cfg" "$pod" || links_fail "$ns" "$plugin DEL"
	! ip -n "$ns" link show net1 >/dev/null 2>&1 || fail "net1 still in $ns after $plugin DEL"
	[[ -z "${VFT_UDEVD_PID:-}" ]] || udevadm settle -t 30
	assert_eq "$(ls "/sys/bus/pci/devices/$pci/net" 2>/dev/null)" "$dev" "the VF back in the host after $plugin DEL"
	ip netns delete "$ns"
	note "$plugin: $dev ($pci) into $ns as net1 with $got, and back"
}

if cni_plugin sriov >/dev/null && cni_plugin static >/dev/null; then
	cni_attach sriov pod1 "${SRIOV_VF_PCI[0]}" "$vf0" "$(
		cat <<-EOF
			{"cniVersion": "1.0.0", "name": "sriov-net", "type": "sriov",
			 "deviceID": "${SRIOV_VF_PCI[0]}",
			 "ipam": {"type": "static", "addresses": [{"address": "10.56.0.3/16"}]}}
		EOF
	)" '10\.56\.0\.3/16'
else
	skipped+=("sriov CNI")
fi

# -- host-device with host-local IPAM: VF 1 into pod2 and back --------------
if cni_plugin host-device >/dev/null && cni_plugin host-local >/dev/null; then
	cni_attach host-device pod2 "${SRIOV_VF_PCI[1]}" "$vf1" "$(
		cat <<-EOF
			{"cniVersion": "1.0.0", "name": "hostdev-net", "type": "host-device",
			 "pciBusID": "${SRIOV_VF_PCI[1]}",
			 "ipam": {"type": "host-local", "ranges": [[{"subnet": "10.57.0.0/24"}]],
			          "dataDir": "/run/vftrace-test/host-local"}}
		EOF
	)" '10\.57\.0\.[0-9]+/24'
else
	skipped+=(host-device)
fi

if ((${#skipped[@]})); then
	note "real parts: ${#skipped[@]} skipped: ${skipped[*]}"
	exit "$VFT_SKIP"
fi
note "real parts ok"
