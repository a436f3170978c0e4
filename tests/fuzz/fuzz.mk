# SPDX-License-Identifier: GPL-2.0-only
# `make fuzz`: two libFuzzer targets (clang, ASan, UBSan), each for
# FUZZ_SECONDS (default 60): fuzz_capture, the capture reader alone, and
# fuzz_replay, the reader feeding the correlator (what `vftrace replay` does
# without its sinks). Seeds: valid captures generated here by the real writer
# (tests/fuzz/gen_corpus.c), and for fuzz_replay also the recorded scenarios
# of tests/golden/ that raise findings. A crash, a sanitizer report or a
# broken invariant fails the target and leaves the input in
# build/fuzz/crash-* (fuzz_capture) or build/fuzz/replay-crash-*
# (fuzz_replay); replay it with `build/fuzz/fuzz_capture FILE` or
# `build/fuzz/fuzz_replay FILE`. `make fuzz-capture` and `make fuzz-replay`
# run one. Included by the top-level Makefile (docs/testing.md).

FUZZ_SECONDS ?= 60
FUZZ_DIR := $(OUTPUT)/fuzz
FUZZ_FLAGS := -std=gnu11 $(WARN) -g -O1 -fno-omit-frame-pointer -Ibpf -Iuser -Itests/fuzz \
	$(PC_CFLAGS) -DVFTRACE_VERSION='"$(VERSION)"' \
	-fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_LIB_SRCS := user/sinks/capture.c user/sinks/capture_writer.c user/sinks/capture_reader.c \
	user/lib/util.c
FUZZ_DEPS := $(FUZZ_LIB_SRCS) user/sinks/capture.h user/sinks/capture_format.h user/model/event.h \
	user/lib/util.h bpf/vftrace.h tests/fuzz/capfmt.h tests/fuzz/fuzz.mk
# The correlator and what it calls: the model (kinds, text), a systemd unit from a cgroup path
# (enrich/cgroup.c), whether an executable is under a directory (enrich/exe.c) and the sysfs
# readers that model/filter.c refers to (never called here).
FUZZ_REPLAY_SRCS := $(FUZZ_LIB_SRCS) $(wildcard user/correlate/*.c user/model/*.c) \
	user/enrich/cgroup.c user/enrich/exe.c user/enrich/sysfs.c
FUZZ_REPLAY_DEPS := $(FUZZ_DEPS) $(FUZZ_REPLAY_SRCS) $(wildcard user/correlate/*.h user/model/*.h) \
	user/enrich/cgroup.h user/enrich/exe.h user/enrich/sysfs.h
FUZZ_GOLDEN := $(wildcard tests/golden/*.cap)

.PHONY: fuzz fuzz-capture fuzz-replay

$(FUZZ_DIR):
	$(Q)mkdir -p $@

$(FUZZ_DIR)/fuzz_capture: tests/fuzz/fuzz_capture.c $(FUZZ_DEPS) | $(FUZZ_DIR)
	$(call msg,FUZZ-CC,$@)
	$(Q)$(CLANG) $(FUZZ_FLAGS) -fsanitize=fuzzer $< $(FUZZ_LIB_SRCS) $(PC_LIBS) -o $@

$(FUZZ_DIR)/fuzz_replay: tests/fuzz/fuzz_replay.c $(FUZZ_REPLAY_DEPS) | $(FUZZ_DIR)
	$(call msg,FUZZ-CC,$@)
	$(Q)$(CLANG) $(FUZZ_FLAGS) -fsanitize=fuzzer $< $(FUZZ_REPLAY_SRCS) $(PC_LIBS) -o $@

$(FUZZ_DIR)/gen_corpus: tests/fuzz/gen_corpus.c $(FUZZ_DEPS) | $(FUZZ_DIR)
	$(call msg,FUZZ-CC,$@)
	$(Q)$(CLANG) $(FUZZ_FLAGS) $< $(FUZZ_LIB_SRCS) $(PC_LIBS) -o $@

$(FUZZ_DIR)/seed/.done: $(FUZZ_DIR)/gen_corpus
	$(Q)rm -rf $(FUZZ_DIR)/seed && mkdir -p $(FUZZ_DIR)/seed
	$(Q)$(FUZZ_DIR)/gen_corpus $(FUZZ_DIR)/seed
	$(Q)touch $@

# Recorded scenarios: whole files, and the payloads of their blocks that fit in 4000 bytes.
$(FUZZ_DIR)/seed-replay/.done: $(FUZZ_DIR)/gen_corpus $(FUZZ_GOLDEN)
	$(Q)rm -rf $(FUZZ_DIR)/seed-replay && mkdir -p $(FUZZ_DIR)/seed-replay
	$(Q)$(FUZZ_DIR)/gen_corpus $(FUZZ_DIR)/seed-replay $(filter-out %/synthetic-64vfs.cap,$(FUZZ_GOLDEN))
	$(Q)touch $@

# New inputs go to build/fuzz/corpus and build/fuzz/corpus-replay (kept between runs); the
# seeds are read only.
fuzz: fuzz-capture fuzz-replay

fuzz-capture: $(FUZZ_DIR)/fuzz_capture $(FUZZ_DIR)/seed/.done
	$(Q)mkdir -p $(FUZZ_DIR)/corpus
	$(FUZZ_DIR)/fuzz_capture -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
		-dict=tests/fuzz/capture.dict -artifact_prefix=$(FUZZ_DIR)/ \
		$(FUZZ_DIR)/corpus $(FUZZ_DIR)/seed

fuzz-replay: $(FUZZ_DIR)/fuzz_replay $(FUZZ_DIR)/seed/.done $(FUZZ_DIR)/seed-replay/.done
	$(Q)mkdir -p $(FUZZ_DIR)/corpus-replay
	$(FUZZ_DIR)/fuzz_replay -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
		-dict=tests/fuzz/capture.dict -artifact_prefix=$(FUZZ_DIR)/replay- \
		$(FUZZ_DIR)/corpus-replay $(FUZZ_DIR)/seed $(FUZZ_DIR)/seed-replay
