/* SPDX-License-Identifier: MIT */
/*
 * APIC virtualization. The vLAPIC's register page is the virtual-APIC
 * page, so the CPU and the model share one copy of every register. xAPIC
 * mode: a per-VM APIC-access page at 0xfee00000 (reads served from the
 * page, TPR/EOI virtualized, other writes end in APIC-write exits that
 * tern forwards to the vLAPIC). x2APIC mode: "virtualize x2APIC mode" and
 * the MSR bitmap passes reads of the virtualized registers and writes of
 * TPR, EOI and SELF_IPI. Virtual-interrupt delivery: RVI/SVI from IRR/ISR
 * before entries after a kick, the EOI-exit bitmap from the TMR.
 */
#include "arch/x86/x86.h"
#include "arch/x86/apicv.h"
#include "arch/x86/ept.h"
#include "arch/x86/vmcs.h"
#include "arch/x86/vmx.h"
#include "arch/x86/vmx_caps.h"
#include "arch/x86/vmx_insn.h"
#include "irq/vlapic.h"
#include "kernel/lib/bitmap.h"
#include "kernel/lib/string.h"
#include "kernel/mm.h"
#include "kernel/vm_impl.h"
#include "kernel/trace.h"

#define APICV_PROC2      (PROC2_APIC_REG_VIRT | PROC2_VIRT_INTR_DELIVERY)
#define INTR_STATUS_SVI_SHIFT 8
#define INTR_STATUS_RVI_MASK  0xffu
#define APIC_ACCESS_FILL 0xff   /* what the page reads as when not virtualized (x2APIC mode) */

/*
 * MODE_XAPIC_MOVED: an xAPIC relocated away from 0xfee00000. The per-VM
 * APIC-access page stays at the default base (other vCPUs use it), so
 * this vCPU gets no APIC-access virtualization: its window at the new base
 * is trapped and emulated on the same register page, and 0xfee00000 reads
 * as the access page's fill (all ones), as nothing is there for it.
 */
enum apicv_mode { MODE_UNSET, MODE_DISABLED, MODE_XAPIC, MODE_X2APIC, MODE_XAPIC_MOVED };

/* x2APIC registers whose RDMSR the CPU serves from the virtual-APIC page (SDM 29.5). */
static const u16 x2apic_virt_reads[] = {
	APIC_REG_ID, APIC_REG_LVR, APIC_REG_TPR, APIC_REG_LDR, APIC_REG_SVR, APIC_REG_ESR,
	APIC_REG_ICR_LO, APIC_REG_LVT_TIMER, APIC_REG_LVT_THERMAL, APIC_REG_LVT_PERF,
	APIC_REG_LVT_LINT0, APIC_REG_LVT_LINT1, APIC_REG_LVT_ERROR, APIC_REG_TMICT, APIC_REG_TDCR,
};
/* x2APIC writes the CPU virtualizes with virtual-interrupt delivery. */
static const u16 x2apic_virt_writes[] = { APIC_REG_TPR, APIC_REG_EOI, APIC_REG_SELF_IPI };

static bool allowed = true;

void apicv_set_allowed(bool on)
{
	allowed = on;
}

bool apicv_enabled(void)
{
	return allowed && vmx_caps.tpr_shadow && vmx_caps.apic_reg_virt &&
	       vmx_caps.virt_intr_delivery;
}

int apicv_vm_init(struct vm *vm)
{
	struct ept_sizes small = { false, false };
	u8 *page;

	if (!apicv_enabled())
		return 0;
	page = page_alloc(0);
	if (!page)
		return -TERN_ENOMEM;
	memset(page, APIC_ACCESS_FILL, PAGE_SIZE);
	vm->apic_access_page = page;
	return ept_map(vm->ept_root, APIC_DEFAULT_BASE, virt_to_phys(page), PAGE_SIZE, &small);
}

void apicv_vm_reset(struct vm *vm)
{
	if (vm->apic_access_page)
		memset(vm->apic_access_page, APIC_ACCESS_FILL, PAGE_SIZE);
}

void apicv_vm_destroy(struct vm *vm)
{
	if (vm->apic_access_page)
		page_free(vm->apic_access_page, 0);
	vm->apic_access_page = NULL;
}

/* Intercept (on) or pass through the x2APIC MSR of register reg. */
static void x2apic_msr_intercept(u64 *bitmap, unsigned reg, bool read, bool on)
{
	unsigned idx = APIC_MSR(reg) + (read ? 0 : 2 * MSR_BITMAP_BITS_PER_MAP);

	if (on)
		bitmap_set(bitmap, idx);
	else
		bitmap_clear(bitmap, idx);
}

static void x2apic_passthrough(struct vcpu *v, bool on)
{
	for (unsigned i = 0; i < ARRAY_SIZE(x2apic_virt_reads); i++)
		x2apic_msr_intercept(v->msr_bitmap, x2apic_virt_reads[i], true, !on);
	for (unsigned i = 0; i < ARRAY_SIZE(x2apic_virt_writes); i++)
		x2apic_msr_intercept(v->msr_bitmap, x2apic_virt_writes[i], false, !on);
}

/* Controls for the vLAPIC's current mode: APIC-access page, x2APIC virtualization, MSRs. */
static void switch_mode(struct vcpu *v, u8 mode)
{
	u64 proc2 = vmcs_read(VMCS_PROC_CONTROLS2) & ~(u64)(PROC2_VIRT_APIC_ACCESS | PROC2_VIRT_X2APIC);
	bool x2 = mode == MODE_X2APIC && vmx_caps.virt_x2apic;

	if (mode == MODE_XAPIC)
		proc2 |= PROC2_VIRT_APIC_ACCESS;
	if (x2)
		proc2 |= PROC2_VIRT_X2APIC;
	vmcs_write(VMCS_PROC_CONTROLS2, proc2);
	x2apic_passthrough(v, x2);
	v->apicv_mode = mode;
}

int apicv_vcpu_init(struct vcpu *v)
{
	struct vm *vm = v->vm;
	void *regs = vlapic_regs_page(vm, v->id);
	int rc;

	if (!apicv_enabled() || !vm->apic_access_page || !regs)
		return 0;
	rc = vmx_vcpu_load(v);
	if (rc)
		return rc;
	vmcs_write(VMCS_VIRTUAL_APIC_ADDR, virt_to_phys(regs));
	vmcs_write(VMCS_APIC_ACCESS_ADDR, virt_to_phys(vm->apic_access_page));
	vmcs_write(VMCS_TPR_THRESHOLD, 0);
	vmcs_write(VMCS_GUEST_INTR_STATUS, 0);
	for (unsigned i = 0; i < 4; i++)
		vmcs_write(VMCS_EOI_EXIT_BITMAP0 + 2 * i, 0);
	vmcs_write(VMCS_PROC_CONTROLS, vmcs_read(VMCS_PROC_CONTROLS) | PROC_TPR_SHADOW);
	vmcs_write(VMCS_PROC_CONTROLS2, vmcs_read(VMCS_PROC_CONTROLS2) | APICV_PROC2);
	v->apicv_mode = MODE_UNSET;
	v->apicv = true;
	apicv_save_lvtt(v);
	vlapic_set_apicv(vm, v->id, true);
	return 0;
}

void apicv_save_lvtt(struct vcpu *v)
{
	const u8 *regs = vlapic_regs_page(v->vm, v->id);

	if (regs)
		v->lvtt_shadow = *(const volatile u32 *)(regs + APIC_REG_LVT_TIMER);
}

/* The controls' mode for the vLAPIC's IA32_APIC_BASE state. */
static u8 mode_of(const struct vlapic_apicv_state *st)
{
	if (st->x2apic)
		return MODE_X2APIC;
	if (!st->enabled)
		return MODE_DISABLED;
	return st->base == APIC_DEFAULT_BASE ? MODE_XAPIC : MODE_XAPIC_MOVED;
}

/* The TMR moved (tmr_gen): rewrite the EOI-exit bitmap words that changed. */
static void sync_eoi_exit_bitmap(struct vcpu *v, u32 tmr_gen)
{
	u64 bm[4];

	vlapic_eoi_exit_bitmap(v->vm, v->id, bm);
	for (unsigned i = 0; i < 4; i++) {
		if (bm[i] != v->eoi_exit[i]) {
			vmcs_write(VMCS_EOI_EXIT_BITMAP0 + 2 * i, bm[i]);
			v->eoi_exit[i] = bm[i];
		}
	}
	v->eoi_exit_gen = tmr_gen;
}

/*
 * After a kick: the controls for the vLAPIC's mode, the EOI-exit bitmap
 * when the TMR changed, RVI/SVI from IRR/ISR (always: the CPU moves them
 * while the guest runs, so what the VMCS holds is not known here).
 */
void apicv_sync(struct vcpu *v)
{
	struct vlapic_apicv_state st;
	u8 mode;

	vlapic_apicv_state(v->vm, v->id, &st);
	mode = mode_of(&st);
	if (mode != v->apicv_mode)
		switch_mode(v, mode);
	v->lvtt_shadow = st.lvt_timer;
	if (st.tmr_gen != v->eoi_exit_gen)
		sync_eoi_exit_bitmap(v, st.tmr_gen);
	if (st.irr >= 0)
		TRACE(TR_INJECT, v->vm, v->id, st.irr, TRACE_INJECT_VID, 0, 0);
	vmcs_write(VMCS_GUEST_INTR_STATUS, (u64)(st.irr < 0 ? 0 : st.irr) |
		   ((u64)(st.isr < 0 ? 0 : st.isr) << INTR_STATUS_SVI_SHIFT));
}

/* Out of line: the fast path below then makes no call and needs no frame. */
static __attribute__((noinline, cold)) void trace_raise_rvi(struct vcpu *v, u8 vector)
{
	trace_irq(v->vm, (int)v->id, TR_INJECT, vector, TRACE_INJECT_VID, 0, 0);
}

void apicv_raise_rvi(struct vcpu *v, u8 vector)
{
	u64 status = vmcs_read(VMCS_GUEST_INTR_STATUS);

	if ((status & INTR_STATUS_RVI_MASK) < vector)
		vmcs_write(VMCS_GUEST_INTR_STATUS, (status & ~(u64)INTR_STATUS_RVI_MASK) | vector);
	if (trace_on(TRACE_TYPE_CAT(TR_INJECT)))
		trace_raise_rvi(v, vector);
}
