UNIT_TESTS += rtc
test_rtc_SRCS := tests/unit/test_rtc.c drivers/rtc.c \
	tests/unit/fake_vm_services.c tests/unit/stub_kernel.c
