#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# test.sh - `make test-vm`: run the VM tests (tests/vm/run-all.sh) once in
# each kernel of ${VFTRACE_VM_KERNELS:-6.1 6.12}, booted by run.sh.
#
# Usage: scripts/vm/test.sh [FILTER]    FILTER: run only tests whose name
#                                       contains it (passed to run-all.sh)
# Environment:
#   VFTRACE_VM_KERNELS       kernels to test (default "6.1 6.12")
#   VFTRACE_VM_TIMEOUT       seconds one guest may run (default 2400: a
#                            bound on a hung guest; the suite with its
#                            scenario corpus takes about 20 min per kernel)
#   VFTRACE_VM_JOBS          guests run at once (default 2 on 2 or more CPUs, else 1)
#   VFTRACE_VM_TEST_TIMEOUT  seconds one test may run (default 300, or the
#                            test's own "# vm-timeout: S" when larger)
#   VFTRACE, VFTRACE_*       passed on to the guest
#
# Prints, per kernel, the guest's closing line "vm(<release>): N passed,
# N failed" and its timings, then the closing line "vm: N passed, N failed"
# over all kernels, each followed by ", N skipped" when tests were skipped
# (a part they need is not on this machine). A kernel whose guest does not
# finish counts as one failed test. Exit status 0 iff every kernel finished
# with no failure.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"

read -r -a kernels <<<"${VFTRACE_VM_KERNELS:-6.1 6.12}"
filter=("$@")
limit="${VFTRACE_VM_TIMEOUT:-2400}"
stamp="$(date +%Y%m%d-%H%M%S)"

# Host variables the tests may need.
envs=()
while IFS= read -r name; do
	envs+=(--env "$name=${!name}")
done < <(compgen -e | grep -E '^VFTRACE(_[A-Za-z0-9_]*)?$' | grep -vE '^VFTRACE_VM_(KERNELS|CACHE|CWD)$' || true)

passed=0 failed=0 skipped=0 bad=0
summary=()
# The newest qemu with igb, once for all kernels (run.sh takes the cached one).
qemu_ok=1
"$HERE/qemu.sh" fetch || qemu_ok=0
# guest K: boot kernel K and run the tests in it; its output in OUT/output.log (run.sh),
# its exit status in OUT/run_rc, its wall time in OUT/wall_s.
guest() {
	local k="$1" out="$2" start rc=0
	start="$(date +%s.%N)"
	VFTRACE_VM_CWD="$REPO" "$HERE/run.sh" --kernel "$k" --out "$out" --timeout "$limit" \
		"${envs[@]}" -- tests/vm/run-all.sh "${filter[@]}" || rc=$?
	echo "$rc" >"$out/run_rc"
	awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f\n", e - s }' >"$out/wall_s"
}

# The guests run side by side, VFTRACE_VM_JOBS at a time (default: 2 where the machine has
# 2 or more CPUs; one guest is one TCG thread), each line of their output prefixed "[K] ".
jobs_max="${VFTRACE_VM_JOBS:-$(($(nproc) >= 2 ? 2 : 1))}"
ran=()
for k in "${kernels[@]}"; do
	out="$REPO/tests/vm/out/$k-$stamp"
	if ((!qemu_ok)) || ! "$HERE/kernels.sh" fetch "$k"; then
		summary+=("vm $k: error: could not fetch the kernel or qemu (see above); counted as 1 failure")
		failed=$((failed + 1)) bad=1
		continue
	fi
	mkdir -p "$out"
	while (($(jobs -rp | wc -l) >= jobs_max)); do
		wait -n || true
	done
	echo "=== vm $k: booting, running tests/vm/run-all.sh ${filter[*]}" >&2
	{ guest "$k" "$out" 2>&1 | sed -u "s/^/[$k] /"; } &
	ran+=("$k")
done
wait

for k in "${ran[@]}"; do
	out="$REPO/tests/vm/out/$k-$stamp"
	rc="$(cat "$out/run_rc" 2>/dev/null || echo 3)"
	secs="$(cat "$out/wall_s" 2>/dev/null || echo "?")"
	boot="$(cat "$out/boot_s" 2>/dev/null || echo "?")"
	timing="  $k: guest up in ${boot} s (guest clock), boot + tests + power-off ${secs} s; logs in $out"

	closing="$(grep -E '^vm\(.*\): [0-9]+ passed, [0-9]+ failed(, [0-9]+ skipped)?$' "$out/output.log" 2>/dev/null | tail -n 1 || true)"
	if [[ -n "$closing" && "$rc" != 3 ]]; then
		read -r p f s < <(sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed(, ([0-9]+) skipped)?$/\1 \2 \4/' <<<"$closing")
		passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + ${s:-0}))
		((rc == 0)) || bad=1
		summary+=("$closing" "$timing")
		# Host-side checks of what the guest left in its output dir (tests/vm/host_*.sh OUT),
		# run only when the guest's tests ran, each counted as one test.
		for h in "$REPO"/tests/vm/host_*.sh; do
			[[ -x "$h" ]] || continue
			[[ ${#filter[@]} -eq 0 || "$(basename "$h")" == *"${filter[0]#test_}"* ]] || continue
			if "$h" "$out" >"$out/$(basename "$h" .sh).log" 2>&1; then
				passed=$((passed + 1))
				summary+=("  host check $(basename "$h" .sh) ($k): ok: $(tail -n 1 "$out/$(basename "$h" .sh).log")")
			else
				failed=$((failed + 1)) bad=1
				summary+=("  host check $(basename "$h" .sh) ($k): FAILED, see $out/$(basename "$h" .sh).log")
				sed 's/^/    /' "$out/$(basename "$h" .sh).log" >&2
			fi
		done
	else
		failed=$((failed + 1)) bad=1
		summary+=("vm $k: error: the guest did not finish (run.sh exit status $rc); see $out/console.log; counted as 1 failure" "$timing")
	fi
done

echo
echo "=== vm summary"
printf '%s\n' "${summary[@]}"
echo "vm: $passed passed, $failed failed$( ((skipped == 0)) || echo ", $skipped skipped")"
exit "$bad"
