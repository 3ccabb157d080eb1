/* SPDX-License-Identifier: MIT */
/*
 * VM-exit dispatch: the C side of the exit stub. Kept lean: one VMREAD for
 * the reason, a table call, a counter; no locks or logging on this path.
 */
#include "arch/x86/exit.h"
#include "arch/x86/vmx.h"
#include "arch/x86/vmx_errors.h"
#include "arch/x86/vmx_insn.h"
#include "arch/x86/x86.h"
#include "kernel/rcu.h"
#include "kernel/vm_impl.h"

#define CS_AR_L_SHIFT 13

static const exit_handler_t handlers[EXIT_REASON_MAX] = {
	[EXIT_EXCEPTION_NMI] = exit_exception,
	[EXIT_EXTERNAL_INTERRUPT] = exit_external_interrupt,
	[EXIT_TRIPLE_FAULT] = exit_triple_fault,
	[EXIT_INIT] = exit_init_signal,
	[EXIT_SIPI] = exit_sipi,
	[EXIT_INTERRUPT_WINDOW] = exit_interrupt_window,
	[EXIT_NMI_WINDOW] = exit_nmi_window,
	[EXIT_CPUID] = exit_cpuid,
	[EXIT_GETSEC] = exit_undefined_opcode,
	[EXIT_HLT] = exit_hlt,
	[EXIT_INVD] = exit_invd,
	[EXIT_RDPMC] = exit_undefined_opcode,
	[EXIT_RSM] = exit_undefined_opcode,
	[EXIT_VMCALL] = exit_vmcall,
	[EXIT_VMCLEAR] = exit_undefined_opcode,
	[EXIT_VMLAUNCH] = exit_undefined_opcode,
	[EXIT_VMPTRLD] = exit_undefined_opcode,
	[EXIT_VMPTRST] = exit_undefined_opcode,
	[EXIT_VMREAD] = exit_undefined_opcode,
	[EXIT_VMRESUME] = exit_undefined_opcode,
	[EXIT_VMWRITE] = exit_undefined_opcode,
	[EXIT_VMXOFF] = exit_undefined_opcode,
	[EXIT_VMXON] = exit_undefined_opcode,
	[EXIT_CR_ACCESS] = exit_cr_access,
	[EXIT_IO_INSTRUCTION] = exit_io,
	[EXIT_RDMSR] = exit_rdmsr,
	[EXIT_WRMSR] = exit_wrmsr,
	[EXIT_MWAIT] = exit_undefined_opcode,
	[EXIT_MONITOR] = exit_undefined_opcode,
	[EXIT_PAUSE] = exit_nop_skip,
	[EXIT_EPT_VIOLATION] = exit_ept_violation,
	[EXIT_EPT_MISCONFIG] = exit_ept_misconfig,
	[EXIT_INVEPT] = exit_undefined_opcode,
	[EXIT_PREEMPTION_TIMER] = exit_preemption_timer,
	[EXIT_INVVPID] = exit_undefined_opcode,
	[EXIT_WBINVD] = exit_wbinvd,
	[EXIT_XSETBV] = exit_xsetbv,
	[EXIT_VMFUNC] = exit_undefined_opcode,
	[EXIT_ENCLS] = exit_undefined_opcode,
};

void exit_skip_len(struct vcpu *v, u64 len)
{
	u64 intr = vmcs_read(VMCS_GUEST_INTERRUPTIBILITY);

	vmcs_write(VMCS_GUEST_RIP, vmcs_read(VMCS_GUEST_RIP) + len);
	if (unlikely(intr & (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS)))
		vmcs_write(VMCS_GUEST_INTERRUPTIBILITY,
			   intr & ~(u64)(INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS));
}

void exit_skip_insn(struct vcpu *v)
{
	exit_skip_len(v, vmcs_read(VMCS_EXIT_INSN_LEN));
}

unsigned guest_cpl(void)
{
	return (unsigned)((vmcs_read(VMCS_GUEST_SS_AR) & AR_DPL_MASK) >> AR_DPL_SHIFT);
}

enum insn_mode guest_insn_mode(void)
{
	bool lma = vmcs_read(VMCS_GUEST_EFER) & EFER_LMA;
	u64 ar = vmcs_read(VMCS_GUEST_CS_AR);

	if (lma && (ar & AR_L))
		return INSN_MODE_64;
	return (ar & AR_DB) ? INSN_MODE_32 : INSN_MODE_16;
}

static int exit_unknown(struct vcpu *v, u32 basic)
{
	vm_stop_error(v->vm, "vCPU %u: unhandled VM exit %u (%s) at rip 0x%llx", v->id, basic,
		      vmx_exit_reason_name(basic), (unsigned long long)vmcs_read(VMCS_GUEST_RIP));
	return VMX_RUN_YIELD;
}

int vmx_exit_handler(struct vcpu *v)
{
	u32 reason = (u32)vmcs_read(VMCS_EXIT_REASON);
	u32 basic = reason & EXIT_REASON_BASIC_MASK;
	int rc;

	rcu_eqs_exit((unsigned)v->cpu);
	v->launched = true;
	if (unlikely(reason & EXIT_REASON_ENTRY_FAIL))
		return exit_entry_failure(v, basic);
	if (unlikely(basic >= EXIT_REASON_MAX || !handlers[basic]))
		return exit_unknown(v, basic);
	v->exits[basic]++;
	rc = handlers[basic](v);
	if (unlikely(vm_exit_requested(v->vm)))
		return VMX_RUN_YIELD;
	if (likely(rc == 0))
		rcu_eqs_enter((unsigned)v->cpu);
	return rc;
}
