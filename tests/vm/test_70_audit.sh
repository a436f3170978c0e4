#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# test_70_audit.sh - `vftrace audit`, the node agent, through a scenario: a move refused with
# EEXIST and a burst of veth pairs. Asserts the Prometheus endpoint (fetched with curl) and the
# textfile show the counters; the flight recorder keeps at most --rotate files; the reduced
# capability set and no_new_privs in every thread's /proc/PID/task/TID/status (the metrics
# endpoint's thread included), with the daemon still working after the drop (the RDMA hooks
# attach when rdma_rxe loads later); SIGHUP starts a new capture when the file was moved
# away and keeps the older files; SIGTERM flushes and exits 0; a restart keeps the last run's
# capture as vftrace.cap.1; a capture dir that is a symbolic link is refused; --retain
# forgets the devices the burst deleted; the footprint metrics (process RSS, BPF map memory).
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/vm/lib.sh

VFTRACE=${VFTRACE:-build/vftrace}
TMP=$(mktemp -d)
PORT=19477
cleanup() {
	set +e
	[[ -n ${AUDIT:-} ]] && kill -TERM "$AUDIT" 2>/dev/null
	ip -batch "$TMP/del.batch" >/dev/null 2>&1
	ip link del vfaa 2>/dev/null
	ip netns del vfaudit 2>/dev/null
	true
}
trap cleanup EXIT

metric() { curl -sf "http://127.0.0.1:$PORT/metrics" | awk -v m="$1" '$1 == m { print $2 }'; }

# wait_metric NAME VALUE TIMEOUT_S: until the endpoint serves NAME with VALUE
wait_metric() {
	local deadline=$((SECONDS + $3))
	until [[ "$(metric "$1")" == "$2" ]]; do
		((SECONDS < deadline)) || { echo "wait_metric: $1 is '$(metric "$1")', not $2" >&2; return 1; }
		sleep 0.2
	done
}

modprobe -r rdma_rxe ib_uverbs ib_core 2>/dev/null || true
mkdir -p "$TMP/cap"
"$VFTRACE" audit -i 'vfa*' --metrics 127.0.0.1:$PORT --metrics-textfile "$TMP/vftrace.prom" \
	--capture-dir "$TMP/cap" --max-size 8K --rotate 3 --check-interval 1 --retain 2 \
	>"$TMP/out.jsonl" 2>"$TMP/err" &
AUDIT=$!
wait_for_line "$TMP/out.jsonl" '"type":"ready"' 60 || fail "no ready line: $(cat "$TMP/err")"
curl -sf "http://127.0.0.1:$PORT/metrics" >"$TMP/m0" || fail "the endpoint does not answer"
grep -q '^vftrace_hook_attached{hook="netns_move"} 1$' "$TMP/m0" || fail "hook coverage metric"
grep -q '^vftrace_findings_raised_total{code="CNI_MOVE_FAILED"} 0$' "$TMP/m0" ||
	fail "finding counters do not start at 0"
rss=$(awk '$1 == "process_resident_memory_bytes" { print $2 }' "$TMP/m0")
ring=$(awk '$1 == "vftrace_bpf_map_bytes{map=\"events\"}" { print $2 }' "$TMP/m0")
((${rss:-0} > 1000000)) || fail "process_resident_memory_bytes is '$rss'"
((${ring:-0} >= 2097152)) || fail "the ring buffer's map memory is '$ring'"
echo "footprint at start: RSS $rss bytes, ring buffer map $ring bytes"

# The capabilities after the drop, in EVERY thread: capability sets, the bounding set and
# no_new_privs belong to a thread, not to the process, so a thread started before the drop (the
# metrics endpoint's, the one that faces the network) would keep all it started with. Each
# thread must hold exactly the seven kept: CAP_DAC_READ_SEARCH(2) CAP_NET_ADMIN(12)
# CAP_SYS_PTRACE(19) CAP_SYS_ADMIN(21) CAP_SYS_RESOURCE(24) CAP_PERFMON(38) CAP_BPF(39).
KEPT=000000c001281004
NONE=0000000000000000
check_threads() {
	local st tid line n=0 bad=0
	for st in /proc/"$AUDIT"/task/*/status; do
		tid=$(basename "$(dirname "$st")")
		# the kernel prints these in this order: Name first, NoNewPrivs after the capabilities
		line=$(awk '$1 ~ /^(Name|CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs):$/ {
			printf "%s%s ", $1, $2 }' "$st")
		echo "  $1: thread $tid: $line"
		[[ $line == *"CapInh:$NONE CapPrm:$KEPT CapEff:$KEPT CapBnd:$KEPT CapAmb:$NONE NoNewPrivs:1 " ]] ||
			bad=$((bad + 1))
		n=$((n + 1))
	done
	((bad == 0)) ||
		fail "$1: $bad of $n threads do not hold exactly CapPrm=CapEff=CapBnd=$KEPT with NoNewPrivs 1"
	# the endpoint runs in a thread of its own: without it, this would check the main one only
	((n >= 2)) || fail "$1: $n thread(s), want the main one and the metrics endpoint's"
	echo "capabilities $1: $n threads, each CapPrm=CapEff=CapBnd $KEPT, NoNewPrivs 1"
}
check_threads "after the start"

# the scenario, after the drop: a refused move
ip netns add vfaudit
ip -n vfaudit link add vfaa type dummy
ip link add vfaa type veth peer name vfaap
ip link set vfaa netns vfaudit 2>/dev/null && fail "the clashing move succeeded"
wait_metric 'vftrace_findings_raised_total{code="CNI_MOVE_FAILED"}' 1 30 ||
	fail "CNI_MOVE_FAILED not counted"
wait_for_line "$TMP/vftrace.prom" 'vftrace_findings_raised_total{code="CNI_MOVE_FAILED"} 1' 30 ||
	fail "the textfile does not show the finding"
assert_eq "$(stat -c %a "$TMP/vftrace.prom")" 600 "textfile mode"
# the RDMA hooks still attach after the drop
modprobe rdma_rxe
wait_metric 'vftrace_hook_attached{hook="rdma_register"}' 1 60 || fail "the RDMA hooks did not attach after the drop"
grep -q "\"type\":\"coverage\"" "$TMP/out.jsonl" || fail "no coverage line"

# a burst: the flight recorder rotates and keeps at most 3 files
: >"$TMP/add.batch"
: >"$TMP/del.batch"
for ((i = 0; i < 300; i++)); do
	echo "link add vfab$i type veth peer name vfab${i}p" >>"$TMP/add.batch"
	echo "link del vfab$i" >>"$TMP/del.batch"
done
for _ in 1 2 3; do
	ip -batch "$TMP/add.batch"
	ip -batch "$TMP/del.batch"
done
wait_for_file "$TMP/cap/vftrace.cap.2" 30 || fail "the capture never rotated"
sleep 2 # two flushes: let the burst reach the files
n=$(find "$TMP/cap" -name 'vftrace.cap*' | wc -l)
((n <= 3)) || fail "$n capture files with --rotate 3"
# the metrics are refreshed every 5 s
for _ in $(seq 50); do
	total=$(metric vftrace_capture_bytes_total)
	((total > 16384)) && break
	sleep 0.3
done
((total > 16384)) || fail "capture bytes metric $total"
echo "rotation: $n files, $total capture bytes counted"

# --retain 2: what the burst deleted is forgotten once gone for 2 s of event time. The sweeps run
# on the events' clock, so a dummy device comes and goes until the counter shows them.
held=0
for ((i = 0; i < 60; i++)); do
	held=$(metric 'vftrace_state_records{kind="vf"}')
	((${held:-9999} < 100)) && break
	ip link add vfac type dummy && ip link del vfac
	sleep 0.5
done
forgotten=$(metric 'vftrace_state_forgotten_total{kind="vf"}')
((${held:-9999} < 100)) || fail "$held records held: --retain 2 did not forget the burst's devices"
((${forgotten:-0} >= 600)) || fail "--retain 2 forgot ${forgotten:-0} devices, not the burst's"
echo "retain: $forgotten devices forgotten, $held records held"

# SIGHUP after the file was moved away: a new capture at the same path. First the burst must be
# fully processed (the events counter stays put), so that no rotation races with the move.
events() { curl -sf "http://127.0.0.1:$PORT/metrics" | awk '/^vftrace_events_total/ { n += $2 } END { print n }'; }
prev=-1
for _ in $(seq 60); do
	now=$(events)
	[[ $now == "$prev" ]] && break
	prev=$now
	sleep 1
done
mv "$TMP/cap/vftrace.cap" "$TMP/moved.cap"
kill -HUP "$AUDIT"
wait_for_file "$TMP/cap/vftrace.cap" 30 ||
	fail "no new capture after SIGHUP (daemon $(kill -0 "$AUDIT" 2>/dev/null && echo alive || echo gone)): $(cat "$TMP/err")"
kill -0 "$AUDIT" || fail "SIGHUP stopped the daemon"
[[ -e "$TMP/cap/vftrace.cap.1" ]] || fail "the new capture removed the older files of the recorder"
"$VFTRACE" replay --json "$TMP/moved.cap" >"$TMP/moved.jsonl" || fail "the moved capture does not replay"

check_threads "after the scenario"

# SIGTERM: flush and exit 0
kill -TERM "$AUDIT"
rc=0
wait "$AUDIT" || rc=$?
AUDIT=
assert_eq "$rc" 0 "audit's exit status on SIGTERM"
tail -n 1 "$TMP/out.jsonl" | jq -e '.type == "summary"' >/dev/null || fail "no summary at the end"
expect_stream "$TMP/out.jsonl" 'any(.[]; .type == "finding" and .code == "CNI_MOVE_FAILED")' \
	"the stream lacks the finding"
"$VFTRACE" replay "$TMP/cap/vftrace.cap" >/dev/null 2>&1 || fail "the last capture does not replay"

# a restart keeps the last run's recording: it becomes vftrace.cap.1
last=$(sha256sum <"$TMP/cap/vftrace.cap")
"$VFTRACE" audit -i 'vfa*' --capture-dir "$TMP/cap" --max-size 8K --rotate 3 >/dev/null 2>"$TMP/err3" &
AUDIT=$!
wait_for_file "$TMP/cap/vftrace.cap" 30 && for _ in $(seq 100); do
	[[ -e "$TMP/cap/vftrace.cap.1" && $(sha256sum <"$TMP/cap/vftrace.cap.1") == "$last" ]] && break
	sleep 0.1
done
[[ $(sha256sum <"$TMP/cap/vftrace.cap.1") == "$last" ]] ||
	fail "a restart did not keep the last run's capture as vftrace.cap.1: $(cat "$TMP/err3")"
kill -TERM "$AUDIT"
wait "$AUDIT" || fail "the restarted audit exited $?"
AUDIT=
"$VFTRACE" replay "$TMP/cap/vftrace.cap.1" >/dev/null 2>&1 || fail "the kept capture does not replay"

# a symbolic link is refused
ln -s "$TMP/cap" "$TMP/link"
rc=0
"$VFTRACE" audit --capture-dir "$TMP/link" >/dev/null 2>"$TMP/err2" || rc=$?
assert_eq "$rc" 1 "audit with a symlinked capture dir"
grep -q 'symbolic link' "$TMP/err2" || fail "no reason given: $(cat "$TMP/err2")"
echo "SIGHUP, SIGTERM, symlink refusal: ok"
