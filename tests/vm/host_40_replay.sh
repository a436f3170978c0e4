#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# host_40_replay.sh OUT - run on the host by scripts/vm/test.sh after a guest finished, with the
# guest's output directory: every capture that test_40_findings.sh recorded in the guest
# (findings-<release>.cap, next to the live JSON Lines it printed) must replay here, on another
# kernel and without root, to the same findings and resolutions, line for line; and so must
# `vftrace audit --from-capture`, whose textfile counts them.
set -euo pipefail
cd "$(dirname "$0")/../.."

OUT=$1
VFTRACE=${VFTRACE:-build/vftrace}
n=0

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# same_findings LIVE OTHER WHAT: the finding and resolved lines of OTHER are those of LIVE
same_findings() {
	diff <(jq -c 'select(.type == "finding" or .type == "resolved")' "$1") \
		<(jq -c 'select(.type == "finding" or .type == "resolved")' "$2") ||
		fail "$3 differs from the live findings (above)"
}

for cap in "$OUT"/findings-*.cap; do
	[[ -e $cap ]] || continue
	live=${cap%.cap}.live.jsonl
	[[ -s $live ]] || fail "$cap has no live output $live"
	"$VFTRACE" replay --json "$cap" >"$OUT/replay.jsonl" || fail "replay of $cap exited $?"
	same_findings "$live" "$OUT/replay.jsonl" "the host's replay of $cap"
	jq -e -s '(map(select(.type == "finding")) | length) >= 6' "$OUT/replay.jsonl" >/dev/null ||
		fail "the replay of $cap has too few findings"
	# the daemon's outputs over the same capture: the same findings, counted in its textfile
	rm -f "$OUT/audit.prom"
	"$VFTRACE" audit --from-capture "$cap" --metrics-textfile "$OUT/audit.prom" >"$OUT/audit.jsonl" ||
		fail "audit --from-capture $cap exited $?"
	same_findings "$live" "$OUT/audit.jsonl" "audit --from-capture $cap"
	raised=$(awk '/^vftrace_findings_raised_total/ { n += $2 } END { print n }' "$OUT/audit.prom")
	[[ $raised == "$(jq -s 'map(select(.type == "finding")) | length' "$live")" ]] ||
		fail "the audit textfile counts $raised findings raised"
	echo "$(basename "$cap"): $(jq -s 'map(select(.type == "finding")) | length' "$OUT/replay.jsonl") findings, identical on the host in replay and audit --from-capture"
	n=$((n + 1))
done
((n > 0)) || { echo "FAIL: no capture from test_40_findings.sh in $OUT" >&2; exit 1; }
