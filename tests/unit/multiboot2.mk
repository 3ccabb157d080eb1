UNIT_TESTS += multiboot2
test_multiboot2_SRCS := tests/unit/test_multiboot2.c kernel/multiboot2.c kernel/lib/format.c \
	kernel/lib/string.c tests/unit/stub_kernel.c
