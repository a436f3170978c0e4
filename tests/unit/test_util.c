// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_util.c - helpers and the event filter.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>
#include "model/filter.h"
#include "lib/util.h"

static void names_errnos(void **state)
{
	char buf[16];

	assert_string_equal(vft_errno_name(-EEXIST, buf, sizeof(buf)), "EEXIST");
	assert_string_equal(vft_errno_name(ENODEV, buf, sizeof(buf)), "ENODEV");
	assert_string_equal(vft_errno_name(-4000, buf, sizeof(buf)), "E4000");
}

static void joins_root_prefix(void **state)
{
	char buf[32];

	assert_int_equal(vft_path(buf, sizeof(buf), NULL, "/proc/kallsyms"), 0);
	assert_string_equal(buf, "/proc/kallsyms");
	assert_int_equal(vft_path(buf, sizeof(buf), "/", "/proc/x"), 0);
	assert_string_equal(buf, "/proc/x");
	assert_int_equal(vft_path(buf, sizeof(buf), "/tmp/fx", "/sys/a"), 0);
	assert_string_equal(buf, "/tmp/fx/sys/a");
	assert_int_equal(vft_path(buf, 8, "/tmp/fx", "/sys/a"), -ENAMETOOLONG);
}

static void parses_sizes(void **state)
{
	uint64_t v;

	assert_int_equal(vft_parse_size("4096", &v), 0);
	assert_int_equal(v, 4096);
	assert_int_equal(vft_parse_size("256K", &v), 0);
	assert_int_equal(v, 256 * 1024);
	assert_int_equal(vft_parse_size("8m", &v), 0);
	assert_int_equal(v, 8 << 20);
	assert_int_equal(vft_parse_size("1G", &v), 0);
	assert_int_equal(v, 1ULL << 30);
	assert_int_equal(vft_parse_size("", &v), -EINVAL);
	assert_int_equal(vft_parse_size("-1", &v), -EINVAL);
	assert_int_equal(vft_parse_size("12KB", &v), -EINVAL);
	assert_int_equal(vft_parse_size("x", &v), -EINVAL);
	assert_int_equal(vft_parse_size("99999999999999999999", &v), -ERANGE);
	assert_int_equal(vft_parse_size("17179869184G", &v), -ERANGE);
}

static void formats_times(void **state)
{
	char buf[64];

	vft_fmt_rfc3339(buf, sizeof(buf), 5000000001ULL);
	assert_string_equal(buf, "1970-01-01T00:00:05.000000001Z");
	vft_fmt_local_time(buf, sizeof(buf), 5000000001ULL);
	assert_int_equal(strlen(buf), strlen("00:00:05.000000"));
}

static void filters_by_glob(void **state)
{
	struct vft_filter f = { 0 };
	struct vft_event ev;

	memset(&ev, 0, sizeof(ev));
	strcpy(ev.ifname, "ibp24s0v1");
	f.root = "/nonexistent";
	/* by default a device without a VF/mlx5 parent is not shown */
	assert_true(vft_filter__is_default(&f));
	assert_false(vft_filter__match(&f, &ev));
	assert_int_equal(vft_filter__add_ifname(&f, "net1"), 0);
	assert_false(vft_filter__match(&f, &ev));
	assert_int_equal(vft_filter__add_ifname(&f, "ibp*"), 0);
	assert_true(vft_filter__match(&f, &ev));
	strcpy(ev.ifname, "eth0");
	assert_false(vft_filter__match(&f, &ev));
	strcpy(ev.new_ifname, "net1"); /* the name after a move counts too */
	assert_true(vft_filter__match(&f, &ev));
	vft_filter__clear(&f);
	assert_int_equal(f.ifnames.n, 0);
}

/* The set against a plain array, through growth and deletes that shift clusters. */
static void u32set_matches_a_model(void **state)
{
	static bool model[4096];
	struct vft_u32set s = {};
	uint32_t x = 12345, v;
	size_t i, n = 0;

	(void)state;
	assert_int_equal(vft_u32set__add(&s, 0), -EINVAL);
	assert_false(vft_u32set__del(&s, 7));
	for (i = 0; i < 200000; i++) {
		x = x * 1103515245u + 12345u;
		v = 1 + (x >> 8) % 4095;
		if ((x >> 4) & 1) {
			assert_int_equal(vft_u32set__add(&s, v), model[v] ? 0 : 1);
			n += !model[v];
			model[v] = true;
		} else {
			assert_int_equal(vft_u32set__del(&s, v), model[v]);
			n -= model[v];
			model[v] = false;
		}
		assert_int_equal(s.n, n);
	}
	for (v = 1; v < 4096; v++)
		assert_int_equal(vft_u32set__has(&s, v), model[v]);
	vft_u32set__clear(&s);
	assert_false(vft_u32set__has(&s, 1));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(names_errnos),	   cmocka_unit_test(joins_root_prefix),
		cmocka_unit_test(parses_sizes),	   cmocka_unit_test(formats_times),
		cmocka_unit_test(filters_by_glob), cmocka_unit_test(u32set_matches_a_model),
	};

	return cmocka_run_group_tests_name("util", tests, NULL, NULL);
}
