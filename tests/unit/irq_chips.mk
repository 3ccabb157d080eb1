# Integration: real vPIC + vIOAPIC + vLAPIC + routing + doorbells (no fakes).
UNIT_TESTS += irq_chips
test_irq_chips_SRCS = tests/unit/test_irq_chips.c irq/vpic.c irq/vioapic.c irq/vlapic.c \
	irq/lapic_deliver.c irq/msi.c irq/msi_decode.c irq/routing.c irq/doorbell.c irq/irq_dump.c kernel/rcu.c \
	kernel/lib/format.c tests/unit/stub_rcu_cpu.c tests/unit/stub_kernel.c tests/unit/real_chips.c
