#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# test_cni_events.sh - the cni event (bpf/proc.bpf.c) on this machine's own
# kernel, as root: `vftrace watch --json -o CAPTURE --cni-bin-dir DIR`, then
# programs run the way a container runtime runs CNI plugins (the CNI_
# variables in their environment, CNI_ARGS with the pod) and the events
# they must give are asserted, then the same from the capture's replay.
#
# No container runtime runs on the host: the plugins are stand-ins (a copy of
# /bin/true, which exits within about a millisecond; a script that exits 7;
# a script that runs an "IPAM" plugin), executed by the test itself. Two real
# plugin runs need no VF: the SR-IOV CNI (VFTRACE_CNI_DIR/sriov, as
# tests/vm/lib.sh finds it) and the host-device plugin of
# containernetworking-plugins (/usr/lib/cni/host-device), each asked
# CNI_COMMAND=VERSION. Exit 0 = pass, 77 = skipped (not root, no
# tracepoints), with its own closing line.
set -uo pipefail

cd "$(dirname "$0")/../.."
VFTRACE=${VFTRACE:-build/vftrace}
VFTRACE_CNI_DIR=$(realpath -m "${VFTRACE_CNI_DIR:-$PWD/../shared/tools/cni}")
NAME=test_cni_events
TMP=$(mktemp -d /tmp/vftrace-cni.XXXXXX)
NS=vfcni$$
BIN=$TMP/bin
OUT=$TMP/watch.out
WATCH_PID=
passed=0
failed=0
skipped=0

cleanup() {
	if [[ -n $WATCH_PID ]]; then
		kill -INT "$WATCH_PID" 2>/dev/null
		wait "$WATCH_PID" 2>/dev/null
	fi
	ip netns del "$NS" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT

finish() {
	echo "$NAME: $passed passed, $failed failed, $skipped skipped"
	((failed == 0)) || exit 1
	exit 0
}

# check WHAT JQ-FILTER [FILE]: passes when some line of FILE (the watch's output) matches
check() {
	local what=$1 filter=$2 file=${3:-$OUT}
	if jq -e -s "$filter" "$file" >/dev/null 2>&1; then
		echo "ok - $what"
		passed=$((passed + 1))
	else
		echo "not ok - $what"
		failed=$((failed + 1))
	fi
}

skip_check() {
	echo "ok - $1 # SKIP $2"
	skipped=$((skipped + 1))
}

if ((EUID != 0)); then
	skip_check "cni events" "not root"
	finish
fi
if ! "$VFTRACE" hooks 2>/dev/null | grep -qE '^cni_exec +attached'; then
	skip_check "cni events" "the cni_exec hook does not attach on this kernel"
	finish
fi

mkdir -p "$BIN" "$TMP/elsewhere"
cp /bin/true "$BIN/fast"
printf '#!/bin/sh\nexit 7\n' >"$BIN/seven"
# a main plugin that runs its IPAM plugin as the SR-IOV CNI runs host-local: same environment
# shellcheck disable=SC2016 # expanded by the script
printf '#!/bin/sh\n"${0%%/*}/fast"\nexit 0\n' >"$BIN/main"
chmod +x "$BIN/seven" "$BIN/main"
cp /bin/true "$TMP/elsewhere/by-env"
cp /bin/true "$TMP/elsewhere/not-cni"
ip netns add "$NS" || {
	echo "cannot add netns $NS" >&2
	exit 1
}
NS_INODE=$(stat -L -c %i "/var/run/netns/$NS")
ARGS="IgnoreUnknown=1;K8S_POD_NAMESPACE=ml;K8S_POD_NAME=trainer-0;K8S_POD_INFRA_CONTAINER_ID=c0ffee;K8S_POD_UID=0b7b5c44-1d2e-4f00-9a6b-5c3d2e1f0a9b"

# plugins by path: the temp directory, the real SR-IOV CNI's and Debian's
DIRS=(--cni-bin-dir "$BIN" --cni-bin-dir /usr/lib/cni)
[[ -x $VFTRACE_CNI_DIR/sriov ]] && DIRS+=(--cni-bin-dir "$VFTRACE_CNI_DIR")
"$VFTRACE" watch --json --no-inventory -o "$TMP/cap" "${DIRS[@]}" >"$OUT" 2>"$TMP/err" &
WATCH_PID=$!
for ((i = 0; i < 1000; i++)); do
	grep -q '"type":"ready"' "$OUT" 2>/dev/null && break
	kill -0 "$WATCH_PID" 2>/dev/null || break
	sleep 0.01
done

# as a runtime runs them: a clean environment, then the CNI_ variables
env -i CNI_COMMAND=ADD CNI_CONTAINERID=c0ffee CNI_NETNS="/var/run/netns/$NS" CNI_IFNAME=net1 \
	CNI_ARGS="$ARGS" CNI_PATH="$BIN" "$BIN/fast"
env -i CNI_COMMAND=DEL CNI_CONTAINERID=dead01 CNI_NETNS=/var/run/netns/gone CNI_IFNAME=net1 \
	CNI_ARGS="K8S_POD_NAMESPACE=ml;K8S_POD_NAME=trainer-1" CNI_PATH="$BIN" "$BIN/seven"
env -i CNI_COMMAND=ADD CNI_CONTAINERID=beef02 CNI_NETNS="/var/run/netns/$NS" CNI_IFNAME=net2 \
	CNI_ARGS="K8S_POD_NAMESPACE=ml;K8S_POD_NAME=trainer-2" CNI_PATH="$BIN" "$BIN/main"
# known by its environment only; a long environment before the CNI_ variables
env -i FILLER="$(head -c 3000 /dev/zero | tr '\0' x)" CNI_COMMAND=CHECK CNI_IFNAME=net3 \
	"$TMP/elsewhere/by-env"
"$BIN/fast" # under the directory, no CNI_ variable
"$TMP/elsewhere/not-cni"
# real plugin runs that need no VF
[[ -x $VFTRACE_CNI_DIR/sriov ]] &&
	env -i CNI_COMMAND=VERSION "$VFTRACE_CNI_DIR/sriov" </dev/null >"$TMP/sriov.out"
[[ -x /usr/lib/cni/host-device ]] &&
	env -i CNI_COMMAND=VERSION /usr/lib/cni/host-device </dev/null >"$TMP/hostdev.out"

for ((i = 0; i < 500; i++)); do
	(($(grep -c '"event":"cni"' "$OUT") >= 6)) && break
	sleep 0.01
done
sleep 0.2
kill -INT "$WATCH_PID"
wait "$WATCH_PID"
rc=$?
WATCH_PID=
if ((rc != 0)); then
	echo "watch exited $rc: $(cat "$TMP/err")" >&2
	failed=$((failed + 1))
fi

echo "# the stand-in that exits within a millisecond, as printed:"
grep '"event":"cni"' "$OUT" | grep "\"path\":\"$BIN/fast\"" | grep '"command":"ADD"' | head -n 1 |
	sed 's/^/#   /'

check "a plugin that exits at once: ADD, exit 0, the pod of CNI_ARGS, the netns inode" \
	"any(.[]; .event == \"cni\" and .path == \"$BIN/fast\" and .command == \"ADD\" and
	     .exit_code == 0 and .ifname == \"net1\" and .netns == $NS_INODE and
	     .netns_path == \"/var/run/netns/$NS\" and .container_id == \"c0ffee\" and
	     .pod == {namespace: \"ml\", name: \"trainer-0\",
		      uid: \"0b7b5c44-1d2e-4f00-9a6b-5c3d2e1f0a9b\"} and
	     .ipam == false and .by_env == false and .actor.comm == \"fast\" and
	     .plugin == \"fast\" and .duration_ns > 0)"
check "a plugin that exits 7: DEL, exit 7, its pod; a gone netns resolves to no inode" \
	"any(.[]; .event == \"cni\" and .path == \"$BIN/seven\" and .command == \"DEL\" and
	     .exit_code == 7 and .pod.name == \"trainer-1\" and .pod.uid == null and
	     .netns == 0 and .netns_path == \"/var/run/netns/gone\")"
check "an IPAM plugin run by its plugin: a child of the main plugin's run" \
	"(map(select(.event == \"cni\" and .path == \"$BIN/main\"))[0]) as \$m |
	 any(.[]; .event == \"cni\" and .path == \"$BIN/fast\" and .ipam == true and
	     .ppid == \$m.actor.pid and .pod.name == \"trainer-2\" and .ifname == \"net2\") and
	 \$m.ipam == false and \$m.exit_code == 0"
check "known by CNI_COMMAND in its environment only, after 3000 bytes of other variables" \
	"any(.[]; .event == \"cni\" and .path == \"$TMP/elsewhere/by-env\" and .by_env == true and
	     .command == \"CHECK\" and .ifname == \"net3\" and .pod == null)"
check "a program under the plugin directory without CNI_ variables is still a run" \
	"any(.[]; .event == \"cni\" and .path == \"$BIN/fast\" and .command == null)"
check "a program elsewhere without CNI_COMMAND is none" \
	"all(.[]; .path != \"$TMP/elsewhere/not-cni\")"
if [[ -x $VFTRACE_CNI_DIR/sriov ]]; then
	check "the real SR-IOV CNI asked VERSION: one run, exit 0" \
		"[.[] | select(.event == \"cni\" and .plugin == \"sriov\" and
		  .command == \"VERSION\" and .exit_code == 0 and .by_env == false)] | length == 1"
else
	skip_check "the real SR-IOV CNI asked VERSION" "no $VFTRACE_CNI_DIR/sriov"
fi
if [[ -x /usr/lib/cni/host-device ]]; then
	check "the real host-device plugin asked VERSION: exit 0" \
		"any(.[]; .event == \"cni\" and .path == \"/usr/lib/cni/host-device\" and
		     .command == \"VERSION\" and .exit_code == 0)"
else
	skip_check "the real host-device plugin asked VERSION" "no /usr/lib/cni/host-device"
fi

# the capture keeps every field: its replay prints the same cni events
"$VFTRACE" replay --json "$TMP/cap" >"$TMP/replay.out" 2>"$TMP/replay.err"
jq -c -S 'select(.event == "cni")' "$OUT" >"$TMP/live.cni"
jq -c -S 'select(.event == "cni")' "$TMP/replay.out" >"$TMP/replay.cni"
check "the replay of the capture prints the same cni events" \
	"length > 0" "$TMP/replay.cni"
if [[ -s $TMP/live.cni ]] && cmp -s "$TMP/live.cni" "$TMP/replay.cni"; then
	echo "ok - replayed cni events are byte for byte the live ones"
	passed=$((passed + 1))
else
	echo "not ok - replayed cni events are byte for byte the live ones"
	diff "$TMP/live.cni" "$TMP/replay.cni" | head -n 6 | sed 's/^/#   /'
	failed=$((failed + 1))
fi
# the text timeline's line of the run
"$VFTRACE" replay "$TMP/cap" >"$TMP/replay.txt" 2>&1
if grep -qE 'cni +ADD fast ml/trainer-0 net1 exit 0 in [0-9]+ ms' "$TMP/replay.txt"; then
	echo "ok - the text line names the pod and the exit"
	passed=$((passed + 1))
else
	echo "not ok - the text line names the pod and the exit"
	grep cni "$TMP/replay.txt" | head -n 3 | sed 's/^/#   /'
	failed=$((failed + 1))
fi
finish
