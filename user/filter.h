/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * filter.h - which events the user asked to see (--ifname GLOB, ...).
 */
#ifndef VFT_FILTER_H
#define VFT_FILTER_H

#include <stdbool.h>
#include <stddef.h>
#include "event.h"

struct vft_filter {
	char **ifname_globs;
	size_t n_ifname_globs;
};

/* Adds a shell glob (fnmatch) for interface names. Returns 0 or -ENOMEM. */
int vft_filter__add_ifname(struct vft_filter *f, const char *glob);
/* True when no glob is set, or the event's name before or after it matches one. */
bool vft_filter__match(const struct vft_filter *f, const struct vft_event *ev);
void vft_filter__clear(struct vft_filter *f);

#endif /* VFT_FILTER_H */
