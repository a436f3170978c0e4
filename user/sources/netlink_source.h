/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * netlink_source.h - the rtnetlink event source: network device and address
 * changes in every network namespace, as the kernel announces them to
 * listeners (RTNLGRP_LINK, RTNLGRP_IPV4_IFADDR, RTNLGRP_IPV6_IFADDR,
 * RTNLGRP_NSID with NETLINK_LISTEN_ALL_NSID). It works on kernels where no
 * BPF hook attaches, but it sees results only: no actor, no failed calls.
 *
 * Netns fields are namespace inode numbers, never nsids. The kernel delivers
 * the events of another netns only if that netns has an nsid in the
 * listener's netns, so the source assigns one (like `ip netns set NAME auto`)
 * to every netns it can reach: /run/netns/<name> and /proc/<pid>/ns/net under
 * the root prefix. It looks for them at start, on inotify events in
 * /run/netns (retrying every 10 ms while `ip netns add` has created the file
 * but not yet mounted the netns on it), and walks /proc again whenever the
 * kernel announces an nsid it cannot map.
 *
 * What it cannot see (its blind spots):
 * - Anything that happens in a new netns before it has an nsid here (a few
 *   milliseconds for `ip netns add`): the registration of its lo, devices
 *   created inside it right away. When the source finds such a netns it
 *   reports the devices it did not know as netdev_register events (source
 *   netlink, time of discovery), but not the addresses they already had.
 * - A netns that is not mounted under /run/netns is found only by a /proc
 *   walk, and there is no periodic one: only once the kernel announces an
 *   nsid involving it (a device moved there from a watched netns, a veth
 *   peer created there) or a message arrives from an nsid we cannot map. One
 *   held only by an fd or a bind mount elsewhere is not found at all: its
 *   events carry netns 0, and a move to it has to_netns 0.
 * - The kernel removes a dying netns's nsid before it tears its devices
 *   down, so their RTM_DELLINK never arrives. The source infers them: a
 *   device of that netns that reappears elsewhere (same MAC, or same name)
 *   within VFT_NL_ORPHAN_MS is reported as a netns_move, the others as a
 *   netdev_unregister (stamped with the time the netns died) when that
 *   time is up.
 * - A socket overrun (ENOBUFS) loses notifications: the source re-reads its
 *   device table silently, so changes made during the overrun are not
 *   reported, only counted in netlink_source__lost().
 * - A device renamed on arrival (the target had its name) gets a netns_move
 *   without new_ifname, then a netdev_rename.
 */
#ifndef VFT_NETLINK_SOURCE_H
#define VFT_NETLINK_SOURCE_H

#include <stdint.h>
#include <linux/netlink.h>
#include "sources/bpf_source.h"
#include "model/event.h"

/* How long the devices of a destroyed netns wait to reappear elsewhere. */
#define VFT_NL_ORPHAN_MS 2000

struct netlink_source_opts {
	const char *root; /* prefix for /run/netns and /proc reads; NULL = / */
};

struct netlink_source;

/*
 * Opens the listening and the request sockets, assigns nsids to every
 * reachable netns and learns the devices that exist now (silently: see
 * netlink_source__inventory() to report them). Without CAP_NET_ADMIN it sees
 * its own netns only (and says so). Returns 0 and the source in @out, or a
 * negative errno (the cause is logged).
 */
int netlink_source__new(const struct netlink_source_opts *opts, struct netlink_source **out);

/*
 * A file descriptor (an epoll set: it nests in the caller's poll or epoll) that
 * polls readable (POLLIN) when netlink_source__process() has work.
 */
int netlink_source__fd(const struct netlink_source *src);

/*
 * Emits one VFT_SRC_INVENTORY event per existing netdev (netdev_register) and
 * per existing address (addr_add) in every reachable netns. Returns the
 * number of events, or a negative errno (a netns that vanished meanwhile is
 * skipped, not an error; an error from @cb stops the walk and is returned).
 */
int netlink_source__inventory(struct netlink_source *src, vft_event_cb cb, void *ctx);

/*
 * Reads every pending message without blocking and hands each resulting
 * VFT_SRC_NETLINK event to @cb; also handles new netns and expired orphans.
 * Returns the number of netlink messages read, or a negative errno (an error
 * from @cb is returned as is). A socket overrun (ENOBUFS) is counted in
 * netlink_source__lost(), and the device state is then re-read silently.
 */
int netlink_source__process(struct netlink_source *src, vft_event_cb cb, void *ctx);

/* Socket overruns (ENOBUFS) seen: each one lost an unknown number of messages. */
uint64_t netlink_source__lost(const struct netlink_source *src);

/* Accepts NULL. */
void netlink_source__free(struct netlink_source *src);

/*
 * The parts below exist for tests: they decode crafted messages without
 * sockets, with an nsid map the test provides.
 */

/* A source with no sockets whose own netns is @own_netns: for netlink_source__feed(). */
int netlink_source__new_detached(uint32_t own_netns, struct netlink_source **out);

/* Records that @nsid, in the listener's netns, names the netns whose inode is @netns. */
int netlink_source__map_nsid(struct netlink_source *src, int32_t nsid, uint32_t netns);

/*
 * Records that @nsid, as seen from inside the netns @in_netns, names the netns
 * @netns (what a move between two other namespaces carries in IFLA_NEW_NETNSID).
 */
int netlink_source__map_peer_nsid(struct netlink_source *src, uint32_t in_netns, int32_t nsid,
				  uint32_t netns);

/*
 * Decodes one message that arrived from the netns @nsid (-1: the listener's
 * own; the NETLINK_LISTEN_ALL_NSID control message otherwise), updates the
 * device state and hands the events to @cb with wall time @ts_ns. The message
 * must lie within nlh->nlmsg_len readable bytes; anything malformed inside it
 * is ignored. Returns the number of events, or the negative errno of @cb.
 */
int netlink_source__feed(struct netlink_source *src, const struct nlmsghdr *nlh, int32_t nsid,
			 uint64_t ts_ns, vft_event_cb cb, void *ctx);

/*
 * Feeds every complete message in @buf (@len bytes, 4-byte aligned, as one
 * recvmsg() returns them) to netlink_source__feed(); a truncated or malformed
 * tail is ignored. Returns the number of events, or the negative errno of @cb.
 */
int netlink_source__feed_buf(struct netlink_source *src, const void *buf, size_t len, int32_t nsid,
			     uint64_t ts_ns, vft_event_cb cb, void *ctx);

/*
 * Ends the grace period of orphans (the devices of a destroyed netns, see
 * above) whose deadline is at or before the monotonic time @now_ms: each
 * becomes a netdev_unregister event. UINT64_MAX ends them all. The live source
 * calls it from netlink_source__process(); tests call it directly. Returns the
 * number of events, or the negative errno of @cb.
 */
int netlink_source__expire(struct netlink_source *src, uint64_t now_ms, vft_event_cb cb, void *ctx);

/* Devices currently known (for tests: state is freed on delete). */
size_t netlink_source__ndevices(const struct netlink_source *src);

#endif /* VFT_NETLINK_SOURCE_H */
