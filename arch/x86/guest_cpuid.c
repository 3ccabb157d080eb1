/* SPDX-License-Identifier: MIT */
/*
 * CPUID for guests: the host's leaves with what tern does not virtualize
 * hidden (VMX, MONITOR/MWAIT, performance monitoring, APERF/MPERF and the
 * other power-management MSRs, SGX, PT, MPX, PKU...), the hypervisor bit
 * set, topology fields made per-vCPU, and tern's own leaves at 0x40000000.
 */
#include "arch/x86/cpuid_xsave.h"
#include "arch/x86/exit.h"
#include "arch/x86/kvm_pv.h"
#include "arch/x86/vmcs_fields.h"
#include "arch/x86/vmx_caps.h"
#include "arch/x86/vmx_insn.h"
#include "arch/x86/x86.h"
#include "irq/vlapic.h"
#include "kernel/clock.h"
#include "kernel/vm_impl.h"

enum guest_cpuid_leaf {
	LEAF_CACHE_PARAMS   = 0x4,
	LEAF_MONITOR        = 0x5,
	LEAF_THERMAL_POWER  = 0x6,
	LEAF_EXT_FEATURES   = 0x7,
	LEAF_ARCH_PERFMON   = 0xa,
	LEAF_TOPOLOGY       = 0xb,
	LEAF_RDT_MONITOR    = 0xf,
	LEAF_RDT_ALLOC      = 0x10,
	LEAF_SGX            = 0x12,
	LEAF_PT             = 0x14,
	LEAF_TOPOLOGY_V2    = 0x1f,
	LEAF_HV_BASE        = 0x40000000,
	LEAF_HV_TSC_KHZ     = 0x40000010,
	LEAF_HV_LAST        = 0x400000ff,
	LEAF_EXT_POWER      = 0x80000007,
};

/* Leaf 1 */
#define L1_ECX_HIDDEN  (BIT(2) /* DTES64 */ | BIT(3) /* MONITOR */ | BIT(4) /* DS-CPL */ | \
			BIT(5) /* VMX */ | BIT(6) /* SMX */ | BIT(7) /* EST */ | BIT(8) /* TM2 */ | \
			BIT(11) /* SDBG */ | BIT(14) /* xTPR */ | BIT(15) /* PDCM */ | \
			CPUID_1_ECX_OSXSAVE)
#define L1_EDX_HIDDEN  (BIT(7) /* MCE */ | BIT(14) /* MCA */ | BIT(21) /* DS */ | \
			BIT(22) /* ACPI thermal */ | BIT(29) /* TM */ | BIT(31) /* PBE */)
#define L1_EDX_HTT     BIT(28)
#define L1_EBX_ID_MASK 0xffff0000u
#define L1_EBX_COUNT_SHIFT 16
/* Leaf 4: EAX[31:26] = cores per package - 1 */
#define L4_EAX_CORES_SHIFT 26
#define L4_EAX_CORES_MASK  (0x3fu << 26)
/* Leaf 6: only "APIC timer always running" stays */
#define L6_EAX_ARAT    BIT(2)
/* Leaf 7.0 */
#define L7_EBX_HIDDEN  (BIT(1) /* TSC_ADJUST */ | BIT(2) /* SGX */ | BIT(12) /* PQM */ | \
			BIT(14) /* MPX */ | BIT(15) /* PQE */ | BIT(25) /* PT */)
#define L7_EBX_INVPCID BIT(10)
#define L7_ECX_HIDDEN  (BIT(3) /* PKU */ | BIT(4) /* OSPKE */ | BIT(5) /* WAITPKG */ | \
			BIT(16) /* LA57 */ | BIT(30) /* SGX_LC */)
#define L7_EDX_HIDDEN  (BIT(15) /* hybrid */ | BIT(26) /* IBRS */ | BIT(27) /* STIBP */ | \
			BIT(28) /* L1D_FLUSH */ | BIT(29) /* ARCH_CAPABILITIES */ | \
			BIT(31) /* SSBD */)
/* Leaf 0xd.1: XSAVES needs a VMX control tern does not set; XSAVEC (compacted
 * format) corrupts memory under Bochs 2.7 (Linux processes segfault: docs/linux.md) */
#define LD1_EAX_XSAVES BIT(3)
#define LD1_EAX_XSAVEC BIT(1)
/* Leaf 0x80000001 */
#define LE1_EDX_RDTSCP BIT(27)
/* Leaf 0x80000007: only the invariant TSC stays */
#define LE7_EDX_INVARIANT_TSC BIT(8)

#define HV_SIGNATURE_EBX 0x6e726574u   /* "tern" */
#define HV_SIGNATURE_ECX 0x4e524554u   /* "TERN" */
#define HV_SIGNATURE_EDX 0x6e726574u   /* "tern" */

static void leaf1(struct vcpu *v, struct cpuid_regs *r)
{
	unsigned n = v->vm->nr_vcpus;

	r->ecx = (r->ecx & ~L1_ECX_HIDDEN) | CPUID_1_ECX_HYPERVISOR;
	if (vmcs_read(VMCS_GUEST_CR4) & CR4_OSXSAVE)
		r->ecx |= CPUID_1_ECX_OSXSAVE;
	if (!vmx_caps.xsave)
		r->ecx &= ~CPUID_1_ECX_XSAVE;
	r->edx &= ~(L1_EDX_HIDDEN | L1_EDX_HTT | CPUID_1_EDX_APIC);
	if (vlapic_hw_enabled(v->vm, v->id))
		r->edx |= CPUID_1_EDX_APIC;
	r->ecx |= CPUID_1_ECX_X2APIC | CPUID_1_ECX_TSC_DEADLINE;
	if (n > 1)
		r->edx |= L1_EDX_HTT;
	r->ebx = (r->ebx & ~L1_EBX_ID_MASK) | (v->id << CPUID_1_EBX_APIC_ID_SHIFT) |
		 ((n & 0xff) << L1_EBX_COUNT_SHIFT);
}

static void leaf7(u32 sub, struct cpuid_regs *r)
{
	if (sub != 0)
		return;
	r->ebx &= ~L7_EBX_HIDDEN;
	if (!(vmx_caps.proc2 & PROC2_INVPCID))
		r->ebx &= ~L7_EBX_INVPCID;
	r->ecx &= ~L7_ECX_HIDDEN;
	r->edx &= ~L7_EDX_HIDDEN;
}

static void hypervisor_leaf(u32 leaf, struct cpuid_regs *r)
{
	*r = (struct cpuid_regs){ 0 };
	if (leaf == LEAF_HV_BASE)
		*r = (struct cpuid_regs){ LEAF_HV_TSC_KHZ, HV_SIGNATURE_EBX, HV_SIGNATURE_ECX,
					  HV_SIGNATURE_EDX };
	else if (leaf == LEAF_HV_TSC_KHZ)
		r->eax = (u32)clock_tsc_khz();
}

static void filter(struct vcpu *v, u32 leaf, u32 sub, struct cpuid_regs *r)
{
	switch (leaf) {
	case CPUID_LEAF_FEATURES:
		leaf1(v, r);
		break;
	case LEAF_CACHE_PARAMS:
		r->eax = (r->eax & ~L4_EAX_CORES_MASK) |
			 (((v->vm->nr_vcpus - 1) & 0x3fu) << L4_EAX_CORES_SHIFT);
		break;
	case LEAF_THERMAL_POWER:
		*r = (struct cpuid_regs){ r->eax & L6_EAX_ARAT, 0, 0, 0 };
		break;
	case LEAF_EXT_FEATURES:
		leaf7(sub, r);
		break;
	case LEAF_TOPOLOGY:
	case LEAF_TOPOLOGY_V2:
		r->edx = v->id;
		break;
	case CPUID_LEAF_XSAVE:
		if (!vmx_caps.xsave)
			*r = (struct cpuid_regs){ 0 };
		else if (sub == 1) {
			r->eax &= ~(LD1_EAX_XSAVES | LD1_EAX_XSAVEC);
			r->ebx = cpuid_xsave_compacted_size(v->xcr0);   /* XSS is 0 */
		}
		break;
	case LEAF_MONITOR:
	case LEAF_ARCH_PERFMON:
	case LEAF_RDT_MONITOR:
	case LEAF_RDT_ALLOC:
	case LEAF_SGX:
	case LEAF_PT:
		*r = (struct cpuid_regs){ 0 };
		break;
	case CPUID_LEAF_EXT_FEATURES:
		if (!(vmx_caps.proc2 & PROC2_RDTSCP))
			r->edx &= ~LE1_EDX_RDTSCP;
		break;
	case LEAF_EXT_POWER:
		*r = (struct cpuid_regs){ 0, 0, 0, r->edx & LE7_EDX_INVARIANT_TSC };
		break;
	default:
		break;
	}
}

EXIT_HOT int exit_cpuid(struct vcpu *v)
{
	u32 leaf = (u32)v->gpr[GPR_RAX], sub = (u32)v->gpr[GPR_RCX];
	struct cpuid_regs r;

	/* the KVM leaves sit at 0x40000100: spare the common low leaves the call */
	if (leaf >= LEAF_HV_BASE && kvm_pv_cpuid(leaf, &r)) {
		/* KVM's leaves (arch/x86/kvm_pv.h) */
	} else if (leaf >= LEAF_HV_BASE && leaf <= LEAF_HV_LAST) {
		hypervisor_leaf(leaf, &r);
	} else {
		r = cpuid(leaf, sub);
		filter(v, leaf, sub, &r);
	}
	v->gpr[GPR_RAX] = r.eax;
	v->gpr[GPR_RBX] = r.ebx;
	v->gpr[GPR_RCX] = r.ecx;
	v->gpr[GPR_RDX] = r.edx;
	exit_skip_insn(v);
	return 0;
}
