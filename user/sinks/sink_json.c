// SPDX-License-Identifier: GPL-2.0-only
/*
 * sink_json.c - JSON Lines output. The schema is documented in docs/json.md;
 * scripts depend on it, so fields are only ever added.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <json-c/json.h>
#include "enrich/cgroup.h"
#include "model/cni.h"
#include "model/kinds.h"
#include "model/vfcfg.h"
#include "sinks/sink.h"
#include "lib/util.h"

static void add_str(struct json_object *o, const char *key, const char *val)
{
	char clean[256];

	vft_utf8_sanitize(clean, val, sizeof(clean));
	json_object_object_add(o, key, json_object_new_string(clean));
}

static void add_int(struct json_object *o, const char *key, int64_t val)
{
	json_object_object_add(o, key, json_object_new_int64(val));
}

static void add_ts(struct json_object *o, uint64_t wall_ns)
{
	char ts[64];

	vft_fmt_rfc3339(ts, sizeof(ts), wall_ns);
	add_str(o, "ts", ts);
	add_int(o, "ts_ns", (int64_t)wall_ns);
}

static void add_guid(struct json_object *o, const char *key, uint64_t guid)
{
	char buf[24];

	vft_fmt_guid(buf, sizeof(buf), guid);
	add_str(o, key, buf);
}

static void add_netdev(struct json_object *o, const struct vft_event *ev)
{
	if (!ev->ifname[0] && !ev->ifindex)
		return;
	add_str(o, "ifname", ev->ifname);
	add_int(o, "ifindex", ev->ifindex);
	add_int(o, "netns", ev->netns);
}

static void add_str_or_null(struct json_object *o, const char *key, const char *val)
{
	if (val && val[0])
		add_str(o, key, val);
	else
		json_object_object_add(o, key, NULL);
}

/*
 * The JSON of each field group of a kind (kinds.h), in the order of enum
 * vft_field. The groups every kind may carry are written by presence in
 * vft_event__to_json(); NUMA, IFF and LOST are not written.
 */
static void json_move(struct json_object *o, const struct vft_event *ev)
{
	add_int(o, "from_netns", ev->from_netns);
	add_int(o, "to_netns", ev->to_netns);
	add_int(o, "new_ifindex", ev->new_ifindex);
	if (ev->new_ifname[0])
		add_str(o, "new_ifname", ev->new_ifname);
}

/* the name asked for; a rename seen without it is reported to the same name */
static void json_new_ifname(struct json_object *o, const struct vft_event *ev)
{
	add_str(o, "new_ifname", ev->new_ifname[0] ? ev->new_ifname : ev->ifname);
}

static void json_link(struct json_object *o, const struct vft_event *ev)
{
	add_int(o, "flags", ev->flags);
	add_int(o, "old_flags", ev->old_flags);
	json_object_object_add(o, "up", json_object_new_boolean(ev->flags & 1));
	json_object_object_add(o, "was_up", json_object_new_boolean(ev->old_flags & 1));
}

static void json_addr(struct json_object *o, const struct vft_event *ev)
{
	char abuf[64];

	add_str(o, "family", ev->family == 10 ? "inet6" : "inet");
	vft_fmt_addr(abuf, sizeof(abuf), ev->family, ev->addr);
	add_str(o, "address", abuf);
	add_int(o, "prefixlen", ev->prefixlen);
}

static void json_driver(struct json_object *o, const struct vft_event *ev)
{
	add_str(o, "device", ev->device);
	add_str(o, "driver", ev->driver);
}

static void json_numvfs(struct json_object *o, const struct vft_event *ev)
{
	add_str(o, "pf", ev->pf);
	add_int(o, "num_vfs", ev->num_vfs);
	add_int(o, "old_num_vfs", ev->old_num_vfs);
}

static void json_vf(struct json_object *o, const struct vft_event *ev)
{
	add_str(o, "pf", ev->pf);
	add_int(o, "vf_index", ev->vf_index);
	if (ev->device[0])
		add_str(o, "vf", ev->device);
}

static void json_vfcfg(struct json_object *o, const struct vft_event *ev)
{
	const char *name = vft_vf_setting__name(ev->vf_setting);
	char buf[24];
	uint64_t v = ev->vf_value;

	if (!name) {
		add_int(o, "setting", ev->vf_setting);
		add_int(o, "value", (int64_t)v);
		return;
	}
	add_str(o, "setting", name);
	switch (ev->vf_setting) {
	case VFT_VF_MAC:
		vft_vf_mac__fmt(buf, sizeof(buf), v);
		add_str(o, "mac", buf);
		break;
	case VFT_VF_VLAN:
		add_int(o, "vlan", v & 0xffff);
		add_int(o, "qos", v >> 16 & 0xffff);
		snprintf(buf, sizeof(buf), "0x%04x", (unsigned int)(v >> 32 & 0xffff));
		add_str(o, "vlan_proto", buf);
		break;
	case VFT_VF_TX_RATE:
		add_int(o, "max_tx_rate", (int64_t)v);
		break;
	case VFT_VF_RATE:
		add_int(o, "min_tx_rate", (uint32_t)v);
		add_int(o, "max_tx_rate", v >> 32);
		break;
	case VFT_VF_LINK_STATE:
		add_str(o, "link_state", vft_vf_link_state__name((uint32_t)v) ?: "?");
		break;
	case VFT_VF_NODE_GUID:
	case VFT_VF_PORT_GUID:
		add_guid(o, "guid", v);
		break;
	default: /* spoofchk, trust, query_rss */
		json_object_object_add(o, "on", json_object_new_boolean(v != 0));
		break;
	}
}

static void json_rdma(struct json_object *o, const struct vft_event *ev)
{
	add_str(o, "ibdev", ev->ibdev);
	if (ev->node_guid)
		add_guid(o, "node_guid", ev->node_guid);
}

static void json_new_ibdev(struct json_object *o, const struct vft_event *ev)
{
	add_str(o, "new_ibdev", ev->new_ibdev);
}

/* the hook reads the target from the caller's namespace fd: 0 when it could not */
static void json_rdma_netns(struct json_object *o, const struct vft_event *ev)
{
	if (ev->to_netns)
		add_int(o, "to_netns", ev->to_netns);
}

static void json_port(struct json_object *o, const struct vft_event *ev)
{
	add_int(o, "port", ev->port);
}

static void json_port_event(struct json_object *o, const struct vft_event *ev)
{
	const char *name = vft_ib_event__name(ev->port_event);

	if (name)
		add_str(o, "port_event", name);
	else
		add_int(o, "port_event", ev->port_event);
}

/* the rdma_port_state snapshots and enriched port events carry the attributes */
static void json_port_attrs(struct json_object *o, const struct vft_event *ev)
{
	if (!ev->has_port_attrs)
		return;
	add_str(o, "state", vft_port_state__name(ev->port_state) ?: "unknown");
	if (ev->phys_state)
		add_int(o, "phys_state", ev->phys_state);
	add_int(o, "lid", ev->lid);
	add_int(o, "sm_lid", ev->sm_lid);
	if (ev->port_guid)
		add_guid(o, "port_guid", ev->port_guid);
	if (ev->link_layer[0])
		add_str(o, "link_layer", ev->link_layer);
	add_int(o, "gids", ev->n_gids);
	add_int(o, "rocev2_gids", ev->n_rocev2_gids);
	add_int(o, "ip_gids", ev->n_ip_gids);
}

static void json_netns_info(struct json_object *o, const struct vft_event *ev)
{
	add_int(o, "netns", ev->netns);
	json_object_object_add(o, "host", json_object_new_boolean(ev->netns_host));
	add_str_or_null(o, "netns_name", ev->netns_name);
	add_str_or_null(o, "pod", ev->pod_uid);
	add_str_or_null(o, "container", ev->container);
	/* only when known: a capture made before them replays as it did */
	if (ev->pod_name[0]) {
		add_str_or_null(o, "pod_namespace", ev->pod_ns);
		add_str(o, "pod_name", ev->pod_name);
	}
	if (vft_pod_source__name(ev->pod_source))
		add_str(o, "pod_source", vft_pod_source__name(ev->pod_source));
}

static void json_cni(struct json_object *o, const struct vft_event *ev)
{
	static const char *const cuts[] = { "path", "args", "var", "env" };
	struct json_object *pod = NULL, *cut = NULL;
	int code = vft_cni_exit_code(ev->cni_status);
	size_t i;

	add_str_or_null(o, "command", ev->cni_command);
	add_str(o, "plugin", vft_cni_plugin(ev));
	add_str_or_null(o, "path", ev->actor.exe);
	add_str_or_null(o, "container_id", ev->container);
	add_str_or_null(o, "netns_path", ev->cni_netns);
	if (ev->pod_name[0] || ev->pod_ns[0] || ev->pod_uid[0]) {
		pod = json_object_new_object();
		add_str_or_null(pod, "namespace", ev->pod_ns);
		add_str_or_null(pod, "name", ev->pod_name);
		add_str_or_null(pod, "uid", ev->pod_uid);
	}
	json_object_object_add(o, "pod", pod);
	if (code >= 0)
		add_int(o, "exit_code", code);
	else
		json_object_object_add(o, "exit_code", NULL);
	if (vft_cni_signal(ev->cni_status))
		add_int(o, "signal", vft_cni_signal(ev->cni_status));
	add_int(o, "duration_ns", (int64_t)ev->cni_duration_ns);
	add_int(o, "ppid", ev->cni_ppid);
	json_object_object_add(o, "ipam",
			       json_object_new_boolean(ev->cni_flags & VFT_CNI_EV_CHILD));
	json_object_object_add(o, "by_env",
			       json_object_new_boolean(ev->cni_flags & VFT_CNI_EV_BY_ENV));
	for (i = 0; i < ARRAY_SIZE(cuts); i++) {
		if (!(ev->cni_flags & 1u << (VFT_CNI_EV_CUT_SHIFT + i)))
			continue;
		if (!cut)
			cut = json_object_new_array();
		json_object_array_add(cut, json_object_new_string(cuts[i]));
	}
	if (ev->cni_flags & (VFT_CNI_EV_CUT_POD | VFT_CNI_EV_CUT_FIELD)) {
		if (!cut)
			cut = json_object_new_array();
		if (ev->cni_flags & VFT_CNI_EV_CUT_POD)
			json_object_array_add(cut, json_object_new_string("pod"));
		if (ev->cni_flags & VFT_CNI_EV_CUT_FIELD)
			json_object_array_add(cut, json_object_new_string("field"));
	}
	if (cut)
		json_object_object_add(o, "truncated", cut);
}

static void (*const json_fields[VFT_FIELD_MAX])(struct json_object *o,
						const struct vft_event *ev) = {
	[VFT_FIELD_MOVE] = json_move,
	[VFT_FIELD_NEW_IFNAME] = json_new_ifname,
	[VFT_FIELD_LINK] = json_link,
	[VFT_FIELD_ADDR] = json_addr,
	[VFT_FIELD_DRIVER] = json_driver,
	[VFT_FIELD_NUMVFS] = json_numvfs,
	[VFT_FIELD_VF] = json_vf,
	[VFT_FIELD_VFCFG] = json_vfcfg,
	[VFT_FIELD_RDMA] = json_rdma,
	[VFT_FIELD_NEW_IBDEV] = json_new_ibdev,
	[VFT_FIELD_RDMA_NETNS] = json_rdma_netns,
	[VFT_FIELD_PORT] = json_port,
	[VFT_FIELD_PORT_EVENT] = json_port_event,
	[VFT_FIELD_PORT_ATTRS] = json_port_attrs,
	[VFT_FIELD_NETNS_INFO] = json_netns_info,
	[VFT_FIELD_CNI] = json_cni,
};

struct json_object *vft_vf_ref__to_json(const struct vft_vf_ref *ref)
{
	struct json_object *o = json_object_new_object();

	add_str(o, "key", ref->key);
	add_str_or_null(o, "pci", ref->pci);
	add_str_or_null(o, "ifname", ref->ifname);
	if (ref->netns)
		add_int(o, "netns", ref->netns);
	else
		json_object_object_add(o, "netns", NULL);
	add_str_or_null(o, "netns_name", ref->netns_name);
	add_str_or_null(o, "pod", ref->pod_uid);
	add_str_or_null(o, "ibdev", ref->ibdev);
	/* only when known by name (docs/json.md) */
	if (ref->pod_name[0]) {
		add_str_or_null(o, "pod_namespace", ref->pod_ns);
		add_str(o, "pod_name", ref->pod_name);
	}
	return o;
}

struct json_object *vft_event__to_json(const struct vft_event *ev, const struct vft_vf *vf)
{
	const struct vft_kind_info *k = vft_kind__get(ev->kind);
	struct json_object *o = json_object_new_object();
	uint32_t fields;
	char ebuf[16];

	if (!o)
		return NULL;
	add_str(o, "type", "event");
	add_str(o, "event", k->name ?: "unknown");
	add_ts(o, ev->ts_ns);
	add_str(o, "source", vft_source__name(ev->source) ?: "unknown");
	add_netdev(o, ev);
	if (ev->parent[0])
		add_str(o, "parent", ev->parent);
	/* the kind's own groups, lowest first */
	for (fields = k->fields & ~VFT_FLD_COMMON; fields; fields &= fields - 1) {
		enum vft_field f = (enum vft_field)__builtin_ctz(fields);

		if (json_fields[f])
			json_fields[f](o, ev);
	}
	if (ev->has_ret) {
		add_int(o, "ret", ev->ret);
		if (ev->ret < 0)
			add_str(o, "errno", vft_errno_name(ev->ret, ebuf, sizeof(ebuf)));
	}
	if (ev->message[0])
		add_str(o, "message", ev->message);
	if (ev->has_actor) {
		struct json_object *a = json_object_new_object();

		add_int(a, "pid", ev->actor.pid);
		add_int(a, "tid", ev->actor.tid);
		add_str(a, "comm", ev->actor.comm);
		add_int(a, "netns", ev->actor.netns);
		add_int(a, "cgroup_id", (int64_t)ev->actor.cgroup_id);
		if (ev->actor.cgroup[0]) {
			char unit[128], pod[40];

			add_str(a, "cgroup", ev->actor.cgroup);
			if (!vft_cgroup__unit(ev->actor.cgroup, unit, sizeof(unit)))
				add_str(a, "unit", unit);
			if (!vft_cgroup__pod(ev->actor.cgroup, pod, sizeof(pod), NULL, 0))
				add_str(a, "pod", pod);
		}
		if (ev->actor.exe[0])
			add_str(a, "exe", ev->actor.exe);
		json_object_object_add(o, "actor", a);
	} else if (vft_context__name(ev->context)) {
		/* the kernel ran in interrupt context: the current task did not act */
		json_object_object_add(o, "actor", NULL);
		add_str(o, "context", vft_context__name(ev->context));
	}
	if (vf)
		add_str(o, "vf", vf->ref.key);
	else if (ev->vf_key[0])
		add_str(o, "vf", ev->vf_key);
	return o;
}

struct json_object *vft_finding__to_json(const struct vft_finding *f)
{
	struct json_object *o = json_object_new_object(), *a;
	char ebuf[16], ts[64];

	if (!o)
		return NULL;
	add_str(o, "type", f->resolved ? "resolved" : "finding");
	add_int(o, "id", (int64_t)f->id);
	add_str(o, "code", vft_finding__name(f->code) ?: "unknown");
	add_str(o, "severity", vft_severity__name(f->severity) ?: "unknown");
	if (f->resolved) {
		add_ts(o, f->resolved_ns);
		vft_fmt_rfc3339(ts, sizeof(ts), f->ts_ns);
		add_str(o, "raised", ts);
		add_int(o, "after_ms",
			(int64_t)(f->resolved_ns > f->ts_ns ?
					  (f->resolved_ns - f->ts_ns) / 1000000 :
					  0));
		add_str(o, "by", f->resolved_by);
		json_object_object_add(o, "vf", vft_vf_ref__to_json(&f->vf));
		return o;
	}
	add_ts(o, f->ts_ns);
	vft_fmt_rfc3339(ts, sizeof(ts), f->since_ns);
	add_str(o, "since", ts);
	json_object_object_add(o, "vf", vft_vf_ref__to_json(&f->vf));
	if (f->has_actor) {
		a = json_object_new_object();
		add_int(a, "pid", f->pid);
		add_str(a, "comm", f->comm);
		add_str_or_null(a, "unit", f->unit);
		json_object_object_add(o, "actor", a);
	} else {
		json_object_object_add(o, "actor", NULL);
	}
	if (f->err) {
		add_str(o, "errno", vft_errno_name(f->err, ebuf, sizeof(ebuf)));
		add_int(o, "ret", f->err);
	} else {
		json_object_object_add(o, "errno", NULL);
	}
	add_str(o, "message", f->message);
	add_str(o, "evidence", f->evidence);
	add_str(o, "remedy", f->remedy ?: "");
	return o;
}

/* Writes one line and frees @o. Returns 0 or -errno (EPIPE: the reader went away). */
int vft_json__write_line(FILE *out, struct json_object *o)
{
	const char *line;
	int err = 0;

	if (!o)
		return -ENOMEM;
	errno = 0;
	line = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
							 JSON_C_TO_STRING_NOSLASHESCAPE);
	if (fputs(line, out) == EOF || fputc('\n', out) == EOF || fflush(out) == EOF)
		err = errno ? -errno : -EIO;
	json_object_put(o);
	return err;
}

static int emit(struct vft_sink *s, struct json_object *o)
{
	return vft_json__write_line(s->out, o);
}

static int json_hooks(struct vft_sink *s, const struct vft_ready *r, const char *type)
{
	struct json_object *o = json_object_new_object(), *hooks = json_object_new_array();
	size_t i;

	add_str(o, "type", type);
	add_str(o, "version", r->version);
	add_str(o, "kernel", r->kernel);
	for (i = 0; i < r->n_hooks; i++) {
		const struct vft_hook_state *st = &r->hooks[i];
		struct json_object *h = json_object_new_object();

		add_str(h, "hook", st->def->name);
		add_str(h, "status", vft_hook_status__name(st->status));
		if (st->def->module)
			add_str(h, "module", st->def->module);
		if (st->status == VFT_HOOK_ATTACHED) {
			add_str(h, "mechanism", vft_mech__name(st->mech));
			add_str(h, "function", st->func);
		} else {
			add_str(h, "reason", st->reason);
		}
		json_object_array_add(hooks, h);
	}
	json_object_object_add(o, "hooks", hooks);
	return emit(s, o);
}

static int json_ready(struct vft_sink *s, const struct vft_ready *r)
{
	return json_hooks(s, r, "ready");
}

static int json_coverage(struct vft_sink *s, const struct vft_ready *r)
{
	return json_hooks(s, r, "coverage");
}

static int json_event(struct vft_sink *s, const struct vft_event *ev, const struct vft_vf *vf)
{
	return emit(s, vft_event__to_json(ev, vf));
}

static int json_finding(struct vft_sink *s, const struct vft_finding *f)
{
	return emit(s, vft_finding__to_json(f));
}

static struct json_object *step_json(const struct vft_step *st)
{
	struct json_object *o = json_object_new_object();
	char ts[64], ebuf[16];

	vft_fmt_rfc3339(ts, sizeof(ts), st->ts_ns);
	add_str(o, "ts", ts);
	add_str(o, "event", vft_kind__name(st->kind) ?: "unknown");
	add_str(o, "text", st->text);
	if (st->ret < 0)
		add_str(o, "errno", vft_errno_name(st->ret, ebuf, sizeof(ebuf)));
	if (st->pid) {
		add_int(o, "pid", st->pid);
		add_str(o, "comm", st->comm);
	}
	return o;
}

static int json_timeline(struct vft_sink *s, const struct vft_vf *vf)
{
	struct json_object *o = json_object_new_object(), *arr, *p;
	char g[24];
	size_t i;

	add_str(o, "type", "vf");
	json_object_object_add(o, "vf", vft_vf_ref__to_json(&vf->ref));
	add_str_or_null(o, "pf", vf->pf);
	if (vf->vf_index >= 0)
		add_int(o, "vf_index", vf->vf_index);
	add_str_or_null(o, "driver", vf->driver);
	if (vf->numa_node >= 0)
		add_int(o, "numa_node", vf->numa_node);
	arr = json_object_new_array();
	for (i = 0; i < vf->n_names; i++)
		json_object_array_add(arr, json_object_new_string(vf->names[i]));
	json_object_object_add(o, "names", arr);
	arr = json_object_new_array();
	for (i = 0; i < vf->n_netns; i++)
		json_object_array_add(arr, json_object_new_int64(vf->netns_hist[i]));
	json_object_object_add(o, "netns_history", arr);
	json_object_object_add(o, "registered", json_object_new_boolean(vf->registered));
	json_object_object_add(o, "up", json_object_new_boolean(vf->up));
	add_int(o, "addresses", vf->n_addrs);
	/* the pod of the CNI ADD that attached it, when one was seen */
	if (vf->pod_name[0] || vf->pod_uid[0]) {
		p = json_object_new_object();
		add_str_or_null(p, "namespace", vf->pod_ns);
		add_str_or_null(p, "name", vf->pod_name);
		add_str_or_null(p, "uid", vf->pod_uid);
		json_object_object_add(o, "cni_pod", p);
	}
	if (vf->has_port) {
		p = json_object_new_object();
		add_int(p, "port", vf->port);
		add_str(p, "state", vft_port_state__name(vf->port_state) ?: "unknown");
		add_int(p, "lid", vf->lid);
		add_int(p, "sm_lid", vf->sm_lid);
		vft_fmt_guid(g, sizeof(g), vf->port_guid);
		add_str(p, "port_guid", g);
		add_str(p, "link_layer", vf->link_layer);
		add_int(p, "ip_gids", vf->n_ip_gids);
		json_object_object_add(o, "port", p);
	}
	add_int(o, "findings", vf->n_findings);
	add_int(o, "open", vf->n_open);
	arr = json_object_new_array();
	/* NULL only if rendering the steps ran out of memory */
	for (i = 0; vf->steps && i < vf->n_steps; i++)
		json_object_array_add(arr, step_json(&vf->steps[i]));
	json_object_object_add(o, "steps", arr);
	add_int(o, "steps_dropped", (int64_t)vf->steps_dropped);
	return emit(s, o);
}

static int json_lost(struct vft_sink *s, uint64_t delta, uint64_t total, uint64_t wall_ns)
{
	struct json_object *o = json_object_new_object();

	add_str(o, "type", "lost");
	add_ts(o, wall_ns);
	add_int(o, "count", (int64_t)delta);
	add_int(o, "total", (int64_t)total);
	return emit(s, o);
}

/* {"CODE": n, ...} for the codes with a count. */
static void add_counts(struct json_object *o, const char *key, const uint64_t *counts)
{
	struct json_object *c = json_object_new_object();
	uint32_t code;

	for (code = 1; code < VFT_F_MAX; code++)
		if (counts[code])
			add_int(c, vft_finding__name(code), (int64_t)counts[code]);
	json_object_object_add(o, key, c);
}

static int json_summary(struct vft_sink *s, const struct vft_summary *sum)
{
	struct json_object *o = json_object_new_object();

	add_str(o, "type", "summary");
	add_int(o, "events", (int64_t)sum->events);
	add_int(o, "lost", (int64_t)sum->lost);
	add_int(o, "vfs", (int64_t)sum->vfs);
	if (sum->checks_skipped)
		add_int(o, "checks_skipped", (int64_t)sum->checks_skipped);
	add_counts(o, "findings", sum->raised);
	add_counts(o, "resolved", sum->resolved);
	return emit(s, o);
}

static int json_capture(struct vft_sink *s, const char *path, const struct vft_capture_header *h)
{
	struct json_object *o = json_object_new_object();
	char ver[16];

	add_str(o, "type", "capture");
	add_str(o, "file", path);
	snprintf(ver, sizeof(ver), "%u.%u", h->major, h->minor);
	add_str(o, "format", ver);
	add_str(o, "hostname", h->hostname);
	add_str(o, "kernel", h->kernel);
	add_str_or_null(o, "boot_id", h->boot_id);
	add_str(o, "version", h->version);
	add_ts(o, h->start_wall_ns);
	add_int(o, "part", h->part);
	return emit(s, o);
}

static const struct vft_sink_ops json_ops = {
	.ready = json_ready,
	.coverage = json_coverage,
	.event = json_event,
	.finding = json_finding,
	.resolved = json_finding,
	.timeline = json_timeline,
	.capture = json_capture,
	.lost = json_lost,
	.summary = json_summary,
};

struct vft_sink *vft_sink_json__new(FILE *out)
{
	struct vft_sink *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->ops = &json_ops;
	s->out = out;
	return s;
}

void vft_sink__free(struct vft_sink *s)
{
	free(s);
}
