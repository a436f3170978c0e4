#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# kernels.sh - fetch Debian's kernels for the VM test harness.
#
# Downloads the newest Debian package of a kernel series with apt-get
# (nothing is installed: the .deb is unpacked with dpkg-deb into a cache
# directory) and runs depmod on the unpacked tree, so that scripts/vm/run.sh
# can boot its vmlinuz and load its modules inside the guest.
#
# Usage:
#   scripts/vm/kernels.sh fetch 6.1|6.12|all   download + unpack (idempotent)
#   scripts/vm/kernels.sh path 6.1|6.12        print the unpacked root dir
#                                              (fetching it first if needed)
#   scripts/vm/kernels.sh release 6.1|6.12     print the kernel release
#                                              (e.g. 6.1.0-57-amd64)
#
# Cache layout, ${VFTRACE_VM_CACHE:-/var/cache/vftrace-vm}:
#   <release>/                the unpacked package (boot/, lib/modules/<release>/)
#   <release>/.vftrace-ready  written last: the tree is complete and depmod ran
#
# A series resolves to the newest package that apt knows about
# (apt-cache search --names-only, sort -V). When apt knows none (no
# `apt-get update` yet) and nothing is cached, apt-get update is run once.
# When apt knows none but a tree of the series is cached, the cached one is used.
set -euo pipefail

CACHE="${VFTRACE_VM_CACHE:-/var/cache/vftrace-vm}"
READY=.vftrace-ready

log() { echo "kernels: $*" >&2; }
die() {
	echo "kernels: error: $*" >&2
	exit 1
}

usage() {
	cat >&2 <<-EOF
		usage: $0 fetch 6.1|6.12|all
		       $0 path 6.1|6.12
		       $0 release 6.1|6.12
		cache: $CACHE (set VFTRACE_VM_CACHE to change it)
	EOF
	exit 2
}

# Package-name regex (for apt-cache) of a series.
pkg_regex() {
	case "$1" in
	6.1) echo '^linux-image-6\.1\.0-[0-9]+-amd64-unsigned$' ;;
	6.12) echo '^linux-image-6\.12\.[0-9]+\+deb12-amd64-unsigned$' ;;
	*) die "unknown kernel series '$1' (known: 6.1, 6.12)" ;;
	esac
}

# Glob matching the cached releases of a series.
release_glob() {
	case "$1" in
	6.1) echo '6.1.0-*-amd64' ;;
	6.12) echo '6.12.*+deb12-amd64' ;;
	esac
}

# linux-image-6.1.0-57-amd64-unsigned -> 6.1.0-57-amd64
pkg_to_release() {
	local r="${1#linux-image-}"
	echo "${r%-unsigned}"
}

# Newest package name of a series that apt knows, or nothing.
newest_pkg() {
	apt-cache search --names-only "$(pkg_regex "$1")" 2>/dev/null |
		awk '{print $1}' | sort -V | tail -n 1
}

# Newest complete cached release of a series, or nothing.
newest_cached() {
	local d glob
	glob="$(release_glob "$1")"
	for d in "$CACHE"/$glob; do
		if [[ -f "$d/$READY" ]]; then basename "$d"; fi
	done | sort -V | tail -n 1
}

# Print the release a series resolves to (see the header).
resolve() {
	local series="$1" pkg cached
	pkg="$(newest_pkg "$series")"
	if [[ -z "$pkg" ]]; then
		cached="$(newest_cached "$series")"
		if [[ -n "$cached" ]]; then
			log "apt knows no $series package; using the cached $cached"
			echo "$cached"
			return
		fi
		log "apt knows no $series kernel package; running apt-get update"
		apt-get update -qq >&2 ||
			die "apt-get update failed; check /etc/apt/sources.list* and the network to Debian's mirror"
		pkg="$(newest_pkg "$series")"
		[[ -n "$pkg" ]] ||
			die "no package matches $(pkg_regex "$series") even after apt-get update; is this Debian 12 with bookworm-updates/security enabled?"
	fi
	pkg_to_release "$pkg"
}

# Download and unpack one release into $CACHE/<release>/ unless already there.
fetch_release() {
	local rel="$1" dir="$CACHE/$1" pkg="linux-image-$1-unsigned" tmp deb
	if [[ -f "$dir/$READY" ]]; then
		[[ -n "${QUIET_CACHED:-}" ]] || log "$rel: cached in $dir"
		extract_vmlinux "$rel" "$dir"
		return
	fi
	mkdir -p "$CACHE" || die "cannot create the cache dir $CACHE (set VFTRACE_VM_CACHE to a writable dir)"
	tmp="$(mktemp -d "$CACHE/.fetch-$rel.XXXXXX")"
	log "$rel: downloading $pkg with apt-get"
	if ! (cd "$tmp" && apt-get download -q -o APT::Sandbox::User=root "$pkg" >&2); then
		rm -rf "$tmp"
		die "apt-get download $pkg failed (see apt's message above); try 'apt-get update' and run again"
	fi
	deb="$(ls "$tmp"/*.deb)"
	log "$rel: unpacking $(basename "$deb") ($(du -h "$deb" | cut -f1))"
	mkdir "$tmp/root"
	dpkg-deb -x "$deb" "$tmp/root" || {
		rm -rf "$tmp"
		die "dpkg-deb -x $deb failed"
	}
	[[ -f "$tmp/root/boot/vmlinuz-$rel" && -d "$tmp/root/lib/modules/$rel" ]] || {
		rm -rf "$tmp"
		die "$pkg does not contain boot/vmlinuz-$rel and lib/modules/$rel"
	}
	log "$rel: depmod"
	depmod -b "$tmp/root" "$rel" || {
		rm -rf "$tmp"
		die "depmod -b $tmp/root $rel failed"
	}
	extract_vmlinux "$rel" "$tmp/root"
	touch "$tmp/root/$READY"
	rm -rf "$dir"
	mv "$tmp/root" "$dir"
	rm -rf "$tmp"
	log "$rel: ready in $dir"
}

# Write <dir>/boot/vmlinux-<rel>: the uncompressed ELF kernel inside the
# vmlinuz. qemu boots it through its PVH entry point, which skips the
# kernel's self-decompression: about 3 s of a TCG boot. Best effort: without
# it run.sh boots the vmlinuz.
extract_vmlinux() {
	local rel="$1" dir="$2" z="$2/boot/vmlinuz-$1" out="$2/boot/vmlinux-$1"
	local magic tool off
	[[ -f "$out" ]] && return
	for magic in 'xz:\xfd7zXZ\x00' 'zstd:\x28\xb5\x2f\xfd' 'gzip:\x1f\x8b\x08'; do
		tool="${magic%%:*}"
		command -v "$tool" >/dev/null || continue
		for off in $(LC_ALL=C grep -aobP "${magic#*:}" "$z" | cut -d: -f1 | head -n 4); do
			# Trailing data after the stream makes the tools complain.
			tail -c +$((off + 1)) "$z" | "$tool" -dc >"$out.tmp" 2>/dev/null || true
			if [[ "$(head -c 4 "$out.tmp" | od -An -tx1 | tr -d ' ')" == 7f454c46 ]] &&
				readelf -n "$out.tmp" 2>/dev/null | grep -q 'Unknown note type: (0x00000012)'; then
				mv "$out.tmp" "$out"
				log "$rel: extracted boot/vmlinux-$rel ($tool, PVH entry) for faster boots"
				return
			fi
		done
	done
	rm -f "$out.tmp"
	log "$rel: no PVH-bootable vmlinux inside the vmlinuz; booting the vmlinuz (slower)"
}

# Serialise fetches of concurrent runs on a lock in the cache dir.
locked() {
	mkdir -p "$CACHE" || die "cannot create the cache dir $CACHE (set VFTRACE_VM_CACHE to a writable dir)"
	exec 9>"$CACHE/.lock"
	flock 9
	"$@"
}

fetch_series() {
	local rel
	rel="$(resolve "$1")"
	fetch_release "$rel"
}

# path/release: fetch if needed, then print the root dir or the release.
print_series() {
	local rel
	rel="$(resolve "$2")"
	fetch_release "$rel"
	if [[ "$1" == path ]]; then
		echo "$CACHE/$rel"
	else
		echo "$rel"
	fi
}

cmd="${1:-}"
series="${2:-}"
[[ -n "$cmd" && -n "$series" && $# -eq 2 ]] || usage
[[ "$series" == all ]] || pkg_regex "$series" >/dev/null

case "$cmd" in
fetch)
	if [[ "$series" == all ]]; then
		locked fetch_series 6.1
		fetch_series 6.12
	else
		locked fetch_series "$series"
	fi
	;;
path | release)
	[[ "$series" != all ]] || usage
	QUIET_CACHED=1 locked print_series "$cmd" "$series"
	;;
*) usage ;;
esac
