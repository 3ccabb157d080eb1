/* SPDX-License-Identifier: MIT */
/*
 * Time for models: the host TSC. Under Bochs one tick is one emulated
 * instruction. Host tests supply a fake clock they can advance.
 */
#ifndef TERN_CLOCK_H
#define TERN_CLOCK_H

#include "kernel/lib/types.h"

/* Current host time in TSC ticks (monotonic). */
u64 clock_now(void);
/* TSC ticks per millisecond that tern tells guests (CPUID 0x40000010). */
u64 clock_tsc_khz(void);

#endif
