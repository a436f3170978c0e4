#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# test_deploy.sh - static checks of the deployment files in docs/deploy/.
# Docker and Kubernetes cannot run on our test machines, so nothing here is
# started. The test parses the DaemonSet manifest (PyYAML), the systemd unit
# and the Containerfile, and asserts their security-relevant fields: host
# namespaces, privileges, capabilities, read-only mounts, resource limits, the
# metrics address, the unit's sandboxing, a final image without a compiler.
# Where the tools exist it also runs `systemd-analyze verify` and
# `systemd-analyze security --offline` on the unit, and checks that the image's
# runtime packages cover every library the built binary links.
# Needs no root and no BPF.
#
# Prints one TAP line per check ("ok - ...", "not ok - ...", "ok - ... # SKIP
# why" for a check this machine cannot make), then the closing line
# "test_deploy: N passed, N failed, N skipped", which tests/host/run.sh counts
# check by check. Exit status 0 iff no check failed.
#
# DEPLOY_DIR=DIR checks the files in DIR instead of docs/deploy (used to check
# that each assertion can fail).
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1

DEPLOY=${DEPLOY_DIR:-docs/deploy}
VFTRACE=${VFTRACE:-build/vftrace}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
TAP=$tmp/tap
: >"$TAP"

# say LINE: one check's TAP line, shown and kept for the count at the end
say() {
	echo "$1" | tee -a "$TAP"
}

# The closing count: a skipped check is neither passed nor failed.
finish() {
	local passed skipped failed
	passed=$(grep -E '^ok - ' "$TAP" | grep -cvE ' # SKIP( |$)')
	skipped=$(grep -cE '^ok - .* # SKIP( |$)' "$TAP")
	failed=$(grep -cE '^not ok - ' "$TAP")
	echo "test_deploy: $passed passed, $failed failed, $skipped skipped"
	exit $((failed > 0))
}

# Debian's python3-yaml installs into the system interpreter. A python3 earlier
# in PATH may lack it.
PY=
for p in python3 /usr/bin/python3; do
	if command -v "$p" >/dev/null 2>&1 && "$p" -c 'import yaml' 2>/dev/null; then
		PY=$p
		break
	fi
done
if [[ -z $PY ]]; then
	say "not ok - python3 with PyYAML is missing (Debian: python3-yaml; scripts/deps.sh installs it)"
	finish
fi

# It prints a TAP line per check and exits 0 after the last one, failed or not.
"$PY" - "$DEPLOY" "$VFTRACE" <<'PYEOF' | tee -a "$TAP"
import json, os, re, shlex, shutil, subprocess, sys
import yaml

DEPLOY, VFTRACE = sys.argv[1], sys.argv[2]
failures = 0

# What vftrace audit needs (docs/deploy/README.md), and nothing more.
CAPS = {"BPF", "PERFMON", "SYS_ADMIN", "NET_ADMIN", "NET_BROADCAST", "SYS_PTRACE", "SYS_RESOURCE",
        "DAC_READ_SEARCH"}
CAPTURE_DIR = "/var/lib/vftrace"
TEXTFILE_DIR = "/var/lib/node_exporter/textfile_collector"
METRICS_PORT = 9477
# host paths the DaemonSet must mount, all read-only but the captures
REQUIRED_HOSTPATHS = {
    "/sys/kernel/btf", "/sys/fs/bpf", "/sys/kernel/tracing", "/run/netns",
    "/var/lib/kubelet/device-plugins", "/etc/systemd/network", "/etc/NetworkManager",
    "/lib/modules", "/sys/fs/cgroup", CAPTURE_DIR,
}
RUNTIME_LIBS = {"libbpf1", "libelf1", "zlib1g", "libjson-c5", "libmnl0", "libmicrohttpd12"}
MAX_MEMORY = 128 * 2**20


def check(name):
    """Runs the decorated function now: "ok - name", or "not ok - name: why"."""
    def run(fn):
        global failures
        try:
            fn()
            print(f"ok - {name}")
        except AssertionError as e:
            failures += 1
            print(f"not ok - {name}: {e}")
        except Exception as e:  # a file that does not parse, a missing field
            failures += 1
            print(f"not ok - {name}: {type(e).__name__}: {e}")
        return fn
    return run


def unspecific_addr(host):
    return host in ("", "0.0.0.0", "::", "[::]", "*")


def split_addr(addr):
    """"HOST:PORT" or "[V6]:PORT" into (host, port)."""
    m = re.fullmatch(r"(\[[^\]]*\]|[^:]*):(\d+)", addr) or re.fullmatch(r"(.*):(\d+)", addr)
    assert m, f"metrics address {addr!r} is not HOST:PORT"
    return m.group(1), int(m.group(2))


def flag_value(argv, flag):
    for i, a in enumerate(argv):
        if a == flag:
            assert i + 1 < len(argv), f"{flag} without a value"
            return argv[i + 1]
        if a.startswith(flag + "="):
            return a.split("=", 1)[1]
    return None


# ---------------------------------------------------------------- DaemonSet

def quantity(q):
    """A Kubernetes quantity in bytes (memory) or cores (cpu)."""
    m = re.fullmatch(r"([0-9.]+)(Ki|Mi|Gi|Ti|k|M|G|T|m)?", str(q))
    assert m, f"bad quantity {q!r}"
    mult = {None: 1, "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40,
            "k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12, "m": 1e-3}[m.group(2)]
    return float(m.group(1)) * mult


with open(os.path.join(DEPLOY, "daemonset.yaml")) as f:
    docs = [d for d in yaml.safe_load_all(f) if d]
dss = [d for d in docs if d.get("kind") == "DaemonSet"]
ds = dss[0] if len(dss) == 1 else {}
pod = ds.get("spec", {}).get("template", {}).get("spec", {})
containers = pod.get("containers", [])
ctr = containers[0] if containers else {}
argv = list(ctr.get("command", [])) + list(ctr.get("args", []))


@check("daemonset.yaml: one DaemonSet, one container running vftrace audit")
def _():
    assert len(dss) == 1, f"{len(dss)} DaemonSets in the file"
    assert len(containers) == 1, f"{len(containers)} containers"
    assert argv[:2] == ["/usr/local/sbin/vftrace", "audit"], f"command+args start {argv[:2]}"


@check("daemonset.yaml: hostPID and hostNetwork true, hostIPC not")
def _():
    assert pod.get("hostPID") is True, f"hostPID is {pod.get('hostPID')!r}"
    assert pod.get("hostNetwork") is True, f"hostNetwork is {pod.get('hostNetwork')!r}"
    assert pod.get("hostIPC") is not True, "hostIPC is true"


@check("daemonset.yaml: no service account token is mounted")
def _():
    assert pod.get("automountServiceAccountToken") is False, \
        f"pod automountServiceAccountToken is {pod.get('automountServiceAccountToken')!r}"
    for sa in (d for d in docs if d.get("kind") == "ServiceAccount"):
        assert sa.get("automountServiceAccountToken") is False, \
            f"ServiceAccount {sa['metadata']['name']} mounts its token"


@check("daemonset.yaml: not privileged, no privilege escalation, read-only root, root uid")
def _():
    for c in containers + pod.get("initContainers", []):
        sc = c.get("securityContext") or {}
        name = c.get("name")
        assert sc.get("privileged") is not True, f"{name}: privileged"
        assert sc.get("allowPrivilegeEscalation") is False, \
            f"{name}: allowPrivilegeEscalation is {sc.get('allowPrivilegeEscalation')!r}"
        assert sc.get("readOnlyRootFilesystem") is True, \
            f"{name}: readOnlyRootFilesystem is {sc.get('readOnlyRootFilesystem')!r}"
    sc = ctr.get("securityContext") or {}
    # capabilities reach a Kubernetes container's process only as uid 0
    assert sc.get("runAsUser") == 0, f"runAsUser is {sc.get('runAsUser')!r}"


@check("daemonset.yaml: capabilities drop ALL and add exactly " + " ".join(sorted(CAPS)))
def _():
    caps = (ctr.get("securityContext") or {}).get("capabilities") or {}
    drop, add = caps.get("drop") or [], caps.get("add") or []
    assert "ALL" in drop, f"drop is {drop}"
    # the API server refuses allowPrivilegeEscalation: false with "CAP_SYS_ADMIN"
    assert not [a for a in add if a.upper().startswith("CAP_")], f"CAP_ prefix in {add}"
    assert len(add) == len(set(add)), f"duplicates in {add}"
    assert set(add) == CAPS, f"add is {sorted(add)}: extra {sorted(set(add) - CAPS)}, " \
        f"missing {sorted(CAPS - set(add))}"


@check("daemonset.yaml: seccomp RuntimeDefault")
def _():
    sc = ctr.get("securityContext") or {}
    prof = sc.get("seccompProfile") or (pod.get("securityContext") or {}).get("seccompProfile") or {}
    assert prof.get("type") == "RuntimeDefault", f"seccompProfile is {prof!r}"


vols = {v["name"]: v for v in pod.get("volumes", [])}
hostpath_mounts = []  # (host path, mount)
for m in ctr.get("volumeMounts", []):
    v = vols.get(m["name"], {})
    if "hostPath" in v:
        hostpath_mounts.append((os.path.normpath(v["hostPath"]["path"]), m))


@check("daemonset.yaml: every host path is read-only except " + CAPTURE_DIR)
def _():
    assert hostpath_mounts, "no hostPath mounts"
    writable = sorted(p for p, m in hostpath_mounts if m.get("readOnly") is not True)
    assert writable == [CAPTURE_DIR], f"writable host paths: {writable}"
    for p, m in hostpath_mounts:
        assert m.get("mountPropagation") != "Bidirectional", f"{p}: Bidirectional propagation"
    # every container, not only the first, and no subPath tricks on the writable one
    for c in pod.get("initContainers", []) + containers[1:]:
        for m in c.get("volumeMounts", []):
            if "hostPath" in vols.get(m["name"], {}):
                assert m.get("readOnly") is True, f"{c.get('name')}: {m['name']} writable"


@check("daemonset.yaml: the host paths vftrace reads are mounted where it reads them")
def _():
    paths = {p for p, _ in hostpath_mounts}
    missing = REQUIRED_HOSTPATHS - paths
    assert not missing, f"not mounted: {sorted(missing)}"
    for p, m in hostpath_mounts:
        assert os.path.normpath(m["mountPath"]) == p, f"{p} mounted at {m['mountPath']}"
        assert p != "/" and not p.startswith("/proc"), f"host path {p}"
        assert not re.search(r"\.sock$|containerd|docker|crio", p), f"runtime socket {p}"
    netns = [m for p, m in hostpath_mounts if p == "/run/netns"]
    assert netns and netns[0].get("mountPropagation") == "HostToContainer", \
        "/run/netns without mountPropagation HostToContainer"


@check("daemonset.yaml: every hostPath has a type, and DirectoryOrCreate only under /run or for "
       + CAPTURE_DIR)
def _():
    # Kubernetes has no optional hostPath: DirectoryOrCreate makes a missing directory on the
    # node. That is harmless on the tmpfs /run and for vftrace's own captures, never in the
    # host's /etc or /usr.
    for name, v in vols.items():
        if "hostPath" not in v:
            continue
        path, kind = os.path.normpath(v["hostPath"]["path"]), v["hostPath"].get("type", "")
        assert kind, f"{name}: hostPath {path} without a type"
        if kind == "DirectoryOrCreate":
            assert path.startswith("/run/") or path == CAPTURE_DIR, \
                f"{name}: DirectoryOrCreate would create {path} on nodes that lack it"


@check("daemonset.yaml: memory request and limit set, limit <= 128Mi, no CPU limit")
def _():
    res = ctr.get("resources") or {}
    lim, req = res.get("limits") or {}, res.get("requests") or {}
    assert "memory" in lim, "no memory limit"
    assert quantity(lim["memory"]) <= MAX_MEMORY, f"memory limit {lim['memory']}"
    assert "memory" in req and quantity(req["memory"]) <= quantity(lim["memory"]), \
        f"memory request {req.get('memory')!r}"
    assert "cpu" in req, "no cpu request"
    assert "cpu" not in lim, f"cpu limit {lim['cpu']} (throttling loses events in a burst)"


@check(f"daemonset.yaml: metrics on port {METRICS_PORT} of the pod IP, not 0.0.0.0")
def _():
    ports = [p for p in ctr.get("ports", []) if p.get("name") == "metrics"]
    assert len(ports) == 1 and ports[0].get("containerPort") == METRICS_PORT, \
        f"metrics port is {ports}"
    addr = flag_value(argv, "--metrics")
    assert addr, "no --metrics"
    host, port = split_addr(addr)
    assert port == METRICS_PORT, f"--metrics port {port}"
    assert not unspecific_addr(host), f"--metrics binds {host!r}: every host interface"
    m = re.fullmatch(r"\[?\$\((\w+)\)\]?", host)
    assert m, f"--metrics host {host!r} is not the downward-API pod IP"
    env = {e["name"]: e for e in ctr.get("env", [])}
    ref = env.get(m.group(1), {}).get("valueFrom", {}).get("fieldRef", {}).get("fieldPath")
    assert ref == "status.podIP", f"${m.group(1)} comes from {ref!r}, not status.podIP"
    ann = ds["spec"]["template"]["metadata"].get("annotations", {})
    assert ann.get("prometheus.io/scrape") == "true", "no prometheus.io/scrape annotation"
    assert str(ann.get("prometheus.io/port")) == str(METRICS_PORT), "prometheus.io/port"
    probe = (ctr.get("livenessProbe") or {}).get("httpGet") or {}
    assert probe.get("path") == "/healthz" and probe.get("port") in ("metrics", METRICS_PORT), \
        f"livenessProbe is {probe!r}"


@check("daemonset.yaml: captures go to the writable host path")
def _():
    assert flag_value(argv, "--capture-dir") == CAPTURE_DIR, \
        f"--capture-dir is {flag_value(argv, '--capture-dir')!r}"
    assert flag_value(argv, "--metrics-textfile") is None, \
        "--metrics-textfile would need a second writable host path"


@check("daemonset.yaml: on every SR-IOV node whatever its taints, node-critical, rolling")
def _():
    tol = pod.get("tolerations") or []
    assert any(t.get("operator") == "Exists" and not t.get("key") and not t.get("effect")
               for t in tol), f"tolerations {tol} do not tolerate every taint"
    assert pod.get("priorityClassName") == "system-node-critical", \
        f"priorityClassName {pod.get('priorityClassName')!r}"
    assert pod.get("nodeSelector"), "no nodeSelector"
    assert ds["spec"].get("updateStrategy", {}).get("type") == "RollingUpdate", "updateStrategy"
    assert int(pod.get("terminationGracePeriodSeconds", 0)) >= 10, \
        "terminationGracePeriodSeconds < 10: no time to flush"


# ------------------------------------------------------------- systemd unit

def parse_unit(path):
    """{section: {key: [values]}}; an empty assignment resets a key, as systemd does."""
    units, sect, buf = {}, None, ""
    with open(path) as f:
        lines = f.read().split("\n")
    for raw in lines:
        line = buf + raw.strip()
        buf = ""
        if line.endswith("\\"):
            buf = line[:-1] + " "
            continue
        if not line or line[0] in "#;":
            continue
        if line.startswith("["):
            sect = units.setdefault(line.strip("[]"), {})
            continue
        assert sect is not None and "=" in line, f"bad line {line!r}"
        k, v = (s.strip() for s in line.split("=", 1))
        if v == "":
            sect[k] = []
        else:
            sect.setdefault(k, []).append(v)
    return units


UNIT = os.path.join(DEPLOY, "vftrace-audit.service")
unit = parse_unit(UNIT)
svc = unit.get("Service", {})


def one(key):
    v = svc.get(key)
    assert v, f"{key}= not set"
    return v[-1]


def words(key):
    return [w for v in svc.get(key, []) for w in v.split()]


def yes(key):
    return svc.get(key, [""])[-1].lower() in ("yes", "true", "on", "1")


unit_argv = shlex.split(svc.get("ExecStart", [""])[-1].lstrip("-@:+!"))


@check("vftrace-audit.service: Type=simple, runs vftrace audit, restarts on failure, SIGHUP reloads")
def _():
    assert one("Type") == "simple", f"Type={one('Type')}"
    assert unit_argv[:2] == ["/usr/local/sbin/vftrace", "audit"], f"ExecStart={unit_argv[:2]}"
    assert one("Restart") == "on-failure", f"Restart={one('Restart')}"
    assert shlex.split(one("ExecReload"))[-2:] == ["-HUP", "$MAINPID"], "ExecReload"
    assert svc.get("User", ["root"])[-1] in ("root", "0"), "User= is not root"


@check("vftrace-audit.service: metrics on loopback port 9477 only")
def _():
    host, port = split_addr(flag_value(unit_argv, "--metrics") or "")
    assert port == METRICS_PORT, f"port {port}"
    assert host in ("127.0.0.1", "[::1]", "localhost"), f"--metrics binds {host!r}"
    assert words("IPAddressDeny") == ["any"], f"IPAddressDeny={words('IPAddressDeny')}"
    assert set(words("IPAddressAllow")) <= {"localhost", "127.0.0.1", "::1"}, \
        f"IPAddressAllow={words('IPAddressAllow')}"


@check("vftrace-audit.service: NoNewPrivileges, ProtectSystem=strict and the sandboxing set")
def _():
    assert one("NoNewPrivileges") == "yes", "NoNewPrivileges"
    assert one("ProtectSystem") == "strict", f"ProtectSystem={one('ProtectSystem')}"
    for k in ("ProtectHome", "PrivateTmp", "PrivateDevices", "ProtectControlGroups",
              "ProtectKernelLogs", "LockPersonality", "MemoryDenyWriteExecute",
              "RestrictRealtime", "RestrictSUIDSGID"):
        assert yes(k), f"{k}= is not yes"
    assert one("SystemCallArchitectures") == "native", "SystemCallArchitectures"
    assert set(words("RestrictAddressFamilies")) == {"AF_UNIX", "AF_NETLINK", "AF_INET", "AF_INET6"}, \
        f"RestrictAddressFamilies={words('RestrictAddressFamilies')}"
    ns = set(words("RestrictNamespaces"))
    assert ns == {"net", "mnt"}, f"RestrictNamespaces={sorted(ns)}: setns(net) and unshare(mnt) only"


@check("vftrace-audit.service: CapabilityBoundingSet and AmbientCapabilities are exactly the needed set")
def _():
    want = {"CAP_" + c for c in CAPS}
    for k in ("CapabilityBoundingSet", "AmbientCapabilities"):
        got = words(k)
        assert got and not got[0].startswith("~"), f"{k}= is not an allow list"
        assert set(got) == want, f"{k}: extra {sorted(set(got) - want)}, missing {sorted(want - set(got))}"


@check("vftrace-audit.service: writable are only the capture and textfile directories")
def _():
    rw = {os.path.normpath(p.lstrip("-+")) for p in words("ReadWritePaths")}
    assert rw == {CAPTURE_DIR, TEXTFILE_DIR}, f"ReadWritePaths={sorted(rw)}"
    assert one("StateDirectory") == "vftrace" and one("StateDirectoryMode") == "0700", "StateDirectory"
    assert flag_value(unit_argv, "--capture-dir") == CAPTURE_DIR, "--capture-dir"
    tf = flag_value(unit_argv, "--metrics-textfile")
    assert tf and os.path.dirname(tf) == TEXTFILE_DIR, f"--metrics-textfile {tf!r}"


@check("vftrace-audit.service: MemoryMax <= 128M and no CPUQuota, as the DaemonSet has no CPU limit")
def _():
    m = re.fullmatch(r"(\d+)([KMG]?)", one("MemoryMax"))
    assert m, f"MemoryMax={one('MemoryMax')}"
    assert int(m.group(1)) * {"": 1, "K": 2**10, "M": 2**20, "G": 2**30}[m.group(2)] <= MAX_MEMORY, \
        f"MemoryMax={one('MemoryMax')}"
    # throttling while a burst fills the ring buffer loses events
    assert not svc.get("CPUQuota"), f"CPUQuota={svc['CPUQuota'][-1]}"


@check("vftrace-audit.service: no setting that breaks the tracer, and module loading denied")
def _():
    for k in ("ProtectKernelTunables", "ProtectKernelModules", "PrivateNetwork", "PrivateUsers",
              "DynamicUser"):
        assert not yes(k), f"{k}=yes breaks vftrace (see the unit's header)"
    assert svc.get("ProcSubset", ["all"])[-1] == "all", "ProcSubset=pid hides /proc/kallsyms"
    reads = ("/sys", "/proc", "/run/netns", "/var/lib/kubelet", "/etc/systemd/network",
             "/etc/NetworkManager", "/usr/lib/modules", "/lib/modules")
    for p in (os.path.normpath(w.lstrip("-+")) for w in words("InaccessiblePaths")):
        hit = [r for r in reads if r == p or r.startswith(p.rstrip("/") + "/") or p.startswith(r + "/")]
        assert not hit, f"InaccessiblePaths={p} hides {hit}"
    sf = words("SystemCallFilter")
    assert sf and sf[0].startswith("~"), "SystemCallFilter= is not a deny list"
    denied = {w.lstrip("~") for w in sf}
    assert "@module" in denied, "@module is not denied"
    needed = {"bpf", "perf_event_open", "setns", "unshare", "mount", "@mount", "@debug",
              "@privileged", "@process", "@system-service", "@network-io"}
    assert not denied & needed, f"denies what vftrace calls: {sorted(denied & needed)}"


@check("user/cli/privs.c keeps the deployments' capabilities but NET_BROADCAST, as the README says")
def _():
    # the README, the unit and the DaemonSet say what audit keeps after its drop
    with open("user/cli/privs.c") as f:
        src = f.read()
    m = re.search(r"audit_caps\[\]\s*=\s*\{([^}]*)\}", src)
    assert m, "no audit_caps[] in user/cli/privs.c"
    kept = {c[len("CAP_"):] for c in re.findall(r"CAP_[A-Z_]+", m.group(1))}
    assert kept == CAPS - {"NET_BROADCAST"}, \
        f"privs.c keeps {sorted(kept)}, not the deployments' {sorted(CAPS - {'NET_BROADCAST'})}"


# ------------------------------------------------------------ Containerfile

def stages(path):
    """[(FROM line, [instructions])] with continuation lines joined."""
    out, buf = [], ""
    with open(path) as f:
        for raw in f:
            line = buf + raw.rstrip("\n")
            buf = ""
            if line.rstrip().endswith("\\"):
                buf = line.rstrip()[:-1] + " "
                continue
            s = line.strip()
            if not s or s.startswith("#"):
                continue
            if s.upper().startswith("FROM "):
                out.append((s, []))
            else:
                assert out, f"instruction before FROM: {s!r}"
                out[-1][1].append(s)
    return out


CF = stages(os.path.join(DEPLOY, "Containerfile"))


def apt_packages(instrs):
    pkgs = []
    for ins in instrs:
        if not ins.upper().startswith("RUN "):
            continue
        for part in re.split(r"&&|;|\|\|", ins[4:]):
            w = shlex.split(part)
            w = [x for x in w if "=" not in x or not x.split("=")[0].isupper()]  # VAR=value
            if len(w) >= 2 and w[0] in ("apt-get", "apt") and "install" in w:
                pkgs += [x for x in w[w.index("install") + 1:] if not x.startswith("-")]
    return pkgs


@check("Containerfile: two stages, debian:bookworm builds with scripts/deps.sh --build-only and make")
def _():
    assert len(CF) >= 2, f"{len(CF)} stages"
    frm, instrs = CF[0]
    assert frm.split()[1] == "debian:bookworm", frm
    body = "\n".join(instrs)
    assert re.search(r"deps\.sh --build-only", body), "build stage does not use deps.sh --build-only"
    assert re.search(r"\bmake\b", body), "build stage does not run make"


@check("Containerfile: final stage is debian:bookworm-slim with runtime libraries and no compiler")
def _():
    frm, instrs = CF[-1]
    assert frm.split()[1] == "debian:bookworm-slim", frm
    pkgs = apt_packages(instrs)
    assert pkgs, "no apt-get install in the final stage"
    compilers = [p for p in pkgs if re.fullmatch(
        r"build-essential|gcc.*|g\+\+.*|cpp.*|clang.*|llvm.*|make|bpftool|pkg-config|.*-dev", p)]
    assert not compilers, f"build tools in the final stage: {compilers}"
    assert RUNTIME_LIBS <= set(pkgs), f"missing runtime libraries {sorted(RUNTIME_LIBS - set(pkgs))}"


@check("Containerfile: final stage copies the binary from the build stage and runs it as root")
def _():
    frm, instrs = CF[-1]
    build_name = CF[0][0].split()[-1] if " AS " in CF[0][0].upper() else "0"
    copies = [i for i in instrs if i.upper().startswith("COPY")]
    assert any(f"--from={build_name}" in c and c.split()[-1] == "/usr/local/sbin/vftrace"
               for c in copies), f"no COPY --from={build_name} ... /usr/local/sbin/vftrace: {copies}"
    user = [i.split()[1] for i in instrs if i.upper().startswith("USER ")]
    assert user and user[-1] in ("root", "0"), f"USER {user}"
    ep = [json.loads(i.split(None, 1)[1]) for i in instrs if i.upper().startswith("ENTRYPOINT ")]
    assert ep and ep[-1] == ["/usr/local/sbin/vftrace"], f"ENTRYPOINT {ep}"
    cmd = [json.loads(i.split(None, 1)[1]) for i in instrs if i.upper().startswith("CMD ")]
    assert cmd and cmd[-1][0] == "audit", f"CMD {cmd}"
    addr = flag_value(cmd[-1], "--metrics")
    assert addr is None or not unspecific_addr(split_addr(addr)[0]), f"CMD --metrics {addr}"


def binary_packages():
    """Debian packages of the shared libraries the built binary links, or None."""
    if not (os.access(VFTRACE, os.X_OK) and all(shutil.which(t) for t in ("ldd", "readelf", "dpkg"))):
        return None
    # the direct dependencies (NEEDED); the packages pull in their own
    dyn = subprocess.run(["readelf", "-d", VFTRACE], capture_output=True, text=True).stdout
    needed = set(re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", dyn))
    out = subprocess.run(["ldd", VFTRACE], capture_output=True, text=True).stdout
    where = dict(re.findall(r"^\s*(\S+)\s+=>\s+(/\S+)", out, re.M))
    if not needed or needed - set(where):
        return None
    pkgs = set()
    for lib in (where[n] for n in needed):
        for path in (os.path.realpath(lib), lib):
            r = subprocess.run(["dpkg", "-S", path], capture_output=True, text=True)
            if r.returncode == 0:
                pkgs.add(r.stdout.split(":")[0].strip())
                break
        else:
            return None  # a library from outside the package manager
    return pkgs


need = binary_packages()
if need is None:
    print(f"ok - Containerfile: runtime libraries of {VFTRACE} # SKIP no binary, ldd, readelf or dpkg")
else:
    @check(f"Containerfile: the final stage installs every library {VFTRACE} links")
    def _():
        have = set(apt_packages(CF[-1][1])) | {"libc6"}  # libc6 is in every Debian image
        assert need <= have, f"not installed: {sorted(need - have)}"

sys.exit(0)
PYEOF
rc=${PIPESTATUS[0]}
((rc == 0)) ||
	say "not ok - the checks of daemonset.yaml, the unit and the Containerfile stopped before their end (exit $rc)"

# systemd's own view of the unit, where systemd-analyze exists. The ExecStart
# binary is swapped for one that exists here, since verify checks that.
if command -v systemd-analyze >/dev/null 2>&1; then
	exe=$VFTRACE
	[[ -x $exe ]] || exe=$(command -v true)
	exe=$(realpath "$exe")
	sed "s#^ExecStart=/usr/local/sbin/vftrace#ExecStart=$exe#" "$DEPLOY/vftrace-audit.service" \
		>"$tmp/vftrace-audit.service"
	# verify exits 0 on unknown keys and bad values ("..., ignoring"): any line about the unit fails
	out=$(cd "$tmp" && systemd-analyze verify --man=no vftrace-audit.service 2>&1)
	rc=$?
	if [[ $rc == 0 ]] && ! grep -q 'vftrace-audit' <<<"$out"; then
		say "ok - systemd-analyze verify: the unit is valid"
	else
		say "not ok - systemd-analyze verify (exit $rc): $out"
	fi
	# exposure 0.0 (best) to 10.0: 4.2 now; a BPF tracer with CAP_SYS_ADMIN cannot score low
	out=$(cd "$tmp" && systemd-analyze security --offline=yes --threshold=45 vftrace-audit.service 2>&1)
	rc=$?
	level=$(grep -o 'Overall exposure level for [^:]*: [0-9.]* [A-Z]*' <<<"$out" | sed 's/.*: //')
	if [[ $rc == 0 && -n $level ]]; then
		say "ok - systemd-analyze security: exposure $level (at most 4.5)"
	elif [[ -z $level ]] && grep -qi 'unrecognized option\|unknown option' <<<"$out"; then
		say "ok - systemd-analyze security # SKIP this systemd has no --offline"
	else
		say "not ok - systemd-analyze security: exposure ${level:-unknown}, over 4.5 (exit $rc)"
	fi
else
	say "ok - systemd-analyze verify # SKIP systemd-analyze is not installed"
	say "ok - systemd-analyze security # SKIP systemd-analyze is not installed"
fi

finish
