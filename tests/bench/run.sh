#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# run.sh - `make bench`: the vftrace benchmarks (docs/bench.md). Measures the
# idle CPU of vftrace on this machine (whose kernel refuses most hooks: this
# is mostly the user-space loop) and the replay of a synthetic capture
# (build/replay_bench), boots Debian's 6.12 kernel under qemu once to run
# tests/bench/guest.sh (start to ready against bpftrace, idle CPU and
# ring-buffer bursts with the hooks attached), then prints every figure with
# its target and PASS or MISS.
#
# Usage: tests/bench/run.sh [--out DIR] [--diag] [startup] [idle] [burst] [replay] [footprint]
#   --out DIR   where results and logs go (default: a fresh
#               tests/vm/out/bench-<time>/)
#   --diag      also the variants that locate a missed target (start to
#               ready with kprobes; bursts from the hooks alone, and at the
#               default size with vftrace stopped; idle with ib_core
#               loaded): about 2 minutes more
#   startup, idle, burst, replay, footprint: run only these benchmarks
#               (default: all). replay alone needs neither root nor the
#               guest; footprint needs root for its live part only.
#
# Environment: BENCH_RUNS (5), BENCH_IDLE_S (30), BENCH_BURST_DEVICES (1000),
# BENCH_DIAG (0; 1 = --diag), VFTRACE (build/vftrace) are passed on to the
# guest. BENCH_REPLAY_RUNS (5): timed replays; REPLAY_BENCH
# (build/replay_bench).
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
benches=()
while (($#)); do
	case $1 in
	--out) out="${2:?--out needs a dir}"; shift 2 ;;
	--diag) export BENCH_DIAG=1; shift ;;
	startup | idle | burst | replay | footprint) benches+=("$1"); shift ;;
	-h | --help) sed -n '/^# Usage:/,/^# Exit status/p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) die "unknown argument '$1' (see --help)" 2 ;;
	esac
done
((${#benches[@]})) || benches=(startup idle burst replay footprint)
wants() { [[ " ${benches[*]} " == *" $1 "* ]]; }

# The benchmarks that run vftrace itself, in the guest (idle also on the host):
# they need root, the VM harness and the tools.
guest_benches=()
for b in "${benches[@]}"; do
	[[ $b == replay || $b == footprint ]] || guest_benches+=("$b")
done

VFTRACE=${VFTRACE:-build/vftrace}
REPLAY_BENCH=${REPLAY_BENCH:-build/replay_bench}
IDLE_S=${BENCH_IDLE_S:-30}
if ((${#guest_benches[@]})); then
	((EUID == 0)) || die "run as root (BPF in the guest, qemu's 9p export of /)"
	[[ -x "$VFTRACE" ]] || die "$VFTRACE not found; run make first"
	for t in jq bpftrace qemu-system-x86_64; do
		command -v "$t" >/dev/null || die "$t not found; run scripts/deps.sh"
	done
fi
if wants replay || wants footprint; then
	[[ -x "$REPLAY_BENCH" ]] || die "$REPLAY_BENCH not found; run make $REPLAY_BENCH"
fi
if wants footprint; then
	[[ -x "$VFTRACE" ]] || die "$VFTRACE not found; run make first"
fi

if [[ -z "$out" ]]; then
	out="tests/vm/out/bench-$(date +%Y%m%d-%H%M%S)"
fi
mkdir -p "$out" || die "cannot create $out"
out="$(cd "$out" && pwd -P)"
BENCH_RESULTS=$out/results.host
: >"$BENCH_RESULTS"
started=$SECONDS

result vftrace_commit "$(git rev-parse --short HEAD 2>/dev/null || echo -)"
# Every run, here and in the guest (which reads the host's files live), uses
# this copy: a rebuild of build/vftrace during the benchmark changes nothing.
if ((${#guest_benches[@]})); then
	cp "$VFTRACE" "$out/vftrace" || die "cannot copy $VFTRACE to $out"
	result vftrace_built "$(date -u -r "$VFTRACE" '+%Y-%m-%d %H:%M UTC')"
	result vftrace_sha256 "$(sha256sum "$out/vftrace" | cut -c1-16)"
	VFTRACE=$out/vftrace
fi

# ---- on the host: the user-space loop alone --------------------------------

if wants idle; then
	bench_log "idle (host, $(uname -r)): vftrace watch --json, ${IDLE_S}s"
	if idle_cpu idle_host "$IDLE_S" "$out/idle-host.log" "$VFTRACE" watch --json; then
		result idle_host_hooks "$(ready_hooks "$out/idle-host.log")"
	else
		bench_log "idle (host): could not run"
	fi
	result host_kernel "$(uname -r)"
fi

# ---- on the host: replay of a capture ----------------------------------------

# Before the guest boots: qemu would share the CPUs with the timed replays.
if wants replay; then
	bench_log "replay (host): a synthetic capture of 1000000 events over 10240 VFs"
	if ! "$REPLAY_BENCH" -R "${BENCH_REPLAY_RUNS:-5}" -f "$BENCH_RESULTS" >"$out/replay.log" 2>&1; then
		bench_log "replay: could not run, or did not see what was generated; see $out/replay.log"
		tail -5 "$out/replay.log" >&2
	fi
fi

# ---- on the host: the audit daemon's footprint --------------------------------

# audit_over CAP DIR: vftrace audit --from-capture CAP, its flight recorder
# and textfile in DIR; prints its peak RSS (KiB, from wait4) and leaves
# DIR/metrics.prom, whose process_resident_memory_bytes is its RSS at the end.
audit_over() {
	mkdir -p "$2/cap" || return 1
	python3 - "$VFTRACE" audit --from-capture "$1" --capture-dir "$2/cap" \
		--metrics-textfile "$2/metrics.prom" 2>"$2/audit.err" <<'PY'
import resource, subprocess, sys
rc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
sys.exit(rc)
PY
}

# metric FILE NAME [LABELS]: the value of one sample of a textfile, or "-".
metric() {
	local k=$2

	[[ -n "${3:-}" ]] && k="$2{$3}"
	awk -v k="$k" '$1 == k { v = $2 } END { print (v == "" ? "-" : v) }' "$1"
}

if wants footprint; then
	fp=$out/footprint
	mkdir -p "$fp"
	bench_log "footprint (host): vftrace audit over 1000000 events on 10240 VFs"
	t0=$SECONDS
	if "$REPLAY_BENCH" -g -o "$fp/big.vftcap" -n 1000000 -v 10240 >"$fp/gen.log" 2>&1 &&
		"$REPLAY_BENCH" -g -o "$fp/small.vftcap" -n 2000 -v 64 >>"$fp/gen.log" 2>&1 &&
		peak=$(audit_over "$fp/big.vftcap" "$fp/big") &&
		audit_over "$fp/small.vftcap" "$fp/small" >/dev/null; then
		rm -f "$fp/big.vftcap" "$fp/small.vftcap" "$fp"/*/cap/*
		m=$fp/big/metrics.prom
		result footprint_s $((SECONDS - t0))
		result footprint_rss_mb "$(fdiv "$(metric "$m" process_resident_memory_bytes)" 1000000 1)"
		result footprint_peak_mb "$(fdiv "$peak" 976.5625 1)"
		result footprint_base_mb "$(fdiv "$(metric "$fp/small/metrics.prom" process_resident_memory_bytes)" 1000000 1)"
		result footprint_vf_records "$(metric "$m" vftrace_state_records 'kind="vf"')"
		result footprint_netns_records "$(metric "$m" vftrace_state_records 'kind="netns"')"
		result footprint_netns_forgotten "$(metric "$m" vftrace_state_forgotten_total 'kind="netns"')"
		result footprint_ok 1
	else
		bench_log "footprint: the audit over the capture failed; see $fp"
		result footprint_ok 0
	fi
	# The live daemon, idle: its hooks and BPF maps loaded (root only).
	if ((EUID == 0)); then
		mkdir -p "$fp/live/cap"
		"$VFTRACE" audit --metrics-textfile "$fp/live/metrics.prom" --capture-dir "$fp/live/cap" \
			>/dev/null 2>"$fp/live/audit.err" &
		apid=$!
		# the textfile is written once the daemon runs: its first metrics tick
		for ((i = 0; i < 300; i++)); do
			[[ -s "$fp/live/metrics.prom" ]] || ! kill -0 "$apid" 2>/dev/null && break
			sleep 0.1
		done
		# of its RSS, the BPF maps mapped into it: the ring buffer, its data pages twice
		mapped=$(awk '/^[0-9a-f]+-/ { bpf = ($6 == "anon_inode:bpf-map") } bpf && /^Rss:/ { s += $2 }
			END { printf "%.1f", s * 1024 / 1e6 }' "/proc/$apid/smaps" 2>/dev/null || echo -)
		kill -TERM "$apid" 2>/dev/null
		wait "$apid"
		m=$fp/live/metrics.prom
		if [[ -s "$m" ]]; then
			result footprint_live_mb "$(fdiv "$(metric "$m" process_resident_memory_bytes)" 1000000 1)"
			result footprint_bpf_maps_mb "$(awk '/^vftrace_bpf_map_bytes/ { s += $2 } END { printf "%.1f", s / 1e6 }' "$m")"
			result footprint_bpf_maps "$(awk '/^vftrace_bpf_map_bytes/ { split($1, a, "\""); printf "%s%s %.1f MB", n++ ? ", " : "", a[2], $2 / 1e6 }' "$m")"
			result footprint_live_mapped_mb "$mapped"
			result footprint_live_hooks "$(awk '/^vftrace_hook_attached/ { a += $2; n++ } END { print a "/" n }' "$m")"
		else
			bench_log "footprint: the live audit did not start; see $fp/live/audit.err"
		fi
	else
		bench_log "footprint: not root, so no live audit (BPF map memory, RSS with the hooks)"
	fi
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

grc=0
: >"$out/results"
steps=()
if ((${#guest_benches[@]})); then
	boot guest "${guest_benches[@]}"
	grc=$?
	cat "$out/guest/results" 2>/dev/null >"$out/results"
	# With --diag the guest runs idle's variant with a module loaded last, as
	# its own step (added again by guest.sh when it runs idle).
	steps=("${guest_benches[@]}")
	wants idle && [[ "${BENCH_DIAG:-0}" == 1 ]] && steps+=(modules)
fi
# A second boot only for the steps the first could not finish (a guest that
# hung or crashed; one that ran and failed would fail again).
if ((grc == 3)); then
	redo=()
	for b in "${steps[@]}"; do
		grep -qx "${b}_ok=1" "$out/results" && continue
		[[ $b == modules && " ${redo[*]} " == *" idle "* ]] && continue
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
# lt A B / ge A B / le A B: 1 or 0 (numbers), "" when A is missing.
lt() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || a == "") print ""; else print (a + 0 < b + 0) ? 1 : 0 }'; }
ge() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || a == "") print ""; else print (a + 0 >= b + 0) ? 1 : 0 }'; }
le() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || a == "") print ""; else print (a + 0 <= b + 0) ? 1 : 0 }'; }

rows=()
row() { rows+=("$1"$'\t'"$2"$'\t'"$3"$'\t'"$4"); }

if wants startup; then
	v=$(r startup_vftrace_s)
	b=$(r startup_bpftrace_s)
	ratio=$(fdiv "$b" "$v" 1)
	row "1 start to ready: vftrace watch --json" "$v s (median of ${BENCH_RUNS:-5})" "" ""
	row "  its hooks" "$(r startup_vftrace_hooks)" "" ""
	row "  bpftrace $(r startup_bpftrace_version): 5 kprobes, 3 functions" "$b s (median); \"Attaching\" at $(r startup_bpftrace_attaching_s) s" "" ""
	row "  ratio bpftrace / vftrace" "${ratio}x" ">= 10x" "$(verdict "$(ge "$ratio" 10)")"
	[[ -n "${R[startup_vftrace_kprobe_s]:-}" ]] &&
		row "  (diag) vftrace --mechanism kprobe" "$(r startup_vftrace_kprobe_s) s: ratio $(fdiv "$b" "$(r startup_vftrace_kprobe_s)" 1)x" "" ""
	row "  (info) first runs, cold caches" "vftrace $(r startup_vftrace_cold_s) s, bpftrace $(r startup_bpftrace_cold_s) s" "" ""
	[[ "$(r startup_bpftrace_premature)" =~ ^[1-9] ]] &&
		row "  WARNING bpftrace ready before its kprobes" "$(r startup_bpftrace_premature) runs" "" ""
fi
if wants idle; then
	row "2 idle CPU over $(r idle_guest_window_s) s, guest" "$(r idle_guest_ticks_ms) ms utime+stime ($(r idle_guest_tick_ms) ms ticks)" "< 10 ms" \
		"$(verdict "$(lt "$(r idle_guest_ticks_ms)" 10)")"
	row "  the same, on-CPU time (schedstat)" "$(r idle_guest_sched_ms) ms" "< 10 ms" \
		"$(verdict "$(lt "$(r idle_guest_sched_ms)" 10)")"
	row "  its hooks" "$(r idle_guest_hooks); $(r idle_guest_events) events" "" ""
	[[ -n "${R[idle_modules_sched_ms]:-}" ]] &&
		row "  (diag) guest, ib_core loaded: none waits" "$(r idle_modules_ticks_ms) ms utime+stime, $(r idle_modules_sched_ms) ms on-CPU" "< 10 ms" \
			"$(verdict "$(lt "$(r idle_modules_sched_ms)" 10)")"
	row "  host $(r host_kernel)" "$(r idle_host_ticks_ms) ms utime+stime, $(r idle_host_sched_ms) ms on-CPU" "< 10 ms" \
		"$(verdict "$(lt "$(r idle_host_sched_ms)" 10)")"
	row "  its hooks" "$(r idle_host_hooks); $(r idle_host_events) events" "" ""
fi
if wants burst; then
	# burst_row LABEL NAME TARGET: TARGET zero (nothing lost), exact
	# (received + lost = expected, no other event), lossy (exact, and some
	# lost), info (no target).
	burst_row() {
		local p=burst_$1 e rcv l o d t dup=- ok=""
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
			exact) ((rcv + l == e && o == 0)) && ok=1 || ok=0 ;;
			lossy) ((rcv + l == e && o == 0 && l > 0)) && ok=1 || ok=0 ;;
			info) ok=- ;;
			esac
		fi
		case $3 in
		zero) t="0 lost, all received" ;;
		exact) t="received + lost = $e" ;;
		lossy) t="the same, lost > 0" ;;
		info) t="" ;;
		esac
		row "$2" "received $rcv + lost $l = $((${rcv//-/0} + ${l//-/0})) of $e" "$t" "$(verdict "$ok")"
		row "" "by source: $(r "${p}_hooks") hooks, $(r "${p}_netlink") netlink; $dup duplicates, $o other${R[${p}_other_kinds]:+ (${R[${p}_other_kinds]})}" "" ""
		row "" "ip: create $(r "${p}_create_s") s, delete $(r "${p}_delete_s") s; drained $(r "${p}_drain_s") s later" "" ""
	}
	row "3 burst of $(r burst_devices) dummy devices" "created one by one, deleted in one request: $(r burst_default_expected) events" "" ""
	burst_row default "3a default ring buffer, -i 'vfb*'" zero
	burst_row min "3b --ringbuf-size 4096 $(r burst_min_options | sed 's/--ringbuf-size 4096 *//')" exact
	burst_row min_stop "3c as 3b, vftrace stopped in the deletion" lossy
	burst_row default_hooks "(diag) 3a, hooks only" zero
	burst_row min_hooks "(diag) 3b, hooks only" exact
	burst_row default_stop "(diag) 3c at the default size" info
fi
if wants replay; then
	row "4 replay: $(r replay_events) events over $(r replay_vfs) VFs" "$(r replay_pods) pod stays, $(r replay_event_rate) events/s of event time; $(r replay_findings) findings" "" ""
	row "  events/s, replay into a counting sink" "$(r replay_mevents) M events/s ($(r replay_s) s, median of $(r replay_runs))" ">= 1 M/s" \
		"$(verdict "$(ge "$(r replay_mevents)" 1)")"
	row "  floor: the file read and inflated" "$(r replay_floor_mevents) M events/s ($(r replay_floor_s) s)" "" ""
	row "  ratio replay / floor" "$(r replay_ratio)x" "<= 3x" \
		"$(verdict "$(le "$(r replay_ratio)" 3)")"
	row "  peak RSS of the replay process" "$(r replay_rss_mb) MB" "<= 64 MB" \
		"$(verdict "$(le "$(r replay_rss_mb)" 64)")"
	row "  bytes per event on disk" "$(r replay_bytes_per_event)" "<= 32" \
		"$(verdict "$(le "$(r replay_bytes_per_event)" 32)")"
	[[ "$(r replay_ok)" == 1 ]] ||
		row "  WARNING the replay did not run, or not as generated" "see replay.log" "" ""
fi

if wants footprint; then
	est=$(awk -v l="$(r footprint_live_mb)" -v e="$(r footprint_rss_mb)" -v b="$(r footprint_base_mb)" \
		'BEGIN { if (l == "-" || e == "-" || b == "-") print "-"; else printf "%.1f", l + e - b }')
	row "5 audit footprint: 1000000 events over 10240 VFs" "vftrace audit --from-capture, $(r footprint_s) s; $(r footprint_vf_records) VF records, $(r footprint_netns_records) netns held, $(r footprint_netns_forgotten) forgotten" "" ""
	row "  RSS at the end (process_resident_memory_bytes)" "$(r footprint_rss_mb) MB (peak $(r footprint_peak_mb) MB)" "" ""
	row "  the same over 2000 events on 64 VFs" "$(r footprint_base_mb) MB" "" ""
	row "  live audit on this host, idle" "$(r footprint_live_mb) MB RSS ($(r footprint_live_mapped_mb) MB of it BPF maps mapped in), hooks $(r footprint_live_hooks)" "" ""
	row "  BPF map memory (memlock)" "$(r footprint_bpf_maps_mb) MB: $(r footprint_bpf_maps)" "" ""
	row "  live + (end - small): the daemon after 1M events" "$est MB" "<= 20 MB" \
		"$(verdict "$(le "$est" 20)")"
fi

echo
if ((${#guest_benches[@]})); then
	echo "vftrace benchmarks, $(r date): guest $(r kernel) under qemu TCG ($(r vcpus) vCPUs), host $(uname -r)"
	echo "vftrace built $(r vftrace_built) in a tree at $(r vftrace_commit) (sha256 $(r vftrace_sha256)...)"
else
	echo "vftrace benchmarks, $(date -u +%Y-%m-%d): host $(uname -r) ($(nproc) CPUs), a tree at $(r vftrace_commit)"
fi
printf '%s\n' "${rows[@]}" | awk -F'\t' '
	{ for (i = 1; i <= 4; i++) { c[NR, i] = $i; if (length($i) > w[i]) w[i] = length($i) } }
	END {
		h[1] = "benchmark"; h[2] = "measured"; h[3] = "target"; h[4] = "result"
		for (i = 1; i <= 4; i++) if (length(h[i]) > w[i]) w[i] = length(h[i])
		fmt = "%-" w[1] "s  %-" w[2] "s  %-" w[3] "s  %s\n"
		printf fmt, h[1], h[2], h[3], h[4]
		for (r = 1; r <= NR; r++) {
			line = sprintf(fmt, c[r, 1], c[r, 2], c[r, 3], c[r, 4])
			sub(/ +\n$/, "\n", line)
			printf "%s", line
		}
	}'
echo "results and logs: $out ($((SECONDS - started)) s)"

missing=0
for b in "${steps[@]}"; do
	[[ "$(r "${b}_ok")" == 1 ]] || { echo "bench: $b could not run; see $out/guest*/" >&2; missing=1; }
done
if wants footprint && [[ "$(r footprint_ok)" != 1 ]]; then
	echo "bench: footprint could not run; see $out/footprint/" >&2
	missing=1
fi
if wants replay && [[ "$(r replay_ok)" != 1 ]]; then
	echo "bench: replay could not run, or not as generated; see $out/replay.log" >&2
	missing=1
fi
((grc == 0 && missing == 0)) || exit 1
exit 0
