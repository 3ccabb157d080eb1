/* SPDX-License-Identifier: MIT */
/*
 * Control-register access exits: MOV to/from CR0, CR3, CR4, CR8, CLTS and
 * LMSW. Only writes that touch host-owned bits exit (vmcs_cr*_host_owned),
 * so this path is rare. Enabling paging with EFER.LME set switches the
 * guest to IA-32e mode here (EFER.LMA and the IA-32e-mode-guest entry
 * control), and leaving paging leaves it.
 */
#include "arch/x86/exit.h"
#include "arch/x86/inject.h"
#include "arch/x86/vmcs.h"
#include "arch/x86/vmx_caps.h"
#include "arch/x86/x86.h"
#include "irq/vlapic.h"
#include "kernel/lib/atomic.h"
#include "kernel/vm_impl.h"

#define CR0_LMSW_BITS     (CR0_PE | CR0_MP | CR0_EM | CR0_TS)
#define CR8_VALID_MASK    0xfull
#define CR3_PAE_PDPT_MASK 0xffffffe0ull
#define CR3_PCID_MASK     0xfffull
#define PAE_PDPTES        4
/* CR4 bits whose change alters translations (so the guest TLB must go). */
#define CR4_TLB_BITS      (CR4_PSE | CR4_PAE | CR4_PGE | CR4_PCIDE | CR4_SMEP | CR4_SMAP)
/* CR4 bits a guest may never set: features tern hides. */
#define CR4_HIDDEN        (CR4_VMXE | CR4_SMXE | CR4_LA57 | CR4_PKE)

static u64 gpr_get(struct vcpu *v, unsigned reg)
{
	u64 val = reg == GPR_RSP ? vmcs_read(VMCS_GUEST_RSP) : v->gpr[reg];

	return guest_insn_mode() == INSN_MODE_64 ? val : (u32)val;
}

static void gpr_set(struct vcpu *v, unsigned reg, u64 val)
{
	if (guest_insn_mode() != INSN_MODE_64)
		val = (u32)val;
	if (reg == GPR_RSP)
		vmcs_write(VMCS_GUEST_RSP, val);
	else
		v->gpr[reg] = val;
}

static void flush_guest_tlb(struct vcpu *v)
{
	/* without VPID every entry and exit flushes already */
	if (vmx_caps.vpid && !invvpid(INVVPID_SINGLE_CONTEXT, v->vpid, 0))
		invvpid(INVVPID_ALL_CONTEXTS, 0, 0);
}

/* PAE paging without long mode: the CPU takes the PDPTEs from the VMCS. */
static int load_pdptes(struct vcpu *v)
{
	u64 pdpte[PAE_PDPTES];

	if (vm_copy_from_guest(v->vm, pdpte, vmcs_read(VMCS_GUEST_CR3) & CR3_PAE_PDPT_MASK,
			       sizeof(pdpte)))
		return -TERN_EFAULT;
	for (unsigned i = 0; i < PAE_PDPTES; i++)
		vmcs_write(VMCS_GUEST_PDPTE0 + 2 * i, pdpte[i]);
	return 0;
}

static bool pae_paging(void)
{
	return (vmcs_read(VMCS_GUEST_CR0) & CR0_PG) && (vmcs_read(VMCS_GUEST_CR4) & CR4_PAE) &&
	       !(vmcs_read(VMCS_GUEST_EFER) & EFER_LMA);
}

static void set_long_mode(bool on)
{
	u64 efer = vmcs_read(VMCS_GUEST_EFER);
	u64 entry = vmcs_read(VMCS_ENTRY_CONTROLS);

	vmcs_write(VMCS_GUEST_EFER, on ? efer | EFER_LMA : efer & ~EFER_LMA);
	vmcs_write(VMCS_ENTRY_CONTROLS, on ? entry | ENTRY_IA32E_MODE : entry & ~ENTRY_IA32E_MODE);
}

static int set_cr0(struct vcpu *v, u64 val)
{
	u64 old = vmcs_guest_cr0(), efer = vmcs_read(VMCS_GUEST_EFER);

	val |= CR0_ET;   /* hardwired to 1 */
	if ((val >> 32) || ((val & CR0_PG) && !(val & CR0_PE)) || ((val & CR0_NW) && !(val & CR0_CD)))
		return -TERN_EINVAL;
	if (!(old & CR0_PG) && (val & CR0_PG) && (efer & EFER_LME)) {
		if (!(vmcs_guest_cr4() & CR4_PAE))
			return -TERN_EINVAL;
		set_long_mode(true);
	} else if ((old & CR0_PG) && !(val & CR0_PG) && (efer & EFER_LMA)) {
		if (vmcs_read(VMCS_GUEST_CS_AR) & AR_L)
			return -TERN_EINVAL;   /* leave 64-bit mode through compatibility mode */
		set_long_mode(false);
	}
	vmcs_set_guest_cr0(val);
	if ((val ^ old) & (CR0_PG | CR0_WP | CR0_CD))
		flush_guest_tlb(v);
	if (((val ^ old) & CR0_PG) && pae_paging())
		return load_pdptes(v);
	return 0;
}

static int set_cr4(struct vcpu *v, u64 val)
{
	u64 old = vmcs_guest_cr4(), efer = vmcs_read(VMCS_GUEST_EFER);

	if ((val & ~vmx_caps.cr4_fixed1) || (val & CR4_HIDDEN))
		return -TERN_EINVAL;
	if ((efer & EFER_LMA) && !(val & CR4_PAE))
		return -TERN_EINVAL;
	if ((val & CR4_PCIDE) && !(old & CR4_PCIDE) &&
	    (!(efer & EFER_LMA) || (vmcs_read(VMCS_GUEST_CR3) & CR3_PCID_MASK)))
		return -TERN_EINVAL;
	vmcs_set_guest_cr4(val);
	if ((val ^ old) & CR4_TLB_BITS)
		flush_guest_tlb(v);
	if (((val ^ old) & CR4_TLB_BITS) && pae_paging())
		return load_pdptes(v);
	return 0;
}

static int mov_to_cr(struct vcpu *v, unsigned cr, u64 val)
{
	switch (cr) {
	case 0:
		return set_cr0(v, val);
	case 3:   /* only with CR3-load exiting forced on (no TRUE controls) */
		vmcs_write(VMCS_GUEST_CR3, val);
		flush_guest_tlb(v);
		return pae_paging() ? load_pdptes(v) : 0;
	case 4:
		return set_cr4(v, val);
	case 8:
		if (val & ~CR8_VALID_MASK)
			return -TERN_EINVAL;
		v->cr8 = val;
		vlapic_set_cr8(v->vm, v->id, val);
		WRITE_ONCE(v->kicked, true);   /* a lower TPR may unblock an interrupt */
		return 0;
	default:
		return -TERN_EINVAL;
	}
}

static int mov_from_cr(struct vcpu *v, unsigned cr, u64 *val)
{
	switch (cr) {
	case 3:
		*val = vmcs_read(VMCS_GUEST_CR3);
		return 0;
	case 8:
		*val = vlapic_get_cr8(v->vm, v->id);
		return 0;
	default:
		return -TERN_EINVAL;
	}
}

int exit_cr_access(struct vcpu *v)
{
	u64 q = vmcs_read(VMCS_EXIT_QUALIFICATION), val = 0;
	unsigned cr = q & CRQ_CR_MASK, reg = (q >> CRQ_GPR_SHIFT) & CRQ_GPR_MASK;
	u64 cr0 = vmcs_guest_cr0(), lmsw = (q >> CRQ_LMSW_DATA_SHIFT) & CR0_LMSW_BITS;
	int rc;

	switch ((q >> CRQ_TYPE_SHIFT) & CRQ_TYPE_MASK) {
	case CRQ_TYPE_MOV_TO:
		rc = mov_to_cr(v, cr, gpr_get(v, reg));
		break;
	case CRQ_TYPE_MOV_FROM:
		rc = mov_from_cr(v, cr, &val);
		if (!rc)
			gpr_set(v, reg, val);
		break;
	case CRQ_TYPE_CLTS:
		rc = set_cr0(v, cr0 & ~CR0_TS);
		break;
	default:   /* LMSW: sets PE but never clears it */
		rc = set_cr0(v, (cr0 & ~(CR0_LMSW_BITS & ~CR0_PE)) | lmsw);
		break;
	}
	if (rc) {
		inject_gp(v);
		return 0;
	}
	exit_skip_insn(v);
	return 0;
}
