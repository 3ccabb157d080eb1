/* SPDX-License-Identifier: MIT */
/*
 * The small exit handlers: INVD/WBINVD, XSETBV, triple fault, exceptions,
 * instructions guests must not have (#UD), and entry failures. Interrupt
 * related exits are in exit_intr.c.
 */
#include "arch/x86/exit.h"
#include "arch/x86/inject.h"
#include "arch/x86/trap.h"
#include "arch/x86/vmx.h"
#include "arch/x86/vmx_caps.h"
#include "arch/x86/vmx_errors.h"
#include "arch/x86/vmx_insn.h"
#include "arch/x86/x86.h"
#include "kernel/log.h"
#include "kernel/vm_impl.h"

/* XCR0 bits a guest may set: what the host has, minus MPX (hidden by CPUID). */
#define XCR0_GUEST_FORBIDDEN (XCR0_BNDREGS | XCR0_BNDCSR)

int exit_invd(struct vcpu *v)
{
	/* dropping dirty lines would corrupt tern's memory: behave like WBINVD minus the write-back */
	exit_skip_insn(v);
	return 0;
}

int exit_wbinvd(struct vcpu *v)
{
	__asm__ __volatile__("wbinvd" ::: "memory");
	exit_skip_insn(v);
	return 0;
}

static bool xcr0_valid(u64 val)
{
	if (!(val & XCR0_X87) || (val & ~vmx_caps.xcr0_supported) || (val & XCR0_GUEST_FORBIDDEN))
		return false;
	if ((val & XCR0_AVX) && !(val & XCR0_SSE))
		return false;
	if ((val & XCR0_AVX512) && ((val & XCR0_AVX512) != XCR0_AVX512 || !(val & XCR0_AVX)))
		return false;
	return true;
}

int exit_xsetbv(struct vcpu *v)
{
	u64 val = ((v->gpr[GPR_RDX] & 0xffffffffull) << 32) | (u32)v->gpr[GPR_RAX];

	if (!vmx_caps.xsave || !(vmcs_read(VMCS_GUEST_CR4) & CR4_OSXSAVE)) {
		inject_ud(v);
		return 0;
	}
	if ((u32)v->gpr[GPR_RCX] != 0 || guest_cpl() != 0 || !xcr0_valid(val)) {
		inject_gp(v);
		return 0;
	}
	__asm__ __volatile__("xsetbv" : : "c"(0), "a"((u32)val), "d"((u32)(val >> 32)));
	v->xcr0 = val;
	exit_skip_insn(v);
	return 0;
}

int exit_triple_fault(struct vcpu *v)
{
	vm_stop_error(v->vm, "triple fault at rip 0x%llx", (unsigned long long)vmcs_read(VMCS_GUEST_RIP));
	return VMX_RUN_YIELD;
}

int exit_exception(struct vcpu *v)
{
	u32 info = (u32)vmcs_read(VMCS_EXIT_INTR_INFO);

	/* NMI exiting: a host NMI while the guest ran; nothing in tern uses NMIs yet */
	if (((info & INTR_INFO_TYPE_MASK) >> INTR_INFO_TYPE_SHIFT) == INTR_TYPE_NMI) {
		inject_reinject_vectoring(v);
		return 0;
	}
	vm_stop_error(v->vm, "vCPU %u: unexpected exception %u exit at rip 0x%llx", v->id,
		      info & INTR_INFO_VECTOR_MASK, (unsigned long long)vmcs_read(VMCS_GUEST_RIP));
	return VMX_RUN_YIELD;
}

int exit_undefined_opcode(struct vcpu *v)
{
	inject_ud(v);
	return 0;
}

int exit_nop_skip(struct vcpu *v)
{
	exit_skip_insn(v);
	return 0;
}

int exit_entry_failure(struct vcpu *v, u32 basic)
{
	vm_stop_error(v->vm, "vCPU %u: VM entry failed: %s (qualification 0x%llx)", v->id,
		      vmx_exit_reason_name(basic),
		      (unsigned long long)vmcs_read(VMCS_EXIT_QUALIFICATION));
	pr_err("vm%u: guest state: rip 0x%llx rflags 0x%llx cr0 0x%llx cr3 0x%llx cr4 0x%llx "
	       "efer 0x%llx cs 0x%llx/ar 0x%llx ss ar 0x%llx tr ar 0x%llx entry controls 0x%llx "
	       "activity %llu interruptibility 0x%llx", v->vm->id,
	       (unsigned long long)vmcs_read(VMCS_GUEST_RIP),
	       (unsigned long long)vmcs_read(VMCS_GUEST_RFLAGS),
	       (unsigned long long)vmcs_read(VMCS_GUEST_CR0),
	       (unsigned long long)vmcs_read(VMCS_GUEST_CR3),
	       (unsigned long long)vmcs_read(VMCS_GUEST_CR4),
	       (unsigned long long)vmcs_read(VMCS_GUEST_EFER),
	       (unsigned long long)vmcs_read(VMCS_GUEST_CS_SEL),
	       (unsigned long long)vmcs_read(VMCS_GUEST_CS_AR),
	       (unsigned long long)vmcs_read(VMCS_GUEST_SS_AR),
	       (unsigned long long)vmcs_read(VMCS_GUEST_TR_AR),
	       (unsigned long long)vmcs_read(VMCS_ENTRY_CONTROLS),
	       (unsigned long long)vmcs_read(VMCS_GUEST_ACTIVITY_STATE),
	       (unsigned long long)vmcs_read(VMCS_GUEST_INTERRUPTIBILITY));
	return VMX_RUN_YIELD;
}
