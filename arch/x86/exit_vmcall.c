/* SPDX-License-Identifier: MIT */
/* VMCALL: the hypercall convention of include/tern/hypercall.h. */
#include "arch/x86/exit.h"
#include "kernel/hypercall.h"
#include "kernel/vcpu.h"

EXIT_HOT int exit_vmcall(struct vcpu *v)
{
	u64 nr = v->gpr[GPR_RAX];
	bool long_mode = true;
	s64 ret;

	/* outside 64-bit mode only the low halves count; the mode is read only when that matters */
	if (unlikely(hypercall_mode_matters(v, nr)))
		long_mode = guest_insn_mode() == INSN_MODE_64;
	ret = likely(guest_cpl() == 0) ? hypercall_dispatch(v, nr, long_mode) : -TERN_EPERM;
	v->gpr[GPR_RAX] = (u64)ret;
	exit_skip_insn(v);
	return 0;
}
