# SPDX-License-Identifier: GPL-2.0-only
# `make capture-bench`: figures of the capture format (tests/bench/capture_bench.c):
# bytes per event on disk, decoding speed against plain zlib inflation, peak
# RSS. Not a test and not part of `make bench`. CAPTURE_BENCH_ARGS passes
# options (e.g. `-n 100000 -r 1000`). Included by the top-level Makefile.

CAPTURE_BENCH_ARGS ?=

.PHONY: capture-bench

$(OUTPUT)/capture_bench: tests/bench/capture_bench.c tests/fuzz/capfmt.h $(OUTPUT)/libvftrace.a
	$(call msg,LINK,$@)
	$(Q)$(CC) $(USER_CFLAGS) -Itests/fuzz $< $(OUTPUT)/libvftrace.a $(USER_LDLIBS) -o $@

capture-bench: $(OUTPUT)/capture_bench
	$(OUTPUT)/capture_bench $(CAPTURE_BENCH_ARGS)
