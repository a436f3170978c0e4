// SPDX-License-Identifier: GPL-2.0-only
/*
 * netlink_source.c - the rtnetlink event source. Link and address
 * notifications of every netns are decoded into normalized events; a table of
 * known devices per (netns, ifindex) tells a registration from the arriving
 * side of a move, a rename or a flag change. The nsid bookkeeping, and what it
 * cannot see, is described in netlink_source.h.
 *
 * How a move looks on the wire: the old netns announces RTM_DELLINK with
 * IFLA_NEW_NETNSID and IFLA_NEW_IFINDEX, then the new one RTM_NEWLINK. The
 * nsid in IFLA_NEW_NETNSID is relative to the OLD netns (the kernel does not
 * translate it per listener), so a move between two other namespaces is
 * resolved by asking, for each netns we know, its nsid as seen from the old
 * one (RTM_GETNSID with NETNSA_TARGET_NSID).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/net_namespace.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include "sources/netlink_source.h"
#include "enrich/sysfs.h"
#include "lib/util.h"

#define NL_BUF_SIZE (64 * 1024) /* above the largest link message without VF info */
#define NL_RCVBUF (8 << 20)	/* the listener's socket buffer, as root */
#define NL_BUCKETS 256
#define NL_MAX_ADDRS 64	     /* per device; beyond, repeated RTM_NEWADDR are not merged */
#define NL_MAX_LIMBO 1024    /* devices waiting to reappear; the oldest ends early */
#define NL_RETRY_MS 10	     /* a /run/netns file not yet mounted: look again after */
#define NL_RETRY_FOR_MS 2000 /* ... for this long after the last inotify event */
#define NL_UNMAPPED_MS 1000  /* an nsid no file explains: walk /proc again at most this often */
#define NL_REQ_TIMEOUT_S 5
#define NL_REQ_SIZE 256	    /* a request we send: header and two attributes */
#define NL_MAX_DGRAMS 10000 /* per netlink_source__process() call */

/* A state key for a netns whose inode is unknown (an nsid no file explains). */
#define NL_KEY_UNKNOWN(nsid) ((uint32_t)(nsid) + 1)

struct nl_addr {
	uint8_t family;
	uint8_t prefixlen;
	uint8_t addr[16];
};

enum nl_limbo {
	NL_LIVE = 0,	/* in the device table */
	NL_TRANSIT = 1, /* moved to a netns not resolved yet: its NEWLINK is no registration */
	NL_ORPHAN = 2,	/* its netns died: a move if it reappears, else an unregister */
};

struct nl_dev {
	struct nl_dev *next;
	uint32_t key; /* netns inode, or NL_KEY_UNKNOWN() */
	uint32_t ino; /* netns inode, 0 if unknown */
	int32_t ifindex;
	uint32_t flags;
	uint32_t gen; /* resync generation */
	char ifname[VFT_NAME_LEN];
	char parent[VFT_DEVNAME_LEN];
	uint8_t mac[32];
	uint8_t mac_len;
	enum nl_limbo limbo;
	uint64_t deadline_ms; /* in limbo: CLOCK_MONOTONIC */
	uint64_t since_ns;    /* in limbo: wall time it went there */
	struct nl_addr *addrs;
	uint32_t naddrs;
	uint32_t addr_cap;
};

struct nl_ns {
	uint32_t ino;
	int32_t nsid; /* in the listener's netns, -1 if none */
	uint32_t gen; /* the scan that last saw it */
	char *path;   /* a file that names it, NULL if none */
};

/* "In netns in_ns, nsid names the netns ino": targets of moves between two other netns. */
struct nl_peer {
	uint32_t in_ns;
	int32_t nsid;
	uint32_t ino;
};

struct nl_unmapped {
	int32_t nsid;
	uint64_t retry_ms;
};

struct netlink_source {
	char *root;
	bool detached;
	struct mnl_socket *ev;
	struct mnl_socket *req;
	int epfd;
	int infd;
	int inwd;	 /* inotify watch on /run/netns, -1 none */
	int inwd_parent; /* on /run while /run/netns does not exist, -1 none */
	int tfd;
	uint32_t seq;
	uint32_t own_ino;
	dev_t nsfs_dev;
	bool have_nsfs_dev;
	bool strict;	  /* the kernel honours target nsids in dumps (4.20+) */
	bool warned_perm; /* said once that other netns stay invisible */

	struct nl_ns *ns;
	size_t nns;
	size_t ns_cap;
	uint32_t ns_gen;
	struct nl_peer *peers;
	size_t npeers;
	size_t peer_cap;
	struct nl_unmapped unmapped[16];
	size_t unmapped_next;

	struct nl_dev *buckets[NL_BUCKETS];
	size_t ndev;
	uint32_t dev_gen;
	struct nl_dev *limbo; /* oldest first */
	size_t nlimbo;

	uint64_t lost;
	bool in_scan;
	bool want_scan;	      /* an nsid was assigned somewhere: walk /run/netns and /proc */
	bool want_resync;     /* an overrun: re-read the device table */
	size_t netns_pending; /* /run/netns files not (yet) mounted */
	uint64_t retry_until_ms;

	char *evbuf;
	char *reqbuf;
};

/* Where events go while one message, dump or expiry is handled. */
struct emitter {
	vft_event_cb cb; /* NULL: update state silently */
	void *ctx;
	uint64_t ts_ns;
	uint32_t source;
	int n;
	int err;
};

struct link_info {
	int32_t ifindex;
	uint32_t flags;
	bool has_name;
	char ifname[VFT_NAME_LEN];
	char parent[VFT_DEVNAME_LEN];
	uint8_t mac[32];
	uint8_t mac_len;
	bool moving;
	int32_t new_nsid;
	int32_t new_ifindex;
};

struct addr_info {
	uint8_t family;
	uint8_t prefixlen;
	int32_t ifindex;
	uint8_t addr[16];
};

enum dump_mode {
	DUMP_SILENT,	/* state only; devices not in the dump are forgotten */
	DUMP_INVENTORY, /* every device and address is an event */
	DUMP_DISCOVER,	/* a netns found at run time: unknown devices are registrations */
};

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static uint64_t wall_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int emit(struct emitter *em, struct vft_event *ev)
{
	int err;

	if (!em || !em->cb || em->err)
		return em ? em->err : 0;
	ev->ts_ns = em->ts_ns;
	ev->source = em->source;
	ev->has_actor = false;
	err = em->cb(em->ctx, ev);
	if (err < 0)
		em->err = err;
	else
		em->n++;
	return em->err;
}

/* ---- decoding: bounded by nlmsg_len, whatever the bytes say ---- */

static void parse_attrs(const struct nlmsghdr *nlh, size_t hdrlen, const struct nlattr **tb,
			unsigned int max)
{
	size_t off = NLMSG_HDRLEN + NLMSG_ALIGN(hdrlen);

	memset(tb, 0, (max + 1) * sizeof(*tb));
	while (off + NLA_HDRLEN <= nlh->nlmsg_len) {
		const struct nlattr *a = (const void *)((const char *)nlh + off);
		unsigned int type = a->nla_type & NLA_TYPE_MASK;

		if (a->nla_len < NLA_HDRLEN || a->nla_len > nlh->nlmsg_len - off)
			break;
		if (type <= max)
			tb[type] = a;
		off += NLA_ALIGN(a->nla_len);
	}
}

static size_t attr_len(const struct nlattr *a)
{
	return a->nla_len - NLA_HDRLEN;
}

static const void *attr_data(const struct nlattr *a)
{
	return (const char *)a + NLA_HDRLEN;
}

static bool attr_s32(const struct nlattr *a, int32_t *v)
{
	if (!a || attr_len(a) < sizeof(*v))
		return false;
	memcpy(v, attr_data(a), sizeof(*v));
	return true;
}

static bool attr_str(const struct nlattr *a, char *dst, size_t size)
{
	size_t n;

	if (!a)
		return false;
	n = strnlen(attr_data(a), attr_len(a));
	if (n >= size)
		n = size - 1;
	memcpy(dst, attr_data(a), n);
	dst[n] = '\0';
	return true;
}

static size_t payload_len(const struct nlmsghdr *nlh)
{
	return nlh->nlmsg_len - NLMSG_HDRLEN;
}

/* Returns 0, or -EINVAL for a message that is short or not a plain (AF_UNSPEC) link message. */
static int parse_link(const char *root, const struct nlmsghdr *nlh, struct link_info *li)
{
	const struct nlattr *tb[IFLA_MAX + 1];
	char bus[32], pci[VFT_DEVNAME_LEN];
	struct ifinfomsg ifm;
	size_t n;

	memset(li, 0, sizeof(*li));
	if (payload_len(nlh) < sizeof(ifm))
		return -EINVAL;
	memcpy(&ifm, NLMSG_DATA(nlh), sizeof(ifm));
	/* AF_BRIDGE messages describe bridge ports, not the device's life. */
	if (ifm.ifi_family != AF_UNSPEC || ifm.ifi_index <= 0)
		return -EINVAL;
	li->ifindex = ifm.ifi_index;
	li->flags = ifm.ifi_flags;
	parse_attrs(nlh, sizeof(ifm), tb, IFLA_MAX);
	li->has_name = attr_str(tb[IFLA_IFNAME], li->ifname, sizeof(li->ifname));
	attr_str(tb[IFLA_PARENT_DEV_NAME], li->parent, sizeof(li->parent));
	/* like the kernel hooks: the closest PCI ancestor (a VF behind virtio, auxiliary) */
	if (li->parent[0] && attr_str(tb[IFLA_PARENT_DEV_BUS_NAME], bus, sizeof(bus)) &&
	    strcmp(bus, "pci") && !vft_sysfs__pci_ancestor(root, bus, li->parent, pci, sizeof(pci)))
		memcpy(li->parent, pci, sizeof(li->parent));
	if (tb[IFLA_ADDRESS]) {
		n = attr_len(tb[IFLA_ADDRESS]);
		if (n > sizeof(li->mac))
			n = sizeof(li->mac);
		memcpy(li->mac, attr_data(tb[IFLA_ADDRESS]), n);
		li->mac_len = n;
	}
	li->moving = attr_s32(tb[IFLA_NEW_NETNSID], &li->new_nsid);
	if (!attr_s32(tb[IFLA_NEW_IFINDEX], &li->new_ifindex) || li->new_ifindex < 0)
		li->new_ifindex = 0;
	return 0;
}

static int parse_addr(const struct nlmsghdr *nlh, struct addr_info *ai)
{
	const struct nlattr *tb[IFA_MAX + 1];
	const struct nlattr *a;
	struct ifaddrmsg ifa;
	size_t alen;

	memset(ai, 0, sizeof(*ai));
	if (payload_len(nlh) < sizeof(ifa))
		return -EINVAL;
	memcpy(&ifa, NLMSG_DATA(nlh), sizeof(ifa));
	if (ifa.ifa_family == AF_INET)
		alen = 4;
	else if (ifa.ifa_family == AF_INET6)
		alen = 16;
	else
		return -EINVAL;
	parse_attrs(nlh, sizeof(ifa), tb, IFA_MAX);
	/* IPv4: IFA_LOCAL is the address (IFA_ADDRESS the peer on point-to-point links). */
	a = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
	if (!a || attr_len(a) < alen || (int32_t)ifa.ifa_index <= 0)
		return -EINVAL;
	ai->family = ifa.ifa_family;
	ai->prefixlen = ifa.ifa_prefixlen;
	ai->ifindex = ifa.ifa_index;
	memcpy(ai->addr, attr_data(a), alen);
	return 0;
}

static int parse_nsid(const struct nlmsghdr *nlh, int32_t *nsid)
{
	const struct nlattr *tb[NETNSA_MAX + 1];

	if (payload_len(nlh) < sizeof(struct rtgenmsg))
		return -EINVAL;
	parse_attrs(nlh, sizeof(struct rtgenmsg), tb, NETNSA_MAX);
	return attr_s32(tb[NETNSA_NSID], nsid) ? 0 : -EINVAL;
}

/* ---- the device table ---- */

static size_t bucket_of(uint32_t key, int32_t ifindex)
{
	return ((key * 2654435761u) ^ (uint32_t)ifindex) % NL_BUCKETS;
}

static struct nl_dev *dev_find(struct netlink_source *src, uint32_t key, int32_t ifindex)
{
	struct nl_dev *d;

	for (d = src->buckets[bucket_of(key, ifindex)]; d; d = d->next)
		if (d->key == key && d->ifindex == ifindex)
			return d;
	return NULL;
}

static void dev_free(struct nl_dev *d)
{
	if (!d)
		return;
	free(d->addrs);
	free(d);
}

static void dev_unlink(struct netlink_source *src, struct nl_dev *dev)
{
	struct nl_dev **pp;

	for (pp = &src->buckets[bucket_of(dev->key, dev->ifindex)]; *pp; pp = &(*pp)->next) {
		if (*pp == dev) {
			*pp = dev->next;
			dev->next = NULL;
			src->ndev--;
			return;
		}
	}
}

/* Inserts @dev, replacing (and freeing) a stale entry with the same key. */
static void dev_insert(struct netlink_source *src, struct nl_dev *dev)
{
	struct nl_dev *old = dev_find(src, dev->key, dev->ifindex);
	size_t b = bucket_of(dev->key, dev->ifindex);

	if (old) {
		dev_unlink(src, old);
		dev_free(old);
	}
	dev->limbo = NL_LIVE;
	dev->gen = src->dev_gen;
	dev->next = src->buckets[b];
	src->buckets[b] = dev;
	src->ndev++;
}

static void dev_update(struct nl_dev *d, const struct link_info *li)
{
	if (li->has_name)
		memcpy(d->ifname, li->ifname, sizeof(d->ifname));
	if (li->parent[0])
		memcpy(d->parent, li->parent, sizeof(d->parent));
	if (li->mac_len) {
		memcpy(d->mac, li->mac, sizeof(d->mac));
		d->mac_len = li->mac_len;
	}
	d->flags = li->flags;
}

static struct nl_dev *dev_new(uint32_t key, uint32_t ino, const struct link_info *li)
{
	struct nl_dev *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	d->key = key;
	d->ino = ino;
	d->ifindex = li->ifindex;
	dev_update(d, li);
	return d;
}

static int addr_find(const struct nl_dev *d, const struct addr_info *ai)
{
	uint32_t i;

	for (i = 0; i < d->naddrs; i++) {
		const struct nl_addr *a = &d->addrs[i];

		if (a->family == ai->family && a->prefixlen == ai->prefixlen &&
		    !memcmp(a->addr, ai->addr, sizeof(a->addr)))
			return i;
	}
	return -1;
}

static void addr_add(struct nl_dev *d, const struct addr_info *ai)
{
	struct nl_addr *a;

	if (addr_find(d, ai) >= 0 || d->naddrs >= NL_MAX_ADDRS)
		return;
	if (d->naddrs == d->addr_cap) {
		uint32_t cap = d->addr_cap ? d->addr_cap * 2 : 4;

		a = realloc(d->addrs, cap * sizeof(*a));
		if (!a)
			return;
		d->addrs = a;
		d->addr_cap = cap;
	}
	a = &d->addrs[d->naddrs++];
	a->family = ai->family;
	a->prefixlen = ai->prefixlen;
	memcpy(a->addr, ai->addr, sizeof(a->addr));
}

static void addr_del(struct nl_dev *d, const struct addr_info *ai)
{
	int i = addr_find(d, ai);

	if (i < 0)
		return;
	d->addrs[i] = d->addrs[--d->naddrs];
}

static void addrs_clear(struct nl_dev *d)
{
	d->naddrs = 0;
}

/* ---- limbo: devices between two namespaces ---- */

/* An event about the device @d, as seen in the netns @ino. */
static void dev_event(const struct nl_dev *d, uint32_t kind, uint32_t ino, struct vft_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->kind = kind;
	memcpy(ev->ifname, d->ifname, sizeof(ev->ifname));
	memcpy(ev->parent, d->parent, sizeof(ev->parent));
	ev->ifindex = d->ifindex;
	ev->netns = ino;
}

/* Takes @dev out of limbo if it is still there; false if something claimed or ended it. */
static bool limbo_take(struct netlink_source *src, struct nl_dev *dev)
{
	struct nl_dev **pp;

	for (pp = &src->limbo; *pp; pp = &(*pp)->next) {
		if (*pp == dev) {
			*pp = dev->next;
			dev->next = NULL;
			src->nlimbo--;
			return true;
		}
	}
	return false;
}

/* Ends the oldest entry in limbo now: an orphan becomes an unregister, a transit is dropped. */
static void limbo_end(struct netlink_source *src, struct nl_dev *d, struct emitter *em)
{
	struct vft_event ev;

	uint64_t ts;

	limbo_take(src, d);
	if (d->limbo == NL_ORPHAN && em) {
		/* It died with its netns: report that time, not the end of the wait. */
		ts = em->ts_ns;
		em->ts_ns = d->since_ns ? d->since_ns : ts;
		dev_event(d, VFT_EV_NETDEV_UNREGISTER, d->ino, &ev);
		emit(em, &ev);
		em->ts_ns = ts;
	}
	dev_free(d);
}

static void limbo_add(struct netlink_source *src, struct nl_dev *dev, enum nl_limbo kind,
		      struct emitter *em)
{
	struct nl_dev **pp;

	while (src->nlimbo >= NL_MAX_LIMBO && src->limbo)
		limbo_end(src, src->limbo, em);
	addrs_clear(dev);
	dev->limbo = kind;
	dev->deadline_ms = mono_ms() + VFT_NL_ORPHAN_MS;
	dev->since_ns = em ? em->ts_ns : 0;
	dev->next = NULL;
	for (pp = &src->limbo; *pp; pp = &(*pp)->next)
		;
	*pp = dev;
	src->nlimbo++;
}

static bool usable_mac(const uint8_t *mac, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (mac[i])
			return true;
	return false;
}

/*
 * The device in limbo that @li (a device new in its netns) is, or NULL:
 * a device in transit with the ifindex the move announced, else the orphan
 * with the same MAC (the same name breaks ties; the name alone where either
 * side has no MAC).
 */
static struct nl_dev *limbo_claim(struct netlink_source *src, const struct link_info *li)
{
	bool li_mac = usable_mac(li->mac, li->mac_len);
	struct nl_dev *d, *best = NULL;
	int best_score = 0;

	for (d = src->limbo; d; d = d->next) {
		bool mac = li_mac && d->mac_len == li->mac_len && usable_mac(d->mac, d->mac_len) &&
			   !memcmp(d->mac, li->mac, li->mac_len);
		bool name = li->has_name && !strcmp(d->ifname, li->ifname);
		int score = 0;

		if (d->limbo == NL_TRANSIT) {
			if ((!d->ifindex || d->ifindex == li->ifindex) && (mac || name))
				score = 4;
		} else if (mac) {
			score = name ? 3 : 2;
		} else if (name && (!li_mac || !usable_mac(d->mac, d->mac_len))) {
			score = 1;
		}
		if (score > best_score) {
			best = d;
			best_score = score;
		}
	}
	if (best)
		limbo_take(src, best);
	return best;
}

int netlink_source__expire(struct netlink_source *src, uint64_t now_ms, vft_event_cb cb, void *ctx)
{
	struct emitter em = { .cb = cb, .ctx = ctx, .ts_ns = wall_ns(), .source = VFT_SRC_NETLINK };

	while (src->limbo && src->limbo->deadline_ms <= now_ms && !em.err)
		limbo_end(src, src->limbo, &em);
	return em.err ? em.err : em.n;
}

/* ---- the netns registry: nsid in the listener's netns -> inode ---- */

static struct nl_ns *ns_find(struct netlink_source *src, uint32_t ino)
{
	size_t i;

	for (i = 0; i < src->nns; i++)
		if (src->ns[i].ino == ino)
			return &src->ns[i];
	return NULL;
}

static uint32_t ns_by_nsid(const struct netlink_source *src, int32_t nsid)
{
	size_t i;

	if (nsid < 0)
		return 0;
	for (i = 0; i < src->nns; i++)
		if (src->ns[i].nsid == nsid)
			return src->ns[i].ino;
	return 0;
}

static struct nl_ns *ns_add(struct netlink_source *src, uint32_t ino)
{
	struct nl_ns *e = ns_find(src, ino);

	if (e)
		return e;
	if (src->nns == src->ns_cap) {
		size_t cap = src->ns_cap ? src->ns_cap * 2 : 16;

		e = realloc(src->ns, cap * sizeof(*e));
		if (!e)
			return NULL;
		src->ns = e;
		src->ns_cap = cap;
	}
	e = &src->ns[src->nns++];
	memset(e, 0, sizeof(*e));
	e->ino = ino;
	e->nsid = -1;
	return e;
}

static void ns_remove(struct netlink_source *src, struct nl_ns *e)
{
	free(e->path);
	*e = src->ns[--src->nns];
}

static void peers_forget(struct netlink_source *src, uint32_t ino)
{
	size_t i = 0;

	while (i < src->npeers) {
		if (src->peers[i].in_ns == ino || src->peers[i].ino == ino)
			src->peers[i] = src->peers[--src->npeers];
		else
			i++;
	}
}

static uint32_t peer_find(const struct netlink_source *src, uint32_t in_ns, int32_t nsid)
{
	size_t i;

	for (i = 0; i < src->npeers; i++)
		if (src->peers[i].in_ns == in_ns && src->peers[i].nsid == nsid)
			return src->peers[i].ino;
	return 0;
}

int netlink_source__map_nsid(struct netlink_source *src, int32_t nsid, uint32_t netns)
{
	struct nl_ns *e;
	size_t i;

	if (nsid < 0 || !netns)
		return -EINVAL;
	for (i = 0; i < src->nns; i++)
		if (src->ns[i].nsid == nsid)
			src->ns[i].nsid = -1;
	e = ns_add(src, netns);
	if (!e)
		return -ENOMEM;
	e->nsid = nsid;
	return 0;
}

int netlink_source__map_peer_nsid(struct netlink_source *src, uint32_t in_netns, int32_t nsid,
				  uint32_t netns)
{
	struct nl_peer *p;
	size_t i;

	if (nsid < 0 || !in_netns || !netns)
		return -EINVAL;
	for (i = 0; i < src->npeers; i++) {
		if (src->peers[i].in_ns == in_netns && src->peers[i].nsid == nsid) {
			src->peers[i].ino = netns;
			return 0;
		}
	}
	if (src->npeers == src->peer_cap) {
		size_t cap = src->peer_cap ? src->peer_cap * 2 : 16;

		p = realloc(src->peers, cap * sizeof(*p));
		if (!p)
			return -ENOMEM;
		src->peers = p;
		src->peer_cap = cap;
	}
	src->peers[src->npeers++] = (struct nl_peer){ in_netns, nsid, netns };
	return 0;
}

/* ---- requests on the request socket ---- */

struct reply {
	int32_t nsid;
	bool got;
};

static int nsid_reply_cb(const struct nlmsghdr *nlh, void *data)
{
	struct reply *r = data;

	if (nlh->nlmsg_type == RTM_NEWNSID && !parse_nsid(nlh, &r->nsid))
		r->got = true;
	return MNL_CB_OK;
}

/*
 * Sends @nlh and hands the replies to @cb until the kernel's ack or the end of
 * the dump. Returns 0 or a negative errno (the kernel's, for a refused request).
 */
static int nl_request(struct netlink_source *src, struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	unsigned int portid = mnl_socket_get_portid(src->req);
	uint32_t seq = ++src->seq;
	ssize_t n;
	int ret;

	nlh->nlmsg_seq = seq;
	if (mnl_socket_sendto(src->req, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		n = mnl_socket_recvfrom(src->req, src->reqbuf, NL_BUF_SIZE);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return errno == EAGAIN ? -ETIMEDOUT : -errno;
		}
		/* Leftovers of an earlier, abandoned request: skip them. */
		if (n >= (ssize_t)NLMSG_HDRLEN &&
		    ((struct nlmsghdr *)src->reqbuf)->nlmsg_seq != seq)
			continue;
		ret = mnl_cb_run(src->reqbuf, n, seq, portid, cb, data);
		if (ret == MNL_CB_STOP)
			return 0;
		if (ret < 0)
			return -errno;
	}
}

static struct nlmsghdr *nsid_msg(char *buf, uint16_t type, int fd, int32_t target)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct rtgenmsg *g;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->rtgen_family = AF_UNSPEC;
	mnl_attr_put_u32(nlh, NETNSA_FD, fd);
	if (target >= 0)
		mnl_attr_put_u32(nlh, NETNSA_TARGET_NSID, target);
	return nlh;
}

/* The nsid of the netns @fd as seen from the netns @target (-1: ours); -1 if it has none. */
static int get_nsid(struct netlink_source *src, int fd, int32_t target, int32_t *nsid)
{
	char buf[NL_REQ_SIZE] __attribute__((aligned(4)));
	struct reply r = { -1, false };
	int err;

	err = nl_request(src, nsid_msg(buf, RTM_GETNSID, fd, target), nsid_reply_cb, &r);
	if (err)
		return err;
	*nsid = r.got ? r.nsid : -1;
	return 0;
}

/* Gives the netns @fd an nsid in ours, chosen by the kernel (`ip netns set NAME auto`). */
static int set_nsid(struct netlink_source *src, int fd)
{
	char buf[NL_REQ_SIZE] __attribute__((aligned(4)));
	struct nlmsghdr *nlh = nsid_msg(buf, RTM_NEWNSID, fd, -1);

	mnl_attr_put_u32(nlh, NETNSA_NSID, (uint32_t)-1);
	return nl_request(src, nlh, NULL, NULL);
}

/* Opens @path if it is the netns @ino (0: any netns). Returns the fd or a negative errno. */
static int open_ns(struct netlink_source *src, const char *path, uint32_t ino)
{
	struct stat st;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) || (src->have_nsfs_dev && st.st_dev != src->nsfs_dev) ||
	    (ino && st.st_ino != ino)) {
		close(fd);
		return -ENOENT;
	}
	return fd;
}

/* The nsid of the netns @path in ours, assigning one first if @assign. */
static int ensure_nsid(struct netlink_source *src, const char *path, uint32_t ino, bool assign,
		       int32_t *nsid)
{
	int fd, err;

	fd = open_ns(src, path, ino);
	if (fd < 0)
		return fd;
	err = get_nsid(src, fd, -1, nsid);
	if (!err && *nsid < 0 && assign) {
		err = set_nsid(src, fd);
		if (err == -EEXIST) /* someone else was faster */
			err = 0;
		if (!err)
			err = get_nsid(src, fd, -1, nsid);
	}
	close(fd);
	return err;
}

static void dump_netns(struct netlink_source *src, uint32_t ino, int32_t nsid, enum dump_mode mode,
		       struct emitter *em);

/*
 * Records that the file @path names the netns @ino and gives it an nsid. A
 * netns that gets its first nsid here while running (@em set) is dumped: its
 * devices nobody announced to us become registrations.
 */
static void ns_learn(struct netlink_source *src, uint32_t ino, const char *path, struct emitter *em)
{
	struct nl_ns *e = ns_add(src, ino);
	int32_t nsid = -1;
	int err;

	if (!e)
		return;
	if (e->gen != src->ns_gen || !e->path) {
		free(e->path);
		e->path = strdup(path);
		e->gen = src->ns_gen;
	}
	if (e->nsid >= 0)
		return;
	err = ensure_nsid(src, path, ino, ino != src->own_ino, &nsid);
	if (err == -EPERM && !src->warned_perm) {
		src->warned_perm = true;
		vft_warn("cannot give netns %s an nsid: %s; events of other network namespaces "
			 "stay invisible unless vftrace runs with CAP_NET_ADMIN\n",
			 path, strerror(-err));
	}
	if (err) {
		vft_debug("cannot give netns %u (%s) an nsid: %s\n", ino, path, strerror(-err));
		return;
	}
	if (nsid < 0)
		return;
	/* ensure_nsid() ran requests; the table may have moved. */
	e = ns_find(src, ino);
	if (!e)
		return;
	e->nsid = nsid;
	vft_debug("netns %u (%s) has nsid %d\n", ino, path, nsid);
	if (em && ino != src->own_ino)
		dump_netns(src, ino, nsid, DUMP_DISCOVER, em);
}

static void watch_run_netns(struct netlink_source *src)
{
	char path[PATH_MAX];

	if (src->infd < 0 || src->inwd >= 0)
		return;
	if (vft_path(path, sizeof(path), src->root, "/run/netns"))
		return;
	src->inwd = inotify_add_watch(src->infd, path,
				      IN_CREATE | IN_MOVED_TO | IN_DELETE | IN_ONLYDIR);
	if (src->inwd >= 0) {
		if (src->inwd_parent >= 0)
			inotify_rm_watch(src->infd, src->inwd_parent);
		src->inwd_parent = -1;
		return;
	}
	/* No /run/netns yet: wait for the first `ip netns add` to create it. */
	if (src->inwd_parent < 0 && !vft_path(path, sizeof(path), src->root, "/run"))
		src->inwd_parent = inotify_add_watch(src->infd, path, IN_CREATE | IN_ONLYDIR);
}

static void scan_run_netns(struct netlink_source *src, struct emitter *em)
{
	char dir[PATH_MAX], path[PATH_MAX];
	struct dirent *de;
	struct stat st;
	DIR *d;

	watch_run_netns(src);
	src->netns_pending = 0;
	if (vft_path(dir, sizeof(dir), src->root, "/run/netns"))
		return;
	d = opendir(dir);
	if (!d)
		return;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >= (int)sizeof(path))
			continue;
		if (stat(path, &st))
			continue;
		/* `ip netns add` creates the file, then bind-mounts the netns on it. */
		if (st.st_dev != src->nsfs_dev) {
			src->netns_pending++;
			continue;
		}
		ns_learn(src, st.st_ino, path, em);
	}
	closedir(d);
}

static void scan_proc(struct netlink_source *src, struct emitter *em)
{
	char dir[PATH_MAX], path[PATH_MAX];
	struct dirent *de;
	struct nl_ns *e;
	struct stat st;
	DIR *d;

	if (vft_path(dir, sizeof(dir), src->root, "/proc"))
		return;
	d = opendir(dir);
	if (!d)
		return;
	while ((de = readdir(d))) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		if (snprintf(path, sizeof(path), "%s/%s/ns/net", dir, de->d_name) >=
		    (int)sizeof(path))
			continue;
		if (stat(path, &st) || st.st_dev != src->nsfs_dev)
			continue;
		e = ns_find(src, st.st_ino);
		if (e && e->gen == src->ns_gen && e->nsid >= 0)
			continue;
		ns_learn(src, st.st_ino, path, em);
	}
	closedir(d);
}

/*
 * Looks for netns files (/run/netns, and /proc if @with_proc) and gives every
 * netns found an nsid. @em: where discovered devices go, NULL at start.
 */
static void scan(struct netlink_source *src, bool with_proc, struct emitter *em)
{
	size_t i;

	if (src->detached || src->in_scan)
		return;
	src->in_scan = true;
	src->ns_gen++;
	ns_learn(src, src->own_ino, "/proc/self/ns/net", em);
	scan_run_netns(src, em);
	if (with_proc) {
		scan_proc(src, em);
		/* A netns no file names any more, and without an nsid, is gone or unreachable. */
		for (i = 0; i < src->nns;) {
			if (src->ns[i].gen != src->ns_gen && src->ns[i].nsid < 0)
				ns_remove(src, &src->ns[i]);
			else
				i++;
		}
	}
	src->in_scan = false;
}

/* Whether an nsid that no known file explains deserves another walk of /proc now. */
static bool may_scan_for(struct netlink_source *src, int32_t nsid)
{
	uint64_t now = mono_ms();
	size_t i;

	for (i = 0; i < ARRAY_SIZE(src->unmapped); i++) {
		if (src->unmapped[i].nsid == nsid && src->unmapped[i].retry_ms) {
			if (now < src->unmapped[i].retry_ms)
				return false;
			src->unmapped[i].retry_ms = now + NL_UNMAPPED_MS;
			return true;
		}
	}
	i = src->unmapped_next++ % ARRAY_SIZE(src->unmapped);
	src->unmapped[i].nsid = nsid;
	src->unmapped[i].retry_ms = now + NL_UNMAPPED_MS;
	return true;
}

/* The inode of the netns whose messages carry @nsid (-1: ours); 0 if unknown. */
static uint32_t netns_of(struct netlink_source *src, int32_t nsid, struct emitter *em)
{
	uint32_t ino;

	if (nsid < 0)
		return src->own_ino;
	ino = ns_by_nsid(src, nsid);
	if (!ino && !src->detached && may_scan_for(src, nsid)) {
		scan(src, true, em);
		ino = ns_by_nsid(src, nsid);
	}
	if (!ino)
		vft_debug("no netns file for nsid %d: its events have netns 0\n", nsid);
	return ino;
}

/* Which known netns has the nsid @want inside the netns that has @in_nsid in ours. */
static uint32_t query_peer(struct netlink_source *src, int32_t in_nsid, int32_t want)
{
	char path[PATH_MAX];
	uint32_t ino, found = 0;
	int32_t id;
	size_t i;
	int fd;

	/* Most moves between two other namespaces go back to ours: ask that first. */
	for (i = 0; i <= src->nns && !found; i++) {
		if (i == 0) {
			ino = src->own_ino;
			snprintf(path, sizeof(path), "/proc/self/ns/net");
		} else {
			if (src->ns[i - 1].ino == src->own_ino || !src->ns[i - 1].path)
				continue;
			ino = src->ns[i - 1].ino;
			snprintf(path, sizeof(path), "%s", src->ns[i - 1].path);
		}
		fd = open_ns(src, path, ino);
		if (fd < 0)
			continue;
		if (!get_nsid(src, fd, in_nsid, &id) && id == want)
			found = ino;
		close(fd);
	}
	return found;
}

/* The inode of the netns that @nsid names inside the netns @in_ino (@in_nsid in ours). */
static uint32_t resolve_target(struct netlink_source *src, uint32_t in_ino, int32_t in_nsid,
			       int32_t nsid, struct emitter *em)
{
	uint32_t ino;

	if (in_ino == src->own_ino) {
		ino = ns_by_nsid(src, nsid);
		if (!ino && !src->detached) {
			scan(src, true, em);
			ino = ns_by_nsid(src, nsid);
		}
		return ino;
	}
	if (!in_ino)
		return 0;
	ino = peer_find(src, in_ino, nsid);
	if (ino || src->detached || in_nsid < 0)
		return ino;
	ino = query_peer(src, in_nsid, nsid);
	if (!ino) {
		scan(src, true, em);
		ino = query_peer(src, in_nsid, nsid);
	}
	if (ino)
		netlink_source__map_peer_nsid(src, in_ino, nsid, ino);
	return ino;
}

/* ---- messages ---- */

/* A device this netns did not have: a move's arrival, a destroyed netns's device, or new. */
static void on_new_device(struct netlink_source *src, uint32_t key, uint32_t ino,
			  const struct link_info *li, struct emitter *em)
{
	struct nl_dev *d = limbo_claim(src, li);
	struct vft_event ev;

	if (!d) {
		d = dev_new(key, ino, li);
		if (!d)
			return;
		dev_event(d, VFT_EV_NETDEV_REGISTER, ino, &ev);
		ev.has_ret = true;
		dev_insert(src, d);
		emit(em, &ev);
		return;
	}
	if (d->limbo == NL_ORPHAN) {
		/* Its netns died and the kernel gave it back to this one. */
		dev_event(d, VFT_EV_NETNS_MOVE, ino, &ev);
		ev.from_netns = d->ino;
		ev.to_netns = ino;
		ev.new_ifindex = li->ifindex;
		if (li->has_name && strcmp(li->ifname, d->ifname))
			memcpy(ev.new_ifname, li->ifname, sizeof(ev.new_ifname));
		ev.has_ret = true;
		emit(em, &ev);
	} else if (li->has_name && strcmp(li->ifname, d->ifname)) {
		/* Renamed on arrival: the target had a device of that name. */
		dev_event(d, VFT_EV_NETDEV_RENAME, ino, &ev);
		ev.ifindex = li->ifindex;
		memcpy(ev.new_ifname, li->ifname, sizeof(ev.new_ifname));
		ev.has_ret = true;
		emit(em, &ev);
	}
	if (li->flags != d->flags) {
		dev_event(d, VFT_EV_LINK_CHANGE, ino, &ev);
		ev.ifindex = li->ifindex;
		if (li->has_name)
			memcpy(ev.ifname, li->ifname, sizeof(ev.ifname));
		ev.flags = li->flags;
		ev.old_flags = d->flags;
		emit(em, &ev);
	}
	d->key = key;
	d->ino = ino;
	d->ifindex = li->ifindex;
	dev_update(d, li);
	dev_insert(src, d);
}

static void on_change(struct netlink_source *src, struct nl_dev *d, const struct link_info *li,
		      struct emitter *em)
{
	struct vft_event ev;

	if (li->has_name && strcmp(li->ifname, d->ifname)) {
		dev_event(d, VFT_EV_NETDEV_RENAME, d->ino, &ev);
		memcpy(ev.new_ifname, li->ifname, sizeof(ev.new_ifname));
		ev.has_ret = true;
		memcpy(d->ifname, li->ifname, sizeof(d->ifname));
		emit(em, &ev);
	}
	if (li->flags != d->flags) {
		dev_event(d, VFT_EV_LINK_CHANGE, d->ino, &ev);
		ev.flags = li->flags;
		ev.old_flags = d->flags;
		emit(em, &ev);
	}
	dev_update(d, li);
}

static void on_move(struct netlink_source *src, uint32_t key, uint32_t ino, int32_t nsid,
		    const struct link_info *li, struct emitter *em)
{
	struct nl_dev *d = dev_find(src, key, li->ifindex);
	struct vft_event ev;
	uint32_t to;

	if (d)
		dev_unlink(src, d);
	else
		d = dev_new(key, ino, li);
	if (!d)
		return;
	dev_update(d, li);
	dev_event(d, VFT_EV_NETNS_MOVE, 0, &ev);
	ev.from_netns = ino;
	ev.new_ifindex = li->new_ifindex;
	ev.has_ret = true;

	/*
	 * In transit while the target is resolved: resolving may discover the
	 * target netns, whose dump must see an arrival here, not a new device.
	 */
	d->key = 0;
	d->ino = 0;
	d->ifindex = li->new_ifindex;
	limbo_add(src, d, NL_TRANSIT, em);
	to = resolve_target(src, ino, nsid, li->new_nsid, em);
	if (to && li->new_ifindex && limbo_take(src, d)) {
		d->key = to;
		d->ino = to;
		dev_insert(src, d);
	}
	ev.to_netns = to;
	ev.netns = to;
	if (!to)
		vft_debug("%s moved to nsid %d of netns %u: no netns file found for it\n",
			  ev.ifname, li->new_nsid, ino);
	emit(em, &ev);
}

static void on_link(struct netlink_source *src, const struct nlmsghdr *nlh, int32_t nsid,
		    struct emitter *em)
{
	struct link_info li;
	struct vft_event ev;
	struct nl_dev *d;
	uint32_t ino, key;

	if (parse_link(src->root, nlh, &li))
		return;
	ino = netns_of(src, nsid, em);
	key = ino ? ino : NL_KEY_UNKNOWN(nsid);
	if (nlh->nlmsg_type == RTM_NEWLINK) {
		d = dev_find(src, key, li.ifindex);
		if (d)
			on_change(src, d, &li, em);
		else
			on_new_device(src, key, ino, &li, em);
		return;
	}
	if (li.moving) {
		on_move(src, key, ino, nsid, &li, em);
		return;
	}
	d = dev_find(src, key, li.ifindex);
	memset(&ev, 0, sizeof(ev));
	ev.kind = VFT_EV_NETDEV_UNREGISTER;
	ev.ifindex = li.ifindex;
	ev.netns = ino;
	if (li.has_name)
		memcpy(ev.ifname, li.ifname, sizeof(ev.ifname));
	else if (d)
		memcpy(ev.ifname, d->ifname, sizeof(ev.ifname));
	if (li.parent[0])
		memcpy(ev.parent, li.parent, sizeof(ev.parent));
	else if (d)
		memcpy(ev.parent, d->parent, sizeof(ev.parent));
	if (d) {
		dev_unlink(src, d);
		dev_free(d);
	}
	emit(em, &ev);
}

static void addr_event(const struct addr_info *ai, const struct nl_dev *d, uint32_t kind,
		       uint32_t ino, struct vft_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->kind = kind;
	ev->ifindex = ai->ifindex;
	ev->netns = ino;
	ev->family = ai->family;
	ev->prefixlen = ai->prefixlen;
	memcpy(ev->addr, ai->addr, sizeof(ev->addr));
	if (d) {
		memcpy(ev->ifname, d->ifname, sizeof(ev->ifname));
		memcpy(ev->parent, d->parent, sizeof(ev->parent));
	}
}

static void on_addr(struct netlink_source *src, const struct nlmsghdr *nlh, int32_t nsid,
		    struct emitter *em)
{
	struct addr_info ai;
	struct vft_event ev;
	struct nl_dev *d;
	uint32_t ino;

	if (parse_addr(nlh, &ai))
		return;
	ino = netns_of(src, nsid, em);
	d = dev_find(src, ino ? ino : NL_KEY_UNKNOWN(nsid), ai.ifindex);
	if (nlh->nlmsg_type == RTM_NEWADDR) {
		/* IPv6 announces an address again as its state changes (DAD). */
		if (d && addr_find(d, &ai) >= 0)
			return;
		addr_event(&ai, d, VFT_EV_ADDR_ADD, ino, &ev);
		if (d)
			addr_add(d, &ai);
	} else {
		addr_event(&ai, d, VFT_EV_ADDR_DEL, ino, &ev);
		if (d)
			addr_del(d, &ai);
	}
	emit(em, &ev);
}

/* The devices of a dying netns go to limbo: see netlink_source.h. */
static void orphan_netns(struct netlink_source *src, uint32_t key, struct emitter *em)
{
	struct nl_dev *d, *next;
	size_t b;

	for (b = 0; b < NL_BUCKETS; b++) {
		for (d = src->buckets[b]; d; d = next) {
			next = d->next;
			if (d->key != key)
				continue;
			dev_unlink(src, d);
			limbo_add(src, d, NL_ORPHAN, em);
		}
	}
}

static void on_nsid(struct netlink_source *src, const struct nlmsghdr *nlh, int32_t nsid,
		    struct emitter *em)
{
	uint32_t from = nsid < 0 ? src->own_ino : ns_by_nsid(src, nsid);
	struct nl_ns *e;
	uint32_t ino;
	int32_t id;

	if (parse_nsid(nlh, &id))
		return;
	if (from != src->own_ino) {
		/* Another netns's table changed: our answers about it may be stale. */
		if (from)
			peers_forget(src, from);
		if (nlh->nlmsg_type == RTM_NEWNSID)
			src->want_scan = true;
		return;
	}
	if (nlh->nlmsg_type == RTM_NEWNSID) {
		if (!ns_by_nsid(src, id))
			src->want_scan = true;
		return;
	}
	/*
	 * The kernel removes a dying netns's nsid before it destroys or
	 * returns its devices: their RTM_DELLINK will not reach us.
	 */
	ino = ns_by_nsid(src, id);
	if (ino) {
		e = ns_find(src, ino);
		if (e)
			ns_remove(src, e);
		peers_forget(src, ino);
	}
	orphan_netns(src, ino ? ino : NL_KEY_UNKNOWN(id), em);
}

static void feed_one(struct netlink_source *src, const struct nlmsghdr *nlh, int32_t nsid,
		     struct emitter *em)
{
	if (nlh->nlmsg_len < NLMSG_HDRLEN)
		return;
	switch (nlh->nlmsg_type) {
	case RTM_NEWLINK:
	case RTM_DELLINK:
		on_link(src, nlh, nsid, em);
		break;
	case RTM_NEWADDR:
	case RTM_DELADDR:
		on_addr(src, nlh, nsid, em);
		break;
	case RTM_NEWNSID:
	case RTM_DELNSID:
		on_nsid(src, nlh, nsid, em);
		break;
	default:
		break;
	}
}

int netlink_source__feed(struct netlink_source *src, const struct nlmsghdr *nlh, int32_t nsid,
			 uint64_t ts_ns, vft_event_cb cb, void *ctx)
{
	struct emitter em = { .cb = cb, .ctx = ctx, .ts_ns = ts_ns, .source = VFT_SRC_NETLINK };

	feed_one(src, nlh, nsid, &em);
	return em.err ? em.err : em.n;
}

/* Returns the number of messages handed to feed_one(). */
static int feed_buf(struct netlink_source *src, const void *buf, size_t len, int32_t nsid,
		    struct emitter *em)
{
	const char *p = buf;
	const struct nlmsghdr *nlh;
	size_t step;
	int n = 0;

	/* Like mnl_nlmsg_ok(), without trusting a length above INT_MAX. */
	while (len >= NLMSG_HDRLEN && !em->err) {
		nlh = (const struct nlmsghdr *)p;
		if (nlh->nlmsg_len < NLMSG_HDRLEN || nlh->nlmsg_len > len)
			break;
		feed_one(src, nlh, nsid, em);
		n++;
		step = NLMSG_ALIGN(nlh->nlmsg_len);
		if (step >= len)
			break;
		p += step;
		len -= step;
	}
	return n;
}

int netlink_source__feed_buf(struct netlink_source *src, const void *buf, size_t len, int32_t nsid,
			     uint64_t ts_ns, vft_event_cb cb, void *ctx)
{
	struct emitter em = { .cb = cb, .ctx = ctx, .ts_ns = ts_ns, .source = VFT_SRC_NETLINK };

	feed_buf(src, buf, len, nsid, &em);
	return em.err ? em.err : em.n;
}

/* ---- dumps ---- */

struct dump_ctx {
	struct netlink_source *src;
	uint32_t ino;
	enum dump_mode mode;
	struct emitter *em;
};

static void dump_link(struct dump_ctx *dc, const struct nlmsghdr *nlh)
{
	struct netlink_source *src = dc->src;
	struct link_info li;
	struct vft_event ev;
	struct nl_dev *d;

	if (parse_link(src->root, nlh, &li))
		return;
	d = dev_find(src, dc->ino, li.ifindex);
	if (!d && dc->mode == DUMP_DISCOVER) {
		on_new_device(src, dc->ino, dc->ino, &li, dc->em);
		return;
	}
	if (!d) {
		d = dev_new(dc->ino, dc->ino, &li);
		if (!d)
			return;
		dev_insert(src, d);
	} else {
		dev_update(d, &li);
		d->gen = src->dev_gen;
	}
	if (dc->mode == DUMP_INVENTORY) {
		dev_event(d, VFT_EV_NETDEV_REGISTER, dc->ino, &ev);
		ev.flags = d->flags;
		emit(dc->em, &ev);
	}
}

static void dump_addr(struct dump_ctx *dc, const struct nlmsghdr *nlh)
{
	struct addr_info ai;
	struct vft_event ev;
	struct nl_dev *d;

	if (parse_addr(nlh, &ai))
		return;
	d = dev_find(dc->src, dc->ino, ai.ifindex);
	if (d)
		addr_add(d, &ai);
	if (dc->mode == DUMP_INVENTORY) {
		addr_event(&ai, d, VFT_EV_ADDR_ADD, dc->ino, &ev);
		emit(dc->em, &ev);
	}
}

static int dump_cb(const struct nlmsghdr *nlh, void *data)
{
	struct dump_ctx *dc = data;

	if (nlh->nlmsg_type == RTM_NEWLINK)
		dump_link(dc, nlh);
	else if (nlh->nlmsg_type == RTM_NEWADDR)
		dump_addr(dc, nlh);
	/* An error from the consumer stops emission, not the reading of the dump. */
	return MNL_CB_OK;
}

static int dump_links(struct netlink_source *src, int32_t target, struct dump_ctx *dc)
{
	char buf[NL_REQ_SIZE] __attribute__((aligned(4)));
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifm;

	nlh->nlmsg_type = RTM_GETLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_family = AF_UNSPEC;
	mnl_attr_put_u32(nlh, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	if (target >= 0)
		mnl_attr_put_u32(nlh, IFLA_TARGET_NETNSID, target);
	return nl_request(src, nlh, dump_cb, dc);
}

static int dump_addrs(struct netlink_source *src, int32_t target, uint8_t family,
		      struct dump_ctx *dc)
{
	char buf[NL_REQ_SIZE] __attribute__((aligned(4)));
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifaddrmsg *ifa;

	nlh->nlmsg_type = RTM_GETADDR;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = family;
	if (target >= 0)
		mnl_attr_put_u32(nlh, IFA_TARGET_NETNSID, target);
	return nl_request(src, nlh, dump_cb, dc);
}

/* Reads the devices and addresses of one netns (ours, or the one with @nsid in ours). */
static void dump_netns(struct netlink_source *src, uint32_t ino, int32_t nsid, enum dump_mode mode,
		       struct emitter *em)
{
	struct dump_ctx dc = { src, ino, mode, em };
	int32_t target = ino == src->own_ino ? -1 : nsid;
	struct nl_dev *d, *next;
	size_t b;
	int err;

	if (ino != src->own_ino && (nsid < 0 || !src->strict))
		return;
	src->dev_gen++;
	err = dump_links(src, target, &dc);
	if (err) {
		vft_debug("cannot list the devices of netns %u: %s\n", ino, strerror(-err));
		return;
	}
	for (b = 0; b < NL_BUCKETS; b++) {
		for (d = src->buckets[b]; d; d = next) {
			next = d->next;
			if (d->key != ino)
				continue;
			if (mode == DUMP_SILENT && d->gen != src->dev_gen) {
				dev_unlink(src, d);
				dev_free(d);
				continue;
			}
			addrs_clear(d);
		}
	}
	/* Without IPv6 the second dump fails; the first one still counts. */
	dump_addrs(src, target, AF_INET, &dc);
	dump_addrs(src, target, AF_INET6, &dc);
}

/* Dumps every netns with an nsid (and ours). */
static void dump_all(struct netlink_source *src, enum dump_mode mode, struct emitter *em)
{
	struct nl_ns *copy;
	size_t i, n = src->nns;

	/* dump_netns() may change the table (discovery); walk a copy. */
	copy = malloc((n ? n : 1) * sizeof(*copy));
	if (!copy)
		return;
	memcpy(copy, src->ns, n * sizeof(*copy));
	dump_netns(src, src->own_ino, -1, mode, em);
	for (i = 0; i < n && !(em && em->err); i++)
		if (copy[i].ino != src->own_ino && copy[i].nsid >= 0)
			dump_netns(src, copy[i].ino, copy[i].nsid, mode, em);
	free(copy);
}

/* ---- the object ---- */

static struct netlink_source *alloc_source(void)
{
	struct netlink_source *src = calloc(1, sizeof(*src));

	if (!src)
		return NULL;
	src->epfd = -1;
	src->infd = -1;
	src->inwd = -1;
	src->inwd_parent = -1;
	src->tfd = -1;
	src->dev_gen = 1;
	return src;
}

int netlink_source__new_detached(uint32_t own_netns, struct netlink_source **out)
{
	struct netlink_source *src = alloc_source();

	*out = NULL;
	if (!src)
		return -ENOMEM;
	src->detached = true;
	src->own_ino = own_netns;
	*out = src;
	return 0;
}

static int setsockopt_int(struct mnl_socket *nl, int opt, int val)
{
	return mnl_socket_setsockopt(nl, opt, &val, sizeof(val)) ? -errno : 0;
}

static int open_listener(struct netlink_source *src)
{
	static const int groups[] = { RTNLGRP_LINK, RTNLGRP_IPV4_IFADDR, RTNLGRP_IPV6_IFADDR,
				      RTNLGRP_NSID };
	int fd, val = NL_RCVBUF, err = 0;
	size_t i;

	src->ev = mnl_socket_open2(NETLINK_ROUTE, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (!src->ev || mnl_socket_bind(src->ev, 0, MNL_SOCKET_AUTOPID)) {
		err = -errno;
		vft_warn("cannot open an rtnetlink socket: %s\n", strerror(-err));
		goto out;
	}
	for (i = 0; i < ARRAY_SIZE(groups); i++) {
		err = setsockopt_int(src->ev, NETLINK_ADD_MEMBERSHIP, groups[i]);
		if (err) {
			vft_warn("cannot join rtnetlink group %d: %s\n", groups[i], strerror(-err));
			goto out;
		}
	}
	/* Without it we still see our own netns: say what is missing and go on. */
	err = setsockopt_int(src->ev, NETLINK_LISTEN_ALL_NSID, 1);
	if (err == -EPERM || err == -EACCES)
		vft_warn("cannot listen to other network namespaces: %s; run vftrace as root "
			 "(CAP_NET_BROADCAST): only this netns is watched\n",
			 strerror(-err));
	else if (err)
		vft_warn("cannot listen to other network namespaces (NETLINK_LISTEN_ALL_NSID): "
			 "%s; it needs Linux 4.6 or later: only this netns is watched\n",
			 strerror(-err));
	err = 0;
	fd = mnl_socket_get_fd(src->ev);
	/* A burst (a host starting many pods) must not overrun the listener. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &val, sizeof(val)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &val, sizeof(val));
out:
	return err;
}

static int open_requester(struct netlink_source *src)
{
	struct timeval tv = { NL_REQ_TIMEOUT_S, 0 };
	int err = 0;

	src->req = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!src->req || mnl_socket_bind(src->req, 0, MNL_SOCKET_AUTOPID)) {
		err = -errno;
		vft_warn("cannot open an rtnetlink socket: %s\n", strerror(-err));
		goto out;
	}
	/*
	 * Strict checking makes dumps honour IFLA/IFA_TARGET_NETNSID (Linux
	 * 4.20+); without it an address dump would list our own netns instead.
	 */
	src->strict = !setsockopt_int(src->req, NETLINK_GET_STRICT_CHK, 1);
	if (!src->strict)
		vft_warn("this kernel cannot list the devices of other network namespaces "
			 "(no NETLINK_GET_STRICT_CHK, Linux < 4.20): the inventory covers this "
			 "netns only\n");
	setsockopt(mnl_socket_get_fd(src->req), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
out:
	return err;
}

static int open_pollers(struct netlink_source *src)
{
	struct epoll_event ev = { .events = EPOLLIN };
	int err = 0;

	src->epfd = epoll_create1(EPOLL_CLOEXEC);
	src->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (src->epfd < 0 || src->tfd < 0) {
		err = -errno;
		vft_warn("cannot create the netlink source's poll set: %s\n", strerror(-err));
		goto out;
	}
	/* Without inotify, new netns are still found through nsid notifications. */
	src->infd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (src->infd < 0)
		vft_debug("no inotify (%s): /run/netns is not watched\n", strerror(errno));
	ev.data.fd = mnl_socket_get_fd(src->ev);
	if (epoll_ctl(src->epfd, EPOLL_CTL_ADD, ev.data.fd, &ev))
		goto fail;
	ev.data.fd = src->tfd;
	if (epoll_ctl(src->epfd, EPOLL_CTL_ADD, ev.data.fd, &ev))
		goto fail;
	ev.data.fd = src->infd;
	if (src->infd >= 0 && epoll_ctl(src->epfd, EPOLL_CTL_ADD, ev.data.fd, &ev))
		goto fail;
	goto out;
fail:
	err = -errno;
	vft_warn("cannot build the netlink source's poll set: %s\n", strerror(-err));
out:
	return err;
}

int netlink_source__new(const struct netlink_source_opts *opts, struct netlink_source **out)
{
	struct netlink_source *src = alloc_source();
	struct stat st;
	int err;

	*out = NULL;
	if (!src)
		return -ENOMEM;
	if (opts && opts->root && opts->root[0])
		src->root = strdup(opts->root);
	src->evbuf = malloc(NL_BUF_SIZE);
	src->reqbuf = malloc(NL_BUF_SIZE);
	if ((opts && opts->root && opts->root[0] && !src->root) || !src->evbuf || !src->reqbuf) {
		err = -ENOMEM;
		goto fail;
	}
	if (stat("/proc/self/ns/net", &st)) {
		err = -errno;
		vft_warn("cannot read /proc/self/ns/net: %s; is /proc mounted?\n", strerror(-err));
		goto fail;
	}
	src->own_ino = st.st_ino;
	src->nsfs_dev = st.st_dev;
	src->have_nsfs_dev = true;

	err = open_listener(src);
	if (err)
		goto fail;
	err = open_requester(src);
	if (err)
		goto fail;
	err = open_pollers(src);
	if (err)
		goto fail;

	scan(src, true, NULL);
	dump_all(src, DUMP_SILENT, NULL);
	*out = src;
	return 0;
fail:
	netlink_source__free(src);
	return err;
}

int netlink_source__fd(const struct netlink_source *src)
{
	return src->epfd;
}

int netlink_source__inventory(struct netlink_source *src, vft_event_cb cb, void *ctx)
{
	struct emitter em = {
		.cb = cb, .ctx = ctx, .ts_ns = wall_ns(), .source = VFT_SRC_INVENTORY
	};

	if (src->detached)
		return 0;
	/* Namespaces that appeared since: their devices are reported below. */
	scan(src, true, NULL);
	dump_all(src, DUMP_INVENTORY, &em);
	return em.err ? em.err : em.n;
}

static void drain_inotify(struct netlink_source *src)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	const struct inotify_event *ie;
	ssize_t n;
	char *p;

	for (;;) {
		n = read(src->infd, buf, sizeof(buf));
		if (n <= 0)
			break;
		for (p = buf; p < buf + n; p += sizeof(*ie) + ie->len) {
			ie = (const struct inotify_event *)p;
			if (ie->wd == src->inwd && (ie->mask & IN_IGNORED))
				src->inwd = -1; /* /run/netns went away */
			if (ie->wd == src->inwd_parent && (ie->mask & IN_IGNORED))
				src->inwd_parent = -1;
		}
	}
	src->retry_until_ms = mono_ms() + NL_RETRY_FOR_MS;
}

/* Arms the timer for the next orphan deadline or /run/netns retry; disarms it if none. */
static void arm_timer(struct netlink_source *src)
{
	struct itimerspec its = { 0 };
	uint64_t now = mono_ms(), next = UINT64_MAX;

	if (src->limbo)
		next = src->limbo->deadline_ms;
	if (src->netns_pending && now < src->retry_until_ms && now + NL_RETRY_MS < next)
		next = now + NL_RETRY_MS;
	if (next != UINT64_MAX) {
		if (!next)
			next = 1;
		its.it_value.tv_sec = next / 1000;
		its.it_value.tv_nsec = (next % 1000) * 1000000;
	}
	timerfd_settime(src->tfd, TFD_TIMER_ABSTIME, &its, NULL);
}

/*
 * Reads one datagram; returns its length, 0 when none is left, -ENOMSG for
 * one to ignore, or a negative errno.
 */
static ssize_t recv_one(struct netlink_source *src, int32_t *nsid)
{
	char control[CMSG_SPACE(sizeof(int)) * 2];
	struct sockaddr_nl sa;
	struct iovec iov = { src->evbuf, NL_BUF_SIZE };
	struct msghdr msg = {
		.msg_name = &sa,
		.msg_namelen = sizeof(sa),
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = control,
		.msg_controllen = sizeof(control),
	};
	struct cmsghdr *c;
	ssize_t n;

	*nsid = -1;
	n = recvmsg(mnl_socket_get_fd(src->ev), &msg, MSG_DONTWAIT);
	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -errno;
	if (msg.msg_flags & MSG_TRUNC)
		return -EMSGSIZE;
	if (sa.nl_pid != 0) /* only the kernel speaks on these groups */
		return -ENOMSG;
	for (c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
		if (c->cmsg_level == SOL_NETLINK && c->cmsg_type == NETLINK_LISTEN_ALL_NSID &&
		    c->cmsg_len >= CMSG_LEN(sizeof(int)))
			memcpy(nsid, CMSG_DATA(c), sizeof(int));
	return n;
}

int netlink_source__process(struct netlink_source *src, vft_event_cb cb, void *ctx)
{
	struct emitter em = { .cb = cb, .ctx = ctx, .source = VFT_SRC_NETLINK };
	struct epoll_event evs[4];
	bool rescan_dir = false;
	int i, n, dgrams, msgs = 0, err = 0;
	uint64_t ticks;
	int32_t nsid;
	ssize_t len;

	if (src->detached)
		return -ENOTCONN;
	n = epoll_wait(src->epfd, evs, ARRAY_SIZE(evs), 0);
	for (i = 0; i < n; i++) {
		if (evs[i].data.fd == src->tfd) {
			if (read(src->tfd, &ticks, sizeof(ticks)) < 0)
				ticks = 0;
			rescan_dir = src->netns_pending;
		} else if (evs[i].data.fd == src->infd) {
			drain_inotify(src);
			rescan_dir = true;
		}
	}

	/*
	 * Until the socket is empty, or for a bounded number of datagrams: in a
	 * storm the caller's other sources get their turn, and the fd stays
	 * readable.
	 */
	for (dgrams = 0; dgrams < NL_MAX_DGRAMS; dgrams++) {
		len = recv_one(src, &nsid);
		if (len == 0)
			break;
		if (len == -EINTR || len == -ENOMSG)
			continue;
		if (len == -ENOBUFS || len == -EMSGSIZE) {
			src->lost++;
			src->want_resync = true;
			continue;
		}
		if (len < 0) {
			err = len;
			vft_warn("cannot read rtnetlink notifications: %s\n", strerror(-err));
			goto out;
		}
		em.ts_ns = wall_ns();
		msgs += feed_buf(src, src->evbuf, len, nsid, &em);
		if (em.err)
			goto out;
	}

	em.ts_ns = wall_ns();
	if (src->want_resync) {
		src->want_resync = false;
		dump_all(src, DUMP_SILENT, NULL);
	}
	if (src->want_scan) {
		src->want_scan = false;
		scan(src, true, &em);
	} else if (rescan_dir) {
		scan(src, false, &em);
	}
	if (!em.err) {
		n = netlink_source__expire(src, mono_ms(), cb, ctx);
		if (n < 0)
			em.err = n;
	}
	arm_timer(src);
out:
	if (!err)
		err = em.err;
	return err ? err : msgs;
}

uint64_t netlink_source__lost(const struct netlink_source *src)
{
	return src->lost;
}

size_t netlink_source__ndevices(const struct netlink_source *src)
{
	return src->ndev;
}

void netlink_source__free(struct netlink_source *src)
{
	struct nl_dev *d, *next;
	size_t i;

	if (!src)
		return;
	for (i = 0; i < NL_BUCKETS; i++) {
		for (d = src->buckets[i]; d; d = next) {
			next = d->next;
			dev_free(d);
		}
	}
	for (d = src->limbo; d; d = next) {
		next = d->next;
		dev_free(d);
	}
	for (i = 0; i < src->nns; i++)
		free(src->ns[i].path);
	free(src->ns);
	free(src->peers);
	if (src->ev)
		mnl_socket_close(src->ev);
	if (src->req)
		mnl_socket_close(src->req);
	if (src->epfd >= 0)
		close(src->epfd);
	if (src->infd >= 0)
		close(src->infd);
	if (src->tfd >= 0)
		close(src->tfd);
	free(src->evbuf);
	free(src->reqbuf);
	free(src->root);
	free(src);
}
