#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# test_20_lifecycle_hooks.sh - every kernel hook beyond register/move/unregister,
# driven by real kernel activity, through fentry and then kprobes: rename
# (good and EEXIST), link up/down, IPv4 and IPv6 addresses, driver unbind/bind
# of the spare virtio-rng PCI device, a netlink error with its extack message,
# and the RDMA core (attached when ib_core loads): Soft-RoCE register, port
# ACTIVE/ERR following the veth peer, rename, a refused netns move in
# exclusive mode (rxe cannot move: EOPNOTSUPP) and unregister.
# SR-IOV has no emulated device here: its decoding is covered by unit tests.
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/vm/lib.sh

VFTRACE=${VFTRACE:-build/vftrace}
TMP=$(mktemp -d)
cleanup() {
	ip link del vfa 2>/dev/null || true
	ip netns del vfpod 2>/dev/null || true
	rdma link del rxe0 2>/dev/null || rdma link del rxe9 2>/dev/null || true
}
trap cleanup EXIT

expect() { expect_stream "$OUT" "$1" "$2"; }

# The PCI address of the spare virtio-rng device (legacy or modern id).
RNG=$(basename "$(dirname "$(grep -l -e 0x1005 -e 0x1044 /sys/bus/pci/devices/*/device | head -n 1)")")
[[ -n $RNG ]] || fail "no virtio-rng PCI device in the VM"

scenario() {
	local mech=$1 pid rc
	OUT=$TMP/$mech.jsonl
	# start without ib_core: its hooks must wait, then attach when it loads
	modprobe -r rdma_rxe ib_uverbs ib_core 2>/dev/null || true
	"$VFTRACE" watch --json --all --no-netlink --no-inventory --mechanism "$mech" >"$OUT" 2>"$TMP/$mech.err" &
	pid=$!
	wait_for_line "$OUT" '"type":"ready"' 60 || fail "$mech: no ready line"

	ip link add vfa type veth peer name vfb
	ip link set vfb name vfr
	# while down: 6.1 refuses to rename a running device with EBUSY before it looks at names
	ip link set vfr name vfa 2>/dev/null && fail "$mech: rename onto an existing name succeeded"
	ip link set vfa up
	ip link set vfr up
	ip addr add 10.9.0.1/24 dev vfa
	ip -6 addr add fd00::1/64 dev vfa nodad
	ip -6 addr del fd00::1/64 dev vfa
	ip addr del 10.9.0.1/24 dev vfa
	ip route add 10.77.0.0/16 via 10.254.254.254 2>/dev/null && fail "$mech: bogus route accepted"
	echo "$RNG" >/sys/bus/pci/drivers/virtio-pci/unbind
	echo "$RNG" >/sys/bus/pci/drivers/virtio-pci/bind

	modprobe rdma_rxe
	wait_for_line "$OUT" '"type":"coverage"' 60 || fail "$mech: ib_core hooks never attached"
	rdma link add rxe0 type rxe netdev vfa
	ip link set vfr down
	ip link set vfr up
	rdma dev set rxe0 name rxe9
	rdma system set netns exclusive
	ip netns add vfpod
	rdma dev set rxe9 netns vfpod 2>/dev/null && fail "$mech: rxe moved between namespaces"
	# (exclusive mode stays until ib_core is unloaded: switching back needs no other netns)
	rdma link del rxe9
	ip link del vfa

	kill -INT "$pid"
	rc=0
	wait "$pid" || rc=$?
	assert_eq "$rc" 0 "$mech: watch exit status"
	ip netns del vfpod

	local host
	host=$(stat -L -c %i /proc/self/ns/net)
	expect "first | .type == \"ready\" and ([.hooks[] | select(.module == null and .status != \"attached\")] | length == 0) and all(.hooks[] | select(.module == \"ib_core\"); .status == \"waiting\")" \
		"$mech: want every image hook attached and the ib_core ones waiting"
	expect "map(select(.type == \"coverage\")) | length == 1 and (.[0].hooks | all(.[] | select(.module == \"ib_core\"); .status == \"attached\" and .mechanism == \"$mech\"))" \
		"$mech: the coverage line must show the ib_core hooks attached with $mech"
	expect 'map(select(.type == "event" and .source != "tracepoint" and .source != "enrich" and .source != "timer")) | all(.source == "'"$mech"'")' \
		"$mech: an event from another mechanism"
	expect 'any(.event == "driver_unbind") and (.[0].hooks[] | select(.hook == "driver_bind") | .mechanism == "'"$mech"'")' \
		"$mech: driver hooks not on $mech"
	expect "any(.event == \"netdev_rename\" and .ifname == \"vfb\" and .new_ifname == \"vfr\" and .ret == 0 and .netns == $host and .actor.comm == \"ip\")" \
		"$mech: rename vfb -> vfr"
	expect 'any(.event == "netdev_rename" and .ifname == "vfr" and .new_ifname == "vfa" and .ret == -17 and .errno == "EEXIST")' \
		"$mech: the refused rename vfr -> vfa (EEXIST)"
	expect 'any(.event == "link_change" and .ifname == "vfa" and .up and (.was_up | not) and .actor.comm == "ip")' \
		"$mech: vfa up"
	expect 'any(.event == "link_change" and .ifname == "vfr" and (.up | not) and .was_up)' \
		"$mech: vfr down"
	expect 'any(.event == "addr_add" and .ifname == "vfa" and .family == "inet" and .address == "10.9.0.1" and .prefixlen == 24 and .actor.comm == "ip")' \
		"$mech: IPv4 address added"
	expect 'any(.event == "addr_del" and .ifname == "vfa" and .family == "inet" and .address == "10.9.0.1")' \
		"$mech: IPv4 address deleted"
	expect 'any(.event == "addr_add" and .ifname == "vfa" and .family == "inet6" and .address == "fd00::1" and .prefixlen == 64)' \
		"$mech: IPv6 address added"
	expect 'any(.event == "addr_del" and .ifname == "vfa" and .family == "inet6" and .address == "fd00::1" and .actor.comm == "ip")' \
		"$mech: IPv6 address deleted"
	expect 'any(.event == "netlink_error" and .source == "tracepoint" and (.message | test("gateway")) and .actor.comm == "ip")' \
		"$mech: the netlink error of the bogus route, with its message"
	expect "any(.event == \"driver_unbind\" and .device == \"$RNG\" and .driver == \"virtio-pci\")" \
		"$mech: unbind of $RNG"
	if [[ $mech == fentry ]]; then
		# A known gap (docs/events.md): fexit on really_probe misses some binds, so
		# vftrace uses a kretprobe for driver_bind unless fentry is forced as here.
		echo "$mech: driver_bind not asserted: fexit on really_probe misses some calls"
	else
		expect "any(.event == \"driver_bind\" and .device == \"$RNG\" and .driver == \"virtio-pci\" and .ret == 0)" \
			"$mech: bind of $RNG"
	fi
	expect 'any(.event == "rdma_register" and .ibdev == "rxe0" and .ret == 0 and (.node_guid | test("^[0-9a-f]{4}(:[0-9a-f]{4}){3}$")) and .actor.comm == "rdma")' \
		"$mech: rxe0 registered"
	expect 'any(.event == "rdma_port_event" and .port == 1 and .port_event == "PORT_ERR") and any(.event == "rdma_port_event" and .port == 1 and .port_event == "PORT_ACTIVE")' \
		"$mech: port 1 ERR and ACTIVE"
	# user space adds what sysfs says of the port (RoCE: link layer Ethernet, no LID)
	expect 'any(.event == "rdma_port_event" and .link_layer == "Ethernet" and .lid == 0 and (.state | type == "string"))' \
		"$mech: port events without the port attributes read from sysfs"
	expect 'any(.event == "rdma_rename" and .ibdev == "rxe0" and .new_ibdev == "rxe9" and .ret == 0)' \
		"$mech: rxe0 renamed rxe9"
	expect 'any(.event == "rdma_netns_move" and .ibdev == "rxe9" and .ret == -95 and .errno == "EOPNOTSUPP" and .to_netns > 0)' \
		"$mech: the refused RDMA netns move"
	expect 'any(.event == "rdma_unregister" and .ibdev == "rxe9" and .actor.comm == "rdma")' \
		"$mech: rxe9 unregistered"
	expect 'last | .type == "summary" and .lost == 0' "$mech: summary missing or events lost"
	echo "$mech: $(grep -c '"type":"event"' "$OUT") events, all asserted kinds present"
}

scenario fentry
modprobe -r rdma_rxe ib_uverbs ib_core
scenario kprobe
