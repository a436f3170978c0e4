// SPDX-License-Identifier: GPL-2.0-only
/*
 * sink_tee.c - one stream into two sinks: every call goes to the first,
 * then to the second (replay's text or JSON Lines beside the picture sink).
 */
#include <stdlib.h>
#include "sinks/sink.h"

struct tee {
	struct vft_sink base; /* first: vft_sink__free() frees the whole */
	struct vft_sink *a, *b;
};

static struct tee *of(struct vft_sink *s)
{
	return (struct tee *)s;
}

static int tee_ready(struct vft_sink *s, const struct vft_ready *r)
{
	return vft_sink__ready(of(s)->a, r) ?: vft_sink__ready(of(s)->b, r);
}

static int tee_coverage(struct vft_sink *s, const struct vft_ready *r)
{
	return vft_sink__coverage(of(s)->a, r) ?: vft_sink__coverage(of(s)->b, r);
}

static int tee_event(struct vft_sink *s, const struct vft_event *ev, const struct vft_vf *vf)
{
	return vft_sink__event(of(s)->a, ev, vf) ?: vft_sink__event(of(s)->b, ev, vf);
}

static int tee_finding(struct vft_sink *s, const struct vft_finding *f)
{
	return vft_sink__finding(of(s)->a, f) ?: vft_sink__finding(of(s)->b, f);
}

static int tee_resolved(struct vft_sink *s, const struct vft_finding *f)
{
	return vft_sink__resolved(of(s)->a, f) ?: vft_sink__resolved(of(s)->b, f);
}

static int tee_timeline(struct vft_sink *s, const struct vft_vf *vf)
{
	return vft_sink__timeline(of(s)->a, vf) ?: vft_sink__timeline(of(s)->b, vf);
}

static int tee_capture(struct vft_sink *s, const char *path, const struct vft_capture_header *h)
{
	return vft_sink__capture(of(s)->a, path, h) ?: vft_sink__capture(of(s)->b, path, h);
}

static int tee_lost(struct vft_sink *s, uint64_t delta, uint64_t total, uint64_t wall_ns)
{
	return vft_sink__lost(of(s)->a, delta, total, wall_ns) ?:
		       vft_sink__lost(of(s)->b, delta, total, wall_ns);
}

static int tee_summary(struct vft_sink *s, const struct vft_summary *sum)
{
	return vft_sink__summary(of(s)->a, sum) ?: vft_sink__summary(of(s)->b, sum);
}

static const struct vft_sink_ops tee_ops = {
	.ready = tee_ready,
	.coverage = tee_coverage,
	.event = tee_event,
	.finding = tee_finding,
	.resolved = tee_resolved,
	.timeline = tee_timeline,
	.capture = tee_capture,
	.lost = tee_lost,
	.summary = tee_summary,
};

struct vft_sink *vft_sink_tee__new(struct vft_sink *a, struct vft_sink *b)
{
	struct tee *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->base.ops = &tee_ops;
	t->a = a;
	t->b = b;
	return &t->base;
}
