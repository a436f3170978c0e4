// SPDX-License-Identifier: GPL-2.0-only
/*
 * capture.c - the capture format itself: the table of event fields and their
 * stable tags, and the file header (filled for this machine, encoded,
 * parsed). The writer is capture_writer.c, the reader capture_reader.c; what
 * they share is in capture_format.h. docs/capture-format.md is the format,
 * byte by byte.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/utsname.h>
#include "sinks/capture.h"
#include "sinks/capture_format.h"
#include "lib/util.h"

#ifndef VFTRACE_VERSION
#define VFTRACE_VERSION "unknown"
#endif

const uint8_t cap_file_magic[8] = { 0x89, 'V', 'F', 'T', 'C', 'A', 'P', '\n' };
const uint8_t cap_block_sync[8] = { 0xb7, 'v', 'f', 't', 'B', 'L', 'K', '\n' };

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
 * next tag (a minor version) and CAP_N_FIELDS one more (capture_format.h);
 * docs/capture-format.md lists them.
 */
const struct vft_capture_field cap_fields[] = {
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
	FIELD(56, VFT_CAPF_STR, actor.exe),
	FIELD(57, VFT_CAPF_U32, vf_setting),
	FIELD(58, VFT_CAPF_U64, vf_value),
	FIELD(59, VFT_CAPF_U64, boot_ns),
	FIELD(60, VFT_CAPF_U8, context),
	FIELD(61, VFT_CAPF_STR, pod_ns),
	FIELD(62, VFT_CAPF_STR, pod_name),
	FIELD(63, VFT_CAPF_U8, pod_source),
	FIELD(64, VFT_CAPF_STR, cni_command),
	FIELD(65, VFT_CAPF_STR, cni_netns),
	FIELD(66, VFT_CAPF_U32, cni_ppid),
	FIELD(67, VFT_CAPF_U32, cni_status),
	FIELD(68, VFT_CAPF_U64, cni_duration_ns),
	FIELD(69, VFT_CAPF_U32, cni_flags),
};

/* Worst case of one event: every field with a 2-byte key, a 10-byte varint or a string. */
_Static_assert(sizeof(struct vft_event) + 14 * CAP_N_FIELDS + 10 <= VFT_CAPTURE_MAX_EVENT,
	       "an encoded vft_event may exceed VFT_CAPTURE_MAX_EVENT");
_Static_assert(sizeof(struct vft_event) < 65536, "field offsets are 16-bit");

const struct vft_capture_field *vft_capture__fields(size_t *n)
{
	*n = CAP_N_FIELDS;
	return cap_fields;
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

size_t cap_encode_header(const struct vft_capture_header *h, uint8_t *buf)
{
	uint8_t *p = buf + FILE_HDR_FIXED;
	size_t len;

	_Static_assert(sizeof(h->hostname) + sizeof(h->kernel) + sizeof(h->boot_id) +
				       sizeof(h->version) + 8 * 12 + FILE_HDR_MIN <=
			       1024,
		       "file header buffer too small");
	memcpy(buf, cap_file_magic, sizeof(cap_file_magic));
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

static int parse_header_str(char *dst, size_t size, const uint8_t *s, uint64_t len)
{
	if (len >= size)
		return -1;
	memcpy(dst, s, (size_t)len);
	dst[len] = '\0';
	return 0;
}

int cap_parse_header(struct vft_capture_header *h, const uint8_t *p, const uint8_t *end,
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
