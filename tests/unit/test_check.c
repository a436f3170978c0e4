// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_check.c - the verdicts of `vftrace check` (user/check/check.c) on VF records
 * built by hand: each check passes a ready VF and fails on its own defect
 * only. The whole command on the fixture trees is tests/host/test_check.sh.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>
#include "check/check.h"

#define HOST_NS 4026531840u
#define POD_NS 4026532301u
#define POD "0e5c2a7d-6f4b-4c3e-9a1d-2b7e8f9c0d11"

/* A ready InfiniBand VF in its pod. */
static void ready_vf(struct vft_vf *vf, struct vft_check_facts *f)
{
	memset(vf, 0, sizeof(*vf));
	memset(f, 0, sizeof(*f));
	snprintf(vf->ref.key, sizeof(vf->ref.key), "0000:18:00.1");
	snprintf(vf->ref.pci, sizeof(vf->ref.pci), "0000:18:00.1");
	snprintf(vf->ref.ifname, sizeof(vf->ref.ifname), "net1");
	snprintf(vf->ref.ibdev, sizeof(vf->ref.ibdev), "mlx5_16");
	snprintf(vf->ref.pod_uid, sizeof(vf->ref.pod_uid), POD);
	vf->ref.netns = POD_NS;
	snprintf(vf->pf, sizeof(vf->pf), "0000:18:00.0");
	vf->vf_index = 0;
	vf->numa_node = 0;
	vf->registered = true;
	vf->up = true;
	vf->n_addrs = 1;
	vf->has_port = true;
	vf->port = 1;
	vf->port_state = 4;
	vf->lid = 0x1a;
	vf->sm_lid = 1;
	vf->node_guid = 0xb8cef60300a41010ULL;
	vf->port_guid = 0xb8cef60300a41011ULL;
	snprintf(vf->link_layer, sizeof(vf->link_layer), "InfiniBand");
	f->ib_visible = 1;
	snprintf(f->physfn, sizeof(f->physfn), "0000:18:00.0");
	snprintf(f->ib_parent, sizeof(f->ib_parent), "0000:18:00.1");
	snprintf(f->alloc_pod, sizeof(f->alloc_pod), POD);
	f->alloc_pod_running = true;
	f->alloc_netns = POD_NS;
	f->n_gpus = 1;
	snprintf(f->gpus[0], sizeof(f->gpus[0]), "0000:1b:00.0");
	snprintf(f->dist[0], sizeof(f->dist[0]), "PXB");
}

/* Only @item fails (or, with VFT_CHK_MAX, nothing). */
static void only_fails(const struct vft_check_row *row, int item)
{
	int i;

	for (i = 0; i < VFT_CHK_MAX; i++)
		if (row->r[i].status == VFT_CHK_FAIL && i != item)
			fail_msg("%s fails too: %s", vft_check_item__name(i), row->r[i].evidence);
	if (item < VFT_CHK_MAX) {
		assert_int_equal(row->r[item].status, VFT_CHK_FAIL);
		assert_false(row->ready);
	} else {
		assert_true(row->ready);
	}
}

static void ready_vf_passes(void **state)
{
	struct vft_vf vf;
	struct vft_check_facts f;
	struct vft_check_row row;

	ready_vf(&vf, &f);
	vft_check__row(&vf, &f, HOST_NS, &row);
	only_fails(&row, VFT_CHK_MAX);
	assert_int_equal(row.r[VFT_CHK_GUID].status, VFT_CHK_PASS);
	assert_int_equal(row.r[VFT_CHK_LID].status, VFT_CHK_PASS);
	assert_int_equal(row.r[VFT_CHK_SM].status, VFT_CHK_PASS);
	assert_int_equal(row.r[VFT_CHK_TOPOLOGY].status, VFT_CHK_PASS);
	assert_int_equal(row.r[VFT_CHK_OWNERSHIP].status, VFT_CHK_NA); /* in a pod */
	assert_string_equal(row.pod, POD);
}

static void each_defect_fails_its_check_only(void **state)
{
	struct vft_vf vf;
	struct vft_check_facts f;
	struct vft_check_row row;

	ready_vf(&vf, &f);
	vf.port_guid = 0;
	vft_check__row(&vf, &f, HOST_NS, &row);
	only_fails(&row, VFT_CHK_GUID);
	assert_non_null(strstr(row.r[VFT_CHK_GUID].evidence, "0000:0000:0000:0000"));

	ready_vf(&vf, &f);
	vf.lid = 0xffff;
	vft_check__row(&vf, &f, HOST_NS, &row);
	only_fails(&row, VFT_CHK_LID);

	ready_vf(&vf, &f);
	vf.sm_lid = 0;
	vft_check__row(&vf, &f, HOST_NS, &row);
	only_fails(&row, VFT_CHK_SM);
	assert_non_null(strstr(row.r[VFT_CHK_SM].evidence, "no Subnet Manager"));

	ready_vf(&vf, &f);
	f.ib_visible = 0;
	vft_check__row(&vf, &f, HOST_NS, &row);
	only_fails(&row, VFT_CHK_RDMA);
	assert_non_null(strstr(row.r[VFT_CHK_RDMA].evidence, "exclusive"));

	ready_vf(&vf, &f);
	snprintf(f.ib_parent, sizeof(f.ib_parent), "0000:18:00.2");
	vft_check__row(&vf, &f, HOST_NS, &row);
	only_fails(&row, VFT_CHK_MAPPING);

	ready_vf(&vf, &f);
	snprintf(f.dist[0], sizeof(f.dist[0]), "SYS");
	vft_check__row(&vf, &f, HOST_NS, &row);
	only_fails(&row, VFT_CHK_TOPOLOGY);
	assert_non_null(strstr(row.r[VFT_CHK_TOPOLOGY].evidence, "SYS"));
}

static void no_rdma_device(void **state)
{
	struct vft_vf vf;
	struct vft_check_facts f;
	struct vft_check_row row;

	ready_vf(&vf, &f);
	vf.ref.ibdev[0] = '\0';
	vf.has_port = false;
	vft_check__row(&vf, &f, HOST_NS, &row);
	/* no port: GUID, LID and SM do not apply; RDMA fails */
	only_fails(&row, VFT_CHK_RDMA);
	assert_int_equal(row.r[VFT_CHK_GUID].status, VFT_CHK_NA);
	assert_int_equal(row.r[VFT_CHK_LID].status, VFT_CHK_NA);
}

static void roce_needs_an_ip_gid_not_a_lid(void **state)
{
	struct vft_vf vf;
	struct vft_check_facts f;
	struct vft_check_row row;

	ready_vf(&vf, &f);
	snprintf(vf.link_layer, sizeof(vf.link_layer), "Ethernet");
	vf.lid = vf.sm_lid = 0;
	vf.n_ip_gids = 1;
	vft_check__row(&vf, &f, HOST_NS, &row);
	only_fails(&row, VFT_CHK_MAX);
	assert_int_equal(row.r[VFT_CHK_SM].status, VFT_CHK_NA);
	vf.n_ip_gids = 0;
	vf.n_addrs = 0;
	vft_check__row(&vf, &f, HOST_NS, &row);
	only_fails(&row, VFT_CHK_LID);
	assert_non_null(strstr(row.r[VFT_CHK_LID].evidence, "no RoCE v2 GID"));
}

static void ownership_in_the_host(void **state)
{
	struct vft_vf vf;
	struct vft_check_facts f;
	struct vft_check_row row;

	ready_vf(&vf, &f);
	vf.ref.netns = HOST_NS;
	vf.ref.pod_uid[0] = '\0';
	f.alloc_pod[0] = '\0';
	f.n_gpus = 0;
	vf.up = false;
	vft_check__row(&vf, &f, HOST_NS, &row);
	only_fails(&row, VFT_CHK_MAX);
	assert_int_equal(row.r[VFT_CHK_OWNERSHIP].status, VFT_CHK_PASS);
	/* up with an address: a host manager configured it */
	vf.up = true;
	vft_check__row(&vf, &f, HOST_NS, &row);
	only_fails(&row, VFT_CHK_OWNERSHIP);
	/* down, but a networkd file would take it */
	vf.up = false;
	f.n_claims = 1;
	snprintf(f.claims[0], sizeof(f.claims[0]), "systemd-networkd: 90-dhcp.network");
	vft_check__row(&vf, &f, HOST_NS, &row);
	only_fails(&row, VFT_CHK_OWNERSHIP);
	assert_non_null(strstr(row.r[VFT_CHK_OWNERSHIP].evidence, "90-dhcp.network"));
}

/* Real parts: networkd's claim is named; a manager that does not run claims nothing now. */
static void ownership_names_the_running_manager(void **state)
{
	struct vft_vf vf;
	struct vft_check_facts f;
	struct vft_check_row row;

	(void)state;
	ready_vf(&vf, &f);
	vf.ref.netns = HOST_NS;
	vf.ref.pod_uid[0] = '\0';
	f.alloc_pod[0] = '\0';
	f.n_gpus = 0;
	f.n_claims = 1;
	snprintf(f.claims[0], sizeof(f.claims[0]),
		 "systemd-networkd: /run/systemd/network/50-vf.network: [Match] Driver=igbvf");
	vft_check__row(&vf, &f, HOST_NS, &row);
	only_fails(&row, VFT_CHK_OWNERSHIP);
	assert_non_null(strstr(row.r[VFT_CHK_OWNERSHIP].evidence, "is up with 1 address"));
	assert_non_null(strstr(row.r[VFT_CHK_OWNERSHIP].evidence, "systemd-networkd: /run/"));
	/* NetworkManager installed and configured, not running: no claim */
	vf.up = false;
	vf.n_addrs = 0;
	f.n_claims = 0;
	snprintf(f.dormant, sizeof(f.dormant),
		 "NetworkManager: /etc/NetworkManager/NetworkManager.conf");
	vft_check__row(&vf, &f, HOST_NS, &row);
	only_fails(&row, VFT_CHK_MAX);
	assert_non_null(strstr(row.r[VFT_CHK_OWNERSHIP].evidence,
			       "configured but not running: NetworkManager: "));
}

/* A CNI's temporary name anywhere, and a netns no process is in, fail MAPPING. */
static void mapping_temp_name_and_orphaned_netns(void **state)
{
	struct vft_vf vf;
	struct vft_check_facts f;
	struct vft_check_row row;

	(void)state;
	/* left in the pod as temp_6 by a failed ADD */
	ready_vf(&vf, &f);
	snprintf(vf.ref.ifname, sizeof(vf.ref.ifname), "temp_6");
	snprintf(vf.ref.netns_name, sizeof(vf.ref.netns_name), "trainer-1");
	vf.up = false;
	vf.n_addrs = 0;
	vft_check__row(&vf, &f, HOST_NS, &row);
	assert_int_equal(row.r[VFT_CHK_MAPPING].status, VFT_CHK_FAIL);
	assert_non_null(strstr(row.r[VFT_CHK_MAPPING].evidence,
			       "temp_6 in netns 4026532301 (trainer-1): a CNI's temporary name"));
	/* back in the host under it: its host name is lost */
	vf.ref.netns = HOST_NS;
	vf.ref.pod_uid[0] = '\0';
	f.alloc_pod[0] = '\0';
	vft_check__row(&vf, &f, HOST_NS, &row);
	assert_int_equal(row.r[VFT_CHK_MAPPING].status, VFT_CHK_FAIL);
	assert_non_null(strstr(row.r[VFT_CHK_MAPPING].evidence, "its host name is lost"));
	/* net1 in a netns that no process is in: orphaned (field mode 10) */
	ready_vf(&vf, &f);
	vf.ref.pod_uid[0] = '\0';
	f.alloc_pod[0] = '\0';
	f.n_gpus = 0;
	f.netns_empty = true;
	vft_check__row(&vf, &f, HOST_NS, &row);
	only_fails(&row, VFT_CHK_MAPPING);
	assert_non_null(strstr(row.r[VFT_CHK_MAPPING].evidence, "which no process is in"));
	/* dev7 and vfdev3 are temporary names too; net1 and enp1s0v0 are not */
	assert_true(vft_ifname_is_cni_temp("dev7"));
	assert_true(vft_ifname_is_cni_temp("vfdev3"));
	assert_false(vft_ifname_is_cni_temp("dev"));
	assert_false(vft_ifname_is_cni_temp("device1"));
	assert_false(vft_ifname_is_cni_temp("enp1s0v0"));
}

static void allocation_must_match_the_pod(void **state)
{
	struct vft_vf vf;
	struct vft_check_facts f;
	struct vft_check_row row;

	/* allocated to a running pod, but still in the host */
	ready_vf(&vf, &f);
	vf.ref.netns = HOST_NS;
	vf.ref.pod_uid[0] = '\0';
	vf.up = false;
	vft_check__row(&vf, &f, HOST_NS, &row);
	only_fails(&row, VFT_CHK_MAPPING);
	/* a stale allocation (the pod is gone) is not held against it */
	f.alloc_pod_running = false;
	f.alloc_netns = 0;
	vft_check__row(&vf, &f, HOST_NS, &row);
	assert_int_equal(row.r[VFT_CHK_MAPPING].status, VFT_CHK_PASS);
	/* in another pod's netns than the one it was allocated to */
	ready_vf(&vf, &f);
	snprintf(vf.ref.pod_uid, sizeof(vf.ref.pod_uid), "9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a");
	vft_check__row(&vf, &f, HOST_NS, &row);
	only_fails(&row, VFT_CHK_MAPPING);
}

/*
 * The port columns apply watch's rules (port_rules.h): a port with a LID
 * that is not ACTIVE fails lid (LID_MISSING), saying so, and not sm
 * (SM_UNREACHABLE reads the SM LID alone); a zero node GUID fails guid, as
 * it raises GUID_ZERO.
 */
static void port_columns_are_the_findings_rules(void **state)
{
	struct vft_vf vf;
	struct vft_check_facts f;
	struct vft_check_row row;

	ready_vf(&vf, &f);
	vf.port_state = 3; /* ARMED, with its LID and an SM */
	vft_check__row(&vf, &f, HOST_NS, &row);
	only_fails(&row, VFT_CHK_LID);
	assert_int_equal(row.r[VFT_CHK_SM].status, VFT_CHK_PASS);
	assert_non_null(strstr(row.r[VFT_CHK_LID].evidence, "not ACTIVE (state ARMED, LID 0x1a)"));

	ready_vf(&vf, &f);
	vf.port_state = 2;
	vf.lid = 0;
	vft_check__row(&vf, &f, HOST_NS, &row);
	only_fails(&row, VFT_CHK_LID);
	assert_non_null(strstr(row.r[VFT_CHK_LID].evidence, "no LID (LID 0x0, state INIT)"));

	ready_vf(&vf, &f);
	vf.node_guid = 0;
	vft_check__row(&vf, &f, HOST_NS, &row);
	only_fails(&row, VFT_CHK_GUID);
	assert_non_null(strstr(row.r[VFT_CHK_GUID].evidence, "node GUID 0000:0000:0000:0000"));

	/* RoCE: the node GUID (from the VF's MAC) is judged, GID 0's interface id is not */
	ready_vf(&vf, &f);
	snprintf(vf.link_layer, sizeof(vf.link_layer), "Ethernet");
	vf.lid = vf.sm_lid = 0;
	vf.n_ip_gids = 1;
	vf.port_guid = 0;
	vft_check__row(&vf, &f, HOST_NS, &row);
	only_fails(&row, VFT_CHK_MAX);
	vf.node_guid = 0;
	vft_check__row(&vf, &f, HOST_NS, &row);
	only_fails(&row, VFT_CHK_GUID);
}

/*
 * A free RoCE VF (in the host netns, down, no address, no pod holds it) is
 * ready: its RoCE v2 GID comes with the address its pod gives it, and OWNER
 * wants it without one in the host. The same VF in its pod without one is
 * not; a free InfiniBand VF is still held to its LID.
 */
static void free_roce_vf_is_not_held_to_a_gid(void **state)
{
	struct vft_vf vf;
	struct vft_check_facts f;
	struct vft_check_row row;

	ready_vf(&vf, &f);
	snprintf(vf.link_layer, sizeof(vf.link_layer), "Ethernet");
	snprintf(vf.ref.ifname, sizeof(vf.ref.ifname), "enp64s0v1");
	vf.lid = vf.sm_lid = 0;
	vf.n_ip_gids = 0;
	vf.ref.netns = HOST_NS;
	vf.ref.pod_uid[0] = '\0';
	vf.up = false;
	vf.n_addrs = 0;
	f.alloc_pod[0] = '\0';
	f.alloc_pod_running = false;
	f.alloc_netns = 0;
	f.n_gpus = 0;
	vft_check__row(&vf, &f, HOST_NS, &row);
	only_fails(&row, VFT_CHK_MAX);
	assert_int_equal(row.r[VFT_CHK_LID].status, VFT_CHK_NA);
	assert_non_null(strstr(row.r[VFT_CHK_LID].evidence, "host netns"));
	assert_int_equal(row.r[VFT_CHK_OWNERSHIP].status, VFT_CHK_PASS);
	/* in its pod, the same port fails */
	vf.ref.netns = POD_NS;
	vft_check__row(&vf, &f, HOST_NS, &row);
	only_fails(&row, VFT_CHK_LID);
	/* a free InfiniBand VF without a LID fails */
	ready_vf(&vf, &f);
	vf.ref.netns = HOST_NS;
	vf.ref.pod_uid[0] = '\0';
	vf.up = false;
	f.alloc_pod[0] = '\0';
	f.n_gpus = 0;
	vf.lid = 0;
	vft_check__row(&vf, &f, HOST_NS, &row);
	only_fails(&row, VFT_CHK_LID);
}

static void missing_vf_row(void **state)
{
	struct vft_check_row row;
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	vft_check__missing_row("0000:5e:00.0", 3, "0000:5e:00.4", &row);
	assert_false(row.ready);
	assert_int_equal(row.r[VFT_CHK_MAPPING].status, VFT_CHK_FAIL);
	assert_non_null(strstr(row.r[VFT_CHK_MAPPING].evidence, "virtfn3"));
	assert_int_equal(vft_check__print_json(out, &row, 1), 0);
	fclose(out);
	assert_non_null(strstr(buf, "\"type\":\"check\""));
	assert_non_null(strstr(buf, "\"ready\":false"));
	assert_non_null(strstr(buf, "\"mapping\":{\"status\":\"fail\""));
	assert_non_null(strstr(buf, "\"not_ready\":1"));
	free(buf);
}

static void table_shows_failures_and_evidence(void **state)
{
	struct vft_vf vf;
	struct vft_check_facts f;
	struct vft_check_row rows[2];
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	ready_vf(&vf, &f);
	vft_check__row(&vf, &f, HOST_NS, &rows[0]);
	vf.sm_lid = 0;
	snprintf(vf.ref.key, sizeof(vf.ref.key), "0000:18:00.2");
	vft_check__row(&vf, &f, HOST_NS, &rows[1]);
	assert_int_equal(vft_check__print_text(out, rows, 2, false), 0);
	fclose(out);
	assert_non_null(strstr(buf, "READY"));
	assert_non_null(strstr(buf, "0000:18:00.2 not ready:"));
	assert_non_null(strstr(buf, "  sm "));
	assert_non_null(strstr(buf, "2 VFs checked: 1 ready, 1 not ready"));
	assert_null(strstr(buf, "\033["));
	free(buf);
}

/*
 * A VF in a pod the runtime names: the row, its table (a POD column wide
 * enough for the name) and its JSON show ml/trainer-0; a pod known by UID
 * alone keeps the 8-character column; a mapping failure names the pod.
 */
static void row_shows_the_pod_by_name(void **state)
{
	struct json_object *lines, *v, *x;
	struct vft_check_row rows[2];
	struct vft_check_facts f;
	struct vft_vf vf;
	char *buf = NULL;
	size_t len = 0;
	FILE *out;

	ready_vf(&vf, &f);
	strcpy(vf.ref.pod_ns, "ml");
	strcpy(vf.ref.pod_name, "trainer-0");
	vft_check__row(&vf, &f, HOST_NS, &rows[0]);
	assert_true(rows[0].ready);
	assert_string_equal(rows[0].pod, POD);
	assert_string_equal(rows[0].ref.pod_name, "trainer-0");
	ready_vf(&vf, &f);
	snprintf(vf.ref.key, sizeof(vf.ref.key), "0000:18:00.2");
	vft_check__row(&vf, &f, HOST_NS, &rows[1]);

	out = open_memstream(&buf, &len);
	assert_int_equal(vft_check__print_text(out, rows, 2, false), 0);
	fclose(out);
	/* the column takes the name's width: "POD" and the UID's cut padded to it */
	assert_non_null(strstr(buf, " POD          RDMA"));
	assert_non_null(strstr(buf, " ml/trainer-0 mlx5_"));
	assert_non_null(strstr(buf, " 0e5c2a7d     mlx5_"));
	free(buf);

	buf = NULL;
	out = open_memstream(&buf, &len);
	assert_int_equal(vft_check__print_json(out, rows, 1), 0);
	fclose(out);
	/* the first line is the row */
	*strchr(buf, '\n') = '\0';
	lines = json_tokener_parse(buf);
	assert_non_null(lines);
	assert_true(json_object_object_get_ex(lines, "vf", &v));
	assert_true(json_object_object_get_ex(v, "pod_name", &x));
	assert_string_equal(json_object_get_string(x), "trainer-0");
	assert_true(json_object_object_get_ex(v, "pod_namespace", &x));
	assert_string_equal(json_object_get_string(x), "ml");
	assert_true(json_object_object_get_ex(v, "pod", &x));
	assert_string_equal(json_object_get_string(x), POD);
	assert_true(json_object_object_get_ex(v, "netns", &x));
	assert_int_equal(json_object_get_int64(x), POD_NS);
	json_object_put(lines);
	free(buf);

	/* in another pod's netns than the one it was allocated to: named */
	ready_vf(&vf, &f);
	strcpy(vf.ref.pod_ns, "ml");
	strcpy(vf.ref.pod_name, "trainer-1");
	snprintf(vf.ref.pod_uid, sizeof(vf.ref.pod_uid), "9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a");
	vft_check__row(&vf, &f, HOST_NS, &rows[0]);
	only_fails(&rows[0], VFT_CHK_MAPPING);
	assert_string_equal(rows[0].r[VFT_CHK_MAPPING].evidence,
			    "in pod ml/trainer-1's netns, but allocated to pod " POD);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ready_vf_passes),
		cmocka_unit_test(each_defect_fails_its_check_only),
		cmocka_unit_test(no_rdma_device),
		cmocka_unit_test(roce_needs_an_ip_gid_not_a_lid),
		cmocka_unit_test(ownership_in_the_host),
		cmocka_unit_test(ownership_names_the_running_manager),
		cmocka_unit_test(mapping_temp_name_and_orphaned_netns),
		cmocka_unit_test(allocation_must_match_the_pod),
		cmocka_unit_test(port_columns_are_the_findings_rules),
		cmocka_unit_test(free_roce_vf_is_not_held_to_a_gid),
		cmocka_unit_test(missing_vf_row),
		cmocka_unit_test(table_shows_failures_and_evidence),
		cmocka_unit_test(row_shows_the_pod_by_name),
	};

	return cmocka_run_group_tests_name("check", tests, NULL, NULL);
}
