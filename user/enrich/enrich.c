// SPDX-License-Identifier: GPL-2.0-only
/*
 * enrich.c - user-space additions to kernel events (see enrich.h): which
 * an event gets, its kind's row says (enrich). The readers are the
 * inventory's: one reader per fact.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include "enrich/enrich.h"
#include "enrich/netns.h"
#include "model/kinds.h"
#include "sources/inventory.h"
#include "enrich/sysfs.h"
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

/* The netdev of ifindex @ifindex in this process's netns, by <root>/sys/class/net. */
static int netdev_of_ifindex(const char *root, int32_t ifindex, char *name, size_t size)
{
	struct vft_sysfs_list l;
	char path[320];
	int32_t idx;
	size_t i;
	int err;

	err = vft_sysfs__list(root, "/sys/class/net", NULL, &l);
	if (err)
		return err;
	err = -ENOENT;
	for (i = 0; i < l.n && err; i++) {
		snprintf(path, sizeof(path), "/sys/class/net/%s/ifindex", l.names[i]);
		if (!vft_sysfs__read_s32(root, path, &idx) && idx == ifindex &&
		    strlen(l.names[i]) < size) {
			strcpy(name, l.names[i]);
			err = 0;
		}
	}
	vft_sysfs_list__free(&l);
	return err;
}

/*
 * A VF setting asked of a PF names the PF by its ifindex in the requester's
 * netns and the VF by its index: the PF's name and BDF, and the VF's BDF
 * (the PF's virtfnN). Only for a PF in this process's netns (the one of
 * <root>/sys): an ifindex of another netns would name another device.
 */
static void vf_of_pf(const char *root, struct vft_event *ev)
{
	char path[320], name[VFT_NAME_LEN] = "";
	struct stat st;

	snprintf(path, sizeof(path), "%s/proc/self/ns/net", root);
	if (ev->ifindex <= 0 || ev->vf_index < 0 ||
	    (ev->netns && !stat(path, &st) && st.st_ino != ev->netns))
		return;
	if (netdev_of_ifindex(root, ev->ifindex, name, sizeof(name)))
		return;
	/* a request by name (IFLA_IFNAME) that named another device is not this one */
	if (ev->ifname[0] && strcmp(ev->ifname, name))
		return;
	memcpy(ev->ifname, name, sizeof(ev->ifname));
	snprintf(path, sizeof(path), "/sys/class/net/%s/device", name);
	if (vft_sysfs__link_name(root, path, ev->pf, sizeof(ev->pf)))
		return;
	memcpy(ev->parent, ev->pf, sizeof(ev->parent));
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/virtfn%d", ev->pf, ev->vf_index);
	if (vft_sysfs__link_name(root, path, ev->device, sizeof(ev->device)))
		ev->device[0] = '\0';
}

/*
 * The inode of the netns that CNI_NETNS names (a bind mount under
 * /var/run/netns, or /proc/<pid>/ns/net), under @root. A DEL's netns may be
 * gone: 0.
 */
static void cni_netns(const char *root, struct vft_event *ev)
{
	char path[4096];
	struct stat st;

	if (ev->netns || ev->cni_netns[0] != '/' ||
	    vft_path(path, sizeof(path), root, ev->cni_netns) || stat(path, &st))
		return;
	ev->netns = (uint32_t)st.st_ino;
}

void vft_enrich__event(const char *root, struct vft_event *ev)
{
	uint32_t what = vft_kind__get(ev->kind)->enrich;

	if (what & VFT_ENRICH_PORT_ATTRS)
		port_attrs(root, ev);
	if (what & VFT_ENRICH_BOUND_NETDEV)
		bound_netdev(root, ev);
	if (what & VFT_ENRICH_VF_OF_PF)
		vf_of_pf(root, ev);
	if (what & VFT_ENRICH_CNI_NETNS)
		cni_netns(root, ev);
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
	vft_copy_name(ev->pod_ns, info.pod_ns, sizeof(ev->pod_ns));
	vft_copy_name(ev->pod_name, info.pod_name, sizeof(ev->pod_name));
	ev->pod_source = info.pod_source;
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

int vft_enrich__grace_read(const char *root, struct vft_netns_map *map, const struct vft_vf *vf,
			   uint64_t timeout_ns, struct vft_grace_read *out)
{
	bool live = vft_root_is_live(root), inside;
	uint32_t port = vf->port ? vf->port : 1;
	int err;

	memset(out, 0, sizeof(*out));
	out->err = -ENODEV;
	if (!vf->ref.ibdev[0])
		return 0;
	inside = live && map && vf->ref.netns && vf->ref.netns != vft_netns_map__host(map);
	err = timeout_ns ? -ENOENT : -ETIMEDOUT;
	if (inside && timeout_ns) {
		/* -ENOENT: not visible there; -ESRCH: the netns is gone, proves nothing */
		err = vft_netns_map__read_port(map, vf->ref.netns, vf->ref.ibdev, port, timeout_ns,
					       &out->attrs);
		if (err && err != -ENOENT && err != -ETIMEDOUT) {
			vft_debug("cannot read %s/%u inside netns %u (%s): reading <root>/sys\n",
				  vf->ref.ibdev, port, vf->ref.netns, strerror(-err));
			inside = false;
		}
	}
	if (!inside && timeout_ns)
		err = vft_netns__read_port_within(NULL, root, vf->ref.ibdev, port, timeout_ns,
						  &out->attrs);
	out->err = err;
	out->inside = inside;
	return 0;
}

int vft_enrich__grace_emit(const struct vft_vf *vf, uint64_t now_ns, const struct vft_grace_read *r,
			   vft_event_cb cb, void *ctx)
{
	bool skipped = false;
	struct vft_event ev;
	int err;

	if (vf->ref.ibdev[0]) {
		vf_event(&ev, vf, VFT_EV_RDMA_PORT_STATE, VFT_SRC_ENRICH, now_ns);
		vft_copy_name(ev.ibdev, vf->ref.ibdev, sizeof(ev.ibdev));
		ev.port = vf->port ? vf->port : 1;
		if (!r->err) {
			set_port_attrs(&ev, &r->attrs);
		} else if (r->err == -ENOENT && r->inside) {
			/* not visible in the netns of its netdev */
			ev.has_ret = true;
			ev.ret = r->err;
		} else if (r->err == -ETIMEDOUT) {
			skipped = true;
		}
		if (ev.has_port_attrs || ev.has_ret) {
			err = cb(ctx, &ev);
			if (err)
				return err;
		}
	}
	vf_event(&ev, vf, VFT_EV_VF_CHECK, VFT_SRC_TIMER, now_ns);
	vft_copy_name(ev.vf_key, vf->ref.key, sizeof(ev.vf_key));
	err = cb(ctx, &ev);
	return err ? err : skipped ? VFT_ENRICH_SKIPPED : 0;
}

int vft_enrich__grace_end(const char *root, struct vft_netns_map *map, const struct vft_vf *vf,
			  uint64_t now_ns, uint64_t timeout_ns, vft_event_cb cb, void *ctx)
{
	struct vft_grace_read r;

	vft_enrich__grace_read(root, map, vf, timeout_ns, &r);
	return vft_enrich__grace_emit(vf, now_ns, &r, cb, ctx);
}
