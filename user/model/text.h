/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * text.h - a line of text built into a fixed buffer, cut where snprintf()
 * would cut it. The event descriptions (vft_event__describe()) are made of
 * these calls: a timeline has many steps and a sprintf() per number costs
 * more than the whole step.
 */
#ifndef VFT_TEXT_H
#define VFT_TEXT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/*
 * The pod that netns @netns is, as a step names it ("ml/trainer-0"), written
 * into @buf; NULL or "" when not known by name.
 */
typedef const char *vft_text_pod_of(void *ctx, uint32_t netns, char *buf, size_t size);

struct vft_text {
	char *p;   /* where the next byte goes */
	char *end; /* the buffer's last byte, kept for the NUL */
	char *buf;
	vft_text_pod_of *pod_of; /* NULL: a netns is its inode */
	void *pod_ctx;
};

/* Starts an empty text in @buf of @size bytes (at least 1). */
static inline void vft_text__init(struct vft_text *t, char *buf, size_t size)
{
	t->buf = t->p = buf;
	t->end = buf + size - 1;
	t->pod_of = NULL;
	t->pod_ctx = NULL;
	*t->p = '\0';
}

/* NUL-terminates the text and returns its length. */
static inline size_t vft_text__done(struct vft_text *t)
{
	*t->p = '\0';
	return (size_t)(t->p - t->buf);
}

/* Appends the first @n bytes of @s, as many as fit. */
static inline void vft_text__mem(struct vft_text *t, const char *s, size_t n)
{
	if (n > (size_t)(t->end - t->p))
		n = (size_t)(t->end - t->p);
	memcpy(t->p, s, n);
	t->p += n;
}

/* %s; NULL is "(null)", as printf() has it. */
static inline void vft_text__str(struct vft_text *t, const char *s)
{
	if (!s)
		s = "(null)";
	vft_text__mem(t, s, strlen(s));
}

/* %.*s: at most @max bytes of @s. */
static inline void vft_text__strn(struct vft_text *t, const char *s, size_t max)
{
	vft_text__mem(t, s, strnlen(s, max));
}

/* Appends @n digits kept least significant first in @tmp. */
static inline void vft_text__digits(struct vft_text *t, const char *tmp, int n)
{
	while (n && t->p < t->end)
		*t->p++ = tmp[--n];
}

/* %u, %llu */
static inline void vft_text__dec(struct vft_text *t, uint64_t v)
{
	char tmp[24];
	int n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	vft_text__digits(t, tmp, n);
}

/* "pod ml/trainer-0" when the text's pod_of names @netns's pod, else "netns 4026532301". */
static inline void vft_text__netns(struct vft_text *t, uint32_t netns)
{
	char buf[64 + 256 + 2]; /* "<namespace>/<name>" */
	const char *pod = t->pod_of ? t->pod_of(t->pod_ctx, netns, buf, sizeof(buf)) : NULL;

	if (pod && pod[0]) {
		vft_text__mem(t, "pod ", 4);
		vft_text__mem(t, pod, strlen(pod));
		return;
	}
	vft_text__mem(t, "netns ", 6);
	vft_text__dec(t, netns);
}

/* %d */
static inline void vft_text__int(struct vft_text *t, int32_t v)
{
	if (v < 0 && t->p < t->end)
		*t->p++ = '-';
	vft_text__dec(t, v < 0 ? (uint64_t) - (int64_t)v : (uint64_t)v);
}

/* %x */
static inline void vft_text__hex(struct vft_text *t, uint64_t v)
{
	char tmp[24];
	int n = 0;

	do {
		tmp[n++] = "0123456789abcdef"[v & 15];
		v >>= 4;
	} while (v);
	vft_text__digits(t, tmp, n);
}

/* An address as inet_ntop() writes it (family 2 or 10), "?" for other families. */
void vft_text__ip(struct vft_text *t, int family, const uint8_t *addr);
/* A GUID held in host order, as sysfs shows it: "b8ce:f603:00a4:1010". */
void vft_text__guid(struct vft_text *t, uint64_t guid);
/* The name of errno @err (either sign): "EEXIST". */
void vft_text__errno(struct vft_text *t, int err);

#endif /* VFT_TEXT_H */
