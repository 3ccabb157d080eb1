/* SPDX-License-Identifier: MIT */
/* Per-CPU architectural setup (GDT, TSS, IDT, control registers) and CPU features. */
#ifndef TERN_ARCH_CPU_H
#define TERN_ARCH_CPU_H

#include "kernel/lib/types.h"

/*
 * Set up the bootstrap processor: its GDT and TSS (with IST stacks for
 * #DF, NMI and #MC), the shared IDT, CR0.NE, and its struct pcpu (id 0).
 * The first thing kernel_main() does; prints nothing.
 */
void cpu_init_bsp(void);

/* CPU features tern relies on (read once by cpu_init_bsp()). */
bool cpu_has_nx(void);
bool cpu_has_1g_pages(void);

bool cpu_has_smep(void);
bool cpu_has_smap(void);

/*
 * Turn on CR4.SMEP and CR4.SMAP on the calling CPU when the CPU has them
 * (cpu_init_bsp() does the BSP; each AP calls it in its set-up).
 */
void cpu_harden_this_cpu(void);

/*
 * One line computed from the live state of every online CPU:
 * "tern: hardening: W^X yes, NX yes, SMEP yes, SMAP yes, stack guards yes"
 * (W^X: no leaf of tern's page tables writable and executable, .text RX,
 * .rodata R, data RW+NX; NX: EFER.NXE; SMEP/SMAP: CR4 on every online
 * CPU; stack guards: the page below every CPU's stack unmapped). Returns
 * true when all hold.
 */
bool cpu_hardening_report(void);

/* The unmapped guard page below cpu's stack (0: no such CPU online). */
u64 cpu_stack_guard(unsigned cpu);

/* The CPU whose stack guard page holds addr, or -1 (names the page in exception dumps). */
int cpu_guard_owner(u64 addr);

/* selftest=guard: read the BSP's stack guard page; the #PF dump must name it. */
__noreturn void cpu_selftest_guard(void);

/* The calling CPU's initial APIC id (CPUID.1:EBX[31:24]). */
u32 cpu_apic_id(void);

#endif
