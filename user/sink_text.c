// SPDX-License-Identifier: GPL-2.0-only
/*
 * sink_text.c - readable output: one line per event, local wall-clock time.
 * Coverage and the closing summary go to stderr so that stdout stays the
 * event stream.
 */
#include <errno.h>
#include <stdlib.h>
#include "sink.h"
#include "util.h"

#define RED "\033[31m"
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

static void print_actor(struct vft_sink *s, const struct vft_event *ev)
{
	if (ev->has_actor)
		fprintf(s->out, "  by %s[%u]", ev->actor.comm, ev->actor.pid);
}

static int text_event(struct vft_sink *s, const struct vft_event *ev)
{
	char ts[32], ebuf[16];
	bool failed = ev->has_ret && ev->ret < 0;

	vft_fmt_local_time(ts, sizeof(ts), ev->ts_ns);
	fprintf(s->out, "%s %s%-17s%s %-15s", ts, failed && s->color ? RED BOLD : "",
		vft_kind__name(ev->kind) ?: "unknown", failed && s->color ? RESET : "", ev->ifname);
	switch (ev->kind) {
	case VFT_EV_NETNS_MOVE:
		fprintf(s->out, " netns %u -> %u", ev->from_netns, ev->to_netns);
		if (ev->new_ifname[0])
			fprintf(s->out, " as %s", ev->new_ifname);
		if (!failed)
			fprintf(s->out, " ifindex %d -> %d", ev->ifindex, ev->new_ifindex);
		break;
	default:
		fprintf(s->out, " ifindex %d netns %u", ev->ifindex, ev->netns);
		break;
	}
	if (ev->parent[0])
		fprintf(s->out, " dev %s", ev->parent);
	if (failed)
		fprintf(s->out, " %sFAILED %s (%d)%s", s->color ? RED : "",
			vft_errno_name(ev->ret, ebuf, sizeof(ebuf)), ev->ret,
			s->color ? RESET : "");
	print_actor(s, ev);
	fputc('\n', s->out);
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
	fprintf(stderr, "vftrace: %llu events, %llu lost\n", (unsigned long long)sum->events,
		(unsigned long long)sum->lost);
	return 0;
}

static const struct vft_sink_ops text_ops = {
	.ready = text_ready,
	.event = text_event,
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
