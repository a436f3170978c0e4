// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_render.c - what the sinks print of every event kind, byte for byte:
 * the text line and the JSON object of each kind with every field of struct
 * vft_event set, failed, and with only the fields its sources set. The
 * expected lines are those the sinks printed before the kinds table
 * (user/model/kinds.c) replaced their per-kind code.
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
#include <time.h>
#include "sinks/sink.h"

#define HOST_NS 4026531840u
#define POD_NS 4026532291u

/* Every field set, whatever the kind: what a kind prints shows what it reads. */
static void all_fields(struct vft_event *ev, uint32_t kind)
{
	static const uint8_t ip6[16] = { 0xfd, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x05 };

	memset(ev, 0, sizeof(*ev));
	ev->kind = kind;
	ev->source = VFT_SRC_FENTRY;
	ev->ts_ns = 1764355201123456789ULL;
	ev->has_actor = true;
	ev->actor.pid = 4242;
	ev->actor.tid = 4243;
	ev->actor.netns = HOST_NS;
	ev->actor.cgroup_id = 77;
	strcpy(ev->actor.comm, "ip");
	strcpy(ev->actor.cgroup, "/system.slice/systemd-networkd.service");
	strcpy(ev->ifname, "ens1f0v3");
	ev->ifindex = 12;
	ev->netns = HOST_NS;
	strcpy(ev->parent, "0000:3b:10.5");
	strcpy(ev->new_ifname, "net1");
	ev->from_netns = HOST_NS;
	ev->to_netns = POD_NS;
	ev->new_ifindex = 3;
	ev->flags = 0x1043;
	ev->old_flags = 0x1002;
	ev->family = 10;
	ev->prefixlen = 64;
	memcpy(ev->addr, ip6, sizeof(ip6));
	strcpy(ev->device, "0000:3b:10.5");
	strcpy(ev->driver, "mlx5_core");
	ev->has_numa = true;
	ev->numa_node = 1;
	strcpy(ev->pf, "0000:3b:00.0");
	ev->num_vfs = 8;
	ev->old_num_vfs = 4;
	ev->vf_index = 3;
	strcpy(ev->ibdev, "mlx5_7");
	strcpy(ev->new_ibdev, "mlx5_70");
	ev->node_guid = 0xb8cef60300a41010ULL;
	ev->port_guid = 0xb8cef60300a41011ULL;
	ev->port = 1;
	ev->port_event = 9;
	ev->has_port_attrs = true;
	ev->port_state = 4;
	ev->phys_state = 5;
	ev->lid = 0x12;
	ev->sm_lid = 0x1;
	strcpy(ev->link_layer, "InfiniBand");
	ev->n_gids = 3;
	ev->n_rocev2_gids = 1;
	ev->n_ip_gids = 1;
	ev->netns_host = true;
	strcpy(ev->netns_name, "cni-0b7c1d2e");
	strcpy(ev->pod_uid, "c0ffee00-1111-2222-3333-444455556666");
	strcpy(ev->container, "d2fb7a57208ab630227d342c59ed2ecdf58a8e47c856e86b7406562f29c7bc1d");
	strcpy(ev->vf_key, "0000:3b:10.5");
	ev->lost = 5;
	ev->has_ret = true;
	ev->ret = 0;
}

static void failed(struct vft_event *ev, uint32_t kind)
{
	all_fields(ev, kind);
	ev->ret = -EEXIST;
	strcpy(ev->message, "An interface with the same name exists");
}

/* Only what the common header of a record sets: the kind's own fields are 0. */
static void bare(struct vft_event *ev, uint32_t kind)
{
	memset(ev, 0, sizeof(*ev));
	ev->kind = kind;
	ev->source = VFT_SRC_NETLINK;
	ev->ts_ns = 1764355201000001000ULL;
	strcpy(ev->ifname, "net1");
	ev->ifindex = 3;
	ev->netns = POD_NS;
}

static void move_renamed(struct vft_event *ev, uint32_t kind)
{
	bare(ev, VFT_EV_NETNS_MOVE);
	ev->from_netns = HOST_NS;
	ev->to_netns = POD_NS;
	ev->new_ifindex = 5;
	strcpy(ev->new_ifname, "net1");
	strcpy(ev->ifname, "ens1f0v3");
}

static void rename_without_new_name(struct vft_event *ev, uint32_t kind)
{
	bare(ev, VFT_EV_NETDEV_RENAME);
	ev->has_ret = true;
	ev->ret = -EBUSY;
}

static void link_down(struct vft_event *ev, uint32_t kind)
{
	bare(ev, VFT_EV_LINK_CHANGE);
	ev->flags = 0x1002;
	ev->old_flags = 0x1043;
}

static void link_flags(struct vft_event *ev, uint32_t kind)
{
	bare(ev, VFT_EV_LINK_CHANGE);
	ev->flags = 0x1143;
	ev->old_flags = 0x1043;
}

static void addr4(struct vft_event *ev, uint32_t kind)
{
	bare(ev, kind);
	ev->family = 2;
	ev->prefixlen = 24;
	ev->addr[0] = 10;
	ev->addr[3] = 5;
}

static void addr_mapped(struct vft_event *ev, uint32_t kind)
{
	bare(ev, kind);
	ev->family = 10;
	ev->prefixlen = 128;
	ev->addr[10] = 0xff;
	ev->addr[11] = 0xff;
	ev->addr[12] = 192;
	ev->addr[13] = 168;
	ev->addr[15] = 1;
}

static void addr_unknown_family(struct vft_event *ev, uint32_t kind)
{
	bare(ev, kind);
	ev->family = 7;
	ev->prefixlen = 8;
}

static void vf_without_bdf(struct vft_event *ev, uint32_t kind)
{
	bare(ev, kind);
	ev->ifname[0] = '\0';
	ev->ifindex = 0;
	ev->netns = 0;
	strcpy(ev->pf, "0000:3b:00.0");
	ev->vf_index = 2;
}

static void driver_with_numa(struct vft_event *ev, uint32_t kind)
{
	bare(ev, kind);
	ev->source = VFT_SRC_INVENTORY;
	ev->ifname[0] = '\0';
	ev->ifindex = 0;
	ev->netns = 0;
	strcpy(ev->device, "0000:3b:10.5");
	strcpy(ev->driver, "mlx5_core");
	ev->has_numa = true;
	ev->numa_node = 0;
}

/* An RDMA event as its hook sees it: no netdev, no port attributes. */
static void rdma_bare(struct vft_event *ev, uint32_t kind)
{
	bare(ev, kind);
	ev->source = VFT_SRC_KPROBE;
	ev->ifname[0] = '\0';
	ev->ifindex = 0;
	ev->netns = 0;
	strcpy(ev->ibdev, "rxe0");
	strcpy(ev->new_ibdev, "rxe1");
	ev->port = 1;
	ev->port_event = 10;
	ev->to_netns = 0;
	ev->has_actor = true;
	ev->actor.pid = 1;
	strcpy(ev->actor.comm, "kworker/0:1");
	strcpy(ev->actor.cgroup, "/");
}

static void port_unknown_event(struct vft_event *ev, uint32_t kind)
{
	rdma_bare(ev, VFT_EV_RDMA_PORT_EVENT);
	ev->port_event = 99;
	ev->has_port_attrs = true;
	ev->port_state = 17;
}

/* A re-read at the end of a grace period that did not find the device in the VF's netns. */
static void port_not_visible(struct vft_event *ev, uint32_t kind)
{
	rdma_bare(ev, VFT_EV_RDMA_PORT_STATE);
	ev->source = VFT_SRC_ENRICH;
	ev->has_actor = false;
	strcpy(ev->ifname, "net1");
	ev->ifindex = 3;
	ev->netns = POD_NS;
	strcpy(ev->parent, "0000:3b:10.5");
	strcpy(ev->vf_key, "0000:3b:10.5");
	ev->has_ret = true;
	ev->ret = -ENOENT;
}

static void netns_plain(struct vft_event *ev, uint32_t kind)
{
	memset(ev, 0, sizeof(*ev));
	ev->kind = VFT_EV_NETNS_INFO;
	ev->source = VFT_SRC_ENRICH;
	ev->ts_ns = 1764355201000002000ULL;
	ev->netns = POD_NS;
}

static void check_of_vf(struct vft_event *ev, uint32_t kind)
{
	bare(ev, VFT_EV_VF_CHECK);
	ev->source = VFT_SRC_TIMER;
	strcpy(ev->parent, "0000:3b:10.5");
	strcpy(ev->vf_key, "0000:3b:10.5");
}

/* VF settings asked of PF ens1f0 by the SR-IOV CNI, as the enrichment completes them. */
static void vf_config(struct vft_event *ev, uint32_t kind, uint32_t setting, uint64_t value)
{
	memset(ev, 0, sizeof(*ev));
	ev->kind = kind;
	ev->source = VFT_SRC_KPROBE;
	ev->ts_ns = 1764355201000004000ULL;
	ev->has_actor = true;
	ev->actor.pid = 3100;
	ev->actor.tid = 3104;
	ev->actor.netns = HOST_NS;
	strcpy(ev->actor.comm, "sriov");
	strcpy(ev->ifname, "ens1f0");
	ev->ifindex = 4;
	ev->netns = HOST_NS;
	strcpy(ev->parent, "0000:3b:00.0");
	strcpy(ev->pf, "0000:3b:00.0");
	strcpy(ev->device, "0000:3b:10.5");
	ev->vf_index = 3;
	ev->vf_setting = setting;
	ev->vf_value = value;
	ev->has_ret = true;
}

static void vf_mac(struct vft_event *ev, uint32_t kind)
{
	vf_config(ev, kind, VFT_VF_MAC, 0x02a0b1c2d3e4ULL);
}

static void vf_vlan_refused(struct vft_event *ev, uint32_t kind)
{
	vf_config(ev, kind, VFT_VF_VLAN, 10 | 3ULL << 16 | 0x88a8ULL << 32);
	ev->ret = -EPROTONOSUPPORT;
}

static void vf_state(struct vft_event *ev, uint32_t kind)
{
	vf_config(ev, kind, VFT_VF_LINK_STATE, 2);
}

static void vf_guid_elsewhere(struct vft_event *ev, uint32_t kind)
{
	vf_config(ev, kind, VFT_VF_NODE_GUID, 0xb8cef60300a41011ULL);
	/* a PF in another netns: no names */
	ev->ifname[0] = ev->parent[0] = ev->pf[0] = ev->device[0] = '\0';
	ev->netns = POD_NS;
}

static void vf_rate_trust(struct vft_event *ev, uint32_t kind)
{
	vf_config(ev, kind, VFT_VF_RATE, 100 | 1000ULL << 32);
}

static void vf_unknown(struct vft_event *ev, uint32_t kind)
{
	vf_config(ev, kind, 42, 7);
}

static void netlink_error(struct vft_event *ev, uint32_t kind)
{
	memset(ev, 0, sizeof(*ev));
	ev->kind = VFT_EV_NETLINK_ERROR;
	ev->source = VFT_SRC_TRACEPOINT;
	ev->ts_ns = 1764355201000003000ULL;
	ev->has_actor = true;
	ev->actor.pid = 900;
	strcpy(ev->actor.comm, "ip");
	strcpy(ev->message, "Nexthop device is not up");
}

struct render_case {
	void (*make)(struct vft_event *ev, uint32_t kind);
	uint32_t kind;
	const char *vf;	  /* the key of the record it belongs to, NULL for none */
	const char *text; /* the text sink's line, without its newline */
	const char *json; /* the JSON sink's line, without its newline */
};

static void render(const struct vft_event *ev, const char *vf_key, char **text, char **json)
{
	struct vft_vf vf;
	struct vft_sink *s;
	size_t len;
	FILE *f;

	memset(&vf, 0, sizeof(vf));
	if (vf_key)
		strcpy(vf.ref.key, vf_key);
	f = open_memstream(text, &len);
	s = vft_sink_text__new(f, false);
	assert_int_equal(vft_sink__event(s, ev, vf_key ? &vf : NULL), 0);
	vft_sink__free(s);
	fclose(f);
	assert_true(len && (*text)[len - 1] == '\n');
	(*text)[len - 1] = '\0';
	f = open_memstream(json, &len);
	s = vft_sink_json__new(f);
	assert_int_equal(vft_sink__event(s, ev, vf_key ? &vf : NULL), 0);
	vft_sink__free(s);
	fclose(f);
	assert_true(len && (*json)[len - 1] == '\n');
	(*json)[len - 1] = '\0';
}

/* Each kind three ways (every field set, failed, bare), then the variants its sources make. */
static const struct render_case cases[] = {
	{ all_fields, 0, NULL,
	  "18:40:01.123456 unknown           0000:3b:10.5    ifindex 12 netns 4026531840 rdma "
	  "mlx5_7 dev 0000:3b:10.5  by ip[4242] /system.slice/systemd-networkd.service",
	  "{\"type\":\"event\",\"event\":\"unknown\",\"ts\":\"2025-11-28T18:40:01.123456789Z\","
	  "\"ts_ns\":1764355201123456789,\"source\":\"fentry\",\"ifname\":\"ens1f0v3\","
	  "\"ifindex\":12,\"netns\":4026531840,\"parent\":\"0000:3b:10.5\",\"ret\":0,"
	  "\"actor\":{\"pid\":4242,\"tid\":4243,\"comm\":\"ip\",\"netns\":4026531840,"
	  "\"cgroup_id\":77,\"cgroup\":\"/system.slice/systemd-networkd.service\","
	  "\"unit\":\"systemd-networkd.service\"},\"vf\":\"0000:3b:10.5\"}" },
	{ all_fields, VFT_EV_NETDEV_REGISTER, NULL,
	  "18:40:01.123456 netdev_register   0000:3b:10.5    ifindex 12 netns 4026531840 rdma "
	  "mlx5_7 dev 0000:3b:10.5  by ip[4242] /system.slice/systemd-networkd.service",
	  "{\"type\":\"event\",\"event\":\"netdev_register\","
	  "\"ts\":\"2025-11-28T18:40:01.123456789Z\",\"ts_ns\":1764355201123456789,"
	  "\"source\":\"fentry\",\"ifname\":\"ens1f0v3\",\"ifindex\":12,\"netns\":4026531840,"
	  "\"parent\":\"0000:3b:10.5\",\"ret\":0,\"actor\":{\"pid\":4242,\"tid\":4243,"
	  "\"comm\":\"ip\",\"netns\":4026531840,\"cgroup_id\":77,"
	  "\"cgroup\":\"/system.slice/systemd-networkd.service\","
	  "\"unit\":\"systemd-networkd.service\"},\"vf\":\"0000:3b:10.5\"}" },
	{ all_fields, VFT_EV_NETDEV_UNREGISTER, NULL,
	  "18:40:01.123456 netdev_unregister 0000:3b:10.5    ifindex 12 netns 4026531840 rdma "
	  "mlx5_7 dev 0000:3b:10.5  by ip[4242] /system.slice/systemd-networkd.service",
	  "{\"type\":\"event\",\"event\":\"netdev_unregister\","
	  "\"ts\":\"2025-11-28T18:40:01.123456789Z\",\"ts_ns\":1764355201123456789,"
	  "\"source\":\"fentry\",\"ifname\":\"ens1f0v3\",\"ifindex\":12,\"netns\":4026531840,"
	  "\"parent\":\"0000:3b:10.5\",\"ret\":0,\"actor\":{\"pid\":4242,\"tid\":4243,"
	  "\"comm\":\"ip\",\"netns\":4026531840,\"cgroup_id\":77,"
	  "\"cgroup\":\"/system.slice/systemd-networkd.service\","
	  "\"unit\":\"systemd-networkd.service\"},\"vf\":\"0000:3b:10.5\"}" },
	{ all_fields, VFT_EV_NETNS_MOVE, NULL,
	  "18:40:01.123456 netns_move        0000:3b:10.5    netns 4026531840 -> 4026532291 as "
	  "net1 ifindex 12 -> 3 rdma mlx5_7 dev 0000:3b:10.5  by ip[4242] "
	  "/system.slice/systemd-networkd.service",
	  "{\"type\":\"event\",\"event\":\"netns_move\","
	  "\"ts\":\"2025-11-28T18:40:01.123456789Z\",\"ts_ns\":1764355201123456789,"
	  "\"source\":\"fentry\",\"ifname\":\"ens1f0v3\",\"ifindex\":12,\"netns\":4026531840,"
	  "\"parent\":\"0000:3b:10.5\",\"from_netns\":4026531840,\"to_netns\":4026532291,"
	  "\"new_ifindex\":3,\"new_ifname\":\"net1\",\"ret\":0,\"actor\":{\"pid\":4242,"
	  "\"tid\":4243,\"comm\":\"ip\",\"netns\":4026531840,\"cgroup_id\":77,"
	  "\"cgroup\":\"/system.slice/systemd-networkd.service\","
	  "\"unit\":\"systemd-networkd.service\"},\"vf\":\"0000:3b:10.5\"}" },
	{ all_fields, VFT_EV_NETDEV_RENAME, NULL,
	  "18:40:01.123456 netdev_rename     0000:3b:10.5    -> net1 netns 4026531840 rdma "
	  "mlx5_7 dev 0000:3b:10.5  by ip[4242] /system.slice/systemd-networkd.service",
	  "{\"type\":\"event\",\"event\":\"netdev_rename\","
	  "\"ts\":\"2025-11-28T18:40:01.123456789Z\",\"ts_ns\":1764355201123456789,"
	  "\"source\":\"fentry\",\"ifname\":\"ens1f0v3\",\"ifindex\":12,\"netns\":4026531840,"
	  "\"parent\":\"0000:3b:10.5\",\"new_ifname\":\"net1\",\"ret\":0,"
	  "\"actor\":{\"pid\":4242,\"tid\":4243,\"comm\":\"ip\",\"netns\":4026531840,"
	  "\"cgroup_id\":77,\"cgroup\":\"/system.slice/systemd-networkd.service\","
	  "\"unit\":\"systemd-networkd.service\"},\"vf\":\"0000:3b:10.5\"}" },
	{ all_fields, VFT_EV_LINK_CHANGE, NULL,
	  "18:40:01.123456 link_change       0000:3b:10.5    UP flags 0x1002 -> 0x1043 rdma "
	  "mlx5_7 dev 0000:3b:10.5  by ip[4242] /system.slice/systemd-networkd.service",
	  "{\"type\":\"event\",\"event\":\"link_change\","
	  "\"ts\":\"2025-11-28T18:40:01.123456789Z\",\"ts_ns\":1764355201123456789,"
	  "\"source\":\"fentry\",\"ifname\":\"ens1f0v3\",\"ifindex\":12,\"netns\":4026531840,"
	  "\"parent\":\"0000:3b:10.5\",\"flags\":4163,\"old_flags\":4098,\"up\":true,"
	  "\"was_up\":false,\"ret\":0,\"actor\":{\"pid\":4242,\"tid\":4243,\"comm\":\"ip\","
	  "\"netns\":4026531840,\"cgroup_id\":77,"
	  "\"cgroup\":\"/system.slice/systemd-networkd.service\","
	  "\"unit\":\"systemd-networkd.service\"},\"vf\":\"0000:3b:10.5\"}" },
	{ all_fields, VFT_EV_ADDR_ADD, NULL,
	  "18:40:01.123456 addr_add          0000:3b:10.5    fd00::5/64 netns 4026531840 rdma "
	  "mlx5_7 dev 0000:3b:10.5  by ip[4242] /system.slice/systemd-networkd.service",
	  "{\"type\":\"event\",\"event\":\"addr_add\","
	  "\"ts\":\"2025-11-28T18:40:01.123456789Z\",\"ts_ns\":1764355201123456789,"
	  "\"source\":\"fentry\",\"ifname\":\"ens1f0v3\",\"ifindex\":12,\"netns\":4026531840,"
	  "\"parent\":\"0000:3b:10.5\",\"family\":\"inet6\",\"address\":\"fd00::5\","
	  "\"prefixlen\":64,\"ret\":0,\"actor\":{\"pid\":4242,\"tid\":4243,\"comm\":\"ip\","
	  "\"netns\":4026531840,\"cgroup_id\":77,"
	  "\"cgroup\":\"/system.slice/systemd-networkd.service\","
	  "\"unit\":\"systemd-networkd.service\"},\"vf\":\"0000:3b:10.5\"}" },
	{ all_fields, VFT_EV_ADDR_DEL, NULL,
	  "18:40:01.123456 addr_del          0000:3b:10.5    fd00::5/64 netns 4026531840 rdma "
	  "mlx5_7 dev 0000:3b:10.5  by ip[4242] /system.slice/systemd-networkd.service",
	  "{\"type\":\"event\",\"event\":\"addr_del\","
	  "\"ts\":\"2025-11-28T18:40:01.123456789Z\",\"ts_ns\":1764355201123456789,"
	  "\"source\":\"fentry\",\"ifname\":\"ens1f0v3\",\"ifindex\":12,\"netns\":4026531840,"
	  "\"parent\":\"0000:3b:10.5\",\"family\":\"inet6\",\"address\":\"fd00::5\","
	  "\"prefixlen\":64,\"ret\":0,\"actor\":{\"pid\":4242,\"tid\":4243,\"comm\":\"ip\","
	  "\"netns\":4026531840,\"cgroup_id\":77,"
	  "\"cgroup\":\"/system.slice/systemd-networkd.service\","
	  "\"unit\":\"systemd-networkd.service\"},\"vf\":\"0000:3b:10.5\"}" },
	{ all_fields, VFT_EV_DRIVER_BIND, NULL,
	  "18:40:01.123456 driver_bind       0000:3b:10.5    driver mlx5_core rdma mlx5_7 dev "
	  "0000:3b:10.5  by ip[4242] /system.slice/systemd-networkd.service",
	  "{\"type\":\"event\",\"event\":\"driver_bind\","
	  "\"ts\":\"2025-11-28T18:40:01.123456789Z\",\"ts_ns\":1764355201123456789,"
	  "\"source\":\"fentry\",\"ifname\":\"ens1f0v3\",\"ifindex\":12,\"netns\":4026531840,"
	  "\"parent\":\"0000:3b:10.5\",\"device\":\"0000:3b:10.5\",\"driver\":\"mlx5_core\","
	  "\"ret\":0,\"actor\":{\"pid\":4242,\"tid\":4243,\"comm\":\"ip\",\"netns\":4026531840,"
	  "\"cgroup_id\":77,\"cgroup\":\"/system.slice/systemd-networkd.service\","
	  "\"unit\":\"systemd-networkd.service\"},\"vf\":\"0000:3b:10.5\"}" },
	{ all_fields, VFT_EV_DRIVER_UNBIND, NULL,
	  "18:40:01.123456 driver_unbind     0000:3b:10.5    driver mlx5_core rdma mlx5_7 dev "
	  "0000:3b:10.5  by ip[4242] /system.slice/systemd-networkd.service",
	  "{\"type\":\"event\",\"event\":\"driver_unbind\","
	  "\"ts\":\"2025-11-28T18:40:01.123456789Z\",\"ts_ns\":1764355201123456789,"
	  "\"source\":\"fentry\",\"ifname\":\"ens1f0v3\",\"ifindex\":12,\"netns\":4026531840,"
	  "\"parent\":\"0000:3b:10.5\",\"device\":\"0000:3b:10.5\",\"driver\":\"mlx5_core\","
	  "\"ret\":0,\"actor\":{\"pid\":4242,\"tid\":4243,\"comm\":\"ip\",\"netns\":4026531840,"
	  "\"cgroup_id\":77,\"cgroup\":\"/system.slice/systemd-networkd.service\","
	  "\"unit\":\"systemd-networkd.service\"},\"vf\":\"0000:3b:10.5\"}" },
	{ all_fields, VFT_EV_SRIOV_NUMVFS, NULL,
	  "18:40:01.123456 sriov_numvfs      0000:3b:10.5    numvfs 4 -> 8 rdma mlx5_7 dev "
	  "0000:3b:10.5  by ip[4242] /system.slice/systemd-networkd.service",
	  "{\"type\":\"event\",\"event\":\"sriov_numvfs\","
	  "\"ts\":\"2025-11-28T18:40:01.123456789Z\",\"ts_ns\":1764355201123456789,"
	  "\"source\":\"fentry\",\"ifname\":\"ens1f0v3\",\"ifindex\":12,\"netns\":4026531840,"
	  "\"parent\":\"0000:3b:10.5\",\"pf\":\"0000:3b:00.0\",\"num_vfs\":8,\"old_num_vfs\":4,"
	  "\"ret\":0,\"actor\":{\"pid\":4242,\"tid\":4243,\"comm\":\"ip\",\"netns\":4026531840,"
	  "\"cgroup_id\":77,\"cgroup\":\"/system.slice/systemd-networkd.service\","
	  "\"unit\":\"systemd-networkd.service\"},\"vf\":\"0000:3b:10.5\"}" },
	{ all_fields, VFT_EV_VF_ADD, NULL,
	  "18:40:01.123456 vf_add            0000:3b:10.5    vf 3 0000:3b:10.5 rdma mlx5_7 dev "
	  "0000:3b:10.5  by ip[4242] /system.slice/systemd-networkd.service",
	  "{\"type\":\"event\",\"event\":\"vf_add\",\"ts\":\"2025-11-28T18:40:01.123456789Z\","
	  "\"ts_ns\":1764355201123456789,\"source\":\"fentry\",\"ifname\":\"ens1f0v3\","
	  "\"ifindex\":12,\"netns\":4026531840,\"parent\":\"0000:3b:10.5\","
	  "\"pf\":\"0000:3b:00.0\",\"vf_index\":3,\"vf\":\"0000:3b:10.5\",\"ret\":0,"
	  "\"actor\":{\"pid\":4242,\"tid\":4243,\"comm\":\"ip\",\"netns\":4026531840,"
	  "\"cgroup_id\":77,\"cgroup\":\"/system.slice/systemd-networkd.service\","
	  "\"unit\":\"systemd-networkd.service\"}}" },
	{ all_fields, VFT_EV_VF_REMOVE, NULL,
	  "18:40:01.123456 vf_remove         0000:3b:10.5    vf 3 0000:3b:10.5 rdma mlx5_7 dev "
	  "0000:3b:10.5  by ip[4242] /system.slice/systemd-networkd.service",
	  "{\"type\":\"event\",\"event\":\"vf_remove\","
	  "\"ts\":\"2025-11-28T18:40:01.123456789Z\",\"ts_ns\":1764355201123456789,"
	  "\"source\":\"fentry\",\"ifname\":\"ens1f0v3\",\"ifindex\":12,\"netns\":4026531840,"
	  "\"parent\":\"0000:3b:10.5\",\"pf\":\"0000:3b:00.0\",\"vf_index\":3,"
	  "\"vf\":\"0000:3b:10.5\",\"ret\":0,\"actor\":{\"pid\":4242,\"tid\":4243,"
	  "\"comm\":\"ip\",\"netns\":4026531840,\"cgroup_id\":77,"
	  "\"cgroup\":\"/system.slice/systemd-networkd.service\","
	  "\"unit\":\"systemd-networkd.service\"}}" },
	{ all_fields, VFT_EV_RDMA_REGISTER, NULL,
	  "18:40:01.123456 rdma_register     0000:3b:10.5    ifindex 12 netns 4026531840 rdma "
	  "mlx5_7 dev 0000:3b:10.5  by ip[4242] /system.slice/systemd-networkd.service",
	  "{\"type\":\"event\",\"event\":\"rdma_register\","
	  "\"ts\":\"2025-11-28T18:40:01.123456789Z\",\"ts_ns\":1764355201123456789,"
	  "\"source\":\"fentry\",\"ifname\":\"ens1f0v3\",\"ifindex\":12,\"netns\":4026531840,"
	  "\"parent\":\"0000:3b:10.5\",\"ibdev\":\"mlx5_7\","
	  "\"node_guid\":\"b8ce:f603:00a4:1010\",\"state\":\"ACTIVE\",\"phys_state\":5,"
	  "\"lid\":18,\"sm_lid\":1,\"port_guid\":\"b8ce:f603:00a4:1011\","
	  "\"link_layer\":\"InfiniBand\",\"gids\":3,\"rocev2_gids\":1,\"ip_gids\":1,\"ret\":0,"
	  "\"actor\":{\"pid\":4242,\"tid\":4243,\"comm\":\"ip\",\"netns\":4026531840,"
	  "\"cgroup_id\":77,\"cgroup\":\"/system.slice/systemd-networkd.service\","
	  "\"unit\":\"systemd-networkd.service\"},\"vf\":\"0000:3b:10.5\"}" },
	{ all_fields, VFT_EV_RDMA_UNREGISTER, NULL,
	  "18:40:01.123456 rdma_unregister   0000:3b:10.5    ifindex 12 netns 4026531840 rdma "
	  "mlx5_7 dev 0000:3b:10.5  by ip[4242] /system.slice/systemd-networkd.service",
	  "{\"type\":\"event\",\"event\":\"rdma_unregister\","
	  "\"ts\":\"2025-11-28T18:40:01.123456789Z\",\"ts_ns\":1764355201123456789,"
	  "\"source\":\"fentry\",\"ifname\":\"ens1f0v3\",\"ifindex\":12,\"netns\":4026531840,"
	  "\"parent\":\"0000:3b:10.5\",\"ibdev\":\"mlx5_7\","
	  "\"node_guid\":\"b8ce:f603:00a4:1010\",\"state\":\"ACTIVE\",\"phys_state\":5,"
	  "\"lid\":18,\"sm_lid\":1,\"port_guid\":\"b8ce:f603:00a4:1011\","
	  "\"link_layer\":\"InfiniBand\",\"gids\":3,\"rocev2_gids\":1,\"ip_gids\":1,\"ret\":0,"
	  "\"actor\":{\"pid\":4242,\"tid\":4243,\"comm\":\"ip\",\"netns\":4026531840,"
	  "\"cgroup_id\":77,\"cgroup\":\"/system.slice/systemd-networkd.service\","
	  "\"unit\":\"systemd-networkd.service\"},\"vf\":\"0000:3b:10.5\"}" },
	{ all_fields, VFT_EV_RDMA_RENAME, NULL,
	  "18:40:01.123456 rdma_rename       0000:3b:10.5    -> mlx5_70 rdma mlx5_7 dev "
	  "0000:3b:10.5  by ip[4242] /system.slice/systemd-networkd.service",
	  "{\"type\":\"event\",\"event\":\"rdma_rename\","
	  "\"ts\":\"2025-11-28T18:40:01.123456789Z\",\"ts_ns\":1764355201123456789,"
	  "\"source\":\"fentry\",\"ifname\":\"ens1f0v3\",\"ifindex\":12,\"netns\":4026531840,"
	  "\"parent\":\"0000:3b:10.5\",\"ibdev\":\"mlx5_7\","
	  "\"node_guid\":\"b8ce:f603:00a4:1010\",\"new_ibdev\":\"mlx5_70\","
	  "\"state\":\"ACTIVE\",\"phys_state\":5,\"lid\":18,\"sm_lid\":1,"
	  "\"port_guid\":\"b8ce:f603:00a4:1011\",\"link_layer\":\"InfiniBand\",\"gids\":3,"
	  "\"rocev2_gids\":1,\"ip_gids\":1,\"ret\":0,\"actor\":{\"pid\":4242,\"tid\":4243,"
	  "\"comm\":\"ip\",\"netns\":4026531840,\"cgroup_id\":77,"
	  "\"cgroup\":\"/system.slice/systemd-networkd.service\","
	  "\"unit\":\"systemd-networkd.service\"},\"vf\":\"0000:3b:10.5\"}" },
	{ all_fields, VFT_EV_RDMA_NETNS_MOVE, NULL,
	  "18:40:01.123456 rdma_netns_move   0000:3b:10.5    -> netns 4026532291 rdma mlx5_7 "
	  "dev 0000:3b:10.5  by ip[4242] /system.slice/systemd-networkd.service",
	  "{\"type\":\"event\",\"event\":\"rdma_netns_move\","
	  "\"ts\":\"2025-11-28T18:40:01.123456789Z\",\"ts_ns\":1764355201123456789,"
	  "\"source\":\"fentry\",\"ifname\":\"ens1f0v3\",\"ifindex\":12,\"netns\":4026531840,"
	  "\"parent\":\"0000:3b:10.5\",\"ibdev\":\"mlx5_7\","
	  "\"node_guid\":\"b8ce:f603:00a4:1010\",\"to_netns\":4026532291,\"state\":\"ACTIVE\","
	  "\"phys_state\":5,\"lid\":18,\"sm_lid\":1,\"port_guid\":\"b8ce:f603:00a4:1011\","
	  "\"link_layer\":\"InfiniBand\",\"gids\":3,\"rocev2_gids\":1,\"ip_gids\":1,\"ret\":0,"
	  "\"actor\":{\"pid\":4242,\"tid\":4243,\"comm\":\"ip\",\"netns\":4026531840,"
	  "\"cgroup_id\":77,\"cgroup\":\"/system.slice/systemd-networkd.service\","
	  "\"unit\":\"systemd-networkd.service\"},\"vf\":\"0000:3b:10.5\"}" },
	{ all_fields, VFT_EV_RDMA_PORT_EVENT, NULL,
	  "18:40:01.123456 rdma_port_event   0000:3b:10.5    port 1 PORT_ACTIVE rdma mlx5_7 "
	  "dev 0000:3b:10.5  by ip[4242] /system.slice/systemd-networkd.service",
	  "{\"type\":\"event\",\"event\":\"rdma_port_event\","
	  "\"ts\":\"2025-11-28T18:40:01.123456789Z\",\"ts_ns\":1764355201123456789,"
	  "\"source\":\"fentry\",\"ifname\":\"ens1f0v3\",\"ifindex\":12,\"netns\":4026531840,"
	  "\"parent\":\"0000:3b:10.5\",\"ibdev\":\"mlx5_7\","
	  "\"node_guid\":\"b8ce:f603:00a4:1010\",\"port\":1,\"port_event\":\"PORT_ACTIVE\","
	  "\"state\":\"ACTIVE\",\"phys_state\":5,\"lid\":18,\"sm_lid\":1,"
	  "\"port_guid\":\"b8ce:f603:00a4:1011\",\"link_layer\":\"InfiniBand\",\"gids\":3,"
	  "\"rocev2_gids\":1,\"ip_gids\":1,\"ret\":0,\"actor\":{\"pid\":4242,\"tid\":4243,"
	  "\"comm\":\"ip\",\"netns\":4026531840,\"cgroup_id\":77,"
	  "\"cgroup\":\"/system.slice/systemd-networkd.service\","
	  "\"unit\":\"systemd-networkd.service\"},\"vf\":\"0000:3b:10.5\"}" },
	{ all_fields, VFT_EV_RDMA_PORT_STATE, NULL,
	  "18:40:01.123456 rdma_port_state   0000:3b:10.5    port 1 ACTIVE lid 0x12 sm_lid 0x1 "
	  "InfiniBand rdma mlx5_7 dev 0000:3b:10.5  by ip[4242] "
	  "/system.slice/systemd-networkd.service",
	  "{\"type\":\"event\",\"event\":\"rdma_port_state\","
	  "\"ts\":\"2025-11-28T18:40:01.123456789Z\",\"ts_ns\":1764355201123456789,"
	  "\"source\":\"fentry\",\"ifname\":\"ens1f0v3\",\"ifindex\":12,\"netns\":4026531840,"
	  "\"parent\":\"0000:3b:10.5\",\"ibdev\":\"mlx5_7\","
	  "\"node_guid\":\"b8ce:f603:00a4:1010\",\"port\":1,\"state\":\"ACTIVE\","
	  "\"phys_state\":5,\"lid\":18,\"sm_lid\":1,\"port_guid\":\"b8ce:f603:00a4:1011\","
	  "\"link_layer\":\"InfiniBand\",\"gids\":3,\"rocev2_gids\":1,\"ip_gids\":1,\"ret\":0,"
	  "\"actor\":{\"pid\":4242,\"tid\":4243,\"comm\":\"ip\",\"netns\":4026531840,"
	  "\"cgroup_id\":77,\"cgroup\":\"/system.slice/systemd-networkd.service\","
	  "\"unit\":\"systemd-networkd.service\"},\"vf\":\"0000:3b:10.5\"}" },
	{ all_fields, VFT_EV_NETLINK_ERROR, NULL,
	  "18:40:01.123456 netlink_error     0000:3b:10.5    \"\" rdma mlx5_7 dev 0000:3b:10.5 "
	  " by ip[4242] /system.slice/systemd-networkd.service",
	  "{\"type\":\"event\",\"event\":\"netlink_error\","
	  "\"ts\":\"2025-11-28T18:40:01.123456789Z\",\"ts_ns\":1764355201123456789,"
	  "\"source\":\"fentry\",\"ifname\":\"ens1f0v3\",\"ifindex\":12,\"netns\":4026531840,"
	  "\"parent\":\"0000:3b:10.5\",\"ret\":0,\"actor\":{\"pid\":4242,\"tid\":4243,"
	  "\"comm\":\"ip\",\"netns\":4026531840,\"cgroup_id\":77,"
	  "\"cgroup\":\"/system.slice/systemd-networkd.service\","
	  "\"unit\":\"systemd-networkd.service\"},\"vf\":\"0000:3b:10.5\"}" },
	{ all_fields, VFT_EV_NETNS_INFO, NULL,
	  "18:40:01.123456 netns_info        netns           4026531840 host name cni-0b7c1d2e "
	  "pod c0ffee00-1111-2222-3333-444455556666 container d2fb7a57208a rdma mlx5_7 dev "
	  "0000:3b:10.5  by ip[4242] /system.slice/systemd-networkd.service",
	  "{\"type\":\"event\",\"event\":\"netns_info\","
	  "\"ts\":\"2025-11-28T18:40:01.123456789Z\",\"ts_ns\":1764355201123456789,"
	  "\"source\":\"fentry\",\"ifname\":\"ens1f0v3\",\"ifindex\":12,\"netns\":4026531840,"
	  "\"parent\":\"0000:3b:10.5\",\"host\":true,\"netns_name\":\"cni-0b7c1d2e\","
	  "\"pod\":\"c0ffee00-1111-2222-3333-444455556666\","
	  "\"container\":\"d2fb7a57208ab630227d342c59ed2ecdf58a8e47c856e86b7406562f29c7bc1d\","
	  "\"ret\":0,\"actor\":{\"pid\":4242,\"tid\":4243,\"comm\":\"ip\",\"netns\":4026531840,"
	  "\"cgroup_id\":77,\"cgroup\":\"/system.slice/systemd-networkd.service\","
	  "\"unit\":\"systemd-networkd.service\"},\"vf\":\"0000:3b:10.5\"}" },
	{ all_fields, VFT_EV_VF_CHECK, NULL,
	  "18:40:01.123456 vf_check          0000:3b:10.5    grace period over rdma mlx5_7 dev "
	  "0000:3b:10.5  by ip[4242] /system.slice/systemd-networkd.service",
	  "{\"type\":\"event\",\"event\":\"vf_check\","
	  "\"ts\":\"2025-11-28T18:40:01.123456789Z\",\"ts_ns\":1764355201123456789,"
	  "\"source\":\"fentry\",\"ifname\":\"ens1f0v3\",\"ifindex\":12,\"netns\":4026531840,"
	  "\"parent\":\"0000:3b:10.5\",\"ret\":0,\"actor\":{\"pid\":4242,\"tid\":4243,"
	  "\"comm\":\"ip\",\"netns\":4026531840,\"cgroup_id\":77,"
	  "\"cgroup\":\"/system.slice/systemd-networkd.service\","
	  "\"unit\":\"systemd-networkd.service\"},\"vf\":\"0000:3b:10.5\"}" },
	{ all_fields, VFT_EV_LOST, NULL,
	  "18:40:01.123456 lost              0000:3b:10.5    ifindex 12 netns 4026531840 rdma "
	  "mlx5_7 dev 0000:3b:10.5  by ip[4242] /system.slice/systemd-networkd.service",
	  "{\"type\":\"event\",\"event\":\"lost\",\"ts\":\"2025-11-28T18:40:01.123456789Z\","
	  "\"ts_ns\":1764355201123456789,\"source\":\"fentry\",\"ifname\":\"ens1f0v3\","
	  "\"ifindex\":12,\"netns\":4026531840,\"parent\":\"0000:3b:10.5\",\"ret\":0,"
	  "\"actor\":{\"pid\":4242,\"tid\":4243,\"comm\":\"ip\",\"netns\":4026531840,"
	  "\"cgroup_id\":77,\"cgroup\":\"/system.slice/systemd-networkd.service\","
	  "\"unit\":\"systemd-networkd.service\"},\"vf\":\"0000:3b:10.5\"}" },
	{ all_fields, VFT_EV_TRUST, NULL,
	  "18:40:01.123456 trust             0000:3b:10.5    ifindex 12 netns 4026531840 rdma "
	  "mlx5_7 dev 0000:3b:10.5  by ip[4242] /system.slice/systemd-networkd.service",
	  "{\"type\":\"event\",\"event\":\"trust\",\"ts\":\"2025-11-28T18:40:01.123456789Z\","
	  "\"ts_ns\":1764355201123456789,\"source\":\"fentry\",\"ifname\":\"ens1f0v3\","
	  "\"ifindex\":12,\"netns\":4026531840,\"parent\":\"0000:3b:10.5\",\"ret\":0,"
	  "\"actor\":{\"pid\":4242,\"tid\":4243,\"comm\":\"ip\",\"netns\":4026531840,"
	  "\"cgroup_id\":77,\"cgroup\":\"/system.slice/systemd-networkd.service\","
	  "\"unit\":\"systemd-networkd.service\"},\"vf\":\"0000:3b:10.5\"}" },
	{ all_fields, 99, NULL,
	  "18:40:01.123456 unknown           0000:3b:10.5    ifindex 12 netns 4026531840 rdma "
	  "mlx5_7 dev 0000:3b:10.5  by ip[4242] /system.slice/systemd-networkd.service",
	  "{\"type\":\"event\",\"event\":\"unknown\",\"ts\":\"2025-11-28T18:40:01.123456789Z\","
	  "\"ts_ns\":1764355201123456789,\"source\":\"fentry\",\"ifname\":\"ens1f0v3\","
	  "\"ifindex\":12,\"netns\":4026531840,\"parent\":\"0000:3b:10.5\",\"ret\":0,"
	  "\"actor\":{\"pid\":4242,\"tid\":4243,\"comm\":\"ip\",\"netns\":4026531840,"
	  "\"cgroup_id\":77,\"cgroup\":\"/system.slice/systemd-networkd.service\","
	  "\"unit\":\"systemd-networkd.service\"},\"vf\":\"0000:3b:10.5\"}" },
	{ failed, 0, NULL,
	  "18:40:01.123456 unknown           0000:3b:10.5    ifindex 12 netns 4026531840 rdma "
	  "mlx5_7 dev 0000:3b:10.5 FAILED EEXIST (-17) \"An interface with the same name "
	  "exists\"  by ip[4242] /system.slice/systemd-networkd.service",
	  "{\"type\":\"event\",\"event\":\"unknown\",\"ts\":\"2025-11-28T18:40:01.123456789Z\","
	  "\"ts_ns\":1764355201123456789,\"source\":\"fentry\",\"ifname\":\"ens1f0v3\","
	  "\"ifindex\":12,\"netns\":4026531840,\"parent\":\"0000:3b:10.5\",\"ret\":-17,"
	  "\"errno\":\"EEXIST\",\"message\":\"An interface with the same name exists\","
	  "\"actor\":{\"pid\":4242,\"tid\":4243,\"comm\":\"ip\",\"netns\":4026531840,"
	  "\"cgroup_id\":77,\"cgroup\":\"/system.slice/systemd-networkd.service\","
	  "\"unit\":\"systemd-networkd.service\"},\"vf\":\"0000:3b:10.5\"}" },
	{ failed, VFT_EV_NETDEV_REGISTER, NULL,
	  "18:40:01.123456 netdev_register   0000:3b:10.5    ifindex 12 netns 4026531840 rdma "
	  "mlx5_7 dev 0000:3b:10.5 FAILED EEXIST (-17) \"An interface with the same name "
	  "exists\"  by ip[4242] /system.slice/systemd-networkd.service",
	  "{\"type\":\"event\",\"event\":\"netdev_register\","
	  "\"ts\":\"2025-11-28T18:40:01.123456789Z\",\"ts_ns\":1764355201123456789,"
	  "\"source\":\"fentry\",\"ifname\":\"ens1f0v3\",\"ifindex\":12,\"netns\":4026531840,"
	  "\"parent\":\"0000:3b:10.5\",\"ret\":-17,\"errno\":\"EEXIST\","
	  "\"message\":\"An interface with the same name exists\",\"actor\":{\"pid\":4242,"
	  "\"tid\":4243,\"comm\":\"ip\",\"netns\":4026531840,\"cgroup_id\":77,"
	  "\"cgroup\":\"/system.slice/systemd-networkd.service\","
	  "\"unit\":\"systemd-networkd.service\"},\"vf\":\"0000:3b:10.5\"}" },
	{ failed, VFT_EV_NETDEV_UNREGISTER, NULL,
	  "18:40:01.123456 netdev_unregister 0000:3b:10.5    ifindex 12 netns 4026531840 rdma "
	  "mlx5_7 dev 0000:3b:10.5 FAILED EEXIST (-17) \"An interface with the same name "
	  "exists\"  by ip[4242] /system.slice/systemd-networkd.service",
	  "{\"type\":\"event\",\"event\":\"netdev_unregister\","
	  "\"ts\":\"2025-11-28T18:40:01.123456789Z\",\"ts_ns\":1764355201123456789,"
	  "\"source\":\"fentry\",\"ifname\":\"ens1f0v3\",\"ifindex\":12,\"netns\":4026531840,"
	  "\"parent\":\"0000:3b:10.5\",\"ret\":-17,\"errno\":\"EEXIST\","
	  "\"message\":\"An interface with the same name exists\",\"actor\":{\"pid\":4242,"
	  "\"tid\":4243,\"comm\":\"ip\",\"netns\":4026531840,\"cgroup_id\":77,"
	  "\"cgroup\":\"/system.slice/systemd-networkd.service\","
	  "\"unit\":\"systemd-networkd.service\"},\"vf\":\"0000:3b:10.5\"}" },
	{ failed, VFT_EV_NETNS_MOVE, NULL,
	  "18:40:01.123456 netns_move        0000:3b:10.5    netns 4026531840 -> 4026532291 as "
	  "net1 rdma mlx5_7 dev 0000:3b:10.5 FAILED EEXIST (-17) \"An interface with the same "
	  "name exists\"  by ip[4242] /system.slice/systemd-networkd.service",
	  "{\"type\":\"event\",\"event\":\"netns_move\","
	  "\"ts\":\"2025-11-28T18:40:01.123456789Z\",\"ts_ns\":1764355201123456789,"
	  "\"source\":\"fentry\",\"ifname\":\"ens1f0v3\",\"ifindex\":12,\"netns\":4026531840,"
	  "\"parent\":\"0000:3b:10.5\",\"from_netns\":4026531840,\"to_netns\":4026532291,"
	  "\"new_ifindex\":3,\"new_ifname\":\"net1\",\"ret\":-17,\"errno\":\"EEXIST\","
	  "\"message\":\"An interface with the same name exists\",\"actor\":{\"pid\":4242,"
	  "\"tid\":4243,\"comm\":\"ip\",\"netns\":4026531840,\"cgroup_id\":77,"
	  "\"cgroup\":\"/system.slice/systemd-networkd.service\","
	  "\"unit\":\"systemd-networkd.service\"},\"vf\":\"0000:3b:10.5\"}" },
	{ failed, VFT_EV_NETDEV_RENAME, NULL,
	  "18:40:01.123456 netdev_rename     0000:3b:10.5    -> net1 netns 4026531840 rdma "
	  "mlx5_7 dev 0000:3b:10.5 FAILED EEXIST (-17) \"An interface with the same name "
	  "exists\"  by ip[4242] /system.slice/systemd-networkd.service",
	  "{\"type\":\"event\",\"event\":\"netdev_rename\","
	  "\"ts\":\"2025-11-28T18:40:01.123456789Z\",\"ts_ns\":1764355201123456789,"
	  "\"source\":\"fentry\",\"ifname\":\"ens1f0v3\",\"ifindex\":12,\"netns\":4026531840,"
	  "\"parent\":\"0000:3b:10.5\",\"new_ifname\":\"net1\",\"ret\":-17,"
	  "\"errno\":\"EEXIST\",\"message\":\"An interface with the same name exists\","
	  "\"actor\":{\"pid\":4242,\"tid\":4243,\"comm\":\"ip\",\"netns\":4026531840,"
	  "\"cgroup_id\":77,\"cgroup\":\"/system.slice/systemd-networkd.service\","
	  "\"unit\":\"systemd-networkd.service\"},\"vf\":\"0000:3b:10.5\"}" },
	{ failed, VFT_EV_LINK_CHANGE, NULL,
	  "18:40:01.123456 link_change       0000:3b:10.5    UP flags 0x1002 -> 0x1043 rdma "
	  "mlx5_7 dev 0000:3b:10.5 FAILED EEXIST (-17) \"An interface with the same name "
	  "exists\"  by ip[4242] /system.slice/systemd-networkd.service",
	  "{\"type\":\"event\",\"event\":\"link_change\","
	  "\"ts\":\"2025-11-28T18:40:01.123456789Z\",\"ts_ns\":1764355201123456789,"
	  "\"source\":\"fentry\",\"ifname\":\"ens1f0v3\",\"ifindex\":12,\"netns\":4026531840,"
	  "\"parent\":\"0000:3b:10.5\",\"flags\":4163,\"old_flags\":4098,\"up\":true,"
	  "\"was_up\":false,\"ret\":-17,\"errno\":\"EEXIST\","
	  "\"message\":\"An interface with the same name exists\",\"actor\":{\"pid\":4242,"
	  "\"tid\":4243,\"comm\":\"ip\",\"netns\":4026531840,\"cgroup_id\":77,"
	  "\"cgroup\":\"/system.slice/systemd-networkd.service\","
	  "\"unit\":\"systemd-networkd.service\"},\"vf\":\"0000:3b:10.5\"}" },
	{ failed, VFT_EV_ADDR_ADD, NULL,
	  "18:40:01.123456 addr_add          0000:3b:10.5    fd00::5/64 netns 4026531840 rdma "
	  "mlx5_7 dev 0000:3b:10.5 FAILED EEXIST (-17) \"An interface with the same name "
	  "exists\"  by ip[4242] /system.slice/systemd-networkd.service",
	  "{\"type\":\"event\",\"event\":\"addr_add\","
	  "\"ts\":\"2025-11-28T18:40:01.123456789Z\",\"ts_ns\":1764355201123456789,"
	  "\"source\":\"fentry\",\"ifname\":\"ens1f0v3\",\"ifindex\":12,\"netns\":4026531840,"
	  "\"parent\":\"0000:3b:10.5\",\"family\":\"inet6\",\"address\":\"fd00::5\","
	  "\"prefixlen\":64,\"ret\":-17,\"errno\":\"EEXIST\","
	  "\"message\":\"An interface with the same name exists\",\"actor\":{\"pid\":4242,"
	  "\"tid\":4243,\"comm\":\"ip\",\"netns\":4026531840,\"cgroup_id\":77,"
	  "\"cgroup\":\"/system.slice/systemd-networkd.service\","
	  "\"unit\":\"systemd-networkd.service\"},\"vf\":\"0000:3b:10.5\"}" },
	{ failed, VFT_EV_ADDR_DEL, NULL,
	  "18:40:01.123456 addr_del          0000:3b:10.5    fd00::5/64 netns 4026531840 rdma "
	  "mlx5_7 dev 0000:3b:10.5 FAILED EEXIST (-17) \"An interface with the same name "
	  "exists\"  by ip[4242] /system.slice/systemd-networkd.service",
	  "{\"type\":\"event\",\"event\":\"addr_del\","
	  "\"ts\":\"2025-11-28T18:40:01.123456789Z\",\"ts_ns\":1764355201123456789,"
	  "\"source\":\"fentry\",\"ifname\":\"ens1f0v3\",\"ifindex\":12,\"netns\":4026531840,"
	  "\"parent\":\"0000:3b:10.5\",\"family\":\"inet6\",\"address\":\"fd00::5\","
	  "\"prefixlen\":64,\"ret\":-17,\"errno\":\"EEXIST\","
	  "\"message\":\"An interface with the same name exists\",\"actor\":{\"pid\":4242,"
	  "\"tid\":4243,\"comm\":\"ip\",\"netns\":4026531840,\"cgroup_id\":77,"
	  "\"cgroup\":\"/system.slice/systemd-networkd.service\","
	  "\"unit\":\"systemd-networkd.service\"},\"vf\":\"0000:3b:10.5\"}" },
	{ failed, VFT_EV_DRIVER_BIND, NULL,
	  "18:40:01.123456 driver_bind       0000:3b:10.5    driver mlx5_core rdma mlx5_7 dev "
	  "0000:3b:10.5 FAILED EEXIST (-17) \"An interface with the same name exists\"  by "
	  "ip[4242] /system.slice/systemd-networkd.service",
	  "{\"type\":\"event\",\"event\":\"driver_bind\","
	  "\"ts\":\"2025-11-28T18:40:01.123456789Z\",\"ts_ns\":1764355201123456789,"
	  "\"source\":\"fentry\",\"ifname\":\"ens1f0v3\",\"ifindex\":12,\"netns\":4026531840,"
	  "\"parent\":\"0000:3b:10.5\",\"device\":\"0000:3b:10.5\",\"driver\":\"mlx5_core\","
	  "\"ret\":-17,\"errno\":\"EEXIST\","
	  "\"message\":\"An interface with the same name exists\",\"actor\":{\"pid\":4242,"
	  "\"tid\":4243,\"comm\":\"ip\",\"netns\":4026531840,\"cgroup_id\":77,"
	  "\"cgroup\":\"/system.slice/systemd-networkd.service\","
	  "\"unit\":\"systemd-networkd.service\"},\"vf\":\"0000:3b:10.5\"}" },
	{ failed, VFT_EV_DRIVER_UNBIND, NULL,
	  "18:40:01.123456 driver_unbind     0000:3b:10.5    driver mlx5_core rdma mlx5_7 dev "
	  "0000:3b:10.5 FAILED EEXIST (-17) \"An interface with the same name exists\"  by "
	  "ip[4242] /system.slice/systemd-networkd.service",
	  "{\"type\":\"event\",\"event\":\"driver_unbind\","
	  "\"ts\":\"2025-11-28T18:40:01.123456789Z\",\"ts_ns\":1764355201123456789,"
	  "\"source\":\"fentry\",\"ifname\":\"ens1f0v3\",\"ifindex\":12,\"netns\":4026531840,"
	  "\"parent\":\"0000:3b:10.5\",\"device\":\"0000:3b:10.5\",\"driver\":\"mlx5_core\","
	  "\"ret\":-17,\"errno\":\"EEXIST\","
	  "\"message\":\"An interface with the same name exists\",\"actor\":{\"pid\":4242,"
	  "\"tid\":4243,\"comm\":\"ip\",\"netns\":4026531840,\"cgroup_id\":77,"
	  "\"cgroup\":\"/system.slice/systemd-networkd.service\","
	  "\"unit\":\"systemd-networkd.service\"},\"vf\":\"0000:3b:10.5\"}" },
	{ failed, VFT_EV_SRIOV_NUMVFS, NULL,
	  "18:40:01.123456 sriov_numvfs      0000:3b:10.5    numvfs 4 -> 8 rdma mlx5_7 dev "
	  "0000:3b:10.5 FAILED EEXIST (-17) \"An interface with the same name exists\"  by "
	  "ip[4242] /system.slice/systemd-networkd.service",
	  "{\"type\":\"event\",\"event\":\"sriov_numvfs\","
	  "\"ts\":\"2025-11-28T18:40:01.123456789Z\",\"ts_ns\":1764355201123456789,"
	  "\"source\":\"fentry\",\"ifname\":\"ens1f0v3\",\"ifindex\":12,\"netns\":4026531840,"
	  "\"parent\":\"0000:3b:10.5\",\"pf\":\"0000:3b:00.0\",\"num_vfs\":8,\"old_num_vfs\":4,"
	  "\"ret\":-17,\"errno\":\"EEXIST\","
	  "\"message\":\"An interface with the same name exists\",\"actor\":{\"pid\":4242,"
	  "\"tid\":4243,\"comm\":\"ip\",\"netns\":4026531840,\"cgroup_id\":77,"
	  "\"cgroup\":\"/system.slice/systemd-networkd.service\","
	  "\"unit\":\"systemd-networkd.service\"},\"vf\":\"0000:3b:10.5\"}" },
	{ failed, VFT_EV_VF_ADD, NULL,
	  "18:40:01.123456 vf_add            0000:3b:10.5    vf 3 0000:3b:10.5 rdma mlx5_7 dev "
	  "0000:3b:10.5 FAILED EEXIST (-17) \"An interface with the same name exists\"  by "
	  "ip[4242] /system.slice/systemd-networkd.service",
	  "{\"type\":\"event\",\"event\":\"vf_add\",\"ts\":\"2025-11-28T18:40:01.123456789Z\","
	  "\"ts_ns\":1764355201123456789,\"source\":\"fentry\",\"ifname\":\"ens1f0v3\","
	  "\"ifindex\":12,\"netns\":4026531840,\"parent\":\"0000:3b:10.5\","
	  "\"pf\":\"0000:3b:00.0\",\"vf_index\":3,\"vf\":\"0000:3b:10.5\",\"ret\":-17,"
	  "\"errno\":\"EEXIST\",\"message\":\"An interface with the same name exists\","
	  "\"actor\":{\"pid\":4242,\"tid\":4243,\"comm\":\"ip\",\"netns\":4026531840,"
	  "\"cgroup_id\":77,\"cgroup\":\"/system.slice/systemd-networkd.service\","
	  "\"unit\":\"systemd-networkd.service\"}}" },
	{ failed, VFT_EV_VF_REMOVE, NULL,
	  "18:40:01.123456 vf_remove         0000:3b:10.5    vf 3 0000:3b:10.5 rdma mlx5_7 dev "
	  "0000:3b:10.5 FAILED EEXIST (-17) \"An interface with the same name exists\"  by "
	  "ip[4242] /system.slice/systemd-networkd.service",
	  "{\"type\":\"event\",\"event\":\"vf_remove\","
	  "\"ts\":\"2025-11-28T18:40:01.123456789Z\",\"ts_ns\":1764355201123456789,"
	  "\"source\":\"fentry\",\"ifname\":\"ens1f0v3\",\"ifindex\":12,\"netns\":4026531840,"
	  "\"parent\":\"0000:3b:10.5\",\"pf\":\"0000:3b:00.0\",\"vf_index\":3,"
	  "\"vf\":\"0000:3b:10.5\",\"ret\":-17,\"errno\":\"EEXIST\","
	  "\"message\":\"An interface with the same name exists\",\"actor\":{\"pid\":4242,"
	  "\"tid\":4243,\"comm\":\"ip\",\"netns\":4026531840,\"cgroup_id\":77,"
	  "\"cgroup\":\"/system.slice/systemd-networkd.service\","
	  "\"unit\":\"systemd-networkd.service\"}}" },
	{ failed, VFT_EV_RDMA_REGISTER, NULL,
	  "18:40:01.123456 rdma_register     0000:3b:10.5    ifindex 12 netns 4026531840 rdma "
	  "mlx5_7 dev 0000:3b:10.5 FAILED EEXIST (-17) \"An interface with the same name "
	  "exists\"  by ip[4242] /system.slice/systemd-networkd.service",
	  "{\"type\":\"event\",\"event\":\"rdma_register\","
	  "\"ts\":\"2025-11-28T18:40:01.123456789Z\",\"ts_ns\":1764355201123456789,"
	  "\"source\":\"fentry\",\"ifname\":\"ens1f0v3\",\"ifindex\":12,\"netns\":4026531840,"
	  "\"parent\":\"0000:3b:10.5\",\"ibdev\":\"mlx5_7\","
	  "\"node_guid\":\"b8ce:f603:00a4:1010\",\"state\":\"ACTIVE\",\"phys_state\":5,"
	  "\"lid\":18,\"sm_lid\":1,\"port_guid\":\"b8ce:f603:00a4:1011\","
	  "\"link_layer\":\"InfiniBand\",\"gids\":3,\"rocev2_gids\":1,\"ip_gids\":1,"
	  "\"ret\":-17,\"errno\":\"EEXIST\","
	  "\"message\":\"An interface with the same name exists\",\"actor\":{\"pid\":4242,"
	  "\"tid\":4243,\"comm\":\"ip\",\"netns\":4026531840,\"cgroup_id\":77,"
	  "\"cgroup\":\"/system.slice/systemd-networkd.service\","
	  "\"unit\":\"systemd-networkd.service\"},\"vf\":\"0000:3b:10.5\"}" },
	{ failed, VFT_EV_RDMA_UNREGISTER, NULL,
	  "18:40:01.123456 rdma_unregister   0000:3b:10.5    ifindex 12 netns 4026531840 rdma "
	  "mlx5_7 dev 0000:3b:10.5 FAILED EEXIST (-17) \"An interface with the same name "
	  "exists\"  by ip[4242] /system.slice/systemd-networkd.service",
	  "{\"type\":\"event\",\"event\":\"rdma_unregister\","
	  "\"ts\":\"2025-11-28T18:40:01.123456789Z\",\"ts_ns\":1764355201123456789,"
	  "\"source\":\"fentry\",\"ifname\":\"ens1f0v3\",\"ifindex\":12,\"netns\":4026531840,"
	  "\"parent\":\"0000:3b:10.5\",\"ibdev\":\"mlx5_7\","
	  "\"node_guid\":\"b8ce:f603:00a4:1010\",\"state\":\"ACTIVE\",\"phys_state\":5,"
	  "\"lid\":18,\"sm_lid\":1,\"port_guid\":\"b8ce:f603:00a4:1011\","
	  "\"link_layer\":\"InfiniBand\",\"gids\":3,\"rocev2_gids\":1,\"ip_gids\":1,"
	  "\"ret\":-17,\"errno\":\"EEXIST\","
	  "\"message\":\"An interface with the same name exists\",\"actor\":{\"pid\":4242,"
	  "\"tid\":4243,\"comm\":\"ip\",\"netns\":4026531840,\"cgroup_id\":77,"
	  "\"cgroup\":\"/system.slice/systemd-networkd.service\","
	  "\"unit\":\"systemd-networkd.service\"},\"vf\":\"0000:3b:10.5\"}" },
	{ failed, VFT_EV_RDMA_RENAME, NULL,
	  "18:40:01.123456 rdma_rename       0000:3b:10.5    -> mlx5_70 rdma mlx5_7 dev "
	  "0000:3b:10.5 FAILED EEXIST (-17) \"An interface with the same name exists\"  by "
	  "ip[4242] /system.slice/systemd-networkd.service",
	  "{\"type\":\"event\",\"event\":\"rdma_rename\","
	  "\"ts\":\"2025-11-28T18:40:01.123456789Z\",\"ts_ns\":1764355201123456789,"
	  "\"source\":\"fentry\",\"ifname\":\"ens1f0v3\",\"ifindex\":12,\"netns\":4026531840,"
	  "\"parent\":\"0000:3b:10.5\",\"ibdev\":\"mlx5_7\","
	  "\"node_guid\":\"b8ce:f603:00a4:1010\",\"new_ibdev\":\"mlx5_70\","
	  "\"state\":\"ACTIVE\",\"phys_state\":5,\"lid\":18,\"sm_lid\":1,"
	  "\"port_guid\":\"b8ce:f603:00a4:1011\",\"link_layer\":\"InfiniBand\",\"gids\":3,"
	  "\"rocev2_gids\":1,\"ip_gids\":1,\"ret\":-17,\"errno\":\"EEXIST\","
	  "\"message\":\"An interface with the same name exists\",\"actor\":{\"pid\":4242,"
	  "\"tid\":4243,\"comm\":\"ip\",\"netns\":4026531840,\"cgroup_id\":77,"
	  "\"cgroup\":\"/system.slice/systemd-networkd.service\","
	  "\"unit\":\"systemd-networkd.service\"},\"vf\":\"0000:3b:10.5\"}" },
	{ failed, VFT_EV_RDMA_NETNS_MOVE, NULL,
	  "18:40:01.123456 rdma_netns_move   0000:3b:10.5    -> netns 4026532291 rdma mlx5_7 "
	  "dev 0000:3b:10.5 FAILED EEXIST (-17) \"An interface with the same name exists\"  by "
	  "ip[4242] /system.slice/systemd-networkd.service",
	  "{\"type\":\"event\",\"event\":\"rdma_netns_move\","
	  "\"ts\":\"2025-11-28T18:40:01.123456789Z\",\"ts_ns\":1764355201123456789,"
	  "\"source\":\"fentry\",\"ifname\":\"ens1f0v3\",\"ifindex\":12,\"netns\":4026531840,"
	  "\"parent\":\"0000:3b:10.5\",\"ibdev\":\"mlx5_7\","
	  "\"node_guid\":\"b8ce:f603:00a4:1010\",\"to_netns\":4026532291,\"state\":\"ACTIVE\","
	  "\"phys_state\":5,\"lid\":18,\"sm_lid\":1,\"port_guid\":\"b8ce:f603:00a4:1011\","
	  "\"link_layer\":\"InfiniBand\",\"gids\":3,\"rocev2_gids\":1,\"ip_gids\":1,"
	  "\"ret\":-17,\"errno\":\"EEXIST\","
	  "\"message\":\"An interface with the same name exists\",\"actor\":{\"pid\":4242,"
	  "\"tid\":4243,\"comm\":\"ip\",\"netns\":4026531840,\"cgroup_id\":77,"
	  "\"cgroup\":\"/system.slice/systemd-networkd.service\","
	  "\"unit\":\"systemd-networkd.service\"},\"vf\":\"0000:3b:10.5\"}" },
	{ failed, VFT_EV_RDMA_PORT_EVENT, NULL,
	  "18:40:01.123456 rdma_port_event   0000:3b:10.5    port 1 PORT_ACTIVE rdma mlx5_7 "
	  "dev 0000:3b:10.5 FAILED EEXIST (-17) \"An interface with the same name exists\"  by "
	  "ip[4242] /system.slice/systemd-networkd.service",
	  "{\"type\":\"event\",\"event\":\"rdma_port_event\","
	  "\"ts\":\"2025-11-28T18:40:01.123456789Z\",\"ts_ns\":1764355201123456789,"
	  "\"source\":\"fentry\",\"ifname\":\"ens1f0v3\",\"ifindex\":12,\"netns\":4026531840,"
	  "\"parent\":\"0000:3b:10.5\",\"ibdev\":\"mlx5_7\","
	  "\"node_guid\":\"b8ce:f603:00a4:1010\",\"port\":1,\"port_event\":\"PORT_ACTIVE\","
	  "\"state\":\"ACTIVE\",\"phys_state\":5,\"lid\":18,\"sm_lid\":1,"
	  "\"port_guid\":\"b8ce:f603:00a4:1011\",\"link_layer\":\"InfiniBand\",\"gids\":3,"
	  "\"rocev2_gids\":1,\"ip_gids\":1,\"ret\":-17,\"errno\":\"EEXIST\","
	  "\"message\":\"An interface with the same name exists\",\"actor\":{\"pid\":4242,"
	  "\"tid\":4243,\"comm\":\"ip\",\"netns\":4026531840,\"cgroup_id\":77,"
	  "\"cgroup\":\"/system.slice/systemd-networkd.service\","
	  "\"unit\":\"systemd-networkd.service\"},\"vf\":\"0000:3b:10.5\"}" },
	{ failed, VFT_EV_RDMA_PORT_STATE, NULL,
	  "18:40:01.123456 rdma_port_state   0000:3b:10.5    port 1 ACTIVE lid 0x12 sm_lid 0x1 "
	  "InfiniBand rdma mlx5_7 dev 0000:3b:10.5 FAILED EEXIST (-17) \"An interface with the "
	  "same name exists\"  by ip[4242] /system.slice/systemd-networkd.service",
	  "{\"type\":\"event\",\"event\":\"rdma_port_state\","
	  "\"ts\":\"2025-11-28T18:40:01.123456789Z\",\"ts_ns\":1764355201123456789,"
	  "\"source\":\"fentry\",\"ifname\":\"ens1f0v3\",\"ifindex\":12,\"netns\":4026531840,"
	  "\"parent\":\"0000:3b:10.5\",\"ibdev\":\"mlx5_7\","
	  "\"node_guid\":\"b8ce:f603:00a4:1010\",\"port\":1,\"state\":\"ACTIVE\","
	  "\"phys_state\":5,\"lid\":18,\"sm_lid\":1,\"port_guid\":\"b8ce:f603:00a4:1011\","
	  "\"link_layer\":\"InfiniBand\",\"gids\":3,\"rocev2_gids\":1,\"ip_gids\":1,"
	  "\"ret\":-17,\"errno\":\"EEXIST\","
	  "\"message\":\"An interface with the same name exists\",\"actor\":{\"pid\":4242,"
	  "\"tid\":4243,\"comm\":\"ip\",\"netns\":4026531840,\"cgroup_id\":77,"
	  "\"cgroup\":\"/system.slice/systemd-networkd.service\","
	  "\"unit\":\"systemd-networkd.service\"},\"vf\":\"0000:3b:10.5\"}" },
	{ failed, VFT_EV_NETLINK_ERROR, NULL,
	  "18:40:01.123456 netlink_error     0000:3b:10.5    \"An interface with the same name "
	  "exists\" rdma mlx5_7 dev 0000:3b:10.5 FAILED EEXIST (-17)  by ip[4242] "
	  "/system.slice/systemd-networkd.service",
	  "{\"type\":\"event\",\"event\":\"netlink_error\","
	  "\"ts\":\"2025-11-28T18:40:01.123456789Z\",\"ts_ns\":1764355201123456789,"
	  "\"source\":\"fentry\",\"ifname\":\"ens1f0v3\",\"ifindex\":12,\"netns\":4026531840,"
	  "\"parent\":\"0000:3b:10.5\",\"ret\":-17,\"errno\":\"EEXIST\","
	  "\"message\":\"An interface with the same name exists\",\"actor\":{\"pid\":4242,"
	  "\"tid\":4243,\"comm\":\"ip\",\"netns\":4026531840,\"cgroup_id\":77,"
	  "\"cgroup\":\"/system.slice/systemd-networkd.service\","
	  "\"unit\":\"systemd-networkd.service\"},\"vf\":\"0000:3b:10.5\"}" },
	{ failed, VFT_EV_NETNS_INFO, NULL,
	  "18:40:01.123456 netns_info        netns           4026531840 host name cni-0b7c1d2e "
	  "pod c0ffee00-1111-2222-3333-444455556666 container d2fb7a57208a rdma mlx5_7 dev "
	  "0000:3b:10.5 FAILED EEXIST (-17) \"An interface with the same name exists\"  by "
	  "ip[4242] /system.slice/systemd-networkd.service",
	  "{\"type\":\"event\",\"event\":\"netns_info\","
	  "\"ts\":\"2025-11-28T18:40:01.123456789Z\",\"ts_ns\":1764355201123456789,"
	  "\"source\":\"fentry\",\"ifname\":\"ens1f0v3\",\"ifindex\":12,\"netns\":4026531840,"
	  "\"parent\":\"0000:3b:10.5\",\"host\":true,\"netns_name\":\"cni-0b7c1d2e\","
	  "\"pod\":\"c0ffee00-1111-2222-3333-444455556666\","
	  "\"container\":\"d2fb7a57208ab630227d342c59ed2ecdf58a8e47c856e86b7406562f29c7bc1d\","
	  "\"ret\":-17,\"errno\":\"EEXIST\","
	  "\"message\":\"An interface with the same name exists\",\"actor\":{\"pid\":4242,"
	  "\"tid\":4243,\"comm\":\"ip\",\"netns\":4026531840,\"cgroup_id\":77,"
	  "\"cgroup\":\"/system.slice/systemd-networkd.service\","
	  "\"unit\":\"systemd-networkd.service\"},\"vf\":\"0000:3b:10.5\"}" },
	{ failed, VFT_EV_VF_CHECK, NULL,
	  "18:40:01.123456 vf_check          0000:3b:10.5    grace period over rdma mlx5_7 dev "
	  "0000:3b:10.5 FAILED EEXIST (-17) \"An interface with the same name exists\"  by "
	  "ip[4242] /system.slice/systemd-networkd.service",
	  "{\"type\":\"event\",\"event\":\"vf_check\","
	  "\"ts\":\"2025-11-28T18:40:01.123456789Z\",\"ts_ns\":1764355201123456789,"
	  "\"source\":\"fentry\",\"ifname\":\"ens1f0v3\",\"ifindex\":12,\"netns\":4026531840,"
	  "\"parent\":\"0000:3b:10.5\",\"ret\":-17,\"errno\":\"EEXIST\","
	  "\"message\":\"An interface with the same name exists\",\"actor\":{\"pid\":4242,"
	  "\"tid\":4243,\"comm\":\"ip\",\"netns\":4026531840,\"cgroup_id\":77,"
	  "\"cgroup\":\"/system.slice/systemd-networkd.service\","
	  "\"unit\":\"systemd-networkd.service\"},\"vf\":\"0000:3b:10.5\"}" },
	{ failed, VFT_EV_LOST, NULL,
	  "18:40:01.123456 lost              0000:3b:10.5    ifindex 12 netns 4026531840 rdma "
	  "mlx5_7 dev 0000:3b:10.5 FAILED EEXIST (-17) \"An interface with the same name "
	  "exists\"  by ip[4242] /system.slice/systemd-networkd.service",
	  "{\"type\":\"event\",\"event\":\"lost\",\"ts\":\"2025-11-28T18:40:01.123456789Z\","
	  "\"ts_ns\":1764355201123456789,\"source\":\"fentry\",\"ifname\":\"ens1f0v3\","
	  "\"ifindex\":12,\"netns\":4026531840,\"parent\":\"0000:3b:10.5\",\"ret\":-17,"
	  "\"errno\":\"EEXIST\",\"message\":\"An interface with the same name exists\","
	  "\"actor\":{\"pid\":4242,\"tid\":4243,\"comm\":\"ip\",\"netns\":4026531840,"
	  "\"cgroup_id\":77,\"cgroup\":\"/system.slice/systemd-networkd.service\","
	  "\"unit\":\"systemd-networkd.service\"},\"vf\":\"0000:3b:10.5\"}" },
	{ failed, VFT_EV_TRUST, NULL,
	  "18:40:01.123456 trust             0000:3b:10.5    ifindex 12 netns 4026531840 rdma "
	  "mlx5_7 dev 0000:3b:10.5 FAILED EEXIST (-17) \"An interface with the same name "
	  "exists\"  by ip[4242] /system.slice/systemd-networkd.service",
	  "{\"type\":\"event\",\"event\":\"trust\",\"ts\":\"2025-11-28T18:40:01.123456789Z\","
	  "\"ts_ns\":1764355201123456789,\"source\":\"fentry\",\"ifname\":\"ens1f0v3\","
	  "\"ifindex\":12,\"netns\":4026531840,\"parent\":\"0000:3b:10.5\",\"ret\":-17,"
	  "\"errno\":\"EEXIST\",\"message\":\"An interface with the same name exists\","
	  "\"actor\":{\"pid\":4242,\"tid\":4243,\"comm\":\"ip\",\"netns\":4026531840,"
	  "\"cgroup_id\":77,\"cgroup\":\"/system.slice/systemd-networkd.service\","
	  "\"unit\":\"systemd-networkd.service\"},\"vf\":\"0000:3b:10.5\"}" },
	{ failed, 99, NULL,
	  "18:40:01.123456 unknown           0000:3b:10.5    ifindex 12 netns 4026531840 rdma "
	  "mlx5_7 dev 0000:3b:10.5 FAILED EEXIST (-17) \"An interface with the same name "
	  "exists\"  by ip[4242] /system.slice/systemd-networkd.service",
	  "{\"type\":\"event\",\"event\":\"unknown\",\"ts\":\"2025-11-28T18:40:01.123456789Z\","
	  "\"ts_ns\":1764355201123456789,\"source\":\"fentry\",\"ifname\":\"ens1f0v3\","
	  "\"ifindex\":12,\"netns\":4026531840,\"parent\":\"0000:3b:10.5\",\"ret\":-17,"
	  "\"errno\":\"EEXIST\",\"message\":\"An interface with the same name exists\","
	  "\"actor\":{\"pid\":4242,\"tid\":4243,\"comm\":\"ip\",\"netns\":4026531840,"
	  "\"cgroup_id\":77,\"cgroup\":\"/system.slice/systemd-networkd.service\","
	  "\"unit\":\"systemd-networkd.service\"},\"vf\":\"0000:3b:10.5\"}" },
	{ bare, 0, NULL,
	  "18:40:01.000001 unknown           net1            ifindex 3 netns 4026532291",
	  "{\"type\":\"event\",\"event\":\"unknown\",\"ts\":\"2025-11-28T18:40:01.000001000Z\","
	  "\"ts_ns\":1764355201000001000,\"source\":\"netlink\",\"ifname\":\"net1\","
	  "\"ifindex\":3,\"netns\":4026532291}" },
	{ bare, VFT_EV_NETDEV_REGISTER, NULL,
	  "18:40:01.000001 netdev_register   net1            ifindex 3 netns 4026532291",
	  "{\"type\":\"event\",\"event\":\"netdev_register\","
	  "\"ts\":\"2025-11-28T18:40:01.000001000Z\",\"ts_ns\":1764355201000001000,"
	  "\"source\":\"netlink\",\"ifname\":\"net1\",\"ifindex\":3,\"netns\":4026532291}" },
	{ bare, VFT_EV_NETDEV_UNREGISTER, NULL,
	  "18:40:01.000001 netdev_unregister net1            ifindex 3 netns 4026532291",
	  "{\"type\":\"event\",\"event\":\"netdev_unregister\","
	  "\"ts\":\"2025-11-28T18:40:01.000001000Z\",\"ts_ns\":1764355201000001000,"
	  "\"source\":\"netlink\",\"ifname\":\"net1\",\"ifindex\":3,\"netns\":4026532291}" },
	{ bare, VFT_EV_NETNS_MOVE, NULL,
	  "18:40:01.000001 netns_move        net1            netns 0 -> 0 ifindex 3 -> 0",
	  "{\"type\":\"event\",\"event\":\"netns_move\","
	  "\"ts\":\"2025-11-28T18:40:01.000001000Z\",\"ts_ns\":1764355201000001000,"
	  "\"source\":\"netlink\",\"ifname\":\"net1\",\"ifindex\":3,\"netns\":4026532291,"
	  "\"from_netns\":0,\"to_netns\":0,\"new_ifindex\":0}" },
	{ bare, VFT_EV_NETDEV_RENAME, NULL,
	  "18:40:01.000001 netdev_rename     net1            -> net1 netns 4026532291",
	  "{\"type\":\"event\",\"event\":\"netdev_rename\","
	  "\"ts\":\"2025-11-28T18:40:01.000001000Z\",\"ts_ns\":1764355201000001000,"
	  "\"source\":\"netlink\",\"ifname\":\"net1\",\"ifindex\":3,\"netns\":4026532291,"
	  "\"new_ifname\":\"net1\"}" },
	{ bare, VFT_EV_LINK_CHANGE, NULL,
	  "18:40:01.000001 link_change       net1            flags flags 0x0 -> 0x0",
	  "{\"type\":\"event\",\"event\":\"link_change\","
	  "\"ts\":\"2025-11-28T18:40:01.000001000Z\",\"ts_ns\":1764355201000001000,"
	  "\"source\":\"netlink\",\"ifname\":\"net1\",\"ifindex\":3,\"netns\":4026532291,"
	  "\"flags\":0,\"old_flags\":0,\"up\":false,\"was_up\":false}" },
	{ bare, VFT_EV_ADDR_ADD, NULL,
	  "18:40:01.000001 addr_add          net1            ?/0 netns 4026532291",
	  "{\"type\":\"event\",\"event\":\"addr_add\","
	  "\"ts\":\"2025-11-28T18:40:01.000001000Z\",\"ts_ns\":1764355201000001000,"
	  "\"source\":\"netlink\",\"ifname\":\"net1\",\"ifindex\":3,\"netns\":4026532291,"
	  "\"family\":\"inet\",\"address\":\"?\",\"prefixlen\":0}" },
	{ bare, VFT_EV_ADDR_DEL, NULL,
	  "18:40:01.000001 addr_del          net1            ?/0 netns 4026532291",
	  "{\"type\":\"event\",\"event\":\"addr_del\","
	  "\"ts\":\"2025-11-28T18:40:01.000001000Z\",\"ts_ns\":1764355201000001000,"
	  "\"source\":\"netlink\",\"ifname\":\"net1\",\"ifindex\":3,\"netns\":4026532291,"
	  "\"family\":\"inet\",\"address\":\"?\",\"prefixlen\":0}" },
	{ bare, VFT_EV_DRIVER_BIND, NULL,
	  "18:40:01.000001 driver_bind       net1            driver ",
	  "{\"type\":\"event\",\"event\":\"driver_bind\","
	  "\"ts\":\"2025-11-28T18:40:01.000001000Z\",\"ts_ns\":1764355201000001000,"
	  "\"source\":\"netlink\",\"ifname\":\"net1\",\"ifindex\":3,\"netns\":4026532291,"
	  "\"device\":\"\",\"driver\":\"\"}" },
	{ bare, VFT_EV_DRIVER_UNBIND, NULL,
	  "18:40:01.000001 driver_unbind     net1            driver ",
	  "{\"type\":\"event\",\"event\":\"driver_unbind\","
	  "\"ts\":\"2025-11-28T18:40:01.000001000Z\",\"ts_ns\":1764355201000001000,"
	  "\"source\":\"netlink\",\"ifname\":\"net1\",\"ifindex\":3,\"netns\":4026532291,"
	  "\"device\":\"\",\"driver\":\"\"}" },
	{ bare, VFT_EV_SRIOV_NUMVFS, NULL,
	  "18:40:01.000001 sriov_numvfs      net1            numvfs 0 -> 0",
	  "{\"type\":\"event\",\"event\":\"sriov_numvfs\","
	  "\"ts\":\"2025-11-28T18:40:01.000001000Z\",\"ts_ns\":1764355201000001000,"
	  "\"source\":\"netlink\",\"ifname\":\"net1\",\"ifindex\":3,\"netns\":4026532291,"
	  "\"pf\":\"\",\"num_vfs\":0,\"old_num_vfs\":0}" },
	{ bare, VFT_EV_VF_ADD, NULL, "18:40:01.000001 vf_add            net1            vf 0 ",
	  "{\"type\":\"event\",\"event\":\"vf_add\",\"ts\":\"2025-11-28T18:40:01.000001000Z\","
	  "\"ts_ns\":1764355201000001000,\"source\":\"netlink\",\"ifname\":\"net1\","
	  "\"ifindex\":3,\"netns\":4026532291,\"pf\":\"\",\"vf_index\":0}" },
	{ bare, VFT_EV_VF_REMOVE, NULL, "18:40:01.000001 vf_remove         net1            vf 0 ",
	  "{\"type\":\"event\",\"event\":\"vf_remove\","
	  "\"ts\":\"2025-11-28T18:40:01.000001000Z\",\"ts_ns\":1764355201000001000,"
	  "\"source\":\"netlink\",\"ifname\":\"net1\",\"ifindex\":3,\"netns\":4026532291,"
	  "\"pf\":\"\",\"vf_index\":0}" },
	{ bare, VFT_EV_RDMA_REGISTER, NULL,
	  "18:40:01.000001 rdma_register     net1            ifindex 3 netns 4026532291",
	  "{\"type\":\"event\",\"event\":\"rdma_register\","
	  "\"ts\":\"2025-11-28T18:40:01.000001000Z\",\"ts_ns\":1764355201000001000,"
	  "\"source\":\"netlink\",\"ifname\":\"net1\",\"ifindex\":3,\"netns\":4026532291,"
	  "\"ibdev\":\"\"}" },
	{ bare, VFT_EV_RDMA_UNREGISTER, NULL,
	  "18:40:01.000001 rdma_unregister   net1            ifindex 3 netns 4026532291",
	  "{\"type\":\"event\",\"event\":\"rdma_unregister\","
	  "\"ts\":\"2025-11-28T18:40:01.000001000Z\",\"ts_ns\":1764355201000001000,"
	  "\"source\":\"netlink\",\"ifname\":\"net1\",\"ifindex\":3,\"netns\":4026532291,"
	  "\"ibdev\":\"\"}" },
	{ bare, VFT_EV_RDMA_RENAME, NULL, "18:40:01.000001 rdma_rename       net1            -> ",
	  "{\"type\":\"event\",\"event\":\"rdma_rename\","
	  "\"ts\":\"2025-11-28T18:40:01.000001000Z\",\"ts_ns\":1764355201000001000,"
	  "\"source\":\"netlink\",\"ifname\":\"net1\",\"ifindex\":3,\"netns\":4026532291,"
	  "\"ibdev\":\"\",\"new_ibdev\":\"\"}" },
	{ bare, VFT_EV_RDMA_NETNS_MOVE, NULL,
	  "18:40:01.000001 rdma_netns_move   net1            -> netns 0",
	  "{\"type\":\"event\",\"event\":\"rdma_netns_move\","
	  "\"ts\":\"2025-11-28T18:40:01.000001000Z\",\"ts_ns\":1764355201000001000,"
	  "\"source\":\"netlink\",\"ifname\":\"net1\",\"ifindex\":3,\"netns\":4026532291,"
	  "\"ibdev\":\"\"}" },
	{ bare, VFT_EV_RDMA_PORT_EVENT, NULL,
	  "18:40:01.000001 rdma_port_event   net1            port 0 CQ_ERR",
	  "{\"type\":\"event\",\"event\":\"rdma_port_event\","
	  "\"ts\":\"2025-11-28T18:40:01.000001000Z\",\"ts_ns\":1764355201000001000,"
	  "\"source\":\"netlink\",\"ifname\":\"net1\",\"ifindex\":3,\"netns\":4026532291,"
	  "\"ibdev\":\"\",\"port\":0,\"port_event\":\"CQ_ERR\"}" },
	{ bare, VFT_EV_RDMA_PORT_STATE, NULL,
	  "18:40:01.000001 rdma_port_state   net1            port 0 NOP lid 0x0 sm_lid 0x0 ",
	  "{\"type\":\"event\",\"event\":\"rdma_port_state\","
	  "\"ts\":\"2025-11-28T18:40:01.000001000Z\",\"ts_ns\":1764355201000001000,"
	  "\"source\":\"netlink\",\"ifname\":\"net1\",\"ifindex\":3,\"netns\":4026532291,"
	  "\"ibdev\":\"\",\"port\":0}" },
	{ bare, VFT_EV_NETLINK_ERROR, NULL,
	  "18:40:01.000001 netlink_error     net1            \"\"",
	  "{\"type\":\"event\",\"event\":\"netlink_error\","
	  "\"ts\":\"2025-11-28T18:40:01.000001000Z\",\"ts_ns\":1764355201000001000,"
	  "\"source\":\"netlink\",\"ifname\":\"net1\",\"ifindex\":3,\"netns\":4026532291}" },
	{ bare, VFT_EV_NETNS_INFO, NULL,
	  "18:40:01.000001 netns_info        netns           4026532291",
	  "{\"type\":\"event\",\"event\":\"netns_info\","
	  "\"ts\":\"2025-11-28T18:40:01.000001000Z\",\"ts_ns\":1764355201000001000,"
	  "\"source\":\"netlink\",\"ifname\":\"net1\",\"ifindex\":3,\"netns\":4026532291,"
	  "\"host\":false,\"netns_name\":null,\"pod\":null,\"container\":null}" },
	{ bare, VFT_EV_VF_CHECK, NULL,
	  "18:40:01.000001 vf_check          net1            grace period over",
	  "{\"type\":\"event\",\"event\":\"vf_check\","
	  "\"ts\":\"2025-11-28T18:40:01.000001000Z\",\"ts_ns\":1764355201000001000,"
	  "\"source\":\"netlink\",\"ifname\":\"net1\",\"ifindex\":3,\"netns\":4026532291}" },
	{ bare, VFT_EV_LOST, NULL,
	  "18:40:01.000001 lost              net1            ifindex 3 netns 4026532291",
	  "{\"type\":\"event\",\"event\":\"lost\",\"ts\":\"2025-11-28T18:40:01.000001000Z\","
	  "\"ts_ns\":1764355201000001000,\"source\":\"netlink\",\"ifname\":\"net1\","
	  "\"ifindex\":3,\"netns\":4026532291}" },
	{ bare, VFT_EV_TRUST, NULL,
	  "18:40:01.000001 trust             net1            ifindex 3 netns 4026532291",
	  "{\"type\":\"event\",\"event\":\"trust\",\"ts\":\"2025-11-28T18:40:01.000001000Z\","
	  "\"ts_ns\":1764355201000001000,\"source\":\"netlink\",\"ifname\":\"net1\","
	  "\"ifindex\":3,\"netns\":4026532291}" },
	{ bare, 99, NULL,
	  "18:40:01.000001 unknown           net1            ifindex 3 netns 4026532291",
	  "{\"type\":\"event\",\"event\":\"unknown\",\"ts\":\"2025-11-28T18:40:01.000001000Z\","
	  "\"ts_ns\":1764355201000001000,\"source\":\"netlink\",\"ifname\":\"net1\","
	  "\"ifindex\":3,\"netns\":4026532291}" },
	{ move_renamed, VFT_EV_NETNS_MOVE, NULL,
	  "18:40:01.000001 netns_move        ens1f0v3        netns 4026531840 -> 4026532291 as "
	  "net1 ifindex 3 -> 5",
	  "{\"type\":\"event\",\"event\":\"netns_move\","
	  "\"ts\":\"2025-11-28T18:40:01.000001000Z\",\"ts_ns\":1764355201000001000,"
	  "\"source\":\"netlink\",\"ifname\":\"ens1f0v3\",\"ifindex\":3,\"netns\":4026532291,"
	  "\"from_netns\":4026531840,\"to_netns\":4026532291,\"new_ifindex\":5,"
	  "\"new_ifname\":\"net1\"}" },
	{ move_renamed, VFT_EV_NETNS_MOVE, "0000:3b:10.5",
	  "18:40:01.000001 netns_move        ens1f0v3        netns 4026531840 -> 4026532291 as "
	  "net1 ifindex 3 -> 5  [0000:3b:10.5]",
	  "{\"type\":\"event\",\"event\":\"netns_move\","
	  "\"ts\":\"2025-11-28T18:40:01.000001000Z\",\"ts_ns\":1764355201000001000,"
	  "\"source\":\"netlink\",\"ifname\":\"ens1f0v3\",\"ifindex\":3,\"netns\":4026532291,"
	  "\"from_netns\":4026531840,\"to_netns\":4026532291,\"new_ifindex\":5,"
	  "\"new_ifname\":\"net1\",\"vf\":\"0000:3b:10.5\"}" },
	{ rename_without_new_name, VFT_EV_NETDEV_RENAME, NULL,
	  "18:40:01.000001 netdev_rename     net1            -> net1 netns 4026532291 FAILED "
	  "EBUSY (-16)",
	  "{\"type\":\"event\",\"event\":\"netdev_rename\","
	  "\"ts\":\"2025-11-28T18:40:01.000001000Z\",\"ts_ns\":1764355201000001000,"
	  "\"source\":\"netlink\",\"ifname\":\"net1\",\"ifindex\":3,\"netns\":4026532291,"
	  "\"new_ifname\":\"net1\",\"ret\":-16,\"errno\":\"EBUSY\"}" },
	{ link_down, VFT_EV_LINK_CHANGE, "net1",
	  "18:40:01.000001 link_change       net1            DOWN flags 0x1043 -> 0x1002",
	  "{\"type\":\"event\",\"event\":\"link_change\","
	  "\"ts\":\"2025-11-28T18:40:01.000001000Z\",\"ts_ns\":1764355201000001000,"
	  "\"source\":\"netlink\",\"ifname\":\"net1\",\"ifindex\":3,\"netns\":4026532291,"
	  "\"flags\":4098,\"old_flags\":4163,\"up\":false,\"was_up\":true,\"vf\":\"net1\"}" },
	{ link_flags, VFT_EV_LINK_CHANGE, NULL,
	  "18:40:01.000001 link_change       net1            flags flags 0x1043 -> 0x1143",
	  "{\"type\":\"event\",\"event\":\"link_change\","
	  "\"ts\":\"2025-11-28T18:40:01.000001000Z\",\"ts_ns\":1764355201000001000,"
	  "\"source\":\"netlink\",\"ifname\":\"net1\",\"ifindex\":3,\"netns\":4026532291,"
	  "\"flags\":4419,\"old_flags\":4163,\"up\":true,\"was_up\":true}" },
	{ addr4, VFT_EV_ADDR_ADD, NULL,
	  "18:40:01.000001 addr_add          net1            10.0.0.5/24 netns 4026532291",
	  "{\"type\":\"event\",\"event\":\"addr_add\","
	  "\"ts\":\"2025-11-28T18:40:01.000001000Z\",\"ts_ns\":1764355201000001000,"
	  "\"source\":\"netlink\",\"ifname\":\"net1\",\"ifindex\":3,\"netns\":4026532291,"
	  "\"family\":\"inet\",\"address\":\"10.0.0.5\",\"prefixlen\":24}" },
	{ addr4, VFT_EV_ADDR_DEL, NULL,
	  "18:40:01.000001 addr_del          net1            10.0.0.5/24 netns 4026532291",
	  "{\"type\":\"event\",\"event\":\"addr_del\","
	  "\"ts\":\"2025-11-28T18:40:01.000001000Z\",\"ts_ns\":1764355201000001000,"
	  "\"source\":\"netlink\",\"ifname\":\"net1\",\"ifindex\":3,\"netns\":4026532291,"
	  "\"family\":\"inet\",\"address\":\"10.0.0.5\",\"prefixlen\":24}" },
	{ addr_mapped, VFT_EV_ADDR_ADD, NULL,
	  "18:40:01.000001 addr_add          net1            ::ffff:192.168.0.1/128 netns "
	  "4026532291",
	  "{\"type\":\"event\",\"event\":\"addr_add\","
	  "\"ts\":\"2025-11-28T18:40:01.000001000Z\",\"ts_ns\":1764355201000001000,"
	  "\"source\":\"netlink\",\"ifname\":\"net1\",\"ifindex\":3,\"netns\":4026532291,"
	  "\"family\":\"inet6\",\"address\":\"::ffff:192.168.0.1\",\"prefixlen\":128}" },
	{ addr_unknown_family, VFT_EV_ADDR_DEL, NULL,
	  "18:40:01.000001 addr_del          net1            ?/8 netns 4026532291",
	  "{\"type\":\"event\",\"event\":\"addr_del\","
	  "\"ts\":\"2025-11-28T18:40:01.000001000Z\",\"ts_ns\":1764355201000001000,"
	  "\"source\":\"netlink\",\"ifname\":\"net1\",\"ifindex\":3,\"netns\":4026532291,"
	  "\"family\":\"inet\",\"address\":\"?\",\"prefixlen\":8}" },
	{ vf_without_bdf, VFT_EV_VF_ADD, NULL,
	  "18:40:01.000001 vf_add            0000:3b:00.0    vf 2 ",
	  "{\"type\":\"event\",\"event\":\"vf_add\",\"ts\":\"2025-11-28T18:40:01.000001000Z\","
	  "\"ts_ns\":1764355201000001000,\"source\":\"netlink\",\"pf\":\"0000:3b:00.0\","
	  "\"vf_index\":2}" },
	{ vf_without_bdf, VFT_EV_VF_REMOVE, NULL,
	  "18:40:01.000001 vf_remove         0000:3b:00.0    vf 2 ",
	  "{\"type\":\"event\",\"event\":\"vf_remove\","
	  "\"ts\":\"2025-11-28T18:40:01.000001000Z\",\"ts_ns\":1764355201000001000,"
	  "\"source\":\"netlink\",\"pf\":\"0000:3b:00.0\",\"vf_index\":2}" },
	{ driver_with_numa, VFT_EV_DRIVER_BIND, NULL,
	  "18:40:01.000001 driver_bind       0000:3b:10.5    driver mlx5_core",
	  "{\"type\":\"event\",\"event\":\"driver_bind\","
	  "\"ts\":\"2025-11-28T18:40:01.000001000Z\",\"ts_ns\":1764355201000001000,"
	  "\"source\":\"inventory\",\"device\":\"0000:3b:10.5\",\"driver\":\"mlx5_core\"}" },
	{ driver_with_numa, VFT_EV_DRIVER_UNBIND, "0000:3b:10.5",
	  "18:40:01.000001 driver_unbind     0000:3b:10.5    driver mlx5_core",
	  "{\"type\":\"event\",\"event\":\"driver_unbind\","
	  "\"ts\":\"2025-11-28T18:40:01.000001000Z\",\"ts_ns\":1764355201000001000,"
	  "\"source\":\"inventory\",\"device\":\"0000:3b:10.5\",\"driver\":\"mlx5_core\","
	  "\"vf\":\"0000:3b:10.5\"}" },
	{ rdma_bare, VFT_EV_RDMA_REGISTER, NULL,
	  "18:40:01.000001 rdma_register     rxe0             by kworker/0:1[1]",
	  "{\"type\":\"event\",\"event\":\"rdma_register\","
	  "\"ts\":\"2025-11-28T18:40:01.000001000Z\",\"ts_ns\":1764355201000001000,"
	  "\"source\":\"kprobe\",\"ibdev\":\"rxe0\",\"actor\":{\"pid\":1,\"tid\":0,"
	  "\"comm\":\"kworker/0:1\",\"netns\":0,\"cgroup_id\":0,\"cgroup\":\"/\"}}" },
	{ rdma_bare, VFT_EV_RDMA_UNREGISTER, NULL,
	  "18:40:01.000001 rdma_unregister   rxe0             by kworker/0:1[1]",
	  "{\"type\":\"event\",\"event\":\"rdma_unregister\","
	  "\"ts\":\"2025-11-28T18:40:01.000001000Z\",\"ts_ns\":1764355201000001000,"
	  "\"source\":\"kprobe\",\"ibdev\":\"rxe0\",\"actor\":{\"pid\":1,\"tid\":0,"
	  "\"comm\":\"kworker/0:1\",\"netns\":0,\"cgroup_id\":0,\"cgroup\":\"/\"}}" },
	{ rdma_bare, VFT_EV_RDMA_RENAME, NULL,
	  "18:40:01.000001 rdma_rename       rxe0            -> rxe1  by kworker/0:1[1]",
	  "{\"type\":\"event\",\"event\":\"rdma_rename\","
	  "\"ts\":\"2025-11-28T18:40:01.000001000Z\",\"ts_ns\":1764355201000001000,"
	  "\"source\":\"kprobe\",\"ibdev\":\"rxe0\",\"new_ibdev\":\"rxe1\","
	  "\"actor\":{\"pid\":1,\"tid\":0,\"comm\":\"kworker/0:1\",\"netns\":0,\"cgroup_id\":0,"
	  "\"cgroup\":\"/\"}}" },
	{ rdma_bare, VFT_EV_RDMA_NETNS_MOVE, NULL,
	  "18:40:01.000001 rdma_netns_move   rxe0            -> netns 0  by kworker/0:1[1]",
	  "{\"type\":\"event\",\"event\":\"rdma_netns_move\","
	  "\"ts\":\"2025-11-28T18:40:01.000001000Z\",\"ts_ns\":1764355201000001000,"
	  "\"source\":\"kprobe\",\"ibdev\":\"rxe0\",\"actor\":{\"pid\":1,\"tid\":0,"
	  "\"comm\":\"kworker/0:1\",\"netns\":0,\"cgroup_id\":0,\"cgroup\":\"/\"}}" },
	{ rdma_bare, VFT_EV_RDMA_PORT_EVENT, "rxe0",
	  "18:40:01.000001 rdma_port_event   rxe0            port 1 PORT_ERR  by kworker/0:1[1]",
	  "{\"type\":\"event\",\"event\":\"rdma_port_event\","
	  "\"ts\":\"2025-11-28T18:40:01.000001000Z\",\"ts_ns\":1764355201000001000,"
	  "\"source\":\"kprobe\",\"ibdev\":\"rxe0\",\"port\":1,\"port_event\":\"PORT_ERR\","
	  "\"actor\":{\"pid\":1,\"tid\":0,\"comm\":\"kworker/0:1\",\"netns\":0,\"cgroup_id\":0,"
	  "\"cgroup\":\"/\"},\"vf\":\"rxe0\"}" },
	{ rdma_bare, VFT_EV_RDMA_PORT_STATE, NULL,
	  "18:40:01.000001 rdma_port_state   rxe0            port 1 NOP lid 0x0 sm_lid 0x0   "
	  "by kworker/0:1[1]",
	  "{\"type\":\"event\",\"event\":\"rdma_port_state\","
	  "\"ts\":\"2025-11-28T18:40:01.000001000Z\",\"ts_ns\":1764355201000001000,"
	  "\"source\":\"kprobe\",\"ibdev\":\"rxe0\",\"port\":1,\"actor\":{\"pid\":1,\"tid\":0,"
	  "\"comm\":\"kworker/0:1\",\"netns\":0,\"cgroup_id\":0,\"cgroup\":\"/\"}}" },
	{ port_unknown_event, VFT_EV_RDMA_PORT_EVENT, NULL,
	  "18:40:01.000001 rdma_port_event   rxe0            port 1 ?  by kworker/0:1[1]",
	  "{\"type\":\"event\",\"event\":\"rdma_port_event\","
	  "\"ts\":\"2025-11-28T18:40:01.000001000Z\",\"ts_ns\":1764355201000001000,"
	  "\"source\":\"kprobe\",\"ibdev\":\"rxe0\",\"port\":1,\"port_event\":99,"
	  "\"state\":\"unknown\",\"lid\":0,\"sm_lid\":0,\"gids\":0,\"rocev2_gids\":0,"
	  "\"ip_gids\":0,\"actor\":{\"pid\":1,\"tid\":0,\"comm\":\"kworker/0:1\",\"netns\":0,"
	  "\"cgroup_id\":0,\"cgroup\":\"/\"}}" },
	{ port_not_visible, VFT_EV_RDMA_PORT_STATE, "0000:3b:10.5",
	  "18:40:01.000001 rdma_port_state   0000:3b:10.5    port 1 NOP lid 0x0 sm_lid 0x0  "
	  "rdma rxe0 dev 0000:3b:10.5 FAILED ENOENT (-2)",
	  "{\"type\":\"event\",\"event\":\"rdma_port_state\","
	  "\"ts\":\"2025-11-28T18:40:01.000001000Z\",\"ts_ns\":1764355201000001000,"
	  "\"source\":\"enrich\",\"ifname\":\"net1\",\"ifindex\":3,\"netns\":4026532291,"
	  "\"parent\":\"0000:3b:10.5\",\"ibdev\":\"rxe0\",\"port\":1,\"ret\":-2,"
	  "\"errno\":\"ENOENT\",\"vf\":\"0000:3b:10.5\"}" },
	{ netns_plain, VFT_EV_NETNS_INFO, NULL,
	  "18:40:01.000002 netns_info        netns           4026532291",
	  "{\"type\":\"event\",\"event\":\"netns_info\","
	  "\"ts\":\"2025-11-28T18:40:01.000002000Z\",\"ts_ns\":1764355201000002000,"
	  "\"source\":\"enrich\",\"netns\":4026532291,\"host\":false,\"netns_name\":null,"
	  "\"pod\":null,\"container\":null}" },
	{ check_of_vf, VFT_EV_VF_CHECK, "0000:3b:10.5",
	  "18:40:01.000001 vf_check          0000:3b:10.5    grace period over dev 0000:3b:10.5",
	  "{\"type\":\"event\",\"event\":\"vf_check\","
	  "\"ts\":\"2025-11-28T18:40:01.000001000Z\",\"ts_ns\":1764355201000001000,"
	  "\"source\":\"timer\",\"ifname\":\"net1\",\"ifindex\":3,\"netns\":4026532291,"
	  "\"parent\":\"0000:3b:10.5\",\"vf\":\"0000:3b:10.5\"}" },
	{ netlink_error, VFT_EV_NETLINK_ERROR, NULL,
	  "18:40:01.000003 netlink_error     -               \"Nexthop device is not up\"  by "
	  "ip[900]",
	  "{\"type\":\"event\",\"event\":\"netlink_error\","
	  "\"ts\":\"2025-11-28T18:40:01.000003000Z\",\"ts_ns\":1764355201000003000,"
	  "\"source\":\"tracepoint\",\"message\":\"Nexthop device is not up\","
	  "\"actor\":{\"pid\":900,\"tid\":0,\"comm\":\"ip\",\"netns\":0,\"cgroup_id\":0}}" },
	{ vf_mac, VFT_EV_VF_CONFIG, "0000:3b:10.5",
	  "18:40:01.000004 vf_config         ens1f0          vf 3 0000:3b:10.5 mac 02:a0:b1:c2:d3:e"
	  "4 dev 0000:3b:00.0  by sriov[3100]  [0000:3b:10.5]",
	  "{\"type\":\"event\",\"event\":\"vf_config\",\"ts\":\"2025-11-28T18:40:01.000004000Z\",\""
	  "ts_ns\":1764355201000004000,\"source\":\"kprobe\",\"ifname\":\"ens1f0\",\"ifindex\":4,\""
	  "netns\":4026531840,\"parent\":\"0000:3b:00.0\",\"pf\":\"0000:3b:00.0\",\"vf_index\":3,\""
	  "vf\":\"0000:3b:10.5\",\"setting\":\"mac\",\"mac\":\"02:a0:b1:c2:d3:e4\",\"ret\":0,\"acto"
	  "r\":{\"pid\":3100,\"tid\":3104,\"comm\":\"sriov\",\"netns\":4026531840,\"cgroup_id\":0}}" },
	{ vf_vlan_refused, VFT_EV_VF_CONFIG, "0000:3b:10.5",
	  "18:40:01.000004 vf_config         ens1f0          vf 3 0000:3b:10.5 vlan 10 qos 3 proto "
	  "802.1ad dev 0000:3b:00.0 FAILED EPROTONOSUPPORT (-93)  by sriov[3100]  [0000:3b:10.5]",
	  "{\"type\":\"event\",\"event\":\"vf_config\",\"ts\":\"2025-11-28T18:40:01.000004000Z\",\""
	  "ts_ns\":1764355201000004000,\"source\":\"kprobe\",\"ifname\":\"ens1f0\",\"ifindex\":4,\""
	  "netns\":4026531840,\"parent\":\"0000:3b:00.0\",\"pf\":\"0000:3b:00.0\",\"vf_index\":3,\""
	  "vf\":\"0000:3b:10.5\",\"setting\":\"vlan\",\"vlan\":10,\"qos\":3,\"vlan_proto\":\"0x88a8"
	  "\",\"ret\":-93,\"errno\":\"EPROTONOSUPPORT\",\"actor\":{\"pid\":3100,\"tid\":3104,\"comm"
	  "\":\"sriov\",\"netns\":4026531840,\"cgroup_id\":0}}" },
	{ vf_state, VFT_EV_VF_CONFIG, "0000:3b:10.5",
	  "18:40:01.000004 vf_config         ens1f0          vf 3 0000:3b:10.5 link_state disable d"
	  "ev 0000:3b:00.0  by sriov[3100]  [0000:3b:10.5]",
	  "{\"type\":\"event\",\"event\":\"vf_config\",\"ts\":\"2025-11-28T18:40:01.000004000Z\",\""
	  "ts_ns\":1764355201000004000,\"source\":\"kprobe\",\"ifname\":\"ens1f0\",\"ifindex\":4,\""
	  "netns\":4026531840,\"parent\":\"0000:3b:00.0\",\"pf\":\"0000:3b:00.0\",\"vf_index\":3,\""
	  "vf\":\"0000:3b:10.5\",\"setting\":\"link_state\",\"link_state\":\"disable\",\"ret\":0,\""
	  "actor\":{\"pid\":3100,\"tid\":3104,\"comm\":\"sriov\",\"netns\":4026531840,\"cgroup_id\""
	  ":0}}" },
	{ vf_guid_elsewhere, VFT_EV_VF_CONFIG, NULL,
	  "18:40:01.000004 vf_config         -               vf 3 node_guid b8ce:f603:00a4:1011 pf "
	  "ifindex 4 netns 4026532291  by sriov[3100]",
	  "{\"type\":\"event\",\"event\":\"vf_config\",\"ts\":\"2025-11-28T18:40:01.000004000Z\",\""
	  "ts_ns\":1764355201000004000,\"source\":\"kprobe\",\"ifname\":\"\",\"ifindex\":4,\"netns"
	  "\":4026532291,\"pf\":\"\",\"vf_index\":3,\"setting\":\"node_guid\",\"guid\":\"b8ce:f603:"
	  "00a4:1011\",\"ret\":0,\"actor\":{\"pid\":3100,\"tid\":3104,\"comm\":\"sriov\",\"netns\":"
	  "4026531840,\"cgroup_id\":0}}" },
	{ vf_rate_trust, VFT_EV_VF_CONFIG, "0000:3b:10.5",
	  "18:40:01.000004 vf_config         ens1f0          vf 3 0000:3b:10.5 rate min 100 max 100"
	  "0 dev 0000:3b:00.0  by sriov[3100]  [0000:3b:10.5]",
	  "{\"type\":\"event\",\"event\":\"vf_config\",\"ts\":\"2025-11-28T18:40:01.000004000Z\",\""
	  "ts_ns\":1764355201000004000,\"source\":\"kprobe\",\"ifname\":\"ens1f0\",\"ifindex\":4,\""
	  "netns\":4026531840,\"parent\":\"0000:3b:00.0\",\"pf\":\"0000:3b:00.0\",\"vf_index\":3,\""
	  "vf\":\"0000:3b:10.5\",\"setting\":\"rate\",\"min_tx_rate\":100,\"max_tx_rate\":1000,\"re"
	  "t\":0,\"actor\":{\"pid\":3100,\"tid\":3104,\"comm\":\"sriov\",\"netns\":4026531840,\"cgr"
	  "oup_id\":0}}" },
	{ vf_unknown, VFT_EV_VF_CONFIG, "0000:3b:10.5",
	  "18:40:01.000004 vf_config         ens1f0          vf 3 0000:3b:10.5 setting 42 value 7 d"
	  "ev 0000:3b:00.0  by sriov[3100]  [0000:3b:10.5]",
	  "{\"type\":\"event\",\"event\":\"vf_config\",\"ts\":\"2025-11-28T18:40:01.000004000Z\",\""
	  "ts_ns\":1764355201000004000,\"source\":\"kprobe\",\"ifname\":\"ens1f0\",\"ifindex\":4,\""
	  "netns\":4026531840,\"parent\":\"0000:3b:00.0\",\"pf\":\"0000:3b:00.0\",\"vf_index\":3,\""
	  "vf\":\"0000:3b:10.5\",\"setting\":42,\"value\":7,\"ret\":0,\"actor\":{\"pid\":3100,\"tid"
	  "\":3104,\"comm\":\"sriov\",\"netns\":4026531840,\"cgroup_id\":0}}" },
};

static void every_kind_prints_as_before(void **state)
{
	struct vft_event ev;
	char *text, *json;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cases[i].make(&ev, cases[i].kind);
		render(&ev, cases[i].vf, &text, &json);
		if (getenv("RENDER_PRINT"))
			printf("%s\n%s\n", text, json);
		assert_string_equal(text, cases[i].text);
		assert_string_equal(json, cases[i].json);
		free(text);
		free(json);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_kind_prints_as_before),
	};

	/* the text line's time is local time */
	setenv("TZ", "UTC", 1);
	tzset();
	return cmocka_run_group_tests_name("render", tests, NULL, NULL);
}
