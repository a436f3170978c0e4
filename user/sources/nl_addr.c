// SPDX-License-Identifier: GPL-2.0-only
/*
 * nl_addr.c - address messages of the rtnetlink source: RTM_NEWADDR and
 * RTM_DELADDR (IPv4 and IPv6) decoded into addr_add and addr_del events, the
 * device's name and parent taken from the device table, repeated
 * announcements of an address it already has not reported again.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include "sources/netlink_source.h"
#include "sources/nl_internal.h"

static int parse_addr(const struct nlmsghdr *nlh, struct addr_info *ai)
{
	const struct nlattr *tb[IFA_MAX + 1];
	const struct nlattr *a;
	struct ifaddrmsg ifa;
	size_t alen;

	memset(ai, 0, sizeof(*ai));
	if (nl_payload_len(nlh) < sizeof(ifa))
		return -EINVAL;
	memcpy(&ifa, NLMSG_DATA(nlh), sizeof(ifa));
	if (ifa.ifa_family == AF_INET)
		alen = 4;
	else if (ifa.ifa_family == AF_INET6)
		alen = 16;
	else
		return -EINVAL;
	nl_parse_attrs(nlh, sizeof(ifa), tb, IFA_MAX);
	/* IPv4: IFA_LOCAL is the address (IFA_ADDRESS the peer on point-to-point links). */
	a = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
	if (!a || nl_attr_len(a) < alen || (int32_t)ifa.ifa_index <= 0)
		return -EINVAL;
	ai->family = ifa.ifa_family;
	ai->prefixlen = ifa.ifa_prefixlen;
	ai->ifindex = ifa.ifa_index;
	memcpy(ai->addr, nl_attr_data(a), alen);
	return 0;
}

static void addr_event(const struct addr_info *ai, const struct nl_dev *d, uint32_t kind,
		       uint32_t ino, struct vft_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->kind = kind;
	ev->ifindex = ai->ifindex;
	ev->netns = ino;
	ev->family = ai->family;
	ev->prefixlen = ai->prefixlen;
	memcpy(ev->addr, ai->addr, sizeof(ev->addr));
	if (d) {
		memcpy(ev->ifname, d->ifname, sizeof(ev->ifname));
		memcpy(ev->parent, d->parent, sizeof(ev->parent));
	}
}

void nl_on_addr(struct netlink_source *src, const struct nlmsghdr *nlh, int32_t nsid,
		struct emitter *em)
{
	struct addr_info ai;
	struct vft_event ev;
	struct nl_dev *d;
	uint32_t ino;

	if (parse_addr(nlh, &ai))
		return;
	ino = nl_netns_of(src, nsid, em);
	d = nl_dev_find(src, ino ? ino : NL_KEY_UNKNOWN(nsid), ai.ifindex);
	if (nlh->nlmsg_type == RTM_NEWADDR) {
		/* IPv6 announces an address again as its state changes (DAD). */
		if (d && nl_addr_find(d, &ai) >= 0)
			return;
		addr_event(&ai, d, VFT_EV_ADDR_ADD, ino, &ev);
		if (d)
			nl_addr_add(d, &ai);
	} else {
		addr_event(&ai, d, VFT_EV_ADDR_DEL, ino, &ev);
		if (d)
			nl_addr_del(d, &ai);
	}
	nl_emit(em, &ev);
}

void nl_dump_addr(struct dump_ctx *dc, const struct nlmsghdr *nlh)
{
	struct addr_info ai;
	struct vft_event ev;
	struct nl_dev *d;

	if (parse_addr(nlh, &ai))
		return;
	d = nl_dev_find(dc->src, dc->ino, ai.ifindex);
	if (d)
		nl_addr_add(d, &ai);
	if (dc->mode == DUMP_INVENTORY) {
		addr_event(&ai, d, VFT_EV_ADDR_ADD, dc->ino, &ev);
		nl_emit(dc->em, &ev);
	}
}
