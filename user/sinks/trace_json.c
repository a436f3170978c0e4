// SPDX-License-Identifier: GPL-2.0-only
/*
 * trace_json.c - what the picture sink kept, as Chrome trace-event JSON (the
 * "JSON Object Format": {"traceEvents":[...],"displayTimeUnit":"ms"}), which
 * Perfetto UI and chrome://tracing open. docs/report.md describes it.
 *
 * Each drawn VF is a process (pid 1, 2, ...) named "<key> <host netdev>",
 * with three threads: its netns stays as complete slices ("X"), its kept
 * steps and findings as thread-scoped instants ("i"), and the calls that
 * acted on it (CNI ADD, DEL) as slices with flow arrows ("s" -> "f") to the
 * steps their process made. Slices, steps and flows share the category
 * "lifecycle": a flow binds to the events of its own category. Times are
 * µs since the stream's first event. One event a line, streamed, so that
 * 10,000 VFs need no tree of the whole file in memory.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>
#include "sinks/trace_internal.h"
#include "lib/util.h"

/* The threads of a VF's process. */
enum { LANE_NETNS, LANE_STEPS, LANE_CALLS, LANES };

struct writer {
	const struct tr_model *m;
	FILE *out;
	bool first;
	uint64_t flow_id;
};

static int tid_of(const struct tr_vf *v, int lane)
{
	return (int)v->track * LANES + lane;
}

/* Writes @o as the next element of traceEvents and frees it. 0 or -errno. */
static int emit(struct writer *w, struct json_object *o)
{
	const char *s;
	int err = 0;

	if (!o)
		return -ENOMEM;
	s = json_object_to_json_string_ext(o,
					   JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	if (!s || fputs(w->first ? "\n" : ",\n", w->out) == EOF || fputs(s, w->out) == EOF)
		err = errno ? -errno : -EIO;
	w->first = false;
	json_object_put(o);
	return err;
}

static void add_ts(const struct writer *w, struct json_object *o, const char *key, uint64_t ns)
{
	char us[32];

	tr_fmt_us(w->m, ns, us, sizeof(us));
	json_object_object_add(o, key, json_object_new_double_s(strtod(us, NULL), us));
}

static void add_dur(struct json_object *o, uint64_t ns)
{
	char us[32];

	snprintf(us, sizeof(us), "%llu.%03llu", (unsigned long long)(ns / 1000),
		 (unsigned long long)(ns % 1000));
	json_object_object_add(o, "dur", json_object_new_double_s(strtod(us, NULL), us));
}

/* An event's common part: ph, name, cat, pid, tid. */
static struct json_object *event(const char *ph, const char *name, const char *cat,
				 const struct tr_vf *v, int lane)
{
	struct json_object *o = json_object_new_object();

	if (!o)
		return NULL;
	json_object_object_add(o, "ph", json_object_new_string(ph));
	json_object_object_add(o, "name", tr_str(name));
	if (cat)
		json_object_object_add(o, "cat", json_object_new_string(cat));
	json_object_object_add(o, "pid", json_object_new_int(v->track));
	json_object_object_add(o, "tid", json_object_new_int(tid_of(v, lane)));
	return o;
}

static struct json_object *meta(const char *what, const struct tr_vf *v, int lane, const char *key,
				struct json_object *val)
{
	struct json_object *o = event("M", what, NULL, v, lane), *args = json_object_new_object();

	json_object_object_add(args, key, val);
	json_object_object_add(o, "args", args);
	return o;
}

static int write_tracks(struct writer *w, const struct tr_vf *v)
{
	static const char *const lanes[LANES] = { "netns (pods)", "steps and findings",
						  "calls (CNI)" };
	char label[VFT_KEY_LEN + VFT_NAME_LEN + 2];
	int lane, err;

	tr_vf__label(v, label, sizeof(label));
	err = emit(w, meta("process_name", v, 0, "name", tr_str(label)));
	if (!err)
		err = emit(w, meta("process_sort_index", v, 0, "sort_index",
				   json_object_new_int(v->track)));
	for (lane = 0; lane < LANES && !err; lane++) {
		if (lane == LANE_CALLS && !v->n_calls)
			continue;
		err = emit(w, meta("thread_name", v, lane, "name",
				   json_object_new_string(lanes[lane])));
		if (!err)
			err = emit(w, meta("thread_sort_index", v, lane, "sort_index",
					   json_object_new_int(lane)));
	}
	return err;
}

static int write_stays(struct writer *w, const struct tr_vf *v)
{
	char label[96];
	size_t i;
	int err = 0;

	for (i = 0; i < v->n_stays && !err; i++) {
		const struct tr_stay *st = &v->stays[i];
		struct json_object *o, *args = json_object_new_object();

		tr_stay__label(st, label, sizeof(label));
		o = event("X", label, "netns", v, LANE_NETNS);
		add_ts(w, o, "ts", st->start_ns);
		add_dur(o, st->end_ns - st->start_ns);
		json_object_object_add(args, "netns", json_object_new_int64(st->netns));
		json_object_object_add(args, "netns_name",
				       st->netns_name[0] ? tr_str(st->netns_name) : NULL);
		json_object_object_add(args, "pod", st->pod_uid[0] ? tr_str(st->pod_uid) : NULL);
		json_object_object_add(o, "args", args);
		err = emit(w, o);
	}
	return err;
}

static struct json_object *actor(uint32_t pid, const char *comm)
{
	struct json_object *a;

	if (!pid)
		return NULL;
	a = json_object_new_object();
	json_object_object_add(a, "pid", json_object_new_int64(pid));
	json_object_object_add(a, "comm", tr_str(comm));
	return a;
}

static int write_steps(struct writer *w, const struct tr_vf *v)
{
	char ebuf[16];
	size_t i;
	int err = 0;

	for (i = 0; i < v->n_steps && !err; i++) {
		const struct vft_step *st = &v->steps[i];
		struct json_object *o = event("i", st->text, "lifecycle", v, LANE_STEPS);
		struct json_object *args = json_object_new_object();

		add_ts(w, o, "ts", st->ts_ns);
		json_object_object_add(o, "s", json_object_new_string("t"));
		json_object_object_add(args, "event", tr_str(vft_kind__name(st->kind) ?: "?"));
		json_object_object_add(args, "actor", actor(st->pid, st->comm));
		if (st->ret < 0)
			json_object_object_add(args, "errno",
					       tr_str(vft_errno_name(st->ret, ebuf, sizeof(ebuf))));
		json_object_object_add(o, "args", args);
		err = emit(w, o);
	}
	return err;
}

/*
 * The calls (CNI ADD, DEL) and their flows: a step of the VF by the call's
 * process while the call ran was made by the call. A finer match
 * (the plugin's children, the runtime's pid) goes in caused().
 */
static bool caused(const struct tr_call *c, const struct vft_step *st)
{
	return st->pid && st->pid == c->pid && st->ts_ns >= c->start_ns && st->ts_ns <= c->end_ns;
}

static int write_calls(struct writer *w, const struct tr_vf *v)
{
	size_t i, j;
	int err = 0;

	for (i = 0; i < v->n_calls && !err; i++) {
		const struct tr_call *c = &v->calls[i];
		struct json_object *o = event("X", c->name, "lifecycle", v, LANE_CALLS);
		struct json_object *args = json_object_new_object();

		add_ts(w, o, "ts", c->start_ns);
		add_dur(o, c->end_ns - c->start_ns);
		json_object_object_add(args, "actor", actor(c->pid, ""));
		json_object_object_add(args, "detail", tr_str(c->detail));
		json_object_object_add(o, "args", args);
		err = emit(w, o);
		for (j = 0; j < v->n_steps && !err; j++) {
			if (!caused(c, &v->steps[j]))
				continue;
			w->flow_id++;
			o = event("s", "caused", "lifecycle", v, LANE_CALLS);
			add_ts(w, o, "ts", c->start_ns);
			json_object_object_add(o, "id", json_object_new_int64(w->flow_id));
			err = emit(w, o);
			if (err)
				break;
			o = event("f", "caused", "lifecycle", v, LANE_STEPS);
			add_ts(w, o, "ts", v->steps[j].ts_ns);
			json_object_object_add(o, "id", json_object_new_int64(w->flow_id));
			json_object_object_add(o, "bp", json_object_new_string("e"));
			err = emit(w, o);
		}
	}
	return err;
}

static int write_finding(struct writer *w, const struct vft_finding *f)
{
	const struct tr_vf *v = tr_model__find(w->m, f->vf.key);
	const char *sev = vft_severity__name(f->severity) ?: "?";
	struct json_object *o, *args;
	char name[64], ebuf[16], sev_up[16];
	size_t i;

	if (!v || !v->track)
		return 0;
	for (i = 0; sev[i] && i + 1 < sizeof(sev_up); i++)
		sev_up[i] = (char)(sev[i] >= 'a' && sev[i] <= 'z' ? sev[i] - 32 : sev[i]);
	sev_up[i] = '\0';
	snprintf(name, sizeof(name), "%s %s", sev_up, vft_finding__name(f->code) ?: "?");
	o = event("i", name, "finding", v, LANE_STEPS);
	args = json_object_new_object();
	add_ts(w, o, "ts", f->ts_ns);
	json_object_object_add(o, "s", json_object_new_string("t"));
	json_object_object_add(args, "id", json_object_new_int64(f->id));
	json_object_object_add(args, "code", tr_str(vft_finding__name(f->code)));
	json_object_object_add(args, "severity", tr_str(sev));
	json_object_object_add(args, "vf", tr_str(f->vf.key));
	json_object_object_add(args, "message", tr_str(f->message));
	json_object_object_add(args, "remedy", tr_str(f->remedy));
	json_object_object_add(args, "evidence", tr_str(f->evidence));
	json_object_object_add(args, "actor", f->has_actor ? actor(f->pid, f->comm) : NULL);
	if (f->err)
		json_object_object_add(args, "errno",
				       tr_str(vft_errno_name(f->err, ebuf, sizeof(ebuf))));
	if (f->resolved) {
		json_object_object_add(args, "resolved_by", tr_str(f->resolved_by));
		json_object_object_add(
			args, "resolved_after_ms",
			json_object_new_int64(
				f->resolved_ns > f->ts_ns ?
					(int64_t)((f->resolved_ns - f->ts_ns) / 1000000) :
					0));
	}
	json_object_object_add(o, "args", args);
	return emit(w, o);
}

static struct json_object *other_data(const struct tr_model *m)
{
	struct json_object *o = json_object_new_object(), *files = json_object_new_array();
	char ts[64];
	size_t i;

	json_object_object_add(o, "tool", json_object_new_string("vftrace"));
	json_object_object_add(o, "version", tr_str(m->version[0] ? m->version : VFTRACE_VERSION));
	json_object_object_add(o, "host", tr_str(m->hostname));
	json_object_object_add(o, "kernel", tr_str(m->kernel));
	for (i = 0; i < m->n_files; i++)
		json_object_array_add(files, tr_str(m->files[i]));
	json_object_object_add(o, "captures", files);
	vft_fmt_rfc3339(ts, sizeof(ts), m->first_ns);
	json_object_object_add(o, "start", json_object_new_string(ts));
	json_object_object_add(o, "start_ns", json_object_new_int64((int64_t)m->first_ns));
	json_object_object_add(o, "events", json_object_new_int64((int64_t)m->summary.events));
	json_object_object_add(o, "findings", json_object_new_int64((int64_t)m->n_findings));
	return o;
}

int tr_write_trace_json(const struct tr_model *m, FILE *out)
{
	struct writer w = { .m = m, .out = out, .first = true };
	struct json_object *o;
	size_t i;
	int err = 0;

	if (fputs("{\"traceEvents\":[", out) == EOF)
		return -errno;
	for (i = 0; i < m->n_vfs && !err; i++) {
		const struct tr_vf *v = m->vfs[i];

		if (!v->track)
			continue;
		err = write_tracks(&w, v);
		if (!err)
			err = write_stays(&w, v);
		/* a call before the steps it made: readers keep a flow's events in file order */
		if (!err)
			err = write_calls(&w, v);
		if (!err)
			err = write_steps(&w, v);
	}
	for (i = 0; i < m->n_findings && !err; i++)
		err = write_finding(&w, &m->findings[i]);
	if (err)
		return err;
	o = other_data(m);
	if (fprintf(out, "\n],\"displayTimeUnit\":\"ms\",\"otherData\":%s}\n",
		    json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
							      JSON_C_TO_STRING_NOSLASHESCAPE)) < 0)
		err = -errno;
	json_object_put(o);
	return err;
}
