// SPDX-License-Identifier: GPL-2.0-only
/*
 * cgroup.c - cgroup v2 id -> path resolution with a bounded, sorted cache
 * that a rate-limited walk of the cgroup2 tree refills, and the pure string
 * functions that read a systemd unit or a Kubernetes pod from a path.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>
#include <linux/magic.h>
#include "enrich/cgroup.h"
#include "lib/util.h"

/* Deeper cgroups than this are not cached (each level holds a file descriptor). */
#define CG_MAX_DEPTH 32
#define RESCAN_NS 1000000000ULL

struct cg_ent {
	uint64_t id;
	char *path; /* relative to the cgroup2 root, "/" for the root */
};

struct cg_table {
	struct cg_ent *ents;
	size_t n, cap;
	bool truncated; /* the tree had more than VFT_CGROUP_CACHE_MAX cgroups */
};

struct vft_cgroup_cache {
	char mount[PATH_MAX];
	struct cg_table t;
	uint64_t last_scan_ns; /* CLOCK_MONOTONIC */
};

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void table_free(struct cg_table *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		free(t->ents[i].path);
	free(t->ents);
	memset(t, 0, sizeof(*t));
}

/* Adds one cgroup; a full table only sets truncated. Returns 0 or -ENOMEM. */
static int table_add(struct cg_table *t, uint64_t id, const char *path)
{
	struct cg_ent *grown;
	size_t cap;

	if (t->n == VFT_CGROUP_CACHE_MAX) {
		t->truncated = true;
		return 0;
	}
	if (t->n == t->cap) {
		cap = t->cap ? t->cap * 2 : 64;
		grown = realloc(t->ents, cap * sizeof(*grown));
		if (!grown)
			return -ENOMEM;
		t->ents = grown;
		t->cap = cap;
	}
	t->ents[t->n].path = strdup(path[0] ? path : "/");
	if (!t->ents[t->n].path)
		return -ENOMEM;
	t->ents[t->n].id = id;
	t->n++;
	return 0;
}

/*
 * Records the cgroup open at @dfd (whose path is @path[0..len)) and walks
 * its children. Takes ownership of @dfd. Cgroups that vanish mid-walk are
 * skipped. Returns 0 or -ENOMEM.
 */
static int walk(struct cg_table *t, dev_t dev, int dfd, char *path, size_t len, int depth)
{
	struct dirent *de;
	struct stat st;
	DIR *dir = NULL;
	size_t n;
	int fd, err;

	if (fstat(dfd, &st)) {
		err = 0;
		close(dfd);
		goto out;
	}
	err = table_add(t, st.st_ino, path);
	if (err || t->truncated || depth >= CG_MAX_DEPTH) {
		close(dfd);
		goto out;
	}
	dir = fdopendir(dfd);
	if (!dir) {
		close(dfd);
		goto out;
	}
	while ((de = readdir(dir))) {
		if (de->d_type != DT_DIR && de->d_type != DT_UNKNOWN)
			continue;
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		n = strlen(de->d_name);
		if (len + 1 + n >= PATH_MAX)
			continue;
		fd = openat(dirfd(dir), de->d_name,
			    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (fstat(fd, &st) || st.st_dev != dev) {
			/* another file system mounted inside the tree */
			close(fd);
			continue;
		}
		path[len] = '/';
		memcpy(path + len + 1, de->d_name, n + 1);
		err = walk(t, dev, fd, path, len + 1 + n, depth + 1);
		path[len] = '\0';
		if (err || t->truncated)
			goto out;
	}
out:
	if (dir)
		closedir(dir);
	return err;
}

static int cmp_ent(const void *a, const void *b)
{
	const struct cg_ent *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

/* Replaces the cached table with a fresh walk; keeps the old one on failure. */
static int rescan(struct vft_cgroup_cache *c)
{
	struct cg_table t = { 0 };
	char path[PATH_MAX] = "";
	struct stat st;
	int fd, err;

	c->last_scan_ns = mono_ns();
	fd = open(c->mount, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		goto out;
	}
	if (fstat(fd, &st)) {
		err = -errno;
		close(fd);
		goto out;
	}
	err = walk(&t, st.st_dev, fd, path, 0, 0);
	if (err)
		goto out;
	if (t.truncated)
		vft_debug("cgroup: more than %d cgroups under %s, caching the first\n",
			  VFT_CGROUP_CACHE_MAX, c->mount);
	qsort(t.ents, t.n, sizeof(*t.ents), cmp_ent);
	table_free(&c->t);
	c->t = t;
	memset(&t, 0, sizeof(t));
out:
	table_free(&t);
	return err;
}

/* Picks the cgroup2 mount under @root into @buf. */
static int find_mount(const char *root, char *buf, size_t size)
{
	static const char *const cands[] = { "/sys/fs/cgroup", "/sys/fs/cgroup/unified" };
	char path[PATH_MAX], ctl[PATH_MAX + 32];
	struct statfs sfs;
	size_t i;
	int err;

	for (i = 0; i < ARRAY_SIZE(cands); i++) {
		err = vft_path(path, sizeof(path), root, cands[i]);
		if (err)
			return err;
		if (!statfs(path, &sfs) && sfs.f_type == CGROUP2_SUPER_MAGIC)
			goto found;
	}
	for (i = 0; i < ARRAY_SIZE(cands); i++) {
		err = vft_path(path, sizeof(path), root, cands[i]);
		if (err)
			return err;
		snprintf(ctl, sizeof(ctl), "%s/cgroup.controllers", path);
		if (!access(ctl, F_OK))
			goto found;
	}
	return -ENOENT;
found:
	if (strlen(path) >= size)
		return -ENAMETOOLONG;
	strcpy(buf, path);
	return 0;
}

int vft_cgroup_cache__new(const char *root, struct vft_cgroup_cache **out)
{
	struct vft_cgroup_cache *c;
	int err;

	*out = NULL;
	c = calloc(1, sizeof(*c));
	if (!c) {
		err = -ENOMEM;
		goto out;
	}
	err = find_mount(root, c->mount, sizeof(c->mount));
	if (err)
		goto out;
	err = rescan(c);
	if (err)
		goto out;
	*out = c;
	c = NULL;
out:
	vft_cgroup_cache__free(c);
	return err;
}

static const struct cg_ent *lookup(const struct vft_cgroup_cache *c, uint64_t id)
{
	struct cg_ent key = { .id = id };

	if (!c->t.n)
		return NULL;
	return bsearch(&key, c->t.ents, c->t.n, sizeof(key), cmp_ent);
}

int vft_cgroup_cache__path(struct vft_cgroup_cache *c, uint64_t id, char *buf, size_t size)
{
	const struct cg_ent *e;
	int err = 0;

	if (!size)
		return -EINVAL;
	buf[0] = '\0';
	e = lookup(c, id);
	if (!e) {
		/* a cgroup created since the last walk, or an id from elsewhere */
		if (mono_ns() - c->last_scan_ns < RESCAN_NS) {
			err = -ENOENT;
			goto out;
		}
		err = rescan(c);
		if (err)
			goto out;
		e = lookup(c, id);
		if (!e) {
			err = -ENOENT;
			goto out;
		}
	}
	if (strlen(e->path) >= size) {
		err = -ENAMETOOLONG;
		goto out;
	}
	strcpy(buf, e->path);
out:
	return err;
}

const char *vft_cgroup_cache__mount(const struct vft_cgroup_cache *c)
{
	return c->mount;
}

void vft_cgroup_cache__free(struct vft_cgroup_cache *c)
{
	if (!c)
		return;
	table_free(&c->t);
	free(c);
}

/* Copies @n bytes of @s into @buf as a string. */
static int put(char *buf, size_t size, const char *s, size_t n)
{
	if (n >= size)
		return -ENAMETOOLONG;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return 0;
}

static bool ends_with(const char *s, size_t n, const char *suffix)
{
	size_t k = strlen(suffix);

	return n > k && !memcmp(s + n - k, suffix, k);
}

/* The components of a cgroup path, as (start, length) pairs. */
struct comps {
	const char *s[64];
	size_t n[64];
	size_t count;
};

static int split(const char *path, struct comps *c)
{
	const char *p = path, *e;

	c->count = 0;
	if (!path || path[0] != '/')
		return -EINVAL;
	while (*p) {
		while (*p == '/')
			p++;
		if (!*p)
			break;
		e = strchrnul(p, '/');
		if (c->count == ARRAY_SIZE(c->s))
			return -ENAMETOOLONG;
		c->s[c->count] = p;
		c->n[c->count] = e - p;
		c->count++;
		p = e;
	}
	return 0;
}

int vft_cgroup__unit(const char *path, char *buf, size_t size)
{
	static const char *const units[] = { ".service", ".scope", ".socket", ".mount", ".swap" };
	struct comps c;
	size_t i, k;
	int err, slice = -1;

	if (size)
		buf[0] = '\0';
	err = split(path, &c);
	if (err)
		return err;
	for (i = c.count; i-- > 0;) {
		for (k = 0; k < ARRAY_SIZE(units); k++)
			if (ends_with(c.s[i], c.n[i], units[k]))
				return put(buf, size, c.s[i], c.n[i]);
		if (slice < 0 && ends_with(c.s[i], c.n[i], ".slice"))
			slice = (int)i;
	}
	if (slice < 0)
		return -ENOENT;
	return put(buf, size, c.s[slice], c.n[slice]);
}

/* A pod UID as the kubelet writes it: hex digits and dashes (underscores in systemd names). */
static bool uid_ok(const char *s, size_t n)
{
	size_t i;

	if (n < 8 || n > 64)
		return false;
	for (i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]) && s[i] != '-' && s[i] != '_')
			return false;
	return true;
}

/* The container id in a pod's child cgroup name, or NULL/0 if it names none. */
static const char *container_id(const char *s, size_t n, size_t *idn)
{
	static const char *const prefixes[] = { "cri-containerd-", "crio-conmon-", "crio-",
						"docker-", "cri-dockerd-" };
	size_t i, k;

	if (ends_with(s, n, ".scope"))
		n -= strlen(".scope");
	for (k = 0; k < ARRAY_SIZE(prefixes); k++) {
		size_t pl = strlen(prefixes[k]);

		if (n > pl && !strncmp(s, prefixes[k], pl)) {
			s += pl;
			n -= pl;
			break;
		}
	}
	if (n < 12 || n > 64)
		return NULL;
	for (i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]))
			return NULL;
	*idn = n;
	return s;
}

int vft_cgroup__pod(const char *path, char *uid, size_t uid_size, char *container, size_t csize)
{
	const char *u = NULL, *id = NULL, *p;
	size_t un = 0, idn = 0, i, k;
	bool kubepods = false;
	struct comps c;
	int err;

	if (uid_size)
		uid[0] = '\0';
	if (container && csize)
		container[0] = '\0';
	err = split(path, &c);
	if (err)
		return err;
	for (i = 0; i < c.count && !u; i++) {
		const char *s = c.s[i];
		size_t n = c.n[i];

		if (n == strlen("kubepods") && !memcmp(s, "kubepods", n)) {
			kubepods = true; /* cgroupfs driver */
			continue;
		}
		if (ends_with(s, n, ".slice") && memmem(s, n, "kubepods", strlen("kubepods"))) {
			/* systemd driver: kubepods[-<qos>]-pod<uid>.slice */
			n -= strlen(".slice");
			for (p = NULL, k = 0; k + 4 <= n; k++)
				if (!memcmp(s + k, "-pod", 4))
					p = s + k + 4;
			if (p && uid_ok(p, s + n - p)) {
				u = p;
				un = s + n - p;
			}
			continue;
		}
		if (kubepods && n > 3 && !memcmp(s, "pod", 3) && uid_ok(s + 3, n - 3)) {
			u = s + 3;
			un = n - 3;
		}
	}
	if (!u)
		return -ENOENT;
	if (i < c.count)
		id = container_id(c.s[i], c.n[i], &idn);
	err = put(uid, uid_size, u, un);
	if (err)
		return err;
	for (k = 0; k < un; k++)
		if (uid[k] == '_')
			uid[k] = '-';
	if (container && id)
		return put(container, csize, id, idn);
	return 0;
}
