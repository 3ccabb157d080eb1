# kernel/hypercall.c through hypercall_dispatch() on three fake VMs (tests/unit/fake_hc_vms.c)
# with the real vPIC, vIOAPIC, vLAPICs, routing, doorbells and inter-VM rules.
UNIT_TESTS += hypercall
test_hypercall_SRCS := tests/unit/test_hypercall.c kernel/hypercall.c kernel/intervm.c \
	kernel/vm_registry.c irq/vpic.c irq/vioapic.c irq/vlapic.c irq/lapic_deliver.c irq/msi.c irq/msi_decode.c \
	irq/routing.c irq/doorbell.c irq/irq_dump.c kernel/rcu.c kernel/lib/format.c \
	tests/unit/fake_hc_vms.c tests/unit/fake_guest_ram.c tests/unit/real_chips.c \
	tests/unit/stub_rcu_cpu.c tests/unit/stub_kernel.c
