// SPDX-License-Identifier: GPL-2.0-only
/*
 * inventory.c - the start-up inventory: SR-IOV PFs and VFs, bound drivers,
 * RDMA devices and their ports, read from sysfs and handed on as
 * VFT_SRC_INVENTORY events; and the per-fact readers behind it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "sources/inventory.h"
#include "enrich/sysfs.h"
#include "lib/util.h"

#define PCI_DEVICES "/sys/bus/pci/devices"
#define IB_CLASS "/sys/class/infiniband"

/* snprintf into a path buffer; -ENAMETOOLONG when it does not fit. */
static int __attribute__((format(printf, 3, 4)))
fmt_path(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

/* A name that becomes one path component: no "/", no "." or "..". */
static bool bad_name(const char *name)
{
	return !name[0] || strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, "..");
}

/* The first entry of a directory into @buf, or "" when it is missing or empty. */
static int first_entry(const char *root, const char *path, char *buf, size_t size)
{
	struct vft_sysfs_list l;
	int err;

	buf[0] = '\0';
	err = vft_sysfs__list(root, path, NULL, &l);
	if (err == -ENOMEM)
		return err;
	if (!err && l.n)
		vft_copy_name(buf, l.names[0], size);
	vft_sysfs_list__free(&l);
	return 0;
}

static bool gid_is_zero(const uint8_t gid[16])
{
	int i;

	for (i = 0; i < 16; i++)
		if (gid[i])
			return false;
	return true;
}

/* Counts the non-zero GIDs of a port and their RoCE v2 share; reads port_guid from GID 0. */
static int read_gids(const char *root, const char *port_dir, struct vft_port_attrs *out)
{
	struct vft_sysfs_list l = { 0 };
	char path[PATH_MAX], line[128];
	uint8_t gid[16];
	size_t i;
	int err, k;

	err = fmt_path(path, sizeof(path), "%s/gids", port_dir);
	if (err)
		goto out;
	err = vft_sysfs__list(root, path, NULL, &l);
	if (err) {
		/* no GID table is not an error of the port */
		err = err == -ENOMEM ? err : 0;
		goto out;
	}
	for (i = 0; i < l.n; i++) {
		err = fmt_path(path, sizeof(path), "%s/gids/%s", port_dir, l.names[i]);
		if (err)
			goto out;
		if (vft_sysfs__read(root, path, line, sizeof(line)) < 0 ||
		    vft_sysfs__parse_gid(line, gid) || gid_is_zero(gid))
			continue;
		out->n_gids++;
		if (!strcmp(l.names[i], "0")) {
			out->port_guid = 0;
			for (k = 8; k < 16; k++)
				out->port_guid = out->port_guid << 8 | gid[k];
		}
		err = fmt_path(path, sizeof(path), "%s/gid_attrs/types/%s", port_dir, l.names[i]);
		if (err)
			goto out;
		if (vft_sysfs__read(root, path, line, sizeof(line)) >= 0 &&
		    !strcmp(line, "RoCE v2")) {
			out->n_rocev2_gids++;
			if (!(gid[0] == 0xfe && (gid[1] & 0xc0) == 0x80))
				out->n_ip_gids++;
		}
	}
	err = 0;
out:
	vft_sysfs_list__free(&l);
	return err;
}

/* The numeric attributes of a port that vft_inventory__read_port() requires. */
static const struct {
	const char *name;
	int (*read)(const char *root, const char *path, uint32_t *out);
	size_t off;
} port_u32[] = {
	{ "state", vft_sysfs__read_state, offsetof(struct vft_port_attrs, state) },
	{ "phys_state", vft_sysfs__read_state, offsetof(struct vft_port_attrs, phys_state) },
	{ "lid", vft_sysfs__read_hex, offsetof(struct vft_port_attrs, lid) },
	{ "sm_lid", vft_sysfs__read_hex, offsetof(struct vft_port_attrs, sm_lid) },
};

int vft_inventory__read_port(const char *root, const char *ibdev, uint32_t port,
			     struct vft_port_attrs *out)
{
	char dir[PATH_MAX], path[PATH_MAX + 32];
	int err, first = 0;
	size_t i;

	memset(out, 0, sizeof(*out));
	if (bad_name(ibdev))
		return -EINVAL;
	err = fmt_path(dir, sizeof(dir), IB_CLASS "/%s/ports/%u", ibdev, port);
	if (err)
		return err;
	err = vft_sysfs__access(root, dir);
	if (err)
		return err;

	for (i = 0; i < ARRAY_SIZE(port_u32); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, port_u32[i].name);
		err = port_u32[i].read(root, path, (uint32_t *)((char *)out + port_u32[i].off));
		if (err && !first)
			first = err;
	}
	snprintf(path, sizeof(path), "%s/link_layer", dir);
	err = vft_sysfs__read(root, path, out->link_layer, sizeof(out->link_layer));
	if (err == 0)
		err = -EINVAL;
	if (err < 0 && !first)
		first = err;
	snprintf(path, sizeof(path), "%s/rate", dir);
	if (vft_sysfs__read(root, path, out->rate, sizeof(out->rate)) < 0)
		out->rate[0] = '\0';
	err = read_gids(root, dir, out);
	if (err == -ENOMEM)
		first = err;
	return first;
}

int vft_inventory__read_pci(const char *root, const char *bdf, struct vft_pci_attrs *out)
{
	char dir[PATH_MAX], path[PATH_MAX + 32];
	int err;

	memset(out, 0, sizeof(*out));
	out->numa_node = -1;
	if (bad_name(bdf))
		return -EINVAL;
	err = fmt_path(dir, sizeof(dir), PCI_DEVICES "/%s", bdf);
	if (err)
		return err;
	snprintf(path, sizeof(path), "%s/class", dir);
	err = vft_sysfs__read_u32(root, path, &out->class_code);
	if (err)
		return err;
	snprintf(path, sizeof(path), "%s/numa_node", dir);
	if (vft_sysfs__read_s32(root, path, &out->numa_node))
		out->numa_node = -1;
	snprintf(path, sizeof(path), "%s/driver", dir);
	vft_sysfs__link_name(root, path, out->driver, sizeof(out->driver));
	snprintf(path, sizeof(path), "%s/physfn", dir);
	vft_sysfs__link_name(root, path, out->physfn, sizeof(out->physfn));
	snprintf(path, sizeof(path), "%s/sriov_numvfs", dir);
	out->has_sriov = !vft_sysfs__read_u32(root, path, &out->sriov_numvfs);
	snprintf(path, sizeof(path), "%s/sriov_totalvfs", dir);
	vft_sysfs__read_u32(root, path, &out->sriov_totalvfs);
	snprintf(path, sizeof(path), "%s/net", dir);
	err = first_entry(root, path, out->ifname, sizeof(out->ifname));
	if (err)
		return err;
	snprintf(path, sizeof(path), "%s/infiniband", dir);
	return first_entry(root, path, out->ibdev, sizeof(out->ibdev));
}

int vft_inventory__read_rdma(const char *root, const char *ibdev, struct vft_rdma_attrs *out)
{
	struct vft_sysfs_list ports = { 0 };
	char dir[PATH_MAX], path[PATH_MAX + 48];
	int err;

	memset(out, 0, sizeof(*out));
	if (bad_name(ibdev))
		return -EINVAL;
	err = fmt_path(dir, sizeof(dir), IB_CLASS "/%s", ibdev);
	if (err)
		goto out;
	err = vft_sysfs__access(root, dir);
	if (err)
		goto out;
	snprintf(path, sizeof(path), "%s/node_guid", dir);
	out->has_node_guid = !vft_sysfs__read_guid(root, path, &out->node_guid);
	snprintf(path, sizeof(path), "%s/device", dir);
	vft_sysfs__link_name(root, path, out->parent, sizeof(out->parent));
	snprintf(path, sizeof(path), "%s/ports/1/gid_attrs/ndevs/0", dir);
	if (vft_sysfs__read(root, path, out->ifname, sizeof(out->ifname)) <= 0) {
		snprintf(path, sizeof(path), "%s/device/net", dir);
		err = first_entry(root, path, out->ifname, sizeof(out->ifname));
		if (err)
			goto out;
	}
	snprintf(path, sizeof(path), "%s/ports", dir);
	err = vft_sysfs__list(root, path, NULL, &ports);
	if (err == -ENOMEM)
		goto out;
	out->n_ports = ports.n;
	err = 0;
out:
	vft_sysfs_list__free(&ports);
	return err;
}

static void ev_init(struct vft_event *ev, uint32_t kind)
{
	struct timespec ts;

	memset(ev, 0, sizeof(*ev));
	clock_gettime(CLOCK_REALTIME, &ts);
	ev->kind = kind;
	ev->source = VFT_SRC_INVENTORY;
	ev->ts_ns = (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* Is the function a network one, whose driver binding we report? */
static bool is_net_function(const struct vft_pci_attrs *a)
{
	return (a->class_code >> 16) == 0x02 || a->physfn[0] || a->ifname[0] || a->ibdev[0];
}

/* sriov_numvfs, then one vf_add per virtfnN link of the PF @bdf. */
static int scan_vfs(const char *root, const char *bdf, const struct vft_pci_attrs *a,
		    vft_event_cb cb, void *ctx)
{
	struct vft_sysfs_list l = { 0 };
	char path[PATH_MAX];
	struct vft_event ev;
	uint32_t idx;
	size_t i;
	int err;

	ev_init(&ev, VFT_EV_SRIOV_NUMVFS);
	vft_copy_name(ev.pf, bdf, sizeof(ev.pf));
	ev.num_vfs = a->sriov_numvfs;
	err = cb(ctx, &ev);
	if (err)
		goto out;
	err = fmt_path(path, sizeof(path), PCI_DEVICES "/%s", bdf);
	if (err)
		goto out;
	err = vft_sysfs__list(root, path, "virtfn", &l);
	if (err) {
		err = err == -ENOMEM ? err : 0;
		goto out;
	}
	for (i = 0; i < l.n; i++) {
		if (vft_sysfs__parse_u32(l.names[i] + strlen("virtfn"), &idx) || idx > INT32_MAX)
			continue;
		ev_init(&ev, VFT_EV_VF_ADD);
		err = fmt_path(path, sizeof(path), PCI_DEVICES "/%s/%s", bdf, l.names[i]);
		if (err)
			goto out;
		if (vft_sysfs__link_name(root, path, ev.device, sizeof(ev.device))) {
			vft_debug("inventory: %s/%s: not a link to a VF\n", bdf, l.names[i]);
			continue;
		}
		vft_copy_name(ev.pf, bdf, sizeof(ev.pf));
		ev.vf_index = (int32_t)idx;
		err = cb(ctx, &ev);
		if (err)
			goto out;
	}
out:
	vft_sysfs_list__free(&l);
	return err;
}

static int scan_pci(const char *root, vft_event_cb cb, void *ctx)
{
	struct vft_sysfs_list l = { 0 };
	struct vft_pci_attrs a;
	struct vft_event ev;
	char ebuf[16];
	size_t i;
	int err;

	err = vft_sysfs__list(root, PCI_DEVICES, NULL, &l);
	if (err) {
		/* a machine without PCI has nothing to report */
		err = err == -ENOENT ? 0 : err;
		goto out;
	}
	for (i = 0; i < l.n; i++) {
		err = vft_inventory__read_pci(root, l.names[i], &a);
		if (err == -ENOMEM)
			goto out;
		if (err) {
			vft_debug("inventory: skipping PCI %s: %s\n", l.names[i],
				  vft_errno_name(err, ebuf, sizeof(ebuf)));
			continue;
		}
		if (is_net_function(&a) && a.driver[0]) {
			ev_init(&ev, VFT_EV_DRIVER_BIND);
			vft_copy_name(ev.device, l.names[i], sizeof(ev.device));
			vft_copy_name(ev.driver, a.driver, sizeof(ev.driver));
			ev.has_numa = a.numa_node >= 0;
			ev.numa_node = a.numa_node;
			err = cb(ctx, &ev);
			if (err)
				goto out;
		}
		if (a.has_sriov) {
			err = scan_vfs(root, l.names[i], &a, cb, ctx);
			if (err)
				goto out;
		}
	}
	err = 0;
out:
	vft_sysfs_list__free(&l);
	return err;
}

/* rdma_register, then one rdma_port_state per port of @ibdev. */
static int scan_one_rdma(const char *root, const char *ibdev, vft_event_cb cb, void *ctx)
{
	struct vft_sysfs_list ports = { 0 };
	struct vft_rdma_attrs r;
	struct vft_port_attrs p;
	char path[PATH_MAX], ebuf[16];
	struct vft_event ev;
	uint32_t port;
	size_t i;
	int err;

	err = vft_inventory__read_rdma(root, ibdev, &r);
	if (err) {
		vft_debug("inventory: skipping RDMA %s: %s\n", ibdev,
			  vft_errno_name(err, ebuf, sizeof(ebuf)));
		err = err == -ENOMEM ? err : 0;
		goto out;
	}
	if (!r.has_node_guid)
		vft_debug("inventory: %s: node_guid unreadable\n", ibdev);
	ev_init(&ev, VFT_EV_RDMA_REGISTER);
	vft_copy_name(ev.ibdev, ibdev, sizeof(ev.ibdev));
	vft_copy_name(ev.parent, r.parent, sizeof(ev.parent));
	vft_copy_name(ev.ifname, r.ifname, sizeof(ev.ifname));
	ev.node_guid = r.node_guid;
	err = cb(ctx, &ev);
	if (err)
		goto out;

	err = fmt_path(path, sizeof(path), IB_CLASS "/%s/ports", ibdev);
	if (err)
		goto out;
	err = vft_sysfs__list(root, path, NULL, &ports);
	if (err) {
		err = err == -ENOMEM ? err : 0;
		goto out;
	}
	for (i = 0; i < ports.n; i++) {
		if (vft_sysfs__parse_u32(ports.names[i], &port))
			continue;
		err = vft_inventory__read_port(root, ibdev, port, &p);
		if (err == -ENOMEM)
			goto out;
		ev_init(&ev, VFT_EV_RDMA_PORT_STATE);
		vft_copy_name(ev.ibdev, ibdev, sizeof(ev.ibdev));
		vft_copy_name(ev.parent, r.parent, sizeof(ev.parent));
		ev.node_guid = r.node_guid;
		ev.port = port;
		ev.port_guid = p.port_guid;
		ev.has_port_attrs = !err;
		if (err) {
			vft_debug("inventory: %s port %u: %s\n", ibdev, port,
				  vft_errno_name(err, ebuf, sizeof(ebuf)));
		} else {
			ev.port_state = p.state;
			ev.phys_state = p.phys_state;
			ev.lid = p.lid;
			ev.sm_lid = p.sm_lid;
			vft_copy_name(ev.link_layer, p.link_layer, sizeof(ev.link_layer));
			ev.n_gids = p.n_gids;
			ev.n_rocev2_gids = p.n_rocev2_gids;
			ev.n_ip_gids = p.n_ip_gids;
		}
		err = cb(ctx, &ev);
		if (err)
			goto out;
	}
	err = 0;
out:
	vft_sysfs_list__free(&ports);
	return err;
}

static int scan_rdma(const char *root, vft_event_cb cb, void *ctx)
{
	struct vft_sysfs_list l = { 0 };
	size_t i;
	int err;

	err = vft_sysfs__list(root, IB_CLASS, NULL, &l);
	if (err) {
		/* no RDMA core loaded: nothing to report */
		err = err == -ENOENT ? 0 : err;
		goto out;
	}
	for (i = 0; i < l.n; i++) {
		err = scan_one_rdma(root, l.names[i], cb, ctx);
		if (err)
			goto out;
	}
out:
	vft_sysfs_list__free(&l);
	return err;
}

int vft_inventory__scan(const char *root, vft_event_cb cb, void *ctx)
{
	int err;

	err = scan_pci(root, cb, ctx);
	if (err)
		return err;
	return scan_rdma(root, cb, ctx);
}
