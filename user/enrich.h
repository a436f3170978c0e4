/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * enrich.h - what the kernel hooks cannot read in their context, added in
 * user space from sysfs as the event passes: the port attributes behind an
 * RDMA port event (the hook runs in atomic context, before the core's
 * cache is updated), the netdev bound to an RDMA device.
 */
#ifndef VFT_ENRICH_H
#define VFT_ENRICH_H

#include "event.h"

/*
 * Fills in @ev where it can; never fails (a device already gone stays as the
 * hook saw it). @root: the root prefix for sysfs.
 */
void vft_enrich__event(const char *root, struct vft_event *ev);

#endif /* VFT_ENRICH_H */
