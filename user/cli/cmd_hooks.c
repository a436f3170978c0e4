// SPDX-License-Identifier: GPL-2.0-only
/*
 * cmd_hooks.c - `vftrace hooks`: which kernel hooks attach on this kernel,
 * and how, as a table or one JSON object.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/utsname.h>
#include "cli/cli.h"
#include "pipeline/live.h"
#include "sources/bpf_source.h"
#include "lib/util.h"

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
					vft_cli_tracing_children };

int vft_cli__hooks(int argc, char **argv)
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
		vft_live__fill_ready(&ready, &u, src);
		err = vft_sink__ready(sink, &ready);
		ret = err ? vft_output_error(err) : 0;
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
	ret = fflush(stdout) == EOF ? vft_output_error(-errno) : 0;
out:
	vft_sink__free(sink);
	bpf_source__free(src);
	return ret;
}
