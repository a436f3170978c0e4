/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * live.h - the live run of watch, record and audit: the kernel hooks and
 * rtnetlink into the pipeline (pipeline.h), in one event loop over the
 * BPF ring buffer, rtnetlink, module loads and the pipeline's timers, until
 * a signal or a duration ends it.
 */
#ifndef VFT_LIVE_H
#define VFT_LIVE_H

#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/utsname.h>
#include "correlate/correlate.h"
#include "model/filter.h"
#include "sinks/capture.h"
#include "sinks/sink.h"
#include "sources/bpf_source.h"

/* What watch, record and audit take (the command line fills it in). */
struct vft_trace_opts {
	bool json; /* JSON Lines, else text */
	bool no_netlink;
	bool no_inventory;
	bool record;	      /* record: no event output, a progress line instead */
	const char *out_path; /* capture file (-o), NULL if none */
	/* watch --trace-json: Chrome trace-event JSON written when stopped, NULL: none */
	const char *trace_json;
	struct vft_capture_opts capture;
	uint64_t duration_ns; /* stop after this long, 0: until a signal */
	/* audit */
	bool audit;
	const char *metrics_addr;     /* --metrics, NULL: no endpoint */
	const char *metrics_textfile; /* --metrics-textfile, NULL: none */
	const char *capture_dir;      /* --capture-dir */
	const char *from_capture;     /* --from-capture (vft_replay__audit()), NULL: the kernel */
	char capture_path[PATH_MAX];
	uint64_t check_interval_ns;
	/*
	 * How long a periodic check may take: it runs in a child, off the
	 * event loop, killed and counted as skipped past this; 0 picks the
	 * interval, at most VFT_LIVE_CHECK_TIMEOUT_NS.
	 */
	uint64_t check_timeout_ns;
	struct vft_corr_opts corr;
	struct vft_strlist trusted;
	struct vft_filter filter;
	struct bpf_source_opts source;
	/* Set by the caller's signal handlers: SIGINT or SIGTERM, (audit) SIGHUP. */
	volatile sig_atomic_t *stop;
	volatile sig_atomic_t *hangup;
	/*
	 * audit: called once every hook is attached and rtnetlink listens,
	 * before any thread starts (the metrics endpoint's), to give up what
	 * the run needs no more. Returns 0 or -errno.
	 */
	int (*drop_privileges)(void);
};

#define VFT_LIVE_CHECK_TIMEOUT_NS (60 * 1000000000ULL)

/*
 * Runs @o until SIGINT or SIGTERM (*@o->stop), or its duration: the sources
 * into the pipeline, the sink on stdout (not for record), the capture file,
 * and audit's metrics, periodic check (its JSON lines on stdout) and SIGHUP.
 * Returns the exit status: 0, or VFT_EXIT_RUNTIME (said on stderr).
 */
int vft_live__run(struct vft_trace_opts *o);

/*
 * audit --capture-dir: <capture-dir>/vftrace.cap into o->capture_path and
 * o->out_path, refusing a directory or a file that is a symbolic link (said
 * on stderr). Returns 0 or -errno.
 */
int vft_trace__capture_path(struct vft_trace_opts *o);

/* Frees what parsing the options allocated (the selection, the trusted comms). */
void vft_trace_opts__clear(struct vft_trace_opts *o);

/* The ready announcement of @src: this version, the kernel's release (uname into @u), hooks. */
void vft_live__fill_ready(struct vft_ready *r, struct utsname *u, const struct bpf_source *src);

#endif /* VFT_LIVE_H */
