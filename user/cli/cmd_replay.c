// SPDX-License-Identifier: GPL-2.0-only
/*
 * cmd_replay.c - `vftrace replay`: capture files through the pipeline, on
 * any machine, into the same output the live run printed.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "cli/cli.h"
#include "pipeline/replay.h"
#include "sinks/sink.h"
#include "sinks/sink_trace.h"
#include "lib/util.h"

struct replay_cli {
	bool json;
	const char *trace_json; /* --trace-json FILE */
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
	{ "trace-json", OPT_TRACE_JSON, "FILE", 0,
	  "Also write the replay as Chrome trace-event JSON into FILE, for Perfetto UI "
	  "(ui.perfetto.dev) or chrome://tracing: a track per VF with its pod stays, steps and "
	  "findings (docs/report.md)" },
	{},
};

static error_t parse_replay(int key, char *arg, struct argp_state *state)
{
	struct replay_cli *o = state->input;

	switch (key) {
	case 'j':
		o->json = true;
		return 0;
	case OPT_TRACE_JSON:
		o->trace_json = arg;
		return 0;
	default:
		return vft_cli__parse_window(key, arg, state, &o->r, &o->paths);
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
	"  vftrace replay --trace-json vf.trace.json vf.cap   then open it in ui.perfetto.dev\n"
	"\n"
	"Exit status: 0 when every file was read (damaged or truncated ones included), 1 when "
	"a file is not a capture, has a format version this vftrace cannot read, or cannot be "
	"read or the --trace-json FILE cannot be written, 2 on a usage error.";

static const struct argp replay_argp = { replay_options, parse_replay, "FILE...", replay_doc,
					 vft_cli_common_children };

int vft_cli__replay(int argc, char **argv)
{
	struct replay_cli o = {};
	struct vft_replay_result res;
	struct vft_trace_sink *trace = NULL;
	struct vft_sink *out, *tee = NULL, *sink;
	FILE *trace_file = NULL;
	int err, ret = EXIT_RUNTIME;

	argp_parse(&replay_argp, argc, argv, 0, NULL, &o);
	signal(SIGPIPE, SIG_IGN);
	o.r.paths = (const char *const *)o.paths.items;
	o.r.n_paths = o.paths.n;
	out = o.json ? vft_sink_json__new(stdout) : vft_sink_text__new(stdout, isatty(1));
	if (!out)
		goto out;
	sink = out;
	if (o.trace_json) {
		struct vft_trace_sink_opts to = {};

		trace_file = fopen(o.trace_json, "we");
		if (!trace_file) {
			vft_warn("cannot create %s: %s: give a path in a writable directory\n",
				 o.trace_json, strerror(errno));
			goto out;
		}
		to.trace_json = trace_file;
		trace = vft_trace_sink__new(&to);
		tee = trace ? vft_sink_tee__new(out, vft_trace_sink__sink(trace)) : NULL;
		if (!tee)
			goto out;
		sink = tee;
	}
	err = vft_replay__run(&o.r, sink, &res);
	if (err == -EPIPE || err == -EIO || err == -ENOSPC)
		ret = vft_output_error(err);
	else
		ret = err ? EXIT_RUNTIME : 0;
out:
	if (trace_file && fclose(trace_file) && !ret) {
		vft_warn("cannot write %s: %s\n", o.trace_json, strerror(errno));
		ret = EXIT_RUNTIME;
	}
	vft_sink__free(tee);
	vft_trace_sink__free(trace);
	vft_sink__free(out);
	vft_strlist__clear(&o.paths);
	return ret;
}
