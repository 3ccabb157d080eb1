/* SPDX-License-Identifier: MIT */
/*
 * Ticket spinlock: fair, small, the same code in tern and in host tests.
 * tern runs with host interrupts off in root mode (only the idle loop
 * enables them), so a lock holder is never interrupted by a handler that
 * takes the same lock.
 */
#ifndef TERN_LIB_SPINLOCK_H
#define TERN_LIB_SPINLOCK_H

#include "kernel/lib/atomic.h"

typedef struct spinlock {
	u16 next;
	u16 owner;
} spinlock_t;

#define SPINLOCK_INIT { 0, 0 }

static inline void spin_lock_init(spinlock_t *l)
{
	l->next = 0;
	l->owner = 0;
}

static inline void spin_lock(spinlock_t *l)
{
	u16 ticket = __atomic_fetch_add(&l->next, 1, __ATOMIC_RELAXED);

	/* the uncontended case falls straight through: one compare, no loop set-up */
	if (unlikely(__atomic_load_n(&l->owner, __ATOMIC_ACQUIRE) != ticket))
		while (__atomic_load_n(&l->owner, __ATOMIC_ACQUIRE) != ticket)
			cpu_relax();
}

static inline bool spin_trylock(spinlock_t *l)
{
	u16 owner = __atomic_load_n(&l->owner, __ATOMIC_RELAXED);
	u16 expected = owner;

	return __atomic_compare_exchange_n(&l->next, &expected, (u16)(owner + 1), false,
					   __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

static inline void spin_unlock(spinlock_t *l)
{
#if defined(__x86_64__) && !defined(TERN_HOST)
	/*
	 * Only the holder writes owner and x86 stores are releases, so one
	 * unlocked add to memory is the release store (the host build keeps the
	 * atomic, which TSan understands).
	 */
	__asm__ __volatile__("addw $1, %0" : "+m"(l->owner) : : "memory");
#else
	__atomic_store_n(&l->owner, (u16)(l->owner + 1), __ATOMIC_RELEASE);
#endif
}

static inline bool spin_is_locked(spinlock_t *l)
{
	return __atomic_load_n(&l->next, __ATOMIC_RELAXED) !=
	       __atomic_load_n(&l->owner, __ATOMIC_RELAXED);
}

#endif
