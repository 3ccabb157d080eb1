/* SPDX-License-Identifier: MIT */
/*
 * Host local APIC (SDM Vol. 3 chapter 11). Registers are named by their
 * xAPIC MMIO offset; in x2APIC mode the MSR is 0x800 + offset / 16 and the
 * ICR is one 64-bit MSR without a delivery-status bit.
 */
#include "drivers/lapic_host.h"
#include "arch/x86/paging.h"
#include "arch/x86/x86.h"
#include "kernel/clock.h"
#include "kernel/lib/atomic.h"
#include "kernel/mm.h"

/* IA32_APIC_BASE fields. */
#define APIC_BASE_BSP        X86_BIT(8)
#define APIC_BASE_EXTD       X86_BIT(10)   /* x2APIC mode */
#define APIC_BASE_EN         X86_BIT(11)   /* APIC globally enabled */
#define APIC_BASE_ADDR_MASK  0x000ffffffffff000ull

/* Register offsets in the xAPIC page. */
#define LAPIC_REG_ID         0x020
#define LAPIC_REG_TPR        0x080
#define LAPIC_REG_EOI        0x0b0
#define LAPIC_REG_SVR        0x0f0
#define LAPIC_REG_ICR_LO     0x300
#define LAPIC_REG_ICR_HI     0x310
#define LAPIC_REG_LVT_TIMER  0x320
#define LAPIC_REG_TIMER_INIT 0x380
#define LAPIC_REG_TIMER_CUR  0x390
#define LAPIC_REG_TIMER_DIV  0x3e0
#define MSR_IA32_TSC_DEADLINE 0x6e0

#define X2APIC_MSR_BASE      0x800
#define X2APIC_REG_SHIFT     4              /* MSR = base + offset >> 4 */
#define XAPIC_ID_SHIFT       24             /* ID register bits 31:24 */

#define SVR_APIC_ENABLE      BIT(8)

/* ICR fields. */
#define ICR_DM_FIXED         (0u << 8)
#define ICR_DM_INIT          (5u << 8)
#define ICR_DM_STARTUP       (6u << 8)
#define ICR_DEST_PHYSICAL    (0u << 11)
#define ICR_DELIVERY_PENDING BIT(12)        /* xAPIC only */
#define ICR_LEVEL_ASSERT     BIT(14)
#define ICR_TRIGGER_EDGE     (0u << 15)
#define ICR_SH_NONE          (0u << 18)
#define ICR_SH_ALL_BUT_SELF  (3u << 18)
#define ICR_XAPIC_DEST_SHIFT 24             /* in ICR_HI */
#define ICR_X2APIC_DEST_SHIFT 32
#define X2APIC_BROADCAST_ID  0xffffffffu

/* LVT and timer fields. */
#define LVT_MASKED           BIT(16)
#define LVT_TIMER_ONESHOT    (0u << 17)
#define LVT_TIMER_TSC_DEADLINE (2u << 17)
#define TIMER_DIV_BY_1       0xbu
#define TIMER_CAL_US         1000           /* calibration window of the one-shot timer */
#define TIMER_COUNT_MAX      0xffffffffu
#define TIMER_RATE_SHIFT     16             /* timer ticks per TSC tick, 16.16 fixed point */

#define FIRST_INTERRUPT_VECTOR 32
#define ICR_WAIT_US          1000           /* delivery status: 1 ms is already absurd */
#define US_PER_MS            1000

enum lapic_mode { LAPIC_MODE_NONE, LAPIC_MODE_XAPIC, LAPIC_MODE_X2APIC };

static enum lapic_mode mode;
static volatile u32 *xapic;
static bool tsc_deadline;     /* the timer has TSC-deadline mode (CPUID.1:ECX[24]) */
static u64 timer_rate;        /* one-shot timer ticks per TSC tick << TIMER_RATE_SHIFT */

static u32 lapic_read(u32 reg)
{
	if (mode == LAPIC_MODE_X2APIC)
		return (u32)rdmsr(X2APIC_MSR_BASE + (reg >> X2APIC_REG_SHIFT));
	return xapic[reg / sizeof(u32)];
}

static void lapic_write(u32 reg, u32 val)
{
	if (mode == LAPIC_MODE_X2APIC)
		wrmsr(X2APIC_MSR_BASE + (reg >> X2APIC_REG_SHIFT), val);
	else
		xapic[reg / sizeof(u32)] = val;
}

bool lapic_x2apic(void)
{
	return mode == LAPIC_MODE_X2APIC;
}

u32 lapic_id(void)
{
	u32 id = lapic_read(LAPIC_REG_ID);

	return mode == LAPIC_MODE_X2APIC ? id : id >> XAPIC_ID_SHIFT;
}

void lapic_eoi(void)
{
	lapic_write(LAPIC_REG_EOI, 0);
}

static bool cpu_has_x2apic(void)
{
	return cpuid(CPUID_LEAF_FEATURES, 0).ecx & CPUID_1_ECX_X2APIC;
}

/* The first call (the BSP's) picks the mode and maps the xAPIC page if it must. */
static int choose_mode(u64 base_msr)
{
	u64 base = base_msr & APIC_BASE_ADDR_MASK;
	int ret;

	if (cpu_has_x2apic()) {
		mode = LAPIC_MODE_X2APIC;
		return 0;
	}
	if (base_msr & APIC_BASE_EXTD)
		return -TERN_ENODEV;   /* x2APIC on without CPUID saying so: inconsistent */
	if (base != HOST_LAPIC_BASE) {
		ret = paging_map_mmio(base, HOST_LAPIC_SIZE);
		if (ret)
			return ret;
	}
	xapic = phys_to_virt(base);
	mode = LAPIC_MODE_XAPIC;
	return 0;
}

/* Globally enable the APIC in the chosen mode (xAPIC -> x2APIC is one step, SDM 11.12.5). */
static int enable_mode(u64 msr)
{
	if (!(msr & APIC_BASE_EN)) {
		msr |= APIC_BASE_EN;
		wrmsr(MSR_IA32_APIC_BASE, msr);
	}
	if (mode == LAPIC_MODE_X2APIC) {
		if (!cpu_has_x2apic())
			return -TERN_ENODEV;
		if (!(msr & APIC_BASE_EXTD))
			wrmsr(MSR_IA32_APIC_BASE, msr | APIC_BASE_EXTD);
	} else if (msr & APIC_BASE_EXTD) {
		return -TERN_ENODEV;
	}
	return 0;
}

int lapic_init(void)
{
	u64 msr;
	int ret;

	if (!(cpuid(CPUID_LEAF_FEATURES, 0).edx & CPUID_1_EDX_APIC))
		return -TERN_ENODEV;
	msr = rdmsr(MSR_IA32_APIC_BASE);
	if (mode == LAPIC_MODE_NONE) {
		ret = choose_mode(msr);
		if (ret)
			return ret;
	}
	ret = enable_mode(msr);
	if (ret)
		return ret;
	lapic_write(LAPIC_REG_TPR, 0);
	lapic_timer_stop();
	lapic_write(LAPIC_REG_SVR, SVR_APIC_ENABLE | LAPIC_SPURIOUS_VECTOR);
	return 0;
}

/* Bounded wait for the xAPIC to accept the last ICR write. */
static int xapic_wait_icr_idle(void)
{
	u64 deadline = rdtsc() + clock_tsc_khz() * ICR_WAIT_US / US_PER_MS;

	while (lapic_read(LAPIC_REG_ICR_LO) & ICR_DELIVERY_PENDING) {
		if (rdtsc() > deadline)
			return -TERN_ETIMEDOUT;
		cpu_relax();
	}
	return 0;
}

/* Write the ICR with interrupts off (the xAPIC needs two writes) and wait for delivery. */
static int icr_send(u32 dest, u32 lo)
{
	bool irqs_on = read_rflags() & RFLAGS_IF;
	int ret = 0;

	cli();
	if (mode == LAPIC_MODE_X2APIC) {
		/* x2APIC ICR writes are not serializing: order earlier stores first */
		__asm__ __volatile__("mfence; lfence" : : : "memory");
		wrmsr(X2APIC_MSR_BASE + (LAPIC_REG_ICR_LO >> X2APIC_REG_SHIFT),
		      ((u64)dest << ICR_X2APIC_DEST_SHIFT) | lo);
	} else {
		lapic_write(LAPIC_REG_ICR_HI, dest << ICR_XAPIC_DEST_SHIFT);
		lapic_write(LAPIC_REG_ICR_LO, lo);
		ret = xapic_wait_icr_idle();
	}
	if (irqs_on)
		sti();
	return ret;
}

static bool dest_valid(u32 apic_id)
{
	if (mode == LAPIC_MODE_X2APIC)
		return apic_id != X2APIC_BROADCAST_ID;
	return mode == LAPIC_MODE_XAPIC && apic_id <= LAPIC_XAPIC_MAX_ID;
}

int lapic_send_ipi(u32 apic_id, u8 vector)
{
	if (vector < FIRST_INTERRUPT_VECTOR || !dest_valid(apic_id))
		return -TERN_EINVAL;
	return icr_send(apic_id, ICR_DM_FIXED | ICR_DEST_PHYSICAL | ICR_LEVEL_ASSERT |
				 ICR_TRIGGER_EDGE | ICR_SH_NONE | vector);
}

int lapic_send_ipi_all_but_self(u8 vector)
{
	if (vector < FIRST_INTERRUPT_VECTOR || mode == LAPIC_MODE_NONE)
		return -TERN_EINVAL;
	return icr_send(0, ICR_DM_FIXED | ICR_LEVEL_ASSERT | ICR_TRIGGER_EDGE |
			   ICR_SH_ALL_BUT_SELF | vector);
}

int lapic_send_init(u32 apic_id)
{
	if (!dest_valid(apic_id))
		return -TERN_EINVAL;
	return icr_send(apic_id, ICR_DM_INIT | ICR_DEST_PHYSICAL | ICR_LEVEL_ASSERT |
				 ICR_TRIGGER_EDGE | ICR_SH_NONE);
}

int lapic_send_sipi(u32 apic_id, u8 page)
{
	if (!dest_valid(apic_id))
		return -TERN_EINVAL;
	return icr_send(apic_id, ICR_DM_STARTUP | ICR_DEST_PHYSICAL | ICR_LEVEL_ASSERT |
				 ICR_TRIGGER_EDGE | ICR_SH_NONE | page);
}

void lapic_timer_stop(void)
{
	lapic_write(LAPIC_REG_LVT_TIMER, LVT_MASKED | LAPIC_TIMER_VECTOR);
	lapic_write(LAPIC_REG_TIMER_INIT, 0);
}

void lapic_timer_oneshot(u32 ticks)
{
	if (!ticks) {
		lapic_timer_stop();
		return;
	}
	lapic_write(LAPIC_REG_TIMER_DIV, TIMER_DIV_BY_1);
	lapic_write(LAPIC_REG_LVT_TIMER, LVT_TIMER_ONESHOT | LAPIC_TIMER_VECTOR);
	lapic_write(LAPIC_REG_TIMER_INIT, ticks);
}

/*
 * The one-shot timer's rate against the TSC, measured once (on the BSP)
 * over TIMER_CAL_US: every CPU's timer runs off the same bus clock.
 */
static void timer_calibrate(void)
{
	u64 window = clock_tsc_khz() * TIMER_CAL_US / US_PER_MS, start, elapsed;
	u32 left;

	lapic_write(LAPIC_REG_TIMER_DIV, TIMER_DIV_BY_1);
	lapic_write(LAPIC_REG_LVT_TIMER, LVT_MASKED | LAPIC_TIMER_VECTOR);
	lapic_write(LAPIC_REG_TIMER_INIT, TIMER_COUNT_MAX);
	start = rdtsc();
	while ((elapsed = rdtsc() - start) < window)
		cpu_relax();
	left = lapic_read(LAPIC_REG_TIMER_CUR);
	lapic_timer_stop();
	timer_rate = elapsed ? ((u64)(TIMER_COUNT_MAX - left) << TIMER_RATE_SHIFT) / elapsed : 0;
	if (!timer_rate)
		timer_rate = 1ull << TIMER_RATE_SHIFT;   /* a timer that did not move: one per tick */
}

void lapic_timer_setup(void)
{
	tsc_deadline = cpuid(CPUID_LEAF_FEATURES, 0).ecx & CPUID_1_ECX_TSC_DEADLINE;
	if (!tsc_deadline && !timer_rate)
		timer_calibrate();
}

void lapic_timer_at(u64 tsc)
{
	u64 now, ticks;

	if (tsc_deadline) {
		lapic_write(LAPIC_REG_LVT_TIMER, LVT_TIMER_TSC_DEADLINE | LAPIC_TIMER_VECTOR);
		/* the LVT write must land before the deadline MSR (SDM 11.5.4.1) */
		__asm__ __volatile__("mfence" : : : "memory");
		wrmsr(MSR_IA32_TSC_DEADLINE, tsc ? tsc : 1);
		return;
	}
	now = rdtsc();
	ticks = tsc > now ? (((tsc - now) * timer_rate) >> TIMER_RATE_SHIFT) : 0;
	lapic_timer_oneshot((u32)MAX(1ull, MIN(ticks, (u64)TIMER_COUNT_MAX)));
}

void lapic_timer_cancel(void)
{
	if (tsc_deadline)
		wrmsr(MSR_IA32_TSC_DEADLINE, 0);
	else
		lapic_write(LAPIC_REG_TIMER_INIT, 0);
}
