// SPDX-License-Identifier: GPL-2.0-only
/*
 * report_html.c - placeholder
 */
#include "sinks/trace_internal.h"

int tr_write_html(const struct tr_model *m, FILE *out)
{
	return 0;
}
