// SPDX-License-Identifier: GPL-2.0-only
/*
 * rules_claim.c - HOST_MANAGER_CLAIM: a VF brought up or given an address
 * in the host netns by an actor that is not trusted, and the rule that
 * decides trust. A comm is only a hint (any process can take any name):
 * an actor is trusted by evidence, its executable under a CNI plugin
 * directory, a container runtime's systemd unit, or a Kubernetes daemon's
 * comm in a pod's cgroup; a host manager (by unit or comm) never is. A
 * claim on a device not yet known to be a VF waits until the device moves
 * to a pod, and is raised then.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "correlate/internal.h"
#include "enrich/cgroup.h"
#include "enrich/exe.h"
#include "lib/util.h"

/* Where CNI plugins are installed: an executable under one is trusted. */
static const char *const cni_dirs[] = { "/opt/cni/bin", "/usr/lib/cni", "/usr/libexec/cni" };

/* Container runtimes and the kubelet: they run the CNI plugins, in their own cgroup. */
static const char *const trusted_units[] = { "containerd.service", "crio.service",
					     "kubelet.service", "docker.service" };

/* Daemons that configure VFs from a pod: trusted by comm in a pod's cgroup only. */
static const char *const pod_daemons[] = { "sriovdp", "sriov-network-c", "multus-daemon" };

/* Host network managers: never trusted, whatever their executable or cgroup says. */
static const char *const manager_units[] = { "systemd-networkd.service", "NetworkManager.service" };
static const char *const manager_comms[] = { "systemd-network", "NetworkManager" };

/*
 * Comms of the CNI plugins, runtimes and daemons: hints only. Such a comm
 * whose executable was not seen (the process was gone when it was read, or
 * the capture predates the executable) makes the claim "unverified".
 */
static const char *const hint_comms[] = {
	/* CNI plugins and IPAM */
	"multus", "multus-shim", "sriov", "host-device", "macvlan", "ipvlan", "ib-sriov", "rdma",
	"whereabouts", "host-local", "static", "dhcp", "tuning",
	/* container runtimes and the kubelet */
	"containerd", "containerd-shim", "runc", "crio", "conmon", "kubelet", "dockerd",
	/* the SR-IOV device plugin and operator daemons, multus' thick daemon */
	"sriovdp", "sriov-network-c", "multus-daemon"
};

enum trust { TRUST_YES, TRUST_NO, TRUST_UNVERIFIED };

static bool listed(const char *s, const char *const *list, size_t n)
{
	size_t i;

	for (i = 0; s[0] && i < n; i++)
		if (!strcmp(s, list[i]))
			return true;
	return false;
}

/* Whether --trust (the options or the stream's trust events) names the comm or the exe's dir. */
static bool user_trusted(const struct vft_corr *c, const struct vft_actor *a)
{
	const char *t;
	size_t i;

	for (i = 0; i < c->opts.n_trusted; i++) {
		t = c->opts.trusted_comms[i];
		if (t[0] == '/' ? a->exe[0] && vft_exe__under(a->exe, t) : !strcmp(a->comm, t))
			return true;
	}
	for (i = 0; a->comm[0] && i < c->n_trust; i++)
		if (!strcmp(a->comm, c->trust[i]))
			return true;
	for (i = 0; a->exe[0] && i < c->n_trust_dirs; i++)
		if (vft_exe__under(a->exe, c->trust_dirs[i]))
			return true;
	return false;
}

static bool in_cni_dir(const char *exe)
{
	size_t i;

	for (i = 0; exe[0] && i < ARRAY_SIZE(cni_dirs); i++)
		if (vft_exe__under(exe, cni_dirs[i]))
			return true;
	return false;
}

/* The trust rule (docs/findings.md, "Trusted actors"), in its order. */
static enum trust verdict(const struct vft_corr *c, const struct vft_event *ev)
{
	const struct vft_actor *a = &ev->actor;
	char unit[128], uid[40];

	if (!ev->has_actor)
		return TRUST_YES; /* nobody to name: rtnetlink saw it, not who did it */
	if (!a->pid || !strncmp(a->comm, "kworker/", 8))
		return TRUST_YES; /* the kernel's own work (a netns dismantled, addrconf) */
	if (user_trusted(c, a))
		return TRUST_YES;
	corr_actor_unit(ev, unit, sizeof(unit));
	if (listed(unit, manager_units, ARRAY_SIZE(manager_units)) ||
	    listed(a->comm, manager_comms, ARRAY_SIZE(manager_comms)))
		return TRUST_NO;
	if (in_cni_dir(a->exe) || listed(unit, trusted_units, ARRAY_SIZE(trusted_units)))
		return TRUST_YES;
	if (listed(a->comm, pod_daemons, ARRAY_SIZE(pod_daemons)) && a->cgroup[0] &&
	    !vft_cgroup__pod(a->cgroup, uid, sizeof(uid), NULL, 0))
		return TRUST_YES;
	if (!a->exe[0] && listed(a->comm, hint_comms, ARRAY_SIZE(hint_comms)))
		return TRUST_UNVERIFIED;
	return TRUST_NO;
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
	corr_fmt(msg, sizeof(msg),
		 "%s (%s) was configured in the host netns by %s[%u]%s%s%s: %s%s%s", r->pub.ref.key,
		 r->pub.ref.ifname, cl->comm, cl->pid, cl->unit[0] ? " (" : "", cl->unit,
		 cl->unit[0] ? ")" : "", cl->what, when,
		 cl->unverified ? " (unverified: a CNI or runtime comm, its executable not seen)" :
				  "");
	corr_fmt(ev, sizeof(ev), "actor=%s pid=%u unit=%s%s%s%s action=\"%s\"", cl->comm, cl->pid,
		 cl->unit[0] ? cl->unit : "-", cl->exe[0] ? " exe=" : "", cl->exe,
		 cl->unverified ? " trust=unverified" : "", cl->what);
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
static int on_claim(struct vft_corr *c, struct rec *r, const struct vft_event *ev, bool unverified)
{
	struct claim cl = { .ts_ns = ev->ts_ns, .pid = ev->actor.pid, .unverified = unverified };
	struct claim *tmp;
	char abuf[64];

	if (claimed_by(r, ev->actor.comm))
		return 0;
	vft_copy_name(cl.comm, ev->actor.comm, sizeof(cl.comm));
	vft_copy_name(cl.exe, ev->actor.exe, sizeof(cl.exe));
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
	if (r->n_pend == MAX_PENDING_CLAIMS)
		return 0;
	/* one at a time: most devices that never reach a pod hold one */
	tmp = realloc(r->pend, (r->n_pend + 1) * sizeof(*r->pend));
	if (!tmp)
		return -ENOMEM;
	r->pend = tmp;
	r->pend[r->n_pend++] = cl;
	return 0;
}

/*
 * @ev configured @r (admin up, an address): a claim when @r is in the host
 * netns and the actor is not trusted.
 */
int corr_on_host_config(struct vft_corr *c, struct rec *r, const struct vft_event *ev)
{
	enum trust t;

	if (!is_host(c, r->pub.ref.netns))
		return 0;
	t = verdict(c, ev);
	return t == TRUST_YES ? 0 : on_claim(c, r, ev, t == TRUST_UNVERIFIED);
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

/* Whether @s is one of the @n strings of @len bytes at @list. */
static bool kept(const void *list, size_t n, size_t len, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp((const char *)list + i * len, s))
			return true;
	return false;
}

/*
 * Whether a list of @n holds no more: the trust event of @s is then ignored
 * (kept already or not: no scan), counted, and the first one said.
 */
static bool full(struct vft_corr *c, size_t n, size_t cap, const char *s)
{
	if (n < cap)
		return false;
	if (!c->stats.trust_dropped++)
		vft_warn("the stream trusts more than %d comms or %d directories: \"%s\" and any "
			 "later ones are ignored\n",
			 VFT_CORR_MAX_TRUST, VFT_CORR_MAX_TRUST_DIRS, s);
	return true;
}

/*
 * What may configure VFs in the host netns, from the stream (watch --trust):
 * a comm, or a directory of executables in actor.exe. @r NULL. Each is kept
 * once, up to VFT_CORR_MAX_TRUST(_DIRS): the lists every claim scans stay
 * short whatever a capture holds. Returns 0 or -ENOMEM.
 */
int corr_on_trust(struct vft_corr *c, struct rec *r, const struct vft_event *ev)
{
	const char *dir = ev->actor.exe, *comm = ev->actor.comm;
	int err = 0;

	(void)r;
	if (dir[0] == '/') {
		if (full(c, c->n_trust_dirs, VFT_CORR_MAX_TRUST_DIRS, dir) ||
		    kept(c->trust_dirs, c->n_trust_dirs, sizeof(*c->trust_dirs), dir))
			goto out;
		if (!c->trust_dirs &&
		    !(c->trust_dirs = calloc(VFT_CORR_MAX_TRUST_DIRS, sizeof(*c->trust_dirs)))) {
			err = -ENOMEM;
			goto out;
		}
		vft_copy_name(c->trust_dirs[c->n_trust_dirs++], dir, sizeof(*c->trust_dirs));
	} else if (comm[0]) {
		if (full(c, c->n_trust, VFT_CORR_MAX_TRUST, comm) ||
		    kept(c->trust, c->n_trust, sizeof(*c->trust), comm))
			goto out;
		if (!c->trust && !(c->trust = calloc(VFT_CORR_MAX_TRUST, sizeof(*c->trust)))) {
			err = -ENOMEM;
			goto out;
		}
		vft_copy_name(c->trust[c->n_trust++], comm, sizeof(*c->trust));
	}
out:
	return err;
}
