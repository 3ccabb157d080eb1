/* SPDX-License-Identifier: MIT */
/*
 * Several CPUs in a test guest. smp_start_aps() starts the other vCPUs the
 * way firmware and Linux do (INIT, SIPI, SIPI, here broadcast with the
 * all-excluding-self shorthand) on a real-mode trampoline copied below
 * 1 MiB; each AP switches to 32-bit protected mode with the guest's flat
 * GDT, loads the BSP's IDT, takes its own stack, software-enables its
 * LAPIC and calls fn(cpu) in C. Then it waits in HLT with interrupts on
 * and runs what smp_call() posts to it.
 *
 * CPU numbers are dense, 0 = the BSP, APs numbered in the order they
 * arrive; smp_cpus[cpu].apic_id says which LAPIC each one has. Per-CPU
 * data is reached through FS (each CPU's FS segment starts at its
 * struct smp_cpu), so an interrupt handler knows its CPU without an APIC
 * access, the very thing the tests are checking.
 *
 * Interrupt counts per CPU: irq_count_cpu[cpu][vector] (lib/irqtest.h).
 * The APIC helpers below work in either mode: each CPU remembers whether
 * its own LAPIC is in x2APIC mode (smp_x2apic_enable()). printf() and
 * check() may be called on any CPU; fault_catch() (and rdmsr_safe(),
 * wrmsr_safe()) keep one recovery point for the whole guest: one CPU at a
 * time.
 */
#ifndef GUEST_SMP_H
#define GUEST_SMP_H

#include "kernel/lib/types.h"
#include "lib/irqtest.h"
#include "lib/smp_defs.h"   /* SMP_MAX_CPUS, SMP_STACK_SIZE */

#define SMP_TRAMPOLINE_PAGE   0x8000u   /* default start page: SIPI vector 0x08 */
#define SMP_POLL_US           200u      /* smp_wait(): longest halt between two looks */

/* Vectors the library itself uses; tests count their own vectors only. */
#define SMP_WAKE_VECTOR       0xf0      /* smp_call() and the barrier wake a halted CPU */
#define SMP_TIMER_VECTOR      0xef      /* smp_halt(): the LAPIC timer ends a halt that nothing woke */

/* ICR low word (SDM Vol. 3 10.6.1); x2APIC: the same bits in MSR 0x830's low half. */
#define ICR_VECTOR(v)         ((u32)(v) & 0xffu)
#define ICR_DM_FIXED          (0u << 8)
#define ICR_DM_LOWEST         (1u << 8)
/* ICR_DM_NMI (4 << 8) is in lib/irqtest.h */
#define ICR_DM_INIT           (5u << 8)
#define ICR_DM_STARTUP        (6u << 8)
#define ICR_DEST_LOGICAL      (1u << 11)
#define ICR_DELIVERY_PENDING  (1u << 12)   /* xAPIC only: send pending */
/* ICR_LEVEL_ASSERT (1 << 14) is in lib/irqtest.h */
#define ICR_TRIGGER_LEVEL     (1u << 15)
#define ICR_SH_NONE           (0u << 18)
#define ICR_SH_SELF           (1u << 18)
#define ICR_SH_ALL_INCL       (2u << 18)
#define ICR_SH_ALL_EXCL       (3u << 18)
#define XAPIC_DEST_SHIFT      24           /* ICR high: destination in bits 31:24 */
#define XAPIC_BROADCAST       0xffu
#define X2APIC_BROADCAST      0xffffffffu

/* Logical destinations (SDM 10.6.2.2, 10.12.10). */
#define LAPIC_LDR             0x0d0
#define LAPIC_DFR             0x0e0
#define XAPIC_LDR_SHIFT       24           /* xAPIC logical ID: LDR bits 31:24 */
#define DFR_MODEL_FLAT        0xffffffffu
#define DFR_MODEL_CLUSTER     0x0fffffffu
#define X2APIC_LDR(id)        ((((id) >> 4) << 16) | (1u << ((id) & 0xfu)))

#define APIC_BASE_BSP         (1u << 8)
#define APIC_TDCR_DIV_1       0xbu         /* divide configuration: by 1 */

typedef void (*smp_fn_t)(unsigned cpu);
typedef void (*smp_call_fn_t)(void *arg);

/* One per CPU; FS of CPU n covers smp_cpus[n]. */
struct smp_cpu {
	u32 index;                     /* %fs:0: smp_cpu_id() is one load */
	u32 apic_id;                   /* read from its LAPIC when it came up */
	volatile u32 online;
	bool x2apic;                   /* its LAPIC is in x2APIC mode */
	/* smp_call() mailbox: a new call is posted when call_seq moves past done_seq */
	smp_call_fn_t volatile call_fn;
	void *volatile call_arg;
	volatile u32 call_seq;
	volatile u32 done_seq;
	volatile u32 idle;             /* 1 from just before HLT until it wakes */
	volatile u32 wakeups;          /* HLTs it came out of */
	u32 stack_lo, stack_hi;        /* APs: their stack in smp_stacks */
};

extern struct smp_cpu smp_cpus[SMP_MAX_CPUS];
extern volatile u32 smp_nr_online;     /* CPUs up, the BSP included */
extern volatile u32 smp_extra_cpus;    /* APs beyond SMP_MAX_CPUS that arrived and stopped */
extern bool smp_ready;

/* ---- atomics (lock-prefixed; the compiler emits LOCK ADD/XADD/CMPXCHG) ---- */
static inline u32 atomic_add(volatile u32 *p, u32 v)   /* returns the new value */
{
	return __atomic_add_fetch(p, v, __ATOMIC_SEQ_CST);
}
static inline u32 atomic_inc(volatile u32 *p) { return atomic_add(p, 1); }
static inline u32 atomic_read(const volatile u32 *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}
static inline void atomic_set(volatile u32 *p, u32 v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}
static inline void cpu_relax(void) { __asm__ __volatile__("pause" ::: "memory"); }

/* ---- this CPU ---- */
/* CPU number of the caller (0 before smp_start_aps, or on a one-CPU guest). */
static inline unsigned smp_cpu_id(void)
{
	u32 id;

	if (!smp_ready)
		return 0;
	__asm__ __volatile__("movl %%fs:%c1, %0" : "=r"(id) : "i"(offsetof(struct smp_cpu, index)));
	return id;
}
static inline struct smp_cpu *smp_this(void) { return &smp_cpus[smp_cpu_id()]; }

/* The caller's APIC ID as its LAPIC reports it now (xAPIC ID[31:24] or the x2APIC ID). */
u32 smp_lapic_id(void);
/* CPU number of an APIC ID, or -1. */
int smp_cpu_of_apic(u32 apic_id);

/* ---- this CPU's LAPIC, in the mode it is in ---- */
u32 apic_read(unsigned off);
void apic_write(unsigned off, u32 v);
void apic_eoi(void);
/*
 * Send an IPI: icr_lo is the ICR low word (vector, delivery and destination
 * mode, level, trigger, shorthand), dest the APIC ID or logical destination
 * (8 bits in xAPIC mode, 32 in x2APIC mode).
 */
void apic_send_ipi(u32 dest, u32 icr_lo);
/* Software-enable the LAPIC (SVR, spurious vector 0xff), TPR 0. */
void apic_sw_enable(void);
/* Switch this CPU's LAPIC to x2APIC mode (IA32_APIC_BASE.EXTD) and re-enable it. */
void smp_x2apic_enable(void);

/* ---- bring-up ---- */
/*
 * Start the APs: copy the trampoline to `page` (4 KiB aligned, below 1 MiB:
 * SIPI vector page >> 12, so page 0 is vector 0), broadcast INIT, 10 ms,
 * SIPI, 200 us, SIPI (SDM 8.4.4.1) to all but self, and wait up to `ticks`
 * TSC ticks for n APs. Each AP runs fn(cpu) (fn may be NULL) and then
 * smp_idle(). Calls irq_init(false, IRQ_EOI_APIC) first unless the guest did
 * already. Returns the number of APs that came up (more than n if more
 * answered; the extra ones are up too).
 */
unsigned smp_start_aps_at(unsigned n, smp_fn_t fn, u32 page, u64 ticks);
/* The same at SMP_TRAMPOLINE_PAGE, waiting up to 1 s (TSC time). */
unsigned smp_start_aps(unsigned n, smp_fn_t fn);

/* ---- waiting ---- */
/*
 * HLT with interrupts on, at most `ticks` TSC ticks (this CPU's LAPIC timer,
 * one-shot, vector SMP_TIMER_VECTOR, ends a halt nothing else ends; so a
 * test must not use the LAPIC timer itself meanwhile). Returns with
 * interrupts off, true when something other than that timer woke it.
 */
bool smp_halt(u64 ticks);
/* An AP's home: run posted calls, else HLT with interrupts on. */
__noreturn void smp_idle(void);
/*
 * Wait up to ticks until done(arg), looking again after every interrupt and
 * every SMP_POLL_US. Between looks the CPU halts rather than spins: when
 * vCPUs share a physical CPU, the one waited for then runs at once instead
 * of after the waiter's time slice. Returns with interrupts off; true when
 * done(arg).
 */
bool smp_wait(bool (*done)(const void *arg), const void *arg, u64 ticks);
bool smp_wait_eq(const volatile u32 *p, u32 v, u64 ticks);   /* until *p == v */
bool smp_wait_ne(const volatile u32 *p, u32 v, u64 ticks);   /* until *p != v */
bool smp_wait_ge(const volatile u32 *p, u32 v, u64 ticks);   /* until *p >= v */
/* Let ticks pass halted (interrupts taken meanwhile); returns with interrupts off. */
void smp_sleep(u64 ticks);

/* ---- work on other CPUs ---- */
/*
 * Post fn(arg) to cpu (which runs it from smp_idle with interrupts off) and
 * wake it with SMP_WAKE_VECTOR; wait up to ticks for it to finish (0: do
 * not wait). cpu == the caller runs it at once. True when it finished (or,
 * with ticks 0, was posted: the previous call had finished).
 */
bool smp_call(unsigned cpu, smp_call_fn_t fn, void *arg, u64 ticks);
/* Wait up to ticks for cpu's posted call to finish. */
bool smp_call_wait(unsigned cpu, u64 ticks);
/*
 * fn(arg) on every online CPU: posted to the others first, then run by the
 * caller, then (ticks != 0) waited for; true when all finished (or posted).
 */
bool smp_call_all(smp_call_fn_t fn, void *arg, u64 ticks);

/*
 * A barrier for `n` CPUs: the last to arrive wakes the others with
 * SMP_WAKE_VECTOR (all-excluding-self), which wait in smp_halt(), so a
 * waiting vCPU gives its physical CPU to the ones still on their way.
 * Reusable (sense reversal). False when the others did not arrive in time.
 */
struct smp_barrier {
	volatile u32 arrived;
	volatile u32 sense;
};
bool smp_barrier_wait(struct smp_barrier *b, unsigned n, u64 ticks);

#endif
