/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vfcfg.h - the vf_config kind: a VF setting asked of its PF (MAC, VLAN,
 * rate, spoofchk, link state, trust, IB node and port GUID). Its names, the
 * text of a value (packed as enum vft_vf_setting of bpf/vftrace.h says) and
 * what its row in kinds.c points to.
 */
#ifndef VFT_VFCFG_H
#define VFT_VFCFG_H

#include <stdint.h>
#include "vftrace.h"

struct vft_event;
struct vft_bpf_event;
struct vft_text;

/* "mac", "vlan", "trust", ... or NULL for a setting this version does not know. */
const char *vft_vf_setting__name(uint32_t setting);
/* "auto", "enable", "disable" for a link state; NULL if unknown. */
const char *vft_vf_link_state__name(uint32_t state);
/*
 * The value as `ip link` words it: "02:00:00:00:00:01", "10 qos 0" (then
 * " proto 802.1ad" if not 802.1Q), "on", "disable", "min 0 max 100".
 */
void vft_vf_setting__text(struct vft_text *t, uint32_t setting, uint64_t value);
/* The MAC of a VFT_VF_MAC value: "02:00:00:00:00:01" into @buf (18 bytes). */
void vft_vf_mac__fmt(char *buf, size_t size, uint64_t value);

/* The row's functions (kinds.c). */
void vft_vfcfg__decode(struct vft_event *ev, const struct vft_bpf_event *r);
/* " vf 0 0000:01:10.0 mac 02:00:00:00:00:01" */
void vft_vfcfg__line(struct vft_text *t, const struct vft_event *ev);
/* "mac 02:00:00:00:00:01 set through eth0 (vf 0 of 0000:01:00.0)" */
void vft_vfcfg__step(struct vft_text *t, const struct vft_event *ev);

#endif /* VFT_VFCFG_H */
