// SPDX-License-Identifier: GPL-2.0-only
/*
 * cni.c - the cni kind (cni.h): a CNI plugin run as the kernel side kept it
 * (struct vft_bpf_cni: its path and CNI_ variables) into the event's
 * fields, the pod of its CNI_ARGS, and its two descriptions.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include "model/cni.h"
#include "model/event.h"
#include "model/text.h"
#include "lib/util.h"

/* Copies @n bytes of @v into @dst of @size; returns whether it was cut. */
static bool copy_value(char *dst, size_t size, const char *v, size_t n)
{
	bool cut = n >= size;

	if (cut)
		n = size - 1;
	memcpy(dst, v, n);
	dst[n] = '\0';
	return cut;
}

void vft_cni_args__parse(const char *args, struct vft_event *ev)
{
	static const struct {
		const char *key;
		size_t off, size;
	} keys[] = {
		{ "K8S_POD_NAMESPACE", offsetof(struct vft_event, pod_ns), sizeof(ev->pod_ns) },
		{ "K8S_POD_NAME", offsetof(struct vft_event, pod_name), sizeof(ev->pod_name) },
		{ "K8S_POD_UID", offsetof(struct vft_event, pod_uid), sizeof(ev->pod_uid) },
	};
	const char *p = args, *end, *eq;
	size_t i, klen;

	while (*p) {
		end = p + strcspn(p, ";");
		eq = memchr(p, '=', (size_t)(end - p));
		klen = eq ? (size_t)(eq - p) : 0;
		for (i = 0; eq && i < ARRAY_SIZE(keys); i++) {
			if (klen != strlen(keys[i].key) || memcmp(p, keys[i].key, klen))
				continue;
			if (copy_value((char *)ev + keys[i].off, keys[i].size, eq + 1,
				       (size_t)(end - eq - 1)))
				ev->cni_flags |= VFT_CNI_EV_CUT_POD;
		}
		p = *end ? end + 1 : end;
	}
}

int vft_cni_exit_code(uint32_t status)
{
	return status & 0x7f ? -1 : (int)(status >> 8 & 0xff);
}

int vft_cni_signal(uint32_t status)
{
	return (int)(status & 0x7f);
}

const char *vft_cni_plugin(const struct vft_event *ev)
{
	const char *slash = strrchr(ev->actor.exe, '/');

	if (slash && slash[1])
		return slash + 1;
	return ev->actor.exe[0] ? ev->actor.exe : ev->actor.comm;
}

void vft_cni_pod(const struct vft_event *ev, char *buf, size_t size)
{
	if (!ev->pod_name[0]) {
		buf[0] = '\0';
		return;
	}
	snprintf(buf, size, "%s%s%s", ev->pod_ns, ev->pod_ns[0] ? "/" : "", ev->pod_name);
}

void vft_cni__decode(struct vft_event *ev, const struct vft_bpf_event *r)
{
	const struct vft_cni_strings *s = &((const struct vft_bpf_cni *)r)->s;
	char args[VFT_CNI_ARGS_LEN];
	bool cut = false;

	ev->cni_flags = (r->flags & VFT_F_CNI_CHILD ? VFT_CNI_EV_CHILD : 0) |
			(r->flags & VFT_F_CNI_BY_ENV ? VFT_CNI_EV_BY_ENV : 0) |
			r->u.cni.cut << VFT_CNI_EV_CUT_SHIFT;
	ev->cni_ppid = r->u.cni.ppid;
	ev->cni_status = r->u.cni.exit_code;
	if (r->ts_boot_ns > r->u.cni.start_ns)
		ev->cni_duration_ns = r->ts_boot_ns - r->u.cni.start_ns;
	vft_copy_name(ev->actor.exe, s->path, sizeof(s->path));
	vft_copy_name(ev->cni_netns, s->var[VFT_CNI_NETNS], sizeof(s->var[0]));
	cut |= copy_value(ev->cni_command, sizeof(ev->cni_command), s->var[VFT_CNI_COMMAND],
			  strnlen(s->var[VFT_CNI_COMMAND], sizeof(s->var[0]) - 1));
	cut |= copy_value(ev->container, sizeof(ev->container), s->var[VFT_CNI_CONTAINERID],
			  strnlen(s->var[VFT_CNI_CONTAINERID], sizeof(s->var[0]) - 1));
	cut |= copy_value(ev->ifname, sizeof(ev->ifname), s->var[VFT_CNI_IFNAME],
			  strnlen(s->var[VFT_CNI_IFNAME], sizeof(s->var[0]) - 1));
	if (cut)
		ev->cni_flags |= VFT_CNI_EV_CUT_FIELD;
	vft_copy_name(args, s->args, sizeof(s->args));
	vft_cni_args__parse(args, ev);
}

/* "exit 0 in 52 ms", "killed by signal 9 in 3 ms" */
static void outcome(struct vft_text *t, const struct vft_event *ev)
{
	int code = vft_cni_exit_code(ev->cni_status);

	if (code >= 0) {
		vft_text__str(t, "exit ");
		vft_text__int(t, code);
	} else {
		vft_text__str(t, "killed by signal ");
		vft_text__int(t, vft_cni_signal(ev->cni_status));
	}
	vft_text__str(t, " in ");
	vft_text__dec(t, ev->cni_duration_ns / 1000000);
	vft_text__str(t, " ms");
}

/* "ADD sriov ml/trainer-0 net1" with @plugin; long names are cut (a line fits VFT_DESCRIBE_MAX) */
static void call(struct vft_text *t, const struct vft_event *ev, const char *plugin)
{
	vft_text__str(t, ev->cni_command[0] ? ev->cni_command : "?");
	vft_text__str(t, " ");
	vft_text__strn(t, plugin, 32);
	if (ev->pod_name[0]) {
		vft_text__str(t, " ");
		if (ev->pod_ns[0]) {
			vft_text__str(t, ev->pod_ns);
			vft_text__str(t, "/");
		}
		vft_text__strn(t, ev->pod_name, 128);
	}
	if (ev->ifname[0]) {
		vft_text__str(t, " ");
		vft_text__str(t, ev->ifname);
	}
	vft_text__str(t, " ");
}

void vft_cni__line(struct vft_text *t, const struct vft_event *ev)
{
	vft_text__str(t, " ");
	call(t, ev, vft_cni_plugin(ev));
	outcome(t, ev);
	/* the netns by its inode, else the path that did not resolve */
	if (ev->netns) {
		vft_text__str(t, " netns ");
		vft_text__dec(t, ev->netns);
	} else if (ev->cni_netns[0]) {
		vft_text__str(t, " netns ");
		vft_text__strn(t, ev->cni_netns, 64);
	}
	if (ev->container[0]) {
		vft_text__str(t, " container ");
		vft_text__strn(t, ev->container, 12);
	}
	if (ev->cni_flags & VFT_CNI_EV_CHILD) {
		vft_text__str(t, " for ");
		vft_text__dec(t, ev->cni_ppid);
	}
}

/* The step keeps the comm, not the path: the plugin is named by its comm there. */
void vft_cni__step(struct vft_text *t, const struct vft_event *ev)
{
	vft_text__str(t, "cni ");
	call(t, ev, ev->actor.comm);
	outcome(t, ev);
	if (ev->cni_flags & VFT_CNI_EV_CHILD)
		vft_text__str(t, " (IPAM)");
}
