/* SPDX-License-Identifier: MIT */
/*
 * APIC virtualization: TPR shadow, APIC-register virtualization,
 * virtual-interrupt delivery and x2APIC virtualization, when the CPU has
 * them and the command line does not say apicv=off. Without them the
 * vLAPIC is emulated through exits and interrupts are injected (inject.c).
 */
#ifndef TERN_ARCH_X86_APICV_H
#define TERN_ARCH_X86_APICV_H

#include "kernel/lib/types.h"

struct vcpu;

/* apicv=off on the command line: never use APIC virtualization. Call before VMs exist. */
void apicv_set_allowed(bool allowed);

/* True when new vCPUs use APIC virtualization (CPU support and not apicv=off). */
bool apicv_enabled(void);

/*
 * Turn APIC virtualization on for v (its VMCS current, its vLAPIC created):
 * virtual-APIC page = the vLAPIC's register page, the APIC-access page,
 * the controls, the x2APIC MSR passthrough. 0, or -TERN_Exxx (v then runs
 * without it).
 */
int apicv_vcpu_init(struct vcpu *v);

/*
 * Before an entry with APIC virtualization: RVI/SVI from the vLAPIC's
 * IRR/ISR, the EOI-exit bitmap, the x2APIC/xAPIC mode of the controls,
 * and the vPIC's ExtINT (injected, or the interrupt window when busy or
 * blocked: busy = an event is already queued for this entry).
 */
void apicv_sync(struct vcpu *v, bool busy);

/* Exit handlers (exit_intr_apicv.c). */
int exit_apic_access(struct vcpu *v);
int exit_apic_write(struct vcpu *v);
int exit_virtualized_eoi(struct vcpu *v);
int exit_tpr_below_threshold(struct vcpu *v);

#endif
