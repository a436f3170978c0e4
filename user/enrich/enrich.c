// SPDX-License-Identifier: GPL-2.0-only
/*
 * enrich.c - user-space additions to kernel events (see enrich.h): which
 * an event gets, its kind's row says (enrich). The readers are the
 * inventory's: one reader per fact.
 */
#include <errno.h>
#include <string.h>
#include "enrich/enrich.h"
#include "model/kinds.h"
#include "sources/inventory.h"
#include "lib/util.h"

static void port_attrs(const char *root, struct vft_event *ev)
{
	struct vft_port_attrs pa;

	if (ev->has_port_attrs || !ev->ibdev[0] || !ev->port)
		return;
	memset(&pa, 0, sizeof(pa));
	if (vft_inventory__read_port(root, ev->ibdev, ev->port, &pa))
		return;
	ev->has_port_attrs = true;
	ev->port_state = pa.state;
	ev->phys_state = pa.phys_state;
	ev->lid = pa.lid;
	ev->sm_lid = pa.sm_lid;
	ev->port_guid = pa.port_guid;
	memcpy(ev->link_layer, pa.link_layer, sizeof(ev->link_layer));
	ev->n_gids = pa.n_gids;
	ev->n_rocev2_gids = pa.n_rocev2_gids;
	ev->n_ip_gids = pa.n_ip_gids;
}

static void bound_netdev(const char *root, struct vft_event *ev)
{
	struct vft_rdma_attrs ra;

	if (ev->ifname[0] || !ev->ibdev[0])
		return;
	memset(&ra, 0, sizeof(ra));
	if (!vft_inventory__read_rdma(root, ev->ibdev, &ra))
		memcpy(ev->ifname, ra.ifname, sizeof(ev->ifname));
}

void vft_enrich__event(const char *root, struct vft_event *ev)
{
	uint32_t what = vft_kind__get(ev->kind)->enrich;

	if (what & VFT_ENRICH_PORT_ATTRS)
		port_attrs(root, ev);
	if (what & VFT_ENRICH_BOUND_NETDEV)
		bound_netdev(root, ev);
}

void vft_enrich__netns_info(struct vft_netns_map *map, uint32_t netns, bool host, uint64_t now_ns,
			    struct vft_event *ev)
{
	struct vft_netns_info info;

	memset(ev, 0, sizeof(*ev));
	memset(&info, 0, sizeof(info));
	ev->kind = VFT_EV_NETNS_INFO;
	ev->source = VFT_SRC_ENRICH;
	ev->ts_ns = now_ns;
	ev->netns = netns;
	ev->netns_host = host;
	if (!map)
		return;
	if (vft_netns_map__lookup(map, netns, &info) && !vft_netns_map__rescan(map))
		vft_netns_map__lookup(map, netns, &info);
	if (!info.netns)
		return;
	ev->netns_host = host || info.host;
	vft_copy_name(ev->netns_name, info.name, sizeof(ev->netns_name));
	vft_copy_name(ev->pod_uid, info.pod_uid, sizeof(ev->pod_uid));
	vft_copy_name(ev->container, info.container, sizeof(ev->container));
}

static void set_port_attrs(struct vft_event *ev, const struct vft_port_attrs *pa)
{
	ev->has_port_attrs = true;
	ev->port_state = pa->state;
	ev->phys_state = pa->phys_state;
	ev->lid = pa->lid;
	ev->sm_lid = pa->sm_lid;
	ev->port_guid = pa->port_guid;
	memcpy(ev->link_layer, pa->link_layer, sizeof(ev->link_layer));
	ev->n_gids = pa->n_gids;
	ev->n_rocev2_gids = pa->n_rocev2_gids;
	ev->n_ip_gids = pa->n_ip_gids;
}

/* An event about @vf's netdev. */
static void vf_event(struct vft_event *ev, const struct vft_vf *vf, uint32_t kind, uint32_t source,
		     uint64_t now_ns)
{
	memset(ev, 0, sizeof(*ev));
	ev->kind = kind;
	ev->source = source;
	ev->ts_ns = now_ns;
	vft_copy_name(ev->ifname, vf->ref.ifname, sizeof(ev->ifname));
	ev->ifindex = vf->ifindex;
	ev->netns = vf->ref.netns;
	vft_copy_name(ev->parent, vf->ref.pci, sizeof(ev->parent));
	vft_copy_name(ev->vf_key, vf->ref.key, sizeof(ev->vf_key));
}

int vft_enrich__grace_end(const char *root, struct vft_netns_map *map, const struct vft_vf *vf,
			  uint64_t now_ns, vft_event_cb cb, void *ctx)
{
	bool live = vft_root_is_live(root), inside;
	uint32_t port = vf->port ? vf->port : 1;
	struct vft_netns_info info;
	struct vft_port_attrs pa;
	struct vft_event ev;
	int err;

	memset(&info, 0, sizeof(info));
	memset(&pa, 0, sizeof(pa));
	if (vf->ref.ibdev[0]) {
		vf_event(&ev, vf, VFT_EV_RDMA_PORT_STATE, VFT_SRC_ENRICH, now_ns);
		vft_copy_name(ev.ibdev, vf->ref.ibdev, sizeof(ev.ibdev));
		ev.port = port;
		inside = live && map && vf->ref.netns &&
			 vf->ref.netns != vft_netns_map__host(map) &&
			 !vft_netns_map__lookup(map, vf->ref.netns, &info);
		err = -ENOENT;
		if (inside) {
			err = vft_netns__read_port(info.path, vf->ref.ibdev, port, &pa);
			if (err && err != -ENOENT) {
				vft_debug(
					"cannot read %s/%u inside netns %u (%s): reading <root>/sys\n",
					vf->ref.ibdev, port, vf->ref.netns, strerror(-err));
				inside = false;
			}
		}
		if (!inside)
			err = vft_inventory__read_port(root, vf->ref.ibdev, port, &pa);
		if (!err) {
			set_port_attrs(&ev, &pa);
		} else if (err == -ENOENT && inside) {
			/* not visible in the netns of its netdev */
			ev.has_ret = true;
			ev.ret = err;
		}
		if (ev.has_port_attrs || ev.has_ret) {
			err = cb(ctx, &ev);
			if (err)
				return err;
		}
	}
	vf_event(&ev, vf, VFT_EV_VF_CHECK, VFT_SRC_TIMER, now_ns);
	vft_copy_name(ev.vf_key, vf->ref.key, sizeof(ev.vf_key));
	return cb(ctx, &ev);
}
