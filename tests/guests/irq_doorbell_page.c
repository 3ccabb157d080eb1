/* SPDX-License-Identifier: MIT */
/*
 * irq_doorbell_page: ringing through the doorbell page (an MMIO register,
 * no hypercall): a write of a doorbell id delivers its route's vector and
 * STATUS reads 0; an unknown id delivers nothing and STATUS reads -ENOENT;
 * QUERY counts the page's rings like the hypercall's.
 */
#include "lib/guest.h"
#include "lib/io.h"
#include "lib/irqtest.h"
#include "lib/irqtest_route.h"

#define GSI_MSI    28
#define VEC_PAGE   0x72
#define WAIT_TICKS 200000u
#define PAGE_RING   (TERN_DOORBELL_PAGE_GPA + TERN_DOORBELL_REG_RING)
#define PAGE_STATUS (TERN_DOORBELL_PAGE_GPA + TERN_DOORBELL_REG_STATUS)

static struct route_req req;

void guest_main(void)
{
	struct tern_doorbell_info info;
	s32 id;

	irq_init(false, IRQ_EOI_XAPIC);
	lapic_enable();
	route_clear(&req);
	route_add_msi(&req, GSI_MSI, VEC_PAGE);
	check_eq(route_set(&req), 0, "SET_GSI_ROUTING: GSI %u -> MSI vector 0x%x", GSI_MSI, VEC_PAGE);
	id = doorbell_assign(GSI_MSI, 0, 0);
	check(id > 0, "DOORBELL_ASSIGN gives id %d", id);

	mmio_write32((uintptr_t)PAGE_RING, (u32)id);
	check_eq((s32)mmio_read32((uintptr_t)PAGE_STATUS), 0, "STATUS after a good ring: 0");
	check(irq_wait(VEC_PAGE, 1, WAIT_TICKS), "a write to the page delivers vector 0x%x", VEC_PAGE);
	mmio_write32((uintptr_t)PAGE_RING, (u32)id);
	check(irq_wait(VEC_PAGE, 2, WAIT_TICKS), "a second write delivers again");

	mmio_write32((uintptr_t)PAGE_RING, (u32)id + 1000);
	check_eq((s32)mmio_read32((uintptr_t)PAGE_STATUS), -TERN_ENOENT,
		 "STATUS after ringing an unknown id: -ENOENT");
	irq_spin(WAIT_TICKS);
	check_eq(irq_count[VEC_PAGE], 2, "the unknown id delivered nothing");
	check_eq(mmio_read32((uintptr_t)PAGE_RING), 0, "RING reads 0");

	check_eq(doorbell_query((u32)id, &info), 0, "QUERY");
	check_eq(info.rings, 2, "QUERY counts the page's 2 rings");
	check_eq(info.deliveries, 2, "and 2 deliveries");
}
