// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_findings.c - the pipeline from a node's sysfs and /proc to findings, on
 * the fixture trees of tests/fixtures/mkfixture.sh: the start-up inventory,
 * the netns map's pod attribution, a pod start for every VF (moved into one
 * of the fixture's three pod netns, up, with an address), and the end of the
 * grace period as watch does it (vft_enrich__grace_end re-reading the port
 * from <root>/sys). The healthy node raises nothing; each variant raises
 * exactly the findings of its one defect.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "correlate/correlate.h"
#include "enrich/enrich.h"
#include "fixture.h"
#include "sources/inventory.h"
#include "enrich/netns.h"

#define HOST_NS 4026531840u
#define SEC 1000000000ULL

static const uint32_t pod_ns[3] = { 4026532301u, 4026532302u, 4026532303u };
static const char *const pod_uid[3] = { "0e5c2a7d-6f4b-4c3e-9a1d-2b7e8f9c0d11",
					"5b1f3c8e-2d4a-4f6b-8c9d-0a1b2c3d4e5f",
					"9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a" };

struct found {
	char key[VFT_KEY_LEN];
	uint32_t code;
	char pod[40];
};

struct run {
	char base[256], root[512];
	struct vft_corr *c;
	struct vft_netns_map *map;
	uint64_t now;
	struct found f[128];
	size_t n;
};

static int on_finding(void *ctx, const struct vft_finding *f)
{
	struct run *r = ctx;

	assert_true(r->n < 128);
	snprintf(r->f[r->n].key, sizeof(r->f[r->n].key), "%s", f->vf.key);
	snprintf(r->f[r->n].pod, sizeof(r->f[r->n].pod), "%s", f->vf.pod_uid);
	r->f[r->n++].code = f->code;
	return 0;
}

static int feed(void *ctx, const struct vft_event *ev)
{
	struct run *r = ctx;

	return vft_corr__feed(r->c, ev);
}

/* The grace period ends as on a live node: the port re-read inside the VF's netns. */
static bool grace_live;

static int grace_end(void *ctx, const struct vft_vf *vf)
{
	struct run *r = ctx;

	return vft_enrich__grace_end(grace_live ? NULL : r->root, r->map, vf, r->now, feed, r);
}

static struct vft_event dev_ev(struct run *r, uint32_t kind, const char *bdf, const char *ifname,
			       int32_t ifindex, uint32_t netns)
{
	struct vft_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.kind = kind;
	ev.source = VFT_SRC_FENTRY;
	ev.ts_ns = r->now;
	snprintf(ev.parent, sizeof(ev.parent), "%s", bdf);
	snprintf(ev.ifname, sizeof(ev.ifname), "%s", ifname);
	ev.ifindex = ifindex;
	ev.netns = netns;
	ev.has_actor = true;
	ev.actor.pid = 4242;
	snprintf(ev.actor.comm, sizeof(ev.actor.comm), "sriov");
	return ev;
}

/* Everything up to the end of the grace period for every VF of @variant. */
static void run_variant(struct run *r, const char *variant, size_t *n_vfs)
{
	static const struct vft_corr_ops ops = { .finding = on_finding };
	struct vft_corr_opts opts = { .grace_ns = 10 * SEC };
	struct vft_event ev;
	struct vft_pci_attrs pa;
	size_t i, n, moved = 0;
	int k;

	memset(r, 0, sizeof(*r));
	r->now = 1764355200 * SEC;
	assert_int_equal(fixture_make(variant, r->base, sizeof(r->base), r->root, sizeof(r->root)),
			 0);
	assert_int_equal(vft_corr__new(&opts, &ops, r, &r->c), 0);
	assert_int_equal(vft_netns_map__new(r->root, &r->map), 0);
	assert_int_equal(vft_netns_map__host(r->map), HOST_NS);

	/* what watch does first: the host netns, then the inventory */
	vft_enrich__netns_info(r->map, HOST_NS, true, r->now, &ev);
	assert_int_equal(feed(r, &ev), 0);
	assert_int_equal(vft_inventory__scan(r->root, feed, r), 0);
	for (k = 0; k < 3; k++) {
		vft_enrich__netns_info(r->map, pod_ns[k], false, r->now, &ev);
		assert_string_equal(ev.pod_uid, pod_uid[k]);
		assert_int_equal(feed(r, &ev), 0);
	}

	/* every VF: its netdev in the host, then the CNI moves it into a pod, up, addressed */
	n = vft_corr__n_vfs(r->c);
	for (i = 0; i < n; i++) {
		const struct vft_vf *vf = vft_corr__vf(r->c, i);
		char bdf[VFT_KEY_LEN];
		uint32_t to = pod_ns[moved % 3];
		int32_t ifindex = 100 + (int32_t)i;

		if (!vf->pf[0])
			continue;
		snprintf(bdf, sizeof(bdf), "%s", vf->ref.key);
		assert_int_equal(vft_inventory__read_pci(r->root, bdf, &pa), 0);
		r->now += SEC / 100;
		ev = dev_ev(r, VFT_EV_NETDEV_REGISTER, bdf, pa.ifname, ifindex, HOST_NS);
		assert_int_equal(feed(r, &ev), 0);
		ev = dev_ev(r, VFT_EV_NETNS_MOVE, bdf, pa.ifname, ifindex, to);
		ev.from_netns = HOST_NS;
		ev.to_netns = to;
		ev.new_ifindex = ifindex;
		snprintf(ev.new_ifname, sizeof(ev.new_ifname), "net1");
		ev.has_ret = true;
		assert_int_equal(feed(r, &ev), 0);
		ev = dev_ev(r, VFT_EV_LINK_CHANGE, bdf, "net1", ifindex, to);
		ev.old_flags = 0x1002;
		ev.flags = 0x1003;
		assert_int_equal(feed(r, &ev), 0);
		ev = dev_ev(r, VFT_EV_ADDR_ADD, bdf, "net1", ifindex, to);
		ev.family = 2;
		ev.prefixlen = 16;
		ev.addr[0] = 10;
		ev.addr[1] = 56;
		ev.addr[3] = (uint8_t)(moved + 1);
		assert_int_equal(feed(r, &ev), 0);
		moved++;
	}
	*n_vfs = moved;
	/* nothing before the grace period ends */
	assert_int_equal(r->n, 0);
	r->now += 10 * SEC;
	assert_int_equal(vft_corr__take_due(r->c, r->now, grace_end, r), 0);
	assert_int_equal(vft_corr__next_due(r->c), UINT64_MAX);
}

static void done(struct run *r)
{
	vft_corr__free(r->c);
	vft_netns_map__free(r->map);
	fixture_remove(r->base);
}

static size_t count(const struct run *r, uint32_t code, const char *key)
{
	size_t i, n = 0;

	for (i = 0; i < r->n; i++)
		n += r->f[i].code == code && (!key || !strcmp(r->f[i].key, key));
	return n;
}

static void healthy_node_raises_nothing(void **state)
{
	struct run r;
	size_t vfs;

	run_variant(&r, "dgx-b200-healthy", &vfs);
	assert_int_equal(vfs, 32);
	assert_int_equal(r.n, 0);
	done(&r);
}

/*
 * Live, every pod's netns has gone when the grace period ends (the paths
 * the netns map has for them lead nowhere, as a pod's do once its last
 * process exited): that proves nothing about the RDMA devices, so no
 * RDMA_NETNS_MISMATCH (nor anything else) is raised.
 */
static void netns_gone_at_the_grace_end_is_no_mismatch(void **state)
{
	struct run r;
	size_t vfs;

	grace_live = true;
	run_variant(&r, "dgx-b200-healthy", &vfs);
	grace_live = false;
	assert_int_equal(vfs, 32);
	assert_int_equal(count(&r, VFT_F_RDMA_NETNS_MISMATCH, NULL), 0);
	assert_int_equal(r.n, 0);
	done(&r);
}

static void zero_guid(void **state)
{
	struct run r;
	size_t vfs;

	run_variant(&r, "zero-guid", &vfs);
	assert_int_equal(count(&r, VFT_F_GUID_ZERO, "0000:9a:00.2"), 1);
	assert_int_equal(count(&r, VFT_F_LID_MISSING, "0000:9a:00.2"), 1);
	assert_int_equal(r.n, 2);
	/* attributed to the pod whose netns it was moved into */
	assert_true(r.f[0].pod[0]);
	done(&r);
}

static void lid0_with_sm_present(void **state)
{
	struct run r;
	size_t vfs;

	run_variant(&r, "lid0-sm-present", &vfs);
	assert_int_equal(count(&r, VFT_F_LID_MISSING, "0000:c0:00.1"), 1);
	assert_int_equal(r.n, 1);
	done(&r);
}

static void no_subnet_manager(void **state)
{
	struct run r;
	size_t vfs;

	run_variant(&r, "no-sm", &vfs);
	assert_int_equal(vfs, 32);
	assert_int_equal(count(&r, VFT_F_LID_MISSING, NULL), 32);
	assert_int_equal(count(&r, VFT_F_SM_UNREACHABLE, NULL), 32);
	assert_int_equal(r.n, 64);
	done(&r);
}

static void no_rdma_device(void **state)
{
	struct run r;
	size_t vfs;

	run_variant(&r, "no-rdma-dev", &vfs);
	assert_int_equal(count(&r, VFT_F_RDMA_DEVICE_MISSING, "0000:18:00.3"), 1);
	assert_int_equal(r.n, 1);
	done(&r);
}

static void removed_vf_is_not_a_finding(void **state)
{
	struct run r;
	size_t vfs;

	run_variant(&r, "pf-vf-mismatch", &vfs);
	assert_int_equal(vfs, 31);
	assert_int_equal(r.n, 0);
	done(&r);
}

static void roce_without_rocev2_gids(void **state)
{
	struct run r;
	size_t vfs, v;
	char key[16];

	run_variant(&r, "roce", &vfs);
	/* PF 2's VFs have RoCE v1 GIDs only; PF 1's have RoCE v2; never LID_MISSING */
	for (v = 1; v <= 4; v++) {
		snprintf(key, sizeof(key), "0000:4f:00.%zu", v);
		assert_int_equal(count(&r, VFT_F_GID_MISSING, key), 1);
	}
	assert_int_equal(count(&r, VFT_F_LID_MISSING, NULL), 0);
	assert_int_equal(r.n, 4);
	done(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(healthy_node_raises_nothing),
		cmocka_unit_test(netns_gone_at_the_grace_end_is_no_mismatch),
		cmocka_unit_test(zero_guid),
		cmocka_unit_test(lid0_with_sm_present),
		cmocka_unit_test(no_subnet_manager),
		cmocka_unit_test(no_rdma_device),
		cmocka_unit_test(removed_vf_is_not_a_finding),
		cmocka_unit_test(roce_without_rocev2_gids),
	};

	return cmocka_run_group_tests_name("findings", tests, NULL, NULL);
}
