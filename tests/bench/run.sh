#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# run.sh - `make bench`: the vftrace benchmarks (docs/bench.md). Measures the
# idle CPU of vftrace on this machine (no hooks attach here), boots Debian's
# 6.12 kernel under qemu once to run tests/bench/guest.sh (start to ready
# against bpftrace, idle CPU and ring-buffer bursts with the hooks attached),
# then prints every figure with its target and PASS or MISS.
#
# Usage: tests/bench/run.sh [--out DIR] [--diag] [startup] [idle] [burst]
#   --out DIR   where results and logs go (default: a fresh
#               tests/vm/out/bench-<time>/)
#   --diag      also the variants that locate a missed target (start to
#               ready with kprobes; idle and a burst with ib_core loaded);
#               about 1.5 minutes more
#   startup, idle, burst: run only these benchmarks (default: all)
#
# Environment: BENCH_RUNS (5), BENCH_IDLE_S (30), BENCH_BURST_DEVICES (1000),
# BENCH_DIAG (0; 1 = --diag), VFTRACE (build/vftrace) are passed on to the
# guest.
#
# Exit status: 0 when the benchmarks ran, whether or not their targets were
# met; 1 when one could not run (no guest, no figures); 2 for usage errors.
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
cd "$REPO" || exit 1
. tests/bench/lib.sh

die() {
	echo "bench: error: $*" >&2
	exit "${2:-1}"
}

out=""
todo=()
while (($#)); do
	case $1 in
	--out) out="${2:?--out needs a dir}"; shift 2 ;;
	--diag) export BENCH_DIAG=1; shift ;;
	startup | idle | burst) todo+=("$1"); shift ;;
	-h | --help) sed -n '/^# Usage:/,/^# Exit status/p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) die "unknown argument '$1' (see --help)" 2 ;;
	esac
done
((${#todo[@]})) || todo=(startup idle burst)

VFTRACE=${VFTRACE:-build/vftrace}
IDLE_S=${BENCH_IDLE_S:-30}
((EUID == 0)) || die "run as root (BPF in the guest, qemu's 9p export of /)"
[[ -x "$VFTRACE" ]] || die "$VFTRACE not found; run make first"
for t in jq bpftrace qemu-system-x86_64; do
	command -v "$t" >/dev/null || die "$t not found; run scripts/deps.sh"
done

if [[ -z "$out" ]]; then
	out="tests/vm/out/bench-$(date +%Y%m%d-%H%M%S)"
fi
mkdir -p "$out" || die "cannot create $out"
out="$(cd "$out" && pwd -P)"
BENCH_RESULTS=$out/results.host
: >"$BENCH_RESULTS"
started=$SECONDS
wants() { [[ " ${todo[*]} " == *" $1 "* ]]; }

# ---- on the host: the user-space loop alone --------------------------------

if wants idle; then
	bench_log "idle (host): $VFTRACE watch --json, ${IDLE_S}s; no hook attaches on $(uname -r)"
	if idle_cpu idle_host "$IDLE_S" "$out/idle-host.log" "$VFTRACE" watch --json; then
		result idle_host_attached "$(jq -r 'select(.type == "ready") | [.hooks[] | select(.status == "attached")] | length' "$out/idle-host.log")"
	else
		bench_log "idle (host): could not run"
	fi
	result host_kernel "$(uname -r)"
fi

# ---- in the guest -------------------------------------------------------------

envs=()
for v in BENCH_RUNS BENCH_IDLE_S BENCH_BURST_DEVICES BENCH_DIAG VFTRACE; do
	[[ -n "${!v:-}" ]] && envs+=(--env "$v=${!v}")
done

# boot NAME BENCHMARKS...: run guest.sh in a fresh guest; its files go to
# $out/NAME.
boot() {
	local name=$1
	shift
	bench_log "booting the 6.12 guest for: $*"
	scripts/vm/run.sh --kernel 6.12 --out "$out/$name" --timeout 600 "${envs[@]}" \
		-- tests/bench/guest.sh "$@"
}

guest_todo=("${todo[@]}")
boot guest "${guest_todo[@]}"
grc=$?
cat "$out/guest/results" 2>/dev/null >"$out/results"
# With --diag the guest runs the variants with a module loaded last, as
# their own step (added again by guest.sh when it runs any other).
steps=("${guest_todo[@]}")
[[ "${BENCH_DIAG:-0}" == 1 ]] && steps+=(modules)
# A second boot only for the steps the first could not finish (a guest that
# hung or crashed; one that ran and failed would fail again).
if ((grc == 3)); then
	redo=()
	for b in "${steps[@]}"; do
		grep -qx "${b}_ok=1" "$out/results" && continue
		[[ $b == modules && -n "${redo[*]}" ]] && continue
		redo+=("$b")
	done
	if ((${#redo[@]})); then
		bench_log "the guest did not finish; booting again for: ${redo[*]}"
		boot guest2 "${redo[@]}"
		grc=$?
		cat "$out/guest2/results" >>"$out/results" 2>/dev/null
	fi
fi
cat "$BENCH_RESULTS" >>"$out/results"

# ---- the table ----------------------------------------------------------------

declare -A R=()
while IFS='=' read -r k v; do
	[[ -n "$k" ]] && R[$k]=$v
done <"$out/results"
r() { echo "${R[$1]:--}"; }

# verdict OK: PASS or MISS; "-" when the figure is missing.
verdict() {
	case $1 in
	1) echo PASS ;;
	0) echo MISS ;;
	*) echo "-" ;;
	esac
}
# lt A B / ge A B: 1 or 0 (numbers), "" when A is missing.
lt() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || a == "") print ""; else print (a + 0 < b + 0) ? 1 : 0 }'; }
ge() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || a == "") print ""; else print (a + 0 >= b + 0) ? 1 : 0 }'; }

rows=()
row() { rows+=("$1"$'\t'"$2"$'\t'"$3"$'\t'"$4"); }

if wants startup; then
	v=$(r startup_vftrace_s)
	b=$(r startup_bpftrace_s)
	ratio=$(fdiv "$b" "$v" 1)
	row "1 start to ready: vftrace watch --json" "${v} s, median of ${BENCH_RUNS:-5}; $(r startup_vftrace_hooks)" "" ""
	row "  bpftrace $(r startup_bpftrace_version), same 3 functions, 5 kprobes" "${b} s, median; \"Attaching\" at $(r startup_bpftrace_attaching_s) s" "" ""
	row "  ratio bpftrace / vftrace" "${ratio}x" ">= 10x" "$(verdict "$(ge "$ratio" 10)")"
	[[ -n "${R[startup_vftrace_kprobe_s]:-}" ]] &&
		row "  (diag) vftrace --mechanism kprobe" "$(r startup_vftrace_kprobe_s) s, median; bpftrace / it: $(fdiv "$b" "$(r startup_vftrace_kprobe_s)" 1)x" "" ""
	row "  (info) first runs, cold caches" "vftrace $(r startup_vftrace_cold_s) s, bpftrace $(r startup_bpftrace_cold_s) s" "" ""
	[[ "$(r startup_bpftrace_premature)" =~ ^[1-9] ]] &&
		row "  WARNING bpftrace ready before its kprobes" "$(r startup_bpftrace_premature) runs" "" ""
fi
if wants idle; then
	row "2 idle CPU over $(r idle_guest_window_s) s, guest: $(r idle_guest_hooks)" "$(r idle_guest_ticks_ms) ms utime+stime (tick $(r idle_guest_tick_ms) ms)" "< 10 ms" \
		"$(verdict "$(lt "$(r idle_guest_ticks_ms)" 10)")"
	row "  same, on-CPU time (schedstat, ns clock)" "$(r idle_guest_sched_ms) ms; $(r idle_guest_events) events" "< 10 ms" \
		"$(verdict "$(lt "$(r idle_guest_sched_ms)" 10)")"
	[[ -n "${R[idle_modules_sched_ms]:-}" ]] &&
		row "  (diag) guest, ib_core loaded: $(r idle_modules_hooks)" "$(r idle_modules_ticks_ms) ms utime+stime, $(r idle_modules_sched_ms) ms on-CPU" "< 10 ms" \
			"$(verdict "$(lt "$(r idle_modules_sched_ms)" 10)")"
	row "  host (no BPF hook attaches here)" "$(r idle_host_ticks_ms) ms utime+stime, $(r idle_host_sched_ms) ms on-CPU" "< 10 ms" \
		"$(verdict "$(lt "$(r idle_host_sched_ms)" 10)")"
fi
if wants burst; then
	# burst_row LABEL NAME TARGET STRICT: STRICT 1 also wants no other event.
	burst_row() {
		local p=burst_$1 e rcv l o d dup=- ok=""
		e=$(r "${p}_expected")
		rcv=$(r "${p}_received")
		d=$(r "${p}_distinct")
		[[ "$rcv" != - && "$d" != - ]] && dup=$((rcv - d))
		l=$(r "${p}_lost")
		o=$(r "${p}_other")
		[[ "$e" == - ]] && return
		if [[ "$rcv" != - && "$l" != - ]]; then
			case $3 in
			zero) ((l == 0 && rcv == e)) && ok=1 || ok=0 ;;
			exact) ((rcv + l == e)) && { (($4 == 0)) || ((o == 0)); } && ok=1 || ok=0 ;;
			esac
		fi
		row "$2" "received $rcv + lost $l = $((${rcv//-/0} + ${l//-/0})) of $e" \
			"$([[ $3 == zero ]] && echo "0 lost, all received" || echo "received + lost = $e")" "$(verdict "$ok")"
		row "" "  by source: $(r "${p}_hooks") hooks, $(r "${p}_netlink") netlink; duplicates: $dup; other: $o${R[${p}_other_kinds]:+ (${R[${p}_other_kinds]})}" "" ""
		row "" "  create $(r "${p}_create_s") s, delete $(r "${p}_delete_s") s, drained $(r "${p}_drain_s") s later" "" ""
	}
	n=$(r burst_devices)
	burst_row default "3a burst: $n dummies added, then deleted at once; default ring, -i 'vfb*'" zero 0
	burst_row default_hooks "3a' same, hooks only ($(r burst_default_hooks_options | sed 's/^-i [^ ]* //'))" zero 0
	burst_row min "3b same burst, --ringbuf-size 4096, no filter $(r burst_min_options | sed 's/--ringbuf-size 4096 *//')" exact 0
	burst_row min_hooks "3b' same, 4096, hooks only" exact 1
	burst_row modules_hooks "(diag) 3a' with ib_core loaded: no re-plan" zero 0
fi

echo
echo "vftrace benchmarks: guest $(r kernel) under qemu TCG ($(r vcpus) vCPUs), host $(uname -r), $(r date)"
printf '%s\n' "${rows[@]}" | awk -F'\t' '
	{ for (i = 1; i <= 4; i++) { c[NR, i] = $i; if (length($i) > w[i]) w[i] = length($i) } }
	END {
		h[1] = "benchmark"; h[2] = "measured"; h[3] = "target"; h[4] = "result"
		for (i = 1; i <= 4; i++) if (length(h[i]) > w[i]) w[i] = length(h[i])
		fmt = "%-" w[1] "s  %-" w[2] "s  %-" w[3] "s  %s\n"
		printf fmt, h[1], h[2], h[3], h[4]
		for (r = 1; r <= NR; r++) printf fmt, c[r, 1], c[r, 2], c[r, 3], c[r, 4]
	}'
echo "results and logs: $out ($((SECONDS - started)) s)"

missing=0
for b in "${steps[@]}"; do
	[[ "$(r "${b}_ok")" == 1 ]] || { echo "bench: $b could not run; see $out/guest*/" >&2; missing=1; }
done
((grc == 0 && missing == 0)) || exit 1
exit 0
