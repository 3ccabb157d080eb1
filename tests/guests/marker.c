/* SPDX-License-Identifier: MIT */
/*
 * marker: the well-behaved neighbour of hostile.elf and isolation.elf.
 * It writes a 64-byte marker pattern into its RAM (at MARKER_GPA and in
 * its image), then runs ordinary work for rounds=N rounds (default 2000):
 * hypercalls with checked results, pc-testdev scratch port and MMIO
 * round trips, the vLAPIC timer (one-shot, interrupt counted), CPUID.
 * At the end its marker must be intact and every round must have been
 * right: whatever the other VM did, this VM saw nothing of it.
 *
 * The pattern ("TERN-MARKER-" then bytes derived from a fixed key) is the
 * string isolation.elf hunts for: it is never in isolation.elf's own RAM.
 * It is built at run time so that no copy of it sits in any guest image.
 *
 * Command line: rounds=N, and ms=N to keep running at least N ms of TSC
 * time (so it outlives a long hostile run beside it).
 */
#include "lib/guest.h"
#include "lib/irqtest.h"

#define MARKER_LEN      64u
#define MARKER_GPA      0x00400000u       /* 4 MiB: free RAM above the image */
#define MARKER_KEY      0x5eed7e57u
#define DEFAULT_ROUNDS  2000u
#define ARG_MAX         32
#define SCRATCH_PORT    0xe0u
#define TESTDEV_MMIO    0xff000000u
#define TIMER_VECTOR    0x40u
#define TIMER_COUNT     5000u
#define TIMER_WAIT_MS   50u
#define PROGRESS_EVERY  20000u

static u8 image_marker[MARKER_LEN];

/* The pattern: a prefix, then a byte stream from a small LCG over a fixed key. */
static void marker_fill(u8 *p)
{
	static const char prefix[] = { 'T', 'E', 'R', 'N', '-', 'M', 'A', 'R', 'K', 'E', 'R', '-' };
	u32 x = MARKER_KEY;

	memcpy(p, prefix, sizeof(prefix));
	for (u32 i = sizeof(prefix); i < MARKER_LEN; i++) {
		x = x * 1103515245u + 12345u;
		p[i] = (u8)(x >> 16) | 0x80;   /* never a NUL, never plain text */
	}
}

static bool marker_ok(const u8 *p)
{
	u8 want[MARKER_LEN];

	marker_fill(want);
	return memcmp(p, want, MARKER_LEN) == 0;
}

/* One round of ordinary work; returns false at the first wrong answer. */
static bool round_ok(u32 i)
{
	u32 v = i * 0x9e3779b9u;

	if (hypercall0(TERN_HC_NULL) != 0 || hypercall0(TERN_HC_VERSION) != TERN_HC_ABI_VERSION)
		return false;
	outl(SCRATCH_PORT, v);
	if (inl(SCRATCH_PORT) != v)
		return false;
	mmio_write32(TESTDEV_MMIO + (i % 1024) * 4, v);
	if (mmio_read32(TESTDEV_MMIO + (i % 1024) * 4) != v)
		return false;
	return (cpuid(1).ecx & CPUID_1_ECX_HYPERVISOR) != 0;
}

/* The vLAPIC timer still fires for this VM: one one-shot interrupt. */
static void timer_check(void)
{
	u32 before = irq_count[TIMER_VECTOR];

	lapic_write(LAPIC_TDCR, 0xb);   /* divide by 1 */
	lapic_write(LAPIC_LVT_TIMER, TIMER_VECTOR);
	lapic_write(LAPIC_TMICT, TIMER_COUNT);
	check(irq_wait(TIMER_VECTOR, before + 1, TIMER_WAIT_MS * tsc_per_ms()),
	      "the vLAPIC timer fired");
}

void guest_main(void)
{
	u8 *ram_marker = (u8 *)(uintptr_t)MARKER_GPA;
	u32 rounds = mb_cmdline_u32("rounds", DEFAULT_ROUNDS), ms = mb_cmdline_u32("ms", 0);
	u64 until = rdtsc() + (u64)ms * tsc_per_ms();
	u32 done = 0, bad = 0;

	marker_fill(ram_marker);
	marker_fill(image_marker);
	printf("marker: marker at 0x%08x and 0x%08x, %u rounds, at least %u ms\n",
	       MARKER_GPA, (u32)(uintptr_t)image_marker, rounds, ms);
	irq_init(false, IRQ_EOI_XAPIC);
	lapic_enable();
	timer_check();
	while (done < rounds || rdtsc() < until) {
		if (!round_ok(done))
			bad++;
		done++;
		if (done % PROGRESS_EVERY == 0)
			note("marker: %u rounds", done);
	}
	timer_check();
	check_eq(bad, 0, "%u rounds of hypercalls, port and MMIO round trips all right", done);
	check(marker_ok(ram_marker), "the marker at 0x%08x is intact", MARKER_GPA);
	check(marker_ok(image_marker), "the marker in the image is intact");
}
