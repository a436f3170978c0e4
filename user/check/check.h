/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * check.h - `vftrace check`: is each VF RDMA-ready now? One row per VF, one
 * verdict per layer (docs/check.md). The facts come from the same readers
 * and the same correlator records as watch's findings; this file only
 * judges them.
 */
#ifndef VFT_CHECK_H
#define VFT_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "correlate/correlate.h"

enum vft_check_item {
	VFT_CHK_GUID,	   /* node GUID set; InfiniBand: port GUID too (vft_port__guid) */
	VFT_CHK_LID,	   /* InfiniBand: ACTIVE with a LID; RoCE: an IP-derived RoCE v2 GID */
	VFT_CHK_SM,	   /* InfiniBand: SM LID set (vft_port__sm) */
	VFT_CHK_RDMA,	   /* an RDMA device exists and is visible in the VF's netns */
	VFT_CHK_MAPPING,   /* physfn, netdev, RDMA device and the pod's allocation agree */
	VFT_CHK_OWNERSHIP, /* in the host: not configured, not claimed by a host manager's config */
	VFT_CHK_TOPOLOGY,  /* the VF is near its pod's GPUs */
	VFT_CHK_MAX,
};

enum vft_check_status {
	VFT_CHK_NA = 0, /* does not apply (or cannot be known) */
	VFT_CHK_PASS,
	VFT_CHK_FAIL,
};

struct vft_check_result {
	uint8_t status;
	char evidence[200];
};

/* What the caller learnt about a VF beyond its correlator record. */
struct vft_check_facts {
	int ib_visible;		/* RDMA device seen from the VF's netns: 1, 0, -1 unknown */
	char physfn[32];	/* the VF's physfn link, "" if none */
	char ib_parent[32];	/* the RDMA device's parent device, "" if unknown */
	bool sriov_expected;	/* its PF says it should exist (sriov_numvfs) but it does not */
	int n_claims;		/* host managers whose configuration would manage it */
	char claims[2][200];	/* "systemd-networkd: /etc/systemd/network/90-dhcp.network ..." */
	char dormant[200];	/* a claim of a manager that does not run now, "" if none */
	bool netns_empty;	/* the VF's netns (not the host's) is known to have no process */
	char alloc_pod[40];	/* pod the kubelet allocated it to, "" if none */
	bool alloc_pod_running; /* that pod has a netns (a process) */
	uint32_t alloc_netns;	/* ... which is this netns */
	int n_gpus;		/* GPUs of that pod with a known PCI address */
	char gpus[8][32];	/* their PCI addresses */
	char dist[8][8];	/* PCIe distance of the VF to each: "PIX" ... "SYS" */
	int32_t gpu_numa[8];
};

struct vft_check_row {
	struct vft_vf_ref ref;
	char pf[32];
	int32_t vf_index;
	int32_t numa_node;
	char pod[40]; /* the pod of its netns, else the one it was allocated to */
	struct vft_check_result r[VFT_CHK_MAX];
	bool ready;
};

/* "guid", "lid", "sm", "rdma", "mapping", "ownership", "topology". */
const char *vft_check_item__name(enum vft_check_item item);
/* "pass", "fail", "n/a". */
const char *vft_check_status__name(enum vft_check_status s);

/*
 * Judges @vf with @facts into @row. @host_netns: the host's netns inode.
 * A row is ready when no check fails.
 */
void vft_check__row(const struct vft_vf *vf, const struct vft_check_facts *facts,
		    uint32_t host_netns, struct vft_check_row *row);

/* A VF that its PF announces (sriov_numvfs) but that does not exist. */
void vft_check__missing_row(const char *pf, int32_t vf_index, const char *bdf,
			    struct vft_check_row *row);

/* Writes the rows as a table (and, below it, the evidence of each failure). */
int vft_check__print_text(FILE *out, const struct vft_check_row *rows, size_t n, bool color);
/* One {"type":"check"} line per row, then {"type":"check_summary"}. */
int vft_check__print_json(FILE *out, const struct vft_check_row *rows, size_t n);

#endif /* VFT_CHECK_H */
