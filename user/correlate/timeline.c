// SPDX-License-Identifier: GPL-2.0-only
/*
 * timeline.c - a VF's timeline: its steps as kept (coded in a buffer per
 * record, strings in a pool), and as rendered (struct vft_step, with its
 * text) for the records looked up last. A step's text is not made here:
 * the step is made an event again and described by its kind's row, as
 * every event is (vft_event__describe()).
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include "correlate/internal.h"
#include "lib/util.h"

/*
 * A VF keeps up to VFT_VF_MAX_STEPS steps, not as struct vft_step (200
 * bytes, mostly text) but as the few values its text is made of (its
 * kind's keep column, kinds.h), varint coded in one buffer per record, strings by their id in a pool that holds
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

/*
 * A step as kept: its result and actor, and the values its kind's keep
 * column names (kinds.h), group after group in the order of the column's
 * bits: pool ids of strings, numbers. An address's bytes go apart.
 */
#define KEPT_VALUES 8

struct kept_step {
	uint64_t ts_ns;
	uint32_t kind;
	int32_t ret; /* 0 or a negative errno */
	uint32_t pid;
	uint32_t comm; /* pool id */
	uint64_t v[KEPT_VALUES];
	unsigned int n; /* of v */
	uint8_t addr[16];
	uint8_t addr_len;
};

/* How many values of v each group of the keep column is. */
static const uint8_t keep_width[VFT_KEEP_MAX] = {
	[VFT_KEEP_IFNAME] = 1,	   [VFT_KEEP_NETNS] = 1,     [VFT_KEEP_TO_NETNS] = 1,
	[VFT_KEEP_NEW_IFNAME] = 1, [VFT_KEEP_MESSAGE] = 1,   [VFT_KEEP_UP] = 1,
	[VFT_KEEP_ADDR] = 2,	   [VFT_KEEP_DRIVER] = 1,    [VFT_KEEP_VF] = 2,
	[VFT_KEEP_IBDEV] = 1,	   [VFT_KEEP_NEW_IBDEV] = 1, [VFT_KEEP_NODE_GUID] = 1,
	[VFT_KEEP_PORT] = 6,	   [VFT_KEEP_VFCFG] = 2,     [VFT_KEEP_CNI] = 7,
};

/* The number of values a step of @kind keeps, or UINT_MAX when more than KEPT_VALUES. */
static unsigned int kept_values(uint32_t kind)
{
	uint32_t keep = vft_kind__get(kind)->keep;
	unsigned int n = 0;

	for (; keep; keep &= keep - 1)
		n += keep_width[__builtin_ctz(keep)];
	return n <= KEPT_VALUES ? n : UINT_MAX;
}

#define KEPT_MAX 160 /* bytes of a coded step, its length byte included */

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

/* A string's pool id as a kept value; notes in @oom a failed pool_add(). */
static uint64_t str_id(uint32_t id, bool *oom)
{
	*oom |= id == UINT32_MAX;
	return id;
}

/*
 * What @ev's step on @r is made of into @k: the values of its kind's keep
 * column. Returns false on -ENOMEM (the pool), or for a kind that would
 * keep more than KEPT_VALUES (test_kinds.c keeps a step of every kind).
 */
static bool keep_step(struct vft_corr *c, struct rec *r, const struct vft_event *ev,
		      struct kept_step *k)
{
	struct strpool *p = &c->pool;
	uint32_t keep = vft_kind__get(ev->kind)->keep;
	uint64_t *v = k->v;
	unsigned int n = kept_values(ev->kind);
	bool oom = false;

	if (n == UINT_MAX)
		return false;
	k->ts_ns = ev->ts_ns;
	k->kind = ev->kind;
	k->ret = ev->has_ret ? ev->ret : 0;
	k->pid = ev->has_actor ? ev->actor.pid : 0;
	k->comm = ev->has_actor ? pool_add(p, ev->actor.comm, sizeof(ev->actor.comm)) : 0;
	k->n = n;
	k->addr_len = 0;
	for (; keep; keep &= keep - 1) {
		switch ((enum vft_keep)__builtin_ctz(keep)) { /* a new group fails the build here */
		case VFT_KEEP_IFNAME:
			*v++ = str_id(rec_str(p, r, ev->ifname, sizeof(ev->ifname)), &oom);
			break;
		case VFT_KEEP_NETNS:
			*v++ = ev->netns;
			break;
		case VFT_KEEP_TO_NETNS:
			*v++ = ev->to_netns;
			break;
		case VFT_KEEP_NEW_IFNAME:
			*v++ = str_id(rec_str(p, r, ev->new_ifname, sizeof(ev->new_ifname)), &oom);
			break;
		case VFT_KEEP_MESSAGE:
			*v++ = str_id(pool_add(p, ev->message, sizeof(ev->message)), &oom);
			break;
		case VFT_KEEP_UP:
			*v++ = (ev->flags & IFF_UP_FLAG) | (ev->old_flags & IFF_UP_FLAG) << 1;
			break;
		case VFT_KEEP_ADDR:
			*v++ = ev->family;
			*v++ = ev->prefixlen;
			k->addr_len = ev->family == AF_INET6_NUM ? 16 : ev->family == 2 ? 4 : 0;
			memcpy(k->addr, ev->addr, k->addr_len);
			break;
		case VFT_KEEP_DRIVER:
			*v++ = str_id(pool_add(p, ev->driver, sizeof(ev->driver)), &oom);
			break;
		case VFT_KEEP_VF:
			*v++ = str_id(pool_add(p, ev->pf, sizeof(ev->pf)), &oom);
			*v++ = (uint32_t)ev->vf_index;
			break;
		case VFT_KEEP_IBDEV:
			*v++ = str_id(rec_str(p, r, ev->ibdev, sizeof(ev->ibdev)), &oom);
			break;
		case VFT_KEEP_NEW_IBDEV:
			*v++ = str_id(rec_str(p, r, ev->new_ibdev, sizeof(ev->new_ibdev)), &oom);
			break;
		case VFT_KEEP_NODE_GUID:
			*v++ = ev->node_guid;
			break;
		case VFT_KEEP_PORT:
			*v++ = ev->port;
			*v++ = ev->port_event;
			*v++ = ev->has_port_attrs;
			*v++ = ev->port_state;
			*v++ = ev->lid;
			*v++ = ev->sm_lid;
			break;
		case VFT_KEEP_VFCFG:
			*v++ = ev->vf_setting;
			*v++ = ev->vf_value;
			break;
		case VFT_KEEP_CNI:
			*v++ = str_id(pool_add(p, ev->cni_command, sizeof(ev->cni_command)), &oom);
			*v++ = str_id(pool_add(p, ev->actor.comm, sizeof(ev->actor.comm)), &oom);
			*v++ = str_id(pool_add(p, ev->pod_ns, sizeof(ev->pod_ns)), &oom);
			*v++ = str_id(pool_add(p, ev->pod_name, sizeof(ev->pod_name)), &oom);
			*v++ = ev->cni_status;
			*v++ = ev->cni_duration_ns;
			*v++ = ev->cni_flags;
			break;
		case VFT_KEEP_MAX:
			break;
		}
	}
	/* the values written are those keep_width[] counts, or the decoder would misread them */
	return k->comm != UINT32_MAX && !oom && (unsigned int)(v - k->v) == n;
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
 * The kind says how many kept values there are (kept_values()).
 */
enum {
	KM_PID = 1 << 0,
	KM_COMM = 1 << 1,
	KM_RET = 1 << 2,
	KM_ADDR = 1 << 3,
	KM_V = 1 << 4, /* KEPT_VALUES bits */
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
	mask |= k->addr_len ? KM_ADDR : 0;
	for (i = 0; i < k->n; i++)
		mask |= k->v[i] ? KM_V << i : 0;
	p = put_uv(p, mask);
	if (k->pid)
		p = put_uv(p, k->pid);
	if (k->comm)
		p = put_uv(p, k->comm);
	if (k->ret)
		p = put_uv(p, (uint32_t)k->ret << 1 ^ (uint32_t)(k->ret >> 31));
	for (i = 0; i < k->n; i++)
		if (k->v[i])
			p = put_uv(p, k->v[i]);
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
	k->n = kept_values(k->kind); /* a step was kept: the kind keeps KEPT_VALUES at most */
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
	for (i = 0; i < k->n; i++) {
		k->v[i] = 0;
		if (mask & (KM_V << i))
			p = get_uv(p, &k->v[i]);
	}
	k->addr_len = 0;
	if (mask & KM_ADDR) {
		k->addr_len = *p++;
		memcpy(k->addr, p, k->addr_len);
	}
	return next;
}

/*
 * A kept string back into the scratch event's field @dst of @size bytes,
 * the field of keep group @g: not copied again when the field holds it
 * already (a VF's steps repeat its names).
 */
static void put_str(struct vft_corr *c, enum vft_keep g, char *dst, uint64_t id, size_t size)
{
	if (c->step_ev_str[g] == id)
		return;
	c->step_ev_str[g] = (uint32_t)id;
	vft_copy_name(dst, pool_str(c, (uint32_t)id), size);
}

/*
 * The fields of keep group @g in @ev from the kept values at @v (zeros
 * clear them); returns the values that follow.
 */
static const uint64_t *put_group(struct vft_corr *c, struct vft_event *ev, enum vft_keep g,
				 const uint64_t *v, const struct kept_step *k)
{
	switch (g) { /* a new group fails the build here */
	case VFT_KEEP_IFNAME:
		put_str(c, g, ev->ifname, *v++, sizeof(ev->ifname));
		break;
	case VFT_KEEP_NETNS:
		ev->netns = (uint32_t)*v++;
		break;
	case VFT_KEEP_TO_NETNS:
		ev->to_netns = (uint32_t)*v++;
		break;
	case VFT_KEEP_NEW_IFNAME:
		put_str(c, g, ev->new_ifname, *v++, sizeof(ev->new_ifname));
		break;
	case VFT_KEEP_MESSAGE:
		put_str(c, g, ev->message, *v++, sizeof(ev->message));
		break;
	case VFT_KEEP_UP:
		ev->flags = (uint32_t)(*v & IFF_UP_FLAG);
		ev->old_flags = (uint32_t)(*v++ >> 1 & IFF_UP_FLAG);
		break;
	case VFT_KEEP_ADDR:
		ev->family = (uint8_t)*v++;
		ev->prefixlen = (uint8_t)*v++;
		memset(ev->addr, 0, sizeof(ev->addr));
		if (k)
			memcpy(ev->addr, k->addr, k->addr_len);
		break;
	case VFT_KEEP_DRIVER:
		put_str(c, g, ev->driver, *v++, sizeof(ev->driver));
		break;
	case VFT_KEEP_VF:
		put_str(c, g, ev->pf, *v++, sizeof(ev->pf));
		ev->vf_index = (int32_t)(uint32_t)*v++;
		break;
	case VFT_KEEP_IBDEV:
		put_str(c, g, ev->ibdev, *v++, sizeof(ev->ibdev));
		break;
	case VFT_KEEP_NEW_IBDEV:
		put_str(c, g, ev->new_ibdev, *v++, sizeof(ev->new_ibdev));
		break;
	case VFT_KEEP_NODE_GUID:
		ev->node_guid = *v++;
		break;
	case VFT_KEEP_PORT:
		ev->port = (uint32_t)*v++;
		ev->port_event = (uint32_t)*v++;
		ev->has_port_attrs = *v++;
		ev->port_state = (uint32_t)*v++;
		ev->lid = (uint32_t)*v++;
		ev->sm_lid = (uint32_t)*v++;
		break;
	case VFT_KEEP_VFCFG:
		ev->vf_setting = (uint32_t)*v++;
		ev->vf_value = *v++;
		break;
	case VFT_KEEP_CNI:
		/* its strings are not one group's: copied every time */
		vft_copy_name(ev->cni_command, pool_str(c, (uint32_t)*v++),
			      sizeof(ev->cni_command));
		vft_copy_name(ev->actor.comm, pool_str(c, (uint32_t)*v++), sizeof(ev->actor.comm));
		vft_copy_name(ev->pod_ns, pool_str(c, (uint32_t)*v++), sizeof(ev->pod_ns));
		vft_copy_name(ev->pod_name, pool_str(c, (uint32_t)*v++), sizeof(ev->pod_name));
		ev->cni_status = (uint32_t)*v++;
		ev->cni_duration_ns = *v++;
		ev->cni_flags = (uint32_t)*v++;
		break;
	case VFT_KEEP_MAX:
		break;
	}
	return v;
}

/*
 * The event a kept step describes, in the correlator's one scratch event:
 * what the previous step's kind set and this one's does not is cleared,
 * the fields of this one's keep column are set. Its text is then the
 * event's own (vft_event__describe()), as the live event's line was.
 */
static const struct vft_event *step_event(struct vft_corr *c, const struct kept_step *k)
{
	static const uint64_t zeros[KEPT_VALUES];
	struct vft_event *ev = &c->step_ev;
	uint32_t keep = vft_kind__get(k->kind)->keep, gone = c->step_ev_keep & ~keep;
	const uint64_t *v = k->v;

	for (; gone; gone &= gone - 1)
		put_group(c, ev, (enum vft_keep)__builtin_ctz(gone), zeros, NULL);
	c->step_ev_keep = keep;
	ev->kind = k->kind;
	ev->has_ret = k->ret != 0;
	ev->ret = k->ret;
	for (; keep; keep &= keep - 1)
		v = put_group(c, ev, (enum vft_keep)__builtin_ctz(keep), v, k);
	return ev;
}

/* A netns's pod for a step's words, when a netns_info named it (not by UID alone). */
static const char *step_pod_of(void *ctx, uint32_t netns, char *buf, size_t size)
{
	const struct nsinfo *n = corr_ns_find(ctx, netns);

	if (!n || !n->pod_name[0])
		return NULL;
	return vft_pod_label(buf, size, n->pod_ns, n->pod_name, NULL);
}

static void render_step(struct vft_corr *c, const struct kept_step *k, struct vft_step *s)
{
	s->ts_ns = k->ts_ns;
	s->kind = k->kind;
	s->ret = k->ret;
	s->pid = k->pid;
	memset(s->comm, 0, sizeof(s->comm));
	vft_copy_name(s->comm, pool_str(c, k->comm), sizeof(s->comm));
	vft_event__describe_step(step_event(c, k), step_pod_of, c, s->text, sizeof(s->text));
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
