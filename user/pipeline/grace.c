// SPDX-License-Identifier: GPL-2.0-only
/*
 * grace.c - grace ends: port re-reads in a child, waited for or watched (see grace.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "enrich/enrich.h"
#include "pipeline/grace.h"
#include "lib/bounded.h"
#include "pipeline/pipeline.h"
#include "lib/util.h"

struct vft_grace {
	struct vft_grace_opts o;
	uint64_t paused_until;	 /* CLOCK_MONOTONIC: a re-read timed out */
	struct vft_bounded read; /* the running re-read, of parked[0] */
	struct vft_vf *parked;	 /* VFs waiting, in the order their periods ended */
	size_t n_parked, cap_parked;
};

/* How long a re-read may take now: 0 while re-reads are paused after one timed out. */
static uint64_t read_timeout(const struct vft_grace *g)
{
	if (g->o.clock(CLOCK_MONOTONIC) < g->paused_until)
		return 0;
	return g->o.timeout_ns ? g->o.timeout_ns : VFT_GRACE_READ_TIMEOUT_NS;
}

/* @vf's events from the re-read @r that had @timeout (0: none); said and counted when skipped. */
static int emit(struct vft_grace *g, const struct vft_vf *vf, const struct vft_grace_read *r,
		uint64_t timeout)
{
	int err;

	err = vft_enrich__grace_emit(vf, g->o.clock(CLOCK_REALTIME), r, g->o.deliver, g->o.ctx);
	if (err != VFT_ENRICH_SKIPPED)
		return err;
	if (timeout) {
		vft_warn("%s: re-reading the RDMA port of %s did not answer in %llu ms: checks go "
			 "without it for %llu s\n",
			 vf->ref.key, vf->ref.ibdev, (unsigned long long)(timeout / 1000000),
			 (unsigned long long)(VFT_GRACE_PAUSE_NS / 1000000000ULL));
		g->paused_until = g->o.clock(CLOCK_MONOTONIC) + VFT_GRACE_PAUSE_NS;
	}
	g->o.skipped(g->o.ctx);
	return 0;
}

/* In the re-read's child: the answer, as plain data. */
static int read_child(void *arg, int fd)
{
	struct vft_grace *g = arg;
	struct vft_grace_read r;

	vft_enrich__grace_read(g->o.root, g->o.netns, &g->parked[0], read_timeout(g), &r);
	return vft_write_all(fd, &r, sizeof(r));
}

/* Ends the running re-read, if any: its fd unwatched first. */
static void read_cancel(struct vft_grace *g)
{
	if (vft_bounded__fd(&g->read) >= 0)
		g->o.watch_fd(g->o.watch_ctx, vft_bounded__fd(&g->read), false);
	vft_bounded__cancel(&g->read);
}

static void unpark_first(struct vft_grace *g)
{
	memmove(g->parked, g->parked + 1, --g->n_parked * sizeof(*g->parked));
}

/*
 * Starts the re-read of the first waiting VF; while re-reads are paused, or
 * when one cannot start, the waiting VFs get their check at once. Returns 0
 * or what a delivery returned.
 */
static int read_next(struct vft_grace *g)
{
	struct vft_grace_read r;
	uint64_t timeout;
	int err;

	while (g->n_parked && !vft_bounded__running(&g->read)) {
		timeout = read_timeout(g);
		if (timeout) {
			fflush(NULL); /* the child must not inherit buffered output */
			/* two reads (inside the netns, then sysfs) and the forks */
			err = vft_bounded__start(&g->read, read_child, g,
						 2 * timeout + 1000000000ULL);
			if (!err)
				err = g->o.watch_fd(g->o.watch_ctx, vft_bounded__fd(&g->read),
						    true);
			if (!err)
				return 0;
			vft_warn("%s: cannot start the re-read of its RDMA port: %s\n",
				 g->parked[0].ref.key, strerror(-err));
			read_cancel(g);
		}
		vft_enrich__grace_read(g->o.root, g->o.netns, &g->parked[0], 0, &r);
		err = emit(g, &g->parked[0], &r, 0);
		unpark_first(g);
		if (err)
			return err;
	}
	return 0;
}

/* The running re-read ended (@ret: what vft_bounded__poll() said): its VF's events, the next started. */
static int read_done(struct vft_grace *g, int ret)
{
	uint64_t timeout = read_timeout(g);
	struct vft_grace_read r;
	int err;

	memset(&r, 0, sizeof(r));
	r.err = -ETIMEDOUT;
	if (ret == 1 && g->read.len == sizeof(r)) {
		memcpy(&r, g->read.buf, sizeof(r));
	} else if (ret != -ETIMEDOUT) {
		/* the child died: the check goes without the re-read, with no pause */
		vft_warn("%s: the re-read of its RDMA port failed: %s\n", g->parked[0].ref.key,
			 ret == 1 ? "short answer" : strerror(-ret));
		timeout = 0;
	}
	read_cancel(g);
	err = emit(g, &g->parked[0], &r, timeout);
	unpark_first(g);
	return err ? err : read_next(g);
}

int vft_grace__due(struct vft_grace *g, const struct vft_vf *vf)
{
	uint64_t timeout = read_timeout(g);
	struct vft_grace_read r;
	struct vft_vf *np;
	size_t cap;

	if (!g->o.watch_fd || !vf->ref.ibdev[0] || !timeout) {
		vft_enrich__grace_read(g->o.root, g->o.netns, vf, timeout, &r);
		return emit(g, vf, &r, timeout);
	}
	if (g->n_parked == g->cap_parked) {
		cap = g->cap_parked ? 2 * g->cap_parked : 16;
		np = realloc(g->parked, cap * sizeof(*np));
		if (!np)
			return -ENOMEM;
		g->parked = np;
		g->cap_parked = cap;
	}
	np = &g->parked[g->n_parked++];
	*np = *vf;
	/* the timeline is the correlator's, valid only in its callback */
	np->steps = NULL;
	np->n_steps = 0;
	return read_next(g);
}

int vft_grace__poll(struct vft_grace *g)
{
	int ret;

	if (!vft_bounded__running(&g->read))
		return read_next(g);
	ret = vft_bounded__poll(&g->read);
	return ret ? read_done(g, ret) : 0;
}

int vft_grace__finish(struct vft_grace *g)
{
	int err = 0;

	while (!err && g->n_parked)
		err = vft_bounded__running(&g->read) ? read_done(g, vft_bounded__wait(&g->read)) :
						       read_next(g);
	return err;
}

size_t vft_grace__pending(const struct vft_grace *g)
{
	return g->n_parked;
}

int vft_grace__timeout_ms(const struct vft_grace *g, int ms)
{
	uint64_t now, left;

	if (!vft_bounded__running(&g->read))
		return ms;
	/* the deadline is on the real monotonic clock (lib/bounded.c), not opts.clock */
	now = vft_clock_ns(CLOCK_MONOTONIC);
	left = g->read.deadline_ns > now ? (g->read.deadline_ns - now) / 1000000 + 1 : 0;
	if (ms < 0 || left < (uint64_t)ms)
		ms = (int)(left > 1000 ? 1000 : left);
	return ms;
}

int vft_grace__new(const struct vft_grace_opts *opts, struct vft_grace **out)
{
	struct vft_grace *g = calloc(1, sizeof(*g));

	*out = NULL;
	if (!g)
		return -ENOMEM;
	g->o = *opts;
	g->read.fd = -1;
	*out = g;
	return 0;
}

void vft_grace__free(struct vft_grace *g)
{
	if (!g)
		return;
	if (g->o.watch_fd)
		read_cancel(g);
	free(g->parked);
	free(g);
}
