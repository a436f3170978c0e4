// SPDX-License-Identifier: GPL-2.0-only
/*
 * records.c - a VF's record: made under its key (a PCI address, else its
 * netdev's first name), found again by key, by netns and ifindex, by RDMA
 * device or by name, and its netdev's identity (name, netns, ifindex) kept
 * with the indexes and the netns table.
 */
#include <errno.h>
#include <inttypes.h>
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

/* Whether a record has the key @key. */
static bool key_taken(const struct vft_corr *c, const char *key)
{
	return corr_index_find(c, IX_KEY, hash_str(IX_KEY, key), NULL, NULL);
}

/*
 * A key for a new record of @key in @buf: @key itself, else, when an
 * earlier device had it (gone now, or another netdev of the same PCI
 * function), "@key#N" with the lowest N not tried for @key before. The
 * record that holds @key keeps the next N to try, so each N is tried at
 * most once while that record lives: a name registered and unregistered
 * any number of times costs a look-up or two per record, and the keys
 * stay unique (a key taken by a device really named "veth0#2" is stepped
 * over). The base is cut to leave room for N.
 */
static void unique_key(struct vft_corr *c, const char *key, char *buf, size_t size)
{
	char suffix[24];
	struct rec *base;
	int len;

	vft_copy_name(buf, key, size);
	base = corr_index_find(c, IX_KEY, hash_str(IX_KEY, buf), NULL, NULL);
	if (!base)
		return;
	if (base->next_suffix < 2)
		base->next_suffix = 2;
	do {
		len = snprintf(suffix, sizeof(suffix), "#%" PRIu64, base->next_suffix++);
		snprintf(buf, size, "%.*s%s", (int)size - 1 - len, key, suffix);
	} while (key_taken(c, buf));
}

struct rec *corr_rec_new(struct vft_corr *c, const char *key)
{
	struct rec *r, **tmp;
	char buf[VFT_KEY_LEN];

	unique_key(c, key, buf, sizeof(buf));
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
	free(r->cni);
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
 * Whether @ev (in @netns) is about a netdev other than the one of @fn, the
 * record of its PCI function: @fn's netdev is registered in the same netns
 * under another ifindex and another name, which two live netdevs of one
 * netns never share. An IPoIB child (ib0.8001), a switchdev representor
 * and an SF's netdev have the PCI function of their parent as theirs. A
 * netdev reported in another netns may be @fn's own, seen there before its
 * move (rtnetlink learns of a new netns late): that one is @fn's.
 */
static bool other_netdev(const struct rec *fn, const struct vft_event *ev, uint32_t netns)
{
	const struct vft_vf *v = &fn->pub;

	return v->registered && v->ifindex > 0 && ev->ifindex > 0 && netns &&
	       netns == v->ref.netns && ev->ifindex != v->ifindex &&
	       strcmp(ev->ifname, v->ref.ifname);
}

/* A record of another netdev of PCI function @pci (key "<pci>/<first name>"). */
static bool netdev_of(const struct rec *r, const char *pci)
{
	return !strcmp(r->pub.ref.pci, pci) && strcmp(r->pub.ref.key, pci);
}

/*
 * The record of a netdev event (find_fn): by its PCI parent, by netns and
 * ifindex, else by name. A kind with the move fields (netns_move) names the
 * device where it was: from_netns. A netdev the inventory reports before
 * any netns_info names the host netns. The first netdev of a PCI function
 * has the function's record (with its driver, VF index and RDMA device);
 * another netdev of the same function, registered beside it, gets a record
 * of its own, keyed "<pci>/<its name>" and found by netns and ifindex.
 */
struct rec *corr_find_netdev(struct vft_corr *c, const struct vft_event *ev,
			     const struct vft_kind_info *k)
{
	uint32_t netns = k->fields & VFT_FLD(MOVE) ? ev->from_netns : ev->netns;
	bool pci = corr_is_pci_addr(ev->parent), other = false;
	char key[VFT_KEY_LEN];
	struct rec *r = NULL, *d;

	if (pci) {
		r = corr_by_key(c, ev->parent);
		d = corr_by_dev(c, netns, ev->ifindex);
		if (d && d != r && netdev_of(d, ev->parent)) {
			r = d;
		} else if (r && other_netdev(r, ev, netns)) {
			r = NULL;
			other = true;
		}
	}
	if (!r && !other)
		r = corr_by_dev(c, netns, ev->ifindex);
	if (!r && !netns && !pci)
		r = corr_by_name(c, ev->ifname);
	/* a record made before its PCI address was known (rtnetlink without a parent) */
	if (r && !r->pub.ref.pci[0] && pci && !corr_by_key(c, ev->parent))
		vft_copy_name(r->pub.ref.pci, ev->parent, sizeof(r->pub.ref.pci));
	if (!r && other && (k->flags & VFT_KIND_NEW_REC) && ev->ifname[0]) {
		snprintf(key, sizeof(key), "%.12s/%s", ev->parent,
			 ev->ifname); /* a PCI address: 12 */
		r = corr_rec_new(c, key);
		if (r)
			vft_copy_name(r->pub.ref.pci, ev->parent, sizeof(r->pub.ref.pci));
	} else if (!r && !other && (k->flags & VFT_KIND_NEW_REC) && (ev->ifname[0] || pci)) {
		r = corr_rec_new(c, pci ? ev->parent : ev->ifname);
	}
	if (r && !c->host_netns && ev->source == VFT_SRC_INVENTORY && ev->netns)
		c->host_netns = ev->netns; /* the first device seen; netns_info overrides */
	return r;
}
