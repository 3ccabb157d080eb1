UNIT_TESTS += uart16550
test_uart16550_SRCS := tests/unit/test_uart16550.c drivers/uart16550.c \
	tests/unit/fake_vm_services.c tests/unit/stub_kernel.c
