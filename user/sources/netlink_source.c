// SPDX-License-Identifier: GPL-2.0-only
/*
 * netlink_source.c - the rtnetlink event source as an object: its sockets
 * (the listener of every netns's notifications, the request socket for
 * nsids and dumps), the poll set, the read loop, the feeding of messages to
 * their decoders, and the dumps of whole device tables. What each part does:
 * - nl_netns.c: the netns registry (nsid -> inode), nsid assignment, the
 *   walks of /run/netns and /proc, the targets of moves;
 * - nl_link.c: link messages (registration, move, rename, flags, removal);
 * - nl_addr.c: address messages;
 * - nl_devtab.c: the table of known devices, and limbo (devices between two
 *   namespaces).
 * What the source cannot see is described in netlink_source.h.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include "sources/netlink_source.h"
#include "sources/nl_internal.h"
#include "lib/util.h"

#define NL_BUF_SIZE (64 * 1024) /* above the largest link message without VF info */
#define NL_RCVBUF (8 << 20)	/* the listener's socket buffer, as root */
#define NL_RETRY_MS 10		/* a /run/netns file not yet mounted: look again after */
#define NL_RETRY_FOR_MS 2000	/* ... for this long after the last inotify event */
#define NL_REQ_TIMEOUT_S 5
#define NL_MAX_DGRAMS 10000 /* per netlink_source__process() call */

int nl_emit(struct emitter *em, struct vft_event *ev)
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

/* ---- attributes: bounded by nlmsg_len, whatever the bytes say ---- */

void nl_parse_attrs(const struct nlmsghdr *nlh, size_t hdrlen, const struct nlattr **tb,
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

bool nl_attr_s32(const struct nlattr *a, int32_t *v)
{
	if (!a || nl_attr_len(a) < sizeof(*v))
		return false;
	memcpy(v, nl_attr_data(a), sizeof(*v));
	return true;
}

bool nl_attr_str(const struct nlattr *a, char *dst, size_t size)
{
	size_t n;

	if (!a)
		return false;
	n = strnlen(nl_attr_data(a), nl_attr_len(a));
	if (n >= size)
		n = size - 1;
	memcpy(dst, nl_attr_data(a), n);
	dst[n] = '\0';
	return true;
}

/* ---- requests on the request socket ---- */

int nl_request(struct netlink_source *src, struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
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

/* ---- messages ---- */

static void feed_one(struct netlink_source *src, const struct nlmsghdr *nlh, int32_t nsid,
		     struct emitter *em)
{
	if (nlh->nlmsg_len < NLMSG_HDRLEN)
		return;
	switch (nlh->nlmsg_type) {
	case RTM_NEWLINK:
	case RTM_DELLINK:
		nl_on_link(src, nlh, nsid, em);
		break;
	case RTM_NEWADDR:
	case RTM_DELADDR:
		nl_on_addr(src, nlh, nsid, em);
		break;
	case RTM_NEWNSID:
	case RTM_DELNSID:
		nl_on_nsid(src, nlh, nsid, em);
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

static int dump_cb(const struct nlmsghdr *nlh, void *data)
{
	struct dump_ctx *dc = data;

	if (nlh->nlmsg_type == RTM_NEWLINK)
		nl_dump_link(dc, nlh);
	else if (nlh->nlmsg_type == RTM_NEWADDR)
		nl_dump_addr(dc, nlh);
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

void nl_dump_netns(struct netlink_source *src, uint32_t ino, int32_t nsid, enum dump_mode mode,
		   struct emitter *em)
{
	struct dump_ctx dc = { src, ino, mode, em };
	int32_t target = ino == src->own_ino ? -1 : nsid;
	int err;

	if (ino != src->own_ino && (nsid < 0 || !src->strict))
		return;
	src->dev_gen++;
	err = dump_links(src, target, &dc);
	if (err) {
		vft_debug("cannot list the devices of netns %u: %s\n", ino, strerror(-err));
		return;
	}
	nl_dev_sweep(src, ino, mode == DUMP_SILENT);
	/* Without IPv6 the second dump fails; the first one still counts. */
	dump_addrs(src, target, AF_INET, &dc);
	dump_addrs(src, target, AF_INET6, &dc);
}

/* Dumps every netns with an nsid (and ours). */
static void dump_all(struct netlink_source *src, enum dump_mode mode, struct emitter *em)
{
	struct nl_ns *copy;
	size_t i, n = src->nns;

	/* nl_dump_netns() may change the table (discovery); walk a copy. */
	copy = malloc((n ? n : 1) * sizeof(*copy));
	if (!copy)
		return;
	memcpy(copy, src->ns, n * sizeof(*copy));
	nl_dump_netns(src, src->own_ino, -1, mode, em);
	for (i = 0; i < n && !(em && em->err); i++)
		if (copy[i].ino != src->own_ino && copy[i].nsid >= 0)
			nl_dump_netns(src, copy[i].ino, copy[i].nsid, mode, em);
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

	nl_scan(src, true, NULL);
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
		.cb = cb, .ctx = ctx, .ts_ns = nl_wall_ns(), .source = VFT_SRC_INVENTORY
	};

	if (src->detached)
		return 0;
	/* Namespaces that appeared since: their devices are reported below. */
	nl_scan(src, true, NULL);
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
	src->retry_until_ms = nl_mono_ms() + NL_RETRY_FOR_MS;
}

/* Arms the timer for the next orphan deadline or /run/netns retry; disarms it if none. */
static void arm_timer(struct netlink_source *src)
{
	struct itimerspec its = { 0 };
	uint64_t now = nl_mono_ms(), next = UINT64_MAX;

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
		em.ts_ns = nl_wall_ns();
		msgs += feed_buf(src, src->evbuf, len, nsid, &em);
		if (em.err)
			goto out;
	}

	em.ts_ns = nl_wall_ns();
	if (src->want_resync) {
		src->want_resync = false;
		dump_all(src, DUMP_SILENT, NULL);
	}
	if (src->want_scan) {
		src->want_scan = false;
		nl_scan(src, true, &em);
	} else if (rescan_dir) {
		nl_scan(src, false, &em);
	}
	if (!em.err) {
		n = netlink_source__expire(src, nl_mono_ms(), cb, ctx);
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

void netlink_source__free(struct netlink_source *src)
{
	size_t i;

	if (!src)
		return;
	nl_dev_free_all(src);
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
