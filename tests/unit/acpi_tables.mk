UNIT_TESTS += acpi_tables
test_acpi_tables_SRCS := tests/unit/test_acpi_tables.c drivers/acpi_tables.c \
	tests/unit/fake_vm_services.c tests/unit/stub_kernel.c
