UNIT_TESTS += pc_testdev
test_pc_testdev_SRCS := tests/unit/test_pc_testdev.c drivers/pc_testdev.c \
	tests/unit/fake_vm_services.c tests/unit/stub_kernel.c
