/* SPDX-License-Identifier: MIT */
/*
 * VMX: what kernel/ calls to turn VMX on, set up vCPUs and run them.
 * Everything else about VMX stays inside arch/x86.
 */
#ifndef TERN_ARCH_X86_VMX_H
#define TERN_ARCH_X86_VMX_H

/* What vmx_run() (vmx_entry.S) returns; an exit handler returns 0 to resume. */
#define VMX_RUN_YIELD         1   /* the exit handler wants the scheduler */
#define VMX_RUN_FAIL_INVALID  2   /* VMLAUNCH/VMRESUME: VMfailInvalid (no current VMCS) */
#define VMX_RUN_FAIL_VALID    3   /* VMLAUNCH/VMRESUME: VMfailValid (see VM-instruction error) */

/*
 * Offset in struct vcpu of kicked, with preempt_armed in the next byte: the
 * exit stub tests the two as one 16-bit word (asserted in exit.c).
 */
#define VCPU_EXIT_FLAGS       144

#ifndef __ASSEMBLY__

#include "kernel/lib/types.h"

struct vcpu;
struct vm;

/*
 * Detect VMX and enter VMX root operation on the calling CPU (the first
 * call also reads and logs the capabilities). Returns 0; -TERN_ENODEV when
 * the CPU has no usable VMX (the caller prints the one-line hint);
 * -TERN_EOPNOTSUPP when VMX lacks a feature tern needs (already logged);
 * -TERN_ENOMEM / -TERN_EIO when VMXON could not be done (logged).
 */
int vmx_cpu_init(void);

/* Build the VM's EPT from its RAM blocks. 0 or -TERN_ENOMEM. */
int vmx_vm_init(struct vm *vm);
/* Free what vmx_vm_init allocated. */
void vmx_vm_destroy(struct vm *vm);
/*
 * Map host memory [host, host + len) at guest-physical gpa in the VM's EPT,
 * write-back and RWX like RAM (shared-memory regions), before the VM first
 * runs. All 4 KiB aligned, host contiguous. 0, -TERN_EINVAL, -TERN_EEXIST
 * (overlaps a mapping), -TERN_ENOMEM.
 */
int vmx_vm_map(struct vm *vm, u64 gpa, void *host, u64 len);

/*
 * Allocate and fill the vCPU's VMCS (controls, host state, a reset guest
 * state), its MSR bitmap and FPU area, and give it a VPID. 0 or -TERN_Exxx.
 */
int vmx_vcpu_init(struct vcpu *v);
/* Free the vCPU's VMX resources (VMCLEAR first if loaded on this CPU). */
void vmx_vcpu_destroy(struct vcpu *v);

/*
 * Guest state for a Multiboot v1 entry: 32-bit flat protected mode, paging
 * off, EIP = eip, EAX/EBX as given, EFLAGS = 2. Call before the first run.
 */
int vmx_vcpu_set_pm32_entry(struct vcpu *v, u32 eip, u32 eax, u32 ebx);

/*
 * Architectural start state after INIT (sipi=false: real mode at
 * F000:FFF0, CS base 0xffff0000) or a start-up IPI (sipi=true: real mode
 * at vector << 12, CS base vector << 12); GPRs zeroed, RDX = signature.
 */
int vmx_vcpu_set_reset_state(struct vcpu *v, bool sipi, u8 vector);

/*
 * Run v on this CPU until its exit handler asks for the scheduler (a halt,
 * an end of time slice, a stop). timeslice > 0 arms the preemption timer
 * for about that many TSC ticks. A VM-entry failure stops v's VM (logged).
 */
void vmx_vcpu_run(struct vcpu *v, u64 timeslice);

/* Make v's VMCS current on this CPU (VMPTRLD when it is not). 0 or -TERN_EIO. */
int vmx_vcpu_load(struct vcpu *v);

/*
 * VMCLEAR v's VMCS on this CPU (where it was last loaded), so that another
 * CPU may load it: the scheduler moves a vCPU from the CPU that created
 * it to its home CPU once, before it first runs. No-op elsewhere.
 */
void vmx_vcpu_unload(struct vcpu *v);

/*
 * Back to the state vmx_vcpu_init() left (a warm reset of the VM): the
 * VMCS rebuilt and current on this CPU, controls, MSR bitmap, FPU area,
 * guest MSRs and the reset register state; APIC virtualization off until
 * apicv_vcpu_init(). v must not be active on another CPU (vmx_vcpu_unload
 * there first): 0, -TERN_EBUSY, -TERN_EIO.
 */
int vmx_vcpu_reset(struct vcpu *v);

/*
 * The exit stub's C side: the exit's handler. Its result and the vCPU's
 * exit flags decide what follows (vmx_entry.S): with 0, nothing kicked, no
 * preemption timer armed and no RCU writer waiting, VMRESUME at once;
 * otherwise vmx_exit_complete().
 */
int vmx_exit_handler(struct vcpu *v);

/*
 * After a handler that returned rc, when the stub's quick test did not
 * pass: a stop request, pending events (kicks), the preemption timer's
 * deadline, RCU's quiescent state. 0 = VMRESUME, else return from vmx_run.
 */
int vmx_exit_complete(struct vcpu *v, int rc);

/* Assembly (vmx_entry.S): enter v's guest; returns a VMX_RUN_* code. */
int vmx_run(struct vcpu *v, bool launched);

#endif /* !__ASSEMBLY__ */
#endif
