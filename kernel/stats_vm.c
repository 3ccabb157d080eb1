/* SPDX-License-Identifier: MIT */
/*
 * Exit statistics in tern (kernel/stats.h): per-vCPU tables, the exit
 * hooks shared with the exit trace, and the per-VM report.
 */
#include "kernel/stats.h"
#include "arch/x86/vmx_errors.h"
#include "arch/x86/vmx_insn.h"
#include "arch/x86/x86.h"
#include "kernel/lib/atomic.h"
#include "kernel/lib/format.h"
#include "kernel/lib/string.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "kernel/trace.h"
#include "kernel/vm_impl.h"

#define MMIO_PAGE_MASK (~0xfffull)

STATIC_ASSERT(EXIT_REASON_MAX <= STATS_MAX_REASONS);

static struct exit_stats *vstats[CONFIG_MAX_VMS][TERN_MAX_VCPUS];
static struct exit_stats vm_total;   /* scratch of stats_print_vm (one caller at a time) */

void stats_enable(void)
{
	__atomic_or_fetch(&trace_mask, TRACE_CAT_STATS, __ATOMIC_RELEASE);
}

bool stats_enabled(void)
{
	return trace_on(TRACE_CAT_STATS);
}

/* The vCPU's table, allocated at its first counted exit; NULL when out of memory. */
static struct exit_stats *vcpu_stats(struct vcpu *v)
{
	struct exit_stats **slot;

	if (v->vm->id >= CONFIG_MAX_VMS || v->id >= TERN_MAX_VCPUS)
		return NULL;
	slot = &vstats[v->vm->id][v->id];
	if (unlikely(!*slot))
		*slot = kzalloc(sizeof(**slot));
	return *slot;
}

/* Which table an exit counts in, and under which key. */
static enum stats_kind exit_key(struct vcpu *v, u32 reason, u64 *key)
{
	switch (reason) {
	case EXIT_IO_INSTRUCTION:
		*key = (u16)(vmcs_read(VMCS_EXIT_QUALIFICATION) >> IOQ_PORT_SHIFT);
		return STATS_PORT;
	case EXIT_EPT_VIOLATION:
	case EXIT_EPT_MISCONFIG:
		*key = vmcs_read(VMCS_GUEST_PHYSICAL_ADDR) & MMIO_PAGE_MASK;
		return STATS_MMIO;
	case EXIT_RDMSR:
	case EXIT_WRMSR:
		*key = (u32)v->gpr[GPR_RCX];
		return STATS_MSR;
	case EXIT_VMCALL:
		*key = v->gpr[GPR_RAX];
		return STATS_HCALL;
	default:
		*key = 0;
		return STATS_NONE;
	}
}

void exit_observe_begin(struct vcpu *v, u32 reason, struct exit_obs *o)
{
	o->reason = reason;
	o->st = NULL;
	if (trace_on(TRACE_CAT_EXIT))
		trace_irq(v->vm, (int)v->id, TR_EXIT, reason, vmcs_read(VMCS_EXIT_QUALIFICATION),
			  vmcs_read(VMCS_GUEST_RIP), 0);
	if (trace_on(TRACE_CAT_STATS)) {
		o->st = vcpu_stats(v);
		o->kind = exit_key(v, reason, &o->key);
	}
	o->start = rdtsc();
}

void exit_observe_end(struct vcpu *v, const struct exit_obs *o, int rc)
{
	u64 ticks = rdtsc() - o->start;

	if (o->st)
		stats_account(o->st, o->reason, o->kind, o->key, ticks);
	if (trace_on(TRACE_CAT_EXIT))
		trace_irq(v->vm, (int)v->id, TR_ENTRY, o->reason, ticks, (u64)(s64)rc, 0);
}

static void print_line(void *ctx, const char *line)
{
	pr_info("vm%u: %s", *(const unsigned *)ctx, line);
}

void stats_print_vm(struct vm *vm)
{
	char title[32];

	if (!stats_enabled()) {
		pr_info("vm%u: stats: off (add stats to the tern command line)", vm->id);
		return;
	}
	memset(&vm_total, 0, sizeof(vm_total));
	for (unsigned j = 0; j < vm->nr_vcpus && j < TERN_MAX_VCPUS; j++) {
		struct exit_stats *vs = vm->id < CONFIG_MAX_VMS ? vstats[vm->id][j] : NULL;

		if (!vs)
			continue;
		stats_merge(&vm_total, vs);
		if (vm->nr_vcpus > 1)
			pr_info("vm%u: vCPU %u: %llu exits, %llu ticks in tern", vm->id, j,
				(unsigned long long)stats_total_count(vs),
				(unsigned long long)stats_total_ticks(vs));
	}
	fmt_snprintf(title, sizeof(title), "exit statistics (%u vCPU%s)", vm->nr_vcpus,
		     vm->nr_vcpus == 1 ? "" : "s");
	stats_report(&vm_total, title, vmx_exit_reason_name, print_line, &vm->id);
}
