/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bench.h - what the capture and replay benchmarks share: their random
 * numbers, their clock, writing a generated stream as the recorder does, and
 * the zlib floor of a block.
 */
#ifndef VFT_BENCH_H
#define VFT_BENCH_H

#include <stdint.h>
#include <time.h>
#include <zlib.h>
#include "sinks/capture.h"
#include "capfmt.h"

#define BENCH_NS 1000000000ULL

/* xorshift64*: the same stream for the same seed, run after run. */
static inline uint64_t bench_rnd(uint64_t *state)
{
	*state ^= *state >> 12;
	*state ^= *state << 25;
	*state ^= *state >> 27;
	return *state * 0x2545f4914f6cdd1dULL;
}

/* @n random hex digits and a NUL into @out. */
static inline void bench_hex(char *out, unsigned int n, uint64_t *state)
{
	static const char digits[] = "0123456789abcdef";
	unsigned int i;

	for (i = 0; i < n; i++)
		out[i] = digits[bench_rnd(state) & 15];
	out[n] = '\0';
}

/* Seconds on the monotonic clock. */
static inline double bench_now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * Writes @nev events of @next to @path with the real writer, flushed once a
 * second of event time as the recorder does (the first second ends at
 * @t0_ns + 1 s). Returns 0 and the writer's figures in @st, or -errno.
 */
static inline int bench_write_capture(const char *path, uint64_t nev, uint64_t t0_ns,
				      void (*next)(struct vft_event *ev),
				      struct vft_capture_stats *st)
{
	struct vft_capture_writer *w;
	struct vft_event ev;
	uint64_t i, next_flush = t0_ns + BENCH_NS;
	int err;

	err = vft_capture_writer__new(path, NULL, NULL, &w);
	if (err)
		return err;
	for (i = 0; i < nev && !err; i++) {
		next(&ev);
		if (ev.ts_ns >= next_flush) { /* the recorder's once-a-second flush */
			err = vft_capture_writer__flush(w);
			next_flush = ev.ts_ns + BENCH_NS;
		}
		if (!err)
			err = vft_capture_writer__write(w, &ev);
	}
	if (!err)
		err = vft_capture_writer__flush(w);
	vft_capture_writer__stats(w, st);
	if (!err)
		return vft_capture_writer__free(w);
	vft_capture_writer__free(w);
	return err;
}

/* The floor: blocks inflated with zlib alone into @out (VFT_CAPTURE_MAX_BLOCK bytes). */
struct bench_floor {
	uint8_t *out;
	uint64_t bytes, events;
	int bad; /* blocks that did not inflate to their raw length */
};

/* A capfmt_walk() callback: inflates one block into the bench_floor @ctx. */
static inline void bench_inflate_one(const struct capfmt_block_info *b, void *ctx)
{
	struct bench_floor *f = ctx;
	uLongf len = VFT_CAPTURE_MAX_BLOCK;

	if (uncompress(f->out, &len, b->payload, b->clen) != Z_OK || len != b->rlen)
		f->bad++;
	f->bytes += len;
	f->events += b->count;
}

#endif /* VFT_BENCH_H */
