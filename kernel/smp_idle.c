/* SPDX-License-Identifier: MIT */
#include "kernel/smp_idle.h"
#include "arch/x86/ipi.h"
#include "arch/x86/x86.h"
#include "kernel/percpu.h"
#include "kernel/rcu.h"

/*
 * sti takes effect after the next instruction, so an IPI that arrived
 * since the last poll (pending while interrupts were off) wakes hlt at
 * once instead of being lost.
 */
void smp_halt_until_interrupt(unsigned cpu)
{
	ipi_idle_enter();
	rcu_eqs_enter(cpu);
	__asm__ __volatile__("sti; hlt; cli" : : : "memory");
	rcu_eqs_exit(cpu);
	ipi_idle_exit();
}

__noreturn void smp_idle(void)
{
	unsigned cpu = this_cpu()->id;

	for (;;) {
		cli();
		smp_poll();
		rcu_quiescent(cpu);
		smp_halt_until_interrupt(cpu);
	}
}
