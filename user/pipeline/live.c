// SPDX-License-Identifier: GPL-2.0-only
/*
 * live.c - the live run of watch, record and audit: the kernel hooks and
 * rtnetlink into the pipeline, and the event loop (see live.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include "sinks/sink_trace.h"
#include "check/check.h"
#include "check/facts.h"
#include "lib/bounded.h"
#include "pipeline/live.h"
#include "pipeline/pipeline.h"
#include "sinks/metrics.h"
#include "sources/netlink_source.h"
#include "lib/util.h"

#define SEC 1000000000ULL

enum { TAG_BPF = 1, TAG_NETLINK = 2, TAG_MODULE = 3, TAG_CHECK = 4, TAG_READ = 5 };

/* One run: what it opened, and where its loop is. */
struct live {
	struct vft_trace_opts *o;
	struct bpf_source *src;
	struct netlink_source *nl;
	struct vft_sink *sink;	      /* NULL for record */
	struct vft_sink *out;	      /* the text or JSON sink, when sink is a tee */
	struct vft_trace_sink *trace; /* --trace-json */
	FILE *trace_file;
	struct vft_metrics *metrics;
	struct vft_metrics_server *server;
	struct vft_pipeline *p;
	int epfd;
	sigset_t wait_mask; /* the mask while waiting: the stop signals let through */
	struct vft_ready ready;
	struct utsname u;
	bool tty; /* record's progress line on a terminal */
	bool stop;
	uint64_t deadline, last_flush, next_check, next_metrics;
	struct vft_bounded check; /* audit's periodic check, while it runs */
	int ret;		  /* the exit status when the run ends now */
};

static volatile sig_atomic_t never;

static int audit_check_poll(struct live *l);

void vft_live__fill_ready(struct vft_ready *r, struct utsname *u, const struct bpf_source *src)
{
	uname(u);
	r->version = VFTRACE_VERSION;
	r->kernel = u->release;
	r->hooks = bpf_source__hooks(src, &r->n_hooks);
}

void vft_trace_opts__clear(struct vft_trace_opts *o)
{
	vft_filter__clear(&o->filter);
	vft_strlist__clear(&o->trusted);
}

int vft_trace__capture_path(struct vft_trace_opts *o)
{
	struct stat st;

	if (lstat(o->capture_dir, &st)) {
		vft_warn("--capture-dir %s: %s\n", o->capture_dir, strerror(errno));
		return -EINVAL;
	}
	if (!S_ISDIR(st.st_mode)) {
		vft_warn("--capture-dir %s: %s\n", o->capture_dir,
			 S_ISLNK(st.st_mode) ? "a symbolic link: refused" : "not a directory");
		return -EINVAL;
	}
	if (snprintf(o->capture_path, sizeof(o->capture_path), "%s/vftrace.cap", o->capture_dir) >=
	    (int)sizeof(o->capture_path))
		return -ENAMETOOLONG;
	if (!lstat(o->capture_path, &st) && S_ISLNK(st.st_mode)) {
		vft_warn("%s is a symbolic link: refused\n", o->capture_path);
		return -ELOOP;
	}
	/* the check above reads well; this one holds when a link appears after it */
	o->capture.flags |= VFT_CAPTURE_NOFOLLOW;
	o->out_path = o->capture_path;
	return 0;
}

/*
 * SIGINT and SIGTERM (and the daemon's SIGHUP) stay blocked except inside
 * epoll_pwait(): a signal that comes between the check of the stop flag and
 * the wait still ends the wait, however long it was meant to be.
 */
static void block_signals(struct live *l)
{
	sigset_t stop_sigs;

	sigemptyset(&stop_sigs);
	sigaddset(&stop_sigs, SIGINT);
	sigaddset(&stop_sigs, SIGTERM);
	if (l->o->audit)
		sigaddset(&stop_sigs, SIGHUP);
	sigprocmask(SIG_BLOCK, &stop_sigs, &l->wait_mask);
	sigdelset(&l->wait_mask, SIGINT);
	sigdelset(&l->wait_mask, SIGTERM);
	sigdelset(&l->wait_mask, SIGHUP);
}

/* record on a terminal: one line, rewritten once a second. */
static void progress(const struct live *l, bool last)
{
	struct vft_capture_stats st;
	unsigned long long lost = vft_pipeline__lost_total(l->p);

	if (!vft_pipeline__capture_stats(l->p, &st))
		return;
	if (!last && !l->tty)
		return;
	fprintf(stderr,
		"%svftrace: recording to %s: %llu events, %llu bytes in %llu file%s, %llu lost%s",
		l->tty ? "\r" : "", l->o->out_path, (unsigned long long)(st.events + st.pending),
		(unsigned long long)st.bytes, (unsigned long long)st.files,
		st.files == 1 ? "" : "s", lost, last || !l->tty ? "\n" : "");
}

/* ---- the start ---- */

/* The capture file first: a bad path is the cheapest failure to report. */
static int open_capture(struct live *l)
{
	struct vft_trace_opts *o = l->o;
	int err;

	if (!o->out_path)
		return 0;
	err = vft_pipeline__capture_open(l->p, o->out_path, &o->capture, NULL);
	if (err) {
		vft_warn("cannot create capture file %s: %s\n", o->out_path,
			 err == -EINVAL ? "not a regular file, or options out of range" :
					  strerror(-err));
		return err;
	}
	l->tty = o->record && isatty(2);
	return 0;
}

static int open_sources(struct live *l)
{
	struct vft_trace_opts *o = l->o;
	const struct vft_hook_state *hooks;
	size_t n;
	int err;

	err = bpf_source__new(&o->source, &l->src);
	if (err) {
		vft_warn("cannot start tracing: %s\n", strerror(-err));
		return err;
	}
	if (!o->no_netlink) {
		struct netlink_source_opts nopts = { .root = o->source.root };

		err = netlink_source__new(&nopts, &l->nl);
		if (err) {
			vft_warn(
				"cannot listen to rtnetlink: %s (use --no-netlink to go without)\n",
				strerror(-err));
			return err;
		}
	}
	hooks = bpf_source__hooks(l->src, &n);
	vft_pipeline__cover_hooks(l->p, hooks, n);
	return 0;
}

/*
 * audit: the hooks and maps into the metrics, the privileges dropped, then
 * the endpoint. Capability sets, the bounding set and no_new_privs belong to
 * a thread, and a new thread copies its creator's: the drop comes while the
 * process has one thread, so that the endpoint's thread (libmicrohttpd's,
 * the one that faces the network) starts with the reduced set. What needs
 * more is done by now: the programs loaded and attached, the ring buffer
 * mapped, rtnetlink listening in every netns (CAP_NET_BROADCAST). The RDMA
 * hooks that wait for ib_core attach later with the CAP_BPF and CAP_PERFMON
 * that the drop keeps.
 */
static int open_daemon(struct live *l)
{
	struct vft_trace_opts *o = l->o;
	const struct vft_hook_state *hooks;
	size_t i, n;
	int err;

	hooks = bpf_source__hooks(l->src, &n);
	for (i = 0; i < n; i++)
		vft_metrics__hook(l->metrics, hooks[i].def->name,
				  hooks[i].status == VFT_HOOK_ATTACHED);
	if (bpf_source__map_memory(l->src, vft_metrics__bpf_map_cb, l->metrics))
		vft_debug("cannot read the BPF maps' memory from /proc/self/fdinfo\n");
	err = o->drop_privileges ? o->drop_privileges() : 0;
	if (err) {
		vft_warn("cannot drop capabilities: %s\n", strerror(-err));
		return err;
	}
	if (!o->metrics_addr)
		return 0;
	err = vft_metrics__serve(l->metrics, o->metrics_addr, &l->server);
	/* it said why; a port below 1024 needs CAP_NET_BIND_SERVICE, gone with the drop */
	if (err == -EACCES && o->drop_privileges)
		vft_warn("--metrics %s: the capabilities are dropped before the endpoint listens, "
			 "and CAP_NET_BIND_SERVICE is not kept: use a port from 1024 up\n",
			 o->metrics_addr);
	return err;
}

static int epoll_add(int epfd, int fd, uint32_t tag)
{
	struct epoll_event e = { .events = EPOLLIN, .data.u32 = tag };

	return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &e) ? -errno : 0;
}

static int open_epoll(struct live *l)
{
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (l->epfd < 0 ||
	    (bpf_source__fd(l->src) >= 0 && epoll_add(l->epfd, bpf_source__fd(l->src), TAG_BPF)) ||
	    (l->nl && epoll_add(l->epfd, netlink_source__fd(l->nl), TAG_NETLINK)) ||
	    (bpf_source__module_fd(l->src) >= 0 &&
	     epoll_add(l->epfd, bpf_source__module_fd(l->src), TAG_MODULE))) {
		vft_warn("cannot set up epoll: %s\n", strerror(errno));
		return -EIO;
	}
	return 0;
}

/* The pipeline's grace-end re-reads are watched by this loop, never waited for in it. */
static int watch_read(void *ctx, int fd, bool add)
{
	struct live *l = ctx;

	if (l->epfd < 0)
		return -EBADF;
	if (add)
		return epoll_add(l->epfd, fd, TAG_READ);
	return epoll_ctl(l->epfd, EPOLL_CTL_DEL, fd, NULL) ? -errno : 0;
}

/* Everything the run reads from and writes to, in the order its failures are cheapest. */
static int open_run(struct live *l)
{
	struct vft_trace_opts *o = l->o;
	struct vft_pipeline_opts po = { .root = o->source.root,
					.filter = &o->filter,
					.corr = &o->corr,
					.watch_fd = watch_read,
					.watch_ctx = l };
	int err;

	o->filter.root = o->source.root;
	/* only a name can select a device without a parent (veth, dummy, bridge) */
	o->source.skip_virtual_netdevs = !o->filter.all && !o->filter.ifnames.n;
	if (o->audit && o->capture_dir) {
		err = vft_trace__capture_path(o);
		if (err)
			return err;
	}
	if (!o->record) {
		l->sink = o->json ? vft_sink_json__new(stdout) :
				    vft_sink_text__new(stdout, isatty(1));
		if (!l->sink)
			return -ENOMEM;
	}
	if (l->sink && o->trace_json) {
		struct vft_trace_sink_opts to = {};

		l->trace_file = fopen(o->trace_json, "we");
		if (!l->trace_file) {
			err = -errno;
			vft_warn("cannot create %s: %s: give a path in a writable directory\n",
				 o->trace_json, strerror(-err));
			return err;
		}
		to.trace_json = l->trace_file;
		l->trace = vft_trace_sink__new(&to);
		l->out = l->sink;
		l->sink =
			l->trace ? vft_sink_tee__new(l->out, vft_trace_sink__sink(l->trace)) : NULL;
		if (!l->sink)
			return -ENOMEM;
	}
	if (o->audit) {
		l->metrics = vft_metrics__new();
		if (!l->metrics)
			return -ENOMEM;
	}
	po.sink = l->sink;
	po.metrics = l->metrics;
	err = vft_pipeline__new(&po, &l->p);
	if (!err)
		err = open_capture(l);
	if (!err)
		err = open_sources(l);
	if (!err && o->audit)
		err = open_daemon(l);
	if (!err)
		err = open_epoll(l);
	return err;
}

/* The ready line, then the start of the stream: trusted comms, the host, the inventory. */
static int start(struct live *l)
{
	struct vft_trace_opts *o = l->o;
	int err;

	vft_live__fill_ready(&l->ready, &l->u, l->src);
	if (l->sink) {
		err = vft_sink__ready(l->sink, &l->ready);
		if (err) {
			l->ret = vft_output_error(err);
			return err;
		}
	} else {
		fprintf(stderr, "vftrace %s on Linux %s: recording to %s; Ctrl-C to stop\n",
			VFTRACE_VERSION, l->u.release, o->out_path);
	}
	if (!bpf_source__attached(l->src))
		vft_warn("no kernel hook attached on this kernel: %s (see `vftrace hooks`)\n",
			 l->nl ? "events come from rtnetlink only, without actors" :
				 "no events will be seen");
	err = vft_pipeline__begin(l->p);
	if (err) {
		l->ret = vft_pipeline__capture_failed(l->p) ? VFT_EXIT_RUNTIME :
							      vft_output_error(err);
		return err;
	}
	/* What exists now: after ready, so that nothing created meanwhile is missed. */
	if (!o->no_inventory) {
		err = vft_pipeline__inventory(l->p, l->nl);
		if (err) {
			l->ret = err == -EPIPE || err == -EIO ? vft_output_error(err) :
								VFT_EXIT_RUNTIME;
			if (l->ret && !vft_pipeline__capture_failed(l->p))
				vft_warn("the inventory at start failed: %s\n", strerror(-err));
			return err;
		}
	}
	l->last_flush = vft_clock_ns(CLOCK_MONOTONIC);
	if (o->duration_ns)
		l->deadline = l->last_flush + o->duration_ns;
	return 0;
}

/* ---- one round of the loop ---- */

/*
 * Waits for the sources: until the next timer (the pipeline's, a hook
 * waiting for its module), or something happens (a full ring buffer wakes
 * the reader too, and losses are read after every wake-up); an idle watch
 * costs no CPU. A capture is flushed once a second, a duration ends the run.
 * After a signal, one last non-blocking round drains what is queued.
 */
static int wait_sources(struct live *l, struct epoll_event *evs, int max)
{
	uint64_t mono = vft_clock_ns(CLOCK_MONOTONIC);
	int n, ms;

	l->stop = *l->o->stop;
	if (l->deadline && mono >= l->deadline)
		l->stop = true;
	ms = l->stop ? 0 : vft_pipeline__timeout_ms(l->p, bpf_source__timeout_ms(l->src));
	if ((vft_pipeline__capture_stats(l->p, NULL) || l->o->audit) && (ms < 0 || ms > 1000))
		ms = 1000;
	if (l->deadline && !l->stop &&
	    (ms < 0 || (uint64_t)ms > (l->deadline - mono) / 1000000 + 1))
		ms = (int)((l->deadline - mono) / 1000000 + 1);
	n = epoll_pwait(l->epfd, evs, max, ms, &l->wait_mask);
	if (n < 0 && errno != EINTR) {
		vft_warn("epoll_wait: %s\n", strerror(errno));
		return -errno;
	}
	return n > 0 ? n : 0;
}

/* What the sources have, into the pipeline, then its timers. */
static int read_sources(struct live *l, const struct epoll_event *evs, int n)
{
	int i, err = 0;

	for (i = 0; i < n && err >= 0; i++) {
		if (evs[i].data.u32 == TAG_NETLINK)
			err = netlink_source__process(l->nl, vft_pipeline__feed_cb, l->p);
		else if (evs[i].data.u32 == TAG_MODULE)
			bpf_source__module_event(l->src);
		else if (evs[i].data.u32 == TAG_CHECK)
			err = audit_check_poll(l);
		else if (evs[i].data.u32 == TAG_READ)
			err = vft_pipeline__reads_poll(l->p);
	}
	/* also when idle: it checks for modules whose hooks wait */
	if (err >= 0)
		err = bpf_source__poll(l->src, 0, vft_pipeline__feed_cb, l->p);
	if (err >= 0)
		err = vft_pipeline__tick(l->p, l->stop);
	if (err >= 0 || err == -EINTR)
		return 0;
	if (vft_pipeline__capture_failed(l->p))
		l->ret = VFT_EXIT_RUNTIME;
	else
		l->ret = err == -EPIPE || err == -EIO ? vft_output_error(err) : VFT_EXIT_RUNTIME;
	if (l->ret && !vft_pipeline__capture_failed(l->p))
		vft_warn("reading events failed: %s\n", strerror(-err));
	return err;
}

/* A module loaded and its hooks attached: the coverage again, to the sink and the metrics. */
static int coverage(struct live *l)
{
	size_t i;
	int err;

	if (!bpf_source__take_changes(l->src))
		return 0;
	err = l->sink ? vft_sink__coverage(l->sink, &l->ready) : 0;
	if (err) {
		l->ret = vft_output_error(err);
		return err;
	}
	for (i = 0; l->metrics && i < l->ready.n_hooks; i++)
		vft_metrics__hook(l->metrics, l->ready.hooks[i].def->name,
				  l->ready.hooks[i].status == VFT_HOOK_ATTACHED);
	return 0;
}

static int account_lost(struct live *l)
{
	uint64_t lost = bpf_source__lost(l->src) + (l->nl ? netlink_source__lost(l->nl) : 0);
	int err = vft_pipeline__lost(l->p, lost);

	if (err)
		l->ret = vft_pipeline__capture_failed(l->p) ? VFT_EXIT_RUNTIME :
							      vft_output_error(err);
	return err;
}

/*
 * The audit's periodic readiness check, in a child: the facts of every VF
 * are read from sysfs and procfs, where a driver can block a read for good,
 * so the event loop goes on meanwhile. The child answers "<rows> <ready>\n"
 * and the check lines; the loop prints them when the answer is complete.
 */
static int check_child(void *arg, int fd)
{
	struct live *l = arg;
	struct vft_facts_opts fo = { .root = l->o->source.root };
	struct vft_check_row *rows = NULL;
	size_t n = 0, i, ready = 0;
	FILE *f = fdopen(fd, "w");
	int err;

	if (!f)
		return -errno;
	err = vft_facts__rows(&fo, vft_pipeline__corr(l->p), vft_pipeline__netns_map(l->p),
			      vft_pipeline__host_netns(l->p), &rows, &n);
	for (i = 0; i < n; i++)
		ready += rows[i].ready;
	if (!err)
		err = fprintf(f, "%zu %zu\n", n, ready) < 0 ? -EIO : 0;
	if (!err && n)
		err = vft_check__print_json(f, rows, n);
	if (fclose(f) && !err)
		err = -EIO;
	free(rows);
	return err;
}

/* Starts the check's child; a check that cannot start is said and counted as skipped. */
static void audit_check_start(struct live *l)
{
	uint64_t timeout = l->o->check_timeout_ns;
	int err;

	if (!timeout)
		timeout = l->o->check_interval_ns < VFT_LIVE_CHECK_TIMEOUT_NS ?
				  l->o->check_interval_ns :
				  VFT_LIVE_CHECK_TIMEOUT_NS;
	fflush(stdout); /* the child must not inherit buffered lines (it does not flush them) */
	err = vft_bounded__start(&l->check, check_child, l, timeout);
	if (!err)
		err = epoll_add(l->epfd, vft_bounded__fd(&l->check), TAG_CHECK);
	if (err) {
		vft_warn("cannot start the periodic check: %s\n", strerror(-err));
		vft_bounded__cancel(&l->check);
		vft_pipeline__skipped(l->p, VFT_SKIP_PERIODIC);
	}
}

/* What the check's child wrote, when it is complete: its lines on stdout, ready counts in the metrics. */
static int audit_check_poll(struct live *l)
{
	unsigned long long n = 0, ready = 0;
	char *nl;
	int ret, err = 0;

	if (!vft_bounded__running(&l->check))
		return 0;
	ret = vft_bounded__poll(&l->check);
	if (!ret)
		return 0;
	epoll_ctl(l->epfd, EPOLL_CTL_DEL, vft_bounded__fd(&l->check), NULL);
	nl = ret == 1 ? strchr(l->check.buf ? l->check.buf : "", '\n') : NULL;
	if (nl && sscanf(l->check.buf, "%llu %llu", &n, &ready) == 2) {
		nl++;
		if (fwrite(nl, 1, l->check.len - (size_t)(nl - l->check.buf), stdout) !=
			    l->check.len - (size_t)(nl - l->check.buf) ||
		    fflush(stdout))
			err = errno ? -errno : -EIO;
		vft_metrics__check(l->metrics, vft_clock_ns(CLOCK_REALTIME), (uint32_t)ready,
				   (uint32_t)(n - ready));
	} else {
		vft_warn("the periodic check %s: skipped\n",
			 ret == -ETIMEDOUT ? "did not end in time (a read of the node hangs)" :
					     "failed");
		vft_pipeline__skipped(l->p, VFT_SKIP_PERIODIC);
	}
	vft_bounded__cancel(&l->check);
	return err;
}

/*
 * SIGHUP: flush the capture (and start a new one when the file was moved
 * away, as log rotation does), rewrite the metrics textfile on the next tick.
 */
static int audit_hangup(struct live *l)
{
	struct vft_trace_opts *o = l->o;
	struct stat st;
	int err;

	if (!vft_pipeline__capture_stats(l->p, NULL))
		return 0;
	err = vft_pipeline__capture_flush(l->p);
	if (err)
		return err;
	if (!lstat(o->out_path, &st))
		return 0;
	vft_warn("%s was moved away: starting a new capture there\n", o->out_path);
	err = vft_pipeline__capture_close(l->p);
	if (err)
		return err;
	err = vft_pipeline__capture_open(l->p, o->out_path, &o->capture, NULL);
	if (err)
		vft_warn("cannot create capture file %s: %s\n", o->out_path, strerror(-err));
	return err;
}

/* The daemon's duties of the round: the check, SIGHUP, the metrics every 5 s. */
static int audit_round(struct live *l, uint64_t mono)
{
	struct vft_trace_opts *o = l->o;
	int err;

	err = audit_check_poll(l); /* its deadline too */
	if (err) {
		l->ret = vft_output_error(err);
		return err;
	}
	if (mono >= l->next_check) {
		/* the previous check still runs: this one is skipped, not queued */
		if (vft_bounded__running(&l->check))
			vft_pipeline__skipped(l->p, VFT_SKIP_PERIODIC);
		else
			audit_check_start(l);
		l->next_check = mono + o->check_interval_ns;
	}
	if (o->hangup && *o->hangup) {
		*o->hangup = 0;
		err = audit_hangup(l);
		if (err)
			return err;
		l->next_metrics = 0;
	}
	if (mono >= l->next_metrics || l->stop) {
		vft_pipeline__update_metrics(l->p, o->metrics_textfile);
		l->next_metrics = mono + 5 * SEC;
	}
	return 0;
}

static int run_round(struct live *l)
{
	struct epoll_event evs[4];
	uint64_t mono;
	int n, err;

	n = wait_sources(l, evs, 4);
	if (n < 0)
		return n;
	err = read_sources(l, evs, n);
	if (!err)
		err = coverage(l);
	if (!err)
		err = account_lost(l);
	if (err)
		return err;
	mono = vft_clock_ns(CLOCK_MONOTONIC);
	if (vft_pipeline__capture_stats(l->p, NULL) && (l->stop || mono - l->last_flush >= SEC)) {
		err = vft_pipeline__capture_flush(l->p);
		if (err)
			return err;
		l->last_flush = mono;
		progress(l, false);
	}
	return l->o->audit ? audit_round(l, mono) : 0;
}

/* ---- the end ---- */

static void close_run(struct live *l)
{
	if (l->p && vft_pipeline__capture_stats(l->p, NULL)) {
		progress(l, true);
		if (vft_pipeline__capture_close(l->p))
			l->ret = VFT_EXIT_RUNTIME;
	}
	vft_bounded__cancel(&l->check);
	if (l->epfd >= 0)
		close(l->epfd);
	l->epfd = -1;
	vft_metrics_server__free(l->server);
	vft_pipeline__free(l->p);
	vft_metrics__free(l->metrics);
	vft_sink__free(l->sink);
	vft_sink__free(l->out);
	vft_trace_sink__free(l->trace);
	if (l->trace_file && fclose(l->trace_file)) {
		vft_warn("cannot write %s: %s\n", l->o->trace_json, strerror(errno));
		l->ret = VFT_EXIT_RUNTIME;
	}
	netlink_source__free(l->nl);
	bpf_source__free(l->src);
}

int vft_live__run(struct vft_trace_opts *o)
{
	struct live l = { .o = o, .epfd = -1, .check = { .fd = -1 }, .ret = VFT_EXIT_RUNTIME };
	int err;

	if (!o->stop)
		o->stop = &never;
	block_signals(&l);
	err = open_run(&l);
	if (!err)
		err = start(&l);
	while (!err && !l.stop)
		err = run_round(&l);
	if (!err) {
		err = l.sink ? vft_pipeline__finish(l.p) : 0;
		l.ret = err ? vft_output_error(err) : VFT_EXIT_OK;
	}
	close_run(&l);
	return l.ret;
}
