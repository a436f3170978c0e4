/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * runtime_fixture.h - container runtime state added to a fixture tree: the
 * OCI spec (config.json) of a pod's sandbox or container as containerd's
 * runtime v2 shim and CRI-O keep it under /run, shaped as they write it
 * (trimmed to the parts that matter: annotations, linux.namespaces), and the
 * /run/netns entry a sandbox's netns is pinned at.
 */
#ifndef VFT_TEST_RUNTIME_FIXTURE_H
#define VFT_TEST_RUNTIME_FIXTURE_H

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define RTFX_CONTAINERD "/run/containerd/io.containerd.runtime.v2.task/k8s.io"
#define RTFX_CRIO "/run/containers/storage/overlay-containers"

/* Sandboxes and containers: ids as the runtimes make them (64 hex digits). */
#define RTFX_SB_A "3c9a5b7e1f2d4c6a8b0e9d7c5a3b1f2e4d6c8a0b9e7d5c3a1f2b4d6e8c0a9b7d"
#define RTFX_CTR_A "7e5d3c1b9a8f6e4d2c0b1a9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b2a1f0e9d"
#define RTFX_SB_B "5a1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5"
#define RTFX_CTR_B "9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b2a1f0e9d8c"
#define RTFX_SB_C "b7c8d9e0f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c"
#define RTFX_UID_A "d2f1c7a4-3b8e-4f5a-9c6d-1e0b2a3c4d5e"
#define RTFX_UID_B "6a7b8c9d-0e1f-4a2b-8c3d-4e5f6a7b8c9d"
/* containerd pins at /var/run/netns/cni-<random uuid>; CRI-O at /var/run/netns/<uuid> */
#define RTFX_NETNS_A "cni-8f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b"
#define RTFX_NETNS_B "1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f"
#define RTFX_NETNS_C "2d3e4f5a-6b7c-4d8e-9f0a-1b2c3d4e5f6a"

/* mkdir -p <root><rel>. */
static void rtfx_mkdir(const char *root, const char *rel)
{
	char path[PATH_MAX], *p;

	snprintf(path, sizeof(path), "%s%s", root, rel);
	for (p = path + strlen(root) + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0755) && errno != EEXIST)
			fprintf(stderr, "mkdir %s: %s\n", path, strerror(errno));
		*p = '/';
	}
	if (mkdir(path, 0755) && errno != EEXIST)
		fprintf(stderr, "mkdir %s: %s\n", path, strerror(errno));
}

/* Writes @text into <root><rel>, its directories made. */
static void rtfx_write(const char *root, const char *rel, const char *text)
{
	char dir[PATH_MAX], path[PATH_MAX], *slash;
	FILE *f;

	snprintf(dir, sizeof(dir), "%s", rel);
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		rtfx_mkdir(root, dir);
	}
	snprintf(path, sizeof(path), "%s%s", root, rel);
	f = fopen(path, "w");
	if (!f) {
		fprintf(stderr, "cannot write %s: %s\n", path, strerror(errno));
		return;
	}
	fputs(text, f);
	fclose(f);
}

static void rtfx_rm(const char *root, const char *rel)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s%s", root, rel);
	unlink(path);
}

/* Pins a netns at <root>/run/netns/@name (an empty file); returns its inode, 0 on failure. */
static uint32_t rtfx_netns(const char *root, const char *name)
{
	char rel[PATH_MAX], path[PATH_MAX];
	struct stat st;

	snprintf(rel, sizeof(rel), "/run/netns/%s", name);
	rtfx_write(root, rel, "");
	snprintf(path, sizeof(path), "%s%s", root, rel);
	if (stat(path, &st) || st.st_ino > UINT32_MAX)
		return 0;
	return (uint32_t)st.st_ino;
}

/* "\"key\":\"value\"," appended to @buf when @value is not NULL. */
static void rtfx_ann(char *buf, size_t size, const char *key, const char *value)
{
	size_t len = strlen(buf);

	if (value)
		snprintf(buf + len, size - len, "\"%s\":\"%s\",", key, value);
}

/*
 * The namespaces of a pod's container: pid, ipc, uts, mount, and network
 * at @netns (none when NULL: a host-network pod).
 */
static void rtfx_namespaces(char *buf, size_t size, const char *netns)
{
	size_t len = strlen(buf);

	snprintf(
		buf + len, size - len,
		"\"linux\":{\"resources\":{\"devices\":[{\"allow\":false,\"access\":\"rwm\"}],"
		"\"cpu\":{\"shares\":2}},\"cgroupsPath\":\"kubepods-besteffort.slice:cri-containerd:x\","
		"\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"ipc\"},{\"type\":\"uts\"},"
		"{\"type\":\"mount\"}%s%s%s]}}\n",
		netns ? ",{\"type\":\"network\",\"path\":\"" : "", netns ? netns : "",
		netns ? "\"}" : "");
}

/*
 * containerd's bundle spec of container @id of pod @ns/@name (@uid), type
 * "sandbox" or "container"; NULL values are left out.
 */
static void rtfx_containerd(const char *root, const char *id, const char *type, const char *name,
			    const char *ns, const char *uid, const char *netns)
{
	char rel[PATH_MAX], logdir[512], text[8192];

	snprintf(text, sizeof(text),
		 "{\"ociVersion\":\"1.1.0\",\"process\":{\"user\":{\"uid\":65535,\"gid\":65535},"
		 "\"args\":[\"/pause\"],\"env\":[\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:"
		 "/usr/bin:/sbin:/bin\"],\"cwd\":\"/\",\"oomScoreAdj\":-998},"
		 "\"root\":{\"path\":\"rootfs\",\"readonly\":true},\"hostname\":\"%s\","
		 "\"mounts\":[{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\"}],"
		 "\"annotations\":{",
		 name ? name : "x");
	rtfx_ann(text, sizeof(text), "io.kubernetes.cri.container-type", type);
	rtfx_ann(text, sizeof(text), "io.kubernetes.cri.sandbox-id", id);
	snprintf(logdir, sizeof(logdir), "/var/log/pods/%s_%s_%s", ns ? ns : "", name ? name : "",
		 uid ? uid : "");
	rtfx_ann(text, sizeof(text), "io.kubernetes.cri.sandbox-log-directory", logdir);
	rtfx_ann(text, sizeof(text), "io.kubernetes.cri.sandbox-name", name);
	rtfx_ann(text, sizeof(text), "io.kubernetes.cri.sandbox-namespace", ns);
	rtfx_ann(text, sizeof(text), "io.kubernetes.cri.sandbox-uid", uid);
	/* the last annotation, without a comma after it */
	strcat(text, "\"io.kubernetes.cri.sandbox-cpu-period\":\"100000\"},");
	rtfx_namespaces(text, sizeof(text), netns);
	snprintf(rel, sizeof(rel), "%s/%s/config.json", RTFX_CONTAINERD, id);
	rtfx_write(root, rel, text);
}

/*
 * CRI-O's runtime spec of container @id: the kubelet's labels
 * (io.kubernetes.pod.*) when @labels, always the sandbox metadata's
 * KubeName and Namespace.
 */
static void rtfx_crio(const char *root, const char *id, const char *type, const char *name,
		      const char *ns, const char *uid, const char *netns, bool labels)
{
	char rel[PATH_MAX], text[8192];

	snprintf(text, sizeof(text),
		 "{\"ociVersion\":\"1.0.2-dev\",\"process\":{\"user\":{\"uid\":0,\"gid\":0},"
		 "\"args\":[\"/pause\"],\"cwd\":\"/\",\"oomScoreAdj\":-998},"
		 "\"root\":{\"path\":\"/var/lib/containers/storage/overlay/x/merged\","
		 "\"readonly\":true},\"hostname\":\"%s\",\"annotations\":{",
		 name ? name : "x");
	rtfx_ann(text, sizeof(text), "io.kubernetes.cri-o.ContainerType", type);
	rtfx_ann(text, sizeof(text), "io.kubernetes.cri-o.SandboxID", id);
	rtfx_ann(text, sizeof(text), "io.kubernetes.cri-o.KubeName", name);
	rtfx_ann(text, sizeof(text), "io.kubernetes.cri-o.Namespace", ns);
	rtfx_ann(text, sizeof(text), "io.kubernetes.cri-o.HostNetwork", netns ? "false" : "true");
	rtfx_ann(text, sizeof(text), "io.kubernetes.cri-o.NamespaceOptions",
		 netns ? "{\\\"pid\\\":1}" : "{\\\"network\\\":2,\\\"pid\\\":1}");
	rtfx_ann(text, sizeof(text), "io.kubernetes.cri-o.Labels", "{\\\"app\\\":\\\"x\\\"}");
	if (labels) {
		rtfx_ann(text, sizeof(text), "io.kubernetes.pod.name", name);
		rtfx_ann(text, sizeof(text), "io.kubernetes.pod.namespace", ns);
		rtfx_ann(text, sizeof(text), "io.kubernetes.pod.uid", uid);
	}
	strcat(text, "\"io.container.manager\":\"cri-o\"},");
	rtfx_namespaces(text, sizeof(text), netns);
	snprintf(rel, sizeof(rel), "%s/%s/userdata/config.json", RTFX_CRIO, id);
	rtfx_write(root, rel, text);
}

#endif /* VFT_TEST_RUNTIME_FIXTURE_H */
