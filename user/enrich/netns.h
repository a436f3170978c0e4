/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * netns.h - what a network namespace is (the host's, a /run/netns name, a
 * Kubernetes pod's) and reading RDMA port attributes from inside it.
 *
 * A netns is known by its inode number (what the kernel hooks report). The
 * map scans <root>/proc/<pid>/ns/net (a link "net:[<inode>]") of every
 * process and <root>/run/netns/<name>, and attributes a netns to a pod from
 * the cgroup of a process in it (<root>/proc/<pid>/cgroup, the cgroup v2
 * "0::<path>" line; vft_cgroup__pod() rules).
 *
 * The pod of a netns is named, best first, by what a CNI call said of it
 * (vft_netns_map__set_pod_cni()), by the container runtime's sandbox whose
 * pinned netns it is (enrich/runtime.h: namespace, name and UID), else by the
 * cgroup of a process in it (the UID only). pod_source says which.
 */
#ifndef VFT_NETNS_H
#define VFT_NETNS_H

#include <stdbool.h>
#include <stdint.h>
#include "model/event.h"
#include "sources/inventory.h"

struct vft_netns_info {
	uint32_t netns;	    /* inode */
	bool host;	    /* the netns of pid 1 */
	char name[64];	    /* /run/netns name, "" if none */
	char pod_uid[40];   /* pod UID with dashes, "" if not known to be a pod's */
	char container[72]; /* container id of that process ("" for the pod's own cgroup) */
	uint32_t pid;	    /* a process in it (the lowest pid), 0 if none */
	char path[256];	    /* a path that opens it (under root): /run/netns/x or /proc/N/ns/net */

	/* the pod's namespace and name, "" if not known; enum vft_pod_source: who said so */
	char pod_ns[VFT_POD_NS_LEN];
	char pod_name[VFT_POD_NAME_LEN];
	uint8_t pod_source;
};

struct vft_netns_map;

/*
 * Scans @root (vft_path() rules; NULL is "/") once. Returns 0 and the map in
 * @out, or -errno (-ENOENT if <root>/proc does not exist).
 */
int vft_netns_map__new(const char *root, struct vft_netns_map **out);

/*
 * Fills @out for netns @netns. A netns that the last scan did not see
 * triggers a rescan, at most one per second (vft_netns_map__rescan forces
 * one). Returns 0, or -ENOENT when no process and no /run/netns name holds it.
 */
int vft_netns_map__lookup(struct vft_netns_map *m, uint32_t netns, struct vft_netns_info *out);

/*
 * Forgets what the last scan said of @netns (it was destroyed: the kernel
 * gives its inode to a later netns), so that a look-up scans again.
 */
void vft_netns_map__forget(struct vft_netns_map *m, uint32_t netns);

/*
 * Records the pod that a CNI call attached netns @netns to (its CNI_ARGS:
 * K8S_POD_NAMESPACE, K8S_POD_NAME, K8S_POD_UID; NULL or "" for one it did
 * not give): a look-up then names that pod before what the runtimes and the
 * cgroups say, until vft_netns_map__forget(). Values too long for the
 * fields are refused. Returns 0, -EINVAL (netns 0, no name, a value too
 * long) or -ENOMEM.
 */
int vft_netns_map__set_pod_cni(struct vft_netns_map *m, uint32_t netns, const char *pod_ns,
			       const char *pod_name, const char *pod_uid);

/* Scans again now. Returns 0 or -errno. */
int vft_netns_map__rescan(struct vft_netns_map *m);

/* The netns of the last scan, in inode order: vft_netns_map__get() for 0 .. count - 1. */
size_t vft_netns_map__count(const struct vft_netns_map *m);
int vft_netns_map__get(struct vft_netns_map *m, size_t i, struct vft_netns_info *out);

/* The netns inode of process @pid (its <root>/proc/<pid>/ns/net link). Returns 0 or -errno. */
int vft_netns__of_pid(const char *root, uint32_t pid, uint32_t *out);

/* The host netns (that of <root>/proc/1/ns/net), 0 if unknown. */
uint32_t vft_netns_map__host(const struct vft_netns_map *m);

void vft_netns_map__free(struct vft_netns_map *m);

/*
 * Reads port @port of @ibdev as seen from inside the netns that @netns_path
 * opens: in a child process that joins the netns, makes a private mount
 * namespace and mounts a fresh sysfs (a sysfs mount shows the RDMA devices
 * of the netns it was mounted in, which matters in exclusive netns mode).
 * Needs CAP_SYS_ADMIN. Returns what vft_inventory__read_port() returns,
 * -ENOENT included when the device is not visible there (and only then),
 * -ESRCH when @netns_path does not open (the process that held the netns
 * exited, or its /run/netns name was removed: the netns may be gone), or
 * -errno of the set-up (-EPERM without privilege).
 */
int vft_netns__read_port(const char *netns_path, const char *ibdev, uint32_t port,
			 struct vft_port_attrs *out);

/* How long a reader in a child may take before it is killed (a sysfs read can hang). */
#define VFT_READ_TIMEOUT_NS (5 * 1000000000ULL)

/*
 * vft_netns__read_port() with a deadline: in the netns @netns_path opens,
 * or, when it is NULL, from <@root>/sys (still in a child: a driver's sysfs
 * read can block for good). vft_netns__read_port() allows VFT_READ_TIMEOUT_NS.
 * Returns what it returns, or -ETIMEDOUT (the child was killed) or -EIO
 * (the child died without an answer).
 */
int vft_netns__read_port_within(const char *netns_path, const char *root, const char *ibdev,
				uint32_t port, uint64_t timeout_ns, struct vft_port_attrs *out);

/*
 * vft_netns__read_port_within() inside netns @netns, through the path @m
 * knows for it; a path that no longer opens makes @m scan again and tries
 * the new path, if another one holds the netns. Returns 0, -ENOENT when the
 * device is not visible in the netns, -ESRCH when no path opens the netns
 * (gone, or not known: a netns that has just gone is no proof that the
 * device was not there), -ETIMEDOUT, or another -errno of the read.
 */
int vft_netns_map__read_port(struct vft_netns_map *m, uint32_t netns, const char *ibdev,
			     uint32_t port, uint64_t timeout_ns, struct vft_port_attrs *out);

#endif /* VFT_NETNS_H */
