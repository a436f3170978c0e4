// SPDX-License-Identifier: GPL-2.0-only
/*
 * sink_trace.c - the picture sink: keeps, per VF, its netns stays (from the
 * events: where its record says it is), its kept steps (from its timeline
 * at the end), the calls that acted on it and its findings; at the summary
 * it hands what it kept to the writers (trace_json.c, report_html.c).
 *
 * Times are kept in ns since the epoch; the writers make them relative to
 * the stream's first event.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <json-c/json.h>
#include "model/cni.h"
#include "sinks/sink_trace.h"
#include "sinks/trace_internal.h"
#include "lib/util.h"

struct vft_trace_sink {
	struct vft_sink base; /* first: the ops get it back from &base */
	struct vft_trace_sink_opts o;
	struct tr_model m;
};

static struct vft_trace_sink *of(struct vft_sink *s)
{
	return (struct vft_trace_sink *)s;
}

/* ---- the model ---- */

static uint32_t key_hash(const char *key)
{
	uint32_t h = 2166136261u;

	while (*key)
		h = (h ^ (unsigned char)*key++) * 16777619u;
	return h;
}

struct tr_vf *tr_model__find(const struct tr_model *m, const char *key)
{
	size_t mask = m->index_cap - 1, i;

	if (!m->index_cap)
		return NULL;
	for (i = key_hash(key) & mask; m->index[i]; i = (i + 1) & mask)
		if (!strcmp(m->vfs[m->index[i] - 1]->key, key))
			return m->vfs[m->index[i] - 1];
	return NULL;
}

/* Rebuilds the index at twice its size. 0 or -ENOMEM. */
static int grow_index(struct tr_model *m)
{
	size_t cap = m->index_cap ? m->index_cap * 2 : 64, i, j;
	uint32_t *index = calloc(cap, sizeof(*index));

	if (!index)
		return -ENOMEM;
	for (i = 0; i < m->n_vfs; i++) {
		for (j = key_hash(m->vfs[i]->key) & (cap - 1); index[j]; j = (j + 1) & (cap - 1))
			;
		index[j] = i + 1;
	}
	free(m->index);
	m->index = index;
	m->index_cap = cap;
	return 0;
}

/* The track of @key, made when there is none. NULL when out of memory. */
static struct tr_vf *get_vf(struct tr_model *m, const char *key)
{
	struct tr_vf *v = tr_model__find(m, key), **vfs;
	size_t i;

	if (v)
		return v;
	if ((m->n_vfs + 1) * 2 > m->index_cap && grow_index(m))
		return NULL;
	if (m->n_vfs == m->cap_vfs) {
		size_t cap = m->cap_vfs ? m->cap_vfs * 2 : 16;

		vfs = realloc(m->vfs, cap * sizeof(*vfs));
		if (!vfs)
			return NULL;
		m->vfs = vfs;
		m->cap_vfs = cap;
	}
	v = calloc(1, sizeof(*v));
	if (!v)
		return NULL;
	vft_copy_name(v->key, key, sizeof(v->key));
	v->vf_index = -1;
	m->vfs[m->n_vfs++] = v;
	for (i = key_hash(key) & (m->index_cap - 1); m->index[i]; i = (i + 1) & (m->index_cap - 1))
		;
	m->index[i] = m->n_vfs;
	return v;
}

/* What the record says of the VF: names, PF, driver. */
static void take_ref(struct tr_vf *v, const struct vft_vf *vf)
{
	if (vf->ref.pci[0])
		vft_copy_name(v->pci, vf->ref.pci, sizeof(v->pci));
	if (!v->host_name[0] && vf->n_names)
		vft_copy_name(v->host_name, vf->names[0], sizeof(v->host_name));
	if (vf->pf[0]) {
		vft_copy_name(v->pf, vf->pf, sizeof(v->pf));
		v->vf_index = vf->vf_index;
	}
	if (vf->driver[0])
		vft_copy_name(v->driver, vf->driver, sizeof(v->driver));
	if (vf->ref.ibdev[0])
		vft_copy_name(v->ibdev, vf->ref.ibdev, sizeof(v->ibdev));
}

static bool is_away(const struct tr_model *m, const struct tr_vf *v, const struct vft_vf_ref *ref)
{
	if (!ref->netns)
		return false;
	if (m->host_netns)
		return ref->netns != m->host_netns;
	/* the stream never said which netns is the host's: a pod's, a named one, or a move */
	return ref->pod_uid[0] || ref->netns_name[0] || ref->netns != v->first_netns;
}

/* Opens and closes @v's stays by where its record now is. 0 or -ENOMEM. */
static int track_netns(struct tr_model *m, struct tr_vf *v, const struct vft_vf_ref *ref,
		       uint64_t ts)
{
	struct tr_stay *st = v->n_stays ? &v->stays[v->n_stays - 1] : NULL, *stays;

	if (st && !st->open)
		st = NULL;
	if (!v->first_netns)
		v->first_netns = ref->netns;
	if (ref->netns == v->netns) {
		/* a netns_info can name the pod after the move */
		if (st && ref->pod_uid[0])
			vft_copy_name(st->pod_uid, ref->pod_uid, sizeof(st->pod_uid));
		if (st && ref->netns_name[0])
			vft_copy_name(st->netns_name, ref->netns_name, sizeof(st->netns_name));
		return 0;
	}
	if (st) {
		st->end_ns = ts;
		st->open = false;
	}
	v->netns = ref->netns;
	if (!is_away(m, v, ref))
		return 0;
	if (v->n_stays == TR_MAX_STAYS) {
		v->stays_dropped++;
		return 0;
	}
	if (!(v->n_stays & (v->n_stays - 1))) {
		stays = realloc(v->stays, (v->n_stays ? v->n_stays * 2 : 1) * sizeof(*stays));
		if (!stays)
			return -ENOMEM;
		v->stays = stays;
	}
	st = &v->stays[v->n_stays++];
	memset(st, 0, sizeof(*st));
	st->start_ns = ts;
	st->open = true;
	st->netns = ref->netns;
	vft_copy_name(st->pod_uid, ref->pod_uid, sizeof(st->pod_uid));
	vft_copy_name(st->netns_name, ref->netns_name, sizeof(st->netns_name));
	return 0;
}

static void seen_at(struct tr_model *m, uint64_t ts)
{
	if (!ts)
		return;
	if (!m->first_ns || ts < m->first_ns)
		m->first_ns = ts;
	if (ts > m->last_ns)
		m->last_ns = ts;
}

static int add_call(struct tr_model *m, const char *key, const char *name, const char *detail,
		    uint32_t pid, uint64_t start_ns, uint64_t end_ns)
{
	struct tr_vf *v = get_vf(m, key);
	struct tr_call *c;

	if (!v)
		return -ENOMEM;
	if (v->n_calls == TR_MAX_CALLS) {
		v->calls_dropped++;
		return 0;
	}
	if (!(v->n_calls & (v->n_calls - 1))) {
		c = realloc(v->calls, (v->n_calls ? v->n_calls * 2 : 1) * sizeof(*c));
		if (!c)
			return -ENOMEM;
		v->calls = c;
	}
	c = &v->calls[v->n_calls++];
	memset(c, 0, sizeof(*c));
	c->start_ns = start_ns;
	c->end_ns = end_ns > start_ns ? end_ns : start_ns;
	c->pid = pid;
	vft_copy_name(c->name, name, sizeof(c->name));
	vft_copy_name(c->detail, detail ?: "", sizeof(c->detail));
	seen_at(m, start_ns);
	seen_at(m, end_ns);
	return 0;
}

/* A CNI plugin run: kept until the end, when the VFs whose steps it made are known. */
static int add_run(struct tr_model *m, const struct vft_event *ev)
{
	struct tr_run *r;

	if (m->n_runs == TR_MAX_RUNS) {
		m->runs_dropped++;
		return 0;
	}
	if (!(m->n_runs & (m->n_runs - 1))) {
		r = realloc(m->runs, (m->n_runs ? m->n_runs * 2 : 1) * sizeof(*r));
		if (!r)
			return -ENOMEM;
		m->runs = r;
	}
	r = &m->runs[m->n_runs++];
	memset(r, 0, sizeof(*r));
	r->end_ns = ev->ts_ns;
	r->start_ns = ev->ts_ns > ev->cni_duration_ns ? ev->ts_ns - ev->cni_duration_ns : ev->ts_ns;
	r->pid = ev->actor.pid;
	r->netns = ev->netns;
	r->add_ok = !strcmp(ev->cni_command, "ADD") && !ev->cni_status;
	snprintf(r->name, sizeof(r->name), "CNI %s %s", ev->cni_command, vft_cni_plugin(ev));
	vft_event__describe(ev, VFT_DESCRIBE_STEP, r->detail, sizeof(r->detail));
	if (ev->pod_name[0])
		vft_pod_label(r->pod, sizeof(r->pod), ev->pod_ns, ev->pod_name, NULL);
	seen_at(m, r->start_ns);
	return 0;
}

/* Run indices ordered by a key of the run (pid, or netns), for binary search; @runs: the runs. */
static int by_pid(const void *a, const void *b, void *runs)
{
	const struct tr_run *x = (const struct tr_run *)runs + *(const uint32_t *)a;
	const struct tr_run *y = (const struct tr_run *)runs + *(const uint32_t *)b;

	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

static int by_netns(const void *a, const void *b, void *runs)
{
	const struct tr_run *x = (const struct tr_run *)runs + *(const uint32_t *)a;
	const struct tr_run *y = (const struct tr_run *)runs + *(const uint32_t *)b;

	return x->netns < y->netns ? -1 : x->netns > y->netns;
}

static int by_index(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* The first position in @idx (@n, sorted by pid or netns) whose run's key is at least @key. */
static size_t lower_bound(const uint32_t *idx, size_t n, const struct tr_run *runs, bool pid,
			  uint32_t key)
{
	size_t lo = 0, hi = n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if ((pid ? runs[idx[mid]].pid : runs[idx[mid]].netns) < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* @v's calls: every run that made one of its steps (its pid, while it ran), in run order. */
static int match_steps(struct tr_model *m, struct tr_vf *v, const uint32_t *by_p, uint32_t *hit)
{
	size_t k, j, n = 0;
	int err = 0;

	for (k = 0; k < v->n_steps; k++) {
		const struct vft_step *st = &v->steps[k];

		if (!st->pid)
			continue;
		for (j = lower_bound(by_p, m->n_runs, m->runs, true, st->pid);
		     j < m->n_runs && m->runs[by_p[j]].pid == st->pid; j++)
			if (st->ts_ns >= m->runs[by_p[j]].start_ns &&
			    st->ts_ns <= m->runs[by_p[j]].end_ns)
				hit[n++] = by_p[j];
	}
	qsort(hit, n, sizeof(*hit), by_index);
	for (k = 0; k < n && !err; k++) {
		const struct tr_run *r = &m->runs[hit[k]];

		if (k && hit[k] == hit[k - 1])
			continue;
		err = add_call(m, v->key, r->name, r->detail, r->pid, r->start_ns, r->end_ns);
	}
	return err;
}

/* The pod of @v's stays that a successful ADD into their netns named, while they lasted. */
static void name_stays(const struct tr_model *m, struct tr_vf *v, const uint32_t *by_n, size_t n)
{
	size_t k, j;

	for (k = 0; k < v->n_stays; k++) {
		struct tr_stay *st = &v->stays[k];

		for (j = lower_bound(by_n, n, m->runs, false, st->netns);
		     !st->pod[0] && j < n && m->runs[by_n[j]].netns == st->netns; j++) {
			const struct tr_run *r = &m->runs[by_n[j]];

			if (r->end_ns >= st->start_ns && (st->open || r->start_ns <= st->end_ns))
				vft_copy_name(st->pod, r->pod, sizeof(st->pod));
		}
	}
}

/*
 * At the end: each run becomes a call of every VF it made a step of (its
 * pid, while it ran), and an ADD names the pod of the stays in its netns.
 * Runs are looked up by pid and by netns: a capture of 10,000 VFs and
 * thousands of runs takes a sort and a search per step, not a scan.
 */
static int match_runs(struct tr_model *m)
{
	size_t i, j, n_named = 0, max_steps = 0;
	uint32_t *by_p = NULL, *by_n = NULL, *hit = NULL;
	int err = -ENOMEM;

	if (!m->n_runs)
		return 0;
	for (j = 0; j < m->n_vfs; j++)
		if (m->vfs[j]->n_steps > max_steps)
			max_steps = m->vfs[j]->n_steps;
	by_p = calloc(m->n_runs, sizeof(*by_p));
	by_n = calloc(m->n_runs, sizeof(*by_n));
	/* a step is within at most every run of its pid */
	hit = calloc(max_steps * m->n_runs + 1, sizeof(*hit));
	if (!by_p || !by_n || !hit)
		goto out;
	for (i = 0; i < m->n_runs; i++) {
		by_p[i] = (uint32_t)i;
		if (m->runs[i].add_ok && m->runs[i].pod[0])
			by_n[n_named++] = (uint32_t)i;
	}
	qsort_r(by_p, m->n_runs, sizeof(*by_p), by_pid, m->runs);
	qsort_r(by_n, n_named, sizeof(*by_n), by_netns, m->runs);
	err = 0;
	for (j = 0; j < m->n_vfs && !err; j++) {
		err = match_steps(m, m->vfs[j], by_p, hit);
		if (!err)
			name_stays(m, m->vfs[j], by_n, n_named);
	}
out:
	free(by_p);
	free(by_n);
	free(hit);
	return err;
}

static void free_model(struct tr_model *m)
{
	size_t i;

	free(m->runs);
	for (i = 0; i < m->n_vfs; i++) {
		free(m->vfs[i]->stays);
		free(m->vfs[i]->calls);
		free(m->vfs[i]->steps);
		free(m->vfs[i]);
	}
	for (i = 0; i < m->n_files; i++)
		free((char *)m->files[i]);
	free(m->vfs);
	free(m->index);
	free(m->findings);
}

/* ---- what the writers share ---- */

void tr_stay__label(const struct tr_stay *st, char *buf, size_t size)
{
	if (st->pod[0])
		snprintf(buf, size, "pod %s", st->pod);
	else if (st->pod_uid[0])
		snprintf(buf, size, "pod %s", st->pod_uid);
	else if (st->netns_name[0])
		snprintf(buf, size, "netns %s", st->netns_name);
	else
		snprintf(buf, size, "netns %u", st->netns);
}

void tr_vf__label(const struct tr_vf *v, char *buf, size_t size)
{
	if (v->host_name[0] && strcmp(v->host_name, v->key))
		snprintf(buf, size, "%s %s", v->key, v->host_name);
	else
		snprintf(buf, size, "%s", v->key);
}

void tr_fmt_us(const struct tr_model *m, uint64_t ns, char *buf, size_t size)
{
	uint64_t d = ns >= m->first_ns ? ns - m->first_ns : m->first_ns - ns;

	snprintf(buf, size, "%s%llu.%03llu", ns >= m->first_ns ? "" : "-",
		 (unsigned long long)(d / 1000), (unsigned long long)(d % 1000));
}

struct json_object *tr_str(const char *s)
{
	char clean[512];

	vft_utf8_sanitize(clean, s ?: "", sizeof(clean));
	return json_object_new_string(clean);
}

/* ---- the sink's operations ---- */

/* A live run: this node, this kernel. */
static int trace_ready(struct vft_sink *s, const struct vft_ready *r)
{
	struct tr_model *m = &of(s)->m;

	if (gethostname(m->hostname, sizeof(m->hostname) - 1))
		m->hostname[0] = '\0';
	vft_copy_name(m->kernel, r->kernel ?: "", sizeof(m->kernel));
	vft_copy_name(m->version, r->version ?: "", sizeof(m->version));
	return 0;
}

static int trace_coverage(struct vft_sink *s, const struct vft_ready *r)
{
	return 0;
}

static int trace_lost(struct vft_sink *s, uint64_t delta, uint64_t total, uint64_t wall_ns)
{
	return 0;
}

static int trace_capture(struct vft_sink *s, const char *path, const struct vft_capture_header *h)
{
	struct tr_model *m = &of(s)->m;
	char *copy;

	vft_copy_name(m->hostname, h->hostname, sizeof(m->hostname));
	vft_copy_name(m->kernel, h->kernel, sizeof(m->kernel));
	vft_copy_name(m->version, h->version, sizeof(m->version));
	if (m->n_files == TR_MAX_FILES)
		return 0;
	copy = strdup(path);
	if (!copy)
		return -ENOMEM;
	m->files[m->n_files++] = copy;
	return 0;
}

static int trace_event(struct vft_sink *s, const struct vft_event *ev, const struct vft_vf *vf)
{
	struct tr_model *m = &of(s)->m;
	struct tr_vf *v;

	seen_at(m, ev->ts_ns);
	if (ev->kind == VFT_EV_NETNS_INFO && ev->netns_host)
		m->host_netns = ev->netns;
	if (ev->kind == VFT_EV_CNI)
		return add_run(m, ev);
	if (!vf)
		return 0;
	v = get_vf(m, vf->ref.key);
	if (!v)
		return -ENOMEM;
	take_ref(v, vf);
	return track_netns(m, v, &vf->ref, ev->ts_ns);
}

static int trace_finding(struct vft_sink *s, const struct vft_finding *f)
{
	struct tr_model *m = &of(s)->m;
	struct vft_finding *fs;
	struct tr_vf *v;

	seen_at(m, f->ts_ns);
	v = get_vf(m, f->vf.key);
	if (!v)
		return -ENOMEM;
	v->shown = true;
	v->n_findings++;
	if (f->vf.pci[0] && !v->pci[0])
		vft_copy_name(v->pci, f->vf.pci, sizeof(v->pci));
	if (m->n_findings == TR_MAX_FINDINGS) {
		m->findings_dropped++;
		return 0;
	}
	if (m->n_findings == m->cap_findings) {
		size_t cap = m->cap_findings ? m->cap_findings * 2 : 16;

		fs = realloc(m->findings, cap * sizeof(*fs));
		if (!fs)
			return -ENOMEM;
		m->findings = fs;
		m->cap_findings = cap;
	}
	m->findings[m->n_findings++] = *f;
	return 0;
}

static int trace_resolved(struct vft_sink *s, const struct vft_finding *f)
{
	struct tr_model *m = &of(s)->m;
	size_t lo = 0, hi = m->n_findings;

	seen_at(m, f->resolved_ns);
	/* ids grow in the order raised */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (m->findings[mid].id < f->id)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < m->n_findings && m->findings[lo].id == f->id) {
		m->findings[lo].resolved = true;
		m->findings[lo].resolved_ns = f->resolved_ns;
		vft_copy_name(m->findings[lo].resolved_by, f->resolved_by,
			      sizeof(m->findings[lo].resolved_by));
	}
	return 0;
}

static int trace_timeline(struct vft_sink *s, const struct vft_vf *vf)
{
	struct tr_model *m = &of(s)->m;
	struct tr_vf *v = get_vf(m, vf->ref.key);

	if (!v)
		return -ENOMEM;
	take_ref(v, vf);
	v->shown = true;
	v->steps_dropped = vf->steps_dropped;
	if (!vf->steps || !vf->n_steps || v->steps)
		return 0;
	v->steps = malloc(vf->n_steps * sizeof(*v->steps));
	if (!v->steps)
		return -ENOMEM;
	memcpy(v->steps, vf->steps, vf->n_steps * sizeof(*v->steps));
	v->n_steps = vf->n_steps;
	return 0;
}

static int write_out(FILE *out, int (*writer)(const struct tr_model *, FILE *),
		     const struct tr_model *m)
{
	int err;

	if (!out)
		return 0;
	errno = 0;
	err = writer(m, out);
	if (!err && (fflush(out) == EOF || ferror(out)))
		err = errno ? -errno : -EIO;
	return err;
}

static int trace_summary(struct vft_sink *s, const struct vft_summary *sum)
{
	struct vft_trace_sink *t = of(s);
	struct tr_model *m = &t->m;
	uint32_t track = 0;
	size_t i, j;
	int err;

	m->summary = *sum;
	m->has_summary = true;
	err = match_runs(m);
	if (err)
		return err;
	for (i = 0; i < m->n_vfs; i++) {
		struct tr_vf *v = m->vfs[i];

		for (j = 0; j < v->n_stays; j++) {
			if (v->stays[j].open) {
				v->stays[j].end_ns = m->last_ns;
				v->stays[j].open = false;
			}
		}
		if (v->shown || v->n_calls)
			v->track = ++track;
	}
	err = write_out(t->o.trace_json, tr_write_trace_json, m);
	if (!err)
		err = write_out(t->o.html, tr_write_html, m);
	return err;
}

static const struct vft_sink_ops trace_ops = {
	.ready = trace_ready,
	.coverage = trace_coverage,
	.event = trace_event,
	.finding = trace_finding,
	.resolved = trace_resolved,
	.timeline = trace_timeline,
	.capture = trace_capture,
	.lost = trace_lost,
	.summary = trace_summary,
};

struct vft_trace_sink *vft_trace_sink__new(const struct vft_trace_sink_opts *o)
{
	struct vft_trace_sink *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->base.ops = &trace_ops;
	t->o = *o;
	return t;
}

struct vft_sink *vft_trace_sink__sink(struct vft_trace_sink *t)
{
	return &t->base;
}

int vft_trace_sink__add_call(struct vft_trace_sink *t, const char *vf_key, const char *name,
			     const char *detail, uint32_t pid, uint64_t start_ns, uint64_t end_ns)
{
	return add_call(&t->m, vf_key, name, detail, pid, start_ns, end_ns);
}

void vft_trace_sink__free(struct vft_trace_sink *t)
{
	if (!t)
		return;
	free_model(&t->m);
	free(t);
}
