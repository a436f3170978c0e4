/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * correlate.h - the correlator: one record per VF, its lifecycle timeline,
 * and the findings that its timeline raises (docs/findings.md).
 *
 * It consumes the normalized event stream (after merge, enrichment and the
 * selection) and nothing else: no clock, no sysfs. A grace period is closed
 * by a vf_check event, which the live pipeline makes when the VF's deadline
 * passes (vft_corr__take_due) after re-reading the VF's ports, and which a
 * capture replays; so a replay raises exactly what the live run raised.
 *
 * A VF is keyed by its PCI address when its netdev or RDMA device has one,
 * else by the first name its netdev had (veth, rxe in tests). Renames and
 * netns moves keep the record; a netdev that registers again under a known
 * PCI address comes back to its record. Another netdev of the same PCI
 * function registered beside the first (an IPoIB child, a representor, an
 * SF's netdev) has its own record, keyed "<pci>/<its first name>".
 */
#ifndef VFT_CORRELATE_H
#define VFT_CORRELATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "model/event.h"

enum vft_finding_code {
	VFT_F_HOST_MANAGER_CLAIM = 1,
	VFT_F_CNI_MOVE_FAILED,
	VFT_F_VF_RETURNED_TO_HOST,
	VFT_F_VF_STRANDED,
	VFT_F_NET1_NO_IP,
	VFT_F_LID_MISSING,
	VFT_F_SM_UNREACHABLE,
	VFT_F_GUID_ZERO,
	VFT_F_GID_MISSING,
	VFT_F_RDMA_DEVICE_MISSING,
	VFT_F_RDMA_NETNS_MISMATCH,
	VFT_F_DRIVER_CHURN,
	VFT_F_CNI_ATTACH_FAILED,
	VFT_F_POD_NETNS_GONE_BEFORE_DEL,
	VFT_F_VF_REMOVED_IN_POD,
	VFT_F_CNI_ADD_FAILED,
	VFT_F_NETNS_GONE_WITHOUT_CNI_DEL,
	VFT_F_CNI_DEL_RESETS_OTHER_POD,
	VFT_F_MAX,
};

enum vft_severity {
	VFT_SEV_INFO = 1,
	VFT_SEV_WARNING,
	VFT_SEV_ERROR,
};

/* Who and where a VF is, as findings and events report it. */
struct vft_vf_ref {
	char key[VFT_KEY_LEN];
	char pci[VFT_DEVNAME_LEN];  /* "" for a device without a PCI parent */
	char ifname[VFT_NAME_LEN];  /* current netdev name, "" if none */
	uint32_t netns;		    /* current netns inode, 0 if unknown */
	char netns_name[64];	    /* /run/netns name, "" */
	char pod_uid[40];	    /* "" when its netns is not a known pod's */
	char ibdev[VFT_IBNAME_LEN]; /* its RDMA device, "" if none known */
	/* its pod's namespace and name, "" when not known by name */
	char pod_ns[VFT_POD_NS_LEN];
	char pod_name[VFT_POD_NAME_LEN];
};

struct vft_finding {
	uint64_t id; /* 1, 2, ... in the order raised; a resolution names it */
	uint32_t code;
	uint32_t severity;
	uint64_t ts_ns;	   /* when raised */
	uint64_t since_ns; /* when its condition began (the claim, the pod start) */
	struct vft_vf_ref vf;
	bool has_actor;
	uint32_t pid;
	char comm[VFT_NAME_LEN];
	char unit[128];	    /* systemd unit from the actor's cgroup, "" if unknown */
	int32_t err;	    /* negative errno, 0 if none */
	char message[256];  /* one line: what happened */
	char evidence[256]; /* the facts it rests on, "key=value ..." */
	const char *remedy; /* one line: what to do */
	/* set on the resolution */
	bool resolved;
	uint64_t resolved_ns;
	char resolved_by[128]; /* what fixed it */
};

/* One lifecycle step of a VF. */
struct vft_step {
	uint64_t ts_ns;
	uint32_t kind; /* enum vft_kind */
	int32_t ret;   /* 0 or a negative errno */
	uint32_t pid;  /* 0 if no actor */
	char comm[VFT_NAME_LEN];
	char text[160]; /* what happened, e.g. "moved to netns 4026532291 as net1" */
};

#define VFT_VF_MAX_NAMES 8
#define VFT_VF_MAX_NETNS 8
#define VFT_VF_MAX_STEPS 128 /* a VF keeps its first 16 and its newest steps */
#define VFT_CORR_VIEWS 64    /* records whose steps are rendered at a time */

/* A VF's record, read-only to callers. */
struct vft_vf {
	struct vft_vf_ref ref;
	char pf[VFT_DEVNAME_LEN]; /* "" if not known to be a VF */
	int32_t vf_index;	  /* -1 if unknown */
	char driver[VFT_DEVNAME_LEN];
	int32_t ifindex;
	char names[VFT_VF_MAX_NAMES][VFT_NAME_LEN]; /* every name, in order */
	size_t n_names;
	uint32_t netns_hist[VFT_VF_MAX_NETNS]; /* every netns, in order */
	size_t n_netns;
	bool registered; /* its netdev exists now */
	bool up;
	uint32_t n_addrs;     /* addresses other than IPv6 link-local */
	uint32_t ibdev_netns; /* where its RDMA device is, 0 if the host's or unknown */
	bool has_port;	      /* the port attributes below were seen */
	uint32_t port;
	uint32_t port_state, lid, sm_lid;
	uint64_t node_guid, port_guid;
	char link_layer[16];
	uint32_t n_ip_gids; /* RoCE v2 GIDs derived from an IP address */
	int32_t numa_node;  /* -1 if unknown */
	/*
	 * The pod of the CNI ADD that attached it (its CNI_ARGS), "" when no
	 * ADD of it was seen; kept after the VF leaves the pod until the next ADD.
	 */
	char pod_ns[64];
	char pod_name[256];
	char pod_uid[40];
	/*
	 * Ordered by time of arrival. Rendered when vft_corr__vf() returns the
	 * record, and kept up to date by later events, until VFT_CORR_VIEWS
	 * other records have been looked up since; NULL before (in the event
	 * and take_due callbacks too, unless the record was looked up), or if
	 * memory ran out. n_steps is always the number of steps kept.
	 */
	struct vft_step *steps;
	size_t n_steps;
	uint64_t steps_dropped; /* steps not kept (VFT_VF_MAX_STEPS) */
	uint32_t n_findings;	/* raised on this VF */
	uint32_t n_open;	/* of those, not resolved */
};

struct vft_corr_opts {
	uint64_t grace_ns; /* after a pod start or a return; 0 picks VFT_CORR_GRACE_NS */
	/*
	 * Extra actors allowed to configure a VF in the host netns (CNI,
	 * runtime): a comm, or, starting with "/", a directory whose
	 * executables are trusted (where a CNI's plugins are installed).
	 */
	const char *const *trusted_comms;
	size_t n_trusted;
	/*
	 * Replaying a capture: a vf_check closes the grace period whenever it
	 * comes (the live run decided when); live, one before the deadline is
	 * ignored.
	 */
	bool replay;
	/*
	 * How long a VF's record is kept once the VF is gone (no netdev, no
	 * RDMA device, no driver, and either not known to be a VF or removed
	 * by its PF): 0 keeps every record for the correlator's life. A sweep
	 * runs at most every VFT_CORR_SWEEP_MAX_NS of event time (a quarter of
	 * the retention time when that is shorter): it drops those records,
	 * reporting each of their open findings resolved, and forgets every
	 * netns that no VF is in and that either a VF left or nothing has
	 * named for the retention time.
	 */
	uint64_t retain_ns;
	/* keep no timeline steps (the daemon: its flight recorder has them) */
	bool no_steps;
};

#define VFT_CORR_SWEEP_MAX_NS (60 * 1000000000ULL)
#define VFT_CORR_SWEEP_MIN_NS (1000000000ULL)

#define VFT_CORR_GRACE_NS (10 * 1000000000ULL)

/*
 * The most distinct comms and directories that trust events (a capture's
 * --trust) add; once a list is full, its trust events are ignored, counted
 * (trust_dropped) and said once on stderr, so that a crafted capture cannot
 * make every event scan an unbounded list.
 */
#define VFT_CORR_MAX_TRUST 256
#define VFT_CORR_MAX_TRUST_DIRS 16

struct vft_corr_ops {
	/* every event fed, after the VF (or NULL) it belongs to was updated */
	int (*event)(void *ctx, const struct vft_event *ev, const struct vft_vf *vf);
	int (*finding)(void *ctx, const struct vft_finding *f);
	int (*resolved)(void *ctx, const struct vft_finding *f);
};

struct vft_corr;

/* Returns 0 and the correlator in @out, or -ENOMEM. @ops members may be NULL. */
int vft_corr__new(const struct vft_corr_opts *opts, const struct vft_corr_ops *ops, void *ctx,
		  struct vft_corr **out);

/*
 * Feeds one event. Returns 0, -ENOMEM (the event is lost, and counted), or
 * the first negative value a callback returned.
 */
int vft_corr__feed(struct vft_corr *c, const struct vft_event *ev);

/* The earliest grace deadline not yet handed out, UINT64_MAX if none. */
uint64_t vft_corr__next_due(const struct vft_corr *c);

/*
 * Calls @cb for every VF whose grace deadline is at or before @now_ns, once
 * per deadline. The caller then feeds what it re-read (rdma_port_state,
 * source enrich) and a vf_check event with vf_key set. Returns 0 or the
 * first negative value @cb returned.
 */
int vft_corr__take_due(struct vft_corr *c, uint64_t now_ns,
		       int (*cb)(void *ctx, const struct vft_vf *vf), void *ctx);

/*
 * The VFs, in order of first sight. vft_corr__vf() renders the record's
 * steps (see struct vft_vf); read them before VFT_CORR_VIEWS other look-ups.
 */
size_t vft_corr__n_vfs(const struct vft_corr *c);
const struct vft_vf *vft_corr__vf(const struct vft_corr *c, size_t i);
/* The same record without rendering its steps: steps is NULL unless it is rendered already. */
const struct vft_vf *vft_corr__vf_state(const struct vft_corr *c, size_t i);

/*
 * Whether a netns_info event described @netns and the correlator still
 * holds that: neither its retention (retain_ns, a sweep or a pod's netns
 * its last VF left) nor vft_corr__netns_forget() forgot it since. The
 * pipeline says what a netns is (a netns_info) ahead of the first event
 * that names it while this is false.
 */
bool vft_corr__netns_described(const struct vft_corr *c, uint32_t netns);
/*
 * @netns was destroyed (its lo unregistered) and the kernel may give its
 * inode to a later netns: what the stream said of it no longer holds, and
 * vft_corr__netns_described() is false until a netns_info says it again.
 */
void vft_corr__netns_forget(struct vft_corr *c, uint32_t netns);

struct vft_corr_stats {
	uint64_t events;
	uint64_t dropped; /* events lost to allocation failure */
	uint64_t raised[VFT_F_MAX];
	uint64_t resolved[VFT_F_MAX];
	uint64_t forgotten;	  /* records dropped by a sweep (retain_ns) */
	uint64_t netns_forgotten; /* netns entries dropped by the retention */
	uint64_t netns;		  /* netns entries now */
	uint64_t trust_dropped;	  /* trust events ignored: their list was full */
};
void vft_corr__stats(const struct vft_corr *c, struct vft_corr_stats *out);

void vft_corr__free(struct vft_corr *c);

/* "HOST_MANAGER_CLAIM", ... or NULL. */
const char *vft_finding__name(uint32_t code);
/* "info", "warning", "error" or NULL. */
const char *vft_severity__name(uint32_t severity);
/* The one-line remedy of a code, or NULL. */
const char *vft_finding__remedy(uint32_t code);

#endif /* VFT_CORRELATE_H */
