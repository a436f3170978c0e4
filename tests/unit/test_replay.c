// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_replay.c - a capture replays to what the live run printed: a scenario
 * is fed to a live correlator (grace periods closed by vf_check events, as
 * watch makes them) while every event goes into a capture; the replay of
 * that capture must print the same finding and resolution lines, byte for
 * byte. Then the filters (--vf, --since, --until), a lost event, a file cut
 * short, a damaged block, and files that are not captures.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <json-c/json.h>
#include "sinks/capture.h"
#include "correlate/correlate.h"
#include "pipeline/live.h"
#include "pipeline/replay.h"
#include "sinks/sink.h"

#define HOST_NS 4026531840u
#define POD_NS 4026532301u
#define SEC 1000000000ULL
#define VF1 "0000:18:00.1"
#define VF2 "0000:18:00.2"

struct live {
	struct vft_corr *c;
	struct vft_capture_writer *w;
	FILE *out; /* finding and resolution lines */
	uint64_t now;
};

static char dir[64];

static int live_finding(void *ctx, const struct vft_finding *f)
{
	struct live *l = ctx;
	struct json_object *o = vft_finding__to_json(f);

	fprintf(l->out, "%s\n",
		json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
							  JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return 0;
}

static const struct vft_corr_ops live_ops = {
	.finding = live_finding,
	.resolved = live_finding,
};

/* What watch does with every event: into the capture, then into the correlator. */
static void feed(struct live *l, const struct vft_event *ev)
{
	assert_int_equal(vft_capture_writer__write(l->w, ev), 0);
	assert_int_equal(vft_corr__feed(l->c, ev), 0);
}

static struct vft_event ev_of(struct live *l, uint32_t kind, const char *parent, const char *ifname,
			      uint32_t netns)
{
	struct vft_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.kind = kind;
	ev.source = VFT_SRC_FENTRY;
	ev.ts_ns = l->now;
	snprintf(ev.parent, sizeof(ev.parent), "%s", parent);
	snprintf(ev.ifname, sizeof(ev.ifname), "%s", ifname);
	ev.ifindex = parent[11] == '1' ? 11 : 12;
	ev.netns = netns;
	ev.has_actor = true;
	ev.actor.pid = 700;
	snprintf(ev.actor.comm, sizeof(ev.actor.comm), "sriov");
	return ev;
}

static int due(void *ctx, const struct vft_vf *vf)
{
	struct live *l = ctx;
	struct vft_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.kind = VFT_EV_VF_CHECK;
	ev.source = VFT_SRC_TIMER;
	ev.ts_ns = l->now;
	snprintf(ev.vf_key, sizeof(ev.vf_key), "%s", vf->ref.key);
	feed(l, &ev);
	return 0;
}

/*
 * The scenario: VF1 claimed by networkd then moved into a pod where it stays
 * without an address (NET1_NO_IP, resolved later); VF2's move fails with
 * EEXIST (CNI_MOVE_FAILED, resolved by the retry). Writes @path; the live
 * findings go to @live_out.
 */
static void record(const char *path, char **live_out, size_t *live_len)
{
	struct vft_corr_opts opts = { .grace_ns = 2 * SEC };
	struct live l = { .now = 1764355200 * SEC };
	struct vft_event ev;
	int i;

	l.out = open_memstream(live_out, live_len);
	assert_int_equal(vft_corr__new(&opts, &live_ops, &l, &l.c), 0);
	assert_int_equal(vft_capture_writer__new(path, NULL, NULL, &l.w), 0);

	memset(&ev, 0, sizeof(ev));
	ev.kind = VFT_EV_NETNS_INFO;
	ev.source = VFT_SRC_ENRICH;
	ev.ts_ns = l.now;
	ev.netns = HOST_NS;
	ev.netns_host = true;
	feed(&l, &ev);
	ev.netns = POD_NS;
	ev.netns_host = false;
	snprintf(ev.pod_uid, sizeof(ev.pod_uid), "0e5c2a7d-6f4b-4c3e-9a1d-2b7e8f9c0d11");
	feed(&l, &ev);
	for (i = 1; i <= 2; i++) {
		memset(&ev, 0, sizeof(ev));
		ev.kind = VFT_EV_VF_ADD;
		ev.source = VFT_SRC_INVENTORY;
		ev.ts_ns = l.now;
		snprintf(ev.pf, sizeof(ev.pf), "0000:18:00.0");
		snprintf(ev.device, sizeof(ev.device), "0000:18:00.%d", i);
		ev.vf_index = i - 1;
		feed(&l, &ev);
		ev = ev_of(&l, VFT_EV_NETDEV_REGISTER, i == 1 ? VF1 : VF2, i == 1 ? "v1" : "v2",
			   HOST_NS);
		ev.has_ret = true;
		feed(&l, &ev);
	}
	l.now += SEC;
	ev = ev_of(&l, VFT_EV_LINK_CHANGE, VF1, "v1", HOST_NS);
	snprintf(ev.actor.comm, sizeof(ev.actor.comm), "systemd-network");
	snprintf(ev.actor.cgroup, sizeof(ev.actor.cgroup),
		 "/system.slice/systemd-networkd.service");
	ev.old_flags = 0x1002;
	ev.flags = 0x1003;
	feed(&l, &ev);
	l.now += SEC;
	ev = ev_of(&l, VFT_EV_NETNS_MOVE, VF1, "v1", POD_NS);
	ev.from_netns = HOST_NS;
	ev.to_netns = POD_NS;
	ev.new_ifindex = 11;
	snprintf(ev.new_ifname, sizeof(ev.new_ifname), "net1");
	ev.has_ret = true;
	feed(&l, &ev);
	ev = ev_of(&l, VFT_EV_LINK_CHANGE, VF1, "net1", POD_NS);
	ev.old_flags = 0x1002;
	ev.flags = 0x1003;
	feed(&l, &ev);
	ev = ev_of(&l, VFT_EV_NETNS_MOVE, VF2, "v2", HOST_NS);
	ev.from_netns = HOST_NS;
	ev.to_netns = POD_NS;
	ev.has_ret = true;
	ev.ret = -EEXIST;
	snprintf(ev.message, sizeof(ev.message), "An interface with the same name exists");
	feed(&l, &ev);
	l.now += 3 * SEC;
	/* the grace periods end as watch ends them */
	assert_int_equal(vft_corr__take_due(l.c, l.now, due, &l), 0);
	assert_int_equal(vft_capture_writer__flush(l.w), 0);
	l.now += SEC;
	ev = ev_of(&l, VFT_EV_ADDR_ADD, VF1, "net1", POD_NS);
	ev.family = 2;
	ev.prefixlen = 16;
	ev.addr[0] = 10;
	ev.addr[3] = 3;
	feed(&l, &ev);
	memset(&ev, 0, sizeof(ev));
	ev.kind = VFT_EV_LOST;
	ev.source = VFT_SRC_ENRICH;
	ev.ts_ns = l.now;
	ev.lost = 7;
	assert_int_equal(vft_capture_writer__write(l.w, &ev), 0);
	l.now += SEC;
	ev = ev_of(&l, VFT_EV_NETNS_MOVE, VF2, "v2", POD_NS);
	ev.from_netns = HOST_NS;
	ev.to_netns = POD_NS;
	ev.new_ifindex = 12;
	ev.has_ret = true;
	feed(&l, &ev);

	assert_int_equal(vft_capture_writer__free(l.w), 0);
	vft_corr__free(l.c);
	fclose(l.out);
}

/* Replays @paths into JSON; returns the lines of the given types (one per line). */
static int replay_json(const char *const *paths, size_t n, const struct vft_replay_opts *base,
		       const char *types, char **out, struct vft_replay_result *res)
{
	struct vft_replay_opts o = base ? *base : (struct vft_replay_opts){ 0 };
	char *buf = NULL, *line, *save = NULL;
	size_t len = 0, olen = 0;
	FILE *f = open_memstream(&buf, &len), *of;
	struct vft_sink *s = vft_sink_json__new(f);
	int err;

	o.paths = paths;
	o.n_paths = n;
	err = vft_replay__run(&o, s, res);
	fclose(f);
	vft_sink__free(s);
	of = open_memstream(out, &olen);
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct json_object *j = json_tokener_parse(line), *t;

		assert_non_null(j);
		assert_true(json_object_object_get_ex(j, "type", &t));
		if (strstr(types, json_object_get_string(t)))
			fprintf(of, "%s\n", line);
		json_object_put(j);
	}
	fclose(of);
	free(buf);
	return err;
}

static void path_of(char *buf, size_t size, const char *name)
{
	snprintf(buf, size, "%s/%s", dir, name);
}

static void replay_equals_live(void **state)
{
	char path[128], *live = NULL, *replayed = NULL;
	const char *paths[1] = { path };
	struct vft_replay_result res;
	size_t len;

	path_of(path, sizeof(path), "live.cap");
	record(path, &live, &len);
	/* the scenario raised what it should, live */
	assert_non_null(strstr(live, "\"HOST_MANAGER_CLAIM\""));
	assert_non_null(strstr(live, "\"NET1_NO_IP\""));
	assert_non_null(strstr(live, "\"CNI_MOVE_FAILED\""));
	assert_non_null(strstr(live, "\"type\":\"resolved\""));
	assert_int_equal(replay_json(paths, 1, NULL, "finding resolved", &replayed, &res), 0);
	assert_string_equal(replayed, live);
	assert_int_equal(res.lost, 7);
	assert_int_equal(res.corrupt, 0);
	assert_int_equal(res.truncated, 0);
	free(replayed);
	/* the summary counts the recording's loss; the capture line describes the file */
	assert_int_equal(replay_json(paths, 1, NULL, "summary capture", &replayed, &res), 0);
	assert_non_null(strstr(replayed, "\"type\":\"capture\""));
	assert_non_null(strstr(replayed, "\"lost\":7"));
	assert_non_null(strstr(replayed, "\"NET1_NO_IP\":1"));
	free(replayed);
	free(live);
}

static void filters_narrow_the_output_not_the_verdicts(void **state)
{
	char path[128], *out = NULL, *live = NULL;
	const char *paths[1] = { path };
	struct vft_replay_opts o = { .vf_key = VF2 };
	struct vft_replay_result res;
	size_t len;

	path_of(path, sizeof(path), "filter.cap");
	record(path, &live, &len);
	free(live);
	assert_int_equal(replay_json(paths, 1, &o, "finding resolved vf event", &out, &res), 0);
	assert_non_null(strstr(out, "CNI_MOVE_FAILED"));
	assert_null(strstr(out, "NET1_NO_IP"));
	assert_null(strstr(out, "\"vf\":\"" VF1 "\""));
	free(out);
	/* a window after the grace periods: the resolution, not what it resolved */
	memset(&o, 0, sizeof(o));
	o.since_ns = (1764355200 + 7) * SEC;
	assert_int_equal(replay_json(paths, 1, &o, "finding resolved", &out, &res), 0);
	assert_null(strstr(out, "\"type\":\"finding\""));
	assert_non_null(strstr(out, "\"type\":\"resolved\""));
	free(out);
	o.since_ns = 0;
	o.until_ns = (1764355200 + 1) * SEC;
	assert_int_equal(replay_json(paths, 1, &o, "finding resolved", &out, &res), 0);
	assert_non_null(strstr(out, "HOST_MANAGER_CLAIM"));
	assert_null(strstr(out, "NET1_NO_IP"));
	free(out);
}

static void copy_file(const char *from, const char *to, off_t cut, off_t flip)
{
	char buf[65536];
	int in = open(from, O_RDONLY), o = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ssize_t n = read(in, buf, sizeof(buf));

	assert_true(n > 0);
	if (cut)
		n = cut;
	if (flip)
		buf[flip] ^= 0x40;
	assert_int_equal(write(o, buf, n), n);
	close(in);
	close(o);
}

static void damaged_files_replay_what_is_intact(void **state)
{
	char path[128], cut[128], bad[128], *out = NULL, *live = NULL;
	const char *p1[1] = { cut }, *p2[1] = { bad };
	struct vft_replay_result res;
	struct stat st;
	size_t len;

	path_of(path, sizeof(path), "whole.cap");
	path_of(cut, sizeof(cut), "cut.cap");
	path_of(bad, sizeof(bad), "bad.cap");
	record(path, &live, &len);
	free(live);
	assert_int_equal(stat(path, &st), 0);
	/* cut inside the last block: the first block (up to the grace checks) replays */
	copy_file(path, cut, st.st_size - 10, 0);
	assert_int_equal(replay_json(p1, 1, NULL, "finding", &out, &res), 0);
	assert_int_equal(res.truncated, 1);
	assert_non_null(strstr(out, "NET1_NO_IP"));
	free(out);
	/* a flipped byte in the last block: skipped, the rest replays */
	copy_file(path, bad, 0, st.st_size - 20);
	assert_int_equal(replay_json(p2, 1, NULL, "finding", &out, &res), 0);
	assert_int_equal(res.corrupt, 1);
	assert_non_null(strstr(out, "CNI_MOVE_FAILED"));
	free(out);
}

static void not_a_capture_is_an_error(void **state)
{
	char path[128], *out = NULL;
	const char *paths[1] = { path };
	struct vft_replay_result res;
	int fd;

	path_of(path, sizeof(path), "text.cap");
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_int_equal(write(fd, "{\"type\":\"ready\"}\n", 17), 17);
	close(fd);
	assert_int_equal(replay_json(paths, 1, NULL, "event", &out, &res), -EINVAL);
	free(out);
	path_of(path, sizeof(path), "missing.cap");
	assert_int_equal(replay_json(paths, 1, NULL, "event", &out, &res), -ENOENT);
	free(out);
}

static int setup(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/vft-replay-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

/* audit's --capture-dir: a directory, not a link; the file opened without following one. */
static void capture_dir_is_checked_and_opened_nofollow(void **state)
{
	char dir[] = "/tmp/vft-capdir-XXXXXX", link[64], path[96];
	struct vft_trace_opts o;

	(void)state;
	assert_non_null(mkdtemp(dir));
	memset(&o, 0, sizeof(o));
	o.capture_dir = dir;
	assert_int_equal(vft_trace__capture_path(&o), 0);
	assert_true(o.capture.flags & VFT_CAPTURE_NOFOLLOW);
	snprintf(path, sizeof(path), "%s/vftrace.cap", dir);
	assert_string_equal(o.out_path, path);
	/* a link where the file goes is refused */
	assert_int_equal(symlink("/etc/passwd", path), 0);
	memset(&o, 0, sizeof(o));
	o.capture_dir = dir;
	assert_int_equal(vft_trace__capture_path(&o), -ELOOP);
	assert_int_equal(unlink(path), 0);
	/* a link as the directory, and a directory that is not there */
	snprintf(link, sizeof(link), "%s.link", dir);
	assert_int_equal(symlink(dir, link), 0);
	memset(&o, 0, sizeof(o));
	o.capture_dir = link;
	assert_int_equal(vft_trace__capture_path(&o), -EINVAL);
	assert_int_equal(unlink(link), 0);
	assert_int_equal(rmdir(dir), 0);
	memset(&o, 0, sizeof(o));
	o.capture_dir = dir;
	assert_int_equal(vft_trace__capture_path(&o), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(replay_equals_live),
		cmocka_unit_test(filters_narrow_the_output_not_the_verdicts),
		cmocka_unit_test(damaged_files_replay_what_is_intact),
		cmocka_unit_test(not_a_capture_is_an_error),
		cmocka_unit_test(capture_dir_is_checked_and_opened_nofollow),
	};

	return cmocka_run_group_tests_name("replay", tests, setup, teardown);
}
