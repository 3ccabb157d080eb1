UNIT_TESTS += vlapic_irq
test_vlapic_irq_SRCS := tests/unit/test_vlapic_irq.c irq/vlapic.c irq/lapic_deliver.c \
	tests/unit/fake_ioapic.c tests/unit/stub_kernel.c kernel/lib/format.c
