// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_filter.c - event selection: the default rules on a DGX B200-like
 * fixture tree (tests/fixtures/mkfixture.sh), explicit selections, and a
 * device followed across a netns move and a rename.
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
#include <unistd.h>
#include "model/filter.h"
#include "fixture.h"

static char base[256], root[300];

static int setup(void **state)
{
	return fixture_make("dgx-b200-healthy", base, sizeof(base), root, sizeof(root));
}

static int teardown(void **state)
{
	return fixture_remove(base);
}

static struct vft_event netdev(uint32_t kind, const char *ifname, int ifindex, uint32_t netns,
			       const char *parent)
{
	struct vft_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.kind = kind;
	snprintf(ev.ifname, sizeof(ev.ifname), "%s", ifname);
	ev.ifindex = ifindex;
	ev.netns = netns;
	snprintf(ev.parent, sizeof(ev.parent), "%s", parent);
	return ev;
}

static void default_selects_vfs_pfs_and_mlx5(void **state)
{
	struct vft_filter f = { .root = root };
	struct vft_event ev;

	assert_true(vft_filter__is_default(&f));
	/* a VF (physfn link), a PF with SR-IOV */
	ev = netdev(VFT_EV_NETDEV_REGISTER, "ibp24s0v0", 10, 1, "0000:18:00.1");
	assert_true(vft_filter__match(&f, &ev));
	ev = netdev(VFT_EV_NETDEV_REGISTER, "ibp24s0", 11, 1, "0000:18:00.0");
	assert_true(vft_filter__match(&f, &ev));
	/* a GPU, a bridge, a virtual device: not ours */
	ev = netdev(VFT_EV_DRIVER_BIND, "", 0, 0, "");
	snprintf(ev.device, sizeof(ev.device), "0000:1b:00.0");
	snprintf(ev.driver, sizeof(ev.driver), "nvidia");
	assert_false(vft_filter__match(&f, &ev));
	ev = netdev(VFT_EV_NETDEV_REGISTER, "br0", 12, 1, "0000:15:01.0");
	assert_false(vft_filter__match(&f, &ev));
	ev = netdev(VFT_EV_NETDEV_REGISTER, "veth1a2b", 13, 1, "");
	assert_false(vft_filter__match(&f, &ev));
	/* RDMA devices of mlx5, bind events of mlx5 drivers, SR-IOV and netlink errors */
	ev = netdev(VFT_EV_RDMA_PORT_EVENT, "", 0, 0, "");
	snprintf(ev.ibdev, sizeof(ev.ibdev), "mlx5_16");
	assert_true(vft_filter__match(&f, &ev));
	ev = netdev(VFT_EV_RDMA_REGISTER, "", 0, 0, "");
	snprintf(ev.ibdev, sizeof(ev.ibdev), "rxe0");
	assert_false(vft_filter__match(&f, &ev));
	ev = netdev(VFT_EV_DRIVER_UNBIND, "", 0, 0, "");
	snprintf(ev.device, sizeof(ev.device), "0000:5e:00.3");
	snprintf(ev.driver, sizeof(ev.driver), "vfio-pci");
	assert_true(vft_filter__match(&f, &ev)); /* a VF, whatever binds it */
	ev = netdev(VFT_EV_VF_ADD, "", 0, 0, "");
	assert_true(vft_filter__match(&f, &ev));
	ev = netdev(VFT_EV_NETLINK_ERROR, "", 0, 0, "");
	assert_true(vft_filter__match(&f, &ev));
	vft_filter__clear(&f);
}

static void follows_a_vf_into_a_pod(void **state)
{
	struct vft_filter f = { .root = root };
	struct vft_event ev;

	ev = netdev(VFT_EV_NETDEV_REGISTER, "ibp24s0v2", 20, 1, "0000:18:00.3");
	assert_true(vft_filter__match(&f, &ev));
	/* moved into a pod netns: the move and what rtnetlink says there (no parent) */
	ev = netdev(VFT_EV_NETNS_MOVE, "ibp24s0v2", 20, 7, "0000:18:00.3");
	ev.from_netns = 1;
	ev.to_netns = 7;
	ev.new_ifindex = 4;
	ev.has_ret = true;
	assert_true(vft_filter__match(&f, &ev));
	ev = netdev(VFT_EV_NETDEV_RENAME, "ibp24s0v2", 4, 7, "");
	snprintf(ev.new_ifname, sizeof(ev.new_ifname), "net1");
	assert_true(vft_filter__match(&f, &ev));
	ev = netdev(VFT_EV_ADDR_ADD, "net1", 4, 7, "");
	assert_true(vft_filter__match(&f, &ev));
	/* the old place is forgotten: another device took ifindex 20 on the host */
	ev = netdev(VFT_EV_NETDEV_REGISTER, "veth20", 20, 1, "");
	assert_false(vft_filter__match(&f, &ev));
	/* unregistered: forgotten, a new device with that ifindex is judged afresh */
	ev = netdev(VFT_EV_NETDEV_UNREGISTER, "net1", 4, 7, "");
	assert_true(vft_filter__match(&f, &ev));
	ev = netdev(VFT_EV_LINK_CHANGE, "eth0", 4, 7, "");
	assert_false(vft_filter__match(&f, &ev));
	vft_filter__clear(&f);
}

static void a_failed_move_stays_home(void **state)
{
	struct vft_filter f = { .root = root };
	struct vft_event ev;

	ev = netdev(VFT_EV_NETDEV_REGISTER, "ibp64s0v1", 30, 1, "0000:40:00.2");
	assert_true(vft_filter__match(&f, &ev));
	ev = netdev(VFT_EV_NETNS_MOVE, "ibp64s0v1", 30, 1, "");
	ev.from_netns = 1;
	ev.to_netns = 9;
	ev.has_ret = true;
	ev.ret = -EEXIST;
	assert_true(vft_filter__match(&f, &ev));
	ev = netdev(VFT_EV_LINK_CHANGE, "ibp64s0v1", 30, 1, "");
	assert_true(vft_filter__match(&f, &ev));
	vft_filter__clear(&f);
}

static void explicit_selection_replaces_default(void **state)
{
	struct vft_filter f = { .root = root };
	struct vft_event ev;

	assert_int_equal(vft_filter__add_pci(&f, "18:00.4"), 0);
	assert_int_equal(vft_filter__add_pci(&f, "zz"), -EINVAL);
	assert_int_equal(vft_filter__add_pci(&f, "0000:18:20.0"), -EINVAL);
	assert_false(vft_filter__is_default(&f));
	ev = netdev(VFT_EV_NETDEV_REGISTER, "ibp24s0v3", 40, 1, "0000:18:00.4");
	assert_true(vft_filter__match(&f, &ev));
	ev = netdev(VFT_EV_NETDEV_REGISTER, "ibp24s0v2", 41, 1, "0000:18:00.3");
	assert_false(vft_filter__match(&f, &ev)); /* a VF, but not the one asked for */
	vft_filter__clear(&f);

	assert_int_equal(vft_filter__add_driver(&f, "nvidia"), 0);
	f.root = root;
	ev = netdev(VFT_EV_NETDEV_REGISTER, "x", 42, 1, "0000:1b:00.0"); /* via sysfs */
	assert_true(vft_filter__match(&f, &ev));
	ev = netdev(VFT_EV_DRIVER_BIND, "", 0, 0, "");
	snprintf(ev.driver, sizeof(ev.driver), "nvidia");
	assert_true(vft_filter__match(&f, &ev));
	ev = netdev(VFT_EV_NETDEV_REGISTER, "ibp24s0v0", 43, 1, "0000:18:00.1");
	assert_false(vft_filter__match(&f, &ev));
	vft_filter__clear(&f);

	f.all = true;
	ev = netdev(VFT_EV_NETDEV_REGISTER, "veth0", 44, 1, "");
	assert_true(vft_filter__match(&f, &ev));
	vft_filter__clear(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(default_selects_vfs_pfs_and_mlx5),
		cmocka_unit_test(follows_a_vf_into_a_pod),
		cmocka_unit_test(a_failed_move_stays_home),
		cmocka_unit_test(explicit_selection_replaces_default),
	};

	return cmocka_run_group_tests_name("filter", tests, setup, teardown);
}
