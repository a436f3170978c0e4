/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * grace.h - the end of a VF's grace period: its RDMA port re-read (a child
 * process, under a deadline: a sysfs read can hang in a driver), then its
 * events (rdma_port_state, vf_check) delivered, in the order the periods
 * ended.
 *
 * With a loop to watch the re-read's fd (opts.watch_fd), a VF whose period
 * ends waits its turn and the caller's loop goes on: one re-read runs at a
 * time, vft_grace__poll() takes its answer when the fd is readable (or its
 * deadline passed) and starts the next. Without one, vft_grace__due()
 * waits for the re-read itself (replay, check, tests). A re-read that does
 * not answer pauses the re-reads of every VF for VFT_GRACE_PAUSE_NS: the
 * checks come without them meanwhile, each counted (opts.skipped).
 */
#ifndef VFT_GRACE_H
#define VFT_GRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include "correlate/correlate.h"
#include "enrich/netns.h"
#include "model/event.h"

#define VFT_GRACE_READ_TIMEOUT_NS (2 * 1000000000ULL)
#define VFT_GRACE_PAUSE_NS (30 * 1000000000ULL)

struct vft_grace_opts {
	const char *root;	     /* prefix for /sys and /proc */
	struct vft_netns_map *netns; /* NULL: read from <root>/sys */
	uint64_t timeout_ns;	     /* one read's deadline; 0: VFT_GRACE_READ_TIMEOUT_NS */
	/* now on @clock: stamps (CLOCK_REALTIME), the pause (CLOCK_MONOTONIC) */
	uint64_t (*clock)(clockid_t clock);
	/* where the events go, in order; a non-zero return stops and is returned */
	int (*deliver)(void *ctx, const struct vft_event *ev);
	void (*skipped)(void *ctx); /* a check went without its re-read */
	void *ctx;
	/*
	 * Watch @fd (@add) until it is readable, or stop watching it (it is
	 * closed next). Returns 0 or -errno (the re-read is then skipped).
	 * NULL: every re-read is waited for in vft_grace__due().
	 */
	int (*watch_fd)(void *watch_ctx, int fd, bool add);
	void *watch_ctx;
};

struct vft_grace;

/* Returns 0 and the object in @out, or -ENOMEM. @opts is copied. */
int vft_grace__new(const struct vft_grace_opts *opts, struct vft_grace **out);
/* @vf's grace period ended (from vft_corr__take_due()). Returns 0 or -errno. */
int vft_grace__due(struct vft_grace *g, const struct vft_vf *vf);
/* The running re-read's answer if it is there (or its deadline passed); the next one started. */
int vft_grace__poll(struct vft_grace *g);
/* Waits for the running re-read and every waiting one, each within its deadline (the end). */
int vft_grace__finish(struct vft_grace *g);
/* VFs whose re-read is running or waiting. */
size_t vft_grace__pending(const struct vft_grace *g);
/* @ms (-1: none), shortened to the running re-read's deadline (at most a second). */
int vft_grace__timeout_ms(const struct vft_grace *g, int ms);
/* Kills a running re-read; the waiting VFs get no check. */
void vft_grace__free(struct vft_grace *g);

#endif /* VFT_GRACE_H */
