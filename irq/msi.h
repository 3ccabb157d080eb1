/* SPDX-License-Identifier: MIT */
/*
 * Message-signalled interrupts: decode an MSI address/data pair into a
 * struct lapic_irq and deliver it through lapic_deliver(). An MSI route
 * (struct msi_route) is decoded once, when its routing table is built, so
 * a ring delivers the kept message without decoding it again.
 */
#ifndef TERN_IRQ_MSI_H
#define TERN_IRQ_MSI_H

#include "kernel/lib/types.h"
#include "irq/vlapic.h"

/*
 * Decode: address 0xfeeXXXXX (destination ID in bits 19:12, extended
 * destination ID bits 11:5 as destination bits 14:8, address_hi bits 31:8
 * as destination bits 31:8, redirection hint bit 3, destination mode
 * bit 2) and data (vector 7:0, delivery mode 10:8, assert 14, trigger 15).
 * RH=1 with logical DM makes a fixed message lowest-priority (SDM); RH=0
 * means physical whatever DM says. Returns 0, or -TERN_EINVAL for an
 * address outside 0xfee00000-0xfeefffff, the interrupt-remapping format
 * (bit 4) or a reserved delivery mode. (irq/msi_decode.c)
 */
int msi_decode(u32 address_lo, u32 address_hi, u32 data, struct lapic_irq *out);

/* Decode and deliver; lapic_deliver()'s result or msi_decode()'s error. */
int msi_deliver(struct vm *vm, u32 address_lo, u32 address_hi, u32 data);

/*
 * The MSI of a routing entry (irq/routing.h): the request's words and,
 * filled by msi_route_decode() when the table is built, the decoded
 * message. Immutable once the table is published; a doorbell copies it
 * whole (seqcount), so the words and the decode always come from one table.
 */
struct msi_route {
	u32 address_lo;
	u32 address_hi;
	u32 data;
	u32 flags;                   /* TERN_MSI_VALID_DEVID or 0 */
	u32 devid;
	int decode_err;              /* msi_decode()'s result for the words above */
	struct lapic_irq irq;        /* the decoded message when decode_err == 0 */
};

/* Fill m->irq and m->decode_err from m's words (msi_decode()). (irq/msi_decode.c) */
void msi_route_decode(struct msi_route *m);

/*
 * Deliver a decoded route: exactly what msi_deliver() would do with m's
 * words (msi_decode()'s error, or lapic_deliver()'s result), without
 * decoding them again. Host tests' fake chips observe this call.
 */
int msi_route_deliver(struct vm *vm, const struct msi_route *m);

#endif
