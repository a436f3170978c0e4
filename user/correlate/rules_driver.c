// SPDX-License-Identifier: GPL-2.0-only
/*
 * rules_driver.c - a VF's PCI function: its PF (vf_add, vf_remove), its
 * driver and NUMA node (driver_bind, driver_unbind), DRIVER_CHURN, a
 * driver bound or unbound while the VF's netdev is in a pod, and
 * VF_REMOVED_IN_POD, its PF removing it then (sriov_numvfs lowered). A
 * rebind in the host is none: ib-sriov applies a GUID that way during its
 * ADD. The unbind that a removal makes is the removal's, not churn.
 */
#include "correlate/internal.h"
#include "lib/util.h"

/* DRIVER_CHURN: a driver bound (@what) or unbound while the VF's netdev is in a pod. */
static int churn(struct vft_corr *c, struct rec *r, const struct vft_event *ev, const char *what)
{
	char msg[256], evd[256];
	bool in_use = r->pod_start_ns && is_pod_ns(c, r->pub.ref.netns);

	/* its PF is removing it: VF_REMOVED_IN_POD said so at the vf_remove */
	if (ev->source == VFT_SRC_INVENTORY || !in_use || r->vf_removed)
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

/*
 * Its PF removed it: once nothing else of it is left, the retention may
 * forget it. The kernel reports the removal before it unbinds the driver,
 * so a VF whose netdev is in a pod is still there: the pod loses it for good.
 */
int corr_on_vf_remove(struct vft_corr *c, struct rec *r, const struct vft_event *ev)
{
	const struct vft_vf_ref *v = &r->pub.ref;
	char msg[256], evd[256], pod[VFT_POD_NS_LEN + VFT_POD_NAME_LEN + 8] = "", who[sizeof(pod)];

	r->vf_removed = true;
	if (ev->source == VFT_SRC_INVENTORY || !r->pod_start_ns || !r->pub.registered ||
	    !is_pod_ns(c, v->netns))
		return 0;
	corr_pod_word(who, sizeof(who), v->pod_ns, v->pod_name, v->netns_name, v->pod_uid);
	if (who[0])
		corr_fmt(pod, sizeof(pod), " (pod %s)", who);
	corr_fmt(msg, sizeof(msg),
		 "%s was removed by its PF %s while its netdev %s is in netns %u%s: the pod "
		 "loses its netdev for good (the VF no longer exists)",
		 v->key, ev->pf[0] ? ev->pf : r->pub.pf, v->ifname, v->netns, pod);
	corr_fmt(evd, sizeof(evd), "pf=%s vf_index=%d netns=%u ifname=%s",
		 ev->pf[0] ? ev->pf : r->pub.pf, ev->vf_index, v->netns, v->ifname);
	return corr_raise(c, r, VFT_F_VF_REMOVED_IN_POD, ev->ts_ns, r->pod_start_ns, ev, 0, msg,
			  evd);
}
