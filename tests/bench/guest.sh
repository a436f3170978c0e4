#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# guest.sh - the vftrace benchmarks that need the BPF hooks attached; runs as
# root inside the 6.12 guest booted by tests/bench/run.sh (see docs/bench.md):
#
#   startup  wall time from exec to the ready line: `vftrace watch --json`
#            against bpftrace with equivalent kprobes
#   idle     CPU time of an idle `vftrace watch --json`
#   burst    register/unregister bursts of dummy devices: events received and
#            lost at the default ring buffer size and at the minimum (4K),
#            and at 4K with vftrace stopped during the burst
#
# Usage: guest.sh [startup] [idle] [burst] [modules]  (default: the first
#        three, and modules after idle with BENCH_DIAG=1)
#
# Figures go to $VM_OUT/results (KEY=VALUE lines), which run.sh turns into
# the table; each run's output to $VM_OUT/<benchmark>-*.log. Environment:
#   BENCH_RUNS           timed runs per tool for startup (default 5)
#   BENCH_IDLE_S         idle window in seconds (default 30)
#   BENCH_BURST_DEVICES  dummy devices per burst (default 1000)
#   BENCH_DIAG=1         also the variants that locate a missed target:
#                        start to ready with --mechanism kprobe; bursts from
#                        the hooks alone and at the default size with
#                        vftrace stopped; idle with ib_core loaded (step
#                        "modules", last)
#   VFTRACE              the binary (default build/vftrace)
#
# Exit status 0 when every benchmark ran (a missed target is a figure, not a
# failure), 1 when one could not run.

# The bench_* functions are called through "bench_$name".
# shellcheck disable=SC2317
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
. tests/bench/lib.sh

if [[ "${VFTRACE_VM:-}" != 1 ]]; then
	echo "$0: error: runs in the 6.12 guest; use tests/bench/run.sh (make bench)" >&2
	exit 2
fi

VFTRACE=${VFTRACE:-build/vftrace}
RUNS=${BENCH_RUNS:-5}
IDLE_S=${BENCH_IDLE_S:-30}
NDEV=${BENCH_BURST_DEVICES:-1000}
DIAG=${BENCH_DIAG:-0}
OUT=${VM_OUT:?}
BENCH_RESULTS=$OUT/results
TMP=$(mktemp -d)
NS=vfbench     # the burst's devices live in their own netns
PREFIX=vfb     # ... and are named vfb0, vfb1, ...
GROUP=4242     # ... in this device group, deleted in one request

cleanup() {
	ip netns del "$NS" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT

failed=0
: >"$BENCH_RESULTS"
result kernel "$(uname -r)"
result date "$(date -u +%Y-%m-%d)"
result vcpus "$(nproc)"

# ---- 1. start to ready ----------------------------------------------------

# bpftrace equivalent of vftrace's netdev hooks: the same functions, the
# same kprobe/kretprobe pairs, a line per hit. BEGIN's output is the ready
# signal: bpftrace prints what the BPF programs emit from its poll loop,
# which starts after every probe is attached (and ttr_on_ready checks it).
BT_SCRIPT='
kprobe:register_netdevice { printf("register %s\n", comm); }
kretprobe:register_netdevice { printf("register ret %d\n", retval); }
kprobe:call_netdevice_notifiers_info { printf("notifier %d\n", arg0); }
kprobe:__dev_change_net_namespace { printf("move %s\n", comm); }
kretprobe:__dev_change_net_namespace { printf("move ret %d\n", retval); }
BEGIN { printf("ready\n"); }
'
BT_FUNCS='register_netdevice|call_netdevice_notifiers_info|__dev_change_net_namespace'
BT_PROBES=5

# Called by time_to_ready at bpftrace's ready line: count the kprobes that
# are registered on the script's functions at that moment.
bt_probes_at_ready=""
bt_check_attached() {
	bt_probes_at_ready=$(grep -cE " ($BT_FUNCS)\+0x[0-9a-f]+ " /sys/kernel/debug/kprobes/list 2>/dev/null)
}

bench_startup() {
	local i tool log mech attaching=() premature=0 tools=(vftrace bpftrace)
	local -A times=()
	((DIAG)) && tools=(vftrace vftrace_kprobe bpftrace)

	# One untimed run of each first: the binaries and libraries (bpftrace's
	# libLLVM is ~100 MB) come over 9p on first use.
	bench_log "startup: warm-up runs"
	log=$TMP/warm.log
	time_to_ready '{"type":"ready"*' "$log" 120 "$VFTRACE" watch --json || return 1
	ttr_stop "$log" >/dev/null
	result startup_vftrace_cold_s "$TTR_S"
	time_to_ready 'ready' "$log" 300 bpftrace -B line -e "$BT_SCRIPT" || return 1
	ttr_stop "$log" >/dev/null
	result startup_bpftrace_cold_s "$TTR_S"

	# Interleaved, so drift in the emulator's speed hits all alike.
	for ((i = 1; i <= RUNS; i++)); do
		for tool in "${tools[@]}"; do
			log=$OUT/startup-$tool-$i.log
			case $tool in
			vftrace)
				time_to_ready '{"type":"ready"*' "$log" 120 "$VFTRACE" watch --json || return 1
				;;
			vftrace_kprobe)
				time_to_ready '{"type":"ready"*' "$log" 120 \
					"$VFTRACE" watch --json --mechanism kprobe || return 1
				;;
			bpftrace)
				bt_probes_at_ready=""
				ttr_on_ready() { bt_check_attached; }
				time_to_ready 'ready' "$log" 300 bpftrace -B line -e "$BT_SCRIPT" || return 1
				unset -f ttr_on_ready
				if [[ "$bt_probes_at_ready" != "$BT_PROBES" ]]; then
					bench_log "startup: bpftrace run $i: ${bt_probes_at_ready:-?} of $BT_PROBES kprobes registered at its ready line"
					premature=$((premature + 1))
				fi
				attaching+=("$(printf '%s\n' "${TTR_MARKS[@]}" | awk '/Attaching/ { print $1; exit }')")
				;;
			esac
			ttr_stop "$log" >/dev/null
			times[$tool]+="$TTR_S "
			bench_log "startup: run $i: $tool ${TTR_S}s"
		done
	done
	for tool in "${tools[@]}"; do
		result "startup_${tool}_runs" "${times[$tool]% }"
		result "startup_${tool}_s" "$(tr ' ' '\n' <<<"${times[$tool]}" | median)"
	done
	result startup_bpftrace_attaching_s "$(printf '%s\n' "${attaching[@]}" | median)"
	result startup_bpftrace_premature "$premature"
	result startup_bpftrace_version "$(bpftrace --version | awk '{ print $2 }')"
	# What vftrace attached: from the ready line of its last run.
	for mech in "" _kprobe; do
		log=$OUT/startup-vftrace$mech-$RUNS.log
		[[ -f "$log" ]] || continue
		result "startup_vftrace${mech}_hooks" "$(jq -r 'select(.type == "ready") |
			"\([.hooks[] | select(.status == "attached")] | length) attached of \(.hooks | length) hooks (\([.hooks[] | select(.status == "attached") | .mechanism] | group_by(.) | map("\(length) \(.[0])") | join(", ")))"' "$log")"
	done
}

# ---- 2. idle CPU ------------------------------------------------------------

bench_idle() {
	bench_log "idle: vftrace watch --json, ${IDLE_S}s with no netdev activity"
	idle_cpu idle_guest "$IDLE_S" "$OUT/idle.log" "$VFTRACE" watch --json || return 1
	result idle_guest_hooks "$(ready_hooks "$OUT/idle.log")"
}

# ---- 3. burst -----------------------------------------------------------------

# lost_total LOG: the total of the last {"type":"lost"} line in LOG, or 0.
lost_total() {
	local t
	t=$(grep '"type":"lost"' "$1" | tail -n 1 | jq -r '.total // 0')
	echo "${t:-0}"
}

# burst LABEL PAUSE [WATCH OPTIONS...]
#
# In a netns made for it (before vftrace starts, so its lo is no event),
# creates NDEV dummy devices with one `ip -batch` (a request each), then
# deletes them all with one request (`ip link del group`: one batched
# unregistration). PAUSE 1: vftrace is stopped (SIGSTOP) during the
# deletion, once it has consumed the registrations, and continued after it:
# the ring buffer must hold what it can and count the rest as lost. The kernel must produce exactly NDEV netdev_register
# (ret 0) and NDEV netdev_unregister events for PREFIX* devices; the guest
# has no other netdev activity. Waits until vftrace has reported every one as
# received or lost and its output has been still for 1 s (or for 10 s
# without reaching that), then stops it. Records, under burst_LABEL_:
#   expected    2 * NDEV
#   received    PREFIX* register (ret 0) and unregister events, any source
#               but the start-up inventory (register, unregister: by kind;
#               hooks, netlink: by source; distinct: without duplicates)
#   inventory   events of the start-up inventory (devices present at start)
#   other       every other event (other kinds or devices)
#   other_kinds what those were: "source/event count, ..."
#   lost        the summary's lost total
#   create_s, delete_s  how long the two ip commands took
#   drain_s     from the end of the deletion until received + lost reached
#               expected ("-" if it never did)
burst() {
	local label=$1 pause=$2 log=$OUT/burst-$1.log i t0 t1 t2 t3="" seen last=-1 still=0 rc=0 k v
	local expected=$((2 * NDEV))
	shift 2
	if [[ ! -f "$TMP/create.batch" ]]; then
		for ((i = 0; i < NDEV; i++)); do
			echo "link add $PREFIX$i group $GROUP type dummy"
		done >"$TMP/create.batch"
	fi
	ip netns add "$NS" || return 1

	time_to_ready '{"type":"ready"*' "$log" 120 "$VFTRACE" watch --json "$@" || return 1
	# The output goes on into the pipe: copy it to the log from here on.
	cat <&"$TTR_FD" >>"$log" &
	local drain=$!

	t0=$EPOCHREALTIME
	ip -n "$NS" -batch "$TMP/create.batch" || {
		bench_log "burst $label: creating the devices failed"
		rc=1
	}
	t1=$EPOCHREALTIME
	if ((pause)); then
		# Every registration consumed first, so that the ring buffer is
		# empty when the consumer stops.
		for ((i = 0; i < 100; i++)); do
			(($(grep -c '"type":"event"' "$log") + $(lost_total "$log") >= NDEV)) && break
			sleep 0.2
		done
		kill -STOP "$TTR_PID"
	fi
	ip -n "$NS" link del group "$GROUP" || {
		bench_log "burst $label: deleting the devices failed"
		rc=1
	}
	t2=$EPOCHREALTIME
	((pause)) && kill -CONT "$TTR_PID"

	# Wait for vftrace to account for every event, then for its output to
	# settle (netlink copies wait for their hook twin before printing).
	while :; do
		seen=$(($(grep -c '"type":"event"' "$log") + $(lost_total "$log")))
		if [[ -z "$t3" ]] && ((seen >= expected)); then
			t3=$EPOCHREALTIME
		fi
		if ((seen == last)); then
			still=$((still + 1))
			[[ -n "$t3" ]] && ((still >= 2)) && break
			((still >= 20)) && {
				bench_log "burst $label: only $seen of $expected events accounted for after 10 s without progress"
				break
			}
		else
			still=0
			last=$seen
		fi
		sleep 0.5
	done

	kill -INT "$TTR_PID"
	wait "$TTR_PID" || {
		bench_log "burst $label: vftrace exited $? on SIGINT"
		rc=1
	}
	wait "$drain"
	exec {TTR_FD}<&-
	ip netns del "$NS"

	result "burst_${label}_options" "$*"
	result "burst_${label}_expected" "$expected"
	while IFS='=' read -r k v; do
		result "burst_${label}_$k" "$v"
	done < <(jq -rs --arg p "$PREFIX" '
		# one of the events the burst must produce
		def mine: ((.ifname // "") | startswith($p))
			and ((.event == "netdev_register" and (.ret // 0) == 0)
				or .event == "netdev_unregister");
		[.[] | select(.type == "event")] as $ev
		| [$ev[] | select(.source == "inventory")] as $inv
		| [$ev[] | select(.source != "inventory" and mine)] as $mine
		| [$ev[] | select(.source != "inventory" and .source != "enrich" and .source != "timer" and (mine | not))] as $other
		| {
			received: ($mine | length),
			distinct: ($mine | map("\(.event) \(.ifname)") | unique | length),
			register: ([$mine[] | select(.event == "netdev_register")] | length),
			unregister: ([$mine[] | select(.event == "netdev_unregister")] | length),
			hooks: ([$mine[] | select(.source == "fentry" or .source == "kprobe")] | length),
			netlink: ([$mine[] | select(.source == "netlink")] | length),
			inventory: ($inv | length),
			other: ($other | length),
			other_kinds: ($other | group_by("\(.source)/\(.event)")
				| map("\(.[0].source)/\(.[0].event) \(length)") | join(", ")),
			lost: ([.[] | select(.type == "summary") | .lost][0] // "-"),
			lost_lines: ([.[] | select(.type == "lost")] | length)
		} | to_entries[] | "\(.key)=\(.value)"' "$log")
	result "burst_${label}_create_s" "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f\n", b - a }')"
	result "burst_${label}_delete_s" "$(awk -v a="$t1" -v b="$t2" 'BEGIN { printf "%.2f\n", b - a }')"
	result "burst_${label}_drain_s" "$([[ -n "$t3" ]] && awk -v a="$t2" -v b="$t3" 'BEGIN { printf "%.1f\n", b - a }' || echo -)"
	bench_log "burst $label: $(grep "^burst_${label}_" "$BENCH_RESULTS" | sed "s/^burst_${label}_//" | tr '\n' ' ')"
	return "$rc"
}

# Options of this vftrace: those that leave the hooks as the only source
# where it has others (rtnetlink, the start-up inventory), and the one that
# shows every device where by default it shows only some (and drops virtual
# ones in BPF).
HOOKS_ONLY=()
ALL=()
watch_help=$("$VFTRACE" watch --help 2>&1)
for opt in --no-netlink --no-inventory; do
	[[ "$watch_help" == *"$opt"* ]] && HOOKS_ONLY+=("$opt")
done
[[ "$watch_help" == *"--all"* ]] && ALL=(--all)

bench_burst() {
	result burst_devices "$NDEV"
	bench_log "burst: $NDEV dummy devices created and deleted, default ring buffer, -i '$PREFIX*'"
	burst default 0 -i "$PREFIX*" || return 1
	bench_log "burst: the same with --ringbuf-size 4096, no filter ${ALL[*]}"
	burst min 0 --ringbuf-size 4096 "${ALL[@]}" || return 1
	bench_log "burst: the same, vftrace stopped during the deletion"
	burst min_stop 1 --ringbuf-size 4096 "${ALL[@]}" || return 1
	((DIAG)) || return 0
	if ((${#HOOKS_ONLY[@]})); then
		bench_log "burst: default ring buffer, -i '$PREFIX*' ${HOOKS_ONLY[*]}"
		burst default_hooks 0 -i "$PREFIX*" "${HOOKS_ONLY[@]}" || return 1
		bench_log "burst: --ringbuf-size 4096 ${ALL[*]} ${HOOKS_ONLY[*]}"
		burst min_hooks 0 --ringbuf-size 4096 "${ALL[@]}" "${HOOKS_ONLY[@]}" || return 1
	fi
	bench_log "burst: default ring buffer, ${ALL[*]}, vftrace stopped during the deletion"
	burst default_stop 1 "${ALL[@]}" || return 1
}

# With BENCH_DIAG=1, last (the module stays loaded): idle again with
# ib_core loaded, so that no hook waits for a module.
bench_modules() {
	local mod=ib_core
	modprobe "$mod" || {
		bench_log "modules: cannot load $mod; skipping idle without waiting hooks"
		return 0
	}
	bench_log "idle: the same with $mod loaded (no hook waits for a module)"
	idle_cpu idle_modules "$IDLE_S" "$OUT/idle-modules.log" "$VFTRACE" watch --json || return 1
	result idle_modules_hooks "$(ready_hooks "$OUT/idle-modules.log")"
}

# ---- main -------------------------------------------------------------------

benches=("$@")
((${#benches[@]})) || benches=(startup idle burst)
# The variant that loads a module goes last.
((DIAG)) && [[ " ${benches[*]} " == *" idle "* && " ${benches[*]} " != *" modules "* ]] && benches+=(modules)
for b in "${benches[@]}"; do
	case $b in
	startup | idle | burst | modules) ;;
	*)
		echo "$0: error: unknown benchmark '$b' (known: startup, idle, burst, modules)" >&2
		exit 2
		;;
	esac
	start=$SECONDS
	if "bench_$b"; then
		result "${b}_ok" 1
	else
		result "${b}_ok" 0
		bench_log "$b: could not run (see above and $OUT/$b*.log)"
		failed=1
	fi
	result "${b}_wall_s" $((SECONDS - start))
done
exit "$failed"
