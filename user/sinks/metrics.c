// SPDX-License-Identifier: GPL-2.0-only
/*
 * metrics.c - the Prometheus registry and its text rendering (exposition
 * format 0.0.4). See metrics.h for the families and their labels. The
 * registry's readers and writers around it have files of their own:
 * metrics_proc.c (the process_* collector), metrics_http.c (the HTTP
 * endpoint) and metrics_textfile.c (node_exporter's textfile).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include "correlate/correlate.h"
#include "model/event.h"
#include "sources/hooks.h"
#include "sinks/metrics.h"
#include "sinks/metrics_internal.h"
#include "lib/util.h"

#ifndef VFTRACE_VERSION
#define VFTRACE_VERSION "unknown"
#endif

/* In label-value order. */
static const char *const vf_state_names[VF_STATES] = {
	[VF_HOST] = "host",
	[VF_POD] = "pod",
	[VF_STRANDED] = "stranded",
};

/* Inserts @v into @list (n entries, sorted by @name_of) at its place. */
static void insert_sorted(uint32_t *list, size_t n, uint32_t v, const char *(*name_of)(uint32_t))
{
	size_t i = n;

	while (i > 0 && strcmp(name_of(list[i - 1]), name_of(v)) > 0) {
		list[i] = list[i - 1];
		i--;
	}
	list[i] = v;
}

/*
 * Adds @name with 0 to @list (*@n entries sorted by name, room for @max) at
 * its place unless it is there; returns its index or a negative errno.
 */
static int gauge_add(struct named_gauge *list, size_t *n, size_t max, const char *name)
{
	size_t i;
	char *copy;
	int cmp;

	for (i = 0; i < *n; i++) {
		cmp = strcmp(list[i].name, name);
		if (!cmp)
			return i;
		if (cmp > 0)
			break;
	}
	if (*n == max)
		return -ENOSPC;
	copy = strdup(name);
	if (!copy)
		return -ENOMEM;
	memmove(&list[i + 1], &list[i], (*n - i) * sizeof(list[0]));
	list[i].name = copy;
	list[i].v = 0;
	(*n)++;
	return i;
}

struct vft_metrics *vft_metrics__new(void)
{
	struct vft_metrics *m = calloc(1, sizeof(*m));
	struct utsname uts;
	uint32_t v;
	size_t i;

	if (!m)
		return NULL;
	if (pthread_mutex_init(&m->lock, NULL)) {
		free(m);
		return NULL;
	}
	for (v = 1; v < VFT_F_MAX; v++)
		if (vft_finding__name(v))
			insert_sorted(m->codes, m->n_codes++, v, vft_finding__name);
	for (v = 1; v < VFT_EV_KIND_MAX; v++)
		if (vft_kind__name(v))
			insert_sorted(m->kinds, m->n_kinds++, v, vft_kind__name);
	for (i = 0; i < VFT_HOOK_MAX; i++)
		if (vft_hook_defs[i].name && gauge_add(m->hooks, &m->n_hooks, VFT_METRICS_MAX_HOOKS,
						       vft_hook_defs[i].name) < 0)
			goto fail;
	m->version = strdup(VFTRACE_VERSION);
	m->kernel = strdup(uname(&uts) ? "unknown" : uts.release);
	if (!m->version || !m->kernel)
		goto fail;
	return m;
fail:
	vft_metrics__free(m);
	return NULL;
}

void vft_metrics__free(struct vft_metrics *m)
{
	size_t i;

	if (!m)
		return;
	for (i = 0; i < m->n_hooks; i++)
		free(m->hooks[i].name);
	for (i = 0; i < m->n_maps; i++)
		free(m->maps[i].name);
	free(m->version);
	free(m->kernel);
	pthread_mutex_destroy(&m->lock);
	free(m);
}

int vft_metrics__finding(struct vft_metrics *m, uint32_t code, bool resolved)
{
	if (!vft_finding__name(code))
		return -EINVAL;
	pthread_mutex_lock(&m->lock);
	if (resolved)
		m->resolved[code]++;
	else
		m->raised[code]++;
	pthread_mutex_unlock(&m->lock);
	return 0;
}

int vft_metrics__event(struct vft_metrics *m, uint32_t kind)
{
	if (!vft_kind__name(kind))
		return -EINVAL;
	pthread_mutex_lock(&m->lock);
	m->events[kind]++;
	pthread_mutex_unlock(&m->lock);
	return 0;
}

void vft_metrics__lost(struct vft_metrics *m, uint64_t n)
{
	pthread_mutex_lock(&m->lock);
	m->lost += n;
	pthread_mutex_unlock(&m->lock);
}

void vft_metrics__vfs(struct vft_metrics *m, uint32_t host, uint32_t pod, uint32_t stranded)
{
	pthread_mutex_lock(&m->lock);
	m->vfs[VF_HOST] = host;
	m->vfs[VF_POD] = pod;
	m->vfs[VF_STRANDED] = stranded;
	pthread_mutex_unlock(&m->lock);
}

/* Sets the gauge @name of @list (added if new, up to @max) to @v. Returns 0 or -errno. */
static int gauge_set(struct vft_metrics *m, struct named_gauge *list, size_t *n, size_t max,
		     const char *name, uint64_t v)
{
	int i;

	if (!name || !*name)
		return -EINVAL;
	pthread_mutex_lock(&m->lock);
	i = gauge_add(list, n, max, name);
	if (i >= 0)
		list[i].v = v;
	pthread_mutex_unlock(&m->lock);
	return i < 0 ? i : 0;
}

int vft_metrics__hook(struct vft_metrics *m, const char *name, bool attached)
{
	return gauge_set(m, m->hooks, &m->n_hooks, VFT_METRICS_MAX_HOOKS, name, attached);
}

void vft_metrics__state(struct vft_metrics *m, uint64_t vfs, uint64_t netns, uint64_t vfs_forgotten,
			uint64_t netns_forgotten)
{
	pthread_mutex_lock(&m->lock);
	m->state[0] = netns;
	m->state[1] = vfs;
	m->forgotten[0] = netns_forgotten;
	m->forgotten[1] = vfs_forgotten;
	pthread_mutex_unlock(&m->lock);
}

void vft_metrics__capture_bytes(struct vft_metrics *m, uint64_t bytes)
{
	pthread_mutex_lock(&m->lock);
	m->capture_bytes += bytes;
	pthread_mutex_unlock(&m->lock);
}

void vft_metrics__check(struct vft_metrics *m, uint64_t wall_ns, uint32_t ready, uint32_t not_ready)
{
	pthread_mutex_lock(&m->lock);
	m->check_ns = wall_ns;
	m->ready = ready;
	m->not_ready = not_ready;
	pthread_mutex_unlock(&m->lock);
}

int vft_metrics__build_info(struct vft_metrics *m, const char *version, const char *kernel)
{
	char *v = version ? strdup(version) : NULL;
	char *k = kernel ? strdup(kernel) : NULL;
	int err = -ENOMEM;

	if ((version && !v) || (kernel && !k))
		goto out;
	pthread_mutex_lock(&m->lock);
	if (v) {
		free(m->version);
		m->version = v;
		v = NULL;
	}
	if (k) {
		free(m->kernel);
		m->kernel = k;
		k = NULL;
	}
	pthread_mutex_unlock(&m->lock);
	err = 0;
out:
	free(v);
	free(k);
	return err;
}

int vft_metrics__bpf_map(struct vft_metrics *m, const char *name, uint64_t bytes)
{
	return gauge_set(m, m->maps, &m->n_maps, VFT_METRICS_MAX_MAPS, name, bytes);
}

int vft_metrics__bpf_map_cb(void *m, const char *name, uint64_t bytes)
{
	return vft_metrics__bpf_map(m, name, bytes);
}

/* ---- the exposition format ---- */

/* The HELP texts are constants without a backslash or a newline: written as they are. */
static void family(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A label value: \ " and newline escaped, other bytes outside printable ASCII as '?'. */
static void label_value(FILE *f, const char *s)
{
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p; p++) {
		if (*p == '\\')
			fputs("\\\\", f);
		else if (*p == '"')
			fputs("\\\"", f);
		else if (*p == '\n')
			fputs("\\n", f);
		else if (*p < 0x20 || *p >= 0x7f)
			fputc('?', f);
		else
			fputc(*p, f);
	}
}

/* name{label="value"} v, or name v without a label. */
static void sample(FILE *f, const char *name, const char *label, const char *value, uint64_t v)
{
	fputs(name, f);
	if (label) {
		fprintf(f, "{%s=\"", label);
		label_value(f, value);
		fputs("\"}", f);
	}
	fprintf(f, " %" PRIu64 "\n", v);
}

/* name s.mmm, from milliseconds. */
static void sample_ms(FILE *f, const char *name, uint64_t ms)
{
	fprintf(f, "%s %" PRIu64 ".%03u\n", name, ms / 1000, (unsigned int)(ms % 1000));
}

/* A process_* family, once its value was read. */
static void proc_family(FILE *f, const struct vft_metrics *m, enum proc_value v, const char *name,
			const char *type, const char *help)
{
	if (!m->have_proc[v])
		return;
	family(f, name, type, help);
	if (v == P_CPU || v == P_START)
		sample_ms(f, name, m->proc[v]);
	else
		sample(f, name, NULL, NULL, m->proc[v]);
}

/* Every family, sorted by name. Called with the lock held. */
static void render_locked(const struct vft_metrics *m, FILE *f)
{
	uint32_t c, k;
	size_t i;

	/* the process collector of the Prometheus client libraries: names, types and help */
	proc_family(f, m, P_CPU, "process_cpu_seconds_total", "counter",
		    "Total user and system CPU time spent in seconds.");
	proc_family(f, m, P_MAX_FDS, "process_max_fds", "gauge",
		    "Maximum number of open file descriptors.");
	proc_family(f, m, P_OPEN_FDS, "process_open_fds", "gauge",
		    "Number of open file descriptors.");
	proc_family(f, m, P_RSS, "process_resident_memory_bytes", "gauge",
		    "Resident memory size in bytes.");
	proc_family(f, m, P_START, "process_start_time_seconds", "gauge",
		    "Start time of the process since unix epoch in seconds.");
	proc_family(f, m, P_VSIZE, "process_virtual_memory_bytes", "gauge",
		    "Virtual memory size in bytes.");

	if (m->n_maps) {
		family(f, "vftrace_bpf_map_bytes", "gauge",
		       "Kernel memory charged to a BPF map of this process (fdinfo memlock), by map.");
		for (i = 0; i < m->n_maps; i++)
			sample(f, "vftrace_bpf_map_bytes", "map", m->maps[i].name, m->maps[i].v);
	}

	family(f, "vftrace_build_info", "gauge",
	       "The vftrace version and the kernel it runs on, as labels; always 1.");
	fputs("vftrace_build_info{kernel=\"", f);
	label_value(f, m->kernel);
	fputs("\",version=\"", f);
	label_value(f, m->version);
	fputs("\"} 1\n", f);

	family(f, "vftrace_capture_bytes_total", "counter", "Bytes written to capture files.");
	sample(f, "vftrace_capture_bytes_total", NULL, NULL, m->capture_bytes);

	family(f, "vftrace_check_last_timestamp_seconds", "gauge",
	       "Unix time at which the last readiness check ended; 0 before the first.");
	sample_ms(f, "vftrace_check_last_timestamp_seconds", m->check_ns / 1000000ULL);

	family(f, "vftrace_events_lost_total", "counter",
	       "Events dropped before user space saw them (ring buffer full).");
	sample(f, "vftrace_events_lost_total", NULL, NULL, m->lost);

	family(f, "vftrace_events_total", "counter", "Events seen, by kind.");
	for (i = 0; i < m->n_kinds; i++) {
		k = m->kinds[i];
		sample(f, "vftrace_events_total", "kind", vft_kind__name(k), m->events[k]);
	}

	family(f, "vftrace_findings_open", "gauge", "Findings raised and not resolved, by code.");
	for (i = 0; i < m->n_codes; i++) {
		c = m->codes[i];
		sample(f, "vftrace_findings_open", "code", vft_finding__name(c),
		       m->raised[c] > m->resolved[c] ? m->raised[c] - m->resolved[c] : 0);
	}

	family(f, "vftrace_findings_raised_total", "counter", "Findings raised, by code.");
	for (i = 0; i < m->n_codes; i++) {
		c = m->codes[i];
		sample(f, "vftrace_findings_raised_total", "code", vft_finding__name(c),
		       m->raised[c]);
	}

	family(f, "vftrace_findings_resolved_total", "counter", "Findings resolved, by code.");
	for (i = 0; i < m->n_codes; i++) {
		c = m->codes[i];
		sample(f, "vftrace_findings_resolved_total", "code", vft_finding__name(c),
		       m->resolved[c]);
	}

	family(f, "vftrace_hook_attached", "gauge",
	       "Whether a kernel hook is attached (1) or unavailable (0), by hook.");
	for (i = 0; i < m->n_hooks; i++)
		sample(f, "vftrace_hook_attached", "hook", m->hooks[i].name, m->hooks[i].v);

	family(f, "vftrace_state_forgotten_total", "counter",
	       "Records the daemon dropped (--retain): VFs gone, netns nothing is in.");
	sample(f, "vftrace_state_forgotten_total", "kind", "netns", m->forgotten[0]);
	sample(f, "vftrace_state_forgotten_total", "kind", "vf", m->forgotten[1]);

	family(f, "vftrace_state_records", "gauge",
	       "Records the daemon holds in memory: a VF or device each, a netns each.");
	sample(f, "vftrace_state_records", "kind", "netns", m->state[0]);
	sample(f, "vftrace_state_records", "kind", "vf", m->state[1]);

	family(f, "vftrace_vfs", "gauge",
	       "VFs by state: on the host, in a pod, stranded on the host after their pod.");
	for (i = 0; i < VF_STATES; i++)
		sample(f, "vftrace_vfs", "state", vf_state_names[i], m->vfs[i]);

	family(f, "vftrace_vfs_ready", "gauge", "VFs RDMA-ready or not at the last check.");
	sample(f, "vftrace_vfs_ready", "ready", "false", m->not_ready);
	sample(f, "vftrace_vfs_ready", "ready", "true", m->ready);
}

int vft_metrics__render(struct vft_metrics *m, char **buf, size_t *len)
{
	char *text = NULL;
	size_t size = 0;
	FILE *f;
	int err = 0;

	*buf = NULL;
	*len = 0;
	f = open_memstream(&text, &size);
	if (!f)
		return -ENOMEM;
	pthread_mutex_lock(&m->lock);
	render_locked(m, f);
	pthread_mutex_unlock(&m->lock);
	if (ferror(f))
		err = -ENOMEM;
	if (fclose(f))
		err = -ENOMEM;
	if (err) {
		free(text);
		return err;
	}
	*buf = text;
	*len = size;
	return 0;
}
