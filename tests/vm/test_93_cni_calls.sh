#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# test_93_cni_calls.sh - the cni event with the real SR-IOV CNI and its static IPAM, under
# `vftrace watch --json --grace 4 --cni-bin-dir` (both plugin directories):
#
#   clean  VF 0 into /run/netns/trainer-0 as net1 and back (ADD, DEL) for pod ml/trainer-0:
#          one cni event per plugin run, each with its exit status (0), its pod, its netns
#          inode; the static IPAM run nested under the sriov run (ipam, ppid); the VF's
#          timeline has the run as a step ("cni ADD sriov ml/trainer-0 net1 exit 0") and
#          names its pod (cni_pod)
#   clash  the pod trainer-1 already has a net1 (as test_82_rename_clash.sh): the ADD exits
#          non-zero, and CNI_ADD_FAILED names VF 0, the pod and the failed step
#
# Every attachment names its pod: each sriov ADD that exited 0 is a step of VF 0's timeline
# with its pod. Leaves the watch's stream in $VM_OUT.
# vm-timeout: 180
set -euo pipefail
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/lib.sh"

POD0=ml/trainer-0/6f1c2d3e-4b5a-4c6d-8e7f-001122334455
POD1=ml/trainer-1/0b7e5a90-2c1d-4e3f-9a8b-112233445566
TMP=$(mktemp -d)

cleanup() {
	set +e
	watch_kill
	ip netns delete trainer-0 2>/dev/null
	ip netns delete trainer-1 2>/dev/null
	ip link delete vclash0 2>/dev/null
	sriov_destroy >/dev/null 2>&1 || echo "cleanup: sriov_destroy failed" >&2
	rm -rf "$TMP"
}
trap cleanup EXIT

cni_plugin sriov >/dev/null || exit
cni_plugin static >/dev/null || exit
cni_warm sriov static

sriov_create 1 || fail "sriov_create 1"
VF=${SRIOV_VF_PCI[0]}
cfg() { sriov_cni_config "$VF" "$1"; }

OUT=$TMP/watch.jsonl
watch_start "$OUT" --grace 4 --cni-bin-dir "$(realpath "$VFTRACE_CNI_DIR")" \
	--cni-bin-dir "$(realpath "$VFT_CNI_DEBIAN_DIR")" || fail "vftrace watch did not start"

# --- clean: one attach and detach
ip netns add trainer-0
TRAINER0=$(stat -L -c %i /run/netns/trainer-0)
cni_invoke sriov ADD trainer-0 net1 "$(cfg 10.56.0.3/16)" "$POD0" || fail "the clean ADD failed"
watch_wait_checks "$VF" 1 30 || fail "the clean stay was not judged"
cni_invoke sriov DEL trainer-0 net1 "$(cfg 10.56.0.3/16)" "$POD0" || fail "the clean DEL failed"
watch_wait_checks "$VF" 2 30 || fail "the clean return was not judged"
ip netns delete trainer-0

# --- clash: trainer-1 already has a net1
ip netns add trainer-1
ip link add vclash0 type veth peer name net1 netns trainer-1
ip -n trainer-1 link set net1 up
if cni_invoke sriov ADD trainer-1 net1 "$(cfg 10.56.0.4/16)" "$POD1"; then
	fail "the ADD into a pod that has a net1 succeeded"
fi
ADD1_STATUS=$CNI_STATUS
watch_wait_json '[.[] | select(.type == "finding" and .code == "CNI_ADD_FAILED")] | length >= 1' 30 ||
	fail "no CNI_ADD_FAILED"

watch_stop || fail "vftrace watch exit status $?"
cp "$OUT" "$VM_OUT/$VFT_TEST.watch.jsonl"
echo "cni events: $(jq -sc '[.[] | select(.event == "cni") | {plugin, command, exit_code, pod: .pod.name, ipam}]' "$OUT")"

expect() { expect_stream "$OUT" "$1" "$2"; }
C='map(select(.event == "cni"))'
expect "$C | length == 5 and all(.[]; .exit_code != null and .pod.namespace == \"ml\" and
	(.pod.name | test(\"^trainer-[01]\$\")) and .pod.uid != null and .actor.pid > 0)" \
	"every cni event carries its exit status and its pod"
expect "$C | any(.[]; .plugin == \"sriov\" and .command == \"ADD\" and .exit_code == 0 and
	.pod.name == \"trainer-0\" and .netns == $TRAINER0 and .ifname == \"net1\" and
	.by_env == false and .ipam == false)" \
	"the clean ADD: sriov, exit 0, pod ml/trainer-0, the netns of trainer-0"
expect "($C | map(select(.plugin == \"sriov\" and .command == \"ADD\" and .pod.name == \"trainer-0\"))[0].actor.pid) as \$p |
	$C | any(.[]; .plugin == \"static\" and .command == \"ADD\" and .ipam == true and .ppid == \$p)" \
	"the static IPAM run is nested under the sriov run"
expect "$C | any(.[]; .plugin == \"sriov\" and .command == \"DEL\" and .exit_code == 0 and
	.pod.name == \"trainer-0\")" "the clean DEL: exit 0, its pod"
expect "$C | any(.[]; .plugin == \"sriov\" and .command == \"ADD\" and .pod.name == \"trainer-1\" and
	.exit_code == $ADD1_STATUS and .exit_code != 0)" "the clash ADD: its non-zero exit status"
expect "map(select(.type == \"finding\" and .code == \"CNI_ADD_FAILED\")) | length == 1 and
	(.[0] | .vf.key == \"$VF\" and (.message | test(\"pod ml/trainer-1\")))" \
	"CNI_ADD_FAILED names VF 0 and the pod"
# every attachment names its pod: each sriov ADD that exited 0 is a step of the VF's timeline
expect "($C | map(select(.plugin == \"sriov\" and .command == \"ADD\" and .exit_code == 0)) | length) as \$n |
	map(select(.type == \"vf\" and .vf.key == \"$VF\"))[0] as \$v |
	(\$v.steps | map(select(.text | test(\"^cni ADD sriov ml/trainer-0 net1 exit 0 in [0-9]+ ms\$\"))) | length) == \$n and
	\$v.cni_pod.name != null" \
	"every successful ADD is a step of VF 0's timeline with its pod"
expect 'last | .type == "summary" and .lost == 0' "the summary, no event lost"
