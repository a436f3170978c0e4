/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * capfmt.h - the capture container written again from docs/capture-format.md,
 * independently of user/sinks/capture*.c: the tests, the fuzzer and the benchmark
 * build files by hand (a block around arbitrary bytes, a header with another
 * version) and walk a file's blocks with it. Header-only, for test programs.
 */
#ifndef VFT_TEST_CAPFMT_H
#define VFT_TEST_CAPFMT_H

#include <stdint.h>
#include <string.h>
#include <zlib.h>

#define CAPFMT_BLOCK_HDR 32

static const uint8_t capfmt_magic[8] = { 0x89, 'V', 'F', 'T', 'C', 'A', 'P', '\n' };
static const uint8_t capfmt_sync[8] = { 0xb7, 'v', 'f', 't', 'B', 'L', 'K', '\n' };

static inline void capfmt_le32(uint8_t *p, uint32_t v)
{
	p[0] = v;
	p[1] = v >> 8;
	p[2] = v >> 16;
	p[3] = v >> 24;
}

static inline uint32_t capfmt_get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint8_t *capfmt_varint(uint8_t *p, uint64_t v)
{
	while (v >= 0x80) {
		*p++ = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	*p++ = (uint8_t)v;
	return p;
}

/* key of a field: tag << 2 | wire type (0 varint, 1 string reference, 2 bytes) */
static inline uint8_t *capfmt_key(uint8_t *p, unsigned int tag, unsigned int wt)
{
	return capfmt_varint(p, (uint64_t)tag << 2 | wt);
}

static inline uint8_t *capfmt_bytes(uint8_t *p, unsigned int tag, unsigned int wt, const void *s,
				    size_t n)
{
	p = capfmt_key(p, tag, wt);
	p = capfmt_varint(p, n);
	memcpy(p, s, n);
	return p + n;
}

/*
 * A file header of version @major.@minor holding the hostname @host and
 * @extra_len bytes of extra fields (may be 0) into @buf (>= 1024 bytes);
 * returns its length.
 */
static inline size_t capfmt_header(uint8_t *buf, unsigned int major, unsigned int minor,
				   const char *host, const uint8_t *extra, size_t extra_len)
{
	uint8_t *p = buf + 16;
	size_t len;

	memcpy(buf, capfmt_magic, 8);
	buf[8] = major;
	buf[9] = major >> 8;
	buf[10] = minor;
	buf[11] = minor >> 8;
	p = capfmt_bytes(p, 1, 2, host, strlen(host));
	if (extra_len)
		memcpy(p, extra, extra_len);
	p += extra_len;
	len = (size_t)(p - buf) + 4;
	capfmt_le32(buf + 12, (uint32_t)len);
	capfmt_le32(p, (uint32_t)crc32(0, buf, (uInt)(len - 4)));
	return len;
}

/*
 * A block around @raw (an uncompressed payload: the string table, then
 * varint-prefixed events)
 * claiming @count events, into @out (CAPFMT_BLOCK_HDR + compressBound(len)
 * bytes). Returns its length, or 0 if zlib fails.
 */
static inline size_t capfmt_block(uint8_t *out, const void *raw, size_t len, uint32_t count,
				  uint32_t seq)
{
	uLongf clen = compressBound(len);

	if (compress2(out + CAPFMT_BLOCK_HDR, &clen, raw, len, 1) != Z_OK)
		return 0;
	memcpy(out, capfmt_sync, 8);
	capfmt_le32(out + 8, (uint32_t)clen);
	capfmt_le32(out + 12, (uint32_t)len);
	capfmt_le32(out + 16, count);
	capfmt_le32(out + 20, (uint32_t)crc32(0, out + CAPFMT_BLOCK_HDR, (uInt)clen));
	capfmt_le32(out + 24, seq);
	capfmt_le32(out + 28, (uint32_t)crc32(0, out, 28));
	return CAPFMT_BLOCK_HDR + clen;
}

struct capfmt_block_info {
	size_t off;	/* of the block header */
	uint32_t clen;	/* stored payload bytes */
	uint32_t rlen;	/* inflated bytes */
	uint32_t count; /* events */
	const uint8_t *payload;
};

/*
 * The blocks of a well-formed capture @buf, in order: calls @cb for each and
 * stops at the first byte that is not a sound block header. Returns the
 * number of blocks, or -1 if the file header is not sound.
 */
static inline long capfmt_walk(const uint8_t *buf, size_t len,
			       void (*cb)(const struct capfmt_block_info *b, void *ctx), void *ctx)
{
	struct capfmt_block_info b;
	size_t off;
	long n = 0;

	if (len < 20 || memcmp(buf, capfmt_magic, 8))
		return -1;
	off = capfmt_get32(buf + 12);
	if (off > len)
		return -1;
	while (off + CAPFMT_BLOCK_HDR <= len && !memcmp(buf + off, capfmt_sync, 8) &&
	       crc32(0, buf + off, 28) == capfmt_get32(buf + off + 28)) {
		b.off = off;
		b.clen = capfmt_get32(buf + off + 8);
		b.rlen = capfmt_get32(buf + off + 12);
		b.count = capfmt_get32(buf + off + 16);
		b.payload = buf + off + CAPFMT_BLOCK_HDR;
		if (off + CAPFMT_BLOCK_HDR + b.clen > len)
			break;
		if (cb)
			cb(&b, ctx);
		off += CAPFMT_BLOCK_HDR + b.clen;
		n++;
	}
	return n;
}

#endif /* VFT_TEST_CAPFMT_H */
