# The irq/ trace hooks with the real models and a recording trace_irq().
UNIT_TESTS += trace_hooks
test_trace_hooks_SRCS = tests/unit/test_trace_hooks.c irq/vpic.c irq/vioapic.c irq/vlapic.c \
	irq/lapic_deliver.c irq/msi.c irq/msi_decode.c irq/routing.c irq/doorbell.c irq/irq_dump.c kernel/rcu.c \
	kernel/lib/format.c tests/unit/stub_rcu_cpu.c tests/unit/stub_kernel.c
