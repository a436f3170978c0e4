// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_cgroup.c - cgroup id -> path on the fixture tree and on this machine's
 * own cgroup2 mount, the rate-limited rescan, and unit and pod parsing for
 * the kubelet's systemd and cgroupfs drivers with containerd and CRI-O.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "enrich/cgroup.h"
#include "fixture.h"

static const char *const fixture_cgroups[] = {
	"/",
	"/init.scope",
	"/system.slice",
	"/system.slice/systemd-networkd.service",
	"/system.slice/systemd-udevd.service",
	"/system.slice/kubelet.service",
	"/system.slice/containerd.service",
	"/user.slice",
	"/user.slice/user-0.slice",
	"/user.slice/user-0.slice/user@0.service",
	"/kubepods.slice",
	"/kubepods.slice/kubepods-besteffort.slice",
	BE_POD,
	BE_POD "/cri-containerd-" CTR_BE ".scope",
	"/kubepods.slice/kubepods-burstable.slice",
	BU_POD,
	BU_POD "/cri-containerd-" CTR_BU ".scope",
	GU_POD,
	GU_POD "/cri-containerd-" CTR_GU ".scope",
};

static char base[256], root[300];

static int setup(void **state)
{
	return fixture_make("dgx-b200-healthy", base, sizeof(base), root, sizeof(root));
}

static int teardown(void **state)
{
	return fixture_remove(base);
}

static uint64_t ino_of(const char *dir, const char *rel)
{
	char path[1024];
	struct stat st;

	snprintf(path, sizeof(path), "%s%s", dir, rel);
	assert_int_equal(stat(path, &st), 0);
	return st.st_ino;
}

static void resolves_fixture_ids(void **state)
{
	struct vft_cgroup_cache *c = NULL;
	char cg[PATH_MAX], buf[512];
	size_t i;

	assert_int_equal(vft_cgroup_cache__new(root, &c), 0);
	snprintf(cg, sizeof(cg), "%s/sys/fs/cgroup", root);
	assert_string_equal(vft_cgroup_cache__mount(c), cg);
	for (i = 0; i < sizeof(fixture_cgroups) / sizeof(fixture_cgroups[0]); i++) {
		assert_int_equal(
			vft_cgroup_cache__path(c, ino_of(cg, fixture_cgroups[i]), buf, sizeof(buf)),
			0);
		assert_string_equal(buf, fixture_cgroups[i]);
	}
	/* a file's inode is not a cgroup */
	assert_int_equal(vft_cgroup_cache__path(c, ino_of(cg, "/cgroup.procs"), buf, sizeof(buf)),
			 -ENOENT);
	assert_string_equal(buf, "");
	assert_int_equal(vft_cgroup_cache__path(c, 0, buf, sizeof(buf)), -ENOENT);
	/* too small a buffer: "/system.slice/systemd-networkd.service" is 38 characters */
	assert_int_equal(vft_cgroup_cache__path(c, ino_of(cg, fixture_cgroups[3]), buf, 38),
			 -ENAMETOOLONG);
	assert_int_equal(vft_cgroup_cache__path(c, ino_of(cg, fixture_cgroups[3]), buf, 39), 0);
	vft_cgroup_cache__free(c);
	vft_cgroup_cache__free(NULL);
}

static void rescans_at_most_once_a_second(void **state)
{
	struct vft_cgroup_cache *c = NULL;
	struct timespec pause = { 1, 100 * 1000 * 1000 };
	char cg[PATH_MAX], dir[PATH_MAX + 64], buf[512];
	uint64_t id;

	assert_int_equal(vft_cgroup_cache__new(root, &c), 0);
	snprintf(cg, sizeof(cg), "%s/sys/fs/cgroup", root);
	snprintf(dir, sizeof(dir), "%s/system.slice/NetworkManager.service", cg);
	assert_int_equal(mkdir(dir, 0755), 0);
	id = ino_of(cg, "/system.slice/NetworkManager.service");
	/* the walk in __new() was just now: no rescan yet */
	assert_int_equal(vft_cgroup_cache__path(c, id, buf, sizeof(buf)), -ENOENT);
	nanosleep(&pause, NULL);
	assert_int_equal(vft_cgroup_cache__path(c, id, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/system.slice/NetworkManager.service");
	/* that miss rescanned: an unknown id right after is not rescanned for */
	assert_int_equal(vft_cgroup_cache__path(c, 12345678, buf, sizeof(buf)), -ENOENT);
	/* the old entries are still there */
	assert_int_equal(vft_cgroup_cache__path(c, ino_of(cg, "/"), buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/");
	assert_int_equal(rmdir(dir), 0);
	vft_cgroup_cache__free(c);
}

static void needs_a_cgroup2_tree(void **state)
{
	struct vft_cgroup_cache *c = (void *)1;
	char empty[PATH_MAX];

	snprintf(empty, sizeof(empty), "%s/empty", base);
	assert_int_equal(mkdir(empty, 0755), 0);
	assert_int_equal(vft_cgroup_cache__new(empty, &c), -ENOENT);
	assert_null(c);
}

/* The test's own cgroup, from /proc/self/cgroup ("0::/path"). */
static int own_cgroup(char *buf, size_t size)
{
	char line[4096];
	FILE *f = fopen("/proc/self/cgroup", "re");
	int err = -ENOENT;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "0::", 3))
			continue;
		line[strcspn(line, "\n")] = '\0';
		snprintf(buf, size, "%s", line + 3);
		err = 0;
		break;
	}
	fclose(f);
	return err;
}

static void resolves_live_ids(void **state)
{
	struct vft_cgroup_cache *c = NULL;
	char own[4096], buf[4096];
	int err;

	err = vft_cgroup_cache__new(NULL, &c);
	if (err == -ENOENT || own_cgroup(own, sizeof(own))) {
		print_message("no cgroup2 here: skipped\n");
		skip();
	}
	assert_int_equal(err, 0);
	print_message("live: cgroup2 at %s, own cgroup %s\n", vft_cgroup_cache__mount(c), own);
	assert_int_equal(vft_cgroup_cache__path(c, ino_of(vft_cgroup_cache__mount(c), own), buf,
						sizeof(buf)),
			 0);
	assert_string_equal(buf, own);
	/* the root cgroup has id 1 on cgroup2 */
	assert_int_equal(ino_of(vft_cgroup_cache__mount(c), "/"), 1);
	assert_int_equal(vft_cgroup_cache__path(c, 1, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/");
	vft_cgroup_cache__free(c);
}

/* With the right to, a cgroup of our own below the root: a real kernfs id other than 1. */
static void resolves_a_live_child(void **state)
{
	struct vft_cgroup_cache *c = NULL;
	char dir[PATH_MAX + 64], rel[64], buf[256];
	uint64_t id;
	int err;

	err = vft_cgroup_cache__new(NULL, &c);
	if (err == -ENOENT)
		skip();
	assert_int_equal(err, 0);
	snprintf(rel, sizeof(rel), "/vft-unit-%d", (int)getpid());
	snprintf(dir, sizeof(dir), "%s%s", vft_cgroup_cache__mount(c), rel);
	vft_cgroup_cache__free(c);
	if (mkdir(dir, 0755)) {
		print_message("cannot create %s (%s): skipped\n", dir, strerror(errno));
		skip();
	}
	id = ino_of(dir, "");
	err = vft_cgroup_cache__new(NULL, &c);
	if (!err)
		err = vft_cgroup_cache__path(c, id, buf, sizeof(buf));
	vft_cgroup_cache__free(c);
	rmdir(dir);
	assert_int_equal(err, 0);
	assert_string_equal(buf, rel);
	assert_true(id > 1);
}

static void finds_units(void **state)
{
	static const struct {
		const char *path, *unit;
	} ok[] = {
		{ "/system.slice/systemd-networkd.service", "systemd-networkd.service" },
		{ "/system.slice/NetworkManager.service", "NetworkManager.service" },
		{ "/user.slice/user-0.slice/user@0.service", "user@0.service" },
		{ "/init.scope", "init.scope" },
		{ "/system.slice/docker-" CTR_BE ".scope", "docker-" CTR_BE ".scope" },
		/* a delegated subtree: the service, not its inner cgroup */
		{ "/system.slice/containerd.service/payload", "containerd.service" },
		{ "/system.slice/systemd-udevd.service/udev", "systemd-udevd.service" },
		{ BE_POD "/cri-containerd-" CTR_BE ".scope", "cri-containerd-" CTR_BE ".scope" },
		{ BE_POD, "kubepods-besteffort-pod" POD_BE_ ".slice" },
		{ "/system.slice", "system.slice" },
		{ "//system.slice//kubelet.service/", "kubelet.service" },
	};
	static const char *const none[] = { "/", "/kubepods/besteffort/pod" POD_BE "/" CTR_BE,
					    "/.service", "/docker/" CTR_BE };
	char buf[128];
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		assert_int_equal(vft_cgroup__unit(ok[i].path, buf, sizeof(buf)), 0);
		assert_string_equal(buf, ok[i].unit);
	}
	for (i = 0; i < sizeof(none) / sizeof(none[0]); i++) {
		assert_int_equal(vft_cgroup__unit(none[i], buf, sizeof(buf)), -ENOENT);
		assert_string_equal(buf, "");
	}
	assert_int_equal(vft_cgroup__unit("system.slice/x.service", buf, sizeof(buf)), -EINVAL);
	assert_int_equal(vft_cgroup__unit("", buf, sizeof(buf)), -EINVAL);
	assert_int_equal(vft_cgroup__unit(NULL, buf, sizeof(buf)), -EINVAL);
	assert_int_equal(vft_cgroup__unit("/init.scope", buf, 10), -ENAMETOOLONG);
	assert_int_equal(vft_cgroup__unit("/init.scope", buf, 11), 0);
}

static void finds_pods(void **state)
{
	static const struct {
		const char *path, *uid, *ctr;
	} ok[] = {
		/* systemd driver, containerd: besteffort, burstable, guaranteed */
		{ BE_POD "/cri-containerd-" CTR_BE ".scope", POD_BE, CTR_BE },
		{ BU_POD "/cri-containerd-" CTR_BU ".scope", POD_BU, CTR_BU },
		{ GU_POD "/cri-containerd-" CTR_GU ".scope", POD_GU, CTR_GU },
		/* the pod's own cgroup, and a child that names no container */
		{ BE_POD, POD_BE, "" },
		{ BE_POD "/something", POD_BE, "" },
		/* systemd driver, CRI-O: the container and its conmon */
		{ BU_POD "/crio-" CTR_BU ".scope", POD_BU, CTR_BU },
		{ BU_POD "/crio-conmon-" CTR_BU ".scope", POD_BU, CTR_BU },
		/* CRI-O nests the workload one level down */
		{ BU_POD "/crio-" CTR_BU ".scope/container", POD_BU, CTR_BU },
		/* cri-dockerd */
		{ BE_POD "/docker-" CTR_BE ".scope", POD_BE, CTR_BE },
		/* cgroupfs driver: containerd and CRI-O */
		{ "/kubepods/besteffort/pod" POD_BE "/" CTR_BE, POD_BE, CTR_BE },
		{ "/kubepods/burstable/pod" POD_BU "/crio-" CTR_BU, POD_BU, CTR_BU },
		{ "/kubepods/pod" POD_GU "/" CTR_GU, POD_GU, CTR_GU },
		{ "/kubepods/besteffort/pod" POD_BE, POD_BE, "" },
		/* kind and other nested kubelets */
		{ "/kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-besteffort.slice/"
		  "kubelet-kubepods-besteffort-pod" POD_BE_ ".slice/cri-containerd-" CTR_BE
		  ".scope",
		  POD_BE, CTR_BE },
		{ "/kubelet/kubepods/besteffort/pod" POD_BE "/" CTR_BE, POD_BE, CTR_BE },
		/* a static pod: its UID is a 32-digit hash */
		{ "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-"
		  "pod3d5e0c2a9b8f47e6a1c2d3e4f5a6b7c8.slice/cri-containerd-" CTR_BU ".scope",
		  "3d5e0c2a9b8f47e6a1c2d3e4f5a6b7c8", CTR_BU },
	};
	static const char *const none[] = {
		"/",
		"/system.slice/kubelet.service",
		"/system.slice/containerd.service",
		"/kubepods.slice",
		"/kubepods.slice/kubepods-besteffort.slice",
		"/kubepods/besteffort",
		"/machine.slice/libpod-pod" POD_BE ".slice", /* podman, not the kubelet */
		"/system.slice/pod" POD_BE,
		"/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-podxyz.slice",
		"/kubepods/besteffort/pod",
	};
	char uid[64], ctr[80];
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		if (vft_cgroup__pod(ok[i].path, uid, sizeof(uid), ctr, sizeof(ctr)))
			fail_msg("no pod in %s", ok[i].path);
		assert_string_equal(uid, ok[i].uid);
		assert_string_equal(ctr, ok[i].ctr);
	}
	for (i = 0; i < sizeof(none) / sizeof(none[0]); i++) {
		strcpy(uid, "x");
		strcpy(ctr, "x");
		if (vft_cgroup__pod(none[i], uid, sizeof(uid), ctr, sizeof(ctr)) != -ENOENT)
			fail_msg("a pod in %s", none[i]);
		assert_string_equal(uid, "");
		assert_string_equal(ctr, "");
	}
	/* the container is optional */
	assert_int_equal(vft_cgroup__pod(BE_POD "/cri-containerd-" CTR_BE ".scope", uid,
					 sizeof(uid), NULL, 0),
			 0);
	assert_string_equal(uid, POD_BE);
	assert_int_equal(vft_cgroup__pod(BE_POD, uid, 36, NULL, 0), -ENAMETOOLONG);
	assert_int_equal(vft_cgroup__pod(BE_POD, uid, 37, NULL, 0), 0);
	assert_int_equal(vft_cgroup__pod(BE_POD "/cri-containerd-" CTR_BE ".scope", uid,
					 sizeof(uid), ctr, 64),
			 -ENAMETOOLONG);
	assert_int_equal(vft_cgroup__pod("kubepods/pod" POD_BE, uid, sizeof(uid), NULL, 0),
			 -EINVAL);
}

/* From an id, through the cache, to who it is: the path the correlator will take. */
static void fixture_ids_to_pods(void **state)
{
	struct vft_cgroup_cache *c = NULL;
	char cg[PATH_MAX], buf[512], uid[64], ctr[80];

	assert_int_equal(vft_cgroup_cache__new(root, &c), 0);
	snprintf(cg, sizeof(cg), "%s/sys/fs/cgroup", root);
	assert_int_equal(
		vft_cgroup_cache__path(c, ino_of(cg, fixture_cgroups[18]), buf, sizeof(buf)), 0);
	assert_int_equal(vft_cgroup__pod(buf, uid, sizeof(uid), ctr, sizeof(ctr)), 0);
	assert_string_equal(uid, POD_GU);
	assert_string_equal(ctr, CTR_GU);
	assert_int_equal(vft_cgroup__unit(buf, uid, sizeof(uid)), -ENAMETOOLONG);
	assert_int_equal(
		vft_cgroup_cache__path(c, ino_of(cg, fixture_cgroups[3]), buf, sizeof(buf)), 0);
	assert_int_equal(vft_cgroup__unit(buf, uid, sizeof(uid)), 0);
	assert_string_equal(uid, "systemd-networkd.service");
	assert_int_equal(vft_cgroup__pod(buf, uid, sizeof(uid), ctr, sizeof(ctr)), -ENOENT);
	vft_cgroup_cache__free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(resolves_fixture_ids),
		cmocka_unit_test(rescans_at_most_once_a_second),
		cmocka_unit_test(needs_a_cgroup2_tree),
		cmocka_unit_test(resolves_live_ids),
		cmocka_unit_test(resolves_a_live_child),
		cmocka_unit_test(finds_units),
		cmocka_unit_test(finds_pods),
		cmocka_unit_test(fixture_ids_to_pods),
	};

	return cmocka_run_group_tests_name("cgroup", tests, setup, teardown);
}
