// SPDX-License-Identifier: GPL-2.0-only
/*
 * nl_link.c - link messages of the rtnetlink source: RTM_NEWLINK and
 * RTM_DELLINK decoded, and told apart with the device table: a registration,
 * the arriving side of a move, a rename, a flag change, a removal.
 *
 * How a move looks on the wire: the old netns announces RTM_DELLINK with
 * IFLA_NEW_NETNSID and IFLA_NEW_IFINDEX, then the new one RTM_NEWLINK. The
 * nsid in IFLA_NEW_NETNSID is relative to the OLD netns (the kernel does not
 * translate it per listener), so a move between two other namespaces is
 * resolved by asking, for each netns we know, its nsid as seen from the old
 * one (RTM_GETNSID with NETNSA_TARGET_NSID: nl_netns.c).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include "sources/netlink_source.h"
#include "sources/nl_internal.h"
#include "enrich/sysfs.h"
#include "lib/util.h"

/* Returns 0, or -EINVAL for a message that is short or not a plain (AF_UNSPEC) link message. */
static int parse_link(const char *root, const struct nlmsghdr *nlh, struct link_info *li)
{
	const struct nlattr *tb[IFLA_MAX + 1];
	char bus[32], pci[VFT_DEVNAME_LEN];
	struct ifinfomsg ifm;
	size_t n;

	memset(li, 0, sizeof(*li));
	if (nl_payload_len(nlh) < sizeof(ifm))
		return -EINVAL;
	memcpy(&ifm, NLMSG_DATA(nlh), sizeof(ifm));
	/* AF_BRIDGE messages describe bridge ports, not the device's life. */
	if (ifm.ifi_family != AF_UNSPEC || ifm.ifi_index <= 0)
		return -EINVAL;
	li->ifindex = ifm.ifi_index;
	li->flags = ifm.ifi_flags;
	nl_parse_attrs(nlh, sizeof(ifm), tb, IFLA_MAX);
	li->has_name = nl_attr_str(tb[IFLA_IFNAME], li->ifname, sizeof(li->ifname));
	nl_attr_str(tb[IFLA_PARENT_DEV_NAME], li->parent, sizeof(li->parent));
	/* like the kernel hooks: the closest PCI ancestor (a VF behind virtio, auxiliary) */
	if (li->parent[0] && nl_attr_str(tb[IFLA_PARENT_DEV_BUS_NAME], bus, sizeof(bus)) &&
	    strcmp(bus, "pci") && !vft_sysfs__pci_ancestor(root, bus, li->parent, pci, sizeof(pci)))
		memcpy(li->parent, pci, sizeof(li->parent));
	if (tb[IFLA_ADDRESS]) {
		n = nl_attr_len(tb[IFLA_ADDRESS]);
		if (n > sizeof(li->mac))
			n = sizeof(li->mac);
		memcpy(li->mac, nl_attr_data(tb[IFLA_ADDRESS]), n);
		li->mac_len = n;
	}
	li->moving = nl_attr_s32(tb[IFLA_NEW_NETNSID], &li->new_nsid);
	if (!nl_attr_s32(tb[IFLA_NEW_IFINDEX], &li->new_ifindex) || li->new_ifindex < 0)
		li->new_ifindex = 0;
	return 0;
}

/* A device this netns did not have: a move's arrival, a destroyed netns's device, or new. */
static void on_new_device(struct netlink_source *src, uint32_t key, uint32_t ino,
			  const struct link_info *li, struct emitter *em)
{
	struct nl_dev *d = nl_limbo_claim(src, li);
	struct vft_event ev;

	if (!d) {
		d = nl_dev_new(key, ino, li);
		if (!d)
			return;
		nl_dev_event(d, VFT_EV_NETDEV_REGISTER, ino, &ev);
		ev.has_ret = true;
		nl_dev_insert(src, d);
		nl_emit(em, &ev);
		return;
	}
	if (d->limbo == NL_ORPHAN) {
		/* Its netns died and the kernel gave it back to this one. */
		nl_dev_event(d, VFT_EV_NETNS_MOVE, ino, &ev);
		ev.from_netns = d->ino;
		ev.to_netns = ino;
		ev.new_ifindex = li->ifindex;
		if (li->has_name && strcmp(li->ifname, d->ifname))
			memcpy(ev.new_ifname, li->ifname, sizeof(ev.new_ifname));
		ev.has_ret = true;
		nl_emit(em, &ev);
	} else if (li->has_name && strcmp(li->ifname, d->ifname)) {
		/* Renamed on arrival: the target had a device of that name. */
		nl_dev_event(d, VFT_EV_NETDEV_RENAME, ino, &ev);
		ev.ifindex = li->ifindex;
		memcpy(ev.new_ifname, li->ifname, sizeof(ev.new_ifname));
		ev.has_ret = true;
		nl_emit(em, &ev);
	}
	if (li->flags != d->flags) {
		nl_dev_event(d, VFT_EV_LINK_CHANGE, ino, &ev);
		ev.ifindex = li->ifindex;
		if (li->has_name)
			memcpy(ev.ifname, li->ifname, sizeof(ev.ifname));
		ev.flags = li->flags;
		ev.old_flags = d->flags;
		nl_emit(em, &ev);
	}
	d->key = key;
	d->ino = ino;
	d->ifindex = li->ifindex;
	nl_dev_update(d, li);
	nl_dev_insert(src, d);
}

static void on_change(struct netlink_source *src, struct nl_dev *d, const struct link_info *li,
		      struct emitter *em)
{
	struct vft_event ev;

	if (li->has_name && strcmp(li->ifname, d->ifname)) {
		nl_dev_event(d, VFT_EV_NETDEV_RENAME, d->ino, &ev);
		memcpy(ev.new_ifname, li->ifname, sizeof(ev.new_ifname));
		ev.has_ret = true;
		memcpy(d->ifname, li->ifname, sizeof(d->ifname));
		nl_emit(em, &ev);
	}
	if (li->flags != d->flags) {
		nl_dev_event(d, VFT_EV_LINK_CHANGE, d->ino, &ev);
		ev.flags = li->flags;
		ev.old_flags = d->flags;
		nl_emit(em, &ev);
	}
	nl_dev_update(d, li);
}

static void on_move(struct netlink_source *src, uint32_t key, uint32_t ino, int32_t nsid,
		    const struct link_info *li, struct emitter *em)
{
	struct nl_dev *d = nl_dev_find(src, key, li->ifindex);
	struct vft_event ev;
	uint32_t to;

	if (d)
		nl_dev_unlink(src, d);
	else
		d = nl_dev_new(key, ino, li);
	if (!d)
		return;
	nl_dev_update(d, li);
	nl_dev_event(d, VFT_EV_NETNS_MOVE, 0, &ev);
	ev.from_netns = ino;
	ev.new_ifindex = li->new_ifindex;
	ev.has_ret = true;

	/*
	 * In transit while the target is resolved: resolving may discover the
	 * target netns, whose dump must see an arrival here, not a new device.
	 */
	d->key = 0;
	d->ino = 0;
	d->ifindex = li->new_ifindex;
	nl_limbo_add(src, d, NL_TRANSIT, em);
	to = nl_resolve_target(src, ino, nsid, li->new_nsid, em);
	if (to && li->new_ifindex && nl_limbo_take(src, d)) {
		d->key = to;
		d->ino = to;
		nl_dev_insert(src, d);
	}
	ev.to_netns = to;
	ev.netns = to;
	if (!to)
		vft_debug("%s moved to nsid %d of netns %u: no netns file found for it\n",
			  ev.ifname, li->new_nsid, ino);
	nl_emit(em, &ev);
}

void nl_on_link(struct netlink_source *src, const struct nlmsghdr *nlh, int32_t nsid,
		struct emitter *em)
{
	struct link_info li;
	struct vft_event ev;
	struct nl_dev *d;
	uint32_t ino, key;

	if (parse_link(src->root, nlh, &li))
		return;
	ino = nl_netns_of(src, nsid, em);
	key = ino ? ino : NL_KEY_UNKNOWN(nsid);
	if (nlh->nlmsg_type == RTM_NEWLINK) {
		d = nl_dev_find(src, key, li.ifindex);
		if (d)
			on_change(src, d, &li, em);
		else
			on_new_device(src, key, ino, &li, em);
		return;
	}
	if (li.moving) {
		on_move(src, key, ino, nsid, &li, em);
		return;
	}
	d = nl_dev_find(src, key, li.ifindex);
	memset(&ev, 0, sizeof(ev));
	ev.kind = VFT_EV_NETDEV_UNREGISTER;
	ev.ifindex = li.ifindex;
	ev.netns = ino;
	if (li.has_name)
		memcpy(ev.ifname, li.ifname, sizeof(ev.ifname));
	else if (d)
		memcpy(ev.ifname, d->ifname, sizeof(ev.ifname));
	if (li.parent[0])
		memcpy(ev.parent, li.parent, sizeof(ev.parent));
	else if (d)
		memcpy(ev.parent, d->parent, sizeof(ev.parent));
	if (d) {
		nl_dev_unlink(src, d);
		nl_dev_free(d);
	}
	nl_emit(em, &ev);
}

void nl_dump_link(struct dump_ctx *dc, const struct nlmsghdr *nlh)
{
	struct netlink_source *src = dc->src;
	struct link_info li;
	struct vft_event ev;
	struct nl_dev *d;

	if (parse_link(src->root, nlh, &li))
		return;
	d = nl_dev_find(src, dc->ino, li.ifindex);
	if (!d && dc->mode == DUMP_DISCOVER) {
		on_new_device(src, dc->ino, dc->ino, &li, dc->em);
		return;
	}
	if (!d) {
		d = nl_dev_new(dc->ino, dc->ino, &li);
		if (!d)
			return;
		nl_dev_insert(src, d);
	} else {
		nl_dev_update(d, &li);
		d->gen = src->dev_gen;
	}
	if (dc->mode == DUMP_INVENTORY) {
		nl_dev_event(d, VFT_EV_NETDEV_REGISTER, dc->ino, &ev);
		ev.flags = d->flags;
		nl_emit(dc->em, &ev);
	}
}
