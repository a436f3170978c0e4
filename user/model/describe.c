// SPDX-License-Identifier: GPL-2.0-only
/*
 * describe.c - the one renderer of an event as text, through its kind's row
 * (kinds.c): the subject, the line's details, the timeline step.
 */
#include <string.h>
#include "model/event.h"
#include "model/kinds.h"
#include "model/text.h"

const char *vft_event__subject(const struct vft_event *ev)
{
	const struct vft_kind_info *k = vft_kind__get(ev->kind);

	if (k->subject)
		return k->subject;
	if (ev->vf_key[0])
		return ev->vf_key;
	if (ev->ifname[0])
		return ev->ifname;
	if (ev->ibdev[0])
		return ev->ibdev;
	if (ev->device[0])
		return ev->device;
	if (ev->pf[0])
		return ev->pf;
	return "-";
}

size_t vft_event__describe_step(const struct vft_event *ev, vft_text_pod_of *pod_of, void *ctx,
				char *buf, size_t size)
{
	const struct vft_kind_info *k = vft_kind__get(ev->kind);
	struct vft_text t;

	vft_text__init(&t, buf, size);
	t.pod_of = pod_of;
	t.pod_ctx = ctx;
	if (k->step)
		k->step(&t, ev);
	else
		vft_text__str(&t, k->name ?: "?");
	return vft_text__done(&t);
}

size_t vft_event__describe(const struct vft_event *ev, enum vft_describe how, char *buf,
			   size_t size)
{
	const struct vft_kind_info *k = vft_kind__get(ev->kind);
	struct vft_text t;

	if (how == VFT_DESCRIBE_STEP)
		return vft_event__describe_step(ev, NULL, NULL, buf, size);
	vft_text__init(&t, buf, size);
	(k->line ?: vft_kind__line_netdev)(&t, ev);
	/* what the subject column cannot show: the RDMA device of a netdev, the parent */
	if (ev->ibdev[0] && ev->ifname[0]) {
		vft_text__str(&t, " rdma ");
		vft_text__str(&t, ev->ibdev);
	}
	if (ev->parent[0]) {
		vft_text__str(&t, " dev ");
		vft_text__str(&t, ev->parent);
	}
	return vft_text__done(&t);
}
