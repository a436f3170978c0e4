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

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(no_runtime),	  T(containerd_sandbox), T(crio_sandbox),
		T(two_sandboxes), T(bad_entries),	 T(rescan),
	};

	return cmocka_run_group_tests_name("runtime", tests, NULL, NULL);
}
