/* SPDX-License-Identifier: MIT */
/* Several CPUs in a test guest (lib/smp.h). */
#include "kernel/lib/string.h"
#include "lib/cpu.h"
#include "lib/io.h"
#include "lib/irqtest.h"
#include "lib/printf.h"
#include "lib/smp.h"
#include "lib/x86.h"

/* GDT: the three entries of boot.S, then one data segment per CPU for FS. */
#define SEL_CPU(n)          ((SMP_GDT_CPU0 + (n)) * 8)
#define DESC_CODE32         0x00cf9a000000ffffull   /* base 0, 4 GiB, 32-bit, ring 0 */
#define DESC_DATA32         0x00cf92000000ffffull
#define DESC_DATA_ACCESS    0x92ull                 /* present, ring 0, data, writable */
#define DESC_FLAGS_32_BYTES 0x4ull                  /* D/B = 32-bit, byte granularity */

/* SDM 8.4.4.1: INIT, wait 10 ms, SIPI, wait 200 us, SIPI. */
#define INIT_DELAY_US       10000u
#define SIPI_DELAY_US       200u
#define US_PER_MS           1000u
#define START_WAIT_MS       1000u   /* an AP starts in well under 1 ms of guest time under tern */
#define LOW_MEMORY_END      0x100000u
#define PAGE_SIZE           0x1000u
#define ICR_SEND_SPINS      100000u
#define APIC_SVR_SPURIOUS   0xffu

struct gdt_desc {
	u16 limit;
	u32 base;
} __packed;

struct smp_cpu smp_cpus[SMP_MAX_CPUS];
volatile u32 smp_nr_online = 1;
volatile u32 smp_extra_cpus;
bool smp_ready;

/* Read by smp_trampoline.S. */
u64 smp_gdt[SMP_GDT_ENTRIES] __aligned(8);
volatile u32 smp_next_index = 1;         /* the next AP's CPU number (lock xadd) */
u8 smp_stacks[SMP_MAX_CPUS][SMP_STACK_SIZE] __aligned(16);

extern const u8 smp_trampoline[], smp_trampoline_end[];

static struct gdt_desc idtr;              /* the BSP's IDT, which every AP loads */
static u64 tsc_ms;                        /* tsc_per_ms(), read once (CPUID exits) */
static smp_fn_t start_fn;

static u64 data_desc(u32 base)
{
	/* limit 0xfffff bytes with byte granularity: per-CPU data is small */
	return 0xffffull | ((u64)(base & 0xffffff) << 16) | (DESC_DATA_ACCESS << 40) |
	       (0xfull << 48) | (DESC_FLAGS_32_BYTES << 52) | ((u64)(base >> 24) << 56);
}

static void load_fs(unsigned cpu)
{
	u16 sel = (u16)SEL_CPU(cpu);

	__asm__ __volatile__("movw %0, %%fs" :: "r"(sel) : "memory");
}

/* ---- this CPU's LAPIC ---- */

u32 apic_read(unsigned off)
{
	if (smp_this()->x2apic)
		return (u32)rdmsr(MSR_X2APIC(off));
	return lapic_read(off);
}

void apic_write(unsigned off, u32 v)
{
	if (smp_this()->x2apic)
		wrmsr(MSR_X2APIC(off), v);
	else
		lapic_write(off, v);
}

void apic_eoi(void)
{
	apic_write(LAPIC_EOI, 0);
}

u32 smp_lapic_id(void)
{
	if (smp_this()->x2apic)
		return (u32)rdmsr(MSR_X2APIC(LAPIC_ID));
	return lapic_read(LAPIC_ID) >> XAPIC_DEST_SHIFT;
}

int smp_cpu_of_apic(u32 apic_id)
{
	for (unsigned i = 0; i < SMP_MAX_CPUS; i++)
		if (smp_cpus[i].online && smp_cpus[i].apic_id == apic_id)
			return (int)i;
	return -1;
}

static u32 irq_save(void)
{
	u32 flags;

	__asm__ __volatile__("pushfl; popl %0; cli" : "=r"(flags) :: "memory");
	return flags;
}

static void irq_restore(u32 flags)
{
	__asm__ __volatile__("pushl %0; popfl" :: "r"(flags) : "memory", "cc");
}

void apic_send_ipi(u32 dest, u32 icr_lo)
{
	/* interrupts off: a handler sending its own IPI must not split the two writes */
	u32 flags = irq_save();

	if (smp_this()->x2apic) {
		/* one 64-bit write, destination in bits 63:32: no pending bit to poll */
		wrmsr(MSR_X2APIC(LAPIC_ICR_LO), ((u64)dest << 32) | icr_lo);
	} else {
		for (unsigned i = 0; i < ICR_SEND_SPINS; i++)
			if (!(lapic_read(LAPIC_ICR_LO) & ICR_DELIVERY_PENDING))
				break;
		lapic_write(LAPIC_ICR_HI, dest << XAPIC_DEST_SHIFT);
		lapic_write(LAPIC_ICR_LO, icr_lo);
	}
	irq_restore(flags);
}

void apic_sw_enable(void)
{
	apic_write(LAPIC_SVR, APIC_SVR_ENABLE | APIC_SVR_SPURIOUS);
	apic_write(LAPIC_TPR, 0);
}

void smp_x2apic_enable(void)
{
	wrmsr(MSR_APIC_BASE, rdmsr(MSR_APIC_BASE) | APIC_BASE_EN | APIC_BASE_EXTD);
	smp_this()->x2apic = true;
	apic_sw_enable();
}

/* ---- set-up ---- */

static void smp_init(void)
{
	struct gdt_desc gdtr = { sizeof(smp_gdt) - 1, (u32)(uintptr_t)smp_gdt };
	struct smp_cpu *bsp = &smp_cpus[0];

	if (smp_ready)
		return;
	tsc_ms = tsc_per_ms();
	smp_gdt[0] = 0;
	smp_gdt[GUEST_CODE_SEL / 8] = DESC_CODE32;
	smp_gdt[GUEST_DATA_SEL / 8] = DESC_DATA32;
	for (unsigned i = 0; i < SMP_MAX_CPUS; i++) {
		smp_cpus[i].index = i;
		smp_gdt[SMP_GDT_CPU0 + i] = data_desc((u32)(uintptr_t)&smp_cpus[i]);
	}
	/* same code and data descriptors as boot.S's: CS, DS, SS stay valid */
	__asm__ __volatile__("lgdt %0" :: "m"(gdtr) : "memory");
	load_fs(0);
	bsp->x2apic = rdmsr(MSR_APIC_BASE) & APIC_BASE_EXTD;
	smp_ready = true;
	bsp->apic_id = smp_lapic_id();
	bsp->online = 1;
	if (!irq_initialized())
		irq_init(false, IRQ_EOI_APIC);
	irq_set_eoi(SMP_WAKE_VECTOR, IRQ_EOI_APIC);
	irq_set_eoi(SMP_TIMER_VECTOR, IRQ_EOI_APIC);
	__asm__ __volatile__("sidt %0" : "=m"(idtr));
}

/* C entry of an AP (smp_trampoline.S), on its own stack, FS = its segment. */
__noreturn void smp_ap_main(unsigned cpu);

__noreturn void smp_ap_main(unsigned cpu)
{
	struct smp_cpu *c = &smp_cpus[cpu];

	__asm__ __volatile__("lidt %0" :: "m"(idtr));
	c->stack_lo = (u32)(uintptr_t)smp_stacks[cpu];
	c->stack_hi = c->stack_lo + SMP_STACK_SIZE;
	/* an INIT keeps the APIC mode: an AP restarted in x2APIC mode stays there */
	c->x2apic = rdmsr(MSR_APIC_BASE) & APIC_BASE_EXTD;
	c->apic_id = smp_lapic_id();
	apic_sw_enable();
	atomic_set(&c->online, 1);
	atomic_inc(&smp_nr_online);
	if (start_fn)
		start_fn(cpu);
	smp_idle();
}

static void delay_us(u64 us)
{
	u64 ticks = tsc_ms * us / US_PER_MS, start = rdtsc();

	while (rdtsc() - start < ticks)
		cpu_relax();
}

unsigned smp_start_aps_at(unsigned n, smp_fn_t fn, u32 page, u64 ticks)
{
	u32 size = (u32)(smp_trampoline_end - smp_trampoline);
	u8 *dst = (u8 *)(uintptr_t)page;
	u32 vector = page / PAGE_SIZE;

	if (page % PAGE_SIZE || page >= LOW_MEMORY_END) {
		printf("# smp: start page 0x%x is not a page below 1 MiB\n", page);
		return 0;
	}
	smp_init();
	start_fn = fn;
	/* hide the address from the compiler: page 0 is a valid target here */
	__asm__ __volatile__("" : "+r"(dst));
	memcpy(dst, smp_trampoline, size);

	apic_send_ipi(0, ICR_SH_ALL_EXCL | ICR_DM_INIT | ICR_LEVEL_ASSERT | ICR_TRIGGER_LEVEL);
	delay_us(INIT_DELAY_US);
	apic_send_ipi(0, ICR_SH_ALL_EXCL | ICR_DM_STARTUP | ICR_LEVEL_ASSERT | vector);
	delay_us(SIPI_DELAY_US);
	apic_send_ipi(0, ICR_SH_ALL_EXCL | ICR_DM_STARTUP | ICR_LEVEL_ASSERT | vector);
	delay_us(SIPI_DELAY_US);

	smp_wait_ge(&smp_nr_online, n + 1, ticks);
	return atomic_read(&smp_nr_online) - 1;
}

unsigned smp_start_aps(unsigned n, smp_fn_t fn)
{
	return smp_start_aps_at(n, fn, SMP_TRAMPOLINE_PAGE, tsc_per_ms() * START_WAIT_MS);
}

/* ---- waiting ---- */

bool smp_halt(u64 ticks)
{
	struct smp_cpu *c = smp_this();
	u32 fired = irq_count_cpu[c->index][SMP_TIMER_VECTOR];
	bool woken;

	/* one-shot LAPIC timer as the backstop; tern's APIC bus clock is the TSC */
	apic_write(LAPIC_TDCR, APIC_TDCR_DIV_1);
	apic_write(LAPIC_LVT_TIMER, SMP_TIMER_VECTOR);
	apic_write(LAPIC_TMICT, ticks > 0xffffffffull ? 0xffffffffu : (u32)MAX(ticks, 1));
	atomic_set(&c->idle, 1);
	/* STI's one-instruction shadow covers HLT: a wake-up already pending is not lost */
	__asm__ __volatile__("sti; hlt; cli" ::: "memory");
	atomic_set(&c->idle, 0);
	atomic_inc(&c->wakeups);
	woken = irq_count_cpu[c->index][SMP_TIMER_VECTOR] == fired;
	apic_write(LAPIC_TMICT, 0);
	apic_write(LAPIC_LVT_TIMER, LVT_MASKED | SMP_TIMER_VECTOR);
	return woken;
}

__noreturn void smp_idle(void)
{
	struct smp_cpu *c = smp_this();

	for (;;) {
		u32 seq;

		irq_disable();
		seq = atomic_read(&c->call_seq);
		if (seq != c->done_seq) {
			c->call_fn(c->call_arg);
			atomic_set(&c->done_seq, seq);
			continue;
		}
		atomic_set(&c->idle, 1);
		__asm__ __volatile__("sti; hlt; cli" ::: "memory");
		atomic_set(&c->idle, 0);
		atomic_inc(&c->wakeups);
	}
}

bool smp_wait(bool (*done)(const void *arg), const void *arg, u64 ticks)
{
	u64 start = rdtsc(), poll = tsc_ms * SMP_POLL_US / US_PER_MS;

	for (;;) {
		u64 spent = rdtsc() - start;

		irq_disable();
		if (done(arg))
			return true;
		if (spent >= ticks)
			return false;
		/* an interrupt ends the halt early: IPIs are what the waits are usually for */
		smp_halt(MIN(ticks - spent, poll));
	}
}

struct wait_word {
	const volatile u32 *p;
	u32 v;
};

static bool word_eq(const void *arg)
{
	const struct wait_word *w = arg;

	return atomic_read(w->p) == w->v;
}

static bool word_ne(const void *arg)
{
	const struct wait_word *w = arg;

	return atomic_read(w->p) != w->v;
}

static bool word_ge(const void *arg)
{
	const struct wait_word *w = arg;

	return atomic_read(w->p) >= w->v;
}

static bool never(const void *arg)
{
	return false;
}

bool smp_wait_eq(const volatile u32 *p, u32 v, u64 ticks)
{
	struct wait_word w = { p, v };

	return smp_wait(word_eq, &w, ticks);
}

bool smp_wait_ne(const volatile u32 *p, u32 v, u64 ticks)
{
	struct wait_word w = { p, v };

	return smp_wait(word_ne, &w, ticks);
}

bool smp_wait_ge(const volatile u32 *p, u32 v, u64 ticks)
{
	struct wait_word w = { p, v };

	return smp_wait(word_ge, &w, ticks);
}

void smp_sleep(u64 ticks)
{
	smp_wait(never, NULL, ticks);
}

/* ---- calls ---- */

bool smp_call_wait(unsigned cpu, u64 ticks)
{
	struct smp_cpu *c = &smp_cpus[cpu];

	return smp_wait_eq(&c->done_seq, atomic_read(&c->call_seq), ticks);
}

bool smp_call(unsigned cpu, smp_call_fn_t fn, void *arg, u64 ticks)
{
	struct smp_cpu *c = &smp_cpus[cpu];

	if (cpu == smp_cpu_id()) {
		fn(arg);
		return true;
	}
	if (cpu >= SMP_MAX_CPUS || !c->online || c->done_seq != c->call_seq)
		return false;
	c->call_fn = fn;
	c->call_arg = arg;
	atomic_set(&c->call_seq, c->call_seq + 1);
	apic_send_ipi(c->apic_id, ICR_DM_FIXED | ICR_LEVEL_ASSERT | SMP_WAKE_VECTOR);
	return !ticks || smp_call_wait(cpu, ticks);
}

bool smp_call_all(smp_call_fn_t fn, void *arg, u64 ticks)
{
	unsigned me = smp_cpu_id();
	bool ok = true;

	/* post to all first, so the others run while the caller does its own part */
	for (unsigned i = 0; i < SMP_MAX_CPUS; i++)
		if (i != me && smp_cpus[i].online)
			ok &= smp_call(i, fn, arg, 0);
	fn(arg);
	for (unsigned i = 0; i < SMP_MAX_CPUS && ticks; i++)
		if (i != me && smp_cpus[i].online)
			ok &= smp_call_wait(i, ticks);
	return ok;
}

bool smp_barrier_wait(struct smp_barrier *b, unsigned n, u64 ticks)
{
	u32 sense = atomic_read(&b->sense);
	u64 start = rdtsc();

	if (atomic_add(&b->arrived, 1) == n) {
		atomic_set(&b->arrived, 0);
		atomic_set(&b->sense, sense + 1);
		apic_send_ipi(0, ICR_SH_ALL_EXCL | ICR_DM_FIXED | ICR_LEVEL_ASSERT | SMP_WAKE_VECTOR);
		return true;
	}
	while (atomic_read(&b->sense) == sense) {
		u64 spent = rdtsc() - start;

		if (spent >= ticks)
			return false;
		irq_disable();
		if (atomic_read(&b->sense) == sense)
			smp_halt(ticks - spent);
	}
	irq_disable();
	return true;
}
