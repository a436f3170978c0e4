// SPDX-License-Identifier: GPL-2.0-only
/*
 * main.c - the vftrace command line: argp parsing and the subcommands.
 *
 * Exit status: 0 success, 1 runtime failure, 2 usage error.
 */
#define _GNU_SOURCE
#include <argp.h>
#include <fnmatch.h>
#include <limits.h>
#include <malloc.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/capability.h>
#include <sys/utsname.h>
#include <bpf/libbpf.h>
#include "sources/bpf_source.h"
#include "sinks/capture.h"
#include "enrich/cgroup.h"
#include "check/check.h"
#include "enrich/hostcfg.h"
#include "enrich/kubelet.h"
#include "sinks/metrics.h"
#include "enrich/topo.h"
#include "enrich/sysfs.h"
#include "correlate/correlate.h"
#include "enrich/enrich.h"
#include "model/filter.h"
#include "sources/inventory.h"
#include "sources/merge.h"
#include "sources/netlink_source.h"
#include "enrich/netns.h"
#include "pipeline/replay.h"
#include "sinks/sink.h"
#include "lib/util.h"

#define EXIT_RUNTIME 1
#define EXIT_USAGE 2

const char *argp_program_version = "vftrace " VFTRACE_VERSION;

static volatile sig_atomic_t exiting, hangup;

static void on_signal(int sig)
{
	if (sig == SIGHUP)
		hangup = 1;
	else
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
	OPT_MAX_SIZE,
	OPT_ROTATE,
	OPT_DURATION,
	OPT_JSON_REPLAY,
	OPT_VF,
	OPT_POD,
	OPT_NETNS,
	OPT_METRICS,
	OPT_TEXTFILE,
	OPT_CAPTURE_DIR,
	OPT_CHECK_INTERVAL,
	OPT_SINCE,
	OPT_UNTIL,
	OPT_RETAIN,
	OPT_FROM_CAPTURE,
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

/* What watch and record share: the selection, the sources, the correlator, the capture. */
struct trace_opts {
	bool json;
	bool no_netlink;
	bool no_inventory;
	bool record;	      /* record: no event output, a progress line instead */
	const char *out_path; /* capture file (-o), NULL if none */
	struct vft_capture_opts capture;
	uint64_t duration_ns; /* stop after this long, 0: until a signal */
	/* audit */
	bool audit;
	const char *metrics_addr;     /* --metrics, NULL: no endpoint */
	const char *metrics_textfile; /* --metrics-textfile, NULL: none */
	const char *capture_dir;      /* --capture-dir */
	const char *from_capture;     /* --from-capture, NULL: the kernel */
	char capture_path[PATH_MAX];
	uint64_t check_interval_ns;
	struct vft_corr_opts corr;
	struct vft_strlist trusted;
	struct vft_filter filter;
	struct bpf_source_opts source;
};

static const struct argp_option selection_options[] = {
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

/*
 * --ifname, --driver and --pci into @f, as watch, record, audit and check take
 * them. Returns 0, or ARGP_ERR_UNKNOWN for another key. Out of memory ends
 * the program with @oom_status.
 */
static error_t parse_filter_key(int key, char *arg, struct argp_state *state, struct vft_filter *f,
				int oom_status)
{
	switch (key) {
	case 'i':
		if (vft_filter__add_ifname(f, arg))
			argp_failure(state, oom_status, ENOMEM, "--ifname");
		return 0;
	case OPT_DRIVER:
		if (vft_filter__add_driver(f, arg))
			argp_failure(state, oom_status, ENOMEM, "--driver");
		return 0;
	case OPT_PCI:
		if (vft_filter__add_pci(f, arg))
			argp_error(state,
				   "invalid --pci '%s': want a PCI address such as 0000:3b:10.5",
				   arg);
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

static error_t parse_selection(int key, char *arg, struct argp_state *state)
{
	struct trace_opts *o = state->input;
	int err;

	switch (key) {
	case 'i':
	case OPT_DRIVER:
	case OPT_PCI:
		return parse_filter_key(key, arg, state, &o->filter, EXIT_RUNTIME);
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
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

static const struct argp selection_argp = { selection_options, parse_selection };

/* Children of watch and record: [0] selection (trace_opts), [1] tracing (bpf_source_opts). */
static const struct argp_child trace_children[] = {
	{ &selection_argp, 0, "Selection and findings:", -4 },
	{ &tracing_argp, 0, "Tracing options:", -3 },
	{ &common_argp, 0, "Common options:", -2 },
	{},
};

/* Options of the capture file, for watch -o and record. */
static error_t parse_capture_opt(int key, char *arg, struct argp_state *state, struct trace_opts *o)
{
	uint64_t v;

	switch (key) {
	case 'o':
		o->out_path = arg;
		return 0;
	case OPT_MAX_SIZE:
		if (vft_parse_size(arg, &o->capture.max_size) ||
		    o->capture.max_size < VFT_CAPTURE_MIN_FILE_SIZE)
			argp_error(state, "invalid --max-size '%s': want bytes >= 4K, e.g. 64M",
				   arg);
		return 0;
	case OPT_ROTATE:
		if (vft_parse_size(arg, &v) || v < 1 || v > VFT_CAPTURE_MAX_ROTATE)
			argp_error(state, "invalid --rotate '%s': want a number of files, 1 to %u",
				   arg, VFT_CAPTURE_MAX_ROTATE);
		o->capture.rotate = (unsigned int)v;
		return 0;
	case ARGP_KEY_INIT:
		state->child_inputs[0] = o;
		state->child_inputs[1] = &o->source;
		return 0;
	case ARGP_KEY_END:
		if (o->capture.rotate > 1 && !o->capture.max_size)
			argp_error(state, "--rotate needs --max-size");
		if ((o->capture.max_size || o->capture.rotate) && !o->out_path)
			argp_error(state, "--max-size and --rotate need -o FILE");
		return 0;
	case ARGP_KEY_ARG:
		argp_error(state, "unexpected argument '%s'", arg);
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

#define CAPTURE_OPTIONS                                                                    \
	{ "max-size", OPT_MAX_SIZE, "BYTES", 0,                                            \
	  "Flight recorder: start a new file when this one would grow past BYTES (K/M/G "  \
	  "suffixes)" },                                                                   \
	{                                                                                  \
		"rotate", OPT_ROTATE, "N", 0,                                              \
			"Keep N files: FILE (newest), FILE.1 .. FILE.N-1 (oldest); needs " \
			"--max-size"                                                       \
	}

static const struct argp_option watch_options[] = {
	{ "json", 'j', NULL, 0, "Print JSON Lines (schema: docs/json.md) instead of text" },
	{ "output", 'o', "FILE", 0,
	  "Also record the stream into capture file FILE (docs/capture-format.md), as `vftrace "
	  "record` does" },
	CAPTURE_OPTIONS,
	{},
};

static error_t parse_watch(int key, char *arg, struct argp_state *state)
{
	struct trace_opts *o = state->input;

	if (key == 'j') {
		o->json = true;
		return 0;
	}
	return parse_capture_opt(key, arg, state, o);
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
					trace_children };

struct watch_ctx {
	struct vft_sink *sink;
	struct vft_filter *filter;
	struct vft_merge *merge;
	struct vft_corr *corr;
	struct vft_cgroup_cache *cgroups; /* NULL when cgroup2 is not found */
	struct vft_netns_map *netns;	  /* NULL when /proc cannot be read */
	const char *root;		  /* root prefix for sysfs */
	struct vft_u32set announced;	  /* netns inodes with a netns_info event */
	bool from_capture;		  /* audit --from-capture: the stream is recorded */
	uint32_t capture_host_ns;	  /* then: the host netns, as the capture says */
	uint64_t events;
	struct vft_capture_writer *cap; /* -o FILE, else NULL */
	const char *cap_path;
	bool cap_err;		     /* a capture write failed (reported) */
	bool tty;		     /* record's progress line on a terminal */
	struct vft_metrics *metrics; /* audit, else NULL */
	uint64_t cap_bytes;	     /* capture bytes already counted in the metrics */
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
	if (w->from_capture && ev->kind == VFT_EV_NETNS_INFO && ev->netns_host)
		w->capture_host_ns = ev->netns;
	if (w->metrics)
		vft_metrics__event(w->metrics, ev->kind);
	return w->sink ? vft_sink__event(w->sink, ev, vf) : 0;
}

static int corr_finding(void *ctx, const struct vft_finding *f)
{
	struct watch_ctx *w = ctx;

	if (w->metrics)
		vft_metrics__finding(w->metrics, f->code, false);
	return w->sink ? vft_sink__finding(w->sink, f) : 0;
}

static int corr_resolved(void *ctx, const struct vft_finding *f)
{
	struct watch_ctx *w = ctx;

	if (w->metrics)
		vft_metrics__finding(w->metrics, f->code, true);
	return w->sink ? vft_sink__resolved(w->sink, f) : 0;
}

/* The correlator forgot a netns (--retain): say what it is again when it is named next. */
static void corr_netns_forgotten(void *ctx, uint32_t netns)
{
	struct watch_ctx *w = ctx;

	vft_u32set__del(&w->announced, netns);
}

static const struct vft_corr_ops corr_ops = {
	.event = corr_event,
	.finding = corr_finding,
	.resolved = corr_resolved,
	.netns_forgotten = corr_netns_forgotten,
};

/* Every event of the stream ends here: the correlator, which passes it on to the sink. */
/* A capture write failed: say once what it means for the file. */
static void capture_error(struct watch_ctx *w, int err)
{
	if (w->cap_err)
		return;
	w->cap_err = true;
	if (err == -ENOSPC || err == -EDQUOT || err == -EFBIG)
		vft_warn("cannot write %s: %s (disk full): the capture holds the events up to its "
			 "last complete block and replays as it is\n",
			 w->cap_path, strerror(-err));
	else
		vft_warn("cannot write %s: %s: the capture holds the events up to its last "
			 "complete block\n",
			 w->cap_path, strerror(-err));
}

static int deliver(void *ctx, const struct vft_event *ev)
{
	struct watch_ctx *w = ctx;
	int err;

	if (w->cap) {
		err = vft_capture_writer__write(w->cap, ev);
		if (err) {
			capture_error(w, err);
			return err;
		}
	}
	return vft_corr__feed(w->corr, ev);
}

/*
 * Says what netns @netns is (host, /run/netns name, pod), once per netns, as
 * a netns_info event ahead of the first event that names it: the correlator
 * and a capture learn it from the stream, not from the live system.
 */
static int announce_netns(struct watch_ctx *w, uint32_t netns, bool host)
{
	struct vft_event ev;
	int err;

	if (!netns)
		return 0;
	err = vft_u32set__add(&w->announced, netns);
	if (err <= 0)
		return err;
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

	if (w->from_capture)
		return w->capture_host_ns;
	if (!host && vft_root_is_live(w->root) && !stat("/proc/self/ns/net", &st))
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
	/*
	 * lo (ifindex 1) goes last when a netns is destroyed, and the kernel
	 * gives the netns's inode to a later netns: what it was is said again.
	 */
	if (ev.kind == VFT_EV_NETDEV_UNREGISTER && ev.ifindex == 1 && ev.netns &&
	    ev.netns != host_netns(w)) {
		vft_u32set__del(&w->announced, ev.netns);
		if (w->netns)
			vft_netns_map__forget(w->netns, ev.netns);
	}
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

/* record on a terminal: one line, rewritten once a second. */
static void progress(const struct trace_opts *o, struct watch_ctx *w, uint64_t lost, bool last)
{
	struct vft_capture_stats st;

	if (!w->cap)
		return;
	vft_capture_writer__stats(w->cap, &st);
	if (!last && !w->tty)
		return;
	fprintf(stderr,
		"%svftrace: recording to %s: %llu events, %llu bytes in %llu file%s, %llu lost%s",
		w->tty ? "\r" : "", o->out_path, (unsigned long long)(st.events + st.pending),
		(unsigned long long)st.bytes, (unsigned long long)st.files,
		st.files == 1 ? "" : "s", (unsigned long long)lost, last || !w->tty ? "\n" : "");
}

/* Puts what the correlator cannot see in the stream into the capture: options, losses. */
static int capture_meta(struct watch_ctx *w, uint32_t kind, const char *comm, uint64_t lost)
{
	struct vft_event ev = { .kind = kind, .source = VFT_SRC_ENRICH };

	if (!w->cap)
		return 0;
	ev.ts_ns = now_wall_ns();
	ev.lost = lost;
	if (comm)
		vft_copy_name(ev.actor.comm, comm, sizeof(ev.actor.comm));
	return vft_capture_writer__write(w->cap, &ev);
}

/*
 * The capabilities the audit daemon keeps once its hooks are attached:
 * CAP_BPF and CAP_PERFMON to attach the RDMA hooks when ib_core loads later,
 * CAP_SYS_ADMIN to join a netns and mount sysfs there (RDMA ports as a pod
 * sees them), CAP_NET_ADMIN for rtnetlink ids in other netns, CAP_SYS_PTRACE
 * and CAP_DAC_READ_SEARCH to read other processes' /proc/<pid>/ns and cgroup,
 * CAP_SYS_RESOURCE for the BPF maps' memory. Everything else goes, from the
 * bounding set too, and no exec can gain anything back (no_new_privs).
 */
static const cap_value_t audit_caps[] = {
	CAP_BPF,	CAP_PERFMON,	     CAP_SYS_ADMIN,    CAP_NET_ADMIN,
	CAP_SYS_PTRACE, CAP_DAC_READ_SEARCH, CAP_SYS_RESOURCE,
};

static int drop_capabilities(void)
{
	cap_t caps = cap_init(), now = cap_get_proc();
	cap_flag_value_t have;
	cap_value_t c;
	size_t i;
	int err = 0;

	if (!caps || !now) {
		err = -errno;
		goto out;
	}
	/* keep those of the list that we have: a capability not permitted cannot be raised */
	for (i = 0; i < ARRAY_SIZE(audit_caps); i++) {
		if (cap_get_flag(now, audit_caps[i], CAP_PERMITTED, &have) || have != CAP_SET)
			continue;
		if (cap_set_flag(caps, CAP_EFFECTIVE, 1, &audit_caps[i], CAP_SET) ||
		    cap_set_flag(caps, CAP_PERMITTED, 1, &audit_caps[i], CAP_SET)) {
			err = -errno;
			goto out;
		}
	}
	for (c = 0; c <= CAP_LAST_CAP && !err; c++) {
		bool keep = false;

		for (i = 0; i < ARRAY_SIZE(audit_caps); i++)
			keep = keep || audit_caps[i] == c;
		/* without CAP_SETPCAP (not root) the bounding set cannot shrink: not fatal */
		if (!keep && CAP_IS_SUPPORTED(c) && cap_drop_bound(c) && errno != EPERM &&
		    errno != EINVAL)
			err = -errno;
	}
	if (!err && cap_set_proc(caps))
		err = -errno;
	if (!err && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		err = -errno;
out:
	cap_free(caps);
	cap_free(now);
	return err;
}

static int audit_check(struct watch_ctx *w, const struct trace_opts *o);
static void audit_metrics(struct watch_ctx *w, const struct trace_opts *o);

/* <capture-dir>/vftrace.cap, refusing a directory or a file that is a symbolic link. */
static int audit_capture_path(struct trace_opts *o)
{
	struct stat st;

	if (lstat(o->capture_dir, &st) || !S_ISDIR(st.st_mode)) {
		vft_warn("--capture-dir %s: %s\n", o->capture_dir,
			 errno && !S_ISLNK(st.st_mode) ? strerror(errno) :
			 S_ISLNK(st.st_mode)	       ? "a symbolic link: refused" :
							 "not a directory");
		return -EINVAL;
	}
	if (snprintf(o->capture_path, sizeof(o->capture_path), "%s/vftrace.cap", o->capture_dir) >=
	    (int)sizeof(o->capture_path))
		return -ENAMETOOLONG;
	if (!lstat(o->capture_path, &st) && S_ISLNK(st.st_mode)) {
		vft_warn("%s is a symbolic link: refused\n", o->capture_path);
		return -ELOOP;
	}
	o->out_path = o->capture_path;
	return 0;
}

/*
 * SIGHUP: flush the capture (and start a new one when the file was moved
 * away, as log rotation does), rewrite the metrics textfile on the next tick.
 */
static int audit_hangup(struct watch_ctx *w, struct trace_opts *o)
{
	struct vft_capture_header hdr;
	struct stat st;
	int err;

	if (!w->cap)
		return 0;
	err = vft_capture_writer__flush(w->cap);
	if (err) {
		capture_error(w, err);
		return err;
	}
	if (!lstat(o->out_path, &st))
		return 0;
	vft_warn("%s was moved away: starting a new capture there\n", o->out_path);
	err = vft_capture_writer__free(w->cap);
	w->cap = NULL;
	w->cap_bytes = 0;
	if (err) {
		capture_error(w, err);
		return err;
	}
	err = vft_capture_header__fill_local(&hdr, o->source.root);
	if (!err)
		err = vft_capture_writer__new(o->out_path, &o->capture, &hdr, &w->cap);
	if (err)
		vft_warn("cannot create capture file %s: %s\n", o->out_path, strerror(-err));
	return err;
}

/*
 * watch and record: the sources, the merge, the selection, the correlator,
 * and a sink (watch), a capture file (-o, record), or both.
 */
static int run_trace(struct trace_opts *o)
{
	struct bpf_source *src = NULL;
	struct netlink_source *nl = NULL;
	struct vft_sink *sink = NULL;
	struct watch_ctx w = {};
	uint64_t lost, last_lost = 0, deadline = 0, last_flush;
	struct vft_ready ready;
	struct utsname u;
	sigset_t stop_sigs, wait_mask;
	struct vft_metrics_server *server = NULL;
	uint64_t next_check = 0, next_metrics = 0;
	size_t i;
	int err, epfd = -1, ret = EXIT_RUNTIME;

	install_signals();
	if (o->audit) {
		struct sigaction sa = { .sa_handler = on_signal };

		/* the daemon's SIGHUP: flush, rewrite, reopen what was moved away */
		sigemptyset(&sa.sa_mask);
		sigaction(SIGHUP, &sa, NULL);
	}
	/*
	 * SIGINT and SIGTERM stay blocked except inside epoll_pwait(): a signal
	 * that comes between the check of `exiting` and the wait still ends the
	 * wait, however long it was meant to be.
	 */
	sigemptyset(&stop_sigs);
	sigaddset(&stop_sigs, SIGINT);
	sigaddset(&stop_sigs, SIGTERM);
	if (o->audit)
		sigaddset(&stop_sigs, SIGHUP);
	sigprocmask(SIG_BLOCK, &stop_sigs, &wait_mask);
	sigdelset(&wait_mask, SIGINT);
	sigdelset(&wait_mask, SIGTERM);
	sigdelset(&wait_mask, SIGHUP);
	o->filter.root = o->source.root;
	/* only a name can select a device without a parent (veth, dummy, bridge) */
	o->source.skip_virtual_netdevs = !o->filter.all && !o->filter.ifnames.n;

	if (o->audit && o->capture_dir) {
		err = audit_capture_path(o);
		if (err)
			goto out;
	}
	/* the file first: a bad path is the cheapest failure to report */
	if (o->out_path) {
		struct vft_capture_header hdr;

		err = vft_capture_header__fill_local(&hdr, o->source.root);
		if (!err)
			err = vft_capture_writer__new(o->out_path, &o->capture, &hdr, &w.cap);
		if (err) {
			vft_warn("cannot create capture file %s: %s\n", o->out_path,
				 err == -EINVAL ? "not a regular file, or options out of range" :
						  strerror(-err));
			goto out;
		}
		w.tty = o->record && isatty(2);
		w.cap_path = o->out_path;
	}
	err = bpf_source__new(&o->source, &src);
	if (err) {
		vft_warn("cannot start tracing: %s\n", strerror(-err));
		goto out;
	}
	if (!o->no_netlink) {
		struct netlink_source_opts nopts = { .root = o->source.root };

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
	err = vft_corr__new(&o->corr, &corr_ops, &w, &w.corr);
	if (err)
		goto out;
	if (vft_cgroup_cache__new(o->source.root, &w.cgroups))
		vft_debug("no cgroup2 mount found: actors will have no cgroup path\n");
	if (vft_netns_map__new(o->source.root, &w.netns))
		vft_debug("cannot read /proc: namespaces will not be attributed to pods\n");
	if (!o->record) {
		sink = o->json ? vft_sink_json__new(stdout) : vft_sink_text__new(stdout, isatty(1));
		if (!sink)
			goto out;
	}
	if (o->audit) {
		const struct vft_hook_state *hooks;
		size_t nh;

		w.metrics = vft_metrics__new();
		if (!w.metrics)
			goto out;
		hooks = bpf_source__hooks(src, &nh);
		for (i = 0; i < nh; i++)
			vft_metrics__hook(w.metrics, hooks[i].def->name,
					  hooks[i].status == VFT_HOOK_ATTACHED);
		if (bpf_source__map_memory(src, vft_metrics__bpf_map_cb, w.metrics))
			vft_debug("cannot read the BPF maps' memory from /proc/self/fdinfo\n");
		if (o->metrics_addr) {
			err = vft_metrics__serve(w.metrics, o->metrics_addr, &server);
			if (err)
				goto out; /* it said why */
		}
		/* everything that needs more is open or attached now */
		err = drop_capabilities();
		if (err) {
			vft_warn("cannot drop capabilities: %s\n", strerror(-err));
			goto out;
		}
	}
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
	if (sink) {
		err = vft_sink__ready(sink, &ready);
		if (err) {
			ret = output_error(err);
			goto out;
		}
	} else {
		fprintf(stderr, "vftrace %s on Linux %s: recording to %s; Ctrl-C to stop\n",
			VFTRACE_VERSION, u.release, o->out_path);
	}
	if (!bpf_source__attached(src))
		vft_warn("no kernel hook attached on this kernel: %s (see `vftrace hooks`)\n",
			 nl ? "events come from rtnetlink only, without actors" :
			      "no events will be seen");

	w.sink = sink;
	w.filter = &o->filter;
	w.root = o->source.root;
	/* the stream starts with what a replay needs to judge it as this run does */
	for (i = 0; i < o->trusted.n && !err; i++) {
		struct vft_event t = { .kind = VFT_EV_TRUST, .source = VFT_SRC_ENRICH };

		t.ts_ns = now_wall_ns();
		vft_copy_name(t.actor.comm, o->trusted.items[i], sizeof(t.actor.comm));
		err = deliver(&w, &t);
	}
	if (!err)
		err = announce_netns(&w, host_netns(&w), true);
	if (err) {
		ret = w.cap_err ? EXIT_RUNTIME : output_error(err);
		goto out;
	}
	/* What exists now: after ready, so that nothing created meanwhile is missed. */
	if (!o->no_inventory) {
		err = nl ? netlink_source__inventory(nl, on_event, &w) : 0;
		if (err >= 0) /* it returns how many it reported */
			err = vft_inventory__scan(o->source.root, on_event, &w);
		if (err) {
			ret = err == -EPIPE || err == -EIO ? output_error(err) : EXIT_RUNTIME;
			if (ret && !w.cap_err)
				vft_warn("the inventory at start failed: %s\n", strerror(-err));
			goto out;
		}
	}
	last_flush = now_ns(CLOCK_MONOTONIC);
	if (o->duration_ns)
		deadline = last_flush + o->duration_ns;
	for (;;) {
		struct epoll_event evs[4];
		int stop = exiting, n, ms;
		uint64_t mono;

		mono = now_ns(CLOCK_MONOTONIC);
		if (deadline && mono >= deadline)
			stop = 1;
		ms = stop ? 0 : idle_timeout_ms(&w, src);
		/* a capture is flushed once a second; a duration ends the run */
		if ((w.cap || o->audit) && (ms < 0 || ms > 1000))
			ms = 1000;
		if (deadline && !stop && (ms < 0 || (uint64_t)ms > (deadline - mono) / 1000000 + 1))
			ms = (int)((deadline - mono) / 1000000 + 1);
		/* After a signal, one last non-blocking round drains what is queued. */
		n = epoll_pwait(epfd, evs, 4, ms, &wait_mask);
		if (n < 0 && errno != EINTR) {
			vft_warn("epoll_wait: %s\n", strerror(errno));
			goto out;
		}
		err = 0;
		for (i = 0; i < (size_t)(n > 0 ? n : 0) && err >= 0; i++) {
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
			ret = w.cap_err			   ? EXIT_RUNTIME :
			      err == -EPIPE || err == -EIO ? output_error(err) :
							     EXIT_RUNTIME;
			if (ret && !w.cap_err)
				vft_warn("reading events failed: %s\n", strerror(-err));
			goto out;
		}
		if (bpf_source__take_changes(src)) {
			err = sink ? vft_sink__coverage(sink, &ready) : 0;
			if (err) {
				ret = output_error(err);
				goto out;
			}
			for (i = 0; w.metrics && i < ready.n_hooks; i++)
				vft_metrics__hook(w.metrics, ready.hooks[i].def->name,
						  ready.hooks[i].status == VFT_HOOK_ATTACHED);
		}
		lost = bpf_source__lost(src) + (nl ? netlink_source__lost(nl) : 0);
		if (lost > last_lost) {
			err = sink ? vft_sink__lost(sink, lost - last_lost, lost, now_wall_ns()) :
				     0;
			if (err) {
				ret = output_error(err);
				goto out;
			}
			if (w.metrics)
				vft_metrics__lost(w.metrics, lost - last_lost);
			err = capture_meta(&w, VFT_EV_LOST, NULL, lost - last_lost);
			if (err) {
				capture_error(&w, err);
				goto out;
			}
			last_lost = lost;
		}
		mono = now_ns(CLOCK_MONOTONIC);
		if (w.cap && (stop || mono - last_flush >= 1000000000ULL)) {
			err = vft_capture_writer__flush(w.cap);
			if (err) {
				capture_error(&w, err);
				goto out;
			}
			last_flush = mono;
			progress(o, &w, last_lost, false);
		}
		if (o->audit) {
			if (mono >= next_check) {
				err = audit_check(&w, o);
				if (err) {
					ret = output_error(err);
					goto out;
				}
				next_check = mono + o->check_interval_ns;
			}
			if (hangup) {
				hangup = 0;
				err = audit_hangup(&w, o);
				if (err)
					goto out;
				next_metrics = 0;
			}
			if (mono >= next_metrics || stop) {
				audit_metrics(&w, o);
				next_metrics = mono + 5000000000ULL;
			}
		}
		if (stop)
			break;
	}
	err = sink ? vft_sink__finish(sink, w.corr, w.events, last_lost, NULL) : 0;
	ret = err ? output_error(err) : 0;
out:
	if (w.cap) {
		progress(o, &w, last_lost, true);
		err = vft_capture_writer__free(w.cap);
		if (err) {
			capture_error(&w, err);
			ret = EXIT_RUNTIME;
		}
	}
	if (epfd >= 0)
		close(epfd);
	vft_metrics_server__free(server);
	vft_metrics__free(w.metrics);
	vft_sink__free(sink);
	vft_merge__free(w.merge);
	vft_corr__free(w.corr);
	vft_netns_map__free(w.netns);
	vft_u32set__clear(&w.announced);
	vft_cgroup_cache__free(w.cgroups);
	netlink_source__free(nl);
	bpf_source__free(src);
	vft_filter__clear(&o->filter);
	vft_strlist__clear(&o->trusted);
	return ret;
}

static int cmd_watch(int argc, char **argv)
{
	struct trace_opts o = {};

	argp_parse(&watch_argp, argc, argv, 0, NULL, &o);
	return run_trace(&o);
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

/* ---- record ---- */

static const struct argp_option record_options[] = {
	{ "output", 'o', "FILE", 0, "Write the capture to FILE (mode 0600; required)" },
	{ "duration", OPT_DURATION, "SECONDS", 0,
	  "Stop after SECONDS (default: at SIGINT/SIGTERM)" },
	CAPTURE_OPTIONS,
	{},
};

static error_t parse_record(int key, char *arg, struct argp_state *state)
{
	struct trace_opts *o = state->input;

	switch (key) {
	case OPT_DURATION:
		if (vft_parse_seconds(arg, &o->duration_ns) || !o->duration_ns)
			argp_error(state, "invalid --duration '%s': want seconds > 0", arg);
		return 0;
	case ARGP_KEY_END:
		if (!o->out_path)
			argp_error(state, "no capture file given: -o FILE");
		return parse_capture_opt(key, arg, state, o);
	default:
		return parse_capture_opt(key, arg, state, o);
	}
}

static const char record_doc[] =
	"Record the VF lifecycle stream into a capture file, for `vftrace replay` later and "
	"elsewhere.\n"
	"\n"
	"Traces exactly as `vftrace watch` does (same hooks, selection, enrichment and grace "
	"periods) and writes every event the correlator sees to FILE: the inventory at start, "
	"what each netns is (host, name, pod), port attributes re-read at the end of grace "
	"periods, and losses. A replay therefore needs nothing from this machine and raises the "
	"same findings. Blocks are compressed and flushed at least once a second, so a crash or "
	"kill -9 loses at most the last second; SIGINT and SIGTERM flush and close the file. On "
	"a terminal, a progress line shows events, bytes and losses. With --max-size and "
	"--rotate it is a flight recorder for continuous auditing: the newest data is kept in "
	"FILE, older data in FILE.1 .. FILE.N-1.\n"
	"\v"
	"Examples:\n"
	"  vftrace record -o vf.cap                       until Ctrl-C\n"
	"  vftrace record -o vf.cap --duration 600 --pci 0000:3b:10.5\n"
	"  vftrace record -o /var/log/vftrace/vf.cap --max-size 64M --rotate 8\n"
	"  vftrace watch -o vf.cap                        watch and record at once\n"
	"\n"
	"Exit status: 0 when stopped by a signal or --duration, 1 on a runtime failure (a "
	"full disk included: the file replays up to its last complete block), 2 on a usage "
	"error.";

static const struct argp record_argp = { record_options, parse_record, NULL, record_doc,
					 trace_children };

static int cmd_record(int argc, char **argv)
{
	struct trace_opts o = { .record = true };

	argp_parse(&record_argp, argc, argv, 0, NULL, &o);
	return run_trace(&o);
}

/* ---- check ---- */

struct check_opts {
	bool json;
	const char *root;
	const char *pod;
	const char *netns;
	const char *vf;
	bool all;		  /* --all */
	struct vft_filter filter; /* --ifname, --driver, --pci; the pipeline's selection */
};

static const struct argp_option check_options[] = {
	{ "json", 'j', NULL, 0, "Print JSON Lines (docs/json.md) instead of a table" },
	{ "root", OPT_ROOT, "DIR", 0,
	  "Inspect the tree under DIR instead of this node (for tests: /sys, /proc, /run, /etc, "
	  "/var/lib/kubelet under DIR)" },
	{ "pod", OPT_POD, "UID", 0, "Only the VFs of this pod (in its netns, or allocated to it)" },
	{ "netns", OPT_NETNS, "NAME", 0, "Only the VFs in the netns of this /run/netns name" },
	{ "vf", OPT_VF, "BDF|IFNAME", 0, "Only this VF, by PCI address or netdev name" },
	{ "ifname", 'i', "GLOB", 0, "Only devices whose name matches GLOB (repeatable)" },
	{ "driver", OPT_DRIVER, "NAME", 0, "Only devices bound to driver NAME (repeatable)" },
	{ "pci", OPT_PCI, "BDF", 0, "Only the device at PCI address BDF (repeatable)" },
	{ "all", OPT_ALL, NULL, 0,
	  "Every device with a netdev or an RDMA device, not only SR-IOV VFs (veth with Soft-RoCE "
	  "in tests)" },
	{},
};

static error_t parse_check(int key, char *arg, struct argp_state *state)
{
	struct check_opts *o = state->input;

	switch (key) {
	case 'j':
		o->json = true;
		return 0;
	case OPT_ROOT:
		o->root = arg;
		return 0;
	case OPT_POD:
		o->pod = arg;
		return 0;
	case OPT_NETNS:
		o->netns = arg;
		return 0;
	case OPT_VF:
		o->vf = arg;
		return 0;
	case 'i':
	case OPT_DRIVER:
	case OPT_PCI:
		return parse_filter_key(key, arg, state, &o->filter, EXIT_USAGE);
	case OPT_ALL:
		o->all = true;
		return 0;
	case ARGP_KEY_ARG:
		argp_error(state, "unexpected argument '%s'", arg);
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

static const char check_doc[] =
	"Say whether each VF is RDMA-ready now, layer by layer.\n"
	"\n"
	"Traces nothing: it reads the node (sysfs, rtnetlink in every netns, the RDMA ports from "
	"inside each VF's netns, /proc and the cgroups for pods, the kubelet's device checkpoint, "
	"the host network managers' configuration) and prints one row per VF with a verdict per "
	"check: GUID (node and port GUID set), LID/GID (InfiniBand: a LID; RoCE: a RoCE v2 GID "
	"from an IP address), SM (InfiniBand port ACTIVE with an SM LID), RDMA (an RDMA device "
	"exists and is visible in the VF's netns), MAPPING (physfn, netdev, RDMA device and the "
	"pod's allocation agree), OWNER (a VF in the host netns is not configured, and no "
	"systemd-networkd or NetworkManager configuration would manage it) and TOPO (PCIe "
	"distance to the pod's GPUs, as nvidia-smi names it: PIX and PXB pass). A VF is ready "
	"when no check fails; below the table, each failure's evidence. docs/check.md has the "
	"rules and the integrations (init container, node-problem-detector).\n"
	"\v"
	"Examples:\n"
	"  vftrace check                          every VF of the node\n"
	"  vftrace check --pod 0e5c2a7d-...       the VFs of one pod\n"
	"  vftrace check --netns cni-7f3e... --json\n"
	"\n"
	"Exit status: 0 when every selected VF is ready, 1 when one is not, 2 on a usage or "
	"runtime error (nothing selected included).";

static const struct argp check_argp = { check_options, parse_check, NULL, check_doc,
					common_children };

/* The netns inode of <root>/proc/<pid>, 0 if unreadable or @pid is not a number. */
static uint32_t pid_netns(const char *root, const char *pid)
{
	uint32_t n, ino;

	if (vft_sysfs__parse_u32(pid, &n) || vft_netns__of_pid(root, n, &ino))
		return 0;
	return ino;
}

/* The device directory above <sysdir>/class/net/<name>'s real path (.../<parent>/net/<name>). */
static int netdev_parent(const char *root, const char *sysdir, const char *name, char *buf,
			 size_t size)
{
	char rel[PATH_MAX], path[PATH_MAX], *real, *end, *start;
	int err = -ENOENT;

	snprintf(rel, sizeof(rel), "%s/class/net/%s", sysdir, name);
	if (vft_path(path, sizeof(path), root, rel))
		return -ENAMETOOLONG;
	real = realpath(path, NULL);
	if (!real)
		return -errno;
	end = strrchr(real, '/');
	if (end && end - real >= 4 && !strncmp(end - 4, "/net", 4)) {
		end -= 4;
		*end = '\0';
		start = strrchr(real, '/');
		if (start && strcmp(start + 1, "virtual") && strlen(start + 1) < size) {
			snprintf(buf, size, "%s", start + 1);
			err = 0;
		}
	}
	free(real);
	return err;
}

/* netdev_register (and its flags as a link_change) for each netdev under <sysdir>/class/net. */
static int sysfs_netdevs(struct watch_ctx *w, const char *root, const char *sysdir, uint32_t netns)
{
	struct vft_sysfs_list l = { 0 };
	char path[PATH_MAX], parent[VFT_DEVNAME_LEN];
	size_t i;
	int err;

	snprintf(path, sizeof(path), "%s/class/net", sysdir);
	err = vft_sysfs__list(root, path, NULL, &l);
	if (err)
		return err == -ENOMEM ? err : 0;
	for (i = 0; i < l.n; i++) {
		struct vft_event ev = { .kind = VFT_EV_NETDEV_REGISTER,
					.source = VFT_SRC_INVENTORY };
		uint32_t ifindex = 0, flags = 0;

		ev.ts_ns = now_wall_ns();
		ev.netns = netns;
		vft_copy_name(ev.ifname, l.names[i], sizeof(ev.ifname));
		snprintf(path, sizeof(path), "%s/class/net/%s/ifindex", sysdir, l.names[i]);
		vft_sysfs__read_u32(root, path, &ifindex);
		ev.ifindex = (int32_t)ifindex;
		snprintf(path, sizeof(path), "%s/class/net/%s/device", sysdir, l.names[i]);
		if (!vft_sysfs__link_name(root, path, parent, sizeof(parent)) ||
		    !netdev_parent(root, sysdir, l.names[i], parent, sizeof(parent)))
			vft_copy_name(ev.parent, parent, sizeof(ev.parent));
		err = on_event(w, &ev);
		if (err)
			break;
		snprintf(path, sizeof(path), "%s/class/net/%s/flags", sysdir, l.names[i]);
		if (!vft_sysfs__read_hex(root, path, &flags) && (flags & 1)) {
			ev.kind = VFT_EV_LINK_CHANGE;
			ev.flags = flags;
			ev.old_flags = flags & ~1u;
			err = on_event(w, &ev);
			if (err)
				break;
		}
	}
	vft_sysfs_list__free(&l);
	return err;
}

/*
 * Without rtnetlink (a --root tree): the host's netdevs from <root>/sys, and
 * each pod's from the sysfs its processes see, <root>/proc/<pid>/root/sys.
 */
static int root_netdevs(struct watch_ctx *w, const char *root, uint32_t host)
{
	struct vft_sysfs_list l = { 0 };
	uint32_t done[64];
	size_t i, n_done = 0, k;
	int err;

	err = sysfs_netdevs(w, root, "/sys", host);
	if (err)
		return err;
	err = vft_sysfs__list(root, "/proc", NULL, &l);
	if (err)
		return err == -ENOMEM ? err : 0;
	for (i = 0; i < l.n && !err; i++) {
		char sysdir[96];
		uint32_t ns = pid_netns(root, l.names[i]);

		if (!ns || ns == host)
			continue;
		for (k = 0; k < n_done && done[k] != ns; k++)
			;
		if (k < n_done || n_done == 64)
			continue;
		snprintf(sysdir, sizeof(sysdir), "/proc/%s/root/sys", l.names[i]);
		if (vft_sysfs__access(root, sysdir))
			continue;
		done[n_done++] = ns;
		err = announce_netns(w, ns, false);
		if (!err)
			err = sysfs_netdevs(w, root, sysdir, ns);
	}
	vft_sysfs_list__free(&l);
	return err;
}

/* The netns of pod @uid, from the netns map (a process of the pod lives in it). */
static uint32_t pod_netns(struct vft_netns_map *m, const char *uid)
{
	struct vft_netns_info info;
	size_t i, n = m ? vft_netns_map__count(m) : 0;

	for (i = 0; i < n; i++)
		if (!vft_netns_map__get(m, i, &info) && !strcmp(info.pod_uid, uid))
			return info.netns;
	return 0;
}

static void check_facts(struct watch_ctx *w, const struct check_opts *o, const struct vft_vf *vf,
			const struct vft_pod_device *devs, size_t n_devs,
			const struct vft_gpu *gpus, size_t n_gpus, struct vft_check_facts *f)
{
	struct vft_hostcfg_claim claims[2];
	struct vft_pci_attrs pa;
	struct vft_rdma_attrs ra;
	struct vft_netns_info info;
	struct vft_port_attrs port;
	enum vft_pcie_dist d;
	size_t i, g;
	int n;

	memset(f, 0, sizeof(*f));
	f->ib_visible = -1;
	if (vf->ref.pci[0] && !vft_inventory__read_pci(o->root, vf->ref.pci, &pa))
		vft_copy_name(f->physfn, pa.physfn, sizeof(f->physfn));
	if (vf->ref.ibdev[0] && !vft_inventory__read_rdma(o->root, vf->ref.ibdev, &ra))
		vft_copy_name(f->ib_parent, ra.parent, sizeof(f->ib_parent));
	/* the RDMA device as the VF's netns sees it (exclusive netns mode hides it) */
	if (vf->ref.ibdev[0] && vft_root_is_live(o->root) && w->netns && vf->ref.netns &&
	    vf->ref.netns != vft_netns_map__host(w->netns) &&
	    !vft_netns_map__lookup(w->netns, vf->ref.netns, &info)) {
		n = vft_netns__read_port(info.path, vf->ref.ibdev, vf->port ? vf->port : 1, &port);
		f->ib_visible = n == -ENOENT ? 0 : !n ? 1 : -1;
	}
	if (vf->registered && vf->ref.ifname[0] &&
	    (!vf->ref.netns || vf->ref.netns == vft_netns_map__host(w->netns))) {
		n = vft_hostcfg__claims(o->root, vf->ref.ifname, vf->driver, claims);
		for (i = 0; i < (size_t)(n > 0 ? n : 0) && i < 2; i++) {
			char *c = f->claims[f->n_claims++];
			size_t sz = sizeof(f->claims[0]), off;

			off = (size_t)snprintf(c, sz, "%.24s: ", claims[i].manager);
			if (claims[i].source[0] && off < sz)
				off += (size_t)snprintf(c + off, sz - off,
							"%.120s: ", claims[i].source);
			if (off < sz)
				snprintf(c + off, sz - off, "%s", claims[i].detail);
		}
	}
	for (i = 0; vf->ref.pci[0] && i < n_devs; i++)
		if (!strcmp(devs[i].id, vf->ref.pci))
			vft_copy_name(f->alloc_pod, devs[i].pod_uid, sizeof(f->alloc_pod));
	if (f->alloc_pod[0]) {
		f->alloc_netns = pod_netns(w->netns, f->alloc_pod);
		f->alloc_pod_running = f->alloc_netns != 0;
	}
	/* the GPUs the kubelet gave the same pod */
	for (i = 0; f->alloc_pod[0] && i < n_devs && f->n_gpus < 8; i++) {
		if (strcmp(devs[i].pod_uid, f->alloc_pod) || !strstr(devs[i].resource, "gpu"))
			continue;
		for (g = 0; g < n_gpus; g++) {
			if (strcmp(gpus[g].uuid, devs[i].id) && strcmp(gpus[g].bdf, devs[i].id))
				continue;
			if (vft_topo__distance(o->root, vf->ref.pci, gpus[g].bdf, &d))
				break;
			vft_copy_name(f->gpus[f->n_gpus], gpus[g].bdf, sizeof(f->gpus[0]));
			vft_copy_name(f->dist[f->n_gpus], vft_pcie_dist__name(d),
				      sizeof(f->dist[0]));
			f->gpu_numa[f->n_gpus++] = gpus[g].numa_node;
			break;
		}
	}
}

static bool check_selected(const struct check_opts *o, const struct vft_vf *vf,
			   const struct vft_check_facts *f)
{
	const char *pod = vf->ref.pod_uid[0] ? vf->ref.pod_uid : f->alloc_pod;
	size_t i;

	if (o->pod && strcmp(pod, o->pod) && strcmp(f->alloc_pod, o->pod))
		return false;
	if (o->netns && strcmp(vf->ref.netns_name, o->netns))
		return false;
	if (o->vf && strcmp(vf->ref.key, o->vf) && strcmp(vf->ref.ifname, o->vf))
		return false;
	for (i = 0; i < o->filter.pcis.n; i++)
		if (!strcmp(o->filter.pcis.items[i], vf->ref.pci))
			return true;
	for (i = 0; i < o->filter.drivers.n; i++)
		if (!strcmp(o->filter.drivers.items[i], vf->driver))
			return true;
	for (i = 0; i < o->filter.ifnames.n; i++)
		if (!fnmatch(o->filter.ifnames.items[i], vf->ref.ifname, 0))
			return true;
	if (o->filter.pcis.n || o->filter.drivers.n || o->filter.ifnames.n)
		return false;
	/*
	 * By default SR-IOV VFs; --all, --netns, --pod and --vf also take other
	 * devices that could carry RDMA: with an RDMA device or a PCI parent.
	 */
	return vf->pf[0] || ((o->all || o->netns || o->pod || o->vf) &&
			     (vf->ref.ibdev[0] || (vf->registered && vf->ref.pci[0])));
}

static int add_row(struct vft_check_row **rows, size_t *n, const struct vft_check_row *row)
{
	struct vft_check_row *tmp = realloc(*rows, (*n + 1) * sizeof(*tmp));

	if (!tmp)
		return -ENOMEM;
	tmp[(*n)++] = *row;
	*rows = tmp;
	return 0;
}

/* Rows for the VFs a PF announces (sriov_numvfs) that do not exist. */
static int missing_vfs(const struct check_opts *o, struct vft_corr *corr,
		       struct vft_check_row **rows, size_t *n_rows)
{
	size_t i, j, n = vft_corr__n_vfs(corr);
	struct vft_pci_attrs pa;
	struct vft_check_row row;
	int err = 0;

	for (i = 0; i < n && !err; i++) {
		const struct vft_vf *pf = vft_corr__vf_state(corr, i);
		uint32_t offset = 0, stride = 0, idx;
		char path[96], bdf[VFT_DEVNAME_LEN];

		if (pf->pf[0] || !pf->ref.pci[0] ||
		    vft_inventory__read_pci(o->root, pf->ref.pci, &pa) || !pa.has_sriov)
			continue;
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/sriov_offset", pf->ref.pci);
		vft_sysfs__read_u32(o->root, path, &offset);
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/sriov_stride", pf->ref.pci);
		vft_sysfs__read_u32(o->root, path, &stride);
		for (idx = 0; idx < pa.sriov_numvfs && !err; idx++) {
			bool found = false;

			for (j = 0; j < n && !found; j++) {
				const struct vft_vf *vf = vft_corr__vf_state(corr, j);

				found = !strcmp(vf->pf, pf->ref.pci) &&
					vf->vf_index == (int32_t)idx;
			}
			if (found)
				continue;
			if (!offset ||
			    vft_vf_bdf(pf->ref.pci, offset, stride, (int)idx, bdf, sizeof(bdf)))
				snprintf(bdf, sizeof(bdf), "%.16s/vf%u", pf->ref.pci, idx);
			if (o->vf && strcmp(o->vf, bdf))
				continue;
			vft_check__missing_row(pf->ref.pci, (int32_t)idx, bdf, &row);
			err = add_row(rows, n_rows, &row);
		}
	}
	return err;
}

/*
 * The rows of `check` for the VFs that @w's correlator knows now, judged with
 * facts read now: the kubelet's allocations, the GPUs, the host managers'
 * configuration, the RDMA devices from inside each VF's netns.
 */
static int check_rows(struct watch_ctx *w, struct check_opts *o, uint32_t host,
		      struct vft_check_row **rows, size_t *n_rows)
{
	struct vft_pod_device *devs = NULL;
	struct vft_gpu *gpus = NULL;
	struct vft_check_facts facts;
	struct vft_check_row row;
	size_t n_devs = 0, n_gpus = 0, i, n;
	int err = 0;

	if (vft_kubelet__devices(o->root, &devs, &n_devs))
		vft_debug("the kubelet's device checkpoint cannot be read: no pod allocations\n");
	if (vft_topo__gpus(o->root, &gpus, &n_gpus))
		vft_debug("no GPU list\n");
	n = vft_corr__n_vfs(w->corr);
	for (i = 0; i < n && !err; i++) {
		const struct vft_vf *vf = vft_corr__vf_state(w->corr, i);

		check_facts(w, o, vf, devs, n_devs, gpus, n_gpus, &facts);
		if (!check_selected(o, vf, &facts))
			continue;
		vft_check__row(vf, &facts, host, &row);
		err = add_row(rows, n_rows, &row);
	}
	if (!err && !o->pod && !o->netns && !o->filter.ifnames.n && !o->filter.drivers.n)
		err = missing_vfs(o, w->corr, rows, n_rows);
	free(devs);
	free(gpus);
	return err;
}

static int cmd_check(int argc, char **argv)
{
	struct check_opts o = {};
	struct watch_ctx w = {};
	struct netlink_source *nl = NULL;
	struct vft_check_row *rows = NULL;
	size_t n_rows = 0, i;
	uint32_t host;
	int err, ret = EXIT_USAGE;
	bool ready = true;

	argp_parse(&check_argp, argc, argv, 0, NULL, &o);
	signal(SIGPIPE, SIG_IGN);
	o.filter.root = o.root;
	w.filter = &o.filter;
	w.root = o.root;
	o.filter.all = true; /* the merge's selection takes everything; rows are chosen below */
	err = vft_merge__new(MERGE_WINDOW_NS, &w.merge);
	if (!err)
		err = vft_corr__new(NULL, &corr_ops, &w, &w.corr);
	if (err)
		goto out;
	if (vft_netns_map__new(o.root, &w.netns))
		vft_debug("cannot read /proc: namespaces will not be attributed to pods\n");
	if (vft_cgroup_cache__new(o.root, &w.cgroups))
		vft_debug("no cgroup2 mount found\n");
	host = host_netns(&w);
	err = announce_netns(&w, host, true);
	if (!err && vft_root_is_live(o.root)) {
		struct netlink_source_opts nopts = { .root = o.root };

		err = netlink_source__new(&nopts, &nl);
		if (err) {
			vft_warn("cannot read the netdevs of every netns (rtnetlink): %s\n",
				 strerror(-err));
			goto out;
		}
		err = netlink_source__inventory(nl, on_event, &w);
		err = err > 0 ? 0 : err;
	} else if (!err) {
		err = root_netdevs(&w, o.root, host);
	}
	if (!err)
		err = vft_inventory__scan(o.root, on_event, &w);
	if (!err)
		err = vft_merge__flush(w.merge, UINT64_MAX, on_merged, &w);
	if (err) {
		vft_warn("cannot read the node: %s\n", strerror(-err));
		goto out;
	}
	err = check_rows(&w, &o, host, &rows, &n_rows);
	if (err)
		goto out;
	if (!n_rows) {
		vft_warn("no VF matches the selection%s\n",
			 o.all ? "" : " (SR-IOV VFs by default; --all for other devices)");
		goto out;
	}
	for (i = 0; i < n_rows; i++)
		ready = ready && rows[i].ready;
	err = o.json ? vft_check__print_json(stdout, rows, n_rows) :
		       vft_check__print_text(stdout, rows, n_rows, isatty(1));
	if (err) {
		ret = output_error(err) ? EXIT_USAGE : 0;
		goto out;
	}
	ret = ready ? 0 : 1;
out:
	free(rows);
	netlink_source__free(nl);
	vft_merge__free(w.merge);
	vft_corr__free(w.corr);
	vft_netns_map__free(w.netns);
	vft_u32set__clear(&w.announced);
	vft_cgroup_cache__free(w.cgroups);
	vft_filter__clear(&o.filter);
	return ret;
}

/* The audit's periodic readiness check: check lines in the stream, ready counts in the metrics. */
static int audit_check(struct watch_ctx *w, const struct trace_opts *o)
{
	struct check_opts co = { .root = o->source.root };
	struct vft_check_row *rows = NULL;
	size_t n = 0, i, ready = 0;
	int err;

	err = check_rows(w, &co, host_netns(w), &rows, &n);
	if (!err && n)
		err = vft_check__print_json(stdout, rows, n);
	for (i = 0; i < n; i++)
		ready += rows[i].ready;
	if (w->metrics)
		vft_metrics__check(w->metrics, now_wall_ns(), (uint32_t)ready,
				   (uint32_t)(n - ready));
	free(rows);
	return err;
}

/* What the audit's metrics say about the VFs and the capture, then the textfile. */
static void audit_metrics(struct watch_ctx *w, const struct trace_opts *o)
{
	struct vft_corr_stats st;
	struct vft_capture_stats cs;
	uint32_t host = 0, pod = 0, stranded;
	uint32_t host_ns = host_netns(w);
	size_t i, n = vft_corr__n_vfs(w->corr);
	int err;

	for (i = 0; i < n; i++) {
		const struct vft_vf *vf = vft_corr__vf_state(w->corr, i);

		if (!vf->pf[0] && vf->n_netns <= 1)
			continue; /* VFs, and devices that went into a pod */
		if (vf->ref.netns && vf->ref.netns != host_ns)
			pod++;
		else
			host++;
	}
	vft_corr__stats(w->corr, &st);
	stranded = (uint32_t)(st.raised[VFT_F_VF_STRANDED] - st.resolved[VFT_F_VF_STRANDED]);
	vft_metrics__vfs(w->metrics, host > stranded ? host - stranded : 0, pod, stranded);
	vft_metrics__state(w->metrics, n, st.netns, st.forgotten, st.netns_forgotten);
	/*
	 * What bursts and sweeps freed goes back to the kernel: free() returns
	 * only the top of the heap, and a daemon's RSS should follow its state.
	 */
	malloc_trim(0);
	if (vft_metrics__process(w->metrics, o->source.root))
		vft_debug("cannot read this process's figures under /proc/self\n");
	if (w->cap) {
		vft_capture_writer__stats(w->cap, &cs);
		if (cs.bytes > w->cap_bytes) {
			vft_metrics__capture_bytes(w->metrics, cs.bytes - w->cap_bytes);
			w->cap_bytes = cs.bytes;
		}
	}
	if (o->metrics_textfile) {
		err = vft_metrics__write_textfile(w->metrics, o->metrics_textfile);
		if (err)
			vft_warn("cannot write the metrics textfile %s: %s%s\n",
				 o->metrics_textfile, strerror(-err),
				 err == -ELOOP ? " (it is a symbolic link)" : "");
	}
}

/*
 * audit --from-capture: the daemon's outputs (the JSON stream, the metrics
 * textfile, the flight recorder) over a recorded capture instead of the
 * kernel, as fast as it reads; for trying alert rules on a recorded
 * incident and for measuring the daemon's footprint (make bench). The
 * capture's own netns_info, enrich and vf_check events decide, as in a
 * replay; no periodic check runs (there is no live system to check).
 */
struct from_capture {
	struct watch_ctx *w;
	struct trace_opts *o;
	struct vft_replay_result res;
	uint64_t last_flush, next_metrics;
	int out_err; /* the stream could not be written */
};

/* The capture is open: the flight recorder keeps its header, the stream says what it is. */
static int from_capture_header(void *ctx, const char *path, const struct vft_capture_header *h)
{
	struct from_capture *fc = ctx;
	struct watch_ctx *w = fc->w;
	int err;

	if (fc->o->capture_dir && !w->cap) {
		err = audit_capture_path(fc->o);
		if (!err)
			err = vft_capture_writer__new(fc->o->out_path, &fc->o->capture, h, &w->cap);
		if (err) {
			vft_warn("cannot create capture file %s: %s\n", fc->o->out_path,
				 strerror(-err));
			return err;
		}
		w->cap_path = fc->o->out_path;
	}
	fc->out_err = vft_sink__capture(w->sink, path, h);
	return fc->out_err;
}

static int from_capture_event(void *ctx, const struct vft_event *ev)
{
	struct from_capture *fc = ctx;
	struct watch_ctx *w = fc->w;
	uint64_t mono;
	int err;

	if (exiting)
		return -EINTR;
	if (ev->kind == VFT_EV_LOST) {
		vft_metrics__lost(w->metrics, ev->lost);
		err = fc->out_err = vft_sink__lost(w->sink, ev->lost, fc->res.lost, ev->ts_ns);
		if (!err && w->cap) /* recorded as it was, at its time */
			err = vft_capture_writer__write(w->cap, ev);
		if (err && w->cap)
			capture_error(w, err);
		return err;
	}
	err = deliver(w, ev);
	if (err && !w->cap_err)
		fc->out_err = err; /* the sink's, through the correlator */
	/* the writer's blocks hold a second of events, as the live daemon flushes them */
	if (!err && w->cap && ev->ts_ns >= fc->last_flush + 1000000000ULL) {
		if (fc->last_flush)
			err = vft_capture_writer__flush(w->cap);
		if (err)
			capture_error(w, err);
		fc->last_flush = ev->ts_ns;
	}
	if (err || (w->events & 0xfff))
		return err;
	mono = now_ns(CLOCK_MONOTONIC);
	if (mono >= fc->next_metrics) {
		audit_metrics(w, fc->o);
		fc->next_metrics = mono + 5000000000ULL;
	}
	return 0;
}

static const struct vft_replay_walk_ops from_capture_ops = {
	.header = from_capture_header,
	.event = from_capture_event,
};

static int audit_from_capture(struct trace_opts *o)
{
	struct watch_ctx w = { .from_capture = true };
	struct from_capture fc = { .w = &w, .o = o };
	int err, ret = EXIT_RUNTIME;

	install_signals();
	o->corr.replay = true;
	w.sink = vft_sink_json__new(stdout);
	w.metrics = vft_metrics__new();
	if (!w.sink || !w.metrics || vft_corr__new(&o->corr, &corr_ops, &w, &w.corr))
		goto out;
	/* SIGTERM or SIGINT: what was read so far is finished as a whole */
	err = vft_replay__walk(o->from_capture, &from_capture_ops, &fc, &fc.res);
	if (err && err != -EINTR) {
		/* the capture could not be read, or a capture write failed: both said */
		ret = fc.out_err ? output_error(fc.out_err) : EXIT_RUNTIME;
		goto out;
	}
	err = vft_sink__finish(w.sink, w.corr, w.events, fc.res.lost, NULL);
	ret = err ? output_error(err) : 0;
out:
	if (w.cap) {
		err = vft_capture_writer__free(w.cap);
		w.cap = NULL;
		if (err) {
			capture_error(&w, err);
			ret = EXIT_RUNTIME;
		}
	}
	if (w.metrics && w.corr)
		audit_metrics(&w, o); /* the final figures, the footprint included */
	vft_metrics__free(w.metrics);
	vft_sink__free(w.sink);
	vft_corr__free(w.corr);
	vft_u32set__clear(&w.announced);
	return ret;
}

/* ---- audit ---- */

static const struct argp_option audit_options[] = {
	{ "metrics", OPT_METRICS, "ADDR:PORT", 0,
	  "Serve Prometheus metrics at http://ADDR:PORT/metrics (127.0.0.1:9477; \":9477\" is "
	  "127.0.0.1 too: other interfaces only when named)" },
	{ "metrics-textfile", OPT_TEXTFILE, "PATH", 0,
	  "Write the metrics to PATH every 5 s, atomically, mode 0600 (node_exporter's textfile "
	  "collector)" },
	{ "capture-dir", OPT_CAPTURE_DIR, "DIR", 0,
	  "Keep a flight-recorder capture in DIR/vftrace.cap (and .1 .. .N-1)" },
	{ "check-interval", OPT_CHECK_INTERVAL, "SECONDS", 0,
	  "Run the readiness check (`vftrace check`) this often (default 300)" },
	{ "retain", OPT_RETAIN, "SECONDS", 0,
	  "Forget a VF this long after it is gone: no netdev, no RDMA device, no driver, removed "
	  "by its PF (default 3600; 0 keeps every VF). Its history stays in the captures" },
	{ "from-capture", OPT_FROM_CAPTURE, "FILE", 0,
	  "Run over a recorded capture instead of the kernel, then exit: the JSON stream, the "
	  "textfile and the captures it would have made (no root needed; no --metrics endpoint, "
	  "no periodic check)" },
	CAPTURE_OPTIONS,
	{},
};

static error_t parse_audit(int key, char *arg, struct argp_state *state)
{
	struct trace_opts *o = state->input;

	switch (key) {
	case OPT_METRICS:
		o->metrics_addr = arg;
		return 0;
	case OPT_TEXTFILE:
		o->metrics_textfile = arg;
		return 0;
	case OPT_CAPTURE_DIR:
		o->capture_dir = arg;
		return 0;
	case OPT_MAX_SIZE:
	case OPT_ROTATE:
		return parse_capture_opt(key, arg, state, o);
	case OPT_CHECK_INTERVAL:
		if (vft_parse_seconds(arg, &o->check_interval_ns) ||
		    o->check_interval_ns < 1000000000ULL)
			argp_error(state, "invalid --check-interval '%s': want seconds >= 1", arg);
		return 0;
	case OPT_RETAIN:
		if (vft_parse_seconds(arg, &o->corr.retain_ns) ||
		    (o->corr.retain_ns && o->corr.retain_ns < 1000000000ULL))
			argp_error(state, "invalid --retain '%s': want 0 or seconds >= 1", arg);
		return 0;
	case OPT_FROM_CAPTURE:
		o->from_capture = arg;
		return 0;
	case ARGP_KEY_END:
		if (o->from_capture && o->metrics_addr)
			argp_error(state, "--metrics serves a live run: with --from-capture use "
					  "--metrics-textfile");
		if ((o->capture.max_size || o->capture.rotate) && !o->capture_dir)
			argp_error(state, "--max-size and --rotate need --capture-dir");
		if (o->capture_dir && !o->capture.max_size)
			o->capture.max_size = 64ULL << 20;
		if (o->capture_dir && !o->capture.rotate)
			o->capture.rotate = 8;
		if (o->capture.rotate > 1 && !o->capture.max_size)
			argp_error(state, "--rotate needs --max-size");
		return 0;
	case ARGP_KEY_INIT:
		state->child_inputs[0] = o;
		state->child_inputs[1] = &o->source;
		return 0;
	case ARGP_KEY_ARG:
		argp_error(state, "unexpected argument '%s'", arg);
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

static const char audit_doc[] =
	"Audit VF lifecycles continuously: the node agent.\n"
	"\n"
	"Runs `watch`'s pipeline until stopped and writes JSON Lines of events, findings and "
	"resolutions to stdout (for the node's log pipeline); every --check-interval seconds it "
	"runs the readiness check and writes its {\"type\":\"check\"} lines. With --capture-dir "
	"it keeps a flight recorder (64M x 8 files by default) that `vftrace replay` explains "
	"after an incident. With --metrics and/or --metrics-textfile it exports Prometheus "
	"metrics: findings raised and resolved per code, VFs per state, events per kind, losses, "
	"hook coverage, capture bytes, the last check, and its own footprint: RSS, CPU, BPF map "
	"memory, the records it holds (docs/deploy/README.md lists them). It keeps each VF's "
	"state but not its timeline (the flight recorder has it), forgets a pod's netns when its "
	"last VF leaves, and forgets VFs gone for --retain seconds.\n"
	"\n"
	"Once its hooks are attached and its endpoint is listening, it drops every capability "
	"but CAP_BPF, CAP_PERFMON (RDMA hooks attach when ib_core loads), CAP_SYS_ADMIN "
	"(joining a netns to read RDMA ports), CAP_NET_ADMIN, CAP_SYS_PTRACE, "
	"CAP_DAC_READ_SEARCH (other processes' /proc) and CAP_SYS_RESOURCE, and sets "
	"no_new_privs. Captures and the textfile are 0600 and never written through a symbolic "
	"link. At start, an earlier run's capture becomes vftrace.cap.1 (and so on), so a restart "
	"loses no recording. SIGHUP flushes the capture (a new one is started when the file was "
	"moved away, the older files kept) and rewrites the textfile; SIGTERM and SIGINT flush "
	"everything and exit 0.\n"
	"\v"
	"Examples:\n"
	"  vftrace audit --metrics 127.0.0.1:9477 --capture-dir /var/lib/vftrace\n"
	"  vftrace audit --metrics-textfile /var/lib/node_exporter/textfile_collector/vftrace.prom\n"
	"\n"
	"docs/deploy/ has a hardened systemd unit and a Kubernetes DaemonSet.\n"
	"Exit status: 0 when stopped by SIGTERM or SIGINT, 1 on a runtime failure, 2 on a usage "
	"error.";

static const struct argp audit_argp = { audit_options, parse_audit, NULL, audit_doc,
					trace_children };

static int cmd_audit(int argc, char **argv)
{
	struct trace_opts o = { .audit = true, .json = true };

	o.check_interval_ns = 300 * 1000000000ULL;
	o.corr.retain_ns = 3600 * 1000000000ULL;
	/* the timelines are in the flight recorder: the daemon keeps each VF's state only */
	o.corr.no_steps = true;
	/* a restart or a SIGHUP after a move keeps the earlier files of the flight recorder */
	o.capture.flags |= VFT_CAPTURE_KEEP;
	argp_parse(&audit_argp, argc, argv, 0, NULL, &o);
	return o.from_capture ? audit_from_capture(&o) : run_trace(&o);
}

/* ---- replay ---- */

struct replay_cli {
	bool json;
	struct vft_strlist paths;
	struct vft_replay_opts r;
};

static const struct argp_option replay_options[] = {
	{ "json", 'j', NULL, 0, "Print JSON Lines (docs/json.md) instead of text" },
	{ "vf", OPT_VF, "KEY", 0,
	  "Only this VF: its key as findings show it (a PCI address such as 0000:3b:10.5, or a "
	  "netdev name for devices without one)" },
	{ "since", OPT_SINCE, "TIME", 0,
	  "Only events and findings at or after TIME: RFC 3339 (2026-11-28T21:35:00Z, or with "
	  "+01:00) or Unix seconds" },
	{ "until", OPT_UNTIL, "TIME", 0, "Only events and findings at or before TIME" },
	{},
};

static error_t parse_replay(int key, char *arg, struct argp_state *state)
{
	struct replay_cli *o = state->input;

	switch (key) {
	case 'j':
		o->json = true;
		return 0;
	case OPT_VF:
		o->r.vf_key = arg;
		return 0;
	case OPT_SINCE:
	case OPT_UNTIL:
		if (vft_parse_time(arg, key == OPT_SINCE ? &o->r.since_ns : &o->r.until_ns))
			argp_error(
				state,
				"invalid time '%s': want RFC 3339 (2026-11-28T21:35:00Z) or Unix "
				"seconds",
				arg);
		return 0;
	case ARGP_KEY_ARG:
		if (vft_strlist__add(&o->paths, arg))
			argp_failure(state, EXIT_RUNTIME, ENOMEM, "replay");
		return 0;
	case ARGP_KEY_END:
		if (!o->paths.n)
			argp_error(state, "no capture file given");
		if (o->r.since_ns && o->r.until_ns && o->r.since_ns > o->r.until_ns)
			argp_error(state, "--since is after --until");
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

static const char replay_doc[] =
	"Analyse capture files written by `vftrace record` (or `watch -o`): print the same "
	"events, findings, timelines and summary that the live run printed.\n"
	"\n"
	"Needs nothing from the machine it runs on: no root, no BPF, any kernel. Several FILEs "
	"are one recording in order, oldest first (a rotated set: FILE.2 FILE.1 FILE). A "
	"damaged block is skipped with a warning naming its byte offset; a file cut short (the "
	"recorder was killed, the disk filled) replays up to its last complete block with a "
	"warning. --vf, --since and --until narrow what is printed; the correlator still reads "
	"everything, so findings are the same as without them.\n"
	"\v"
	"Examples:\n"
	"  vftrace replay vf.cap\n"
	"  vftrace replay --json vf.cap | jq 'select(.type == \"finding\")'\n"
	"  vftrace replay --vf 0000:3b:10.5 --since 2026-11-28T21:00:00Z vf.cap.1 vf.cap\n"
	"\n"
	"Exit status: 0 when every file was read (damaged or truncated ones included), 1 when "
	"a file is not a capture, has a format version this vftrace cannot read, or cannot be "
	"read, 2 on a usage error.";

static const struct argp replay_argp = { replay_options, parse_replay, "FILE...", replay_doc,
					 common_children };

static int cmd_replay(int argc, char **argv)
{
	struct replay_cli o = {};
	struct vft_replay_result res;
	struct vft_sink *sink;
	int err, ret = EXIT_RUNTIME;

	argp_parse(&replay_argp, argc, argv, 0, NULL, &o);
	signal(SIGPIPE, SIG_IGN);
	o.r.paths = (const char *const *)o.paths.items;
	o.r.n_paths = o.paths.n;
	sink = o.json ? vft_sink_json__new(stdout) : vft_sink_text__new(stdout, isatty(1));
	if (!sink)
		goto out;
	err = vft_replay__run(&o.r, sink, &res);
	if (err == -EPIPE || err == -EIO || err == -ENOSPC)
		ret = output_error(err);
	else
		ret = err ? EXIT_RUNTIME : 0;
out:
	vft_sink__free(sink);
	vft_strlist__clear(&o.paths);
	return ret;
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
	{ "check", cmd_check, "is each VF RDMA-ready now? one verdict per layer" },
	{ "audit", cmd_audit, "the node agent: findings, metrics, flight recorder, checks" },
	{ "record", cmd_record, "record the stream into a capture file" },
	{ "replay", cmd_replay, "analyse capture files, anywhere" },
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
	"  check     is each VF RDMA-ready now? one verdict per layer (exit 1 if not)\n"
	"  audit     the node agent: JSON findings, Prometheus metrics, flight recorder\n"
	"  record    record the stream into a capture file (a flight recorder with --rotate)\n"
	"  replay    analyse capture files on any machine: the same findings as live\n"
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
