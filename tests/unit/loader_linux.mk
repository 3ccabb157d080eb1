UNIT_TESTS += loader_linux
test_loader_linux_SRCS := tests/unit/test_loader_linux.c kernel/loader_linux.c drivers/acpi_tables.c \
	tests/unit/fake_vm_services.c tests/unit/stub_kernel.c
