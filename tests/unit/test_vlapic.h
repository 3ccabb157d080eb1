/* SPDX-License-Identifier: MIT */
/* Helpers shared by the vLAPIC host tests (test_vlapic_*.c). */
#ifndef TERN_TEST_VLAPIC_H
#define TERN_TEST_VLAPIC_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "irq/vlapic.h"
#include "tests/unit/fake_ioapic.h"
#include "tests/unit/stub_kernel.h"

#define T0 1000000ull   /* the fake clock at the start of every test */

/* A VM with n vCPUs, each with a vLAPIC in power-on state. */
static inline struct vm *tv_vm(unsigned n)
{
	struct vm *vm = stub_vm_new(n);

	assert_non_null(vm);
	for (unsigned i = 0; i < n; i++)
		assert_int_equal(vlapic_create(vm, i), 0);
	fake_ioapic_reset();
	stub_clock = T0;
	return vm;
}

static inline void tv_free(struct vm *vm)
{
	for (unsigned i = 0; i < vm->irq.nr_vcpus; i++)
		vlapic_destroy(vm, i);
	stub_vm_free(vm);
}

static inline u32 mmio_rd(struct vm *vm, unsigned id, unsigned off)
{
	u64 val = 0xdeadbeefdeadbeefull;

	assert_int_equal(vlapic_mmio(vm, id, off, 4, false, &val), 0);
	return (u32)val;
}

static inline void mmio_wr(struct vm *vm, unsigned id, unsigned off, u32 v)
{
	u64 val = v;

	assert_int_equal(vlapic_mmio(vm, id, off, 4, true, &val), 0);
}

static inline u64 msr_rd(struct vm *vm, unsigned id, u32 msr)
{
	u64 val = 0;

	assert_int_equal(vlapic_rdmsr(vm, id, msr, &val), 0);
	return val;
}

static inline void msr_wr(struct vm *vm, unsigned id, u32 msr, u64 val)
{
	assert_int_equal(vlapic_wrmsr(vm, id, msr, val), 0);
}

/* Set SVR.APIC-enable (spurious vector 0xff). */
static inline void sw_enable(struct vm *vm, unsigned id)
{
	mmio_wr(vm, id, APIC_REG_SVR, APIC_SVR_ENABLE | 0xff);
}

/* xAPIC -> x2APIC through IA32_APIC_BASE, then software-enable. */
static inline void to_x2apic(struct vm *vm, unsigned id)
{
	u64 base = msr_rd(vm, id, MSR_IA32_APIC_BASE);

	msr_wr(vm, id, MSR_IA32_APIC_BASE, base | APIC_BASE_EXTD);
	msr_wr(vm, id, APIC_MSR(APIC_REG_SVR), APIC_SVR_ENABLE | 0xff);
}

/* Is vector set in the IRR / ISR / TMR page words? */
static inline bool page_bit(struct vm *vm, unsigned id, unsigned base, u8 vector)
{
	const u8 *page = vlapic_regs_page(vm, id);
	u32 word;

	memcpy(&word, page + base + (vector / 32) * 16, sizeof(word));
	return (word >> (vector % 32)) & 1;
}

#define irr_bit(vm, id, v) page_bit(vm, id, APIC_REG_IRR, v)
#define isr_bit(vm, id, v) page_bit(vm, id, APIC_REG_ISR, v)
#define tmr_bit(vm, id, v) page_bit(vm, id, APIC_REG_TMR, v)

#endif
