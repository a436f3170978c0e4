// SPDX-License-Identifier: GPL-2.0-only
/*
 * capture_reader.c - the capture reader: input from a path, an fd or memory
 * through one forward-only buffer, the header validated, every block checked
 * (sync marker, CRCs, lengths against the format's limits) before it is
 * inflated, a damaged one skipped to the next sync marker and counted, and
 * the events decoded field by field. The contract is in capture.h, the
 * format in capture.c.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <sys/stat.h>
#include "sinks/capture.h"
#include "sinks/capture_format.h"

#define SCAN_CHUNK (64u << 10)
#define READ_CHUNK (256u << 10)

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
			err = cap_grow((void **)&r->buf, &r->buf_cap, READ_CHUNK, 1);
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
		err = cap_grow((void **)&r->buf, &r->buf_cap, want, 1);
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
	if (avail < sizeof(cap_file_magic) && !memcmp(p, cap_file_magic, avail)) {
		set_msg(msg, msg_size, "%s",
			avail ? "the capture ends inside its header: it holds no events" :
				"the capture is empty: it holds no events");
		return -ENODATA;
	}
	if (avail < sizeof(cap_file_magic) || memcmp(p, cap_file_magic, sizeof(cap_file_magic))) {
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
	if (cap_parse_header(&r->hdr, p + FILE_HDR_FIXED, p + hlen - 4, &bad_tag)) {
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
		if (avail < sizeof(cap_block_sync)) {
			off += avail;
			break;
		}
		q = memmem(p, avail, cap_block_sync, sizeof(cap_block_sync));
		if (q) {
			off += (uint64_t)(q - p);
			break;
		}
		off += avail - (sizeof(cap_block_sync) - 1);
	}
	r->st.corrupt_bytes += off - r->pos;
	r->pos = off;
	return 0;
}

static const char *check_block_header(const uint8_t *h)
{
	uint32_t clen = get_le32(h + 8), rlen = get_le32(h + 12), count = get_le32(h + 16);

	if (memcmp(h, cap_block_sync, sizeof(cap_block_sync)))
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
	if (cap_grow((void **)&r->raw, &r->raw_cap, (size_t)rlen + 1, 1))
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
	if (cap_grow((void **)&r->strs, &r->strs_cap, n ? n : 1, sizeof(*r->strs)))
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		if (get_varint(&p, end, &pre) || get_varint(&p, end, &suf) || pre > prev_len ||
		    suf > (uint64_t)(end - p) || total + pre + suf > VFT_CAPTURE_MAX_BLOCK)
			return -1;
		if (cap_grow((void **)&r->sbuf, &r->sbuf_cap, total + pre + suf + 1, 1))
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
			size_t n = avail < sizeof(cap_block_sync) ? avail : sizeof(cap_block_sync);

			if (!memcmp(p, cap_block_sync, n)) {
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
	uint64_t len, ts_delta = 0, seen[2] = { 0, 0 }; /* fields set, by tag - 1 */

	if (get_varint(&p, r->rend, &len) || len > (uint64_t)(r->rend - p) ||
	    len > VFT_CAPTURE_MAX_EVENT)
		return -1;
	end = p + len;
	memset(ev, 0, sizeof(*ev));
	while (p < end) {
		const struct vft_capture_field *f = NULL;
		const struct rstr *str;
		const uint8_t *s = NULL;
		uint64_t key, v, bit = 0, *word = seen;
		unsigned int wt;

		if (get_varint(&p, end, &key) || get_varint(&p, end, &v))
			return -1;
		wt = key & 3;
		if ((key >> 2) - 1 < CAP_N_FIELDS) {
			f = &cap_fields[(key >> 2) - 1];
			word = &seen[((key >> 2) - 1) / 64];
			bit = 1ULL << (((key >> 2) - 1) % 64);
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
			if (*word & bit) /* a field twice: the last one counts */
				memset(base + f->offset, 0, f->size);
			*word |= bit;
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
		if (*word & bit)
			memset(base + f->offset, 0, f->size);
		*word |= bit;
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
	struct stat st;
	int fd, err;

	*out = NULL;
	/*
	 * A symbolic link is refused by the open itself: a check before it
	 * (lstat) could be answered by one file and the open by another.
	 */
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		/* ELOOP is also a loop in the directories: lstat() only picks the message */
		if (err == -ELOOP && !lstat(path, &st) && S_ISLNK(st.st_mode))
			set_msg(msg, msg_size,
				"cannot open %s: it is a symbolic link, and captures are not read "
				"through one: give the file it points to (readlink -f %s)",
				path, path);
		else
			set_msg(msg, msg_size, "cannot open %s: %s", path, strerror(-err));
		return err;
	}
	/* a file or a named pipe; a directory or a device is no capture */
	if (fstat(fd, &st)) {
		err = -errno;
		set_msg(msg, msg_size, "cannot read %s: %s", path, strerror(-err));
		goto fail;
	}
	if (!S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode)) {
		err = S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
		set_msg(msg, msg_size, "cannot read %s: it is %s, not a capture file%s", path,
			S_ISDIR(st.st_mode) ? "a directory" : "a device or a socket",
			S_ISDIR(st.st_mode) ? ": give a capture in it (DIR/vftrace.cap)" : "");
		goto fail;
	}
	r = calloc(1, sizeof(*r));
	if (!r) {
		err = -ENOMEM;
		set_msg(msg, msg_size, "out of memory");
		goto fail;
	}
	r->fd = fd;
	r->own_fd = true;
	return reader_open(r, out, msg, msg_size);
fail:
	close(fd);
	return err;
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
