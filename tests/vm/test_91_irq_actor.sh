#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# test_91_irq_actor.sh - an IPv6 address that the kernel adds in softirq has
# no actor. A router advertisement sent over a veth pair into a netns makes
# SLAAC add an address there (addrconf_prefix_rcv() -> ipv6_add_addr(), in
# the NET_RX softirq, on whatever task the softirq came upon: here the
# sender). The addr_add hook reports it with "actor":null and
# "context":"softirq", never with the sender as its actor; the link-local
# address, added in a task's context, keeps its actor.
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/vm/lib.sh

TMP=$(mktemp -d)
OUT=$TMP/watch.jsonl
cleanup() {
	watch_kill
	ip link del vfirqa 2>/dev/null || true
	ip netns del vfirqns 2>/dev/null || true
}
trap cleanup EXIT

ip netns add vfirqns
ip link add vfirqa type veth peer name vfirqb
ip link set vfirqb netns vfirqns
# the sender's link-local address usable at once; the receiver takes RAs
sysctl -qw net.ipv6.conf.vfirqa.accept_dad=0
ip netns exec vfirqns sysctl -qw net.ipv6.conf.vfirqb.accept_ra=1
ip netns exec vfirqns sysctl -qw net.ipv6.conf.vfirqb.autoconf=1
ip netns exec vfirqns sysctl -qw net.ipv6.conf.vfirqb.accept_dad=0

watch_start "$OUT" -i 'vfirq*'
ip link set vfirqa up
ip netns exec vfirqns ip link set vfirqb up
wait_until 30 "a link-local address on vfirqa" \
	bash -c 'ip -6 addr show dev vfirqa scope link | grep -q fe80'

# a router advertisement with the prefix fd00:77::/64 (autonomous), to all nodes
python3 - <<'PY'
import socket, struct
ifname = "vfirqa"
idx = socket.if_nametoindex(ifname)
s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, ifname.encode())
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, 255)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_IF, idx)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_LOOP, 0)
ra = struct.pack("!BBHBBHII", 134, 0, 0, 64, 0, 1800, 0, 0)
pio = struct.pack("!BBBBIII", 3, 4, 64, 0xC0, 86400, 14400, 0)
pio += socket.inet_pton(socket.AF_INET6, "fd00:77::")
for _ in range(3):
    s.sendto(ra + pio, ("ff02::1", 0, 0, idx))
PY
wait_until 30 "a SLAAC address on vfirqb" \
	bash -c 'ip netns exec vfirqns ip -6 addr show dev vfirqb | grep -q "fd00:77:"'
watch_wait_json 'any(.[]; .event == "addr_add" and ((.address // "") | startswith("fd00:77:")))' 30 ||
	fail "no addr_add of the SLAAC address"
watch_stop || fail "watch exited $?"

expect() { expect_stream "$OUT" "$1" "$2"; }
expect '[.[] | select(.event == "addr_add" and ((.address // "") | startswith("fd00:77:")))] | length >= 1' \
	"the SLAAC address was not reported"
expect '[.[] | select(.event == "addr_add" and ((.address // "") | startswith("fd00:77:")))] | all(.source != "netlink")' \
	"the SLAAC address came from rtnetlink, not the hook"
expect '[.[] | select(.event == "addr_add" and ((.address // "") | startswith("fd00:77:")))] | all(has("actor") and .actor == null and .context == "softirq")' \
	"the SLAAC address added in softirq names an actor"
expect '[.[] | select(.event == "addr_add" and ((.address // "") | startswith("fe80:")) and .ifname == "vfirqb" and .source != "netlink" and .source != "inventory")] | all(.actor != null and (has("context") | not))' \
	"an address added in a task's context lost its actor"
echo "ok: the SLAAC address (softirq) has no actor"
