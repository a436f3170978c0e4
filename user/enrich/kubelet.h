/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * kubelet.h - what the kubelet handed to each pod: the device-plugin
 * checkpoint <root>/var/lib/kubelet/device-plugins/kubelet_internal_checkpoint.
 *
 * The checkpoint is JSON:
 *   {"Data": {"PodDeviceEntries": [{"PodUID", "ContainerName", "ResourceName",
 *             "DeviceIDs": {"<NUMA node>": [ids]}, "AllocResp": base64}],
 *             "RegisteredDevices": {"<resource>": [ids]}},
 *    "Checksum": N}
 * Older kubelets (before about 1.20) wrote DeviceIDs as a plain list. Device IDs are what
 * the plugin advertised: VF PCI addresses ("0000:18:00.1") for the SR-IOV
 * plugin, UUIDs ("GPU-...") for NVIDIA's.
 *
 * The kubelet drops a pod's entries only when it next reconciles, so entries
 * can outlive a deleted pod: match pod_uid against running pods (their
 * cgroups) before trusting one. The Checksum is not verified.
 */
#ifndef VFT_KUBELET_H
#define VFT_KUBELET_H

#include <stddef.h>
#include <stdint.h>

struct vft_pod_device {
	char pod_uid[40];   /* "9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a" */
	char container[64]; /* "trainer" */
	char resource[128]; /* "nvidia.com/gpu", "nvidia.com/sriov_ib_vf" */
	char id[80];	    /* "GPU-3b1f...", "0000:18:00.1" */
	int32_t numa_node;  /* its DeviceIDs key; -1 for the old list form or a non-number */
};

/*
 * Every (pod, container, resource, device id) of the checkpoint, in file
 * order (within an entry, NUMA keys in file order, then ids in list order).
 * A value too long for its field drops that device (or, for the pod UID,
 * container or resource, the whole entry) with vft_debug(): it cannot be a
 * PCI address or UUID that vftrace would match. A missing file gives 0
 * entries and returns 0; so does a missing or null PodDeviceEntries.
 * Malformed JSON, or a shape that is not the one above (no "Data" object,
 * an entry without its strings, DeviceIDs neither object, list nor null, an
 * id that is not a string): -EINVAL. Other errors: -errno (-EFBIG past
 * 64 MiB, -ENOMEM...). Returns 0 with *out (free() it; NULL when *n is 0).
 */
int vft_kubelet__devices(const char *root, struct vft_pod_device **out, size_t *n);

#endif /* VFT_KUBELET_H */
