/* SPDX-License-Identifier: MIT */
/*
 * The AP start-up trampoline (arch/x86/trampoline.S): a real-mode blob
 * copied to TRAMPOLINE_PHYS, which takes an AP to 32-bit protected mode
 * and jumps into tern's .text, where it enables long mode on tern's page
 * tables and calls ap_main(). The BSP fills the parameter block before
 * each start-up; the offsets are shared with the assembly.
 */
#ifndef TERN_ARCH_TRAMPOLINE_H
#define TERN_ARCH_TRAMPOLINE_H

/*
 * One page below 1 MiB that the page allocator never hands out (it
 * excludes all of low memory) and firmware leaves free: conventional
 * memory, above the BIOS data area, below any EBDA.
 */
#define TRAMPOLINE_PHYS     0x8000
#define TRAMPOLINE_SIPI_PAGE (TRAMPOLINE_PHYS >> 12)   /* the SIPI vector */
#define TRAMPOLINE_MAX      4096

/* Selectors of the trampoline's own GDT (64-bit code and data as in gdt.h). */
#define TRAMP_SEL_CODE64    0x08
#define TRAMP_SEL_DATA      0x10
#define TRAMP_SEL_CODE32    0x18

/* Parameter block (struct ap_boot_params), offsets from its start. */
#define TRAMP_P_CR3         0    /* u32: tern's page-table root, below 4 GiB */
#define TRAMP_P_CR4         4    /* u32: CR4 for enabling paging (PAE) */
#define TRAMP_P_EFER        8    /* u32: EFER bits to set (LME, NXE) */
#define TRAMP_P_CR0         12   /* u32: CR0 with PG */
#define TRAMP_P_STACK       16   /* u64: top of the AP's stack */
#define TRAMP_P_PCPU        24   /* u64: GS base (&pcpus[cpu]) */
#define TRAMP_P_CPU         32   /* u32: the cpu id passed to ap_main */
#define TRAMP_P_SIZE        40

#ifndef __ASSEMBLY__

#include "kernel/lib/types.h"

struct ap_boot_params {
	u32 cr3;
	u32 cr4;
	u32 efer;
	u32 cr0;
	u64 stack_top;
	u64 pcpu;
	u32 cpu;
	u32 reserved;
};

/* The blob [ap_tramp_start, ap_tramp_end) and its parameter block inside it. */
extern const char ap_tramp_start[], ap_tramp_params[], ap_tramp_end[];

/* Where the trampoline lands in C, on the AP's own stack, GS base set. */
__noreturn void ap_main(unsigned cpu);

#endif /* !__ASSEMBLY__ */
#endif
