#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# deps.sh - install every Debian package that vftrace's build, tests and VM
# test layer need. Idempotent: packages already present are skipped, so a
# second run does not touch the network.
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
	qemu-system-x86 busybox-static cpio xz-utils
	libclang-rt-14-dev bpftrace
)

pkgs=("${build_pkgs[@]}")
[[ "${1:-}" == "--build-only" ]] || pkgs+=("${test_pkgs[@]}")

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing+=("$p")
done

if ((${#missing[@]} == 0)); then
	echo "deps: all ${#pkgs[@]} packages present"
	exit 0
fi

if ((EUID != 0)); then
	echo "deps: missing packages: ${missing[*]}" >&2
	echo "deps: run this script as root (it uses apt-get)" >&2
	exit 1
fi

echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "deps: done"
