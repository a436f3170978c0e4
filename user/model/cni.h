/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * cni.h - the cni kind: one CNI plugin run (bpf/proc.bpf.c), reported when it
 * exited. The pod of its CNI_ARGS, its exit status, its plugin's name, and
 * what its row in kinds.c points to.
 */
#ifndef VFT_CNI_H
#define VFT_CNI_H

#include <stdint.h>
#include <linux/types.h>
#include "vftrace.h"

struct vft_event;
struct vft_bpf_event;
struct vft_text;

/* cni_flags of a cni event. */
#define VFT_CNI_EV_CHILD \
	(1u << 0) /* run by a CNI plugin run (an IPAM plugin): a step of its call */
#define VFT_CNI_EV_BY_ENV (1u << 1)	/* known by CNI_COMMAND= in its environment, not its path */
#define VFT_CNI_EV_CUT_SHIFT 8		/* the kernel side's VFT_CNI_CUT_* bits, shifted */
#define VFT_CNI_EV_CUT_POD (1u << 16)	/* a pod value of CNI_ARGS longer than its field */
#define VFT_CNI_EV_CUT_FIELD (1u << 17) /* CNI_COMMAND, CNI_CONTAINERID or CNI_IFNAME was cut */

/*
 * The pod of a CNI_ARGS value ("IgnoreUnknown=1;K8S_POD_NAMESPACE=ml;
 * K8S_POD_NAME=trainer-0;K8S_POD_UID=...") into @ev's pod_ns, pod_name and
 * pod_uid. Pieces without '=' and other keys are skipped; a missing key
 * leaves its field as it was; a value longer than its field is cut and sets
 * VFT_CNI_EV_CUT_POD in cni_flags.
 */
void vft_cni_args__parse(const char *args, struct vft_event *ev);

/* The exit code of a wait status, or -1 when a signal ended the process. */
int vft_cni_exit_code(uint32_t status);
/* The signal that ended the process, 0 if it exited. */
int vft_cni_signal(uint32_t status);
/* The plugin's name: the last part of its path (actor.exe), else its comm. */
const char *vft_cni_plugin(const struct vft_event *ev);
/* "ml/trainer-0" into @buf, or "" when the run named no pod. */
void vft_cni_pod(const struct vft_event *ev, char *buf, size_t size);

/* The row's functions (kinds.c). */
void vft_cni__decode(struct vft_event *ev, const struct vft_bpf_event *r);
/* " ADD sriov pod ml/trainer-0 if net1 netns 4026532291 exit 0 in 52 ms" */
void vft_cni__line(struct vft_text *t, const struct vft_event *ev);
/* "cni ADD sriov ml/trainer-0 net1 exit 0 in 52 ms" */
void vft_cni__step(struct vft_text *t, const struct vft_event *ev);

#endif /* VFT_CNI_H */
