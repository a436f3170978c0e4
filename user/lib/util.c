// SPDX-License-Identifier: GPL-2.0-only
/*
 * util.c - small helpers shared by every stage.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include "lib/util.h"

int vft_verbose;

const char *vft_errno_name(int err, char *buf, size_t size)
{
	const char *name;

	if (err < 0)
		err = -err;
	name = strerrorname_np(err);
	if (name)
		return name;
	snprintf(buf, size, "E%d", err);
	return buf;
}

int vft_path(char *buf, size_t size, const char *root, const char *path)
{
	int n;

	if (vft_root_is_live(root))
		root = "";
	n = snprintf(buf, size, "%s%s", root, path);
	if (n < 0 || (size_t)n >= size)
		return -ENAMETOOLONG;
	return 0;
}

void vft_fmt_rfc3339(char *buf, size_t size, uint64_t wall_ns)
{
	time_t sec = wall_ns / 1000000000ULL;
	struct tm tm;
	size_t n;

	gmtime_r(&sec, &tm);
	n = strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, size - n, ".%09lluZ", (unsigned long long)(wall_ns % 1000000000ULL));
}

void vft_fmt_local_time(char *buf, size_t size, uint64_t wall_ns)
{
	time_t sec = wall_ns / 1000000000ULL;
	struct tm tm;
	size_t n;

	localtime_r(&sec, &tm);
	n = strftime(buf, size, "%H:%M:%S", &tm);
	snprintf(buf + n, size - n, ".%06llu",
		 (unsigned long long)(wall_ns % 1000000000ULL / 1000));
}

void vft_fmt_guid(char *buf, size_t size, uint64_t guid)
{
	snprintf(buf, size, "%04x:%04x:%04x:%04x", (unsigned int)(guid >> 48) & 0xffff,
		 (unsigned int)(guid >> 32) & 0xffff, (unsigned int)(guid >> 16) & 0xffff,
		 (unsigned int)guid & 0xffff);
}

void vft_fmt_addr(char *buf, size_t size, int family, const uint8_t *addr)
{
	int af = family == 10 ? AF_INET6 : family == 2 ? AF_INET : -1;

	if (af < 0 || !inet_ntop(af, addr, buf, size))
		snprintf(buf, size, "?");
}

void vft_warn(const char *fmt, ...)
{
	va_list ap;

	fputs("vftrace: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

void vft_debug(const char *fmt, ...)
{
	va_list ap;

	if (!vft_verbose)
		return;
	fputs("vftrace: debug: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

int vft_parse_size(const char *s, uint64_t *out)
{
	unsigned long long v;
	char *end;
	int shift = 0;

	if (!s || !*s || *s == '-')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -errno;
	if (end == s)
		return -EINVAL;
	switch (*end) {
	case '\0':
		break;
	case 'k':
	case 'K':
		shift = 10;
		break;
	case 'm':
	case 'M':
		shift = 20;
		break;
	case 'g':
	case 'G':
		shift = 30;
		break;
	default:
		return -EINVAL;
	}
	if (*end && end[1])
		return -EINVAL;
	if (shift && v > (~0ULL >> shift))
		return -ERANGE;
	*out = v << shift;
	return 0;
}

/* Seconds, not negative, at most @max. */
static int parse_seconds(const char *s, double max, uint64_t *out_ns)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !(v >= 0) || v > max)
		return -EINVAL;
	*out_ns = (uint64_t)(v * 1e9 + 0.5);
	return 0;
}

int vft_parse_seconds(const char *s, uint64_t *out_ns)
{
	return parse_seconds(s, 86400, out_ns);
}

static int vft_parse_seconds_any(const char *s, uint64_t *out_ns)
{
	return parse_seconds(s, 1.8e10, out_ns); /* up to the year 2540 */
}

int vft_parse_time(const char *s, uint64_t *out_ns)
{
	struct tm tm;
	const char *p;
	uint64_t frac = 0, scale = 1000000000ULL;
	long off = 0;
	time_t t;

	if (!strchr(s, '-') || !strchr(s, 'T')) {
		/* Unix seconds */
		return vft_parse_seconds_any(s, out_ns);
	}
	memset(&tm, 0, sizeof(tm));
	p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!p)
		return -EINVAL;
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++) {
			if (scale > 1) {
				scale /= 10;
				frac += (uint64_t)(*p - '0') * scale;
			}
		}
	}
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int hh, mm;

		if (sscanf(p + 1, "%2d:%2d", &hh, &mm) != 2 || hh > 23 || mm > 59)
			return -EINVAL;
		off = (hh * 3600L + mm * 60L) * (*p == '-' ? -1 : 1);
		p += 6;
	} else {
		return -EINVAL;
	}
	if (*p)
		return -EINVAL;
	t = timegm(&tm);
	if (t < 0 || t - off < 0)
		return -EINVAL;
	*out_ns = (uint64_t)(t - off) * 1000000000ULL + frac;
	return 0;
}

bool vft_root_is_live(const char *root)
{
	return !root || !root[0] || !strcmp(root, "/");
}

/* ---- a set of u32 ---- */

static size_t u32_slot(uint32_t v, size_t cap)
{
	return (size_t)((v * 0x9e3779b97f4a7c15ULL) >> 32) & (cap - 1);
}

static void u32_put(uint32_t *slots, size_t cap, uint32_t v)
{
	size_t i;

	for (i = u32_slot(v, cap); slots[i]; i = (i + 1) & (cap - 1))
		;
	slots[i] = v;
}

int vft_u32set__add(struct vft_u32set *s, uint32_t v)
{
	uint32_t *slots;
	size_t i, cap;

	if (!v)
		return -EINVAL;
	if (vft_u32set__has(s, v))
		return 0;
	if ((s->n + 1) * 2 > s->cap) {
		cap = s->cap ? s->cap * 2 : 64;
		slots = calloc(cap, sizeof(*slots));
		if (!slots)
			return -ENOMEM;
		for (i = 0; i < s->cap; i++)
			if (s->slots[i])
				u32_put(slots, cap, s->slots[i]);
		free(s->slots);
		s->slots = slots;
		s->cap = cap;
	}
	u32_put(s->slots, s->cap, v);
	s->n++;
	return 1;
}

bool vft_u32set__has(const struct vft_u32set *s, uint32_t v)
{
	size_t i;

	if (!v || !s->cap)
		return false;
	for (i = u32_slot(v, s->cap); s->slots[i]; i = (i + 1) & (s->cap - 1))
		if (s->slots[i] == v)
			return true;
	return false;
}

bool vft_u32set__del(struct vft_u32set *s, uint32_t v)
{
	size_t i, j, home, mask = s->cap - 1;

	if (!v || !s->cap)
		return false;
	for (i = u32_slot(v, s->cap); s->slots[i] != v; i = (i + 1) & mask)
		if (!s->slots[i])
			return false;
	/* backward shift: move up what would no longer be found past the hole */
	for (j = (i + 1) & mask; s->slots[j]; j = (j + 1) & mask) {
		home = u32_slot(s->slots[j], s->cap);
		if (((j - home) & mask) >= ((j - i) & mask)) {
			s->slots[i] = s->slots[j];
			i = j;
		}
	}
	s->slots[i] = 0;
	s->n--;
	return true;
}

void vft_u32set__clear(struct vft_u32set *s)
{
	free(s->slots);
	memset(s, 0, sizeof(*s));
}

/* ---- whole reads and writes ---- */

int vft_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t n;

	while (len) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

long vft_read_all(int fd, void *buf, size_t len)
{
	char *p = buf;
	size_t got = 0;
	ssize_t n;

	while (got < len) {
		n = read(fd, p + got, len - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (!n)
			break;
		got += (size_t)n;
	}
	return (long)got;
}

/*
 * Kernel names are bytes, JSON strings are UTF-8: replace every byte that is
 * not part of a valid UTF-8 sequence by '?', so the output always parses.
 */
void vft_utf8_sanitize(char *dst, const char *src, size_t size)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t i = 0, o = 0, len = strlen(src);

	while (i < len && o + 1 < size) {
		size_t need = s[i] < 0x80	    ? 0 :
			      (s[i] & 0xe0) == 0xc0 ? 1 :
			      (s[i] & 0xf0) == 0xe0 ? 2 :
			      (s[i] & 0xf8) == 0xf0 ? 3 :
						      4;
		size_t k;
		bool ok = need < 4 && i + need < len && o + need + 1 < size;

		for (k = 1; ok && k <= need; k++)
			ok = (s[i + k] & 0xc0) == 0x80;
		if (!ok) {
			dst[o++] = '?';
			i++;
			continue;
		}
		memcpy(dst + o, s + i, need + 1);
		o += need + 1;
		i += need + 1;
	}
	dst[o] = '\0';
}
