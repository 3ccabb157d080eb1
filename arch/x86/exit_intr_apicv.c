/* SPDX-License-Identifier: MIT */
/*
 * Exits of APIC virtualization: APIC accesses the CPU does not virtualize
 * (emulated through the MMIO path), APIC writes it virtualized (forwarded
 * to the vLAPIC so ICR sends, timer and LVT writes take effect), EOIs of
 * vectors in the EOI-exit bitmap, and TPR below threshold.
 */
#include "arch/x86/x86.h"
#include "arch/x86/apicv.h"
#include "arch/x86/exit.h"
#include "arch/x86/inject.h"
#include "arch/x86/vmx.h"
#include "arch/x86/vmx_insn.h"
#include "irq/vlapic.h"
#include "kernel/lib/atomic.h"
#include "kernel/vm_impl.h"

#define APIC_QUAL_OFFSET_MASK  0xfffu
#define APIC_QUAL_TYPE_SHIFT   12
#define APIC_QUAL_TYPE_MASK    0xfu
#define APIC_ACCESS_LINEAR_READ  0
#define APIC_ACCESS_LINEAR_WRITE 1
#define EOI_QUAL_VECTOR_MASK   0xffu

int exit_apic_access(struct vcpu *v)
{
	u64 q = vmcs_read(VMCS_EXIT_QUALIFICATION);
	unsigned type = (q >> APIC_QUAL_TYPE_SHIFT) & APIC_QUAL_TYPE_MASK;

	if (type != APIC_ACCESS_LINEAR_READ && type != APIC_ACCESS_LINEAR_WRITE) {
		vm_stop_error(v->vm, "vCPU %u: APIC access of type %u at offset 0x%llx not emulated",
			      v->id, type, (unsigned long long)(q & APIC_QUAL_OFFSET_MASK));
		return VMX_RUN_YIELD;
	}
	return exit_mmio_emulate(v, APIC_DEFAULT_BASE + (q & APIC_QUAL_OFFSET_MASK));
}

int exit_apic_write(struct vcpu *v)
{
	unsigned off = vmcs_read(VMCS_EXIT_QUALIFICATION) & APIC_QUAL_OFFSET_MASK;
	u8 *regs = vlapic_regs_page(v->vm, v->id);
	u64 val;

	/* trap-like: the value is already in the virtual-APIC page, RIP is past the write */
	if (!regs)
		return 0;
	val = *(volatile u32 *)(regs + off);
	if (off == APIC_REG_LVT_TIMER)   /* let the vLAPIC see the old mode */
		*(volatile u32 *)(regs + off) = v->lvtt_shadow;
	vlapic_mmio(v->vm, v->id, off, sizeof(u32), true, &val);
	apicv_save_lvtt(v);
	if (vlapic_timer_reg(off))   /* a fired interrupt kicks by itself */
		inject_lapic_timer_set(v, vlapic_timer_deadline(v->vm, v->id));
	else
		WRITE_ONCE(v->kicked, true);
	return 0;
}

int exit_virtualized_eoi(struct vcpu *v)
{
	u8 vector = vmcs_read(VMCS_EXIT_QUALIFICATION) & EOI_QUAL_VECTOR_MASK;

	vlapic_eoi_virtualized(v->vm, v->id, vector);
	WRITE_ONCE(v->kicked, true);
	return 0;
}

int exit_tpr_below_threshold(struct vcpu *v)
{
	WRITE_ONCE(v->kicked, true);
	return 0;
}
