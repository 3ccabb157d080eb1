/* SPDX-License-Identifier: MIT */
/*
 * irq_msi_doorbell: SET_GSI_ROUTING with an MSI route at GSI 28, a doorbell
 * on it: each ring delivers the route's vector; re-routing GSI 28 changes
 * the vector of the next ring; QUERY counts rings and deliveries; after
 * DEASSIGN a ring fails with -ENOENT.
 */
#include "lib/guest.h"
#include "lib/irqtest.h"
#include "lib/irqtest_route.h"

#define GSI_MSI    28
#define VEC_FIRST  0x70
#define VEC_SECOND 0x71
#define WAIT_TICKS 200000u

static struct route_req req;

void guest_main(void)
{
	struct tern_doorbell_info info;
	s32 id;

	irq_init(false, IRQ_EOI_XAPIC);
	lapic_enable();
	route_clear(&req);
	route_add_msi(&req, GSI_MSI, VEC_FIRST);
	check_eq(route_set(&req), 0, "SET_GSI_ROUTING: GSI %u -> MSI vector 0x%x", GSI_MSI, VEC_FIRST);
	id = doorbell_assign(GSI_MSI, 0, 0);
	check(id > 0, "DOORBELL_ASSIGN on GSI %u gives id %d", GSI_MSI, id);
	check_eq(doorbell_ring((u32)id), 0, "RING returns 0");
	check(irq_wait(VEC_FIRST, 1, WAIT_TICKS), "the ring delivers vector 0x%x", VEC_FIRST);
	check_eq(irq_total, 1, "exactly one interrupt");

	route_clear(&req);
	route_add_msi(&req, GSI_MSI, VEC_SECOND);
	check_eq(route_set(&req), 0, "re-route GSI %u to vector 0x%x", GSI_MSI, VEC_SECOND);
	check_eq(doorbell_ring((u32)id), 0, "RING after re-routing");
	check(irq_wait(VEC_SECOND, 1, WAIT_TICKS), "the ring now delivers vector 0x%x", VEC_SECOND);
	check_eq(irq_count[VEC_FIRST], 1, "and not the old vector");

	check_eq(doorbell_query((u32)id, &info), 0, "QUERY succeeds");
	check_eq(info.id, (u32)id, "QUERY: id");
	check_eq(info.gsi, GSI_MSI, "QUERY: gsi");
	check_eq(info.rings, 2, "QUERY: 2 rings");
	check_eq(info.deliveries, 2, "QUERY: 2 deliveries");
	check_eq(doorbell_deassign((u32)id), 0, "DEASSIGN");
	check_eq(doorbell_ring((u32)id), -TERN_ENOENT, "RING after DEASSIGN: -ENOENT");
	check_eq(doorbell_query((u32)id, &info), -TERN_ENOENT, "QUERY after DEASSIGN: -ENOENT");
}
