UNIT_TESTS += vlapic_deliver
test_vlapic_deliver_SRCS := tests/unit/test_vlapic_deliver.c irq/vlapic.c irq/lapic_deliver.c \
	tests/unit/fake_ioapic.c tests/unit/stub_kernel.c kernel/lib/format.c
