/* SPDX-License-Identifier: MIT */
#include "kernel/lib/string.h"
#include "lib/cpu.h"
#include "lib/trap.h"

#define TERN_SIGNATURE "ternTERNtern"

struct msr_op {
	u32 msr;
	u64 val;
};

static void do_rdmsr(void *arg)
{
	struct msr_op *op = arg;

	op->val = rdmsr(op->msr);
}

static void do_wrmsr(void *arg)
{
	struct msr_op *op = arg;

	wrmsr(op->msr, op->val);
}

int rdmsr_safe(u32 msr, u64 *val)
{
	struct msr_op op = { msr, 0 };
	int vec = fault_catch(do_rdmsr, &op);

	if (vec < 0)
		*val = op.val;
	return vec;
}

int wrmsr_safe(u32 msr, u64 val)
{
	struct msr_op op = { msr, val };

	return fault_catch(do_wrmsr, &op);
}

bool tern_detect(char sig[13])
{
	struct cpuid_regs r = cpuid(1);

	memset(sig, 0, 13);
	if (!(r.ecx & CPUID_1_ECX_HYPERVISOR))
		return false;
	r = cpuid(CPUID_HV_BASE);
	memcpy(sig, &r.ebx, 4);
	memcpy(sig + 4, &r.ecx, 4);
	memcpy(sig + 8, &r.edx, 4);
	return memcmp(sig, TERN_SIGNATURE, 12) == 0;
}
