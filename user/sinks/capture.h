/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * capture.h - capture files: a versioned header, then zlib-compressed blocks
 * of events (docs/capture-format.md has the format byte by byte).
 *
 * The writer buffers events and writes a whole block with one write() when
 * the caller flushes (once a second), when the block is full and on close,
 * so a file stays replayable up to its last block whatever happens to the
 * process. With max_size and rotate it is a flight recorder: FILE, FILE.1 ..
 * FILE.N-1, newest data in FILE, each file starting with its own header.
 *
 * The reader never trusts a length it has not checked against the format's
 * limits, skips a damaged block to the next sync marker and says so in its
 * status, and reports a file cut short as truncated. The library prints
 * nothing: errors are returned, damage is counted in the reader's status.
 */
#ifndef VFT_CAPTURE_H
#define VFT_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "model/event.h"

/* The format this code writes. It reads any 1.x; a newer minor only adds tags. */
#define VFT_CAPTURE_MAJOR 1
#define VFT_CAPTURE_MINOR 2

/* Limits of the format: a reader refuses anything larger, a writer never makes it. */
#define VFT_CAPTURE_MAX_HEADER (64u << 10)   /* file header, all of it */
#define VFT_CAPTURE_MAX_BLOCK (16u << 20)    /* a block's payload, stored or inflated */
#define VFT_CAPTURE_MAX_EVENT 16384u	     /* one encoded event */
#define VFT_CAPTURE_MAX_STRINGS 65536u	     /* string-table entries in one block */
#define VFT_CAPTURE_BLOCK_HDR 32u	     /* bytes of a block header */
#define VFT_CAPTURE_DEFAULT_BLOCK (1u << 20) /* raw bytes that end a block early */
#define VFT_CAPTURE_MIN_FILE_SIZE 4096u	     /* smallest max_size accepted */
#define VFT_CAPTURE_MAX_ROTATE 1000u	     /* most files in a rotation */

/* What a capture file says about where and when it was recorded. */
struct vft_capture_header {
	uint16_t major; /* format version: the writer sets them, the reader reports them */
	uint16_t minor;
	char hostname[256];
	char kernel[128];	/* uname release */
	char boot_id[40];	/* /proc/sys/kernel/random/boot_id, "" if unreadable */
	char version[32];	/* vftrace version that wrote the file */
	uint64_t start_wall_ns; /* CLOCK_REALTIME when recording started */
	uint64_t start_mono_ns; /* CLOCK_MONOTONIC at the same moment */
	uint64_t start_boot_ns; /* CLOCK_BOOTTIME at the same moment */
	uint32_t part;		/* 0 for the first file of a recording, +1 per rotation */
};

/*
 * Fills @hdr for this machine: gethostname(), uname release,
 * @root/proc/sys/kernel/random/boot_id (root prefix: NULL or "/" for the
 * live system; a missing file leaves boot_id ""), the tool version and the
 * clocks now. Returns 0 or -errno.
 */
int vft_capture_header__fill_local(struct vft_capture_header *hdr, const char *root);

enum vft_capture_flags {
	/* fail with -EEXIST if FILE (or, rotating, FILE.1 ..) exists; default: replace them */
	VFT_CAPTURE_EXCL = 1u << 0,
	/* fdatasync() after every block (survives power loss, costs a disk flush) */
	VFT_CAPTURE_SYNC = 1u << 1,
	/*
	 * A flight recorder that goes on (the daemon's restart, its SIGHUP after
	 * a move): when rotating, an existing FILE becomes FILE.1 (FILE.1 FILE.2,
	 * ..., the oldest past @rotate removed) instead of being replaced, and
	 * FILE.1 .. are kept as they are when FILE is not there
	 */
	VFT_CAPTURE_KEEP = 1u << 2,
	/*
	 * never write through a symbolic link: FILE (and each rotated new
	 * FILE) is opened with O_NOFOLLOW, so a link put there between the
	 * caller's check and the open is refused (-ELOOP), not followed. For
	 * a directory that others may write to (a daemon's capture directory);
	 * without it, `record -o /dev/stdout` works.
	 */
	VFT_CAPTURE_NOFOLLOW = 1u << 3,
};

struct vft_capture_opts {
	unsigned int flags; /* enum vft_capture_flags */
	/*
	 * Flight recorder: start a new file when the next block would take the
	 * current one past max_size bytes (0: no limit), keeping @rotate files
	 * FILE, FILE.1 .. FILE.N-1 (0 or 1: FILE alone, replaced). A file is
	 * larger than max_size only when a single block is (a block is at most
	 * max_size / 2 raw bytes, compressed before it is written).
	 */
	uint64_t max_size;
	unsigned int rotate;
	int level;	   /* zlib level 1..9; 0: the default (6) */
	size_t block_size; /* raw bytes that end a block before the flush; 0: 1 MiB */
	/*
	 * For tests: replaces pwrite() (regular files) or write() (others, @off
	 * is then -1). Return the bytes written, or -1 with errno set.
	 */
	ssize_t (*write_fn)(int fd, const void *buf, size_t len, off_t off, void *ctx);
	void *write_ctx;
};

struct vft_capture_stats {
	uint64_t events;      /* in blocks that reached the file */
	uint64_t bytes;	      /* written to every file, headers included */
	uint64_t blocks;      /* blocks written */
	uint64_t files;	      /* files started: 1 + rotations */
	uint64_t pending;     /* events buffered, not written yet */
	uint64_t events_lost; /* in blocks whose write failed */
	uint64_t write_errors;
};

struct vft_capture_writer;

/*
 * Creates @path with mode 0600 and writes its header: @hdr (NULL: filled by
 * vft_capture_header__fill_local()); the writer sets the format version and
 * the part number. @opts may be NULL. Returns 0 or -errno: -EEXIST with
 * VFT_CAPTURE_EXCL, -EINVAL for options out of range (max_size below
 * VFT_CAPTURE_MIN_FILE_SIZE, rotate above VFT_CAPTURE_MAX_ROTATE, rotation
 * of a file that is not a regular file).
 */
int vft_capture_writer__new(const char *path, const struct vft_capture_opts *opts,
			    const struct vft_capture_header *hdr, struct vft_capture_writer **out);

/*
 * Buffers @ev; writes a block first when the buffer is full. Returns 0 or
 * the -errno of that block's write (its events are lost and counted; the
 * file stays valid up to the block before). A failed rotation (rename,
 * create) is final: every later call returns its error.
 */
int vft_capture_writer__write(struct vft_capture_writer *w, const struct vft_event *ev);

/* Writes the buffered events as one block, if any. Call it once a second. 0 or -errno. */
int vft_capture_writer__flush(struct vft_capture_writer *w);

void vft_capture_writer__stats(const struct vft_capture_writer *w, struct vft_capture_stats *st);

/*
 * Flushes, closes and frees @w (NULL is fine). Returns 0, or the -errno of
 * the flush or the close; @w is freed either way.
 */
int vft_capture_writer__free(struct vft_capture_writer *w);

/* What the reader found wrong. Offsets are bytes from the start of the file. */
#define VFT_CAPTURE_MAX_REPORTED 16

struct vft_capture_status {
	bool truncated;		   /* the file ends inside a block (or its header) */
	uint64_t truncated_offset; /* where that incomplete block starts */
	uint64_t corrupt;	   /* damaged regions skipped, each up to the next good block */
	uint64_t corrupt_offsets[VFT_CAPTURE_MAX_REPORTED]; /* where the first ones start */
	uint64_t last_corrupt_offset;
	const char *last_corrupt_reason; /* "payload CRC mismatch", ... ; NULL if none */
	uint64_t corrupt_bytes;		 /* bytes in the skipped regions */
	uint64_t blocks;		 /* good blocks read */
	uint64_t events;		 /* events returned */
};

struct vft_capture_reader;

/*
 * Opens a capture and reads its header. @msg (may be NULL) receives a line
 * saying what is wrong when it fails. @path must name a regular file or a
 * named pipe, not a symbolic link (the open refuses one: O_NOFOLLOW).
 * Returns 0 or -errno: -ELOOP (a symbolic link), -EISDIR, -EINVAL (a device,
 * not a capture file, or its header is damaged), -EPROTONOSUPPORT (a major
 * format version this vftrace cannot read), -ENODATA (the file ends inside
 * its header: empty, or cut short before any event), or open/read errors.
 */
int vft_capture_reader__open(const char *path, struct vft_capture_reader **out, char *msg,
			     size_t msg_size);
/* The same from @fd, read sequentially from where it is (a pipe works); @fd stays the caller's. */
int vft_capture_reader__open_fd(int fd, struct vft_capture_reader **out, char *msg,
				size_t msg_size);
/* The same from memory: @buf is not copied and must outlive the reader. */
int vft_capture_reader__open_mem(const void *buf, size_t len, struct vft_capture_reader **out,
				 char *msg, size_t msg_size);

const struct vft_capture_header *vft_capture_reader__header(const struct vft_capture_reader *r);

/*
 * The next event into @ev. Returns 1, 0 at the end (check the status for
 * truncation), or -errno for a read error (-EIO, -ENOMEM), which every later
 * call returns again. Damaged blocks are skipped: compare the status's
 * corrupt count before and after a call to warn as it happens.
 */
int vft_capture_reader__next(struct vft_capture_reader *r, struct vft_event *ev);

const struct vft_capture_status *vft_capture_reader__status(const struct vft_capture_reader *r);

/* Accepts NULL. Does not close a caller's fd. */
void vft_capture_reader__free(struct vft_capture_reader *r);

/*
 * The encoding of struct vft_event: one entry per field (nested actor
 * fields as "actor.pid"), in tag order. For tests and documentation.
 */
enum vft_capture_ftype {
	VFT_CAPF_U8 = 1,
	VFT_CAPF_BOOL,
	VFT_CAPF_U32,
	VFT_CAPF_S32,
	VFT_CAPF_U64,
	VFT_CAPF_TS,	/* u64, zigzag delta from the block's previous event */
	VFT_CAPF_STR,	/* NUL-terminated char array */
	VFT_CAPF_BYTES, /* byte array, trailing zeros not stored */
};

struct vft_capture_field {
	const char *name;
	uint16_t tag;
	uint16_t type; /* enum vft_capture_ftype */
	uint16_t offset;
	uint16_t size;
	uint16_t align;
};

const struct vft_capture_field *vft_capture__fields(size_t *n);

#endif /* VFT_CAPTURE_H */
