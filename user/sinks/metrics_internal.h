/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * metrics_internal.h - the registry's state, shared by its files (metrics.c
 * renders it, metrics_proc.c fills the process_* values) and included by
 * nothing else. The API is metrics.h.
 */
#ifndef VFT_METRICS_INTERNAL_H
#define VFT_METRICS_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "correlate/correlate.h"
#include "model/event.h"
#include "sinks/metrics.h"

/* The states of vftrace_vfs. */
enum vf_state {
	VF_HOST,
	VF_POD,
	VF_STRANDED,
	VF_STATES,
};

/* A gauge of a label set that grows: hooks, BPF maps. */
struct named_gauge {
	char *name;
	uint64_t v;
};

/* The process_* values vft_metrics__process() read, each once it was read. */
enum proc_value {
	P_CPU,	    /* ms of user + system CPU time */
	P_MAX_FDS,  /* the soft RLIMIT_NOFILE */
	P_OPEN_FDS, /* entries of /proc/self/fd */
	P_RSS,	    /* bytes */
	P_START,    /* ms since the epoch */
	P_VSIZE,    /* bytes */
	P_VALUES,
};

/* The registry: the daemon's thread and the HTTP server's read and write it under @lock. */
struct vft_metrics {
	pthread_mutex_t lock;
	uint64_t raised[VFT_F_MAX];
	uint64_t resolved[VFT_F_MAX];
	uint64_t events[VFT_EV_KIND_MAX];
	uint64_t lost;
	uint64_t capture_bytes;
	uint64_t state[2], forgotten[2]; /* the correlator's records: VFs, netns */
	uint32_t vfs[VF_STATES];
	uint32_t ready;
	uint32_t not_ready;
	uint64_t check_ns;				 /* 0: no check yet */
	struct named_gauge hooks[VFT_METRICS_MAX_HOOKS]; /* sorted by name; 1 attached */
	size_t n_hooks;
	struct named_gauge maps[VFT_METRICS_MAX_MAPS]; /* sorted by name; bytes */
	size_t n_maps;
	uint64_t proc[P_VALUES];
	bool have_proc[P_VALUES]; /* read at least once */
	char *version;
	char *kernel;
	/* the codes and kinds that have a name, sorted by it */
	uint32_t codes[VFT_F_MAX];
	size_t n_codes;
	uint32_t kinds[VFT_EV_KIND_MAX];
	size_t n_kinds;
};

#endif /* VFT_METRICS_INTERNAL_H */
