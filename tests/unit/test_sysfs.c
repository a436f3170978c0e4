// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_sysfs.c - the sysfs readers and parsers: exact values for the kernel's
 * formats, clean errors for empty, garbage, missing and oversized files.
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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "enrich/sysfs.h"

static char tmp[256];

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static void put_file(const char *rel, const char *data, size_t len)
{
	char path[512];
	int fd;

	snprintf(path, sizeof(path), "%s%s", tmp, rel);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
}

static void put(const char *rel, const char *s)
{
	put_file(rel, s, strlen(s));
}

static void mk(const char *rel)
{
	char path[512];

	snprintf(path, sizeof(path), "%s%s", tmp, rel);
	assert_int_equal(mkdir(path, 0755), 0);
}

static void ln(const char *target, const char *rel)
{
	char path[512];

	snprintf(path, sizeof(path), "%s%s", tmp, rel);
	assert_int_equal(symlink(target, path), 0);
}

static int setup(void **state)
{
	const char *base = access("/dev/shm", W_OK) ? (getenv("TMPDIR") ?: "/tmp") : "/dev/shm";

	snprintf(tmp, sizeof(tmp), "%s/vft-sysfs-XXXXXX", base);
	return mkdtemp(tmp) ? 0 : -1;
}

static int teardown(void **state)
{
	return nftw(tmp, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void parses_states(void **state)
{
	char name[16];
	uint32_t n = 99;

	assert_int_equal(vft_sysfs__parse_state("4: ACTIVE", &n, name, sizeof(name)), 0);
	assert_int_equal(n, 4);
	assert_string_equal(name, "ACTIVE");
	assert_int_equal(vft_sysfs__parse_state("5: LinkUp", &n, NULL, 0), 0);
	assert_int_equal(n, 5);
	assert_int_equal(vft_sysfs__parse_state("2: INIT", &n, name, 3), 0);
	assert_int_equal(n, 2);
	assert_string_equal(name, "IN"); /* truncated, terminated */
	assert_int_equal(vft_sysfs__parse_state("5: ACTIVE_DEFER", &n, name, sizeof(name)), 0);
	assert_string_equal(name, "ACTIVE_DEFER");

	n = 77;
	assert_int_equal(vft_sysfs__parse_state("", &n, NULL, 0), -EINVAL);
	assert_int_equal(vft_sysfs__parse_state("ACTIVE", &n, NULL, 0), -EINVAL);
	assert_int_equal(vft_sysfs__parse_state(": ACTIVE", &n, NULL, 0), -EINVAL);
	assert_int_equal(vft_sysfs__parse_state("4:", &n, NULL, 0), -EINVAL);
	assert_int_equal(vft_sysfs__parse_state("4: ", &n, NULL, 0), -EINVAL);
	assert_int_equal(vft_sysfs__parse_state("x: ACTIVE", &n, NULL, 0), -EINVAL);
	assert_int_equal(vft_sysfs__parse_state("-4: ACTIVE", &n, NULL, 0), -EINVAL);
	assert_int_equal(vft_sysfs__parse_state("4294967296: X", &n, NULL, 0), -ERANGE);
	assert_int_equal(vft_sysfs__parse_state("123456789012345: X", &n, NULL, 0), -ERANGE);
	assert_int_equal(vft_sysfs__parse_state(NULL, &n, NULL, 0), -EINVAL);
	assert_int_equal(n, 77); /* untouched on error */
}

static void parses_numbers(void **state)
{
	uint32_t u = 0;
	int32_t s = 0;

	assert_int_equal(vft_sysfs__parse_hex("0x19", &u), 0);
	assert_int_equal(u, 0x19);
	assert_int_equal(vft_sysfs__parse_hex("0x0", &u), 0);
	assert_int_equal(u, 0);
	assert_int_equal(vft_sysfs__parse_hex("ffff", &u), 0);
	assert_int_equal(u, 0xffff);
	assert_int_equal(vft_sysfs__parse_hex("0XAbC", &u), 0);
	assert_int_equal(u, 0xabc);
	assert_int_equal(vft_sysfs__parse_hex("0xffffffff", &u), 0);
	assert_int_equal(u, 0xffffffff);
	u = 5;
	assert_int_equal(vft_sysfs__parse_hex("", &u), -EINVAL);
	assert_int_equal(vft_sysfs__parse_hex("0x", &u), -EINVAL);
	assert_int_equal(vft_sysfs__parse_hex("0x1g", &u), -EINVAL);
	assert_int_equal(vft_sysfs__parse_hex("0x1 ", &u), -EINVAL);
	assert_int_equal(vft_sysfs__parse_hex("-1", &u), -EINVAL);
	assert_int_equal(vft_sysfs__parse_hex("0x100000000", &u), -ERANGE);
	assert_int_equal(u, 5);

	assert_int_equal(vft_sysfs__parse_u32("16", &u), 0);
	assert_int_equal(u, 16);
	assert_int_equal(vft_sysfs__parse_u32("0x020700", &u), 0);
	assert_int_equal(u, 0x020700);
	assert_int_equal(vft_sysfs__parse_u32("4294967295", &u), 0);
	assert_int_equal(u, 4294967295u);
	assert_int_equal(vft_sysfs__parse_u32("4294967296", &u), -ERANGE);
	assert_int_equal(vft_sysfs__parse_u32("1a", &u), -EINVAL);
	assert_int_equal(vft_sysfs__parse_u32("", &u), -EINVAL);
	assert_int_equal(vft_sysfs__parse_u32("-1", &u), -EINVAL);
	assert_int_equal(vft_sysfs__parse_u32(" 1", &u), -EINVAL);

	assert_int_equal(vft_sysfs__parse_s32("-1", &s), 0);
	assert_int_equal(s, -1);
	assert_int_equal(vft_sysfs__parse_s32("1", &s), 0);
	assert_int_equal(s, 1);
	assert_int_equal(vft_sysfs__parse_s32("-2147483648", &s), 0);
	assert_int_equal(s, INT32_MIN);
	assert_int_equal(vft_sysfs__parse_s32("2147483647", &s), 0);
	assert_int_equal(s, INT32_MAX);
	assert_int_equal(vft_sysfs__parse_s32("2147483648", &s), -ERANGE);
	assert_int_equal(vft_sysfs__parse_s32("-2147483649", &s), -ERANGE);
	assert_int_equal(vft_sysfs__parse_s32("-", &s), -EINVAL);
	assert_int_equal(vft_sysfs__parse_s32("", &s), -EINVAL);
}

static void parses_guids(void **state)
{
	static const uint8_t want[16] = { 0xfe, 0x80, 0,    0,	  0,	0,    0,    0,
					  0xb8, 0xce, 0xf6, 0x03, 0x00, 0xa4, 0x10, 0x00 };
	uint8_t gid[16];
	uint64_t g = 1;

	assert_int_equal(vft_sysfs__parse_guid("b8ce:f603:00a4:1000", &g), 0);
	assert_true(g == 0xb8cef60300a41000ULL);
	assert_int_equal(vft_sysfs__parse_guid("0000:0000:0000:0000", &g), 0);
	assert_true(g == 0);
	assert_int_equal(vft_sysfs__parse_guid("FFFF:ffff:FFFF:ffff", &g), 0);
	assert_true(g == UINT64_MAX);
	g = 7;
	assert_int_equal(vft_sysfs__parse_guid("", &g), -EINVAL);
	assert_int_equal(vft_sysfs__parse_guid("b8cef60300a41000", &g), -EINVAL);
	assert_int_equal(vft_sysfs__parse_guid("0xb8cef60300a41000", &g), -EINVAL);
	assert_int_equal(vft_sysfs__parse_guid("b8ce:f603:00a4:100", &g), -EINVAL);
	assert_int_equal(vft_sysfs__parse_guid("b8ce:f603:00a4:1000:", &g), -EINVAL);
	assert_int_equal(vft_sysfs__parse_guid("b8ce-f603-00a4-1000", &g), -EINVAL);
	assert_int_equal(vft_sysfs__parse_guid("g8ce:f603:00a4:1000", &g), -EINVAL);
	assert_int_equal(vft_sysfs__parse_guid("b8ce:f603:00a4:100 ", &g), -EINVAL);
	assert_int_equal(vft_sysfs__parse_guid(NULL, &g), -EINVAL);
	assert_true(g == 7);

	assert_int_equal(vft_sysfs__parse_gid("fe80:0000:0000:0000:b8ce:f603:00a4:1000", gid), 0);
	assert_memory_equal(gid, want, 16);
	memset(gid, 0xaa, sizeof(gid));
	assert_int_equal(vft_sysfs__parse_gid("fe80:0000:0000:0000:b8ce:f603:00a4", gid), -EINVAL);
	assert_int_equal(vft_sysfs__parse_gid("fe80::b8ce:f603:00a4:1000", gid), -EINVAL);
	assert_int_equal(vft_sysfs__parse_gid("fe80:0000:0000:0000:b8ce:f603:00a4:10x0", gid),
			 -EINVAL);
	assert_int_equal(gid[0], 0xaa); /* untouched on error */
}

static void reads_one_line(void **state)
{
	char buf[32], big[5000];

	put("/state", "4: ACTIVE\n");
	assert_int_equal(vft_sysfs__read(tmp, "/state", buf, sizeof(buf)), 9);
	assert_string_equal(buf, "4: ACTIVE");
	put("/two", "first  \t\nsecond\n");
	assert_int_equal(vft_sysfs__read(tmp, "/two", buf, sizeof(buf)), 5);
	assert_string_equal(buf, "first");
	put("/nonl", "0x19");
	assert_int_equal(vft_sysfs__read(tmp, "/nonl", buf, sizeof(buf)), 4);
	assert_string_equal(buf, "0x19");
	put("/empty", "");
	assert_int_equal(vft_sysfs__read(tmp, "/empty", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");
	put("/blank", "\n");
	assert_int_equal(vft_sysfs__read(tmp, "/blank", buf, sizeof(buf)), 0);

	/* errors leave an empty string behind */
	assert_int_equal(vft_sysfs__read(tmp, "/missing", buf, sizeof(buf)), -ENOENT);
	assert_string_equal(buf, "");
	assert_int_equal(vft_sysfs__read(tmp, "/state", buf, 9), -EOVERFLOW);
	assert_string_equal(buf, "");
	assert_int_equal(vft_sysfs__read(tmp, "/state", buf, 10), 9);
	memset(big, 'x', sizeof(big));
	put_file("/big", big, sizeof(big));
	assert_int_equal(vft_sysfs__read(tmp, "/big", buf, sizeof(buf)), -EOVERFLOW);
	put_file("/nul", "4: AC\0TIVE\n", 11);
	assert_int_equal(vft_sysfs__read(tmp, "/nul", buf, sizeof(buf)), -EINVAL);
	mk("/dir");
	assert_int_equal(vft_sysfs__read(tmp, "/dir", buf, sizeof(buf)), -EISDIR);
	assert_int_equal(vft_sysfs__read(tmp, "/state", buf, 0), -EINVAL);
}

static void reads_typed(void **state)
{
	uint32_t u = 0;
	int32_t s = 0;
	uint64_t g = 0;

	put("/t_state", "2: INIT\n");
	put("/t_lid", "0x1a\n");
	put("/t_guid", "b8ce:f603:00a4:1011\n");
	put("/t_numa", "-1\n");
	put("/t_num", "16\n");
	put("/t_garbage", "garbage\n");
	put("/t_empty", "");
	assert_int_equal(vft_sysfs__read_state(tmp, "/t_state", &u), 0);
	assert_int_equal(u, 2);
	assert_int_equal(vft_sysfs__read_hex(tmp, "/t_lid", &u), 0);
	assert_int_equal(u, 0x1a);
	assert_int_equal(vft_sysfs__read_guid(tmp, "/t_guid", &g), 0);
	assert_true(g == 0xb8cef60300a41011ULL);
	assert_int_equal(vft_sysfs__read_s32(tmp, "/t_numa", &s), 0);
	assert_int_equal(s, -1);
	assert_int_equal(vft_sysfs__read_u32(tmp, "/t_num", &u), 0);
	assert_int_equal(u, 16);

	assert_int_equal(vft_sysfs__read_state(tmp, "/t_garbage", &u), -EINVAL);
	assert_int_equal(vft_sysfs__read_hex(tmp, "/t_garbage", &u), -EINVAL);
	assert_int_equal(vft_sysfs__read_guid(tmp, "/t_garbage", &g), -EINVAL);
	assert_int_equal(vft_sysfs__read_u32(tmp, "/t_garbage", &u), -EINVAL);
	assert_int_equal(vft_sysfs__read_s32(tmp, "/t_garbage", &s), -EINVAL);
	assert_int_equal(vft_sysfs__read_state(tmp, "/t_empty", &u), -EINVAL);
	assert_int_equal(vft_sysfs__read_hex(tmp, "/t_empty", &u), -EINVAL);
	assert_int_equal(vft_sysfs__read_guid(tmp, "/t_empty", &g), -EINVAL);
	assert_int_equal(vft_sysfs__read_state(tmp, "/t_none", &u), -ENOENT);
	assert_int_equal(vft_sysfs__read_hex(tmp, "/t_none", &u), -ENOENT);
	assert_int_equal(vft_sysfs__read_guid(tmp, "/t_none", &g), -ENOENT);
}

static void names_link_targets(void **state)
{
	char buf[32];

	mk("/l");
	mk("/l/0000:18:00.0");
	mk("/l/0000:18:00.0/infiniband");
	mk("/l/0000:18:00.0/infiniband/mlx5_4");
	ln("../../bus/pci/drivers/mlx5_core", "/l/driver");
	ln("../0000:18:00.1", "/l/virtfn0");
	ln("../..", "/l/0000:18:00.0/infiniband/mlx5_4/up");
	ln("../../../0000:18:00.0", "/l/0000:18:00.0/infiniband/mlx5_4/device");
	ln("a-long-name-of-more-than-32-characters", "/l/long");
	put("/l/file", "x\n");

	/* the link need not resolve: sysfs names its target in the link itself */
	assert_int_equal(vft_sysfs__link_name(tmp, "/l/driver", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "mlx5_core");
	assert_int_equal(vft_sysfs__link_name(tmp, "/l/virtfn0", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "0000:18:00.1");
	assert_int_equal(
		vft_sysfs__link_name(tmp, "/l/0000:18:00.0/infiniband/mlx5_4/device", buf, 32), 0);
	assert_string_equal(buf, "0000:18:00.0");
	/* a link to an ancestor names what it resolves to */
	assert_int_equal(
		vft_sysfs__link_name(tmp, "/l/0000:18:00.0/infiniband/mlx5_4/up", buf, sizeof(buf)),
		0);
	assert_string_equal(buf, "0000:18:00.0");

	assert_int_equal(vft_sysfs__link_name(tmp, "/l/file", buf, sizeof(buf)), -EINVAL);
	assert_string_equal(buf, "");
	assert_int_equal(vft_sysfs__link_name(tmp, "/l/none", buf, sizeof(buf)), -ENOENT);
	assert_int_equal(vft_sysfs__link_name(tmp, "/l/long", buf, sizeof(buf)), -ENAMETOOLONG);
	assert_int_equal(vft_sysfs__link_name(tmp, "/l/driver", buf, 9), -ENAMETOOLONG);
	assert_int_equal(vft_sysfs__link_name(tmp, "/l/driver", buf, 10), 0);
}

static void lists_in_natural_order(void **state)
{
	static const char *const want_vf[] = { "virtfn0", "virtfn2", "virtfn9", "virtfn10",
					       "virtfn15" };
	static const char *const want_bdf[] = { "0000:18:00.0", "0000:18:00.1", "0000:40:00.0",
						"0000:4f:00.0", "0000:9a:00.0", "0000:c0:00.0" };
	static const char *const want_ib[] = { "mlx5_4", "mlx5_5", "mlx5_10", "mlx5_47" };
	struct vft_sysfs_list l = { 0 };
	char rel[64];
	size_t i;

	mk("/ls");
	mk("/ls/v");
	mk("/ls/b");
	mk("/ls/i");
	for (i = 0; i < 5; i++) {
		snprintf(rel, sizeof(rel), "/ls/v/%s", want_vf[4 - i]);
		put(rel, "");
	}
	put("/ls/v/sriov_numvfs", "4\n");
	for (i = 0; i < 6; i++) {
		snprintf(rel, sizeof(rel), "/ls/b/%s", want_bdf[(i * 5) % 6]);
		mk(rel);
	}
	for (i = 0; i < 4; i++) {
		snprintf(rel, sizeof(rel), "/ls/i/%s", want_ib[(i + 2) % 4]);
		mk(rel);
	}

	assert_int_equal(vft_sysfs__list(tmp, "/ls/v", "virtfn", &l), 0);
	assert_int_equal(l.n, 5);
	for (i = 0; i < l.n; i++)
		assert_string_equal(l.names[i], want_vf[i]);
	vft_sysfs_list__free(&l);
	assert_null(l.names);
	assert_int_equal(l.n, 0);

	assert_int_equal(vft_sysfs__list(tmp, "/ls/v", NULL, &l), 0);
	assert_int_equal(l.n, 6);
	assert_string_equal(l.names[0], "sriov_numvfs"); /* "s" < "v" */
	vft_sysfs_list__free(&l);

	assert_int_equal(vft_sysfs__list(tmp, "/ls/b", NULL, &l), 0);
	assert_int_equal(l.n, 6);
	for (i = 0; i < l.n; i++)
		assert_string_equal(l.names[i], want_bdf[i]);
	vft_sysfs_list__free(&l);

	assert_int_equal(vft_sysfs__list(tmp, "/ls/i", "mlx5_", &l), 0);
	assert_int_equal(l.n, 4);
	for (i = 0; i < l.n; i++)
		assert_string_equal(l.names[i], want_ib[i]);
	vft_sysfs_list__free(&l);

	assert_int_equal(vft_sysfs__list(tmp, "/ls/v", "nothing", &l), 0);
	assert_int_equal(l.n, 0);
	vft_sysfs_list__free(&l);

	assert_int_equal(vft_sysfs__list(tmp, "/ls/none", NULL, &l), -ENOENT);
	assert_null(l.names);
	assert_int_equal(vft_sysfs__list(tmp, "/ls/v/sriov_numvfs", NULL, &l), -ENOTDIR);
	assert_int_equal(l.n, 0);
	vft_sysfs_list__free(&l);
	vft_sysfs_list__free(NULL);
}

static void joins_the_root(void **state)
{
	char buf[16];

	put("/rooted", "yes\n");
	assert_int_equal(vft_sysfs__access(tmp, "/rooted"), 0);
	assert_int_equal(vft_sysfs__access(tmp, "/not-there"), -ENOENT);
	/* the live system: NULL, "" and "/" are no prefix */
	assert_int_equal(vft_sysfs__read(NULL, "/proc/self/comm", buf, sizeof(buf)) > 0, 1);
	assert_int_equal(vft_sysfs__read("/", "/proc/self/comm", buf, sizeof(buf)) > 0, 1);
	assert_int_equal(vft_sysfs__read("", "/proc/self/comm", buf, sizeof(buf)) > 0, 1);
	assert_string_equal(buf, "test_sysfs");
	assert_int_equal(vft_sysfs__read(tmp, "/proc/self/comm", buf, sizeof(buf)), -ENOENT);
}

static void finds_the_closest_pci_ancestor(void **state)
{
	char buf[32];

	mk("/sys");
	mk("/sys/devices");
	mk("/sys/devices/pci0000:00");
	mk("/sys/devices/pci0000:00/0000:00:02.0");
	mk("/sys/devices/pci0000:00/0000:00:02.0/0000:03:00.1");
	mk("/sys/devices/pci0000:00/0000:00:02.0/0000:03:00.1/virtio2");
	mk("/sys/devices/platform");
	mk("/sys/devices/platform/serial8250");
	mk("/sys/bus");
	mk("/sys/bus/virtio");
	mk("/sys/bus/virtio/devices");
	mk("/sys/bus/platform");
	mk("/sys/bus/platform/devices");
	ln("../../../devices/pci0000:00/0000:00:02.0/0000:03:00.1/virtio2",
	   "/sys/bus/virtio/devices/virtio2");
	ln("../../../devices/platform/serial8250", "/sys/bus/platform/devices/serial8250");

	/* the deepest PCI component: the function behind the bridge, not the bridge */
	assert_int_equal(vft_sysfs__pci_ancestor(tmp, "virtio", "virtio2", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "0000:03:00.1");
	assert_int_equal(vft_sysfs__pci_ancestor(tmp, "virtio", "virtio2", buf, 12), -ENAMETOOLONG);
	assert_int_equal(vft_sysfs__pci_ancestor(tmp, "platform", "serial8250", buf, sizeof(buf)),
			 -ENOENT);
	assert_int_equal(vft_sysfs__pci_ancestor(tmp, "virtio", "virtio9", buf, sizeof(buf)),
			 -ENOENT);
	assert_int_equal(vft_sysfs__pci_ancestor(tmp, "virtio", "../x", buf, sizeof(buf)), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parses_states),
		cmocka_unit_test(parses_numbers),
		cmocka_unit_test(parses_guids),
		cmocka_unit_test(reads_one_line),
		cmocka_unit_test(reads_typed),
		cmocka_unit_test(names_link_targets),
		cmocka_unit_test(lists_in_natural_order),
		cmocka_unit_test(joins_the_root),
		cmocka_unit_test(finds_the_closest_pci_ancestor),
	};

	return cmocka_run_group_tests_name("sysfs", tests, setup, teardown);
}
