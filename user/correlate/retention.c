// SPDX-License-Identifier: GPL-2.0-only
/*
 * retention.c - what the daemon forgets (vft_corr_opts.retain_ns): a VF
 * gone for longer than the retention time, with its open findings reported
 * resolved, and a netns no VF is in that either a VF left or nothing has
 * named for that long. A sweep runs on the event clock; the indexes and
 * the netns table are rebuilt under the records that stay.
 */
#include <errno.h>
#include <stdlib.h>
#include "correlate/internal.h"

/*
 * Nothing of the VF is left that an event could name but its PCI address:
 * no netdev, no RDMA device, no driver, and no PF that still has it.
 */
static bool rec_gone(const struct rec *r)
{
	return !r->pub.registered && !r->pub.ref.ibdev[0] && !r->pub.driver[0] &&
	       (!r->pub.pf[0] || r->vf_removed) && !(r->due_ns && !r->due_taken);
}

/* Notes since when @r is gone (rec_gone()), after each of its events. */
void corr_update_gone(struct vft_corr *c, struct rec *r)
{
	if (!rec_gone(r))
		r->gone_ns = 0;
	else if (!r->gone_ns)
		r->gone_ns = c->now_ns ? c->now_ns : 1;
}

/* Drops @r: its open findings are reported resolved, its netns loses a record. */
static void forget_rec(struct vft_corr *c, struct rec *r, const char *why)
{
	struct nsinfo *n = corr_ns_find(c, r->pub.ref.netns);
	uint32_t code;

	for (code = 1; code < VFT_F_MAX; code++)
		if (corr_resolve(c, r, code, c->now_ns, why))
			c->stats.dropped++; /* the resolution is lost, not the record's memory */
	if (n && n->n_recs && !--n->n_recs) {
		n->emptied = true;
		n->seen_ns = c->now_ns;
	}
	corr_attach_forget(c, r);
	corr_view_drop(c, r);
	corr_name_unlink(c, r);
	corr_rec_free(r);
	c->stats.forgotten++;
}

/*
 * Drops the records gone for longer than retain_ns and the netns entries
 * nothing is in (see struct vft_corr_opts). The new index tables are made
 * first: when memory runs out, nothing is dropped and -ENOMEM returned.
 */
static int sweep(struct vft_corr *c)
{
	uint64_t cut = c->now_ns - c->opts.retain_ns;
	struct slot *slots[IX_N] = {};
	struct ns_slot *ns_slots = NULL;
	size_t i, j, k, live[IX_N] = {}, n_gone = 0, ns_live = 0, ns_cap;
	char why[96];
	int which, err = -ENOMEM;

	if (c->now_ns <= c->opts.retain_ns)
		return 0;
	for (i = 0; i < c->n_recs; i++) {
		const struct rec *r = c->recs[i];

		if (r->gone_ns && r->gone_ns <= cut) {
			n_gone++;
			continue;
		}
		for (which = 0; which < IX_N; which++)
			live[which] += which != IX_NAME && rec_keyed(r, which);
	}
	for (k = 0; k < c->n_ns; k++) {
		const struct nsinfo *n = &c->ns[k];

		ns_live += n->host || n->netns == c->host_netns || n->n_recs ||
			   (!n->emptied && n->seen_ns > cut);
	}
	/* what a record going frees from its netns is not counted: kept one more sweep */
	if (!n_gone && ns_live == c->n_ns)
		return 0;
	for (which = 0; which < IX_N; which++) {
		if (which == IX_NAME || !n_gone)
			continue;
		slots[which] = calloc(corr_index_cap(live[which]), sizeof(*slots[which]));
		if (!slots[which])
			goto out;
	}
	ns_cap = c->cap_ns_slots;
	if (ns_live < c->n_ns) {
		ns_slots = calloc(ns_cap, sizeof(*ns_slots));
		if (!ns_slots)
			goto out;
	}

	corr_fmt(why, sizeof(why), "forgotten: gone for more than %llu s (retention)",
		 (unsigned long long)(c->opts.retain_ns / 1000000000ULL));
	for (i = k = 0; i < c->n_recs; i++) {
		struct rec *r = c->recs[i];

		if (r->gone_ns && r->gone_ns <= cut) {
			forget_rec(c, r, why);
			continue;
		}
		r->idx = (uint32_t)k;
		c->recs[k++] = r;
	}
	c->n_recs = k;
	for (which = 0; which < IX_N; which++) {
		if (!slots[which])
			continue;
		corr_index_fill(c, which, slots[which], corr_index_cap(live[which]));
		slots[which] = NULL;
	}

	if (ns_slots) {
		for (i = k = 0; i < c->n_ns; i++) {
			struct nsinfo *n = &c->ns[i];

			if (!n->host && n->netns != c->host_netns && !n->n_recs &&
			    (n->emptied || n->seen_ns <= cut)) {
				c->stats.netns_forgotten++;
				continue;
			}
			c->ns[k] = *n;
			for (j = ns_slot0(n->netns, ns_cap); ns_slots[j].idx;
			     j = (j + 1) & (ns_cap - 1))
				;
			ns_slots[j].netns = n->netns;
			ns_slots[j].idx = (uint32_t)++k;
		}
		c->n_ns = k;
		free(c->ns_slots);
		c->ns_slots = ns_slots;
		ns_slots = NULL;
	}
	err = 0;
out:
	for (which = 0; which < IX_N; which++)
		free(slots[which]);
	free(ns_slots);
	return err;
}

/* A netns the event names is in use: not forgotten by the sweep before it. */
static void touch_netns(struct vft_corr *c, uint32_t netns)
{
	struct nsinfo *n = corr_ns_find(c, netns);

	if (n) {
		n->seen_ns = c->now_ns;
		n->emptied = false;
	}
}

/* The sweep, when its time has come: every quarter of retain_ns, at most a minute apart. */
int corr_maybe_sweep(struct vft_corr *c, const struct vft_event *ev)
{
	uint64_t every = c->opts.retain_ns / 4;
	int err;

	if (!c->opts.retain_ns)
		return 0;
	touch_netns(c, ev->netns);
	/* the kinds that carry to_netns: a netdev's move, an RDMA device's */
	if (vft_kind__get(ev->kind)->fields & (VFT_FLD(MOVE) | VFT_FLD(RDMA_NETNS)))
		touch_netns(c, ev->to_netns);
	if (c->now_ns < c->next_sweep)
		return 0;
	if (every > VFT_CORR_SWEEP_MAX_NS)
		every = VFT_CORR_SWEEP_MAX_NS;
	if (every < VFT_CORR_SWEEP_MIN_NS)
		every = VFT_CORR_SWEEP_MIN_NS;
	if (!c->next_sweep) { /* the first event: no sweep before a period has passed */
		c->next_sweep = c->now_ns + every;
		return 0;
	}
	c->next_sweep = c->now_ns + every;
	err = sweep(c);
	if (err) {
		c->n_queue = 0;
		return err;
	}
	return corr_flush_queue(c);
}
