// SPDX-License-Identifier: GPL-2.0-only
/*
 * nl_devtab.c - the rtnetlink source's table of known devices, keyed by
 * (netns, ifindex), with each device's addresses; and limbo, where a device
 * waits between two namespaces: in transit while the target of its move is
 * resolved, or orphaned when its netns died (a move if it reappears
 * elsewhere within VFT_NL_ORPHAN_MS, else an unregistration).
 */
#define _GNU_SOURCE
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "sources/netlink_source.h"
#include "sources/nl_internal.h"

#define NL_MAX_ADDRS 64	  /* per device; beyond, repeated RTM_NEWADDR are not merged */
#define NL_MAX_LIMBO 1024 /* devices waiting to reappear; the oldest ends early */

static size_t bucket_of(uint32_t key, int32_t ifindex)
{
	return ((key * 2654435761u) ^ (uint32_t)ifindex) % NL_BUCKETS;
}

struct nl_dev *nl_dev_find(struct netlink_source *src, uint32_t key, int32_t ifindex)
{
	struct nl_dev *d;

	for (d = src->buckets[bucket_of(key, ifindex)]; d; d = d->next)
		if (d->key == key && d->ifindex == ifindex)
			return d;
	return NULL;
}

void nl_dev_free(struct nl_dev *d)
{
	if (!d)
		return;
	free(d->addrs);
	free(d);
}

void nl_dev_unlink(struct netlink_source *src, struct nl_dev *dev)
{
	struct nl_dev **pp;

	for (pp = &src->buckets[bucket_of(dev->key, dev->ifindex)]; *pp; pp = &(*pp)->next) {
		if (*pp == dev) {
			*pp = dev->next;
			dev->next = NULL;
			src->ndev--;
			return;
		}
	}
}

void nl_dev_insert(struct netlink_source *src, struct nl_dev *dev)
{
	struct nl_dev *old = nl_dev_find(src, dev->key, dev->ifindex);
	size_t b = bucket_of(dev->key, dev->ifindex);

	if (old) {
		nl_dev_unlink(src, old);
		nl_dev_free(old);
	}
	dev->limbo = NL_LIVE;
	dev->gen = src->dev_gen;
	dev->next = src->buckets[b];
	src->buckets[b] = dev;
	src->ndev++;
}

void nl_dev_update(struct nl_dev *d, const struct link_info *li)
{
	if (li->has_name)
		memcpy(d->ifname, li->ifname, sizeof(d->ifname));
	if (li->parent[0])
		memcpy(d->parent, li->parent, sizeof(d->parent));
	if (li->mac_len) {
		memcpy(d->mac, li->mac, sizeof(d->mac));
		d->mac_len = li->mac_len;
	}
	d->flags = li->flags;
}

struct nl_dev *nl_dev_new(uint32_t key, uint32_t ino, const struct link_info *li)
{
	struct nl_dev *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	d->key = key;
	d->ino = ino;
	d->ifindex = li->ifindex;
	nl_dev_update(d, li);
	return d;
}

int nl_addr_find(const struct nl_dev *d, const struct addr_info *ai)
{
	uint32_t i;

	for (i = 0; i < d->naddrs; i++) {
		const struct nl_addr *a = &d->addrs[i];

		if (a->family == ai->family && a->prefixlen == ai->prefixlen &&
		    !memcmp(a->addr, ai->addr, sizeof(a->addr)))
			return i;
	}
	return -1;
}

void nl_addr_add(struct nl_dev *d, const struct addr_info *ai)
{
	struct nl_addr *a;

	if (nl_addr_find(d, ai) >= 0 || d->naddrs >= NL_MAX_ADDRS)
		return;
	if (d->naddrs == d->addr_cap) {
		uint32_t cap = d->addr_cap ? d->addr_cap * 2 : 4;

		a = realloc(d->addrs, cap * sizeof(*a));
		if (!a)
			return;
		d->addrs = a;
		d->addr_cap = cap;
	}
	a = &d->addrs[d->naddrs++];
	a->family = ai->family;
	a->prefixlen = ai->prefixlen;
	memcpy(a->addr, ai->addr, sizeof(a->addr));
}

void nl_addr_del(struct nl_dev *d, const struct addr_info *ai)
{
	int i = nl_addr_find(d, ai);

	if (i < 0)
		return;
	d->addrs[i] = d->addrs[--d->naddrs];
}

static void addrs_clear(struct nl_dev *d)
{
	d->naddrs = 0;
}

void nl_dev_sweep(struct netlink_source *src, uint32_t key, bool forget_unseen)
{
	struct nl_dev *d, *next;
	size_t b;

	for (b = 0; b < NL_BUCKETS; b++) {
		for (d = src->buckets[b]; d; d = next) {
			next = d->next;
			if (d->key != key)
				continue;
			if (forget_unseen && d->gen != src->dev_gen) {
				nl_dev_unlink(src, d);
				nl_dev_free(d);
				continue;
			}
			addrs_clear(d);
		}
	}
}

void nl_dev_free_all(struct netlink_source *src)
{
	struct nl_dev *d, *next;
	size_t b;

	for (b = 0; b < NL_BUCKETS; b++) {
		for (d = src->buckets[b]; d; d = next) {
			next = d->next;
			nl_dev_free(d);
		}
	}
	for (d = src->limbo; d; d = next) {
		next = d->next;
		nl_dev_free(d);
	}
}

/* ---- limbo: devices between two namespaces ---- */

void nl_dev_event(const struct nl_dev *d, uint32_t kind, uint32_t ino, struct vft_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->kind = kind;
	memcpy(ev->ifname, d->ifname, sizeof(ev->ifname));
	memcpy(ev->parent, d->parent, sizeof(ev->parent));
	ev->ifindex = d->ifindex;
	ev->netns = ino;
}

bool nl_limbo_take(struct netlink_source *src, struct nl_dev *dev)
{
	struct nl_dev **pp;

	for (pp = &src->limbo; *pp; pp = &(*pp)->next) {
		if (*pp == dev) {
			*pp = dev->next;
			dev->next = NULL;
			src->nlimbo--;
			return true;
		}
	}
	return false;
}

/* Ends the oldest entry in limbo now: an orphan becomes an unregister, a transit is dropped. */
static void limbo_end(struct netlink_source *src, struct nl_dev *d, struct emitter *em)
{
	struct vft_event ev;

	uint64_t ts;

	nl_limbo_take(src, d);
	if (d->limbo == NL_ORPHAN && em) {
		/* It died with its netns: report that time, not the end of the wait. */
		ts = em->ts_ns;
		em->ts_ns = d->since_ns ? d->since_ns : ts;
		nl_dev_event(d, VFT_EV_NETDEV_UNREGISTER, d->ino, &ev);
		nl_emit(em, &ev);
		em->ts_ns = ts;
	}
	nl_dev_free(d);
}

void nl_limbo_add(struct netlink_source *src, struct nl_dev *dev, enum nl_limbo kind,
		  struct emitter *em)
{
	struct nl_dev **pp;

	while (src->nlimbo >= NL_MAX_LIMBO && src->limbo)
		limbo_end(src, src->limbo, em);
	addrs_clear(dev);
	dev->limbo = kind;
	dev->deadline_ms = nl_mono_ms() + VFT_NL_ORPHAN_MS;
	dev->since_ns = em ? em->ts_ns : 0;
	dev->next = NULL;
	for (pp = &src->limbo; *pp; pp = &(*pp)->next)
		;
	*pp = dev;
	src->nlimbo++;
}

static bool usable_mac(const uint8_t *mac, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (mac[i])
			return true;
	return false;
}

struct nl_dev *nl_limbo_claim(struct netlink_source *src, const struct link_info *li)
{
	bool li_mac = usable_mac(li->mac, li->mac_len);
	struct nl_dev *d, *best = NULL;
	int best_score = 0;

	for (d = src->limbo; d; d = d->next) {
		bool mac = li_mac && d->mac_len == li->mac_len && usable_mac(d->mac, d->mac_len) &&
			   !memcmp(d->mac, li->mac, li->mac_len);
		bool name = li->has_name && !strcmp(d->ifname, li->ifname);
		int score = 0;

		if (d->limbo == NL_TRANSIT) {
			if ((!d->ifindex || d->ifindex == li->ifindex) && (mac || name))
				score = 4;
		} else if (mac) {
			score = name ? 3 : 2;
		} else if (name && (!li_mac || !usable_mac(d->mac, d->mac_len))) {
			score = 1;
		}
		if (score > best_score) {
			best = d;
			best_score = score;
		}
	}
	if (best)
		nl_limbo_take(src, best);
	return best;
}

void nl_orphan_netns(struct netlink_source *src, uint32_t key, struct emitter *em)
{
	struct nl_dev *d, *next;
	size_t b;

	for (b = 0; b < NL_BUCKETS; b++) {
		for (d = src->buckets[b]; d; d = next) {
			next = d->next;
			if (d->key != key)
				continue;
			nl_dev_unlink(src, d);
			nl_limbo_add(src, d, NL_ORPHAN, em);
		}
	}
}

int netlink_source__expire(struct netlink_source *src, uint64_t now_ms, vft_event_cb cb, void *ctx)
{
	struct emitter em = {
		.cb = cb, .ctx = ctx, .ts_ns = nl_wall_ns(), .source = VFT_SRC_NETLINK
	};

	while (src->limbo && src->limbo->deadline_ms <= now_ms && !em.err)
		limbo_end(src, src->limbo, &em);
	return em.err ? em.err : em.n;
}

size_t netlink_source__ndevices(const struct netlink_source *src)
{
	return src->ndev;
}
