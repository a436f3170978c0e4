/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * util.h - small helpers shared by every stage: errno names, paths under the
 * root prefix, time formatting, messages on stderr.
 */
#ifndef VFT_UTIL_H
#define VFT_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* "EEXIST" for 17 or -17; "E<n>" for numbers the C library does not name. */
const char *vft_errno_name(int err, char *buf, size_t size);

/*
 * Joins the root prefix (NULL or "" or "/" for the live system) and an
 * absolute @path into @buf. Returns 0, or -ENAMETOOLONG.
 */
int vft_path(char *buf, size_t size, const char *root, const char *path);
/* Whether @root is no prefix at all (NULL, "" or "/"): the live system. */
bool vft_root_is_live(const char *root);

/* "2026-11-28T18:40:01.123456789Z" (UTC, RFC 3339). */
void vft_fmt_rfc3339(char *buf, size_t size, uint64_t wall_ns);
/* "18:40:01.123456" in local time. */
void vft_fmt_local_time(char *buf, size_t size, uint64_t wall_ns);

/* "1122:3344:5566:7788", the sysfs form of a GUID held in host order. */
void vft_fmt_guid(char *buf, size_t size, uint64_t guid);
/* inet_ntop() of a 4- or 16-byte address by family (2 or 10); "?" otherwise. */
void vft_fmt_addr(char *buf, size_t size, int family, const uint8_t *addr);

/* Verbosity for vft_debug(); set by -v. */
extern int vft_verbose;

void vft_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void vft_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Parses a size with an optional K/M/G suffix (powers of 1024). Returns 0 or -EINVAL/-ERANGE. */
int vft_parse_size(const char *s, uint64_t *out);
/* "10", "2.5", "0.25" seconds -> ns. Returns 0 or -EINVAL (negative, junk, over a day). */
int vft_parse_seconds(const char *s, uint64_t *out_ns);
/*
 * A point in time -> ns since the epoch: RFC 3339 ("2026-11-28T21:35:00Z",
 * fractions and "+01:00" offsets allowed) or Unix seconds ("1795900000.5").
 * Returns 0 or -EINVAL.
 */
int vft_parse_time(const char *s, uint64_t *out_ns);

/* Writes all of @buf to @fd, through EINTR. Returns 0 or -errno (-EIO for a zero write). */
int vft_write_all(int fd, const void *buf, size_t len);
/* Reads up to @len bytes, through EINTR, until EOF. Returns the count or -errno. */
long vft_read_all(int fd, void *buf, size_t len);

/* A set of non-zero 32-bit values (netns inodes): open addressing, deletes in place. */
struct vft_u32set {
	uint32_t *slots; /* 0: empty */
	size_t cap, n;
};

/* Returns 1 when @v was added, 0 when it was there, -EINVAL for 0, -ENOMEM. */
int vft_u32set__add(struct vft_u32set *s, uint32_t v);
bool vft_u32set__has(const struct vft_u32set *s, uint32_t v);
/* Returns whether @v was there. */
bool vft_u32set__del(struct vft_u32set *s, uint32_t v);
void vft_u32set__clear(struct vft_u32set *s);

/*
 * Copies @src into @dst (@size bytes, NUL-terminated), each byte that is not
 * part of a valid UTF-8 sequence replaced by '?': kernel names are bytes,
 * JSON and HTML are UTF-8.
 */
void vft_utf8_sanitize(char *dst, const char *src, size_t size);

#endif /* VFT_UTIL_H */
