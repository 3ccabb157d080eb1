/* SPDX-License-Identifier: MIT */
/* MSI delivery through lapic_deliver(); the decode is in irq/msi_decode.c. */
#include "irq/msi.h"

int msi_deliver(struct vm *vm, u32 address_lo, u32 address_hi, u32 data)
{
	struct lapic_irq irq;
	int err = msi_decode(address_lo, address_hi, data, &irq);

	return err ? err : lapic_deliver(vm, &irq);
}

int msi_route_deliver(struct vm *vm, const struct msi_route *m)
{
	/* m->irq was decoded from m's words when the table was built */
	return m->decode_err ? m->decode_err : lapic_deliver(vm, &m->irq);
}
