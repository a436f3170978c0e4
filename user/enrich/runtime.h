/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * runtime.h - the pod sandboxes that the container runtimes describe in their
 * state under /run: which pod (namespace, name, UID) a pinned netns is.
 *
 * Each runtime writes the OCI runtime spec (config.json) of every container it
 * runs, the pod's sandbox ("pause", infra) container included. That spec's
 * "annotations" name the pod, and its linux.namespaces entry of type
 * "network" holds the path where the runtime pinned the pod's netns
 * (/var/run/netns/cni-<uuid> for containerd, /var/run/netns/<uuid> for CRI-O).
 *
 * containerd (CRI plugin, runtime v2 shim), one bundle per running task:
 *   <root>/run/containerd/io.containerd.runtime.v2.task/k8s.io/<id>/config.json
 *   io.kubernetes.cri.container-type  "sandbox" (else "container": skipped)
 *   io.kubernetes.cri.sandbox-name, io.kubernetes.cri.sandbox-namespace
 *   io.kubernetes.cri.sandbox-uid     (containerd 1.6.11 / 1.7.0 and later;
 *                                      an older one leaves it out: UID "")
 *   (the keys of containerd's pkg/cri/annotations/annotations.go)
 *
 * CRI-O, the runtime copy of the sandbox's spec (server/sandbox_run_linux.go
 * saves it into the container's RunDir):
 *   <root>/run/containers/storage/overlay-containers/<id>/userdata/config.json
 *   io.kubernetes.cri-o.ContainerType "sandbox" (else "container": skipped)
 *   io.kubernetes.pod.name, io.kubernetes.pod.namespace, io.kubernetes.pod.uid
 *                                     (the kubelet's sandbox labels, which CRI-O
 *                                      adds to the annotations as they are)
 *   io.kubernetes.cri-o.KubeName, io.kubernetes.cri-o.Namespace
 *                                     (the sandbox metadata's name and namespace:
 *                                      read when the labels are missing)
 *   A host-network pod has no "network" namespace entry (CRI-O removes it; its
 *   io.kubernetes.cri-o.NamespaceOptions says network NODE): it is the host's
 *   netns and is skipped.
 *
 * Reading is bounded: a config.json over VFT_RUNTIME_FILE_MAX is skipped, at
 * most VFT_RUNTIME_MAX_ENTRIES directories are read per runtime and scan, and
 * every entry skipped is counted by its reason (struct vft_runtime_stats).
 */
#ifndef VFT_RUNTIME_H
#define VFT_RUNTIME_H

#include <stddef.h>
#include <stdint.h>
#include "model/event.h" /* VFT_POD_NAME_LEN, VFT_POD_NS_LEN */

/* A sandbox's spec is a few KiB (CRI-O's, with its JSON annotations, some tens). */
#define VFT_RUNTIME_FILE_MAX (1u << 20)
/* Directories read per runtime and scan; a node runs at most a few hundred pods. */
#define VFT_RUNTIME_MAX_ENTRIES 8192

enum vft_runtime_kind {
	VFT_RUNTIME_CONTAINERD = 1,
	VFT_RUNTIME_CRIO,
};

#define VFT_POD_UID_LEN 40

struct vft_sandbox {
	uint32_t runtime;	     /* enum vft_runtime_kind */
	uint32_t netns;		     /* inode of netns_path under the root, 0 if it does not stat */
	char id[72];		     /* the sandbox container's id (its directory) */
	char pod_ns[VFT_POD_NS_LEN]; /* "ml" */
	char pod_name[VFT_POD_NAME_LEN]; /* "trainer-0" */
	char pod_uid[VFT_POD_UID_LEN];	 /* with dashes, "" if the runtime did not write it */
	char netns_path[256];		 /* as the spec says: "/var/run/netns/cni-<uuid>" */
	char netns_name[64];		 /* its name under /run/netns, "" if elsewhere */
};

/* What the last scan skipped, by reason (a sandbox counts once, under its first reason). */
struct vft_runtime_stats {
	uint64_t read;	     /* config.json files read */
	uint64_t sandboxes;  /* sandboxes kept */
	uint64_t containers; /* a pod's other containers: not an error */
	uint64_t host_netns; /* sandboxes with no netns path of their own (host network) */
	uint64_t too_big;    /* over VFT_RUNTIME_FILE_MAX */
	uint64_t bad_json;   /* not JSON, or not an object with an "annotations" object */
	uint64_t incomplete; /* a sandbox without its name or namespace annotation */
	uint64_t bad_value;  /* a value too long for its field, or with control characters */
	uint64_t unreadable; /* open or read failed (other than the entry going away) */
	uint64_t over_limit; /* directories past VFT_RUNTIME_MAX_ENTRIES */
};

struct vft_runtime;

/*
 * Scans the state of both runtimes under @root (vft_path() rules; NULL is
 * "/"). A runtime whose state directory is missing has no sandboxes; bad
 * entries are skipped and counted. Returns 0 and the object in @out, or
 * -errno (-ENOMEM, -ENAMETOOLONG for the root).
 */
int vft_runtime__new(const char *root, struct vft_runtime **out);

/* Scans again; keeps the last table on failure. Returns 0 or -errno. */
int vft_runtime__rescan(struct vft_runtime *rt);

/* The sandboxes of the last scan, in (runtime, id) order. */
size_t vft_runtime__count(const struct vft_runtime *rt);
const struct vft_sandbox *vft_runtime__get(const struct vft_runtime *rt, size_t i);

/*
 * The sandbox of netns @netns (inode, 0 for none) or, when no sandbox's
 * netns path stats to it, of the /run/netns name @name (NULL or "" for
 * none). Copies it into @out. Returns 0 or -ENOENT.
 */
int vft_runtime__pod_by_netns(const struct vft_runtime *rt, uint32_t netns, const char *name,
			      struct vft_sandbox *out);

/* What the last scan skipped. */
void vft_runtime__stats(const struct vft_runtime *rt, struct vft_runtime_stats *out);

/* "containerd", "cri-o", or NULL for an unknown value. */
const char *vft_runtime__kind_name(uint32_t kind);

/* Frees @rt; accepts NULL. */
void vft_runtime__free(struct vft_runtime *rt);

#endif /* VFT_RUNTIME_H */
