UNIT_TESTS += insn
test_insn_SRCS := tests/unit/test_insn.c arch/x86/insn.c
