/* SPDX-License-Identifier: MIT */
/* The loop of a CPU with nothing to do. */
#ifndef TERN_KERNEL_SMP_IDLE_H
#define TERN_KERNEL_SMP_IDLE_H

#include "kernel/lib/types.h"

/*
 * On the calling CPU, forever: run posted cross-CPU calls, report an RCU
 * quiescent state, then halt with interrupts on (in an RCU extended
 * quiescent state) until an IPI arrives. The CPU must be RCU-online.
 */
__noreturn void smp_idle(void);

/*
 * Halt this CPU (id cpu) until an interrupt, as an idle CPU: calls posted
 * meanwhile wait for the caller's next smp_poll(), and the CPU is in an
 * RCU extended quiescent state. Call with interrupts off; an interrupt
 * that came since (pending) ends the halt at once. Returns with them off.
 */
void smp_halt_until_interrupt(unsigned cpu);

#endif
