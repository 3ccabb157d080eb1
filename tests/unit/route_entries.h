/* SPDX-License-Identifier: MIT */
/* Routing-request entries for host tests (the uapi layout of <tern/hypercall.h>). */
#ifndef TERN_TEST_ROUTE_ENTRIES_H
#define TERN_TEST_ROUTE_ENTRIES_H

#include <tern/hypercall.h>
#include "kernel/lib/types.h"

/* GSI gsi -> pin of irqchip (TERN_IRQCHIP_*). */
static inline struct tern_irq_routing_entry route_chip(u32 gsi, u32 chip, u32 pin)
{
	struct tern_irq_routing_entry e = { .gsi = gsi, .type = TERN_IRQ_ROUTING_IRQCHIP };

	e.u.irqchip.irqchip = chip;
	e.u.irqchip.pin = pin;
	return e;
}

/* GSI gsi -> the MSI (address lo/hi, data). */
static inline struct tern_irq_routing_entry route_msi(u32 gsi, u32 lo, u32 hi, u32 data)
{
	struct tern_irq_routing_entry e = { .gsi = gsi, .type = TERN_IRQ_ROUTING_MSI };

	e.u.msi.address_lo = lo;
	e.u.msi.address_hi = hi;
	e.u.msi.data = data;
	return e;
}

#endif
