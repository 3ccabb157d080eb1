/* SPDX-License-Identifier: MIT */
/*
 * smp_ipi (2 or more vCPUs; written for 2 and 4): interrupts between vCPUs,
 * checked from inside the guest, first with every LAPIC in xAPIC mode, then
 * with every LAPIC in x2APIC mode (ICR = MSR 0x830, 32-bit destination).
 * Every case counts arrivals per CPU and vector (irq_count_cpu), waits until
 * the expected ones are there (bounded by the TSC: a lost interrupt fails,
 * it does not hang), waits a little more for strays, and then wants exactly:
 *  - fixed IPIs, physical destination, from every CPU to every CPU (itself
 *    too), one vector per ordered pair: once each, on that CPU only;
 *  - logical destinations: xAPIC flat (DFR 0xffffffff, one LDR bit per CPU;
 *    every subset of up to four CPUs, 0xff, a CPU with LDR 0 left out),
 *    xAPIC cluster (DFR 0x0fffffff, two clusters), x2APIC logical (LDR read-only
 *    and derived from the ID; every subset; another cluster reaches nobody);
 *  - broadcasts: physical 0xff (xAPIC) / 0xffffffff (x2APIC) reach every CPU,
 *    the sender too; shorthands self, all-including-self, all-excluding-self;
 *    an x2APIC destination 0xff is no broadcast;
 *  - lowest priority to a logical set: exactly one CPU of the set; with TPR
 *    raised on all but one CPU, that one (tern arbitrates on PPR, docs/irq-lapic.md);
 *  - NMIs between every ordered pair of CPUs, on vector 2;
 *  - a vCPU halted with interrupts on is woken by a fixed IPI from another
 *    vCPU, and by a doorbell (MSI route to its APIC ID) rung from another
 *    vCPU by hypercall and through the doorbell page; the BSP is a target too.
 */
#include <stdarg.h>
#include "kernel/lib/format.h"
#include "lib/guest.h"
#include "lib/irqtest.h"
#include "lib/irqtest_route.h"
#include "lib/smp.h"

#define WAIT_MS          300u     /* longest wait for an interrupt or a call */
#define SETTLE_US        1000u    /* extra wait for duplicates and strays */
#define US_PER_MS        1000u
#define SUBSET_CPUS      4u       /* logical tests try every subset of the first 4 CPUs */

/* Vectors: one per case, so a stray from one case cannot pass for another. */
#define VEC_PAIR(s, d)   (0x40u + (s) * SMP_MAX_CPUS + (d))   /* 0x40-0x7f */
#define VEC_FLAT         0x80u    /* + subset: 0x81-0x8f */
#define VEC_FLAT_ALL     0x90u
#define VEC_FLAT_LDR0    0x91u
#define VEC_CLUSTER      0x92u    /* + case: 0x92-0x9f */
#define VEC_LOWEST       0xa0u    /* + case; class 0xa: below TPR_HIGH */
#define VEC_BCAST        0xb0u    /* + case */
#define VEC_WAKE_IPI     0xc0u
#define VEC_DOORBELL(c)  (0xc8u + (c))
#define TPR_HIGH         0xb0u    /* blocks classes 0x0-0xb, not the library's 0xef/0xf0 */
#define GSI_BASE         40u      /* GSI 40 + n: MSI to cpu n's APIC ID */
#define MSI_DEST_SHIFT   12       /* MSI address bits 19:12: destination ID */
#define XAPIC_CLUSTER_SHIFT 28    /* cluster model: LDR 31:28 cluster, 27:24 bits */
#define X2APIC_CLUSTER_SHIFT 16
#define CPUID_1_ECX_X2APIC BIT(21)

enum wake_how { WAKE_IPI, WAKE_RING, WAKE_PAGE };

static unsigned ncpus;
static u32 all_cpus;
static u64 wait_ticks, settle_ticks;
static bool x2;                       /* the x2APIC half */
static const char *mode = "xAPIC";
static u32 base[SMP_MAX_CPUS][256];   /* counts before the current case */
static u32 ldr_read[SMP_MAX_CPUS], dfr_read[SMP_MAX_CPUS], x2_id[SMP_MAX_CPUS];
static s32 bell[SMP_MAX_CPUS];
static struct route_req req;

/* ---- counting ---- */

static void snapshot(void)
{
	for (unsigned c = 0; c < ncpus; c++)
		for (unsigned v = 0; v < 256; v++)
			base[c][v] = irq_count_cpu[c][v];
}

static u32 delta(unsigned cpu, unsigned vec)
{
	return irq_count_cpu[cpu][vec] - base[cpu][vec];
}

static u32 got_mask(unsigned vec)
{
	u32 m = 0;

	for (unsigned c = 0; c < ncpus; c++)
		if (delta(c, vec))
			m |= BIT(c);
	return m;
}

struct arrivals {
	unsigned vec;
	u32 want;
	bool one_of;
};

static bool arrived(const void *arg)
{
	const struct arrivals *a = arg;
	u32 got = got_mask(a->vec) & a->want;

	return a->one_of ? got != 0 : got == a->want;
}

/* Wait (halted, interrupts on) until every CPU of want has vec (one_of: any of them). */
static void wait_arrivals(unsigned vec, u32 want, bool one_of)
{
	struct arrivals a = { vec, want, one_of };

	smp_wait(arrived, &a, wait_ticks);
}

/* A little more time for duplicates and strays. */
static void settle(void)
{
	smp_sleep(settle_ticks);
}

/* vec arrived exactly once on each CPU of want and nowhere else; notes what differs. */
static bool exactly(unsigned vec, u32 want)
{
	bool ok = true;

	for (unsigned c = 0; c < ncpus; c++) {
		u32 d = delta(c, vec), w = (want >> c) & 1;

		if (d != w) {
			note("cpu%u: vector 0x%02x arrived %u time(s), want %u", c, vec, d, w);
			ok = false;
		}
	}
	return ok;
}

/* vec arrived once in all, on one CPU of set. */
static bool one_of(unsigned vec, u32 set, int *who)
{
	u32 total = 0;

	*who = -1;
	for (unsigned c = 0; c < ncpus; c++) {
		u32 d = delta(c, vec);

		total += d;
		if (d)
			*who = (int)c;
		if (d && !(set & BIT(c)))
			note("cpu%u (outside the set 0x%x) got vector 0x%02x %u time(s)", c, set, vec, d);
	}
	if (total != 1)
		note("vector 0x%02x arrived %u times in all, want 1 (set 0x%x)", vec, total, set);
	return total == 1 && *who >= 0 && (set & BIT(*who));
}

static bool vcheck(bool ok, const char *fmt, va_list ap)
{
	char what[160];

	fmt_vsnprintf(what, sizeof(what), fmt, ap);
	return check(ok, "%s: %s", mode, what);
}

static bool mcheck(bool ok, const char *fmt, ...) __printf(2, 3);
static bool mcheck(bool ok, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ok = vcheck(ok, fmt, ap);
	va_end(ap);
	return ok;
}

/* ---- running on a CPU ---- */

/*
 * A CPU that does not finish a call within wait_ticks is stuck (never woken,
 * or its vCPU never runs again): every later case would only time out on
 * it, so the test ends there.
 */
static void stuck(unsigned cpu)
{
	note("cpu%u did not finish a call within %u ms", cpu, WAIT_MS);
	test_abort("a vCPU stopped answering: the remaining cases would only time out");
}

static bool run_on(unsigned cpu, smp_call_fn_t fn, void *arg)
{
	if (!smp_call(cpu, fn, arg, wait_ticks))
		stuck(cpu);
	return true;
}

/* fn(arg) on every CPU, at once. */
static bool run_all(smp_call_fn_t fn, void *arg)
{
	if (!smp_call_all(fn, arg, wait_ticks))
		for (unsigned c = 0; c < ncpus; c++)
			if (smp_cpus[c].done_seq != smp_cpus[c].call_seq)
				stuck(c);
	return true;
}

struct send {
	u32 dest, icr;
};

static void send_fn(void *arg)
{
	const struct send *s = arg;

	apic_send_ipi(s->dest, s->icr);
}

/* sender sends one IPI; vec (counted) must reach exactly the CPUs of want. */
static bool ipi_case(unsigned sender, u32 dest, u32 icr, unsigned vec, u32 want, const char *fmt, ...)
	__printf(6, 7);
static bool ipi_case(unsigned sender, u32 dest, u32 icr, unsigned vec, u32 want, const char *fmt, ...)
{
	struct send s = { dest, icr };
	va_list ap;
	bool ok;

	snapshot();
	ok = run_on(sender, send_fn, &s);
	wait_arrivals(vec, want, false);
	settle();
	ok &= exactly(vec, want);
	va_start(ap, fmt);
	ok = vcheck(ok, fmt, ap);
	va_end(ap);
	return ok;
}

static u32 apic_of(unsigned cpu)
{
	return smp_cpus[cpu].apic_id;
}

static u32 bcast_dest(void)
{
	return x2 ? X2APIC_BROADCAST : XAPIC_BROADCAST;
}

/* Logical destination of a set of CPUs: xAPIC flat (LDR bit = CPU number) or x2APIC (cluster 0). */
static u32 logical_dest(u32 set)
{
	u32 d = 0;

	if (!x2)
		return set;
	for (unsigned c = 0; c < ncpus; c++)
		if (set & BIT(c))
			d |= X2APIC_LDR(apic_of(c));
	return d;
}

/* ---- fixed IPIs between every ordered pair ---- */

static void pairs_fn(void *arg)
{
	unsigned me = smp_cpu_id();

	for (unsigned d = 0; d < ncpus; d++)
		apic_send_ipi(apic_of(d), ICR_DM_FIXED | ICR_LEVEL_ASSERT | VEC_PAIR(me, d));
}

static void test_pairs(void)
{
	for (unsigned s = 0; s < ncpus; s++) {
		bool ok;

		snapshot();
		ok = run_on(s, pairs_fn, NULL);
		for (unsigned d = 0; d < ncpus; d++)
			wait_arrivals(VEC_PAIR(s, d), BIT(d), false);
		settle();
		for (unsigned d = 0; d < ncpus; d++)
			ok &= exactly(VEC_PAIR(s, d), BIT(d));
		mcheck(ok, "fixed IPIs from cpu%u to each of the %u CPUs (itself too) arrive once, "
		       "on their vector and CPU only", s, ncpus);
	}
}

/* ---- NMIs ---- */

static void test_nmi(void)
{
	for (unsigned s = 0; s < ncpus; s++)
		for (unsigned d = 0; d < ncpus; d++)
			if (d != s)
				ipi_case(s, apic_of(d), ICR_DM_NMI | ICR_LEVEL_ASSERT, VEC_NMI, BIT(d),
					 "NMI IPI from cpu%u to cpu%u arrives on vector 2, there only", s, d);
}

/* ---- broadcasts and shorthands ---- */

static void test_broadcast(void)
{
	unsigned last = ncpus - 1, v = VEC_BCAST;
	u32 fixed = ICR_DM_FIXED | ICR_LEVEL_ASSERT;

	ipi_case(0, bcast_dest(), fixed | v, v, all_cpus,
		 "physical destination 0x%x from cpu0 reaches every CPU, cpu0 too", bcast_dest());
	v++;
	ipi_case(last, bcast_dest(), fixed | v, v, all_cpus,
		 "physical destination 0x%x from cpu%u reaches every CPU", bcast_dest(), last);
	v++;
	ipi_case(1, 0, ICR_SH_ALL_INCL | fixed | v, v, all_cpus,
		 "shorthand all-including-self from cpu1 reaches every CPU");
	v++;
	ipi_case(0, 0, ICR_SH_ALL_INCL | fixed | v, v, all_cpus,
		 "shorthand all-including-self from cpu0 reaches every CPU");
	v++;
	ipi_case(0, 0, ICR_SH_ALL_EXCL | fixed | v, v, all_cpus & ~BIT(0),
		 "shorthand all-excluding-self from cpu0 reaches every CPU but cpu0");
	v++;
	ipi_case(last, 0, ICR_SH_ALL_EXCL | fixed | v, v, all_cpus & ~BIT(last),
		 "shorthand all-excluding-self from cpu%u reaches every CPU but cpu%u", last, last);
	v++;
	ipi_case(1, apic_of(0), ICR_SH_SELF | fixed | v, v, BIT(1),
		 "shorthand self from cpu1 reaches cpu1 only (the destination field is ignored)");
	v++;
	ipi_case(last, bcast_dest(), ICR_SH_ALL_EXCL | ICR_DM_NMI | ICR_LEVEL_ASSERT, VEC_NMI,
		 all_cpus & ~BIT(last), "NMI to all-excluding-self from cpu%u", last);
	if (x2)
		ipi_case(0, XAPIC_BROADCAST, fixed | v, v, 0,
			 "x2APIC destination 0xff is APIC ID 0xff, no broadcast: nobody");
}

/* ---- logical destinations ---- */

static void flat_fn(void *arg)
{
	unsigned me = smp_cpu_id();

	apic_write(LAPIC_DFR, DFR_MODEL_FLAT);
	apic_write(LAPIC_LDR, BIT(me) << XAPIC_LDR_SHIFT);
	ldr_read[me] = apic_read(LAPIC_LDR);
	dfr_read[me] = apic_read(LAPIC_DFR);
}

static void ldr_zero_fn(void *arg)
{
	apic_write(LAPIC_LDR, 0);
}

/* Cluster model: cpu n in cluster n % 2 with bit n / 2, so each cluster mixes low and high CPUs. */
static u32 cluster_of(unsigned cpu) { return cpu % 2; }
static u32 cluster_bit(unsigned cpu) { return BIT(cpu / 2); }

static void cluster_fn(void *arg)
{
	unsigned me = smp_cpu_id();

	apic_write(LAPIC_DFR, DFR_MODEL_CLUSTER);
	apic_write(LAPIC_LDR, (cluster_of(me) << XAPIC_CLUSTER_SHIFT) |
		   (cluster_bit(me) << XAPIC_LDR_SHIFT));
	ldr_read[me] = apic_read(LAPIC_LDR);
	dfr_read[me] = apic_read(LAPIC_DFR);
}

static void read_ldr_fn(void *arg)
{
	ldr_read[smp_cpu_id()] = apic_read(LAPIC_LDR);
}

static u32 subset_count(void)
{
	return BIT(MIN(ncpus, SUBSET_CPUS)) - 1;
}

/* Every subset of the first CPUs, each sent by a different CPU. */
static void logical_subsets(void)
{
	u32 logical = ICR_DM_FIXED | ICR_DEST_LOGICAL | ICR_LEVEL_ASSERT;

	for (u32 set = 1; set <= subset_count(); set++)
		ipi_case(set % ncpus, logical_dest(set), logical | (VEC_FLAT + set), VEC_FLAT + set, set,
			 "logical destination 0x%x from cpu%u reaches exactly the CPUs 0x%x",
			 logical_dest(set), set % ncpus, set);
}

static void test_xapic_flat(void)
{
	u32 logical = ICR_DM_FIXED | ICR_DEST_LOGICAL | ICR_LEVEL_ASSERT;
	bool ok = run_all(flat_fn, NULL);

	for (unsigned c = 0; c < ncpus; c++)
		ok &= ldr_read[c] == BIT(c) << XAPIC_LDR_SHIFT && dfr_read[c] == DFR_MODEL_FLAT;
	mcheck(ok, "flat model on every CPU: DFR 0xffffffff, LDR bit n for cpu n, read back");
	logical_subsets();
	ipi_case(1, XAPIC_BROADCAST, logical | VEC_FLAT_ALL, VEC_FLAT_ALL, all_cpus,
		 "flat logical 0xff reaches every CPU");
	ok = run_on(ncpus - 1, ldr_zero_fn, NULL);
	mcheck(ok, "cpu%u's LDR set to 0", ncpus - 1);
	ipi_case(0, XAPIC_BROADCAST, logical | VEC_FLAT_LDR0, VEC_FLAT_LDR0, all_cpus & ~BIT(ncpus - 1),
		 "flat logical 0xff leaves out cpu%u with logical ID 0", ncpus - 1);
	mcheck(run_on(ncpus - 1, flat_fn, NULL), "cpu%u's LDR back to bit %u", ncpus - 1, ncpus - 1);
}

static void test_xapic_cluster(void)
{
	u32 logical = ICR_DM_FIXED | ICR_DEST_LOGICAL | ICR_LEVEL_ASSERT;
	unsigned v = VEC_CLUSTER, k = 0;
	bool ok = run_all(cluster_fn, NULL);

	for (unsigned c = 0; c < ncpus; c++)
		ok &= ldr_read[c] == ((cluster_of(c) << XAPIC_CLUSTER_SHIFT) |
				      (cluster_bit(c) << XAPIC_LDR_SHIFT)) &&
		      dfr_read[c] == DFR_MODEL_CLUSTER;
	mcheck(ok, "cluster model on every CPU: DFR 0x0fffffff, cluster n %% 2, bit n / 2, read back");
	for (u32 cl = 0; cl < 2; cl++)
		for (u32 bits = 1; bits <= 3; bits++) {
			u32 want = 0, mda = (cl << 4) | bits;

			for (unsigned c = 0; c < ncpus; c++)
				if (cluster_of(c) == cl && (cluster_bit(c) & bits))
					want |= BIT(c);
			ipi_case(k++ % ncpus, mda, logical | v, v, want,
				 "cluster destination 0x%02x reaches exactly the CPUs 0x%x", mda, want);
			v++;
		}
	ipi_case(k++ % ncpus, 0x2f, logical | v, v, 0,
		 "cluster destination 0x2f (cluster 2 has no CPU) reaches nobody");
	v++;
	ipi_case(k % ncpus, XAPIC_BROADCAST, logical | v, v, all_cpus,
		 "cluster destination 0xff reaches every CPU");
}

static void test_x2apic_logical(void)
{
	u32 logical = ICR_DM_FIXED | ICR_DEST_LOGICAL | ICR_LEVEL_ASSERT;
	u32 other_cluster = (1u << X2APIC_CLUSTER_SHIFT) | 0xffffu;
	bool ok = run_all(read_ldr_fn, NULL);

	for (unsigned c = 0; c < ncpus; c++)
		ok &= ldr_read[c] == X2APIC_LDR(apic_of(c));
	mcheck(ok, "every CPU's LDR is derived from its ID (cluster ID >> 4, bit ID & 15)");
	logical_subsets();
	ipi_case(0, other_cluster, logical | VEC_FLAT_ALL, VEC_FLAT_ALL, 0,
		 "logical destination 0x%x (cluster 1, no CPU there) reaches nobody", other_cluster);
}

/* ---- lowest priority ---- */

static void tpr_high_fn(void *arg) { apic_write(LAPIC_TPR, TPR_HIGH); }
static void tpr_zero_fn(void *arg) { apic_write(LAPIC_TPR, 0); }

static void lowest_case(unsigned sender, u32 set, unsigned vec)
{
	u32 lowest = ICR_DM_LOWEST | ICR_DEST_LOGICAL | ICR_LEVEL_ASSERT;
	struct send s = { logical_dest(set), lowest | vec };
	bool ok;
	int who;

	snapshot();
	ok = run_on(sender, send_fn, &s);
	wait_arrivals(vec, set, true);
	settle();
	ok &= one_of(vec, set, &who);
	mcheck(ok, "lowest priority to the CPUs 0x%x from cpu%u reaches exactly one of them (cpu%d)",
	       set, sender, who);
}

/*
 * The SDM calls sending lowest-priority IPIs model specific; tern delivers
 * them (docs/irq-lapic.md), so the guest may rely on "exactly one".
 */
static void test_lowest(void)
{
	unsigned v = VEC_LOWEST, w = ncpus - 1;
	bool ok = true;
	int who;
	struct send s;

	lowest_case(0, all_cpus, v++);
	lowest_case(w, all_cpus, v++);
	lowest_case(0, all_cpus & ~BIT(0), v++);
	lowest_case(1, BIT(0) | BIT(w), v++);

	/* raise TPR everywhere but on w: arbitration on priority must pick w */
	for (unsigned c = 0; c < ncpus; c++)
		if (c != w)
			ok &= run_on(c, tpr_high_fn, NULL);
	s = (struct send){ logical_dest(all_cpus), ICR_DM_LOWEST | ICR_DEST_LOGICAL | ICR_LEVEL_ASSERT | v };
	snapshot();
	ok &= run_on(0, send_fn, &s);
	wait_arrivals(v, BIT(w), false);
	settle();
	ok &= exactly(v, BIT(w));
	mcheck(ok, "lowest priority with TPR 0x%x on all CPUs but cpu%u goes to cpu%u", TPR_HIGH, w, w);
	/* lowering TPR must not release a copy parked in another CPU's IRR */
	ok = run_all(tpr_zero_fn, NULL);
	settle();
	mcheck(ok && one_of(v, BIT(w), &who), "and after TPR 0 everywhere it still arrived once in all");
}

/* ---- waking a halted vCPU ---- */

struct wake {
	unsigned target;
	enum wake_how how;
	s32 result;
	bool target_halted;
};

/* Wait until cpu is in HLT. */
static bool wait_halted(unsigned cpu)
{
	return smp_wait_ne(&smp_cpus[cpu].idle, 0, wait_ticks);
}

static void waker_fn(void *arg)
{
	struct wake *w = arg;

	w->target_halted = wait_halted(w->target);
	switch (w->how) {
	case WAKE_IPI:
		apic_send_ipi(apic_of(w->target), ICR_DM_FIXED | ICR_LEVEL_ASSERT | VEC_WAKE_IPI);
		w->result = 0;
		break;
	case WAKE_RING:
		w->result = doorbell_ring((u32)bell[w->target]);
		break;
	case WAKE_PAGE:
		mmio_write32(TERN_DOORBELL_PAGE_GPA + TERN_DOORBELL_REG_RING, (u32)bell[w->target]);
		w->result = (s32)mmio_read32(TERN_DOORBELL_PAGE_GPA + TERN_DOORBELL_REG_STATUS);
		break;
	}
}

static const char *const how_name[] = {
	[WAKE_IPI] = "a fixed IPI", [WAKE_RING] = "a doorbell rung by hypercall",
	[WAKE_PAGE] = "a doorbell rung through the doorbell page",
};

static void wake_case(unsigned waker, unsigned target, enum wake_how how)
{
	struct wake w = { .target = target, .how = how, .result = -1 };
	unsigned vec = how == WAKE_IPI ? VEC_WAKE_IPI : VEC_DOORBELL(target);
	u32 wakeups = smp_cpus[target].wakeups;
	bool ok, woke = true;

	snapshot();
	if (target == smp_cpu_id()) {
		/* the caller (BSP) is the sleeper: the waker waits for its HLT */
		ok = smp_call(waker, waker_fn, &w, 0);
		woke = smp_halt(wait_ticks);
		if (!smp_call_wait(waker, wait_ticks))
			stuck(waker);
	} else {
		ok = run_on(waker, waker_fn, &w);
		wait_arrivals(vec, BIT(target), false);
		/* the handler has run; the HLT's end is counted just after it */
		smp_wait_ne(&smp_cpus[target].wakeups, wakeups, wait_ticks);
	}
	settle();
	if (!w.target_halted)
		note("cpu%u never halted", target);
	if (w.result)
		note("the ring returned %d", w.result);
	if (!woke)
		note("cpu%u's HLT ended by its timeout, not by the interrupt", target);
	ok &= w.target_halted && w.result == 0 && woke && exactly(vec, BIT(target)) &&
	      smp_cpus[target].wakeups > wakeups;
	mcheck(ok, "cpu%u halted with IF=1 is woken by %s from cpu%u (vector 0x%02x, there only)",
	       target, how_name[how], waker, vec);
}

static void test_wake(void)
{
	for (unsigned t = 0; t < ncpus; t++) {
		wake_case((t + 1) % ncpus, t, WAKE_IPI);
		wake_case((t + 1) % ncpus, t, WAKE_RING);
		wake_case((t + ncpus - 1) % ncpus, t, WAKE_PAGE);
	}
}

static void setup_doorbells(void)
{
	bool ok = true;

	route_clear(&req);
	for (unsigned c = 0; c < ncpus; c++) {
		struct tern_irq_routing_entry *e = route_add_msi(&req, GSI_BASE + c, (u8)VEC_DOORBELL(c));

		e->u.msi.address_lo |= apic_of(c) << MSI_DEST_SHIFT;
	}
	ok &= route_set(&req) == 0;
	for (unsigned c = 0; c < ncpus; c++) {
		bell[c] = doorbell_assign(GSI_BASE + c, 0, 0);
		ok &= bell[c] > 0;
	}
	check(ok, "GSIs %u-%u routed as MSIs to each CPU's APIC ID, a doorbell on each", GSI_BASE,
	      GSI_BASE + ncpus - 1);
}

/* ---- the two halves ---- */

static void x2apic_fn(void *arg)
{
	unsigned me = smp_cpu_id();

	smp_x2apic_enable();
	x2_id[me] = (u32)rdmsr(MSR_X2APIC(LAPIC_ID));
}

static u64 t_last;

/* Where the time goes (TSC ticks; under Bochs one per emulated instruction, idle loops included). */
static void lap(const char *what)
{
	u64 now = rdtsc();

	note("%s %s: %llu ticks", mode, what, (unsigned long long)(now - t_last));
	t_last = now;
}

static void run_all_tests(void)
{
	t_last = rdtsc();
	test_pairs();
	lap("pairs");
	if (x2)
		test_x2apic_logical();
	else {
		test_xapic_cluster();
		test_xapic_flat();   /* last: lowest priority uses the flat model */
	}
	lap("logical");
	test_lowest();
	lap("lowest");
	test_broadcast();
	lap("bcast");
	test_nmi();
	lap("nmi");
	test_wake();
	lap("wake");
}

void guest_main(void)
{
	unsigned up;
	bool ok;

	ncpus = (unsigned)fw_cfg_read_le(FW_CFG_NB_CPUS, 2);
	wait_ticks = tsc_per_ms() * WAIT_MS;
	settle_ticks = tsc_per_ms() * SETTLE_US / US_PER_MS;
	if (!check(ncpus >= 2 && ncpus <= SMP_MAX_CPUS, "fw_cfg: %u vCPUs (2..%u)", ncpus, SMP_MAX_CPUS))
		return;
	all_cpus = BIT(ncpus) - 1;
	irq_init(true, IRQ_EOI_APIC);
	irq_set_eoi(VEC_NMI, IRQ_EOI_NONE);
	irq_set_eoi(0xff, IRQ_EOI_NONE);   /* spurious: no EOI */
	lapic_enable();
	up = smp_start_aps(ncpus - 1, NULL);
	if (!check_eq(up, ncpus - 1, "INIT-SIPI-SIPI started all %u APs", ncpus - 1))
		return;
	for (unsigned c = 0; c < ncpus; c++)
		if (!check(apic_of(c) < 0xff && smp_cpu_of_apic(apic_of(c)) == (int)c,
			   "cpu%u has its own APIC ID %u", c, apic_of(c)))
			return;
	setup_doorbells();

	run_all_tests();

	if (!check(cpuid(1).ecx & CPUID_1_ECX_X2APIC, "CPUID.1:ECX advertises x2APIC"))
		return;
	ok = run_all(x2apic_fn, NULL);
	for (unsigned c = 0; c < ncpus; c++)
		ok &= x2_id[c] == apic_of(c);
	check(ok, "every CPU switched to x2APIC mode, its x2APIC ID is its APIC ID");
	x2 = true;
	mode = "x2APIC";
	run_all_tests();
}
