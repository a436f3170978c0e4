// SPDX-License-Identifier: GPL-2.0-only
/*
 * vftrace.bpf.c - kernel side of vftrace: netdev lifecycle hooks.
 *
 * Every logical hook comes in two variants, fentry/fexit and kprobe/kretprobe;
 * user space probes the running kernel and loads only the variant that can
 * attach (user/sources/hooks.c). Both variants share the fill helpers below, so they
 * produce the same record. The programs never filter or format: they copy a
 * few fields into the ring buffer and user space does the rest.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "vftrace.h"

char LICENSE[] SEC("license") = "GPL";

/* Set before load: drop netdev events of devices without a parent (veth, dummy, bridges). */
const volatile bool skip_virtual = false;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 2 * 1024 * 1024); /* user space may resize before load */
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, VFT_CNT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

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
} stashes SEC(".maps");

/*
 * 6.1 declares reg_state as an anonymous-enum bitfield, 6.12 and later as a u8. CO-RE does
 * not match an enum against an integer, so the old layout needs a flavor.
 */
struct net_device___enum_reg_state {
	enum { VFT_REG_STATE_ANY } reg_state : 8;
} __attribute__((preserve_access_index));

#define VFT_NETREG_UNREGISTERING 2 /* stable since 2.6; the enum is anonymous on 6.1 */

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
static __always_inline struct stash *stash_get(enum stash_slot slot);
static __always_inline void stash_del(enum stash_slot slot)
{
	__u64 key = stash_key(slot);

	bpf_map_delete_elem(&stashes, &key);
}

static __always_inline void count(__u32 idx)
{
	__u64 *v = bpf_map_lookup_elem(&counters, &idx);

	if (v)
		(*v)++;
}

static __always_inline struct stash *stash_get(enum stash_slot slot)
{
	__u64 key = stash_key(slot);
	struct stash *s = bpf_map_lookup_elem(&stashes, &key);

	if (!s)
		count(VFT_CNT_STASH_MISS);
	return s;
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

/* The cheap in-kernel selection: no VF or mlx5 netdev is without a parent device. */
static __always_inline bool skip_dev(struct net_device *dev)
{
	return skip_virtual && !BPF_CORE_READ(dev, dev.parent);
}

static __always_inline void fill_dev(struct vft_bpf_event *e, struct net_device *dev)
{
	BPF_CORE_READ_STR_INTO(&e->ifname, dev, name);
	e->ifindex = BPF_CORE_READ(dev, ifindex);
	e->netns = dev_netns(dev);
	read_parent(e->parent, sizeof(e->parent), BPF_CORE_READ(dev, dev.parent));
}

/* ---- netdev_register: register_netdevice(dev), reported on return ---- */

static __always_inline void emit_register(struct net_device *dev, int ret, __u32 source)
{
	struct vft_bpf_event *e;

	if (skip_dev(dev))
		return;
	e = ev_reserve(VFT_EV_NETDEV_REGISTER, source);
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
	struct stash s = { .obj = dev };

	stash_put(SLOT_REGISTER, &s);
	return 0;
}

SEC("kretprobe/register_netdevice")
int BPF_KRETPROBE(kretprobe__register_netdevice, int ret)
{
	struct stash *s = stash_get(SLOT_REGISTER);

	if (!s)
		return 0;
	emit_register(s->obj, ret, VFT_SRC_KPROBE);
	stash_del(SLOT_REGISTER);
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
	/* lo (ifindex 1) goes last when its netns is destroyed: user space forgets the netns */
	if (!dev || (skip_dev(dev) && BPF_CORE_READ(dev, ifindex) != 1))
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
/* Remembers a net device's name, ifindex and netns before a call changes them. */
static __always_inline void dev_enter(enum stash_slot slot, struct net_device *dev, struct net *to)
{
	struct stash s = {};

	if (skip_dev(dev))
		return;
	s.obj = dev;
	s.from_netns = dev_netns(dev);
	s.to_netns = net_inum(to);
	s.ifindex = BPF_CORE_READ(dev, ifindex);
	BPF_CORE_READ_STR_INTO(&s.ifname, dev, name);
	stash_put(slot, &s);
}

static __always_inline void read_extack(char *dst, __u32 size, struct netlink_ext_ack *extack)
{
	const char *msg = extack ? BPF_CORE_READ(extack, _msg) : NULL;

	if (msg)
		bpf_probe_read_kernel_str(dst, size, msg);
}

static __always_inline void netns_exit(int ret, __u32 source, struct netlink_ext_ack *extack)
{
	struct vft_bpf_event *e;
	struct stash *s;

	s = stash_get(SLOT_MOVE);
	if (!s)
		return;
	e = ev_reserve(VFT_EV_NETNS_MOVE, source);
	if (e) {
		fill_dev(e, s->obj);
		/* Report the name and ifindex the move started from. */
		__builtin_memcpy(e->u.move.new_ifname, e->ifname, sizeof(e->u.move.new_ifname));
		__builtin_memcpy(e->ifname, s->ifname, sizeof(e->ifname));
		e->u.move.new_ifindex = ret ? 0 : e->ifindex;
		e->ifindex = s->ifindex;
		e->u.move.from_netns = s->from_netns;
		e->u.move.to_netns = s->to_netns;
		e->ret = ret;
		e->flags = VFT_F_HAS_RET;
		if (ret)
			read_extack(e->u.move.msg, sizeof(e->u.move.msg), extack);
		bpf_ringbuf_submit(e, 0);
	}
	stash_del(SLOT_MOVE);
}

SEC("fentry/__dev_change_net_namespace")
int BPF_PROG(fentry__dev_change_net_namespace, struct net_device *dev, struct net *net)
{
	dev_enter(SLOT_MOVE, dev, net);
	return 0;
}

SEC("fexit/__dev_change_net_namespace")
int BPF_PROG(fexit__dev_change_net_namespace)
{
	__u64 ret = 0, extack = 0;

	bpf_get_func_ret(ctx, &ret);
	/* Newer kernels pass the extack as a fifth argument; 6.1 has four. */
	if (bpf_get_func_arg_cnt(ctx) >= 5)
		bpf_get_func_arg(ctx, 4, &extack);
	netns_exit((int)ret, VFT_SRC_FENTRY, (struct netlink_ext_ack *)extack);
	return 0;
}

SEC("kprobe/__dev_change_net_namespace")
int BPF_KPROBE(kprobe__dev_change_net_namespace, struct net_device *dev, struct net *net)
{
	dev_enter(SLOT_MOVE, dev, net);
	return 0;
}

SEC("kretprobe/__dev_change_net_namespace")
int BPF_KRETPROBE(kretprobe__dev_change_net_namespace, int ret)
{
	netns_exit(ret, VFT_SRC_KPROBE, NULL);
	return 0;
}

/* ---- netdev_rename: dev_change_name(dev, newname), netif_change_name on 6.15+ ---- */

static __always_inline void rename_exit(int ret, __u32 source)
{
	struct vft_bpf_event *e;
	struct stash *s;

	s = stash_get(SLOT_RENAME);
	if (!s)
		return;
	e = ev_reserve(VFT_EV_NETDEV_RENAME, source);
	if (e) {
		fill_dev(e, s->obj);
		/* the name asked for: after a failure the device still has the old one */
		__builtin_memcpy(e->u.move.new_ifname, s->name, sizeof(e->u.move.new_ifname));
		__builtin_memcpy(e->ifname, s->ifname, sizeof(e->ifname));
		e->ret = ret;
		e->flags = VFT_F_HAS_RET;
		bpf_ringbuf_submit(e, 0);
	}
	stash_del(SLOT_RENAME);
}

static __always_inline void rename_enter(struct net_device *dev, const char *newname)
{
	struct stash s = {};

	if (skip_dev(dev))
		return;
	s.obj = dev;
	s.from_netns = dev_netns(dev);
	s.ifindex = BPF_CORE_READ(dev, ifindex);
	BPF_CORE_READ_STR_INTO(&s.ifname, dev, name);
	bpf_probe_read_kernel_str(s.name, VFT_NAME_LEN, newname);
	stash_put(SLOT_RENAME, &s);
}

SEC("fentry/dev_change_name")
int BPF_PROG(fentry__dev_change_name, struct net_device *dev, const char *newname)
{
	rename_enter(dev, newname);
	return 0;
}

SEC("fexit/dev_change_name")
int BPF_PROG(fexit__dev_change_name, struct net_device *dev, const char *newname, int ret)
{
	rename_exit(ret, VFT_SRC_FENTRY);
	return 0;
}

SEC("kprobe/dev_change_name")
int BPF_KPROBE(kprobe__dev_change_name, struct net_device *dev, const char *newname)
{
	rename_enter(dev, newname);
	return 0;
}

SEC("kretprobe/dev_change_name")
int BPF_KRETPROBE(kretprobe__dev_change_name, int ret)
{
	rename_exit(ret, VFT_SRC_KPROBE);
	return 0;
}

/* ---- link_change: __dev_notify_flags(dev, old_flags, ...) after any flag change ---- */

static __always_inline void on_notify_flags(struct net_device *dev, unsigned int old_flags,
					    __u32 source)
{
	unsigned int flags = BPF_CORE_READ(dev, flags);
	struct vft_bpf_event *e;

	if (flags == old_flags || skip_dev(dev))
		return;
	e = ev_reserve(VFT_EV_LINK_CHANGE, source);
	if (!e)
		return;
	fill_dev(e, dev);
	e->u.link.flags = flags;
	e->u.link.old_flags = old_flags;
	bpf_ringbuf_submit(e, 0);
}

SEC("fentry/__dev_notify_flags")
int BPF_PROG(fentry__dev_notify_flags, struct net_device *dev, unsigned int old_flags)
{
	on_notify_flags(dev, old_flags, VFT_SRC_FENTRY);
	return 0;
}

SEC("kprobe/__dev_notify_flags")
int BPF_KPROBE(kprobe__dev_notify_flags, struct net_device *dev, unsigned int old_flags)
{
	on_notify_flags(dev, old_flags, VFT_SRC_KPROBE);
	return 0;
}

/* ---- addr_add / addr_del, IPv4: rtmsg_ifa(event, ifa, ...) notifies both ---- */

#define VFT_RTM_NEWADDR 20
#define VFT_RTM_DELADDR 21
#define VFT_AF_INET 2
#define VFT_AF_INET6 10

static __always_inline void on_rtmsg_ifa(int event, struct in_ifaddr *ifa, __u32 source)
{
	struct vft_bpf_event *e;
	__u32 kind;

	if (event == VFT_RTM_NEWADDR)
		kind = VFT_EV_ADDR_ADD;
	else if (event == VFT_RTM_DELADDR)
		kind = VFT_EV_ADDR_DEL;
	else
		return;
	if (skip_dev(BPF_CORE_READ(ifa, ifa_dev, dev)))
		return;
	e = ev_reserve(kind, source);
	if (!e)
		return;
	fill_dev(e, BPF_CORE_READ(ifa, ifa_dev, dev));
	e->u.addr.family = VFT_AF_INET;
	e->u.addr.prefixlen = BPF_CORE_READ(ifa, ifa_prefixlen);
	bpf_core_read(e->u.addr.addr, 4, &ifa->ifa_local);
	bpf_ringbuf_submit(e, 0);
}

SEC("fentry/rtmsg_ifa")
int BPF_PROG(fentry__rtmsg_ifa, int event, struct in_ifaddr *ifa)
{
	on_rtmsg_ifa(event, ifa, VFT_SRC_FENTRY);
	return 0;
}

SEC("kprobe/rtmsg_ifa")
int BPF_KPROBE(kprobe__rtmsg_ifa, int event, struct in_ifaddr *ifa)
{
	on_rtmsg_ifa(event, ifa, VFT_SRC_KPROBE);
	return 0;
}

/*
 * ---- addr_add / addr_del, IPv6: ipv6_add_addr() returns the new address,
 * ipv6_del_addr(ifp) removes one (inet6_ifa_notify is inlined) ----
 */
static __always_inline void emit_addr6(__u32 kind, struct inet6_ifaddr *ifp, __u32 source)
{
	struct vft_bpf_event *e;

	/* ipv6_add_addr returns an ERR_PTR on failure */
	if (!ifp || (unsigned long)ifp >= (unsigned long)-4095)
		return;
	if (skip_dev(BPF_CORE_READ(ifp, idev, dev)))
		return;
	e = ev_reserve(kind, source);
	if (!e)
		return;
	fill_dev(e, BPF_CORE_READ(ifp, idev, dev));
	e->u.addr.family = VFT_AF_INET6;
	e->u.addr.prefixlen = BPF_CORE_READ(ifp, prefix_len);
	bpf_core_read(e->u.addr.addr, 16, &ifp->addr);
	bpf_ringbuf_submit(e, 0);
}

SEC("fexit/ipv6_add_addr")
int BPF_PROG(fexit__ipv6_add_addr)
{
	__u64 ret = 0;

	bpf_get_func_ret(ctx, &ret);
	emit_addr6(VFT_EV_ADDR_ADD, (struct inet6_ifaddr *)ret, VFT_SRC_FENTRY);
	return 0;
}

SEC("kretprobe/ipv6_add_addr")
int BPF_KRETPROBE(kretprobe__ipv6_add_addr, struct inet6_ifaddr *ifp)
{
	emit_addr6(VFT_EV_ADDR_ADD, ifp, VFT_SRC_KPROBE);
	return 0;
}

SEC("fentry/ipv6_del_addr")
int BPF_PROG(fentry__ipv6_del_addr, struct inet6_ifaddr *ifp)
{
	emit_addr6(VFT_EV_ADDR_DEL, ifp, VFT_SRC_FENTRY);
	return 0;
}

SEC("kprobe/ipv6_del_addr")
int BPF_KPROBE(kprobe__ipv6_del_addr, struct inet6_ifaddr *ifp)
{
	emit_addr6(VFT_EV_ADDR_DEL, ifp, VFT_SRC_KPROBE);
	return 0;
}

/*
 * ---- driver_bind: really_probe(dev, drv) on return; driver_unbind:
 * device_release_driver_internal(dev, drv, parent) on entry ----
 */
static __always_inline void emit_bind(struct device *dev, struct device_driver *drv, int ret,
				      __u32 source)
{
	struct vft_bpf_event *e = ev_reserve(VFT_EV_DRIVER_BIND, source);
	const char *dname;

	if (!e)
		return;
	read_devname(e->u.drv.device, sizeof(e->u.drv.device), dev);
	dname = BPF_CORE_READ(drv, name);
	if (dname)
		bpf_probe_read_kernel_str(e->u.drv.driver, sizeof(e->u.drv.driver), dname);
	read_parent(e->parent, sizeof(e->parent), BPF_CORE_READ(dev, parent));
	/* really_probe() reports some failures as positive numbers */
	e->ret = ret > 0 ? -ret : ret;
	e->flags = VFT_F_HAS_RET;
	bpf_ringbuf_submit(e, 0);
}

SEC("fexit/really_probe")
int BPF_PROG(fexit__really_probe, struct device *dev, struct device_driver *drv, int ret)
{
	emit_bind(dev, drv, ret, VFT_SRC_FENTRY);
	return 0;
}

SEC("kprobe/really_probe")
int BPF_KPROBE(kprobe__really_probe, struct device *dev, struct device_driver *drv)
{
	struct stash s = { .obj = dev, .obj2 = drv };

	stash_put(SLOT_REGISTER, &s);
	return 0;
}

SEC("kretprobe/really_probe")
int BPF_KRETPROBE(kretprobe__really_probe, int ret)
{
	struct stash *s = stash_get(SLOT_REGISTER);

	if (!s)
		return 0;
	emit_bind(s->obj, s->obj2, ret, VFT_SRC_KPROBE);
	stash_del(SLOT_REGISTER);
	return 0;
}

static __always_inline void on_release(struct device *dev, struct device_driver *drv, __u32 source)
{
	struct device_driver *cur = BPF_CORE_READ(dev, driver);
	struct vft_bpf_event *e;
	const char *dname;

	/* nothing bound, or bound to another driver than the one being released */
	if (!cur || (drv && drv != cur))
		return;
	e = ev_reserve(VFT_EV_DRIVER_UNBIND, source);
	if (!e)
		return;
	read_devname(e->u.drv.device, sizeof(e->u.drv.device), dev);
	dname = BPF_CORE_READ(cur, name);
	if (dname)
		bpf_probe_read_kernel_str(e->u.drv.driver, sizeof(e->u.drv.driver), dname);
	read_parent(e->parent, sizeof(e->parent), BPF_CORE_READ(dev, parent));
	bpf_ringbuf_submit(e, 0);
}

SEC("fentry/device_release_driver_internal")
int BPF_PROG(fentry__device_release_driver_internal, struct device *dev, struct device_driver *drv)
{
	on_release(dev, drv, VFT_SRC_FENTRY);
	return 0;
}

SEC("kprobe/device_release_driver_internal")
int BPF_KPROBE(kprobe__device_release_driver_internal, struct device *dev,
	       struct device_driver *drv)
{
	on_release(dev, drv, VFT_SRC_KPROBE);
	return 0;
}

/* ---- sriov_numvfs: a write to /sys/bus/pci/devices/PF/sriov_numvfs ---- */

static __always_inline struct pci_dev *to_pci_dev(struct device *dev)
{
	return (void *)dev - bpf_core_field_offset(struct pci_dev, dev);
}

static __always_inline void numvfs_enter(struct device *dev, const char *buf)
{
	struct stash s = { .obj = dev };
	char num[8] = {};
	__u32 n = 0;
	int i;

	s.b = BPF_CORE_READ(to_pci_dev(dev), sriov, num_VFs);
	bpf_probe_read_kernel_str(num, sizeof(num), buf);
	for (i = 0; i < 6; i++) {
		if (num[i] < '0' || num[i] > '9')
			break;
		n = n * 10 + (num[i] - '0');
	}
	s.a = n;
	stash_put(SLOT_SRIOV, &s);
}

static __always_inline void numvfs_exit(long ret, __u32 source)
{
	struct vft_bpf_event *e;
	struct stash *s;

	s = stash_get(SLOT_SRIOV);
	if (!s)
		return;
	e = ev_reserve(VFT_EV_SRIOV_NUMVFS, source);
	if (e) {
		read_devname(e->u.sriov.pf, sizeof(e->u.sriov.pf), s->obj);
		e->u.sriov.num_vfs = s->a;
		e->u.sriov.old_num_vfs = s->b;
		/* the store returns the byte count on success */
		e->ret = ret < 0 ? ret : 0;
		e->flags = VFT_F_HAS_RET;
		bpf_ringbuf_submit(e, 0);
	}
	stash_del(SLOT_SRIOV);
}

SEC("fentry/sriov_numvfs_store")
int BPF_PROG(fentry__sriov_numvfs_store, struct device *dev, struct device_attribute *attr,
	     const char *buf)
{
	numvfs_enter(dev, buf);
	return 0;
}

SEC("fexit/sriov_numvfs_store")
int BPF_PROG(fexit__sriov_numvfs_store, struct device *dev, struct device_attribute *attr,
	     const char *buf, size_t count, long ret)
{
	numvfs_exit(ret, VFT_SRC_FENTRY);
	return 0;
}

SEC("kprobe/sriov_numvfs_store")
int BPF_KPROBE(kprobe__sriov_numvfs_store, struct device *dev, struct device_attribute *attr,
	       const char *buf)
{
	numvfs_enter(dev, buf);
	return 0;
}

SEC("kretprobe/sriov_numvfs_store")
int BPF_KRETPROBE(kretprobe__sriov_numvfs_store, long ret)
{
	numvfs_exit(ret, VFT_SRC_KPROBE);
	return 0;
}

/* ---- vf_add / vf_remove: pci_iov_add_virtfn(pf, id) / pci_iov_remove_virtfn(pf, id) ---- */

static __always_inline void emit_vf(__u32 kind, struct pci_dev *pf, int id, int ret, bool has_ret,
				    __u32 source)
{
	struct vft_bpf_event *e = ev_reserve(kind, source);

	if (!e)
		return;
	read_devname(e->u.sriov.pf, sizeof(e->u.sriov.pf), &pf->dev);
	e->u.sriov.vf_index = id;
	e->u.sriov.vf_offset = BPF_CORE_READ(pf, sriov, offset);
	e->u.sriov.vf_stride = BPF_CORE_READ(pf, sriov, stride);
	e->ret = ret;
	e->flags = has_ret ? VFT_F_HAS_RET : 0;
	bpf_ringbuf_submit(e, 0);
}

SEC("fexit/pci_iov_add_virtfn")
int BPF_PROG(fexit__pci_iov_add_virtfn, struct pci_dev *pf, int id, int ret)
{
	emit_vf(VFT_EV_VF_ADD, pf, id, ret, true, VFT_SRC_FENTRY);
	return 0;
}

SEC("kprobe/pci_iov_add_virtfn")
int BPF_KPROBE(kprobe__pci_iov_add_virtfn, struct pci_dev *pf, int id)
{
	struct stash s = { .obj = pf, .a = id };

	stash_put(SLOT_SRIOV, &s);
	return 0;
}

SEC("kretprobe/pci_iov_add_virtfn")
int BPF_KRETPROBE(kretprobe__pci_iov_add_virtfn, int ret)
{
	struct stash *s = stash_get(SLOT_SRIOV);

	if (!s)
		return 0;
	emit_vf(VFT_EV_VF_ADD, s->obj, s->a, ret, true, VFT_SRC_KPROBE);
	stash_del(SLOT_SRIOV);
	return 0;
}

SEC("fentry/pci_iov_remove_virtfn")
int BPF_PROG(fentry__pci_iov_remove_virtfn, struct pci_dev *pf, int id)
{
	emit_vf(VFT_EV_VF_REMOVE, pf, id, 0, false, VFT_SRC_FENTRY);
	return 0;
}

SEC("kprobe/pci_iov_remove_virtfn")
int BPF_KPROBE(kprobe__pci_iov_remove_virtfn, struct pci_dev *pf, int id)
{
	emit_vf(VFT_EV_VF_REMOVE, pf, id, 0, false, VFT_SRC_KPROBE);
	return 0;
}

/* ---- netlink_error: the netlink_extack tracepoint, in the requester's context ---- */

SEC("raw_tp/netlink_extack")
int BPF_PROG(raw_tp__netlink_extack, const char *msg)
{
	struct vft_bpf_event *e = ev_reserve(VFT_EV_NETLINK_ERROR, VFT_SRC_TRACEPOINT);

	if (!e)
		return 0;
	if (msg)
		bpf_probe_read_kernel_str(e->u.nl.msg, sizeof(e->u.nl.msg), msg);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

/*
 * ---- RDMA core (module ib_core): loaded as a second instance of this
 * object once the module is there, sharing the maps above ----
 */
static __always_inline struct vft_bpf_event *rdma_event(__u32 kind, struct ib_device *ibdev,
							__u32 source)
{
	struct vft_bpf_event *e = ev_reserve(kind, source);

	if (!e)
		return NULL;
	BPF_CORE_READ_STR_INTO(&e->u.rdma.ibdev, ibdev, name);
	e->u.rdma.node_guid = BPF_CORE_READ(ibdev, node_guid);
	read_parent(e->parent, sizeof(e->parent), BPF_CORE_READ(ibdev, dev.parent));
	return e;
}

static __always_inline void rdma_register_exit(struct ib_device *ibdev, int ret, __u32 source)
{
	struct vft_bpf_event *e = rdma_event(VFT_EV_RDMA_REGISTER, ibdev, source);

	if (!e)
		return;
	e->ret = ret;
	e->flags = VFT_F_HAS_RET;
	bpf_ringbuf_submit(e, 0);
}

SEC("fexit/ib_register_device")
int BPF_PROG(fexit__ib_register_device, struct ib_device *ibdev)
{
	__u64 ret = 0;

	bpf_get_func_ret(ctx, &ret);
	rdma_register_exit(ibdev, (int)ret, VFT_SRC_FENTRY);
	return 0;
}

SEC("kprobe/ib_register_device")
int BPF_KPROBE(kprobe__ib_register_device, struct ib_device *ibdev)
{
	struct stash s = { .obj = ibdev };

	stash_put(SLOT_RDMA_REGISTER, &s);
	return 0;
}

SEC("kretprobe/ib_register_device")
int BPF_KRETPROBE(kretprobe__ib_register_device, int ret)
{
	struct stash *s = stash_get(SLOT_RDMA_REGISTER);

	if (!s)
		return 0;
	rdma_register_exit(s->obj, ret, VFT_SRC_KPROBE);
	stash_del(SLOT_RDMA_REGISTER);
	return 0;
}

static __always_inline void rdma_unregister(struct ib_device *ibdev, __u32 source)
{
	struct vft_bpf_event *e = rdma_event(VFT_EV_RDMA_UNREGISTER, ibdev, source);

	if (e)
		bpf_ringbuf_submit(e, 0);
}

SEC("fentry/__ib_unregister_device")
int BPF_PROG(fentry__ib_unregister_device, struct ib_device *ibdev)
{
	rdma_unregister(ibdev, VFT_SRC_FENTRY);
	return 0;
}

SEC("kprobe/__ib_unregister_device")
int BPF_KPROBE(kprobe__ib_unregister_device, struct ib_device *ibdev)
{
	rdma_unregister(ibdev, VFT_SRC_KPROBE);
	return 0;
}

/* rdma_rename and rdma_netns_move: the name (and target netns) on entry, the result on exit. */
static __always_inline void rdma_enter(enum stash_slot slot, struct ib_device *ibdev,
				       const char *newname, __u32 to_netns)
{
	struct stash s = { .obj = ibdev, .to_netns = to_netns };

	if (newname)
		bpf_probe_read_kernel_str(s.name, sizeof(s.name), newname);
	BPF_CORE_READ_STR_INTO(&s.name2, ibdev, name);
	stash_put(slot, &s);
}

static __always_inline void rdma_exit(enum stash_slot slot, __u32 kind, int ret, __u32 source)
{
	struct vft_bpf_event *e;
	struct stash *s = stash_get(slot);

	if (!s)
		return;
	e = rdma_event(kind, s->obj, source);
	if (e) {
		/* report the name the call started with; a rename has changed it */
		__builtin_memcpy(e->u.rdma.ibdev, s->name2, sizeof(e->u.rdma.ibdev));
		if (kind == VFT_EV_RDMA_RENAME)
			__builtin_memcpy(e->u.rdma.new_name, s->name, sizeof(e->u.rdma.new_name));
		e->u.rdma.to_netns = s->to_netns;
		e->ret = ret;
		e->flags = VFT_F_HAS_RET;
		bpf_ringbuf_submit(e, 0);
	}
	stash_del(slot);
}

SEC("fentry/ib_device_rename")
int BPF_PROG(fentry__ib_device_rename, struct ib_device *ibdev, const char *name)
{
	rdma_enter(SLOT_RDMA_RENAME, ibdev, name, 0);
	return 0;
}

SEC("fexit/ib_device_rename")
int BPF_PROG(fexit__ib_device_rename, struct ib_device *ibdev, const char *name, int ret)
{
	rdma_exit(SLOT_RDMA_RENAME, VFT_EV_RDMA_RENAME, ret, VFT_SRC_FENTRY);
	return 0;
}

SEC("kprobe/ib_device_rename")
int BPF_KPROBE(kprobe__ib_device_rename, struct ib_device *ibdev, const char *name)
{
	rdma_enter(SLOT_RDMA_RENAME, ibdev, name, 0);
	return 0;
}

SEC("kretprobe/ib_device_rename")
int BPF_KRETPROBE(kretprobe__ib_device_rename, int ret)
{
	rdma_exit(SLOT_RDMA_RENAME, VFT_EV_RDMA_RENAME, ret, VFT_SRC_KPROBE);
	return 0;
}

/* The netns inode behind the caller's file descriptor @fd (an nsfs file). */
static __always_inline __u32 fd_inode(int fd)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	struct file **fds, *f = NULL;

	if (!fdt || fd < 0 || (unsigned int)fd >= BPF_CORE_READ(fdt, max_fds))
		return 0;
	fds = BPF_CORE_READ(fdt, fd);
	bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]);
	return f ? BPF_CORE_READ(f, f_inode, i_ino) : 0;
}

SEC("fentry/ib_device_set_netns_put")
int BPF_PROG(fentry__ib_device_set_netns_put, struct sk_buff *skb, struct ib_device *ibdev,
	     u32 ns_fd)
{
	rdma_enter(SLOT_RDMA_NETNS, ibdev, NULL, fd_inode(ns_fd));
	return 0;
}

SEC("fexit/ib_device_set_netns_put")
int BPF_PROG(fexit__ib_device_set_netns_put, struct sk_buff *skb, struct ib_device *ibdev,
	     u32 ns_fd, int ret)
{
	rdma_exit(SLOT_RDMA_NETNS, VFT_EV_RDMA_NETNS_MOVE, ret, VFT_SRC_FENTRY);
	return 0;
}

SEC("kprobe/ib_device_set_netns_put")
int BPF_KPROBE(kprobe__ib_device_set_netns_put, struct sk_buff *skb, struct ib_device *ibdev,
	       u32 ns_fd)
{
	rdma_enter(SLOT_RDMA_NETNS, ibdev, NULL, fd_inode(ns_fd));
	return 0;
}

SEC("kretprobe/ib_device_set_netns_put")
int BPF_KRETPROBE(kretprobe__ib_device_set_netns_put, int ret)
{
	rdma_exit(SLOT_RDMA_NETNS, VFT_EV_RDMA_NETNS_MOVE, ret, VFT_SRC_KPROBE);
	return 0;
}

/* ---- rdma_port_event: ib_dispatch_event(event), atomic context ---- */

static __always_inline void on_ib_event(const struct ib_event *ev, __u32 source)
{
	__u32 type = BPF_CORE_READ(ev, event);
	struct vft_bpf_event *e;

	/* port-scoped events only: PORT_ACTIVE .. SM_CHANGE, CLIENT_REREGISTER, GID_CHANGE */
	if (!(type >= 9 && type <= 13) && type != 17 && type != 18)
		return;
	e = rdma_event(VFT_EV_RDMA_PORT_EVENT, BPF_CORE_READ(ev, device), source);
	if (!e)
		return;
	e->u.rdma.event = type;
	e->u.rdma.port = BPF_CORE_READ(ev, element.port_num);
	bpf_ringbuf_submit(e, 0);
}

SEC("fentry/ib_dispatch_event")
int BPF_PROG(fentry__ib_dispatch_event, const struct ib_event *ev)
{
	on_ib_event(ev, VFT_SRC_FENTRY);
	return 0;
}

SEC("kprobe/ib_dispatch_event")
int BPF_KPROBE(kprobe__ib_dispatch_event, const struct ib_event *ev)
{
	on_ib_event(ev, VFT_SRC_KPROBE);
	return 0;
}
