/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * cli.h - the command line: what the subcommands (cmd_*.c) share (option
 * keys, the common, tracing, selection and capture options, signals,
 * libbpf's messages) and each subcommand's entry point, which main.c
 * dispatches to.
 *
 * Exit status: 0 success, 1 runtime failure, 2 usage error.
 */
#ifndef VFT_CLI_H
#define VFT_CLI_H

#include <argp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <bpf/libbpf.h>
#include "model/filter.h"
#include "pipeline/live.h"
#include "pipeline/pipeline.h"
#include "pipeline/replay.h"

#define EXIT_RUNTIME VFT_EXIT_RUNTIME
#define EXIT_USAGE VFT_EXIT_USAGE

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
	OPT_TRACE_JSON,
	OPT_HTML,
	OPT_CNI_BIN_DIR,
};

/* Children of commands that trace nothing: -v. */
extern const struct argp_child vft_cli_common_children[];
/* Children of commands that attach hooks: state->child_inputs[0] is their bpf_source_opts. */
extern const struct argp_child vft_cli_tracing_children[];
/*
 * Children of watch, record and audit: [0] the selection (struct
 * vft_trace_opts), [1] tracing (its bpf_source_opts), [2] common.
 */
extern const struct argp_child vft_cli_trace_children[];

/* The flight recorder's options, of watch -o, record and audit. */
#define CAPTURE_OPTIONS                                                                    \
	{ "max-size", OPT_MAX_SIZE, "BYTES", 0,                                            \
	  "Flight recorder: start a new file when this one would grow past BYTES (K/M/G "  \
	  "suffixes)" },                                                                   \
	{                                                                                  \
		"rotate", OPT_ROTATE, "N", 0,                                              \
			"Keep N files: FILE (newest), FILE.1 .. FILE.N-1 (oldest); needs " \
			"--max-size"                                                       \
	}

/*
 * --ifname, --driver and --pci into @f, as watch, record, audit and check take
 * them. Returns 0, or ARGP_ERR_UNKNOWN for another key. Out of memory ends
 * the program with @oom_status.
 */
error_t vft_cli__parse_filter_key(int key, char *arg, struct argp_state *state,
				  struct vft_filter *f, int oom_status);
/*
 * The capture file's options (-o, --max-size, --rotate) of watch and
 * record, and their checks at the end; ARGP_KEY_INIT hands @o to the
 * children of vft_cli_trace_children.
 */
error_t vft_cli__parse_capture_opt(int key, char *arg, struct argp_state *state,
				   struct vft_trace_opts *o);

/* Set by the signal handlers: SIGINT or SIGTERM, SIGHUP. */
extern volatile sig_atomic_t vft_cli_exiting, vft_cli_hangup;
/*
 * SIGINT and SIGTERM set vft_cli_exiting (without SA_RESTART: a signal
 * interrupts a wait), SIGHUP too sets vft_cli_hangup when @hangup;
 * SIGPIPE is ignored (a closed output is an -EPIPE).
 */
void vft_cli__install_signals(bool hangup);

/*
 * What of captures replay and report take: --vf, --since, --until and the
 * capture files (@paths); at the end, that there is one and the window is
 * not empty. Returns 0 for those keys, ARGP_ERR_UNKNOWN for the others.
 */
error_t vft_cli__parse_window(int key, char *arg, struct argp_state *state,
			      struct vft_replay_opts *r, struct vft_strlist *paths);

/* libbpf's messages, on stderr with -v only. */
int vft_cli__libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap);

/* The subcommands: argv[0] is "vftrace NAME". Each returns the exit status. */
int vft_cli__watch(int argc, char **argv);
int vft_cli__record(int argc, char **argv);
int vft_cli__audit(int argc, char **argv);
int vft_cli__hooks(int argc, char **argv);
int vft_cli__check(int argc, char **argv);
int vft_cli__replay(int argc, char **argv);
int vft_cli__report(int argc, char **argv);

#endif /* VFT_CLI_H */
