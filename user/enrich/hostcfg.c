// SPDX-License-Identifier: GPL-2.0-only
/*
 * hostcfg.c - would systemd-networkd or NetworkManager, as configured under a
 * root prefix, manage a netdev? The rules are in hostcfg.h. This file gives
 * the verdict (vft_hostcfg__claims(), one claim per manager) and holds what
 * reading any of their configuration takes: paths resolved inside the root,
 * files opened and read line by line, sets of files found in a list of
 * directories (masked by name, in reading order). Each manager has its own
 * file: hostcfg_networkd.c (.network files), hostcfg_nm.c (NetworkManager's
 * unmanaged-devices) and hostcfg_udev.c (udev's NM_UNMANAGED).
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include "enrich/hostcfg.h"
#include "enrich/hostcfg_internal.h"
#include "enrich/sysfs.h"
#include "lib/util.h"

#define LINK_HOPS_MAX 40 /* as the kernel's own limit */
#define COLLECT_DIRS_MAX 8
#define CFG_FILES_MAX 4096 /* per set of directories */
#define IFNAME_LEN 16	   /* IFNAMSIZ */

/* ---- reading configuration under the root ---- */

/*
 * Resolves the absolute @path as if @root were "/": symbolic links are
 * followed (at most LINK_HOPS_MAX), absolute targets and ".." never leave the
 * root. Writes the resolved path, without the root, to @out. Returns 0;
 * -ENOENT with @out naming where the path leads (so that a link to /dev/null
 * reads "/dev/null" in a tree that has none); -ELOOP, -ENAMETOOLONG or the
 * -errno of lstat() or readlink().
 */
static int resolve(const char *root, const char *path, char *out, size_t size)
{
	char cur[PATH_MAX], rest[PATH_MAX], full[PATH_MAX], target[PATH_MAX];
	size_t clen = 0, n, plen;
	unsigned int hops = 0;
	const char *comp, *p;
	struct stat st;
	ssize_t tl;
	int err = 0;

	cur[0] = '\0';
	if (strlen(path) >= sizeof(rest)) {
		err = -ENAMETOOLONG;
		goto out;
	}
	strcpy(rest, path);
	p = rest;
	for (;;) {
		while (*p == '/')
			p++;
		if (!*p)
			break;
		comp = p;
		n = strcspn(p, "/");
		p += n;
		if (n == 1 && comp[0] == '.')
			continue;
		if (n == 2 && comp[0] == '.' && comp[1] == '.') {
			char *slash = strrchr(cur, '/');

			if (slash) {
				*slash = '\0';
				clen = slash - cur;
			}
			continue;
		}
		if (clen + 1 + n >= sizeof(cur)) {
			err = -ENAMETOOLONG;
			goto out;
		}
		cur[clen++] = '/';
		memcpy(cur + clen, comp, n);
		clen += n;
		cur[clen] = '\0';
		err = vft_path(full, sizeof(full), root, cur);
		if (err)
			goto out;
		if (lstat(full, &st)) {
			err = -errno;
			if (err == -ENOENT && clen + strlen(p) < sizeof(cur))
				strcpy(cur + clen, p); /* where it would lead, unresolved */
			goto out;
		}
		if (!S_ISLNK(st.st_mode))
			continue;
		if (++hops > LINK_HOPS_MAX) {
			err = -ELOOP;
			goto out;
		}
		tl = readlink(full, target, sizeof(target) - 1);
		if (tl < 0) {
			err = -errno;
			goto out;
		}
		target[tl] = '\0';
		/* the target is relative to the link's directory, or to the root */
		clen -= n + 1;
		cur[clen] = '\0';
		if (target[0] == '/') {
			clen = 0;
			cur[0] = '\0';
		}
		plen = strlen(p);
		if ((size_t)tl + plen >= sizeof(rest)) {
			err = -ENAMETOOLONG;
			goto out;
		}
		memmove(rest + tl, p, plen + 1);
		memcpy(rest, target, tl);
		p = rest;
	}
out:
	if (!cur[0])
		strcpy(cur, "/");
	if (strlen(cur) >= size) {
		if (size)
			out[0] = '\0';
		return -ENAMETOOLONG;
	}
	strcpy(out, cur);
	return err;
}

/* <root> + resolve(@path) into @full. Returns resolve()'s value. */
static int resolve_full(const char *root, const char *path, char *full, size_t size)
{
	char real[PATH_MAX];
	int err;

	err = resolve(root, path, real, sizeof(real));
	if (err)
		return err;
	return vft_path(full, size, root, real);
}

int hostcfg_open(const char *root, const char *path, FILE **f)
{
	char real[PATH_MAX], full[PATH_MAX];
	struct stat st;
	int fd = -1;
	int err;

	*f = NULL;
	err = resolve(root, path, real, sizeof(real));
	if ((!err || err == -ENOENT) && !strcmp(real, "/dev/null")) {
		err = 1;
		goto out;
	}
	if (err)
		goto out;
	err = vft_path(full, sizeof(full), root, real);
	if (err)
		goto out;
	/* not blocking on a FIFO; never through a link swapped in since */
	fd = open(full, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) {
		err = -errno;
		goto out;
	}
	if (fstat(fd, &st)) {
		err = -errno;
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		err = S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
		goto out;
	}
	if (!st.st_size) {
		err = 1;
		goto out;
	}
	*f = fdopen(fd, "r");
	if (!*f) {
		err = -errno;
		goto out;
	}
	fd = -1;
out:
	if (fd >= 0)
		close(fd);
	return err;
}

void hostcfg_fmt(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, size, fmt, ap);
	va_end(ap);
}

char *hostcfg_strip(char *s)
{
	size_t n;

	while (isspace((unsigned char)*s))
		s++;
	n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	return s;
}

int hostcfg_next_line(FILE *f, char *buf)
{
	size_t len;
	int c;

	if (!fgets(buf, LINE_LEN, f))
		return ferror(f) ? -EIO : 0;
	len = strlen(buf); /* stops at a NUL byte: the rest of such a line is dropped */
	if (len == LINE_LEN - 1 && buf[len - 1] != '\n') {
		do {
			c = getc(f);
		} while (c != EOF && c != '\n');
		buf[0] = '\0';
		return -EOVERFLOW;
	}
	if (len && buf[len - 1] == '\n')
		buf[--len] = '\0';
	if (len && buf[len - 1] == '\r')
		buf[--len] = '\0';
	return 1;
}

int hostcfg_parse_bool(const char *s)
{
	static const char *const yes[] = { "1", "yes", "y", "true", "t", "on" };
	static const char *const no[] = { "0", "no", "n", "false", "f", "off" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(yes); i++) {
		if (!strcasecmp(s, yes[i]))
			return 1;
		if (!strcasecmp(s, no[i]))
			return 0;
	}
	return -1;
}

static bool has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n > m && !strcmp(s + n - m, suffix);
}

void hostcfg_files__free(struct hostcfg_files *s)
{
	free(s->v);
	s->v = NULL;
	s->n = s->cap = 0;
}

static int cmp_cfg_file(const void *a, const void *b)
{
	const struct hostcfg_file *x = a, *y = b;

	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	return strcmp(x->name, y->name);
}

int hostcfg_files__collect(const char *root, const char *const *dirs, size_t ndirs,
			   const unsigned int *rank, const char *suffix, struct hostcfg_files *set)
{
	struct vft_sysfs_list l = { 0 };
	char full[PATH_MAX], entry[PATH_MAX];
	struct stat st, seen[COLLECT_DIRS_MAX];
	struct hostcfg_file *grown;
	size_t d = 0, i, j, nseen = 0;
	int err = 0;

	if (ndirs > COLLECT_DIRS_MAX) {
		err = -E2BIG;
		goto out;
	}
	for (d = 0; d < ndirs; d++) {
		vft_sysfs_list__free(&l);
		err = resolve_full(root, dirs[d], full, sizeof(full));
		if (!err && stat(full, &st))
			err = -errno;
		if (err == -ENOENT || err == -ENOTDIR) {
			err = 0;
			continue;
		}
		if (err)
			goto out;
		/* /lib/... is /usr/lib/... on a merged-/usr system: list it once */
		for (j = 0; j < nseen; j++)
			if (seen[j].st_dev == st.st_dev && seen[j].st_ino == st.st_ino)
				break;
		if (j < nseen)
			continue;
		seen[nseen++] = st;
		err = vft_sysfs__list(NULL, full, NULL, &l);
		if (err == -ENOENT || err == -ENOTDIR) {
			err = 0;
			continue;
		}
		if (err)
			goto out;
		for (i = 0; i < l.n; i++) {
			const char *name = l.names[i];

			if (name[0] == '.' || !has_suffix(name, suffix) || strlen(name) > NAME_MAX)
				continue;
			if ((size_t)snprintf(entry, sizeof(entry), "%s/%s", full, name) >=
				    sizeof(entry) ||
			    (!lstat(entry, &st) && S_ISDIR(st.st_mode)))
				continue;
			for (j = 0; j < set->n && strcmp(set->v[j].name, name); j++)
				;
			if (j < set->n) {
				vft_debug("hostcfg: %s/%s: masked by %s/%s\n", dirs[d], name,
					  dirs[set->v[j].dir], name);
				continue;
			}
			if (set->n == CFG_FILES_MAX) {
				err = -E2BIG;
				goto out;
			}
			if (set->n == set->cap) {
				set->cap = set->cap ? set->cap * 2 : 16;
				grown = realloc(set->v, set->cap * sizeof(*set->v));
				if (!grown) {
					err = -ENOMEM;
					goto out;
				}
				set->v = grown;
			}
			strcpy(set->v[set->n].name, name);
			set->v[set->n].dir = d;
			set->v[set->n].rank = rank ? rank[d] : 0;
			set->n++;
		}
	}
	if (set->n)
		qsort(set->v, set->n, sizeof(*set->v), cmp_cfg_file);
out:
	if (err)
		vft_debug("hostcfg: %s: %s\n", d < ndirs ? dirs[d] : "", strerror(-err));
	vft_sysfs_list__free(&l);
	return err;
}

bool hostcfg_exists(const char *root, const char *path)
{
	char real[PATH_MAX];

	return !resolve(root, path, real, sizeof(real));
}

/* ---- the verdict ---- */

int vft_hostcfg__claims(const char *root, const char *ifname, const char *driver,
			struct vft_hostcfg_claim out[2])
{
	size_t len;
	int n = 0, err;

	if (!out || !ifname) {
		err = -EINVAL;
		goto out;
	}
	len = strnlen(ifname, IFNAME_LEN);
	if (!len || len >= IFNAME_LEN || strchr(ifname, '/')) {
		err = -EINVAL;
		goto out;
	}
	err = hostcfg_networkd_claim(root, ifname, driver, &out[n]);
	if (err < 0)
		goto out;
	n += err;
	err = hostcfg_nm_claim(root, ifname, driver, &out[n]);
	if (err < 0)
		goto out;
	n += err;
	err = n;
out:
	return err;
}

unsigned int vft_hostcfg__manager_bit(const char *manager)
{
	if (!strcmp(manager, "systemd-networkd"))
		return VFT_HOSTCFG_NETWORKD;
	if (!strcmp(manager, "NetworkManager"))
		return VFT_HOSTCFG_NM;
	return 0;
}

int vft_hostcfg__running(const char *root)
{
	struct vft_sysfs_list l = { 0 };
	char path[64], comm[32];
	unsigned int bits = 0;
	size_t i;
	int err;

	err = vft_sysfs__list(root, "/proc", NULL, &l);
	if (err)
		goto out;
	for (i = 0; i < l.n; i++) {
		if (!isdigit((unsigned char)l.names[i][0]) || strlen(l.names[i]) > 20)
			continue;
		snprintf(path, sizeof(path), "/proc/%s/comm", l.names[i]);
		if (vft_sysfs__read(root, path, comm, sizeof(comm)) < 0)
			continue; /* gone since the listing */
		if (!strcmp(comm, "systemd-network"))
			bits |= VFT_HOSTCFG_NETWORKD;
		else if (!strcmp(comm, "NetworkManager"))
			bits |= VFT_HOSTCFG_NM;
	}
	err = (int)bits;
out:
	vft_sysfs_list__free(&l);
	return err;
}
