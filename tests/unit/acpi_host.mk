UNIT_TESTS += acpi_host
test_acpi_host_SRCS := tests/unit/test_acpi_host.c drivers/acpi_host.c
