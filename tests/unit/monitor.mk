UNIT_TESTS += monitor
test_monitor_SRCS := tests/unit/test_monitor.c kernel/monitor.c kernel/lib/format.c \
	kernel/lib/string.c
