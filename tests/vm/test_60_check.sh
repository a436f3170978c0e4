#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# test_60_check.sh - `vftrace check` live, on RoCE (Soft-RoCE on a veth moved into a pod netns as
# net1, as the SR-IOV CNI would move a VF): a pod whose net1 has an address is ready (exit 0,
# every check passes or does not apply); a pod whose net1 has none fails LID/GID (no RoCE v2 GID
# from an IP address) and nothing else, with exit 1; a free one in the host netns (down, no
# address) is not held to that GID: LID/GID does not apply there.
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/vm/lib.sh

VFTRACE=${VFTRACE:-build/vftrace}
TMP=$(mktemp -d)
cleanup() {
	set +e
	rdma link del rxe5 2>/dev/null
	rdma link del rxe6 2>/dev/null
	rdma link del rxe7 2>/dev/null
	ip link del vfcfree0 2>/dev/null
	ip netns del vfcheckA 2>/dev/null
	ip netns del vfcheckB 2>/dev/null
	true
}
trap cleanup EXIT

# ib_core in shared netns mode (a reload resets an exclusive mode left by another test)
modprobe -r rdma_rxe ib_uverbs ib_core 2>/dev/null || true
modprobe rdma_rxe

# pod NETNS VETH RXE [ADDR]: VETH moved into NETNS as net1, up, with Soft-RoCE RXE on it
pod() {
	ip netns add "$1"
	ip link add "$2" type veth peer name "${2}p"
	ip link set "${2}p" up
	ip link set "$2" netns "$1"
	ip -n "$1" link set "$2" name net1
	ip -n "$1" link set net1 up
	[[ -z ${4:-} ]] || ip -n "$1" addr add "$4" dev net1
	ip netns exec "$1" rdma link add "$3" type rxe netdev net1
}

# status CHECK: the status of CHECK in the one row of $OUT
status() { jq -r "select(.type == \"check\") | .checks.$1.status" "$OUT"; }

# --- a ready pod
pod vfcheckA vfca0 rxe5 10.88.0.2/24
# the RoCE v2 GID of the address appears asynchronously: wait for it (the kernel's signal)
for _ in $(seq 100); do
	grep -q 'ffff:0a58:0002$' /sys/class/infiniband/rxe5/ports/1/gids/* 2>/dev/null && break
	sleep 0.1
done
OUT=$TMP/a.jsonl
rc=0
"$VFTRACE" check --json --netns vfcheckA >"$OUT" 2>"$TMP/a.err" || rc=$?
cat "$OUT"
assert_eq "$rc" 0 "check of the pod with an address: exit status ($(cat "$TMP/a.err"))"
expect_stream "$OUT" 'map(select(.type == "check")) | length == 1 and (.[0] | .ready and .vf.ifname == "net1" and .vf.netns_name == "vfcheckA" and .vf.ibdev == "rxe5")' \
	"the ready pod's row"
assert_eq "$(status lid)" pass "LID/GID of the pod with an address"
assert_eq "$(status rdma)" pass "RDMA of the pod with an address"
assert_eq "$(status guid)" pass "GUID of the pod with an address"
assert_eq "$(status sm)" n/a "SM on RoCE"
"$VFTRACE" check --netns vfcheckA | sed 's/^/    /'
rdma link del rxe5
ip netns del vfcheckA

# --- a pod without an address
pod vfcheckB vfcb0 rxe6
OUT=$TMP/b.jsonl
rc=0
"$VFTRACE" check --json --netns vfcheckB >"$OUT" 2>"$TMP/b.err" || rc=$?
cat "$OUT"
assert_eq "$rc" 1 "check of the pod without an address: exit status ($(cat "$TMP/b.err"))"
assert_eq "$(status lid)" fail "LID/GID of the pod without an address"
expect_stream "$OUT" '[.[] | select(.type == "check") | .checks | to_entries[] | select(.value.status == "fail") | .key] == ["lid"]' \
	"something else than LID/GID fails"
expect_stream "$OUT" 'any(.[]; .type == "check" and (.checks.lid.evidence | test("no RoCE v2 GID")))' \
	"the evidence does not say why"
"$VFTRACE" check --netns vfcheckB | sed 's/^/    /' || true
ip netns del vfcheckB

# --- a free one in the host netns: down, no address, so no RoCE v2 GID from one
ip link add vfcfree0 type veth peer name vfcfree0p
rdma link add rxe7 type rxe netdev vfcfree0
OUT=$TMP/c.jsonl
rc=0
"$VFTRACE" check --json --vf vfcfree0 >"$OUT" 2>"$TMP/c.err" || rc=$?
cat "$OUT"
assert_eq "$(status lid)" n/a "LID/GID of a free device in the host netns"
expect_stream "$OUT" 'any(.[]; .type == "check" and (.checks.lid.evidence | test("host netns")))' \
	"the evidence does not say why LID/GID does not apply"
expect_stream "$OUT" '[.[] | select(.type == "check") | .checks | to_entries[] | select(.value.status == "fail") | .key] | index("lid") == null' \
	"LID/GID fails on a free device"
