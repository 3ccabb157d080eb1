/* SPDX-License-Identifier: MIT */
/* Event injection into the guest at the next VM entry. */
#ifndef TERN_ARCH_X86_INJECT_H
#define TERN_ARCH_X86_INJECT_H

#include "kernel/lib/types.h"

struct vcpu;

/*
 * Make the next VM entry deliver hardware exception vector (with error_code
 * when the vector architecturally has one). The faulting instruction is
 * not completed: callers must not advance RIP. v's VMCS must be current.
 */
void inject_exception(struct vcpu *v, unsigned vector, u32 error_code);

/* Shorthands for the two exceptions tern raises most. */
void inject_gp(struct vcpu *v);
void inject_ud(struct vcpu *v);

/*
 * Called before every entry from the scheduler (not on the exit fast path):
 * the hook where the interrupt work injects pending interrupts and NMIs and
 * arms the interrupt/NMI-window exits. Does nothing yet.
 */
void inject_pending_events(struct vcpu *v);

#endif
