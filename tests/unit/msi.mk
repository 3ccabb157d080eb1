UNIT_TESTS += msi
test_msi_SRCS := tests/unit/test_msi.c irq/msi.c irq/msi_decode.c irq/vlapic.c irq/lapic_deliver.c \
	tests/unit/fake_ioapic.c tests/unit/stub_kernel.c kernel/lib/format.c
