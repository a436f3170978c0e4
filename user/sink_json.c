// SPDX-License-Identifier: GPL-2.0-only
/*
 * sink_json.c - JSON Lines output. The schema is documented in docs/json.md;
 * scripts depend on it, so fields are only ever added.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>
#include "sink.h"
#include "util.h"

/*
 * Kernel names are bytes, JSON strings are UTF-8: replace every byte that is
 * not part of a valid UTF-8 sequence by '?', so the output always parses.
 */
static void utf8_sanitize(char *dst, const char *src, size_t size)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t i = 0, o = 0, len = strlen(src);

	while (i < len && o + 1 < size) {
		size_t need = s[i] < 0x80	    ? 0 :
			      (s[i] & 0xe0) == 0xc0 ? 1 :
			      (s[i] & 0xf0) == 0xe0 ? 2 :
			      (s[i] & 0xf8) == 0xf0 ? 3 :
						      4;
		size_t k;
		bool ok = need < 4 && i + need < len && o + need + 1 < size;

		for (k = 1; ok && k <= need; k++)
			ok = (s[i + k] & 0xc0) == 0x80;
		if (!ok) {
			dst[o++] = '?';
			i++;
			continue;
		}
		memcpy(dst + o, s + i, need + 1);
		o += need + 1;
		i += need + 1;
	}
	dst[o] = '\0';
}

static void add_str(struct json_object *o, const char *key, const char *val)
{
	char clean[256];

	utf8_sanitize(clean, val, sizeof(clean));
	json_object_object_add(o, key, json_object_new_string(clean));
}

static void add_int(struct json_object *o, const char *key, int64_t val)
{
	json_object_object_add(o, key, json_object_new_int64(val));
}

static void add_ts(struct json_object *o, uint64_t wall_ns)
{
	char ts[64];

	vft_fmt_rfc3339(ts, sizeof(ts), wall_ns);
	add_str(o, "ts", ts);
	add_int(o, "ts_ns", (int64_t)wall_ns);
}

struct json_object *vft_event__to_json(const struct vft_event *ev)
{
	struct json_object *o = json_object_new_object();
	char ebuf[16];

	if (!o)
		return NULL;
	add_str(o, "type", "event");
	add_str(o, "event", vft_kind__name(ev->kind) ?: "unknown");
	add_ts(o, ev->ts_ns);
	add_str(o, "source", vft_source__name(ev->source) ?: "unknown");
	add_str(o, "ifname", ev->ifname);
	add_int(o, "ifindex", ev->ifindex);
	add_int(o, "netns", ev->netns);
	if (ev->parent[0])
		add_str(o, "parent", ev->parent);
	if (ev->kind == VFT_EV_NETNS_MOVE) {
		add_int(o, "from_netns", ev->from_netns);
		add_int(o, "to_netns", ev->to_netns);
		add_int(o, "new_ifindex", ev->new_ifindex);
		if (ev->new_ifname[0])
			add_str(o, "new_ifname", ev->new_ifname);
	}
	if (ev->has_ret) {
		add_int(o, "ret", ev->ret);
		if (ev->ret < 0)
			add_str(o, "errno", vft_errno_name(ev->ret, ebuf, sizeof(ebuf)));
	}
	if (ev->has_actor) {
		struct json_object *a = json_object_new_object();

		add_int(a, "pid", ev->actor.pid);
		add_int(a, "tid", ev->actor.tid);
		add_str(a, "comm", ev->actor.comm);
		add_int(a, "netns", ev->actor.netns);
		add_int(a, "cgroup_id", (int64_t)ev->actor.cgroup_id);
		json_object_object_add(o, "actor", a);
	}
	return o;
}

/* Writes one line and frees @o. Returns 0 or -errno (EPIPE: the reader went away). */
static int emit(struct vft_sink *s, struct json_object *o)
{
	const char *line;
	int err = 0;

	if (!o)
		return -ENOMEM;
	errno = 0;
	line = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
							 JSON_C_TO_STRING_NOSLASHESCAPE);
	if (fputs(line, s->out) == EOF || fputc('\n', s->out) == EOF || fflush(s->out) == EOF)
		err = errno ? -errno : -EIO;
	json_object_put(o);
	return err;
}

static int json_ready(struct vft_sink *s, const struct vft_ready *r)
{
	struct json_object *o = json_object_new_object(), *hooks = json_object_new_array();
	size_t i;

	add_str(o, "type", "ready");
	add_str(o, "version", r->version);
	add_str(o, "kernel", r->kernel);
	for (i = 0; i < r->n_hooks; i++) {
		const struct vft_hook_state *st = &r->hooks[i];
		struct json_object *h = json_object_new_object();

		add_str(h, "hook", st->def->name);
		add_str(h, "status", vft_hook_status__name(st->status));
		if (st->status == VFT_HOOK_ATTACHED) {
			add_str(h, "mechanism", vft_mech__name(st->mech));
			add_str(h, "function", st->func);
		} else {
			add_str(h, "reason", st->reason);
		}
		json_object_array_add(hooks, h);
	}
	json_object_object_add(o, "hooks", hooks);
	return emit(s, o);
}

static int json_event(struct vft_sink *s, const struct vft_event *ev)
{
	return emit(s, vft_event__to_json(ev));
}

static int json_lost(struct vft_sink *s, uint64_t delta, uint64_t total, uint64_t wall_ns)
{
	struct json_object *o = json_object_new_object();

	add_str(o, "type", "lost");
	add_ts(o, wall_ns);
	add_int(o, "count", (int64_t)delta);
	add_int(o, "total", (int64_t)total);
	return emit(s, o);
}

static int json_summary(struct vft_sink *s, const struct vft_summary *sum)
{
	struct json_object *o = json_object_new_object();

	add_str(o, "type", "summary");
	add_int(o, "events", (int64_t)sum->events);
	add_int(o, "lost", (int64_t)sum->lost);
	return emit(s, o);
}

static const struct vft_sink_ops json_ops = {
	.ready = json_ready,
	.event = json_event,
	.lost = json_lost,
	.summary = json_summary,
};

struct vft_sink *vft_sink_json__new(FILE *out)
{
	struct vft_sink *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->ops = &json_ops;
	s->out = out;
	return s;
}

void vft_sink__free(struct vft_sink *s)
{
	free(s);
}
