UNIT_TESTS += debug_exit
test_debug_exit_SRCS := tests/unit/test_debug_exit.c drivers/debug_exit.c \
	tests/unit/fake_vm_services.c tests/unit/stub_kernel.c
