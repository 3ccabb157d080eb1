UNIT_TESTS += lib
test_lib_SRCS := tests/unit/test_lib.c kernel/lib/format.c kernel/lib/string.c
