// SPDX-License-Identifier: GPL-2.0-only
/*
 * index.c - the correlator's indexes of records: open-addressing tables
 * from a key's hash to a record (by key, by netns and ifindex, by RDMA
 * device), and the lists of the records that have each netdev name.
 * Entries are verified against the record when found, so a table is
 * rebuilt, not updated, when a record's key changes (corr_reindex()).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "correlate/internal.h"

void corr_index_free(struct index *ix)
{
	free(ix->slots);
	memset(ix, 0, sizeof(*ix));
}

static int index_grow(struct vft_corr *c, int which);

static void index_put(struct index *ix, uint64_t hash, uint32_t idx)
{
	size_t i = hash & (ix->cap - 1);

	while (ix->slots[i].idx)
		i = (i + 1) & (ix->cap - 1);
	ix->slots[i].hash = (uint32_t)hash;
	ix->slots[i].idx = idx + 1;
	ix->used++;
}

/* Adds @r under @hash unless it is there already. Returns 0 or -ENOMEM. */
static int index_add(struct vft_corr *c, int which, struct rec *r, uint64_t hash)
{
	struct index *ix = &c->ix[which];
	size_t i;
	int err;

	if ((ix->used + 1) * 2 > ix->cap) {
		err = index_grow(c, which);
		if (err)
			return err;
	}
	for (i = hash & (ix->cap - 1); ix->slots[i].idx; i = (i + 1) & (ix->cap - 1))
		if (ix->slots[i].hash == (uint32_t)hash && ix->slots[i].idx == r->idx + 1)
			return 0;
	index_put(ix, hash, r->idx);
	return 0;
}

static struct name_list *name_list(const struct vft_corr *c, uint64_t hash)
{
	size_t i, mask = c->cap_names - 1;

	if (!c->cap_names)
		return NULL;
	hash |= 1;
	for (i = hash & mask; c->names[i].hash; i = (i + 1) & mask)
		if (c->names[i].hash == hash)
			return &c->names[i];
	return NULL;
}

/* The list of @hash, made if there is none: NULL on -ENOMEM. Moves the lists. */
static struct name_list *name_list_get(struct vft_corr *c, uint64_t hash)
{
	struct name_list *l = name_list(c, hash), *lists;
	size_t i, k, cap = 64, live = 0;

	if (l)
		return l;
	if ((c->used_names + 1) * 2 > c->cap_names) { /* rebuilt without the empty lists */
		for (k = 0; k < c->cap_names; k++)
			live += !!c->names[k].head;
		while ((live + 1) * 4 > cap)
			cap *= 2;
		lists = calloc(cap, sizeof(*lists));
		if (!lists)
			return NULL;
		for (k = 0; k < c->cap_names; k++) {
			if (!c->names[k].head)
				continue;
			for (i = c->names[k].hash & (cap - 1); lists[i].hash;
			     i = (i + 1) & (cap - 1))
				;
			lists[i] = c->names[k];
		}
		free(c->names);
		c->names = lists;
		c->cap_names = cap;
		c->used_names = live;
	}
	hash |= 1;
	for (i = hash & (c->cap_names - 1); c->names[i].hash; i = (i + 1) & (c->cap_names - 1))
		;
	l = &c->names[i];
	l->hash = hash;
	l->head = NULL;
	c->used_names++;
	return l;
}

void corr_name_unlink(struct vft_corr *c, struct rec *r)
{
	if (!r->name_linked)
		return;
	if (r->name_prev)
		r->name_prev->name_next = r->name_next;
	else
		name_list(c, r->name_hash)->head = r->name_next;
	if (r->name_next)
		r->name_next->name_prev = r->name_prev;
	r->name_next = r->name_prev = NULL;
	r->name_linked = false;
}

/* Puts @r on the list of its name, if it has one. Returns 0 or -ENOMEM. */
static int name_relink(struct vft_corr *c, struct rec *r)
{
	bool named = rec_keyed(r, IX_NAME);
	uint64_t hash = named ? rec_hash(r, IX_NAME) : 0;
	struct name_list *l = NULL;

	if (r->name_linked && named && r->name_hash == hash)
		return 0;
	if (named) {
		l = name_list_get(c, hash);
		if (!l)
			return -ENOMEM;
	}
	corr_name_unlink(c, r);
	if (!l)
		return 0;
	r->name_next = l->head;
	if (l->head)
		l->head->name_prev = r;
	l->head = r;
	r->name_hash = hash;
	r->name_linked = true;
	return 0;
}

static bool rec_has(const struct vft_corr *c, int which, const struct rec *r, uint64_t hash)
{
	/* a key never changes, and a record is indexed under it when made */
	if (which == IX_KEY)
		return r->ix_hash[IX_KEY] == hash;
	return rec_keyed(r, which) && rec_hash(r, which) == hash;
}

/* The first record under @hash that still has that key (stale entries are skipped). */
struct rec *corr_index_find(const struct vft_corr *c, int which, uint64_t hash,
			    bool (*pred)(const struct rec *r, const void *arg), const void *arg)
{
	const struct index *ix = &c->ix[which];
	const struct name_list *l;
	struct rec *best = NULL, *r;
	size_t i;

	if (which == IX_NAME) {
		/* the records that have the name now: the best, whatever the order */
		l = name_list(c, hash);
		for (r = l ? l->head : NULL; r; r = r->name_next)
			if ((!pred || pred(r, arg)) &&
			    (!best || r->pub.registered > best->pub.registered ||
			     (r->pub.registered == best->pub.registered && r->idx > best->idx)))
				best = r;
		return best;
	}
	if (!ix->cap)
		return NULL;
	for (i = hash & (ix->cap - 1); ix->slots[i].idx; i = (i + 1) & (ix->cap - 1)) {
		if (ix->slots[i].hash != (uint32_t)hash)
			continue;
		r = c->recs[ix->slots[i].idx - 1];
		if (!rec_has(c, which, r, hash) || (pred && !pred(r, arg)))
			continue;
		/* several records may share a name: a registered one, then the newest, wins */
		if (!best || r->pub.registered > best->pub.registered ||
		    (r->pub.registered == best->pub.registered && r->idx > best->idx))
			best = r;
		if (which == IX_KEY || which == IX_DEV)
			break;
	}
	return best;
}

/* The slots of a table for @live entries: a quarter full at most, 64 at least. */
size_t corr_index_cap(size_t live)
{
	size_t cap = 64;

	while ((live + 1) * 4 > cap)
		cap *= 2;
	return cap;
}

/* Replaces the table of @which by @slots (@cap of them, zeroed), filled with every record. */
void corr_index_fill(struct vft_corr *c, int which, struct slot *slots, size_t cap)
{
	struct index *ix = &c->ix[which];
	size_t i;

	free(ix->slots);
	ix->slots = slots;
	ix->cap = cap;
	ix->used = 0;
	for (i = 0; i < c->n_recs; i++) {
		struct rec *r = c->recs[i];

		/* what corr_reindex() knows of it: indexed under this hash, or not at all */
		r->ix_have &= ~(1u << which);
		if (!rec_keyed(r, which))
			continue;
		r->ix_hash[which] = rec_hash(r, which);
		r->ix_have |= 1u << which;
		index_put(ix, r->ix_hash[which], r->idx);
	}
}

/* Doubles the table (or rebuilds it, dropping stale entries). */
static int index_grow(struct vft_corr *c, int which)
{
	struct index *ix = &c->ix[which];
	size_t cap, i, live = 0;
	struct slot *slots;

	for (i = 0; i < c->n_recs; i++)
		live += rec_keyed(c->recs[i], which);
	cap = corr_index_cap(live);
	if (cap < ix->cap) /* it does not shrink while it grows */
		cap = ix->cap;
	slots = calloc(cap, sizeof(*slots));
	if (!slots)
		return -ENOMEM;
	corr_index_fill(c, which, slots, cap);
	return 0;
}

/* Indexes @r under its current keys; call after a name, netns, ifindex or ibdev changes. */
int corr_reindex(struct vft_corr *c, struct rec *r)
{
	struct index *ix;
	uint64_t hash;
	int which, err;

	for (which = 0; which < IX_N; which++) {
		if (which == IX_NAME) {
			err = name_relink(c, r);
			if (err)
				return err;
			continue;
		}
		if (!rec_keyed(r, which))
			continue;
		hash = rec_hash(r, which);
		ix = &c->ix[which];
		if (r->ix_have & 1u << which && r->ix_hash[which] == hash) {
			/* there already (a rebuild keeps it); the table grows when index_add would */
			err = (ix->used + 1) * 2 > ix->cap ? index_grow(c, which) : 0;
			if (err)
				return err;
			continue;
		}
		err = index_add(c, which, r, hash);
		if (err)
			return err;
		r->ix_hash[which] = hash;
		r->ix_have |= 1u << which;
	}
	return 0;
}
