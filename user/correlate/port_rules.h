/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * port_rules.h - the facts about a VF's RDMA port (InfiniBand or RoCE), each
 * decided in one place: the correlator's findings (LID_MISSING,
 * SM_UNREACHABLE, GUID_ZERO, GID_MISSING) and `vftrace check`'s verdicts
 * (the guid, lid and sm columns) are made of these predicates. Each reads
 * the port attributes of a correlator record (struct vft_vf), as the last
 * rdma_port_state or rdma_port_event set them; the predicates do not look
 * at has_port, the verdicts below them do.
 */
#ifndef VFT_PORT_RULES_H
#define VFT_PORT_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "correlate/correlate.h"

/* IB_PORT_ACTIVE: the state in which a port carries traffic. */
#define VFT_PORT_STATE_ACTIVE 4

/*
 * Whether @lid is a LID the Subnet Manager assigned: not 0 (none yet) and
 * not 0xffff (the permissive LID, not an address of this port). The rule of
 * a port's LID and of its SM LID.
 */
bool vft_lid__usable(uint32_t lid);

/* The port's link layer is InfiniBand. */
bool vft_port__is_ib(const struct vft_vf *vf);
/* The port's link layer is Ethernet: RoCE. */
bool vft_port__is_roce(const struct vft_vf *vf);
/* The port is ACTIVE. */
bool vft_port__active(const struct vft_vf *vf);
/* The port has a usable LID (vft_lid__usable()), whatever its state. */
bool vft_port__has_lid(const struct vft_vf *vf);
/* A Subnet Manager answered: the port's SM LID is usable. */
bool vft_port__has_sm(const struct vft_vf *vf);
/* The port GUID (GID 0's interface id) is zero. */
bool vft_port__port_guid_zero(const struct vft_vf *vf);
/* The RDMA device's node GUID is zero. */
bool vft_port__node_guid_zero(const struct vft_vf *vf);
/* RoCE v2: the port has a GID derived from an IP address (not fe80::/10). */
bool vft_port__has_ip_gid(const struct vft_vf *vf);

/*
 * The verdicts on a port: one rule each, which watch's finding and check's
 * column both apply (docs/findings.md, docs/check.md). Each writes why in
 * @why (the port's facts, and for VFT_PORT_BAD what is wrong); callers add
 * the port's name and their own context. A record without port attributes
 * (has_port false) is VFT_PORT_NA to each.
 */
enum vft_port_verdict {
	VFT_PORT_NA,  /* does not apply: no port read, or not this link layer */
	VFT_PORT_OK,  /* holds */
	VFT_PORT_BAD, /* does not hold: the finding is raised, the column fails */
};

/*
 * GUID_ZERO, the guid column. Bad when the RDMA device's node GUID is zero
 * (InfiniBand and RoCE: rdma_cm fails without one; on RoCE it comes from
 * the VF's MAC), or, on InfiniBand, the port GUID (GID 0's interface id) is
 * zero (the Subnet Manager will not admit the port). A RoCE port's GID 0
 * reads zero until the kernel fills the table, so its port GUID is not
 * judged. NA on other link layers.
 */
enum vft_port_verdict vft_port__guid(const struct vft_vf *vf, char *why, size_t size);

/*
 * LID_MISSING, the lid column on InfiniBand. Bad when the port has no
 * usable LID, or has one but is not ACTIVE; @why tells the two apart ("no
 * LID" / "not ACTIVE"). NA on other link layers.
 */
enum vft_port_verdict vft_port__lid(const struct vft_vf *vf, char *why, size_t size);

/*
 * SM_UNREACHABLE, the sm column. InfiniBand: bad when the SM LID is not
 * usable (no Subnet Manager answered). The port's state is the LID rule's.
 * NA on other link layers.
 */
enum vft_port_verdict vft_port__sm(const struct vft_vf *vf, char *why, size_t size);

/*
 * GID_MISSING, the lid column on RoCE. Bad when the port has no RoCE v2
 * GID derived from an IP address. NA on other link layers.
 */
enum vft_port_verdict vft_port__ip_gid(const struct vft_vf *vf, char *why, size_t size);

#endif /* VFT_PORT_RULES_H */
