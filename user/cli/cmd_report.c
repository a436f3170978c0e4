// SPDX-License-Identifier: GPL-2.0-only
/*
 * cmd_report.c - `vftrace report`: capture files through the pipeline, as
 * replay does, into a picture: one self-contained HTML page and/or Chrome
 * trace-event JSON (sinks/sink_trace.h, docs/report.md).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include "cli/cli.h"
#include "pipeline/replay.h"
#include "sinks/sink_trace.h"
#include "lib/util.h"

struct report_cli {
	const char *html;	/* --html FILE */
	const char *trace_json; /* --trace-json FILE */
	struct vft_strlist paths;
	struct vft_replay_opts r;
};

static const struct argp_option report_options[] = {
	{ "html", OPT_HTML, "FILE", 0,
	  "Write the report into FILE: one HTML page that any browser opens offline (inline "
	  "style and script, nothing fetched)" },
	{ "trace-json", OPT_TRACE_JSON, "FILE", 0,
	  "Write Chrome trace-event JSON into FILE, for Perfetto UI (ui.perfetto.dev) or "
	  "chrome://tracing" },
	{ "vf", OPT_VF, "KEY", 0, "Only this VF: its key as findings show it (a PCI address)" },
	{ "since", OPT_SINCE, "TIME", 0,
	  "Only events and findings at or after TIME: RFC 3339 or Unix seconds" },
	{ "until", OPT_UNTIL, "TIME", 0, "Only events and findings at or before TIME" },
	{},
};

static error_t parse_report(int key, char *arg, struct argp_state *state)
{
	struct report_cli *o = state->input;

	switch (key) {
	case OPT_HTML:
		o->html = arg;
		return 0;
	case OPT_TRACE_JSON:
		o->trace_json = arg;
		return 0;
	case ARGP_KEY_END:
		vft_cli__parse_window(key, arg, state, &o->r, &o->paths);
		if (!o->html && !o->trace_json)
			argp_error(state,
				   "nothing to write: give --html FILE and/or --trace-json FILE");
		return 0;
	default:
		return vft_cli__parse_window(key, arg, state, &o->r, &o->paths);
	}
}

static const char report_doc[] =
	"Draw capture files written by `vftrace record` (or `watch -o`): the same replay as "
	"`vftrace replay`, as a picture.\n"
	"\n"
	"--html FILE writes one self-contained HTML page: where and when the capture was "
	"recorded and what it holds, a lane per VF across the capture's time span with its pod "
	"(netns) stays as coloured bands, its steps as marks (hover for what happened and who "
	"did it) and its findings as diamonds (hover for the message and the remedy), and a "
	"table of the findings. Only the lanes on screen are drawn, so a capture of 10,000 VFs "
	"opens as fast as one of ten; with more than 200 VFs, those without findings start "
	"folded (the checkbox shows them).\n"
	"\n"
	"--trace-json FILE writes the same as Chrome trace-event JSON: a track per VF with its "
	"pod stays as slices and its steps and findings as instants, to open in Perfetto UI "
	"or chrome://tracing. `vftrace replay --trace-json` writes it beside the replay's "
	"text.\n"
	"\n"
	"Needs nothing from the machine it runs on: no root, no BPF, any kernel. Several FILEs "
	"are one recording in order, oldest first (FILE.2 FILE.1 FILE). --vf, --since and "
	"--until narrow what is drawn; findings are the same as without them. docs/report.md "
	"describes both formats.\n"
	"\v"
	"Examples:\n"
	"  vftrace report --html vf.html vf.cap\n"
	"  vftrace report --html vf.html --trace-json vf.trace.json vf.cap.1 vf.cap\n"
	"  vftrace report --html one.html --vf 0000:3b:10.5 vf.cap\n"
	"\n"
	"Exit status: 0 when every file was read (damaged or truncated ones included) and the "
	"outputs were written, 1 when a file is not a capture, has a format version this "
	"vftrace cannot read, cannot be read, or an output cannot be written, 2 on a usage "
	"error.";

static const struct argp report_argp = { report_options, parse_report, "FILE...", report_doc,
					 vft_cli_common_children };

/* Opens @path for writing, saying why not. NULL on failure. */
static FILE *create(const char *path)
{
	FILE *f = fopen(path, "we");

	if (!f)
		vft_warn("cannot create %s: %s: give a path in a writable directory\n", path,
			 strerror(errno));
	return f;
}

/* Closes @f (NULL is fine), saying why it failed. 0 or -errno. */
static int finish(FILE *f, const char *path)
{
	if (!f || !fclose(f))
		return 0;
	vft_warn("cannot write %s: %s\n", path, strerror(errno));
	return -errno;
}

int vft_cli__report(int argc, char **argv)
{
	struct report_cli o = {};
	struct vft_trace_sink_opts to = {};
	struct vft_trace_sink *trace = NULL;
	struct vft_replay_result res;
	int err, ret = EXIT_RUNTIME;

	argp_parse(&report_argp, argc, argv, 0, NULL, &o);
	signal(SIGPIPE, SIG_IGN);
	o.r.paths = (const char *const *)o.paths.items;
	o.r.n_paths = o.paths.n;
	if (o.html && !(to.html = create(o.html)))
		goto out;
	if (o.trace_json && !(to.trace_json = create(o.trace_json)))
		goto out;
	trace = vft_trace_sink__new(&to);
	if (!trace) {
		vft_warn("report: out of memory\n");
		goto out;
	}
	err = vft_replay__run(&o.r, vft_trace_sink__sink(trace), &res);
	/* a capture that cannot be read was said; an output that cannot be written is said here */
	if (err && ((to.html && ferror(to.html)) || (to.trace_json && ferror(to.trace_json))))
		vft_warn("cannot write %s: %s\n",
			 to.html && ferror(to.html) ? o.html : o.trace_json, strerror(-err));
	ret = err ? EXIT_RUNTIME : 0;
out:
	if (finish(to.html, o.html))
		ret = EXIT_RUNTIME;
	if (finish(to.trace_json, o.trace_json))
		ret = EXIT_RUNTIME;
	vft_trace_sink__free(trace);
	vft_strlist__clear(&o.paths);
	return ret;
}
