/* SPDX-License-Identifier: MIT */
/* VMCALL: the hypercall convention of include/tern/hypercall.h. */
#include "arch/x86/exit.h"
#include "kernel/hypercall.h"
#include "kernel/vcpu.h"

EXIT_HOT int exit_vmcall(struct vcpu *v)
{
	u64 nr = v->gpr[GPR_RAX];
	s64 ret;

	/* outside 64-bit mode only EAX counts (the upper half is stale) */
	if (unlikely(nr >> 32) && guest_insn_mode() != INSN_MODE_64)
		nr = (u32)nr;
	ret = likely(guest_cpl() == 0) ? hypercall_dispatch(v, nr) : -TERN_EPERM;
	v->gpr[GPR_RAX] = (u64)ret;
	exit_skip_insn(v);
	return 0;
}
