/* SPDX-License-Identifier: MIT */
/*
 * Running a vCPU on this CPU: make its VMCS current (VMPTRLD only when
 * another one was), switch the guest-owned CPU state (FPU, XCR0, the
 * passed-through syscall MSRs) only when another vCPU owned it, set the
 * time slice, inject pending events (which arms the preemption timer), enter, and turn an entry failure into a stopped VM.
 */
#include "arch/x86/inject.h"
#include "arch/x86/vmcs.h"
#include "arch/x86/vmx.h"
#include "arch/x86/vmx_caps.h"
#include "arch/x86/vmx_errors.h"
#include "arch/x86/x86.h"
#include "kernel/clock.h"
#include "kernel/mm.h"
#include "kernel/percpu.h"
#include "kernel/rcu.h"
#include "kernel/vm_impl.h"

static const u32 swapped_msrs[SWAP_MSR_COUNT] = {
	[SWAP_KERNEL_GS_BASE] = MSR_IA32_KERNEL_GS_BASE,
	[SWAP_STAR] = MSR_IA32_STAR,
	[SWAP_LSTAR] = MSR_IA32_LSTAR,
	[SWAP_CSTAR] = MSR_IA32_CSTAR,
	[SWAP_FMASK] = MSR_IA32_FMASK,
	[SWAP_TSC_AUX] = MSR_IA32_TSC_AUX,
};

static inline void xsetbv(u32 index, u64 val)
{
	__asm__ __volatile__("xsetbv" : : "c"(index), "a"((u32)val), "d"((u32)(val >> 32)));
}

static void fpu_save(struct vcpu *v)
{
	if (vmx_caps.xsave)
		__asm__ __volatile__("xsave64 (%0)" : : "r"(v->fpu), "a"(~0u), "d"(~0u) : "memory");
	else
		__asm__ __volatile__("fxsave64 (%0)" : : "r"(v->fpu) : "memory");
}

static void fpu_restore(struct vcpu *v)
{
	if (vmx_caps.xsave) {
		xsetbv(0, v->xcr0);
		__asm__ __volatile__("xrstor64 (%0)" : : "r"(v->fpu), "a"(~0u), "d"(~0u) : "memory");
	} else {
		__asm__ __volatile__("fxrstor64 (%0)" : : "r"(v->fpu) : "memory");
	}
}

/* Hand the CPU's guest-owned state from the previous owner to v. */
static void switch_guest_state(struct vmx_pcpu *pc, struct vcpu *v)
{
	struct vcpu *prev = pc->fpu_owner;

	if (prev == v)
		return;
	if (prev) {
		fpu_save(prev);
		for (unsigned i = 0; i < SWAP_MSR_COUNT; i++)
			prev->swapped_msr[i] = rdmsr(swapped_msrs[i]);
	}
	fpu_restore(v);
	for (unsigned i = 0; i < SWAP_MSR_COUNT; i++)
		wrmsr(swapped_msrs[i], v->swapped_msr[i]);
	pc->fpu_owner = v;
}

int vmx_vcpu_load(struct vcpu *v)
{
	struct pcpu *cpu = this_cpu();
	struct vmx_pcpu *pc = cpu->vmx;

	if (pc->loaded == v)
		return 0;
	if (!vmptrld(virt_to_phys(v->vmcs)))
		return -TERN_EIO;
	pc->loaded = v;
	cpu->current_vcpu = v;
	if (v->cpu != (int)cpu->id) {
		/* a VMCS that moved here was VMCLEARed on its old CPU (vmx_vcpu_unload) */
		vmcs_write_host_percpu();
		v->cpu = (int)cpu->id;
	}
	return 0;
}

void vmx_vcpu_unload(struct vcpu *v)
{
	struct vmx_pcpu *pc = this_cpu()->vmx;

	if (v->cpu != (int)this_cpu()->id)
		return;
	if (pc->fpu_owner == v) {   /* another CPU may run it next: its state goes to memory */
		fpu_save(v);
		for (unsigned i = 0; i < SWAP_MSR_COUNT; i++)
			v->swapped_msr[i] = rdmsr(swapped_msrs[i]);
		pc->fpu_owner = NULL;
	}
	vmclear(virt_to_phys(v->vmcs));
	if (pc->loaded == v)
		pc->loaded = NULL;
	if (this_cpu()->current_vcpu == v)
		this_cpu()->current_vcpu = NULL;
	v->cpu = -1;
	v->launched = false;   /* a cleared VMCS takes VMLAUNCH */
}

void vmx_vcpu_run(struct vcpu *v, u64 timeslice)
{
	struct vmx_pcpu *pc = this_cpu()->vmx;
	int rc = vmx_vcpu_load(v);

	if (rc) {
		vm_stop_error(v->vm, "vCPU %u: VMPTRLD failed", v->id);
		return;
	}
	switch_guest_state(pc, v);
	v->slice_end = timeslice ? clock_now() + timeslice : 0;
	v->deadline_stale = true;
	if (inject_pending_events(v))
		return;   /* INIT: the vCPU waits for a SIPI */
	if (v->preempt_armed)
		inject_arm_deadline(v);
	rcu_vm_entry((unsigned)v->cpu);
	rc = vmx_run(v, v->launched);
	if (rc == VMX_RUN_YIELD) {
		v->launched = true;   /* an exit happened, so the launch succeeded */
		if (vmx_caps.pin & PIN_VIRTUAL_NMIS)
			inject_note_nmi_blocking(v);
	}
	if (rc == VMX_RUN_FAIL_VALID) {
		u32 err = (u32)vmcs_read(VMCS_INSN_ERROR);

		vm_stop_error(v->vm, "vCPU %u: %s failed: VM-instruction error %u (%s)", v->id,
			      v->launched ? "VMRESUME" : "VMLAUNCH", err, vmx_insn_error_name(err));
	} else if (rc == VMX_RUN_FAIL_INVALID) {
		vm_stop_error(v->vm, "vCPU %u: %s failed: no current VMCS", v->id,
			      v->launched ? "VMRESUME" : "VMLAUNCH");
	}
}
