/* SPDX-License-Identifier: MIT */
/*
 * Converting TSC ticks to a device's own clock (PIT 1.193182 MHz, ACPI PM
 * timer 3.579545 MHz, RTC 32.768 kHz) and back, without 128-bit division
 * (unavailable freestanding). Shared by the timer devices in drivers/.
 */
#ifndef TERN_DRIVERS_CLOCK_SCALE_H
#define TERN_DRIVERS_CLOCK_SCALE_H

#include "kernel/lib/types.h"

/*
 * floor(v * mul / div) for div > 0, exact while (div - 1) * mul fits in
 * 64 bits (true for every rate pair used here: mul, div < 2^32).
 */
static inline u64 clock_scale(u64 v, u64 mul, u64 div)
{
	return (v / div) * mul + (v % div) * mul / div;
}

/* ceil(v * mul / div), same bounds as clock_scale(). */
static inline u64 clock_scale_up(u64 v, u64 mul, u64 div)
{
	u64 q = (v / div) * mul;
	u64 r = (v % div) * mul;

	return q + r / div + (r % div != 0);
}

/* TSC ticks per second as tern tells guests. */
static inline u64 clock_tsc_hz(u64 tsc_khz)
{
	return tsc_khz * 1000;
}

#endif
