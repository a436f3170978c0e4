// SPDX-License-Identifier: GPL-2.0-only
/*
 * text.c - the text builder's longer conversions (see text.h): addresses,
 * GUIDs, errno names.
 */
#include "model/text.h"
#include "lib/util.h"

/*
 * As glibc's inet_ntop() writes it: IPv6 with the longest run of two or more
 * zero groups (the first of equals) as "::", an IPv4-compatible or -mapped
 * address in dotted decimal. The C library's way is a sprintf() per group.
 */
void vft_text__ip(struct vft_text *t, int family, const uint8_t *a)
{
	int best = -1, best_len = 0, cur = -1, cur_len = 0, i, k;
	unsigned int w[8];

	if (family != 10) {
		if (family != 2) {
			vft_text__str(t, "?");
			return;
		}
		for (k = 0; k < 4; k++) {
			if (k)
				vft_text__str(t, ".");
			vft_text__dec(t, a[k]);
		}
		return;
	}
	for (i = 0; i < 8; i++) {
		w[i] = (unsigned int)a[2 * i] << 8 | a[2 * i + 1];
		if (!w[i]) {
			if (cur < 0)
				cur = i, cur_len = 0;
			cur_len++;
		} else if (cur >= 0) {
			if (best < 0 || cur_len > best_len)
				best = cur, best_len = cur_len;
			cur = -1;
		}
	}
	if (cur >= 0 && (best < 0 || cur_len > best_len))
		best = cur, best_len = cur_len;
	if (best_len < 2)
		best = -1;
	for (i = 0; i < 8; i++) {
		if (best >= 0 && i >= best && i < best + best_len) {
			if (i == best)
				vft_text__str(t, ":");
			continue;
		}
		if (i)
			vft_text__str(t, ":");
		/* an IPv4-compatible or -mapped address ends in dotted decimal */
		if (i == 6 && best == 0 && (best_len == 6 || (best_len == 5 && w[5] == 0xffff))) {
			vft_text__ip(t, 2, a + 12);
			return;
		}
		vft_text__hex(t, w[i]);
	}
	if (best >= 0 && best + best_len == 8)
		vft_text__str(t, ":");
}

void vft_text__guid(struct vft_text *t, uint64_t guid)
{
	char g[20]; /* 16 digits, 3 colons, the NUL */
	int i, k = 0;

	/* four groups of four hex digits, most significant first */
	for (i = 15; i >= 0; i--) {
		g[k++] = "0123456789abcdef"[(guid >> (4 * i)) & 15];
		if (i && !(i % 4))
			g[k++] = ':';
	}
	g[k] = '\0';
	vft_text__str(t, g);
}

void vft_text__errno(struct vft_text *t, int err)
{
	char buf[16];

	vft_text__str(t, vft_errno_name(err, buf, sizeof(buf)));
}
