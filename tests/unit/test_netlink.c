// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_netlink.c - decoding of crafted rtnetlink messages by the netlink
 * source: registrations, moves (and their arriving side), renames, flag
 * changes, addresses, destroyed namespaces, and garbage that must not crash.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <libmnl/libmnl.h>
#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/net_namespace.h>
#include <linux/rtnetlink.h>
#include "sources/netlink_source.h"

#define OWN 4026531840u /* the listener's netns */
#define NS_A 4026532001u
#define NS_B 4026532002u
#define NS_C 4026532003u
#define TS 1000000000ULL

struct sink {
	struct vft_event ev[16];
	int n;
	int fail_with;
};

static struct sink *S;
static struct netlink_source *src;
static char msgbuf[4096] __attribute__((aligned(4)));

static int collect(void *ctx, const struct vft_event *ev)
{
	struct sink *s = ctx;

	if (s->fail_with)
		return s->fail_with;
	assert_true(s->n < 16);
	s->ev[s->n++] = *ev;
	return 0;
}

static int setup(void **state)
{
	S = calloc(1, sizeof(*S));
	assert_non_null(S);
	assert_int_equal(netlink_source__new_detached(OWN, &src), 0);
	assert_int_equal(netlink_source__map_nsid(src, 3, NS_A), 0);
	assert_int_equal(netlink_source__map_nsid(src, 4, NS_B), 0);
	assert_int_equal(netlink_source__map_nsid(src, 1, NS_C), 0);
	return 0;
}

static int teardown(void **state)
{
	netlink_source__free(src);
	src = NULL;
	free(S);
	return 0;
}

static struct nlmsghdr *link_msg(uint16_t type, uint8_t family, int ifindex, unsigned int flags,
				 const char *name)
{
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifm;

	memset(msgbuf, 0, sizeof(msgbuf));
	nlh = mnl_nlmsg_put_header(msgbuf);
	nlh->nlmsg_type = type;
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_family = family;
	ifm->ifi_index = ifindex;
	ifm->ifi_flags = flags;
	if (name)
		mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	return nlh;
}

static struct nlmsghdr *addr_msg(uint16_t type, uint8_t family, int ifindex, uint8_t prefixlen,
				 const void *addr)
{
	struct nlmsghdr *nlh;
	struct ifaddrmsg *ifa;

	memset(msgbuf, 0, sizeof(msgbuf));
	nlh = mnl_nlmsg_put_header(msgbuf);
	nlh->nlmsg_type = type;
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = family;
	ifa->ifa_index = ifindex;
	ifa->ifa_prefixlen = prefixlen;
	if (family == AF_INET6) {
		mnl_attr_put(nlh, IFA_ADDRESS, 16, addr);
	} else {
		mnl_attr_put(nlh, IFA_ADDRESS, 4, addr);
		mnl_attr_put(nlh, IFA_LOCAL, 4, addr);
	}
	return nlh;
}

static struct nlmsghdr *nsid_msg(uint16_t type, int32_t nsid)
{
	struct nlmsghdr *nlh;
	struct rtgenmsg *g;

	memset(msgbuf, 0, sizeof(msgbuf));
	nlh = mnl_nlmsg_put_header(msgbuf);
	nlh->nlmsg_type = type;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->rtgen_family = AF_UNSPEC;
	mnl_attr_put_u32(nlh, NETNSA_NSID, (uint32_t)nsid);
	return nlh;
}

static int feed(struct nlmsghdr *nlh, int32_t nsid)
{
	return netlink_source__feed(src, nlh, nsid, TS, collect, S);
}

/* A known device: vf0, ifindex 7, down, in the listener's netns. */
static void add_vf0(int32_t nsid, int ifindex)
{
	static const uint8_t mac[6] = { 0x02, 0, 0, 0, 0, 0x07 };
	struct nlmsghdr *nlh = link_msg(RTM_NEWLINK, AF_UNSPEC, ifindex, IFF_BROADCAST, "vf0");

	mnl_attr_put(nlh, IFLA_ADDRESS, sizeof(mac), mac);
	assert_int_equal(feed(nlh, nsid), 1);
	assert_int_equal(S->ev[S->n - 1].kind, VFT_EV_NETDEV_REGISTER);
	S->n = 0;
}

static void registers_new_device(void **state)
{
	struct nlmsghdr *nlh = link_msg(RTM_NEWLINK, AF_UNSPEC, 7, IFF_BROADCAST, "vf0");
	const struct vft_event *ev = &S->ev[0];

	mnl_attr_put_strz(nlh, IFLA_PARENT_DEV_NAME, "0000:3b:10.5");
	assert_int_equal(feed(nlh, -1), 1);
	assert_int_equal(ev->kind, VFT_EV_NETDEV_REGISTER);
	assert_int_equal(ev->source, VFT_SRC_NETLINK);
	assert_false(ev->has_actor);
	assert_int_equal(ev->ts_ns, TS);
	assert_string_equal(ev->ifname, "vf0");
	assert_int_equal(ev->ifindex, 7);
	assert_int_equal(ev->netns, OWN);
	assert_string_equal(ev->parent, "0000:3b:10.5");
	assert_true(ev->has_ret);
	assert_int_equal(ev->ret, 0);
	assert_int_equal(netlink_source__ndevices(src), 1);

	/* the same device again, unchanged (a stats or MTU notification): nothing */
	assert_int_equal(feed(link_msg(RTM_NEWLINK, AF_UNSPEC, 7, IFF_BROADCAST, "vf0"), -1), 0);
	/* the same ifindex in another netns is another device */
	assert_int_equal(feed(link_msg(RTM_NEWLINK, AF_UNSPEC, 7, IFF_BROADCAST, "vf0"), 3), 1);
	assert_int_equal(S->ev[1].netns, NS_A);
	assert_int_equal(netlink_source__ndevices(src), 2);
}

static void reports_rename_and_flags(void **state)
{
	add_vf0(-1, 7);
	assert_int_equal(
		feed(link_msg(RTM_NEWLINK, AF_UNSPEC, 7, IFF_BROADCAST | IFF_UP, "vf0"), -1), 1);
	assert_int_equal(S->ev[0].kind, VFT_EV_LINK_CHANGE);
	assert_int_equal(S->ev[0].flags, IFF_BROADCAST | IFF_UP);
	assert_int_equal(S->ev[0].old_flags, IFF_BROADCAST);
	assert_string_equal(S->ev[0].ifname, "vf0");
	assert_int_equal(S->ev[0].netns, OWN);

	S->n = 0;
	assert_int_equal(
		feed(link_msg(RTM_NEWLINK, AF_UNSPEC, 7, IFF_BROADCAST | IFF_UP, "net1"), -1), 1);
	assert_int_equal(S->ev[0].kind, VFT_EV_NETDEV_RENAME);
	assert_string_equal(S->ev[0].ifname, "vf0");
	assert_string_equal(S->ev[0].new_ifname, "net1");
	assert_int_equal(S->ev[0].ifindex, 7);

	/* both in one message: the rename first, then the flags under the new name */
	S->n = 0;
	assert_int_equal(feed(link_msg(RTM_NEWLINK, AF_UNSPEC, 7, IFF_BROADCAST, "net2"), -1), 2);
	assert_int_equal(S->ev[0].kind, VFT_EV_NETDEV_RENAME);
	assert_string_equal(S->ev[0].ifname, "net1");
	assert_string_equal(S->ev[0].new_ifname, "net2");
	assert_int_equal(S->ev[1].kind, VFT_EV_LINK_CHANGE);
	assert_string_equal(S->ev[1].ifname, "net2");
	assert_int_equal(S->ev[1].old_flags, IFF_BROADCAST | IFF_UP);

	/* no IFLA_IFNAME is no rename */
	S->n = 0;
	assert_int_equal(feed(link_msg(RTM_NEWLINK, AF_UNSPEC, 7, IFF_BROADCAST, NULL), -1), 0);
}

static void unregisters_and_frees_state(void **state)
{
	add_vf0(-1, 7);
	assert_int_equal(feed(link_msg(RTM_DELLINK, AF_UNSPEC, 7, IFF_BROADCAST, "vf0"), -1), 1);
	assert_int_equal(S->ev[0].kind, VFT_EV_NETDEV_UNREGISTER);
	assert_string_equal(S->ev[0].ifname, "vf0");
	assert_int_equal(S->ev[0].ifindex, 7);
	assert_int_equal(S->ev[0].netns, OWN);
	assert_int_equal(netlink_source__ndevices(src), 0);

	/* a device we never knew still unregisters, named by the message */
	assert_int_equal(feed(link_msg(RTM_DELLINK, AF_UNSPEC, 9, 0, "ghost"), 3), 1);
	assert_string_equal(S->ev[1].ifname, "ghost");
	assert_int_equal(S->ev[1].netns, NS_A);

	/* the ifindex is free again: a new device there is a registration */
	S->n = 0;
	assert_int_equal(feed(link_msg(RTM_NEWLINK, AF_UNSPEC, 7, 0, "vf0"), -1), 1);
	assert_int_equal(S->ev[0].kind, VFT_EV_NETDEV_REGISTER);
}

static struct nlmsghdr *move_msg(int ifindex, const char *name, int32_t new_nsid,
				 int32_t new_ifindex)
{
	struct nlmsghdr *nlh = link_msg(RTM_DELLINK, AF_UNSPEC, ifindex, IFF_BROADCAST, name);

	mnl_attr_put_u32(nlh, IFLA_NEW_NETNSID, (uint32_t)new_nsid);
	mnl_attr_put_u32(nlh, IFLA_NEW_IFINDEX, (uint32_t)new_ifindex);
	return nlh;
}

static void move_out_of_own_netns(void **state)
{
	add_vf0(-1, 7);
	assert_int_equal(feed(move_msg(7, "vf0", 3, 9), -1), 1);
	assert_int_equal(S->ev[0].kind, VFT_EV_NETNS_MOVE);
	assert_string_equal(S->ev[0].ifname, "vf0");
	assert_int_equal(S->ev[0].ifindex, 7);
	assert_int_equal(S->ev[0].from_netns, OWN);
	assert_int_equal(S->ev[0].to_netns, NS_A);
	assert_int_equal(S->ev[0].netns, NS_A);
	assert_int_equal(S->ev[0].new_ifindex, 9);
	assert_true(S->ev[0].has_ret);
	assert_int_equal(S->ev[0].ret, 0);
	assert_false(S->ev[0].has_actor);
	assert_int_equal(netlink_source__ndevices(src), 1);

	/* the arriving side in the target netns is not a registration */
	S->n = 0;
	assert_int_equal(feed(link_msg(RTM_NEWLINK, AF_UNSPEC, 9, IFF_BROADCAST, "vf0"), 3), 0);
	assert_int_equal(netlink_source__ndevices(src), 1);
	/* and the device lives on there */
	assert_int_equal(feed(link_msg(RTM_NEWLINK, AF_UNSPEC, 9, IFF_BROADCAST, "net1"), 3), 1);
	assert_int_equal(S->ev[0].kind, VFT_EV_NETDEV_RENAME);
	assert_int_equal(S->ev[0].netns, NS_A);
	/* and no longer in the old one */
	S->n = 0;
	assert_int_equal(feed(link_msg(RTM_NEWLINK, AF_UNSPEC, 7, IFF_BROADCAST, "other"), -1), 1);
	assert_int_equal(S->ev[0].kind, VFT_EV_NETDEV_REGISTER);
}

static void move_between_two_other_netns(void **state)
{
	/*
	 * IFLA_NEW_NETNSID is relative to the old netns (A), where nsid 1 names
	 * B; in ours nsid 1 names C. The event must say B.
	 */
	assert_int_equal(netlink_source__map_peer_nsid(src, NS_A, 1, NS_B), 0);
	add_vf0(3, 9);
	assert_int_equal(feed(move_msg(9, "vf0", 1, 11), 3), 1);
	assert_int_equal(S->ev[0].kind, VFT_EV_NETNS_MOVE);
	assert_int_equal(S->ev[0].from_netns, NS_A);
	assert_int_equal(S->ev[0].to_netns, NS_B);
	assert_int_equal(S->ev[0].ifindex, 9);
	assert_int_equal(S->ev[0].new_ifindex, 11);

	S->n = 0;
	assert_int_equal(feed(link_msg(RTM_NEWLINK, AF_UNSPEC, 11, IFF_BROADCAST, "vf0"), 4), 0);
	assert_int_equal(netlink_source__ndevices(src), 1);
}

static void move_to_unresolved_netns(void **state)
{
	/* Nothing says what nsid 8 of A is: to_netns 0, but the arrival is still no registration. */
	add_vf0(3, 9);
	assert_int_equal(feed(move_msg(9, "vf0", 8, 12), 3), 1);
	assert_int_equal(S->ev[0].kind, VFT_EV_NETNS_MOVE);
	assert_int_equal(S->ev[0].from_netns, NS_A);
	assert_int_equal(S->ev[0].to_netns, 0);
	assert_int_equal(netlink_source__ndevices(src), 0);

	S->n = 0;
	assert_int_equal(feed(link_msg(RTM_NEWLINK, AF_UNSPEC, 12, IFF_BROADCAST, "vf0"), 4), 0);
	assert_int_equal(netlink_source__ndevices(src), 1);
	/* nothing left in limbo to expire */
	assert_int_equal(netlink_source__expire(src, UINT64_MAX, collect, S), 0);
}

static void addresses(void **state)
{
	static const uint8_t v4[4] = { 192, 0, 2, 1 };
	static const uint8_t v6[16] = { 0xfd, 0, [15] = 2 };

	add_vf0(-1, 7);
	assert_int_equal(feed(addr_msg(RTM_NEWADDR, AF_INET, 7, 24, v4), -1), 1);
	assert_int_equal(S->ev[0].kind, VFT_EV_ADDR_ADD);
	assert_int_equal(S->ev[0].family, AF_INET);
	assert_int_equal(S->ev[0].prefixlen, 24);
	assert_memory_equal(S->ev[0].addr, v4, 4);
	assert_int_equal(S->ev[0].addr[4], 0);
	assert_int_equal(S->ev[0].ifindex, 7);
	assert_string_equal(S->ev[0].ifname, "vf0");
	assert_int_equal(S->ev[0].netns, OWN);
	assert_false(S->ev[0].has_actor);

	/* announced again (IPv6 does on every DAD state change): one event only */
	assert_int_equal(feed(addr_msg(RTM_NEWADDR, AF_INET, 7, 24, v4), -1), 0);

	assert_int_equal(feed(addr_msg(RTM_NEWADDR, AF_INET6, 7, 64, v6), -1), 1);
	assert_int_equal(S->ev[1].family, AF_INET6);
	assert_memory_equal(S->ev[1].addr, v6, 16);
	assert_int_equal(S->ev[1].prefixlen, 64);

	assert_int_equal(feed(addr_msg(RTM_DELADDR, AF_INET, 7, 24, v4), -1), 1);
	assert_int_equal(S->ev[2].kind, VFT_EV_ADDR_DEL);
	assert_memory_equal(S->ev[2].addr, v4, 4);
	/* deleted, so a new add is an event again */
	assert_int_equal(feed(addr_msg(RTM_NEWADDR, AF_INET, 7, 24, v4), -1), 1);

	/* on a device we do not know: reported, without a name, in its netns */
	S->n = 0;
	assert_int_equal(feed(addr_msg(RTM_NEWADDR, AF_INET, 42, 32, v4), 4), 1);
	assert_string_equal(S->ev[0].ifname, "");
	assert_int_equal(S->ev[0].netns, NS_B);
	assert_int_equal(S->ev[0].ifindex, 42);
}

static void ignores_other_messages(void **state)
{
	static const uint8_t v4[4] = { 10, 0, 0, 1 };
	struct nlmsghdr *nlh;

	/* bridge port messages (AF_BRIDGE) are not the device's life */
	assert_int_equal(feed(link_msg(RTM_NEWLINK, AF_BRIDGE, 7, 0, "vf0"), -1), 0);
	assert_int_equal(feed(link_msg(RTM_DELLINK, AF_BRIDGE, 7, 0, "vf0"), -1), 0);
	/* routes, neighbours, control messages */
	nlh = link_msg(RTM_NEWROUTE, AF_UNSPEC, 7, 0, "vf0");
	assert_int_equal(feed(nlh, -1), 0);
	nlh->nlmsg_type = RTM_NEWNEIGH;
	assert_int_equal(feed(nlh, -1), 0);
	nlh->nlmsg_type = NLMSG_DONE;
	assert_int_equal(feed(nlh, -1), 0);
	nlh->nlmsg_type = 0xffff;
	assert_int_equal(feed(nlh, -1), 0);
	/* an address family other than IPv4/IPv6, an ifindex of 0 */
	assert_int_equal(feed(addr_msg(RTM_NEWADDR, AF_PACKET, 7, 24, v4), -1), 0);
	assert_int_equal(feed(link_msg(RTM_NEWLINK, AF_UNSPEC, 0, 0, "x"), -1), 0);
	/* an nsid notification about another netns changes no device */
	assert_int_equal(feed(nsid_msg(RTM_NEWNSID, 5), -1), 0);
	assert_int_equal(feed(nsid_msg(RTM_NEWNSID, 1), 3), 0);
	assert_int_equal(S->n, 0);
	assert_int_equal(netlink_source__ndevices(src), 0);
}

static void destroyed_netns_returns_and_removes(void **state)
{
	static const uint8_t mac_vf[6] = { 0x02, 0, 0, 0, 0, 0x07 };
	static const uint8_t mac_veth[6] = { 0x02, 0, 0, 0, 0, 0x08 };
	struct nlmsghdr *nlh;

	add_vf0(3, 9); /* vf0 in A, with mac_vf */
	nlh = link_msg(RTM_NEWLINK, AF_UNSPEC, 10, IFF_UP, "veth1");
	mnl_attr_put(nlh, IFLA_ADDRESS, sizeof(mac_veth), mac_veth);
	assert_int_equal(feed(nlh, 3), 1);
	S->n = 0;

	/* A dies: its nsid goes first, and with it every RTM_DELLINK from A */
	assert_int_equal(feed(nsid_msg(RTM_DELNSID, 3), -1), 0);
	assert_int_equal(netlink_source__ndevices(src), 0);

	/* the kernel returns vf0 to us under a fallback name: a move, not a registration */
	nlh = link_msg(RTM_NEWLINK, AF_UNSPEC, 30, IFF_BROADCAST, "dev30");
	mnl_attr_put(nlh, IFLA_ADDRESS, sizeof(mac_vf), mac_vf);
	assert_int_equal(feed(nlh, -1), 1);
	assert_int_equal(S->ev[0].kind, VFT_EV_NETNS_MOVE);
	assert_string_equal(S->ev[0].ifname, "vf0");
	assert_string_equal(S->ev[0].new_ifname, "dev30");
	assert_int_equal(S->ev[0].ifindex, 9);
	assert_int_equal(S->ev[0].new_ifindex, 30);
	assert_int_equal(S->ev[0].from_netns, NS_A);
	assert_int_equal(S->ev[0].to_netns, OWN);

	/* veth1 never comes back: unregistered when its time is up */
	assert_int_equal(netlink_source__expire(src, 0, collect, S), 0);
	assert_int_equal(netlink_source__expire(src, UINT64_MAX, collect, S), 1);
	assert_int_equal(S->ev[1].kind, VFT_EV_NETDEV_UNREGISTER);
	assert_int_equal(S->ev[1].ts_ns, TS); /* when A died, not when the wait ended */
	assert_string_equal(S->ev[1].ifname, "veth1");
	assert_int_equal(S->ev[1].ifindex, 10);
	assert_int_equal(S->ev[1].netns, NS_A);

	/* nsid 3 means nothing now */
	S->n = 0;
	assert_int_equal(feed(link_msg(RTM_NEWLINK, AF_UNSPEC, 5, 0, "x"), 3), 1);
	assert_int_equal(S->ev[0].netns, 0);
}

static void unknown_nsid_keeps_its_own_state(void **state)
{
	/* nsid 9 names no file: netns 0 in events, but a device table of its own */
	assert_int_equal(feed(link_msg(RTM_NEWLINK, AF_UNSPEC, 5, 0, "x"), 9), 1);
	assert_int_equal(S->ev[0].netns, 0);
	assert_int_equal(feed(link_msg(RTM_NEWLINK, AF_UNSPEC, 5, 0, "x"), 9), 0);
	assert_int_equal(feed(link_msg(RTM_NEWLINK, AF_UNSPEC, 5, 0, "x"), 10), 1);
}

static void callback_error_stops(void **state)
{
	S->fail_with = -ECANCELED;
	assert_int_equal(feed(link_msg(RTM_NEWLINK, AF_UNSPEC, 5, 0, "x"), -1), -ECANCELED);
	assert_int_equal(netlink_source__feed_buf(src, msgbuf, sizeof(msgbuf), -1, TS, collect, S),
			 0); /* known now: no event, no error */
}

static void several_messages_in_one_datagram(void **state)
{
	static char dgram[8192] __attribute__((aligned(4)));
	struct nlmsghdr *nlh;
	size_t off = 0;
	int i;

	for (i = 1; i <= 3; i++) {
		nlh = link_msg(RTM_NEWLINK, AF_UNSPEC, i, 0, "d");
		memcpy(dgram + off, nlh, nlh->nlmsg_len);
		off += MNL_ALIGN(nlh->nlmsg_len);
	}
	assert_int_equal(netlink_source__feed_buf(src, dgram, off, -1, TS, collect, S), 3);
	assert_int_equal(S->ev[2].ifindex, 3);
}

static void truncated_and_garbage_never_crash(void **state)
{
	static const uint8_t v6[16] = { 0xfd, 0, [15] = 1 };
	struct nlmsghdr *nlh;
	uint8_t *copy;
	size_t full, len, i;
	unsigned int seed = 1;
	int round, n, events = 0;

	/* every prefix of valid messages, with nlmsg_len claiming the prefix */
	for (round = 0; round < 3; round++) {
		if (round == 0)
			nlh = move_msg(7, "vf0", 3, 9);
		else if (round == 1)
			nlh = addr_msg(RTM_NEWADDR, AF_INET6, 7, 64, v6);
		else
			nlh = nsid_msg(RTM_DELNSID, 4);
		full = nlh->nlmsg_len;
		for (len = 0; len <= full; len++) {
			copy = malloc(len ? len : 1);
			memcpy(copy, msgbuf, len);
			if (len >= sizeof(*nlh))
				((struct nlmsghdr *)copy)->nlmsg_len = len;
			netlink_source__feed_buf(src, copy, len, 3, TS, collect, S);
			free(copy);
			S->n = 0;
		}
	}

	/* attributes whose lengths lie */
	nlh = link_msg(RTM_NEWLINK, AF_UNSPEC, 7, 0, "vf0");
	((struct nlattr *)((char *)nlh + NLMSG_HDRLEN + sizeof(struct ifinfomsg)))->nla_len = 4000;
	netlink_source__feed(src, nlh, -1, TS, collect, S);
	((struct nlattr *)((char *)nlh + NLMSG_HDRLEN + sizeof(struct ifinfomsg)))->nla_len = 2;
	netlink_source__feed(src, nlh, -1, TS, collect, S);
	S->n = 0;

	/* random bytes, with message types that get decoded, in exact-size buffers */
	for (round = 0; round < 20000; round++) {
		static const uint16_t types[] = { RTM_NEWLINK, RTM_DELLINK, RTM_NEWADDR,
						  RTM_DELADDR, RTM_NEWNSID, RTM_DELNSID };

		len = rand_r(&seed) % 200;
		copy = malloc(len ? len : 1);
		for (i = 0; i < len; i++)
			copy[i] = rand_r(&seed);
		if (len >= sizeof(*nlh)) {
			nlh = (struct nlmsghdr *)copy;
			nlh->nlmsg_type = types[rand_r(&seed) % 6];
			if (rand_r(&seed) % 2)
				nlh->nlmsg_len = len - rand_r(&seed) % 8;
			/* mostly a header the decoders accept, so the attributes get parsed */
			if (len >= NLMSG_HDRLEN + 8 && rand_r(&seed) % 4) {
				uint8_t family = rand_r(&seed) % 2 ? AF_INET : AF_INET6;

				if (nlh->nlmsg_type <= RTM_DELLINK)
					family = AF_UNSPEC;
				copy[NLMSG_HDRLEN] = family;
				/* ifi_index and ifa_index: 1 to 4 */
				memset(copy + NLMSG_HDRLEN + 4, 0, 4);
				copy[NLMSG_HDRLEN + 4] = 1 + rand_r(&seed) % 4;
			}
		}
		n = netlink_source__feed_buf(src, copy, len, (int32_t)(rand_r(&seed) % 6) - 1, TS,
					     collect, S);
		assert_true(n >= 0);
		events += n;
		free(copy);
		S->n = 0;
		netlink_source__expire(src, UINT64_MAX, collect, S);
		S->n = 0;
	}
	/* the garbage did reach the decoders */
	assert_true(events > 1000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(registers_new_device, setup, teardown),
		cmocka_unit_test_setup_teardown(reports_rename_and_flags, setup, teardown),
		cmocka_unit_test_setup_teardown(unregisters_and_frees_state, setup, teardown),
		cmocka_unit_test_setup_teardown(move_out_of_own_netns, setup, teardown),
		cmocka_unit_test_setup_teardown(move_between_two_other_netns, setup, teardown),
		cmocka_unit_test_setup_teardown(move_to_unresolved_netns, setup, teardown),
		cmocka_unit_test_setup_teardown(addresses, setup, teardown),
		cmocka_unit_test_setup_teardown(ignores_other_messages, setup, teardown),
		cmocka_unit_test_setup_teardown(destroyed_netns_returns_and_removes, setup,
						teardown),
		cmocka_unit_test_setup_teardown(unknown_nsid_keeps_its_own_state, setup, teardown),
		cmocka_unit_test_setup_teardown(callback_error_stops, setup, teardown),
		cmocka_unit_test_setup_teardown(several_messages_in_one_datagram, setup, teardown),
		cmocka_unit_test_setup_teardown(truncated_and_garbage_never_crash, setup, teardown),
	};

	return cmocka_run_group_tests_name("netlink", tests, NULL, NULL);
}
