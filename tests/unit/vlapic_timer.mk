UNIT_TESTS += vlapic_timer
test_vlapic_timer_SRCS := tests/unit/test_vlapic_timer.c irq/vlapic.c irq/lapic_deliver.c \
	tests/unit/fake_ioapic.c tests/unit/stub_kernel.c kernel/lib/format.c
