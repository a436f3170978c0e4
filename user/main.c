// SPDX-License-Identifier: GPL-2.0-only
/*
 * main.c - the vftrace command line: argp parsing and the subcommands.
 *
 * Exit status: 0 success, 1 runtime failure, 2 usage error.
 */
#define _GNU_SOURCE
#include <argp.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <bpf/libbpf.h>
#include "bpf_source.h"
#include "cgroup.h"
#include "correlate.h"
#include "enrich.h"
#include "filter.h"
#include "inventory.h"
#include "merge.h"
#include "netlink_source.h"
#include "netns.h"
#include "sink.h"
#include "util.h"

#define EXIT_RUNTIME 1
#define EXIT_USAGE 2

const char *argp_program_version = "vftrace " VFTRACE_VERSION;

static volatile sig_atomic_t exiting;

static void on_signal(int sig)
{
	exiting = 1;
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (!vft_verbose)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

/* ---- options shared by every subcommand ---- */

enum {
	OPT_RINGBUF = 256,
	OPT_ROOT,
	OPT_MECH,
	OPT_NO_NETLINK,
	OPT_NO_INVENTORY,
	OPT_DRIVER,
	OPT_PCI,
	OPT_ALL,
	OPT_GRACE,
	OPT_TRUST,
};

/* How long a netlink event waits for the BPF event of the same change. */
#define MERGE_WINDOW_NS (500 * 1000000ULL)

#define MECH_HELP                                                                            \
	"Attach with fentry/fexit or kprobe/kretprobe only (default auto: fentry where the " \
	"kernel allows it, else kprobes)"

/* Options of every command that attaches the kernel hooks; input: struct bpf_source_opts. */
static const struct argp_option tracing_options[] = {
	{ "mechanism", OPT_MECH, "auto|fentry|kprobe", 0, MECH_HELP },
	{ "root", OPT_ROOT, "DIR", 0, "Read /proc and /sys under DIR (for tests; default /)" },
	{},
};

static error_t parse_tracing(int key, char *arg, struct argp_state *state)
{
	struct bpf_source_opts *o = state->input;

	switch (key) {
	case OPT_MECH:
		if (vft_mech__parse(arg, &o->only))
			argp_error(state, "invalid --mechanism '%s': want auto, fentry or kprobe",
				   arg);
		return 0;
	case OPT_ROOT:
		o->root = arg;
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

static const struct argp tracing_argp = { tracing_options, parse_tracing };

static const struct argp_option common_options[] = {
	{ "verbose", 'v', NULL, 0, "Print debug output, including libbpf's, on stderr", -1 },
	{},
};

static error_t parse_common(int key, char *arg, struct argp_state *state)
{
	switch (key) {
	case 'v':
		vft_verbose++;
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

static const struct argp common_argp = { common_options, parse_common };

static const struct argp_child common_children[] = {
	{ &common_argp, 0, "Common options:", -2 },
	{},
};

/* Children of commands that trace: state->child_inputs[0] must be their bpf_source_opts. */
static const struct argp_child tracing_children[] = {
	{ &tracing_argp, 0, "Tracing options:", -3 },
	{ &common_argp, 0, "Common options:", -2 },
	{},
};

/* ---- watch ---- */

struct watch_opts {
	bool json;
	bool no_netlink;
	bool no_inventory;
	struct vft_corr_opts corr;
	struct vft_strlist trusted;
	struct vft_filter filter;
	struct bpf_source_opts source;
};

static const struct argp_option watch_options[] = {
	{ "json", 'j', NULL, 0, "Print JSON Lines (schema: docs/json.md) instead of text" },
	{ "ifname", 'i', "GLOB", 0,
	  "Show devices whose name matches GLOB (shell pattern; repeatable)" },
	{ "driver", OPT_DRIVER, "NAME", 0,
	  "Show devices bound to driver NAME, e.g. mlx5_core (repeatable)" },
	{ "pci", OPT_PCI, "BDF", 0,
	  "Show the device at PCI address BDF and its netdev (repeatable)" },
	{ "all", OPT_ALL, NULL, 0, "Show every device, virtual ones included" },
	{ "ringbuf-size", OPT_RINGBUF, "BYTES", 0,
	  "Kernel ring buffer size, a power of two with K/M suffix (default 2M)" },
	{ "no-netlink", OPT_NO_NETLINK, NULL, 0,
	  "Do not listen to rtnetlink (BPF hooks only; by default rtnetlink fills in what no "
	  "hook sees, without actors)" },
	{ "no-inventory", OPT_NO_INVENTORY, NULL, 0,
	  "Do not report the devices that exist at start (source \"inventory\")" },
	{ "grace", OPT_GRACE, "SECONDS", 0,
	  "How long a VF in a pod has to get its IP address, LID and GIDs, and a VF back in the "
	  "host to get its name back, before findings are raised (default 10)" },
	{ "trust", OPT_TRUST, "COMM", 0,
	  "A process name (comm) that may configure VFs in the host netns besides the CNI "
	  "plugins and container runtimes vftrace knows (repeatable)" },
	{},
};

static error_t parse_watch(int key, char *arg, struct argp_state *state)
{
	struct watch_opts *o = state->input;
	int err;

	switch (key) {
	case 'j':
		o->json = true;
		return 0;
	case 'i':
		if (vft_filter__add_ifname(&o->filter, arg))
			argp_failure(state, EXIT_RUNTIME, ENOMEM, "--ifname");
		return 0;
	case OPT_DRIVER:
		if (vft_filter__add_driver(&o->filter, arg))
			argp_failure(state, EXIT_RUNTIME, ENOMEM, "--driver");
		return 0;
	case OPT_PCI:
		if (vft_filter__add_pci(&o->filter, arg))
			argp_error(state,
				   "invalid --pci '%s': want a PCI address such as 0000:3b:10.5",
				   arg);
		return 0;
	case OPT_ALL:
		o->filter.all = true;
		return 0;
	case OPT_RINGBUF:
		err = vft_parse_size(arg, &o->source.ringbuf_bytes);
		if (err || o->source.ringbuf_bytes < 4096 ||
		    (o->source.ringbuf_bytes & (o->source.ringbuf_bytes - 1)))
			argp_error(state, "invalid --ringbuf-size '%s': want a power of two >= 4K",
				   arg);
		return 0;
	case OPT_NO_NETLINK:
		o->no_netlink = true;
		return 0;
	case OPT_NO_INVENTORY:
		o->no_inventory = true;
		return 0;
	case OPT_GRACE:
		if (vft_parse_seconds(arg, &o->corr.grace_ns) || !o->corr.grace_ns)
			argp_error(state, "invalid --grace '%s': want seconds > 0, e.g. 10 or 2.5",
				   arg);
		return 0;
	case OPT_TRUST:
		if (vft_strlist__add(&o->trusted, arg))
			argp_failure(state, EXIT_RUNTIME, ENOMEM, "--trust");
		o->corr.trusted_comms = (const char *const *)o->trusted.items;
		o->corr.n_trusted = o->trusted.n;
		return 0;
	case ARGP_KEY_INIT:
		state->child_inputs[0] = &o->source;
		return 0;
	case ARGP_KEY_ARG:
		argp_error(state, "unexpected argument '%s'", arg);
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

static const char watch_doc[] =
	"Print VF lifecycle events as they happen.\n"
	"\n"
	"Attaches the kernel hooks that this kernel allows (see `vftrace hooks`), listens to "
	"rtnetlink in every network namespace, reports the devices that already exist "
	"(netdevs, SR-IOV PFs and VFs, RDMA devices and ports), and prints one line per "
	"event, or one JSON object per line with --json, until interrupted. A change seen "
	"both by a hook and by rtnetlink is printed once, with the hook's actor.\n"
	"\n"
	"By default it shows SR-IOV VFs and PFs, mlx5 devices and their RDMA devices, SR-IOV "
	"configuration and netlink errors; a device keeps being shown when it moves into a pod "
	"or is renamed. --ifname, --driver and --pci show what matches any of them instead; "
	"--all shows everything, virtual devices (veth, bridges) included.\n"
	"\n"
	"Events are correlated per VF (keyed by PCI address) into a lifecycle timeline, and "
	"findings are raised as they are found: a host manager configuring a VF "
	"(HOST_MANAGER_CLAIM), a failed netns move (CNI_MOVE_FAILED), a VF stranded after its "
	"pod (VF_STRANDED), and, --grace seconds after a VF enters a pod, no IP address "
	"(NET1_NO_IP), an InfiniBand port without LID (LID_MISSING, SM_UNREACHABLE, GUID_ZERO), "
	"no RoCE v2 GID (GID_MISSING) or an RDMA device missing or in the wrong netns. "
	"docs/findings.md explains each one and its fix. A finding that a later event fixes is "
	"reported resolved. When stopped, each VF's timeline and a summary are printed.\n"
	"\n"
	"The first JSON line is {\"type\":\"ready\"} with the coverage of every hook; then "
	"events, findings and resolutions; when stopped, one {\"type\":\"vf\"} line per VF and "
	"a {\"type\":\"summary\"} line close the stream. Dropped events are reported as they "
	"happen and in the summary.\n"
	"\v"
	"Examples:\n"
	"  vftrace watch                      VFs, mlx5 and RDMA devices\n"
	"  vftrace watch --pci 0000:3b:10.5   one VF, whatever its name or namespace\n"
	"  vftrace watch -i 'ibp*' -i net1    only these interface names\n"
	"  vftrace watch --json | jq .        machine-readable\n"
	"  vftrace watch --json | jq 'select(.type == \"finding\")'   findings only\n"
	"  vftrace watch --grace 30           give IPAM and the Subnet Manager 30 s\n"
	"\n"
	"Exit status: 0 when stopped by SIGINT or SIGTERM, 1 on a runtime failure, 2 on a "
	"usage error.";

static const struct argp watch_argp = { watch_options, parse_watch, NULL, watch_doc,
					tracing_children };

struct watch_ctx {
	struct vft_sink *sink;
	struct vft_filter *filter;
	struct vft_merge *merge;
	struct vft_corr *corr;
	struct vft_cgroup_cache *cgroups; /* NULL when cgroup2 is not found */
	struct vft_netns_map *netns;	  /* NULL when /proc cannot be read */
	const char *root;		  /* root prefix for sysfs */
	uint32_t *announced;		  /* netns inodes with a netns_info event */
	size_t n_announced, cap_announced;
	uint64_t events;
};

static uint64_t now_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static uint64_t now_wall_ns(void)
{
	return now_ns(CLOCK_REALTIME);
}

static uint64_t now_ns(clockid_t clock);

/* The correlator's output goes to the sink. */
static int corr_event(void *ctx, const struct vft_event *ev, const struct vft_vf *vf)
{
	struct watch_ctx *w = ctx;

	w->events++;
	return vft_sink__event(w->sink, ev, vf);
}

static int corr_finding(void *ctx, const struct vft_finding *f)
{
	struct watch_ctx *w = ctx;

	return vft_sink__finding(w->sink, f);
}

static int corr_resolved(void *ctx, const struct vft_finding *f)
{
	struct watch_ctx *w = ctx;

	return vft_sink__resolved(w->sink, f);
}

static const struct vft_corr_ops corr_ops = {
	.event = corr_event,
	.finding = corr_finding,
	.resolved = corr_resolved,
};

/* Every event of the stream ends here: the correlator, which passes it on to the sink. */
static int deliver(void *ctx, const struct vft_event *ev)
{
	struct watch_ctx *w = ctx;

	return vft_corr__feed(w->corr, ev);
}

static bool announced(const struct watch_ctx *w, uint32_t netns)
{
	size_t i;

	for (i = 0; i < w->n_announced; i++)
		if (w->announced[i] == netns)
			return true;
	return false;
}

/*
 * Says what netns @netns is (host, /run/netns name, pod), once per netns, as
 * a netns_info event ahead of the first event that names it: the correlator
 * and a capture learn it from the stream, not from the live system.
 */
static int announce_netns(struct watch_ctx *w, uint32_t netns, bool host)
{
	struct vft_event ev;
	uint32_t *tmp;

	if (!netns || announced(w, netns))
		return 0;
	if (w->n_announced == w->cap_announced) {
		size_t cap = w->cap_announced ? w->cap_announced * 2 : 32;

		tmp = realloc(w->announced, cap * sizeof(*tmp));
		if (!tmp)
			return -ENOMEM;
		w->announced = tmp;
		w->cap_announced = cap;
	}
	w->announced[w->n_announced++] = netns;
	vft_enrich__netns_info(w->netns, netns, host, now_ns(CLOCK_REALTIME), &ev);
	return deliver(w, &ev);
}

/*
 * The host netns: pid 1's, else (pid 1 hidden from us, as in some sandboxes)
 * our own, which is the host's when vftrace runs on the host as it should.
 */
static uint32_t host_netns(const struct watch_ctx *w)
{
	uint32_t host = w->netns ? vft_netns_map__host(w->netns) : 0;
	struct stat st;

	if (!host && (!w->root || !strcmp(w->root, "/")) && !stat("/proc/self/ns/net", &st))
		host = (uint32_t)st.st_ino;
	return host;
}

/* Last stages: enrichment from sysfs, the selection, the actor's cgroup path, the correlator. */
static int on_merged(void *ctx, const struct vft_event *in)
{
	struct watch_ctx *w = ctx;
	struct vft_event ev = *in;
	int err;

	vft_enrich__event(w->root, &ev);
	if (!vft_filter__match(w->filter, &ev))
		return 0;
	if (w->cgroups && ev.has_actor && ev.actor.cgroup_id && !ev.actor.cgroup[0])
		vft_cgroup_cache__path(w->cgroups, ev.actor.cgroup_id, ev.actor.cgroup,
				       sizeof(ev.actor.cgroup));
	err = announce_netns(w, ev.netns, false);
	if (!err && ev.kind == VFT_EV_NETNS_MOVE)
		err = announce_netns(w, ev.to_netns, false);
	if (!err)
		err = deliver(w, &ev);
	return err;
}

/*
 * A VF's grace period is over: re-read its RDMA port from inside its netns
 * (from the host's sysfs when that cannot be done), then let the correlator
 * check it. Both go into the stream, so a replay sees what was read.
 */
static int on_due(void *ctx, const struct vft_vf *vf)
{
	struct watch_ctx *w = ctx;

	return vft_enrich__grace_end(w->root, w->netns, vf, now_ns(CLOCK_REALTIME), deliver, w);
}

/* Every source feeds the merge, which drops the netlink copy of a change a hook saw. */
static int on_event(void *ctx, const struct vft_event *ev)
{
	struct watch_ctx *w = ctx;

	return vft_merge__feed(w->merge, ev, now_ns(CLOCK_MONOTONIC), on_merged, w);
}

static int epoll_add(int epfd, int fd, uint32_t tag)
{
	struct epoll_event e = { .events = EPOLLIN, .data.u32 = tag };

	return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &e) ? -errno : 0;
}

static void install_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	/* No SA_RESTART: a signal must interrupt the poll. */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static void fill_ready(struct vft_ready *r, struct utsname *u, const struct bpf_source *src)
{
	uname(u);
	r->version = VFTRACE_VERSION;
	r->kernel = u->release;
	r->hooks = bpf_source__hooks(src, &r->n_hooks);
}

/* Output errors: a reader that went away ends the run quietly, anything else is a failure. */
static int output_error(int err)
{
	if (err == -EPIPE)
		return 0;
	vft_warn("cannot write output: %s\n", strerror(-err));
	return EXIT_RUNTIME;
}

enum { TAG_BPF = 1, TAG_NETLINK = 2, TAG_MODULE = 3 };

/*
 * How long the loop may sleep: until the oldest held netlink event is due,
 * or the next look for a module that hooks wait for, else until something happens
 * (a full ring buffer wakes the reader too, and losses are read after every
 * wake-up). An idle watch costs no CPU.
 */
static int idle_timeout_ms(struct watch_ctx *w, const struct bpf_source *src)
{
	uint64_t due = vft_merge__next_release(w->merge), now;
	int ms = bpf_source__timeout_ms(src);

	if (due != UINT64_MAX) {
		now = now_ns(CLOCK_MONOTONIC);
		due = due > now ? (due - now + 999999) / 1000000 : 0;
		if (ms < 0 || due < (uint64_t)ms)
			ms = (int)(due > 1000 ? 1000 : due);
	}
	/* the correlator's grace deadlines are on the wall clock */
	due = vft_corr__next_due(w->corr);
	if (due != UINT64_MAX) {
		now = now_ns(CLOCK_REALTIME);
		due = due > now ? (due - now + 999999) / 1000000 : 0;
		if (ms < 0 || due < (uint64_t)ms)
			ms = (int)(due > 1000 ? 1000 : due);
	}
	return ms;
}

/* The summary, after the timeline of every VF worth one. */
static int finish(struct watch_ctx *w, uint64_t lost)
{
	struct vft_summary sum = {};
	struct vft_corr_stats st;
	size_t i, n = vft_corr__n_vfs(w->corr);
	int err = 0;

	for (i = 0; i < n && !err; i++) {
		const struct vft_vf *vf = vft_corr__vf(w->corr, i);

		/* VFs, and any device that went into a pod or raised something */
		if (vf->pf[0] || vf->n_netns > 1 || vf->n_findings)
			err = vft_sink__timeline(w->sink, vf);
		sum.vfs++;
	}
	if (err)
		return err;
	vft_corr__stats(w->corr, &st);
	sum.events = w->events;
	sum.lost = lost;
	memcpy(sum.raised, st.raised, sizeof(sum.raised));
	memcpy(sum.resolved, st.resolved, sizeof(sum.resolved));
	return vft_sink__summary(w->sink, &sum);
}

/*
 * Where a hook sees every change of a kind, rtnetlink's copies are dropped:
 * the hook's event comes first, with its actor (see merge.h).
 */
static void cover_hooked_kinds(struct vft_merge *m, const struct bpf_source *src)
{
	const struct vft_hook_state *hooks;
	size_t n;

	hooks = bpf_source__hooks(src, &n);
	if (hooks[VFT_HOOK_NETDEV_REGISTER].status == VFT_HOOK_ATTACHED)
		vft_merge__cover(m, VFT_EV_NETDEV_REGISTER, 0);
	if (hooks[VFT_HOOK_NETDEV_UNREGISTER].status == VFT_HOOK_ATTACHED)
		vft_merge__cover(m, VFT_EV_NETDEV_UNREGISTER, 0);
	if (hooks[VFT_HOOK_NETNS_MOVE].status == VFT_HOOK_ATTACHED)
		vft_merge__cover(m, VFT_EV_NETNS_MOVE, 0);
	if (hooks[VFT_HOOK_NETDEV_RENAME].status == VFT_HOOK_ATTACHED)
		vft_merge__cover(m, VFT_EV_NETDEV_RENAME, 0);
	if (hooks[VFT_HOOK_LINK_CHANGE].status == VFT_HOOK_ATTACHED)
		vft_merge__cover(m, VFT_EV_LINK_CHANGE, 0);
	if (hooks[VFT_HOOK_ADDR_IPV4].status == VFT_HOOK_ATTACHED) {
		vft_merge__cover(m, VFT_EV_ADDR_ADD, 2);
		vft_merge__cover(m, VFT_EV_ADDR_DEL, 2);
	}
	if (hooks[VFT_HOOK_ADDR_IPV6].status == VFT_HOOK_ATTACHED)
		vft_merge__cover(m, VFT_EV_ADDR_ADD, 10);
	if (hooks[VFT_HOOK_ADDR_IPV6_DEL].status == VFT_HOOK_ATTACHED)
		vft_merge__cover(m, VFT_EV_ADDR_DEL, 10);
}

static int cmd_watch(int argc, char **argv)
{
	struct watch_opts o = {};
	struct bpf_source *src = NULL;
	struct netlink_source *nl = NULL;
	struct vft_sink *sink = NULL;
	struct watch_ctx w = {};
	uint64_t lost, last_lost = 0;
	struct vft_ready ready;
	struct utsname u;
	sigset_t stop_sigs, wait_mask;
	int err, epfd = -1, ret = EXIT_RUNTIME;

	argp_parse(&watch_argp, argc, argv, 0, NULL, &o);
	install_signals();
	/*
	 * SIGINT and SIGTERM stay blocked except inside epoll_pwait(): a signal
	 * that comes between the check of `exiting` and the wait still ends the
	 * wait, however long it was meant to be.
	 */
	sigemptyset(&stop_sigs);
	sigaddset(&stop_sigs, SIGINT);
	sigaddset(&stop_sigs, SIGTERM);
	sigprocmask(SIG_BLOCK, &stop_sigs, &wait_mask);
	sigdelset(&wait_mask, SIGINT);
	sigdelset(&wait_mask, SIGTERM);
	o.filter.root = o.source.root;
	/* only a name can select a device without a parent (veth, dummy, bridge) */
	o.source.skip_virtual_netdevs = !o.filter.all && !o.filter.ifnames.n;

	err = bpf_source__new(&o.source, &src);
	if (err) {
		vft_warn("cannot start tracing: %s\n", strerror(-err));
		goto out;
	}
	if (!o.no_netlink) {
		struct netlink_source_opts nopts = { .root = o.source.root };

		err = netlink_source__new(&nopts, &nl);
		if (err) {
			vft_warn(
				"cannot listen to rtnetlink: %s (use --no-netlink to go without)\n",
				strerror(-err));
			goto out;
		}
	}
	err = vft_merge__new(MERGE_WINDOW_NS, &w.merge);
	if (err)
		goto out;
	cover_hooked_kinds(w.merge, src);
	err = vft_corr__new(&o.corr, &corr_ops, &w, &w.corr);
	if (err)
		goto out;
	if (vft_cgroup_cache__new(o.source.root, &w.cgroups))
		vft_debug("no cgroup2 mount found: actors will have no cgroup path\n");
	if (vft_netns_map__new(o.source.root, &w.netns))
		vft_debug("cannot read /proc: namespaces will not be attributed to pods\n");
	sink = o.json ? vft_sink_json__new(stdout) : vft_sink_text__new(stdout, isatty(1));
	if (!sink)
		goto out;
	epfd = epoll_create1(EPOLL_CLOEXEC);
	if (epfd < 0 ||
	    (bpf_source__fd(src) >= 0 && epoll_add(epfd, bpf_source__fd(src), TAG_BPF)) ||
	    (nl && epoll_add(epfd, netlink_source__fd(nl), TAG_NETLINK)) ||
	    (bpf_source__module_fd(src) >= 0 &&
	     epoll_add(epfd, bpf_source__module_fd(src), TAG_MODULE))) {
		vft_warn("cannot set up epoll: %s\n", strerror(errno));
		goto out;
	}

	fill_ready(&ready, &u, src);
	err = vft_sink__ready(sink, &ready);
	if (err) {
		ret = output_error(err);
		goto out;
	}
	if (!bpf_source__attached(src))
		vft_warn("no kernel hook attached on this kernel: %s (see `vftrace hooks`)\n",
			 nl ? "events come from rtnetlink only, without actors" :
			      "no events will be seen");

	w.sink = sink;
	w.filter = &o.filter;
	w.root = o.source.root;
	err = announce_netns(&w, host_netns(&w), true);
	if (err) {
		ret = output_error(err);
		goto out;
	}
	/* What exists now: after ready, so that nothing created meanwhile is missed. */
	if (!o.no_inventory) {
		err = nl ? netlink_source__inventory(nl, on_event, &w) : 0;
		if (err >= 0) /* it returns how many it reported */
			err = vft_inventory__scan(o.source.root, on_event, &w);
		if (err) {
			ret = err == -EPIPE || err == -EIO ? output_error(err) : EXIT_RUNTIME;
			if (ret)
				vft_warn("the inventory at start failed: %s\n", strerror(-err));
			goto out;
		}
	}
	for (;;) {
		struct epoll_event evs[4];
		int stop = exiting, n, i;

		/* After a signal, one last non-blocking round drains what is queued. */
		n = epoll_pwait(epfd, evs, 4, stop ? 0 : idle_timeout_ms(&w, src), &wait_mask);
		if (n < 0 && errno != EINTR) {
			vft_warn("epoll_wait: %s\n", strerror(errno));
			goto out;
		}
		err = 0;
		for (i = 0; i < n && err >= 0; i++) {
			if (evs[i].data.u32 == TAG_NETLINK)
				err = netlink_source__process(nl, on_event, &w);
			else if (evs[i].data.u32 == TAG_MODULE)
				bpf_source__module_event(src);
		}
		/* also when idle: it checks for modules whose hooks wait */
		if (err >= 0)
			err = bpf_source__poll(src, 0, on_event, &w);
		if (err >= 0)
			err = vft_merge__flush(w.merge, stop ? UINT64_MAX : now_ns(CLOCK_MONOTONIC),
					       on_merged, &w);
		if (err >= 0)
			err = vft_corr__take_due(w.corr, now_ns(CLOCK_REALTIME), on_due, &w);
		if (err < 0 && err != -EINTR) {
			ret = err == -EPIPE || err == -EIO ? output_error(err) : EXIT_RUNTIME;
			if (ret)
				vft_warn("reading events failed: %s\n", strerror(-err));
			goto out;
		}
		if (bpf_source__take_changes(src)) {
			err = vft_sink__coverage(sink, &ready);
			if (err) {
				ret = output_error(err);
				goto out;
			}
		}
		lost = bpf_source__lost(src) + (nl ? netlink_source__lost(nl) : 0);
		if (lost > last_lost) {
			err = vft_sink__lost(sink, lost - last_lost, lost, now_wall_ns());
			if (err) {
				ret = output_error(err);
				goto out;
			}
			last_lost = lost;
		}
		if (stop)
			break;
	}
	err = finish(&w, last_lost);
	ret = err ? output_error(err) : 0;
out:
	if (epfd >= 0)
		close(epfd);
	vft_sink__free(sink);
	vft_merge__free(w.merge);
	vft_corr__free(w.corr);
	vft_netns_map__free(w.netns);
	free(w.announced);
	vft_cgroup_cache__free(w.cgroups);
	netlink_source__free(nl);
	bpf_source__free(src);
	vft_filter__clear(&o.filter);
	vft_strlist__clear(&o.trusted);
	return ret;
}

/* ---- hooks ---- */

struct hooks_opts {
	bool json;
	struct bpf_source_opts source;
};

static const struct argp_option hooks_options[] = {
	{ "json", 'j', NULL, 0, "Print one JSON object instead of a table" },
	{},
};

static error_t parse_hooks(int key, char *arg, struct argp_state *state)
{
	struct hooks_opts *o = state->input;

	switch (key) {
	case 'j':
		o->json = true;
		return 0;
	case ARGP_KEY_INIT:
		state->child_inputs[0] = &o->source;
		return 0;
	case ARGP_KEY_ARG:
		argp_error(state, "unexpected argument '%s'", arg);
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

static const char hooks_doc[] =
	"Show which kernel hooks attach on this kernel, and how.\n"
	"\n"
	"For every logical hook, vftrace tries fentry/fexit first, then kprobe/kretprobe, on "
	"each candidate kernel function, and really attaches the winner. The table shows the "
	"mechanism and function chosen, or why none could attach. Needs root (CAP_BPF and "
	"CAP_PERFMON); as another user every hook reports EPERM.\n"
	"\v"
	"Exit status: 0 when the report was printed (whatever it says), 1 on a runtime "
	"failure, 2 on a usage error.";

static const struct argp hooks_argp = { hooks_options, parse_hooks, NULL, hooks_doc,
					tracing_children };

static int cmd_hooks(int argc, char **argv)
{
	struct hooks_opts o = {};
	struct bpf_source *src = NULL;
	const struct vft_hook_state *hooks;
	struct vft_sink *sink = NULL;
	struct vft_ready ready;
	struct utsname u;
	size_t i, n;
	int err, ret = EXIT_RUNTIME;

	argp_parse(&hooks_argp, argc, argv, 0, NULL, &o);
	signal(SIGPIPE, SIG_IGN);
	err = bpf_source__new(&o.source, &src);
	if (err) {
		vft_warn("cannot probe the kernel hooks: %s\n", strerror(-err));
		goto out;
	}
	if (o.json) {
		sink = vft_sink_json__new(stdout);
		if (!sink)
			goto out;
		fill_ready(&ready, &u, src);
		err = vft_sink__ready(sink, &ready);
		ret = err ? output_error(err) : 0;
		goto out;
	}
	hooks = bpf_source__hooks(src, &n);
	uname(&u);
	printf("Linux %s\n", u.release);
	printf("%-18s %-12s %-10s %-30s %s\n", "HOOK", "STATUS", "MECHANISM", "FUNCTION", "REASON");
	for (i = 0; i < n; i++) {
		const struct vft_hook_state *st = &hooks[i];
		bool ok = st->status == VFT_HOOK_ATTACHED;

		printf("%-18s %-12s %-10s %-30s %s\n", st->def->name,
		       vft_hook_status__name(st->status), ok ? vft_mech__name(st->mech) : "-",
		       ok ? st->func : "-", ok ? "" : st->reason);
	}
	if (geteuid() != 0)
		printf("(not running as root: the kernel refuses BPF to this user)\n");
	ret = fflush(stdout) == EOF ? output_error(-errno) : 0;
out:
	vft_sink__free(sink);
	bpf_source__free(src);
	return ret;
}

/* ---- record, replay: not in this version ---- */

static error_t parse_none(int key, char *arg, struct argp_state *state)
{
	return key == ARGP_KEY_ARG ? 0 : ARGP_ERR_UNKNOWN;
}

static const char record_doc[] =
	"Write the event stream to a capture file for later analysis.\n"
	"\v"
	"Capture files are not supported by this version of vftrace yet; use "
	"`vftrace watch --json > FILE` to keep a JSON Lines log meanwhile.";
static const char replay_doc[] = "Analyse a capture file written by `vftrace record`.\n"
				 "\v"
				 "Capture files are not supported by this version of vftrace yet.";

static const struct argp record_argp = { NULL, parse_none, "-o FILE", record_doc, common_children };
static const struct argp replay_argp = { NULL, parse_none, "FILE", replay_doc, common_children };

static int cmd_record(int argc, char **argv)
{
	argp_parse(&record_argp, argc, argv, 0, NULL, NULL);
	vft_warn("record: capture files are not supported by this version yet; "
		 "use `vftrace watch --json > FILE` meanwhile\n");
	return EXIT_RUNTIME;
}

static int cmd_replay(int argc, char **argv)
{
	argp_parse(&replay_argp, argc, argv, 0, NULL, NULL);
	vft_warn("replay: capture files are not supported by this version yet\n");
	return EXIT_RUNTIME;
}

/* ---- top level ---- */

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *help;
};

static const struct command commands[] = {
	{ "watch", cmd_watch, "print VF lifecycle events live" },
	{ "hooks", cmd_hooks, "show which kernel hooks attach on this kernel, and how" },
	{ "record", cmd_record, "write a capture file (not in this version yet)" },
	{ "replay", cmd_replay, "analyse a capture file (not in this version yet)" },
};

struct top_opts {
	const struct command *cmd;
	int argc;
	char **argv;
};

static const struct argp_option top_options[] = {
	{ "verbose", 'v', NULL, 0, "Print debug output, including libbpf's, on stderr" },
	{},
};

static error_t parse_top(int key, char *arg, struct argp_state *state)
{
	struct top_opts *o = state->input;
	size_t i;

	switch (key) {
	case 'v':
		vft_verbose++;
		return 0;
	case ARGP_KEY_ARG:
		for (i = 0; i < ARRAY_SIZE(commands); i++)
			if (!strcmp(arg, commands[i].name))
				o->cmd = &commands[i];
		if (!o->cmd)
			argp_error(state, "unknown command '%s'", arg);
		/* The command and everything after it belong to the command's parser. */
		o->argc = state->argc - state->next + 1;
		o->argv = &state->argv[state->next - 1];
		state->next = state->argc;
		return 0;
	case ARGP_KEY_NO_ARGS:
		argp_error(state, "no command given");
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

static const char top_doc[] =
	"Trace the lifecycle of SR-IOV VFs and their RDMA devices: netdev registration, "
	"network-namespace moves and their failures, with who did each step.\n"
	"\n"
	"Commands:\n"
	"  watch     print VF lifecycle events live\n"
	"  hooks     show which kernel hooks attach on this kernel, and how\n"
	"  record    write a capture file (not in this version yet)\n"
	"  replay    analyse a capture file (not in this version yet)\n"
	"\n"
	"`vftrace COMMAND --help` describes each command.\n"
	"\v"
	"Examples:\n"
	"  vftrace hooks                      what this kernel lets vftrace see\n"
	"  vftrace watch -i 'ibp*'            live events for matching interfaces\n"
	"  vftrace watch --json               JSON Lines for scripts\n"
	"\n"
	"Tracing needs root (CAP_BPF, CAP_PERFMON, CAP_SYS_ADMIN).\n"
	"Exit status: 0 success, 1 runtime failure, 2 usage error.";

static const struct argp top_argp = { top_options, parse_top, "COMMAND [ARGS...]", top_doc };

int main(int argc, char **argv)
{
	struct top_opts o = {};
	char name[64];

	argp_err_exit_status = EXIT_USAGE;
	argp_parse(&top_argp, argc, argv, ARGP_IN_ORDER, NULL, &o);
	libbpf_set_print(libbpf_print);

	/* Usage messages of a command say "vftrace watch: ...". */
	snprintf(name, sizeof(name), "vftrace %s", o.cmd->name);
	o.argv[0] = name;
	return o.cmd->run(o.argc, o.argv);
}
