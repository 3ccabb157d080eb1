/* SPDX-License-Identifier: MIT */
#include "kernel/lib/string.h"
#include "lib/hypercall.h"
#include "lib/irqtest_route.h"

#define MSI_ADDR_APIC0 0xfee00000u

void route_clear(struct route_req *r)
{
	memset(r, 0, sizeof(*r));
}

static struct tern_irq_routing_entry *route_add(struct route_req *r, u32 gsi, u32 type)
{
	struct tern_irq_routing_entry *e = &r->e[r->hdr.nr % ROUTE_REQ_MAX];

	memset(e, 0, sizeof(*e));
	e->gsi = gsi;
	e->type = type;
	r->hdr.nr++;
	return e;
}

struct tern_irq_routing_entry *route_add_msi(struct route_req *r, u32 gsi, u8 vector)
{
	struct tern_irq_routing_entry *e = route_add(r, gsi, TERN_IRQ_ROUTING_MSI);

	e->u.msi.address_lo = MSI_ADDR_APIC0;
	e->u.msi.data = vector;
	return e;
}

struct tern_irq_routing_entry *route_add_chip(struct route_req *r, u32 gsi, u32 chip, u32 pin)
{
	struct tern_irq_routing_entry *e = route_add(r, gsi, TERN_IRQ_ROUTING_IRQCHIP);

	e->u.irqchip.irqchip = chip;
	e->u.irqchip.pin = pin;
	return e;
}

s32 route_set(struct route_req *r)
{
	return hypercall1(TERN_HC_SET_GSI_ROUTING, (u32)(uintptr_t)r);
}

s32 doorbell_assign(u32 gsi, u32 flags, u32 resample_id)
{
	return hypercall4(TERN_HC_DOORBELL_ASSIGN, gsi, flags, resample_id, 0);
}

s32 doorbell_deassign(u32 id)
{
	return hypercall1(TERN_HC_DOORBELL_DEASSIGN, id);
}

s32 doorbell_ring(u32 id)
{
	return hypercall1(TERN_HC_DOORBELL_RING, id);
}

s32 doorbell_query(u32 id, struct tern_doorbell_info *out)
{
	return hypercall2(TERN_HC_DOORBELL_QUERY, id, (u32)(uintptr_t)out);
}
