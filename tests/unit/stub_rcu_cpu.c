/* SPDX-License-Identifier: MIT */
#include "kernel/rcu.h"
#include "tests/unit/stub_rcu_cpu.h"

static __thread unsigned stub_cpu;

unsigned rcu_this_cpu(void)
{
	return stub_cpu;
}

void stub_rcu_set_cpu(unsigned cpu)
{
	stub_cpu = cpu;
}
