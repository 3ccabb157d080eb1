/* SPDX-License-Identifier: MIT */
/*
 * irq_bench: interrupt round trips in TSC ticks per operation (run it with
 * and without TERN_ARGS=apicv=off to compare the delivery modes):
 *   irq_self_ipi   xAPIC ICR self-IPI -> handler -> EOI -> back
 *   irq_eoi        an EOI write (ISR empty)
 *   irq_timer      TSC-deadline timer armed at "now" -> handler -> EOI
 *   irq_doorbell   DOORBELL_RING hypercall (MSI route) -> handler -> EOI
 * in xAPIC mode (MMIO EOI), then the same in x2APIC mode (MSR EOI, the
 * SELF_IPI register), named irq_x2apic_*: with APICv the CPU virtualizes
 * the x2APIC EOI and self-IPI, with injection each is a WRMSR exit.
 * Each runs BATCHES x BATCH_OPS times; the cheapest batch counts.
 */
#include "kernel/lib/atomic.h"
#include "lib/guest.h"
#include "lib/irqtest.h"
#include "lib/irqtest_route.h"

#define BATCHES     5
#define BATCH_OPS   500
#define VEC_BENCH   0x40
#define GSI_BENCH   28

typedef void (*bench_fn_t)(unsigned n);

static s32 bell;
static struct route_req req;

static void wait_count(u32 target)
{
	while (irq_count[VEC_BENCH] < target)
		__asm__ __volatile__("pause");
}

static void bench_self_ipi(unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		u32 target = irq_count[VEC_BENCH] + 1;

		lapic_write(LAPIC_ICR_LO, ICR_SELF | ICR_LEVEL_ASSERT | VEC_BENCH);
		wait_count(target);
	}
}

static void bench_eoi(unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		lapic_write(LAPIC_EOI, 0);
}

static void bench_self_ipi_x2apic(unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		u32 target = irq_count[VEC_BENCH] + 1;

		wrmsr(MSR_X2APIC(LAPIC_SELF_IPI), VEC_BENCH);
		wait_count(target);
	}
}

static void bench_eoi_x2apic(unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		wrmsr(MSR_X2APIC(LAPIC_EOI), 0);
}

static void bench_timer(unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		u32 target = irq_count[VEC_BENCH] + 1;

		wrmsr(MSR_TSC_DEADLINE, rdtsc());
		wait_count(target);
	}
}

static void bench_doorbell(unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		u32 target = irq_count[VEC_BENCH] + 1;

		doorbell_ring((u32)bell);
		wait_count(target);
	}
}

static void bench_empty(unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		barrier();
}

static u64 best_batch(bench_fn_t fn)
{
	u64 best = ~0ull;

	for (unsigned b = 0; b < BATCHES; b++) {
		u64 t0 = rdtsc();

		fn(BATCH_OPS);
		u64 t = rdtsc() - t0;

		if (t < best)
			best = t;
	}
	return best;
}

static void run(const char *name, bench_fn_t fn, u64 loop_ticks)
{
	u32 before = irq_count[VEC_BENCH];
	u64 ticks = best_batch(fn);
	u64 tenths = (ticks > loop_ticks ? ticks - loop_ticks : 0) * 10 / BATCH_OPS;

	printf("bench: %s %llu.%llu\n", name, (unsigned long long)(tenths / 10),
	       (unsigned long long)(tenths % 10));
	check(ticks > 0 && (fn == bench_eoi || fn == bench_eoi_x2apic ||
			    irq_count[VEC_BENCH] - before == BATCHES * BATCH_OPS),
	      "%s measured (%u interrupts)", name, irq_count[VEC_BENCH] - before);
}

void guest_main(void)
{
	u64 loop = best_batch(bench_empty);

	irq_init(false, IRQ_EOI_XAPIC);
	lapic_enable();
	route_clear(&req);
	route_add_msi(&req, GSI_BENCH, VEC_BENCH);
	check_eq(route_set(&req), 0, "MSI route for the doorbell");
	bell = doorbell_assign(GSI_BENCH, 0, 0);
	check(bell > 0, "doorbell assigned");
	lapic_write(LAPIC_LVT_TIMER, VEC_BENCH | LVT_TSC_DEADLINE);
	irq_enable();
	run("irq_self_ipi", bench_self_ipi, loop);
	run("irq_eoi", bench_eoi, loop);
	run("irq_timer", bench_timer, loop);
	run("irq_doorbell", bench_doorbell, loop);
	irq_disable();

	/* x2APIC: the LVT timer and the MSI route stay as they are (destination APIC ID 0) */
	wrmsr(MSR_APIC_BASE, rdmsr(MSR_APIC_BASE) | APIC_BASE_EXTD);
	wrmsr(MSR_X2APIC(LAPIC_SVR), APIC_SVR_ENABLE | 0xff);
	irq_set_eoi(VEC_BENCH, IRQ_EOI_X2APIC);
	irq_enable();
	run("irq_x2apic_self_ipi", bench_self_ipi_x2apic, loop);
	run("irq_x2apic_eoi", bench_eoi_x2apic, loop);
	run("irq_x2apic_timer", bench_timer, loop);
	run("irq_x2apic_doorbell", bench_doorbell, loop);
	irq_disable();
}
