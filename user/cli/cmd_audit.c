// SPDX-License-Identifier: GPL-2.0-only
/*
 * cmd_audit.c - `vftrace audit`: the node daemon (JSON stream, metrics,
 * flight recorder, periodic checks), live or over a capture.
 */
#include "cli/cli.h"
#include "cli/privs.h"
#include "pipeline/live.h"
#include "pipeline/replay.h"
#include "lib/util.h"

static const struct argp_option audit_options[] = {
	{ "metrics", OPT_METRICS, "ADDR:PORT", 0,
	  "Serve Prometheus metrics at http://ADDR:PORT/metrics and a liveness probe at /healthz "
	  "(127.0.0.1:9477; \":9477\" is 127.0.0.1 too: other interfaces only when named). At "
	  "most 16 connections for /metrics, 4 per client address, each closed after 5 s "
	  "without activity; a request line is due within 2 s of connecting. /healthz is "
	  "answered apart from /metrics, so connections held open cannot starve it" },
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
	struct vft_trace_opts *o = state->input;

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
		return vft_cli__parse_capture_opt(key, arg, state, o);
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
	"Once its hooks are attached and rtnetlink listens, and before it starts any thread (the "
	"--metrics endpoint's), it drops every capability but CAP_BPF, CAP_PERFMON (RDMA hooks "
	"attach when ib_core loads), CAP_SYS_ADMIN (joining a netns to read RDMA ports), "
	"CAP_NET_ADMIN, CAP_SYS_PTRACE, CAP_DAC_READ_SEARCH (other processes' /proc) and "
	"CAP_SYS_RESOURCE, from the bounding set too, and sets no_new_privs: every thread holds "
	"these seven at most. So the endpoint binds without CAP_NET_BIND_SERVICE: a port below "
	"net.ipv4.ip_unprivileged_port_start (1024) is refused. Captures and the textfile are "
	"0600 and never written through a symbolic link. At start, an earlier run's capture "
	"becomes vftrace.cap.1 (and so on), so a restart loses no recording. SIGHUP flushes the "
	"capture (a new one is started when the file was moved away, the older files kept) and "
	"rewrites the textfile; SIGTERM and SIGINT flush everything and exit 0.\n"
	"\v"
	"Examples:\n"
	"  vftrace audit --metrics 127.0.0.1:9477 --capture-dir /var/lib/vftrace\n"
	"  vftrace audit --metrics-textfile /var/lib/node_exporter/textfile_collector/vftrace.prom\n"
	"\n"
	"docs/deploy/ has a hardened systemd unit and a Kubernetes DaemonSet.\n"
	"Exit status: 0 when stopped by SIGTERM or SIGINT, 1 on a runtime failure, 2 on a usage "
	"error.";

static const struct argp audit_argp = { audit_options, parse_audit, NULL, audit_doc,
					vft_cli_trace_children };

int vft_cli__audit(int argc, char **argv)
{
	struct vft_trace_opts o = { .audit = true, .json = true };
	int ret;

	o.check_interval_ns = 300 * 1000000000ULL;
	o.corr.retain_ns = 3600 * 1000000000ULL;
	/* the timelines are in the flight recorder: the daemon keeps each VF's state only */
	o.corr.no_steps = true;
	/* a restart or a SIGHUP after a move keeps the earlier files of the flight recorder */
	o.capture.flags |= VFT_CAPTURE_KEEP;
	o.stop = &vft_cli_exiting;
	o.hangup = &vft_cli_hangup;
	o.drop_privileges = vft_privs__drop;
	argp_parse(&audit_argp, argc, argv, 0, NULL, &o);
	vft_cli__install_signals(!o.from_capture);
	ret = o.from_capture ? vft_replay__audit(&o) : vft_live__run(&o);
	vft_trace_opts__clear(&o);
	return ret;
}
