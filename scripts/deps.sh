#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# deps.sh - install every Debian package that vftrace's build, tests and VM
# test layer need, and the test layer's npm packages (the DevTools trace
# engine of tests/host/trace, at the versions of its package-lock.json).
# Idempotent: packages already present are skipped, so a second run does not
# touch the network.
#
# Usage: scripts/deps.sh [--build-only]
#   --build-only   only what `make` needs (no test or VM packages)
set -euo pipefail

build_pkgs=(
	make gcc clang llvm pkg-config
	libbpf-dev bpftool libelf-dev zlib1g-dev
	libjson-c-dev libibverbs-dev libmnl-dev libmicrohttpd-dev libcap-dev
)
test_pkgs=(
	libcmocka-dev iproute2 kmod jq python3-yaml curl
	rdma-core ibverbs-utils
	# The VM harness boots a newer qemu that scripts/vm/qemu.sh fetches
	# from bookworm-backports into its cache; Debian's own qemu-system-x86
	# brings the shared libraries that binary uses.
	qemu-system-x86 busybox-static cpio xz-utils debian-archive-keyring
	libclang-rt-14-dev bpftrace
	# The guest runs this machine's root file system, so what the VM tests
	# start in a guest (udev, networkd, NetworkManager and its D-Bus, the
	# CNI reference plugins in /usr/lib/cni) is installed here.
	udev systemd dbus network-manager containernetworking-plugins ethtool
	# tests/host/test_report.sh: the report drawn by headless Chromium, the
	# trace JSON read by the DevTools trace engine under Node (npm: Debian's
	# own package, or the one a nodejs from elsewhere brings)
	chromium nodejs
)

# The npm packages of tests/host/trace (package-lock.json), once node is there.
npm_deps() {
	local dir
	dir="$(dirname "$0")/../tests/host/trace"
	[[ "${1:-}" != "--build-only" ]] || return 0
	[[ -d "$dir/node_modules/@paulirish/trace_engine" ]] && return 0
	if ! command -v npm >/dev/null; then
		echo "deps: no npm: install Debian's npm package for the trace engine of tests/host/trace" >&2
		return 0
	fi
	echo "deps: npm ci in tests/host/trace"
	(cd "$dir" && npm ci --no-audit --no-fund --silent)
}

pkgs=("${build_pkgs[@]}")
[[ "${1:-}" == "--build-only" ]] || pkgs+=("${test_pkgs[@]}")

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing+=("$p")
done

if ((${#missing[@]} == 0)); then
	echo "deps: all ${#pkgs[@]} packages present"
	npm_deps "${1:-}"
	exit 0
fi

if ((EUID != 0)); then
	echo "deps: missing packages: ${missing[*]}" >&2
	echo "deps: run this script as root (it uses apt-get)" >&2
	exit 1
fi

echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# Packages such as network-manager and dbus start their services when
# installed; the tests only run them inside VM guests, and a NetworkManager
# started here would take over this machine's interfaces. A policy-rc.d that
# refuses every start (invoke-rc.d and deb-systemd-invoke both ask it) keeps
# them stopped during the install; one already present is left as it is.
policy=/usr/sbin/policy-rc.d
if [[ ! -e "$policy" ]]; then
	printf '#!/bin/sh\n# Written by vftrace scripts/deps.sh for the length of an install.\nexit 101\n' >"$policy"
	chmod 0755 "$policy"
	trap 'rm -f "$policy"' EXIT
fi
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# With systemd as pid 1, the units stay disabled too: the next boot would
# start them otherwise.
if [[ -d /run/systemd/system ]]; then
	for p in "${missing[@]}"; do
		case "$p" in
		network-manager) systemctl disable --quiet NetworkManager.service || true ;;
		esac
	done
fi
npm_deps "${1:-}"
echo "deps: done"
