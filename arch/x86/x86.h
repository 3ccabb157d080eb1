/* SPDX-License-Identifier: MIT */
/*
 * x86-64 architectural constants (control registers, EFER, RFLAGS, MSR
 * numbers, CPUID bits) and thin inline wrappers around the instructions
 * tern needs. The constants are usable from assembly (__ASSEMBLY__).
 */
#ifndef TERN_ARCH_X86_H
#define TERN_ARCH_X86_H

#ifdef __ASSEMBLY__
#define X86_BIT(n) (1 << (n))
#else
#define X86_BIT(n) (1ull << (n))
#endif

/* CR0 */
#define CR0_PE  X86_BIT(0)   /* protected mode */
#define CR0_MP  X86_BIT(1)
#define CR0_EM  X86_BIT(2)
#define CR0_TS  X86_BIT(3)
#define CR0_ET  X86_BIT(4)
#define CR0_NE  X86_BIT(5)   /* native x87 error reporting (VMX requires it) */
#define CR0_WP  X86_BIT(16)  /* ring 0 honours read-only pages */
#define CR0_AM  X86_BIT(18)
#define CR0_NW  X86_BIT(29)
#define CR0_CD  X86_BIT(30)
#define CR0_PG  X86_BIT(31)

/* CR4 */
#define CR4_VME        X86_BIT(0)
#define CR4_PVI        X86_BIT(1)
#define CR4_TSD        X86_BIT(2)
#define CR4_DE         X86_BIT(3)
#define CR4_PSE        X86_BIT(4)
#define CR4_PAE        X86_BIT(5)
#define CR4_MCE        X86_BIT(6)
#define CR4_PGE        X86_BIT(7)
#define CR4_PCE        X86_BIT(8)
#define CR4_OSFXSR     X86_BIT(9)
#define CR4_OSXMMEXCPT X86_BIT(10)
#define CR4_UMIP       X86_BIT(11)
#define CR4_LA57       X86_BIT(12)
#define CR4_VMXE       X86_BIT(13)
#define CR4_SMXE       X86_BIT(14)
#define CR4_FSGSBASE   X86_BIT(16)
#define CR4_PCIDE      X86_BIT(17)
#define CR4_OSXSAVE    X86_BIT(18)
#define CR4_SMEP       X86_BIT(20)
#define CR4_SMAP       X86_BIT(21)
#define CR4_PKE        X86_BIT(22)

/* IA32_EFER */
#define EFER_SCE X86_BIT(0)
#define EFER_LME X86_BIT(8)
#define EFER_LMA X86_BIT(10)
#define EFER_NXE X86_BIT(11)

/* RFLAGS */
#define RFLAGS_CF       X86_BIT(0)
#define RFLAGS_FIXED    X86_BIT(1)   /* always reads as 1 */
#define RFLAGS_PF       X86_BIT(2)
#define RFLAGS_AF       X86_BIT(4)
#define RFLAGS_ZF       X86_BIT(6)
#define RFLAGS_SF       X86_BIT(7)
#define RFLAGS_TF       X86_BIT(8)
#define RFLAGS_IF       X86_BIT(9)
#define RFLAGS_DF       X86_BIT(10)
#define RFLAGS_OF       X86_BIT(11)
#define RFLAGS_IOPL_MASK (X86_BIT(12) | X86_BIT(13))
#define RFLAGS_NT       X86_BIT(14)
#define RFLAGS_RF       X86_BIT(16)
#define RFLAGS_VM       X86_BIT(17)
#define RFLAGS_AC       X86_BIT(18)
#define RFLAGS_VIF      X86_BIT(19)
#define RFLAGS_VIP      X86_BIT(20)
#define RFLAGS_ID       X86_BIT(21)

/* MSRs tern itself uses (VMX capability MSRs live with the VMX code). */
#define MSR_IA32_TSC              0x00000010
#define MSR_IA32_APIC_BASE        0x0000001b
#define MSR_IA32_FEATURE_CONTROL  0x0000003a
#define MSR_IA32_SYSENTER_CS      0x00000174
#define MSR_IA32_SYSENTER_ESP     0x00000175
#define MSR_IA32_SYSENTER_EIP     0x00000176
#define MSR_IA32_MISC_ENABLE      0x000001a0
#define MSR_IA32_DEBUGCTL         0x000001d9
#define MSR_IA32_PAT              0x00000277
#define MSR_IA32_EFER             0xc0000080
#define MSR_IA32_STAR             0xc0000081
#define MSR_IA32_LSTAR            0xc0000082
#define MSR_IA32_CSTAR            0xc0000083
#define MSR_IA32_FMASK            0xc0000084
#define MSR_IA32_FS_BASE          0xc0000100
#define MSR_IA32_GS_BASE          0xc0000101
#define MSR_IA32_KERNEL_GS_BASE   0xc0000102
#define MSR_IA32_TSC_AUX          0xc0000103

/* CPUID leaves and the feature bits tern checks. */
#define CPUID_LEAF_FEATURES        0x00000001
#define CPUID_LEAF_TSC_FREQ        0x00000016  /* base frequency in MHz (EAX) */
#define CPUID_LEAF_EXT_MAX         0x80000000
#define CPUID_LEAF_EXT_FEATURES    0x80000001
#define CPUID_1_ECX_VMX            X86_BIT(5)
#define CPUID_1_ECX_X2APIC         X86_BIT(21)
#define CPUID_1_ECX_TSC_DEADLINE   X86_BIT(24)
#define CPUID_1_ECX_HYPERVISOR     X86_BIT(31)
#define CPUID_1_EDX_TSC            X86_BIT(4)
#define CPUID_1_EDX_MSR            X86_BIT(5)
#define CPUID_1_EDX_PAE            X86_BIT(6)
#define CPUID_1_EDX_APIC           X86_BIT(9)
#define CPUID_1_EBX_APIC_ID_SHIFT  24          /* initial APIC id in EBX[31:24] */
#define CPUID_EXT_EDX_NX           X86_BIT(20)
#define CPUID_EXT_EDX_PDPE1GB      X86_BIT(26)
#define CPUID_EXT_EDX_LM           X86_BIT(29)

/* Page-table entry bits (4-level paging). */
#define PTE_P    X86_BIT(0)
#define PTE_RW   X86_BIT(1)
#define PTE_US   X86_BIT(2)
#define PTE_PWT  X86_BIT(3)
#define PTE_PCD  X86_BIT(4)
#define PTE_A    X86_BIT(5)
#define PTE_D    X86_BIT(6)
#define PTE_PS   X86_BIT(7)   /* 2 MiB / 1 GiB leaf in a PD / PDPT entry */
#define PTE_G    X86_BIT(8)
#define PTE_NX   X86_BIT(63)

/* The multiboot2 boot-loader handshake value in EAX. */
#define MULTIBOOT2_BOOTLOADER_MAGIC 0x36d76289

#ifndef __ASSEMBLY__

#include "kernel/lib/types.h"

struct cpuid_regs {
	u32 eax, ebx, ecx, edx;
};

static inline struct cpuid_regs cpuid(u32 leaf, u32 subleaf)
{
	struct cpuid_regs r;

	__asm__ __volatile__("cpuid"
			     : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
			     : "a"(leaf), "c"(subleaf));
	return r;
}

static inline u64 rdmsr(u32 msr)
{
	u32 lo, hi;

	__asm__ __volatile__("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((u64)hi << 32) | lo;
}

static inline void wrmsr(u32 msr, u64 val)
{
	__asm__ __volatile__("wrmsr" : : "c"(msr), "a"((u32)val), "d"((u32)(val >> 32))
			     : "memory");
}

static inline u8 inb(u16 port)
{
	u8 v;

	__asm__ __volatile__("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline u16 inw(u16 port)
{
	u16 v;

	__asm__ __volatile__("inw %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline u32 inl(u16 port)
{
	u32 v;

	__asm__ __volatile__("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void outb(u16 port, u8 v)
{
	__asm__ __volatile__("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outw(u16 port, u16 v)
{
	__asm__ __volatile__("outw %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outl(u16 port, u32 v)
{
	__asm__ __volatile__("outl %0, %1" : : "a"(v), "Nd"(port));
}

#define X86_DEFINE_CR(n)                                                       \
	static inline u64 read_cr##n(void)                                     \
	{                                                                      \
		u64 v;                                                         \
		__asm__ __volatile__("mov %%cr" #n ", %0" : "=r"(v));          \
		return v;                                                      \
	}                                                                      \
	static inline void write_cr##n(u64 v)                                  \
	{                                                                      \
		__asm__ __volatile__("mov %0, %%cr" #n : : "r"(v) : "memory"); \
	}
X86_DEFINE_CR(0)
X86_DEFINE_CR(2)
X86_DEFINE_CR(3)
X86_DEFINE_CR(4)
#undef X86_DEFINE_CR

static inline u64 read_rflags(void)
{
	u64 v;

	__asm__ __volatile__("pushfq; popq %0" : "=r"(v));
	return v;
}

static inline u64 rdtsc(void)
{
	u32 lo, hi;

	__asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
	return ((u64)hi << 32) | lo;
}

static inline void cli(void)
{
	__asm__ __volatile__("cli" : : : "memory");
}

static inline void sti(void)
{
	__asm__ __volatile__("sti" : : : "memory");
}

static inline void hlt(void)
{
	__asm__ __volatile__("hlt" : : : "memory");
}

static inline void invlpg(const void *va)
{
	__asm__ __volatile__("invlpg (%0)" : : "r"(va) : "memory");
}

/* Descriptor-table register image for lgdt/lidt/sgdt/sidt. */
struct desc_ptr {
	u16 limit;
	u64 base;
} __packed;

static inline void lgdt(const struct desc_ptr *p)
{
	__asm__ __volatile__("lgdt %0" : : "m"(*p) : "memory");
}

static inline void lidt(const struct desc_ptr *p)
{
	__asm__ __volatile__("lidt %0" : : "m"(*p) : "memory");
}

static inline void sgdt(struct desc_ptr *p)
{
	__asm__ __volatile__("sgdt %0" : "=m"(*p));
}

static inline void sidt(struct desc_ptr *p)
{
	__asm__ __volatile__("sidt %0" : "=m"(*p));
}

static inline void ltr(u16 sel)
{
	__asm__ __volatile__("ltr %0" : : "rm"(sel) : "memory");
}

#define X86_DEFINE_SEG_READ(seg)                                         \
	static inline u16 read_##seg(void)                               \
	{                                                                \
		u16 v;                                                   \
		__asm__ __volatile__("mov %%" #seg ", %0" : "=rm"(v));   \
		return v;                                                \
	}
X86_DEFINE_SEG_READ(cs)
X86_DEFINE_SEG_READ(ds)
X86_DEFINE_SEG_READ(es)
X86_DEFINE_SEG_READ(ss)
X86_DEFINE_SEG_READ(fs)
X86_DEFINE_SEG_READ(gs)
#undef X86_DEFINE_SEG_READ

static inline u16 read_tr(void)
{
	u16 v;

	__asm__ __volatile__("str %0" : "=rm"(v));
	return v;
}

/* Store count 64-bit words of val at dst: page zeroing far cheaper than a byte loop. */
static inline void rep_stosq(void *dst, u64 val, size_t count)
{
	__asm__ __volatile__("rep stosq" : "+D"(dst), "+c"(count) : "a"(val) : "memory");
}

/* Halt this CPU for good: interrupts off, and hlt again if an NMI wakes it. */
static inline __noreturn void cpu_halt_forever(void)
{
	for (;;) {
		cli();
		hlt();
	}
}

#endif /* !__ASSEMBLY__ */
#endif
