# SPDX-License-Identifier: GPL-2.0-only
# `make fuzz`: the capture reader under libFuzzer (clang, ASan, UBSan) for
# FUZZ_SECONDS (default 60), from a seed corpus of valid captures generated
# here by the real writer (tests/fuzz/gen_corpus.c). A crash, a sanitizer
# report or a broken invariant fails the target and leaves the input in
# build/fuzz/crash-*; replay it with `build/fuzz/fuzz_capture FILE`.
# Included by the top-level Makefile (docs/testing.md).

FUZZ_SECONDS ?= 60
FUZZ_DIR := $(OUTPUT)/fuzz
FUZZ_FLAGS := -std=gnu11 $(WARN) -g -O1 -fno-omit-frame-pointer -Ibpf -Iuser -Itests/fuzz \
	$(PC_CFLAGS) -DVFTRACE_VERSION='"$(VERSION)"' \
	-fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_LIB_SRCS := user/sinks/capture.c user/sinks/capture_writer.c user/sinks/capture_reader.c \
	user/lib/util.c
FUZZ_DEPS := $(FUZZ_LIB_SRCS) user/sinks/capture.h user/sinks/capture_format.h user/model/event.h \
	user/lib/util.h bpf/vftrace.h tests/fuzz/capfmt.h tests/fuzz/fuzz.mk

.PHONY: fuzz

$(FUZZ_DIR):
	$(Q)mkdir -p $@

$(FUZZ_DIR)/fuzz_capture: tests/fuzz/fuzz_capture.c $(FUZZ_DEPS) | $(FUZZ_DIR)
	$(call msg,FUZZ-CC,$@)
	$(Q)$(CLANG) $(FUZZ_FLAGS) -fsanitize=fuzzer $< $(FUZZ_LIB_SRCS) $(PC_LIBS) -o $@

$(FUZZ_DIR)/gen_corpus: tests/fuzz/gen_corpus.c $(FUZZ_DEPS) | $(FUZZ_DIR)
	$(call msg,FUZZ-CC,$@)
	$(Q)$(CLANG) $(FUZZ_FLAGS) $< $(FUZZ_LIB_SRCS) $(PC_LIBS) -o $@

$(FUZZ_DIR)/seed/.done: $(FUZZ_DIR)/gen_corpus
	$(Q)rm -rf $(FUZZ_DIR)/seed && mkdir -p $(FUZZ_DIR)/seed
	$(Q)$(FUZZ_DIR)/gen_corpus $(FUZZ_DIR)/seed
	$(Q)touch $@

# New inputs go to build/fuzz/corpus (kept between runs); the seeds are read only.
fuzz: $(FUZZ_DIR)/fuzz_capture $(FUZZ_DIR)/seed/.done
	$(Q)mkdir -p $(FUZZ_DIR)/corpus
	$(FUZZ_DIR)/fuzz_capture -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
		-dict=tests/fuzz/capture.dict -artifact_prefix=$(FUZZ_DIR)/ \
		$(FUZZ_DIR)/corpus $(FUZZ_DIR)/seed
