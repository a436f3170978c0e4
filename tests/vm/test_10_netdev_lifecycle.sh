#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# test_10_netdev_lifecycle.sh - netdev register, netns move (good and EEXIST)
# and unregister of a real veth pair, seen by `vftrace watch --json` through
# each attach mechanism in turn (fentry/fexit, then kprobe/kretprobe).
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/vm/lib.sh

VFTRACE=${VFTRACE:-build/vftrace}
TMP=$(mktemp -d)
trap 'ip link del vfta 2>/dev/null; ip netns del vftp1 2>/dev/null; ip netns del vftp2 2>/dev/null; true' EXIT

expect() { expect_stream "$OUT" "$1" "$2"; }

scenario() {
	local mech=$1 rc
	OUT=$TMP/$mech.jsonl
	"$VFTRACE" watch --json --no-netlink --no-inventory --mechanism "$mech" -i 'vft*' >"$OUT" 2>"$TMP/$mech.err" &
	local pid=$!
	wait_for_line "$OUT" '"type":"ready"' 60 || fail "$mech: no ready line: $(cat "$TMP/$mech.err")"

	ip netns add vftp1
	ip netns add vftp2
	HOST_NS=$(stat -L -c %i /proc/self/ns/net)
	P1=$(stat -L -c %i /run/netns/vftp1)
	P2=$(stat -L -c %i /run/netns/vftp2)
	ip link add vfta type veth peer name vftb
	ip link set vftb netns vftp1
	ip -n vftp2 link add vftb type dummy
	# the name clash: the kernel refuses with EEXIST
	if ip -n vftp1 link set vftb netns vftp2 2>/dev/null; then
		fail "$mech: the clashing move succeeded"
	fi
	ip link del vfta

	kill -INT "$pid"
	rc=0
	wait "$pid" || rc=$?
	assert_eq "$rc" 0 "$mech: watch exit status on SIGINT"
	ip netns del vftp1
	ip netns del vftp2

	local src=$mech
	expect "first | .type == \"ready\" and all(.hooks[] | select(.hook == \"netdev_register\" or .hook == \"netdev_unregister\" or .hook == \"netns_move\"); .status == \"attached\" and .mechanism == \"$mech\")" \
		"$mech: not every hook attached with $mech"
	expect "last | .type == \"summary\" and .lost == 0" "$mech: summary missing or events lost"
	expect 'map(select(.type == "event" and .source != "enrich" and .source != "timer")) | all(.ifname | startswith("vft"))' \
		"$mech: --ifname vft* let other devices through"
	expect "map(select(.type == \"event\" and .source != \"enrich\" and .source != \"timer\")) | all(.source == \"$src\" and .actor.comm == \"ip\" and .actor.pid > 0)" \
		"$mech: an event without source $src or actor comm ip"
	expect "[.[] | select(.event == \"netdev_register\" and .netns == $HOST_NS and .ret == 0 and .ifindex > 0) | .ifname] | sort == [\"vfta\", \"vftb\"]" \
		"$mech: registers of vfta and vftb in the host netns"
	expect "[.[] | select(.event == \"netdev_register\" and .netns == $P2)] | length == 1" \
		"$mech: register of the dummy vftb in vftp2"
	expect "[.[] | select(.event == \"netns_move\" and .ret == 0)] | length == 1 and (.[0] | .ifname == \"vftb\" and .from_netns == $HOST_NS and .to_netns == $P1 and .netns == $P1 and .new_ifindex > 0 and (has(\"errno\") | not))" \
		"$mech: the successful move of vftb into vftp1"
	expect "[.[] | select(.event == \"netns_move\" and .ret != 0)] | length == 1 and (.[0] | .ifname == \"vftb\" and .ret == -17 and .errno == \"EEXIST\" and .from_netns == $P1 and .to_netns == $P2 and .netns == $P1 and .new_ifindex == 0)" \
		"$mech: the EEXIST move of vftb into vftp2"
	# a netns move is not an unregistration: exactly the two veth ends, at deletion
	expect "[.[] | select(.event == \"netdev_unregister\") | {ifname, netns}] | sort_by(.ifname) == [{\"ifname\": \"vfta\", \"netns\": $HOST_NS}, {\"ifname\": \"vftb\", \"netns\": $P1}]" \
		"$mech: unregisters of vfta (host) and vftb (vftp1), and nothing else"
	# kernels that pass an extack to the move say why it failed
	if kernel_ge 6 12 && [[ $mech == fentry ]]; then
		expect '[.[] | select(.event == "netns_move" and .ret != 0)] | .[0].message | test("same name")' \
			"$mech: the refused move lacks the kernel's message"
	fi
	expect 'map(select(.type == "event" and .source != "enrich" and .source != "timer")) | (map(.ts_ns) == (map(.ts_ns) | sort)) and (map(.event) | index("netdev_unregister") > index("netns_move"))' \
		"$mech: events out of order"
	expect 'map(select(.type == "event")) | all(.ts | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z$"))' \
		"$mech: ts is not RFC 3339 UTC"
	echo "$mech: $(grep -c '"type":"event"' "$OUT") events as expected"
}

scenario fentry
scenario kprobe

# Text mode: one readable line per event, the failed move marked as such.
"$VFTRACE" watch --no-netlink --no-inventory -i 'vft*' >"$TMP/text.out" 2>"$TMP/text.err" &
pid=$!
wait_for_line "$TMP/text.err" 'hooks attached' 60 || fail "text: no start line"
ip netns add vftp1
ip netns add vftp2
ip link add vfta type veth peer name vftb
ip link set vftb netns vftp1
ip -n vftp2 link add vftb type dummy
ip -n vftp1 link set vftb netns vftp2 2>/dev/null && fail "text: the clashing move succeeded"
kill -INT "$pid"
wait "$pid" || fail "text: watch exited $?"
cat "$TMP/text.out"
grep -qE '^[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6} netdev_register +vfta ' "$TMP/text.out" ||
	fail "text: no register line for vfta"
grep -qE 'netns_move +vftb .* FAILED EEXIST \(-17\)( "[^"]*")? +by ip\[[0-9]+\]' "$TMP/text.out" ||
	fail "text: the failed move is not marked FAILED EEXIST"
grep -qE '^vftrace: [0-9]+ events, 0 lost, [0-9]+ devices$' "$TMP/text.err" || fail "text: no summary on stderr"
