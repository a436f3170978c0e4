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

/* What an entry probe hands to its exit probe, keyed by stash_key(). */
struct stash {
	void *obj;  /* the net_device, device, pci_dev or ib_device */
	void *obj2; /* a second object: the driver of really_probe() */
	__u32 from_netns;
	__u32 to_netns;
	__s32 ifindex;
	__u32 a; /* hook-specific numbers */
	__u32 b;
	char ifname[VFT_NAME_LEN];
	char name[VFT_IBNAME_LEN];  /* hook-specific name: the new name of a rename */
	char name2[VFT_IBNAME_LEN]; /* the name before a rename */
};

/* Stash slots, so that one hook nested in another on the same thread keeps its own. */
enum stash_slot {
	SLOT_REGISTER = 1,
	SLOT_MOVE,
	SLOT_RENAME,
	SLOT_SRIOV,
	SLOT_RDMA_REGISTER,
	SLOT_RDMA_RENAME,
	SLOT_RDMA_NETNS,
	SLOT_ADDR6,
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, struct stash);
} stashes SEC(".maps") __weak;

static __always_inline void count(__u32 idx)
{
	__u64 *v = bpf_map_lookup_elem(&counters, &idx);

	if (v)
		(*v)++;
}

/* pid_tgid keeps the tgid below bit 32 + 22: the slot goes in the top byte. */
static __always_inline __u64 stash_key(enum stash_slot slot)
{
	return bpf_get_current_pid_tgid() ^ ((__u64)slot << 56);
}

static __always_inline void stash_put(enum stash_slot slot, struct stash *s)
{
	__u64 key = stash_key(slot);

	bpf_map_update_elem(&stashes, &key, s, BPF_ANY);
}

/* Looks up and (by the caller, after use) deletes this thread's stash; counts a miss. */
static __always_inline struct stash *stash_get(enum stash_slot slot)
{
	__u64 key = stash_key(slot);
	struct stash *s = bpf_map_lookup_elem(&stashes, &key);

	if (!s)
		count(VFT_CNT_STASH_MISS);
	return s;
}

static __always_inline void stash_del(enum stash_slot slot)
{
	__u64 key = stash_key(slot);

	bpf_map_delete_elem(&stashes, &key);
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

static __always_inline struct vft_bpf_event *ev_reserve(__u32 kind, __u32 source)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct vft_bpf_event *e;
	__u64 id;

	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		count(VFT_CNT_LOST);
		return NULL;
	}
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
