// SPDX-License-Identifier: GPL-2.0-only
/*
 * pipeline.c - the stages of a stream, assembled once for every command
 * (see pipeline.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "enrich/cgroup.h"
#include "enrich/enrich.h"
#include "enrich/exe.h"
#include "enrich/netns.h"
#include "pipeline/grace.h"
#include "pipeline/pipeline.h"
#include "sources/inventory.h"
#include "sources/merge.h"
#include "sources/netlink_source.h"
#include "lib/util.h"

struct vft_pipeline {
	struct vft_pipeline_opts o;
	struct vft_merge *merge; /* live only */
	struct vft_corr *corr;
	struct vft_cgroup_cache *cgroups; /* NULL when cgroup2 is not found, or recorded */
	struct vft_netns_map *netns;	  /* NULL when /proc cannot be read, or recorded */
	uint32_t stream_host_ns;	  /* recorded: the host netns, as the stream says */
	uint64_t events;		  /* passed on to the sink */
	uint64_t lost;			  /* reported lost so far */
	struct vft_capture_writer *cap;	  /* NULL: no capture */
	char *cap_path;
	bool cap_err;	    /* a capture write failed (said) */
	uint64_t cap_bytes; /* capture bytes already counted in the metrics */
	uint64_t skipped[VFT_SKIP_MAX];
	struct vft_grace *grace; /* grace ends' re-reads */
};

uint64_t vft_clock_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static uint64_t now_ns(const struct vft_pipeline *p, clockid_t clock)
{
	return p->o.clock ? p->o.clock(clock) : vft_clock_ns(clock);
}

int vft_output_error(int err)
{
	if (err == -EPIPE)
		return VFT_EXIT_OK;
	vft_warn("cannot write output: %s\n", strerror(-err));
	return VFT_EXIT_RUNTIME;
}

/* ---- the window of the sink (replay --vf, --since, --until) ---- */

static bool in_window(const struct vft_pipeline *p, uint64_t ts)
{
	return (!p->o.since_ns || ts >= p->o.since_ns) && (!p->o.until_ns || ts <= p->o.until_ns);
}

static bool wanted(const struct vft_pipeline *p, const char *key)
{
	return !p->o.only_key || (key && !strcmp(key, p->o.only_key));
}

/* ---- the correlator's output: metrics, then the sink ---- */

static int corr_event(void *ctx, const struct vft_event *ev, const struct vft_vf *vf)
{
	struct vft_pipeline *p = ctx;

	if (p->o.recorded && ev->kind == VFT_EV_NETNS_INFO && ev->netns_host)
		p->stream_host_ns = ev->netns;
	if (p->o.metrics)
		vft_metrics__event(p->o.metrics, ev->kind);
	if (!in_window(p, ev->ts_ns) || !wanted(p, vf ? vf->ref.key : NULL))
		return 0;
	p->events++;
	return p->o.sink ? vft_sink__event(p->o.sink, ev, vf) : 0;
}

static int corr_finding(void *ctx, const struct vft_finding *f)
{
	struct vft_pipeline *p = ctx;

	if (p->o.metrics)
		vft_metrics__finding(p->o.metrics, f->code, false);
	if (!in_window(p, f->ts_ns) || !wanted(p, f->vf.key))
		return 0;
	return p->o.sink ? vft_sink__finding(p->o.sink, f) : 0;
}

static int corr_resolved(void *ctx, const struct vft_finding *f)
{
	struct vft_pipeline *p = ctx;

	if (p->o.metrics)
		vft_metrics__finding(p->o.metrics, f->code, true);
	if (!in_window(p, f->resolved_ns) || !wanted(p, f->vf.key))
		return 0;
	return p->o.sink ? vft_sink__resolved(p->o.sink, f) : 0;
}

static const struct vft_corr_ops corr_ops = {
	.event = corr_event,
	.finding = corr_finding,
	.resolved = corr_resolved,
};

/* ---- the capture and the correlator: every event of the stream ends here ---- */

/* A capture write failed: say once what it means for the file. */
static void capture_error(struct vft_pipeline *p, int err)
{
	if (p->cap_err)
		return;
	p->cap_err = true;
	if (err == -ENOSPC || err == -EDQUOT || err == -EFBIG)
		vft_warn("cannot write %s: %s (disk full): the capture holds the events up to its "
			 "last complete block and replays as it is\n",
			 p->cap_path, strerror(-err));
	else
		vft_warn("cannot write %s: %s: the capture holds the events up to its last "
			 "complete block\n",
			 p->cap_path, strerror(-err));
}

static int deliver(void *ctx, const struct vft_event *in)
{
	struct vft_pipeline *p = ctx;
	const struct vft_event *ev = in;
	struct vft_event stamped;
	int err;

	/* live: what user space made now (netns_info, vf_check) is stamped now */
	if (!in->boot_ns && !p->o.recorded) {
		stamped = *in;
		stamped.boot_ns = now_ns(p, CLOCK_BOOTTIME);
		ev = &stamped;
	}

	if (p->cap) {
		err = vft_capture_writer__write(p->cap, ev);
		if (err) {
			capture_error(p, err);
			return err;
		}
	}
	return vft_corr__feed(p->corr, ev);
}

/*
 * The stream says what a netns is ahead of the first event that names it:
 * the correlator and a capture learn it from the stream, not from the live
 * system. Whether the stream has said it is the correlator's to know: it
 * holds what each netns_info said until its retention or a destroyed netns
 * forgets it.
 */
int vft_pipeline__announce_netns(struct vft_pipeline *p, uint32_t netns, bool host)
{
	struct vft_event ev;

	if (!netns || vft_corr__netns_described(p->corr, netns))
		return 0;
	vft_enrich__netns_info(p->netns, netns, host, now_ns(p, CLOCK_REALTIME), &ev);
	return deliver(p, &ev);
}

/*
 * The host netns: pid 1's, else (pid 1 hidden from us, as in some sandboxes)
 * our own, which is the host's when vftrace runs on the host as it should.
 */
uint32_t vft_pipeline__host_netns(const struct vft_pipeline *p)
{
	uint32_t host = p->netns ? vft_netns_map__host(p->netns) : 0;
	struct stat st;

	if (p->o.recorded)
		return p->stream_host_ns;
	if (!host && vft_root_is_live(p->o.root) && !stat("/proc/self/ns/net", &st))
		host = (uint32_t)st.st_ino;
	return host;
}

/* ---- live events: after the merge ---- */

/* Enrichment from sysfs, the selection, the actor's cgroup path, the netns, the correlator. */
static int on_merged(void *ctx, const struct vft_event *in)
{
	struct vft_pipeline *p = ctx;
	struct vft_event ev = *in;
	int err;

	vft_enrich__event(p->o.root, &ev);
	/*
	 * lo (ifindex 1) goes last when a netns is destroyed, and the kernel
	 * gives the netns's inode to a later netns: the correlator forgets
	 * what the stream said of it, the netns map what /proc said, and the
	 * next event that names the inode has it said again.
	 */
	if (ev.kind == VFT_EV_NETDEV_UNREGISTER && ev.ifindex == 1 && ev.netns &&
	    ev.netns != vft_pipeline__host_netns(p)) {
		vft_corr__netns_forget(p->corr, ev.netns);
		if (p->netns)
			vft_netns_map__forget(p->netns, ev.netns);
	}
	if (p->o.filter && !vft_filter__match(p->o.filter, &ev))
		return 0;
	if (p->cgroups && ev.has_actor && ev.actor.cgroup_id && !ev.actor.cgroup[0])
		vft_cgroup_cache__path(p->cgroups, ev.actor.cgroup_id, ev.actor.cgroup,
				       sizeof(ev.actor.cgroup));
	/* now, while it runs: a CNI plugin lives for milliseconds (gone: "", unverified) */
	if (ev.has_actor && ev.actor.pid && !ev.actor.exe[0])
		vft_exe__read(p->o.root, ev.actor.pid, ev.actor.exe, sizeof(ev.actor.exe));
	/* a successful ADD names its netns's pod before the runtimes and cgroups do */
	if (p->netns && ev.kind == VFT_EV_CNI && !strcmp(ev.cni_command, "ADD") && !ev.cni_status &&
	    ev.netns && ev.pod_name[0])
		vft_netns_map__set_pod_cni(p->netns, ev.netns, ev.pod_ns, ev.pod_name, ev.pod_uid);
	err = vft_pipeline__announce_netns(p, ev.netns, false);
	if (!err && ev.kind == VFT_EV_NETNS_MOVE)
		err = vft_pipeline__announce_netns(p, ev.to_netns, false);
	if (!err)
		err = deliver(p, &ev);
	return err;
}

/* Every source feeds the merge, which drops the netlink copy of a change a hook saw. */
int vft_pipeline__feed(struct vft_pipeline *p, const struct vft_event *in)
{
	struct vft_event ev;

	if (!p->merge)
		return -EINVAL;
	/*
	 * Grace deadlines run on the boot-time clock, which no one steps: an
	 * event without the kernel's stamp (rtnetlink, the inventory) gets
	 * it here, before the merge can hold it.
	 */
	ev = *in;
	if (!ev.boot_ns)
		ev.boot_ns = now_ns(p, CLOCK_BOOTTIME);
	return vft_merge__feed(p->merge, &ev, now_ns(p, CLOCK_MONOTONIC), on_merged, p);
}

int vft_pipeline__feed_cb(void *ctx, const struct vft_event *ev)
{
	return vft_pipeline__feed(ctx, ev);
}

int vft_pipeline__inventory(struct vft_pipeline *p, struct netlink_source *nl)
{
	int err = nl ? netlink_source__inventory(nl, vft_pipeline__feed_cb, p) : 0;

	if (err >= 0) /* it returns how many it reported */
		err = vft_inventory__scan(p->o.root, vft_pipeline__feed_cb, p);
	return err;
}

void vft_pipeline__cover_hooks(struct vft_pipeline *p, const struct vft_hook_state *hooks, size_t n)
{
	static const struct {
		unsigned int hook;
		uint32_t kind;
		uint8_t family;
	} covers[] = {
		{ VFT_HOOK_NETDEV_REGISTER, VFT_EV_NETDEV_REGISTER, 0 },
		{ VFT_HOOK_NETDEV_UNREGISTER, VFT_EV_NETDEV_UNREGISTER, 0 },
		{ VFT_HOOK_NETNS_MOVE, VFT_EV_NETNS_MOVE, 0 },
		{ VFT_HOOK_NETDEV_RENAME, VFT_EV_NETDEV_RENAME, 0 },
		{ VFT_HOOK_LINK_CHANGE, VFT_EV_LINK_CHANGE, 0 },
		{ VFT_HOOK_ADDR_IPV4, VFT_EV_ADDR_ADD, 2 },
		{ VFT_HOOK_ADDR_IPV4, VFT_EV_ADDR_DEL, 2 },
		{ VFT_HOOK_ADDR_IPV6, VFT_EV_ADDR_ADD, 10 },
		{ VFT_HOOK_ADDR_IPV6_DEL, VFT_EV_ADDR_DEL, 10 },
	};
	size_t i;

	for (i = 0; p->merge && i < ARRAY_SIZE(covers); i++)
		if (covers[i].hook < n && hooks[covers[i].hook].status == VFT_HOOK_ATTACHED)
			vft_merge__cover(p->merge, covers[i].kind, covers[i].family);
}

int vft_pipeline__begin(struct vft_pipeline *p)
{
	const struct vft_corr_opts *c = p->o.corr;
	size_t i;
	int err = 0;

	for (i = 0; c && i < c->n_trusted && !err; i++) {
		struct vft_event t = { .kind = VFT_EV_TRUST, .source = VFT_SRC_ENRICH };

		t.ts_ns = now_ns(p, CLOCK_REALTIME);
		/* a directory of trusted executables, or a comm */
		if (c->trusted_comms[i][0] == '/')
			vft_copy_name(t.actor.exe, c->trusted_comms[i], sizeof(t.actor.exe));
		else
			vft_copy_name(t.actor.comm, c->trusted_comms[i], sizeof(t.actor.comm));
		err = deliver(p, &t);
	}
	if (!err)
		err = vft_pipeline__announce_netns(p, vft_pipeline__host_netns(p), true);
	return err;
}

/* ---- timers ---- */

/*
 * A VF's grace period is over: its RDMA port re-read from inside its netns
 * (from the host's sysfs when that cannot be done), then the correlator
 * checks it (grace.c). Both go into the stream, so a replay sees what was
 * read.
 */
static int on_due(void *ctx, const struct vft_vf *vf)
{
	struct vft_pipeline *p = ctx;

	return vft_grace__due(p->grace, vf);
}

int vft_pipeline__reads_poll(struct vft_pipeline *p)
{
	return vft_grace__poll(p->grace);
}

size_t vft_pipeline__reads_pending(const struct vft_pipeline *p)
{
	return vft_grace__pending(p->grace);
}

int vft_pipeline__tick(struct vft_pipeline *p, bool stop)
{
	int err = 0;

	if (p->merge)
		err = vft_merge__flush(p->merge, stop ? UINT64_MAX : now_ns(p, CLOCK_MONOTONIC),
				       on_merged, p);
	if (err >= 0)
		err = vft_corr__take_due(p->corr, now_ns(p, CLOCK_BOOTTIME), on_due, p);
	if (err >= 0 && vft_grace__pending(p->grace))
		err = stop ? vft_grace__finish(p->grace) : vft_grace__poll(p->grace);
	return err;
}

int vft_pipeline__drain(struct vft_pipeline *p)
{
	return p->merge ? vft_merge__flush(p->merge, UINT64_MAX, on_merged, p) : 0;
}

/* @ms, or the time until @due on @clock when that is sooner (at most a second). */
static int until_due(const struct vft_pipeline *p, int ms, uint64_t due, clockid_t clock)
{
	uint64_t now;

	if (due == UINT64_MAX)
		return ms;
	now = now_ns(p, clock);
	due = due > now ? (due - now + 999999) / 1000000 : 0;
	if (ms < 0 || due < (uint64_t)ms)
		ms = (int)(due > 1000 ? 1000 : due);
	return ms;
}

int vft_pipeline__timeout_ms(const struct vft_pipeline *p, int ms)
{
	if (p->merge)
		ms = until_due(p, ms, vft_merge__next_release(p->merge), CLOCK_MONOTONIC);
	ms = vft_grace__timeout_ms(p->grace, ms);
	/* the correlator's grace deadlines are on the boot-time clock (vft_event.boot_ns) */
	return until_due(p, ms, vft_corr__next_due(p->corr), CLOCK_BOOTTIME);
}

/* ---- losses ---- */

int vft_pipeline__lost(struct vft_pipeline *p, uint64_t total)
{
	struct vft_event ev = { .kind = VFT_EV_LOST, .source = VFT_SRC_ENRICH };
	uint64_t wall = now_ns(p, CLOCK_REALTIME), delta = total - p->lost;
	int err;

	if (total <= p->lost)
		return 0;
	err = p->o.sink ? vft_sink__lost(p->o.sink, delta, total, wall) : 0;
	if (err)
		return err;
	if (p->o.metrics)
		vft_metrics__lost(p->o.metrics, delta);
	/* the correlator does not see losses: the capture is told apart */
	if (p->cap) {
		ev.ts_ns = now_ns(p, CLOCK_REALTIME);
		ev.lost = delta;
		err = vft_capture_writer__write(p->cap, &ev);
		if (err) {
			capture_error(p, err);
			return err;
		}
	}
	p->lost = total;
	return 0;
}

int vft_pipeline__feed_recorded(struct vft_pipeline *p, const struct vft_event *ev)
{
	int err;

	if (!p->o.recorded)
		return -EINVAL;
	if (ev->kind != VFT_EV_LOST)
		return deliver(p, ev);
	p->lost += ev->lost;
	if (p->o.metrics)
		vft_metrics__lost(p->o.metrics, ev->lost);
	if (!in_window(p, ev->ts_ns))
		return 0;
	err = p->o.sink ? vft_sink__lost(p->o.sink, ev->lost, p->lost, ev->ts_ns) : 0;
	if (err || !p->cap)
		return err;
	/* recorded as it was, at its time */
	err = vft_capture_writer__write(p->cap, ev);
	if (err)
		capture_error(p, err);
	return err;
}

/* ---- the end of the stream ---- */

int vft_pipeline__finish(struct vft_pipeline *p)
{
	struct vft_summary sum = { .events = p->events,
				   .lost = p->lost,
				   .checks_skipped = p->skipped[VFT_SKIP_GRACE_END] +
						     p->skipped[VFT_SKIP_PERIODIC] };
	struct vft_corr_stats st;
	size_t i, n = vft_corr__n_vfs(p->corr);
	int err = 0;

	if (!p->o.sink)
		return 0;
	for (i = 0; i < n && !err; i++) {
		const struct vft_vf *vf = vft_corr__vf(p->corr, i);

		if (p->o.only_key && strcmp(vf->ref.key, p->o.only_key))
			continue;
		/* VFs, and any device that went into a pod or raised something */
		if (vf->pf[0] || vf->n_netns > 1 || vf->n_findings)
			err = vft_sink__timeline(p->o.sink, vf);
		sum.vfs++;
	}
	if (err)
		return err;
	vft_corr__stats(p->corr, &st);
	memcpy(sum.raised, st.raised, sizeof(sum.raised));
	memcpy(sum.resolved, st.resolved, sizeof(sum.resolved));
	return vft_sink__summary(p->o.sink, &sum);
}

/* ---- the capture file ---- */

int vft_pipeline__capture_open(struct vft_pipeline *p, const char *path,
			       const struct vft_capture_opts *opts,
			       const struct vft_capture_header *hdr)
{
	struct vft_capture_header local;
	char *copy;
	int err;

	if (p->cap)
		return -EBUSY;
	if (!hdr) {
		err = vft_capture_header__fill_local(&local, p->o.root);
		if (err)
			return err;
		hdr = &local;
	}
	copy = strdup(path);
	if (!copy)
		return -ENOMEM;
	err = vft_capture_writer__new(path, opts, hdr, &p->cap);
	if (err) {
		free(copy);
		return err;
	}
	free(p->cap_path);
	p->cap_path = copy;
	p->cap_bytes = 0;
	return 0;
}

int vft_pipeline__capture_flush(struct vft_pipeline *p)
{
	int err = p->cap ? vft_capture_writer__flush(p->cap) : 0;

	if (err)
		capture_error(p, err);
	return err;
}

int vft_pipeline__capture_close(struct vft_pipeline *p)
{
	int err = vft_capture_writer__free(p->cap);

	p->cap = NULL;
	p->cap_bytes = 0;
	if (err)
		capture_error(p, err);
	return err;
}

bool vft_pipeline__capture_stats(const struct vft_pipeline *p, struct vft_capture_stats *st)
{
	if (!p->cap)
		return false;
	if (st)
		vft_capture_writer__stats(p->cap, st);
	return true;
}

bool vft_pipeline__capture_failed(const struct vft_pipeline *p)
{
	return p->cap_err;
}

/* ---- metrics ---- */

void vft_pipeline__update_metrics(struct vft_pipeline *p, const char *textfile)
{
	struct vft_metrics *m = p->o.metrics;
	struct vft_corr_stats st;
	struct vft_capture_stats cs;
	uint32_t host = 0, pod = 0, stranded;
	uint32_t host_ns = vft_pipeline__host_netns(p);
	size_t i, n = vft_corr__n_vfs(p->corr);
	int err;

	if (!m)
		return;
	for (i = 0; i < n; i++) {
		const struct vft_vf *vf = vft_corr__vf_state(p->corr, i);

		if (!vf->pf[0] && vf->n_netns <= 1)
			continue; /* VFs, and devices that went into a pod */
		if (vf->ref.netns && vf->ref.netns != host_ns)
			pod++;
		else
			host++;
	}
	vft_corr__stats(p->corr, &st);
	stranded = (uint32_t)(st.raised[VFT_F_VF_STRANDED] - st.resolved[VFT_F_VF_STRANDED]);
	vft_metrics__vfs(m, host > stranded ? host - stranded : 0, pod, stranded);
	vft_metrics__state(m, n, st.netns, st.forgotten, st.netns_forgotten);
	/*
	 * What bursts and sweeps freed goes back to the kernel: free() returns
	 * only the top of the heap, and a daemon's RSS should follow its state.
	 */
	malloc_trim(0);
	if (vft_metrics__process(m, p->o.root))
		vft_debug("cannot read this process's figures under /proc/self\n");
	if (p->cap) {
		vft_capture_writer__stats(p->cap, &cs);
		if (cs.bytes > p->cap_bytes) {
			vft_metrics__capture_bytes(m, cs.bytes - p->cap_bytes);
			p->cap_bytes = cs.bytes;
		}
	}
	if (textfile) {
		err = vft_metrics__write_textfile(m, textfile);
		if (err)
			vft_warn("cannot write the metrics textfile %s: %s%s\n", textfile,
				 strerror(-err), err == -ELOOP ? " (it is a symbolic link)" : "");
	}
}

/* ---- the object ---- */

struct vft_corr *vft_pipeline__corr(const struct vft_pipeline *p)
{
	return p->corr;
}

struct vft_netns_map *vft_pipeline__netns_map(const struct vft_pipeline *p)
{
	return p->netns;
}

uint64_t vft_pipeline__events(const struct vft_pipeline *p)
{
	return p->events;
}

uint64_t vft_pipeline__lost_total(const struct vft_pipeline *p)
{
	return p->lost;
}

void vft_pipeline__skipped(struct vft_pipeline *p, enum vft_skip what)
{
	if (what >= VFT_SKIP_MAX)
		return;
	p->skipped[what]++;
	if (p->o.metrics)
		vft_metrics__skipped(p->o.metrics,
				     what == VFT_SKIP_PERIODIC ? "periodic" : "grace_end");
}

uint64_t vft_pipeline__skipped_total(const struct vft_pipeline *p, enum vft_skip what)
{
	return what < VFT_SKIP_MAX ? p->skipped[what] : 0;
}

static void grace_skipped(void *ctx)
{
	vft_pipeline__skipped(ctx, VFT_SKIP_GRACE_END);
}

static int new_grace(struct vft_pipeline *p)
{
	struct vft_grace_opts go = {
		.root = p->o.root,
		.netns = p->netns,
		.timeout_ns = p->o.read_timeout_ns,
		.clock = p->o.clock ? p->o.clock : vft_clock_ns,
		.deliver = deliver,
		.skipped = grace_skipped,
		.ctx = p,
		.watch_fd = p->o.watch_fd,
		.watch_ctx = p->o.watch_ctx,
	};

	return vft_grace__new(&go, &p->grace);
}

int vft_pipeline__new(const struct vft_pipeline_opts *opts, struct vft_pipeline **out)
{
	struct vft_pipeline *p = calloc(1, sizeof(*p));
	int err = -ENOMEM;

	if (!p)
		goto fail;
	p->o = *opts;
	if (!p->o.recorded) {
		err = vft_merge__new(VFT_PIPELINE_MERGE_WINDOW_NS, &p->merge);
		if (err)
			goto fail;
	}
	err = vft_corr__new(p->o.corr, &corr_ops, p, &p->corr);
	if (err)
		goto fail;
	if (!p->o.recorded) {
		if (vft_cgroup_cache__new(p->o.root, &p->cgroups))
			vft_debug("no cgroup2 mount found: actors will have no cgroup path\n");
		if (vft_netns_map__new(p->o.root, &p->netns))
			vft_debug("cannot read /proc: namespaces will not be attributed to pods\n");
	}
	err = new_grace(p);
	if (err)
		goto fail;
	*out = p;
	return 0;
fail:
	vft_pipeline__free(p);
	return err;
}

void vft_pipeline__free(struct vft_pipeline *p)
{
	if (!p)
		return;
	vft_grace__free(p->grace);
	vft_pipeline__capture_close(p);
	vft_merge__free(p->merge);
	vft_corr__free(p->corr);
	vft_netns_map__free(p->netns);
	vft_cgroup_cache__free(p->cgroups);
	free(p->cap_path);
	free(p);
}
