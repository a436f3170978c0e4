// SPDX-License-Identifier: GPL-2.0-only
/*
 * capture_bench.c - figures of the capture format (`make capture-bench`):
 * writes a synthetic capture (1,000,000 events over 10,000 VFs by default:
 * VF lifecycles with registers, driver binds, RDMA devices and port states,
 * renames, netns moves into pods, link changes, addresses, pod attribution
 * and grace checks, with actors and cgroup paths), flushing once per second
 * of event time as the recorder does, then times reading every event back
 * and, as the floor, plain zlib inflation of the same blocks. Prints bytes
 * per event on disk, events per second and peak RSS; checks every event
 * read back against the stream. Not a test: it prints figures.
 *
 * Usage: capture_bench [-n EVENTS] [-v VFS] [-r EVENTS_PER_S] [-u] [-o FILE] [-k]
 *   -r: the event rate the timestamps follow (default 10000): it sets how
 *       many events one second's block holds. -k keeps FILE.
 *   -u: each event from a VF drawn at random (the worst case for
 *       compression) instead of 16 VF operations in flight at a time, each
 *       a burst of events of one VF: created (register, driver bind, RDMA
 *       device and port), attached to a new pod (netns move, link up from
 *       inside the pod, addresses, pod attribution, port event, grace check)
 *       or detached (move back, rename, link down, grace check).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <zlib.h>
#include "sinks/capture.h"
#include "lib/util.h"
#include "capfmt.h"
#include "bench.h"

#define NS 1000000000ULL

struct vf {
	uint16_t pf;
	uint16_t index;
	uint32_t pod;
	uint32_t step;
	int32_t ifindex;
	bool created, attached;
};

struct pod {
	char uid[40];
	char container[72];
	char cgroup[256];
	char netns_name[64];
	uint32_t netns;
};

struct op {
	int vf; /* -1: none yet */
	unsigned int kind;
	unsigned int step;
};

#define NOPS 16

static struct {
	bool uniform;
	unsigned int nvfs, npods;
	struct vf *vfs;
	struct pod *pods;  /* uniform: a fixed set */
	struct pod *vpods; /* bursty: each VF's current pod */
	uint32_t npods_made;
	struct op ops[NOPS];
	uint64_t rng;
	uint64_t ts;
	uint64_t gap_ns;
} g;

static uint64_t rnd(void)
{
	return bench_rnd(&g.rng);
}

static void hex(char *out, unsigned int n)
{
	bench_hex(out, n, &g.rng);
}

static void setup(unsigned int nvfs)
{
	unsigned int i;

	free(g.vfs);
	free(g.pods);
	free(g.vpods);
	g.nvfs = nvfs;
	g.npods = nvfs / 4 ? nvfs / 4 : 1;
	g.npods_made = 0;
	for (i = 0; i < NOPS; i++)
		g.ops[i].vf = -1;
	g.vfs = calloc(nvfs, sizeof(*g.vfs));
	g.pods = calloc(g.npods, sizeof(*g.pods));
	g.vpods = calloc(nvfs, sizeof(*g.vpods));
	if (!g.vfs || !g.pods || !g.vpods) {
		fprintf(stderr, "capture_bench: out of memory\n");
		exit(1);
	}
	g.rng = 0x9e3779b97f4a7c15ULL;
	for (i = 0; i < g.npods; i++) {
		struct pod *p = &g.pods[i];
		char a[9], b[5], c[5], d[5], e[13], us[40];

		hex(a, 8), hex(b, 4), hex(c, 4), hex(d, 4), hex(e, 12);
		snprintf(p->uid, sizeof(p->uid), "%s-%s-%s-%s-%s", a, b, c, d, e);
		snprintf(us, sizeof(us), "%s_%s_%s_%s_%s", a, b, c, d, e);
		hex(p->container, 64);
		snprintf(p->cgroup, sizeof(p->cgroup),
			 "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod%s.slice/"
			 "cri-containerd-%s.scope",
			 us, p->container);
		p->netns = 4026532000u + i;
	}
	for (i = 0; i < nvfs; i++) {
		g.vfs[i].pf = i / 128;
		g.vfs[i].index = i % 128;
		g.vfs[i].pod = (uint32_t)(rnd() % g.npods);
		g.vfs[i].ifindex = 100 + (int32_t)i;
	}
}

/* Host actors: comm and cgroup, as they show up on a GPU node. */
static const struct {
	const char *comm, *cgroup;
} host_actors[] = {
	{ "kworker/u256:3", "/" },
	{ "sriov", "/system.slice/containerd.service" },
	{ "multus", "/system.slice/containerd.service" },
	{ "NetworkManager", "/system.slice/NetworkManager.service" },
	{ "systemd-udevd", "/system.slice/systemd-udevd.service" },
	{ "kubelet", "/system.slice/kubelet.service" },
};

static void actor(struct vft_event *ev, unsigned int which, const struct pod *pod)
{
	ev->has_actor = true;
	ev->actor.pid = 1000 + which * 37 + (uint32_t)(rnd() % 3);
	ev->actor.tid = ev->actor.pid;
	ev->actor.netns = 4026531840u;
	if (pod && which == ARRAY_SIZE(host_actors)) {
		strcpy(ev->actor.comm, "ip");
		strcpy(ev->actor.cgroup, pod->cgroup);
		ev->actor.netns = pod->netns;
		ev->actor.cgroup_id = 20000 + pod->netns % 100000;
		return;
	}
	strcpy(ev->actor.comm, host_actors[which].comm);
	strcpy(ev->actor.cgroup, host_actors[which].cgroup);
	ev->actor.cgroup_id = 10 + which;
}

/* Uniform: a random VF's next lifecycle step, no two events alike in a row. */
static void next_uniform(struct vft_event *ev)
{
	struct vf *vf = &g.vfs[rnd() % g.nvfs];
	const struct pod *pod = &g.pods[vf->pod];
	unsigned int step = vf->step++ % 10, pfbus = 0x18 + vf->pf / 2;
	bool in_pod = step >= 6 && step != 9;

	memset(ev, 0, sizeof(*ev));
	g.ts += rnd() % (2 * g.gap_ns + 1);
	ev->ts_ns = g.ts;
	ev->source = VFT_SRC_FENTRY;
	snprintf(ev->ifname, sizeof(ev->ifname), "ens%uf%uv%u", vf->pf / 2 % 100u, vf->pf % 2u,
		 vf->index % 1000u);
	ev->ifindex = vf->ifindex;
	ev->netns = in_pod ? pod->netns : 4026531840u;
	snprintf(ev->parent, sizeof(ev->parent), "0000:%02x:%02x.%u", pfbus, 1 + vf->index / 8,
		 vf->index % 8);
	if (rnd() % 10 == 0 && step > 3) /* a port event now and then */
		step = 10;
	switch (step) {
	case 0:
		ev->kind = VFT_EV_NETDEV_REGISTER;
		ev->has_ret = true;
		actor(ev, 0, NULL);
		break;
	case 1:
		ev->kind = VFT_EV_DRIVER_BIND;
		strcpy(ev->device, ev->parent);
		strcpy(ev->driver, "mlx5_core");
		ev->has_ret = true;
		actor(ev, 4, NULL);
		break;
	case 2:
		ev->kind = VFT_EV_RDMA_REGISTER;
		snprintf(ev->ibdev, sizeof(ev->ibdev), "mlx5_%u", 8 + (unsigned int)(vf - g.vfs));
		ev->node_guid = 0xb8cef60300000000ULL + (uint64_t)(vf - g.vfs);
		ev->has_ret = true;
		actor(ev, 0, NULL);
		break;
	case 3:
	case 10:
		ev->kind = step == 3 ? VFT_EV_RDMA_PORT_STATE : VFT_EV_RDMA_PORT_EVENT;
		ev->source = step == 3 ? VFT_SRC_INVENTORY : VFT_SRC_FENTRY;
		snprintf(ev->ibdev, sizeof(ev->ibdev), "mlx5_%u", 8 + (unsigned int)(vf - g.vfs));
		ev->port = 1;
		ev->port_event = step == 10 ? 9 : 0;
		ev->has_port_attrs = true;
		ev->port_state = 4;
		ev->phys_state = 5;
		ev->lid = 1 + (uint32_t)(vf - g.vfs);
		ev->sm_lid = 1;
		ev->port_guid = 0xb8cef60300800000ULL + (uint64_t)(vf - g.vfs);
		strcpy(ev->link_layer, "InfiniBand");
		ev->n_gids = 1;
		if (step == 10)
			actor(ev, 0, NULL);
		break;
	case 4:
		ev->kind = VFT_EV_LINK_CHANGE;
		ev->source = VFT_SRC_NETLINK;
		ev->flags = 0x11043;
		ev->old_flags = 0x1002;
		break;
	case 5:
		ev->kind = VFT_EV_NETDEV_RENAME;
		snprintf(ev->new_ifname, sizeof(ev->new_ifname), "temp_%u", vf->ifindex % 1000);
		ev->has_ret = true;
		actor(ev, 1, NULL);
		break;
	case 6:
		ev->kind = VFT_EV_NETNS_MOVE;
		ev->from_netns = 4026531840u;
		ev->to_netns = pod->netns;
		strcpy(ev->new_ifname, "net1");
		ev->new_ifindex = 3;
		ev->has_ret = true;
		if (rnd() % 50 == 0) {
			ev->ret = -17;
			ev->new_ifindex = 0;
			strcpy(ev->message, "A network device with that name already exists");
		}
		actor(ev, 1, NULL);
		break;
	case 7:
		ev->kind = VFT_EV_ADDR_ADD;
		memset(ev->ifname, 0, sizeof(ev->ifname));
		strcpy(ev->ifname, "net1");
		ev->ifindex = 3;
		ev->family = 2;
		ev->prefixlen = 16;
		ev->addr[0] = 10;
		ev->addr[1] = 200 + vf->pf % 50;
		ev->addr[2] = (uint8_t)(vf->index);
		ev->addr[3] = (uint8_t)(vf->pod);
		actor(ev, ARRAY_SIZE(host_actors), pod);
		break;
	case 8:
		ev->kind = VFT_EV_NETNS_INFO;
		ev->source = VFT_SRC_ENRICH;
		memset(ev->ifname, 0, sizeof(ev->ifname));
		memset(ev->parent, 0, sizeof(ev->parent));
		ev->ifindex = 0;
		snprintf(ev->netns_name, sizeof(ev->netns_name), "cni-%s", pod->uid);
		strcpy(ev->pod_uid, pod->uid);
		memcpy(ev->container, pod->container, 64);
		break;
	default:
		ev->kind = VFT_EV_VF_CHECK;
		ev->source = VFT_SRC_TIMER;
		strcpy(ev->vf_key, ev->parent);
		break;
	}
}

/* A new pod for @vf's next attachment: pods are ephemeral, each has new ids. */
static void new_pod(struct pod *p, uint32_t n)
{
	char a[9], b[5], c[5], d[5], e[13], us[40];

	hex(a, 8), hex(b, 4), hex(c, 4), hex(d, 4), hex(e, 12);
	snprintf(p->uid, sizeof(p->uid), "%s-%s-%s-%s-%s", a, b, c, d, e);
	snprintf(us, sizeof(us), "%s_%s_%s_%s_%s", a, b, c, d, e);
	hex(p->container, 64);
	snprintf(p->cgroup, sizeof(p->cgroup),
		 "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod%s.slice/"
		 "cri-containerd-%s.scope",
		 us, p->container);
	p->netns = 4026533000u + n;
	hex(a, 8), hex(b, 4), hex(c, 4), hex(d, 4), hex(e, 12);
	snprintf(p->netns_name, sizeof(p->netns_name), "cni-%s-%s-%s-%s-%s", a, b, c, d, e);
}

enum { OP_CREATE, OP_ATTACH, OP_DETACH };
static const unsigned int op_len[] = { 5, 8, 4 };

/*
 * Bursty: 16 operations in flight, each one VF's phase (created; attached
 * to a new pod by the CNI; detached when the pod goes), their events
 * interleaved as concurrent CNI calls interleave.
 */
static void next_bursty(struct vft_event *ev)
{
	struct op *o = &g.ops[rnd() % NOPS];
	struct vf *vf;
	struct pod *pod;
	unsigned int pfbus;

	if (o->vf < 0 || o->step >= op_len[o->kind]) {
		o->vf = (int)(rnd() % g.nvfs);
		vf = &g.vfs[o->vf];
		o->kind = !vf->created ? OP_CREATE : vf->attached ? OP_DETACH : OP_ATTACH;
		o->step = 0;
		if (o->kind == OP_ATTACH)
			new_pod(&g.vpods[o->vf], g.npods_made++);
	}
	vf = &g.vfs[o->vf];
	pod = &g.vpods[o->vf];
	pfbus = 0x18 + vf->pf / 2;
	memset(ev, 0, sizeof(*ev));
	g.ts += rnd() % (2 * g.gap_ns + 1);
	ev->ts_ns = g.ts;
	ev->source = VFT_SRC_FENTRY;
	snprintf(ev->ifname, sizeof(ev->ifname), "ens%uf%uv%u", vf->pf / 2 % 100u, vf->pf % 2u,
		 vf->index % 1000u);
	ev->ifindex = vf->ifindex;
	ev->netns = 4026531840u;
	snprintf(ev->parent, sizeof(ev->parent), "0000:%02x:%02x.%u", pfbus, 1 + vf->index / 8,
		 vf->index % 8);
	switch (o->kind * 16 + o->step++) {
	case OP_CREATE * 16 + 0:
		ev->kind = VFT_EV_NETDEV_REGISTER;
		ev->has_ret = true;
		actor(ev, 0, NULL);
		break;
	case OP_CREATE * 16 + 1:
		ev->kind = VFT_EV_DRIVER_BIND;
		strcpy(ev->device, ev->parent);
		strcpy(ev->driver, "mlx5_core");
		ev->has_ret = true;
		actor(ev, 0, NULL);
		break;
	case OP_CREATE * 16 + 2:
		ev->kind = VFT_EV_RDMA_REGISTER;
		snprintf(ev->ibdev, sizeof(ev->ibdev), "mlx5_%u", 8 + (unsigned int)o->vf);
		ev->node_guid = 0xb8cef60300000000ULL + (uint64_t)o->vf;
		ev->has_ret = true;
		actor(ev, 0, NULL);
		break;
	case OP_CREATE * 16 + 3:
	case OP_ATTACH * 16 + 6:
		ev->kind = o->kind == OP_CREATE ? VFT_EV_RDMA_PORT_STATE : VFT_EV_RDMA_PORT_EVENT;
		ev->source = o->kind == OP_CREATE ? VFT_SRC_INVENTORY : VFT_SRC_FENTRY;
		memset(ev->ifname, 0, sizeof(ev->ifname));
		ev->ifindex = 0;
		snprintf(ev->ibdev, sizeof(ev->ibdev), "mlx5_%u", 8 + (unsigned int)o->vf);
		ev->port = 1;
		ev->port_event = o->kind == OP_CREATE ? 0 : 9;
		ev->has_port_attrs = true;
		ev->port_state = 4;
		ev->phys_state = 5;
		ev->lid = 1 + (uint32_t)o->vf;
		ev->sm_lid = 1;
		ev->port_guid = 0xb8cef60300800000ULL + (uint64_t)o->vf;
		strcpy(ev->link_layer, "InfiniBand");
		ev->n_gids = 1;
		if (o->kind != OP_CREATE)
			actor(ev, 0, NULL);
		break;
	case OP_CREATE * 16 + 4:
		ev->kind = VFT_EV_LINK_CHANGE;
		ev->source = VFT_SRC_NETLINK;
		ev->flags = 0x1002;
		ev->old_flags = 0x1000;
		vf->created = true;
		break;
	case OP_ATTACH * 16 + 0:
		ev->kind = VFT_EV_NETNS_MOVE;
		ev->from_netns = 4026531840u;
		ev->to_netns = pod->netns;
		strcpy(ev->new_ifname, "net1");
		ev->new_ifindex = 3;
		ev->has_ret = true;
		if (rnd() % 50 == 0) {
			ev->ret = -17;
			ev->new_ifindex = 0;
			strcpy(ev->message, "A network device with that name already exists");
		}
		actor(ev, 1, NULL);
		break;
	case OP_ATTACH * 16 + 1:
		ev->kind = VFT_EV_LINK_CHANGE;
		memset(ev->ifname, 0, sizeof(ev->ifname));
		strcpy(ev->ifname, "net1");
		ev->ifindex = 3;
		ev->netns = pod->netns;
		ev->flags = 0x11043;
		ev->old_flags = 0x1002;
		actor(ev, ARRAY_SIZE(host_actors), pod);
		break;
	case OP_ATTACH * 16 + 2:
	case OP_ATTACH * 16 + 3:
		ev->kind = VFT_EV_ADDR_ADD;
		memset(ev->ifname, 0, sizeof(ev->ifname));
		strcpy(ev->ifname, "net1");
		ev->ifindex = 3;
		ev->netns = pod->netns;
		if (o->step == 3) {
			ev->family = 2;
			ev->prefixlen = 16;
			ev->addr[0] = 10;
			ev->addr[1] = 200 + vf->pf % 50;
			ev->addr[2] = (uint8_t)vf->index;
			ev->addr[3] = (uint8_t)rnd();
			actor(ev, 1, NULL);
		} else {
			ev->family = 10;
			ev->prefixlen = 64;
			ev->addr[0] = 0xfe;
			ev->addr[1] = 0x80;
			ev->addr[8] = 0xba;
			ev->addr[9] = 0xce;
			ev->addr[10] = 0xf6;
			ev->addr[11] = 0xff;
			ev->addr[12] = 0xfe;
			ev->addr[13] = 0xa1;
			ev->addr[14] = (uint8_t)(o->vf >> 8);
			ev->addr[15] = (uint8_t)o->vf;
			actor(ev, 0, NULL);
		}
		break;
	case OP_ATTACH * 16 + 4:
		ev->kind = VFT_EV_NETNS_INFO;
		ev->source = VFT_SRC_ENRICH;
		memset(ev->ifname, 0, sizeof(ev->ifname));
		memset(ev->parent, 0, sizeof(ev->parent));
		ev->ifindex = 0;
		ev->netns = pod->netns;
		strcpy(ev->netns_name, pod->netns_name);
		strcpy(ev->pod_uid, pod->uid);
		memcpy(ev->container, pod->container, 64);
		break;
	case OP_ATTACH * 16 + 5:
		ev->kind = VFT_EV_NETLINK_ERROR; /* the CNI tries an address the kernel refuses */
		memset(ev->ifname, 0, sizeof(ev->ifname));
		memset(ev->parent, 0, sizeof(ev->parent));
		ev->ifindex = 0;
		ev->source = VFT_SRC_TRACEPOINT;
		strcpy(ev->message, "Invalid prefix for given prefix length");
		actor(ev, 5, NULL);
		break;
	case OP_ATTACH * 16 + 7:
	case OP_DETACH * 16 + 3:
		ev->kind = VFT_EV_VF_CHECK;
		ev->source = VFT_SRC_TIMER;
		strcpy(ev->vf_key, ev->parent);
		if (o->kind == OP_ATTACH)
			vf->attached = true;
		else
			vf->attached = false;
		break;
	case OP_DETACH * 16 + 0:
		ev->kind = VFT_EV_NETNS_MOVE;
		memset(ev->ifname, 0, sizeof(ev->ifname));
		strcpy(ev->ifname, "net1");
		ev->from_netns = pod->netns;
		ev->to_netns = 4026531840u;
		ev->new_ifindex = vf->ifindex;
		ev->has_ret = true;
		actor(ev, 0, NULL);
		break;
	case OP_DETACH * 16 + 1:
		ev->kind = VFT_EV_NETDEV_RENAME;
		memset(ev->ifname, 0, sizeof(ev->ifname));
		strcpy(ev->ifname, "net1");
		snprintf(ev->new_ifname, sizeof(ev->new_ifname), "ens%uf%uv%u", vf->pf / 2 % 100u,
			 vf->pf % 2u, vf->index % 1000u);
		ev->has_ret = true;
		actor(ev, 4, NULL);
		break;
	default:
		ev->kind = VFT_EV_LINK_CHANGE;
		ev->source = VFT_SRC_NETLINK;
		ev->flags = 0x1002;
		ev->old_flags = 0x11043;
		break;
	}
}

static void next_event(struct vft_event *ev)
{
	if (g.uniform)
		next_uniform(ev);
	else
		next_bursty(ev);
}

static long peak_rss_kb(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

static uint8_t *slurp(const char *path, size_t *len)
{
	struct stat st;
	uint8_t *buf;
	int fd = open(path, O_RDONLY);

	if (fd < 0 || fstat(fd, &st))
		return NULL;
	buf = malloc(st.st_size ? st.st_size : 1);
	if (buf && read(fd, buf, st.st_size) != st.st_size) {
		free(buf);
		buf = NULL;
	}
	close(fd);
	*len = st.st_size;
	return buf;
}

static int read_all(struct vft_capture_reader *r, uint64_t *n)
{
	struct vft_event ev;
	int ret;

	*n = 0;
	while ((ret = vft_capture_reader__next(r, &ev)) == 1)
		(*n)++;
	return ret;
}

/* Writes, reads and checks @path; 0, or 1 after saying what failed. */
static int run(const char *path, unsigned long long nev, unsigned long long nvfs,
	       unsigned long long rate)
{
	struct vft_capture_reader *r = NULL;
	struct vft_capture_stats st;
	struct vft_event ev, got;
	struct bench_floor fl = { 0 };
	uint64_t i, n = 0, mismatch = 0, first_bad = 0;
	double t0, t_write, t_read, t_mem, t_floor;
	uint8_t *buf = NULL;
	char msg[256];
	uint32_t bad_kind = 0;
	size_t len;
	int err, ret = 1;

	/* write */
	setup((unsigned int)nvfs);
	g.ts = 1764355200ULL * NS;
	g.gap_ns = NS / rate;
	t0 = bench_now_s();
	err = bench_write_capture(path, nev, g.ts, next_event, &st);
	t_write = bench_now_s() - t0;
	if (err) {
		fprintf(stderr, "capture_bench: writing %s failed: %s\n", path, strerror(-err));
		goto out;
	}
	printf("capture: %llu events over %llu VFs (%s) at %llu events/s of event time, "
	       "one block per second\n",
	       nev, nvfs,
	       g.uniform ? "uniform: a random VF each event" : "bursty: 16 VF operations in flight",
	       rate);
	printf("  on disk   %llu bytes, %llu blocks: %.2f bytes/event (in memory %zu bytes/event)\n",
	       (unsigned long long)st.bytes, (unsigned long long)st.blocks, (double)st.bytes / nev,
	       sizeof(struct vft_event));
	printf("  write     %.3f s: %.2f M events/s   peak RSS %ld KiB\n", t_write,
	       nev / t_write / 1e6, peak_rss_kb());

	/* read from the file */
	t0 = bench_now_s();
	err = vft_capture_reader__open(path, &r, msg, sizeof(msg));
	if (!err)
		err = read_all(r, &n);
	t_read = bench_now_s() - t0;
	vft_capture_reader__free(r);
	r = NULL;
	if (err || n != nev) {
		fprintf(stderr, "capture_bench: read %llu of %llu events: %s\n",
			(unsigned long long)n, nev, err ? strerror(-err) : "events missing");
		goto out;
	}
	printf("  read      %.3f s: %.2f M events/s (file)   peak RSS %ld KiB\n", t_read,
	       nev / t_read / 1e6, peak_rss_kb());

	/* from memory, and the zlib floor over the same blocks */
	buf = slurp(path, &len);
	fl.out = malloc(VFT_CAPTURE_MAX_BLOCK);
	if (!buf || !fl.out) {
		fprintf(stderr, "capture_bench: cannot read %s back: %s\n", path, strerror(errno));
		goto out;
	}
	t0 = bench_now_s();
	err = vft_capture_reader__open_mem(buf, len, &r, msg, sizeof(msg));
	if (!err)
		err = read_all(r, &n);
	t_mem = bench_now_s() - t0;
	vft_capture_reader__free(r);
	r = NULL;
	t0 = bench_now_s();
	capfmt_walk(buf, len, bench_inflate_one, &fl);
	t_floor = bench_now_s() - t0;
	if (err || n != nev || fl.bad || fl.events != nev) {
		fprintf(stderr, "capture_bench: the memory reader or the zlib floor disagree\n");
		goto out;
	}
	printf("  read      %.3f s: %.2f M events/s (memory)\n", t_mem, nev / t_mem / 1e6);
	printf("  zlib      %.3f s: %.2f M events/s, %.0f MB/s inflated (%.1f raw bytes/event): "
	       "the floor\n",
	       t_floor, nev / t_floor / 1e6, fl.bytes / t_floor / 1e6, (double)fl.bytes / nev);
	printf("  decoding costs %.1fx the inflation alone\n", t_mem / t_floor);

	/* every event back as written */
	setup((unsigned int)nvfs);
	g.ts = 1764355200ULL * NS;
	err = vft_capture_reader__open_mem(buf, len, &r, msg, sizeof(msg));
	if (err) {
		fprintf(stderr, "capture_bench: %s\n", msg);
		goto out;
	}
	for (i = 0; i < nev; i++) {
		next_event(&ev);
		if (vft_capture_reader__next(r, &got) != 1 || memcmp(&ev, &got, sizeof(ev))) {
			if (!mismatch) {
				first_bad = i;
				bad_kind = ev.kind;
			}
			mismatch++;
		}
	}
	printf("  verified  %llu events, %llu differ   peak RSS %ld KiB\n", nev,
	       (unsigned long long)mismatch, peak_rss_kb());
	if (mismatch) {
		fprintf(stderr,
			"capture_bench: event %llu (kind %u) and %llu more do not read back\n",
			(unsigned long long)first_bad, bad_kind, (unsigned long long)mismatch - 1);
		goto out;
	}
	ret = 0;
out:
	vft_capture_reader__free(r);
	free(buf);
	free(fl.out);
	free(g.vfs);
	free(g.pods);
	free(g.vpods);
	return ret;
}

int main(int argc, char **argv)
{
	unsigned long long nev = 1000000, nvfs = 10000, rate = 10000;
	char path[4096] = "";
	bool keep = false;
	int opt, ret;

	while ((opt = getopt(argc, argv, "n:v:r:o:ku")) != -1) {
		switch (opt) {
		case 'u':
			g.uniform = true;
			break;
		case 'n':
			nev = strtoull(optarg, NULL, 10);
			break;
		case 'v':
			nvfs = strtoull(optarg, NULL, 10);
			break;
		case 'r':
			rate = strtoull(optarg, NULL, 10);
			break;
		case 'o':
			snprintf(path, sizeof(path), "%s", optarg);
			break;
		case 'k':
			keep = true;
			break;
		default:
			fprintf(stderr,
				"usage: capture_bench [-n EVENTS] [-v VFS] [-r EVENTS_PER_S] [-u] [-o FILE] "
				"[-k]\n");
			return 2;
		}
	}
	if (!nev || !nvfs || nvfs > 1000000 || !rate || rate > NS) {
		fprintf(stderr, "capture_bench: -n, -v (up to 1000000) and -r (up to 10^9) must be "
				"positive\n");
		return 2;
	}
	if (!path[0])
		snprintf(path, sizeof(path), "%s/capture-bench-%d.vftcap",
			 access("/dev/shm", W_OK) ? (getenv("TMPDIR") ?: "/tmp") : "/dev/shm",
			 (int)getpid());
	ret = run(path, nev, nvfs, rate);
	if (keep)
		printf("  kept %s\n", path);
	else
		unlink(path);
	return ret;
}
