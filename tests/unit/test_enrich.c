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
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include "enrich/enrich.h"
#include "fixture.h"
#include <errno.h>
#include <unistd.h>

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

/* A setting asked of PF ibp24s0 (0000:18:00.0) for its VF 2. */
static struct vft_event vf_config(int32_t vf)
{
	struct vft_event ev;
	char path[400];
	FILE *f;

	memset(&ev, 0, sizeof(ev));
	ev.kind = VFT_EV_VF_CONFIG;
	ev.vf_index = vf;
	ev.vf_setting = VFT_VF_MAC;
	snprintf(path, sizeof(path), "%s/sys/class/net/ibp24s0/ifindex", root);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_int_equal(fscanf(f, "%d", &ev.ifindex), 1);
	fclose(f);
	return ev;
}

static void vf_config_gets_its_pf_and_vf(void **state)
{
	struct vft_event ev = vf_config(2), before;
	char path[400];
	struct stat st;
	FILE *f;

	vft_enrich__event(root, &ev);
	assert_string_equal(ev.ifname, "ibp24s0");
	assert_string_equal(ev.pf, "0000:18:00.0");
	assert_string_equal(ev.parent, "0000:18:00.0");
	assert_string_equal(ev.device, "0000:18:00.3");
	/* a VF the PF does not have: the PF only */
	ev = vf_config(9);
	vft_enrich__event(root, &ev);
	assert_string_equal(ev.pf, "0000:18:00.0");
	assert_string_equal(ev.device, "");
	/* an ifindex no netdev has, a name that is not the ifindex's: as seen */
	ev = vf_config(2);
	ev.ifindex = 9999;
	before = ev;
	vft_enrich__event(root, &ev);
	assert_memory_equal(&ev, &before, sizeof(ev));
	ev = vf_config(2);
	strcpy(ev.ifname, "ibp64s0");
	before = ev;
	vft_enrich__event(root, &ev);
	assert_memory_equal(&ev, &before, sizeof(ev));
	/* a PF in a netns that is not ours: its ifindex names another device here */
	snprintf(path, sizeof(path), "%s/proc/self", root);
	assert_int_equal(mkdir(path, 0755) && errno != EEXIST, 0);
	strcat(path, "/ns");
	assert_int_equal(mkdir(path, 0755) && errno != EEXIST, 0);
	snprintf(path, sizeof(path), "%s/proc/self/ns/net", root);
	f = fopen(path, "w");
	assert_non_null(f);
	fclose(f);
	assert_int_equal(stat(path, &st), 0);
	ev = vf_config(2);
	ev.netns = (uint32_t)st.st_ino + 1;
	before = ev;
	vft_enrich__event(root, &ev);
	assert_memory_equal(&ev, &before, sizeof(ev));
	ev.netns = (uint32_t)st.st_ino;
	vft_enrich__event(root, &ev);
	assert_string_equal(ev.device, "0000:18:00.3");
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(port_event_gets_attributes),
		cmocka_unit_test(gone_devices_stay_as_seen),
		cmocka_unit_test(vf_config_gets_its_pf_and_vf),
	};

	return cmocka_run_group_tests_name("enrich", tests, setup, teardown);
}
