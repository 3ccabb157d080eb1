UNIT_TESTS += fw_cfg
test_fw_cfg_SRCS := tests/unit/test_fw_cfg.c drivers/fw_cfg.c \
	tests/unit/fake_vm_services.c tests/unit/stub_kernel.c
