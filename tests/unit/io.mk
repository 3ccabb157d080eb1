UNIT_TESTS += io
test_io_SRCS := tests/unit/test_io.c kernel/io.c tests/unit/stub_kernel.c
