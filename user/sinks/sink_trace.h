/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * sink_trace.h - the stream as a picture: a sink that keeps what each VF
 * went through (its netns stays, kept steps and findings) and, when the
 * stream ends (the summary), writes it as Chrome trace-event JSON (Perfetto
 * UI, chrome://tracing) and/or as one self-contained HTML report
 * (docs/report.md). Feed it alone, or beside a text or JSON Lines sink
 * through vft_sink_tee__new().
 */
#ifndef VFT_SINK_TRACE_H
#define VFT_SINK_TRACE_H

#include <stdint.h>
#include <stdio.h>
#include "sinks/sink.h"

struct vft_trace_sink_opts {
	FILE *trace_json; /* the Chrome trace-event JSON, NULL: none */
	FILE *html;	  /* the HTML report, NULL: none */
};

struct vft_trace_sink;

/* Returns the sink, or NULL when out of memory. The FILEs stay the caller's. */
struct vft_trace_sink *vft_trace_sink__new(const struct vft_trace_sink_opts *o);
/* The sink to hand the pipeline (vft_pipeline_opts.sink); it belongs to @t. */
struct vft_sink *vft_trace_sink__sink(struct vft_trace_sink *t);

/*
 * A call that acts on VFs, drawn as a slice on @vf_key's track from
 * @start_ns to @end_ns; steps of that VF by @pid inside it get a flow arrow
 * from the call. The hook for the CNI's ADD and DEL (a cni event kind):
 * see the marked place in sink_trace.c. @name is the slice's name ("CNI
 * ADD"), @detail its args' text. Returns 0 or -ENOMEM.
 */
int vft_trace_sink__add_call(struct vft_trace_sink *t, const char *vf_key, const char *name,
			     const char *detail, uint32_t pid, uint64_t start_ns, uint64_t end_ns);

/* Frees @t and what it kept; NULL is fine. */
void vft_trace_sink__free(struct vft_trace_sink *t);

#endif /* VFT_SINK_TRACE_H */
