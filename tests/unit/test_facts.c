// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_facts.c - what `vftrace check` gathers (user/check/facts.c) on the
 * fixture trees of tests/fixtures/mkfixture.sh: the netdevs of every netns
 * as its processes see them, the rows of the healthy node (every VF ready,
 * the pods' VFs attributed), the selection (--pod, --netns, --vf, --pci,
 * --ifname, --all), a defect variant failing exactly its checks; then the
 * whole command (user/cli/cmd_check.c) in this process, its JSON Lines and
 * its exit status.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "check/facts.h"
#include "cli/cli.h"
#include "fixture.h"
#include "pipeline/pipeline.h"

#define HOST_NS 4026531840u
#define BE_NS 4026532301u
#define BU_NS 4026532302u
#define GU_NS 4026532303u

static char base[256], root[512];

struct seen {
	struct {
		uint32_t kind, netns;
		char ifname[32], parent[32];
	} ev[512];
	size_t n;
	uint32_t netns[16]; /* announced, in order */
	size_t n_netns;
};

static int on_event(void *ctx, const struct vft_event *ev)
{
	struct seen *s = ctx;

	assert_true(s->n < 512);
	s->ev[s->n].kind = ev->kind;
	s->ev[s->n].netns = ev->netns;
	snprintf(s->ev[s->n].ifname, sizeof(s->ev[0].ifname), "%s", ev->ifname);
	snprintf(s->ev[s->n].parent, sizeof(s->ev[0].parent), "%s", ev->parent);
	s->n++;
	return 0;
}

static int on_netns(void *ctx, uint32_t netns)
{
	struct seen *s = ctx;

	assert_true(s->n_netns < 16);
	s->netns[s->n_netns++] = netns;
	return 0;
}

/* The index of the register of @ifname in @netns, or -1. */
static int registered(const struct seen *s, const char *ifname, uint32_t netns)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (s->ev[i].kind == VFT_EV_NETDEV_REGISTER && s->ev[i].netns == netns &&
		    !strcmp(s->ev[i].ifname, ifname))
			return (int)i;
	return -1;
}

static void netdevs_of_every_netns(void **state)
{
	struct seen *s = calloc(1, sizeof(*s));
	char path[600];
	size_t i, k;
	FILE *f;
	int at;

	assert_int_equal(vft_facts__root_netdevs(root, HOST_NS, on_event, on_netns, s), 0);
	/* the host's: a PF with its PCI parent */
	at = registered(s, "ibp24s0", HOST_NS);
	assert_true(at >= 0);
	assert_string_equal(s->ev[at].parent, "0000:18:00.0");
	/* each pod's netns once, whichever of its processes shows it */
	for (i = 0; i < s->n_netns; i++)
		for (k = i + 1; k < s->n_netns; k++)
			assert_int_not_equal(s->netns[i], s->netns[k]);
	for (k = 0; k < s->n_netns && s->netns[k] != BE_NS; k++)
		;
	assert_true(k < s->n_netns);
	/* the besteffort pod's net1 is VF 0000:18:00.1 */
	at = registered(s, "net1", BE_NS);
	assert_true(at >= 0);
	assert_string_equal(s->ev[at].parent, "0000:18:00.1");
	/* up (the fixture has no flags: given here), a link_change follows its register */
	assert_int_equal(s->ev[at + 1].kind, VFT_EV_NETDEV_REGISTER);
	snprintf(path, sizeof(path), "%s/proc/2301/root/sys/class/net/net1/flags", root);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "0x1003\n");
	fclose(f);
	memset(s, 0, sizeof(*s));
	assert_int_equal(vft_facts__root_netdevs(root, HOST_NS, on_event, on_netns, s), 0);
	at = registered(s, "net1", BE_NS);
	assert_int_equal(s->ev[at + 1].kind, VFT_EV_LINK_CHANGE);
	assert_int_equal(s->ev[at + 1].netns, BE_NS);
	unlink(path);
	/* nothing of the host's netns twice */
	for (i = 0; i < s->n_netns; i++)
		assert_int_not_equal(s->netns[i], HOST_NS);
	free(s);
}

static int announce(void *ctx, uint32_t netns)
{
	return vft_pipeline__announce_netns(ctx, netns, false);
}

/* What cmd_check.c does: the node read into a pipeline, then the rows of @o. */
static size_t rows_of(const char *tree, struct vft_facts_opts *o, struct vft_check_row **rows)
{
	struct vft_pipeline_opts po = { .root = tree };
	struct vft_pipeline *p;
	size_t n = 0;
	uint32_t host;

	*rows = NULL;
	o->root = tree;
	assert_int_equal(vft_pipeline__new(&po, &p), 0);
	host = vft_pipeline__host_netns(p);
	assert_int_equal(host, HOST_NS);
	assert_int_equal(vft_pipeline__begin(p), 0);
	assert_int_equal(vft_facts__root_netdevs(tree, host, vft_pipeline__feed_cb, announce, p),
			 0);
	assert_int_equal(vft_pipeline__inventory(p, NULL), 0);
	assert_int_equal(vft_pipeline__drain(p), 0);
	assert_int_equal(vft_facts__rows(o, vft_pipeline__corr(p), vft_pipeline__netns_map(p), host,
					 rows, &n),
			 0);
	vft_pipeline__free(p);
	return n;
}

static const struct vft_check_row *row_of(const struct vft_check_row *rows, size_t n,
					  const char *key)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(rows[i].ref.key, key))
			return &rows[i];
	return NULL;
}

static void healthy_rows(void **state)
{
	struct vft_facts_opts o = { 0 };
	struct vft_check_row *rows;
	const struct vft_check_row *r;
	size_t n, i, pods = 0;

	n = rows_of(root, &o, &rows);
	assert_int_equal(n, 32);
	for (i = 0; i < n; i++) {
		assert_true(rows[i].ready);
		pods += rows[i].pod[0] != '\0';
	}
	assert_int_equal(pods, 3);
	r = row_of(rows, n, "0000:18:00.1");
	assert_non_null(r);
	assert_string_equal(r->ref.ifname, "net1");
	assert_string_equal(r->pod, POD_BE);
	assert_int_equal(r->r[VFT_CHK_TOPOLOGY].status, VFT_CHK_PASS);
	assert_non_null(strstr(r->r[VFT_CHK_TOPOLOGY].evidence, "PXB"));
	free(rows);
}

static void selection(void **state)
{
	struct vft_filter f = { 0 };
	struct vft_facts_opts o = { .pod = POD_BE };
	struct vft_check_row *rows;
	size_t n, i;

	n = rows_of(root, &o, &rows);
	assert_true(n >= 1);
	for (i = 0; i < n; i++)
		assert_string_equal(rows[i].pod, POD_BE);
	free(rows);

	o = (struct vft_facts_opts){ .vf = "0000:18:00.3" };
	assert_int_equal(rows_of(root, &o, &rows), 1);
	assert_string_equal(rows[0].ref.key, "0000:18:00.3");
	free(rows);

	o = (struct vft_facts_opts){ .netns = "nope" };
	assert_int_equal(rows_of(root, &o, &rows), 0);
	free(rows);

	assert_int_equal(vft_filter__add_pci(&f, "0000:40:00.2"), 0);
	o = (struct vft_facts_opts){ .filter = &f };
	assert_int_equal(rows_of(root, &o, &rows), 1);
	assert_string_equal(rows[0].ref.key, "0000:40:00.2");
	free(rows);
	vft_filter__clear(&f);

	memset(&f, 0, sizeof(f));
	assert_int_equal(vft_filter__add_ifname(&f, "net1"), 0);
	o = (struct vft_facts_opts){ .filter = &f };
	n = rows_of(root, &o, &rows);
	assert_int_equal(n, 3);
	for (i = 0; i < n; i++)
		assert_string_equal(rows[i].ref.ifname, "net1");
	free(rows);
	vft_filter__clear(&f);

	/* --all: the PFs and the BlueField-3 functions too */
	o = (struct vft_facts_opts){ .all = true };
	assert_true(rows_of(root, &o, &rows) > 32);
	free(rows);
}

static void zero_guid_fails_its_checks(void **state)
{
	struct vft_facts_opts o = { 0 };
	struct vft_check_row *rows;
	const struct vft_check_row *r;
	char zbase[256], zroot[512];
	size_t n, i;

	assert_int_equal(fixture_make("zero-guid", zbase, sizeof(zbase), zroot, sizeof(zroot)), 0);
	n = rows_of(zroot, &o, &rows);
	assert_int_equal(n, 32);
	for (i = 0; i < n; i++)
		assert_int_equal(rows[i].ready, !!strcmp(rows[i].ref.key, "0000:9a:00.2"));
	r = row_of(rows, n, "0000:9a:00.2");
	assert_int_equal(r->r[VFT_CHK_GUID].status, VFT_CHK_FAIL);
	assert_int_equal(r->r[VFT_CHK_LID].status, VFT_CHK_FAIL);
	/* an SM answers (its port waits for a GUID): watch raises no SM_UNREACHABLE either */
	assert_int_equal(r->r[VFT_CHK_SM].status, VFT_CHK_PASS);
	assert_int_equal(r->r[VFT_CHK_RDMA].status, VFT_CHK_PASS);
	free(rows);
	fixture_remove(zbase);
}

/* <root><rel> := @text */
static void write_in(const char *tree, const char *rel, const char *text)
{
	char path[768];
	FILE *f;

	snprintf(path, sizeof(path), "%s%s", tree, rel);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "%s\n", text);
	assert_int_equal(fclose(f), 0);
}

#define ZGID "0000:0000:0000:0000:0000:0000:0000:0000"

/*
 * The roce variant without the IP-derived GIDs of a free VF (0000:40:00.2,
 * mlx5_21, in the host netns, no pod) and of a pod's VF (0000:40:00.1,
 * mlx5_20, the burstable pod's net1): the free one's lid column does not
 * apply (its address, and so its GID, comes with its pod), the pod's fails.
 */
static void free_roce_vf_without_an_ip_gid(void **state)
{
	struct vft_facts_opts o = { 0 };
	struct vft_check_row *rows;
	const struct vft_check_row *r;
	char zbase[256], zroot[512];
	size_t n;

	assert_int_equal(fixture_make("roce", zbase, sizeof(zbase), zroot, sizeof(zroot)), 0);
	write_in(zroot, "/sys/class/infiniband/mlx5_21/ports/1/gids/3", ZGID);
	write_in(zroot, "/sys/class/infiniband/mlx5_20/ports/1/gids/3", ZGID);
	n = rows_of(zroot, &o, &rows);
	r = row_of(rows, n, "0000:40:00.2");
	assert_non_null(r);
	assert_int_equal(r->ref.netns, HOST_NS);
	assert_int_equal(r->r[VFT_CHK_LID].status, VFT_CHK_NA);
	assert_non_null(strstr(r->r[VFT_CHK_LID].evidence, "host netns"));
	r = row_of(rows, n, "0000:40:00.1");
	assert_non_null(r);
	assert_int_equal(r->r[VFT_CHK_LID].status, VFT_CHK_FAIL);
	assert_non_null(strstr(r->r[VFT_CHK_LID].evidence, "no RoCE v2 GID"));
	free(rows);
	fixture_remove(zbase);
}

/*
 * A switchdev representor of PF 3 (pf0vf0: the PF is its parent) has a
 * record of its own ("<pci>/pf0vf0"): it is no second PF, so the VF that PF
 * 3 announces and lacks (pf-vf-mismatch: 0000:5e:00.4) has one row.
 */
static void representor_is_no_second_pf(void **state)
{
	struct vft_facts_opts o = { 0 };
	struct vft_check_row *rows;
	char zbase[256], zroot[512], path[768], link[800], *dev;
	size_t n, i, missing = 0;

	assert_int_equal(fixture_make("pf-vf-mismatch", zbase, sizeof(zbase), zroot, sizeof(zroot)),
			 0);
	snprintf(path, sizeof(path), "%s/sys/bus/pci/devices/0000:5e:00.0", zroot);
	dev = realpath(path, NULL);
	assert_non_null(dev);
	snprintf(path, sizeof(path), "%s/net/pf0vf0", dev);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/net/pf0vf0/ifindex", dev + strlen(zroot));
	write_in(zroot, path, "900");
	snprintf(path, sizeof(path), "%s/net/pf0vf0/flags", dev + strlen(zroot));
	write_in(zroot, path, "0x1002");
	snprintf(path, sizeof(path), "%s/net/pf0vf0", dev);
	snprintf(link, sizeof(link), "%s/sys/class/net/pf0vf0", zroot);
	assert_int_equal(symlink(path, link), 0);
	free(dev);
	n = rows_of(zroot, &o, &rows);
	for (i = 0; i < n; i++)
		missing += !strcmp(rows[i].ref.key, "0000:5e:00.4");
	assert_int_equal(missing, 1);
	free(rows);
	fixture_remove(zbase);
}

/* `vftrace check ARGS` in this process: its exit status, its stdout into @out. */
static int check_cmd(char *out, size_t size, int argc, const char **args)
{
	char path[600], *argv[8];
	int fd, saved, ret, i;
	ssize_t len;

	snprintf(path, sizeof(path), "%s/check.out", base);
	for (i = 0; i < argc; i++)
		argv[i] = (char *)args[i];
	argv[argc] = NULL;
	fflush(stdout);
	saved = dup(1);
	fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0600);
	assert_true(saved >= 0 && fd >= 0);
	dup2(fd, 1);
	close(fd);
	ret = vft_cli__check(argc, argv);
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	fd = open(path, O_RDONLY);
	len = read(fd, out, size - 1);
	close(fd);
	out[len > 0 ? len : 0] = '\0';
	return ret;
}

static size_t lines_with(const char *s, const char *needle)
{
	size_t n = 0;

	while ((s = strstr(s, needle))) {
		n++;
		s += strlen(needle);
	}
	return n;
}

static void the_command(void **state)
{
	const char *healthy[] = { "vftrace check", "--json", "--root", root };
	const char *one[] = { "vftrace check", "--root", root, "--vf", "0000:18:00.1" };
	const char *none[] = { "vftrace check", "--json", "--root", root, "--netns", "nope" };
	char zbase[256], zroot[512];
	const char *defect[] = { "vftrace check", "--json", "--root", zroot };
	char *out = malloc(1 << 20);

	assert_int_equal(check_cmd(out, 1 << 20, 4, healthy), 0);
	assert_int_equal(lines_with(out, "{\"type\":\"check\""), 32);
	assert_int_equal(lines_with(out, "{\"type\":\"check_summary\""), 1);
	/* the table */
	assert_int_equal(check_cmd(out, 1 << 20, 5, one), 0);
	assert_non_null(strstr(out, "0000:18:00.1"));
	assert_null(strstr(out, "0000:18:00.2"));
	/* nothing selected: exit 2 */
	assert_int_equal(check_cmd(out, 1 << 20, 6, none), 2);
	assert_string_equal(out, "");

	assert_int_equal(fixture_make("no-rdma-dev", zbase, sizeof(zbase), zroot, sizeof(zroot)),
			 0);
	assert_int_equal(check_cmd(out, 1 << 20, 4, defect), 1);
	assert_int_equal(lines_with(out, "\"ready\":false"), 1);
	fixture_remove(zbase);
	free(out);
}

static int setup(void **state)
{
	return fixture_make("dgx-b200-healthy", base, sizeof(base), root, sizeof(root));
}

static int teardown(void **state)
{
	fixture_remove(base);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(netdevs_of_every_netns),
		cmocka_unit_test(healthy_rows),
		cmocka_unit_test(selection),
		cmocka_unit_test(zero_guid_fails_its_checks),
		cmocka_unit_test(free_roce_vf_without_an_ip_gid),
		cmocka_unit_test(representor_is_no_second_pf),
		cmocka_unit_test(the_command),
	};

	return cmocka_run_group_tests_name("facts", tests, setup, teardown);
}
