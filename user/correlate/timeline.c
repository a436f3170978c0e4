// SPDX-License-Identifier: GPL-2.0-only
/*
 * timeline.c - a VF's timeline: its steps as kept (coded in a buffer per
 * record, strings in a pool), and as rendered (struct vft_step, with its
 * text) for the records looked up last.
 */
#include <stdlib.h>
#include <string.h>
#include "correlate/internal.h"
#include "lib/util.h"

/*
 * A VF keeps up to VFT_VF_MAX_STEPS steps, not as struct vft_step (200
 * bytes, mostly text) but as the few values its text is made of, varint
 * coded in one buffer per record, strings by their id in a pool that holds
 * each once: about 16 bytes a step. A record's pub.steps is rendered from
 * them when it is looked up (vft_corr__vf()), and follows its later steps;
 * VFT_CORR_VIEWS records at most are rendered at a time.
 */

static const char *pool_str(const struct vft_corr *c, uint32_t id)
{
	return id ? c->pool.buf + id : "";
}

/* The id of @s (at most @max bytes), added if new: 0 for "", UINT32_MAX on -ENOMEM. */
static uint32_t pool_add(struct strpool *p, const char *s, size_t max)
{
	size_t n = strnlen(s, max), i, k, cap, mask;
	struct pool_hot *hot = NULL;
	struct pool_slot *slots;
	uint32_t h, off;
	char *buf;

	if (!n)
		return 0;
	if (n <= sizeof(hot->s)) {
		hot = &p->hot[(n * 7 + (unsigned char)s[0] * 3 + (unsigned char)s[n - 1] * 5 +
			       (unsigned char)s[n / 2]) %
			      ARRAY_SIZE(p->hot)];
		if (hot->len == n && !memcmp(hot->s, s, n))
			return hot->off;
	}
	h = (uint32_t)hash_bytes(0xcbf29ce484222325ULL, s, n);
	if ((p->n + 1) * 2 > p->cap_slots) {
		cap = p->cap_slots ? p->cap_slots * 2 : 256;
		slots = calloc(cap, sizeof(*slots));
		if (!slots)
			return UINT32_MAX;
		for (k = 0; k < p->cap_slots; k++) {
			if (!p->slots[k].off)
				continue;
			for (i = p->slots[k].hash & (cap - 1); slots[i].off;
			     i = (i + 1) & (cap - 1))
				;
			slots[i] = p->slots[k];
		}
		free(p->slots);
		p->slots = slots;
		p->cap_slots = cap;
	}
	mask = p->cap_slots - 1;
	for (i = h & mask; p->slots[i].off; i = (i + 1) & mask) {
		off = p->slots[i].off;
		if (p->slots[i].hash == h && p->slots[i].len == n && !memcmp(p->buf + off, s, n))
			goto found;
	}
	if (p->len + n + 1 > p->cap) {
		cap = p->cap ? p->cap : 4096;
		while (p->len + n + 1 > cap)
			cap *= 2;
		if (cap > UINT32_MAX)
			return UINT32_MAX;
		buf = realloc(p->buf, cap);
		if (!buf)
			return UINT32_MAX;
		if (!p->buf)
			buf[p->len++] = '\0'; /* id 0 */
		p->buf = buf;
		p->cap = cap;
	}
	off = (uint32_t)p->len;
	memcpy(p->buf + off, s, n);
	p->buf[off + n] = '\0';
	p->len += n + 1;
	p->slots[i].hash = h;
	p->slots[i].off = off;
	p->slots[i].len = (uint32_t)n;
	p->n++;
found:
	if (hot) {
		hot->off = off;
		hot->len = (uint8_t)n;
		memcpy(hot->s, s, n);
	}
	return off;
}

/* A step as kept: what its text is made of (which of these, see keep_step()). */
struct kept_step {
	uint64_t ts_ns;
	uint32_t kind;
	int32_t ret; /* 0 or a negative errno */
	uint32_t pid;
	uint32_t comm;	 /* pool ids */
	uint32_t str[3]; /* a name, a new name, a message */
	uint32_t num[6];
	uint64_t guid;
	uint8_t addr[16];
	uint8_t addr_len;
};

#define KEPT_MAX 128 /* bytes of a coded step, its length byte included */

/* pool_add() of a name of @r: its own names repeat in its steps. */
static uint32_t rec_str(struct strpool *p, struct rec *r, const char *s, size_t max)
{
	size_t n = strnlen(s, max), i;
	struct rec_str *e;
	uint32_t id;

	for (i = 0; i < ARRAY_SIZE(r->tl->strs); i++)
		if (r->tl->strs[i].len == n && n && !memcmp(r->tl->strs[i].s, s, n))
			return r->tl->strs[i].id;
	id = pool_add(p, s, max);
	if (id && id != UINT32_MAX && n <= sizeof(e->s)) {
		e = &r->tl->strs[r->tl->strs_next++ % ARRAY_SIZE(r->tl->strs)];
		e->id = id;
		e->len = (uint8_t)n;
		memcpy(e->s, s, n);
	}
	return id;
}

/* What @ev's step on @r is made of into @k. Returns false on -ENOMEM (the pool). */
static bool keep_step(struct vft_corr *c, struct rec *r, const struct vft_event *ev,
		      struct kept_step *k)
{
	struct strpool *p = &c->pool;
	bool failed = ev->has_ret && ev->ret < 0;
	size_t i;

	memset(k, 0, sizeof(*k));
	k->ts_ns = ev->ts_ns;
	k->kind = ev->kind;
	k->ret = ev->has_ret ? ev->ret : 0;
	if (ev->has_actor) {
		k->pid = ev->actor.pid;
		k->comm = pool_add(p, ev->actor.comm, sizeof(ev->actor.comm));
	}
	switch (ev->kind) {
	case VFT_EV_NETDEV_REGISTER:
		k->num[0] = ev->netns;
		/* fall through */
	case VFT_EV_NETDEV_UNREGISTER:
		k->str[0] = rec_str(p, r, ev->ifname, sizeof(ev->ifname));
		break;
	case VFT_EV_NETNS_MOVE:
		k->str[0] = rec_str(p, r, ev->ifname, sizeof(ev->ifname));
		k->num[0] = ev->to_netns;
		if (failed)
			k->str[2] = pool_add(p, ev->message, sizeof(ev->message));
		else
			k->str[1] = rec_str(p, r, ev->new_ifname, sizeof(ev->new_ifname));
		break;
	case VFT_EV_NETDEV_RENAME:
		k->str[0] = rec_str(p, r, ev->ifname, sizeof(ev->ifname));
		k->str[1] = rec_str(p, r, ev->new_ifname, sizeof(ev->new_ifname));
		break;
	case VFT_EV_LINK_CHANGE:
		k->str[0] = rec_str(p, r, ev->ifname, sizeof(ev->ifname));
		k->num[0] = (ev->flags & IFF_UP_FLAG) | (ev->old_flags & IFF_UP_FLAG) << 1;
		break;
	case VFT_EV_ADDR_ADD:
	case VFT_EV_ADDR_DEL:
		k->str[0] = rec_str(p, r, ev->ifname, sizeof(ev->ifname));
		k->num[0] = ev->family;
		k->num[1] = ev->prefixlen;
		k->addr_len = ev->family == AF_INET6_NUM ? 16 : ev->family == 2 ? 4 : 0;
		memcpy(k->addr, ev->addr, k->addr_len);
		break;
	case VFT_EV_DRIVER_BIND:
	case VFT_EV_DRIVER_UNBIND:
		k->str[0] = pool_add(p, ev->driver, sizeof(ev->driver));
		break;
	case VFT_EV_VF_ADD:
	case VFT_EV_VF_REMOVE:
		k->str[0] = pool_add(p, ev->pf, sizeof(ev->pf));
		k->num[0] = (uint32_t)ev->vf_index;
		break;
	case VFT_EV_RDMA_REGISTER:
	case VFT_EV_RDMA_UNREGISTER:
	case VFT_EV_RDMA_RENAME:
	case VFT_EV_RDMA_NETNS_MOVE:
		k->str[0] = rec_str(p, r, ev->ibdev, sizeof(ev->ibdev));
		if (ev->kind == VFT_EV_RDMA_REGISTER)
			k->guid = ev->node_guid;
		else if (ev->kind == VFT_EV_RDMA_RENAME)
			k->str[1] = rec_str(p, r, ev->new_ibdev, sizeof(ev->new_ibdev));
		else if (ev->kind == VFT_EV_RDMA_NETNS_MOVE)
			k->num[0] = ev->to_netns;
		break;
	case VFT_EV_RDMA_PORT_EVENT:
	case VFT_EV_RDMA_PORT_STATE:
		k->str[0] = rec_str(p, r, ev->ibdev, sizeof(ev->ibdev));
		if (failed) {
			k->num[0] = ev->netns;
			break;
		}
		k->num[0] = ev->port;
		k->num[1] = ev->port_event;
		k->num[2] = ev->has_port_attrs;
		k->num[3] = ev->port_state;
		k->num[4] = ev->lid;
		k->num[5] = ev->sm_lid;
		break;
	default:
		break;
	}
	if (k->comm == UINT32_MAX)
		return false;
	for (i = 0; i < ARRAY_SIZE(k->str); i++)
		if (k->str[i] == UINT32_MAX)
			return false;
	return true;
}

static uint8_t *put_uv(uint8_t *p, uint64_t v)
{
	while (v >= 0x80) {
		*p++ = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	*p++ = (uint8_t)v;
	return p;
}

static const uint8_t *get_uv(const uint8_t *p, uint64_t *v)
{
	unsigned int shift = 0;

	*v = 0;
	do
		*v |= (uint64_t)(*p & 0x7f) << shift, shift += 7;
	while (*p++ & 0x80);
	return p;
}

/*
 * A coded step: its length (one byte), the time from the record's base
 * (zigzag), the kind, a mask of the values that are not 0, those values.
 */
enum {
	KM_PID = 1 << 0,
	KM_COMM = 1 << 1,
	KM_RET = 1 << 2,
	KM_STR = 1 << 3, /* 3 bits */
	KM_NUM = 1 << 6, /* 6 bits */
	KM_GUID = 1 << 12,
	KM_ADDR = 1 << 13,
};

static size_t code_step(const struct rec *r, const struct kept_step *k, uint8_t *out)
{
	int64_t dt = (int64_t)(k->ts_ns - r->tl->base);
	uint8_t *p = out + 1;
	uint32_t mask = 0;
	size_t i;

	p = put_uv(p, ((uint64_t)dt << 1) ^ (uint64_t)(dt >> 63));
	p = put_uv(p, k->kind);
	mask |= k->pid ? KM_PID : 0;
	mask |= k->comm ? KM_COMM : 0;
	mask |= k->ret ? KM_RET : 0;
	for (i = 0; i < ARRAY_SIZE(k->str); i++)
		mask |= k->str[i] ? KM_STR << i : 0;
	for (i = 0; i < ARRAY_SIZE(k->num); i++)
		mask |= k->num[i] ? KM_NUM << i : 0;
	mask |= k->guid ? KM_GUID : 0;
	mask |= k->addr_len ? KM_ADDR : 0;
	p = put_uv(p, mask);
	if (k->pid)
		p = put_uv(p, k->pid);
	if (k->comm)
		p = put_uv(p, k->comm);
	if (k->ret)
		p = put_uv(p, (uint32_t)k->ret << 1 ^ (uint32_t)(k->ret >> 31));
	for (i = 0; i < ARRAY_SIZE(k->str); i++)
		if (k->str[i])
			p = put_uv(p, k->str[i]);
	for (i = 0; i < ARRAY_SIZE(k->num); i++)
		if (k->num[i])
			p = put_uv(p, k->num[i]);
	if (k->guid)
		p = put_uv(p, k->guid);
	if (k->addr_len) {
		*p++ = k->addr_len;
		memcpy(p, k->addr, k->addr_len);
		p += k->addr_len;
	}
	out[0] = (uint8_t)(p - out - 1);
	return (size_t)(p - out);
}

/* The coded step at @p into @k; returns where the next one starts. */
static const uint8_t *decode_step(const struct rec *r, const uint8_t *p, struct kept_step *k)
{
	const uint8_t *next = p + 1 + p[0];
	uint64_t v, mask;
	size_t i;

	p = get_uv(p + 1, &v);
	k->ts_ns = r->tl->base + (uint64_t)((int64_t)(v >> 1) ^ -(int64_t)(v & 1));
	p = get_uv(p, &v);
	k->kind = (uint32_t)v;
	p = get_uv(p, &mask);
	/* every value, 0 for those not coded */
	v = 0;
	if (mask & KM_PID)
		p = get_uv(p, &v);
	k->pid = (uint32_t)v;
	v = 0;
	if (mask & KM_COMM)
		p = get_uv(p, &v);
	k->comm = (uint32_t)v;
	v = 0;
	if (mask & KM_RET)
		p = get_uv(p, &v);
	k->ret = (int32_t)((uint32_t)(v >> 1) ^ -(uint32_t)(v & 1));
	for (i = 0; i < ARRAY_SIZE(k->str); i++) {
		v = 0;
		if (mask & (KM_STR << i))
			p = get_uv(p, &v);
		k->str[i] = (uint32_t)v;
	}
	for (i = 0; i < ARRAY_SIZE(k->num); i++) {
		v = 0;
		if (mask & (KM_NUM << i))
			p = get_uv(p, &v);
		k->num[i] = (uint32_t)v;
	}
	k->guid = 0;
	if (mask & KM_GUID)
		p = get_uv(p, &k->guid);
	k->addr_len = 0;
	memset(k->addr, 0, sizeof(k->addr));
	if (mask & KM_ADDR) {
		k->addr_len = *p++;
		memcpy(k->addr, p, k->addr_len);
	}
	return next;
}

/*
 * An address as vft_fmt_addr() (inet_ntop()) writes it: family 2 or 10, "?"
 * for others. IPv6: the longest run of two or more zero groups (the first of
 * equals) as "::", an IPv4-compatible or -mapped address in dotted decimal.
 * The C library's way is a sprintf() per group: a timeline has many.
 */
static void t_ip(struct text *t, int family, const uint8_t *a)
{
	int best = -1, best_len = 0, cur = -1, cur_len = 0, i, k;
	unsigned int w[8];

	if (family != 10) {
		if (family != 2) {
			t_str(t, "?");
			return;
		}
		for (k = 0; k < 4; k++) {
			if (k)
				t_str(t, ".");
			t_dec(t, a[k]);
		}
		return;
	}
	for (i = 0; i < 8; i++) {
		w[i] = (unsigned int)a[2 * i] << 8 | a[2 * i + 1];
		if (!w[i]) {
			if (cur < 0)
				cur = i, cur_len = 0;
			cur_len++;
		} else if (cur >= 0) {
			if (best < 0 || cur_len > best_len)
				best = cur, best_len = cur_len;
			cur = -1;
		}
	}
	if (cur >= 0 && (best < 0 || cur_len > best_len))
		best = cur, best_len = cur_len;
	if (best_len < 2)
		best = -1;
	for (i = 0; i < 8; i++) {
		if (best >= 0 && i >= best && i < best + best_len) {
			if (i == best)
				t_str(t, ":");
			continue;
		}
		if (i)
			t_str(t, ":");
		/* an IPv4-compatible or -mapped address ends in dotted decimal */
		if (i == 6 && best == 0 && (best_len == 6 || (best_len == 5 && w[5] == 0xffff))) {
			t_ip(t, 2, a + 12);
			return;
		}
		t_hex(t, w[i]);
	}
	if (best >= 0 && best + best_len == 8)
		t_str(t, ":");
}

/* A step's text, as "moved ens1f0v1 to netns 4026532291 as net1". */
static void step_text(const struct vft_corr *c, const struct kept_step *k, char *buf, size_t size)
{
	const char *name = pool_str(c, k->str[0]), *name2 = pool_str(c, k->str[1]);
	const char *msg = pool_str(c, k->str[2]);
	struct text t = { buf, buf + size - 1 };
	char ebuf[16], g[24];
	bool failed = k->ret < 0;
	bool up = k->num[0] & IFF_UP_FLAG, was_up = k->num[0] >> 1 & IFF_UP_FLAG;

	switch (k->kind) {
	case VFT_EV_NETDEV_REGISTER:
		t_str(&t, "netdev ");
		t_str(&t, name);
		t_str(&t, " registered in netns ");
		t_dec(&t, k->num[0]);
		break;
	case VFT_EV_NETDEV_UNREGISTER:
		t_str(&t, "netdev ");
		t_str(&t, name);
		t_str(&t, " unregistered");
		break;
	case VFT_EV_NETNS_MOVE:
		t_str(&t, failed ? "move of " : "moved ");
		t_str(&t, name);
		t_str(&t, " to netns ");
		t_dec(&t, k->num[0]);
		if (failed) {
			t_str(&t, " failed: ");
			t_str(&t, vft_errno_name(k->ret, ebuf, sizeof(ebuf)));
			t_str(&t, msg[0] ? ": " : "");
			t_str(&t, msg);
		} else {
			t_str(&t, name2[0] ? " as " : "");
			t_str(&t, name2);
		}
		break;
	case VFT_EV_NETDEV_RENAME:
		t_str(&t, failed ? "rename " : "renamed ");
		t_str(&t, name);
		t_str(&t, " -> ");
		t_str(&t, name2);
		if (failed) {
			t_str(&t, " failed: ");
			t_str(&t, vft_errno_name(k->ret, ebuf, sizeof(ebuf)));
		}
		break;
	case VFT_EV_LINK_CHANGE:
		t_str(&t, name);
		t_str(&t, up == was_up ? " flags changed" : up ? " admin up" : " admin down");
		break;
	case VFT_EV_ADDR_ADD:
	case VFT_EV_ADDR_DEL:
		t_str(&t, k->kind == VFT_EV_ADDR_ADD ? "address " : "removed ");
		t_ip(&t, (int)k->num[0], k->addr);
		t_str(&t, "/");
		t_dec(&t, k->num[1]);
		t_str(&t, k->kind == VFT_EV_ADDR_ADD ? " on " : " from ");
		t_str(&t, name);
		break;
	case VFT_EV_DRIVER_BIND:
		t_str(&t, "bound to ");
		t_str(&t, name);
		t_str(&t, failed ? " (failed)" : "");
		break;
	case VFT_EV_DRIVER_UNBIND:
		t_str(&t, "unbound from ");
		t_str(&t, name);
		break;
	case VFT_EV_VF_ADD:
	case VFT_EV_VF_REMOVE:
		t_str(&t, "VF ");
		t_int(&t, (int32_t)k->num[0]);
		t_str(&t, " of ");
		t_str(&t, name);
		t_str(&t, k->kind == VFT_EV_VF_REMOVE ? " removed" : "");
		break;
	case VFT_EV_RDMA_REGISTER:
		vft_fmt_guid(g, sizeof(g), k->guid);
		t_str(&t, "RDMA device ");
		t_str(&t, name);
		t_str(&t, " registered (node GUID ");
		t_str(&t, g);
		t_str(&t, ")");
		break;
	case VFT_EV_RDMA_UNREGISTER:
		t_str(&t, "RDMA device ");
		t_str(&t, name);
		t_str(&t, " unregistered");
		break;
	case VFT_EV_RDMA_RENAME:
		t_str(&t, "RDMA device ");
		t_str(&t, name);
		t_str(&t, " renamed ");
		t_str(&t, name2);
		break;
	case VFT_EV_RDMA_NETNS_MOVE:
		t_str(&t, "RDMA device ");
		t_str(&t, name);
		t_str(&t, " to netns ");
		t_dec(&t, k->num[0]);
		if (failed) {
			t_str(&t, " failed: ");
			t_str(&t, vft_errno_name(k->ret, ebuf, sizeof(ebuf)));
		}
		break;
	case VFT_EV_RDMA_PORT_EVENT:
	case VFT_EV_RDMA_PORT_STATE:
		t_str(&t, name);
		if (failed) {
			t_str(&t, " not visible in netns ");
			t_dec(&t, k->num[0]);
			break;
		}
		t_str(&t, "/");
		t_dec(&t, k->num[0]);
		t_str(&t, " ");
		t_str(&t, k->kind == VFT_EV_RDMA_PORT_EVENT ? vft_ib_event__name(k->num[1]) ?: "?" :
							      "state");
		if (k->num[2]) {
			t_str(&t, " ");
			t_str(&t, vft_port_state__name(k->num[3]) ?: "?");
		}
		t_str(&t, " lid 0x");
		t_hex(&t, k->num[4]);
		t_str(&t, " sm_lid 0x");
		t_hex(&t, k->num[5]);
		break;
	case VFT_EV_VF_CHECK:
		t_str(&t, "grace period over: checked");
		break;
	default:
		t_str(&t, vft_kind__name(k->kind) ?: "?");
		break;
	}
	*t.p = '\0';
}

static void render_step(const struct vft_corr *c, const struct kept_step *k, struct vft_step *s)
{
	s->ts_ns = k->ts_ns;
	s->kind = k->kind;
	s->ret = k->ret;
	s->pid = k->pid;
	memset(s->comm, 0, sizeof(s->comm));
	vft_copy_name(s->comm, pool_str(c, k->comm), sizeof(s->comm));
	step_text(c, k, s->text, sizeof(s->text));
}

/* Forgets the rendered steps of @r. */
void corr_view_drop(struct vft_corr *c, struct rec *r)
{
	size_t i;

	if (!r->in_view)
		return;
	i = r->view_slot;
	c->views[i] = c->views[--c->n_views];
	c->view_ticks[i] = c->view_ticks[c->n_views];
	c->views[i]->view_slot = (uint32_t)i;
	free(r->pub.steps);
	r->pub.steps = NULL;
	r->cap_steps = 0;
	r->in_view = false;
}

/* Room for @n rendered steps of @r (up to VFT_VF_MAX_STEPS). Returns false on -ENOMEM. */
static bool view_room(struct rec *r, size_t n)
{
	size_t cap = r->cap_steps ? r->cap_steps : 8;
	struct vft_step *s;

	if (n <= r->cap_steps)
		return true;
	while (cap < n)
		cap *= 2;
	if (cap > VFT_VF_MAX_STEPS)
		cap = VFT_VF_MAX_STEPS;
	s = realloc(r->pub.steps, cap * sizeof(*s));
	if (!s)
		return false;
	r->pub.steps = s;
	r->cap_steps = cap;
	return true;
}

/* Renders the steps of @r into pub.steps, making room among the rendered records. */
void corr_view_make(struct vft_corr *c, struct rec *r)
{
	const uint8_t *p = r->tl ? r->tl->data : NULL;
	struct kept_step k;
	size_t i, old = 0;

	if (r->in_view) {
		c->view_ticks[r->view_slot] = c->view_tick;
		return;
	}
	if (c->n_views == VFT_CORR_VIEWS) { /* the one looked up longest ago goes */
		for (i = 1; i < c->n_views; i++)
			if (c->view_ticks[i] < c->view_ticks[old])
				old = i;
		corr_view_drop(c, c->views[old]);
	}
	if (!view_room(r, r->pub.n_steps)) {
		free(r->pub.steps);
		r->pub.steps = NULL;
		r->cap_steps = 0;
		return;
	}
	for (i = 0; i < r->pub.n_steps; i++) {
		if (i == KEEP_FIRST_STEPS)
			p = r->tl->data + r->tl->head; /* past the gap */
		p = decode_step(r, p, &k);
		render_step(c, &k, &r->pub.steps[i]);
	}
	r->in_view = true;
	r->view_slot = (uint32_t)c->n_views;
	c->view_ticks[c->n_views] = c->view_tick;
	c->views[c->n_views++] = r;
}

void corr_add_step(struct vft_corr *c, struct rec *r, const struct vft_event *ev)
{
	struct vft_vf *v = &r->pub;
	uint8_t coded[KEPT_MAX];
	struct kept_step k;
	struct kept *tmp;
	size_t len, cap;

	if (!c->opts.no_steps && !r->tl) {
		r->tl = calloc(1, sizeof(*r->tl) + 128);
		if (r->tl)
			r->tl->cap = 128;
	}
	if (!r->tl || !keep_step(c, r, ev, &k)) {
		v->steps_dropped++;
		return;
	}
	if (!r->tl->len)
		r->tl->base = ev->ts_ns;
	len = code_step(r, &k, coded);
	if (r->tl->len + len > r->tl->cap && r->tl->head > r->tl->first) {
		/* close the gap that dropped steps left */
		memmove(r->tl->data + r->tl->first, r->tl->data + r->tl->head,
			r->tl->len - r->tl->head);
		r->tl->len -= r->tl->head - r->tl->first;
		r->tl->head = r->tl->first;
	}
	if (r->tl->len + len > r->tl->cap) {
		/* most records keep a few steps: grow on demand */
		cap = r->tl->cap * 2;
		tmp = realloc(r->tl, sizeof(*r->tl) + cap);
		if (!tmp) {
			v->steps_dropped++;
			return;
		}
		r->tl = tmp;
		r->tl->cap = (uint32_t)cap;
	}
	if (v->n_steps == VFT_VF_MAX_STEPS) {
		/* keep the first steps (how it started) and the newest */
		r->tl->head += 1 + r->tl->data[r->tl->head];
		v->n_steps--;
		v->steps_dropped++;
		if (r->in_view)
			memmove(&v->steps[KEEP_FIRST_STEPS], &v->steps[KEEP_FIRST_STEPS + 1],
				(VFT_VF_MAX_STEPS - KEEP_FIRST_STEPS - 1) * sizeof(*v->steps));
	}
	memcpy(r->tl->data + r->tl->len, coded, len);
	r->tl->len += (uint32_t)len;
	if (++v->n_steps <= KEEP_FIRST_STEPS)
		r->tl->first = r->tl->head = r->tl->len;
	if (!r->in_view)
		return;
	if (view_room(r, v->n_steps))
		render_step(c, &k, &v->steps[v->n_steps - 1]);
	else
		corr_view_drop(c, r); /* rendered again when looked up */
}
