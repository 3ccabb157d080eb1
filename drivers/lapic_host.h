/* SPDX-License-Identifier: MIT */
/*
 * The host's local APIC (not the vLAPIC guests see): x2APIC through MSRs
 * when the CPU has it (tern switches every CPU to x2APIC then), else xAPIC
 * through the MMIO page. Every CPU calls lapic_init() on itself; the BSP
 * first, which picks the mode for all.
 */
#ifndef TERN_DRIVERS_LAPIC_HOST_H
#define TERN_DRIVERS_LAPIC_HOST_H

#include "kernel/lib/types.h"

/* Host vectors owned by the LAPIC driver (IPIs are in arch/x86/ipi.h). */
#define LAPIC_SPURIOUS_VECTOR 0xff   /* low nibble all ones, as older APICs need */
#define LAPIC_TIMER_VECTOR    0xef   /* the one-shot timer; its user registers a handler */

/* Broadcast destination of the xAPIC (8-bit) and x2APIC (32-bit) ICR. */
#define LAPIC_XAPIC_MAX_ID    0xfe   /* 0xff is broadcast */

/*
 * Enable the calling CPU's local APIC: x2APIC mode when the CPU has it
 * (decided on the first call, the BSP's; an AP without it then fails),
 * software-enabled with LAPIC_SPURIOUS_VECTOR, task priority 0, timer
 * masked. Returns 0, -TERN_ENODEV (no APIC, or not the BSP's mode) or
 * -TERN_ENOMEM (the xAPIC page could not be mapped).
 */
int lapic_init(void);

/* True once lapic_init() chose x2APIC mode. */
bool lapic_x2apic(void);

/* The calling CPU's APIC id (32 bits in x2APIC mode, 8 in xAPIC mode). */
u32 lapic_id(void);

/* Signal end of interrupt for the highest in-service vector. */
void lapic_eoi(void);

/*
 * Send a fixed-delivery interrupt with vector (>= 32) to the CPU with
 * APIC id apic_id (physical destination). Waits (bounded) for the xAPIC
 * delivery status to clear. Returns 0, -TERN_EINVAL (bad vector, or an id
 * the xAPIC cannot address) or -TERN_ETIMEDOUT.
 */
int lapic_send_ipi(u32 apic_id, u8 vector);

/* The same to every CPU but the caller (destination shorthand). */
int lapic_send_ipi_all_but_self(u8 vector);

/* INIT (assert) to apic_id: the CPU resets and waits for a SIPI. Same returns. */
int lapic_send_init(u32 apic_id);

/*
 * Start-up IPI to apic_id: it starts in real mode at page << 12
 * (CS = page << 8, IP = 0). Same returns.
 */
int lapic_send_sipi(u32 apic_id, u8 page);

/*
 * Arm the calling CPU's LAPIC timer once: after ticks timer ticks
 * (the APIC bus clock, divide by 1, not calibrated) it raises
 * LAPIC_TIMER_VECTOR. ticks == 0 stops it, as lapic_timer_stop().
 */
void lapic_timer_oneshot(u32 ticks);

/* Disarm and mask the calling CPU's LAPIC timer. */
void lapic_timer_stop(void);

/*
 * Prepare lapic_timer_at() on the calling CPU: TSC-deadline mode when the
 * CPU has it, else the one-shot timer's rate against the TSC (measured on
 * the first call, ~1 ms). Every CPU calls it once, after lapic_init().
 */
void lapic_timer_setup(void);

/*
 * Raise LAPIC_TIMER_VECTOR on the calling CPU once the TSC reaches tsc
 * (at once if it has): the idle loop's wake-up. A later call replaces it.
 */
void lapic_timer_at(u64 tsc);

/* Disarm lapic_timer_at()'s timer (a pending interrupt stays pending). */
void lapic_timer_cancel(void);

#endif
