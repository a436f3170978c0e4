// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_kinds.c - the table of event kinds (user/model/kinds.c) against the
 * ABI's enum, the text builder against the C library, and the renderer of
 * an event: its timeline step is the correlator's, word for word, for every
 * kind that makes a step, and reads only what the correlator keeps of it.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "correlate/correlate.h"
#include "model/event.h"
#include "model/kinds.h"
#include "model/text.h"
#include "lib/util.h"

#define HOST_NS 4026531840u
#define POD_NS 4026532291u
#define PF "0000:3b:00.0"
#define VF "0000:3b:00.2"
#define T0 (1700000000ULL * 1000000000ULL)

static void every_kind_has_its_row(void **state)
{
	uint32_t k, j;

	assert_null(vft_kind__name(0));
	assert_null(vft_kind__name(VFT_EV_KIND_MAX));
	assert_ptr_equal(vft_kind__get(1000), &vft_kinds[0]);
	assert_int_equal(vft_kinds[0].cls, VFT_KC_UNKNOWN);
	for (k = 1; k < VFT_EV_KIND_MAX; k++) {
		const struct vft_kind_info *r = vft_kind__get(k);

		assert_non_null(r->name);
		assert_int_equal(vft_kind__from_name(r->name), k);
		assert_true(r->cls > VFT_KC_UNKNOWN && r->cls < VFT_KC_MAX);
		assert_true(r->fields < 1u << VFT_FIELD_MAX);
		for (j = 1; j < k; j++)
			assert_string_not_equal(vft_kinds[j].name, r->name);
		/* the kernel side emits 1..VFT_EV_BPF_KIND_MAX and vf_config: those decode */
		assert_int_equal(!!(r->flags & VFT_KIND_BPF), k <= VFT_EV_BPF_KIND_MAX ||
								      k == VFT_EV_VF_CONFIG ||
								      k == VFT_EV_CNI);
		if (!(r->flags & VFT_KIND_BPF))
			assert_null(r->decode);
		assert_int_equal(r->cls == VFT_KC_META, !(r->flags & VFT_KIND_BPF));
		assert_true(r->corr < VFT_KCORR_MAX);
	}
	assert_int_equal(vft_kind__from_name("no_such_kind"), 0);
}

/* What rtnetlink reports (user/sources/netlink_source.c) is exactly what the merge pairs. */
static void merge_pairs_what_rtnetlink_reports(void **state)
{
	static const uint32_t rtnl[] = {
		VFT_EV_NETDEV_REGISTER, VFT_EV_NETDEV_UNREGISTER, VFT_EV_NETNS_MOVE,
		VFT_EV_NETDEV_RENAME,	VFT_EV_LINK_CHANGE,	  VFT_EV_ADDR_ADD,
		VFT_EV_ADDR_DEL,
	};
	uint32_t k;
	size_t i;
	bool reported;

	for (k = 1; k < VFT_EV_KIND_MAX; k++) {
		for (reported = false, i = 0; i < ARRAY_SIZE(rtnl); i++)
			reported = reported || rtnl[i] == k;
		assert_int_equal(vft_kind__get(k)->pair != VFT_PAIR_NONE, reported);
	}
	assert_int_equal(vft_kind__get(VFT_EV_NETNS_MOVE)->pair, VFT_PAIR_MOVE);
	assert_int_equal(vft_kind__get(VFT_EV_NETDEV_RENAME)->pair, VFT_PAIR_RENAME);
	assert_int_equal(vft_kind__get(VFT_EV_ADDR_DEL)->pair, VFT_PAIR_ADDR);
}

/*
 * The correlator makes a VF's record for the kinds that bring one of its
 * parts (a netdev, seen registered, moved or changed; the VF; its RDMA
 * device), never for a part that only goes or changes name.
 */
static void kinds_that_make_records(void **state)
{
	static const uint32_t makers[] = {
		VFT_EV_NETDEV_REGISTER, VFT_EV_NETNS_MOVE,    VFT_EV_LINK_CHANGE,
		VFT_EV_VF_ADD,		VFT_EV_RDMA_REGISTER,
	};
	uint32_t k;
	size_t i;
	bool maker;

	for (k = 0; k < VFT_EV_KIND_MAX; k++) {
		const struct vft_kind_info *r = vft_kind__get(k);

		for (maker = false, i = 0; i < ARRAY_SIZE(makers); i++)
			maker = maker || makers[i] == k;
		assert_int_equal(!!(r->flags & VFT_KIND_NEW_REC), maker);
		/* only a family that finds records can make one */
		if (maker)
			assert_true(r->corr == VFT_KCORR_NETDEV || r->corr == VFT_KCORR_VF ||
				    r->corr == VFT_KCORR_RDMA);
	}
}

static void check_text(size_t size, const char *expect, void (*build)(struct vft_text *t))
{
	char buf[128];
	struct vft_text t;
	size_t n;

	memset(buf, 'x', sizeof(buf));
	vft_text__init(&t, buf, size);
	build(&t);
	n = vft_text__done(&t);
	assert_int_equal(n, strlen(buf));
	assert_string_equal(buf, expect);
}

static void numbers(struct vft_text *t)
{
	vft_text__str(t, "n ");
	vft_text__dec(t, 4026532291u);
	vft_text__str(t, " ");
	vft_text__int(t, -17);
	vft_text__str(t, " ");
	vft_text__int(t, INT32_MIN);
	vft_text__str(t, " 0x");
	vft_text__hex(t, 0xbeef);
	vft_text__str(t, " ");
	vft_text__dec(t, UINT64_MAX);
	vft_text__str(t, " ");
	vft_text__strn(t, "d2fb7a57208ab630227d", 12);
	vft_text__str(t, " ");
	vft_text__errno(t, -EEXIST);
}

/* Every conversion as snprintf() writes it, and cut where snprintf() cuts it. */
static void text_is_cut_as_snprintf_cuts(void **state)
{
	char expect[128], full[128];
	size_t size;

	snprintf(full, sizeof(full), "n %u %d %d 0x%x %llu %.12s EEXIST", 4026532291u, -17,
		 INT32_MIN, 0xbeef, (unsigned long long)UINT64_MAX, "d2fb7a57208ab630227d");
	for (size = 1; size <= sizeof(full); size++) {
		snprintf(expect, size, "%s", full);
		check_text(size, expect, numbers);
	}
}

static void ip_of(struct vft_text *t, int family, const uint8_t *a)
{
	vft_text__ip(t, family, a);
}

static void ip_is_inet_ntop(void **state)
{
	static const uint8_t fixed[][16] = {
		{ 0 },
		{ [15] = 1 },
		{ [10] = 0xff, [11] = 0xff, [12] = 192, [13] = 168, [15] = 1 },
		{ [12] = 10, [15] = 5 },
		{ 0xfe, 0x80, [8] = 0x02, [15] = 0x01 },
		{ 0xfd, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5 },
		{ 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1 },
		{ 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
	};
	char expect[INET6_ADDRSTRLEN], got[INET6_ADDRSTRLEN];
	uint8_t a[16];
	struct vft_text t;
	unsigned int seed = 1;
	size_t i, k;

	for (i = 0; i < ARRAY_SIZE(fixed) + 20000; i++) {
		if (i < ARRAY_SIZE(fixed)) {
			memcpy(a, fixed[i], sizeof(a));
		} else {
			/* mostly zero groups, so that runs of every length and place occur */
			for (k = 0; k < 16; k += 2) {
				bool zero = rand_r(&seed) % 3;

				a[k] = zero ? 0 : (uint8_t)rand_r(&seed);
				a[k + 1] = zero ? 0 : (uint8_t)rand_r(&seed);
			}
		}
		assert_non_null(inet_ntop(AF_INET6, a, expect, sizeof(expect)));
		vft_text__init(&t, got, sizeof(got));
		ip_of(&t, 10, a);
		vft_text__done(&t);
		assert_string_equal(got, expect);
		assert_non_null(inet_ntop(AF_INET, a, expect, sizeof(expect)));
		vft_text__init(&t, got, sizeof(got));
		ip_of(&t, 2, a);
		vft_text__done(&t);
		assert_string_equal(got, expect);
	}
	vft_text__init(&t, got, sizeof(got));
	ip_of(&t, 7, a);
	vft_text__done(&t);
	assert_string_equal(got, "?");
}

static void guid_is_sysfs_form(void **state)
{
	static const uint64_t guids[] = { 0, 1, 0xb8cef60300a41010ULL, UINT64_MAX };
	char expect[24], got[24];
	struct vft_text t;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(guids); i++) {
		vft_fmt_guid(expect, sizeof(expect), guids[i]);
		vft_text__init(&t, got, sizeof(got));
		vft_text__guid(&t, guids[i]);
		vft_text__done(&t);
		assert_string_equal(got, expect);
	}
}

/* Every string field at its longest: no description needs more than VFT_DESCRIBE_MAX. */
static void longest_line_fits(void **state)
{
	char buf[VFT_DESCRIBE_MAX + 64];
	struct vft_event ev;
	uint32_t k;
	size_t n;

	for (k = 0; k < VFT_EV_KIND_MAX; k++) {
		memset(&ev, 'w', sizeof(ev));
#define FILL(f) (ev.f[sizeof(ev.f) - 1] = '\0')
		FILL(ifname);
		FILL(parent);
		FILL(new_ifname);
		FILL(device);
		FILL(driver);
		FILL(pf);
		FILL(ibdev);
		FILL(new_ibdev);
		FILL(link_layer);
		FILL(netns_name);
		FILL(pod_uid);
		FILL(pod_ns);
		FILL(pod_name);
		FILL(container);
		FILL(vf_key);
		FILL(message);
		FILL(actor.comm);
		FILL(actor.cgroup);
		FILL(actor.exe);
		FILL(cni_command);
		FILL(cni_netns);
		FILL(pod_ns);
		FILL(pod_name);
#undef FILL
		ev.kind = k;
		/* a bool holds 0 or 1 */
		ev.has_actor = ev.has_numa = ev.has_port_attrs = ev.netns_host = true;
		ev.has_ret = true;
		ev.ret = -ENOTRECOVERABLE;
		ev.ifindex = ev.new_ifindex = ev.vf_index = INT32_MIN;
		ev.family = 10;
		n = vft_event__describe(&ev, VFT_DESCRIBE_LINE, buf, sizeof(buf));
		assert_true(n < VFT_DESCRIBE_MAX - 1);
		ev.has_ret = false;
		n = vft_event__describe(&ev, VFT_DESCRIBE_LINE, buf, sizeof(buf));
		assert_true(n < VFT_DESCRIBE_MAX - 1);
		n = vft_event__describe(&ev, VFT_DESCRIBE_STEP, buf, sizeof(buf));
		assert_true(n < VFT_DESCRIBE_MAX - 1);
	}
}

/* ---- the timeline step, against the correlator's ---- */

#define MAX_FED 64

struct fed {
	struct vft_corr *c;
	struct vft_event ev[MAX_FED]; /* the events that made a step of the VF, in order */
	size_t n;
	uint64_t ts;
};

static size_t vf_steps(const struct fed *f)
{
	size_t i;

	for (i = 0; i < vft_corr__n_vfs(f->c); i++)
		if (!strcmp(vft_corr__vf_state(f->c, i)->ref.key, VF))
			return vft_corr__vf_state(f->c, i)->n_steps;
	return 0;
}

static void feed(struct fed *f, struct vft_event *ev)
{
	size_t before = vf_steps(f);

	ev->ts_ns = f->ts += 1000000;
	assert_int_equal(vft_corr__feed(f->c, ev), 0);
	if (vf_steps(f) > before) {
		assert_int_equal(vf_steps(f), before + 1);
		assert_true(f->n < MAX_FED);
		f->ev[f->n++] = *ev;
	}
}

static struct vft_event event(uint32_t kind, uint32_t source)
{
	struct vft_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.kind = kind;
	ev.source = source;
	if (source <= VFT_SRC_TRACEPOINT) {
		ev.has_actor = true;
		ev.actor.pid = 5120;
		strcpy(ev.actor.comm, "sriov");
	}
	return ev;
}

static struct vft_event netdev(uint32_t kind, const char *ifname, uint32_t netns)
{
	struct vft_event ev = event(kind, VFT_SRC_FENTRY);

	strcpy(ev.ifname, ifname);
	strcpy(ev.parent, VF);
	ev.ifindex = 10;
	ev.netns = netns;
	return ev;
}

static struct vft_event rdma(uint32_t kind)
{
	struct vft_event ev = event(kind, VFT_SRC_KPROBE);

	strcpy(ev.ibdev, "mlx5_7");
	strcpy(ev.parent, VF);
	return ev;
}

static void feed_addr(struct fed *f, uint32_t kind, uint8_t family, const uint8_t *a,
		      uint8_t prefixlen)
{
	struct vft_event ev = netdev(kind, "net1", POD_NS);

	ev.family = family;
	ev.prefixlen = prefixlen;
	memcpy(ev.addr, a, 16);
	feed(f, &ev);
}

static void feed_port(struct fed *f, uint32_t kind, uint32_t event, bool attrs, int32_t ret)
{
	struct vft_event ev = rdma(kind);

	ev.port = 1;
	ev.port_event = event;
	ev.has_port_attrs = attrs;
	ev.port_state = 4;
	ev.lid = 0x12;
	ev.sm_lid = 0x1;
	strcpy(ev.link_layer, "InfiniBand");
	if (ret) {
		ev.source = VFT_SRC_ENRICH;
		ev.has_actor = false;
		ev.has_ret = true;
		ev.ret = ret;
		ev.netns = POD_NS;
	}
	feed(f, &ev);
}

/* A VF's whole life, every kind that makes a step, good and failed where a kind can fail. */
static void feed_life(struct fed *f)
{
	static const uint8_t ip4[16] = { 10, 0, 0, 5 };
	static const uint8_t ip6[16] = { 0xfd, 0, [15] = 5 };
	static const uint8_t mapped[16] = { [10] = 0xff, [11] = 0xff, 192, 168, 0, 1 };
	struct vft_event ev;

	ev = event(VFT_EV_NETNS_INFO, VFT_SRC_ENRICH);
	ev.netns = HOST_NS;
	ev.netns_host = true;
	feed(f, &ev);
	ev = event(VFT_EV_NETNS_INFO, VFT_SRC_ENRICH);
	ev.netns = POD_NS;
	strcpy(ev.pod_uid, "c0ffee00-1111-2222-3333-444455556666");
	feed(f, &ev);
	ev = event(VFT_EV_VF_ADD, VFT_SRC_FENTRY);
	strcpy(ev.pf, PF);
	strcpy(ev.device, VF);
	ev.vf_index = 1;
	feed(f, &ev);
	ev = event(VFT_EV_VF_CONFIG, VFT_SRC_FENTRY);
	strcpy(ev.ifname, "ens1f0");
	strcpy(ev.pf, PF);
	strcpy(ev.device, VF);
	ev.vf_index = 1;
	ev.vf_setting = VFT_VF_MAC;
	ev.vf_value = 0x020000000001ULL;
	ev.has_ret = true;
	feed(f, &ev);
	ev.vf_setting = VFT_VF_NODE_GUID;
	ev.vf_value = 0xb8cef60300a41011ULL;
	feed(f, &ev);
	ev.vf_setting = VFT_VF_TRUST;
	ev.vf_value = 1;
	ev.ret = -EOPNOTSUPP;
	feed(f, &ev);
	ev = event(VFT_EV_DRIVER_BIND, VFT_SRC_KPROBE);
	strcpy(ev.device, VF);
	strcpy(ev.driver, "mlx5_core");
	ev.has_ret = true;
	ev.ret = -ENODEV;
	feed(f, &ev);
	ev.ret = 0;
	feed(f, &ev);
	ev = netdev(VFT_EV_NETDEV_REGISTER, "eth0", HOST_NS);
	ev.has_ret = true;
	feed(f, &ev);
	ev = netdev(VFT_EV_NETDEV_RENAME, "eth0", HOST_NS);
	strcpy(ev.new_ifname, "ens1f0v1");
	ev.has_ret = true;
	feed(f, &ev);
	ev = netdev(VFT_EV_NETDEV_RENAME, "ens1f0v1", HOST_NS);
	strcpy(ev.new_ifname, "net1");
	ev.has_ret = true;
	ev.ret = -EBUSY;
	feed(f, &ev);
	ev = rdma(VFT_EV_RDMA_REGISTER);
	ev.node_guid = 0xb8cef60300a41010ULL;
	ev.has_ret = true;
	feed(f, &ev);
	ev = rdma(VFT_EV_RDMA_RENAME);
	strcpy(ev.new_ibdev, "mlx5_70");
	ev.has_ret = true;
	feed(f, &ev);
	strcpy(ev.ibdev, "mlx5_70");
	strcpy(ev.new_ibdev, "mlx5_7");
	feed(f, &ev);
	ev = netdev(VFT_EV_NETNS_MOVE, "ens1f0v1", 0);
	ev.from_netns = HOST_NS;
	ev.to_netns = POD_NS;
	ev.has_ret = true;
	ev.ret = -EEXIST;
	strcpy(ev.message, "An interface with the same name exists");
	feed(f, &ev);
	ev.message[0] = '\0';
	feed(f, &ev);
	ev.ret = 0;
	ev.netns = POD_NS;
	ev.new_ifindex = 3;
	strcpy(ev.new_ifname, "net1");
	feed(f, &ev);
	ev = rdma(VFT_EV_RDMA_NETNS_MOVE);
	ev.to_netns = POD_NS;
	ev.has_ret = true;
	ev.ret = -EOPNOTSUPP;
	feed(f, &ev);
	ev.ret = 0;
	feed(f, &ev);
	ev = netdev(VFT_EV_LINK_CHANGE, "net1", POD_NS);
	ev.ifindex = 3;
	ev.flags = 0x1043;
	ev.old_flags = 0x1002;
	feed(f, &ev);
	ev.old_flags = 0x1003;
	feed(f, &ev);
	feed_addr(f, VFT_EV_ADDR_ADD, 2, ip4, 24);
	feed_addr(f, VFT_EV_ADDR_ADD, 10, ip6, 64);
	feed_addr(f, VFT_EV_ADDR_ADD, 10, mapped, 128);
	feed_addr(f, VFT_EV_ADDR_DEL, 7, ip4, 8);
	feed_addr(f, VFT_EV_ADDR_DEL, 2, ip4, 24);
	feed_port(f, VFT_EV_RDMA_PORT_EVENT, 9, true, 0);
	feed_port(f, VFT_EV_RDMA_PORT_EVENT, 11, false, 0);
	feed_port(f, VFT_EV_RDMA_PORT_EVENT, 99, false, 0);
	feed_port(f, VFT_EV_RDMA_PORT_STATE, 0, true, 0);
	feed_port(f, VFT_EV_RDMA_PORT_STATE, 0, false, -ENOENT);
	/* the CNI's run, reported at its exit: on the VF its pid touched */
	ev = event(VFT_EV_CNI, VFT_SRC_TRACEPOINT);
	strcpy(ev.cni_command, "ADD");
	strcpy(ev.ifname, "net1");
	ev.netns = POD_NS;
	ev.cni_duration_ns = f->ts;
	feed(f, &ev);
	ev.cni_status = 7 << 8;
	feed(f, &ev);
	ev = event(VFT_EV_VF_CHECK, VFT_SRC_TIMER);
	strcpy(ev.vf_key, VF);
	feed(f, &ev);
	ev = netdev(VFT_EV_LINK_CHANGE, "net1", POD_NS);
	ev.flags = 0x1002;
	ev.old_flags = 0x1043;
	feed(f, &ev);
	ev = rdma(VFT_EV_RDMA_UNREGISTER);
	feed(f, &ev);
	ev = netdev(VFT_EV_NETDEV_UNREGISTER, "net1", POD_NS);
	feed(f, &ev);
	ev = event(VFT_EV_DRIVER_UNBIND, VFT_SRC_KPROBE);
	strcpy(ev.device, VF);
	strcpy(ev.driver, "mlx5_core");
	feed(f, &ev);
	ev = event(VFT_EV_VF_REMOVE, VFT_SRC_FENTRY);
	strcpy(ev.pf, PF);
	strcpy(ev.device, VF);
	ev.vf_index = 1;
	feed(f, &ev);
}

static void step_is_the_correlators(void **state)
{
	struct vft_corr_opts opts = { .replay = true };
	const struct vft_vf *vf = NULL;
	char text[sizeof(vf->steps->text)];
	bool kinds[VFT_EV_KIND_MAX] = { 0 };
	struct fed *f = calloc(1, sizeof(*f));
	size_t i;

	assert_non_null(f);
	f->ts = T0;
	assert_int_equal(vft_corr__new(&opts, NULL, NULL, &f->c), 0);
	feed_life(f);
	for (i = 0; i < vft_corr__n_vfs(f->c); i++)
		if (!strcmp(vft_corr__vf_state(f->c, i)->ref.key, VF))
			vf = vft_corr__vf(f->c, i);
	assert_non_null(vf);
	assert_non_null(vf->steps);
	assert_int_equal(vf->n_steps, f->n);
	for (i = 0; i < f->n; i++) {
		vft_event__describe(&f->ev[i], VFT_DESCRIBE_STEP, text, sizeof(text));
		assert_string_equal(text, vf->steps[i].text);
		kinds[f->ev[i].kind] = true;
	}
	/* every kind the correlator keeps a step of is in the life above */
	for (i = 1; i < VFT_EV_KIND_MAX; i++) {
		enum vft_kind_corr corr = vft_kind__get((uint32_t)i)->corr;

		assert_int_equal(kinds[i], corr != VFT_KCORR_NONE && corr != VFT_KCORR_NETNS_INFO &&
						   corr != VFT_KCORR_TRUST);
	}
	vft_corr__free(f->c);
	free(f);
}

/* ---- the keep column: what a step describer reads ---- */

/* What the correlator keeps of @src for a step: the fields of the groups in @keep. */
static void copy_kept(struct vft_event *dst, const struct vft_event *src, uint32_t keep)
{
	memset(dst, 0, sizeof(*dst));
	dst->kind = src->kind;
	dst->has_ret = src->has_ret;
	dst->ret = src->ret;
#define KEEP(group, field)                                                    \
	do {                                                                  \
		if (keep & 1u << VFT_KEEP_##group)                            \
			memcpy(&dst->field, &src->field, sizeof(dst->field)); \
	} while (0)
	KEEP(IFNAME, ifname);
	KEEP(NETNS, netns);
	KEEP(TO_NETNS, to_netns);
	KEEP(NEW_IFNAME, new_ifname);
	KEEP(MESSAGE, message);
	KEEP(ADDR, family);
	KEEP(ADDR, prefixlen);
	KEEP(ADDR, addr);
	KEEP(DRIVER, driver);
	KEEP(VF, pf);
	KEEP(VF, vf_index);
	KEEP(IBDEV, ibdev);
	KEEP(NEW_IBDEV, new_ibdev);
	KEEP(NODE_GUID, node_guid);
	KEEP(PORT, port);
	KEEP(PORT, port_event);
	KEEP(PORT, has_port_attrs);
	KEEP(PORT, port_state);
	KEEP(PORT, lid);
	KEEP(PORT, sm_lid);
	KEEP(VFCFG, vf_setting);
	KEEP(VFCFG, vf_value);
	KEEP(CNI, cni_command);
	KEEP(CNI, actor.comm);
	KEEP(CNI, pod_ns);
	KEEP(CNI, pod_name);
	KEEP(CNI, cni_status);
	KEEP(CNI, cni_duration_ns);
	KEEP(CNI, cni_flags);
#undef KEEP
	if (keep & VFT_KEEP(UP)) {
		dst->flags = src->flags & 0x1;
		dst->old_flags = src->old_flags & 0x1;
	}
}

/* A short name, or "" one time in four. */
static void random_name(char *dst, size_t size, unsigned int *seed)
{
	size_t n = (size_t)(rand_r(seed) % 4 ? rand_r(seed) % 9 + 1 : 0), i;

	for (i = 0; i < n && i + 1 < size; i++)
		dst[i] = (char)('a' + rand_r(seed) % 26);
	dst[i] = '\0';
}

/* Every field random: numbers any value, strings short, flags 0 or 1. */
static void random_event(struct vft_event *ev, uint32_t kind, unsigned int *seed)
{
	static const int32_t rets[] = { 0, -EEXIST, -ENOENT, -EOPNOTSUPP };
	static const uint8_t families[] = { 2, 10, 7 };
	size_t i;

	for (i = 0; i < sizeof(*ev); i++)
		((uint8_t *)ev)[i] = (uint8_t)rand_r(seed);
	ev->kind = kind;
#define NAME(f) random_name(ev->f, sizeof(ev->f), seed)
	NAME(actor.comm);
	NAME(actor.cgroup);
	NAME(ifname);
	NAME(parent);
	NAME(new_ifname);
	NAME(device);
	NAME(driver);
	NAME(pf);
	NAME(ibdev);
	NAME(new_ibdev);
	NAME(link_layer);
	NAME(netns_name);
	NAME(pod_uid);
	NAME(container);
	NAME(vf_key);
	NAME(message);
	NAME(actor.exe);
	NAME(cni_command);
	NAME(cni_netns);
	NAME(pod_ns);
	NAME(pod_name);
#undef NAME
	ev->has_actor = rand_r(seed) & 1;
	ev->has_numa = rand_r(seed) & 1;
	ev->has_port_attrs = rand_r(seed) & 1;
	ev->netns_host = rand_r(seed) & 1;
	ev->has_ret = rand_r(seed) & 1;
	ev->ret = rets[rand_r(seed) % ARRAY_SIZE(rets)];
	ev->family = families[rand_r(seed) % ARRAY_SIZE(families)];
	ev->port_event = (uint32_t)rand_r(seed) % 20;
	ev->port_state = (uint32_t)rand_r(seed) % 6;
}

/*
 * A kind's step describer reads the fields of its keep column and no
 * other: the step of an event and of what the correlator keeps of it are
 * the same text. A kind without a step describer keeps nothing.
 */
static void step_reads_its_keep_column(void **state)
{
	char full[VFT_DESCRIBE_MAX], kept[VFT_DESCRIBE_MAX];
	struct vft_event ev, only;
	unsigned int seed = 7;
	uint32_t k;
	int i;

	for (k = 0; k < VFT_EV_KIND_MAX; k++) {
		const struct vft_kind_info *r = vft_kind__get(k);

		assert_true(r->keep < 1u << VFT_KEEP_MAX);
		if (!r->step) {
			assert_int_equal(r->keep, 0);
			continue;
		}
		for (i = 0; i < 2000; i++) {
			random_event(&ev, k, &seed);
			copy_kept(&only, &ev, r->keep);
			vft_event__describe(&ev, VFT_DESCRIBE_STEP, full, sizeof(full));
			vft_event__describe(&only, VFT_DESCRIBE_STEP, kept, sizeof(kept));
			assert_string_equal(kept, full);
		}
	}
}

/* Kinds without a step of their own are named; a step is cut as the correlator cuts it. */
static void step_of_other_kinds_and_cut(void **state)
{
	struct vft_event ev;
	char buf[24];
	uint32_t k;

	for (k = 0; k < VFT_EV_KIND_MAX; k++) {
		memset(&ev, 0, sizeof(ev));
		ev.kind = k;
		if (vft_kind__get(k)->step)
			continue;
		vft_event__describe(&ev, VFT_DESCRIBE_STEP, buf, sizeof(buf));
		assert_string_equal(buf, k ? vft_kind__name(k) : "?");
	}
	ev = netdev(VFT_EV_NETDEV_REGISTER, "ens1f0v1", HOST_NS);
	assert_int_equal(vft_event__describe(&ev, VFT_DESCRIBE_STEP, buf, sizeof(buf)), 23);
	assert_string_equal(buf, "netdev ens1f0v1 registe");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_kind_has_its_row),
		cmocka_unit_test(merge_pairs_what_rtnetlink_reports),
		cmocka_unit_test(kinds_that_make_records),
		cmocka_unit_test(text_is_cut_as_snprintf_cuts),
		cmocka_unit_test(ip_is_inet_ntop),
		cmocka_unit_test(guid_is_sysfs_form),
		cmocka_unit_test(longest_line_fits),
		cmocka_unit_test(step_is_the_correlators),
		cmocka_unit_test(step_reads_its_keep_column),
		cmocka_unit_test(step_of_other_kinds_and_cut),
	};

	return cmocka_run_group_tests_name("kinds", tests, NULL, NULL);
}
