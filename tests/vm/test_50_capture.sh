#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# test_50_capture.sh - capture files under the failures they are built for:
#
#   kill -9    `vftrace record` is killed while veth pairs come and go: the file it leaves
#              replays (exit 0) with the events of the blocks it had flushed
#   disk full  recording onto a tmpfs with 16 KiB free: record stops by itself with a clear
#              "disk full" error and exit 1, and the file replays up to its last good block
#   rotation   --max-size 8K --rotate 3 under a burst keeps 3 files of at most 8 KiB each
#              (plus one block), which replay together oldest first
#
# (that a capture replays to the live run's findings, on another machine, is test_40 and
# tests/vm/host_40_replay.sh)
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/vm/lib.sh

VFTRACE=$(realpath "${VFTRACE:-build/vftrace}")
TMP=$(mktemp -d)
TINY=$TMP/tiny
cleanup() {
	set +e
	umount "$TINY" 2>/dev/null
	ip -batch "$TMP/del.batch" >/dev/null 2>&1
	true
}
trap cleanup EXIT

# N veth pairs in one `ip -batch` (fast under TCG), and their deletion
make_batches() {
	local i
	: >"$TMP/add.batch"
	: >"$TMP/del.batch"
	for ((i = 0; i < $1; i++)); do
		echo "link add vfk$i type veth peer name vfk${i}p" >>"$TMP/add.batch"
		echo "link del vfk$i" >>"$TMP/del.batch"
	done
}
make_batches 100

# wait_size FILE BYTES TIMEOUT_S: until FILE is larger than BYTES (a block was flushed)
wait_size() {
	local deadline=$((SECONDS + $3))
	until [[ -e $1 ]] && (($(stat -c %s "$1") > $2)); do
		((SECONDS < deadline)) || { echo "wait_size: $1 never grew past $2 bytes" >&2; return 1; }
		sleep 0.1
	done
}

# --- kill -9 in the middle of a recording
"$VFTRACE" record -o "$TMP/k.cap" -i 'vfk*' 2>"$TMP/k.err" &
REC=$!
wait_for_line "$TMP/k.err" 'recording to' 60 || fail "record did not start: $(cat "$TMP/k.err")"
header=$(stat -c %s "$TMP/k.cap")
ip -batch "$TMP/add.batch"
wait_size "$TMP/k.cap" "$header" 30 || fail "no block was flushed within 30 s"
ip -batch "$TMP/del.batch"
kill -9 "$REC"
wait "$REC" 2>/dev/null || true
assert_eq "$(stat -c %a "$TMP/k.cap")" 600 "capture file mode"
"$VFTRACE" replay --json "$TMP/k.cap" >"$TMP/k.jsonl" 2>"$TMP/k.replay.err" ||
	fail "replay after kill -9 exited $?: $(cat "$TMP/k.replay.err")"
n=$(jq -s '[.[] | select(.type == "event" and .event == "netdev_register" and (.ifname | startswith("vfk")))] | length' "$TMP/k.jsonl")
((n >= 100)) || fail "replay after kill -9: $n vfk registers, want the 200 of the flushed block(s) (at least 100)"
echo "kill -9: the capture replays $n veth registers ($(stat -c %s "$TMP/k.cap") bytes)"

# --- a disk that fills up
mkdir -p "$TINY"
mount -t tmpfs -o size=64k tmpfs "$TINY"
dd if=/dev/zero of="$TINY/fill" bs=1k count=48 status=none
make_batches 300
"$VFTRACE" record -o "$TINY/full.cap" -i 'vfk*' 2>"$TMP/full.err" &
REC=$!
wait_for_line "$TMP/full.err" 'recording to' 60 || fail "record did not start: $(cat "$TMP/full.err")"
for round in 1 2 3 4 5; do
	kill -0 "$REC" 2>/dev/null || break
	ip -batch "$TMP/add.batch"
	ip -batch "$TMP/del.batch"
done
rc=0
timeout 30 tail --pid="$REC" -f /dev/null || { kill -INT "$REC"; fail "record kept running on a full disk"; }
wait "$REC" || rc=$?
assert_eq "$rc" 1 "record's exit status on a full disk"
grep -q 'disk full' "$TMP/full.err" || fail "no 'disk full' in record's error: $(cat "$TMP/full.err")"
grep -q 'replays as it is' "$TMP/full.err" || fail "the error does not say the file replays"
"$VFTRACE" replay --json "$TINY/full.cap" >"$TMP/full.jsonl" 2>"$TMP/full.replay.err" ||
	fail "replay of the full-disk capture exited $?: $(cat "$TMP/full.replay.err")"
n=$(jq -s '[.[] | select(.type == "event")] | length' "$TMP/full.jsonl")
((n > 0)) || fail "the full-disk capture replays no event"
echo "disk full: record said: $(grep -m1 'disk full' "$TMP/full.err")"
echo "disk full: the capture replays $n events ($(stat -c %s "$TINY/full.cap") bytes)"
umount "$TINY"

# --- a flight recorder
make_batches 100
"$VFTRACE" record -o "$TMP/r.cap" --max-size 8K --rotate 3 -i 'vfk*' 2>"$TMP/r.err" &
REC=$!
wait_for_line "$TMP/r.err" 'recording to' 60 || fail "record did not start: $(cat "$TMP/r.err")"
for round in 1 2 3 4; do
	ip -batch "$TMP/add.batch"
	ip -batch "$TMP/del.batch"
done
wait_size "$TMP/r.cap.2" 0 30 || fail "no third file within 30 s"
kill -INT "$REC"
wait "$REC" || fail "record exited $? on SIGINT"
[[ ! -e $TMP/r.cap.3 ]] || fail "a fourth file with --rotate 3"
for f in "$TMP/r.cap" "$TMP/r.cap.1" "$TMP/r.cap.2"; do
	(($(stat -c %s "$f") <= 8192 + 4096)) || fail "$f is $(stat -c %s "$f") bytes with --max-size 8K"
done
"$VFTRACE" replay --json "$TMP/r.cap.2" "$TMP/r.cap.1" "$TMP/r.cap" >"$TMP/r.jsonl" ||
	fail "replay of the rotated set exited $?"
expect_stream "$TMP/r.jsonl" '(map(select(.type == "capture") | .part) | length == 3 and . == sort) and (map(select(.type == "event")) | length > 0)' \
	"the rotated set does not replay in order"
echo "rotation: 3 files, $(jq -s 'map(select(.type == "event")) | length' "$TMP/r.jsonl") events replayed in order"
