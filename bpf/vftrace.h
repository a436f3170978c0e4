/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * vftrace.h - the one ABI shared by the BPF programs and the user-space loader.
 *
 * No includes: the BPF side gets __u32 and friends from vmlinux.h, user space
 * from <linux/types.h>. Every record that crosses the boundary has a fixed
 * layout and a _Static_assert'ed size, so a change on one side that the other
 * does not follow fails the build instead of corrupting events.
 */
#ifndef VFTRACE_H
#define VFTRACE_H

#define VFT_NAME_LEN 16	   /* IFNAMSIZ and TASK_COMM_LEN */
#define VFT_DEVNAME_LEN 32 /* a parent device name: "0000:3b:10.5", "mlx5_core.eth.0" */

/* What happened. Stable numbers: capture files store them (see docs/events.md). */
enum vft_kind {
	VFT_EV_NETDEV_REGISTER = 1,
	VFT_EV_NETDEV_UNREGISTER = 2,
	VFT_EV_NETNS_MOVE = 3,
	VFT_EV_KIND_MAX,
};

/* How the event was seen. */
enum vft_source {
	VFT_SRC_NONE = 0,
	VFT_SRC_FENTRY = 1,
	VFT_SRC_KPROBE = 2,
	VFT_SRC_TRACEPOINT = 3,
	VFT_SRC_NETLINK = 4,
	VFT_SRC_INVENTORY = 5,
	VFT_SRC_MAX,
};

/* One record in the ring buffer. All names are NUL-terminated. */
struct vft_bpf_event {
	__u64 ts_boot_ns;	      /* bpf_ktime_get_boot_ns() */
	__u64 cgroup_id;	      /* actor's cgroup v2 id */
	__u32 kind;		      /* enum vft_kind */
	__u32 source;		      /* enum vft_source */
	__u32 pid;		      /* actor thread group id */
	__u32 tid;		      /* actor thread id */
	__u32 actor_netns;	      /* inode of the actor's network namespace */
	__u32 netns;		      /* inode of the device's netns when seen */
	__s32 ifindex;		      /* ifindex when seen */
	__s32 new_ifindex;	      /* netns_move: ifindex in the target netns */
	__u32 from_netns;	      /* netns_move: source netns inode */
	__u32 to_netns;		      /* netns_move: target netns inode */
	__s32 ret;		      /* 0 or a negative errno */
	__u32 flags;		      /* VFT_F_* */
	char comm[VFT_NAME_LEN];      /* actor's comm */
	char ifname[VFT_NAME_LEN];    /* device name when the call started */
	char ifname2[VFT_NAME_LEN];   /* netns_move: name after the call */
	char parent[VFT_DEVNAME_LEN]; /* parent device (PCI BDF), "" if none */
};

#define VFT_F_HAS_RET (1u << 0) /* ret is meaningful */

_Static_assert(sizeof(struct vft_bpf_event) == 144, "vft_bpf_event layout changed");

/* Index of the per-CPU counters in the "counters" map. */
enum vft_counter {
	VFT_CNT_LOST = 0,	/* ring buffer full: record dropped */
	VFT_CNT_STASH_MISS = 1, /* exit probe without its entry (lost pairing) */
	VFT_CNT_MAX,
};

#endif /* VFTRACE_H */
