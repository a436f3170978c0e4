#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# qemu.sh - fetch the qemu that the VM test harness boots its guests with.
#
# The guests need an emulated NIC with SR-IOV: qemu's igb (Intel 82576),
# which qemu has since 8.0. Debian 12 ships qemu 7.2; its bookworm-backports
# suite has a newer one built for Debian 12. This downloads that qemu
# (qemu-system-x86, qemu-system-common, qemu-system-data) and the SeaBIOS
# it wants (seabios, also from bookworm-backports) with apt-get download and
# unpacks them with dpkg-deb -x into a cache dir, as kernels.sh does with the
# kernels: nothing is installed into the system. The qemu binary uses the
# shared libraries of the system's own qemu-system-x86 (scripts/deps.sh
# installs it).
#
# Usage:
#   scripts/vm/qemu.sh fetch      download + unpack + verify the newest
#                                 (idempotent; test.sh runs it)
#   scripts/vm/qemu.sh path       print the unpacked root dir: the cached
#                                 tree if there is one (asking apt costs
#                                 seconds each boot), else fetch first
#
# In the root dir: usr/bin/qemu-system-x86_64, the firmware dirs to pass
# with -L (usr/share/qemu, usr/share/seabios) and the module dir to export
# as QEMU_MODULE_DIR (usr/lib/x86_64-linux-gnu/qemu).
#
# Cache layout, ${VFTRACE_VM_CACHE:-/var/cache/vftrace-vm}:
#   qemu-<version>_seabios-<version>/                the unpacked packages
#   qemu-<version>_seabios-<version>/.vftrace-ready  written last: the .debs
#       matched apt's checksums and the binary runs and offers igb; it lists
#       the packages and their sha256
#
# The newest version that apt knows in bookworm-backports is used. When apt
# knows none, the suite is added as an apt source if no source has it
# (/etc/apt/sources.list.d/vftrace-bookworm-backports.sources, owned by this
# script, on the mirror of the system's bookworm source), and its package
# lists are updated; when apt still knows none but a tree is cached, the
# newest cached one is used.
set -euo pipefail

CACHE="${VFTRACE_VM_CACHE:-/var/cache/vftrace-vm}"
READY=.vftrace-ready
SUITE=bookworm-backports
SOURCES=/etc/apt/sources.list.d/vftrace-$SUITE.sources
QEMU_PKGS=(qemu-system-x86 qemu-system-common qemu-system-data)
# igb with SR-IOV came in qemu 8.0.
MIN_MAJOR=8

log() { echo "qemu: $*" >&2; }
die() {
	echo "qemu: error: $*" >&2
	exit 1
}

usage() {
	cat >&2 <<-EOF
		usage: $0 fetch
		       $0 path
		cache: $CACHE (set VFTRACE_VM_CACHE to change it)
	EOF
	exit 2
}

# Set QV and SV to the newest versions of qemu-system-x86 and seabios that
# apt knows in $SUITE (empty when it knows none). One apt-cache run: each
# costs about a second.
suite_versions() {
	local madison
	madison="$(apt-cache madison qemu-system-x86 seabios 2>/dev/null |
		awk -F' *[|] *' -v s=" $SUITE/" 'index($3, s) { sub(/^ +/, "", $1); print $1, $2 }')"
	QV="$(awk '$1 == "qemu-system-x86" { print $2 }' <<<"$madison" | sort -V | tail -n 1)"
	SV="$(awk '$1 == "seabios" { print $2 }' <<<"$madison" | sort -V | tail -n 1)"
}

# "1:10.0.2+ds-2" -> "10.0.2+ds-2": the epoch's colon has no place in a path.
no_epoch() {
	echo "${1#*:}"
}

# Whether any configured apt source has the suite (ours or the admin's).
suite_configured() {
	# shellcheck disable=SC2016 # apt's format, not the shell's
	apt-get indextargets --format '$(RELEASE)' 'Identifier: Packages' 2>/dev/null |
		grep -qx "$SUITE"
}

# The mirror of the system's bookworm source, so that backports come from
# where everything else comes from.
mirror() {
	local uri
	# shellcheck disable=SC2016 # apt's format, not the shell's
	uri="$(apt-get indextargets --format '$(RELEASE) $(REPO_URI)' 'Identifier: Packages' 2>/dev/null |
		awk '$1 == "bookworm" { print $2; exit }')"
	echo "${uri:-http://deb.debian.org/debian/}"
}

# Make apt know the suite's packages: add the source if no source has it,
# then update the lists (only our source's when it is ours: quicker, and
# other sources' failures are not ours to report).
add_suite() {
	local keyring=/usr/share/keyrings/debian-archive-keyring.gpg
	if ! suite_configured; then
		[[ -f "$keyring" ]] || die "$keyring missing: install debian-archive-keyring"
		log "adding Debian's $SUITE suite as an apt source: $SOURCES"
		cat >"$SOURCES.tmp" <<-EOF
			# Written by vftrace's scripts/vm/qemu.sh: Debian's $SUITE suite, from which
			# the VM test harness downloads qemu and SeaBIOS into its cache (it installs
			# nothing from it). Backports have a low default priority: apt-get install
			# keeps taking the bookworm versions. Remove this file to drop the suite.
			Types: deb
			URIs: $(mirror)
			Suites: $SUITE
			Components: main
			Signed-By: $keyring
		EOF
		mv "$SOURCES.tmp" "$SOURCES" || die "cannot write $SOURCES (run as root)"
	fi
	log "updating apt's package lists for $SUITE"
	if [[ -f "$SOURCES" ]]; then
		apt-get update -qq -o Dir::Etc::SourceList="$SOURCES" -o Dir::Etc::SourceParts=- \
			-o APT::Get::List-Cleanup=0 >&2 ||
			die "apt-get update of $SOURCES failed; check the network to the Debian mirror"
	else
		apt-get update -qq >&2 || die "apt-get update failed; check /etc/apt/sources.list*"
	fi
}

# Newest complete cached tree, or nothing.
newest_cached() {
	local d
	for d in "$CACHE"/qemu-*_seabios-*; do
		if [[ -f "$d/$READY" ]]; then basename "$d"; fi
	done | sort -V | tail -n 1
}

# Print the cache dir name (qemu-<v>_seabios-<v>) to use; sets QV and SV to
# the package versions when they come from apt (empty for a cached tree).
QV="" SV=""
resolve() {
	local cached
	suite_versions
	if [[ -z "$QV" || -z "$SV" ]]; then
		cached="$(newest_cached)"
		if [[ -n "$cached" ]]; then
			log "apt knows no qemu in $SUITE; using the cached $cached"
			QV="" SV=""
			NAME="$cached"
			return
		fi
		add_suite
		suite_versions
		[[ -n "$QV" && -n "$SV" ]] ||
			die "apt knows no qemu-system-x86 and seabios in $SUITE even after apt-get update; is this Debian 12 (bookworm)?"
	fi
	local major
	major="$(no_epoch "$QV" | cut -d. -f1)"
	((major >= MIN_MAJOR)) ||
		die "$SUITE has qemu $QV; the harness needs $MIN_MAJOR.0 or newer (igb with SR-IOV)"
	NAME="qemu-$(no_epoch "$QV")_seabios-$(no_epoch "$SV")"
}

# Check a .deb against the SHA256 in apt's (signed) package index.
check_deb() {
	local deb="$1" pkg="$2" ver="$3" want got
	want="$(apt-cache show "$pkg=$ver" 2>/dev/null | awk '$1 == "SHA256:" { print $2; exit }')"
	got="$(sha256sum "$deb" | cut -d' ' -f1)"
	[[ -n "$want" && "$got" == "$want" ]] ||
		die "$(basename "$deb"): sha256 $got, apt's index says '${want:-nothing}'"
	echo "$pkg $ver sha256:$got"
}

# Run the unpacked qemu: it must start with the system's libraries and offer
# the igb device.
check_tree() {
	local root="$1" bin="$1/usr/bin/qemu-system-x86_64" missing devs
	[[ -x "$bin" ]] || die "$bin missing after unpacking"
	[[ -f "$root/usr/share/qemu/qboot.rom" && -f "$root/usr/share/seabios/bios-256k.bin" ]] ||
		die "the unpacked packages lack qboot.rom or SeaBIOS's bios-256k.bin"
	missing="$(ldd "$bin" 2>/dev/null | awk '/not found/ { print $1 }' | tr '\n' ' ')"
	[[ -z "$missing" ]] ||
		die "qemu $QV needs shared libraries this system lacks: $missing(scripts/deps.sh installs Debian's qemu-system-x86, which brings them)"
	"$bin" -version >/dev/null || die "$bin -version failed"
	# igb's own help, not the list of every device: that loads every module,
	# and those of the display stack are not in these packages.
	devs="$(QEMU_MODULE_DIR="$root/usr/lib/x86_64-linux-gnu/qemu" "$bin" -L "$root/usr/share/qemu" \
		-machine q35 -accel tcg -device igb,help 2>&1)" || true
	grep -q '^igb options:' <<<"$devs" || die "$bin offers no igb device: $devs"
}

# Download, verify and unpack into $CACHE/$NAME unless already there.
fetch() {
	local dir="$CACHE/$NAME" tmp deb p specs=() sums
	if [[ -f "$dir/$READY" ]]; then
		return
	fi
	[[ -n "$QV" ]] || die "$dir is incomplete and apt knows no version to fetch"
	tmp="$(mktemp -d "$CACHE/.fetch-qemu.XXXXXX")"
	# shellcheck disable=SC2064 # $tmp is fixed now
	trap "rm -rf '$tmp'" EXIT
	for p in "${QEMU_PKGS[@]}"; do
		specs+=("$p=$QV")
	done
	specs+=("seabios=$SV")
	log "downloading qemu $QV and seabios $SV from $SUITE with apt-get"
	(cd "$tmp" && apt-get download -q -o APT::Sandbox::User=root "${specs[@]}" >&2) ||
		die "apt-get download ${specs[*]} failed (see apt's message above); try 'apt-get update' and run again"
	mkdir "$tmp/root"
	sums=""
	for p in "${QEMU_PKGS[@]}" seabios; do
		deb="$(ls "$tmp/${p}_"*.deb)" || die "apt-get download left no $p .deb"
		if [[ "$p" == seabios ]]; then
			sums+="$(check_deb "$deb" "$p" "$SV")"$'\n'
		else
			sums+="$(check_deb "$deb" "$p" "$QV")"$'\n'
		fi
		dpkg-deb -x "$deb" "$tmp/root" || die "dpkg-deb -x $deb failed"
	done
	check_tree "$tmp/root"
	printf '%s' "$sums" >"$tmp/root/$READY"
	rm -rf "$dir"
	mv "$tmp/root" "$dir"
	log "qemu $QV (with igb) ready in $dir"
	# Drop trees of older versions: each is about 90 MB.
	for p in "$CACHE"/qemu-*_seabios-*; do
		[[ "$p" == "$dir" ]] || rm -rf "$p"
	done
}

cmd="${1:-}"
[[ $# -eq 1 ]] || usage
case "$cmd" in
fetch | path) ;;
*) usage ;;
esac
((EUID == 0)) || die "run as root (apt-get download, the cache in $CACHE)"
mkdir -p "$CACHE" || die "cannot create the cache dir $CACHE (set VFTRACE_VM_CACHE to a writable dir)"
# Serialise with kernels.sh and run.sh on the cache's lock.
exec 9>"$CACHE/.lock"
flock 9
NAME=""
if [[ "$cmd" == path ]]; then
	NAME="$(newest_cached)"
	if [[ -z "$NAME" ]]; then
		resolve
		fetch
	fi
	echo "$CACHE/$NAME"
else
	resolve
	fetch
	log "$NAME: cached in $CACHE/$NAME"
fi
