#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0-only
#
# initramfs-init.sh - stage 1 of the VM harness's guest: /init of the tiny
# initramfs that scripts/vm/run.sh builds (busybox + a few kernel modules).
#
# It builds the guest's whole system and hands over to stage 2:
#   1. loads the modules listed in /modules/order (virtio, 9p, overlayfs:
#      whatever the kernel under test does not have built in),
#   2. mounts the host's / (9p tag "hostroot", read-only) and puts a tmpfs
#      overlay on top: the guest sees the host's files at the same paths
#      and can write anywhere, the writes staying in guest memory,
#   3. bind-mounts the kernel's own /lib/modules (from the harness's kernel
#      cache, visible through the host share) over /usr/lib/modules,
#   4. mounts a tmpfs on /run, the read-write 9p share (tag "vmout", the
#      host's output dir) on /run/vm/out, and copies the job file (written
#      by run.sh in the host's /tmp) to /run/vm/job.sh,
#   5. mounts the kernel's file systems: proc, sysfs, devtmpfs, devpts,
#      tmpfs on /dev/shm, securityfs, tracefs, debugfs, bpffs, cgroup2,
#      configfs; brings lo up and sets the hostname. /tmp stays the host's
#      under the overlay (a repo may live there), writable like the rest,
#      the writes staying in guest memory,
#   6. switch_root's into the new root, running stage 2
#      (scripts/vm/guest-init.sh, read from the host share) as pid 1.
#      switch_root, not chroot: the kernel runs /sbin/modprobe for module
#      autoload in pid 1's root, which must be the one with the modules.
# Everything is done here, with the static busybox, because every program
# started after switch_root is loaded over 9p: much slower under TCG.
#
# Parameters come from the kernel command line (set by run.sh):
#   vftrace.modules=DIR   host path of the kernel's lib/modules
#   vftrace.stage2=FILE   host path of guest-init.sh
#   vftrace.job=FILE      host path of the job file
#   vftrace.verbose=1     print what is done
#
# pid 1 must never exit (the kernel panics): on error this powers off.
# shellcheck shell=dash

export PATH=/bin

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev

# param NAME: value of NAME=VALUE on the kernel command line.
param() {
	# shellcheck disable=SC2013 # words, not lines
	for w in $(cat /proc/cmdline); do
		case "$w" in
		"$1"=*) echo "${w#*=}" ;;
		esac
	done
}

R=/newroot
VERBOSE="$(param vftrace.verbose)"
say() {
	[ "$VERBOSE" = 1 ] && echo "vm stage1 [$(cat /proc/uptime $R/proc/uptime 2>/dev/null | cut -d' ' -f1)]: $*"
}

# Print an error, power off; the host sees no rc file and reports the log.
die() {
	echo "vm stage1: error: $*" >&2
	echo "vm stage1: powering off" >&2
	echo o >/proc/sysrq-trigger
	while :; do sleep 60; done
}

MODULES="$(param vftrace.modules)"
STAGE2="$(param vftrace.stage2)"
JOB="$(param vftrace.job)"
[ -n "$MODULES" ] || die "no vftrace.modules= on the kernel command line"
[ -n "$STAGE2" ] || die "no vftrace.stage2= on the kernel command line"
[ -n "$JOB" ] || die "no vftrace.job= on the kernel command line"

# 1. Modules, in dependency order.
if [ -f /modules/order ]; then
	while read -r m; do
		say "insmod $m"
		insmod "/modules/$m" || die "insmod $m failed"
	done </modules/order
fi

# 2. Host root, read-only, with a tmpfs overlay on top. cache=loose: the
# host's files do not change under a test in ways the guest must see live.
mkdir -p /lower /rw $R
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144,cache=loose,ro hostroot /lower ||
	die "cannot mount the host root share (9p tag hostroot)"
mount -t tmpfs -o mode=0755 rw /rw
mkdir -p /rw/upper /rw/work
mount -t overlay -o lowerdir=/lower,upperdir=/rw/upper,workdir=/rw/work overlay $R ||
	die "cannot mount the overlay on the host root"
say "host / mounted read-only with a tmpfs overlay"

# 3. The kernel's own modules.
[ -d "$R$MODULES" ] || die "$MODULES not visible in the guest"
mkdir -p $R/usr/lib/modules
mount -o bind "$R$MODULES" $R/usr/lib/modules || die "cannot bind-mount $MODULES"
say "modules from $MODULES"

# 4. /run, the output share, the job.
mount -t tmpfs -o mode=0755,nosuid,nodev tmpfs $R/run
mkdir -p $R/run/vm/out
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 vmout $R/run/vm/out ||
	die "cannot mount the output share (9p tag vmout)"
cp "$R$JOB" $R/run/vm/job.sh || die "cannot read the job file $JOB"
say "output share on /run/vm/out"

# 5. Kernel file systems. A missing one is reported, not fatal: the tests
# that need it fail with a clearer message than a dead guest.
mnt() {
	mkdir -p "$R$2"
	mount -t "$1" ${3:+-o "$3"} "$1" "$R$2" ||
		echo "vm stage1: warning: cannot mount $1 on $2" >&2
}
mount --move /dev $R/dev
mount --move /sys $R/sys
mount --move /proc $R/proc
mnt devpts /dev/pts gid=5,mode=0620,ptmxmode=0666
mnt tmpfs /dev/shm mode=1777,nosuid,nodev
mnt securityfs /sys/kernel/security
mnt tracefs /sys/kernel/tracing
mnt debugfs /sys/kernel/debug
mnt bpf /sys/fs/bpf mode=0700
mnt cgroup2 /sys/fs/cgroup nsdelegate
[ -d $R/sys/kernel/config ] && mnt configfs /sys/kernel/config
ln -sfn /proc/self/fd $R/dev/fd
ln -sfn /proc/mounts $R/etc/mtab
ip link set lo up || echo "vm stage1: warning: cannot bring lo up" >&2
# vm-6-1, vm-6-12 (no dot: bash prompts cut \h at the first one)
release="$(uname -r)"
hostname "vm-$(echo "$release" | cut -d. -f1,2 | tr . -)"
say "kernel file systems mounted, lo up"

# 6. Hand over.
[ -f "$R$STAGE2" ] || die "stage 2 $STAGE2 not visible in the guest"
say "switch_root, stage 2 is $STAGE2"
# shellcheck disable=SC2093 # die runs only if the exec fails
exec switch_root $R /bin/bash "$STAGE2"
die "switch_root failed"
