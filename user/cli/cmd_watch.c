// SPDX-License-Identifier: GPL-2.0-only
/*
 * cmd_watch.c - `vftrace watch`: the live timeline, findings as they are
 * raised, and each VF's timeline when stopped.
 */
#include "cli/cli.h"
#include "pipeline/live.h"

static const struct argp_option watch_options[] = {
	{ "json", 'j', NULL, 0, "Print JSON Lines (schema: docs/json.md) instead of text" },
	{ "output", 'o', "FILE", 0,
	  "Also record the stream into capture file FILE (docs/capture-format.md), as `vftrace "
	  "record` does" },
	CAPTURE_OPTIONS,
	{ "trace-json", OPT_TRACE_JSON, "FILE", 0,
	  "When stopped, also write what was seen as Chrome trace-event JSON into FILE, for "
	  "Perfetto UI or chrome://tracing: a track per VF (docs/report.md)" },
	{},
};

static error_t parse_watch(int key, char *arg, struct argp_state *state)
{
	struct vft_trace_opts *o = state->input;

	if (key == 'j') {
		o->json = true;
		return 0;
	}
	if (key == OPT_TRACE_JSON) {
		o->trace_json = arg;
		return 0;
	}
	return vft_cli__parse_capture_opt(key, arg, state, o);
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
	"  vftrace watch --trace-json vf.trace.json   a picture of the run when stopped\n"
	"\n"
	"Exit status: 0 when stopped by SIGINT or SIGTERM, 1 on a runtime failure, 2 on a "
	"usage error.";

static const struct argp watch_argp = { watch_options, parse_watch, NULL, watch_doc,
					vft_cli_trace_children };

int vft_cli__watch(int argc, char **argv)
{
	struct vft_trace_opts o = { .stop = &vft_cli_exiting };
	int ret;

	argp_parse(&watch_argp, argc, argv, 0, NULL, &o);
	vft_cli__install_signals(false);
	ret = vft_live__run(&o);
	vft_trace_opts__clear(&o);
	return ret;
}
