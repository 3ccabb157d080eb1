/* SPDX-License-Identifier: MIT */
/*
 * Guest state: the architectural start states (Multiboot's 32-bit flat
 * protected mode; real mode for APs later) and CR0/CR4 with their read
 * shadows, so the guest sees its own values while VMX's fixed bits hold.
 */
#include "arch/x86/vmcs.h"
#include "arch/x86/vmx.h"
#include "arch/x86/vmx_caps.h"
#include "arch/x86/x86.h"
#include "kernel/vcpu.h"

#define SEG_LIMIT_FLAT   0xffffffffu
#define SEG_LIMIT_REAL   0xffffu
#define TR_LIMIT         0xffffu
#define MB1_CS_SEL       0x08
#define MB1_DS_SEL       0x10
#define AR_CODE_FLAT32   (AR_TYPE_CODE_XR | AR_TYPE_ACCESSED | AR_S | AR_P | AR_DB | AR_G)
#define AR_DATA_FLAT32   (AR_TYPE_DATA_RW | AR_TYPE_ACCESSED | AR_S | AR_P | AR_DB | AR_G)
#define AR_TR_BUSY       (AR_TYPE_TSS_BUSY | AR_P)

struct seg_fields {
	enum vmcs_field sel, base, limit, ar;
};

static const struct seg_fields data_segs[] = {
	{ VMCS_GUEST_DS_SEL, VMCS_GUEST_DS_BASE, VMCS_GUEST_DS_LIMIT, VMCS_GUEST_DS_AR },
	{ VMCS_GUEST_ES_SEL, VMCS_GUEST_ES_BASE, VMCS_GUEST_ES_LIMIT, VMCS_GUEST_ES_AR },
	{ VMCS_GUEST_FS_SEL, VMCS_GUEST_FS_BASE, VMCS_GUEST_FS_LIMIT, VMCS_GUEST_FS_AR },
	{ VMCS_GUEST_GS_SEL, VMCS_GUEST_GS_BASE, VMCS_GUEST_GS_LIMIT, VMCS_GUEST_GS_AR },
	{ VMCS_GUEST_SS_SEL, VMCS_GUEST_SS_BASE, VMCS_GUEST_SS_LIMIT, VMCS_GUEST_SS_AR },
};

static const struct seg_fields cs_seg = {
	VMCS_GUEST_CS_SEL, VMCS_GUEST_CS_BASE, VMCS_GUEST_CS_LIMIT, VMCS_GUEST_CS_AR,
};

static void write_seg(const struct seg_fields *s, u16 sel, u64 base, u32 limit, u32 ar)
{
	vmcs_write(s->sel, sel);
	vmcs_write(s->base, base);
	vmcs_write(s->limit, limit);
	vmcs_write(s->ar, ar);
}

void vmcs_guest_reset_common(void)
{
	vmcs_write(VMCS_GUEST_GDTR_BASE, 0);
	vmcs_write(VMCS_GUEST_GDTR_LIMIT, SEG_LIMIT_REAL);
	vmcs_write(VMCS_GUEST_IDTR_BASE, 0);
	vmcs_write(VMCS_GUEST_IDTR_LIMIT, SEG_LIMIT_REAL);
	vmcs_write(VMCS_GUEST_LDTR_SEL, 0);
	vmcs_write(VMCS_GUEST_LDTR_BASE, 0);
	vmcs_write(VMCS_GUEST_LDTR_LIMIT, 0);
	vmcs_write(VMCS_GUEST_LDTR_AR, AR_UNUSABLE);
	vmcs_write(VMCS_GUEST_TR_SEL, 0);
	vmcs_write(VMCS_GUEST_TR_BASE, 0);
	vmcs_write(VMCS_GUEST_TR_LIMIT, TR_LIMIT);
	vmcs_write(VMCS_GUEST_TR_AR, AR_TR_BUSY);
	vmcs_write(VMCS_GUEST_DR7, GUEST_DR7_DEFAULT);
	vmcs_write(VMCS_GUEST_DEBUGCTL, 0);
	vmcs_write(VMCS_GUEST_PAT, GUEST_PAT_DEFAULT);
	vmcs_write(VMCS_GUEST_EFER, 0);
	vmcs_write(VMCS_GUEST_SYSENTER_CS, 0);
	vmcs_write(VMCS_GUEST_SYSENTER_ESP, 0);
	vmcs_write(VMCS_GUEST_SYSENTER_EIP, 0);
	vmcs_write(VMCS_GUEST_INTERRUPTIBILITY, 0);
	vmcs_write(VMCS_GUEST_ACTIVITY_STATE, ACTIVITY_ACTIVE);
	vmcs_write(VMCS_GUEST_PENDING_DBG, 0);
	vmcs_write(VMCS_GUEST_CR3, 0);
	vmcs_write(VMCS_GUEST_RSP, 0);
	vmcs_write(VMCS_GUEST_RFLAGS, RFLAGS_FIXED);
	vmcs_write(VMCS_ENTRY_INTR_INFO, 0);
	vmcs_set_guest_cr0(CR0_ET);
	vmcs_set_guest_cr4(0);
}

void vmcs_set_guest_cr0(u64 guest_cr0)
{
	/* unrestricted guest: PE and PG are the guest's own even though fixed0 has them */
	u64 fixed0 = vmx_caps.cr0_fixed0 & ~(CR0_PE | CR0_PG);

	vmcs_write(VMCS_CR0_READ_SHADOW, guest_cr0);
	vmcs_write(VMCS_GUEST_CR0, (guest_cr0 | fixed0) & vmx_caps.cr0_fixed1);
}

void vmcs_set_guest_cr4(u64 guest_cr4)
{
	vmcs_write(VMCS_CR4_READ_SHADOW, guest_cr4);
	vmcs_write(VMCS_GUEST_CR4, (guest_cr4 | vmx_caps.cr4_fixed0) & vmx_caps.cr4_fixed1);
}

u64 vmcs_guest_cr0(void)
{
	u64 mask = vmcs_cr0_host_owned();

	return (vmcs_read(VMCS_GUEST_CR0) & ~mask) | (vmcs_read(VMCS_CR0_READ_SHADOW) & mask);
}

u64 vmcs_guest_cr4(void)
{
	u64 mask = vmcs_cr4_host_owned();

	return (vmcs_read(VMCS_GUEST_CR4) & ~mask) | (vmcs_read(VMCS_CR4_READ_SHADOW) & mask);
}

int vmx_vcpu_set_pm32_entry(struct vcpu *v, u32 eip, u32 eax, u32 ebx)
{
	int rc = vmx_vcpu_load(v);

	if (rc)
		return rc;
	write_seg(&cs_seg, MB1_CS_SEL, 0, SEG_LIMIT_FLAT, AR_CODE_FLAT32);
	for (unsigned i = 0; i < ARRAY_SIZE(data_segs); i++)
		write_seg(&data_segs[i], MB1_DS_SEL, 0, SEG_LIMIT_FLAT, AR_DATA_FLAT32);
	vmcs_set_guest_cr0(CR0_PE | CR0_ET);
	vmcs_write(VMCS_GUEST_RIP, eip);
	vmcs_write(VMCS_GUEST_RFLAGS, RFLAGS_FIXED);
	v->gpr[GPR_RAX] = eax;
	v->gpr[GPR_RBX] = ebx;
	return 0;
}

#define AR_CODE_REAL     (AR_TYPE_CODE_XR | AR_TYPE_ACCESSED | AR_S | AR_P)
#define AR_DATA_REAL     (AR_TYPE_DATA_RW | AR_TYPE_ACCESSED | AR_S | AR_P)
#define RESET_CS_SEL     0xf000u
#define RESET_CS_BASE    0xffff0000ull
#define RESET_RIP        0xfff0u
#define RESET_RDX        0x600u        /* family 6 processor signature */
#define SIPI_CS_SHIFT    8
#define SIPI_BASE_SHIFT  12

int vmx_vcpu_set_reset_state(struct vcpu *v, bool sipi, u8 vector)
{
	int rc = vmx_vcpu_load(v);

	if (rc)
		return rc;
	vmcs_guest_reset_common();
	vmcs_write(VMCS_ENTRY_CONTROLS, vmcs_read(VMCS_ENTRY_CONTROLS) & ~(u64)ENTRY_IA32E_MODE);
	if (sipi)
		write_seg(&cs_seg, (u16)(vector << SIPI_CS_SHIFT), (u64)vector << SIPI_BASE_SHIFT,
			  SEG_LIMIT_REAL, AR_CODE_REAL);
	else
		write_seg(&cs_seg, RESET_CS_SEL, RESET_CS_BASE, SEG_LIMIT_REAL, AR_CODE_REAL);
	for (unsigned i = 0; i < ARRAY_SIZE(data_segs); i++)
		write_seg(&data_segs[i], 0, 0, SEG_LIMIT_REAL, AR_DATA_REAL);
	vmcs_write(VMCS_GUEST_RIP, sipi ? 0 : RESET_RIP);
	for (unsigned i = 0; i < GPR_COUNT; i++)
		v->gpr[i] = 0;
	v->gpr[GPR_RDX] = RESET_RDX;
	return 0;
}
