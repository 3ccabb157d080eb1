UNIT_TESTS += mm
test_mm_SRCS := tests/unit/test_mm.c kernel/mm.c kernel/lib/format.c kernel/lib/string.c
