UNIT_TESTS += vpic
test_vpic_SRCS := tests/unit/test_vpic.c irq/vpic.c tests/unit/fake_lapic.c \
	tests/unit/stub_kernel.c kernel/lib/format.c kernel/lib/string.c
