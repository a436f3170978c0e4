#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# test_report.sh - the pictures of a capture, checked by programs that are not vftrace:
#
#   - `replay --trace-json` and `report --trace-json` of the golden captures write the same
#     Chrome trace-event JSON, and replay's text stays byte for byte the golden text;
#   - the DevTools Performance panel's trace engine (@paulirish/trace_engine, pinned in
#     tests/host/trace/package-lock.json, installed by scripts/deps.sh) parses it and finds a
#     track per VF, the pod slices, each kept step and each finding of `replay --json`, and
#     binds every flow from a CNI call slice to a step (demo-6.12.cap is `make demo`'s capture:
#     the real SR-IOV CNI and its static IPAM, 19 flows);
#   - `report --html` writes one page that fetches nothing; headless Chromium, offline, runs
#     its script: the rendered DOM has a lane (data-vf) for each VF of `replay --json`, a mark
#     on that lane and a table row (data-finding) for each of its findings, and draws only the
#     lanes on screen. The screenshot and the rendered DOM are kept in
#     tests/host/out/report-<time>/.
#
# Needs no root and no BPF. A check whose tool is missing (node and the engine, chromium) is
# counted as skipped, with the reason. Ends with "test_report: N passed, N failed, N skipped".
set -uo pipefail
cd "$(dirname "$0")/../.."

VFTRACE=${VFTRACE:-build/vftrace}
OUT=${REPORT_OUT:-tests/host/out/report-$(date +%Y%m%d-%H%M%S)}
ENGINE=tests/host/trace
mkdir -p "$OUT" || exit 1
OUT=$(cd "$OUT" && pwd)
passed=0 failed=0 skipped=0
export TZ=UTC LC_ALL=C

ok() {
	echo "ok - $*"
	passed=$((passed + 1))
}

not_ok() {
	echo "not ok - $*"
	failed=$((failed + 1))
}

skip() {
	echo "ok - $1 # SKIP $2"
	skipped=$((skipped + 1))
}

# check NAME COMMAND...: one check, passed when COMMAND succeeds (its output shown when not)
check() {
	local name=$1 log
	shift
	if log=$("$@" 2>&1); then
		ok "$name"
	else
		not_ok "$name"
		sed 's/^/    | /' <<<"$log" | head -20
	fi
}

CHROMIUM=
for c in chromium chromium-browser google-chrome; do
	command -v "$c" >/dev/null && CHROMIUM=$(command -v "$c") && break
done

# chrome ARGS...: headless, offline (no network reachable from the page: it fetches nothing,
# and the proxy is a closed port), with a profile of its own
chrome() {
	timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --no-first-run \
		--disable-extensions --disable-background-networking --disable-sync \
		--proxy-server=127.0.0.1:9 --user-data-dir="$OUT/chromium-profile" \
		--virtual-time-budget=10000 "$@" 2>>"$OUT/chromium.log"
}

# the expectation, from `replay --json`: VFs (key, steps kept, stays away from the host
# netns) and findings (code, VF, severity)
expect() {
	jq -s '([.[] | select(.type == "event" and .event == "netns_info" and .host) | .netns][0]) as $host |
		{vfs: [.[] | select(.type == "vf") | {key: .vf.key, steps: (.steps | length),
			away: ([.netns_history[] | select(. != $host)] | length)}],
		 findings: [.[] | select(.type == "finding") | {code, vf: .vf.key, severity}]}' "$1"
}

# dom_check DOM EXPECT [virtual]: the rendered DOM against the expectation (a Python HTML
# parser: lanes by data-vf, the finding marks inside each lane, the findings table's rows)
dom_check() {
	python3 - "$@" <<'EOF'
import json, sys
from html.parser import HTMLParser

dom, expect = open(sys.argv[1]).read(), json.load(open(sys.argv[2]))
virtual = len(sys.argv) > 3
# the marks (i, b) hold nothing; void elements have no end
LEAVES = ('i', 'b', 'br', 'input', 'meta', 'img', 'hr')

class P(HTMLParser):
    def __init__(self):
        super().__init__()
        self.stack, self.lanes, self.marks, self.rows = [], [], [], []
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        lane = self.stack[-1][1] if self.stack else None
        cls = (a.get('class') or '').split()
        if tag == 'div' and 'lane' in cls:
            lane = a.get('data-vf')
            self.lanes.append(lane)
        if 'data-finding' in a and 'mark' in cls:
            self.marks.append((a['data-finding'], lane))
        if tag == 'tr' and 'data-finding' in a:
            self.rows.append((a['data-finding'], a.get('data-vf')))
        if tag not in LEAVES:
            self.stack.append((tag, lane))
    def handle_endtag(self, tag):
        while tag not in LEAVES and self.stack:
            if self.stack.pop()[0] == tag:
                break

p = P()
p.feed(dom)
keys = [v['key'] for v in expect['vfs']]
want = sorted((f['code'], f['vf']) for f in expect['findings'])
bad = []
if virtual:
    # a window of 900 px: the lanes on screen (and a few beyond), not all of them
    if not 0 < len(p.lanes) < len(keys):
        bad.append(f'{len(p.lanes)} lanes in the DOM of {len(keys)}: not virtualised')
    if p.lanes != keys[:len(p.lanes)]:
        bad.append(f'the lanes drawn are not the first ones: {p.lanes[:5]}')
else:
    missing = [k for k in keys if k not in p.lanes]
    if missing or len(p.lanes) != len(keys):
        bad.append(f'{len(p.lanes)} lanes, missing {missing[:5]}')
    if sorted(p.marks) != want:
        bad.append(f'finding marks on lanes {sorted(p.marks)[:4]} != {want[:4]}')
if sorted(p.rows) != want:
    bad.append(f'findings table rows {sorted(p.rows)[:4]} != {want[:4]}')
for b in bad:
    print(b)
sys.exit(1 if bad else 0)
EOF
}

self_contained() {
	! grep -nE 'https?://|<link|<img|@import|url\(| src=' "$1"
}

for cap in tests/golden/vm-findings-6.12.cap tests/golden/synthetic-64vfs.cap tests/golden/demo-6.12.cap; do
	name=$(basename "$cap" .cap)
	echo "# $cap"
	"$VFTRACE" replay --json "$cap" >"$OUT/$name.jsonl" 2>/dev/null || {
		not_ok "$name: replay --json exited $?"
		continue
	}
	expect "$OUT/$name.jsonl" >"$OUT/$name.expect.json"
	"$VFTRACE" replay --trace-json "$OUT/$name.trace.json" "$cap" >"$OUT/$name.txt" 2>/dev/null
	rc=$?
	check "$name: replay --trace-json exits 0 and prints the golden text" \
		bash -c "(($rc == 0)) && cmp ${cap%.cap}.txt $OUT/$name.txt"
	"$VFTRACE" report --html "$OUT/$name.html" --trace-json "$OUT/$name.report.json" "$cap" \
		2>"$OUT/$name.report.err"
	rc=$?
	check "$name: report --html --trace-json exits 0, its trace JSON the replay's" \
		bash -c "(($rc == 0)) && cmp $OUT/$name.trace.json $OUT/$name.report.json"
	check "$name: the HTML page fetches nothing" self_contained "$OUT/$name.html"

	if ! command -v node >/dev/null; then
		skip "$name: the DevTools trace engine reads the trace" "node is not installed (scripts/deps.sh)"
	elif [[ ! -d $ENGINE/node_modules/@paulirish/trace_engine ]]; then
		skip "$name: the DevTools trace engine reads the trace" \
			"the engine is not installed: scripts/deps.sh (npm ci in $ENGINE)"
	else
		check "$name: the DevTools trace engine reads the trace as replay --json says" \
			bash -c "cd $ENGINE && node check_trace.mjs $OUT/$name.trace.json $OUT/$name.expect.json"
	fi

	if [[ -z $CHROMIUM ]]; then
		skip "$name: headless Chromium draws every VF and finding" "chromium is not installed (scripts/deps.sh)"
		continue
	fi
	n=$(jq '.vfs | length' "$OUT/$name.expect.json")
	chrome --window-size=1400,$((n * 26 + 1200)) --dump-dom "file://$OUT/$name.html" \
		>"$OUT/$name.dom.html"
	check "$name: headless Chromium draws a lane per VF, each finding on its lane and in the table" \
		dom_check "$OUT/$name.dom.html" "$OUT/$name.expect.json"
	chrome --window-size=1400,900 --screenshot="$OUT/$name.png" "file://$OUT/$name.html" >/dev/null
	check "$name: a screenshot of the page" \
		bash -c "[[ \$(head -c 8 $OUT/$name.png | od -An -tx1 | tr -d ' ') == 89504e470d0a1a0a ]]"
	if ((n > 30)); then
		chrome --window-size=1400,900 --dump-dom "file://$OUT/$name.html" >"$OUT/$name.dom-900.html"
		check "$name: only the lanes on screen are in the DOM (virtualised)" \
			dom_check "$OUT/$name.dom-900.html" "$OUT/$name.expect.json" virtual
	fi
done
rm -rf "$OUT/chromium-profile"
echo "    output kept in $OUT"
echo "test_report: $passed passed, $failed failed, $skipped skipped"
((failed == 0))
