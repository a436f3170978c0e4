/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * port_rules.h - the facts about a VF's RDMA port (InfiniBand or RoCE), each
 * decided in one place: the correlator's findings (LID_MISSING,
 * SM_UNREACHABLE, GUID_ZERO, GID_MISSING) and `vftrace check`'s verdicts
 * (the guid, lid and sm columns) are made of these predicates. Each reads
 * the port attributes of a correlator record (struct vft_vf), as the last
 * rdma_port_state or rdma_port_event set them; none looks at has_port.
 */
#ifndef VFT_PORT_RULES_H
#define VFT_PORT_RULES_H

#include <stdbool.h>
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

#endif /* VFT_PORT_RULES_H */
