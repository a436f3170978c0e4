// SPDX-License-Identifier: GPL-2.0-only
/*
 * metrics_proc.c - the process_* families of the registry, as the process
 * collector of the Prometheus client libraries has them: CPU time, memory,
 * open and allowed file descriptors and the start time, read from
 * /proc/self/{stat,status,fd,limits} and /proc/stat under a root prefix.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "sinks/metrics.h"
#include "sinks/metrics_internal.h"
#include "lib/util.h"

/* A decimal number and the rest of @s in @end. 0 or -EINVAL (none, or out of range). */
static int parse_u64(const char *s, char **end, uint64_t *out)
{
	unsigned long long v;

	while (*s == ' ' || *s == '\t')
		s++;
	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, end, 10);
	if (errno)
		return -EINVAL;
	*out = v;
	return 0;
}

/*
 * The first line of <root><path> that starts with @key: the rest of it in
 * @buf (truncated to @size), or the first line with an empty @key. Returns
 * 0, -ENODATA when no line starts with @key, or the -errno of the open.
 */
static int find_line(const char *root, const char *path, const char *key, char *buf, size_t size)
{
	size_t klen = strlen(key), cap = 0;
	char full[4096], *line = NULL;
	FILE *f = NULL;
	ssize_t n;
	int err;

	err = vft_path(full, sizeof(full), root, path);
	if (err)
		goto out;
	f = fopen(full, "re");
	if (!f) {
		err = -errno;
		goto out;
	}
	err = -ENODATA;
	/* getline(): /proc/stat's intr line is long on a large machine */
	while ((n = getline(&line, &cap, f)) >= 0) {
		if (strncmp(line, key, klen))
			continue;
		if (n && line[n - 1] == '\n')
			line[n - 1] = '\0';
		snprintf(buf, size, "%s", line + klen);
		err = 0;
		break;
	}
out:
	if (f)
		fclose(f);
	free(line);
	return err;
}

/* "VmRSS:\t   12345 kB" of <root>/proc/self/status, in bytes. */
static int read_status_kb(const char *root, const char *key, uint64_t *out)
{
	char buf[64], *end;
	uint64_t kb;
	int err;

	err = find_line(root, "/proc/self/status", key, buf, sizeof(buf));
	if (err)
		return err;
	if (parse_u64(buf, &end, &kb) || strcmp(end, " kB") || kb > UINT64_MAX / 1024)
		return -EINVAL;
	*out = kb * 1024;
	return 0;
}

/*
 * From <root>/proc/self/stat: utime + stime and starttime, in clock ticks.
 * The fields are counted after the last ')', as the command name may hold
 * blanks and parentheses; those before starttime may be negative (tpgid,
 * priority, nice), so only the three are parsed.
 */
static int read_stat(const char *root, uint64_t *cpu_ticks, uint64_t *start_ticks)
{
	enum { UTIME = 14, STIME = 15, STARTTIME = 22 }; /* fields of proc(5), from 1 */
	uint64_t utime = 0, stime = 0, start = 0, *want;
	char buf[1024], *p, *end;
	int err, field;

	err = find_line(root, "/proc/self/stat", "", buf, sizeof(buf));
	if (err)
		return err;
	p = strrchr(buf, ')');
	if (!p)
		return -EINVAL;
	/* at the blank before field 3, the state */
	for (field = 3, p++; field <= STARTTIME; field++) {
		if (*p != ' ' || !p[1] || p[1] == ' ')
			return -EINVAL;
		p++;
		want = field == UTIME	  ? &utime :
		       field == STIME	  ? &stime :
		       field == STARTTIME ? &start :
					    NULL;
		if (want) {
			if (parse_u64(p, &end, want))
				return -EINVAL;
			p = end;
		} else {
			p += strcspn(p, " ");
		}
	}
	*cpu_ticks = utime + stime;
	*start_ticks = start;
	return 0;
}

/* The soft limit of "Max open files" in <root>/proc/self/limits; "unlimited" is UINT64_MAX. */
static int read_max_fds(const char *root, uint64_t *out)
{
	char buf[128], *p, *end;
	int err;

	err = find_line(root, "/proc/self/limits", "Max open files", buf, sizeof(buf));
	if (err)
		return err;
	for (p = buf; *p == ' '; p++)
		;
	if (!strncmp(p, "unlimited", 9) && (p[9] == ' ' || !p[9])) {
		*out = UINT64_MAX;
		return 0;
	}
	if (parse_u64(p, &end, out) || (*end != ' ' && *end))
		return -EINVAL;
	return 0;
}

/* Entries of <root>/proc/self/fd; for the live one, the directory's own fd too. */
static int count_fds(const char *root, uint64_t *out)
{
	char path[4096];
	struct dirent *e;
	uint64_t n = 0;
	DIR *d;
	int err;

	err = vft_path(path, sizeof(path), root, "/proc/self/fd");
	if (err)
		return err;
	d = opendir(path);
	if (!d)
		return -errno;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(d);
	*out = n;
	return 0;
}

/* Keeps the first error in @err; true when @ret is 0. */
static bool ok(int ret, int *err)
{
	if (ret && !*err)
		*err = ret;
	return !ret;
}

int vft_metrics__process(struct vft_metrics *m, const char *root)
{
	uint64_t vals[P_VALUES] = { 0 }, cpu = 0, start = 0, btime = 0;
	bool have[P_VALUES] = { false }, have_stat, have_btime;
	long tck = sysconf(_SC_CLK_TCK);
	char buf[64], *end;
	int err = 0, ret, i;

	if (tck <= 0)
		tck = 100;
	/* Read without the lock: a scrape meanwhile sees the values of the last call. */
	have_stat = ok(read_stat(root, &cpu, &start), &err);
	if (have_stat) {
		vals[P_CPU] = cpu * 1000 / tck;
		have[P_CPU] = true;
	}
	have[P_RSS] = ok(read_status_kb(root, "VmRSS:", &vals[P_RSS]), &err);
	have[P_VSIZE] = ok(read_status_kb(root, "VmSize:", &vals[P_VSIZE]), &err);
	have[P_OPEN_FDS] = ok(count_fds(root, &vals[P_OPEN_FDS]), &err);
	have[P_MAX_FDS] = ok(read_max_fds(root, &vals[P_MAX_FDS]), &err);
	ret = find_line(root, "/proc/stat", "btime ", buf, sizeof(buf));
	if (!ret && (parse_u64(buf, &end, &btime) || *end))
		ret = -EINVAL;
	have_btime = ok(ret, &err);
	if (have_stat && have_btime) {
		vals[P_START] = btime * 1000 + start * 1000 / tck;
		have[P_START] = true;
	}

	pthread_mutex_lock(&m->lock);
	for (i = 0; i < P_VALUES; i++) {
		if (!have[i])
			continue;
		m->proc[i] = vals[i];
		m->have_proc[i] = true;
	}
	pthread_mutex_unlock(&m->lock);
	return err;
}
