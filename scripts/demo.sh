#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# demo.sh - the story of a pod's net1, played with the real parts inside a
# test VM while `vftrace watch` prints the live timeline. Run it with
# `make demo` (the 6.12 guest of scripts/vm/run.sh).
#
# Real parts only: the guest's igb NIC is an SR-IOV PF (qemu's 82576), its
# VFs are made through sriov_numvfs, systemd-udevd loads igbvf and names
# them, systemd-networkd has a broad .network that matches them, and the
# SR-IOV CNI plugin attaches one to a pod as a container runtime runs it.
#
#   1. two VFs are made; udev names them; networkd configures them;
#   2. pod trainer-0 gets VF 0 from the SR-IOV CNI, with no IPAM in its
#      network: HOST_MANAGER_CLAIM (networkd was first), NET1_NO_IP;
#   3. the pod goes (CNI DEL) and networkd takes the VF back as soon as it
#      returns (HOST_MANAGER_CLAIM, VF_STRANDED);
#   4. networkd gets Unmanaged=yes, the VFs are made again, and the same pod
#      attaches cleanly with static IPAM: nothing.
set -euo pipefail
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/../tests/vm/lib.sh"

if [[ -t 1 ]]; then bold=$'\033[1m' off=$'\033[0m'; else bold= off=; fi
# Narration between steps; the pause lets the last step's lines print first.
say() {
	sleep 0.8
	printf '\n%s### %s%s\n' "$bold" "$*" "$off"
}

POD=ml/trainer-0/6f1c2d3e-4b5a-4c6d-8e7f-001122334455
NS=trainer-0
TMP=$(mktemp -d)
LOG=$TMP/watch.txt
TAIL=

cleanup() {
	set +e
	watch_kill
	[[ -n "$TAIL" ]] && kill "$TAIL" 2>/dev/null
	ip netns delete "$NS" 2>/dev/null
	networkd_stop
	udev_stop
	sriov_destroy >/dev/null 2>&1
	rm -rf "$TMP"
}
trap cleanup EXIT

cni_plugin sriov >/dev/null || exit
cni_plugin static >/dev/null || exit
# A node keeps its plugins in /opt/cni/bin, where vftrace trusts them by their path (the
# guest's root is an overlay: this stays in the guest).
mkdir -p /opt/cni/bin
cp "$(cni_plugin sriov)" /opt/cni/bin/sriov
VFTRACE_CNI_DIR=/opt/cni/bin
cni_warm sriov static

# a network the way it is often first written: no IPAM; then with it
cfg_noipam() { sriov_cni_config "$1"; }
cfg_static() { sriov_cni_config "$1" 10.56.0.3/16; }
# cni CMD CONFIG: the runtime's call for the pod, summarised on one line
cni() {
	cni_invoke sriov "$1" "$NS" net1 "$2" "$POD" | sed -n '1s/^/    /p'
}

udev_start || exit
networkd_start || exit

# the capture goes to the host (make demo's output dir): `vftrace report --html` draws it
CAP=${VM_OUT:-$TMP}/demo.cap
"$VFT_VFTRACE" watch --grace 2 -o "$CAP" >"$LOG" 2>&1 &
VFT_WATCH_PID=$!
wait_for_line "$LOG" 'hooks attached' 90 || fail "vftrace watch did not start"
tail -n +1 --pid="$VFT_WATCH_PID" -f "$LOG" &
TAIL=$!

say "the node makes 2 VFs: udev loads igbvf and names them, networkd's Driver=igbvf rule matches"
sriov_create 2 >"$TMP/vfs" || fail "sriov_create 2"
sed 's/^/    VF /' "$TMP/vfs"
VF=${SRIOV_VF_PCI[0]} DEV=${SRIOV_VF_DEV[0]}
networkd_wait "$DEV" configured 60 || fail "networkd did not configure $DEV"

say "pod trainer-0 starts: the SR-IOV CNI attaches $VF as net1; its network has no IPAM"
ip netns add "$NS"
cni ADD "$(cfg_noipam "$VF")"
wait_for_line "$LOG" 'NET1_NO_IP' 30 || fail "no NET1_NO_IP"

say "pod trainer-0 is deleted: the CNI's DEL gives the VF back to the host"
cni DEL "$(cfg_noipam "$VF")"
ip netns delete "$NS"

say "the fix: networkd gets Unmanaged=yes for VFs, the VFs are made again, IPAM is set"
networkd_stop
sriov_destroy
networkd_start unmanaged
sriov_create 2 >"$TMP/vfs" || fail "sriov_create 2"
sed 's/^/    VF /' "$TMP/vfs"
VF=${SRIOV_VF_PCI[0]} DEV=${SRIOV_VF_DEV[0]}
networkd_wait "$DEV" unmanaged 60 || fail "networkd does not leave $DEV unmanaged"
ip netns add "$NS"
cni ADD "$(cfg_static "$VF")"
ip -n "$NS" -br addr show dev net1 | sed 's/^/    pod: /'
sleep 2.5 # one grace period: nothing is raised

say "vftrace stops and prints each VF's timeline and the summary"
watch_stop || fail "vftrace watch exit status $?"
wait "$TAIL" # it ends with the watch, its last lines shown
TAIL=
printf '\n%s### the capture: %s (vftrace replay / vftrace report --html OUT.html %s)%s\n' \
	"$bold" "$CAP" "$CAP" "$off"
