// SPDX-License-Identifier: GPL-2.0-only
/*
 * replay.c - a capture through the correlator into a sink (see replay.h).
 *
 * The capture holds the stream the live correlator saw (after the
 * selection, with enrichment results, netns_info and vf_check events), so
 * feeding it to a correlator in replay mode raises the same findings, with
 * the same ids, at the same times.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "sinks/capture.h"
#include "pipeline/replay.h"
#include "lib/util.h"

struct replay_ctx {
	const struct vft_replay_opts *o;
	struct vft_sink *sink;
	uint64_t events; /* written to the sink */
};

static bool in_window(const struct vft_replay_opts *o, uint64_t ts)
{
	return (!o->since_ns || ts >= o->since_ns) && (!o->until_ns || ts <= o->until_ns);
}

static bool wanted(const struct vft_replay_opts *o, const char *key)
{
	return !o->vf_key || (key && !strcmp(key, o->vf_key));
}

static int on_event(void *ctx, const struct vft_event *ev, const struct vft_vf *vf)
{
	struct replay_ctx *r = ctx;

	if (!in_window(r->o, ev->ts_ns) || !wanted(r->o, vf ? vf->ref.key : NULL))
		return 0;
	r->events++;
	return vft_sink__event(r->sink, ev, vf);
}

static int on_finding(void *ctx, const struct vft_finding *f)
{
	struct replay_ctx *r = ctx;

	if (!in_window(r->o, f->ts_ns) || !wanted(r->o, f->vf.key))
		return 0;
	return vft_sink__finding(r->sink, f);
}

static int on_resolved(void *ctx, const struct vft_finding *f)
{
	struct replay_ctx *r = ctx;

	if (!in_window(r->o, f->resolved_ns) || !wanted(r->o, f->vf.key))
		return 0;
	return vft_sink__resolved(r->sink, f);
}

static const struct vft_corr_ops replay_ops = {
	.event = on_event,
	.finding = on_finding,
	.resolved = on_resolved,
};

int vft_sink__finish(struct vft_sink *sink, const struct vft_corr *corr, uint64_t events,
		     uint64_t lost, const char *only_key)
{
	struct vft_summary sum = { .events = events, .lost = lost };
	struct vft_corr_stats st;
	size_t i, n = vft_corr__n_vfs(corr);
	int err = 0;

	for (i = 0; i < n && !err; i++) {
		const struct vft_vf *vf = vft_corr__vf(corr, i);

		if (only_key && strcmp(vf->ref.key, only_key))
			continue;
		/* VFs, and any device that went into a pod or raised something */
		if (vf->pf[0] || vf->n_netns > 1 || vf->n_findings)
			err = vft_sink__timeline(sink, vf);
		sum.vfs++;
	}
	if (err)
		return err;
	vft_corr__stats(corr, &st);
	memcpy(sum.raised, st.raised, sizeof(sum.raised));
	memcpy(sum.resolved, st.resolved, sizeof(sum.resolved));
	return vft_sink__summary(sink, &sum);
}

/* Says what the reader skipped since @seen (its corrupt count before the last call). */
static void warn_damage(const char *path, const struct vft_capture_status *st, uint64_t seen)
{
	uint64_t i;

	for (i = seen; i < st->corrupt; i++) {
		if (i < VFT_CAPTURE_MAX_REPORTED)
			vft_warn("%s: damaged data at byte %llu (%s): skipped to the next good "
				 "block\n",
				 path, (unsigned long long)st->corrupt_offsets[i],
				 st->last_corrupt_reason ?: "bad block");
		else if (i == st->corrupt - 1)
			vft_warn("%s: damaged data at byte %llu (%s): skipped to the next good "
				 "block\n",
				 path, (unsigned long long)st->last_corrupt_offset,
				 st->last_corrupt_reason ?: "bad block");
	}
}

int vft_replay__walk(const char *path, const struct vft_replay_walk_ops *ops, void *ctx,
		     struct vft_replay_result *res)
{
	const struct vft_capture_status *st;
	struct vft_capture_reader *rd = NULL;
	struct vft_event ev;
	char msg[256] = "";
	uint64_t seen = 0;
	int err, n = 0;

	err = vft_capture_reader__open(path, &rd, msg, sizeof(msg));
	if (err) {
		if (err == -ENODATA)
			vft_warn("%s: %s: the recording ended before its first event\n", path,
				 msg[0] ? msg : "no events");
		else if (msg[0] && strstr(msg, path))
			vft_warn("%s\n", msg);
		else
			vft_warn("%s: %s\n", path, msg[0] ? msg : strerror(-err));
		goto out;
	}
	err = ops->header ? ops->header(ctx, path, vft_capture_reader__header(rd)) : 0;
	if (err)
		goto out;
	st = vft_capture_reader__status(rd);
	while ((n = vft_capture_reader__next(rd, &ev)) > 0) {
		if (st->corrupt > seen) {
			warn_damage(path, st, seen);
			seen = st->corrupt;
		}
		res->events++;
		if (ev.kind == VFT_EV_LOST)
			res->lost += ev.lost;
		err = ops->event(ctx, &ev);
		if (err)
			goto out;
	}
	if (st->corrupt > seen)
		warn_damage(path, st, seen);
	res->corrupt += st->corrupt;
	if (n < 0) {
		err = n;
		vft_warn("%s: cannot read on: %s\n", path, strerror(-err));
		goto out;
	}
	if (st->truncated) {
		res->truncated++;
		vft_warn("%s: the file ends inside a block at byte %llu (the recording was cut "
			 "short): replayed the %llu events before it\n",
			 path, (unsigned long long)st->truncated_offset,
			 (unsigned long long)st->events);
	}
	err = 0;
out:
	vft_capture_reader__free(rd);
	return err;
}

/* vft_replay__run()'s walk: every file's capture line, its events into the correlator. */
struct run_walk {
	struct replay_ctx *r;
	struct vft_corr *corr;
	struct vft_replay_result *res;
};

static int run_header(void *ctx, const char *path, const struct vft_capture_header *h)
{
	struct run_walk *rw = ctx;

	return vft_sink__capture(rw->r->sink, path, h);
}

static int run_event(void *ctx, const struct vft_event *ev)
{
	struct run_walk *rw = ctx;

	if (ev->kind != VFT_EV_LOST)
		return vft_corr__feed(rw->corr, ev);
	if (!in_window(rw->r->o, ev->ts_ns))
		return 0;
	return vft_sink__lost(rw->r->sink, ev->lost, rw->res->lost, ev->ts_ns);
}

static const struct vft_replay_walk_ops run_walk_ops = {
	.header = run_header,
	.event = run_event,
};

int vft_replay__run(const struct vft_replay_opts *o, struct vft_sink *sink,
		    struct vft_replay_result *res)
{
	struct vft_corr_opts copts = { .replay = true };
	struct replay_ctx r = { .o = o, .sink = sink };
	struct vft_corr *corr = NULL;
	size_t i;
	int err;

	memset(res, 0, sizeof(*res));
	err = vft_corr__new(&copts, &replay_ops, &r, &corr);
	if (err)
		return err;
	for (i = 0; i < o->n_paths && !err; i++) {
		struct run_walk rw = { .r = &r, .corr = corr, .res = res };

		err = vft_replay__walk(o->paths[i], &run_walk_ops, &rw, res);
	}
	if (!err)
		err = vft_sink__finish(sink, corr, r.events, res->lost, o->vf_key);
	vft_corr__free(corr);
	return err;
}
