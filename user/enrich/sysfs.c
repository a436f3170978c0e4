// SPDX-License-Identifier: GPL-2.0-only
/*
 * sysfs.c - root-prefixed readers for one-line kernel attributes, symbolic
 * links and directories, and strict parsers for the formats sysfs uses.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "enrich/sysfs.h"
#include "lib/util.h"

/* sysfs attributes are at most a page; one line of anything else fits too. */
#define ATTR_MAX 4096

int vft_sysfs__read(const char *root, const char *path, char *buf, size_t size)
{
	char full[PATH_MAX];
	char tmp[ATTR_MAX + 1];
	size_t len = 0;
	ssize_t n;
	char *nl;
	int fd = -1;
	int err;

	if (!size)
		return -EINVAL;
	buf[0] = '\0';
	err = vft_path(full, sizeof(full), root, path);
	if (err)
		goto out;
	fd = open(full, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		goto out;
	}
	while (len < ATTR_MAX) {
		n = read(fd, tmp + len, ATTR_MAX - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = -errno;
			goto out;
		}
		if (n == 0)
			break;
		len += n;
		/* One line is all we want: stop as soon as it is complete. */
		if (memchr(tmp + len - n, '\n', n))
			break;
	}
	tmp[len] = '\0';
	nl = memchr(tmp, '\n', len);
	if (nl) {
		len = nl - tmp;
	} else if (len == ATTR_MAX) {
		err = -EOVERFLOW;
		goto out;
	}
	if (memchr(tmp, '\0', len)) {
		/* a binary file is not an attribute */
		err = -EINVAL;
		goto out;
	}
	while (len && isspace((unsigned char)tmp[len - 1]))
		len--;
	if (len >= size) {
		err = -EOVERFLOW;
		goto out;
	}
	memcpy(buf, tmp, len);
	buf[len] = '\0';
	err = (int)len;
out:
	if (fd >= 0)
		close(fd);
	return err;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Parses s[0..n) as hex digits only; -EINVAL on anything else, -ERANGE past @max. */
static int parse_hex_digits(const char *s, size_t n, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;
	int d;

	if (!n)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		d = hex_digit(s[i]);
		if (d < 0)
			return -EINVAL;
		if (v > (max - d) / 16)
			return -ERANGE;
		v = v * 16 + d;
	}
	*out = v;
	return 0;
}

static int parse_dec_digits(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (!*s)
		return -EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		if (v > (max - (*s - '0')) / 10)
			return -ERANGE;
		v = v * 10 + (*s - '0');
	}
	*out = v;
	return 0;
}

int vft_sysfs__parse_u32(const char *s, uint32_t *out)
{
	uint64_t v;
	int err;

	if (!s)
		return -EINVAL;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		err = parse_hex_digits(s + 2, strlen(s + 2), UINT32_MAX, &v);
	else
		err = parse_dec_digits(s, UINT32_MAX, &v);
	if (!err)
		*out = (uint32_t)v;
	return err;
}

int vft_sysfs__parse_s32(const char *s, int32_t *out)
{
	uint64_t v;
	int neg = 0;
	int err;

	if (!s)
		return -EINVAL;
	if (*s == '-') {
		neg = 1;
		s++;
	}
	err = parse_dec_digits(s, neg ? (uint64_t)INT32_MAX + 1 : INT32_MAX, &v);
	if (!err)
		*out = neg ? (int32_t)(-(int64_t)v) : (int32_t)v;
	return err;
}

int vft_sysfs__parse_hex(const char *s, uint32_t *out)
{
	uint64_t v;
	int err;

	if (!s)
		return -EINVAL;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	err = parse_hex_digits(s, strlen(s), UINT32_MAX, &v);
	if (!err)
		*out = (uint32_t)v;
	return err;
}

int vft_sysfs__parse_state(const char *s, uint32_t *num, char *name, size_t nsize)
{
	const char *colon;
	char digits[12];
	size_t n;
	uint64_t v;
	int err;

	if (!s)
		return -EINVAL;
	colon = strchr(s, ':');
	if (!colon)
		return -EINVAL;
	n = colon - s;
	if (!n || n >= sizeof(digits))
		return n ? -ERANGE : -EINVAL;
	memcpy(digits, s, n);
	digits[n] = '\0';
	err = parse_dec_digits(digits, UINT32_MAX, &v);
	if (err)
		return err;
	s = colon + 1;
	while (*s == ' ')
		s++;
	/* The kernel always names the state; a bare "4:" is not its format. */
	if (!*s)
		return -EINVAL;
	*num = (uint32_t)v;
	if (name && nsize)
		snprintf(name, nsize, "%s", s);
	return 0;
}

int vft_sysfs__parse_guid(const char *s, uint64_t *out)
{
	uint64_t v = 0, g;
	int i, err;

	if (!s || strlen(s) != 19)
		return -EINVAL;
	for (i = 0; i < 4; i++) {
		if (i < 3 && s[i * 5 + 4] != ':')
			return -EINVAL;
		err = parse_hex_digits(s + i * 5, 4, 0xffff, &g);
		if (err)
			return err;
		v = v << 16 | g;
	}
	*out = v;
	return 0;
}

int vft_sysfs__parse_gid(const char *s, uint8_t gid[16])
{
	uint8_t tmp[16];
	uint64_t g;
	int i, err;

	if (!s || strlen(s) != 39)
		return -EINVAL;
	for (i = 0; i < 8; i++) {
		if (i < 7 && s[i * 5 + 4] != ':')
			return -EINVAL;
		err = parse_hex_digits(s + i * 5, 4, 0xffff, &g);
		if (err)
			return err;
		tmp[i * 2] = g >> 8;
		tmp[i * 2 + 1] = g & 0xff;
	}
	memcpy(gid, tmp, sizeof(tmp));
	return 0;
}

int vft_sysfs__read_u32(const char *root, const char *path, uint32_t *out)
{
	char buf[64];
	int err = vft_sysfs__read(root, path, buf, sizeof(buf));

	return err < 0 ? err : vft_sysfs__parse_u32(buf, out);
}

int vft_sysfs__read_s32(const char *root, const char *path, int32_t *out)
{
	char buf[64];
	int err = vft_sysfs__read(root, path, buf, sizeof(buf));

	return err < 0 ? err : vft_sysfs__parse_s32(buf, out);
}

int vft_sysfs__read_hex(const char *root, const char *path, uint32_t *out)
{
	char buf[64];
	int err = vft_sysfs__read(root, path, buf, sizeof(buf));

	return err < 0 ? err : vft_sysfs__parse_hex(buf, out);
}

int vft_sysfs__read_state(const char *root, const char *path, uint32_t *num)
{
	char buf[64];
	int err = vft_sysfs__read(root, path, buf, sizeof(buf));

	return err < 0 ? err : vft_sysfs__parse_state(buf, num, NULL, 0);
}

int vft_sysfs__read_guid(const char *root, const char *path, uint64_t *out)
{
	char buf[64];
	int err = vft_sysfs__read(root, path, buf, sizeof(buf));

	return err < 0 ? err : vft_sysfs__parse_guid(buf, out);
}

int vft_sysfs__link_name(const char *root, const char *path, char *buf, size_t size)
{
	char full[PATH_MAX];
	char target[PATH_MAX];
	char *real = NULL;
	const char *base;
	ssize_t n;
	int err;

	if (!size)
		return -EINVAL;
	buf[0] = '\0';
	err = vft_path(full, sizeof(full), root, path);
	if (err)
		goto out;
	n = readlink(full, target, sizeof(target) - 1);
	if (n < 0) {
		err = -errno;
		goto out;
	}
	target[n] = '\0';
	while (n > 1 && target[n - 1] == '/')
		target[--n] = '\0';
	base = strrchr(target, '/');
	base = base ? base + 1 : target;
	if (!strcmp(base, ".") || !strcmp(base, "..") || !*base) {
		/* A link to an ancestor ("../.."): name what it resolves to. */
		real = realpath(full, NULL);
		if (!real) {
			err = -errno;
			goto out;
		}
		base = strrchr(real, '/');
		base = base ? base + 1 : real;
	}
	if (strlen(base) >= size) {
		err = -ENAMETOOLONG;
		goto out;
	}
	strcpy(buf, base);
out:
	free(real);
	return err;
}

/* One token of a name: a run of hex digits, or a single other character. */
static size_t token(const char *s, int *is_run)
{
	size_t n = 0;

	*is_run = isxdigit((unsigned char)s[0]);
	if (!*is_run)
		return s[0] ? 1 : 0;
	while (isxdigit((unsigned char)s[n]))
		n++;
	return n;
}

/*
 * Natural order: runs of hex digits compare as numbers (their bases agree on
 * decimal runs), other characters as bytes, a run sorts before a character,
 * and byte order breaks ties. A total order, which qsort() needs.
 */
static int cmp_natural(const char *a, const char *b)
{
	const char *pa = a, *pb = b;
	size_t na, nb, za, zb, i;
	int ra, rb, d;

	for (;;) {
		na = token(pa, &ra);
		nb = token(pb, &rb);
		if (!na || !nb) {
			if (na != nb)
				return na ? 1 : -1;
			break;
		}
		if (ra != rb)
			return ra ? -1 : 1;
		if (!ra) {
			if (*pa != *pb)
				return (unsigned char)*pa - (unsigned char)*pb;
		} else {
			for (za = 0; za < na - 1 && pa[za] == '0'; za++)
				;
			for (zb = 0; zb < nb - 1 && pb[zb] == '0'; zb++)
				;
			if (na - za != nb - zb)
				return na - za < nb - zb ? -1 : 1;
			for (i = 0; i < na - za; i++) {
				d = tolower((unsigned char)pa[za + i]) -
				    tolower((unsigned char)pb[zb + i]);
				if (d)
					return d;
			}
		}
		pa += na;
		pb += nb;
	}
	return strcmp(a, b);
}

static int cmp_names(const void *a, const void *b)
{
	return cmp_natural(*(char *const *)a, *(char *const *)b);
}

int vft_sysfs__access(const char *root, const char *path)
{
	char full[PATH_MAX];
	int err;

	err = vft_path(full, sizeof(full), root, path);
	if (err)
		return err;
	return access(full, F_OK) ? -errno : 0;
}

int vft_sysfs__list(const char *root, const char *path, const char *prefix,
		    struct vft_sysfs_list *out)
{
	struct vft_sysfs_list l = { 0 };
	char full[PATH_MAX];
	size_t cap = 0, plen = prefix ? strlen(prefix) : 0;
	struct dirent *de;
	DIR *dir = NULL;
	char **grown;
	int err;

	out->names = NULL;
	out->n = 0;
	err = vft_path(full, sizeof(full), root, path);
	if (err)
		goto out;
	dir = opendir(full);
	if (!dir) {
		err = -errno;
		goto out;
	}
	for (;;) {
		errno = 0;
		de = readdir(dir);
		if (!de) {
			err = -errno;
			if (err)
				goto out;
			break;
		}
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (plen && strncmp(de->d_name, prefix, plen))
			continue;
		if (l.n == VFT_SYSFS_LIST_MAX) {
			err = -E2BIG;
			goto out;
		}
		if (l.n == cap) {
			cap = cap ? cap * 2 : 16;
			grown = realloc(l.names, cap * sizeof(*l.names));
			if (!grown) {
				err = -ENOMEM;
				goto out;
			}
			l.names = grown;
		}
		l.names[l.n] = strdup(de->d_name);
		if (!l.names[l.n]) {
			err = -ENOMEM;
			goto out;
		}
		l.n++;
	}
	if (l.n)
		qsort(l.names, l.n, sizeof(*l.names), cmp_names);
	*out = l;
	l.names = NULL;
	l.n = 0;
out:
	vft_sysfs_list__free(&l);
	if (dir)
		closedir(dir);
	return err;
}

void vft_sysfs_list__free(struct vft_sysfs_list *l)
{
	size_t i;

	if (!l)
		return;
	for (i = 0; i < l->n; i++)
		free(l->names[i]);
	free(l->names);
	l->names = NULL;
	l->n = 0;
}

static bool is_bdf(const char *s, size_t n)
{
	unsigned int d, b, sl, f;
	char tmp[16];

	if (n != 12)
		return false;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	return sscanf(tmp, "%4x:%2x:%2x.%1x", &d, &b, &sl, &f) == 4 && tmp[4] == ':' &&
	       tmp[7] == ':' && tmp[10] == '.';
}

int vft_sysfs__pci_ancestor(const char *root, const char *bus, const char *name, char *buf,
			    size_t size)
{
	char rel[PATH_MAX], path[PATH_MAX], *real = NULL, *end, *start;
	int err;

	if (strchr(bus, '/') || strchr(name, '/') || !bus[0] || !name[0])
		return -EINVAL;
	if (snprintf(rel, sizeof(rel), "/sys/bus/%s/devices/%s", bus, name) >= (int)sizeof(rel))
		return -ENAMETOOLONG;
	err = vft_path(path, sizeof(path), root, rel);
	if (err)
		return err;
	real = realpath(path, NULL);
	if (!real)
		return -errno;
	err = -ENOENT;
	/* walk the components from the deepest up */
	for (end = real + strlen(real); end > real; end = start) {
		start = end;
		while (start > real && start[-1] != '/')
			start--;
		if (is_bdf(start, (size_t)(end - start))) {
			if ((size_t)(end - start) >= size) {
				err = -ENAMETOOLONG;
				break;
			}
			memcpy(buf, start, end - start);
			buf[end - start] = '\0';
			err = 0;
			break;
		}
		if (start > real)
			start--; /* the '/' */
	}
	free(real);
	return err;
}
