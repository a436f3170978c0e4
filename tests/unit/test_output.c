// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_output.c - the JSON Lines schema (docs/json.md) and the text sink.
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
#include "sinks/sink.h"

static struct vft_event move_event(int ret)
{
	struct vft_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.kind = VFT_EV_NETNS_MOVE;
	ev.source = VFT_SRC_KPROBE;
	ev.ts_ns = 1764355201123456789ULL;
	ev.has_actor = true;
	ev.actor.pid = 100;
	ev.actor.tid = 101;
	strcpy(ev.actor.comm, "sriov-cni");
	strcpy(ev.ifname, "ibp24s0v3");
	ev.ifindex = 12;
	ev.netns = 4026531840u;
	ev.from_netns = 4026531840u;
	ev.to_netns = 4026532300u;
	ev.has_ret = true;
	ev.ret = ret;
	return ev;
}

/* Runs @fn with a memory stream and returns the parsed lines as a JSON array. */
static struct json_object *lines_of(char *buf)
{
	struct json_object *arr = json_object_new_array();
	char *save = NULL, *line;

	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct json_object *o = json_tokener_parse(line);

		assert_non_null(o);
		json_object_array_add(arr, o);
	}
	return arr;
}

static const char *str(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v))
		return NULL;
	return json_object_get_string(v);
}

static int64_t num(struct json_object *o, const char *key)
{
	struct json_object *v;

	assert_true(json_object_object_get_ex(o, key, &v));
	return json_object_get_int64(v);
}

static void failed_move_has_errno(void **state)
{
	struct vft_event ev = move_event(-EEXIST);
	struct json_object *o = vft_event__to_json(&ev, NULL), *actor;

	assert_string_equal(str(o, "type"), "event");
	assert_string_equal(str(o, "event"), "netns_move");
	assert_string_equal(str(o, "source"), "kprobe");
	assert_string_equal(str(o, "ts"), "2025-11-28T18:40:01.123456789Z");
	assert_int_equal(num(o, "ts_ns"), 1764355201123456789LL);
	assert_string_equal(str(o, "ifname"), "ibp24s0v3");
	assert_int_equal(num(o, "ifindex"), 12);
	assert_int_equal(num(o, "from_netns"), 4026531840LL);
	assert_int_equal(num(o, "to_netns"), 4026532300LL);
	assert_int_equal(num(o, "ret"), -17);
	assert_string_equal(str(o, "errno"), "EEXIST");
	assert_null(str(o, "new_ifname"));
	assert_null(str(o, "parent"));
	assert_true(json_object_object_get_ex(o, "actor", &actor));
	assert_int_equal(num(actor, "pid"), 100);
	assert_string_equal(str(actor, "comm"), "sriov-cni");
	json_object_put(o);
}

static void good_move_has_no_errno(void **state)
{
	struct vft_event ev = move_event(0);
	struct json_object *o = vft_event__to_json(&ev, NULL);

	assert_int_equal(num(o, "ret"), 0);
	assert_null(str(o, "errno"));
	json_object_put(o);
}

static void register_has_no_move_fields(void **state)
{
	struct vft_event ev = move_event(0);
	struct json_object *o;

	ev.kind = VFT_EV_NETDEV_REGISTER;
	strcpy(ev.parent, "0000:18:00.2");
	o = vft_event__to_json(&ev, NULL);
	assert_string_equal(str(o, "event"), "netdev_register");
	assert_string_equal(str(o, "parent"), "0000:18:00.2");
	assert_null(str(o, "from_netns"));
	assert_null(str(o, "to_netns"));
	json_object_put(o);
}

static void invalid_utf8_is_replaced(void **state)
{
	struct vft_event ev = move_event(0);
	struct json_object *o;
	const char *line;

	strcpy(ev.actor.comm, "a\xff\xc3"
			      "b\xc3\xa9");
	o = vft_event__to_json(&ev, NULL);
	line = json_object_to_json_string(o);
	json_object_put(json_tokener_parse(line));
	assert_string_equal(str(json_object_object_get(o, "actor"), "comm"), "a?"
									     "?b\xc3\xa9");
	json_object_put(o);
}

static void stream_has_ready_events_lost_summary(void **state)
{
	struct vft_hook_state hooks[2] = {
		{ .def = &vft_hook_defs[0],
		  .status = VFT_HOOK_ATTACHED,
		  .mech = VFT_MECH_FENTRY,
		  .func = "register_netdevice" },
		{ .def = &vft_hook_defs[2],
		  .status = VFT_HOOK_UNAVAILABLE,
		  .reason = "fentry: EPERM; kprobes: not built into this kernel" },
	};
	struct vft_ready ready = { "9.9", "6.1.0-test", hooks, 2 };
	struct vft_summary sum = { .events = 1, .lost = 3 };
	struct vft_event ev = move_event(0);
	struct json_object *lines, *h, *h0, *h1;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct vft_sink *s = vft_sink_json__new(f);

	assert_int_equal(vft_sink__ready(s, &ready), 0);
	assert_int_equal(vft_sink__event(s, &ev, NULL), 0);
	assert_int_equal(vft_sink__lost(s, 3, 3, ev.ts_ns), 0);
	assert_int_equal(vft_sink__summary(s, &sum), 0);
	fclose(f);
	lines = lines_of(buf);
	assert_int_equal(json_object_array_length(lines), 4);
	assert_string_equal(str(json_object_array_get_idx(lines, 0), "type"), "ready");
	assert_string_equal(str(json_object_array_get_idx(lines, 0), "kernel"), "6.1.0-test");
	h = json_object_object_get(json_object_array_get_idx(lines, 0), "hooks");
	h0 = json_object_array_get_idx(h, 0);
	h1 = json_object_array_get_idx(h, 1);
	assert_string_equal(str(h0, "hook"), "netdev_register");
	assert_string_equal(str(h0, "status"), "attached");
	assert_string_equal(str(h0, "mechanism"), "fentry");
	assert_string_equal(str(h0, "function"), "register_netdevice");
	assert_string_equal(str(h1, "hook"), "netns_move");
	assert_string_equal(str(h1, "status"), "unavailable");
	assert_string_equal(str(h1, "reason"), hooks[1].reason);
	assert_null(str(h1, "mechanism"));
	assert_string_equal(str(json_object_array_get_idx(lines, 1), "type"), "event");
	assert_string_equal(str(json_object_array_get_idx(lines, 2), "type"), "lost");
	assert_int_equal(num(json_object_array_get_idx(lines, 2), "count"), 3);
	assert_string_equal(str(json_object_array_get_idx(lines, 3), "type"), "summary");
	assert_int_equal(num(json_object_array_get_idx(lines, 3), "lost"), 3);
	json_object_put(lines);
	vft_sink__free(s);
	free(buf);
}

static void text_line_says_failure(void **state)
{
	struct vft_event ev = move_event(-EEXIST);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct vft_sink *s = vft_sink_text__new(f, false);

	assert_int_equal(vft_sink__event(s, &ev, NULL), 0);
	fclose(f);
	assert_non_null(strstr(buf, "netns_move"));
	assert_non_null(strstr(buf, "ibp24s0v3"));
	assert_non_null(strstr(buf, "netns 4026531840 -> 4026532300"));
	assert_non_null(strstr(buf, "FAILED EEXIST (-17)"));
	assert_non_null(strstr(buf, "by sriov-cni[100]"));
	assert_null(strstr(buf, "\033[")); /* no colour unless asked */
	assert_int_equal(buf[len - 1], '\n');
	vft_sink__free(s);
	free(buf);
}

static void write_error_is_reported(void **state)
{
	struct vft_event ev = move_event(0);
	FILE *f = fopen("/dev/full", "w");
	struct vft_sink *s;

	if (!f)
		skip();
	s = vft_sink_json__new(f);
	assert_int_equal(vft_sink__event(s, &ev, NULL), -ENOSPC);
	vft_sink__free(s);
	fclose(f);
}

static struct vft_finding claim_finding(void)
{
	struct vft_finding f;

	memset(&f, 0, sizeof(f));
	f.id = 7;
	f.code = VFT_F_CNI_MOVE_FAILED;
	f.severity = VFT_SEV_ERROR;
	f.ts_ns = 1764355201123456789ULL;
	f.since_ns = f.ts_ns;
	strcpy(f.vf.key, "0000:18:00.3");
	strcpy(f.vf.pci, "0000:18:00.3");
	strcpy(f.vf.ifname, "ibp24s0v2");
	f.vf.netns = 4026531840u;
	strcpy(f.vf.pod_uid, "0c7e7a44-5a8b-4b8e-9d1c-2f3a4b5c6d7e");
	f.has_actor = true;
	f.pid = 4242;
	strcpy(f.comm, "sriov");
	strcpy(f.unit, "containerd.service");
	f.err = -EEXIST;
	strcpy(f.message, "moving failed: EEXIST");
	strcpy(f.evidence, "from_netns=1 to_netns=2 ret=-17");
	f.remedy = vft_finding__remedy(f.code);
	return f;
}

static void finding_and_resolution_schema(void **state)
{
	struct vft_finding f = claim_finding();
	struct json_object *o = vft_finding__to_json(&f), *vf, *actor;

	assert_string_equal(str(o, "type"), "finding");
	assert_int_equal(num(o, "id"), 7);
	assert_string_equal(str(o, "code"), "CNI_MOVE_FAILED");
	assert_string_equal(str(o, "severity"), "error");
	assert_string_equal(str(o, "errno"), "EEXIST");
	assert_int_equal(num(o, "ret"), -EEXIST);
	assert_string_equal(str(o, "message"), f.message);
	assert_string_equal(str(o, "evidence"), f.evidence);
	assert_non_null(str(o, "remedy"));
	assert_non_null(str(o, "ts"));
	vf = json_object_object_get(o, "vf");
	assert_string_equal(str(vf, "key"), "0000:18:00.3");
	assert_string_equal(str(vf, "pci"), "0000:18:00.3");
	assert_string_equal(str(vf, "ifname"), "ibp24s0v2");
	assert_int_equal(num(vf, "netns"), 4026531840u);
	assert_string_equal(str(vf, "pod"), f.vf.pod_uid);
	/* unknown fields are null, not absent: the schema is the same for every finding */
	assert_true(json_object_object_get_ex(vf, "ibdev", NULL));
	assert_null(json_object_object_get(vf, "ibdev"));
	actor = json_object_object_get(o, "actor");
	assert_int_equal(num(actor, "pid"), 4242);
	assert_string_equal(str(actor, "comm"), "sriov");
	assert_string_equal(str(actor, "unit"), "containerd.service");
	json_object_put(o);

	f.resolved = true;
	f.resolved_ns = f.ts_ns + 1500 * 1000000ULL;
	strcpy(f.resolved_by, "a later move succeeded");
	o = vft_finding__to_json(&f);
	assert_string_equal(str(o, "type"), "resolved");
	assert_int_equal(num(o, "id"), 7);
	assert_int_equal(num(o, "after_ms"), 1500);
	assert_string_equal(str(o, "by"), "a later move succeeded");
	json_object_put(o);
}

static void text_finding_and_timeline(void **state)
{
	struct vft_finding f = claim_finding();
	struct vft_step steps[2];
	struct vft_vf vf;
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	struct vft_sink *s = vft_sink_text__new(out, true);

	memset(&vf, 0, sizeof(vf));
	memset(steps, 0, sizeof(steps));
	vf.ref = f.vf;
	strcpy(vf.pf, "0000:18:00.0");
	vf.vf_index = 2;
	vf.numa_node = 0;
	strcpy(vf.names[0], "ibp24s0v2");
	vf.n_names = 1;
	vf.steps = steps;
	vf.n_steps = 2;
	steps[0].ts_ns = f.ts_ns;
	strcpy(steps[0].text, "netdev ibp24s0v2 registered in netns 4026531840");
	steps[1].ts_ns = f.ts_ns;
	steps[1].pid = 4242;
	strcpy(steps[1].comm, "sriov");
	strcpy(steps[1].text, "move of ibp24s0v2 to netns 2 failed: EEXIST");
	vf.n_findings = 1;
	vf.n_open = 1;
	assert_int_equal(vft_sink__finding(s, &f), 0);
	assert_int_equal(vft_sink__timeline(s, &vf), 0);
	fclose(out);
	assert_non_null(strstr(buf, "ERROR CNI_MOVE_FAILED"));
	assert_non_null(strstr(buf, "\033[31m")); /* errors are red on a terminal */
	assert_non_null(strstr(buf, "actor: sriov[4242] containerd.service"));
	assert_non_null(strstr(buf, "remedy: "));
	assert_non_null(strstr(buf, "VF 2 of 0000:18:00.0"));
	assert_non_null(strstr(buf, "failed: EEXIST  by sriov[4242]"));
	assert_non_null(strstr(buf, "findings: 1 raised, 1 open"));
	vft_sink__free(s);
	free(buf);
}

static void summary_counts_findings(void **state)
{
	struct vft_summary sum = { .events = 10, .vfs = 3 };
	struct json_object *lines, *o, *c;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct vft_sink *s = vft_sink_json__new(f);

	sum.raised[VFT_F_NET1_NO_IP] = 2;
	sum.resolved[VFT_F_NET1_NO_IP] = 1;
	assert_int_equal(vft_sink__summary(s, &sum), 0);
	fclose(f);
	lines = lines_of(buf);
	o = json_object_array_get_idx(lines, 0);
	assert_int_equal(num(o, "vfs"), 3);
	c = json_object_object_get(o, "findings");
	assert_int_equal(num(c, "NET1_NO_IP"), 2);
	assert_null(json_object_object_get(c, "LID_MISSING"));
	assert_int_equal(num(json_object_object_get(o, "resolved"), "NET1_NO_IP"), 1);
	json_object_put(lines);
	vft_sink__free(s);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(failed_move_has_errno),
		cmocka_unit_test(good_move_has_no_errno),
		cmocka_unit_test(register_has_no_move_fields),
		cmocka_unit_test(invalid_utf8_is_replaced),
		cmocka_unit_test(stream_has_ready_events_lost_summary),
		cmocka_unit_test(text_line_says_failure),
		cmocka_unit_test(write_error_is_reported),
		cmocka_unit_test(finding_and_resolution_schema),
		cmocka_unit_test(text_finding_and_timeline),
		cmocka_unit_test(summary_counts_findings),
	};

	return cmocka_run_group_tests_name("output", tests, NULL, NULL);
}
