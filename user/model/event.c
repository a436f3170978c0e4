// SPDX-License-Identifier: GPL-2.0-only
/*
 * event.c - decoding of kernel records into normalized events, and the clock
 * that turns the kernel's boot-time stamps into wall time.
 */
#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "model/event.h"

static const char *const kind_names[VFT_EV_KIND_MAX] = {
	[VFT_EV_NETDEV_REGISTER] = "netdev_register",
	[VFT_EV_NETDEV_UNREGISTER] = "netdev_unregister",
	[VFT_EV_NETNS_MOVE] = "netns_move",
	[VFT_EV_NETDEV_RENAME] = "netdev_rename",
	[VFT_EV_LINK_CHANGE] = "link_change",
	[VFT_EV_ADDR_ADD] = "addr_add",
	[VFT_EV_ADDR_DEL] = "addr_del",
	[VFT_EV_DRIVER_BIND] = "driver_bind",
	[VFT_EV_DRIVER_UNBIND] = "driver_unbind",
	[VFT_EV_SRIOV_NUMVFS] = "sriov_numvfs",
	[VFT_EV_VF_ADD] = "vf_add",
	[VFT_EV_VF_REMOVE] = "vf_remove",
	[VFT_EV_RDMA_REGISTER] = "rdma_register",
	[VFT_EV_RDMA_UNREGISTER] = "rdma_unregister",
	[VFT_EV_RDMA_RENAME] = "rdma_rename",
	[VFT_EV_RDMA_NETNS_MOVE] = "rdma_netns_move",
	[VFT_EV_RDMA_PORT_EVENT] = "rdma_port_event",
	[VFT_EV_RDMA_PORT_STATE] = "rdma_port_state",
	[VFT_EV_NETLINK_ERROR] = "netlink_error",
	[VFT_EV_NETNS_INFO] = "netns_info",
	[VFT_EV_VF_CHECK] = "vf_check",
	[VFT_EV_LOST] = "lost",
	[VFT_EV_TRUST] = "trust",
};

/* enum ib_event_type (include/rdma/ib_verbs.h), stable since 2.6. */
static const char *const ib_event_names[] = {
	"CQ_ERR",
	"QP_FATAL",
	"QP_REQ_ERR",
	"QP_ACCESS_ERR",
	"COMM_EST",
	"SQ_DRAINED",
	"PATH_MIG",
	"PATH_MIG_ERR",
	"DEVICE_FATAL",
	"PORT_ACTIVE",
	"PORT_ERR",
	"LID_CHANGE",
	"PKEY_CHANGE",
	"SM_CHANGE",
	"SRQ_ERR",
	"SRQ_LIMIT_REACHED",
	"QP_LAST_WQE_REACHED",
	"CLIENT_REREGISTER",
	"GID_CHANGE",
	"WQ_FATAL",
};

/* enum ib_port_state, as in /sys/class/infiniband/X/ports/N/state. */
static const char *const port_state_names[] = {
	"NOP", "DOWN", "INIT", "ARMED", "ACTIVE", "ACTIVE_DEFER",
};

static const char *const source_names[VFT_SRC_MAX] = {
	[VFT_SRC_FENTRY] = "fentry",	     [VFT_SRC_KPROBE] = "kprobe",
	[VFT_SRC_TRACEPOINT] = "tracepoint", [VFT_SRC_NETLINK] = "netlink",
	[VFT_SRC_INVENTORY] = "inventory",   [VFT_SRC_ENRICH] = "enrich",
	[VFT_SRC_TIMER] = "timer",
};

const char *vft_kind__name(uint32_t kind)
{
	return kind < VFT_EV_KIND_MAX ? kind_names[kind] : NULL;
}

uint32_t vft_kind__from_name(const char *name)
{
	uint32_t k;

	for (k = 1; k < VFT_EV_KIND_MAX; k++)
		if (kind_names[k] && !strcmp(kind_names[k], name))
			return k;
	return 0;
}

const char *vft_ib_event__name(uint32_t event)
{
	return event < sizeof(ib_event_names) / sizeof(ib_event_names[0]) ? ib_event_names[event] :
									    NULL;
}

const char *vft_port_state__name(uint32_t state)
{
	return state < sizeof(port_state_names) / sizeof(port_state_names[0]) ?
		       port_state_names[state] :
		       NULL;
}

const char *vft_source__name(uint32_t source)
{
	return source < VFT_SRC_MAX ? source_names[source] : NULL;
}

static int64_t ts_ns(const struct timespec *ts)
{
	return (int64_t)ts->tv_sec * 1000000000LL + ts->tv_nsec;
}

int vft_clock__init(struct vft_clock *clk)
{
	struct timespec b1, w, b2;

	/* Bracket the wall-clock read by two boot-clock reads and take the middle. */
	if (clock_gettime(CLOCK_BOOTTIME, &b1) || clock_gettime(CLOCK_REALTIME, &w) ||
	    clock_gettime(CLOCK_BOOTTIME, &b2))
		return -errno;
	clk->boot_to_wall_ns = ts_ns(&w) - (ts_ns(&b1) + (ts_ns(&b2) - ts_ns(&b1)) / 2);
	return 0;
}

uint64_t vft_clock__wall_ns(const struct vft_clock *clk, uint64_t boot_ns)
{
	return (uint64_t)((int64_t)boot_ns + clk->boot_to_wall_ns);
}

void vft_copy_name(char *dst, const char *src, size_t size)
{
	size_t n = strnlen(src, size - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

int vft_vf_bdf(const char *pf, unsigned int offset, unsigned int stride, int index, char *out,
	       size_t size)
{
	unsigned int domain, bus, dev, fn, rid;
	char end;

	if (index < 0 || sscanf(pf, "%x:%x:%x.%x%c", &domain, &bus, &dev, &fn, &end) != 4 ||
	    bus > 0xff || dev > 0x1f || fn > 7)
		return -EINVAL;
	/* SR-IOV: VF routing ID = PF routing ID + First VF Offset + index * VF Stride */
	rid = (bus << 8 | dev << 3 | fn) + offset + (unsigned int)index * stride;
	if (rid > 0xffff)
		return -ERANGE;
	snprintf(out, size, "%04x:%02x:%02x.%x", domain, rid >> 8, (rid >> 3) & 0x1f, rid & 7);
	return 0;
}

int vft_event__from_bpf(struct vft_event *ev, const void *data, size_t size,
			const struct vft_clock *clk)
{
	const struct vft_bpf_event *r = data;

	if (size != sizeof(*r))
		return -EINVAL;
	if (!r->kind || r->kind > VFT_EV_BPF_KIND_MAX || !r->source ||
	    r->source > VFT_SRC_TRACEPOINT)
		return -EINVAL;

	memset(ev, 0, sizeof(*ev));
	ev->kind = r->kind;
	ev->source = r->source;
	ev->ts_ns = vft_clock__wall_ns(clk, r->ts_boot_ns);
	ev->has_actor = true;
	ev->actor.pid = r->pid;
	ev->actor.tid = r->tid;
	ev->actor.netns = r->actor_netns;
	ev->actor.cgroup_id = r->cgroup_id;
	vft_copy_name(ev->actor.comm, r->comm, sizeof(r->comm));
	vft_copy_name(ev->ifname, r->ifname, sizeof(r->ifname));
	vft_copy_name(ev->parent, r->parent, sizeof(r->parent));
	ev->ifindex = r->ifindex;
	ev->netns = r->netns;
	ev->has_ret = r->flags & VFT_F_HAS_RET;
	ev->ret = r->ret;

	switch (r->kind) {
	case VFT_EV_NETNS_MOVE:
	case VFT_EV_NETDEV_RENAME:
		ev->from_netns = r->u.move.from_netns;
		ev->to_netns = r->u.move.to_netns;
		ev->new_ifindex = r->u.move.new_ifindex;
		vft_copy_name(ev->new_ifname, r->u.move.new_ifname, sizeof(r->u.move.new_ifname));
		if (r->kind == VFT_EV_NETNS_MOVE && !strcmp(ev->new_ifname, ev->ifname))
			ev->new_ifname[0] = '\0';
		vft_copy_name(ev->message, r->u.move.msg, sizeof(r->u.move.msg));
		break;
	case VFT_EV_LINK_CHANGE:
		ev->flags = r->u.link.flags;
		ev->old_flags = r->u.link.old_flags;
		break;
	case VFT_EV_ADDR_ADD:
	case VFT_EV_ADDR_DEL:
		ev->family = r->u.addr.family;
		ev->prefixlen = r->u.addr.prefixlen;
		memcpy(ev->addr, r->u.addr.addr, sizeof(ev->addr));
		break;
	case VFT_EV_DRIVER_BIND:
	case VFT_EV_DRIVER_UNBIND:
		vft_copy_name(ev->device, r->u.drv.device, sizeof(r->u.drv.device));
		vft_copy_name(ev->driver, r->u.drv.driver, sizeof(r->u.drv.driver));
		break;
	case VFT_EV_SRIOV_NUMVFS:
	case VFT_EV_VF_ADD:
	case VFT_EV_VF_REMOVE:
		vft_copy_name(ev->pf, r->u.sriov.pf, sizeof(r->u.sriov.pf));
		vft_copy_name(ev->device, r->u.sriov.vf, sizeof(r->u.sriov.vf));
		ev->num_vfs = r->u.sriov.num_vfs;
		ev->old_num_vfs = r->u.sriov.old_num_vfs;
		ev->vf_index = r->u.sriov.vf_index;
		if (r->kind != VFT_EV_SRIOV_NUMVFS && r->u.sriov.vf_stride &&
		    vft_vf_bdf(ev->pf, r->u.sriov.vf_offset, r->u.sriov.vf_stride, ev->vf_index,
			       ev->device, sizeof(ev->device)))
			ev->device[0] = '\0';
		break;
	case VFT_EV_RDMA_REGISTER:
	case VFT_EV_RDMA_UNREGISTER:
	case VFT_EV_RDMA_RENAME:
	case VFT_EV_RDMA_NETNS_MOVE:
	case VFT_EV_RDMA_PORT_EVENT:
	case VFT_EV_RDMA_PORT_STATE:
		vft_copy_name(ev->ibdev, r->u.rdma.ibdev, sizeof(r->u.rdma.ibdev));
		vft_copy_name(ev->new_ibdev, r->u.rdma.new_name, sizeof(r->u.rdma.new_name));
		ev->node_guid = be64toh(r->u.rdma.node_guid);
		ev->port = r->u.rdma.port;
		ev->port_event = r->u.rdma.event;
		ev->to_netns = r->u.rdma.to_netns;
		ev->has_port_attrs = r->flags & VFT_F_PORT_ATTRS;
		ev->port_state = r->u.rdma.state;
		ev->lid = r->u.rdma.lid;
		ev->sm_lid = r->u.rdma.sm_lid;
		break;
	case VFT_EV_NETLINK_ERROR:
		vft_copy_name(ev->message, r->u.nl.msg, sizeof(r->u.nl.msg));
		break;
	}
	return 0;
}
