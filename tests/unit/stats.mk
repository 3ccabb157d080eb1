UNIT_TESTS += stats
test_stats_SRCS := tests/unit/test_stats.c kernel/stats.c kernel/lib/format.c kernel/lib/string.c
