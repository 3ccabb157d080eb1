/* SPDX-License-Identifier: MIT */
/*
 * Grace periods for lock-free readers (quiescent-state based RCU).
 *
 * Readers (interrupt injectors on any CPU) never lock and never write
 * shared memory: rcu_read_lock() only bumps a per-CPU nesting count.
 * Writers publish a new object with rcu_assign_pointer() (one release
 * store) and free the old one after synchronize_rcu(), which returns once
 * every other online CPU has passed a quiescent point, so none can still
 * hold a pointer it loaded before the publish.
 *
 * Each CPU has a counter: odd = active (may be reading), even = in an
 * extended quiescent state (idle, offline) where it holds no reference at
 * all. A writer snapshots every other CPU's counter and waits until each
 * one was even or has changed.
 *
 * Guest mode is quiescent too, but marking it on every VM entry and exit
 * would cost two counter updates and a fence per exit. Instead a CPU stays
 * active across guest mode and, on each VM entry, reports a quiescent
 * state only while a writer waits (one load and a branch per exit); the
 * writer kicks every CPU it waits for (rcu_kick_cpu: a host IPI forces a
 * VM exit), so a CPU running a guest reports at its next entry.
 *
 * What the kernel must call, on the CPU concerned:
 *   rcu_cpu_online(cpu)   when the CPU starts running tern code (active);
 *   rcu_vm_entry(cpu)     just before VMLAUNCH/VMRESUME, no read section open;
 *   rcu_eqs_enter(cpu)    before idling (hlt), no read section open;
 *   rcu_eqs_exit(cpu)     after the wake-up, before reading protected data;
 *   rcu_quiescent(cpu)    in any long root-mode loop that does not enter
 *                         the guest (a CPU spinning in root mode without it
 *                         stalls every writer);
 *   rcu_cpu_offline(cpu)  when the CPU stops for good.
 * synchronize_rcu() so costs at most one kick and one exit per busy CPU.
 *
 * rcu_this_cpu() says which CPU runs the caller: in tern it is the percpu
 * id (this_cpu()->id, inline below); host tests give every thread its own
 * id (tests/unit/stub_rcu_cpu.c).
 *
 * Rules: never call synchronize_rcu() with a spinlock held or inside a read
 * section (the CPU it waits for may be spinning on that lock); a pointer
 * from rcu_dereference() is valid only until the matching rcu_read_unlock().
 */
#ifndef TERN_RCU_H
#define TERN_RCU_H

#include "kernel/lib/atomic.h"
#include "kernel/lib/list.h"
#include "kernel/lib/types.h"

#define RCU_MAX_CPUS 64  /* >= PCPU_MAX */

#ifdef TERN_HOST
/* The calling CPU's id, < RCU_MAX_CPUS (ids beyond are never waited for): the test's thread. */
unsigned rcu_this_cpu(void);
#else
#include "kernel/percpu.h"

STATIC_ASSERT(PCPU_MAX <= RCU_MAX_CPUS);

/* The calling CPU's id, < RCU_MAX_CPUS: its percpu id (one load through GS). */
static inline unsigned rcu_this_cpu(void)
{
	return this_cpu()->id;
}
#endif

/* Load an RCU-protected pointer inside a read section (acquire: the object's contents are visible). */
#define rcu_dereference(p) __atomic_load_n(&(p), __ATOMIC_ACQUIRE)

/* Publish v in p after its contents are written (release); NULL unpublishes. */
#define rcu_assign_pointer(p, v) __atomic_store_n(&(p), (__typeof__(p))(v), __ATOMIC_RELEASE)

/*
 * Wait until every other online CPU has passed a quiescent point after
 * this call began (and so left any read section it was in). The caller's
 * own CPU counts as quiescent while it waits. Must not be called with a
 * spinlock held or inside a read section.
 */
void synchronize_rcu(void);

/* cpu starts running tern code: it becomes active (writers wait for it). */
void rcu_cpu_online(unsigned cpu);
/* cpu stopped: writers never wait for it again until it comes online. */
void rcu_cpu_offline(unsigned cpu);

/* cpu holds no RCU reference right now (it must not be in a read section). */
void rcu_quiescent(unsigned cpu);

/*
 * Per-CPU state, public only so the two calls on every VM exit below can be
 * inline (they run twice per exit: a call each would cost more than the work).
 * ctr is odd while the CPU may be reading; only its own CPU writes it.
 */
struct rcu_cpu {
	u64 ctr;          /* written by its own CPU, read by writers */
	u32 nesting;      /* read-section depth; its own CPU only */
	bool online;
} __aligned(64);      /* one cache line each: readers never share a line */

extern struct rcu_cpu rcu_cpus[RCU_MAX_CPUS];
/* Writers in synchronize_rcu() right now: CPUs entering a guest report to them. */
extern u32 rcu_gp_waiters;

/* Reports a quiescent-state call made inside a read section (a caller bug). */
void rcu_misuse(unsigned cpu, const char *what);
/* Reports an rcu_read_unlock() without its rcu_read_lock() (a caller bug). */
void rcu_unbalanced_unlock(unsigned cpu);

/* This CPU's state, NULL for an id beyond RCU_MAX_CPUS (never waited for). */
static inline struct rcu_cpu *rcu_this_cpu_state(void)
{
	unsigned cpu = rcu_this_cpu();

	return cpu < RCU_MAX_CPUS ? &rcu_cpus[cpu] : NULL;
}

/*
 * Enter/leave a read section on this CPU; nestable, never blocks, no
 * shared writes. Inline: every interrupt from a doorbell or device line
 * reads the routing state inside one.
 */
static inline void rcu_read_lock(void)
{
	struct rcu_cpu *c = rcu_this_cpu_state();

	if (c)
		c->nesting++;
	barrier();  /* protected loads stay inside the section */
}

static inline void rcu_read_unlock(void)
{
	struct rcu_cpu *c = rcu_this_cpu_state();

	barrier();
	if (!c)
		return;
	if (unlikely(c->nesting == 0)) {
		rcu_unbalanced_unlock(rcu_this_cpu());
		return;
	}
	c->nesting--;
}

/* True inside a read section on this CPU (for assertions). */
bool rcu_read_lock_held(void);

/*
 * cpu (< RCU_MAX_CPUS, the caller's own) enters guest mode or idle: it is
 * quiescent for as long as it stays there. Idempotent.
 */
static inline void rcu_eqs_enter(unsigned cpu)
{
	struct rcu_cpu *c = &rcu_cpus[cpu];

	if (unlikely(c->nesting)) {
		rcu_misuse(cpu, "eqs_enter");
		return;
	}
	/* release: the reader's accesses happen before a writer sees it leave */
	if (c->ctr & 1)
		__atomic_store_n(&c->ctr, c->ctr + 1, __ATOMIC_RELEASE);
}

/*
 * cpu is back from guest mode or idle: writers wait for it again.
 * Idempotent (an exit that ends the run loop reaches it twice). A CPU that
 * is not online may turn active here: writers never look at it.
 */
static inline void rcu_eqs_exit(unsigned cpu)
{
	struct rcu_cpu *c = &rcu_cpus[cpu];

	if (c->ctr & 1)
		return;
	__atomic_store_n(&c->ctr, c->ctr + 1, __ATOMIC_RELAXED);
	smp_mb();  /* store counter, then load pointers: pairs with synchronize_rcu's fence */
}

/*
 * cpu (the caller's) enters guest mode holding no RCU reference: report a
 * quiescent state if a writer waits for one. On every VM entry: kept to a
 * load and a branch.
 */
static inline void rcu_vm_entry(unsigned cpu)
{
	if (unlikely(READ_ONCE(rcu_gp_waiters)))
		rcu_quiescent(cpu);
}

/*
 * Make cpu reach rcu_vm_entry() or idle soon. tern sends a host IPI, which
 * forces a VM exit; the default (host tests, where CPUs are threads that
 * pass quiescent points by themselves) does nothing.
 */
void rcu_kick_cpu(unsigned cpu);

/* Grace periods completed by synchronize_rcu() so far (statistics, tests). */
u64 rcu_grace_periods(void);

/*
 * RCU-safe list updates for intrusive lists read with
 * list_for_each_entry_rcu(). Writers serialise among themselves (a lock);
 * readers walk under rcu_read_lock(). A deleted node keeps its next link so
 * a reader standing on it can go on; free it only after synchronize_rcu().
 */
static inline void list_add_tail_rcu(struct list_head *n, struct list_head *h)
{
	struct list_head *prev = h->prev;

	n->next = h;
	n->prev = prev;
	rcu_assign_pointer(prev->next, n);
	h->prev = n;
}

static inline void list_del_rcu(struct list_head *n)
{
	struct list_head *next = n->next;

	rcu_assign_pointer(n->prev->next, next);
	next->prev = n->prev;
}

#define list_for_each_entry_rcu(pos, head, member)                                     \
	for (pos = list_entry(rcu_dereference((head)->next), __typeof__(*pos), member); \
	     &pos->member != (head);                                                    \
	     pos = list_entry(rcu_dereference(pos->member.next), __typeof__(*pos), member))

#endif
