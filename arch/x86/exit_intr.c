/* SPDX-License-Identifier: MIT */
/*
 * Interrupt-related exits: HLT, host interrupts, the interrupt and NMI
 * windows, the VMX-preemption timer (guest timers and time slices), and
 * the physical INIT/SIPI signals (tern sends none).
 */
#include "arch/x86/x86.h"
#include "arch/x86/exit.h"
#include "arch/x86/inject.h"
#include "arch/x86/vmx.h"
#include "arch/x86/vmx_insn.h"
#include "drivers/pit.h"
#include "drivers/rtc.h"
#include "irq/vlapic.h"
#include "kernel/clock.h"
#include "kernel/lib/atomic.h"
#include "kernel/percpu.h"
#include "kernel/vm_impl.h"

/* With IF=0 only an NMI, INIT or SIPI ends a halt: could one ever come? */
static bool halt_can_wake(struct vcpu *v)
{
	struct vm *vm = v->vm;

	vcpu_collect_events(v);
	if (v->events & (VLAPIC_EV_NMI | VLAPIC_EV_INIT | VLAPIC_EV_SIPI))
		return true;
	if (vm->nr_vcpus > 1 || vlapic_timer_deadline(vm, v->id))
		return true;
	return pit_next_deadline(vm) || rtc_next_deadline(vm);
}

int exit_hlt(struct vcpu *v)
{
	bool if_set = vmcs_read(VMCS_GUEST_RFLAGS) & RFLAGS_IF;

	exit_skip_insn(v);
	if (!if_set && !halt_can_wake(v)) {
		vm_stop_error(v->vm, "vCPU %u halted with interrupts disabled", v->id);
		return VMX_RUN_YIELD;
	}
	vcpu_halt(v, if_set);
	WRITE_ONCE(v->kicked, true);   /* an event may already be pending */
	return VMX_RUN_YIELD;
}

int exit_external_interrupt(struct vcpu *v)
{
	/* not acknowledged on exit: let tern's IDT take it now, then carry on */
	__asm__ __volatile__("sti; nop; cli" ::: "memory");
	inject_reinject_vectoring(v);
	return 0;
}

static void clear_proc_control(u32 bit)
{
	vmcs_write(VMCS_PROC_CONTROLS, vmcs_read(VMCS_PROC_CONTROLS) & ~(u64)bit);
}

int exit_interrupt_window(struct vcpu *v)
{
	clear_proc_control(PROC_INTR_WINDOW_EXITING);
	return inject_pending_events(v);
}

int exit_nmi_window(struct vcpu *v)
{
	clear_proc_control(PROC_NMI_WINDOW_EXITING);
	return inject_pending_events(v);
}

/* A guest timer is due or the time slice ended. */
int exit_preemption_timer(struct vcpu *v)
{
	u64 now = clock_now();

	inject_check_timers(v->vm, now);
	v->deadline_stale = true;   /* never re-arm a deadline that has passed */
	if ((v->slice_end && now >= v->slice_end) || READ_ONCE(this_cpu()->resched))
		return VMX_RUN_YIELD;   /* end of slice, or a sibling's timer woke it */
	return inject_pending_events(v);
}

/* INIT and SIPI exits come from signals to the physical CPU, which tern never sends. */
int exit_init_signal(struct vcpu *v)
{
	return 0;
}

int exit_sipi(struct vcpu *v)
{
	return 0;
}
