// SPDX-License-Identifier: GPL-2.0-only
/*
 * proc.bpf.c - CNI plugin runs, on the scheduler's process tracepoints,
 * which every kernel has (also one where kprobes and BPF trampolines do
 * not attach).
 *
 * At sched_process_exec, in the new program's context, the exec is judged
 * while its memory is there to read: a CNI plugin is a program executed by
 * a path under one of the CNI plugin directories (the cni_dirs map, set by
 * user space) or one whose environment holds CNI_COMMAND=. For one, its
 * path and the CNI_ variables of its environment are kept in cni_runs under
 * its thread group id, with the time and its parent (an IPAM plugin is
 * executed by the main plugin, with the same environment). At
 * sched_process_exit of its last thread, one cni record (struct
 * vft_bpf_cni) reports the run with the wait status the kernel keeps in
 * task->exit_code. A plugin that exits within a millisecond is reported
 * all the same: nothing is read from /proc afterwards.
 *
 * The environment (mm->env_start .. env_end, strings the exec has just
 * copied onto the new stack) is read one string per step of a bpf_loop()
 * callback: the CNI_ variables can be anywhere in it (libcni's environment
 * is deduplicated through a Go map, in no order). The callback's state is in
 * a per-CPU map, not on the stack (see vfcfg.bpf.c: 6.1 verifies a callback
 * once, with the caller's stack as it is at the call).
 */
#include "common.bpf.h"

#define ENV_STEPS 1024 /* strings (or pieces of long ones) read from one environment */
#define CUR_LEN (VFT_CNI_ARGS_LEN + 16) /* one string: "CNI_ARGS=" and the room of its value */

/* A run between its exec and its exit. */
struct cni_run {
	__u64 start_ns;
	__u32 ppid;
	__u32 flags; /* VFT_F_CNI_* */
	__u32 cut;   /* VFT_CNI_CUT_* */
	__u32 __pad;
	struct vft_cni_strings s;
};

/* The exec's scratch: the environment still to read, the string read, the run being made. */
struct cni_scan {
	__u64 pos; /* user address of the next string (or the rest of a long one) */
	__u64 end;
	__u32 skipping; /* pos is inside a string longer than cur */
	__u32 __pad;
	char cur[CUR_LEN];
	struct cni_run run;
};

/* What a run starts from (a 1.4 KiB memset is not something BPF code can do). */
static const struct cni_run empty_run;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, VFT_CNI_MAX_DIRS);
	__type(key, __u32);
	__type(value, struct vft_cni_dir);
} cni_dirs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 512);
	__type(key, __u32); /* thread group id */
	__type(value, struct cni_run);
} cni_runs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct cni_scan);
} cni_scratch SEC(".maps");

/* Whether @s begins with the @n characters of @p (a literal: the loop unrolls). */
static __always_inline bool has_prefix(const char *s, const char *p, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (s[i] != p[i])
			return false;
	return true;
}

/* Whether @path lies under directory slot @i of cni_dirs. */
static __always_inline bool under_dir(const char *path, __u32 i)
{
	struct vft_cni_dir *d = bpf_map_lookup_elem(&cni_dirs, &i);
	__u32 j;

	if (!d || !d->len || d->len > VFT_CNI_DIR_LEN)
		return false;
	for (j = 0; j < VFT_CNI_DIR_LEN; j++) {
		if (j >= d->len)
			return true;
		if (path[j] != d->prefix[j])
			return false;
	}
	return true;
}

static __always_inline bool under_cni_dir(const char *path)
{
	__u32 i;

	for (i = 0; i < VFT_CNI_MAX_DIRS; i++)
		if (under_dir(path, i))
			return true;
	return false;
}

/*
 * The value at @src (after "CNI_X=" in cur) into @dst; @long_str: the
 * string went on past cur. A value that did not fit sets @bit in run->cut.
 */
static __always_inline void keep_value(struct cni_scan *sc, char *dst, __u32 size, const char *src,
				       bool long_str, __u32 bit)
{
	long n = bpf_probe_read_kernel_str(dst, size, src);

	if (long_str || (n == size && src[size - 1]))
		sc->run.cut |= bit;
}

/* The string in cur, if it is one of the CNI_ variables kept. */
static __always_inline void keep_var(struct cni_scan *sc, bool long_str)
{
	const char *v = sc->cur + 4;

	if (!has_prefix(sc->cur, "CNI_", 4))
		return;
	if (has_prefix(v, "ARGS=", 5)) {
		keep_value(sc, sc->run.s.args, VFT_CNI_ARGS_LEN, v + 5, long_str, VFT_CNI_CUT_ARGS);
	} else if (has_prefix(v, "COMMAND=", 8)) {
		keep_value(sc, sc->run.s.var[VFT_CNI_COMMAND], VFT_CNI_VAL_LEN, v + 8, long_str,
			   VFT_CNI_CUT_VAR);
		sc->run.flags |= VFT_F_CNI_BY_ENV;
	} else if (has_prefix(v, "CONTAINERID=", 12)) {
		keep_value(sc, sc->run.s.var[VFT_CNI_CONTAINERID], VFT_CNI_VAL_LEN, v + 12,
			   long_str, VFT_CNI_CUT_VAR);
	} else if (has_prefix(v, "NETNS=", 6)) {
		keep_value(sc, sc->run.s.var[VFT_CNI_NETNS], VFT_CNI_VAL_LEN, v + 6, long_str,
			   VFT_CNI_CUT_VAR);
	} else if (has_prefix(v, "IFNAME=", 7)) {
		keep_value(sc, sc->run.s.var[VFT_CNI_IFNAME], VFT_CNI_VAL_LEN, v + 7, long_str,
			   VFT_CNI_CUT_VAR);
	}
}

/* One string of the environment (or the next piece of a long one): 1 stops the loop. */
static long scan_step(__u32 i, void *ctx)
{
	__u32 zero = 0;
	struct cni_scan *sc = bpf_map_lookup_elem(&cni_scratch, &zero);
	bool long_str;
	long n;

	if (!sc || sc->pos >= sc->end)
		return 1;
	n = bpf_probe_read_user_str(sc->cur, sizeof(sc->cur), (const void *)sc->pos);
	if (n <= 0)
		return 1;
	/* cut: size - 1 characters and the helper's NUL; the string goes on */
	long_str = n == sizeof(sc->cur);
	sc->pos += long_str ? n - 1 : n;
	if (!sc->skipping)
		keep_var(sc, long_str);
	sc->skipping = long_str;
	return 0;
}

SEC("raw_tp/sched_process_exec")
int BPF_PROG(raw_tp__sched_process_exec, struct task_struct *p, pid_t old_pid,
	     struct linux_binprm *bprm)
{
	__u32 zero = 0, tgid, ppid;
	struct cni_scan *sc = bpf_map_lookup_elem(&cni_scratch, &zero);
	struct cni_run *old;
	struct mm_struct *mm;
	bool in_dir;
	long n;

	if (!sc)
		return 0;
	bpf_probe_read_kernel(&sc->run, sizeof(sc->run), &empty_run);
	n = bpf_probe_read_kernel_str(sc->run.s.path, sizeof(sc->run.s.path),
				      BPF_CORE_READ(bprm, filename));
	if (n == sizeof(sc->run.s.path))
		sc->run.cut |= VFT_CNI_CUT_PATH;
	in_dir = under_cni_dir(sc->run.s.path);

	mm = BPF_CORE_READ(p, mm);
	sc->pos = BPF_CORE_READ(mm, env_start);
	sc->end = BPF_CORE_READ(mm, env_end);
	sc->skipping = 0;
	bpf_loop(ENV_STEPS, scan_step, NULL, 0);
	if (sc->pos < sc->end)
		sc->run.cut |= VFT_CNI_CUT_ENV;
	if (!in_dir && !(sc->run.flags & VFT_F_CNI_BY_ENV))
		return 0;
	if (in_dir)
		sc->run.flags &= ~VFT_F_CNI_BY_ENV;

	tgid = BPF_CORE_READ(p, tgid);
	ppid = BPF_CORE_READ(p, real_parent, tgid);
	sc->run.ppid = ppid;
	if (bpf_map_lookup_elem(&cni_runs, &ppid))
		sc->run.flags |= VFT_F_CNI_CHILD;
	/* a plugin that executes another program (a wrapper script) is one run */
	old = bpf_map_lookup_elem(&cni_runs, &tgid);
	sc->run.start_ns = old ? old->start_ns : bpf_ktime_get_boot_ns();
	if (bpf_map_update_elem(&cni_runs, &tgid, &sc->run, BPF_ANY))
		count(VFT_CNT_CNI_FULL);
	else if (sc->run.cut)
		count(VFT_CNT_CNI_CUT);
	return 0;
}

SEC("raw_tp/sched_process_exit")
int BPF_PROG(raw_tp__sched_process_exit, struct task_struct *p)
{
	__u32 tgid = BPF_CORE_READ(p, tgid);
	struct cni_run *run = bpf_map_lookup_elem(&cni_runs, &tgid);
	struct vft_bpf_cni *e;

	/* the last thread of the group: signal->live is already decremented */
	if (!run || BPF_CORE_READ(p, signal, live.counter))
		return 0;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		count(VFT_CNT_LOST);
		bpf_map_delete_elem(&cni_runs, &tgid);
		return 0;
	}
	ev_fill(&e->hdr, VFT_EV_CNI, VFT_SRC_TRACEPOINT);
	e->hdr.flags |= run->flags;
	e->hdr.u.cni.start_ns = run->start_ns;
	e->hdr.u.cni.exit_code = BPF_CORE_READ(p, exit_code);
	e->hdr.u.cni.ppid = run->ppid;
	e->hdr.u.cni.cut = run->cut;
	bpf_probe_read_kernel(&e->s, sizeof(e->s), &run->s);
	/* two threads may both see live 0: the one that removes the run reports it */
	if (bpf_map_delete_elem(&cni_runs, &tgid))
		bpf_ringbuf_discard(e, 0);
	else
		bpf_ringbuf_submit(e, 0);
	return 0;
}
