UNIT_TESTS += pit
test_pit_SRCS := tests/unit/test_pit.c drivers/pit.c \
	tests/unit/fake_vm_services.c tests/unit/stub_kernel.c
