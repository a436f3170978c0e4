// SPDX-License-Identifier: GPL-2.0-only
/*
 * exe.c - an actor's executable, read from /proc/<pid>/exe under a root
 * prefix, and whether a path lies under a directory (see exe.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "enrich/exe.h"
#include "lib/util.h"

#define DELETED " (deleted)"

int vft_exe__read(const char *root, uint32_t pid, char *buf, size_t size)
{
	char link[64], path[4096], target[4096];
	size_t dl = strlen(DELETED);
	ssize_t n;
	int err;

	if (!size)
		return -ENAMETOOLONG;
	buf[0] = '\0';
	if (!pid)
		return -EINVAL;
	snprintf(link, sizeof(link), "/proc/%u/exe", pid);
	err = vft_path(path, sizeof(path), root, link);
	if (err)
		goto out;
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0) {
		err = -errno;
		goto out;
	}
	if ((size_t)n == sizeof(target) - 1) {
		err = -ENAMETOOLONG; /* perhaps cut */
		goto out;
	}
	target[n] = '\0';
	if ((size_t)n > dl && !strcmp(target + n - dl, DELETED))
		target[n -= dl] = '\0';
	if (target[0] != '/') {
		err = -EINVAL;
		goto out;
	}
	if ((size_t)n >= size) {
		err = -ENAMETOOLONG;
		goto out;
	}
	memcpy(buf, target, n + 1);
out:
	return err;
}

/* Whether @p has a "." or ".." component. */
static bool has_dots(const char *p)
{
	const char *s;

	for (s = p; (s = strstr(s, "/.")); s++)
		if (s[2] == '/' || !s[2] || (s[2] == '.' && (s[3] == '/' || !s[3])))
			return true;
	return false;
}

bool vft_exe__under(const char *exe, const char *dir)
{
	size_t n = strlen(dir);

	while (n > 1 && dir[n - 1] == '/')
		n--;
	if (exe[0] != '/' || dir[0] != '/' || has_dots(exe) || has_dots(dir))
		return false;
	if (n == 1) /* "/" */
		return exe[1] && exe[1] != '/';
	return !strncmp(exe, dir, n) && exe[n] == '/' && exe[n + 1] && exe[n + 1] != '/';
}
