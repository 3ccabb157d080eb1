/* SPDX-License-Identifier: MIT */
/* Event injection into the guest at the next VM entry. */
#ifndef TERN_ARCH_X86_INJECT_H
#define TERN_ARCH_X86_INJECT_H

#include "kernel/lib/types.h"

struct vcpu;
struct vm;

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
 * The last exit interrupted the delivery of an event (IDT-vectoring
 * information valid): queue it again for the next entry, with its error
 * code and instruction length. Returns true when an event is queued for
 * the next entry (this one or an earlier one). v's VMCS must be current.
 */
bool inject_reinject_vectoring(struct vcpu *v);

/*
 * Before an entry (scheduler, and exits after a kick): re-inject an
 * interrupted event, act on INIT/SIPI, inject a pending NMI, then the
 * vLAPIC's highest pending vector or the vPIC's ExtINT when the guest can
 * take it (else arm the interrupt/NMI-window exit); with APIC
 * virtualization, update RVI/SVI and the EOI-exit bitmap instead. Then
 * recompute the vCPU's timer deadline (vLAPIC timer, PIT, RTC, time
 * slice) if a timer moved; the caller arms the preemption timer from it
 * (inject_arm_deadline) just before the entry. Consumes v's kick. Returns 0 to
 * enter, or VMX_RUN_YIELD when the vCPU must not run now: its VM is
 * stopping, a vCPU of this CPU woke (resched), or INIT put it into
 * wait-for-SIPI.
 */
int inject_pending_events(struct vcpu *v);

/*
 * v left the CPU (its VMCS current): if the guest is no longer blocked by
 * an NMI, none that tern delivered is outstanding (v->nmi_delivered), so
 * later blocking that tern did not cause is an emulator leak it drops.
 */
void inject_note_nmi_blocking(struct vcpu *v);

/*
 * v, whose exit this CPU is handling, reprogrammed a timer of the VM (PIT,
 * RTC): every vCPU on duty for it recomputes its deadline at its next kick
 * or run, v at once. Not a kick: an interrupt the write fired kicks by
 * itself.
 */
void inject_timers_changed(struct vcpu *v);

/*
 * v, whose exit this CPU is handling, reprogrammed its own vLAPIC timer
 * (a timer register or MSR), which now expires at deadline (0: disarmed;
 * vlapic_timer_deadline()). Only v's CPU is on duty for that timer and v
 * runs there now, so no other vCPU needs to know: an earlier deadline
 * replaces v's at once, without a recompute; a later one (or none) leaves
 * the earlier one to end the guest's run early, harmlessly, and recompute
 * then (exit_preemption_timer). Not a kick either.
 */
void inject_lapic_timer_set(struct vcpu *v, u64 deadline);

/*
 * Write the VMX-preemption timer from the current TSC: v->deadline (0:
 * none), and with v->kick_backstop, at most that many ticks while the
 * guest's RFLAGS.IF is 0 (see struct vcpu). Only while v->preempt_armed.
 */
void inject_arm_deadline(struct vcpu *v);

/*
 * Run the timers of vm that are due now (every vLAPIC timer, PIT,
 * RTC): expired ones raise their interrupts (and kick their targets).
 */
void inject_check_timers(struct vm *vm, u64 now);

#endif
