// SPDX-License-Identifier: GPL-2.0-only
/*
 * bpf_source.c - the BPF event source.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "bpf_source.h"
#include "util.h"
#include "vftrace.skel.h"

struct bpf_source {
	struct vftrace *skel;
	struct ring_buffer *rb;
	struct vft_clock clock;
	struct vft_hook_state hooks[VFT_HOOK_MAX];
	struct bpf_link *links[VFT_HOOK_MAX][2];
	size_t attached;
	uint64_t bad_records;
	int ncpus;
	/* set for the duration of one poll */
	vft_event_cb cb;
	void *cb_ctx;
	int cb_err;
};

static struct bpf_program *prog_by_name(struct bpf_source *src, const char *name)
{
	return name ? bpf_object__find_program_by_name(src->skel->obj, name) : NULL;
}

/* Enables exactly the programs of the planned mechanism; all others stay unloaded. */
static int set_autoload(struct bpf_source *src)
{
	struct bpf_program *prog;
	size_t i;

	bpf_object__for_each_program(prog, src->skel->obj) bpf_program__set_autoload(prog, false);

	for (i = 0; i < VFT_HOOK_MAX; i++) {
		const struct vft_hook_state *st = &src->hooks[i];
		const struct vft_hook_def *def = st->def;
		const char *names[2] = { NULL, NULL };
		size_t j;

		if (st->status != VFT_HOOK_PLANNED)
			continue;
		if (st->mech == VFT_MECH_FENTRY) {
			names[0] = def->fentry_prog;
			names[1] = def->fexit_prog;
		} else {
			names[0] = def->kprobe_prog;
			names[1] = def->kretprobe_prog;
		}
		for (j = 0; j < 2; j++) {
			if (!names[j])
				continue;
			prog = prog_by_name(src, names[j]);
			if (!prog) {
				vft_warn("internal error: no BPF program %s\n", names[j]);
				return -ENOENT;
			}
			bpf_program__set_autoload(prog, true);
			if (st->mech == VFT_MECH_FENTRY)
				bpf_program__set_attach_target(prog, 0, st->func);
		}
	}
	return 0;
}

static struct bpf_link *attach_one(struct bpf_program *prog, enum vft_mech mech, bool ret,
				   const char *func)
{
	if (mech == VFT_MECH_FENTRY)
		return bpf_program__attach_trace(prog);
	return bpf_program__attach_kprobe(prog, ret, func);
}

static void attach_hooks(struct bpf_source *src)
{
	size_t i, j;

	for (i = 0; i < VFT_HOOK_MAX; i++) {
		struct vft_hook_state *st = &src->hooks[i];
		const struct vft_hook_def *def = st->def;
		const char *names[2];
		char ebuf[16];

		if (st->status != VFT_HOOK_PLANNED)
			continue;
		names[0] = st->mech == VFT_MECH_FENTRY ? def->fentry_prog : def->kprobe_prog;
		names[1] = st->mech == VFT_MECH_FENTRY ? def->fexit_prog : def->kretprobe_prog;
		for (j = 0; j < 2; j++) {
			struct bpf_link *link;

			if (!names[j])
				continue;
			link = attach_one(prog_by_name(src, names[j]), st->mech, j == 1, st->func);
			if (!link) {
				int err = -errno;

				snprintf(st->reason, sizeof(st->reason),
					 "%s: attach to %s failed: %s", vft_mech__name(st->mech),
					 st->func, vft_errno_name(err, ebuf, sizeof(ebuf)));
				st->status = VFT_HOOK_UNAVAILABLE;
				break;
			}
			src->links[i][j] = link;
		}
		if (st->status == VFT_HOOK_UNAVAILABLE) {
			for (j = 0; j < 2; j++) {
				bpf_link__destroy(src->links[i][j]);
				src->links[i][j] = NULL;
			}
			st->mech = VFT_MECH_NONE;
			continue;
		}
		st->status = VFT_HOOK_ATTACHED;
		src->attached++;
	}
}

static int on_record(void *ctx, void *data, size_t size)
{
	struct bpf_source *src = ctx;
	struct vft_event ev;
	int err;

	if (vft_event__from_bpf(&ev, data, size, &src->clock)) {
		src->bad_records++;
		return 0;
	}
	err = src->cb(src->cb_ctx, &ev);
	if (err) {
		src->cb_err = err;
		return err;
	}
	return 0;
}

int bpf_source__new(const struct bpf_source_opts *opts, struct bpf_source **out)
{
	struct vft_kernel_probe *kp = NULL;
	struct bpf_source *src;
	size_t i, planned = 0;
	int err;

	*out = NULL;
	src = calloc(1, sizeof(*src));
	if (!src)
		return -ENOMEM;
	err = vft_clock__init(&src->clock);
	if (err)
		goto fail;
	src->ncpus = libbpf_num_possible_cpus();
	if (src->ncpus < 0) {
		err = src->ncpus;
		goto fail;
	}

	err = vft_kernel_probe__new(opts->root, &kp);
	if (err)
		goto fail;
	vft_hooks__plan(vft_hook_defs, VFT_HOOK_MAX, &vft_kernel_probe_ops, kp, opts->only,
			src->hooks);
	for (i = 0; i < VFT_HOOK_MAX; i++)
		planned += src->hooks[i].status == VFT_HOOK_PLANNED;

	/* Nothing can attach: no object to load, the caller reports coverage. */
	if (!planned) {
		*out = src;
		vft_kernel_probe__free(kp);
		return 0;
	}

	src->skel = vftrace__open();
	if (!src->skel) {
		err = -errno;
		vft_warn("cannot open the BPF object: %s\n", strerror(-err));
		goto fail;
	}
	if (opts->ringbuf_bytes) {
		err = bpf_map__set_max_entries(src->skel->maps.events, opts->ringbuf_bytes);
		if (err) {
			vft_warn("ring buffer size %llu refused: %s\n",
				 (unsigned long long)opts->ringbuf_bytes, strerror(-err));
			goto fail;
		}
	}
	err = set_autoload(src);
	if (err)
		goto fail;
	err = vftrace__load(src->skel);
	if (err) {
		vft_warn("loading the BPF programs failed: %s (run with -v for the verifier log)\n",
			 strerror(-err));
		goto fail;
	}
	attach_hooks(src);
	src->rb = ring_buffer__new(bpf_map__fd(src->skel->maps.events), on_record, src, NULL);
	if (!src->rb) {
		err = -errno;
		vft_warn("cannot set up the ring buffer: %s\n", strerror(-err));
		goto fail;
	}
	vft_kernel_probe__free(kp);
	*out = src;
	return 0;
fail:
	vft_kernel_probe__free(kp);
	bpf_source__free(src);
	return err;
}

const struct vft_hook_state *bpf_source__hooks(const struct bpf_source *src, size_t *n)
{
	*n = VFT_HOOK_MAX;
	return src->hooks;
}

size_t bpf_source__attached(const struct bpf_source *src)
{
	return src->attached;
}

int bpf_source__poll(struct bpf_source *src, int timeout_ms, vft_event_cb cb, void *ctx)
{
	int n;

	if (!src->rb) {
		/* No hooks: just wait, so callers keep one loop. */
		n = usleep((useconds_t)timeout_ms * 1000);
		return n ? -errno : 0;
	}
	src->cb = cb;
	src->cb_ctx = ctx;
	src->cb_err = 0;
	n = ring_buffer__poll(src->rb, timeout_ms);
	if (src->cb_err)
		return src->cb_err;
	return n;
}

uint64_t bpf_source__lost(const struct bpf_source *src)
{
	uint64_t total = src->bad_records;
	__u32 key = VFT_CNT_LOST;
	uint64_t *vals;
	int i;

	if (!src->skel || src->ncpus <= 0)
		return total;
	vals = calloc(src->ncpus, sizeof(*vals));
	if (!vals)
		return total;
	if (!bpf_map_lookup_elem(bpf_map__fd(src->skel->maps.counters), &key, vals))
		for (i = 0; i < src->ncpus; i++)
			total += vals[i];
	free(vals);
	return total;
}

void bpf_source__free(struct bpf_source *src)
{
	size_t i, j;

	if (!src)
		return;
	ring_buffer__free(src->rb);
	for (i = 0; i < VFT_HOOK_MAX; i++)
		for (j = 0; j < 2; j++)
			bpf_link__destroy(src->links[i][j]);
	vftrace__destroy(src->skel);
	free(src);
}
