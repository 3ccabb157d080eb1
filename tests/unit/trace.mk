UNIT_TESTS += trace
test_trace_SRCS := tests/unit/test_trace.c kernel/trace.c kernel/lib/format.c kernel/lib/string.c
