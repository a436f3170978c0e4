/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * topo.h - where devices sit on the PCIe tree: the distance between two PCI
 * functions in the terms of `nvidia-smi topo -m`, and the node's GPUs.
 *
 * Every reader takes @root as vft_path() does (NULL, "" or "/": the live
 * system). Errors are negative errno values; nothing here prints.
 */
#ifndef VFT_TOPO_H
#define VFT_TOPO_H

#include <stddef.h>
#include <stdint.h>

/* PCIe distance between two devices, as `nvidia-smi topo -m` names it; nearest first. */
enum vft_pcie_dist {
	VFT_DIST_UNKNOWN = 0,
	VFT_DIST_PIX,  /* at most one PCIe bridge between them */
	VFT_DIST_PXB,  /* several bridges, no host bridge */
	VFT_DIST_PHB,  /* through their common host bridge */
	VFT_DIST_NODE, /* between host bridges of one NUMA node */
	VFT_DIST_SYS,  /* between NUMA nodes */
};

/* "PIX", "PXB", "PHB", "NODE", "SYS"; "?" for VFT_DIST_UNKNOWN and anything else. */
const char *vft_pcie_dist__name(enum vft_pcie_dist d);

/*
 * The distance between PCI functions @a and @b ("0000:18:00.1"), from the
 * real paths of <root>/sys/bus/pci/devices/<a> and <b>. Such a path is
 * <root>/sys/devices/<host bridge>/<bdf>/.../<bdf>: the host bridge
 * ("pci0000:15"), then every PCIe bridge down to the device, the device last.
 * The rule:
 *   - different host bridges: NODE when both numa_node files hold the same
 *     node (>= 0), SYS when they hold different nodes, UNKNOWN when either is
 *     -1 or missing (a kernel without NUMA, or firmware that did not say);
 *   - the same host bridge: count the path components strictly between the
 *     two devices on the tree (the bridges a transfer crosses; their lowest
 *     common ancestor counts once, an endpoint never). No common bridge below
 *     the host bridge: PHB. Otherwise at most one bridge: PIX, more: PXB.
 * So a device and itself, a PF and its VFs, and two functions below one
 * downstream port are PIX; a NIC and a GPU below two downstream ports of one
 * switch are PXB (downstream, upstream, downstream port); two devices below
 * different root ports are PHB.
 * Returns 0, -ENOENT for an unknown device, -EINVAL for a name that is not
 * one path component or a device that is not below <root>/sys/devices/pci*,
 * -ENAMETOOLONG or -ENOMEM; *out is VFT_DIST_UNKNOWN on error.
 */
int vft_topo__distance(const char *root, const char *a, const char *b, enum vft_pcie_dist *out);

struct vft_gpu {
	char bdf[32];	   /* "0000:1b:00.0" */
	char uuid[64];	   /* "GPU-3b1f0c2e-...", "" if unknown */
	int32_t numa_node; /* -1 if unknown */
};

/*
 * The GPUs: one per directory of <root>/proc/driver/nvidia/gpus/, from its
 * "information" file ("GPU UUID:" and "Bus Location:" lines; the directory
 * name is the address when "Bus Location:" is missing, the UUID "" when its
 * line is). When that directory is absent (no NVIDIA driver), the PCI
 * functions of vendor 0x10de with class 0x0300xx (VGA) or 0x0302xx (3D),
 * with uuid "". numa_node from <root>/sys/bus/pci/devices/<bdf>/numa_node.
 * Sorted by bdf. Returns 0 with *out (free() it; NULL when *n is 0) and *n,
 * or -errno (-ENOMEM...; no PCI bus at all is 0 GPUs).
 */
int vft_topo__gpus(const char *root, struct vft_gpu **out, size_t *n);

#endif /* VFT_TOPO_H */
