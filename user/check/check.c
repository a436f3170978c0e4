// SPDX-License-Identifier: GPL-2.0-only
/*
 * check.c - the verdicts of `vftrace check` (see check.h, docs/check.md).
 * The verdicts on an RDMA port (the guid, lid and sm columns) are those of
 * correlate/port_rules.h, the rules of watch's findings; check adds only
 * that a free VF in the host netns is not held to a RoCE GID.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <json-c/json.h>
#include "check/check.h"
#include "correlate/port_rules.h"
#include "sinks/sink.h"
#include "lib/util.h"

#define RED "\033[31m"
#define GREEN "\033[32m"
#define BOLD "\033[1m"
#define RESET "\033[0m"

static const char *const item_names[VFT_CHK_MAX] = {
	[VFT_CHK_GUID] = "guid",
	[VFT_CHK_LID] = "lid",
	[VFT_CHK_SM] = "sm",
	[VFT_CHK_RDMA] = "rdma",
	[VFT_CHK_MAPPING] = "mapping",
	[VFT_CHK_OWNERSHIP] = "ownership",
	[VFT_CHK_TOPOLOGY] = "topology",
};

/* Column titles of the table, in item order. */
static const char *const item_titles[VFT_CHK_MAX] = {
	"GUID", "LID/GID", "SM", "RDMA", "MAPPING", "OWNER", "TOPO",
};

const char *vft_check_item__name(enum vft_check_item item)
{
	return (unsigned int)item < VFT_CHK_MAX ? item_names[item] : NULL;
}

const char *vft_check_status__name(enum vft_check_status s)
{
	return s == VFT_CHK_PASS ? "pass" : s == VFT_CHK_FAIL ? "fail" : "n/a";
}

__attribute__((format(printf, 3, 4))) static void set(struct vft_check_result *r, uint8_t status,
						      const char *fmt, ...)
{
	va_list ap;

	r->status = status;
	va_start(ap, fmt);
	vsnprintf(r->evidence, sizeof(r->evidence), fmt, ap);
	va_end(ap);
}

/* @r from a verdict of port_rules.h on @vf's port: "<ibdev>/<port>: <why>". */
static void port_result(const struct vft_vf *vf, enum vft_port_verdict v, const char *why,
			struct vft_check_result *r)
{
	set(r,
	    v == VFT_PORT_OK  ? VFT_CHK_PASS :
	    v == VFT_PORT_BAD ? VFT_CHK_FAIL :
				VFT_CHK_NA,
	    "%s/%u: %s", vf->ref.ibdev, vf->port, why);
}

static bool no_port(const struct vft_vf *vf, struct vft_check_result *r)
{
	if (vf->ref.ibdev[0] && vf->has_port)
		return false;
	set(r, VFT_CHK_NA, "no RDMA port to read");
	return true;
}

static void check_guid(const struct vft_vf *vf, struct vft_check_result *r)
{
	char why[160];

	if (!no_port(vf, r))
		port_result(vf, vft_port__guid(vf, why, sizeof(why)), why, r);
}

/*
 * InfiniBand: the LID rule (a LID, and ACTIVE); RoCE: a RoCE v2 GID from an
 * IP address, except in the host netns: a free VF gets its address, and so
 * its GID, with its pod (and OWNER wants it without one there).
 */
static void check_lid(const struct vft_vf *vf, uint32_t host_netns, struct vft_check_result *r)
{
	bool in_host = !vf->ref.netns || vf->ref.netns == host_netns;
	enum vft_port_verdict v;
	char why[160];

	if (no_port(vf, r))
		return;
	if (vft_port__is_ib(vf)) {
		port_result(vf, vft_port__lid(vf, why, sizeof(why)), why, r);
		return;
	}
	v = vft_port__ip_gid(vf, why, sizeof(why));
	if (v == VFT_PORT_NA) {
		set(r, VFT_CHK_NA, "%s/%u: link layer '%s'", vf->ref.ibdev, vf->port,
		    vf->link_layer);
	} else if (v == VFT_PORT_BAD && in_host) {
		set(r, VFT_CHK_NA,
		    "%s/%u: %s: none is due in the host netns (the address comes with the pod)",
		    vf->ref.ibdev, vf->port, why);
	} else if (v == VFT_PORT_BAD) {
		set(r, VFT_CHK_FAIL, "%s/%u: %s (%s has %u address%s)", vf->ref.ibdev, vf->port,
		    why, vf->ref.ifname[0] ? vf->ref.ifname : "its netdev", vf->n_addrs,
		    vf->n_addrs == 1 ? "" : "es");
	} else {
		port_result(vf, v, why, r);
	}
}

static void check_sm(const struct vft_vf *vf, struct vft_check_result *r)
{
	char why[160];

	if (!no_port(vf, r))
		port_result(vf, vft_port__sm(vf, why, sizeof(why)), why, r);
}

static void check_rdma(const struct vft_vf *vf, const struct vft_check_facts *f,
		       struct vft_check_result *r)
{
	if (!vf->ref.ibdev[0])
		set(r, VFT_CHK_FAIL, "no RDMA device for %s (is mlx5_ib loaded?)",
		    vf->ref.pci[0] ? vf->ref.pci : vf->ref.ifname);
	else if (f->ib_visible == 0)
		set(r, VFT_CHK_FAIL,
		    "%s is not visible in netns %u (exclusive RDMA netns mode: it was not moved)",
		    vf->ref.ibdev, vf->ref.netns);
	else
		set(r, VFT_CHK_PASS, "%s%s", vf->ref.ibdev,
		    f->ib_visible == 1 ? ", visible in the VF's netns" : "");
}

static bool in_host(const struct vft_vf *vf, uint32_t host_netns)
{
	return !vf->ref.netns || vf->ref.netns == host_netns;
}

/* "4026532261 (trainer-1)" or "4026532261" */
static const char *netns_label(const struct vft_vf *vf, char *buf, size_t size)
{
	snprintf(buf, size, "%u%s%s%s", vf->ref.netns, vf->ref.netns_name[0] ? " (" : "",
		 vf->ref.netns_name, vf->ref.netns_name[0] ? ")" : "");
	return buf;
}

/* The pod of the VF's netns as evidence names it: "ml/trainer-0", else its UID. */
static const char *pod_word(const struct vft_vf_ref *ref, char *buf, size_t size)
{
	return vft_pod_label(buf, size, ref->pod_ns, ref->pod_name, ref->pod_uid);
}

static void check_mapping(const struct vft_vf *vf, const struct vft_check_facts *f,
			  uint32_t host_netns, struct vft_check_result *r)
{
	char nsbuf[96], pod[VFT_POD_NS_LEN + VFT_POD_NAME_LEN];

	if (f->physfn[0] && vf->pf[0] && strcmp(f->physfn, vf->pf)) {
		set(r, VFT_CHK_FAIL, "physfn %s, but PF %s lists it", f->physfn, vf->pf);
		return;
	}
	if (vf->ref.ibdev[0] && f->ib_parent[0] && vf->ref.pci[0] &&
	    strcmp(f->ib_parent, vf->ref.pci)) {
		set(r, VFT_CHK_FAIL, "RDMA device %s belongs to %s, not %s", vf->ref.ibdev,
		    f->ib_parent, vf->ref.pci);
		return;
	}
	if (!vf->registered || !vf->ref.ifname[0]) {
		if (vf->pf[0])
			set(r, VFT_CHK_FAIL, "no netdev for VF %d of %s", vf->vf_index, vf->pf);
		else
			set(r, VFT_CHK_FAIL, "no netdev");
		return;
	}
	if (f->alloc_pod[0] && f->alloc_pod_running && f->alloc_netns != vf->ref.netns) {
		set(r, VFT_CHK_FAIL,
		    "allocated to pod %s (netns %u), but its netdev %s is in netns %u%s%s",
		    f->alloc_pod, f->alloc_netns, vf->ref.ifname, vf->ref.netns,
		    vf->ref.pod_uid[0] || vf->ref.pod_name[0] ? ", pod " : "",
		    pod_word(&vf->ref, pod, sizeof(pod)));
		return;
	}
	if (vf->ref.pod_uid[0] && f->alloc_pod[0] && strcmp(vf->ref.pod_uid, f->alloc_pod)) {
		set(r, VFT_CHK_FAIL, "in pod %s's netns, but allocated to pod %s",
		    pod_word(&vf->ref, pod, sizeof(pod)), f->alloc_pod);
		return;
	}
	if (!vf->pf[0] && !f->alloc_pod[0]) {
		set(r, VFT_CHK_NA, "not an SR-IOV VF");
		return;
	}
	if (vft_ifname_is_cni_temp(vf->ref.ifname)) {
		set(r, VFT_CHK_FAIL,
		    "%s in %s%s%s: a CNI's temporary name, left by an attachment that did not "
		    "complete",
		    vf->ref.ifname, in_host(vf, host_netns) ? "the host netns" : "netns ",
		    in_host(vf, host_netns) ? "" : netns_label(vf, nsbuf, sizeof(nsbuf)),
		    in_host(vf, host_netns) ? " (its host name is lost)" : "");
		return;
	}
	if (!in_host(vf, host_netns) && f->netns_empty) {
		set(r, VFT_CHK_FAIL,
		    "%s is in netns %s, which no process is in: no pod sandbox holds it and "
		    "nothing gave the VF back (orphaned)",
		    vf->ref.ifname, netns_label(vf, nsbuf, sizeof(nsbuf)));
		return;
	}
	set(r, VFT_CHK_PASS, "%s%s%s%s%s%s%s", vf->pf[0] ? "VF of " : "", vf->pf,
	    vf->ref.ibdev[0] ? ", " : "", vf->ref.ibdev,
	    f->alloc_pod[0] ? ", allocated to pod " : "", f->alloc_pod,
	    f->alloc_pod[0] && !f->alloc_pod_running ? " (not running)" : "");
}

static void check_ownership(const struct vft_vf *vf, const struct vft_check_facts *f,
			    uint32_t host_netns, struct vft_check_result *r)
{
	if (!vf->registered || !in_host(vf, host_netns)) {
		set(r, VFT_CHK_NA, "%s", vf->registered ? "in a pod netns" : "no netdev");
		return;
	}
	if (vf->up && vf->n_addrs) {
		set(r, VFT_CHK_FAIL, "%s is up with %u address%s in the host netns%s%s",
		    vf->ref.ifname, vf->n_addrs, vf->n_addrs == 1 ? "" : "es",
		    f->n_claims ? "; " : "", f->n_claims ? f->claims[0] : "");
		return;
	}
	if (f->n_claims) {
		set(r, VFT_CHK_FAIL, "%s%s%s", f->claims[0], f->n_claims > 1 ? "; " : "",
		    f->n_claims > 1 ? f->claims[1] : "");
		return;
	}
	set(r, VFT_CHK_PASS,
	    "%s in the host netns, %s, no running host manager configured for it%s%s%s",
	    vf->ref.ifname, vf->up ? "up without addresses" : "down",
	    f->dormant[0] ? " (configured but not running: " : "", f->dormant,
	    f->dormant[0] ? ")" : "");
}

static bool near(const char *dist)
{
	return !strcmp(dist, "PIX") || !strcmp(dist, "PXB");
}

static void check_topology(const struct vft_vf *vf, const struct vft_check_facts *f,
			   struct vft_check_result *r)
{
	char buf[200] = "";
	size_t off = 0;
	bool ok = true;
	int i;

	if (!f->n_gpus) {
		set(r, VFT_CHK_NA, "%s",
		    f->alloc_pod[0] ? "its pod has no GPU with a known address" :
				      "no pod allocation known");
		return;
	}
	for (i = 0; i < f->n_gpus && off < sizeof(buf); i++) {
		ok = ok && near(f->dist[i]);
		off += snprintf(buf + off, sizeof(buf) - off, "%sGPU %s %s (NUMA %d/%d)",
				i ? ", " : "", f->gpus[i], f->dist[i], vf->numa_node,
				f->gpu_numa[i]);
	}
	if (ok)
		set(r, VFT_CHK_PASS, "%s", buf);
	else
		set(r, VFT_CHK_FAIL,
		    "%s: GPUDirect RDMA wants the NIC under the GPU's switch (PIX/PXB)", buf);
}

void vft_check__row(const struct vft_vf *vf, const struct vft_check_facts *facts,
		    uint32_t host_netns, struct vft_check_row *row)
{
	int i;

	memset(row, 0, sizeof(*row));
	row->ref = vf->ref;
	vft_copy_name(row->pf, vf->pf, sizeof(row->pf));
	row->vf_index = vf->vf_index;
	row->numa_node = vf->numa_node;
	/* a stale allocation (the pod is gone) does not make it the pod's */
	vft_copy_name(row->pod,
		      vf->ref.pod_uid[0]       ? vf->ref.pod_uid :
		      facts->alloc_pod_running ? facts->alloc_pod :
						 "",
		      sizeof(row->pod));
	check_guid(vf, &row->r[VFT_CHK_GUID]);
	check_lid(vf, host_netns, &row->r[VFT_CHK_LID]);
	check_sm(vf, &row->r[VFT_CHK_SM]);
	check_rdma(vf, facts, &row->r[VFT_CHK_RDMA]);
	check_mapping(vf, facts, host_netns, &row->r[VFT_CHK_MAPPING]);
	check_ownership(vf, facts, host_netns, &row->r[VFT_CHK_OWNERSHIP]);
	check_topology(vf, facts, &row->r[VFT_CHK_TOPOLOGY]);
	row->ready = true;
	for (i = 0; i < VFT_CHK_MAX; i++)
		row->ready = row->ready && row->r[i].status != VFT_CHK_FAIL;
}

void vft_check__missing_row(const char *pf, int32_t vf_index, const char *bdf,
			    struct vft_check_row *row)
{
	int i;

	memset(row, 0, sizeof(*row));
	vft_copy_name(row->ref.key, bdf, sizeof(row->ref.key));
	vft_copy_name(row->ref.pci, bdf, sizeof(row->ref.pci));
	vft_copy_name(row->pf, pf, sizeof(row->pf));
	row->vf_index = vf_index;
	row->numa_node = -1;
	for (i = 0; i < VFT_CHK_MAX; i++)
		set(&row->r[i], VFT_CHK_NA, "the VF does not exist");
	set(&row->r[VFT_CHK_MAPPING], VFT_CHK_FAIL,
	    "PF %s says VF %d exists (sriov_numvfs), but there is no virtfn%d: removed or failed "
	    "to probe",
	    pf, vf_index, vf_index);
	row->ready = false;
}

static const char *cell(const struct vft_check_row *row, int i)
{
	return row->r[i].status == VFT_CHK_PASS ? "ok" :
	       row->r[i].status == VFT_CHK_FAIL ? "FAIL" :
						  "-";
}

/*
 * The row's POD cell: "ml/trainer-0" when its netns's pod is known by name,
 * else the pod's UID (cut to the column), else "-".
 */
static const char *pod_cell(const struct vft_check_row *row, char *buf, size_t size)
{
	if (row->ref.pod_name[0])
		return vft_pod_label(buf, size, row->ref.pod_ns, row->ref.pod_name, NULL);
	return row->pod[0] ? row->pod : "-";
}

/* Pod names widen the POD column up to this; a UID is cut to 8, as before. */
#define POD_COL_MAX 32

int vft_check__print_text(FILE *out, const struct vft_check_row *rows, size_t n, bool color)
{
	char pod[VFT_POD_NS_LEN + VFT_POD_NAME_LEN];
	size_t i, ready = 0;
	int k, podw = 8;

	for (i = 0; i < n; i++)
		if (rows[i].ref.pod_name[0] &&
		    (int)strlen(pod_cell(&rows[i], pod, sizeof(pod))) > podw)
			podw = (int)strlen(pod);
	podw = podw > POD_COL_MAX ? POD_COL_MAX : podw;
	fprintf(out, "%-13s %-10s %-12s %-*s %-9s", "VF", "NETDEV", "NETNS", podw, "POD", "RDMA");
	for (k = 0; k < VFT_CHK_MAX; k++)
		fprintf(out, " %-7s", item_titles[k]);
	fprintf(out, " READY\n");
	for (i = 0; i < n; i++) {
		const struct vft_check_row *r = &rows[i];
		char ns[16];

		if (r->ref.netns_name[0])
			snprintf(ns, sizeof(ns), "%.12s", r->ref.netns_name);
		else if (r->ref.netns)
			snprintf(ns, sizeof(ns), "%u", r->ref.netns);
		else
			snprintf(ns, sizeof(ns), "-");
		fprintf(out, "%-13.13s %-10.10s %-12.12s %-*.*s %-9.9s", r->ref.key,
			r->ref.ifname[0] ? r->ref.ifname : "-", ns, podw,
			r->ref.pod_name[0] ? podw : 8, pod_cell(r, pod, sizeof(pod)),
			r->ref.ibdev[0] ? r->ref.ibdev : "-");
		for (k = 0; k < VFT_CHK_MAX; k++) {
			bool fail = r->r[k].status == VFT_CHK_FAIL;

			fprintf(out, " %s%-7s%s", fail && color ? RED BOLD : "", cell(r, k),
				fail && color ? RESET : "");
		}
		fprintf(out, " %s%s%s\n", color ? (r->ready ? GREEN : RED BOLD) : "",
			r->ready ? "yes" : "NO", color ? RESET : "");
		ready += r->ready;
	}
	for (i = 0; i < n; i++) {
		if (rows[i].ready)
			continue;
		fprintf(out, "\n%s%s%s not ready:\n", color ? BOLD : "", rows[i].ref.key,
			color ? RESET : "");
		for (k = 0; k < VFT_CHK_MAX; k++)
			if (rows[i].r[k].status == VFT_CHK_FAIL)
				fprintf(out, "  %-9s %s\n", item_names[k], rows[i].r[k].evidence);
	}
	fprintf(out, "\n%zu VF%s checked: %zu ready, %zu not ready\n", n, n == 1 ? "" : "s", ready,
		n - ready);
	return fflush(out) == EOF ? -errno : 0;
}

static void add_str_or_null(struct json_object *o, const char *key, const char *v)
{
	json_object_object_add(o, key, v && v[0] ? json_object_new_string(v) : NULL);
}

int vft_check__print_json(FILE *out, const struct vft_check_row *rows, size_t n)
{
	struct json_object *o, *checks, *c;
	struct vft_vf_ref ref;
	size_t i, ready = 0;
	int k, err = 0;

	for (i = 0; i < n && !err; i++) {
		const struct vft_check_row *r = &rows[i];

		o = json_object_new_object();
		json_object_object_add(o, "type", json_object_new_string("check"));
		/* the row's pod is that of its netns, else the one it was allocated to */
		ref = r->ref;
		vft_copy_name(ref.pod_uid, r->pod, sizeof(ref.pod_uid));
		json_object_object_add(o, "vf", vft_vf_ref__to_json(&ref));
		add_str_or_null(o, "pf", r->pf);
		if (r->vf_index >= 0 && r->pf[0])
			json_object_object_add(o, "vf_index", json_object_new_int(r->vf_index));
		if (r->numa_node >= 0)
			json_object_object_add(o, "numa_node", json_object_new_int(r->numa_node));
		json_object_object_add(o, "ready", json_object_new_boolean(r->ready));
		checks = json_object_new_object();
		for (k = 0; k < VFT_CHK_MAX; k++) {
			c = json_object_new_object();
			json_object_object_add(
				c, "status",
				json_object_new_string(vft_check_status__name(r->r[k].status)));
			json_object_object_add(c, "evidence",
					       json_object_new_string(r->r[k].evidence));
			json_object_object_add(checks, item_names[k], c);
		}
		json_object_object_add(o, "checks", checks);
		ready += r->ready;
		err = vft_json__write_line(out, o);
	}
	if (err)
		return err;
	o = json_object_new_object();
	json_object_object_add(o, "type", json_object_new_string("check_summary"));
	json_object_object_add(o, "vfs", json_object_new_int64((int64_t)n));
	json_object_object_add(o, "ready", json_object_new_int64((int64_t)ready));
	json_object_object_add(o, "not_ready", json_object_new_int64((int64_t)(n - ready)));
	return vft_json__write_line(out, o);
}
