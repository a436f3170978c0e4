// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_event.c - decoding of kernel records and the wall-clock conversion.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>
#include <time.h>
#include "model/event.h"

static const struct vft_clock clk = { .boot_to_wall_ns = 1000 };

static struct vft_bpf_event record(uint32_t kind)
{
	struct vft_bpf_event r;

	memset(&r, 0, sizeof(r));
	r.kind = kind;
	r.source = VFT_SRC_FENTRY;
	r.ts_boot_ns = 5000;
	r.pid = 42;
	r.tid = 43;
	strcpy(r.comm, "ip");
	strcpy(r.ifname, "veth0");
	r.ifindex = 7;
	r.netns = 4026531840u;
	return r;
}

static void decodes_register(void **state)
{
	struct vft_bpf_event r = record(VFT_EV_NETDEV_REGISTER);
	struct vft_event ev;

	r.flags = VFT_F_HAS_RET;
	strcpy(r.parent, "0000:3b:10.5");
	assert_int_equal(vft_event__from_bpf(&ev, &r, sizeof(r), &clk), 0);
	assert_int_equal(ev.kind, VFT_EV_NETDEV_REGISTER);
	assert_int_equal(ev.ts_ns, 6000);
	assert_true(ev.has_actor);
	assert_int_equal(ev.actor.pid, 42);
	assert_int_equal(ev.actor.tid, 43);
	assert_string_equal(ev.actor.comm, "ip");
	assert_string_equal(ev.ifname, "veth0");
	assert_string_equal(ev.parent, "0000:3b:10.5");
	assert_int_equal(ev.ifindex, 7);
	assert_true(ev.has_ret);
	assert_int_equal(ev.ret, 0);
	/* move-only fields stay empty */
	assert_int_equal(ev.from_netns, 0);
	assert_string_equal(ev.new_ifname, "");
}

static void decodes_failed_move(void **state)
{
	struct vft_bpf_event r = record(VFT_EV_NETNS_MOVE);
	struct vft_event ev;

	r.u.move.from_netns = 1;
	r.u.move.to_netns = 2;
	r.ret = -EEXIST;
	r.flags = VFT_F_HAS_RET;
	strcpy(r.u.move.new_ifname, "veth0"); /* name unchanged by the failed move */
	assert_int_equal(vft_event__from_bpf(&ev, &r, sizeof(r), &clk), 0);
	assert_int_equal(ev.from_netns, 1);
	assert_int_equal(ev.to_netns, 2);
	assert_int_equal(ev.ret, -EEXIST);
	assert_string_equal(ev.new_ifname, "");
}

static void keeps_new_name_of_move(void **state)
{
	struct vft_bpf_event r = record(VFT_EV_NETNS_MOVE);
	struct vft_event ev;

	strcpy(r.u.move.new_ifname, "dev7");
	r.u.move.new_ifindex = 9;
	assert_int_equal(vft_event__from_bpf(&ev, &r, sizeof(r), &clk), 0);
	assert_string_equal(ev.new_ifname, "dev7");
	assert_int_equal(ev.new_ifindex, 9);
}

static void terminates_unterminated_names(void **state)
{
	struct vft_bpf_event r = record(VFT_EV_NETDEV_UNREGISTER);
	struct vft_event ev;

	memset(r.ifname, 'x', sizeof(r.ifname));
	memset(r.comm, 'y', sizeof(r.comm));
	memset(r.parent, 'z', sizeof(r.parent));
	assert_int_equal(vft_event__from_bpf(&ev, &r, sizeof(r), &clk), 0);
	assert_int_equal(strlen(ev.ifname), VFT_NAME_LEN - 1);
	assert_int_equal(strlen(ev.actor.comm), VFT_NAME_LEN - 1);
	assert_int_equal(strlen(ev.parent), VFT_DEVNAME_LEN - 1);
}

static void rejects_bad_records(void **state)
{
	struct vft_bpf_event r = record(VFT_EV_NETDEV_REGISTER);
	struct vft_event ev;

	assert_int_equal(vft_event__from_bpf(&ev, &r, sizeof(r) - 1, &clk), -EINVAL);
	assert_int_equal(vft_event__from_bpf(&ev, &r, sizeof(r) + 8, &clk), -EINVAL);
	r.kind = 0;
	assert_int_equal(vft_event__from_bpf(&ev, &r, sizeof(r), &clk), -EINVAL);
	r.kind = VFT_EV_KIND_MAX;
	assert_int_equal(vft_event__from_bpf(&ev, &r, sizeof(r), &clk), -EINVAL);
	/* made in user space: no BPF program emits them */
	r.kind = VFT_EV_NETNS_INFO;
	assert_int_equal(vft_event__from_bpf(&ev, &r, sizeof(r), &clk), -EINVAL);
	r.kind = VFT_EV_TRUST;
	assert_int_equal(vft_event__from_bpf(&ev, &r, sizeof(r), &clk), -EINVAL);
	r.kind = VFT_EV_NETDEV_REGISTER;
	r.source = VFT_SRC_MAX;
	assert_int_equal(vft_event__from_bpf(&ev, &r, sizeof(r), &clk), -EINVAL);
}

static void decodes_sriov_with_vf_bdf(void **state)
{
	struct vft_bpf_event r = record(VFT_EV_VF_ADD);
	struct vft_event ev;
	char bdf[32];

	r.ifname[0] = '\0';
	strcpy(r.u.sriov.pf, "0000:18:00.0");
	r.u.sriov.vf_index = 3;
	r.u.sriov.vf_offset = 1; /* ConnectX: VFs follow the PF function */
	r.u.sriov.vf_stride = 1;
	r.flags = VFT_F_HAS_RET;
	assert_int_equal(vft_event__from_bpf(&ev, &r, sizeof(r), &clk), 0);
	assert_string_equal(ev.pf, "0000:18:00.0");
	assert_string_equal(ev.device, "0000:18:00.4");
	assert_int_equal(ev.vf_index, 3);
	/* offsets that cross a bus: rid 0x18ff + 1 */
	assert_int_equal(vft_vf_bdf("0000:18:1f.7", 1, 1, 0, bdf, sizeof(bdf)), 0);
	assert_string_equal(bdf, "0000:19:00.0");
	assert_int_equal(vft_vf_bdf("0000:3b:00.0", 0x80, 2, 5, bdf, sizeof(bdf)), 0);
	assert_string_equal(bdf, "0000:3b:11.2");
	assert_int_equal(vft_vf_bdf("garbage", 1, 1, 0, bdf, sizeof(bdf)), -EINVAL);
	assert_int_equal(vft_vf_bdf("0000:ff:1f.7", 1, 1, 0, bdf, sizeof(bdf)), -ERANGE);
	assert_int_equal(vft_vf_bdf("0000:18:00.0", 1, 1, -1, bdf, sizeof(bdf)), -EINVAL);

	r = record(VFT_EV_SRIOV_NUMVFS);
	strcpy(r.u.sriov.pf, "0000:18:00.0");
	r.u.sriov.num_vfs = 8;
	r.u.sriov.old_num_vfs = 4;
	r.ret = -EBUSY;
	r.flags = VFT_F_HAS_RET;
	assert_int_equal(vft_event__from_bpf(&ev, &r, sizeof(r), &clk), 0);
	assert_int_equal(ev.num_vfs, 8);
	assert_int_equal(ev.old_num_vfs, 4);
	assert_int_equal(ev.ret, -EBUSY);
	assert_string_equal(ev.device, ""); /* no VF BDF for the PF-wide event */
}

static void decodes_rdma(void **state)
{
	struct vft_bpf_event r = record(VFT_EV_RDMA_PORT_EVENT);
	struct vft_event ev;

	strcpy(r.u.rdma.ibdev, "mlx5_16");
	/* the kernel keeps the node GUID big-endian */
	r.u.rdma.node_guid = __builtin_bswap64(0xb8cef60300a41010ULL);
	r.u.rdma.port = 1;
	r.u.rdma.event = 11;
	assert_int_equal(vft_event__from_bpf(&ev, &r, sizeof(r), &clk), 0);
	assert_string_equal(ev.ibdev, "mlx5_16");
	assert_true(ev.node_guid == 0xb8cef60300a41010ULL);
	assert_string_equal(vft_ib_event__name(ev.port_event), "LID_CHANGE");
	assert_false(ev.has_port_attrs);
	assert_string_equal(vft_port_state__name(4), "ACTIVE");
	assert_null(vft_ib_event__name(99));
}

static void names_kinds_and_sources(void **state)
{
	assert_string_equal(vft_kind__name(VFT_EV_NETDEV_REGISTER), "netdev_register");
	assert_string_equal(vft_kind__name(VFT_EV_NETDEV_UNREGISTER), "netdev_unregister");
	assert_string_equal(vft_kind__name(VFT_EV_NETNS_MOVE), "netns_move");
	assert_null(vft_kind__name(0));
	assert_null(vft_kind__name(1000));
	assert_string_equal(vft_source__name(VFT_SRC_KPROBE), "kprobe");
	assert_null(vft_source__name(VFT_SRC_NONE));
}

static void clock_is_calibrated(void **state)
{
	struct vft_clock c;
	struct timespec w, b;
	int64_t wall, conv;

	assert_int_equal(vft_clock__init(&c), 0);
	clock_gettime(CLOCK_BOOTTIME, &b);
	clock_gettime(CLOCK_REALTIME, &w);
	wall = (int64_t)w.tv_sec * 1000000000LL + w.tv_nsec;
	conv = vft_clock__wall_ns(&c, (uint64_t)b.tv_sec * 1000000000ULL + b.tv_nsec);
	/* same instant within 50 ms */
	assert_true(conv - wall < 50000000LL && wall - conv < 50000000LL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(decodes_register),
		cmocka_unit_test(decodes_failed_move),
		cmocka_unit_test(keeps_new_name_of_move),
		cmocka_unit_test(terminates_unterminated_names),
		cmocka_unit_test(rejects_bad_records),
		cmocka_unit_test(decodes_sriov_with_vf_bdf),
		cmocka_unit_test(decodes_rdma),
		cmocka_unit_test(names_kinds_and_sources),
		cmocka_unit_test(clock_is_calibrated),
	};

	return cmocka_run_group_tests_name("event", tests, NULL, NULL);
}
