#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# test_check.sh - `vftrace check --root` on the fixture trees of a DGX B200-like node
# (tests/fixtures/mkfixture.sh): the healthy node is ready (exit 0), and each defect variant fails
# exactly its check on exactly its VFs (exit 1), nothing else. Needs no root and no BPF: it only
# reads the trees. Also the exit status of usage errors and the selection options.
set -euo pipefail
cd "$(dirname "$0")/../.."

VFTRACE=${VFTRACE:-build/vftrace}
BASE=$(mktemp -d "${TMPDIR:-/dev/shm}/vft-check-XXXXXX" 2>/dev/null || mktemp -d)
trap 'rm -rf "$BASE"' EXIT

fail() {
	echo "    FAIL: $*" >&2
	exit 1
}

# run VARIANT WANT_RC: the check's JSON of VARIANT into $OUT, asserting its exit status
run() {
	local root=$BASE/$1 rc=0
	[[ -d $root ]] || tests/fixtures/mkfixture.sh "$root" "$1" >/dev/null
	OUT=$BASE/$1.jsonl
	"$VFTRACE" check --json --root "$root" "${@:3}" >"$OUT" 2>"$BASE/$1.err" || rc=$?
	[[ $rc == "$2" ]] || fail "$1: exit status $rc, want $2: $(cat "$BASE/$1.err")"
}

# failing VARIANT: the (vf, check) pairs that fail, sorted, one per line
failing() {
	jq -r 'select(.type == "check") | .vf.key as $k | .checks | to_entries[] | select(.value.status == "fail") | "\($k) \(.key)"' "$OUT" | sort
}

expect_failing() {
	local got
	got=$(failing)
	[[ $got == "$2" ]] || fail "$1: failing checks are
$got
want
$2"
	echo "    ok - $1: fails exactly: $(tr '\n' ';' <<<"$2")"
}

run dgx-b200-healthy 0
jq -se 'map(select(.type == "check")) | length == 32 and all(.ready)' "$OUT" >/dev/null ||
	fail "healthy: not 32 ready VFs"
jq -se 'map(select(.type == "check" and .vf.pod != null)) | length == 3' "$OUT" >/dev/null ||
	fail "healthy: the three pods' VFs are not attributed"
jq -se 'any(.[]; .type == "check" and .vf.key == "0000:18:00.1" and .vf.ifname == "net1" and .checks.topology.status == "pass" and (.checks.topology.evidence | test("PXB")))' "$OUT" >/dev/null ||
	fail "healthy: the besteffort pod's VF is not net1 in its pod, PXB from its GPU"
jq -se 'last | .type == "check_summary" and .ready == 32 and .not_ready == 0' "$OUT" >/dev/null ||
	fail "healthy: summary"
echo "    ok - healthy: 32 VFs ready, exit 0"

run zero-guid 1
# an SM answers in both: sm passes, as watch raises no SM_UNREACHABLE there
expect_failing zero-guid "0000:9a:00.2 guid
0000:9a:00.2 lid"
run lid0-sm-present 1
expect_failing lid0-sm-present "0000:c0:00.1 lid"
run no-sm 1
[[ $(failing | grep -c ' lid$') == 32 && $(failing | grep -c ' sm$') == 32 && $(failing | wc -l) == 64 ]] ||
	fail "no-sm: want lid and sm failing on all 32 VFs, got $(failing | wc -l) failures"
echo "    ok - no-sm: lid and sm fail on every VF, nothing else"
run no-rdma-dev 1
expect_failing no-rdma-dev "0000:18:00.3 rdma"
run pf-vf-mismatch 1
expect_failing pf-vf-mismatch "0000:5e:00.4 mapping"
run host-mgr-config 1
[[ $(failing | grep -vc ' ownership$' || true) == 0 && $(failing | wc -l) -ge 29 ]] ||
	fail "host-mgr-config: want ownership failing on the host's VFs only, got: $(failing | head -3)"
jq -se 'any(.[]; .type == "check" and (.checks.ownership.evidence | test("90-dhcp.network")))' "$OUT" >/dev/null ||
	fail "host-mgr-config: the evidence does not name the .network file"
echo "    ok - host-mgr-config: ownership fails on the $(failing | wc -l) VFs in the host netns, naming 90-dhcp.network"
# the same configuration on a node where systemd-networkd does not run (no process of it)
cp -a "$BASE/host-mgr-config" "$BASE/host-mgr-stopped"
for comm in "$BASE"/host-mgr-stopped/proc/[0-9]*/comm; do
	[[ $(<"$comm") != systemd-network ]] || rm -rf "${comm%/comm}"
done
rc=0
"$VFTRACE" check --json --root "$BASE/host-mgr-stopped" >"$BASE/stopped.jsonl" 2>"$BASE/stopped.err" || rc=$?
[[ $rc == 0 ]] || fail "host-mgr-config, networkd not running: exit status $rc, want 0"
jq -se 'any(.[]; .type == "check" and (.checks.ownership.evidence | test("configured but not running: systemd-networkd: .*90-dhcp.network")))' \
	"$BASE/stopped.jsonl" >/dev/null || fail "host-mgr-config, networkd not running: the evidence does not say so"
echo "    ok - host-mgr-config with networkd not running: ownership passes, saying it is configured but not running"
run far-gpu 1
expect_failing far-gpu "0000:18:00.3 topology"
jq -se 'any(.[]; .vf.key == "0000:18:00.3" and (.checks.topology.evidence | test("SYS")))' "$OUT" >/dev/null ||
	fail "far-gpu: the evidence does not say SYS"

# selection and text output
run dgx-b200-healthy 0 --pod 9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a
jq -se 'map(select(.type == "check")) | length == 1 and .[0].vf.key == "0000:9a:00.1"' "$OUT" >/dev/null ||
	fail "--pod: not the guaranteed pod's one VF"
run dgx-b200-healthy 0 --vf 0000:40:00.3
jq -se 'map(select(.type == "check")) | length == 1' "$OUT" >/dev/null || fail "--vf"
rc=0
"$VFTRACE" check --root "$BASE/zero-guid" >"$BASE/text" || rc=$?
[[ $rc == 1 ]] || fail "text mode: exit $rc"
grep -q '^0000:9a:00.2 not ready:' "$BASE/text" || fail "text mode: no evidence block"
grep -q '32 VFs checked: 31 ready, 1 not ready' "$BASE/text" || fail "text mode: no summary line"
echo "    ok - --pod, --vf, text output"
rc=0
"$VFTRACE" check --root "$BASE/dgx-b200-healthy" --vf 0000:ff:00.7 >/dev/null 2>"$BASE/err" || rc=$?
[[ $rc == 2 ]] && grep -q 'no VF matches' "$BASE/err" || fail "an empty selection: exit $rc"
rc=0
"$VFTRACE" check --bogus >/dev/null 2>&1 || rc=$?
[[ $rc == 2 ]] || fail "usage error: exit $rc"
echo "    ok - exit 2 for an empty selection and a usage error"
