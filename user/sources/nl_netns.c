// SPDX-License-Identifier: GPL-2.0-only
/*
 * nl_netns.c - the namespaces of the rtnetlink source. Messages name a netns
 * by its nsid in the listener's netns; events name it by inode. This file
 * keeps the map (nsid -> inode) and the nsids as seen from other namespaces
 * (targets of moves between two of them), gives every netns it can reach an
 * nsid (the kernel delivers nothing from a netns without one), finds the
 * namespaces under /run/netns and /proc, and handles the kernel's
 * RTM_NEWNSID/RTM_DELNSID. netlink_source.h says what this cannot see.
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
#include <unistd.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <libmnl/libmnl.h>
#include <linux/net_namespace.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include "sources/netlink_source.h"
#include "sources/nl_internal.h"
#include "lib/util.h"

#define NL_UNMAPPED_MS 1000 /* an nsid no file explains: walk /proc again at most this often */

static int parse_nsid(const struct nlmsghdr *nlh, int32_t *nsid)
{
	const struct nlattr *tb[NETNSA_MAX + 1];

	if (nl_payload_len(nlh) < sizeof(struct rtgenmsg))
		return -EINVAL;
	nl_parse_attrs(nlh, sizeof(struct rtgenmsg), tb, NETNSA_MAX);
	return nl_attr_s32(tb[NETNSA_NSID], nsid) ? 0 : -EINVAL;
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

/* ---- nsid requests ---- */

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
		nl_dump_netns(src, ino, nsid, DUMP_DISCOVER, em);
}

/* ---- finding namespaces ---- */

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

void nl_scan(struct netlink_source *src, bool with_proc, struct emitter *em)
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
	uint64_t now = nl_mono_ms();
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

uint32_t nl_netns_of(struct netlink_source *src, int32_t nsid, struct emitter *em)
{
	uint32_t ino;

	if (nsid < 0)
		return src->own_ino;
	ino = ns_by_nsid(src, nsid);
	if (!ino && !src->detached && may_scan_for(src, nsid)) {
		nl_scan(src, true, em);
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

uint32_t nl_resolve_target(struct netlink_source *src, uint32_t in_ino, int32_t in_nsid,
			   int32_t nsid, struct emitter *em)
{
	uint32_t ino;

	if (in_ino == src->own_ino) {
		ino = ns_by_nsid(src, nsid);
		if (!ino && !src->detached) {
			nl_scan(src, true, em);
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
		nl_scan(src, true, em);
		ino = query_peer(src, in_nsid, nsid);
	}
	if (ino)
		netlink_source__map_peer_nsid(src, in_ino, nsid, ino);
	return ino;
}

/* ---- the kernel's nsid notifications ---- */

void nl_on_nsid(struct netlink_source *src, const struct nlmsghdr *nlh, int32_t nsid,
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
	nl_orphan_netns(src, ino ? ino : NL_KEY_UNKNOWN(id), em);
}
