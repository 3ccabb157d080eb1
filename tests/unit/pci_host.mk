# The chipset ports: PCI host bridge, misc legacy ports, ACPI PM registers.
UNIT_TESTS += pci_host
test_pci_host_SRCS := tests/unit/test_pci_host.c drivers/pci_host.c drivers/misc_ports.c \
	drivers/pm_timer.c tests/unit/fake_vm_services.c tests/unit/stub_kernel.c
