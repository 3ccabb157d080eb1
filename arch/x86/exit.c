/* SPDX-License-Identifier: MIT */
/*
 * VM-exit dispatch: the C side of the exit stub. Kept lean: one VMREAD for
 * the reason, a table call, a counter; no locks or logging on this path.
 */
#include "arch/x86/apicv.h"
#include "arch/x86/exit.h"
#include "arch/x86/inject.h"
#include "arch/x86/vmx.h"
#include "arch/x86/vmx_errors.h"
#include "arch/x86/vmx_insn.h"
#include "arch/x86/x86.h"
#include "kernel/lib/atomic.h"
#include "kernel/percpu.h"
#include "kernel/rcu.h"
#include "kernel/vm_impl.h"
#include "kernel/stats.h"
#include "kernel/trace.h"

#define CS_AR_L_SHIFT 13

static int exit_unknown(struct vcpu *v) __attribute__((noinline, cold));

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Woverride-init"
/* Every slot is filled (exit_unknown for the rest) so dispatch needs no NULL test. */
static const exit_handler_t handlers[EXIT_REASON_MAX] = {
	[0 ... EXIT_REASON_MAX - 1] = exit_unknown,
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
	[EXIT_TPR_BELOW_THRESHOLD] = exit_tpr_below_threshold,
	[EXIT_APIC_ACCESS] = exit_apic_access,
	[EXIT_VIRTUALIZED_EOI] = exit_virtualized_eoi,
	[EXIT_APIC_WRITE] = exit_apic_write,
};
#pragma GCC diagnostic pop

/* Cold and out of line, so the hot handler below saves no extra registers. */
static int exit_unknown(struct vcpu *v)
{
	u32 basic = (u32)vmcs_read(VMCS_EXIT_REASON) & EXIT_REASON_BASIC_MASK;

	vm_stop_error(v->vm, "vCPU %u: unhandled VM exit %u (%s) at rip 0x%llx", v->id, basic,
		      vmx_exit_reason_name(basic), (unsigned long long)vmcs_read(VMCS_GUEST_RIP));
	return VMX_RUN_YIELD;
}

/* A reason past the table: an entry failure (bit 31) or one tern does not know. */
static __attribute__((noinline, cold)) int exit_bad_reason(struct vcpu *v, u64 reason)
{
	if (reason & EXIT_REASON_ENTRY_FAIL)
		return exit_entry_failure(v, (u32)reason & EXIT_REASON_BASIC_MASK);
	return exit_unknown(v);
}

/* Something changed the vCPU's interrupt state, or a halted vCPU woke up. */
static int exit_events(struct vcpu *v)
{
	if (READ_ONCE(this_cpu()->resched) || v->console_wait)
		return VMX_RUN_YIELD;   /* the scheduler runs the woken vCPU, or holds this one back */
	return inject_pending_events(v);
}

STATIC_ASSERT(offsetof(struct vcpu, kicked) == VCPU_EXIT_FLAGS);
STATIC_ASSERT(offsetof(struct vcpu, preempt_armed) == VCPU_EXIT_FLAGS + 1);

int vmx_exit_complete(struct vcpu *v, int rc)
{
	/* vm_request_exit() kicks every vCPU, so one flag covers both cases */
	if (READ_ONCE(v->kicked)) {
		if (vm_exit_requested(v->vm))
			return VMX_RUN_YIELD;
		if (rc == 0)
			rc = exit_events(v);
	}
	if (likely(rc == 0)) {
		if (v->preempt_armed)
			inject_arm_deadline(v);
		rcu_vm_entry((unsigned)v->cpu);
	}
	return rc;
}

/*
 * The exit with statistics or the exit trace on: timed, keyed, traced,
 * with its completion (the stub's test then finds little left to do).
 */
static __attribute__((noinline, unused)) int exit_observed(struct vcpu *v, u32 reason)
{
	struct exit_obs o;
	int rc;

	exit_observe_begin(v, reason, &o);
	rc = vmx_exit_complete(v, handlers[reason](v));
	exit_observe_end(v, &o, rc);
	return rc;
}

/* No frame: the handler is a tail call, and the stub does the rest. */
EXIT_HOT int vmx_exit_handler(struct vcpu *v)
{
	u64 reason = vmcs_read(VMCS_EXIT_REASON);

	/* one test catches entry failures (bit 31) and reasons beyond the table */
	if (unlikely(reason >= EXIT_REASON_MAX))
		return exit_bad_reason(v, reason);
	v->exits[reason]++;
	if (unlikely(trace_on(TRACE_CAT_EXIT | TRACE_CAT_STATS)))
		return exit_observed(v, (u32)reason);
	return handlers[reason](v);
}
