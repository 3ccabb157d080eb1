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

#endif
