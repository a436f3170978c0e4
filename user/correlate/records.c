// SPDX-License-Identifier: GPL-2.0-only
/*
 * records.c - a VF's record: made under its key (a PCI address, else its
 * netdev's first name), found again by key, by netns and ifindex, by RDMA
 * device or by name, and its netdev's identity (name, netns, ifindex) kept
 * with the indexes and the netns table.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "correlate/internal.h"
#include "lib/util.h"

static bool is_hex(char ch)
{
	return (unsigned char)(ch - '0') <= 9 || (unsigned char)((ch | 0x20) - 'a') <= 5;
}

bool corr_is_pci_addr(const char *s)
{
	static const char form[] = "xxxx:xx:xx.x";
	unsigned int d, b, s2, f;
	char tail;

	/* the kernel's form, in order (a shorter string ends the test at its NUL) */
	if (is_hex(s[0]) && is_hex(s[1]) && is_hex(s[2]) && is_hex(s[3]) && s[4] == form[4] &&
	    is_hex(s[5]) && is_hex(s[6]) && s[7] == form[7] && is_hex(s[8]) && is_hex(s[9]) &&
	    s[10] == form[10] && is_hex(s[11]) && !s[12])
		return true;
	/* anything else of that length, as sscanf reads it */
	return strnlen(s, 13) == 12 && sscanf(s, "%4x:%2x:%2x.%1x%c", &d, &b, &s2, &f, &tail) == 4;
}

struct rec *corr_rec_new(struct vft_corr *c, const char *key)
{
	struct rec *r, **tmp;
	char buf[VFT_KEY_LEN];
	unsigned int n = 2;

	vft_copy_name(buf, key, sizeof(buf));
	/* a name used by an earlier device (gone now) gets a suffix */
	while (corr_index_find(c, IX_KEY, hash_str(IX_KEY, buf), NULL, NULL) && n < 1000)
		snprintf(buf, sizeof(buf), "%.*s#%u", VFT_KEY_LEN - 6, key, n++);
	if (c->n_recs == c->cap_recs) {
		size_t cap = c->cap_recs ? c->cap_recs * 2 : 64;

		tmp = realloc(c->recs, cap * sizeof(*tmp));
		if (!tmp)
			return NULL;
		c->recs = tmp;
		c->cap_recs = cap;
	}
	r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	memcpy(r->pub.ref.key, buf, sizeof(buf));
	if (corr_is_pci_addr(buf))
		memcpy(r->pub.ref.pci, buf,
		       sizeof(r->pub.ref.pci) < sizeof(buf) ? sizeof(r->pub.ref.pci) : sizeof(buf));
	r->pub.vf_index = -1;
	r->pub.numa_node = -1;
	r->idx = c->n_recs;
	c->recs[c->n_recs++] = r;
	if (corr_reindex(c, r)) {
		corr_name_unlink(c, r);
		c->n_recs--;
		free(r->pub.steps);
		free(r);
		return NULL;
	}
	return r;
}

/* Frees @r and what it holds; it is in no index, list or view any more. */
void corr_rec_free(struct rec *r)
{
	int k;

	for (k = 0; r->open && k < VFT_F_MAX; k++)
		free(r->open[k]);
	free(r->open);
	free(r->pub.steps);
	free(r->tl);
	free(r->pend);
	free(r->claimed_by);
	free(r->afail);
	free(r);
}

struct rec *corr_by_key(struct vft_corr *c, const char *key)
{
	return key[0] ? corr_index_find(c, IX_KEY, hash_str(IX_KEY, key), NULL, NULL) : NULL;
}

static bool same_dev(const struct rec *r, const void *arg)
{
	return r->pub.registered;
}

struct rec *corr_by_dev(struct vft_corr *c, uint32_t netns, int32_t ifindex)
{
	return ifindex > 0 ? corr_index_find(c, IX_DEV, hash_dev(netns, ifindex), same_dev, NULL) :
			     NULL;
}

struct rec *corr_by_ibdev(struct vft_corr *c, const char *ibdev)
{
	return ibdev[0] ? corr_index_find(c, IX_IB, hash_str(IX_IB, ibdev), NULL, NULL) : NULL;
}

struct rec *corr_by_name(struct vft_corr *c, const char *ifname)
{
	return ifname[0] ? corr_index_find(c, IX_NAME, hash_str(IX_NAME, ifname), same_dev, NULL) :
			   NULL;
}

static void add_name(struct rec *r, const char *name)
{
	struct vft_vf *v = &r->pub;

	if (!name[0] || (v->n_names && !strcmp(v->names[v->n_names - 1], name)))
		return;
	if (v->n_names == VFT_VF_MAX_NAMES) { /* keep the first and the newest */
		memmove(v->names[1], v->names[2], (VFT_VF_MAX_NAMES - 2) * VFT_NAME_LEN);
		v->n_names--;
	}
	vft_copy_name(v->names[v->n_names++], name, VFT_NAME_LEN);
}

static void add_netns(struct rec *r, uint32_t netns)
{
	struct vft_vf *v = &r->pub;

	if (!netns || (v->n_netns && v->netns_hist[v->n_netns - 1] == netns))
		return;
	if (v->n_netns == VFT_VF_MAX_NETNS) {
		memmove(&v->netns_hist[1], &v->netns_hist[2],
			(VFT_VF_MAX_NETNS - 2) * sizeof(v->netns_hist[0]));
		v->n_netns--;
	}
	v->netns_hist[v->n_netns++] = netns;
}

/* Sets the netdev identity of @r; returns 0 or -ENOMEM. */
int corr_set_netdev(struct vft_corr *c, struct rec *r, const char *ifname, uint32_t netns,
		    int32_t ifindex)
{
	struct nsinfo *to = NULL, *from;
	uint32_t drop = 0;

	if (netns && netns != r->pub.ref.netns) {
		to = corr_ns_get(c, netns);
		if (!to)
			return -ENOMEM;
	}
	if (ifname[0]) {
		vft_copy_name(r->pub.ref.ifname, ifname, sizeof(r->pub.ref.ifname));
		add_name(r, ifname);
	}
	if (to) {
		to->n_recs++;
		to->emptied = false;
		from = corr_ns_find(c, r->pub.ref.netns);
		if (from && !--from->n_recs) {
			from->emptied = true;
			from->seen_ns = c->now_ns;
			/* with a retention time, a pod's netns goes with its last VF */
			if (c->opts.retain_ns && !from->host && from->netns != c->host_netns)
				drop = from->netns;
		}
		r->pub.ref.netns = netns;
		corr_ref_update(r, to);
	}
	if (drop)
		corr_ns_drop(c, drop); /* after the last use of @to */
	add_netns(r, netns);
	if (ifindex > 0)
		r->pub.ifindex = ifindex;
	return corr_reindex(c, r);
}

/*
 * The record of a netdev event (find_fn): by its PCI parent, by netns and
 * ifindex, else by name. A kind with the move fields (netns_move) names the
 * device where it was: from_netns. A netdev the inventory reports before
 * any netns_info names the host netns.
 */
struct rec *corr_find_netdev(struct vft_corr *c, const struct vft_event *ev,
			     const struct vft_kind_info *k)
{
	uint32_t netns = k->fields & VFT_FLD(MOVE) ? ev->from_netns : ev->netns;
	bool pci = corr_is_pci_addr(ev->parent);
	struct rec *r = NULL;

	if (pci)
		r = corr_by_key(c, ev->parent);
	if (!r)
		r = corr_by_dev(c, netns, ev->ifindex);
	if (!r && !netns && !pci)
		r = corr_by_name(c, ev->ifname);
	/* a record made before its PCI address was known (rtnetlink without a parent) */
	if (r && !r->pub.ref.pci[0] && pci && !corr_by_key(c, ev->parent))
		vft_copy_name(r->pub.ref.pci, ev->parent, sizeof(r->pub.ref.pci));
	if (!r && (k->flags & VFT_KIND_NEW_REC) && (ev->ifname[0] || pci))
		r = corr_rec_new(c, pci ? ev->parent : ev->ifname);
	if (r && !c->host_netns && ev->source == VFT_SRC_INVENTORY && ev->netns)
		c->host_netns = ev->netns; /* the first device seen; netns_info overrides */
	return r;
}
