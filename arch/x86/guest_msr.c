/* SPDX-License-Identifier: MIT */
/*
 * RDMSR/WRMSR for guests: an explicit table of the MSRs tern emulates.
 * MSRs the VMCS switches (FS/GS base, SYSENTER) and the syscall MSRs tern
 * never uses itself are passed through by the MSR bitmap (arch/x86/vmcs.c)
 * and never get here. Anything not in the table raises #GP in the guest.
 */
#include "arch/x86/exit.h"
#include "arch/x86/inject.h"
#include "arch/x86/kvm_pv.h"
#include "arch/x86/vmx_caps.h"
#include "arch/x86/vmx_insn.h"
#include "arch/x86/x86.h"
#include "irq/vlapic.h"
#include "kernel/lib/atomic.h"
#include "kernel/log.h"
#include "kernel/vm_impl.h"

enum guest_msr {
	GMSR_PLATFORM_ID     = 0x17,
	GMSR_BIOS_SIGN_ID    = 0x8b,
	GMSR_MTRRCAP         = 0xfe,
	GMSR_MCG_CAP         = 0x179,
	GMSR_MCG_STATUS      = 0x17a,
	GMSR_MTRR_VAR_FIRST  = 0x200,
	GMSR_MTRR_VAR_LAST   = 0x20f,
	GMSR_MTRR_FIX64K     = 0x250,
	GMSR_MTRR_FIX16K_80  = 0x258,
	GMSR_MTRR_FIX16K_A0  = 0x259,
	GMSR_MTRR_FIX4K_FIRST = 0x268,
	GMSR_MTRR_FIX4K_LAST = 0x26f,
	GMSR_MTRR_DEF_TYPE   = 0x2ff,
	GMSR_TSC_DEADLINE    = 0x6e0,
	GMSR_X2APIC_FIRST    = 0x800,
	GMSR_X2APIC_LAST     = 0x8ff,
};

/* MTRRcap: 8 variable ranges, fixed ranges, write-combining. */
#define MTRRCAP_VALUE        (8ull | BIT64(8) | BIT64(10))
#define MTRR_DEF_TYPE_VALID  (0xffull | BIT64(10) | BIT64(11))
#define MTRR_DEF_TYPE_DEFAULT (6ull | BIT64(10) | BIT64(11))   /* enabled, fixed on, WB */
#define MTRR_FIXED_ALL_WB    0x0606060606060606ull
#define MTRR_VAR_BASE_RSVD   (0xf00ull)
#define MTRR_VAR_MASK_RSVD   (0x7ffull)
#define MTRR_TYPE_MASK       0xffull
#define FEATURE_CONTROL_GUEST FEATURE_CONTROL_LOCKED   /* locked, VMX off */
/* MISC_ENABLE: fast strings on, BTS and PEBS unavailable (bits 11, 12). */
#define MISC_ENABLE_FIXED    (BIT64(11) | BIT64(12))
#define MISC_ENABLE_DEFAULT  (BIT64(0) | MISC_ENABLE_FIXED)
#define EFER_GUEST_WRITABLE  (EFER_SCE | EFER_LME | EFER_NXE)

static bool is_lapic_msr(u32 msr)
{
	return msr == MSR_IA32_APIC_BASE || msr == GMSR_TSC_DEADLINE ||
	       (msr >= GMSR_X2APIC_FIRST && msr <= GMSR_X2APIC_LAST);
}

/* Memory types a PAT entry or MTRR may hold: UC, WC, WT, WP, WB (and UC- for PAT). */
static bool valid_memtype(u64 t, bool pat)
{
	return t == 0 || t == 1 || t == 4 || t == 5 || t == 6 || (pat && t == 7);
}

static bool valid_bytes(u64 val, bool pat)
{
	for (unsigned i = 0; i < 8; i++)
		if (!valid_memtype((val >> (8 * i)) & MTRR_TYPE_MASK, pat))
			return false;
	return true;
}

static u64 *mtrr_fixed(struct vcpu *v, u32 msr)
{
	if (msr == GMSR_MTRR_FIX64K)
		return &v->mtrr.fixed[0];
	if (msr == GMSR_MTRR_FIX16K_80 || msr == GMSR_MTRR_FIX16K_A0)
		return &v->mtrr.fixed[1 + msr - GMSR_MTRR_FIX16K_80];
	if (msr >= GMSR_MTRR_FIX4K_FIRST && msr <= GMSR_MTRR_FIX4K_LAST)
		return &v->mtrr.fixed[3 + msr - GMSR_MTRR_FIX4K_FIRST];
	return NULL;
}

static int mtrr_write(struct vcpu *v, u32 msr, u64 val)
{
	u64 *fixed = mtrr_fixed(v, msr);

	if (fixed) {
		if (!valid_bytes(val, false))
			return -TERN_EINVAL;
		*fixed = val;
		return 0;
	}
	if (msr == GMSR_MTRR_DEF_TYPE) {
		if ((val & ~MTRR_DEF_TYPE_VALID) || !valid_memtype(val & MTRR_TYPE_MASK, false))
			return -TERN_EINVAL;
		v->mtrr.def_type = val;
		return 0;
	}
	if ((msr - GMSR_MTRR_VAR_FIRST) % 2 == 0 &&
	    ((val & MTRR_VAR_BASE_RSVD) || !valid_memtype(val & MTRR_TYPE_MASK, false)))
		return -TERN_EINVAL;
	if ((msr - GMSR_MTRR_VAR_FIRST) % 2 == 1 && (val & MTRR_VAR_MASK_RSVD))
		return -TERN_EINVAL;
	v->mtrr.var[msr - GMSR_MTRR_VAR_FIRST] = val;
	return 0;
}

static bool is_mtrr(u32 msr)
{
	return msr == GMSR_MTRR_DEF_TYPE || (msr >= GMSR_MTRR_VAR_FIRST && msr <= GMSR_MTRR_VAR_LAST) ||
	       msr == GMSR_MTRR_FIX64K || msr == GMSR_MTRR_FIX16K_80 || msr == GMSR_MTRR_FIX16K_A0 ||
	       (msr >= GMSR_MTRR_FIX4K_FIRST && msr <= GMSR_MTRR_FIX4K_LAST);
}

static u64 mtrr_read(struct vcpu *v, u32 msr)
{
	u64 *fixed = mtrr_fixed(v, msr);

	if (fixed)
		return *fixed;
	if (msr == GMSR_MTRR_DEF_TYPE)
		return v->mtrr.def_type;
	return v->mtrr.var[msr - GMSR_MTRR_VAR_FIRST];
}

static int msr_read(struct vcpu *v, u32 msr, u64 *val)
{
	if (is_lapic_msr(msr))
		return vlapic_rdmsr(v->vm, v->id, msr, val);
	if (is_mtrr(msr)) {
		*val = mtrr_read(v, msr);
		return 0;
	}
	switch (msr) {
	case MSR_IA32_EFER:          *val = vmcs_read(VMCS_GUEST_EFER); return 0;
	case MSR_IA32_PAT:           *val = vmcs_read(VMCS_GUEST_PAT); return 0;
	case MSR_IA32_DEBUGCTL:      *val = vmcs_read(VMCS_GUEST_DEBUGCTL); return 0;
	case MSR_IA32_TSC:           *val = rdtsc() + vmcs_read(VMCS_TSC_OFFSET); return 0;
	case MSR_IA32_MISC_ENABLE:   *val = v->misc_enable; return 0;
	case GMSR_MTRRCAP:            *val = MTRRCAP_VALUE; return 0;
	case MSR_IA32_FEATURE_CONTROL: *val = FEATURE_CONTROL_GUEST; return 0;
	case GMSR_PLATFORM_ID:
	case GMSR_BIOS_SIGN_ID:
	case GMSR_MCG_CAP:
	case GMSR_MCG_STATUS:         *val = 0; return 0;
	case MSR_IA32_TSC_AUX:
		if (!(vmx_caps.proc2 & PROC2_RDTSCP))
			return -TERN_EINVAL;   /* no RDTSCP for guests: the MSR may not exist */
		*val = rdmsr(MSR_IA32_TSC_AUX);
		return 0;
	default:                     return kvm_pv_rdmsr(v, msr, val);
	}
}

static int efer_write(u64 val)
{
	u64 old = vmcs_read(VMCS_GUEST_EFER);
	bool paging = vmcs_read(VMCS_GUEST_CR0) & CR0_PG;

	if (val & ~(EFER_GUEST_WRITABLE | EFER_LMA))
		return -TERN_EINVAL;
	if ((val & EFER_NXE) && !(cpuid(CPUID_LEAF_EXT_FEATURES, 0).edx & CPUID_EXT_EDX_NX))
		return -TERN_EINVAL;
	if (paging && ((val ^ old) & EFER_LME))
		return -TERN_EINVAL;
	/* LMA belongs to the CPU: a write keeps it */
	vmcs_write(VMCS_GUEST_EFER, (val & EFER_GUEST_WRITABLE) | (old & EFER_LMA));
	return 0;
}

/*
 * vLAPIC MSRs. Timer registers move the deadline (an interrupt the write
 * fires kicks by itself); the rest (TPR, ICR, SVR, LVTs, APIC base) may
 * change what is injected next. The EOI has its own path (exit_wrmsr).
 */
static int lapic_msr_write(struct vcpu *v, u32 msr, u64 val)
{
	int rc = vlapic_wrmsr(v->vm, v->id, msr, val);

	if (vlapic_timer_msr(msr))
		inject_lapic_timer_set(v, vlapic_timer_deadline(v->vm, v->id));
	else
		WRITE_ONCE(v->kicked, true);
	return rc;
}

static int msr_write(struct vcpu *v, u32 msr, u64 val)
{
	if (is_lapic_msr(msr))
		return lapic_msr_write(v, msr, val);
	if (is_mtrr(msr))
		return mtrr_write(v, msr, val);
	switch (msr) {
	case MSR_IA32_EFER:
		return efer_write(val);
	case MSR_IA32_PAT:
		if (!valid_bytes(val, true))
			return -TERN_EINVAL;
		vmcs_write(VMCS_GUEST_PAT, val);
		return 0;
	case MSR_IA32_TSC:
		vmcs_write(VMCS_TSC_OFFSET, val - rdtsc());
		kvm_pv_tsc_changed(v);
		return 0;
	case MSR_IA32_TSC_AUX:   /* the CPU's, swapped between vCPUs (vmx_run.c) */
		if ((val >> 32) || !(vmx_caps.proc2 & PROC2_RDTSCP))
			return -TERN_EINVAL;
		wrmsr(MSR_IA32_TSC_AUX, val);
		return 0;
	case MSR_IA32_MISC_ENABLE:
		v->misc_enable = val | MISC_ENABLE_FIXED;
		return 0;
	case MSR_IA32_DEBUGCTL:
		return val ? -TERN_EINVAL : 0;
	case GMSR_BIOS_SIGN_ID:
	case GMSR_MCG_STATUS:
		return 0;   /* harmless writes (microcode revision probe, MCE status clear) */
	default:
		return kvm_pv_wrmsr(v, msr, val);
	}
}

void guest_msr_reset(struct vcpu *v)
{
	v->misc_enable = MISC_ENABLE_DEFAULT;
	v->mtrr = (struct vcpu_mtrr){ .def_type = MTRR_DEF_TYPE_DEFAULT };
	for (unsigned i = 0; i < VCPU_MTRR_FIXED_COUNT; i++)
		v->mtrr.fixed[i] = MTRR_FIXED_ALL_WB;
}

int exit_rdmsr(struct vcpu *v)
{
	u32 msr = (u32)v->gpr[GPR_RCX];
	u64 val = 0;

	if (msr_read(v, msr, &val)) {
		pr_debug("vm%u: vCPU %u: RDMSR 0x%x -> #GP", v->vm->id, v->id, msr);
		inject_gp(v);
		return 0;
	}
	v->gpr[GPR_RAX] = (u32)val;
	v->gpr[GPR_RDX] = val >> 32;
	exit_skip_insn(v);
	return 0;
}

EXIT_HOT int exit_wrmsr(struct vcpu *v)
{
	u32 msr = (u32)v->gpr[GPR_RCX];
	u64 val = ((v->gpr[GPR_RDX] & 0xffffffffull) << 32) | (u32)v->gpr[GPR_RAX];
	/* the x2APIC EOI, every interrupt's last exit without APICv: straight to the vLAPIC */
	int rc = likely(msr == APIC_MSR(APIC_REG_EOI)) ? vlapic_x2apic_eoi(v->vm, v->id, val) :
						       msr_write(v, msr, val);

	if (rc) {
		pr_debug("vm%u: vCPU %u: WRMSR 0x%x <- 0x%llx -> #GP", v->vm->id, v->id, msr,
			 (unsigned long long)val);
		inject_gp(v);
		return 0;
	}
	exit_skip_insn(v);
	return 0;
}
