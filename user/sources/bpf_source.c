// SPDX-License-Identifier: GPL-2.0-only
/*
 * bpf_source.c - the BPF event source.
 *
 * Hooks on the kernel image are loaded once, in the "core" instance of the
 * object. Hooks on module functions (ib_core) need the module's BTF at load
 * time, so they live in a second instance of the same object, loaded when the
 * module is there (at start, or later: the poll loop looks once a second) and
 * sharing the core instance's maps, so one ring buffer carries everything.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "sources/bpf_source.h"
#include "enrich/sysfs.h"
#include "lib/util.h"
#include "vftrace.skel.h"

struct bpf_source {
	struct bpf_source_opts opts;
	struct vftrace *skel;	  /* core hooks; owns the maps */
	struct vftrace *mod_skel; /* module hooks, when their module is loaded */
	struct ring_buffer *rb;
	struct vft_clock clock;
	struct vft_hook_state hooks[VFT_HOOK_MAX];
	struct bpf_link *links[VFT_HOOK_MAX][2];
	size_t attached;
	bool changed; /* hook states changed since bpf_source__take_changes() */
	uint64_t next_module_check_ns;
	int uevent_fd;	     /* kernel uevents (a module loaded), -1 without: poll once a second */
	bool module_pending; /* a module check is due at next_module_check_ns */
	uint64_t bad_records;
	int ncpus;
	/* where preempt_count is, for the programs to tell interrupt context (0: unknown) */
	uint64_t pc_var, pcpu_offsets;
	bool pc_in_hot;
	/* set for the duration of one poll */
	vft_event_cb cb;
	void *cb_ctx;
	int cb_err;
};

static void prog_names(const struct vft_hook_state *st, const char *names[2])
{
	const struct vft_hook_def *def = st->def;

	names[0] = names[1] = NULL;
	switch (st->mech) {
	case VFT_MECH_FENTRY:
		names[0] = def->fentry_prog;
		names[1] = def->fexit_prog;
		break;
	case VFT_MECH_KPROBE:
		names[0] = def->kprobe_prog;
		names[1] = def->kretprobe_prog;
		break;
	case VFT_MECH_TRACEPOINT:
		names[0] = def->tp_prog;
		break;
	default:
		break;
	}
}

/*
 * Enables in @skel exactly the programs of the planned hooks whose module
 * matches (@modules false: kernel-image hooks; true: module hooks).
 */
static int set_autoload(struct bpf_source *src, struct vftrace *skel, bool modules)
{
	struct bpf_program *prog;
	size_t i, j;

	bpf_object__for_each_program(prog, skel->obj) bpf_program__set_autoload(prog, false);

	for (i = 0; i < VFT_HOOK_MAX; i++) {
		const struct vft_hook_state *st = &src->hooks[i];
		const char *names[2];

		if (st->status != VFT_HOOK_PLANNED || !!st->def->module != modules)
			continue;
		prog_names(st, names);
		for (j = 0; j < 2; j++) {
			if (!names[j])
				continue;
			prog = bpf_object__find_program_by_name(skel->obj, names[j]);
			if (!prog) {
				vft_warn("internal error: no BPF program %s\n", names[j]);
				return -ENOENT;
			}
			bpf_program__set_autoload(prog, true);
			if (st->mech == VFT_MECH_FENTRY)
				bpf_program__set_attach_target(prog, 0, st->func);
		}
	}
	return 0;
}

static struct bpf_link *attach_one(struct bpf_program *prog, enum vft_mech mech, bool ret,
				   const char *func)
{
	switch (mech) {
	case VFT_MECH_FENTRY:
		return bpf_program__attach_trace(prog);
	case VFT_MECH_TRACEPOINT:
		return bpf_program__attach_raw_tracepoint(prog, func);
	default:
		return bpf_program__attach_kprobe(prog, ret, func);
	}
}

static void attach_hooks(struct bpf_source *src, struct vftrace *skel, bool modules)
{
	size_t i, j;

	for (i = 0; i < VFT_HOOK_MAX; i++) {
		struct vft_hook_state *st = &src->hooks[i];
		const char *names[2];
		char ebuf[16];

		if (st->status != VFT_HOOK_PLANNED || !!st->def->module != modules)
			continue;
		prog_names(st, names);
		/*
		 * The exit program first: a call entering between the two
		 * attaches then finds no entry on return (counted), where an
		 * entry without its exit would stay stashed for its thread.
		 */
		for (j = 2; j-- > 0;) {
			struct bpf_link *link;

			if (!names[j])
				continue;
			link = attach_one(bpf_object__find_program_by_name(skel->obj, names[j]),
					  st->mech, j == 1, st->func);
			if (!link) {
				int err = -errno;

				snprintf(st->reason, sizeof(st->reason),
					 "%s: attach to %s failed: %s", vft_mech__name(st->mech),
					 st->func, vft_errno_name(err, ebuf, sizeof(ebuf)));
				st->status = VFT_HOOK_UNAVAILABLE;
				break;
			}
			src->links[i][j] = link;
		}
		if (st->status == VFT_HOOK_UNAVAILABLE) {
			for (j = 0; j < 2; j++) {
				bpf_link__destroy(src->links[i][j]);
				src->links[i][j] = NULL;
			}
			st->mech = VFT_MECH_NONE;
			continue;
		}
		st->status = VFT_HOOK_ATTACHED;
		src->attached++;
	}
	src->changed = true;
}

static size_t count_planned(const struct bpf_source *src, bool modules)
{
	size_t i, n = 0;

	for (i = 0; i < VFT_HOOK_MAX; i++)
		n += src->hooks[i].status == VFT_HOOK_PLANNED &&
		     !!src->hooks[i].def->module == modules;
	return n;
}

/*
 * Finds in /proc/kallsyms the per-CPU variable that holds preempt_count
 * (__preempt_count, or pcpu_hot from 6.2 to 6.14) and the per-CPU offsets,
 * so that the programs can tell an event in interrupt context from a task's.
 * Data symbols are listed only with CONFIG_KALLSYMS_ALL, and addresses only
 * to CAP_SYSLOG: without them the events keep the interrupted task as actor.
 */
static void find_preempt_count(struct bpf_source *src)
{
	char path[4096], line[512], *name;
	unsigned long long addr;
	FILE *f;

	if (vft_path(path, sizeof(path), src->opts.root, "/proc/kallsyms"))
		return;
	f = fopen(path, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		name = strrchr(line, ' ');
		if (!name || (name[1] != '_' && name[1] != 'p'))
			continue;
		name[strcspn(name, "\n\t")] = '\0';
		if (strcmp(name, " __preempt_count") && strcmp(name, " pcpu_hot") &&
		    strcmp(name, " __per_cpu_offset"))
			continue;
		if (sscanf(line, "%llx", &addr) != 1 || !addr)
			continue;
		if (!strcmp(name, " __per_cpu_offset")) {
			src->pcpu_offsets = addr;
		} else {
			src->pc_var = addr;
			src->pc_in_hot = !strcmp(name, " pcpu_hot");
		}
	}
	fclose(f);
	if (!src->pc_var || !src->pcpu_offsets)
		vft_debug("preempt_count not found in kallsyms: events in interrupt context will "
			  "name the interrupted task as actor\n");
}

int vft_cni_dir__make(const char *dir, struct vft_cni_dir *out)
{
	size_t n = strlen(dir);
	const char *p;

	memset(out, 0, sizeof(*out));
	if (dir[0] != '/')
		return -EINVAL;
	while (n > 1 && dir[n - 1] == '/')
		n--;
	/* the kernel sees the path given to execve(): a "." or ".." part would never match */
	for (p = dir; p < dir + n; p++)
		if (*p == '/' && p[1] == '.' &&
		    (p[2] == '/' || !p[2] || (p[2] == '.' && (p[3] == '/' || !p[3]))))
			return -EINVAL;
	if (n == 1)
		n = 0; /* "/": every path */
	if (n + 2 > sizeof(out->prefix))
		return -ENAMETOOLONG;
	memcpy(out->prefix, dir, n);
	out->prefix[n] = '/';
	out->len = (uint32_t)n + 1;
	return 0;
}

/* Fills the kernel side's map of CNI plugin directories. */
static int set_cni_dirs(struct bpf_source *src, struct vftrace *skel)
{
	static const char *const defaults[] = VFT_CNI_DEFAULT_DIRS;
	const char *const *dirs = src->opts.n_cni_dirs ? src->opts.cni_dirs : defaults;
	size_t n = src->opts.n_cni_dirs ? src->opts.n_cni_dirs : ARRAY_SIZE(defaults);
	struct vft_cni_dir d;
	uint32_t i;
	int err = 0;

	for (i = 0; i < n && i < VFT_CNI_MAX_DIRS && !err; i++) {
		err = vft_cni_dir__make(dirs[i], &d);
		if (err) {
			vft_warn("CNI plugin directory %s: %s\n", dirs[i], strerror(-err));
			break;
		}
		if (bpf_map__update_elem(skel->maps.cni_dirs, &i, sizeof(i), &d, sizeof(d), 0))
			err = -errno;
	}
	return err;
}

/* Opens, configures and loads one instance; the module instance reuses the core maps. */
static int load_instance(struct bpf_source *src, bool modules, struct vftrace **out)
{
	struct vftrace *skel;
	int err;

	*out = NULL;
	skel = vftrace__open();
	if (!skel) {
		err = -errno;
		vft_warn("cannot open the BPF object: %s\n", strerror(-err));
		return err;
	}
	if (modules && src->skel) {
		if ((err = bpf_map__reuse_fd(skel->maps.events,
					     bpf_map__fd(src->skel->maps.events))) ||
		    (err = bpf_map__reuse_fd(skel->maps.counters,
					     bpf_map__fd(src->skel->maps.counters))) ||
		    (err = bpf_map__reuse_fd(skel->maps.stashes,
					     bpf_map__fd(src->skel->maps.stashes))) ||
		    /* unused there: not made twice */
		    (err = bpf_map__reuse_fd(skel->maps.cni_runs,
					     bpf_map__fd(src->skel->maps.cni_runs))) ||
		    (err = bpf_map__reuse_fd(skel->maps.cni_scratch,
					     bpf_map__fd(src->skel->maps.cni_scratch))))
			goto fail;
	} else if (src->opts.ringbuf_bytes) {
		err = bpf_map__set_max_entries(skel->maps.events, src->opts.ringbuf_bytes);
		if (err) {
			vft_warn("ring buffer size %llu refused: %s\n",
				 (unsigned long long)src->opts.ringbuf_bytes, strerror(-err));
			goto fail;
		}
	}
	skel->rodata->skip_virtual = src->opts.skip_virtual_netdevs;
	skel->rodata->pc_var = src->pc_var;
	skel->rodata->pc_in_hot = src->pc_in_hot;
	skel->rodata->pcpu_offsets = src->pcpu_offsets;
	err = set_autoload(src, skel, modules);
	if (err)
		goto fail;
	err = vftrace__load(skel);
	if (err) {
		vft_warn(
			"loading the BPF programs%s failed: %s (run with -v for the verifier log)\n",
			modules ? " for module hooks" : "", strerror(-err));
		goto fail;
	}
	if (!modules) {
		err = set_cni_dirs(src, skel);
		if (err)
			goto fail;
	}
	*out = skel;
	return 0;
fail:
	vftrace__destroy(skel);
	return err;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/*
 * Plans the hooks still waiting for a module and, if any became possible,
 * loads and attaches the module instance. A failure leaves them unavailable.
 */
static int plan_modules(struct bpf_source *src, struct vft_kernel_probe *kp)
{
	struct vft_hook_state fresh[VFT_HOOK_MAX];
	size_t i;
	int err;

	if (src->mod_skel)
		return 0;
	vft_hooks__plan(vft_hook_defs, VFT_HOOK_MAX, &vft_kernel_probe_ops, kp, src->opts.only,
			fresh);
	for (i = 0; i < VFT_HOOK_MAX; i++) {
		if (src->hooks[i].status != VFT_HOOK_WAITING || fresh[i].status == VFT_HOOK_WAITING)
			continue;
		src->hooks[i] = fresh[i];
		src->changed = true;
	}
	if (!count_planned(src, true))
		return 0;
	err = load_instance(src, true, &src->mod_skel);
	if (err) {
		for (i = 0; i < VFT_HOOK_MAX; i++) {
			struct vft_hook_state *st = &src->hooks[i];

			if (st->status != VFT_HOOK_PLANNED || !st->def->module)
				continue;
			st->status = VFT_HOOK_UNAVAILABLE;
			st->mech = VFT_MECH_NONE;
			snprintf(st->reason, sizeof(st->reason),
				 "loading the %s programs failed: %s", st->def->module,
				 strerror(-err));
		}
		return err;
	}
	attach_hooks(src, src->mod_skel, true);
	return 0;
}

static int open_uevents(void);

static bool any_waiting(const struct bpf_source *src)
{
	size_t i;

	for (i = 0; i < VFT_HOOK_MAX; i++)
		if (src->hooks[i].status == VFT_HOOK_WAITING)
			return true;
	return false;
}

static int on_record(void *ctx, void *data, size_t size)
{
	struct bpf_source *src = ctx;
	struct vft_event ev;
	int err;

	if (vft_event__from_bpf(&ev, data, size, &src->clock)) {
		src->bad_records++;
		return 0;
	}
	err = src->cb(src->cb_ctx, &ev);
	if (err) {
		src->cb_err = err;
		return err;
	}
	return 0;
}

int bpf_source__new(const struct bpf_source_opts *opts, struct bpf_source **out)
{
	struct vft_kernel_probe *kp = NULL;
	struct bpf_source *src;
	int err;

	*out = NULL;
	src = calloc(1, sizeof(*src));
	if (!src)
		return -ENOMEM;
	src->opts = *opts;
	src->uevent_fd = -1;
	err = vft_clock__init(&src->clock);
	if (err)
		goto fail;
	src->ncpus = libbpf_num_possible_cpus();
	if (src->ncpus < 0) {
		err = src->ncpus;
		goto fail;
	}

	err = vft_kernel_probe__new(opts->root, &kp);
	if (err)
		goto fail;
	vft_hooks__plan(vft_hook_defs, VFT_HOOK_MAX, &vft_kernel_probe_ops, kp, opts->only,
			src->hooks);

	/* Nothing can attach: no object to load, the caller reports coverage. */
	if (!count_planned(src, false) && !count_planned(src, true) && !any_waiting(src))
		goto done;

	/* The core instance owns the maps, even when only module hooks will use them. */
	find_preempt_count(src);
	err = load_instance(src, false, &src->skel);
	if (err)
		goto fail;
	attach_hooks(src, src->skel, false);
	src->rb = ring_buffer__new(bpf_map__fd(src->skel->maps.events), on_record, src, NULL);
	if (!src->rb) {
		err = -errno;
		vft_warn("cannot set up the ring buffer: %s\n", strerror(-err));
		goto fail;
	}
	plan_modules(src, kp);
done:
	src->next_module_check_ns = mono_ns() + 1000000000ULL;
	if (any_waiting(src)) {
		src->uevent_fd = open_uevents();
		if (src->uevent_fd < 0)
			vft_debug("no kernel uevents (%s): looking for modules once a second\n",
				  strerror(-src->uevent_fd));
		/* it may have loaded between the plan and the socket */
		src->module_pending = true;
		src->next_module_check_ns = 0;
	}
	src->changed = false;
	vft_kernel_probe__free(kp);
	*out = src;
	return 0;
fail:
	vft_kernel_probe__free(kp);
	bpf_source__free(src);
	return err;
}

const struct vft_hook_state *bpf_source__hooks(const struct bpf_source *src, size_t *n)
{
	*n = VFT_HOOK_MAX;
	return src->hooks;
}

size_t bpf_source__attached(const struct bpf_source *src)
{
	return src->attached;
}

bool bpf_source__take_changes(struct bpf_source *src)
{
	bool changed = src->changed;

	src->changed = false;
	return changed;
}

int bpf_source__timeout_ms(const struct bpf_source *src)
{
	uint64_t now;

	if (!src->skel || !src->module_pending || !any_waiting(src))
		return -1;
	now = mono_ns();
	if (src->next_module_check_ns <= now)
		return 0;
	return (int)((src->next_module_check_ns - now + 999999) / 1000000);
}

int bpf_source__module_fd(const struct bpf_source *src)
{
	return src->skel && any_waiting(src) ? src->uevent_fd : -1;
}

/* Kernel uevents: "add@/module/<name>" when a module loads. */
static int open_uevents(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = 1 };
	int fd;

	fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_KOBJECT_UEVENT);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

void bpf_source__module_event(struct bpf_source *src)
{
	char buf[4096];
	bool module_added = false;
	ssize_t n;

	while ((n = recv(src->uevent_fd, buf, sizeof(buf) - 1, 0)) > 0) {
		buf[n] = '\0';
		/* the first string is ACTION@DEVPATH */
		if (!strncmp(buf, "add@/module/", 12))
			module_added = true;
	}
	if (module_added) {
		src->module_pending = true;
		src->next_module_check_ns = 0; /* look now */
	}
}

/* Once nothing waits for a module, the uevent socket goes (and leaves the caller's epoll). */
static void close_uevents_if_done(struct bpf_source *src)
{
	if (src->uevent_fd >= 0 && !any_waiting(src)) {
		close(src->uevent_fd);
		src->uevent_fd = -1;
	}
}

int bpf_source__fd(const struct bpf_source *src)
{
	return src->rb ? ring_buffer__epoll_fd(src->rb) : -1;
}

/*
 * The module of some waiting hook: 2 live (its functions can be hooked), 1
 * loading (in sysfs, not live yet), 0 not there. One or two small reads.
 */
static int waiting_module_state(const struct bpf_source *src)
{
	char rel[128], path[4096], state[16];
	int best = 0;
	size_t i;

	for (i = 0; i < VFT_HOOK_MAX; i++) {
		const struct vft_hook_state *st = &src->hooks[i];

		if (st->status != VFT_HOOK_WAITING)
			continue;
		snprintf(rel, sizeof(rel), "/sys/module/%s", st->def->module);
		if (vft_path(path, sizeof(path), src->opts.root, rel) || access(path, F_OK))
			continue;
		snprintf(rel, sizeof(rel), "/sys/module/%s/initstate", st->def->module);
		/* built-in code has no initstate: it is live */
		if (vft_path(path, sizeof(path), src->opts.root, rel) ||
		    vft_sysfs__read(NULL, path, state, sizeof(state)) < 0 || !strcmp(state, "live"))
			return 2;
		best = 1;
	}
	return best;
}

/*
 * Once a second, while hooks wait for their module: is it there now? Only
 * then is the kernel probed again (BTF and kallsyms are costly to read).
 */
static void check_modules(struct bpf_source *src)
{
	struct vft_kernel_probe *kp;
	uint64_t now = mono_ns();

	if (!src->skel || !src->module_pending || now < src->next_module_check_ns ||
	    !any_waiting(src))
		return;
	switch (waiting_module_state(src)) {
	case 0: /* nothing yet: wait for a uevent, or poll again in a second */
		src->module_pending = src->uevent_fd < 0;
		src->next_module_check_ns = now + 1000000000ULL;
		return;
	case 1: /* loading: it goes live within moments */
		src->next_module_check_ns = now + 100000000ULL;
		return;
	default:
		break;
	}
	if (vft_kernel_probe__new(src->opts.root, &kp))
		return;
	plan_modules(src, kp);
	vft_kernel_probe__free(kp);
	close_uevents_if_done(src);
}

int bpf_source__poll(struct bpf_source *src, int timeout_ms, vft_event_cb cb, void *ctx)
{
	int n;

	if (!src->rb) {
		/* No hooks: just wait, so callers keep one loop. */
		n = usleep((useconds_t)timeout_ms * 1000);
		return n ? -errno : 0;
	}
	check_modules(src);
	/*
	 * The wall clock can be stepped (NTP, date -s) at any time: the
	 * offset is measured again for each batch (three vDSO reads), so
	 * displayed times follow the wall clock as it is now.
	 */
	if (vft_clock__init(&src->clock))
		vft_debug("cannot read the clocks: keeping the previous boot-to-wall offset\n");
	src->cb = cb;
	src->cb_ctx = ctx;
	src->cb_err = 0;
	n = ring_buffer__poll(src->rb, timeout_ms);
	if (src->cb_err)
		return src->cb_err;
	return n;
}

uint64_t bpf_source__lost(const struct bpf_source *src)
{
	uint64_t total = src->bad_records;
	__u32 key = VFT_CNT_LOST;
	uint64_t *vals;
	int i;

	if (!src->skel || src->ncpus <= 0)
		return total;
	vals = calloc(src->ncpus, sizeof(*vals));
	if (!vals)
		return total;
	if (!bpf_map_lookup_elem(bpf_map__fd(src->skel->maps.counters), &key, vals))
		for (i = 0; i < src->ncpus; i++)
			total += vals[i];
	free(vals);
	return total;
}

/*
 * "memlock:\t<bytes>" of /proc/self/fdinfo/<fd>. Our own fds are only in the
 * live /proc, whatever the root prefix: no prefix here.
 */
static int map_memlock(int fd, uint64_t *out)
{
	char path[64], line[128];
	unsigned long long v;
	int err = -ENODATA;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "memlock: %llu", &v) == 1) {
			*out = v;
			err = 0;
			break;
		}
	}
	fclose(f);
	return err;
}

int bpf_source__map_memory(const struct bpf_source *src,
			   int (*cb)(void *ctx, const char *map, uint64_t bytes), void *ctx)
{
	struct bpf_map *map;
	uint64_t bytes = 0;
	int err = 0, ret, fd;

	if (!src->skel)
		return 0;
	/* bpf_object__for_each_map(), spelled out: clang-format does not know the macro */
	for (map = bpf_object__next_map(src->skel->obj, NULL); map;
	     map = bpf_object__next_map(src->skel->obj, map)) {
		fd = bpf_map__fd(map);
		if (fd < 0)
			continue;
		ret = map_memlock(fd, &bytes);
		if (ret) {
			err = err ?: ret;
			continue;
		}
		/*
		 * Before 6.4 the kernel derives memlock from the key and value
		 * sizes, which a ring buffer has none of: it says 0. Its data
		 * pages are what it takes (plus two pages of positions).
		 */
		if (!bytes && bpf_map__type(map) == BPF_MAP_TYPE_RINGBUF)
			bytes = bpf_map__max_entries(map);
		ret = cb(ctx, bpf_map__name(map), bytes);
		if (ret)
			return ret;
	}
	return err;
}

void bpf_source__free(struct bpf_source *src)
{
	size_t i, j;

	if (!src)
		return;
	ring_buffer__free(src->rb);
	for (i = 0; i < VFT_HOOK_MAX; i++)
		for (j = 0; j < 2; j++)
			bpf_link__destroy(src->links[i][j]);
	vftrace__destroy(src->mod_skel);
	vftrace__destroy(src->skel);
	if (src->uevent_fd >= 0)
		close(src->uevent_fd);
	free(src);
}
