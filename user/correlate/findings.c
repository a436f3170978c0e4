// SPDX-License-Identifier: GPL-2.0-only
/*
 * findings.c - the findings of the correlator: each code's name, severity
 * and remedy (docs/findings.md), raising one on a VF's record, resolving
 * it, and the queue that reports both after the event that caused them.
 * Which events raise or resolve a code is in the rules_*.c files.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "enrich/cgroup.h"
#include "correlate/internal.h"
#include "lib/util.h"

static const struct {
	const char *name;
	uint32_t severity;
	const char *remedy;
} codes[VFT_F_MAX] = {
	[VFT_F_HOST_MANAGER_CLAIM] = {
		.name = "HOST_MANAGER_CLAIM",
		.severity = VFT_SEV_WARNING,
		.remedy = "make the host manager leave VFs alone: networkd Unmanaged=yes or "
			  "NetworkManager unmanaged-devices for the VF names/drivers (udev "
			  "ACTION==\"add|change|move\")",
	},
	[VFT_F_CNI_MOVE_FAILED] = {
		.name = "CNI_MOVE_FAILED",
		.severity = VFT_SEV_ERROR,
		.remedy = "read the message; for EEXIST rename or delete the device of that "
			  "name in the target netns (a stale net1), then retry the pod",
	},
	[VFT_F_VF_RETURNED_TO_HOST] = {
		.name = "VF_RETURNED_TO_HOST",
		.severity = VFT_SEV_INFO,
		.remedy = "none: informational; watch for VF_STRANDED",
	},
	[VFT_F_VF_STRANDED] = {
		.name = "VF_STRANDED",
		.severity = VFT_SEV_WARNING,
		.remedy = "restore the VF's host name and leave it down and unmanaged (the "
			  "CNI's DEL did not run); check the host manager's unmanaged rules",
	},
	[VFT_F_NET1_NO_IP] = {
		.name = "NET1_NO_IP",
		.severity = VFT_SEV_ERROR,
		.remedy = "check the IPAM plugin (whereabouts, host-local) and the "
			  "NetworkAttachmentDefinition's ipam section; see the CNI's log",
	},
	[VFT_F_LID_MISSING] = {
		.name = "LID_MISSING",
		.severity = VFT_SEV_ERROR,
		.remedy = "check the port with ibstat; the Subnet Manager must admit the VF "
			  "(SM virtualization on, VF GUID set, port up)",
	},
	[VFT_F_SM_UNREACHABLE] = {
		.name = "SM_UNREACHABLE",
		.severity = VFT_SEV_ERROR,
		.remedy = "no Subnet Manager answered on this port: check opensm/UFM and "
			  "the cabling of the fabric",
	},
	[VFT_F_GUID_ZERO] = {
		.name = "GUID_ZERO",
		.severity = VFT_SEV_ERROR,
		.remedy = "assign the VF a GUID before it binds (ip link set PF vf N "
			  "node_guid/port_guid, or the SR-IOV operator's GUID pool; RoCE: "
			  "a MAC, ip link set PF vf N mac)",
	},
	[VFT_F_GID_MISSING] = {
		.name = "GID_MISSING",
		.severity = VFT_SEV_ERROR,
		.remedy = "give net1 an IP address: RoCE v2 GIDs are made from its "
			  "addresses",
	},
	[VFT_F_RDMA_DEVICE_MISSING] = {
		.name = "RDMA_DEVICE_MISSING",
		.severity = VFT_SEV_ERROR,
		.remedy = "check that the VF's RDMA device exists (rdma dev) and that the "
			  "mlx5_ib module is loaded; rebind the VF",
	},
	[VFT_F_RDMA_NETNS_MISMATCH] = {
		.name = "RDMA_NETNS_MISMATCH",
		.severity = VFT_SEV_ERROR,
		.remedy = "in exclusive netns mode the CNI must move the RDMA device with "
			  "the netdev (rdma dev set DEV netns NS): use an RDMA-aware CNI, "
			  "or shared mode",
	},
	[VFT_F_DRIVER_CHURN] = {
		.name = "DRIVER_CHURN",
		.severity = VFT_SEV_WARNING,
		.remedy = "find who unbinds the VF (the actor) while pods use it: a device "
			  "plugin restart or a driver reload",
	},
	[VFT_F_CNI_ATTACH_FAILED] = {
		.name = "CNI_ATTACH_FAILED",
		.severity = VFT_SEV_ERROR,
		.remedy = "delete the pod; move the VF left behind back to the host under its host "
			  "name, and any device the rollback pulled out back into its pod; for "
			  "EEXIST remove the pod's other interface of that name first",
	},
	[VFT_F_POD_NETNS_GONE_BEFORE_DEL] = {
		.name = "POD_NETNS_GONE_BEFORE_DEL",
		.severity = VFT_SEV_WARNING,
		.remedy = "the runtime destroyed the pod's netns before the CNI's DEL (or DEL never "
			  "ran): reset the VF through the PF (MAC, VLAN, trust) and restore its host "
			  "name; check multus and the runtime's teardown order",
	},
	[VFT_F_CNI_ADD_FAILED] = {
		.name = "CNI_ADD_FAILED",
		.severity = VFT_SEV_ERROR,
		.remedy = "read the failed step in the evidence and the plugin's own log (kubectl "
			  "describe pod); the kubelet retries the ADD: fix the cause (a name taken "
			  "in the pod, the VF's state on its PF) or delete the pod",
	},
	[VFT_F_NETNS_GONE_WITHOUT_CNI_DEL] = {
		.name = "NETNS_GONE_WITHOUT_CNI_DEL",
		.severity = VFT_SEV_WARNING,
		.remedy = "the pod's netns went and no CNI DEL of its attachment ran: the VF was "
			  "not reset; check that multus and the runtime run DEL (a DEL that runs "
			  "later resolves it), else reset the VF through its PF",
	},
	[VFT_F_CNI_DEL_RESETS_OTHER_POD] = {
		.name = "CNI_DEL_RESETS_OTHER_POD",
		.severity = VFT_SEV_ERROR,
		.remedy = "an old pod's DEL reset a VF that a newer pod holds: set the VF's MAC, "
			  "VLAN and trust again (or delete and re-create the newer pod); make the "
			  "runtime finish a pod's DEL before its VF is given to another pod",
	},
	[VFT_F_VF_REMOVED_IN_POD] = {
		.name = "VF_REMOVED_IN_POD",
		.severity = VFT_SEV_WARNING,
		.remedy = "find who wrote sriov_numvfs (the actor): an operator applying a policy "
			  "must drain the node's pods of that PF first; delete and re-create the pod",
	},
};

const char *vft_finding__name(uint32_t code)
{
	return code && code < VFT_F_MAX ? codes[code].name : NULL;
}

const char *vft_finding__remedy(uint32_t code)
{
	return code && code < VFT_F_MAX ? codes[code].remedy : NULL;
}

const char *vft_severity__name(uint32_t severity)
{
	switch (severity) {
	case VFT_SEV_INFO:
		return "info";
	case VFT_SEV_WARNING:
		return "warning";
	case VFT_SEV_ERROR:
		return "error";
	default:
		return NULL;
	}
}

/* The systemd unit of @ev's actor, from its cgroup path: "" if none. */
void corr_actor_unit(const struct vft_event *ev, char *buf, size_t size)
{
	buf[0] = '\0';
	if (ev->has_actor && ev->actor.cgroup[0] && vft_cgroup__unit(ev->actor.cgroup, buf, size))
		buf[0] = '\0';
}

static void set_actor(struct vft_finding *f, const struct vft_event *ev)
{
	if (!ev || !ev->has_actor)
		return;
	f->has_actor = true;
	f->pid = ev->actor.pid;
	vft_copy_name(f->comm, ev->actor.comm, sizeof(f->comm));
	corr_actor_unit(ev, f->unit, sizeof(f->unit));
}

/* Queues a copy of @f for the callbacks, which see it after the event that caused it. */
static int enqueue(struct vft_corr *c, const struct vft_finding *f)
{
	struct vft_finding *tmp;

	if (c->n_queue == c->cap_queue) {
		size_t cap = c->cap_queue ? c->cap_queue * 2 : 8;

		tmp = realloc(c->queue, cap * sizeof(*tmp));
		if (!tmp)
			return -ENOMEM;
		c->queue = tmp;
		c->cap_queue = cap;
	}
	c->queue[c->n_queue++] = *f;
	return 0;
}

/* Reports the queued findings and resolutions. Returns 0 or the first callback error. */
int corr_flush_queue(struct vft_corr *c)
{
	size_t i;
	int err = 0;

	for (i = 0; i < c->n_queue && !err; i++) {
		const struct vft_finding *f = &c->queue[i];

		if (f->resolved && c->ops.resolved)
			err = c->ops.resolved(c->ctx, f);
		else if (!f->resolved && c->ops.finding)
			err = c->ops.finding(c->ctx, f);
	}
	c->n_queue = 0;
	return err;
}

/*
 * Whether a finding of @code describes a condition that stays until fixed
 * (it is open, and resolved later), or something that happened: a return, a
 * claim, driver churn, a netns gone before DEL, a VF removed under its pod. Those are
 * never open and never resolved.
 */
static bool stays_open(uint32_t code)
{
	return codes[code].severity != VFT_SEV_INFO && code != VFT_F_HOST_MANAGER_CLAIM &&
	       code != VFT_F_DRIVER_CHURN && code != VFT_F_POD_NETNS_GONE_BEFORE_DEL &&
	       code != VFT_F_VF_REMOVED_IN_POD && code != VFT_F_CNI_DEL_RESETS_OTHER_POD;
}

/*
 * " pod=ml/trainer-0" after the evidence, when the VF's pod is known by name
 * (only then: the evidence of a pod known by its UID alone is as it was).
 */
static void add_pod_evidence(struct vft_finding *f)
{
	char pod[VFT_POD_NS_LEN + VFT_POD_NAME_LEN];
	size_t len = strlen(f->evidence);

	vft_pod_label(pod, sizeof(pod), f->vf.pod_ns, f->vf.pod_name, NULL);
	snprintf(f->evidence + len, sizeof(f->evidence) - len, "%spod=%s", len ? " " : "", pod);
}

/*
 * Raises @code on @r. One finding of a code is open per VF at a time: a
 * second one while the first is open is not raised again (its evidence
 * would repeat). Info findings are never open. @unit, if not NULL, is the
 * actor's unit when @actor has no cgroup path. Returns 0 or a callback's
 * negative value, or -ENOMEM.
 */
int corr_raise_as(struct vft_corr *c, struct rec *r, uint32_t code, uint64_t ts, uint64_t since,
		  const struct vft_event *actor, const char *unit, int32_t err, const char *message,
		  const char *evidence)
{
	struct vft_finding *f;
	int ret = 0;

	if (open_of(r, code))
		return 0;
	if (stays_open(code) && !r->open && !(r->open = calloc(VFT_F_MAX, sizeof(*r->open))))
		return -ENOMEM;
	f = calloc(1, sizeof(*f));
	if (!f)
		return -ENOMEM;
	f->id = ++c->next_id;
	f->code = code;
	f->severity = codes[code].severity;
	f->ts_ns = ts;
	f->since_ns = since ? since : ts;
	f->vf = r->pub.ref;
	set_actor(f, actor);
	if (unit)
		vft_copy_name(f->unit, unit, sizeof(f->unit));
	f->err = err;
	vft_copy_name(f->message, message, sizeof(f->message));
	vft_copy_name(f->evidence, evidence ? evidence : "", sizeof(f->evidence));
	if (f->vf.pod_name[0])
		add_pod_evidence(f);
	f->remedy = codes[code].remedy;
	ret = enqueue(c, f);
	if (ret) {
		c->next_id--;
		free(f);
		return ret;
	}
	c->stats.raised[code]++;
	r->pub.n_findings++;
	if (!stays_open(code)) {
		free(f);
	} else {
		r->open[code] = f;
		r->pub.n_open++;
	}
	return ret;
}

int corr_raise(struct vft_corr *c, struct rec *r, uint32_t code, uint64_t ts, uint64_t since,
	       const struct vft_event *actor, int32_t err, const char *message,
	       const char *evidence)
{
	return corr_raise_as(c, r, code, ts, since, actor, NULL, err, message, evidence);
}

/* Marks the open finding @code of @r resolved at @ts by @by. */
int corr_resolve(struct vft_corr *c, struct rec *r, uint32_t code, uint64_t ts, const char *by)
{
	struct vft_finding *f;
	int ret = 0;

	if (!r->pub.n_open) /* the usual case: nothing to look up */
		return 0;
	f = open_of(r, code);
	if (!f)
		return 0;
	r->open[code] = NULL;
	r->pub.n_open--;
	f->resolved = true;
	f->resolved_ns = ts;
	f->vf = r->pub.ref;
	vft_copy_name(f->resolved_by, by, sizeof(f->resolved_by));
	c->stats.resolved[code]++;
	ret = enqueue(c, f);
	free(f);
	return ret;
}
