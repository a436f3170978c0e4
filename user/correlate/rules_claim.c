// SPDX-License-Identifier: GPL-2.0-only
/*
 * rules_claim.c - HOST_MANAGER_CLAIM: a VF brought up or given an address
 * in the host netns by an actor that is not trusted (not the CNI, the
 * runtime, the kubelet, the kernel, a pod, or a comm trusted by --trust).
 * A claim on a device not yet known to be a VF waits until the device
 * moves to a pod, and is raised then.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "correlate/internal.h"
#include "lib/util.h"

static const char *const default_trusted[] = {
	/* CNI plugins and IPAM */
	"multus", "multus-shim", "sriov", "host-device", "macvlan", "ipvlan", "ib-sriov", "rdma",
	"whereabouts", "host-local", "static", "dhcp", "tuning",
	/* container runtimes and the kubelet */
	"containerd", "containerd-shim", "runc", "crio", "conmon", "kubelet", "dockerd",
	/* the SR-IOV device plugin and operator daemons */
	"sriovdp", "sriov-network-c"
};

static const char *const trusted_units[] = { "containerd.service", "crio.service",
					     "kubelet.service", "docker.service" };

static bool trusted(const struct vft_corr *c, const struct vft_event *ev)
{
	char unit[128];
	size_t i;

	if (!ev->has_actor)
		return true; /* nobody to name: rtnetlink saw it, not who did it */
	if (!ev->actor.pid || !strncmp(ev->actor.comm, "kworker/", 8))
		return true; /* the kernel's own work (a netns dismantled, addrconf) */
	for (i = 0; i < ARRAY_SIZE(default_trusted); i++)
		if (!strcmp(ev->actor.comm, default_trusted[i]))
			return true;
	for (i = 0; i < c->opts.n_trusted; i++)
		if (!strcmp(ev->actor.comm, c->opts.trusted_comms[i]))
			return true;
	for (i = 0; i < c->n_trust; i++)
		if (!strcmp(ev->actor.comm, c->trust[i]))
			return true;
	corr_actor_unit(ev, unit, sizeof(unit));
	for (i = 0; unit[0] && i < ARRAY_SIZE(trusted_units); i++)
		if (!strcmp(unit, trusted_units[i]))
			return true;
	/* pods (the CNI's own containers, e.g. the SR-IOV operator) are Kubernetes' */
	return ev->actor.cgroup[0] && strstr(ev->actor.cgroup, "/kubepods");
}

static bool known_vf(const struct rec *r)
{
	return r->pub.pf[0];
}

static int raise_claim(struct vft_corr *c, struct rec *r, const struct claim *cl, uint64_t now,
		       const char *when)
{
	struct vft_event actor = { .has_actor = true };
	char msg[256], ev[256];

	actor.actor.pid = cl->pid;
	vft_copy_name(actor.actor.comm, cl->comm, sizeof(actor.actor.comm));
	corr_fmt(msg, sizeof(msg), "%s (%s) was configured in the host netns by %s[%u]%s%s%s: %s%s",
		 r->pub.ref.key, r->pub.ref.ifname, cl->comm, cl->pid, cl->unit[0] ? " (" : "",
		 cl->unit, cl->unit[0] ? ")" : "", cl->what, when);
	corr_fmt(ev, sizeof(ev), "actor=%s pid=%u unit=%s action=\"%s\"", cl->comm, cl->pid,
		 cl->unit[0] ? cl->unit : "-", cl->what);
	return corr_raise_as(c, r, VFT_F_HOST_MANAGER_CLAIM, now, cl->ts_ns, &actor, cl->unit, 0,
			     msg, ev);
}

static bool claimed_by(const struct rec *r, const char *comm)
{
	size_t i;

	for (i = 0; i < r->n_claimed_by; i++)
		if (!strcmp(r->claimed_by[i], comm))
			return true;
	return false;
}

/* A host-netns configuration step of @r by an untrusted actor. */
static int on_claim(struct vft_corr *c, struct rec *r, const struct vft_event *ev)
{
	struct claim cl = { .ts_ns = ev->ts_ns, .pid = ev->actor.pid };
	char abuf[64];

	if (claimed_by(r, ev->actor.comm))
		return 0;
	vft_copy_name(cl.comm, ev->actor.comm, sizeof(cl.comm));
	corr_actor_unit(ev, cl.unit, sizeof(cl.unit));
	if (vft_kind__get(ev->kind)->cls == VFT_KC_LINK) {
		corr_fmt(cl.what, sizeof(cl.what), "admin up");
	} else {
		vft_fmt_addr(abuf, sizeof(abuf), ev->family, ev->addr);
		corr_fmt(cl.what, sizeof(cl.what), "address %s/%u", abuf, ev->prefixlen);
	}
	if (!r->claimed_by)
		r->claimed_by = calloc(MAX_PENDING_CLAIMS, sizeof(*r->claimed_by));
	if (r->claimed_by && r->n_claimed_by < MAX_PENDING_CLAIMS) /* else raised again later */
		vft_copy_name(r->claimed_by[r->n_claimed_by++], cl.comm, VFT_NAME_LEN);
	if (r->returned_ns)
		r->claimed_after_return = true;
	if (known_vf(r) || r->ever_in_pod) {
		/* each actor is a finding of its own */
		return raise_claim(c, r, &cl, ev->ts_ns,
				   r->returned_ns ? " after it came back" : "");
	}
	if (!r->pend && !(r->pend = calloc(MAX_PENDING_CLAIMS, sizeof(*r->pend))))
		return -ENOMEM;
	if (r->n_pend < MAX_PENDING_CLAIMS)
		r->pend[r->n_pend++] = cl;
	return 0;
}

/*
 * @ev configured @r (admin up, an address): a claim when @r is in the host
 * netns and the actor is not trusted.
 */
int corr_on_host_config(struct vft_corr *c, struct rec *r, const struct vft_event *ev)
{
	if (!is_host(c, r->pub.ref.netns) || trusted(c, ev))
		return 0;
	return on_claim(c, r, ev);
}

/* The device went into a pod: raise the claims that preceded it. */
int corr_flush_claims(struct vft_corr *c, struct rec *r, uint64_t move_ns)
{
	char when[64];
	size_t i;
	int err = 0;

	for (i = 0; i < r->n_pend && !err; i++) {
		corr_fmt(when, sizeof(when), ", %llu ms before it moved to a pod",
			 (unsigned long long)((move_ns - r->pend[i].ts_ns) / NS_PER_MS));
		err = raise_claim(c, r, &r->pend[i], move_ns, when);
	}
	r->n_pend = 0;
	free(r->pend);
	r->pend = NULL;
	return err;
}

/* A comm that may configure VFs in the host netns, from the stream (watch --trust); @r NULL. */
int corr_on_trust(struct vft_corr *c, struct rec *r, const struct vft_event *ev)
{
	char(*tmp)[VFT_NAME_LEN];

	if (!ev->actor.comm[0])
		return 0;
	tmp = realloc(c->trust, (c->n_trust + 1) * sizeof(*tmp));
	if (!tmp)
		return -ENOMEM;
	c->trust = tmp;
	vft_copy_name(c->trust[c->n_trust++], ev->actor.comm, VFT_NAME_LEN);
	return 0;
}
