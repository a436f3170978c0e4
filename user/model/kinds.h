/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * kinds.h - one description per event kind. The numbers of enum vft_kind are
 * the ABI's (bpf/vftrace.h: captures store them); everything else a stage
 * needs to know of a kind is its row in vft_kinds[] (kinds.c): its name and
 * family, the fields of struct vft_event it uses, how it is decoded from a
 * BPF record, described as text and written as JSON, selected by the
 * filter, paired by the merge, enriched, and which of the correlator's
 * handlers takes it. Stages look a kind up here instead of switching on it;
 * docs/events.md describes the columns.
 */
#ifndef VFT_KINDS_H
#define VFT_KINDS_H

#include <stdint.h>
#include <linux/types.h>
#include "vftrace.h"

struct vft_event;
struct vft_bpf_event;
struct vft_text;

/* The family of a kind. */
enum vft_kind_class {
	VFT_KC_UNKNOWN = 0,
	VFT_KC_NETDEV,	      /* a net device appears or goes */
	VFT_KC_MOVE,	      /* a net device moves to another netns or is renamed */
	VFT_KC_LINK,	      /* its IFF_* flags */
	VFT_KC_ADDR,	      /* its addresses */
	VFT_KC_DRIVER,	      /* a device is bound to a driver or unbound */
	VFT_KC_SRIOV,	      /* a PF's VFs */
	VFT_KC_RDMA,	      /* an RDMA device */
	VFT_KC_RDMA_PORT,     /* an RDMA device's port */
	VFT_KC_NETLINK_ERROR, /* a netlink request refused */
	VFT_KC_META,	      /* made in user space: netns_info, vf_check, lost, trust */
	VFT_KC_CNI,	      /* a CNI plugin run */
	VFT_KC_MAX,
};

/*
 * Groups of struct vft_event fields. The first ones any kind may carry, and
 * the sinks write them when they are set; the others belong to kinds, and
 * the JSON sink writes those of an event's kind in this order (a group
 * without a JSON writer is noted).
 */
enum vft_field {
	VFT_FIELD_NETDEV,     /* ifname, ifindex, netns */
	VFT_FIELD_PARENT,     /* parent */
	VFT_FIELD_ACTOR,      /* has_actor, actor */
	VFT_FIELD_RET,	      /* has_ret, ret */
	VFT_FIELD_MESSAGE,    /* message */
	VFT_FIELD_VF_KEY,     /* vf_key: the VF a user-space event is about */
	VFT_FIELD_MOVE,	      /* from_netns, to_netns, new_ifindex, new_ifname */
	VFT_FIELD_NEW_IFNAME, /* new_ifname: the name asked for */
	VFT_FIELD_LINK,	      /* flags, old_flags */
	VFT_FIELD_IFF,	      /* flags: the state the inventory found (not in JSON) */
	VFT_FIELD_ADDR,	      /* family, prefixlen, addr */
	VFT_FIELD_DRIVER,     /* device, driver */
	VFT_FIELD_NUMA,	      /* has_numa, numa_node (not in JSON) */
	VFT_FIELD_NUMVFS,     /* pf, num_vfs, old_num_vfs */
	VFT_FIELD_VF,	      /* pf, vf_index, device: the VF's BDF */
	VFT_FIELD_VFCFG,      /* vf_setting, vf_value */
	VFT_FIELD_RDMA,	      /* ibdev, node_guid */
	VFT_FIELD_NEW_IBDEV,  /* new_ibdev */
	VFT_FIELD_RDMA_NETNS, /* to_netns */
	VFT_FIELD_PORT,	      /* port */
	VFT_FIELD_PORT_EVENT, /* port_event */
	VFT_FIELD_PORT_ATTRS, /* has_port_attrs, port_state ... n_ip_gids, port_guid */
	VFT_FIELD_NETNS_INFO, /* netns, netns_host, netns_name, pod_uid, container */
	VFT_FIELD_LOST,	      /* lost (not in JSON: a replay reports it as a lost line) */
	VFT_FIELD_CNI,	      /* cni_*, pod_ns, pod_name, pod_uid, container, actor.exe */
	VFT_FIELD_MAX,
};

_Static_assert(VFT_FIELD_MAX <= 32, "a row's fields are a 32-bit mask");

#define VFT_FLD(name) (1u << VFT_FIELD_##name)
/* The groups every kind may carry: the sinks write them by presence, not by kind. */
#define VFT_FLD_COMMON                                                                          \
	(VFT_FLD(NETDEV) | VFT_FLD(PARENT) | VFT_FLD(ACTOR) | VFT_FLD(RET) | VFT_FLD(MESSAGE) | \
	 VFT_FLD(VF_KEY))

/* Which events of the kind the default selection takes (filter.h). */
enum vft_kind_select {
	VFT_SELECT_DEVICE = 0, /* those about a selected device (VF, SR-IOV PF, mlx5) */
	VFT_SELECT_ALWAYS,     /* all: SR-IOV configuration, netlink errors */
};

/* What an event of the kind does to the devices the selection follows by netns and ifindex. */
enum vft_kind_track {
	VFT_TRACK_REMEMBER = 0, /* a device it names (ifname or new_ifname) stays selected */
	VFT_TRACK_FORGET,	/* the device is gone */
	VFT_TRACK_MOVE,		/* from_netns to to_netns (new_ifindex); a failure leaves it */
	VFT_TRACK_NONE,		/* nothing: the netdev it names is not the device it is about */
};

/* How the merge (merge.h) knows rtnetlink's copy of a change the hook saw too. */
enum vft_kind_pair {
	VFT_PAIR_NONE = 0, /* rtnetlink does not report the kind: keyed as DEV, nothing pairs */
	VFT_PAIR_DEV,	   /* netns and ifindex */
	VFT_PAIR_MOVE,	   /* the source netns and the old ifindex */
	VFT_PAIR_RENAME,   /* netns and the old name */
	VFT_PAIR_ADDR,	   /* netns, family, address and prefix length */
};

/* What the enrichment (enrich.h) reads for an event of the kind as it passes. */
#define VFT_ENRICH_PORT_ATTRS (1u << 0)	  /* the port's attributes, from sysfs */
#define VFT_ENRICH_BOUND_NETDEV (1u << 1) /* the netdev bound to the RDMA device */
#define VFT_ENRICH_VF_OF_PF (1u << 2)	  /* the PF's name and BDF, its VF's BDF (virtfnN) */
#define VFT_ENRICH_CNI_NETNS (1u << 3)	  /* the inode of the netns path CNI_NETNS names */

/* Which handler family of the correlator takes it (user/correlate). */
enum vft_kind_corr {
	VFT_KCORR_NONE = 0,   /* no VF record: the sinks still see it */
	VFT_KCORR_NETDEV,     /* the VF's netdev: by parent, netns and ifindex, or name */
	VFT_KCORR_DRIVER,     /* by the device's PCI address */
	VFT_KCORR_VF,	      /* the PF's VF: by its PCI address */
	VFT_KCORR_RDMA,	      /* the VF's RDMA device: by parent, else by name */
	VFT_KCORR_CHECK,      /* the end of a grace period: by vf_key */
	VFT_KCORR_NETNS_INFO, /* what a netns is */
	VFT_KCORR_TRUST,      /* a comm trusted to configure VFs in the host netns */
	VFT_KCORR_CNI,	      /* a CNI plugin run: the VFs its pid touched during the run */
	VFT_KCORR_MAX,
};

/*
 * What a kind's timeline step is made of (the keep column): the fields of
 * the event its step describer reads, by group. The correlator keeps these
 * values of each step, not the event, and describes the step again from
 * them, through the same describer; has_ret and ret are kept for every
 * step. test_kinds.c checks that a describer reads nothing else.
 */
enum vft_keep {
	VFT_KEEP_IFNAME,     /* ifname */
	VFT_KEEP_NETNS,	     /* netns */
	VFT_KEEP_TO_NETNS,   /* to_netns */
	VFT_KEEP_NEW_IFNAME, /* new_ifname */
	VFT_KEEP_MESSAGE,    /* message */
	VFT_KEEP_UP,	     /* the IFF_UP bit of flags and of old_flags, no other */
	VFT_KEEP_ADDR,	     /* family, prefixlen, addr */
	VFT_KEEP_DRIVER,     /* driver */
	VFT_KEEP_VF,	     /* pf, vf_index */
	VFT_KEEP_IBDEV,	     /* ibdev */
	VFT_KEEP_NEW_IBDEV,  /* new_ibdev */
	VFT_KEEP_NODE_GUID,  /* node_guid */
	VFT_KEEP_PORT,	     /* port, port_event, has_port_attrs, port_state, lid, sm_lid */
	VFT_KEEP_VFCFG,	     /* vf_setting, vf_value */
	/* cni_command, actor.comm, pod_ns, pod_name, cni_status, cni_duration_ns, cni_flags */
	VFT_KEEP_CNI,
	VFT_KEEP_MAX,
};

#define VFT_KEEP(name) (1u << VFT_KEEP_##name)

/* Row flags. */
#define VFT_KIND_BPF (1u << 0)	       /* the BPF programs emit it (1..VFT_EV_BPF_KIND_MAX) */
#define VFT_KIND_OWN_MESSAGE (1u << 1) /* its text already quotes the message */
/* the correlator makes a VF's record for it when its family (corr) finds none */
#define VFT_KIND_NEW_REC (1u << 2)

/* A text handler: appends its part of the event's description to @t. */
typedef void (*vft_kind_text_fn)(struct vft_text *t, const struct vft_event *ev);

struct vft_kind_info {
	const char *name; /* stable: captures, JSON, metrics and scripts use it */
	enum vft_kind_class cls;
	uint32_t flags;	 /* VFT_KIND_* */
	uint32_t fields; /* VFT_FLD() of the groups it uses */
	/*
	 * BPF kinds: the kind's part of the record's union into @ev, after the
	 * common header (vft_event__from_bpf()); NULL when it has none.
	 */
	void (*decode)(struct vft_event *ev, const struct vft_bpf_event *r);
	/*
	 * vft_event__describe(): the text line's details (NULL: the netdev's
	 * ifindex and netns, when it names one) and the timeline step (NULL:
	 * the kind's name).
	 */
	vft_kind_text_fn line;
	vft_kind_text_fn step;
	uint32_t keep;	     /* VFT_KEEP() of the fields @step reads */
	const char *subject; /* the text line's subject column, NULL: the device it names */
	enum vft_kind_select select;
	enum vft_kind_track track;
	enum vft_kind_pair pair;
	uint32_t enrich; /* VFT_ENRICH_* */
	enum vft_kind_corr corr;
};

/*
 * Indexed by kind; row 0 stands for every kind this version does not know
 * (name NULL, the defaults of every column).
 */
extern const struct vft_kind_info vft_kinds[];

/* The row of @kind: row 0 for 0 and kinds this version does not know. */
static inline const struct vft_kind_info *vft_kind__get(uint32_t kind)
{
	return &vft_kinds[kind < VFT_EV_KIND_MAX ? kind : 0];
}

/* The details of a netdev's line, for a kind with no line of its own (describe.c). */
struct vft_text;
void vft_kind__line_netdev(struct vft_text *t, const struct vft_event *ev);

#endif /* VFT_KINDS_H */
