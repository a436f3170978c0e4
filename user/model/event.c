// SPDX-License-Identifier: GPL-2.0-only
/*
 * event.c - decoding of kernel records into normalized events (the common
 * header here, each kind's part by its row in kinds.c), and the clock that
 * turns the kernel's boot-time stamps into wall time.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "model/event.h"
#include "model/kinds.h"
#include "lib/util.h"

/* enum ib_event_type (include/rdma/ib_verbs.h), stable since 2.6. */
static const char *const ib_event_names[] = {
	"CQ_ERR",
	"QP_FATAL",
	"QP_REQ_ERR",
	"QP_ACCESS_ERR",
	"COMM_EST",
	"SQ_DRAINED",
	"PATH_MIG",
	"PATH_MIG_ERR",
	"DEVICE_FATAL",
	"PORT_ACTIVE",
	"PORT_ERR",
	"LID_CHANGE",
	"PKEY_CHANGE",
	"SM_CHANGE",
	"SRQ_ERR",
	"SRQ_LIMIT_REACHED",
	"QP_LAST_WQE_REACHED",
	"CLIENT_REREGISTER",
	"GID_CHANGE",
	"WQ_FATAL",
};

/* enum ib_port_state, as in /sys/class/infiniband/X/ports/N/state. */
static const char *const port_state_names[] = {
	"NOP", "DOWN", "INIT", "ARMED", "ACTIVE", "ACTIVE_DEFER",
};

static const char *const source_names[VFT_SRC_MAX] = {
	[VFT_SRC_FENTRY] = "fentry",	     [VFT_SRC_KPROBE] = "kprobe",
	[VFT_SRC_TRACEPOINT] = "tracepoint", [VFT_SRC_NETLINK] = "netlink",
	[VFT_SRC_INVENTORY] = "inventory",   [VFT_SRC_ENRICH] = "enrich",
	[VFT_SRC_TIMER] = "timer",
};

const char *vft_ib_event__name(uint32_t event)
{
	return event < sizeof(ib_event_names) / sizeof(ib_event_names[0]) ? ib_event_names[event] :
									    NULL;
}

const char *vft_port_state__name(uint32_t state)
{
	return state < sizeof(port_state_names) / sizeof(port_state_names[0]) ?
		       port_state_names[state] :
		       NULL;
}

static const char *const context_names[VFT_CTX_MAX] = {
	[VFT_CTX_SOFTIRQ] = "softirq",
	[VFT_CTX_HARDIRQ] = "hardirq",
};

const char *vft_context__name(uint32_t context)
{
	return context < VFT_CTX_MAX ? context_names[context] : NULL;
}

static const char *const pod_source_names[VFT_POD_SRC_MAX] = {
	[VFT_POD_SRC_CGROUP] = "cgroup",
	[VFT_POD_SRC_RUNTIME] = "runtime",
	[VFT_POD_SRC_CNI] = "cni",
};

const char *vft_pod_source__name(uint32_t source)
{
	return source < VFT_POD_SRC_MAX ? pod_source_names[source] : NULL;
}

const char *vft_pod_label(char *buf, size_t size, const char *ns, const char *name, const char *uid)
{
	if (name && name[0])
		snprintf(buf, size, "%s%s%s", ns && ns[0] ? ns : "", ns && ns[0] ? "/" : "", name);
	else
		snprintf(buf, size, "%s", uid ? uid : "");
	return buf;
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

void vft_copy_name(char *dst, const char *src, size_t size)
{
	size_t n = strnlen(src, size - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

int vft_vf_bdf(const char *pf, unsigned int offset, unsigned int stride, int index, char *out,
	       size_t size)
{
	unsigned int domain, bus, dev, fn, rid;
	char end;

	if (index < 0 || sscanf(pf, "%x:%x:%x.%x%c", &domain, &bus, &dev, &fn, &end) != 4 ||
	    bus > 0xff || dev > 0x1f || fn > 7)
		return -EINVAL;
	/* SR-IOV: VF routing ID = PF routing ID + First VF Offset + index * VF Stride */
	rid = (bus << 8 | dev << 3 | fn) + offset + (unsigned int)index * stride;
	if (rid > 0xffff)
		return -ERANGE;
	snprintf(out, size, "%04x:%02x:%02x.%x", domain, rid >> 8, (rid >> 3) & 0x1f, rid & 7);
	return 0;
}

int vft_event__from_bpf(struct vft_event *ev, const void *data, size_t size,
			const struct vft_clock *clk)
{
	const struct vft_bpf_event *r = data;
	const struct vft_kind_info *k;

	/* a cni record is the header and the run's strings */
	if (size < sizeof(*r) ||
	    size != (r->kind == VFT_EV_CNI ? sizeof(struct vft_bpf_cni) : sizeof(*r)))
		return -EINVAL;
	k = vft_kind__get(r->kind);
	if (!(k->flags & VFT_KIND_BPF) || !r->source || r->source > VFT_SRC_TRACEPOINT)
		return -EINVAL;

	memset(ev, 0, sizeof(*ev));
	ev->kind = r->kind;
	ev->source = r->source;
	ev->ts_ns = vft_clock__wall_ns(clk, r->ts_boot_ns);
	ev->boot_ns = r->ts_boot_ns;
	/*
	 * In interrupt context the current task is whatever ran when the
	 * interrupt came (an address added by SLAAC after a router
	 * advertisement, in softirq): it did not act, so there is no actor.
	 */
	ev->context = r->flags & VFT_F_IN_HARDIRQ ? VFT_CTX_HARDIRQ :
		      r->flags & VFT_F_IN_SOFTIRQ ? VFT_CTX_SOFTIRQ :
						    VFT_CTX_TASK;
	ev->has_actor = ev->context == VFT_CTX_TASK;
	if (ev->has_actor) {
		ev->actor.pid = r->pid;
		ev->actor.tid = r->tid;
		ev->actor.netns = r->actor_netns;
		ev->actor.cgroup_id = r->cgroup_id;
		vft_copy_name(ev->actor.comm, r->comm, sizeof(r->comm));
	}
	vft_copy_name(ev->ifname, r->ifname, sizeof(r->ifname));
	vft_copy_name(ev->parent, r->parent, sizeof(r->parent));
	ev->ifindex = r->ifindex;
	ev->netns = r->netns;
	ev->has_ret = r->flags & VFT_F_HAS_RET;
	ev->ret = r->ret;

	if (k->decode)
		k->decode(ev, r);
	return 0;
}

bool vft_ifname_is_cni_temp(const char *name)
{
	static const char *const prefixes[] = { "temp_", "vfdev", "dev" };
	size_t i, n;

	for (i = 0; i < ARRAY_SIZE(prefixes); i++) {
		n = strlen(prefixes[i]);
		if (strncmp(name, prefixes[i], n) || !name[n])
			continue;
		for (name += n; isdigit((unsigned char)*name); name++)
			;
		return !*name;
	}
	return false;
}
