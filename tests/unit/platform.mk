UNIT_TESTS += platform
test_platform_SRCS := tests/unit/test_platform.c drivers/platform.c drivers/uart16550.c \
	drivers/debug_exit.c drivers/fw_cfg.c drivers/pc_testdev.c drivers/pit.c drivers/rtc.c \
	drivers/pm_timer.c drivers/pci_host.c drivers/misc_ports.c drivers/doorbell_page.c \
	tests/unit/fake_vm_services.c tests/unit/stub_kernel.c
