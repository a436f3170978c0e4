/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bounded.h - a call that may block for good (a read of sysfs or procfs that
 * hangs in a driver) run in a child process under a deadline, so that the
 * event loop that asked for it waits at most the deadline, or not at all.
 *
 * The child runs @fn, which writes its answer to a pipe; the parent reads the
 * answer as it comes (vft_bounded__poll(), from an event loop that watches
 * vft_bounded__fd()) or waits for it (vft_bounded__wait()). Past the deadline
 * the child is killed and the answer dropped: -ETIMEDOUT. A child that a
 * signal cannot end at once (blocked in the kernel) is reaped later, by the
 * next call of any vft_bounded function.
 */
#ifndef VFT_BOUNDED_H
#define VFT_BOUNDED_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* In the child: writes the answer to @fd (vft_write_all()). Returns 0 or -errno. */
typedef int (*vft_bounded_fn)(void *arg, int fd);

struct vft_bounded {
	pid_t pid;	      /* 0: nothing running */
	int fd;		      /* the read end of the answer's pipe, -1 when none */
	uint64_t deadline_ns; /* CLOCK_MONOTONIC */
	char *buf;	      /* the answer so far (malloc'ed, NUL-terminated) */
	size_t len, cap;
};

/* Starts @fn(@arg) in a child with @timeout_ns to answer. Returns 0 or -errno. */
int vft_bounded__start(struct vft_bounded *b, vft_bounded_fn fn, void *arg, uint64_t timeout_ns);
/* Whether a child is running (started and not yet answered, cancelled or timed out). */
static inline int vft_bounded__running(const struct vft_bounded *b)
{
	return b->pid > 0;
}
/* The fd to watch for the answer (readable), -1 when none; open until vft_bounded__cancel(). */
static inline int vft_bounded__fd(const struct vft_bounded *b)
{
	return b->fd;
}

/*
 * Reads what the child wrote so far, without blocking. Returns 1 when the
 * answer is complete (in b->buf, b->len; the child exited 0), 0 while it is
 * not and the deadline has not passed, -ETIMEDOUT past the deadline (the
 * child is killed), -EIO when the child failed or died without an answer.
 * After anything but 0 the call is over (vft_bounded__running() is false);
 * vft_bounded__cancel() then closes the pipe and frees the answer.
 */
int vft_bounded__poll(struct vft_bounded *b);
/* vft_bounded__poll() until it returns other than 0, waiting at most until the deadline. */
int vft_bounded__wait(struct vft_bounded *b);
/* Kills the child, if any, closes the pipe and frees the answer; the object can start again. */
void vft_bounded__cancel(struct vft_bounded *b);

/*
 * Runs @fn(@arg) in a child and waits at most @timeout_ns for its answer of
 * exactly @size bytes into @out. Returns 0, -ETIMEDOUT, -EIO or -errno.
 */
int vft_bounded__call(vft_bounded_fn fn, void *arg, void *out, size_t size, uint64_t timeout_ns);

#endif /* VFT_BOUNDED_H */
