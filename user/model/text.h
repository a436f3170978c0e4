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

struct vft_text {
	char *p;   /* where the next byte goes */
	char *end; /* the buffer's last byte, kept for the NUL */
	char *buf;
};

/* Starts an empty text in @buf of @size bytes (at least 1). */
static inline void vft_text__init(struct vft_text *t, char *buf, size_t size)
{
	t->buf = t->p = buf;
	t->end = buf + size - 1;
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
