#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# test_30_merged_sources.sh - `vftrace watch` with every source at once (BPF
# hooks, rtnetlink, the inventory at start): a change that both a hook and
# rtnetlink see is printed once, from the hook, with its actor; devices that
# existed before the start are reported by the inventory. A netns destroyed and its
# inode given to a new one: the new one is said again (netns_info) with its own name.
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/vm/lib.sh

VFTRACE=${VFTRACE:-build/vftrace}
TMP=$(mktemp -d)
OUT=$TMP/watch.jsonl
cleanup() {
	ip link del vfmpre 2>/dev/null || true
	ip link del vfma 2>/dev/null || true
	ip netns del vfmns 2>/dev/null || true
	ip netns del vfmreuseA 2>/dev/null || true
	ip netns del vfmreuseB 2>/dev/null || true
}
trap cleanup EXIT

expect() { expect_stream "$OUT" "$1" "$2"; }

# wait_re REGEX: until the stream has a line matching REGEX (30 s)
wait_re() {
	local i
	for ((i = 0; i < 300; i++)); do
		grep -qE -- "$1" "$OUT" && return 0
		sleep 0.1
	done
	return 1
}

ip link add vfmpre type dummy # exists before the start: the inventory reports it
ip netns add vfmns
"$VFTRACE" watch --json -i 'vfm*' >"$OUT" 2>"$TMP/err" &
pid=$!
wait_for_line "$OUT" '"type":"ready"' 60 || fail "no ready line"
NS=$(stat -L -c %i /run/netns/vfmns)

ip link add vfma type veth peer name vfmb
ip link set vfmb netns vfmns
ip addr add 10.8.0.1/24 dev vfma
ip link del vfma

# a netns destroyed, then a new one that the kernel may give the same inode
ip netns add vfmreuseA
A=$(stat -L -c %i /run/netns/vfmreuseA)
ip link add vfmr0 type veth peer name vfmr0p
ip link set vfmr0 netns vfmreuseA
wait_for_line "$OUT" "\"netns\":$A,\"host\":false,\"netns_name\":\"vfmreuseA\"" 30 ||
	fail "no netns_info for vfmreuseA"
ip netns del vfmreuseA
# the veth pair goes with the netns, in the batch that unregisters its lo
wait_re '"event":"netdev_unregister".*"ifname":"vfmr0p"' ||
	fail "the veth of the destroyed netns was not unregistered"
ip netns add vfmreuseB
B=$(stat -L -c %i /run/netns/vfmreuseB)
ip link add vfmr1 type veth peer name vfmr1p
ip link set vfmr1 netns vfmreuseB
wait_re '"event":"netns_move".*"ifname":"vfmr1"' || fail "no move of vfmr1"
ip link del vfmr1p
kill -INT "$pid"
wait "$pid" || fail "watch exited $?"

expect 'any(.source == "inventory" and .event == "netdev_register" and .ifname == "vfmpre")' \
	"vfmpre, present at start, not in the inventory"
for kind in netdev_register netns_move addr_add netdev_unregister; do
	expect "[.[] | select(.event == \"$kind\" and .source != \"inventory\" and (.ifname == \"vfmb\" or .ifname == \"vfma\"))] | all(.source != \"netlink\" and .actor.comm == \"ip\")" \
		"$kind: a netlink copy of a change the hooks saw was printed"
done
expect "[.[] | select(.event == \"netns_move\" and .ifname == \"vfmb\")] | length == 1 and .[0].to_netns == $NS" \
	"the move of vfmb is not reported exactly once"
expect '[.[] | select(.event == "netdev_register" and .source != "inventory") | .ifname] | sort == ["vfma", "vfmb", "vfmr0", "vfmr0p", "vfmr1", "vfmr1p"]' \
	"each register reported exactly once"
expect '[.[] | select(.event == "addr_add" and .address == "10.8.0.1")] | length == 1' \
	"the address reported exactly once"
expect "[.[] | select(.event == \"netns_info\" and .netns == $B)] | last | .netns_name == \"vfmreuseB\"" \
	"the new netns $B is not named vfmreuseB (the destroyed one was $A)"
echo "netns inode $([[ $A == "$B" ]] && echo "reused ($A): said again with its new name" || echo "not reused ($A, then $B)")"
expect 'last | .type == "summary" and .lost == 0' "summary missing or events lost"
echo "$(grep -c '"type":"event"' "$OUT") events, one per change"
