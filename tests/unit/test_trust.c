// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_trust.c - who may configure a VF in the host netns (the trust rule
 * of user/correlate/rules_claim.c, docs/findings.md "Trusted actors"): a
 * comm is a hint, trust rests on the executable (read from /proc/<pid>/exe
 * by user/enrich/exe.c), the systemd unit, or a daemon's comm in a pod; a
 * host manager is never trusted. Then the bound on what trust events add,
 * and the executable read by the assembled pipeline on the fixture tree.
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
#include <unistd.h>
#include <sys/stat.h>
#include "fixture.h"
#include "correlate/correlate.h"
#include "enrich/exe.h"
#include "pipeline/pipeline.h"
#include "pipeline/replay.h"
#include "sinks/sink.h"

#define SEC 1000000000ULL
#define T0 (1700000000ULL * SEC)
#define HOST_NS 4026531840u
#define PF "0000:3b:00.0"
#define POD_CG                                                               \
	"/kubepods.slice/kubepods-besteffort.slice/"                         \
	"kubepods-besteffort-podc0ffee00_1111_2222_3333_444455556666.slice/" \
	"cri-containerd-abcd.scope"
#define USER_CG "/user.slice/user-0.slice/session-3.scope"

static char base[256], root[512];

static int group_setup(void **state)
{
	(void)state;
	return fixture_make("dgx-b200-healthy", base, sizeof(base), root, sizeof(root));
}

static int group_teardown(void **state)
{
	(void)state;
	return fixture_remove(base);
}

/* ---- the executable ---- */

static void exe_read_from_proc(void **state)
{
	char buf[256];

	(void)state;
	assert_int_equal(vft_exe__read(root, 5140, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/opt/cni/bin/sriov");
	assert_int_equal(vft_exe__read(root, 1187, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/usr/bin/containerd");
	/* replaced on disk while it runs: the path it was started from */
	assert_int_equal(vft_exe__read(root, 612, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/usr/lib/systemd/systemd-networkd");
	/* a kernel thread has none; a process gone has none */
	assert_int_equal(vft_exe__read(root, 2, buf, sizeof(buf)), -ENOENT);
	assert_string_equal(buf, "");
	assert_int_equal(vft_exe__read(root, 99999, buf, sizeof(buf)), -ENOENT);
	assert_int_equal(vft_exe__read(root, 0, buf, sizeof(buf)), -EINVAL);
	assert_int_equal(vft_exe__read(root, 5140, buf, 10), -ENAMETOOLONG);
	assert_string_equal(buf, "");
}

static void exe_under_a_directory(void **state)
{
	(void)state;
	assert_true(vft_exe__under("/opt/cni/bin/sriov", "/opt/cni/bin"));
	assert_true(vft_exe__under("/opt/cni/bin/sriov", "/opt/cni/bin/"));
	assert_true(vft_exe__under("/opt/cni/bin/v2/sriov", "/opt/cni/bin"));
	assert_false(vft_exe__under("/opt/cni/binx/sriov", "/opt/cni/bin"));
	assert_false(vft_exe__under("/opt/cni/bin", "/opt/cni/bin"));
	assert_false(vft_exe__under("/opt/cni/bin/", "/opt/cni/bin"));
	assert_false(vft_exe__under("/opt/cni/bin/../../usr/bin/sh", "/opt/cni/bin"));
	assert_false(vft_exe__under("/opt/cni/bin/./sriov", "/opt/cni/bin"));
	assert_false(vft_exe__under("opt/cni/bin/sriov", "/opt/cni/bin"));
	assert_false(vft_exe__under("/opt/cni/bin/sriov", "opt/cni/bin"));
	assert_true(vft_exe__under("/opt/cni/bin/.sriov", "/opt/cni/bin"));
}

/* ---- the rule ---- */

struct got {
	size_t n;
	struct vft_finding last;
};

static int on_finding(void *ctx, const struct vft_finding *f)
{
	struct got *g = ctx;

	if (f->code == VFT_F_HOST_MANAGER_CLAIM) {
		g->n++;
		g->last = *f;
	}
	return 0;
}

static const struct vft_corr_ops ops = { .finding = on_finding };

static struct vft_event ev_of(uint32_t kind)
{
	struct vft_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.kind = kind;
	ev.source = VFT_SRC_FENTRY;
	ev.ts_ns = T0;
	return ev;
}

static void feed(struct vft_corr *c, const struct vft_event *ev)
{
	assert_int_equal(vft_corr__feed(c, ev), 0);
}

static struct vft_corr *new_corr(const struct vft_corr_opts *opts, struct got *g)
{
	struct vft_event ev = ev_of(VFT_EV_NETNS_INFO);
	struct vft_corr *c;

	memset(g, 0, sizeof(*g));
	assert_int_equal(vft_corr__new(opts, &ops, g, &c), 0);
	ev.source = VFT_SRC_ENRICH;
	ev.netns = HOST_NS;
	ev.netns_host = true;
	feed(c, &ev);
	return c;
}

/* A trust event, as a capture's --trust: a comm, or a directory when it starts with "/". */
static void trust(struct vft_corr *c, const char *what)
{
	struct vft_event ev = ev_of(VFT_EV_TRUST);

	ev.source = VFT_SRC_ENRICH;
	if (what[0] == '/')
		snprintf(ev.actor.exe, sizeof(ev.actor.exe), "%s", what);
	else
		snprintf(ev.actor.comm, sizeof(ev.actor.comm), "%s", what);
	feed(c, &ev);
}

/*
 * VF number @n of PF (added by its PF, registered in the host) brought up
 * by @a: the claims it raised (0 or 1).
 */
static size_t up_by(struct vft_corr *c, struct got *g, int n, const struct vft_actor *a)
{
	struct vft_event ev = ev_of(VFT_EV_VF_ADD);
	size_t before = g->n;
	char bdf[32];

	snprintf(bdf, sizeof(bdf), "0000:3b:%02x.%x", 1 + n / 8, n % 8);
	snprintf(ev.device, sizeof(ev.device), "%s", bdf);
	snprintf(ev.pf, sizeof(ev.pf), "%s", PF);
	ev.vf_index = n;
	ev.has_ret = true;
	feed(c, &ev);
	ev = ev_of(VFT_EV_NETDEV_REGISTER);
	snprintf(ev.parent, sizeof(ev.parent), "%s", bdf);
	snprintf(ev.ifname, sizeof(ev.ifname), "ens1f0v%d", n);
	ev.ifindex = 100 + n;
	ev.netns = HOST_NS;
	ev.has_ret = true;
	feed(c, &ev);
	ev.kind = VFT_EV_LINK_CHANGE;
	ev.has_ret = false;
	ev.old_flags = 0;
	ev.flags = 0x1;
	ev.has_actor = true;
	ev.actor = *a;
	feed(c, &ev);
	return g->n - before;
}

/* Each edge of the rule on a VF of its own: the claims it raises, and what they say. */
static void trust_rests_on_evidence(void **state)
{
	static const struct vft_actor
		cni = { .pid = 10,
			.comm = "sriov",
			.exe = "/opt/cni/bin/sriov",
			.cgroup = USER_CG },
		cni_rhel = { .pid = 11,
			     .comm = "host-device",
			     .exe = "/usr/libexec/cni/host-device" },
		runtime = { .pid = 12,
			    .comm = "runc",
			    .cgroup = "/system.slice/containerd.service" },
		daemon = { .pid = 13,
			   .comm = "sriovdp",
			   .exe = "/usr/bin/sriovdp",
			   .cgroup = POD_CG },
		static_host = { .pid = 20, .comm = "static", .cgroup = USER_CG },
		static_exe = { .pid = 21, .comm = "static", .exe = "/usr/bin/static" },
		impostor = { .pid = 22, .comm = "sriov", .exe = "/usr/local/bin/sriov" },
		gone = { .pid = 23, .comm = "sriov", .cgroup = USER_CG },
		networkd_pod = { .pid = 24,
				 .comm = "systemd-network",
				 .exe = "/usr/lib/systemd/systemd-networkd",
				 .cgroup = POD_CG },
		nm_unit = { .pid = 25,
			    .comm = "sriov",
			    .exe = "/opt/cni/bin/sriov",
			    .cgroup = "/system.slice/NetworkManager.service" },
		in_pod = { .pid = 26,
			   .comm = "helper",
			   .exe = "/usr/bin/helper",
			   .cgroup = POD_CG },
		daemon_host = { .pid = 27, .comm = "sriovdp", .cgroup = USER_CG },
		dots = { .pid = 28, .comm = "sh", .exe = "/opt/cni/bin/../../usr/bin/sh" };
	struct vft_corr_opts opts = { .grace_ns = 2 * SEC };
	struct got g;
	struct vft_corr *c = new_corr(&opts, &g);

	/* trusted: a CNI by where it is installed, a runtime by its unit, a daemon in a pod */
	assert_int_equal(up_by(c, &g, 0, &cni), 0);
	assert_int_equal(up_by(c, &g, 1, &cni_rhel), 0);
	assert_int_equal(up_by(c, &g, 2, &runtime), 0);
	assert_int_equal(up_by(c, &g, 3, &daemon), 0);

	/* a CNI plugin's name in a host cgroup, nothing else: a claim, unverified */
	assert_int_equal(up_by(c, &g, 4, &static_host), 1);
	assert_non_null(strstr(g.last.message, "by static[20]"));
	assert_non_null(strstr(g.last.message, "unverified"));
	assert_non_null(strstr(g.last.evidence, "trust=unverified"));
	/* ... with an executable elsewhere: a claim that names it */
	assert_int_equal(up_by(c, &g, 5, &static_exe), 1);
	assert_non_null(strstr(g.last.evidence, "exe=/usr/bin/static"));
	assert_null(strstr(g.last.evidence, "unverified"));
	assert_int_equal(up_by(c, &g, 6, &impostor), 1);
	assert_non_null(strstr(g.last.evidence, "exe=/usr/local/bin/sriov"));
	assert_null(strstr(g.last.message, "unverified"));
	/* the process was gone when its executable was read */
	assert_int_equal(up_by(c, &g, 7, &gone), 1);
	assert_non_null(strstr(g.last.evidence, "trust=unverified"));

	/* a host manager, in a pod or by its unit whatever its executable */
	assert_int_equal(up_by(c, &g, 8, &networkd_pod), 1);
	assert_non_null(strstr(g.last.evidence, "actor=systemd-network"));
	assert_int_equal(up_by(c, &g, 9, &nm_unit), 1);
	assert_non_null(strstr(g.last.evidence, "unit=NetworkManager.service"));

	/* a pod's cgroup alone trusts nobody; a daemon's comm only in a pod */
	assert_int_equal(up_by(c, &g, 10, &in_pod), 1);
	assert_int_equal(up_by(c, &g, 11, &daemon_host), 1);
	assert_non_null(strstr(g.last.evidence, "trust=unverified"));
	assert_int_equal(up_by(c, &g, 12, &dots), 1);
	vft_corr__free(c);
}

/* --trust, as options and as a capture's trust events: a comm, or a directory of executables. */
static void trust_by_option_and_stream(void **state)
{
	static const struct vft_actor k3s = { .pid = 30,
					      .comm = "k3s-cni",
					      .exe = "/var/lib/rancher/k3s/bin/k3s-cni" },
				      mine = { .pid = 31, .comm = "my-cni", .cgroup = USER_CG },
				      opt_dir = { .pid = 32, .comm = "x", .exe = "/srv/cni/x" },
				      opt_comm = { .pid = 33, .comm = "y", .cgroup = USER_CG },
				      networkd = {
					      .pid = 34,
					      .comm = "systemd-network",
					      .cgroup = "/system.slice/systemd-networkd.service"
				      };
	static const char *const extra[] = { "/srv/cni", "y" };
	struct vft_corr_opts opts = { .grace_ns = 2 * SEC };
	struct got g;
	struct vft_corr *c = new_corr(&opts, &g);

	/* not yet trusted */
	assert_int_equal(up_by(c, &g, 0, &k3s), 1);
	assert_int_equal(up_by(c, &g, 1, &mine), 1);
	trust(c, "/var/lib/rancher/k3s/bin/");
	trust(c, "my-cni");
	assert_int_equal(up_by(c, &g, 2, &k3s), 0);
	assert_int_equal(up_by(c, &g, 3, &mine), 0);
	assert_int_equal(up_by(c, &g, 4, &networkd), 1);
	vft_corr__free(c);

	opts.trusted_comms = extra;
	opts.n_trusted = 2;
	c = new_corr(&opts, &g);
	assert_int_equal(up_by(c, &g, 0, &opt_dir), 0);
	assert_int_equal(up_by(c, &g, 1, &opt_comm), 0);
	assert_int_equal(up_by(c, &g, 2, &k3s), 1);
	vft_corr__free(c);
}

/*
 * A capture's trust events are kept once each, up to VFT_CORR_MAX_TRUST
 * comms and VFT_CORR_MAX_TRUST_DIRS directories; the rest are counted and
 * ignored, so a crafted capture cannot make each event scan 400,000 names.
 */
static void trust_events_are_bounded(void **state)
{
	struct vft_actor a = { .pid = 40, .cgroup = USER_CG };
	struct vft_corr_opts opts = { .grace_ns = 2 * SEC };
	struct vft_corr_stats st;
	char name[32];
	struct got g;
	struct vft_corr *c = new_corr(&opts, &g);
	int i;

	for (i = 0; i < 1000; i++)
		trust(c, "dup");
	vft_corr__stats(c, &st);
	assert_int_equal(st.trust_dropped, 0);
	for (i = 0; i < 100000; i++) {
		snprintf(name, sizeof(name), "c%d", i);
		trust(c, name);
	}
	for (i = 0; i < 100; i++) {
		snprintf(name, sizeof(name), "/d/%d", i);
		trust(c, name);
	}
	vft_corr__stats(c, &st);
	/* "dup" holds one place */
	assert_int_equal(st.trust_dropped,
			 (100000 - (VFT_CORR_MAX_TRUST - 1)) + (100 - VFT_CORR_MAX_TRUST_DIRS));
	/* the first ones kept hold, the later ones do not */
	snprintf(a.comm, sizeof(a.comm), "c%d", VFT_CORR_MAX_TRUST - 2);
	assert_int_equal(up_by(c, &g, 0, &a), 0);
	snprintf(a.comm, sizeof(a.comm), "c%d", VFT_CORR_MAX_TRUST - 1);
	assert_int_equal(up_by(c, &g, 1, &a), 1);
	snprintf(a.comm, sizeof(a.comm), "z");
	snprintf(a.exe, sizeof(a.exe), "/d/%d/z", VFT_CORR_MAX_TRUST_DIRS - 1);
	assert_int_equal(up_by(c, &g, 2, &a), 0);
	snprintf(a.comm, sizeof(a.comm), "w");
	snprintf(a.exe, sizeof(a.exe), "/d/%d/w", VFT_CORR_MAX_TRUST_DIRS);
	assert_int_equal(up_by(c, &g, 3, &a), 1);
	vft_corr__free(c);
}

/* ---- the pipeline reads the executable while the process lives ---- */

static int count_in(const char *buf, size_t len, const char *needle)
{
	char *copy = strndup(buf ? buf : "", len), *p;
	int n = 0;

	assert_non_null(copy);
	for (p = copy; (p = strstr(p, needle)); p++)
		n++;
	free(copy);
	return n;
}

/* An admin up of a fixture VF in the host netns by process @pid, as a hook reports it. */
static void up_live(struct vft_pipeline *p, uint64_t ts, const char *vf, const char *ifname,
		    int32_t ifindex, uint32_t pid, const char *comm)
{
	struct vft_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.kind = VFT_EV_LINK_CHANGE;
	ev.source = VFT_SRC_FENTRY;
	ev.ts_ns = ts;
	snprintf(ev.parent, sizeof(ev.parent), "%s", vf);
	snprintf(ev.ifname, sizeof(ev.ifname), "%s", ifname);
	ev.ifindex = ifindex;
	ev.netns = HOST_NS;
	ev.old_flags = 0;
	ev.flags = 0x1003;
	ev.has_actor = true;
	ev.actor.pid = pid;
	snprintf(ev.actor.comm, sizeof(ev.actor.comm), "%s", comm);
	assert_int_equal(vft_pipeline__feed(p, &ev), 0);
	/* a BPF event is not held by the merge; down again for the next one */
	ev.old_flags = 0x1003;
	ev.flags = 0x1002;
	assert_int_equal(vft_pipeline__feed(p, &ev), 0);
}

/* A live pipeline on the fixture tree into a JSON buffer; with @cap, recorded there too. */
struct live {
	struct vft_pipeline *p;
	struct vft_sink *sink;
	FILE *out;
	char *buf;
	size_t len;
};

static void live_open(struct live *l, const struct vft_corr_opts *corr, const char *cap)
{
	struct vft_pipeline_opts po = { .root = root, .corr = corr };

	memset(l, 0, sizeof(*l));
	l->out = open_memstream(&l->buf, &l->len);
	assert_non_null(l->out);
	l->sink = vft_sink_json__new(l->out);
	assert_non_null(l->sink);
	po.sink = l->sink;
	assert_int_equal(vft_pipeline__new(&po, &l->p), 0);
	if (cap)
		assert_int_equal(vft_pipeline__capture_open(l->p, cap, NULL, NULL), 0);
	assert_int_equal(vft_pipeline__begin(l->p), 0);
	assert_int_equal(vft_pipeline__inventory(l->p, NULL), 0);
}

static void live_close(struct live *l)
{
	assert_int_equal(vft_pipeline__tick(l->p, true), 0);
	vft_pipeline__free(l->p);
	vft_sink__free(l->sink);
	fclose(l->out);
}

static void pipeline_reads_the_executable(void **state)
{
	struct vft_corr_opts corr = { .grace_ns = 2 * SEC };
	struct live l;

	(void)state;
	live_open(&l, &corr, NULL);
	up_live(l.p, T0, "0000:18:00.1", "ibp24s0v0", 20, 5140, "sriov");	/* /opt/cni/bin */
	up_live(l.p, T0 + SEC, "0000:18:00.1", "ibp24s0v0", 20, 5130, "sriov"); /* /usr/local */
	up_live(l.p, T0 + 2 * SEC, "0000:18:00.2", "ibp24s0v1", 21, 5999, "sriov"); /* gone */
	up_live(l.p, T0 + 3 * SEC, "0000:18:00.3", "ibp24s0v2", 22, 5150, "systemd-network");
	live_close(&l);
	assert_int_equal(count_in(l.buf, l.len, "\"exe\":\"/opt/cni/bin/sriov\""), 2);
	assert_int_equal(count_in(l.buf, l.len, "\"code\":\"HOST_MANAGER_CLAIM\""), 3);
	assert_int_equal(count_in(l.buf, l.len, "exe=/usr/local/bin/sriov"), 1);
	assert_int_equal(count_in(l.buf, l.len, "trust=unverified"), 1);
	assert_int_equal(count_in(l.buf, l.len, "exe=/usr/lib/systemd/systemd-networkd"), 1);
	free(l.buf);
}

/* --trust DIR live, and in the replay of what it recorded (the trust event's actor.exe). */
static void pipeline_trusts_a_directory_and_records_it(void **state)
{
	static const char *const dirs[] = { "/usr/local/bin" };
	struct vft_corr_opts corr = { .grace_ns = 2 * SEC, .trusted_comms = dirs, .n_trusted = 1 };
	const char *paths[1];
	struct vft_replay_opts ro = { .paths = paths, .n_paths = 1 };
	struct vft_replay_result res;
	struct vft_sink *sink;
	char cap[600], *buf = NULL;
	size_t len = 0;
	struct live l;
	FILE *out;

	(void)state;
	snprintf(cap, sizeof(cap), "%s/trust-dir.cap", base);
	paths[0] = cap;
	live_open(&l, &corr, cap);
	up_live(l.p, T0, "0000:18:00.1", "ibp24s0v0", 20, 5130, "sriov"); /* /usr/local/bin */
	up_live(l.p, T0 + SEC, "0000:18:00.2", "ibp24s0v1", 21, 612, "systemd-network");
	live_close(&l);
	assert_int_equal(count_in(l.buf, l.len, "\"code\":\"HOST_MANAGER_CLAIM\""), 1);
	assert_int_equal(count_in(l.buf, l.len, "\"actor\":{\"pid\":612,\"comm\""), 1);
	free(l.buf);

	out = open_memstream(&buf, &len);
	assert_non_null(out);
	sink = vft_sink_json__new(out);
	assert_non_null(sink);
	assert_int_equal(vft_replay__run(&ro, sink, &res), 0);
	vft_sink__free(sink);
	fclose(out);
	assert_int_equal(count_in(buf, len, "\"event\":\"trust\""), 1);
	assert_int_equal(count_in(buf, len, "\"code\":\"HOST_MANAGER_CLAIM\""), 1);
	assert_int_equal(count_in(buf, len, "exe=/usr/lib/systemd/systemd-networkd"), 1);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(exe_read_from_proc),
		cmocka_unit_test(exe_under_a_directory),
		cmocka_unit_test(trust_rests_on_evidence),
		cmocka_unit_test(trust_by_option_and_stream),
		cmocka_unit_test(trust_events_are_bounded),
		cmocka_unit_test(pipeline_reads_the_executable),
		cmocka_unit_test(pipeline_trusts_a_directory_and_records_it),
	};

	return cmocka_run_group_tests_name("trust", tests, group_setup, group_teardown);
}
