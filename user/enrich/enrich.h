/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * enrich.h - what the kernel hooks cannot read in their context, added in
 * user space from sysfs as the event passes: the port attributes behind an
 * RDMA port event (the hook runs in atomic context, before the core's
 * cache is updated), the netdev bound to an RDMA device.
 */
#ifndef VFT_ENRICH_H
#define VFT_ENRICH_H

#include <stdbool.h>
#include <stdint.h>
#include "sources/bpf_source.h"
#include "correlate/correlate.h"
#include "model/event.h"
#include "enrich/netns.h"

/*
 * Fills in @ev where it can; never fails (a device already gone stays as the
 * hook saw it). @root: the root prefix for sysfs.
 */
void vft_enrich__event(const char *root, struct vft_event *ev);

/*
 * Fills @ev as the netns_info event (source enrich, stamped @now_ns) of
 * @netns: @host, and its /run/netns name and pod from @map (NULL: none). A
 * netns the map has not seen makes it scan /proc again: its processes are
 * newer than the last scan.
 */
void vft_enrich__netns_info(struct vft_netns_map *map, uint32_t netns, bool host, uint64_t now_ns,
			    struct vft_event *ev);

/*
 * The end of @vf's grace period, as events for @cb, stamped @now_ns: first,
 * if it has an RDMA device, its port re-read (rdma_port_state, source
 * enrich): from inside the VF's netns when @root is the live system and @map
 * knows a path to that netns that still opens (ret -ENOENT when the device
 * is not visible there), else from <root>/sys (a netns gone meanwhile
 * proves nothing: vft_netns_map__read_port()); then the vf_check (source
 * timer) with vf_key. The re-read runs in a child that has @timeout_ns to
 * answer (a sysfs read can hang in a driver); when it has not, or
 * @timeout_ns is 0 (the caller skips reads), the check comes without it.
 * Returns 0, VFT_ENRICH_SKIPPED when the re-read was skipped, or what @cb
 * returned.
 */
#define VFT_ENRICH_SKIPPED 1
int vft_enrich__grace_end(const char *root, struct vft_netns_map *map, const struct vft_vf *vf,
			  uint64_t now_ns, uint64_t timeout_ns, vft_event_cb cb, void *ctx);

/*
 * vft_enrich__grace_end() in two halves, for a caller that runs the re-read
 * off its event loop (in a child process of its own: the answer is plain
 * data). vft_enrich__grace_read() re-reads @vf's port as grace_end does
 * (err 0, -ENOENT, -ETIMEDOUT or another -errno of the read; -ENODEV when
 * @vf has no RDMA device); vft_enrich__grace_emit() turns an answer into
 * the events, stamped @now_ns, and returns what grace_end returns.
 */
struct vft_grace_read {
	int32_t err;
	bool inside; /* read from inside the VF's netns */
	struct vft_port_attrs attrs;
};
int vft_enrich__grace_read(const char *root, struct vft_netns_map *map, const struct vft_vf *vf,
			   uint64_t timeout_ns, struct vft_grace_read *out);
int vft_enrich__grace_emit(const struct vft_vf *vf, uint64_t now_ns, const struct vft_grace_read *r,
			   vft_event_cb cb, void *ctx);

#endif /* VFT_ENRICH_H */
