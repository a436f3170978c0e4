/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * event.h - the normalized event: what every source produces and every later
 * stage (filter, correlator, sinks) consumes. Sources differ; this does not.
 */
#ifndef VFT_EVENT_H
#define VFT_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>
#include "vftrace.h"

struct vft_actor {
	uint32_t pid;	    /* thread group id */
	uint32_t tid;	    /* thread id */
	uint32_t netns;	    /* actor's netns inode, 0 if unknown */
	uint64_t cgroup_id; /* cgroup v2 id, 0 if unknown */
	char comm[VFT_NAME_LEN];
};

struct vft_event {
	uint32_t kind;	 /* enum vft_kind */
	uint32_t source; /* enum vft_source */
	uint64_t ts_ns;	 /* wall clock, ns since the epoch */
	bool has_actor;
	struct vft_actor actor;
	char ifname[VFT_NAME_LEN];     /* name when the event started */
	char new_ifname[VFT_NAME_LEN]; /* netns_move: name afterwards, "" if unchanged */
	int32_t ifindex;
	int32_t new_ifindex; /* netns_move: ifindex in the target netns, 0 if none */
	uint32_t netns;	     /* device's netns inode when seen */
	uint32_t from_netns; /* netns_move */
	uint32_t to_netns;   /* netns_move */
	bool has_ret;
	int32_t ret; /* 0 or a negative errno */
	char parent[VFT_DEVNAME_LEN];
};

/* Converts the kernel's boot-time clock to wall time, calibrated once. */
struct vft_clock {
	int64_t boot_to_wall_ns;
};

/* Calibrates @clk against CLOCK_REALTIME and CLOCK_BOOTTIME. Returns 0 or -errno. */
int vft_clock__init(struct vft_clock *clk);
uint64_t vft_clock__wall_ns(const struct vft_clock *clk, uint64_t boot_ns);

/*
 * Decodes one ring-buffer record into @ev. Returns 0, or -EINVAL when the
 * record has the wrong size or an unknown kind or source (the caller counts
 * it as dropped). Strings are NUL-terminated even if the kernel's were not.
 */
int vft_event__from_bpf(struct vft_event *ev, const void *data, size_t size,
			const struct vft_clock *clk);

/* "netdev_register", ... or NULL for an unknown kind. */
const char *vft_kind__name(uint32_t kind);
/* "fentry", "kprobe", ... or NULL for an unknown source. */
const char *vft_source__name(uint32_t source);

#endif /* VFT_EVENT_H */
