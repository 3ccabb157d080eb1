/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "irq/routing.h"
#include "irq/vioapic.h"
#include "irq/vlapic.h"
#include "irq/vpic.h"
#include "tests/unit/real_chips.h"
#include "tests/unit/stub_kernel.h"

#define IOREGSEL       0x00
#define IOWIN          0x10
#define SPURIOUS_VEC   0xff

struct vm *real_chips_vm_new(unsigned nr_vcpus)
{
	struct vm *vm = stub_vm_new(nr_vcpus);

	assert_non_null(vm);
	for (unsigned i = 0; i < nr_vcpus; i++) {
		u64 svr = APIC_SVR_ENABLE | SPURIOUS_VEC;

		assert_int_equal(vlapic_create(vm, i), 0);
		assert_int_equal(vlapic_mmio(vm, i, APIC_REG_SVR, 4, true, &svr), 0);
	}
	assert_int_equal(vpic_create(vm), 0);
	assert_int_equal(vioapic_create(vm), 0);
	assert_int_equal(irq_routing_init_default(vm), 0);
	return vm;
}

void real_chips_vm_free(struct vm *vm)
{
	irq_routing_destroy(vm);
	vioapic_destroy(vm);
	vpic_destroy(vm);
	for (unsigned i = 0; i < vm_irq(vm)->nr_vcpus; i++)
		vlapic_destroy(vm, i);
	stub_vm_free(vm);
}

void real_ioapic_write(struct vm *vm, u8 reg, u32 val)
{
	u64 sel = reg, v = val;

	assert_int_equal(vioapic_mmio(vm, 0, IOREGSEL, 4, true, &sel), 0);
	assert_int_equal(vioapic_mmio(vm, 0, IOWIN, 4, true, &v), 0);
}

u32 real_ioapic_read(struct vm *vm, u8 reg)
{
	u64 sel = reg, v = 0;

	assert_int_equal(vioapic_mmio(vm, 0, IOREGSEL, 4, true, &sel), 0);
	assert_int_equal(vioapic_mmio(vm, 0, IOWIN, 4, false, &v), 0);
	return (u32)v;
}
