UNIT_TESTS += cmdline
test_cmdline_SRCS := tests/unit/test_cmdline.c kernel/cmdline.c kernel/cmdline_links.c kernel/lib/format.c kernel/lib/string.c
