/* SPDX-License-Identifier: MIT */
/*
 * irq_resample: a level-triggered IOAPIC route with a RESAMPLE doorbell:
 * a ring asserts the line (one interrupt, Remote IRR set), nothing more
 * until the EOI, which releases the line (no re-delivery) and signals the
 * resampler: exactly one interrupt per ring-EOI cycle.
 */
#include "lib/guest.h"
#include "lib/irqtest.h"
#include "lib/irqtest_route.h"

#define GSI_LEVEL    12
#define VEC_LEVEL    0x62
#define RESAMPLE_ID  7
#define CYCLES       3
#define REDIR_LEVEL  (1u << 15)
#define REDIR_RIRR   (1u << 14)
#define WAIT_TICKS   200000u

static struct route_req req;

static void cycle(s32 id, u32 n)
{
	check_eq(doorbell_ring((u32)id), 0, "cycle %u: RING", n);
	check(irq_wait(VEC_LEVEL, n, WAIT_TICKS), "cycle %u: interrupt arrives", n);
	check(ioapic_read_redir_lo(GSI_LEVEL) & REDIR_RIRR, "cycle %u: Remote IRR set", n);
	irq_spin(WAIT_TICKS);
	check_eq(irq_count[VEC_LEVEL], n, "cycle %u: no repeat before the EOI", n);
	lapic_write(LAPIC_EOI, 0);
	irq_spin(WAIT_TICKS);
	check_eq(irq_count[VEC_LEVEL], n, "cycle %u: the EOI releases the line, no re-delivery", n);
	check(!(ioapic_read_redir_lo(GSI_LEVEL) & REDIR_RIRR), "cycle %u: Remote IRR clear", n);
}

void guest_main(void)
{
	struct tern_doorbell_info info;
	s32 id;

	irq_init(false, IRQ_EOI_NONE);
	lapic_enable();
	route_clear(&req);
	route_add_chip(&req, GSI_LEVEL, TERN_IRQCHIP_IOAPIC, GSI_LEVEL);
	check_eq(route_set(&req), 0, "route GSI %u -> IOAPIC pin %u", GSI_LEVEL, GSI_LEVEL);
	ioapic_write_redir(GSI_LEVEL, VEC_LEVEL | REDIR_LEVEL, 0);
	id = doorbell_assign(GSI_LEVEL, TERN_DOORBELL_FLAG_RESAMPLE, RESAMPLE_ID);
	check(id > 0, "RESAMPLE doorbell assigned (id %d)", id);
	for (u32 n = 1; n <= CYCLES; n++)
		cycle(id, n);
	check_eq(doorbell_query((u32)id, &info), 0, "QUERY");
	check_eq(info.rings, CYCLES, "QUERY: %u rings", CYCLES);
	check_eq(info.resamples, CYCLES, "QUERY: %u resamples", CYCLES);
	check_eq(info.resample_id, RESAMPLE_ID, "QUERY: resample id");
	check_eq(doorbell_deassign((u32)id), 0, "DEASSIGN");
}
