// SPDX-License-Identifier: GPL-2.0-only
/*
 * rules_rdma.c - a VF's RDMA device and port: the handlers of the RDMA
 * events, and at the end of a pod's grace period RDMA_DEVICE_MISSING,
 * RDMA_NETNS_MISMATCH and the port's findings (LID_MISSING,
 * SM_UNREACHABLE, GUID_ZERO on InfiniBand, GID_MISSING on RoCE), made of
 * the predicates of port_rules.h that `vftrace check` uses too.
 */
#include <errno.h>
#include <string.h>
#include "correlate/internal.h"
#include "correlate/port_rules.h"
#include "lib/util.h"

static const char *port_evidence(const struct rec *r, char *buf, size_t size)
{
	char ng[24], pg[24];

	vft_fmt_guid(ng, sizeof(ng), r->pub.node_guid);
	vft_fmt_guid(pg, sizeof(pg), r->pub.port_guid);
	corr_fmt(buf, size,
		 "ibdev=%s port=%u state=%s lid=0x%x sm_lid=0x%x node_guid=%s port_guid=%s "
		 "link_layer=%s rocev2_ip_gids=%u",
		 r->pub.ref.ibdev, r->pub.port, vft_port_state__name(r->pub.port_state) ?: "?",
		 r->pub.lid, r->pub.sm_lid, ng, pg, r->pub.link_layer, r->pub.n_ip_gids);
	return buf;
}

/* Raises @code on @r when @v is bad: "port <ibdev>/<n> of <key><ctx>: <why>". */
static int port_finding(struct vft_corr *c, struct rec *r, const struct vft_event *ev,
			uint32_t code, enum vft_port_verdict v, const char *ctx, const char *why)
{
	const struct vft_vf *vf = &r->pub;
	char msg[256], evd[256];

	if (v != VFT_PORT_BAD)
		return 0;
	corr_fmt(msg, sizeof(msg), "port %s/%u of %s%s: %s", vf->ref.ibdev, vf->port, vf->ref.key,
		 ctx, why);
	return corr_raise(c, r, code, ev->ts_ns, r->pod_start_ns, NULL, 0, msg,
			  port_evidence(r, evd, sizeof(evd)));
}

/*
 * The port findings of a VF in a pod whose RDMA device is there with its
 * port: the verdicts of port_rules.h, which check's columns apply too.
 */
static int check_port(struct vft_corr *c, struct rec *r, const struct vft_event *ev)
{
	const struct vft_vf *v = &r->pub;
	char why[160], ctx[48], msg[256], evd[256];
	enum vft_port_verdict pv;
	int err;

	corr_fmt(ctx, sizeof(ctx), " in pod netns %u", v->ref.netns);
	pv = vft_port__lid(v, why, sizeof(why));
	err = port_finding(c, r, ev, VFT_F_LID_MISSING, pv, ctx, why);
	if (!err) {
		pv = vft_port__sm(v, why, sizeof(why));
		err = port_finding(c, r, ev, VFT_F_SM_UNREACHABLE, pv, "", why);
	}
	if (!err) {
		pv = vft_port__guid(v, why, sizeof(why));
		err = port_finding(c, r, ev, VFT_F_GUID_ZERO, pv, "", why);
	}
	if (!err && vft_port__ip_gid(v, why, sizeof(why)) == VFT_PORT_BAD) {
		corr_fmt(msg, sizeof(msg),
			 "port %s/%u of %s (%s) has %s: RDMA connections to it "
			 "will fail",
			 v->ref.ibdev, v->port, v->ref.key, v->ref.ifname, why);
		err = corr_raise(c, r, VFT_F_GID_MISSING, ev->ts_ns, r->pod_start_ns, NULL, 0, msg,
				 port_evidence(r, evd, sizeof(evd)));
	}
	return err;
}

/*
 * The grace period of a pod stay ended and @r's netdev is there: its RDMA
 * device must exist, be in the netdev's netns, and have a usable port.
 */
int corr_check_rdma(struct vft_corr *c, struct rec *r, const struct vft_event *ev)
{
	const struct vft_vf *v = &r->pub;
	char msg[256], evd[256];
	struct rec *pf = r->pub.pf[0] ? corr_by_key(c, r->pub.pf) : NULL;
	int err = 0;

	if (!v->ref.ibdev[0] && (r->had_rdma || (pf && pf->pub.ref.ibdev[0]))) {
		corr_fmt(msg, sizeof(msg), "%s (%s) is in a pod but has no RDMA device%s",
			 v->ref.key, v->ref.ifname,
			 r->had_rdma ? " any more" : " though its PF has one");
		corr_fmt(evd, sizeof(evd), "netns=%u had_rdma=%d pf=%s pf_ibdev=%s ibdev=-",
			 v->ref.netns, r->had_rdma, v->pf[0] ? v->pf : "-",
			 pf && pf->pub.ref.ibdev[0] ? pf->pub.ref.ibdev : "-");
		err = corr_raise(c, r, VFT_F_RDMA_DEVICE_MISSING, ev->ts_ns, r->pod_start_ns, NULL,
				 0, msg, evd);
	}
	if (!err && v->ref.ibdev[0] && r->ib_absent && r->ib_absent_ns == v->ref.netns) {
		corr_fmt(msg, sizeof(msg),
			 "%s (%s) is in pod netns %u but its RDMA device %s is not "
			 "there (exclusive netns mode: it stayed in netns %u)",
			 v->ref.key, v->ref.ifname, v->ref.netns, v->ref.ibdev,
			 v->ibdev_netns ? v->ibdev_netns : c->host_netns);
		corr_fmt(evd, sizeof(evd), "netdev_netns=%u ibdev=%s ibdev_netns=%u", v->ref.netns,
			 v->ref.ibdev, v->ibdev_netns ? v->ibdev_netns : c->host_netns);
		err = corr_raise(c, r, VFT_F_RDMA_NETNS_MISMATCH, ev->ts_ns, r->pod_start_ns, NULL,
				 0, msg, evd);
	}
	if (err || !v->has_port || !v->ref.ibdev[0] || r->ib_absent)
		return err;
	return check_port(c, r, ev);
}

/* Whether @ev shows @r's RDMA device in its netdev's netns. */
static bool ib_visible(const struct vft_corr *c, const struct rec *r, const struct vft_event *ev)
{
	uint32_t where = r->pub.ibdev_netns;

	if (r->ib_absent)
		return false;
	/* a re-read inside the netdev's netns found it (shared mode, or moved unseen) */
	if (ev->source == VFT_SRC_ENRICH && !(ev->has_ret && ev->ret < 0) &&
	    vft_kind__get(ev->kind)->cls == VFT_KC_RDMA_PORT && ev->netns &&
	    ev->netns == r->pub.ref.netns)
		return true;
	return where ? where == r->pub.ref.netns : is_host(c, r->pub.ref.netns);
}

/* The open RDMA findings of @r that @ev (or an event before it) fixed. */
int corr_rdma_fixed(struct vft_corr *c, struct rec *r, const struct vft_event *ev)
{
	const struct vft_vf *v = &r->pub;
	char why[160];
	int err = 0;

	/* what the rule of each port finding says now, as check_port() raised it */
	if (open_of(r, VFT_F_LID_MISSING) && vft_port__lid(v, why, sizeof(why)) == VFT_PORT_OK)
		err = corr_resolve(c, r, VFT_F_LID_MISSING, ev->ts_ns,
				   "the port is ACTIVE with a LID");
	if (!err && open_of(r, VFT_F_SM_UNREACHABLE) &&
	    vft_port__sm(v, why, sizeof(why)) == VFT_PORT_OK)
		err = corr_resolve(c, r, VFT_F_SM_UNREACHABLE, ev->ts_ns,
				   "a Subnet Manager answered");
	if (!err && open_of(r, VFT_F_GUID_ZERO) &&
	    vft_port__guid(v, why, sizeof(why)) == VFT_PORT_OK)
		err = corr_resolve(c, r, VFT_F_GUID_ZERO, ev->ts_ns, "the port has a GUID");
	if (!err && open_of(r, VFT_F_GID_MISSING) &&
	    vft_port__ip_gid(v, why, sizeof(why)) == VFT_PORT_OK)
		err = corr_resolve(c, r, VFT_F_GID_MISSING, ev->ts_ns, "a RoCE v2 GID appeared");
	if (!err && open_of(r, VFT_F_RDMA_DEVICE_MISSING) && v->ref.ibdev[0])
		err = corr_resolve(c, r, VFT_F_RDMA_DEVICE_MISSING, ev->ts_ns,
				   "the RDMA device registered");
	if (!err && open_of(r, VFT_F_RDMA_NETNS_MISMATCH) && ib_visible(c, r, ev))
		err = corr_resolve(c, r, VFT_F_RDMA_NETNS_MISMATCH, ev->ts_ns,
				   "the RDMA device is in the netdev's netns");
	return err;
}

/* ---- one handler per RDMA kind (feed.c dispatches) ---- */

int corr_on_rdma_register(struct vft_corr *c, struct rec *r, const struct vft_event *ev)
{
	if (ev->has_ret && ev->ret < 0)
		return 0;
	vft_copy_name(r->pub.ref.ibdev, ev->ibdev, sizeof(r->pub.ref.ibdev));
	r->pub.node_guid = ev->node_guid;
	r->pub.ibdev_netns = 0;
	r->had_rdma = true;
	/* an RDMA device that arrives in a pod after its check: check its port too */
	if (r->pod_start_ns && r->checked && is_pod_ns(c, r->pub.ref.netns)) {
		r->pod_start_ns = ev->ts_ns;
		schedule(r, ev->ts_ns + c->opts.grace_ns, DUE_POD);
	}
	return corr_reindex(c, r);
}

int corr_on_rdma_unregister(struct vft_corr *c, struct rec *r, const struct vft_event *ev)
{
	r->pub.ref.ibdev[0] = '\0';
	r->pub.has_port = false;
	return 0;
}

int corr_on_rdma_rename(struct vft_corr *c, struct rec *r, const struct vft_event *ev)
{
	if (ev->has_ret && ev->ret < 0)
		return 0;
	vft_copy_name(r->pub.ref.ibdev, ev->new_ibdev, sizeof(r->pub.ref.ibdev));
	return corr_reindex(c, r);
}

int corr_on_rdma_netns_move(struct vft_corr *c, struct rec *r, const struct vft_event *ev)
{
	char msg[256], evd[256], ebuf[16];

	if (!ev->has_ret || ev->ret >= 0) {
		r->pub.ibdev_netns = is_host(c, ev->to_netns) ? 0 : ev->to_netns;
		r->ib_absent = false;
		return 0;
	}
	corr_fmt(msg, sizeof(msg), "moving RDMA device %s of %s to netns %u failed: %s", ev->ibdev,
		 r->pub.ref.key, ev->to_netns, vft_errno_name(ev->ret, ebuf, sizeof(ebuf)));
	corr_fmt(evd, sizeof(evd), "ibdev=%s to_netns=%u ret=%d netdev_netns=%u", ev->ibdev,
		 ev->to_netns, ev->ret, r->pub.ref.netns);
	return corr_raise(c, r, VFT_F_RDMA_NETNS_MISMATCH, ev->ts_ns, 0, ev, ev->ret, msg, evd);
}

static void set_port(struct rec *r, const struct vft_event *ev)
{
	struct vft_vf *v = &r->pub;

	v->has_port = true;
	v->port = ev->port;
	v->port_state = ev->port_state;
	v->lid = ev->lid;
	v->sm_lid = ev->sm_lid;
	v->port_guid = ev->port_guid;
	if (ev->node_guid)
		v->node_guid = ev->node_guid;
	vft_copy_name(v->link_layer, ev->link_layer, sizeof(v->link_layer));
	v->n_ip_gids = ev->n_ip_gids;
}

/* rdma_port_event and rdma_port_state: the port's attributes, or where a re-read failed. */
int corr_on_rdma_port(struct vft_corr *c, struct rec *r, const struct vft_event *ev)
{
	if (ev->has_ret && ev->ret < 0) {
		/* a re-read inside the VF's netns did not find the device */
		if (ev->source == VFT_SRC_ENRICH && ev->ret == -ENOENT) {
			r->ib_absent = true;
			r->ib_absent_ns = ev->netns;
		}
		return 0;
	}
	if (ev->source == VFT_SRC_ENRICH)
		r->ib_absent = false;
	if (ev->has_port_attrs)
		set_port(r, ev);
	return 0;
}
