// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_inventory.c - the start-up inventory on generated DGX B200 trees
 * (tests/fixtures/mkfixture.sh): every event of the healthy node, exactly
 * where each defect tree differs, and clean handling of malformed files.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "sources/inventory.h"

#define MAX_EVENTS 512

static char base[256];

static const char *const variants[] = {
	"dgx-b200-healthy", "zero-guid", "lid0-sm-present", "no-sm", "no-rdma-dev",
	"pf-vf-mismatch",   "roce",	 "malformed"
};

/* The node as mkfixture.sh documents it. */
static const char *const buses[8] = { "18", "40", "4f", "5e", "9a", "c0", "ce", "dc" };
static const int pf_ibdev[8] = { 4, 7, 8, 9, 10, 13, 14, 15 };
static const int pf_dec[8] = { 24, 64, 79, 94, 154, 192, 206, 220 };

struct events {
	struct vft_event ev[MAX_EVENTS];
	size_t n;
	size_t stop_after; /* 0: never stop */
};

static int collect(void *ctx, const struct vft_event *ev)
{
	struct events *e = ctx;

	if (e->n == MAX_EVENTS)
		return -E2BIG;
	e->ev[e->n++] = *ev;
	if (e->stop_after && e->n == e->stop_after)
		return -ECANCELED;
	return 0;
}

static void root_of(char *buf, size_t size, const char *variant)
{
	snprintf(buf, size, "%s/%s", base, variant);
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static int setup(void **state)
{
	const char *tmpdir = access("/dev/shm", W_OK) ? (getenv("TMPDIR") ?: "/tmp") : "/dev/shm";
	const char *top = getenv("VFT_SRCDIR") ?: ".";
	char cmd[1024];
	size_t i;

	snprintf(base, sizeof(base), "%s/vft-inventory-XXXXXX", tmpdir);
	if (!mkdtemp(base))
		return -1;
	for (i = 0; i < sizeof(variants) / sizeof(variants[0]); i++) {
		/* "malformed" starts as a healthy tree; its test breaks it */
		snprintf(cmd, sizeof(cmd), "%s/tests/fixtures/mkfixture.sh %s/%s %s", top, base,
			 variants[i],
			 strcmp(variants[i], "malformed") ? variants[i] : "dgx-b200-healthy");
		if (system(cmd)) {
			/* run from the top of the tree, or set VFT_SRCDIR */
			fprintf(stderr, "failed: %s\n", cmd);
			nftw(base, rm_one, 16, FTW_DEPTH | FTW_PHYS);
			return -1;
		}
	}
	return 0;
}

static int teardown(void **state)
{
	return nftw(base, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* ---- the expected events, built from the documented layout ---- */

static struct vft_event *add(struct events *e, uint32_t kind)
{
	struct vft_event *ev = &e->ev[e->n++];

	assert_true(e->n <= MAX_EVENTS);
	memset(ev, 0, sizeof(*ev));
	ev->kind = kind;
	ev->source = VFT_SRC_INVENTORY;
	return ev;
}

static void set(char *dst, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void set(char *dst, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(dst, size, fmt, ap);
	va_end(ap);
}
#define SET(field, ...) set(field, sizeof(field), __VA_ARGS__)

static uint64_t pf_guid(int i)
{
	return 0xb8cef60300a41000ULL + 0x100ULL * i;
}

static uint64_t vf_guid(int i, int v)
{
	return pf_guid(i) + 0x10ULL * (v + 1);
}

/* One RDMA device as the healthy node has it. */
struct rdma {
	bool present;
	char parent[32];
	char ifname[16];
	uint64_t node_guid, port_guid;
	uint32_t state, lid, sm_lid;
	const char *link_layer;
	uint32_t n_gids, n_rocev2_gids, n_ip_gids;
};

static void rdma_table(struct rdma *r)
{
	int i, v, j;

	memset(r, 0, sizeof(*r) * 48);
	for (i = 0; i < 8; i++) {
		for (v = -1; v < 4; v++) {
			struct rdma *d = &r[v < 0 ? pf_ibdev[i] : 16 + 4 * i + v];

			d->present = true;
			SET(d->parent, "0000:%s:00.%d", buses[i], v + 1);
			if (v < 0)
				SET(d->ifname, "ibp%ds0", pf_dec[i]);
			else
				SET(d->ifname, "ibp%ds0v%d", pf_dec[i], v);
			d->node_guid = v < 0 ? pf_guid(i) : vf_guid(i, v);
			d->port_guid = v < 0 ? pf_guid(i) : vf_guid(i, v) + 1;
			d->state = 4;
			d->lid = 0x19 + 5 * i + (v + 1);
			d->sm_lid = 1;
			d->link_layer = "InfiniBand";
			d->n_gids = 1; /* gids/0: the port's fe80:: GID */
		}
	}
	for (j = 0; j < 4; j++) {
		struct rdma *d = &r[(j < 2 ? 5 : 11) + j % 2];

		d->present = true;
		SET(d->parent, "0000:%s:00.%d", j < 2 ? "29" : "aa", j % 2);
		SET(d->ifname, "enp%ds0f%dnp%d", j < 2 ? 41 : 170, j % 2, j % 2);
		d->node_guid = 0xa088c20300b2c000ULL + 0x10ULL * j;
		d->port_guid = 0xa288c2fffeb2c000ULL + 0x10ULL * j;
		d->state = 4;
		d->link_layer = "Ethernet";
		d->n_gids = 4; /* two RoCE v1, two RoCE v2 */
		d->n_rocev2_gids = 2;
		d->n_ip_gids = 1; /* the RoCE v2 GID of its IPv4 address, not the link-local one */
	}
}

/* The roce variant's Ethernet compute functions: PF 1 (RoCE v2) and PF 2 (v1 only). */
static void rdma_roce(struct rdma *r)
{
	int i, v;

	for (i = 1; i <= 2; i++) {
		for (v = -1; v < 4; v++) {
			struct rdma *d = &r[v < 0 ? pf_ibdev[i] : 16 + 4 * i + v];

			if (v < 0)
				SET(d->ifname, "enp%ds0np0", pf_dec[i]);
			else
				SET(d->ifname, "enp%ds0v%d", pf_dec[i], v);
			/* EUI-64 of b8:ce:f6:a4:1<i>:<v+1>0 */
			d->port_guid = 0xbacef6fffea41000ULL + 0x100ULL * i + 0x10ULL * (v + 1);
			d->lid = 0;
			d->sm_lid = 0;
			d->state = 4;
			d->link_layer = "Ethernet";
			d->n_gids = i == 1 ? 4 : 2;
			d->n_rocev2_gids = i == 1 ? 2 : 0;
			d->n_ip_gids = i == 1 ? 1 : 0;
		}
	}
}

/* NUMA node 0 for the devices of socket 0 (buses below 0x80), else 1. */
static void set_numa(struct vft_event *ev, const char *bus)
{
	ev->has_numa = true;
	ev->numa_node = strtol(bus, NULL, 16) < 0x80 ? 0 : 1;
}

static void expect_pci(struct events *e, const bool *vf_gone)
{
	static const char *const order[] = { "18", "29", "40", "4f", "5e",
					     "9a", "aa", "c0", "ce", "dc" };
	struct vft_event *ev;
	size_t k;
	int i, v, f;

	for (k = 0; k < 10; k++) {
		const char *bus = order[k];

		if (!strcmp(bus, "29") || !strcmp(bus, "aa")) {
			for (f = 0; f < 2; f++) {
				ev = add(e, VFT_EV_DRIVER_BIND);
				SET(ev->device, "0000:%s:00.%d", bus, f);
				SET(ev->driver, "mlx5_core");
				set_numa(ev, bus);
				ev = add(e, VFT_EV_SRIOV_NUMVFS);
				SET(ev->pf, "0000:%s:00.%d", bus, f);
				ev->num_vfs = 0;
			}
			continue;
		}
		for (i = 0; strcmp(buses[i], bus); i++)
			;
		ev = add(e, VFT_EV_DRIVER_BIND);
		SET(ev->device, "0000:%s:00.0", bus);
		SET(ev->driver, "mlx5_core");
		set_numa(ev, bus);
		ev = add(e, VFT_EV_SRIOV_NUMVFS);
		SET(ev->pf, "0000:%s:00.0", bus);
		ev->num_vfs = 4;
		for (v = 0; v < 4; v++) {
			if (vf_gone[i * 4 + v])
				continue;
			ev = add(e, VFT_EV_VF_ADD);
			SET(ev->pf, "0000:%s:00.0", bus);
			SET(ev->device, "0000:%s:00.%d", bus, v + 1);
			ev->vf_index = v;
		}
		for (v = 0; v < 4; v++) {
			if (vf_gone[i * 4 + v])
				continue;
			ev = add(e, VFT_EV_DRIVER_BIND);
			SET(ev->device, "0000:%s:00.%d", bus, v + 1);
			SET(ev->driver, "mlx5_core");
			set_numa(ev, bus);
		}
	}
}

static void expect_rdma(struct events *e, const struct rdma *r)
{
	struct vft_event *ev;
	int n;

	for (n = 0; n < 48; n++) {
		if (!r[n].present)
			continue;
		ev = add(e, VFT_EV_RDMA_REGISTER);
		SET(ev->ibdev, "mlx5_%d", n);
		SET(ev->parent, "%s", r[n].parent);
		SET(ev->ifname, "%s", r[n].ifname);
		ev->node_guid = r[n].node_guid;
		ev = add(e, VFT_EV_RDMA_PORT_STATE);
		SET(ev->ibdev, "mlx5_%d", n);
		SET(ev->parent, "%s", r[n].parent);
		ev->node_guid = r[n].node_guid;
		ev->port = 1;
		ev->port_guid = r[n].port_guid;
		ev->has_port_attrs = true;
		ev->port_state = r[n].state;
		ev->phys_state = 5;
		ev->lid = r[n].lid;
		ev->sm_lid = r[n].sm_lid;
		SET(ev->link_layer, "%s", r[n].link_layer);
		ev->n_gids = r[n].n_gids;
		ev->n_rocev2_gids = r[n].n_rocev2_gids;
		ev->n_ip_gids = r[n].n_ip_gids;
	}
}

/* Compares two event lists field by field, naming the first difference. */
static void assert_events_equal(const struct events *want, const struct events *got)
{
	size_t i, n = want->n < got->n ? want->n : got->n;

	for (i = 0; i < n; i++) {
		const struct vft_event *w = &want->ev[i], *g = &got->ev[i];

		if (w->kind != g->kind || strcmp(w->device, g->device) || strcmp(w->pf, g->pf) ||
		    strcmp(w->ibdev, g->ibdev))
			fail_msg("event %zu: want %s %s%s%s, got %s %s%s%s", i,
				 vft_kind__name(w->kind), w->device, w->pf, w->ibdev,
				 vft_kind__name(g->kind), g->device, g->pf, g->ibdev);
		assert_int_equal(g->source, VFT_SRC_INVENTORY);
		assert_string_equal(g->driver, w->driver);
		assert_int_equal(g->num_vfs, w->num_vfs);
		assert_int_equal(g->vf_index, w->vf_index);
		assert_string_equal(g->parent, w->parent);
		assert_string_equal(g->ifname, w->ifname);
		if (g->node_guid != w->node_guid || g->port_guid != w->port_guid)
			fail_msg("event %zu %s: guids %016llx/%016llx, want %016llx/%016llx", i,
				 g->ibdev, (unsigned long long)g->node_guid,
				 (unsigned long long)g->port_guid, (unsigned long long)w->node_guid,
				 (unsigned long long)w->port_guid);
		assert_int_equal(g->port, w->port);
		assert_int_equal(g->has_port_attrs, w->has_port_attrs);
		assert_int_equal(g->port_state, w->port_state);
		assert_int_equal(g->phys_state, w->phys_state);
		assert_int_equal(g->lid, w->lid);
		assert_int_equal(g->sm_lid, w->sm_lid);
		assert_string_equal(g->link_layer, w->link_layer);
		assert_int_equal(g->n_gids, w->n_gids);
		assert_int_equal(g->n_rocev2_gids, w->n_rocev2_gids);
		assert_int_equal(g->n_ip_gids, w->n_ip_gids);
		assert_int_equal(g->has_numa, w->has_numa);
		assert_int_equal(g->numa_node, w->numa_node);
		/* and nothing else is set: the rest of the event is zero */
		{
			struct vft_event a = *w, b = *g;

			a.ts_ns = b.ts_ns = 0;
			assert_memory_equal(&a, &b, sizeof(a));
		}
	}
	assert_int_equal(got->n, want->n);
}

static struct events got, want;

static void scan(const char *variant)
{
	char root[512];

	root_of(root, sizeof(root), variant);
	memset(&got, 0, sizeof(got));
	assert_int_equal(vft_inventory__scan(root, collect, &got), 0);
}

static size_t count(const struct events *e, uint32_t kind)
{
	size_t i, n = 0;

	for (i = 0; i < e->n; i++)
		n += e->ev[i].kind == kind;
	return n;
}

/* ---- tests ---- */

static void healthy_node(void **state)
{
	bool gone[32] = { false };
	struct rdma r[48];
	struct timespec t0, t1;
	uint64_t lo, hi;
	size_t i;

	clock_gettime(CLOCK_REALTIME, &t0);
	scan("dgx-b200-healthy");
	clock_gettime(CLOCK_REALTIME, &t1);

	/* 8 PFs + 32 VFs + 4 BlueField-3 functions; the GPUs and bridges are not network */
	assert_int_equal(count(&got, VFT_EV_DRIVER_BIND), 44);
	assert_int_equal(count(&got, VFT_EV_SRIOV_NUMVFS), 12);
	assert_int_equal(count(&got, VFT_EV_VF_ADD), 32);
	assert_int_equal(count(&got, VFT_EV_RDMA_REGISTER), 44);
	assert_int_equal(count(&got, VFT_EV_RDMA_PORT_STATE), 44);
	assert_int_equal(got.n, 176);

	lo = (uint64_t)t0.tv_sec * 1000000000ULL + t0.tv_nsec;
	hi = (uint64_t)t1.tv_sec * 1000000000ULL + t1.tv_nsec;
	for (i = 0; i < got.n; i++) {
		assert_true(got.ev[i].ts_ns >= lo && got.ev[i].ts_ns <= hi);
		if (i)
			assert_true(got.ev[i].ts_ns >= got.ev[i - 1].ts_ns);
	}

	/* the first PF, in lifecycle order */
	assert_int_equal(got.ev[0].kind, VFT_EV_DRIVER_BIND);
	assert_string_equal(got.ev[0].device, "0000:18:00.0");
	assert_string_equal(got.ev[0].driver, "mlx5_core");
	assert_int_equal(got.ev[1].kind, VFT_EV_SRIOV_NUMVFS);
	assert_string_equal(got.ev[1].pf, "0000:18:00.0");
	assert_int_equal(got.ev[1].num_vfs, 4);
	assert_int_equal(got.ev[2].kind, VFT_EV_VF_ADD);
	assert_string_equal(got.ev[2].pf, "0000:18:00.0");
	assert_string_equal(got.ev[2].device, "0000:18:00.1");
	assert_int_equal(got.ev[2].vf_index, 0);
	assert_int_equal(got.ev[5].vf_index, 3);
	assert_string_equal(got.ev[5].device, "0000:18:00.4");
	assert_int_equal(got.ev[6].kind, VFT_EV_DRIVER_BIND);
	assert_string_equal(got.ev[6].device, "0000:18:00.1");

	/* a VF's RDMA device: PF 7, VF 3 */
	for (i = 0; i < got.n; i++)
		if (got.ev[i].kind == VFT_EV_RDMA_REGISTER && !strcmp(got.ev[i].ibdev, "mlx5_47"))
			break;
	assert_true(i + 1 < got.n);
	assert_string_equal(got.ev[i].parent, "0000:dc:00.4");
	assert_string_equal(got.ev[i].ifname, "ibp220s0v3");
	assert_true(got.ev[i].node_guid == 0xb8cef60300a41740ULL);
	assert_int_equal(got.ev[i + 1].kind, VFT_EV_RDMA_PORT_STATE);
	assert_int_equal(got.ev[i + 1].lid, 0x19 + 35 + 4);
	assert_int_equal(got.ev[i + 1].sm_lid, 1);
	assert_true(got.ev[i + 1].port_guid == 0xb8cef60300a41741ULL);

	/* and every other event, exactly */
	memset(&want, 0, sizeof(want));
	rdma_table(r);
	expect_pci(&want, gone);
	expect_rdma(&want, r);
	assert_events_equal(&want, &got);
}

static void reads_facts(void **state)
{
	struct vft_port_attrs p;
	struct vft_pci_attrs a;
	struct vft_rdma_attrs d;
	char root[512];

	root_of(root, sizeof(root), "dgx-b200-healthy");
	assert_int_equal(vft_inventory__read_port(root, "mlx5_4", 1, &p), 0);
	assert_int_equal(p.state, 4);
	assert_int_equal(p.phys_state, 5);
	assert_int_equal(p.lid, 0x19);
	assert_int_equal(p.sm_lid, 1);
	assert_true(p.port_guid == 0xb8cef60300a41000ULL);
	assert_string_equal(p.link_layer, "InfiniBand");
	assert_string_equal(p.rate, "400 Gb/sec (4X NDR)");
	assert_int_equal(p.n_gids, 1);
	assert_int_equal(p.n_rocev2_gids, 0);
	assert_int_equal(p.n_ip_gids, 0);

	/* a BlueField-3 port: Ethernet, two RoCE v2 GIDs of four */
	assert_int_equal(vft_inventory__read_port(root, "mlx5_12", 1, &p), 0);
	assert_string_equal(p.link_layer, "Ethernet");
	assert_string_equal(p.rate, "200 Gb/sec (4X HDR)");
	assert_int_equal(p.lid, 0);
	assert_int_equal(p.sm_lid, 0);
	assert_int_equal(p.n_gids, 4);
	assert_int_equal(p.n_rocev2_gids, 2);
	assert_int_equal(p.n_ip_gids, 1);
	assert_true(p.port_guid == 0xa288c2fffeb2c030ULL);

	assert_int_equal(vft_inventory__read_port(root, "mlx5_4", 2, &p), -ENOENT);
	assert_int_equal(vft_inventory__read_port(root, "mlx5_0", 1, &p), -ENOENT);
	assert_int_equal(vft_inventory__read_port(root, "../mlx5_4", 1, &p), -EINVAL);
	assert_int_equal(vft_inventory__read_port(root, "..", 1, &p), -EINVAL);

	assert_int_equal(vft_inventory__read_pci(root, "0000:18:00.0", &a), 0);
	assert_int_equal(a.class_code, 0x020700);
	assert_int_equal(a.numa_node, 0);
	assert_string_equal(a.driver, "mlx5_core");
	assert_string_equal(a.physfn, "");
	assert_true(a.has_sriov);
	assert_int_equal(a.sriov_numvfs, 4);
	assert_int_equal(a.sriov_totalvfs, 16);
	assert_string_equal(a.ifname, "ibp24s0");
	assert_string_equal(a.ibdev, "mlx5_4");

	assert_int_equal(vft_inventory__read_pci(root, "0000:dc:00.4", &a), 0);
	assert_int_equal(a.numa_node, 1);
	assert_string_equal(a.physfn, "0000:dc:00.0");
	assert_false(a.has_sriov);
	assert_string_equal(a.ifname, "ibp220s0v3");
	assert_string_equal(a.ibdev, "mlx5_47");

	assert_int_equal(vft_inventory__read_pci(root, "0000:df:00.0", &a), 0);
	assert_int_equal(a.class_code, 0x030200);
	assert_string_equal(a.driver, "nvidia");
	assert_int_equal(a.numa_node, 1);
	assert_string_equal(a.ibdev, "");

	assert_int_equal(vft_inventory__read_pci(root, "0000:aa:00.1", &a), 0);
	assert_true(a.has_sriov);
	assert_int_equal(a.sriov_numvfs, 0);
	assert_string_equal(a.ifname, "enp170s0f1np1");

	assert_int_equal(vft_inventory__read_pci(root, "0000:01:00.0", &a), -ENOENT);
	assert_int_equal(a.numa_node, -1);
	assert_int_equal(vft_inventory__read_pci(root, "0000:18:00.0/..", &a), -EINVAL);

	assert_int_equal(vft_inventory__read_rdma(root, "mlx5_16", &d), 0);
	assert_true(d.has_node_guid);
	assert_true(d.node_guid == 0xb8cef60300a41010ULL);
	assert_string_equal(d.parent, "0000:18:00.1");
	assert_string_equal(d.ifname, "ibp24s0v0");
	assert_int_equal(d.n_ports, 1);
	/* Ethernet: the netdev of GID 0 */
	assert_int_equal(vft_inventory__read_rdma(root, "mlx5_6", &d), 0);
	assert_string_equal(d.ifname, "enp41s0f1np1");
	assert_int_equal(vft_inventory__read_rdma(root, "mlx5_3", &d), -ENOENT);
}

/* Runs a defect variant and compares it with the healthy expectation, changed by @edit. */
static void check_variant(const char *variant, void (*edit)(struct rdma *r, bool *gone))
{
	bool gone[32] = { false };
	struct rdma r[48];

	rdma_table(r);
	edit(r, gone);
	memset(&want, 0, sizeof(want));
	expect_pci(&want, gone);
	expect_rdma(&want, r);
	scan(variant);
	assert_events_equal(&want, &got);
}

static struct vft_event *find(const char *ibdev, uint32_t kind)
{
	size_t i;

	for (i = 0; i < got.n; i++)
		if (got.ev[i].kind == kind && !strcmp(got.ev[i].ibdev, ibdev))
			return &got.ev[i];
	return NULL;
}

static void edit_zero_guid(struct rdma *r, bool *gone)
{
	r[33].node_guid = 0;
	r[33].port_guid = 0;
	r[33].state = 2;
	r[33].lid = 0;
}

static void zero_guid(void **state)
{
	struct vft_event *ev;

	check_variant("zero-guid", edit_zero_guid);
	ev = find("mlx5_33", VFT_EV_RDMA_PORT_STATE);
	assert_non_null(ev);
	assert_string_equal(ev->parent, "0000:9a:00.2");
	assert_true(ev->node_guid == 0 && ev->port_guid == 0);
	assert_int_equal(ev->port_state, 2);
	assert_int_equal(ev->lid, 0);
	assert_int_equal(ev->sm_lid, 1);
	assert_true(find("mlx5_33", VFT_EV_RDMA_REGISTER)->node_guid == 0);
}

static void edit_lid0(struct rdma *r, bool *gone)
{
	r[36].state = 2;
	r[36].lid = 0;
}

static void lid0_sm_present(void **state)
{
	struct vft_event *ev;

	check_variant("lid0-sm-present", edit_lid0);
	ev = find("mlx5_36", VFT_EV_RDMA_PORT_STATE);
	assert_non_null(ev);
	assert_string_equal(ev->parent, "0000:c0:00.1");
	assert_int_equal(ev->port_state, 2);
	assert_int_equal(ev->phys_state, 5);
	assert_int_equal(ev->lid, 0);
	assert_int_equal(ev->sm_lid, 1);
	assert_true(ev->node_guid == vf_guid(5, 0));
}

static void edit_no_sm(struct rdma *r, bool *gone)
{
	int i;

	for (i = 0; i < 48; i++) {
		if (r[i].present && !strcmp(r[i].link_layer, "InfiniBand")) {
			r[i].state = 2;
			r[i].lid = 0;
			r[i].sm_lid = 0;
		}
	}
}

static void no_sm(void **state)
{
	size_t i, init = 0;

	check_variant("no-sm", edit_no_sm);
	for (i = 0; i < got.n; i++)
		init += got.ev[i].kind == VFT_EV_RDMA_PORT_STATE && got.ev[i].port_state == 2 &&
			got.ev[i].sm_lid == 0 && got.ev[i].lid == 0;
	assert_int_equal(init, 40); /* every InfiniBand port; the 4 Ethernet ones stay ACTIVE */
}

static void edit_no_rdma(struct rdma *r, bool *gone)
{
	r[18].present = false;
}

static void no_rdma_dev(void **state)
{
	struct vft_pci_attrs a;
	char root[512];

	check_variant("no-rdma-dev", edit_no_rdma);
	assert_int_equal(count(&got, VFT_EV_RDMA_REGISTER), 43);
	assert_int_equal(count(&got, VFT_EV_DRIVER_BIND), 44);
	assert_null(find("mlx5_18", VFT_EV_RDMA_REGISTER));
	root_of(root, sizeof(root), "no-rdma-dev");
	assert_int_equal(vft_inventory__read_pci(root, "0000:18:00.3", &a), 0);
	assert_string_equal(a.physfn, "0000:18:00.0");
	assert_string_equal(a.driver, "mlx5_core");
	assert_string_equal(a.ifname, "ibp24s0v2");
	assert_string_equal(a.ibdev, "");
}

static void edit_mismatch(struct rdma *r, bool *gone)
{
	gone[3 * 4 + 3] = true;
	r[31].present = false;
}

static void pf_vf_mismatch(void **state)
{
	size_t i, vfs = 0;
	uint32_t numvfs = 0;

	check_variant("pf-vf-mismatch", edit_mismatch);
	for (i = 0; i < got.n; i++) {
		if (got.ev[i].kind == VFT_EV_SRIOV_NUMVFS && !strcmp(got.ev[i].pf, "0000:5e:00.0"))
			numvfs = got.ev[i].num_vfs;
		if (got.ev[i].kind == VFT_EV_VF_ADD && !strcmp(got.ev[i].pf, "0000:5e:00.0"))
			vfs++;
	}
	assert_int_equal(numvfs, 4);
	assert_int_equal(vfs, 3);
	assert_int_equal(got.n, 176 - 4); /* vf_add, driver_bind, rdma_register, port_state */
}

static void edit_roce(struct rdma *r, bool *gone)
{
	rdma_roce(r);
}

static void roce(void **state)
{
	struct vft_port_attrs p;
	char root[512];

	check_variant("roce", edit_roce);
	root_of(root, sizeof(root), "roce");
	/* PF 1 and a VF of it: RoCE v2 */
	assert_int_equal(vft_inventory__read_port(root, "mlx5_7", 1, &p), 0);
	assert_string_equal(p.link_layer, "Ethernet");
	assert_int_equal(p.n_gids, 4);
	assert_int_equal(p.n_rocev2_gids, 2);
	assert_int_equal(p.n_ip_gids, 1);
	assert_true(p.port_guid == 0xbacef6fffea41100ULL);
	assert_int_equal(vft_inventory__read_port(root, "mlx5_21", 1, &p), 0);
	assert_int_equal(p.n_gids, 4);
	assert_int_equal(p.n_rocev2_gids, 2);
	assert_int_equal(p.n_ip_gids, 1);
	/* PF 2 and a VF of it: RoCE v1 GIDs only */
	assert_int_equal(vft_inventory__read_port(root, "mlx5_8", 1, &p), 0);
	assert_string_equal(p.link_layer, "Ethernet");
	assert_int_equal(p.n_gids, 2);
	assert_int_equal(p.n_rocev2_gids, 0);
	assert_int_equal(p.n_ip_gids, 0);
	assert_int_equal(vft_inventory__read_port(root, "mlx5_27", 1, &p), 0);
	assert_int_equal(p.n_gids, 2);
	assert_int_equal(p.n_rocev2_gids, 0);
	assert_int_equal(p.n_ip_gids, 0);
	/* the InfiniBand ones are unchanged */
	assert_int_equal(vft_inventory__read_port(root, "mlx5_9", 1, &p), 0);
	assert_string_equal(p.link_layer, "InfiniBand");
	assert_int_equal(p.n_rocev2_gids, 0);
	assert_int_equal(p.n_ip_gids, 0);
}

/* Writes @data over the file <malformed root>/<rel> (following links). */
static void clobber(const char *rel, const void *data, size_t len)
{
	char path[1024];
	int fd;

	snprintf(path, sizeof(path), "%s/malformed%s", base, rel);
	fd = open(path, O_WRONLY | O_TRUNC);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
}

static void drop(const char *rel)
{
	char path[1024];

	snprintf(path, sizeof(path), "%s/malformed%s", base, rel);
	assert_int_equal(unlink(path), 0);
}

#define IBP "/sys/class/infiniband/"
#define PCI "/sys/bus/pci/devices/"

static void malformed_files(void **state)
{
	struct vft_port_attrs p;
	struct vft_rdma_attrs d;
	struct vft_pci_attrs a;
	struct vft_event *ev;
	char root[512], big[6000], path[1024];
	size_t i;

	root_of(root, sizeof(root), "malformed");
	clobber(IBP "mlx5_4/ports/1/state", "", 0);
	clobber(IBP "mlx5_5/ports/1/lid", "garbage\n", 8);
	drop(IBP "mlx5_6/ports/1/sm_lid");
	clobber(IBP "mlx5_7/ports/1/link_layer", "\n", 1);
	clobber(IBP "mlx5_8/node_guid", "zzzz:zzzz:zzzz:zzzz\n", 20);
	clobber(IBP "mlx5_9/ports/1/gids/0", "fe80::1\n", 8);
	clobber(IBP "mlx5_13/ports/1/rate", "400\0Gb\n", 7);
	memset(big, '4', sizeof(big));
	clobber(IBP "mlx5_14/ports/1/state", big, sizeof(big));
	clobber(PCI "0000:40:00.0/class", "network\n", 8);
	clobber(PCI "0000:4f:00.0/sriov_numvfs", "four\n", 5);
	drop(PCI "0000:5e:00.0/virtfn1");
	drop(PCI "0000:5e:00.0/virtfn2");
	snprintf(path, sizeof(path), "%s/malformed" PCI "0000:5e:00.0/virtfn2", base);
	assert_int_equal(mknod(path, S_IFREG | 0644, 0), 0); /* a file, not a link */
	snprintf(path, sizeof(path), "%s/malformed" IBP "mlx5_10/ports/abc", base);
	assert_int_equal(mkdir(path, 0755), 0);

	assert_int_equal(vft_inventory__read_port(root, "mlx5_4", 1, &p), -EINVAL);
	assert_int_equal(p.state, 0);
	assert_int_equal(p.lid, 0x19); /* what could be read still is */
	assert_string_equal(p.link_layer, "InfiniBand");
	assert_int_equal(vft_inventory__read_port(root, "mlx5_5", 1, &p), -EINVAL);
	assert_int_equal(vft_inventory__read_port(root, "mlx5_6", 1, &p), -ENOENT);
	assert_int_equal(vft_inventory__read_port(root, "mlx5_7", 1, &p), -EINVAL);
	assert_int_equal(vft_inventory__read_port(root, "mlx5_9", 1, &p), 0);
	assert_int_equal(p.n_gids, 0);
	assert_true(p.port_guid == 0);
	assert_int_equal(vft_inventory__read_port(root, "mlx5_13", 1, &p), 0);
	assert_string_equal(p.rate, "");
	assert_int_equal(vft_inventory__read_port(root, "mlx5_14", 1, &p), -EOVERFLOW);
	assert_int_equal(vft_inventory__read_rdma(root, "mlx5_8", &d), 0);
	assert_false(d.has_node_guid);
	assert_true(d.node_guid == 0);
	assert_int_equal(d.n_ports, 1);
	assert_int_equal(vft_inventory__read_pci(root, "0000:40:00.0", &a), -EINVAL);
	assert_int_equal(vft_inventory__read_pci(root, "0000:4f:00.0", &a), 0);
	assert_false(a.has_sriov);

	memset(&got, 0, sizeof(got));
	assert_int_equal(vft_inventory__scan(root, collect, &got), 0);
	/* 40:00.0 skipped (no driver_bind, sriov_numvfs, 4 vf_add); 4f:00.0 without SR-IOV
	 * (no sriov_numvfs, 4 vf_add); 5e:00.0 without virtfn1 and virtfn2 (2 vf_add);
	 * mlx5_10's "abc" is not a port. */
	assert_int_equal(count(&got, VFT_EV_DRIVER_BIND), 43);
	assert_int_equal(count(&got, VFT_EV_SRIOV_NUMVFS), 10);
	assert_int_equal(count(&got, VFT_EV_VF_ADD), 32 - 4 - 4 - 2);
	assert_int_equal(count(&got, VFT_EV_RDMA_REGISTER), 44);
	assert_int_equal(count(&got, VFT_EV_RDMA_PORT_STATE), 44);
	for (i = 0; i < got.n; i++) {
		ev = &got.ev[i];
		if (ev->kind != VFT_EV_RDMA_PORT_STATE)
			continue;
		if (!strcmp(ev->ibdev, "mlx5_4") || !strcmp(ev->ibdev, "mlx5_5") ||
		    !strcmp(ev->ibdev, "mlx5_6") || !strcmp(ev->ibdev, "mlx5_7") ||
		    !strcmp(ev->ibdev, "mlx5_14")) {
			assert_false(ev->has_port_attrs);
			assert_int_equal(ev->port_state, 0);
			assert_int_equal(ev->lid, 0);
			assert_string_equal(ev->link_layer, "");
		} else {
			assert_true(ev->has_port_attrs);
		}
	}
	ev = find("mlx5_4", VFT_EV_RDMA_PORT_STATE);
	assert_true(ev->port_guid == pf_guid(0)); /* best effort survives */
	ev = find("mlx5_8", VFT_EV_RDMA_REGISTER);
	assert_true(ev->node_guid == 0);
	assert_string_equal(ev->parent, "0000:4f:00.0");
	for (i = 0; i < got.n; i++)
		assert_true(strcmp(got.ev[i].device, "0000:40:00.0") &&
			    strcmp(got.ev[i].pf, "0000:40:00.0") &&
			    strcmp(got.ev[i].pf, "0000:4f:00.0"));
}

static void empty_and_partial_roots(void **state)
{
	char root[512], path[1024];

	/* nothing at all */
	snprintf(root, sizeof(root), "%s/empty", base);
	assert_int_equal(mkdir(root, 0755), 0);
	memset(&got, 0, sizeof(got));
	assert_int_equal(vft_inventory__scan(root, collect, &got), 0);
	assert_int_equal(got.n, 0);
	/* PCI but no RDMA core */
	snprintf(path, sizeof(path), "%s/sys", root);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/sys/bus", root);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/dgx-b200-healthy/sys/bus/pci", base);
	snprintf(root, sizeof(root), "%s/empty/sys/bus/pci", base);
	assert_int_equal(symlink(path, root), 0);
	snprintf(root, sizeof(root), "%s/empty", base);
	memset(&got, 0, sizeof(got));
	assert_int_equal(vft_inventory__scan(root, collect, &got), 0);
	assert_int_equal(got.n, 44 + 12 + 32);
	assert_int_equal(count(&got, VFT_EV_RDMA_REGISTER), 0);
}

static void callback_stops_the_scan(void **state)
{
	char root[512];

	root_of(root, sizeof(root), "dgx-b200-healthy");
	memset(&got, 0, sizeof(got));
	got.stop_after = 3;
	assert_int_equal(vft_inventory__scan(root, collect, &got), -ECANCELED);
	assert_int_equal(got.n, 3);
	memset(&got, 0, sizeof(got));
	got.stop_after = 100; /* inside the RDMA half */
	assert_int_equal(vft_inventory__scan(root, collect, &got), -ECANCELED);
	assert_int_equal(got.n, 100);
}

static void live_system(void **state)
{
	size_t i;

	memset(&got, 0, sizeof(got));
	assert_int_equal(vft_inventory__scan(NULL, collect, &got), 0);
	for (i = 0; i < got.n; i++) {
		assert_int_equal(got.ev[i].source, VFT_SRC_INVENTORY);
		switch (got.ev[i].kind) {
		case VFT_EV_DRIVER_BIND:
			assert_true(got.ev[i].device[0] && got.ev[i].driver[0]);
			break;
		case VFT_EV_SRIOV_NUMVFS:
		case VFT_EV_VF_ADD:
			assert_true(got.ev[i].pf[0]);
			break;
		case VFT_EV_RDMA_REGISTER:
		case VFT_EV_RDMA_PORT_STATE:
			assert_true(got.ev[i].ibdev[0]);
			break;
		default:
			fail_msg("unexpected kind %u", got.ev[i].kind);
		}
	}
	print_message("live: %zu inventory events\n", got.n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(healthy_node),
		cmocka_unit_test(reads_facts),
		cmocka_unit_test(zero_guid),
		cmocka_unit_test(lid0_sm_present),
		cmocka_unit_test(no_sm),
		cmocka_unit_test(no_rdma_dev),
		cmocka_unit_test(pf_vf_mismatch),
		cmocka_unit_test(roce),
		cmocka_unit_test(malformed_files),
		cmocka_unit_test(empty_and_partial_roots),
		cmocka_unit_test(callback_stops_the_scan),
		cmocka_unit_test(live_system),
	};

	return cmocka_run_group_tests_name("inventory", tests, setup, teardown);
}
