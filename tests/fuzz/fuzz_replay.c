// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_replay.c - libFuzzer target for the capture reader and the correlator
 * together (`make fuzz`): what `vftrace replay` does with a file, without the
 * sinks. fuzz_capture checks the reader alone; here every event the reader
 * yields goes into vft_corr, so mutations reach the correlator's rules, its
 * indexes and its retention with events no live run would make.
 *
 * The first byte chooses, bit by bit:
 *   bit 0: the rest is a whole capture file (0), or the inflated payload of
 *          one block with 2 bytes of event count first (1), wrapped in a
 *          valid header and block as fuzz_capture does (its seeds fit here)
 *   bit 1: no_steps (the daemon keeps no timeline)
 *   bit 2: live semantics instead of a replay's: grace periods end through
 *          vft_corr__take_due() at each event's time, with a vf_check fed
 *          back as the live pipeline does
 *   bits 3-7: a retention time of 1 to 31 s (0: every record kept)
 *
 * The correlator must not crash, leak or touch memory it does not own
 * (ASan, UBSan), return only 0 or -ENOMEM, hand out finding ids 1, 2, ...
 * in order, resolve only findings it raised and each once, count in its
 * stats exactly what its callbacks saw, keep its records within their
 * bounds with NUL-terminated strings, and raise the same findings when fed
 * the same events again (a replay must reach the live run's verdicts). A
 * broken invariant aborts, which libFuzzer reports as a crash.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include "correlate/correlate.h"
#include "sinks/capture.h"
#include "capfmt.h"

#define MAX_EVENTS 8192	   /* fed per input: bounds the time of one run */
#define MAX_IDS (1u << 16) /* findings whose resolution is tracked */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define check(cond)                                                                             \
	do {                                                                                    \
		if (!(cond)) {                                                                  \
			fprintf(stderr, "fuzz_replay: invariant failed: %s (line %d)\n", #cond, \
				__LINE__);                                                      \
			abort();                                                                \
		}                                                                               \
	} while (0)

#define has_nul(a) (memchr((a), 0, sizeof(a)) != NULL)

struct run {
	struct vft_corr *c;
	uint64_t now_ns; /* live: the time take_due() was called with */
	uint64_t fed;
	uint64_t last_id;
	uint64_t raised[VFT_F_MAX], resolved[VFT_F_MAX];
	uint32_t hash; /* of every finding and resolution, in order */
	uint8_t done[MAX_IDS / 8];
};

static void check_ref(const struct vft_vf_ref *ref)
{
	check(has_nul(ref->key));
	check(has_nul(ref->pci));
	check(has_nul(ref->ifname));
	check(has_nul(ref->netns_name));
	check(has_nul(ref->pod_uid));
	check(has_nul(ref->ibdev));
}

static void check_vf(const struct vft_vf *vf)
{
	size_t i;

	check_ref(&vf->ref);
	check(has_nul(vf->pf) && has_nul(vf->driver) && has_nul(vf->link_layer));
	check(vf->n_names <= VFT_VF_MAX_NAMES);
	for (i = 0; i < vf->n_names; i++)
		check(has_nul(vf->names[i]));
	check(vf->n_netns <= VFT_VF_MAX_NETNS);
	check(vf->n_steps <= VFT_VF_MAX_STEPS);
	for (i = 0; vf->steps && i < vf->n_steps; i++)
		check(has_nul(vf->steps[i].comm) && has_nul(vf->steps[i].text));
	check(vf->n_open <= vf->n_findings);
}

static void check_finding(const struct vft_finding *f)
{
	check(f->code > 0 && f->code < VFT_F_MAX);
	check(vft_finding__name(f->code));
	check(vft_severity__name(f->severity));
	check_ref(&f->vf);
	check(has_nul(f->comm) && has_nul(f->unit) && has_nul(f->message) && has_nul(f->evidence));
	check(has_nul(f->resolved_by));
}

static uint32_t hash_finding(uint32_t h, const struct vft_finding *f)
{
	h = (uint32_t)crc32(h, (const Bytef *)&f->id, sizeof(f->id));
	h = (uint32_t)crc32(h, (const Bytef *)&f->code, sizeof(f->code));
	h = (uint32_t)crc32(h, (const Bytef *)&f->resolved, sizeof(f->resolved));
	h = (uint32_t)crc32(h, (const Bytef *)f->vf.key, (uInt)strlen(f->vf.key));
	h = (uint32_t)crc32(h, (const Bytef *)f->message, (uInt)strlen(f->message));
	return (uint32_t)crc32(h, (const Bytef *)f->evidence, (uInt)strlen(f->evidence));
}

static int on_event(void *ctx, const struct vft_event *ev, const struct vft_vf *vf)
{
	if (vf)
		check_vf(vf);
	return 0;
}

static int on_finding(void *ctx, const struct vft_finding *f)
{
	struct run *r = ctx;

	check_finding(f);
	check(!f->resolved);
	check(f->id == r->last_id + 1);
	r->last_id = f->id;
	r->raised[f->code]++;
	r->hash = hash_finding(r->hash, f);
	return 0;
}

static int on_resolved(void *ctx, const struct vft_finding *f)
{
	struct run *r = ctx;

	check_finding(f);
	check(f->resolved);
	check(f->id >= 1 && f->id <= r->last_id);
	if (f->id < MAX_IDS) {
		check(!(r->done[f->id / 8] & (1u << f->id % 8)));
		r->done[f->id / 8] |= 1u << f->id % 8;
	}
	r->resolved[f->code]++;
	r->hash = hash_finding(r->hash, f);
	return 0;
}

static void feed(struct run *r, const struct vft_event *ev);

/* Live: a grace period ended; the pipeline would re-read the port, then say so. */
static int on_due(void *ctx, const struct vft_vf *vf)
{
	struct run *r = ctx;
	struct vft_event ev;

	check_vf(vf);
	memset(&ev, 0, sizeof(ev));
	ev.kind = VFT_EV_VF_CHECK;
	ev.source = VFT_SRC_TIMER;
	ev.ts_ns = r->now_ns;
	snprintf(ev.vf_key, sizeof(ev.vf_key), "%s", vf->ref.key);
	snprintf(ev.ifname, sizeof(ev.ifname), "%s", vf->ref.ifname);
	snprintf(ev.parent, sizeof(ev.parent), "%s", vf->ref.pci);
	ev.netns = vf->ref.netns;
	feed(r, &ev);
	return 0;
}

static void feed(struct run *r, const struct vft_event *ev)
{
	int err = vft_corr__feed(r->c, ev);

	check(err == 0 || err == -ENOMEM);
	r->fed++;
}

/* Every event of the capture @buf into a new correlator, checked; returns the finding hash. */
static uint32_t run_once(const uint8_t *buf, size_t len, const struct vft_corr_opts *opts,
			 bool live, struct run *r)
{
	static const struct vft_corr_ops ops = {
		.event = on_event,
		.finding = on_finding,
		.resolved = on_resolved,
	};
	struct vft_capture_reader *rd;
	struct vft_corr_stats st;
	struct vft_event ev;
	size_t i, n = 0;
	int ret;

	memset(r, 0, sizeof(*r));
	if (vft_capture_reader__open_mem(buf, len, &rd, NULL, 0))
		return 0; /* fuzz_capture checks the reader's refusals */
	check(vft_corr__new(opts, &ops, r, &r->c) == 0);
	while (n < MAX_EVENTS && (ret = vft_capture_reader__next(rd, &ev)) == 1) {
		feed(r, &ev);
		r->now_ns = ev.ts_ns;
		if (live)
			check(vft_corr__take_due(r->c, ev.ts_ns, on_due, r) == 0);
		n++;
	}
	vft_capture_reader__free(rd);

	vft_corr__stats(r->c, &st);
	check(st.events == r->fed);
	for (i = 1; i < VFT_F_MAX; i++) {
		check(st.raised[i] == r->raised[i]);
		check(st.resolved[i] == r->resolved[i]);
		check(st.resolved[i] <= st.raised[i]);
	}
	/* every record, its state and then its rendered timeline, as the closing summary reads them */
	for (i = 0; i < vft_corr__n_vfs(r->c); i++) {
		const struct vft_vf *vf = vft_corr__vf_state(r->c, i);

		check(vf);
		check_vf(vf);
		vf = vft_corr__vf(r->c, i);
		check(vf);
		check_vf(vf);
		check(!(opts->no_steps && vf->n_steps));
	}
	vft_corr__free(r->c);
	r->c = NULL;
	return r->hash;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t file[1024 + CAPFMT_BLOCK_HDR + 2 * 65536];
	static struct run a, b;
	struct vft_corr_opts opts;
	const uint8_t *buf;
	size_t len, plen;
	uint32_t count;
	bool live;

	if (size < 1)
		return 0;
	memset(&opts, 0, sizeof(opts));
	opts.no_steps = data[0] & 2;
	live = data[0] & 4;
	opts.replay = !live;
	opts.retain_ns = (uint64_t)(data[0] >> 3) * 1000000000ULL;
	if (!(data[0] & 1)) {
		buf = data + 1;
		len = size - 1;
	} else {
		if (size < 3)
			return 0;
		count = data[1] | (uint32_t)data[2] << 8;
		plen = size - 3 < 65536 ? size - 3 : 65536;
		len = capfmt_header(file, 1, 0, "fuzz", NULL, 0);
		len += capfmt_block(file + len, data + 3, plen, count, 0);
		buf = file;
	}
	run_once(buf, len, &opts, live, &a);
	/* the same events, a new correlator: the same findings */
	run_once(buf, len, &opts, live, &b);
	check(a.hash == b.hash && a.last_id == b.last_id && a.fed == b.fed);
	return 0;
}
