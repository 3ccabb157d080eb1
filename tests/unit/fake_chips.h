/* SPDX-License-Identifier: MIT */
/*
 * Host fakes of the chip entry points the routing layer calls
 * (vpic_set_irq, vioapic_set_irq, msi_route_deliver). They keep each pin's line
 * as the OR of its sources (irq_line_update), answer 1 for a rising edge
 * and 0 otherwise, count edges and falls, and log every call. Thread-safe;
 * call fake_chips_reset() at the start of each test.
 */
#ifndef TERN_TEST_FAKE_CHIPS_H
#define TERN_TEST_FAKE_CHIPS_H

#include "irq/irq_source.h"
#include "kernel/lib/types.h"

#define FAKE_PIC_PINS     16
#define FAKE_IOAPIC_PINS  24
#define FAKE_CHIP_LOG     256

enum fake_chip { FAKE_PIC, FAKE_IOAPIC };

struct fake_pin_call {
	enum fake_chip chip;
	unsigned pin;
	unsigned source;
	int level;
};

struct fake_msi_call {
	u32 address_lo, address_hi, data;
};

struct fake_chip_pins {
	irq_line_state_t line[FAKE_IOAPIC_PINS];
	unsigned edges[FAKE_IOAPIC_PINS];   /* 0 -> 1 transitions: interrupts raised */
	unsigned falls[FAKE_IOAPIC_PINS];   /* 1 -> 0 transitions */
	unsigned calls;
	int err;                            /* != 0: every call returns it */
};

struct fake_chips_state {
	struct fake_chip_pins pic, ioapic;
	unsigned nr_log;                    /* pin calls so far (the log keeps the first FAKE_CHIP_LOG) */
	struct fake_pin_call log[FAKE_CHIP_LOG];
	unsigned nr_msi;
	struct fake_msi_call msi[FAKE_CHIP_LOG];
	int msi_ret;                        /* what msi_route_deliver returns (default 1) */
	/* MSI rings whose decoded message is not the decode of their words (atomic) */
	unsigned msi_bad_decode;
	/* if set, msi_route_deliver calls only this (outside the fake's lock) and returns its answer */
	int (*msi_hook)(struct vm *vm, u32 address_lo, u32 address_hi, u32 data);
};

extern struct fake_chips_state fake_chips;

void fake_chips_reset(void);

/* The line level of a pin (1 if any source asserts it). */
int fake_pin_level(enum fake_chip chip, unsigned pin);

/* Calls in the log for (chip, pin). */
unsigned fake_pin_calls(enum fake_chip chip, unsigned pin);

#endif
