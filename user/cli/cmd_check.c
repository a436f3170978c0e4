// SPDX-License-Identifier: GPL-2.0-only
/*
 * cmd_check.c - `vftrace check`: is each VF RDMA-ready now? The node read
 * once through the pipeline (no tracing), its VFs judged by check/facts.c
 * and check/check.c, one row per VF.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "check/check.h"
#include "check/facts.h"
#include "cli/cli.h"
#include "pipeline/pipeline.h"
#include "sources/netlink_source.h"
#include "lib/util.h"

struct check_opts {
	bool json;
	const char *root;
	const char *pod;
	const char *netns;
	const char *vf;
	bool all;		  /* --all */
	struct vft_filter filter; /* --ifname, --driver, --pci; the pipeline's selection */
};

static const struct argp_option check_options[] = {
	{ "json", 'j', NULL, 0, "Print JSON Lines (docs/json.md) instead of a table" },
	{ "root", OPT_ROOT, "DIR", 0,
	  "Inspect the tree under DIR instead of this node (for tests: /sys, /proc, /run, /etc, "
	  "/var/lib/kubelet under DIR)" },
	{ "pod", OPT_POD, "UID", 0,
	  "Only the VFs of this pod (in its netns, or allocated to it); a pod that the "
	  "container runtime or a CNI call names also by NAMESPACE/NAME" },
	{ "netns", OPT_NETNS, "NAME", 0, "Only the VFs in the netns of this /run/netns name" },
	{ "vf", OPT_VF, "BDF|IFNAME", 0, "Only this VF, by PCI address or netdev name" },
	{ "ifname", 'i', "GLOB", 0, "Only devices whose name matches GLOB (repeatable)" },
	{ "driver", OPT_DRIVER, "NAME", 0, "Only devices bound to driver NAME (repeatable)" },
	{ "pci", OPT_PCI, "BDF", 0, "Only the device at PCI address BDF (repeatable)" },
	{ "all", OPT_ALL, NULL, 0,
	  "Every device with a netdev or an RDMA device, not only SR-IOV VFs (veth with Soft-RoCE "
	  "in tests)" },
	{},
};

static error_t parse_check(int key, char *arg, struct argp_state *state)
{
	struct check_opts *o = state->input;

	switch (key) {
	case 'j':
		o->json = true;
		return 0;
	case OPT_ROOT:
		o->root = arg;
		return 0;
	case OPT_POD:
		o->pod = arg;
		return 0;
	case OPT_NETNS:
		o->netns = arg;
		return 0;
	case OPT_VF:
		o->vf = arg;
		return 0;
	case 'i':
	case OPT_DRIVER:
	case OPT_PCI:
		return vft_cli__parse_filter_key(key, arg, state, &o->filter, EXIT_USAGE);
	case OPT_ALL:
		o->all = true;
		return 0;
	case ARGP_KEY_ARG:
		argp_error(state, "unexpected argument '%s'", arg);
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

static const char check_doc[] =
	"Say whether each VF is RDMA-ready now, layer by layer.\n"
	"\n"
	"Traces nothing: it reads the node (sysfs, rtnetlink in every netns, the RDMA ports from "
	"inside each VF's netns, /proc and the cgroups for pods, the kubelet's device checkpoint, "
	"the host network managers' configuration) and prints one row per VF with a verdict per "
	"check: GUID (node GUID set; InfiniBand: port GUID too), LID/GID (InfiniBand: ACTIVE "
	"with a LID; RoCE: a RoCE v2 GID from an IP address, not due for a free VF in the host "
	"netns), SM (InfiniBand: an SM LID), the rules of watch's findings; RDMA (an RDMA device "
	"exists and is visible in the VF's netns), MAPPING (physfn, netdev, RDMA device and the "
	"pod's allocation agree; not a CNI's temporary name such as temp_6, not in a netns no "
	"process is in), OWNER (a VF in the host netns is not configured, and no running "
	"systemd-networkd or NetworkManager has a configuration that would manage it) and TOPO (PCIe "
	"distance to the pod's GPUs, as nvidia-smi names it: PIX and PXB pass). A VF is ready "
	"when no check fails; below the table, each failure's evidence. docs/check.md has the "
	"rules and the integrations (init container, node-problem-detector).\n"
	"\v"
	"Examples:\n"
	"  vftrace check                          every VF of the node\n"
	"  vftrace check --pod 0e5c2a7d-...       the VFs of one pod\n"
	"  vftrace check --netns cni-7f3e... --json\n"
	"\n"
	"Exit status: 0 when every selected VF is ready, 1 when one is not, 2 on a usage or "
	"runtime error (nothing selected included).";

static const struct argp check_argp = { check_options, parse_check, NULL, check_doc,
					vft_cli_common_children };

/* netns_cb of vft_facts__root_netdevs(): a pod's netns is said before its netdevs. */
static int announce(void *ctx, uint32_t netns)
{
	return vft_pipeline__announce_netns(ctx, netns, false);
}

/*
 * What the node has now, into @p: the host netns, the netdevs of every
 * netns (rtnetlink on this node, sysfs as each netns sees it under --root),
 * the inventory. Returns 0 or -errno (said).
 */
static int read_node(const struct check_opts *o, struct vft_pipeline *p, uint32_t host)
{
	struct netlink_source *nl = NULL;
	int err;

	err = vft_pipeline__begin(p);
	if (!err && vft_root_is_live(o->root)) {
		struct netlink_source_opts nopts = { .root = o->root };

		err = netlink_source__new(&nopts, &nl);
		if (err) {
			vft_warn("cannot read the netdevs of every netns (rtnetlink): %s\n",
				 strerror(-err));
			return err;
		}
	} else if (!err) {
		err = vft_facts__root_netdevs(o->root, host, vft_pipeline__feed_cb, announce, p);
	}
	if (!err)
		err = vft_pipeline__inventory(p, nl);
	if (!err)
		err = vft_pipeline__drain(p);
	if (err)
		vft_warn("cannot read the node: %s\n", strerror(-err));
	netlink_source__free(nl);
	return err;
}

int vft_cli__check(int argc, char **argv)
{
	struct check_opts o = {};
	struct vft_pipeline_opts po = {};
	struct vft_facts_opts fo;
	struct vft_pipeline *p = NULL;
	struct vft_check_row *rows = NULL;
	size_t n_rows = 0, i;
	uint32_t host;
	int err, ret = EXIT_USAGE;
	bool ready = true;

	argp_parse(&check_argp, argc, argv, 0, NULL, &o);
	signal(SIGPIPE, SIG_IGN);
	o.filter.root = o.root;
	/* the pipeline's selection takes everything; rows are chosen below */
	po.root = o.root;
	if (vft_pipeline__new(&po, &p))
		goto out;
	host = vft_pipeline__host_netns(p);
	if (read_node(&o, p, host))
		goto out;
	fo = (struct vft_facts_opts){ .root = o.root,
				      .pod = o.pod,
				      .netns = o.netns,
				      .vf = o.vf,
				      .all = o.all,
				      .filter = &o.filter };
	err = vft_facts__rows(&fo, vft_pipeline__corr(p), vft_pipeline__netns_map(p), host, &rows,
			      &n_rows);
	if (err)
		goto out;
	if (!n_rows) {
		vft_warn("no VF matches the selection%s\n",
			 o.all ? "" : " (SR-IOV VFs by default; --all for other devices)");
		goto out;
	}
	for (i = 0; i < n_rows; i++)
		ready = ready && rows[i].ready;
	err = o.json ? vft_check__print_json(stdout, rows, n_rows) :
		       vft_check__print_text(stdout, rows, n_rows, isatty(1));
	if (err) {
		ret = vft_output_error(err) ? EXIT_USAGE : 0;
		goto out;
	}
	ret = ready ? 0 : 1;
out:
	free(rows);
	vft_pipeline__free(p);
	vft_filter__clear(&o.filter);
	return ret;
}
