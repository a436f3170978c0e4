#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# test_30_merged_sources.sh - `vftrace watch` with every source at once (BPF
# hooks, rtnetlink, the inventory at start): a change that both a hook and
# rtnetlink see is printed once, from the hook, with its actor; devices that
# existed before the start are reported by the inventory.
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
}
trap cleanup EXIT

expect() { expect_stream "$OUT" "$1" "$2"; }

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
expect '[.[] | select(.event == "netdev_register" and .source != "inventory") | .ifname] | sort == ["vfma", "vfmb"]' \
	"each register reported exactly once"
expect '[.[] | select(.event == "addr_add" and .address == "10.8.0.1")] | length == 1' \
	"the address reported exactly once"
expect 'last | .type == "summary" and .lost == 0' "summary missing or events lost"
echo "$(grep -c '"type":"event"' "$OUT") events, one per change"
