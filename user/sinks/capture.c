// SPDX-License-Identifier: GPL-2.0-only
/*
 * capture.c - capture files: the writer (blocks, rotation) and the reader
 * (validation, resynchronisation). docs/capture-format.md is the format.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <zlib.h>
#include "sinks/capture.h"
#include "lib/util.h"

#ifndef VFTRACE_VERSION
#define VFTRACE_VERSION "unknown"
#endif

static const uint8_t file_magic[8] = { 0x89, 'V', 'F', 'T', 'C', 'A', 'P', '\n' };
static const uint8_t block_sync[8] = { 0xb7, 'v', 'f', 't', 'B', 'L', 'K', '\n' };

#define FILE_HDR_FIXED 16 /* magic, major, minor, header length */
#define FILE_HDR_MIN (FILE_HDR_FIXED + 4)
#define SCAN_CHUNK (64u << 10)
#define READ_CHUNK (256u << 10)

/* Wire types: the low 2 bits of a field's key; they say how to skip a field. */
enum {
	WT_VARINT = 0,
	WT_REF = 1,   /* varint index into the block's string table */
	WT_BYTES = 2, /* varint length, bytes */
	WT_RESERVED = 3,
};

/* A string reference in the raw block before the table is sorted: a 3-byte varint. */
#define REF_PLACEHOLDER 3
_Static_assert(VFT_CAPTURE_MAX_STRINGS <= 1u << 21, "placeholders hold 21 bits");

/* File header tags. */
enum {
	HT_HOSTNAME = 1,
	HT_KERNEL = 2,
	HT_BOOT_ID = 3,
	HT_VERSION = 4,
	HT_START_WALL = 5,
	HT_START_MONO = 6,
	HT_START_BOOT = 7,
	HT_PART = 8,
};

#define EV_MEMBER(m) (((struct vft_event *)0)->m)
#define FIELD(tag_, type_, m)                                                                    \
	{                                                                                        \
		.name = #m, .tag = tag_, .type = type_, .offset = offsetof(struct vft_event, m), \
		.size = sizeof(EV_MEMBER(m)), .align = __alignof__(EV_MEMBER(m))                 \
	}

/*
 * Event tags: stable, never reused. Index = tag - 1. A new field gets the
 * next tag (a minor version); docs/capture-format.md lists them.
 */
static const struct vft_capture_field fields[] = {
	FIELD(1, VFT_CAPF_U32, kind),
	FIELD(2, VFT_CAPF_U32, source),
	FIELD(3, VFT_CAPF_TS, ts_ns),
	FIELD(4, VFT_CAPF_BOOL, has_actor),
	FIELD(5, VFT_CAPF_U32, actor.pid),
	FIELD(6, VFT_CAPF_U32, actor.tid),
	FIELD(7, VFT_CAPF_U32, actor.netns),
	FIELD(8, VFT_CAPF_U64, actor.cgroup_id),
	FIELD(9, VFT_CAPF_STR, actor.comm),
	FIELD(10, VFT_CAPF_STR, actor.cgroup),
	FIELD(11, VFT_CAPF_STR, ifname),
	FIELD(12, VFT_CAPF_S32, ifindex),
	FIELD(13, VFT_CAPF_U32, netns),
	FIELD(14, VFT_CAPF_STR, parent),
	FIELD(15, VFT_CAPF_STR, new_ifname),
	FIELD(16, VFT_CAPF_U32, from_netns),
	FIELD(17, VFT_CAPF_U32, to_netns),
	FIELD(18, VFT_CAPF_S32, new_ifindex),
	FIELD(19, VFT_CAPF_U32, flags),
	FIELD(20, VFT_CAPF_U32, old_flags),
	FIELD(21, VFT_CAPF_U8, family),
	FIELD(22, VFT_CAPF_U8, prefixlen),
	FIELD(23, VFT_CAPF_BYTES, addr),
	FIELD(24, VFT_CAPF_BOOL, has_ret),
	FIELD(25, VFT_CAPF_S32, ret),
	FIELD(26, VFT_CAPF_STR, message),
	FIELD(27, VFT_CAPF_STR, device),
	FIELD(28, VFT_CAPF_STR, driver),
	FIELD(29, VFT_CAPF_STR, pf),
	FIELD(30, VFT_CAPF_U32, num_vfs),
	FIELD(31, VFT_CAPF_U32, old_num_vfs),
	FIELD(32, VFT_CAPF_S32, vf_index),
	FIELD(33, VFT_CAPF_STR, ibdev),
	FIELD(34, VFT_CAPF_STR, new_ibdev),
	FIELD(35, VFT_CAPF_U64, node_guid),
	FIELD(36, VFT_CAPF_U64, port_guid),
	FIELD(37, VFT_CAPF_U32, port),
	FIELD(38, VFT_CAPF_U32, port_event),
	FIELD(39, VFT_CAPF_BOOL, has_port_attrs),
	FIELD(40, VFT_CAPF_U32, port_state),
	FIELD(41, VFT_CAPF_U32, phys_state),
	FIELD(42, VFT_CAPF_U32, lid),
	FIELD(43, VFT_CAPF_U32, sm_lid),
	FIELD(44, VFT_CAPF_STR, link_layer),
	FIELD(45, VFT_CAPF_U32, n_gids),
	FIELD(46, VFT_CAPF_U32, n_rocev2_gids),
	FIELD(47, VFT_CAPF_BOOL, netns_host),
	FIELD(48, VFT_CAPF_STR, netns_name),
	FIELD(49, VFT_CAPF_STR, pod_uid),
	FIELD(50, VFT_CAPF_STR, container),
	FIELD(51, VFT_CAPF_STR, vf_key),
	FIELD(52, VFT_CAPF_BOOL, has_numa),
	FIELD(53, VFT_CAPF_S32, numa_node),
	FIELD(54, VFT_CAPF_U32, n_ip_gids),
	FIELD(55, VFT_CAPF_U64, lost),
};

#define N_FIELDS ARRAY_SIZE(fields)
_Static_assert(N_FIELDS <= 64, "the decoder keeps the fields it set in 64 bits");

/* Worst case of one event: every field with a 2-byte key, a 10-byte varint or a string. */
_Static_assert(sizeof(struct vft_event) + 14 * N_FIELDS + 10 <= VFT_CAPTURE_MAX_EVENT,
	       "an encoded vft_event may exceed VFT_CAPTURE_MAX_EVENT");
_Static_assert(sizeof(struct vft_event) < 65536, "field offsets are 16-bit");

const struct vft_capture_field *vft_capture__fields(size_t *n)
{
	*n = N_FIELDS;
	return fields;
}

/* ---- byte helpers ---- */

static void put_le16(uint8_t *p, uint16_t v)
{
	p[0] = v;
	p[1] = v >> 8;
}

static void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = v;
	p[1] = v >> 8;
	p[2] = v >> 16;
	p[3] = v >> 24;
}

static uint16_t get_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint32_t crc(const void *p, size_t len)
{
	return (uint32_t)crc32(0, p, (uInt)len);
}

static inline uint8_t *put_varint(uint8_t *p, uint64_t v)
{
	while (v >= 0x80) {
		*p++ = (uint8_t)v | 0x80;
		v >>= 7;
	}
	*p++ = (uint8_t)v;
	return p;
}

static inline uint8_t *put_key(uint8_t *p, unsigned int tag, unsigned int wt)
{
	return put_varint(p, (uint64_t)tag << 2 | wt);
}

/* 0, or -1 for a varint that runs past @end or past 64 bits. */
static inline int get_varint(const uint8_t **pp, const uint8_t *end, uint64_t *out)
{
	const uint8_t *p = *pp;
	uint64_t v = 0;
	unsigned int shift = 0;

	if (p < end && *p < 0x80) {
		*out = *p;
		*pp = p + 1;
		return 0;
	}
	if (end - p >= 10) { /* room for the longest: the same without bound checks */
		uint64_t b;

		v = *p++ & 0x7f;
		for (shift = 7; shift < 63; shift += 7) {
			b = *p++;
			v |= (b & 0x7f) << shift;
			if (b < 0x80) {
				*out = v;
				*pp = p;
				return 0;
			}
		}
		b = *p++; /* the tenth byte holds bit 63 alone */
		if (b > 1)
			return -1;
		*out = v | b << 63;
		*pp = p;
		return 0;
	}
	while (p < end) {
		uint8_t b = *p++;

		if (shift == 63 && b > 1)
			return -1;
		v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*out = v;
			*pp = p;
			return 0;
		}
		shift += 7;
		if (shift > 63)
			return -1;
	}
	return -1;
}

static inline uint64_t zigzag64(uint64_t v)
{
	return v << 1 ^ (0 - (v >> 63));
}

static inline uint64_t unzigzag64(uint64_t v)
{
	return v >> 1 ^ (0 - (v & 1));
}

static inline uint32_t zigzag32(uint32_t v)
{
	return v << 1 ^ (0 - (v >> 31));
}

static inline uint32_t unzigzag32(uint32_t v)
{
	return v >> 1 ^ (0 - (v & 1));
}

static void set_msg(char *msg, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set_msg(char *msg, size_t size, const char *fmt, ...)
{
	va_list ap;

	if (!msg || !size)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, size, fmt, ap);
	va_end(ap);
}

/* ---- header ---- */

static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	if (clock_gettime(id, &ts))
		return 0;
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

int vft_capture_header__fill_local(struct vft_capture_header *hdr, const char *root)
{
	char path[4096], buf[64];
	struct utsname u;
	ssize_t n;
	int fd, err = 0;

	memset(hdr, 0, sizeof(*hdr));
	hdr->major = VFT_CAPTURE_MAJOR;
	hdr->minor = VFT_CAPTURE_MINOR;
	snprintf(hdr->version, sizeof(hdr->version), "%s", VFTRACE_VERSION);
	if (gethostname(hdr->hostname, sizeof(hdr->hostname) - 1))
		return -errno;
	if (uname(&u))
		return -errno;
	snprintf(hdr->kernel, sizeof(hdr->kernel), "%s", u.release);
	hdr->start_wall_ns = clock_ns(CLOCK_REALTIME);
	hdr->start_mono_ns = clock_ns(CLOCK_MONOTONIC);
	hdr->start_boot_ns = clock_ns(CLOCK_BOOTTIME);

	err = vft_path(path, sizeof(path), root, "/proc/sys/kernel/random/boot_id");
	if (err)
		return err;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	if (n < 0) {
		err = -errno;
		goto out;
	}
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	snprintf(hdr->boot_id, sizeof(hdr->boot_id), "%.36s", buf);
out:
	close(fd);
	return err;
}

static uint8_t *put_hstr(uint8_t *p, unsigned int tag, const char *s, size_t size)
{
	size_t n = strnlen(s, size - 1);

	if (!n)
		return p;
	p = put_key(p, tag, WT_BYTES);
	p = put_varint(p, n);
	memcpy(p, s, n);
	return p + n;
}

static uint8_t *put_hnum(uint8_t *p, unsigned int tag, uint64_t v)
{
	if (!v)
		return p;
	p = put_key(p, tag, WT_VARINT);
	return put_varint(p, v);
}

/* Encodes the file header into @buf (at least 1024 bytes); returns its length. */
static size_t encode_header(const struct vft_capture_header *h, uint8_t *buf)
{
	uint8_t *p = buf + FILE_HDR_FIXED;
	size_t len;

	_Static_assert(sizeof(h->hostname) + sizeof(h->kernel) + sizeof(h->boot_id) +
				       sizeof(h->version) + 8 * 12 + FILE_HDR_MIN <=
			       1024,
		       "file header buffer too small");
	memcpy(buf, file_magic, sizeof(file_magic));
	put_le16(buf + 8, VFT_CAPTURE_MAJOR);
	put_le16(buf + 10, VFT_CAPTURE_MINOR);
	p = put_hstr(p, HT_HOSTNAME, h->hostname, sizeof(h->hostname));
	p = put_hstr(p, HT_KERNEL, h->kernel, sizeof(h->kernel));
	p = put_hstr(p, HT_BOOT_ID, h->boot_id, sizeof(h->boot_id));
	p = put_hstr(p, HT_VERSION, h->version, sizeof(h->version));
	p = put_hnum(p, HT_START_WALL, h->start_wall_ns);
	p = put_hnum(p, HT_START_MONO, h->start_mono_ns);
	p = put_hnum(p, HT_START_BOOT, h->start_boot_ns);
	p = put_hnum(p, HT_PART, h->part);
	len = (size_t)(p - buf) + 4;
	put_le32(buf + 12, (uint32_t)len);
	put_le32(p, crc(buf, len - 4));
	return len;
}

/* ---- writer ---- */

struct wstr {
	uint32_t hash;
	uint32_t off; /* in the arena */
	uint32_t len;
};

struct vft_capture_writer {
	char *path;
	int fd;
	bool seekable;
	int err; /* a failed rotation: final */
	struct vft_capture_opts opts;
	struct vft_capture_header hdr;
	size_t block_limit;
	unsigned int n_str; /* string fields in an event */
	uint64_t size;	    /* good bytes of the current file */
	bool dirty_tail;    /* a failed write may have left bytes past size */
	uint32_t block_seq;

	/* the block being built */
	uint8_t *raw;
	size_t raw_len, raw_cap;
	uint32_t nevents;
	uint64_t prev_ts;
	char *arena;
	size_t arena_len, arena_cap;
	struct wstr *strs;
	uint32_t nstrs, strs_cap;
	uint32_t *slots; /* open addressing: index + 1 into strs, 0 = free */
	uint32_t nslots;
	uint32_t *order, *rank; /* strings sorted: order[rank[i]] == i */
	size_t order_cap, rank_cap;

	uint8_t *pay; /* the payload: string table, then the events with their final references */
	size_t pay_cap;
	uint8_t *out;
	size_t out_cap;
	z_stream z;
	bool z_ready;
	struct vft_capture_stats st;
};

static unsigned int n_str_fields(void)
{
	unsigned int i, n = 0;

	for (i = 0; i < N_FIELDS; i++)
		n += fields[i].type == VFT_CAPF_STR;
	return n;
}

/* Room for @need elements in *p; doubles, but never past the format's limits for nothing. */
static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
	size_t n = *cap * 2;
	void *q;

	if (need <= *cap)
		return 0;
	if (n < 64)
		n = 64;
	if (n < need || n * elem > VFT_CAPTURE_MAX_BLOCK)
		n = need;
	q = realloc(*p, n * elem);
	if (!q)
		return -ENOMEM;
	*p = q;
	*cap = n;
	return 0;
}

static int write_all(struct vft_capture_writer *w, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	uint64_t off = w->size;
	ssize_t n;

	while (len) {
		off_t o = w->seekable ? (off_t)off : -1;

		if (w->opts.write_fn)
			n = w->opts.write_fn(w->fd, p, len, o, w->opts.write_ctx);
		else if (w->seekable)
			n = pwrite(w->fd, p, len, o);
		else
			n = write(w->fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO;
		p += n;
		off += (uint64_t)n;
		len -= (size_t)n;
		w->dirty_tail = true;
	}
	return 0;
}

/* Undoes a partial write: the file ends with its last good block again. */
static void cut_tail(struct vft_capture_writer *w)
{
	if (w->seekable && w->dirty_tail && !ftruncate(w->fd, (off_t)w->size))
		w->dirty_tail = false;
}

static int write_header(struct vft_capture_writer *w)
{
	uint8_t buf[1024];
	size_t len = encode_header(&w->hdr, buf);
	int err;

	w->size = 0;
	err = write_all(w, buf, len);
	if (err) {
		cut_tail(w);
		return err;
	}
	w->dirty_tail = false;
	w->size = len;
	w->block_seq = 0;
	w->st.bytes += len;
	w->st.files++;
	return 0;
}

static int open_file(struct vft_capture_writer *w, bool excl)
{
	int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (excl ? O_EXCL : O_TRUNC);
	struct stat st;
	int err;

	w->fd = open(w->path, flags, 0600);
	if (w->fd < 0)
		return -errno;
	if (fstat(w->fd, &st)) {
		err = -errno;
		goto fail;
	}
	w->seekable = S_ISREG(st.st_mode);
	if (!w->seekable && (w->opts.max_size || w->opts.rotate > 1)) {
		err = -EINVAL;
		goto fail;
	}
	/* O_TRUNC keeps an existing file's mode: captures are private. */
	if (w->seekable && (st.st_mode & 0777) != 0600)
		(void)fchmod(w->fd, 0600);
	w->dirty_tail = false;
	return 0;
fail:
	close(w->fd);
	w->fd = -1;
	return err;
}

/* "FILE.i" for i > 0, else FILE. */
static int rotated_name(const struct vft_capture_writer *w, unsigned int i, char *buf, size_t size)
{
	int n = i ? snprintf(buf, size, "%s.%u", w->path, i) : snprintf(buf, size, "%s", w->path);

	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

/* FILE.1 .. FILE.N-1 of an earlier recording: refused with EXCL, removed otherwise. */
static int clear_rotated(struct vft_capture_writer *w, bool excl)
{
	char name[4096];
	struct stat st;
	unsigned int i;
	int err;

	for (i = 1; i < w->opts.rotate; i++) {
		err = rotated_name(w, i, name, sizeof(name));
		if (err)
			return err;
		if (excl) {
			if (!lstat(name, &st))
				return -EEXIST;
		} else if (unlink(name) && errno != ENOENT) {
			return -errno;
		}
	}
	return 0;
}

/* FILE.N-2 -> FILE.N-1, .., FILE -> FILE.1 (or FILE removed): room for a new FILE. */
static int shift_rotated(struct vft_capture_writer *w)
{
	char from[4096], to[4096];
	unsigned int i;
	int err;

	if (w->opts.rotate <= 1 && unlink(w->path) && errno != ENOENT)
		return -errno;
	for (i = w->opts.rotate > 1 ? w->opts.rotate - 1 : 0; i > 0; i--) {
		err = rotated_name(w, i - 1, from, sizeof(from));
		if (!err)
			err = rotated_name(w, i, to, sizeof(to));
		if (err)
			return err;
		if (rename(from, to) && errno != ENOENT)
			return -errno;
	}
	return 0;
}

/* The files of an earlier recording, before FILE is made (VFT_CAPTURE_KEEP: see capture.h). */
static int make_room(struct vft_capture_writer *w, bool excl)
{
	struct stat st;

	if (!(w->opts.flags & VFT_CAPTURE_KEEP) || w->opts.rotate <= 1)
		return clear_rotated(w, excl);
	if (lstat(w->path, &st))
		return errno == ENOENT ? 0 : -errno;
	return S_ISREG(st.st_mode) ? shift_rotated(w) : -EINVAL;
}

/* The current file is full: the files shift by one and a new FILE starts. */
static int rotate(struct vft_capture_writer *w)
{
	int err;

	cut_tail(w);
	close(w->fd); /* its blocks are written: nothing left to report */
	w->fd = -1;
	err = shift_rotated(w);
	if (err)
		return err;
	err = open_file(w, true);
	if (err)
		return err;
	w->hdr.part++;
	return write_header(w);
}

static void reset_block(struct vft_capture_writer *w)
{
	w->raw_len = 0;
	w->nevents = 0;
	w->prev_ts = 0;
	w->arena_len = 0;
	w->nstrs = 0;
	if (w->slots)
		memset(w->slots, 0, w->nslots * sizeof(*w->slots));
}

static int cmp_wstr(const void *a, const void *b, void *ctx)
{
	const struct vft_capture_writer *w = ctx;
	const struct wstr *x = &w->strs[*(const uint32_t *)a], *y = &w->strs[*(const uint32_t *)b];
	int c = memcmp(w->arena + x->off, w->arena + y->off, x->len < y->len ? x->len : y->len);

	return c ? c : (x->len > y->len) - (x->len < y->len);
}

/* The events again, with each placeholder replaced by the string's sorted index. */
static uint8_t *put_events(struct vft_capture_writer *w, uint8_t *p)
{
	const uint8_t *q = w->raw, *end = w->raw + w->raw_len, *eend;
	uint8_t body[VFT_CAPTURE_MAX_EVENT], *b;
	uint64_t len, key, v;

	while (q < end && !get_varint(&q, end, &len)) {
		eend = q + len;
		b = body;
		while (q < eend && !get_varint(&q, eend, &key) && !get_varint(&q, eend, &v)) {
			b = put_varint(b, key);
			switch (key & 3) {
			case WT_REF:
				b = put_varint(b, w->rank[v]);
				break;
			case WT_BYTES:
				b = put_varint(b, v);
				memcpy(b, q, (size_t)v);
				b += v;
				q += v;
				break;
			default:
				b = put_varint(b, v);
				break;
			}
		}
		p = put_varint(p, (uint64_t)(b - body));
		memcpy(p, body, (size_t)(b - body));
		p += b - body;
	}
	return p;
}

/*
 * The block's payload into w->pay: the strings sorted and front-coded
 * (zlib then finds "0000:3b:10.4" right after "0000:3b:10.3"), then the events.
 */
static int build_payload(struct vft_capture_writer *w, size_t *len)
{
	const struct wstr *e, *prev = NULL;
	uint32_t i, n = w->nstrs, pre;
	size_t need;
	uint8_t *p;
	int err;

	need = 10 + w->arena_len + 6 * (size_t)n + w->raw_len;
	err = grow((void **)&w->pay, &w->pay_cap, need, 1);
	if (!err)
		err = grow((void **)&w->order, &w->order_cap, n ? n : 1, sizeof(*w->order));
	if (!err)
		err = grow((void **)&w->rank, &w->rank_cap, n ? n : 1, sizeof(*w->rank));
	if (err)
		return err;
	for (i = 0; i < n; i++)
		w->order[i] = i;
	qsort_r(w->order, n, sizeof(*w->order), cmp_wstr, w);
	p = put_varint(w->pay, n);
	for (i = 0; i < n; i++) {
		e = &w->strs[w->order[i]];
		w->rank[w->order[i]] = i;
		pre = 0;
		while (prev && pre < e->len && pre < prev->len &&
		       w->arena[e->off + pre] == w->arena[prev->off + pre])
			pre++;
		p = put_varint(p, pre);
		p = put_varint(p, e->len - pre);
		memcpy(p, w->arena + e->off + pre, e->len - pre);
		p += e->len - pre;
		prev = e;
	}
	p = put_events(w, p);
	*len = (size_t)(p - w->pay);
	return 0;
}

static int compress_block(struct vft_capture_writer *w, size_t *len)
{
	size_t need, plen;
	uint32_t clen;
	uint8_t *h;
	int err;

	err = build_payload(w, &plen);
	if (err)
		return err;
	need = VFT_CAPTURE_BLOCK_HDR + deflateBound(&w->z, plen);
	err = grow((void **)&w->out, &w->out_cap, need, 1);
	if (err)
		return err;
	if (deflateReset(&w->z) != Z_OK)
		return -EIO;
	w->z.next_in = w->pay;
	w->z.avail_in = (uInt)plen;
	w->z.next_out = w->out + VFT_CAPTURE_BLOCK_HDR;
	w->z.avail_out = (uInt)(w->out_cap - VFT_CAPTURE_BLOCK_HDR);
	if (deflate(&w->z, Z_FINISH) != Z_STREAM_END)
		return -EIO;
	clen = (uint32_t)w->z.total_out;

	h = w->out;
	memcpy(h, block_sync, sizeof(block_sync));
	put_le32(h + 8, clen);
	put_le32(h + 12, (uint32_t)plen);
	put_le32(h + 16, w->nevents);
	put_le32(h + 20, crc(h + VFT_CAPTURE_BLOCK_HDR, clen));
	put_le32(h + 24, w->block_seq);
	put_le32(h + 28, crc(h, 28));
	*len = VFT_CAPTURE_BLOCK_HDR + clen;
	return 0;
}

static int flush_block(struct vft_capture_writer *w)
{
	uint32_t n = w->nevents;
	size_t len = 0;
	int err;

	if (w->err)
		return w->err;
	if (!n)
		return 0;
	err = compress_block(w, &len);
	if (err)
		goto lost;
	if (w->opts.max_size && w->size + len > w->opts.max_size && w->block_seq) {
		err = rotate(w);
		if (err) {
			w->err = err;
			goto lost;
		}
	}
	err = write_all(w, w->out, len);
	if (err) {
		cut_tail(w);
		goto lost;
	}
	w->dirty_tail = false;
	w->size += len;
	w->block_seq++;
	w->st.events += n;
	w->st.bytes += len;
	w->st.blocks++;
	reset_block(w);
	if ((w->opts.flags & VFT_CAPTURE_SYNC) && fdatasync(w->fd))
		return -errno;
	return 0;
lost:
	w->st.events_lost += n;
	w->st.write_errors++;
	reset_block(w);
	return err;
}

static uint32_t str_hash(const char *s, size_t n)
{
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ (uint8_t)s[i]) * 16777619u;
	return h;
}

/* Room for one more event of @n_str strings, so encoding cannot fail halfway. */
static int reserve_strings(struct vft_capture_writer *w, unsigned int n_str)
{
	uint32_t need = w->nstrs + n_str, nslots, *slots, i;
	size_t cap;
	int err;

	err = grow((void **)&w->arena, &w->arena_cap, w->arena_len + sizeof(struct vft_event), 1);
	if (err)
		return err;
	cap = w->strs_cap;
	err = grow((void **)&w->strs, &cap, need, sizeof(*w->strs));
	if (err)
		return err;
	w->strs_cap = (uint32_t)cap;
	if ((size_t)need * 2 <= w->nslots)
		return 0;

	/* rehash into a table twice as large */
	nslots = w->nslots ? w->nslots : 256;
	while ((size_t)need * 2 > nslots)
		nslots *= 2;
	slots = calloc(nslots, sizeof(*slots));
	if (!slots)
		return -ENOMEM;
	for (i = 0; i < w->nstrs; i++) {
		uint32_t s = w->strs[i].hash & (nslots - 1);

		while (slots[s])
			s = (s + 1) & (nslots - 1);
		slots[s] = i + 1;
	}
	free(w->slots);
	w->slots = slots;
	w->nslots = nslots;
	return 0;
}

/* The string's index in the block's table, added if new. */
static uint32_t intern(struct vft_capture_writer *w, const char *s, size_t n)
{
	uint32_t h = str_hash(s, n), slot = h & (w->nslots - 1), i;
	struct wstr *e;

	while ((i = w->slots[slot])) {
		e = &w->strs[i - 1];
		if (e->hash == h && e->len == n && !memcmp(w->arena + e->off, s, n))
			return i - 1;
		slot = (slot + 1) & (w->nslots - 1);
	}
	e = &w->strs[w->nstrs];
	e->hash = h;
	e->off = (uint32_t)w->arena_len;
	e->len = (uint32_t)n;
	memcpy(w->arena + w->arena_len, s, n);
	w->arena_len += n;
	w->slots[slot] = ++w->nstrs;
	return w->nstrs - 1;
}

static uint8_t *put_str_field(struct vft_capture_writer *w, uint8_t *p, unsigned int tag,
			      const char *s, size_t size)
{
	size_t n = strnlen(s, size - 1);
	uint32_t idx;

	if (!n)
		return p;
	idx = intern(w, s, n);
	p = put_key(p, tag, WT_REF);
	p[0] = 0x80 | (idx & 0x7f);
	p[1] = 0x80 | ((idx >> 7) & 0x7f);
	p[2] = idx >> 14;
	return p + REF_PLACEHOLDER;
}

/* Encodes @ev's non-zero fields into @buf (VFT_CAPTURE_MAX_EVENT bytes); returns the length. */
static uint8_t *put_field(struct vft_capture_writer *w, uint8_t *p,
			  const struct vft_capture_field *f, const uint8_t *src)
{
	uint64_t v, ts;
	uint32_t u32;
	size_t n;

	switch (f->type) {
	case VFT_CAPF_U8:
		v = *src;
		break;
	case VFT_CAPF_BOOL:
		v = !!*src;
		break;
	case VFT_CAPF_U32:
		memcpy(&u32, src, 4);
		v = u32;
		break;
	case VFT_CAPF_S32:
		memcpy(&u32, src, 4);
		v = zigzag32(u32);
		break;
	case VFT_CAPF_U64:
		memcpy(&v, src, 8);
		break;
	case VFT_CAPF_TS:
		memcpy(&ts, src, 8);
		v = zigzag64(ts - w->prev_ts);
		w->prev_ts = ts;
		break;
	case VFT_CAPF_STR:
		return put_str_field(w, p, f->tag, (const char *)src, f->size);
	case VFT_CAPF_BYTES:
		for (n = f->size; n && !src[n - 1]; n--)
			;
		if (!n)
			return p;
		p = put_key(p, f->tag, WT_BYTES);
		p = put_varint(p, n);
		memcpy(p, src, n);
		return p + n;
	default:
		return p;
	}
	if (!v)
		return p;
	p = put_key(p, f->tag, WT_VARINT);
	return put_varint(p, v);
}

/*
 * Encodes @ev's non-zero fields into @buf (VFT_CAPTURE_MAX_EVENT bytes);
 * returns the length. The time goes last: its random low bits would cut
 * the runs of repeated fields that zlib matches.
 */
static size_t encode_event(struct vft_capture_writer *w, const struct vft_event *ev, uint8_t *buf)
{
	const uint8_t *base = (const uint8_t *)ev;
	uint8_t *p = buf;
	size_t i;

	for (i = 0; i < N_FIELDS; i++)
		if (fields[i].type != VFT_CAPF_TS)
			p = put_field(w, p, &fields[i], base + fields[i].offset);
	for (i = 0; i < N_FIELDS; i++)
		if (fields[i].type == VFT_CAPF_TS)
			p = put_field(w, p, &fields[i], base + fields[i].offset);
	return (size_t)(p - buf);
}

int vft_capture_writer__write(struct vft_capture_writer *w, const struct vft_event *ev)
{
	uint8_t buf[VFT_CAPTURE_MAX_EVENT];
	int err = 0, err2;
	size_t len;

	if (w->err)
		return w->err;
	/* a full string table ends the block; a failed write of it still leaves room for @ev */
	if (w->nstrs + w->n_str > VFT_CAPTURE_MAX_STRINGS)
		err = flush_block(w);
	err2 = grow((void **)&w->raw, &w->raw_cap, w->raw_len + VFT_CAPTURE_MAX_EVENT + 4, 1);
	if (!err2)
		err2 = reserve_strings(w, w->n_str);
	if (err2)
		return err2;
	len = encode_event(w, ev, buf);
	w->raw_len = (size_t)(put_varint(w->raw + w->raw_len, len) - w->raw);
	memcpy(w->raw + w->raw_len, buf, len);
	w->raw_len += len;
	w->nevents++;
	if (w->raw_len + w->arena_len >= w->block_limit)
		err2 = flush_block(w);
	return err ? err : err2;
}

int vft_capture_writer__flush(struct vft_capture_writer *w)
{
	return flush_block(w);
}

void vft_capture_writer__stats(const struct vft_capture_writer *w, struct vft_capture_stats *st)
{
	*st = w->st;
	st->pending = w->nevents;
}

static void writer_release(struct vft_capture_writer *w)
{
	if (w->z_ready)
		deflateEnd(&w->z);
	free(w->path);
	free(w->raw);
	free(w->arena);
	free(w->strs);
	free(w->slots);
	free(w->order);
	free(w->rank);
	free(w->pay);
	free(w->out);
	free(w);
}

int vft_capture_writer__new(const char *path, const struct vft_capture_opts *opts,
			    const struct vft_capture_header *hdr, struct vft_capture_writer **out)
{
	struct vft_capture_writer *w;
	bool excl;
	int err;

	*out = NULL;
	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->fd = -1;
	w->n_str = n_str_fields();
	if (opts)
		w->opts = *opts;
	excl = w->opts.flags & VFT_CAPTURE_EXCL;
	if ((w->opts.max_size && w->opts.max_size < VFT_CAPTURE_MIN_FILE_SIZE) ||
	    w->opts.rotate > VFT_CAPTURE_MAX_ROTATE || w->opts.level < 0 || w->opts.level > 9) {
		err = -EINVAL;
		goto fail;
	}
	w->block_limit = w->opts.block_size ? w->opts.block_size : VFT_CAPTURE_DEFAULT_BLOCK;
	if (w->block_limit > VFT_CAPTURE_MAX_BLOCK / 2)
		w->block_limit = VFT_CAPTURE_MAX_BLOCK / 2;
	if (w->opts.max_size && w->block_limit > w->opts.max_size / 2)
		w->block_limit = w->opts.max_size / 2;
	if (hdr) {
		w->hdr = *hdr;
	} else {
		err = vft_capture_header__fill_local(&w->hdr, NULL);
		if (err)
			goto fail;
	}
	w->hdr.major = VFT_CAPTURE_MAJOR;
	w->hdr.minor = VFT_CAPTURE_MINOR;
	w->hdr.part = 0;
	w->path = strdup(path);
	if (!w->path) {
		err = -ENOMEM;
		goto fail;
	}
	if (deflateInit(&w->z, w->opts.level ? w->opts.level : Z_DEFAULT_COMPRESSION) != Z_OK) {
		err = -ENOMEM;
		goto fail;
	}
	w->z_ready = true;
	if (w->opts.max_size) {
		err = make_room(w, excl);
		if (err)
			goto fail;
	}
	err = open_file(w, excl);
	if (err)
		goto fail;
	err = write_header(w);
	if (err)
		goto fail;
	*out = w;
	return 0;
fail:
	if (w->fd >= 0)
		close(w->fd);
	writer_release(w);
	return err;
}

int vft_capture_writer__free(struct vft_capture_writer *w)
{
	int err;

	if (!w)
		return 0;
	err = flush_block(w);
	if (w->fd >= 0) {
		cut_tail(w);
		if (close(w->fd) && !err)
			err = -errno;
	}
	writer_release(w);
	return err;
}

/* ---- reader ---- */

struct rstr {
	uint32_t off; /* in sbuf */
	uint32_t len;
	uint32_t clen; /* up to its first NUL: what a C string field gets */
};

struct vft_capture_reader {
	/* input: memory, or a buffered fd */
	int fd;
	bool own_fd;
	const uint8_t *mem;
	size_t mem_len;
	uint8_t *buf;
	size_t buf_cap, buf_len;
	uint64_t buf_off; /* file offset of buf[0] */
	bool eof;
	uint64_t pos; /* next byte to parse */
	int err;

	struct vft_capture_header hdr;
	struct vft_capture_status st;
	bool resyncing;

	/* the block being decoded */
	uint8_t *raw;
	size_t raw_cap;
	const uint8_t *rp, *rend;
	uint32_t left;
	uint64_t prev_ts;
	uint64_t block_off;
	struct rstr *strs;
	size_t strs_cap;
	uint32_t nstrs;
	uint8_t *sbuf; /* the block's strings, one after the other */
	size_t sbuf_cap;
	z_stream z;
	bool z_ready;
};

/*
 * Makes the bytes from @off on available (at least @need unless the input
 * ends first): *p points at @off, *avail says how many there are. Bytes
 * before @off are forgotten: the reader only moves forward.
 */
static int fill(struct vft_capture_reader *r, uint64_t off, size_t need, const uint8_t **p,
		size_t *avail)
{
	size_t want;
	ssize_t n;
	int err;

	if (r->mem) {
		size_t o = off < r->mem_len ? (size_t)off : r->mem_len;

		*p = r->mem + o;
		*avail = r->mem_len - o;
		return 0;
	}
	/* cannot happen: the reader only moves forward */
	if (off < r->buf_off)
		return -EINVAL;
	/* skip ahead: forget what is buffered */
	if (off > r->buf_off + r->buf_len) {
		r->buf_off += r->buf_len;
		r->buf_len = 0;
		while (r->buf_off < off && !r->eof) {
			err = grow((void **)&r->buf, &r->buf_cap, READ_CHUNK, 1);
			if (err)
				return err;
			want = off - r->buf_off < r->buf_cap ? (size_t)(off - r->buf_off) :
							       r->buf_cap;
			n = read(r->fd, r->buf, want);
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0)
				return -errno;
			if (!n)
				r->eof = true;
			r->buf_off += (uint64_t)n;
		}
		if (r->buf_off < off) {
			*p = r->buf;
			*avail = 0;
			return 0;
		}
	}
	if (off > r->buf_off) {
		size_t drop = (size_t)(off - r->buf_off);

		memmove(r->buf, r->buf + drop, r->buf_len - drop);
		r->buf_len -= drop;
		r->buf_off = off;
	}
	while (r->buf_len < need && !r->eof) {
		want = need > READ_CHUNK ? need : READ_CHUNK;
		err = grow((void **)&r->buf, &r->buf_cap, want, 1);
		if (err)
			return err;
		n = read(r->fd, r->buf + r->buf_len, r->buf_cap - r->buf_len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (!n)
			r->eof = true;
		r->buf_len += (size_t)n;
	}
	*p = r->buf;
	*avail = r->buf_len;
	return 0;
}

static int parse_header_str(char *dst, size_t size, const uint8_t *s, uint64_t len)
{
	if (len >= size)
		return -1;
	memcpy(dst, s, (size_t)len);
	dst[len] = '\0';
	return 0;
}

/* The header fields in [p, end): 0 or -1 with @bad_tag set. */
static int parse_header_fields(struct vft_capture_header *h, const uint8_t *p, const uint8_t *end,
			       unsigned int *bad_tag)
{
	while (p < end) {
		uint64_t key, v = 0;
		const uint8_t *s = NULL;
		unsigned int tag, wt;
		char *dst = NULL;
		size_t size = 0;

		*bad_tag = 0;
		if (get_varint(&p, end, &key))
			return -1;
		tag = key >> 2 < 0xffff ? (unsigned int)(key >> 2) : 0xffff;
		wt = key & 3;
		*bad_tag = tag;
		if (get_varint(&p, end, &v))
			return -1;
		if (wt == WT_RESERVED)
			return -1;
		if (wt == WT_BYTES) {
			if (v > (uint64_t)(end - p))
				return -1;
			s = p;
			p += v;
		}
		switch (tag) {
		case HT_HOSTNAME:
			dst = h->hostname;
			size = sizeof(h->hostname);
			break;
		case HT_KERNEL:
			dst = h->kernel;
			size = sizeof(h->kernel);
			break;
		case HT_BOOT_ID:
			dst = h->boot_id;
			size = sizeof(h->boot_id);
			break;
		case HT_VERSION:
			dst = h->version;
			size = sizeof(h->version);
			break;
		case HT_START_WALL:
		case HT_START_MONO:
		case HT_START_BOOT:
		case HT_PART:
			if (wt != WT_VARINT)
				return -1;
			if (tag == HT_START_WALL)
				h->start_wall_ns = v;
			else if (tag == HT_START_MONO)
				h->start_mono_ns = v;
			else if (tag == HT_START_BOOT)
				h->start_boot_ns = v;
			else if (v > UINT32_MAX)
				return -1;
			else
				h->part = (uint32_t)v;
			continue;
		default:
			continue; /* a newer minor's field */
		}
		if (!s || parse_header_str(dst, size, s, v))
			return -1;
	}
	return 0;
}

static int read_header(struct vft_capture_reader *r, char *msg, size_t msg_size)
{
	const uint8_t *p;
	size_t avail;
	uint32_t hlen;
	unsigned int bad_tag;
	int err;

	err = fill(r, 0, FILE_HDR_FIXED, &p, &avail);
	if (err) {
		set_msg(msg, msg_size, "cannot read the capture: %s", strerror(-err));
		return err;
	}
	if (avail < sizeof(file_magic) && !memcmp(p, file_magic, avail)) {
		set_msg(msg, msg_size, "%s",
			avail ? "the capture ends inside its header: it holds no events" :
				"the capture is empty: it holds no events");
		return -ENODATA;
	}
	if (avail < sizeof(file_magic) || memcmp(p, file_magic, sizeof(file_magic))) {
		set_msg(msg, msg_size, "not a vftrace capture file (wrong magic)");
		return -EINVAL;
	}
	if (avail >= 12) {
		r->hdr.major = get_le16(p + 8);
		r->hdr.minor = get_le16(p + 10);
		if (r->hdr.major != VFT_CAPTURE_MAJOR) {
			set_msg(msg, msg_size,
				"capture format version %u.%u: this vftrace reads %u.x only%s",
				r->hdr.major, r->hdr.minor, VFT_CAPTURE_MAJOR,
				r->hdr.major > VFT_CAPTURE_MAJOR ? "; use a newer vftrace" : "");
			return -EPROTONOSUPPORT;
		}
	}
	if (avail < FILE_HDR_FIXED) {
		set_msg(msg, msg_size, "the capture ends inside its header: it holds no events");
		return -ENODATA;
	}
	hlen = get_le32(p + 12);
	if (hlen < FILE_HDR_MIN || hlen > VFT_CAPTURE_MAX_HEADER) {
		set_msg(msg, msg_size, "damaged capture header: length %u is out of range", hlen);
		return -EINVAL;
	}
	err = fill(r, 0, hlen, &p, &avail);
	if (err) {
		set_msg(msg, msg_size, "cannot read the capture: %s", strerror(-err));
		return err;
	}
	if (avail < hlen) {
		set_msg(msg, msg_size,
			"the capture ends inside its header (%zu of %u bytes): it holds no events",
			avail, hlen);
		return -ENODATA;
	}
	if (crc(p, hlen - 4) != get_le32(p + hlen - 4)) {
		set_msg(msg, msg_size, "damaged capture header: CRC mismatch");
		return -EINVAL;
	}
	if (parse_header_fields(&r->hdr, p + FILE_HDR_FIXED, p + hlen - 4, &bad_tag)) {
		set_msg(msg, msg_size, "damaged capture header: field %u is malformed", bad_tag);
		return -EINVAL;
	}
	r->pos = hlen;
	return 0;
}

static void note_corrupt(struct vft_capture_reader *r, uint64_t off, const char *why)
{
	r->st.last_corrupt_reason = why;
	if (r->resyncing)
		return;
	if (r->st.corrupt < VFT_CAPTURE_MAX_REPORTED)
		r->st.corrupt_offsets[r->st.corrupt] = off;
	r->st.corrupt++;
	r->st.last_corrupt_offset = off;
}

/* Moves r->pos to the next sync marker at or after @from, or to the end. */
static int resync(struct vft_capture_reader *r, uint64_t from)
{
	uint64_t off = from;
	const uint8_t *p, *q;
	size_t avail;
	int err;

	r->resyncing = true;
	for (;;) {
		err = fill(r, off, SCAN_CHUNK, &p, &avail);
		if (err)
			return err;
		if (avail < sizeof(block_sync)) {
			off += avail;
			break;
		}
		q = memmem(p, avail, block_sync, sizeof(block_sync));
		if (q) {
			off += (uint64_t)(q - p);
			break;
		}
		off += avail - (sizeof(block_sync) - 1);
	}
	r->st.corrupt_bytes += off - r->pos;
	r->pos = off;
	return 0;
}

static const char *check_block_header(const uint8_t *h)
{
	uint32_t clen = get_le32(h + 8), rlen = get_le32(h + 12), count = get_le32(h + 16);

	if (memcmp(h, block_sync, sizeof(block_sync)))
		return "no block sync marker";
	if (crc(h, 28) != get_le32(h + 28))
		return "block header CRC mismatch";
	if (!clen || clen > VFT_CAPTURE_MAX_BLOCK || rlen > VFT_CAPTURE_MAX_BLOCK || count > rlen)
		return "block lengths out of range";
	return NULL;
}

/* 0, 1 with *why set when the payload is bad, or -ENOMEM. */
static int inflate_block(struct vft_capture_reader *r, const uint8_t *payload, uint32_t clen,
			 uint32_t rlen, const char **why)
{
	int ret;

	/* one byte more than announced: a payload that inflates to more is seen */
	if (grow((void **)&r->raw, &r->raw_cap, (size_t)rlen + 1, 1))
		return -ENOMEM;
	ret = inflateReset(&r->z);
	if (ret == Z_OK) {
		r->z.next_in = (Bytef *)payload;
		r->z.avail_in = clen;
		r->z.next_out = r->raw;
		r->z.avail_out = rlen + 1;
		ret = inflate(&r->z, Z_FINISH);
	}
	if (ret == Z_MEM_ERROR)
		return -ENOMEM;
	if (ret != Z_STREAM_END || r->z.total_out != rlen || r->z.avail_in) {
		*why = "payload does not inflate to its length";
		return 1;
	}
	return 0;
}

/*
 * The block's string table, front-coded: each string is a prefix of the one
 * before and a suffix. 0, -1 when it is malformed or expands past the
 * format's limit, -ENOMEM.
 */
static int load_strings(struct vft_capture_reader *r)
{
	const uint8_t *p = r->rp, *end = r->rend;
	uint64_t n, pre, suf, total = 0;
	uint32_t i, prev_len = 0, prev_off = 0;
	const uint8_t *nul;

	if (get_varint(&p, end, &n) || n > VFT_CAPTURE_MAX_STRINGS || n > (uint64_t)(end - p))
		return -1;
	if (grow((void **)&r->strs, &r->strs_cap, n ? n : 1, sizeof(*r->strs)))
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		if (get_varint(&p, end, &pre) || get_varint(&p, end, &suf) || pre > prev_len ||
		    suf > (uint64_t)(end - p) || total + pre + suf > VFT_CAPTURE_MAX_BLOCK)
			return -1;
		if (grow((void **)&r->sbuf, &r->sbuf_cap, total + pre + suf + 1, 1))
			return -ENOMEM;
		memcpy(r->sbuf + total, r->sbuf + prev_off, pre);
		memcpy(r->sbuf + total + pre, p, suf);
		p += suf;
		r->strs[i].off = prev_off = (uint32_t)total;
		r->strs[i].len = prev_len = (uint32_t)(pre + suf);
		nul = memchr(r->sbuf + total, 0, pre + suf);
		r->strs[i].clen = nul ? (uint32_t)(nul - (r->sbuf + total)) : prev_len;
		total += pre + suf;
	}
	r->nstrs = (uint32_t)n;
	r->rp = p;
	return 0;
}

/* The next good block into r->raw: 1, 0 at the end, or -errno. */
static int read_block(struct vft_capture_reader *r)
{
	const uint8_t *p;
	const char *why;
	size_t avail, need;
	uint32_t clen, rlen;
	int err;

	for (;;) {
		err = fill(r, r->pos, VFT_CAPTURE_BLOCK_HDR, &p, &avail);
		if (err)
			return err;
		if (!avail)
			return 0;
		if (avail < VFT_CAPTURE_BLOCK_HDR) {
			size_t n = avail < sizeof(block_sync) ? avail : sizeof(block_sync);

			if (!memcmp(p, block_sync, n)) {
				r->st.truncated = true;
				r->st.truncated_offset = r->pos;
			} else {
				note_corrupt(r, r->pos, "garbage at the end of the file");
				r->st.corrupt_bytes += avail;
			}
			r->pos += avail;
			return 0;
		}
		why = check_block_header(p);
		if (why) {
			note_corrupt(r, r->pos, why);
			err = resync(r, r->pos + 1);
			if (err)
				return err;
			continue;
		}
		clen = get_le32(p + 8);
		rlen = get_le32(p + 12);
		need = VFT_CAPTURE_BLOCK_HDR + clen;
		err = fill(r, r->pos, need, &p, &avail);
		if (err)
			return err;
		if (avail < need) {
			r->st.truncated = true;
			r->st.truncated_offset = r->pos;
			r->pos += avail;
			return 0;
		}
		if (crc(p + VFT_CAPTURE_BLOCK_HDR, clen) != get_le32(p + 20)) {
			why = "payload CRC mismatch";
		} else {
			err = inflate_block(r, p + VFT_CAPTURE_BLOCK_HDR, clen, rlen, &why);
			if (err < 0)
				return err;
		}
		if (why) {
			/* the header is sound: its length says where the next block is */
			note_corrupt(r, r->pos, why);
			r->resyncing = true;
			r->st.corrupt_bytes += need;
			r->pos += need;
			continue;
		}
		r->resyncing = false;
		r->rp = r->raw;
		r->rend = r->raw + rlen;
		r->prev_ts = 0;
		err = load_strings(r);
		if (err == -ENOMEM)
			return err;
		if (err) {
			note_corrupt(r, r->pos, "malformed string table");
			r->st.corrupt_bytes += need;
			r->pos += need;
			continue;
		}
		r->left = get_le32(p + 16);
		r->block_off = r->pos;
		r->pos += need;
		r->st.blocks++;
		return 1;
	}
}

static int store_varint(const struct vft_capture_field *f, uint8_t *dst, uint64_t v,
			uint64_t *ts_delta)
{
	uint32_t u32;
	bool b;

	switch (f->type) {
	case VFT_CAPF_U8:
		if (v > UINT8_MAX)
			return -1;
		*dst = (uint8_t)v;
		return 0;
	case VFT_CAPF_BOOL:
		if (v > 1)
			return -1;
		b = v;
		memcpy(dst, &b, sizeof(b));
		return 0;
	case VFT_CAPF_U32:
	case VFT_CAPF_S32:
		if (v > UINT32_MAX)
			return -1;
		u32 = (uint32_t)v;
		if (f->type == VFT_CAPF_S32)
			u32 = unzigzag32(u32);
		memcpy(dst, &u32, 4);
		return 0;
	case VFT_CAPF_U64:
		memcpy(dst, &v, 8);
		return 0;
	case VFT_CAPF_TS:
		*ts_delta = unzigzag64(v);
		return 0;
	default:
		return -1;
	}
}

/* memcpy() for the short strings most fields hold, without a call for each. */
static inline void copy_str(uint8_t *dst, const uint8_t *src, size_t n)
{
	if (n >= 8 && n <= 16) {
		memcpy(dst, src, 8);
		memcpy(dst + n - 8, src + n - 8, 8);
	} else if (n >= 4 && n < 8) {
		memcpy(dst, src, 4);
		memcpy(dst + n - 4, src + n - 4, 4);
	} else {
		memcpy(dst, src, n);
	}
}

/* One event from the block: 0, or -1 when the block is malformed. */
static int decode_event(struct vft_capture_reader *r, struct vft_event *ev)
{
	const uint8_t *p = r->rp, *end;
	uint8_t *base = (uint8_t *)ev;
	uint64_t len, ts_delta = 0, seen = 0; /* fields set, by tag - 1 */

	if (get_varint(&p, r->rend, &len) || len > (uint64_t)(r->rend - p) ||
	    len > VFT_CAPTURE_MAX_EVENT)
		return -1;
	end = p + len;
	memset(ev, 0, sizeof(*ev));
	while (p < end) {
		const struct vft_capture_field *f = NULL;
		const struct rstr *str;
		const uint8_t *s = NULL;
		uint64_t key, v, bit = 0;
		unsigned int wt;

		if (get_varint(&p, end, &key) || get_varint(&p, end, &v))
			return -1;
		wt = key & 3;
		if ((key >> 2) - 1 < N_FIELDS) {
			f = &fields[(key >> 2) - 1];
			bit = 1ULL << ((key >> 2) - 1);
		}
		switch (wt) {
		case WT_VARINT:
			if (f && store_varint(f, base + f->offset, v, &ts_delta))
				return -1;
			continue;
		case WT_REF:
			if (v >= r->nstrs)
				return -1;
			str = &r->strs[v];
			s = r->sbuf + str->off;
			v = str->len;
			break;
		case WT_BYTES:
			if (v > (uint64_t)(end - p))
				return -1;
			s = p;
			p += v;
			if (!f)
				continue;
			if (f->type != VFT_CAPF_BYTES || v > f->size)
				return -1;
			if (seen & bit) /* a field twice: the last one counts */
				memset(base + f->offset, 0, f->size);
			seen |= bit;
			if (v)
				memcpy(base + f->offset, s, (size_t)v);
			continue;
		default:
			return -1; /* a reserved wire type: nothing says how to skip it */
		}
		/* a string from the table */
		if (!f)
			continue;
		if (f->type != VFT_CAPF_STR || v >= f->size)
			return -1;
		if (seen & bit)
			memset(base + f->offset, 0, f->size);
		seen |= bit;
		/* a C string ends at its first NUL */
		copy_str(base + f->offset, s, str->clen);
	}
	r->prev_ts += ts_delta;
	ev->ts_ns = r->prev_ts;
	r->rp = end;
	return 0;
}

int vft_capture_reader__next(struct vft_capture_reader *r, struct vft_event *ev)
{
	int err;

	if (r->err)
		return r->err;
	for (;;) {
		if (r->left) {
			err = decode_event(r, ev);
			if (err) {
				note_corrupt(r, r->block_off, "malformed event in a block");
				r->left = 0;
				continue;
			}
			r->left--;
			r->st.events++;
			if (!r->left && r->rp != r->rend)
				note_corrupt(r, r->block_off, "bytes after the block's last event");
			return 1;
		}
		err = read_block(r);
		if (err < 0)
			r->err = err;
		if (err <= 0)
			return err;
		if (!r->left && r->rp != r->rend)
			note_corrupt(r, r->block_off, "bytes after the block's last event");
	}
}

const struct vft_capture_header *vft_capture_reader__header(const struct vft_capture_reader *r)
{
	return &r->hdr;
}

const struct vft_capture_status *vft_capture_reader__status(const struct vft_capture_reader *r)
{
	return &r->st;
}

void vft_capture_reader__free(struct vft_capture_reader *r)
{
	if (!r)
		return;
	if (r->z_ready)
		inflateEnd(&r->z);
	if (r->own_fd && r->fd >= 0)
		close(r->fd);
	free(r->buf);
	free(r->raw);
	free(r->strs);
	free(r->sbuf);
	free(r);
}

static int reader_open(struct vft_capture_reader *r, struct vft_capture_reader **out, char *msg,
		       size_t msg_size)
{
	int err;

	if (inflateInit(&r->z) != Z_OK) {
		set_msg(msg, msg_size, "out of memory");
		err = -ENOMEM;
		goto fail;
	}
	r->z_ready = true;
	err = read_header(r, msg, msg_size);
	if (err)
		goto fail;
	*out = r;
	return 0;
fail:
	vft_capture_reader__free(r);
	return err;
}

int vft_capture_reader__open_fd(int fd, struct vft_capture_reader **out, char *msg, size_t msg_size)
{
	struct vft_capture_reader *r;

	*out = NULL;
	r = calloc(1, sizeof(*r));
	if (!r) {
		set_msg(msg, msg_size, "out of memory");
		return -ENOMEM;
	}
	r->fd = fd;
	return reader_open(r, out, msg, msg_size);
}

int vft_capture_reader__open(const char *path, struct vft_capture_reader **out, char *msg,
			     size_t msg_size)
{
	struct vft_capture_reader *r;
	int fd, err;

	*out = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		set_msg(msg, msg_size, "cannot open %s: %s", path, strerror(-err));
		return err;
	}
	r = calloc(1, sizeof(*r));
	if (!r) {
		close(fd);
		set_msg(msg, msg_size, "out of memory");
		return -ENOMEM;
	}
	r->fd = fd;
	r->own_fd = true;
	return reader_open(r, out, msg, msg_size);
}

int vft_capture_reader__open_mem(const void *buf, size_t len, struct vft_capture_reader **out,
				 char *msg, size_t msg_size)
{
	static const uint8_t empty[1];
	struct vft_capture_reader *r;

	*out = NULL;
	r = calloc(1, sizeof(*r));
	if (!r) {
		set_msg(msg, msg_size, "out of memory");
		return -ENOMEM;
	}
	r->fd = -1;
	r->mem = buf && len ? buf : empty;
	r->mem_len = buf ? len : 0;
	return reader_open(r, out, msg, msg_size);
}
