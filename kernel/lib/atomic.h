/* SPDX-License-Identifier: MIT */
/* Atomics on plain integers and pointers (GCC __atomic builtins). */
#ifndef TERN_LIB_ATOMIC_H
#define TERN_LIB_ATOMIC_H

#include "kernel/lib/types.h"

#define READ_ONCE(x)        __atomic_load_n(&(x), __ATOMIC_RELAXED)
#define WRITE_ONCE(x, v)    __atomic_store_n(&(x), (v), __ATOMIC_RELAXED)
#define load_acquire(p)     __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define store_release(p, v) __atomic_store_n((p), (v), __ATOMIC_RELEASE)
#define atomic_add(p, v)    __atomic_add_fetch((p), (v), __ATOMIC_SEQ_CST)
#define atomic_sub(p, v)    __atomic_sub_fetch((p), (v), __ATOMIC_SEQ_CST)
#define atomic_inc(p)       atomic_add((p), 1)
#define atomic_dec(p)       atomic_sub((p), 1)
#define atomic_or(p, v)     __atomic_fetch_or((p), (v), __ATOMIC_SEQ_CST)   /* returns old */
#define atomic_and(p, v)    __atomic_fetch_and((p), (v), __ATOMIC_SEQ_CST)  /* returns old */
#define atomic_xchg(p, v)   __atomic_exchange_n((p), (v), __ATOMIC_SEQ_CST)
#define atomic_cmpxchg(p, oldp, v) \
	__atomic_compare_exchange_n((p), (oldp), (v), false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)
#define smp_mb()            __atomic_thread_fence(__ATOMIC_SEQ_CST)
#define smp_rmb()           __atomic_thread_fence(__ATOMIC_ACQUIRE)
#define smp_wmb()           __atomic_thread_fence(__ATOMIC_RELEASE)
#define barrier()           __asm__ __volatile__("" ::: "memory")

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#endif
}

#endif
