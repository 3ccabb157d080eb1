/* SPDX-License-Identifier: MIT */
#include "kernel/percpu.h"
#include "arch/x86/x86.h"
#include "kernel/lib/atomic.h"

struct pcpu pcpus[PCPU_MAX] = { [0] = { .self = &pcpus[0] } };
static unsigned nr_online;

int percpu_init_cpu(unsigned id, u32 apic_id, u64 stack_top)
{
	struct pcpu *p;

	if (id >= PCPU_MAX)
		return -TERN_EINVAL;
	p = &pcpus[id];
	p->self = p;
	p->id = id;
	p->apic_id = apic_id;
	p->stack_top = stack_top;
	wrmsr(MSR_IA32_GS_BASE, (u64)(uintptr_t)p);
	store_release(&p->online, true);
	atomic_inc(&nr_online);
	return 0;
}

unsigned percpu_nr_online(void)
{
	return load_acquire(&nr_online);
}
