# tests/fuzz/fuzz.mk: libFuzzer targets for tern's parsers and device models.
# Included by the top Makefile (-include tests/fuzz/fuzz.mk). Each target is
# built with clang -fsanitize=fuzzer,address,undefined -DTERN_HOST from the
# same sources tern uses, plus tests/unit/stub_kernel.c and fakes.
#
#   make fuzz-build                 build every target into $(O)/fuzz/
#   make fuzz [FUZZ_SECONDS=60]     run each for FUZZ_SECONDS (tools/fuzz)
#   make fuzz-quick                 corpus + regressions + ~5 s each (tools/fuzz --quick)
# Adding a target: FUZZ_TARGETS += NAME and fuzz_NAME_SRCS := tests/fuzz/fuzz_NAME.c ...

FUZZ_CC     ?= clang
FUZZ_CFLAGS := -std=gnu11 -O1 -g -Wall -Wextra -Werror -Wno-unused-parameter \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer -DTERN_HOST -I. -Iinclude -Wno-unknown-attributes
# -Wno-unknown-attributes: kernel code may use gcc-only attributes (e.g.
# __attribute__((optimize))) that clang ignores; they change no semantics.
# the fakes in tests/unit/ use cmocka's assert helpers
FUZZ_LDLIBS := -lcmocka -lpthread
FUZZ_SECONDS ?= 60
FUZZ_HEADERS = $(wildcard include/tern/*.h kernel/*.h kernel/lib/*.h irq/*.h drivers/*.h \
	arch/x86/insn.h tests/unit/*.h tests/fuzz/*.h)

FUZZ_TARGETS :=

FUZZ_TARGETS += cmdline
fuzz_cmdline_SRCS := tests/fuzz/fuzz_cmdline.c kernel/cmdline.c kernel/cmdline_links.c kernel/lib/format.c \
	kernel/lib/string.c

FUZZ_TARGETS += multiboot2
fuzz_multiboot2_SRCS := tests/fuzz/fuzz_multiboot2.c kernel/multiboot2.c kernel/lib/format.c \
	kernel/lib/string.c tests/unit/stub_kernel.c

FUZZ_TARGETS += loader_linux
fuzz_loader_linux_SRCS := tests/fuzz/fuzz_loader_linux.c tests/unit/fake_guest_ram.c kernel/loader_linux.c \
	drivers/acpi_tables.c tests/unit/fake_vm_services.c tests/unit/stub_kernel.c

FUZZ_TARGETS += insn
fuzz_insn_SRCS := tests/fuzz/fuzz_insn.c arch/x86/insn.c

FUZZ_TARGETS += loader_mb1
fuzz_loader_mb1_SRCS := tests/fuzz/fuzz_loader_mb1.c tests/unit/fake_guest_ram.c kernel/loader_mb1.c kernel/loader_mb1_info.c \
	kernel/loader_elf.c kernel/loader_range.c kernel/lib/format.c tests/unit/stub_kernel.c

FUZZ_TARGETS += io
fuzz_io_SRCS := tests/fuzz/fuzz_io.c kernel/io.c tests/unit/stub_kernel.c

FUZZ_TARGETS += vpic
fuzz_vpic_SRCS := tests/fuzz/fuzz_vpic.c irq/vpic.c tests/unit/fake_lapic.c \
	tests/unit/stub_kernel.c kernel/lib/format.c kernel/lib/string.c

FUZZ_TARGETS += vioapic
fuzz_vioapic_SRCS := tests/fuzz/fuzz_vioapic.c irq/vioapic.c tests/unit/fake_lapic.c \
	tests/unit/stub_kernel.c kernel/lib/format.c kernel/lib/string.c

FUZZ_TARGETS += vlapic
fuzz_vlapic_SRCS := tests/fuzz/fuzz_vlapic.c irq/vlapic.c irq/lapic_deliver.c irq/msi.c irq/msi_decode.c \
	tests/unit/fake_ioapic.c tests/unit/stub_kernel.c kernel/lib/format.c

FUZZ_TARGETS += routing
fuzz_routing_SRCS := tests/fuzz/fuzz_routing.c irq/routing.c irq/doorbell.c irq/irq_dump.c \
	kernel/rcu.c kernel/lib/format.c tests/unit/fake_chips.c irq/msi_decode.c tests/unit/stub_rcu_cpu.c \
	tests/unit/stub_kernel.c

FUZZ_TARGETS += irq_chips
fuzz_irq_chips_SRCS := tests/fuzz/fuzz_irq_chips.c irq/vpic.c irq/vioapic.c irq/vlapic.c \
	irq/lapic_deliver.c irq/msi.c irq/msi_decode.c irq/routing.c irq/doorbell.c irq/irq_dump.c kernel/rcu.c \
	kernel/lib/format.c tests/unit/stub_rcu_cpu.c tests/unit/stub_kernel.c

FUZZ_TARGETS += devices
fuzz_devices_SRCS := tests/fuzz/fuzz_devices.c drivers/uart16550.c drivers/fw_cfg.c \
	drivers/pc_testdev.c drivers/pit.c drivers/rtc.c drivers/pci_host.c drivers/misc_ports.c \
	drivers/pm_timer.c \
	tests/unit/fake_vm_services.c tests/unit/stub_kernel.c

FUZZ_TARGETS += hypercall
fuzz_hypercall_SRCS := tests/fuzz/fuzz_hypercall.c kernel/hypercall.c kernel/intervm.c \
	kernel/vm_registry.c irq/vpic.c irq/vioapic.c irq/vlapic.c irq/lapic_deliver.c irq/msi.c irq/msi_decode.c \
	irq/routing.c irq/doorbell.c irq/irq_dump.c kernel/rcu.c kernel/lib/format.c \
	tests/unit/fake_hc_vms.c tests/unit/fake_guest_ram.c tests/unit/real_chips.c \
	tests/unit/stub_rcu_cpu.c tests/unit/stub_kernel.c
fuzz_hypercall_CFLAGS := -fsanitize-coverage-ignorelist=tests/fuzz/hypercall.nocov
$(O)/fuzz/fuzz_hypercall: tests/fuzz/hypercall.nocov

FUZZ_BINS := $(patsubst %,$(O)/fuzz/fuzz_%,$(FUZZ_TARGETS))

define fuzz_rule
$(O)/fuzz/fuzz_$(1): $$(fuzz_$(1)_SRCS) $$(FUZZ_HEADERS)
	@mkdir -p $$(dir $$@)
	@$$(if $$(Q),echo "  FUZZCC  $$@")
	$$(Q)$$(FUZZ_CC) $$(FUZZ_CFLAGS) $$(fuzz_$(1)_CFLAGS) -o $$@ $$(fuzz_$(1)_SRCS) $$(FUZZ_LDLIBS)
endef
$(foreach t,$(FUZZ_TARGETS),$(eval $(call fuzz_rule,$(t))))

.PHONY: fuzz fuzz-build fuzz-quick
fuzz-build: $(FUZZ_BINS)

fuzz: fuzz-build
	$(Q)FUZZ_SECONDS=$(FUZZ_SECONDS) O=$(O) tools/fuzz --no-build

fuzz-quick: fuzz-build
	$(Q)O=$(O) tools/fuzz --quick --no-build
