# kernel/rcu.c: under ASan+UBSan, and again under ThreadSanitizer
# (-fno-sanitize=address cancels the ASan in UNIT_CFLAGS, TSan and ASan cannot be combined;
# -Wno-tsan: TSan does not model fences, which only order the store-load pairs it cannot see anyway).
UNIT_TESTS += rcu rcu_tsan
test_rcu_SRCS := tests/unit/test_rcu.c kernel/rcu.c tests/unit/stub_rcu_cpu.c tests/unit/stub_kernel.c
test_rcu_tsan_SRCS := $(test_rcu_SRCS)
test_rcu_tsan_CFLAGS := -fno-sanitize=address -fsanitize=thread -Wno-tsan
