#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# run.sh - the host test layer: vftrace on this machine's own kernel, as root.
#
# The host kernel may refuse every BPF hook (no kprobes, fentry EPERM): then
# vftrace must say exactly that, keep running, and stop cleanly. Where a hook
# does attach, the test asserts its events too. Prints one closing line:
# "host: N passed, N failed, N skipped".
#
# A test here is a test_* function, run in a subshell: it passes when it
# returns 0, is skipped when it calls `skip REASON` (exit 77, automake's
# convention), and fails otherwise. An executable tests/host/test_*.sh is one
# test the same way, unless it ends with its own closing line
# "test_NAME: N passed, N failed, N skipped": then its checks are counted
# one by one, so that a check it skipped is not counted as passed.
set -uo pipefail

cd "$(dirname "$0")/../.."
VFTRACE=${VFTRACE:-build/vftrace}
TMP=$(mktemp -d /tmp/vftrace-host.XXXXXX)
NS=vfth$$
passed=0
failed=0

cleanup() {
	ip link del vfth0 2>/dev/null
	ip netns del "$NS" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT

skipped=0
SKIP=77

# Each test runs in a subshell; `fail` ends it with a message, `skip` says why it cannot run here.
fail() {
	echo "    $*" >&2
	exit 1
}

skip() {
	echo "    skipped: $*" >&2
	exit $SKIP
}

# count NAME RC: one test's result into the totals, as a TAP line
count() {
	if (($2 == 0)); then
		echo "ok - $1"
		passed=$((passed + 1))
	elif (($2 == SKIP)); then
		echo "ok - $1 # SKIP"
		skipped=$((skipped + 1))
	else
		echo "not ok - $1"
		failed=$((failed + 1))
	fi
}

run_test() {
	local rc=0
	("$1") || rc=$?
	count "$1" $rc
}

# Polls (10 ms steps) until FILE has a line matching REGEX; the ready line is the signal.
wait_line() {
	local file=$1 regex=$2 tries=${3:-1000}
	while ((tries-- > 0)); do
		grep -qE "$regex" "$file" 2>/dev/null && return 0
		sleep 0.01
	done
	return 1
}

# What this kernel offers, independently of vftrace.
kprobes_built_in() {
	[[ -e /sys/bus/event_source/devices/kprobe/type ]]
}

test_hooks_table_is_honest() {
	local out
	out=$("$VFTRACE" hooks) || fail "vftrace hooks exited $?"
	echo "$out" | sed 's/^/    | /'
	grep -q "^Linux $(uname -r)$" <<<"$out" || fail "no kernel line"
	for h in netdev_register netdev_unregister netns_move; do
		grep -qE "^$h +(attached|unavailable) " <<<"$out" || fail "no row for $h"
	done
	if ! kprobes_built_in; then
		# Every unavailable row must name the missing kprobe support.
		while read -r line; do
			if [[ $line =~ module\ ([a-z_0-9]+):\ this\ kernel\ has\ none ]]; then
				# true only if the kernel can load no such module
				local m=${BASH_REMATCH[1]}
				[[ ! -e /sys/module/$m ]] || fail "$m is loaded: $line"
				! grep -qs "/$m.ko" "/lib/modules/$(uname -r)/modules.dep" ||
					fail "$m is in modules.dep: $line"
				continue
			fi
			grep -q "kprobes: not built into this kernel" <<<"$line" ||
				fail "unavailable row without the kprobe reason: $line"
			grep -qE "fentry: [A-Za-z]" <<<"$line" || fail "no fentry reason: $line"
		done < <(grep ' unavailable ' <<<"$out")
	fi
}

test_hooks_json_matches_table() {
	local js n
	js=$("$VFTRACE" hooks --json) || fail "hooks --json exited $?"
	n=$(jq '.hooks | length' <<<"$js") || fail "not JSON: $js"
	[[ $n == $("$VFTRACE" hooks | tail -n +3 | wc -l) ]] || fail "$n hooks in JSON, not as in the table"
	jq -e '[.hooks[].hook] | index("netdev_register") and index("netns_move") and index("netlink_error")' \
		<<<"$js" >/dev/null || fail "hooks missing: $js"
	# unavailable and waiting hooks carry a reason, attached ones a mechanism and function
	jq -e 'all(.hooks[]; (.status == "unavailable" and (.reason | length > 0))
		or (.status == "waiting" and .module != null and (.reason | length > 0))
		or (.status == "attached" and .mechanism != null and .function != null))' \
		<<<"$js" >/dev/null || fail "inconsistent hook entries: $js"
}

# Starts `watch --json` in the background, waits for its ready line. The file is emptied first:
# the background shell truncates it only when it gets to run, and until then the previous test's
# ready line would read as this one's, and the stop signal would come before the handlers.
start_watch() {
	: >"$TMP/watch.out"
	"$VFTRACE" watch --json --all "$@" >"$TMP/watch.out" 2>"$TMP/watch.err" &
	WATCH_PID=$!
	wait_line "$TMP/watch.out" '"type":"ready"' || {
		cat "$TMP/watch.err" >&2
		fail "no ready line within 10 s"
	}
}

# Stops it with SIGNAL and asserts a clean exit 0 with a closing summary.
stop_watch() {
	local sig=$1 rc
	kill -"$sig" "$WATCH_PID"
	wait "$WATCH_PID"
	rc=$?
	[[ $rc == 0 ]] || fail "watch exited $rc on SIG$sig (want 0): $(cat "$TMP/watch.err")"
	tail -n 1 "$TMP/watch.out" | jq -e '.type == "summary"' >/dev/null ||
		fail "last line is not the summary: $(tail -n 1 "$TMP/watch.out")"
}

test_watch_reports_coverage_and_stops_on_sigint() {
	local ready hooks_js
	start_watch
	ready=$(head -n 1 "$TMP/watch.out")
	hooks_js=$("$VFTRACE" hooks --json)
	# the same coverage as `hooks`, hook by hook
	[[ "$(jq -c '[.hooks[] | {hook, status, reason}]' <<<"$ready")" == \
		"$(jq -c '[.hooks[] | {hook, status, reason}]' <<<"$hooks_js")" ]] ||
		fail "ready line and hooks disagree: $ready vs $hooks_js"
	jq -e --arg k "$(uname -r)" '.kernel == $k and (.version | length > 0)' <<<"$ready" \
		>/dev/null || fail "ready line lacks kernel/version: $ready"

	# Real netdev lifecycle on the host: veth, netns, a move, a delete, a refused route.
	ip netns add "$NS" || fail "ip netns add"
	ip link add vfth0 type veth peer name vfth1 || fail "ip link add veth"
	ip link set vfth1 netns "$NS" || fail "move veth end into $NS"
	ip link del vfth0 || fail "ip link del"
	ip -n "$NS" route add 10.77.0.0/16 via 10.254.254.254 2>/dev/null && fail "bogus route accepted"
	# The same refused by an ip that lives until its event is out: its executable is read.
	local nl_error ip_exe
	nl_error=$(jq -r '.hooks[] | select(.hook == "netlink_error") | .status' <<<"$ready")
	ip_exe=$(realpath "$(command -v ip)")
	if [[ $nl_error == attached ]]; then
		{
			echo "route add 10.78.0.0/16 via 10.254.254.254"
			wait_line "$TMP/watch.out" '"event":"netlink_error".*"exe":' 500 || true
		} | ip -force -batch - 2>/dev/null
	fi

	stop_watch INT
	local attached events
	attached() { jq -e --arg h "$1" '.hooks[] | select(.hook == $h) | .status == "attached"' <<<"$ready" >/dev/null; }
	events=$(grep -c '"type":"event"' "$TMP/watch.out")
	local ns_ino host_ino
	ns_ino=$(stat -L -c %i "/run/netns/$NS")
	host_ino=$(stat -L -c %i /proc/self/ns/net)
	# The move is seen by the hook where it attaches, else by rtnetlink (without actor).
	if attached netns_move; then
		jq -se 'any(.[]; .event == "netns_move" and .ifname == "vfth1" and .source != "netlink")' \
			"$TMP/watch.out" >/dev/null || fail "netns_move hook attached but no move of vfth1"
	else
		jq -se --argjson from "$host_ino" --argjson to "$ns_ino" \
			'[.[] | select(.event == "netns_move" and .ifname == "vfth1")] | length == 1 and
			(.[0] | .source == "netlink" and .from_netns == $from and .to_netns == $to and
			 .ret == 0 and (has("actor") | not))' "$TMP/watch.out" >/dev/null ||
			fail "rtnetlink did not report the move of vfth1 into $NS exactly once"
		jq -se '[.[] | select(.ifname == "vfth0") | .event] | index("netdev_register") != null and
			index("netdev_unregister") != null' "$TMP/watch.out" >/dev/null ||
			fail "rtnetlink did not report vfth0 registered and unregistered"
	fi
	jq -se 'any(.[]; .source == "inventory" and .event == "netdev_register" and .ifname == "lo")' \
		"$TMP/watch.out" >/dev/null || fail "the inventory at start did not report lo"
	if attached netlink_error; then
		jq -se 'any(.[]; .event == "netlink_error" and .source == "tracepoint" and
			(.message | test("gateway")) and .actor.comm == "ip" and .actor.pid > 0)' \
			"$TMP/watch.out" >/dev/null || fail "no netlink_error for the refused route"
		jq -se --arg exe "$ip_exe" 'any(.[]; .event == "netlink_error" and
			.actor.comm == "ip" and .actor.exe == $exe)' "$TMP/watch.out" >/dev/null ||
			fail "no netlink_error whose actor's exe is $ip_exe"
	fi
	jq -e --argjson n "$events" '.events == $n and .lost == 0' \
		<<<"$(tail -n 1 "$TMP/watch.out")" >/dev/null || fail "summary does not count $events events"
}

test_watch_stops_on_sigterm() {
	start_watch -i 'nomatch*'
	stop_watch TERM
}

test_text_mode_names_unavailable_hooks() {
	local js
	"$VFTRACE" watch >"$TMP/text.out" 2>"$TMP/text.err" &
	WATCH_PID=$!
	wait_line "$TMP/text.err" 'hooks attached' || fail "no start line: $(cat "$TMP/text.err")"
	js=$("$VFTRACE" hooks --json)
	while read -r h; do
		grep -q "hook $h unavailable: " "$TMP/text.err" || fail "stderr does not name $h"
	done < <(jq -r '.hooks[] | select(.status == "unavailable") | .hook' <<<"$js")
	kill -INT "$WATCH_PID"
	wait "$WATCH_PID" || fail "text watch exited $?"
	grep -qE '^vftrace: [0-9]+ events, 0 lost, [0-9]+ devices$' "$TMP/text.err" || fail "no summary on stderr"
}

test_usage_errors_exit_2() {
	local rc
	"$VFTRACE" >/dev/null 2>&1
	rc=$?
	[[ $rc == 2 ]] || fail "no command: exit $rc"
	"$VFTRACE" frobnicate >/dev/null 2>&1
	rc=$?
	[[ $rc == 2 ]] || fail "unknown command: exit $rc"
	"$VFTRACE" watch --no-such-flag >/dev/null 2>&1
	rc=$?
	[[ $rc == 2 ]] || fail "unknown flag: exit $rc"
	"$VFTRACE" watch --ringbuf-size 12345 >/dev/null 2>&1
	rc=$?
	[[ $rc == 2 ]] || fail "bad ring size: exit $rc"
	"$VFTRACE" --version | grep -qE '^vftrace [0-9]+\.[0-9]+\.[0-9]+$' || fail "--version"
	"$VFTRACE" watch --help | grep -- '--ifname' >/dev/null || fail "watch --help"
	for c in check record replay report audit; do
		"$VFTRACE" $c --help | grep -- 'Exit status' >/dev/null || fail "$c --help"
	done
}

# audit drops its capabilities before it starts a thread: capability sets, the bounding set and
# no_new_privs belong to each thread, so the metrics endpoint's thread, started after the drop,
# must hold no more than the main one. tests/vm/test_70_audit.sh asserts the same with every
# capability to start from; here the start is what this host gives root.
test_audit_drops_capabilities_in_every_thread() {
	local pid bnd want st line n=0 bad=0
	# what privs.c keeps, of what this shell may hold: DAC_READ_SEARCH NET_ADMIN SYS_PTRACE
	# SYS_ADMIN SYS_RESOURCE PERFMON BPF
	bnd=$(awk '$1 == "CapBnd:" { print $2 }' /proc/$$/status)
	want=$(printf '%016x' $((0x$bnd & 0xc001281004)))
	"$VFTRACE" audit -i 'nomatch*' --metrics 127.0.0.1:0 >"$TMP/audit.out" 2>"$TMP/audit.err" &
	pid=$!
	if ! wait_line "$TMP/audit.out" '"type":"ready"'; then
		kill -TERM "$pid"
		wait "$pid"
		fail "no ready line within 10 s: $(cat "$TMP/audit.err")"
	fi
	for st in /proc/"$pid"/task/*/status; do
		line=$(awk '$1 ~ /^(Name|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs):$/ { printf "%s%s ", $1, $2 }' "$st")
		echo "    | thread $(basename "$(dirname "$st")"): $line"
		[[ $line == *"CapPrm:$want CapEff:$want CapBnd:$want CapAmb:0000000000000000 NoNewPrivs:1 " ]] ||
			bad=$((bad + 1))
		n=$((n + 1))
	done
	kill -TERM "$pid"
	wait "$pid" || fail "audit exited $? on SIGTERM: $(cat "$TMP/audit.err")"
	((bad == 0)) || fail "$bad of $n threads hold more than CapPrm=CapEff=CapBnd=$want with NoNewPrivs 1"
	((n >= 2)) || fail "$n thread(s): the metrics endpoint has no thread of its own to check"
}

# c_strings ARRAY: the string entries of `static const char *const ARRAY[] = { ... };` (on one
# line or more) in user/correlate/rules_claim.c, one a line, sorted
c_strings() {
	awk -v start="static const char *const $1[] = {" \
		'index($0, start) == 1 { on = 1 } on { print } on && /};/ { exit }' \
		user/correlate/rules_claim.c |
		sed 's#/\*.*\*/##' | grep -o '"[^"]*"' | tr -d '"' | LC_ALL=C sort
}

# doc_words FROM TO: the `quoted` words of the trusted-actors item of docs/findings.md (up to
# the next item) between the text FROM and the text TO, one a line, sorted
doc_words() {
	awk '/^- \*\*Trusted actors\.\*\*/ { on = 1; printf "%s ", $0; next }
	     on && /^(- |#)/ { exit }
	     on { sub(/^ +/, ""); printf "%s ", $0 }' docs/findings.md |
		sed "s/.*$1//; s/$2.*//" | grep -o '`[^`]*`' | tr -d '`' | LC_ALL=C sort
}

# docs/findings.md names exactly the entries of each list of the trust rule
test_findings_doc_names_the_trusted_actors() {
	local list from to code doc
	while IFS='|' read -r list from to; do
		code=$(c_strings "$list")
		doc=$(doc_words "$from" "$to")
		[[ -n $code ]] || fail "no $list list found in user/correlate/rules_claim.c"
		[[ $doc == "$code" ]] ||
			fail "$list: docs/findings.md and the code differ (< docs, > code):
$(diff <(echo "$doc") <(echo "$code") | grep '^[<>]')"
	done <<'EOF'
manager_units|whatever their executable or cgroup: by systemd unit|; by comm
manager_comms|; by comm|(networkd run
cni_dirs|read when the event arrives: under|: trusted (
trusted_units|of the runtime that called it):|6. By comm
pod_daemons|alone trusts nobody):|7. Otherwise
hint_comms|These comm hints:|A CNI installed elsewhere
EOF
}

if ((EUID != 0)); then
	echo "host: the host layer needs root (it creates netns and veth, and loads BPF)" >&2
	echo "host: 0 passed, 1 failed, 0 skipped"
	exit 1
fi

run_test test_hooks_table_is_honest
run_test test_hooks_json_matches_table
run_test test_watch_reports_coverage_and_stops_on_sigint
run_test test_watch_stops_on_sigterm
run_test test_text_mode_names_unavailable_hooks
run_test test_usage_errors_exit_2
run_test test_audit_drops_capabilities_in_every_thread
run_test test_findings_doc_names_the_trusted_actors

# Self-contained host tests: each executable tests/host/test_*.sh, counted as one test by its exit
# status, or check by check when it ends with its own closing line.
for t in tests/host/test_*.sh; do
	[[ -x $t ]] || continue
	name=$(basename "$t" .sh)
	VFTRACE=$VFTRACE "$t" 2>&1 | tee "$TMP/$name.log" | sed 's/^/    /'
	rc=${PIPESTATUS[0]}
	closing=$(sed -nE "s/^$name: ([0-9]+) passed, ([0-9]+) failed, ([0-9]+) skipped$/\1 \2 \3/p" \
		"$TMP/$name.log" | tail -n 1)
	if [[ -z $closing ]]; then
		count "$name" "$rc"
		continue
	fi
	read -r p f s <<<"$closing"
	# a test that failed after its count (or without counting the failure) still failed
	((rc == 0 || f > 0)) || f=1
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
	if ((f)); then
		echo "not ok - $name: $p passed, $f failed, $s skipped"
	else
		echo "ok - $name: $p passed, $s skipped"
	fi
done

echo "host: $passed passed, $failed failed, $skipped skipped"
((failed == 0))
