// SPDX-License-Identifier: GPL-2.0-only
/*
 * capture_writer.c - the capture writer: events encoded into a block (string
 * table, placeholders for references), the block sorted, compressed and
 * written with one write(), and the flight recorder's rotation of FILE,
 * FILE.1 .. FILE.N-1 (VFT_CAPTURE_KEEP: an earlier recording is shifted, not
 * replaced). The contract is in capture.h, the format in capture.c.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <zlib.h>
#include "sinks/capture.h"
#include "sinks/capture_format.h"

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

	for (i = 0; i < CAP_N_FIELDS; i++)
		n += cap_fields[i].type == VFT_CAPF_STR;
	return n;
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
	size_t len = cap_encode_header(&w->hdr, buf);
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

	if (w->opts.flags & VFT_CAPTURE_NOFOLLOW)
		flags |= O_NOFOLLOW;
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
	err = cap_grow((void **)&w->pay, &w->pay_cap, need, 1);
	if (!err)
		err = cap_grow((void **)&w->order, &w->order_cap, n ? n : 1, sizeof(*w->order));
	if (!err)
		err = cap_grow((void **)&w->rank, &w->rank_cap, n ? n : 1, sizeof(*w->rank));
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
	err = cap_grow((void **)&w->out, &w->out_cap, need, 1);
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
	memcpy(h, cap_block_sync, sizeof(cap_block_sync));
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

	err = cap_grow((void **)&w->arena, &w->arena_cap, w->arena_len + sizeof(struct vft_event),
		       1);
	if (err)
		return err;
	cap = w->strs_cap;
	err = cap_grow((void **)&w->strs, &cap, need, sizeof(*w->strs));
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

/* One field of an event (at @src) after @p, unless it is zero; returns the new end. */
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

	for (i = 0; i < CAP_N_FIELDS; i++)
		if (cap_fields[i].type != VFT_CAPF_TS)
			p = put_field(w, p, &cap_fields[i], base + cap_fields[i].offset);
	for (i = 0; i < CAP_N_FIELDS; i++)
		if (cap_fields[i].type == VFT_CAPF_TS)
			p = put_field(w, p, &cap_fields[i], base + cap_fields[i].offset);
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
	err2 = cap_grow((void **)&w->raw, &w->raw_cap, w->raw_len + VFT_CAPTURE_MAX_EVENT + 4, 1);
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
