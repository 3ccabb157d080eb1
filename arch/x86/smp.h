/* SPDX-License-Identifier: MIT */
/*
 * Host SMP: every physical CPU the firmware lists as enabled is started
 * and becomes a tern CPU with a dense id (0 = the BSP), its own stack,
 * GDT, TSS, IST stacks and struct pcpu. APs then sit in the idle loop
 * (kernel/smp_idle.h) until cross-CPU calls (arch/x86/ipi.h) give them work.
 */
#ifndef TERN_ARCH_SMP_H
#define TERN_ARCH_SMP_H

#include "kernel/lib/types.h"

struct boot_info;

/* AP stacks: 2^AP_STACK_ORDER pages, the lowest one an unmapped guard. */
#define AP_STACK_ORDER       3
#define AP_INIT_DELAY_US     10000   /* INIT -> first SIPI (SDM 9.4.4.1) */
#define AP_SIPI_DELAY_US     200     /* after each SIPI */
#define AP_START_TIMEOUT_US  200000  /* then the AP must be online, or it is skipped */

/*
 * On the BSP, once, after memory, paging and clock_tsc_khz() are set up
 * and before VMX is: enable the BSP's LAPIC, read the MADT (bi->rsdp_phys,
 * else a BIOS-area scan), start each enabled AP with INIT-SIPI-SIPI and
 * wait for it (a CPU that does not answer is reported, put back to
 * wait-for-SIPI and skipped), print "cpuN online (apic A)" per CPU, then
 * run smp_selftest(). Without ACPI or with one CPU tern goes on with the
 * BSP alone. Never fails the boot.
 */
void smp_boot_aps(const struct boot_info *bi);

/* CPUs online (ids 0 .. smp_nr_cpus()-1); 1 before smp_boot_aps(). */
unsigned smp_nr_cpus(void);

/* The APIC id of cpu (< smp_nr_cpus()), or 0xffffffff for an unknown cpu. */
unsigned smp_cpu_apic_id(unsigned cpu);

/*
 * Cheap check of the cross-CPU machinery: smp_call() to every AP (each
 * reports its id and APIC id back) and one smp_run_on_all(). Prints one
 * line with the round-trip cost. Returns 0 or -TERN_EIO.
 */
int smp_selftest(void);

#endif
