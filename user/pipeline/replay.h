/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * replay.h - post-mortem analysis: a capture's events through the pipeline
 * (pipeline.h) into a sink, as the live run had them; and the daemon's
 * outputs over a capture (audit --from-capture).
 */
#ifndef VFT_REPLAY_H
#define VFT_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "sinks/capture.h"
#include "correlate/correlate.h"
#include "sinks/sink.h"
#include "pipeline/live.h"

struct vft_replay_opts {
	const char *const *paths; /* capture files, oldest first (FILE.2 FILE.1 FILE) */
	size_t n_paths;
	const char *vf_key; /* only this VF's events, findings and timeline; NULL: all */
	uint64_t since_ns;  /* only events and findings at or after; 0: from the start */
	uint64_t until_ns;  /* ... and at or before; 0: to the end */
};

struct vft_replay_result {
	uint64_t events;    /* read from the files */
	uint64_t lost;	    /* events the recording lost (its lost events) */
	uint64_t corrupt;   /* damaged regions skipped */
	uint64_t truncated; /* files cut short */
};

/*
 * Replays @o->paths into @sink: a capture line per file, the events,
 * findings and resolutions, then the timelines and the summary. Warns on
 * stderr about each damaged block (with its offset) and each file cut short,
 * and goes on. Returns 0, -EINVAL / -EPROTONOSUPPORT / -ENODATA / -errno for
 * a file that cannot be opened as a capture (after the files before it were
 * replayed; the message is printed), or an output error.
 */
int vft_replay__run(const struct vft_replay_opts *o, struct vft_sink *sink,
		    struct vft_replay_result *res);

struct vft_replay_walk_ops {
	/* the file is open: its header (NULL: nothing to do) */
	int (*header)(void *ctx, const char *path, const struct vft_capture_header *h);
	/* each event read, its lost events too (after @res counted them) */
	int (*event)(void *ctx, const struct vft_event *ev);
};

/*
 * Reads the capture @path through @ops, counting into @res: what
 * vft_replay__run() does with each of its files, for other consumers of a
 * recording (audit --from-capture). Warns on stderr about a file that
 * cannot be opened, each damaged block and a file cut short, as
 * vft_replay__run() does. Returns 0, the open's or read's -errno (the
 * message printed), or the first non-zero value a callback returned.
 */
int vft_replay__walk(const char *path, const struct vft_replay_walk_ops *ops, void *ctx,
		     struct vft_replay_result *res);

/*
 * audit --from-capture: the daemon's outputs over the capture
 * @o->from_capture instead of the kernel, as fast as it reads: the JSON
 * stream on stdout, the metrics textfile, the flight recorder in
 * @o->capture_dir (with the capture's header). The capture's own
 * netns_info, enrich and vf_check events decide, as in a replay; no
 * periodic check runs (there is no live system to check). *@o->stop ends
 * it early, what was read so far finished as a whole. Returns the exit
 * status: 0, or VFT_EXIT_RUNTIME (said on stderr).
 */
int vft_replay__audit(struct vft_trace_opts *o);

#endif /* VFT_REPLAY_H */
