/* SPDX-License-Identifier: MIT */
/*
 * Integration of routing and doorbells with the real vPIC, vIOAPIC, vLAPIC
 * and MSI decode: MSI doorbells reaching a vLAPIC, re-routing them while
 * bound, edge pulses, and level lines shared by two sources.
 * (tests/unit/test_irq_chips.c covers the resampler paths.)
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "irq/doorbell.h"
#include "irq/irq_source.h"
#include "irq/routing.h"
#include "irq/vioapic.h"
#include "irq/vlapic.h"
#include "irq/vpic.h"
#include "tests/unit/real_chips.h"
#include "tests/unit/stub_kernel.h"

#define NR_VCPUS      2
#define REDTBL_LO(p)  (0x10 + 2 * (p))
#define RTE_LEVEL     BIT(15)
#define RTE_RIRR      BIT(14)
#define MSI_ADDR(id)  (0xfee00000u | ((u32)(id) << 12))   /* physical, fixed */
#define MSI_GSI       40u
#define VEC_A         0x41
#define VEC_B         0x52
#define VEC_EDGE      0x63
#define VEC_LEVEL     0x74
#define EDGE_GSI      17u
#define LEVEL_GSI     18u

static struct vm *vm;

static int setup(void **state)
{
	(void)state;
	vm = real_chips_vm_new(NR_VCPUS);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	real_chips_vm_free(vm);
	return 0;
}

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

/* The PC wiring for GSI 0..23 plus one MSI route. */
static void route_with_msi(u32 address_lo, u32 data)
{
	struct tern_irq_routing_entry e[IRQ_ROUTING_DEFAULT_ENTRIES + 1];
	u32 n = 0;

	for (u32 gsi = 0; gsi < IRQCHIP_IOAPIC_PINS; gsi++) {
		if (gsi == 2)
			continue;
		e[n] = (struct tern_irq_routing_entry){ .gsi = gsi, .type = TERN_IRQ_ROUTING_IRQCHIP };
		e[n].u.irqchip.irqchip = TERN_IRQCHIP_IOAPIC;
		e[n++].u.irqchip.pin = gsi ? gsi : 2;
	}
	e[n] = (struct tern_irq_routing_entry){ .gsi = MSI_GSI, .type = TERN_IRQ_ROUTING_MSI };
	e[n].u.msi.address_lo = address_lo;
	e[n++].u.msi.data = data;
	assert_int_equal(irq_set_routing(vm, e, n, 0), 0);
}

static void test_msi_doorbell_reaches_vlapic_and_follows_reroute(void **state)
{
	struct tern_doorbell_info info;
	int id;

	(void)state;
	route_with_msi(MSI_ADDR(1), VEC_A);
	id = doorbell_assign(vm, MSI_GSI, 0, 0);
	assert_true(id > 0);
	assert_int_equal(doorbell_ring(vm, (u32)id), 1);
	assert_int_equal(vm->kicks[1], 1);
	assert_int_equal(inject(0), -1);
	assert_int_equal(inject(1), VEC_A);
	lapic_eoi(1);
	/* re-route while bound: the next ring follows the new message */
	route_with_msi(MSI_ADDR(0), VEC_B);
	assert_int_equal(doorbell_query(vm, (u32)id, &info), 0);
	assert_int_equal(info.route_seq, 4);
	assert_int_equal(doorbell_ring(vm, (u32)id), 1);
	assert_int_equal(inject(1), -1);
	assert_int_equal(inject(0), VEC_B);
	assert_int_equal(doorbell_query(vm, (u32)id, &info), 0);
	assert_int_equal(info.rings, 2);
	assert_int_equal(info.deliveries, 2);
	/* set_irq on the MSI GSI: level 1 sends, level 0 does nothing */
	assert_int_equal(set_irq(vm, IRQ_SOURCE_USER, MSI_GSI, 1), 1);
	assert_int_equal(set_irq(vm, IRQ_SOURCE_USER, MSI_GSI, 0), 0);
}

static void test_edge_doorbell_pulses_ioapic(void **state)
{
	int id;

	(void)state;
	real_ioapic_write(vm, REDTBL_LO(EDGE_GSI), VEC_EDGE);   /* edge, fixed, APIC ID 0 */
	id = doorbell_assign(vm, EDGE_GSI, 0, 0);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(doorbell_ring(vm, (u32)id), 1);   /* each pulse is a new edge */
		assert_int_equal(inject(0), VEC_EDGE);
		assert_int_equal(inject(0), -1);
		lapic_eoi(0);
	}
}

static void test_level_line_shared_by_two_sources(void **state)
{
	int a = irq_source_alloc(vm), b = irq_source_alloc(vm);

	(void)state;
	assert_true(a >= 0 && b >= 0);
	real_ioapic_write(vm, REDTBL_LO(LEVEL_GSI), RTE_LEVEL | VEC_LEVEL);
	assert_int_equal(set_irq(vm, (unsigned)a, LEVEL_GSI, 1), 1);
	assert_int_equal(set_irq(vm, (unsigned)b, LEVEL_GSI, 1), 0);
	assert_int_equal(inject(0), VEC_LEVEL);
	set_irq(vm, (unsigned)a, LEVEL_GSI, 0);      /* b still holds the line */
	lapic_eoi(0);
	assert_int_equal(inject(0), VEC_LEVEL);      /* so the EOI re-delivers */
	set_irq(vm, (unsigned)b, LEVEL_GSI, 0);
	lapic_eoi(0);
	assert_false(real_ioapic_read(vm, REDTBL_LO(LEVEL_GSI)) & RTE_RIRR);
	assert_int_equal(inject(0), -1);
	/* a freed source cannot leave the line stuck */
	assert_int_equal(set_irq(vm, (unsigned)a, LEVEL_GSI, 1), 1);
	assert_int_equal(inject(0), VEC_LEVEL);
	irq_source_free(vm, (unsigned)a);
	lapic_eoi(0);
	assert_int_equal(inject(0), -1);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_msi_doorbell_reaches_vlapic_and_follows_reroute),
		T(test_edge_doorbell_pulses_ioapic),
		T(test_level_line_shared_by_two_sources),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
