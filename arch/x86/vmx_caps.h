/* SPDX-License-Identifier: MIT */
/*
 * VMX capabilities: the capability MSRs, and the control words and
 * optional features tern settled on (read once, at the first vmx_cpu_init;
 * every CPU of a machine reports the same).
 */
#ifndef TERN_ARCH_X86_VMX_CAPS_H
#define TERN_ARCH_X86_VMX_CAPS_H

#include "kernel/lib/types.h"

enum vmx_msr {
	MSR_VMX_BASIC             = 0x480,
	MSR_VMX_PINBASED_CTLS     = 0x481,
	MSR_VMX_PROCBASED_CTLS    = 0x482,
	MSR_VMX_EXIT_CTLS         = 0x483,
	MSR_VMX_ENTRY_CTLS        = 0x484,
	MSR_VMX_MISC              = 0x485,
	MSR_VMX_CR0_FIXED0        = 0x486,
	MSR_VMX_CR0_FIXED1        = 0x487,
	MSR_VMX_CR4_FIXED0        = 0x488,
	MSR_VMX_CR4_FIXED1        = 0x489,
	MSR_VMX_PROCBASED_CTLS2   = 0x48b,
	MSR_VMX_EPT_VPID_CAP      = 0x48c,
	MSR_VMX_TRUE_PINBASED     = 0x48d,
	MSR_VMX_TRUE_PROCBASED    = 0x48e,
	MSR_VMX_TRUE_EXIT         = 0x48f,
	MSR_VMX_TRUE_ENTRY        = 0x490,
};

/* IA32_FEATURE_CONTROL */
#define FEATURE_CONTROL_LOCKED        BIT64(0)
#define FEATURE_CONTROL_VMX_OUTSIDE_SMX BIT64(2)

/* IA32_VMX_BASIC */
#define VMX_BASIC_REVISION_MASK       0x7fffffffull
#define VMX_BASIC_MEMTYPE_SHIFT       50
#define VMX_BASIC_MEMTYPE_MASK        0xfull
#define VMX_BASIC_INS_OUTS_INFO       BIT64(54)
#define VMX_BASIC_TRUE_CTLS           BIT64(55)
#define VMX_MEMTYPE_WB                6

/* IA32_VMX_MISC */
#define VMX_MISC_PREEMPT_RATE_MASK    0x1full
#define VMX_MISC_ACTIVITY_HLT         BIT64(6)

/* IA32_VMX_EPT_VPID_CAP */
#define EPT_CAP_WALK_4                BIT64(6)
#define EPT_CAP_WB                    BIT64(14)
#define EPT_CAP_2M                    BIT64(16)
#define EPT_CAP_1G                    BIT64(17)
#define EPT_CAP_INVEPT                BIT64(20)
#define EPT_CAP_INVEPT_SINGLE         BIT64(25)
#define EPT_CAP_INVEPT_ALL            BIT64(26)
#define VPID_CAP_INVVPID              BIT64(32)
#define VPID_CAP_INVVPID_SINGLE       BIT64(41)
#define VPID_CAP_INVVPID_ALL          BIT64(42)

/* CPUID bits the VMX code needs beyond arch/x86/x86.h. */
#define CPUID_1_ECX_XSAVE             BIT(26)
#define CPUID_1_ECX_OSXSAVE           BIT(27)
#define CPUID_LEAF_XSAVE              0xd

/* XCR0 (XFEATURE_ENABLED_MASK) */
#define XCR0_X87                      BIT64(0)
#define XCR0_SSE                      BIT64(1)
#define XCR0_AVX                      BIT64(2)
#define XCR0_BNDREGS                  BIT64(3)
#define XCR0_BNDCSR                   BIT64(4)
#define XCR0_OPMASK                   BIT64(5)
#define XCR0_ZMM_HI256                BIT64(6)
#define XCR0_HI16_ZMM                 BIT64(7)
#define XCR0_AVX512                   (XCR0_OPMASK | XCR0_ZMM_HI256 | XCR0_HI16_ZMM)

struct vmx_caps {
	u32 revision;
	u32 pin, proc, proc2, exit, entry;  /* the control words every VMCS starts with */
	u64 cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
	u64 ept_vpid;
	u32 pin_allowed1, proc2_allowed1, exit_allowed1;  /* for controls switched later */
	unsigned preempt_rate;          /* timer ticks = TSC >> preempt_rate */
	bool ins_outs_info;             /* exit instruction info valid for INS/OUTS */
	bool vpid, ept_2m, ept_1g, invept_single;
	bool apic_reg_virt, virt_intr_delivery, virt_x2apic, tpr_shadow;
	bool preemption_timer, save_preemption_timer;
	bool xsave;                     /* host has XSAVE (CR4.OSXSAVE set by tern) */
	u32 xsave_size;                 /* bytes of a full XSAVE area */
	u64 xcr0_supported;             /* XCR0 bits the host supports (CPUID 0xd.0 EDX:EAX) */
};

/* The settled capabilities; valid after the first vmx_cpu_init() succeeded. */
extern struct vmx_caps vmx_caps;

/*
 * Read the capability MSRs into vmx_caps and settle the control words.
 * -TERN_EOPNOTSUPP (with the missing feature logged) when VMX lacks
 * something tern requires.
 */
int vmx_caps_init(void);

/* Per-CPU VMX state (this_cpu()->vmx). */
struct vmx_pcpu {
	void *vmxon_region;
	struct vcpu *loaded;        /* the vCPU whose VMCS is current here */
	struct vcpu *fpu_owner;     /* the vCPU whose FPU/XCR0/swapped MSRs the CPU holds */
};

#endif
