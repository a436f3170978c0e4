/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * sink.h - where the stream ends: JSON Lines or readable text. A sink sees
 * the "ready" announcement (hook coverage), events, loss reports and a
 * closing summary, in that order.
 */
#ifndef VFT_SINK_H
#define VFT_SINK_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "sinks/capture.h"
#include "correlate/correlate.h"
#include "model/event.h"
#include "sources/hooks.h"

struct vft_ready {
	const char *version;
	const char *kernel; /* uname release */
	const struct vft_hook_state *hooks;
	size_t n_hooks;
};

struct vft_summary {
	uint64_t events;	      /* events written */
	uint64_t lost;		      /* events dropped before they reached user space */
	uint64_t vfs;		      /* VF records */
	uint64_t raised[VFT_F_MAX];   /* findings raised, per code */
	uint64_t resolved[VFT_F_MAX]; /* of those, resolved */
	uint64_t checks_skipped;      /* checks that went without a read that hung */
};

struct vft_sink;

struct vft_sink_ops {
	int (*ready)(struct vft_sink *s, const struct vft_ready *r);
	/* hook coverage changed after ready (a module loaded): the whole table again */
	int (*coverage)(struct vft_sink *s, const struct vft_ready *r);
	/* @vf: the record the event belongs to (after the event), NULL if none */
	int (*event)(struct vft_sink *s, const struct vft_event *ev, const struct vft_vf *vf);
	int (*finding)(struct vft_sink *s, const struct vft_finding *f);
	int (*resolved)(struct vft_sink *s, const struct vft_finding *f);
	/* a VF's whole timeline, at the end of the run */
	int (*timeline)(struct vft_sink *s, const struct vft_vf *vf);
	/* replay: the header of capture file @path, before its events */
	int (*capture)(struct vft_sink *s, const char *path, const struct vft_capture_header *h);
	/* @delta newly dropped records, @total since start */
	int (*lost)(struct vft_sink *s, uint64_t delta, uint64_t total, uint64_t wall_ns);
	int (*summary)(struct vft_sink *s, const struct vft_summary *sum);
};

struct vft_sink {
	const struct vft_sink_ops *ops;
	FILE *out;
	bool color;
};

/* JSON Lines on @out: one object per line, schema in docs/json.md. */
struct vft_sink *vft_sink_json__new(FILE *out);
/* One readable line per event; local wall-clock time. */
struct vft_sink *vft_sink_text__new(FILE *out, bool color);
/*
 * Every call into @a, then into @b (the first error stops it). Does not own
 * them: free the tee, then them. NULL when out of memory.
 */
struct vft_sink *vft_sink_tee__new(struct vft_sink *a, struct vft_sink *b);
void vft_sink__free(struct vft_sink *s);

static inline int vft_sink__ready(struct vft_sink *s, const struct vft_ready *r)
{
	return s->ops->ready(s, r);
}

static inline int vft_sink__coverage(struct vft_sink *s, const struct vft_ready *r)
{
	return s->ops->coverage(s, r);
}

static inline int vft_sink__event(struct vft_sink *s, const struct vft_event *ev,
				  const struct vft_vf *vf)
{
	return s->ops->event(s, ev, vf);
}

static inline int vft_sink__finding(struct vft_sink *s, const struct vft_finding *f)
{
	return s->ops->finding(s, f);
}

static inline int vft_sink__resolved(struct vft_sink *s, const struct vft_finding *f)
{
	return s->ops->resolved(s, f);
}

static inline int vft_sink__timeline(struct vft_sink *s, const struct vft_vf *vf)
{
	return s->ops->timeline(s, vf);
}

static inline int vft_sink__capture(struct vft_sink *s, const char *path,
				    const struct vft_capture_header *h)
{
	return s->ops->capture(s, path, h);
}

static inline int vft_sink__lost(struct vft_sink *s, uint64_t delta, uint64_t total,
				 uint64_t wall_ns)
{
	return s->ops->lost(s, delta, total, wall_ns);
}

static inline int vft_sink__summary(struct vft_sink *s, const struct vft_summary *sum)
{
	return s->ops->summary(s, sum);
}

/* @ev as a JSON object ({"type":"event"}); @vf may be NULL. Exposed for tests. */
struct json_object;
struct json_object *vft_event__to_json(const struct vft_event *ev, const struct vft_vf *vf);
/* The "vf" object of findings and check lines: every key always there, null when unknown. */
struct json_object *vft_vf_ref__to_json(const struct vft_vf_ref *ref);
/* Writes @o as one line on @out, flushed, and frees it. Returns 0 or -errno (-ENOMEM if @o is NULL). */
int vft_json__write_line(FILE *out, struct json_object *o);
/* @f as {"type":"finding"} or, when resolved, {"type":"resolved"}. */
struct json_object *vft_finding__to_json(const struct vft_finding *f);

#endif /* VFT_SINK_H */
