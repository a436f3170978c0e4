/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * nl_internal.h - what the files of the rtnetlink source share and nothing
 * else includes: the source's state, the device table's entries, the
 * decoded messages, and the functions each file offers the others
 * (netlink_source.c lists who does what). The API is netlink_source.h.
 */
#ifndef VFT_NL_INTERNAL_H
#define VFT_NL_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <sys/types.h>
#include <libmnl/libmnl.h>
#include <linux/netlink.h>
#include "sources/netlink_source.h"
#include "model/event.h"

#define NL_BUCKETS 256
#define NL_REQ_SIZE 256 /* a request we send: header and two attributes */

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

struct dump_ctx {
	struct netlink_source *src;
	uint32_t ino;
	enum dump_mode mode;
	struct emitter *em;
};

static inline uint64_t nl_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static inline uint64_t nl_wall_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* ---- netlink_source.c: events, attributes, requests, dumps ---- */

/* Hands @ev to the emitter's callback (stamped with its time and source); its error, or 0. */
int nl_emit(struct emitter *em, struct vft_event *ev);

static inline size_t nl_attr_len(const struct nlattr *a)
{
	return a->nla_len - NLA_HDRLEN;
}

static inline const void *nl_attr_data(const struct nlattr *a)
{
	return (const char *)a + NLA_HDRLEN;
}

static inline size_t nl_payload_len(const struct nlmsghdr *nlh)
{
	return nlh->nlmsg_len - NLMSG_HDRLEN;
}

/* The attributes after a @hdrlen-byte family header into @tb[0..@max], within nlmsg_len. */
void nl_parse_attrs(const struct nlmsghdr *nlh, size_t hdrlen, const struct nlattr **tb,
		    unsigned int max);
/* @a as an s32 / a C string; false when it is absent or too short. */
bool nl_attr_s32(const struct nlattr *a, int32_t *v);
bool nl_attr_str(const struct nlattr *a, char *dst, size_t size);

/*
 * Sends @nlh and hands the replies to @cb until the kernel's ack or the end of
 * the dump. Returns 0 or a negative errno (the kernel's, for a refused request).
 */
int nl_request(struct netlink_source *src, struct nlmsghdr *nlh, mnl_cb_t cb, void *data);

/* Reads the devices and addresses of one netns (ours, or the one with @nsid in ours). */
void nl_dump_netns(struct netlink_source *src, uint32_t ino, int32_t nsid, enum dump_mode mode,
		   struct emitter *em);

/* ---- nl_netns.c: namespaces and nsids ---- */

/*
 * Looks for netns files (/run/netns, and /proc if @with_proc) and gives every
 * netns found an nsid. @em: where discovered devices go, NULL at start.
 */
void nl_scan(struct netlink_source *src, bool with_proc, struct emitter *em);
/* The inode of the netns whose messages carry @nsid (-1: ours); 0 if unknown. */
uint32_t nl_netns_of(struct netlink_source *src, int32_t nsid, struct emitter *em);
/* The inode of the netns that @nsid names inside the netns @in_ino (@in_nsid in ours). */
uint32_t nl_resolve_target(struct netlink_source *src, uint32_t in_ino, int32_t in_nsid,
			   int32_t nsid, struct emitter *em);
/* RTM_NEWNSID and RTM_DELNSID: new namespaces to look for, dying ones. */
void nl_on_nsid(struct netlink_source *src, const struct nlmsghdr *nlh, int32_t nsid,
		struct emitter *em);

/* ---- nl_link.c and nl_addr.c: messages ---- */

void nl_on_link(struct netlink_source *src, const struct nlmsghdr *nlh, int32_t nsid,
		struct emitter *em);
void nl_dump_link(struct dump_ctx *dc, const struct nlmsghdr *nlh);
void nl_on_addr(struct netlink_source *src, const struct nlmsghdr *nlh, int32_t nsid,
		struct emitter *em);
void nl_dump_addr(struct dump_ctx *dc, const struct nlmsghdr *nlh);

/* ---- nl_devtab.c: the device table and limbo ---- */

struct nl_dev *nl_dev_find(struct netlink_source *src, uint32_t key, int32_t ifindex);
struct nl_dev *nl_dev_new(uint32_t key, uint32_t ino, const struct link_info *li);
void nl_dev_free(struct nl_dev *d);
void nl_dev_unlink(struct netlink_source *src, struct nl_dev *dev);
/* Inserts @dev, replacing (and freeing) a stale entry with the same key. */
void nl_dev_insert(struct netlink_source *src, struct nl_dev *dev);
void nl_dev_update(struct nl_dev *d, const struct link_info *li);
/* An event about the device @d, as seen in the netns @ino. */
void nl_dev_event(const struct nl_dev *d, uint32_t kind, uint32_t ino, struct vft_event *ev);
/*
 * After a dump of the netns @key: the devices the dump did not list are
 * forgotten when @forget_unseen, and every other one's addresses cleared for
 * the address dump that follows.
 */
void nl_dev_sweep(struct netlink_source *src, uint32_t key, bool forget_unseen);
/* Frees every device, in the table and in limbo. */
void nl_dev_free_all(struct netlink_source *src);

/* The index of @ai among @d's addresses, or -1. */
int nl_addr_find(const struct nl_dev *d, const struct addr_info *ai);
void nl_addr_add(struct nl_dev *d, const struct addr_info *ai);
void nl_addr_del(struct nl_dev *d, const struct addr_info *ai);

/* Takes @dev out of limbo if it is still there; false if something claimed or ended it. */
bool nl_limbo_take(struct netlink_source *src, struct nl_dev *dev);
void nl_limbo_add(struct netlink_source *src, struct nl_dev *dev, enum nl_limbo kind,
		  struct emitter *em);
/*
 * The device in limbo that @li (a device new in its netns) is, or NULL:
 * a device in transit with the ifindex the move announced, else the orphan
 * with the same MAC (the same name breaks ties; the name alone where either
 * side has no MAC).
 */
struct nl_dev *nl_limbo_claim(struct netlink_source *src, const struct link_info *li);
/* The devices of a dying netns go to limbo: see netlink_source.h. */
void nl_orphan_netns(struct netlink_source *src, uint32_t key, struct emitter *em);

#endif /* VFT_NL_INTERNAL_H */
