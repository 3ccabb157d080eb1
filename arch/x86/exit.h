/* SPDX-License-Identifier: MIT */
/*
 * VM-exit handlers (one per basic exit reason) and what they share.
 * A handler returns 0 to resume the guest or VMX_RUN_YIELD to return to
 * the scheduler; it completes (or faults) the exiting instruction itself.
 */
#ifndef TERN_ARCH_X86_EXIT_H
#define TERN_ARCH_X86_EXIT_H

#include "arch/x86/insn.h"
#include "arch/x86/vmx_insn.h"
#include "arch/x86/x86.h"
#include "kernel/lib/types.h"

struct vcpu;

/* The exit fast path is compiled without frame pointers: every instruction counts there. */
#define EXIT_HOT __attribute__((optimize("omit-frame-pointer")))

typedef int (*exit_handler_t)(struct vcpu *v);

/* Advance RIP by len bytes and end STI/MOV SS blocking, as completing an instruction does. */
static inline void exit_skip_len(struct vcpu *v, u64 len)
{
	u64 intr = vmcs_read(VMCS_GUEST_INTERRUPTIBILITY);

	(void)v;
	vmcs_write_nofail(VMCS_GUEST_RIP, vmcs_read(VMCS_GUEST_RIP) + len);
	if (unlikely(intr & (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS)))
		vmcs_write_nofail(VMCS_GUEST_INTERRUPTIBILITY,
				  intr & ~(u64)(INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS));
}

/* Advance RIP past the exiting instruction (exit instruction length). */
static inline void exit_skip_insn(struct vcpu *v)
{
	exit_skip_len(v, vmcs_read(VMCS_EXIT_INSN_LEN));
}

/* The guest's current privilege level (SS.DPL). */
static inline unsigned guest_cpl(void)
{
	return (unsigned)((vmcs_read(VMCS_GUEST_SS_AR) & AR_DPL_MASK) >> AR_DPL_SHIFT);
}

/* The guest code's default operand size: 16, 32 or 64-bit mode. */
static inline enum insn_mode guest_insn_mode(void)
{
	bool lma = vmcs_read(VMCS_GUEST_EFER) & EFER_LMA;
	u64 ar = vmcs_read(VMCS_GUEST_CS_AR);

	if (lma && (ar & AR_L))
		return INSN_MODE_64;
	return (ar & AR_DB) ? INSN_MODE_32 : INSN_MODE_16;
}

/* Reset the MSR values tern emulates (MISC_ENABLE, MTRRs) to power-on state. */
void guest_msr_reset(struct vcpu *v);

/* Handlers, by file. */
int exit_cpuid(struct vcpu *v);          /* guest_cpuid.c */
int exit_rdmsr(struct vcpu *v);          /* guest_msr.c */
int exit_wrmsr(struct vcpu *v);
int exit_cr_access(struct vcpu *v);      /* exit_cr.c */
int exit_io(struct vcpu *v);             /* exit_io.c */
int exit_ept_violation(struct vcpu *v);  /* exit_ept.c */
int exit_ept_misconfig(struct vcpu *v);
int exit_vmcall(struct vcpu *v);         /* exit_vmcall.c */
int exit_hlt(struct vcpu *v);            /* exit_misc.c */
int exit_invd(struct vcpu *v);
int exit_wbinvd(struct vcpu *v);
int exit_xsetbv(struct vcpu *v);
int exit_triple_fault(struct vcpu *v);
int exit_external_interrupt(struct vcpu *v);
int exit_interrupt_window(struct vcpu *v);
int exit_nmi_window(struct vcpu *v);
int exit_preemption_timer(struct vcpu *v);
int exit_init_signal(struct vcpu *v);
int exit_sipi(struct vcpu *v);
int exit_exception(struct vcpu *v);
int exit_undefined_opcode(struct vcpu *v);
int exit_nop_skip(struct vcpu *v);
/* Emulate the MMIO instruction at CS:RIP as an access to gpa (exit_ept.c). */
int exit_mmio_emulate(struct vcpu *v, u64 gpa);
/* VM-entry failure (exit reason bit 31): report and stop the VM. */
int exit_entry_failure(struct vcpu *v, u32 basic) __attribute__((cold));

#endif
