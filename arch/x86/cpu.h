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

/* The calling CPU's initial APIC id (CPUID.1:EBX[31:24]). */
u32 cpu_apic_id(void);

#endif
