#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# test_metrics_pressure.sh - the metrics endpoint of a live `vftrace audit` under connection
# pressure, loopback only (docs/deploy/README.md, "The endpoint under pressure"): with 200 idle
# connections held by one client, /healthz still answers within 2 s and /metrics answers another
# client; the idle connections are closed by the server within its 2 s request timeout (plus
# slack); a client gets at most 4 connections into the /metrics pool, a fifth is refused while
# another address is served, and the 4 are closed by the 5 s idle timeout; every connection
# closed without an answer is counted in vftrace_http_connections_dropped_total. Needs root (a
# live audit), as every host test; the audit runs without hooks where the kernel refuses them.
set -euo pipefail
cd "$(dirname "$0")/../.."

VFTRACE=${VFTRACE:-build/vftrace}
BASE=$(mktemp -d "${TMPDIR:-/dev/shm}/vft-pressure-XXXXXX" 2>/dev/null || mktemp -d)
pid=

cleanup() {
	[[ -n $pid ]] && kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$BASE"
}
trap cleanup EXIT

fail() {
	echo "    FAIL: $*" >&2
	exit 1
}

((EUID == 0)) || fail "needs root: the endpoint belongs to a live audit"

# A free loopback port; the audit is started again on another if it lost the race for it.
free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

for try in 1 2 3; do
	port=$(free_port)
	"$VFTRACE" audit --metrics "127.0.0.1:$port" >"$BASE/out" 2>"$BASE/err" &
	pid=$!
	# the ready signal: the endpoint answers (polled, 10 s at most); or the audit exited
	if python3 - "$port" "$pid" <<-'EOF'; then break; fi
		import os, socket, sys, time
		port, pid = int(sys.argv[1]), int(sys.argv[2])
		end = time.monotonic() + 10
		while time.monotonic() < end:
		    try:
		        os.kill(pid, 0)
		    except ProcessLookupError:
		        sys.exit(1)
		    try:
		        with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
		            s.sendall(b"GET /metrics HTTP/1.0\r\n\r\n")
		            if s.recv(64).startswith(b"HTTP/1."):
		                sys.exit(0)
		    except OSError:
		        pass
		    time.sleep(0.05)
		sys.exit(1)
	EOF
	kill -TERM "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	pid=
	grep -q "another process has this port" "$BASE/err" || fail "audit did not serve :$port: $(cat "$BASE/err")"
done
[[ -n $pid ]] || fail "no free port in 3 tries"

python3 - "$port" <<-'EOF' || fail "see above"
	import select, socket, sys, time

	PORT = int(sys.argv[1])
	IDLE = 200            # idle connections from one client
	HEALTHZ_BOUND = 2.0   # s: /healthz must answer within this while they are held
	CLOSE_BOUND = 2.0 + 3.0   # s: the front door's request timeout, plus slack
	PER_IP = 4            # connections one client may hold in the /metrics pool
	MHD_BOUND = 5.0 + 3.0     # s: libmicrohttpd's idle timeout, plus slack

	def fail(msg):
	    print(f"    FAIL: {msg}", file=sys.stderr)
	    sys.exit(1)

	def ok(msg):
	    print(f"    ok - {msg}")

	def get(path, src="127.0.0.1", timeout=HEALTHZ_BOUND):
	    """GET path from source address src: (status, body, seconds), or fail with why."""
	    t0 = time.monotonic()
	    try:
	        s = socket.create_connection(("127.0.0.1", PORT), timeout=timeout,
	                                     source_address=(src, 0))
	    except OSError as e:
	        fail(f"GET {path} from {src}: cannot connect: {e}")
	    reply = b""
	    try:
	        s.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
	        while True:
	            left = timeout - (time.monotonic() - t0)
	            if left <= 0:
	                fail(f"GET {path} from {src}: no complete reply within {timeout} s: {reply[:80]!r}")
	            s.settimeout(left)
	            chunk = s.recv(65536)
	            if not chunk:
	                break
	            reply += chunk
	    except socket.timeout:
	        fail(f"GET {path} from {src}: no complete reply within {timeout} s: {reply[:80]!r}")
	    except OSError as e:
	        fail(f"GET {path} from {src}: {e} after {reply[:80]!r}")
	    finally:
	        s.close()
	    took = time.monotonic() - t0
	    if not reply:
	        fail(f"GET {path} from {src}: the server closed the connection without a reply")
	    head, _, body = reply.partition(b"\r\n\r\n")
	    return int(head.split()[1]), body.decode(errors="replace"), took

	def wait_closed(socks, bound):
	    """Seconds until the server closed every one of socks; fails past bound."""
	    t0 = time.monotonic()
	    left = list(socks)
	    while left:
	        wait = bound - (time.monotonic() - t0)
	        if wait <= 0:
	            fail(f"{len(left)} of {len(socks)} idle connections still open after {bound} s")
	        ready, _, _ = select.select(left, [], [], wait)
	        for s in ready:
	            try:
	                data = s.recv(4096)
	            except OSError:
	                data = b""  # reset: closed
	            if not data:
	                left.remove(s)
	                s.close()
	    return time.monotonic() - t0

	def metric(text, name):
	    for line in text.splitlines():
	        if line.startswith(name + " "):
	            return int(line.split()[1])
	    fail(f"no {name} in /metrics")

	# 1. 200 idle connections from one client: liveness and the metrics are still served
	idle, refused = [], None
	t0 = time.monotonic()
	for _ in range(IDLE):
	    try:
	        idle.append(socket.create_connection(("127.0.0.1", PORT), timeout=2))
	    except OSError as e:
	        refused = f"idle connection {len(idle) + 1}: cannot connect: {e}"
	        break  # the listener is stuck: liveness is asked about below
	    if time.monotonic() - t0 > 20:
	        fail(f"opening {IDLE} connections took over 20 s")
	status, body, took = get("/healthz")
	if status != 200 or body != "ok\n":
	    fail(f"/healthz with {len(idle)} idle connections held: {status} {body!r}")
	if refused:
	    fail(refused)
	ok(f"/healthz answered in {took * 1000:.0f} ms with {IDLE} idle connections held")
	status, body, took = get("/metrics", src="127.0.0.2")
	if status != 200 or "vftrace_events_total" not in body:
	    fail(f"/metrics from 127.0.0.2 with {IDLE} idle connections held: {status}")
	ok(f"/metrics answered another client in {took * 1000:.0f} ms")

	# 2. the server closes them: the full front door evicts the oldest, the rest time out
	took = wait_closed(idle, CLOSE_BOUND)
	ok(f"the server closed all {IDLE} idle connections within {took:.1f} s")

	# 3. the /metrics pool: PER_IP connections per client, each closed by the idle timeout
	partial = b"GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n"  # the headers never end
	reqs = []
	for i in range(PER_IP + 1):
	    s = socket.create_connection(("127.0.0.1", PORT), timeout=2)
	    s.sendall(partial)
	    reqs.append(s)
	ready, _, _ = select.select(reqs, [], [], 2)
	if not ready:
	    fail(f"{PER_IP + 1} stalled /metrics requests from one client are all held: no per-client limit")
	for s in ready:
	    try:
	        got = s.recv(4096)
	    except OSError:
	        got = b""
	    if got:
	        fail(f"a stalled request got {got[:40]!r}, not a closed connection")
	    reqs.remove(s)
	    s.close()
	status, _, _ = get("/metrics", src="127.0.0.3")
	if status != 200:
	    fail(f"/metrics from 127.0.0.3 while 127.0.0.1 holds {PER_IP}: {status}")
	status, _, _ = get("/healthz")
	if status != 200:
	    fail(f"/healthz while 127.0.0.1 holds {PER_IP} /metrics requests: {status}")
	ready, _, _ = select.select(reqs, [], [], 0)
	if len(reqs) != PER_IP or ready:
	    fail(f"{len(reqs) - len(ready)} stalled requests held, want {PER_IP}")
	ok(f"one client holds at most {PER_IP} /metrics connections; another address is served")
	took = wait_closed(reqs, MHD_BOUND)
	ok(f"the {PER_IP} stalled requests were closed within {took:.1f} s")

	# 4. every connection closed without an answer was counted
	_, body, _ = get("/metrics")
	drop = 'vftrace_http_connections_dropped_total{reason="%s"}'
	evicted, refused = metric(body, drop % "evicted"), metric(body, drop % "refused")
	timeout = metric(body, drop % "timeout")
	if evicted + timeout < IDLE or refused < 1:
	    fail(f"dropped: evicted {evicted} + timeout {timeout} < {IDLE}, or refused {refused} < 1")
	ok(f"counted: {evicted} evicted, {timeout} timed out, {refused} refused")
EOF

kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
pid=
[[ $rc == 0 ]] || fail "audit exited $rc on SIGTERM: $(tail -3 "$BASE/err")"
tail -n 1 "$BASE/out" | grep -q '"type":"summary"' || fail "no summary after SIGTERM"
echo "    ok - SIGTERM: exit 0 with a summary"
