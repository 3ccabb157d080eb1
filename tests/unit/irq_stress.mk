# Routing + doorbells under concurrent rings, table replacement and deassigns:
# under ASan+UBSan, and again under ThreadSanitizer (see tests/unit/rcu.mk for the flags).
UNIT_TESTS += irq_stress irq_stress_tsan
test_irq_stress_SRCS = tests/unit/test_irq_stress.c $(IRQ_ROUTING_SRCS)
test_irq_stress_tsan_SRCS = $(test_irq_stress_SRCS)
test_irq_stress_tsan_CFLAGS := -fno-sanitize=address -fsanitize=thread -Wno-tsan
