/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * internal.h - what the correlator's own files share: the record of a VF
 * (struct rec), the correlator (struct vft_corr), its tables, and the
 * functions each file offers the others. Not for other stages: they use
 * correlate.h.
 *
 * Where things are:
 *   index.c         the hash index of records and the lists of records by name
 *   records.c       a VF's record: made, found by key, device or name, its netdev's identity
 *   nstable.c       the netns table: what the stream said of each netns (described by a
 *                   netns_info, host or pod, /run/netns name, pod UID), how many VFs are in it
 *   textfmt.c       the snprintf() subset of finding messages
 *   findings.c      the codes (names, severities, remedies), raise, resolve, the queue
 *   timeline.c      kept steps: the string pool, the step codec, rendered views
 *   rules_claim.c   host-manager claims and trusted actors
 *   rules_pod.c     netdev events: CNI moves, pod stays, returns, strands, the grace period
 *   rules_attach.c  one CNI attachment's steps: temporary names, the host name, a failed step
 *                   in the pod and the rollback that follows it
 *   rules_driver.c  driver churn and the VF's PF (vf_add, vf_remove)
 *   rules_rdma.c    RDMA devices, their netns and their ports (port_rules.h)
 *   rules_cni.c     CNI plugin runs: the VFs a run's pid touched, the pod of an ADD,
 *                   CNI_ADD_FAILED, NETNS_GONE_WITHOUT_CNI_DEL, CNI_DEL_RESETS_OTHER_POD
 *   port_rules.c    the facts of an RDMA port, shared with check (public: port_rules.h)
 *   retention.c     forgetting gone VFs and unused netns (retain_ns)
 *   feed.c          vft_corr__feed(): the record of an event (by its kind's row), the rule
 *                   of its kind (rule_of[]); the API
 *
 * Functions that run for most events and are small are static inline here:
 * they were inlined when the correlator was one file, and replay speed
 * depends on it.
 */
#ifndef VFT_CORRELATE_INTERNAL_H
#define VFT_CORRELATE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "correlate/correlate.h"
#include "model/kinds.h"

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

/*
 * Records by name: many share one (every pod's VF is net1), so a name has a
 * list of the records that have it now, not an index entry each.
 */
struct name_list {
	uint64_t hash; /* the name's hash | 1: 0 is an empty slot */
	struct rec *head;
};

/* ---- records ---- */

enum { IX_KEY, IX_DEV, IX_IB, IX_NAME, IX_N };

struct claim {
	uint64_t ts_ns;
	uint32_t pid;
	bool unverified; /* a comm of the CNI or runtime set whose executable was not seen */
	char comm[VFT_NAME_LEN];
	char unit[128];
	char what[96];
	char exe[VFT_ACTOR_EXE_LEN]; /* "" if unknown */
};

enum due_why { DUE_NONE, DUE_POD, DUE_RETURN };

/*
 * A step of an attachment that failed in the pod (rules_attach.c): kept
 * until the CNI's rollback shows what it moved, or the stay is judged.
 */
struct attach_fail {
	uint64_t ts_ns;
	uint32_t netns; /* the pod's, where the VF was left */
	int32_t err;
	struct vft_actor actor;
	char what[64];	/* "rename temp_3 -> net1" */
	char kmsg[128]; /* the kernel's message, "" if none */
};

/* The CNI ADD that attached a VF (rules_cni.c), until the next one. */
struct cni_attach {
	uint64_t ts_ns;
	uint32_t pid;
	uint32_t netns; /* the pod's, 0 if unknown */
	bool del_seen;	/* a DEL of this attachment ran */
	char container[72];
};

struct rec {
	struct vft_vf pub;
	uint32_t idx;
	/* the steps as kept (timeline.c), made with the first; pub.steps is rendered from them */
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
	uint64_t pod_start_ns; /* 0 while in the host netns */
	uint64_t returned_ns;  /* 0 unless back in the host after a pod */
	/* its last name in the host that was not a CNI's temporary one (rules_attach.c) */
	char host_name[VFT_NAME_LEN];
	uint32_t attach_pid;	   /* who moved it into its pod (the CNI), 0 if unknown */
	uint32_t out_failed_ns;	   /* the pod a move to the host failed from (a DEL's), 0 */
	struct attach_fail *afail; /* a failed step in the pod, not raised yet */
	struct cni_attach *cni;	   /* the CNI ADD that attached it, NULL if none seen */
	bool claimed_after_return;
	bool ever_in_pod;
	bool had_rdma;
	/* the last re-read (in ib_absent_ns) did not find its RDMA device */
	bool ib_absent;
	uint32_t ib_absent_ns;
	/* the grace deadline, on the clock of ev_clock() */
	uint64_t grace_from; /* the start of the grace period (a pod stay's, a return's) */
	uint64_t due_ns;
	enum due_why due_why;
	bool due_taken;
	bool checked; /* the current stay's deadline was evaluated */
	/* host-manager claims not raised yet: the device is not known to be a VF */
	struct claim *pend; /* up to MAX_PENDING_CLAIMS, allocated as they come */
	size_t n_pend;
	char (*claimed_by)[VFT_NAME_LEN]; /* claims raised in this host stay: MAX_PENDING_CLAIMS */
	size_t n_claimed_by;
	struct vft_finding **open; /* by code: VFT_F_MAX of them, made with the first */
	bool vf_removed;	   /* its PF removed it (vf_remove), not added again since */
	uint64_t gone_ns; /* since when nothing of it is left (rec_gone), 0 while something is */
	uint64_t next_suffix; /* the next N of "key#N" to try for a new record of this key */
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
	bool described; /* by a netns_info since the entry was made or the netns destroyed */
	bool host;
	uint32_t n_recs;  /* records in it now */
	bool emptied;	  /* its last record left it */
	uint64_t seen_ns; /* last named by a netns_info, made, or emptied */
	char name[64];
	char pod_uid[40];
	char pod_ns[VFT_POD_NS_LEN];
	char pod_name[VFT_POD_NAME_LEN];
	bool pod_by_cni; /* pod_ns, pod_name from a CNI ADD into it: netns_info keeps them */
};

/*
 * A step with an actor, for the CNI run that reports it later (its exit):
 * the VF it was on (by key: a record may go) or "" (a netlink error).
 */
#define CNI_TOUCHES 512
#define CNI_CHILDREN 8

struct cni_touch {
	uint64_t clock; /* ev_clock() */
	uint32_t pid;
	uint32_t kind;
	int32_t ret;
	char key[VFT_KEY_LEN];
	char what[96]; /* a failed step's text, "" */
};

/* The touches and the IPAM runs not yet nested under their plugin's run, both rings. */
struct cni_state {
	struct cni_touch touch[CNI_TOUCHES];
	size_t n_touch, next_touch;
	struct vft_event child[CNI_CHILDREN];
	bool child_used[CNI_CHILDREN];
	size_t n_child, next_child;
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
	/*
	 * The event a kept step is rendered from (timeline.c), reused: only
	 * the fields of the keep groups in step_ev_keep are set.
	 */
	struct vft_event step_ev;
	uint32_t step_ev_keep;
	uint32_t step_ev_str[VFT_KEEP_MAX]; /* the pool id of each group's string there */
	/* records whose steps are rendered, at most VFT_CORR_VIEWS */
	struct rec *views[VFT_CORR_VIEWS];
	uint64_t view_ticks[VFT_CORR_VIEWS]; /* when each was last looked up */
	size_t n_views;
	uint64_t view_tick;
	uint32_t host_netns;
	uint64_t next_id;
	struct vft_corr_stats stats;
	/*
	 * What trust events trusted (a recording's --trust), each once:
	 * comms (VFT_CORR_MAX_TRUST, allocated with the first) and
	 * directories of executables (VFT_CORR_MAX_TRUST_DIRS, the same).
	 */
	char (*trust)[VFT_NAME_LEN];
	size_t n_trust;
	char (*trust_dirs)[VFT_ACTOR_EXE_LEN];
	size_t n_trust_dirs;
	/* findings and resolutions of the event being fed, reported after it */
	struct vft_finding *queue;
	size_t n_queue, cap_queue;
	size_t n_afail;	       /* records with an afail: a move out of a pod looks for its owner */
	struct cni_state *cni; /* rules_cni.c, made with the first step by an actor */
	/* the newest event time, and when the next sweep is due (retain_ns) */
	uint64_t now_ns, next_sweep;
};

/* ---- hashes (FNV-1a) of the index, the name lists and the string pool ---- */

static inline uint64_t hash_bytes(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= b[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

static inline uint64_t hash_str(uint32_t tag, const char *s)
{
	uint64_t h = hash_bytes(0xcbf29ce484222325ULL, &tag, sizeof(tag));

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ULL;
	}
	return h;
}

static inline uint64_t hash_dev(uint32_t netns, int32_t ifindex)
{
	uint64_t h = hash_bytes(0xcbf29ce484222325ULL, &netns, sizeof(netns));

	return hash_bytes(h, &ifindex, sizeof(ifindex));
}

/* The hash of @r's key in index @which. */
static inline uint64_t rec_hash(const struct rec *r, int which)
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

/* Whether @r has a key in index @which now. */
static inline bool rec_keyed(const struct rec *r, int which)
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

/* ---- where a VF is ---- */

static inline bool is_host(const struct vft_corr *c, uint32_t netns)
{
	return !netns || netns == c->host_netns;
}

static inline bool is_pod_ns(const struct vft_corr *c, uint32_t netns)
{
	return netns && c->host_netns && netns != c->host_netns;
}

/* The first slot to probe for @netns in a netns table of @cap slots. */
static inline size_t ns_slot0(uint32_t netns, size_t cap)
{
	return (size_t)((netns * 0x9e3779b97f4a7c15ULL) >> 32) & (cap - 1);
}

/* The open finding @code of @r, or NULL. */
static inline struct vft_finding *open_of(const struct rec *r, uint32_t code)
{
	return r->open ? r->open[code] : NULL;
}

/*
 * The clock of grace periods: an event's boot-time stamp, which no one steps
 * (the live pipeline stamps every event, and take_due() is given the same
 * clock), else its wall time (a capture made before the stamp was recorded,
 * the unit tests' sequences: a whole stream is on one clock or the other).
 */
static inline uint64_t ev_clock(const struct vft_event *ev)
{
	return ev->boot_ns ? ev->boot_ns : ev->ts_ns;
}

/* Starts a grace period of @r at @ev: a vf_check after it evaluates its stay or return. */
static inline void schedule(struct rec *r, const struct vft_event *ev, uint64_t grace_ns,
			    enum due_why why)
{
	r->grace_from = ev_clock(ev);
	r->due_ns = r->grace_from + grace_ns;
	r->due_why = why;
	r->due_taken = false;
	r->checked = false;
}

/* textfmt.c */
__attribute__((format(printf, 3, 4))) void corr_fmt(char *buf, size_t size, const char *f, ...);

/* index.c: the index tables and the name lists */
struct rec *corr_index_find(const struct vft_corr *c, int which, uint64_t hash,
			    bool (*pred)(const struct rec *r, const void *arg), const void *arg);
int corr_reindex(struct vft_corr *c, struct rec *r);
void corr_name_unlink(struct vft_corr *c, struct rec *r);
size_t corr_index_cap(size_t live);
void corr_index_fill(struct vft_corr *c, int which, struct slot *slots, size_t cap);
void corr_index_free(struct index *ix);

/* records.c */
bool corr_is_pci_addr(const char *s);
struct rec *corr_rec_new(struct vft_corr *c, const char *key);
void corr_rec_free(struct rec *r);
struct rec *corr_by_key(struct vft_corr *c, const char *key);
struct rec *corr_by_dev(struct vft_corr *c, uint32_t netns, int32_t ifindex);
struct rec *corr_by_ibdev(struct vft_corr *c, const char *ibdev);
struct rec *corr_by_name(struct vft_corr *c, const char *ifname);
/*
 * The record of an event of a family that keeps records, with @k its kind's
 * row: made when the row says VFT_KIND_NEW_REC and there is none, or NULL.
 */
typedef struct rec *find_fn(struct vft_corr *c, const struct vft_event *ev,
			    const struct vft_kind_info *k);
find_fn corr_find_netdev;
int corr_set_netdev(struct vft_corr *c, struct rec *r, const char *ifname, uint32_t netns,
		    int32_t ifindex);

/* nstable.c */
struct nsinfo *corr_ns_find(const struct vft_corr *c, uint32_t netns);
/*
 * How a message names a pod into @buf: "ml/trainer-0" when its name is
 * known, else the netns's /run/netns name, else the pod UID; "" if none.
 * Returns @buf.
 */
const char *corr_pod_word(char *buf, size_t size, const char *pod_ns, const char *pod_name,
			  const char *netns_name, const char *pod_uid);
struct nsinfo *corr_ns_get(struct vft_corr *c, uint32_t netns);
void corr_ns_drop(struct vft_corr *c, uint32_t netns);
void corr_ref_update(struct rec *r, const struct nsinfo *n);
int corr_on_netns_info(struct vft_corr *c, struct rec *r, const struct vft_event *ev);

/* findings.c */
void corr_actor_unit(const struct vft_event *ev, char *buf, size_t size);
int corr_raise_as(struct vft_corr *c, struct rec *r, uint32_t code, uint64_t ts, uint64_t since,
		  const struct vft_event *actor, const char *unit, int32_t err, const char *message,
		  const char *evidence);
int corr_raise(struct vft_corr *c, struct rec *r, uint32_t code, uint64_t ts, uint64_t since,
	       const struct vft_event *actor, int32_t err, const char *message,
	       const char *evidence);
int corr_resolve(struct vft_corr *c, struct rec *r, uint32_t code, uint64_t ts, const char *by);
int corr_flush_queue(struct vft_corr *c);

/* timeline.c */
void corr_add_step(struct vft_corr *c, struct rec *r, const struct vft_event *ev);
void corr_view_make(struct vft_corr *c, struct rec *r);
void corr_view_drop(struct vft_corr *c, struct rec *r);

/* rules_claim.c */
int corr_on_host_config(struct vft_corr *c, struct rec *r, const struct vft_event *ev);
int corr_flush_claims(struct vft_corr *c, struct rec *r, uint64_t move_ns);
int corr_on_trust(struct vft_corr *c, struct rec *r, const struct vft_event *ev);

/* rules_pod.c: one handler per netdev kind, the end of a grace period */
int corr_on_register(struct vft_corr *c, struct rec *r, const struct vft_event *ev);
int corr_on_unregister(struct vft_corr *c, struct rec *r, const struct vft_event *ev);
int corr_on_move(struct vft_corr *c, struct rec *r, const struct vft_event *ev);
int corr_on_rename(struct vft_corr *c, struct rec *r, const struct vft_event *ev);
int corr_on_link(struct vft_corr *c, struct rec *r, const struct vft_event *ev);
int corr_on_addr_add(struct vft_corr *c, struct rec *r, const struct vft_event *ev);
int corr_on_addr_del(struct vft_corr *c, struct rec *r, const struct vft_event *ev);
int corr_on_check(struct vft_corr *c, struct rec *r, const struct vft_event *ev);
int corr_net1_fixed(struct vft_corr *c, struct rec *r, const struct vft_event *ev);
int corr_stranded_fixed(struct vft_corr *c, struct rec *r, const struct vft_event *ev);

/* rules_driver.c */
int corr_on_bind(struct vft_corr *c, struct rec *r, const struct vft_event *ev);
int corr_on_unbind(struct vft_corr *c, struct rec *r, const struct vft_event *ev);
int corr_on_vf_add(struct vft_corr *c, struct rec *r, const struct vft_event *ev);
int corr_on_vf_remove(struct vft_corr *c, struct rec *r, const struct vft_event *ev);

/* rules_rdma.c: one handler per RDMA kind, the pod checks of the RDMA device and port */
int corr_on_rdma_register(struct vft_corr *c, struct rec *r, const struct vft_event *ev);
int corr_on_rdma_unregister(struct vft_corr *c, struct rec *r, const struct vft_event *ev);
int corr_on_rdma_rename(struct vft_corr *c, struct rec *r, const struct vft_event *ev);
int corr_on_rdma_netns_move(struct vft_corr *c, struct rec *r, const struct vft_event *ev);
int corr_on_rdma_port(struct vft_corr *c, struct rec *r, const struct vft_event *ev);
int corr_check_rdma(struct vft_corr *c, struct rec *r, const struct vft_event *ev);
int corr_rdma_fixed(struct vft_corr *c, struct rec *r, const struct vft_event *ev);

/* rules_attach.c */
void corr_note_host_name(struct vft_corr *c, struct rec *r, uint32_t netns, const char *name);
int corr_on_step_failed(struct vft_corr *c, struct rec *r, const struct vft_event *ev);
int corr_raise_attach(struct vft_corr *c, struct rec *r, uint64_t ts, const char *then);
int corr_rollback_of(struct vft_corr *c, struct rec *r, const struct vft_event *ev, bool *rollback);
void corr_attach_forget(struct vft_corr *c, struct rec *r);

/* rules_cni.c */
void corr_cni_touch(struct vft_corr *c, const struct rec *r, const struct vft_event *ev);
int corr_on_cni(struct vft_corr *c, struct rec *r, const struct vft_event *ev);
int corr_cni_kernel_return(struct vft_corr *c, struct rec *r, const struct vft_event *ev);
/* "netns 4026532291" in @text becomes "pod ml/trainer-0" where a CNI ADD named its pod */

/* retention.c */
void corr_update_gone(struct vft_corr *c, struct rec *r);
int corr_maybe_sweep(struct vft_corr *c, const struct vft_event *ev);

#endif /* VFT_CORRELATE_INTERNAL_H */
