UNIT_TESTS += doorbell_page
test_doorbell_page_SRCS := tests/unit/test_doorbell_page.c drivers/doorbell_page.c \
	tests/unit/fake_vm_services.c tests/unit/stub_kernel.c
