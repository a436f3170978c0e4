// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_correlate.c - the correlator: one record per VF across renames and
 * netns moves, and every finding raised, not raised and resolved.
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
#include <json-c/json.h>
#include "correlate/correlate.h"
#include "sinks/sink.h"

#define MS 1000000ULL
#define SEC 1000000000ULL
#define GRACE (2 * SEC)
#define T0 (1700000000ULL * SEC)

#define HOST_NS 4026531840u
#define POD_NS 4026532291u
#define POD2_NS 4026532500u
#define POD_NAME "cni-0b7c1d2e"
#define POD_UID "c0ffee00-1111-2222-3333-444455556666"

#define PF "0000:3b:00.0"
#define VF1 "0000:3b:00.2"
#define VF2 "0000:3b:00.3"

#define IFF_UP 0x1
#define IFF_PROMISC 0x100
#define MAX_GOT 64

static const struct vft_actor networkd = {
	.pid = 812,
	.tid = 812,
	.comm = "systemd-network",
	.cgroup = "/system.slice/systemd-networkd.service",
};
static const struct vft_actor nm = {
	.pid = 903,
	.tid = 903,
	.comm = "NetworkManager",
	.cgroup = "/system.slice/NetworkManager.service",
};
static const struct vft_actor udevd = {
	.pid = 401,
	.tid = 4410,
	.comm = "systemd-udevd",
	.cgroup = "/system.slice/systemd-udevd.service/udev",
};
static const struct vft_actor cni = {
	.pid = 5120,
	.tid = 5120,
	.comm = "sriov",
	.cgroup = "/system.slice/containerd.service",
};
static const struct vft_actor kworker = { .pid = 77, .tid = 77, .comm = "kworker/u8:1" };
static const struct vft_actor admin = {
	.pid = 3131,
	.tid = 3131,
	.comm = "bash",
	.cgroup = "/user.slice/user-0.slice/session-3.scope",
};

/* What the callbacks saw: findings and resolutions, copied. */
struct got {
	size_t n_found, n_res, n_events, n_unplaced;
	struct vft_finding found[MAX_GOT];
	struct vft_finding res[MAX_GOT];
	int fail_with;
	char order[64]; /* 'e' event, 'f' finding, 'r' resolution, in callback order */
	size_t order_len;
};

static void saw(struct got *g, char what)
{
	if (g->order_len < sizeof(g->order))
		g->order[g->order_len++] = what;
}

struct t {
	struct vft_corr *c;
	struct got g;
	uint64_t now;
};

/* A network device as the tests drive it: helpers keep it current. */
struct dev {
	char parent[VFT_DEVNAME_LEN];
	char ifname[VFT_NAME_LEN];
	uint32_t netns;
	int32_t ifindex;
	char ibdev[VFT_IBNAME_LEN];
};

static int on_event(void *ctx, const struct vft_event *ev, const struct vft_vf *vf)
{
	struct got *g = ctx;

	(void)ev;
	saw(g, 'e');
	g->n_events++;
	g->n_unplaced += !vf;
	return 0;
}

static int on_finding(void *ctx, const struct vft_finding *f)
{
	struct got *g = ctx;

	saw(g, 'f');
	if (g->n_found < MAX_GOT)
		g->found[g->n_found] = *f;
	g->n_found++;
	return g->fail_with;
}

static int on_resolved(void *ctx, const struct vft_finding *f)
{
	struct got *g = ctx;

	saw(g, 'r');
	if (g->n_res < MAX_GOT)
		g->res[g->n_res] = *f;
	g->n_res++;
	return 0;
}

static const struct vft_corr_ops ops = {
	.event = on_event,
	.finding = on_finding,
	.resolved = on_resolved,
};

static struct vft_event ev_of(const struct t *t, uint32_t kind)
{
	struct vft_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.kind = kind;
	ev.source = VFT_SRC_FENTRY;
	ev.ts_ns = t->now;
	return ev;
}

static void feed(struct t *t, const struct vft_event *ev)
{
	assert_int_equal(vft_corr__feed(t->c, ev), 0);
}

static void netns_info(struct t *t, uint32_t netns, bool host, const char *name, const char *uid)
{
	struct vft_event ev = ev_of(t, VFT_EV_NETNS_INFO);

	ev.source = VFT_SRC_ENRICH;
	ev.netns = netns;
	ev.netns_host = host;
	snprintf(ev.netns_name, sizeof(ev.netns_name), "%s", name);
	snprintf(ev.pod_uid, sizeof(ev.pod_uid), "%s", uid);
	feed(t, &ev);
}

static struct t *new_t(const struct vft_corr_opts *opts)
{
	struct t *t = calloc(1, sizeof(*t));

	assert_non_null(t);
	assert_int_equal(vft_corr__new(opts, &ops, &t->g, &t->c), 0);
	t->now = T0;
	netns_info(t, HOST_NS, true, "", "");
	netns_info(t, POD_NS, false, POD_NAME, POD_UID);
	netns_info(t, POD2_NS, false, "", "");
	return t;
}

static int setup(void **state)
{
	struct vft_corr_opts opts = { .grace_ns = GRACE };

	*state = new_t(&opts);
	return 0;
}

static int teardown(void **state)
{
	struct t *t = *state;

	vft_corr__free(t->c);
	free(t);
	return 0;
}

static struct dev dev_of(const char *parent, const char *ifname, int32_t ifindex)
{
	struct dev d;

	memset(&d, 0, sizeof(d));
	snprintf(d.parent, sizeof(d.parent), "%s", parent);
	snprintf(d.ifname, sizeof(d.ifname), "%s", ifname);
	d.netns = HOST_NS;
	d.ifindex = ifindex;
	return d;
}

static struct vft_event dev_ev(const struct t *t, uint32_t kind, const struct dev *d,
			       const struct vft_actor *a)
{
	struct vft_event ev = ev_of(t, kind);

	memcpy(ev.parent, d->parent, sizeof(d->parent));
	memcpy(ev.ifname, d->ifname, sizeof(d->ifname));
	ev.netns = d->netns;
	ev.ifindex = d->ifindex;
	if (a) {
		ev.has_actor = true;
		ev.actor = *a;
	}
	return ev;
}

static void vf_add(struct t *t, const char *bdf, int index)
{
	struct vft_event ev = ev_of(t, VFT_EV_VF_ADD);

	snprintf(ev.device, sizeof(ev.device), "%s", bdf);
	snprintf(ev.pf, sizeof(ev.pf), "%s", PF);
	ev.vf_index = index;
	ev.has_ret = true;
	feed(t, &ev);
}

static void reg(struct t *t, const struct dev *d)
{
	struct vft_event ev = dev_ev(t, VFT_EV_NETDEV_REGISTER, d, &kworker);

	ev.has_ret = true;
	feed(t, &ev);
}

/* The inventory's register of a device that already exists, with its flags. */
static void reg_inventory(struct t *t, const struct dev *d, uint32_t flags)
{
	struct vft_event ev = dev_ev(t, VFT_EV_NETDEV_REGISTER, d, NULL);

	ev.source = VFT_SRC_INVENTORY;
	ev.flags = flags;
	feed(t, &ev);
}

static void unreg(struct t *t, const struct dev *d)
{
	struct vft_event ev = dev_ev(t, VFT_EV_NETDEV_UNREGISTER, d, &kworker);

	feed(t, &ev);
}

static void move(struct t *t, struct dev *d, uint32_t to, const char *new_ifname,
		 int32_t new_ifindex, const struct vft_actor *a)
{
	struct vft_event ev = dev_ev(t, VFT_EV_NETNS_MOVE, d, a);

	ev.from_netns = d->netns;
	ev.to_netns = to;
	ev.netns = to;
	ev.new_ifindex = new_ifindex;
	snprintf(ev.new_ifname, sizeof(ev.new_ifname), "%s", new_ifname);
	ev.has_ret = true;
	feed(t, &ev);
	d->netns = to;
	if (new_ifname[0])
		snprintf(d->ifname, sizeof(d->ifname), "%s", new_ifname);
	if (new_ifindex)
		d->ifindex = new_ifindex;
}

static void move_fail(struct t *t, const struct dev *d, uint32_t to, const char *new_ifname,
		      int32_t ret, const char *msg)
{
	struct vft_event ev = dev_ev(t, VFT_EV_NETNS_MOVE, d, &cni);

	ev.from_netns = d->netns;
	ev.to_netns = to;
	snprintf(ev.new_ifname, sizeof(ev.new_ifname), "%s", new_ifname);
	ev.has_ret = true;
	ev.ret = ret;
	snprintf(ev.message, sizeof(ev.message), "%s", msg);
	feed(t, &ev);
}

static void ren(struct t *t, struct dev *d, const char *name, const struct vft_actor *a)
{
	struct vft_event ev = dev_ev(t, VFT_EV_NETDEV_RENAME, d, a);

	snprintf(ev.new_ifname, sizeof(ev.new_ifname), "%s", name);
	ev.has_ret = true;
	feed(t, &ev);
	snprintf(d->ifname, sizeof(d->ifname), "%s", name);
}

static void flags(struct t *t, const struct dev *d, uint32_t old, uint32_t now,
		  const struct vft_actor *a)
{
	struct vft_event ev = dev_ev(t, VFT_EV_LINK_CHANGE, d, a);

	ev.old_flags = old;
	ev.flags = now;
	feed(t, &ev);
}

static void up(struct t *t, const struct dev *d, const struct vft_actor *a)
{
	flags(t, d, 0, IFF_UP, a);
}

static void addr(struct t *t, uint32_t kind, const struct dev *d, uint8_t family,
		 const uint8_t *bytes, const struct vft_actor *a)
{
	struct vft_event ev = dev_ev(t, kind, d, a);

	ev.family = family;
	ev.prefixlen = family == 2 ? 24 : 64;
	memcpy(ev.addr, bytes, family == 2 ? 4 : 16);
	feed(t, &ev);
}

static const uint8_t ip4[4] = { 10, 0, 0, 5 };
static const uint8_t ip4_ll[4] = { 169, 254, 3, 7 };
static const uint8_t ip6_ll[16] = { 0xfe, 0x80, [8] = 0x02, [15] = 0x01 };
static const uint8_t ip6[16] = { 0xfd, 0x00, [15] = 0x05 };

static void addr4(struct t *t, const struct dev *d, const struct vft_actor *a)
{
	addr(t, VFT_EV_ADDR_ADD, d, 2, ip4, a);
}

static void check(struct t *t, const char *key)
{
	struct vft_event ev = ev_of(t, VFT_EV_VF_CHECK);

	ev.source = VFT_SRC_TIMER;
	snprintf(ev.vf_key, sizeof(ev.vf_key), "%s", key);
	feed(t, &ev);
}

static void driver(struct t *t, uint32_t kind, uint32_t source, const char *bdf,
		   const struct vft_actor *a)
{
	struct vft_event ev = ev_of(t, kind);

	ev.source = source;
	snprintf(ev.device, sizeof(ev.device), "%s", bdf);
	snprintf(ev.driver, sizeof(ev.driver), "mlx5_core");
	if (a) {
		ev.has_actor = true;
		ev.actor = *a;
	}
	feed(t, &ev);
}

static struct vft_event rdma_ev(const struct t *t, uint32_t kind, const struct dev *d)
{
	struct vft_event ev = ev_of(t, kind);

	memcpy(ev.parent, d->parent, sizeof(d->parent));
	memcpy(ev.ibdev, d->ibdev, sizeof(d->ibdev));
	ev.node_guid = 0x0c42a10300aa0001ULL;
	return ev;
}

static void rdma_reg(struct t *t, struct dev *d, const char *ibdev)
{
	struct vft_event ev;

	snprintf(d->ibdev, sizeof(d->ibdev), "%s", ibdev);
	ev = rdma_ev(t, VFT_EV_RDMA_REGISTER, d);
	ev.has_ret = true;
	feed(t, &ev);
}

static void rdma_unreg(struct t *t, const struct dev *d)
{
	struct vft_event ev = rdma_ev(t, VFT_EV_RDMA_UNREGISTER, d);

	feed(t, &ev);
}

static void rdma_move(struct t *t, const struct dev *d, uint32_t to, int32_t ret)
{
	struct vft_event ev = rdma_ev(t, VFT_EV_RDMA_NETNS_MOVE, d);

	ev.to_netns = to;
	ev.has_ret = true;
	ev.ret = ret;
	ev.has_actor = true;
	ev.actor = cni;
	feed(t, &ev);
}

/* A port event (or an enrichment re-read) with the port's attributes. */
static void port(struct t *t, const struct dev *d, uint32_t kind, const char *link_layer,
		 uint32_t state, uint32_t lid, uint32_t sm_lid, uint64_t guid, uint32_t ip_gids)
{
	struct vft_event ev = rdma_ev(t, kind, d);

	if (kind == VFT_EV_RDMA_PORT_STATE) {
		ev.source = VFT_SRC_ENRICH;
		ev.has_ret = true;
		ev.netns = d->netns;
	}
	ev.port = 1;
	ev.port_event = 9; /* PORT_ACTIVE */
	ev.has_port_attrs = true;
	ev.port_state = state;
	ev.phys_state = 5;
	ev.lid = lid;
	ev.sm_lid = sm_lid;
	ev.port_guid = guid;
	snprintf(ev.link_layer, sizeof(ev.link_layer), "%s", link_layer);
	ev.n_gids = ip_gids + 2;
	ev.n_rocev2_gids = ip_gids + 1;
	ev.n_ip_gids = ip_gids;
	feed(t, &ev);
}

static void ib_port(struct t *t, const struct dev *d, uint32_t state, uint32_t lid, uint32_t sm_lid,
		    uint64_t guid)
{
	port(t, d, VFT_EV_RDMA_PORT_EVENT, "InfiniBand", state, lid, sm_lid, guid, 0);
}

static void eth_port(struct t *t, const struct dev *d, uint32_t ip_gids)
{
	port(t, d, VFT_EV_RDMA_PORT_EVENT, "Ethernet", 4, 0, 0, 0x0c42a1fffeaa0001ULL, ip_gids);
}

/* An enrichment re-read of the port inside @netns that failed with @ret. */
static void reread_failed(struct t *t, const struct dev *d, uint32_t source, uint32_t netns,
			  int32_t ret)
{
	struct vft_event ev = rdma_ev(t, VFT_EV_RDMA_PORT_STATE, d);

	ev.source = source;
	ev.netns = netns;
	ev.port = 1;
	ev.has_ret = true;
	ev.ret = ret;
	feed(t, &ev);
}

/* The last finding of @code raised, or NULL. */
static const struct vft_finding *found(const struct t *t, uint32_t code)
{
	size_t i;

	for (i = t->g.n_found < MAX_GOT ? t->g.n_found : MAX_GOT; i > 0; i--)
		if (t->g.found[i - 1].code == code)
			return &t->g.found[i - 1];
	return NULL;
}

static size_t n_found(const struct t *t, uint32_t code)
{
	size_t i, n = 0;

	for (i = 0; i < t->g.n_found && i < MAX_GOT; i++)
		n += t->g.found[i].code == code;
	return n;
}

/* The last resolution of @code, or NULL. */
static const struct vft_finding *resolution(const struct t *t, uint32_t code)
{
	size_t i;

	for (i = t->g.n_res < MAX_GOT ? t->g.n_res : MAX_GOT; i > 0; i--)
		if (t->g.res[i - 1].code == code)
			return &t->g.res[i - 1];
	return NULL;
}

static const struct vft_finding *must_find(const struct t *t, uint32_t code)
{
	const struct vft_finding *f = found(t, code);

	assert_non_null(f);
	return f;
}

static const struct vft_finding *must_resolve(const struct t *t, uint32_t code)
{
	const struct vft_finding *f = resolution(t, code);

	assert_non_null(f);
	return f;
}

static const struct vft_vf *vf_by_key(const struct t *t, const char *key)
{
	size_t i;

	for (i = 0; i < vft_corr__n_vfs(t->c); i++)
		if (!strcmp(vft_corr__vf(t->c, i)->ref.key, key))
			return vft_corr__vf(t->c, i);
	return NULL;
}

/* A known VF (vf_add) registered in the host as ens1f0v1, with @ibdev if not NULL. */
static struct dev host_vf(struct t *t, const char *bdf, const char *ibdev)
{
	struct dev d = dev_of(bdf, "ens1f0v1", 11);

	vf_add(t, bdf, 1);
	reg(t, &d);
	if (ibdev)
		rdma_reg(t, &d, ibdev);
	t->now += MS;
	return d;
}

/* ... then moved into the pod as net1 now: the pod stay starts at t->now. */
static struct dev pod_vf(struct t *t, const char *ibdev)
{
	struct dev d = host_vf(t, VF1, ibdev);

	move(t, &d, POD_NS, "net1", 3, &cni);
	return d;
}

/* ---- HOST_MANAGER_CLAIM ---- */

static void claim_udev_rename_is_not_a_claim(void **state)
{
	struct t *t = *state;
	struct dev d = dev_of(VF1, "eth0", 11);

	vf_add(t, VF1, 1);
	reg(t, &d);
	ren(t, &d, "ens1f0v1", &udevd);
	assert_int_equal(t->g.n_found, 0);
	assert_string_equal(vf_by_key(t, VF1)->ref.ifname, "ens1f0v1");
	/* the same actor bringing it up is one */
	up(t, &d, &udevd);
	assert_int_equal(n_found(t, VFT_F_HOST_MANAGER_CLAIM), 1);
}

/* Trusted by evidence (tests/unit/test_trust.c has the edges): executable, unit, pod daemon. */
static void claim_trusted_actors_are_not_claims(void **state)
{
	static const struct vft_actor trusted[] = {
		{ .pid = 0, .comm = "swapper/3" },
		{ .pid = 77, .comm = "kworker/u8:1" },
		{ .pid = 5001, .comm = "multus", .exe = "/opt/cni/bin/multus" },
		{ .pid = 5002, .comm = "sriov", .exe = "/opt/cni/bin/sriov" },
		{ .pid = 5003, .comm = "whereabouts", .exe = "/usr/libexec/cni/whereabouts" },
		{ .pid = 5004, .comm = "containerd", .cgroup = "/system.slice/containerd.service" },
		{ .pid = 5005, .comm = "runc", .cgroup = "/system.slice/containerd.service" },
		{ .pid = 5006, .comm = "kubelet", .cgroup = "/system.slice/kubelet.service" },
		{ .pid = 5007, .comm = "my-cni" }, /* opts.trusted_comms */
		{ .pid = 5008, .comm = "helper", .cgroup = "/system.slice/containerd.service" },
		{ .pid = 5009, .comm = "helper", .cgroup = "/system.slice/kubelet.service" },
		{ .pid = 5010, .comm = "helper", .cgroup = "/system.slice/crio.service" },
		{ .pid = 5011,
		  .comm = "sriov-network-c",
		  .cgroup = "/kubepods.slice/kubepods-besteffort.slice/"
			    "kubepods-besteffort-podc0ffee00_1111_2222_3333_444455556666.slice/"
			    "cri-containerd-abcd.scope" },
		{ .pid = 5012, .comm = "k3s-cni", .exe = "/var/lib/cni/bin/k3s-cni" }, /* a DIR */
	};
	static const char *const extra[] = { "my-cni", "/var/lib/cni/bin" };
	struct vft_corr_opts opts = { .grace_ns = GRACE, .trusted_comms = extra, .n_trusted = 2 };
	struct t *t = new_t(&opts);
	struct dev d = host_vf(t, VF1, NULL);
	size_t i;

	up(t, &d, NULL); /* no actor: rtnetlink saw it */
	for (i = 0; i < sizeof(trusted) / sizeof(trusted[0]); i++) {
		flags(t, &d, IFF_UP, 0, &trusted[i]);
		up(t, &d, &trusted[i]);
		addr4(t, &d, &trusted[i]);
	}
	assert_int_equal(t->g.n_found, 0);
	/* the control: the same steps by a host manager are a claim */
	flags(t, &d, IFF_UP, 0, &nm);
	up(t, &d, &nm);
	assert_int_equal(n_found(t, VFT_F_HOST_MANAGER_CLAIM), 1);
	vft_corr__free(t->c);
	free(t);
}

/*
 * An IPv6 address that SLAAC adds when a router advertisement arrives is
 * added in softirq, on whatever task the interrupt came upon: the hook's
 * record says so (VFT_F_IN_SOFTIRQ), the decoded event has no actor, and it
 * is never a claim, whoever was interrupted.
 */
static void claim_not_from_interrupt_context(void **state)
{
	static const uint32_t irq_flags[] = { VFT_F_IN_SOFTIRQ, VFT_F_IN_HARDIRQ };
	struct t *t = *state;
	struct dev d = host_vf(t, VF1, NULL);
	struct vft_clock clk = { 0 };
	struct vft_bpf_event r;
	struct vft_event ev;
	size_t i;

	memset(&r, 0, sizeof(r));
	r.kind = VFT_EV_ADDR_ADD;
	r.source = VFT_SRC_FENTRY;
	r.ts_boot_ns = t->now;
	r.pid = 812;
	r.tid = 812;
	strcpy(r.comm, "NetworkManager"); /* the task the softirq interrupted */
	strcpy(r.ifname, d.ifname);
	strcpy(r.parent, d.parent);
	r.ifindex = d.ifindex;
	r.netns = d.netns;
	r.u.addr.family = 10;
	r.u.addr.prefixlen = 64;
	memcpy(r.u.addr.addr, ip6, sizeof(ip6));
	for (i = 0; i < sizeof(irq_flags) / sizeof(irq_flags[0]); i++) {
		r.flags = irq_flags[i];
		assert_int_equal(vft_event__from_bpf(&ev, &r, sizeof(r), &clk), 0);
		assert_false(ev.has_actor);
		assert_int_not_equal(ev.context, VFT_CTX_TASK);
		assert_int_equal(ev.actor.pid, 0);
		feed(t, &ev);
	}
	assert_int_equal(t->g.n_found, 0);
	/* the control: the same record in the task's context is the task's claim */
	r.flags = 0;
	assert_int_equal(vft_event__from_bpf(&ev, &r, sizeof(r), &clk), 0);
	assert_true(ev.has_actor);
	feed(t, &ev);
	assert_int_equal(n_found(t, VFT_F_HOST_MANAGER_CLAIM), 1);
	assert_string_equal(must_find(t, VFT_F_HOST_MANAGER_CLAIM)->comm, "NetworkManager");
}

static void claim_on_known_vf_raised_at_once(void **state)
{
	struct t *t = *state;
	struct dev d = host_vf(t, VF1, NULL);
	const struct vft_finding *f;

	up(t, &d, &networkd);
	assert_int_equal(t->g.n_found, 1);
	f = found(t, VFT_F_HOST_MANAGER_CLAIM);
	assert_non_null(f);
	assert_int_equal(f->id, 1);
	assert_int_equal(f->severity, VFT_SEV_WARNING);
	assert_int_equal(f->ts_ns, t->now);
	assert_int_equal(f->since_ns, t->now);
	assert_true(f->has_actor);
	assert_int_equal(f->pid, 812);
	assert_string_equal(f->comm, "systemd-network");
	assert_string_equal(f->unit, "systemd-networkd.service");
	assert_string_equal(f->vf.key, VF1);
	assert_string_equal(f->vf.pci, VF1);
	assert_string_equal(f->vf.ifname, "ens1f0v1");
	assert_int_equal(f->vf.netns, HOST_NS);
	assert_non_null(strstr(f->message, "admin up"));
	assert_non_null(strstr(f->evidence, "unit=systemd-networkd.service"));
	assert_non_null(f->remedy);
	/* a claim is something that happened, not a state: never open */
	assert_int_equal(vf_by_key(t, VF1)->n_open, 0);
	assert_int_equal(vf_by_key(t, VF1)->n_findings, 1);

	/* the same actor again is the same claim */
	t->now += MS;
	addr4(t, &d, &networkd);
	assert_int_equal(t->g.n_found, 1);
	/* another actor is a claim of its own */
	t->now += MS;
	addr4(t, &d, &nm);
	assert_int_equal(t->g.n_found, 2);
	f = found(t, VFT_F_HOST_MANAGER_CLAIM);
	assert_string_equal(f->comm, "NetworkManager");
	assert_string_equal(f->unit, "NetworkManager.service");
	assert_non_null(strstr(f->message, "address 10.0.0.5/24"));
	assert_int_equal(t->g.n_res, 0);
	/* the move into a pod resolves nothing: claims are never open */
	t->now += SEC;
	move(t, &d, POD_NS, "net1", 3, &cni);
	assert_int_equal(t->g.n_res, 0);
	assert_int_equal(vf_by_key(t, VF1)->n_open, 0);
	assert_int_equal(vf_by_key(t, VF1)->n_findings, 2);
}

static void claim_before_move_raised_at_move(void **state)
{
	struct t *t = *state;
	struct dev d = dev_of(VF1, "ens1f0v1", 11); /* no vf_add: not known to be a VF */
	const struct vft_finding *f;
	uint64_t claim_ns;

	reg(t, &d);
	t->now += SEC;
	claim_ns = t->now;
	up(t, &d, &networkd);
	addr(t, VFT_EV_ADDR_ADD, &d, 10, ip6, &networkd);
	assert_int_equal(t->g.n_found, 0);
	t->now += 250 * MS;
	move(t, &d, POD_NS, "net1", 3, &cni);
	assert_int_equal(t->g.n_found, 1);
	f = found(t, VFT_F_HOST_MANAGER_CLAIM);
	assert_non_null(f);
	assert_int_equal(f->ts_ns, t->now);
	assert_int_equal(f->since_ns, claim_ns);
	assert_int_equal(f->pid, 812);
	assert_string_equal(f->comm, "systemd-network");
	assert_string_equal(f->unit, "systemd-networkd.service");
	assert_non_null(strstr(f->message, "250 ms before it moved to a pod"));
	assert_non_null(strstr(f->message, "admin up"));
	assert_int_equal(f->vf.netns, POD_NS);
	assert_string_equal(f->vf.pod_uid, POD_UID);
	assert_string_equal(f->vf.netns_name, POD_NAME);
	/* raised, never resolved, never open */
	assert_int_equal(t->g.n_res, 0);
	assert_int_equal(vf_by_key(t, VF1)->n_open, 0);
}

static void claim_held_while_never_in_a_pod(void **state)
{
	struct t *t = *state;
	struct dev d = dev_of(VF1, "ens1f0v1", 11);
	struct dev p = dev_of(VF2, "net1", 4);

	reg(t, &d);
	up(t, &d, &networkd);
	addr4(t, &d, &nm);
	assert_int_equal(t->g.n_found, 0);
	/* configured inside a pod netns: not the host's manager */
	vf_add(t, VF2, 2);
	p.netns = POD_NS;
	reg(t, &p);
	up(t, &p, &networkd);
	addr4(t, &p, &networkd);
	assert_int_equal(t->g.n_found, 0);
	/* the held claims are raised when it goes into a pod: the first actor, then the next */
	t->now += SEC;
	move(t, &d, POD2_NS, "net1", 5, &cni);
	assert_int_equal(n_found(t, VFT_F_HOST_MANAGER_CLAIM), 2);
	assert_string_equal(must_find(t, VFT_F_HOST_MANAGER_CLAIM)->comm, "NetworkManager");
}

static void claim_link_local_and_flag_changes_are_not_claims(void **state)
{
	struct t *t = *state;
	struct dev d = dev_of(VF1, "ens1f0v1", 11);

	vf_add(t, VF1, 1);
	reg_inventory(t, &d, IFF_UP); /* already up when vftrace started */
	addr(t, VFT_EV_ADDR_ADD, &d, 10, ip6_ll, &networkd);
	flags(t, &d, IFF_UP, IFF_UP | IFF_PROMISC, &networkd);
	flags(t, &d, IFF_UP, 0, &networkd); /* admin down */
	assert_int_equal(t->g.n_found, 0);
	up(t, &d, &networkd);
	assert_int_equal(n_found(t, VFT_F_HOST_MANAGER_CLAIM), 1);
}

static void claim_first_seen_up_flags_change_is_not_a_claim(void **state)
{
	struct t *t = *state;
	struct dev d = dev_of(VF1, "ens1f0v1", 11);

	/* first seen through a flags change of a device that was already up */
	vf_add(t, VF1, 1);
	flags(t, &d, IFF_UP, IFF_UP | IFF_PROMISC, &networkd);
	assert_int_equal(t->g.n_found, 0);
	assert_true(vf_by_key(t, VF1)->up);
	addr(t, VFT_EV_ADDR_ADD, &d, 10, ip6, &networkd);
	assert_int_equal(n_found(t, VFT_F_HOST_MANAGER_CLAIM), 1);
}

static void claim_after_return_raised_at_once_and_strands(void **state)
{
	struct t *t = *state;
	struct dev d = dev_of(VF1, "ens1f0v1", 11); /* not known to be a VF */
	const struct vft_finding *f;
	uint64_t back;

	reg(t, &d);
	t->now += MS;
	move(t, &d, POD_NS, "net1", 3, &cni);
	t->now += SEC;
	ren(t, &d, "ens1f0v1", &cni);
	move(t, &d, HOST_NS, "", 11, &cni);
	back = t->now;
	t->now += MS;
	up(t, &d, &networkd);
	f = found(t, VFT_F_HOST_MANAGER_CLAIM);
	assert_non_null(f);
	assert_non_null(strstr(f->message, "after it came back"));
	t->now = back + GRACE;
	check(t, VF1);
	f = found(t, VFT_F_VF_STRANDED);
	assert_non_null(f);
	assert_non_null(strstr(f->message, "host manager claimed it"));
	assert_int_equal(f->since_ns, back);
}

/* ---- CNI_MOVE_FAILED ---- */

static void move_failed_eexist_resolved_by_next_good_move(void **state)
{
	struct t *t = *state;
	struct dev d = host_vf(t, VF1, NULL);
	const struct vft_finding *f;
	uint64_t failed;

	move_fail(t, &d, POD_NS, "net1", -EEXIST, "A device with that name exists in the target");
	failed = t->now;
	assert_int_equal(t->g.n_found, 1);
	f = found(t, VFT_F_CNI_MOVE_FAILED);
	assert_non_null(f);
	assert_int_equal(f->severity, VFT_SEV_ERROR);
	assert_int_equal(f->err, -EEXIST);
	assert_int_equal(f->since_ns, failed);
	assert_int_equal(f->pid, 5120);
	assert_string_equal(f->comm, "sriov");
	assert_non_null(strstr(f->message, "EEXIST"));
	assert_non_null(strstr(f->message, "A device with that name exists in the target"));
	assert_non_null(strstr(f->evidence, "ret=-17"));
	/* the record did not move */
	assert_int_equal(vf_by_key(t, VF1)->ref.netns, HOST_NS);
	assert_string_equal(vf_by_key(t, VF1)->ref.ifname, "ens1f0v1");
	/* a second failure while it is open is the same finding */
	t->now += MS;
	move_fail(t, &d, POD_NS, "net1", -EEXIST, "");
	assert_int_equal(t->g.n_found, 1);
	assert_int_equal(t->g.n_res, 0);

	t->now += SEC;
	move(t, &d, POD_NS, "net1", 3, &cni);
	f = resolution(t, VFT_F_CNI_MOVE_FAILED);
	assert_non_null(f);
	assert_int_equal(f->id, 1);
	assert_true(f->resolved);
	assert_int_equal(f->resolved_ns, t->now);
	assert_string_equal(f->resolved_by, "a later move succeeded");
	assert_int_equal(vf_by_key(t, VF1)->n_open, 0);
}

static void move_failed_resolved_when_the_netdev_goes(void **state)
{
	struct t *t = *state;
	struct dev d = host_vf(t, VF1, NULL);

	move_fail(t, &d, POD_NS, "net1", -EEXIST, "");
	t->now += SEC;
	unreg(t, &d);
	assert_string_equal(must_resolve(t, VFT_F_CNI_MOVE_FAILED)->resolved_by,
			    "the netdev is gone");
	assert_int_equal(vf_by_key(t, VF1)->n_open, 0);
}

/* rtnetlink may report the arrival in the target netns before the move itself: one device. */
static void early_arrival_merges_into_the_moved_record(void **state)
{
	struct t *t = *state;
	struct dev host = dev_of("", "vfx0", 9), early = dev_of("", "vfx0", 9);

	reg(t, &host);
	early.netns = POD_NS;
	t->now += MS;
	reg(t, &early);
	assert_non_null(vf_by_key(t, "vfx0#2"));
	t->now += MS;
	move(t, &host, POD_NS, "", 9, &cni);
	assert_false(vf_by_key(t, "vfx0#2")->registered);
	assert_true(vf_by_key(t, "vfx0")->registered);
	assert_int_equal(vf_by_key(t, "vfx0")->ref.netns, POD_NS);
	up(t, &host, &cni);
	t->now += GRACE;
	check(t, "vfx0");
	check(t, "vfx0#2");
	/* only the real record is judged: one NET1_NO_IP, not two */
	assert_int_equal(n_found(t, VFT_F_NET1_NO_IP), 1);
	assert_string_equal(found(t, VFT_F_NET1_NO_IP)->vf.key, "vfx0");
}

static void good_moves_raise_no_move_failure(void **state)
{
	struct t *t = *state;
	struct dev d = host_vf(t, VF1, NULL);
	struct vft_event ev = dev_ev(t, VFT_EV_NETNS_MOVE, &d, &cni);

	ev.from_netns = HOST_NS;
	ev.to_netns = POD_NS; /* no result known (netlink): it happened */
	ev.netns = POD_NS;
	feed(t, &ev);
	assert_int_equal(vf_by_key(t, VF1)->ref.netns, POD_NS);
	assert_int_equal(t->g.n_found, 0);
	/* a failed move to the host is a failure too */
	d.netns = POD_NS;
	move_fail(t, &d, HOST_NS, "", -EINVAL, "");
	assert_int_equal(n_found(t, VFT_F_CNI_MOVE_FAILED), 1);
}

/* ---- VF_RETURNED_TO_HOST, VF_STRANDED ---- */

static void return_raises_info_never_open(void **state)
{
	struct t *t = *state;
	struct dev d = pod_vf(t, NULL);
	const struct vft_finding *f;
	struct vft_corr_stats st;

	t->now += SEC;
	/* the CNI's DEL: renamed back in the pod, moved out by the CNI itself */
	ren(t, &d, "ens1f0v1", &cni);
	move(t, &d, HOST_NS, "", 11, &cni);
	f = found(t, VFT_F_VF_RETURNED_TO_HOST);
	assert_non_null(f);
	assert_int_equal(f->severity, VFT_SEV_INFO);
	assert_string_equal(f->comm, "sriov");
	assert_int_equal(f->vf.netns, HOST_NS);
	assert_int_equal(vf_by_key(t, VF1)->n_open, 0);
	assert_int_equal(vf_by_key(t, VF1)->n_findings, 1);
	vft_corr__stats(t->c, &st);
	assert_int_equal(st.raised[VFT_F_VF_RETURNED_TO_HOST], 1);
	assert_int_equal(vft_corr__next_due(t->c), t->now + GRACE);
	/* back in service under its host name: not stranded */
	t->now += GRACE;
	check(t, VF1);
	assert_int_equal(t->g.n_found, 1);
	assert_int_equal(t->g.n_res, 0);
	/* a move that does not leave a pod is no return */
	move(t, &d, HOST_NS, "", 0, &cni);
	assert_int_equal(n_found(t, VFT_F_VF_RETURNED_TO_HOST), 1);
}

static void stranded_with_pod_name(void **state)
{
	struct t *t = *state;
	struct dev d = pod_vf(t, NULL);
	const struct vft_finding *f;
	uint64_t back;

	t->now += SEC;
	move(t, &d, HOST_NS, "", 11, &kworker); /* the pod's netns went away: still net1 */
	back = t->now;
	t->now += GRACE - 1;
	check(t, VF1);
	assert_null(found(t, VFT_F_VF_STRANDED));
	t->now += 1;
	check(t, VF1);
	f = found(t, VFT_F_VF_STRANDED);
	assert_non_null(f);
	assert_int_equal(f->severity, VFT_SEV_WARNING);
	assert_int_equal(f->since_ns, back);
	assert_int_equal(f->ts_ns, t->now);
	assert_non_null(strstr(f->message, "keeps the name net1 (its host name was ens1f0v1)"));
	assert_non_null(strstr(f->evidence, "host_name=ens1f0v1"));
	assert_int_equal(vf_by_key(t, VF1)->n_open, 1);
}

static void stranded_with_temporary_name_when_host_name_unknown(void **state)
{
	struct t *t = *state;
	struct dev d = dev_of(VF1, "net1", 3);
	struct dev e = dev_of(VF2, "net1", 3);
	const struct vft_finding *f;

	d.netns = POD_NS;
	e.netns = POD2_NS;
	reg_inventory(t, &d, IFF_UP); /* already in a pod at start: its host name is unknown */
	reg_inventory(t, &e, IFF_UP);
	t->now += SEC;
	move(t, &d, HOST_NS, "dev7", 11, &kworker);
	move(t, &e, HOST_NS, "ens1f0v9", 12, &cni); /* renamed by the CNI on the way out */
	assert_int_equal(n_found(t, VFT_F_VF_RETURNED_TO_HOST), 2);
	t->now += GRACE;
	check(t, VF1);
	check(t, VF2);
	assert_int_equal(n_found(t, VFT_F_VF_STRANDED), 1);
	f = must_find(t, VFT_F_VF_STRANDED);
	assert_string_equal(f->vf.key, VF1);
	assert_non_null(strstr(f->message, "temporary name dev7"));
}

static void not_stranded_when_renamed_back_before_check(void **state)
{
	struct t *t = *state;
	struct dev d = pod_vf(t, NULL);
	uint64_t back;

	t->now += SEC;
	move(t, &d, HOST_NS, "", 11, &kworker);
	back = t->now;
	t->now += SEC;
	ren(t, &d, "ens1f0v1", &udevd);
	t->now = back + GRACE;
	check(t, VF1);
	assert_null(found(t, VFT_F_VF_STRANDED));
	assert_int_equal(vf_by_key(t, VF1)->n_open, 0);
	/* evaluated once: a later check of that deadline raises nothing */
	ren(t, &d, "net1", &admin);
	check(t, VF1);
	assert_null(found(t, VFT_F_VF_STRANDED));
}

static void stranded_resolved_by_rename_pod_or_removal(void **state)
{
	struct t *t = *state;
	struct dev d = pod_vf(t, NULL);
	const struct vft_finding *f;
	uint64_t back;

	/* renamed back */
	t->now += SEC;
	move(t, &d, HOST_NS, "", 11, &kworker);
	t->now += GRACE;
	check(t, VF1);
	assert_non_null(found(t, VFT_F_VF_STRANDED));
	t->now += SEC;
	ren(t, &d, "ens1f0v1", &admin);
	f = resolution(t, VFT_F_VF_STRANDED);
	assert_non_null(f);
	assert_int_equal(f->resolved_ns, t->now);
	assert_string_equal(f->resolved_by, "back in service");
	assert_string_equal(f->vf.ifname, "ens1f0v1");

	/* back into a pod */
	move(t, &d, POD_NS, "net1", 3, &cni);
	t->now += SEC;
	move(t, &d, HOST_NS, "", 11, &kworker);
	t->now += GRACE;
	check(t, VF1);
	assert_int_equal(n_found(t, VFT_F_VF_STRANDED), 2);
	t->now += SEC;
	move(t, &d, POD2_NS, "net1", 3, &cni);
	assert_string_equal(must_resolve(t, VFT_F_VF_STRANDED)->resolved_by, "back in a pod");

	/* gone */
	t->now += SEC;
	move(t, &d, HOST_NS, "", 11, &kworker);
	back = t->now;
	t->now = back + GRACE;
	check(t, VF1);
	assert_int_equal(n_found(t, VFT_F_VF_STRANDED), 3);
	t->now += SEC;
	unreg(t, &d);
	assert_string_equal(must_resolve(t, VFT_F_VF_STRANDED)->resolved_by, "the device is gone");
	assert_int_equal(vf_by_key(t, VF1)->n_open, 0);
}

/* ---- NET1_NO_IP ---- */

static void no_ip_raised_after_grace(void **state)
{
	struct t *t = *state;
	struct dev d = pod_vf(t, NULL);
	uint64_t start = t->now;
	const struct vft_finding *f;

	t->now += 10 * MS;
	up(t, &d, &cni);
	t->now = start + GRACE - 1;
	check(t, VF1); /* early: nothing */
	assert_int_equal(t->g.n_found, 0);
	t->now = start + GRACE;
	check(t, VF1);
	f = found(t, VFT_F_NET1_NO_IP);
	assert_non_null(f);
	assert_int_equal(f->severity, VFT_SEV_ERROR);
	assert_int_equal(f->since_ns, start);
	assert_int_equal(f->ts_ns, t->now);
	assert_false(f->has_actor);
	assert_string_equal(f->vf.ifname, "net1");
	assert_int_equal(f->vf.netns, POD_NS);
	assert_string_equal(f->vf.pod_uid, POD_UID);
	assert_non_null(strstr(f->evidence, "addresses=0"));
	assert_int_equal(t->g.n_found, 1);
}

static void no_ip_not_raised_when_address_within_grace(void **state)
{
	struct t *t = *state;
	struct dev d = pod_vf(t, NULL);
	uint64_t start = t->now;

	up(t, &d, &cni);
	t->now += SEC;
	addr4(t, &d, &cni);
	t->now = start + GRACE;
	check(t, VF1);
	assert_int_equal(t->g.n_found, 0);
}

static void no_ip_not_raised_when_down(void **state)
{
	struct t *t = *state;
	struct dev d = pod_vf(t, NULL);
	uint64_t start = t->now;

	up(t, &d, &cni);
	flags(t, &d, IFF_UP, 0, &cni);
	t->now = start + GRACE;
	check(t, VF1);
	assert_int_equal(t->g.n_found, 0);
}

static void no_ip_resolved_by_a_later_address(void **state)
{
	struct t *t = *state;
	struct dev d = pod_vf(t, NULL);
	uint64_t start = t->now;
	const struct vft_finding *f;

	up(t, &d, &cni);
	t->now = start + GRACE;
	check(t, VF1);
	assert_non_null(found(t, VFT_F_NET1_NO_IP));
	t->now += 3 * SEC;
	addr(t, VFT_EV_ADDR_ADD, &d, 10, ip6, NULL);
	f = resolution(t, VFT_F_NET1_NO_IP);
	assert_non_null(f);
	assert_int_equal(f->id, must_find(t, VFT_F_NET1_NO_IP)->id);
	assert_int_equal(f->resolved_ns, t->now);
	assert_string_equal(f->resolved_by, "an address was added");
}

static void no_ip_ipv6_link_local_only_counts_as_none(void **state)
{
	struct t *t = *state;
	struct dev d = pod_vf(t, NULL);
	uint64_t start = t->now;

	up(t, &d, &cni);
	addr(t, VFT_EV_ADDR_ADD, &d, 10, ip6_ll, &kworker);
	t->now = start + GRACE;
	check(t, VF1);
	assert_non_null(found(t, VFT_F_NET1_NO_IP));
	assert_int_equal(vf_by_key(t, VF1)->n_addrs, 0);
	/* removing the link-local one does not count down a real one */
	t->now += SEC;
	addr4(t, &d, &cni);
	addr(t, VFT_EV_ADDR_DEL, &d, 10, ip6_ll, &kworker);
	assert_int_equal(vf_by_key(t, VF1)->n_addrs, 1);
}

static void no_ip_host_addresses_do_not_follow_into_the_pod(void **state)
{
	struct t *t = *state;
	struct dev d = host_vf(t, VF1, NULL);
	uint64_t start;

	addr4(t, &d, &cni); /* the kernel flushes it on the move */
	up(t, &d, &cni);
	t->now += MS;
	move(t, &d, POD_NS, "net1", 3, &cni);
	start = t->now;
	assert_false(vf_by_key(t, VF1)->up);
	t->now += MS;
	up(t, &d, &cni);
	t->now = start + GRACE;
	check(t, VF1);
	assert_non_null(found(t, VFT_F_NET1_NO_IP));
}

static void no_ip_inventory_of_a_pod_vf(void **state)
{
	struct t *t = *state;
	struct dev d = dev_of(VF1, "net1", 3);
	struct dev e = dev_of(VF2, "net1", 3);
	struct vft_event ev;

	d.netns = POD_NS;
	e.netns = POD2_NS;
	reg_inventory(t, &d, IFF_UP); /* up, no address */
	reg_inventory(t, &e, IFF_UP);
	ev = dev_ev(t, VFT_EV_ADDR_ADD, &e, NULL);
	ev.source = VFT_SRC_INVENTORY;
	ev.family = 2;
	memcpy(ev.addr, ip4, 4);
	feed(t, &ev);
	assert_int_equal(vft_corr__next_due(t->c), t->now + GRACE);
	t->now += GRACE;
	check(t, VF1);
	check(t, VF2);
	assert_int_equal(n_found(t, VFT_F_NET1_NO_IP), 1);
	assert_string_equal(must_find(t, VFT_F_NET1_NO_IP)->vf.key, VF1);
}

static void no_ip_ipv4_link_local_counts_as_an_address(void **state)
{
	struct t *t = *state;
	struct dev d = pod_vf(t, NULL);
	uint64_t start = t->now;

	up(t, &d, &cni);
	addr(t, VFT_EV_ADDR_ADD, &d, 2, ip4_ll, &cni);
	t->now = start + GRACE;
	check(t, VF1);
	assert_null(found(t, VFT_F_NET1_NO_IP));
	assert_int_equal(vf_by_key(t, VF1)->n_addrs, 1);
}

static void pod_findings_resolved_when_leaving_the_pod(void **state)
{
	struct t *t = *state;
	struct dev d = pod_vf(t, NULL);
	uint64_t start = t->now;

	up(t, &d, &cni);
	t->now = start + GRACE;
	check(t, VF1);
	assert_non_null(found(t, VFT_F_NET1_NO_IP));
	t->now += SEC;
	move(t, &d, HOST_NS, "ens1f0v1", 11, &cni);
	assert_string_equal(must_resolve(t, VFT_F_NET1_NO_IP)->resolved_by, "left the pod");

	/* a move straight into another pod leaves the first one too */
	t->now += SEC;
	move(t, &d, POD_NS, "net1", 3, &cni);
	start = t->now;
	up(t, &d, &cni);
	t->now = start + GRACE;
	check(t, VF1);
	assert_int_equal(n_found(t, VFT_F_NET1_NO_IP), 2);
	t->now += SEC;
	move(t, &d, POD2_NS, "net1", 3, &cni);
	assert_int_equal(vf_by_key(t, VF1)->n_open, 0);
	assert_string_equal(must_resolve(t, VFT_F_NET1_NO_IP)->resolved_by, "left the pod");
	start = t->now;
	up(t, &d, &cni);
	t->now = start + GRACE;
	check(t, VF1);
	assert_int_equal(n_found(t, VFT_F_NET1_NO_IP), 3);
}

static void up_again_after_the_check_gets_a_new_grace(void **state)
{
	struct t *t = *state;
	struct dev d = pod_vf(t, NULL);
	uint64_t start = t->now, again;

	t->now = start + GRACE;
	check(t, VF1); /* down: nothing */
	assert_int_equal(t->g.n_found, 0);
	t->now += SEC;
	up(t, &d, &cni);
	again = t->now;
	assert_int_equal(vft_corr__next_due(t->c), again + GRACE);
	t->now = again + GRACE;
	check(t, VF1);
	assert_int_equal(must_find(t, VFT_F_NET1_NO_IP)->since_ns, again);
}

/* ---- port attributes ---- */

static void lid_missing_alone_and_resolved(void **state)
{
	struct t *t = *state;
	struct dev d = pod_vf(t, "mlx5_3");
	uint64_t start = t->now;
	const struct vft_finding *f;

	ib_port(t, &d, 2, 0, 1, 0x1122334455667788ULL); /* INIT, no LID, SM there */
	t->now = start + GRACE;
	check(t, VF1);
	assert_int_equal(t->g.n_found, 1);
	f = found(t, VFT_F_LID_MISSING);
	assert_non_null(f);
	assert_int_equal(f->severity, VFT_SEV_ERROR);
	assert_int_equal(f->since_ns, start);
	assert_string_equal(f->vf.ibdev, "mlx5_3");
	assert_non_null(strstr(f->message, "state INIT"));
	assert_non_null(strstr(f->evidence, "lid=0x0"));
	/* a LID arrives but the port is not ACTIVE yet */
	t->now += SEC;
	ib_port(t, &d, 3, 0x12, 1, 0x1122334455667788ULL);
	assert_int_equal(t->g.n_res, 0);
	t->now += SEC;
	ib_port(t, &d, 4, 0x12, 1, 0x1122334455667788ULL);
	f = resolution(t, VFT_F_LID_MISSING);
	assert_non_null(f);
	assert_int_equal(f->resolved_ns, t->now);
	assert_string_equal(f->resolved_by, "the port is ACTIVE with a LID");
}

static void lid_missing_active_with_permissive_lid(void **state)
{
	struct t *t = *state;
	struct dev d = pod_vf(t, "mlx5_3");
	uint64_t start = t->now;

	ib_port(t, &d, 4, 0xffff, 1, 0x1122334455667788ULL);
	t->now = start + GRACE;
	check(t, VF1);
	assert_int_equal(t->g.n_found, 1);
	assert_non_null(found(t, VFT_F_LID_MISSING));
}

static void sm_unreachable_alone_and_resolved(void **state)
{
	struct t *t = *state;
	struct dev d = pod_vf(t, "mlx5_3");
	uint64_t start = t->now;

	ib_port(t, &d, 4, 0x12, 0xffff, 0x1122334455667788ULL);
	t->now = start + GRACE;
	check(t, VF1);
	assert_int_equal(t->g.n_found, 1);
	assert_non_null(found(t, VFT_F_SM_UNREACHABLE));
	t->now += SEC;
	ib_port(t, &d, 4, 0x12, 0, 0x1122334455667788ULL);
	assert_int_equal(t->g.n_res, 0);
	ib_port(t, &d, 4, 0x12, 0x1, 0x1122334455667788ULL);
	assert_string_equal(must_resolve(t, VFT_F_SM_UNREACHABLE)->resolved_by,
			    "a Subnet Manager answered");
}

static void guid_zero_alone_and_resolved(void **state)
{
	struct t *t = *state;
	struct dev d = pod_vf(t, "mlx5_3");
	uint64_t start = t->now;

	ib_port(t, &d, 4, 0x12, 1, 0);
	t->now = start + GRACE;
	check(t, VF1);
	assert_int_equal(t->g.n_found, 1);
	assert_non_null(
		strstr(must_find(t, VFT_F_GUID_ZERO)->evidence, "port_guid=0000:0000:0000:0000"));
	t->now += SEC;
	port(t, &d, VFT_EV_RDMA_PORT_STATE, "InfiniBand", 4, 0x12, 1, 0x1122334455667788ULL, 0);
	assert_string_equal(must_resolve(t, VFT_F_GUID_ZERO)->resolved_by, "the port has a GUID");
	assert_int_equal(vf_by_key(t, VF1)->n_open, 0);
}

/*
 * A port with a LID that is not ACTIVE raises LID_MISSING saying so, not
 * "no LID" (check's lid column fails it with the same words); one without
 * a LID says "no LID".
 */
static void lid_missing_on_a_port_not_active_with_a_lid(void **state)
{
	struct t *t = *state;
	struct dev d = pod_vf(t, "mlx5_3");
	struct dev e;
	uint64_t start = t->now;
	const char *msg;

	ib_port(t, &d, 3, 0x12, 1, 0x1122334455667788ULL); /* ARMED, a LID, an SM */
	t->now = start + GRACE;
	check(t, VF1);
	assert_int_equal(t->g.n_found, 1);
	msg = must_find(t, VFT_F_LID_MISSING)->message;
	assert_non_null(strstr(msg, "not ACTIVE (state ARMED, LID 0x12)"));
	assert_null(strstr(msg, "no LID"));
	/* ACTIVE with the LID resolves it */
	ib_port(t, &d, 4, 0x12, 1, 0x1122334455667788ULL);
	assert_string_equal(must_resolve(t, VFT_F_LID_MISSING)->resolved_by,
			    "the port is ACTIVE with a LID");

	e = host_vf(t, VF2, "mlx5_5");
	start = t->now;
	move(t, &e, POD2_NS, "net1", 3, &cni);
	ib_port(t, &e, 2, 0, 1, 0x1122334455667789ULL); /* INIT, no LID, an SM */
	t->now = start + GRACE;
	check(t, VF2);
	msg = t->g.found[t->g.n_found - 1].message;
	assert_int_equal(t->g.found[t->g.n_found - 1].code, VFT_F_LID_MISSING);
	assert_non_null(strstr(msg, "no LID (LID 0x0, state INIT)"));
}

/*
 * GUID_ZERO is check's guid rule: a zero node GUID raises it too (rdma_cm
 * fails without one), with a port GUID set; a good GUID resolves it.
 */
static void guid_zero_on_a_zero_node_guid(void **state)
{
	struct t *t = *state;
	struct dev d = pod_vf(t, NULL);
	uint64_t start = t->now;
	struct vft_event ev;

	snprintf(d.ibdev, sizeof(d.ibdev), "mlx5_3");
	ev = rdma_ev(t, VFT_EV_RDMA_REGISTER, &d);
	ev.node_guid = 0;
	ev.has_ret = true;
	feed(t, &ev);
	ev = rdma_ev(t, VFT_EV_RDMA_PORT_EVENT, &d);
	ev.node_guid = 0;
	ev.port = 1;
	ev.has_port_attrs = true;
	ev.port_state = 4;
	ev.lid = 0x12;
	ev.sm_lid = 1;
	ev.port_guid = 0x1122334455667788ULL;
	snprintf(ev.link_layer, sizeof(ev.link_layer), "InfiniBand");
	feed(t, &ev);
	t->now = start + GRACE;
	check(t, VF1);
	assert_int_equal(vf_by_key(t, VF1)->node_guid, 0);
	assert_int_equal(t->g.n_found, 1);
	assert_non_null(
		strstr(must_find(t, VFT_F_GUID_ZERO)->message, "node GUID 0000:0000:0000:0000"));
	ev.node_guid = 0x1122334455667780ULL;
	t->now += SEC;
	ev.ts_ns = t->now;
	feed(t, &ev);
	assert_string_equal(must_resolve(t, VFT_F_GUID_ZERO)->resolved_by, "the port has a GUID");
}

static void healthy_ib_port_raises_nothing(void **state)
{
	struct t *t = *state;
	struct dev d = pod_vf(t, "mlx5_3");
	uint64_t start = t->now;

	/* the LID arrives within the grace period */
	ib_port(t, &d, 2, 0, 0, 0x1122334455667788ULL);
	t->now += SEC;
	ib_port(t, &d, 4, 0x12, 1, 0x1122334455667788ULL);
	t->now = start + GRACE;
	check(t, VF1);
	assert_int_equal(t->g.n_found, 0);
	assert_true(vf_by_key(t, VF1)->has_port);
	assert_int_equal(vf_by_key(t, VF1)->lid, 0x12);
}

static void roce_never_lid_missing(void **state)
{
	struct t *t = *state;
	struct dev d = pod_vf(t, "mlx5_3");
	uint64_t start = t->now;

	up(t, &d, &cni);
	addr4(t, &d, &cni);
	port(t, &d, VFT_EV_RDMA_PORT_EVENT, "Ethernet", 2, 0, 0, 0, 1); /* not even ACTIVE */
	t->now = start + GRACE;
	check(t, VF1);
	assert_int_equal(t->g.n_found, 0);
}

static void gid_missing_raised_without_ip_gids(void **state)
{
	struct t *t = *state;
	struct dev d = pod_vf(t, "mlx5_3");
	uint64_t start = t->now;
	const struct vft_finding *f;

	up(t, &d, &cni);
	addr4(t, &d, &cni);
	eth_port(t, &d, 0);
	t->now = start + GRACE;
	check(t, VF1);
	assert_int_equal(t->g.n_found, 1);
	f = found(t, VFT_F_GID_MISSING);
	assert_non_null(f);
	assert_non_null(strstr(f->evidence, "rocev2_ip_gids=0"));
	assert_non_null(strstr(f->message, "mlx5_3/1"));
	t->now += SEC;
	port(t, &d, VFT_EV_RDMA_PORT_STATE, "Ethernet", 4, 0, 0, 1, 2);
	assert_string_equal(must_resolve(t, VFT_F_GID_MISSING)->resolved_by,
			    "a RoCE v2 GID appeared");
}

/* An RDMA device that registers in the pod after its check gets a grace period of its own. */
static void late_rdma_device_is_checked_after_its_own_grace(void **state)
{
	struct t *t = *state;
	struct dev d = pod_vf(t, NULL);
	uint64_t start = t->now, reg_ns;

	up(t, &d, &cni);
	addr4(t, &d, &cni);
	t->now = start + GRACE;
	check(t, VF1);
	assert_int_equal(t->g.n_found, 0);
	assert_int_equal(vft_corr__next_due(t->c), UINT64_MAX);
	t->now += SEC;
	reg_ns = t->now;
	rdma_reg(t, &d, "mlx5_3");
	assert_int_equal(vft_corr__next_due(t->c), reg_ns + GRACE);
	eth_port(t, &d, 0);
	t->now = reg_ns + GRACE - 1;
	check(t, VF1); /* early */
	assert_int_equal(t->g.n_found, 0);
	t->now = reg_ns + GRACE;
	check(t, VF1);
	assert_int_equal(n_found(t, VFT_F_GID_MISSING), 1);
	assert_int_equal(found(t, VFT_F_GID_MISSING)->since_ns, reg_ns);
}

/* A record made from a netdev without a parent learns its PCI address later. */
static void pci_address_learned_later(void **state)
{
	struct t *t = *state;
	struct dev bare = dev_of("", "eth0", 2), full = dev_of("0000:00:06.0", "eth0", 2);

	reg(t, &bare);
	t->now += MS;
	move(t, &full, POD_NS, "net1", 2, &cni);
	assert_string_equal(vf_by_key(t, "eth0")->ref.pci, "0000:00:06.0");
	assert_int_equal(vft_corr__n_vfs(t->c), 1);
}

static void gid_present_raises_nothing(void **state)
{
	struct t *t = *state;
	struct dev d = pod_vf(t, "mlx5_3");
	uint64_t start = t->now;

	up(t, &d, &cni);
	addr4(t, &d, &cni);
	eth_port(t, &d, 1);
	t->now = start + GRACE;
	check(t, VF1);
	assert_int_equal(t->g.n_found, 0);
}

static void no_ip_and_gid_missing_together(void **state)
{
	struct t *t = *state;
	struct dev d = pod_vf(t, "mlx5_3");
	uint64_t start = t->now;

	up(t, &d, &cni);
	eth_port(t, &d, 0);
	t->now = start + GRACE;
	check(t, VF1);
	assert_int_equal(t->g.n_found, 2);
	assert_non_null(found(t, VFT_F_NET1_NO_IP));
	assert_non_null(found(t, VFT_F_GID_MISSING));
	assert_int_equal(vf_by_key(t, VF1)->n_open, 2);
	/* the address comes, then the GID made from it */
	t->now += SEC;
	addr4(t, &d, &cni);
	assert_int_equal(t->g.n_res, 1);
	port(t, &d, VFT_EV_RDMA_PORT_EVENT, "Ethernet", 4, 0, 0, 1, 1);
	assert_int_equal(t->g.n_res, 2);
	assert_int_equal(vf_by_key(t, VF1)->n_open, 0);
}

/* ---- RDMA device ---- */

static void rdma_device_missing_raised_and_resolved(void **state)
{
	struct t *t = *state;
	struct dev d = pod_vf(t, "mlx5_3");
	uint64_t start = t->now;
	const struct vft_finding *f;

	t->now += SEC;
	rdma_unreg(t, &d);
	assert_string_equal(vf_by_key(t, VF1)->ref.ibdev, "");
	t->now = start + GRACE;
	check(t, VF1);
	assert_int_equal(t->g.n_found, 1);
	f = found(t, VFT_F_RDMA_DEVICE_MISSING);
	assert_non_null(f);
	assert_int_equal(f->severity, VFT_SEV_ERROR);
	assert_non_null(strstr(f->message, "has no RDMA device any more"));
	t->now += SEC;
	rdma_reg(t, &d, "mlx5_3");
	assert_string_equal(must_resolve(t, VFT_F_RDMA_DEVICE_MISSING)->resolved_by,
			    "the RDMA device registered");
}

/* A VF whose PF has an RDMA device is expected to have one too, even if none was ever seen. */
static void rdma_device_missing_when_the_pf_has_one(void **state)
{
	struct t *t = *state;
	struct dev pf = dev_of(PF, "ens1f0np0", 5);
	struct dev d;
	uint64_t start;
	const struct vft_finding *f;

	rdma_reg(t, &pf, "mlx5_0");
	d = pod_vf(t, NULL);
	start = t->now;
	t->now = start + GRACE;
	check(t, VF1);
	f = must_find(t, VFT_F_RDMA_DEVICE_MISSING);
	assert_non_null(strstr(f->message, "though its PF has one"));
	assert_non_null(strstr(f->evidence, "pf_ibdev=mlx5_0"));
	assert_int_equal(t->g.n_found, 1);
	(void)d;
}

static void rdma_device_missing_not_raised(void **state)
{
	struct t *t = *state;
	struct dev d = pod_vf(t, "mlx5_3");
	struct dev e = dev_of(VF2, "ens1f0v2", 12);
	uint64_t start = t->now;

	/* re-registered within the grace period */
	rdma_unreg(t, &d);
	rdma_reg(t, &d, "mlx5_3");
	/* a VF that never had one */
	vf_add(t, VF2, 2);
	reg(t, &e);
	move(t, &e, POD2_NS, "net1", 4, &cni);
	t->now = start + GRACE;
	check(t, VF1);
	check(t, VF2);
	assert_int_equal(t->g.n_found, 0);
}

static void rdma_netns_mismatch_by_reread(void **state)
{
	struct t *t = *state;
	struct dev d = pod_vf(t, "mlx5_3");
	uint64_t start = t->now;
	const struct vft_finding *f;

	ib_port(t, &d, 4, 0x12, 1, 0x1122334455667788ULL);
	t->now = start + GRACE;
	reread_failed(t, &d, VFT_SRC_ENRICH, POD_NS, -ENOENT);
	check(t, VF1);
	assert_int_equal(t->g.n_found, 1); /* the port is not judged by stale attributes */
	f = found(t, VFT_F_RDMA_NETNS_MISMATCH);
	assert_non_null(f);
	assert_int_equal(f->severity, VFT_SEV_ERROR);
	assert_non_null(strstr(f->message, "mlx5_3 is not there"));
	assert_non_null(strstr(f->evidence, "ibdev_netns=4026531840"));
	/* the CNI moves it after all */
	t->now += SEC;
	rdma_move(t, &d, POD_NS, 0);
	assert_string_equal(must_resolve(t, VFT_F_RDMA_NETNS_MISMATCH)->resolved_by,
			    "the RDMA device is in the netdev's netns");
}

static void rdma_netns_mismatch_resolved_by_a_good_reread(void **state)
{
	struct t *t = *state;
	struct dev d = pod_vf(t, "mlx5_3");
	uint64_t start = t->now;

	t->now = start + GRACE;
	reread_failed(t, &d, VFT_SRC_ENRICH, POD_NS, -ENOENT);
	check(t, VF1);
	assert_non_null(found(t, VFT_F_RDMA_NETNS_MISMATCH));
	t->now += SEC;
	port(t, &d, VFT_EV_RDMA_PORT_STATE, "InfiniBand", 4, 0x12, 1, 0x1122334455667788ULL, 0);
	assert_non_null(resolution(t, VFT_F_RDMA_NETNS_MISMATCH));
	assert_int_equal(vf_by_key(t, VF1)->n_open, 0);
}

static void rdma_netns_mismatch_not_raised(void **state)
{
	struct t *t = *state;
	struct dev d = pod_vf(t, "mlx5_3");
	uint64_t start = t->now;

	ib_port(t, &d, 4, 0x12, 1, 0x1122334455667788ULL);
	t->now = start + GRACE;
	/* not found where the netdev is not, or for another reason, or not by a re-read */
	reread_failed(t, &d, VFT_SRC_ENRICH, POD2_NS, -ENOENT);
	reread_failed(t, &d, VFT_SRC_ENRICH, POD_NS, -EACCES);
	reread_failed(t, &d, VFT_SRC_INVENTORY, POD_NS, -ENOENT);
	check(t, VF1);
	assert_int_equal(t->g.n_found, 0);
	/* found in the pod: visible */
	t->now += SEC;
	move(t, &d, HOST_NS, "ens1f0v1", 11, &cni);
	t->now += SEC;
	move(t, &d, POD_NS, "net1", 3, &cni);
	start = t->now;
	reread_failed(t, &d, VFT_SRC_ENRICH, POD_NS, -ENOENT);
	port(t, &d, VFT_EV_RDMA_PORT_STATE, "InfiniBand", 4, 0x12, 1, 0x1122334455667788ULL, 0);
	t->now = start + GRACE;
	check(t, VF1);
	assert_int_equal(n_found(t, VFT_F_RDMA_NETNS_MISMATCH), 0);
}

static void rdma_netns_mismatch_by_failed_move(void **state)
{
	struct t *t = *state;
	struct dev d = pod_vf(t, "mlx5_3"), elsewhere;
	const struct vft_finding *f;
	struct vft_event ev;

	t->now += 5 * MS;
	rdma_move(t, &d, POD_NS, -EINVAL);
	f = found(t, VFT_F_RDMA_NETNS_MISMATCH);
	assert_non_null(f);
	assert_int_equal(f->err, -EINVAL);
	assert_int_equal(f->ts_ns, t->now);
	assert_string_equal(f->comm, "sriov");
	assert_non_null(strstr(f->message, "EINVAL"));
	/* it stays open until the device is where the netdev is */
	assert_int_equal(t->g.n_res, 0);
	assert_int_equal(vf_by_key(t, VF1)->n_open, 1);
	/* neither a port event from the kernel nor a re-read elsewhere shows it in the pod */
	t->now += MS;
	ib_port(t, &d, 4, 0x12, 1, 0x1122334455667788ULL);
	ev = rdma_ev(t, VFT_EV_RDMA_PORT_EVENT, &d);
	ev.netns = POD_NS;
	feed(t, &ev);
	elsewhere = d;
	elsewhere.netns = HOST_NS;
	port(t, &elsewhere, VFT_EV_RDMA_PORT_STATE, "InfiniBand", 4, 0x12, 1, 1, 0);
	assert_int_equal(t->g.n_res, 0);
	t->now += SEC;
	rdma_move(t, &d, POD_NS, 0);
	f = resolution(t, VFT_F_RDMA_NETNS_MISMATCH);
	assert_non_null(f);
	assert_int_equal(f->resolved_ns, t->now);
	assert_int_equal(vf_by_key(t, VF1)->ibdev_netns, POD_NS);
	assert_int_equal(vf_by_key(t, VF1)->n_open, 0);

	/* shared mode refuses the move, but a re-read in the pod finds the device */
	t->now += SEC;
	move(t, &d, HOST_NS, "ens1f0v1", 11, &cni);
	rdma_move(t, &d, HOST_NS, 0);
	assert_int_equal(vf_by_key(t, VF1)->ibdev_netns, 0); /* the host's */
	t->now += SEC;
	move(t, &d, POD2_NS, "net1", 3, &cni);
	rdma_move(t, &d, POD2_NS, -EOPNOTSUPP);
	assert_int_equal(n_found(t, VFT_F_RDMA_NETNS_MISMATCH), 2);
	assert_int_equal(vf_by_key(t, VF1)->n_open, 1);
	port(t, &d, VFT_EV_RDMA_PORT_STATE, "InfiniBand", 4, 0x12, 1, 1, 0);
	assert_int_equal(vf_by_key(t, VF1)->n_open, 0);
}

/* ---- DRIVER_CHURN ---- */

static void driver_churn_in_pod(void **state)
{
	struct t *t = *state;
	const struct vft_finding *f;

	pod_vf(t, NULL);
	t->now += SEC;
	driver(t, VFT_EV_DRIVER_UNBIND, VFT_SRC_KPROBE, VF1, &admin);
	f = found(t, VFT_F_DRIVER_CHURN);
	assert_non_null(f);
	assert_int_equal(f->severity, VFT_SEV_WARNING);
	assert_int_equal(f->pid, 3131);
	assert_string_equal(f->comm, "bash");
	assert_string_equal(f->unit, "session-3.scope");
	assert_non_null(strstr(f->message, "unbound from driver mlx5_core"));
	assert_string_equal(vf_by_key(t, VF1)->driver, "");
	assert_int_equal(vf_by_key(t, VF1)->n_open, 0); /* it happened; nothing to resolve */
	driver(t, VFT_EV_DRIVER_BIND, VFT_SRC_KPROBE, VF1, &admin);
	assert_int_equal(t->g.n_found, 2); /* each unbind or bind under a pod is one */
	assert_int_equal(t->g.n_res, 0);
	assert_string_equal(vf_by_key(t, VF1)->driver, "mlx5_core");
}

static void driver_churn_not_in_pod_or_inventory(void **state)
{
	struct t *t = *state;
	struct dev d = host_vf(t, VF1, NULL);

	driver(t, VFT_EV_DRIVER_UNBIND, VFT_SRC_KPROBE, VF1, &admin);
	driver(t, VFT_EV_DRIVER_BIND, VFT_SRC_KPROBE, VF1, &admin);
	assert_int_equal(t->g.n_found, 0);
	move(t, &d, POD_NS, "net1", 3, &cni);
	driver(t, VFT_EV_DRIVER_BIND, VFT_SRC_INVENTORY, VF1, NULL);
	driver(t, VFT_EV_DRIVER_BIND, VFT_SRC_KPROBE, VF2, &admin); /* another device */
	assert_int_equal(t->g.n_found, 0);
	driver(t, VFT_EV_DRIVER_BIND, VFT_SRC_KPROBE, VF1, &admin);
	assert_int_equal(n_found(t, VFT_F_DRIVER_CHURN), 1);
}

/* ---- VF_REMOVED_IN_POD ---- */

static void vf_remove(struct t *t, const char *bdf, uint32_t source, const struct vft_actor *a)
{
	struct vft_event ev = ev_of(t, VFT_EV_VF_REMOVE);

	ev.source = source;
	snprintf(ev.device, sizeof(ev.device), "%s", bdf);
	snprintf(ev.pf, sizeof(ev.pf), "%s", PF);
	ev.vf_index = 1;
	if (a) {
		ev.has_actor = true;
		ev.actor = *a;
	}
	feed(t, &ev);
}

/* sriov_numvfs lowered while the VF serves a pod: the kernel's order, one finding. */
static void vf_removed_in_pod(void **state)
{
	struct t *t = *state;
	struct dev d = pod_vf(t, NULL);
	const struct vft_finding *f;

	t->now += SEC;
	vf_remove(t, VF1, VFT_SRC_FENTRY, &admin);
	f = found(t, VFT_F_VF_REMOVED_IN_POD);
	assert_non_null(f);
	assert_int_equal(f->severity, VFT_SEV_WARNING);
	assert_string_equal(f->comm, "bash");
	assert_string_equal(f->vf.pod_uid, POD_UID);
	assert_string_equal(f->message, VF1 " was removed by its PF " PF " while its netdev net1 "
					    "is in netns 4026532291 (pod " POD_NAME "): the pod "
					    "loses its netdev for good (the VF no longer exists)");
	assert_string_equal(f->evidence, "pf=" PF " vf_index=1 netns=4026532291 ifname=net1");
	/* the removal's own unbind and unregister add nothing: no DRIVER_CHURN */
	driver(t, VFT_EV_DRIVER_UNBIND, VFT_SRC_KPROBE, VF1, &admin);
	unreg(t, &d);
	assert_int_equal(t->g.n_found, 1);
	assert_int_equal(t->g.n_res, 0);
	assert_int_equal(vf_by_key(t, VF1)->n_open, 0);
}

/* A VF removed from the host, or reported removed at start, serves no pod: nothing. */
static void vf_removed_not_in_pod(void **state)
{
	struct t *t = *state;
	struct dev d = host_vf(t, VF1, NULL);

	vf_remove(t, VF1, VFT_SRC_FENTRY, &admin);
	driver(t, VFT_EV_DRIVER_UNBIND, VFT_SRC_FENTRY, VF1, &admin);
	unreg(t, &d);
	vf_add(t, VF1, 1);
	reg(t, &d);
	move(t, &d, POD_NS, "net1", 3, &cni);
	vf_remove(t, VF1, VFT_SRC_INVENTORY, NULL);
	vf_remove(t, VF2, VFT_SRC_FENTRY, &admin); /* another VF */
	assert_int_equal(t->g.n_found, 0);
	/* the VF was added again: an unbind in the pod is churn again */
	vf_add(t, VF1, 1);
	driver(t, VFT_EV_DRIVER_UNBIND, VFT_SRC_FENTRY, VF1, &admin);
	assert_int_equal(n_found(t, VFT_F_DRIVER_CHURN), 1);
}

/* ---- deadlines ---- */

struct taken {
	int n;
	char key[VFT_KEY_LEN];
};

static int take_cb(void *ctx, const struct vft_vf *vf)
{
	struct taken *tk = ctx;

	tk->n++;
	snprintf(tk->key, sizeof(tk->key), "%s", vf->ref.key);
	return 0;
}

static int take_fail(void *ctx, const struct vft_vf *vf)
{
	(void)ctx;
	(void)vf;
	return -EIO;
}

static void take_due_hands_a_deadline_out_once(void **state)
{
	struct t *t = *state;
	struct taken tk = { 0 };
	uint64_t due;

	assert_true(vft_corr__next_due(t->c) == UINT64_MAX);
	pod_vf(t, NULL);
	due = t->now + GRACE;
	assert_int_equal(vft_corr__next_due(t->c), due);
	assert_int_equal(vft_corr__take_due(t->c, due - 1, take_cb, &tk), 0);
	assert_int_equal(tk.n, 0);
	assert_int_equal(vft_corr__take_due(t->c, due, take_cb, &tk), 0);
	assert_int_equal(tk.n, 1);
	assert_string_equal(tk.key, VF1);
	assert_true(vft_corr__next_due(t->c) == UINT64_MAX);
	assert_int_equal(vft_corr__take_due(t->c, due + SEC, take_cb, &tk), 0);
	assert_int_equal(tk.n, 1);
	/* the check closes it: nothing more to hand out */
	t->now = due;
	check(t, VF1);
	assert_true(vft_corr__next_due(t->c) == UINT64_MAX);
	assert_int_equal(vft_corr__take_due(t->c, UINT64_MAX, take_cb, &tk), 0);
	assert_int_equal(tk.n, 1);
}

static void take_due_callback_error_and_default_grace(void **state)
{
	struct t *t = new_t(NULL);
	struct dev d = dev_of(VF1, "net1", 3);

	(void)state;
	d.netns = POD_NS;
	reg(t, &d);
	assert_int_equal(vft_corr__next_due(t->c), t->now + VFT_CORR_GRACE_NS);
	assert_int_equal(vft_corr__take_due(t->c, UINT64_MAX, take_fail, NULL), -EIO);
	assert_true(vft_corr__next_due(t->c) == UINT64_MAX);
	vft_corr__free(t->c);
	free(t);
}

static void early_or_unknown_check_evaluates_nothing(void **state)
{
	struct t *t = *state;
	struct dev d = pod_vf(t, "mlx5_3");
	uint64_t start = t->now;
	const struct vft_vf *vf = vf_by_key(t, VF1);
	size_t steps;

	up(t, &d, &cni);
	ib_port(t, &d, 2, 0, 0, 0);
	steps = vf->n_steps;
	t->now = start + GRACE - 1;
	check(t, VF1);
	check(t, "0000:99:00.1");
	assert_int_equal(t->g.n_found, 0);
	assert_int_equal(vf->n_steps, steps); /* an early check is no step */
	assert_int_equal(vft_corr__next_due(t->c), start + GRACE);
	t->now = start + GRACE;
	check(t, VF1);
	assert_int_equal(t->g.n_found, 4); /* NET1_NO_IP, LID_MISSING, SM_UNREACHABLE, GUID_ZERO */
	assert_int_equal(vf->n_steps, steps + 1);
	assert_int_equal(vf->steps[vf->n_steps - 1].kind, VFT_EV_VF_CHECK);
	/* and only once */
	check(t, VF1);
	assert_int_equal(t->g.n_found, 4);
}

/* ---- keying ---- */

static void pci_key_across_rename_and_moves(void **state)
{
	struct t *t = *state;
	struct dev d = dev_of(VF1, "eth0", 11);
	struct dev bare;
	const struct vft_vf *vf;

	reg(t, &d);
	ren(t, &d, "ens1f0v1", &udevd);
	move(t, &d, POD_NS, "net1", 3, &cni);
	/* an event in the pod without the parent: found by netns and ifindex */
	bare = d;
	bare.parent[0] = '\0';
	up(t, &bare, &cni);
	addr4(t, &bare, &cni);
	/* moved back by netns and ifindex alone, renamed on the way */
	move(t, &bare, HOST_NS, "ens1f0v1", 11, &cni);
	assert_int_equal(vft_corr__n_vfs(t->c), 1);
	vf = vft_corr__vf(t->c, 0);
	assert_string_equal(vf->ref.key, VF1);
	assert_string_equal(vf->ref.pci, VF1);
	assert_string_equal(vf->ref.ifname, "ens1f0v1");
	assert_int_equal(vf->ref.netns, HOST_NS);
	assert_int_equal(vf->ifindex, 11);
	assert_int_equal(vf->n_names, 4);
	assert_string_equal(vf->names[0], "eth0");
	assert_string_equal(vf->names[1], "ens1f0v1");
	assert_string_equal(vf->names[2], "net1");
	assert_string_equal(vf->names[3], "ens1f0v1");
	assert_int_equal(vf->n_netns, 3);
	assert_int_equal(vf->netns_hist[0], HOST_NS);
	assert_int_equal(vf->netns_hist[1], POD_NS);
	assert_int_equal(vf->netns_hist[2], HOST_NS);
	assert_true(vf->registered);
	assert_int_equal(n_found(t, VFT_F_VF_RETURNED_TO_HOST), 1);
	assert_null(vft_corr__vf(t->c, 1));
	/* a PCI device that registers again comes back to its record */
	unreg(t, &d);
	d = dev_of(VF1, "eth0", 20);
	reg(t, &d);
	assert_int_equal(vft_corr__n_vfs(t->c), 1);
	assert_int_equal(vf->ifindex, 20);
}

static void veth_keyed_by_first_name(void **state)
{
	struct t *t = *state;
	struct dev d = dev_of("", "veth-a", 30);
	const struct vft_vf *vf;

	reg(t, &d);
	ren(t, &d, "eth9", &admin);
	move(t, &d, POD_NS, "net1", 2, &cni);
	up(t, &d, &cni);
	assert_int_equal(vft_corr__n_vfs(t->c), 1);
	vf = vft_corr__vf(t->c, 0);
	assert_string_equal(vf->ref.key, "veth-a");
	assert_string_equal(vf->ref.pci, "");
	assert_string_equal(vf->ref.ifname, "net1");
	assert_true(vf->up);
	t->now += GRACE;
	check(t, "veth-a");
	assert_string_equal(must_find(t, VFT_F_NET1_NO_IP)->vf.key, "veth-a");
	/* an event nobody can place reaches the event callback without a VF */
	d = dev_of("", "other", 99);
	d.netns = POD2_NS;
	addr4(t, &d, &cni);
	assert_int_equal(vft_corr__n_vfs(t->c), 1);
	assert_int_equal(t->g.n_unplaced, 3 + 1); /* the three netns_info and this */
}

static void rxe_attached_by_ifname(void **state)
{
	struct t *t = *state;
	struct dev d = dev_of("", "veth0", 31);
	struct vft_event ev;
	const struct vft_vf *vf;

	reg(t, &d);
	ev = ev_of(t, VFT_EV_RDMA_REGISTER);
	snprintf(ev.ibdev, sizeof(ev.ibdev), "rxe0");
	snprintf(ev.ifname, sizeof(ev.ifname), "veth0");
	ev.has_ret = true;
	feed(t, &ev);
	snprintf(d.ibdev, sizeof(d.ibdev), "rxe0");
	assert_int_equal(vft_corr__n_vfs(t->c), 1);
	vf = vft_corr__vf(t->c, 0);
	assert_string_equal(vf->ref.ibdev, "rxe0");
	/* later RDMA events by the device's name */
	eth_port(t, &d, 1);
	assert_true(vf->has_port);
	assert_string_equal(vf->link_layer, "Ethernet");
	/* only a register attaches by the netdev's name */
	ev = ev_of(t, VFT_EV_RDMA_PORT_EVENT);
	snprintf(ev.ibdev, sizeof(ev.ibdev), "rxe9");
	snprintf(ev.ifname, sizeof(ev.ifname), "veth0");
	ev.has_port_attrs = true;
	ev.lid = 7;
	feed(t, &ev);
	assert_int_equal(vf->lid, 0);
	/* renamed: followed */
	ev = ev_of(t, VFT_EV_RDMA_RENAME);
	snprintf(ev.ibdev, sizeof(ev.ibdev), "rxe0");
	snprintf(ev.new_ibdev, sizeof(ev.new_ibdev), "rxe_veth0");
	feed(t, &ev);
	snprintf(d.ibdev, sizeof(d.ibdev), "rxe_veth0");
	rdma_unreg(t, &d);
	assert_string_equal(vf->ref.ibdev, "");
	assert_false(vf->has_port);
}

static void rdma_attached_by_parent_before_the_netdev(void **state)
{
	struct t *t = *state;
	struct dev d = dev_of(VF1, "ens1f0v1", 11);

	rdma_reg(t, &d, "mlx5_3");
	reg(t, &d);
	assert_int_equal(vft_corr__n_vfs(t->c), 1);
	assert_string_equal(vft_corr__vf(t->c, 0)->ref.ibdev, "mlx5_3");
	assert_string_equal(vft_corr__vf(t->c, 0)->ref.ifname, "ens1f0v1");
	/* a port event without the parent, by the RDMA device's name */
	d.parent[0] = '\0';
	ib_port(t, &d, 4, 5, 1, 9);
	assert_int_equal(vft_corr__vf(t->c, 0)->lid, 5);
	assert_int_equal(vft_corr__n_vfs(t->c), 1);
}

static void name_key_reused_after_unregister_gets_a_suffix(void **state)
{
	struct t *t = *state;
	struct dev d = dev_of("", "veth0", 40);
	struct dev e = dev_of("", "veth0", 41);
	const struct vft_vf *vf;

	reg(t, &d);
	unreg(t, &d);
	reg(t, &e);
	assert_int_equal(vft_corr__n_vfs(t->c), 2);
	assert_string_equal(vft_corr__vf(t->c, 0)->ref.key, "veth0");
	assert_false(vft_corr__vf(t->c, 0)->registered);
	vf = vft_corr__vf(t->c, 1);
	assert_string_equal(vf->ref.key, "veth0#2");
	assert_true(vf->registered);
	/* the new one's events go to the new record */
	move(t, &e, POD_NS, "net1", 2, &cni);
	up(t, &e, &cni);
	assert_int_equal(vf->ref.netns, POD_NS);
	t->now += GRACE;
	check(t, "veth0#2");
	assert_string_equal(must_find(t, VFT_F_NET1_NO_IP)->vf.key, "veth0#2");
	/* and a third */
	unreg(t, &e);
	d.ifindex = 42;
	reg(t, &d);
	assert_string_equal(vft_corr__vf(t->c, 2)->ref.key, "veth0#3");
}

static int cmp_key(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * One name registered and unregistered 10,000 times: every device gets a
 * key of its own (the suffix has no upper bound), a key already taken by
 * a device really named so is stepped over, and the suffixes are handed
 * out in order, not searched from #2 each time.
 */
static void name_key_suffixes_unbounded_and_unique(void **state)
{
	struct t *t = *state;
	struct dev odd = dev_of("", "veth0#3", 9);
	struct dev d = dev_of("", "veth0", 10);
	const size_t pairs = 10000;
	char **keys;
	size_t i, n;

	reg(t, &odd);
	for (i = 0; i < pairs; i++) {
		d.ifindex = (int32_t)(10 + i);
		reg(t, &d);
		unreg(t, &d);
	}
	n = vft_corr__n_vfs(t->c);
	assert_int_equal(n, pairs + 1);
	keys = calloc(n, sizeof(*keys));
	assert_non_null(keys);
	for (i = 0; i < n; i++)
		keys[i] = (char *)vft_corr__vf_state(t->c, i)->ref.key;
	assert_string_equal(keys[0], "veth0#3");
	assert_string_equal(keys[1], "veth0");
	assert_string_equal(keys[2], "veth0#2");
	assert_string_equal(keys[3], "veth0#4"); /* #3 is the odd device's */
	assert_string_equal(keys[n - 1], "veth0#10001");
	qsort(keys, n, sizeof(*keys), cmp_key);
	for (i = 1; i < n; i++)
		if (!strcmp(keys[i - 1], keys[i]))
			fail_msg("key %s made twice", keys[i]);
	free(keys);
}

/*
 * Netdevs of one PCI function, keyed apart: the function's record keeps its
 * first netdev (with its driver, VF index, RDMA device); every other netdev
 * registered beside it has a record of its own, "<pci>/<name>".
 */

/* An IPoIB child (ib0.8001 style) of a VF: its own record; the VF's pod stay is the VF's. */
static void ipoib_child_keyed_apart(void **state)
{
	struct t *t = *state;
	struct dev vf = host_vf(t, VF1, "mlx5_3");
	struct dev child = dev_of(VF1, "ens1f0v1.8001", 12);
	const struct vft_vf *c, *v;

	reg(t, &child);
	assert_int_equal(vft_corr__n_vfs(t->c), 2);
	v = vf_by_key(t, VF1);
	c = vf_by_key(t, VF1 "/ens1f0v1.8001");
	assert_non_null(c);
	assert_string_equal(v->ref.ifname, "ens1f0v1");
	assert_int_equal(v->ifindex, 11);
	assert_string_equal(v->ref.ibdev, "mlx5_3");
	assert_string_equal(c->ref.pci, VF1);
	assert_int_equal(c->ifindex, 12);
	assert_string_equal(c->ref.ibdev, "");
	/* each one's events go to its own record */
	up(t, &child, &admin);
	assert_true(c->up);
	assert_false(v->up);
	move(t, &vf, POD_NS, "net1", 3, &cni);
	up(t, &vf, &cni);
	addr4(t, &vf, &cni);
	assert_int_equal(v->ref.netns, POD_NS);
	assert_int_equal(c->ref.netns, HOST_NS);
	assert_string_equal(c->ref.ifname, "ens1f0v1.8001");
	/* the child goes; the VF stays registered in its pod */
	unreg(t, &child);
	assert_false(c->registered);
	assert_true(v->registered);
	t->now += GRACE;
	check(t, VF1);
	assert_int_equal(t->g.n_found, 0);
	assert_int_equal(vft_corr__n_vfs(t->c), 2);
}

/* Switchdev: the PF's netdev and its VFs' representors, all with the PF as parent. */
static void representors_keyed_apart(void **state)
{
	struct t *t = *state;
	struct dev pf = dev_of(PF, "enp59s0f0np0", 5);
	struct dev rep0 = dev_of(PF, "pf0vf0", 20), rep1 = dev_of(PF, "pf0vf1", 21);
	const struct vft_vf *p;

	reg(t, &pf);
	reg(t, &rep0);
	reg(t, &rep1);
	assert_int_equal(vft_corr__n_vfs(t->c), 3);
	p = vf_by_key(t, PF);
	assert_string_equal(p->ref.ifname, "enp59s0f0np0");
	assert_int_equal(p->n_names, 1);
	assert_non_null(vf_by_key(t, PF "/pf0vf0"));
	assert_int_equal(vf_by_key(t, PF "/pf0vf1")->ifindex, 21);
	/* a representor renamed and gone: the PF's record does not change */
	ren(t, &rep1, "eth7", &udevd);
	assert_string_equal(vf_by_key(t, PF "/pf0vf1")->ref.ifname, "eth7");
	unreg(t, &rep1);
	assert_false(vf_by_key(t, PF "/pf0vf1")->registered);
	assert_true(p->registered);
	assert_string_equal(p->ref.ifname, "enp59s0f0np0");
	/* the PF's netdev re-made (the uplink representor): the PF's record again */
	unreg(t, &pf);
	pf.ifindex = 30;
	reg(t, &pf);
	assert_int_equal(p->ifindex, 30);
	assert_true(p->registered);
	/* a representor made again under an old name: a key of its own */
	rep1 = dev_of(PF, "pf0vf1", 31);
	reg(t, &rep1);
	assert_true(vf_by_key(t, PF "/pf0vf1#2")->registered);
	assert_int_equal(vft_corr__n_vfs(t->c), 4);
}

/*
 * A scalable function's netdev: its parent is an auxiliary device, its
 * nearest PCI ancestor the PF. Moved into a pod, it is its own record
 * there; the PF's stays in the host. A netdev reported in another netns
 * than its function's is still the function's (seen there before the move).
 */
static void sf_netdev_keyed_apart(void **state)
{
	struct t *t = *state;
	struct dev pf = dev_of(PF, "enp59s0f0np0", 5);
	struct dev sf = dev_of(PF, "enp59s0f0s88", 40), early;
	const struct vft_vf *p, *s;

	reg(t, &pf);
	reg(t, &sf);
	p = vf_by_key(t, PF);
	s = vf_by_key(t, PF "/enp59s0f0s88");
	assert_non_null(s);
	move(t, &sf, POD_NS, "net1", 3, &cni);
	up(t, &sf, &cni);
	assert_int_equal(s->ref.netns, POD_NS);
	assert_string_equal(s->ref.ifname, "net1");
	assert_int_equal(p->ref.netns, HOST_NS);
	assert_string_equal(p->ref.ifname, "enp59s0f0np0");
	t->now += GRACE;
	check(t, PF "/enp59s0f0s88");
	assert_int_equal(n_found(t, VFT_F_NET1_NO_IP), 1);
	assert_string_equal(found(t, VFT_F_NET1_NO_IP)->vf.key, PF "/enp59s0f0s88");
	/* the PF's own netdev reported in a pod before its move: not another netdev */
	early = pf;
	early.netns = POD2_NS;
	early.ifindex = 4;
	reg(t, &early);
	assert_int_equal(vft_corr__n_vfs(t->c), 2);
}

/*
 * A pod known by name (the runtime's sandbox, a CNI call): the finding, its
 * evidence and JSON, the timeline's steps and the text timeline name it
 * ml/trainer-0; the JSON keeps the netns inode.
 */
static void pod_named_in_findings_and_timeline(void **state)
{
	static const uint32_t pod3 = 4026532777u;
	struct t *t = *state;
	struct dev d = dev_of(VF1, "ens1f0v1", 11);
	struct vft_event ev = ev_of(t, VFT_EV_NETNS_INFO);
	struct json_object *o, *v, *x;
	const struct vft_finding *f;
	const struct vft_vf *vf;
	struct vft_sink *s;
	char *buf = NULL;
	size_t len = 0, i;
	bool named = false;
	FILE *out;

	ev.source = VFT_SRC_ENRICH;
	ev.netns = pod3;
	strcpy(ev.netns_name, "cni-8f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b");
	strcpy(ev.pod_uid, "d2f1c7a4-3b8e-4f5a-9c6d-1e0b2a3c4d5e");
	strcpy(ev.pod_ns, "ml");
	strcpy(ev.pod_name, "trainer-0");
	ev.pod_source = VFT_POD_SRC_RUNTIME;
	feed(t, &ev);

	reg(t, &d);
	t->now += SEC;
	up(t, &d, &networkd);
	addr(t, VFT_EV_ADDR_ADD, &d, 10, ip6, &networkd);
	t->now += 250 * MS;
	move(t, &d, pod3, "net1", 3, &cni);
	f = must_find(t, VFT_F_HOST_MANAGER_CLAIM);
	assert_int_equal(f->vf.netns, pod3);
	assert_string_equal(f->vf.pod_ns, "ml");
	assert_string_equal(f->vf.pod_name, "trainer-0");
	assert_string_equal(f->vf.pod_uid, "d2f1c7a4-3b8e-4f5a-9c6d-1e0b2a3c4d5e");
	assert_non_null(strstr(f->evidence, " pod=ml/trainer-0"));

	o = vft_finding__to_json(f);
	assert_true(json_object_object_get_ex(o, "vf", &v));
	assert_true(json_object_object_get_ex(v, "pod_name", &x));
	assert_string_equal(json_object_get_string(x), "trainer-0");
	assert_true(json_object_object_get_ex(v, "pod_namespace", &x));
	assert_string_equal(json_object_get_string(x), "ml");
	assert_true(json_object_object_get_ex(v, "netns", &x));
	assert_int_equal(json_object_get_int64(x), pod3);
	assert_true(json_object_object_get_ex(o, "evidence", &x));
	assert_non_null(strstr(json_object_get_string(x), "pod=ml/trainer-0"));
	json_object_put(o);

	vf = vf_by_key(t, VF1);
	assert_non_null(vf->steps);
	for (i = 0; i < vf->n_steps; i++)
		named |= !strcmp(vf->steps[i].text, "moved ens1f0v1 to pod ml/trainer-0 as net1");
	assert_true(named);

	out = open_memstream(&buf, &len);
	assert_non_null(out);
	s = vft_sink_text__new(out, false);
	assert_int_equal(vft_sink__finding(s, f), 0);
	assert_int_equal(vft_sink__timeline(s, vf), 0);
	vft_sink__free(s);
	fclose(out);
	assert_non_null(strstr(buf, "to pod ml/trainer-0 as net1"));
	assert_non_null(strstr(buf, "now: net1 pod ml/trainer-0"));
	/* the text names the pod, not its inode; the netns history keeps inodes */
	assert_non_null(strstr(buf, "netns: 4026531840 -> 4026532777"));
	free(buf);
}

/* A pod known by its UID alone: steps keep the inode, as before. */
static void pod_by_uid_keeps_the_inode(void **state)
{
	struct t *t = *state;
	struct dev d = dev_of(VF1, "ens1f0v1", 11);
	const struct vft_vf *vf;
	bool inode = false;
	size_t i;

	reg(t, &d);
	move(t, &d, POD_NS, "net1", 3, &cni);
	vf = vf_by_key(t, VF1);
	assert_string_equal(vf->ref.pod_name, "");
	for (i = 0; vf->steps && i < vf->n_steps; i++)
		inode |= !strcmp(vf->steps[i].text, "moved ens1f0v1 to netns 4026532291 as net1");
	assert_true(inode);
}

static void netns_info_later_fills_refs(void **state)
{
	struct t *t = *state;
	struct dev d = host_vf(t, VF1, NULL);
	const struct vft_vf *vf = vf_by_key(t, VF1);

	move(t, &d, 4026532999u, "net1", 3, &cni);
	assert_string_equal(vf->ref.pod_uid, "");
	netns_info(t, 4026532999u, false, "cni-late", "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee");
	assert_string_equal(vf->ref.netns_name, "cni-late");
	assert_string_equal(vf->ref.pod_uid, "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee");
	assert_string_equal(vf->pf, PF);
	assert_int_equal(vf->vf_index, 1);
}

/*
 * What the stream said of a netns is the correlator's to hold: described
 * by a netns_info only (not by a device entering it), and no longer when
 * the netns is destroyed, whose entry, records and pod stay until the
 * inode is described again.
 */
static void netns_described_and_forgotten(void **state)
{
	static const char uid[] = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";
	const uint32_t late = 4026532999u;
	struct t *t = *state;
	struct dev d = host_vf(t, VF1, NULL);
	const struct vft_vf *vf = vf_by_key(t, VF1);
	struct vft_corr_stats st, after;

	assert_true(vft_corr__netns_described(t->c, HOST_NS));
	assert_true(vft_corr__netns_described(t->c, POD_NS));
	assert_false(vft_corr__netns_described(t->c, 0));
	/* a device entered it before any netns_info: held, not described */
	move(t, &d, late, "net1", 3, &cni);
	assert_false(vft_corr__netns_described(t->c, late));
	netns_info(t, late, false, "cni-late", uid);
	assert_true(vft_corr__netns_described(t->c, late));

	/* destroyed: not described any more; nothing else of it goes */
	vft_corr__stats(t->c, &st);
	vft_corr__netns_forget(t->c, late);
	vft_corr__netns_forget(t->c, 4026533333u); /* one it never held */
	assert_false(vft_corr__netns_described(t->c, late));
	assert_false(vft_corr__netns_described(t->c, 4026533333u));
	assert_true(vft_corr__netns_described(t->c, POD_NS));
	vft_corr__stats(t->c, &after);
	assert_int_equal(after.netns, st.netns);
	assert_int_equal(after.netns_forgotten, st.netns_forgotten);
	assert_string_equal(vf->ref.pod_uid, uid);

	/* the inode's next netns is described: the VF still in it follows */
	netns_info(t, late, false, "", "");
	assert_true(vft_corr__netns_described(t->c, late));
	assert_string_equal(vf->ref.pod_uid, "");
	assert_string_equal(vf->ref.netns_name, "");
	move(t, &d, HOST_NS, "ens1f0v1", 11, &cni);
	assert_int_equal(vf->ref.netns, HOST_NS);
	assert_true(vft_corr__netns_described(t->c, late)); /* no retention: kept */
}

/* ---- retention (retain_ns) and the daemon's options ---- */

#define RETAIN (60 * SEC)

static int setup_retain(void **state)
{
	struct vft_corr_opts opts = { .grace_ns = GRACE, .retain_ns = RETAIN };

	*state = new_t(&opts);
	return 0;
}

/* Everything of VF1 goes: netdev, RDMA device, driver, and the PF removes it. */
static void vf_goes(struct t *t, struct dev *d)
{
	struct vft_event ev = ev_of(t, VFT_EV_VF_REMOVE);

	unreg(t, d);
	if (d->ibdev[0])
		rdma_unreg(t, d);
	driver(t, VFT_EV_DRIVER_UNBIND, VFT_SRC_FENTRY, d->parent, &kworker);
	snprintf(ev.device, sizeof(ev.device), "%s", d->parent);
	snprintf(ev.pf, sizeof(ev.pf), "%s", PF);
	feed(t, &ev);
}

/* An event of another device, only to move the correlator's clock. */
static void tick(struct t *t, uint64_t at)
{
	struct dev other = dev_of("", "lo", 1);

	t->now = at;
	reg(t, &other);
}

static void retain_forgets_a_gone_vf(void **state)
{
	struct t *t = *state;
	struct dev d = pod_vf(t, "mlx5_3");
	struct dev e = host_vf(t, VF2, NULL);
	struct vft_corr_stats st;
	uint64_t gone;

	/* VF1 comes back under its pod name and is stranded, then its PF removes it */
	t->now += SEC;
	move(t, &d, HOST_NS, "", 11, &kworker);
	t->now += GRACE;
	check(t, VF1);
	assert_int_equal(n_found(t, VFT_F_VF_STRANDED), 1);
	t->now += SEC;
	vf_goes(t, &d);
	gone = t->now;
	assert_int_equal(vft_corr__n_vfs(t->c), 2);
	/* the netdev's going resolved what was open: nothing is left to forget but state */
	assert_int_equal(t->g.n_res, 1);
	assert_int_equal(vf_by_key(t, VF1)->n_open, 0);

	/* one sweep period short of the retention time: kept */
	tick(t, gone + RETAIN - 1);
	assert_non_null(vf_by_key(t, VF1));
	tick(t, gone + RETAIN + RETAIN / 4);
	assert_null(vf_by_key(t, VF1));
	assert_int_equal(vft_corr__n_vfs(t->c), 2); /* VF2 and lo */
	vft_corr__stats(t->c, &st);
	assert_int_equal(st.forgotten, 1);
	assert_int_equal(st.raised[VFT_F_VF_STRANDED], st.resolved[VFT_F_VF_STRANDED]);
	assert_int_equal(t->g.n_res, 1);

	/* the indexes were rebuilt: VF2 is found by name, netns and ifindex, and by key */
	assert_int_equal(st.netns_forgotten, 2);	 /* the one VF1 left, the one never used */
	netns_info(t, POD_NS, false, POD_NAME, POD_UID); /* said again, as the pipeline does */
	move(t, &e, POD_NS, "net1", 3, &cni);
	assert_int_equal(vf_by_key(t, VF2)->ref.netns, POD_NS);
	assert_string_equal(vf_by_key(t, VF2)->ref.pod_uid, POD_UID);
	assert_int_equal(vf_by_key(t, VF2)->n_netns, 2);

	/* the VF made again is a record of its own, under its own key (no suffix) */
	d = host_vf(t, VF1, NULL);
	assert_non_null(vf_by_key(t, VF1));
	assert_int_equal(vf_by_key(t, VF1)->n_findings, 0);
	assert_int_equal(vft_corr__n_vfs(t->c), 3);
}

static void retain_keeps_what_is_not_gone(void **state)
{
	struct t *t = *state;
	struct dev d = host_vf(t, VF1, NULL);
	struct dev e = host_vf(t, VF2, "mlx5_4");
	struct dev v = dev_of("", "veth0", 40);

	reg(t, &v);
	/* VF1: no netdev, no driver, but its PF still has it (autoprobe off) */
	unreg(t, &d);
	driver(t, VFT_EV_DRIVER_UNBIND, VFT_SRC_FENTRY, VF1, &kworker);
	/* VF2: its netdev is gone but its RDMA device is there */
	unreg(t, &e);
	/* veth0: gone, never a VF */
	unreg(t, &v);
	tick(t, t->now + 10 * RETAIN);
	tick(t, t->now + RETAIN);
	assert_non_null(vf_by_key(t, VF1));
	assert_non_null(vf_by_key(t, VF2));
	assert_null(vf_by_key(t, "veth0"));
	/* and a record that comes back is not gone any more */
	reg(t, &v);
	assert_non_null(vf_by_key(t, "veth0"));
	tick(t, t->now + 10 * RETAIN);
	assert_non_null(vf_by_key(t, "veth0"));
}

static void retain_forgets_netns_nothing_is_in(void **state)
{
	struct vft_corr_opts opts = { .grace_ns = GRACE, .retain_ns = RETAIN };
	struct vft_corr_stats st;
	struct t *t = calloc(1, sizeof(*t));
	struct dev d;
	size_t i;

	assert_non_null(t);
	assert_int_equal(vft_corr__new(&opts, &ops, &t->g, &t->c), 0);
	t->now = T0;
	netns_info(t, HOST_NS, true, "", "");
	netns_info(t, POD_NS, false, POD_NAME, POD_UID);
	netns_info(t, POD2_NS, false, "", "c0ffee00-2222-2222-2222-222222222222");
	d = pod_vf(t, NULL);
	vft_corr__stats(t->c, &st);
	assert_int_equal(st.netns, 3);

	/* POD2 was never used, POD_NS has VF1: only POD2 goes, after the retention time */
	tick(t, T0 + RETAIN / 2);
	tick(t, T0 + RETAIN / 2 + RETAIN / 4);
	vft_corr__stats(t->c, &st);
	assert_int_equal(st.netns_forgotten, 0);
	assert_true(vft_corr__netns_described(t->c, POD2_NS));
	tick(t, T0 + RETAIN + RETAIN / 2);
	vft_corr__stats(t->c, &st);
	assert_int_equal(st.netns_forgotten, 1);
	assert_false(vft_corr__netns_described(t->c, POD2_NS)); /* said again when named */
	assert_true(vft_corr__netns_described(t->c, POD_NS));

	/* VF1 leaves its pod: the pod's netns goes with it */
	t->now += SEC;
	move(t, &d, HOST_NS, "ens1f0v1", 11, &cni);
	assert_false(vft_corr__netns_described(t->c, POD_NS));
	vft_corr__stats(t->c, &st);
	assert_int_equal(st.netns_forgotten, 2);
	assert_int_equal(st.netns, 1); /* the host's is never forgotten */
	assert_true(vft_corr__netns_described(t->c, HOST_NS));

	/* said again, it is known again */
	netns_info(t, POD_NS, false, POD_NAME, POD_UID);
	assert_true(vft_corr__netns_described(t->c, POD_NS));
	move(t, &d, POD_NS, "net1", 3, &cni);
	assert_string_equal(vf_by_key(t, VF1)->ref.pod_uid, POD_UID);
	for (i = 0; i < 2; i++)
		tick(t, t->now + RETAIN);
	vft_corr__stats(t->c, &st);
	assert_int_equal(st.netns_forgotten, 2);
	assert_true(vft_corr__netns_described(t->c, POD_NS));
	vft_corr__free(t->c);
	free(t);
}

/* Many pods come and go: each VF's pod is right whatever entries moved in the netns table. */
static void retain_netns_churn(void **state)
{
	struct vft_corr_opts opts = { .grace_ns = GRACE, .retain_ns = RETAIN };
	struct t *t = new_t(&opts);
	struct vft_corr_stats st;
	struct dev d[64];
	uint32_t in[64] = {}, x = 7, ns;
	char uid[40], bdf[16];
	size_t i, k, busy;

	for (i = 0; i < 64; i++) {
		snprintf(bdf, sizeof(bdf), "0000:3b:%02zx.%zu", 1 + i / 8, i % 8);
		d[i] = host_vf(t, bdf, NULL);
		/* gone and back under its own name (beside the first, it would be another netdev) */
		unreg(t, &d[i]);
		d[i].ifindex = (int32_t)(100 + i);
		snprintf(d[i].ifname, sizeof(d[i].ifname), "ens1f0v%zu", i);
		reg(t, &d[i]);
	}
	for (k = 0; k < 5000; k++) {
		x = x * 1103515245u + 12345u;
		i = (x >> 8) % 64;
		t->now += MS;
		if (in[i]) { /* back to the host */
			move(t, &d[i], HOST_NS, "", (int32_t)(100 + i), &cni);
			in[i] = 0;
			continue;
		}
		ns = 4026540000u + (x >> 16) % 4000; /* some netns have several VFs */
		snprintf(uid, sizeof(uid), "00000000-0000-0000-0000-%012u", ns);
		netns_info(t, ns, false, "", uid);
		move(t, &d[i], ns, "", (int32_t)(3 + i), &cni);
		in[i] = ns;
		assert_string_equal(vf_by_key(t, d[i].parent)->ref.pod_uid, uid);
	}
	for (i = 0, busy = 0; i < 64; i++) {
		size_t j;
		bool first = in[i] != 0;

		for (j = 0; j < i && first; j++)
			first = in[j] != in[i];
		busy += first;
	}
	vft_corr__stats(t->c, &st);
	/* the host's, the two new_t() announced and never used, and those with a VF in them */
	assert_int_equal(st.netns, 3 + busy);
	vft_corr__free(t->c);
	free(t);
	(void)state;
}

static void without_retain_nothing_is_forgotten(void **state)
{
	struct t *t = *state;
	struct dev d = host_vf(t, VF1, NULL);
	struct vft_corr_stats st;

	vf_goes(t, &d);
	tick(t, t->now + 1000 * RETAIN);
	tick(t, t->now + 1000 * RETAIN);
	assert_non_null(vf_by_key(t, VF1));
	vft_corr__stats(t->c, &st);
	assert_int_equal(st.forgotten, 0);
	assert_int_equal(st.netns, 3);
}

static void no_steps_keeps_state_but_no_timeline(void **state)
{
	struct vft_corr_opts opts = { .grace_ns = GRACE, .no_steps = true };
	struct t *t = new_t(&opts);
	struct dev d = pod_vf(t, NULL);
	const struct vft_vf *vf;

	addr4(t, &d, &cni);
	vf = vft_corr__vf(t->c, 0);
	assert_int_equal(vf->n_steps, 0);
	assert_int_equal(vf->steps_dropped, 4); /* vf_add, register, move, address */
	assert_int_equal(vf->ref.netns, POD_NS);
	assert_int_equal(vf->n_addrs, 1);
	/* the state accessor renders nothing */
	assert_ptr_equal(vft_corr__vf_state(t->c, 0), vf);
	assert_null(vft_corr__vf_state(t->c, 1));
	vft_corr__free(t->c);
	free(t);
	(void)state;
}

/* ---- the timeline, scale, the API ---- */

static void steps_keep_first_and_newest(void **state)
{
	struct t *t = *state;
	struct dev d = dev_of(VF1, "ens1f0v1", 11);
	const struct vft_vf *vf;
	int i, total = 200;

	reg(t, &d);
	for (i = 1; i < total; i++) {
		t->now = T0 + (uint64_t)i;
		flags(t, &d, i & 1 ? 0 : IFF_UP, i & 1 ? IFF_UP : 0, &kworker);
	}
	vf = vft_corr__vf(t->c, 0);
	assert_int_equal(vf->n_steps, VFT_VF_MAX_STEPS);
	assert_int_equal(vf->steps_dropped, total - VFT_VF_MAX_STEPS);
	assert_int_equal(vf->steps[0].ts_ns, T0);
	assert_int_equal(vf->steps[0].kind, VFT_EV_NETDEV_REGISTER);
	assert_string_equal(vf->steps[0].text, "netdev ens1f0v1 registered in netns 4026531840");
	assert_int_equal(vf->steps[15].ts_ns, T0 + 15);
	assert_int_equal(vf->steps[16].ts_ns, T0 + 16 + (total - VFT_VF_MAX_STEPS));
	assert_int_equal(vf->steps[VFT_VF_MAX_STEPS - 1].ts_ns, T0 + total - 1);
	assert_string_equal(vf->steps[VFT_VF_MAX_STEPS - 1].text, "ens1f0v1 admin up");
	assert_string_equal(vf->steps[VFT_VF_MAX_STEPS - 1].comm, "kworker/u8:1");
	assert_int_equal(vf->steps[VFT_VF_MAX_STEPS - 1].pid, 77);
}

static void step_texts(void **state)
{
	struct t *t = *state;
	struct dev d = host_vf(t, VF1, "mlx5_3");
	const struct vft_vf *vf = vf_by_key(t, VF1);

	move_fail(t, &d, POD_NS, "net1", -EEXIST, "exists");
	assert_string_equal(vf->steps[vf->n_steps - 1].text,
			    "move of ens1f0v1 to netns 4026532291 failed: EEXIST: exists");
	assert_int_equal(vf->steps[vf->n_steps - 1].ret, -EEXIST);
	move(t, &d, POD_NS, "net1", 3, &cni);
	assert_string_equal(vf->steps[vf->n_steps - 1].text,
			    "moved ens1f0v1 to netns 4026532291 as net1");
	addr4(t, &d, &cni);
	assert_string_equal(vf->steps[vf->n_steps - 1].text, "address 10.0.0.5/24 on net1");
	ib_port(t, &d, 4, 0x12, 1, 1);
	assert_string_equal(vf->steps[vf->n_steps - 1].text,
			    "mlx5_3/1 PORT_ACTIVE ACTIVE lid 0x12 sm_lid 0x1");
}

static void many_vfs(void **state)
{
	enum { N = 20000 };
	struct t *t = *state;
	struct taken tk = { 0 };
	char bdf[VFT_DEVNAME_LEN], name[VFT_NAME_LEN];
	struct dev d;
	const struct vft_vf *vf;
	int i;

	for (i = 0; i < N; i++) {
		snprintf(bdf, sizeof(bdf), "0001:%02x:%02x.%x", i >> 8, (i >> 3) & 31, i & 7);
		snprintf(name, sizeof(name), "v%d", i);
		vf_add(t, bdf, i);
		d = dev_of(bdf, name, 100 + i);
		reg(t, &d);
		snprintf(name, sizeof(name), "veth%d", i);
		d = dev_of("", name, 100000 + i);
		reg(t, &d);
	}
	assert_int_equal(vft_corr__n_vfs(t->c), 2 * N);
	/* found again by netns and ifindex, and by name key, after the index grew */
	for (i = 0; i < N; i++) {
		snprintf(name, sizeof(name), "v%d", i);
		d = dev_of("", name, 100 + i);
		snprintf(name, sizeof(name), "r%d", i);
		ren(t, &d, name, &udevd);
		snprintf(name, sizeof(name), "veth%d", i);
		d = dev_of("", name, 100000 + i);
		move(t, &d, POD_NS, "net1", 1000 + i, &cni);
	}
	assert_int_equal(vft_corr__n_vfs(t->c), 2 * N);
	for (i = 0; i < N; i++) {
		vf = vft_corr__vf(t->c, 2 * (size_t)i);
		snprintf(name, sizeof(name), "r%d", i);
		assert_string_equal(vf->ref.ifname, name);
		assert_int_equal(vf->vf_index, i);
		vf = vft_corr__vf(t->c, 2 * (size_t)i + 1);
		assert_int_equal(vf->ref.netns, POD_NS);
	}
	assert_int_equal(vft_corr__take_due(t->c, UINT64_MAX, take_cb, &tk), 0);
	assert_int_equal(tk.n, N);
	t->now += GRACE;
	check(t, "veth19999");
	assert_int_equal(t->g.n_found, 0);
	vf = vft_corr__vf(t->c, 2 * N - 1);
	assert_int_equal(vf->steps[vf->n_steps - 1].kind, VFT_EV_VF_CHECK);
}

static void callback_errors_are_returned(void **state)
{
	struct t *t = *state;
	struct dev d = host_vf(t, VF1, NULL);
	struct vft_event ev = dev_ev(t, VFT_EV_LINK_CHANGE, &d, &networkd);
	struct vft_corr_stats st;

	ev.flags = IFF_UP;
	t->g.fail_with = -EIO;
	assert_int_equal(vft_corr__feed(t->c, &ev), -EIO);
	vft_corr__stats(t->c, &st);
	assert_int_equal(st.raised[VFT_F_HOST_MANAGER_CLAIM], 1);
	assert_int_equal(st.dropped, 0);
	/* the event reached its callback first; the finding it raised failed after it */
	assert_int_equal(st.events, t->g.n_events);
}

/* A finding is reported after the event that raised it, a resolution after its fix. */
static void findings_follow_their_event(void **state)
{
	struct t *t = *state;
	struct dev d = host_vf(t, VF1, NULL);
	size_t before = t->g.n_events;

	t->g.order_len = 0;
	up(t, &d, &networkd);
	assert_int_equal(t->g.n_events, before + 1);
	assert_int_equal(t->g.order_len, 2);
	assert_int_equal(t->g.order[0], 'e');
	assert_int_equal(t->g.order[1], 'f');
}

static void names_severities_remedies(void **state)
{
	uint32_t code;

	(void)state;
	assert_string_equal(vft_finding__name(VFT_F_HOST_MANAGER_CLAIM), "HOST_MANAGER_CLAIM");
	assert_string_equal(vft_finding__name(VFT_F_DRIVER_CHURN), "DRIVER_CHURN");
	assert_string_equal(vft_finding__name(VFT_F_VF_REMOVED_IN_POD), "VF_REMOVED_IN_POD");
	assert_null(vft_finding__name(0));
	assert_null(vft_finding__name(VFT_F_MAX));
	for (code = 1; code < VFT_F_MAX; code++) {
		assert_non_null(vft_finding__name(code));
		assert_non_null(vft_finding__remedy(code));
	}
	assert_null(vft_finding__remedy(VFT_F_MAX));
	assert_string_equal(vft_severity__name(VFT_SEV_INFO), "info");
	assert_string_equal(vft_severity__name(VFT_SEV_WARNING), "warning");
	assert_string_equal(vft_severity__name(VFT_SEV_ERROR), "error");
	assert_null(vft_severity__name(0));
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(claim_udev_rename_is_not_a_claim),
		cmocka_unit_test(claim_trusted_actors_are_not_claims),
		T(claim_not_from_interrupt_context),
		T(claim_on_known_vf_raised_at_once),
		T(claim_before_move_raised_at_move),
		T(claim_held_while_never_in_a_pod),
		T(claim_link_local_and_flag_changes_are_not_claims),
		T(claim_first_seen_up_flags_change_is_not_a_claim),
		T(claim_after_return_raised_at_once_and_strands),
		T(move_failed_eexist_resolved_by_next_good_move),
		T(move_failed_resolved_when_the_netdev_goes),
		T(early_arrival_merges_into_the_moved_record),
		T(good_moves_raise_no_move_failure),
		T(return_raises_info_never_open),
		T(stranded_with_pod_name),
		T(stranded_with_temporary_name_when_host_name_unknown),
		T(not_stranded_when_renamed_back_before_check),
		T(stranded_resolved_by_rename_pod_or_removal),
		T(no_ip_raised_after_grace),
		T(no_ip_not_raised_when_address_within_grace),
		T(no_ip_not_raised_when_down),
		T(no_ip_resolved_by_a_later_address),
		T(no_ip_ipv6_link_local_only_counts_as_none),
		T(no_ip_host_addresses_do_not_follow_into_the_pod),
		T(no_ip_inventory_of_a_pod_vf),
		T(no_ip_ipv4_link_local_counts_as_an_address),
		T(pod_findings_resolved_when_leaving_the_pod),
		T(up_again_after_the_check_gets_a_new_grace),
		T(lid_missing_alone_and_resolved),
		T(lid_missing_active_with_permissive_lid),
		T(sm_unreachable_alone_and_resolved),
		T(guid_zero_alone_and_resolved),
		T(lid_missing_on_a_port_not_active_with_a_lid),
		T(guid_zero_on_a_zero_node_guid),
		T(healthy_ib_port_raises_nothing),
		T(roce_never_lid_missing),
		T(gid_missing_raised_without_ip_gids),
		T(late_rdma_device_is_checked_after_its_own_grace),
		T(pci_address_learned_later),
		T(gid_present_raises_nothing),
		T(no_ip_and_gid_missing_together),
		T(rdma_device_missing_raised_and_resolved),
		T(rdma_device_missing_when_the_pf_has_one),
		T(rdma_device_missing_not_raised),
		T(rdma_netns_mismatch_by_reread),
		T(rdma_netns_mismatch_resolved_by_a_good_reread),
		T(rdma_netns_mismatch_not_raised),
		T(rdma_netns_mismatch_by_failed_move),
		T(driver_churn_in_pod),
		T(driver_churn_not_in_pod_or_inventory),
		T(vf_removed_in_pod),
		T(vf_removed_not_in_pod),
		T(take_due_hands_a_deadline_out_once),
		cmocka_unit_test(take_due_callback_error_and_default_grace),
		T(early_or_unknown_check_evaluates_nothing),
		T(pci_key_across_rename_and_moves),
		T(veth_keyed_by_first_name),
		T(rxe_attached_by_ifname),
		T(rdma_attached_by_parent_before_the_netdev),
		T(name_key_reused_after_unregister_gets_a_suffix),
		T(name_key_suffixes_unbounded_and_unique),
		T(ipoib_child_keyed_apart),
		T(representors_keyed_apart),
		T(sf_netdev_keyed_apart),
		T(netns_info_later_fills_refs),
		T(netns_described_and_forgotten),
		cmocka_unit_test_setup_teardown(retain_forgets_a_gone_vf, setup_retain, teardown),
		cmocka_unit_test_setup_teardown(retain_keeps_what_is_not_gone, setup_retain,
						teardown),
		cmocka_unit_test(retain_forgets_netns_nothing_is_in),
		cmocka_unit_test_setup_teardown(pod_named_in_findings_and_timeline, setup,
						teardown),
		cmocka_unit_test_setup_teardown(pod_by_uid_keeps_the_inode, setup, teardown),
		cmocka_unit_test(retain_netns_churn),
		T(without_retain_nothing_is_forgotten),
		cmocka_unit_test(no_steps_keeps_state_but_no_timeline),
		T(steps_keep_first_and_newest),
		T(step_texts),
		T(many_vfs),
		T(callback_errors_are_returned),
		T(findings_follow_their_event),
		cmocka_unit_test(names_severities_remedies),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
