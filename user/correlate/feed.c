// SPDX-License-Identifier: GPL-2.0-only
/*
 * feed.c - the correlator's API (correlate.h): vft_corr__feed() finds the
 * record an event is about and runs the rule of its kind, then keeps the
 * step, resolves what the event fixed and reports it; the grace
 * deadlines; the records' accessors; new and free. The two switches on
 * ev->kind below (which record, which rule) are the only ones that decide
 * what an event does.
 */
#include <errno.h>
#include <stdlib.h>
#include "correlate/internal.h"

/*
 * The record an event is about, made when the event makes one, or NULL. A
 * netdev the inventory reports before any netns_info names the host netns.
 */
static struct rec *find_rec(struct vft_corr *c, const struct vft_event *ev)
{
	struct rec *r;

	switch (ev->kind) {
	case VFT_EV_NETDEV_REGISTER:
	case VFT_EV_NETDEV_UNREGISTER:
	case VFT_EV_NETNS_MOVE:
	case VFT_EV_NETDEV_RENAME:
	case VFT_EV_LINK_CHANGE:
	case VFT_EV_ADDR_ADD:
	case VFT_EV_ADDR_DEL:
		r = corr_netdev_rec(c, ev,
				    ev->kind == VFT_EV_NETDEV_REGISTER ||
					    ev->kind == VFT_EV_NETNS_MOVE ||
					    ev->kind == VFT_EV_LINK_CHANGE);
		if (r && !c->host_netns && ev->source == VFT_SRC_INVENTORY && ev->netns)
			c->host_netns = ev->netns; /* the first device seen; netns_info overrides */
		return r;
	case VFT_EV_DRIVER_BIND:
	case VFT_EV_DRIVER_UNBIND:
		/* the record of a VF whose vf_add or netdev came first; none is made here */
		return corr_by_key(c, ev->device);
	case VFT_EV_VF_ADD:
	case VFT_EV_VF_REMOVE:
		r = corr_by_key(c, ev->device);
		if (!r && ev->kind == VFT_EV_VF_ADD && corr_is_pci_addr(ev->device))
			r = corr_rec_new(c, ev->device);
		return r;
	case VFT_EV_RDMA_REGISTER:
	case VFT_EV_RDMA_UNREGISTER:
	case VFT_EV_RDMA_RENAME:
	case VFT_EV_RDMA_NETNS_MOVE:
	case VFT_EV_RDMA_PORT_EVENT:
	case VFT_EV_RDMA_PORT_STATE:
		r = corr_is_pci_addr(ev->parent) ? corr_by_key(c, ev->parent) : NULL;
		if (!r && corr_is_pci_addr(ev->parent) && ev->kind == VFT_EV_RDMA_REGISTER)
			r = corr_rec_new(c, ev->parent);
		if (!r)
			r = corr_by_ibdev(c, ev->ibdev);
		if (!r && ev->ifname[0] && ev->kind == VFT_EV_RDMA_REGISTER)
			r = corr_by_name(c, ev->ifname);
		return r;
	case VFT_EV_VF_CHECK:
		return corr_by_key(c, ev->vf_key);
	default:
		return NULL;
	}
}

/* The rule of @ev's kind on its record @r. */
static int dispatch(struct vft_corr *c, struct rec *r, const struct vft_event *ev)
{
	switch (ev->kind) {
	case VFT_EV_NETDEV_REGISTER:
		return corr_on_register(c, r, ev);
	case VFT_EV_NETDEV_UNREGISTER:
		return corr_on_unregister(c, r, ev);
	case VFT_EV_NETNS_MOVE:
		return corr_on_move(c, r, ev);
	case VFT_EV_NETDEV_RENAME:
		return corr_on_rename(c, r, ev);
	case VFT_EV_LINK_CHANGE:
		return corr_on_link(c, r, ev);
	case VFT_EV_ADDR_ADD:
		return corr_on_addr_add(c, r, ev);
	case VFT_EV_ADDR_DEL:
		return corr_on_addr_del(c, r, ev);
	case VFT_EV_DRIVER_BIND:
	case VFT_EV_DRIVER_UNBIND:
		return corr_on_driver(c, r, ev);
	case VFT_EV_VF_ADD:
		return corr_on_vf_add(c, r, ev);
	case VFT_EV_VF_REMOVE:
		return corr_on_vf_remove(c, r, ev);
	case VFT_EV_VF_CHECK:
		return corr_on_check(c, r, ev);
	case VFT_EV_RDMA_REGISTER:
		return corr_on_rdma_register(c, r, ev);
	case VFT_EV_RDMA_UNREGISTER:
		return corr_on_rdma_unregister(c, r, ev);
	case VFT_EV_RDMA_RENAME:
		return corr_on_rdma_rename(c, r, ev);
	case VFT_EV_RDMA_NETNS_MOVE:
		return corr_on_rdma_netns_move(c, r, ev);
	case VFT_EV_RDMA_PORT_EVENT:
	case VFT_EV_RDMA_PORT_STATE:
		return corr_on_rdma_port(c, r, ev);
	default:
		return 0;
	}
}

/* Open findings that a later event fixes, in the order of their codes. */
static int resolve_fixed(struct vft_corr *c, struct rec *r, const struct vft_event *ev)
{
	int err;

	if (!r->pub.n_open)
		return 0;
	err = corr_net1_fixed(c, r, ev);
	if (!err)
		err = corr_rdma_fixed(c, r, ev);
	if (!err)
		err = corr_stranded_fixed(c, r, ev);
	return err;
}

/*
 * A record's fields are read all over an event's rules: when one is found,
 * its cache lines are fetched at once rather than one after the other.
 */
static void prefetch_rec(const struct rec *r)
{
	size_t off;

	for (off = 0; off < sizeof(*r); off += 64)
		__builtin_prefetch((const char *)r + off, 1);
}

int vft_corr__feed(struct vft_corr *c, const struct vft_event *ev)
{
	struct rec *r;
	int err = 0;

	c->stats.events++;
	if (ev->ts_ns > c->now_ns)
		c->now_ns = ev->ts_ns;
	/* no call at all without a retention time: replays and watch keep every record */
	err = c->opts.retain_ns ? corr_maybe_sweep(c, ev) : 0;
	if (err && err != -ENOMEM)
		return err;
	err = 0; /* a sweep without memory is tried again later */
	if (ev->kind == VFT_EV_NETNS_INFO) {
		err = corr_on_netns_info(c, ev);
		goto out;
	}
	if (ev->kind == VFT_EV_TRUST) {
		err = corr_on_trust(c, ev);
		goto out;
	}
	r = find_rec(c, ev);
	if (!r) {
		/* a device the correlator cannot place; the sinks still see it */
		goto out;
	}
	prefetch_rec(r);
	if (r->tl)
		__builtin_prefetch(r->tl->data + r->tl->len, 1); /* where its step goes, last */
	err = dispatch(c, r, ev);
	if (err == -ENOMEM)
		goto out;
	if (ev->kind != VFT_EV_VF_CHECK || r->checked)
		corr_add_step(c, r, ev);
	corr_update_gone(c, r);
	if (!err)
		err = resolve_fixed(c, r, ev);
	/* the event first, then what it raised or resolved */
	if (!err && c->ops.event)
		err = c->ops.event(c->ctx, ev, &r->pub);
	if (!err)
		err = corr_flush_queue(c);
	c->n_queue = 0;
	return err;
out:
	if (err == -ENOMEM)
		c->stats.dropped++;
	if (!err && c->ops.event)
		err = c->ops.event(c->ctx, ev, NULL);
	if (!err)
		err = corr_flush_queue(c);
	c->n_queue = 0;
	return err;
}

uint64_t vft_corr__next_due(const struct vft_corr *c)
{
	uint64_t due = UINT64_MAX;
	size_t i;

	for (i = 0; i < c->n_recs; i++) {
		const struct rec *r = c->recs[i];

		if (r->due_ns && !r->due_taken && r->due_ns < due)
			due = r->due_ns;
	}
	return due;
}

int vft_corr__take_due(struct vft_corr *c, uint64_t now_ns,
		       int (*cb)(void *ctx, const struct vft_vf *vf), void *ctx)
{
	size_t i;
	int err;

	for (i = 0; i < c->n_recs; i++) {
		struct rec *r = c->recs[i];

		if (!r->due_ns || r->due_taken || r->due_ns > now_ns)
			continue;
		r->due_taken = true;
		err = cb(ctx, &r->pub);
		if (err)
			return err;
	}
	return 0;
}

int vft_corr__new(const struct vft_corr_opts *opts, const struct vft_corr_ops *ops, void *ctx,
		  struct vft_corr **out)
{
	struct vft_corr *c = calloc(1, sizeof(*c));

	if (!c)
		return -ENOMEM;
	if (opts)
		c->opts = *opts;
	if (!c->opts.grace_ns)
		c->opts.grace_ns = VFT_CORR_GRACE_NS;
	if (ops)
		c->ops = *ops;
	c->ctx = ctx;
	*out = c;
	return 0;
}

size_t vft_corr__n_vfs(const struct vft_corr *c)
{
	return c->n_recs;
}

const struct vft_vf *vft_corr__vf(const struct vft_corr *c, size_t i)
{
	/* the rendered steps are a cache, not the correlator's state */
	struct vft_corr *mc = (struct vft_corr *)c;
	struct rec *r;

	if (i >= c->n_recs)
		return NULL;
	r = c->recs[i];
	mc->view_tick++;
	corr_view_make(mc, r);
	return &r->pub;
}

const struct vft_vf *vft_corr__vf_state(const struct vft_corr *c, size_t i)
{
	return i < c->n_recs ? &c->recs[i]->pub : NULL;
}

void vft_corr__stats(const struct vft_corr *c, struct vft_corr_stats *out)
{
	*out = c->stats;
	out->netns = c->n_ns;
}

void vft_corr__free(struct vft_corr *c)
{
	size_t i;
	int k;

	if (!c)
		return;
	for (i = 0; i < c->n_recs; i++)
		corr_rec_free(c->recs[i]);
	for (k = 0; k < IX_N; k++)
		corr_index_free(&c->ix[k]);
	free(c->names);
	free(c->recs);
	free(c->ns);
	free(c->ns_slots);
	free(c->pool.buf);
	free(c->pool.slots);
	free(c->queue);
	free(c->trust);
	free(c);
}
