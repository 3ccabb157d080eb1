/* SPDX-License-Identifier: MIT */
/*
 * Recording fake of vioapic_eoi() (irq/vioapic.h), for testing the vLAPIC
 * without the vIOAPIC.
 */
#ifndef TERN_TEST_FAKE_IOAPIC_H
#define TERN_TEST_FAKE_IOAPIC_H

#include "kernel/lib/types.h"

struct vm;

#define FAKE_IOAPIC_LOG 64   /* EOIs recorded; later ones are only counted */

struct fake_ioapic {
	unsigned eoi_calls;
	u8 eoi_vectors[FAKE_IOAPIC_LOG];
	/* Runs inside vioapic_eoi, e.g. to re-enter the vLAPIC like a re-delivery. */
	void (*eoi_hook)(struct vm *vm, u8 vector);
};

extern struct fake_ioapic fake_ioapic;

/* Forget every recorded call and the hook. */
void fake_ioapic_reset(void);

void vioapic_eoi(struct vm *vm, u8 vector);

#endif
