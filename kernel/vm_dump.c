/* SPDX-License-Identifier: MIT */
#include "irq/routing.h"
#include "irq/vioapic.h"
#include "irq/vlapic.h"
#include "irq/vpic.h"
#include "kernel/lib/spinlock.h"
#include "kernel/log.h"
#include "kernel/vm_dump.h"
#include "kernel/vm_impl.h"

#define DUMP_MAX 16384

/* One buffer for every dump: they are rare, and the stacks are too small for it. */
static spinlock_t dump_lock = SPINLOCK_INIT;
static char dump_buf[DUMP_MAX];

void vm_dump_lines(unsigned vm_id, const char *what, const char *text)
{
	while (*text) {
		const char *nl = text;

		while (*nl && *nl != '\n')
			nl++;
		if (nl != text)
			pr_info("vm%u: %s: %.*s", vm_id, what, (int)(nl - text), text);
		text = *nl ? nl + 1 : nl;
	}
}

void vm_dump_irq_state(struct vm *vm)
{
	spin_lock(&dump_lock);
	irq_dump(vm, dump_buf, sizeof(dump_buf));
	vm_dump_lines(vm->id, "routing", dump_buf);
	vpic_dump(vm, dump_buf, sizeof(dump_buf));
	vm_dump_lines(vm->id, "vpic", dump_buf);
	vioapic_dump(vm, dump_buf, sizeof(dump_buf));
	vm_dump_lines(vm->id, "vioapic", dump_buf);
	spin_unlock(&dump_lock);
}

int vm_dump_lapic(struct vm *vm, unsigned vcpu)
{
	if (vcpu >= vm->nr_vcpus)
		return -TERN_ENOENT;
	spin_lock(&dump_lock);
	vlapic_dump(vm, vcpu, dump_buf, sizeof(dump_buf));
	vm_dump_lines(vm->id, "lapic", dump_buf);
	spin_unlock(&dump_lock);
	return 0;
}
