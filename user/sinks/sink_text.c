// SPDX-License-Identifier: GPL-2.0-only
/*
 * sink_text.c - readable output: one line per event, local wall-clock time,
 * its details as the event renderer describes them (vft_event__describe()).
 * Coverage and the closing summary go to stderr so that stdout stays the
 * event stream.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "sinks/sink.h"
#include "model/kinds.h"
#include "lib/util.h"

#define RED "\033[31m"
#define YELLOW "\033[33m"
#define CYAN "\033[36m"
#define GREEN "\033[32m"
#define BOLD "\033[1m"
#define RESET "\033[0m"

static int text_ready(struct vft_sink *s, const struct vft_ready *r)
{
	size_t i, attached = 0;

	for (i = 0; i < r->n_hooks; i++) {
		const struct vft_hook_state *st = &r->hooks[i];

		if (st->status == VFT_HOOK_ATTACHED)
			attached++;
		else
			fprintf(stderr, "vftrace: hook %s unavailable: %s\n", st->def->name,
				st->reason);
	}
	fprintf(stderr, "vftrace %s on Linux %s: %zu of %zu hooks attached; Ctrl-C to stop\n",
		r->version, r->kernel, attached, r->n_hooks);
	return 0;
}

static int text_coverage(struct vft_sink *s, const struct vft_ready *r)
{
	size_t i;

	for (i = 0; i < r->n_hooks; i++) {
		const struct vft_hook_state *st = &r->hooks[i];

		if (st->status == VFT_HOOK_ATTACHED && st->def->module)
			fprintf(stderr, "vftrace: hook %s attached (%s %s)\n", st->def->name,
				vft_mech__name(st->mech), st->func);
	}
	return 0;
}

static void print_actor(struct vft_sink *s, const struct vft_event *ev)
{
	if (!ev->has_actor) {
		if (vft_context__name(ev->context))
			fprintf(s->out, "  in %s (no actor)", vft_context__name(ev->context));
		return;
	}
	fprintf(s->out, "  by %s[%u]", ev->actor.comm, ev->actor.pid);
	if (ev->actor.cgroup[0] && strcmp(ev->actor.cgroup, "/"))
		fprintf(s->out, " %s", ev->actor.cgroup);
}

static int text_event(struct vft_sink *s, const struct vft_event *ev, const struct vft_vf *vf)
{
	const struct vft_kind_info *k = vft_kind__get(ev->kind);
	const char *subject = vft_event__subject(ev);
	char ts[32], ebuf[16], details[VFT_DESCRIBE_MAX];
	bool failed = ev->has_ret && ev->ret < 0;

	vft_fmt_local_time(ts, sizeof(ts), ev->ts_ns);
	vft_event__describe(ev, VFT_DESCRIBE_LINE, details, sizeof(details));
	fprintf(s->out, "%s %s%-17s%s %-15s%s", ts, failed && s->color ? RED BOLD : "",
		k->name ?: "unknown", failed && s->color ? RESET : "", subject, details);
	if (failed)
		fprintf(s->out, " %sFAILED %s (%d)%s", s->color ? RED : "",
			vft_errno_name(ev->ret, ebuf, sizeof(ebuf)), ev->ret,
			s->color ? RESET : "");
	if (failed && ev->message[0] && !(k->flags & VFT_KIND_OWN_MESSAGE))
		fprintf(s->out, " \"%s\"", ev->message);
	print_actor(s, ev);
	if (vf && strcmp(vf->ref.key, subject))
		fprintf(s->out, "  [%s]", vf->ref.key);
	fputc('\n', s->out);
	return fflush(s->out) == EOF ? -errno : 0;
}

static const char *sev_color(const struct vft_sink *s, uint32_t severity)
{
	if (!s->color)
		return "";
	return severity == VFT_SEV_ERROR   ? RED BOLD :
	       severity == VFT_SEV_WARNING ? YELLOW BOLD :
					     CYAN;
}

/*
 * Where the VF is: " net1 netns 4026532291 (cni-...) pod 3f2a...", or, its
 * pod known by name, " net1 pod ml/trainer-0" (the inode stays in JSON).
 */
static void print_where(struct vft_sink *s, const struct vft_vf_ref *ref)
{
	char pod[VFT_POD_NS_LEN + VFT_POD_NAME_LEN];

	if (ref->ifname[0])
		fprintf(s->out, " %s", ref->ifname);
	if (ref->pod_name[0]) {
		fprintf(s->out, " pod %s",
			vft_pod_label(pod, sizeof(pod), ref->pod_ns, ref->pod_name, NULL));
		return;
	}
	if (ref->netns)
		fprintf(s->out, " netns %u", ref->netns);
	if (ref->netns_name[0])
		fprintf(s->out, " (%s)", ref->netns_name);
	if (ref->pod_uid[0])
		fprintf(s->out, " pod %s", ref->pod_uid);
}

static int text_finding(struct vft_sink *s, const struct vft_finding *f)
{
	char ts[32], ebuf[16];

	vft_fmt_local_time(ts, sizeof(ts), f->ts_ns);
	fprintf(s->out, "%s %s>> %s %s%s %s", ts, sev_color(s, f->severity),
		f->severity == VFT_SEV_ERROR   ? "ERROR" :
		f->severity == VFT_SEV_WARNING ? "WARN" :
						 "INFO",
		vft_finding__name(f->code) ?: "?", s->color ? RESET : "", f->vf.key);
	print_where(s, &f->vf);
	fprintf(s->out, "\n%*s   %s\n", (int)strlen(ts), "", f->message);
	if (f->has_actor) {
		fprintf(s->out, "%*s   actor: %s[%u]", (int)strlen(ts), "", f->comm, f->pid);
		if (f->unit[0])
			fprintf(s->out, " %s", f->unit);
		fputc('\n', s->out);
	}
	if (f->err)
		fprintf(s->out, "%*s   errno: %s (%d)\n", (int)strlen(ts), "",
			vft_errno_name(f->err, ebuf, sizeof(ebuf)), f->err);
	if (f->evidence[0])
		fprintf(s->out, "%*s   evidence: %s\n", (int)strlen(ts), "", f->evidence);
	if (f->remedy && f->severity != VFT_SEV_INFO)
		fprintf(s->out, "%*s   remedy: %s\n", (int)strlen(ts), "", f->remedy);
	return fflush(s->out) == EOF ? -errno : 0;
}

static int text_resolved(struct vft_sink *s, const struct vft_finding *f)
{
	char ts[32];

	vft_fmt_local_time(ts, sizeof(ts), f->resolved_ns);
	fprintf(s->out, "%s %s>> RESOLVED %s%s %s after %llu ms: %s\n", ts, s->color ? GREEN : "",
		vft_finding__name(f->code) ?: "?", s->color ? RESET : "", f->vf.key,
		(unsigned long long)(f->resolved_ns > f->ts_ns ?
					     (f->resolved_ns - f->ts_ns) / 1000000 :
					     0),
		f->resolved_by);
	return fflush(s->out) == EOF ? -errno : 0;
}

static int text_timeline(struct vft_sink *s, const struct vft_vf *vf)
{
	char ts[32], ebuf[16];
	size_t i;

	fprintf(s->out, "\n%s== %s%s", s->color ? BOLD : "", vf->ref.key, s->color ? RESET : "");
	if (vf->pf[0])
		fprintf(s->out, "  VF %d of %s", vf->vf_index, vf->pf);
	if (vf->driver[0])
		fprintf(s->out, "  driver %s", vf->driver);
	if (vf->numa_node >= 0)
		fprintf(s->out, "  NUMA %d", vf->numa_node);
	if (vf->ref.ibdev[0])
		fprintf(s->out, "  rdma %s", vf->ref.ibdev);
	fputc('\n', s->out);
	fprintf(s->out, "   names:");
	for (i = 0; i < vf->n_names; i++)
		fprintf(s->out, "%s%s", i ? " -> " : " ", vf->names[i]);
	fprintf(s->out, "\n   netns:");
	for (i = 0; i < vf->n_netns; i++)
		fprintf(s->out, "%s%u", i ? " -> " : " ", vf->netns_hist[i]);
	fprintf(s->out, "\n   now:");
	print_where(s, &vf->ref);
	fprintf(s->out, " %s, %s, %u address%s\n", vf->registered ? "registered" : "gone",
		vf->up ? "up" : "down", vf->n_addrs, vf->n_addrs == 1 ? "" : "es");
	if (vf->steps_dropped)
		fprintf(s->out, "   (%llu steps not kept)\n",
			(unsigned long long)vf->steps_dropped);
	/* NULL only if rendering the steps ran out of memory */
	for (i = 0; vf->steps && i < vf->n_steps; i++) {
		const struct vft_step *st = &vf->steps[i];

		vft_fmt_local_time(ts, sizeof(ts), st->ts_ns);
		fprintf(s->out, "   %s  %s", ts, st->text);
		if (st->pid)
			fprintf(s->out, "  by %s[%u]", st->comm, st->pid);
		if (st->ret < 0 && !strstr(st->text, "failed"))
			fprintf(s->out, "  %s", vft_errno_name(st->ret, ebuf, sizeof(ebuf)));
		fputc('\n', s->out);
	}
	fprintf(s->out, "   findings: %u raised, %u open\n", vf->n_findings, vf->n_open);
	return fflush(s->out) == EOF ? -errno : 0;
}

static int text_lost(struct vft_sink *s, uint64_t delta, uint64_t total, uint64_t wall_ns)
{
	char ts[32];

	vft_fmt_local_time(ts, sizeof(ts), wall_ns);
	fprintf(s->out, "%s LOST %llu events (%llu in total): the ring buffer was full\n", ts,
		(unsigned long long)delta, (unsigned long long)total);
	return fflush(s->out) == EOF ? -errno : 0;
}

static int text_summary(struct vft_sink *s, const struct vft_summary *sum)
{
	uint64_t raised = 0, resolved = 0;
	uint32_t code;

	fprintf(stderr, "vftrace: %llu events, %llu lost, %llu devices\n",
		(unsigned long long)sum->events, (unsigned long long)sum->lost,
		(unsigned long long)sum->vfs);
	if (sum->checks_skipped)
		fprintf(stderr,
			"vftrace: %llu checks went without a read that did not answer in time\n",
			(unsigned long long)sum->checks_skipped);
	for (code = 1; code < VFT_F_MAX; code++) {
		if (!sum->raised[code])
			continue;
		fprintf(stderr, "vftrace:   %-20s %llu raised, %llu resolved\n",
			vft_finding__name(code), (unsigned long long)sum->raised[code],
			(unsigned long long)sum->resolved[code]);
		raised += sum->raised[code];
		resolved += sum->resolved[code];
	}
	if (!raised)
		fprintf(stderr, "vftrace: no findings\n");
	return 0;
}

static int text_capture(struct vft_sink *s, const char *path, const struct vft_capture_header *h)
{
	char ts[64];

	vft_fmt_rfc3339(ts, sizeof(ts), h->start_wall_ns);
	fprintf(stderr,
		"vftrace: replaying %s: recorded on %s (Linux %s, boot %s) by vftrace %s from %s%s\n",
		path, h->hostname, h->kernel, h->boot_id[0] ? h->boot_id : "unknown", h->version,
		ts, h->part ? " (a rotated part)" : "");
	return 0;
}

static const struct vft_sink_ops text_ops = {
	.ready = text_ready,
	.coverage = text_coverage,
	.event = text_event,
	.finding = text_finding,
	.resolved = text_resolved,
	.timeline = text_timeline,
	.capture = text_capture,
	.lost = text_lost,
	.summary = text_summary,
};

struct vft_sink *vft_sink_text__new(FILE *out, bool color)
{
	struct vft_sink *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->ops = &text_ops;
	s->out = out;
	s->color = color;
	return s;
}
