// SPDX-License-Identifier: GPL-2.0-only
/*
 * event.c - decoding of kernel records into normalized events, and the clock
 * that turns the kernel's boot-time stamps into wall time.
 */
#include <errno.h>
#include <string.h>
#include <time.h>
#include "event.h"

static const char *const kind_names[VFT_EV_KIND_MAX] = {
	[VFT_EV_NETDEV_REGISTER] = "netdev_register",
	[VFT_EV_NETDEV_UNREGISTER] = "netdev_unregister",
	[VFT_EV_NETNS_MOVE] = "netns_move",
};

static const char *const source_names[VFT_SRC_MAX] = {
	[VFT_SRC_FENTRY] = "fentry",	     [VFT_SRC_KPROBE] = "kprobe",
	[VFT_SRC_TRACEPOINT] = "tracepoint", [VFT_SRC_NETLINK] = "netlink",
	[VFT_SRC_INVENTORY] = "inventory",
};

const char *vft_kind__name(uint32_t kind)
{
	return kind < VFT_EV_KIND_MAX ? kind_names[kind] : NULL;
}

const char *vft_source__name(uint32_t source)
{
	return source < VFT_SRC_MAX ? source_names[source] : NULL;
}

static int64_t ts_ns(const struct timespec *ts)
{
	return (int64_t)ts->tv_sec * 1000000000LL + ts->tv_nsec;
}

int vft_clock__init(struct vft_clock *clk)
{
	struct timespec b1, w, b2;

	/* Bracket the wall-clock read by two boot-clock reads and take the middle. */
	if (clock_gettime(CLOCK_BOOTTIME, &b1) || clock_gettime(CLOCK_REALTIME, &w) ||
	    clock_gettime(CLOCK_BOOTTIME, &b2))
		return -errno;
	clk->boot_to_wall_ns = ts_ns(&w) - (ts_ns(&b1) + (ts_ns(&b2) - ts_ns(&b1)) / 2);
	return 0;
}

uint64_t vft_clock__wall_ns(const struct vft_clock *clk, uint64_t boot_ns)
{
	return (uint64_t)((int64_t)boot_ns + clk->boot_to_wall_ns);
}

/* Copies a fixed-size kernel string, always NUL-terminating. */
static void copy_name(char *dst, const char *src, size_t size)
{
	size_t n = strnlen(src, size - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

int vft_event__from_bpf(struct vft_event *ev, const void *data, size_t size,
			const struct vft_clock *clk)
{
	const struct vft_bpf_event *r = data;

	if (size != sizeof(*r))
		return -EINVAL;
	if (!vft_kind__name(r->kind) || !vft_source__name(r->source))
		return -EINVAL;

	memset(ev, 0, sizeof(*ev));
	ev->kind = r->kind;
	ev->source = r->source;
	ev->ts_ns = vft_clock__wall_ns(clk, r->ts_boot_ns);
	ev->has_actor = true;
	ev->actor.pid = r->pid;
	ev->actor.tid = r->tid;
	ev->actor.netns = r->actor_netns;
	ev->actor.cgroup_id = r->cgroup_id;
	copy_name(ev->actor.comm, r->comm, sizeof(ev->actor.comm));
	copy_name(ev->ifname, r->ifname, sizeof(ev->ifname));
	copy_name(ev->parent, r->parent, sizeof(ev->parent));
	ev->ifindex = r->ifindex;
	ev->netns = r->netns;
	ev->has_ret = r->flags & VFT_F_HAS_RET;
	ev->ret = r->ret;

	if (r->kind == VFT_EV_NETNS_MOVE) {
		ev->from_netns = r->from_netns;
		ev->to_netns = r->to_netns;
		ev->new_ifindex = r->new_ifindex;
		copy_name(ev->new_ifname, r->ifname2, sizeof(ev->new_ifname));
		if (!strcmp(ev->new_ifname, ev->ifname))
			ev->new_ifname[0] = '\0';
	}
	return 0;
}
