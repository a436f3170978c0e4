#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# lib.sh - shared functions of the benchmarks (tests/bench/): timing a
# command to a ready line, CPU time of a process, medians, result files.
# Used on the host (run.sh) and in the guest (guest.sh). Source it:
#
#   . tests/bench/lib.sh

# The TTR_* variables are results for the caller.
# shellcheck disable=SC2034

# bench_log MSG: a progress line on stderr.
bench_log() {
	echo "bench: $*" >&2
}

# median: the median of the numbers on stdin, one a line (mean of the two
# middle ones for an even count); prints nothing for no input.
median() {
	sort -g | awk '{ v[NR] = $1 }
		END {
			if (NR == 0) exit
			if (NR % 2) printf "%.3f\n", v[(NR + 1) / 2]
			else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2
		}'
}

# fdiv A B [DIGITS]: A / B, or "-" when either is missing or B is 0.
fdiv() {
	awk -v a="${1:-}" -v b="${2:-}" -v d="${3:-1}" 'BEGIN {
		if (a == "" || b == "" || a == "-" || b == "-" || b + 0 == 0) print "-"
		else printf "%.*f\n", d, a / b
	}'
}

# result KEY VALUE: record one figure in $BENCH_RESULTS (KEY=VALUE lines).
result() {
	printf '%s=%s\n' "$1" "$2" >>"$BENCH_RESULTS"
}

# elapsed T0 T1: seconds from T0 to T1, both $EPOCHREALTIME values, with
# 3 decimals, into the variable ELAPSED (no fork: it runs inside timings).
elapsed() {
	local d=$((10#${2//[.,]/} - 10#${1//[.,]/}))
	printf -v ELAPSED '%d.%03d' $((d / 1000000)) $((d % 1000000 / 1000))
}

# time_to_ready PATTERN LOG TIMEOUT_S CMD [ARGS...]
#
# Runs CMD with stdout and stderr on a pipe and measures the wall time from
# its exec to the first output line that matches the bash glob PATTERN. The
# start time is taken in the forked child right before it execs CMD, the end
# time when the first byte of the matching line arrives; lines come through a
# pipe as the command writes them, so nothing is polled, and nothing forks
# until the ready line. Sets:
#   TTR_S        seconds from exec to the ready line ("" if none came)
#   TTR_MARKS    "SECONDS LINE" for each line before the ready line
#   TTR_PID      the command's pid, still running when the line came
#   TTR_FD       fd to read the rest of its output from (see ttr_stop)
# Hook: if a function ttr_on_ready exists it is called right after the
# ready line (e.g. to check what the command had attached by then).
# Returns 1 when no ready line came within TIMEOUT_S (the command is killed).
time_to_ready() {
	local pattern=$1 log=$2 limit=$3 t0="" line rest now i
	local -a times=() lines=()
	shift 3
	TTR_S=""
	TTR_MARKS=()
	: >"$log"
	exec {TTR_FD}< <(
		printf 'T0 %s\n' "$EPOCHREALTIME"
		exec "$@" 2>&1
	)
	TTR_PID=$!
	# A line's time is that of its first byte: the commands write a line
	# with one write(), and bash reads a pipe byte by byte, which would
	# charge the reading of a long line to the command.
	while IFS= read -r -N 1 -t "$limit" -u "$TTR_FD" line; do
		now=$EPOCHREALTIME
		if [[ "$line" == $'\n' ]]; then
			line=""
		else
			IFS= read -r -t "$limit" -u "$TTR_FD" rest || true
			line+=$rest
		fi
		if [[ -z "$t0" && "$line" == "T0 "* ]]; then
			t0=${line#T0 }
			continue
		fi
		# shellcheck disable=SC2053 # PATTERN is a glob
		if [[ "$line" == $pattern ]]; then
			elapsed "$t0" "$now"
			TTR_S=$ELAPSED
			if declare -F ttr_on_ready >/dev/null; then
				ttr_on_ready
			fi
			for i in "${!times[@]}"; do
				elapsed "$t0" "${times[i]}"
				TTR_MARKS+=("$ELAPSED ${lines[i]}")
			done
			printf '%s\n' "${lines[@]}" "$line" >"$log"
			return 0
		fi
		times+=("$now")
		lines+=("$line")
	done
	printf '%s\n' "${lines[@]}" >"$log"
	bench_log "no line matching '$pattern' from '$*' within ${limit}s; its output: $(tr '\n' ' ' <"$log")"
	kill -KILL "$TTR_PID" 2>/dev/null
	exec {TTR_FD}<&-
	wait "$TTR_PID" 2>/dev/null
	return 1
}

# ttr_stop LOG: SIGINT the command of the last time_to_ready, append the rest
# of its output to LOG, and reap it (SIGKILL after 30 s). Returns its exit
# status.
ttr_stop() {
	local log=$1 rc=0
	kill -INT "$TTR_PID" 2>/dev/null
	timeout 30 cat <&"$TTR_FD" >>"$log" || {
		bench_log "pid $TTR_PID did not stop within 30 s of SIGINT; killing it"
		kill -KILL "$TTR_PID" 2>/dev/null
	}
	exec {TTR_FD}<&-
	wait "$TTR_PID" || rc=$?
	return "$rc"
}

# ready_hooks LOG: "N attached, N waiting, N unavailable" from the ready
# line in LOG.
ready_hooks() {
	jq -r 'select(.type == "ready") | [.hooks[].status] as $s
		| ["attached", "waiting", "unavailable"]
		| map(. as $k | "\([$s[] | select(. == $k)] | length) \($k)") | join(", ")' "$1" 2>/dev/null
}

# cpu_ticks PID: utime + stime of PID in clock ticks (/proc/PID/stat fields 14
# and 15; the name field may hold spaces, so split after its ')').
cpu_ticks() {
	local stat rest
	stat=$(<"/proc/$1/stat") || return 1
	rest=${stat##*) }
	# shellcheck disable=SC2086 # split into fields on purpose
	set -- $rest
	# $1 is field 3 (state): utime is field 14, stime field 15.
	echo $((${12} + ${13}))
}

# cpu_ns PID: time PID has spent on a CPU, in ns (/proc/PID/schedstat field 1;
# the scheduler's clock, not sampled by ticks).
cpu_ns() {
	local run _
	read -r run _ <"/proc/$1/schedstat" || return 1
	echo "$run"
}

# idle_cpu PREFIX SECONDS LOG CMD [ARGS...]
#
# Starts CMD (a `vftrace watch --json`), waits for its ready line, then
# measures its CPU time over SECONDS with nothing to report, and stops it
# with SIGINT. Records, under PREFIX_:
#   ticks_ms   utime+stime from /proc/PID/stat over the window, in ms
#              (resolution one clock tick: 1000/CLK_TCK ms)
#   sched_ms   on-CPU time from /proc/PID/schedstat over the window, in ms
#   startup_ms utime+stime from exec to the ready line, in ms
#   events     events of the run but the start-up inventory (0 when idle)
#   window_s   SECONDS
# Returns 1 if the command did not get ready or did not stop cleanly.
idle_cpu() {
	local prefix=$1 secs=$2 log=$3 hz t0 s0 t1 s1 rc=0 events
	shift 3
	hz=$(getconf CLK_TCK)
	time_to_ready '{"type":"ready"*' "$log" 120 "$@" || return 1
	if ! t0=$(cpu_ticks "$TTR_PID") || ! s0=$(cpu_ns "$TTR_PID"); then
		bench_log "cannot read /proc/$TTR_PID"
		ttr_stop "$log"
		return 1
	fi
	sleep "$secs"
	if ! t1=$(cpu_ticks "$TTR_PID") || ! s1=$(cpu_ns "$TTR_PID"); then
		bench_log "pid $TTR_PID died during the idle window; its output: $(tr '\n' ' ' <"$log")"
		ttr_stop "$log"
		return 1
	fi
	ttr_stop "$log" || rc=$?
	if ((rc != 0)); then
		bench_log "'$*' exited $rc on SIGINT"
		return 1
	fi
	# The start-up inventory (devices present at start) is no activity.
	events=$(jq -s '[.[] | select(.type == "event" and .source != "inventory")] | length' "$log" 2>/dev/null)
	result "${prefix}_ticks_ms" $(((t1 - t0) * 1000 / hz))
	result "${prefix}_sched_ms" "$(awk -v a="$s0" -v b="$s1" 'BEGIN { printf "%.2f\n", (b - a) / 1e6 }')"
	result "${prefix}_startup_ms" $((t0 * 1000 / hz))
	result "${prefix}_events" "${events:--}"
	result "${prefix}_window_s" "$secs"
	result "${prefix}_tick_ms" $((1000 / hz))
}
