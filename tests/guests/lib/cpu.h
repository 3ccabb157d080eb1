/* SPDX-License-Identifier: MIT */
/* CPU instructions for test guests: CPUID, RDTSC, MSRs (with #GP recovery). */
#ifndef GUEST_CPU_H
#define GUEST_CPU_H

#include "kernel/lib/types.h"

struct cpuid_regs {
	u32 eax, ebx, ecx, edx;
};

#define CPUID_1_ECX_VMX          BIT(5)
#define CPUID_1_ECX_HYPERVISOR   BIT(31)
#define CPUID_HV_BASE            0x40000000u
#define CPUID_HV_TSC_FREQ        0x40000010u   /* EAX: TSC kHz */

#define MSR_IA32_TSC             0x10
#define MSR_IA32_FEATURE_CONTROL 0x3a
#define MSR_IA32_SYSENTER_CS     0x174
#define MSR_IA32_SYSENTER_ESP    0x175
#define MSR_IA32_SYSENTER_EIP    0x176
#define MSR_IA32_MISC_ENABLE     0x1a0
#define MSR_IA32_PAT             0x277
#define MSR_EFER                 0xc0000080u

#define FEATURE_CONTROL_LOCKED       BIT(0)
#define FEATURE_CONTROL_VMX_IN_SMX   BIT(1)
#define FEATURE_CONTROL_VMX_OUTSIDE  BIT(2)

static inline struct cpuid_regs cpuid_count(u32 leaf, u32 subleaf)
{
	struct cpuid_regs r;

	__asm__ __volatile__("cpuid"
			     : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
			     : "a"(leaf), "c"(subleaf));
	return r;
}

static inline struct cpuid_regs cpuid(u32 leaf)
{
	return cpuid_count(leaf, 0);
}

static inline u64 rdtsc(void)
{
	u32 lo, hi;

	__asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
	return ((u64)hi << 32) | lo;
}

static inline u64 rdmsr(u32 msr)
{
	u32 lo, hi;

	__asm__ __volatile__("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((u64)hi << 32) | lo;
}

static inline void wrmsr(u32 msr, u64 v)
{
	__asm__ __volatile__("wrmsr" :: "c"(msr), "a"((u32)v), "d"((u32)(v >> 32)) : "memory");
}

/*
 * RDMSR/WRMSR that survive a fault: return -1 on success (*val set for a
 * read), else the exception vector (VEC_GP for a refused MSR).
 */
int rdmsr_safe(u32 msr, u64 *val);
int wrmsr_safe(u32 msr, u64 val);

/* The 12-byte CPUID 0x40000000 signature into sig[13]; true when it is tern's. */
bool tern_detect(char sig[13]);

#endif
