/* SPDX-License-Identifier: MIT */
/* VMCS construction and the guest-state helpers exit handlers share. */
#ifndef TERN_ARCH_X86_VMCS_H
#define TERN_ARCH_X86_VMCS_H

#include "arch/x86/vmx_insn.h"
#include "kernel/lib/types.h"

struct vcpu;

/* MSR bitmap layout (SDM 25.6.9): four 1 KiB bitmaps. */
#define MSR_BITMAP_LOW_MAX      0x1fffu
#define MSR_BITMAP_HIGH_BASE    0xc0000000u
#define MSR_BITMAP_HIGH_MAX     0xc0001fffu
#define MSR_BITMAP_BITS_PER_MAP 8192u

#define VMCS_LINK_POINTER_NONE  ~0ull
#define GUEST_PAT_DEFAULT       0x0007040600070406ull
#define GUEST_DR7_DEFAULT       0x400ull
#define MXCSR_DEFAULT           0x1f80u
#define FXSAVE_MXCSR_OFFSET     24

/*
 * Write the host-state fields that differ between physical CPUs (GDTR,
 * IDTR, TR and GS bases, and CR4, which each CPU set up itself) for the
 * calling CPU; v's VMCS must be current.
 */
void vmcs_write_host_percpu(void);

/* Write every host-state field; v's VMCS must be current. */
void vmcs_write_host_state(void);

/* Write the execution, exit and entry controls of v; v's VMCS must be current. */
int vmcs_write_controls(struct vcpu *v);

/* The CR0/CR4 bits tern keeps for itself (guest/host masks). */
u64 vmcs_cr0_host_owned(void);
u64 vmcs_cr4_host_owned(void);

/*
 * Set the guest's CR0/CR4 as the guest sees them (read shadow) and the
 * real value VMX needs (fixed bits applied). No validity checks: callers
 * validate guest input first.
 */
void vmcs_set_guest_cr0(u64 guest_cr0);
void vmcs_set_guest_cr4(u64 guest_cr4);

/* The guest's view of CR0/CR4 (shadow bits for host-owned ones, real bits otherwise). */
u64 vmcs_guest_cr0(void);
u64 vmcs_guest_cr4(void);

/* Reset guest state common to every start (descriptor tables, TR, LDTR, DR7, PAT...). */
void vmcs_guest_reset_common(void);

/* Let the guest access msr directly (clear its read and/or write exit bits). */
void msr_bitmap_pass(u64 *bitmap, u32 msr, bool read, bool write);

#endif
