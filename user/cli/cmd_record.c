// SPDX-License-Identifier: GPL-2.0-only
/*
 * cmd_record.c - `vftrace record`: the stream into a capture file, traced
 * exactly as watch traces it.
 */
#include "cli/cli.h"
#include "pipeline/live.h"
#include "lib/util.h"

static const struct argp_option record_options[] = {
	{ "output", 'o', "FILE", 0, "Write the capture to FILE (mode 0600; required)" },
	{ "duration", OPT_DURATION, "SECONDS", 0,
	  "Stop after SECONDS (default: at SIGINT/SIGTERM)" },
	CAPTURE_OPTIONS,
	{},
};

static error_t parse_record(int key, char *arg, struct argp_state *state)
{
	struct vft_trace_opts *o = state->input;

	switch (key) {
	case OPT_DURATION:
		if (vft_parse_seconds(arg, &o->duration_ns) || !o->duration_ns)
			argp_error(state, "invalid --duration '%s': want seconds > 0", arg);
		return 0;
	case ARGP_KEY_END:
		if (!o->out_path)
			argp_error(state, "no capture file given: -o FILE");
		return vft_cli__parse_capture_opt(key, arg, state, o);
	default:
		return vft_cli__parse_capture_opt(key, arg, state, o);
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
					 vft_cli_trace_children };

int vft_cli__record(int argc, char **argv)
{
	struct vft_trace_opts o = { .record = true, .stop = &vft_cli_exiting };
	int ret;

	argp_parse(&record_argp, argc, argv, 0, NULL, &o);
	vft_cli__install_signals(false);
	ret = vft_live__run(&o);
	vft_trace_opts__clear(&o);
	return ret;
}
