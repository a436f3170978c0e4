#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# lib.sh - shared functions for the VM tests (tests/vm/test_*.sh), which run as root
# inside the guest booted by scripts/vm/run.sh. Source it:
#
#   . "$(dirname "$0")/lib.sh"
#
# Environment in the guest (set by the harness):
#   VM_KERNEL          kernel series under test: 6.1, 6.12
#   VM_KERNEL_RELEASE  its release, e.g. 6.1.0-57-amd64
#   VM_OUT             dir shared with the host (results, logs)
#   VFTRACE_VM=1       running inside the harness's guest

if [[ "${VFTRACE_VM:-}" != 1 ]]; then
	echo "$0: error: a VM test; run it in the guest: scripts/vm/run.sh --kernel 6.1 -- $0" >&2
	exit 2
fi

# fail MSG: print MSG and end the test with status 1.
fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# assert_eq ACTUAL EXPECTED MSG
assert_eq() {
	[[ "$1" == "$2" ]] || fail "$3: got '$1', want '$2'"
}

# assert_match REGEX STRING MSG: STRING matches the extended REGEX.
assert_match() {
	[[ "$2" =~ $1 ]] || fail "$3: '$2' does not match /$1/"
}

# wait_for_file PATH TIMEOUT_S: poll (every 0.1 s) until PATH exists, e.g.
# a ready file that a background process writes. Returns 1 on timeout.
wait_for_file() {
	local path="$1" deadline=$((SECONDS + $2))
	until [[ -e "$path" ]]; do
		((SECONDS < deadline)) || {
			echo "wait_for_file: $path did not appear within $2 s" >&2
			return 1
		}
		sleep 0.1
	done
}

# wait_for_line PATH STRING TIMEOUT_S: poll (every 0.1 s) until PATH holds a
# line containing the fixed STRING, e.g. a daemon's "ready" line in its
# output file. Returns 1 on timeout.
wait_for_line() {
	local path="$1" str="$2" deadline=$((SECONDS + $3))
	until grep -qF -- "$str" "$path" 2>/dev/null; do
		((SECONDS < deadline)) || {
			echo "wait_for_line: no line with '$str' in $path within $3 s" >&2
			return 1
		}
		sleep 0.1
	done
}

# kernel_ge MAJOR MINOR: the running kernel is MAJOR.MINOR or newer.
kernel_ge() {
	local maj min
	IFS=. read -r maj min _ < <(uname -r)
	min="${min%%[!0-9]*}"
	((maj > $1 || (maj == $1 && min >= $2)))
}

# expect_stream FILE JQ_FILTER MSG: the JSON Lines in FILE, read as one array
# (jq -s), satisfy JQ_FILTER; otherwise show the events and fail with MSG.
expect_stream() {
	jq -se "$2" "$1" >/dev/null || {
		echo "--- stream:" >&2
		grep -v '"type":"ready"\|"type":"coverage"' "$1" >&2
		fail "$3"
	}
}

# wait_until TIMEOUT_S DESC CMD [ARGS...]: poll (every $VFT_POLL_S seconds,
# default 0.1) until CMD succeeds. Returns 1 on timeout, naming DESC.
wait_until() {
	local limit="$1" deadline=$((SECONDS + $1)) desc="$2"
	shift 2
	until "$@" >/dev/null 2>&1; do
		((SECONDS < deadline)) || {
			echo "wait_until: $desc: not within $limit s" >&2
			return 1
		}
		sleep "${VFT_POLL_S:-0.1}"
	done
}

# ---- real components --------------------------------------------------------
#
# What a node runs around a VF, started by the test that needs it (the guest
# starts none of it at boot), in the test's process group (run-all.sh kills
# what a test leaves behind), with its log in $VM_OUT/<test>.<name>.log.
# A function whose program is not on this machine prints "skipped: NAME
# (why)" and returns $VFT_SKIP: the test reports the part as skipped, never
# as passed.

VFT_SKIP=77
VFT_TEST="$(basename "$0" .sh)"
VFT_LOGDIR="${VM_OUT:-/tmp}"
VFT_REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# The CNI plugins that Debian does not package (sriov, ib-sriov, rdma).
VFTRACE_CNI_DIR="${VFTRACE_CNI_DIR:-$(realpath -m "$VFT_REPO/../shared/tools/cni")}"
# Debian's containernetworking-plugins: host-device, static, host-local, ...
VFT_CNI_DEBIAN_DIR=/usr/lib/cni

# skip NAME WHY: say that the part NAME cannot run here, return $VFT_SKIP.
skip() {
	echo "skipped: $1 ($2)"
	return "$VFT_SKIP"
}

# _vft_daemon NAME CMD [ARGS...]: start a daemon in the background, its
# output in its log file; sets VFT_PID.
_vft_daemon() {
	local name="$1"
	shift
	"$@" </dev/null >>"$VFT_LOGDIR/$VFT_TEST.$name.log" 2>&1 &
	VFT_PID=$!
}

# _vft_running PID: PID is alive, not a zombie (kill -0 does not tell).
# read, not $(<FILE): bash ends a set -e script when $(<FILE) cannot open
# FILE, whatever || follows.
_vft_running() {
	local stat
	{ read -r stat <"/proc/$1/stat"; } 2>/dev/null || return 1
	stat="${stat##*) }"
	[[ "${stat:0:1}" != Z ]]
}

# _vft_stop PID: SIGTERM, wait up to 10 s, then SIGKILL.
_vft_stop() {
	local pid="$1" i
	[[ -n "$pid" ]] || return 0
	kill "$pid" 2>/dev/null || true
	for ((i = 0; i < 100; i++)); do
		_vft_running "$pid" || break
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}

# -- SR-IOV: the guest's igb PF (qemu's 82576, 8086:10c9) and its VFs --------

# sriov_pf: print the PF's PCI address (0000:01:00.0 on the harness's q35).
sriov_pf() {
	local d
	for d in /sys/bus/pci/devices/*; do
		if [[ "$(<"$d/vendor")" == 0x8086 && "$(<"$d/device")" == 0x10c9 ]]; then
			basename "$d"
			return 0
		fi
	done
	echo "sriov_pf: no igb PF (8086:10c9) in this guest" >&2
	return 1
}

# _vft_first DIR: print the name of DIR's first entry; 1 if it has none.
_vft_first() {
	local e
	for e in "$1"/*; do
		if [[ -e "$e" ]]; then
			basename "$e"
			return 0
		fi
	done
	return 1
}

# sriov_pf_netdev: print the PF's netdev name (igb must be loaded).
sriov_pf_netdev() {
	local pf
	pf="$(sriov_pf)" || return 1
	_vft_first "/sys/bus/pci/devices/$pf/net"
}

# sriov_vfs: print "PCI NETDEV DRIVER" per VF of the PF, in VF order; NETDEV
# and DRIVER are "-" while there is none (or the netdev is in another netns).
sriov_vfs() {
	local pf v pci dev drv i=0
	pf="$(sriov_pf)" || return 1
	while [[ -e "/sys/bus/pci/devices/$pf/virtfn$i" ]]; do
		v="/sys/bus/pci/devices/$pf/virtfn$i"
		pci="$(basename "$(readlink -f "$v")")"
		dev="$(_vft_first "$v/net")" || true
		drv="$(basename "$(readlink "$v/driver" 2>/dev/null)")"
		echo "$pci ${dev:--} ${drv:--}"
		i=$((i + 1))
	done
}

_vft_vfs_ready() {
	local n="$1" lines
	lines="$(sriov_vfs)" || return 1
	(($(wc -l <<<"$lines") == n)) && ! grep -q -- ' - \| -$' <<<"$lines"
}

# sriov_create N: load igb, bring the PF up, make N VFs, wait until each is
# bound to igbvf with its netdev, and print "PCI NETDEV DRIVER" per VF. Sets
# SRIOV_PF (PCI), SRIOV_PF_DEV (netdev), SRIOV_VF_PCI and SRIOV_VF_DEV
# (arrays). While systemd-udevd runs (udev_start), igbvf is left to udev,
# which loads it by the VFs' modalias and names their netdevs, as on a node;
# otherwise igbvf is loaded first, so that the VFs bind during the write.
sriov_create() {
	local n="$1" pf sys lines
	pf="$(sriov_pf)" || return 1
	sys="/sys/bus/pci/devices/$pf"
	modprobe igb || {
		echo "sriov_create: modprobe igb failed" >&2
		return 1
	}
	if [[ -z "${VFT_UDEVD_PID:-}" ]]; then
		modprobe igbvf || {
			echo "sriov_create: modprobe igbvf failed" >&2
			return 1
		}
	fi
	# The PF's netdev appears when igb's probe ends; udev may rename it.
	wait_until 30 "the netdev of PF $pf" _vft_first "$sys/net" || return 1
	[[ -z "${VFT_UDEVD_PID:-}" ]] || udevadm settle -t 30 || true
	# shellcheck disable=SC2034 # for the tests
	SRIOV_PF="$pf"
	SRIOV_PF_DEV="$(sriov_pf_netdev)" || return 1
	ip link set "$SRIOV_PF_DEV" up || return 1
	if [[ "$(<"$sys/sriov_numvfs")" != 0 ]]; then
		echo "sriov_create: $pf already has $(<"$sys/sriov_numvfs") VFs; sriov_destroy first" >&2
		return 1
	fi
	echo "$n" >"$sys/sriov_numvfs" || {
		echo "sriov_create: echo $n > $sys/sriov_numvfs failed" >&2
		return 1
	}
	# udev's queue is empty once it has handled the VFs' uevents (driver
	# load, rename); the sysfs check covers the case without udev.
	[[ -z "${VFT_UDEVD_PID:-}" ]] || udevadm settle -t 60 || true
	wait_until 60 "$n VFs of $pf bound with a netdev" _vft_vfs_ready "$n" || {
		sriov_vfs >&2
		return 1
	}
	lines="$(sriov_vfs)"
	# shellcheck disable=SC2034 # for the tests
	mapfile -t SRIOV_VF_PCI < <(awk '{ print $1 }' <<<"$lines")
	# shellcheck disable=SC2034 # for the tests
	mapfile -t SRIOV_VF_DEV < <(awk '{ print $2 }' <<<"$lines")
	echo "$lines"
}

# sriov_destroy: remove the VFs (also those in other netns) and unload
# igbvf and igb, leaving the guest as it booted.
sriov_destroy() {
	local pf sys
	pf="$(sriov_pf)" || return 1
	sys="/sys/bus/pci/devices/$pf"
	if [[ -e "$sys/sriov_numvfs" && "$(<"$sys/sriov_numvfs")" != 0 ]]; then
		echo 0 >"$sys/sriov_numvfs" || return 1
	fi
	wait_until 60 "the VFs of $pf removed" test ! -e "$sys/virtfn0" || return 1
	modprobe -r igbvf igb
}

# -- systemd-udevd: Debian's udev with its default rules ------------------

# udev_start: start systemd-udevd; returns when it answers on its control
# socket. It handles the uevents from then on (no trigger of what exists).
udev_start() {
	local bin=/lib/systemd/systemd-udevd
	[[ -x "$bin" ]] || {
		skip systemd-udevd "$bin missing: install udev"
		return
	}
	_vft_daemon udevd "$bin"
	VFT_UDEVD_PID=$VFT_PID
	wait_until 30 "systemd-udevd answering" udevadm control --ping || return 1
}

# udev_stop: stop systemd-udevd and drop the rules written by the tests.
udev_stop() {
	[[ -n "${VFT_UDEVD_PID:-}" ]] || return 0
	udevadm control --exit 2>/dev/null || true
	_vft_stop "$VFT_UDEVD_PID"
	VFT_UDEVD_PID=""
	rm -f /run/udev/rules.d/*-vftrace-*.rules
}

# udev_rule NAME TEXT: install a udev rule (/run/udev/rules.d/NAME.rules),
# reload the rules and replay a "change" uevent for every netdev, so that
# the rule applies to those that exist too.
udev_rule() {
	mkdir -p /run/udev/rules.d
	printf '%s\n' "$2" >"/run/udev/rules.d/$1.rules"
	udevadm control --reload || return 1
	udevadm trigger --action=change --subsystem-match=net || return 1
	udevadm settle -t 30
}

# nm_unmanaged_rule: the rule that SR-IOV operators install so that
# NetworkManager leaves VFs alone (igbvf's 82576 VF here), on each uevent
# that can show it a VF: add (made, or back from a pod's netns), change,
# move (renamed).
nm_unmanaged_rule() {
	udev_rule 99-vftrace-nm-unmanaged \
		'ACTION=="add|change|move", SUBSYSTEM=="net", ATTRS{device}=="0x10ca", ENV{NM_UNMANAGED}="1"'
}

# -- systemd-networkd ------------------------------------------------------

VFT_NETWORKD_FILE=/run/systemd/network/50-vftrace-vf.network
# Address networkd gives the VFs it configures.
NETWORKD_ADDR=192.0.2.1/24

# networkd_start [unmanaged]: start systemd-networkd with one .network that
# matches every VF by driver (as a node's broad rule would), configuring
# $NETWORKD_ADDR on each; with "unmanaged", the same match with
# Unmanaged=yes. Returns when networkd has written its state.
networkd_start() {
	local bin=/lib/systemd/systemd-networkd
	[[ -x "$bin" ]] || {
		skip systemd-networkd "$bin missing: install systemd"
		return
	}
	mkdir -p /run/systemd/network
	if [[ "${1:-}" == unmanaged ]]; then
		printf '[Match]\nDriver=igbvf\n\n[Link]\nUnmanaged=yes\n' >"$VFT_NETWORKD_FILE"
	else
		printf '[Match]\nDriver=igbvf\n\n[Network]\nAddress=%s\nLinkLocalAddressing=no\nConfigureWithoutCarrier=yes\n' \
			"$NETWORKD_ADDR" >"$VFT_NETWORKD_FILE"
	fi
	rm -rf /run/systemd/netif
	_vft_daemon networkd "$bin"
	VFT_NETWORKD_PID=$VFT_PID
	wait_until 30 "systemd-networkd's state file" test -s /run/systemd/netif/state || return 1
}

# networkd_link_state IFNAME: print networkd's ADMIN_STATE of IFNAME
# (pending, configuring, configured, unmanaged, failed, linger).
networkd_link_state() {
	local idx
	{ read -r idx <"/sys/class/net/$1/ifindex"; } 2>/dev/null || return 1
	sed -n 's/^ADMIN_STATE=//p' "/run/systemd/netif/links/$idx" 2>/dev/null | grep .
}

# networkd_wait IFNAME STATE TIMEOUT_S: until networkd's state of IFNAME is STATE.
networkd_wait() {
	wait_until "$3" "networkd's state of $1 is $2" _vft_networkd_is "$1" "$2" || {
		echo "networkd's state of $1: $(networkd_link_state "$1" || echo none)" >&2
		return 1
	}
}
_vft_networkd_is() {
	[[ "$(networkd_link_state "$1")" == "$2" ]]
}

# networkd_stop: stop systemd-networkd, remove its .network. What it
# configured stays, as when networkd stops on a node.
networkd_stop() {
	_vft_stop "${VFT_NETWORKD_PID:-}"
	VFT_NETWORKD_PID=""
	rm -f "$VFT_NETWORKD_FILE"
}

# -- NetworkManager and its D-Bus system bus --------------------------------

VFT_NM_DIR=/run/vftrace-nm

# nm_start: start the D-Bus system bus (dbus-daemon) and NetworkManager with
# Debian's defaults but polkit (root only) and the PF; needs systemd-udevd running
# (udev_start): NetworkManager takes devices once udev has seen them.
# Returns when NetworkManager answers on the bus: not at its "start-up
# complete", which waits for the DHCP of the default wired connections it
# makes for the VFs, as on a node, and that never completes here.
nm_start() {
	local bin
	for bin in /usr/bin/dbus-daemon /usr/sbin/NetworkManager /usr/bin/nmcli /usr/bin/nm-online; do
		[[ -x "$bin" ]] || {
			skip NetworkManager "$bin missing: install network-manager and dbus"
			return
		}
	done
	[[ -n "${VFT_UDEVD_PID:-}" ]] || {
		echo "nm_start: start systemd-udevd first (udev_start)" >&2
		return 1
	}
	mkdir -p /run/dbus "$VFT_NM_DIR"
	_vft_daemon dbus dbus-daemon --system --nofork --nopidfile
	VFT_DBUS_PID=$VFT_PID
	wait_until 30 "the D-Bus system bus socket" test -S /run/dbus/system_bus_socket || return 1
	# Not the PF: its DHCP, which never gets an answer here, would hold back
	# NetworkManager's "start-up complete" (nm_wait_startup).
	printf '[main]\nplugins=keyfile\nauth-polkit=false\n\n[keyfile]\nunmanaged-devices=driver:igb\n\n[logging]\nlevel=INFO\n' \
		>"$VFT_NM_DIR/NetworkManager.conf"
	# --debug: in the foreground, logging to stderr (its log file).
	_vft_daemon NetworkManager /usr/sbin/NetworkManager --debug \
		--config="$VFT_NM_DIR/NetworkManager.conf" --state-file="$VFT_NM_DIR/NetworkManager.state"
	VFT_NM_PID=$VFT_PID
	VFT_POLL_S=0.5 wait_until 60 "NetworkManager answering on the bus" _vft_nm_running || return 1
}

_vft_nm_running() {
	[[ "$(nmcli -t -f RUNNING general 2>/dev/null)" == running ]]
}

# nm_wait_startup TIMEOUT_S: until NetworkManager reports its start-up
# complete: it has taken every device there is, managed or not, and no
# connection is activating (a managed VF's DHCP keeps it from completing).
nm_wait_startup() {
	nm-online -s -q -t "$1" || {
		echo "nm_wait_startup: NetworkManager's start-up not complete within $1 s" >&2
		return 1
	}
}

# nm_device_state IFNAME: print NetworkManager's state of IFNAME, e.g.
# "10 (unmanaged)", "30 (disconnected)", "70 (connecting (getting IP configuration))".
nm_device_state() {
	nmcli -g GENERAL.STATE device show "$1" 2>/dev/null | grep .
}

# nm_wait IFNAME REGEX TIMEOUT_S: until NetworkManager's state of IFNAME
# matches the extended REGEX.
nm_wait() {
	# nmcli is slow to start under TCG: poll less often.
	VFT_POLL_S=0.5 wait_until "$3" "NetworkManager's state of $1 matching /$2/" _vft_nm_is "$1" "$2" || {
		echo "NetworkManager's state of $1: $(nm_device_state "$1" || echo unknown)" >&2
		return 1
	}
}
_vft_nm_is() {
	[[ "$(nm_device_state "$1")" =~ $2 ]]
}

# nm_stop: stop NetworkManager and the system bus, and drop NetworkManager's
# run-time state (/run/NetworkManager): the next nm_start is a fresh one, as
# after a reboot, not a restart that keeps what it managed before.
nm_stop() {
	_vft_stop "${VFT_NM_PID:-}"
	_vft_stop "${VFT_DBUS_PID:-}"
	VFT_NM_PID="" VFT_DBUS_PID=""
	rm -rf "$VFT_NM_DIR" /run/NetworkManager /run/dbus/system_bus_socket
}

# -- CNI plugins, run as a container runtime runs them ------------------------

# cni_plugin NAME: print the path of plugin NAME: sriov, ib-sriov and rdma
# from $VFTRACE_CNI_DIR, the others from Debian's $VFT_CNI_DEBIAN_DIR; when
# it is missing, "skipped: NAME (...)" and $VFT_SKIP.
cni_plugin() {
	local dir="$VFT_CNI_DEBIAN_DIR" hint="install containernetworking-plugins"
	case "$1" in
	sriov | ib-sriov | rdma) dir="$VFTRACE_CNI_DIR" hint="set VFTRACE_CNI_DIR" ;;
	esac
	if [[ ! -x "$dir/$1" ]]; then
		skip "$1" "no $dir/$1: $hint" >&2
		return
	fi
	echo "$dir/$1"
}

# sriov_cni_config VF [ADDRESS]: print the network config of the SR-IOV CNI for VF (its
# PCI address), with static IPAM giving ADDRESS (e.g. 10.56.0.3/16); no IPAM without one.
sriov_cni_config() {
	local ipam=""
	[[ -z "${2:-}" ]] || ipam=", \"ipam\": {\"type\": \"static\", \"addresses\": [{\"address\": \"$2\"}]}"
	printf '{"cniVersion": "1.0.0", "name": "sriov-net", "type": "sriov", "deviceID": "%s"%s}\n' "$1" "$ipam"
}

# cni_invoke PLUGIN CMD NETNS IFNAME CONFIG_JSON [POD_NS/POD_NAME/POD_UID]:
# exec the plugin as a runtime does: CMD (ADD, DEL, CHECK, VERSION) in
# CNI_COMMAND, the netns /run/netns/NETNS (none when NETNS is empty), the
# config on stdin, IPAM plugins found in Debian's dir, the pod in CNI_ARGS.
# The container ID is derived from NETNS, so an ADD and its DEL agree. Sets
# CNI_STATUS (exit status), CNI_STDOUT and CNI_STDERR (files, kept in
# $VM_OUT), prints them, and returns the plugin's exit status; $VFT_SKIP
# when the plugin is missing.
VFT_CNI_CALLS=0
cni_invoke() {
	local plugin="$1" cmd="$2" netns="$3" ifname="$4" config="$5" pod="${6:-}" path id args base
	local pns pname puid
	path="$(cni_plugin "$plugin")" || return
	id="$(printf 'vftrace-%s' "$netns" | sha256sum | cut -c1-64)"
	args="IgnoreUnknown=1"
	if [[ -n "$pod" ]]; then
		IFS=/ read -r pns pname puid <<<"$pod"
		args+=";K8S_POD_NAMESPACE=$pns;K8S_POD_NAME=$pname;K8S_POD_INFRA_CONTAINER_ID=$id;K8S_POD_UID=$puid"
	fi
	VFT_CNI_CALLS=$((VFT_CNI_CALLS + 1))
	base="$VFT_LOGDIR/$VFT_TEST.cni-$VFT_CNI_CALLS-$plugin-$cmd"
	CNI_STDOUT="$base.out" CNI_STDERR="$base.err"
	CNI_STATUS=0
	printf '%s\n' "$config" |
		env CNI_COMMAND="$cmd" CNI_CONTAINERID="$id" CNI_NETNS="${netns:+/run/netns/$netns}" \
			CNI_IFNAME="$ifname" CNI_PATH="$VFT_CNI_DEBIAN_DIR" CNI_ARGS="$args" \
			"$path" >"$CNI_STDOUT" 2>"$CNI_STDERR" || CNI_STATUS=$?
	echo "cni: $plugin $cmd netns=${netns:-none} ifname=$ifname: exit status $CNI_STATUS"
	awk '{ print "  stdout: " $0 }' "$CNI_STDOUT"
	awk '{ print "  stderr: " $0 }' "$CNI_STDERR"
	return "$CNI_STATUS"
}

# -- vftrace watch, as the scenario tests run it ------------------------------

VFT_VFTRACE="${VFTRACE:-$VFT_REPO/build/vftrace}"

# watch_start OUT [ARGS...]: start `vftrace watch --json ARGS` in the
# background, its JSON Lines in OUT and its stderr in OUT.err; returns when
# its ready line is there (every hook that can attach is attached). Sets
# VFT_WATCH_PID and VFT_WATCH_OUT.
watch_start() {
	VFT_WATCH_OUT="$1"
	shift
	: >"$VFT_WATCH_OUT"
	"$VFT_VFTRACE" watch --json "$@" >"$VFT_WATCH_OUT" 2>"$VFT_WATCH_OUT.err" &
	VFT_WATCH_PID=$!
	wait_for_line "$VFT_WATCH_OUT" '"type":"ready"' 90 || {
		cat "$VFT_WATCH_OUT.err" >&2
		return 1
	}
}

# watch_stop: SIGINT to the watch, wait for its exit; returns its exit status
# (0 when it stopped cleanly, with its timelines and summary written).
watch_stop() {
	local rc=0
	[[ -n "${VFT_WATCH_PID:-}" ]] || return 0
	kill -INT "$VFT_WATCH_PID" 2>/dev/null || true
	wait "$VFT_WATCH_PID" || rc=$?
	VFT_WATCH_PID=""
	return "$rc"
}

# watch_kill: stop a watch that a failed test leaves (for EXIT traps).
watch_kill() {
	_vft_stop "${VFT_WATCH_PID:-}"
	VFT_WATCH_PID=""
}

# watch_checks VF: print how many vf_check events (the end of a grace period:
# vftrace judged the VF) the watch has written for VF (its key) so far.
watch_checks() {
	grep -F '"event":"vf_check"' "$VFT_WATCH_OUT" | grep -cF "\"vf\":\"$1\"" || true
}

# watch_wait_checks VF N TIMEOUT_S: until the watch has judged VF N times.
watch_wait_checks() {
	wait_until "$3" "vf_check number $2 of $1" _vft_checks_ge "$1" "$2" || {
		echo "$1 judged $(watch_checks "$1") times" >&2
		return 1
	}
}
_vft_checks_ge() {
	(($(watch_checks "$1") >= $2))
}

# watch_wait_json JQ_FILTER TIMEOUT_S: until the stream so far, read as one
# array, satisfies JQ_FILTER.
watch_wait_json() {
	wait_until "$2" "the stream satisfying $1" jq -se "$1" "$VFT_WATCH_OUT"
}

# watch_findings: print the findings so far, one compact JSON line each.
watch_findings() {
	jq -c 'select(.type == "finding")' "$VFT_WATCH_OUT"
}

# cni_cycles PLUGIN N NETNS VF DEV CONFIG POD: N clean pod attachments of VF (its
# host netdev DEV) through PLUGIN, each in a fresh /run/netns/NETNS: ADD (net1 with
# an address), wait for the watch's vf_check of the stay in the pod, DEL (DEV back in
# the host), wait for its vf_check of the return, delete the netns. Fails the test
# on the first step that does not happen.
cni_cycles() {
	local plugin="$1" cycles="$2" ns="$3" vf="$4" dev="$5" cfg="$6" pod="$7" i n
	n=$(watch_checks "$vf")
	for ((i = 1; i <= cycles; i++)); do
		ip netns add "$ns"
		cni_invoke "$plugin" ADD "$ns" net1 "$cfg" "$pod" >/dev/null ||
			fail "$plugin ADD, cycle $i: $(cat "$CNI_STDERR")"
		ip -n "$ns" -4 -o addr show dev net1 | grep -q 'inet ' ||
			fail "$plugin ADD, cycle $i: net1 without an address"
		n=$((n + 1))
		watch_wait_checks "$vf" "$n" 30 || fail "$plugin cycle $i: the stay in the pod was not judged"
		cni_invoke "$plugin" DEL "$ns" net1 "$cfg" "$pod" >/dev/null ||
			fail "$plugin DEL, cycle $i: $(cat "$CNI_STDERR")"
		[[ -e "/sys/class/net/$dev" ]] || fail "$plugin DEL, cycle $i: $dev not back in the host"
		n=$((n + 1))
		watch_wait_checks "$vf" "$n" 30 || fail "$plugin cycle $i: the return was not judged"
		ip netns delete "$ns"
	done
}

# cni_warm PLUGIN...: run each plugin once (CNI_COMMAND=VERSION), so that the first ADD
# does not pay for reading a cold binary from the 9p share: a node's plugins are cached.
cni_warm() {
	local p path
	for p in "$@"; do
		path="$(cni_plugin "$p")" || return
		CNI_COMMAND=VERSION "$path" </dev/null >/dev/null 2>&1 || true
	done
}
