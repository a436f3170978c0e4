// SPDX-License-Identifier: GPL-2.0-only
/*
 * rules_driver.c - a VF's PCI function: its PF (vf_add, vf_remove), its
 * driver and NUMA node (driver_bind, driver_unbind), and DRIVER_CHURN, a
 * driver bound or unbound while the VF's netdev is in a pod. A rebind in
 * the host is none: ib-sriov applies a GUID that way during its ADD.
 */
#include "correlate/internal.h"
#include "lib/util.h"

/* DRIVER_CHURN: a driver bound (@what) or unbound while the VF's netdev is in a pod. */
static int churn(struct vft_corr *c, struct rec *r, const struct vft_event *ev, const char *what)
{
	char msg[256], evd[256];
	bool in_use = r->pod_start_ns && is_pod_ns(c, r->pub.ref.netns);

	if (ev->source == VFT_SRC_INVENTORY || !in_use)
		return 0;
	/* a rebind re-creates the netdev, and a new one registers in the host, not the pod */
	corr_fmt(msg, sizeof(msg),
		 "%s was %s driver %s while its netdev %s is in pod netns %u: the pod loses its "
		 "netdev (a new one registers in the host)",
		 r->pub.ref.key, what, ev->driver, r->pub.ref.ifname, r->pub.ref.netns);
	corr_fmt(evd, sizeof(evd), "driver=%s netns=%u", ev->driver, r->pub.ref.netns);
	return corr_raise(c, r, VFT_F_DRIVER_CHURN, ev->ts_ns, 0, ev, 0, msg, evd);
}

int corr_on_bind(struct vft_corr *c, struct rec *r, const struct vft_event *ev)
{
	if (ev->has_numa)
		r->pub.numa_node = ev->numa_node;
	if (!ev->has_ret || ev->ret >= 0)
		vft_copy_name(r->pub.driver, ev->driver, sizeof(r->pub.driver));
	return churn(c, r, ev, "bound to");
}

int corr_on_unbind(struct vft_corr *c, struct rec *r, const struct vft_event *ev)
{
	if (ev->has_numa)
		r->pub.numa_node = ev->numa_node;
	r->pub.driver[0] = '\0';
	return churn(c, r, ev, "unbound from");
}

int corr_on_vf_add(struct vft_corr *c, struct rec *r, const struct vft_event *ev)
{
	vft_copy_name(r->pub.pf, ev->pf, sizeof(r->pub.pf));
	r->pub.vf_index = ev->vf_index;
	r->vf_removed = false;
	return 0;
}

/* Its PF removed it: once nothing else of it is left, the retention may forget it. */
int corr_on_vf_remove(struct vft_corr *c, struct rec *r, const struct vft_event *ev)
{
	r->vf_removed = true;
	return 0;
}
