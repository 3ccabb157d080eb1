/* SPDX-License-Identifier: MIT */
/*
 * Host stand-in for "which CPU am I": each test thread plays one CPU and
 * says which with stub_rcu_set_cpu() (threads start as CPU 0).
 */
#ifndef TERN_TEST_STUB_RCU_CPU_H
#define TERN_TEST_STUB_RCU_CPU_H

/* The calling thread is CPU cpu from now on (for rcu_this_cpu()). */
void stub_rcu_set_cpu(unsigned cpu);

#endif
