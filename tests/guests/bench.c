/* SPDX-License-Identifier: MIT */
/*
 * bench: round-trip cost of the basic exits, in TSC ticks per operation
 * (deterministic under Bochs: one tick per emulated instruction).
 * Each operation runs BATCHES x BATCH_OPS times; the cheapest batch counts.
 * Prints "bench: <name> <ticks>.<tenth>" lines.
 */
#include "kernel/lib/atomic.h"
#include "lib/guest.h"

#define BATCHES        5
#define BATCH_OPS      2000      /* 10,000 round trips in all */
#define TESTDEV_PORT   0xe0
#define IOMEM_BASE     0xff000000u

typedef void (*bench_fn_t)(unsigned n);

static void bench_hypercall(unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		hypercall0(TERN_HC_NULL);
}

static void bench_cpuid(unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		cpuid(0);
}

static void bench_in(unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		inl(TESTDEV_PORT);
}

static void bench_out(unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		outl(TESTDEV_PORT, i);
}

static void bench_mmio_write(unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		mmio_write32(IOMEM_BASE, i);
}

static void bench_mmio_read(unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		mmio_read32(IOMEM_BASE);
}

static void bench_empty(unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		barrier();
}

/* Ticks of the cheapest of BATCHES batches of BATCH_OPS operations. */
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
	u64 ticks = best_batch(fn);
	u64 tenths = (ticks > loop_ticks ? ticks - loop_ticks : 0) * 10 / BATCH_OPS;

	printf("bench: %s %llu.%llu\n", name, (unsigned long long)(tenths / 10),
	       (unsigned long long)(tenths % 10));
	check(ticks > 0, "%s measured", name);
}

void guest_main(void)
{
	char sig[13];
	u64 loop = best_batch(bench_empty);   /* the loop's own cost, subtracted */

	if (tern_detect(sig))
		run("hc_null", bench_hypercall, loop);
	else
		note("not running on tern (\"%s\"): no hypercall", sig);
	run("cpuid", bench_cpuid, loop);
	run("pio_in", bench_in, loop);
	run("pio_out", bench_out, loop);
	run("mmio_write", bench_mmio_write, loop);
	run("mmio_read", bench_mmio_read, loop);
}
