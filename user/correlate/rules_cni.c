// SPDX-License-Identifier: GPL-2.0-only
/*
 * rules_cni.c - CNI plugin runs (the cni event) and the VFs they touched.
 *
 * A run is reported when it exits, after every kernel step it made: each
 * step with an actor is noted as it passes (corr_cni_touch(), a ring of the
 * last CNI_TOUCHES), and a run takes the steps of its pid, and of the IPAM
 * plugins it ran (cni events marked as children, held until their parent's
 * run ends), between its exec and its exit. Each VF touched gets the run as
 * a step of its timeline, the IPAM runs nested before it; an ADD that
 * succeeded names the VF's pod (pub.pod_ns, pod_name, pod_uid, and the pod
 * of its netns in rendered steps), an ADD that failed raises
 * CNI_ADD_FAILED with the failed step, a DEL ends its attachment or, when
 * another pod's ADD attached the VF since, raises CNI_DEL_RESETS_OTHER_POD
 * for the VF settings it reset. A VF that the kernel returns from its pod's
 * destroyed netns while no DEL of its attachment ran raises
 * NETNS_GONE_WITHOUT_CNI_DEL (a DEL that runs later resolves it).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "correlate/internal.h"
#include "model/cni.h"
#include "lib/util.h"

#define CNI_MAX_RECS 8 /* VFs one run is attached to */

static struct cni_state *cni_state(struct vft_corr *c)
{
	if (!c->cni)
		c->cni = calloc(1, sizeof(*c->cni));
	return c->cni;
}

void corr_cni_touch(struct vft_corr *c, const struct rec *r, const struct vft_event *ev)
{
	struct cni_state *s;
	struct cni_touch *t;

	if (vft_kind__get(ev->kind)->corr == VFT_KCORR_CNI || !(s = cni_state(c)))
		return;
	t = &s->touch[s->next_touch];
	s->next_touch = (s->next_touch + 1) % CNI_TOUCHES;
	if (s->n_touch < CNI_TOUCHES)
		s->n_touch++;
	t->clock = ev_clock(ev);
	t->pid = ev->actor.pid;
	t->kind = ev->kind;
	t->ret = ev->has_ret ? ev->ret : 0;
	vft_copy_name(t->key, r ? r->pub.ref.key : "", sizeof(t->key));
	t->what[0] = '\0';
	if (!r)
		corr_fmt(t->what, sizeof(t->what), "%s \"%s\"", vft_kind__name(ev->kind) ?: "?",
			 ev->message);
	else if (t->ret < 0)
		vft_event__describe(ev, VFT_DESCRIBE_STEP, t->what, sizeof(t->what));
}

/* A run: its window on the event clock, its pids (its own and its IPAM runs'). */
struct run {
	const struct vft_event *ev;
	uint64_t start, end;
	uint32_t pids[1 + CNI_CHILDREN];
	size_t n_pids;
	size_t children[CNI_CHILDREN]; /* indexes in the state's child ring */
	size_t n_children;
	struct rec *recs[CNI_MAX_RECS];
	size_t n_recs;
	const struct cni_touch *failed; /* its last failed step, NULL */
	bool reset[CNI_MAX_RECS];	/* it set a VF setting of recs[i] (a DEL's reset) */
	char pod[96];			/* "ml/trainer-0", "" */
};

static bool run_has_pid(const struct run *run, uint32_t pid)
{
	size_t i;

	for (i = 0; i < run->n_pids; i++)
		if (run->pids[i] == pid)
			return true;
	return false;
}

static bool in_window(const struct run *run, uint64_t clock)
{
	return clock >= run->start && clock <= run->end;
}

/* The IPAM runs of @run's pid in its window, and every VF step by those pids. */
static void gather(struct vft_corr *c, struct run *run)
{
	struct cni_state *s = c->cni;
	const struct cni_touch *t;
	struct rec *r;
	size_t i, j;

	for (i = 0; s && i < s->n_child; i++) {
		const struct vft_event *ch = &s->child[i];

		if (s->child_used[i] || ch->cni_ppid != run->ev->actor.pid ||
		    !in_window(run, ev_clock(ch)))
			continue;
		s->child_used[i] = true;
		run->children[run->n_children++] = i;
		run->pids[run->n_pids++] = ch->actor.pid;
	}
	/* oldest first: the last failure found is the run's last */
	for (i = 0; s && i < s->n_touch; i++) {
		t = &s->touch[(s->next_touch + CNI_TOUCHES - s->n_touch + i) % CNI_TOUCHES];
		if (!in_window(run, t->clock) || !run_has_pid(run, t->pid))
			continue;
		if (t->ret < 0 || !t->key[0])
			run->failed = t;
		if (!t->key[0] || !(r = corr_by_key(c, t->key)))
			continue;
		for (j = 0; j < run->n_recs && run->recs[j] != r; j++)
			;
		if (j == run->n_recs) {
			if (j == CNI_MAX_RECS)
				continue;
			run->recs[run->n_recs++] = r;
		}
		if (t->kind == VFT_EV_VF_CONFIG && t->ret >= 0)
			run->reset[j] = true;
	}
}

static bool is_cmd(const struct vft_event *ev, const char *cmd)
{
	return !strcmp(ev->cni_command, cmd);
}

/* Whether @ev (a DEL) is of the attachment @a: the same container, or the same pod. */
static bool same_attachment(const struct cni_attach *a, const struct rec *r,
			    const struct vft_event *ev)
{
	if (a->container[0] && ev->container[0])
		return !strcmp(a->container, ev->container);
	return r->pub.pod_uid[0] && !strcmp(r->pub.pod_uid, ev->pod_uid);
}

static int added(struct vft_corr *c, struct rec *r, const struct run *run)
{
	const struct vft_event *ev = run->ev;
	struct nsinfo *n;
	size_t i;
	int err;

	if (!r->cni && !(r->cni = calloc(1, sizeof(*r->cni))))
		return -ENOMEM;
	r->cni->ts_ns = ev->ts_ns;
	r->cni->pid = ev->actor.pid;
	r->cni->netns = ev->netns ? ev->netns : r->pub.ref.netns;
	r->cni->del_seen = false;
	vft_copy_name(r->cni->container, ev->container, sizeof(r->cni->container));
	vft_copy_name(r->pub.pod_ns, ev->pod_ns, sizeof(r->pub.pod_ns));
	vft_copy_name(r->pub.pod_name, ev->pod_name, sizeof(r->pub.pod_name));
	vft_copy_name(r->pub.pod_uid, ev->pod_uid, sizeof(r->pub.pod_uid));
	if (ev->pod_name[0] && r->cni->netns && is_pod_ns(c, r->cni->netns) &&
	    (n = corr_ns_get(c, r->cni->netns))) {
		vft_copy_name(n->pod_ns, ev->pod_ns, sizeof(n->pod_ns));
		vft_copy_name(n->pod_name, ev->pod_name, sizeof(n->pod_name));
		if (!n->pod_uid[0])
			vft_copy_name(n->pod_uid, ev->pod_uid, sizeof(n->pod_uid));
		n->pod_by_cni = true;
		for (i = 0; n->n_recs && i < c->n_recs; i++)
			if (c->recs[i]->pub.ref.netns == r->cni->netns)
				corr_ref_update(c->recs[i], n);
		/* its steps rendered so far named the netns: rendered again when looked up */
		corr_view_drop(c, r);
	}
	err = corr_resolve(c, r, VFT_F_CNI_ADD_FAILED, ev->ts_ns, "a later CNI ADD succeeded");
	if (!err)
		err = corr_resolve(c, r, VFT_F_NETNS_GONE_WITHOUT_CNI_DEL, ev->ts_ns,
				   "attached again by a CNI ADD");
	return err;
}

static int add_failed(struct vft_corr *c, struct rec *r, const struct run *run)
{
	const struct vft_event *ev = run->ev;
	char msg[256], evd[256];

	corr_fmt(msg, sizeof(msg), "CNI ADD by %s for pod %s (%s) exited %d after %llu ms: %s",
		 vft_cni_plugin(ev), run->pod[0] ? run->pod : "-", ev->ifname[0] ? ev->ifname : "-",
		 vft_cni_exit_code(ev->cni_status),
		 (unsigned long long)(ev->cni_duration_ns / NS_PER_MS),
		 run->failed ? run->failed->what : "no failed kernel step seen");
	corr_fmt(evd, sizeof(evd), "pid=%u container=%s pod_uid=%s status=%u failed_ret=%d",
		 ev->actor.pid, ev->container[0] ? ev->container : "-",
		 ev->pod_uid[0] ? ev->pod_uid : "-", ev->cni_status,
		 run->failed ? run->failed->ret : 0);
	return corr_raise(c, r, VFT_F_CNI_ADD_FAILED, ev->ts_ns, 0, ev,
			  run->failed ? run->failed->ret : 0, msg, evd);
}

/* A DEL that touched @r: its attachment's end, or another pod's VF reset. */
static int deleted(struct vft_corr *c, struct rec *r, const struct run *run, bool reset)
{
	const struct vft_event *ev = run->ev;
	char msg[256], evd[256];

	if (!r->cni || same_attachment(r->cni, r, ev) || !reset)
		return 0;
	corr_fmt(msg, sizeof(msg),
		 "the CNI DEL of pod %s reset %s through its PF after pod %s%s%s attached it: the "
		 "newer pod's VF lost its settings",
		 run->pod[0] ? run->pod : (ev->container[0] ? ev->container : "-"), r->pub.ref.key,
		 r->pub.pod_ns, r->pub.pod_ns[0] ? "/" : "",
		 r->pub.pod_name[0] ? r->pub.pod_name : r->cni->container);
	corr_fmt(evd, sizeof(evd), "del_pid=%u del_container=%s add_pid=%u add_container=%s",
		 ev->actor.pid, ev->container[0] ? ev->container : "-", r->cni->pid,
		 r->cni->container[0] ? r->cni->container : "-");
	return corr_raise(c, r, VFT_F_CNI_DEL_RESETS_OTHER_POD, ev->ts_ns, 0, ev, 0, msg, evd);
}

/* Every VF whose attachment this DEL is of: a DEL that touched nothing ends it too. */
static int del_ends(struct vft_corr *c, const struct vft_event *ev)
{
	size_t i;
	int err = 0;

	for (i = 0; i < c->n_recs && !err; i++) {
		struct rec *r = c->recs[i];

		if (!r->cni || r->cni->del_seen || !same_attachment(r->cni, r, ev))
			continue;
		r->cni->del_seen = true;
		err = corr_resolve(c, r, VFT_F_NETNS_GONE_WITHOUT_CNI_DEL, ev->ts_ns,
				   "the CNI DEL ran after the netns was gone");
	}
	return err;
}

int corr_on_cni(struct vft_corr *c, struct rec *unused, const struct vft_event *ev)
{
	struct cni_state *s;
	struct run run;
	size_t i, j;
	int err = 0;

	if (!ev->has_actor || !ev->actor.pid || !(s = cni_state(c)))
		return 0;
	/* an IPAM run: a step of its plugin's run, which ends later */
	if (ev->cni_flags & VFT_CNI_EV_CHILD) {
		s->child[s->next_child] = *ev;
		s->child_used[s->next_child] = false;
		s->next_child = (s->next_child + 1) % CNI_CHILDREN;
		if (s->n_child < CNI_CHILDREN)
			s->n_child++;
		return 0;
	}
	memset(&run, 0, sizeof(run));
	run.ev = ev;
	run.end = ev_clock(ev);
	run.start = run.end - (ev->cni_duration_ns < run.end ? ev->cni_duration_ns : run.end);
	run.pids[run.n_pids++] = ev->actor.pid;
	vft_cni_pod(ev, run.pod, sizeof(run.pod));
	gather(c, &run);
	for (i = 0; i < run.n_recs && !err; i++) {
		struct rec *r = run.recs[i];

		for (j = 0; j < run.n_children; j++)
			corr_add_step(c, r, &s->child[run.children[j]]);
		corr_add_step(c, r, ev);
		if (is_cmd(ev, "ADD"))
			err = ev->cni_status ? add_failed(c, r, &run) : added(c, r, &run);
		else if (is_cmd(ev, "DEL"))
			err = deleted(c, r, &run, run.reset[i]);
	}
	if (!err && is_cmd(ev, "DEL"))
		err = del_ends(c, ev);
	return err;
}

int corr_cni_kernel_return(struct vft_corr *c, struct rec *r, const struct vft_event *ev)
{
	const struct cni_attach *a = r->cni;
	char msg[256], evd[256];

	if (!a || a->del_seen || (a->netns && a->netns != ev->from_netns))
		return 0;
	corr_fmt(msg, sizeof(msg),
		 "netns %u of pod %s%s%s was destroyed and no CNI DEL of its attachment of %s ran: "
		 "the VF came back unreset",
		 ev->from_netns, r->pub.pod_ns, r->pub.pod_ns[0] ? "/" : "",
		 r->pub.pod_name[0] ? r->pub.pod_name : "-", r->pub.ref.key);
	corr_fmt(evd, sizeof(evd), "netns=%u add_pid=%u container=%s pod_uid=%s", ev->from_netns,
		 a->pid, a->container[0] ? a->container : "-",
		 r->pub.pod_uid[0] ? r->pub.pod_uid : "-");
	return corr_raise(c, r, VFT_F_NETNS_GONE_WITHOUT_CNI_DEL, ev->ts_ns, a->ts_ns, ev, 0, msg,
			  evd);
}
