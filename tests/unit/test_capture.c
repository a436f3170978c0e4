// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_capture.c - capture files: every field of every kind round-trips,
 * the encoding covers every field of struct vft_event (a field added to
 * user/model/event.h without a tag fails here), headers, damaged and hostile
 * files, write errors, rotation and file modes.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include "sinks/capture.h"
#include "lib/util.h"
#include "../fuzz/capfmt.h"

#define MAX_READ 200000

static char tmpdir[256];

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static int setup(void **state)
{
	const char *base = access("/dev/shm", W_OK) ? (getenv("TMPDIR") ?: "/tmp") : "/dev/shm";

	snprintf(tmpdir, sizeof(tmpdir), "%s/vft-capture-XXXXXX", base);
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	return nftw(tmpdir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static const char *tpath(const char *name)
{
	static char buf[4][512];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", tmpdir, name);
	return buf[i];
}

static uint8_t *slurp(const char *path, size_t *len)
{
	struct stat st;
	uint8_t *buf;
	int fd = open(path, O_RDONLY);

	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	buf = malloc(st.st_size + 1);
	assert_non_null(buf);
	assert_int_equal(read(fd, buf, st.st_size), st.st_size);
	close(fd);
	*len = st.st_size;
	return buf;
}

static void mkdirs(const char *path)
{
	char buf[512], *p;

	snprintf(buf, sizeof(buf), "%s", path);
	for (p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		assert_true(!mkdir(buf, 0700) || errno == EEXIST);
		*p = '/';
	}
	assert_true(!mkdir(buf, 0700) || errno == EEXIST);
}

static void spit(const char *path, const void *buf, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, buf, len), (ssize_t)len);
	close(fd);
}

static struct vft_capture_header test_header(void)
{
	struct vft_capture_header h;

	memset(&h, 0, sizeof(h));
	strcpy(h.hostname, "gpu-node-17.example");
	strcpy(h.kernel, "6.12.9+bpo-amd64");
	strcpy(h.boot_id, "5b1c2a4e-8f1d-4a55-9b0e-3d2c1b0a9f8e");
	strcpy(h.version, "0.1.0");
	h.start_wall_ns = 1764355201123456789ULL;
	h.start_mono_ns = 987654321012ULL;
	h.start_boot_ns = 987699999999ULL;
	return h;
}

static struct vft_capture_writer *new_writer(const char *path, const struct vft_capture_opts *o)
{
	struct vft_capture_header h = test_header();
	struct vft_capture_writer *w;

	assert_int_equal(vft_capture_writer__new(path, o, &h, &w), 0);
	return w;
}

/* The kernel's EPROBE_DEFER, which user space has no name for. */
#define EPROBE_DEFER_SIM 517

/* A realistic event of @kind; @i varies the device, the actor and the time. */
static struct vft_event make_event(uint32_t kind, unsigned int i)
{
	struct vft_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.kind = kind;
	ev.source = VFT_SRC_FENTRY;
	ev.ts_ns = 1764355201000000000ULL + (uint64_t)i * 1234567;
	ev.has_actor = true;
	ev.actor.pid = 4000 + i % 50;
	ev.actor.tid = ev.actor.pid + 1;
	ev.actor.netns = 4026531840u;
	ev.actor.cgroup_id = 9000 + i % 50;
	strcpy(ev.actor.comm, i % 2 ? "sriov-cni" : "NetworkManager");
	snprintf(ev.actor.cgroup, sizeof(ev.actor.cgroup),
		 "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod%04x.slice/"
		 "cri-containerd-%08x.scope",
		 i % 50, i % 50);
	snprintf(ev.ifname, sizeof(ev.ifname), "ens3f0v%u", i % 1000);
	ev.ifindex = 10 + (int32_t)(i % 1000);
	ev.netns = 4026531840u;
	snprintf(ev.parent, sizeof(ev.parent), "0000:3b:%02x.%u", 16 + i % 64 / 8, i % 8);
	switch (kind) {
	case VFT_EV_NETNS_MOVE:
		strcpy(ev.new_ifname, "net1");
		ev.from_netns = 4026531840u;
		ev.to_netns = 4026532999u + i % 10;
		ev.new_ifindex = 3;
		ev.has_ret = true;
		ev.ret = i % 3 ? 0 : -EEXIST;
		if (ev.ret)
			strcpy(ev.message, "A network device with that name already exists");
		break;
	case VFT_EV_NETDEV_RENAME:
		strcpy(ev.new_ifname, "net1");
		ev.has_ret = true;
		break;
	case VFT_EV_LINK_CHANGE:
		ev.flags = 0x11043;
		ev.old_flags = 0x1002;
		ev.source = VFT_SRC_NETLINK;
		ev.has_actor = false;
		memset(&ev.actor, 0, sizeof(ev.actor));
		break;
	case VFT_EV_ADDR_ADD:
	case VFT_EV_ADDR_DEL:
		ev.family = i % 2 ? 10 : 2;
		ev.prefixlen = i % 2 ? 64 : 24;
		if (i % 2) {
			ev.addr[0] = 0xfe;
			ev.addr[1] = 0x80;
			ev.addr[15] = (uint8_t)i;
		} else {
			ev.addr[0] = 10;
			ev.addr[3] = (uint8_t)i;
		}
		break;
	case VFT_EV_DRIVER_BIND:
	case VFT_EV_DRIVER_UNBIND:
		strcpy(ev.device, ev.parent);
		strcpy(ev.driver, "mlx5_core");
		ev.has_ret = kind == VFT_EV_DRIVER_BIND;
		ev.ret = -EPROBE_DEFER_SIM;
		break;
	case VFT_EV_SRIOV_NUMVFS:
	case VFT_EV_VF_ADD:
	case VFT_EV_VF_REMOVE:
		strcpy(ev.pf, "0000:3b:00.0");
		strcpy(ev.device, ev.parent);
		ev.num_vfs = 16;
		ev.old_num_vfs = 0;
		ev.vf_index = (int32_t)(i % 16);
		ev.has_ret = true;
		break;
	case VFT_EV_RDMA_REGISTER:
	case VFT_EV_RDMA_UNREGISTER:
	case VFT_EV_RDMA_RENAME:
	case VFT_EV_RDMA_NETNS_MOVE:
	case VFT_EV_RDMA_PORT_EVENT:
	case VFT_EV_RDMA_PORT_STATE:
		snprintf(ev.ibdev, sizeof(ev.ibdev), "mlx5_%u", i % 100);
		if (kind == VFT_EV_RDMA_RENAME)
			snprintf(ev.new_ibdev, sizeof(ev.new_ibdev), "ibp%us0", i % 100);
		if (kind == VFT_EV_RDMA_NETNS_MOVE)
			ev.to_netns = 4026533000u;
		ev.node_guid = 0xb8cef60300a1b2c3ULL + i;
		ev.port_guid = 0xb8cef60300a1b2c4ULL + i;
		ev.port = 1;
		ev.port_event = 9;
		ev.has_port_attrs = true;
		ev.port_state = 4;
		ev.phys_state = 5;
		ev.lid = 100 + i;
		ev.sm_lid = 1;
		strcpy(ev.link_layer, "InfiniBand");
		ev.n_gids = 2;
		ev.n_rocev2_gids = 1;
		break;
	case VFT_EV_NETLINK_ERROR:
		strcpy(ev.message, "Device or resource busy");
		break;
	case VFT_EV_NETNS_INFO:
		ev.source = VFT_SRC_ENRICH;
		ev.netns_host = i % 5 == 0;
		snprintf(ev.netns_name, sizeof(ev.netns_name),
			 "cni-%08x-1111-2222-3333-444455556666", i);
		strcpy(ev.pod_uid, "0f5e6a1c-3b2d-4e8f-9a7b-6c5d4e3f2a1b");
		strcpy(ev.container,
		       "3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a");
		strcpy(ev.pod_ns, "ml");
		snprintf(ev.pod_name, sizeof(ev.pod_name), "trainer-%u", i % 8);
		ev.pod_source = 1 + i % (VFT_POD_SRC_MAX - 1);
		break;
	case VFT_EV_VF_CHECK:
		ev.source = VFT_SRC_TIMER;
		strcpy(ev.vf_key, ev.parent);
		break;
	default:
		break;
	}
	return ev;
}

/* Reads everything from @r into @evs; returns the count. */
static size_t drain(struct vft_capture_reader *r, struct vft_event *evs, size_t max)
{
	struct vft_event ev;
	size_t n = 0;
	int ret;

	while ((ret = vft_capture_reader__next(r, &ev)) == 1) {
		if (n < max)
			evs[n] = ev;
		n++;
	}
	assert_int_equal(ret, 0);
	return n;
}

enum { BY_PATH, BY_FD, BY_MEM, BY_MAX };

struct result {
	size_t n;
	struct vft_event *evs;
	struct vft_capture_status st;
	struct vft_capture_header hdr;
};

/* Reads @path three ways (path, fd, memory) and checks they agree; returns the path one's. */
static struct result read_all(const char *path, size_t max)
{
	struct result res[BY_MAX];
	struct vft_capture_reader *r;
	size_t len, i;
	uint8_t *buf = slurp(path, &len);
	char msg[256];
	int fd = -1, how;

	for (how = 0; how < BY_MAX; how++) {
		res[how].evs = calloc(max ? max : 1, sizeof(struct vft_event));
		assert_non_null(res[how].evs);
		if (how == BY_PATH) {
			assert_int_equal(vft_capture_reader__open(path, &r, msg, sizeof(msg)), 0);
		} else if (how == BY_FD) {
			fd = open(path, O_RDONLY);
			assert_true(fd >= 0);
			assert_int_equal(vft_capture_reader__open_fd(fd, &r, msg, sizeof(msg)), 0);
		} else {
			assert_int_equal(
				vft_capture_reader__open_mem(buf, len, &r, msg, sizeof(msg)), 0);
		}
		res[how].n = drain(r, res[how].evs, max);
		res[how].st = *vft_capture_reader__status(r);
		res[how].hdr = *vft_capture_reader__header(r);
		vft_capture_reader__free(r);
		if (fd >= 0)
			close(fd);
		fd = -1;
	}
	for (how = 1; how < BY_MAX; how++) {
		assert_int_equal(res[how].n, res[0].n);
		for (i = 0; i < res[0].n && i < max; i++)
			assert_memory_equal(&res[how].evs[i], &res[0].evs[i],
					    sizeof(struct vft_event));
		assert_int_equal(res[how].st.truncated, res[0].st.truncated);
		assert_int_equal(res[how].st.truncated_offset, res[0].st.truncated_offset);
		assert_int_equal(res[how].st.corrupt, res[0].st.corrupt);
		assert_int_equal(res[how].st.corrupt_bytes, res[0].st.corrupt_bytes);
		assert_memory_equal(res[how].st.corrupt_offsets, res[0].st.corrupt_offsets,
				    sizeof(res[0].st.corrupt_offsets));
		assert_int_equal(res[how].st.blocks, res[0].st.blocks);
		assert_memory_equal(&res[how].hdr, &res[0].hdr, sizeof(res[0].hdr));
		free(res[how].evs);
	}
	free(buf);
	return res[0];
}

/* ---- the encoding covers struct vft_event ---- */

static void tags_are_dense_and_unique(void **state)
{
	const struct vft_capture_field *f;
	size_t n, i, j;

	f = vft_capture__fields(&n);
	assert_true(n > 40);
	for (i = 0; i < n; i++) {
		assert_int_equal(f[i].tag, i + 1);
		for (j = 0; j < i; j++)
			assert_string_not_equal(f[i].name, f[j].name);
	}
}

struct unit {
	size_t off, size, align;
	const char *name;
};

static int cmp_unit(const void *a, const void *b)
{
	const struct unit *x = a, *y = b;

	return x->off < y->off ? -1 : x->off > y->off;
}

static size_t align_up(size_t v, size_t a)
{
	return (v + a - 1) / a * a;
}

/* The units tile [0, size) with alignment padding only. */
static void check_tiling(struct unit *u, size_t n, size_t size, size_t align, const char *what)
{
	size_t pos = 0, i;

	qsort(u, n, sizeof(*u), cmp_unit);
	for (i = 0; i < n; i++) {
		if (u[i].off != align_up(pos, u[i].align))
			fail_msg("%s: bytes %zu..%zu before '%s' are not in the capture encoding: "
				 "a field of struct vft_event has no tag (user/sinks/capture.c)",
				 what, pos, u[i].off, u[i].name);
		pos = u[i].off + u[i].size;
	}
	if (align_up(pos, align) != size)
		fail_msg(
			"%s: bytes %zu..%zu at the end are not in the capture encoding: a field of "
			"struct vft_event has no tag (user/sinks/capture.c)",
			what, pos, size);
}

static void fields_tile_the_struct(void **state)
{
	const struct vft_capture_field *f;
	struct unit top[128], act[32];
	size_t n, i, ntop = 0, nact = 0;

	f = vft_capture__fields(&n);
	assert_true(n < ARRAY_SIZE(top));
	for (i = 0; i < n; i++) {
		if (!strncmp(f[i].name, "actor.", 6)) {
			act[nact++] =
				(struct unit){ f[i].offset - offsetof(struct vft_event, actor),
					       f[i].size, f[i].align, f[i].name };
			continue;
		}
		top[ntop++] = (struct unit){ f[i].offset, f[i].size, f[i].align, f[i].name };
	}
	top[ntop++] = (struct unit){ offsetof(struct vft_event, actor), sizeof(struct vft_actor),
				     __alignof__(struct vft_actor), "actor" };
	check_tiling(top, ntop, sizeof(struct vft_event), __alignof__(struct vft_event),
		     "struct vft_event");
	check_tiling(act, nact, sizeof(struct vft_actor), __alignof__(struct vft_actor),
		     "struct vft_actor");
}

/* Member names of `struct NAME {` in @text, comments removed. */
static size_t struct_members(const char *text, const char *name, char out[][64], size_t max)
{
	char open[64], *body, *s, *d, *decl, *save;
	const char *b, *e;
	size_t n = 0;

	snprintf(open, sizeof(open), "struct %s {", name);
	b = strstr(text, open);
	assert_non_null(b);
	b += strlen(open);
	e = strstr(b, "\n};");
	assert_non_null(e);
	body = strndup(b, e - b);
	assert_non_null(body);
	/* strip comments */
	for (s = d = body; *s;) {
		if (s[0] == '/' && s[1] == '*') {
			char *end = strstr(s + 2, "*/");

			s = end ? end + 2 : s + strlen(s);
		} else if (s[0] == '/' && s[1] == '/') {
			s += strcspn(s, "\n");
		} else {
			*d++ = *s++;
		}
	}
	*d = '\0';
	for (decl = strtok_r(body, ";", &save); decl; decl = strtok_r(NULL, ";", &save)) {
		char *part, *save2;

		for (part = strtok_r(decl, ",", &save2); part; part = strtok_r(NULL, ",", &save2)) {
			char *br = strchr(part, '['), *end, *start;

			if (br)
				*br = '\0';
			end = part + strlen(part);
			while (end > part && isspace((unsigned char)end[-1]))
				end--;
			*end = '\0';
			start = end;
			while (start > part &&
			       (isalnum((unsigned char)start[-1]) || start[-1] == '_'))
				start--;
			if (!*start)
				continue;
			assert_true(n < max);
			snprintf(out[n++], 64, "%s", start);
		}
	}
	free(body);
	return n;
}

static bool has_field(const char *name)
{
	const struct vft_capture_field *f;
	size_t n, i;

	f = vft_capture__fields(&n);
	for (i = 0; i < n; i++) {
		if (!strcmp(f[i].name, name))
			return true;
		if (!strcmp(name, "actor") && !strncmp(f[i].name, "actor.", 6))
			return true;
	}
	return false;
}

/* Catches a field added in a padding hole, which the tiling cannot see. */
static void every_declared_field_has_a_tag(void **state)
{
	const char *top = getenv("VFT_SRCDIR") ?: ".";
	char path[512], names[128][64], full[80];
	size_t len, n, i;
	const char *missing = NULL;
	uint8_t *text;

	snprintf(path, sizeof(path), "%s/user/model/event.h", top);
	if (access(path, R_OK))
		fail_msg("cannot read %s: run from the top of the tree or set VFT_SRCDIR", path);
	text = slurp(path, &len);
	text[len] = '\0';
	n = struct_members((char *)text, "vft_event", names, ARRAY_SIZE(names));
	assert_true(n > 40);
	for (i = 0; i < n && !missing; i++)
		if (!has_field(names[i]))
			missing = names[i];
	if (!missing) {
		n = struct_members((char *)text, "vft_actor", names, ARRAY_SIZE(names));
		assert_true(n >= 6);
		for (i = 0; i < n && !missing; i++) {
			snprintf(full, sizeof(full), "actor.%s", names[i]);
			if (!has_field(full))
				missing = full;
		}
	}
	free(text);
	if (missing)
		fail_msg("struct vft_event: %s has no tag in the capture encoding: add it to the "
			 "table in user/sinks/capture.c and to docs/capture-format.md",
			 missing);
}

/* Sets field @f of @ev to a pattern: every byte non-zero, strings at their maximum length. */
static void set_pattern(struct vft_event *ev, const struct vft_capture_field *f, unsigned int seed)
{
	uint8_t *dst = (uint8_t *)ev + f->offset;
	uint32_t u32 = 0x80000000u | (seed * 0x01010101u);
	int32_t s32 = (int32_t)(0x80000001u + seed);
	uint64_t u64 = 0xf0e1d2c3b4a59687ULL ^ seed;
	size_t k;

	switch (f->type) {
	case VFT_CAPF_U8:
		*dst = 0x80 | seed;
		break;
	case VFT_CAPF_BOOL:
		*(bool *)dst = true;
		break;
	case VFT_CAPF_U32:
		memcpy(dst, &u32, 4);
		break;
	case VFT_CAPF_S32:
		memcpy(dst, &s32, 4);
		break;
	case VFT_CAPF_U64:
	case VFT_CAPF_TS:
		memcpy(dst, &u64, 8);
		break;
	case VFT_CAPF_STR:
		for (k = 0; k + 1 < f->size; k++)
			dst[k] = 'a' + (seed + k) % 26;
		dst[f->size - 1] = '\0';
		break;
	case VFT_CAPF_BYTES:
		for (k = 0; k < f->size; k++)
			dst[k] = 0xc0 | ((seed + k) & 0x3f);
		break;
	default:
		fail_msg("field %s has an unknown type %u", f->name, f->type);
	}
}

/* Every field alone, all fields at once, and edge values: exact round trip. */
static void every_field_round_trips(void **state)
{
	const struct vft_capture_field *f;
	struct vft_event *evs;
	struct vft_capture_writer *w;
	struct result res;
	size_t n, i, k, nev = 0;
	const char *path = tpath("fields.vftcap");

	f = vft_capture__fields(&n);
	evs = calloc(n + 8, sizeof(*evs));
	assert_non_null(evs);
	for (i = 0; i < n; i++)
		set_pattern(&evs[nev++], &f[i], (unsigned int)i);
	for (k = 0; k < 3; k++, nev++)
		for (i = 0; i < n; i++)
			set_pattern(&evs[nev], &f[i], (unsigned int)(i + k * 7));
	/* extremes */
	evs[nev].kind = UINT32_MAX;
	evs[nev].ts_ns = UINT64_MAX;
	evs[nev].ifindex = INT32_MIN;
	evs[nev].ret = INT32_MAX;
	evs[nev].node_guid = UINT64_MAX;
	evs[nev].addr[15] = 1;
	strcpy(evs[nev].ifname, "x");
	nev++;
	evs[nev].ts_ns = 0; /* a step back to 0 */
	evs[nev].ifindex = -1;
	evs[nev].ret = INT32_MIN;
	evs[nev].addr[0] = 0xff;
	strcpy(evs[nev].ifname, "x"); /* a reference to the string table */
	nev++;
	nev++; /* all zero */

	w = new_writer(path, NULL);
	for (i = 0; i < nev; i++)
		assert_int_equal(vft_capture_writer__write(w, &evs[i]), 0);
	assert_int_equal(vft_capture_writer__free(w), 0);

	res = read_all(path, nev + 1);
	assert_int_equal(res.n, nev);
	for (i = 0; i < nev; i++)
		if (memcmp(&res.evs[i], &evs[i], sizeof(evs[i])))
			fail_msg("event %zu (%s) does not round-trip", i,
				 i < n ? f[i].name : "mixed");
	assert_false(res.st.truncated);
	assert_int_equal(res.st.corrupt, 0);
	free(res.evs);
	free(evs);
}

/* Every kind and source with realistic values, over several blocks, times going back too. */
static void every_kind_round_trips(void **state)
{
	struct vft_capture_opts o = { .block_size = 4096 };
	struct vft_capture_writer *w;
	struct vft_capture_stats st;
	struct vft_event evs[VFT_EV_KIND_MAX * 30];
	struct result res;
	const char *path = tpath("kinds.vftcap");
	size_t nev = 0, i;
	uint32_t kind;
	unsigned int j;

	for (j = 0; j < 30; j++) {
		for (kind = 1; kind < VFT_EV_KIND_MAX; kind++) {
			evs[nev] = make_event(kind, j * 31 + kind);
			evs[nev].source = (kind + j) % VFT_SRC_MAX;
			if (j % 3 == 1)
				evs[nev].ts_ns -= 500000000; /* netlink events arrive late */
			nev++;
		}
	}
	w = new_writer(path, &o);
	for (i = 0; i < nev; i++)
		assert_int_equal(vft_capture_writer__write(w, &evs[i]), 0);
	vft_capture_writer__stats(w, &st);
	assert_true(st.blocks >= 2);
	assert_int_equal(st.events + st.pending, nev);
	assert_int_equal(vft_capture_writer__flush(w), 0);
	vft_capture_writer__stats(w, &st);
	assert_int_equal(st.events, nev);
	assert_int_equal(st.pending, 0);
	assert_int_equal(st.files, 1);
	assert_int_equal(st.events_lost, 0);
	assert_int_equal(vft_capture_writer__free(w), 0);

	res = read_all(path, nev);
	assert_int_equal(res.n, nev);
	for (i = 0; i < nev; i++)
		if (memcmp(&res.evs[i], &evs[i], sizeof(evs[i])))
			fail_msg("event %zu (kind %u) does not round-trip", i, evs[i].kind);
	assert_int_equal(res.st.blocks, st.blocks);
	assert_int_equal(res.st.events, nev);
	free(res.evs);
}

/* A netns_info keeps its pod (namespace, name, UID, source) through a capture. */
static void netns_info_pod_round_trips(void **state)
{
	const char *path = tpath("pod.vftcap");
	struct vft_capture_writer *w;
	struct vft_event ev;
	struct result res;

	memset(&ev, 0, sizeof(ev));
	ev.kind = VFT_EV_NETNS_INFO;
	ev.source = VFT_SRC_ENRICH;
	ev.ts_ns = 1764355201000000000ULL;
	ev.netns = 4026532303u;
	strcpy(ev.netns_name, "cni-8f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b");
	strcpy(ev.pod_uid, "d2f1c7a4-3b8e-4f5a-9c6d-1e0b2a3c4d5e");
	strcpy(ev.pod_ns, "ml");
	strcpy(ev.pod_name, "trainer-0");
	ev.pod_source = VFT_POD_SRC_RUNTIME;
	w = new_writer(path, NULL);
	assert_int_equal(vft_capture_writer__write(w, &ev), 0);
	assert_int_equal(vft_capture_writer__free(w), 0);
	res = read_all(path, 1);
	assert_int_equal(res.n, 1);
	assert_int_equal(res.hdr.minor, VFT_CAPTURE_MINOR);
	assert_string_equal(res.evs[0].pod_ns, "ml");
	assert_string_equal(res.evs[0].pod_name, "trainer-0");
	assert_string_equal(res.evs[0].pod_uid, "d2f1c7a4-3b8e-4f5a-9c6d-1e0b2a3c4d5e");
	assert_int_equal(res.evs[0].pod_source, VFT_POD_SRC_RUNTIME);
	assert_memory_equal(&res.evs[0], &ev, sizeof(ev));
	free(res.evs);
}

/*
 * A capture of format 1.0 (before the pod's namespace, name and source) still
 * reads: its netns_info events have the pod UID only.
 */
static void old_capture_has_no_pod_name(void **state)
{
	const char *top = getenv("VFT_SRCDIR") ?: ".";
	struct vft_capture_reader *r;
	struct vft_event ev;
	char path[PATH_MAX], msg[256];
	size_t infos = 0;
	int ret;

	snprintf(path, sizeof(path), "%s/tests/golden/vm-findings-6.12.cap", top);
	assert_int_equal(vft_capture_reader__open(path, &r, msg, sizeof(msg)), 0);
	assert_int_equal(vft_capture_reader__header(r)->minor, 0);
	while ((ret = vft_capture_reader__next(r, &ev)) == 1) {
		if (ev.kind != VFT_EV_NETNS_INFO)
			continue;
		infos++;
		assert_string_equal(ev.pod_ns, "");
		assert_string_equal(ev.pod_name, "");
		assert_int_equal(ev.pod_source, VFT_POD_SRC_NONE);
	}
	assert_int_equal(ret, 0);
	assert_true(infos > 0);
	assert_int_equal(vft_capture_reader__status(r)->corrupt, 0);
	vft_capture_reader__free(r);
}

/* More distinct strings than one block's table holds: the writer ends the block. */
static void string_table_limit(void **state)
{
	struct vft_capture_opts o = { .block_size = 8u << 20 };
	struct vft_capture_writer *w;
	struct vft_capture_stats st;
	struct vft_event ev;
	struct result res;
	const char *path = tpath("strings.vftcap");
	unsigned int i, n = VFT_CAPTURE_MAX_STRINGS / 2 + 100;

	w = new_writer(path, &o);
	for (i = 0; i < n; i++) {
		memset(&ev, 0, sizeof(ev));
		ev.kind = VFT_EV_NETDEV_REGISTER;
		snprintf(ev.ifname, sizeof(ev.ifname), "a%u", i);
		snprintf(ev.parent, sizeof(ev.parent), "b%u", i);
		assert_int_equal(vft_capture_writer__write(w, &ev), 0);
	}
	assert_int_equal(vft_capture_writer__flush(w), 0);
	vft_capture_writer__stats(w, &st);
	assert_int_equal(st.blocks, 2);
	assert_int_equal(vft_capture_writer__free(w), 0);
	res = read_all(path, n);
	assert_int_equal(res.n, n);
	assert_string_equal(res.evs[n - 1].parent, "b32867");
	assert_int_equal(res.st.corrupt, 0);
	free(res.evs);
}

/* ---- headers, modes, empty captures ---- */

static void empty_capture(void **state)
{
	const char *path = tpath("empty.vftcap");
	struct vft_capture_writer *w = new_writer(path, NULL);
	struct vft_capture_header h = test_header();
	struct result res;

	assert_int_equal(vft_capture_writer__flush(w), 0);
	assert_int_equal(vft_capture_writer__free(w), 0);
	res = read_all(path, 1);
	assert_int_equal(res.n, 0);
	assert_false(res.st.truncated);
	assert_int_equal(res.st.corrupt, 0);
	assert_int_equal(res.st.blocks, 0);
	h.major = VFT_CAPTURE_MAJOR;
	h.minor = VFT_CAPTURE_MINOR;
	assert_memory_equal(&res.hdr, &h, sizeof(h));
	free(res.evs);
}

static void header_fields(void **state)
{
	struct vft_capture_header h, got;
	struct vft_capture_reader *r;
	struct vft_capture_writer *w;
	struct utsname u;
	char host[256] = "", dir[512], msg[128];
	uint64_t now;
	struct timespec ts;
	FILE *f;

	/* boot_id under a root prefix */
	snprintf(dir, sizeof(dir), "%s/root/proc/sys/kernel/random", tmpdir);
	mkdirs(dir);
	strcat(dir, "/boot_id");
	f = fopen(dir, "w");
	assert_non_null(f);
	fputs("11111111-2222-3333-4444-555555555555\n", f);
	fclose(f);
	assert_int_equal(vft_capture_header__fill_local(&h, tpath("root")), 0);
	assert_string_equal(h.boot_id, "11111111-2222-3333-4444-555555555555");
	assert_int_equal(gethostname(host, sizeof(host) - 1), 0);
	assert_string_equal(h.hostname, host);
	assert_int_equal(uname(&u), 0);
	assert_string_equal(h.kernel, u.release);
	assert_string_equal(h.version, VFTRACE_VERSION);
	clock_gettime(CLOCK_REALTIME, &ts);
	now = ts.tv_sec * 1000000000ULL + ts.tv_nsec;
	assert_true(h.start_wall_ns <= now && h.start_wall_ns > now - 60000000000ULL);
	assert_true(h.start_mono_ns > 0);
	assert_true(h.start_boot_ns >= h.start_mono_ns);
	assert_int_equal(h.major, VFT_CAPTURE_MAJOR);

	/* no boot_id there: "" and still 0 */
	assert_int_equal(vft_capture_header__fill_local(&h, tpath("nothing")), 0);
	assert_string_equal(h.boot_id, "");
	assert_string_equal(h.hostname, host);

	/* what the writer is given is what the reader reports; it sets version and part */
	h = test_header();
	h.major = 77;
	h.part = 5;
	assert_int_equal(vft_capture_writer__new(tpath("hdr.vftcap"), NULL, &h, &w), 0);
	assert_int_equal(vft_capture_writer__free(w), 0);
	assert_int_equal(vft_capture_reader__open(tpath("hdr.vftcap"), &r, msg, sizeof(msg)), 0);
	got = *vft_capture_reader__header(r);
	vft_capture_reader__free(r);
	h.major = VFT_CAPTURE_MAJOR;
	h.minor = VFT_CAPTURE_MINOR;
	h.part = 0;
	assert_memory_equal(&got, &h, sizeof(h));

	/* NULL header: this machine's */
	assert_int_equal(vft_capture_writer__new(tpath("local.vftcap"), NULL, NULL, &w), 0);
	assert_int_equal(vft_capture_writer__free(w), 0);
	assert_int_equal(vft_capture_reader__open(tpath("local.vftcap"), &r, msg, sizeof(msg)), 0);
	assert_string_equal(vft_capture_reader__header(r)->hostname, host);
	vft_capture_reader__free(r);
}

static void files_are_private(void **state)
{
	struct vft_capture_opts excl = { .flags = VFT_CAPTURE_EXCL };
	struct vft_capture_writer *w;
	struct stat st;
	const char *path = tpath("mode.vftcap");
	mode_t old = umask(0);
	int fd;

	w = new_writer(path, NULL);
	assert_int_equal(vft_capture_writer__free(w), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);

	/* an existing world-readable file is replaced and made private */
	assert_int_equal(chmod(path, 0644), 0);
	w = new_writer(path, NULL);
	assert_int_equal(vft_capture_writer__free(w), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);

	/* EXCL refuses an existing file and leaves it alone */
	assert_int_equal(vft_capture_writer__new(path, &excl, NULL, &w), -EEXIST);
	assert_null(w);
	assert_int_equal(unlink(path), 0);
	w = new_writer(path, &excl);
	assert_int_equal(vft_capture_writer__free(w), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	umask(old);

	/* options out of range */
	assert_int_equal(vft_capture_writer__new(
				 path, &(struct vft_capture_opts){ .max_size = 100 }, NULL, &w),
			 -EINVAL);
	assert_int_equal(
		vft_capture_writer__new(path, &(struct vft_capture_opts){ .level = 10 }, NULL, &w),
		-EINVAL);
	/* rotation needs a regular file */
	fd = open("/dev/null", O_WRONLY);
	if (fd >= 0) {
		close(fd);
		assert_int_equal(vft_capture_writer__new("/dev/null",
							 &(struct vft_capture_opts){
								 .max_size = 1 << 20, .rotate = 2 },
							 NULL, &w),
				 -EINVAL);
	}
}

/* A flush makes everything so far replayable while the writer still runs (kill -9). */
static void flush_is_durable_while_running(void **state)
{
	const char *path = tpath("live.vftcap");
	struct vft_capture_writer *w = new_writer(path, NULL);
	struct vft_event ev;
	struct result res;
	unsigned int i;

	for (i = 0; i < 10; i++) {
		ev = make_event(VFT_EV_NETNS_MOVE, i);
		assert_int_equal(vft_capture_writer__write(w, &ev), 0);
	}
	assert_int_equal(vft_capture_writer__flush(w), 0);
	for (i = 10; i < 15; i++) {
		ev = make_event(VFT_EV_NETNS_MOVE, i);
		assert_int_equal(vft_capture_writer__write(w, &ev), 0);
	}
	res = read_all(path, 20);
	assert_int_equal(res.n, 10);
	assert_false(res.st.truncated);
	assert_int_equal(res.st.corrupt, 0);
	free(res.evs);
	assert_int_equal(vft_capture_writer__free(w), 0);
	res = read_all(path, 20);
	assert_int_equal(res.n, 15);
	free(res.evs);
}

/* ---- damaged files ---- */

struct blocks {
	size_t n;
	struct capfmt_block_info b[64];
};

static void collect(const struct capfmt_block_info *b, void *ctx)
{
	struct blocks *bs = ctx;

	if (bs->n < ARRAY_SIZE(bs->b))
		bs->b[bs->n++] = *b;
}

/* A capture of @nblocks blocks of 20 events each; event i has actor.pid == i. */
static uint8_t *three_blocks(const char *path, unsigned int nblocks, size_t *len, struct blocks *bs)
{
	struct vft_capture_writer *w = new_writer(path, NULL);
	struct vft_event ev;
	unsigned int i;
	uint8_t *buf;

	for (i = 0; i < nblocks * 20; i++) {
		ev = make_event(1 + i % (VFT_EV_KIND_MAX - 1), i);
		ev.actor.pid = i;
		assert_int_equal(vft_capture_writer__write(w, &ev), 0);
		if (i % 20 == 19)
			assert_int_equal(vft_capture_writer__flush(w), 0);
	}
	assert_int_equal(vft_capture_writer__free(w), 0);
	buf = slurp(path, len);
	memset(bs, 0, sizeof(*bs));
	assert_int_equal(capfmt_walk(buf, *len, collect, bs), nblocks);
	return buf;
}

static void truncated_in_header(void **state)
{
	const char *path = tpath("t.vftcap"), *cut = tpath("tcut.vftcap");
	struct vft_capture_reader *r;
	struct blocks bs;
	size_t len, k;
	uint8_t *buf = three_blocks(path, 1, &len, &bs);
	char msg[256];

	for (k = 0; k < bs.b[0].off; k++) {
		spit(cut, buf, k);
		msg[0] = '\0';
		assert_int_equal(vft_capture_reader__open(cut, &r, msg, sizeof(msg)), -ENODATA);
		assert_null(r);
		assert_non_null(strstr(msg, "no events"));
		assert_int_equal(vft_capture_reader__open_mem(buf, k, &r, msg, sizeof(msg)),
				 -ENODATA);
	}
	free(buf);
}

static void truncated_in_block(void **state)
{
	const char *path = tpath("t.vftcap"), *cut = tpath("tcut.vftcap");
	struct blocks bs;
	struct result res;
	size_t len, k, last;
	uint8_t *buf = three_blocks(path, 3, &len, &bs);

	last = bs.b[2].off;
	for (k = last; k < len; k++) {
		spit(cut, buf, k);
		res = read_all(cut, 100);
		assert_int_equal(res.n, 40);
		assert_int_equal(res.evs[39].actor.pid, 39);
		assert_int_equal(res.st.truncated, k > last);
		if (k > last)
			assert_int_equal(res.st.truncated_offset, last);
		assert_int_equal(res.st.corrupt, 0);
		free(res.evs);
	}
	free(buf);
}

static void check_middle_skipped(const char *path, uint64_t off, const char *why)
{
	struct result res = read_all(path, 100);
	unsigned int i;

	assert_int_equal(res.n, 40);
	for (i = 0; i < 20; i++) {
		assert_int_equal(res.evs[i].actor.pid, i);
		assert_int_equal(res.evs[20 + i].actor.pid, 40 + i);
	}
	assert_false(res.st.truncated);
	assert_int_equal(res.st.corrupt, 1);
	assert_int_equal(res.st.corrupt_offsets[0], off);
	assert_int_equal(res.st.last_corrupt_offset, off);
	assert_int_equal(res.st.blocks, 2);
	if (why)
		assert_string_equal(res.st.last_corrupt_reason, why);
	free(res.evs);
}

static void crc_failure_resyncs(void **state)
{
	const char *path = tpath("c.vftcap"), *bad = tpath("cbad.vftcap");
	struct blocks bs;
	size_t len, k;
	uint8_t *buf = three_blocks(path, 3, &len, &bs), *copy = malloc(len);
	const struct capfmt_block_info *mid = &bs.b[1];

	assert_non_null(copy);
	/* a flipped bit in the middle block's payload */
	memcpy(copy, buf, len);
	copy[mid->off + CAPFMT_BLOCK_HDR + mid->clen / 2] ^= 0x10;
	spit(bad, copy, len);
	check_middle_skipped(bad, mid->off, "payload CRC mismatch");

	/* in its header (its length): the reader searches for the next sync marker */
	memcpy(copy, buf, len);
	copy[mid->off + 9] ^= 0x01;
	spit(bad, copy, len);
	check_middle_skipped(bad, mid->off, NULL);

	/* its sync marker */
	memcpy(copy, buf, len);
	copy[mid->off] = 'X';
	spit(bad, copy, len);
	check_middle_skipped(bad, mid->off, NULL);

	/* the whole block overwritten with noise */
	memcpy(copy, buf, len);
	for (k = 0; k < CAPFMT_BLOCK_HDR + mid->clen; k++)
		copy[mid->off + k] = (uint8_t)(k * 37 + 11);
	spit(bad, copy, len);
	check_middle_skipped(bad, mid->off, NULL);

	/* every single byte of the middle block flipped in turn */
	for (k = 0; k < CAPFMT_BLOCK_HDR + mid->clen; k += 1 + k / 64) {
		memcpy(copy, buf, len);
		copy[mid->off + k] ^= 0xff;
		spit(bad, copy, len);
		check_middle_skipped(bad, mid->off, NULL);
	}

	/* garbage inserted between blocks, and at the end */
	{
		size_t glen = 1000, at = bs.b[2].off;
		uint8_t *g = malloc(len + 2 * glen);
		struct result res;

		assert_non_null(g);
		memcpy(g, buf, at);
		memset(g + at, 0xa5, glen);
		memcpy(g + at + glen, buf + at, len - at);
		memset(g + len + glen, 0, glen);
		spit(bad, g, len + 2 * glen);
		res = read_all(bad, 100);
		assert_int_equal(res.n, 60);
		assert_int_equal(res.st.corrupt, 2);
		assert_int_equal(res.st.corrupt_offsets[0], at);
		assert_int_equal(res.st.corrupt_offsets[1], len + glen);
		assert_int_equal(res.st.corrupt_bytes, 2 * glen);
		free(res.evs);
		free(g);
	}
	free(copy);
	free(buf);
}

static void wrong_magic_and_version(void **state)
{
	static const uint8_t elf[24] = { 0x7f, 'E', 'L', 'F', 2, 1, 1 };
	const char *path = tpath("v.vftcap");
	struct vft_capture_reader *r;
	uint8_t hdr[1024], extra[64], *p;
	char msg[256];
	size_t len;

	spit(path, elf, sizeof(elf));
	assert_int_equal(vft_capture_reader__open(path, &r, msg, sizeof(msg)), -EINVAL);
	assert_non_null(strstr(msg, "not a vftrace capture"));
	spit(path, "hello\n", 6);
	assert_int_equal(vft_capture_reader__open(path, &r, msg, sizeof(msg)), -EINVAL);
	assert_int_equal(vft_capture_reader__open_mem("{\"event\":1}", 11, &r, NULL, 0), -EINVAL);

	len = capfmt_header(hdr, 2, 0, "h", NULL, 0);
	spit(path, hdr, len);
	assert_int_equal(vft_capture_reader__open(path, &r, msg, sizeof(msg)), -EPROTONOSUPPORT);
	assert_non_null(strstr(msg, "2.0"));
	assert_non_null(strstr(msg, "newer vftrace"));
	len = capfmt_header(hdr, 0, 3, "h", NULL, 0);
	assert_int_equal(vft_capture_reader__open_mem(hdr, len, &r, msg, sizeof(msg)),
			 -EPROTONOSUPPORT);
	/* the version is checked before the rest of the header is there */
	assert_int_equal(vft_capture_reader__open_mem(hdr, 12, &r, msg, sizeof(msg)),
			 -EPROTONOSUPPORT);

	/* a newer minor with fields this reader does not know: read, fields skipped */
	p = extra;
	p = capfmt_key(p, 40, 0);
	p = capfmt_varint(p, 123456789);
	p = capfmt_bytes(p, 41, 2, "future", 6);
	p = capfmt_key(p, 5000, 1);
	p = capfmt_varint(p, 7);
	len = capfmt_header(hdr, 1, 9, "node-a", extra, (size_t)(p - extra));
	assert_int_equal(vft_capture_reader__open_mem(hdr, len, &r, msg, sizeof(msg)), 0);
	assert_int_equal(vft_capture_reader__header(r)->minor, 9);
	assert_string_equal(vft_capture_reader__header(r)->hostname, "node-a");
	vft_capture_reader__free(r);

	/* a damaged header */
	hdr[17] ^= 1;
	assert_int_equal(vft_capture_reader__open_mem(hdr, len, &r, msg, sizeof(msg)), -EINVAL);
	assert_non_null(strstr(msg, "CRC"));
}

/* A file: a header, then blocks around @raws (NULL-terminated), then one good block. */
static size_t craft(uint8_t *out, const uint8_t **raws, const size_t *lens, const uint32_t *counts)
{
	static const uint8_t good[] = { 0, 2, 1 << 2, 1 }; /* no strings, one event: kind 1 */
	size_t len = capfmt_header(out, 1, 0, "h", NULL, 0);
	unsigned int i;

	for (i = 0; raws[i]; i++)
		len += capfmt_block(out + len, raws[i], lens[i], counts[i], i);
	len += capfmt_block(out + len, good, sizeof(good), 1, i);
	return len;
}

static struct result read_mem(const uint8_t *buf, size_t len)
{
	struct vft_capture_reader *r;
	struct result res;
	char msg[256];

	res.evs = calloc(16, sizeof(struct vft_event));
	assert_non_null(res.evs);
	assert_int_equal(vft_capture_reader__open_mem(buf, len, &r, msg, sizeof(msg)), 0);
	res.n = drain(r, res.evs, 16);
	res.st = *vft_capture_reader__status(r);
	vft_capture_reader__free(r);
	return res;
}

/* An entry of a block's string table, not front-coded: prefix 0, length, bytes. */
static uint8_t *table_str(uint8_t *p, const char *s, size_t n)
{
	*p++ = 0;
	p = capfmt_varint(p, n);
	memcpy(p, s, n);
	return p + n;
}

/* Payloads below: the string table (count, then prefix, suffix length, suffix each), events. */
static void hostile_lengths(void **state)
{
	uint8_t *out = malloc(1 << 20), raw[256], *p, *big;
	const uint8_t *raws[2] = { raw, NULL };
	struct result res;
	size_t len, rlen, i;
	uint32_t count;
	struct {
		const char *what;
		uint8_t bytes[40];
		size_t len;
		uint32_t count;
		size_t good; /* events returned from the block */
	} cases[] = {
		{ "event length 2^40", { 0, 0x80, 0x80, 0x80, 0x80, 0x80, 0x20 }, 7, 1, 0 },
		{ "event length past the block", { 0, 50, 4, 1 }, 4, 1, 0 },
		{ "varint of 11 bytes",
		  { 0, 12, 4, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01 },
		  14,
		  1,
		  0 },
		{ "more strings than the limit", { 0x80, 0x80, 0x08, 2, 4, 1 }, 6, 1, 0 },
		{ "more strings than bytes", { 100, 0, 1, 'a' }, 4, 1, 0 },
		{ "prefix longer than the string before",
		  { 2, 0, 1, 'a', 2, 1, 'b', 2, 4, 1 },
		  10,
		  1,
		  0 },
		{ "suffix past the block", { 1, 0, 100, 'a' }, 4, 1, 0 },
		{ "string longer than its field",
		  { 1,	 0,   16,  'a', 'a', 'a', 'a', 'a', 'a', 'a',	      'a',
		    'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 2,	 11 << 2 | 1, 0 },
		  22,
		  1,
		  0 },
		{ "reference past the table", { 1, 0, 1, 'a', 2, 11 << 2 | 1, 1 }, 7, 1, 0 },
		{ "u32 above 2^32", { 0, 6, 1 << 2, 0x80, 0x80, 0x80, 0x80, 0x10 }, 8, 1, 0 },
		{ "bool of 2", { 0, 2, 4 << 2, 2 }, 4, 1, 0 },
		{ "u8 of 256", { 0, 3, 21 << 2, 0x80, 0x02 }, 5, 1, 0 },
		{ "bytes longer than the address", { 0, 19, 23 << 2 | 2, 17 }, 21, 1, 0 },
		{ "string as a varint", { 0, 2, 11 << 2, 5 }, 4, 1, 0 },
		{ "varint field as bytes", { 0, 3, 1 << 2 | 2, 1, 1 }, 5, 1, 0 },
		{ "reserved wire type", { 0, 2, 1 << 2 | 3, 0 }, 4, 1, 0 },
		{ "count above the events", { 0, 2, 1 << 2, 1, 2, 1 << 2, 2 }, 7, 5, 2 },
		{ "bytes after the last event", { 0, 2, 1 << 2, 1, 2, 1 << 2, 2 }, 7, 1, 1 },
		{ "truncated key", { 0, 1, 0x80 }, 3, 1, 0 },
	};

	assert_non_null(out);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		memcpy(raw, cases[i].bytes, cases[i].len);
		rlen = cases[i].len;
		count = cases[i].count;
		len = craft(out, raws, &rlen, &count);
		res = read_mem(out, len);
		if (res.n != cases[i].good + 1 || res.st.corrupt != 1)
			fail_msg("%s: %zu events, %llu corrupt", cases[i].what, res.n,
				 (unsigned long long)res.st.corrupt);
		assert_int_equal(res.evs[res.n - 1].kind, 1);
		free(res.evs);
	}

	/* a string table of 5 KB that expands to 20 MB */
	big = malloc(20000);
	assert_non_null(big);
	p = capfmt_varint(big, 5001);
	*p++ = 0;
	p = capfmt_varint(p, 4000);
	memset(p, 'a', 4000);
	p += 4000;
	for (i = 0; i < 5000; i++) {
		p = capfmt_varint(p, 4000);
		*p++ = 0;
	}
	raws[0] = big;
	rlen = (size_t)(p - big);
	count = 0;
	len = craft(out, raws, &rlen, &count);
	res = read_mem(out, len);
	assert_int_equal(res.n, 1);
	assert_int_equal(res.st.corrupt, 1);
	assert_string_equal(res.st.last_corrupt_reason, "malformed string table");
	free(res.evs);
	free(big);
	raws[0] = raw;

	/* block header lengths out of range, with a correct header CRC */
	{
		static const uint8_t one[] = { 0, 2, 1 << 2, 1 };
		uint32_t bad[][3] = {
			{ 0xffffffff, 4, 1 },	/* stored length */
			{ 100, 0x7fffffff, 1 }, /* inflated length */
			{ 0, 4, 1 },		/* empty payload */
			{ 100, 4, 5 },		/* more events than bytes */
			{ VFT_CAPTURE_MAX_BLOCK + 1, 4, 1 },
		};

		for (i = 0; i < ARRAY_SIZE(bad); i++) {
			uint8_t *b;

			len = capfmt_header(out, 1, 0, "h", NULL, 0);
			b = out + len;
			len += capfmt_block(b, one, sizeof(one), 1, 0);
			capfmt_le32(b + 8, bad[i][0]);
			capfmt_le32(b + 12, bad[i][1]);
			capfmt_le32(b + 16, bad[i][2]);
			capfmt_le32(b + 28, (uint32_t)crc32(0, b, 28));
			len += capfmt_block(out + len, one, sizeof(one), 1, 1);
			res = read_mem(out, len);
			if (res.n != 1 || res.st.corrupt != 1 || res.st.truncated)
				fail_msg(
					"block header case %zu: %zu events, %llu corrupt, truncated %d",
					i, res.n, (unsigned long long)res.st.corrupt,
					res.st.truncated);
			free(res.evs);
		}
	}

	/* a payload that inflates to less, or more, than the header says */
	{
		static const uint8_t two[] = { 0, 2, 1 << 2, 1, 2, 1 << 2, 1 };
		uint32_t rl[] = { 3, 8, VFT_CAPTURE_MAX_BLOCK };

		for (i = 0; i < ARRAY_SIZE(rl); i++) {
			uint8_t *b;

			len = capfmt_header(out, 1, 0, "h", NULL, 0);
			b = out + len;
			len += capfmt_block(b, two, sizeof(two), 2, 0);
			capfmt_le32(b + 12, rl[i]);
			capfmt_le32(b + 28, (uint32_t)crc32(0, b, 28));
			len += capfmt_block(out + len, two, sizeof(two), 2, 1);
			res = read_mem(out, len);
			assert_int_equal(res.n, 2);
			assert_int_equal(res.st.corrupt, 1);
			assert_string_equal(res.st.last_corrupt_reason,
					    "payload does not inflate to its length");
			free(res.evs);
		}
	}

	/* file header: length out of range, a string longer than its field */
	{
		struct vft_capture_reader *r;
		char host[400], msg[256];

		len = capfmt_header(out, 1, 0, "h", NULL, 0);
		capfmt_le32(out + 12, 0xffffffff);
		assert_int_equal(vft_capture_reader__open_mem(out, len, &r, msg, sizeof(msg)),
				 -EINVAL);
		capfmt_le32(out + 12, 19);
		assert_int_equal(vft_capture_reader__open_mem(out, len, &r, msg, sizeof(msg)),
				 -EINVAL);
		capfmt_le32(out + 12, VFT_CAPTURE_MAX_HEADER);
		assert_int_equal(vft_capture_reader__open_mem(out, len, &r, msg, sizeof(msg)),
				 -ENODATA);
		memset(host, 'h', sizeof(host) - 1);
		host[sizeof(host) - 1] = '\0';
		len = capfmt_header(out, 1, 0, host, NULL, 0);
		assert_int_equal(vft_capture_reader__open_mem(out, len, &r, msg, sizeof(msg)),
				 -EINVAL);
		assert_non_null(strstr(msg, "field 1"));
	}

	/*
	 * Unknown event tags of every wire type are skipped (a newer minor's
	 * fields); a string ends at an embedded NUL. Strings: "ab\0c", "eth0",
	 * "future" (front-coded, prefixes 0).
	 */
	p = raw;
	*p++ = 3;
	p = table_str(p, "ab\0c", 4);
	p = table_str(p, "eth0", 4);
	p = table_str(p, "future", 6);
	{
		uint8_t *e1 = p++, *e2;

		p = capfmt_key(p, 1000, 0);
		p = capfmt_varint(p, 99);
		p = capfmt_key(p, 1001, 1);
		p = capfmt_varint(p, 2);
		p = capfmt_key(p, 11, 1);
		p = capfmt_varint(p, 1);
		p = capfmt_key(p, 14, 1);
		p = capfmt_varint(p, 0);
		p = capfmt_key(p, 1, 0);
		p = capfmt_varint(p, 1);
		*e1 = (uint8_t)(p - e1 - 1);
		e2 = p++;
		p = capfmt_key(p, 11, 1);
		p = capfmt_varint(p, 1);
		p = capfmt_bytes(p, 1002, 2, "\1\2\3", 3);
		p = capfmt_key(p, 1003, 1);
		p = capfmt_varint(p, 0);
		p = capfmt_key(p, 1, 0);
		p = capfmt_varint(p, 2);
		*e2 = (uint8_t)(p - e2 - 1);
	}
	rlen = (size_t)(p - raw);
	count = 2;
	len = craft(out, raws, &rlen, &count);
	res = read_mem(out, len);
	assert_int_equal(res.n, 3);
	assert_int_equal(res.st.corrupt, 0);
	assert_string_equal(res.evs[0].ifname, "eth0");
	assert_string_equal(res.evs[0].parent, "ab");
	assert_int_equal(res.evs[0].parent[3], 0);
	assert_string_equal(res.evs[1].ifname, "eth0");
	assert_int_equal(res.evs[1].kind, 2);
	free(res.evs);
	free(out);
}

/* ---- write errors ---- */

static void dev_full(void **state)
{
	struct vft_capture_writer *w;

	if (access("/dev/full", W_OK))
		skip();
	assert_int_equal(vft_capture_writer__new("/dev/full", NULL, NULL, &w), -ENOSPC);
	assert_null(w);
}

struct hook {
	size_t budget; /* bytes the "disk" takes before it is full */
	size_t calls;
};

static ssize_t full_disk(int fd, const void *buf, size_t len, off_t off, void *ctx)
{
	struct hook *h = ctx;

	h->calls++;
	if (!h->budget) {
		errno = ENOSPC;
		return -1;
	}
	if (len > h->budget)
		len = h->budget; /* a short write, as the kernel makes when the disk fills */
	h->budget -= len;
	return pwrite(fd, buf, len, off);
}

static void enospc_keeps_file_replayable(void **state)
{
	struct hook h = { .budget = SIZE_MAX };
	struct vft_capture_opts o = { .write_fn = full_disk, .write_ctx = &h };
	const char *path = tpath("enospc.vftcap");
	struct vft_capture_writer *w = new_writer(path, &o);
	struct vft_capture_stats st;
	struct vft_event ev;
	struct result res;
	unsigned int i;
	int err = 0;
	struct stat sb;

	for (i = 0; i < 30; i++) {
		ev = make_event(VFT_EV_NETDEV_REGISTER, i);
		ev.actor.pid = i;
		assert_int_equal(vft_capture_writer__write(w, &ev), 0);
		if (i % 10 == 9)
			assert_int_equal(vft_capture_writer__flush(w), 0);
	}
	vft_capture_writer__stats(w, &st);
	h.budget = 100; /* the next block gets 100 bytes in, then the disk is full */
	for (i = 30; i < 40; i++) {
		ev = make_event(VFT_EV_NETDEV_REGISTER, i);
		ev.actor.pid = i;
		assert_int_equal(vft_capture_writer__write(w, &ev), 0);
	}
	err = vft_capture_writer__flush(w);
	assert_int_equal(err, -ENOSPC);
	vft_capture_writer__stats(w, &st);
	assert_int_equal(st.events, 30);
	assert_int_equal(st.events_lost, 10);
	assert_int_equal(st.write_errors, 1);
	assert_int_equal(st.pending, 0);
	/* the partial block is gone: the file ends with its last good block */
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal((uint64_t)sb.st_size, st.bytes);
	res = read_all(path, 100);
	assert_int_equal(res.n, 30);
	assert_false(res.st.truncated);
	assert_int_equal(res.st.corrupt, 0);
	free(res.evs);

	/* space comes back: recording goes on after the gap */
	h.budget = SIZE_MAX;
	for (i = 40; i < 50; i++) {
		ev = make_event(VFT_EV_NETDEV_REGISTER, i);
		ev.actor.pid = i;
		assert_int_equal(vft_capture_writer__write(w, &ev), 0);
	}
	assert_int_equal(vft_capture_writer__free(w), 0);
	res = read_all(path, 100);
	assert_int_equal(res.n, 40);
	assert_int_equal(res.evs[29].actor.pid, 29);
	assert_int_equal(res.evs[30].actor.pid, 40);
	assert_int_equal(res.st.corrupt, 0);
	free(res.evs);

	/* the header cannot be written at all */
	h.budget = 10;
	assert_int_equal(vft_capture_writer__new(tpath("enospc2.vftcap"), &o, NULL, &w), -ENOSPC);
}

/* The kernel's own short write: a file size limit (EFBIG) in the middle of a block. */
static void file_size_limit(void **state)
{
	const char *path = tpath("efbig.vftcap");
	struct vft_capture_writer *w;
	struct vft_event ev;
	struct rlimit old, lim;
	struct result res;
	void (*oldsig)(int);
	unsigned int i;
	int err = 0;

	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	oldsig = signal(SIGXFSZ, SIG_IGN);
	lim = old;
	lim.rlim_cur = 3000;
	w = new_writer(path, NULL);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
	for (i = 0; i < 1000 && !err; i++) {
		ev = make_event(VFT_EV_NETNS_MOVE, i);
		snprintf(ev.message, sizeof(ev.message), "%u %u %u", i * 7919, i * 104729, i);
		ev.actor.pid = i;
		err = vft_capture_writer__write(w, &ev);
		if (!err && i % 5 == 4)
			err = vft_capture_writer__flush(w);
	}
	assert_int_equal(err, -EFBIG);
	err = vft_capture_writer__free(w);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, oldsig);
	assert_true(err == 0 || err == -EFBIG);
	res = read_all(path, 1000);
	assert_true(res.n > 0 && res.n % 5 == 0);
	assert_int_equal(res.evs[res.n - 1].actor.pid, res.n - 1);
	assert_false(res.st.truncated);
	assert_int_equal(res.st.corrupt, 0);
	free(res.evs);
}

/* ---- rotation ---- */

static void check_rotation(unsigned int rotate, uint64_t max_size, unsigned int total)
{
	struct vft_capture_opts o = { .max_size = max_size, .rotate = rotate, .block_size = 1500 };
	char path[512];
	struct vft_capture_writer *w;
	unsigned int keep = rotate > 1 ? rotate : 1, i, k;
	struct vft_event ev;
	int expect_part = -1;
	int64_t next_pid = -1;
	char name[600];
	struct stat sb;

	snprintf(path, sizeof(path), "%s/ring%u.vftcap", tmpdir, rotate);
	w = new_writer(path, &o);
	for (i = 0; i < total; i++) {
		ev = make_event(1 + i % (VFT_EV_KIND_MAX - 1), i);
		ev.actor.pid = i;
		assert_int_equal(vft_capture_writer__write(w, &ev), 0);
		if (i % 7 == 6)
			assert_int_equal(vft_capture_writer__flush(w), 0);
	}
	assert_int_equal(vft_capture_writer__free(w), 0);

	snprintf(name, sizeof(name), "%s.%u", path, keep);
	assert_int_not_equal(access(name, F_OK), 0);
	/* oldest file first: FILE.N-1 .. FILE, each alone a valid capture, parts in order */
	for (k = keep; k-- > 0;) {
		struct result res;

		if (k)
			snprintf(name, sizeof(name), "%s.%u", path, k);
		else
			snprintf(name, sizeof(name), "%s", path);
		assert_int_equal(stat(name, &sb), 0);
		assert_true((uint64_t)sb.st_size <= max_size);
		assert_int_equal(sb.st_mode & 0777, 0600);
		res = read_all(name, total);
		assert_true(res.n > 0);
		assert_false(res.st.truncated);
		assert_int_equal(res.st.corrupt, 0);
		assert_string_equal(res.hdr.hostname, "gpu-node-17.example");
		if (expect_part >= 0)
			assert_int_equal(res.hdr.part, expect_part);
		expect_part = (int)res.hdr.part + 1;
		for (i = 0; i < res.n; i++) {
			if (next_pid >= 0)
				assert_int_equal(res.evs[i].actor.pid, next_pid);
			next_pid = res.evs[i].actor.pid + 1;
		}
		free(res.evs);
	}
	/* the newest data is kept, up to the last event */
	assert_int_equal(next_pid, total);
	assert_true(expect_part > (int)keep);
}

static void rotation_keeps_newest(void **state)
{
	check_rotation(3, 8192, 2000);
	check_rotation(1, 4096, 500);
	check_rotation(5, 16384, 3000);
}

static void rotation_and_stale_files(void **state)
{
	struct vft_capture_opts o = { .max_size = 8192, .rotate = 3 };
	struct vft_capture_opts ox = { .max_size = 8192, .rotate = 3, .flags = VFT_CAPTURE_EXCL };
	const char *path = tpath("stale.vftcap");
	struct vft_capture_writer *w;
	char name[600];

	snprintf(name, sizeof(name), "%s.2", path);
	spit(name, "old", 3);
	assert_int_equal(vft_capture_writer__new(path, &ox, NULL, &w), -EEXIST);
	assert_int_equal(access(name, F_OK), 0);
	assert_int_equal(vft_capture_writer__new(path, &o, NULL, &w), 0);
	assert_int_not_equal(access(name, F_OK), 0);
	assert_int_equal(vft_capture_writer__free(w), 0);
}

/* The daemon's recorder goes on: a restart or a new FILE after a move loses nothing kept. */
static void keep_shifts_the_previous_recording(void **state)
{
	struct vft_capture_opts o = { .max_size = 8192, .rotate = 3, .flags = VFT_CAPTURE_KEEP };
	const char *path = tpath("keep.vftcap");
	struct vft_capture_writer *w;
	char n1[600], n2[600], buf[16] = "";
	FILE *f;

	snprintf(n1, sizeof(n1), "%s.1", path);
	snprintf(n2, sizeof(n2), "%s.2", path);
	/* a restart: FILE and FILE.1 of the last run move down; the oldest past 3 goes */
	spit(path, "run2", 4);
	spit(n1, "run1", 4);
	spit(n2, "run0", 4);
	assert_int_equal(vft_capture_writer__new(path, &o, NULL, &w), 0);
	assert_int_equal(vft_capture_writer__free(w), 0);
	f = fopen(n1, "r");
	assert_non_null(f);
	assert_non_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	assert_string_equal(buf, "run2");
	f = fopen(n2, "r");
	assert_non_null(f);
	assert_non_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	assert_string_equal(buf, "run1");
	/* FILE moved away (log rotation): FILE.1 .. stay as they are */
	assert_int_equal(unlink(path), 0);
	assert_int_equal(vft_capture_writer__new(path, &o, NULL, &w), 0);
	assert_int_equal(vft_capture_writer__free(w), 0);
	f = fopen(n1, "r");
	assert_non_null(f);
	assert_non_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	assert_string_equal(buf, "run2");
	assert_int_equal(access(n2, F_OK), 0);
	/* without the flag, a new recording replaces them */
	o.flags = 0;
	assert_int_equal(vft_capture_writer__new(path, &o, NULL, &w), 0);
	assert_int_equal(vft_capture_writer__free(w), 0);
	assert_int_not_equal(access(n1, F_OK), 0);
	assert_int_not_equal(access(n2, F_OK), 0);
}

/* A pipe: the fd reader does not need to seek. */
static void reads_from_a_pipe(void **state)
{
	const char *path = tpath("pipe.vftcap");
	struct vft_capture_reader *r;
	struct blocks bs;
	struct vft_event evs[80];
	size_t len;
	uint8_t *buf = three_blocks(path, 3, &len, &bs);
	int fds[2];
	char msg[128];

	assert_true(len < 65536);
	assert_int_equal(pipe(fds), 0);
	assert_int_equal(write(fds[1], buf, len), (ssize_t)len);
	close(fds[1]);
	assert_int_equal(vft_capture_reader__open_fd(fds[0], &r, msg, sizeof(msg)), 0);
	assert_int_equal(drain(r, evs, 80), 60);
	assert_int_equal(evs[59].actor.pid, 59);
	vft_capture_reader__free(r);
	close(fds[0]);
	free(buf);
}

/*
 * The reader opens with O_NOFOLLOW: a symbolic link to a capture (or to
 * nothing) is refused by the open itself, with a message that says so and
 * what to do; a link among the directories above is followed. A directory
 * and a device are refused after the open (fstat), a named pipe is read.
 */
static void reader_refuses_symlinks(void **state)
{
	struct vft_capture_reader *r = (void *)1;
	char msg[512], via[600], path[512], link[512], fifo[512];
	struct vft_event evs[80];
	struct blocks bs;
	uint8_t *buf;
	size_t len;
	pid_t pid;
	int fd, status;

	/* tpath() reuses its buffers: these stay */
	snprintf(path, sizeof(path), "%s", tpath("real.vftcap"));
	snprintf(link, sizeof(link), "%s", tpath("link.vftcap"));
	snprintf(fifo, sizeof(fifo), "%s", tpath("fifo"));
	buf = three_blocks(path, 1, &len, &bs);

	assert_int_equal(symlink(path, link), 0);
	assert_int_equal(vft_capture_reader__open(link, &r, msg, sizeof(msg)), -ELOOP);
	assert_null(r);
	assert_non_null(strstr(msg, link));
	assert_non_null(strstr(msg, "symbolic link"));
	assert_non_null(strstr(msg, "readlink -f"));
	/* a dangling link, and a link to a link */
	assert_int_equal(unlink(link), 0);
	assert_int_equal(symlink(tpath("nowhere.vftcap"), link), 0);
	assert_int_equal(vft_capture_reader__open(link, &r, msg, sizeof(msg)), -ELOOP);
	assert_non_null(strstr(msg, "symbolic link"));
	assert_int_equal(symlink(link, tpath("link2.vftcap")), 0);
	assert_int_equal(vft_capture_reader__open(tpath("link2.vftcap"), &r, msg, sizeof(msg)),
			 -ELOOP);
	/* the file itself, and through a linked directory, are read */
	assert_int_equal(vft_capture_reader__open(path, &r, msg, sizeof(msg)), 0);
	assert_int_equal(drain(r, evs, 80), 20);
	vft_capture_reader__free(r);
	assert_int_equal(symlink(tmpdir, tpath("dirlink")), 0);
	snprintf(via, sizeof(via), "%s/real.vftcap", tpath("dirlink"));
	assert_int_equal(vft_capture_reader__open(via, &r, msg, sizeof(msg)), 0);
	vft_capture_reader__free(r);

	assert_int_equal(vft_capture_reader__open(tmpdir, &r, msg, sizeof(msg)), -EISDIR);
	assert_non_null(strstr(msg, "a directory"));
	assert_int_equal(vft_capture_reader__open("/dev/null", &r, msg, sizeof(msg)), -EINVAL);
	assert_non_null(strstr(msg, "not a capture file"));

	/* a named pipe: a child writes the capture into it */
	assert_int_equal(mkfifo(fifo, 0600), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		fd = open(fifo, O_WRONLY);
		_exit(fd >= 0 && write(fd, buf, len) == (ssize_t)len ? 0 : 1);
	}
	assert_int_equal(vft_capture_reader__open(fifo, &r, msg, sizeof(msg)), 0);
	assert_int_equal(drain(r, evs, 80), 20);
	vft_capture_reader__free(r);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	free(buf);
}

/* VFT_CAPTURE_NOFOLLOW: the writer refuses a link where its file goes, and writes nothing. */
static void writer_nofollow(void **state)
{
	struct vft_capture_opts nofollow = { .flags = VFT_CAPTURE_NOFOLLOW };
	struct vft_capture_opts rotating = { .flags = VFT_CAPTURE_NOFOLLOW | VFT_CAPTURE_KEEP,
					     .max_size = VFT_CAPTURE_MIN_FILE_SIZE,
					     .rotate = 2 };
	struct vft_capture_header h = test_header();
	struct vft_capture_writer *w = (void *)1;
	char victim[512], path[512];
	struct stat st;

	snprintf(victim, sizeof(victim), "%s", tpath("victim"));
	snprintf(path, sizeof(path), "%s", tpath("nf.vftcap"));
	spit(victim, "keep me\n", 8);
	assert_int_equal(symlink(victim, path), 0);
	assert_int_equal(vft_capture_writer__new(path, &nofollow, &h, &w), -ELOOP);
	assert_null(w);
	assert_int_equal(stat(victim, &st), 0);
	assert_int_equal(st.st_size, 8);
	/* without the flag the link is followed, as `record -o /dev/stdout` needs */
	w = new_writer(path, NULL);
	assert_int_equal(vft_capture_writer__free(w), 0);
	assert_int_equal(stat(victim, &st), 0);
	assert_true(st.st_size > 8);
	/* a rotating recorder: the earlier file moves to .1, the new FILE is still no link */
	assert_int_equal(unlink(path), 0);
	w = new_writer(path, &rotating);
	assert_int_equal(vft_capture_writer__free(w), 0);
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(tags_are_dense_and_unique),
		cmocka_unit_test(fields_tile_the_struct),
		cmocka_unit_test(every_declared_field_has_a_tag),
		cmocka_unit_test(every_field_round_trips),
		cmocka_unit_test(every_kind_round_trips),
		cmocka_unit_test(netns_info_pod_round_trips),
		cmocka_unit_test(old_capture_has_no_pod_name),
		cmocka_unit_test(string_table_limit),
		cmocka_unit_test(empty_capture),
		cmocka_unit_test(keep_shifts_the_previous_recording),
		cmocka_unit_test(header_fields),
		cmocka_unit_test(files_are_private),
		cmocka_unit_test(flush_is_durable_while_running),
		cmocka_unit_test(truncated_in_header),
		cmocka_unit_test(truncated_in_block),
		cmocka_unit_test(crc_failure_resyncs),
		cmocka_unit_test(wrong_magic_and_version),
		cmocka_unit_test(hostile_lengths),
		cmocka_unit_test(dev_full),
		cmocka_unit_test(enospc_keeps_file_replayable),
		cmocka_unit_test(file_size_limit),
		cmocka_unit_test(rotation_keeps_newest),
		cmocka_unit_test(rotation_and_stale_files),
		cmocka_unit_test(reads_from_a_pipe),
		cmocka_unit_test(reader_refuses_symlinks),
		cmocka_unit_test(writer_nofollow),
	};

	return cmocka_run_group_tests_name("capture", tests, setup, teardown);
}
