# SPDX-License-Identifier: GPL-2.0-only
#
# vftrace build. Chain: bpf/*.bpf.c -> build/bpf/*.bpf.o, linked into
# build/vftrace.bpf.o -> build/vftrace.skel.h -> user objects
# (build/user/<stage>/*.o) -> build/vftrace. `make V=1` shows the commands.
# Every object's header dependencies come from -MMD: a changed header rebuilds
# its users. docs/architecture.md says what each folder of user/ owns.

VERSION := 0.1.0
OUTPUT := build
ARCH ?= x86
PREFIX ?= /usr/local
DESTDIR ?=

CC ?= gcc
CLANG ?= clang
BPFTOOL ?= bpftool
PKG_CONFIG ?= pkg-config

ifeq ($(V),1)
Q =
msg =
else
Q = @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

LIBS_PC := libbpf libelf zlib json-c libmnl libmicrohttpd libcap
PC_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(LIBS_PC) 2>/dev/null)
PC_LIBS := $(shell $(PKG_CONFIG) --libs $(LIBS_PC) 2>/dev/null)

CFLAGS ?= -O2 -g
WARN := -Wall -Wextra -Werror -Wno-unused-parameter -Wno-missing-field-initializers -Wmissing-prototypes -Wstrict-prototypes
USER_CFLAGS := -std=gnu11 $(WARN) $(CFLAGS) -I$(OUTPUT) -Ibpf -Iuser $(PC_CFLAGS) \
	-DVFTRACE_VERSION='"$(VERSION)"' -MMD -MP
USER_LDLIBS := $(PC_LIBS)

BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -Ivmlinux/$(ARCH) -Ibpf \
	-Wall -Werror -MMD -MP

# Every user source but cli/main.c goes into a library that the unit tests link.
# One folder per pipeline stage (docs/architecture.md); sources are found by
# wildcard, so a new file needs no change here.
USER_STAGES := $(sort $(dir $(wildcard user/*/*.c)))
USER_SRCS := $(filter-out user/cli/main.c,$(wildcard user/*/*.c))
USER_OBJS := $(patsubst %.c,$(OUTPUT)/%.o,$(USER_SRCS))
USER_HDRS := $(wildcard user/*/*.h)
# One BPF source per kernel domain, found by wildcard like the user sources;
# their objects are linked into one, with one skeleton.
BPF_SRCS := $(wildcard bpf/*.bpf.c)
BPF_OBJS := $(patsubst bpf/%.bpf.c,$(OUTPUT)/bpf/%.bpf.o,$(BPF_SRCS))
SKELS := $(OUTPUT)/vftrace.skel.h

.DELETE_ON_ERROR:
.SECONDARY:
.PHONY: all clean install test test-unit test-host test-vm demo vmlinux deps check-format format bench

all: $(OUTPUT)/vftrace

$(OUTPUT):
	$(Q)mkdir -p $@

$(OUTPUT)/bpf/%.bpf.o: bpf/%.bpf.c | $(OUTPUT)
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

# BPF static linking: one object, so start-up opens and loads one as before.
# The maps every file defines (__weak, bpf/common.bpf.h) become one map each.
$(OUTPUT)/vftrace.bpf.o: $(BPF_OBJS)
	$(call msg,BPF-LINK,$@)
	$(Q)$(BPFTOOL) gen object $@ $^

$(OUTPUT)/vftrace.skel.h: $(OUTPUT)/vftrace.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name vftrace > $@

# The skeleton exists before any user object is compiled (order-only); -MMD
# then records which objects include it, so a BPF change rebuilds only those.
$(OUTPUT)/user/%.o: user/%.c | $(SKELS) $(OUTPUT)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(USER_CFLAGS) -c $< -o $@

$(OUTPUT)/libvftrace.a: $(USER_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(OUTPUT)/vftrace: $(OUTPUT)/user/cli/main.o $(OUTPUT)/libvftrace.a
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $^ $(USER_LDLIBS) -o $@

include tests/unit/unit.mk
include tests/fuzz/fuzz.mk
include tests/bench/bench.mk

deps:
	scripts/deps.sh

# Regenerates vmlinux/x86/vmlinux.h from the Debian 6.12 kernel (in the test VM).
vmlinux:
	scripts/gen-vmlinux.sh

# The three test layers; each prints its own closing count line.
test: test-unit test-host test-vm

test-host: all $(OUTPUT)/replay_bench
	tests/host/run.sh

test-vm: all
	scripts/vm/test.sh

demo: all
	scripts/vm/run.sh --kernel 6.12 -- scripts/demo.sh

# Benchmarks print figures; they are not timed tests.
bench: all
	tests/bench/run.sh

install: all
	install -D -m 0755 $(OUTPUT)/vftrace $(DESTDIR)$(PREFIX)/sbin/vftrace

check-format:
	clang-format --dry-run -Werror bpf/*.c bpf/*.h user/*/*.c user/*/*.h tests/unit/*.c tests/unit/*.h tests/host/*.c tests/fuzz/*.c tests/fuzz/*.h tests/bench/*.c tests/bench/*.h

format:
	clang-format -i bpf/*.c bpf/*.h user/*/*.c user/*/*.h tests/unit/*.c tests/unit/*.h tests/host/*.c tests/fuzz/*.c tests/fuzz/*.h tests/bench/*.c tests/bench/*.h

clean:
	rm -rf $(OUTPUT)

-include $(wildcard $(OUTPUT)/bpf/*.d $(OUTPUT)/user/*/*.d $(OUTPUT)/san/user/*/*.d)
