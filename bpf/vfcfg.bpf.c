// SPDX-License-Identifier: GPL-2.0-only
/*
 * vfcfg.bpf.c - VF settings asked of a PF: an RTM_SETLINK (the SR-IOV CNI
 * through its netlink library) or an RTM_NEWLINK on an existing device (ip
 * link set PF vf N mac/vlan/trust/spoofchk/state/rate/node_guid/port_guid)
 * with IFLA_VFINFO_LIST.
 *
 * The kernel applies the list in do_setvfinfo(), which is inlined on our
 * kernels: the hooks are rtnl_setlink() and rtnl_newlink(), doit handlers
 * that are never inlined and keep their (skb, nlh, extack) arguments on 6.1
 * and 6.12. On their return
 * the request is still in memory, so both variants read it then, with the
 * return code: the fexit program from its argument, the kretprobe from the
 * pointer its kprobe kept (a map of its own, keyed by thread). The request
 * is walked as the kernel validates it (nested attributes, 4-byte aligned),
 * in a bpf_loop() callback so that the verifier checks one step, not every
 * path of a nested walk (its state in a map: see vfcfg_walk). One
 * vf_config record per setting; user space finds the PF and the VF
 * (user/enrich/enrich.c).
 */
#include "common.bpf.h"

#define NLMSG_HDRLEN_ 16      /* NLMSG_ALIGN(sizeof(struct nlmsghdr)) */
#define IFINFOMSG_LEN 16      /* NLMSG_ALIGN(sizeof(struct ifinfomsg)) */
#define NLA_TYPE_MASK_ 0x3fff /* without NLA_F_NESTED and NLA_F_NET_BYTEORDER */
#define NLA_ALIGN_(len) (((len) + 3) & ~3u)
#define NLA_HDRLEN_ 4

/* uapi linux/if_link.h */
#define IFLA_IFNAME_ 3
#define IFLA_VFINFO_LIST_ 22
#define IFLA_VF_INFO_ 1
#define IFLA_VF_VLAN_LIST_ 12
#define IFLA_VF_VLAN_INFO_ 1

#define WALK_STEPS 256 /* attributes visited in one request, all levels */
#define VLAN_NONE (~0ull)

/* The kprobe's request, for its kretprobe: a map of its own, keyed by thread. */
struct vfcfg_req {
	__u64 skb;
	__u64 nlh;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64);
	__type(value, struct vfcfg_req);
} vfcfg_reqs SEC(".maps");

struct walk {
	__u64 nlh;   /* the request */
	__u32 pos;   /* of the next attribute, from nlh */
	__u32 level; /* 0 the message, 1 IFLA_VFINFO_LIST, 2 IFLA_VF_INFO, 3 IFLA_VF_VLAN_LIST */
	__u32 end0, end1, end2, end3; /* where each level ends */
	__u64 vlan; /* the VLAN of this IFLA_VF_INFO's list: iproute2 sends it twice */
	__s32 ret;
	__u32 source;
	__s32 ifindex;
	__u32 netns;
	char ifname[VFT_NAME_LEN];
};

/*
 * The walk's state: in a map, not on the stack. A kernel before 6.7
 * verifies a bpf_loop() callback once, with the caller's state at the call
 * (a walk at level 0), and drops as dead the code it did not reach: every
 * level below the message. A map value's contents are unknown to it, so
 * every branch is checked and kept. Per CPU: the program runs without
 * migrating, and one walk ends before the next starts on a CPU.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct walk);
} vfcfg_walk SEC(".maps");

static __always_inline void emit(struct walk *w, __s32 vf, __u32 setting, __u64 value)
{
	struct vft_bpf_event *e = ev_reserve(VFT_EV_VF_CONFIG, w->source);

	if (!e)
		return;
	e->ifindex = w->ifindex;
	e->netns = w->netns;
	__builtin_memcpy(e->ifname, w->ifname, sizeof(e->ifname));
	e->ret = w->ret;
	e->flags = VFT_F_HAS_RET;
	e->u.vfcfg.vf = vf;
	e->u.vfcfg.setting = setting;
	e->u.vfcfg.value = value;
	bpf_ringbuf_submit(e, 0);
}

/* One setting of an IFLA_VF_INFO: its payload (a struct ifla_vf_*) at @p, @len bytes. */
static __always_inline void setting(struct walk *w, __u32 type, __u64 p, __u32 len)
{
	__u32 v[5] = {};
	__u64 value = 0;
	__u8 *b = (__u8 *)&v[1];
	int i;

	/* the kernel refuses a shorter one (ifla_vf_policy): nothing was set */
	if (type == VFT_VF_MAC || type == VFT_VF_NODE_GUID || type == VFT_VF_PORT_GUID) {
		if (len < 16)
			return;
	} else if (type == VFT_VF_VLAN || type == VFT_VF_RATE) {
		if (len < 12)
			return;
	} else if (type == VFT_VF_TX_RATE || type == VFT_VF_SPOOFCHK || type == VFT_VF_LINK_STATE ||
		   type == VFT_VF_RSS_QUERY_EN || type == VFT_VF_TRUST) {
		if (len < 8)
			return;
	} else {
		return; /* IFLA_VF_STATS, IFLA_VF_BROADCAST: nothing to set */
	}
	if (bpf_probe_read_kernel(v, len < 16 ? (len < 12 ? 8 : 12) : 16, (void *)p))
		return;
	switch (type) {
	case VFT_VF_MAC: /* struct ifla_vf_mac { __u32 vf; __u8 mac[32]; } */
		for (i = 0; i < 6; i++)
			value = value << 8 | b[i];
		break;
	case VFT_VF_VLAN: /* struct ifla_vf_vlan { __u32 vf, vlan, qos; } */
		value = v[1] | (__u64)v[2] << 16 | 0x8100ull << 32;
		if (value == w->vlan)
			return; /* the list said it already */
		break;
	case VFT_VF_RATE: /* struct ifla_vf_rate { __u32 vf, min_tx_rate, max_tx_rate; } */
		value = v[1] | (__u64)v[2] << 32;
		break;
	case VFT_VF_NODE_GUID: /* struct ifla_vf_guid { __u32 vf; __u64 guid; } */
	case VFT_VF_PORT_GUID:
		value = v[2] | (__u64)v[3] << 32;
		break;
	default: /* struct { __u32 vf; __u32 value; } */
		value = v[1];
		break;
	}
	emit(w, v[0], type, value);
}

/* An IFLA_VF_VLAN_INFO: struct ifla_vf_vlan_info { __u32 vf, vlan, qos; __be16 vlan_proto; } */
static __always_inline void vlan_info(struct walk *w, __u64 p, __u32 len)
{
	__u32 v[4] = {};
	__u16 proto;

	if (len < 16 || bpf_probe_read_kernel(v, sizeof(v), (void *)p))
		return;
	proto = __builtin_bswap16((__u16)v[3]);
	w->vlan = v[1] | (__u64)v[2] << 16 | (__u64)proto << 32;
	emit(w, v[0], VFT_VF_VLAN, w->vlan);
}

/* One attribute; 1 ends the walk. */
static long walk_step(__u32 i, void *ctx)
{
	__u32 zero = 0;
	struct walk *w = bpf_map_lookup_elem(&vfcfg_walk, &zero);
	struct nlattr a;
	__u32 level, type, pos, end;

	if (!w)
		return 1;
	level = w->level;
	pos = w->pos;
	end = level == 0 ? w->end0 : level == 1 ? w->end1 : level == 2 ? w->end2 : w->end3;

	if (pos + NLA_HDRLEN_ > end) {
		if (!level)
			return 1;
		w->pos = NLA_ALIGN_(end); /* the nest is done: back to its parent */
		w->level = level - 1;
		return 0;
	}
	if (bpf_probe_read_kernel(&a, sizeof(a), (void *)(w->nlh + pos)) ||
	    a.nla_len < NLA_HDRLEN_ || pos + a.nla_len > end)
		return 1; /* the kernel refuses it too */
	type = a.nla_type & NLA_TYPE_MASK_;
	w->pos = pos + NLA_ALIGN_(a.nla_len);
	switch (level) {
	case 0:
		if (type == IFLA_IFNAME_) {
			bpf_probe_read_kernel_str(w->ifname, sizeof(w->ifname),
						  (void *)(w->nlh + pos + NLA_HDRLEN_));
		} else if (type == IFLA_VFINFO_LIST_) {
			w->pos = pos + NLA_HDRLEN_;
			w->end1 = pos + a.nla_len;
			w->level = 1;
		}
		break;
	case 1:
		if (type == IFLA_VF_INFO_) {
			w->pos = pos + NLA_HDRLEN_;
			w->end2 = pos + a.nla_len;
			w->level = 2;
			w->vlan = VLAN_NONE;
		}
		break;
	case 2:
		if (type == IFLA_VF_VLAN_LIST_) {
			w->pos = pos + NLA_HDRLEN_;
			w->end3 = pos + a.nla_len;
			w->level = 3;
		} else {
			setting(w, type, w->nlh + pos + NLA_HDRLEN_, a.nla_len - NLA_HDRLEN_);
		}
		break;
	default:
		if (type == IFLA_VF_VLAN_INFO_)
			vlan_info(w, w->nlh + pos + NLA_HDRLEN_, a.nla_len - NLA_HDRLEN_);
		break;
	}
	return 0;
}

static __always_inline void setlink_exit(struct sk_buff *skb, struct nlmsghdr *nlh, long ret,
					 __u32 source)
{
	struct walk *w;
	__u32 len, zero = 0;

	w = bpf_map_lookup_elem(&vfcfg_walk, &zero);
	if (!w || !nlh)
		return;
	__builtin_memset(w, 0, sizeof(*w));
	len = BPF_CORE_READ(nlh, nlmsg_len);
	if (len <= NLMSG_HDRLEN_ + IFINFOMSG_LEN)
		return;
	w->nlh = (__u64)nlh;
	w->pos = NLMSG_HDRLEN_ + IFINFOMSG_LEN;
	w->end0 = len < 0xffff ? len : 0xffff;
	w->ret = ret;
	w->source = source;
	/* struct ifinfomsg { u8 family, pad; u16 type; int index; ... } */
	bpf_probe_read_kernel(&w->ifindex, sizeof(w->ifindex), (void *)nlh + NLMSG_HDRLEN_ + 4);
	w->netns = net_inum(BPF_CORE_READ(skb, sk, __sk_common.skc_net.net));
	bpf_loop(WALK_STEPS, walk_step, NULL, 0);
}

static __always_inline void req_put(struct sk_buff *skb, struct nlmsghdr *nlh)
{
	/* both stay the request's until netlink_rcv_skb() is done with it */
	struct vfcfg_req req = { .skb = (__u64)skb, .nlh = (__u64)nlh };
	__u64 key = bpf_get_current_pid_tgid();

	bpf_map_update_elem(&vfcfg_reqs, &key, &req, BPF_ANY);
}

static __always_inline void req_exit(long ret)
{
	__u64 key = bpf_get_current_pid_tgid();
	struct vfcfg_req *req = bpf_map_lookup_elem(&vfcfg_reqs, &key);

	if (!req) {
		count(VFT_CNT_STASH_MISS);
		return;
	}
	setlink_exit((struct sk_buff *)req->skb, (struct nlmsghdr *)req->nlh, (int)ret,
		     VFT_SRC_KPROBE);
	bpf_map_delete_elem(&vfcfg_reqs, &key);
}

/*
 * RTM_SETLINK (the netlink library of the CNIs and the device plugin) and
 * RTM_NEWLINK on an existing device (iproute2's `ip link set`) apply the
 * list the same way, in do_setlink().
 */
#define VFCFG_HOOKS(fn)                                                         \
	SEC("fexit/" #fn)                                                       \
	int BPF_PROG(fexit__##fn, struct sk_buff *skb, struct nlmsghdr *nlh,    \
		     struct netlink_ext_ack *extack, int ret)                   \
	{                                                                       \
		setlink_exit(skb, nlh, ret, VFT_SRC_FENTRY);                    \
		return 0;                                                       \
	}                                                                       \
	SEC("kprobe/" #fn)                                                      \
	int BPF_KPROBE(kprobe__##fn, struct sk_buff *skb, struct nlmsghdr *nlh) \
	{                                                                       \
		req_put(skb, nlh);                                              \
		return 0;                                                       \
	}                                                                       \
	SEC("kretprobe/" #fn)                                                   \
	int BPF_KRETPROBE(kretprobe__##fn, long ret)                            \
	{                                                                       \
		req_exit(ret);                                                  \
		return 0;                                                       \
	}

VFCFG_HOOKS(rtnl_setlink)
VFCFG_HOOKS(rtnl_newlink)
