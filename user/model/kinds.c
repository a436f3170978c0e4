// SPDX-License-Identifier: GPL-2.0-only
/*
 * kinds.c - the table of event kinds (see kinds.h) and, per family, what the
 * rows point to: the decoding of the BPF record's union and the two
 * descriptions of an event, the text line's details and the timeline step.
 * describe.c renders an event through its row.
 */
#include <endian.h>
#include <string.h>
#include "model/event.h"
#include "model/kinds.h"
#include "model/text.h"
#include "model/cni.h"
#include "model/vfcfg.h"
#include "lib/util.h"

#define IFF_UP_FLAG 0x1

static bool failed(const struct vft_event *ev)
{
	return ev->has_ret && ev->ret < 0;
}

/* The end of a step that failed: " failed: EEXIST". */
static void failed_errno(struct vft_text *t, const struct vft_event *ev)
{
	vft_text__str(t, " failed: ");
	vft_text__errno(t, ev->ret);
}

/* A port's LIDs: " lid 0x12 sm_lid 0x1". */
static void lids(struct vft_text *t, const struct vft_event *ev)
{
	vft_text__str(t, " lid 0x");
	vft_text__hex(t, ev->lid);
	vft_text__str(t, " sm_lid 0x");
	vft_text__hex(t, ev->sm_lid);
}

/* ---- netdev: register, unregister ---- */

/* The line of a kind without its own: the net device it names. */
void vft_kind__line_netdev(struct vft_text *t, const struct vft_event *ev)
{
	if (!ev->ifname[0])
		return;
	vft_text__str(t, " ifindex ");
	vft_text__int(t, ev->ifindex);
	vft_text__str(t, " netns ");
	vft_text__dec(t, ev->netns);
}

static void step_register(struct vft_text *t, const struct vft_event *ev)
{
	vft_text__str(t, "netdev ");
	vft_text__str(t, ev->ifname);
	vft_text__str(t, " registered in ");
	vft_text__netns(t, ev->netns);
}

static void step_unregister(struct vft_text *t, const struct vft_event *ev)
{
	vft_text__str(t, "netdev ");
	vft_text__str(t, ev->ifname);
	vft_text__str(t, " unregistered");
}

/* ---- move and rename ---- */

static void decode_move(struct vft_event *ev, const struct vft_bpf_event *r)
{
	ev->from_netns = r->u.move.from_netns;
	ev->to_netns = r->u.move.to_netns;
	ev->new_ifindex = r->u.move.new_ifindex;
	vft_copy_name(ev->new_ifname, r->u.move.new_ifname, sizeof(r->u.move.new_ifname));
	vft_copy_name(ev->message, r->u.move.msg, sizeof(r->u.move.msg));
}

/* The hook reports the name after the move; new_ifname says it changed. */
static void decode_netns_move(struct vft_event *ev, const struct vft_bpf_event *r)
{
	decode_move(ev, r);
	if (!strcmp(ev->new_ifname, ev->ifname))
		ev->new_ifname[0] = '\0';
}

static void line_move(struct vft_text *t, const struct vft_event *ev)
{
	vft_text__str(t, " netns ");
	vft_text__dec(t, ev->from_netns);
	vft_text__str(t, " -> ");
	vft_text__dec(t, ev->to_netns);
	if (ev->new_ifname[0]) {
		vft_text__str(t, " as ");
		vft_text__str(t, ev->new_ifname);
	}
	if (!failed(ev)) {
		vft_text__str(t, " ifindex ");
		vft_text__int(t, ev->ifindex);
		vft_text__str(t, " -> ");
		vft_text__int(t, ev->new_ifindex);
	}
}

static void step_move(struct vft_text *t, const struct vft_event *ev)
{
	vft_text__str(t, failed(ev) ? "move of " : "moved ");
	vft_text__str(t, ev->ifname);
	vft_text__str(t, " to ");
	vft_text__netns(t, ev->to_netns);
	if (failed(ev)) {
		failed_errno(t, ev);
		vft_text__str(t, ev->message[0] ? ": " : "");
		vft_text__str(t, ev->message);
	} else {
		vft_text__str(t, ev->new_ifname[0] ? " as " : "");
		vft_text__str(t, ev->new_ifname);
	}
}

static void line_rename(struct vft_text *t, const struct vft_event *ev)
{
	vft_text__str(t, " -> ");
	vft_text__str(t, ev->new_ifname[0] ? ev->new_ifname : ev->ifname);
	vft_text__str(t, " netns ");
	vft_text__dec(t, ev->netns);
}

static void step_rename(struct vft_text *t, const struct vft_event *ev)
{
	vft_text__str(t, failed(ev) ? "rename " : "renamed ");
	vft_text__str(t, ev->ifname);
	vft_text__str(t, " -> ");
	vft_text__str(t, ev->new_ifname);
	if (failed(ev))
		failed_errno(t, ev);
}

/* ---- link ---- */

static void decode_link(struct vft_event *ev, const struct vft_bpf_event *r)
{
	ev->flags = r->u.link.flags;
	ev->old_flags = r->u.link.old_flags;
}

static void line_link(struct vft_text *t, const struct vft_event *ev)
{
	bool up = ev->flags & IFF_UP_FLAG, was_up = ev->old_flags & IFF_UP_FLAG;

	vft_text__str(t, up == was_up ? " flags" : up ? " UP" : " DOWN");
	vft_text__str(t, " flags 0x");
	vft_text__hex(t, ev->old_flags);
	vft_text__str(t, " -> 0x");
	vft_text__hex(t, ev->flags);
}

static void step_link(struct vft_text *t, const struct vft_event *ev)
{
	bool up = ev->flags & IFF_UP_FLAG, was_up = ev->old_flags & IFF_UP_FLAG;

	vft_text__str(t, ev->ifname);
	vft_text__str(t, up == was_up ? " flags changed" : up ? " admin up" : " admin down");
}

/* ---- addresses ---- */

static void decode_addr(struct vft_event *ev, const struct vft_bpf_event *r)
{
	ev->family = r->u.addr.family;
	ev->prefixlen = r->u.addr.prefixlen;
	memcpy(ev->addr, r->u.addr.addr, sizeof(ev->addr));
}

static void line_addr(struct vft_text *t, const struct vft_event *ev)
{
	vft_text__str(t, " ");
	vft_text__ip(t, ev->family, ev->addr);
	vft_text__str(t, "/");
	vft_text__dec(t, ev->prefixlen);
	vft_text__str(t, " netns ");
	vft_text__dec(t, ev->netns);
}

static void step_addr(struct vft_text *t, const struct vft_event *ev, const char *what,
		      const char *where)
{
	vft_text__str(t, what);
	vft_text__ip(t, ev->family, ev->addr);
	vft_text__str(t, "/");
	vft_text__dec(t, ev->prefixlen);
	vft_text__str(t, where);
	vft_text__str(t, ev->ifname);
}

static void step_addr_add(struct vft_text *t, const struct vft_event *ev)
{
	step_addr(t, ev, "address ", " on ");
}

static void step_addr_del(struct vft_text *t, const struct vft_event *ev)
{
	step_addr(t, ev, "removed ", " from ");
}

/* ---- drivers ---- */

static void decode_driver(struct vft_event *ev, const struct vft_bpf_event *r)
{
	vft_copy_name(ev->device, r->u.drv.device, sizeof(r->u.drv.device));
	vft_copy_name(ev->driver, r->u.drv.driver, sizeof(r->u.drv.driver));
}

static void line_driver(struct vft_text *t, const struct vft_event *ev)
{
	vft_text__str(t, " driver ");
	vft_text__str(t, ev->driver);
}

static void step_bind(struct vft_text *t, const struct vft_event *ev)
{
	vft_text__str(t, "bound to ");
	vft_text__str(t, ev->driver);
	vft_text__str(t, failed(ev) ? " (failed)" : "");
}

static void step_unbind(struct vft_text *t, const struct vft_event *ev)
{
	vft_text__str(t, "unbound from ");
	vft_text__str(t, ev->driver);
}

/* ---- SR-IOV ---- */

static void decode_sriov(struct vft_event *ev, const struct vft_bpf_event *r)
{
	vft_copy_name(ev->pf, r->u.sriov.pf, sizeof(r->u.sriov.pf));
	vft_copy_name(ev->device, r->u.sriov.vf, sizeof(r->u.sriov.vf));
	ev->num_vfs = r->u.sriov.num_vfs;
	ev->old_num_vfs = r->u.sriov.old_num_vfs;
	ev->vf_index = r->u.sriov.vf_index;
}

/* The VF's BDF from the PF's, where the hook could read the PF's SR-IOV capability. */
static void decode_vf(struct vft_event *ev, const struct vft_bpf_event *r)
{
	decode_sriov(ev, r);
	if (r->u.sriov.vf_stride && vft_vf_bdf(ev->pf, r->u.sriov.vf_offset, r->u.sriov.vf_stride,
					       ev->vf_index, ev->device, sizeof(ev->device)))
		ev->device[0] = '\0';
}

static void line_numvfs(struct vft_text *t, const struct vft_event *ev)
{
	vft_text__str(t, " numvfs ");
	vft_text__dec(t, ev->old_num_vfs);
	vft_text__str(t, " -> ");
	vft_text__dec(t, ev->num_vfs);
}

static void line_vf(struct vft_text *t, const struct vft_event *ev)
{
	vft_text__str(t, " vf ");
	vft_text__int(t, ev->vf_index);
	vft_text__str(t, " ");
	vft_text__str(t, ev->device);
}

static void step_vf(struct vft_text *t, const struct vft_event *ev, const char *what)
{
	vft_text__str(t, "VF ");
	vft_text__int(t, ev->vf_index);
	vft_text__str(t, " of ");
	vft_text__str(t, ev->pf);
	vft_text__str(t, what);
}

static void step_vf_add(struct vft_text *t, const struct vft_event *ev)
{
	step_vf(t, ev, "");
}

static void step_vf_remove(struct vft_text *t, const struct vft_event *ev)
{
	step_vf(t, ev, " removed");
}

/* ---- RDMA devices and ports ---- */

static void decode_rdma(struct vft_event *ev, const struct vft_bpf_event *r)
{
	vft_copy_name(ev->ibdev, r->u.rdma.ibdev, sizeof(r->u.rdma.ibdev));
	vft_copy_name(ev->new_ibdev, r->u.rdma.new_name, sizeof(r->u.rdma.new_name));
	ev->node_guid = be64toh(r->u.rdma.node_guid); /* the kernel keeps it big-endian */
	ev->port = r->u.rdma.port;
	ev->port_event = r->u.rdma.event;
	ev->to_netns = r->u.rdma.to_netns;
	ev->has_port_attrs = r->flags & VFT_F_PORT_ATTRS;
	ev->port_state = r->u.rdma.state;
	ev->lid = r->u.rdma.lid;
	ev->sm_lid = r->u.rdma.sm_lid;
}

static void step_rdma_register(struct vft_text *t, const struct vft_event *ev)
{
	vft_text__str(t, "RDMA device ");
	vft_text__str(t, ev->ibdev);
	vft_text__str(t, " registered (node GUID ");
	vft_text__guid(t, ev->node_guid);
	vft_text__str(t, ")");
}

static void step_rdma_unregister(struct vft_text *t, const struct vft_event *ev)
{
	vft_text__str(t, "RDMA device ");
	vft_text__str(t, ev->ibdev);
	vft_text__str(t, " unregistered");
}

static void line_rdma_rename(struct vft_text *t, const struct vft_event *ev)
{
	vft_text__str(t, " -> ");
	vft_text__str(t, ev->new_ibdev);
}

static void step_rdma_rename(struct vft_text *t, const struct vft_event *ev)
{
	vft_text__str(t, "RDMA device ");
	vft_text__str(t, ev->ibdev);
	vft_text__str(t, " renamed ");
	vft_text__str(t, ev->new_ibdev);
}

static void line_rdma_move(struct vft_text *t, const struct vft_event *ev)
{
	vft_text__str(t, " -> netns ");
	vft_text__dec(t, ev->to_netns);
}

static void step_rdma_move(struct vft_text *t, const struct vft_event *ev)
{
	vft_text__str(t, "RDMA device ");
	vft_text__str(t, ev->ibdev);
	vft_text__str(t, " to ");
	vft_text__netns(t, ev->to_netns);
	if (failed(ev))
		failed_errno(t, ev);
}

static void line_port_event(struct vft_text *t, const struct vft_event *ev)
{
	vft_text__str(t, " port ");
	vft_text__dec(t, ev->port);
	vft_text__str(t, " ");
	vft_text__str(t, vft_ib_event__name(ev->port_event) ?: "?");
}

static void line_port_state(struct vft_text *t, const struct vft_event *ev)
{
	vft_text__str(t, " port ");
	vft_text__dec(t, ev->port);
	vft_text__str(t, " ");
	vft_text__str(t, vft_port_state__name(ev->port_state) ?: "?");
	lids(t, ev);
	vft_text__str(t, " ");
	vft_text__str(t, ev->link_layer);
}

/* "mlx5_7/1 PORT_ACTIVE ACTIVE lid 0x12 sm_lid 0x1"; @what names the event or "state". */
static void step_port(struct vft_text *t, const struct vft_event *ev, const char *what)
{
	vft_text__str(t, ev->ibdev);
	if (failed(ev)) {
		/* a re-read inside the VF's netns that did not find the device */
		vft_text__str(t, " not visible in ");
		vft_text__netns(t, ev->netns);
		return;
	}
	vft_text__str(t, "/");
	vft_text__dec(t, ev->port);
	vft_text__str(t, " ");
	vft_text__str(t, what);
	if (ev->has_port_attrs) {
		vft_text__str(t, " ");
		vft_text__str(t, vft_port_state__name(ev->port_state) ?: "?");
	}
	lids(t, ev);
}

static void step_port_event(struct vft_text *t, const struct vft_event *ev)
{
	step_port(t, ev, vft_ib_event__name(ev->port_event) ?: "?");
}

static void step_port_state(struct vft_text *t, const struct vft_event *ev)
{
	step_port(t, ev, "state");
}

/* ---- netlink errors ---- */

static void decode_netlink_error(struct vft_event *ev, const struct vft_bpf_event *r)
{
	vft_copy_name(ev->message, r->u.nl.msg, sizeof(r->u.nl.msg));
}

static void line_message(struct vft_text *t, const struct vft_event *ev)
{
	vft_text__str(t, " \"");
	vft_text__str(t, ev->message);
	vft_text__str(t, "\"");
}

/* ---- made in user space ---- */

static void line_netns_info(struct vft_text *t, const struct vft_event *ev)
{
	vft_text__str(t, " ");
	vft_text__dec(t, ev->netns);
	vft_text__str(t, ev->netns_host ? " host" : "");
	if (ev->netns_name[0]) {
		vft_text__str(t, " name ");
		vft_text__str(t, ev->netns_name);
	}
	if (ev->pod_name[0]) {
		vft_text__str(t, " pod ");
		vft_text__str(t, ev->pod_ns);
		vft_text__str(t, ev->pod_ns[0] ? "/" : "");
		vft_text__str(t, ev->pod_name); /* its UID in JSON: the line stays in bounds */
	} else if (ev->pod_uid[0]) {
		vft_text__str(t, " pod ");
		vft_text__str(t, ev->pod_uid);
	}
	if (ev->container[0]) {
		vft_text__str(t, " container ");
		vft_text__strn(t, ev->container, 12); /* as crictl and docker shorten it */
	}
}

static void line_check(struct vft_text *t, const struct vft_event *ev)
{
	vft_text__str(t, " grace period over");
}

static void step_check(struct vft_text *t, const struct vft_event *ev)
{
	vft_text__str(t, "grace period over: checked");
}

/* ---- the table ---- */

#define RDMA_FIELDS (VFT_FLD(RDMA) | VFT_FLD(PORT_ATTRS) | VFT_FLD(PARENT) | VFT_FLD(ACTOR))

const struct vft_kind_info vft_kinds[] = {
	[0] = { .name = NULL }, /* any kind this version does not know: every default */
	[VFT_EV_NETDEV_REGISTER] = {
		.name = "netdev_register",
		.cls = VFT_KC_NETDEV,
		.flags = VFT_KIND_BPF | VFT_KIND_NEW_REC,
		.fields = VFT_FLD(NETDEV) | VFT_FLD(PARENT) | VFT_FLD(ACTOR) | VFT_FLD(RET) |
			  VFT_FLD(IFF),
		.step = step_register,
		.keep = VFT_KEEP(IFNAME) | VFT_KEEP(NETNS),
		.pair = VFT_PAIR_DEV,
		.corr = VFT_KCORR_NETDEV,
	},
	[VFT_EV_NETDEV_UNREGISTER] = {
		.name = "netdev_unregister",
		.cls = VFT_KC_NETDEV,
		.flags = VFT_KIND_BPF,
		.fields = VFT_FLD(NETDEV) | VFT_FLD(PARENT) | VFT_FLD(ACTOR),
		.step = step_unregister,
		.keep = VFT_KEEP(IFNAME),
		.track = VFT_TRACK_FORGET,
		.pair = VFT_PAIR_DEV,
		.corr = VFT_KCORR_NETDEV,
	},
	[VFT_EV_NETNS_MOVE] = {
		.name = "netns_move",
		.cls = VFT_KC_MOVE,
		.flags = VFT_KIND_BPF | VFT_KIND_NEW_REC,
		.fields = VFT_FLD(NETDEV) | VFT_FLD(PARENT) | VFT_FLD(ACTOR) | VFT_FLD(RET) |
			  VFT_FLD(MESSAGE) | VFT_FLD(MOVE),
		.decode = decode_netns_move,
		.line = line_move,
		.step = step_move,
		.keep = VFT_KEEP(IFNAME) | VFT_KEEP(TO_NETNS) | VFT_KEEP(NEW_IFNAME) | VFT_KEEP(MESSAGE),
		.track = VFT_TRACK_MOVE,
		.pair = VFT_PAIR_MOVE,
		.corr = VFT_KCORR_NETDEV,
	},
	[VFT_EV_NETDEV_RENAME] = {
		.name = "netdev_rename",
		.cls = VFT_KC_MOVE,
		.flags = VFT_KIND_BPF,
		.fields = VFT_FLD(NETDEV) | VFT_FLD(PARENT) | VFT_FLD(ACTOR) | VFT_FLD(RET) |
			  VFT_FLD(MESSAGE) | VFT_FLD(NEW_IFNAME),
		.decode = decode_move,
		.line = line_rename,
		.step = step_rename,
		.keep = VFT_KEEP(IFNAME) | VFT_KEEP(NEW_IFNAME),
		.pair = VFT_PAIR_RENAME,
		.corr = VFT_KCORR_NETDEV,
	},
	[VFT_EV_LINK_CHANGE] = {
		.name = "link_change",
		.cls = VFT_KC_LINK,
		.flags = VFT_KIND_BPF | VFT_KIND_NEW_REC,
		.fields = VFT_FLD(NETDEV) | VFT_FLD(PARENT) | VFT_FLD(ACTOR) | VFT_FLD(LINK),
		.decode = decode_link,
		.line = line_link,
		.step = step_link,
		.keep = VFT_KEEP(IFNAME) | VFT_KEEP(UP),
		.pair = VFT_PAIR_DEV,
		.corr = VFT_KCORR_NETDEV,
	},
	[VFT_EV_ADDR_ADD] = {
		.name = "addr_add",
		.cls = VFT_KC_ADDR,
		.flags = VFT_KIND_BPF,
		.fields = VFT_FLD(NETDEV) | VFT_FLD(PARENT) | VFT_FLD(ACTOR) | VFT_FLD(ADDR),
		.decode = decode_addr,
		.line = line_addr,
		.step = step_addr_add,
		.keep = VFT_KEEP(IFNAME) | VFT_KEEP(ADDR),
		.pair = VFT_PAIR_ADDR,
		.corr = VFT_KCORR_NETDEV,
	},
	[VFT_EV_ADDR_DEL] = {
		.name = "addr_del",
		.cls = VFT_KC_ADDR,
		.flags = VFT_KIND_BPF,
		.fields = VFT_FLD(NETDEV) | VFT_FLD(PARENT) | VFT_FLD(ACTOR) | VFT_FLD(ADDR),
		.decode = decode_addr,
		.line = line_addr,
		.step = step_addr_del,
		.keep = VFT_KEEP(IFNAME) | VFT_KEEP(ADDR),
		.pair = VFT_PAIR_ADDR,
		.corr = VFT_KCORR_NETDEV,
	},
	[VFT_EV_DRIVER_BIND] = {
		.name = "driver_bind",
		.cls = VFT_KC_DRIVER,
		.flags = VFT_KIND_BPF,
		.fields = VFT_FLD(ACTOR) | VFT_FLD(RET) | VFT_FLD(DRIVER) | VFT_FLD(NUMA),
		.decode = decode_driver,
		.line = line_driver,
		.step = step_bind,
		.keep = VFT_KEEP(DRIVER),
		.corr = VFT_KCORR_DRIVER,
	},
	[VFT_EV_DRIVER_UNBIND] = {
		.name = "driver_unbind",
		.cls = VFT_KC_DRIVER,
		.flags = VFT_KIND_BPF,
		.fields = VFT_FLD(ACTOR) | VFT_FLD(DRIVER),
		.decode = decode_driver,
		.line = line_driver,
		.step = step_unbind,
		.keep = VFT_KEEP(DRIVER),
		.corr = VFT_KCORR_DRIVER,
	},
	[VFT_EV_SRIOV_NUMVFS] = {
		.name = "sriov_numvfs",
		.cls = VFT_KC_SRIOV,
		.flags = VFT_KIND_BPF,
		.fields = VFT_FLD(ACTOR) | VFT_FLD(RET) | VFT_FLD(NUMVFS),
		.decode = decode_sriov,
		.line = line_numvfs,
		.select = VFT_SELECT_ALWAYS,
	},
	[VFT_EV_VF_ADD] = {
		.name = "vf_add",
		.cls = VFT_KC_SRIOV,
		.flags = VFT_KIND_BPF | VFT_KIND_NEW_REC,
		.fields = VFT_FLD(ACTOR) | VFT_FLD(RET) | VFT_FLD(VF) | VFT_FLD(NUMA),
		.decode = decode_vf,
		.line = line_vf,
		.step = step_vf_add,
		.keep = VFT_KEEP(VF),
		.select = VFT_SELECT_ALWAYS,
		.corr = VFT_KCORR_VF,
	},
	[VFT_EV_VF_REMOVE] = {
		.name = "vf_remove",
		.cls = VFT_KC_SRIOV,
		.flags = VFT_KIND_BPF,
		.fields = VFT_FLD(ACTOR) | VFT_FLD(VF),
		.decode = decode_vf,
		.line = line_vf,
		.step = step_vf_remove,
		.keep = VFT_KEEP(VF),
		.select = VFT_SELECT_ALWAYS,
		.corr = VFT_KCORR_VF,
	},
	[VFT_EV_RDMA_REGISTER] = {
		.name = "rdma_register",
		.cls = VFT_KC_RDMA,
		.flags = VFT_KIND_BPF | VFT_KIND_NEW_REC,
		/* the netdev: the inventory's and the enrichment's bound netdev */
		.fields = RDMA_FIELDS | VFT_FLD(NETDEV) | VFT_FLD(RET),
		.decode = decode_rdma,
		.step = step_rdma_register,
		.keep = VFT_KEEP(IBDEV) | VFT_KEEP(NODE_GUID),
		.enrich = VFT_ENRICH_BOUND_NETDEV,
		.corr = VFT_KCORR_RDMA,
	},
	[VFT_EV_RDMA_UNREGISTER] = {
		.name = "rdma_unregister",
		.cls = VFT_KC_RDMA,
		.flags = VFT_KIND_BPF,
		.fields = RDMA_FIELDS,
		.decode = decode_rdma,
		.step = step_rdma_unregister,
		.keep = VFT_KEEP(IBDEV),
		.corr = VFT_KCORR_RDMA,
	},
	[VFT_EV_RDMA_RENAME] = {
		.name = "rdma_rename",
		.cls = VFT_KC_RDMA,
		.flags = VFT_KIND_BPF,
		.fields = RDMA_FIELDS | VFT_FLD(RET) | VFT_FLD(NEW_IBDEV),
		.decode = decode_rdma,
		.line = line_rdma_rename,
		.step = step_rdma_rename,
		.keep = VFT_KEEP(IBDEV) | VFT_KEEP(NEW_IBDEV),
		.corr = VFT_KCORR_RDMA,
	},
	[VFT_EV_RDMA_NETNS_MOVE] = {
		.name = "rdma_netns_move",
		.cls = VFT_KC_RDMA,
		.flags = VFT_KIND_BPF,
		.fields = RDMA_FIELDS | VFT_FLD(RET) | VFT_FLD(RDMA_NETNS),
		.decode = decode_rdma,
		.line = line_rdma_move,
		.step = step_rdma_move,
		.keep = VFT_KEEP(IBDEV) | VFT_KEEP(TO_NETNS),
		.corr = VFT_KCORR_RDMA,
	},
	[VFT_EV_RDMA_PORT_EVENT] = {
		.name = "rdma_port_event",
		.cls = VFT_KC_RDMA_PORT,
		.flags = VFT_KIND_BPF,
		.fields = RDMA_FIELDS | VFT_FLD(NETDEV) | VFT_FLD(PORT) | VFT_FLD(PORT_EVENT),
		.decode = decode_rdma,
		.line = line_port_event,
		.step = step_port_event,
		.keep = VFT_KEEP(IBDEV) | VFT_KEEP(PORT) | VFT_KEEP(NETNS),
		/* the hook runs in atomic context, before the core's cache is updated */
		.enrich = VFT_ENRICH_PORT_ATTRS | VFT_ENRICH_BOUND_NETDEV,
		.corr = VFT_KCORR_RDMA,
	},
	[VFT_EV_RDMA_PORT_STATE] = {
		.name = "rdma_port_state",
		.cls = VFT_KC_RDMA_PORT,
		.flags = VFT_KIND_BPF,
		/* ret and vf_key: the re-read at the end of a grace period */
		.fields = RDMA_FIELDS | VFT_FLD(NETDEV) | VFT_FLD(PORT) | VFT_FLD(RET) |
			  VFT_FLD(VF_KEY),
		.decode = decode_rdma,
		.line = line_port_state,
		.step = step_port_state,
		.keep = VFT_KEEP(IBDEV) | VFT_KEEP(PORT) | VFT_KEEP(NETNS),
		.corr = VFT_KCORR_RDMA,
	},
	[VFT_EV_NETLINK_ERROR] = {
		.name = "netlink_error",
		.cls = VFT_KC_NETLINK_ERROR,
		.flags = VFT_KIND_BPF | VFT_KIND_OWN_MESSAGE,
		.fields = VFT_FLD(ACTOR) | VFT_FLD(MESSAGE),
		.decode = decode_netlink_error,
		.line = line_message,
		.select = VFT_SELECT_ALWAYS,
	},
	[VFT_EV_VF_CONFIG] = {
		.name = "vf_config",
		.cls = VFT_KC_SRIOV,
		.flags = VFT_KIND_BPF,
		/* the netdev: the PF's; the VF: its index, and its BDF from the enrichment */
		.fields = VFT_FLD(NETDEV) | VFT_FLD(PARENT) | VFT_FLD(ACTOR) | VFT_FLD(RET) |
			  VFT_FLD(VF) | VFT_FLD(VFCFG),
		.decode = vft_vfcfg__decode,
		.line = vft_vfcfg__line,
		.step = vft_vfcfg__step,
		.keep = VFT_KEEP(IFNAME) | VFT_KEEP(VF) | VFT_KEEP(VFCFG),
		.select = VFT_SELECT_ALWAYS,
		.track = VFT_TRACK_NONE,
		.enrich = VFT_ENRICH_VF_OF_PF,
		.corr = VFT_KCORR_VF,
	},
	[VFT_EV_CNI] = {
		.name = "cni",
		.cls = VFT_KC_CNI,
		.flags = VFT_KIND_BPF,
		/* the netdev: CNI_IFNAME and the inode of CNI_NETNS, the pod's */
		.fields = VFT_FLD(NETDEV) | VFT_FLD(ACTOR) | VFT_FLD(CNI),
		.decode = vft_cni__decode,
		.line = vft_cni__line,
		.step = vft_cni__step,
		.keep = VFT_KEEP(IFNAME) | VFT_KEEP(CNI),
		.subject = "cni",
		.select = VFT_SELECT_ALWAYS,
		.track = VFT_TRACK_NONE,
		.enrich = VFT_ENRICH_CNI_NETNS,
		.corr = VFT_KCORR_CNI,
	},
	[VFT_EV_NETNS_INFO] = {
		.name = "netns_info",
		.cls = VFT_KC_META,
		.fields = VFT_FLD(NETNS_INFO),
		.line = line_netns_info,
		.subject = "netns",
		.corr = VFT_KCORR_NETNS_INFO,
	},
	[VFT_EV_VF_CHECK] = {
		.name = "vf_check",
		.cls = VFT_KC_META,
		.fields = VFT_FLD(NETDEV) | VFT_FLD(PARENT) | VFT_FLD(VF_KEY),
		.line = line_check,
		.step = step_check,
		.corr = VFT_KCORR_CHECK,
	},
	[VFT_EV_LOST] = {
		.name = "lost",
		.cls = VFT_KC_META,
		.fields = VFT_FLD(LOST),
	},
	[VFT_EV_TRUST] = {
		.name = "trust",
		.cls = VFT_KC_META,
		.fields = VFT_FLD(ACTOR), /* actor.comm */
		.corr = VFT_KCORR_TRUST,
	},
};

/* A kind added to enum vft_kind gets its row, or the build stops here. */
_Static_assert(ARRAY_SIZE(vft_kinds) == VFT_EV_KIND_MAX,
	       "enum vft_kind and vft_kinds[] disagree: every kind needs its row");

const char *vft_kind__name(uint32_t kind)
{
	return vft_kind__get(kind)->name;
}

uint32_t vft_kind__from_name(const char *name)
{
	uint32_t k;

	for (k = 1; k < VFT_EV_KIND_MAX; k++)
		if (vft_kinds[k].name && !strcmp(vft_kinds[k].name, name))
			return k;
	return 0;
}
