// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_topo.c - PCIe distances, the GPU list and the kubelet's device
 * checkpoint on generated DGX B200 trees (tests/fixtures/mkfixture.sh) and
 * on small synthetic trees: every nvidia-smi distance class, the fallback
 * without the NVIDIA driver, stale and malformed checkpoints.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "fixture.h"
#include "enrich/kubelet.h"
#include "enrich/topo.h"

/* As in tests/fixtures/mkfixture.sh. */
#define POD_GONE "c3d2e1f0-a9b8-4c7d-8e6f-5a4b3c2d1e0f"
#define UUID(g) "GPU-3b1f0c2e-0000-4000-8000-00000000000" #g
#define GPU_RES "nvidia.com/gpu"
#define VF_RES "nvidia.com/sriov_ib_vf"
#define CHECKPOINT "/var/lib/kubelet/device-plugins/kubelet_internal_checkpoint"

static const char *const pf_bus[8] = { "18", "40", "4f", "5e", "9a", "c0", "ce", "dc" };
static const char *const gpu_bus[8] = { "1b", "43", "52", "61", "9d", "c3", "d1", "df" };

/* One tree per variant; "edit" and "nodriver" start healthy and are changed by their tests. */
enum { T_HEALTHY, T_FAR_GPU, T_HOST_MGR, T_EDIT, T_NODRIVER, T_MAX };
static const char *const tree_variant[T_MAX] = { "dgx-b200-healthy", "far-gpu", "host-mgr-config",
						 "dgx-b200-healthy", "dgx-b200-healthy" };
static char bases[T_MAX][256], roots[T_MAX][512];
static char synth[256];

static int setup(void **state)
{
	const char *tmpdir = access("/dev/shm", W_OK) ? (getenv("TMPDIR") ?: "/tmp") : "/dev/shm";
	int t;

	for (t = 0; t < T_MAX; t++) {
		if (fixture_make(tree_variant[t], bases[t], sizeof(bases[t]), roots[t],
				 sizeof(roots[t]))) {
			while (t--)
				fixture_remove(bases[t]);
			return -1;
		}
	}
	snprintf(synth, sizeof(synth), "%s/vft-topo-XXXXXX", tmpdir);
	if (!mkdtemp(synth)) {
		for (t = 0; t < T_MAX; t++)
			fixture_remove(bases[t]);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	int t, err = 0;

	for (t = 0; t < T_MAX; t++)
		err |= fixture_remove(bases[t]);
	return err | fixture_remove(synth);
}

/* ---- helpers ---- */

static void put_at(const char *root, const char *rel, const char *data)
{
	char path[PATH_MAX];
	size_t len = strlen(data);
	int fd;

	snprintf(path, sizeof(path), "%s%s", root, rel);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		fail_msg("open %s: %s", path, strerror(errno));
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
}

static void rm_at(const char *root, const char *rel)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s%s", root, rel);
	if (unlink(path))
		fail_msg("unlink %s: %s", path, strerror(errno));
}

/* mkdir -p <root><rel> */
static void mkdir_at(const char *root, const char *rel)
{
	char path[PATH_MAX], *p;

	snprintf(path, sizeof(path), "%s%s", root, rel);
	for (p = path + strlen(root) + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		if (mkdir(path, 0755) && errno != EEXIST)
			fail_msg("mkdir %s: %s", path, strerror(errno));
		*p = '/';
	}
	if (mkdir(path, 0755) && errno != EEXIST)
		fail_msg("mkdir %s: %s", path, strerror(errno));
}

static void symlink_at(const char *target, const char *root, const char *rel)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s%s", root, rel);
	if (symlink(target, path))
		fail_msg("symlink %s: %s", path, strerror(errno));
}

/* The whole file <root><rel> into @buf, or "" when missing. */
static void slurp(const char *root, const char *rel, char *buf, size_t size)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd;

	buf[0] = '\0';
	snprintf(path, sizeof(path), "%s%s", root, rel);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return;
	n = read(fd, buf, size - 1);
	close(fd);
	assert_true(n >= 0);
	buf[n] = '\0';
}

static enum vft_pcie_dist dist(int t, const char *a, const char *b)
{
	enum vft_pcie_dist d = 99, e = 99;

	assert_int_equal(vft_topo__distance(roots[t], a, b, &d), 0);
	/* the distance is symmetric */
	assert_int_equal(vft_topo__distance(roots[t], b, a, &e), 0);
	assert_int_equal(d, e);
	return d;
}

#define assert_dist(t, a, b, want)                                                        \
	do {                                                                              \
		enum vft_pcie_dist got_ = dist(t, a, b);                                  \
		if (got_ != (want))                                                       \
			fail_msg("%s - %s: %s, want %s", a, b, vft_pcie_dist__name(got_), \
				 vft_pcie_dist__name(want));                              \
	} while (0)

/* ---- distances ---- */

static void dist_names(void **state)
{
	assert_string_equal(vft_pcie_dist__name(VFT_DIST_PIX), "PIX");
	assert_string_equal(vft_pcie_dist__name(VFT_DIST_PXB), "PXB");
	assert_string_equal(vft_pcie_dist__name(VFT_DIST_PHB), "PHB");
	assert_string_equal(vft_pcie_dist__name(VFT_DIST_NODE), "NODE");
	assert_string_equal(vft_pcie_dist__name(VFT_DIST_SYS), "SYS");
	assert_string_equal(vft_pcie_dist__name(VFT_DIST_UNKNOWN), "?");
	assert_string_equal(vft_pcie_dist__name((enum vft_pcie_dist)42), "?");
	/* nearest first, so callers can compare */
	assert_true(VFT_DIST_PIX < VFT_DIST_PXB && VFT_DIST_PXB < VFT_DIST_PHB &&
		    VFT_DIST_PHB < VFT_DIST_NODE && VFT_DIST_NODE < VFT_DIST_SYS);
}

static void healthy_distances(void **state)
{
	char a[32], b[32];
	int i, j, v;

	/* the brief's cases */
	assert_dist(T_HEALTHY, "0000:18:00.1", "0000:1b:00.0", VFT_DIST_PXB);
	assert_dist(T_HEALTHY, "0000:18:00.0", "0000:43:00.0", VFT_DIST_NODE);
	assert_dist(T_HEALTHY, "0000:18:00.0", "0000:9d:00.0", VFT_DIST_SYS);
	assert_dist(T_HEALTHY, "0000:18:00.0", "0000:18:00.0", VFT_DIST_PIX);
	/* a PF and its VF: one downstream port between them */
	assert_dist(T_HEALTHY, "0000:18:00.0", "0000:18:00.4", VFT_DIST_PIX);
	/* a device and the bridges above it: its downstream port, then the root port */
	assert_dist(T_HEALTHY, "0000:18:00.0", "0000:17:00.0", VFT_DIST_PIX);
	assert_dist(T_HEALTHY, "0000:18:00.0", "0000:16:00.0", VFT_DIST_PIX);
	assert_dist(T_HEALTHY, "0000:18:00.0", "0000:15:01.0", VFT_DIST_PXB);
	/* and the downstream port beside its own (the GPU's) */
	assert_dist(T_HEALTHY, "0000:18:00.0", "0000:17:01.0", VFT_DIST_PXB);
	/* the two ports of a BlueField-3, below one root port; and to a compute PF of NUMA 0 */
	assert_dist(T_HEALTHY, "0000:29:00.0", "0000:29:00.1", VFT_DIST_PIX);
	assert_dist(T_HEALTHY, "0000:29:00.0", "0000:18:00.0", VFT_DIST_NODE);
	assert_dist(T_HEALTHY, "0000:aa:00.1", "0000:18:00.0", VFT_DIST_SYS);

	/* every HCA function against every GPU: nvidia-smi's picture of a B200 */
	for (i = 0; i < 8; i++) {
		for (v = 0; v < 5; v++) {
			snprintf(a, sizeof(a), "0000:%s:00.%d", pf_bus[i], v);
			for (j = 0; j < 8; j++) {
				snprintf(b, sizeof(b), "0000:%s:00.0", gpu_bus[j]);
				assert_dist(T_HEALTHY, a, b,
					    i == j	       ? VFT_DIST_PXB :
					    (i < 4) == (j < 4) ? VFT_DIST_NODE :
								 VFT_DIST_SYS);
			}
		}
	}
	/* GPU to GPU over PCIe */
	assert_dist(T_HEALTHY, "0000:1b:00.0", "0000:61:00.0", VFT_DIST_NODE);
	assert_dist(T_HEALTHY, "0000:1b:00.0", "0000:df:00.0", VFT_DIST_SYS);
}

static void distance_errors(void **state)
{
	enum vft_pcie_dist d;

	d = VFT_DIST_SYS;
	assert_int_equal(vft_topo__distance(roots[T_HEALTHY], "0000:18:00.9", "0000:1b:00.0", &d),
			 -ENOENT);
	assert_int_equal(d, VFT_DIST_UNKNOWN);
	d = VFT_DIST_SYS;
	assert_int_equal(vft_topo__distance(roots[T_HEALTHY], "0000:1b:00.0", "0000:77:00.0", &d),
			 -ENOENT);
	assert_int_equal(d, VFT_DIST_UNKNOWN);
	assert_int_equal(vft_topo__distance(roots[T_HEALTHY], "../devices", "0000:1b:00.0", &d),
			 -EINVAL);
	assert_int_equal(vft_topo__distance(roots[T_HEALTHY], "0000:1b:00.0", "", &d), -EINVAL);
	assert_int_equal(vft_topo__distance(roots[T_HEALTHY], "..", "0000:1b:00.0", &d), -EINVAL);
	assert_int_equal(vft_topo__distance(synth, "0000:18:00.0", "0000:18:00.0", &d), -ENOENT);
}

/*
 * A small tree of its own:
 *   pci0000:00 (NUMA from the test)
 *     00:01.0 root port -> 01:00.0, 01:00.1 (one card, two functions)
 *     00:02.0 root port -> 02:00.0
 *     00:03.0 root port -> 03:00.0 switch up -> 04:00.0 -> 05:00.0, 04:01.0 -> 06:00.0
 *     00:1f.0 (on the host bridge itself)
 *   pci0000:80 -> 80:01.0 -> 81:00.0
 *   platform/odd: a "PCI device" that is not below a host bridge
 */
static void synthetic_tree(void **state)
{
	static const char *const devs[] = {
		"pci0000:00/0000:00:01.0",
		"pci0000:00/0000:00:01.0/0000:01:00.0",
		"pci0000:00/0000:00:01.0/0000:01:00.1",
		"pci0000:00/0000:00:02.0",
		"pci0000:00/0000:00:02.0/0000:02:00.0",
		"pci0000:00/0000:00:03.0",
		"pci0000:00/0000:00:03.0/0000:03:00.0",
		"pci0000:00/0000:00:03.0/0000:03:00.0/0000:04:00.0",
		"pci0000:00/0000:00:03.0/0000:03:00.0/0000:04:00.0/0000:05:00.0",
		"pci0000:00/0000:00:03.0/0000:03:00.0/0000:04:01.0",
		"pci0000:00/0000:00:03.0/0000:03:00.0/0000:04:01.0/0000:06:00.0",
		"pci0000:00/0000:00:1f.0",
		"pci0000:80/0000:80:01.0",
		"pci0000:80/0000:80:01.0/0000:81:00.0",
		"platform/0000:99:00.0",
	};
	char rel[PATH_MAX], target[PATH_MAX];
	enum vft_pcie_dist d;
	const char *bdf;
	size_t k;

	mkdir_at(synth, "/sys/bus/pci/devices");
	for (k = 0; k < sizeof(devs) / sizeof(devs[0]); k++) {
		snprintf(rel, sizeof(rel), "/sys/devices/%s", devs[k]);
		mkdir_at(synth, rel);
		bdf = strrchr(devs[k], '/') + 1;
		snprintf(rel, sizeof(rel), "/sys/devices/%s/numa_node", devs[k]);
		put_at(synth, rel, strstr(devs[k], "pci0000:80") ? "1\n" : "0\n");
		snprintf(target, sizeof(target), "../../../devices/%s", devs[k]);
		snprintf(rel, sizeof(rel), "/sys/bus/pci/devices/%s", bdf);
		symlink_at(target, synth, rel);
	}

#define SYN(a, b, want)                                                                    \
	do {                                                                               \
		enum vft_pcie_dist x_ = 99, y_ = 99;                                       \
		assert_int_equal(vft_topo__distance(synth, a, b, &x_), 0);                 \
		assert_int_equal(vft_topo__distance(synth, b, a, &y_), 0);                 \
		if (x_ != (want) || y_ != (want))                                          \
			fail_msg("%s - %s: %s/%s, want %s", a, b, vft_pcie_dist__name(x_), \
				 vft_pcie_dist__name(y_), vft_pcie_dist__name(want));      \
	} while (0)

	SYN("0000:01:00.0", "0000:01:00.1", VFT_DIST_PIX); /* one bridge: the root port */
	SYN("0000:01:00.0", "0000:00:01.0", VFT_DIST_PIX); /* a device and its bridge */
	SYN("0000:05:00.0", "0000:06:00.0", VFT_DIST_PXB); /* two downstream ports, one upstream */
	SYN("0000:05:00.0", "0000:03:00.0", VFT_DIST_PIX); /* only 04:00.0 between */
	SYN("0000:05:00.0", "0000:00:03.0", VFT_DIST_PXB); /* 04:00.0 and 03:00.0 between */
	SYN("0000:05:00.0", "0000:04:01.0", VFT_DIST_PXB); /* 04:00.0 and 03:00.0 between */
	SYN("0000:04:00.0", "0000:04:01.0", VFT_DIST_PIX); /* two ports of one switch */
	SYN("0000:01:00.0", "0000:02:00.0", VFT_DIST_PHB); /* different root ports */
	SYN("0000:01:00.0", "0000:06:00.0", VFT_DIST_PHB);
	SYN("0000:00:1f.0", "0000:01:00.0", VFT_DIST_PHB); /* integrated on the host bridge */
	SYN("0000:00:1f.0", "0000:00:01.0", VFT_DIST_PHB);
	SYN("0000:01:00.0", "0000:81:00.0", VFT_DIST_SYS); /* NUMA 0 and 1 */

	put_at(synth, "/sys/devices/pci0000:80/0000:80:01.0/0000:81:00.0/numa_node", "0\n");
	SYN("0000:01:00.0", "0000:81:00.0", VFT_DIST_NODE); /* two host bridges, one node */
	put_at(synth, "/sys/devices/pci0000:80/0000:80:01.0/0000:81:00.0/numa_node", "-1\n");
	SYN("0000:01:00.0", "0000:81:00.0", VFT_DIST_UNKNOWN); /* the firmware did not say */
	rm_at(synth, "/sys/devices/pci0000:80/0000:80:01.0/0000:81:00.0/numa_node");
	SYN("0000:01:00.0", "0000:81:00.0", VFT_DIST_UNKNOWN); /* a kernel without NUMA */
	/* the NUMA node only matters between host bridges */
	rm_at(synth, "/sys/devices/pci0000:00/0000:00:02.0/0000:02:00.0/numa_node");
	SYN("0000:01:00.0", "0000:02:00.0", VFT_DIST_PHB);

	d = VFT_DIST_PIX;
	assert_int_equal(vft_topo__distance(synth, "0000:99:00.0", "0000:01:00.0", &d), -EINVAL);
	assert_int_equal(d, VFT_DIST_UNKNOWN);
	assert_int_equal(vft_topo__distance(synth, "0000:01:00.0", "0000:99:00.0", &d), -EINVAL);
#undef SYN
}

/* ---- GPUs ---- */

static void healthy_gpus(void **state)
{
	struct vft_gpu *g = NULL;
	char want[64];
	size_t n = 0, i;

	assert_int_equal(vft_topo__gpus(roots[T_HEALTHY], &g, &n), 0);
	assert_int_equal(n, 8);
	assert_non_null(g);
	for (i = 0; i < n; i++) {
		snprintf(want, sizeof(want), "0000:%s:00.0", gpu_bus[i]);
		assert_string_equal(g[i].bdf, want);
		snprintf(want, sizeof(want), "GPU-3b1f0c2e-0000-4000-8000-00000000000%zu", i);
		assert_string_equal(g[i].uuid, want);
		assert_int_equal(g[i].numa_node, i < 4 ? 0 : 1);
	}
	free(g);
}

static void gpus_without_driver(void **state)
{
	const char *root = roots[T_NODRIVER];
	char cmd[PATH_MAX + 32];
	struct vft_gpu *g = NULL;
	size_t n = 0, i;

	snprintf(cmd, sizeof(cmd), "rm -r '%s/proc/driver/nvidia'", root);
	assert_int_equal(system(cmd), 0);
	/*
	 * An NVSwitch (bridge class), a GPU's audio function and the BMC's VGA (ASPEED) are
	 * not GPUs; an NVIDIA VGA one is.
	 */
	mkdir_at(root, "/sys/devices/pci0000:e0/0000:e0:01.0/0000:e1:00.0");
	mkdir_at(root, "/sys/devices/pci0000:e0/0000:e0:01.0/0000:e1:00.1");
	mkdir_at(root, "/sys/devices/pci0000:e0/0000:e0:02.0/0000:e2:00.0");
	put_at(root, "/sys/devices/pci0000:e0/0000:e0:01.0/0000:e1:00.0/vendor", "0x10de\n");
	put_at(root, "/sys/devices/pci0000:e0/0000:e0:01.0/0000:e1:00.0/class", "0x030000\n");
	put_at(root, "/sys/devices/pci0000:e0/0000:e0:01.0/0000:e1:00.0/numa_node", "-1\n");
	put_at(root, "/sys/devices/pci0000:e0/0000:e0:01.0/0000:e1:00.1/vendor", "0x10de\n");
	put_at(root, "/sys/devices/pci0000:e0/0000:e0:01.0/0000:e1:00.1/class", "0x040300\n");
	put_at(root, "/sys/devices/pci0000:e0/0000:e0:02.0/0000:e2:00.0/vendor", "0x10de\n");
	put_at(root, "/sys/devices/pci0000:e0/0000:e0:02.0/0000:e2:00.0/class", "0x068000\n");
	mkdir_at(root, "/sys/devices/pci0000:e0/0000:e0:03.0/0000:e3:00.0");
	put_at(root, "/sys/devices/pci0000:e0/0000:e0:03.0/0000:e3:00.0/vendor", "0x1a03\n");
	put_at(root, "/sys/devices/pci0000:e0/0000:e0:03.0/0000:e3:00.0/class", "0x030000\n");
	symlink_at("../../../devices/pci0000:e0/0000:e0:03.0/0000:e3:00.0", root,
		   "/sys/bus/pci/devices/0000:e3:00.0");
	symlink_at("../../../devices/pci0000:e0/0000:e0:01.0/0000:e1:00.0", root,
		   "/sys/bus/pci/devices/0000:e1:00.0");
	symlink_at("../../../devices/pci0000:e0/0000:e0:01.0/0000:e1:00.1", root,
		   "/sys/bus/pci/devices/0000:e1:00.1");
	symlink_at("../../../devices/pci0000:e0/0000:e0:02.0/0000:e2:00.0", root,
		   "/sys/bus/pci/devices/0000:e2:00.0");

	assert_int_equal(vft_topo__gpus(root, &g, &n), 0);
	assert_int_equal(n, 9);
	for (i = 0; i < 8; i++) {
		char want[32];

		snprintf(want, sizeof(want), "0000:%s:00.0", gpu_bus[i]);
		assert_string_equal(g[i].bdf, want);
		assert_string_equal(g[i].uuid, "");
		assert_int_equal(g[i].numa_node, i < 4 ? 0 : 1);
	}
	assert_string_equal(g[8].bdf, "0000:e1:00.0");
	assert_string_equal(g[8].uuid, "");
	assert_int_equal(g[8].numa_node, -1);
	free(g);

	/* no /proc driver and no PCI bus at all: no GPUs, no error */
	g = (struct vft_gpu *)1;
	n = 5;
	assert_int_equal(vft_topo__gpus(synth, &g, &n), 0); /* synth has PCI, no NVIDIA */
	assert_int_equal(n, 0);
	assert_null(g);
	snprintf(cmd, sizeof(cmd), "%s/none", synth);
	assert_int_equal(mkdir(cmd, 0755), 0);
	n = 5;
	assert_int_equal(vft_topo__gpus(cmd, &g, &n), 0);
	assert_int_equal(n, 0);
	assert_null(g);
}

static void gpus_odd_information(void **state)
{
	const char *root = roots[T_EDIT];
	struct vft_gpu *g = NULL;
	char cmd[PATH_MAX + 32];
	size_t n = 0;

	/* GPU 0: no UUID line; GPU 1: no information file; GPU 2: upper-case address */
	put_at(root, "/proc/driver/nvidia/gpus/0000:1b:00.0/information",
	       "Model: \t\t NVIDIA B200\nBus Location: \t 0000:1b:00.0\n");
	rm_at(root, "/proc/driver/nvidia/gpus/0000:43:00.0/information");
	put_at(root, "/proc/driver/nvidia/gpus/0000:52:00.0/information",
	       "GPU UUID: \t GPU-abc \nBus Location: \t 0000:52:00.0\n");
	rm_at(root, "/proc/driver/nvidia/gpus/0000:61:00.0/information");
	put_at(root, "/proc/driver/nvidia/gpus/0000:61:00.0/information",
	       "Bus Location:\t0000:61:00.0\nGPU UUID:\tGPU-X\n");
	/* the directory name as written, but the file says where the GPU is */
	mkdir_at(root, "/proc/driver/nvidia/gpus/0000:9D:00.0");
	put_at(root, "/proc/driver/nvidia/gpus/0000:9D:00.0/information",
	       "GPU UUID: \t GPU-dup\nBus Location: \t 0000:9D:00.0\n");
	/* the list is sorted by the address the file gives, not by directory name */
	mkdir_at(root, "/proc/driver/nvidia/gpus/zz");
	put_at(root, "/proc/driver/nvidia/gpus/zz/information",
	       "GPU UUID: \t GPU-first\nBus Location: \t 0000:05:00.0\n");

	assert_int_equal(vft_topo__gpus(root, &g, &n), 0);
	assert_int_equal(n, 10);
	assert_string_equal(g[0].bdf, "0000:05:00.0");
	assert_string_equal(g[0].uuid, "GPU-first");
	assert_int_equal(g[0].numa_node, -1); /* no such PCI device */
	memmove(g, g + 1, --n * sizeof(*g));
	assert_string_equal(g[0].bdf, "0000:1b:00.0");
	assert_string_equal(g[0].uuid, "");
	assert_int_equal(g[0].numa_node, 0);
	assert_string_equal(g[1].bdf, "0000:43:00.0");
	assert_string_equal(g[1].uuid, "");
	assert_int_equal(g[1].numa_node, 0);
	assert_string_equal(g[2].uuid, "GPU-abc");
	assert_string_equal(g[3].uuid, "GPU-X");
	/* two entries for 0000:9d:00.0, both read from sysfs in lower case */
	assert_string_equal(g[4].bdf, "0000:9d:00.0");
	assert_string_equal(g[5].bdf, "0000:9d:00.0");
	assert_int_equal(g[4].numa_node, 1);
	assert_int_equal(g[5].numa_node, 1);
	assert_true(!strcmp(g[4].uuid, "GPU-dup") || !strcmp(g[5].uuid, "GPU-dup"));
	assert_string_equal(g[8].bdf, "0000:df:00.0");
	free(g);

	/* the driver is loaded but has no GPUs: that is the answer, no fallback */
	snprintf(cmd, sizeof(cmd), "rm -r '%s/proc/driver/nvidia/gpus'", root);
	assert_int_equal(system(cmd), 0);
	mkdir_at(root, "/proc/driver/nvidia/gpus");
	g = (struct vft_gpu *)1;
	assert_int_equal(vft_topo__gpus(root, &g, &n), 0);
	assert_int_equal(n, 0);
	assert_null(g);
}

/* ---- the kubelet checkpoint ---- */

struct want_dev {
	const char *pod, *container, *resource, *id;
	int32_t numa;
};

static void assert_devices(const struct vft_pod_device *d, size_t n, const struct want_dev *w,
			   size_t nw)
{
	size_t i;

	for (i = 0; i < n && i < nw; i++) {
		if (strcmp(d[i].pod_uid, w[i].pod) || strcmp(d[i].container, w[i].container) ||
		    strcmp(d[i].resource, w[i].resource) || strcmp(d[i].id, w[i].id) ||
		    d[i].numa_node != w[i].numa)
			fail_msg("entry %zu: %s %s %s %s %d, want %s %s %s %s %d", i, d[i].pod_uid,
				 d[i].container, d[i].resource, d[i].id, d[i].numa_node, w[i].pod,
				 w[i].container, w[i].resource, w[i].id, w[i].numa);
	}
	assert_int_equal(n, nw);
}

static const struct want_dev healthy_devs[] = {
	{ POD_BE, "trainer", GPU_RES, UUID(0), 0 },
	{ POD_BE, "trainer", VF_RES, "0000:18:00.1", 0 },
	{ POD_BU, "nccl-tests", GPU_RES, UUID(1), 0 },
	{ POD_BU, "nccl-tests", VF_RES, "0000:40:00.1", 0 },
	{ POD_GU, "trainer", GPU_RES, UUID(4), 1 },
	{ POD_GU, "trainer", VF_RES, "0000:9a:00.1", 1 },
	{ POD_GONE, "trainer", VF_RES, "0000:c0:00.2", 1 },
};

/* Per pod with a VF: the VF's PCIe distance to the pod's GPUs, through the GPU list. */
static void pod_vf_to_gpu(int t, const char *pod, enum vft_pcie_dist want)
{
	struct vft_pod_device *d = NULL;
	struct vft_gpu *g = NULL;
	size_t n = 0, ng = 0, i, j, k, pairs = 0;

	assert_int_equal(vft_kubelet__devices(roots[t], &d, &n), 0);
	assert_int_equal(vft_topo__gpus(roots[t], &g, &ng), 0);
	for (i = 0; i < n; i++) {
		if (strcmp(d[i].pod_uid, pod) || strcmp(d[i].resource, VF_RES))
			continue;
		for (j = 0; j < n; j++) {
			if (strcmp(d[j].pod_uid, pod) || strcmp(d[j].resource, GPU_RES))
				continue;
			for (k = 0; k < ng && strcmp(g[k].uuid, d[j].id); k++)
				;
			assert_true(k < ng);
			assert_dist(t, d[i].id, g[k].bdf, want);
			pairs++;
		}
	}
	assert_int_equal(pairs, 1);
	free(d);
	free(g);
}

static void checkpoint_healthy(void **state)
{
	struct vft_pod_device *d = NULL;
	size_t n = 0;

	assert_int_equal(vft_kubelet__devices(roots[T_HEALTHY], &d, &n), 0);
	assert_devices(d, n, healthy_devs, sizeof(healthy_devs) / sizeof(healthy_devs[0]));
	free(d);
	pod_vf_to_gpu(T_HEALTHY, POD_BE, VFT_DIST_PXB);
	pod_vf_to_gpu(T_HEALTHY, POD_BU, VFT_DIST_PXB);
	pod_vf_to_gpu(T_HEALTHY, POD_GU, VFT_DIST_PXB);
}

static void checkpoint_far_gpu(void **state)
{
	struct want_dev w[sizeof(healthy_devs) / sizeof(healthy_devs[0])];
	struct vft_pod_device *d = NULL;
	size_t n = 0;

	memcpy(w, healthy_devs, sizeof(w));
	w[5].id = "0000:18:00.3";
	w[5].numa = 0;
	assert_int_equal(vft_kubelet__devices(roots[T_FAR_GPU], &d, &n), 0);
	assert_devices(d, n, w, sizeof(w) / sizeof(w[0]));
	free(d);
	pod_vf_to_gpu(T_FAR_GPU, POD_GU, VFT_DIST_SYS);
	pod_vf_to_gpu(T_FAR_GPU, POD_BE, VFT_DIST_PXB);
}

static const char *nftw_needle;
static int nftw_hits;

static int find_uid(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	if (flag == FTW_D && strstr(path + ftw->base, nftw_needle))
		nftw_hits++;
	return 0;
}

/* Pod cgroups with @uid in their name ("_" for "-", as the systemd driver writes it). */
static int pod_cgroups(const char *uid)
{
	static char needle[64];
	char path[PATH_MAX], *p;

	snprintf(needle, sizeof(needle), "pod%s", uid);
	for (p = needle; *p; p++)
		if (*p == '-')
			*p = '_';
	nftw_needle = needle;
	nftw_hits = 0;
	snprintf(path, sizeof(path), "%s/sys/fs/cgroup", roots[T_HEALTHY]);
	assert_int_equal(nftw(path, find_uid, 16, FTW_PHYS), 0);
	return nftw_hits;
}

static void checkpoint_stale_entry(void **state)
{
	struct vft_pod_device *d = NULL;
	size_t n = 0, i, stale = 0;

	assert_int_equal(vft_kubelet__devices(roots[T_HEALTHY], &d, &n), 0);
	for (i = 0; i < n; i++) {
		if (pod_cgroups(d[i].pod_uid))
			continue;
		assert_string_equal(d[i].pod_uid, POD_GONE);
		assert_string_equal(d[i].id, "0000:c0:00.2");
		stale++;
	}
	assert_int_equal(stale, 1);
	assert_int_equal(pod_cgroups(POD_BE), 1);
	assert_int_equal(pod_cgroups(POD_GU), 1);
	free(d);
}

static void checkpoint_missing(void **state)
{
	struct vft_pod_device *d = (struct vft_pod_device *)1;
	size_t n = 7;

	assert_int_equal(vft_kubelet__devices(synth, &d, &n), 0);
	assert_int_equal(n, 0);
	assert_null(d);
}

/* Writes @json as the edit tree's checkpoint and reads it back. */
static int read_json(const char *json, struct vft_pod_device **d, size_t *n)
{
	put_at(roots[T_EDIT], CHECKPOINT, json);
	return vft_kubelet__devices(roots[T_EDIT], d, n);
}

static void checkpoint_malformed(void **state)
{
	static const char *const bad[] = {
		"",
		"   \n",
		"not json",
		"{\"Data\":{\"PodDeviceEntries\":[",
		"[]",
		"null",
		"{}",
		"{\"Data\":[]}",
		"{\"Data\":{}} trailing",
		"{\"Data\":{\"PodDeviceEntries\":{}}}",
		"{\"Data\":{\"PodDeviceEntries\":[7]}}",
		"{\"Data\":{\"PodDeviceEntries\":[{\"ContainerName\":\"c\",\"ResourceName\":\"r\","
		"\"DeviceIDs\":{\"0\":[\"x\"]}}]}}",
		"{\"Data\":{\"PodDeviceEntries\":[{\"PodUID\":1,\"ContainerName\":\"c\","
		"\"ResourceName\":\"r\",\"DeviceIDs\":{\"0\":[\"x\"]}}]}}",
		"{\"Data\":{\"PodDeviceEntries\":[{\"PodUID\":\"u\",\"ContainerName\":\"c\","
		"\"ResourceName\":\"r\",\"DeviceIDs\":\"x\"}]}}",
		"{\"Data\":{\"PodDeviceEntries\":[{\"PodUID\":\"u\",\"ContainerName\":\"c\","
		"\"ResourceName\":\"r\",\"DeviceIDs\":{\"0\":\"x\"}}]}}",
		"{\"Data\":{\"PodDeviceEntries\":[{\"PodUID\":\"u\",\"ContainerName\":\"c\","
		"\"ResourceName\":\"r\",\"DeviceIDs\":{\"0\":[\"x\",3]}}]}}",
		"{\"Data\":{\"PodDeviceEntries\":[{\"PodUID\":\"u\",\"ContainerName\":\"c\","
		"\"ResourceName\":\"r\",\"DeviceIDs\":[[\"x\"]]}]}}",
	};
	struct vft_pod_device *d;
	char healthy[16384];
	size_t n, k;

	for (k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		d = (struct vft_pod_device *)1;
		n = 3;
		if (read_json(bad[k], &d, &n) != -EINVAL)
			fail_msg("accepted: %s", bad[k]);
		assert_null(d);
		assert_int_equal(n, 0);
	}
	/* the real file, cut short */
	slurp(roots[T_HEALTHY], CHECKPOINT, healthy, sizeof(healthy));
	assert_true(strlen(healthy) > 1000);
	healthy[strlen(healthy) - 1] = '\0';
	d = NULL;
	assert_int_equal(read_json(healthy, &d, &n), -EINVAL);
	assert_null(d);

	/* shapes that hold nothing */
	d = (struct vft_pod_device *)1;
	assert_int_equal(read_json("{\"Data\":{},\"Checksum\":1}", &d, &n), 0);
	assert_int_equal(n, 0);
	assert_null(d);
	assert_int_equal(read_json("{\"Data\":{\"PodDeviceEntries\":null}}\n", &d, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(read_json("{\"Data\":{\"PodDeviceEntries\":[]}}", &d, &n), 0);
	assert_int_equal(n, 0);
}

static void checkpoint_list_form(void **state)
{
	static const struct want_dev want[] = {
		{ POD_BE, "trainer", VF_RES, "0000:18:00.1", -1 },
		{ POD_BE, "trainer", VF_RES, "0000:18:00.2", -1 },
		{ POD_BU, "nccl-tests", GPU_RES, UUID(1), 0 },
		{ POD_BU, "nccl-tests", GPU_RES, UUID(5), 1 },
		{ POD_BU, "nccl-tests", GPU_RES, UUID(2), 3 },
		{ POD_GU, "c", "r", "x", -1 },
	};
	struct vft_pod_device *d = NULL;
	size_t n = 0;

	/*
	 * An older kubelet: DeviceIDs a plain list; then a null list, null and missing
	 * DeviceIDs, a key that is no number.
	 */
	assert_int_equal(
		read_json(
			"{\"Data\":{\"PodDeviceEntries\":["
			"{\"PodUID\":\"" POD_BE "\",\"ContainerName\":\"trainer\","
			"\"ResourceName\":\"" VF_RES "\","
			"\"DeviceIDs\":[\"0000:18:00.1\",\"0000:18:00.2\"],\"AllocResp\":\"\"},"
			"{\"PodUID\":\"" POD_BU "\",\"ContainerName\":\"nccl-tests\","
			"\"ResourceName\":\"" GPU_RES "\",\"DeviceIDs\":{\"0\":[\"" UUID(
				1) "\"],"
				   "\"1\":[\"" UUID(5) "\"],\"2\":null,\"3\":[\"" UUID(
					   2) "\"]}},"
					      "{\"PodUID\":\"gone\",\"ContainerName\":\"c\",\"ResourceName\":\"r\","
					      "\"DeviceIDs\":null},"
					      "{\"PodUID\":\"gone\",\"ContainerName\":\"c\",\"ResourceName\":\"r\"},"
					      "{\"PodUID\":\"" POD_GU
					      "\",\"ContainerName\":\"c\",\"ResourceName\":\"r\","
					      "\"DeviceIDs\":{\"x\":[\"x\"]}}"
					      "],\"RegisteredDevices\":{}},\"Checksum\":12}",
			&d, &n),
		0);
	assert_devices(d, n, want, sizeof(want) / sizeof(want[0]));
	free(d);
}

static void checkpoint_long_values(void **state)
{
	char json[2048], longid[100], longname[200];
	struct vft_pod_device *d = NULL;
	size_t n = 0;

	memset(longid, 'a', sizeof(longid) - 1);
	longid[sizeof(longid) - 1] = '\0';
	memset(longname, 'c', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	/* an id of 79 characters fits; 99 does not; a 199-character resource drops its entry */
	snprintf(json, sizeof(json),
		 "{\"Data\":{\"PodDeviceEntries\":["
		 "{\"PodUID\":\"u1\",\"ContainerName\":\"c\",\"ResourceName\":\"r\","
		 "\"DeviceIDs\":{\"0\":[\"%.79s\",\"%s\",\"ok\"]}},"
		 "{\"PodUID\":\"u2\",\"ContainerName\":\"c\",\"ResourceName\":\"%s\","
		 "\"DeviceIDs\":{\"0\":[\"x\"]}},"
		 "{\"PodUID\":\"u3\",\"ContainerName\":\"c\",\"ResourceName\":\"r\","
		 "\"DeviceIDs\":{\"1\":[\"nul\\u0000id\",\"y\"]}}]}}",
		 longid, longid, longname);
	assert_int_equal(read_json(json, &d, &n), 0);
	assert_int_equal(n, 3);
	assert_string_equal(d[0].pod_uid, "u1");
	assert_int_equal(strlen(d[0].id), 79);
	assert_string_equal(d[1].id, "ok");
	assert_string_equal(d[2].pod_uid, "u3");
	assert_string_equal(d[2].id, "y");
	assert_int_equal(d[2].numa_node, 1);
	free(d);
}

/* ---- host network-manager configuration in the fixture ---- */

static void host_manager_fixture(void **state)
{
	char buf[4096];

	slurp(roots[T_HEALTHY], "/etc/systemd/network/05-sriov-vfs.network", buf, sizeof(buf));
	assert_non_null(strstr(buf, "[Match]\nName=ibp*v* net*\n"));
	assert_non_null(strstr(buf, "[Link]\nUnmanaged=yes\n"));
	slurp(roots[T_HEALTHY], "/etc/systemd/network/10-ib-pf.network", buf, sizeof(buf));
	assert_non_null(strstr(buf, "[Match]\nName=ibp*s0\n"));
	assert_non_null(strstr(buf, "DHCP=no\n"));
	assert_non_null(strstr(buf, "\nAddress="));
	slurp(roots[T_HEALTHY], "/etc/systemd/network/90-dhcp.network", buf, sizeof(buf));
	assert_string_equal(buf, "");
	slurp(roots[T_HEALTHY], "/etc/NetworkManager/NetworkManager.conf", buf, sizeof(buf));
	assert_non_null(strstr(buf, "[keyfile]\nunmanaged-devices=interface-name:ibp*v*;"
				    "interface-name:net*\n"));

	slurp(roots[T_HOST_MGR], "/etc/systemd/network/05-sriov-vfs.network", buf, sizeof(buf));
	assert_string_equal(buf, "");
	slurp(roots[T_HOST_MGR], "/etc/systemd/network/90-dhcp.network", buf, sizeof(buf));
	assert_string_equal(buf, "[Match]\nName=ib* en*\n\n[Network]\nDHCP=yes\n");
	slurp(roots[T_HOST_MGR], "/etc/systemd/network/10-ib-pf.network", buf, sizeof(buf));
	assert_non_null(strstr(buf, "Name=ibp*s0\n"));
	slurp(roots[T_HOST_MGR], "/etc/NetworkManager/NetworkManager.conf", buf, sizeof(buf));
	assert_non_null(strstr(buf, "[main]\n"));
	assert_null(strstr(buf, "unmanaged-devices"));
	/* the rest of the node is the healthy one */
	assert_dist(T_HOST_MGR, "0000:18:00.1", "0000:1b:00.0", VFT_DIST_PXB);
}

static void live_system(void **state)
{
	struct vft_pod_device *d = NULL;
	struct vft_gpu *g = NULL;
	enum vft_pcie_dist dd;
	size_t n = 0, i;
	int err;

	assert_int_equal(vft_topo__gpus(NULL, &g, &n), 0);
	for (i = 0; i < n; i++) {
		assert_true(g[i].bdf[0]);
		assert_int_equal(vft_topo__distance(NULL, g[i].bdf, g[i].bdf, &dd), 0);
		assert_int_equal(dd, VFT_DIST_PIX);
	}
	print_message("live: %zu GPUs\n", n);
	free(g);
	err = vft_kubelet__devices(NULL, &d, &n);
	assert_true(err == 0 || err == -EACCES);
	free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(dist_names),		cmocka_unit_test(healthy_distances),
		cmocka_unit_test(distance_errors),	cmocka_unit_test(synthetic_tree),
		cmocka_unit_test(healthy_gpus),		cmocka_unit_test(gpus_without_driver),
		cmocka_unit_test(gpus_odd_information), cmocka_unit_test(checkpoint_healthy),
		cmocka_unit_test(checkpoint_far_gpu),	cmocka_unit_test(checkpoint_stale_entry),
		cmocka_unit_test(checkpoint_missing),	cmocka_unit_test(checkpoint_malformed),
		cmocka_unit_test(checkpoint_list_form), cmocka_unit_test(checkpoint_long_values),
		cmocka_unit_test(host_manager_fixture), cmocka_unit_test(live_system),
	};

	return cmocka_run_group_tests_name("topo", tests, setup, teardown);
}
