#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# test_tree.sh - guards of the source layout (docs/architecture.md): every file in user/ lives in
# a stage folder, no two user sources share a basename (the static library stores its members by
# basename, so one would silently replace the other), every source and header starts with its
# SPDX line, and no .c file in user/ or bpf/ is over 800 lines unless its first comment says why
# (the words "800 lines" in it). Needs no root.
set -euo pipefail
cd "$(dirname "$0")/../.."

fail() {
	echo "    FAIL: $*" >&2
	exit 1
}

loose=$(find user -maxdepth 1 -type f)
[[ -z $loose ]] || fail "files directly in user/ (put them in a stage folder): $loose"

dups=$(find user -name '*.c' -printf '%f\n' | sort | uniq -d)
[[ -z $dups ]] || fail "user/ sources sharing a basename: $dups"

for f in $(find user bpf -name '*.[ch]'); do
	head -1 "$f" | grep -q 'SPDX-License-Identifier' || fail "$f: no SPDX line first"
done

long=0
for f in $(find user bpf -name '*.c'); do
	n=$(wc -l <"$f")
	((n > 800)) || continue
	# the first comment: from the first "/*" to the first "*/"
	if awk '/\/\*/{on=1} on{print} on&&/\*\//{exit}' "$f" | grep -q '800 lines'; then
		echo "    $f: $n lines (its first comment says why)"
		long=$((long + 1))
	else
		fail "$f has $n lines: split it by concern, or say in its first comment why it is over 800 lines"
	fi
done
echo "    $(find user -name '*.c' | wc -l) user sources in $(find user -mindepth 1 -type d | wc -l) stage folders; $long over 800 lines with a reason"
