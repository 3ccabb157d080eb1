/* SPDX-License-Identifier: MIT */
/*
 * Quiescent-state-based grace periods; kernel/rcu.h has the contract.
 *
 * Memory ordering, the one subtle part: a CPU leaving an extended quiescent
 * state stores its counter and then loads protected pointers; a writer
 * stores a pointer and then loads the counters. Both sides put a full
 * fence between their store and their load, so at least one of them sees
 * the other's store: either the writer sees the CPU active and waits for
 * it, or the CPU sees the new pointer. Every counter change that ends a
 * reader's use of old data is a release, and the writer loads counters
 * with acquire, so the reader's accesses happen before the writer's free.
 */
#include "kernel/rcu.h"
#include "kernel/log.h"

/* Counter parity: odd while the CPU may be reading. */
#define RCU_CTR_ACTIVE 1u
#define RCU_CTR_STEP   2u  /* a quiescent point keeps the parity but changes the value */

/* Spins between two kicks of a CPU a writer still waits for (the first kick is at once). */
#define RCU_KICK_EVERY 4096u

struct rcu_cpu rcu_cpus[RCU_MAX_CPUS];
u32 rcu_gp_waiters;
static u64 rcu_gp_count;

static struct rcu_cpu *rcu_cpu(unsigned cpu)
{
	return cpu < RCU_MAX_CPUS ? &rcu_cpus[cpu] : NULL;
}

static bool ctr_active(u64 ctr)
{
	return (ctr & RCU_CTR_ACTIVE) != 0;
}

void rcu_unbalanced_unlock(unsigned cpu)
{
	pr_err("rcu: unbalanced rcu_read_unlock on cpu %u", cpu);
}

bool rcu_read_lock_held(void)
{
	struct rcu_cpu *c = rcu_cpu(rcu_this_cpu());

	return c && c->nesting > 0;
}

/* A quiescent report inside a read section would let a writer free what the section uses. */
void rcu_misuse(unsigned cpu, const char *what)
{
	pr_err("rcu: %s on cpu %u inside a read section (depth %u)", what, cpu,
	       rcu_cpus[cpu].nesting);
}

static bool rcu_check_not_reading(struct rcu_cpu *c, unsigned cpu, const char *what)
{
	if (likely(c->nesting == 0))
		return true;
	rcu_misuse(cpu, what);
	return false;
}

void rcu_quiescent(unsigned cpu)
{
	struct rcu_cpu *c = rcu_cpu(cpu);

	if (!c || !rcu_check_not_reading(c, cpu, "quiescent"))
		return;
	if (ctr_active(READ_ONCE(c->ctr)))
		__atomic_add_fetch(&c->ctr, RCU_CTR_STEP, __ATOMIC_RELEASE);
}

void rcu_cpu_online(unsigned cpu)
{
	struct rcu_cpu *c = rcu_cpu(cpu);

	if (!c)
		return;
	WRITE_ONCE(c->online, true);
	rcu_eqs_exit(cpu);
}

void rcu_cpu_offline(unsigned cpu)
{
	struct rcu_cpu *c = rcu_cpu(cpu);

	if (!c)
		return;
	rcu_eqs_enter(cpu);
	WRITE_ONCE(c->online, false);
}

__attribute__((weak)) void rcu_kick_cpu(unsigned cpu)
{
	(void)cpu;
}

/* Wait until cpu is or was quiescent since the caller's fence, kicking it now and then. */
static void rcu_wait_for_cpu(struct rcu_cpu *c, unsigned cpu)
{
	u64 snap = __atomic_load_n(&c->ctr, __ATOMIC_ACQUIRE);
	u32 spins = 0;

	if (!ctr_active(snap))
		return;
	while (__atomic_load_n(&c->ctr, __ATOMIC_ACQUIRE) == snap) {
		if (spins++ % RCU_KICK_EVERY == 0)
			rcu_kick_cpu(cpu);
		cpu_relax();
	}
}

void synchronize_rcu(void)
{
	unsigned self = rcu_this_cpu();
	struct rcu_cpu *me = rcu_cpu(self);
	bool was_active = false;

	/* quiescent while waiting, so two writers never wait for each other */
	if (me && rcu_check_not_reading(me, self, "synchronize_rcu")) {
		was_active = ctr_active(READ_ONCE(me->ctr));
		rcu_eqs_enter(self);
	}
	__atomic_add_fetch(&rcu_gp_waiters, 1, __ATOMIC_SEQ_CST);
	smp_mb();  /* the caller's publish is ordered before the counter loads */
	for (unsigned cpu = 0; cpu < RCU_MAX_CPUS; cpu++)
		if (cpu != self)
			rcu_wait_for_cpu(&rcu_cpus[cpu], cpu);
	__atomic_sub_fetch(&rcu_gp_waiters, 1, __ATOMIC_SEQ_CST);
	if (was_active)
		rcu_eqs_exit(self);
	smp_mb();  /* the caller's free comes after every wait */
	__atomic_add_fetch(&rcu_gp_count, 1, __ATOMIC_RELAXED);
}

u64 rcu_grace_periods(void)
{
	return __atomic_load_n(&rcu_gp_count, __ATOMIC_RELAXED);
}
