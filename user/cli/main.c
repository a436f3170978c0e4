// SPDX-License-Identifier: GPL-2.0-only
/*
 * main.c - the vftrace command line: the top-level options, --version, and
 * the table of subcommands, each in its own cli/cmd_*.c (cli.h).
 *
 * Exit status: 0 success, 1 runtime failure, 2 usage error.
 */
#include <argp.h>
#include <stdio.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "cli/cli.h"
#include "lib/util.h"

const char *argp_program_version = "vftrace " VFTRACE_VERSION;

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *help;
};

static const struct command commands[] = {
	{ "watch", vft_cli__watch, "print VF lifecycle events live" },
	{ "hooks", vft_cli__hooks, "show which kernel hooks attach on this kernel, and how" },
	{ "check", vft_cli__check, "is each VF RDMA-ready now? one verdict per layer" },
	{ "audit", vft_cli__audit, "the node agent: findings, metrics, flight recorder, checks" },
	{ "record", vft_cli__record, "record the stream into a capture file" },
	{ "replay", vft_cli__replay, "analyse capture files, anywhere" },
	{ "report", vft_cli__report, "draw capture files: an HTML page, Chrome trace JSON" },
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
	"  report    draw capture files: one HTML page, or Chrome trace JSON for Perfetto\n"
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
	libbpf_set_print(vft_cli__libbpf_print);

	/* Usage messages of a command say "vftrace watch: ...". */
	snprintf(name, sizeof(name), "vftrace %s", o.cmd->name);
	o.argv[0] = name;
	return o.cmd->run(o.argc, o.argv);
}
