/* SPDX-License-Identifier: MIT */
/* VMCALL: the hypercall convention of include/tern/hypercall.h. */
#include "arch/x86/exit.h"
#include "kernel/hypercall.h"
#include "kernel/vcpu.h"

/* For the hypercalls: outside 64-bit mode only the registers' low halves count. */
bool vcpu_long_mode(struct vcpu *v)
{
	(void)v;   /* its VMCS is the current one during its exit */
	return guest_insn_mode() == INSN_MODE_64;
}

EXIT_HOT int exit_vmcall(struct vcpu *v)
{
	s64 ret;

	ret = likely(guest_cpl() == 0) ? hypercall_dispatch(v, v->gpr[GPR_RAX]) : -TERN_EPERM;
	v->gpr[GPR_RAX] = (u64)ret;
	exit_skip_insn(v);
	return 0;
}
