// SPDX-License-Identifier: GPL-2.0-only
/*
 * filter.c - event selection.
 */
#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include "filter.h"

int vft_filter__add_ifname(struct vft_filter *f, const char *glob)
{
	char **globs, *copy;

	copy = strdup(glob);
	if (!copy)
		return -ENOMEM;
	globs = realloc(f->ifname_globs, (f->n_ifname_globs + 1) * sizeof(*globs));
	if (!globs) {
		free(copy);
		return -ENOMEM;
	}
	globs[f->n_ifname_globs++] = copy;
	f->ifname_globs = globs;
	return 0;
}

bool vft_filter__match(const struct vft_filter *f, const struct vft_event *ev)
{
	size_t i;

	if (!f->n_ifname_globs)
		return true;
	for (i = 0; i < f->n_ifname_globs; i++) {
		if (!fnmatch(f->ifname_globs[i], ev->ifname, 0))
			return true;
		if (ev->new_ifname[0] && !fnmatch(f->ifname_globs[i], ev->new_ifname, 0))
			return true;
	}
	return false;
}

void vft_filter__clear(struct vft_filter *f)
{
	size_t i;

	for (i = 0; i < f->n_ifname_globs; i++)
		free(f->ifname_globs[i]);
	free(f->ifname_globs);
	f->ifname_globs = NULL;
	f->n_ifname_globs = 0;
}
