/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * filter.h - which events the user asked to see.
 *
 * By default: SR-IOV VFs and PFs, mlx5 devices and their RDMA devices (decided
 * from sysfs, under the root prefix), SR-IOV configuration and netlink errors.
 * --ifname, --driver and --pci replace that with "any of these"; --all shows
 * everything. A device selected once stays selected when it moves to another
 * netns or is renamed (tracked by netns inode and ifindex) until it goes.
 */
#ifndef VFT_FILTER_H
#define VFT_FILTER_H

#include <stdbool.h>
#include <stddef.h>
#include "model/event.h"

struct vft_strlist {
	char **items;
	size_t n;
};

/* Appends a copy of @s. Returns 0 or -ENOMEM. */
int vft_strlist__add(struct vft_strlist *l, const char *s);
void vft_strlist__clear(struct vft_strlist *l);

struct vft_filter_dev {
	uint32_t netns;
	int32_t ifindex;
};

struct vft_filter_pci {
	char bdf[VFT_DEVNAME_LEN];
	bool selected; /* a VF, an SR-IOV PF or an mlx5 device */
	char driver[VFT_DEVNAME_LEN];
};

struct vft_filter {
	struct vft_strlist ifnames; /* shell globs */
	struct vft_strlist drivers;
	struct vft_strlist pcis;
	bool all;
	const char *root; /* root prefix for sysfs */
	/* devices selected so far */
	struct vft_filter_dev *devs;
	size_t n_devs, cap_devs;
	/* what sysfs said about PCI devices seen so far */
	struct vft_filter_pci *pci_cache;
	size_t n_pci, cap_pci;
};

/* Adds a shell glob (fnmatch) for interface names. Returns 0 or -ENOMEM. */
int vft_filter__add_ifname(struct vft_filter *f, const char *glob);
/* Adds a driver name (mlx5_core, virtio-pci, ...). Returns 0 or -ENOMEM. */
int vft_filter__add_driver(struct vft_filter *f, const char *driver);
/* Adds a PCI address; "3b:10.5" is taken as "0000:3b:10.5". Returns 0, -EINVAL or -ENOMEM. */
int vft_filter__add_pci(struct vft_filter *f, const char *bdf);

/* True when no explicit selection was given and not --all: the default rules apply. */
bool vft_filter__is_default(const struct vft_filter *f);
/*
 * True when the event is selected. Not const: it remembers selected devices
 * (and forgets them at unregister) and caches what sysfs says.
 */
bool vft_filter__match(struct vft_filter *f, const struct vft_event *ev);
void vft_filter__clear(struct vft_filter *f);

#endif /* VFT_FILTER_H */
