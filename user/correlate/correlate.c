// SPDX-License-Identifier: GPL-2.0-only
/*
 * correlate.c - per-VF records, timelines and findings (see correlate.h and
 * docs/findings.md for what each finding means and rests on).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "enrich/cgroup.h"
#include "correlate/correlate.h"
#include "lib/util.h"

#define IFF_UP_FLAG 0x1
#define AF_INET6_NUM 10
#define NS_PER_MS 1000000ULL
#define KEEP_FIRST_STEPS 16
#define MAX_PENDING_CLAIMS 4

/* ---- a small open-addressing index: 64-bit hash -> record, verified by the caller ---- */

struct slot {
	uint32_t hash; /* the key hash's low half: a record found is checked (rec_has) */
	uint32_t idx;  /* record index + 1; 0 is empty */
};

struct index {
	struct slot *slots;
	size_t cap, used;
};

static uint64_t hash_bytes(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= b[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

static uint64_t hash_str(uint32_t tag, const char *s)
{
	uint64_t h = hash_bytes(0xcbf29ce484222325ULL, &tag, sizeof(tag));

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ULL;
	}
	return h;
}

static uint64_t hash_dev(uint32_t netns, int32_t ifindex)
{
	uint64_t h = hash_bytes(0xcbf29ce484222325ULL, &netns, sizeof(netns));

	return hash_bytes(h, &ifindex, sizeof(ifindex));
}

/*
 * Records by name: many share one (every pod's VF is net1), so a name has a
 * list of the records that have it now, not an index entry each.
 */
struct name_list {
	uint64_t hash; /* the name's hash | 1: 0 is an empty slot */
	struct rec *head;
};

static void index_free(struct index *ix)
{
	free(ix->slots);
	memset(ix, 0, sizeof(*ix));
}

/* ---- records ---- */

enum { IX_KEY, IX_DEV, IX_IB, IX_NAME, IX_N };

struct claim {
	uint64_t ts_ns;
	uint32_t pid;
	char comm[VFT_NAME_LEN];
	char unit[128];
	char what[96];
};

enum due_why { DUE_NONE, DUE_POD, DUE_RETURN };

struct rec {
	struct vft_vf pub;
	uint32_t idx;
	/* the steps as kept (see "timeline"), made with the first; pub.steps is rendered from them */
	struct kept *tl;
	bool in_view;	    /* pub.steps is rendered (the record was looked up) */
	uint32_t view_slot; /* then: its place in the corr's views */
	size_t cap_steps;   /* pub.steps grows up to VFT_VF_MAX_STEPS */
	/* where it is indexed: the hash per index (bit set in ix_have) ... */
	uint64_t ix_hash[IX_N];
	unsigned int ix_have;
	/* ... and its name's list */
	struct rec *name_next, *name_prev;
	uint64_t name_hash;
	bool name_linked;
	/* the stay in a pod netns, or back in the host */
	uint64_t pod_start_ns;	      /* 0 while in the host netns */
	uint64_t returned_ns;	      /* 0 unless back in the host after a pod */
	char host_name[VFT_NAME_LEN]; /* its name in the host before its first pod */
	bool claimed_after_return;
	bool ever_in_pod;
	bool had_rdma;
	/* the last re-read (in ib_absent_ns) did not find its RDMA device */
	bool ib_absent;
	uint32_t ib_absent_ns;
	/* the grace deadline */
	uint64_t due_ns;
	enum due_why due_why;
	bool due_taken;
	bool checked; /* the current stay's deadline was evaluated */
	/* host-manager claims not raised yet: the device is not known to be a VF */
	struct claim *pend; /* MAX_PENDING_CLAIMS of them, allocated for the first */
	size_t n_pend;
	char (*claimed_by)[VFT_NAME_LEN]; /* claims raised in this host stay: MAX_PENDING_CLAIMS */
	size_t n_claimed_by;
	struct vft_finding **open; /* by code: VFT_F_MAX of them, made with the first */
	bool vf_removed;	   /* its PF removed it (vf_remove), not added again since */
	uint64_t gone_ns; /* since when nothing of it is left (rec_gone), 0 while something is */
};

/* A record's kept steps: allocated with the first (never, with no_steps). */
struct kept {
	uint32_t len, cap; /* of data */
	uint32_t first;	   /* bytes of the first KEEP_FIRST_STEPS steps */
	uint32_t head;	   /* the newest start here: dropped ones leave a gap */
	uint64_t base;	   /* step times are kept relative to this */
	struct rec_str {   /* its names, kept last: their pool ids */
		uint32_t id;
		uint8_t len;
		char s[19];
	} strs[4];
	unsigned int strs_next;
	uint8_t data[];
};

struct nsinfo {
	uint32_t netns;
	bool host;
	uint32_t n_recs;  /* records in it now */
	bool emptied;	  /* its last record left it */
	uint64_t seen_ns; /* last named by a netns_info, made, or emptied */
	char name[64];
	char pod_uid[40];
};

/* Strings of kept steps, each stored once; a string's id is its offset, 0 is "". */
struct strpool {
	char *buf;
	size_t len, cap;
	struct pool_slot {
		uint32_t hash;
		uint32_t off; /* 0: empty */
		uint32_t len;
	} * slots;
	size_t n, cap_slots;
	/* the short strings seen last, by a cheap hash: names and comms repeat */
	struct pool_hot {
		uint32_t off;
		uint8_t len;
		char s[27];
	} hot[64];
};

struct vft_corr {
	struct vft_corr_opts opts;
	struct vft_corr_ops ops;
	void *ctx;
	struct rec **recs;
	size_t n_recs, cap_recs;
	struct index ix[IX_N]; /* IX_NAME: the lists below */
	struct name_list *names;
	size_t cap_names, used_names;
	struct nsinfo *ns;
	size_t n_ns, cap_ns;
	struct ns_slot {
		uint32_t netns;
		uint32_t idx; /* in ns, + 1; 0: empty */
	} * ns_slots;
	size_t cap_ns_slots;
	struct strpool pool;
	/* records whose steps are rendered, at most VFT_CORR_VIEWS */
	struct rec *views[VFT_CORR_VIEWS];
	uint64_t view_ticks[VFT_CORR_VIEWS]; /* when each was last looked up */
	size_t n_views;
	uint64_t view_tick;
	uint32_t host_netns;
	uint64_t next_id;
	struct vft_corr_stats stats;
	/* comms trusted by trust events (a recording's --trust) */
	char (*trust)[VFT_NAME_LEN];
	size_t n_trust;
	/* findings and resolutions of the event being fed, reported after it */
	struct vft_finding *queue;
	size_t n_queue, cap_queue;
	/* the newest event time, and when the next sweep is due (retain_ns) */
	uint64_t now_ns, next_sweep;
};

static const struct {
	const char *name;
	uint32_t severity;
	const char *remedy;
} codes[VFT_F_MAX] = {
	[VFT_F_HOST_MANAGER_CLAIM] = {
		.name = "HOST_MANAGER_CLAIM",
		.severity = VFT_SEV_WARNING,
		.remedy = "make the host manager leave VFs alone: networkd Unmanaged=yes or "
			  "NetworkManager unmanaged-devices for the VF names/drivers (udev "
			  "ACTION==\"add|change|move\")",
	},
	[VFT_F_CNI_MOVE_FAILED] = {
		.name = "CNI_MOVE_FAILED",
		.severity = VFT_SEV_ERROR,
		.remedy = "read the message; for EEXIST rename or delete the device of that "
			  "name in the target netns (a stale net1), then retry the pod",
	},
	[VFT_F_VF_RETURNED_TO_HOST] = {
		.name = "VF_RETURNED_TO_HOST",
		.severity = VFT_SEV_INFO,
		.remedy = "none: informational; watch for VF_STRANDED",
	},
	[VFT_F_VF_STRANDED] = {
		.name = "VF_STRANDED",
		.severity = VFT_SEV_WARNING,
		.remedy = "restore the VF's host name and leave it down and unmanaged (the "
			  "CNI's DEL did not run); check the host manager's unmanaged rules",
	},
	[VFT_F_NET1_NO_IP] = {
		.name = "NET1_NO_IP",
		.severity = VFT_SEV_ERROR,
		.remedy = "check the IPAM plugin (whereabouts, host-local) and the "
			  "NetworkAttachmentDefinition's ipam section; see the CNI's log",
	},
	[VFT_F_LID_MISSING] = {
		.name = "LID_MISSING",
		.severity = VFT_SEV_ERROR,
		.remedy = "check the port with ibstat; the Subnet Manager must admit the VF "
			  "(SM virtualization on, VF GUID set, port up)",
	},
	[VFT_F_SM_UNREACHABLE] = {
		.name = "SM_UNREACHABLE",
		.severity = VFT_SEV_ERROR,
		.remedy = "no Subnet Manager answered on this port: check opensm/UFM and "
			  "the cabling of the fabric",
	},
	[VFT_F_GUID_ZERO] = {
		.name = "GUID_ZERO",
		.severity = VFT_SEV_ERROR,
		.remedy = "assign the VF a GUID before it binds (ip link set PF vf N "
			  "node_guid/port_guid, or the SR-IOV operator's GUID pool)",
	},
	[VFT_F_GID_MISSING] = {
		.name = "GID_MISSING",
		.severity = VFT_SEV_ERROR,
		.remedy = "give net1 an IP address: RoCE v2 GIDs are made from its "
			  "addresses",
	},
	[VFT_F_RDMA_DEVICE_MISSING] = {
		.name = "RDMA_DEVICE_MISSING",
		.severity = VFT_SEV_ERROR,
		.remedy = "check that the VF's RDMA device exists (rdma dev) and that the "
			  "mlx5_ib module is loaded; rebind the VF",
	},
	[VFT_F_RDMA_NETNS_MISMATCH] = {
		.name = "RDMA_NETNS_MISMATCH",
		.severity = VFT_SEV_ERROR,
		.remedy = "in exclusive netns mode the CNI must move the RDMA device with "
			  "the netdev (rdma dev set DEV netns NS): use an RDMA-aware CNI, "
			  "or shared mode",
	},
	[VFT_F_DRIVER_CHURN] = {
		.name = "DRIVER_CHURN",
		.severity = VFT_SEV_WARNING,
		.remedy = "find who unbinds the VF (the actor) while pods use it: a device "
			  "plugin restart or a driver reload",
	},
};

const char *vft_finding__name(uint32_t code)
{
	return code && code < VFT_F_MAX ? codes[code].name : NULL;
}

const char *vft_finding__remedy(uint32_t code)
{
	return code && code < VFT_F_MAX ? codes[code].remedy : NULL;
}

const char *vft_severity__name(uint32_t severity)
{
	switch (severity) {
	case VFT_SEV_INFO:
		return "info";
	case VFT_SEV_WARNING:
		return "warning";
	case VFT_SEV_ERROR:
		return "error";
	default:
		return NULL;
	}
}

/* ---- index operations ---- */

static bool rec_has(const struct vft_corr *c, int which, const struct rec *r, uint64_t hash);
static uint64_t rec_hash(const struct rec *r, int which);
static bool rec_keyed(const struct rec *r, int which);

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

static void name_unlink(struct vft_corr *c, struct rec *r)
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
	name_unlink(c, r);
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

/* The first record under @hash that still has that key (stale entries are skipped). */
static struct rec *index_find(const struct vft_corr *c, int which, uint64_t hash,
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

static uint64_t rec_hash(const struct rec *r, int which)
{
	switch (which) {
	case IX_KEY:
		return hash_str(IX_KEY, r->pub.ref.key);
	case IX_DEV:
		return hash_dev(r->pub.ref.netns, r->pub.ifindex);
	case IX_IB:
		return hash_str(IX_IB, r->pub.ref.ibdev);
	default:
		return hash_str(IX_NAME, r->pub.ref.ifname);
	}
}

static bool rec_keyed(const struct rec *r, int which)
{
	switch (which) {
	case IX_KEY:
		return true;
	case IX_DEV:
		return r->pub.ifindex > 0;
	case IX_IB:
		return r->pub.ref.ibdev[0];
	default:
		return r->pub.ref.ifname[0];
	}
}

static bool rec_has(const struct vft_corr *c, int which, const struct rec *r, uint64_t hash)
{
	/* a key never changes, and a record is indexed under it when made */
	if (which == IX_KEY)
		return r->ix_hash[IX_KEY] == hash;
	return rec_keyed(r, which) && rec_hash(r, which) == hash;
}

/* The slots of a table for @live entries: a quarter full at most, 64 at least. */
static size_t index_cap(size_t live)
{
	size_t cap = 64;

	while ((live + 1) * 4 > cap)
		cap *= 2;
	return cap;
}

/* Replaces the table of @which by @slots (@cap of them, zeroed), filled with every record. */
static void index_fill(struct vft_corr *c, int which, struct slot *slots, size_t cap)
{
	struct index *ix = &c->ix[which];
	size_t i;

	free(ix->slots);
	ix->slots = slots;
	ix->cap = cap;
	ix->used = 0;
	for (i = 0; i < c->n_recs; i++) {
		struct rec *r = c->recs[i];

		/* what reindex() knows of it: indexed under this hash, or not at all */
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
	cap = index_cap(live);
	if (cap < ix->cap) /* it does not shrink while it grows */
		cap = ix->cap;
	slots = calloc(cap, sizeof(*slots));
	if (!slots)
		return -ENOMEM;
	index_fill(c, which, slots, cap);
	return 0;
}

/* Indexes @r under its current keys; call after a name, netns, ifindex or ibdev changes. */
static int reindex(struct vft_corr *c, struct rec *r)
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

/* ---- netns table ---- */

static size_t ns_slot0(uint32_t netns, size_t cap)
{
	return (size_t)((netns * 0x9e3779b97f4a7c15ULL) >> 32) & (cap - 1);
}

static struct nsinfo *ns_find(const struct vft_corr *c, uint32_t netns)
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
static struct nsinfo *ns_get(struct vft_corr *c, uint32_t netns)
{
	struct nsinfo *n = ns_find(c, netns), *tmp;
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
static void ns_drop(struct vft_corr *c, uint32_t netns)
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
	if (c->ops.netns_forgotten)
		c->ops.netns_forgotten(c->ctx, netns);
}

static bool is_host(const struct vft_corr *c, uint32_t netns)
{
	return !netns || netns == c->host_netns;
}

static bool is_pod_ns(const struct vft_corr *c, uint32_t netns)
{
	return netns && c->host_netns && netns != c->host_netns;
}

/* Fills the netns-derived part of a VF's reference from @n, its netns's entry or NULL. */
static void ref_update(struct rec *r, const struct nsinfo *n)
{
	r->pub.ref.netns_name[0] = r->pub.ref.pod_uid[0] = '\0';
	if (!n)
		return;
	memcpy(r->pub.ref.netns_name, n->name, sizeof(n->name));
	memcpy(r->pub.ref.pod_uid, n->pod_uid, sizeof(n->pod_uid));
}

static int on_netns_info(struct vft_corr *c, const struct vft_event *ev)
{
	struct nsinfo *n;
	size_t i;

	if (!ev->netns)
		return 0;
	n = ns_get(c, ev->netns);
	if (!n)
		return -ENOMEM;
	n->host = ev->netns_host;
	n->seen_ns = c->now_ns;
	vft_copy_name(n->name, ev->netns_name, sizeof(n->name));
	vft_copy_name(n->pod_uid, ev->pod_uid, sizeof(n->pod_uid));
	if (ev->netns_host)
		c->host_netns = ev->netns;
	/* usually none: the stream says what a netns is before a device is in it */
	for (i = 0; n->n_recs && i < c->n_recs; i++)
		if (c->recs[i]->pub.ref.netns == ev->netns)
			ref_update(c->recs[i], n);
	return 0;
}

/* ---- findings ---- */

static void actor_unit(const struct vft_event *ev, char *buf, size_t size)
{
	buf[0] = '\0';
	if (ev->has_actor && ev->actor.cgroup[0] && vft_cgroup__unit(ev->actor.cgroup, buf, size))
		buf[0] = '\0';
}

static void set_actor(struct vft_finding *f, const struct vft_event *ev)
{
	if (!ev || !ev->has_actor)
		return;
	f->has_actor = true;
	f->pid = ev->actor.pid;
	vft_copy_name(f->comm, ev->actor.comm, sizeof(f->comm));
	actor_unit(ev, f->unit, sizeof(f->unit));
}

/* Text into a fixed buffer, cut where snprintf() would cut it. */
struct text {
	char *p, *end; /* end: the last byte, kept for the NUL */
};

static void t_str(struct text *t, const char *s)
{
	size_t n;

	if (!s)
		s = "(null)"; /* as printf() has it */
	n = strlen(s);
	if (n > (size_t)(t->end - t->p))
		n = (size_t)(t->end - t->p);
	memcpy(t->p, s, n);
	t->p += n;
}

static void t_digits(struct text *t, const char *tmp, int n)
{
	while (n && t->p < t->end)
		*t->p++ = tmp[--n];
}

/* %u, %llu: a constant divisor is a multiplication; a variable one a division */
static void t_dec(struct text *t, uint64_t v)
{
	char tmp[24];
	int n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	t_digits(t, tmp, n);
}

/* %x */
static void t_hex(struct text *t, uint64_t v)
{
	char tmp[24];
	int n = 0;

	do {
		tmp[n++] = "0123456789abcdef"[v & 15];
		v >>= 4;
	} while (v);
	t_digits(t, tmp, n);
}

static void t_int(struct text *t, int32_t v)
{
	if (v < 0 && t->p < t->end)
		*t->p++ = '-';
	t_dec(t, v < 0 ? -(int64_t)v : v);
}

/*
 * snprintf() for the conversions of this file's messages (%s %u %d %x %llu),
 * several an event when findings are raised; anything else goes to vsnprintf().
 */
__attribute__((format(printf, 3, 4))) static void fmt(char *buf, size_t size, const char *f, ...)
{
	struct text t = { buf, buf + size - 1 };
	const char *p;
	va_list ap, again;

	va_start(ap, f);
	va_copy(again, ap);
	for (p = f; *p; p++) {
		if (*p != '%') {
			if (t.p < t.end)
				*t.p++ = *p;
			continue;
		}
		switch (*++p) {
		case 's':
			t_str(&t, va_arg(ap, const char *));
			continue;
		case 'u':
			t_dec(&t, va_arg(ap, unsigned int));
			continue;
		case 'x':
			t_hex(&t, va_arg(ap, unsigned int));
			continue;
		case 'd':
			t_int(&t, va_arg(ap, int));
			continue;
		case 'l':
			if (p[1] == 'l' && p[2] == 'u') {
				p += 2;
				t_dec(&t, va_arg(ap, unsigned long long));
				continue;
			}
			break;
		default:
			break;
		}
		vsnprintf(buf, size, f, again);
		goto out;
	}
	*t.p = '\0';
out:
	va_end(again);
	va_end(ap);
}

/* Queues a copy of @f for the callbacks, which see it after the event that caused it. */
static int enqueue(struct vft_corr *c, const struct vft_finding *f)
{
	struct vft_finding *tmp;

	if (c->n_queue == c->cap_queue) {
		size_t cap = c->cap_queue ? c->cap_queue * 2 : 8;

		tmp = realloc(c->queue, cap * sizeof(*tmp));
		if (!tmp)
			return -ENOMEM;
		c->queue = tmp;
		c->cap_queue = cap;
	}
	c->queue[c->n_queue++] = *f;
	return 0;
}

/* Reports the queued findings and resolutions. Returns 0 or the first callback error. */
static int flush_queue(struct vft_corr *c)
{
	size_t i;
	int err = 0;

	for (i = 0; i < c->n_queue && !err; i++) {
		const struct vft_finding *f = &c->queue[i];

		if (f->resolved && c->ops.resolved)
			err = c->ops.resolved(c->ctx, f);
		else if (!f->resolved && c->ops.finding)
			err = c->ops.finding(c->ctx, f);
	}
	c->n_queue = 0;
	return err;
}

static struct vft_finding *open_of(const struct rec *r, uint32_t code)
{
	return r->open ? r->open[code] : NULL;
}

/*
 * Whether a finding of @code describes a condition that stays until fixed
 * (it is open, and resolved later), or something that happened: a return, a
 * claim, driver churn. Those are never open and never resolved.
 */
static bool stays_open(uint32_t code)
{
	return codes[code].severity != VFT_SEV_INFO && code != VFT_F_HOST_MANAGER_CLAIM &&
	       code != VFT_F_DRIVER_CHURN;
}

/*
 * Raises @code on @r. One finding of a code is open per VF at a time: a
 * second one while the first is open is not raised again (its evidence
 * would repeat). Info findings are never open. @unit, if not NULL, is the
 * actor's unit when @actor has no cgroup path. Returns 0 or a callback's
 * negative value, or -ENOMEM.
 */
static int raise_as(struct vft_corr *c, struct rec *r, uint32_t code, uint64_t ts, uint64_t since,
		    const struct vft_event *actor, const char *unit, int32_t err,
		    const char *message, const char *evidence)
{
	struct vft_finding *f;
	int ret = 0;

	if (open_of(r, code))
		return 0;
	if (stays_open(code) && !r->open && !(r->open = calloc(VFT_F_MAX, sizeof(*r->open))))
		return -ENOMEM;
	f = calloc(1, sizeof(*f));
	if (!f)
		return -ENOMEM;
	f->id = ++c->next_id;
	f->code = code;
	f->severity = codes[code].severity;
	f->ts_ns = ts;
	f->since_ns = since ? since : ts;
	f->vf = r->pub.ref;
	set_actor(f, actor);
	if (unit)
		vft_copy_name(f->unit, unit, sizeof(f->unit));
	f->err = err;
	vft_copy_name(f->message, message, sizeof(f->message));
	vft_copy_name(f->evidence, evidence ? evidence : "", sizeof(f->evidence));
	f->remedy = codes[code].remedy;
	ret = enqueue(c, f);
	if (ret) {
		c->next_id--;
		free(f);
		return ret;
	}
	c->stats.raised[code]++;
	r->pub.n_findings++;
	if (!stays_open(code)) {
		free(f);
	} else {
		r->open[code] = f;
		r->pub.n_open++;
	}
	return ret;
}

static int raise(struct vft_corr *c, struct rec *r, uint32_t code, uint64_t ts, uint64_t since,
		 const struct vft_event *actor, int32_t err, const char *message,
		 const char *evidence)
{
	return raise_as(c, r, code, ts, since, actor, NULL, err, message, evidence);
}

/* Marks the open finding @code of @r resolved at @ts by @by. */
static int resolve(struct vft_corr *c, struct rec *r, uint32_t code, uint64_t ts, const char *by)
{
	struct vft_finding *f;
	int ret = 0;

	if (!r->pub.n_open) /* the usual case: nothing to look up */
		return 0;
	f = open_of(r, code);
	if (!f)
		return 0;
	r->open[code] = NULL;
	r->pub.n_open--;
	f->resolved = true;
	f->resolved_ns = ts;
	f->vf = r->pub.ref;
	vft_copy_name(f->resolved_by, by, sizeof(f->resolved_by));
	c->stats.resolved[code]++;
	ret = enqueue(c, f);
	free(f);
	return ret;
}

/* ---- records ---- */

static bool is_hex(char ch)
{
	return (unsigned char)(ch - '0') <= 9 || (unsigned char)((ch | 0x20) - 'a') <= 5;
}

static bool is_pci_addr(const char *s)
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

static struct rec *rec_new(struct vft_corr *c, const char *key)
{
	struct rec *r, **tmp;
	char buf[VFT_KEY_LEN];
	unsigned int n = 2;

	vft_copy_name(buf, key, sizeof(buf));
	/* a name used by an earlier device (gone now) gets a suffix */
	while (index_find(c, IX_KEY, hash_str(IX_KEY, buf), NULL, NULL) && n < 1000)
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
	if (is_pci_addr(buf))
		memcpy(r->pub.ref.pci, buf,
		       sizeof(r->pub.ref.pci) < sizeof(buf) ? sizeof(r->pub.ref.pci) : sizeof(buf));
	r->pub.vf_index = -1;
	r->pub.numa_node = -1;
	r->idx = c->n_recs;
	c->recs[c->n_recs++] = r;
	if (reindex(c, r)) {
		name_unlink(c, r);
		c->n_recs--;
		free(r->pub.steps);
		free(r);
		return NULL;
	}
	return r;
}

static struct rec *by_key(struct vft_corr *c, const char *key)
{
	return key[0] ? index_find(c, IX_KEY, hash_str(IX_KEY, key), NULL, NULL) : NULL;
}

static bool same_dev(const struct rec *r, const void *arg)
{
	return r->pub.registered;
}

static struct rec *by_dev(struct vft_corr *c, uint32_t netns, int32_t ifindex)
{
	return ifindex > 0 ? index_find(c, IX_DEV, hash_dev(netns, ifindex), same_dev, NULL) : NULL;
}

static struct rec *by_ibdev(struct vft_corr *c, const char *ibdev)
{
	return ibdev[0] ? index_find(c, IX_IB, hash_str(IX_IB, ibdev), NULL, NULL) : NULL;
}

static struct rec *by_name(struct vft_corr *c, const char *ifname)
{
	return ifname[0] ? index_find(c, IX_NAME, hash_str(IX_NAME, ifname), same_dev, NULL) : NULL;
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
static int set_netdev(struct vft_corr *c, struct rec *r, const char *ifname, uint32_t netns,
		      int32_t ifindex)
{
	struct nsinfo *to = NULL, *from;
	uint32_t drop = 0;

	if (netns && netns != r->pub.ref.netns) {
		to = ns_get(c, netns);
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
		from = ns_find(c, r->pub.ref.netns);
		if (from && !--from->n_recs) {
			from->emptied = true;
			from->seen_ns = c->now_ns;
			/* with a retention time, a pod's netns goes with its last VF */
			if (c->opts.retain_ns && !from->host && from->netns != c->host_netns)
				drop = from->netns;
		}
		r->pub.ref.netns = netns;
		ref_update(r, to);
	}
	if (drop)
		ns_drop(c, drop); /* after the last use of @to */
	add_netns(r, netns);
	if (ifindex > 0)
		r->pub.ifindex = ifindex;
	return reindex(c, r);
}

/* The record a netdev event is about, created when @create. */
static struct rec *netdev_rec(struct vft_corr *c, const struct vft_event *ev, bool create)
{
	uint32_t netns = ev->kind == VFT_EV_NETNS_MOVE ? ev->from_netns : ev->netns;
	bool pci = is_pci_addr(ev->parent);
	struct rec *r = NULL;

	if (pci)
		r = by_key(c, ev->parent);
	if (!r)
		r = by_dev(c, netns, ev->ifindex);
	if (!r && !netns && !pci)
		r = by_name(c, ev->ifname);
	/* a record made before its PCI address was known (rtnetlink without a parent) */
	if (r && !r->pub.ref.pci[0] && pci && !by_key(c, ev->parent))
		vft_copy_name(r->pub.ref.pci, ev->parent, sizeof(r->pub.ref.pci));
	if (!r && create && (ev->ifname[0] || pci))
		r = rec_new(c, pci ? ev->parent : ev->ifname);
	return r;
}

static bool ip_scoped(const struct vft_event *ev)
{
	return ev->family != AF_INET6_NUM || !(ev->addr[0] == 0xfe && (ev->addr[1] & 0xc0) == 0x80);
}

/* ---- timeline ---- */

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
static void view_drop(struct vft_corr *c, struct rec *r)
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
static void view_make(struct vft_corr *c, struct rec *r)
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
		view_drop(c, c->views[old]);
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

static void add_step(struct vft_corr *c, struct rec *r, const struct vft_event *ev)
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
		view_drop(c, r); /* rendered again when looked up */
}

/* ---- the rules ---- */

static const char *const default_trusted[] = {
	/* CNI plugins and IPAM */
	"multus", "multus-shim", "sriov", "host-device", "macvlan", "ipvlan", "ib-sriov", "rdma",
	"whereabouts", "host-local", "static", "dhcp", "tuning",
	/* container runtimes and the kubelet */
	"containerd", "containerd-shim", "runc", "crio", "conmon", "kubelet", "dockerd",
	/* the SR-IOV device plugin and operator daemons */
	"sriovdp", "sriov-network-c"
};

static const char *const trusted_units[] = { "containerd.service", "crio.service",
					     "kubelet.service", "docker.service" };

static bool trusted(const struct vft_corr *c, const struct vft_event *ev)
{
	char unit[128];
	size_t i;

	if (!ev->has_actor)
		return true; /* nobody to name: rtnetlink saw it, not who did it */
	if (!ev->actor.pid || !strncmp(ev->actor.comm, "kworker/", 8))
		return true; /* the kernel's own work (a netns dismantled, addrconf) */
	for (i = 0; i < ARRAY_SIZE(default_trusted); i++)
		if (!strcmp(ev->actor.comm, default_trusted[i]))
			return true;
	for (i = 0; i < c->opts.n_trusted; i++)
		if (!strcmp(ev->actor.comm, c->opts.trusted_comms[i]))
			return true;
	for (i = 0; i < c->n_trust; i++)
		if (!strcmp(ev->actor.comm, c->trust[i]))
			return true;
	actor_unit(ev, unit, sizeof(unit));
	for (i = 0; unit[0] && i < ARRAY_SIZE(trusted_units); i++)
		if (!strcmp(unit, trusted_units[i]))
			return true;
	/* pods (the CNI's own containers, e.g. the SR-IOV operator) are Kubernetes' */
	return ev->actor.cgroup[0] && strstr(ev->actor.cgroup, "/kubepods");
}

static bool known_vf(const struct rec *r)
{
	return r->pub.pf[0];
}

static int raise_claim(struct vft_corr *c, struct rec *r, const struct claim *cl, uint64_t now,
		       const char *when)
{
	struct vft_event actor = { .has_actor = true };
	char msg[256], ev[256];

	actor.actor.pid = cl->pid;
	vft_copy_name(actor.actor.comm, cl->comm, sizeof(actor.actor.comm));
	fmt(msg, sizeof(msg), "%s (%s) was configured in the host netns by %s[%u]%s%s%s: %s%s",
	    r->pub.ref.key, r->pub.ref.ifname, cl->comm, cl->pid, cl->unit[0] ? " (" : "", cl->unit,
	    cl->unit[0] ? ")" : "", cl->what, when);
	fmt(ev, sizeof(ev), "actor=%s pid=%u unit=%s action=\"%s\"", cl->comm, cl->pid,
	    cl->unit[0] ? cl->unit : "-", cl->what);
	return raise_as(c, r, VFT_F_HOST_MANAGER_CLAIM, now, cl->ts_ns, &actor, cl->unit, 0, msg,
			ev);
}

static bool claimed_by(const struct rec *r, const char *comm)
{
	size_t i;

	for (i = 0; i < r->n_claimed_by; i++)
		if (!strcmp(r->claimed_by[i], comm))
			return true;
	return false;
}

/* A host-netns configuration step of @r by an untrusted actor. */
static int on_claim(struct vft_corr *c, struct rec *r, const struct vft_event *ev)
{
	struct claim cl = { .ts_ns = ev->ts_ns, .pid = ev->actor.pid };
	char abuf[64];

	if (claimed_by(r, ev->actor.comm))
		return 0;
	vft_copy_name(cl.comm, ev->actor.comm, sizeof(cl.comm));
	actor_unit(ev, cl.unit, sizeof(cl.unit));
	if (ev->kind == VFT_EV_LINK_CHANGE) {
		fmt(cl.what, sizeof(cl.what), "admin up");
	} else {
		vft_fmt_addr(abuf, sizeof(abuf), ev->family, ev->addr);
		fmt(cl.what, sizeof(cl.what), "address %s/%u", abuf, ev->prefixlen);
	}
	if (!r->claimed_by)
		r->claimed_by = calloc(MAX_PENDING_CLAIMS, sizeof(*r->claimed_by));
	if (r->claimed_by && r->n_claimed_by < MAX_PENDING_CLAIMS) /* else raised again later */
		vft_copy_name(r->claimed_by[r->n_claimed_by++], cl.comm, VFT_NAME_LEN);
	if (r->returned_ns)
		r->claimed_after_return = true;
	if (known_vf(r) || r->ever_in_pod) {
		/* each actor is a finding of its own */
		return raise_claim(c, r, &cl, ev->ts_ns,
				   r->returned_ns ? " after it came back" : "");
	}
	if (!r->pend && !(r->pend = calloc(MAX_PENDING_CLAIMS, sizeof(*r->pend))))
		return -ENOMEM;
	if (r->n_pend < MAX_PENDING_CLAIMS)
		r->pend[r->n_pend++] = cl;
	return 0;
}

/* The device went into a pod: raise the claims that preceded it. */
static int flush_claims(struct vft_corr *c, struct rec *r, uint64_t move_ns)
{
	char when[64];
	size_t i;
	int err = 0;

	for (i = 0; i < r->n_pend && !err; i++) {
		fmt(when, sizeof(when), ", %llu ms before it moved to a pod",
		    (unsigned long long)((move_ns - r->pend[i].ts_ns) / NS_PER_MS));
		err = raise_claim(c, r, &r->pend[i], move_ns, when);
	}
	r->n_pend = 0;
	free(r->pend);
	r->pend = NULL;
	return err;
}

static void schedule(struct rec *r, uint64_t at, enum due_why why)
{
	r->due_ns = at;
	r->due_why = why;
	r->due_taken = false;
	r->checked = false;
}

/* Findings of a pod stay that no longer apply once the VF leaves the pod. */
static int leave_pod(struct vft_corr *c, struct rec *r, uint64_t ts, const char *why)
{
	static const uint32_t pod_codes[] = { VFT_F_NET1_NO_IP,		VFT_F_LID_MISSING,
					      VFT_F_SM_UNREACHABLE,	VFT_F_GUID_ZERO,
					      VFT_F_GID_MISSING,	VFT_F_RDMA_DEVICE_MISSING,
					      VFT_F_RDMA_NETNS_MISMATCH };
	size_t i;
	int err = 0;

	for (i = 0; i < ARRAY_SIZE(pod_codes) && !err; i++)
		err = resolve(c, r, pod_codes[i], ts, why);
	return err;
}

static int enter_pod(struct vft_corr *c, struct rec *r, const struct vft_event *ev)
{
	int err;

	r->ever_in_pod = true;
	r->pod_start_ns = ev->ts_ns;
	r->returned_ns = 0;
	r->claimed_after_return = false;
	r->n_claimed_by = 0;
	r->ib_absent = false;
	err = resolve(c, r, VFT_F_VF_STRANDED, ev->ts_ns, "back in a pod");
	if (!err)
		err = resolve(c, r, VFT_F_CNI_MOVE_FAILED, ev->ts_ns, "a later move succeeded");
	if (!err)
		err = flush_claims(c, r, ev->ts_ns);
	schedule(r, ev->ts_ns + c->opts.grace_ns, DUE_POD);
	return err;
}

static int on_move(struct vft_corr *c, struct rec *r, const struct vft_event *ev)
{
	char msg[256], evd[256], ebuf[16];
	struct rec *dup;
	int err = 0;

	if (ev->has_ret && ev->ret < 0) {
		fmt(msg, sizeof(msg), "moving %s (%s) to netns %u failed: %s%s%s", r->pub.ref.key,
		    ev->ifname, ev->to_netns, vft_errno_name(ev->ret, ebuf, sizeof(ebuf)),
		    ev->message[0] ? ": " : "", ev->message);
		fmt(evd, sizeof(evd), "from_netns=%u to_netns=%u ret=%d%s%s", ev->from_netns,
		    ev->to_netns, ev->ret, ev->new_ifname[0] ? " name=" : "", ev->new_ifname);
		return raise(c, r, VFT_F_CNI_MOVE_FAILED, ev->ts_ns, 0, ev, ev->ret, msg, evd);
	}
	/* its name in the host before its first pod, which a return should restore */
	if (!r->ever_in_pod && !r->host_name[0] && is_host(c, ev->from_netns) &&
	    is_pod_ns(c, ev->to_netns))
		vft_copy_name(r->host_name, ev->ifname[0] ? ev->ifname : r->pub.ref.ifname,
			      sizeof(r->host_name));
	/* the kernel closes the device and flushes its addresses on the way */
	r->pub.up = false;
	r->pub.n_addrs = 0;
	/*
	 * rtnetlink can report the device's arrival in the target netns before
	 * the move (it learns of a new netns late): that record is this one.
	 */
	dup = by_dev(c, ev->to_netns, ev->new_ifindex > 0 ? ev->new_ifindex : ev->ifindex);
	if (dup && dup != r && !dup->pub.ref.pci[0] && !dup->pub.n_findings) {
		dup->pub.registered = false;
		dup->pod_start_ns = 0;
		dup->due_ns = 0;
	}
	err = set_netdev(c, r, ev->new_ifname[0] ? ev->new_ifname : ev->ifname, ev->to_netns,
			 ev->new_ifindex);
	if (err)
		return err;
	/* straight from one pod into another: the first stay is over */
	if (r->pod_start_ns && is_pod_ns(c, ev->to_netns) && ev->to_netns != ev->from_netns)
		err = leave_pod(c, r, ev->ts_ns, "left the pod");
	if (err)
		return err;
	if (is_pod_ns(c, ev->to_netns))
		return enter_pod(c, r, ev);
	if (!is_host(c, ev->to_netns) || !r->pod_start_ns)
		return 0;
	/* back in the host */
	err = leave_pod(c, r, ev->ts_ns, "left the pod");
	r->pod_start_ns = 0;
	r->returned_ns = ev->ts_ns;
	r->n_claimed_by = 0;
	fmt(msg, sizeof(msg), "%s came back to the host netns as %s (from netns %u)",
	    r->pub.ref.key, r->pub.ref.ifname, ev->from_netns);
	fmt(evd, sizeof(evd), "from_netns=%u name=%s host_name=%s", ev->from_netns,
	    r->pub.ref.ifname, r->host_name[0] ? r->host_name : "-");
	if (!err)
		err = raise(c, r, VFT_F_VF_RETURNED_TO_HOST, ev->ts_ns, 0, ev, 0, msg, evd);
	schedule(r, ev->ts_ns + c->opts.grace_ns, DUE_RETURN);
	return err;
}

/* Why a returned VF is stranded, or NULL if it is back in service. */
static const char *stranded_why(const struct rec *r, char *buf, size_t size)
{
	if (!r->pub.registered)
		return NULL; /* gone: nothing left to strand */
	if (r->claimed_after_return) {
		fmt(buf, size, "a host manager claimed it after it came back");
		return buf;
	}
	if (r->host_name[0] && strcmp(r->pub.ref.ifname, r->host_name)) {
		fmt(buf, size, "it keeps the name %s (its host name was %s)", r->pub.ref.ifname,
		    r->host_name);
		return buf;
	}
	if (!r->host_name[0] &&
	    (!strncmp(r->pub.ref.ifname, "net", 3) || !strncmp(r->pub.ref.ifname, "dev", 3))) {
		fmt(buf, size, "it keeps the temporary name %s", r->pub.ref.ifname);
		return buf;
	}
	return NULL;
}

static bool lid_ok(uint32_t lid)
{
	return lid && lid != 0xffff;
}

static bool is_ib(const struct rec *r)
{
	return !strcmp(r->pub.link_layer, "InfiniBand");
}

static const char *port_evidence(const struct rec *r, char *buf, size_t size)
{
	char ng[24], pg[24];

	vft_fmt_guid(ng, sizeof(ng), r->pub.node_guid);
	vft_fmt_guid(pg, sizeof(pg), r->pub.port_guid);
	fmt(buf, size,
	    "ibdev=%s port=%u state=%s lid=0x%x sm_lid=0x%x node_guid=%s port_guid=%s "
	    "link_layer=%s rocev2_ip_gids=%u",
	    r->pub.ref.ibdev, r->pub.port, vft_port_state__name(r->pub.port_state) ?: "?",
	    r->pub.lid, r->pub.sm_lid, ng, pg, r->pub.link_layer, r->pub.n_ip_gids);
	return buf;
}

/* The grace period of a pod stay ended: evaluate what must hold by now. */
static int check_pod(struct vft_corr *c, struct rec *r, const struct vft_event *ev)
{
	const struct vft_vf *v = &r->pub;
	char msg[256], evd[256];
	struct rec *pf = r->pub.pf[0] ? by_key(c, r->pub.pf) : NULL;
	int err = 0;

	if (!v->registered)
		return 0;
	if (v->up && !v->n_addrs) {
		fmt(msg, sizeof(msg),
		    "%s (%s) in pod netns %u is up but has no IP address %llu s "
		    "after it arrived",
		    v->ref.key, v->ref.ifname, v->ref.netns,
		    (unsigned long long)((ev->ts_ns - r->pod_start_ns) / 1000000000ULL));
		fmt(evd, sizeof(evd),
		    "netns=%u ifname=%s up=1 addresses=0 (link-local not counted)", v->ref.netns,
		    v->ref.ifname);
		err = raise(c, r, VFT_F_NET1_NO_IP, ev->ts_ns, r->pod_start_ns, NULL, 0, msg, evd);
	}
	if (!err && !v->ref.ibdev[0] && (r->had_rdma || (pf && pf->pub.ref.ibdev[0]))) {
		fmt(msg, sizeof(msg), "%s (%s) is in a pod but has no RDMA device%s", v->ref.key,
		    v->ref.ifname, r->had_rdma ? " any more" : " though its PF has one");
		fmt(evd, sizeof(evd), "netns=%u had_rdma=%d pf=%s pf_ibdev=%s ibdev=-",
		    v->ref.netns, r->had_rdma, v->pf[0] ? v->pf : "-",
		    pf && pf->pub.ref.ibdev[0] ? pf->pub.ref.ibdev : "-");
		err = raise(c, r, VFT_F_RDMA_DEVICE_MISSING, ev->ts_ns, r->pod_start_ns, NULL, 0,
			    msg, evd);
	}
	if (!err && v->ref.ibdev[0] && r->ib_absent && r->ib_absent_ns == v->ref.netns) {
		fmt(msg, sizeof(msg),
		    "%s (%s) is in pod netns %u but its RDMA device %s is not "
		    "there (exclusive netns mode: it stayed in netns %u)",
		    v->ref.key, v->ref.ifname, v->ref.netns, v->ref.ibdev,
		    v->ibdev_netns ? v->ibdev_netns : c->host_netns);
		fmt(evd, sizeof(evd), "netdev_netns=%u ibdev=%s ibdev_netns=%u", v->ref.netns,
		    v->ref.ibdev, v->ibdev_netns ? v->ibdev_netns : c->host_netns);
		err = raise(c, r, VFT_F_RDMA_NETNS_MISMATCH, ev->ts_ns, r->pod_start_ns, NULL, 0,
			    msg, evd);
	}
	if (err || !v->has_port || !v->ref.ibdev[0] || r->ib_absent)
		return err;
	/* the evidence of each port finding: made when one is raised */
	if (is_ib(r)) {
		if (v->port_state != 4 || !lid_ok(v->lid)) {
			fmt(msg, sizeof(msg),
			    "port %s/%u of %s in pod netns %u has no LID: "
			    "state %s, LID 0x%x",
			    v->ref.ibdev, v->port, v->ref.key, v->ref.netns,
			    vft_port_state__name(v->port_state) ?: "?", v->lid);
			err = raise(c, r, VFT_F_LID_MISSING, ev->ts_ns, r->pod_start_ns, NULL, 0,
				    msg, port_evidence(r, evd, sizeof(evd)));
		}
		if (!err && !lid_ok(v->sm_lid)) {
			fmt(msg, sizeof(msg), "port %s/%u of %s: no Subnet Manager (SM LID 0x%x)",
			    v->ref.ibdev, v->port, v->ref.key, v->sm_lid);
			err = raise(c, r, VFT_F_SM_UNREACHABLE, ev->ts_ns, r->pod_start_ns, NULL, 0,
				    msg, port_evidence(r, evd, sizeof(evd)));
		}
		if (!err && !v->port_guid) {
			fmt(msg, sizeof(msg),
			    "port %s/%u of %s has a zero GUID: the SM will not "
			    "admit it",
			    v->ref.ibdev, v->port, v->ref.key);
			err = raise(c, r, VFT_F_GUID_ZERO, ev->ts_ns, r->pod_start_ns, NULL, 0, msg,
				    port_evidence(r, evd, sizeof(evd)));
		}
	} else if (!strcmp(v->link_layer, "Ethernet") && !v->n_ip_gids) {
		fmt(msg, sizeof(msg),
		    "port %s/%u of %s (%s) has no RoCE v2 GID from an IP "
		    "address: RDMA connections to it will fail",
		    v->ref.ibdev, v->port, v->ref.key, v->ref.ifname);
		err = raise(c, r, VFT_F_GID_MISSING, ev->ts_ns, r->pod_start_ns, NULL, 0, msg,
			    port_evidence(r, evd, sizeof(evd)));
	}
	return err;
}

static int check_return(struct vft_corr *c, struct rec *r, const struct vft_event *ev)
{
	char why[160], msg[256], evd[256];

	if (!stranded_why(r, why, sizeof(why)))
		return 0;
	fmt(msg, sizeof(msg), "%s (%s) is stranded in the host netns: %s", r->pub.ref.key,
	    r->pub.ref.ifname, why);
	fmt(evd, sizeof(evd), "name=%s host_name=%s claimed_after_return=%d up=%d",
	    r->pub.ref.ifname, r->host_name[0] ? r->host_name : "-", r->claimed_after_return,
	    r->pub.up);
	return raise(c, r, VFT_F_VF_STRANDED, ev->ts_ns, r->returned_ns, NULL, 0, msg, evd);
}

static int on_check(struct vft_corr *c, struct rec *r, const struct vft_event *ev)
{
	int err = 0;

	if (r->checked)
		return 0;
	/* a replay trusts the recorded check: the grace period was the live run's */
	if (r->pod_start_ns && is_pod_ns(c, r->pub.ref.netns) &&
	    (c->opts.replay || ev->ts_ns >= r->pod_start_ns + c->opts.grace_ns))
		err = check_pod(c, r, ev);
	else if (r->returned_ns &&
		 (c->opts.replay || ev->ts_ns >= r->returned_ns + c->opts.grace_ns))
		err = check_return(c, r, ev);
	else
		return 0;
	r->checked = true;
	r->due_ns = 0;
	return err;
}

/* Whether @ev shows @r's RDMA device in its netdev's netns. */
static bool ib_visible(const struct vft_corr *c, const struct rec *r, const struct vft_event *ev)
{
	uint32_t where = r->pub.ibdev_netns;

	if (r->ib_absent)
		return false;
	/* a re-read inside the netdev's netns found it (shared mode, or moved unseen) */
	if (ev->source == VFT_SRC_ENRICH && !(ev->has_ret && ev->ret < 0) &&
	    (ev->kind == VFT_EV_RDMA_PORT_STATE || ev->kind == VFT_EV_RDMA_PORT_EVENT) &&
	    ev->netns && ev->netns == r->pub.ref.netns)
		return true;
	return where ? where == r->pub.ref.netns : is_host(c, r->pub.ref.netns);
}

/* Open findings that a later event fixes. */
static int resolve_fixed(struct vft_corr *c, struct rec *r, const struct vft_event *ev)
{
	const struct vft_vf *v = &r->pub;
	char why[160];
	int err = 0;

	if (!v->n_open)
		return 0;
	if (open_of(r, VFT_F_NET1_NO_IP) && v->n_addrs)
		err = resolve(c, r, VFT_F_NET1_NO_IP, ev->ts_ns, "an address was added");
	if (!err && open_of(r, VFT_F_LID_MISSING) && v->port_state == 4 && lid_ok(v->lid))
		err = resolve(c, r, VFT_F_LID_MISSING, ev->ts_ns, "the port is ACTIVE with a LID");
	if (!err && open_of(r, VFT_F_SM_UNREACHABLE) && lid_ok(v->sm_lid))
		err = resolve(c, r, VFT_F_SM_UNREACHABLE, ev->ts_ns, "a Subnet Manager answered");
	if (!err && open_of(r, VFT_F_GUID_ZERO) && v->port_guid)
		err = resolve(c, r, VFT_F_GUID_ZERO, ev->ts_ns, "the port has a GUID");
	if (!err && open_of(r, VFT_F_GID_MISSING) && v->n_ip_gids)
		err = resolve(c, r, VFT_F_GID_MISSING, ev->ts_ns, "a RoCE v2 GID appeared");
	if (!err && open_of(r, VFT_F_RDMA_DEVICE_MISSING) && v->ref.ibdev[0])
		err = resolve(c, r, VFT_F_RDMA_DEVICE_MISSING, ev->ts_ns,
			      "the RDMA device registered");
	if (!err && open_of(r, VFT_F_RDMA_NETNS_MISMATCH) && ib_visible(c, r, ev))
		err = resolve(c, r, VFT_F_RDMA_NETNS_MISMATCH, ev->ts_ns,
			      "the RDMA device is in the netdev's netns");
	if (!err && open_of(r, VFT_F_VF_STRANDED) && !stranded_why(r, why, sizeof(why)))
		err = resolve(c, r, VFT_F_VF_STRANDED, ev->ts_ns,
			      r->pub.registered ? "back in service" : "the device is gone");
	return err;
}

/* ---- per kind ---- */

static int on_netdev(struct vft_corr *c, struct rec *r, const struct vft_event *ev)
{
	bool was_up = r->pub.up;
	int err = 0;

	switch (ev->kind) {
	case VFT_EV_NETDEV_REGISTER:
		if (ev->has_ret && ev->ret < 0)
			return 0;
		r->pub.registered = true;
		r->pub.up = ev->flags & IFF_UP_FLAG; /* the inventory's flags; a new one is down */
		r->pub.n_addrs = 0;
		err = set_netdev(c, r, ev->ifname, ev->netns, ev->ifindex);
		/* already in a pod when first seen (inventory), or created there */
		if (!err && is_pod_ns(c, ev->netns) && !r->pod_start_ns)
			err = enter_pod(c, r, ev);
		return err;
	case VFT_EV_NETDEV_UNREGISTER:
		r->pub.registered = false;
		r->pub.up = false;
		r->pub.n_addrs = 0;
		r->pod_start_ns = 0;
		r->due_ns = 0;
		err = resolve(c, r, VFT_F_CNI_MOVE_FAILED, ev->ts_ns, "the netdev is gone");
		return err ? err : leave_pod(c, r, ev->ts_ns, "the netdev is gone");
	case VFT_EV_NETNS_MOVE:
		return on_move(c, r, ev);
	case VFT_EV_NETDEV_RENAME:
		if (ev->has_ret && ev->ret < 0)
			return 0;
		return set_netdev(c, r, ev->new_ifname, 0, 0);
	case VFT_EV_LINK_CHANGE:
		r->pub.registered = true;
		r->pub.up = ev->flags & IFF_UP_FLAG;
		/* admin up is the event's own old -> new flags, whatever the record knew */
		if (!(ev->old_flags & IFF_UP_FLAG) && (ev->flags & IFF_UP_FLAG) &&
		    is_host(c, r->pub.ref.netns) && !trusted(c, ev))
			err = on_claim(c, r, ev);
		/* up in a pod after its check: give the addresses a grace period again */
		if (!err && !was_up && r->pub.up && r->pod_start_ns && r->checked) {
			r->pod_start_ns = ev->ts_ns;
			schedule(r, ev->ts_ns + c->opts.grace_ns, DUE_POD);
		}
		return err;
	case VFT_EV_ADDR_ADD:
		if (!ip_scoped(ev))
			return 0;
		r->pub.n_addrs++;
		if (is_host(c, r->pub.ref.netns) && !trusted(c, ev))
			err = on_claim(c, r, ev);
		return err;
	case VFT_EV_ADDR_DEL:
		if (ip_scoped(ev) && r->pub.n_addrs)
			r->pub.n_addrs--;
		return 0;
	default:
		return 0;
	}
}

static int on_driver(struct vft_corr *c, struct rec *r, const struct vft_event *ev)
{
	char msg[256], evd[256];
	bool in_use = r->pod_start_ns && is_pod_ns(c, r->pub.ref.netns);

	if (ev->has_numa)
		r->pub.numa_node = ev->numa_node;
	if (ev->kind == VFT_EV_DRIVER_BIND) {
		if (!ev->has_ret || ev->ret >= 0)
			vft_copy_name(r->pub.driver, ev->driver, sizeof(r->pub.driver));
	} else {
		r->pub.driver[0] = '\0';
	}
	if (ev->source == VFT_SRC_INVENTORY || !in_use)
		return 0;
	fmt(msg, sizeof(msg), "%s was %s driver %s while its netdev %s is in pod netns %u",
	    r->pub.ref.key, ev->kind == VFT_EV_DRIVER_BIND ? "bound to" : "unbound from",
	    ev->driver, r->pub.ref.ifname, r->pub.ref.netns);
	fmt(evd, sizeof(evd), "driver=%s netns=%u", ev->driver, r->pub.ref.netns);
	return raise(c, r, VFT_F_DRIVER_CHURN, ev->ts_ns, 0, ev, 0, msg, evd);
}

static void set_port(struct rec *r, const struct vft_event *ev)
{
	struct vft_vf *v = &r->pub;

	v->has_port = true;
	v->port = ev->port;
	v->port_state = ev->port_state;
	v->lid = ev->lid;
	v->sm_lid = ev->sm_lid;
	v->port_guid = ev->port_guid;
	if (ev->node_guid)
		v->node_guid = ev->node_guid;
	vft_copy_name(v->link_layer, ev->link_layer, sizeof(v->link_layer));
	v->n_ip_gids = ev->n_ip_gids;
}

static int on_rdma(struct vft_corr *c, struct rec *r, const struct vft_event *ev)
{
	char msg[256], evd[256], ebuf[16];
	int err;

	switch (ev->kind) {
	case VFT_EV_RDMA_REGISTER:
		if (ev->has_ret && ev->ret < 0)
			return 0;
		vft_copy_name(r->pub.ref.ibdev, ev->ibdev, sizeof(r->pub.ref.ibdev));
		r->pub.node_guid = ev->node_guid;
		r->pub.ibdev_netns = 0;
		r->had_rdma = true;
		/* an RDMA device that arrives in a pod after its check: check its port too */
		if (r->pod_start_ns && r->checked && is_pod_ns(c, r->pub.ref.netns)) {
			r->pod_start_ns = ev->ts_ns;
			schedule(r, ev->ts_ns + c->opts.grace_ns, DUE_POD);
		}
		return reindex(c, r);
	case VFT_EV_RDMA_UNREGISTER:
		r->pub.ref.ibdev[0] = '\0';
		r->pub.has_port = false;
		return 0;
	case VFT_EV_RDMA_RENAME:
		if (ev->has_ret && ev->ret < 0)
			return 0;
		vft_copy_name(r->pub.ref.ibdev, ev->new_ibdev, sizeof(r->pub.ref.ibdev));
		return reindex(c, r);
	case VFT_EV_RDMA_NETNS_MOVE:
		if (!ev->has_ret || ev->ret >= 0) {
			r->pub.ibdev_netns = is_host(c, ev->to_netns) ? 0 : ev->to_netns;
			r->ib_absent = false;
			return 0;
		}
		fmt(msg, sizeof(msg), "moving RDMA device %s of %s to netns %u failed: %s",
		    ev->ibdev, r->pub.ref.key, ev->to_netns,
		    vft_errno_name(ev->ret, ebuf, sizeof(ebuf)));
		fmt(evd, sizeof(evd), "ibdev=%s to_netns=%u ret=%d netdev_netns=%u", ev->ibdev,
		    ev->to_netns, ev->ret, r->pub.ref.netns);
		return raise(c, r, VFT_F_RDMA_NETNS_MISMATCH, ev->ts_ns, 0, ev, ev->ret, msg, evd);
	case VFT_EV_RDMA_PORT_EVENT:
	case VFT_EV_RDMA_PORT_STATE:
		if (ev->has_ret && ev->ret < 0) {
			/* a re-read inside the VF's netns did not find the device */
			if (ev->source == VFT_SRC_ENRICH && ev->ret == -ENOENT) {
				r->ib_absent = true;
				r->ib_absent_ns = ev->netns;
			}
			return 0;
		}
		if (ev->source == VFT_SRC_ENRICH)
			r->ib_absent = false;
		if (ev->has_port_attrs)
			set_port(r, ev);
		err = 0;
		return err;
	default:
		return 0;
	}
}

/* A comm that may configure VFs in the host netns, from the stream (watch --trust). */
static int on_trust(struct vft_corr *c, const struct vft_event *ev)
{
	char(*tmp)[VFT_NAME_LEN];

	if (!ev->actor.comm[0])
		return 0;
	tmp = realloc(c->trust, (c->n_trust + 1) * sizeof(*tmp));
	if (!tmp)
		return -ENOMEM;
	c->trust = tmp;
	vft_copy_name(c->trust[c->n_trust++], ev->actor.comm, VFT_NAME_LEN);
	return 0;
}

/* The record an event is about, or NULL. */
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
		return netdev_rec(c, ev,
				  ev->kind == VFT_EV_NETDEV_REGISTER ||
					  ev->kind == VFT_EV_NETNS_MOVE ||
					  ev->kind == VFT_EV_LINK_CHANGE);
	case VFT_EV_DRIVER_BIND:
	case VFT_EV_DRIVER_UNBIND:
		/* the record of a VF whose vf_add or netdev came first; none is made here */
		return by_key(c, ev->device);
	case VFT_EV_VF_ADD:
	case VFT_EV_VF_REMOVE:
		r = by_key(c, ev->device);
		if (!r && ev->kind == VFT_EV_VF_ADD && is_pci_addr(ev->device))
			r = rec_new(c, ev->device);
		return r;
	case VFT_EV_RDMA_REGISTER:
	case VFT_EV_RDMA_UNREGISTER:
	case VFT_EV_RDMA_RENAME:
	case VFT_EV_RDMA_NETNS_MOVE:
	case VFT_EV_RDMA_PORT_EVENT:
	case VFT_EV_RDMA_PORT_STATE:
		r = is_pci_addr(ev->parent) ? by_key(c, ev->parent) : NULL;
		if (!r && is_pci_addr(ev->parent) && ev->kind == VFT_EV_RDMA_REGISTER)
			r = rec_new(c, ev->parent);
		if (!r)
			r = by_ibdev(c, ev->ibdev);
		if (!r && ev->ifname[0] && ev->kind == VFT_EV_RDMA_REGISTER)
			r = by_name(c, ev->ifname);
		return r;
	case VFT_EV_VF_CHECK:
		return by_key(c, ev->vf_key);
	default:
		return NULL;
	}
}

/* ---- retention ---- */

/*
 * Nothing of the VF is left that an event could name but its PCI address:
 * no netdev, no RDMA device, no driver, and no PF that still has it.
 */
static bool rec_gone(const struct rec *r)
{
	return !r->pub.registered && !r->pub.ref.ibdev[0] && !r->pub.driver[0] &&
	       (!r->pub.pf[0] || r->vf_removed) && !(r->due_ns && !r->due_taken);
}

static void update_gone(struct vft_corr *c, struct rec *r)
{
	if (!rec_gone(r))
		r->gone_ns = 0;
	else if (!r->gone_ns)
		r->gone_ns = c->now_ns ? c->now_ns : 1;
}

/* Drops @r: its open findings are reported resolved, its netns loses a record. */
static void forget_rec(struct vft_corr *c, struct rec *r, const char *why)
{
	struct nsinfo *n = ns_find(c, r->pub.ref.netns);
	uint32_t code;

	for (code = 1; code < VFT_F_MAX; code++)
		if (resolve(c, r, code, c->now_ns, why))
			c->stats.dropped++; /* the resolution is lost, not the record's memory */
	if (n && n->n_recs && !--n->n_recs) {
		n->emptied = true;
		n->seen_ns = c->now_ns;
	}
	view_drop(c, r);
	name_unlink(c, r);
	free(r->pub.steps);
	free(r->tl);
	free(r->pend);
	free(r->open);
	free(r->claimed_by);
	free(r);
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
		slots[which] = calloc(index_cap(live[which]), sizeof(*slots[which]));
		if (!slots[which])
			goto out;
	}
	ns_cap = c->cap_ns_slots;
	if (ns_live < c->n_ns) {
		ns_slots = calloc(ns_cap, sizeof(*ns_slots));
		if (!ns_slots)
			goto out;
	}

	fmt(why, sizeof(why), "forgotten: gone for more than %llu s (retention)",
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
		index_fill(c, which, slots[which], index_cap(live[which]));
		slots[which] = NULL;
	}

	if (ns_slots) {
		for (i = k = 0; i < c->n_ns; i++) {
			struct nsinfo *n = &c->ns[i];

			if (!n->host && n->netns != c->host_netns && !n->n_recs &&
			    (n->emptied || n->seen_ns <= cut)) {
				c->stats.netns_forgotten++;
				if (c->ops.netns_forgotten)
					c->ops.netns_forgotten(c->ctx, n->netns);
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
	struct nsinfo *n = ns_find(c, netns);

	if (n) {
		n->seen_ns = c->now_ns;
		n->emptied = false;
	}
}

/* The sweep, when its time has come: every quarter of retain_ns, at most a minute apart. */
static int maybe_sweep(struct vft_corr *c, const struct vft_event *ev)
{
	uint64_t every = c->opts.retain_ns / 4;
	int err;

	if (!c->opts.retain_ns)
		return 0;
	touch_netns(c, ev->netns);
	if (ev->kind == VFT_EV_NETNS_MOVE || ev->kind == VFT_EV_RDMA_NETNS_MOVE)
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
	return flush_queue(c);
}

int vft_corr__feed(struct vft_corr *c, const struct vft_event *ev)
{
	struct rec *r;
	int err = 0;

	c->stats.events++;
	if (ev->ts_ns > c->now_ns)
		c->now_ns = ev->ts_ns;
	err = maybe_sweep(c, ev);
	if (err && err != -ENOMEM)
		return err;
	err = 0; /* a sweep without memory is tried again later */
	if (ev->kind == VFT_EV_NETNS_INFO) {
		err = on_netns_info(c, ev);
		goto out;
	}
	if (ev->kind == VFT_EV_TRUST) {
		err = on_trust(c, ev);
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
	switch (ev->kind) {
	case VFT_EV_NETDEV_REGISTER:
	case VFT_EV_NETDEV_UNREGISTER:
	case VFT_EV_NETNS_MOVE:
	case VFT_EV_NETDEV_RENAME:
	case VFT_EV_LINK_CHANGE:
	case VFT_EV_ADDR_ADD:
	case VFT_EV_ADDR_DEL:
		if (!c->host_netns && ev->source == VFT_SRC_INVENTORY && ev->netns)
			c->host_netns = ev->netns; /* the first device seen; netns_info overrides */
		err = on_netdev(c, r, ev);
		break;
	case VFT_EV_DRIVER_BIND:
	case VFT_EV_DRIVER_UNBIND:
		err = on_driver(c, r, ev);
		break;
	case VFT_EV_VF_ADD:
		vft_copy_name(r->pub.pf, ev->pf, sizeof(r->pub.pf));
		r->pub.vf_index = ev->vf_index;
		r->vf_removed = false;
		break;
	case VFT_EV_VF_REMOVE:
		r->vf_removed = true;
		break;
	case VFT_EV_VF_CHECK:
		err = on_check(c, r, ev);
		break;
	default:
		if (ev->kind >= VFT_EV_RDMA_REGISTER && ev->kind <= VFT_EV_RDMA_PORT_STATE)
			err = on_rdma(c, r, ev);
		break;
	}
	if (err == -ENOMEM)
		goto out;
	if (ev->kind != VFT_EV_VF_CHECK || r->checked)
		add_step(c, r, ev);
	update_gone(c, r);
	if (!err)
		err = resolve_fixed(c, r, ev);
	/* the event first, then what it raised or resolved */
	if (!err && c->ops.event)
		err = c->ops.event(c->ctx, ev, &r->pub);
	if (!err)
		err = flush_queue(c);
	c->n_queue = 0;
	return err;
out:
	if (err == -ENOMEM)
		c->stats.dropped++;
	if (!err && c->ops.event)
		err = c->ops.event(c->ctx, ev, NULL);
	if (!err)
		err = flush_queue(c);
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
	view_make(mc, r);
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
	for (i = 0; i < c->n_recs; i++) {
		for (k = 0; c->recs[i]->open && k < VFT_F_MAX; k++)
			free(c->recs[i]->open[k]);
		free(c->recs[i]->open);
		free(c->recs[i]->pub.steps);
		free(c->recs[i]->tl);
		free(c->recs[i]->pend);
		free(c->recs[i]->claimed_by);
		free(c->recs[i]);
	}
	for (k = 0; k < IX_N; k++)
		index_free(&c->ix[k]);
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
