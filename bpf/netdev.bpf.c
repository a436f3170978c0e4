// SPDX-License-Identifier: GPL-2.0-only
/*
 * netdev.bpf.c - the network device hooks: register, unregister, netns move,
 * rename, link flags, IPv4 and IPv6 addresses, and the netlink extack
 * tracepoint. The maps and the shared helpers are in common.bpf.h.
 */
#include "common.bpf.h"

/* Set before load: drop netdev events of devices without a parent (veth, dummy, bridges). */
const volatile bool skip_virtual = false;

/*
 * 6.1 declares reg_state as an anonymous-enum bitfield, 6.12 and later as a u8. CO-RE does
 * not match an enum against an integer, so the old layout needs a flavor.
 */
struct net_device___enum_reg_state {
	enum { VFT_REG_STATE_ANY } reg_state : 8;
} __attribute__((preserve_access_index));

#define VFT_NETREG_UNREGISTERING 2 /* stable since 2.6; the enum is anonymous on 6.1 */

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
	e->flags |= VFT_F_HAS_RET;
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

	stash_push(SLOT_NETDEV_REGISTER, &s);
	return 0;
}

SEC("kretprobe/register_netdevice")
int BPF_KRETPROBE(kretprobe__register_netdevice, int ret)
{
	struct stash_key key;
	struct stash *s = stash_pop(SLOT_NETDEV_REGISTER, &key);

	if (!s)
		return 0;
	emit_register(s->obj, ret, VFT_SRC_KPROBE);
	stash_del(&key);
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
/*
 * Remembers a net device's name, ifindex and netns before a move changes them;
 * a device left out stashes an empty entry, which its exit pops unreported.
 */
static __always_inline void move_enter(struct net_device *dev, struct net *to)
{
	struct stash s = {};

	if (!skip_dev(dev)) {
		s.obj = dev;
		s.from_netns = dev_netns(dev);
		s.to_netns = net_inum(to);
		s.ifindex = BPF_CORE_READ(dev, ifindex);
		BPF_CORE_READ_STR_INTO(&s.ifname, dev, name);
	}
	stash_push(SLOT_NETNS_MOVE, &s);
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
	struct stash_key key;
	struct stash *s;

	s = stash_pop(SLOT_NETNS_MOVE, &key);
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
		e->flags |= VFT_F_HAS_RET;
		if (ret)
			read_extack(e->u.move.msg, sizeof(e->u.move.msg), extack);
		bpf_ringbuf_submit(e, 0);
	}
	stash_del(&key);
}

SEC("fentry/__dev_change_net_namespace")
int BPF_PROG(fentry__dev_change_net_namespace, struct net_device *dev, struct net *net)
{
	move_enter(dev, net);
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
	move_enter(dev, net);
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
	struct stash_key key;
	struct stash *s;

	s = stash_pop(SLOT_NETDEV_RENAME, &key);
	if (!s)
		return;
	e = ev_reserve(VFT_EV_NETDEV_RENAME, source);
	if (e) {
		fill_dev(e, s->obj);
		/* the name asked for: after a failure the device still has the old one */
		__builtin_memcpy(e->u.move.new_ifname, s->name, sizeof(e->u.move.new_ifname));
		__builtin_memcpy(e->ifname, s->ifname, sizeof(e->ifname));
		e->ret = ret;
		e->flags |= VFT_F_HAS_RET;
		bpf_ringbuf_submit(e, 0);
	}
	stash_del(&key);
}

static __always_inline void rename_enter(struct net_device *dev, const char *newname)
{
	struct stash s = {};

	if (!skip_dev(dev)) {
		s.obj = dev;
		s.from_netns = dev_netns(dev);
		s.ifindex = BPF_CORE_READ(dev, ifindex);
		BPF_CORE_READ_STR_INTO(&s.ifname, dev, name);
		bpf_probe_read_kernel_str(s.name, VFT_NAME_LEN, newname);
	}
	stash_push(SLOT_NETDEV_RENAME, &s);
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
