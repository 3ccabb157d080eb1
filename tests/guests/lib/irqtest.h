/* SPDX-License-Identifier: MIT */
/*
 * Interrupts in test guests: a 256-entry IDT (the library's exception
 * gates 0-31 kept) whose vectors 32-255 (and, on request, the NMI vector 2)
 * count arrivals, record the TSC and optionally EOI; xAPIC/x2APIC, 8259,
 * IOAPIC and pc-testdev helpers; waiting with a TSC bound.
 */
#ifndef GUEST_IRQTEST_H
#define GUEST_IRQTEST_H

#include "kernel/lib/types.h"
#include "lib/smp_defs.h"

#define LAPIC_BASE        0xfee00000u
#define IOAPIC_BASE       0xfec00000u
#define TESTDEV_IRQ_PORT  0x2000u     /* pc-testdev: port 0x2000 + n drives GSI n */

/* xAPIC register offsets (x2APIC MSR = 0x800 + off / 16). */
#define LAPIC_ID      0x020
#define LAPIC_VER     0x030
#define LAPIC_TPR     0x080
#define LAPIC_PPR     0x0a0
#define LAPIC_EOI     0x0b0
#define LAPIC_SVR     0x0f0
#define LAPIC_ISR     0x100
#define LAPIC_TMR     0x180
#define LAPIC_IRR     0x200
#define LAPIC_ESR     0x280
#define LAPIC_ICR_LO  0x300
#define LAPIC_ICR_HI  0x310
#define LAPIC_LVT_TIMER 0x320
#define LAPIC_LVT_LINT0 0x350
#define LAPIC_LVT_LINT1 0x360
#define LAPIC_TMICT   0x380
#define LAPIC_TMCCT   0x390
#define LAPIC_TDCR    0x3e0
#define LAPIC_SELF_IPI 0x3f0

#define MSR_APIC_BASE     0x1b
#define MSR_TSC_DEADLINE  0x6e0
#define MSR_X2APIC(off)   (0x800u + ((off) >> 4))
#define APIC_BASE_EN      (1u << 11)
#define APIC_BASE_EXTD    (1u << 10)
#define APIC_SVR_ENABLE   (1u << 8)
#define LVT_MASKED        (1u << 16)
#define LVT_PERIODIC      (1u << 17)
#define LVT_TSC_DEADLINE  (2u << 17)
#define ICR_SELF          (1u << 18)
#define ICR_DM_NMI        (4u << 8)
#define ICR_LEVEL_ASSERT  (1u << 14)

/* How the handler ends an interrupt on a vector. */
enum irq_eoi_mode {
	IRQ_EOI_NONE,        /* the test EOIs itself */
	IRQ_EOI_XAPIC,       /* write 0 to the xAPIC EOI register */
	IRQ_EOI_X2APIC,      /* WRMSR 0x80b <- 0 */
	IRQ_EOI_PIC,         /* non-specific EOI to the 8259(s) */
	IRQ_EOI_APIC,        /* the taking CPU's LAPIC in its mode (lib/smp.h apic_eoi) */
};

/* Counts of every CPU together (lock-prefixed increments: several CPUs may take a vector at once). */
extern volatile u32 irq_count[256];
extern volatile u64 irq_tsc[256];     /* TSC when the vector last arrived */
extern volatile int irq_last;         /* last vector taken, -1 none */
extern volatile u32 irq_total;
/* Per CPU (lib/smp.h numbering; CPU 0 on a one-CPU guest): only that CPU writes its row. */
extern volatile u32 irq_count_cpu[SMP_MAX_CPUS][256];

/* Install the IDT (vectors 32-255; nmi=true also vector 2). EOI mode for every vector. */
void irq_init(bool nmi, enum irq_eoi_mode eoi);
/* irq_init() has run. */
bool irq_initialized(void);
/* EOI mode of one vector. */
void irq_set_eoi(unsigned vector, enum irq_eoi_mode eoi);
/* Reset the counters. */
void irq_reset_counts(void);

/* TSC ticks per millisecond (CPUID 0x40000010, or 1,000,000 when absent). */
u64 tsc_per_ms(void);
/* STI, wait until irq_count[vector] >= n or `ticks` TSC ticks passed, CLI. True when reached. */
bool irq_wait(unsigned vector, u32 n, u64 ticks);
/* STI, spin `ticks` TSC ticks, CLI. */
void irq_spin(u64 ticks);
/*
 * Wait in HLT (so the vCPU gives the CPU away) until done() is true or
 * `ticks` TSC ticks passed: the vLAPIC timer, in TSC-deadline mode on
 * IRQ_WATCHDOG_VECTOR, ends the wait. Returns done(), with interrupts off.
 * The vLAPIC must be enabled; the timer is left disarmed.
 */
#define IRQ_WATCHDOG_VECTOR 0xfe
bool irq_halt_until(bool (*done)(void), u64 ticks);

static inline void irq_enable(void)  { __asm__ __volatile__("sti" ::: "memory"); }
static inline void irq_disable(void) { __asm__ __volatile__("cli" ::: "memory"); }

/* xAPIC MMIO. */
u32 lapic_read(unsigned off);
void lapic_write(unsigned off, u32 val);
/* Software-enable the xAPIC (SVR) with spurious vector 0xff, TPR 0. */
void lapic_enable(void);

/* IOAPIC redirection entry pin := (lo, hi). */
void ioapic_write_redir(unsigned pin, u32 lo, u32 hi);
u32 ioapic_read_redir_lo(unsigned pin);

/* pc-testdev line n (GSI n) to level. */
void testdev_irq(unsigned n, int level);

/* Initialise the 8259 pair: vector bases, all pins masked except those in unmask. */
void pic_init(u8 master_base, u8 slave_base, u16 unmask);

#endif
