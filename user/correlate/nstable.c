// SPDX-License-Identifier: GPL-2.0-only
/*
 * nstable.c - the correlator's table of network namespaces: for each netns
 * a VF was in or a netns_info event described, whether the stream has
 * described it (and not since forgotten it), whether it is the host's, its
 * /run/netns name and its pod, and how many records are in it (the
 * retention forgets a pod's netns with its last VF). It is the one record
 * of what the stream said of each netns: the pipeline asks it whether a
 * netns still needs a netns_info. Open addressing by inode over an array
 * of entries that moves as it grows.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "correlate/internal.h"
#include "lib/util.h"

struct nsinfo *corr_ns_find(const struct vft_corr *c, uint32_t netns)
{
	size_t i, mask = c->cap_ns_slots - 1;

	if (!netns || !c->cap_ns_slots)
		return NULL;
	for (i = ns_slot0(netns, c->cap_ns_slots); c->ns_slots[i].idx; i = (i + 1) & mask)
		if (c->ns_slots[i].netns == netns)
			return &c->ns[c->ns_slots[i].idx - 1];
	return NULL;
}

/*
 * The entry of @netns (not 0), made without information if there is none:
 * NULL on -ENOMEM. Moves the entries: pointers to others do not survive it.
 */
struct nsinfo *corr_ns_get(struct vft_corr *c, uint32_t netns)
{
	struct nsinfo *n = corr_ns_find(c, netns), *tmp;
	struct ns_slot *slots;
	size_t i, k, cap;

	if (n)
		return n;
	if (c->n_ns == c->cap_ns) {
		cap = c->cap_ns ? c->cap_ns * 2 : 16;
		tmp = realloc(c->ns, cap * sizeof(*tmp));
		if (!tmp)
			return NULL;
		c->ns = tmp;
		c->cap_ns = cap;
	}
	if ((c->n_ns + 1) * 2 > c->cap_ns_slots) {
		cap = c->cap_ns_slots ? c->cap_ns_slots * 2 : 64;
		slots = calloc(cap, sizeof(*slots));
		if (!slots)
			return NULL;
		for (k = 0; k < c->n_ns; k++) {
			for (i = ns_slot0(c->ns[k].netns, cap); slots[i].idx;
			     i = (i + 1) & (cap - 1))
				;
			slots[i].netns = c->ns[k].netns;
			slots[i].idx = (uint32_t)k + 1;
		}
		free(c->ns_slots);
		c->ns_slots = slots;
		c->cap_ns_slots = cap;
	}
	n = &c->ns[c->n_ns++];
	memset(n, 0, sizeof(*n));
	n->netns = netns;
	n->seen_ns = c->now_ns;
	for (i = ns_slot0(netns, c->cap_ns_slots); c->ns_slots[i].idx;
	     i = (i + 1) & (c->cap_ns_slots - 1))
		;
	c->ns_slots[i].netns = netns;
	c->ns_slots[i].idx = (uint32_t)c->n_ns;
	return n;
}

/*
 * Forgets the entry of @netns (retain_ns: a pod's netns its last VF left).
 * Moves an entry: pointers to others do not survive it.
 */
void corr_ns_drop(struct vft_corr *c, uint32_t netns)
{
	size_t i, j, home, k, mask = c->cap_ns_slots - 1;

	if (!c->cap_ns_slots)
		return;
	for (i = ns_slot0(netns, c->cap_ns_slots); c->ns_slots[i].netns != netns;
	     i = (i + 1) & mask)
		if (!c->ns_slots[i].idx)
			return;
	k = c->ns_slots[i].idx - 1;
	/* backward shift: what would no longer be found past the hole moves up */
	for (j = (i + 1) & mask; c->ns_slots[j].idx; j = (j + 1) & mask) {
		home = ns_slot0(c->ns_slots[j].netns, c->cap_ns_slots);
		if (((j - home) & mask) >= ((j - i) & mask)) {
			c->ns_slots[i] = c->ns_slots[j];
			i = j;
		}
	}
	c->ns_slots[i].idx = 0;
	c->ns_slots[i].netns = 0;
	if (k != --c->n_ns) { /* the last entry fills the gap */
		c->ns[k] = c->ns[c->n_ns];
		for (i = ns_slot0(c->ns[k].netns, c->cap_ns_slots);
		     c->ns_slots[i].netns != c->ns[k].netns; i = (i + 1) & mask)
			;
		c->ns_slots[i].idx = (uint32_t)k + 1;
	}
	c->stats.netns_forgotten++;
}

const char *corr_pod_word(char *buf, size_t size, const char *pod_ns, const char *pod_name,
			  const char *netns_name, const char *pod_uid)
{
	if (pod_name[0])
		return vft_pod_label(buf, size, pod_ns, pod_name, NULL);
	vft_copy_name(buf, netns_name[0] ? netns_name : pod_uid, size);
	return buf;
}

/* Fills the netns-derived part of a VF's reference from @n, its netns's entry or NULL. */
void corr_ref_update(struct rec *r, const struct nsinfo *n)
{
	r->pub.ref.netns_name[0] = r->pub.ref.pod_uid[0] = '\0';
	r->pub.ref.pod_ns[0] = r->pub.ref.pod_name[0] = '\0';
	if (!n)
		return;
	memcpy(r->pub.ref.netns_name, n->name, sizeof(n->name));
	memcpy(r->pub.ref.pod_uid, n->pod_uid, sizeof(n->pod_uid));
	memcpy(r->pub.ref.pod_ns, n->pod_ns, sizeof(n->pod_ns));
	memcpy(r->pub.ref.pod_name, n->pod_name, sizeof(n->pod_name));
}

/* A netns_info event: what a netns is (the host's, its name, its pod); no record (@r NULL). */
int corr_on_netns_info(struct vft_corr *c, struct rec *r, const struct vft_event *ev)
{
	struct nsinfo *n;
	size_t i;

	if (!ev->netns)
		return 0;
	n = corr_ns_get(c, ev->netns);
	if (!n)
		return -ENOMEM;
	n->described = true;
	n->host = ev->netns_host;
	n->seen_ns = c->now_ns;
	vft_copy_name(n->name, ev->netns_name, sizeof(n->name));
	vft_copy_name(n->pod_uid, ev->pod_uid, sizeof(n->pod_uid));
	if (!n->pod_by_cni) {
		/* a CNI ADD's CNI_ARGS said it first: they stay */
		vft_copy_name(n->pod_ns, ev->pod_ns, sizeof(n->pod_ns));
		vft_copy_name(n->pod_name, ev->pod_name, sizeof(n->pod_name));
	}
	if (ev->netns_host)
		c->host_netns = ev->netns;
	/* usually none: the stream says what a netns is before a device is in it */
	for (i = 0; n->n_recs && i < c->n_recs; i++)
		if (c->recs[i]->pub.ref.netns == ev->netns)
			corr_ref_update(c->recs[i], n);
	return 0;
}

bool vft_corr__netns_described(const struct vft_corr *c, uint32_t netns)
{
	const struct nsinfo *n = corr_ns_find(c, netns);

	return n && n->described;
}

/*
 * Only the flag goes: the records in the netns and what it was stay until
 * the next netns_info says what the inode is now (the entry's counts are
 * the retention's, and a record leaving it must still find it).
 */
void vft_corr__netns_forget(struct vft_corr *c, uint32_t netns)
{
	struct nsinfo *n = corr_ns_find(c, netns);

	if (n) {
		n->described = false;
		if (n->pod_by_cni)
			n->pod_ns[0] = n->pod_name[0] = '\0';
		n->pod_by_cni = false;
	}
}
