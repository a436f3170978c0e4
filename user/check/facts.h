/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * facts.h - what `vftrace check` (and the daemon's periodic check) reads
 * about each VF beyond its correlator record, and which VFs it reports:
 * the kubelet's allocations and the pod's GPUs, the host managers'
 * configuration, the RDMA device as the VF's netns sees it, the VFs a PF
 * announces that do not exist. check.c judges the facts; this file gathers
 * them (docs/check.md says from where).
 */
#ifndef VFT_FACTS_H
#define VFT_FACTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "check/check.h"
#include "correlate/correlate.h"
#include "model/filter.h"
#include "sources/bpf_source.h"

struct vft_netns_map;

/* Which VFs get a row, and where the node is. */
struct vft_facts_opts {
	const char *root;  /* prefix for /sys, /proc, /run, /etc, /var/lib/kubelet */
	const char *pod;   /* only this pod's VFs (in its netns, or allocated to it) */
	const char *netns; /* only the VFs in the netns of this /run/netns name */
	const char *vf;	   /* only this VF, by PCI address or netdev name */
	bool all;	   /* every device that could carry RDMA, not only SR-IOV VFs */
	/* only devices of these names (globs), drivers or PCI addresses; NULL: no such limit */
	const struct vft_filter *filter;
};

/*
 * Without rtnetlink (a --root tree): a netdev_register, and a link_change
 * for one that is up, to @event for every netdev of the host
 * (<root>/sys/class/net, in netns @host) and of each other netns a process
 * is in, as its processes see it (<root>/proc/<pid>/root/sys/class/net);
 * each such netns goes to @netns first. Returns 0, -ENOMEM, or the first
 * error of a callback.
 */
int vft_facts__root_netdevs(const char *root, uint32_t host, vft_event_cb event,
			    int (*netns)(void *ctx, uint32_t netns), void *ctx);

/*
 * The rows of `check` for the VFs that @corr knows now (its records, in
 * order), judged with facts read now, then (unless the selection is by pod,
 * netns, name or driver) a row for each VF that its PF announces and that
 * does not exist. @map: the netns map (NULL: no pod attribution), @host:
 * the host netns. Appends to *@rows (realloc'ed, the caller frees it) and
 * *@n_rows. Returns 0 or -ENOMEM.
 */
int vft_facts__rows(const struct vft_facts_opts *o, struct vft_corr *corr,
		    struct vft_netns_map *map, uint32_t host, struct vft_check_row **rows,
		    size_t *n_rows);

#endif /* VFT_FACTS_H */
