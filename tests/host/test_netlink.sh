#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# test_netlink.sh - the rtnetlink event source on this machine's own kernel,
# as root. Builds tests/host/netlink_probe.c (the source plus a printer) into a
# temp dir, starts it, then drives a veth end through two namespaces: host ->
# A, A -> B (a move between two non-host namespaces), a rename, up, an IPv4
# address added and deleted, a delete; then moves another device from A back
# to the host and destroys A while it still holds a device. Each event is asserted with the namespace inode numbers that
# `stat -L -c %i` gives. Ready signals only: the probe's "ready" line, and
# `ip netns list` showing the nsid the source assigned. Exit 0 = pass.
set -uo pipefail

cd "$(dirname "$0")/../.."
P=vfnl$$ # every netns and link name starts with it
NA=${P}a
NB=${P}b
TMP=$(mktemp -d /tmp/vftrace-netlink.XXXXXX)
OUT=$TMP/out
PROBE_PID=

cleanup() {
	if [[ -n $PROBE_PID ]]; then
		kill -INT "$PROBE_PID" 2>/dev/null
		wait "$PROBE_PID" 2>/dev/null
	fi
	ip link del "${P}h" 2>/dev/null
	ip link del "${P}x" 2>/dev/null
	ip link del "${P}z" 2>/dev/null
	ip netns del "$NA" 2>/dev/null
	ip netns del "$NB" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT

fail() {
	echo "FAIL: $*" >&2
	echo "--- probe output:" >&2
	sed 's/^/  | /' "$OUT" >&2
	echo "--- probe stderr:" >&2
	sed 's/^/  | /' "$TMP/err" >&2
	exit 1
}

run() {
	"$@" || fail "command failed: $*"
}

# Polls (10 ms steps, 10 s at most) until the probe printed a line matching REGEX.
wait_line() {
	local regex=$1 tries=1000
	while ((tries-- > 0)); do
		grep -qE "$regex" "$OUT" && return 0
		sleep 0.01
	done
	return 1
}

expect() {
	local what=$1 regex=$2
	wait_line "$regex" || fail "no $what (want /$regex/)"
	echo "ok - $what"
}

# The ifindex of LINK in netns NS.
ifindex_in() {
	ip -n "$1" -o link show "$2" | cut -d: -f1
}

if ((EUID != 0)); then
	echo "test_netlink: needs root (it creates netns and veth)" >&2
	exit 1
fi

# The probe, with the sanitizers: a memory error in the live path fails the test.
${CC:-cc} -std=gnu11 -Wall -Wextra -Werror -Wno-unused-parameter -Wno-missing-field-initializers \
	-O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -Iuser -Ibpf \
	tests/host/netlink_probe.c user/sources/netlink_source.c user/sources/nl_netns.c \
	user/sources/nl_link.c user/sources/nl_addr.c user/sources/nl_devtab.c \
	user/enrich/sysfs.c user/lib/util.c user/model/event.c user/model/kinds.c user/model/describe.c user/model/text.c \
	user/model/vfcfg.c user/model/cni.c \
	$(pkg-config --cflags --libs libmnl) -o "$TMP/netlink_probe" ||
	fail "cannot build tests/host/netlink_probe.c"

HOST=$(stat -L -c %i /proc/self/ns/net)
"$TMP/netlink_probe" -v >"$OUT" 2>"$TMP/err" &
PROBE_PID=$!
wait_line '^ready' || fail "the probe did not start"
echo "ok - started (host netns $HOST)"

expect "inventory: lo in the host netns" \
	"^inventory netdev_register ifname=lo ifindex=1 netns=$HOST "
expect "inventory: 127.0.0.1/8 on lo" \
	"^inventory addr_add ifname=lo ifindex=1 netns=$HOST .* addr=127\.0\.0\.1/8 "

# New namespaces: the source gives them an nsid (`ip netns list` shows it), or it would see nothing.
run ip netns add "$NA"
run ip netns add "$NB"
A=$(stat -L -c %i "/run/netns/$NA")
B=$(stat -L -c %i "/run/netns/$NB")
for ns in "$NA" "$NB"; do
	tries=1000
	until ip netns list | grep -qE "^$ns \(id: [0-9]+\)"; do
		((tries-- > 0)) || fail "the source gave $ns no nsid: $(ip netns list)"
		sleep 0.01
	done
done
echo "ok - both new namespaces got an nsid (A=$A B=$B)"
expect "lo of the new netns A, found" "^netlink netdev_register ifname=lo ifindex=1 netns=$A "
expect "lo of the new netns B, found" "^netlink netdev_register ifname=lo ifindex=1 netns=$B "

run ip link add "${P}h" type veth peer name "${P}v"
IDX_H=$(ip -o link show "${P}v" | cut -d: -f1)
expect "register of ${P}h" "^netlink netdev_register ifname=${P}h ifindex=[0-9]+ netns=$HOST "
expect "register of ${P}v" "^netlink netdev_register ifname=${P}v ifindex=$IDX_H netns=$HOST "

run ip link set "${P}v" netns "$NA"
IDX_A=$(ifindex_in "$NA" "${P}v")
expect "move host -> A" \
	"^netlink netns_move ifname=${P}v ifindex=$IDX_H netns=$A .* from=$HOST to=$A new_ifindex=$IDX_A "

# IFLA_NEW_NETNSID of a move out of A is B's nsid inside A. Make it differ
# from B's nsid in the host, so that only a correct translation finds B.
HB=$(ip netns list | sed -n "s/^$NB (id: \([0-9]*\))$/\1/p")
run ip -n "$NA" netns set "$NB" $((HB + 5))
echo "ok - B has nsid $HB in the host and $((HB + 5)) in A"
run ip -n "$NA" link set "${P}v" netns "$NB"
IDX_B=$(ifindex_in "$NB" "${P}v")
expect "move A -> B (nsid relative to A, resolved)" \
	"^netlink netns_move ifname=${P}v ifindex=$IDX_A netns=$B .* from=$A to=$B new_ifindex=$IDX_B "

run ip -n "$NB" link set "${P}v" name "${P}r"
expect "rename in B" \
	"^netlink netdev_rename ifname=${P}v ifindex=$IDX_B netns=$B parent=- new_ifname=${P}r "

run ip -n "$NB" link set "${P}r" up
# IFF_UP is bit 0: odd flags after, even before
expect "link up in B" \
	"^netlink link_change ifname=${P}r ifindex=$IDX_B netns=$B .* flags=0x[0-9a-f]*[13579bdf] old_flags=0x[0-9a-f]*[02468ace] "

run ip -n "$NB" addr add 192.0.2.1/24 dev "${P}r"
expect "IPv4 address added in B" \
	"^netlink addr_add ifname=${P}r ifindex=$IDX_B netns=$B .* addr=192\.0\.2\.1/24 "
run ip -n "$NB" addr del 192.0.2.1/24 dev "${P}r"
expect "IPv4 address deleted in B" \
	"^netlink addr_del ifname=${P}r ifindex=$IDX_B netns=$B .* addr=192\.0\.2\.1/24 "

run ip -n "$NB" link del "${P}r"
expect "unregister in B" "^netlink netdev_unregister ifname=${P}r ifindex=$IDX_B netns=$B "
expect "unregister of the peer in the host" \
	"^netlink netdev_unregister ifname=${P}h ifindex=[0-9]+ netns=$HOST "

# From a non-host netns back to the host: the target nsid is ours as seen from A.
run ip link add "${P}x" type veth peer name "${P}y" netns "$NA"
IDX_Y=$(ifindex_in "$NA" "${P}y")
expect "register of ${P}y, created in A" \
	"^netlink netdev_register ifname=${P}y ifindex=$IDX_Y netns=$A "
run ip -n "$NA" link set "${P}y" netns 1
IDX_YH=$(ip -o link show "${P}y" | cut -d: -f1)
expect "move A -> host" \
	"^netlink netns_move ifname=${P}y ifindex=$IDX_Y netns=$HOST .* from=$A to=$HOST new_ifindex=$IDX_YH "

# A netns destroyed with a device inside: its RTM_DELLINK never comes (the
# kernel drops the nsid first); the source infers the unregistration.
run ip link add "${P}z" type veth peer name "${P}w" netns "$NA"
expect "register of ${P}w, created in A" "^netlink netdev_register ifname=${P}w ifindex=[0-9]+ netns=$A "
run ip netns del "$NA"
expect "unregister of ${P}z, the host end" "^netlink netdev_unregister ifname=${P}z ifindex=[0-9]+ netns=$HOST "
expect "unregister of ${P}w with destroyed A" "^netlink netdev_unregister ifname=${P}w ifindex=[0-9]+ netns=$A "
expect "unregister of lo with destroyed A" "^netlink netdev_unregister ifname=lo ifindex=1 netns=$A "

# What must not have happened.
grep -E "netdev_register ifname=(${P}v .* netns=($A|$B)|${P}y .* netns=$HOST) " "$OUT" &&
	fail "the arriving side of a move was reported as a registration"
echo "ok - no registration for the arriving side of either move"
n=$(grep -cE "netns_move ifname=${P}v " "$OUT")
((n == 2)) || fail "$n netns_move events for ${P}v, want 2"
echo "ok - exactly two moves"
grep -E "ifname=${P}[a-z]+ .*netns=0 " "$OUT" && fail "an event of ours with netns 0"
echo "ok - every event of ours has its netns inode"
grep -E "ifname=${P}.* actor=1" "$OUT" && fail "a netlink event with an actor"
echo "ok - no actor on netlink events"

kill -INT "$PROBE_PID"
wait "$PROBE_PID"
rc=$?
PROBE_PID=
((rc == 0)) || fail "the probe exited $rc"
grep -qx "lost 0" "$OUT" || fail "socket overruns: $(grep '^lost' "$OUT")"
echo "ok - clean stop, 0 lost, sanitizers quiet"
echo "test_netlink: $(grep -c '' "$OUT") probe lines, all checks passed"
