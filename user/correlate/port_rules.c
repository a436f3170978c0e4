// SPDX-License-Identifier: GPL-2.0-only
/*
 * port_rules.c - the predicates on a VF's RDMA port that watch's findings
 * and check's verdicts share (see port_rules.h). The link layers are the
 * strings the kernel writes in .../ports/N/link_layer.
 */
#include <string.h>
#include "correlate/port_rules.h"

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
