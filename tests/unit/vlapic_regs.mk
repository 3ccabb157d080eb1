UNIT_TESTS += vlapic_regs
test_vlapic_regs_SRCS := tests/unit/test_vlapic_regs.c irq/vlapic.c irq/lapic_deliver.c \
	tests/unit/fake_ioapic.c tests/unit/stub_kernel.c kernel/lib/format.c
