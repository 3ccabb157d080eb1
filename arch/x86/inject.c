/* SPDX-License-Identifier: MIT */
#include "arch/x86/inject.h"
#include "arch/x86/trap.h"
#include "arch/x86/vmx_insn.h"
#include "kernel/vcpu.h"

/* Vectors that push an error code (SDM Vol. 3A 6.15). */
static bool has_error_code(unsigned vector)
{
	switch (vector) {
	case EXC_DF: case EXC_TS: case EXC_NP: case EXC_SS: case EXC_GP: case EXC_PF:
	case EXC_AC: case EXC_CP:
		return true;
	default:
		return false;
	}
}

void inject_exception(struct vcpu *v, unsigned vector, u32 error_code)
{
	u32 info = (vector & INTR_INFO_VECTOR_MASK) |
		   (INTR_TYPE_HW_EXCEPTION << INTR_INFO_TYPE_SHIFT) | INTR_INFO_VALID;

	(void)v;
	if (has_error_code(vector)) {
		info |= INTR_INFO_ERROR_CODE;
		vmcs_write(VMCS_ENTRY_EXCEPTION_ERROR, error_code);
	}
	vmcs_write(VMCS_ENTRY_INTR_INFO, info);
}

void inject_gp(struct vcpu *v)
{
	inject_exception(v, EXC_GP, 0);
}

void inject_ud(struct vcpu *v)
{
	inject_exception(v, EXC_UD, 0);
}

void inject_pending_events(struct vcpu *v)
{
	(void)v;
}
