// SPDX-License-Identifier: GPL-2.0-only
/*
 * rdma.bpf.c - the RDMA core hooks (module ib_core): device register,
 * unregister, rename and netns move, and port events. The maps and the
 * shared helpers are in common.bpf.h.
 */
#include "common.bpf.h"

/*
 * ---- RDMA core (module ib_core): loaded as a second instance of the linked
 * object once the module is there, sharing the first instance's maps ----
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
	e->flags |= VFT_F_HAS_RET;
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

	stash_push(SLOT_RDMA_REGISTER, &s);
	return 0;
}

SEC("kretprobe/ib_register_device")
int BPF_KRETPROBE(kretprobe__ib_register_device, int ret)
{
	struct stash_key key;
	struct stash *s = stash_pop(SLOT_RDMA_REGISTER, &key);

	if (!s)
		return 0;
	rdma_register_exit(s->obj, ret, VFT_SRC_KPROBE);
	stash_del(&key);
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
	stash_push(slot, &s);
}

static __always_inline void rdma_exit(enum stash_slot slot, __u32 kind, int ret, __u32 source)
{
	struct vft_bpf_event *e;
	struct stash_key key;
	struct stash *s = stash_pop(slot, &key);

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
		e->flags |= VFT_F_HAS_RET;
		bpf_ringbuf_submit(e, 0);
	}
	stash_del(&key);
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
