// SPDX-License-Identifier: GPL-2.0-only
/*
 * runtime.c - the pod sandboxes of containerd and CRI-O, read with json-c
 * from the OCI specs they keep under /run (runtime.h says which files and
 * which annotations), into a table sorted by runtime and id.
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
#include <sys/stat.h>
#include <unistd.h>
#include <json-c/json.h>
#include "enrich/runtime.h"
#include "lib/util.h"

#define CONTAINERD_DIR "/run/containerd/io.containerd.runtime.v2.task/k8s.io"
#define CRIO_DIR "/run/containers/storage/overlay-containers"

/* Where each runtime keeps its sandboxes' specs and which annotations name the pod. */
struct rt_layout {
	uint32_t kind;
	const char *dir;     /* one directory per container under it */
	const char *file;    /* the spec, relative to a container's directory */
	const char *type;    /* the container type annotation ("sandbox" or "container") */
	const char *name[2]; /* pod name annotations, in order of preference */
	const char *ns[2];
	const char *uid[2];
};

static const struct rt_layout layouts[] = {
	{
		.kind = VFT_RUNTIME_CONTAINERD,
		.dir = CONTAINERD_DIR,
		.file = "config.json",
		.type = "io.kubernetes.cri.container-type",
		.name = { "io.kubernetes.cri.sandbox-name" },
		.ns = { "io.kubernetes.cri.sandbox-namespace" },
		.uid = { "io.kubernetes.cri.sandbox-uid" },
	},
	{
		.kind = VFT_RUNTIME_CRIO,
		.dir = CRIO_DIR,
		.file = "userdata/config.json",
		.type = "io.kubernetes.cri-o.ContainerType",
		.name = { "io.kubernetes.pod.name", "io.kubernetes.cri-o.KubeName" },
		.ns = { "io.kubernetes.pod.namespace", "io.kubernetes.cri-o.Namespace" },
		.uid = { "io.kubernetes.pod.uid" },
	},
};

struct sb_table {
	struct vft_sandbox *v;
	size_t n, cap;
};

struct vft_runtime {
	char root[PATH_MAX]; /* "" for the live system */
	struct sb_table t;
	struct vft_runtime_stats stats;
};

/* Why an entry was skipped (counted in the stats), or 0 when it was kept. */
enum skip {
	KEPT = 0,
	SKIP_CONTAINER,
	SKIP_HOST_NETNS,
	SKIP_TOO_BIG,
	SKIP_BAD_JSON,
	SKIP_INCOMPLETE,
	SKIP_BAD_VALUE,
	SKIP_UNREADABLE,
	SKIP_GONE, /* removed while we read: the pod went away, not counted */
};

static void count_skip(struct vft_runtime_stats *s, enum skip why)
{
	switch (why) {
	case SKIP_CONTAINER:
		s->containers++;
		break;
	case SKIP_HOST_NETNS:
		s->host_netns++;
		break;
	case SKIP_TOO_BIG:
		s->too_big++;
		break;
	case SKIP_BAD_JSON:
		s->bad_json++;
		break;
	case SKIP_INCOMPLETE:
		s->incomplete++;
		break;
	case SKIP_BAD_VALUE:
		s->bad_value++;
		break;
	case SKIP_UNREADABLE:
		s->unreadable++;
		break;
	case KEPT:
	case SKIP_GONE:
		break;
	}
}

/*
 * Reads the file @path (at most VFT_RUNTIME_FILE_MAX bytes) into a
 * NUL-terminated *buf (free() it). Returns its length, -EFBIG when larger,
 * or -errno.
 */
static long read_capped(const char *path, char **buf)
{
	struct stat st;
	char *b = NULL;
	long ret;
	int fd;

	*buf = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st)) {
		ret = -errno;
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		ret = -EINVAL;
		goto out;
	}
	if (st.st_size > VFT_RUNTIME_FILE_MAX) {
		ret = -EFBIG;
		goto out;
	}
	/* one byte more than fstat() said tells a file that grew since: being rewritten */
	b = malloc((size_t)st.st_size + 2);
	if (!b) {
		ret = -ENOMEM;
		goto out;
	}
	ret = vft_read_all(fd, b, (size_t)st.st_size + 1);
	if (ret < 0)
		goto out;
	if (ret > st.st_size) {
		ret = -EAGAIN;
		goto out;
	}
	b[ret] = '\0';
	*buf = b;
	b = NULL;
out:
	free(b);
	close(fd);
	return ret;
}

/*
 * The string annotation @key of @ann copied into @buf: 1 when copied, 0 when
 * absent (or not a string), -EINVAL when it does not fit @size or holds a
 * control character (a NUL included).
 */
static int annotation(struct json_object *ann, const char *key, char *buf, size_t size)
{
	struct json_object *s;
	const char *str;
	size_t len, i;

	if (!key || !json_object_object_get_ex(ann, key, &s) ||
	    !json_object_is_type(s, json_type_string))
		return 0;
	str = json_object_get_string(s);
	len = (size_t)json_object_get_string_len(s);
	if (!len)
		return 0;
	if (len >= size)
		return -EINVAL;
	for (i = 0; i < len; i++)
		if ((unsigned char)str[i] < 0x20 || str[i] == 0x7f)
			return -EINVAL;
	memcpy(buf, str, len + 1);
	return 1;
}

/* The first of @keys present: 1, 0 when none is, -EINVAL as annotation() says. */
static int annotation_of(struct json_object *ann, const char *const keys[2], char *buf, size_t size)
{
	int i, ret;

	for (i = 0; i < 2; i++) {
		ret = annotation(ann, keys[i], buf, size);
		if (ret)
			return ret;
	}
	return 0;
}

/*
 * The path of the spec's linux.namespaces entry of type "network" into
 * @buf: 1, 0 when there is none or it has no path (the host's netns, or one
 * the runtime did not pin), -EINVAL when the path does not fit or is not
 * absolute.
 */
static int netns_path(struct json_object *top, char *buf, size_t size)
{
	struct json_object *lx, *nss, *ns, *type, *path;
	size_t i, n;

	if (!json_object_object_get_ex(top, "linux", &lx) ||
	    !json_object_object_get_ex(lx, "namespaces", &nss) ||
	    !json_object_is_type(nss, json_type_array))
		return 0;
	n = json_object_array_length(nss);
	for (i = 0; i < n; i++) {
		ns = json_object_array_get_idx(nss, i);
		if (!json_object_object_get_ex(ns, "type", &type) ||
		    !json_object_is_type(type, json_type_string) ||
		    strcmp(json_object_get_string(type), "network"))
			continue;
		if (!json_object_object_get_ex(ns, "path", &path))
			return 0;
		if (annotation(ns, "path", buf, size) <= 0)
			return json_object_get_string_len(path) ? -EINVAL : 0;
		return buf[0] == '/' ? 1 : -EINVAL;
	}
	return 0;
}

/*
 * The /run/netns name of @path ("/var/run/netns/cni-1" -> "cni-1") into
 * @name ("" when the path is elsewhere), and its inode under @root (0 when
 * it does not stat). /var/run is /run on every distribution that runs a
 * kubelet; it is rewritten so that a root prefix never follows the
 * absolute link /var/run -> /run out of the tree.
 */
static void netns_of_path(const char *root, const char *path, char *name, size_t nsize,
			  uint32_t *ino)
{
	char rel[PATH_MAX], full[PATH_MAX];
	const char *base;
	struct stat st;

	*ino = 0;
	name[0] = '\0';
	if (!strncmp(path, "/var/run/", 9))
		snprintf(rel, sizeof(rel), "%s", path + 4);
	else
		snprintf(rel, sizeof(rel), "%s", path);
	if (!strncmp(rel, "/run/netns/", 11)) {
		base = rel + 11;
		if (*base && !strchr(base, '/') && strlen(base) < nsize)
			memcpy(name, base, strlen(base) + 1);
	}
	if (vft_path(full, sizeof(full), root, rel) || stat(full, &st) || !st.st_ino ||
	    st.st_ino > UINT32_MAX)
		return;
	*ino = (uint32_t)st.st_ino;
}

/* The JSON text @buf of @len bytes as an object, or NULL (not JSON, junk after it). */
static struct json_object *parse_object(const char *buf, long len)
{
	struct json_tokener *tok = json_tokener_new();
	struct json_object *top = NULL;
	size_t i;

	if (!tok)
		return NULL;
	top = json_tokener_parse_ex(tok, buf, (int)len);
	if (json_tokener_get_error(tok) != json_tokener_success || !top ||
	    !json_object_is_type(top, json_type_object))
		goto bad;
	for (i = json_tokener_get_parse_end(tok); i < (size_t)len; i++)
		if (!strchr(" \t\r\n", buf[i]))
			goto bad;
	json_tokener_free(tok);
	return top;
bad:
	json_object_put(top);
	json_tokener_free(tok);
	return NULL;
}

/*
 * Reads the spec of container @id of @l into @sb. Returns KEPT or why it was
 * skipped (after a debug line naming the file); -ENOMEM as a negative value.
 */
static int read_one(const char *root, const struct rt_layout *l, const char *id,
		    struct vft_sandbox *sb)
{
	char rel[PATH_MAX], path[PATH_MAX], type[16];
	struct json_object *top = NULL, *ann;
	const char *why = NULL;
	char *buf = NULL;
	int ret, e1, e2, e3, e4;
	long len;

	memset(sb, 0, sizeof(*sb));
	sb->runtime = l->kind;
	snprintf(rel, sizeof(rel), "%s/%s/%s", l->dir, id, l->file);
	ret = vft_path(path, sizeof(path), root, rel);
	if (ret) {
		why = "path too long";
		ret = SKIP_UNREADABLE;
		goto out;
	}
	len = read_capped(path, &buf);
	if (len == -ENOMEM) {
		ret = -ENOMEM;
		goto out;
	}
	if (len == -ENOENT || len == -ENOTDIR) {
		/* a container being made or removed, or a directory that is not one */
		ret = SKIP_GONE;
		goto out;
	}
	if (len == -EFBIG) {
		why = "larger than the cap (VFT_RUNTIME_FILE_MAX)";
		ret = SKIP_TOO_BIG;
		goto out;
	}
	if (len < 0) {
		why = len == -EAGAIN ? "changed while read" : "cannot be read";
		ret = SKIP_UNREADABLE;
		goto out;
	}
	top = parse_object(buf, len);
	if (!top || !json_object_object_get_ex(top, "annotations", &ann) ||
	    !json_object_is_type(ann, json_type_object)) {
		why = "not an OCI spec with annotations (bad JSON)";
		ret = SKIP_BAD_JSON;
		goto out;
	}
	if (annotation(ann, l->type, type, sizeof(type)) <= 0 || strcmp(type, "sandbox")) {
		ret = SKIP_CONTAINER;
		goto out;
	}
	e1 = annotation_of(ann, l->name, sb->pod_name, sizeof(sb->pod_name));
	e2 = annotation_of(ann, l->ns, sb->pod_ns, sizeof(sb->pod_ns));
	e3 = annotation_of(ann, l->uid, sb->pod_uid, sizeof(sb->pod_uid));
	e4 = netns_path(top, sb->netns_path, sizeof(sb->netns_path));
	if (e1 < 0 || e2 < 0 || e3 < 0 || e4 < 0) {
		why = "a pod name, namespace, UID or netns path too long or not text";
		ret = SKIP_BAD_VALUE;
		goto out;
	}
	if (!e1 || !e2) {
		why = "a sandbox without its pod name or namespace annotation";
		ret = SKIP_INCOMPLETE;
		goto out;
	}
	if (!e4) {
		ret = SKIP_HOST_NETNS;
		goto out;
	}
	memcpy(sb->id, id, strlen(id) + 1);
	netns_of_path(root, sb->netns_path, sb->netns_name, sizeof(sb->netns_name), &sb->netns);
	ret = KEPT;
out:
	if (why)
		vft_debug("runtime: %s: %s, skipped\n", rel, why);
	json_object_put(top);
	free(buf);
	return ret;
}

/* Appends @sb. Returns 0 or -ENOMEM. */
static int table_add(struct sb_table *t, const struct vft_sandbox *sb)
{
	struct vft_sandbox *grown;
	size_t cap;

	if (t->n == t->cap) {
		cap = t->cap ? t->cap * 2 : 16;
		grown = realloc(t->v, cap * sizeof(*grown));
		if (!grown)
			return -ENOMEM;
		t->v = grown;
		t->cap = cap;
	}
	t->v[t->n++] = *sb;
	return 0;
}

/* Every container directory of @l; a missing state directory has none. */
static int scan_layout(const char *root, const struct rt_layout *l, struct sb_table *t,
		       struct vft_runtime_stats *s)
{
	struct vft_sandbox sb;
	char dpath[PATH_MAX];
	struct dirent *de;
	DIR *dir = NULL;
	size_t seen = 0;
	int err;

	err = vft_path(dpath, sizeof(dpath), root, l->dir);
	if (err)
		goto out;
	dir = opendir(dpath);
	if (!dir) {
		err = errno == ENOENT || errno == ENOTDIR ? 0 : -errno;
		if (err)
			vft_debug("runtime: %s: %s, %s sandboxes unknown\n", l->dir, strerror(-err),
				  vft_runtime__kind_name(l->kind));
		/* not ours to read (no privilege): the pods stay unknown, as without it */
		err = 0;
		goto out;
	}
	while ((de = readdir(dir))) {
		if (de->d_name[0] == '.')
			continue;
		if (++seen > VFT_RUNTIME_MAX_ENTRIES) {
			s->over_limit++;
			continue;
		}
		if (strlen(de->d_name) >= sizeof(sb.id)) {
			vft_debug("runtime: %s/%s: id too long, skipped\n", l->dir, de->d_name);
			s->bad_value++;
			continue;
		}
		err = read_one(root, l, de->d_name, &sb);
		if (err < 0)
			goto out;
		if (err != SKIP_GONE)
			s->read++;
		if (err != KEPT) {
			count_skip(s, err);
			continue;
		}
		err = table_add(t, &sb);
		if (err)
			goto out;
		s->sandboxes++;
	}
	if (s->over_limit)
		vft_debug("runtime: %s: more than %d entries, %llu not read\n", l->dir,
			  VFT_RUNTIME_MAX_ENTRIES, (unsigned long long)s->over_limit);
	err = 0;
out:
	if (dir)
		closedir(dir);
	return err;
}

static int cmp_sandbox(const void *a, const void *b)
{
	const struct vft_sandbox *x = a, *y = b;

	if (x->runtime != y->runtime)
		return x->runtime < y->runtime ? -1 : 1;
	return strcmp(x->id, y->id);
}

int vft_runtime__rescan(struct vft_runtime *rt)
{
	struct vft_runtime_stats s = { 0 };
	struct sb_table t = { 0 };
	size_t i;
	int err = 0;

	for (i = 0; i < ARRAY_SIZE(layouts); i++) {
		err = scan_layout(rt->root, &layouts[i], &t, &s);
		if (err)
			goto out;
	}
	if (t.n)
		qsort(t.v, t.n, sizeof(*t.v), cmp_sandbox);
	free(rt->t.v);
	rt->t = t;
	rt->stats = s;
	memset(&t, 0, sizeof(t));
out:
	free(t.v);
	return err;
}

int vft_runtime__new(const char *root, struct vft_runtime **out)
{
	struct vft_runtime *rt;
	int err;

	*out = NULL;
	rt = calloc(1, sizeof(*rt));
	if (!rt) {
		err = -ENOMEM;
		goto out;
	}
	/* vft_path() with an empty path gives the prefix itself, "" for the live system */
	err = vft_path(rt->root, sizeof(rt->root), root, "");
	if (err)
		goto out;
	err = vft_runtime__rescan(rt);
	if (err)
		goto out;
	*out = rt;
	rt = NULL;
out:
	vft_runtime__free(rt);
	return err;
}

size_t vft_runtime__count(const struct vft_runtime *rt)
{
	return rt->t.n;
}

const struct vft_sandbox *vft_runtime__get(const struct vft_runtime *rt, size_t i)
{
	return i < rt->t.n ? &rt->t.v[i] : NULL;
}

int vft_runtime__pod_by_netns(const struct vft_runtime *rt, uint32_t netns, const char *name,
			      struct vft_sandbox *out)
{
	const struct vft_sandbox *sb;
	size_t i;

	memset(out, 0, sizeof(*out));
	if (!rt)
		return -ENOENT;
	for (i = 0; netns && i < rt->t.n; i++) {
		sb = &rt->t.v[i];
		if (sb->netns == netns)
			goto found;
	}
	/* a path that did not stat (another mount namespace's /run) still names it */
	for (i = 0; name && name[0] && i < rt->t.n; i++) {
		sb = &rt->t.v[i];
		if (sb->netns_name[0] && !strcmp(sb->netns_name, name))
			goto found;
	}
	return -ENOENT;
found:
	*out = *sb;
	return 0;
}

void vft_runtime__stats(const struct vft_runtime *rt, struct vft_runtime_stats *out)
{
	*out = rt->stats;
}

const char *vft_runtime__kind_name(uint32_t kind)
{
	switch (kind) {
	case VFT_RUNTIME_CONTAINERD:
		return "containerd";
	case VFT_RUNTIME_CRIO:
		return "cri-o";
	}
	return NULL;
}

void vft_runtime__free(struct vft_runtime *rt)
{
	if (!rt)
		return;
	free(rt->t.v);
	free(rt);
}
