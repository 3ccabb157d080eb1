/* SPDX-License-Identifier: MIT */
/* Building TERN_HC_SET_GSI_ROUTING requests and doorbell calls in test guests. */
#ifndef GUEST_IRQTEST_ROUTE_H
#define GUEST_IRQTEST_ROUTE_H

#include <tern/errno.h>
#include <tern/hypercall.h>
#include "kernel/lib/types.h"

#define ROUTE_REQ_MAX 8

/* A request with room for ROUTE_REQ_MAX entries (header first, as the ABI wants). */
struct route_req {
	struct tern_irq_routing hdr;
	struct tern_irq_routing_entry e[ROUTE_REQ_MAX];
};

/* Empty the request (nr 0, flags 0). */
void route_clear(struct route_req *r);
/* Append GSI gsi -> MSI to APIC ID 0 with vector (address 0xfee00000, data = vector). */
struct tern_irq_routing_entry *route_add_msi(struct route_req *r, u32 gsi, u8 vector);
/* Append GSI gsi -> pin of irqchip (TERN_IRQCHIP_*). */
struct tern_irq_routing_entry *route_add_chip(struct route_req *r, u32 gsi, u32 chip, u32 pin);
/* TERN_HC_SET_GSI_ROUTING with r; returns the hypercall's result. */
s32 route_set(struct route_req *r);

/* Doorbell hypercalls. */
s32 doorbell_assign(u32 gsi, u32 flags, u32 resample_id);
s32 doorbell_deassign(u32 id);
s32 doorbell_ring(u32 id);
s32 doorbell_query(u32 id, struct tern_doorbell_info *out);

#endif
