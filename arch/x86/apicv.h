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

struct vm;

/* The VM's APIC-access page, mapped at 0xfee00000, when APIC virtualization is used. 0 or -TERN_ENOMEM. */
int apicv_vm_init(struct vm *vm);
/* Free it. */
void apicv_vm_destroy(struct vm *vm);
/* Its contents as apicv_vm_init() left them (a warm reset of the VM). */
void apicv_vm_reset(struct vm *vm);

/*
 * Turn APIC virtualization on for v (its VMCS current, its vLAPIC created):
 * virtual-APIC page = the vLAPIC's register page, the APIC-access page,
 * the controls, the x2APIC MSR passthrough. 0 (also when APIC
 * virtualization is not used), or -TERN_Exxx.
 */
int apicv_vcpu_init(struct vcpu *v);

/*
 * Before an entry with APIC virtualization (after a kick): the controls
 * for the vLAPIC's mode (xAPIC, x2APIC, disabled), the EOI-exit bitmap
 * from the TMR, RVI/SVI from the highest IRR/ISR vectors. The vPIC's
 * ExtINT is still injected by inject.c.
 */
void apicv_sync(struct vcpu *v);

/*
 * The vLAPIC just set vector in v's IRR, v's VMCS is this CPU's current
 * one and v is not in guest mode: raise RVI to vector if it is higher.
 * All that virtual-interrupt delivery needs for a new IRR bit; the entry
 * evaluates RVI against the guest's PPR (vcpu_kick_irr, kernel/vcpu.c).
 */
void apicv_raise_rvi(struct vcpu *v, u8 vector);

/*
 * Remember the LVT timer register as the vLAPIC has it: an APIC-write exit
 * puts it back before forwarding the guest's new value, so the vLAPIC sees
 * the mode change the CPU's virtualized write already made.
 */
void apicv_save_lvtt(struct vcpu *v);

/* Exit handlers (exit_intr_apicv.c). */
int exit_apic_access(struct vcpu *v);
int exit_apic_write(struct vcpu *v);
int exit_virtualized_eoi(struct vcpu *v);
int exit_tpr_below_threshold(struct vcpu *v);

#endif
