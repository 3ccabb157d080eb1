/* SPDX-License-Identifier: MIT */
/*
 * Integration: the real vPIC, vIOAPIC, vLAPIC, routing table and resample
 * doorbells linked together (no fakes): a device line travels
 * set_irq -> chip -> vLAPIC/INTR and the guest's EOI travels back through
 * vioapic_eoi / irq_ack_notify to the resampler.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "irq/doorbell.h"
#include "irq/routing.h"
#include "irq/vioapic.h"
#include "irq/vlapic.h"
#include "irq/vpic.h"
#include "tests/unit/real_chips.h"
#include "tests/unit/stub_kernel.h"
#include <tern/hypercall.h>

#define NR_VCPUS     2
#define REDTBL_LO(p) (0x10 + 2 * (p))
#define REDTBL_HI(p) (0x11 + 2 * (p))
#define RTE_LEVEL    BIT(15)
#define RTE_RIRR     BIT(14)
#define LVT_EXTINT   (7u << 8)
#define DEV_SOURCE   5

static struct vm *vm;
static unsigned resample_signals;

static int setup(void **state)
{
	(void)state;
	vm = real_chips_vm_new(NR_VCPUS);
	resample_signals = 0;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	real_chips_vm_free(vm);
	return 0;
}

static void outb(u16 port, u8 v)
{
	u32 val = v;

	assert_int_equal(vpic_pio(vm, 0, port, 1, false, &val), 0);
}

/* The CPU takes the highest deliverable vector of vCPU id; -1 when none. */
static int inject(unsigned id)
{
	int v = vlapic_pending_vector(vm, id);

	if (v >= 0)
		vlapic_accept_vector(vm, id, (u8)v);
	return v;
}

static void lapic_eoi(unsigned id)
{
	u64 zero = 0;

	assert_int_equal(vlapic_mmio(vm, id, APIC_REG_EOI, 4, true, &zero), 0);
}

static void count_resample(void *ctx)
{
	(void)ctx;
	resample_signals++;
}

static void init_pic(void)
{
	static const u8 seq[][2] = {
		{ 0x20, 0x11 }, { 0x21, 0x20 }, { 0x21, 0x04 }, { 0x21, 0x01 },
		{ 0xa0, 0x11 }, { 0xa1, 0x28 }, { 0xa1, 0x02 }, { 0xa1, 0x01 },
		{ 0x21, 0x00 }, { 0xa1, 0x00 },
	};

	for (unsigned i = 0; i < ARRAY_SIZE(seq); i++)
		outb(seq[i][0], seq[i][1]);
}

static void test_ioapic_level_reaches_lapic_and_eoi_redelivers(void **state)
{
	(void)state;
	real_ioapic_write(vm, REDTBL_HI(10), 1u << 24);                  /* APIC ID 1 */
	real_ioapic_write(vm, REDTBL_LO(10), RTE_LEVEL | 0x50);
	assert_int_equal(set_irq(vm, DEV_SOURCE, 10, 1), 1);
	assert_int_equal(vm->kicks[1], 1);
	assert_int_equal(vlapic_pending_vector(vm, 0), -1);
	assert_int_equal(inject(1), 0x50);
	assert_true(real_ioapic_read(vm, REDTBL_LO(10)) & RTE_RIRR);
	assert_int_equal(set_irq(vm, DEV_SOURCE, 10, 1), 0); /* waits for the EOI */
	lapic_eoi(1);                                        /* TMR set -> vioapic_eoi */
	assert_true(real_ioapic_read(vm, REDTBL_LO(10)) & RTE_RIRR);    /* line high: delivered again */
	assert_int_equal(inject(1), 0x50);
	set_irq(vm, DEV_SOURCE, 10, 0);
	lapic_eoi(1);
	assert_false(real_ioapic_read(vm, REDTBL_LO(10)) & RTE_RIRR);
	assert_int_equal(inject(1), -1);
}

static void test_resample_doorbell_through_ioapic(void **state)
{
	int id;

	(void)state;
	real_ioapic_write(vm, REDTBL_LO(11), RTE_LEVEL | 0x61);
	id = doorbell_assign(vm, 11, TERN_DOORBELL_FLAG_RESAMPLE, 7);
	assert_true(id > 0);
	assert_int_equal(doorbell_set_resample_notify(vm, 7, count_resample, NULL), 0);
	assert_int_equal(doorbell_ring(vm, (u32)id), 1);   /* delivered */
	assert_int_equal(inject(0), 0x61);
	/* the EOI runs the resampler, which calls set_irq back into the vIOAPIC */
	lapic_eoi(0);
	assert_int_equal(resample_signals, 1);
	assert_false(real_ioapic_read(vm, REDTBL_LO(11)) & RTE_RIRR);   /* line released: no re-delivery */
	assert_int_equal(inject(0), -1);
	assert_int_equal(doorbell_ring(vm, (u32)id), 1);    /* the device still needs service */
	assert_int_equal(inject(0), 0x61);
}

static void test_pic_interrupt_reaches_bsp_as_extint(void **state)
{
	u64 lint0 = LVT_EXTINT;

	(void)state;
	init_pic();
	assert_false(vlapic_accepts_extint(vm, 0));          /* LINT0 masked at power-on */
	assert_int_equal(vlapic_mmio(vm, 0, APIC_REG_LVT_LINT0, 4, true, &lint0), 0);
	assert_true(vlapic_accepts_extint(vm, 0));
	set_irq(vm, DEV_SOURCE, 1, 1);                       /* GSI 1: PIC pin 1 and IOAPIC pin 1 */
	assert_true(vpic_intr_pending(vm));
	assert_int_equal(vm->kicks[0], 1);
	assert_int_equal(vpic_intr_ack(vm), 0x21);
	assert_int_equal(vlapic_pending_vector(vm, 0), -1);  /* IOAPIC pin 1 is masked */
	outb(0x20, 0x20);
	assert_false(vpic_intr_pending(vm));
}

static void test_resample_doorbell_through_pic_slave(void **state)
{
	int id;

	(void)state;
	init_pic();
	outb(0x4d1, 0x10);                                   /* IRQ12 level */
	id = doorbell_assign(vm, 12, TERN_DOORBELL_FLAG_RESAMPLE, 9);
	assert_true(id > 0);
	assert_int_equal(doorbell_set_resample_notify(vm, 9, count_resample, NULL), 0);
	assert_int_equal(doorbell_ring(vm, (u32)id), 1);   /* delivered */
	assert_int_equal(vpic_intr_ack(vm), 0x2c);
	outb(0xa0, 0x20);                                    /* slave EOI: (PIC_SLAVE, 12) */
	assert_int_equal(resample_signals, 1);
	outb(0x20, 0x20);
	assert_int_equal(resample_signals, 1);               /* master pin 2 is unrouted */
	assert_false(vpic_intr_pending(vm));                 /* resampler dropped the line */
}

static void test_ioapic_lowest_priority_logical_broadcast(void **state)
{
	u64 ldr;

	(void)state;
	for (unsigned i = 0; i < NR_VCPUS; i++) {
		ldr = (u64)BIT(i) << 24;                         /* flat model: one bit per vCPU */
		assert_int_equal(vlapic_mmio(vm, i, APIC_REG_LDR, 4, true, &ldr), 0);
	}
	real_ioapic_write(vm, REDTBL_HI(4), 0x03u << 24);
	real_ioapic_write(vm, REDTBL_LO(4), (1u << 11) | (1u << 8) | 0x44); /* logical, lowest priority */
	assert_int_equal(set_irq(vm, DEV_SOURCE, 4, 1), 1);
	assert_int_equal((inject(0) == 0x44) + (inject(1) == 0x44), 1);  /* exactly one */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ioapic_level_reaches_lapic_and_eoi_redelivers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_resample_doorbell_through_ioapic, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pic_interrupt_reaches_bsp_as_extint, setup, teardown),
		cmocka_unit_test_setup_teardown(test_resample_doorbell_through_pic_slave, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ioapic_lowest_priority_logical_broadcast, setup, teardown),
	};

	alarm(60);   /* a lock-order deadlock fails the run instead of hanging it */
	return cmocka_run_group_tests(tests, NULL, NULL);
}
