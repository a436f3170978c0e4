// SPDX-License-Identifier: GPL-2.0-only
/*
 * replay_bench.c - the replay benchmark of `make bench` (docs/bench.md).
 *
 * Writes a synthetic capture with the real writer: a busy GPU node of 160
 * PFs and 10,240 VFs (1,000,000 events by default), every VF created
 * (vf_add, driver bind, netdev, udev rename, RDMA device and port), then
 * handed to one short-lived pod after another by the CNI (netns_info of a
 * new pod netns, move in as net1, link up, addresses, the port re-read and
 * vf_check at the end of the grace period, then link down, rename back and
 * move out, and the return's vf_check). Thousands of VFs are in flight at
 * once, their events interleaved in time order at about 9,600 events/s of
 * event time, with the actors a node has (CNI, udev, kworkers, the SR-IOV
 * operator's pod, pod processes). Some stays go wrong as they do on nodes:
 * a move fails with EEXIST and is retried, a pod gets no IPv4 address, a
 * port has no LID at the check, a VF comes back under a kernel name, a
 * host network manager claims a returned VF. The generator counts the
 * findings these must raise.
 *
 * Then, in the same run: the replay (vft_replay__run() into a sink that
 * counts what it receives and formats nothing) in a child process forked
 * before anything was generated, so that its peak RSS is the replay's
 * alone; plain zlib inflation of the same file's blocks (the floor); bytes
 * per event on disk. Each timing is the median of -R runs, replays and
 * floors interleaved. Prints every figure with its target and PASS or MISS,
 * and with -f appends them as KEY=VALUE lines to a results file (run.sh).
 *
 * Usage: replay_bench [-n EVENTS] [-v VFS] [-R RUNS] [-o FILE] [-k] [-f RESULTS]
 *        replay_bench -g -o FILE [-n EVENTS] [-v VFS]
 *   -v: VFs, a multiple of 64 (64 per PF); -o: the capture (default: a file
 *   in /dev/shm or $TMPDIR, removed unless -k); -g: only write the capture
 *   to FILE (the audit footprint benchmark runs vftrace audit over it).
 *
 * Exit status: 0 when it ran (targets met or not), 1 when it could not run
 * or the replay did not see what was generated, 2 for usage errors.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <zlib.h>
#include "sinks/capture.h"
#include "correlate/correlate.h"
#include "pipeline/replay.h"
#include "sinks/sink.h"
#include "lib/util.h"
#include "capfmt.h"
#include "bench.h"

#define NS 1000000000ULL
#define MS 1000000ULL
#define HOST_NS 4026531840u
#define POD_NS0 4026532500u
#define VFS_PER_PF 64
#define GRACE (5 * NS) /* as recorded with --grace 5 */
#define MAX_RUNS 9

/* The targets of the issue. */
#define TARGET_MEVENTS 1.0 /* M events/s, at least */
#define TARGET_RATIO 3.0   /* replay time / inflation time, at most */
#define TARGET_RSS_MB 64.0 /* peak RSS in MB (10^6 bytes), at most */
#define TARGET_BYTES 32.0  /* bytes per event on disk, at most */

/* ---- the node ---- */

enum phase { PH_CREATE, PH_IDLE, PH_ATTACH, PH_POD, PH_DETACH, PH_HOST };

/* What goes wrong in one pod stay (or its return). */
enum fate {
	F_MOVE_EEXIST = 1 << 0, /* the first move fails: a stale net1 in the pod */
	F_NO_IP = 1 << 1,	/* IPAM gives no IPv4 address */
	F_NO_LID = 1 << 2,	/* the port has no LID at the check, gets one later */
	F_KERNEL_NAME = 1 << 3, /* the pod netns went away first: back as devN */
	F_CLAIM = 1 << 4,	/* NetworkManager brings it up after it came back */
	F_POD_ERROR = 1 << 5,	/* a pod process gets a netlink error */
};

struct vf {
	uint32_t pf;
	uint8_t index, phase, step, fate;
	int32_t ifindex;
	char bdf[16], name[16], ibdev[16];
	uint64_t t0; /* start of the phase */
	uint64_t life;
	uint32_t cni_pid;
	/* the current pod */
	uint32_t netns;
	char uid[40], container[72], netns_name[64];
};

struct pf {
	char bdf[16], name[16], ibdev[16];
	char base[16]; /* of its and its VFs' netdev names */
	uint8_t step;
};

struct slot {
	uint64_t t;
	uint32_t id; /* a VF, or nvfs + a PF */
};

static struct {
	unsigned int nvfs, npfs;
	struct vf *vfs;
	struct pf *pfs;
	struct slot *heap;
	size_t n_heap;
	uint64_t rng, t_start, ts;
	uint32_t pods, pids, records;
	uint64_t expect[VFT_F_MAX];
	char op_uid[40], op_container[72], op_cgroup[256];
} g;

static uint64_t rnd(void)
{
	return bench_rnd(&g.rng);
}

/* Uniform in [lo, hi) nanoseconds. */
static uint64_t between(uint64_t lo, uint64_t hi)
{
	return lo + rnd() % (hi - lo);
}

static bool chance(unsigned int per_mille)
{
	return rnd() % 1000 < per_mille;
}

static void hex(char *out, unsigned int n)
{
	bench_hex(out, n, &g.rng);
}

static void uuid(char *out)
{
	char a[9], b[5], c[5], d[5], e[13];

	hex(a, 8), hex(b, 4), hex(c, 4), hex(d, 4), hex(e, 12);
	sprintf(out, "%s-%s-%s-%s-%s", a, b, c, d, e);
}

static void pod_cgroup(char *out, size_t size, const char *uid, const char *container)
{
	char us[40];
	size_t i;

	for (i = 0; uid[i] && i < sizeof(us) - 1; i++)
		us[i] = uid[i] == '-' ? '_' : uid[i];
	us[i] = '\0';
	snprintf(out, size,
		 "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod%s.slice/"
		 "cri-containerd-%s.scope",
		 us, container);
}

static void push(uint64_t t, uint32_t id)
{
	size_t i = g.n_heap++, up;

	while (i && g.heap[up = (i - 1) / 2].t > t) {
		g.heap[i] = g.heap[up];
		i = up;
	}
	g.heap[i].t = t;
	g.heap[i].id = id;
}

static struct slot pop(void)
{
	struct slot top = g.heap[0], last = g.heap[--g.n_heap];
	size_t i = 0, c;

	while ((c = 2 * i + 1) < g.n_heap) {
		if (c + 1 < g.n_heap && g.heap[c + 1].t < g.heap[c].t)
			c++;
		if (g.heap[c].t >= last.t)
			break;
		g.heap[i] = g.heap[c];
		i = c;
	}
	if (g.n_heap)
		g.heap[i] = last;
	return top;
}

static void setup(unsigned int nvfs)
{
	unsigned int i;
	uint8_t bus, dom;

	memset(&g, 0, sizeof(g));
	g.rng = 0x9e3779b97f4a7c15ULL;
	g.nvfs = nvfs;
	g.npfs = nvfs / VFS_PER_PF;
	g.vfs = calloc(g.nvfs, sizeof(*g.vfs));
	g.pfs = calloc(g.npfs, sizeof(*g.pfs));
	g.heap = calloc(g.nvfs + g.npfs, sizeof(*g.heap));
	if (!g.vfs || !g.pfs || !g.heap) {
		fprintf(stderr, "replay_bench: out of memory\n");
		exit(1);
	}
	g.t_start = 1764355200ULL * NS;
	g.pids = 30000;
	uuid(g.op_uid);
	hex(g.op_container, 64);
	pod_cgroup(g.op_cgroup, sizeof(g.op_cgroup), g.op_uid, g.op_container);
	for (i = 0; i < g.npfs; i++) {
		struct pf *p = &g.pfs[i];

		/* a PF a bus, its VFs on the next one; 64 PFs a PCI domain; udev's names */
		bus = (uint8_t)(0x10 + (i % 64) * 2);
		dom = (uint8_t)(i / 64);
		snprintf(p->bdf, sizeof(p->bdf), "%04x:%02x:00.0", dom, bus);
		if (dom)
			snprintf(p->base, sizeof(p->base), "enP%up%us0f0", dom, bus);
		else
			snprintf(p->base, sizeof(p->base), "enp%us0f0", bus);
		snprintf(p->name, sizeof(p->name), "%.12snp0", p->base);
		snprintf(p->ibdev, sizeof(p->ibdev), "mlx5_%u", i);
		push(g.t_start + 20 * MS + i * 40 * MS, g.nvfs + i);
	}
	for (i = 0; i < g.nvfs; i++) {
		struct vf *v = &g.vfs[i];
		const struct pf *p = &g.pfs[i / VFS_PER_PF];

		v->pf = i / VFS_PER_PF;
		v->index = i % VFS_PER_PF;
		v->ifindex = 1000 + (int32_t)i;
		/* on the bus after its PF's: device index / 8, function index % 8 */
		snprintf(v->bdf, sizeof(v->bdf), "%.5s%02x:%02x.%u", p->bdf,
			 0x11 + (v->pf % 64) * 2, v->index / 8, v->index % 8);
		snprintf(v->name, sizeof(v->name), "%.12sv%u", p->base, v->index % VFS_PER_PF);
		snprintf(v->ibdev, sizeof(v->ibdev), "mlx5_%u", g.npfs + i);
	}
}

/* ---- events ---- */

enum who { W_KWORKER, W_UDEV, W_CNI, W_OPERATOR, W_NM, W_POD };

static void actor(struct vft_event *ev, enum who who, const struct vf *v)
{
	struct vft_actor *a = &ev->actor;

	ev->has_actor = true;
	a->netns = HOST_NS;
	switch (who) {
	case W_KWORKER:
		a->pid = 200 + (uint32_t)(rnd() % 64);
		snprintf(a->comm, sizeof(a->comm), "kworker/u512:%u", a->pid % 8);
		strcpy(a->cgroup, "/");
		a->cgroup_id = 1;
		break;
	case W_UDEV:
		a->pid = 5000 + (uint32_t)(rnd() % 400);
		strcpy(a->comm, "systemd-udevd");
		strcpy(a->cgroup, "/system.slice/systemd-udevd.service");
		a->cgroup_id = 41;
		break;
	case W_CNI: /* a CNI invocation: a process of its own, in containerd's cgroup */
		a->pid = v->cni_pid;
		strcpy(a->comm, "sriov");
		strcpy(a->cgroup, "/system.slice/containerd.service");
		a->cgroup_id = 57;
		break;
	case W_OPERATOR:
		a->pid = 4411;
		strcpy(a->comm, "sriov-network-c");
		strcpy(a->cgroup, g.op_cgroup);
		a->cgroup_id = 9001;
		break;
	case W_NM:
		a->pid = 1021;
		strcpy(a->comm, "NetworkManager");
		strcpy(a->cgroup, "/system.slice/NetworkManager.service");
		a->cgroup_id = 63;
		break;
	case W_POD:
		a->pid = 100000 + (uint32_t)(rnd() % 50000);
		strcpy(a->comm, "python3");
		pod_cgroup(a->cgroup, sizeof(a->cgroup), v->uid, v->container);
		a->netns = v->netns;
		a->cgroup_id = 20000 + v->netns % 100000;
		break;
	}
	a->tid = a->pid;
}

static void netdev(struct vft_event *ev, uint32_t kind, const struct vf *v, const char *ifname,
		   uint32_t netns)
{
	ev->kind = kind;
	ev->source = VFT_SRC_FENTRY;
	vft_copy_name(ev->ifname, ifname, sizeof(ev->ifname));
	ev->ifindex = v->ifindex;
	ev->netns = netns;
	vft_copy_name(ev->parent, v->bdf, sizeof(ev->parent));
}

static void port(struct vft_event *ev, const struct vf *v, bool lid)
{
	uint32_t i = (uint32_t)(v - g.vfs);

	vft_copy_name(ev->ibdev, v->ibdev, sizeof(ev->ibdev));
	vft_copy_name(ev->parent, v->bdf, sizeof(ev->parent));
	ev->port = 1;
	ev->has_port_attrs = true;
	ev->port_state = lid ? 4 : 2;
	ev->phys_state = 5;
	ev->lid = lid ? 0x100 + i : 0;
	ev->sm_lid = 1;
	ev->node_guid = 0xb8cef60300a00000ULL + i;
	ev->port_guid = 0xb8cef60300b00000ULL + i;
	strcpy(ev->link_layer, "InfiniBand");
	ev->n_gids = 1;
}

/* The port re-read and the vf_check that end a grace period, as the live run writes them. */
static void check(struct vft_event *ev, const struct vf *v, const char *ifname, uint32_t netns,
		  bool port_state)
{
	netdev(ev, port_state ? VFT_EV_RDMA_PORT_STATE : VFT_EV_VF_CHECK, v, ifname, netns);
	ev->source = port_state ? VFT_SRC_ENRICH : VFT_SRC_TIMER;
	vft_copy_name(ev->vf_key, v->bdf, sizeof(ev->vf_key));
	if (port_state)
		port(ev, v, !(v->fate & F_NO_LID));
}

static void netns_info(struct vft_event *ev, uint32_t netns, const struct vf *v)
{
	ev->kind = VFT_EV_NETNS_INFO;
	ev->source = VFT_SRC_ENRICH;
	ev->netns = netns;
	ev->netns_host = !v;
	if (v) {
		strcpy(ev->netns_name, v->netns_name);
		strcpy(ev->pod_uid, v->uid);
		strcpy(ev->container, v->container);
	}
}

/* A PF's event; schedules its next one, or its VFs after the last. */
static void pf_event(struct vft_event *ev, uint32_t i, uint64_t t)
{
	struct pf *p = &g.pfs[i];
	unsigned int k;

	ev->source = VFT_SRC_FENTRY;
	strcpy(ev->parent, p->bdf);
	switch (p->step++) {
	case 0:
		ev->kind = VFT_EV_DRIVER_BIND;
		strcpy(ev->device, p->bdf);
		strcpy(ev->driver, "mlx5_core");
		ev->has_ret = true;
		ev->has_numa = true;
		ev->numa_node = i % 2;
		actor(ev, W_KWORKER, NULL);
		break;
	case 1:
		ev->kind = VFT_EV_NETDEV_REGISTER;
		strcpy(ev->ifname, p->name);
		ev->ifindex = 2 + (int32_t)i;
		ev->netns = HOST_NS;
		ev->flags = 0x1003;
		ev->has_ret = true;
		actor(ev, W_KWORKER, NULL);
		g.records++;
		break;
	case 2:
		ev->kind = VFT_EV_RDMA_REGISTER;
		strcpy(ev->ibdev, p->ibdev);
		ev->node_guid = 0xb8cef60300c00000ULL + i;
		ev->has_ret = true;
		actor(ev, W_KWORKER, NULL);
		break;
	default:
		ev->kind = VFT_EV_SRIOV_NUMVFS;
		strcpy(ev->pf, p->bdf);
		strcpy(ev->device, p->bdf);
		ev->num_vfs = VFS_PER_PF;
		actor(ev, W_OPERATOR, NULL);
		for (k = 0; k < VFS_PER_PF; k++)
			push(t + 2 * MS + k * 5 * MS, i * VFS_PER_PF + k);
		return;
	}
	push(t + between(1 * MS, 10 * MS), g.nvfs + i);
}

static void new_pod(struct vf *v)
{
	char nsid[40];

	v->netns = POD_NS0 + g.pods++;
	uuid(v->uid);
	hex(v->container, 64);
	uuid(nsid);
	snprintf(v->netns_name, sizeof(v->netns_name), "cni-%s", nsid);
	v->fate = 0;
	if (chance(20))
		v->fate |= F_MOVE_EEXIST;
	if (chance(30))
		v->fate |= F_NO_IP;
	if (chance(10))
		v->fate |= F_NO_LID;
	if (chance(200))
		v->fate |= F_POD_ERROR;
	if (chance(10))
		v->fate |= F_KERNEL_NAME;
	else if (chance(5))
		v->fate |= F_CLAIM;
	v->cni_pid = g.pids++;
	v->life = between(GRACE + 300 * MS, GRACE + 1500 * MS);
}

/*
 * VF @i's next event at @t into @ev: 1, or 0 when its step makes none (the
 * VF is scheduled again either way).
 */
static int vf_event(struct vft_event *ev, uint32_t i, uint64_t t)
{
	struct vf *v = &g.vfs[i];
	const struct pf *p = &g.pfs[v->pf];
	uint64_t next = t + between(1 * MS, 4 * MS);
	char tmp[16];
	int made = 1;

	switch (v->phase * 16 + v->step++) {
	/* created: echo 64 > sriov_numvfs by the operator, probed in its context */
	case PH_CREATE * 16 + 0:
		ev->kind = VFT_EV_VF_ADD;
		ev->source = VFT_SRC_FENTRY;
		strcpy(ev->device, v->bdf);
		strcpy(ev->pf, p->bdf);
		ev->vf_index = v->index;
		ev->has_numa = true;
		ev->numa_node = (int32_t)(v->pf % 2);
		actor(ev, W_OPERATOR, v);
		g.records++;
		break;
	case PH_CREATE * 16 + 1:
		ev->kind = VFT_EV_DRIVER_BIND;
		ev->source = VFT_SRC_FENTRY;
		strcpy(ev->device, v->bdf);
		strcpy(ev->driver, "mlx5_core");
		ev->has_ret = true;
		ev->has_numa = true;
		ev->numa_node = (int32_t)(v->pf % 2);
		actor(ev, W_OPERATOR, v);
		break;
	case PH_CREATE * 16 + 2:
		snprintf(tmp, sizeof(tmp), "eth%u", i % 4096);
		netdev(ev, VFT_EV_NETDEV_REGISTER, v, tmp, HOST_NS);
		ev->flags = 0x1002;
		ev->has_ret = true;
		actor(ev, W_OPERATOR, v);
		break;
	case PH_CREATE * 16 + 3:
		ev->kind = VFT_EV_RDMA_REGISTER;
		ev->source = VFT_SRC_FENTRY;
		strcpy(ev->ibdev, v->ibdev);
		strcpy(ev->parent, v->bdf);
		ev->node_guid = 0xb8cef60300a00000ULL + i;
		ev->has_ret = true;
		actor(ev, W_OPERATOR, v);
		next = t + between(20 * MS, 80 * MS);
		break;
	case PH_CREATE * 16 + 4:
		snprintf(tmp, sizeof(tmp), "eth%u", i % 4096);
		netdev(ev, VFT_EV_NETDEV_RENAME, v, tmp, HOST_NS);
		strcpy(ev->new_ifname, v->name);
		ev->has_ret = true;
		actor(ev, W_UDEV, v);
		next = t + between(100 * MS, 900 * MS);
		break;
	case PH_CREATE * 16 + 5:
		ev->kind = VFT_EV_RDMA_PORT_EVENT;
		ev->source = VFT_SRC_FENTRY;
		port(ev, v, true);
		ev->port_event = 9; /* IB_EVENT_PORT_ACTIVE */
		actor(ev, W_KWORKER, v);
		v->phase = PH_IDLE;
		v->step = 0;
		next = t + between(500 * MS, 10 * NS);
		break;

	/* a pod's CNI ADD */
	case PH_IDLE * 16 + 0:
		new_pod(v);
		v->phase = PH_ATTACH;
		v->step = 0;
		v->t0 = t;
		netns_info(ev, v->netns, v);
		break;
	case PH_ATTACH * 16 + 0:
		netdev(ev, VFT_EV_NETNS_MOVE, v, v->name, v->netns);
		ev->from_netns = HOST_NS;
		ev->to_netns = v->netns;
		strcpy(ev->new_ifname, "net1");
		ev->new_ifindex = v->ifindex;
		ev->has_ret = true;
		actor(ev, W_CNI, v);
		if (v->fate & F_MOVE_EEXIST) {
			ev->netns = HOST_NS;
			ev->ret = -EEXIST;
			ev->new_ifindex = 0;
			strcpy(ev->message, "A network device with that name already exists");
			g.expect[VFT_F_CNI_MOVE_FAILED]++;
			v->fate &= ~F_MOVE_EEXIST;
			v->step = 0; /* the kubelet retries the pod's sandbox */
			v->cni_pid = g.pids++;
			next = t + between(800 * MS, 2 * NS);
		}
		break;
	case PH_ATTACH * 16 + 1:
		netdev(ev, VFT_EV_LINK_CHANGE, v, "net1", v->netns);
		ev->flags = 0x11043;
		ev->old_flags = 0x1002;
		actor(ev, W_CNI, v);
		break;
	case PH_ATTACH * 16 + 2:
		netdev(ev, VFT_EV_ADDR_ADD, v, "net1", v->netns);
		ev->family = 10;
		ev->prefixlen = 64;
		ev->addr[0] = 0xfe;
		ev->addr[1] = 0x80;
		ev->addr[8] = 0xba;
		ev->addr[9] = 0xce;
		ev->addr[10] = 0xf6;
		ev->addr[11] = 0xff;
		ev->addr[12] = 0xfe;
		ev->addr[13] = (uint8_t)(i >> 16);
		ev->addr[14] = (uint8_t)(i >> 8);
		ev->addr[15] = (uint8_t)i;
		actor(ev, W_CNI, v);
		next = t + between(20 * MS, 300 * MS);
		break;
	case PH_ATTACH * 16 + 3:
		v->phase = PH_POD;
		v->step = 0;
		next = v->t0 + GRACE;
		if (v->fate & F_NO_IP) {
			made = 0;
			break;
		}
		netdev(ev, VFT_EV_ADDR_ADD, v, "net1", v->netns);
		ev->family = 2;
		ev->prefixlen = 16;
		ev->addr[0] = 10;
		ev->addr[1] = (uint8_t)(64 + v->pf % 64);
		ev->addr[2] = (uint8_t)(rnd() % 256);
		ev->addr[3] = (uint8_t)(1 + rnd() % 254);
		actor(ev, W_CNI, v);
		break;

	/* in the pod: the grace period ends, the pod runs */
	case PH_POD * 16 + 0:
		check(ev, v, "net1", v->netns, true);
		next = t;
		break;
	case PH_POD * 16 + 1:
		check(ev, v, "net1", v->netns, false);
		if (v->fate & F_NO_IP)
			g.expect[VFT_F_NET1_NO_IP]++;
		if (v->fate & F_NO_LID)
			g.expect[VFT_F_LID_MISSING]++;
		next = t + between(100 * MS, 500 * MS);
		break;
	case PH_POD * 16 + 2:
		next = v->t0 + v->life;
		if (!(v->fate & F_NO_LID)) {
			made = 0;
			break;
		}
		ev->kind = VFT_EV_RDMA_PORT_EVENT; /* the SM admits it late */
		ev->source = VFT_SRC_FENTRY;
		port(ev, v, true);
		ev->port_event = 9;
		actor(ev, W_KWORKER, v);
		break;
	case PH_POD * 16 + 3:
		v->phase = PH_DETACH;
		v->step = 0;
		v->cni_pid = g.pids++;
		if (!(v->fate & F_POD_ERROR)) {
			made = 0;
			next = t;
			break;
		}
		ev->kind = VFT_EV_NETLINK_ERROR;
		ev->source = VFT_SRC_TRACEPOINT;
		ev->has_ret = true;
		ev->ret = -EOPNOTSUPP;
		strcpy(ev->message, "Operation not supported on this link type");
		actor(ev, W_POD, v);
		break;

	/* the pod goes: CNI DEL, or the netns goes first and the kernel brings it back */
	case PH_DETACH * 16 + 0:
		if (v->fate & F_KERNEL_NAME) {
			made = 0;
			v->step = 3;
			next = t;
			break;
		}
		netdev(ev, VFT_EV_LINK_CHANGE, v, "net1", v->netns);
		ev->flags = 0x1002;
		ev->old_flags = 0x11043;
		actor(ev, W_CNI, v);
		break;
	case PH_DETACH * 16 + 1:
		netdev(ev, VFT_EV_NETDEV_RENAME, v, "net1", v->netns);
		strcpy(ev->new_ifname, v->name);
		ev->has_ret = true;
		actor(ev, W_CNI, v);
		break;
	case PH_DETACH * 16 + 2:
	case PH_DETACH * 16 + 3:
		if (v->fate & F_KERNEL_NAME) {
			netdev(ev, VFT_EV_NETNS_MOVE, v, "net1", HOST_NS);
			snprintf(ev->new_ifname, sizeof(ev->new_ifname), "dev%d", v->ifindex);
			actor(ev, W_KWORKER, v);
		} else {
			netdev(ev, VFT_EV_NETNS_MOVE, v, v->name, HOST_NS);
			actor(ev, W_CNI, v);
		}
		ev->from_netns = v->netns;
		ev->to_netns = HOST_NS;
		ev->new_ifindex = v->ifindex;
		ev->has_ret = true;
		g.expect[VFT_F_VF_RETURNED_TO_HOST]++;
		v->phase = PH_HOST;
		v->step = 0;
		v->t0 = t;
		break;

	/* back in the host */
	case PH_HOST * 16 + 0:
		next = v->t0 + GRACE;
		if (!(v->fate & F_CLAIM)) {
			made = 0;
			break;
		}
		netdev(ev, VFT_EV_LINK_CHANGE, v, v->name, HOST_NS);
		ev->flags = 0x11043;
		ev->old_flags = 0x1002;
		actor(ev, W_NM, v);
		g.expect[VFT_F_HOST_MANAGER_CLAIM]++;
		break;
	case PH_HOST * 16 + 1:
		snprintf(tmp, sizeof(tmp), "dev%d", v->ifindex);
		check(ev, v, v->fate & F_KERNEL_NAME ? tmp : v->name, HOST_NS, false);
		if (v->fate & (F_KERNEL_NAME | F_CLAIM))
			g.expect[VFT_F_VF_STRANDED]++;
		next = t + between(100 * MS, 1 * NS);
		break;
	default:
		v->phase = PH_IDLE;
		v->step = 0;
		next = t + between(10 * MS, 800 * MS);
		if (!(v->fate & F_KERNEL_NAME)) {
			made = 0;
			break;
		}
		snprintf(tmp, sizeof(tmp), "dev%d", v->ifindex);
		netdev(ev, VFT_EV_NETDEV_RENAME, v, tmp, HOST_NS);
		strcpy(ev->new_ifname, v->name);
		ev->has_ret = true;
		actor(ev, W_CNI, v);
		break;
	}
	push(next > t ? next : t, i);
	return made;
}

/* The next event in time order. */
static void next_event(struct vft_event *ev)
{
	struct slot s;

	memset(ev, 0, sizeof(*ev));
	if (!g.ts) { /* the host netns, announced first */
		g.ts = g.t_start;
		ev->ts_ns = g.ts;
		netns_info(ev, HOST_NS, NULL);
		return;
	}
	do {
		s = pop();
		g.ts = s.t > g.ts ? s.t : g.ts + 1;
		ev->ts_ns = g.ts;
		if (s.id >= g.nvfs) {
			pf_event(ev, s.id - g.nvfs, g.ts);
			return;
		}
	} while (!vf_event(ev, s.id, g.ts));
}

/* ---- the sink that counts ---- */

struct count_sink {
	struct vft_sink s;
	uint64_t events, vf_events, findings, resolved, timelines, steps, captures, lost;
	uint64_t raised[VFT_F_MAX];
	struct vft_summary sum;
};

static int c_ready(struct vft_sink *s, const struct vft_ready *r)
{
	return 0;
}

static int c_event(struct vft_sink *s, const struct vft_event *ev, const struct vft_vf *vf)
{
	struct count_sink *c = (struct count_sink *)s;

	c->events++;
	c->vf_events += vf != NULL;
	return 0;
}

static int c_finding(struct vft_sink *s, const struct vft_finding *f)
{
	struct count_sink *c = (struct count_sink *)s;

	c->findings++;
	if (f->code < VFT_F_MAX)
		c->raised[f->code]++;
	return 0;
}

static int c_resolved(struct vft_sink *s, const struct vft_finding *f)
{
	((struct count_sink *)s)->resolved++;
	return 0;
}

static int c_timeline(struct vft_sink *s, const struct vft_vf *vf)
{
	struct count_sink *c = (struct count_sink *)s;

	c->timelines++;
	c->steps += vf->n_steps;
	return 0;
}

static int c_capture(struct vft_sink *s, const char *path, const struct vft_capture_header *h)
{
	((struct count_sink *)s)->captures++;
	return 0;
}

static int c_lost(struct vft_sink *s, uint64_t delta, uint64_t total, uint64_t wall_ns)
{
	((struct count_sink *)s)->lost += delta;
	return 0;
}

static int c_summary(struct vft_sink *s, const struct vft_summary *sum)
{
	((struct count_sink *)s)->sum = *sum;
	return 0;
}

static const struct vft_sink_ops count_ops = {
	.ready = c_ready,
	.coverage = c_ready,
	.event = c_event,
	.finding = c_finding,
	.resolved = c_resolved,
	.timeline = c_timeline,
	.capture = c_capture,
	.lost = c_lost,
	.summary = c_summary,
};

/* ---- measuring ---- */

static double cpu_s(const struct rusage *ru)
{
	return ru->ru_utime.tv_sec + ru->ru_stime.tv_sec +
	       (ru->ru_utime.tv_usec + ru->ru_stime.tv_usec) / 1e6;
}

/* What a replay child reports. */
struct replay_run {
	int err;
	double wall_s, cpu_s;
	long rss_before_kb;
	struct vft_replay_result res;
	struct count_sink sink;
	long peak_rss_kb; /* from wait4(), filled in by the parent */
};

struct child {
	pid_t pid;
	int go, result; /* pipes: the parent writes go, reads result */
};

static void __attribute__((noreturn)) replayer(const char *path, int go, int result)
{
	const char *paths[] = { path };
	struct vft_replay_opts o = { .paths = paths, .n_paths = 1 };
	struct replay_run run;
	struct rusage ru0, ru1;
	double t0;
	char c;

	if (vft_read_all(go, &c, 1) != 1)
		_exit(0); /* not needed */
	memset(&run, 0, sizeof(run));
	run.sink.s.ops = &count_ops;
	getrusage(RUSAGE_SELF, &ru0);
	run.rss_before_kb = ru0.ru_maxrss;
	t0 = bench_now_s();
	run.err = vft_replay__run(&o, &run.sink.s, &run.res);
	run.wall_s = bench_now_s() - t0;
	getrusage(RUSAGE_SELF, &ru1);
	run.cpu_s = cpu_s(&ru1) - cpu_s(&ru0);
	_exit(vft_write_all(result, &run, sizeof(run)) ? 1 : 0);
}

/*
 * Forks @n replay children now, while this process is small: each one's
 * peak RSS is then its replay's, not what the generator had touched.
 */
static int fork_replayers(struct child *ch, unsigned int n, const char *path)
{
	unsigned int i, j;
	int go[2], res[2];

	fflush(NULL);
	for (i = 0; i < n; i++) {
		if (pipe(go) || pipe(res))
			return -errno;
		ch[i].pid = fork();
		if (ch[i].pid < 0)
			return -errno;
		if (!ch[i].pid) {
			for (j = 0; j < i; j++) {
				close(ch[j].go);
				close(ch[j].result);
			}
			close(go[1]);
			close(res[0]);
			replayer(path, go[0], res[1]);
		}
		close(go[0]);
		close(res[1]);
		ch[i].go = go[1];
		ch[i].result = res[0];
	}
	return 0;
}

static int run_replayer(struct child *ch, struct replay_run *run)
{
	struct rusage ru;
	int status;
	bool ok;

	ok = !vft_write_all(ch->go, "g", 1) &&
	     vft_read_all(ch->result, run, sizeof(*run)) == (long)sizeof(*run);
	close(ch->go);
	close(ch->result);
	ch->go = ch->result = -1;
	if (wait4(ch->pid, &status, 0, &ru) < 0 || !ok || !WIFEXITED(status) || WEXITSTATUS(status))
		return -EIO;
	run->peak_rss_kb = ru.ru_maxrss;
	return 0;
}

/* The floor: the file read and every block inflated, nothing decoded. Seconds, or < 0. */
static double floor_once(const char *path, size_t size, struct bench_floor *f)
{
	uint8_t *buf = malloc(size ? size : 1);
	double t0 = bench_now_s(), t;
	size_t got = 0;
	ssize_t n;
	int fd;

	f->events = f->bytes = 0;
	fd = open(path, O_RDONLY);
	if (!buf || fd < 0) {
		free(buf);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	while (got < size && (n = read(fd, buf + got, size - got)) > 0)
		got += (size_t)n;
	close(fd);
	if (got != size || capfmt_walk(buf, size, bench_inflate_one, f) < 0) {
		free(buf);
		return -1;
	}
	t = bench_now_s() - t0;
	free(buf);
	return t;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(const double *v, unsigned int n)
{
	double s[MAX_RUNS];

	memcpy(s, v, n * sizeof(*v));
	qsort(s, n, sizeof(*s), cmp_double);
	return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

static const char *verdict(bool ok)
{
	return ok ? "PASS" : "MISS";
}

static FILE *results;

__attribute__((format(printf, 2, 3))) static void result(const char *key, const char *fmt, ...)
{
	va_list ap;

	if (!results)
		return;
	fprintf(results, "replay_%s=", key);
	va_start(ap, fmt);
	vfprintf(results, fmt, ap);
	va_end(ap);
	fputc('\n', results);
}

/* ---- the benchmark ---- */

struct gen_stats {
	uint64_t bytes, blocks;
	double seconds; /* of event time */
	double write_s;
};

static int generate(const char *path, unsigned long long nev, struct gen_stats *gs)
{
	struct vft_capture_stats st;
	double t0 = bench_now_s();
	int err;

	err = bench_write_capture(path, nev, g.t_start, next_event, &st);
	if (err) {
		fprintf(stderr, "replay_bench: writing %s failed: %s\n", path, strerror(-err));
		return err;
	}
	gs->bytes = st.bytes;
	gs->blocks = st.blocks;
	gs->seconds = (double)(g.ts - g.t_start) / NS;
	gs->write_s = bench_now_s() - t0;
	return 0;
}

/* Whether the replay saw what the generator made; says what differs. */
static bool check_counts(const struct replay_run *r, unsigned long long nev)
{
	bool ok = r->res.events == nev && r->sink.events == nev && r->sink.sum.events == nev &&
		  r->sink.sum.vfs == g.records && !r->res.corrupt && !r->res.truncated;
	unsigned int k;

	if (!ok)
		fprintf(stderr,
			"replay_bench: the replay read %llu events, its sink got %llu and %llu "
			"records (generated: %llu events, %u records)\n",
			(unsigned long long)r->res.events, (unsigned long long)r->sink.events,
			(unsigned long long)r->sink.sum.vfs, nev, g.records);
	for (k = 1; k < VFT_F_MAX; k++) {
		if (r->sink.raised[k] == g.expect[k])
			continue;
		fprintf(stderr, "replay_bench: %s raised %llu times, generated %llu\n",
			vft_finding__name(k), (unsigned long long)r->sink.raised[k],
			(unsigned long long)g.expect[k]);
		ok = false;
	}
	return ok;
}

static int bench(const char *path, unsigned long long nev, unsigned int nvfs, unsigned int runs,
		 struct child *ch)
{
	struct replay_run run[MAX_RUNS];
	double t_replay[MAX_RUNS], t_cpu[MAX_RUNS], t_floor[MAX_RUNS], tr, tc, tf, mev, ratio,
		rss_mb, bpe;
	struct bench_floor fl = { 0 };
	struct gen_stats gs;
	long rss_kb = 0, rss0_kb = 0;
	unsigned int i, k;
	char list[256];
	size_t off = 0;
	bool ok = true;

	setup(nvfs);
	if (generate(path, nev, &gs))
		return 1;
	bpe = (double)gs.bytes / nev;
	printf("replay benchmark: %llu events over %u VFs (%u PFs, %u pod stays), %.1f s of event "
	       "time (%.0f events/s)\n",
	       nev, g.nvfs, g.npfs, g.pods, gs.seconds, nev / gs.seconds);
	printf("  capture    %llu bytes in %llu blocks, written in %.2f s\n",
	       (unsigned long long)gs.bytes, (unsigned long long)gs.blocks, gs.write_s);

	fl.out = malloc(VFT_CAPTURE_MAX_BLOCK);
	if (!fl.out)
		return 1;
	for (i = 0; i < runs; i++) {
		t_floor[i] = floor_once(path, gs.bytes, &fl);
		if (t_floor[i] < 0 || fl.bad || fl.events != nev) {
			fprintf(stderr, "replay_bench: cannot inflate %s back\n", path);
			free(fl.out);
			return 1;
		}
		if (run_replayer(&ch[i], &run[i]) || run[i].err) {
			fprintf(stderr, "replay_bench: replay %u failed: %s\n", i + 1,
				run[i].err ? strerror(-run[i].err) : "the child died");
			free(fl.out);
			return 1;
		}
		t_replay[i] = run[i].wall_s;
		t_cpu[i] = run[i].cpu_s;
		if (run[i].peak_rss_kb > rss_kb)
			rss_kb = run[i].peak_rss_kb;
		rss0_kb = run[i].rss_before_kb;
		ok = check_counts(&run[i], nev) && ok;
	}
	free(fl.out);
	tr = median(t_replay, runs);
	tc = median(t_cpu, runs);
	tf = median(t_floor, runs);
	mev = nev / tr / 1e6;
	ratio = tr / tf;
	rss_mb = rss_kb * 1024.0 / 1e6;
	for (i = 0; i < runs; i++)
		off += (size_t)snprintf(list + off, sizeof(list) - off, "%s%.2f", i ? " " : "",
					nev / t_replay[i] / 1e6);

	printf("  replay     %.3f s (median of %u; CPU %.3f s): %.2f M events/s (runs: %s)   "
	       "target >= %.0f M/s  %s\n",
	       tr, runs, tc, mev, list, TARGET_MEVENTS, verdict(mev >= TARGET_MEVENTS));
	printf("  floor      %.3f s (median): %.2f M events/s, %.0f MB/s: the file read and "
	       "inflated, nothing decoded\n",
	       tf, nev / tf / 1e6, fl.bytes / tf / 1e6);
	printf("  ratio      replay / floor %.2fx   target <= %.0fx  %s\n", ratio, TARGET_RATIO,
	       verdict(ratio <= TARGET_RATIO));
	printf("  peak RSS   %.1f MB (%ld KiB) of the replay process (%.1f MB before the "
	       "replay)   target <= %.0f MB  %s\n",
	       rss_mb, rss_kb, rss0_kb * 1024.0 / 1e6, TARGET_RSS_MB,
	       verdict(rss_mb <= TARGET_RSS_MB));
	printf("  on disk    %.2f bytes/event (%.1f raw bytes/event inflated)   target <= %.0f  "
	       "%s\n",
	       bpe, (double)fl.bytes / nev, TARGET_BYTES, verdict(bpe <= TARGET_BYTES));
	printf("  the sink   %llu events (%llu of a VF), %llu findings, %llu resolved, %llu "
	       "timelines of %llu steps\n",
	       (unsigned long long)run[0].sink.events, (unsigned long long)run[0].sink.vf_events,
	       (unsigned long long)run[0].sink.findings, (unsigned long long)run[0].sink.resolved,
	       (unsigned long long)run[0].sink.timelines, (unsigned long long)run[0].sink.steps);
	off = 0;
	for (k = 1; k < VFT_F_MAX; k++)
		if (run[0].sink.raised[k])
			off += (size_t)snprintf(list + off, sizeof(list) - off, "%s%s %llu",
						off ? ", " : "", vft_finding__name(k),
						(unsigned long long)run[0].sink.raised[k]);
	printf("  findings   %s: %s\n", list, ok ? "as generated" : "NOT as generated");
	fflush(stdout);

	result("events", "%llu", nev);
	result("vfs", "%u", g.nvfs);
	result("pods", "%u", g.pods);
	result("event_rate", "%.0f", nev / gs.seconds);
	result("runs", "%u", runs);
	result("s", "%.3f", tr);
	result("cpu_s", "%.3f", tc);
	result("mevents", "%.2f", mev);
	result("floor_s", "%.3f", tf);
	result("floor_mevents", "%.2f", nev / tf / 1e6);
	result("ratio", "%.2f", ratio);
	result("rss_mb", "%.1f", rss_mb);
	result("rss_before_mb", "%.1f", rss0_kb * 1024.0 / 1e6);
	result("bytes_per_event", "%.2f", bpe);
	result("findings", "%llu", (unsigned long long)run[0].sink.findings);
	result("ok", "%d", ok);
	return ok ? 0 : 1;
}

int main(int argc, char **argv)
{
	unsigned long long nev = 1000000, nvfs = 10240, runs = 5;
	struct child ch[MAX_RUNS];
	const char *rpath = NULL;
	char path[4096] = "";
	bool keep = false, gen_only = false;
	struct gen_stats gs;
	int opt, ret;

	while ((opt = getopt(argc, argv, "n:v:R:o:kf:g")) != -1) {
		switch (opt) {
		case 'n':
			nev = strtoull(optarg, NULL, 10);
			break;
		case 'v':
			nvfs = strtoull(optarg, NULL, 10);
			break;
		case 'R':
			runs = strtoull(optarg, NULL, 10);
			break;
		case 'o':
			snprintf(path, sizeof(path), "%s", optarg);
			break;
		case 'k':
			keep = true;
			break;
		case 'f':
			rpath = optarg;
			break;
		case 'g':
			gen_only = true;
			break;
		default:
			fprintf(stderr,
				"usage: replay_bench [-n EVENTS] [-v VFS] [-R RUNS] [-o FILE] "
				"[-k] [-f RESULTS]\n"
				"       replay_bench -g -o FILE [-n EVENTS] [-v VFS]\n");
			return 2;
		}
	}
	if (!nev || !nvfs || nvfs % VFS_PER_PF || nvfs > 64 * VFS_PER_PF * 64 || !runs ||
	    runs > MAX_RUNS) {
		fprintf(stderr,
			"replay_bench: -n must be positive, -v a multiple of %u up to %u, "
			"-R 1 to %u\n",
			VFS_PER_PF, 64 * VFS_PER_PF * 64, MAX_RUNS);
		return 2;
	}
	if (gen_only) {
		if (!path[0]) {
			fprintf(stderr, "replay_bench: -g needs -o FILE\n");
			return 2;
		}
		setup((unsigned int)nvfs);
		if (generate(path, nev, &gs))
			return 1;
		printf("%s: %llu events over %u VFs (%u pod stays), %.1f s of event time, %llu "
		       "bytes\n",
		       path, nev, g.nvfs, g.pods, gs.seconds, (unsigned long long)gs.bytes);
		return 0;
	}
	if (rpath && !(results = fopen(rpath, "a"))) {
		fprintf(stderr, "replay_bench: cannot open %s: %s\n", rpath, strerror(errno));
		return 1;
	}
	if (!path[0])
		snprintf(path, sizeof(path), "%s/replay-bench-%d.vftcap",
			 access("/dev/shm", W_OK) ? (getenv("TMPDIR") ?: "/tmp") : "/dev/shm",
			 (int)getpid());
	if (fork_replayers(ch, (unsigned int)runs, path)) {
		fprintf(stderr, "replay_bench: cannot fork: %s\n", strerror(errno));
		return 1;
	}
	ret = bench(path, nev, (unsigned int)nvfs, (unsigned int)runs, ch);
	for (opt = 0; opt < (int)runs; opt++) { /* those not run end at the closed pipe */
		if (ch[opt].go < 0)
			continue;
		close(ch[opt].go);
		close(ch[opt].result);
		waitpid(ch[opt].pid, NULL, 0);
	}
	if (keep)
		printf("  kept %s\n", path);
	else
		unlink(path);
	if (results) {
		if (ret)
			fprintf(results, "replay_ok=0\n");
		fclose(results);
	}
	return ret;
}
