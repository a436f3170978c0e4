// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_realclients.c - the correlator against what the real clients do to
 * a VF, step by step in the kernel's order: the SR-IOV CNI v2.10 (a
 * temporary name in the host, the final name in the pod, DEL renaming back
 * in the pod), its EEXIST clash and the rollback that takes the pod's other
 * interface, the temporary netns of newer plugins, host-device 1.1.1,
 * ib-sriov's driver rebind, and the kernel returning a VF when its pod's
 * netns dies. Each asserts every finding it raises and resolves, in order.
 * The settings the SR-IOV CNI asks of the PF (vf_config) are steps of the
 * VF's timeline with their actor, and raise nothing.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "correlate/correlate.h"
#include "model/vfcfg.h"

#define SEC 1000000000ULL
#define MS 1000000ULL
#define GRACE (2 * SEC)
#define T0 (1700000000ULL * SEC)

#define HOST_NS 4026531840u
#define POD_NS 4026532291u
#define POD2_NS 4026532500u
#define TMP_NS 4026532777u /* a CNI's own netns for one attachment: no name, no pod */
#define POD_NAME "cni-0b7c1d2e"
#define POD_UID "c0ffee00-1111-2222-3333-444455556666"
#define POD2_NAME "cni-77aa0012"

#define PF "0000:00:05.0"
#define VF "0000:00:06.0"
#define IFF_UP 0x1

/* The actors as the kernel names them (comm cut to 15 bytes). */
static const struct vft_actor sriov = { .pid = 5120, .tid = 5120, .comm = "sriov" };
static const struct vft_actor hostdev = { .pid = 5300, .tid = 5300, .comm = "host-device" };
static const struct vft_actor ibsriov = { .pid = 5400, .tid = 5400, .comm = "ib-sriov" };
static const struct vft_actor udevd = { .pid = 401, .tid = 4410, .comm = "systemd-udevd" };
static const struct vft_actor kworker = { .pid = 77, .tid = 77, .comm = "kworker/u8:2" };
static const struct vft_actor admin = { .pid = 3131, .tid = 3131, .comm = "bash" };
/* the DEL of an older pod, run late */
static const struct vft_actor sriov_old = { .pid = 5007, .tid = 5007, .comm = "sriov" };

struct t {
	struct vft_corr *c;
	uint64_t now;
	char log[1024]; /* findings and resolutions: "+CODE" and "-CODE", comma-separated */
	struct vft_finding last[8];
	size_t n_last;
};

struct dev {
	char parent[VFT_DEVNAME_LEN];
	char ifname[VFT_NAME_LEN];
	uint32_t netns;
	int32_t ifindex;
};

static void logged(struct t *t, const struct vft_finding *f, char sign)
{
	size_t n = strlen(t->log);

	snprintf(t->log + n, sizeof(t->log) - n, "%s%c%s", n ? "," : "", sign,
		 vft_finding__name(f->code));
	if (sign == '+' && t->n_last < 8)
		t->last[t->n_last++] = *f;
}

static int on_finding(void *ctx, const struct vft_finding *f)
{
	logged(ctx, f, '+');
	return 0;
}

static int on_resolved(void *ctx, const struct vft_finding *f)
{
	logged(ctx, f, '-');
	return 0;
}

static const struct vft_corr_ops ops = { .finding = on_finding, .resolved = on_resolved };

/* Asserts the findings since the last call, exactly, and forgets them. */
static void expect(struct t *t, const char *log)
{
	assert_string_equal(t->log, log);
	t->log[0] = '\0';
	t->n_last = 0;
}

static struct vft_event ev_of(struct t *t, uint32_t kind)
{
	struct vft_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.kind = kind;
	ev.source = VFT_SRC_FENTRY;
	t->now += 3 * MS; /* the steps of a CNI run milliseconds apart */
	ev.ts_ns = t->now;
	return ev;
}

static void feed(struct t *t, const struct vft_event *ev)
{
	assert_int_equal(vft_corr__feed(t->c, ev), 0);
}

static void netns_info(struct t *t, uint32_t netns, bool host, const char *name, const char *uid)
{
	struct vft_event ev = ev_of(t, VFT_EV_NETNS_INFO);

	ev.source = VFT_SRC_ENRICH;
	ev.netns = netns;
	ev.netns_host = host;
	snprintf(ev.netns_name, sizeof(ev.netns_name), "%s", name);
	snprintf(ev.pod_uid, sizeof(ev.pod_uid), "%s", uid);
	feed(t, &ev);
}

static struct vft_event dev_ev(struct t *t, uint32_t kind, const struct dev *d,
			       const struct vft_actor *a)
{
	struct vft_event ev = ev_of(t, kind);

	memcpy(ev.parent, d->parent, sizeof(d->parent));
	memcpy(ev.ifname, d->ifname, sizeof(d->ifname));
	ev.netns = d->netns;
	ev.ifindex = d->ifindex;
	if (a) {
		ev.has_actor = true;
		ev.actor = *a;
	}
	return ev;
}

static void reg(struct t *t, struct dev *d, const char *parent, const char *name, uint32_t netns,
		int32_t ifindex)
{
	struct vft_event ev;

	snprintf(d->parent, sizeof(d->parent), "%s", parent);
	snprintf(d->ifname, sizeof(d->ifname), "%s", name);
	d->netns = netns;
	d->ifindex = ifindex;
	ev = dev_ev(t, VFT_EV_NETDEV_REGISTER, d, &kworker);
	ev.has_ret = true;
	feed(t, &ev);
}

static void unreg(struct t *t, const struct dev *d, const struct vft_actor *a)
{
	struct vft_event ev = dev_ev(t, VFT_EV_NETDEV_UNREGISTER, d, a);

	feed(t, &ev);
}

static void ren_ret(struct t *t, struct dev *d, const char *name, const struct vft_actor *a,
		    int32_t ret)
{
	struct vft_event ev = dev_ev(t, VFT_EV_NETDEV_RENAME, d, a);

	snprintf(ev.new_ifname, sizeof(ev.new_ifname), "%s", name);
	ev.has_ret = true;
	ev.ret = ret;
	feed(t, &ev);
	if (!ret)
		snprintf(d->ifname, sizeof(d->ifname), "%s", name);
}

static void ren(struct t *t, struct dev *d, const char *name, const struct vft_actor *a)
{
	ren_ret(t, d, name, a, 0);
}

/* A netns move refused with @ret: the device stays where it is, as it is. */
static void move_failed(struct t *t, const struct dev *d, uint32_t to, const struct vft_actor *a,
			int32_t ret)
{
	struct vft_event ev = dev_ev(t, VFT_EV_NETNS_MOVE, d, a);

	ev.from_netns = d->netns;
	ev.to_netns = to;
	ev.has_ret = true;
	ev.ret = ret;
	feed(t, &ev);
}

/* A netns move; the kernel renames on the way only when asked (@new_ifname "" keeps it). */
static void move(struct t *t, struct dev *d, uint32_t to, const char *new_ifname,
		 const struct vft_actor *a)
{
	struct vft_event ev = dev_ev(t, VFT_EV_NETNS_MOVE, d, a);

	ev.from_netns = d->netns;
	ev.to_netns = to;
	ev.netns = to;
	ev.new_ifindex = d->ifindex;
	snprintf(ev.new_ifname, sizeof(ev.new_ifname), "%s", new_ifname);
	ev.has_ret = true;
	feed(t, &ev);
	d->netns = to;
	if (new_ifname[0])
		snprintf(d->ifname, sizeof(d->ifname), "%s", new_ifname);
}

static void link(struct t *t, const struct dev *d, bool was_up, bool up, const struct vft_actor *a)
{
	struct vft_event ev = dev_ev(t, VFT_EV_LINK_CHANGE, d, a);

	ev.old_flags = was_up ? IFF_UP : 0;
	ev.flags = up ? IFF_UP : 0;
	feed(t, &ev);
}

static void addr(struct t *t, const struct dev *d, const struct vft_actor *a)
{
	struct vft_event ev = dev_ev(t, VFT_EV_ADDR_ADD, d, a);

	ev.family = 2;
	ev.prefixlen = 24;
	memcpy(ev.addr, (uint8_t[]){ 10, 56, 217, 10 }, 4);
	feed(t, &ev);
}

static void driver(struct t *t, uint32_t kind, const char *bdf, const struct vft_actor *a)
{
	struct vft_event ev = ev_of(t, kind);

	snprintf(ev.device, sizeof(ev.device), "%s", bdf);
	snprintf(ev.driver, sizeof(ev.driver), "mlx5_core");
	ev.has_actor = true;
	ev.actor = *a;
	feed(t, &ev);
}

/* A write to the PF's sriov_numvfs (@ret -EBUSY: refused, nothing changes). */
static void numvfs(struct t *t, int32_t num, int32_t old, int32_t ret, const struct vft_actor *a)
{
	struct vft_event ev = ev_of(t, VFT_EV_SRIOV_NUMVFS);

	snprintf(ev.pf, sizeof(ev.pf), "%s", PF);
	ev.num_vfs = num;
	ev.old_num_vfs = old;
	ev.has_ret = true;
	ev.ret = ret;
	ev.has_actor = true;
	ev.actor = *a;
	feed(t, &ev);
}

/* The PF removes VF @index (pci_iov_remove_virtfn: reported before the driver goes). */
static void vf_remove(struct t *t, const char *bdf, int32_t index, const struct vft_actor *a)
{
	struct vft_event ev = ev_of(t, VFT_EV_VF_REMOVE);

	snprintf(ev.device, sizeof(ev.device), "%s", bdf);
	snprintf(ev.pf, sizeof(ev.pf), "%s", PF);
	ev.vf_index = index;
	ev.has_actor = true;
	ev.actor = *a;
	feed(t, &ev);
}

/* The end of the grace period of @bdf's stay or return, as the pipeline makes it. */
static void grace(struct t *t, const char *bdf)
{
	struct vft_event ev;

	t->now += GRACE;
	ev = ev_of(t, VFT_EV_VF_CHECK);
	ev.source = VFT_SRC_TIMER;
	snprintf(ev.vf_key, sizeof(ev.vf_key), "%s", bdf);
	feed(t, &ev);
}

static int setup(void **state)
{
	struct vft_corr_opts opts = { .grace_ns = GRACE };
	struct t *t = calloc(1, sizeof(*t));
	struct vft_event ev;

	assert_non_null(t);
	assert_int_equal(vft_corr__new(&opts, &ops, t, &t->c), 0);
	t->now = T0;
	netns_info(t, HOST_NS, true, "", "");
	netns_info(t, POD_NS, false, POD_NAME, POD_UID);
	netns_info(t, POD2_NS, false, POD2_NAME, "");
	netns_info(t, TMP_NS, false, "", "");
	ev = ev_of(t, VFT_EV_VF_ADD);
	snprintf(ev.device, sizeof(ev.device), "%s", VF);
	snprintf(ev.pf, sizeof(ev.pf), "%s", PF);
	ev.vf_index = 0;
	feed(t, &ev);
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct t *t = *state;

	vft_corr__free(t->c);
	free(t);
	return 0;
}

/* The igb VF as udev leaves it: eth0 renamed to its predictable name, down. */
static struct dev igb_vf(struct t *t)
{
	struct dev d;

	reg(t, &d, VF, "eth0", HOST_NS, 3);
	ren(t, &d, "enp0s6", &udevd);
	return d;
}

/* SR-IOV CNI v2.10 ADD, from step 4 (the PF-side settings are not netdev events). */
static void sriov_add(struct t *t, struct dev *d, uint32_t pod)
{
	char tmp[VFT_NAME_LEN];

	snprintf(tmp, sizeof(tmp), "temp_%d", d->ifindex);
	ren(t, d, tmp, &sriov);
	move(t, d, pod, "", &sriov);
	ren(t, d, "net1", &sriov);
	link(t, d, false, true, &sriov);
	/* IPAM (the `static` plugin, its own exec) returns the address; sriov adds it */
	addr(t, d, &sriov);
}

/* SR-IOV CNI v2.10 DEL: down, renamed back inside the pod, moved out; left down. */
static void sriov_del(struct t *t, struct dev *d, const char *host_name)
{
	link(t, d, true, false, &sriov);
	ren(t, d, host_name, &sriov);
	move(t, d, HOST_NS, "", &sriov);
}

static void sriov_cycles_raise_only_returns(void **state)
{
	struct t *t = *state;
	struct dev d = igb_vf(t);
	int i;

	for (i = 0; i < 20; i++) {
		sriov_add(t, &d, i % 2 ? POD2_NS : POD_NS);
		grace(t, VF);
		expect(t, "");
		sriov_del(t, &d, "enp0s6");
		expect(t, "+VF_RETURNED_TO_HOST");
		assert_string_equal(t->last[0].evidence,
				    i % 2 ? "from_netns=4026532500 name=enp0s6 host_name=enp0s6" :
					    "from_netns=4026532291 name=enp0s6 host_name=enp0s6");
		grace(t, VF);
		expect(t, "");
	}
}

static void sriov_eexist_rollback_takes_the_other_net1(void **state)
{
	struct t *t = *state;
	struct dev d = igb_vf(t), other;

	/* the pod already holds a net1 that is no VF (a veth) */
	reg(t, &other, "", "net1", POD2_NS, 2);
	link(t, &other, false, true, &admin);
	addr(t, &other, &admin);
	ren(t, &d, "temp_3", &sriov);
	move(t, &d, POD2_NS, "", &sriov);
	ren_ret(t, &d, "net1", &sriov, -EEXIST);
	expect(t, "");
	/* the rollback looks net1 up in the pod: the other one, renamed and moved out */
	link(t, &other, true, false, &sriov);
	ren(t, &other, "enp0s6", &sriov);
	move(t, &other, HOST_NS, "", &sriov);
	expect(t, "+CNI_ATTACH_FAILED");
	assert_string_equal(t->last[0].vf.key, VF);
	assert_int_equal(t->last[0].err, -EEXIST);
	assert_string_equal(t->last[0].comm, "sriov");
	assert_string_equal(t->last[0].message,
			    "0000:00:06.0: attaching it to netns 4026532500 (" POD2_NAME
			    ") failed at rename temp_3 -> net1: EEXIST; the VF is left there as "
			    "temp_3, down; the CNI's rollback moved net1 (enp0s6, not this VF) out "
			    "to the host instead");
	assert_string_equal(t->last[0].evidence, "netns=4026532500 step=\"rename temp_3 -> net1\" "
						 "ret=-17 left=temp_3 up=0 rollback=1");
	/* the stay's end adds nothing: down, so no address is expected */
	grace(t, VF);
	grace(t, "net1");
	expect(t, "");
	/* the pod's deletion returns the VF as temp_3: the failure is over, the strand is not */
	move(t, &d, HOST_NS, "", &kworker);
	expect(t, "-CNI_ATTACH_FAILED,+VF_RETURNED_TO_HOST,+POD_NETNS_GONE_BEFORE_DEL");
	grace(t, VF);
	expect(t, "+VF_STRANDED");
	assert_string_equal(t->last[0].message, "0000:00:06.0 (temp_3) is stranded in the host "
						"netns: it keeps the name temp_3 (its host "
						"name was enp0s6)");
}

/* A failed step that no rollback explains is raised when the stay is judged. */
static void sriov_failed_rename_without_rollback(void **state)
{
	struct t *t = *state;
	struct dev d = igb_vf(t);

	ren(t, &d, "temp_3", &sriov);
	move(t, &d, POD_NS, "", &sriov);
	ren_ret(t, &d, "net1", &sriov, -EBUSY);
	expect(t, "");
	grace(t, VF);
	expect(t, "+CNI_ATTACH_FAILED");
	assert_string_equal(t->last[0].message,
			    "0000:00:06.0: attaching it to netns 4026532291 (" POD_NAME
			    ") failed at rename temp_3 -> net1: EBUSY; the VF is left there as "
			    "temp_3, down");
}

/* Newer plugins: host -> their own netns (renamed there) -> the pod, all by one process. */
static void temporary_netns_is_one_attachment(void **state)
{
	struct t *t = *state;
	struct dev d = igb_vf(t);

	move(t, &d, TMP_NS, "", &sriov);
	ren(t, &d, "net1", &sriov);
	move(t, &d, POD_NS, "", &sriov);
	link(t, &d, false, true, &sriov);
	addr(t, &d, &sriov);
	grace(t, VF);
	expect(t, "");
	sriov_del(t, &d, "enp0s6");
	expect(t, "+VF_RETURNED_TO_HOST");
	grace(t, VF);
	expect(t, "");
}

/* host-device 1.1.1: moved under its host name, renamed in the pod, back by its alias. */
static void host_device_add_del(void **state)
{
	struct t *t = *state;
	struct dev d = igb_vf(t);

	move(t, &d, POD_NS, "", &hostdev);
	link(t, &d, false, false, &hostdev);
	ren(t, &d, "net1", &hostdev);
	link(t, &d, false, true, &hostdev);
	addr(t, &d, &hostdev);
	grace(t, VF);
	expect(t, "");
	link(t, &d, true, false, &hostdev);
	ren(t, &d, "enp0s6", &hostdev);
	move(t, &d, HOST_NS, "", &hostdev);
	expect(t, "+VF_RETURNED_TO_HOST");
	grace(t, VF);
	expect(t, "");
}

/* ib-sriov applies a GUID by rebinding the VF in the host, then attaches it as vfdev<N>. */
static void ib_sriov_rebind_in_add_is_no_churn(void **state)
{
	struct t *t = *state;
	struct dev d = igb_vf(t);

	driver(t, VFT_EV_DRIVER_UNBIND, VF, &ibsriov);
	unreg(t, &d, &ibsriov);
	driver(t, VFT_EV_DRIVER_BIND, VF, &ibsriov);
	reg(t, &d, VF, "eth0", HOST_NS, 9);
	ren(t, &d, "enp0s6", &udevd);
	ren(t, &d, "vfdev9", &ibsriov);
	move(t, &d, POD_NS, "", &ibsriov);
	ren(t, &d, "net1", &ibsriov);
	link(t, &d, false, true, &ibsriov);
	addr(t, &d, &ibsriov);
	grace(t, VF);
	expect(t, "");
	/* a rebind while the pod uses it takes net1 away: churn */
	driver(t, VFT_EV_DRIVER_UNBIND, VF, &admin);
	expect(t, "+DRIVER_CHURN");
	assert_non_null(strstr(t->last[0].message, "the pod loses its netdev"));
	unreg(t, &d, &admin);
	driver(t, VFT_EV_DRIVER_BIND, VF, &admin);
	reg(t, &d, VF, "eth0", HOST_NS, 10);
	expect(t, "");
}

/* The pod's netns died before DEL: a kworker pushes the VF back, under its pod name. */
static void kernel_return_after_netns_deletion(void **state)
{
	struct t *t = *state;
	struct dev d = igb_vf(t);

	sriov_add(t, &d, POD_NS);
	grace(t, VF);
	move(t, &d, HOST_NS, "", &kworker);
	expect(t, "+VF_RETURNED_TO_HOST,+POD_NETNS_GONE_BEFORE_DEL");
	assert_string_equal(t->last[1].message,
			    "0000:00:06.0 came back to the host as net1 because netns 4026532291 "
			    "(pod " POD_NAME ") was destroyed before the CNI's DEL: nobody renamed "
			    "or reset it");
	assert_int_equal(t->last[1].severity, VFT_SEV_WARNING);
	/* the late DEL finds no netns: no rename, no move; the VF stays stranded */
	grace(t, VF);
	expect(t, "+VF_STRANDED");
	/* restoring its name fixes it */
	ren(t, &d, "enp0s6", &admin);
	expect(t, "-VF_STRANDED");
}

/* The host already has the name: the kernel renames the returning VF dev<ifindex>. */
static void kernel_return_as_dev_n(void **state)
{
	struct t *t = *state;
	struct dev d = igb_vf(t);

	sriov_add(t, &d, POD_NS);
	grace(t, VF);
	move(t, &d, HOST_NS, "dev3", NULL);
	expect(t, "+VF_RETURNED_TO_HOST,+POD_NETNS_GONE_BEFORE_DEL");
	/* a late report of the same netdev in the host is no new netdev: still a return */
	reg(t, &d, VF, "dev3", HOST_NS, 3);
	grace(t, VF);
	expect(t, "+VF_STRANDED");
	assert_string_equal(t->last[0].evidence,
			    "name=dev3 host_name=enp0s6 claimed_after_return=0 up=0");
}

/*
 * The host took the VF's name while it was in the pod: the SR-IOV CNI's DEL renames net1 back
 * to the host name inside the pod, and its move out is refused (EEXIST), leaving the VF there
 * under its host name. When the pod's netns goes, the kernel returns it as dev<ifindex>.
 */
static void sriov_del_eexist_then_kernel_return_as_dev_n(void **state)
{
	struct t *t = *state;
	struct dev d = igb_vf(t), holder;

	sriov_add(t, &d, POD_NS);
	grace(t, VF);
	reg(t, &holder, "", "enp0s6", HOST_NS, 12); /* another device takes the name */
	link(t, &d, true, false, &sriov);
	ren(t, &d, "enp0s6", &sriov);
	move_failed(t, &d, HOST_NS, &sriov, -EEXIST);
	expect(t, "+CNI_MOVE_FAILED");
	assert_string_equal(t->last[0].comm, "sriov");
	assert_string_equal(t->last[0].evidence, "from_netns=4026532291 to_netns=4026531840 "
						 "ret=-17");
	/* the DEL ran and failed: the kernel's return is its end, not a netns gone before it */
	move(t, &d, HOST_NS, "dev3", &kworker);
	expect(t, "-CNI_MOVE_FAILED,+VF_RETURNED_TO_HOST");
	assert_string_equal(t->last[0].evidence,
			    "from_netns=4026532291 name=dev3 host_name=enp0s6");
	grace(t, VF);
	expect(t, "+VF_STRANDED");
	assert_string_equal(t->last[0].message, "0000:00:06.0 (dev3) is stranded in the host "
						"netns: it keeps the name dev3 (its host "
						"name was enp0s6)");
	grace(t, "enp0s6");
	expect(t, "");
}

/* igbvf unbound and bound again while its netdev is net1 in a pod: one DRIVER_CHURN. */
static void rebind_in_pod_is_churn(void **state)
{
	struct t *t = *state;
	struct dev d = igb_vf(t);

	sriov_add(t, &d, POD_NS);
	grace(t, VF);
	driver(t, VFT_EV_DRIVER_UNBIND, VF, &admin);
	expect(t, "+DRIVER_CHURN");
	assert_string_equal(t->last[0].message,
			    "0000:00:06.0 was unbound from driver mlx5_core while its netdev net1 "
			    "is in pod netns 4026532291: the pod loses its netdev (a new one "
			    "registers in the host)");
	unreg(t, &d, &admin);
	driver(t, VFT_EV_DRIVER_BIND, VF, &admin);
	reg(t, &d, VF, "eth0", HOST_NS, 9);
	/* the DEL finds no net1 in the pod: no step of the VF; nothing to judge */
	grace(t, VF);
	expect(t, "");
}

/*
 * An operator changes sriov_numvfs while a VF serves a pod: refused (EBUSY, the kernel
 * changes it only through 0: nothing happens), then 0, which removes the VF there.
 */
static void numvfs_busy_then_zero_while_in_pod(void **state)
{
	struct t *t = *state;
	struct dev d = igb_vf(t);

	sriov_add(t, &d, POD_NS);
	grace(t, VF);
	numvfs(t, 2, 1, -EBUSY, &admin);
	expect(t, "");
	vf_remove(t, VF, 0, &admin);
	driver(t, VFT_EV_DRIVER_UNBIND, VF, &admin);
	unreg(t, &d, &admin);
	numvfs(t, 0, 1, 0, &admin);
	expect(t, "+VF_REMOVED_IN_POD");
	assert_string_equal(t->last[0].comm, "bash");
	assert_string_equal(t->last[0].message,
			    "0000:00:06.0 was removed by its PF " PF " while its netdev net1 is in "
			    "netns 4026532291 (pod " POD_NAME "): the pod loses its netdev for "
			    "good (the VF no longer exists)");
}

/*
 * numvfs lowered after the device plugin allocated a VF: the VF goes while in the host, and
 * the SR-IOV CNI's ADD for it fails reading sysfs, before any kernel-visible step.
 */
static void add_of_a_removed_vf_raises_nothing(void **state)
{
	struct t *t = *state;
	struct dev d = igb_vf(t);

	numvfs(t, 0, 1, 0, &admin);
	vf_remove(t, VF, 0, &admin);
	driver(t, VFT_EV_DRIVER_UNBIND, VF, &admin);
	unreg(t, &d, &admin);
	expect(t, "");
}

/* A setting of VF 0 asked of the PF ens5 by @a, as the enrichment completes it. */
static void vfcfg(struct t *t, uint32_t setting, uint64_t value, const struct vft_actor *a,
		  int32_t ret)
{
	struct vft_event ev = ev_of(t, VFT_EV_VF_CONFIG);

	ev.has_actor = true;
	ev.actor = *a;
	strcpy(ev.ifname, "ens5");
	ev.ifindex = 2;
	ev.netns = HOST_NS;
	strcpy(ev.parent, PF);
	strcpy(ev.pf, PF);
	strcpy(ev.device, VF);
	ev.vf_index = 0;
	ev.vf_setting = setting;
	ev.vf_value = value;
	ev.has_ret = true;
	ev.ret = ret;
	feed(t, &ev);
}

static const struct vft_vf *vf_of(struct t *t)
{
	size_t i;

	for (i = 0; i < vft_corr__n_vfs(t->c); i++)
		if (!strcmp(vft_corr__vf(t->c, i)->ref.key, VF))
			return vft_corr__vf(t->c, i);
	fail();
	return NULL;
}

/*
 * The settings of an ADD and the resets of its DEL are steps; so is the late
 * reset of an older pod's DEL after a new pod took the VF, with its own pid.
 */
static void settings_are_steps_with_their_actor(void **state)
{
	struct t *t = *state;
	struct dev d = igb_vf(t);
	const struct vft_vf *vf;
	size_t n, i;

	vfcfg(t, VFT_VF_VLAN, 20 | 0x8100ULL << 32, &sriov_old, 0);
	vfcfg(t, VFT_VF_MAC, 0x020000008602ULL, &sriov_old, 0);
	sriov_add(t, &d, POD_NS);
	grace(t, VF);
	sriov_del(t, &d, "enp0s6");
	expect(t, "+VF_RETURNED_TO_HOST");
	grace(t, VF);
	vfcfg(t, VFT_VF_VLAN, 30 | 0x8100ULL << 32, &sriov, 0);
	vfcfg(t, VFT_VF_NODE_GUID, 0xb8cef60300a41011ULL, &sriov, -EOPNOTSUPP);
	sriov_add(t, &d, POD2_NS);
	vfcfg(t, VFT_VF_VLAN, 0x8100ULL << 32, &sriov_old, 0);
	grace(t, VF);
	expect(t, "");
	vf = vf_of(t);
	for (i = 0; i < vf->n_steps && vf->steps[i].kind != VFT_EV_VF_CONFIG; i++)
		;
	assert_true(i + 1 < vf->n_steps);
	assert_string_equal(vf->steps[i].text, "vlan 20 qos 0 set through ens5 (vf 0 of " PF ")");
	assert_int_equal(vf->steps[i].pid, sriov_old.pid);
	assert_string_equal(vf->steps[i + 1].text,
			    "mac 02:00:00:00:86:02 set through ens5 (vf 0 of " PF ")");
	n = vf->n_steps;
	assert_string_equal(vf->steps[n - 2].text,
			    "vlan 0 qos 0 set through ens5 (vf 0 of " PF ")");
	assert_string_equal(vf->steps[n - 2].comm, "sriov");
	assert_int_equal(vf->steps[n - 2].pid, sriov_old.pid);
	assert_int_equal(vf->steps[n - 1].kind, VFT_EV_VF_CHECK);
	/* the refused GUID, after the new pod's VLAN */
	for (n = 0; n < vf->n_steps; n++)
		if (vf->steps[n].kind == VFT_EV_VF_CONFIG && vf->steps[n].ret)
			break;
	assert_string_equal(vf->steps[n].text, "node_guid b8ce:f603:00a4:1011 set through ens5 (vf "
					       "0 of " PF ") failed: EOPNOTSUPP");
	assert_int_equal(vf->steps[n].pid, sriov.pid);
	assert_string_equal(vf->steps[n - 1].text,
			    "vlan 30 qos 0 set through ens5 (vf 0 of " PF ")");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(sriov_cycles_raise_only_returns, setup, teardown),
		cmocka_unit_test_setup_teardown(sriov_eexist_rollback_takes_the_other_net1, setup,
						teardown),
		cmocka_unit_test_setup_teardown(sriov_failed_rename_without_rollback, setup,
						teardown),
		cmocka_unit_test_setup_teardown(temporary_netns_is_one_attachment, setup, teardown),
		cmocka_unit_test_setup_teardown(host_device_add_del, setup, teardown),
		cmocka_unit_test_setup_teardown(ib_sriov_rebind_in_add_is_no_churn, setup,
						teardown),
		cmocka_unit_test_setup_teardown(kernel_return_after_netns_deletion, setup,
						teardown),
		cmocka_unit_test_setup_teardown(kernel_return_as_dev_n, setup, teardown),
		cmocka_unit_test_setup_teardown(sriov_del_eexist_then_kernel_return_as_dev_n, setup,
						teardown),
		cmocka_unit_test_setup_teardown(rebind_in_pod_is_churn, setup, teardown),
		cmocka_unit_test_setup_teardown(numvfs_busy_then_zero_while_in_pod, setup,
						teardown),
		cmocka_unit_test_setup_teardown(add_of_a_removed_vf_raises_nothing, setup,
						teardown),
		cmocka_unit_test_setup_teardown(settings_are_steps_with_their_actor, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
