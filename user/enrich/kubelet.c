// SPDX-License-Identifier: GPL-2.0-only
/*
 * kubelet.c - the kubelet's device-plugin checkpoint, read with json-c into
 * one row per allocated device.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <json-c/json.h>
#include "enrich/kubelet.h"
#include "enrich/sysfs.h"
#include "lib/util.h"

#define CHECKPOINT "/var/lib/kubelet/device-plugins/kubelet_internal_checkpoint"
/* A checkpoint of thousands of pods is a few MiB; anything far larger is not one. */
#define CHECKPOINT_MAX (64u << 20)

/*
 * Reads all of <root>CHECKPOINT into a NUL-terminated *buf (free() it).
 * Returns its length, or -errno (-ENOENT when missing, -EFBIG when too big).
 */
static ssize_t read_all(const char *root, char **buf)
{
	char path[PATH_MAX];
	size_t len = 0, cap = 0;
	char *b = NULL, *grown;
	ssize_t ret;
	int fd = -1;

	*buf = NULL;
	ret = vft_path(path, sizeof(path), root, CHECKPOINT);
	if (ret)
		goto out;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		goto out;
	}
	for (;;) {
		if (cap - len < 2) {
			if (cap >= CHECKPOINT_MAX) {
				ret = -EFBIG;
				goto out;
			}
			cap = cap ? cap * 2 : 16384;
			grown = realloc(b, cap);
			if (!grown) {
				ret = -ENOMEM;
				goto out;
			}
			b = grown;
		}
		ret = read(fd, b + len, cap - len - 1);
		if (ret < 0 && errno == EINTR)
			continue;
		if (ret < 0) {
			ret = -errno;
			goto out;
		}
		if (!ret)
			break;
		len += ret;
	}
	b[len] = '\0';
	*buf = b;
	b = NULL;
	ret = (ssize_t)len;
out:
	free(b);
	if (fd >= 0)
		close(fd);
	return ret;
}

struct rows {
	struct vft_pod_device *v;
	size_t n, cap;
};

/* A JSON string that fits @size with its NUL (and holds no NUL), or NULL. */
static const char *fitting(struct json_object *s, size_t size)
{
	const char *str = json_object_get_string(s);
	size_t len = (size_t)json_object_get_string_len(s);

	if (len >= size || strlen(str) != len)
		return NULL;
	return str;
}

/* Appends one device of @proto with @id. Returns 0, -EINVAL (not a string) or -ENOMEM. */
static int add_id(struct rows *r, const struct vft_pod_device *proto, struct json_object *id)
{
	struct vft_pod_device *grown, *d;
	const char *s;

	if (!json_object_is_type(id, json_type_string))
		return -EINVAL;
	s = fitting(id, sizeof(d->id));
	if (!s) {
		vft_debug("kubelet checkpoint: pod %s: device id too long, skipped",
			  proto->pod_uid);
		return 0;
	}
	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 32;
		grown = realloc(r->v, r->cap * sizeof(*r->v));
		if (!grown)
			return -ENOMEM;
		r->v = grown;
	}
	d = &r->v[r->n++];
	*d = *proto;
	memcpy(d->id, s, strlen(s) + 1);
	return 0;
}

/* Every id of a JSON list (null: none). Returns 0, -EINVAL or -ENOMEM. */
static int add_list(struct rows *r, const struct vft_pod_device *proto, struct json_object *list)
{
	size_t i, len;
	int err;

	if (!list)
		return 0;
	if (!json_object_is_type(list, json_type_array))
		return -EINVAL;
	len = json_object_array_length(list);
	for (i = 0; i < len; i++) {
		err = add_id(r, proto, json_object_array_get_idx(list, i));
		if (err)
			return err;
	}
	return 0;
}

/* Copies the string member @key of @o into @buf: 0, -EINVAL if absent or not a string, 1 if too long. */
static int member(struct json_object *o, const char *key, char *buf, size_t size)
{
	struct json_object *s;
	const char *str;

	if (!json_object_object_get_ex(o, key, &s) || !json_object_is_type(s, json_type_string))
		return -EINVAL;
	str = fitting(s, size);
	if (!str)
		return 1;
	memcpy(buf, str, strlen(str) + 1);
	return 0;
}

/* One element of PodDeviceEntries. Returns 0, -EINVAL or -ENOMEM. */
static int add_entry(struct rows *r, struct json_object *e)
{
	struct vft_pod_device proto = { .numa_node = -1 };
	struct json_object *ids;
	int32_t node;
	int err, e1, e2, e3;

	if (!json_object_is_type(e, json_type_object))
		return -EINVAL;
	e1 = member(e, "PodUID", proto.pod_uid, sizeof(proto.pod_uid));
	e2 = member(e, "ContainerName", proto.container, sizeof(proto.container));
	e3 = member(e, "ResourceName", proto.resource, sizeof(proto.resource));
	if (e1 < 0 || e2 < 0 || e3 < 0)
		return -EINVAL;
	if (!json_object_object_get_ex(e, "DeviceIDs", &ids))
		ids = NULL;
	if (ids && !json_object_is_type(ids, json_type_object) &&
	    !json_object_is_type(ids, json_type_array))
		return -EINVAL;
	if (e1 || e2 || e3) {
		vft_debug("kubelet checkpoint: an entry with an over-long pod UID, container or"
			  " resource name, skipped");
		return 0;
	}
	if (!ids || json_object_is_type(ids, json_type_array))
		return add_list(r, &proto, ids); /* an older kubelet: a plain list */
	json_object_object_foreach(ids, key, list)
	{
		proto.numa_node = vft_sysfs__parse_s32(key, &node) ? -1 : node;
		err = add_list(r, &proto, list);
		if (err)
			return err;
	}
	return 0;
}

int vft_kubelet__devices(const char *root, struct vft_pod_device **out, size_t *n)
{
	struct json_tokener *tok = NULL;
	struct json_object *top = NULL, *data, *entries;
	struct rows r = { 0 };
	char *buf = NULL;
	ssize_t len;
	size_t i, cnt;
	int err;

	*out = NULL;
	*n = 0;
	len = read_all(root, &buf);
	if (len < 0) {
		err = len == -ENOENT ? 0 : (int)len;
		goto out;
	}
	tok = json_tokener_new();
	if (!tok) {
		err = -ENOMEM;
		goto out;
	}
	top = json_tokener_parse_ex(tok, buf, (int)len);
	err = -EINVAL;
	if (json_tokener_get_error(tok) != json_tokener_success || !top)
		goto out;
	/* nothing but blanks after the object */
	for (i = json_tokener_get_parse_end(tok); i < (size_t)len; i++)
		if (!strchr(" \t\r\n", buf[i]))
			goto out;
	if (!json_object_is_type(top, json_type_object) ||
	    !json_object_object_get_ex(top, "Data", &data) ||
	    !json_object_is_type(data, json_type_object))
		goto out;
	err = 0;
	if (!json_object_object_get_ex(data, "PodDeviceEntries", &entries) || !entries)
		goto out;
	if (!json_object_is_type(entries, json_type_array)) {
		err = -EINVAL;
		goto out;
	}
	cnt = json_object_array_length(entries);
	for (i = 0; i < cnt; i++) {
		err = add_entry(&r, json_object_array_get_idx(entries, i));
		if (err)
			goto out;
	}
	*out = r.v;
	*n = r.n;
	r.v = NULL;
out:
	free(r.v);
	json_object_put(top);
	if (tok)
		json_tokener_free(tok);
	free(buf);
	return err;
}
