# SPDX-License-Identifier: GPL-2.0-only
# Benchmark programs. Included by the top-level Makefile.
#
# `make capture-bench`: figures of the capture format (tests/bench/capture_bench.c):
# bytes per event on disk, decoding speed against plain zlib inflation, peak
# RSS. Not a test and not part of `make bench`. CAPTURE_BENCH_ARGS passes
# options (e.g. `-n 100000 -r 1000`).
#
# build/replay_bench (tests/bench/replay_bench.c): the replay benchmark that
# `make bench` runs on the host (tests/bench/run.sh replay); built with it.

CAPTURE_BENCH_ARGS ?=

.PHONY: capture-bench

$(OUTPUT)/capture_bench: tests/bench/capture_bench.c tests/bench/bench.h tests/fuzz/capfmt.h $(OUTPUT)/libvftrace.a
	$(call msg,LINK,$@)
	$(Q)$(CC) $(USER_CFLAGS) -Itests/fuzz $< $(OUTPUT)/libvftrace.a $(USER_LDLIBS) -o $@

capture-bench: $(OUTPUT)/capture_bench
	$(OUTPUT)/capture_bench $(CAPTURE_BENCH_ARGS)

$(OUTPUT)/replay_bench: tests/bench/replay_bench.c tests/bench/bench.h tests/fuzz/capfmt.h $(OUTPUT)/libvftrace.a
	$(call msg,LINK,$@)
	$(Q)$(CC) $(USER_CFLAGS) -Itests/fuzz $< $(OUTPUT)/libvftrace.a $(USER_LDLIBS) -o $@

bench: $(OUTPUT)/replay_bench
