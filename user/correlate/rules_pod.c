// SPDX-License-Identifier: GPL-2.0-only
/*
 * rules_pod.c - a VF's netdev and its stays in pods: the handlers of the
 * netdev events (register, unregister, netns move, rename, link change,
 * addresses), entering and leaving a pod, CNI_MOVE_FAILED,
 * VF_RETURNED_TO_HOST, POD_NETNS_GONE_BEFORE_DEL, and at the end of a grace period (vf_check)
 * NET1_NO_IP for a pod stay and VF_STRANDED for a return. The RDMA checks
 * of a pod stay are in rules_rdma.c, the host-manager claims in
 * rules_claim.c, an attachment's temporary names and failed steps in
 * rules_attach.c.
 */
#include <string.h>
#include "correlate/internal.h"
#include "lib/util.h"

/* Findings of a pod stay that no longer apply once the VF leaves the pod. */
static int leave_pod(struct vft_corr *c, struct rec *r, uint64_t ts, const char *why)
{
	static const uint32_t pod_codes[] = { VFT_F_NET1_NO_IP,		 VFT_F_LID_MISSING,
					      VFT_F_SM_UNREACHABLE,	 VFT_F_GUID_ZERO,
					      VFT_F_GID_MISSING,	 VFT_F_RDMA_DEVICE_MISSING,
					      VFT_F_RDMA_NETNS_MISMATCH, VFT_F_CNI_ATTACH_FAILED };
	size_t i;
	int err = 0;

	for (i = 0; i < ARRAY_SIZE(pod_codes) && !err; i++)
		err = corr_resolve(c, r, pod_codes[i], ts, why);
	return err;
}

static int enter_pod(struct vft_corr *c, struct rec *r, const struct vft_event *ev)
{
	int err;

	r->ever_in_pod = true;
	r->pod_start_ns = ev->ts_ns;
	r->attach_pid = ev->has_actor ? ev->actor.pid : 0;
	r->out_failed_ns = 0;
	r->returned_ns = 0;
	r->claimed_after_return = false;
	r->n_claimed_by = 0;
	r->ib_absent = false;
	err = corr_resolve(c, r, VFT_F_VF_STRANDED, ev->ts_ns, "back in a pod");
	if (!err)
		err = corr_resolve(c, r, VFT_F_CNI_MOVE_FAILED, ev->ts_ns,
				   "a later move succeeded");
	if (!err)
		err = corr_flush_claims(c, r, ev->ts_ns);
	schedule(r, ev, c->opts.grace_ns, DUE_POD);
	return err;
}

/*
 * The kernel returned @r to the host because its pod's netns was
 * destroyed, not a DEL: a kworker (or nobody) moved it, or, where
 * rtnetlink alone saw it, it kept a name other than its host name (a DEL
 * renames it back inside the pod before it moves it out).
 */
static bool kernel_return(const struct rec *r, const struct vft_event *ev)
{
	if (ev->has_actor)
		return !ev->actor.pid || !strncmp(ev->actor.comm, "kworker/", 8);
	return r->host_name[0] && strcmp(r->pub.ref.ifname, r->host_name);
}

/*
 * Back in the host from a pod: a return, or a rollback's wrong device, and
 * how it came. A DEL whose move out of that pod failed (CNI_MOVE_FAILED,
 * EEXIST when the host has the name) did run: the kernel's return that
 * follows is that failure's end, not a netns destroyed before the DEL.
 */
static int back_in_host(struct vft_corr *c, struct rec *r, const struct vft_event *ev,
			const char *pod)
{
	bool del_failed = r->out_failed_ns && r->out_failed_ns == ev->from_netns;
	char msg[256], evd[256];
	bool rollback;
	int err;

	r->out_failed_ns = 0;
	err = leave_pod(c, r, ev->ts_ns, "left the pod");
	if (!err && del_failed)
		err = corr_resolve(c, r, VFT_F_CNI_MOVE_FAILED, ev->ts_ns,
				   kernel_return(r, ev) ? "the kernel returned it to the host" :
							  "a later move succeeded");
	r->pod_start_ns = 0;
	r->n_claimed_by = 0;
	if (!err)
		err = corr_rollback_of(c, r, ev, &rollback);
	if (err || rollback) {
		r->due_ns = 0; /* not a VF's attachment: no stay or return to judge */
		return err;
	}
	r->returned_ns = ev->ts_ns;
	corr_fmt(msg, sizeof(msg), "%s came back to the host netns as %s (from netns %u)",
		 r->pub.ref.key, r->pub.ref.ifname, ev->from_netns);
	corr_fmt(evd, sizeof(evd), "from_netns=%u name=%s host_name=%s", ev->from_netns,
		 r->pub.ref.ifname, r->host_name[0] ? r->host_name : "-");
	err = corr_raise(c, r, VFT_F_VF_RETURNED_TO_HOST, ev->ts_ns, 0, ev, 0, msg, evd);
	if (!err && !del_failed && kernel_return(r, ev)) {
		corr_fmt(msg, sizeof(msg),
			 "%s came back to the host as %s because netns %u%s%s%s was destroyed "
			 "before the CNI's DEL: nobody renamed or reset it",
			 r->pub.ref.key, r->pub.ref.ifname, ev->from_netns, pod[0] ? " (pod " : "",
			 pod, pod[0] ? ")" : "");
		corr_fmt(evd, sizeof(evd), "from_netns=%u pod=%s actor=%s name=%s host_name=%s",
			 ev->from_netns, pod[0] ? pod : "-", ev->has_actor ? ev->actor.comm : "-",
			 r->pub.ref.ifname, r->host_name[0] ? r->host_name : "-");
		err = corr_raise(c, r, VFT_F_POD_NETNS_GONE_BEFORE_DEL, ev->ts_ns, 0, ev, 0, msg,
				 evd);
		if (!err)
			err = corr_cni_kernel_return(c, r, ev);
	}
	schedule(r, ev, c->opts.grace_ns, DUE_RETURN);
	return err;
}

int corr_on_move(struct vft_corr *c, struct rec *r, const struct vft_event *ev)
{
	char msg[256], evd[256], ebuf[16], pod[VFT_POD_NS_LEN + VFT_POD_NAME_LEN] = "", then[64];
	const struct nsinfo *from;
	bool afail_out;
	struct rec *dup;
	int err = 0;

	if (ev->has_ret && ev->ret < 0) {
		corr_fmt(msg, sizeof(msg), "moving %s (%s) to netns %u failed: %s%s%s",
			 r->pub.ref.key, ev->ifname, ev->to_netns,
			 vft_errno_name(ev->ret, ebuf, sizeof(ebuf)), ev->message[0] ? ": " : "",
			 ev->message);
		corr_fmt(evd, sizeof(evd), "from_netns=%u to_netns=%u ret=%d%s%s", ev->from_netns,
			 ev->to_netns, ev->ret, ev->new_ifname[0] ? " name=" : "", ev->new_ifname);
		if (r->pod_start_ns && is_pod_ns(c, ev->from_netns) && is_host(c, ev->to_netns))
			r->out_failed_ns = ev->from_netns;
		return corr_raise(c, r, VFT_F_CNI_MOVE_FAILED, ev->ts_ns, 0, ev, ev->ret, msg, evd);
	}
	/* the name it leaves the host with, unless a CNI's temporary one (rules_attach.c) */
	if (!r->host_name[0] && is_host(c, ev->from_netns) && !is_host(c, ev->to_netns))
		corr_note_host_name(c, r, ev->from_netns,
				    ev->ifname[0] ? ev->ifname : r->pub.ref.ifname);
	/* the pod it leaves, named before its netns entry may go with it */
	from = corr_ns_find(c, ev->from_netns);
	if (from && !from->host)
		corr_pod_word(pod, sizeof(pod), from->pod_ns, from->pod_name, from->name,
			      from->pod_uid);
	afail_out = r->afail && r->afail->netns == ev->from_netns;
	/* the kernel closes the device and flushes its addresses on the way */
	r->pub.up = false;
	r->pub.n_addrs = 0;
	/*
	 * rtnetlink can report the device's arrival in the target netns before
	 * the move (it learns of a new netns late): that record is this one.
	 */
	dup = corr_by_dev(c, ev->to_netns, ev->new_ifindex > 0 ? ev->new_ifindex : ev->ifindex);
	if (dup && dup != r && !dup->pub.ref.pci[0] && !dup->pub.n_findings) {
		dup->pub.registered = false;
		dup->pod_start_ns = 0;
		dup->due_ns = 0;
	}
	err = corr_set_netdev(c, r, ev->new_ifname[0] ? ev->new_ifname : ev->ifname, ev->to_netns,
			      ev->new_ifindex);
	if (err)
		return err;
	/* straight from one pod into another: the first stay is over */
	if (r->pod_start_ns && is_pod_ns(c, ev->to_netns) && ev->to_netns != ev->from_netns)
		err = leave_pod(c, r, ev->ts_ns, "left the pod");
	if (!err && is_pod_ns(c, ev->to_netns))
		err = enter_pod(c, r, ev);
	else if (!err && is_host(c, ev->to_netns) && r->pod_start_ns)
		err = back_in_host(c, r, ev, pod);
	/* its failed step, not raised yet: the CNI took it out of that pod */
	if (!err && afail_out && r->afail) {
		corr_fmt(then, sizeof(then), "; then it was moved to netns %u", ev->to_netns);
		err = corr_raise_attach(c, r, ev->ts_ns, then);
	}
	return err;
}

/* Why a returned VF is stranded, or NULL if it is back in service. */
static const char *stranded_why(const struct rec *r, char *buf, size_t size)
{
	if (!r->pub.registered)
		return NULL; /* gone: nothing left to strand */
	if (r->claimed_after_return) {
		corr_fmt(buf, size, "a host manager claimed it after it came back");
		return buf;
	}
	if (r->host_name[0] && strcmp(r->pub.ref.ifname, r->host_name)) {
		corr_fmt(buf, size, "it keeps the name %s (its host name was %s)",
			 r->pub.ref.ifname, r->host_name);
		return buf;
	}
	if (!r->host_name[0] &&
	    (!strncmp(r->pub.ref.ifname, "net", 3) || vft_ifname_is_cni_temp(r->pub.ref.ifname))) {
		corr_fmt(buf, size, "it keeps the temporary name %s", r->pub.ref.ifname);
		return buf;
	}
	return NULL;
}

/* The grace period of a pod stay ended: evaluate what must hold by now. */
static int check_pod(struct vft_corr *c, struct rec *r, const struct vft_event *ev)
{
	const struct vft_vf *v = &r->pub;
	char msg[256], evd[256];
	int err = 0;

	if (!v->registered)
		return 0;
	if (v->up && !v->n_addrs) {
		corr_fmt(msg, sizeof(msg),
			 "%s (%s) in pod netns %u is up but has no IP address %llu s "
			 "after it arrived",
			 v->ref.key, v->ref.ifname, v->ref.netns,
			 (unsigned long long)((ev_clock(ev) - r->grace_from) / 1000000000ULL));
		corr_fmt(evd, sizeof(evd),
			 "netns=%u ifname=%s up=1 addresses=0 (link-local not counted)",
			 v->ref.netns, v->ref.ifname);
		err = corr_raise(c, r, VFT_F_NET1_NO_IP, ev->ts_ns, r->pod_start_ns, NULL, 0, msg,
				 evd);
	}
	return err ? err : corr_check_rdma(c, r, ev);
}

static int check_return(struct vft_corr *c, struct rec *r, const struct vft_event *ev)
{
	char why[160], msg[256], evd[256];

	if (!stranded_why(r, why, sizeof(why)))
		return 0;
	corr_fmt(msg, sizeof(msg), "%s (%s) is stranded in the host netns: %s", r->pub.ref.key,
		 r->pub.ref.ifname, why);
	corr_fmt(evd, sizeof(evd), "name=%s host_name=%s claimed_after_return=%d up=%d",
		 r->pub.ref.ifname, r->host_name[0] ? r->host_name : "-", r->claimed_after_return,
		 r->pub.up);
	return corr_raise(c, r, VFT_F_VF_STRANDED, ev->ts_ns, r->returned_ns, NULL, 0, msg, evd);
}

/* vf_check: the end of the grace period of @r's pod stay or return. */
int corr_on_check(struct vft_corr *c, struct rec *r, const struct vft_event *ev)
{
	/* live, a check before the end of the grace period (on its clock) judges nothing */
	bool ended = ev_clock(ev) >= r->grace_from + c->opts.grace_ns;
	int err = 0;

	if (r->checked)
		return 0;
	/* a failed step of its attachment that no rollback explained: the stay is judged now */
	if (r->afail && (c->opts.replay || ended)) {
		err = corr_raise_attach(c, r, ev->ts_ns, "");
		if (err)
			return err;
	}
	/* a replay trusts the recorded check: the grace period was the live run's */
	if (r->pod_start_ns && is_pod_ns(c, r->pub.ref.netns) && (c->opts.replay || ended))
		err = check_pod(c, r, ev);
	else if (r->returned_ns && (c->opts.replay || ended))
		err = check_return(c, r, ev);
	else
		return 0;
	r->checked = true;
	r->due_ns = 0;
	return err;
}

/* An open NET1_NO_IP of @r that an address fixed. */
int corr_net1_fixed(struct vft_corr *c, struct rec *r, const struct vft_event *ev)
{
	if (open_of(r, VFT_F_NET1_NO_IP) && r->pub.n_addrs)
		return corr_resolve(c, r, VFT_F_NET1_NO_IP, ev->ts_ns, "an address was added");
	return 0;
}

/* An open VF_STRANDED of @r that is no longer true. */
int corr_stranded_fixed(struct vft_corr *c, struct rec *r, const struct vft_event *ev)
{
	char why[160];

	if (open_of(r, VFT_F_VF_STRANDED) && !stranded_why(r, why, sizeof(why)))
		return corr_resolve(c, r, VFT_F_VF_STRANDED, ev->ts_ns,
				    r->pub.registered ? "back in service" : "the device is gone");
	return 0;
}

/* ---- one handler per netdev kind (feed.c dispatches) ---- */

static bool ip_scoped(const struct vft_event *ev)
{
	return ev->family != AF_INET6_NUM || !(ev->addr[0] == 0xfe && (ev->addr[1] & 0xc0) == 0x80);
}

int corr_on_register(struct vft_corr *c, struct rec *r, const struct vft_event *ev)
{
	bool fresh = !r->pub.registered;
	int err;

	if (ev->has_ret && ev->ret < 0)
		return 0;
	r->pub.registered = true;
	r->pub.up = ev->flags & IFF_UP_FLAG; /* the inventory's flags; a new one is down */
	r->pub.n_addrs = 0;
	/*
	 * a new netdev in the host (a rebind): an earlier return is over, its
	 * name is its own; a register of one that exists (a source's late
	 * report of a return) changes nothing
	 */
	if (fresh && is_host(c, ev->netns) && !r->pod_start_ns)
		r->returned_ns = 0;
	corr_note_host_name(c, r, ev->netns, ev->ifname);
	err = corr_set_netdev(c, r, ev->ifname, ev->netns, ev->ifindex);
	/* already in a pod when first seen (inventory), or created there */
	if (!err && is_pod_ns(c, ev->netns) && !r->pod_start_ns)
		err = enter_pod(c, r, ev);
	return err;
}

int corr_on_unregister(struct vft_corr *c, struct rec *r, const struct vft_event *ev)
{
	int err = 0;

	if (r->afail)
		err = corr_raise_attach(c, r, ev->ts_ns, "; then its netdev was unregistered");
	if (err)
		return err;
	r->pub.registered = false;
	r->pub.up = false;
	r->pub.n_addrs = 0;
	r->pod_start_ns = 0;
	r->due_ns = 0;
	err = corr_resolve(c, r, VFT_F_CNI_MOVE_FAILED, ev->ts_ns, "the netdev is gone");
	return err ? err : leave_pod(c, r, ev->ts_ns, "the netdev is gone");
}

int corr_on_rename(struct vft_corr *c, struct rec *r, const struct vft_event *ev)
{
	if (ev->has_ret && ev->ret < 0)
		return corr_on_step_failed(c, r, ev);
	corr_note_host_name(c, r, r->pub.ref.netns, ev->new_ifname);
	return corr_set_netdev(c, r, ev->new_ifname, 0, 0);
}

int corr_on_link(struct vft_corr *c, struct rec *r, const struct vft_event *ev)
{
	bool was_up = r->pub.up;
	int err = 0;

	r->pub.registered = true;
	r->pub.up = ev->flags & IFF_UP_FLAG;
	/* admin up is the event's own old -> new flags, whatever the record knew */
	if (!(ev->old_flags & IFF_UP_FLAG) && (ev->flags & IFF_UP_FLAG))
		err = corr_on_host_config(c, r, ev);
	/* up in a pod after its check: give the addresses a grace period again */
	if (!err && !was_up && r->pub.up && r->pod_start_ns && r->checked) {
		r->pod_start_ns = ev->ts_ns;
		schedule(r, ev, c->opts.grace_ns, DUE_POD);
	}
	return err;
}

int corr_on_addr_add(struct vft_corr *c, struct rec *r, const struct vft_event *ev)
{
	if (!ip_scoped(ev))
		return 0;
	r->pub.n_addrs++;
	return corr_on_host_config(c, r, ev);
}

int corr_on_addr_del(struct vft_corr *c, struct rec *r, const struct vft_event *ev)
{
	if (ip_scoped(ev) && r->pub.n_addrs)
		r->pub.n_addrs--;
	return 0;
}
