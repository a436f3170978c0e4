/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * merge.h - merging the same change seen by two sources into one event. The
 * BPF hooks see a change first and with its actor; rtnetlink sees its result
 * a moment later. Where both run, a netlink event waits up to a window for
 * the BPF event of the same change and is dropped if that comes (or came).
 *
 * "The same change": the same kind, the same device (netns inode and ifindex;
 * for netns_move the source netns and the old ifindex; for netdev_rename the
 * netns and the old name; for addresses the netns, family, address and prefix
 * length: each kind's pair in model/kinds.h), and timestamps no more than the
 * window apart. A netns of 0
 * (unknown) matches any. Each BPF event stands for at most one netlink event.
 * A failed BPF change (ret < 0) has no netlink counterpart and matches none.
 */
#ifndef VFT_MERGE_H
#define VFT_MERGE_H

#include <stdint.h>
#include "sources/bpf_source.h"
#include "model/event.h"

/* At most this many held and this many remembered events; beyond, the oldest goes early. */
#define VFT_MERGE_CAP 4096

struct vft_merge;

/* window_ns: how long a netlink event waits for the BPF event of the same change. */
int vft_merge__new(uint64_t window_ns, struct vft_merge **out);

/*
 * BPF-sourced events (fentry, kprobe, tracepoint) are handed to @cb at once
 * and remembered for window_ns; netlink events are held up to window_ns and
 * dropped if a BPF event of the same change is or was seen within the window;
 * other sources (inventory) pass at once. Held events whose time is up are
 * released first, oldest first. @now_ns: a monotonic clock (tests pass fixed
 * values). Returns 0, or the negative errno of @cb (the event that got it
 * counts as handed over).
 */
int vft_merge__feed(struct vft_merge *m, const struct vft_event *ev, uint64_t now_ns,
		    vft_event_cb cb, void *ctx);

/*
 * Declares that a BPF hook sees every change of @kind (for addresses, of
 * @family; 0 = any): from then on netlink events of that kind are dropped at
 * once, not held. rtnetlink replays what it learns late (a namespace found
 * after its devices changed) with the time it learned it, so a window alone
 * cannot pair such copies. Returns 0 or -EINVAL.
 */
int vft_merge__cover(struct vft_merge *m, uint32_t kind, uint8_t family);

/* Emits held events older than window_ns, oldest first (now_ns = UINT64_MAX flushes all). */
int vft_merge__flush(struct vft_merge *m, uint64_t now_ns, vft_event_cb cb, void *ctx);

/* When the oldest held event is due (the now_ns scale), or UINT64_MAX when none is held. */
uint64_t vft_merge__next_release(const struct vft_merge *m);

/* Duplicates suppressed. */
uint64_t vft_merge__dropped(const struct vft_merge *m);

/* Entries pushed out at the cap: held events released early, remembered ones forgotten early. */
uint64_t vft_merge__evicted(const struct vft_merge *m);

/* Accepts NULL. Held events are freed, not emitted: flush first. */
void vft_merge__free(struct vft_merge *m);

#endif /* VFT_MERGE_H */
