// SPDX-License-Identifier: GPL-2.0-only
/*
 * vftrace.bpf.c - kernel side of vftrace: netdev lifecycle hooks.
 *
 * Every logical hook comes in two variants, fentry/fexit and kprobe/kretprobe;
 * user space probes the running kernel and loads only the variant that can
 * attach (user/hooks.c). Both variants share the fill helpers below, so they
 * produce the same record. The programs never filter or format: they copy a
 * few fields into the ring buffer and user space does the rest.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "vftrace.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024); /* user space may resize before load */
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, VFT_CNT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

/* What an entry probe hands to its exit probe, keyed by pid_tgid. */
struct stash {
	struct net_device *dev;
	__u32 from_netns;
	__u32 to_netns;
	__s32 ifindex;
	char ifname[VFT_NAME_LEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, struct stash);
} stashes SEC(".maps");

/*
 * 6.1 declares reg_state as an anonymous-enum bitfield, 6.12 and later as a u8. CO-RE does
 * not match an enum against an integer, so the old layout needs a flavor.
 */
struct net_device___enum_reg_state {
	enum { VFT_REG_STATE_ANY } reg_state : 8;
} __attribute__((preserve_access_index));

#define VFT_NETREG_UNREGISTERING 2 /* stable since 2.6; the enum is anonymous on 6.1 */

static __always_inline void count(__u32 idx)
{
	__u64 *v = bpf_map_lookup_elem(&counters, &idx);

	if (v)
		(*v)++;
}

static __always_inline __u32 net_inum(struct net *net)
{
	return net ? BPF_CORE_READ(net, ns.inum) : 0;
}

static __always_inline __u32 dev_netns(struct net_device *dev)
{
	return net_inum(BPF_CORE_READ(dev, nd_net.net));
}

static __always_inline unsigned int dev_reg_state(struct net_device *dev)
{
	struct net_device___enum_reg_state *old = (void *)dev;

	if (bpf_core_field_exists(old->reg_state))
		return BPF_CORE_READ_BITFIELD_PROBED(old, reg_state);
	return BPF_CORE_READ(dev, reg_state);
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
	e->actor_netns = net_inum(BPF_CORE_READ(task, nsproxy, net_ns));
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	return e;
}

static __always_inline void fill_dev(struct vft_bpf_event *e, struct net_device *dev)
{
	struct device *parent;
	const char *pname;

	BPF_CORE_READ_STR_INTO(&e->ifname, dev, name);
	e->ifindex = BPF_CORE_READ(dev, ifindex);
	e->netns = dev_netns(dev);
	parent = BPF_CORE_READ(dev, dev.parent);
	if (parent) {
		pname = BPF_CORE_READ(parent, kobj.name);
		if (pname)
			bpf_probe_read_kernel_str(e->parent, sizeof(e->parent), pname);
	}
}

/* ---- netdev_register: register_netdevice(dev), reported on return ---- */

static __always_inline void emit_register(struct net_device *dev, int ret, __u32 source)
{
	struct vft_bpf_event *e = ev_reserve(VFT_EV_NETDEV_REGISTER, source);

	if (!e)
		return;
	fill_dev(e, dev);
	e->ret = ret;
	e->flags = VFT_F_HAS_RET;
	bpf_ringbuf_submit(e, 0);
}

SEC("fexit/register_netdevice")
int BPF_PROG(fexit__register_netdevice, struct net_device *dev, int ret)
{
	emit_register(dev, ret, VFT_SRC_FENTRY);
	return 0;
}

SEC("kprobe/register_netdevice")
int BPF_KPROBE(kprobe__register_netdevice, struct net_device *dev)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct stash s = { .dev = dev };

	bpf_map_update_elem(&stashes, &id, &s, BPF_ANY);
	return 0;
}

SEC("kretprobe/register_netdevice")
int BPF_KRETPROBE(kretprobe__register_netdevice, int ret)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct stash *s = bpf_map_lookup_elem(&stashes, &id);

	if (!s) {
		count(VFT_CNT_STASH_MISS);
		return 0;
	}
	emit_register(s->dev, ret, VFT_SRC_KPROBE);
	bpf_map_delete_elem(&stashes, &id);
	return 0;
}

/*
 * ---- netdev_unregister: the NETDEV_UNREGISTER notifier ----
 *
 * call_netdevice_notifiers_info() sees NETDEV_UNREGISTER both for a real
 * unregistration and for the old side of a netns move. Only the former has
 * set reg_state to NETREG_UNREGISTERING first.
 */
static __always_inline void on_notifier(unsigned long val, struct netdev_notifier_info *info,
					__u32 source)
{
	struct net_device *dev;
	struct vft_bpf_event *e;

	if (val != bpf_core_enum_value(enum netdev_cmd, NETDEV_UNREGISTER))
		return;
	dev = BPF_CORE_READ(info, dev);
	if (!dev)
		return;
	if (dev_reg_state(dev) != VFT_NETREG_UNREGISTERING)
		return;
	e = ev_reserve(VFT_EV_NETDEV_UNREGISTER, source);
	if (!e)
		return;
	fill_dev(e, dev);
	bpf_ringbuf_submit(e, 0);
}

SEC("fentry/call_netdevice_notifiers_info")
int BPF_PROG(fentry__call_netdevice_notifiers_info, unsigned long val,
	     struct netdev_notifier_info *info)
{
	on_notifier(val, info, VFT_SRC_FENTRY);
	return 0;
}

SEC("kprobe/call_netdevice_notifiers_info")
int BPF_KPROBE(kprobe__call_netdevice_notifiers_info, unsigned long val,
	       struct netdev_notifier_info *info)
{
	on_notifier(val, info, VFT_SRC_KPROBE);
	return 0;
}

/*
 * ---- netns_move: __dev_change_net_namespace(dev, net, pat, new_ifindex[, extack]) ----
 *
 * The source netns is only known on entry, the result only on return: the
 * entry probe stashes the first, the exit probe emits. The argument count
 * differs between kernels, so the fexit side reads the return value with
 * bpf_get_func_ret() instead of a fixed argument slot.
 */
static __always_inline void netns_enter(struct net_device *dev, struct net *net)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct stash s = {};

	s.dev = dev;
	s.from_netns = dev_netns(dev);
	s.to_netns = net_inum(net);
	s.ifindex = BPF_CORE_READ(dev, ifindex);
	BPF_CORE_READ_STR_INTO(&s.ifname, dev, name);
	bpf_map_update_elem(&stashes, &id, &s, BPF_ANY);
}

static __always_inline void netns_exit(int ret, __u32 source)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct vft_bpf_event *e;
	struct stash *s;

	s = bpf_map_lookup_elem(&stashes, &id);
	if (!s) {
		count(VFT_CNT_STASH_MISS);
		return;
	}
	e = ev_reserve(VFT_EV_NETNS_MOVE, source);
	if (e) {
		fill_dev(e, s->dev);
		/* Report the name and ifindex the move started from. */
		__builtin_memcpy(e->u.move.new_ifname, e->ifname, sizeof(e->u.move.new_ifname));
		__builtin_memcpy(e->ifname, s->ifname, sizeof(e->ifname));
		e->u.move.new_ifindex = ret ? 0 : e->ifindex;
		e->ifindex = s->ifindex;
		e->u.move.from_netns = s->from_netns;
		e->u.move.to_netns = s->to_netns;
		e->ret = ret;
		e->flags = VFT_F_HAS_RET;
		bpf_ringbuf_submit(e, 0);
	}
	bpf_map_delete_elem(&stashes, &id);
}

SEC("fentry/__dev_change_net_namespace")
int BPF_PROG(fentry__dev_change_net_namespace, struct net_device *dev, struct net *net)
{
	netns_enter(dev, net);
	return 0;
}

SEC("fexit/__dev_change_net_namespace")
int BPF_PROG(fexit__dev_change_net_namespace)
{
	__u64 ret = 0;

	bpf_get_func_ret(ctx, &ret);
	netns_exit((int)ret, VFT_SRC_FENTRY);
	return 0;
}

SEC("kprobe/__dev_change_net_namespace")
int BPF_KPROBE(kprobe__dev_change_net_namespace, struct net_device *dev, struct net *net)
{
	netns_enter(dev, net);
	return 0;
}

SEC("kretprobe/__dev_change_net_namespace")
int BPF_KRETPROBE(kretprobe__dev_change_net_namespace, int ret)
{
	netns_exit(ret, VFT_SRC_KPROBE);
	return 0;
}
