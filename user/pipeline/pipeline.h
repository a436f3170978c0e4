/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pipeline.h - the one assembly of vftrace's stages, for every command:
 *
 *   sources -> merge -> enrichment -> selection -> netns announcements
 *     -> capture file -> correlator -> findings -> metrics, sink
 *
 * plus the end of grace periods (re-read ports, vf_check), loss accounting
 * and the closing timelines and summary. The caller owns the sources and
 * the loop (pipeline/live.c for the kernel, pipeline/replay.c for captures,
 * cli/cmd_check.c for a snapshot of the node); the pipeline owns what the
 * events go through, so that every command judges a stream the same way.
 *
 * A live pipeline takes source events (vft_pipeline__feed()); a recorded one
 * (a capture, which went through merge, enrichment and selection when it was
 * recorded and says itself what each netns is) takes recorded events
 * (vft_pipeline__feed_recorded()) straight to the capture and the correlator.
 */
#ifndef VFT_PIPELINE_H
#define VFT_PIPELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include "correlate/correlate.h"
#include "model/event.h"
#include "model/filter.h"
#include "sinks/capture.h"
#include "sinks/metrics.h"
#include "sinks/sink.h"
#include "sources/hooks.h"

/* Exit statuses of the runs built on the pipeline, the command line's. */
#define VFT_EXIT_OK 0
#define VFT_EXIT_RUNTIME 1
#define VFT_EXIT_USAGE 2

/* How long a netlink event waits for the BPF event of the same change. */
#define VFT_PIPELINE_MERGE_WINDOW_NS (500 * 1000000ULL)

/* What a check skipped (metrics label, summary). */
enum vft_skip {
	VFT_SKIP_GRACE_END, /* a grace period's re-read of the port */
	VFT_SKIP_PERIODIC,  /* audit's periodic readiness check */
	VFT_SKIP_MAX,
};

struct vft_netns_map;
struct netlink_source;

struct vft_pipeline_opts {
	const char *root; /* prefix for /proc and /sys (NULL or "/": this node) */
	bool recorded;	  /* the input is a capture's stream: see above */
	/*
	 * The selection of live events; NULL takes every event. Its root must
	 * be @root; the pipeline does not free it.
	 */
	struct vft_filter *filter;
	const struct vft_corr_opts *corr; /* NULL: the defaults; kept (its trusted comms) */
	struct vft_sink *sink;		  /* NULL: no output (record, check) */
	struct vft_metrics *metrics;	  /* NULL: no metrics (all but audit) */
	/*
	 * What reaches the sink (replay --vf, --since, --until): only @only_key's
	 * events, findings and timeline, only at or after @since_ns and at or
	 * before @until_ns (0: no bound). The correlator still sees everything.
	 */
	const char *only_key;
	uint64_t since_ns, until_ns;
	/* The clock of every stamp and deadline; NULL: clock_gettime() (tests pass theirs). */
	uint64_t (*clock)(clockid_t clock);
	/* A grace end's re-read (grace.h): 0 picks VFT_GRACE_READ_TIMEOUT_NS (tests pass less). */
	uint64_t read_timeout_ns;
	/*
	 * Given by a live loop: grace ends' re-reads run off the loop, one at a
	 * time, their VFs' checks waiting in order (grace.h). @watch_fd(@watch_ctx, fd,
	 * true) asks the loop to watch a re-read's fd (readable: call
	 * vft_pipeline__reads_poll()); (fd, false) comes before that fd is
	 * closed. It returns 0 or -errno (the re-read is then skipped). NULL:
	 * each re-read is waited for where its grace period ends (replay, tests).
	 */
	int (*watch_fd)(void *watch_ctx, int fd, bool add);
	void *watch_ctx;
};

struct vft_pipeline;

/*
 * Assembles the stages of @opts: a live pipeline also gets the merge, the
 * cgroup cache and the netns map (each said on stderr with -v when it cannot
 * be had: actors without a cgroup path, netns not attributed to pods).
 * Returns 0 and the pipeline in @out, or -ENOMEM.
 */
int vft_pipeline__new(const struct vft_pipeline_opts *opts, struct vft_pipeline **out);

/*
 * Where a hook sees every change of a kind, rtnetlink's copies are dropped
 * (vft_merge__cover()): @hooks are the source's hook states.
 */
void vft_pipeline__cover_hooks(struct vft_pipeline *p, const struct vft_hook_state *hooks,
			       size_t n);

/*
 * The start of a live stream, what a replay needs to judge it as this run
 * does: a trust event per trusted comm of the correlator's options, then
 * what the host netns is. Returns 0 or the first error of the stages.
 */
int vft_pipeline__begin(struct vft_pipeline *p);

/*
 * One event of a source (BPF, rtnetlink, inventory) into the merge and the
 * stages after it. Returns 0 or the first error of the stages (the sink's
 * output errors, the capture's write errors, -ENOMEM).
 */
int vft_pipeline__feed(struct vft_pipeline *p, const struct vft_event *ev);
/* vft_pipeline__feed() as a vft_event_cb: @ctx is the pipeline. */
int vft_pipeline__feed_cb(void *ctx, const struct vft_event *ev);

/*
 * The devices that exist now, as the start of a live stream reports them:
 * rtnetlink's in every netns (when @nl is not NULL), then sysfs's inventory.
 * Returns 0 or the first error (a stage's, or a reader's).
 */
int vft_pipeline__inventory(struct vft_pipeline *p, struct netlink_source *nl);

/*
 * Says what netns @netns is (host, /run/netns name, pod) with a netns_info
 * event, once per netns until it is destroyed or the correlator forgets it.
 * The pipeline does it ahead of the first event that names a netns; callers
 * announce a netns they read devices of. Returns 0 or the stages' error.
 */
int vft_pipeline__announce_netns(struct vft_pipeline *p, uint32_t netns, bool host);

/*
 * A recorded event (a capture's) into the capture and the correlator; its
 * losses into the metrics, the sink (when in the window) and the capture.
 * Returns 0 or the first error.
 */
int vft_pipeline__feed_recorded(struct vft_pipeline *p, const struct vft_event *ev);

/*
 * The timers: releases held netlink events that are due (all of them when
 * @stop), then ends the grace periods that are due: each VF's RDMA port is
 * re-read (from inside its netns on this node) and its vf_check follows, both
 * into the stream (off the loop with watch_fd; @stop then waits for the
 * re-reads still running or waiting, each within its deadline). Returns 0 or
 * the first error.
 */
int vft_pipeline__tick(struct vft_pipeline *p, bool stop);
/*
 * The running grace-end re-read (with vft_pipeline_opts.watch_fd): takes
 * its answer if it is complete, or ends it past its deadline, delivers its
 * VF's events and starts the next waiting VF's. Returns 0 or -errno of the
 * delivery.
 */
int vft_pipeline__reads_poll(struct vft_pipeline *p);
/* VFs whose grace-end re-read is running or waiting to run. */
size_t vft_pipeline__reads_pending(const struct vft_pipeline *p);
/* Releases every held netlink event now: the end of a snapshot (check). 0 or an error. */
int vft_pipeline__drain(struct vft_pipeline *p);

/*
 * How long the caller's loop may sleep: @ms (-1: no limit of its own),
 * shortened to when the oldest held netlink event, the next grace
 * deadline or the running re-read's deadline is due (a timer due later than a second wakes it in a second).
 */
int vft_pipeline__timeout_ms(const struct vft_pipeline *p, int ms);

/*
 * The sources have lost @total events since the start: the new ones are
 * reported to the sink, the metrics and the capture (a lost event).
 * Returns 0 or the first error.
 */
int vft_pipeline__lost(struct vft_pipeline *p, uint64_t total);

/*
 * The end of the stream: the timeline of every VF worth one (in the window
 * of only_key), then the summary. Returns 0, or the sink's error (0 without
 * a sink).
 */
int vft_pipeline__finish(struct vft_pipeline *p);

/*
 * The capture file (-o, record, the daemon's flight recorder): every event
 * the correlator sees is written to @path, created with @opts and @hdr
 * (NULL: this node's). Returns 0 or the writer's -errno (not said).
 */
int vft_pipeline__capture_open(struct vft_pipeline *p, const char *path,
			       const struct vft_capture_opts *opts,
			       const struct vft_capture_header *hdr);
/* Writes the events buffered for the capture. 0 or -errno (said on stderr). */
int vft_pipeline__capture_flush(struct vft_pipeline *p);
/* Closes the capture, if any. 0 or -errno (said on stderr). */
int vft_pipeline__capture_close(struct vft_pipeline *p);
/* Whether a capture is open; its figures in @st (may be NULL) when it is. */
bool vft_pipeline__capture_stats(const struct vft_pipeline *p, struct vft_capture_stats *st);
/*
 * Whether a capture write failed (said on stderr once, naming the file and
 * what the file holds): the run's error is the capture's, not the output's.
 */
bool vft_pipeline__capture_failed(const struct vft_pipeline *p);

/*
 * What the metrics say of the VFs (host, pod, stranded), the records held,
 * this process and the capture, then the textfile @textfile (NULL: none;
 * a write error is said on stderr). Nothing without metrics.
 */
void vft_pipeline__update_metrics(struct vft_pipeline *p, const char *textfile);

/*
 * The host netns: the stream's (a recorded pipeline: its netns_info),
 * pid 1's, else this process's on this node. 0 if unknown.
 */
uint32_t vft_pipeline__host_netns(const struct vft_pipeline *p);
struct vft_corr *vft_pipeline__corr(const struct vft_pipeline *p);
/* NULL for a recorded pipeline, or when /proc cannot be read. */
struct vft_netns_map *vft_pipeline__netns_map(const struct vft_pipeline *p);
/* Events the correlator passed on to the sink (in the window), and losses so far. */
uint64_t vft_pipeline__events(const struct vft_pipeline *p);
uint64_t vft_pipeline__lost_total(const struct vft_pipeline *p);
/*
 * A check skipped because a read did not answer in time: counted in the
 * metrics and the summary (the pipeline counts its own grace ends).
 */
void vft_pipeline__skipped(struct vft_pipeline *p, enum vft_skip what);
uint64_t vft_pipeline__skipped_total(const struct vft_pipeline *p, enum vft_skip what);

/* Frees @p and what it made; closes the capture first (see _capture_close). NULL is fine. */
void vft_pipeline__free(struct vft_pipeline *p);

/* @clock now in ns. */
uint64_t vft_clock_ns(clockid_t clock);

/*
 * An output error as an exit status: a reader that went away (-EPIPE) ends
 * the run quietly (0); anything else is said on stderr and is
 * VFT_EXIT_RUNTIME.
 */
int vft_output_error(int err);

#endif /* VFT_PIPELINE_H */
