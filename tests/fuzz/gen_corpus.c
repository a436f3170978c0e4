// SPDX-License-Identifier: GPL-2.0-only
/*
 * gen_corpus.c - the seed corpus of fuzz_capture and fuzz_replay (`make
 * fuzz`): small valid captures written by the real writer (every kind,
 * several blocks, empty), one cut short and one with a damaged block, each
 * as a whole-file input (first byte 0), and the inflated payload of each of
 * their blocks as a payload input (first byte 1, then the event count, 2
 * bytes little-endian). Given captures instead (recorded scenarios that
 * raise findings, for fuzz_replay), the same two kinds of seed of each.
 *
 * Usage: gen_corpus DIR [CAPTURE...]   (DIR exists; seeds go to DIR/seed-NN)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "sinks/capture.h"
#include "capfmt.h"

static const char *dir;
static unsigned int nseeds;

static void die(const char *what, int err)
{
	fprintf(stderr, "gen_corpus: %s: %s\n", what, strerror(err < 0 ? -err : err));
	exit(1);
}

static void put_seed(uint8_t mode, const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/seed-%02u", dir, nseeds++);
	f = fopen(path, "w");
	if (!f)
		die(path, errno);
	if (fwrite(&mode, 1, 1, f) != 1 || fwrite(a, 1, alen, f) != alen ||
	    (blen && fwrite(b, 1, blen, f) != blen) || fclose(f))
		die(path, EIO);
}

static struct vft_event event(uint32_t kind, unsigned int i)
{
	struct vft_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.kind = kind;
	ev.source = 1 + i % (VFT_SRC_MAX - 1);
	ev.ts_ns = 1764355201000000000ULL + i * 1000003ULL;
	ev.has_actor = i % 3 != 0;
	if (ev.has_actor) {
		ev.actor.pid = 4242 + i % 3;
		ev.actor.tid = ev.actor.pid;
		ev.actor.netns = 4026531840u;
		ev.actor.cgroup_id = 7777;
		strcpy(ev.actor.comm, "sriov-cni");
		strcpy(ev.actor.cgroup, "/kubepods.slice/kubepods-pod0f5e6a1c.slice/"
					"cri-containerd-3f2a1b0c.scope");
	}
	snprintf(ev.ifname, sizeof(ev.ifname), "ens3f0v%u", i % 4);
	ev.ifindex = 10 + (int)(i % 4);
	ev.netns = 4026531840u;
	snprintf(ev.parent, sizeof(ev.parent), "0000:3b:10.%u", i % 4);
	switch (kind) {
	case VFT_EV_NETNS_MOVE:
	case VFT_EV_NETDEV_RENAME:
		strcpy(ev.new_ifname, "net1");
		ev.from_netns = 4026531840u;
		ev.to_netns = 4026533001u;
		ev.new_ifindex = 3;
		ev.has_ret = true;
		ev.ret = i % 2 ? -17 : 0;
		if (ev.ret)
			strcpy(ev.message, "A network device with that name already exists");
		break;
	case VFT_EV_LINK_CHANGE:
		ev.flags = 0x11043;
		ev.old_flags = 0x1002;
		break;
	case VFT_EV_ADDR_ADD:
	case VFT_EV_ADDR_DEL:
		ev.family = 10;
		ev.prefixlen = 64;
		ev.addr[0] = 0xfe;
		ev.addr[1] = 0x80;
		ev.addr[15] = (uint8_t)i;
		break;
	case VFT_EV_DRIVER_BIND:
	case VFT_EV_DRIVER_UNBIND:
	case VFT_EV_SRIOV_NUMVFS:
	case VFT_EV_VF_ADD:
	case VFT_EV_VF_REMOVE:
		strcpy(ev.device, ev.parent);
		strcpy(ev.driver, "mlx5_core");
		strcpy(ev.pf, "0000:3b:00.0");
		ev.num_vfs = 4;
		ev.vf_index = (int)(i % 4);
		break;
	case VFT_EV_NETLINK_ERROR:
		strcpy(ev.message, "Device or resource busy");
		break;
	case VFT_EV_NETNS_INFO:
		strcpy(ev.netns_name, "cni-1111");
		strcpy(ev.pod_uid, "0f5e6a1c-3b2d-4e8f-9a7b-6c5d4e3f2a1b");
		strcpy(ev.container, "3f2a1b0c9d8e7f6a");
		break;
	case VFT_EV_VF_CHECK:
		strcpy(ev.vf_key, ev.parent);
		break;
	default: /* rdma_* */
		snprintf(ev.ibdev, sizeof(ev.ibdev), "mlx5_%u", i % 4);
		strcpy(ev.new_ibdev, "ibp59s0v1");
		ev.node_guid = 0xb8cef60300a1b2c3ULL;
		ev.port_guid = 0xb8cef60300a1b2c4ULL;
		ev.port = 1;
		ev.port_event = 9;
		ev.has_port_attrs = true;
		ev.port_state = 4;
		ev.phys_state = 5;
		ev.lid = 17;
		ev.sm_lid = 1;
		strcpy(ev.link_layer, "InfiniBand");
		ev.n_gids = 2;
		break;
	}
	return ev;
}

static uint8_t *slurp(const char *path, size_t *len)
{
	struct stat st;
	uint8_t *buf;
	int fd = open(path, O_RDONLY);

	if (fd < 0 || fstat(fd, &st))
		die(path, errno);
	buf = malloc(st.st_size ? st.st_size : 1);
	if (!buf || read(fd, buf, st.st_size) != st.st_size)
		die(path, EIO);
	close(fd);
	*len = st.st_size;
	return buf;
}

/* Writes @n events in blocks of @per_block into a capture; returns its bytes. */
static uint8_t *capture(unsigned int n, unsigned int per_block, size_t *len)
{
	struct vft_capture_writer *w;
	struct vft_capture_header h;
	char path[4096];
	unsigned int i;
	uint8_t *buf;
	int err;

	snprintf(path, sizeof(path), "%s/.tmp-capture", dir);
	memset(&h, 0, sizeof(h));
	strcpy(h.hostname, "gpu-node-1");
	strcpy(h.kernel, "6.12.9-amd64");
	strcpy(h.boot_id, "5b1c2a4e-8f1d-4a55-9b0e-3d2c1b0a9f8e");
	strcpy(h.version, "0.1.0");
	h.start_wall_ns = 1764355201000000000ULL;
	h.start_mono_ns = 123456789;
	err = vft_capture_writer__new(path, NULL, &h, &w);
	if (err)
		die("cannot create a capture", err);
	for (i = 0; i < n; i++) {
		struct vft_event ev = event(1 + i % (VFT_EV_KIND_MAX - 1), i);

		err = vft_capture_writer__write(w, &ev);
		if (!err && i % per_block == per_block - 1)
			err = vft_capture_writer__flush(w);
		if (err)
			die("cannot write a capture", err);
	}
	err = vft_capture_writer__free(w);
	if (err)
		die("cannot close a capture", err);
	buf = slurp(path, len);
	unlink(path);
	return buf;
}

/* The payload seed of one block; checks that capfmt wraps it into what the reader reads. */
static void payload_seed(const struct capfmt_block_info *b, void *ctx)
{
	static uint8_t file[1 << 20];
	struct vft_capture_reader *r;
	struct vft_event ev;
	uLongf rlen = b->rlen;
	uint8_t *raw = malloc(b->rlen + 1), count[2] = { b->count, b->count >> 8 };
	size_t len;
	uint32_t n = 0;
	int ret;

	if (!raw || uncompress(raw, &rlen, b->payload, b->clen) != Z_OK || rlen != b->rlen)
		die("cannot inflate a block", EIO);
	if (b->rlen + 3 > 4000)
		goto out; /* libFuzzer's default input size */
	put_seed(1, count, 2, raw, b->rlen);
	len = capfmt_header(file, 1, 0, "fuzz", NULL, 0);
	len += capfmt_block(file + len, raw, b->rlen, b->count, 0);
	if (vft_capture_reader__open_mem(file, len, &r, NULL, 0))
		die("the reader refuses capfmt's header", EINVAL);
	while ((ret = vft_capture_reader__next(r, &ev)) == 1)
		n++;
	if (ret || n != b->count || vft_capture_reader__status(r)->corrupt)
		die("the reader refuses capfmt's block", EINVAL);
	vft_capture_reader__free(r);
out:
	free(raw);
}

static void file_seed(const uint8_t *buf, size_t len, bool payloads)
{
	put_seed(0, buf, len, NULL, 0);
	if (payloads && capfmt_walk(buf, len, payload_seed, NULL) < 0)
		die("capfmt cannot walk the writer's file", EINVAL);
}

int main(int argc, char **argv)
{
	uint8_t *buf;
	size_t len;

	int i;

	if (argc < 2) {
		fprintf(stderr, "usage: gen_corpus DIR [CAPTURE...]\n");
		return 2;
	}
	dir = argv[1];
	if (argc > 2) {
		for (i = 2; i < argc; i++) {
			buf = slurp(argv[i], &len);
			file_seed(buf, len, true);
			free(buf);
		}
		printf("gen_corpus: %u seeds from %d captures in %s\n", nseeds, argc - 2, dir);
		return 0;
	}

	buf = capture(0, 1, &len); /* header only */
	file_seed(buf, len, false);
	free(buf);

	buf = capture(3, 3, &len);
	file_seed(buf, len, true);
	free(buf);

	buf = capture(VFT_EV_KIND_MAX - 1, 100, &len); /* every kind */
	file_seed(buf, len, true);
	free(buf);

	buf = capture(12, 4, &len); /* three blocks */
	file_seed(buf, len, true);
	put_seed(0, buf, len - 7, NULL, 0); /* cut short */
	buf[len / 2] ^= 0x40;		    /* a damaged block */
	put_seed(0, buf, len, NULL, 0);
	free(buf);
	printf("gen_corpus: %u seeds in %s\n", nseeds, dir);
	return 0;
}
