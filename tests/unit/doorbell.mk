# irq/doorbell.c against recording fake chips (IRQ_ROUTING_SRCS: tests/unit/routing.mk).
UNIT_TESTS += doorbell
test_doorbell_SRCS = tests/unit/test_doorbell.c $(IRQ_ROUTING_SRCS)
