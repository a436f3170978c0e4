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
#define VFT_DEVNAME_LEN 32 /* a device name: "0000:3b:10.5", "mlx5_core.eth.0" */
#define VFT_IBNAME_LEN 64  /* IB_DEVICE_NAME_MAX */
#define VFT_MSG_LEN 128	   /* an extack or netlink error message */

/* What happened. Stable numbers: capture files store them (see docs/events.md). */
enum vft_kind {
	VFT_EV_NETDEV_REGISTER = 1,
	VFT_EV_NETDEV_UNREGISTER = 2,
	VFT_EV_NETNS_MOVE = 3,
	VFT_EV_NETDEV_RENAME = 4,
	VFT_EV_LINK_CHANGE = 5,
	VFT_EV_ADDR_ADD = 6,
	VFT_EV_ADDR_DEL = 7,
	VFT_EV_DRIVER_BIND = 8,
	VFT_EV_DRIVER_UNBIND = 9,
	VFT_EV_SRIOV_NUMVFS = 10,
	VFT_EV_VF_ADD = 11,
	VFT_EV_VF_REMOVE = 12,
	VFT_EV_RDMA_REGISTER = 13,
	VFT_EV_RDMA_UNREGISTER = 14,
	VFT_EV_RDMA_RENAME = 15,
	VFT_EV_RDMA_NETNS_MOVE = 16,
	VFT_EV_RDMA_PORT_EVENT = 17,
	VFT_EV_RDMA_PORT_STATE = 18, /* a snapshot of port attributes (inventory, enrichment) */
	VFT_EV_NETLINK_ERROR = 19,
	VFT_EV_BPF_KIND_MAX = VFT_EV_NETLINK_ERROR, /* the kernel side emits 1..this */
	/* user space only: enrichment and the correlator's grace timer */
	VFT_EV_NETNS_INFO = 20, /* what a netns is: host, /run/netns name, pod */
	VFT_EV_VF_CHECK = 21,	/* a VF's grace period ended: its findings are evaluated now */
	VFT_EV_LOST = 22,	/* events dropped before user space saw them (a capture keeps it) */
	VFT_EV_TRUST = 23,	/* actor.comm may configure VFs in the host netns (watch --trust) */
	/* the kernel side again (after VFT_EV_BPF_KIND_MAX: numbers are never reused) */
	VFT_EV_VF_CONFIG = 24, /* a VF setting asked of its PF (RTM_SETLINK, IFLA_VFINFO_LIST) */
	VFT_EV_CNI = 25,       /* a CNI plugin run, reported when it exits (struct vft_bpf_cni) */
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
	VFT_SRC_ENRICH = 6, /* read by user space for an event: pod attribution, a port re-read */
	VFT_SRC_TIMER = 7,  /* made by the correlator's clock (vf_check) */
	VFT_SRC_MAX,
};

/*
 * One record in the ring buffer: a common header, then the part that
 * depends on the kind. All names are NUL-terminated (user space re-checks).
 */
struct vft_bpf_event {
	__u64 ts_boot_ns;  /* bpf_ktime_get_boot_ns() */
	__u64 cgroup_id;   /* actor's cgroup v2 id */
	__u32 kind;	   /* enum vft_kind */
	__u32 source;	   /* enum vft_source */
	__u32 pid;	   /* actor thread group id */
	__u32 tid;	   /* actor thread id */
	__u32 actor_netns; /* inode of the actor's network namespace */
	__s32 ret;	   /* 0 or a negative errno, if VFT_F_HAS_RET */
	__u32 flags;	   /* VFT_F_* */
	__u32 netns;	   /* inode of the device's netns when seen */
	__s32 ifindex;	   /* ifindex when seen */
	__u32 __pad0;
	char comm[VFT_NAME_LEN];      /* actor's comm */
	char ifname[VFT_NAME_LEN];    /* net device name when the call started */
	char parent[VFT_DEVNAME_LEN]; /* the net device's parent device, "" if none */
	union {
		struct { /* netns_move, netdev_rename */
			__u32 from_netns;
			__u32 to_netns;
			__s32 new_ifindex;
			__u32 __pad;
			char new_ifname[VFT_NAME_LEN];
			char msg[VFT_MSG_LEN]; /* extack message, "" if none */
		} move;
		struct {		 /* link_change */
			__u32 flags;	 /* IFF_* after the change */
			__u32 old_flags; /* IFF_* before */
		} link;
		struct {	     /* addr_add, addr_del */
			__u8 family; /* AF_INET, AF_INET6 */
			__u8 prefixlen;
			__u8 __pad[2];
			__u8 addr[16];
		} addr;
		struct { /* driver_bind, driver_unbind */
			char device[VFT_DEVNAME_LEN];
			char driver[VFT_DEVNAME_LEN];
		} drv;
		struct { /* sriov_numvfs, vf_add, vf_remove */
			char pf[VFT_DEVNAME_LEN];
			char vf[VFT_DEVNAME_LEN];
			__u32 num_vfs;	   /* sriov_numvfs: requested */
			__u32 old_num_vfs; /* sriov_numvfs: before */
			__s32 vf_index;	   /* vf_add, vf_remove */
			__u16 vf_offset;   /* the PF's First VF Offset, to derive the VF's BDF */
			__u16 vf_stride;   /* the PF's VF Stride */
		} sriov;
		struct { /* rdma_* */
			char ibdev[VFT_IBNAME_LEN];
			char new_name[VFT_IBNAME_LEN]; /* rdma_rename */
			__u64 node_guid;
			__u32 port;
			__u32 event; /* enum ib_event_type, rdma_port_event */
			__u32 state; /* enum ib_port_state, 0 if unread */
			__u32 lid;
			__u32 sm_lid;
			__u32 to_netns; /* rdma_netns_move */
		} rdma;
		struct { /* netlink_error */
			char msg[VFT_MSG_LEN];
		} nl;
		struct {	       /* vf_config */
			__s32 vf;      /* the VF's index on its PF */
			__u32 setting; /* enum vft_vf_setting */
			__u64 value;   /* packed as enum vft_vf_setting says */
		} vfcfg;
		struct {		 /* cni: the rest is in struct vft_bpf_cni */
			__u64 start_ns;	 /* bpf_ktime_get_boot_ns() at its exec */
			__u32 exit_code; /* task->exit_code: a wait status */
			__u32 ppid;	 /* its parent's thread group id */
			__u32 cut;	 /* VFT_CNI_CUT_*: what did not fit */
		} cni;
	} u;
};

#define VFT_F_HAS_RET (1u << 0)	   /* ret is meaningful */
#define VFT_F_PORT_ATTRS (1u << 1) /* rdma: state, lid and sm_lid were read */
/*
 * Where the kernel ran (from preempt_count): in interrupt context the
 * current task was interrupted, it is not the actor.
 */
#define VFT_F_IN_SOFTIRQ (1u << 2) /* serving a softirq (NET_RX: an RA's SLAAC address) */
#define VFT_F_IN_HARDIRQ (1u << 3)

#define VFT_F_CNI_CHILD (1u << 4)  /* cni: its parent is a CNI plugin run (an IPAM plugin) */
#define VFT_F_CNI_BY_ENV (1u << 5) /* cni: known by CNI_COMMAND= in its environment, not its path */

_Static_assert(sizeof(struct vft_bpf_event) == 120 + 160, "vft_bpf_event layout changed");

/*
 * A CNI plugin run: what its exec said (the path it was executed by and the
 * CNI_ variables of its environment), reported with its exit. The only
 * record longer than struct vft_bpf_event; its header says kind VFT_EV_CNI.
 */
#define VFT_CNI_PATH_LEN 256 /* the path given to execve() */
#define VFT_CNI_ARGS_LEN 512 /* CNI_ARGS: K8S_POD_NAMESPACE=..;K8S_POD_NAME=..;K8S_POD_UID=.. */
#define VFT_CNI_VAL_LEN 128  /* any other CNI_ variable's value */
#define VFT_CNI_DIR_LEN 64   /* a directory of CNI plugins (its prefix, with the last '/') */
#define VFT_CNI_MAX_DIRS 8

/* The CNI_ variables kept besides CNI_ARGS, index of vft_cni_strings.var[]. */
enum vft_cni_var {
	VFT_CNI_COMMAND = 0, /* ADD, DEL, CHECK, GC, STATUS, VERSION */
	VFT_CNI_CONTAINERID,
	VFT_CNI_NETNS, /* a path: /var/run/netns/cni-..., /proc/<pid>/ns/net */
	VFT_CNI_IFNAME,
	VFT_CNI_VARS,
};

/* What did not fit (vft_bpf_event.u.cni.cut); each is also counted (VFT_CNT_CNI_CUT). */
#define VFT_CNI_CUT_PATH (1u << 0) /* the path is longer than its room */
#define VFT_CNI_CUT_ARGS (1u << 1) /* CNI_ARGS is longer than its room */
#define VFT_CNI_CUT_VAR (1u << 2)  /* another CNI_ variable is longer than its room */
#define VFT_CNI_CUT_ENV (1u << 3)  /* the environment is longer than the kernel side reads */

struct vft_cni_strings {
	char path[VFT_CNI_PATH_LEN];
	char args[VFT_CNI_ARGS_LEN];
	char var[VFT_CNI_VARS][VFT_CNI_VAL_LEN];
};

struct vft_bpf_cni {
	struct vft_bpf_event hdr;
	struct vft_cni_strings s;
};

_Static_assert(sizeof(struct vft_bpf_cni) == 280 + 256 + 512 + 4 * 128,
	       "vft_bpf_cni layout changed");

/* A directory of CNI plugins (the cni_dirs map, set by user space): a path prefix. */
struct vft_cni_dir {
	__u32 len; /* of prefix, 0: an unused slot */
	char prefix[VFT_CNI_DIR_LEN];
};

/*
 * The settings of a vf_config event: the numbers are the kernel's IFLA_VF_*
 * attributes (uapi linux/if_link.h), how the value is packed is ours.
 */
enum vft_vf_setting {
	VFT_VF_MAC = 1,		 /* the 6 bytes of the MAC, the first one highest */
	VFT_VF_VLAN = 2,	 /* vlan | qos << 16 | protocol (0x8100, 0x88a8) << 32 */
	VFT_VF_TX_RATE = 3,	 /* the maximum rate in Mbit/s (the old attribute) */
	VFT_VF_SPOOFCHK = 4,	 /* 0 off, 1 on */
	VFT_VF_LINK_STATE = 5,	 /* 0 auto, 1 enable, 2 disable */
	VFT_VF_RATE = 6,	 /* min_tx_rate | max_tx_rate << 32, Mbit/s */
	VFT_VF_RSS_QUERY_EN = 7, /* 0 off, 1 on */
	VFT_VF_TRUST = 9,	 /* 0 off, 1 on */
	VFT_VF_NODE_GUID = 10,	 /* the GUID */
	VFT_VF_PORT_GUID = 11,	 /* the GUID */
	VFT_VF_SETTING_MAX,
};

/* Index of the per-CPU counters in the "counters" map. */
enum vft_counter {
	VFT_CNT_LOST = 0,	/* ring buffer full: record dropped */
	VFT_CNT_STASH_MISS = 1, /* exit probe without its entry (lost pairing) */
	VFT_CNT_STASH_FULL = 2, /* exit probe whose entry was not kept: nested too deep, map full */
	VFT_CNT_CNI_FULL = 3, /* a CNI plugin run not kept at its exec: the cni_runs map is full */
	VFT_CNT_CNI_CUT = 4,  /* a CNI plugin run with a string cut (VFT_CNI_CUT_*) */
	VFT_CNT_MAX,
};

#endif /* VFTRACE_H */
