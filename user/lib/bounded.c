// SPDX-License-Identifier: GPL-2.0-only
/*
 * bounded.c - a call that may hang, run in a child process under a deadline
 * (see bounded.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>
#include "lib/bounded.h"
#include "lib/util.h"

/*
 * Children killed but not yet gone: a task blocked in the kernel dies only
 * when the call returns. They are reaped by later calls; past this many, the
 * oldest is no longer tracked (its zombie, if any, stays until we exit).
 */
#define MAX_KILLED 64
static pid_t killed[MAX_KILLED];

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void reap_killed(void)
{
	size_t i;

	for (i = 0; i < MAX_KILLED; i++)
		if (killed[i] > 0 && waitpid(killed[i], NULL, WNOHANG) != 0)
			killed[i] = 0; /* reaped, or not our child any more */
}

static void kill_child(pid_t pid)
{
	size_t i;

	kill(pid, SIGKILL);
	if (waitpid(pid, NULL, WNOHANG) != 0)
		return;
	for (i = 0; i < MAX_KILLED && killed[i] > 0; i++)
		;
	if (i == MAX_KILLED) {
		memmove(killed, killed + 1, (MAX_KILLED - 1) * sizeof(killed[0]));
		i = MAX_KILLED - 1;
	}
	killed[i] = pid;
}

/* Ends the call: kills the child unless it was reaped. The pipe stays open until cancel. */
static void end_call(struct vft_bounded *b, bool kill_it)
{
	if (b->pid > 0 && kill_it)
		kill_child(b->pid);
	b->pid = 0;
}

int vft_bounded__start(struct vft_bounded *b, vft_bounded_fn fn, void *arg, uint64_t timeout_ns)
{
	int fds[2] = { -1, -1 }, err = 0;
	pid_t pid;

	memset(b, 0, sizeof(*b));
	b->fd = -1;
	reap_killed();
	if (pipe2(fds, O_CLOEXEC)) {
		err = -errno;
		goto out;
	}
	pid = fork();
	if (pid < 0) {
		err = -errno;
		goto out;
	}
	if (pid == 0) {
		close(fds[0]);
		/* no atexit handlers, no stdio flush: the parent owns those */
		_exit(fn(arg, fds[1]) ? 1 : 0);
	}
	b->pid = pid;
	b->fd = fds[0];
	fds[0] = -1;
	b->deadline_ns = mono_ns() + timeout_ns;
	if (fcntl(b->fd, F_SETFL, O_NONBLOCK))
		err = -errno;
out:
	if (fds[0] >= 0)
		close(fds[0]);
	if (fds[1] >= 0)
		close(fds[1]);
	if (err)
		vft_bounded__cancel(b);
	return err;
}

/* Appends what can be read now; returns 1 at EOF, 0 when more may come, or -errno. */
static int read_some(struct vft_bounded *b)
{
	char *nb;
	ssize_t n;

	for (;;) {
		if (b->cap - b->len < 4096 + 1) {
			nb = realloc(b->buf, b->cap ? b->cap * 2 : 8192);
			if (!nb)
				return -ENOMEM;
			b->buf = nb;
			b->cap = b->cap ? b->cap * 2 : 8192;
		}
		n = read(b->fd, b->buf + b->len, b->cap - b->len - 1);
		if (n > 0) {
			b->len += (size_t)n;
			b->buf[b->len] = '\0';
			continue;
		}
		if (n == 0)
			return 1;
		if (errno == EINTR)
			continue;
		return errno == EAGAIN ? 0 : -errno;
	}
}

int vft_bounded__poll(struct vft_bounded *b)
{
	int status = 0, err;
	pid_t w;

	if (b->pid <= 0)
		return -EINVAL;
	err = read_some(b);
	if (err == 0) {
		if (mono_ns() < b->deadline_ns)
			return 0;
		end_call(b, true);
		return -ETIMEDOUT;
	}
	if (err < 0) {
		end_call(b, true);
		return err;
	}
	/* EOF: the child closed its end, it exits now */
	do
		w = waitpid(b->pid, &status, 0);
	while (w < 0 && errno == EINTR);
	end_call(b, w < 0);
	return w > 0 && WIFEXITED(status) && !WEXITSTATUS(status) ? 1 : -EIO;
}

int vft_bounded__wait(struct vft_bounded *b)
{
	struct pollfd pfd;
	uint64_t now;
	int ret;

	while ((ret = vft_bounded__poll(b)) == 0) {
		now = mono_ns();
		pfd.fd = b->fd;
		pfd.events = POLLIN;
		/* until the deadline, rounded up to a millisecond */
		if (poll(&pfd, 1,
			 now >= b->deadline_ns ?
				 0 :
				 (int)((b->deadline_ns - now + 999999) / 1000000)) < 0 &&
		    errno != EINTR) {
			ret = -errno;
			end_call(b, true);
			break;
		}
	}
	return ret;
}

void vft_bounded__cancel(struct vft_bounded *b)
{
	end_call(b, true);
	if (b->fd >= 0)
		close(b->fd);
	b->fd = -1;
	free(b->buf);
	b->buf = NULL;
	b->len = b->cap = 0;
}

int vft_bounded__call(vft_bounded_fn fn, void *arg, void *out, size_t size, uint64_t timeout_ns)
{
	struct vft_bounded b;
	int err;

	err = vft_bounded__start(&b, fn, arg, timeout_ns);
	if (err)
		return err;
	err = vft_bounded__wait(&b);
	if (err == 1)
		err = b.len == size ? 0 : -EIO;
	if (!err)
		memcpy(out, b.buf, size);
	vft_bounded__cancel(&b);
	return err;
}
