// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_port_rules.c - the facts about an RDMA port that watch's findings
 * and check's verdicts share (user/correlate/port_rules.h), one table row
 * per port: the LID edges (0, 0xffff), zero GUIDs, the link layers, the
 * states; and the verdicts made of them, the one rule of each port finding
 * and check column. How each caller words them is asserted in
 * test_correlate.c and test_check.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include "correlate/port_rules.h"

#define NODE_GUID 0xb8cef60300a41010ULL
#define PORT_GUID 0xb8cef60300a41011ULL

static void lid_usable_edges(void **state)
{
	static const struct {
		uint32_t lid;
		bool usable;
	} rows[] = {
		{ 0, false },	   /* none assigned yet */
		{ 0x1, true },	   /* the first unicast LID */
		{ 0x1a, true },	   /* an ordinary one */
		{ 0xbfff, true },  /* the last unicast LID */
		{ 0xfffe, true },  /* not 0 and not permissive: usable by this rule */
		{ 0xffff, false }, /* the permissive LID */
	};
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		if (vft_lid__usable(rows[i].lid) != rows[i].usable)
			fail_msg("LID 0x%x: usable %d, want %d", rows[i].lid, !rows[i].usable,
				 rows[i].usable);
	}
}

/*
 * A port as the correlator's record holds it, and the predicates that hold
 * for it (those not named are false).
 */
struct port_row {
	const char *what;
	const char *link_layer;
	uint32_t state, lid, sm_lid, n_ip_gids;
	uint64_t node_guid, port_guid;
	bool ib, roce, active, has_lid, has_sm, port_guid_zero, node_guid_zero, has_ip_gid;
};

#define IB .link_layer = "InfiniBand", .ib = true
#define ROCE .link_layer = "Ethernet", .roce = true
#define ACTIVE .state = 4, .active = true
#define GUIDS .node_guid = NODE_GUID, .port_guid = PORT_GUID

static const struct port_row ports[] = {
	{ "IB ready", IB, ACTIVE, GUIDS, .lid = 0x1a, .has_lid = true, .sm_lid = 0x1,
	  .has_sm = true },
	{ "IB INIT, no LID, no SM yet", IB, .state = 2, GUIDS },
	{ "IB permissive LID", IB, ACTIVE, GUIDS, .lid = 0xffff, .sm_lid = 0x1, .has_sm = true },
	{ "IB permissive SM LID", IB, ACTIVE, GUIDS, .lid = 0x1a, .has_lid = true,
	  .sm_lid = 0xffff },
	{ "IB ARMED with a LID", IB, .state = 3, GUIDS, .lid = 0x1a, .has_lid = true, .sm_lid = 0x1,
	  .has_sm = true },
	{ "IB zero port GUID", IB, ACTIVE, .node_guid = NODE_GUID, .port_guid_zero = true,
	  .lid = 0x1a, .has_lid = true, .sm_lid = 0x1, .has_sm = true },
	{ "IB zero node GUID", IB, ACTIVE, .port_guid = PORT_GUID, .node_guid_zero = true,
	  .lid = 0x1a, .has_lid = true, .sm_lid = 0x1, .has_sm = true },
	{ "IB both GUIDs zero", IB, ACTIVE, .port_guid_zero = true, .node_guid_zero = true,
	  .lid = 0x1a, .has_lid = true, .sm_lid = 0x1, .has_sm = true },
	{ "RoCE with IP GIDs", ROCE, ACTIVE, GUIDS, .n_ip_gids = 2, .has_ip_gid = true },
	{ "RoCE without an IP GID", ROCE, ACTIVE, GUIDS },
	{ "RoCE with a LID field", ROCE, ACTIVE, GUIDS, .lid = 0x1a, .has_lid = true },
	{ "no link layer", .link_layer = "", .port_guid_zero = true, .node_guid_zero = true },
	{ "link layer matched exactly", .link_layer = "infiniband", ACTIVE, GUIDS, .lid = 0x1a,
	  .has_lid = true, .sm_lid = 0x1, .has_sm = true },
};

static void expect(const char *what, const char *pred, bool got, bool want)
{
	if (got != want)
		fail_msg("%s: %s is %d, want %d", what, pred, got, want);
}

static void port_predicates(void **state)
{
	struct vft_vf vf;
	size_t i;

	for (i = 0; i < sizeof(ports) / sizeof(ports[0]); i++) {
		const struct port_row *p = &ports[i];

		memset(&vf, 0, sizeof(vf));
		vf.has_port = true;
		snprintf(vf.link_layer, sizeof(vf.link_layer), "%s", p->link_layer);
		vf.port_state = p->state;
		vf.lid = p->lid;
		vf.sm_lid = p->sm_lid;
		vf.n_ip_gids = p->n_ip_gids;
		vf.node_guid = p->node_guid;
		vf.port_guid = p->port_guid;
		expect(p->what, "is_ib", vft_port__is_ib(&vf), p->ib);
		expect(p->what, "is_roce", vft_port__is_roce(&vf), p->roce);
		expect(p->what, "active", vft_port__active(&vf), p->active);
		expect(p->what, "has_lid", vft_port__has_lid(&vf), p->has_lid);
		expect(p->what, "has_sm", vft_port__has_sm(&vf), p->has_sm);
		expect(p->what, "port_guid_zero", vft_port__port_guid_zero(&vf), p->port_guid_zero);
		expect(p->what, "node_guid_zero", vft_port__node_guid_zero(&vf), p->node_guid_zero);
		expect(p->what, "has_ip_gid", vft_port__has_ip_gid(&vf), p->has_ip_gid);
	}
}

/* The predicates read the attributes only: has_port is the callers' to test. */
static void no_port_read_is_not_judged_here(void **state)
{
	struct vft_vf vf;

	memset(&vf, 0, sizeof(vf));
	snprintf(vf.link_layer, sizeof(vf.link_layer), "InfiniBand");
	vf.port_state = VFT_PORT_STATE_ACTIVE;
	vf.lid = 0x1a;
	assert_false(vf.has_port);
	assert_true(vft_port__is_ib(&vf));
	assert_true(vft_port__active(&vf));
	assert_true(vft_port__has_lid(&vf));
}

/*
 * The verdicts, the one rule of each finding and check column: NA (N), OK
 * (o) or BAD (B) for guid, lid, sm and ip_gid, and words @why must hold.
 */
static void verdicts(void **state)
{
	static const struct {
		const char *what, *link_layer;
		uint32_t state, lid, sm_lid, n_ip_gids;
		uint64_t node_guid, port_guid;
		const char *want; /* guid lid sm ip_gid */
		int which;	  /* the verdict whose why has @words: 0 guid ... 3 ip_gid */
		const char *words;
	} rows[] = {
		{ "IB ready", "InfiniBand", 4, 0x1a, 1, 0, NODE_GUID, PORT_GUID, "oooN", 1,
		  "LID 0x1a, state ACTIVE" },
		{ "IB no LID", "InfiniBand", 2, 0, 1, 0, NODE_GUID, PORT_GUID, "oBoN", 1,
		  "no LID (LID 0x0, state INIT)" },
		{ "IB permissive LID", "InfiniBand", 4, 0xffff, 1, 0, NODE_GUID, PORT_GUID, "oBoN",
		  1, "no LID (LID 0xffff" },
		{ "IB LID, ARMED", "InfiniBand", 3, 0x1a, 1, 0, NODE_GUID, PORT_GUID, "oBoN", 1,
		  "not ACTIVE (state ARMED, LID 0x1a)" },
		{ "IB no SM", "InfiniBand", 2, 0, 0, 0, NODE_GUID, PORT_GUID, "oBBN", 2,
		  "no Subnet Manager" },
		{ "IB zero port GUID", "InfiniBand", 4, 0x1a, 1, 0, NODE_GUID, 0, "BooN", 0,
		  "port GUID 0000:0000:0000:0000" },
		{ "IB zero node GUID", "InfiniBand", 4, 0x1a, 1, 0, 0, PORT_GUID, "BooN", 0,
		  "node GUID 0000:0000:0000:0000" },
		{ "RoCE ready", "Ethernet", 4, 0, 0, 1, NODE_GUID, PORT_GUID, "oNNo", 3,
		  "1 RoCE v2 GID(s)" },
		{ "RoCE no IP GID", "Ethernet", 4, 0, 0, 0, NODE_GUID, PORT_GUID, "oNNB", 3,
		  "no RoCE v2 GID from an IP address" },
		{ "RoCE zero GID 0", "Ethernet", 4, 0, 0, 1, NODE_GUID, 0, "oNNo", 0, "node GUID" },
		{ "RoCE zero node GUID", "Ethernet", 4, 0, 0, 1, 0, PORT_GUID, "BNNo", 0,
		  "rdma_cm" },
		{ "no link layer", "", 4, 0x1a, 1, 1, NODE_GUID, PORT_GUID, "NNNN", 0,
		  "link layer ''" },
	};
	enum vft_port_verdict (*const rule[4])(const struct vft_vf *, char *,
					       size_t) = { vft_port__guid, vft_port__lid,
							   vft_port__sm, vft_port__ip_gid };
	static const char letter[] = {
		[VFT_PORT_NA] = 'N', [VFT_PORT_OK] = 'o', [VFT_PORT_BAD] = 'B'
	};
	char why[4][160];
	struct vft_vf vf;
	size_t i;
	int k;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		memset(&vf, 0, sizeof(vf));
		vf.has_port = true;
		snprintf(vf.link_layer, sizeof(vf.link_layer), "%s", rows[i].link_layer);
		vf.port_state = rows[i].state;
		vf.lid = rows[i].lid;
		vf.sm_lid = rows[i].sm_lid;
		vf.n_ip_gids = rows[i].n_ip_gids;
		vf.node_guid = rows[i].node_guid;
		vf.port_guid = rows[i].port_guid;
		for (k = 0; k < 4; k++) {
			char got = letter[rule[k](&vf, why[k], sizeof(why[k]))];

			if (got != rows[i].want[k])
				fail_msg("%s: verdict %d is %c, want %c (%s)", rows[i].what, k, got,
					 rows[i].want[k], why[k]);
		}
		if (!strstr(why[rows[i].which], rows[i].words))
			fail_msg("%s: '%s' does not say '%s'", rows[i].what, why[rows[i].which],
				 rows[i].words);
		/* no port read: nothing applies */
		vf.has_port = false;
		for (k = 0; k < 4; k++)
			assert_int_equal(rule[k](&vf, why[k], sizeof(why[k])), VFT_PORT_NA);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(lid_usable_edges),
		cmocka_unit_test(port_predicates),
		cmocka_unit_test(no_port_read_is_not_judged_here),
		cmocka_unit_test(verdicts),
	};

	return cmocka_run_group_tests_name("port_rules", tests, NULL, NULL);
}
