# Integration: routing + doorbells with the real vPIC, vIOAPIC, vLAPIC and MSI decode.
UNIT_TESTS += routing_chips
test_routing_chips_SRCS = tests/unit/test_routing_chips.c irq/vpic.c irq/vioapic.c irq/vlapic.c \
	irq/lapic_deliver.c irq/msi.c irq/msi_decode.c irq/routing.c irq/doorbell.c irq/irq_dump.c kernel/rcu.c \
	kernel/lib/format.c tests/unit/stub_rcu_cpu.c tests/unit/stub_kernel.c tests/unit/real_chips.c
