# kernel/vm_registry.c and kernel/intervm.c over the real doorbells and routing (fake chips).
UNIT_TESTS += intervm
test_intervm_SRCS = tests/unit/test_intervm.c kernel/vm_registry.c kernel/intervm.c $(IRQ_ROUTING_SRCS)
