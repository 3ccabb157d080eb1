/* SPDX-License-Identifier: MIT */
/*
 * irq_lapic_timer: the vLAPIC timer in xAPIC mode. One-shot (arrives after
 * its count, once), periodic (about window/period interrupts in a window),
 * a mode change disarming the timer, TSC-deadline (not before the
 * deadline, within a bound after), the
 * current count decreasing, and a HLT that the timer ends.
 */
#include "lib/guest.h"
#include "lib/irqtest.h"

#define VEC_ONESHOT   0x40
#define VEC_PERIODIC  0x41
#define VEC_DEADLINE  0x42
#define VEC_HLT       0x43
#define VEC_MODE      0x44
#define TDCR_DIV1     0xb
#define ONESHOT_TICKS 200000u
#define PERIOD_TICKS  100000u
#define WINDOW_TICKS  2000000u
#define LATE_BOUND    100000u      /* ticks an expiry may be late (exit + entry) */

static void cpuid_bits(void)
{
	struct cpuid_regs r = cpuid(1);

	check(r.edx & (1u << 9), "CPUID.1:EDX.APIC set");
	check(r.ecx & (1u << 21), "CPUID.1:ECX.x2APIC set");
	check(r.ecx & (1u << 24), "CPUID.1:ECX.TSC-deadline set");
	check_eq(rdmsr(MSR_APIC_BASE) & 0xfffff900u, 0xfee00900u, "IA32_APIC_BASE: xAPIC at 0xfee00000, BSP");
}

static void oneshot(void)
{
	u64 t0, got;
	u32 cur;

	lapic_write(LAPIC_TDCR, TDCR_DIV1);
	lapic_write(LAPIC_LVT_TIMER, VEC_ONESHOT);
	t0 = rdtsc();
	lapic_write(LAPIC_TMICT, ONESHOT_TICKS);
	cur = lapic_read(LAPIC_TMCCT);
	check(cur > 0 && cur <= ONESHOT_TICKS, "current count %u counts down from %u", cur, ONESHOT_TICKS);
	check(irq_wait(VEC_ONESHOT, 1, 10 * ONESHOT_TICKS), "one-shot timer interrupt arrives");
	got = irq_tsc[VEC_ONESHOT] - t0;
	check(got >= ONESHOT_TICKS, "not before its count (%llu >= %u ticks)", (unsigned long long)got, ONESHOT_TICKS);
	check(got <= ONESHOT_TICKS + LATE_BOUND, "and within %u ticks after (%llu)", LATE_BOUND, (unsigned long long)got);
	irq_spin(3 * ONESHOT_TICKS);
	check_eq(irq_count[VEC_ONESHOT], 1, "one-shot fires once");
	check_eq(lapic_read(LAPIC_TMCCT), 0, "current count is 0 after expiry");
}

static void periodic(void)
{
	u32 n;

	lapic_write(LAPIC_LVT_TIMER, VEC_PERIODIC | LVT_PERIODIC);
	lapic_write(LAPIC_TMICT, PERIOD_TICKS);
	irq_spin(WINDOW_TICKS);
	lapic_write(LAPIC_TMICT, 0);
	n = irq_count[VEC_PERIODIC];
	note("periodic: %u interrupts in %u ticks (period %u)", n, WINDOW_TICKS, PERIOD_TICKS);
	check(n >= WINDOW_TICKS / PERIOD_TICKS - 3 && n <= WINDOW_TICKS / PERIOD_TICKS + 1,
	      "periodic timer: %u interrupts, about %u expected", n, WINDOW_TICKS / PERIOD_TICKS);
	irq_spin(3 * PERIOD_TICKS);
	check_eq(irq_count[VEC_PERIODIC], n, "writing initial count 0 stops it");
}

/* SDM 10.5.4.1: a write that changes the timer mode disarms the timer. */
static void mode_change_disarms(void)
{
	u32 n;

	lapic_write(LAPIC_LVT_TIMER, VEC_MODE | LVT_PERIODIC);
	lapic_write(LAPIC_TMICT, PERIOD_TICKS);
	check(irq_wait(VEC_MODE, 2, 4 * PERIOD_TICKS), "periodic timer running");
	lapic_write(LAPIC_LVT_TIMER, VEC_MODE);   /* periodic -> one-shot */
	irq_spin(PERIOD_TICKS / 10);   /* an expiry already in IRR may still arrive */
	n = irq_count[VEC_MODE];
	irq_spin(3 * PERIOD_TICKS);
	check_eq(irq_count[VEC_MODE], n, "changing the mode to one-shot disarmed it");
	check_eq(lapic_read(LAPIC_TMCCT), 0, "current count 0 after the mode change");
}

static void tsc_deadline(void)
{
	u64 deadline;

	lapic_write(LAPIC_LVT_TIMER, VEC_DEADLINE | LVT_TSC_DEADLINE);
	deadline = rdtsc() + ONESHOT_TICKS;
	wrmsr(MSR_TSC_DEADLINE, deadline);
	check_eq(rdmsr(MSR_TSC_DEADLINE), deadline, "IA32_TSC_DEADLINE reads back");
	check(irq_wait(VEC_DEADLINE, 1, 10 * ONESHOT_TICKS), "TSC-deadline interrupt arrives");
	check(irq_tsc[VEC_DEADLINE] >= deadline, "not before the deadline");
	check(irq_tsc[VEC_DEADLINE] <= deadline + LATE_BOUND, "within %u ticks after it (%llu late)",
	      LATE_BOUND, (unsigned long long)(irq_tsc[VEC_DEADLINE] - deadline));
	check_eq(rdmsr(MSR_TSC_DEADLINE), 0, "IA32_TSC_DEADLINE is 0 after it fired");
}

static void halt_wakes(void)
{
	lapic_write(LAPIC_LVT_TIMER, VEC_HLT);
	lapic_write(LAPIC_TMICT, ONESHOT_TICKS);
	__asm__ __volatile__("sti; hlt; cli" ::: "memory");
	check_eq(irq_count[VEC_HLT], 1, "HLT ends with the timer interrupt");
}

void guest_main(void)
{
	irq_init(false, IRQ_EOI_XAPIC);
	lapic_enable();
	cpuid_bits();
	oneshot();
	periodic();
	mode_change_disarms();
	tsc_deadline();
	halt_wakes();
}
