#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# run-all.sh - runner of the VM tests, run inside the guest:
#
#   scripts/vm/run.sh --kernel 6.1 -- tests/vm/run-all.sh [FILTER]
#
# Runs every executable tests/vm/test_*.sh (sorted by name; only those whose
# name contains FILTER if given) from the repo root, each under a timeout
# (VFTRACE_VM_TEST_TIMEOUT seconds, default 300: a bound on a hung test, not
# a pace; a test with a line "# vm-timeout: S" gets S seconds if that is
# more). A test's output is shown
# (prefixed "# ") and saved to $VM_OUT/<test>.log. A test that exits with
# status 77 could not run some part of it here (it says which, "skipped:
# NAME"): it is counted as skipped, not passed. Prints TAP-style
# "ok N - name" / "ok N - name # SKIP" / "not ok N - name" lines and, last,
# the closing line
#   vm(<kernel release>): N passed, N failed[, N skipped]
# (", N skipped" only when a test was skipped). Exit status 0 iff no test
# failed (and at least one ran).
#
# After a test ends, whatever it left running in its process group is
# killed; a test that starts daemons with setsid must stop them itself.
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"

if [[ "${VFTRACE_VM:-}" != 1 ]]; then
	echo "run-all.sh: error: not inside the test VM (VFTRACE_VM is not 1); the tests load modules and change the network" >&2
	echo "run-all.sh: run them with: scripts/vm/run.sh --kernel 6.1 -- tests/vm/run-all.sh" >&2
	exit 2
fi

filter="${1:-}"
limit="${VFTRACE_VM_TEST_TIMEOUT:-300}"
out="${VM_OUT:-$(mktemp -d)}"
release="$(uname -r)"

tests=()
while IFS= read -r t; do
	[[ -x "$t" ]] || continue
	[[ -z "$filter" || "$(basename "$t")" == *"$filter"* ]] || continue
	tests+=("$t")
done < <(printf '%s\n' "$HERE"/test_*.sh | LC_ALL=C sort)

echo "1..${#tests[@]}"
passed=0 failed=0 skipped=0 n=0
rcfile="$(mktemp)"
cd "$REPO" || exit 2
for t in "${tests[@]}"; do
	n=$((n + 1))
	name="$(basename "$t" .sh)"
	tlimit="$limit"
	own="$(sed -n 's/^# vm-timeout: \([0-9][0-9]*\)$/\1/p' "$t" | head -n 1)"
	[[ -n "$own" ]] && ((own > tlimit)) && tlimit="$own"
	echo "# --- $name (timeout ${tlimit}s, log $out/$name.log)"
	start=$SECONDS
	{
		# timeout puts itself and the test in a new process group.
		timeout -k 5 "$tlimit" "$t" </dev/null &
		pid=$!
		wait "$pid"
		echo $? >"$rcfile"
		kill -KILL -- "-$pid" 2>/dev/null
	} 2>&1 | tee "$out/$name.log" | sed -u 's/^/# /'
	rc="$(<"$rcfile")"
	if ((rc == 0)); then
		passed=$((passed + 1))
		echo "ok $n - $name"
	elif ((rc == 77)); then
		skipped=$((skipped + 1))
		echo "ok $n - $name # SKIP $(grep -h '^skipped: ' "$out/$name.log" | cut -d' ' -f2 | sort -u | paste -sd' ')"
	else
		failed=$((failed + 1))
		if ((rc == 124 || rc == 137)); then
			echo "# $name: timed out after ${tlimit}s"
		else
			echo "# $name: exit status $rc after $((SECONDS - start))s"
		fi
		echo "not ok $n - $name"
	fi
done
rm -f "$rcfile"

((${#tests[@]})) || echo "run-all.sh: error: no executable tests/vm/test_*.sh${filter:+ matches \"$filter\"}" >&2
echo "vm($release): $passed passed, $failed failed$( ((skipped == 0)) || echo ", $skipped skipped")"
((failed == 0 && ${#tests[@]} > 0))
