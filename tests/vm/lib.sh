#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# lib.sh - shared functions for the VM tests (tests/vm/test_*.sh), which run as root
# inside the guest booted by scripts/vm/run.sh. Source it:
#
#   . "$(dirname "$0")/lib.sh"
#
# Environment in the guest (set by the harness):
#   VM_KERNEL          kernel series under test: 6.1, 6.12
#   VM_KERNEL_RELEASE  its release, e.g. 6.1.0-57-amd64
#   VM_OUT             dir shared with the host (results, logs)
#   VFTRACE_VM=1       running inside the harness's guest

if [[ "${VFTRACE_VM:-}" != 1 ]]; then
	echo "$0: error: a VM test; run it in the guest: scripts/vm/run.sh --kernel 6.1 -- $0" >&2
	exit 2
fi

# fail MSG: print MSG and end the test with status 1.
fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# assert_eq ACTUAL EXPECTED MSG
assert_eq() {
	[[ "$1" == "$2" ]] || fail "$3: got '$1', want '$2'"
}

# assert_match REGEX STRING MSG: STRING matches the extended REGEX.
assert_match() {
	[[ "$2" =~ $1 ]] || fail "$3: '$2' does not match /$1/"
}

# wait_for_file PATH TIMEOUT_S: poll (every 0.1 s) until PATH exists, e.g.
# a ready file that a background process writes. Returns 1 on timeout.
wait_for_file() {
	local path="$1" deadline=$((SECONDS + $2))
	until [[ -e "$path" ]]; do
		((SECONDS < deadline)) || {
			echo "wait_for_file: $path did not appear within $2 s" >&2
			return 1
		}
		sleep 0.1
	done
}

# wait_for_line PATH STRING TIMEOUT_S: poll (every 0.1 s) until PATH holds a
# line containing the fixed STRING, e.g. a daemon's "ready" line in its
# output file. Returns 1 on timeout.
wait_for_line() {
	local path="$1" str="$2" deadline=$((SECONDS + $3))
	until grep -qF -- "$str" "$path" 2>/dev/null; do
		((SECONDS < deadline)) || {
			echo "wait_for_line: no line with '$str' in $path within $3 s" >&2
			return 1
		}
		sleep 0.1
	done
}

# kernel_ge MAJOR MINOR: the running kernel is MAJOR.MINOR or newer.
kernel_ge() {
	local maj min
	IFS=. read -r maj min _ < <(uname -r)
	min="${min%%[!0-9]*}"
	((maj > $1 || (maj == $1 && min >= $2)))
}

# expect_stream FILE JQ_FILTER MSG: the JSON Lines in FILE, read as one array
# (jq -s), satisfy JQ_FILTER; otherwise show the events and fail with MSG.
expect_stream() {
	jq -se "$2" "$1" >/dev/null || {
		echo "--- stream:" >&2
		grep -v '"type":"ready"\|"type":"coverage"' "$1" >&2
		fail "$3"
	}
}
