# SPDX-License-Identifier: GPL-2.0-only
# Unit tests: cmocka, built with ASan and UBSan, need neither root nor BPF.
# Included by the top-level Makefile.

SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
SAN_DIR := $(OUTPUT)/san
SAN_OBJS := $(patsubst %.c,$(SAN_DIR)/%.o,$(USER_SRCS))
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(SAN_DIR)/%,$(UNIT_SRCS))
CMOCKA_LIBS := $(shell $(PKG_CONFIG) --libs cmocka 2>/dev/null || echo -lcmocka)

$(SAN_DIR):
	$(Q)mkdir -p $@

$(SAN_DIR)/user/%.o: user/%.c | $(SKELS) $(SAN_DIR)
	$(call msg,CC-SAN,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(USER_CFLAGS) -O1 $(SAN_FLAGS) -c $< -o $@

$(SAN_DIR)/test_%: tests/unit/test_%.c $(SAN_OBJS) | $(SAN_DIR)
	$(call msg,TEST-CC,$@)
	$(Q)$(CC) $(USER_CFLAGS) -O1 $(SAN_FLAGS) -Itests/unit $< $(SAN_OBJS) \
		$(USER_LDLIBS) $(CMOCKA_LIBS) -o $@

test-unit: $(UNIT_BINS)
	tests/unit/run.sh $(UNIT_BINS)
