/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * event.h - the normalized event: what every source produces and every later
 * stage (filter, correlator, sinks) consumes. Sources differ; this does not.
 */
#ifndef VFT_EVENT_H
#define VFT_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>
#include "vftrace.h"
#include "model/text.h"

/* Room for a pod's name (a DNS subdomain, at most 253) and namespace (a label, 63). */
#define VFT_POD_NAME_LEN 256
#define VFT_POD_NS_LEN 64

/* A VF's key in the correlator: a PCI address, else a netdev's first name. */
#define VFT_KEY_LEN 40

#define VFT_ACTOR_EXE_LEN 256

struct vft_actor {
	uint32_t pid;	    /* thread group id */
	uint32_t tid;	    /* thread id */
	uint32_t netns;	    /* actor's netns inode, 0 if unknown */
	uint64_t cgroup_id; /* cgroup v2 id, 0 if unknown */
	char comm[VFT_NAME_LEN];
	char cgroup[256]; /* cgroup path resolved in user space, "" if unknown */
	/* executable read in user space (/proc/<pid>/exe), "" if unknown or gone */
	char exe[VFT_ACTOR_EXE_LEN];
};

/*
 * One lifecycle event, whatever its source. Which fields are set depends on
 * the kind (docs/events.md); unset fields are zero or "".
 */
struct vft_event {
	uint32_t kind;	 /* enum vft_kind */
	uint32_t source; /* enum vft_source */
	uint64_t ts_ns;	 /* wall clock, ns since the epoch (for display) */
	/*
	 * CLOCK_BOOTTIME when it happened, 0 if unknown (a capture made before
	 * it was recorded): grace deadlines are measured on it, since the wall
	 * clock can be stepped.
	 */
	uint64_t boot_ns;
	bool has_actor;
	/*
	 * enum vft_context: where the kernel ran. Outside a task (softirq,
	 * hardirq) the current task was interrupted, not acting: no actor.
	 */
	uint8_t context;
	struct vft_actor actor;

	/* the network device, if the event concerns one */
	char ifname[VFT_NAME_LEN]; /* name when the event started */
	int32_t ifindex;
	uint32_t netns; /* device's netns inode after the event */
	char parent[VFT_DEVNAME_LEN];

	/* netns_move, netdev_rename */
	char new_ifname[VFT_NAME_LEN]; /* "" if unchanged */
	uint32_t from_netns;
	uint32_t to_netns;
	int32_t new_ifindex; /* 0 if none */

	/* link_change */
	uint32_t flags; /* IFF_* after */
	uint32_t old_flags;

	/* addr_add, addr_del */
	uint8_t family; /* AF_INET, AF_INET6 */
	uint8_t prefixlen;
	uint8_t addr[16];

	/* driver_bind, driver_unbind: the device and driver; vf_add/remove: the VF */
	char device[VFT_DEVNAME_LEN];
	char driver[VFT_DEVNAME_LEN];

	/* driver_bind, vf_add (inventory): the NUMA node of the device */
	bool has_numa;
	int32_t numa_node;

	/* sriov_numvfs, vf_add, vf_remove */
	char pf[VFT_DEVNAME_LEN];
	uint32_t num_vfs;
	uint32_t old_num_vfs;
	int32_t vf_index;

	/* vf_config: a VF setting asked of its PF (pf, vf_index, device: the VF's BDF) */
	uint32_t vf_setting; /* enum vft_vf_setting */
	uint64_t vf_value;   /* packed as enum vft_vf_setting says */

	/* rdma_* */
	char ibdev[VFT_IBNAME_LEN];
	char new_ibdev[VFT_IBNAME_LEN]; /* rdma_rename */
	uint64_t node_guid;
	uint64_t port_guid;
	uint32_t port;
	uint32_t port_event; /* enum ib_event_type */
	bool has_port_attrs; /* the five below were read */
	uint32_t port_state; /* 1 DOWN, 2 INIT, 3 ARMED, 4 ACTIVE */
	uint32_t phys_state; /* 0 if unknown */
	uint32_t lid;
	uint32_t sm_lid;
	char link_layer[16];	/* "InfiniBand", "Ethernet", "" if unknown */
	uint32_t n_gids;	/* non-zero GIDs in the port's table */
	uint32_t n_rocev2_gids; /* of those, RoCE v2 ones (the link-local one included) */
	uint32_t n_ip_gids;	/* RoCE v2 GIDs derived from an IP address (not fe80::/10) */

	/*
	 * netns_info: what netns @netns is. vf_check: the VF (found by parent,
	 * or ifname in netns) whose grace period ended.
	 */
	bool netns_host;	  /* the host's (init) netns */
	char netns_name[64];	  /* its /run/netns name, "" if none */
	char pod_uid[40];	  /* Kubernetes pod UID with dashes, "" if not a pod's */
	char container[72];	  /* container id of a process in it, "" if unknown */
	char vf_key[VFT_KEY_LEN]; /* vf_check: the correlator's key of the VF */
	uint64_t lost;		  /* lost: events dropped since the previous lost event */

	/*
	 * The pod's namespace and name, "" if not known: netns_info's (and who
	 * said so, pod_source), or a cni run's K8S_POD_NAMESPACE and
	 * K8S_POD_NAME of CNI_ARGS.
	 */
	char pod_ns[VFT_POD_NS_LEN];
	char pod_name[VFT_POD_NAME_LEN];
	uint8_t pod_source; /* enum vft_pod_source */
	/*
	 * cni: one CNI plugin run, reported when it exited. Its CNI_IFNAME is
	 * ifname, the inode of CNI_NETNS netns (0 when the path did not
	 * resolve), CNI_CONTAINERID container, K8S_POD_UID of CNI_ARGS
	 * pod_uid, the path it was executed by actor.exe.
	 */
	char cni_command[16];		 /* CNI_COMMAND: ADD, DEL, CHECK, VERSION ... */
	char cni_netns[VFT_CNI_VAL_LEN]; /* CNI_NETNS: a path */
	uint32_t cni_ppid;		 /* its parent's pid */
	uint32_t cni_status;		 /* its wait status: exit code << 8 | signal */
	uint64_t cni_duration_ns;	 /* from its exec to its exit */
	uint32_t cni_flags;		 /* VFT_CNI_EV_* (model/cni.h) */

	/* result and messages */
	bool has_ret;
	int32_t ret;		   /* 0 or a negative errno */
	char message[VFT_MSG_LEN]; /* extack or netlink error message */
};

/*
 * Who named a netns's pod, best first: the CNI call that attached it (its
 * CNI_ARGS), the container runtime's sandbox state (enrich/runtime.h), the
 * cgroup of a process in it (the UID only).
 */
enum vft_pod_source {
	VFT_POD_SRC_NONE = 0,
	VFT_POD_SRC_CGROUP,
	VFT_POD_SRC_RUNTIME,
	VFT_POD_SRC_CNI,
	VFT_POD_SRC_MAX,
};

/* "cgroup", "runtime", "cni"; NULL for none or an unknown value. */
const char *vft_pod_source__name(uint32_t source);

/*
 * "ml/trainer-0" for a pod whose name is known, else its UID, into @buf;
 * "" when neither is. Returns @buf.
 */
const char *vft_pod_label(char *buf, size_t size, const char *ns, const char *name,
			  const char *uid);

/* Where the kernel ran when it reported an event (enum vft_context, from VFT_F_IN_*). */
enum vft_context {
	VFT_CTX_TASK = 0, /* a task's context: it is the actor */
	VFT_CTX_SOFTIRQ,
	VFT_CTX_HARDIRQ,
	VFT_CTX_MAX,
};

/* "softirq", "hardirq"; NULL for a task's context or an unknown value. */
const char *vft_context__name(uint32_t context);

/*
 * Converts the kernel's boot-time clock to wall time. The offset follows the
 * wall clock: the source calibrates it again before each batch of records,
 * so a step of the wall clock (NTP, date -s) moves the times it displays,
 * never the deadlines (those are on the boot-time clock).
 */
struct vft_clock {
	int64_t boot_to_wall_ns;
};

/* Calibrates @clk against CLOCK_REALTIME and CLOCK_BOOTTIME. Returns 0 or -errno. */
int vft_clock__init(struct vft_clock *clk);
uint64_t vft_clock__wall_ns(const struct vft_clock *clk, uint64_t boot_ns);

/*
 * Decodes one ring-buffer record into @ev. Returns 0, or -EINVAL when the
 * record has the wrong size or an unknown kind or source (the caller counts
 * it as dropped). Strings are NUL-terminated even if the kernel's were not.
 */
int vft_event__from_bpf(struct vft_event *ev, const void *data, size_t size,
			const struct vft_clock *clk);

/* "netdev_register", ... or NULL for an unknown kind (its row in kinds.c). */
const char *vft_kind__name(uint32_t kind);
/* The kind named @name, or 0. */
uint32_t vft_kind__from_name(const char *name);

/* How vft_event__describe() words an event. */
enum vft_describe {
	/*
	 * The text line's details, after its kind and subject columns:
	 * " netns 4026531840 -> 4026532291 as net1 ifindex 12 -> 3 dev 0000:3b:10.5"
	 */
	VFT_DESCRIBE_LINE,
	/* A step of a VF's timeline: "moved ens1f0v3 to netns 4026532291 as net1" */
	VFT_DESCRIBE_STEP,
};

/* Room for the longest description of any event (a netns_info naming a pod), with its NUL. */
#define VFT_DESCRIBE_MAX 1024

/*
 * Writes @ev's description into @buf (cut to @size, at least 1, as
 * snprintf() cuts) by its kind's row (kinds.c). Returns its length.
 */
size_t vft_event__describe(const struct vft_event *ev, enum vft_describe how, char *buf,
			   size_t size);
/*
 * vft_event__describe(VFT_DESCRIBE_STEP), with a netns that @pod_of names
 * (model/text.h; NULL names none) written "pod ml/trainer-0" instead of
 * "netns 4026532301".
 */
size_t vft_event__describe_step(const struct vft_event *ev, vft_text_pod_of *pod_of, void *ctx,
				char *buf, size_t size);
/* The text line's subject column: the VF, the netdev, RDMA device, device or PF it names. */
const char *vft_event__subject(const struct vft_event *ev);
/* "PORT_ACTIVE", ... for enum ib_event_type; NULL if unknown. */
const char *vft_ib_event__name(uint32_t event);
/* "ACTIVE", ... for enum ib_port_state; NULL if unknown. */
const char *vft_port_state__name(uint32_t state);
/*
 * The BDF of VF @index of PF @pf ("0000:18:00.0") from the PF's First VF
 * Offset and VF Stride. Returns 0, or -EINVAL / -ERANGE.
 */
int vft_vf_bdf(const char *pf, unsigned int offset, unsigned int stride, int index, char *out,
	       size_t size);
/* Copies a fixed-size, possibly unterminated string, always NUL-terminating @dst. */
void vft_copy_name(char *dst, const char *src, size_t size);
/* "fentry", "kprobe", ... or NULL for an unknown source. */
const char *vft_source__name(uint32_t source);
/*
 * Whether @name is one a CNI gives a device for the moment of an attachment
 * (temp_<ifindex> of the SR-IOV CNI, vfdev<N>, dev<N> of a clash): a step
 * of an attachment, never a device's own name.
 */
bool vft_ifname_is_cni_temp(const char *name);

#endif /* VFT_EVENT_H */
