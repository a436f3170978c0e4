// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_runtime.c - the pod sandboxes of containerd and CRI-O read from their
 * state under a fixture root: sandboxes and the containers beside them, both
 * runtimes' annotation keys, matching a netns by inode and by /run/netns
 * name, and every kind of bad entry skipped and counted.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "enrich/enrich.h"
#include "enrich/netns.h"
#include "enrich/runtime.h"
#include "fixture.h"
#include "runtime_fixture.h"

static char base[256], root[300];

static int setup(void **state)
{
	return fixture_make("dgx-b200-healthy", base, sizeof(base), root, sizeof(root));
}

static int teardown(void **state)
{
	return fixture_remove(base);
}

static struct vft_runtime *scan(void)
{
	struct vft_runtime *rt = NULL;

	assert_int_equal(vft_runtime__new(root, &rt), 0);
	assert_non_null(rt);
	return rt;
}

/* No runtime state at all: no sandboxes, nothing skipped. */
static void no_runtime(void **state)
{
	struct vft_runtime_stats s;
	struct vft_runtime *rt = scan();
	struct vft_sandbox sb;

	assert_int_equal(vft_runtime__count(rt), 0);
	assert_null(vft_runtime__get(rt, 0));
	vft_runtime__stats(rt, &s);
	assert_int_equal(s.read + s.containers + s.bad_json + s.too_big + s.unreadable, 0);
	assert_int_equal(vft_runtime__pod_by_netns(rt, 4026532303U, "cni-x", &sb), -ENOENT);
	assert_int_equal(vft_runtime__pod_by_netns(NULL, 1, NULL, &sb), -ENOENT);
	vft_runtime__free(rt);
	vft_runtime__free(NULL);
}

/* A containerd sandbox and a container of the same pod: only the sandbox counts. */
static void containerd_sandbox(void **state)
{
	const struct vft_sandbox *sb;
	struct vft_runtime_stats s;
	struct vft_runtime *rt;
	uint32_t ino;

	ino = rtfx_netns(root, RTFX_NETNS_A);
	rtfx_containerd(root, RTFX_SB_A, "sandbox", "trainer-0", "ml", RTFX_UID_A,
			"/var/run/netns/" RTFX_NETNS_A);
	rtfx_containerd(root, RTFX_CTR_A, "container", "trainer-0", "ml", RTFX_UID_A,
			"/proc/7001/ns/net");
	rt = scan();
	assert_int_equal(vft_runtime__count(rt), 1);
	sb = vft_runtime__get(rt, 0);
	assert_int_equal(sb->runtime, VFT_RUNTIME_CONTAINERD);
	assert_string_equal(vft_runtime__kind_name(sb->runtime), "containerd");
	assert_string_equal(sb->id, RTFX_SB_A);
	assert_string_equal(sb->pod_ns, "ml");
	assert_string_equal(sb->pod_name, "trainer-0");
	assert_string_equal(sb->pod_uid, RTFX_UID_A);
	assert_string_equal(sb->netns_path, "/var/run/netns/" RTFX_NETNS_A);
	assert_string_equal(sb->netns_name, RTFX_NETNS_A);
	assert_int_equal(sb->netns, ino);
	vft_runtime__stats(rt, &s);
	assert_int_equal(s.read, 2);
	assert_int_equal(s.sandboxes, 1);
	assert_int_equal(s.containers, 1);
	vft_runtime__free(rt);
}

/* CRI-O: the kubelet's labels, else the sandbox metadata's KubeName and Namespace. */
static void crio_sandbox(void **state)
{
	const struct vft_sandbox *sb;
	struct vft_runtime_stats s;
	struct vft_runtime *rt;
	uint32_t ino;

	ino = rtfx_netns(root, RTFX_NETNS_B);
	rtfx_crio(root, RTFX_SB_B, "sandbox", "trainer-1", "ml", RTFX_UID_B,
		  "/var/run/netns/" RTFX_NETNS_B, true);
	rtfx_crio(root, RTFX_CTR_B, "container", "trainer-1", "ml", RTFX_UID_B, NULL, true);
	/* no labels: the metadata's name and namespace, and no UID */
	rtfx_crio(root, RTFX_SB_C, "sandbox", "infer-2", "serving", NULL,
		  "/run/netns/" RTFX_NETNS_C, false);
	rt = scan();
	assert_int_equal(vft_runtime__count(rt), 2);
	sb = vft_runtime__get(rt, 0);
	assert_int_equal(sb->runtime, VFT_RUNTIME_CRIO);
	assert_string_equal(vft_runtime__kind_name(sb->runtime), "cri-o");
	/* sorted by id: RTFX_SB_B < RTFX_SB_C */
	assert_string_equal(sb->id, RTFX_SB_B);
	assert_string_equal(sb->pod_ns, "ml");
	assert_string_equal(sb->pod_name, "trainer-1");
	assert_string_equal(sb->pod_uid, RTFX_UID_B);
	assert_string_equal(sb->netns_name, RTFX_NETNS_B);
	assert_int_equal(sb->netns, ino);
	sb = vft_runtime__get(rt, 1);
	assert_string_equal(sb->pod_ns, "serving");
	assert_string_equal(sb->pod_name, "infer-2");
	assert_string_equal(sb->pod_uid, "");
	assert_string_equal(sb->netns_name, RTFX_NETNS_C);
	/* its netns file does not exist: no inode */
	assert_int_equal(sb->netns, 0);
	vft_runtime__stats(rt, &s);
	assert_int_equal(s.sandboxes, 2);
	assert_int_equal(s.containers, 1);
	vft_runtime__free(rt);
}

/* Two sandboxes (one of each runtime): each netns finds its own, by inode or by name. */
static void two_sandboxes(void **state)
{
	struct vft_sandbox sb;
	struct vft_runtime *rt;
	uint32_t a, b;

	a = rtfx_netns(root, RTFX_NETNS_A);
	b = rtfx_netns(root, RTFX_NETNS_B);
	rtfx_containerd(root, RTFX_SB_A, "sandbox", "trainer-0", "ml", RTFX_UID_A,
			"/var/run/netns/" RTFX_NETNS_A);
	rtfx_crio(root, RTFX_SB_B, "sandbox", "trainer-1", "ml", RTFX_UID_B,
		  "/var/run/netns/" RTFX_NETNS_B, true);
	/* a sandbox whose netns is not pinned under /run/netns: by inode only */
	rtfx_containerd(root, RTFX_SB_C, "sandbox", "odd-3", "ml", NULL, "/proc/7002/ns/net");
	rt = scan();
	assert_int_equal(vft_runtime__count(rt), 3);
	assert_int_equal(vft_runtime__pod_by_netns(rt, a, NULL, &sb), 0);
	assert_string_equal(sb.pod_name, "trainer-0");
	assert_int_equal(vft_runtime__pod_by_netns(rt, b, "", &sb), 0);
	assert_string_equal(sb.pod_name, "trainer-1");
	assert_int_equal(sb.runtime, VFT_RUNTIME_CRIO);
	/* an inode no sandbox has, but the name of one: the name decides */
	assert_int_equal(vft_runtime__pod_by_netns(rt, 4026532399U, RTFX_NETNS_B, &sb), 0);
	assert_string_equal(sb.pod_name, "trainer-1");
	/* the inode wins over a name that says otherwise */
	assert_int_equal(vft_runtime__pod_by_netns(rt, a, RTFX_NETNS_B, &sb), 0);
	assert_string_equal(sb.pod_name, "trainer-0");
	assert_int_equal(vft_runtime__pod_by_netns(rt, 4026532399U, "cni-none", &sb), -ENOENT);
	assert_string_equal(sb.pod_name, "");
	assert_int_equal(vft_runtime__pod_by_netns(rt, 0, NULL, &sb), -ENOENT);
	vft_runtime__free(rt);
}

/* Every bad entry is skipped and counted under its reason; the good one is still read. */
static void bad_entries(void **state)
{
	char name[PATH_MAX], rel[512];
	struct vft_runtime_stats s;
	struct vft_runtime *rt;
	struct vft_sandbox sb;
	int fd;

	rtfx_netns(root, RTFX_NETNS_A);
	rtfx_containerd(root, RTFX_SB_A, "sandbox", "trainer-0", "ml", RTFX_UID_A,
			"/var/run/netns/" RTFX_NETNS_A);
	/* cut short, not an object, annotations not an object, junk after the object */
	rtfx_write(root, RTFX_CONTAINERD "/bad1/config.json", "{\"annotations\":{\"io.kub");
	rtfx_write(root, RTFX_CONTAINERD "/bad2/config.json", "[1,2]");
	rtfx_write(root, RTFX_CONTAINERD "/bad3/config.json", "{\"annotations\":[]}");
	rtfx_write(root, RTFX_CRIO "/bad4/userdata/config.json", "{\"annotations\":{}} x");
	rtfx_write(root, RTFX_CRIO "/bad5/userdata/config.json", "");
	/* a sandbox without its name */
	rtfx_containerd(root, "incomplete1", "sandbox", NULL, "ml", RTFX_UID_A,
			"/var/run/netns/cni-x");
	/* a pod name longer than any (254 characters), a namespace with a newline */
	memset(name, 'a', 300);
	name[300] = '\0';
	rtfx_containerd(root, "long1", "sandbox", name, "ml", RTFX_UID_A, "/var/run/netns/cni-y");
	rtfx_containerd(root, "ctl1", "sandbox", "p", "m\\nl", RTFX_UID_A, "/var/run/netns/cni-z");
	/* a relative netns path */
	rtfx_containerd(root, "rel1", "sandbox", "p", "ml", RTFX_UID_A, "netns/cni-z");
	/* a host-network sandbox: no network namespace of its own */
	rtfx_crio(root, "hostnet1", "sandbox", "node-exporter-x", "monitoring", RTFX_UID_B, NULL,
		  true);
	/* larger than the cap (sparse) */
	snprintf(rel, sizeof(rel), "%s/big1/config.json", RTFX_CONTAINERD);
	rtfx_write(root, rel, "{}");
	snprintf(name, sizeof(name), "%s%s", root, rel);
	fd = open(name, O_WRONLY);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, VFT_RUNTIME_FILE_MAX + 1), 0);
	close(fd);
	/* a directory with no spec (a task being made): not read, not counted */
	rtfx_mkdir(root, RTFX_CONTAINERD "/empty1");
	/* a spec that is a directory */
	rtfx_mkdir(root, RTFX_CONTAINERD "/dir1/config.json");
	/* an id too long for a container id */
	rtfx_mkdir(root, RTFX_CONTAINERD "/" RTFX_SB_A "0123456789abcdef0123456789abcdef");

	rt = scan();
	assert_int_equal(vft_runtime__count(rt), 1);
	assert_int_equal(vft_runtime__pod_by_netns(rt, 0, RTFX_NETNS_A, &sb), 0);
	assert_string_equal(sb.pod_name, "trainer-0");
	vft_runtime__stats(rt, &s);
	assert_int_equal(s.sandboxes, 1);
	assert_int_equal(s.bad_json, 5);
	assert_int_equal(s.incomplete, 1);
	assert_int_equal(s.bad_value, 4); /* long, control, relative, the long id */
	assert_int_equal(s.host_netns, 1);
	assert_int_equal(s.too_big, 1);
	assert_int_equal(s.unreadable, 1); /* the directory */
	assert_int_equal(s.containers, 0);
	assert_int_equal(s.over_limit, 0);
	vft_runtime__free(rt);
}

/* A rescan sees a sandbox that came and one that went. */
static void rescan(void **state)
{
	struct vft_runtime *rt;
	struct vft_sandbox sb;
	uint32_t a;

	a = rtfx_netns(root, RTFX_NETNS_A);
	rt = scan();
	assert_int_equal(vft_runtime__pod_by_netns(rt, a, NULL, &sb), -ENOENT);
	rtfx_containerd(root, RTFX_SB_A, "sandbox", "trainer-0", "ml", RTFX_UID_A,
			"/var/run/netns/" RTFX_NETNS_A);
	assert_int_equal(vft_runtime__rescan(rt), 0);
	assert_int_equal(vft_runtime__pod_by_netns(rt, a, NULL, &sb), 0);
	assert_string_equal(sb.pod_name, "trainer-0");
	rtfx_rm(root, RTFX_CONTAINERD "/" RTFX_SB_A "/config.json");
	assert_int_equal(vft_runtime__rescan(rt), 0);
	assert_int_equal(vft_runtime__count(rt), 0);
	vft_runtime__free(rt);
}

/* A process @pid in the netns of inode @ino, in cgroup @cgroup. */
static void add_proc(uint32_t pid, uint32_t ino, const char *cgroup)
{
	char rel[128], path[PATH_MAX], link[64], text[512];

	snprintf(rel, sizeof(rel), "/proc/%u/cgroup", pid);
	snprintf(text, sizeof(text), "0::%s\n", cgroup);
	rtfx_write(root, rel, text);
	snprintf(rel, sizeof(rel), "/proc/%u/ns", pid);
	rtfx_mkdir(root, rel);
	snprintf(path, sizeof(path), "%s%s/net", root, rel);
	snprintf(link, sizeof(link), "net:[%u]", ino);
	assert_int_equal(symlink(link, path), 0);
}

/*
 * The netns map names a pod by the best source: the CNI call, the runtime's
 * sandbox, the cgroup; and falls back when the better one is forgotten.
 */
static void netns_map_precedence(void **state)
{
	struct vft_netns_map *m = NULL;
	struct vft_netns_info info;
	struct vft_event ev;
	char name[300];
	uint32_t a, b;

	a = rtfx_netns(root, RTFX_NETNS_A);
	b = rtfx_netns(root, RTFX_NETNS_B);
	/* the guaranteed pod's cgroup says POD_GU; the runtime says ml/trainer-0 */
	add_proc(7000, a, GU_POD "/cri-containerd-" CTR_GU ".scope");
	rtfx_containerd(root, RTFX_SB_A, "sandbox", "trainer-0", "ml", RTFX_UID_A,
			"/var/run/netns/" RTFX_NETNS_A);
	/* an old containerd: no UID in the sandbox, the cgroup's stays */
	add_proc(7100, b, BE_POD "/cri-containerd-" CTR_BE ".scope");
	rtfx_containerd(root, RTFX_SB_B, "sandbox", "trainer-1", "ml", NULL,
			"/var/run/netns/" RTFX_NETNS_B);
	assert_int_equal(vft_netns_map__new(root, &m), 0);

	assert_int_equal(vft_netns_map__lookup(m, a, &info), 0);
	assert_string_equal(info.name, RTFX_NETNS_A);
	assert_string_equal(info.pod_ns, "ml");
	assert_string_equal(info.pod_name, "trainer-0");
	assert_string_equal(info.pod_uid, RTFX_UID_A);
	assert_int_equal(info.pod_source, VFT_POD_SRC_RUNTIME);
	assert_string_equal(vft_pod_source__name(info.pod_source), "runtime");
	assert_int_equal(info.pid, 7000);
	/* the netns_info the pipeline announces the netns with carries it */
	vft_enrich__netns_info(m, a, false, 1, &ev);
	assert_int_equal(ev.kind, VFT_EV_NETNS_INFO);
	assert_int_equal(ev.netns, a);
	assert_string_equal(ev.netns_name, RTFX_NETNS_A);
	assert_string_equal(ev.pod_ns, "ml");
	assert_string_equal(ev.pod_name, "trainer-0");
	assert_string_equal(ev.pod_uid, RTFX_UID_A);
	assert_int_equal(ev.pod_source, VFT_POD_SRC_RUNTIME);

	assert_int_equal(vft_netns_map__lookup(m, b, &info), 0);
	assert_string_equal(info.pod_name, "trainer-1");
	assert_string_equal(info.pod_uid, POD_BE);
	assert_int_equal(info.pod_source, VFT_POD_SRC_RUNTIME);

	/* the cgroup alone: a UID, no name */
	assert_int_equal(vft_netns_map__lookup(m, 4026532303U, &info), 0);
	assert_string_equal(info.pod_uid, POD_GU);
	assert_string_equal(info.pod_name, "");
	assert_int_equal(info.pod_source, VFT_POD_SRC_CGROUP);
	/* no pod at all */
	assert_int_equal(vft_netns_map__lookup(m, 4026531840U, &info), 0);
	assert_int_equal(info.pod_source, VFT_POD_SRC_NONE);
	assert_null(vft_pod_source__name(info.pod_source));

	/* the CNI call's word comes first; a CNI_ARGS without UID keeps the cgroup's */
	assert_int_equal(vft_netns_map__set_pod_cni(m, a, "ml", "trainer-0b", NULL), 0);
	assert_int_equal(vft_netns_map__lookup(m, a, &info), 0);
	assert_string_equal(info.pod_name, "trainer-0b");
	assert_string_equal(info.pod_uid, POD_GU);
	assert_int_equal(info.pod_source, VFT_POD_SRC_CNI);
	assert_string_equal(vft_pod_source__name(info.pod_source), "cni");
	assert_int_equal(vft_netns_map__set_pod_cni(m, a, "ml", "trainer-0c", RTFX_UID_B), 0);
	assert_int_equal(vft_netns_map__lookup(m, a, &info), 0);
	assert_string_equal(info.pod_name, "trainer-0c");
	assert_string_equal(info.pod_uid, RTFX_UID_B);

	/* refused: no netns, no name, a name too long */
	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	assert_int_equal(vft_netns_map__set_pod_cni(m, 0, "ml", "x", NULL), -EINVAL);
	assert_int_equal(vft_netns_map__set_pod_cni(m, b, "ml", "", NULL), -EINVAL);
	assert_int_equal(vft_netns_map__set_pod_cni(m, b, "ml", name, NULL), -EINVAL);
	assert_int_equal(vft_netns_map__lookup(m, b, &info), 0);
	assert_int_equal(info.pod_source, VFT_POD_SRC_RUNTIME);

	/* forgotten (the netns was destroyed): the CNI's word goes with it */
	vft_netns_map__forget(m, a);
	assert_int_equal(vft_netns_map__lookup(m, a, &info), 0);
	assert_string_equal(info.pod_name, "trainer-0");
	assert_int_equal(info.pod_source, VFT_POD_SRC_RUNTIME);

	/* the sandbox went away: a rescan leaves the cgroup's UID */
	rtfx_rm(root, RTFX_CONTAINERD "/" RTFX_SB_A "/config.json");
	assert_int_equal(vft_netns_map__rescan(m), 0);
	assert_int_equal(vft_netns_map__lookup(m, a, &info), 0);
	assert_string_equal(info.pod_name, "");
	assert_string_equal(info.pod_uid, POD_GU);
	assert_int_equal(info.pod_source, VFT_POD_SRC_CGROUP);
	vft_netns_map__free(m);
}

/* The label a pod is shown by. */
static void pod_label(void **state)
{
	char buf[VFT_POD_NS_LEN + VFT_POD_NAME_LEN + 1];

	assert_string_equal(vft_pod_label(buf, sizeof(buf), "ml", "trainer-0", RTFX_UID_A),
			    "ml/trainer-0");
	assert_string_equal(vft_pod_label(buf, sizeof(buf), "", "trainer-0", NULL), "trainer-0");
	assert_string_equal(vft_pod_label(buf, sizeof(buf), "ml", "", RTFX_UID_A), RTFX_UID_A);
	assert_string_equal(vft_pod_label(buf, sizeof(buf), NULL, NULL, NULL), "");
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(no_runtime),		 T(containerd_sandbox),
		T(crio_sandbox),	 T(two_sandboxes),
		T(bad_entries),		 T(rescan),
		T(netns_map_precedence), cmocka_unit_test(pod_label),
	};

	return cmocka_run_group_tests_name("runtime", tests, NULL, NULL);
}
