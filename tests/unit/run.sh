#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# run.sh - run the cmocka unit-test binaries given as arguments and print
# one closing line for the layer: "unit: N passed, N failed".
set -uo pipefail

passed=0
failed=0
bad_bins=()
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

for bin in "$@"; do
	out=$("$bin" 2>&1)
	rc=$?
	printf '%s\n' "$out"
	p=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | tail -1)
	f=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | tail -1)
	passed=$((passed + ${p:-0}))
	failed=$((failed + ${f:-0}))
	# A crash or sanitizer abort reports no count of its own: count the binary as one failure.
	if ((rc != 0)) && [[ -z "$f" ]]; then
		failed=$((failed + 1))
		bad_bins+=("$bin (exit $rc)")
	fi
done

for b in "${bad_bins[@]}"; do
	echo "unit: $b did not finish its run"
done
echo "unit: $passed passed, $failed failed"
((failed == 0 && passed > 0))
