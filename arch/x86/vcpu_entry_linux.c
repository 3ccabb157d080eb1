/* SPDX-License-Identifier: MIT */
/*
 * vCPU 0's start state for a Linux bzImage: the boot protocol's 64-bit
 * entry (Documentation/arch/x86/boot.rst, "64-bit Boot Protocol"), already
 * described by kernel/loader_linux.c in struct linux_entry.
 */
#include "arch/x86/vcpu_entry_linux.h"
#include "arch/x86/vmcs.h"
#include "arch/x86/vmx.h"
#include "arch/x86/x86.h"
#include "kernel/loader_linux.h"
#include "kernel/vcpu.h"

#define SEG_LIMIT_FLAT   0xffffffffu

struct seg_fields {
	enum vmcs_field sel, base, limit, ar;
};

static const struct seg_fields linux_data_segs[] = {
	{ VMCS_GUEST_DS_SEL, VMCS_GUEST_DS_BASE, VMCS_GUEST_DS_LIMIT, VMCS_GUEST_DS_AR },
	{ VMCS_GUEST_ES_SEL, VMCS_GUEST_ES_BASE, VMCS_GUEST_ES_LIMIT, VMCS_GUEST_ES_AR },
	{ VMCS_GUEST_FS_SEL, VMCS_GUEST_FS_BASE, VMCS_GUEST_FS_LIMIT, VMCS_GUEST_FS_AR },
	{ VMCS_GUEST_GS_SEL, VMCS_GUEST_GS_BASE, VMCS_GUEST_GS_LIMIT, VMCS_GUEST_GS_AR },
	{ VMCS_GUEST_SS_SEL, VMCS_GUEST_SS_BASE, VMCS_GUEST_SS_LIMIT, VMCS_GUEST_SS_AR },
};

static const struct seg_fields linux_cs = {
	VMCS_GUEST_CS_SEL, VMCS_GUEST_CS_BASE, VMCS_GUEST_CS_LIMIT, VMCS_GUEST_CS_AR,
};

static void put_seg(const struct seg_fields *s, u16 sel, u32 ar)
{
	vmcs_write(s->sel, sel);
	vmcs_write(s->base, 0);
	vmcs_write(s->limit, SEG_LIMIT_FLAT);
	vmcs_write(s->ar, ar);
}

static void set_segments(const struct linux_entry *e)
{
	put_seg(&linux_cs, e->cs, e->cs_ar);
	for (unsigned i = 0; i < ARRAY_SIZE(linux_data_segs); i++)
		put_seg(&linux_data_segs[i], e->ds, e->ds_ar);
	vmcs_write(VMCS_GUEST_GDTR_BASE, e->gdt_base);
	vmcs_write(VMCS_GUEST_GDTR_LIMIT, e->gdt_limit);
	/* vmcs_guest_reset_common() left TR a busy TSS (type 11 is the 64-bit busy TSS
	 * in IA-32e mode) and LDTR unusable: both what the entry checks want. */
}

static void set_control_state(const struct linux_entry *e)
{
	vmcs_set_guest_cr0(e->cr0);
	vmcs_set_guest_cr4(e->cr4);
	vmcs_write(VMCS_GUEST_CR3, e->cr3);
	vmcs_write(VMCS_GUEST_EFER, e->efer);
	if (e->efer & EFER_LMA)
		vmcs_write(VMCS_ENTRY_CONTROLS, vmcs_read(VMCS_ENTRY_CONTROLS) | ENTRY_IA32E_MODE);
}

int vmx_vcpu_set_linux_entry(struct vcpu *v, const struct linux_entry *e)
{
	int rc = vmx_vcpu_load(v);

	if (rc)
		return rc;
	vmcs_guest_reset_common();
	set_segments(e);
	set_control_state(e);
	vmcs_write(VMCS_GUEST_RIP, e->rip);
	vmcs_write(VMCS_GUEST_RSP, e->rsp);
	vmcs_write(VMCS_GUEST_RFLAGS, e->rflags | RFLAGS_FIXED);
	for (unsigned i = 0; i < GPR_COUNT; i++)
		v->gpr[i] = 0;
	v->gpr[GPR_RSI] = e->rsi;
	return 0;
}
