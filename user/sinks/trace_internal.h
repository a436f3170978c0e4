/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * trace_internal.h - what the picture sink (sink_trace.c) keeps of a stream,
 * read by its two writers: trace_json.c (Chrome trace-event JSON) and
 * report_html.c (the HTML report). Private to sinks/.
 */
#ifndef VFT_TRACE_INTERNAL_H
#define VFT_TRACE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "correlate/correlate.h"
#include "sinks/sink.h"

/* Bounds on what a long live run makes the sink keep; what is over them is counted. */
#define TR_MAX_STAYS 256       /* per VF */
#define TR_MAX_CALLS 256       /* per VF */
#define TR_MAX_FINDINGS 100000 /* in all */
#define TR_MAX_FILES 16	       /* capture files named in the header */

/* A stay of a VF in a netns other than the host's. */
struct tr_stay {
	uint64_t start_ns, end_ns;
	bool open; /* still there: the end of the stream closes it */
	uint32_t netns;
	char netns_name[64];
	char pod_uid[40];
	char pod[96]; /* "ml/trainer-0": a CNI ADD into the netns named it, "" */
};

/* A call that acted on the VF (a CNI ADD or DEL), see vft_trace_sink__add_call(). */
struct tr_call {
	uint64_t start_ns, end_ns;
	uint32_t pid;
	char name[48];
	char detail[160];
};

/* One VF's track. */
struct tr_vf {
	char key[VFT_KEY_LEN];
	char pci[VFT_DEVNAME_LEN];
	char host_name[VFT_NAME_LEN]; /* its first name (the host's netdev name) */
	char pf[VFT_DEVNAME_LEN];
	char driver[VFT_DEVNAME_LEN];
	char ibdev[VFT_IBNAME_LEN];
	int32_t vf_index;
	bool shown;	      /* the stream said its timeline, or it has findings: it is drawn */
	uint32_t netns;	      /* where it is now, 0 unknown */
	uint32_t first_netns; /* the first netns seen, the host's when the stream never said */
	struct tr_stay *stays;
	size_t n_stays, stays_dropped;
	struct tr_call *calls;
	size_t n_calls, calls_dropped;
	struct vft_step *steps; /* its kept steps, copied from its timeline */
	size_t n_steps;
	uint64_t steps_dropped;
	uint32_t n_findings;
	uint32_t track; /* 1, 2, ... in drawing order (the trace's pid), 0 before */
};

/* A CNI plugin run (a cni event), matched to the VFs whose steps it made at the end. */
#define TR_MAX_RUNS 4096
struct tr_run {
	uint64_t start_ns, end_ns;
	uint32_t pid, netns;
	bool add_ok;   /* an ADD that exited 0 */
	char name[48]; /* "CNI ADD sriov" */
	char detail[160];
	char pod[96]; /* "ml/trainer-0", "" */
};

struct tr_model {
	char hostname[256];
	char kernel[128];
	char version[32];
	const char *files[TR_MAX_FILES]; /* the capture paths, owned */
	size_t n_files;
	uint64_t first_ns, last_ns; /* the stream's span; first_ns 0 before the first event */
	uint32_t host_netns;	    /* a netns_info said so, 0 unknown */
	struct tr_vf **vfs;	    /* in order of first sight */
	size_t n_vfs, cap_vfs;
	uint32_t *index; /* open addressing on the key: 1 + position in vfs, 0 empty */
	size_t index_cap;
	struct vft_finding *findings; /* in order raised; a resolution updates its finding */
	size_t n_findings, cap_findings, findings_dropped;
	struct vft_summary summary;
	bool has_summary;
	struct tr_run *runs; /* in order of their exits */
	size_t n_runs, runs_dropped;
};

/* The track of @key, NULL if none. */
struct tr_vf *tr_model__find(const struct tr_model *m, const char *key);
/* The stay's label: "pod ml/trainer-0", "pod <uid>", "netns <name>" or "netns <inode>". */
void tr_stay__label(const struct tr_stay *st, char *buf, size_t size);
/* "0000:3b:10.5 ens1f0v3", or the key alone. */
void tr_vf__label(const struct tr_vf *v, char *buf, size_t size);
/* @ns relative to the stream's start, in µs with ns precision: "1234.567". */
void tr_fmt_us(const struct tr_model *m, uint64_t ns, char *buf, size_t size);
/* A string for JSON, UTF-8 clean. */
struct json_object *tr_str(const char *s);

/* Writes @m as Chrome trace-event JSON on @out. Returns 0 or -errno. */
int tr_write_trace_json(const struct tr_model *m, FILE *out);
/* Writes @m as one self-contained HTML page on @out. Returns 0 or -errno. */
int tr_write_html(const struct tr_model *m, FILE *out);

#endif /* VFT_TRACE_INTERNAL_H */
