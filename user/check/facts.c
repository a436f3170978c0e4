// SPDX-License-Identifier: GPL-2.0-only
/*
 * facts.c - the facts `check` judges, read from the node, and the rows it
 * reports (see facts.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "check/facts.h"
#include "enrich/hostcfg.h"
#include "enrich/kubelet.h"
#include "enrich/netns.h"
#include "enrich/sysfs.h"
#include "enrich/topo.h"
#include "sources/inventory.h"
#include "lib/util.h"

static uint64_t now_wall_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* ---- netdevs from sysfs, as each netns sees it ---- */

/* The netns inode of <root>/proc/<pid>, 0 if unreadable or @pid is not a number. */
static uint32_t pid_netns(const char *root, const char *pid)
{
	uint32_t n, ino;

	if (vft_sysfs__parse_u32(pid, &n) || vft_netns__of_pid(root, n, &ino))
		return 0;
	return ino;
}

/* The device directory above <sysdir>/class/net/<name>'s real path (.../<parent>/net/<name>). */
static int netdev_parent(const char *root, const char *sysdir, const char *name, char *buf,
			 size_t size)
{
	char rel[PATH_MAX], path[PATH_MAX], *real, *end, *start;
	int err = -ENOENT;

	snprintf(rel, sizeof(rel), "%s/class/net/%s", sysdir, name);
	if (vft_path(path, sizeof(path), root, rel))
		return -ENAMETOOLONG;
	real = realpath(path, NULL);
	if (!real)
		return -errno;
	end = strrchr(real, '/');
	if (end && end - real >= 4 && !strncmp(end - 4, "/net", 4)) {
		end -= 4;
		*end = '\0';
		start = strrchr(real, '/');
		if (start && strcmp(start + 1, "virtual") && strlen(start + 1) < size) {
			snprintf(buf, size, "%s", start + 1);
			err = 0;
		}
	}
	free(real);
	return err;
}

/* netdev_register (and its flags as a link_change) for each netdev under <sysdir>/class/net. */
static int sysfs_netdevs(const char *root, const char *sysdir, uint32_t netns, vft_event_cb cb,
			 void *ctx)
{
	struct vft_sysfs_list l = { 0 };
	char path[PATH_MAX], parent[VFT_DEVNAME_LEN];
	size_t i;
	int err;

	snprintf(path, sizeof(path), "%s/class/net", sysdir);
	err = vft_sysfs__list(root, path, NULL, &l);
	if (err)
		return err == -ENOMEM ? err : 0;
	for (i = 0; i < l.n; i++) {
		struct vft_event ev = { .kind = VFT_EV_NETDEV_REGISTER,
					.source = VFT_SRC_INVENTORY };
		uint32_t ifindex = 0, flags = 0;

		ev.ts_ns = now_wall_ns();
		ev.netns = netns;
		vft_copy_name(ev.ifname, l.names[i], sizeof(ev.ifname));
		snprintf(path, sizeof(path), "%s/class/net/%s/ifindex", sysdir, l.names[i]);
		vft_sysfs__read_u32(root, path, &ifindex);
		ev.ifindex = (int32_t)ifindex;
		snprintf(path, sizeof(path), "%s/class/net/%s/device", sysdir, l.names[i]);
		if (!vft_sysfs__link_name(root, path, parent, sizeof(parent)) ||
		    !netdev_parent(root, sysdir, l.names[i], parent, sizeof(parent)))
			vft_copy_name(ev.parent, parent, sizeof(ev.parent));
		err = cb(ctx, &ev);
		if (err)
			break;
		snprintf(path, sizeof(path), "%s/class/net/%s/flags", sysdir, l.names[i]);
		if (!vft_sysfs__read_hex(root, path, &flags) && (flags & 1)) {
			ev.kind = VFT_EV_LINK_CHANGE;
			ev.flags = flags;
			ev.old_flags = flags & ~1u;
			err = cb(ctx, &ev);
			if (err)
				break;
		}
	}
	vft_sysfs_list__free(&l);
	return err;
}

int vft_facts__root_netdevs(const char *root, uint32_t host, vft_event_cb event,
			    int (*netns)(void *ctx, uint32_t netns), void *ctx)
{
	struct vft_sysfs_list l = { 0 };
	uint32_t done[64];
	size_t i, n_done = 0, k;
	int err;

	err = sysfs_netdevs(root, "/sys", host, event, ctx);
	if (err)
		return err;
	err = vft_sysfs__list(root, "/proc", NULL, &l);
	if (err)
		return err == -ENOMEM ? err : 0;
	for (i = 0; i < l.n && !err; i++) {
		char sysdir[96];
		uint32_t ns = pid_netns(root, l.names[i]);

		if (!ns || ns == host)
			continue;
		for (k = 0; k < n_done && done[k] != ns; k++)
			;
		if (k < n_done || n_done == 64)
			continue;
		snprintf(sysdir, sizeof(sysdir), "/proc/%s/root/sys", l.names[i]);
		if (vft_sysfs__access(root, sysdir))
			continue;
		done[n_done++] = ns;
		err = netns(ctx, ns);
		if (!err)
			err = sysfs_netdevs(root, sysdir, ns, event, ctx);
	}
	vft_sysfs_list__free(&l);
	return err;
}

/* ---- the facts of one VF ---- */

/* The netns of pod @uid, from the netns map (a process of the pod lives in it). */
static uint32_t pod_netns(struct vft_netns_map *m, const char *uid)
{
	struct vft_netns_info info;
	size_t i, n = m ? vft_netns_map__count(m) : 0;

	for (i = 0; i < n; i++)
		if (!vft_netns_map__get(m, i, &info) && !strcmp(info.pod_uid, uid))
			return info.netns;
	return 0;
}

/* What the node says of the kubelet's allocations and the GPUs, read once for all rows. */
struct node {
	const char *root;
	struct vft_netns_map *map;
	struct vft_pod_device *devs;
	size_t n_devs;
	struct vft_gpu *gpus;
	size_t n_gpus;
	int running; /* vft_hostcfg__running(): the managers that run, -errno unknown */
};

/* The host managers whose configuration would manage @vf's netdev, as one line each. */
static void host_claims(const struct node *nd, const struct vft_vf *vf, struct vft_check_facts *f)
{
	struct vft_hostcfg_claim claims[2];
	size_t i;
	int n;

	n = vft_hostcfg__claims(nd->root, vf->ref.ifname, vf->driver, claims);
	for (i = 0; i < (size_t)(n > 0 ? n : 0) && i < 2; i++) {
		bool runs = nd->running < 0 || ((unsigned int)nd->running &
						vft_hostcfg__manager_bit(claims[i].manager));
		char *c = runs ? f->claims[f->n_claims++] : f->dormant;
		size_t sz = sizeof(f->claims[0]), off;

		if (!runs && f->dormant[0])
			continue;

		off = (size_t)snprintf(c, sz, "%.24s: ", claims[i].manager);
		if (claims[i].source[0] && off < sz)
			off += (size_t)snprintf(c + off, sz - off, "%.120s: ", claims[i].source);
		if (off < sz)
			snprintf(c + off, sz - off, "%s", claims[i].detail);
	}
}

/* The pod the kubelet gave @vf to, and the PCIe distance to the GPUs it gave the same pod. */
static void allocation(const struct node *nd, const struct vft_vf *vf, struct vft_check_facts *f)
{
	enum vft_pcie_dist d;
	size_t i, g;

	for (i = 0; vf->ref.pci[0] && i < nd->n_devs; i++)
		if (!strcmp(nd->devs[i].id, vf->ref.pci))
			vft_copy_name(f->alloc_pod, nd->devs[i].pod_uid, sizeof(f->alloc_pod));
	if (f->alloc_pod[0]) {
		f->alloc_netns = pod_netns(nd->map, f->alloc_pod);
		f->alloc_pod_running = f->alloc_netns != 0;
	}
	for (i = 0; f->alloc_pod[0] && i < nd->n_devs && f->n_gpus < 8; i++) {
		const struct vft_pod_device *dev = &nd->devs[i];

		if (strcmp(dev->pod_uid, f->alloc_pod) || !strstr(dev->resource, "gpu"))
			continue;
		for (g = 0; g < nd->n_gpus; g++) {
			const struct vft_gpu *gpu = &nd->gpus[g];

			if (strcmp(gpu->uuid, dev->id) && strcmp(gpu->bdf, dev->id))
				continue;
			if (vft_topo__distance(nd->root, vf->ref.pci, gpu->bdf, &d))
				break;
			vft_copy_name(f->gpus[f->n_gpus], gpu->bdf, sizeof(f->gpus[0]));
			vft_copy_name(f->dist[f->n_gpus], vft_pcie_dist__name(d),
				      sizeof(f->dist[0]));
			f->gpu_numa[f->n_gpus++] = gpu->numa_node;
			break;
		}
	}
}

static void read_facts(const struct node *nd, const struct vft_vf *vf, struct vft_check_facts *f)
{
	struct vft_pci_attrs pa;
	struct vft_netns_info info;
	struct vft_rdma_attrs ra;
	struct vft_port_attrs port;
	/* its netdev is in a netns other than the host's (a pod's, or one left behind) */
	bool away = nd->map && vf->ref.netns && vf->ref.netns != vft_netns_map__host(nd->map);
	int n;

	memset(f, 0, sizeof(*f));
	f->ib_visible = -1;
	if (vf->ref.pci[0] && !vft_inventory__read_pci(nd->root, vf->ref.pci, &pa))
		vft_copy_name(f->physfn, pa.physfn, sizeof(f->physfn));
	if (vf->ref.ibdev[0] && !vft_inventory__read_rdma(nd->root, vf->ref.ibdev, &ra))
		vft_copy_name(f->ib_parent, ra.parent, sizeof(f->ib_parent));
	/* the RDMA device as the VF's netns sees it (exclusive netns mode hides it) */
	if (vf->ref.ibdev[0] && vft_root_is_live(nd->root) && away) {
		/* a netns gone meanwhile (-ESRCH) leaves it unknown, not invisible */
		n = vft_netns_map__read_port(nd->map, vf->ref.netns, vf->ref.ibdev,
					     vf->port ? vf->port : 1, VFT_READ_TIMEOUT_NS, &port);
		f->ib_visible = n == -ENOENT ? 0 : !n ? 1 : -1;
	}
	if (away && !vft_netns_map__lookup(nd->map, vf->ref.netns, &info))
		f->netns_empty = !info.pid;
	if (vf->registered && vf->ref.ifname[0] && !away)
		host_claims(nd, vf, f);
	allocation(nd, vf, f);
}

/* ---- the rows ---- */

static bool selected(const struct vft_facts_opts *o, const struct vft_vf *vf,
		     const struct vft_check_facts *f)
{
	static const struct vft_filter none;
	const struct vft_filter *fl = o->filter ? o->filter : &none;
	const char *pod = vf->ref.pod_uid[0] ? vf->ref.pod_uid : f->alloc_pod;
	char label[VFT_POD_NS_LEN + VFT_POD_NAME_LEN];
	size_t i;

	/* a pod known by name is also selected by "namespace/name" */
	vft_pod_label(label, sizeof(label), vf->ref.pod_ns, vf->ref.pod_name, NULL);
	if (o->pod && strcmp(pod, o->pod) && strcmp(f->alloc_pod, o->pod) &&
	    (!label[0] || strcmp(label, o->pod)))
		return false;
	if (o->netns && strcmp(vf->ref.netns_name, o->netns))
		return false;
	if (o->vf && strcmp(vf->ref.key, o->vf) && strcmp(vf->ref.ifname, o->vf))
		return false;
	for (i = 0; i < fl->pcis.n; i++)
		if (!strcmp(fl->pcis.items[i], vf->ref.pci))
			return true;
	for (i = 0; i < fl->drivers.n; i++)
		if (!strcmp(fl->drivers.items[i], vf->driver))
			return true;
	for (i = 0; i < fl->ifnames.n; i++)
		if (!fnmatch(fl->ifnames.items[i], vf->ref.ifname, 0))
			return true;
	if (fl->pcis.n || fl->drivers.n || fl->ifnames.n)
		return false;
	/*
	 * By default SR-IOV VFs; --all, --netns, --pod and --vf also take other
	 * devices that could carry RDMA: with an RDMA device or a PCI parent.
	 */
	return vf->pf[0] || ((o->all || o->netns || o->pod || o->vf) &&
			     (vf->ref.ibdev[0] || (vf->registered && vf->ref.pci[0])));
}

static int add_row(struct vft_check_row **rows, size_t *n, const struct vft_check_row *row)
{
	struct vft_check_row *tmp = realloc(*rows, (*n + 1) * sizeof(*tmp));

	if (!tmp)
		return -ENOMEM;
	tmp[(*n)++] = *row;
	*rows = tmp;
	return 0;
}

/* Whether @corr knows VF @idx of PF @pf. */
static bool has_vf(struct vft_corr *corr, const char *pf, uint32_t idx)
{
	size_t j, n = vft_corr__n_vfs(corr);

	for (j = 0; j < n; j++) {
		const struct vft_vf *vf = vft_corr__vf_state(corr, j);

		if (!strcmp(vf->pf, pf) && vf->vf_index == (int32_t)idx)
			return true;
	}
	return false;
}

/* Rows for the VFs a PF announces (sriov_numvfs) that do not exist. */
static int missing_vfs(const struct vft_facts_opts *o, struct vft_corr *corr,
		       struct vft_check_row **rows, size_t *n_rows)
{
	size_t i, n = vft_corr__n_vfs(corr);
	struct vft_pci_attrs pa;
	struct vft_check_row row;
	int err = 0;

	for (i = 0; i < n && !err; i++) {
		const struct vft_vf *pf = vft_corr__vf_state(corr, i);
		uint32_t offset = 0, stride = 0, idx;
		char path[96], bdf[VFT_DEVNAME_LEN];

		/* a PF's record; not one of its other netdevs' (a representor's: "<pci>/pf0vf0") */
		if (pf->pf[0] || !pf->ref.pci[0] || strcmp(pf->ref.key, pf->ref.pci) ||
		    vft_inventory__read_pci(o->root, pf->ref.pci, &pa) || !pa.has_sriov)
			continue;
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/sriov_offset", pf->ref.pci);
		vft_sysfs__read_u32(o->root, path, &offset);
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/sriov_stride", pf->ref.pci);
		vft_sysfs__read_u32(o->root, path, &stride);
		for (idx = 0; idx < pa.sriov_numvfs && !err; idx++) {
			if (has_vf(corr, pf->ref.pci, idx))
				continue;
			if (!offset ||
			    vft_vf_bdf(pf->ref.pci, offset, stride, (int)idx, bdf, sizeof(bdf)))
				snprintf(bdf, sizeof(bdf), "%.16s/vf%u", pf->ref.pci, idx);
			if (o->vf && strcmp(o->vf, bdf))
				continue;
			vft_check__missing_row(pf->ref.pci, (int32_t)idx, bdf, &row);
			err = add_row(rows, n_rows, &row);
		}
	}
	return err;
}

int vft_facts__rows(const struct vft_facts_opts *o, struct vft_corr *corr,
		    struct vft_netns_map *map, uint32_t host, struct vft_check_row **rows,
		    size_t *n_rows)
{
	struct node nd = { .root = o->root, .map = map };
	struct vft_check_facts facts;
	struct vft_check_row row;
	size_t i, n;
	int err = 0;

	if (vft_kubelet__devices(o->root, &nd.devs, &nd.n_devs))
		vft_debug("the kubelet's device checkpoint cannot be read: no pod allocations\n");
	if (vft_topo__gpus(o->root, &nd.gpus, &nd.n_gpus))
		vft_debug("no GPU list\n");
	nd.running = vft_hostcfg__running(o->root);
	if (nd.running < 0)
		vft_debug("no process list: host managers counted whether they run or not\n");
	n = vft_corr__n_vfs(corr);
	for (i = 0; i < n && !err; i++) {
		const struct vft_vf *vf = vft_corr__vf_state(corr, i);

		read_facts(&nd, vf, &facts);
		if (!selected(o, vf, &facts))
			continue;
		vft_check__row(vf, &facts, host, &row);
		err = add_row(rows, n_rows, &row);
	}
	if (!err && !o->pod && !o->netns &&
	    (!o->filter || (!o->filter->ifnames.n && !o->filter->drivers.n)))
		err = missing_vfs(o, corr, rows, n_rows);
	free(nd.devs);
	free(nd.gpus);
	return err;
}
