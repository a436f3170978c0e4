/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bpf_source.h - the BPF event source: chooses and attaches the kernel hooks,
 * then turns ring-buffer records into normalized events.
 */
#ifndef VFT_BPF_SOURCE_H
#define VFT_BPF_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "model/event.h"
#include "sources/hooks.h"

struct bpf_source_opts {
	const char *root;	   /* root prefix for /proc and /sys reads */
	uint64_t ringbuf_bytes;	   /* 0: the built-in default */
	enum vft_mech only;	   /* VFT_MECH_NONE: choose per hook */
	bool skip_virtual_netdevs; /* drop netdev events of devices without a parent, in BPF */
	/* directories of CNI plugins (a program under one is one); none: the defaults */
	const char *cni_dirs[VFT_CNI_MAX_DIRS];
	size_t n_cni_dirs;
};

/* The directories of CNI plugins when none is given: where the plugins' packages put them. */
#define VFT_CNI_DEFAULT_DIRS                   \
	{                                      \
		"/opt/cni/bin", "/usr/lib/cni" \
	}

/*
 * @dir as the kernel side matches it: an absolute path without "." or ".."
 * parts, as a prefix ending in one '/'. Returns 0, -EINVAL (not absolute,
 * or a "." or ".." part) or -ENAMETOOLONG.
 */
int vft_cni_dir__make(const char *dir, struct vft_cni_dir *out);

struct bpf_source;

/* Returns 0 if the event was consumed, or a negative errno to stop polling. */
typedef int (*vft_event_cb)(void *ctx, const struct vft_event *ev);

/*
 * Probes the kernel, loads the programs that can attach and attaches them. A
 * hook that cannot attach is reported in bpf_source__hooks(), not an error.
 * Returns 0 and the source in @out, or a negative errno (the cause is logged).
 */
int bpf_source__new(const struct bpf_source_opts *opts, struct bpf_source **out);
const struct vft_hook_state *bpf_source__hooks(const struct bpf_source *src, size_t *n);
size_t bpf_source__attached(const struct bpf_source *src);
/* True once after any hook changed state (e.g. a module loaded and its hooks attached). */
bool bpf_source__take_changes(struct bpf_source *src);
/*
 * How long the caller may sleep before bpf_source__poll() must run again for
 * hooks waiting on a module (their module is loading, or no uevent socket
 * tells when one loads), or -1: no deadline.
 */
int bpf_source__timeout_ms(const struct bpf_source *src);
/* The kernel uevent socket to poll while hooks wait for a module, else -1. */
int bpf_source__module_fd(const struct bpf_source *src);
/* Reads the pending uevents; a module load makes the next poll attach its hooks. */
void bpf_source__module_event(struct bpf_source *src);
/* An fd that polls readable when records wait, or -1 when nothing is attached. */
int bpf_source__fd(const struct bpf_source *src);

/*
 * Waits up to @timeout_ms for records and hands each decoded event to @cb.
 * Returns the number of records consumed, 0 on timeout, -EINTR when a signal
 * arrived, or another negative errno.
 */
int bpf_source__poll(struct bpf_source *src, int timeout_ms, vft_event_cb cb, void *ctx);

/* Records the kernel dropped (ring buffer full) plus records that failed to decode. */
uint64_t bpf_source__lost(const struct bpf_source *src);

/*
 * For each map of the loaded object, calls @cb with its name (bpf_map__name())
 * and the kernel memory charged to it: the "memlock:" of its fdinfo. The
 * module instance shares the core instance's maps, so only the core
 * instance's maps are reported (the module instance's own .rodata copy is
 * left out). Nothing is reported before an object is loaded (no hook can
 * attach). Returns 0, the first nonzero return of @cb (which stops the
 * walk), or the first -errno of a map whose fdinfo could not be read (the
 * others are still reported).
 */
int bpf_source__map_memory(const struct bpf_source *src,
			   int (*cb)(void *ctx, const char *map, uint64_t bytes), void *ctx);

void bpf_source__free(struct bpf_source *src);

#endif /* VFT_BPF_SOURCE_H */
