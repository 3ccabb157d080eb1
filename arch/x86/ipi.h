/* SPDX-License-Identifier: MIT */
/*
 * Cross-CPU work. Each CPU has a one-slot mailbox; a call posts fn/arg
 * there and sends IPI_CALL_VECTOR. The target runs it from the IPI
 * handler, from the idle loop, or when it next calls smp_poll() (tern runs
 * with interrupts off; the vCPU loop's external-interrupt exit opens them
 * briefly, so a CPU in guest mode answers after one VM exit).
 * Callers spin with their own mailbox polled, so two CPUs calling each
 * other cannot deadlock. Never call these from an NMI or #MC handler.
 */
#ifndef TERN_ARCH_IPI_H
#define TERN_ARCH_IPI_H

#include "kernel/lib/types.h"

#define IPI_CALL_VECTOR 0xf0   /* run the mailbox */
#define IPI_KICK_VECTOR 0xf1   /* no work: only forces a VM exit on its target */
#define IPI_RESEND_US   10000  /* a waiting caller re-sends the IPI this often */

/* Register the IPI and spurious-interrupt handlers (once, on the BSP, before APs start). */
int ipi_init(void);

/*
 * Run fn(arg) on cpu. The caller's own cpu runs it at once. Otherwise it
 * waits for the target's mailbox, posts, sends the IPI and, when wait,
 * spins until fn has returned on the target (running calls posted to
 * itself meanwhile). fn runs with interrupts off and must not sleep; with
 * wait false, arg must stay valid until fn runs. Returns 0, -TERN_EINVAL
 * (cpu not online, fn NULL) or the IPI's error (the call stays posted and
 * runs when the target next polls; with wait it is still waited for).
 */
int smp_call(unsigned cpu, void (*fn)(void *), void *arg, bool wait);

/*
 * Run fn(arg) on every online CPU, the caller's included (its own first
 * in parallel with the others), and return once all have returned. For
 * per-CPU set-up such as VMXON: fn can index its results by this_cpu()->id.
 */
void smp_run_on_all(void (*fn)(void *), void *arg);

/*
 * Interrupt cpu with IPI_KICK_VECTOR and nothing else: if it is in guest
 * mode (external-interrupt exiting on) it takes a VM exit; in root mode
 * the interrupt waits until it next enables interrupts. Self or an
 * offline cpu: nothing.
 */
void smp_kick(unsigned cpu);

/*
 * Run the call posted to the calling CPU, if any (interrupts off). Loops
 * that spin in root mode for long call it; smp_call's waiters and the idle
 * loop do.
 */
void smp_poll(void);

/*
 * The idle loop brackets its halt with these: while idle, the IPI handler
 * only acknowledges (the loop polls once awake, out of RCU idle).
 */
void ipi_idle_enter(void);
void ipi_idle_exit(void);

#endif
