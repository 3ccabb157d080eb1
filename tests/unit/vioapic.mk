UNIT_TESTS += vioapic
test_vioapic_SRCS := tests/unit/test_vioapic.c irq/vioapic.c tests/unit/fake_lapic.c \
	tests/unit/stub_kernel.c kernel/lib/format.c kernel/lib/string.c
