/* SPDX-License-Identifier: MIT */
/*
 * Building a vCPU's VMCS: controls from the settled capabilities, host
 * state from the running CPU, the MSR bitmap, the FPU area and a VPID.
 */
#include "arch/x86/exit.h"
#include "arch/x86/gdt.h"
#include "arch/x86/vmcs.h"
#include "arch/x86/vmx.h"
#include "arch/x86/vmx_caps.h"
#include "arch/x86/x86.h"
#include "kernel/lib/bitmap.h"
#include "kernel/lib/string.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "kernel/percpu.h"
#include "kernel/vm_impl.h"

#define VPID_COUNT        0x10000u
#define TSS_DESC_BASE_MID_SHIFT 16   /* descriptor bits 39:16 = base 23:0 */
#define TSS_DESC_BASE_HI_SHIFT  56   /* descriptor bits 63:56 = base 31:24 */

extern char vmx_exit_stub[];

static DECLARE_BITMAP(vpid_used, VPID_COUNT) = { 1 };   /* VPID 0 is the host's */

static u16 vpid_alloc(void)
{
	for (unsigned i = 1; i < VPID_COUNT; i++)
		if (!bitmap_test(vpid_used, i) && !bitmap_test_and_set_atomic(vpid_used, i))
			return (u16)i;
	return 0;
}

static void vpid_free(u16 vpid)
{
	if (vpid)
		bitmap_test_and_clear_atomic(vpid_used, vpid);
}

static u64 tr_base(const struct desc_ptr *gdtr, u16 tr)
{
	const u64 *gdt = (const u64 *)gdtr->base;
	u64 lo = gdt[tr / 8], hi = gdt[tr / 8 + 1];

	return ((lo >> TSS_DESC_BASE_MID_SHIFT) & 0xffffffull) |
	       (((lo >> TSS_DESC_BASE_HI_SHIFT) & 0xffull) << 24) | ((hi & 0xffffffffull) << 32);
}

void vmcs_write_host_percpu(void)
{
	struct desc_ptr gdtr, idtr;

	sgdt(&gdtr);
	sidt(&idtr);
	vmcs_write(VMCS_HOST_GDTR_BASE, gdtr.base);
	vmcs_write(VMCS_HOST_IDTR_BASE, idtr.base);
	vmcs_write(VMCS_HOST_TR_BASE, tr_base(&gdtr, read_tr()));
	vmcs_write(VMCS_HOST_FS_BASE, rdmsr(MSR_IA32_FS_BASE));
	vmcs_write(VMCS_HOST_GS_BASE, rdmsr(MSR_IA32_GS_BASE));
	vmcs_write(VMCS_HOST_CR4, read_cr4());
}

void vmcs_write_host_state(void)
{
	vmcs_write(VMCS_HOST_CR0, read_cr0());
	vmcs_write(VMCS_HOST_CR3, read_cr3());
	vmcs_write(VMCS_HOST_CS_SEL, read_cs());
	vmcs_write(VMCS_HOST_SS_SEL, read_ss());
	vmcs_write(VMCS_HOST_DS_SEL, read_ds());
	vmcs_write(VMCS_HOST_ES_SEL, read_es());
	vmcs_write(VMCS_HOST_FS_SEL, read_fs());
	vmcs_write(VMCS_HOST_GS_SEL, read_gs());
	vmcs_write(VMCS_HOST_TR_SEL, read_tr());
	vmcs_write(VMCS_HOST_SYSENTER_CS, rdmsr(MSR_IA32_SYSENTER_CS));
	vmcs_write(VMCS_HOST_SYSENTER_ESP, rdmsr(MSR_IA32_SYSENTER_ESP));
	vmcs_write(VMCS_HOST_SYSENTER_EIP, rdmsr(MSR_IA32_SYSENTER_EIP));
	vmcs_write(VMCS_HOST_EFER, rdmsr(MSR_IA32_EFER));
	if (vmx_caps.exit & EXIT_LOAD_PAT)
		vmcs_write(VMCS_HOST_PAT, rdmsr(MSR_IA32_PAT));
	vmcs_write(VMCS_HOST_RIP, (u64)(uintptr_t)vmx_exit_stub);
	vmcs_write_host_percpu();
}

u64 vmcs_cr0_host_owned(void)
{
	/* PG: tern switches EFER.LMA and the IA-32e entry control with it */
	return CR0_PG | CR0_NE | (vmx_caps.cr0_fixed0 & ~(CR0_PE | CR0_PG)) |
	       (~vmx_caps.cr0_fixed1 & 0xffffffffull);
}

u64 vmcs_cr4_host_owned(void)
{
	/* PAE: tern loads the PDPTEs when it emulates a switch to PAE paging */
	return CR4_VMXE | CR4_SMXE | CR4_PAE | CR4_LA57 | CR4_PKE | vmx_caps.cr4_fixed0 |
	       (~vmx_caps.cr4_fixed1 & 0xffffffffull);
}

int vmcs_write_controls(struct vcpu *v)
{
	bool ok = true;

	ok &= vmcs_write(VMCS_PIN_CONTROLS, vmx_caps.pin);
	ok &= vmcs_write(VMCS_PROC_CONTROLS, vmx_caps.proc);
	ok &= vmcs_write(VMCS_PROC_CONTROLS2, vmx_caps.proc2);
	ok &= vmcs_write(VMCS_EXIT_CONTROLS, vmx_caps.exit);
	ok &= vmcs_write(VMCS_ENTRY_CONTROLS, vmx_caps.entry & ~ENTRY_IA32E_MODE);
	ok &= vmcs_write(VMCS_EXCEPTION_BITMAP, 0);
	ok &= vmcs_write(VMCS_CR3_TARGET_COUNT, 0);
	ok &= vmcs_write(VMCS_MSR_BITMAP, virt_to_phys(v->msr_bitmap));
	ok &= vmcs_write(VMCS_LINK_POINTER, VMCS_LINK_POINTER_NONE);
	ok &= vmcs_write(VMCS_EPT_POINTER, v->vm->eptp);
	ok &= vmcs_write(VMCS_TSC_OFFSET, 0);
	ok &= vmcs_write(VMCS_CR0_GUEST_HOST_MASK, vmcs_cr0_host_owned());
	ok &= vmcs_write(VMCS_CR4_GUEST_HOST_MASK, vmcs_cr4_host_owned());
	if (vmx_caps.vpid)
		ok &= vmcs_write(VMCS_VPID, v->vpid);
	return ok ? 0 : -TERN_EIO;
}

void msr_bitmap_pass(u64 *bitmap, u32 msr, bool read, bool write)
{
	unsigned base, idx;

	if (msr <= MSR_BITMAP_LOW_MAX)
		base = 0;
	else if (msr >= MSR_BITMAP_HIGH_BASE && msr <= MSR_BITMAP_HIGH_MAX)
		base = MSR_BITMAP_BITS_PER_MAP;
	else
		return;
	idx = base + (msr & MSR_BITMAP_LOW_MAX);
	if (read)
		bitmap_clear(bitmap, idx);
	if (write)
		bitmap_clear(bitmap, idx + 2 * MSR_BITMAP_BITS_PER_MAP);
}

/* Everything exits except MSRs the VMCS switches or tern never uses itself. */
static void msr_bitmap_fill(u64 *bitmap)
{
	static const u32 passthrough[] = {
		MSR_IA32_FS_BASE, MSR_IA32_GS_BASE, MSR_IA32_KERNEL_GS_BASE, MSR_IA32_STAR,
		MSR_IA32_LSTAR, MSR_IA32_CSTAR, MSR_IA32_FMASK, MSR_IA32_SYSENTER_CS,
		MSR_IA32_SYSENTER_ESP, MSR_IA32_SYSENTER_EIP,
	};

	for (unsigned i = 0; i < PAGE_SIZE / sizeof(u64); i++)
		bitmap[i] = ~0ull;
	for (unsigned i = 0; i < ARRAY_SIZE(passthrough); i++)
		msr_bitmap_pass(bitmap, passthrough[i], true, true);
	msr_bitmap_pass(bitmap, MSR_IA32_TSC, true, false);
}

/* The FPU state of a CPU after reset (XSAVE header all zero: every component in its init state). */
static void fpu_area_reset(struct vcpu *v)
{
	memset(v->fpu, 0, PAGE_SIZE << v->fpu_order);
	*(u32 *)((u8 *)v->fpu + FXSAVE_MXCSR_OFFSET) = MXCSR_DEFAULT;
	v->xcr0 = XCR0_X87;
}

static int fpu_area_create(struct vcpu *v)
{
	u64 size = vmx_caps.xsave ? vmx_caps.xsave_size : PAGE_SIZE;

	while ((PAGE_SIZE << v->fpu_order) < size)
		v->fpu_order++;
	v->fpu = page_alloc(v->fpu_order);
	if (!v->fpu)
		return -TERN_ENOMEM;
	fpu_area_reset(v);
	return 0;
}

/* VMCLEAR then VMPTRLD v's VMCS here: a fresh launch state, current on this CPU. */
static int vmcs_load_clear(struct vcpu *v)
{
	struct vmx_pcpu *pc = this_cpu()->vmx;

	*(u32 *)v->vmcs = vmx_caps.revision;
	if (!vmclear(virt_to_phys(v->vmcs)) || !vmptrld(virt_to_phys(v->vmcs)))
		return -TERN_EIO;
	pc->loaded = v;
	this_cpu()->current_vcpu = v;   /* as vmx_vcpu_load() would have it */
	v->cpu = (int)this_cpu()->id;
	v->launched = false;
	return 0;
}

/* A vCPU that has not run: host state, controls, the guest's reset state and MSRs. */
static int vmcs_setup(struct vcpu *v)
{
	int rc = vmcs_load_clear(v);

	if (rc)
		return rc;
	vmcs_write_host_state();
	rc = vmcs_write_controls(v);
	if (rc)
		return rc;
	vmcs_guest_reset_common();
	guest_msr_reset(v);
	return 0;
}

int vmx_vcpu_init(struct vcpu *v)
{
	v->msr_bitmap = page_alloc(0);
	v->vmcs = page_alloc(0);
	if (!v->msr_bitmap || !v->vmcs || fpu_area_create(v))
		return -TERN_ENOMEM;
	msr_bitmap_fill(v->msr_bitmap);
	if (vmx_caps.vpid) {
		v->vpid = vpid_alloc();
		if (!v->vpid)
			return -TERN_ENOSPC;
	}
	return vmcs_setup(v);
}

int vmx_vcpu_reset(struct vcpu *v)
{
	struct vmx_pcpu *pc = this_cpu()->vmx;

	if (v->cpu >= 0 && v->cpu != (int)this_cpu()->id)
		return -TERN_EBUSY;   /* still active on another CPU: vmx_vcpu_unload() there first */
	if (pc->fpu_owner == v)
		pc->fpu_owner = NULL;   /* the registers hold the old guest's state: drop it */
	msr_bitmap_fill(v->msr_bitmap);
	fpu_area_reset(v);
	memset(v->swapped_msr, 0, sizeof(v->swapped_msr));
	v->preempt_armed = false;
	v->apicv = false;
	v->apicv_mode = 0;
	memset(v->eoi_exit, 0, sizeof(v->eoi_exit));
	v->eoi_exit_gen = 0;   /* as created: the new vLAPIC's first TMR generation is 1 */
	return vmcs_setup(v);
}

void vmx_vcpu_destroy(struct vcpu *v)
{
	struct vmx_pcpu *pc = this_cpu()->vmx;

	if (v->vmcs) {
		vmclear(virt_to_phys(v->vmcs));
		page_free(v->vmcs, 0);
	}
	if (pc && pc->loaded == v)
		pc->loaded = NULL;
	if (this_cpu()->current_vcpu == v)
		this_cpu()->current_vcpu = NULL;
	if (pc && pc->fpu_owner == v)
		pc->fpu_owner = NULL;
	if (v->msr_bitmap)
		page_free(v->msr_bitmap, 0);
	if (v->fpu)
		page_free(v->fpu, v->fpu_order);
	vpid_free(v->vpid);
}
