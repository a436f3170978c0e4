// SPDX-License-Identifier: GPL-2.0-only
/*
 * filter.c - event selection (see filter.h for the rules). What a kind
 * contributes, the table of kinds says: whether the default selection always
 * takes it (select) and what it does to the devices followed (track).
 */
#include <errno.h>
#include <fnmatch.h>
#include <sys/types.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "model/filter.h"
#include "model/kinds.h"
#include "enrich/sysfs.h"
#include "lib/util.h"

#define MAX_TRACKED 65536 /* devices remembered; beyond, the oldest are forgotten */

int vft_strlist__add(struct vft_strlist *l, const char *s)
{
	char **items, *copy;

	copy = strdup(s);
	if (!copy)
		return -ENOMEM;
	items = realloc(l->items, (l->n + 1) * sizeof(*items));
	if (!items) {
		free(copy);
		return -ENOMEM;
	}
	items[l->n++] = copy;
	l->items = items;
	return 0;
}

void vft_strlist__clear(struct vft_strlist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->items[i]);
	free(l->items);
	l->items = NULL;
	l->n = 0;
}

static bool strlist_has(const struct vft_strlist *l, const char *s)
{
	size_t i;

	if (!s[0])
		return false;
	for (i = 0; i < l->n; i++)
		if (!strcmp(l->items[i], s))
			return true;
	return false;
}

int vft_filter__add_ifname(struct vft_filter *f, const char *glob)
{
	return vft_strlist__add(&f->ifnames, glob);
}

int vft_filter__add_driver(struct vft_filter *f, const char *driver)
{
	return vft_strlist__add(&f->drivers, driver);
}

int vft_filter__add_pci(struct vft_filter *f, const char *bdf)
{
	unsigned int d, b, s, fn;
	char full[32], end;

	if (sscanf(bdf, "%x:%x:%x.%x%c", &d, &b, &s, &fn, &end) == 4) {
		/* full form */
	} else if (sscanf(bdf, "%x:%x.%x%c", &b, &s, &fn, &end) == 3) {
		d = 0;
	} else {
		return -EINVAL;
	}
	if (d > 0xffff || b > 0xff || s > 0x1f || fn > 7)
		return -EINVAL;
	snprintf(full, sizeof(full), "%04x:%02x:%02x.%x", d, b, s, fn);
	return vft_strlist__add(&f->pcis, full);
}

bool vft_filter__is_default(const struct vft_filter *f)
{
	return !f->all && !f->ifnames.n && !f->drivers.n && !f->pcis.n;
}

static bool looks_like_bdf(const char *s)
{
	unsigned int d, b, sl, fn;
	char end;

	return sscanf(s, "%x:%x:%x.%x%c", &d, &b, &sl, &fn, &end) == 4;
}

/* What sysfs says about a PCI device, asked once per device. */
static const struct vft_filter_pci *pci_info(struct vft_filter *f, const char *bdf)
{
	struct vft_filter_pci *p;
	char path[128];
	size_t i;

	for (i = 0; i < f->n_pci; i++)
		if (!strcmp(f->pci_cache[i].bdf, bdf))
			return &f->pci_cache[i];
	if (f->n_pci == f->cap_pci) {
		size_t cap = f->cap_pci ? f->cap_pci * 2 : 64;

		if (cap > 4096) /* a node has no more PCI functions than that */
			return NULL;
		p = realloc(f->pci_cache, cap * sizeof(*p));
		if (!p)
			return NULL;
		f->pci_cache = p;
		f->cap_pci = cap;
	}
	p = &f->pci_cache[f->n_pci];
	memset(p, 0, sizeof(*p));
	snprintf(p->bdf, sizeof(p->bdf), "%s", bdf);
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver", bdf);
	vft_sysfs__link_name(f->root, path, p->driver, sizeof(p->driver));
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/physfn", bdf);
	p->selected = !vft_sysfs__access(f->root, path);
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/sriov_totalvfs", bdf);
	p->selected = p->selected || !vft_sysfs__access(f->root, path);
	p->selected = p->selected || !strcmp(p->driver, "mlx5_core");
	/* a device already gone (unregister after removal) is not cached as unselected */
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s", bdf);
	if (vft_sysfs__access(f->root, path))
		return p;
	f->n_pci++;
	return p;
}

static ssize_t dev_index(const struct vft_filter *f, uint32_t netns, int32_t ifindex)
{
	size_t i;

	for (i = 0; i < f->n_devs; i++)
		if (f->devs[i].ifindex == ifindex && f->devs[i].netns == netns)
			return (ssize_t)i;
	return -1;
}

static void dev_remember(struct vft_filter *f, uint32_t netns, int32_t ifindex)
{
	struct vft_filter_dev *d;

	if (ifindex <= 0 || dev_index(f, netns, ifindex) >= 0)
		return;
	if (f->n_devs == f->cap_devs) {
		size_t cap = f->cap_devs ? f->cap_devs * 2 : 64;

		if (cap > MAX_TRACKED) {
			/* forget the oldest half */
			memmove(f->devs, f->devs + f->n_devs / 2,
				(f->n_devs - f->n_devs / 2) * sizeof(*f->devs));
			f->n_devs -= f->n_devs / 2;
		} else {
			d = realloc(f->devs, cap * sizeof(*d));
			if (!d)
				return;
			f->devs = d;
			f->cap_devs = cap;
		}
	}
	f->devs[f->n_devs].netns = netns;
	f->devs[f->n_devs].ifindex = ifindex;
	f->n_devs++;
}

static void dev_forget(struct vft_filter *f, uint32_t netns, int32_t ifindex)
{
	ssize_t i = dev_index(f, netns, ifindex);

	if (i < 0)
		return;
	f->devs[i] = f->devs[--f->n_devs];
}

static bool glob_match(const struct vft_strlist *l, const char *name)
{
	size_t i;

	if (!name[0])
		return false;
	for (i = 0; i < l->n; i++)
		if (!fnmatch(l->items[i], name, 0))
			return true;
	return false;
}

/* The PCI addresses an event names: its netdev's parent, the device, the PF. */
static bool any_pci(struct vft_filter *f, const struct vft_event *ev,
		    bool (*pred)(struct vft_filter *, const char *))
{
	const char *cands[3] = { ev->parent, ev->device, ev->pf };
	size_t i;

	for (i = 0; i < 3; i++)
		if (cands[i][0] && pred(f, cands[i]))
			return true;
	return false;
}

static bool pci_selected_by_default(struct vft_filter *f, const char *bdf)
{
	const struct vft_filter_pci *p;

	if (!looks_like_bdf(bdf))
		return false;
	p = pci_info(f, bdf);
	return p && p->selected;
}

static bool pci_listed(struct vft_filter *f, const char *bdf)
{
	return strlist_has(&f->pcis, bdf);
}

static bool pci_driver_listed(struct vft_filter *f, const char *bdf)
{
	const struct vft_filter_pci *p;

	if (!looks_like_bdf(bdf))
		return false;
	p = pci_info(f, bdf);
	return p && strlist_has(&f->drivers, p->driver);
}

static bool match_default(struct vft_filter *f, const struct vft_event *ev,
			  const struct vft_kind_info *k)
{
	if (k->select == VFT_SELECT_ALWAYS)
		return true;
	if (!strncmp(ev->ibdev, "mlx5_", 5))
		return true;
	if (!strcmp(ev->driver, "mlx5_core") || !strcmp(ev->driver, "mlx5_ib"))
		return true;
	return any_pci(f, ev, pci_selected_by_default);
}

static bool match_explicit(struct vft_filter *f, const struct vft_event *ev)
{
	if (glob_match(&f->ifnames, ev->ifname) || glob_match(&f->ifnames, ev->new_ifname))
		return true;
	if (f->drivers.n &&
	    (strlist_has(&f->drivers, ev->driver) || any_pci(f, ev, pci_driver_listed)))
		return true;
	return f->pcis.n && any_pci(f, ev, pci_listed);
}

bool vft_filter__match(struct vft_filter *f, const struct vft_event *ev)
{
	const struct vft_kind_info *k = vft_kind__get(ev->kind);
	bool known, sel;

	if (f->all)
		return true;
	known = ev->ifindex > 0 && dev_index(f, ev->netns, ev->ifindex) >= 0;
	/* a failed move leaves the device where it was; a good one is now in to_netns */
	if (!known && k->track == VFT_TRACK_MOVE && ev->ifindex > 0)
		known = dev_index(f, ev->from_netns, ev->ifindex) >= 0;
	sel = known ||
	      (vft_filter__is_default(f) ? match_default(f, ev, k) : match_explicit(f, ev));
	if (!sel || ev->ifindex <= 0)
		return sel;

	switch (k->track) {
	case VFT_TRACK_FORGET:
		dev_forget(f, ev->netns, ev->ifindex);
		break;
	case VFT_TRACK_MOVE:
		if (ev->has_ret && ev->ret < 0) {
			dev_remember(f, ev->from_netns, ev->ifindex);
		} else {
			dev_forget(f, ev->from_netns, ev->ifindex);
			dev_remember(f, ev->to_netns, ev->new_ifindex ?: ev->ifindex);
		}
		break;
	case VFT_TRACK_REMEMBER:
		if (ev->ifname[0] || ev->new_ifname[0])
			dev_remember(f, ev->netns, ev->ifindex);
		break;
	case VFT_TRACK_NONE:
		break;
	}
	return true;
}

void vft_filter__clear(struct vft_filter *f)
{
	vft_strlist__clear(&f->ifnames);
	vft_strlist__clear(&f->drivers);
	vft_strlist__clear(&f->pcis);
	free(f->devs);
	free(f->pci_cache);
	f->devs = NULL;
	f->pci_cache = NULL;
	f->n_devs = f->cap_devs = f->n_pci = f->cap_pci = 0;
}
