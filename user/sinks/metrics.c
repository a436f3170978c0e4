// SPDX-License-Identifier: GPL-2.0-only
/*
 * metrics.c - the Prometheus registry, its text rendering (exposition format
 * 0.0.4), the HTTP endpoint and the atomic textfile. See metrics.h for the
 * families and their labels.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <dirent.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <microhttpd.h>
#include "correlate/correlate.h"
#include "model/event.h"
#include "sources/hooks.h"
#include "sinks/metrics.h"
#include "lib/util.h"

#ifndef VFTRACE_VERSION
#define VFTRACE_VERSION "unknown"
#endif

#define LISTEN_BACKLOG 16
#define HTTP_MAX_CONNECTIONS 16u
#define HTTP_TIMEOUT_S 10u

enum vf_state {
	VF_HOST,
	VF_POD,
	VF_STRANDED,
	VF_STATES,
};

/* In label-value order. */
static const char *const vf_state_names[VF_STATES] = {
	[VF_HOST] = "host",
	[VF_POD] = "pod",
	[VF_STRANDED] = "stranded",
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

struct vft_metrics_server {
	struct MHD_Daemon *daemon;
	struct vft_metrics *m;
	struct sockaddr_storage addr; /* as bound: the port chosen for port 0 */
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

/* A decimal number and the rest of @s in @end. 0 or -EINVAL (none, or out of range). */
static int parse_u64(const char *s, char **end, uint64_t *out)
{
	unsigned long long v;

	while (*s == ' ' || *s == '\t')
		s++;
	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, end, 10);
	if (errno)
		return -EINVAL;
	*out = v;
	return 0;
}

/*
 * The first line of <root><path> that starts with @key: the rest of it in
 * @buf (truncated to @size), or the first line with an empty @key. Returns
 * 0, -ENODATA when no line starts with @key, or the -errno of the open.
 */
static int find_line(const char *root, const char *path, const char *key, char *buf, size_t size)
{
	size_t klen = strlen(key), cap = 0;
	char full[4096], *line = NULL;
	FILE *f = NULL;
	ssize_t n;
	int err;

	err = vft_path(full, sizeof(full), root, path);
	if (err)
		goto out;
	f = fopen(full, "re");
	if (!f) {
		err = -errno;
		goto out;
	}
	err = -ENODATA;
	/* getline(): /proc/stat's intr line is long on a large machine */
	while ((n = getline(&line, &cap, f)) >= 0) {
		if (strncmp(line, key, klen))
			continue;
		if (n && line[n - 1] == '\n')
			line[n - 1] = '\0';
		snprintf(buf, size, "%s", line + klen);
		err = 0;
		break;
	}
out:
	if (f)
		fclose(f);
	free(line);
	return err;
}

/* "VmRSS:\t   12345 kB" of <root>/proc/self/status, in bytes. */
static int read_status_kb(const char *root, const char *key, uint64_t *out)
{
	char buf[64], *end;
	uint64_t kb;
	int err;

	err = find_line(root, "/proc/self/status", key, buf, sizeof(buf));
	if (err)
		return err;
	if (parse_u64(buf, &end, &kb) || strcmp(end, " kB") || kb > UINT64_MAX / 1024)
		return -EINVAL;
	*out = kb * 1024;
	return 0;
}

/*
 * From <root>/proc/self/stat: utime + stime and starttime, in clock ticks.
 * The fields are counted after the last ')', as the command name may hold
 * blanks and parentheses; those before starttime may be negative (tpgid,
 * priority, nice), so only the three are parsed.
 */
static int read_stat(const char *root, uint64_t *cpu_ticks, uint64_t *start_ticks)
{
	enum { UTIME = 14, STIME = 15, STARTTIME = 22 }; /* fields of proc(5), from 1 */
	uint64_t utime = 0, stime = 0, start = 0, *want;
	char buf[1024], *p, *end;
	int err, field;

	err = find_line(root, "/proc/self/stat", "", buf, sizeof(buf));
	if (err)
		return err;
	p = strrchr(buf, ')');
	if (!p)
		return -EINVAL;
	/* at the blank before field 3, the state */
	for (field = 3, p++; field <= STARTTIME; field++) {
		if (*p != ' ' || !p[1] || p[1] == ' ')
			return -EINVAL;
		p++;
		want = field == UTIME	  ? &utime :
		       field == STIME	  ? &stime :
		       field == STARTTIME ? &start :
					    NULL;
		if (want) {
			if (parse_u64(p, &end, want))
				return -EINVAL;
			p = end;
		} else {
			p += strcspn(p, " ");
		}
	}
	*cpu_ticks = utime + stime;
	*start_ticks = start;
	return 0;
}

/* The soft limit of "Max open files" in <root>/proc/self/limits; "unlimited" is UINT64_MAX. */
static int read_max_fds(const char *root, uint64_t *out)
{
	char buf[128], *p, *end;
	int err;

	err = find_line(root, "/proc/self/limits", "Max open files", buf, sizeof(buf));
	if (err)
		return err;
	for (p = buf; *p == ' '; p++)
		;
	if (!strncmp(p, "unlimited", 9) && (p[9] == ' ' || !p[9])) {
		*out = UINT64_MAX;
		return 0;
	}
	if (parse_u64(p, &end, out) || (*end != ' ' && *end))
		return -EINVAL;
	return 0;
}

/* Entries of <root>/proc/self/fd; for the live one, the directory's own fd too. */
static int count_fds(const char *root, uint64_t *out)
{
	char path[4096];
	struct dirent *e;
	uint64_t n = 0;
	DIR *d;
	int err;

	err = vft_path(path, sizeof(path), root, "/proc/self/fd");
	if (err)
		return err;
	d = opendir(path);
	if (!d)
		return -errno;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(d);
	*out = n;
	return 0;
}

/* Keeps the first error in @err; true when @ret is 0. */
static bool ok(int ret, int *err)
{
	if (ret && !*err)
		*err = ret;
	return !ret;
}

int vft_metrics__process(struct vft_metrics *m, const char *root)
{
	uint64_t vals[P_VALUES] = { 0 }, cpu = 0, start = 0, btime = 0;
	bool have[P_VALUES] = { false }, have_stat, have_btime;
	long tck = sysconf(_SC_CLK_TCK);
	char buf[64], *end;
	int err = 0, ret, i;

	if (tck <= 0)
		tck = 100;
	/* Read without the lock: a scrape meanwhile sees the values of the last call. */
	have_stat = ok(read_stat(root, &cpu, &start), &err);
	if (have_stat) {
		vals[P_CPU] = cpu * 1000 / tck;
		have[P_CPU] = true;
	}
	have[P_RSS] = ok(read_status_kb(root, "VmRSS:", &vals[P_RSS]), &err);
	have[P_VSIZE] = ok(read_status_kb(root, "VmSize:", &vals[P_VSIZE]), &err);
	have[P_OPEN_FDS] = ok(count_fds(root, &vals[P_OPEN_FDS]), &err);
	have[P_MAX_FDS] = ok(read_max_fds(root, &vals[P_MAX_FDS]), &err);
	ret = find_line(root, "/proc/stat", "btime ", buf, sizeof(buf));
	if (!ret && (parse_u64(buf, &end, &btime) || *end))
		ret = -EINVAL;
	have_btime = ok(ret, &err);
	if (have_stat && have_btime) {
		vals[P_START] = btime * 1000 + start * 1000 / tck;
		have[P_START] = true;
	}

	pthread_mutex_lock(&m->lock);
	for (i = 0; i < P_VALUES; i++) {
		if (!have[i])
			continue;
		m->proc[i] = vals[i];
		m->have_proc[i] = true;
	}
	pthread_mutex_unlock(&m->lock);
	return err;
}

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

static int open_tmp(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);

	return fd < 0 ? -errno : fd;
}

int vft_metrics__write_textfile(struct vft_metrics *m, const char *path)
{
	char tmp[4096];
	char *buf = NULL;
	bool created = false;
	size_t len = 0;
	struct stat st;
	int fd = -1, err, n;

	if (!path || !*path)
		return -EINVAL;
	n = snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid());
	if (n < 0 || (size_t)n >= sizeof(tmp))
		return -ENAMETOOLONG;
	if (!lstat(path, &st) && S_ISLNK(st.st_mode))
		return -ELOOP;
	err = vft_metrics__render(m, &buf, &len);
	if (err)
		goto out;
	fd = open_tmp(tmp);
	/* Left by an earlier process with this pid (a container's pid 1), killed mid-write. */
	if (fd == -EEXIST) {
		if (unlink(tmp)) {
			err = -errno;
			goto out;
		}
		fd = open_tmp(tmp);
	}
	if (fd < 0) {
		err = fd;
		goto out;
	}
	created = true;
	/* The umask may have taken bits away: the mode is exactly 0600. */
	if (fchmod(fd, 0600)) {
		err = -errno;
		goto out;
	}
	err = vft_write_all(fd, buf, len);
	if (err)
		goto out;
	if (fsync(fd)) {
		err = -errno;
		goto out;
	}
	err = close(fd) ? -errno : 0;
	fd = -1;
	if (err)
		goto out;
	if (rename(tmp, path)) {
		err = -errno;
		goto out;
	}
	created = false;
out:
	if (fd >= 0)
		close(fd);
	if (created)
		unlink(tmp);
	free(buf);
	return err;
}

static enum MHD_Result handle_request(void *cls, struct MHD_Connection *conn, const char *url,
				      const char *method, const char *version,
				      const char *upload_data, size_t *upload_data_size,
				      void **req_cls)
{
	static const char not_allowed[] = "method not allowed: GET /metrics\n";
	static const char not_found[] = "not found: the metrics are at /metrics\n";
	static const char failed[] = "cannot render the metrics: out of memory\n";
	struct vft_metrics_server *s = cls;
	const char *ctype = "text/plain; charset=utf-8";
	struct MHD_Response *resp = NULL;
	enum MHD_Result ret = MHD_NO;
	unsigned int status;
	char *body = NULL;
	size_t len = 0;

	if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD)) {
		status = MHD_HTTP_METHOD_NOT_ALLOWED;
		resp = MHD_create_response_from_buffer(strlen(not_allowed), (void *)not_allowed,
						       MHD_RESPMEM_PERSISTENT);
		if (resp &&
		    MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, "GET, HEAD") != MHD_YES)
			goto out;
	} else if (strcmp(url, "/metrics")) {
		status = MHD_HTTP_NOT_FOUND;
		resp = MHD_create_response_from_buffer(strlen(not_found), (void *)not_found,
						       MHD_RESPMEM_PERSISTENT);
	} else if (vft_metrics__render(s->m, &body, &len)) {
		status = MHD_HTTP_INTERNAL_SERVER_ERROR;
		resp = MHD_create_response_from_buffer(strlen(failed), (void *)failed,
						       MHD_RESPMEM_PERSISTENT);
	} else {
		status = MHD_HTTP_OK;
		ctype = VFT_METRICS_CONTENT_TYPE;
		resp = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
		if (resp)
			body = NULL; /* the response frees it */
	}
	if (!resp)
		goto out;
	if (MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, ctype) != MHD_YES)
		goto out;
	ret = MHD_queue_response(conn, status, resp);
out:
	if (resp)
		MHD_destroy_response(resp);
	free(body);
	return ret;
}

/* libmicrohttpd's own messages (a client that misbehaved, a full table): only with -v. */
static void http_log(void *cls, const char *fmt, va_list ap)
{
	char msg[256];
	size_t n;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	while (n && msg[n - 1] == '\n')
		msg[--n] = '\0';
	vft_debug("metrics: http: %s\n", msg);
}

/*
 * "ADDR:PORT", "[ADDR6]:PORT" or ":PORT" (127.0.0.1), numeric only, into
 * @ss. Returns 0 or -EINVAL.
 */
static int parse_listen(const char *s, struct sockaddr_storage *ss)
{
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	char host[INET6_ADDRSTRLEN];
	const char *port_s, *end;
	unsigned long port = 0;
	bool v6 = false;
	size_t hlen;

	if (!s)
		return -EINVAL;
	if (s[0] == '[') {
		end = strchr(s, ']');
		if (!end || end[1] != ':')
			return -EINVAL;
		v6 = true;
		s++;
		hlen = end - s;
		port_s = end + 2;
	} else {
		end = strchr(s, ':');
		if (!end || strchr(end + 1, ':'))
			return -EINVAL; /* no port, or an IPv6 address without brackets */
		hlen = end - s;
		port_s = end + 1;
	}
	if (hlen >= sizeof(host) || !*port_s || strlen(port_s) > 5)
		return -EINVAL;
	for (end = port_s; *end; end++) {
		if (*end < '0' || *end > '9')
			return -EINVAL;
		port = port * 10 + (*end - '0');
	}
	if (port > 65535)
		return -EINVAL;
	memcpy(host, s, hlen);
	host[hlen] = '\0';
	memset(ss, 0, sizeof(*ss));
	if (v6) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		return inet_pton(AF_INET6, host, &sin6->sin6_addr) == 1 ? 0 : -EINVAL;
	}
	sin->sin_family = AF_INET;
	sin->sin_port = htons(port);
	return inet_pton(AF_INET, hlen ? host : "127.0.0.1", &sin->sin_addr) == 1 ? 0 : -EINVAL;
}

/* A listening socket on @ss; the bound address (its port) back in @ss. fd or -errno. */
static int listen_on(struct sockaddr_storage *ss)
{
	socklen_t len = ss->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6) :
						    sizeof(struct sockaddr_in);
	int one = 1, fd, err;

	fd = socket(ss->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)))
		goto fail;
	/* [::]:PORT means IPv6 only: 0.0.0.0 is asked for by its own name. */
	if (ss->ss_family == AF_INET6 &&
	    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)))
		goto fail;
	if (bind(fd, (struct sockaddr *)ss, len) || listen(fd, LISTEN_BACKLOG))
		goto fail;
	len = sizeof(*ss);
	if (getsockname(fd, (struct sockaddr *)ss, &len))
		goto fail;
	return fd;
fail:
	err = -errno;
	close(fd);
	return err;
}

int vft_metrics__serve(struct vft_metrics *m, const char *addr_port,
		       struct vft_metrics_server **out)
{
	struct vft_metrics_server *s;
	struct stat before, after;
	int fd = -1, err;

	*out = NULL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->m = m;
	err = parse_listen(addr_port, &s->addr);
	if (err) {
		vft_warn("metrics: bad listen address \"%s\": want ADDRESS:PORT, [ADDRESS]:PORT or "
			 ":PORT (127.0.0.1), numeric, port 0-65535\n",
			 addr_port ? addr_port : "");
		goto fail;
	}
	fd = listen_on(&s->addr);
	if (fd < 0) {
		err = fd;
		vft_warn("metrics: cannot listen on %s: %s%s\n", addr_port, strerror(-err),
			 err == -EADDRINUSE    ? " (another process has this port)" :
			 err == -EADDRNOTAVAIL ? " (no interface has this address)" :
						 "");
		goto fail;
	}
	if (fstat(fd, &before)) {
		err = -errno;
		goto fail;
	}
	errno = 0;
	s->daemon = MHD_start_daemon(MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ERROR_LOG, 0, NULL,
				     NULL, handle_request, s, MHD_OPTION_LISTEN_SOCKET, fd,
				     MHD_OPTION_EXTERNAL_LOGGER, http_log, NULL,
				     MHD_OPTION_CONNECTION_LIMIT, HTTP_MAX_CONNECTIONS,
				     MHD_OPTION_CONNECTION_TIMEOUT, HTTP_TIMEOUT_S, MHD_OPTION_END);
	if (!s->daemon) {
		err = errno > 0 ? -errno : -EIO;
		/* libmicrohttpd closes the socket on some of its failures: close it only if not. */
		if (fstat(fd, &after) || after.st_ino != before.st_ino ||
		    after.st_dev != before.st_dev)
			fd = -1;
		vft_warn("metrics: cannot start the HTTP server on %s: %s\n", addr_port,
			 strerror(-err));
		goto fail;
	}
	*out = s;
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	free(s);
	return err;
}

uint16_t vft_metrics_server__port(const struct vft_metrics_server *s)
{
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)&s->addr;
	const struct sockaddr_in *sin = (const struct sockaddr_in *)&s->addr;

	return ntohs(s->addr.ss_family == AF_INET6 ? sin6->sin6_port : sin->sin_port);
}

void vft_metrics_server__addr(const struct vft_metrics_server *s, char *buf, size_t size)
{
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)&s->addr;
	const struct sockaddr_in *sin = (const struct sockaddr_in *)&s->addr;
	char host[INET6_ADDRSTRLEN] = "?";

	if (s->addr.ss_family == AF_INET6) {
		inet_ntop(AF_INET6, &sin6->sin6_addr, host, sizeof(host));
		snprintf(buf, size, "[%s]:%u", host, vft_metrics_server__port(s));
	} else {
		inet_ntop(AF_INET, &sin->sin_addr, host, sizeof(host));
		snprintf(buf, size, "%s:%u", host, vft_metrics_server__port(s));
	}
}

void vft_metrics_server__free(struct vft_metrics_server *s)
{
	if (!s)
		return;
	MHD_stop_daemon(s->daemon);
	free(s);
}
