// SPDX-License-Identifier: GPL-2.0-only
/*
 * cli.c - what the subcommands share: the common, tracing, selection and
 * capture options, signals and libbpf's messages (see cli.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include "cli/cli.h"
#include "lib/util.h"

volatile sig_atomic_t vft_cli_exiting, vft_cli_hangup;

static void on_signal(int sig)
{
	if (sig == SIGHUP)
		vft_cli_hangup = 1;
	else
		vft_cli_exiting = 1;
}

void vft_cli__install_signals(bool hangup)
{
	struct sigaction sa = { .sa_handler = on_signal };

	/* No SA_RESTART: a signal must interrupt the poll. */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	/* the daemon's SIGHUP: flush, rewrite, reopen what was moved away */
	if (hangup)
		sigaction(SIGHUP, &sa, NULL);
}

int vft_cli__libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (!vft_verbose)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

/* ---- options shared by every subcommand ---- */

#define MECH_HELP                                                                            \
	"Attach with fentry/fexit or kprobe/kretprobe only (default auto: fentry where the " \
	"kernel allows it, else kprobes)"

/* Options of every command that attaches the kernel hooks; input: struct bpf_source_opts. */
static const struct argp_option tracing_options[] = {
	{ "mechanism", OPT_MECH, "auto|fentry|kprobe", 0, MECH_HELP },
	{ "root", OPT_ROOT, "DIR", 0, "Read /proc and /sys under DIR (for tests; default /)" },
	{ "cni-bin-dir", OPT_CNI_BIN_DIR, "DIR", 0,
	  "A program run from DIR is a CNI plugin (repeatable, at most 8; default /opt/cni/bin "
	  "and /usr/lib/cni). A program with CNI_COMMAND in its environment is one anywhere" },
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
	case OPT_CNI_BIN_DIR: {
		struct vft_cni_dir d;
		int err = vft_cni_dir__make(arg, &d);

		if (err)
			argp_error(state, "invalid --cni-bin-dir '%s': %s", arg,
				   err == -ENAMETOOLONG ? "longer than 62 bytes" :
							  "not an absolute path without . or ..");
		if (o->n_cni_dirs == VFT_CNI_MAX_DIRS)
			argp_error(state, "--cni-bin-dir: at most %d", VFT_CNI_MAX_DIRS);
		o->cni_dirs[o->n_cni_dirs++] = arg;
		return 0;
	}
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

const struct argp_child vft_cli_common_children[] = {
	{ &common_argp, 0, "Common options:", -2 },
	{},
};

const struct argp_child vft_cli_tracing_children[] = {
	{ &tracing_argp, 0, "Tracing options:", -3 },
	{ &common_argp, 0, "Common options:", -2 },
	{},
};

/* ---- the selection and findings of watch, record and audit ---- */

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
	{ "trust", OPT_TRUST, "COMM|DIR", 0,
	  "A process name (comm) that may configure VFs in the host netns besides the CNI "
	  "plugins and container runtimes vftrace knows, or a directory (an absolute path) "
	  "whose executables may: a CNI directory other than /opt/cni/bin, /usr/lib/cni and "
	  "/usr/libexec/cni (repeatable)" },
	{},
};

error_t vft_cli__parse_filter_key(int key, char *arg, struct argp_state *state,
				  struct vft_filter *f, int oom_status)
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
	struct vft_trace_opts *o = state->input;
	int err;

	switch (key) {
	case 'i':
	case OPT_DRIVER:
	case OPT_PCI:
		return vft_cli__parse_filter_key(key, arg, state, &o->filter, EXIT_RUNTIME);
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
		if (!arg[0] || (arg[0] == '/' ? strlen(arg) >= VFT_ACTOR_EXE_LEN :
						strlen(arg) >= VFT_NAME_LEN))
			argp_error(state,
				   "--trust: \"%s\" is no comm (at most %d bytes) nor "
				   "directory (an absolute path under %d bytes)",
				   arg, VFT_NAME_LEN - 1, VFT_ACTOR_EXE_LEN);
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

const struct argp_child vft_cli_trace_children[] = {
	{ &selection_argp, 0, "Selection and findings:", -4 },
	{ &tracing_argp, 0, "Tracing options:", -3 },
	{ &common_argp, 0, "Common options:", -2 },
	{},
};

/* ---- the capture file of watch -o and record ---- */

error_t vft_cli__parse_capture_opt(int key, char *arg, struct argp_state *state,
				   struct vft_trace_opts *o)
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

error_t vft_cli__parse_window(int key, char *arg, struct argp_state *state,
			      struct vft_replay_opts *r, struct vft_strlist *paths)
{
	switch (key) {
	case OPT_VF:
		r->vf_key = arg;
		return 0;
	case OPT_SINCE:
	case OPT_UNTIL:
		if (vft_parse_time(arg, key == OPT_SINCE ? &r->since_ns : &r->until_ns))
			argp_error(
				state,
				"invalid time '%s': want RFC 3339 (2026-11-28T21:35:00Z) or Unix "
				"seconds",
				arg);
		return 0;
	case ARGP_KEY_ARG:
		if (vft_strlist__add(paths, arg))
			argp_failure(state, EXIT_RUNTIME, ENOMEM, "%s", state->name);
		return 0;
	case ARGP_KEY_END:
		if (!paths->n)
			argp_error(state, "no capture file given");
		if (r->since_ns && r->until_ns && r->since_ns > r->until_ns)
			argp_error(state, "--since is after --until");
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}
