/* SPDX-License-Identifier: MIT */
/*
 * The event trace in tern (kernel/trace.h): one ring per online CPU,
 * trace_irq() for the hooks, and the console dump.
 */
#include "kernel/trace.h"
#include <tern/errno.h>
#include "arch/x86/x86.h"
#include "kernel/lib/atomic.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "kernel/percpu.h"
#include "kernel/vm_impl.h"

#define TRACE_RING_ORDER 7      /* 512 KiB per CPU: 8192 records of 48 bytes */

u32 trace_mask;

static struct trace_ring rings[PCPU_MAX];
static unsigned nr_rings;
static u32 configured_mask;

int trace_setup(const char *list)
{
	u32 mask;
	unsigned n = percpu_nr_online();

	if (trace_parse(list, &mask))
		return -TERN_EINVAL;
	if (!mask)
		return 0;
	for (unsigned i = 0; i < n && i < PCPU_MAX; i++) {
		void *mem = page_alloc(TRACE_RING_ORDER);

		if (!mem)
			return -TERN_ENOMEM;
		trace_ring_init(&rings[i], mem, PAGE_SIZE << TRACE_RING_ORDER);
		nr_rings = i + 1;
	}
	configured_mask = mask;
	__atomic_or_fetch(&trace_mask, mask, __ATOMIC_RELEASE);
	pr_info("trace: %s on, %llu records per CPU", list,
		(unsigned long long)(rings[0].mask + 1));
	return 0;
}

bool trace_configured(void)
{
	return configured_mask != 0;
}

void trace_irq(struct vm *vm, int vcpu, unsigned type, u64 a0, u64 a1, u64 a2, u64 a3)
{
	unsigned cpu = this_cpu()->id;
	struct trace_rec rec = {
		.tsc = rdtsc(),
		.a = { a0, a1, a2, a3 },
		.type = (u16)type,
		.cpu = (u16)cpu,
		.vm = vm ? (u16)vm->id : TRACE_NO_ID,
		.vcpu = vcpu < 0 ? TRACE_NO_ID : (u16)vcpu,
	};

	if (cpu < nr_rings)
		trace_ring_put(&rings[cpu], &rec);
}

static void dump_line(void *ctx, const char *line)
{
	(void)ctx;
	pr_info("%s", line);
}

void trace_dump(void)
{
	u64 lost = 0;
	u32 saved = __atomic_and_fetch(&trace_mask, ~configured_mask, __ATOMIC_ACQ_REL);

	if (!configured_mask) {
		pr_info("trace: off (trace=irq,exit,doorbell on the tern command line)");
		return;
	}
	for (unsigned i = 0; i < nr_rings; i++)
		lost += trace_ring_lost(&rings[i]);
	if (lost)
		pr_info("trace: %llu older records were overwritten", (unsigned long long)lost);
	trace_dump_rings(rings, nr_rings, dump_line, NULL);
	for (unsigned i = 0; i < nr_rings; i++)
		trace_ring_clear(&rings[i]);
	__atomic_or_fetch(&trace_mask, saved | configured_mask, __ATOMIC_RELEASE);
}
