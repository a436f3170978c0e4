// SPDX-License-Identifier: GPL-2.0-only
/*
 * feed.c - the correlator's API (correlate.h): vft_corr__feed() finds the
 * record an event is about and runs the rule of its kind, then keeps the
 * step, resolves what the event fixed and reports it; the grace
 * deadlines; the records' accessors; new and free. What an event does is
 * read from two tables, not decided by switches: how its record is found
 * by the handler family of its kind's row (vft_kinds[].corr, and whether
 * the row makes records), and its rule by kind (rule_of[]). A new kind is
 * its row in user/model/kinds.c and, if it needs one, its rule here.
 */
#include <errno.h>
#include <stdlib.h>
#include "correlate/internal.h"

/* ---- which record: one way per handler family (the row's corr) ---- */

/*
 * A PCI function's (driver, VF): by its address. A driver event finds the
 * record of a VF whose vf_add or netdev came first; its row makes none.
 */
static struct rec *find_device(struct vft_corr *c, const struct vft_event *ev,
			       const struct vft_kind_info *k)
{
	struct rec *r = corr_by_key(c, ev->device);

	if (!r && (k->flags & VFT_KIND_NEW_REC) && corr_is_pci_addr(ev->device))
		r = corr_rec_new(c, ev->device);
	return r;
}

/*
 * An RDMA device's: by its PCI parent, else by its name. The kind that
 * makes records (rdma_register) also binds a device no record has yet to
 * its netdev's, by the netdev's name.
 */
static struct rec *find_rdma(struct vft_corr *c, const struct vft_event *ev,
			     const struct vft_kind_info *k)
{
	bool pci = corr_is_pci_addr(ev->parent), create = k->flags & VFT_KIND_NEW_REC;
	struct rec *r = pci ? corr_by_key(c, ev->parent) : NULL;

	if (!r && pci && create)
		r = corr_rec_new(c, ev->parent);
	if (!r)
		r = corr_by_ibdev(c, ev->ibdev);
	if (!r && ev->ifname[0] && create)
		r = corr_by_name(c, ev->ifname);
	return r;
}

/* The end of a grace period: the VF the pipeline named. */
static struct rec *find_check(struct vft_corr *c, const struct vft_event *ev,
			      const struct vft_kind_info *k)
{
	return corr_by_key(c, ev->vf_key);
}

/* NULL: the family keeps no record (about the stream, or nothing the correlator keeps). */
static find_fn *const find_of[VFT_KCORR_MAX] = {
	[VFT_KCORR_NETDEV] = corr_find_netdev, /* records.c */
	[VFT_KCORR_DRIVER] = find_device,      /* bind, unbind */
	[VFT_KCORR_VF] = find_device,	       /* vf_add, vf_remove */
	[VFT_KCORR_RDMA] = find_rdma,	       /* RDMA devices and their ports */
	[VFT_KCORR_CHECK] = find_check,	       /* vf_check */
};

/* ---- which rule: one handler per kind ---- */

/*
 * The rule of an event on its record @r (NULL for the families that keep
 * none: netns_info, trust). Returns 0 or a negative errno.
 */
typedef int rule_fn(struct vft_corr *c, struct rec *r, const struct vft_event *ev);

/* A kind without one keeps its step and changes nothing else. */
static rule_fn *const rule_of[VFT_EV_KIND_MAX] = {
	[VFT_EV_NETDEV_REGISTER] = corr_on_register,
	[VFT_EV_NETDEV_UNREGISTER] = corr_on_unregister,
	[VFT_EV_NETNS_MOVE] = corr_on_move,
	[VFT_EV_NETDEV_RENAME] = corr_on_rename,
	[VFT_EV_LINK_CHANGE] = corr_on_link,
	[VFT_EV_ADDR_ADD] = corr_on_addr_add,
	[VFT_EV_ADDR_DEL] = corr_on_addr_del,
	[VFT_EV_DRIVER_BIND] = corr_on_bind,
	[VFT_EV_DRIVER_UNBIND] = corr_on_unbind,
	[VFT_EV_VF_ADD] = corr_on_vf_add,
	[VFT_EV_VF_REMOVE] = corr_on_vf_remove,
	[VFT_EV_RDMA_REGISTER] = corr_on_rdma_register,
	[VFT_EV_RDMA_UNREGISTER] = corr_on_rdma_unregister,
	[VFT_EV_RDMA_RENAME] = corr_on_rdma_rename,
	[VFT_EV_RDMA_NETNS_MOVE] = corr_on_rdma_netns_move,
	[VFT_EV_RDMA_PORT_EVENT] = corr_on_rdma_port,
	[VFT_EV_RDMA_PORT_STATE] = corr_on_rdma_port,
	[VFT_EV_NETNS_INFO] = corr_on_netns_info,
	[VFT_EV_VF_CHECK] = corr_on_check,
	[VFT_EV_TRUST] = corr_on_trust,
	[VFT_EV_CNI] = corr_on_cni,
};

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
	uint32_t kind = ev->kind < VFT_EV_KIND_MAX ? ev->kind : 0; /* row 0: unknown */
	const struct vft_kind_info *k = &vft_kinds[kind];
	find_fn *find = find_of[k->corr];
	rule_fn *rule = rule_of[kind];
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
	if (!find) {
		/* about the stream (what a netns is, a trusted comm), or about no VF */
		err = rule ? rule(c, NULL, ev) : 0;
		goto out;
	}
	r = find(c, ev, k);
	if (!r) {
		/* a device the correlator cannot place; the sinks still see it */
		goto out;
	}
	prefetch_rec(r);
	if (r->tl)
		__builtin_prefetch(r->tl->data + r->tl->len, 1); /* where its step goes, last */
	err = rule ? rule(c, r, ev) : 0;
	if (err == -ENOMEM)
		goto out;
	/* a grace period's end is a step when it judged the stay, not when it came early */
	if (k->corr != VFT_KCORR_CHECK || r->checked)
		corr_add_step(c, r, ev);
	/* what a CNI run, reported at its exit, did */
	if (ev->has_actor && ev->actor.pid)
		corr_cni_touch(c, r, ev);
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
	/* a refusal of no VF's (a netlink error) may be a CNI run's failed step */
	if (!err && ev->has_actor && ev->actor.pid && k->corr != VFT_KCORR_CNI &&
	    (k->cls == VFT_KC_NETLINK_ERROR || (ev->has_ret && ev->ret < 0)))
		corr_cni_touch(c, NULL, ev);
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
	free(c->trust_dirs);
	free(c->cni);
	free(c);
}
