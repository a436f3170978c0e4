// SPDX-License-Identifier: GPL-2.0-only
/*
 * topo.c - PCIe distances from the shape of the sysfs device tree, and the
 * GPUs from the NVIDIA driver's /proc files or, without it, from PCI.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "enrich/sysfs.h"
#include "enrich/topo.h"
#include "lib/util.h"

#define PCI_DEVICES "/sys/bus/pci/devices"
#define NV_GPUS "/proc/driver/nvidia/gpus"

const char *vft_pcie_dist__name(enum vft_pcie_dist d)
{
	switch (d) {
	case VFT_DIST_PIX:
		return "PIX";
	case VFT_DIST_PXB:
		return "PXB";
	case VFT_DIST_PHB:
		return "PHB";
	case VFT_DIST_NODE:
		return "NODE";
	case VFT_DIST_SYS:
		return "SYS";
	default:
		return "?";
	}
}

/* A name that becomes one path component: no "/", no "." or "..". */
static bool bad_name(const char *name)
{
	return !name || !name[0] || strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, "..");
}

/* numa_node of PCI function @bdf; -1 when missing, unreadable or unknown. */
static int32_t pci_numa(const char *root, const char *bdf)
{
	char path[PATH_MAX];
	int32_t node;

	if (bad_name(bdf))
		return -1;
	if (snprintf(path, sizeof(path), PCI_DEVICES "/%s/numa_node", bdf) >= (int)sizeof(path))
		return -1;
	if (vft_sysfs__read_s32(root, path, &node) || node < 0)
		return -1;
	return node;
}

/* realpath() of <root><path>, or NULL with the -errno in *err. */
static char *real_of(const char *root, const char *path, int *err)
{
	char full[PATH_MAX];
	char *real;

	*err = vft_path(full, sizeof(full), root, path);
	if (*err)
		return NULL;
	real = realpath(full, NULL);
	if (!real)
		*err = errno == ENOMEM ? -ENOMEM : -errno;
	return real;
}

/*
 * Splits the part of @real below @top ("<top>/pci0000:15/0000:15:01.0/...")
 * in place into @comp, host bridge first. Returns the number of components,
 * or -EINVAL when @real is not below @top/pci*, -E2BIG past @max.
 */
static int split_below(char *real, const char *top, char **comp, int max)
{
	size_t tlen = strlen(top);
	char *p, *save = NULL, *tok;
	int n = 0;

	if (strncmp(real, top, tlen) || real[tlen] != '/')
		return -EINVAL;
	p = real + tlen + 1;
	if (strncmp(p, "pci", 3))
		return -EINVAL;
	for (tok = strtok_r(p, "/", &save); tok; tok = strtok_r(NULL, "/", &save)) {
		if (n == max)
			return -E2BIG;
		comp[n++] = tok;
	}
	/* the host bridge and at least the device itself */
	return n >= 2 ? n : -EINVAL;
}

/* Far more than PCIe allows (a bus number is 8 bits). */
#define MAX_DEPTH 300

int vft_topo__distance(const char *root, const char *a, const char *b, enum vft_pcie_dist *out)
{
	char *top = NULL, *ra = NULL, *rb = NULL;
	char **ca = NULL, **cb = NULL;
	char path[PATH_MAX];
	int na, nb, common, between, err;
	int32_t numa_a, numa_b;

	*out = VFT_DIST_UNKNOWN;
	if (bad_name(a) || bad_name(b)) {
		err = -EINVAL;
		goto out;
	}
	if (snprintf(path, sizeof(path), PCI_DEVICES "/%s", a) >= (int)sizeof(path)) {
		err = -ENAMETOOLONG;
		goto out;
	}
	ra = real_of(root, path, &err);
	if (!ra)
		goto out;
	if (snprintf(path, sizeof(path), PCI_DEVICES "/%s", b) >= (int)sizeof(path)) {
		err = -ENAMETOOLONG;
		goto out;
	}
	rb = real_of(root, path, &err);
	if (!rb)
		goto out;
	top = real_of(root, "/sys/devices", &err);
	if (!top)
		goto out;
	ca = calloc(MAX_DEPTH, sizeof(*ca));
	cb = calloc(MAX_DEPTH, sizeof(*cb));
	if (!ca || !cb) {
		err = -ENOMEM;
		goto out;
	}
	na = split_below(ra, top, ca, MAX_DEPTH);
	nb = split_below(rb, top, cb, MAX_DEPTH);
	if (na < 0 || nb < 0) {
		err = na < 0 ? na : nb;
		goto out;
	}
	err = 0;

	if (strcmp(ca[0], cb[0])) {
		numa_a = pci_numa(root, a);
		numa_b = pci_numa(root, b);
		if (numa_a >= 0 && numa_b >= 0)
			*out = numa_a == numa_b ? VFT_DIST_NODE : VFT_DIST_SYS;
		goto out;
	}

	/* below the host bridge: ca[1..na) and cb[1..nb), each ending with its device */
	na--;
	nb--;
	for (common = 0; common < na && common < nb; common++)
		if (strcmp(ca[1 + common], cb[1 + common]))
			break;
	if (common == na && common == nb)
		between = 0; /* the same device */
	else if (common == na || common == nb)
		between = (na > nb ? na - nb : nb - na) - 1; /* one is above the other */
	else if (!common)
		between = -1; /* only the host bridge joins them */
	else
		between = (na - 1 - common) + (nb - 1 - common) + 1;
	if (between < 0)
		*out = VFT_DIST_PHB;
	else
		*out = between <= 1 ? VFT_DIST_PIX : VFT_DIST_PXB;
out:
	free(ca);
	free(cb);
	free(top);
	free(ra);
	free(rb);
	return err;
}

/* Appends a zeroed GPU to *v (capacity *cap); NULL on -ENOMEM. */
static struct vft_gpu *gpu_add(struct vft_gpu **v, size_t *n, size_t *cap)
{
	struct vft_gpu *grown;

	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 8;
		grown = realloc(*v, *cap * sizeof(**v));
		if (!grown)
			return NULL;
		*v = grown;
	}
	memset(&(*v)[*n], 0, sizeof(**v));
	return &(*v)[(*n)++];
}

/* Copies @s without surrounding blanks into @buf; false (buf "") when empty or too long. */
static bool copy_trimmed(char *buf, size_t size, const char *s)
{
	size_t len;

	buf[0] = '\0';
	while (isspace((unsigned char)*s))
		s++;
	len = strlen(s);
	while (len && isspace((unsigned char)s[len - 1]))
		len--;
	if (!len || len >= size)
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	return true;
}

/*
 * Fills @g from <root>/proc/driver/nvidia/gpus/<dir>/information: lines
 * "Key: \t value". Best effort: a missing file or line leaves the defaults
 * (the directory name as the address, no UUID). Returns 0 or -ENOMEM.
 */
static int read_information(const char *root, const char *dir, struct vft_gpu *g)
{
	char rel[PATH_MAX], full[PATH_MAX];
	char *line = NULL, *colon, *p;
	size_t cap = 0;
	FILE *f = NULL;
	int err = 0;

	snprintf(g->bdf, sizeof(g->bdf), "%s", dir);
	if (snprintf(rel, sizeof(rel), NV_GPUS "/%s/information", dir) >= (int)sizeof(rel) ||
	    vft_path(full, sizeof(full), root, rel))
		goto out;
	f = fopen(full, "re");
	if (!f) {
		if (errno == ENOMEM)
			err = -ENOMEM;
		goto out;
	}
	while (getline(&line, &cap, f) >= 0) {
		colon = strchr(line, ':');
		if (!colon)
			continue;
		*colon = '\0';
		if (!strcmp(line, "GPU UUID")) {
			copy_trimmed(g->uuid, sizeof(g->uuid), colon + 1);
		} else if (!strcmp(line, "Bus Location")) {
			char bdf[sizeof(g->bdf)];

			if (!copy_trimmed(bdf, sizeof(bdf), colon + 1) || bad_name(bdf))
				continue;
			/* sysfs spells addresses in lower case */
			for (p = bdf; *p; p++)
				*p = tolower((unsigned char)*p);
			memcpy(g->bdf, bdf, sizeof(bdf));
		}
	}
out:
	free(line);
	if (f)
		fclose(f);
	return err;
}

/* vendor 0x10de, class 0x0300xx or 0x0302xx. */
static bool is_nvidia_gpu(const char *root, const char *bdf)
{
	char path[PATH_MAX];
	uint32_t vendor, class_code;

	if (snprintf(path, sizeof(path), PCI_DEVICES "/%s/vendor", bdf) >= (int)sizeof(path) ||
	    vft_sysfs__read_u32(root, path, &vendor) || vendor != 0x10de)
		return false;
	snprintf(path, sizeof(path), PCI_DEVICES "/%s/class", bdf);
	if (vft_sysfs__read_u32(root, path, &class_code))
		return false;
	return class_code >> 8 == 0x0300 || class_code >> 8 == 0x0302;
}

static int cmp_gpu(const void *a, const void *b)
{
	return strcmp(((const struct vft_gpu *)a)->bdf, ((const struct vft_gpu *)b)->bdf);
}

int vft_topo__gpus(const char *root, struct vft_gpu **out, size_t *n)
{
	struct vft_sysfs_list l = { 0 };
	struct vft_gpu *v = NULL, *g;
	size_t nv = 0, cap = 0, i;
	bool from_proc = true;
	int err;

	*out = NULL;
	*n = 0;
	err = vft_sysfs__list(root, NV_GPUS, NULL, &l);
	if (err == -ENOENT || err == -ENOTDIR) {
		from_proc = false;
		err = vft_sysfs__list(root, PCI_DEVICES, NULL, &l);
		if (err == -ENOENT) {
			err = 0; /* no PCI bus: no GPUs */
			goto out;
		}
	}
	if (err)
		goto out;
	for (i = 0; i < l.n; i++) {
		if (bad_name(l.names[i]))
			continue;
		if (!from_proc && !is_nvidia_gpu(root, l.names[i]))
			continue;
		g = gpu_add(&v, &nv, &cap);
		if (!g) {
			err = -ENOMEM;
			goto out;
		}
		if (from_proc) {
			err = read_information(root, l.names[i], g);
			if (err)
				goto out;
		} else {
			snprintf(g->bdf, sizeof(g->bdf), "%s", l.names[i]);
		}
		g->numa_node = pci_numa(root, g->bdf);
	}
	if (nv)
		qsort(v, nv, sizeof(*v), cmp_gpu);
	*out = v;
	*n = nv;
	v = NULL;
out:
	free(v);
	vft_sysfs_list__free(&l);
	return err;
}
