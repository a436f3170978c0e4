/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * capture_format.h - what the capture writer (capture_writer.c) and reader
 * (capture_reader.c) share, and nothing else includes: the markers, the wire
 * types, the field table and the header codec of capture.c, the byte-level
 * codecs (little-endian words, varints, zigzag, CRC) and the buffer growth
 * rule. The codecs are inline: they run for every field of every event.
 * docs/capture-format.md is the format.
 */
#ifndef VFT_CAPTURE_FORMAT_H
#define VFT_CAPTURE_FORMAT_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <zlib.h>
#include "sinks/capture.h"

/* The first 8 bytes of a file, and of every block. */
extern const uint8_t cap_file_magic[8];
extern const uint8_t cap_block_sync[8];

#define FILE_HDR_FIXED 16 /* magic, major, minor, header length */
#define FILE_HDR_MIN (FILE_HDR_FIXED + 4)

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

/*
 * The event tags of capture.c, index = tag - 1. The count is a constant so
 * that the encoder's and the decoder's loops know it; the definition fails to
 * compile when the table has another length.
 */
#define CAP_N_FIELDS 69
extern const struct vft_capture_field cap_fields[CAP_N_FIELDS];
_Static_assert(CAP_N_FIELDS <= 128, "the decoder keeps the fields it set in 2 x 64 bits");

/* The file header into @buf (at least 1024 bytes); returns its length. */
size_t cap_encode_header(const struct vft_capture_header *h, uint8_t *buf);

/* The header fields in [p, end) into @h: 0, or -1 with @bad_tag set. */
int cap_parse_header(struct vft_capture_header *h, const uint8_t *p, const uint8_t *end,
		     unsigned int *bad_tag);

/*
 * Room for @need elements in *p; doubles, but never past the format's limits
 * for nothing. Inline: the reader asks for every string of a block's table.
 */
static inline int cap_grow(void **p, size_t *cap, size_t need, size_t elem)
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

static inline void put_le16(uint8_t *p, uint16_t v)
{
	p[0] = v;
	p[1] = v >> 8;
}

static inline void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = v;
	p[1] = v >> 8;
	p[2] = v >> 16;
	p[3] = v >> 24;
}

static inline uint16_t get_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint32_t crc(const void *p, size_t len)
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

#endif /* VFT_CAPTURE_FORMAT_H */
