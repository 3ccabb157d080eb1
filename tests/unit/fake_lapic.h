/* SPDX-License-Identifier: MIT */
/*
 * Recording fakes of what the vPIC and vIOAPIC call outside themselves:
 * lapic_deliver() and vlapic_accepts_extint() (irq/vlapic.h) and the
 * routing layer's irq_ack_notify(). Link with these instead of the real
 * vLAPIC and routing code to test a chip model alone.
 */
#ifndef TERN_TEST_FAKE_LAPIC_H
#define TERN_TEST_FAKE_LAPIC_H

#include "irq/routing.h"
#include "irq/vlapic.h"
#include "kernel/lib/types.h"

#define FAKE_LAPIC_LOG 64   /* calls recorded; later ones are only counted */

struct fake_ack {
	unsigned irqchip;
	unsigned pin;
};

struct fake_lapic {
	unsigned deliver_calls;
	struct lapic_irq delivered[FAKE_LAPIC_LOG];
	int deliver_ret;                /* what lapic_deliver returns (reset: 1) */

	unsigned ack_calls;
	struct fake_ack acks[FAKE_LAPIC_LOG];
	/* Runs inside irq_ack_notify, e.g. a resampler calling set_irq back. */
	void (*ack_hook)(struct vm *vm, unsigned irqchip, unsigned pin);

	bool accepts_extint;            /* what vlapic_accepts_extint returns */
	unsigned extint_queries;
};

extern struct fake_lapic fake_lapic;

/* Forget every recorded call and restore the defaults. */
void fake_lapic_reset(void);

/* The i-th recorded delivery / ack (asserts it was recorded). */
const struct lapic_irq *fake_delivered(unsigned i);
const struct fake_ack *fake_acked(unsigned i);

#endif
