# irq/routing.c (+ doorbells and dump) against recording fake chips.
IRQ_ROUTING_SRCS := irq/routing.c irq/doorbell.c irq/irq_dump.c kernel/rcu.c kernel/lib/format.c \
	tests/unit/fake_chips.c irq/msi_decode.c tests/unit/stub_rcu_cpu.c tests/unit/stub_kernel.c
UNIT_TESTS += routing
test_routing_SRCS := tests/unit/test_routing.c $(IRQ_ROUTING_SRCS)
