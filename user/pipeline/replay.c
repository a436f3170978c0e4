// SPDX-License-Identifier: GPL-2.0-only
/*
 * replay.c - a capture through the pipeline into a sink, and the daemon's
 * outputs over a capture (see replay.h).
 *
 * The capture holds the stream the live correlator saw (after the
 * selection, with enrichment results, netns_info and vf_check events), so
 * feeding it to a recorded pipeline (a correlator in replay mode) raises the
 * same findings, with the same ids, at the same times.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "sinks/capture.h"
#include "sinks/metrics.h"
#include "pipeline/pipeline.h"
#include "pipeline/replay.h"
#include "lib/util.h"

#define SEC 1000000000ULL

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

/* ---- replay ---- */

/* vft_replay__run()'s walk: every file's capture line, its events into the pipeline. */
struct run_walk {
	struct vft_pipeline *p;
	struct vft_sink *sink;
};

static int run_header(void *ctx, const char *path, const struct vft_capture_header *h)
{
	struct run_walk *rw = ctx;

	return vft_sink__capture(rw->sink, path, h);
}

static int run_event(void *ctx, const struct vft_event *ev)
{
	struct run_walk *rw = ctx;

	return vft_pipeline__feed_recorded(rw->p, ev);
}

static const struct vft_replay_walk_ops run_walk_ops = {
	.header = run_header,
	.event = run_event,
};

int vft_replay__run(const struct vft_replay_opts *o, struct vft_sink *sink,
		    struct vft_replay_result *res)
{
	struct vft_corr_opts copts = { .replay = true };
	struct vft_pipeline_opts po = {
		.recorded = true,
		.corr = &copts,
		.sink = sink,
		.only_key = o->vf_key,
		.since_ns = o->since_ns,
		.until_ns = o->until_ns,
	};
	struct run_walk rw = { .sink = sink };
	size_t i;
	int err;

	memset(res, 0, sizeof(*res));
	err = vft_pipeline__new(&po, &rw.p);
	if (err)
		return err;
	for (i = 0; i < o->n_paths && !err; i++)
		err = vft_replay__walk(o->paths[i], &run_walk_ops, &rw, res);
	if (!err)
		err = vft_pipeline__finish(rw.p);
	vft_pipeline__free(rw.p);
	return err;
}

/* ---- audit --from-capture ---- */

struct from_capture {
	struct vft_trace_opts *o;
	struct vft_pipeline *p;
	struct vft_sink *sink;
	struct vft_replay_result res;
	uint64_t last_flush, next_metrics;
	int out_err; /* the stream could not be written */
};

/* The capture is open: the flight recorder keeps its header, the stream says what it is. */
static int from_capture_header(void *ctx, const char *path, const struct vft_capture_header *h)
{
	struct from_capture *fc = ctx;
	struct vft_trace_opts *o = fc->o;
	int err;

	if (o->capture_dir && !vft_pipeline__capture_stats(fc->p, NULL)) {
		err = vft_trace__capture_path(o);
		if (!err)
			err = vft_pipeline__capture_open(fc->p, o->out_path, &o->capture, h);
		if (err) {
			vft_warn("cannot create capture file %s: %s\n", o->out_path,
				 strerror(-err));
			return err;
		}
	}
	fc->out_err = vft_sink__capture(fc->sink, path, h);
	return fc->out_err;
}

static int from_capture_event(void *ctx, const struct vft_event *ev)
{
	struct from_capture *fc = ctx;
	uint64_t mono;
	int err;

	if (*fc->o->stop)
		return -EINTR;
	err = vft_pipeline__feed_recorded(fc->p, ev);
	if (err && !vft_pipeline__capture_failed(fc->p))
		fc->out_err = err; /* the sink's, through the correlator */
	if (ev->kind == VFT_EV_LOST)
		return err;
	/* the writer's blocks hold a second of events, as the live daemon flushes them */
	if (!err && vft_pipeline__capture_stats(fc->p, NULL) && ev->ts_ns >= fc->last_flush + SEC) {
		if (fc->last_flush)
			err = vft_pipeline__capture_flush(fc->p);
		fc->last_flush = ev->ts_ns;
	}
	if (err || (vft_pipeline__events(fc->p) & 0xfff))
		return err;
	mono = vft_clock_ns(CLOCK_MONOTONIC);
	if (mono >= fc->next_metrics) {
		vft_pipeline__update_metrics(fc->p, fc->o->metrics_textfile);
		fc->next_metrics = mono + 5 * SEC;
	}
	return 0;
}

static const struct vft_replay_walk_ops from_capture_ops = {
	.header = from_capture_header,
	.event = from_capture_event,
};

int vft_replay__audit(struct vft_trace_opts *o)
{
	static volatile sig_atomic_t never;
	struct vft_pipeline_opts po = { .recorded = true, .corr = &o->corr };
	struct from_capture fc = { .o = o };
	struct vft_metrics *metrics;
	int err, ret = VFT_EXIT_RUNTIME;

	if (!o->stop)
		o->stop = &never;
	o->corr.replay = true;
	fc.sink = vft_sink_json__new(stdout);
	metrics = vft_metrics__new();
	po.sink = fc.sink;
	po.metrics = metrics;
	if (!fc.sink || !metrics || vft_pipeline__new(&po, &fc.p))
		goto out;
	/* SIGTERM or SIGINT: what was read so far is finished as a whole */
	err = vft_replay__walk(o->from_capture, &from_capture_ops, &fc, &fc.res);
	if (err && err != -EINTR) {
		/* the capture could not be read, or a capture write failed: both said */
		ret = fc.out_err ? vft_output_error(fc.out_err) : VFT_EXIT_RUNTIME;
		goto out;
	}
	err = vft_pipeline__finish(fc.p);
	ret = err ? vft_output_error(err) : VFT_EXIT_OK;
out:
	if (fc.p) {
		if (vft_pipeline__capture_close(fc.p))
			ret = VFT_EXIT_RUNTIME;
		/* the final figures, the footprint included */
		vft_pipeline__update_metrics(fc.p, o->metrics_textfile);
	}
	vft_pipeline__free(fc.p);
	vft_metrics__free(metrics);
	vft_sink__free(fc.sink);
	return ret;
}
