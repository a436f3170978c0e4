// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_enrich.c - port attributes and bound netdevs added from sysfs, on
 * fixture trees of a DGX B200-like node.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>
#include "enrich/enrich.h"
#include "fixture.h"

static char base[256], root[300];

static int setup(void **state)
{
	return fixture_make("no-sm", base, sizeof(base), root, sizeof(root));
}

static int teardown(void **state)
{
	return fixture_remove(base);
}

static struct vft_event port_event(const char *ibdev, uint32_t port)
{
	struct vft_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.kind = VFT_EV_RDMA_PORT_EVENT;
	ev.port_event = 10; /* PORT_ERR */
	ev.port = port;
	strcpy(ev.ibdev, ibdev);
	return ev;
}

static void port_event_gets_attributes(void **state)
{
	/* no Subnet Manager: every InfiniBand port INIT, LID 0, SM LID 0 */
	struct vft_event ev = port_event("mlx5_16", 1);

	vft_enrich__event(root, &ev);
	assert_true(ev.has_port_attrs);
	assert_int_equal(ev.port_state, 2);
	assert_int_equal(ev.lid, 0);
	assert_int_equal(ev.sm_lid, 0);
	assert_string_equal(ev.link_layer, "InfiniBand");
	assert_true(ev.port_guid != 0);
	assert_true(ev.n_gids > 0);
	assert_int_equal(ev.n_rocev2_gids, 0);	     /* InfiniBand */
	assert_string_equal(ev.ifname, "ibp24s0v0"); /* its netdev */
}

static void gone_devices_stay_as_seen(void **state)
{
	struct vft_event ev = port_event("mlx5_99", 1), before;

	before = ev;
	vft_enrich__event(root, &ev);
	assert_memory_equal(&ev, &before, sizeof(ev));
	ev = port_event("mlx5_16", 7); /* no such port */
	vft_enrich__event(root, &ev);
	assert_false(ev.has_port_attrs);
	/* other kinds are left alone */
	ev = port_event("mlx5_16", 1);
	ev.kind = VFT_EV_NETDEV_REGISTER;
	before = ev;
	vft_enrich__event(root, &ev);
	assert_memory_equal(&ev, &before, sizeof(ev));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(port_event_gets_attributes),
		cmocka_unit_test(gone_devices_stay_as_seen),
	};

	return cmocka_run_group_tests_name("enrich", tests, setup, teardown);
}
