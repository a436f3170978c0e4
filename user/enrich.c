// SPDX-License-Identifier: GPL-2.0-only
/*
 * enrich.c - user-space additions to kernel events (see enrich.h). The
 * readers are the inventory's: one reader per fact.
 */
#include <string.h>
#include "enrich.h"
#include "inventory.h"

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
	switch (ev->kind) {
	case VFT_EV_RDMA_PORT_EVENT:
		port_attrs(root, ev);
		bound_netdev(root, ev);
		break;
	case VFT_EV_RDMA_REGISTER:
		bound_netdev(root, ev);
		break;
	default:
		break;
	}
}
