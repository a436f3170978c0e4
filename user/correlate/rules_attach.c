// SPDX-License-Identifier: GPL-2.0-only
/*
 * rules_attach.c - the steps of one CNI attachment that are not a VF's
 * state of their own: the CNI's temporary names (temp_<ifindex> of the
 * SR-IOV CNI and host-device 1.5, vfdev<ifindex> of ib-sriov, dev<ifindex>
 * of the kernel), so that a VF's host name is the name it had in the host
 * before the attachment began; and CNI_ATTACH_FAILED, a step that failed
 * in the pod after the VF arrived there (a rename refused with EEXIST or
 * EBUSY), with what the CNI's rollback moved out of that pod right after:
 * the SR-IOV CNI's rollback looks the pod's interface up by its final name,
 * so on EEXIST it pulls the pod's other interface out and leaves the VF.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "correlate/internal.h"
#include "lib/util.h"

/*
 * @r is called @name in @netns: in the host, outside a return (the name a
 * pod left it with is not its own) and not a temporary name, that is its
 * host name, which a DEL should give back.
 */
void corr_note_host_name(struct vft_corr *c, struct rec *r, uint32_t netns, const char *name)
{
	if (!name[0] || !is_host(c, netns) || r->pod_start_ns || r->returned_ns ||
	    vft_ifname_is_cni_temp(name))
		return;
	vft_copy_name(r->host_name, name, sizeof(r->host_name));
}

void corr_attach_forget(struct vft_corr *c, struct rec *r)
{
	if (!r->afail)
		return;
	free(r->afail);
	r->afail = NULL;
	c->n_afail--;
}

/*
 * A netdev step of @r that failed (@ev->ret < 0). In its pod, while its
 * attachment is on (before the stay is judged) and by the one that moved
 * it there, it is a failed attachment: kept until the rollback shows what
 * it moved, raised by then or when the stay is judged.
 */
int corr_on_step_failed(struct vft_corr *c, struct rec *r, const struct vft_event *ev)
{
	struct attach_fail *a;

	if (!r->pod_start_ns || !is_pod_ns(c, r->pub.ref.netns) || r->checked || r->afail ||
	    open_of(r, VFT_F_CNI_ATTACH_FAILED))
		return 0;
	if (r->attach_pid && ev->has_actor && ev->actor.pid != r->attach_pid)
		return 0; /* someone else's step: not the attachment's */
	a = calloc(1, sizeof(*a));
	if (!a)
		return -ENOMEM;
	a->ts_ns = ev->ts_ns;
	a->netns = r->pub.ref.netns;
	a->err = ev->ret;
	if (ev->has_actor)
		a->actor = ev->actor;
	corr_fmt(a->what, sizeof(a->what), "rename %s -> %s",
		 ev->ifname[0] ? ev->ifname : r->pub.ref.ifname, ev->new_ifname);
	vft_copy_name(a->kmsg, ev->message, sizeof(a->kmsg));
	r->afail = a;
	c->n_afail++;
	return 0;
}

/* Raises @r's kept failed step as CNI_ATTACH_FAILED; @then says what followed, "" if nothing. */
int corr_raise_attach(struct vft_corr *c, struct rec *r, uint64_t ts, const char *then)
{
	struct attach_fail *a = r->afail;
	struct vft_event actor = { .has_actor = !!a->actor.pid, .actor = a->actor };
	char msg[256], evd[256], pod[VFT_POD_NS_LEN + VFT_POD_NAME_LEN + 8], left[80], ebuf[16];
	char who[sizeof(pod)];
	bool there = r->pub.registered && r->pub.ref.netns == a->netns;
	int err;

	pod[0] = left[0] = '\0';
	corr_pod_word(who, sizeof(who), r->pub.ref.pod_ns, r->pub.ref.pod_name,
		      r->pub.ref.netns_name, r->pub.ref.pod_uid);
	if (r->pub.ref.netns == a->netns && who[0])
		corr_fmt(pod, sizeof(pod), " (%s)", who);
	if (there)
		corr_fmt(left, sizeof(left), "; the VF is left there as %s, %s", r->pub.ref.ifname,
			 r->pub.up ? "up" : "down");
	corr_fmt(msg, sizeof(msg), "%s: attaching it to netns %u%s failed at %s: %s%s%s%s%s%s",
		 r->pub.ref.key, a->netns, pod, a->what, vft_errno_name(a->err, ebuf, sizeof(ebuf)),
		 a->kmsg[0] ? " (" : "", a->kmsg, a->kmsg[0] ? ")" : "", left, then);
	corr_fmt(evd, sizeof(evd), "netns=%u step=\"%s\" ret=%d left=%s up=%d%s", a->netns, a->what,
		 a->err, there ? r->pub.ref.ifname : "-", there && r->pub.up,
		 then[0] ? " rollback=1" : "");
	err = corr_raise(c, r, VFT_F_CNI_ATTACH_FAILED, ts, a->ts_ns, &actor, a->err, msg, evd);
	corr_attach_forget(c, r);
	return err;
}

/*
 * @ev moves @r out of a pod to the host. When the one whose step failed in
 * that pod moves a device other than its VF, that is its rollback taking
 * the wrong device (it looked the pod's interface up by name): @rollback
 * is set, and the failed attachment is raised naming that device. Such a
 * device was not the VF of any attachment: it is no VF's return.
 */
int corr_rollback_of(struct vft_corr *c, struct rec *r, const struct vft_event *ev, bool *rollback)
{
	char then[128];
	size_t i;

	*rollback = false;
	if (!c->n_afail || !ev->has_actor)
		return 0;
	for (i = 0; i < c->n_recs; i++) {
		struct rec *o = c->recs[i];

		if (o == r || !o->afail || o->afail->netns != ev->from_netns ||
		    o->afail->actor.pid != ev->actor.pid)
			continue;
		*rollback = true;
		corr_fmt(then, sizeof(then),
			 "; the CNI's rollback moved %s (%s, not this VF) out "
			 "to the host instead",
			 r->pub.ref.key, ev->ifname);
		return corr_raise_attach(c, o, ev->ts_ns, then);
	}
	return 0;
}
