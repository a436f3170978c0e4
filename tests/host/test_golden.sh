#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# test_golden.sh - the replay of every capture in tests/golden/ must print, byte for byte, the
# text and JSON Lines that are kept beside it (NAME.txt, NAME.err, NAME.jsonl). They were made
# by the vftrace that recorded them, before the source tree was restructured: a change that
# alters what a user sees fails here. Needs no root and no BPF.
#
# After a deliberate change of the output, regenerate them with
#   tests/host/test_golden.sh --update
# and say in the commit why the output changed.
set -euo pipefail
cd "$(dirname "$0")/../.."

VFTRACE=${VFTRACE:-build/vftrace}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/vft-golden-XXXXXX")
trap 'rm -rf "$TMP"' EXIT
update=0
[[ ${1:-} == --update ]] && update=1

fail() {
	echo "    FAIL: $*" >&2
	exit 1
}

# Local time is part of the text output; the golden files are in UTC.
export TZ=UTC LC_ALL=C
n=0
for cap in tests/golden/*.cap; do
	[[ -e $cap ]] || fail "no capture in tests/golden/"
	base=${cap%.cap}
	"$VFTRACE" replay "$cap" >"$TMP/out.txt" 2>"$TMP/out.err" || fail "replay of $cap exited $?"
	"$VFTRACE" replay --json "$cap" >"$TMP/out.jsonl" 2>/dev/null || fail "replay --json of $cap exited $?"
	for ext in txt err jsonl; do
		if ((update)); then
			cp "$TMP/out.$ext" "$base.$ext"
		elif ! cmp -s "$TMP/out.$ext" "$base.$ext"; then
			diff -u "$base.$ext" "$TMP/out.$ext" | head -20 >&2
			fail "the replay of $cap differs from $base.$ext"
		fi
	done
	n=$((n + 1))
done
((n > 0)) || fail "no golden capture"
echo "    $n captures replay byte-identical (text, stderr, JSON Lines)"
