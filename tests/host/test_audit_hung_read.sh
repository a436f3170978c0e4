#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# test_audit_hung_read.sh - audit's periodic check reads the node (sysfs,
# procfs, the kubelet's checkpoint), where a read can block for good (a driver
# that never answers). Here the checkpoint of a fixture tree is a FIFO that no
# one writes: each check is killed at its deadline and counted as skipped
# (stderr, the metrics textfile), and the event loop goes on meanwhile: a veth
# made during the hung checks is reported, and SIGTERM ends the run with its
# summary. Needs root (audit loads what hooks it can; rtnetlink listens).
set -euo pipefail
cd "$(dirname "$0")/../.."

VFTRACE=${VFTRACE:-build/vftrace}
BASE=$(mktemp -d "${TMPDIR:-/dev/shm}/vft-hung-XXXXXX" 2>/dev/null || mktemp -d)
pid=
cleanup() {
	[[ -z $pid ]] || kill -KILL "$pid" 2>/dev/null || true
	ip link del vfthung0 2>/dev/null || true
	rm -rf "$BASE"
}
trap cleanup EXIT

fail() {
	echo "    FAIL: $*" >&2
	[[ ! -f $BASE/err ]] || sed 's/^/    | /' "$BASE/err" >&2
	exit 1
}

ROOT=$BASE/node
tests/fixtures/mkfixture.sh "$ROOT" dgx-b200-healthy >/dev/null
CKPT=$ROOT/var/lib/kubelet/device-plugins/kubelet_internal_checkpoint
rm -f "$CKPT"
mkfifo "$CKPT"

"$VFTRACE" audit --root "$ROOT" --all --check-interval 1 \
	--metrics-textfile "$BASE/vftrace.prom" >"$BASE/out" 2>"$BASE/err" &
pid=$!
for ((i = 0; i < 200; i++)); do
	grep -q '"type":"ready"' "$BASE/out" 2>/dev/null && break
	sleep 0.1
done
grep -q '"type":"ready"' "$BASE/out" || fail "no ready line"

# two checks have hung by now; the loop still reports what happens
sleep 2.5
ip link add vfthung0 type veth peer name vfthung1
for ((i = 0; i < 50; i++)); do
	grep -q '"ifname":"vfthung0"' "$BASE/out" && break
	sleep 0.1
done
grep -q '"event":"netdev_register".*"ifname":"vfthung0"' "$BASE/out" ||
	fail "the event loop did not report a netdev made while the checks hung"
echo "    ok - events flow while the periodic check hangs"
ip link del vfthung0

kill -TERM "$pid"
rc=0
for ((i = 0; i < 100; i++)); do
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.1
done
kill -0 "$pid" 2>/dev/null && fail "audit did not stop on SIGTERM within 10 s"
wait "$pid" || rc=$?
pid=
[[ $rc == 0 ]] || fail "audit exited $rc"
grep -q 'the periodic check did not end in time' "$BASE/err" ||
	fail "the hung check was not said on stderr"
n=$(sed -n 's/^vftrace_checks_skipped_total{check="periodic"} \([0-9]*\)$/\1/p' "$BASE/vftrace.prom")
[[ -n $n && $n -ge 2 ]] || fail "vftrace_checks_skipped_total{check=\"periodic\"} is '$n', want >= 2"
grep -q '"type":"check"' "$BASE/out" && fail "a hung check printed check lines"
jq -se "map(select(.type == \"summary\")) | length == 1 and .[0].checks_skipped >= 2" "$BASE/out" >/dev/null ||
	fail "the summary does not count the skipped checks"
echo "    ok - $n periodic checks killed at their deadline, counted in the metrics and the summary"
