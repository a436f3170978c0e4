#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# run.sh - run the cmocka unit-test binaries given as arguments and print
# one closing line for the layer: "unit: N passed, N failed, N skipped".
# A test that calls skip() is counted as skipped, not passed, and not
# dropped: passed + failed + skipped is every test that cmocka ran.
set -uo pipefail

passed=0
failed=0
skipped=0
bad_bins=()
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

# sum REGEX OUTPUT: the numbers that REGEX's group catches in OUTPUT's lines, added up over every
# group of tests in the binary.
sum() {
	printf '%s\n' "$2" | sed -n "s/$1/\1/p" | awk '{ n += $1 } END { print n + 0 }'
}

# cmocka's "[  WHAT  ] N test(s)..." lines; those that list the tests one by one
# ("[  SKIPPED ] name") start with a name, not a number.
count() {
	sum "^\[ *$1 *\] \([0-9][0-9]*\) test(s).*" "$2"
}

for bin in "$@"; do
	out=$("$bin" 2>&1)
	rc=$?
	printf '%s\n' "$out"
	ran=$(count '==========' "$out")
	p=$(count PASSED "$out")
	s=$(count SKIPPED "$out")
	# "[  FAILED  ] N" leaves out the tests whose setup or teardown failed ("[  ERROR   ]");
	# " N FAILED TEST(S)" has both
	f=$(count FAILED "$out")
	e=$(sum '^ *\([0-9][0-9]*\) FAILED TEST(S)$' "$out")
	((e > f)) && f=$e
	passed=$((passed + p))
	failed=$((failed + f))
	skipped=$((skipped + s))
	# A crash or sanitizer abort reports no count of its own: count the binary as one failure.
	if ((rc != 0)) && ((f == 0)); then
		failed=$((failed + 1))
		bad_bins+=("$bin (exit $rc) did not finish its run")
	elif ((p + f + s != ran)); then
		# a result this script does not know how to count: a failure, rather than dropped
		failed=$((failed + 1))
		bad_bins+=("$bin ran $ran tests, of which $((p + f + s)) are counted: see its output")
	fi
done

for b in "${bad_bins[@]}"; do
	echo "unit: $b"
done
echo "unit: $passed passed, $failed failed, $skipped skipped"
((failed == 0 && passed > 0))
