// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_cni.c - the cni event: CNI_ARGS into the pod (odd input too), a
 * record of the kernel side decoded, its text; and in the correlator, a run
 * attached to the VF its pid (and its IPAM plugin's) touched, the pod on
 * the record and in its timeline, and CNI_ADD_FAILED,
 * NETNS_GONE_WITHOUT_CNI_DEL and CNI_DEL_RESETS_OTHER_POD raised, not
 * raised and resolved, from synthetic event streams.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "correlate/correlate.h"
#include "model/cni.h"
#include "model/event.h"

#define MS 1000000ULL
#define T0 (1700000000ULL * 1000000000ULL)
#define HOST_NS 4026531840u
#define POD_NS 4026532291u
#define POD2_NS 4026532500u
#define PF "0000:3b:00.0"
#define VF1 "0000:3b:00.2"
#define UID_A "0b7b5c44-1d2e-4f00-9a6b-5c3d2e1f0a9b"
#define UID_B "7c1f0e2d-3b4a-4c5d-8e6f-9a0b1c2d3e4f"

/* ---- CNI_ARGS ---- */

static void parse(const char *args, struct vft_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	vft_cni_args__parse(args, ev);
}

static void args_give_the_pod(void **state)
{
	struct vft_event ev;

	parse("IgnoreUnknown=1;K8S_POD_NAMESPACE=ml;K8S_POD_NAME=trainer-0;"
	      "K8S_POD_INFRA_CONTAINER_ID=c0ffee;K8S_POD_UID=" UID_A,
	      &ev);
	assert_string_equal(ev.pod_ns, "ml");
	assert_string_equal(ev.pod_name, "trainer-0");
	assert_string_equal(ev.pod_uid, UID_A);
	assert_int_equal(ev.cni_flags, 0);
	/* any order; NAMESPACE is not NAME */
	parse("K8S_POD_NAME=b;K8S_POD_NAMESPACE=a", &ev);
	assert_string_equal(ev.pod_ns, "a");
	assert_string_equal(ev.pod_name, "b");
}

static void args_odd_input(void **state)
{
	char big[600];
	struct vft_event ev;

	/* missing keys: the others still come */
	parse("K8S_POD_NAME=solo", &ev);
	assert_string_equal(ev.pod_name, "solo");
	assert_string_equal(ev.pod_ns, "");
	assert_string_equal(ev.pod_uid, "");
	/* pieces without '=', empty pieces, empty values, a key that only begins like one */
	parse(";;K8S_POD_NAME;garbage;K8S_POD_NAMESPACE=;K8S_POD_NAMEX=no;K8S_POD_NAME=yes;", &ev);
	assert_string_equal(ev.pod_name, "yes");
	assert_string_equal(ev.pod_ns, "");
	parse("", &ev);
	assert_string_equal(ev.pod_name, "");
	parse("=;=x;K8S_POD_UID", &ev);
	assert_string_equal(ev.pod_uid, "");
	assert_int_equal(ev.cni_flags, 0);
	/* '=' in a value is the value's */
	parse("K8S_POD_NAME=a=b", &ev);
	assert_string_equal(ev.pod_name, "a=b");
	/* overlong values are cut to their field, and said */
	memset(big, 'n', sizeof(big));
	memcpy(big, "K8S_POD_NAME=", 13);
	big[sizeof(big) - 1] = '\0';
	parse(big, &ev);
	assert_int_equal(strlen(ev.pod_name), sizeof(ev.pod_name) - 1);
	assert_true(ev.cni_flags & VFT_CNI_EV_CUT_POD);
	parse("K8S_POD_UID=0123456789012345678901234567890123456789xx;K8S_POD_NAME=p", &ev);
	assert_int_equal(strlen(ev.pod_uid), sizeof(ev.pod_uid) - 1);
	assert_string_equal(ev.pod_name, "p");
	assert_true(ev.cni_flags & VFT_CNI_EV_CUT_POD);
}

/* ---- a record of the kernel side ---- */

static void record(struct vft_bpf_cni *r)
{
	memset(r, 0, sizeof(*r));
	r->hdr.kind = VFT_EV_CNI;
	r->hdr.source = VFT_SRC_TRACEPOINT;
	r->hdr.pid = r->hdr.tid = 4242;
	r->hdr.ts_boot_ns = 5000 * MS;
	r->hdr.u.cni.start_ns = 5000 * MS - 52 * MS - 300000;
	r->hdr.u.cni.ppid = 4200;
	strcpy(r->hdr.comm, "sriov");
	strcpy(r->s.path, "/opt/cni/bin/sriov");
	strcpy(r->s.var[VFT_CNI_COMMAND], "ADD");
	strcpy(r->s.var[VFT_CNI_CONTAINERID], "c0ffee");
	strcpy(r->s.var[VFT_CNI_NETNS], "/var/run/netns/cni-1234");
	strcpy(r->s.var[VFT_CNI_IFNAME], "net1");
	strcpy(r->s.args, "K8S_POD_NAMESPACE=ml;K8S_POD_NAME=trainer-0;K8S_POD_UID=" UID_A);
}

static void record_decodes(void **state)
{
	struct vft_clock clk = { 0 };
	struct vft_bpf_cni r;
	struct vft_event ev;
	char buf[VFT_DESCRIBE_MAX];

	record(&r);
	assert_int_equal(vft_event__from_bpf(&ev, &r, sizeof(r), &clk), 0);
	assert_int_equal(ev.kind, VFT_EV_CNI);
	assert_string_equal(ev.cni_command, "ADD");
	assert_string_equal(ev.container, "c0ffee");
	assert_string_equal(ev.cni_netns, "/var/run/netns/cni-1234");
	assert_string_equal(ev.ifname, "net1");
	assert_string_equal(ev.actor.exe, "/opt/cni/bin/sriov");
	assert_string_equal(ev.pod_ns, "ml");
	assert_string_equal(ev.pod_name, "trainer-0");
	assert_string_equal(ev.pod_uid, UID_A);
	assert_int_equal(ev.cni_ppid, 4200);
	assert_int_equal(ev.cni_duration_ns, 52 * MS + 300000);
	assert_int_equal(ev.cni_flags, 0);
	assert_string_equal(vft_cni_plugin(&ev), "sriov");
	vft_event__describe(&ev, VFT_DESCRIBE_STEP, buf, sizeof(buf));
	assert_string_equal(buf, "cni ADD sriov ml/trainer-0 net1 exit 0 in 52 ms");
	vft_event__describe(&ev, VFT_DESCRIBE_LINE, buf, sizeof(buf));
	assert_string_equal(buf, " ADD sriov ml/trainer-0 net1 exit 0 in 52 ms netns "
				 "/var/run/netns/cni-1234 container c0ffee");

	/* the size is the kind's: a cni record of another size, a cni kind in a short record */
	assert_int_equal(vft_event__from_bpf(&ev, &r, sizeof(r.hdr), &clk), -EINVAL);
	assert_int_equal(vft_event__from_bpf(&ev, &r, sizeof(r) - 1, &clk), -EINVAL);
	assert_int_equal(vft_event__from_bpf(&ev, &r, 8, &clk), -EINVAL);

	/* an IPAM run, killed; what did not fit */
	record(&r);
	r.hdr.flags = VFT_F_CNI_CHILD | VFT_F_CNI_BY_ENV;
	r.hdr.u.cni.exit_code = 9;
	r.hdr.u.cni.cut = VFT_CNI_CUT_ENV;
	strcpy(r.s.var[VFT_CNI_COMMAND], "A_COMMAND_LONGER_THAN_15");
	memset(r.s.var[VFT_CNI_IFNAME], 'i', sizeof(r.s.var[0])); /* unterminated */
	assert_int_equal(vft_event__from_bpf(&ev, &r, sizeof(r), &clk), 0);
	assert_int_equal(ev.cni_flags, VFT_CNI_EV_CHILD | VFT_CNI_EV_BY_ENV |
					       VFT_CNI_CUT_ENV << VFT_CNI_EV_CUT_SHIFT |
					       VFT_CNI_EV_CUT_FIELD);
	assert_int_equal(strlen(ev.cni_command), sizeof(ev.cni_command) - 1);
	assert_int_equal(strlen(ev.ifname), sizeof(ev.ifname) - 1);
	assert_int_equal(vft_cni_exit_code(ev.cni_status), -1);
	assert_int_equal(vft_cni_signal(ev.cni_status), 9);
	vft_event__describe(&ev, VFT_DESCRIBE_STEP, buf, sizeof(buf));
	assert_non_null(strstr(buf, "killed by signal 9 in 52 ms (IPAM)"));
	assert_int_equal(vft_cni_exit_code(7 << 8), 7);
	assert_int_equal(vft_cni_signal(7 << 8), 0);
}

/* ---- the correlator ---- */

struct t {
	struct vft_corr *c;
	uint64_t now;
	size_t n_found, n_res;
	uint32_t found[32], res[32];
	char msg[32][520];
};

static int on_finding(void *ctx, const struct vft_finding *f)
{
	struct t *t = ctx;

	if (t->n_found < 32) {
		snprintf(t->msg[t->n_found], sizeof(t->msg[0]), "%s | %s", f->message, f->evidence);
		t->found[t->n_found] = f->code;
	}
	t->n_found++;
	return 0;
}

static int on_resolved(void *ctx, const struct vft_finding *f)
{
	struct t *t = ctx;

	if (t->n_res < 32)
		t->res[t->n_res] = f->code;
	t->n_res++;
	return 0;
}

static const struct vft_corr_ops ops = { .finding = on_finding, .resolved = on_resolved };

static int setup(void **state)
{
	struct t *t = calloc(1, sizeof(*t));

	if (!t || vft_corr__new(NULL, &ops, t, &t->c))
		return -1;
	t->now = T0;
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct t *t = *state;

	vft_corr__free(t->c);
	free(t);
	return 0;
}

/* How many times @code was raised (@res false) or resolved. */
static size_t count(const struct t *t, uint32_t code, bool res)
{
	size_t i, n = 0;

	for (i = 0; i < (res ? t->n_res : t->n_found) && i < 32; i++)
		n += (res ? t->res[i] : t->found[i]) == code;
	return n;
}

static const char *msg_of(const struct t *t, uint32_t code)
{
	size_t i;

	for (i = 0; i < t->n_found && i < 32; i++)
		if (t->found[i] == code)
			return t->msg[i];
	return "";
}

static struct vft_event ev_by(struct t *t, uint32_t kind, uint32_t pid, const char *comm)
{
	struct vft_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.kind = kind;
	ev.source = VFT_SRC_FENTRY;
	ev.ts_ns = t->now += MS;
	if (pid) {
		ev.has_actor = true;
		ev.actor.pid = ev.actor.tid = pid;
		strcpy(ev.actor.comm, comm);
	}
	return ev;
}

static void feed(struct t *t, const struct vft_event *ev)
{
	assert_int_equal(vft_corr__feed(t->c, ev), 0);
}

static void netns_info(struct t *t, uint32_t netns, bool host)
{
	struct vft_event ev = ev_by(t, VFT_EV_NETNS_INFO, 0, "");

	ev.source = VFT_SRC_ENRICH;
	ev.netns = netns;
	ev.netns_host = host;
	feed(t, &ev);
}

static void netdev(struct t *t, uint32_t kind, uint32_t pid, const char *comm, const char *ifname,
		   uint32_t netns)
{
	struct vft_event ev = ev_by(t, kind, pid, comm);

	strcpy(ev.ifname, ifname);
	strcpy(ev.parent, VF1);
	ev.ifindex = 10;
	ev.netns = netns;
	ev.has_ret = kind != VFT_EV_LINK_CHANGE;
	feed(t, &ev);
}

static void rename_(struct t *t, uint32_t pid, const char *from, const char *to, uint32_t netns)
{
	struct vft_event ev = ev_by(t, VFT_EV_NETDEV_RENAME, pid, "sriov");

	strcpy(ev.ifname, from);
	strcpy(ev.new_ifname, to);
	strcpy(ev.parent, VF1);
	ev.ifindex = 10;
	ev.netns = netns;
	ev.has_ret = true;
	feed(t, &ev);
}

static void move(struct t *t, uint32_t pid, const char *comm, const char *ifname, uint32_t from,
		 uint32_t to, int32_t ret)
{
	struct vft_event ev = ev_by(t, VFT_EV_NETNS_MOVE, pid, comm);

	strcpy(ev.ifname, ifname);
	strcpy(ev.parent, VF1);
	ev.ifindex = 10;
	ev.from_netns = from;
	ev.to_netns = to;
	ev.netns = ret ? from : to;
	ev.new_ifindex = ret ? 0 : 10;
	ev.has_ret = true;
	ev.ret = ret;
	if (ret)
		strcpy(ev.message, "An interface with the same name exists");
	feed(t, &ev);
}

static void vf_reset(struct t *t, uint32_t pid)
{
	struct vft_event ev = ev_by(t, VFT_EV_VF_CONFIG, pid, "sriov");

	strcpy(ev.ifname, "ens1f0");
	strcpy(ev.pf, PF);
	strcpy(ev.device, VF1);
	ev.vf_index = 0;
	ev.vf_setting = VFT_VF_MAC;
	ev.has_ret = true;
	feed(t, &ev);
}

/* The run of @pid reported at its exit: it began @ms before. */
static void cni_run(struct t *t, uint32_t pid, const char *comm, const char *cmd, int code,
		    uint64_t ms, const char *container, const char *pod, const char *uid,
		    uint32_t netns, uint32_t ppid)
{
	struct vft_event ev = ev_by(t, VFT_EV_CNI, pid, comm);

	ev.source = VFT_SRC_TRACEPOINT;
	strcpy(ev.cni_command, cmd);
	strcpy(ev.ifname, "net1");
	ev.netns = netns;
	strcpy(ev.container, container);
	if (pod) {
		strcpy(ev.pod_ns, "ml");
		strcpy(ev.pod_name, pod);
		strcpy(ev.pod_uid, uid);
	}
	ev.cni_status = (uint32_t)code << 8;
	ev.cni_duration_ns = ms * MS;
	ev.cni_ppid = ppid;
	if (ppid != 1)
		ev.cni_flags = VFT_CNI_EV_CHILD;
	feed(t, &ev);
}

static const struct vft_vf *vf1(struct t *t)
{
	size_t i;

	for (i = 0; i < vft_corr__n_vfs(t->c); i++)
		if (!strcmp(vft_corr__vf_state(t->c, i)->ref.key, VF1))
			return vft_corr__vf(t->c, i);
	fail_msg("no record of " VF1);
	return NULL;
}

/* The VF in the host, then the SR-IOV CNI's ADD of pod ml/@pod by @pid into @netns. */
static void attach(struct t *t, uint32_t pid, const char *container, const char *pod,
		   const char *uid, uint32_t netns)
{
	rename_(t, pid, "ens1f0v0", "temp_10", HOST_NS);
	move(t, pid, "sriov", "temp_10", HOST_NS, netns, 0);
	rename_(t, pid, "temp_10", "net1", netns);
	/* its IPAM plugin: a child run, reported before the plugin's */
	cni_run(t, pid + 1, "host-local", "ADD", 0, 2, container, pod, uid, netns, pid);
	cni_run(t, pid, "sriov", "ADD", 0, 52, container, pod, uid, netns, 1);
}

static void host_vf(struct t *t)
{
	netns_info(t, HOST_NS, true);
	netns_info(t, POD_NS, false);
	netns_info(t, POD2_NS, false);
	netdev(t, VFT_EV_NETDEV_REGISTER, 0, "", "ens1f0v0", HOST_NS);
}

static void add_names_the_pod(void **state)
{
	struct t *t = *state;
	const struct vft_vf *vf;
	size_t i, n;

	host_vf(t);
	/* a run by another pid that touched nothing is on no VF */
	cni_run(t, 999, "sriov", "ADD", 0, 500, "feed", "other", UID_B, POD2_NS, 1);
	vf = vf1(t);
	n = vf->n_steps;
	assert_string_equal(vf->pod_name, "");
	attach(t, 700, "c0ffee", "trainer-0", UID_A, POD_NS);
	vf = vf1(t);
	assert_string_equal(vf->pod_ns, "ml");
	assert_string_equal(vf->pod_name, "trainer-0");
	assert_string_equal(vf->pod_uid, UID_A);
	/* rename, move, rename, the IPAM run, the run */
	assert_int_equal(vf->n_steps, n + 5);
	assert_string_equal(vf->steps[vf->n_steps - 1].text,
			    "cni ADD sriov ml/trainer-0 net1 exit 0 in 52 ms");
	assert_int_equal(vf->steps[vf->n_steps - 1].pid, 700);
	assert_string_equal(vf->steps[vf->n_steps - 2].text,
			    "cni ADD host-local ml/trainer-0 net1 exit 0 in 2 ms (IPAM)");
	/* the pod's netns is named by the pod */
	assert_string_equal(vf->steps[vf->n_steps - 4].text, "moved temp_10 to pod ml/trainer-0");
	for (i = 0; i < vf->n_steps; i++)
		assert_null(strstr(vf->steps[i].text, "netns 4026532291"));
	assert_int_equal(t->n_found, 0);
}

static void add_failed_names_the_step(void **state)
{
	struct t *t = *state;
	struct vft_event ev;

	host_vf(t);
	rename_(t, 700, "ens1f0v0", "temp_10", HOST_NS);
	move(t, 700, "sriov", "temp_10", HOST_NS, POD_NS, -EEXIST);
	ev = ev_by(t, VFT_EV_NETLINK_ERROR, 700, "sriov");
	strcpy(ev.message, "An interface with the same name exists");
	feed(t, &ev);
	/* not this run's: another pid failed, out of its window */
	cni_run(t, 800, "sriov", "ADD", 1, 1, "c0ffee", "trainer-0", UID_A, POD_NS, 1);
	assert_int_equal(count(t, VFT_F_CNI_ADD_FAILED, false), 0);
	cni_run(t, 700, "sriov", "ADD", 1, 52, "c0ffee", "trainer-0", UID_A, POD_NS, 1);
	assert_int_equal(count(t, VFT_F_CNI_ADD_FAILED, false), 1);
	assert_non_null(strstr(msg_of(t, VFT_F_CNI_ADD_FAILED),
			       "CNI ADD by sriov for pod ml/trainer-0 (net1) exited 1 after 52 ms: "
			       "netlink_error \"An interface with the same name exists\""));
	assert_non_null(strstr(msg_of(t, VFT_F_CNI_ADD_FAILED), "container=c0ffee"));
	assert_string_equal(vf1(t)->pod_name, ""); /* a failed ADD attached nothing */
	/* the kubelet's retry succeeds: resolved */
	move(t, 700, "sriov", "temp_10", HOST_NS, POD_NS, 0);
	cni_run(t, 700, "sriov", "ADD", 0, 5, "c0ffee", "trainer-0", UID_A, POD_NS, 1);
	assert_int_equal(count(t, VFT_F_CNI_ADD_FAILED, true), 1);
	assert_string_equal(vf1(t)->pod_name, "trainer-0");
}

static void add_that_succeeds_raises_nothing(void **state)
{
	struct t *t = *state;

	host_vf(t);
	attach(t, 700, "c0ffee", "trainer-0", UID_A, POD_NS);
	/* a failure of a run's pid outside its window is not its */
	cni_run(t, 700, "sriov", "CHECK", 1, 1, "c0ffee", "trainer-0", UID_A, POD_NS, 1);
	assert_int_equal(count(t, VFT_F_CNI_ADD_FAILED, false), 0);
}

static void netns_gone_without_del(void **state)
{
	struct t *t = *state;

	host_vf(t);
	attach(t, 700, "c0ffee", "trainer-0", UID_A, POD_NS);
	/* the netns destroyed: the kernel returns the VF, no DEL ran */
	move(t, 77, "kworker/u8:1", "net1", POD_NS, HOST_NS, 0);
	assert_int_equal(count(t, VFT_F_NETNS_GONE_WITHOUT_CNI_DEL, false), 1);
	assert_non_null(
		strstr(msg_of(t, VFT_F_NETNS_GONE_WITHOUT_CNI_DEL),
		       "netns 4026532291 of pod ml/trainer-0 was destroyed and no CNI DEL"));
	/* the DEL runs late (its netns gone, it touches nothing): resolved */
	cni_run(t, 800, "sriov", "DEL", 0, 3, "c0ffee", "trainer-0", UID_A, 0, 1);
	assert_int_equal(count(t, VFT_F_NETNS_GONE_WITHOUT_CNI_DEL, true), 1);
}

static void del_before_netns_gone_raises_nothing(void **state)
{
	struct t *t = *state;

	host_vf(t);
	attach(t, 700, "c0ffee", "trainer-0", UID_A, POD_NS);
	/* the DEL: reset through the PF, renamed back in the pod, moved out by itself */
	vf_reset(t, 800);
	rename_(t, 800, "net1", "ens1f0v0", POD_NS);
	move(t, 800, "sriov", "ens1f0v0", POD_NS, HOST_NS, 0);
	cni_run(t, 800, "sriov", "DEL", 0, 20, "c0ffee", "trainer-0", UID_A, POD_NS, 1);
	assert_int_equal(count(t, VFT_F_CNI_DEL_RESETS_OTHER_POD, false), 0);
	assert_int_equal(count(t, VFT_F_NETNS_GONE_WITHOUT_CNI_DEL, false), 0);
	/* the VF back in the host, attached again later: no return by the kernel */
	assert_int_equal(count(t, VFT_F_POD_NETNS_GONE_BEFORE_DEL, false), 0);
}

static void del_resets_other_pod(void **state)
{
	struct t *t = *state;

	host_vf(t);
	attach(t, 700, "aaaa", "trainer-a", UID_A, POD_NS);
	/* pod a's netns goes first, the VF returns, pod b gets it */
	move(t, 77, "kworker/u8:1", "net1", POD_NS, HOST_NS, 0);
	rename_(t, 77, "net1", "ens1f0v0", HOST_NS);
	attach(t, 710, "bbbb", "trainer-b", UID_B, POD2_NS);
	/* raised at the return, resolved by the new attachment */
	assert_int_equal(count(t, VFT_F_NETNS_GONE_WITHOUT_CNI_DEL, true), 1);
	assert_string_equal(vf1(t)->pod_name, "trainer-b");
	/* pod a's DEL comes now and resets the VF through its PF */
	vf_reset(t, 800);
	cni_run(t, 800, "sriov", "DEL", 0, 10, "aaaa", "trainer-a", UID_A, 0, 1);
	assert_int_equal(count(t, VFT_F_CNI_DEL_RESETS_OTHER_POD, false), 1);
	assert_non_null(strstr(msg_of(t, VFT_F_CNI_DEL_RESETS_OTHER_POD),
			       "the CNI DEL of pod ml/trainer-a reset " VF1
			       " through its PF after pod ml/trainer-b attached it"));
	/* pod b's own DEL is no other pod's */
	vf_reset(t, 810);
	cni_run(t, 810, "sriov", "DEL", 0, 10, "bbbb", "trainer-b", UID_B, POD2_NS, 1);
	assert_int_equal(count(t, VFT_F_CNI_DEL_RESETS_OTHER_POD, false), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(args_give_the_pod),
		cmocka_unit_test(args_odd_input),
		cmocka_unit_test(record_decodes),
		cmocka_unit_test_setup_teardown(add_names_the_pod, setup, teardown),
		cmocka_unit_test_setup_teardown(add_failed_names_the_step, setup, teardown),
		cmocka_unit_test_setup_teardown(add_that_succeeds_raises_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(netns_gone_without_del, setup, teardown),
		cmocka_unit_test_setup_teardown(del_before_netns_gone_raises_nothing, setup,
						teardown),
		cmocka_unit_test_setup_teardown(del_resets_other_pod, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
