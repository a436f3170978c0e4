// SPDX-License-Identifier: GPL-2.0-only
/*
 * driver.bpf.c - the device driver and SR-IOV hooks: driver bind and unbind,
 * writes to sriov_numvfs, and the PF adding and removing its VFs. The maps
 * and the shared helpers are in common.bpf.h.
 */
#include "common.bpf.h"

/*
 * ---- driver_bind: really_probe(dev, drv) on return; driver_unbind:
 * device_release_driver_internal(dev, drv, parent) on entry ----
 */
static __always_inline void emit_bind(struct device *dev, struct device_driver *drv, int ret,
				      __u32 source)
{
	struct vft_bpf_event *e = ev_reserve(VFT_EV_DRIVER_BIND, source);
	const char *dname;

	if (!e)
		return;
	read_devname(e->u.drv.device, sizeof(e->u.drv.device), dev);
	dname = BPF_CORE_READ(drv, name);
	if (dname)
		bpf_probe_read_kernel_str(e->u.drv.driver, sizeof(e->u.drv.driver), dname);
	read_parent(e->parent, sizeof(e->parent), BPF_CORE_READ(dev, parent));
	/* really_probe() reports some failures as positive numbers */
	e->ret = ret > 0 ? -ret : ret;
	e->flags |= VFT_F_HAS_RET;
	bpf_ringbuf_submit(e, 0);
}

SEC("fexit/really_probe")
int BPF_PROG(fexit__really_probe, struct device *dev, struct device_driver *drv, int ret)
{
	emit_bind(dev, drv, ret, VFT_SRC_FENTRY);
	return 0;
}

SEC("kprobe/really_probe")
int BPF_KPROBE(kprobe__really_probe, struct device *dev, struct device_driver *drv)
{
	struct stash s = { .obj = dev, .obj2 = drv };

	stash_push(SLOT_DRIVER_BIND, &s);
	return 0;
}

SEC("kretprobe/really_probe")
int BPF_KRETPROBE(kretprobe__really_probe, int ret)
{
	struct stash_key key;
	struct stash *s = stash_pop(SLOT_DRIVER_BIND, &key);

	if (!s)
		return 0;
	emit_bind(s->obj, s->obj2, ret, VFT_SRC_KPROBE);
	stash_del(&key);
	return 0;
}

static __always_inline void on_release(struct device *dev, struct device_driver *drv, __u32 source)
{
	struct device_driver *cur = BPF_CORE_READ(dev, driver);
	struct vft_bpf_event *e;
	const char *dname;

	/* nothing bound, or bound to another driver than the one being released */
	if (!cur || (drv && drv != cur))
		return;
	e = ev_reserve(VFT_EV_DRIVER_UNBIND, source);
	if (!e)
		return;
	read_devname(e->u.drv.device, sizeof(e->u.drv.device), dev);
	dname = BPF_CORE_READ(cur, name);
	if (dname)
		bpf_probe_read_kernel_str(e->u.drv.driver, sizeof(e->u.drv.driver), dname);
	read_parent(e->parent, sizeof(e->parent), BPF_CORE_READ(dev, parent));
	bpf_ringbuf_submit(e, 0);
}

SEC("fentry/device_release_driver_internal")
int BPF_PROG(fentry__device_release_driver_internal, struct device *dev, struct device_driver *drv)
{
	on_release(dev, drv, VFT_SRC_FENTRY);
	return 0;
}

SEC("kprobe/device_release_driver_internal")
int BPF_KPROBE(kprobe__device_release_driver_internal, struct device *dev,
	       struct device_driver *drv)
{
	on_release(dev, drv, VFT_SRC_KPROBE);
	return 0;
}

/* ---- sriov_numvfs: a write to /sys/bus/pci/devices/PF/sriov_numvfs ---- */

static __always_inline struct pci_dev *to_pci_dev(struct device *dev)
{
	return (void *)dev - bpf_core_field_offset(struct pci_dev, dev);
}

static __always_inline void numvfs_enter(struct device *dev, const char *buf)
{
	struct stash s = { .obj = dev };
	char num[8] = {};
	__u32 n = 0;
	int i;

	s.b = BPF_CORE_READ(to_pci_dev(dev), sriov, num_VFs);
	bpf_probe_read_kernel_str(num, sizeof(num), buf);
	for (i = 0; i < 6; i++) {
		if (num[i] < '0' || num[i] > '9')
			break;
		n = n * 10 + (num[i] - '0');
	}
	s.a = n;
	stash_push(SLOT_SRIOV_NUMVFS, &s);
}

static __always_inline void numvfs_exit(long ret, __u32 source)
{
	struct vft_bpf_event *e;
	struct stash_key key;
	struct stash *s;

	s = stash_pop(SLOT_SRIOV_NUMVFS, &key);
	if (!s)
		return;
	e = ev_reserve(VFT_EV_SRIOV_NUMVFS, source);
	if (e) {
		read_devname(e->u.sriov.pf, sizeof(e->u.sriov.pf), s->obj);
		e->u.sriov.num_vfs = s->a;
		e->u.sriov.old_num_vfs = s->b;
		/* the store returns the byte count on success */
		e->ret = ret < 0 ? ret : 0;
		e->flags |= VFT_F_HAS_RET;
		bpf_ringbuf_submit(e, 0);
	}
	stash_del(&key);
}

SEC("fentry/sriov_numvfs_store")
int BPF_PROG(fentry__sriov_numvfs_store, struct device *dev, struct device_attribute *attr,
	     const char *buf)
{
	numvfs_enter(dev, buf);
	return 0;
}

SEC("fexit/sriov_numvfs_store")
int BPF_PROG(fexit__sriov_numvfs_store, struct device *dev, struct device_attribute *attr,
	     const char *buf, size_t count, long ret)
{
	numvfs_exit(ret, VFT_SRC_FENTRY);
	return 0;
}

SEC("kprobe/sriov_numvfs_store")
int BPF_KPROBE(kprobe__sriov_numvfs_store, struct device *dev, struct device_attribute *attr,
	       const char *buf)
{
	numvfs_enter(dev, buf);
	return 0;
}

SEC("kretprobe/sriov_numvfs_store")
int BPF_KRETPROBE(kretprobe__sriov_numvfs_store, long ret)
{
	numvfs_exit(ret, VFT_SRC_KPROBE);
	return 0;
}

/* ---- vf_add / vf_remove: pci_iov_add_virtfn(pf, id) / pci_iov_remove_virtfn(pf, id) ---- */

static __always_inline void emit_vf(__u32 kind, struct pci_dev *pf, int id, int ret, bool has_ret,
				    __u32 source)
{
	struct vft_bpf_event *e = ev_reserve(kind, source);

	if (!e)
		return;
	read_devname(e->u.sriov.pf, sizeof(e->u.sriov.pf), &pf->dev);
	e->u.sriov.vf_index = id;
	e->u.sriov.vf_offset = BPF_CORE_READ(pf, sriov, offset);
	e->u.sriov.vf_stride = BPF_CORE_READ(pf, sriov, stride);
	e->ret = ret;
	e->flags |= has_ret ? VFT_F_HAS_RET : 0;
	bpf_ringbuf_submit(e, 0);
}

SEC("fexit/pci_iov_add_virtfn")
int BPF_PROG(fexit__pci_iov_add_virtfn, struct pci_dev *pf, int id, int ret)
{
	emit_vf(VFT_EV_VF_ADD, pf, id, ret, true, VFT_SRC_FENTRY);
	return 0;
}

SEC("kprobe/pci_iov_add_virtfn")
int BPF_KPROBE(kprobe__pci_iov_add_virtfn, struct pci_dev *pf, int id)
{
	struct stash s = { .obj = pf, .a = id };

	stash_push(SLOT_VF_ADD, &s);
	return 0;
}

SEC("kretprobe/pci_iov_add_virtfn")
int BPF_KRETPROBE(kretprobe__pci_iov_add_virtfn, int ret)
{
	struct stash_key key;
	struct stash *s = stash_pop(SLOT_VF_ADD, &key);

	if (!s)
		return 0;
	emit_vf(VFT_EV_VF_ADD, s->obj, s->a, ret, true, VFT_SRC_KPROBE);
	stash_del(&key);
	return 0;
}

SEC("fentry/pci_iov_remove_virtfn")
int BPF_PROG(fentry__pci_iov_remove_virtfn, struct pci_dev *pf, int id)
{
	emit_vf(VFT_EV_VF_REMOVE, pf, id, 0, false, VFT_SRC_FENTRY);
	return 0;
}

SEC("kprobe/pci_iov_remove_virtfn")
int BPF_KPROBE(kprobe__pci_iov_remove_virtfn, struct pci_dev *pf, int id)
{
	emit_vf(VFT_EV_VF_REMOVE, pf, id, 0, false, VFT_SRC_KPROBE);
	return 0;
}
