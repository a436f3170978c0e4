// SPDX-License-Identifier: GPL-2.0-only
/*
 * vfcfg.c - the vf_config kind (see vfcfg.h): a setting of a VF that its
 * PF was asked to apply. The record says the PF's ifindex in the request's
 * netns and the VF's index; the enrichment adds the PF's and the VF's PCI
 * addresses (user/enrich/enrich.c).
 */
#include <stdio.h>
#include <string.h>
#include "model/event.h"
#include "model/text.h"
#include "model/vfcfg.h"
#include "lib/util.h"

static const char *const setting_names[VFT_VF_SETTING_MAX] = {
	[VFT_VF_MAC] = "mac",
	[VFT_VF_VLAN] = "vlan",
	[VFT_VF_TX_RATE] = "tx_rate",
	[VFT_VF_SPOOFCHK] = "spoofchk",
	[VFT_VF_LINK_STATE] = "link_state",
	[VFT_VF_RATE] = "rate",
	[VFT_VF_RSS_QUERY_EN] = "query_rss",
	[VFT_VF_TRUST] = "trust",
	[VFT_VF_NODE_GUID] = "node_guid",
	[VFT_VF_PORT_GUID] = "port_guid",
};

const char *vft_vf_setting__name(uint32_t setting)
{
	return setting < VFT_VF_SETTING_MAX ? setting_names[setting] : NULL;
}

const char *vft_vf_link_state__name(uint32_t state)
{
	static const char *const names[] = { "auto", "enable", "disable" };

	return state < ARRAY_SIZE(names) ? names[state] : NULL;
}

void vft_vf_mac__fmt(char *buf, size_t size, uint64_t value)
{
	snprintf(buf, size, "%02x:%02x:%02x:%02x:%02x:%02x", (unsigned int)(value >> 40 & 0xff),
		 (unsigned int)(value >> 32 & 0xff), (unsigned int)(value >> 24 & 0xff),
		 (unsigned int)(value >> 16 & 0xff), (unsigned int)(value >> 8 & 0xff),
		 (unsigned int)(value & 0xff));
}

void vft_vf_setting__text(struct vft_text *t, uint32_t setting, uint64_t value)
{
	const char *s;
	char mac[20];

	switch (setting) {
	case VFT_VF_MAC:
		vft_vf_mac__fmt(mac, sizeof(mac), value);
		vft_text__str(t, mac);
		break;
	case VFT_VF_VLAN:
		vft_text__dec(t, value & 0xffff);
		vft_text__str(t, " qos ");
		vft_text__dec(t, value >> 16 & 0xffff);
		if ((value >> 32 & 0xffff) == 0x88a8)
			vft_text__str(t, " proto 802.1ad");
		else if ((value >> 32 & 0xffff) != 0x8100)
			vft_text__str(t, " proto 0x"), vft_text__hex(t, value >> 32 & 0xffff);
		break;
	case VFT_VF_RATE:
		vft_text__str(t, "min ");
		vft_text__dec(t, (uint32_t)value);
		vft_text__str(t, " max ");
		vft_text__dec(t, value >> 32);
		break;
	case VFT_VF_SPOOFCHK:
	case VFT_VF_RSS_QUERY_EN:
	case VFT_VF_TRUST:
		vft_text__str(t, value ? "on" : "off");
		break;
	case VFT_VF_LINK_STATE:
		s = vft_vf_link_state__name((uint32_t)value);
		if (s)
			vft_text__str(t, s);
		else
			vft_text__dec(t, value);
		break;
	case VFT_VF_NODE_GUID:
	case VFT_VF_PORT_GUID:
		vft_text__guid(t, value);
		break;
	default: /* tx_rate, and a setting this version does not know */
		vft_text__dec(t, value);
		break;
	}
}

void vft_vfcfg__decode(struct vft_event *ev, const struct vft_bpf_event *r)
{
	ev->vf_index = r->u.vfcfg.vf;
	ev->vf_setting = r->u.vfcfg.setting;
	ev->vf_value = r->u.vfcfg.value;
}

/* "mac 02:00:00:00:00:01", "setting 8 value 1" for one this version does not know */
static void setting_text(struct vft_text *t, const struct vft_event *ev)
{
	const char *name = vft_vf_setting__name(ev->vf_setting);

	if (!name) {
		vft_text__str(t, "setting ");
		vft_text__dec(t, ev->vf_setting);
		vft_text__str(t, " value ");
	} else {
		vft_text__str(t, name);
		vft_text__str(t, " ");
	}
	vft_vf_setting__text(t, ev->vf_setting, ev->vf_value);
}

void vft_vfcfg__line(struct vft_text *t, const struct vft_event *ev)
{
	vft_text__str(t, " vf ");
	vft_text__int(t, ev->vf_index);
	if (ev->device[0]) {
		vft_text__str(t, " ");
		vft_text__str(t, ev->device);
	}
	vft_text__str(t, " ");
	setting_text(t, ev);
	if (!ev->ifname[0]) { /* the PF's netns was not ours: its ifindex there */
		vft_text__str(t, " pf ifindex ");
		vft_text__int(t, ev->ifindex);
		vft_text__str(t, " netns ");
		vft_text__dec(t, ev->netns);
	}
}

void vft_vfcfg__step(struct vft_text *t, const struct vft_event *ev)
{
	setting_text(t, ev);
	vft_text__str(t, " set through ");
	vft_text__str(t, ev->ifname[0] ? ev->ifname : "its PF");
	vft_text__str(t, " (vf ");
	vft_text__int(t, ev->vf_index);
	if (ev->pf[0]) {
		vft_text__str(t, " of ");
		vft_text__str(t, ev->pf);
	}
	vft_text__str(t, ")");
	if (ev->has_ret && ev->ret < 0) {
		vft_text__str(t, " failed: ");
		vft_text__errno(t, ev->ret);
	}
}
