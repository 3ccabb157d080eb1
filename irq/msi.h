/* SPDX-License-Identifier: MIT */
/*
 * Message-signalled interrupts: decode an MSI address/data pair into a
 * struct lapic_irq and deliver it through lapic_deliver().
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
 * (bit 4) or a reserved delivery mode.
 */
int msi_decode(u32 address_lo, u32 address_hi, u32 data, struct lapic_irq *out);

/* Decode and deliver; lapic_deliver()'s result or msi_decode()'s error. */
int msi_deliver(struct vm *vm, u32 address_lo, u32 address_hi, u32 data);

#endif
