// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_pipeline.c - the assembled pipeline (user/pipeline/pipeline.c), as
 * watch, record, audit, replay and check use it, driven without root or
 * BPF: source events in (on the healthy fixture tree, for sysfs and the pods'
 * netns), JSON Lines out, on a clock the tests move. The start of a stream
 * (trusted comms, the host netns), each netns said once ahead of its first
 * event and again after its destruction, the merge of rtnetlink's copies,
 * the selection, the end of grace periods, losses, the capture file and its
 * replay, no_steps and the retention time, the metrics, the recorded mode
 * with replay's window, and which errors are the output's and which the
 * capture's.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <json-c/json.h>
#include "fixture.h"
#include "pipeline/pipeline.h"
#include "pipeline/replay.h"
#include "sinks/metrics.h"

#define HOST_NS 4026531840u
#define BE_NS 4026532301u /* the besteffort pod's netns in the fixture */
#define BU_NS 4026532302u /* the burstable pod's */
#define SEC 1000000000ULL
#define VF1 "0000:18:00.1" /* ibp24s0v0, mlx5_16 */
#define VF2 "0000:18:00.2" /* ibp24s0v1 */

static char base[256], root[512];
static uint64_t mono, boot, wall;

static uint64_t test_clock(clockid_t clock)
{
	return clock == CLOCK_MONOTONIC ? mono : clock == CLOCK_BOOTTIME ? boot : wall;
}

/* Time passes: every clock moves (a step of the wall clock moves only wall). */
static void elapse(uint64_t ns)
{
	mono += ns;
	boot += ns;
	wall += ns;
}

/* One pipeline with a JSON sink into memory, and what the tests give it. */
struct run {
	struct vft_pipeline *p;
	struct vft_sink *sink;
	FILE *out;
	char *buf;
	size_t len;
	struct vft_filter filter;
	struct vft_corr_opts corr;
	struct vft_metrics *metrics;
	bool recorded;
	const char *only_key;
	uint64_t read_timeout_ns;
	bool off_loop; /* re-reads watched by watch_read() below, as the live loop does */
};

/* The fd a live loop would watch now (-1: none), and how often one was watched and unwatched. */
static int watched = -1, n_watch, n_unwatch;

static int watch_read(void *ctx, int fd, bool add)
{
	assert_true(add ? watched < 0 : watched == fd);
	watched = add ? fd : -1;
	*(add ? &n_watch : &n_unwatch) += 1;
	return 0;
}

/*
 * As the live loop does: waits for the watched re-read's fd and polls the
 * pipeline until no re-read is pending (each wait at most 5 s).
 */
static void settle_reads(struct vft_pipeline *p)
{
	struct pollfd pfd = { .events = POLLIN };

	while (vft_pipeline__reads_pending(p)) {
		assert_true(watched >= 0);
		pfd.fd = watched;
		assert_int_equal(poll(&pfd, 1, 5000), 1);
		assert_int_equal(vft_pipeline__reads_poll(p), 0);
	}
}

static void run_open(struct run *r)
{
	struct vft_pipeline_opts po = {
		.root = root,
		.recorded = r->recorded,
		.filter = r->recorded ? NULL : &r->filter,
		.corr = &r->corr,
		.metrics = r->metrics,
		.only_key = r->only_key,
		.clock = test_clock,
		.read_timeout_ns = r->read_timeout_ns,
		.watch_fd = r->off_loop ? watch_read : NULL,
	};

	mono = 1000 * SEC;
	boot = 1010 * SEC;
	wall = 1764355200 * SEC;
	r->filter.root = root;
	r->out = open_memstream(&r->buf, &r->len);
	assert_non_null(r->out);
	r->sink = vft_sink_json__new(r->out);
	assert_non_null(r->sink);
	po.sink = r->sink;
	assert_int_equal(vft_pipeline__new(&po, &r->p), 0);
}

static void run_close(struct run *r)
{
	vft_pipeline__free(r->p);
	vft_sink__free(r->sink);
	fclose(r->out);
	free(r->buf);
	vft_filter__clear(&r->filter);
	vft_metrics__free(r->metrics);
}

/* A string member of @o, "" if none. */
static const char *str(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return "";
	return json_object_get_string(v);
}

/* The key of the VF a line is about: an event's "vf", a finding's or a timeline's vf.key. */
static const char *key_of(struct json_object *o)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, "vf", &v))
		return "";
	if (json_object_is_type(v, json_type_string))
		return json_object_get_string(v);
	return str(v, "key");
}

/*
 * The index (from 0) of the @nth (from 0) line of @type, of event @event,
 * about VF @key and holding @needle (each NULL: any), or -1; with @count,
 * how many there are.
 */
static int find_with(struct run *r, const char *type, const char *event, const char *key,
		     const char *needle, int nth, int *count)
{
	char *copy, *line, *save = NULL;
	int i = 0, found = -1, n = 0;

	fflush(r->out);
	copy = strndup(r->buf ? r->buf : "", r->len);
	assert_non_null(copy);
	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save), i++) {
		struct json_object *o = json_tokener_parse(line);

		assert_non_null(o);
		if (!strcmp(str(o, "type"), type) && (!event || !strcmp(str(o, "event"), event)) &&
		    (!key || !strcmp(key_of(o), key)) && (!needle || strstr(line, needle))) {
			if (n == nth)
				found = i;
			n++;
		}
		json_object_put(o);
	}
	free(copy);
	if (count)
		*count = n;
	return found;
}

static int find(struct run *r, const char *type, const char *event, const char *key, int nth,
		int *count)
{
	return find_with(r, type, event, key, NULL, nth, count);
}

static int count(struct run *r, const char *type, const char *event, const char *key)
{
	int n;

	find(r, type, event, key, 0, &n);
	return n;
}

/* The netns_info lines of @netns; the last one's pod UID into @pod (may be NULL). */
static int netns_infos(struct run *r, uint32_t netns, char *pod, size_t size)
{
	char *copy, *line, *save = NULL;
	int n = 0;

	fflush(r->out);
	copy = strndup(r->buf ? r->buf : "", r->len);
	assert_non_null(copy);
	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct json_object *o = json_tokener_parse(line), *v;

		if (!strcmp(str(o, "event"), "netns_info") &&
		    json_object_object_get_ex(o, "netns", &v) &&
		    (uint32_t)json_object_get_int64(v) == netns) {
			n++;
			if (pod)
				snprintf(pod, size, "%s", str(o, "pod"));
		}
		json_object_put(o);
	}
	free(copy);
	return n;
}

static struct vft_event dev(uint32_t kind, uint32_t source, const char *parent, const char *ifname,
			    int32_t ifindex, uint32_t netns)
{
	struct vft_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.kind = kind;
	ev.source = source;
	ev.ts_ns = wall;
	snprintf(ev.parent, sizeof(ev.parent), "%s", parent);
	snprintf(ev.ifname, sizeof(ev.ifname), "%s", ifname);
	ev.ifindex = ifindex;
	ev.netns = netns;
	if (source != VFT_SRC_NETLINK && source != VFT_SRC_INVENTORY) {
		ev.has_actor = true;
		ev.actor.pid = 4242;
		snprintf(ev.actor.comm, sizeof(ev.actor.comm), "sriov");
	}
	return ev;
}

static void feed(struct run *r, const struct vft_event *ev)
{
	assert_int_equal(vft_pipeline__feed(r->p, ev), 0);
}

static struct vft_event move(const char *parent, const char *ifname, int32_t ifindex, uint32_t from,
			     uint32_t to, const char *new_ifname)
{
	struct vft_event ev = dev(VFT_EV_NETNS_MOVE, VFT_SRC_FENTRY, parent, ifname, ifindex, from);

	ev.from_netns = from;
	ev.to_netns = to;
	ev.new_ifindex = ifindex;
	snprintf(ev.new_ifname, sizeof(ev.new_ifname), "%s", new_ifname);
	ev.has_ret = true;
	return ev;
}

/* VF1 registered in the host, moved into the besteffort pod as net1, up, without an address. */
static void pod_start(struct run *r)
{
	struct vft_event ev;

	ev = dev(VFT_EV_NETDEV_REGISTER, VFT_SRC_FENTRY, VF1, "ibp24s0v0", 20, HOST_NS);
	feed(r, &ev);
	elapse(SEC / 10);
	ev = move(VF1, "ibp24s0v0", 20, HOST_NS, BE_NS, "net1");
	feed(r, &ev);
	ev = dev(VFT_EV_LINK_CHANGE, VFT_SRC_FENTRY, VF1, "net1", 20, BE_NS);
	ev.old_flags = 0x1002;
	ev.flags = 0x1003;
	feed(r, &ev);
}

/* The trusted comms first, then the host netns; each netns said once, before it is named. */
static void stream_start_and_netns(void **state)
{
	static const char *const trusted[] = { "my-cni" };
	struct run r = { .corr = { .trusted_comms = trusted, .n_trusted = 1 } };
	struct vft_event ev;
	char pod[64];

	r.filter.all = true;
	run_open(&r);
	assert_int_equal(vft_pipeline__host_netns(r.p), HOST_NS);
	assert_int_equal(vft_pipeline__begin(r.p), 0);
	assert_int_equal(find(&r, "event", "trust", NULL, 0, NULL), 0);
	assert_int_equal(find(&r, "event", "netns_info", NULL, 0, NULL), 1);
	assert_int_equal(netns_infos(&r, HOST_NS, NULL, 0), 1);

	pod_start(&r);
	assert_int_equal(netns_infos(&r, HOST_NS, NULL, 0), 1);
	assert_int_equal(netns_infos(&r, BE_NS, pod, sizeof(pod)), 1);
	assert_string_equal(pod, POD_BE);
	/* the pod's netns is said between the register and the move */
	assert_true(find(&r, "event", "netns_info", NULL, 1, NULL) <
		    find(&r, "event", "netns_move", VF1, 0, NULL));
	assert_true(find(&r, "event", "netns_info", NULL, 1, NULL) >
		    find(&r, "event", "netdev_register", VF1, 0, NULL));

	/* lo goes last when a netns is destroyed: the inode's next netns is said again */
	ev = dev(VFT_EV_NETDEV_UNREGISTER, VFT_SRC_NETLINK, "", "lo", 1, BE_NS);
	feed(&r, &ev);
	assert_int_equal(vft_pipeline__drain(r.p), 0);
	ev = dev(VFT_EV_NETDEV_REGISTER, VFT_SRC_FENTRY, "", "lo", 1, BE_NS);
	feed(&r, &ev);
	assert_int_equal(netns_infos(&r, BE_NS, NULL, 0), 2);
	/* whether a netns was said is the correlator's: forgotten there, said again */
	assert_true(vft_corr__netns_described(vft_pipeline__corr(r.p), BE_NS));
	vft_corr__netns_forget(vft_pipeline__corr(r.p), BE_NS);
	ev = dev(VFT_EV_NETDEV_REGISTER, VFT_SRC_FENTRY, "", "d3", 60, BE_NS);
	feed(&r, &ev);
	assert_int_equal(netns_infos(&r, BE_NS, NULL, 0), 3);
	assert_true(vft_corr__netns_described(vft_pipeline__corr(r.p), BE_NS));
	/* not the host's */
	ev = dev(VFT_EV_NETDEV_UNREGISTER, VFT_SRC_FENTRY, "", "lo", 1, HOST_NS);
	feed(&r, &ev);
	ev = dev(VFT_EV_NETDEV_REGISTER, VFT_SRC_FENTRY, "", "lo", 1, HOST_NS);
	feed(&r, &ev);
	assert_int_equal(netns_infos(&r, HOST_NS, NULL, 0), 1);
	run_close(&r);
}

/* rtnetlink's copy of a change a hook sees: dropped at once, held for the window, or paired. */
static void merge_of_sources(void **state)
{
	struct vft_hook_state hooks[VFT_HOOK_MAX];
	struct run r = { 0 };
	struct vft_event ev;
	int ms;

	memset(hooks, 0, sizeof(hooks));
	hooks[VFT_HOOK_NETDEV_REGISTER].status = VFT_HOOK_ATTACHED;
	r.filter.all = true;
	run_open(&r);
	vft_pipeline__cover_hooks(r.p, hooks, VFT_HOOK_MAX);
	assert_int_equal(vft_pipeline__begin(r.p), 0);
	assert_int_equal(vft_pipeline__timeout_ms(r.p, -1), -1);
	assert_int_equal(vft_pipeline__timeout_ms(r.p, 70), 70);

	/* a hooked kind: rtnetlink's register is dropped, now and later */
	ev = dev(VFT_EV_NETDEV_REGISTER, VFT_SRC_NETLINK, "", "x1", 30, HOST_NS);
	feed(&r, &ev);
	mono += SEC;
	assert_int_equal(vft_pipeline__tick(r.p, false), 0);
	assert_int_equal(count(&r, "event", "netdev_register", NULL), 0);

	/* not hooked: held for the window, the loop told when to release it */
	ev = dev(VFT_EV_LINK_CHANGE, VFT_SRC_NETLINK, "", "x1", 30, HOST_NS);
	ev.flags = 0x1003;
	ev.old_flags = 0x1002;
	feed(&r, &ev);
	assert_int_equal(count(&r, "event", "link_change", NULL), 0);
	ms = vft_pipeline__timeout_ms(r.p, -1);
	assert_true(ms > 0 && ms <= 500);
	assert_int_equal(vft_pipeline__timeout_ms(r.p, 2), 2);
	mono += 600 * 1000000ULL;
	assert_int_equal(vft_pipeline__tick(r.p, false), 0);
	assert_int_equal(count(&r, "event", "link_change", NULL), 1);

	/* a hook's event of the same change within the window: rtnetlink's copy goes */
	ev = dev(VFT_EV_ADDR_ADD, VFT_SRC_NETLINK, "", "x1", 30, HOST_NS);
	ev.family = 2;
	ev.prefixlen = 24;
	ev.addr[0] = 10;
	ev.addr[3] = 7;
	feed(&r, &ev);
	ev.source = VFT_SRC_FENTRY;
	ev.has_actor = true;
	ev.actor.pid = 99;
	feed(&r, &ev);
	assert_int_equal(vft_pipeline__tick(r.p, true), 0);
	assert_int_equal(count(&r, "event", "addr_add", NULL), 1);
	assert_true(find_with(&r, "event", "addr_add", NULL, "\"source\":\"fentry\"", 0, NULL) >=
		    0);
	run_close(&r);
}

/* The selection: by default the fixture's VFs and not a veth; by name what matches. */
static void selection(void **state)
{
	struct run r = { 0 };
	struct vft_event ev;

	run_open(&r);
	assert_int_equal(vft_pipeline__begin(r.p), 0);
	ev = dev(VFT_EV_NETDEV_REGISTER, VFT_SRC_FENTRY, VF2, "ibp24s0v1", 21, HOST_NS);
	feed(&r, &ev);
	ev = dev(VFT_EV_NETDEV_REGISTER, VFT_SRC_FENTRY, "", "veth9", 40, HOST_NS);
	feed(&r, &ev);
	/* selected once, a device stays selected under its new name */
	ev = dev(VFT_EV_NETDEV_RENAME, VFT_SRC_FENTRY, VF2, "ibp24s0v1", 21, HOST_NS);
	snprintf(ev.new_ifname, sizeof(ev.new_ifname), "renamed0");
	ev.has_ret = true;
	feed(&r, &ev);
	ev = dev(VFT_EV_LINK_CHANGE, VFT_SRC_FENTRY, "", "renamed0", 21, HOST_NS);
	ev.flags = 0x1003;
	feed(&r, &ev);
	assert_int_equal(count(&r, "event", "netdev_register", VF2), 1);
	assert_int_equal(count(&r, "event", "link_change", VF2), 1);
	assert_int_equal(count(&r, "event", "netdev_register", "veth9"), 0);
	/* the inventory of the fixture: every VF of the 8 PFs */
	assert_int_equal(vft_pipeline__inventory(r.p, NULL), 0);
	assert_int_equal(count(&r, "event", "vf_add", NULL), 32);
	run_close(&r);

	memset(&r, 0, sizeof(r));
	assert_int_equal(vft_filter__add_ifname(&r.filter, "veth*"), 0);
	run_open(&r);
	ev = dev(VFT_EV_NETDEV_REGISTER, VFT_SRC_FENTRY, VF2, "ibp24s0v1", 21, HOST_NS);
	feed(&r, &ev);
	ev = dev(VFT_EV_NETDEV_REGISTER, VFT_SRC_FENTRY, "", "veth9", 40, HOST_NS);
	feed(&r, &ev);
	assert_int_equal(count(&r, "event", "netdev_register", VF2), 0);
	assert_int_equal(count(&r, "event", "netdev_register", "veth9"), 1);
	run_close(&r);
}

/* The end of a grace period: the vf_check into the stream, then its findings. */
static void grace_end(void **state)
{
	struct run r = { .corr = { .grace_ns = 2 * SEC } };
	int n;

	r.filter.all = true;
	run_open(&r);
	assert_int_equal(vft_pipeline__begin(r.p), 0);
	pod_start(&r);
	assert_int_equal(vft_pipeline__tick(r.p, false), 0);
	assert_int_equal(count(&r, "event", "vf_check", NULL), 0);
	assert_int_equal(vft_pipeline__timeout_ms(r.p, -1), 1000);
	elapse(3 * SEC);
	assert_int_equal(vft_pipeline__timeout_ms(r.p, -1), 0);
	assert_int_equal(vft_pipeline__tick(r.p, false), 0);
	assert_int_equal(count(&r, "event", "vf_check", VF1), 1);
	assert_int_equal(count(&r, "finding", NULL, VF1), 1);
	assert_true(strstr(r.buf, "\"code\":\"NET1_NO_IP\"") != NULL);
	assert_true(find(&r, "event", "vf_check", VF1, 0, NULL) <
		    find(&r, "finding", NULL, VF1, 0, NULL));
	/* once per deadline */
	elapse(3 * SEC);
	assert_int_equal(vft_pipeline__tick(r.p, false), 0);
	assert_int_equal(count(&r, "event", "vf_check", VF1), 1);
	/* the timeline keeps its steps (watch) */
	assert_int_equal(vft_pipeline__finish(r.p), 0);
	assert_int_equal(count(&r, "vf", NULL, VF1), 1);
	assert_null(strstr(r.buf, "\"steps\":[]"));
	find(&r, "summary", NULL, NULL, 0, &n);
	assert_int_equal(n, 1);
	run_close(&r);
}

/*
 * The wall clock stepped during a grace period (NTP at boot, date -s): the
 * deadline is on the boot-time clock, so a step forward fires nothing early
 * and a step back delays nothing; the times shown follow the wall clock.
 */
static void grace_across_clock_steps(void **state)
{
	struct run r = { .corr = { .grace_ns = 2 * SEC } };

	r.filter.all = true;
	run_open(&r);
	assert_int_equal(vft_pipeline__begin(r.p), 0);
	pod_start(&r);
	elapse(SEC);
	wall += 3600 * SEC; /* a step forward of an hour, one second in */
	assert_int_equal(vft_pipeline__tick(r.p, false), 0);
	assert_int_equal(count(&r, "event", "vf_check", VF1), 0);
	assert_int_equal(count(&r, "finding", NULL, VF1), 0);
	assert_int_equal(vft_pipeline__timeout_ms(r.p, -1), 1000);
	elapse(SEC + SEC / 2);
	assert_int_equal(vft_pipeline__tick(r.p, false), 0);
	assert_int_equal(count(&r, "event", "vf_check", VF1), 1);
	assert_true(find_with(&r, "finding", NULL, VF1, "NET1_NO_IP", 0, NULL) >= 0);
	/* the message counts the seconds of the grace period, not of the step */
	assert_non_null(strstr(r.buf, "has no IP address 2 s after it arrived"));
	run_close(&r);

	/* a step back of an hour: the check still comes when the grace period ends */
	memset(&r, 0, sizeof(r));
	r.corr.grace_ns = 2 * SEC;
	r.filter.all = true;
	run_open(&r);
	assert_int_equal(vft_pipeline__begin(r.p), 0);
	pod_start(&r);
	wall -= 3600 * SEC;
	elapse(3 * SEC);
	assert_int_equal(vft_pipeline__timeout_ms(r.p, -1), 0);
	assert_int_equal(vft_pipeline__tick(r.p, false), 0);
	assert_int_equal(count(&r, "event", "vf_check", VF1), 1);
	run_close(&r);
}

/* The lines of @types of a replay of @path, in JSON. */
static char *replay_lines(const char *path, const char *types)
{
	const char *paths[1] = { path };
	struct vft_replay_opts o = { .paths = paths, .n_paths = 1 };
	struct vft_replay_result res;
	char *buf = NULL, *out = NULL, *line, *save = NULL;
	size_t len = 0, olen = 0;
	FILE *f = open_memstream(&buf, &len), *of;
	struct vft_sink *s = vft_sink_json__new(f);

	assert_int_equal(vft_replay__run(&o, s, &res), 0);
	fclose(f);
	vft_sink__free(s);
	of = open_memstream(&out, &olen);
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct json_object *j = json_tokener_parse(line);

		if (strstr(types, str(j, "type")))
			fprintf(of, "%s\n", line);
		json_object_put(j);
	}
	fclose(of);
	free(buf);
	return out;
}

/* The same lines of the run's own output. */
static char *run_lines(struct run *r, const char *types)
{
	char *copy, *out = NULL, *line, *save = NULL;
	size_t olen = 0;
	FILE *of = open_memstream(&out, &olen);

	fflush(r->out);
	copy = strndup(r->buf, r->len);
	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct json_object *j = json_tokener_parse(line);

		if (strstr(types, str(j, "type")))
			fprintf(of, "%s\n", line);
		json_object_put(j);
	}
	fclose(of);
	free(copy);
	return out;
}

/* watch -o and record: what the pipeline judged is in the capture, losses included. */
static void capture_replays_the_run(void **state)
{
	struct run r = { .corr = { .grace_ns = 2 * SEC } };
	struct vft_capture_stats st;
	struct vft_event ev;
	char path[600], *live, *replayed;
	struct stat sb;

	snprintf(path, sizeof(path), "%s/run.cap", base);
	r.filter.all = true;
	run_open(&r);
	assert_false(vft_pipeline__capture_stats(r.p, NULL));
	assert_int_equal(vft_pipeline__capture_open(r.p, path, NULL, NULL), 0);
	assert_int_equal(vft_pipeline__capture_open(r.p, path, NULL, NULL), -EBUSY);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_int_equal(vft_pipeline__begin(r.p), 0);
	pod_start(&r);
	elapse(3 * SEC);
	assert_int_equal(vft_pipeline__tick(r.p, false), 0);
	/* the sources lost 3, then 2 more: said as they come, and recorded */
	assert_int_equal(vft_pipeline__lost(r.p, 3), 0);
	assert_int_equal(vft_pipeline__lost(r.p, 3), 0);
	assert_int_equal(vft_pipeline__lost(r.p, 5), 0);
	assert_int_equal(count(&r, "lost", NULL, NULL), 2);
	assert_int_equal(vft_pipeline__lost_total(r.p), 5);
	elapse(SEC);
	ev = dev(VFT_EV_ADDR_ADD, VFT_SRC_FENTRY, VF1, "net1", 20, BE_NS);
	ev.family = 2;
	ev.prefixlen = 16;
	ev.addr[0] = 10;
	ev.addr[3] = 3;
	feed(&r, &ev);
	assert_int_equal(vft_pipeline__capture_flush(r.p), 0);
	assert_true(vft_pipeline__capture_stats(r.p, &st));
	assert_true(st.events > 0);
	assert_int_equal(vft_pipeline__finish(r.p), 0);
	assert_int_equal(vft_pipeline__capture_close(r.p), 0);
	assert_false(vft_pipeline__capture_failed(r.p));
	assert_int_equal(count(&r, "resolved", NULL, VF1), 1);

	live = run_lines(&r, "finding resolved vf");
	replayed = replay_lines(path, "finding resolved vf");
	assert_string_equal(replayed, live);
	free(live);
	free(replayed);
	replayed = replay_lines(path, "summary");
	assert_non_null(strstr(replayed, "\"lost\":5"));
	free(replayed);
	run_close(&r);
}

/* audit: no timeline steps, and a pod's netns forgotten with its last device is said again. */
static void no_steps_and_retention(void **state)
{
	uint64_t retain;

	for (retain = 0; retain <= 2 * SEC; retain += 2 * SEC) {
		struct run r = { .corr = { .no_steps = true, .retain_ns = retain } };
		struct vft_event ev;

		r.filter.all = true;
		run_open(&r);
		assert_int_equal(vft_pipeline__begin(r.p), 0);
		ev = dev(VFT_EV_NETDEV_REGISTER, VFT_SRC_FENTRY, VF2, "ibp24s0v1", 21, HOST_NS);
		feed(&r, &ev);
		ev = move(VF2, "ibp24s0v1", 21, HOST_NS, BU_NS, "net1");
		feed(&r, &ev);
		elapse(SEC);
		ev = move(VF2, "net1", 21, BU_NS, HOST_NS, "ibp24s0v1");
		feed(&r, &ev);
		ev = dev(VFT_EV_NETDEV_REGISTER, VFT_SRC_FENTRY, "", "d2", 50, BU_NS);
		feed(&r, &ev);
		assert_int_equal(netns_infos(&r, BU_NS, NULL, 0), retain ? 2 : 1);
		assert_int_equal(vft_pipeline__finish(r.p), 0);
		assert_int_equal(count(&r, "vf", NULL, VF2), 1);
		assert_non_null(strstr(r.buf, "\"steps\":[]"));
		run_close(&r);
	}
}

/* audit: events, findings and losses counted; VFs, records and the textfile. */
static void metrics(void **state)
{
	struct run r = { .corr = { .grace_ns = 2 * SEC } };
	char path[600], *text = NULL;
	size_t len = 0;
	struct stat sb;

	snprintf(path, sizeof(path), "%s/vftrace.prom", base);
	r.metrics = vft_metrics__new();
	assert_non_null(r.metrics);
	r.filter.all = true;
	run_open(&r);
	assert_int_equal(vft_pipeline__begin(r.p), 0);
	pod_start(&r);
	elapse(3 * SEC);
	assert_int_equal(vft_pipeline__tick(r.p, false), 0);
	assert_int_equal(vft_pipeline__lost(r.p, 4), 0);
	vft_pipeline__update_metrics(r.p, path);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_int_equal(vft_metrics__render(r.metrics, &text, &len), 0);
	assert_non_null(strstr(text, "vftrace_events_total{kind=\"netdev_register\"} 1\n"));
	assert_non_null(strstr(text, "vftrace_events_total{kind=\"netns_info\"} 2\n"));
	assert_non_null(strstr(text, "vftrace_findings_raised_total{code=\"NET1_NO_IP\"} 1\n"));
	assert_non_null(strstr(text, "vftrace_events_lost_total 4\n"));
	assert_non_null(strstr(text, "vftrace_vfs{state=\"pod\"} 1\n"));
	free(text);
	run_close(&r);
}

static uint64_t real_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* After pod_start(): VF1 gets mlx5_16; VF2 is registered, moved into a pod and gets mlx5_17. */
static void two_rdma_vfs(struct run *r)
{
	struct vft_event ev;

	ev = dev(VFT_EV_RDMA_REGISTER, VFT_SRC_FENTRY, VF1, "", 0, HOST_NS);
	snprintf(ev.ibdev, sizeof(ev.ibdev), "mlx5_16");
	ev.has_ret = true;
	feed(r, &ev);
	ev = dev(VFT_EV_NETDEV_REGISTER, VFT_SRC_FENTRY, VF2, "ibp24s0v1", 21, HOST_NS);
	feed(r, &ev);
	ev = move(VF2, "ibp24s0v1", 21, HOST_NS, BU_NS, "net1");
	feed(r, &ev);
	ev = dev(VFT_EV_RDMA_REGISTER, VFT_SRC_FENTRY, VF2, "", 0, HOST_NS);
	snprintf(ev.ibdev, sizeof(ev.ibdev), "mlx5_17");
	ev.has_ret = true;
	feed(r, &ev);
}

/*
 * A grace period ends while the port's sysfs file hangs (a FIFO no one
 * writes, as a driver that never answers): the re-read is killed at its
 * deadline, the check comes without it, and the next VF's re-read is not
 * tried (the loop is held once, not once per VF); both are counted, in the
 * metrics and the summary.
 */
static void grace_end_read_hangs(void **state)
{
	struct run r = { .corr = { .grace_ns = 2 * SEC }, .read_timeout_ns = 300 * 1000000ULL };
	char port[700], keep[720], *text = NULL;
	uint64_t t0, took;
	size_t len = 0;

	snprintf(port, sizeof(port), "%s/sys/class/infiniband/mlx5_16/ports/1/state", root);
	snprintf(keep, sizeof(keep), "%s.keep", port);
	assert_int_equal(rename(port, keep), 0);
	assert_int_equal(mkfifo(port, 0600), 0);
	r.metrics = vft_metrics__new();
	assert_non_null(r.metrics);
	r.filter.all = true;
	run_open(&r);
	assert_int_equal(vft_pipeline__begin(r.p), 0);
	pod_start(&r);
	two_rdma_vfs(&r);
	elapse(3 * SEC);
	t0 = real_ms();
	assert_int_equal(vft_pipeline__tick(r.p, false), 0);
	took = real_ms() - t0;
	assert_true(took >= 300);
	assert_true(took < 2000);
	assert_int_equal(count(&r, "event", "vf_check", VF1), 1);
	assert_int_equal(count(&r, "event", "vf_check", VF2), 1);
	assert_int_equal(count(&r, "event", "rdma_port_state", NULL), 0);
	assert_int_equal(vft_pipeline__skipped_total(r.p, VFT_SKIP_GRACE_END), 2);
	assert_int_equal(vft_metrics__render(r.metrics, &text, &len), 0);
	assert_non_null(strstr(text, "vftrace_checks_skipped_total{check=\"grace_end\"} 2\n"));
	free(text);
	assert_int_equal(vft_pipeline__finish(r.p), 0);
	assert_true(find_with(&r, "summary", NULL, NULL, "\"checks_skipped\":2", 0, NULL) >= 0);
	run_close(&r);
	assert_int_equal(unlink(port), 0);
	assert_int_equal(rename(keep, port), 0);
}

/*
 * The same hang with the live loop's re-reads off the loop: the tick that
 * ends the grace periods returns at once, events go on flowing while the
 * re-read hangs, and each check comes when its re-read answered or was
 * killed, in order; the second VF's re-read is not tried (paused).
 */
static void grace_end_read_hangs_off_loop(void **state)
{
	struct run r = { .corr = { .grace_ns = 2 * SEC },
			 .read_timeout_ns = 300 * 1000000ULL,
			 .off_loop = true };
	char port[700], keep[720];
	struct vft_event ev;
	uint64_t t0;

	snprintf(port, sizeof(port), "%s/sys/class/infiniband/mlx5_16/ports/1/state", root);
	snprintf(keep, sizeof(keep), "%s.keep", port);
	assert_int_equal(rename(port, keep), 0);
	assert_int_equal(mkfifo(port, 0600), 0);
	n_watch = n_unwatch = 0;
	watched = -1;
	r.filter.all = true;
	run_open(&r);
	assert_int_equal(vft_pipeline__begin(r.p), 0);
	pod_start(&r);
	two_rdma_vfs(&r);
	elapse(3 * SEC);
	t0 = real_ms();
	assert_int_equal(vft_pipeline__tick(r.p, false), 0);
	assert_true(real_ms() - t0 < 200);
	assert_int_equal(vft_pipeline__reads_pending(r.p), 2);
	assert_int_equal(n_watch, 1);
	assert_true(vft_pipeline__timeout_ms(r.p, -1) <= 1000);
	assert_int_equal(count(&r, "event", "vf_check", NULL), 0);
	/* the loop goes on: an event fed now is out before any check */
	ev = dev(VFT_EV_LINK_CHANGE, VFT_SRC_FENTRY, VF2, "net1", 21, BU_NS);
	feed(&r, &ev);
	assert_int_equal(count(&r, "event", "link_change", VF2), 1);
	/* the hung re-read answers "timed out" at its own deadline, in the child */
	settle_reads(r.p);
	assert_true(real_ms() - t0 >= 300);
	assert_true(real_ms() - t0 < 3000);
	assert_int_equal(count(&r, "event", "vf_check", VF1), 1);
	assert_int_equal(count(&r, "event", "vf_check", VF2), 1);
	assert_true(find(&r, "event", "link_change", VF2, 0, NULL) <
		    find(&r, "event", "vf_check", VF1, 0, NULL));
	assert_int_equal(count(&r, "event", "rdma_port_state", NULL), 0);
	assert_int_equal(vft_pipeline__reads_pending(r.p), 0);
	assert_int_equal(n_watch, 1);
	assert_int_equal(n_unwatch, 1);
	assert_int_equal(watched, -1);
	assert_int_equal(vft_pipeline__skipped_total(r.p, VFT_SKIP_GRACE_END), 2);
	run_close(&r);
	assert_int_equal(unlink(port), 0);
	assert_int_equal(rename(keep, port), 0);
}

/* Off the loop, a re-read that answers: its port state, then the check, once each. */
static void grace_end_read_off_loop(void **state)
{
	struct run r = { .corr = { .grace_ns = 2 * SEC }, .off_loop = true };
	struct vft_event ev;

	n_watch = n_unwatch = 0;
	watched = -1;
	r.filter.all = true;
	run_open(&r);
	assert_int_equal(vft_pipeline__begin(r.p), 0);
	pod_start(&r);
	ev = dev(VFT_EV_RDMA_REGISTER, VFT_SRC_FENTRY, VF1, "", 0, HOST_NS);
	snprintf(ev.ibdev, sizeof(ev.ibdev), "mlx5_16");
	ev.has_ret = true;
	feed(&r, &ev);
	elapse(3 * SEC);
	assert_int_equal(vft_pipeline__tick(r.p, false), 0);
	assert_int_equal(vft_pipeline__reads_pending(r.p), 1);
	settle_reads(r.p);
	assert_int_equal(vft_pipeline__reads_pending(r.p), 0);
	assert_int_equal(count(&r, "event", "rdma_port_state", VF1), 1);
	assert_int_equal(count(&r, "event", "vf_check", VF1), 1);
	assert_true(find(&r, "event", "rdma_port_state", VF1, 0, NULL) <
		    find(&r, "event", "vf_check", VF1, 0, NULL));
	assert_int_equal(vft_pipeline__skipped_total(r.p, VFT_SKIP_GRACE_END), 0);
	/* the end waits for what is pending: a second VF's grace ends as the run stops */
	ev = move(VF2, "ibp24s0v1", 21, HOST_NS, BU_NS, "net1");
	feed(&r, &ev);
	ev = dev(VFT_EV_RDMA_REGISTER, VFT_SRC_FENTRY, VF2, "", 0, HOST_NS);
	snprintf(ev.ibdev, sizeof(ev.ibdev), "mlx5_17");
	ev.has_ret = true;
	feed(&r, &ev);
	elapse(3 * SEC);
	assert_int_equal(vft_pipeline__tick(r.p, true), 0);
	assert_int_equal(vft_pipeline__reads_pending(r.p), 0);
	assert_int_equal(count(&r, "event", "vf_check", VF2), 1);
	assert_int_equal(n_watch, n_unwatch);
	run_close(&r);
}

static struct vft_event recorded(uint32_t kind, const char *ifname, const char *parent)
{
	struct vft_event ev = dev(kind, VFT_SRC_FENTRY, parent, ifname, 0, HOST_NS);

	ev.ts_ns = wall;
	return ev;
}

/* replay: a recorded stream straight to the correlator; only one VF's lines reach the sink. */
static void recorded_with_window(void **state)
{
	struct run r = { .recorded = true, .only_key = VF2, .corr = { .replay = true } };
	struct vft_event ev;
	int i;

	run_open(&r);
	assert_null(vft_pipeline__netns_map(r.p));
	ev = recorded(VFT_EV_NETDEV_REGISTER, "ibp24s0v0", VF1);
	assert_int_equal(vft_pipeline__feed(r.p, &ev), -EINVAL);
	memset(&ev, 0, sizeof(ev));
	ev.kind = VFT_EV_NETNS_INFO;
	ev.source = VFT_SRC_ENRICH;
	ev.netns = HOST_NS + 1;
	ev.netns_host = true;
	assert_int_equal(vft_pipeline__feed_recorded(r.p, &ev), 0);
	/* the host netns is the stream's */
	assert_int_equal(vft_pipeline__host_netns(r.p), HOST_NS + 1);
	for (i = 1; i <= 2; i++) {
		memset(&ev, 0, sizeof(ev));
		ev.kind = VFT_EV_VF_ADD;
		ev.source = VFT_SRC_INVENTORY;
		ev.ts_ns = wall;
		snprintf(ev.pf, sizeof(ev.pf), "0000:18:00.0");
		snprintf(ev.device, sizeof(ev.device), "0000:18:00.%d", i);
		ev.vf_index = i - 1;
		assert_int_equal(vft_pipeline__feed_recorded(r.p, &ev), 0);
	}
	ev = recorded(VFT_EV_NETDEV_REGISTER, "ibp24s0v0", VF1);
	assert_int_equal(vft_pipeline__feed_recorded(r.p, &ev), 0);
	ev = recorded(VFT_EV_NETDEV_REGISTER, "ibp24s0v1", VF2);
	assert_int_equal(vft_pipeline__feed_recorded(r.p, &ev), 0);
	memset(&ev, 0, sizeof(ev));
	ev.kind = VFT_EV_LOST;
	ev.source = VFT_SRC_ENRICH;
	ev.ts_ns = wall;
	ev.lost = 6;
	assert_int_equal(vft_pipeline__feed_recorded(r.p, &ev), 0);
	assert_int_equal(vft_pipeline__events(r.p), 2);
	assert_int_equal(vft_pipeline__lost_total(r.p), 6);
	assert_int_equal(vft_pipeline__finish(r.p), 0);
	assert_int_equal(count(&r, "event", NULL, NULL), 2);
	assert_int_equal(count(&r, "event", NULL, VF2), 2);
	assert_int_equal(count(&r, "lost", NULL, NULL), 1);
	assert_int_equal(count(&r, "vf", NULL, NULL), 1);
	assert_non_null(strstr(r.buf, "\"type\":\"summary\",\"events\":2,\"lost\":6"));
	run_close(&r);

	/* a live pipeline takes no recorded events */
	memset(&r, 0, sizeof(r));
	run_open(&r);
	ev = recorded(VFT_EV_NETDEV_REGISTER, "ibp24s0v0", VF1);
	assert_int_equal(vft_pipeline__feed_recorded(r.p, &ev), -EINVAL);
	run_close(&r);
}

static int writes;

/* The capture's file: its header, then a full disk. */
static ssize_t full_after_header(int fd, const void *buf, size_t len, off_t off, void *ctx)
{
	if (writes++ < 1)
		return pwrite(fd, buf, len, off);
	errno = ENOSPC;
	return -1;
}

/* An output error is the output's (the run says "cannot write output"); a capture's is the capture's. */
static void output_and_capture_errors(void **state)
{
	struct vft_capture_opts copts = { .write_fn = full_after_header };
	struct vft_pipeline_opts po = { .root = root, .clock = test_clock };
	struct vft_pipeline *p;
	struct vft_sink *sink;
	struct vft_event ev;
	char path[600];
	FILE *full = fopen("/dev/full", "w");

	assert_non_null(full);
	sink = vft_sink_json__new(full);
	po.sink = sink;
	assert_int_equal(vft_pipeline__new(&po, &p), 0);
	assert_int_equal(vft_pipeline__begin(p), -ENOSPC);
	assert_false(vft_pipeline__capture_failed(p));
	vft_pipeline__free(p);
	vft_sink__free(sink);
	fclose(full);

	snprintf(path, sizeof(path), "%s/full.cap", base);
	po.sink = NULL;
	assert_int_equal(vft_pipeline__new(&po, &p), 0);
	writes = 0;
	assert_int_equal(vft_pipeline__capture_open(p, path, &copts, NULL), 0);
	assert_int_equal(vft_pipeline__begin(p), 0);
	ev = dev(VFT_EV_NETDEV_REGISTER, VFT_SRC_FENTRY, VF1, "ibp24s0v0", 20, HOST_NS);
	assert_int_equal(vft_pipeline__feed(p, &ev), 0);
	assert_false(vft_pipeline__capture_failed(p));
	assert_int_equal(vft_pipeline__capture_flush(p), -ENOSPC);
	assert_true(vft_pipeline__capture_failed(p));
	vft_pipeline__free(p);
}

static int setup(void **state)
{
	return fixture_make("dgx-b200-healthy", base, sizeof(base), root, sizeof(root));
}

static int teardown(void **state)
{
	fixture_remove(base);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(stream_start_and_netns),
		cmocka_unit_test(merge_of_sources),
		cmocka_unit_test(selection),
		cmocka_unit_test(grace_end),
		cmocka_unit_test(grace_across_clock_steps),
		cmocka_unit_test(grace_end_read_hangs),
		cmocka_unit_test(grace_end_read_hangs_off_loop),
		cmocka_unit_test(grace_end_read_off_loop),
		cmocka_unit_test(capture_replays_the_run),
		cmocka_unit_test(no_steps_and_retention),
		cmocka_unit_test(metrics),
		cmocka_unit_test(recorded_with_window),
		cmocka_unit_test(output_and_capture_errors),
	};

	return cmocka_run_group_tests_name("pipeline", tests, setup, teardown);
}
