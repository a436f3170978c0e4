// SPDX-License-Identifier: GPL-2.0-only
/*
 * merge.c - merging the same change seen by the BPF hooks and by rtnetlink
 * into one event: two bounded FIFO rings, BPF events remembered and netlink
 * events held, each for one window. What makes two events the same change
 * is their kind's (pair, in the table of kinds).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "model/kinds.h"
#include "sources/merge.h"

/* What identifies a change; see merge.h. */
struct merge_key {
	uint32_t kind;
	enum vft_kind_pair pair; /* the kind's: which of the fields below say which change */
	uint32_t netns;		 /* from_netns for netns_move */
	int32_t ifindex;
	char ifname[VFT_NAME_LEN];
	uint8_t family;
	uint8_t prefixlen;
	uint8_t addr[16];
	uint64_t ts_ns;
};

struct remembered {
	struct merge_key key;
	uint64_t seen_ns;
	bool used;
};

struct held {
	struct merge_key key;
	uint64_t release_ns;
	struct vft_event ev;
};

struct vft_merge {
	uint64_t window_ns;
	struct remembered *mem; /* ring of VFT_MERGE_CAP */
	size_t mem_head;
	size_t mem_len;
	struct held **held; /* ring of VFT_MERGE_CAP; NULL: dropped while waiting */
	size_t held_head;
	size_t held_len;
	uint64_t dropped;
	uint64_t evicted;
	/* kinds a BPF hook covers: bit 0 any family, bit 1 AF_INET, bit 2 AF_INET6 */
	uint8_t covered[VFT_EV_KIND_MAX];
};

static uint8_t family_bit(uint8_t family)
{
	return family == 2 ? 2 : family == 10 ? 4 : 1;
}

int vft_merge__cover(struct vft_merge *m, uint32_t kind, uint8_t family)
{
	if (kind == 0 || kind >= VFT_EV_KIND_MAX)
		return -EINVAL;
	m->covered[kind] |= family ? family_bit(family) : 1;
	return 0;
}

static bool covered(const struct vft_merge *m, const struct vft_event *ev)
{
	uint8_t c = ev->kind < VFT_EV_KIND_MAX ? m->covered[ev->kind] : 0;

	return (c & 1) || (c & family_bit(ev->family) & ~1);
}

static bool from_bpf(uint32_t source)
{
	return source == VFT_SRC_FENTRY || source == VFT_SRC_KPROBE || source == VFT_SRC_TRACEPOINT;
}

static void key_of(const struct vft_event *ev, struct merge_key *k)
{
	memset(k, 0, sizeof(*k));
	k->kind = ev->kind;
	k->pair = vft_kind__get(ev->kind)->pair;
	k->ts_ns = ev->ts_ns;
	switch (k->pair) {
	case VFT_PAIR_MOVE:
		k->netns = ev->from_netns;
		k->ifindex = ev->ifindex;
		break;
	case VFT_PAIR_RENAME:
		k->netns = ev->netns;
		memcpy(k->ifname, ev->ifname, sizeof(k->ifname));
		k->ifname[sizeof(k->ifname) - 1] = '\0';
		break;
	case VFT_PAIR_ADDR:
		k->netns = ev->netns;
		k->family = ev->family;
		k->prefixlen = ev->prefixlen;
		memcpy(k->addr, ev->addr, sizeof(k->addr));
		break;
	case VFT_PAIR_NONE:
	case VFT_PAIR_DEV:
		k->netns = ev->netns;
		k->ifindex = ev->ifindex;
		break;
	}
}

static bool same_change(const struct merge_key *a, const struct merge_key *b, uint64_t window)
{
	uint64_t dt = a->ts_ns > b->ts_ns ? a->ts_ns - b->ts_ns : b->ts_ns - a->ts_ns;

	if (a->kind != b->kind || dt > window)
		return false;
	if (a->netns && b->netns && a->netns != b->netns)
		return false;
	switch (a->pair) {
	case VFT_PAIR_RENAME:
		return !strcmp(a->ifname, b->ifname);
	case VFT_PAIR_ADDR:
		return a->family == b->family && a->prefixlen == b->prefixlen &&
		       !memcmp(a->addr, b->addr, sizeof(a->addr));
	case VFT_PAIR_NONE:
	case VFT_PAIR_DEV:
	case VFT_PAIR_MOVE:
		break;
	}
	return a->ifindex == b->ifindex;
}

int vft_merge__new(uint64_t window_ns, struct vft_merge **out)
{
	struct vft_merge *m;
	int err = 0;

	*out = NULL;
	m = calloc(1, sizeof(*m));
	if (!m) {
		err = -ENOMEM;
		goto out;
	}
	m->window_ns = window_ns;
	m->mem = calloc(VFT_MERGE_CAP, sizeof(*m->mem));
	m->held = calloc(VFT_MERGE_CAP, sizeof(*m->held));
	if (!m->mem || !m->held) {
		vft_merge__free(m);
		err = -ENOMEM;
		goto out;
	}
	*out = m;
out:
	return err;
}

static struct held **held_at(struct vft_merge *m, size_t i)
{
	return &m->held[(m->held_head + i) % VFT_MERGE_CAP];
}

static struct remembered *mem_at(struct vft_merge *m, size_t i)
{
	return &m->mem[(m->mem_head + i) % VFT_MERGE_CAP];
}

/* Takes the oldest held slot out; hands its event to @cb unless it was dropped. */
static int release_oldest(struct vft_merge *m, vft_event_cb cb, void *ctx)
{
	struct held *h = *held_at(m, 0);
	int err = 0;

	*held_at(m, 0) = NULL;
	m->held_head = (m->held_head + 1) % VFT_MERGE_CAP;
	m->held_len--;
	if (h)
		err = cb(ctx, &h->ev);
	free(h);
	return err < 0 ? err : 0;
}

static void forget_old(struct vft_merge *m, uint64_t now_ns)
{
	while (m->mem_len) {
		struct remembered *r = mem_at(m, 0);
		bool old = now_ns == UINT64_MAX ||
			   (now_ns > r->seen_ns && now_ns - r->seen_ns > m->window_ns);

		if (!old && !r->used)
			break;
		m->mem_head = (m->mem_head + 1) % VFT_MERGE_CAP;
		m->mem_len--;
	}
}

int vft_merge__flush(struct vft_merge *m, uint64_t now_ns, vft_event_cb cb, void *ctx)
{
	int err = 0;

	forget_old(m, now_ns);
	while (m->held_len && !err) {
		struct held *h = *held_at(m, 0);

		if (h && now_ns != UINT64_MAX && h->release_ns > now_ns)
			break;
		err = release_oldest(m, cb, ctx);
	}
	return err;
}

uint64_t vft_merge__next_release(const struct vft_merge *m)
{
	size_t i;

	/* the ring is in arrival order; dropped slots are NULL */
	for (i = 0; i < m->held_len; i++) {
		const struct held *h = m->held[(m->held_head + i) % VFT_MERGE_CAP];

		if (h)
			return h->release_ns;
	}
	return UINT64_MAX;
}

static void remember(struct vft_merge *m, const struct merge_key *k, uint64_t now_ns)
{
	struct remembered *r;

	if (m->mem_len == VFT_MERGE_CAP) {
		m->mem_head = (m->mem_head + 1) % VFT_MERGE_CAP;
		m->mem_len--;
		m->evicted++;
	}
	r = mem_at(m, m->mem_len++);
	r->key = *k;
	r->seen_ns = now_ns;
	r->used = false;
}

/* A BPF event arrived: drops the oldest held netlink event of the same change. */
static bool drop_held(struct vft_merge *m, const struct merge_key *k)
{
	size_t i;

	for (i = 0; i < m->held_len; i++) {
		struct held **h = held_at(m, i);

		if (*h && same_change(&(*h)->key, k, m->window_ns)) {
			free(*h);
			*h = NULL;
			m->dropped++;
			return true;
		}
	}
	return false;
}

/* A netlink event arrived: whether a remembered BPF event already stands for it. */
static bool seen_by_bpf(struct vft_merge *m, const struct merge_key *k)
{
	size_t i;

	for (i = 0; i < m->mem_len; i++) {
		struct remembered *r = mem_at(m, i);

		if (!r->used && same_change(&r->key, k, m->window_ns)) {
			r->used = true;
			m->dropped++;
			return true;
		}
	}
	return false;
}

static int hold(struct vft_merge *m, const struct vft_event *ev, const struct merge_key *k,
		uint64_t now_ns, vft_event_cb cb, void *ctx)
{
	struct held *h;
	int err = 0;

	h = malloc(sizeof(*h));
	if (!h) {
		/* Better a duplicate than a loss. */
		err = cb(ctx, ev);
		goto out;
	}
	if (m->held_len == VFT_MERGE_CAP) {
		m->evicted++;
		err = release_oldest(m, cb, ctx);
	}
	h->key = *k;
	h->release_ns = now_ns > UINT64_MAX - m->window_ns ? UINT64_MAX : now_ns + m->window_ns;
	h->ev = *ev;
	*held_at(m, m->held_len++) = h;
out:
	return err < 0 ? err : 0;
}

int vft_merge__feed(struct vft_merge *m, const struct vft_event *ev, uint64_t now_ns,
		    vft_event_cb cb, void *ctx)
{
	struct merge_key k;
	int err;

	err = vft_merge__flush(m, now_ns, cb, ctx);
	if (err)
		goto out;
	key_of(ev, &k);
	if (from_bpf(ev->source)) {
		err = cb(ctx, ev);
		if (ev->has_ret && ev->ret < 0)
			goto out;
		if (!drop_held(m, &k))
			remember(m, &k, now_ns);
	} else if (ev->source == VFT_SRC_NETLINK) {
		if (covered(m, ev))
			m->dropped++;
		else if (!seen_by_bpf(m, &k))
			err = hold(m, ev, &k, now_ns, cb, ctx);
	} else {
		err = cb(ctx, ev);
	}
out:
	return err < 0 ? err : 0;
}

uint64_t vft_merge__dropped(const struct vft_merge *m)
{
	return m->dropped;
}

uint64_t vft_merge__evicted(const struct vft_merge *m)
{
	return m->evicted;
}

void vft_merge__free(struct vft_merge *m)
{
	size_t i;

	if (!m)
		return;
	if (m->held)
		for (i = 0; i < m->held_len; i++)
			free(*held_at(m, i));
	free(m->held);
	free(m->mem);
	free(m);
}
