// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_capture.c - libFuzzer target for the capture reader (`make fuzz`).
 *
 * The first byte of an input chooses what the rest is:
 *   even: a whole capture file, read from memory and again through a file
 *         descriptor; both readers must agree.
 *   odd:  the inflated payload of one block (2 bytes of event count first):
 *         the target wraps it in a valid header and two sound blocks (CRCs,
 *         zlib), so mutations reach the event decoder, not the checksums.
 *         Every event decoded is written again with the writer and read
 *         back: it must come back identical.
 * Every event returned must have NUL-terminated strings. A broken
 * invariant aborts, which libFuzzer reports as a crash.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include "sinks/capture.h"
#include "capfmt.h"

#define MAX_KEEP 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define check(cond)                                                                              \
	do {                                                                                     \
		if (!(cond)) {                                                                   \
			fprintf(stderr, "fuzz_capture: invariant failed: %s (line %d)\n", #cond, \
				__LINE__);                                                       \
			abort();                                                                 \
		}                                                                                \
	} while (0)

struct drained {
	int open_err;
	size_t n;
	uint32_t hash; /* of every event, in order */
	struct vft_capture_status st;
	struct vft_event keep[MAX_KEEP];
};

static void check_strings(const struct vft_event *ev)
{
	const struct vft_capture_field *f;
	size_t n, i;

	f = vft_capture__fields(&n);
	for (i = 0; i < n; i++)
		if (f[i].type == VFT_CAPF_STR)
			check(memchr((const uint8_t *)ev + f[i].offset, 0, f[i].size));
}

static void drain(struct vft_capture_reader *r, struct drained *d)
{
	const struct vft_capture_header *h = vft_capture_reader__header(r);
	struct vft_event ev;
	int ret;

	check(memchr(h->hostname, 0, sizeof(h->hostname)));
	check(memchr(h->kernel, 0, sizeof(h->kernel)));
	check(memchr(h->boot_id, 0, sizeof(h->boot_id)));
	check(memchr(h->version, 0, sizeof(h->version)));
	while ((ret = vft_capture_reader__next(r, &ev)) == 1) {
		check_strings(&ev);
		d->hash = (uint32_t)crc32(d->hash, (const Bytef *)&ev, sizeof(ev));
		if (d->n < MAX_KEEP)
			d->keep[d->n] = ev;
		d->n++;
	}
	check(ret == 0);
	check(vft_capture_reader__next(r, &ev) == 0); /* the end stays the end */
	d->st = *vft_capture_reader__status(r);
	check(d->st.events == d->n);
}

static void read_mem(const uint8_t *buf, size_t len, struct drained *d)
{
	struct vft_capture_reader *r;
	char msg[256];

	memset(d, 0, sizeof(*d));
	d->open_err = vft_capture_reader__open_mem(buf, len, &r, msg, sizeof(msg));
	if (d->open_err) {
		check(d->open_err < 0 && !r && msg[0]);
		return;
	}
	drain(r, d);
	vft_capture_reader__free(r);
}

/* Reads the memfd @fd from its start. */
static void read_fd(int fd, struct drained *d)
{
	struct vft_capture_reader *r;
	char msg[256];

	check(lseek(fd, 0, SEEK_SET) == 0);
	memset(d, 0, sizeof(*d));
	d->open_err = vft_capture_reader__open_fd(fd, &r, msg, sizeof(msg));
	if (d->open_err) {
		check(d->open_err < 0 && !r && msg[0]);
		return;
	}
	drain(r, d);
	vft_capture_reader__free(r);
}

static int memfd_with(const uint8_t *buf, size_t len)
{
	int fd = memfd_create("fuzz_capture", MFD_CLOEXEC);

	check(fd >= 0);
	check(write(fd, buf, len) == (ssize_t)len);
	return fd;
}

static void same(const struct drained *a, const struct drained *b)
{
	check(a->open_err == b->open_err);
	check(a->n == b->n);
	check(a->hash == b->hash);
	check(a->st.truncated == b->st.truncated);
	check(a->st.truncated_offset == b->st.truncated_offset);
	check(a->st.corrupt == b->st.corrupt);
	check(a->st.corrupt_bytes == b->st.corrupt_bytes);
	check(a->st.blocks == b->st.blocks);
}

/* Events decoded from anything are written again and read back unchanged. */
static void rewrite(const struct drained *d)
{
	static struct drained back;
	struct vft_capture_writer *w;
	struct vft_capture_header h;
	size_t i, n = d->n < MAX_KEEP ? d->n : MAX_KEEP;
	char path[64];
	int fd = memfd_create("fuzz_capture_w", MFD_CLOEXEC);

	check(fd >= 0);
	memset(&h, 0, sizeof(h));
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	check(vft_capture_writer__new(path, NULL, &h, &w) == 0);
	for (i = 0; i < n; i++)
		check(vft_capture_writer__write(w, &d->keep[i]) == 0);
	check(vft_capture_writer__free(w) == 0);
	read_fd(fd, &back);
	close(fd);
	check(back.n == n);
	check(back.st.corrupt == 0 && !back.st.truncated);
	for (i = 0; i < n; i++)
		check(!memcmp(&back.keep[i], &d->keep[i], sizeof(struct vft_event)));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct drained a, b;
	static uint8_t file[1024 + 2 * (CAPFMT_BLOCK_HDR + 1024) + 4 * 65536];
	size_t len, plen;
	uint32_t count;
	int fd;

	if (size < 1)
		return 0;
	if (!(data[0] & 1)) {
		read_mem(data + 1, size - 1, &a);
		fd = memfd_with(data + 1, size - 1);
		read_fd(fd, &b);
		close(fd);
		same(&a, &b);
		return 0;
	}
	if (size < 3)
		return 0;
	count = data[1] | (uint32_t)data[2] << 8;
	data += 3;
	size -= 3;
	plen = size < 65536 ? size : 65536;
	/* the payload twice: the string table and the time base restart in each block */
	len = capfmt_header(file, 1, 0, "fuzz", NULL, 0);
	len += capfmt_block(file + len, data, plen, count, 0);
	len += capfmt_block(file + len, data, plen, count, 1);
	read_mem(file, len, &a);
	check(!a.open_err);
	/* else both headers are refused, and blocks inside the payload may be found */
	if (count <= plen) { /* both blocks are sound: read whole, each alone, the same */
		size_t i, half = a.n / 2;

		check(!a.st.truncated);
		check(a.st.blocks == 2 ? a.st.corrupt % 2 == 0 : a.st.corrupt == 2 && !a.n);
		check(a.n % 2 == 0);
		for (i = 0; i < half && half + i < MAX_KEEP; i++)
			check(!memcmp(&a.keep[i], &a.keep[half + i], sizeof(struct vft_event)));
	}
	if (a.n)
		rewrite(&a);
	return 0;
}
