#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# run.sh - run a command (or an interactive shell) inside a Debian kernel
# booted under qemu (TCG), with the host's / as the guest's root file system.
#
# The machine: q35 with an SR-IOV capable Intel 82576 (qemu's igb) behind a
# PCIe root port, the PF of the VFs the tests make, plus the virtio devices
# (9p shares, a spare virtio-rng, a virtio-net NIC). qemu itself comes from
# qemu.sh's cache (Debian's 7.2 has no igb).
#
# Usage:
#   scripts/vm/run.sh --kernel 6.1|6.12 [options] -- CMD [ARGS...]
#   scripts/vm/run.sh --kernel 6.1|6.12 --shell [options] [-- CMD [ARGS...]]
#
# Options:
#   --kernel K        kernel series to boot: 6.1 or 6.12 (required)
#   --out DIR         host dir that receives the guest's files (default: a
#                     fresh tests/vm/out/<kernel>-<timestamp>/)
#   --timeout S       kill the guest after S seconds (default 600; 0 = never;
#                     with --shell the default is 0)
#   --mem MB          guest memory (default 2048)
#   --env NAME=VALUE  export NAME=VALUE to the command (repeatable)
#   --shell           give the command the console as its tty; without a
#                     command, run an interactive bash (leave qemu: Ctrl-A x)
#   --verbose         show the kernel's boot messages and the init stages
#
# The command runs as root in the guest, in the directory run.sh was started
# from (or $VFTRACE_VM_CWD); the host's / is visible read-only with a tmpfs
# overlay, so the repo is at the same path and writes stay in the guest.
# $VM_OUT in the guest (/run/vm/out) is the host's --out dir. The command's
# output is streamed here and saved to OUT/output.log, the whole console to
# OUT/console.log, its exit status to OUT/rc.
#
# Exit status: the command's; 3 if the guest did not report one (timeout,
# panic, crash; see OUT/console.log); 2 for usage errors.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
CACHE="${VFTRACE_VM_CACHE:-/var/cache/vftrace-vm}"

# Modules the initramfs needs to mount the 9p shares and the overlay; those
# built into the kernel are skipped (modprobe --show-depends says "builtin").
INITRAMFS_MODULES=(virtio_pci 9pnet_virtio 9p overlay)

log() { echo "vm: $*" >&2; }
die() {
	echo "vm: error: $*" >&2
	exit 2
}

usage() {
	sed -n '/^# Usage:/,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//' >&2
	exit 2
}

kernel=""
out=""
timeout=""
mem=2048
shell=0
verbose=0
envs=()
cmd=()

while (($#)); do
	case "$1" in
	--kernel) kernel="${2:?--kernel needs 6.1 or 6.12}"; shift 2 ;;
	--out) out="${2:?--out needs a dir}"; shift 2 ;;
	--timeout) timeout="${2:?--timeout needs seconds}"; shift 2 ;;
	--mem) mem="${2:?--mem needs MB}"; shift 2 ;;
	--env) envs+=("${2:?--env needs NAME=VALUE}"); shift 2 ;;
	--shell) shell=1; shift ;;
	--verbose) verbose=1; shift ;;
	-h | --help) usage ;;
	--) shift; cmd=("$@"); break ;;
	*) echo "vm: error: unknown argument '$1'" >&2; usage ;;
	esac
done

case "$kernel" in
6.1 | 6.12) ;;
"") die "--kernel 6.1|6.12 is required" ;;
*) die "unknown kernel '$kernel' (known: 6.1, 6.12)" ;;
esac
((${#cmd[@]} || shell)) || die "no command: give '-- CMD [ARGS...]' or --shell"
[[ -z "$timeout" ]] && { ((shell)) && timeout=0 || timeout=600; }
[[ "$timeout" =~ ^[0-9]+$ ]] || die "--timeout wants whole seconds, not '$timeout'"
[[ "$mem" =~ ^[0-9]+$ ]] || die "--mem wants MB, not '$mem'"
for e in "${envs[@]}"; do
	[[ "$e" =~ ^[A-Za-z_][A-Za-z0-9_]*= ]] || die "--env wants NAME=VALUE, not '$e'"
done
((EUID == 0)) || die "run as root (qemu's 9p passthrough of / needs it)"
[[ -x /bin/busybox ]] || die "/bin/busybox not found; run scripts/deps.sh (busybox-static)"

cwd="${VFTRACE_VM_CWD:-$PWD}"
[[ -d "$cwd" ]] || die "VFTRACE_VM_CWD=$cwd is not a directory"
cwd="$(cd "$cwd" && pwd -P)"
case "$cwd/" in
/run/* | /proc/* | /sys/* | /dev/*)
	die "cannot run in $cwd: the guest has its own /run, /proc, /sys and /dev; cd elsewhere or set VFTRACE_VM_CWD" ;;
esac

root="$("$HERE/kernels.sh" path "$kernel")" || die "cannot get the $kernel kernel (see above)"
qroot="$("$HERE/qemu.sh" path)" || die "cannot get qemu with igb (see above)"
# The firmware (qboot, SeaBIOS, option ROMs) and the modules of that qemu,
# not the system's: those are of another build.
export QEMU_MODULE_DIR="$qroot/usr/lib/x86_64-linux-gnu/qemu"
release="$(basename "$root")"
# The uncompressed vmlinux (PVH entry, see kernels.sh) boots faster.
vmlinuz="$root/boot/vmlinux-$release"
[[ -f "$vmlinuz" ]] || vmlinuz="$root/boot/vmlinuz-$release"
[[ -f "$vmlinuz" ]] || die "$vmlinuz missing; remove $root and fetch again"

# The guest reads these paths from the kernel command line, which is split
# at whitespace.
for p in "$root" "$HERE"; do
	[[ "$p" != *[[:space:]]* ]] || die "path '$p' contains whitespace; the harness cannot pass it to the guest"
done

# ---- initramfs, cached per kernel; rebuilt when an input changes ----------

# Prints the initramfs path for $root/$release, building it if needed.
initramfs() {
	local mods m key img tmp i=0 f base
	mods="$(for m in "${INITRAMFS_MODULES[@]}"; do
		modprobe -d "$root" -S "$release" --show-depends "$m" ||
			die "modprobe --show-depends $m failed for $release"
	done | awk '$1 == "insmod" && !seen[$2]++ { print $2 }')"
	key="$({
		echo "format 1"
		sha256sum "$HERE/initramfs-init.sh" /bin/busybox | cut -d' ' -f1
		echo "$mods"
	} | sha256sum | cut -c1-16)"
	img="$root/initramfs-$key.cpio"
	if [[ -f "$img" ]]; then
		touch "$img" # in use: keep it (see below)
		echo "$img"
		return
	fi

	log "building the initramfs for $release"
	tmp="$(mktemp -d)"
	mkdir -p "$tmp"/{bin,dev,proc,sys,modules}
	cp /bin/busybox "$tmp/bin/busybox"
	for a in $(/bin/busybox --list); do
		[[ -e "$tmp/bin/$a" ]] || ln -s busybox "$tmp/bin/$a"
	done
	mknod "$tmp/dev/console" c 5 1
	install -m 0755 "$HERE/initramfs-init.sh" "$tmp/init"
	while read -r f; do
		[[ -n "$f" ]] || continue
		base="$(printf "%02d-%s" "$i" "$(basename "$f")")"
		# busybox insmod wants plain ELF: decompress.
		case "$f" in
		*.xz) xz -dc "$f" >"$tmp/modules/${base%.xz}"; base="${base%.xz}" ;;
		*.zst) zstd -qdc "$f" >"$tmp/modules/${base%.zst}"; base="${base%.zst}" ;;
		*) cp "$f" "$tmp/modules/$base" ;;
		esac
		echo "$base" >>"$tmp/modules/order"
		i=$((i + 1))
	done <<<"$mods"
	(cd "$tmp" && find . -print0 | cpio --null -o -H newc --owner=0:0 --quiet) >"$img.tmp"
	rm -rf "$tmp"
	mv "$img.tmp" "$img"
	# Drop the images of other inputs (older scripts, other checkouts)
	# unused for a day.
	find "$root" -maxdepth 1 -name 'initramfs-*.cpio' -mtime +0 -delete
	log "initramfs $img, modules: $(xargs -r -n1 basename <<<"$mods" | tr '\n' ' ')"
	echo "$img"
}
initrd="$(
	exec 9>"$CACHE/.lock"
	flock 9
	initramfs
)" || die "building the initramfs failed"

# ---- output dir and job file -------------------------------------------------

if [[ -z "$out" ]]; then
	out="$REPO/tests/vm/out/$kernel-$(date +%Y%m%d-%H%M%S)"
	[[ -e "$out" ]] && out="$out-$$"
fi
mkdir -p "$out" || die "cannot create the output dir $out"
out="$(cd "$out" && pwd -P)"
# Stale results would pass for this run's.
rm -f "$out/rc" "$out/rc.tmp" "$out/output.log" "$out/console.log" "$out/boot_s"

jobdir="$(mktemp -d /tmp/vftrace-vm.XXXXXX)"
stty_saved=""
[[ -t 0 ]] && stty_saved="$(stty -g)"
# shellcheck disable=SC2317 # called by the trap
cleanup() {
	rm -rf "$jobdir"
	[[ -n "$stty_saved" ]] && stty "$stty_saved" 2>/dev/null
	return 0
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

job="$jobdir/job.sh"
{
	echo "# vftrace VM job, written by $0"
	printf 'VM_KERNEL=%q\n' "$kernel"
	printf 'VM_KERNEL_RELEASE=%q\n' "$release"
	printf 'VM_CWD=%q\n' "$cwd"
	printf 'VM_SHELL=%q\n' "$shell"
	if ((shell)) && [[ -t 0 ]]; then
		read -r rows cols < <(stty size)
		printf 'VM_ROWS=%q VM_COLS=%q VM_TERM=%q\n' "$rows" "$cols" "${TERM:-linux}"
	fi
	for e in "${envs[@]}"; do
		printf 'export %s=%q\n' "${e%%=*}" "${e#*=}"
	done
	printf 'VM_CMD=('
	((${#cmd[@]} == 0)) || printf ' %q' "${cmd[@]}"
	printf ' )\n'
} >"$job"

# ---- boot ---------------------------------------------------------------------

append="console=ttyS0 panic=-1 mitigations=off"
[[ "$vmlinuz" == */vmlinuz-* ]] && append+=" edd=off"
if ((verbose)); then
	append+=" loglevel=7 vftrace.verbose=1"
else
	append+=" loglevel=3"
fi
append+=" vftrace.modules=$root/lib/modules vftrace.stage2=$HERE/guest-init.sh vftrace.job=$job"

# Serial ports. ttyS0 is the guest console (kernel messages, init errors);
# ttyS1 carries only the command's output, which is what run.sh prints.
if ((shell)); then
	# The command runs on the console: qemu's stdio, with its monitor
	# multiplexed in (Ctrl-A x quits, Ctrl-A h helps).
	serial=(-serial mon:stdio -serial null)
else
	con="file,id=con,path=${out//,/,,}/console.log"
	((verbose)) && con="file,id=con,path=/dev/stderr,append=on,logfile=${out//,/,,}/console.log"
	# shellcheck disable=SC2054 # the commas are qemu's
	serial=(
		-chardev "$con" -serial chardev:con
		-chardev stdio,id=cmd,signal=on -serial chardev:cmd
		-monitor none
	)
fi

# shellcheck disable=SC2054 # the commas are qemu's
qemu=(
	"$qroot/usr/bin/qemu-system-x86_64" -L "$qroot/usr/share/qemu" -L "$qroot/usr/share/seabios"
	# q35: SR-IOV needs PCI Express.
	-machine q35 -accel tcg -cpu max -smp 2 -m "$mem"
	-nographic -no-reboot -audio none "${serial[@]}"
	# qboot: a minimal firmware that boots -kernel quickly and, unlike
	# SeaBIOS, prints nothing on the serial console.
	-bios qboot.rom
	-kernel "$vmlinuz" -initrd "$initrd" -append "$append"
	-virtfs "local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap"
	-virtfs "local,path=${out//,/,,},mount_tag=vmout,security_model=none,multidevs=remap"
	# Spare PCI device for driver unbind/bind tests.
	-device virtio-rng-pci
	# PCI NIC on a hub with no host side: nothing leaves the guest.
	-device virtio-net-pci,netdev=n0,romfile= -netdev hubport,id=n0,hubid=0
	# The SR-IOV PF, 0000:01:00.0 behind its root port (VFs need the
	# port's bus numbers), on a hub of its own with no host side either.
	-device pcie-root-port,id=rp0,chassis=1,slot=1
	-device igb,bus=rp0,netdev=pf0,romfile= -netdev hubport,id=pf0,hubid=1
)

log "booting $release (kernel $kernel), out: $out"
start=$SECONDS
set +e
if ((shell)); then
	# Also keep what the console showed.
	timeout --foreground -k 10 "${timeout}" "${qemu[@]}" 2> >(grep -v 'hub [0-9]* is not connected' >&2) |
		tee "$out/console.log"
	qrc=${PIPESTATUS[0]}
else
	# Through cat: qemu makes its stdout non-blocking, which must not leak
	# into a stdout shared with others (a terminal, make -j).
	timeout --foreground -k 10 "${timeout}" "${qemu[@]}" </dev/null 2> >(grep -v 'hub [0-9]* is not connected' >&2) | cat
	qrc=${PIPESTATUS[0]}
fi
set -e
elapsed=$((SECONDS - start))

if [[ -f "$out/rc" ]]; then
	rc="$(<"$out/rc")"
	if [[ "$rc" =~ ^[0-9]+$ ]]; then
		((verbose)) && log "guest finished in ${elapsed}s, command exit status $rc"
		exit "$rc"
	fi
	log "error: $out/rc holds '$rc', not an exit status"
elif ((qrc == 124 || qrc == 137)); then
	log "error: the guest did not finish within --timeout ${timeout}s and was killed"
else
	log "error: the guest stopped without reporting the command's exit status (qemu exit status $qrc: kernel panic, crash or an init error)"
fi
if [[ -s "$out/console.log" ]] && ! ((shell)); then
	# Show the first panic/oops/init error, else the console's last lines.
	first="$(grep -n -m1 -E 'Kernel panic|BUG:|Oops|general protection|stage[12]: error' \
		"$out/console.log" | cut -d: -f1 || true)"
	if [[ -n "$first" ]]; then
		log "the guest console, from line $first:"
		tail -n "+$first" "$out/console.log" | head -n 25 | tr -d '\r' | sed 's/^/  | /' >&2
	else
		log "last lines of the guest console:"
		tail -n 25 "$out/console.log" | tr -d '\r' | sed 's/^/  | /' >&2
	fi
fi
log "command output so far: $out/output.log; guest console: $out/console.log"
exit 3
