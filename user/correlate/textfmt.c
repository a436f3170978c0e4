// SPDX-License-Identifier: GPL-2.0-only
/*
 * textfmt.c - corr_fmt(): the snprintf() of the correlator's finding
 * messages and evidence, several of them an event when findings are
 * raised. It writes the few conversions they use (%s %u %d %x %llu) with
 * the text builder the event descriptions use (model/text.h), and hands
 * anything else to vsnprintf(), so its output is always snprintf()'s.
 */
#include <stdarg.h>
#include <stdio.h>
#include "correlate/internal.h"
#include "model/text.h"

void corr_fmt(char *buf, size_t size, const char *f, ...)
{
	struct vft_text t;
	const char *p;
	va_list ap, again;

	vft_text__init(&t, buf, size);
	va_start(ap, f);
	va_copy(again, ap);
	for (p = f; *p; p++) {
		if (*p != '%') {
			if (t.p < t.end)
				*t.p++ = *p;
			continue;
		}
		switch (*++p) {
		case 's':
			vft_text__str(&t, va_arg(ap, const char *));
			continue;
		case 'u':
			vft_text__dec(&t, va_arg(ap, unsigned int));
			continue;
		case 'x':
			vft_text__hex(&t, va_arg(ap, unsigned int));
			continue;
		case 'd':
			vft_text__int(&t, va_arg(ap, int));
			continue;
		case 'l':
			if (p[1] == 'l' && p[2] == 'u') {
				p += 2;
				vft_text__dec(&t, va_arg(ap, unsigned long long));
				continue;
			}
			break;
		default:
			break;
		}
		vsnprintf(buf, size, f, again);
		goto out;
	}
	vft_text__done(&t);
out:
	va_end(again);
	va_end(ap);
}
