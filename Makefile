# tern: a bare-metal type-1 microhypervisor for x86-64.
#
#   make            build build/tern.elf, the test guests and build/tern.iso
#   make run        boot tern with a demo guest (tools/run; see README)
#   make test       host unit tests + guest tests + boot-path tests
#   make bench      exit-path benchmark in deterministic ticks
#   make debug      tern under the Bochs debugger with symbols (EMU=qemu: gdb)
#   make deps       install the Debian packages the project needs
#
# Conventions as in Linux: CROSS_COMPILE= prefixes the toolchain (picked
# automatically on a non-x86 host), V=1 shows commands, O=dir holds outputs.

HOST_ARCH := $(shell uname -m)
ifeq ($(HOST_ARCH),x86_64)
CROSS_COMPILE ?=
else
CROSS_COMPILE ?= x86_64-linux-gnu-
endif

CC      := $(CROSS_COMPILE)gcc
LD      := $(CROSS_COMPILE)ld
OBJCOPY := $(CROSS_COMPILE)objcopy
HOSTCC  ?= gcc
O       ?= build
V       ?= 0

ifeq ($(V),1)
Q :=
else
Q := @
endif
export Q O V CROSS_COMPILE

# ---------------------------------------------------------------- tern
KERNEL_SRCS := $(sort $(wildcard boot/*.S arch/x86/*.S arch/x86/*.c kernel/*.c \
                 kernel/lib/*.c irq/*.c drivers/*.c))
KERNEL_OBJS := $(patsubst %,$(O)/k/%.o,$(KERNEL_SRCS))
KERNEL_LDS  := arch/x86/tern.ld

KERNEL_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -Wno-unused-parameter \
	-ffreestanding -fno-stack-protector -fno-pic -fno-pie -fno-common \
	-fno-omit-frame-pointer -fno-strict-aliasing -mno-red-zone \
	-mgeneral-regs-only -mcmodel=small -mno-tls-direct-seg-refs \
	-I. -Iinclude -MMD -MP
KERNEL_ASFLAGS := -D__ASSEMBLY__ -I. -Iinclude -MMD -MP

TERN_ELF := $(O)/tern.elf
TERN_ISO := $(O)/tern.iso

.PHONY: all
all: $(TERN_ELF) guests $(TERN_ISO)

$(O)/k/%.c.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(KERNEL_CFLAGS) -c $< -o $@

$(O)/k/%.S.o: %.S
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  AS      $<")
	$(Q)$(CC) $(KERNEL_ASFLAGS) -c $< -o $@

$(TERN_ELF): $(KERNEL_OBJS) $(KERNEL_LDS)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(LD) -nostdlib -z max-page-size=0x1000 -z noexecstack -T $(KERNEL_LDS) \
		-o $@ $(KERNEL_OBJS)

# The default ISO boots tern with the demo guest; tools/run builds its own
# ISO per run from the options it is given.
$(TERN_ISO): $(TERN_ELF) guests tools/mkiso
	@$(if $(Q),echo "  ISO     $@")
	$(Q)tools/mkiso -o $@ -t $(TERN_ELF) -a "vm=demo.elf" $(O)/guests/demo.elf

# ---------------------------------------------------------------- guests
GUESTS :=
include tests/guests/guests.mk
include tests/foreign/foreign.mk

# ---------------------------------------------------------------- host unit tests
# Each tests/unit/*.mk adds a name to UNIT_TESTS and sets test_<name>_SRCS.
UNIT_TESTS :=
-include $(sort $(wildcard tests/unit/*.mk))

UNIT_CFLAGS := -std=gnu11 -O1 -g -Wall -Wextra -Werror -Wno-unused-parameter \
	-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer \
	-DTERN_HOST -I. -Iinclude
UNIT_HEADERS := $(wildcard include/tern/*.h kernel/*.h kernel/lib/*.h irq/*.h drivers/*.h tests/unit/*.h)
UNIT_LDLIBS := -lcmocka -lpthread
UNIT_BINS := $(patsubst %,$(O)/unit/test_%,$(UNIT_TESTS))

define unit_rule
$(O)/unit/test_$(1): $$(test_$(1)_SRCS) $$(UNIT_HEADERS)
	@mkdir -p $$(dir $$@)
	@$$(if $$(Q),echo "  HOSTCC  $$@")
	$$(Q)$$(HOSTCC) $$(UNIT_CFLAGS) $$(test_$(1)_CFLAGS) -o $$@ $$(test_$(1)_SRCS) $$(UNIT_LDLIBS)
endef
$(foreach t,$(UNIT_TESTS),$(eval $(call unit_rule,$(t))))

.PHONY: unit
unit: $(UNIT_BINS)

# ---------------------------------------------------------------- fuzzers
-include tests/fuzz/fuzz.mk

# ---------------------------------------------------------------- commands
.PHONY: deps run test bench clean linux-guest lint
lint: deps
	$(Q)tools/lint

linux-guest:
	$(Q)tools/linux-guest

deps:
	$(Q)tools/deps

run: deps all
	$(Q)tools/run

test: deps all unit
	$(Q)tools/test

bench: deps all
	$(Q)tools/bench $(if $(LINUX),LINUX=$(LINUX))

.PHONY: debug
debug: deps all
	$(Q)tools/debug

clean:
	rm -rf $(O)

-include $(KERNEL_OBJS:.o=.d)
