// SPDX-License-Identifier: GPL-2.0-only
/*
 * netns.c - the netns map (inode -> host, /run/netns name, pod, a process
 * and a path that opens it), refilled by a rate-limited scan of /proc and
 * /run/netns, and reading an RDMA port from inside a netns in a child.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "enrich/cgroup.h"
#include "enrich/netns.h"
#include "enrich/runtime.h"
#include "lib/bounded.h"
#include "lib/util.h"

#define RESCAN_NS 1000000000ULL

struct ns_ent {
	uint32_t netns;
	uint32_t pid;	  /* lowest pid in it, 0 if none */
	uint32_t pod_pid; /* lowest pid in it whose cgroup is a pod's, 0 if none */
	char name[64];	  /* /run/netns name, "" if none */
	char pod_uid[40];
	char container[72];
};

struct ns_table {
	struct ns_ent *ents; /* sorted by netns */
	size_t n, cap;
};

/* What a CNI call said of a netns's pod (vft_netns_map__set_pod_cni()). */
struct cni_pod {
	uint32_t netns;
	char pod_ns[VFT_POD_NS_LEN];
	char pod_name[VFT_POD_NAME_LEN];
	char pod_uid[40];
};

/* The most netns whose CNI call is remembered: more than a node has pods. */
#define CNI_PODS_MAX 4096

struct vft_netns_map {
	char root[PATH_MAX]; /* "" for the live system */
	struct ns_table t;
	struct vft_runtime *rt; /* the runtimes' sandboxes, scanned with the table */
	struct cni_pod *cni;	/* unsorted: few, and looked up on a netns_info only */
	size_t n_cni, cap_cni;
	uint32_t host;
	uint64_t last_scan_ns; /* CLOCK_MONOTONIC */
};

/* What one process says: its netns and, if its cgroup is a pod's, the pod. */
struct proc_info {
	uint32_t pid, netns;
	bool pod;
	char pod_uid[40];
	char container[72];
};

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* "1234" -> 1234; 0 for anything but a positive decimal number that fits. */
static uint32_t parse_pid(const char *s)
{
	unsigned long v;
	char *end;

	if (s[0] < '1' || s[0] > '9')
		return 0;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v > UINT32_MAX)
		return 0;
	return v;
}

/* "net:[4026531840]" -> 4026531840. Returns 0 or -EINVAL. */
static int parse_ns_link(const char *s, uint32_t *out)
{
	unsigned long long v;
	char *end;

	if (strncmp(s, "net:[", 5) || s[5] < '0' || s[5] > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s + 5, &end, 10);
	if (errno || strcmp(end, "]") || !v || v > UINT32_MAX)
		return -EINVAL;
	*out = v;
	return 0;
}

/* The netns of the process that <root>/proc/<pid> names. Returns 0 or -errno. */
int vft_netns__of_pid(const char *root, uint32_t pid, uint32_t *out)
{
	char rel[64], path[PATH_MAX], link[64];
	ssize_t n;
	int err;

	snprintf(rel, sizeof(rel), "/proc/%u/ns/net", pid);
	err = vft_path(path, sizeof(path), root, rel);
	if (err)
		return err;
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return -errno;
	link[n] = '\0';
	return parse_ns_link(link, out);
}

/*
 * Reads the cgroup v2 line of <root>/proc/<pid>/cgroup into @p. Returns 0
 * (p->pod set when the cgroup is a pod's), -errno when the file cannot be
 * read, or -ENOMEM.
 */
static int read_pod(const char *root, uint32_t pid, struct proc_info *p)
{
	char rel[64], path[PATH_MAX];
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	FILE *f = NULL;
	int err;

	p->pod = false;
	snprintf(rel, sizeof(rel), "/proc/%u/cgroup", pid);
	err = vft_path(path, sizeof(path), root, rel);
	if (err)
		goto out;
	f = fopen(path, "re");
	if (!f) {
		err = -errno;
		goto out;
	}
	for (;;) {
		errno = 0;
		n = getline(&line, &cap, f);
		if (n < 0) {
			/* the end, or an error: the process went away while we read */
			if (errno == ENOMEM)
				err = -ENOMEM;
			else if (ferror(f))
				err = errno ? -errno : -EIO;
			break;
		}
		if (strncmp(line, "0::", 3))
			continue;
		if (n && line[n - 1] == '\n')
			line[n - 1] = '\0';
		p->pod = !vft_cgroup__pod(line + 3, p->pod_uid, sizeof(p->pod_uid), p->container,
					  sizeof(p->container));
		break;
	}
out:
	free(line);
	if (f)
		fclose(f);
	return err;
}

static int cmp_ent(const void *a, const void *b)
{
	const struct ns_ent *x = a, *y = b;

	return x->netns < y->netns ? -1 : x->netns > y->netns;
}

static struct ns_ent *table_find(const struct ns_table *t, uint32_t netns)
{
	struct ns_ent key = { .netns = netns };

	if (!t->n)
		return NULL;
	return bsearch(&key, t->ents, t->n, sizeof(key), cmp_ent);
}

/* The entry of @netns, added (zeroed but for netns) if missing; NULL on -ENOMEM. */
static struct ns_ent *table_get(struct ns_table *t, uint32_t netns)
{
	struct ns_ent *grown;
	size_t lo = 0, hi = t->n, mid, cap;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (t->ents[mid].netns == netns)
			return &t->ents[mid];
		if (t->ents[mid].netns < netns)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (t->n == t->cap) {
		cap = t->cap ? t->cap * 2 : 32;
		grown = realloc(t->ents, cap * sizeof(*grown));
		if (!grown)
			return NULL;
		t->ents = grown;
		t->cap = cap;
	}
	memmove(&t->ents[lo + 1], &t->ents[lo], (t->n - lo) * sizeof(*t->ents));
	memset(&t->ents[lo], 0, sizeof(*t->ents));
	t->ents[lo].netns = netns;
	t->n++;
	return &t->ents[lo];
}

static void table_free(struct ns_table *t)
{
	free(t->ents);
	memset(t, 0, sizeof(*t));
}

/* Adds one process. Returns 0 or -ENOMEM. */
static int add_proc(struct ns_table *t, const struct proc_info *p)
{
	struct ns_ent *e = table_get(t, p->netns);

	if (!e)
		return -ENOMEM;
	if (!e->pid || p->pid < e->pid)
		e->pid = p->pid;
	if (p->pod && (!e->pod_pid || p->pid < e->pod_pid)) {
		e->pod_pid = p->pid;
		memcpy(e->pod_uid, p->pod_uid, sizeof(e->pod_uid));
		memcpy(e->container, p->container, sizeof(e->container));
	}
	return 0;
}

/* Every process under <root>/proc; one that vanishes or says nothing clear is skipped. */
static int scan_procs(const char *root, struct ns_table *t)
{
	char path[PATH_MAX];
	struct proc_info p;
	struct dirent *de;
	DIR *dir = NULL;
	char ebuf[32];
	int err;

	err = vft_path(path, sizeof(path), root, "/proc");
	if (err)
		goto out;
	dir = opendir(path);
	if (!dir) {
		err = -errno;
		goto out;
	}
	while ((de = readdir(dir))) {
		memset(&p, 0, sizeof(p));
		p.pid = parse_pid(de->d_name);
		if (!p.pid)
			continue;
		err = vft_netns__of_pid(root, p.pid, &p.netns);
		if (err) {
			/* gone (silently), not ours to read, or not a netns link */
			if (err != -ENOENT && err != -ESRCH)
				vft_debug("netns: pid %u: no netns link (%s), skipped\n", p.pid,
					  vft_errno_name(err, ebuf, sizeof(ebuf)));
			continue;
		}
		err = read_pod(root, p.pid, &p);
		if (err == -ENOMEM)
			goto out;
		if (err) {
			if (err != -ENOENT && err != -ESRCH)
				vft_debug("netns: pid %u: no cgroup (%s), skipped\n", p.pid,
					  vft_errno_name(err, ebuf, sizeof(ebuf)));
			continue;
		}
		err = add_proc(t, &p);
		if (err)
			goto out;
	}
	err = 0;
out:
	if (dir)
		closedir(dir);
	return err;
}

/* Every <root>/run/netns/<name>; a missing directory is no error. */
static int scan_names(const char *root, struct ns_table *t)
{
	char dpath[PATH_MAX], path[PATH_MAX + NAME_MAX + 2];
	struct ns_ent *e;
	struct dirent *de;
	struct stat st;
	DIR *dir = NULL;
	int err;

	err = vft_path(dpath, sizeof(dpath), root, "/run/netns");
	if (err)
		goto out;
	dir = opendir(dpath);
	if (!dir) {
		err = errno == ENOENT || errno == ENOTDIR ? 0 : -errno;
		goto out;
	}
	while ((de = readdir(dir))) {
		if (de->d_name[0] == '.')
			continue;
		if (strlen(de->d_name) >= sizeof(e->name)) {
			vft_debug("netns: /run/netns/%s: name too long, skipped\n", de->d_name);
			continue;
		}
		snprintf(path, sizeof(path), "%s/%s", dpath, de->d_name);
		if (stat(path, &st) || !st.st_ino || st.st_ino > UINT32_MAX)
			continue;
		e = table_get(t, st.st_ino);
		if (!e) {
			err = -ENOMEM;
			goto out;
		}
		/* two names for one netns: the first in byte order, whatever readdir's order */
		if (!e->name[0] || strcmp(de->d_name, e->name) < 0)
			strcpy(e->name, de->d_name);
	}
	err = 0;
out:
	if (dir)
		closedir(dir);
	return err;
}

/* What a scan of the runtimes' state skipped, in one line (each entry had its own). */
static void report_runtime(const struct vft_runtime *rt)
{
	struct vft_runtime_stats s;
	uint64_t bad;

	vft_runtime__stats(rt, &s);
	bad = s.too_big + s.bad_json + s.incomplete + s.bad_value + s.unreadable + s.over_limit;
	if (!bad)
		return;
	vft_debug("netns: runtime state: %llu sandboxes, %llu entries skipped (%llu too big, "
		  "%llu bad JSON, %llu incomplete, %llu bad values, %llu unreadable, %llu over "
		  "the limit)\n",
		  (unsigned long long)s.sandboxes, (unsigned long long)bad,
		  (unsigned long long)s.too_big, (unsigned long long)s.bad_json,
		  (unsigned long long)s.incomplete, (unsigned long long)s.bad_value,
		  (unsigned long long)s.unreadable, (unsigned long long)s.over_limit);
}

/* Replaces the map's table with a fresh scan; keeps the old one on failure. */
static int rescan(struct vft_netns_map *m)
{
	struct ns_table t = { 0 };
	uint32_t host = 0;
	int err;

	m->last_scan_ns = mono_ns();
	err = scan_procs(m->root, &t);
	if (err)
		goto out;
	err = scan_names(m->root, &t);
	if (err)
		goto out;
	if (vft_netns__of_pid(m->root, 1, &host))
		host = 0;
	/* the runtimes' state is a refinement: a scan that fails keeps the last one */
	err = m->rt ? vft_runtime__rescan(m->rt) : vft_runtime__new(m->root, &m->rt);
	if (err == -ENOMEM)
		goto out;
	if (err)
		vft_debug("netns: the container runtimes' state: %s, pods named as before\n",
			  strerror(-err));
	else
		report_runtime(m->rt);
	err = 0;
	table_free(&m->t);
	m->t = t;
	m->host = host;
	memset(&t, 0, sizeof(t));
out:
	table_free(&t);
	return err;
}

int vft_netns_map__new(const char *root, struct vft_netns_map **out)
{
	struct vft_netns_map *m;
	int err;

	*out = NULL;
	m = calloc(1, sizeof(*m));
	if (!m) {
		err = -ENOMEM;
		goto out;
	}
	/* vft_path() with an empty path gives the prefix itself, "" for the live system */
	err = vft_path(m->root, sizeof(m->root), root, "");
	if (err)
		goto out;
	err = rescan(m);
	if (err)
		goto out;
	*out = m;
	m = NULL;
out:
	vft_netns_map__free(m);
	return err;
}

static struct cni_pod *cni_find(const struct vft_netns_map *m, uint32_t netns)
{
	size_t i;

	for (i = 0; i < m->n_cni; i++)
		if (m->cni[i].netns == netns)
			return &m->cni[i];
	return NULL;
}

/* The pod of @e into @out, from the best source that names it (netns.h). */
static void fill_pod(const struct vft_netns_map *m, const struct ns_ent *e,
		     struct vft_netns_info *out)
{
	const struct cni_pod *c = cni_find(m, e->netns);
	struct vft_sandbox sb;

	memcpy(out->pod_uid, e->pod_uid, sizeof(out->pod_uid));
	out->pod_source = e->pod_uid[0] ? VFT_POD_SRC_CGROUP : VFT_POD_SRC_NONE;
	if (c) {
		memcpy(out->pod_ns, c->pod_ns, sizeof(out->pod_ns));
		memcpy(out->pod_name, c->pod_name, sizeof(out->pod_name));
		/* a CNI_ARGS without the UID leaves the cgroup's */
		if (c->pod_uid[0])
			memcpy(out->pod_uid, c->pod_uid, sizeof(out->pod_uid));
		out->pod_source = VFT_POD_SRC_CNI;
		return;
	}
	if (vft_runtime__pod_by_netns(m->rt, e->netns, e->name, &sb))
		return;
	memcpy(out->pod_ns, sb.pod_ns, sizeof(out->pod_ns));
	memcpy(out->pod_name, sb.pod_name, sizeof(out->pod_name));
	/* containerd before 1.6.11 did not write the UID: the cgroup's stays */
	if (sb.pod_uid[0])
		memcpy(out->pod_uid, sb.pod_uid, sizeof(out->pod_uid));
	out->pod_source = VFT_POD_SRC_RUNTIME;
}

/* Writes what @e says into @out. Returns 0 or -ENAMETOOLONG (no path fits). */
static int fill_info(const struct vft_netns_map *m, const struct ns_ent *e,
		     struct vft_netns_info *out)
{
	char rel[PATH_MAX];
	int err = -ENOENT;

	out->netns = e->netns;
	out->host = m->host && e->netns == m->host;
	memcpy(out->name, e->name, sizeof(out->name));
	fill_pod(m, e, out);
	memcpy(out->container, e->container, sizeof(out->container));
	out->pid = e->pid;
	if (e->name[0]) {
		snprintf(rel, sizeof(rel), "/run/netns/%s", e->name);
		err = vft_path(out->path, sizeof(out->path), m->root, rel);
	}
	if (err && e->pid) {
		snprintf(rel, sizeof(rel), "/proc/%u/ns/net", e->pid);
		err = vft_path(out->path, sizeof(out->path), m->root, rel);
	}
	if (err)
		out->path[0] = '\0';
	return err;
}

int vft_netns_map__lookup(struct vft_netns_map *m, uint32_t netns, struct vft_netns_info *out)
{
	const struct ns_ent *e;
	int err;

	memset(out, 0, sizeof(*out));
	e = table_find(&m->t, netns);
	if (!e) {
		/* a netns made since the last scan, or one nobody holds any more */
		if (mono_ns() - m->last_scan_ns < RESCAN_NS)
			return -ENOENT;
		err = rescan(m);
		if (err)
			return err;
		e = table_find(&m->t, netns);
		if (!e)
			return -ENOENT;
	}
	return fill_info(m, e, out);
}

/* Copies @src into @dst when it fits: 0, or -EINVAL. NULL is "". */
static int copy_fitting(char *dst, const char *src, size_t size)
{
	if (!src)
		src = "";
	if (strlen(src) >= size)
		return -EINVAL;
	memcpy(dst, src, strlen(src) + 1);
	return 0;
}

int vft_netns_map__set_pod_cni(struct vft_netns_map *m, uint32_t netns, const char *pod_ns,
			       const char *pod_name, const char *pod_uid)
{
	struct cni_pod c = { .netns = netns }, *slot, *grown;
	size_t cap;
	int err;

	err = -EINVAL;
	if (!netns || !pod_name || !pod_name[0])
		goto out;
	if (copy_fitting(c.pod_ns, pod_ns, sizeof(c.pod_ns)) ||
	    copy_fitting(c.pod_name, pod_name, sizeof(c.pod_name)) ||
	    copy_fitting(c.pod_uid, pod_uid, sizeof(c.pod_uid)))
		goto out;
	slot = cni_find(m, netns);
	if (!slot && m->n_cni >= CNI_PODS_MAX) {
		/* a forget missed (no lo unregister seen): the oldest goes */
		vft_debug("netns: more than %d pods named by CNI calls, the oldest forgotten\n",
			  CNI_PODS_MAX);
		memmove(m->cni, m->cni + 1, (m->n_cni - 1) * sizeof(*m->cni));
		m->n_cni--;
	}
	if (!slot && m->n_cni == m->cap_cni) {
		cap = m->cap_cni ? m->cap_cni * 2 : 16;
		grown = realloc(m->cni, cap * sizeof(*grown));
		err = -ENOMEM;
		if (!grown)
			goto out;
		m->cni = grown;
		m->cap_cni = cap;
	}
	if (!slot)
		slot = &m->cni[m->n_cni++];
	*slot = c;
	err = 0;
out:
	return err;
}

void vft_netns_map__forget(struct vft_netns_map *m, uint32_t netns)
{
	struct ns_ent *e = table_find(&m->t, netns);
	struct cni_pod *c = cni_find(m, netns);

	if (c) {
		/* in the order set, so that the oldest goes first past CNI_PODS_MAX */
		memmove(c, c + 1, (size_t)(m->cni + m->n_cni - (c + 1)) * sizeof(*c));
		m->n_cni--;
	}
	if (!e)
		return;
	memmove(e, e + 1, (size_t)(m->t.ents + m->t.n - (e + 1)) * sizeof(*e));
	m->t.n--;
	m->last_scan_ns = 0; /* the next look-up of a netns not in the table scans again */
}

int vft_netns_map__rescan(struct vft_netns_map *m)
{
	return rescan(m);
}

size_t vft_netns_map__count(const struct vft_netns_map *m)
{
	return m->t.n;
}

int vft_netns_map__get(struct vft_netns_map *m, size_t i, struct vft_netns_info *out)
{
	memset(out, 0, sizeof(*out));
	if (i >= m->t.n)
		return -ENOENT;
	return fill_info(m, &m->t.ents[i], out);
}

uint32_t vft_netns_map__host(const struct vft_netns_map *m)
{
	return m->host;
}

void vft_netns_map__free(struct vft_netns_map *m)
{
	if (!m)
		return;
	table_free(&m->t);
	vft_runtime__free(m->rt);
	free(m->cni);
	free(m);
}

/* What the child sends back. */
struct port_msg {
	int32_t err;
	struct vft_port_attrs attrs;
};

/* What the child reads: in the netns @netns_path opens, or (NULL) under @root. */
struct port_req {
	const char *netns_path;
	const char *root;
	const char *ibdev;
	uint32_t port;
};

/* In the child: joins the netns, mounts its own sysfs and reads the port. Returns 0 or -errno. */
static int child_read_port(const char *netns_path, const char *ibdev, uint32_t port,
			   struct vft_port_attrs *out)
{
	int fd, err;

	fd = open(netns_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		/* the process that held it exited, its name was removed: maybe gone */
		return errno == ENOENT ? -ESRCH : -errno;
	err = setns(fd, CLONE_NEWNET) ? -errno : 0;
	close(fd);
	if (err)
		return err;
	if (unshare(CLONE_NEWNS))
		return -errno;
	/* nothing mounted from here on propagates back to the parent's namespace */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		return -errno;
	/*
	 * sysfs has one superblock per netns, and the kernel refuses to mount a
	 * superblock on its own root: EBUSY means /sys already shows this netns.
	 */
	if (mount("sysfs", "/sys", "sysfs", 0, NULL) && errno != EBUSY)
		return -errno;
	return vft_inventory__read_port("/", ibdev, port, out);
}

static int port_child(void *arg, int fd)
{
	const struct port_req *rq = arg;
	struct port_msg msg;

	memset(&msg, 0, sizeof(msg));
	msg.err = rq->netns_path ?
			  child_read_port(rq->netns_path, rq->ibdev, rq->port, &msg.attrs) :
			  vft_inventory__read_port(rq->root, rq->ibdev, rq->port, &msg.attrs);
	return vft_write_all(fd, &msg, sizeof(msg));
}

int vft_netns__read_port_within(const char *netns_path, const char *root, const char *ibdev,
				uint32_t port, uint64_t timeout_ns, struct vft_port_attrs *out)
{
	struct port_req rq = { netns_path, root, ibdev, port };
	struct port_msg msg;
	int err;

	memset(out, 0, sizeof(*out));
	err = vft_bounded__call(port_child, &rq, &msg, sizeof(msg), timeout_ns);
	if (err) {
		vft_debug("reading %s port %u in %s: %s\n", ibdev, port,
			  netns_path ? netns_path : "the host's sysfs",
			  err == -ETIMEDOUT ? "no answer in time, the reader was killed" :
			  err == -EIO	    ? "the reader died before it answered" :
					      strerror(-err));
		return err;
	}
	*out = msg.attrs;
	return msg.err;
}

int vft_netns__read_port(const char *netns_path, const char *ibdev, uint32_t port,
			 struct vft_port_attrs *out)
{
	return vft_netns__read_port_within(netns_path, NULL, ibdev, port, VFT_READ_TIMEOUT_NS, out);
}

int vft_netns_map__read_port(struct vft_netns_map *m, uint32_t netns, const char *ibdev,
			     uint32_t port, uint64_t timeout_ns, struct vft_port_attrs *out)
{
	struct vft_netns_info info;
	char tried[sizeof(info.path)];
	int err;

	memset(out, 0, sizeof(*out));
	err = vft_netns_map__lookup(m, netns, &info);
	if (err)
		return err == -ENOENT ? -ESRCH : err;
	err = vft_netns__read_port_within(info.path, NULL, ibdev, port, timeout_ns, out);
	if (err != -ESRCH)
		return err;
	/* the path is stale; another process or name may still hold the netns */
	memcpy(tried, info.path, sizeof(tried));
	err = vft_netns_map__rescan(m);
	if (!err)
		err = vft_netns_map__lookup(m, netns, &info);
	if (err)
		return err == -ENOENT ? -ESRCH : err;
	if (!strcmp(info.path, tried))
		return -ESRCH;
	return vft_netns__read_port_within(info.path, NULL, ibdev, port, timeout_ns, out);
}
