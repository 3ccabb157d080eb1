UNIT_TESTS += limits
test_limits_SRCS := tests/unit/test_limits.c
