/* SPDX-License-Identifier: MIT */
/*
 * The trace hooks in irq/ (kernel/trace.h's TRACE()): with the real vIOAPIC,
 * vLAPIC, routing and doorbells linked, a recording trace_irq() checks that a
 * level interrupt leaves the records tools/timeline links into one chain
 * (ring -> set_irq -> route -> vIOAPIC -> accept ... EOI -> Remote IRR ->
 * ack -> resample), with the right arguments, and that nothing is recorded
 * while the category is off.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "irq/doorbell.h"
#include "irq/routing.h"
#include "irq/vioapic.h"
#include "irq/vlapic.h"
#include "irq/vpic.h"
#include "kernel/trace.h"
#include "tests/unit/stub_kernel.h"
#include <tern/hypercall.h>

#define IOREGSEL     0x00
#define IOWIN        0x10
#define REDTBL_LO(p) (0x10 + 2 * (p))
#define REDTBL_HI(p) (0x11 + 2 * (p))
#define RTE_LEVEL    BIT(15)
#define GSI          12u
#define VECTOR       0x62u
#define RESAMPLE_ID  9u
#define MSI_GSI      30u
#define MSI_VECTOR   0x70u
#define MAX_RECS     64

struct rec {
	unsigned type;
	int vcpu;
	u64 a[TRACE_ARGS];
};

/* The real definitions override tests/unit/stub_kernel.c's weak ones. */
u32 trace_mask;
static struct rec recs[MAX_RECS];
static unsigned nr_recs;

void trace_irq(struct vm *vm, int vcpu, unsigned type, u64 a0, u64 a1, u64 a2, u64 a3)
{
	(void)vm;
	assert_true(trace_on(TRACE_TYPE_CAT(type)));    /* only called through the branch */
	if (nr_recs < MAX_RECS)
		recs[nr_recs++] = (struct rec){ type, vcpu, { a0, a1, a2, a3 } };
}

static struct vm *vm;

static void ioapic_w(u8 reg, u32 v)
{
	u64 sel = reg, val = v;

	assert_int_equal(vioapic_mmio(vm, 0, IOREGSEL, 4, true, &sel), 0);
	assert_int_equal(vioapic_mmio(vm, 0, IOWIN, 4, true, &val), 0);
}

static int setup(void **state)
{
	u64 svr = APIC_SVR_ENABLE | 0xff;

	(void)state;
	vm = stub_vm_new(1);
	assert_non_null(vm);
	assert_int_equal(vlapic_create(vm, 0), 0);
	assert_int_equal(vlapic_mmio(vm, 0, APIC_REG_SVR, 4, true, &svr), 0);
	assert_int_equal(vpic_create(vm), 0);
	assert_int_equal(vioapic_create(vm), 0);
	assert_int_equal(irq_routing_init_default(vm), 0);
	nr_recs = 0;
	trace_mask = 0;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	trace_mask = 0;
	irq_routing_destroy(vm);
	vioapic_destroy(vm);
	vpic_destroy(vm);
	vlapic_destroy(vm, 0);
	stub_vm_free(vm);
	return 0;
}

/* Index of the first record of type at or after from; fails when absent. */
static unsigned find(unsigned type, unsigned from)
{
	for (unsigned i = from; i < nr_recs; i++)
		if (recs[i].type == type)
			return i;
	fail_msg("no record of type 0x%x after #%u (%u records)", type, from, nr_recs);
	return 0;
}

static void eoi(void)
{
	u64 zero = 0;

	assert_int_equal(vlapic_mmio(vm, 0, APIC_REG_EOI, 4, true, &zero), 0);
}

static void test_level_interrupt_chain(void **state)
{
	int id, vec;
	unsigned i;

	(void)state;
	ioapic_w(REDTBL_HI(GSI), 0);
	ioapic_w(REDTBL_LO(GSI), VECTOR | RTE_LEVEL);
	id = doorbell_assign(vm, GSI, TERN_DOORBELL_FLAG_RESAMPLE, RESAMPLE_ID);
	assert_true(id > 0);
	trace_mask = TRACE_CAT_IRQ | TRACE_CAT_DOORBELL;
	assert_int_equal(doorbell_ring(vm, (u32)id), 1);
	vec = vlapic_pending_vector(vm, 0);
	assert_int_equal(vec, VECTOR);
	vlapic_accept_vector(vm, 0, (u8)vec);
	eoi();

	i = find(TR_DB_RING, 0);
	assert_int_equal(recs[i].a[0], (u64)id);
	assert_int_equal(recs[i].a[1], GSI);
	assert_int_equal(recs[i].a[2], 1);               /* a resample doorbell */
	i = find(TR_SET_IRQ, i);
	assert_int_equal(recs[i].a[1], GSI);
	assert_int_equal(recs[i].a[2], 1);
	i = find(TR_ROUTE, i);
	assert_int_equal(recs[i].a[0], GSI);
	assert_int_equal(recs[i].a[1], TERN_IRQ_ROUTING_IRQCHIP);
	i = find(TR_IOAPIC, i);
	assert_int_equal(recs[i].a[0], GSI);             /* pin */
	assert_int_equal(recs[i].a[1], VECTOR);
	assert_int_equal(recs[i].a[3], 1);               /* level */
	i = find(TR_LAPIC_ACCEPT, i);
	assert_int_equal(recs[i].vcpu, 0);
	assert_int_equal(recs[i].a[0], VECTOR);
	i = find(TR_EOI, i);
	assert_int_equal(recs[i].a[0], VECTOR);
	assert_int_equal(recs[i].a[1], 1);               /* TMR: goes on to the vIOAPIC */
	i = find(TR_REMOTE_IRR, i);
	assert_int_equal(recs[i].a[0], VECTOR);
	assert_int_equal(recs[i].a[1], BIT(GSI));
	i = find(TR_ACK, i);
	assert_int_equal(recs[i].a[0], TERN_IRQCHIP_IOAPIC);
	assert_int_equal(recs[i].a[2], GSI);
	i = find(TR_RESAMPLE, i);
	assert_int_equal(recs[i].a[0], GSI);
	i = find(TR_SET_IRQ, i);
	assert_int_equal(recs[i].a[2], 0);               /* the resampler releases the line */
}

static void test_msi_route_and_categories(void **state)
{
	struct tern_irq_routing_entry e = { .gsi = MSI_GSI, .type = TERN_IRQ_ROUTING_MSI };
	unsigned i;
	int id;

	(void)state;
	e.u.msi.address_lo = 0xfee00000u;
	e.u.msi.data = MSI_VECTOR;
	assert_int_equal(irq_set_routing(vm, &e, 1, 0), 0);
	trace_mask = TRACE_CAT_DOORBELL;                  /* irq records off */
	id = doorbell_assign(vm, MSI_GSI, 0, 0);
	assert_true(id > 0);
	assert_int_equal(doorbell_ring(vm, (u32)id), 1);
	for (i = 0; i < nr_recs; i++)
		assert_int_equal(TRACE_TYPE_CAT(recs[i].type), TRACE_CAT_DOORBELL);
	assert_int_equal(recs[find(TR_DB_ASSIGN, 0)].a[1], MSI_GSI);
	nr_recs = 0;
	trace_mask = TRACE_CAT_IRQ;
	assert_int_equal(doorbell_ring(vm, (u32)id), 0);  /* vector still in IRR: coalesced */
	i = find(TR_ROUTE, 0);                            /* the doorbell's cached route */
	assert_int_equal(recs[i].a[1], TERN_IRQ_ROUTING_MSI);
	assert_int_equal(recs[i].a[3], MSI_VECTOR);
	trace_mask = TRACE_CAT_DOORBELL;
	nr_recs = 0;
	assert_int_equal(doorbell_deassign(vm, (u32)id), 0);
	i = find(TR_DB_DEASSIGN, 0);
	assert_int_equal(recs[i].a[0], (u64)id);
	assert_int_equal(recs[i].a[1], MSI_GSI);
}

static void test_nothing_recorded_when_off(void **state)
{
	int id;

	(void)state;
	ioapic_w(REDTBL_LO(GSI), VECTOR | RTE_LEVEL);
	id = doorbell_assign(vm, GSI, 0, 0);
	assert_true(id > 0);
	assert_int_equal(set_irq(vm, 3, GSI, 1), 1);
	doorbell_ring(vm, (u32)id);
	eoi();
	assert_int_equal(nr_recs, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_level_interrupt_chain, setup, teardown),
		cmocka_unit_test_setup_teardown(test_msi_route_and_categories, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nothing_recorded_when_off, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
