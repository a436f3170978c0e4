// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_trust.c - who may configure a VF in the host netns (the trust rule
 * of user/correlate/rules_claim.c, docs/findings.md "Trusted actors"): the
 * bound on what a capture's trust events add.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "correlate/correlate.h"

#define SEC 1000000000ULL
#define T0 (1700000000ULL * SEC)
#define HOST_NS 4026531840u
#define PF "0000:3b:00.0"
#define USER_CG "/user.slice/user-0.slice/session-3.scope"

/* ---- the rule ---- */

struct got {
	size_t n;
	struct vft_finding last;
};

static int on_finding(void *ctx, const struct vft_finding *f)
{
	struct got *g = ctx;

	if (f->code == VFT_F_HOST_MANAGER_CLAIM) {
		g->n++;
		g->last = *f;
	}
	return 0;
}

static const struct vft_corr_ops ops = { .finding = on_finding };

static struct vft_event ev_of(uint32_t kind)
{
	struct vft_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.kind = kind;
	ev.source = VFT_SRC_FENTRY;
	ev.ts_ns = T0;
	return ev;
}

static void feed(struct vft_corr *c, const struct vft_event *ev)
{
	assert_int_equal(vft_corr__feed(c, ev), 0);
}

static struct vft_corr *new_corr(const struct vft_corr_opts *opts, struct got *g)
{
	struct vft_event ev = ev_of(VFT_EV_NETNS_INFO);
	struct vft_corr *c;

	memset(g, 0, sizeof(*g));
	assert_int_equal(vft_corr__new(opts, &ops, g, &c), 0);
	ev.source = VFT_SRC_ENRICH;
	ev.netns = HOST_NS;
	ev.netns_host = true;
	feed(c, &ev);
	return c;
}

/* A trust event, as a capture's --trust. */
static void trust(struct vft_corr *c, const char *what)
{
	struct vft_event ev = ev_of(VFT_EV_TRUST);

	ev.source = VFT_SRC_ENRICH;
	snprintf(ev.actor.comm, sizeof(ev.actor.comm), "%s", what);
	feed(c, &ev);
}

/*
 * VF number @n of PF (added by its PF, registered in the host) brought up
 * by @a: the claims it raised (0 or 1).
 */
static size_t up_by(struct vft_corr *c, struct got *g, int n, const struct vft_actor *a)
{
	struct vft_event ev = ev_of(VFT_EV_VF_ADD);
	size_t before = g->n;
	char bdf[32];

	snprintf(bdf, sizeof(bdf), "0000:3b:%02x.%x", 1 + n / 8, n % 8);
	snprintf(ev.device, sizeof(ev.device), "%s", bdf);
	snprintf(ev.pf, sizeof(ev.pf), "%s", PF);
	ev.vf_index = n;
	ev.has_ret = true;
	feed(c, &ev);
	ev = ev_of(VFT_EV_NETDEV_REGISTER);
	snprintf(ev.parent, sizeof(ev.parent), "%s", bdf);
	snprintf(ev.ifname, sizeof(ev.ifname), "ens1f0v%d", n);
	ev.ifindex = 100 + n;
	ev.netns = HOST_NS;
	ev.has_ret = true;
	feed(c, &ev);
	ev.kind = VFT_EV_LINK_CHANGE;
	ev.has_ret = false;
	ev.old_flags = 0;
	ev.flags = 0x1;
	ev.has_actor = true;
	ev.actor = *a;
	feed(c, &ev);
	return g->n - before;
}

/*
 * A capture's trust events are kept once each, up to VFT_CORR_MAX_TRUST
 * comms; the rest are counted and ignored, so a crafted capture cannot make
 * each event scan 400,000 names.
 */
static void trust_events_are_bounded(void **state)
{
	struct vft_actor a = { .pid = 40, .cgroup = USER_CG };
	struct vft_corr_opts opts = { .grace_ns = 2 * SEC };
	struct vft_corr_stats st;
	char name[32];
	struct got g;
	struct vft_corr *c = new_corr(&opts, &g);
	int i;

	(void)state;
	for (i = 0; i < 1000; i++)
		trust(c, "dup");
	vft_corr__stats(c, &st);
	assert_int_equal(st.trust_dropped, 0);
	for (i = 0; i < 100000; i++) {
		snprintf(name, sizeof(name), "c%d", i);
		trust(c, name);
	}
	vft_corr__stats(c, &st);
	/* "dup" holds one place */
	assert_int_equal(st.trust_dropped, 100000 - (VFT_CORR_MAX_TRUST - 1));
	/* the first ones kept hold, the later ones do not */
	snprintf(a.comm, sizeof(a.comm), "c%d", VFT_CORR_MAX_TRUST - 2);
	assert_int_equal(up_by(c, &g, 0, &a), 0);
	snprintf(a.comm, sizeof(a.comm), "c%d", VFT_CORR_MAX_TRUST - 1);
	assert_int_equal(up_by(c, &g, 1, &a), 1);
	vft_corr__free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(trust_events_are_bounded),
	};

	return cmocka_run_group_tests_name("trust", tests, NULL, NULL);
}
