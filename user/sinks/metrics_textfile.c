// SPDX-License-Identifier: GPL-2.0-only
/*
 * metrics_textfile.c - the registry's rendering written for node_exporter's
 * textfile collector: a private temporary file beside the target, synced,
 * then renamed over it, so that a scrape never reads half a file and a
 * symlink is never written through.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/stat.h>
#include "sinks/metrics.h"
#include "lib/util.h"

static int open_tmp(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);

	return fd < 0 ? -errno : fd;
}

int vft_metrics__write_textfile(struct vft_metrics *m, const char *path)
{
	char tmp[4096];
	char *buf = NULL;
	bool created = false;
	size_t len = 0;
	struct stat st;
	int fd = -1, err, n;

	if (!path || !*path)
		return -EINVAL;
	n = snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid());
	if (n < 0 || (size_t)n >= sizeof(tmp))
		return -ENAMETOOLONG;
	if (!lstat(path, &st) && S_ISLNK(st.st_mode))
		return -ELOOP;
	err = vft_metrics__render(m, &buf, &len);
	if (err)
		goto out;
	fd = open_tmp(tmp);
	/* Left by an earlier process with this pid (a container's pid 1), killed mid-write. */
	if (fd == -EEXIST) {
		if (unlink(tmp)) {
			err = -errno;
			goto out;
		}
		fd = open_tmp(tmp);
	}
	if (fd < 0) {
		err = fd;
		goto out;
	}
	created = true;
	/* The umask may have taken bits away: the mode is exactly 0600. */
	if (fchmod(fd, 0600)) {
		err = -errno;
		goto out;
	}
	err = vft_write_all(fd, buf, len);
	if (err)
		goto out;
	if (fsync(fd)) {
		err = -errno;
		goto out;
	}
	err = close(fd) ? -errno : 0;
	fd = -1;
	if (err)
		goto out;
	if (rename(tmp, path)) {
		err = -errno;
		goto out;
	}
	created = false;
out:
	if (fd >= 0)
		close(fd);
	if (created)
		unlink(tmp);
	free(buf);
	return err;
}
