/* SPDX-License-Identifier: MIT */
/* A cheap boot-time check that every AP runs cross-CPU calls. */
#include "arch/x86/ipi.h"
#include "arch/x86/smp.h"
#include "arch/x86/x86.h"
#include "drivers/lapic_host.h"
#include "kernel/lib/atomic.h"
#include "kernel/log.h"
#include "kernel/percpu.h"

#define NOBODY 0xffffffffu

struct whoami {
	u32 cpu;
	u32 apic_id;
	u64 tsc;
};

static void report_identity(void *arg)
{
	struct whoami *w = arg;

	w->cpu = this_cpu()->id;
	w->apic_id = lapic_id();
	w->tsc = rdtsc();
}

static void count_cpu(void *arg)
{
	atomic_inc((u32 *)arg);
}

/* The AP's TSC read must fall inside the window of the call: else the TSCs disagree. */
static void check_tsc(unsigned cpu, u64 start, u64 end, u64 tsc)
{
	if (tsc < start)
		pr_warn("smp self-test: cpu%u's TSC is behind this CPU's by at least %llu ticks",
			cpu, (unsigned long long)(start - tsc));
	else if (tsc > end)
		pr_warn("smp self-test: cpu%u's TSC is ahead of this CPU's by at least %llu ticks",
			cpu, (unsigned long long)(tsc - end));
}

/* smp_call() to cpu, checking who answered; the round trip in TSC ticks in *ticks. */
static int check_cpu(unsigned cpu, u64 *ticks)
{
	struct whoami w = { NOBODY, NOBODY, 0 };
	u64 t = rdtsc();
	int ret = smp_call(cpu, report_identity, &w, true);

	*ticks = rdtsc() - t;
	if (ret || w.cpu != cpu || w.apic_id != smp_cpu_apic_id(cpu)) {
		pr_err("smp self-test: cpu%u answered as cpu%d apic %d (error %d)", cpu,
		       (int)w.cpu, (int)w.apic_id, ret);
		return -TERN_EIO;
	}
	check_tsc(cpu, t, t + *ticks, w.tsc);
	return 0;
}

int smp_selftest(void)
{
	unsigned n = smp_nr_cpus();
	u64 lo = ~0ull, hi = 0, t;
	u32 count = 0;

	for (unsigned cpu = 0; cpu < n; cpu++) {
		if (check_cpu(cpu, &t))
			return -TERN_EIO;
		if (cpu != this_cpu()->id) {
			lo = MIN(lo, t);
			hi = MAX(hi, t);
		}
	}
	t = rdtsc();
	smp_run_on_all(count_cpu, &count);
	t = rdtsc() - t;
	if (load_acquire(&count) != n) {
		pr_err("smp self-test: smp_run_on_all reached %u of %u CPUs", count, n);
		return -TERN_EIO;
	}
	pr_info("smp self-test: %u CPUs answer; smp_call round trip %llu-%llu ticks, run_on_all %llu",
		n, (unsigned long long)lo, (unsigned long long)hi, (unsigned long long)t);
	return 0;
}
