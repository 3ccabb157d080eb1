/* SPDX-License-Identifier: MIT */
/*
 * Per-CPU data. Each physical CPU's GS base points at its struct pcpu, so
 * this_cpu() is one load. Nothing in tern may assume a single CPU.
 */
#ifndef TERN_PERCPU_H
#define TERN_PERCPU_H

#include "kernel/lib/types.h"

#define PCPU_MAX 64

struct pcpu {
	struct pcpu *self;      /* first: this_cpu() reads %gs:0 */
	unsigned id;            /* 0 = BSP, dense */
	u32 apic_id;
	u64 stack_top;          /* top of this CPU's normal stack */
	void *vmx;              /* arch/x86 VMX private state */
	void *current_vcpu;     /* the vCPU whose VMCS is current here (runs or ran last), or NULL */
	bool resched;           /* a vCPU of this CPU woke: the running one should yield */
	bool online;
};

/*
 * pcpus[0].self is set statically and boot/ points the BSP's GS base at it
 * before any C runs, so this_cpu() works from kernel_main's first line.
 */
extern struct pcpu pcpus[PCPU_MAX];

/*
 * Make pcpus[id] this CPU's: fill id/apic_id/stack_top and point GS base
 * at it. Returns 0, or -TERN_EINVAL for id >= PCPU_MAX.
 */
int percpu_init_cpu(unsigned id, u32 apic_id, u64 stack_top);

/* Number of CPUs that ran percpu_init_cpu(). */
unsigned percpu_nr_online(void);

#ifndef TERN_HOST
/* The calling CPU's data (the GS base points at it). */
static inline struct pcpu *this_cpu(void)
{
	struct pcpu *p;

	__asm__ __volatile__("movq %%gs:0, %0" : "=r"(p));
	return p;
}
#endif

#endif
