// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_bounded.c - a call run in a child under a deadline (user/lib/bounded.c):
 * its answer, a child that fails or dies, a read that blocks for good (a FIFO
 * no one writes, as a hung sysfs file) killed at the deadline, and the same
 * watched from an event loop without blocking it.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include "lib/bounded.h"
#include "lib/util.h"

#define MS 1000000ULL

static char fifo[256];

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int answer(void *arg, int fd)
{
	return vft_write_all(fd, arg, strlen(arg));
}

static int fails(void *arg, int fd)
{
	(void)arg;
	(void)fd;
	return -ENOENT;
}

static int dies(void *arg, int fd)
{
	(void)arg;
	vft_write_all(fd, "part", 4);
	raise(SIGKILL);
	return 0;
}

/* Opens a FIFO that no one writes: blocks for good, as a read of a hung sysfs file. */
static int hangs(void *arg, int fd)
{
	char c;
	int f = open(arg, O_RDONLY);

	if (f >= 0 && read(f, &c, 1) == 1)
		return vft_write_all(fd, &c, 1);
	return -EIO;
}

static void answers(void **state)
{
	char out[6];

	assert_int_equal(vft_bounded__call(answer, "hello!", out, 6, 5000 * MS), 0);
	assert_memory_equal(out, "hello!", 6);
	/* an answer of the wrong size is none */
	assert_int_equal(vft_bounded__call(answer, "hello", out, 6, 5000 * MS), -EIO);
	assert_int_equal(vft_bounded__call(fails, NULL, out, 6, 5000 * MS), -EIO);
	assert_int_equal(vft_bounded__call(dies, NULL, out, 6, 5000 * MS), -EIO);
}

static void hung_read_is_killed_at_the_deadline(void **state)
{
	uint64_t t0 = mono_ms(), took;
	char out[1];
	int i;

	for (i = 0; i < 3; i++)
		assert_int_equal(vft_bounded__call(hangs, fifo, out, 1, 200 * MS), -ETIMEDOUT);
	took = mono_ms() - t0;
	assert_true(took >= 600);
	assert_true(took < 3000);
}

/* From an event loop: the fd to watch, the answer when it is complete, never a blocking wait. */
static void watched_from_a_loop(void **state)
{
	struct vft_bounded b;
	struct pollfd pfd;
	uint64_t t0;
	int ret, rounds = 0;

	assert_int_equal(vft_bounded__start(&b, answer, "row 1\nrow 2\n", 5000 * MS), 0);
	assert_true(vft_bounded__running(&b));
	do {
		pfd.fd = vft_bounded__fd(&b);
		pfd.events = POLLIN;
		poll(&pfd, 1, 100);
		ret = vft_bounded__poll(&b);
		rounds++;
	} while (!ret && rounds < 100);
	assert_int_equal(ret, 1);
	assert_false(vft_bounded__running(&b));
	assert_string_equal(b.buf, "row 1\nrow 2\n");
	vft_bounded__cancel(&b);

	/* a hung child: each poll returns at once, -ETIMEDOUT past the deadline */
	assert_int_equal(vft_bounded__start(&b, hangs, fifo, 300 * MS), 0);
	t0 = mono_ms();
	assert_int_equal(vft_bounded__poll(&b), 0);
	assert_true(mono_ms() - t0 < 100);
	while ((ret = vft_bounded__poll(&b)) == 0)
		usleep(20000);
	assert_int_equal(ret, -ETIMEDOUT);
	assert_true(mono_ms() - t0 >= 300);
	assert_false(vft_bounded__running(&b));
	vft_bounded__cancel(&b);
	/* cancel is idempotent, and a cancelled object starts again */
	vft_bounded__cancel(&b);
	assert_int_equal(vft_bounded__start(&b, hangs, fifo, 5000 * MS), 0);
	vft_bounded__cancel(&b);
	assert_false(vft_bounded__running(&b));
}

static int setup(void **state)
{
	const char *tmp = getenv("TMPDIR") ?: "/tmp";
	char dir[200];

	snprintf(dir, sizeof(dir), "%s/vft-bounded-XXXXXX", tmp);
	if (!mkdtemp(dir))
		return -1;
	snprintf(fifo, sizeof(fifo), "%s/state", dir);
	return mkfifo(fifo, 0600);
}

static int teardown(void **state)
{
	char dir[256];

	snprintf(dir, sizeof(dir), "%s", fifo);
	*strrchr(dir, '/') = '\0';
	unlink(fifo);
	return rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(answers),
		cmocka_unit_test(hung_read_is_killed_at_the_deadline),
		cmocka_unit_test(watched_from_a_loop),
	};

	return cmocka_run_group_tests_name("bounded", tests, setup, teardown);
}
