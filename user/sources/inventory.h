/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * inventory.h - what exists at start-up (SR-IOV PFs and their VFs, bound
 * drivers, RDMA devices and their ports), read from sysfs under a root
 * prefix, and the one reader per fact that later stages share.
 *
 * The readers never print; vft_inventory__scan() logs skipped devices with
 * vft_debug(). All of them take @root as vft_path() does.
 */
#ifndef VFT_INVENTORY_H
#define VFT_INVENTORY_H

#include <stdbool.h>
#include <stdint.h>
#include "sources/bpf_source.h"
#include "model/event.h"

/* Port @port of an RDMA device: /sys/class/infiniband/<ibdev>/ports/<port>/. */
struct vft_port_attrs {
	uint32_t state;		/* "4: ACTIVE" -> 4 (enum ib_port_state) */
	uint32_t phys_state;	/* "5: LinkUp" -> 5 */
	uint32_t lid;		/* "0x19" -> 0x19; 0 (or 0xffff) is none */
	uint32_t sm_lid;	/* 0 when no Subnet Manager answered */
	uint64_t port_guid;	/* low 64 bits of GID 0 (what ibstat calls the port GUID) */
	char link_layer[16];	/* "InfiniBand", "Ethernet" */
	char rate[32];		/* "400 Gb/sec (4X NDR)", "" if unreadable */
	uint32_t n_gids;	/* non-zero GIDs */
	uint32_t n_rocev2_gids; /* of those, the ones of type "RoCE v2" */
	uint32_t n_ip_gids;	/* RoCE v2 GIDs derived from an IP address (not fe80::/10) */
};

/*
 * Reads port @port of @ibdev. Returns 0 when state, phys_state, lid, sm_lid
 * and link_layer were all read and parsed; otherwise the first error (-ENOENT
 * for a missing port or file, -EINVAL for a malformed one), with @out holding
 * whatever could be read (zero elsewhere). rate, the GIDs and port_guid are
 * best effort: an unreadable GID is skipped, never an error.
 */
int vft_inventory__read_port(const char *root, const char *ibdev, uint32_t port,
			     struct vft_port_attrs *out);

/* A PCI function: /sys/bus/pci/devices/<bdf>/. */
struct vft_pci_attrs {
	uint32_t class_code;	      /* 0x020700 InfiniBand, 0x020000 Ethernet, ... */
	int32_t numa_node;	      /* -1 if unknown */
	char driver[VFT_DEVNAME_LEN]; /* "mlx5_core", "" if unbound */
	char physfn[VFT_DEVNAME_LEN]; /* a VF: its PF's address; "" otherwise */
	bool has_sriov;		      /* a PF: sriov_numvfs exists */
	uint32_t sriov_numvfs;
	uint32_t sriov_totalvfs;
	char ifname[VFT_NAME_LEN];  /* first netdev under net/, "" if none */
	char ibdev[VFT_IBNAME_LEN]; /* first RDMA device under infiniband/, "" if none */
};

/*
 * Reads the PCI function @bdf ("0000:18:00.0"). Returns 0, -ENOENT if there
 * is no such device, -EINVAL for a name with a '/' or a malformed class, or
 * -ENOMEM. Every field but class_code is best effort.
 */
int vft_inventory__read_pci(const char *root, const char *bdf, struct vft_pci_attrs *out);

/* An RDMA device: /sys/class/infiniband/<ibdev>/. */
struct vft_rdma_attrs {
	bool has_node_guid; /* node_guid was read (zero is a value: a VF nobody set) */
	uint64_t node_guid;
	char parent[VFT_DEVNAME_LEN]; /* its device link: the PCI address, "" if none */
	char ifname[VFT_NAME_LEN];    /* ports/1/gid_attrs/ndevs/0, else device/net/<first> */
	uint32_t n_ports;	      /* entries under ports/ */
};

/*
 * Reads the RDMA device @ibdev. Returns 0, -ENOENT if it does not exist,
 * -EINVAL for a name with a '/', or -ENOMEM. Every field is best effort.
 */
int vft_inventory__read_rdma(const char *root, const char *ibdev, struct vft_rdma_attrs *out);

/*
 * Emits VFT_SRC_INVENTORY events, stamped with the wall clock, for what
 * exists now, in this order:
 *   for each PCI function in address order: driver_bind (device, driver) if
 *   it is a network function (class 0x02xxxx, a VF, or one with a netdev or
 *   RDMA device) with a bound driver; then, for a PF with sriov_numvfs,
 *   sriov_numvfs (pf, num_vfs) and one vf_add (pf, device = the VF,
 *   vf_index) per virtfnN link, in index order;
 *   for each RDMA device in name order: rdma_register (ibdev, node_guid,
 *   parent, ifname), then one rdma_port_state per port (ibdev, parent,
 *   node_guid, port, port_guid, has_port_attrs and, if set, port_state,
 *   phys_state, lid, sm_lid, link_layer).
 * A device that vanishes or cannot be read is skipped (vft_debug). Returns
 * 0, the negative value @cb returned (which stops the scan), or -errno (e.g.
 * -ENOMEM). A missing /sys/bus/pci or /sys/class/infiniband is not an error.
 */
int vft_inventory__scan(const char *root, vft_event_cb cb, void *ctx);

#endif /* VFT_INVENTORY_H */
