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
for cap in "$OUT"/findings-*.cap; do
	[[ -e $cap ]] || continue
	live=${cap%.cap}.live.jsonl
	[[ -s $live ]] || { echo "FAIL: $cap has no live output $live" >&2; exit 1; }
	"$VFTRACE" replay --json "$cap" >"$OUT/replay.jsonl" || {
		echo "FAIL: replay of $cap exited $?" >&2
		exit 1
	}
	if ! diff <(jq -c 'select(.type == "finding" or .type == "resolved")' "$live") \
		<(jq -c 'select(.type == "finding" or .type == "resolved")' "$OUT/replay.jsonl"); then
		echo "FAIL: the host's replay of $cap differs from the live findings (above)" >&2
		exit 1
	fi
	jq -e -s '(map(select(.type == "finding")) | length) >= 6' "$OUT/replay.jsonl" >/dev/null || {
		echo "FAIL: the replay of $cap has too few findings" >&2
		exit 1
	}
	# the daemon's outputs over the same capture: the same findings, counted in its textfile
	rm -f "$OUT/audit.prom"
	"$VFTRACE" audit --from-capture "$cap" --metrics-textfile "$OUT/audit.prom" >"$OUT/audit.jsonl" || {
		echo "FAIL: audit --from-capture $cap exited $?" >&2
		exit 1
	}
	if ! diff <(jq -c 'select(.type == "finding" or .type == "resolved")' "$live") \
		<(jq -c 'select(.type == "finding" or .type == "resolved")' "$OUT/audit.jsonl"); then
		echo "FAIL: audit --from-capture $cap differs from the live findings (above)" >&2
		exit 1
	fi
	raised=$(awk '/^vftrace_findings_raised_total/ { n += $2 } END { print n }' "$OUT/audit.prom")
	[[ $raised == "$(jq -s 'map(select(.type == "finding")) | length' "$live")" ]] || {
		echo "FAIL: the audit textfile counts $raised findings raised" >&2
		exit 1
	}
	echo "$(basename "$cap"): $(jq -s 'map(select(.type == "finding")) | length' "$OUT/replay.jsonl") findings, identical on the host in replay and audit --from-capture"
	n=$((n + 1))
done
((n > 0)) || { echo "FAIL: no capture from test_40_findings.sh in $OUT" >&2; exit 1; }
