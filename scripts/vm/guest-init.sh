#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# guest-init.sh - stage 2 of the VM harness's guest: pid 1 after switch_root.
#
# Stage 1 (initramfs-init.sh) has set the system up: host / with a tmpfs
# overlay, the kernel's modules, proc/sys/dev, tracefs, bpffs, cgroup2, lo
# up. This runs the command of the job file /run/vm/job.sh, records its exit
# status and powers off.
#
# The job file is bash, written by run.sh. It sets:
#   VM_KERNEL VM_KERNEL_RELEASE  series (6.1) and release under test
#   VM_CWD                       directory to run the command in
#   VM_SHELL                     1: the command gets the console as its tty
#   VM_ROWS VM_COLS VM_TERM      host terminal (interactive use)
#   VM_CMD                       array: the command (may be empty with --shell)
# and exports the --env variables.
#
# Files written to /run/vm/out ($VM_OUT, the host's output dir):
#   output.log  the command's stdout and stderr (not in --shell mode); also
#               sent to ttyS1, which run.sh prints on the host's stdout
#   boot_s      guest uptime in seconds when the command started
#   rc          the command's exit status, written last
#
# pid 1 must never exit (the kernel panics), so no `set -e`, and the script
# ends in a sleep loop while the power-off request completes.
set -u

export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root
export VM_OUT=/run/vm/out
export VFTRACE_VM=1

VERBOSE=0
[[ " $(</proc/cmdline) " == *" vftrace.verbose=1 "* ]] && VERBOSE=1
say() {
	((VERBOSE)) && echo "vm stage2 [$(cut -d' ' -f1 /proc/uptime)]: $*"
	return 0
}

poweroff_now() {
	sync
	echo o >/proc/sysrq-trigger
	while :; do sleep 60; done
}

# An error before the command ran: no rc file, the host reports the log.
die() {
	echo "vm stage2: error: $*" >&2
	poweroff_now
}

# shellcheck source=/dev/null
source /run/vm/job.sh || die "cannot read the job file /run/vm/job.sh"
export VM_KERNEL VM_KERNEL_RELEASE
# shellcheck disable=SC2153 # VM_CWD comes from the job file
cd "$VM_CWD" || die "cannot enter $VM_CWD in the guest"

read -r up _ </proc/uptime
echo "$up" >"$VM_OUT/boot_s"
say "running in $VM_CWD: ${VM_CMD[*]:-an interactive shell}"

if [[ "$VM_SHELL" == 1 ]]; then
	# The console becomes the command's controlling tty (job control, ^C).
	export TERM="${VM_TERM:-linux}"
	[[ -n "${VM_ROWS:-}" ]] && stty rows "$VM_ROWS" cols "$VM_COLS" </dev/ttyS0
	((${#VM_CMD[@]})) || VM_CMD=(bash -i)
	setsid -c -w "${VM_CMD[@]}" </dev/ttyS0 >/dev/ttyS0 2>&1
	rc=$?
else
	# ttyS1 reaches the host's stdout: plain "\n" there, not "\r\n".
	stty -onlcr </dev/ttyS1 2>/dev/null
	export TERM=dumb
	"${VM_CMD[@]}" </dev/null 2>&1 | tee "$VM_OUT/output.log" >/dev/ttyS1
	rc=${PIPESTATUS[0]}
fi

# Wait until the serial port has sent all the output to qemu, or the tail
# would be lost by the power-off: stty sets the (same) mode with TCSADRAIN.
if [[ "$VM_SHELL" == 1 ]]; then
	stty onlcr </dev/ttyS0 2>/dev/null
else
	stty -onlcr </dev/ttyS1 2>/dev/null
fi

say "command exited with $rc, powering off"
echo "$rc" >"$VM_OUT/rc.tmp" && mv "$VM_OUT/rc.tmp" "$VM_OUT/rc"
poweroff_now
