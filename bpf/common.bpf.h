/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * common.bpf.h - what the BPF program files share: the license, the maps, the
 * stash that hands data from an entry probe to its exit probe, the record
 * reservation and the readers of device names.
 *
 * Each bpf/NAME.bpf.c holds the hooks of one kernel domain and is compiled on
 * its own; the build links the objects into one (bpftool gen object), so user
 * space loads one object through one skeleton. Every logical hook comes
 * in two variants, fentry/fexit and kprobe/kretprobe; user space probes the
 * running kernel and loads only the variant that can attach
 * (user/sources/hooks.c). Both variants share their file's fill helpers, so
 * they produce the same record. The programs never filter or format: they
 * copy a few fields into the ring buffer and user space does the rest.
 */
#ifndef VFT_COMMON_BPF_H
#define VFT_COMMON_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "vftrace.h"

/* In every object: the static linker keeps one of identical "license" sections. */
char LICENSE[] SEC("license") = "GPL";

/*
 * Every object that includes this header defines the maps, all __weak: the
 * static linker merges the identical definitions into one map of each name
 * (two strong definitions would be a link error, and it refuses weak ones
 * that differ), so all the files write to the same ring buffer and stash.
 */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 2 * 1024 * 1024); /* user space may resize before load */
} events SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, VFT_CNT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps") __weak;

/* What an entry probe hands to its exit probe: one entry per call in progress. */
struct stash {
	void *obj;  /* the net_device, device, pci_dev or ib_device; NULL: not reported */
	void *obj2; /* a second object: the driver of really_probe() */
	__u32 from_netns;
	__u32 to_netns;
	__s32 ifindex;
	__u32 a; /* hook-specific numbers */
	__u32 b;
	__u32 depth; /* at depth 0 only: the calls of the hook in progress on the thread */
	char ifname[VFT_NAME_LEN];
	char name[VFT_IBNAME_LEN];  /* hook-specific name: the new name of a rename */
	char name2[VFT_IBNAME_LEN]; /* the name before a rename */
};

/*
 * One slot per hook that stashes, never shared: hooks nest in one another on
 * one thread (a VF added inside a write to sriov_numvfs, its driver probed
 * inside that, a netdev registered inside the probe), and each keeps its own.
 */
enum stash_slot {
	SLOT_NETDEV_REGISTER = 1,
	SLOT_NETNS_MOVE,
	SLOT_NETDEV_RENAME,
	SLOT_DRIVER_BIND,
	SLOT_SRIOV_NUMVFS,
	SLOT_VF_ADD,
	SLOT_RDMA_REGISTER,
	SLOT_RDMA_RENAME,
	SLOT_RDMA_NETNS,
};

/*
 * A hook also nests in itself: a driver's probe adds devices that are probed
 * inside it (mlx5_core's auxiliary devices, virtio-pci's virtio device). So
 * each (thread, slot) keeps a stack of entries, one per call in progress, at
 * depths 0 .. STASH_DEPTH - 1; the entry at depth 0 counts the calls, so a
 * call nested deeper is counted (and its exit paired) though not kept.
 */
#define STASH_DEPTH 4

struct stash_key {
	__u32 tid;
	__u16 slot;
	__u16 depth;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct stash_key);
	__type(value, struct stash);
} stashes SEC(".maps") __weak;

static __always_inline void count(__u32 idx)
{
	__u64 *v = bpf_map_lookup_elem(&counters, &idx);

	if (v)
		(*v)++;
}

/*
 * Called by every entry probe of a stashing hook, also for a call it does not
 * report (s->obj NULL), so that every exit has its entry. Only this thread
 * touches its keys: the depth needs no atomics.
 */
static __always_inline void stash_push(enum stash_slot slot, struct stash *s)
{
	struct stash_key key = { .tid = (__u32)bpf_get_current_pid_tgid(), .slot = slot };
	struct stash *bottom = bpf_map_lookup_elem(&stashes, &key);

	if (!bottom) {
		s->depth = 1;
		bpf_map_update_elem(&stashes, &key, s, BPF_ANY);
		return;
	}
	key.depth = bottom->depth++;
	if (key.depth < STASH_DEPTH)
		bpf_map_update_elem(&stashes, &key, s, BPF_ANY);
}

/*
 * The entry of this thread's innermost call of @slot in progress, or NULL:
 * none (VFT_CNT_STASH_MISS), or not kept (VFT_CNT_STASH_FULL), or not to be
 * reported. The caller passes @key to stash_del() once done with the entry.
 */
static __always_inline struct stash *stash_pop(enum stash_slot slot, struct stash_key *key)
{
	struct stash *bottom, *s;

	key->tid = (__u32)bpf_get_current_pid_tgid();
	key->slot = slot;
	key->depth = 0;
	bottom = bpf_map_lookup_elem(&stashes, key);
	if (!bottom) {
		count(VFT_CNT_STASH_MISS);
		return NULL;
	}
	key->depth = --bottom->depth;
	s = bottom;
	if (key->depth)
		s = key->depth < STASH_DEPTH ? bpf_map_lookup_elem(&stashes, key) : NULL;
	if (!s) {
		count(VFT_CNT_STASH_FULL);
		return NULL;
	}
	if (!s->obj) {
		bpf_map_delete_elem(&stashes, key);
		return NULL;
	}
	return s;
}

static __always_inline void stash_del(struct stash_key *key)
{
	bpf_map_delete_elem(&stashes, key);
}

static __always_inline __u32 net_inum(struct net *net)
{
	return net ? BPF_CORE_READ(net, ns.inum) : 0;
}

/*
 * preempt_count, per CPU on x86: the variable __preempt_count up to 6.1 and
 * again from 6.15, a member of pcpu_hot in between. User space finds the
 * variable and the per-CPU offsets in /proc/kallsyms before the load
 * (user/sources/bpf_source.c); where kallsyms lists no data symbols
 * (CONFIG_KALLSYMS_ALL off) they stay 0 and events name their task as
 * before. (Kernel symbols declared as __ksym would be resolved by the kernel
 * at load, which refuses every program when kallsyms lacks them.)
 */
const volatile __u64 pc_var __weak;	  /* &__preempt_count or &pcpu_hot, 0: unknown */
const volatile bool pc_in_hot __weak;	  /* pc_var is pcpu_hot */
const volatile __u64 pcpu_offsets __weak; /* &__per_cpu_offset[0] */

#define VFT_NMI_MASK 0x00f00000
#define VFT_HARDIRQ_MASK 0x000f0000
#define VFT_SOFTIRQ_OFFSET 0x00000100 /* serving a softirq, not only BH disabled */

static __always_inline int preempt_count(void)
{
	__u64 cpu = bpf_get_smp_processor_id(), off = 0, var = pc_var;
	int pc = 0;

	if (!var || !pcpu_offsets)
		return 0;
	if (pc_in_hot) {
		if (!bpf_core_type_exists(struct pcpu_hot))
			return 0;
		var += bpf_core_field_offset(struct pcpu_hot, preempt_count);
	}
	/* per_cpu_ptr(): the variable's address plus this CPU's offset */
	if (bpf_probe_read_kernel(&off, sizeof(off), (const void *)(pcpu_offsets + cpu * 8)) ||
	    bpf_probe_read_kernel(&pc, sizeof(pc), (const void *)(var + off)))
		return 0;
	return pc;
}

/*
 * VFT_F_IN_*: whether the kernel runs in interrupt context (no actor), and
 * which. A kprobe that fires through int3 runs its handler as an NMI would
 * (the exception adds one NMI and one hardirq level): those levels are the
 * probe's, not the probed code's, and are taken off first. A real NMI calls
 * none of the hooked functions.
 */
static __always_inline __u32 irq_context(void)
{
	int pc = preempt_count();
	int nmi = (pc & VFT_NMI_MASK) >> 20, hardirq = (pc & VFT_HARDIRQ_MASK) >> 16;

	if (hardirq > nmi)
		return VFT_F_IN_HARDIRQ;
	if (pc & VFT_SOFTIRQ_OFFSET)
		return VFT_F_IN_SOFTIRQ;
	return 0;
}

/* The common header of a record, from the current task; the rest of @e is zeroed. */
static __always_inline void ev_fill(struct vft_bpf_event *e, __u32 kind, __u32 source)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	__u64 id;

	__builtin_memset(e, 0, sizeof(*e));
	id = bpf_get_current_pid_tgid();
	e->ts_boot_ns = bpf_ktime_get_boot_ns();
	e->cgroup_id = bpf_get_current_cgroup_id();
	e->kind = kind;
	e->source = source;
	e->pid = id >> 32;
	e->tid = (__u32)id;
	e->flags = irq_context();
	e->actor_netns = net_inum(BPF_CORE_READ(task, nsproxy, net_ns));
	bpf_get_current_comm(e->comm, sizeof(e->comm));
}

static __always_inline struct vft_bpf_event *ev_reserve(__u32 kind, __u32 source)
{
	struct vft_bpf_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

	if (!e) {
		count(VFT_CNT_LOST);
		return NULL;
	}
	ev_fill(e, kind, source);
	return e;
}

static __always_inline void read_devname(char *dst, __u32 size, struct device *dev)
{
	const char *name = dev ? BPF_CORE_READ(dev, kobj.name) : NULL;

	if (name)
		bpf_probe_read_kernel_str(dst, size, name);
}

static __always_inline bool on_pci_bus(struct device *dev)
{
	const char *bus = BPF_CORE_READ(dev, bus, name);
	char b[4] = {};

	if (!bus)
		return false;
	bpf_probe_read_kernel(b, sizeof(b), bus);
	return b[0] == 'p' && b[1] == 'c' && b[2] == 'i' && b[3] == 0;
}

/*
 * The device a netdev belongs to: the closest PCI ancestor (a VF's BDF, also
 * behind virtio or auxiliary devices), else the direct parent.
 */
static __always_inline void read_parent(char *dst, __u32 size, struct device *dev)
{
	struct device *p = dev, *first = dev;
	int i;

	for (i = 0; i < 3 && p; i++) {
		if (on_pci_bus(p)) {
			read_devname(dst, size, p);
			return;
		}
		p = BPF_CORE_READ(p, parent);
	}
	read_devname(dst, size, first);
}

#endif /* VFT_COMMON_BPF_H */
