/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * cgroup.h - who an actor is, from its cgroup: the cgroup v2 id that
 * bpf_get_current_cgroup_id() returns (the inode number of the cgroup's
 * directory in the cgroup2 mount) resolved to a path, and the systemd unit
 * and Kubernetes pod and container read from that path.
 */
#ifndef VFT_CGROUP_H
#define VFT_CGROUP_H

#include <stddef.h>
#include <stdint.h>

/* The most cgroups the cache holds; a larger tree is cached up to this many. */
#define VFT_CGROUP_CACHE_MAX 65536

struct vft_cgroup_cache;

/*
 * Finds the cgroup2 mount under @root (vft_path() rules) and caches the ids
 * of every cgroup in it. The mount is <root>/sys/fs/cgroup, or
 * <root>/sys/fs/cgroup/unified on a hybrid v1/v2 host: the first that is a
 * cgroup2 file system, else the first that has cgroup.controllers (fixture
 * trees). Returns 0 and the cache in @out, -ENOENT when there is no cgroup2
 * tree, or -errno.
 */
int vft_cgroup_cache__new(const char *root, struct vft_cgroup_cache **out);

/*
 * Writes the path of cgroup @id relative to the cgroup2 root ("/" for the
 * root, "/system.slice/systemd-networkd.service") into @buf. An id that is
 * not cached triggers one rescan, at most one per second. Returns 0, -ENOENT
 * if the id is unknown even so (or the rescan was rate-limited), -ENAMETOOLONG
 * if @size is too small, or -errno of the rescan.
 */
int vft_cgroup_cache__path(struct vft_cgroup_cache *c, uint64_t id, char *buf, size_t size);

/* The cgroup2 directory the cache reads (under the root prefix). */
const char *vft_cgroup_cache__mount(const struct vft_cgroup_cache *c);

/* Frees the cache; accepts NULL. */
void vft_cgroup_cache__free(struct vft_cgroup_cache *c);

/*
 * The systemd unit of a cgroup path: its last component that names a unit
 * other than a slice ("systemd-networkd.service", "user@0.service",
 * "cri-containerd-<id>.scope"), else its last slice
 * ("kubepods-besteffort-pod<uid>.slice"). Returns 0, -ENOENT when the path
 * has no unit ("/", cgroupfs-driver paths), -ENAMETOOLONG if @size is too
 * small, -EINVAL for a path that does not start with "/".
 */
int vft_cgroup__unit(const char *path, char *buf, size_t size);

/*
 * The Kubernetes pod of a cgroup path, for the kubelet's systemd driver
 * (.../kubepods-<qos>-pod<uid with _>.slice/cri-containerd-<id>.scope,
 * crio-<id>.scope, docker-<id>.scope) and cgroupfs driver
 * (/kubepods/<qos>/pod<uid>/<id>, crio-<id>). Writes the pod UID with dashes
 * into @uid and the container id (64 hex digits, prefix and ".scope" removed;
 * "" for the pod's own cgroup) into @container, which may be NULL. Returns 0,
 * -ENOENT when the path is not a pod's, -ENAMETOOLONG if a buffer is too
 * small, -EINVAL for a path that does not start with "/".
 */
int vft_cgroup__pod(const char *path, char *uid, size_t uid_size, char *container, size_t csize);

#endif /* VFT_CGROUP_H */
