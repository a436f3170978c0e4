// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_report.c - the picture sink (sinks/sink_trace.h) behind a recorded
 * pipeline, as replay and report assemble it: a small stream (VF1 moved into
 * a pod, VF2's move failing with EEXIST, a hostile netns name) must come out
 * as Chrome trace-event JSON with a named track per VF, a pod slice, an
 * instant per kept step with its actor, a finding instant with its severity,
 * and a flow from a call slice to the step it caused; and as an HTML page
 * whose JSON blob holds the same and cannot close its script element.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>
#include "correlate/correlate.h"
#include "pipeline/pipeline.h"
#include "sinks/sink.h"
#include "sinks/sink_trace.h"

#define HOST_NS 4026531840u
#define POD_NS 4026532301u
#define ODD_NS 4026532400u
#define SEC 1000000000ULL
#define T0 (1764355200 * SEC)
#define VF1 "0000:18:00.1"
#define VF2 "0000:18:00.2"
#define POD_UID "0e5c2a7d-6f4b-4c3e-9a1d-2b7e8f9c0d11"
#define HOSTILE "</script><script>alert(1)</script>"

struct out {
	char *trace, *html;
	size_t trace_len, html_len;
};

static struct vft_event ev_of(uint64_t ts, uint32_t kind, const char *parent, const char *ifname,
			      uint32_t netns)
{
	struct vft_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.kind = kind;
	ev.source = VFT_SRC_FENTRY;
	ev.ts_ns = ts;
	snprintf(ev.parent, sizeof(ev.parent), "%s", parent);
	snprintf(ev.ifname, sizeof(ev.ifname), "%s", ifname);
	ev.ifindex = parent[11] == '1' ? 11 : 12;
	ev.netns = netns;
	ev.has_actor = true;
	ev.actor.pid = 700;
	snprintf(ev.actor.comm, sizeof(ev.actor.comm), "sriov");
	return ev;
}

static void netns_info(struct vft_pipeline *p, uint64_t ts, uint32_t netns, bool host,
		       const char *name, const char *pod)
{
	struct vft_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.kind = VFT_EV_NETNS_INFO;
	ev.source = VFT_SRC_ENRICH;
	ev.ts_ns = ts;
	ev.netns = netns;
	ev.netns_host = host;
	snprintf(ev.netns_name, sizeof(ev.netns_name), "%s", name);
	snprintf(ev.pod_uid, sizeof(ev.pod_uid), "%s", pod);
	assert_int_equal(vft_pipeline__feed_recorded(p, &ev), 0);
}

static void feed(struct vft_pipeline *p, const struct vft_event *ev)
{
	assert_int_equal(vft_pipeline__feed_recorded(p, ev), 0);
}

/* The stream through a recorded pipeline into a picture sink writing both outputs. */
static void run(struct out *o)
{
	struct vft_corr_opts copts = { .replay = true };
	struct vft_pipeline_opts po = { .recorded = true, .corr = &copts };
	struct vft_capture_header h = { .major = 1 };
	struct vft_trace_sink_opts to = {};
	struct vft_trace_sink *t;
	struct vft_pipeline *p;
	struct vft_event ev;
	int i;

	to.trace_json = open_memstream(&o->trace, &o->trace_len);
	to.html = open_memstream(&o->html, &o->html_len);
	t = vft_trace_sink__new(&to);
	assert_non_null(t);
	po.sink = vft_trace_sink__sink(t);
	assert_int_equal(vft_pipeline__new(&po, &p), 0);

	snprintf(h.hostname, sizeof(h.hostname), "node-<1>&\"x\"");
	snprintf(h.kernel, sizeof(h.kernel), "6.12.0");
	assert_int_equal(vft_sink__capture(po.sink, "a.cap", &h), 0);
	netns_info(p, T0, HOST_NS, true, "", "");
	netns_info(p, T0, POD_NS, false, "", POD_UID);
	netns_info(p, T0, ODD_NS, false, HOSTILE, "");
	for (i = 1; i <= 2; i++) {
		memset(&ev, 0, sizeof(ev));
		ev.kind = VFT_EV_VF_ADD;
		ev.source = VFT_SRC_INVENTORY;
		ev.ts_ns = T0;
		snprintf(ev.pf, sizeof(ev.pf), "0000:18:00.0");
		snprintf(ev.device, sizeof(ev.device), "0000:18:00.%d", i);
		ev.vf_index = i - 1;
		feed(p, &ev);
		ev = ev_of(T0, VFT_EV_NETDEV_REGISTER, i == 1 ? VF1 : VF2, i == 1 ? "v1" : "v2",
			   HOST_NS);
		ev.has_ret = true;
		feed(p, &ev);
	}
	ev = ev_of(T0 + 2 * SEC, VFT_EV_NETNS_MOVE, VF1, "v1", POD_NS);
	ev.from_netns = HOST_NS;
	ev.to_netns = POD_NS;
	ev.new_ifindex = 11;
	snprintf(ev.new_ifname, sizeof(ev.new_ifname), "net1");
	ev.has_ret = true;
	feed(p, &ev);
	ev = ev_of(T0 + 3 * SEC, VFT_EV_NETNS_MOVE, VF2, "v2", HOST_NS);
	ev.from_netns = HOST_NS;
	ev.to_netns = ODD_NS;
	ev.has_ret = true;
	ev.ret = -EEXIST;
	snprintf(ev.message, sizeof(ev.message), "exists " HOSTILE);
	feed(p, &ev);
	ev = ev_of(T0 + 5 * SEC, VFT_EV_NETNS_MOVE, VF1, "net1", HOST_NS);
	ev.from_netns = POD_NS;
	ev.to_netns = HOST_NS;
	ev.new_ifindex = 13;
	ev.has_ret = true;
	feed(p, &ev);
	/* a CNI call by the actor around VF1's first move: the hook the cni kind will use */
	assert_int_equal(vft_trace_sink__add_call(t, VF1, "CNI ADD", "pod " POD_UID, 700, T0 + SEC,
						  T0 + 2 * SEC + 1000),
			 0);
	assert_int_equal(vft_pipeline__finish(p), 0);
	vft_pipeline__free(p);
	vft_trace_sink__free(t);
	fclose(to.trace_json);
	fclose(to.html);
}

static struct json_object *get(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;

	json_object_object_get_ex(o, key, &v);
	return v;
}

static const char *str(struct json_object *o, const char *key)
{
	return json_object_get_string(get(o, key));
}

/* The events of @trace matching @ph (and @name, @pid when not NULL / 0). */
static int count(struct json_object *evs, const char *ph, const char *name, int pid)
{
	size_t i;
	int n = 0;

	for (i = 0; i < json_object_array_length(evs); i++) {
		struct json_object *e = json_object_array_get_idx(evs, i);

		if (strcmp(str(e, "ph"), ph) || (name && strcmp(str(e, "name"), name)) ||
		    (pid && json_object_get_int(get(e, "pid")) != pid))
			continue;
		n++;
	}
	return n;
}

static struct json_object *find(struct json_object *evs, const char *ph, const char *prefix)
{
	size_t i;

	for (i = 0; i < json_object_array_length(evs); i++) {
		struct json_object *e = json_object_array_get_idx(evs, i);

		if (!strcmp(str(e, "ph"), ph) && !strncmp(str(e, "name"), prefix, strlen(prefix)))
			return e;
	}
	return NULL;
}

static void trace_json_has_tracks_slices_steps_findings_flows(void **state)
{
	struct out o = {};
	struct json_object *root, *evs, *e, *args;
	int pid1, pid2;

	run(&o);
	root = json_tokener_parse(o.trace);
	assert_non_null(root);
	assert_string_equal(str(root, "displayTimeUnit"), "ms");
	evs = get(root, "traceEvents");
	assert_true(json_object_is_type(evs, json_type_array));

	/* a process per VF, named by PCI address and host netdev */
	e = find(evs, "M", "process_name");
	assert_non_null(e);
	assert_string_equal(str(get(e, "args"), "name"), VF1 " v1");
	pid1 = json_object_get_int(get(e, "pid"));
	assert_int_equal(count(evs, "M", "process_name", 0), 2);
	pid2 = pid1 == 1 ? 2 : 1;

	/* VF1's pod stay: from its move in (2 s after the first event) to its move out (5 s) */
	e = find(evs, "X", "pod " POD_UID);
	assert_non_null(e);
	assert_int_equal(json_object_get_int(get(e, "pid")), pid1);
	assert_true(json_object_get_double(get(e, "ts")) == 2e6);
	assert_true(json_object_get_double(get(e, "dur")) == 3e6);
	/* VF2 never left: no slice on its netns lane */
	assert_int_equal(count(evs, "X", NULL, pid2), 0);

	/* steps: instants with the actor in args */
	e = find(evs, "i", "moved v1 to netns");
	assert_non_null(e);
	assert_string_equal(str(e, "s"), "t");
	assert_string_equal(str(e, "cat"), "lifecycle");
	args = get(e, "args");
	assert_int_equal(json_object_get_int(get(get(args, "actor"), "pid")), 700);
	assert_string_equal(str(get(args, "actor"), "comm"), "sriov");

	/* the failed move: an error finding on VF2's track, code, message and remedy in args */
	e = find(evs, "i", "ERROR CNI_MOVE_FAILED");
	assert_non_null(e);
	assert_int_equal(json_object_get_int(get(e, "pid")), pid2);
	args = get(e, "args");
	assert_string_equal(str(args, "code"), "CNI_MOVE_FAILED");
	assert_string_equal(str(args, "severity"), "error");
	assert_non_null(strstr(str(args, "message"), "EEXIST"));
	assert_true(strlen(str(args, "remedy")) > 10);

	/* the call slice and one flow to the move it caused, in the category of both */
	e = find(evs, "X", "CNI ADD");
	assert_non_null(e);
	assert_string_equal(str(e, "cat"), "lifecycle");
	assert_int_equal(count(evs, "s", "caused", pid1), 1);
	assert_int_equal(count(evs, "f", "caused", pid1), 1);
	assert_string_equal(str(find(evs, "f", "caused"), "bp"), "e");
	assert_true(json_object_get_double(get(find(evs, "f", "caused"), "ts")) == 2e6);

	assert_string_equal(str(get(root, "otherData"), "host"), "node-<1>&\"x\"");
	json_object_put(root);
	free(o.trace);
	free(o.html);
}

static void html_embeds_the_data_safely(void **state)
{
	static const char open_tag[] = "<script type=\"application/json\" id=\"vft-data\">";
	struct out o = {};
	struct json_object *root, *vfs, *fs;
	char *start, *end, *blob;
	size_t i;

	run(&o);
	/* one page, nothing fetched */
	assert_non_null(strstr(o.html, "<!DOCTYPE html>"));
	assert_null(strstr(o.html, "http://"));
	assert_null(strstr(o.html, "https://"));
	assert_null(strstr(o.html, " src="));
	assert_null(strstr(o.html, "<link"));
	start = strstr(o.html, open_tag);
	assert_non_null(start);
	start += strlen(open_tag);
	end = strstr(start, "</script>");
	assert_non_null(end);
	/* the hostile strings are inside the blob, so the first "</" ends the blob */
	assert_null(memmem(start, (size_t)(end - start), "<", 1));
	blob = strndup(start, (size_t)(end - start));
	root = json_tokener_parse(blob);
	assert_non_null(root);
	assert_string_equal(str(get(root, "head"), "host"), "node-<1>&\"x\"");
	vfs = get(root, "vfs");
	assert_int_equal(json_object_array_length(vfs), 2);
	assert_string_equal(str(json_object_array_get_idx(vfs, 0), "key"), VF1);
	assert_string_equal(str(json_object_array_get_idx(vfs, 1), "key"), VF2);
	assert_int_equal(json_object_array_length(get(json_object_array_get_idx(vfs, 0), "stays")),
			 1);
	fs = get(root, "findings");
	for (i = 0; i < json_object_array_length(fs); i++)
		if (!strcmp(str(json_object_array_get_idx(fs, i), "code"), "CNI_MOVE_FAILED"))
			break;
	assert_true(i < json_object_array_length(fs));
	assert_string_equal(str(json_object_array_get_idx(fs, i), "vf"), VF2);
	assert_non_null(strstr(str(json_object_array_get_idx(fs, i), "message"), HOSTILE));
	/* the script that draws it follows */
	assert_non_null(strstr(end, "data-vf") ?: strstr(end, "dataset.vf"));
	json_object_put(root);
	free(blob);
	free(o.trace);
	free(o.html);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(trace_json_has_tracks_slices_steps_findings_flows),
		cmocka_unit_test(html_embeds_the_data_safely),
	};

	return cmocka_run_group_tests_name("report", tests, NULL, NULL);
}
