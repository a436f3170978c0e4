#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# test_92_clock_step.sh - a step of the wall clock during a grace period
# (NTP at boot, `date -s`) neither fires the pending check nor delays it.
# A device moved into a netns and brought up without an address raises
# NET1_NO_IP when its grace period ends; the clock is stepped an hour
# forward one second into it: no vf_check and no finding come before the
# grace period has passed on the boot-time clock, and the finding counts the
# seconds of the grace period, not of the step. Then a step back, for the
# next grace period: its check still comes on time.
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/vm/lib.sh

TMP=$(mktemp -d)
OUT=$TMP/watch.jsonl
GRACE=12
stepped=0
# seconds on the boot-time clock: bash's $SECONDS follows the wall clock, which this test steps
up() {
	local u
	read -r u _ </proc/uptime
	echo "${u%.*}"
}
cleanup() {
	watch_kill
	((stepped == 0)) || date -s "-$stepped seconds" >/dev/null || true
	ip link del vfclka 2>/dev/null || true
	ip netns del vfclkns 2>/dev/null || true
}
trap cleanup EXIT

ip netns add vfclkns
ip link add vfclka type veth peer name vfclkb
watch_start "$OUT" -i 'vfclk*' --grace "$GRACE"

# the device enters the pod's netns, up, without an address: judged after GRACE s
ip link set vfclkb netns vfclkns
start=$(up)
ip netns exec vfclkns ip link set vfclkb up
sleep 1
date -s "+3600 seconds" >/dev/null
stepped=3600
# the old code's deadline (on the wall clock) has passed: it would judge now
sleep 4
jq -se '[.[] | select(.event == "vf_check" or .type == "finding")] | length == 0' "$OUT" >/dev/null || {
	grep -v '"type":"ready"' "$OUT" >&2
	fail "a check or finding $(($(up) - start)) s into a grace period of $GRACE s, after the clock was stepped"
}
watch_wait_json 'any(.[]; .type == "finding" and .code == "NET1_NO_IP")' $((GRACE + 20)) ||
	fail "no NET1_NO_IP after the grace period"
elapsed=$(($(up) - start))
((elapsed >= GRACE - 1)) || fail "NET1_NO_IP after $elapsed s, before the grace period of $GRACE s"
expect_stream "$OUT" "[.[] | select(.type == \"finding\" and .code == \"NET1_NO_IP\")][0].message | test(\"no IP address $GRACE s after\") or test(\"no IP address $((GRACE + 1)) s after\")" \
	"NET1_NO_IP counts the step"

# a step back of the same hour, then a new grace period (down and up again in the netns)
date -s "-3600 seconds" >/dev/null
stepped=0
n=$(grep -c '"event":"vf_check"' "$OUT" || true)
ip netns exec vfclkns ip link set vfclkb down
ip netns exec vfclkns ip link set vfclkb up
start=$(up)
wait_until $((GRACE + 20)) "a second vf_check" \
	bash -c "(( \$(grep -c '\"event\":\"vf_check\"' '$OUT') > $n ))" ||
	fail "no check $(($(up) - start)) s into a grace period of $GRACE s, after the clock was stepped back"
elapsed=$(($(up) - start))
((elapsed >= GRACE - 1)) || fail "the second check after $elapsed s, before the grace period of $GRACE s"
watch_stop || fail "watch exited $?"
echo "ok: grace periods across clock steps"
