/* SPDX-License-Identifier: MIT */
/* Constants of the guest SMP library shared by C and assembly (lib/smp.h). */
#ifndef GUEST_SMP_DEFS_H
#define GUEST_SMP_DEFS_H

#define SMP_MAX_CPUS      8        /* CPUs the library handles (per-CPU arrays) */
#define SMP_STACK_SIZE    8192     /* each AP's stack */
#define SMP_GDT_CPU0      3        /* GDT index of CPU 0's FS segment (after null, code, data) */
#define SMP_GDT_ENTRIES   (SMP_GDT_CPU0 + SMP_MAX_CPUS)

#endif
