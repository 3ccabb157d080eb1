/* SPDX-License-Identifier: MIT */
/*
 * Shared interrupt lines. Each interrupt source (test device, PIT, UART,
 * a doorbell's resampler, the IRQ_LINE hypercall...) has its own source id,
 * and a pin's level is the OR of its sources' levels, so two sources that
 * share a line can never clear each other's assertion (KVM's irq_states).
 */
#ifndef TERN_IRQ_SOURCE_H
#define TERN_IRQ_SOURCE_H

#include "kernel/lib/types.h"
#include "irq/irq.h"

/* Fixed source ids; others are handed out by irq_source_alloc(). */
enum irq_source_id {
	IRQ_SOURCE_USER        = 0,  /* IRQ_LINE hypercall, pc-testdev ports */
	IRQ_SOURCE_RESAMPLER   = 1,  /* doorbells with resample share this one */
	IRQ_SOURCE_FIRST_FREE  = 2,
};

/* One pin's line state: bit n set = source n asserts the line. */
typedef u64 irq_line_state_t;

/*
 * Record that source asserts (level != 0) or releases the line, and return
 * the resulting line level (1 if any source asserts it).
 * Not atomic: the owning model's lock protects it.
 */
static inline int irq_line_update(irq_line_state_t *state, unsigned source, int level)
{
	if (level)
		*state |= 1ull << (source % IRQ_SOURCE_ID_MAX);
	else
		*state &= ~(1ull << (source % IRQ_SOURCE_ID_MAX));
	return *state != 0;
}

#endif
