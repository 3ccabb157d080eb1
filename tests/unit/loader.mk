UNIT_TESTS += loader
test_loader_SRCS := tests/unit/test_loader.c tests/unit/fake_guest_ram.c kernel/loader_mb1.c kernel/loader_mb1_info.c \
	kernel/loader_elf.c kernel/loader_range.c kernel/lib/format.c tests/unit/stub_kernel.c
