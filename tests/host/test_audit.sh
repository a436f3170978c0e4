#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# test_audit.sh - `vftrace audit --from-capture`: the daemon's outputs over a synthetic capture of a
# busy node (build/replay_bench -g: 200,000 events on 1,024 VFs, pods coming and going). Its JSON
# stream raises the findings a replay raises; the textfile counts them, holds the state metrics
# (what --retain forgot: every pod's netns once its VF left) and the process's RSS, mode 0600; its
# flight recorder replays to the same findings again. Usage errors exit 2, an unreadable capture
# exits 1. Needs neither root nor BPF.
set -euo pipefail
cd "$(dirname "$0")/../.."

VFTRACE=${VFTRACE:-build/vftrace}
REPLAY_BENCH=${REPLAY_BENCH:-build/replay_bench}
BASE=$(mktemp -d "${TMPDIR:-/dev/shm}/vft-audit-XXXXXX" 2>/dev/null || mktemp -d)
trap 'rm -rf "$BASE"' EXIT

fail() {
	echo "    FAIL: $*" >&2
	exit 1
}

# metric NAME: its value in the textfile
metric() { awk -v m="$1" '$1 == m { print $2 }' "$BASE/m.prom"; }

# findings FILE: the finding and resolved lines of a JSON stream, without what differs per run
findings() { jq -c 'select(.type == "finding" or .type == "resolved")' "$1"; }

"$REPLAY_BENCH" -g -o "$BASE/node.cap" -n 200000 -v 1024 >/dev/null || fail "cannot generate"
mkdir "$BASE/cap"
rc=0
"$VFTRACE" audit --from-capture "$BASE/node.cap" --capture-dir "$BASE/cap" \
	--metrics-textfile "$BASE/m.prom" --retain 60 >"$BASE/audit.jsonl" 2>"$BASE/err" || rc=$?
[[ $rc == 0 ]] || fail "audit --from-capture exited $rc: $(cat "$BASE/err")"
"$VFTRACE" replay --json "$BASE/node.cap" >"$BASE/replay.jsonl" || fail "replay exited $?"

# the same findings and resolutions as a replay, line for line
diff <(findings "$BASE/replay.jsonl") <(findings "$BASE/audit.jsonl") >"$BASE/diff" ||
	fail "the audit's findings differ from the replay's: $(head -5 "$BASE/diff")"
n=$(findings "$BASE/audit.jsonl" | grep -c '"type":"finding"')
((n > 1000)) || fail "only $n findings"
tail -n 1 "$BASE/audit.jsonl" | jq -e '.type == "summary"' >/dev/null || fail "no summary at the end"
echo "    ok - the stream: $n findings, as a replay raises them"

# the textfile: the findings counted, the state bounded, the footprint
[[ $(stat -c %a "$BASE/m.prom") == 600 ]] || fail "textfile mode $(stat -c %a "$BASE/m.prom")"
raised=$(awk '/^vftrace_findings_raised_total/ { n += $2 } END { print n }' "$BASE/m.prom")
[[ $raised == "$n" ]] || fail "the textfile counts $raised findings raised, the stream $n"
vfs=$(metric 'vftrace_state_records{kind="vf"}')
[[ $vfs == 1040 ]] || fail "$vfs VF records held, want 1040 (1024 VFs and 16 PFs)"
pods=$(grep -c '"event":"netns_info"' "$BASE/audit.jsonl")
held=$(metric 'vftrace_state_records{kind="netns"}')
gone=$(metric 'vftrace_state_forgotten_total{kind="netns"}')
((gone > pods / 2 && held < 1024 + 2)) ||
	fail "netns: $held held, $gone forgotten of $pods announced: pods' netns are not forgotten"
rss=$(metric process_resident_memory_bytes)
((rss > 1000000)) || fail "process_resident_memory_bytes $rss"
echo "    ok - the textfile: $raised raised; $vfs VF records, $held netns held, $gone forgotten; RSS $rss"

# the flight recorder: 0600, and it replays to the same findings
[[ $(stat -c %a "$BASE/cap/vftrace.cap") == 600 ]] || fail "capture mode"
"$VFTRACE" replay --json "$BASE/cap/vftrace.cap" >"$BASE/again.jsonl" || fail "the recorder's capture does not replay"
diff <(findings "$BASE/replay.jsonl") <(findings "$BASE/again.jsonl") >/dev/null ||
	fail "the recorder's capture replays to other findings"
echo "    ok - the flight recorder replays to the same findings"

# usage errors exit 2, an unreadable capture 1, each with a reason
expect() {
	local want=$1 what=$2 rc=0
	shift 2
	"$VFTRACE" audit "$@" >/dev/null 2>"$BASE/err" || rc=$?
	[[ $rc == "$want" ]] || fail "$what: exit status $rc, want $want"
	[[ -s $BASE/err ]] || fail "$what: nothing said on stderr"
}
expect 2 "--metrics with --from-capture" --from-capture "$BASE/node.cap" --metrics 127.0.0.1:0
expect 2 "--retain abc" --from-capture "$BASE/node.cap" --retain abc
expect 2 "--retain 0.5" --from-capture "$BASE/node.cap" --retain 0.5
expect 1 "a capture that does not exist" --from-capture "$BASE/none.cap"
printf 'not a capture\n' >"$BASE/bad.cap"
expect 1 "a file that is not a capture" --from-capture "$BASE/bad.cap"
grep -q "bad.cap" "$BASE/err" || fail "the error does not name the file: $(cat "$BASE/err")"
echo "    ok - usage errors exit 2, bad captures 1"
