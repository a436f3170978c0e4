// SPDX-License-Identifier: GPL-2.0-only
/*
 * port_rules.c - the predicates on a VF's RDMA port that watch's findings
 * and check's verdicts share (see port_rules.h). The link layers are the
 * strings the kernel writes in .../ports/N/link_layer.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "correlate/port_rules.h"
#include "lib/util.h"

bool vft_lid__usable(uint32_t lid)
{
	return lid && lid != 0xffff;
}

bool vft_port__is_ib(const struct vft_vf *vf)
{
	return !strcmp(vf->link_layer, "InfiniBand");
}

bool vft_port__is_roce(const struct vft_vf *vf)
{
	return !strcmp(vf->link_layer, "Ethernet");
}

bool vft_port__active(const struct vft_vf *vf)
{
	return vf->port_state == VFT_PORT_STATE_ACTIVE;
}

bool vft_port__has_lid(const struct vft_vf *vf)
{
	return vft_lid__usable(vf->lid);
}

bool vft_port__has_sm(const struct vft_vf *vf)
{
	return vft_lid__usable(vf->sm_lid);
}

bool vft_port__port_guid_zero(const struct vft_vf *vf)
{
	return !vf->port_guid;
}

bool vft_port__node_guid_zero(const struct vft_vf *vf)
{
	return !vf->node_guid;
}

bool vft_port__has_ip_gid(const struct vft_vf *vf)
{
	return vf->n_ip_gids;
}

__attribute__((format(printf, 4, 5))) static enum vft_port_verdict
say(enum vft_port_verdict v, char *why, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, size, fmt, ap);
	va_end(ap);
	return v;
}

static const char *state_name(const struct vft_vf *vf)
{
	return vft_port_state__name(vf->port_state) ?: "?";
}

enum vft_port_verdict vft_port__guid(const struct vft_vf *vf, char *why, size_t size)
{
	char ng[24], pg[24];

	vft_fmt_guid(ng, sizeof(ng), vf->node_guid);
	vft_fmt_guid(pg, sizeof(pg), vf->port_guid);
	if (!vf->has_port)
		return say(VFT_PORT_NA, why, size, "no RDMA port to read");
	if (vft_port__is_ib(vf)) {
		if (vft_port__node_guid_zero(vf) || vft_port__port_guid_zero(vf))
			return say(VFT_PORT_BAD, why, size,
				   "node GUID %s, port GUID %s: a zero GUID is never admitted", ng,
				   pg);
		return say(VFT_PORT_OK, why, size, "node GUID %s, port GUID %s", ng, pg);
	}
	if (vft_port__is_roce(vf)) {
		if (vft_port__node_guid_zero(vf))
			return say(VFT_PORT_BAD, why, size,
				   "node GUID %s: zero (it comes from the VF's MAC): rdma_cm fails",
				   ng);
		return say(VFT_PORT_OK, why, size, "node GUID %s", ng);
	}
	return say(VFT_PORT_NA, why, size, "link layer '%s'", vf->link_layer);
}

enum vft_port_verdict vft_port__lid(const struct vft_vf *vf, char *why, size_t size)
{
	if (!vf->has_port)
		return say(VFT_PORT_NA, why, size, "no RDMA port to read");
	if (!vft_port__is_ib(vf))
		return say(VFT_PORT_NA, why, size, "not InfiniBand");
	if (!vft_port__has_lid(vf))
		return say(VFT_PORT_BAD, why, size,
			   "no LID (LID 0x%x, state %s): the Subnet Manager has not assigned one",
			   vf->lid, state_name(vf));
	if (!vft_port__active(vf))
		return say(VFT_PORT_BAD, why, size,
			   "not ACTIVE (state %s, LID 0x%x): the port carries no traffic yet",
			   state_name(vf), vf->lid);
	return say(VFT_PORT_OK, why, size, "LID 0x%x, state %s", vf->lid, state_name(vf));
}

enum vft_port_verdict vft_port__sm(const struct vft_vf *vf, char *why, size_t size)
{
	if (!vf->has_port)
		return say(VFT_PORT_NA, why, size, "no RDMA port to read");
	if (!vft_port__is_ib(vf))
		return say(VFT_PORT_NA, why, size, "not InfiniBand");
	if (!vft_port__has_sm(vf))
		return say(VFT_PORT_BAD, why, size,
			   "SM LID 0x%x (state %s): no Subnet Manager answered", vf->sm_lid,
			   state_name(vf));
	return say(VFT_PORT_OK, why, size, "SM LID 0x%x, state %s", vf->sm_lid, state_name(vf));
}

enum vft_port_verdict vft_port__ip_gid(const struct vft_vf *vf, char *why, size_t size)
{
	if (!vf->has_port)
		return say(VFT_PORT_NA, why, size, "no RDMA port to read");
	if (!vft_port__is_roce(vf))
		return say(VFT_PORT_NA, why, size, "not RoCE");
	if (!vft_port__has_ip_gid(vf))
		return say(VFT_PORT_BAD, why, size, "no RoCE v2 GID from an IP address");
	return say(VFT_PORT_OK, why, size, "%u RoCE v2 GID(s) from IP addresses", vf->n_ip_gids);
}
